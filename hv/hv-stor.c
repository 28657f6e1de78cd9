/* What libvirt keeps on the host's storage, for the storage editor: every pool with its volumes, every guest's disks; pools made and removed. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hv_pools_free(struct hv_pool_info *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].name);
		free(p[i].type);
		free(p[i].target);
		free(p[i].source_dev);
		free(p[i].source_name);
		for (size_t k = 0; k < p[i].n_vols; k++) {
			free(p[i].vols[k].name);
			free(p[i].vols[k].path);
		}
		free(p[i].vols);
	}
	free(p);
}

static int read_vols(virStoragePoolPtr pool, struct hv_pool_info *pi)
{
	virStorageVolPtr *vols = NULL;
	int nv = virStoragePoolListAllVolumes(pool, &vols, 0);

	if (nv <= 0) {
		/* Even with no volume the list is an allocated, empty array. */
		free(vols);
		virResetLastError();
		return 0;
	}
	pi->vols = calloc(nv, sizeof(*pi->vols));
	for (int k = 0; k < nv; k++) {
		virStorageVolInfo info;

		if (pi->vols) {
			struct hv_vol_info *v = &pi->vols[pi->n_vols++];
			const char *name = virStorageVolGetName(vols[k]);

			v->name = strdup(name ? name : "");
			v->path = virStorageVolGetPath(vols[k]);
			if (virStorageVolGetInfo(vols[k], &info) == 0) {
				v->capacity = info.capacity;
				v->allocation = info.allocation;
			}
		}
		virStorageVolFree(vols[k]);
	}
	free(vols);
	virResetLastError();
	return pi->vols ? 0 : -ENOMEM;
}

int hv_pools(struct hv_conn *conn, struct hv_pool_info **out, size_t *n, char **cause)
{
	virStoragePoolPtr *pools = NULL;
	int np = virConnectListAllStoragePools(conn->c, &pools, 0);
	struct hv_pool_info *v;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (np < 0) {
		if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT) {
			virResetLastError();
			return 0;
		}
		return base_cause(cause, hv_lv_errno(), _("Could not list the storage pools: %s."),
				  hv_lv_msg());
	}
	v = calloc(np ? np : 1, sizeof(*v));
	if (!v)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	for (int i = 0; i < np; i++) {
		struct hv_pool_info *pi = v ? &v[i] : NULL;
		virStoragePoolInfo info;
		char *xml = NULL;
		xmlDocPtr doc = NULL;
		xmlXPathContextPtr ctx = NULL;
		const char *name = virStoragePoolGetName(pools[i]);

		if (!pi)
			goto next;
		pi->name = strdup(name ? name : "");
		pi->active = virStoragePoolIsActive(pools[i]) == 1;
		if (virStoragePoolGetInfo(pools[i], &info) == 0) {
			pi->capacity = info.capacity;
			pi->allocation = info.allocation;
			pi->available = info.available;
		}
		xml = virStoragePoolGetXMLDesc(pools[i], 0);
		doc = xml ? xmlReadMemory(xml, strlen(xml), "pool.xml", NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) :
			    NULL;
		ctx = doc ? xmlXPathNewContext(doc) : NULL;
		if (ctx) {
			pi->type = hv_xp_str(ctx, NULL, "/pool/@type");
			pi->target = hv_xp_str(ctx, NULL, "/pool/target/path");
			pi->source_dev = hv_xp_str(ctx, NULL, "/pool/source/device/@path");
			pi->source_name = hv_xp_str(ctx, NULL, "/pool/source/name");
		}
		if (pi->active && read_vols(pools[i], pi) < 0)
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
		free(xml);
next:
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	virResetLastError();
	if (rc < 0) {
		hv_pools_free(v, np);
		return rc;
	}
	*out = v;
	*n = (size_t)np;
	return 0;
}

void hv_guest_disks_free(struct hv_guest_disks *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++) {
		for (size_t k = 0; k < g[i].n; k++)
			free(g[i].paths[k]);
		free(g[i].paths);
		free(g[i].block);
	}
	free(g);
}

/* The path of volume @vol in pool @pool, for a disk of type 'volume'; NULL when unknown. */
static char *volume_path(struct hv_conn *conn, const char *pool, const char *vol)
{
	virStoragePoolPtr p = virStoragePoolLookupByName(conn->c, pool);
	virStorageVolPtr v = p ? virStorageVolLookupByName(p, vol) : NULL;
	char *path = v ? virStorageVolGetPath(v) : NULL;

	if (v)
		virStorageVolFree(v);
	if (p)
		virStoragePoolFree(p);
	virResetLastError();
	return path;
}

/*
 * The disks of one guest from its XML: the live one while it runs (a disk plugged in since it
 * started counts), its definition otherwise. Files, devices, and volumes resolved to their paths.
 */
static int guest_paths(struct hv_conn *conn, virDomainPtr dom, bool live, struct hv_guest_disks *g)
{
	char *xml = virDomainGetXMLDesc(dom, live ? 0 : VIR_DOMAIN_XML_INACTIVE);
	xmlDocPtr doc = xml ? xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) :
			    NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = ctx ? hv_xp_nodes(ctx, NULL, "/domain/devices/disk") : NULL;
	int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0, rc = 0;

	g->paths = calloc(n ? n : 1, sizeof(*g->paths));
	g->block = calloc(n ? n : 1, sizeof(*g->block));
	if (!g->paths || !g->block)
		rc = -ENOMEM;
	for (int i = 0; rc == 0 && i < n; i++) {
		xmlNodePtr d = o->nodesetval->nodeTab[i];
		char *type = hv_xp_str(ctx, d, "@type");
		char *path = hv_xp_str(ctx, d, "source/@file");

		if (!path)
			path = hv_xp_str(ctx, d, "source/@dev");
		if (!path && type && !strcmp(type, "volume")) {
			char *pool = hv_xp_str(ctx, d, "source/@pool");
			char *vol = hv_xp_str(ctx, d, "source/@volume");

			if (pool && vol)
				path = volume_path(conn, pool, vol);
			free(pool);
			free(vol);
		}
		if (path) {
			g->block[g->n] = type && !strcmp(type, "block");
			g->paths[g->n++] = path;
		}
		free(type);
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	virResetLastError();
	return rc;
}

int hv_guests_disks(struct hv_conn *conn, struct hv_guest_disks **out, size_t *n, char **cause)
{
	struct hv_dom_stat *st = NULL;
	struct hv_guest_disks *v;
	size_t ns = 0;
	int rc = hv_list(conn, &st, &ns, cause);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	v = calloc(ns ? ns : 1, sizeof(*v));
	if (!v) {
		free(st);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	for (size_t i = 0; i < ns; i++) {
		virDomainPtr dom = virDomainLookupByName(conn->c, st[i].name);
		bool off = st[i].state == HV_STATE_SHUTOFF || st[i].state == HV_STATE_CRASHED ||
			   st[i].state == HV_STATE_NOSTATE;

		snprintf(v[i].name, sizeof(v[i].name), "%s", st[i].name);
		v[i].state = st[i].state;
		/* A guest that went away meanwhile is listed without disks. */
		if (!dom) {
			virResetLastError();
			continue;
		}
		rc = guest_paths(conn, dom, !off, &v[i]);
		virDomainFree(dom);
		if (rc < 0) {
			hv_guest_disks_free(v, ns);
			free(st);
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
	}
	free(st);
	*out = v;
	*n = ns;
	return 0;
}

int hv_pool_remove(struct hv_conn *conn, const char *name, bool delete_volumes, char **cause)
{
	virStoragePoolPtr p = virStoragePoolLookupByName(conn->c, name);
	int rc = 0;

	if (!p) {
		virResetLastError();
		return base_cause(cause, -ENOENT, _("There is no storage pool %s."), name);
	}
	if (delete_volumes && virStoragePoolIsActive(p) == 1) {
		virStorageVolPtr *vols = NULL;
		int nv = virStoragePoolListAllVolumes(p, &vols, 0);

		for (int k = 0; k < nv; k++) {
			if (rc == 0 && virStorageVolDelete(vols[k], 0) < 0)
				rc = base_cause(cause, hv_lv_errno(),
						_("Could not delete the volume %s of the pool %s: %s."),
						virStorageVolGetName(vols[k]), name, hv_lv_msg());
			virStorageVolFree(vols[k]);
		}
		free(vols);
		if (rc < 0)
			goto out;
	}
	if (virStoragePoolIsActive(p) == 1 && virStoragePoolDestroy(p) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not stop the storage pool %s: %s."), name,
				hv_lv_msg());
		goto out;
	}
	if (virStoragePoolIsPersistent(p) == 1 && virStoragePoolUndefine(p) < 0)
		rc = base_cause(cause, hv_lv_errno(), _("Could not remove the storage pool %s: %s."),
				name, hv_lv_msg());
out:
	virStoragePoolFree(p);
	virResetLastError();
	return rc;
}

int hv_pool_logical(struct hv_conn *conn, const char *name, const char *device, char **cause)
{
	virStoragePoolPtr p;
	xmlChar *edev;
	char *xml = NULL;
	int rc = 0;

	if (!hv_name_valid(name))
		return base_cause(cause, -EINVAL, _("\"%s\" is not a usable pool name."), name);
	edev = xmlEncodeSpecialChars(NULL, (const xmlChar *)device);
	if (!edev || asprintf(&xml,
			      "<pool type='logical'><name>%s</name><source><device path='%s'/>"
			      "<name>%s</name><format type='lvm2'/></source>"
			      "<target><path>/dev/%s</path></target></pool>",
			      name, (const char *)edev, name, name) < 0) {
		xmlFree(edev);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	xmlFree(edev);
	p = virStoragePoolDefineXML(conn->c, xml, 0);
	free(xml);
	if (!p)
		return base_cause(cause, hv_lv_errno(), _("Could not define the storage pool %s: %s."),
				  name, hv_lv_msg());
	/* Building it makes the volume group (vgcreate) on the device. */
	if (virStoragePoolBuild(p, 0) < 0 || virStoragePoolCreate(p, 0) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not start the storage pool %s: %s."),
				name, hv_lv_msg());
		virStoragePoolUndefine(p);
		goto out;
	}
	if (virStoragePoolSetAutostart(p, 1) < 0)
		virResetLastError();
out:
	virStoragePoolFree(p);
	virResetLastError();
	return rc;
}
