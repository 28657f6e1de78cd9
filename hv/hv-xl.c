/* xm/xl guest configuration files: import through libxlutil with a note for every key, and export in xl syntax. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>

/*
 * libxlutil (with libxenlight) is opened when a file is imported, not
 * linked: a KVM host then needs no Xen library at all, and the package
 * depends on none.
 */
#ifndef XLUTIL_SONAME
#define XLUTIL_SONAME "libxlutil.so"
#endif

static struct {
	void *dl;
	char *error;
	__typeof__(xlu_cfg_init) *xlu_cfg_init;
	__typeof__(xlu_cfg_readdata) *xlu_cfg_readdata;
	__typeof__(xlu_cfg_destroy) *xlu_cfg_destroy;
	__typeof__(xlu_cfg_get_string) *xlu_cfg_get_string;
	__typeof__(xlu_cfg_get_long) *xlu_cfg_get_long;
	__typeof__(xlu_cfg_get_list) *xlu_cfg_get_list;
	__typeof__(xlu_cfg_get_listitem) *xlu_cfg_get_listitem;
	__typeof__(xlu_disk_parse) *xlu_disk_parse;
	__typeof__(libxl_device_disk_init) *libxl_device_disk_init;
	__typeof__(libxl_device_disk_dispose) *libxl_device_disk_dispose;
} xl;
static pthread_once_t xl_once = PTHREAD_ONCE_INIT;

static void xl_open(void)
{
	xl.dl = dlopen(XLUTIL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!xl.dl) {
		const char *e = dlerror();

		xl.error = strdup(e ? e : XLUTIL_SONAME);
		return;
	}
#define SYM(f) \
	if (!xl.error && !(*(void **)&xl.f = dlsym(xl.dl, #f))) \
		xl.error = strdup(#f)
	SYM(xlu_cfg_init);
	SYM(xlu_cfg_readdata);
	SYM(xlu_cfg_destroy);
	SYM(xlu_cfg_get_string);
	SYM(xlu_cfg_get_long);
	SYM(xlu_cfg_get_list);
	SYM(xlu_cfg_get_listitem);
	SYM(xlu_disk_parse);
	SYM(libxl_device_disk_init);
	SYM(libxl_device_disk_dispose);
#undef SYM
	if (xl.error) {
		dlclose(xl.dl);
		xl.dl = NULL;
	}
}

/* Is libxlutil there? Else the cause says which package brings it. */
static int xl_load(char **cause)
{
	pthread_once(&xl_once, xl_open);
	if (xl.dl)
		return 0;
	return base_cause(cause, -ENOSYS, _("Reading xl configuration files needs Xen's %s (package libxenmisc4.17, which a Xen host has): %s."),
			  XLUTIL_SONAME, xl.error ? xl.error : "");
}

void hv_xl_report_clear(struct hv_xl_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->notes[i].key);
		free(r->notes[i].what);
	}
	free(r->notes);
	r->notes = NULL;
	r->n = 0;
}

/* The state of one import; notes go to @report, which may be NULL. */
struct imp {
	XLU_Config *cfg;
	struct hv_guest *g;
	struct hv_xl_report *report;
	bool hvm;
	bool oom;
	const char *root, *extra, *cmdline;
	const char *too_big;   /* memory or maxmem past MAX_MIB: the import fails */
	const char *too_big_value;  /* as the file gives it */
};

/* 64 TiB, far past what any Xen guest can have; it keeps the KiB of memory well inside 64 bits. */
#define MAX_MIB (64L * 1024 * 1024)

static void note(struct imp *im, const char *key, bool mapped, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(struct imp *im, const char *key, bool mapped, const char *fmt, ...)
{
	struct hv_xl_report *r = im->report;
	struct hv_xl_note *nn;
	va_list ap;
	char *what = NULL;

	if (!r)
		return;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	nn = realloc(r->notes, (r->n + 1) * sizeof(*r->notes));
	if (!what || !nn) {
		free(what);
		if (nn)
			r->notes = nn;
		im->oom = true;
		return;
	}
	r->notes = nn;
	nn[r->n].key = strdup(key);
	nn[r->n].mapped = mapped;
	nn[r->n].what = what;
	if (!nn[r->n].key) {
		free(what);
		im->oom = true;
		return;
	}
	r->n++;
}

static void set_str(struct imp *im, char **dst, const char *v)
{
	char *s = v ? strdup(v) : NULL;

	if (v && !s)
		im->oom = true;
	free(*dst);
	*dst = s;
}

/* ---- the keys of the file -------------------------------------------------- */

/*
 * libxlutil has no way to list what a file sets, so the assignments are
 * found here with the same lexical rules (comments, quoted strings, lists
 * over several lines); libxlutil still reads every value.
 */
static int scan_keys(const char *data, char ***keys, size_t *n)
{
	const char *p = data;
	bool start = true;
	int depth = 0;

	while (*p) {
		char c = *p;

		if (c == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (c == '\'' || c == '"') {
			for (p++; *p && *p != c; p++) {
				if (*p == '\\' && p[1])
					p++;
			}
			if (*p)
				p++;
			start = false;
			continue;
		}
		if (c == '\n' || c == ';') {
			if (depth <= 0)
				start = true;
			p++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
			continue;
		}
		if (start && depth <= 0 && (isalpha((unsigned char)c) || c == '_')) {
			const char *s = p, *q;

			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			for (q = p; *q == ' ' || *q == '\t'; q++)
				;
			if (*q == '=' || (*q == '+' && q[1] == '=')) {
				bool seen = false;

				for (size_t i = 0; i < *n && !seen; i++)
					seen = strlen((*keys)[i]) == (size_t)(p - s) &&
					       strncmp((*keys)[i], s, p - s) == 0;
				if (!seen) {
					char **nk = realloc(*keys, (*n + 1) * sizeof(**keys));

					if (!nk)
						return -ENOMEM;
					*keys = nk;
					if (!(nk[*n] = strndup(s, p - s)))
						return -ENOMEM;
					(*n)++;
				}
			}
			start = false;
			continue;
		}
		if (c == '[')
			depth++;
		else if (c == ']')
			depth--;
		start = false;
		p++;
	}
	return 0;
}

/* ---- values ------------------------------------------------------------------ */

static bool get_str(struct imp *im, const char *key, const char **v)
{
	return xl.xlu_cfg_get_string(im->cfg, key, v, 1) == 0;
}

static bool get_long(struct imp *im, const char *key, long *v)
{
	return xl.xlu_cfg_get_long(im->cfg, key, v, 1) == 0;
}

/* A boolean 0/1 that xm also accepted as a string. */
static bool get_flag(struct imp *im, const char *key, bool *v)
{
	long l;

	if (!get_long(im, key, &l))
		return false;
	*v = l != 0;
	return true;
}

/* The n-th "k=v" item of a comma-separated spec, trimmed; false at the end. */
static bool spec_item(const char *spec, int idx, char *k, size_t klen, char *v, size_t vlen)
{
	const char *p = spec;

	for (int i = 0; i < idx && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t len = strcspn(p, ",");
	const char *eq = memchr(p, '=', len);
	size_t kl = eq ? (size_t)(eq - p) : len;

	while (kl && (p[kl - 1] == ' ' || p[kl - 1] == '\t'))
		kl--;
	snprintf(k, klen, "%.*s", (int)kl, p);
	if (eq) {
		const char *vs = eq + 1;
		size_t vl = len - (vs - p);

		while (vl && (*vs == ' ' || *vs == '\t')) {
			vs++;
			vl--;
		}
		while (vl && (vs[vl - 1] == ' ' || vs[vl - 1] == '\t'))
			vl--;
		snprintf(v, vlen, "%.*s", (int)vl, vs);
	} else {
		v[0] = '\0';
	}
	return true;
}

/* ---- keys -------------------------------------------------------------------- */

/* Whether a disk's target has xm's phy: prefix, which libxlutil reads without a trace. */
static bool phy_prefix(const char *spec)
{
	const char *t = strstr(spec, "target=");

	t = t ? t + 7 : spec + strspn(spec, " \t");
	t += strspn(t, " \t");
	return strncmp(t, "phy:", 4) == 0;
}

static void do_disk(struct imp *im, const char *key)
{
	XLU_ConfigList *list;
	int n = 0;

	if (xl.xlu_cfg_get_list(im->cfg, key, &list, &n, 1) != 0) {
		note(im, key, false, _("Not kept: the value is not a list of disks."));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *spec = xl.xlu_cfg_get_listitem(list, i);
		libxl_device_disk x;
		struct hv_disk *d;

		if (!spec)
			continue;
		xl.libxl_device_disk_init(&x);
		if (xl.xlu_disk_parse(im->cfg, 1, &spec, &x) != 0) {
			note(im, key, false, _("The disk \"%s\" is not kept: it could not be read."),
			     spec);
			xl.libxl_device_disk_dispose(&x);
			continue;
		}
		/* A block script (nbd:, iscsi:, drbd:, script=) makes the device at start: the target is its arguments, not a path. */
		if (x.script && *x.script) {
			/* TRANSLATORS: the first %s is a disk as the file gives it, the second a script such as block-iscsi. */
			note(im, key, false, _("The disk \"%s\" is not kept: it needs the block script %s, which libvirt does not run; attach the device on this host and give its path instead."),
			     spec, x.script);
			xl.libxl_device_disk_dispose(&x);
			continue;
		}
		d = hv_guest_add_disk(im->g);
		if (!d) {
			im->oom = true;
			xl.libxl_device_disk_dispose(&x);
			return;
		}
		if (x.is_cdrom)
			d->kind = HV_DISK_CDROM;
		else if (x.backend == LIBXL_DISK_BACKEND_PHY || phy_prefix(spec) ||
			 (x.pdev_path && strncmp(x.pdev_path, "/dev/", 5) == 0))
			d->kind = HV_DISK_BLOCK;
		else
			d->kind = HV_DISK_FILE;
		set_str(im, &d->path, x.pdev_path && *x.pdev_path ? x.pdev_path : NULL);
		/* xm's phy:hda1 names the host's /dev/hda1. */
		if (d->kind == HV_DISK_BLOCK && d->path && d->path[0] != '/') {
			char *dev = NULL;

			if (asprintf(&dev, "/dev/%s", d->path) < 0) {
				im->oom = true;
				dev = NULL;
			}
			free(d->path);
			d->path = dev;
		}
		set_str(im, &d->target, x.vdev);
		set_str(im, &d->bus, hv_target_bus(x.vdev));
		switch (x.format) {
		case LIBXL_DISK_FORMAT_RAW:
			set_str(im, &d->format, "raw");
			break;
		case LIBXL_DISK_FORMAT_QCOW2:
			set_str(im, &d->format, "qcow2");
			break;
		case LIBXL_DISK_FORMAT_QCOW:
			set_str(im, &d->format, "qcow");
			break;
		case LIBXL_DISK_FORMAT_VHD:
			set_str(im, &d->format, "vpc");
			break;
		case LIBXL_DISK_FORMAT_QED:
			set_str(im, &d->format, "qed");
			break;
		default:
			break;
		}
		d->readonly = !x.readwrite || x.is_cdrom;
		switch (d->kind) {
		case HV_DISK_CDROM:
			if (d->path)
				note(im, key, true, _("Disk %s is a CD-ROM with %s."),
				     x.vdev ? x.vdev : "", d->path);
			else
				note(im, key, true, _("Disk %s is an empty CD-ROM drive."),
				     x.vdev ? x.vdev : "");
			break;
		case HV_DISK_BLOCK:
			note(im, key, true, _("Disk %s uses the host device %s."),
			     x.vdev ? x.vdev : "", d->path ? d->path : "");
			break;
		default:
			note(im, key, true, _("Disk %s uses the image file %s."),
			     x.vdev ? x.vdev : "", d->path ? d->path : "");
			break;
		}
		xl.libxl_device_disk_dispose(&x);
	}
}

static void do_vif(struct imp *im, const char *key)
{
	XLU_ConfigList *list;
	int n = 0;

	if (xl.xlu_cfg_get_list(im->cfg, key, &list, &n, 1) != 0) {
		note(im, key, false, _("Not kept: the value is not a list of network cards."));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *spec = xl.xlu_cfg_get_listitem(list, i);
		struct hv_nic *nic = hv_guest_add_nic(im->g);
		char k[64], v[256];

		if (!nic) {
			im->oom = true;
			return;
		}
		for (int j = 0; spec && spec_item(spec, j, k, sizeof(k), v, sizeof(v)); j++) {
			if (!k[0])
				continue;
			if (strcmp(k, "mac") == 0 && hv_mac_valid(v))
				snprintf(nic->mac, sizeof(nic->mac), "%s", v);
			else if (strcmp(k, "bridge") == 0 && v[0])
				set_str(im, &nic->bridge, v);
			else if (strcmp(k, "model") == 0 && v[0])
				set_str(im, &nic->model, v);
			else if (strcmp(k, "type") == 0)
				note(im, key, true,
				     /* TRANSLATORS: %s=%s is a setting of the file, such as type=ioemu. */
				     _("The network card setting %s=%s is not needed: libvirt gives an HVM guest an emulated card with a paravirtual fast path."),
				     k, v);
			else
				note(im, key, false,
				     /* TRANSLATORS: %s=%s is a setting of the file, such as rate=10Mb/s. */
				     _("The network card setting %s=%s is not kept: the guest model has no place for it."),
				     k, v);
		}
		/* xl's own default bridge. */
		if (!nic->bridge)
			set_str(im, &nic->bridge, "xenbr0");
		if (nic->mac[0])
			note(im, key, true,
			     _("A network card on the bridge %s with the MAC address %s."),
			     nic->bridge, nic->mac);
		else
			note(im, key, true,
			     _("A network card on the bridge %s with a new MAC address."),
			     nic->bridge);
	}
}

static void do_vfb(struct imp *im, const char *key)
{
	XLU_ConfigList *list;
	int n = 0;

	if (xl.xlu_cfg_get_list(im->cfg, key, &list, &n, 1) != 0) {
		note(im, key, false, _("Not kept: the value is not a list of displays."));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *spec = xl.xlu_cfg_get_listitem(list, i);
		char k[64], v[256];
		bool vnc = false;

		for (int j = 0; spec && spec_item(spec, j, k, sizeof(k), v, sizeof(v)); j++) {
			if ((strcmp(k, "type") == 0 && strcmp(v, "vnc") == 0) ||
			    (strcmp(k, "vnc") == 0 && strcmp(v, "0") != 0))
				vnc = true;
		}
		if (!vnc) {
			note(im, key, false,
			     _("The display \"%s\" is not kept: only VNC displays are supported."),
			     spec ? spec : "");
			continue;
		}
		im->g->vnc = true;
		for (int j = 0; spec && spec_item(spec, j, k, sizeof(k), v, sizeof(v)); j++) {
			if (strcmp(k, "vnclisten") == 0)
				set_str(im, &im->g->vnc_listen, v);
			else if (strcmp(k, "vncpasswd") == 0)
				set_str(im, &im->g->vnc_password, v[0] ? v : NULL);
			else if (strcmp(k, "vncdisplay") == 0)
				im->g->vnc_port = 5900 + atoi(v);
			else if (strcmp(k, "vncunused") == 0 && strcmp(v, "0") != 0)
				im->g->vnc_port = -1;
		}
		note(im, key, true, _("A VNC display."));
	}
}

static void do_lifecycle(struct imp *im, const char *key, enum hv_lifecycle *dst)
{
	const char *v;
	int lc;

	if (!get_str(im, key, &v) || (lc = hv_lifecycle_parse(v)) < 0) {
		note(im, key, false, _("Not kept: this action is not supported; the default applies."));
		return;
	}
	*dst = lc;
	if (strcmp(key, "on_poweroff") == 0)
		/* TRANSLATORS: %s is an action as xl spells it (destroy, restart...); keep it. */
		note(im, key, true, _("Action when the guest powers off: %s."), v);
	else if (strcmp(key, "on_reboot") == 0)
		/* TRANSLATORS: %s is an action as xl spells it (destroy, restart...); keep it. */
		note(im, key, true, _("Action when the guest reboots: %s."), v);
	else
		/* TRANSLATORS: %s is an action as xl spells it (destroy, restart...); keep it. */
		note(im, key, true, _("Action when the guest crashes: %s."), v);
}

static void do_feature(struct imp *im, const char *key, bool *dst, const char *label)
{
	if (!get_flag(im, key, dst)) {
		note(im, key, false, _("Not kept: its value could not be read."));
		return;
	}
	if (*dst)
		/* TRANSLATORS: %s is a hardware feature: ACPI, APIC or PAE. */
		note(im, key, true, _("The %s feature is on."), label);
	else
		/* TRANSLATORS: %s is a hardware feature: ACPI, APIC or PAE. */
		note(im, key, true, _("The %s feature is off."), label);
}

static void do_boot(struct imp *im, const char *key)
{
	const char *v;
	int k = 0;

	if (!get_str(im, key, &v)) {
		note(im, key, false, _("Not kept: its value could not be read."));
		return;
	}
	memset(im->g->boot, 0, sizeof(im->g->boot));
	for (const char *p = v; *p && k < 4; p++) {
		enum hv_boot_dev b = *p == 'c' ? HV_BOOT_HD : *p == 'd' ? HV_BOOT_CDROM :
				     *p == 'n' ? HV_BOOT_NETWORK : HV_BOOT_NONE;
		bool dup = false;

		for (int i = 0; i < k; i++)
			dup = dup || im->g->boot[i] == b;
		if (b != HV_BOOT_NONE && !dup)
			im->g->boot[k++] = b;
	}
	if (k == 0)
		im->g->boot[0] = HV_BOOT_HD;
	/* TRANSLATORS: %s is xl's boot letters, such as "dc"; keep the letters c, d and n as they are. */
	note(im, key, true, _("The boot order is %s (c is the disk, d the CD-ROM, n the network)."), v);
}

static void do_serial(struct imp *im, const char *key)
{
	XLU_ConfigList *list;
	const char *v = NULL;

	if (!get_str(im, key, &v) && xl.xlu_cfg_get_list(im->cfg, key, &list, NULL, 1) == 0)
		v = xl.xlu_cfg_get_listitem(list, 0);
	if (v && strcmp(v, "pty") == 0) {
		im->g->serial = true;
		note(im, key, true, _("A serial console."));
	} else {
		note(im, key, false,
		     _("Not kept: only a serial port on a pseudo-terminal (pty) is supported."));
	}
}

static void do_kernel(struct imp *im, const char *key)
{
	const char *v, *base;

	if (!get_str(im, key, &v)) {
		note(im, key, false, _("Not kept: its value could not be read."));
		return;
	}
	base = strrchr(v, '/');
	base = base ? base + 1 : v;
	/* Xen 3 named the HVM firmware as the kernel; today every HVM guest gets it anyway. */
	if (im->hvm && strcmp(base, "hvmloader") == 0) {
		note(im, key, true, _("Not needed: every HVM guest starts from hvmloader."));
		return;
	}
	set_str(im, &im->g->kernel, v);
	note(im, key, true, _("The guest boots the kernel %s directly."), v);
}

/* A PV guest's boot loader, run on the host to find the kernel in the guest's disk. */
static void do_bootloader(struct imp *im, const char *key)
{
	const char *v;

	if (im->hvm) {
		note(im, key, false, _("Not kept: an HVM guest boots from its own firmware."));
		return;
	}
	if (!get_str(im, key, &v) || !*v) {
		note(im, key, false, _("Not kept: its value could not be read."));
		return;
	}
	set_str(im, &im->g->bootloader, v);
	/* TRANSLATORS: %s is a program such as pygrub. */
	note(im, key, true, _("The guest boots through the boot loader %s."), v);
}

/* The boot loader's arguments: xl's list, or xm's string. */
static void do_bootloader_args(struct imp *im, const char *key)
{
	XLU_ConfigList *list;
	const char *v;
	int n = 0;
	struct base_buf b = { 0 };

	if (im->hvm) {
		note(im, key, false, _("Not kept: an HVM guest boots from its own firmware."));
		return;
	}
	if (get_str(im, key, &v)) {
		base_buf_str(&b, v);
	} else if (xl.xlu_cfg_get_list(im->cfg, key, &list, &n, 1) == 0) {
		for (int i = 0; i < n; i++) {
			const char *item = xl.xlu_cfg_get_listitem(list, i);

			if (item)
				base_buf_printf(&b, "%s%s", b.s && *b.s ? " " : "", item);
		}
	} else {
		note(im, key, false, _("Not kept: its value could not be read."));
		return;
	}
	if (b.oom)
		im->oom = true;
	if (b.s && *b.s) {
		set_str(im, &im->g->bootloader_args, b.s);
		note(im, key, true, _("The arguments of the boot loader: %s."), b.s);
	} else {
		note(im, key, true, _("The boot loader has no arguments."));
	}
	free(b.s);
}

/* Keys not mapped, with the reason the operator reads. */
static void not_mapped(struct imp *im, const char *key)
{
	static const char *const dm[] = { "device_model", "device_model_override",
					  "device_model_version", "device_model_args", NULL };
	static const char *const pin[] = { "cpus", "cpus_soft", "cpu_weight", "cap", NULL };
	static const char *const gui[] = { "sdl", "opengl", "vncconsole", "display", "xauthority",
					   NULL };
	static const char *const hw[] = { "usb", "usbdevice", "usbctrl", "usbdev", "soundhw",
					  "stdvga", "vga", "videoram", "localtime", "rtc_timeoffset",
					  "keymap", "viridian", "hap", "nestedhvm", "hpet",
					  "timer_mode", "xen_platform_pci", "shadow_memory",
					  "nographic", "monitor", NULL };

	/* Each group of keys, and why none of them is kept. */
	static const struct {
		const char *const *keys;
		const char *why;
	} groups[] = {
		{ dm, N_("Not kept: libvirt runs the device model that this host's hypervisor provides.") },
		{ pin, N_("Not kept: CPU pinning and scheduling depend on the host; set them again on this host if needed.") },
		{ gui, N_("Not kept: a window on the host's desktop is not available; use the VNC display.") },
		{ hw, N_("Not kept: the hypervisor's default for this setting applies.") },
	};

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (int i = 0; groups[g].keys[i]; i++)
			if (strcmp(key, groups[g].keys[i]) == 0) {
				note(im, key, false, "%s", _(groups[g].why));
				return;
			}
	if (strcmp(key, "pci") == 0) {
		note(im, key, false,
		     _("Not kept: devices passed through from a host must be assigned again on this host."));
		return;
	}
	if (strcmp(key, "maxvcpus") == 0) {
		note(im, key, false,
		     _("Not kept: the guest gets the virtual CPUs of vcpus, with no room to add more while it runs."));
		return;
	}
	note(im, key, false, _("Not kept: ospite does not know this setting."));
}

static void do_key(struct imp *im, const char *key)
{
	struct hv_guest *g = im->g;
	const char *v;
	long l;

	if (strcmp(key, "name") == 0 && get_str(im, key, &v)) {
		set_str(im, &g->name, v);
		note(im, key, true, _("The guest is named %s."), v);
	} else if (strcmp(key, "uuid") == 0 && get_str(im, key, &v) && strlen(v) == 36) {
		snprintf(g->uuid, sizeof(g->uuid), "%s", v);
		note(im, key, true, _("The guest keeps the UUID %s."), v);
	} else if ((strcmp(key, "type") == 0 || strcmp(key, "builder") == 0) &&
		   get_str(im, key, &v)) {
		if (strcmp(v, "hvm") == 0)
			note(im, key, true, _("A fully virtualized (HVM) guest."));
		else if (strcmp(v, "pvh") == 0)
			note(im, key, true,
			     _("A PVH guest becomes a paravirtualized (PV) guest: the guest model has no PVH mode."));
		else
			note(im, key, true, _("A paravirtualized (PV) guest."));
	} else if ((strcmp(key, "memory") == 0 || strcmp(key, "maxmem") == 0) &&
		   ((get_long(im, key, &l) && l > MAX_MIB) ||
		    (!get_long(im, key, &l) && get_str(im, key, &v) && *v &&
		     strspn(v, "0123456789") == strlen(v)))) {
		/* Past MAX_MIB, or past what a long holds. */
		im->too_big = key;
		if (!get_str(im, key, &im->too_big_value))
			im->too_big_value = "?";
	} else if (strcmp(key, "memory") == 0 && get_long(im, key, &l) && l > 0) {
		g->memory_kib = (uint64_t)l * 1024;
		note(im, key, true, _("%ld MiB of memory."), l);
	} else if (strcmp(key, "maxmem") == 0 && get_long(im, key, &l) && l > 0) {
		g->max_memory_kib = (uint64_t)l * 1024;
		note(im, key, true, _("Up to %ld MiB of memory by ballooning."), l);
	} else if (strcmp(key, "vcpus") == 0 && get_long(im, key, &l) && l > 0) {
		g->vcpus = l;
		note(im, key, true, P_("%ld virtual CPU.", "%ld virtual CPUs.", l), l);
	} else if (strcmp(key, "kernel") == 0) {
		do_kernel(im, key);
	} else if (strcmp(key, "bootloader") == 0) {
		do_bootloader(im, key);
	} else if (strcmp(key, "bootloader_args") == 0 || strcmp(key, "bootargs") == 0) {
		do_bootloader_args(im, key);
	} else if (strcmp(key, "ramdisk") == 0 && get_str(im, key, &v)) {
		set_str(im, &g->initrd, v);
		note(im, key, true, _("The initial RAM disk %s."), v);
	} else if (strcmp(key, "cmdline") == 0 && get_str(im, key, &v)) {
		im->cmdline = v;
		note(im, key, true, _("The kernel command line."));
	} else if (strcmp(key, "extra") == 0 && get_str(im, key, &v)) {
		im->extra = v;
		note(im, key, true, _("Part of the kernel command line."));
	} else if (strcmp(key, "root") == 0 && get_str(im, key, &v)) {
		im->root = v;
		note(im, key, true, _("The root= part of the kernel command line."));
	} else if (strcmp(key, "disk") == 0) {
		do_disk(im, key);
	} else if (strcmp(key, "vif") == 0) {
		do_vif(im, key);
	} else if (strcmp(key, "vfb") == 0) {
		do_vfb(im, key);
	} else if (strcmp(key, "vnc") == 0 && get_flag(im, key, &g->vnc)) {
		if (g->vnc)
			note(im, key, true, _("A VNC display."));
		else
			note(im, key, true, _("No VNC display."));
	} else if (strcmp(key, "vnclisten") == 0 && get_str(im, key, &v)) {
		set_str(im, &g->vnc_listen, v);
		note(im, key, true, _("The VNC display listens on %s."), v);
	} else if (strcmp(key, "vncdisplay") == 0 && get_long(im, key, &l) && l >= 0 &&
		   l < 65535 - 5900) {
		g->vnc_port = 5900 + (int)l;
		note(im, key, true, _("The VNC display uses the port %d."), g->vnc_port);
	} else if (strcmp(key, "vncunused") == 0 && get_long(im, key, &l)) {
		if (l) {
			g->vnc_port = -1;
			note(im, key, true, _("The VNC display takes the first free port."));
		} else {
			note(im, key, true, _("The VNC display keeps the port given by vncdisplay."));
		}
	} else if (strcmp(key, "vncpasswd") == 0 && get_str(im, key, &v)) {
		set_str(im, &g->vnc_password, *v ? v : NULL);
		if (*v)
			note(im, key, true, _("The VNC display has a password."));
		else
			note(im, key, true, _("The VNC display has no password: anyone who reaches its port can use it."));
	} else if (strcmp(key, "serial") == 0) {
		do_serial(im, key);
	} else if (strcmp(key, "acpi") == 0) {
		do_feature(im, key, &g->acpi, "ACPI");
	} else if (strcmp(key, "apic") == 0) {
		do_feature(im, key, &g->apic, "APIC");
	} else if (strcmp(key, "pae") == 0) {
		do_feature(im, key, &g->pae, "PAE");
	} else if (strcmp(key, "on_poweroff") == 0) {
		do_lifecycle(im, key, &g->on_poweroff);
	} else if (strcmp(key, "on_reboot") == 0) {
		do_lifecycle(im, key, &g->on_reboot);
	} else if (strcmp(key, "on_crash") == 0) {
		do_lifecycle(im, key, &g->on_crash);
	} else if (strcmp(key, "boot") == 0) {
		do_boot(im, key);
	} else {
		bool known = strcmp(key, "name") == 0 || strcmp(key, "uuid") == 0 ||
			     strcmp(key, "type") == 0 || strcmp(key, "builder") == 0 ||
			     strcmp(key, "memory") == 0 || strcmp(key, "maxmem") == 0 ||
			     strcmp(key, "vcpus") == 0 || strcmp(key, "ramdisk") == 0 ||
			     strcmp(key, "cmdline") == 0 || strcmp(key, "extra") == 0 ||
			     strcmp(key, "root") == 0 || strcmp(key, "vnc") == 0 ||
			     strcmp(key, "vnclisten") == 0 || strcmp(key, "vncdisplay") == 0 ||
			     strcmp(key, "vncunused") == 0 || strcmp(key, "vncpasswd") == 0;

		if (known)
			note(im, key, false, _("Not kept: its value could not be read."));
		else
			not_mapped(im, key);
	}
}

/* Whether the file describes an HVM guest: xl's type=, or xm's builder=. */
static bool is_hvm(struct imp *im)
{
	const char *v;

	if (get_str(im, "type", &v))
		return strcmp(v, "hvm") == 0;
	if (get_str(im, "builder", &v))
		return strcmp(v, "hvm") == 0;
	return false;
}

/* xl's rule: cmdline wins; otherwise "root=ROOT EXTRA". */
static void make_cmdline(struct imp *im)
{
	char *s = NULL;

	if (im->cmdline) {
		set_str(im, &im->g->cmdline, im->cmdline);
		return;
	}
	if (!im->root && !im->extra)
		return;
	if (asprintf(&s, "%s%s%s%s", im->root ? "root=" : "", im->root ? im->root : "",
		     im->root && im->extra ? " " : "", im->extra ? im->extra : "") < 0) {
		im->oom = true;
		return;
	}
	free(im->g->cmdline);
	im->g->cmdline = s;
}

/* The first line libxlutil reported, for a cause. */
static void first_line(char *buf, size_t len)
{
	char *nl;

	if (!buf)
		return;
	nl = memchr(buf, '\n', len);
	if (nl)
		*nl = '\0';
}

/* Whether a line is Python that xm ran and xl cannot read: a statement, or an expression as a value. */
static bool python_line(const char *line)
{
	static const char *const stmt[] = { "import ", "from ", "def ", "if ", "elif ", "else:",
					    "for ", "while ", "try:", "print", NULL };
	const char *p = line + strspn(line, " \t");
	char q = 0;

	for (int i = 0; stmt[i]; i++)
		if (strncmp(p, stmt[i], strlen(stmt[i])) == 0)
			return true;
	for (; *p && *p != '#'; p++) {
		if (q) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == q)
				q = 0;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (strchr("()*%+", *p)) {
			return true;
		}
	}
	return false;
}

/* The cause of a file libxlutil could not read: its message names the line as PATH:LINE:. */
static int parse_cause(char **cause, const char *path, const char *data, const char *msg)
{
	size_t pl = strlen(path);
	long line = 0;

	if (msg && strncmp(msg, path, pl) == 0 && msg[pl] == ':')
		line = strtol(msg + pl + 1, NULL, 10);
	if (line > 0) {
		const char *l = data;

		for (long i = 1; i < line && l; i++) {
			l = strchr(l, '\n');
			if (l)
				l++;
		}
		if (l && python_line(l))
			return base_cause(cause, -EINVAL,
					  /* TRANSLATORS: %s:%ld is the file and the line number; the last %s the line itself. */
					  _("%s:%ld is Python, as xm files could be: \"%.*s\". Only plain settings (name = \"value\") can be imported; write the values out first."),
					  path, line, (int)strcspn(l, "\n"), l);
	}
	return base_cause(cause, -EINVAL, _("%s is not a valid xl configuration: %s."), path,
			  msg && *msg ? msg : _("it could not be read"));
}

/*
 * A relative path of the file (an image, a kernel) names a file next to it,
 * which is how such files are shipped and what an operator means; libvirt
 * needs it absolute. Each one resolved is said in the report.
 */
static void absolutize(struct imp *im, const char *dir, const char *key, char **v)
{
	char *abs = NULL;

	if (!*v || (*v)[0] == '/' || !**v)
		return;
	if (asprintf(&abs, "%s/%s", dir, *v) < 0) {
		im->oom = true;
		return;
	}
	/* TRANSLATORS: a relative path in the file, then the absolute path it becomes. */
	note(im, key, true, _("The relative path %s is taken from the folder of the file: %s."), *v,
	     abs);
	free(*v);
	*v = abs;
}

/* The folder of @path as an absolute path: the base of its relative paths. */
static char *file_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	char *abs = dir ? realpath(dir, NULL) : NULL;

	free(dir);
	return abs;
}

int hv_xl_import(const char *path, struct hv_guest **out, struct hv_xl_report *report,
		 char **cause)
{
	struct imp im = { .report = report };
	char *data = NULL, *msgs = NULL, **keys = NULL;
	size_t msgs_len = 0, n_keys = 0;
	FILE *rep = NULL;
	int rc;

	*out = NULL;
	rc = xl_load(cause);
	if (rc < 0)
		return rc;
	rc = hcfg_read_file(path, &data, cause);
	if (rc < 0)
		return rc;
	/* A file written on Windows ends its lines with CR LF: libxlutil takes LF alone. */
	{
		char *w = data;

		for (const char *r = data; *r; r++)
			if (!(*r == '\r' && (r[1] == '\n' || !r[1])))
				*w++ = *r;
		*w = '\0';
	}
	/* libxlutil wants every line to end, a comment on the last one too. */
	if (*data && data[strlen(data) - 1] != '\n') {
		size_t len = strlen(data);
		char *nd = realloc(data, len + 2);

		if (!nd) {
			free(data);
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
		data = nd;
		data[len] = '\n';
		data[len + 1] = '\0';
	}
	/* libxlutil reports syntax errors on a stream: keep them for the cause. */
	rep = open_memstream(&msgs, &msgs_len);
	im.cfg = rep ? xl.xlu_cfg_init(rep, path) : NULL;
	im.g = calloc(1, sizeof(*im.g));
	if (!im.cfg || !im.g) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = xl.xlu_cfg_readdata(im.cfg, data, strlen(data));
	if (rc) {
		fflush(rep);
		first_line(msgs, msgs_len);
		rc = parse_cause(cause, path, data, msgs);
		goto out;
	}
	if (scan_keys(data, &keys, &n_keys) < 0) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	hv_guest_init(im.g);
	im.hvm = is_hvm(&im);
	/* xl's defaults, not those of a new guest: nothing the file does not ask for. */
	im.g->pv = !im.hvm;
	/* xl gives an HVM guest a VNC display unless the file says vnc=0 or nographic=1. */
	{
		long l;

		im.g->vnc = im.hvm && !(get_long(&im, "nographic", &l) && l);
	}
	im.g->serial = !im.hvm;    /* a PV guest always has Xen's console */
	im.g->acpi = im.g->apic = im.g->pae = im.hvm;
	if (im.hvm) {
		im.g->boot[0] = HV_BOOT_HD;
		im.g->boot[1] = HV_BOOT_CDROM;
	} else {
		im.g->boot[0] = HV_BOOT_NONE;
	}
	for (size_t i = 0; i < n_keys; i++)
		do_key(&im, keys[i]);
	make_cmdline(&im);
	{
		char *dir = file_dir(path);

		if (!dir) {
			rc = base_cause(cause, -errno, _("Could not find the folder of %s: %s."), path,
					strerror(errno));
			goto out;
		}
		/*
		 * With a boot loader, kernel and ramdisk name files inside the
		 * guest's disk, which libxl hands to the boot loader as xl does:
		 * the report says so rather than "boots the kernel directly".
		 */
		if (!im.g->bootloader) {
			absolutize(&im, dir, "kernel", &im.g->kernel);
			absolutize(&im, dir, "ramdisk", &im.g->initrd);
		}
		for (size_t i = 0; im.g->bootloader && report && i < report->n; i++) {
			struct hv_xl_note *nt = &report->notes[i];
			const char *v = !strcmp(nt->key, "kernel") ? im.g->kernel :
					!strcmp(nt->key, "ramdisk") ? im.g->initrd : NULL;
			char *what = NULL;

			if (!nt->mapped || !v)
				continue;
			if (asprintf(&what, _("The boot loader looks for %s inside the guest's disk."), v) < 0) {
				im.oom = true;
				continue;
			}
			free(nt->what);
			nt->what = what;
		}
		for (size_t i = 0; i < im.g->n_disks; i++)
			if (im.g->disks[i].kind != HV_DISK_BLOCK)
				absolutize(&im, dir, "disk", &im.g->disks[i].path);
		free(dir);
	}
	if (im.too_big && !im.oom) {
		rc = base_cause(cause, -EINVAL,
				/* TRANSLATORS: %s = %s is the setting as the file gives it, such as memory = 99999999999. */
				_("%s: %s = %s MiB is more memory than a guest can have (at most %ld MiB)."),
				path, im.too_big, im.too_big_value, MAX_MIB);
		goto out;
	}
	if (im.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if (!im.g->name) {
		rc = base_cause(cause, -EINVAL, _("%s does not name its guest."), path);
		goto out;
	}
	/* A PV guest has no firmware: without either it could never start. */
	if (im.g->pv && !im.g->kernel && !im.g->bootloader) {
		rc = base_cause(cause, -EINVAL,
				_("%s gives its PV guest neither a kernel nor a boot loader."), path);
		goto out;
	}
	*out = im.g;
	im.g = NULL;
	rc = 0;
out:
	if (rc < 0)
		hv_xl_report_clear(report);
	for (size_t i = 0; i < n_keys; i++)
		free(keys[i]);
	free(keys);
	hv_guest_free(im.g);
	if (im.cfg)
		xl.xlu_cfg_destroy(im.cfg);
	if (rep)
		fclose(rep);
	free(msgs);
	free(data);
	return rc;
}

/* ---- export ------------------------------------------------------------------ */

/* An xl string: double quotes, with backslash and the quote escaped. */
static void put_str(struct base_buf *b, const char *s)
{
	base_buf_str(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			base_buf_str(b, "\\");
		base_buf_add(b, s, 1);
	}
	base_buf_str(b, "\"");
}

static void put_kv(struct base_buf *b, const char *key, const char *value)
{
	base_buf_printf(b, "%s = ", key);
	put_str(b, value);
	base_buf_str(b, "\n");
}

static void put_disks(struct base_buf *b, const struct hv_guest *g)
{
	char (*names)[16] = calloc(g->n_disks + 1, 16);

	if (!names) {
		b->oom = true;
		return;
	}
	base_buf_str(b, "disk = [\n");
	for (size_t i = 0; i < g->n_disks; i++) {
		const struct hv_disk *d = &g->disks[i];
		/* Without format= xl assumes raw, as the model does. */
		const char *fmt = d->format ? d->format :
			d->kind == HV_DISK_NEW_QCOW2 ? "qcow2" : d->kind == HV_DISK_NEW_RAW ? "raw" : NULL;
		/* Xen has no virtio: such disks become its own PV disks, as in domain XML. */
		const char *bus = d->bus && strcmp(d->bus, "virtio") != 0 ? d->bus :
			d->kind == HV_DISK_CDROM && !g->pv ? "ide" : "xen";
		struct base_buf spec = { 0 };

		if (d->target && strncmp(d->target, "vd", 2) == 0) {
			snprintf(names[i], 16, "x%s", d->target);
		} else if (d->target) {
			snprintf(names[i], 16, "%s", d->target);
		} else {
			/* The next name of the bus nobody else asked for. */
			for (unsigned k = 0;; k++) {
				bool taken = false;

				hv_disk_target(bus, k, names[i], 16);
				for (size_t j = 0; j < g->n_disks && !taken; j++)
					taken = (g->disks[j].target &&
						 strcmp(g->disks[j].target, names[i]) == 0) ||
						(j < i && strcmp(names[j], names[i]) == 0);
				if (!taken)
					break;
			}
		}
		/* xl calls the vpc format vhd. */
		if (fmt)
			base_buf_printf(&spec, "format=%s, ", strcmp(fmt, "vpc") == 0 ? "vhd" : fmt);
		base_buf_printf(&spec, "vdev=%s, access=%s", names[i],
				d->readonly || d->kind == HV_DISK_CDROM ? "ro" : "rw");
		if (d->kind == HV_DISK_CDROM)
			base_buf_str(&spec, ", devtype=cdrom");
		if (d->kind == HV_DISK_BLOCK)
			base_buf_str(&spec, ", backendtype=phy");
		/* target= comes last: it is the one value that may hold commas. */
		base_buf_printf(&spec, ", target=%s", d->path ? d->path : "");
		if (spec.oom)
			b->oom = true;
		base_buf_str(b, "\t");
		if (spec.s) {
			char *q = spec.s;

			/* Single quotes as xl's own examples, escaped where the path has them. */
			base_buf_str(b, "'");
			for (; *q; q++) {
				if (*q == '\'' || *q == '\\')
					base_buf_str(b, "\\");
				base_buf_add(b, q, 1);
			}
			base_buf_str(b, "'");
		}
		base_buf_str(b, ",\n");
		free(spec.s);
	}
	base_buf_str(b, "]\n");
	free(names);
}

int hv_xl_export(const struct hv_guest *g, char **text, char **cause)
{
	struct base_buf b = { 0 };
	static const char boot_letter[] = { [HV_BOOT_HD] = 'c', [HV_BOOT_CDROM] = 'd',
					    [HV_BOOT_NETWORK] = 'n' };

	*text = NULL;
	if (!g->name)
		return base_cause(cause, -EINVAL, _("The guest has no name."));
	base_buf_str(&b, "# xl guest configuration written by ospite; see xl.cfg(5).\n");
	put_kv(&b, "name", g->name);
	if (g->uuid[0])
		put_kv(&b, "uuid", g->uuid);
	put_kv(&b, "type", g->pv ? "pv" : "hvm");
	/* xl counts memory in MiB; a remainder would be lost, so round up. */
	base_buf_printf(&b, "memory = %llu\n", (unsigned long long)(g->memory_kib + 1023) / 1024);
	if (g->max_memory_kib && g->max_memory_kib != g->memory_kib)
		base_buf_printf(&b, "maxmem = %llu\n",
				(unsigned long long)(g->max_memory_kib + 1023) / 1024);
	base_buf_printf(&b, "vcpus = %u\n", g->vcpus);
	if (g->kernel)
		put_kv(&b, "kernel", g->kernel);
	if (g->initrd)
		put_kv(&b, "ramdisk", g->initrd);
	if (g->cmdline)
		put_kv(&b, "cmdline", g->cmdline);
	if (g->pv && g->bootloader)
		put_kv(&b, "bootloader", g->bootloader);
	/* xl takes the arguments as a list: one item each. */
	if (g->pv && g->bootloader_args) {
		char *copy = strdup(g->bootloader_args), *save = NULL;

		if (!copy)
			b.oom = true;
		base_buf_str(&b, "bootloader_args = [");
		for (char *t = copy ? strtok_r(copy, " \t", &save) : NULL; t;
		     t = strtok_r(NULL, " \t", &save)) {
			put_str(&b, t);
			base_buf_str(&b, ", ");
		}
		base_buf_str(&b, "]\n");
		free(copy);
	}
	if (!g->pv) {
		char order[5] = "";
		int k = 0;

		for (int i = 0; i < 4 && g->boot[i] != HV_BOOT_NONE; i++) {
			if ((unsigned)g->boot[i] < sizeof(boot_letter))
				order[k++] = boot_letter[g->boot[i]];
		}
		order[k] = '\0';
		if (k)
			put_kv(&b, "boot", order);
		base_buf_printf(&b, "acpi = %d\napic = %d\npae = %d\n", g->acpi, g->apic, g->pae);
		if (g->serial)
			put_kv(&b, "serial", "pty");
	} else if (g->pae) {
		base_buf_str(&b, "pae = 1\n");
	}
	if (g->n_disks)
		put_disks(&b, g);
	if (g->n_nics) {
		base_buf_str(&b, "vif = [\n");
		for (size_t i = 0; i < g->n_nics; i++) {
			const struct hv_nic *nic = &g->nics[i];

			base_buf_str(&b, "\t'");
			if (nic->mac[0])
				base_buf_printf(&b, "mac=%s, ", nic->mac);
			base_buf_printf(&b, "bridge=%s", nic->bridge ? nic->bridge : "xenbr0");
			if (nic->model)
				base_buf_printf(&b, ", model=%s", nic->model);
			base_buf_str(&b, "',\n");
		}
		base_buf_str(&b, "]\n");
	}
	if (g->vnc) {
		base_buf_str(&b, "vnc = 1\n");
		if (g->vnc_listen)
			put_kv(&b, "vnclisten", g->vnc_listen);
		if (g->vnc_port == -1)
			base_buf_str(&b, "vncunused = 1\n");
		else
			base_buf_printf(&b, "vncdisplay = %d\n", g->vnc_port - 5900);
		if (g->vnc_password)
			put_kv(&b, "vncpasswd", g->vnc_password);
	} else {
		base_buf_str(&b, "vnc = 0\n");
	}
	put_kv(&b, "on_poweroff", hv_lifecycle_name(g->on_poweroff));
	put_kv(&b, "on_reboot", hv_lifecycle_name(g->on_reboot));
	put_kv(&b, "on_crash", hv_lifecycle_name(g->on_crash));
	if (b.oom) {
		free(b.s);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	*text = b.s;
	return 0;
}

size_t hv_xl_fit_disks(struct hv_guest *g, const char *virt_type, struct hv_xl_report *report)
{
	struct imp im = { .g = g, .report = report };
	size_t n = 0;

	if (!virt_type || strcmp(virt_type, "xen") == 0)
		return 0;
	for (size_t i = 0; i < g->n_disks; i++) {
		struct hv_disk *d = &g->disks[i];
		char *target = NULL;

		if (!d->target || strncmp(d->target, "xvd", 3) != 0 ||
		    (d->bus && strcmp(d->bus, "xen") != 0))
			continue;
		/* A CD-ROM cannot be a virtio disk: it goes on SATA, which every QEMU machine has. */
		if (asprintf(&target, "%s%s", d->kind == HV_DISK_CDROM ? "sd" : "vd",
			     d->target + 3) < 0) {
			im.oom = true;
			break;
		}
		if (report)
			/* TRANSLATORS: a line of import-xl's report; %s are disk names: xvda, vda. */
			note(&im, "disk", true, _("Disk %s becomes %s: this hypervisor has no Xen disks."),
			     d->target, target);
		free(d->target);
		d->target = target;
		free(d->bus);
		d->bus = strdup(d->kind == HV_DISK_CDROM ? "sata" : "virtio");
		n++;
	}
	return n;
}
