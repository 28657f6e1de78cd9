/* Lists the Ethernet NICs an installer may use (libnl-route-3 plus sysfs) and names PCI devices. */
#include "hcfg.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <net/if_arp.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

#define SYS_NET "/sys/class/net"

/* Debian's pci.ids package installs the first; other distributions use the second. */
static const char *const pci_ids_paths[] = {
	"/usr/share/misc/pci.ids",
	"/usr/share/hwdata/pci.ids",
};

/* OSPITE_PCI_IDS wins outright, so tests see only their own fixture. */
static FILE *open_pci_ids(void)
{
	const char *env = getenv("OSPITE_PCI_IDS");
	FILE *f = NULL;

	if (env && *env)
		return fopen(env, "re");
	for (size_t i = 0; i < sizeof(pci_ids_paths) / sizeof(pci_ids_paths[0]) && !f; i++)
		f = fopen(pci_ids_paths[i], "re");
	return f;
}

/* An id line is four hex digits, blanks, then the name ("1af4  Red Hat, Inc."). */
static bool parse_id_line(const char *line, unsigned *id, const char **name)
{
	for (int i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)line[i]))
			return false;
	if (line[4] != ' ' && line[4] != '\t')
		return false;
	*id = (unsigned)strtoul(line, NULL, 16);
	line += 4;
	while (*line == ' ' || *line == '\t')
		line++;
	*name = line;
	return true;
}

/* Copy up to the end of the line, without trailing blanks, truncating to fit. */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strcspn(src, "\r\n");

	if (!dst || !len)
		return;
	while (n && isspace((unsigned char)src[n - 1]))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Returns 0 when both names were found; -ENODEV when only the vendor is known
 * (@vendor_out is filled, @device_out is empty); -ENXIO when the vendor is
 * unknown; -EINVAL for ids above 0xffff; another negative errno (-ENOENT when
 * there is no database) when pci.ids cannot be read. Either output may be NULL.
 */
int hcfg_pci_name(unsigned vendor, unsigned device, char *vendor_out, size_t vlen,
		  char *device_out, size_t dlen)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	bool in_vendor = false;
	int rc = -ENXIO;

	copy_name(vendor_out, vlen, "");
	copy_name(device_out, dlen, "");
	if (vendor > 0xffff || device > 0xffff)
		return -EINVAL;
	f = open_pci_ids();
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) >= 0) {
		unsigned id;
		const char *name;

		if (line[0] == '\t') {
			/* Two tabs start a subsystem line, which never names the device itself. */
			if (in_vendor && line[1] != '\t' && parse_id_line(line + 1, &id, &name) &&
			    id == device) {
				copy_name(device_out, dlen, name);
				rc = 0;
				break;
			}
			continue;
		}
		if (line[0] == '#' || line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
			continue;
		/* The next vendor, or the device classes that follow every vendor. */
		if (in_vendor || (line[0] == 'C' && line[1] == ' '))
			break;
		if (parse_id_line(line, &id, &name) && id == vendor) {
			copy_name(vendor_out, vlen, name);
			in_vendor = true;
			rc = -ENODEV;
		}
	}
	if (rc == -ENXIO && ferror(f))
		rc = -EIO;
	free(line);
	fclose(f);
	return rc;
}

static bool net_path(char *buf, size_t len, const char *ifname, const char *attr)
{
	int w = snprintf(buf, len, SYS_NET "/%s/%s", ifname, attr);

	return w > 0 && (size_t)w < len;
}

static bool net_exists(const char *ifname, const char *attr)
{
	char path[PATH_MAX];

	return net_path(path, sizeof(path), ifname, attr) && access(path, F_OK) == 0;
}

/* The last path component of what the symlink @path points to ("virtio_net", "pci"). */
static void link_basename(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	ssize_t r = readlink(path, target, sizeof(target) - 1);
	const char *base;

	out[0] = '\0';
	if (r <= 0)
		return;
	target[r] = '\0';
	base = strrchr(target, '/');
	copy_name(out, len, base ? base + 1 : target);
}

/* The bus a sysfs device directory hangs on ("pci", "virtio", "usb", "xen-backend"). */
static void device_subsystem(const char *devdir, char *out, size_t len)
{
	char path[PATH_MAX];
	int w = snprintf(path, sizeof(path), "%s/subsystem", devdir);

	out[0] = '\0';
	if (w > 0 && (size_t)w < sizeof(path))
		link_basename(path, out, len);
}

/*
 * Only plain Ethernet hardware (and veth, which stands in for it in
 * namespaces) can carry the host's own address or a guest bridge: software
 * links report an rtnl kind, and the sysfs checks catch kernels or drivers
 * that do not.
 */
static bool is_installer_nic(struct rtnl_link *link)
{
	const char *name = rtnl_link_get_name(link);
	const char *kind = rtnl_link_get_type(link);
	char devdir[PATH_MAX], real[PATH_MAX], sub[64];
	unsigned dom, idx;
	char extra;

	/* A link whose name could not be written safely is left out, never shortened. */
	if (!hcfg_ifname_ok(name))
		return false;
	if (rtnl_link_get_arptype(link) != ARPHRD_ETHER || (rtnl_link_get_flags(link) & IFF_LOOPBACK))
		return false;
	if (kind && strcmp(kind, "veth") != 0)
		return false;
	if (net_exists(name, "bridge") || net_exists(name, "bonding") ||
	    net_exists(name, "tun_flags") || net_exists(name, "wireless") ||
	    net_exists(name, "phy80211"))
		return false;
	/* Xen netback names its backends vifD.N and hangs them on the xen-backend bus. */
	if (sscanf(name, "vif%u.%u%c", &dom, &idx, &extra) == 2)
		return false;
	if (net_path(devdir, sizeof(devdir), name, "device") && realpath(devdir, real)) {
		device_subsystem(real, sub, sizeof(sub));
		if (strcmp(sub, "xen-backend") == 0)
			return false;
	}
	return true;
}

static bool read_hex(const char *dir, const char *attr, unsigned *val)
{
	char path[PATH_MAX], buf[32], *end;
	int w = snprintf(path, sizeof(path), "%s/%s", dir, attr);
	unsigned long v;

	if (w <= 0 || (size_t)w >= sizeof(path) || hcfg_read_line(path, buf, sizeof(buf)) < 0)
		return false;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || v > 0xffff)
		return false;
	*val = (unsigned)v;
	return true;
}

/* PCI ids name the device when there are any; otherwise say what kind of link it is. */
static void describe(struct hcfg_nic *nic, const char *kind)
{
	char devdir[PATH_MAX], real[PATH_MAX], parent[PATH_MAX], sub[64], psub[64];
	const char *pcidir = NULL;
	unsigned vid, did;
	char *slash;

	sub[0] = psub[0] = '\0';
	if (net_path(devdir, sizeof(devdir), nic->name, "device") && realpath(devdir, real)) {
		device_subsystem(real, sub, sizeof(sub));
		strcpy(parent, real);
		slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			device_subsystem(parent, psub, sizeof(psub));
		}
		/* virtio-net sits on a virtio device whose parent is the PCI function. */
		if (strcmp(sub, "pci") == 0)
			pcidir = real;
		else if (strcmp(psub, "pci") == 0)
			pcidir = parent;
	}

	if (pcidir && read_hex(pcidir, "vendor", &vid) && read_hex(pcidir, "device", &did)) {
		if (hcfg_pci_name(vid, did, nic->vendor, sizeof(nic->vendor), nic->model,
				  sizeof(nic->model)) == 0)
			return;
		/* TRANSLATORS: a network card missing from the PCI ID database; hex vendor:device ids. */
		snprintf(nic->model, sizeof(nic->model), _("PCI device %04x:%04x"), vid, did);
		return;
	}
	if (kind && strcmp(kind, "veth") == 0) {
		snprintf(nic->model, sizeof(nic->model), "%s", _("Virtual Ethernet (veth)"));
		return;
	}
	if (strcmp(psub, "usb") == 0) {
		char path[PATH_MAX + 16];

		/* The USB device (the interface's parent) carries its own strings. */
		snprintf(path, sizeof(path), "%s/manufacturer", parent);
		hcfg_read_line(path, nic->vendor, sizeof(nic->vendor));
		snprintf(path, sizeof(path), "%s/product", parent);
		if (hcfg_read_line(path, nic->model, sizeof(nic->model)) == 0 && nic->model[0])
			return;
	}
	if (strcmp(sub, "usb") == 0 || strcmp(psub, "usb") == 0)
		snprintf(nic->model, sizeof(nic->model), _("USB Ethernet adapter (%s)"),
			 nic->driver[0] ? nic->driver : "usb");
	else if (strcmp(sub, "virtio") == 0)
		snprintf(nic->model, sizeof(nic->model), "%s", _("Virtio network device"));
	else if (strcmp(sub, "xen") == 0)
		snprintf(nic->model, sizeof(nic->model), "%s", _("Xen virtual network interface"));
	else if (nic->driver[0])
		snprintf(nic->model, sizeof(nic->model), "%s", nic->driver);
	else
		snprintf(nic->model, sizeof(nic->model), "%s", _("Ethernet interface"));
}

static void fill_nic(struct rtnl_link *link, struct hcfg_nic *nic)
{
	const char *kind = rtnl_link_get_type(link);
	struct nl_addr *addr = rtnl_link_get_addr(link);
	unsigned flags = rtnl_link_get_flags(link);
	char path[PATH_MAX], buf[32], *end;
	long speed;

	memset(nic, 0, sizeof(*nic));
	copy_name(nic->name, sizeof(nic->name), rtnl_link_get_name(link));
	if (addr && nl_addr_get_len(addr) == 6) {
		const unsigned char *m = nl_addr_get_binary_addr(addr);

		snprintf(nic->mac, sizeof(nic->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	nic->up = flags & IFF_UP;
	nic->carrier = flags & IFF_LOWER_UP;

	/* The kernel refuses to read the speed of a link that is down, and says -1 when unknown. */
	if (net_path(path, sizeof(path), nic->name, "speed") &&
	    hcfg_read_line(path, buf, sizeof(buf)) == 0) {
		errno = 0;
		speed = strtol(buf, &end, 10);
		if (!errno && end != buf && speed > 0 && speed <= INT_MAX)
			nic->speed_mbps = (unsigned)speed;
	}

	if (net_path(path, sizeof(path), nic->name, "device/driver"))
		link_basename(path, nic->driver, sizeof(nic->driver));
	if (!nic->driver[0] && kind)
		copy_name(nic->driver, sizeof(nic->driver), kind);

	describe(nic, kind);
}

/* Natural order, so that eth2 comes before eth10. */
static int nic_cmp(const void *a, const void *b)
{
	const struct hcfg_nic *x = a, *y = b;

	return strverscmp(x->name, y->name);
}

int hcfg_nic_list(struct hcfg_nic **nics, size_t *n, char **cause)
{
	struct nl_sock *sk = NULL;
	struct nl_cache *cache = NULL;
	struct hcfg_nic *list = NULL;
	size_t count = 0, cap = 0;
	int err, rc = 0;

	*nics = NULL;
	*n = 0;
	sk = nl_socket_alloc();
	if (!sk) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		rc = base_cause(cause, -EIO,
				_("Could not connect to the kernel's network configuration: %s."),
				nl_geterror(err));
		goto out;
	}
	err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (err < 0) {
		rc = base_cause(cause, -EIO, _("Could not read the list of network interfaces: %s."),
				nl_geterror(err));
		goto out;
	}
	for (struct nl_object *obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *link = (struct rtnl_link *)obj;

		if (!is_installer_nic(link))
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct hcfg_nic *nl = realloc(list, ncap * sizeof(*list));

			if (!nl) {
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
				goto out;
			}
			list = nl;
			cap = ncap;
		}
		fill_nic(link, &list[count++]);
	}
	if (count)
		qsort(list, count, sizeof(*list), nic_cmp);
	*nics = list;
	*n = count;
	list = NULL;
out:
	free(list);
	nl_cache_free(cache);
	nl_socket_free(sk);
	return rc;
}
