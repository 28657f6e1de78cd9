/* Changing a defined guest: the list of changes between what was read and what the operator edited, and applying it through libvirt. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <libvirt/virterror.h>
#include <libxml/parser.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int hv_edit_facts(struct hv_conn *conn, const char *name, struct hv_edit_facts *f, char **cause)
{
	virDomainPtr dom;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	f->running = virDomainIsActive(dom) == 1;
	if (f->running) {
		unsigned long max = virDomainGetMaxMemory(dom);

		f->max_kib = max;
	}
	virResetLastError();
	virDomainFree(dom);
	return 0;
}

/* ---- the difference ------------------------------------------------------------ */

static struct hv_change *push(struct hv_change **v, size_t *n, enum hv_change_kind kind,
			      enum hv_when when)
{
	struct hv_change *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		abort();
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].kind = kind;
	nv[*n].when = when;
	return &nv[(*n)++];
}

static const struct hv_disk *disk_by_target(const struct hv_guest *g, const char *target)
{
	for (size_t i = 0; target && i < g->n_disks; i++)
		if (g->disks[i].target && !strcmp(g->disks[i].target, target))
			return &g->disks[i];
	return NULL;
}

static const struct hv_nic *nic_by_mac(const struct hv_guest *g, const char *mac)
{
	for (size_t i = 0; i < g->n_nics; i++)
		if (!strcasecmp(g->nics[i].mac, mac))
			return &g->nics[i];
	return NULL;
}

static bool same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool same_boot(const enum hv_boot_dev *a, const enum hv_boot_dev *b)
{
	for (int i = 0; i < 4; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == HV_BOOT_NONE)
			break;
	}
	return true;
}

static void diff_disks(const struct hv_guest *old, const struct hv_guest *ed, enum hv_when later,
		       struct hv_change **v, size_t *n, int *rc, char **cause)
{
	for (size_t i = 0; i < old->n_disks && *rc == 0; i++) {
		const struct hv_disk *o = &old->disks[i], *e = disk_by_target(ed, o->target);
		struct hv_change *c;

		if (!e) {
			push(v, n, HV_CH_DISK_REMOVE, later)->disk = o;
			continue;
		}
		if (o->kind == HV_DISK_CDROM) {
			if (same_str(o->path, e->path))
				continue;
			c = push(v, n, e->path && *e->path ? HV_CH_CD_INSERT : HV_CH_CD_EJECT, later);
			c->disk = e;
			c->before = o;
			continue;
		}
		if (e->size == o->size || !e->size)
			continue;
		if (e->size < o->size) {
			*rc = base_cause(cause, -EINVAL,
					 _("The disk %s cannot shrink: the guest's data at its end would be lost."),
					 o->target);
			return;
		}
		/* The file grows at once; a running guest is told of its new size. */
		c = push(v, n, HV_CH_DISK_RESIZE, HV_WHEN_NOW);
		c->disk = e;
		c->from = o->size;
		c->to = e->size;
	}
	for (size_t i = 0; i < ed->n_disks; i++)
		if (!disk_by_target(old, ed->disks[i].target))
			push(v, n, HV_CH_DISK_ADD, later)->disk = &ed->disks[i];
}

static void diff_nics(const struct hv_guest *old, const struct hv_guest *ed, enum hv_when later,
		      struct hv_change **v, size_t *n, int *rc, char **cause)
{
	for (size_t i = 0; i < old->n_nics; i++) {
		const struct hv_nic *o = &old->nics[i], *e = nic_by_mac(ed, o->mac);
		struct hv_change *c;

		if (!e) {
			push(v, n, HV_CH_NIC_REMOVE, later)->nic = o;
			continue;
		}
		if (!same_str(o->model, e->model) && e->model) {
			*rc = base_cause(cause, -EINVAL,
					 _("The model of the network card %s cannot change: remove the card and add a new one."),
					 o->mac);
			return;
		}
		if (same_str(o->bridge, e->bridge))
			continue;
		c = push(v, n, HV_CH_NIC_BRIDGE, later);
		c->nic = e;
		c->nic_before = o;
	}
	for (size_t i = 0; i < ed->n_nics; i++)
		if (!ed->nics[i].mac[0] || !nic_by_mac(old, ed->nics[i].mac))
			push(v, n, HV_CH_NIC_ADD, later)->nic = &ed->nics[i];
}

int hv_edit_diff(const struct hv_guest *old, const struct hv_guest *ed,
		 const struct hv_edit_facts *f, struct hv_change **out, size_t *n, char **cause)
{
	struct hv_change *v = NULL, *c;
	size_t count = 0;
	int rc = 0;
	/* A running guest takes most changes at its next start; a shut-off one has nothing else. */
	enum hv_when later = HV_WHEN_NEXT_START;
	enum hv_when live = f->running ? HV_WHEN_NOW : later;

	*out = NULL;
	*n = 0;
	if (old->memory_kib != ed->memory_kib) {
		/* The balloon moves memory within the ceiling the guest started with, never above it. */
		c = push(&v, &count, HV_CH_MEMORY,
			 f->running && ed->memory_kib <= f->max_kib ? HV_WHEN_NOW : later);
		c->from = old->memory_kib;
		c->to = ed->memory_kib;
	}
	if (old->vcpus != ed->vcpus) {
		/* The guests ospite defines have no spare hot-pluggable vCPUs: a new count needs a start. */
		c = push(&v, &count, HV_CH_VCPUS, later);
		c->from = old->vcpus;
		c->to = ed->vcpus;
	}
	if (!same_boot(old->boot, ed->boot)) {
		c = push(&v, &count, HV_CH_BOOT, later);
		c->boot = ed->boot;
		c->boot_before = old->boot;
	}
	diff_disks(old, ed, later, &v, &count, &rc, cause);
	/* A CD changes in the running guest's drive at once. */
	for (size_t i = 0; i < count; i++)
		if (v[i].kind == HV_CH_CD_INSERT || v[i].kind == HV_CH_CD_EJECT)
			v[i].when = live;
	if (rc == 0)
		diff_nics(old, ed, later, &v, &count, &rc, cause);
	if (rc == 0 && old->autostart != ed->autostart) {
		c = push(&v, &count, HV_CH_AUTOSTART, HV_WHEN_NOW);
		c->from = old->autostart;
		c->to = ed->autostart;
	}
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ---- the definition, edited in place ------------------------------------------------ */

static xmlNodePtr first(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr set = hv_xp_nodes(ctx, NULL, expr);
	xmlNodePtr node = NULL;

	if (set && set->nodesetval && set->nodesetval->nodeNr > 0)
		node = set->nodesetval->nodeTab[0];
	xmlXPathFreeObject(set);
	return node;
}

/* A disk by its target, a card by its MAC (@what "" or "/source"); names from libvirt's XML, no quotes in them. */
static xmlNodePtr disk_node(xmlXPathContextPtr ctx, const char *target)
{
	char expr[160];

	if (!target || strchr(target, '\''))
		return NULL;
	snprintf(expr, sizeof(expr), "/domain/devices/disk[target/@dev='%s']", target);
	return first(ctx, expr);
}

static xmlNodePtr nic_node(xmlXPathContextPtr ctx, const char *mac, const char *what)
{
	char expr[160];

	if (strchr(mac, '\''))
		return NULL;
	snprintf(expr, sizeof(expr), "/domain/devices/interface[mac/@address='%s']%s", mac, what);
	return first(ctx, expr);
}

static void drop(xmlNodePtr node)
{
	if (node) {
		xmlUnlinkNode(node);
		xmlFreeNode(node);
	}
}

static void set_count(xmlXPathContextPtr ctx, const char *expr, uint64_t v, bool kib)
{
	xmlXPathObjectPtr set = hv_xp_nodes(ctx, NULL, expr);
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	for (int i = 0; set && set->nodesetval && i < set->nodesetval->nodeNr; i++) {
		xmlNodePtr node = set->nodesetval->nodeTab[i];

		xmlNodeSetContent(node, BAD_CAST num);
		if (kib)
			xmlSetProp(node, BAD_CAST "unit", BAD_CAST "KiB");
		else
			xmlUnsetProp(node, BAD_CAST "current");
	}
	xmlXPathFreeObject(set);
}

static void set_boot(xmlXPathContextPtr ctx, const enum hv_boot_dev *boot)
{
	static const char *const names[] = { NULL, "hd", "cdrom", "network" };
	xmlNodePtr os = first(ctx, "/domain/os");
	xmlNodePtr b;

	if (!os)
		return;
	while ((b = first(ctx, "/domain/os/boot")))
		drop(b);
	for (int i = 0; i < 4 && boot[i] != HV_BOOT_NONE && (unsigned)boot[i] < 4; i++) {
		b = xmlNewChild(os, NULL, BAD_CAST "boot", NULL);
		if (b)
			xmlSetProp(b, BAD_CAST "dev", BAD_CAST names[boot[i]]);
	}
}

static void set_cd(xmlNodePtr disk, const char *path)
{
	xmlNodePtr src = NULL;

	for (xmlNodePtr c = disk->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "source"))
			src = c;
	if (!path || !*path) {
		drop(src);
		return;
	}
	if (!src) {
		src = xmlNewNode(NULL, BAD_CAST "source");
		if (!src)
			return;
		/* libvirt wants <source> before <target>; the drive's first child is <driver>. */
		if (disk->children)
			xmlAddNextSibling(disk->children, src);
		else
			xmlAddChild(disk, src);
	}
	xmlSetProp(src, BAD_CAST "file", BAD_CAST path);
}

static int edit_doc(struct hv_conn *conn, xmlXPathContextPtr ctx, const struct hv_guest *ed,
		    const struct hv_change *ch, size_t n, char **cause)
{
	xmlNodePtr devs = first(ctx, "/domain/devices"), node;

	if (!devs)
		return base_cause(cause, -EINVAL, "%s", _("The guest's definition cannot be read."));
	for (size_t i = 0; i < n; i++) {
		const struct hv_change *c = &ch[i];
		int rc = 0;

		switch (c->kind) {
		case HV_CH_MEMORY:
			set_count(ctx, "/domain/memory | /domain/currentMemory", c->to, true);
			break;
		case HV_CH_VCPUS:
			set_count(ctx, "/domain/vcpu", c->to, false);
			break;
		case HV_CH_BOOT:
			set_boot(ctx, c->boot);
			break;
		case HV_CH_DISK_REMOVE:
			drop(disk_node(ctx, c->disk->target));
			break;
		case HV_CH_DISK_ADD:
			rc = hv_xml_add_disk(devs, ctx, c->disk, conn->xen, ed->pv);
			break;
		case HV_CH_CD_INSERT:
		case HV_CH_CD_EJECT:
			node = disk_node(ctx, c->disk->target);
			if (node)
				set_cd(node, c->kind == HV_CH_CD_INSERT ? c->disk->path : NULL);
			break;
		case HV_CH_NIC_REMOVE:
			drop(nic_node(ctx, c->nic->mac, ""));
			break;
		case HV_CH_NIC_ADD:
			rc = hv_xml_add_nic(devs, c->nic, conn->xen);
			break;
		case HV_CH_NIC_BRIDGE:
			node = nic_node(ctx, c->nic->mac, "/source");
			if (!node)
				return base_cause(cause, -ENOENT,
						  _("The guest has no network card %s on a bridge."),
						  c->nic->mac);
			xmlSetProp(node, BAD_CAST "bridge", BAD_CAST c->nic->bridge);
			break;
		case HV_CH_DISK_RESIZE:
		case HV_CH_AUTOSTART:
			break;
		}
		if (rc < 0)
			return base_cause(cause, rc, _("Could not add a device to the guest's definition."));
	}
	return 0;
}

/* The edited definition saved; -ESTALE when someone saved another since @digest was read. */
static int save(struct hv_conn *conn, const char *name, const char *digest,
		const struct hv_guest *ed, const struct hv_change *ch, size_t n, xmlDocPtr *kept,
		char **cause)
{
	char *xml = hv_inactive_xml(conn, name, cause);
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	xmlChar *buf = NULL;
	virDomainPtr dom = NULL;
	int len = 0, rc = 0;

	if (!xml)
		return -ENOENT;
	rc = hv_digest_check(xml, digest, name, cause);
	if (rc < 0)
		goto out;
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (!ctx) {
		rc = base_cause(cause, -EINVAL, "%s", _("The guest's definition cannot be read."));
		goto out;
	}
	rc = edit_doc(conn, ctx, ed, ch, n, cause);
	if (rc < 0)
		goto out;
	xmlDocDumpMemory(doc, &buf, &len);
	if (!buf) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	dom = virDomainDefineXML(conn->c, (const char *)buf);
	if (!dom)
		rc = base_cause(cause, hv_lv_errno(), _("Could not save the guest %s: %s."), name,
				hv_lv_msg());
out:
	if (dom)
		virDomainFree(dom);
	xmlFree(buf);
	xmlXPathFreeContext(ctx);
	if (rc == 0 && kept)
		*kept = doc;
	else
		xmlFreeDoc(doc);
	free(xml);
	return rc;
}

/* ---- what reaches the guest at once --------------------------------------------------- */

static int resize(struct hv_conn *conn, virDomainPtr dom, bool running, const struct hv_change *c,
		  char **cause)
{
	virStorageVolPtr vol;
	int rc = 0;

	if (running) {
		if (virDomainBlockResize(dom, c->disk->target, c->to, VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
			rc = base_cause(cause, hv_lv_errno(), _("Could not enlarge the disk %s: %s."),
					c->disk->target, hv_lv_msg());
		return rc;
	}
	/* Through the pool's volume, so that libvirt knows the new size (qemu-img for qcow2). */
	vol = c->disk->path ? virStorageVolLookupByPath(conn->c, c->disk->path) : NULL;
	if (!vol)
		return base_cause(cause, -ENOENT,
				  _("The disk %s is not a volume of a storage pool: it cannot be enlarged here."),
				  c->disk->target);
	if (virStorageVolResize(vol, c->to, 0) < 0)
		rc = base_cause(cause, hv_lv_errno(), _("Could not enlarge the disk %s: %s."),
				c->disk->target, hv_lv_msg());
	virStorageVolFree(vol);
	return rc;
}

/* The running guest's CD drive gets the medium the saved definition names. */
static int cd_live(virDomainPtr dom, xmlDocPtr doc, const struct hv_change *c, char **cause)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlNodePtr node = ctx ? disk_node(ctx, c->disk->target) : NULL;
	xmlBufferPtr b = xmlBufferCreate();
	int rc = 0;

	if (!node || !b || xmlNodeDump(b, doc, node, 0, 0) < 0) {
		rc = base_cause(cause, -ENOENT, _("The guest has no CD drive %s."), c->disk->target);
	} else if (virDomainUpdateDeviceFlags(dom, (const char *)xmlBufferContent(b),
					      VIR_DOMAIN_AFFECT_LIVE) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not change the CD in %s: %s."),
				c->disk->target, hv_lv_msg());
	}
	if (b)
		xmlBufferFree(b);
	xmlXPathFreeContext(ctx);
	return rc;
}

static int apply_now(struct hv_conn *conn, const char *name, xmlDocPtr doc,
		     const struct hv_change *ch, size_t n, char **cause)
{
	virDomainPtr dom;
	bool running;
	int rc = hv_lookup(conn, name, &dom, cause);

	if (rc < 0)
		return rc;
	running = virDomainIsActive(dom) == 1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct hv_change *c = &ch[i];

		switch (c->kind) {
		case HV_CH_MEMORY:
			if (c->when == HV_WHEN_NOW && running &&
			    virDomainSetMemoryFlags(dom, c->to, VIR_DOMAIN_AFFECT_LIVE) < 0)
				rc = base_cause(cause, hv_lv_errno(),
						_("The running guest's memory could not change: %s."),
						hv_lv_msg());
			break;
		case HV_CH_CD_INSERT:
		case HV_CH_CD_EJECT:
			if (c->when == HV_WHEN_NOW && running)
				rc = cd_live(dom, doc, c, cause);
			break;
		case HV_CH_DISK_RESIZE:
			rc = resize(conn, dom, running, c, cause);
			break;
		case HV_CH_AUTOSTART:
			if (virDomainSetAutostart(dom, c->to != 0) < 0)
				rc = base_cause(cause, hv_lv_errno(),
						_("Could not set whether the guest %s starts with the host: %s."),
						name, hv_lv_msg());
			break;
		default:
			break;
		}
	}
	virResetLastError();
	virDomainFree(dom);
	return rc;
}

int hv_edit_apply(struct hv_conn *conn, const char *name, const char *digest, unsigned flags,
		  const struct hv_guest *ed, const struct hv_change *ch, size_t n, char **cause)
{
	bool *made = calloc(n + 1, sizeof(*made));
	xmlDocPtr doc = NULL;
	int rc = 0;

	if (!made)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	/* Before anything is made: a guest must not reach host files it was not given. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		enum hv_place place;

		if (ch[i].kind == HV_CH_DISK_ADD ||
		    (ch[i].kind == HV_CH_CD_INSERT && ch[i].disk->path))
			rc = hv_disk_place(conn, ch[i].disk, flags, &place, cause);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct hv_disk *d = ch[i].disk;

		if (ch[i].kind == HV_CH_DISK_ADD &&
		    (d->kind == HV_DISK_NEW_RAW || d->kind == HV_DISK_NEW_QCOW2))
			rc = hv_make_disk(d, &made[i], cause);
	}
	if (rc == 0)
		rc = save(conn, name, digest, ed, ch, n, &doc, cause);
	if (rc < 0) {
		/* Nothing half-made stays behind. */
		for (size_t i = 0; i < n; i++)
			if (made[i])
				unlink(ch[i].disk->path);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (made[i])
			hv_pool_refresh(conn, ch[i].disk->path);
	rc = apply_now(conn, name, doc, ch, n, cause);
out:
	xmlFreeDoc(doc);
	free(made);
	return rc;
}
