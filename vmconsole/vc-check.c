/* The create-guest wizard's field checks, each refusing with the reason, and the guest described in words. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int vc_check_name(const char *name, char *const *taken, size_t n, char **cause)
{
	if (!name || !*name)
		return base_cause(cause, -EINVAL, _("The guest needs a name."));
	if (!hv_name_valid(name))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a valid guest name: use up to 64 letters, digits, '-', '_' and '.', without spaces, not starting with '-' or '.'."),
				  name);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(taken[i], name))
			return base_cause(cause, -EEXIST, _("A guest named %s already exists."), name);
	return 0;
}

/*
 * Digits with an optional unit ("M", "G", "T"), in units of @bare; false when
 * malformed. The bytes must fit an off_t, since a disk file of that size is
 * made with ftruncate() and libvirt reads sizes as signed 64-bit numbers.
 */
static bool parse_amount(const char *text, uint64_t bare, uint64_t *out)
{
	unsigned long long v = 0;
	uint64_t mult = bare;
	const char *p = text;
	char unit[8] = "";
	size_t ul = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p)) {
		if (v > ((unsigned long long)INT64_MAX - (unsigned)(*p - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*p++ - '0');
	}
	while (isspace((unsigned char)*p))
		p++;
	while (*p && !isspace((unsigned char)*p) && ul + 1 < sizeof(unit))
		unit[ul++] = toupper((unsigned char)*p++);
	unit[ul] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return false;
	if (!*unit)
		mult = bare;
	else if (!strcmp(unit, "M") || !strcmp(unit, "MB") || !strcmp(unit, "MIB"))
		mult = 1ULL << 20;
	else if (!strcmp(unit, "G") || !strcmp(unit, "GB") || !strcmp(unit, "GIB"))
		mult = 1ULL << 30;
	else if (!strcmp(unit, "T") || !strcmp(unit, "TB") || !strcmp(unit, "TIB"))
		mult = 1ULL << 40;
	else
		return false;
	if (v > (uint64_t)INT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

int vc_check_memory(const char *text, uint64_t host_kib, uint64_t *kib, char **cause)
{
	uint64_t bytes;

	if (!text || !parse_amount(text, 1ULL << 20, &bytes))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not an amount of memory such as 512 (MiB) or 2G."),
				  text ? text : "");
	if (bytes < 16ULL << 20)
		return base_cause(cause, -EINVAL, _("A guest needs at least 16 MiB of memory."));
	if (host_kib && bytes / 1024 > host_kib)
		return base_cause(cause, -ENOMEM,
				  _("%llu MiB is more than the memory of this host (%llu MiB)."),
				  (unsigned long long)(bytes >> 20),
				  (unsigned long long)(host_kib >> 10));
	*kib = bytes / 1024;
	return 0;
}

/* Empty counts as 0. */
static bool parse_count(const char *s, unsigned *out)
{
	unsigned long long v;

	while (s && isspace((unsigned char)*s))
		s++;
	if (!s || !*s) {
		*out = 0;
		return true;
	}
	if (vc_parse_uint(s, 4096, &v) < 0)
		return false;
	*out = (unsigned)v;
	return true;
}

int vc_check_cpus(const char *vcpus, const char *sockets, const char *cores,
		  const char *threads, unsigned host_cpus, unsigned out[4], char **cause)
{
	unsigned v, s, c, t;

	if (!parse_count(vcpus, &v) || v < 1)
		return base_cause(cause, -EINVAL,
				  _("The number of virtual CPUs must be a number from 1 to 4096."));
	if (host_cpus && v > host_cpus)
		return base_cause(cause, -EINVAL,
				  _("%u virtual CPUs are more than the %u CPUs of this host."), v,
				  host_cpus);
	if (!parse_count(sockets, &s) || !parse_count(cores, &c) || !parse_count(threads, &t))
		return base_cause(cause, -EINVAL,
				  _("Sockets, cores and threads must be numbers, or empty."));
	if ((s || c || t) && !(s && c && t))
		return base_cause(cause, -EINVAL,
				  _("Give sockets, cores and threads together, or none of them."));
	if (s && (uint64_t)s * c * t != v)
		return base_cause(cause, -EINVAL,
				  _("%u sockets x %u cores x %u threads make %llu CPUs, not the %u virtual CPUs."),
				  s, c, t, (unsigned long long)s * c * t, v);
	out[0] = v;
	out[1] = s;
	out[2] = c;
	out[3] = t;
	return 0;
}

int vc_check_size(const char *text, uint64_t *bytes, char **cause)
{
	if (!text || !parse_amount(text, 1ULL << 30, bytes) || *bytes < (1ULL << 20))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a disk size such as 20G or 512M."), text ? text : "");
	return 0;
}

int vc_check_mac(const char *mac, char *const *used, size_t n, char **cause)
{
	if (!hv_mac_valid(mac))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a valid MAC address: six pairs of hexadecimal digits separated by ':', the first pair even."),
				  mac ? mac : "");
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(used[i], mac))
			return base_cause(cause, -EEXIST,
					  _("The MAC address %s is already in use on this host."), mac);
	return 0;
}

int vc_check_port(const char *text, int *port, char **cause)
{
	unsigned long long v;

	/* TRANSLATORS: the word that asks for an automatic VNC port; must match the Port field's default. */
	if (!text || !*text || !strcasecmp(text, "auto") || !strcasecmp(text, _("auto"))) {
		*port = -1;
		return 0;
	}
	if (vc_parse_uint(text, 65535, &v) < 0 || v < 5900)
		return base_cause(cause, -EINVAL,
				  _("The VNC port must be \"auto\" or a number from 5900 to 65535."));
	*port = (int)v;
	return 0;
}

int vc_check_listen(const char *text, char **cause)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (text && (inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1))
		return 0;
	return base_cause(cause, -EINVAL,
			  _("\"%s\" is not an IP address such as 127.0.0.1."), text ? text : "");
}

bool vc_listen_is_loopback(const char *text)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (!text || !*text)
		return true;    /* no address: libvirt's default, loopback */
	if (inet_pton(AF_INET, text, buf) == 1)
		return buf[0] == 127;
	return inet_pton(AF_INET6, text, buf) == 1 &&
	       IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)(void *)buf);
}

int vc_check_disk(const struct hv_disk *d, char **cause)
{
	/* hv_guest_check() knows each kind's rules: ask it about a guest with just this disk. */
	struct hv_guest g;
	struct hv_disk copy = *d;
	int rc;

	hv_guest_init(&g);
	g.name = (char *)"disk-check";
	g.disks = &copy;
	g.n_disks = 1;
	g.vnc = false;
	rc = hv_guest_check(&g, 0, cause);
	return rc;
}

const char *vc_disk_kind_name(enum hv_disk_kind k)
{
	switch (k) {
	case HV_DISK_NEW_RAW:
		return _("new sparse raw file");
	case HV_DISK_NEW_QCOW2:
		return _("new qcow2 file");
	case HV_DISK_FILE:
		return _("existing image file");
	case HV_DISK_BLOCK:
		return _("physical partition or block device");
	case HV_DISK_CDROM:
		return _("ISO image as CD-ROM");
	}
	return "?";
}

static const char *lifecycle_words(enum hv_lifecycle lc)
{
	switch (lc) {
	case HV_LC_DESTROY:
		/* TRANSLATORS: what happens to a guest that powers off, reboots or crashes. */
		return _("stop");
	case HV_LC_RESTART:
		return _("restart");
	case HV_LC_PRESERVE:
		return _("keep it for inspection");
	case HV_LC_RENAME_RESTART:
		return _("restart under a new name");
	case HV_LC_COREDUMP_DESTROY:
		return _("dump its memory, then stop");
	case HV_LC_COREDUMP_RESTART:
		return _("dump its memory, then restart");
	}
	return "?";
}

static const char *boot_words(enum hv_boot_dev b)
{
	switch (b) {
	case HV_BOOT_HD:
		return _("disk");
	case HV_BOOT_CDROM:
		return _("CD-ROM");
	case HV_BOOT_NETWORK:
		return _("network");
	case HV_BOOT_NONE:
		break;
	}
	return "?";
}

static void line(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void line(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL, **nv;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		abort();
	nv[(*n)++] = s;
	*v = nv;
}

/* How the guest's CPU runs: a TCG host emulates it, which the operator must not mistake for HVM. */
static const char *virt_words(const struct hv_guest *g, const char *virt_type)
{
	if (g->pv)
		return _("paravirtual (PV)");
	if (virt_type && !strcmp(virt_type, "qemu"))
		return _("emulated by QEMU (TCG), without hardware assistance: slow");
	if (virt_type && !strcmp(virt_type, "kvm"))
		return _("hardware-assisted (KVM)");
	return _("hardware-assisted (HVM)");
}

int vc_guest_describe(const struct hv_guest *g, char ***lines, size_t *n)
{
	return vc_guest_describe_on(g, NULL, lines, n);
}

int vc_guest_describe_on(const struct hv_guest *g, const char *virt_type, char ***lines,
			 size_t *n)
{
	char mem[32], size[32];
	struct base_buf b = { 0 };

	*lines = NULL;
	*n = 0;
	line(lines, n, _("Name: %s"), g->name ? g->name : "");
	line(lines, n, _("System: %s, %s."),
	     g->arch == HV_ARCH_I686 ? _("32-bit (i686)") : _("64-bit (x86_64)"),
	     virt_words(g, virt_type));
	vc_fmt_mem(g->memory_kib, mem, sizeof(mem));
	line(lines, n, _("Memory: %s."), mem);
	if (g->sockets)
		line(lines, n, _("Virtual CPUs: %u (%u sockets, %u cores, %u threads)."), g->vcpus,
		     g->sockets, g->cores, g->threads);
	else
		line(lines, n, _("Virtual CPUs: %u."), g->vcpus);
	for (size_t i = 0; i < g->n_disks; i++) {
		const struct hv_disk *d = &g->disks[i];
		const char *target = d->target ? d->target : "?";
		const char *bus = d->bus ? d->bus : d->kind == HV_DISK_CDROM ? "sata" : "virtio";

		if (d->kind == HV_DISK_NEW_RAW || d->kind == HV_DISK_NEW_QCOW2) {
			vc_fmt_mem(d->size / 1024, size, sizeof(size));
			/* TRANSLATORS: disk target (vda), bus (virtio), kind, path, size. */
			line(lines, n, _("Disk %s (%s): %s %s, %s."), target, bus,
			     vc_disk_kind_name(d->kind), d->path ? d->path : "", size);
		} else {
			/* TRANSLATORS: disk target (vda), bus (virtio), kind, path. */
			line(lines, n, _("Disk %s (%s): %s %s."), target, bus,
			     vc_disk_kind_name(d->kind), d->path ? d->path : _("(empty)"));
		}
	}
	if (!g->n_disks)
		line(lines, n, _("No disks."));
	for (size_t i = 0; i < g->n_nics; i++) {
		const struct hv_nic *nic = &g->nics[i];

		line(lines, n, _("Network card %zu: bridge %s, MAC %s, model %s."), i + 1,
		     nic->bridge ? nic->bridge : "", nic->mac[0] ? nic->mac : _("generated"),
		     nic->model ? nic->model : "virtio");
	}
	if (!g->n_nics)
		line(lines, n, _("No network cards."));
	if (g->vnc) {
		char port[16];

		if (g->vnc_port < 0)
			snprintf(port, sizeof(port), "%s", _("automatic"));
		else
			snprintf(port, sizeof(port), "%d", g->vnc_port);
		line(lines, n, g->vnc_password && *g->vnc_password ?
		     _("VNC display on %s, port %s, with a password.") :
		     _("VNC display on %s, port %s, without a password."),
		     g->vnc_listen ? g->vnc_listen : "127.0.0.1", port);
	} else {
		line(lines, n, _("No VNC display."));
	}
	line(lines, n, "%s", g->serial ? _("Serial console on a pseudo-terminal of the host.") :
			     _("No serial console."));
	if (g->acpi)
		base_buf_str(&b, " ACPI");
	if (g->apic)
		base_buf_str(&b, " APIC");
	if (g->pae)
		base_buf_str(&b, " PAE");
	line(lines, n, _("Features: %s."), b.s ? b.s + 1 : _("none"));
	free(b.s);
	line(lines, n, _("On power off: %s; on reboot: %s; on a crash: %s."),
	     lifecycle_words(g->on_poweroff), lifecycle_words(g->on_reboot),
	     lifecycle_words(g->on_crash));
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < 4 && g->boot[i] != HV_BOOT_NONE; i++)
		base_buf_printf(&b, "%s%s", i ? ", " : "", boot_words(g->boot[i]));
	if (g->kernel)
		line(lines, n, _("Boots the kernel %s, initrd %s, command line \"%s\"."), g->kernel,
		     g->initrd ? g->initrd : _("none"), g->cmdline ? g->cmdline : "");
	else
		line(lines, n, _("Boot order: %s."), b.s ? b.s : _("disk"));
	free(b.s);
	line(lines, n, "%s", g->autostart ? _("Starts when the host boots.") :
			     _("Does not start when the host boots."));
	return 0;
}

const enum hv_boot_dev vc_boot_orders[VC_N_BOOT_ORDERS][3] = {
	{ HV_BOOT_HD, HV_BOOT_NONE },
	{ HV_BOOT_CDROM, HV_BOOT_HD, HV_BOOT_NONE },
	{ HV_BOOT_NETWORK, HV_BOOT_HD, HV_BOOT_NONE },
	{ HV_BOOT_HD, HV_BOOT_CDROM, HV_BOOT_NONE },
};
const char *const vc_boot_order_names[VC_N_BOOT_ORDERS] = {
	N_("Disk"), N_("CD-ROM, then disk"), N_("Network, then disk"), N_("Disk, then CD-ROM"),
};

int vc_boot_order_index(const enum hv_boot_dev *boot)
{
	for (int i = 0; i < VC_N_BOOT_ORDERS; i++) {
		int k = 0;

		while (k < 3 && boot[k] == vc_boot_orders[i][k] && boot[k] != HV_BOOT_NONE)
			k++;
		if (k < 3 && boot[k] == vc_boot_orders[i][k])
			return i;
	}
	return 0;
}
