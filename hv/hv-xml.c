/* The guest model to libvirt domain XML and back, built with libxml2's tree API and read with XPath. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

/* A document under construction; any allocation failure sets oom and later calls do nothing. */
struct xb {
	xmlDocPtr doc;
	bool oom;
};

static xmlNodePtr el(struct xb *b, xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n;

	if (b->oom || !parent)
		return NULL;
	n = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
	if (!n)
		b->oom = true;
	return n;
}

static void attr(struct xb *b, xmlNodePtr node, const char *name, const char *value)
{
	if (b->oom || !node || !value)
		return;
	if (!xmlNewProp(node, BAD_CAST name, BAD_CAST value))
		b->oom = true;
}

static void attr_u(struct xb *b, xmlNodePtr node, const char *name, unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	attr(b, node, name, s);
}

static xmlNodePtr el_u(struct xb *b, xmlNodePtr parent, const char *name, unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	return el(b, parent, name, s);
}

static const char *const boot_names[] = {
	[HV_BOOT_HD] = "hd", [HV_BOOT_CDROM] = "cdrom", [HV_BOOT_NETWORK] = "network",
};

static const char *disk_bus(const struct hv_disk *d, bool xen, bool pv)
{
	if (d->bus)
		return d->bus;
	if (d->kind == HV_DISK_CDROM)
		return xen ? (pv ? "xen" : "ide") : "sata";
	/* Xen has no virtio; its own block protocol is what guests have drivers for. */
	return xen ? "xen" : "virtio";
}

static const char *disk_format(const struct hv_disk *d)
{
	if (d->format)
		return d->format;
	return d->kind == HV_DISK_NEW_QCOW2 ? "qcow2" : "raw";
}

/* Target names the disks ask for explicitly, so automatic names never collide with them. */
static bool target_taken(const struct hv_guest *g, const char *name, char (*chosen)[16], size_t upto)
{
	for (size_t i = 0; i < g->n_disks; i++) {
		if (g->disks[i].target && strcmp(g->disks[i].target, name) == 0)
			return true;
	}
	for (size_t i = 0; i < upto; i++) {
		if (strcmp(chosen[i], name) == 0)
			return true;
	}
	return false;
}

static void add_disk(struct xb *b, xmlNodePtr devs, const struct hv_guest *g, size_t i,
		     char (*chosen)[16], bool xen)
{
	const struct hv_disk *d = &g->disks[i];
	const char *bus = disk_bus(d, xen, g->pv);
	bool block = d->kind == HV_DISK_BLOCK;
	bool cdrom = d->kind == HV_DISK_CDROM;
	const char *cache = d->cache, *io = d->io;
	xmlNodePtr disk, drv, n;

	if (d->target) {
		snprintf(chosen[i], 16, "%s", d->target);
	} else {
		for (unsigned k = 0;; k++) {
			hv_disk_target(bus, k, chosen[i], 16);
			if (!target_taken(g, chosen[i], chosen, i))
				break;
		}
	}
	if (!xen && !cache && strcmp(bus, "virtio") == 0)
		cache = "none";
	if (!xen && !io && cache && strcmp(cache, "none") == 0)
		io = "native";

	disk = el(b, devs, "disk", NULL);
	attr(b, disk, "type", block ? "block" : "file");
	attr(b, disk, "device", cdrom ? "cdrom" : "disk");
	drv = el(b, disk, "driver", NULL);
	/* On Xen "phy" hands the device to blkback; files go through QEMU's qdisk. */
	attr(b, drv, "name", xen && block ? "phy" : "qemu");
	attr(b, drv, "type", disk_format(d));
	attr(b, drv, "cache", cache);
	attr(b, drv, "io", io);
	if (d->path) {
		n = el(b, disk, "source", NULL);
		attr(b, n, block ? "dev" : "file", d->path);
	}
	n = el(b, disk, "target", NULL);
	attr(b, n, "dev", chosen[i]);
	attr(b, n, "bus", bus);
	if (cdrom || d->readonly)
		el(b, disk, "readonly", NULL);
}

static void add_nic(struct xb *b, xmlNodePtr devs, const struct hv_nic *nic, bool xen)
{
	xmlNodePtr n = el(b, devs, "interface", NULL), c;
	char mac[18];

	attr(b, n, "type", "bridge");
	if (nic->mac[0])
		snprintf(mac, sizeof(mac), "%s", nic->mac);
	else
		hv_mac_generate(xen, mac);
	c = el(b, n, "mac", NULL);
	attr(b, c, "address", mac);
	c = el(b, n, "source", NULL);
	attr(b, c, "bridge", nic->bridge);
	/* Without a model Xen gives HVM guests an emulated card with a PV fast path, PV guests netfront. */
	if (nic->model || !xen) {
		c = el(b, n, "model", NULL);
		attr(b, c, "type", nic->model ? nic->model : "virtio");
	}
}

int hv_xml_add_disk(xmlNodePtr devs, xmlXPathContextPtr ctx, const struct hv_disk *d, bool xen,
		    bool pv)
{
	struct xb b = { devs->doc, false };
	struct hv_guest one;
	struct hv_disk copy = *d;
	char chosen[1][16] = { "" }, name[16], expr[96];

	memset(&one, 0, sizeof(one));
	one.pv = pv;
	one.disks = &copy;
	one.n_disks = 1;
	/* The first free name on its bus, among the disks the definition has now. */
	for (unsigned k = 0; !copy.target; k++) {
		xmlXPathObjectPtr set;
		bool taken;

		hv_disk_target(disk_bus(d, xen, pv), k, name, sizeof(name));
		snprintf(expr, sizeof(expr), "/domain/devices/disk/target[@dev='%s']", name);
		set = hv_xp_nodes(ctx, NULL, expr);
		taken = set && set->nodesetval && set->nodesetval->nodeNr > 0;
		xmlXPathFreeObject(set);
		if (!taken)
			copy.target = name;
		if (k > 64)
			return -ENOSPC;
	}
	add_disk(&b, devs, &one, 0, chosen, xen);
	return b.oom ? -ENOMEM : 0;
}

int hv_xml_add_nic(xmlNodePtr devs, const struct hv_nic *nic, bool xen)
{
	struct xb b = { devs->doc, false };

	add_nic(&b, devs, nic, xen);
	return b.oom ? -ENOMEM : 0;
}

static void add_devices(struct xb *b, xmlNodePtr root, const struct hv_guest *g, bool xen)
{
	xmlNodePtr devs = el(b, root, "devices", NULL), n, t;
	char (*chosen)[16] = calloc(g->n_disks + 1, 16);

	if (!chosen) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < g->n_disks; i++)
		add_disk(b, devs, g, i, chosen, xen);
	free(chosen);
	for (size_t i = 0; i < g->n_nics; i++)
		add_nic(b, devs, &g->nics[i], xen);
	if (g->serial) {
		/* A PV guest has no UART; its console is Xen's own ring. */
		if (!(xen && g->pv)) {
			n = el(b, devs, "serial", NULL);
			attr(b, n, "type", "pty");
			t = el(b, n, "target", NULL);
			attr(b, t, "port", "0");
		}
		n = el(b, devs, "console", NULL);
		attr(b, n, "type", "pty");
		t = el(b, n, "target", NULL);
		attr(b, t, "type", xen && g->pv ? "xen" : "serial");
		attr(b, t, "port", "0");
	}
	if (g->vnc) {
		const char *listen = g->vnc_listen ? g->vnc_listen : "127.0.0.1";

		n = el(b, devs, "graphics", NULL);
		attr(b, n, "type", "vnc");
		if (g->vnc_port == -1) {
			attr(b, n, "port", "-1");
			attr(b, n, "autoport", "yes");
		} else {
			attr_u(b, n, "port", (unsigned)g->vnc_port);
			attr(b, n, "autoport", "no");
		}
		attr(b, n, "listen", listen);
		attr(b, n, "passwd", g->vnc_password);
		t = el(b, n, "listen", NULL);
		attr(b, t, "type", "address");
		attr(b, t, "address", listen);
	}
}

int hv_guest_to_xml(const struct hv_guest *g, const char *virt_type, char **xml, char **cause)
{
	struct xb b = { 0 };
	bool xen = virt_type && strcmp(virt_type, "xen") == 0;
	xmlNodePtr root, os, n;
	xmlChar *mem = NULL;
	int len = 0, rc = 0;

	*xml = NULL;
	if (!virt_type || !*virt_type)
		return base_cause(cause, -EINVAL, _("No hypervisor type was given for the guest."));
	if (!g->name)
		return base_cause(cause, -EINVAL, _("The guest has no name."));
	b.doc = xmlNewDoc(BAD_CAST "1.0");
	root = b.doc ? xmlNewNode(NULL, BAD_CAST "domain") : NULL;
	if (!root) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	xmlDocSetRootElement(b.doc, root);
	attr(&b, root, "type", virt_type);
	el(&b, root, "name", g->name);
	if (g->uuid[0])
		el(&b, root, "uuid", g->uuid);
	n = el_u(&b, root, "memory", g->max_memory_kib ? g->max_memory_kib : g->memory_kib);
	attr(&b, n, "unit", "KiB");
	n = el_u(&b, root, "currentMemory", g->memory_kib);
	attr(&b, n, "unit", "KiB");
	el_u(&b, root, "vcpu", g->vcpus);

	if (g->bootloader)
		el(&b, root, "bootloader", g->bootloader);
	if (g->bootloader_args)
		el(&b, root, "bootloader_args", g->bootloader_args);
	os = el(&b, root, "os", NULL);
	n = el(&b, os, "type", xen && g->pv ? "xen" : "hvm");
	attr(&b, n, "arch", g->arch == HV_ARCH_I686 ? "i686" : "x86_64");
	if (g->kernel)
		el(&b, os, "kernel", g->kernel);
	if (g->initrd)
		el(&b, os, "initrd", g->initrd);
	if (g->cmdline)
		el(&b, os, "cmdline", g->cmdline);
	/* A PV guest starts its kernel directly: there is no firmware to ask for a boot order. */
	for (int i = 0; !(xen && g->pv) && i < 4 && g->boot[i] != HV_BOOT_NONE; i++) {
		if ((unsigned)g->boot[i] >= sizeof(boot_names) / sizeof(boot_names[0]))
			break;
		n = el(&b, os, "boot", NULL);
		attr(&b, n, "dev", boot_names[g->boot[i]]);
	}

	if (g->acpi || g->apic || g->pae) {
		n = el(&b, root, "features", NULL);
		if (g->acpi)
			el(&b, n, "acpi", NULL);
		if (g->apic)
			el(&b, n, "apic", NULL);
		if (g->pae)
			el(&b, n, "pae", NULL);
	}
	if (g->sockets || g->cores || g->threads) {
		n = el(&b, root, "cpu", NULL);
		n = el(&b, n, "topology", NULL);
		attr_u(&b, n, "sockets", g->sockets);
		attr_u(&b, n, "cores", g->cores);
		attr_u(&b, n, "threads", g->threads);
	}
	el(&b, root, "on_poweroff", hv_lifecycle_name(g->on_poweroff));
	el(&b, root, "on_reboot", hv_lifecycle_name(g->on_reboot));
	el(&b, root, "on_crash", hv_lifecycle_name(g->on_crash));
	add_devices(&b, root, g, xen);
	if (b.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	xmlDocDumpFormatMemory(b.doc, &mem, &len, 1);
	if (!mem || !(*xml = strdup((const char *)mem)))
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
out:
	xmlFree(mem);
	xmlFreeDoc(b.doc);
	return rc;
}

/* ---- reading --------------------------------------------------------------- */

xmlXPathObjectPtr hv_xp_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;

	ctx->node = node ? node : xmlDocGetRootElement(ctx->doc);
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (o && o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

char *hv_xp_str(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;
	char *wrapped, *s = NULL;

	if (asprintf(&wrapped, "string(%s)", expr) < 0)
		return NULL;
	ctx->node = node ? node : xmlDocGetRootElement(ctx->doc);
	o = xmlXPathEvalExpression(BAD_CAST wrapped, ctx);
	free(wrapped);
	if (o && o->type == XPATH_STRING && o->stringval && o->stringval[0])
		s = strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	return s;
}

static bool xp_bool(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o = hv_xp_nodes(ctx, node, expr);
	bool r = o && o->nodesetval && o->nodesetval->nodeNr > 0;

	xmlXPathFreeObject(o);
	return r;
}

static bool xp_ull(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr,
		   unsigned long long *v)
{
	char *s = hv_xp_str(ctx, node, expr), *end;
	bool ok = false;

	if (s) {
		errno = 0;
		*v = strtoull(s, &end, 10);
		ok = errno == 0 && end != s && *end == '\0';
	}
	free(s);
	return ok;
}

/* A libvirt <memory unit=...> value in KiB. */
static bool xp_kib(xmlXPathContextPtr ctx, const char *elem, uint64_t *kib)
{
	static const struct { const char *unit; uint64_t mul; bool div; } units[] = {
		{ "b", 1024, true }, { "bytes", 1024, true },
		{ "KB", 1000, false }, { "k", 1, false }, { "KiB", 1, false },
		{ "MB", 1000000, false }, { "M", 1024, false }, { "MiB", 1024, false },
		{ "GB", 1000000000, false }, { "G", 1 << 20, false }, { "GiB", 1 << 20, false },
		{ "T", 1 << 30, false }, { "TiB", 1 << 30, false },
	};
	unsigned long long v;
	char expr[64], *unit;
	bool ok;

	if (!xp_ull(ctx, NULL, elem, &v))
		return false;
	snprintf(expr, sizeof(expr), "%s/@unit", elem);
	unit = hv_xp_str(ctx, NULL, expr);
	ok = !unit;
	*kib = v;
	for (size_t i = 0; unit && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].unit) != 0)
			continue;
		/* KB and MB are decimal: scale to bytes, then to KiB. */
		if (units[i].div)
			*kib = v / units[i].mul;
		else if (units[i].mul % 1000 == 0)
			*kib = v * units[i].mul / 1024;
		else
			*kib = v * units[i].mul;
		ok = true;
	}
	free(unit);
	return ok;
}

static int read_disk(xmlXPathContextPtr ctx, xmlNodePtr node, struct hv_guest *g)
{
	char *type = hv_xp_str(ctx, node, "@type");
	char *device = hv_xp_str(ctx, node, "@device");
	struct hv_disk *d;
	int rc = 0;

	/* Network and pool volumes have no place in the model; they are left out. */
	if (type && strcmp(type, "file") != 0 && strcmp(type, "block") != 0)
		goto out;
	if (device && strcmp(device, "disk") != 0 && strcmp(device, "cdrom") != 0)
		goto out;
	d = hv_guest_add_disk(g);
	if (!d) {
		rc = -ENOMEM;
		goto out;
	}
	if (device && strcmp(device, "cdrom") == 0)
		d->kind = HV_DISK_CDROM;
	else if (type && strcmp(type, "block") == 0)
		d->kind = HV_DISK_BLOCK;
	else
		d->kind = HV_DISK_FILE;
	d->path = hv_xp_str(ctx, node, d->kind == HV_DISK_BLOCK ? "source/@dev" : "source/@file");
	d->format = hv_xp_str(ctx, node, "driver/@type");
	d->target = hv_xp_str(ctx, node, "target/@dev");
	d->bus = hv_xp_str(ctx, node, "target/@bus");
	d->cache = hv_xp_str(ctx, node, "driver/@cache");
	d->io = hv_xp_str(ctx, node, "driver/@io");
	d->readonly = xp_bool(ctx, node, "readonly");
out:
	free(type);
	free(device);
	return rc;
}

static int read_nic(xmlXPathContextPtr ctx, xmlNodePtr node, struct hv_guest *g)
{
	struct hv_nic *nic = hv_guest_add_nic(g);
	char *mac;

	if (!nic)
		return -ENOMEM;
	nic->bridge = hv_xp_str(ctx, node, "source/@bridge");
	nic->model = hv_xp_str(ctx, node, "model/@type");
	mac = hv_xp_str(ctx, node, "mac/@address");
	if (mac)
		snprintf(nic->mac, sizeof(nic->mac), "%s", mac);
	free(mac);
	return 0;
}

static int read_list(xmlXPathContextPtr ctx, const char *expr, struct hv_guest *g,
		     int (*fn)(xmlXPathContextPtr, xmlNodePtr, struct hv_guest *))
{
	xmlXPathObjectPtr o = hv_xp_nodes(ctx, NULL, expr);
	int rc = 0;

	for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr && rc == 0; i++)
		rc = fn(ctx, o->nodesetval->nodeTab[i], g);
	xmlXPathFreeObject(o);
	return rc;
}

static void read_graphics(xmlXPathContextPtr ctx, struct hv_guest *g)
{
	xmlXPathObjectPtr o = hv_xp_nodes(ctx, NULL, "/domain/devices/graphics[@type='vnc']");
	xmlNodePtr node;
	unsigned long long port;
	char *s;

	g->vnc = o && o->nodesetval && o->nodesetval->nodeNr > 0;
	if (!g->vnc)
		goto out;
	node = o->nodesetval->nodeTab[0];
	s = hv_xp_str(ctx, node, "@autoport");
	g->vnc_port = -1;
	if (!(s && strcmp(s, "yes") == 0) && xp_ull(ctx, node, "@port", &port) &&
	    port <= 65535)
		g->vnc_port = (int)port;
	free(s);
	g->vnc_listen = hv_xp_str(ctx, node, "@listen");
	if (!g->vnc_listen)
		g->vnc_listen = hv_xp_str(ctx, node, "listen[@type='address']/@address");
	g->vnc_password = hv_xp_str(ctx, node, "@passwd");
out:
	xmlXPathFreeObject(o);
}

static void read_os(xmlXPathContextPtr ctx, struct hv_guest *g)
{
	xmlXPathObjectPtr o;
	char *s;
	int lc;

	s = hv_xp_str(ctx, NULL, "/domain/os/type/@arch");
	g->arch = s && (strcmp(s, "i686") == 0 || strcmp(s, "i386") == 0) ? HV_ARCH_I686 :
		HV_ARCH_X86_64;
	free(s);
	s = hv_xp_str(ctx, NULL, "/domain/os/type");
	g->pv = s && (strcmp(s, "xen") == 0 || strcmp(s, "linux") == 0);
	free(s);
	g->kernel = hv_xp_str(ctx, NULL, "/domain/os/kernel");
	g->initrd = hv_xp_str(ctx, NULL, "/domain/os/initrd");
	g->cmdline = hv_xp_str(ctx, NULL, "/domain/os/cmdline");
	g->bootloader = hv_xp_str(ctx, NULL, "/domain/bootloader");
	g->bootloader_args = hv_xp_str(ctx, NULL, "/domain/bootloader_args");
	o = hv_xp_nodes(ctx, NULL, "/domain/os/boot/@dev");
	for (int i = 0, k = 0; o && o->nodesetval && i < o->nodesetval->nodeNr && k < 4; i++) {
		xmlChar *dev = xmlNodeGetContent(o->nodesetval->nodeTab[i]);

		for (size_t b = 1; dev && b < sizeof(boot_names) / sizeof(boot_names[0]); b++) {
			if (strcmp((const char *)dev, boot_names[b]) == 0)
				g->boot[k++] = b;
		}
		xmlFree(dev);
	}
	xmlXPathFreeObject(o);
	g->acpi = xp_bool(ctx, NULL, "/domain/features/acpi");
	g->apic = xp_bool(ctx, NULL, "/domain/features/apic");
	g->pae = xp_bool(ctx, NULL, "/domain/features/pae");
	s = hv_xp_str(ctx, NULL, "/domain/on_poweroff");
	lc = hv_lifecycle_parse(s);
	g->on_poweroff = lc < 0 ? HV_LC_DESTROY : (enum hv_lifecycle)lc;
	free(s);
	s = hv_xp_str(ctx, NULL, "/domain/on_reboot");
	lc = hv_lifecycle_parse(s);
	g->on_reboot = lc < 0 ? HV_LC_RESTART : (enum hv_lifecycle)lc;
	free(s);
	s = hv_xp_str(ctx, NULL, "/domain/on_crash");
	lc = hv_lifecycle_parse(s);
	g->on_crash = lc < 0 ? HV_LC_DESTROY : (enum hv_lifecycle)lc;
	free(s);
}

int hv_guest_from_xml(const char *xml, struct hv_guest **out, char **cause)
{
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	struct hv_guest *g = NULL;
	unsigned long long v;
	uint64_t max = 0;
	char *s;
	int rc = 0;

	*out = NULL;
	doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !xmlDocGetRootElement(doc) ||
	    strcmp((const char *)xmlDocGetRootElement(doc)->name, "domain") != 0) {
		rc = base_cause(cause, -EINVAL, _("The guest description is not valid domain XML."));
		goto out;
	}
	ctx = xmlXPathNewContext(doc);
	g = calloc(1, sizeof(*g));
	if (!ctx || !g) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	hv_guest_init(g);
	g->boot[0] = HV_BOOT_NONE;
	g->name = hv_xp_str(ctx, NULL, "/domain/name");
	if (!g->name) {
		rc = base_cause(cause, -EINVAL, _("The guest description has no name."));
		goto out;
	}
	s = hv_xp_str(ctx, NULL, "/domain/uuid");
	if (s)
		snprintf(g->uuid, sizeof(g->uuid), "%s", s);
	free(s);
	if (!xp_kib(ctx, "/domain/memory", &max)) {
		rc = base_cause(cause, -EINVAL, _("The guest description has no valid memory size."));
		goto out;
	}
	if (!xp_kib(ctx, "/domain/currentMemory", &g->memory_kib))
		g->memory_kib = max;
	/* Normalised so that a guest without ballooning room reads back with 0, as it was made. */
	g->max_memory_kib = max != g->memory_kib ? max : 0;
	if (xp_ull(ctx, NULL, "/domain/vcpu/@current", &v) ||
	    xp_ull(ctx, NULL, "/domain/vcpu", &v))
		g->vcpus = v;
	if (xp_ull(ctx, NULL, "/domain/cpu/topology/@sockets", &v))
		g->sockets = v;
	if (xp_ull(ctx, NULL, "/domain/cpu/topology/@cores", &v))
		g->cores = v;
	if (xp_ull(ctx, NULL, "/domain/cpu/topology/@threads", &v))
		g->threads = v;
	read_os(ctx, g);
	rc = read_list(ctx, "/domain/devices/disk", g, read_disk);
	if (rc == 0)
		rc = read_list(ctx, "/domain/devices/interface[@type='bridge']", g, read_nic);
	if (rc < 0) {
		rc = base_cause(cause, rc, _("Out of memory."));
		goto out;
	}
	g->serial = xp_bool(ctx, NULL, "/domain/devices/serial[@type='pty'] | "
			    "/domain/devices/console[@type='pty']");
	read_graphics(ctx, g);
	*out = g;
	g = NULL;
out:
	hv_guest_free(g);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rc;
}
