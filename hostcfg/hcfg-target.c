/* Writes a target root's fstab, network files and policy-rc.d; helpers the other writers share. */
#include "hcfg.h"
#include "hcfg-target.h"
#include "hcfg-target-int.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- paths and files inside the target ------------------------------------ */

char *hcfg_tgt_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int hcfg_tgt_check_root(const char *root, char **cause)
{
	struct stat st, sys;

	if (!root || !*root)
		return base_cause(cause, -EINVAL, _("No target root directory was given."));
	if (stat(root, &st) < 0)
		return base_cause(cause, -errno, _("The target root %s cannot be used: %s."), root,
				  strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return base_cause(cause, -ENOTDIR, _("The target root %s cannot be used: %s."), root,
				  strerror(ENOTDIR));
	if (stat("/", &sys) < 0 || (st.st_dev == sys.st_dev && st.st_ino == sys.st_ino))
		return base_cause(cause, -EINVAL,
				  /* TRANSLATORS: %s is a directory that is (or leads to) "/". */
				  _("The target root %s is the running system; its files will not be rewritten."),
				  root);
	return 0;
}

/* @rel starts with '/'; a trailing '/' of @root is dropped so paths stay tidy. */
char *hcfg_tgt_path(const char *root, const char *rel)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	return hcfg_tgt_asprintf("%.*s%s", (int)n, root, rel);
}

/* mkdir -p for every directory above @path. */
static int mkdir_parents(const char *path, char **cause)
{
	char *dir = strdup(path), *slash;
	int rc = 0;

	if (!dir)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		rc = hcfg_mkdirs(dir, cause);
	}
	free(dir);
	return rc;
}

int hcfg_tgt_write(const char *root, const char *rel, const char *data, unsigned mode,
		   char **cause)
{
	return hcfg_tgt_write_data(root, rel, data, strlen(data), mode, cause);
}

int hcfg_tgt_write_data(const char *root, const char *rel, const void *data, size_t len,
			unsigned mode, char **cause)
{
	char *path = hcfg_tgt_path(root, rel);
	int rc;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = mkdir_parents(path, cause);
	if (rc == 0)
		rc = hcfg_write_data(path, data, len, mode, cause);
	free(path);
	return rc;
}

int hcfg_target_copy(const char *root, const char *rel, const char *from, unsigned mode,
		     char **cause)
{
	char *data = NULL;
	size_t len = 0;
	int rc = hcfg_tgt_check_root(root, cause);

	if (rc == 0)
		rc = hcfg_read_data(from, &data, &len, cause);
	if (rc == 0)
		rc = hcfg_tgt_write_data(root, rel, data, len, mode, cause);
	free(data);
	return rc;
}

int hcfg_tgt_remove(const char *root, const char *rel, char **cause)
{
	char *path = hcfg_tgt_path(root, rel);
	int rc = 0;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	if (unlink(path) < 0 && errno != ENOENT)
		rc = base_cause(cause, -errno, _("Could not remove %s: %s."), path, strerror(errno));
	free(path);
	return rc;
}

int hcfg_tgt_symlink(const char *path, const char *to, bool clobber, char **cause)
{
	char cur[PATH_MAX], *tmp = NULL;
	struct stat st;
	ssize_t len;
	int rc;

	rc = mkdir_parents(path, cause);
	if (rc < 0)
		return rc;
	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode) && (!clobber || S_ISDIR(st.st_mode)))
			return base_cause(cause, -EEXIST,
					  _("%s exists and is not a symbolic link; it was left alone."),
					  path);
		len = S_ISLNK(st.st_mode) ? readlink(path, cur, sizeof(cur) - 1) : -1;
		if (len >= 0) {
			cur[len] = '\0';
			if (strcmp(cur, to) == 0)
				return 0;
		}
	}
	tmp = hcfg_tgt_asprintf("%s.ospite-new", path);
	if (!tmp)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	unlink(tmp);
	if (symlink(to, tmp) < 0 || rename(tmp, path) < 0) {
		rc = base_cause(cause, -errno, _("Could not create the link %s: %s."), path,
				strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

char *hcfg_tgt_mem_close(FILE *f, char **buf)
{
	if (fclose(f) != 0) {
		free(*buf);
		*buf = NULL;
	}
	return *buf;
}

char **hcfg_tgt_split_list(const char *s)
{
	char **v = calloc(1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return NULL;
	while (s && *s) {
		size_t len;
		char **nv;

		s += strspn(s, " \t\n,");
		len = strcspn(s, " \t\n,");
		if (!len)
			break;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			goto fail;
		v = nv;
		v[n] = strndup(s, len);
		v[n + 1] = NULL;
		if (!v[n])
			goto fail;
		n++;
		s += len;
	}
	return v;
fail:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return NULL;
}

void hcfg_tgt_free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* ---- small validators ------------------------------------------------------ */

bool hcfg_tgt_empty(const char *s)
{
	return !s || !*s;
}

bool hcfg_tgt_word_ok(const char *s, const char *extra)
{
	if (hcfg_tgt_empty(s))
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	}
	return true;
}

bool hcfg_tgt_field_ok(const char *s)
{
	if (hcfg_tgt_empty(s))
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	}
	return true;
}

static bool ifname_ok(const char *s)
{
	return hcfg_tgt_word_ok(s, "-_.") && strlen(s) < IF_NAMESIZE;
}

static bool ipv4_ok(const char *s)
{
	struct in_addr a;

	return !hcfg_tgt_empty(s) && inet_pton(AF_INET, s, &a) == 1;
}

int hcfg_hostname_valid(const char *s, char **cause)
{
	size_t len = s ? strlen(s) : 0, lab = 0;

	if (len == 0)
		return base_cause(cause, -EINVAL, _("The host name is empty."));
	if (len > 253)
		return base_cause(cause, -EINVAL,
				  _("The host name \"%s\" is longer than 253 characters."), s);
	for (size_t i = 0; i <= len; i++) {
		char ch = s[i];

		if (ch == '.' || ch == '\0') {
			if (lab == 0)
				return base_cause(cause, -EINVAL,
						  _("The host name \"%s\" has an empty label."), s);
			if (s[i - 1] == '-')
				return base_cause(cause, -EINVAL,
						  _("A label of the host name \"%s\" ends with a hyphen."), s);
			lab = 0;
			continue;
		}
		if (lab == 0 && ch == '-')
			return base_cause(cause, -EINVAL,
					  _("A label of the host name \"%s\" starts with a hyphen."), s);
		if (!isascii((unsigned char)ch) || !(isalnum((unsigned char)ch) || ch == '-'))
			return base_cause(cause, -EINVAL,
					  _("The host name \"%s\" may only hold letters, digits, hyphens and dots."),
					  s);
		if (++lab > 63)
			return base_cause(cause, -EINVAL,
					  _("A label of the host name \"%s\" is longer than 63 characters."),
					  s);
	}
	return 0;
}

int hcfg_serial_parse(const char *s, struct hcfg_serial *out, char **cause)
{
	struct hcfg_serial ser = { .speed = 115200 };
	unsigned long unit;
	char *end;

	if (!s || strncmp(s, "ttyS", 4) != 0 || !isdigit((unsigned char)s[4]))
		goto bad;
	errno = 0;
	unit = strtoul(s + 4, &end, 10);
	if (errno || unit > 31 || (*end && *end != ','))
		goto bad;
	if (*end == ',') {
		if (!isdigit((unsigned char)end[1]))
			goto bad;
		ser.speed = strtoul(end + 1, &end, 10);
		if (errno || *end || ser.speed < 300 || ser.speed > 4000000)
			goto bad;
	}
	ser.unit = (unsigned)unit;
	snprintf(ser.tty, sizeof(ser.tty), "ttyS%u", ser.unit);
	if (out)
		*out = ser;
	return 0;
bad:
	return base_cause(cause, -EINVAL,
			  /* TRANSLATORS: "ttyS0,115200" is an example of the syntax: keep it as it is. */
			  _("The serial console \"%s\" is not of the form ttyS0,115200."), s ? s : "");
}

/* ---- /etc/fstab --------------------------------------------------------------- */

static bool mount_is_swap(const struct hcfg_target_mount *m)
{
	return strcmp(m->fstype, "swap") == 0;
}

static bool mount_skipped(const struct hcfg_target_mount *m)
{
	return hcfg_tgt_empty(m->fstype) || strcmp(m->fstype, "biosboot") == 0;
}

/* Parents sort before their children ("/" < "/boot" < "/boot/efi"), swap last. */
static int mount_cmp(const void *a, const void *b)
{
	const struct hcfg_target_mount *x = *(const struct hcfg_target_mount *const *)a;
	const struct hcfg_target_mount *y = *(const struct hcfg_target_mount *const *)b;

	if (mount_is_swap(x) != mount_is_swap(y))
		return mount_is_swap(x) ? 1 : -1;
	if (mount_is_swap(x))   /* swap keeps the caller's order (the array is the caller's) */
		return x < y ? -1 : x > y;
	return strcmp(x->mount, y->mount);
}

static int check_mount(const struct hcfg_target_mount *m, char **cause)
{
	const char *what = mount_is_swap(m) ? "swap" : m->mount;

	if (!mount_is_swap(m) && (hcfg_tgt_empty(m->mount) || m->mount[0] != '/' ||
				  !hcfg_tgt_field_ok(m->mount)))
		return base_cause(cause, -EINVAL,
				  _("The mount point \"%s\" is not an absolute path without blanks."),
				  m->mount ? m->mount : "");
	/* Device names change between boots and this host has no udev at install time. */
	if (hcfg_tgt_empty(m->uuid))
		return base_cause(cause, -EINVAL, _("The filesystem for %s has no UUID."), what);
	if (!hcfg_tgt_word_ok(m->uuid, "-"))
		return base_cause(cause, -EINVAL,
				  /* TRANSLATORS: first %s is a mount point or "swap", second what was given. */
				  _("The filesystem for %s is named \"%s\", which is not a UUID."),
				  what, m->uuid);
	if (!hcfg_tgt_word_ok(m->fstype, "-_."))
		/* TRANSLATORS: the second %s is a mount point or "swap". */
		return base_cause(cause, -EINVAL, _("The filesystem type \"%s\" for %s is not valid."),
				  m->fstype, what);
	if (!hcfg_tgt_empty(m->options) && !hcfg_tgt_field_ok(m->options))
		return base_cause(cause, -EINVAL, _("The mount options \"%s\" for %s are not valid."),
				  m->options, what);
	if (m->pass < HCFG_TARGET_PASS_NONE || m->pass > 2)
		/* TRANSLATORS: the fsck pass is the last field of an fstab line; %s is a mount point. */
		return base_cause(cause, -EINVAL, _("The fsck pass %d for %s is not 0, 1 or 2."),
				  m->pass, what);
	return 0;
}

static const char *mount_options(const struct hcfg_target_mount *m)
{
	if (!hcfg_tgt_empty(m->options))
		return m->options;
	if (mount_is_swap(m))
		return "sw";
	if (strcmp(m->mount, "/") == 0 && (!strcmp(m->fstype, "ext4") || !strcmp(m->fstype, "ext3")))
		return "errors=remount-ro";
	if (strcmp(m->fstype, "vfat") == 0)
		return "umask=0077";
	return "defaults";
}

static int mount_pass(const struct hcfg_target_mount *m)
{
	if (m->pass == HCFG_TARGET_PASS_NONE || mount_is_swap(m))
		return 0;
	if (m->pass > 0)
		return m->pass;
	return strcmp(m->mount, "/") == 0 ? 1 : 2;
}

int hcfg_target_fstab(const char *root, const struct hcfg_target_mount *mounts, size_t n,
		      char **cause)
{
	const struct hcfg_target_mount **v = NULL;
	char *buf = NULL;
	size_t nv = 0, len;
	bool have_root = false;
	FILE *f;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	for (size_t i = 0; i < n; i++) {
		if (mount_skipped(&mounts[i]))
			continue;
		rc = check_mount(&mounts[i], cause);
		if (rc < 0)
			goto out;
		for (size_t j = 0; j < nv; j++) {
			if (!mount_is_swap(&mounts[i]) && !mount_is_swap(v[j]) &&
			    strcmp(v[j]->mount, mounts[i].mount) == 0) {
				rc = base_cause(cause, -EINVAL,
						_("The mount point %s appears more than once."),
						mounts[i].mount);
				goto out;
			}
		}
		if (!mount_is_swap(&mounts[i]) && strcmp(mounts[i].mount, "/") == 0)
			have_root = true;
		v[nv++] = &mounts[i];
	}
	if (!have_root) {
		rc = base_cause(cause, -EINVAL, _("There is no filesystem for /."));
		goto out;
	}
	qsort(v, nv, sizeof(*v), mount_cmp);

	f = open_memstream(&buf, &len);
	if (!f) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	fputs("# /etc/fstab: static file system information.\n"
	      "#\n"
	      "# Filesystems are named by UUID: device names can change between boots.\n"
	      "#\n"
	      "# <file system>\t<mount point>\t<type>\t<options>\t<dump>\t<pass>\n", f);
	for (size_t i = 0; i < nv; i++)
		fprintf(f, "UUID=%s\t%s\t%s\t%s\t0\t%d\n", v[i]->uuid,
			mount_is_swap(v[i]) ? "none" : v[i]->mount, v[i]->fstype,
			mount_options(v[i]), mount_pass(v[i]));
	if (!hcfg_tgt_mem_close(f, &buf)) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_tgt_write(root, "/etc/fstab", buf, 0644, cause);
out:
	free(buf);
	free(v);
	return rc;
}

/* ---- network ------------------------------------------------------------------ */

/* An IPv6 setting: none, "auto", "dhcp", or an address with its prefix length. */
static bool ipv6_ok(const char *v)
{
	struct in6_addr a6;
	char addr[64], *end;
	const char *slash;
	unsigned long n;

	if (hcfg_tgt_empty(v) || !strcmp(v, "auto") || !strcmp(v, "dhcp"))
		return true;
	slash = strchr(v, '/');
	if (!slash || (size_t)(slash - v) >= sizeof(addr) || !isdigit((unsigned char)slash[1]))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - v), v);
	n = strtoul(slash + 1, &end, 10);
	return !*end && n >= 1 && n <= 128 && inet_pton(AF_INET6, addr, &a6) == 1;
}

static int check_net(const struct hcfg_target_net *net, char **dns, char **cause)
{
	const struct hcfg_target_bridge *b = net->bridges;
	int rc = hcfg_hostname_valid(net->hostname, cause);

	if (rc < 0)
		return rc;
	if (!ifname_ok(net->mgmt_nic))
		return base_cause(cause, -EINVAL, _("The management interface \"%s\" is not valid."),
				  net->mgmt_nic ? net->mgmt_nic : "");
	for (size_t i = 0; i < net->n_bridges; i++) {
		if (!ifname_ok(b[i].name))
			return base_cause(cause, -EINVAL, _("The bridge name \"%s\" is not valid."),
					  b[i].name ? b[i].name : "");
		if (!hcfg_tgt_empty(b[i].nic) && !ifname_ok(b[i].nic))
			return base_cause(cause, -EINVAL,
					  /* TRANSLATORS: a network interface name, then a bridge name. */
					  _("The interface \"%s\" of bridge %s is not valid."), b[i].nic,
					  b[i].name);
		if (!hcfg_tgt_empty(b[i].nic) && strcmp(b[i].nic, b[i].name) == 0)
			return base_cause(cause, -EINVAL,
					  _("The bridge %s cannot carry an interface of the same name."),
					  b[i].name);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(b[i].name, b[j].name) == 0)
				return base_cause(cause, -EINVAL,
						  _("The bridge %s is defined more than once."),
						  b[i].name);
			if (!hcfg_tgt_empty(b[i].nic) && !hcfg_tgt_empty(b[j].nic) &&
			    strcmp(b[i].nic, b[j].nic) == 0)
				return base_cause(cause, -EINVAL,
						  _("The interface %s is in both bridge %s and bridge %s."),
						  b[i].nic, b[j].name, b[i].name);
		}
	}
	for (size_t i = 0; i < net->n_extra; i++) {
		const struct hcfg_target_addr *x = &net->extra[i];

		if (!ifname_ok(x->dev))
			return base_cause(cause, -EINVAL, _("The interface \"%s\" is not valid."),
					  x->dev ? x->dev : "");
		if (!x->dhcp && (!ipv4_ok(x->address) || x->prefix < 1 || x->prefix > 32 ||
				 (!hcfg_tgt_empty(x->gateway) && !ipv4_ok(x->gateway))))
			return base_cause(cause, -EINVAL, _("The address of %s is not a valid IPv4 address and prefix."),
					  x->dev);
		if (!ipv6_ok(x->ipv6))
			return base_cause(cause, -EINVAL, _("The IPv6 setting \"%s\" is not valid."), x->ipv6);
	}
	if (!ipv6_ok(net->ipv6))
		return base_cause(cause, -EINVAL, _("The IPv6 setting \"%s\" is not valid."), net->ipv6);
	if (net->dhcp)
		return 0;
	if (!ipv4_ok(net->address))
		return base_cause(cause, -EINVAL, _("The address \"%s\" is not a valid IPv4 address."),
				  net->address ? net->address : "");
	if (net->prefix < 1 || net->prefix > 32)
		return base_cause(cause, -EINVAL, _("The prefix length %u is not between 1 and 32."),
				  net->prefix);
	if (!hcfg_tgt_empty(net->gateway) && !ipv4_ok(net->gateway))
		return base_cause(cause, -EINVAL, _("The gateway \"%s\" is not a valid IPv4 address."),
				  net->gateway);
	for (size_t i = 0; dns[i]; i++) {
		struct in6_addr a6;

		if (!ipv4_ok(dns[i]) && inet_pton(AF_INET6, dns[i], &a6) != 1)
			return base_cause(cause, -EINVAL,
					  _("The DNS server \"%s\" is not a valid IP address."), dns[i]);
	}
	return 0;
}

/* What one interface stanza carries: an IPv4 method and address, and IPv6. */
struct iface_addr {
	bool dhcp;
	const char *address, *gateway, *ipv6;
	unsigned prefix;
};

static void put_v4(FILE *f, const char *name, const struct iface_addr *a, bool autoup)
{
	if (autoup)
		fprintf(f, "\nauto %s\n", name);
	else
		fputs("\n", f);
	if (!a) {
		fprintf(f, "iface %s inet manual\n", name);
		return;
	}
	fprintf(f, "iface %s inet %s\n", name, a->dhcp ? "dhcp" : "static");
	if (a->dhcp)
		return;
	fprintf(f, "\taddress %s/%u\n", a->address, a->prefix);
	if (!hcfg_tgt_empty(a->gateway))
		fprintf(f, "\tgateway %s\n", a->gateway);
}

/* The inet6 stanza after the options of the inet one (ifupdown reads them in order). */
static void put_v6(FILE *f, const char *name, const struct iface_addr *a)
{
	if (!a || hcfg_tgt_empty(a->ipv6))
		return;
	if (!strcmp(a->ipv6, "auto") || !strcmp(a->ipv6, "dhcp")) {
		fprintf(f, "iface %s inet6 %s\n", name, a->ipv6);
		return;
	}
	fprintf(f, "iface %s inet6 static\n\taddress %s\n", name, a->ipv6);
}

/* The address an interface carries: the management one, an extra one, or none. */
static bool find_addr(const struct hcfg_target_net *net, const char *name, const char *port,
		      struct iface_addr *out)
{
	bool mgmt = !strcmp(name, net->mgmt_nic) ||
		    (!hcfg_tgt_empty(port) && !strcmp(port, net->mgmt_nic));

	if (mgmt) {
		*out = (struct iface_addr){ net->dhcp, net->address, net->gateway, net->ipv6,
					    net->prefix };
		return true;
	}
	for (size_t i = 0; i < net->n_extra; i++) {
		const struct hcfg_target_addr *x = &net->extra[i];

		if (!strcmp(x->dev, name) || (!hcfg_tgt_empty(port) && !strcmp(x->dev, port))) {
			*out = (struct iface_addr){ x->dhcp, x->address, x->gateway, x->ipv6, x->prefix };
			return true;
		}
	}
	return false;
}

/* Is @dev a bridge, or the port of one? */
static bool bridged(const struct hcfg_target_net *net, const char *dev)
{
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!strcmp(net->bridges[i].name, dev) ||
		    (!hcfg_tgt_empty(net->bridges[i].nic) && !strcmp(net->bridges[i].nic, dev)))
			return true;
	return false;
}

static char *interfaces_text(const struct hcfg_target_net *net)
{
	struct iface_addr a;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs("# The network interfaces of this host, for ifupdown and bridge-utils; see interfaces(5).\n"
	      "source /etc/network/interfaces.d/*\n"
	      "\n"
	      "auto lo\n"
	      "iface lo inet loopback\n", f);
	if (!bridged(net, net->mgmt_nic)) {
		find_addr(net, net->mgmt_nic, NULL, &a);
		put_v4(f, net->mgmt_nic, &a, true);
		put_v6(f, net->mgmt_nic, &a);
	}
	for (size_t i = 0; i < net->n_extra; i++) {
		const char *dev = net->extra[i].dev;

		if (bridged(net, dev) || !strcmp(dev, net->mgmt_nic))
			continue;
		find_addr(net, dev, NULL, &a);
		put_v4(f, dev, &a, true);
		put_v6(f, dev, &a);
	}
	for (size_t i = 0; i < net->n_bridges; i++) {
		const struct hcfg_target_bridge *b = &net->bridges[i];
		bool has = find_addr(net, b->name, b->nic, &a);

		/* The bridge brings its port up; the port itself carries no address. */
		if (!hcfg_tgt_empty(b->nic))
			fprintf(f, "\niface %s inet manual\n", b->nic);
		put_v4(f, b->name, has ? &a : NULL, true);
		fprintf(f, "\tbridge_ports %s\n"
			"\tbridge_stp off\n"
			"\tbridge_fd 0\n"
			"\tbridge_maxwait 0\n", hcfg_tgt_empty(b->nic) ? "none" : b->nic);
		put_v6(f, b->name, has ? &a : NULL);
	}
	return hcfg_tgt_mem_close(f, &buf);
}

#define NODEFROUTE_HOOK "/etc/dhcp/dhclient-enter-hooks.d/ospite-nodefroute"

/* The interface an address of @dev lands on: the bridge that carries @dev, or @dev. */
static const char *addr_iface(const struct hcfg_target_net *net, const char *dev)
{
	for (size_t i = 0; i < net->n_bridges; i++)
		if (!strcmp(net->bridges[i].name, dev) ||
		    (!hcfg_tgt_empty(net->bridges[i].nic) && !strcmp(net->bridges[i].nic, dev)))
			return net->bridges[i].name;
	return dev;
}

/*
 * A dhclient hook that drops the routers a DHCP server offers on the
 * interfaces that must not take the default route: "" when there are none,
 * NULL when out of memory.
 * dhclient-script sources the hooks and adds a default route only from
 * $new_routers.
 */
static char *nodefroute_text(const struct hcfg_target_net *net)
{
	char *buf = NULL, *text;
	size_t len;
	int n = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (net->dhcp && net->nodefroute)
		fprintf(f, "%s%s", n++ ? "|" : "", addr_iface(net, net->mgmt_nic));
	for (size_t i = 0; i < net->n_extra; i++)
		if (net->extra[i].dhcp && net->extra[i].nodefroute)
			fprintf(f, "%s%s", n++ ? "|" : "", addr_iface(net, net->extra[i].dev));
	if (hcfg_tgt_mem_close(f, &buf) == NULL)
		return NULL;
	if (n == 0)
		return buf;
	text = hcfg_tgt_asprintf(
		"# Written by ospite-install: these interfaces take their address by DHCP but\n"
		"# not the default route, so that the host keeps one default route.\n"
		"case \"$interface\" in\n"
		"%s)\n"
		"\tunset new_routers\n"
		"\t;;\n"
		"esac\n", buf);
	free(buf);
	return text;
}

static char *hosts_text(const struct hcfg_target_net *net)
{
	const char *dot = strchr(net->hostname, '.');
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "127.0.0.1\tlocalhost\n");
	/* The Debian convention: the host's own name resolves without DNS. */
	fprintf(f, "%s\t%s", net->dhcp ? "127.0.1.1" : net->address, net->hostname);
	if (dot)
		fprintf(f, "\t%.*s", (int)(dot - net->hostname), net->hostname);
	fputs("\n"
	      "\n"
	      "# The following lines are desirable for IPv6 capable hosts\n"
	      "::1\tlocalhost ip6-localhost ip6-loopback\n"
	      "ff02::1\tip6-allnodes\n"
	      "ff02::2\tip6-allrouters\n", f);
	return hcfg_tgt_mem_close(f, &buf);
}

static char *resolv_text(const struct hcfg_target_net *net, char **dns)
{
	const char *dot = strchr(net->hostname, '.');
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (dot)
		fprintf(f, "search %s\n", dot + 1);
	for (size_t i = 0; dns[i]; i++)
		fprintf(f, "nameserver %s\n", dns[i]);
	return hcfg_tgt_mem_close(f, &buf);
}

int hcfg_target_network(const char *root, const struct hcfg_target_net *net, char **cause)
{
	char **dns = NULL, *ifaces = NULL, *hostname = NULL, *hosts = NULL, *resolv = NULL;
	char *hook = NULL;
	const char *dot;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	dns = hcfg_tgt_split_list(net->dhcp ? NULL : net->dns);
	if (!dns) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = check_net(net, dns, cause);
	if (rc < 0)
		goto out;
	dot = strchr(net->hostname, '.');
	ifaces = interfaces_text(net);
	hosts = hosts_text(net);
	resolv = net->dhcp ? NULL : resolv_text(net, dns);
	hostname = hcfg_tgt_asprintf("%.*s\n",
				     dot ? (int)(dot - net->hostname) : (int)strlen(net->hostname),
				     net->hostname);
	hook = nodefroute_text(net);
	if (!ifaces || !hosts || !hostname || !hook || (!net->dhcp && !resolv)) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_tgt_write(root, "/etc/network/interfaces", ifaces, 0644, cause);
	if (rc == 0)
		rc = hcfg_tgt_write(root, "/etc/hostname", hostname, 0644, cause);
	if (rc == 0)
		rc = hcfg_tgt_write(root, "/etc/hosts", hosts, 0644, cause);
	/* With DHCP the client writes resolv.conf at boot; leave whatever is there. */
	if (rc == 0 && resolv)
		rc = hcfg_tgt_write(root, "/etc/resolv.conf", resolv, 0644, cause);
	if (rc == 0 && net->noipv6)
		rc = hcfg_tgt_write(root, "/etc/sysctl.d/70-ospite-noipv6.conf",
				    "# IPv6 is off on this host, as its installation asked.\n"
				    "net.ipv6.conf.all.disable_ipv6 = 1\n"
				    "net.ipv6.conf.default.disable_ipv6 = 1\n", 0644, cause);
	if (rc == 0 && *hook)
		rc = hcfg_tgt_write(root, NODEFROUTE_HOOK, hook, 0644, cause);
	else if (rc == 0)
		rc = hcfg_tgt_remove(root, NODEFROUTE_HOOK, cause);
out:
	free(hook);
	hcfg_tgt_free_list(dns);
	free(ifaces);
	free(hostname);
	free(hosts);
	free(resolv);
	return rc;
}

/* ---- firewall ------------------------------------------------------------------ */

/* "PORT/tcp" or "PORT/udp", PORT from 1 to 65535, or a range "FROM-TO/tcp". */
static bool port_ok(const char *s)
{
	unsigned long from, to;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	from = to = strtoul(s, &end, 10);
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return false;
		to = strtoul(end + 1, &end, 10);
	}
	return from >= 1 && to <= 65535 && from <= to && (!strcmp(end, "/tcp") || !strcmp(end, "/udp"));
}

int hcfg_target_firewall(const char *root, char *const *ports, char *const *trusted,
			 char **cause)
{
	char *buf = NULL;
	size_t len;
	FILE *f;
	int rc = hcfg_tgt_check_root(root, cause);

	if (rc < 0)
		return rc;
	for (size_t i = 0; ports && ports[i]; i++)
		if (!port_ok(ports[i]))
			return base_cause(cause, -EINVAL, _("The port \"%s\" is not of the form 22/tcp."),
					  ports[i]);
	for (size_t i = 0; trusted && trusted[i]; i++)
		if (!ifname_ok(trusted[i]))
			return base_cause(cause, -EINVAL, _("The interface \"%s\" is not valid."),
					  trusted[i]);
	f = open_memstream(&buf, &len);
	if (!f)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	fputs("#!/usr/sbin/nft -f\n"
	      "# The host's firewall, as its installation asked: only what comes to the host itself\n"
	      "# is filtered; the guests' bridged traffic is not.\n"
	      "\n"
	      "table inet ospite\n"
	      "delete table inet ospite\n"
	      "\n"
	      "table inet ospite {\n"
	      "\tchain input {\n"
	      "\t\ttype filter hook input priority filter; policy drop;\n"
	      "\t\tct state established,related accept\n"
	      "\t\tct state invalid drop\n"
	      "\t\tiif \"lo\" accept\n"
	      "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n"
	      "\t\tudp dport { 68, 546 } accept\n", f);
	for (size_t i = 0; trusted && trusted[i]; i++)
		fprintf(f, "\t\tiifname \"%s\" accept\n", trusted[i]);
	for (size_t i = 0; ports && ports[i]; i++) {
		const char *slash = strchr(ports[i], '/');

		fprintf(f, "\t\t%s dport %.*s accept\n", slash + 1, (int)(slash - ports[i]), ports[i]);
	}
	fputs("\t}\n"
	      "}\n", f);
	if (!hcfg_tgt_mem_close(f, &buf))
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_tgt_write(root, "/etc/nftables.conf", buf, 0755, cause);
	free(buf);
	return rc;
}

/* ---- policy-rc.d ------------------------------------------------------------- */

int hcfg_target_block_daemons(const char *root, bool block, char **cause)
{
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	/* invoke-rc.d and deb-systemd-invoke skip starting a service when this answers 101. */
	if (block)
		return hcfg_tgt_write(root, "/usr/sbin/policy-rc.d",
				      "#!/bin/sh\n"
				      "# Written by the installer: no daemon starts while packages are installed.\n"
				      "exit 101\n", 0755, cause);
	return hcfg_tgt_remove(root, "/usr/sbin/policy-rc.d", cause);
}

