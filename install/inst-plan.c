/* The install plan: defaults, the automatic layout, the package set, validation and dumps. */
#include "inst.h"
#include "inst-plan-int.h"
#include "base/i18n.h"
#include "hostcfg/hcfg-target.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Read the suite of the running system from os-release, "bookworm" when unknown. */
static void system_suite(char *buf, size_t len)
{
	char *data = NULL, *p;

	snprintf(buf, len, "bookworm");
	if (hcfg_read_file("/etc/os-release", &data, NULL) < 0)
		return;
	p = strstr(data, "VERSION_CODENAME=");
	if (p) {
		p += strlen("VERSION_CODENAME=");
		size_t n = strcspn(p, "\n\"");

		if (n > 0 && n < len) {
			memcpy(buf, p, n);
			buf[n] = '\0';
		}
	}
	free(data);
}

/* Does the space-separated word list @list hold @word? */
static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += wl) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\t';
		bool end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\t' || p[wl] == '\n';

		if (start && end)
			return true;
	}
	return false;
}

/* One deb822 stanza of an apt .sources file: take URIs if Suites names @suite. */
static void sources_stanza(const char *st, const char *suite, char *url, size_t len)
{
	const char *u = strstr(st, "URIs:"), *s = strstr(st, "Suites:");
	char uris[512], suites[256];

	if (!u || !s || *url)
		return;
	if (sscanf(u, "URIs: %511[^\n]", uris) != 1 || sscanf(s, "Suites: %255[^\n]", suites) != 1)
		return;
	if (!has_word(suites, suite))
		return;
	uris[strcspn(uris, " \t")] = '\0';
	snprintf(url, len, "%s", uris);
}

/*
 * The package mirror the running system uses for @suite: the install source
 * defaults to it, so a site's own mirror or proxy carries over and nothing
 * names a mirror host in the code.
 */
static void system_mirror(const char *suite, char *url, size_t len)
{
	char *data = NULL;
	DIR *d;
	struct dirent *de;

	url[0] = '\0';
	d = opendir("/etc/apt/sources.list.d");
	while (d && (de = readdir(d))) {
		char path[512];
		size_t nl = strlen(de->d_name);

		if (nl < 8 || strcmp(de->d_name + nl - 8, ".sources"))
			continue;
		snprintf(path, sizeof(path), "/etc/apt/sources.list.d/%s", de->d_name);
		if (hcfg_read_file(path, &data, NULL) < 0)
			continue;
		/* Stanzas are separated by blank lines. */
		for (char *st = data; st && *st;) {
			char *next = strstr(st, "\n\n");

			if (next)
				*next = '\0';
			sources_stanza(st, suite, url, len);
			st = next ? next + 2 : NULL;
		}
		free(data);
		data = NULL;
	}
	if (d)
		closedir(d);
	if (*url || hcfg_read_file("/etc/apt/sources.list", &data, NULL) < 0)
		return;
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		char type[16], u[256], s[64];

		if (sscanf(line, "%15s %255s %63s", type, u, s) == 3 && !strcmp(type, "deb") &&
		    !strcmp(s, suite) && u[0] != '[') {
			snprintf(url, len, "%s", u);
			break;
		}
	}
	free(data);
}

void inst_plan_lang_defaults(struct inst_plan *p, const char *lang)
{
	bool it = !strcmp(lang, "it");

	INST_COPY(p->lang, it ? "it" : "en");
	p->locale[0] = '\0';
	INST_COPY(p->keyboard, it ? "it" : "us");
	p->kbd_variant[0] = '\0';
	INST_COPY(p->timezone, it ? "Europe/Rome" : "Etc/UTC");
}

const char *inst_plan_locale(const struct inst_plan *p)
{
	if (*p->locale)
		return p->locale;
	return !strcmp(p->lang, "it") ? "it_IT.UTF-8" : "en_US.UTF-8";
}

const char *inst_plan_medium_dir(void)
{
	/* live-boot mounts the medium it booted from at /run/live/medium; the ISO's repository is in debian/. */
	const char *dir = getenv("OSPITE_MEDIUM_REPO");

	return dir && *dir ? dir : "/run/live/medium/debian";
}

bool inst_plan_medium_source(struct inst_plan *p)
{
	const char *dir = inst_plan_medium_dir();
	char release[512];
	struct stat st;

	if (strlen(dir) >= sizeof(p->local_dir))
		return false;
	snprintf(release, sizeof(release), "%s/dists/%s/Release", dir, p->suite);
	if (stat(release, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	p->src = INST_SRC_LOCAL;
	INST_COPY(p->local_dir, dir);
	return true;
}

void inst_plan_init(struct inst_plan *p)
{
	memset(p, 0, sizeof(*p));
	inst_plan_lang_defaults(p, "en");
	p->utc = true;
	p->dhcp = true;
	p->prefix = 24;
	INST_COPY(p->hostname, "ospite");
	system_suite(p->suite, sizeof(p->suite));
	system_mirror(p->suite, p->mirror, sizeof(p->mirror));
	{
		char sec[64];

		snprintf(sec, sizeof(sec), "%s-security", p->suite);
		system_mirror(sec, p->security_mirror, sizeof(p->security_mirror));
	}
	p->security = true;
	inst_plan_medium_source(p);
	p->hv = INST_HV_XEN;
	p->dom0_mem_mib = 1024;
	p->end = INST_END_REBOOT;
	p->boot_timeout = -1;
}

void inst_list_add(char ***list, const char *s)
{
	size_t n = inst_list_len(*list);
	char **v = realloc(*list, (n + 2) * sizeof(*v));

	if (!v || !(v[n] = strdup(s)))
		abort();
	v[n + 1] = NULL;
	*list = v;
}

bool inst_list_has(char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

size_t inst_list_len(char *const *list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

void inst_list_free(char ***list)
{
	for (size_t i = 0; *list && (*list)[i]; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
}

void inst_plan_free(struct inst_plan *p)
{
	inst_list_free(&p->packages);
	inst_list_free(&p->only_use);
	inst_list_free(&p->ignore_disks);
	inst_list_free(&p->exclude);
	inst_list_free(&p->svc_enable);
	inst_list_free(&p->svc_disable);
	inst_list_free(&p->fw_ports);
	inst_list_free(&p->fw_trust);
	for (size_t i = 0; i < p->n_scripts; i++)
		free(p->scripts[i].body);
	free(p->scripts);
	p->scripts = NULL;
	p->n_scripts = 0;
	for (size_t i = 0; i < p->n_users; i++)
		explicit_bzero(p->users[i].hash, sizeof(p->users[i].hash));
	free(p->users);
	p->users = NULL;
	p->n_users = 0;
	for (size_t i = 0; i < p->n_src_files; i++)
		free(p->src_files[i]);
	free(p->src_files);
	p->src_files = NULL;
	p->n_src_files = 0;
	explicit_bzero(p->root_hash, sizeof(p->root_hash));
}

unsigned inst_plan_add_src_file(struct inst_plan *p, const char *file)
{
	char **v = realloc(p->src_files, (p->n_src_files + 1) * sizeof(*v));

	if (!v || !(v[p->n_src_files] = strdup(file)))
		abort();
	p->src_files = v;
	return p->n_src_files++;
}

void inst_plan_where(const struct inst_plan *p, struct inst_loc src, char *buf, size_t len)
{
	const char *file = src.file < p->n_src_files ? p->src_files[src.file] : NULL;

	if (!file)
		snprintf(buf, len, "%s", "");
	else if (src.line)
		snprintf(buf, len, "%s:%u", file, src.line);
	else
		snprintf(buf, len, "%s", file);
}

void inst_plan_default_bridges(struct inst_plan *p, const struct hcfg_nic *nics, size_t n)
{
	p->n_bridges = 0;
	for (size_t i = 0; i < n && i < INST_MAX_BRIDGES; i++) {
		struct inst_bridge *b = &p->bridges[p->n_bridges++];

		snprintf(b->name, sizeof(b->name), "%s%zu", p->hv == INST_HV_XEN ? "xenbr" : "br", i);
		INST_COPY(b->nic, nics[i].name);
		INST_COPY(b->mac, nics[i].mac);
	}
}

const struct inst_bridge *inst_plan_mgmt_bridge(const struct inst_plan *p)
{
	for (size_t i = 0; i < p->n_bridges; i++)
		if (!strcmp(p->bridges[i].nic, p->nic))
			return &p->bridges[i];
	return NULL;
}

static void add_part(struct inst_plan *p, const char *mount, enum hcfg_fs fs, uint64_t mib,
		     bool grow)
{
	struct inst_part *e;

	if (p->n_parts >= INST_MAX_PARTS)
		return;
	e = &p->parts[p->n_parts++];
	memset(e, 0, sizeof(*e));
	INST_COPY(e->mount, mount);
	e->fs = fs;
	e->size_mib = mib;
	e->grow = grow;
}

uint64_t inst_plan_swap_mib(uint64_t disk_mib, uint64_t ram_mib)
{
	if (disk_mib < 32 * 1024)
		return 512;
	return ram_mib >= 8192 ? 4096 : 2048;
}

void inst_plan_auto_parts(struct inst_plan *p, uint64_t disk_mib, uint64_t ram_mib)
{
	bool small = disk_mib < 32 * 1024;
	uint64_t boot = small ? 512 : 1024;
	uint64_t swap = inst_plan_swap_mib(disk_mib, ram_mib);
	uint64_t avail = disk_mib > boot + swap + 4 ? disk_mib - boot - swap - 4 : 0;
	uint64_t root = avail / 2;

	/* The host needs little: guests live in the image store, which gets the rest. */
	if (root < 4096)
		root = 4096;
	if (root > 20480)
		root = 20480;
	p->n_parts = 0;
	add_part(p, "/boot", HCFG_FS_EXT4, boot, false);
	add_part(p, "/", HCFG_FS_EXT4, root, false);
	add_part(p, "swap", HCFG_FS_SWAP, swap, false);
	add_part(p, INST_IMAGES_DIR, HCFG_FS_XFS, 1024, true);
	inst_plan_add_biosboot(p);
}

int inst_plan_add_biosboot(struct inst_plan *p)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (p->parts[i].fs == HCFG_FS_BIOSBOOT)
			return 0;
	if (p->n_parts >= INST_MAX_PARTS)
		return -ENOSPC;
	memmove(&p->parts[1], &p->parts[0], p->n_parts * sizeof(p->parts[0]));
	memset(&p->parts[0], 0, sizeof(p->parts[0]));
	INST_COPY(p->parts[0].mount, "biosboot");
	p->parts[0].fs = HCFG_FS_BIOSBOOT;
	p->parts[0].size_mib = 1;
	p->n_parts++;
	return 1;
}

/* Is @e a partition of the disk *@arg (0: the first, 1: the second of RAID 1)? */
static bool on_disk(const struct inst_part *e, const void *arg)
{
	return inst_part_on_disk(e) && e->disk_n == *(const unsigned *)arg;
}

/* Share @disk_mib among the partitions of disk @disk_n, growing the grow ones. */
static int resolve_disk(const struct inst_plan *p, unsigned disk_n, uint64_t disk_mib,
			uint64_t *sizes, char **cause)
{
	/* 1 MiB in front for alignment and the GPT, 1 MiB at the end for its backup. */
	uint64_t avail = disk_mib > 2 ? disk_mib - 2 : 0, fixed = 0;

	for (size_t i = 0; i < p->n_parts; i++) {
		if (!inst_part_on_disk(&p->parts[i]) || p->parts[i].disk_n != disk_n)
			continue;
		fixed += p->parts[i].size_mib;
		sizes[i] = p->parts[i].size_mib;
	}
	if (fixed > avail)
		return base_cause(cause, -ENOSPC,
				  _("The partitions need %llu MiB but the disk holds only %llu MiB."),
				  (unsigned long long)fixed, (unsigned long long)avail);
	/* Share what is left among the grow entries, honouring their maximum sizes. */
	inst_plan_grow_share(p, on_disk, &disk_n, avail - fixed, 1, sizes);
	return 0;
}

int inst_plan_resolve_sizes(const struct inst_plan *p, uint64_t disk_mib, uint64_t *sizes,
			    char **cause)
{
	int rc;

	for (size_t i = 0; i < p->n_parts; i++)
		sizes[i] = 0;
	rc = resolve_disk(p, 0, disk_mib, sizes, cause);
	if (rc == 0 && *p->disk2)
		rc = resolve_disk(p, 1, disk_mib, sizes, cause);
	if (rc == 0)
		rc = inst_plan_resolve_storage(p, sizes, cause);
	return rc;
}

static const char *const base_pkgs[] = {
	/*
	 * zstd: initramfs-tools is set to compress with it (a Recommends that
	 * --no-install-recommends drops); without it every initial RAM disk
	 * falls back to gzip, four times slower to build.
	 */
	"linux-image-amd64", "zstd", "grub-pc", "openssh-server", "ifupdown", "bridge-utils",
	"isc-dhcp-client", "locales", "keyboard-configuration", "console-setup", "xfsprogs",
	"libvirt-daemon-system", "libvirt-clients", "qemu-utils", "ca-certificates",
	/*
	 * The console's cloud-init seeds for guests made from templates: mkfs.vfat
	 * and mcopy. The ospite package only recommends them, and apt runs with
	 * --no-install-recommends. The libraries the programs link with are not
	 * named: the package's Depends (shlibs) bring them, whether it comes from
	 * the source by name or as a file (eng_ospite_package() adds its Depends).
	 */
	"dosfstools", "mtools",
	/*
	 * busybox: the initial RAM disk's shell and tools (initramfs-tools only
	 * recommends it); without it mdadm's and lvm2's scripts there find no rm.
	 */
	"busybox", NULL,
};
static const char *const xen_pkgs[] = { "xen-system-amd64", "libvirt-daemon-driver-xen", NULL };
static const char *const kvm_pkgs[] = { "qemu-system-x86", "libvirt-daemon-driver-qemu", NULL };
/*
 * Of the base set, what the engine and the installed host rely on; the rest
 * may be excluded. The console's libraries too: the ospite package depends
 * on them, so leaving one out cannot work, and the file is told so.
 */
static const char *const needed_pkgs[] = {
	"linux-image-amd64", "grub-pc", "ifupdown", "bridge-utils", "isc-dhcp-client", "locales",
	"keyboard-configuration", "xfsprogs", "libvirt-daemon-system", "libnewt0.52", "libvirt0",
	"libpam0g", "libjson-c5", "libnl-3-200", "libnl-route-3-200", "libparted2",
	"libblkid1", "libssl3", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

bool inst_plan_pkg_needed(const struct inst_plan *p, const char *pkg)
{
	return in_list(needed_pkgs, pkg) || in_list(p->hv == INST_HV_XEN ? xen_pkgs : kvm_pkgs, pkg);
}

bool inst_plan_pkg_listed(const struct inst_plan *p, const char *pkg)
{
	return in_list(base_pkgs, pkg) || in_list(p->hv == INST_HV_XEN ? xen_pkgs : kvm_pkgs, pkg) ||
	       inst_list_has(p->packages, pkg);
}

char **inst_plan_package_set(const struct inst_plan *p)
{
	/* The host assembles its arrays and volume groups at boot with these (and its initramfs). */
	const char *const storage[] = { inst_plan_uses_lvm(p) ? "lvm2" : "",
		inst_plan_uses_md(p) ? "mdadm" : "",
		inst_plan_uses_thin(p) ? "thin-provisioning-tools" : "", NULL };
	const char *const *lists[4] = { base_pkgs, p->hv == INST_HV_XEN ? xen_pkgs : kvm_pkgs,
					storage, (const char *const *)p->packages };
	size_t n = 0, k = 0;
	char **v;

	for (int l = 0; l < 4; l++)
		for (size_t i = 0; lists[l] && lists[l][i]; i++)
			n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		abort();
	for (int l = 0; l < 4; l++)
		for (size_t i = 0; lists[l] && lists[l][i]; i++) {
			bool dup = !*lists[l][i] || inst_list_has(p->exclude, lists[l][i]);

			for (size_t j = 0; j < k; j++)
				dup |= !strcmp(v[j], lists[l][i]);
			if (!dup && !(v[k++] = strdup(lists[l][i])))
				abort();
		}
	return v;
}

/* Append one problem to the newline-separated list in *@all. */
static void problem(char **all, char *msg)
{
	char *joined;

	if (!msg)
		return;
	if (asprintf(&joined, "%s%s%s", *all ? *all : "", *all ? "\n" : "", msg) >= 0) {
		free(*all);
		*all = joined;
	}
	free(msg);
}

int inst_plan_validate_parts(const struct inst_plan *p, char **causes)
{
	char *all = NULL, *c = NULL;
	size_t roots = 0;

	for (size_t i = 0; i < p->n_parts; i++) {
		if (!strcmp(p->parts[i].mount, "/"))
			roots++;
		/* Physical volumes, RAID members and thin pools are named, not mounted. */
		if (!inst_part_has_fs(&p->parts[i]) && p->parts[i].fs != HCFG_FS_BIOSBOOT)
			continue;
		if (inst_valid_mount(p->parts[i].mount, &c) < 0)
			problem(&all, c), c = NULL;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->parts[i].mount, p->parts[j].mount) &&
			    strcmp(p->parts[i].mount, "swap") && strcmp(p->parts[i].mount, "biosboot")) {
				base_cause(&c, 0, _("The mount point %s is used twice."),
					   p->parts[i].mount);
				problem(&all, c), c = NULL;
			}
	}
	if (roots == 0)
		problem(&all, strdup(_("The partition plan has no / (root) partition.")));
	if (causes)
		*causes = all;
	else
		free(all);
	return all ? -EINVAL : 0;
}

/* The choices only an answer file makes: packages left out, services, boot settings, scripts. */
static void validate_extras(const struct inst_plan *p, char **all)
{
	char *c = NULL;

	for (size_t i = 0; p->exclude && p->exclude[i]; i++) {
		if (inst_plan_pkg_needed(p, p->exclude[i]))
			base_cause(&c, 0, _("The package %s cannot be left out: ospite needs it."),
				   p->exclude[i]), problem(all, c), c = NULL;
	}
	for (int k = 0; k < 2; k++) {
		char *const *list = k ? p->svc_disable : p->svc_enable;

		for (size_t i = 0; list && list[i]; i++)
			if (inst_valid_unit(list[i], &c) < 0)
				problem(all, c), c = NULL;
	}
	if (*p->boot_append && inst_valid_cmdline(p->boot_append, &c) < 0)
		problem(all, c), c = NULL;
	if (p->boot_timeout > 600)
		problem(all, strdup(_("The boot menu timeout must be from 0 to 600 seconds.")));
	if (*p->serial && hcfg_serial_parse(p->serial, NULL, &c) < 0)
		problem(all, c), c = NULL;
	for (size_t i = 0; i < p->n_scripts; i++) {
		const struct inst_script *sc = &p->scripts[i];

		if ((*sc->interpreter && sc->interpreter[0] != '/') || (*sc->log && sc->log[0] != '/'))
			problem(all, strdup(_("The interpreter and the log of a script must be absolute paths.")));
		if (sc->timeout == 0 || sc->timeout > INST_SCRIPT_TIMEOUT_MAX)
			problem(all, strdup(_("The time limit of a script must be from 1 second to 7 days.")));
	}
}

int inst_plan_validate(const struct inst_plan *p, char **causes)
{
	char *all = NULL, *c = NULL;

	if (inst_valid_hostname(p->hostname, &c) < 0)
		problem(&all, c), c = NULL;
	if (!p->dhcp) {
		if (inst_valid_ipv4(p->ip, &c) < 0)
			problem(&all, c), c = NULL;
		if (p->prefix < 1 || p->prefix > 32)
			problem(&all, strdup(_("The prefix length must be from 1 to 32.")));
		if (*p->gateway && inst_valid_ipv4(p->gateway, &c) < 0)
			problem(&all, c), c = NULL;
		if (*p->dns && inst_valid_dns(p->dns, &c) < 0)
			problem(&all, c), c = NULL;
	}
	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct inst_addr *x = &p->addrs[i];

		if (inst_valid_ifname(x->dev, &c) < 0)
			problem(&all, c), c = NULL;
		if (!x->dhcp && inst_valid_ipv4(x->ip, &c) < 0)
			problem(&all, c), c = NULL;
		if (!x->dhcp && (x->prefix < 1 || x->prefix > 32))
			problem(&all, strdup(_("The prefix length must be from 1 to 32.")));
		if (*x->ipv6 && inst_valid_ipv6(x->ipv6, &c) < 0)
			problem(&all, c), c = NULL;
	}
	if (*p->ipv6 && inst_valid_ipv6(p->ipv6, &c) < 0)
		problem(&all, c), c = NULL;
	if (p->src == INST_SRC_MIRROR) {
		if (!*p->mirror)
			problem(&all, strdup(_("No package source is set: give the address of a Debian mirror.")));
		else if (inst_valid_url(p->mirror, &c) < 0)
			problem(&all, c), c = NULL;
	} else {
		struct stat st;

		if (stat(p->local_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			base_cause(&c, 0, _("The package directory %s does not exist."), p->local_dir),
				problem(&all, c), c = NULL;
	}
	if (!*p->disk)
		problem(&all, strdup(_("No target disk is chosen.")));
	char *parts = NULL;

	if (inst_plan_validate_parts(p, &parts) < 0)
		problem(&all, parts);
	if (!*p->root_hash && !p->root_lock)
		problem(&all, strdup(_("No root password is set.")));
	if (p->hv == INST_HV_XEN && p->dom0_mem_mib && p->dom0_mem_mib < 512)
		problem(&all, strdup(_("Dom0 needs at least 512 MiB of memory.")));
	for (size_t i = 0; i < p->n_bridges; i++) {
		if (inst_valid_bridge_name(p->bridges[i].name, &c) < 0)
			problem(&all, c), c = NULL;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(p->bridges[i].name, p->bridges[j].name)) {
				base_cause(&c, 0, _("The bridge name %s is used twice."),
					   p->bridges[i].name);
				problem(&all, c), c = NULL;
			}
			if (!strcmp(p->bridges[i].nic, p->bridges[j].nic)) {
				base_cause(&c, 0, _("The network device %s is in two bridges."),
					   p->bridges[i].nic);
				problem(&all, c), c = NULL;
			}
		}
	}
	validate_extras(p, &all);
	if (causes)
		*causes = all;
	else
		free(all);
	return all ? -EINVAL : 0;
}

static const char *hv_name(enum inst_hv hv)
{
	return hv == INST_HV_XEN ? "xen" : "kvm";
}

static const char *end_name(enum inst_end e)
{
	static const char *const names[] = { "reboot", "poweroff", "halt", "exit" };

	return names[e];
}

/* The dumps abort on allocation failure, as the rest of the plan code does. */
static char *buf_take(struct base_buf *b)
{
	if (b->oom)
		abort();
	return b->s;
}

/* The management NIC as the dump and the answer file name it: its name, MAC, "link" or "". */
static const char *nic_spec(const struct inst_plan *p)
{
	if (p->nic_link)
		return "link";
	if (*p->nic)
		return p->nic;
	return p->nic_mac;
}

static void dump_list(struct base_buf *s, const char *key, char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		base_buf_printf(s, "%s%s", i ? "," : key, list[i]);
}

char *inst_plan_dump(const struct inst_plan *p)
{
	struct base_buf s = { 0 };

	base_buf_printf(&s, "lang: %s", p->lang);
	/* The host's own locale, when it is not the one of the installer's language. */
	if (*p->locale)
		base_buf_printf(&s, " locale=%s", p->locale);
	base_buf_printf(&s, "\nkeyboard: %s%s%s\ntimezone: %s%s\n", p->keyboard,
	    *p->kbd_variant ? " variant=" : "", p->kbd_variant, p->timezone, p->utc ? " (utc)" : "");
	base_buf_printf(&s, "network: device=%s %s%s", *nic_spec(p) ? nic_spec(p) : "-",
	    p->dhcp ? "dhcp" : "static", p->dhcp && p->nodefroute ? " nodefroute" : "");
	if (!p->dhcp)
		base_buf_printf(&s, " ip=%s/%u gateway=%s dns=%s", p->ip, p->prefix,
		    *p->gateway ? p->gateway : "-", *p->dns ? p->dns : "-");
	if (*p->ipv6)
		base_buf_printf(&s, " ipv6=%s", p->ipv6);
	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct inst_addr *x = &p->addrs[i];

		base_buf_printf(&s, "\naddress: device=%s %s%s", x->dev, x->dhcp ? "dhcp" : "static",
		    x->dhcp && x->nodefroute ? " nodefroute" : "");
		if (!x->dhcp)
			base_buf_printf(&s, " ip=%s/%u gateway=%s", x->ip, x->prefix,
			    *x->gateway ? x->gateway : "-");
		if (*x->ipv6)
			base_buf_printf(&s, " ipv6=%s", x->ipv6);
	}
	if (p->noipv6)
		base_buf_str(&s, "\nipv6: off");
	base_buf_printf(&s, "\nhostname: %s\n", p->hostname);
	if (p->src == INST_SRC_MIRROR)
		base_buf_printf(&s, "source: %s %s%s\n", p->mirror, p->suite, p->security ? " +security" : "");
	else
		base_buf_printf(&s, "source: dir %s %s\n", p->local_dir, p->suite);
	for (size_t i = 0; i < p->n_repos; i++) {
		const struct inst_repo *r = &p->repos[i];

		base_buf_printf(&s, "repo: %s %s suite=%s components=%s", r->name, r->url,
		    *r->suite ? r->suite : "-", *r->components ? r->components : "-");
		if (r->trusted)
			base_buf_str(&s, " trusted");
		else
			base_buf_printf(&s, " key=%s", r->key);
		if (*r->fingerprint)
			base_buf_printf(&s, " fingerprint=%s", r->fingerprint);
		base_buf_str(&s, "\n");
	}
	base_buf_printf(&s, "hypervisor: %s", hv_name(p->hv));
	if (p->hv == INST_HV_XEN)
		base_buf_printf(&s, " dom0-mem=%uM", p->dom0_mem_mib);
	base_buf_printf(&s, "\n");
	for (size_t i = 0; i < p->n_bridges; i++)
		base_buf_printf(&s, "bridge: %s ports=%s\n", p->bridges[i].name, p->bridges[i].nic);
	base_buf_printf(&s, "disk: %s\n", *p->disk ? p->disk : "-");
	if (p->only_use || p->ignore_disks) {
		base_buf_printf(&s, "ignoredisk:");
		dump_list(&s, " only-use=", p->only_use);
		dump_list(&s, " drives=", p->ignore_disks);
		base_buf_printf(&s, "\n");
	}
	base_buf_printf(&s, "erase: %s\n", p->wipe_confirmed ? "yes" : "no");
	if (p->autopart)
		base_buf_printf(&s, "autopart: %s\n",
		    p->layout == INST_LAYOUT_PLAIN ? "yes" : inst_layout_name(p->layout));
	inst_plan_dump_storage(&s, p);
	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *e = &p->parts[i];

		const char *kind = *e->md ? "raid" : *e->vg ? "logvol" : "part";

		if (*e->md)
			/* An array is as large as its members. */
			base_buf_printf(&s, "%s: %s fs=%s", kind, e->mount, hcfg_fs_name(e->fs));
		else if (e->recommended)
			base_buf_printf(&s, "%s: %s fs=%s size=recommended", kind, e->mount,
			    hcfg_fs_name(e->fs));
		else
			base_buf_printf(&s, "%s: %s fs=%s size=%lluM%s", kind, e->mount, hcfg_fs_name(e->fs),
			    (unsigned long long)e->size_mib, e->grow ? " grow" : "");
		if (e->max_mib)
			base_buf_printf(&s, " max=%lluM", (unsigned long long)e->max_mib);
		inst_plan_dump_where(&s, e);
		base_buf_printf(&s, "\n");
	}
	base_buf_printf(&s, "rootpw: %s%s\n", *p->root_hash ? "set" : "-", p->root_lock ? " locked" : "");
	for (size_t i = 0; i < p->n_users; i++) {
		const struct inst_user *u = &p->users[i];

		base_buf_printf(&s, "user: %s password=%s%s", u->name, *u->hash ? "set" : "-",
		    u->lock ? " locked" : "");
		if (*u->groups)
			base_buf_printf(&s, " groups=%s", u->groups);
		if (u->uid >= 0)
			base_buf_printf(&s, " uid=%ld", u->uid);
		if (*u->shell)
			base_buf_printf(&s, " shell=%s", u->shell);
		if (*u->home)
			base_buf_printf(&s, " home=%s", u->home);
		if (*u->gecos)
			base_buf_printf(&s, " gecos=\"%s\"", u->gecos);
		base_buf_str(&s, "\n");
	}
	if (p->firewall) {
		base_buf_str(&s, "firewall: enabled");
		dump_list(&s, " ports=", p->fw_ports);
		dump_list(&s, " trust=", p->fw_trust);
		base_buf_str(&s, "\n");
	}
	if (p->std_priority)
		base_buf_printf(&s, "packages: priority standard\n");
	for (size_t i = 0; p->packages && p->packages[i]; i++)
		base_buf_printf(&s, "package: %s\n", p->packages[i]);
	for (size_t i = 0; p->exclude && p->exclude[i]; i++)
		base_buf_printf(&s, "exclude: %s\n", p->exclude[i]);
	if (p->svc_enable || p->svc_disable) {
		base_buf_printf(&s, "services:");
		dump_list(&s, " enable=", p->svc_enable);
		dump_list(&s, " disable=", p->svc_disable);
		base_buf_printf(&s, "\n");
	}
	if (p->boot_none || p->boot_timeout >= 0 || *p->boot_append) {
		base_buf_printf(&s, "bootloader: location=%s", p->boot_none ? "none" : "mbr");
		if (p->boot_timeout >= 0)
			base_buf_printf(&s, " timeout=%d", p->boot_timeout);
		if (*p->boot_append)
			base_buf_printf(&s, " append=\"%s\"", p->boot_append);
		base_buf_printf(&s, "\n");
	}
	base_buf_printf(&s, "serial: %s\nend: %s\n", *p->serial ? p->serial : "-", end_name(p->end));
	for (size_t i = 0; i < p->n_scripts; i++) {
		const struct inst_script *sc = &p->scripts[i];

		base_buf_printf(&s, "script: %s interpreter=%s%s%s%s%s timeout=%u\n",
		    sc->when == INST_SCRIPT_PRE ? "pre" : "post",
		    *sc->interpreter ? sc->interpreter : "/bin/sh", sc->nochroot ? " nochroot" : "",
		    *sc->log ? " log=" : "", sc->log, sc->erroronfail ? " erroronfail" : "",
		    sc->timeout);
		/* The body, line by line, marked so that an empty line still shows. */
		for (const char *l = sc->body; l && *l;) {
			size_t n = strcspn(l, "\n");

			base_buf_printf(&s, "  |%.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
	return buf_take(&s);
}

/* Append @v as one word of an answer file: quoted when the parser would split or strip it. */
void inst_plan_ks_word(struct base_buf *s, const char *v)
{
	bool plain = *v && *v != '#';

	for (const char *c = v; *c && plain; c++)
		plain = !strchr(" \t\"'\\", *c);
	if (plain) {
		base_buf_str(s, v);
		return;
	}
	/* Only \" and \\ inside double quotes: the escapes Anaconda's parser knows there too. */
	base_buf_str(s, "\"");
	for (const char *c = v; *c; c++) {
		if (*c == '"' || *c == '\\')
			base_buf_str(s, "\\");
		base_buf_add(s, c, 1);
	}
	base_buf_str(s, "\"");
}

/* " --name=value" with the value quoted as needed. */
void inst_plan_ks_opt(struct base_buf *s, const char *name, const char *v)
{
	base_buf_printf(s, " --%s=", name);
	inst_plan_ks_word(s, v);
}

/* The addressing part of the management network command. */
static void ks_address(struct base_buf *s, const struct inst_plan *p)
{
	char dns[sizeof(p->dns)];

	if (p->dhcp) {
		base_buf_str(s, p->nodefroute ? " --bootproto=dhcp --nodefroute" : " --bootproto=dhcp");
	} else {
		base_buf_str(s, " --bootproto=static");
		inst_plan_ks_opt(s, "ip", p->ip);
		base_buf_printf(s, " --netmask=%u", p->prefix);
		if (*p->gateway)
			inst_plan_ks_opt(s, "gateway", p->gateway);
		if (*p->dns) {
			/* The plan keeps the servers blank-separated, the answer file comma-separated. */
			INST_COPY(dns, p->dns);
			for (char *c = dns; *c; c++)
				if (*c == ' ')
					*c = ',';
			inst_plan_ks_opt(s, "nameserver", dns);
		}
	}
	if (*p->ipv6)
		inst_plan_ks_opt(s, "ipv6", p->ipv6);
	if (p->noipv6)
		base_buf_str(s, " --noipv6");
	inst_plan_ks_opt(s, "hostname", p->hostname);
	base_buf_str(s, " --activate\n");
}

/* The addressing part of a network command with an extra address. */
static void ks_extra(struct base_buf *s, const struct inst_addr *x)
{
	if (x->dhcp) {
		base_buf_str(s, x->nodefroute ? " --bootproto=dhcp --nodefroute" : " --bootproto=dhcp");
	} else {
		base_buf_str(s, " --bootproto=static");
		inst_plan_ks_opt(s, "ip", x->ip);
		base_buf_printf(s, " --netmask=%u", x->prefix);
		if (*x->gateway)
			inst_plan_ks_opt(s, "gateway", x->gateway);
		else
			base_buf_str(s, " --nodefroute");
	}
	if (*x->ipv6)
		inst_plan_ks_opt(s, "ipv6", x->ipv6);
	base_buf_str(s, "\n");
}

/* The extra address a bridge carries, or NULL. */
static const struct inst_addr *bridge_addr(const struct inst_plan *p, const struct inst_bridge *b)
{
	for (size_t i = 0; i < p->n_addrs; i++)
		if (!strcmp(p->addrs[i].dev, b->name) || !strcmp(p->addrs[i].dev, b->nic))
			return &p->addrs[i];
	return NULL;
}

int inst_plan_confirm_disk(struct inst_plan *p, char **cause)
{
	int rc = hcfg_disk_identity(p->disk, &p->disk_id, cause);

	p->disk_id_set = rc == 0;
	if (hcfg_disk_stable_name(p->disk, NULL, p->disk_stable, sizeof(p->disk_stable)) < 0)
		p->disk_stable[0] = '\0';
	p->disk2_id_set = false;
	p->disk2_stable[0] = '\0';
	if (rc < 0 || !*p->disk2)
		return rc;
	rc = hcfg_disk_identity(p->disk2, &p->disk2_id, cause);
	p->disk2_id_set = rc == 0;
	if (hcfg_disk_stable_name(p->disk2, NULL, p->disk2_stable, sizeof(p->disk2_stable)) < 0)
		p->disk2_stable[0] = '\0';
	return rc;
}

/* The name a replay finds the same disk by: its stable by-id name when it has one. */
static const char *ks_disk(const struct inst_plan *p, const char *name)
{
	return p && *p->disk_stable && !strcmp(name, p->disk) ? p->disk_stable : name;
}

/* A list as an option; with @p, the target disk in it is named by its stable name. */
static void ks_disks(struct base_buf *s, const struct inst_plan *p, const char *name,
		     char *const *list)
{
	struct base_buf v = { 0 };

	if (!list)
		return;
	for (size_t i = 0; list[i]; i++)
		base_buf_printf(&v, "%s%s", i ? "," : "", ks_disk(p, list[i]));
	if (v.oom)
		abort();
	inst_plan_ks_opt(s, name, v.s);
	free(v.s);
}

static void ks_list(struct base_buf *s, const char *name, char *const *list)
{
	ks_disks(s, NULL, name, list);
}

char *inst_plan_to_ks(const struct inst_plan *p)
{
	struct base_buf s = { 0 };
	const struct inst_bridge *mgmt = inst_plan_mgmt_bridge(p);
	/* An image install goes into whatever image the replay is given. */
	const char *disk = *p->image ? "" : ks_disk(p, p->disk);

	base_buf_printf(&s, "# Answer file written by ospite-install %s; replay it with --answer.\n",
	    OSPITE_VERSION);
	base_buf_printf(&s, "lang %s\nkeyboard ", inst_plan_locale(p));
	if (*p->kbd_variant) {
		char x[80];

		snprintf(x, sizeof(x), "%s (%s)", p->keyboard, p->kbd_variant);
		inst_plan_ks_opt(&s, "xlayouts", x);
	} else {
		inst_plan_ks_word(&s, p->keyboard);
	}
	base_buf_str(&s, "\ntimezone ");
	inst_plan_ks_word(&s, p->timezone);
	base_buf_printf(&s, "%s\n", p->utc ? " --utc" : "");
	for (size_t i = 0; i < p->n_bridges; i++) {
		const struct inst_bridge *b = &p->bridges[i];

		base_buf_str(&s, "network");
		inst_plan_ks_opt(&s, "device", b->name);
		inst_plan_ks_opt(&s, "bridgeslaves", b->nic);
		if (b == mgmt && *p->nic)
			ks_address(&s, p);
		else if (bridge_addr(p, b))
			ks_extra(&s, bridge_addr(p, b));
		else
			base_buf_str(&s, " --bootproto=none\n");
	}
	if (!mgmt || !*p->nic) {
		base_buf_str(&s, "network");
		if (*nic_spec(p))
			inst_plan_ks_opt(&s, "device", nic_spec(p));
		ks_address(&s, p);
	}
	for (size_t i = 0; i < p->n_addrs; i++) {
		bool on_bridge = false;

		for (size_t j = 0; j < p->n_bridges; j++)
			on_bridge |= bridge_addr(p, &p->bridges[j]) == &p->addrs[i];
		if (on_bridge)
			continue;
		base_buf_str(&s, "network");
		inst_plan_ks_opt(&s, "device", p->addrs[i].dev);
		ks_extra(&s, &p->addrs[i]);
	}
	base_buf_str(&s, "url");
	if (p->src == INST_SRC_MIRROR) {
		inst_plan_ks_opt(&s, "url", p->mirror);
	} else {
		char *u = NULL;

		if (asprintf(&u, "file://%s", p->local_dir) < 0)
			abort();
		inst_plan_ks_opt(&s, "url", u);
		free(u);
	}
	inst_plan_ks_opt(&s, "suite", p->suite);
	base_buf_printf(&s, "%s\n", p->security ? "" : " --nosecurity");
	for (size_t i = 0; i < p->n_repos; i++) {
		const struct inst_repo *r = &p->repos[i];

		base_buf_str(&s, "repo");
		inst_plan_ks_opt(&s, "name", r->name);
		inst_plan_ks_opt(&s, "baseurl", r->url);
		if (*r->suite)
			inst_plan_ks_opt(&s, "suite", r->suite);
		if (*r->components)
			inst_plan_ks_opt(&s, "components", r->components);
		if (*r->key)
			inst_plan_ks_opt(&s, "key", r->key);
		if (*r->fingerprint)
			inst_plan_ks_opt(&s, "keyfingerprint", r->fingerprint);
		base_buf_printf(&s, "%s\n", r->trusted ? " --trusted" : "");
	}
	if (*p->root_hash) {
		base_buf_str(&s, "rootpw --iscrypted");
		base_buf_printf(&s, "%s ", p->root_lock ? " --lock" : "");
		inst_plan_ks_word(&s, p->root_hash);
		base_buf_str(&s, "\n");
	} else if (p->root_lock) {
		base_buf_str(&s, "rootpw --lock\n");
	}
	base_buf_printf(&s, "hypervisor --type=%s", hv_name(p->hv));
	if (p->hv == INST_HV_XEN)
		base_buf_printf(&s, " --dom0-mem=%uM", p->dom0_mem_mib);
	base_buf_str(&s, "\n");
	if (p->only_use || p->ignore_disks) {
		base_buf_str(&s, "ignoredisk");
		ks_disks(&s, p, "only-use", p->only_use);
		ks_disks(&s, p, "drives", p->ignore_disks);
		base_buf_str(&s, "\n");
	}
	/* Name the disk once where the plan has a place for it: the partitions, else clearpart. */
	if (p->wipe_confirmed) {
		base_buf_str(&s, "zerombr\nclearpart --all --initlabel");
		if (*disk && p->n_parts == 0 && !inst_list_has(p->only_use, p->disk))
			inst_plan_ks_opt(&s, "drives", disk);
		base_buf_str(&s, "\n");
	} else if (*disk && p->n_parts == 0 && !inst_list_has(p->only_use, p->disk)) {
		base_buf_str(&s, "ignoredisk");
		inst_plan_ks_opt(&s, "only-use", disk);
		base_buf_str(&s, "\n");
	}
	if (p->autopart)
		base_buf_printf(&s, "autopart --type=%s\n", inst_layout_name(p->layout));
	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *e = &p->parts[i];

		if (inst_plan_ks_storage(&s, p, e, disk,
		    *p->image ? "" : *p->disk2_stable ? p->disk2_stable : p->disk2))
			continue;

		base_buf_str(&s, "part ");
		inst_plan_ks_word(&s, e->mount);
		base_buf_printf(&s, " --fstype=%s", hcfg_fs_name(e->fs));
		if (e->recommended)
			base_buf_str(&s, " --recommended");
		else
			base_buf_printf(&s, " --size=%llu%s", (unsigned long long)e->size_mib,
			    e->grow ? " --grow" : "");
		if (e->max_mib)
			base_buf_printf(&s, " --maxsize=%llu", (unsigned long long)e->max_mib);
		if (*disk)
			inst_plan_ks_opt(&s, "ondisk", disk);
		base_buf_str(&s, "\n");
	}
	base_buf_printf(&s, "bootloader --location=%s", p->boot_none ? "none" : "mbr");
	if (p->boot_timeout >= 0)
		base_buf_printf(&s, " --timeout=%d", p->boot_timeout);
	if (*p->serial || *p->boot_append) {
		char *a = NULL;

		if (asprintf(&a, "%s%s%s%s", *p->serial ? "console=" : "", p->serial,
			     *p->serial && *p->boot_append ? " " : "", p->boot_append) < 0)
			abort();
		inst_plan_ks_opt(&s, "append", a);
		free(a);
	}
	base_buf_str(&s, "\n");
	if (p->svc_enable || p->svc_disable) {
		base_buf_str(&s, "services");
		ks_list(&s, "enabled", p->svc_enable);
		ks_list(&s, "disabled", p->svc_disable);
		base_buf_str(&s, "\n");
	}
	if (p->firewall) {
		struct base_buf v = { 0 };

		/* Written as ports, which say exactly what is open; ssh is one of them. */
		base_buf_str(&s, "firewall --enabled --remove-service=ssh");
		for (size_t i = 0; p->fw_ports && p->fw_ports[i]; i++) {
			const char *slash = strchr(p->fw_ports[i], '/');

			base_buf_printf(&v, "%s%.*s:%s", i ? "," : "", (int)(slash - p->fw_ports[i]),
			    p->fw_ports[i], slash + 1);
		}
		if (v.oom)
			abort();
		if (v.s)
			inst_plan_ks_opt(&s, "port", v.s);
		free(v.s);
		ks_list(&s, "trust", p->fw_trust);
		base_buf_str(&s, "\n");
	}
	base_buf_printf(&s, "%s\n", end_name(p->end == INST_END_EXIT ? INST_END_REBOOT : p->end));
	if (p->packages || p->exclude || p->std_priority) {
		base_buf_printf(&s, "%%packages\n");
		if (p->std_priority)
			base_buf_printf(&s, "@standard\n");
		for (size_t i = 0; p->packages && p->packages[i]; i++)
			base_buf_printf(&s, "%s\n", p->packages[i]);
		for (size_t i = 0; p->exclude && p->exclude[i]; i++)
			base_buf_printf(&s, "-%s\n", p->exclude[i]);
		base_buf_printf(&s, "%%end\n");
	}
	/*
	 * After %packages: a user in group sudo adds the sudo package, which the
	 * section lists already, so a replay keeps the packages in their order.
	 */
	for (size_t i = 0; i < p->n_users; i++) {
		const struct inst_user *u = &p->users[i];

		base_buf_str(&s, "user");
		inst_plan_ks_opt(&s, "name", u->name);
		if (*u->groups)
			inst_plan_ks_opt(&s, "groups", u->groups);
		if (*u->hash) {
			base_buf_str(&s, " --iscrypted");
			inst_plan_ks_opt(&s, "password", u->hash);
		}
		if (u->lock)
			base_buf_str(&s, " --lock");
		if (u->uid >= 0)
			base_buf_printf(&s, " --uid=%ld", u->uid);
		if (*u->shell)
			inst_plan_ks_opt(&s, "shell", u->shell);
		if (*u->home)
			inst_plan_ks_opt(&s, "homedir", u->home);
		if (*u->gecos)
			inst_plan_ks_opt(&s, "gecos", u->gecos);
		base_buf_str(&s, "\n");
	}
	for (size_t i = 0; i < p->n_scripts; i++) {
		const struct inst_script *sc = &p->scripts[i];
		size_t bl = sc->body ? strlen(sc->body) : 0;

		base_buf_str(&s, sc->when == INST_SCRIPT_PRE ? "%pre" : "%post");
		if (sc->nochroot)
			base_buf_str(&s, " --nochroot");
		if (*sc->interpreter)
			inst_plan_ks_opt(&s, "interpreter", sc->interpreter);
		if (*sc->log)
			inst_plan_ks_opt(&s, "log", sc->log);
		if (sc->erroronfail)
			base_buf_str(&s, " --erroronfail");
		/* Always written, so that a replay keeps the limit even if the default changes. */
		base_buf_printf(&s, " --timeout=%u", sc->timeout);
		base_buf_printf(&s, "\n%s%s%%end\n", bl ? sc->body : "",
		    bl && sc->body[bl - 1] != '\n' ? "\n" : "");
	}
	return buf_take(&s);
}
