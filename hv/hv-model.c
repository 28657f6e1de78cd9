/* The guest model: defaults, memory management, and the checks a guest passes before it is defined. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

void hv_guest_init(struct hv_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->arch = HV_ARCH_X86_64;
	g->memory_kib = 512 * 1024;
	g->vcpus = 1;
	g->vnc = true;
	g->vnc_port = -1;
	g->serial = true;
	g->acpi = g->apic = g->pae = true;
	g->on_poweroff = HV_LC_DESTROY;
	g->on_reboot = HV_LC_RESTART;
	g->on_crash = HV_LC_DESTROY;
	g->boot[0] = HV_BOOT_HD;
}

static void disk_clear(struct hv_disk *d)
{
	free(d->path);
	free(d->format);
	free(d->target);
	free(d->bus);
	free(d->cache);
	free(d->io);
}

void hv_guest_clear(struct hv_guest *g)
{
	if (!g)
		return;
	free(g->name);
	for (size_t i = 0; i < g->n_disks; i++)
		disk_clear(&g->disks[i]);
	free(g->disks);
	for (size_t i = 0; i < g->n_nics; i++) {
		free(g->nics[i].bridge);
		free(g->nics[i].model);
	}
	free(g->nics);
	free(g->vnc_listen);
	free(g->vnc_password);
	free(g->kernel);
	free(g->initrd);
	free(g->cmdline);
	free(g->bootloader);
	free(g->bootloader_args);
	memset(g, 0, sizeof(*g));
}

void hv_guest_free(struct hv_guest *g)
{
	hv_guest_clear(g);
	free(g);
}

/* Grow an array by one zeroed element; pointers into it are stale afterwards. */
static void *grow(void **arr, size_t *n, size_t size)
{
	char *na = realloc(*arr, (*n + 1) * size);

	if (!na)
		return NULL;
	memset(na + *n * size, 0, size);
	*arr = na;
	return na + (*n)++ * size;
}

struct hv_disk *hv_guest_add_disk(struct hv_guest *g)
{
	return grow((void **)&g->disks, &g->n_disks, sizeof(*g->disks));
}

struct hv_nic *hv_guest_add_nic(struct hv_guest *g)
{
	return grow((void **)&g->nics, &g->n_nics, sizeof(*g->nics));
}

static char *dup0(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		abort();
	return d;
}

struct hv_guest *hv_guest_copy(const struct hv_guest *g)
{
	struct hv_guest *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	*c = *g;
	c->disks = NULL;
	c->nics = NULL;
	c->n_disks = c->n_nics = 0;
	c->name = dup0(g->name);
	c->vnc_listen = dup0(g->vnc_listen);
	c->vnc_password = dup0(g->vnc_password);
	c->kernel = dup0(g->kernel);
	c->initrd = dup0(g->initrd);
	c->cmdline = dup0(g->cmdline);
	c->bootloader = dup0(g->bootloader);
	c->bootloader_args = dup0(g->bootloader_args);
	for (size_t i = 0; i < g->n_disks; i++) {
		const struct hv_disk *s = &g->disks[i];
		struct hv_disk *d = hv_guest_add_disk(c);

		if (!d)
			abort();
		*d = *s;
		d->path = dup0(s->path);
		d->format = dup0(s->format);
		d->target = dup0(s->target);
		d->bus = dup0(s->bus);
		d->cache = dup0(s->cache);
		d->io = dup0(s->io);
	}
	for (size_t i = 0; i < g->n_nics; i++) {
		struct hv_nic *n = hv_guest_add_nic(c);

		if (!n)
			abort();
		*n = g->nics[i];
		n->bridge = dup0(g->nics[i].bridge);
		n->model = dup0(g->nics[i].model);
	}
	return c;
}

bool hv_name_valid(const char *name)
{
	size_t len;

	if (!name || !*name || name[0] == '-' || name[0] == '.')
		return false;
	len = strlen(name);
	if (len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (!(isascii(c) && isalnum(c)) && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

bool hv_mac_valid(const char *mac)
{
	unsigned b[6];
	int end = 0;
	bool zero = true;

	if (!mac || strlen(mac) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i]))
			return false;
	}
	if (sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 || end != 17)
		return false;
	for (int i = 0; i < 6; i++)
		zero = zero && b[i] == 0;
	/* The low bit of the first octet marks a multicast address, which no NIC may have. */
	return !zero && !(b[0] & 1);
}

void hv_mac_generate(bool xen, char out[18])
{
	unsigned char r[3] = { 0 };
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n <= 0)
			break;
		got += n;
	}
	if (xen)
		/* Xen reserves the upper half of its range for other uses of the OUI. */
		snprintf(out, 18, "00:16:3e:%02x:%02x:%02x", r[0] & 0x7f, r[1], r[2]);
	else
		snprintf(out, 18, "52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
}

static const char *const lc_names[] = {
	[HV_LC_DESTROY] = "destroy",
	[HV_LC_RESTART] = "restart",
	[HV_LC_PRESERVE] = "preserve",
	[HV_LC_RENAME_RESTART] = "rename-restart",
	[HV_LC_COREDUMP_DESTROY] = "coredump-destroy",
	[HV_LC_COREDUMP_RESTART] = "coredump-restart",
};

const char *hv_lifecycle_name(enum hv_lifecycle lc)
{
	return (unsigned)lc < sizeof(lc_names) / sizeof(lc_names[0]) ? lc_names[lc] : "destroy";
}

int hv_lifecycle_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(lc_names) / sizeof(lc_names[0]); i++) {
		if (strcmp(s, lc_names[i]) == 0)
			return (int)i;
	}
	return -1;
}

void hv_disk_target(const char *bus, unsigned idx, char *out, size_t len)
{
	const char *prefix = "vd";
	char letters[8];
	int n = 0;

	if (bus && strcmp(bus, "xen") == 0)
		prefix = "xvd";
	else if (bus && strcmp(bus, "ide") == 0)
		prefix = "hd";
	else if (bus && (strcmp(bus, "sata") == 0 || strcmp(bus, "scsi") == 0 ||
			 strcmp(bus, "usb") == 0))
		prefix = "sd";
	/* Bijective base 26 as the kernel counts disks: a..z, aa..az, ba... */
	idx++;
	while (idx && n < (int)sizeof(letters)) {
		idx--;
		letters[n++] = 'a' + idx % 26;
		idx /= 26;
	}
	snprintf(out, len, "%s", prefix);
	for (int i = n - 1; i >= 0; i--) {
		size_t l = strlen(out);

		if (l + 1 < len) {
			out[l] = letters[i];
			out[l + 1] = '\0';
		}
	}
}

const char *hv_target_bus(const char *target)
{
	if (!target)
		return NULL;
	if (strncmp(target, "xvd", 3) == 0)
		return "xen";
	if (strncmp(target, "vd", 2) == 0)
		return "virtio";
	if (strncmp(target, "hd", 2) == 0)
		return "ide";
	if (strncmp(target, "sd", 2) == 0)
		return "scsi";
	return NULL;
}

static int check_disk(const struct hv_disk *d, size_t idx, char **cause)
{
	struct stat st;
	unsigned n = idx + 1;

	if (d->kind == HV_DISK_CDROM && !d->path)
		return 0;   /* an empty CD-ROM drive */
	if (!d->path || d->path[0] != '/')
		return base_cause(cause, -EINVAL,
				  _("Disk %u needs an absolute path."), n);
	switch (d->kind) {
	case HV_DISK_NEW_RAW:
	case HV_DISK_NEW_QCOW2:
		if (d->size == 0)
			return base_cause(cause, -EINVAL,
					  _("The new disk %s needs a size."), d->path);
		if (lstat(d->path, &st) == 0)
			return base_cause(cause, -EEXIST,
					  _("The new disk %s already exists; choose another file name or use the existing file."),
					  d->path);
		break;
	case HV_DISK_FILE:
	case HV_DISK_CDROM:
		if (stat(d->path, &st) < 0)
			return base_cause(cause, -errno, _("The disk image %s cannot be used: %s."),
					  d->path, strerror(errno));
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
			return base_cause(cause, -EINVAL,
					  _("The disk image %s is not a regular file."), d->path);
		break;
	case HV_DISK_BLOCK:
		if (stat(d->path, &st) < 0)
			return base_cause(cause, -errno, _("The device %s cannot be used: %s."),
					  d->path, strerror(errno));
		if (!S_ISBLK(st.st_mode))
			return base_cause(cause, -EINVAL, _("%s is not a block device."), d->path);
		break;
	default:
		return base_cause(cause, -EINVAL, _("Disk %u has an unknown kind."), n);
	}
	return 0;
}

int hv_guest_check(const struct hv_guest *g, uint64_t host_mem_kib, char **cause)
{
	uint64_t max = g->max_memory_kib ? g->max_memory_kib : g->memory_kib;
	int rc;

	if (!hv_name_valid(g->name))
		return base_cause(cause, -EINVAL,
				  _("The guest name \"%s\" is not valid: use up to 64 letters, digits, '-', '_' and '.', not starting with '-' or '.'."),
				  g->name ? g->name : "");
	if (g->uuid[0] && strlen(g->uuid) != 36)
		return base_cause(cause, -EINVAL, _("The UUID %s is not valid."), g->uuid);
	if (g->memory_kib < 16 * 1024)
		return base_cause(cause, -EINVAL, _("A guest needs at least 16 MiB of memory."));
	if (max < g->memory_kib)
		return base_cause(cause, -EINVAL,
				  _("The maximum memory cannot be less than the memory."));
	if (host_mem_kib && g->memory_kib > host_mem_kib)
		return base_cause(cause, -ENOMEM,
				  _("The guest wants %llu MiB of memory but the host has only %llu MiB."),
				  (unsigned long long)(g->memory_kib >> 10),
				  (unsigned long long)(host_mem_kib >> 10));
	if (g->vcpus < 1 || g->vcpus > 4096)
		return base_cause(cause, -EINVAL,
				  _("The number of virtual CPUs must be between 1 and 4096."));
	if ((g->sockets || g->cores || g->threads) &&
	    (uint64_t)g->sockets * g->cores * g->threads != g->vcpus)
		return base_cause(cause, -EINVAL,
				  _("Sockets times cores times threads must equal the %u virtual CPUs."),
				  g->vcpus);
	if ((g->on_poweroff != HV_LC_DESTROY && g->on_poweroff != HV_LC_RESTART &&
	     g->on_poweroff != HV_LC_PRESERVE && g->on_poweroff != HV_LC_RENAME_RESTART) ||
	    (g->on_reboot != HV_LC_DESTROY && g->on_reboot != HV_LC_RESTART &&
	     g->on_reboot != HV_LC_PRESERVE && g->on_reboot != HV_LC_RENAME_RESTART))
		return base_cause(cause, -EINVAL,
				  _("A core dump can only be the action on a crash."));
	for (size_t i = 0; i < g->n_disks; i++) {
		rc = check_disk(&g->disks[i], i, cause);
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < i; j++) {
			const struct hv_disk *a = &g->disks[i], *b = &g->disks[j];

			if (a->target && b->target && strcmp(a->target, b->target) == 0)
				return base_cause(cause, -EINVAL,
						  _("Two disks use the same target %s."), a->target);
			if (a->path && b->path && strcmp(a->path, b->path) == 0)
				return base_cause(cause, -EINVAL,
						  _("Two disks use the same file %s."), a->path);
		}
	}
	for (size_t i = 0; i < g->n_nics; i++) {
		const struct hv_nic *nic = &g->nics[i];

		if (!nic->bridge || !*nic->bridge)
			return base_cause(cause, -EINVAL,
					  _("Network card %zu needs a bridge."), i + 1);
		if (nic->mac[0] && !hv_mac_valid(nic->mac))
			return base_cause(cause, -EINVAL,
					  _("The MAC address %s is not valid."), nic->mac);
		for (size_t j = 0; j < i && nic->mac[0]; j++) {
			if (strcasecmp(nic->mac, g->nics[j].mac) == 0)
				return base_cause(cause, -EINVAL,
						  _("Two network cards have the MAC address %s."),
						  nic->mac);
		}
	}
	if (g->vnc && g->vnc_port != -1 && (g->vnc_port < 5900 || g->vnc_port > 65535))
		return base_cause(cause, -EINVAL,
				  _("The VNC port must be between 5900 and 65535."));
	/* VNC authentication only ever uses the first eight characters. */
	if (g->vnc && g->vnc_password && strlen(g->vnc_password) > 8)
		return base_cause(cause, -EINVAL,
				  _("A VNC password can have at most 8 characters."));
	if ((g->initrd || g->cmdline) && !g->kernel && !g->bootloader)
		return base_cause(cause, -EINVAL,
				  _("An initrd or a kernel command line needs a kernel."));
	return 0;
}
