/* Live and offline migration of a guest between two hosts: pre-flight checks, the job with its progress and abort, and cleanup after a failure. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>

/* How much of a volume is compared to tell one shared file from two files of the same size. */
#define PROBE_BYTES (1024 * 1024)

unsigned hv_mig_offered(bool xen)
{
	/* libxl migrates with LIVE, PERSIST_DEST, UNDEFINE_SOURCE, PAUSED, P2P, TUNNELLED only. */
	if (xen)
		return 0;
	return HV_MIG_CAN_COPY_STORAGE | HV_MIG_CAN_DOWNTIME | HV_MIG_CAN_BANDWIDTH |
	       HV_MIG_CAN_AUTOCONVERGE | HV_MIG_CAN_POSTCOPY;
}

int hv_mig_flags(bool xen, const struct hv_mig_opts *o, bool shared_checked, unsigned long *flags,
		 char **cause)
{
	unsigned long f = VIR_MIGRATE_PERSIST_DEST;

	*flags = 0;
	if (xen) {
		const char *what = o->copy_storage ? _("copying storage") :
				   o->auto_converge ? _("auto-converge") :
				   o->postcopy ? _("post-copy") :
				   o->bandwidth_mib ? _("a bandwidth limit") :
				   o->max_downtime_ms ? _("a maximum downtime") : NULL;
		if (what)
			return base_cause(cause, -ENOTSUP,
					  _("Xen cannot migrate with %s: libxl has no such option."),
					  what);
	}
	if (!o->keep_source)
		f |= VIR_MIGRATE_UNDEFINE_SOURCE;
	if (o->mode == HV_MIG_LIVE)
		f |= VIR_MIGRATE_LIVE;
	if (!xen) {
		if (o->copy_storage)
			f |= VIR_MIGRATE_NON_SHARED_DISK;
		if (o->auto_converge)
			f |= VIR_MIGRATE_AUTO_CONVERGE;
		if (o->postcopy)
			f |= VIR_MIGRATE_POSTCOPY;
		/* libvirt calls a shared disk without cache=none unsafe; ours were checked shared. */
		if (shared_checked)
			f |= VIR_MIGRATE_UNSAFE;
	}
	*flags = f;
	return 0;
}

/* ---- pre-flight ----------------------------------------------------------------- */

static void check_add(struct hv_preflight *pf, enum hv_check_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check_add(struct hv_preflight *pf, enum hv_check_level level, const char *fmt, ...)
{
	struct hv_check *n = realloc(pf->items, (pf->n + 1) * sizeof(*n));
	va_list ap;
	char *text = NULL;

	if (!n)
		abort();
	pf->items = n;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	pf->items[pf->n].level = level;
	pf->items[pf->n].text = text;
	pf->n++;
	if (level == HV_CHECK_REFUSE)
		pf->refused = true;
}

void hv_preflight_clear(struct hv_preflight *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		free(pf->items[i].text);
	free(pf->items);
	for (size_t i = 0; i < pf->n_disks; i++) {
		free(pf->disks[i].target);
		free(pf->disks[i].path);
		free(pf->disks[i].format);
	}
	free(pf->disks);
	memset(pf, 0, sizeof(*pf));
}

bool hv_alive(struct hv_conn *conn)
{
	return conn && conn->c && virConnectIsAlive(conn->c) == 1;
}

/* The host UUID of a connection's capabilities, for telling a host from itself. */
static char *host_uuid(struct hv_conn *conn)
{
	char *caps = virConnectGetCapabilities(conn->c), *u = NULL;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;

	if (!caps)
		return NULL;
	doc = xmlReadMemory(caps, strlen(caps), "caps.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (ctx)
		u = hv_xp_str(ctx, NULL, "/capabilities/host/uuid");
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(caps);
	return u;
}

/* The first @len bytes of a volume, read through libvirt (the file may be on another host). */
static ssize_t vol_head(virConnectPtr c, virStorageVolPtr vol, char *buf, size_t len)
{
	virStreamPtr st = virStreamNew(c, 0);
	size_t got = 0;

	if (!st)
		return -1;
	if (virStorageVolDownload(vol, st, 0, len, 0) < 0) {
		virStreamFree(st);
		return -1;
	}
	while (got < len) {
		int n = virStreamRecv(st, buf + got, len - got);

		if (n <= 0) {
			if (n < 0) {
				virStreamAbort(st);
				virStreamFree(st);
				return -1;
			}
			break;
		}
		got += (size_t)n;
	}
	if (got < len)
		virStreamFinish(st);
	else
		virStreamAbort(st);   /* stop the transfer: the rest is not needed */
	virStreamFree(st);
	virResetLastError();
	return (ssize_t)got;
}

/* Both hosts' volumes at the same path hold the same bytes at their start. */
static int same_head(struct hv_conn *src, virStorageVolPtr sv, struct hv_conn *dst,
		     virStorageVolPtr dv)
{
	char *a = malloc(PROBE_BYTES), *b = malloc(PROBE_BYTES);
	ssize_t na, nb;
	int r = -1;

	if (a && b) {
		na = vol_head(src->c, sv, a, PROBE_BYTES);
		nb = vol_head(dst->c, dv, b, PROBE_BYTES);
		if (na >= 0 && nb >= 0)
			r = na == nb && memcmp(a, b, (size_t)na) == 0;
	}
	free(a);
	free(b);
	return r;
}

static void refresh_pools(struct hv_conn *conn)
{
	virStoragePoolPtr *pools = NULL;
	int n = virConnectListAllStoragePools(conn->c, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

	for (int i = 0; i < n; i++) {
		virStoragePoolRefresh(pools[i], 0);
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	virResetLastError();
}

/* The active pool of @conn whose folder is @dir, with its free bytes; NULL when none. */
static virStoragePoolPtr pool_for_dir(struct hv_conn *conn, const char *dir, uint64_t *avail)
{
	virStoragePoolPtr *pools = NULL, found = NULL;
	int n = virConnectListAllStoragePools(conn->c, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

	for (int i = 0; i < n; i++) {
		char *xml = found ? NULL : virStoragePoolGetXMLDesc(pools[i], 0);
		xmlDocPtr doc = xml ? xmlReadMemory(xml, strlen(xml), "pool.xml", NULL,
						    XML_PARSE_NONET | XML_PARSE_NOERROR |
							    XML_PARSE_NOWARNING) : NULL;
		xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
		char *path = ctx ? hv_xp_str(ctx, NULL, "/pool/target/path") : NULL;
		char *type = ctx ? hv_xp_str(ctx, NULL, "/pool/@type") : NULL;

		if (path && type && strcmp(path, dir) == 0 &&
		    (!strcmp(type, "dir") || !strcmp(type, "fs") || !strcmp(type, "netfs"))) {
			virStoragePoolInfo info;

			found = pools[i];
			*avail = virStoragePoolGetInfo(found, &info) == 0 ? info.available : 0;
		}
		free(path);
		free(type);
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
		free(xml);
		if (pools[i] != found)
			virStoragePoolFree(pools[i]);
	}
	free(pools);
	virResetLastError();
	return found;
}

static char *dir_of(const char *path)
{
	char *d = strdup(path), *slash = d ? strrchr(d, '/') : NULL;

	if (slash && slash != d)
		*slash = '\0';
	else if (slash)
		slash[1] = '\0';
	return d;
}

static void fmt_size(uint64_t b, char *out, size_t len)
{
	if (b >= (1ull << 30))
		snprintf(out, len, "%.1f GiB", (double)b / (1ull << 30));
	else
		snprintf(out, len, "%llu MiB", (unsigned long long)(b >> 20));
}

/* Storage: one line per disk; fills pf->disks. */
static void check_disks(struct hv_conn *src, struct hv_conn *dst, virDomainPtr dom,
			xmlXPathContextPtr ctx, const struct hv_mig_opts *o, struct hv_preflight *pf)
{
	xmlXPathObjectPtr disks = hv_xp_nodes(ctx, NULL, "/domain/devices/disk");
	int nd = disks && disks->nodesetval ? disks->nodesetval->nodeNr : 0;
	bool refreshed = false;

	for (int i = 0; i < nd; i++) {
		xmlNodePtr node = disks->nodesetval->nodeTab[i];
		char *device = hv_xp_str(ctx, node, "@device");
		char *path = hv_xp_str(ctx, node, "source/@file");
		char *target = hv_xp_str(ctx, node, "target/@dev");
		char *format = hv_xp_str(ctx, node, "driver/@type");
		char *ro_s = hv_xp_str(ctx, node, "readonly"), *sh_s = hv_xp_str(ctx, node, "shareable");
		bool ro = ro_s != NULL, shareable = sh_s != NULL;
		bool cdrom = device && (!strcmp(device, "cdrom") || !strcmp(device, "floppy"));
		virStorageVolPtr sv = NULL, dv = NULL;
		virStorageVolInfo si, di;
		virDomainBlockInfo bi;
		struct hv_mig_disk d = {0};
		char sz[32];

		if (!path)
			path = hv_xp_str(ctx, node, "source/@dev");
		if (!path || !target) {
			/* No medium in the drive, or a network disk: nothing lives on a host. */
			if (!path && !cdrom && target)
				check_add(pf, HV_CHECK_WARN,
					  _("Disk %s is not a file or a device; it is taken as reachable from both hosts."),
					  target);
			goto next;
		}
		if (!refreshed) {
			refresh_pools(src);
			refresh_pools(dst);
			refreshed = true;
		}
		d.target = strdup(target);
		d.path = strdup(path);
		d.format = strdup(format ? format : "raw");
		/* Other guests may read such a disk too: copied maybe, never removed here. */
		d.keep_here = ro || shareable;
		sv = virStorageVolLookupByPath(src->c, path);
		if (sv && virStorageVolGetInfo(sv, &si) == 0) {
			d.capacity = si.capacity;
			d.allocation = si.allocation;
		} else if (virDomainGetBlockInfo(dom, target, &bi, 0) == 0) {
			d.capacity = bi.capacity;
			d.allocation = bi.allocation;
		}
		dv = virStorageVolLookupByPath(dst->c, path);
		virResetLastError();
		if (dv && virStorageVolGetInfo(dv, &di) == 0) {
			int same = sv ? same_head(src, sv, dst, dv) : -1;

			if (cdrom || ro) {
				check_add(pf, HV_CHECK_OK, _("%s (%s) is on the destination too."),
					  target, path);
				d.shared = true;
			} else if (di.capacity != d.capacity) {
				check_add(pf, HV_CHECK_REFUSE,
					  _("%s (%s) exists on the destination with another size: it is not the same disk."),
					  target, path);
			} else if (same == 0) {
				check_add(pf, HV_CHECK_REFUSE,
					  _("%s (%s) exists on the destination with other contents: it is not the same disk."),
					  target, path);
			} else if (same < 0) {
				/* Two files of one size are not one disk: without proof, it is not shared. */
				check_add(pf, HV_CHECK_REFUSE,
					  _("%s (%s) exists on the destination, but whether it is the same disk could not be checked."),
					  target, path);
			} else {
				fmt_size(d.capacity, sz, sizeof(sz));
				check_add(pf, HV_CHECK_OK, _("%s (%s, %s) is shared with the destination."),
					  target, path, sz);
				d.shared = true;
			}
		} else if (cdrom) {
			check_add(pf, HV_CHECK_REFUSE,
				  _("The CD image %s is not on the destination: eject it first."), path);
		} else if (hv_is_xen(src)) {
			check_add(pf, HV_CHECK_REFUSE,
				  _("%s (%s) is not on storage the destination shares, and Xen cannot copy storage during a migration."),
				  target, path);
		} else if (!o->copy_storage) {
			check_add(pf, HV_CHECK_REFUSE,
				  _("%s (%s) is not on storage the destination shares, and copying storage is off."),
				  target, path);
		} else if (!sv) {
			check_add(pf, HV_CHECK_REFUSE,
				  _("%s (%s) is in no storage pool on the source, so it cannot be copied."),
				  target, path);
		} else {
			char *dir = dir_of(path);
			uint64_t avail = 0;
			virStoragePoolPtr pool = dir ? pool_for_dir(dst, dir, &avail) : NULL;
			char need[32], have[32];

			fmt_size(d.allocation, need, sizeof(need));
			fmt_size(avail, have, sizeof(have));
			if (!pool)
				check_add(pf, HV_CHECK_REFUSE,
					  _("%s cannot be copied: the destination has no active storage pool for the folder %s."),
					  target, dir ? dir : path);
			else if (avail < d.allocation)
				check_add(pf, HV_CHECK_REFUSE,
					  _("%s cannot be copied: it needs %s and the destination's pool has %s free."),
					  target, need, have);
			else {
				check_add(pf, avail < d.capacity ? HV_CHECK_WARN : HV_CHECK_OK,
					  _("%s (%s, %s used) will be copied; the destination's pool has %s free."),
					  target, path, need, have);
				d.copy = true;
			}
			if (pool)
				virStoragePoolFree(pool);
			free(dir);
		}
		{
			struct hv_mig_disk *n = realloc(pf->disks, (pf->n_disks + 1) * sizeof(*n));

			if (!n)
				abort();
			pf->disks = n;
			pf->disks[pf->n_disks++] = d;
			memset(&d, 0, sizeof(d));
		}
next:
		free(d.target);
		free(d.path);
		free(d.format);
		if (sv)
			virStorageVolFree(sv);
		if (dv)
			virStorageVolFree(dv);
		free(device);
		free(path);
		free(target);
		free(format);
		free(ro_s);
		free(sh_s);
	}
	xmlXPathFreeObject(disks);
	virResetLastError();
}

static void check_nics(struct hv_conn *dst, xmlXPathContextPtr ctx, struct hv_preflight *pf)
{
	xmlXPathObjectPtr nics = hv_xp_nodes(ctx, NULL, "/domain/devices/interface");
	int n = nics && nics->nodesetval ? nics->nodesetval->nodeNr : 0;

	for (int i = 0; i < n; i++) {
		xmlNodePtr node = nics->nodesetval->nodeTab[i];
		char *type = hv_xp_str(ctx, node, "@type");
		char *br = hv_xp_str(ctx, node, "source/@bridge");
		char *net = hv_xp_str(ctx, node, "source/@network");

		if (type && !strcmp(type, "bridge") && br) {
			virInterfacePtr ifc = virInterfaceLookupByName(dst->c, br);

			if (ifc) {
				check_add(pf, HV_CHECK_OK, _("The bridge %s exists on the destination."), br);
				virInterfaceFree(ifc);
			} else if (virGetLastErrorCode() == VIR_ERR_NO_INTERFACE) {
				check_add(pf, HV_CHECK_REFUSE,
					  _("The bridge %s does not exist on the destination."), br);
			} else {
				check_add(pf, HV_CHECK_WARN,
					  _("Whether the destination has the bridge %s could not be checked: %s."),
					  br, hv_lv_msg());
			}
		} else if (type && !strcmp(type, "network") && net) {
			virNetworkPtr nw = virNetworkLookupByName(dst->c, net);

			if (nw && virNetworkIsActive(nw) == 1)
				check_add(pf, HV_CHECK_OK, _("The network %s is active on the destination."),
					  net);
			else
				check_add(pf, HV_CHECK_REFUSE,
					  _("The network %s is not active on the destination."), net);
			if (nw)
				virNetworkFree(nw);
		}
		virResetLastError();
		free(type);
		free(br);
		free(net);
	}
	xmlXPathFreeObject(nics);
}

/*
 * The memory the destination can give a guest: free, plus the buffers and page cache that the
 * kernel drops when a guest needs the room. Free memory alone (virNodeGetFreeMemory) is small on
 * any host that has read files for a while, and refused guests that had room. A driver without
 * memory statistics gives its free memory.
 */
static unsigned long long room_bytes(struct hv_conn *dst)
{
	virNodeMemoryStatsPtr st = NULL;
	unsigned long long kib = 0;
	int n = 0;

	if (virNodeGetMemoryStats(dst->c, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) == 0 &&
	    n > 0 && (st = calloc(n, sizeof(*st))) &&
	    virNodeGetMemoryStats(dst->c, VIR_NODE_MEMORY_STATS_ALL_CELLS, st, &n, 0) == 0) {
		for (int i = 0; i < n; i++)
			if (!strcmp(st[i].field, VIR_NODE_MEMORY_STATS_FREE) ||
			    !strcmp(st[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) ||
			    !strcmp(st[i].field, VIR_NODE_MEMORY_STATS_CACHED))
				kib += st[i].value;
	}
	free(st);
	virResetLastError();
	return kib ? kib * 1024 : virNodeGetFreeMemory(dst->c);
}

static void check_cpu(struct hv_conn *dst, xmlDocPtr doc, xmlXPathContextPtr ctx,
		      struct hv_preflight *pf)
{
	xmlXPathObjectPtr o = hv_xp_nodes(ctx, NULL, "/domain/cpu");
	char *mode = hv_xp_str(ctx, NULL, "/domain/cpu/@mode");
	char *arch = hv_xp_str(ctx, NULL, "/domain/os/type/@arch");
	char *machine = hv_xp_str(ctx, NULL, "/domain/os/type/@machine");
	char *virt = hv_xp_str(ctx, NULL, "/domain/@type");

	if (!o || !o->nodesetval || o->nodesetval->nodeNr == 0) {
		check_add(pf, HV_CHECK_OK, _("The guest uses the hypervisor's default CPU."));
	} else if (mode && !strcmp(mode, "host-passthrough")) {
		check_add(pf, HV_CHECK_WARN,
			  _("The guest sees the host's own CPU: the destination's must be the same model."));
	} else {
		xmlBufferPtr buf = xmlBufferCreate();
		int r = VIR_CPU_COMPARE_ERROR;

		if (buf && xmlNodeDump(buf, doc, o->nodesetval->nodeTab[0], 0, 0) > 0)
			r = virConnectCompareHypervisorCPU(dst->c, NULL, arch, machine, virt,
							   (const char *)xmlBufferContent(buf), 0);
		if (r == VIR_CPU_COMPARE_INCOMPATIBLE)
			check_add(pf, HV_CHECK_REFUSE,
				  _("The guest's CPU model cannot run on the destination."));
		else if (r == VIR_CPU_COMPARE_ERROR)
			check_add(pf, HV_CHECK_WARN,
				  _("The guest's CPU could not be compared with the destination's: %s."),
				  hv_lv_msg());
		else
			check_add(pf, HV_CHECK_OK, _("The guest's CPU can run on the destination."));
		if (buf)
			xmlBufferFree(buf);
	}
	virResetLastError();
	xmlXPathFreeObject(o);
	free(mode);
	free(arch);
	free(machine);
	free(virt);
}

int hv_mig_preflight(struct hv_conn *src, struct hv_conn *dst, const char *name,
		     const struct hv_mig_opts *o, struct hv_preflight *pf, char **cause)
{
	virDomainPtr dom = NULL, other;
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	char *xml = NULL, *su = NULL, *du = NULL;
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	int state = 0, reason, rc;
	virDomainInfo info;
	unsigned long flags;

	memset(pf, 0, sizeof(*pf));
	rc = hv_lookup(src, name, &dom, cause);
	if (rc < 0)
		return rc;
	if (virDomainGetState(dom, &state, &reason, 0) < 0 || virDomainGetInfo(dom, &info) < 0 ||
	    virDomainGetUUIDString(dom, uuid) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not read the state of %s: %s."), name,
				hv_lv_msg());
		goto out;
	}
	xml = virDomainGetXMLDesc(dom, o->mode == HV_MIG_OFFLINE ? VIR_DOMAIN_XML_INACTIVE : 0);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (!ctx) {
		rc = base_cause(cause, -EIO, _("Could not read the definition of %s: %s."), name,
				hv_lv_msg());
		goto out;
	}

	/* The destination itself. */
	if (!hv_alive(dst)) {
		check_add(pf, HV_CHECK_REFUSE, _("The destination %s is not connected."), hv_uri(dst));
		goto out;
	}
	{
		const char *st = virConnectGetType(src->c), *dt = virConnectGetType(dst->c);

		if (!st || !dt || strcmp(st, dt) != 0 || src->xen != dst->xen)
			check_add(pf, HV_CHECK_REFUSE,
				  _("The destination runs another hypervisor (%s, not %s)."),
				  dt ? dt : "?", st ? st : "?");
		else
			check_add(pf, HV_CHECK_OK, _("The destination is connected and runs %s."), dt);
	}
	su = host_uuid(src);
	du = host_uuid(dst);
	if (su && du && strcmp(su, du) == 0)
		check_add(pf, HV_CHECK_REFUSE, _("The destination is this same host."));
	virResetLastError();

	/* The guest's state for the mode. */
	if (o->mode == HV_MIG_LIVE && state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_PAUSED &&
	    state != VIR_DOMAIN_BLOCKED)
		check_add(pf, HV_CHECK_REFUSE,
			  _("%s is not running: a live migration needs a running or paused guest; use an offline migration."),
			  name);
	else if (o->mode == HV_MIG_OFFLINE && state != VIR_DOMAIN_SHUTOFF &&
		 state != VIR_DOMAIN_CRASHED)
		check_add(pf, HV_CHECK_REFUSE,
			  _("%s is running: an offline migration needs a shut-off guest."), name);
	if (o->mode == HV_MIG_OFFLINE && virDomainIsPersistent(dom) != 1)
		check_add(pf, HV_CHECK_REFUSE, _("%s is not defined persistently: there is nothing to move offline."),
			  name);
	/* Moving a linked clone's base away (its disks deleted here) would break the clone. */
	if (o->mode == HV_MIG_OFFLINE && !o->keep_source) {
		char *why = NULL;

		if (hv_clone_guard(src, name, HV_GUARD_DELETE, &why) == -EPERM)
			check_add(pf, HV_CHECK_REFUSE, "%s", why);
		free(why);
	}

	/* Options the hypervisor lacks. */
	{
		char *why = NULL;

		if (hv_mig_flags(src->xen, o, false, &flags, &why) < 0)
			check_add(pf, HV_CHECK_REFUSE, "%s", why);
		free(why);
	}

	/* Its name and UUID there. */
	other = virDomainLookupByName(dst->c, name);
	if (other) {
		check_add(pf, HV_CHECK_REFUSE, _("The destination already has a guest named %s."), name);
		virDomainFree(other);
	} else {
		other = virDomainLookupByUUIDString(dst->c, uuid);
		if (other) {
			const char *on = virDomainGetName(other);

			check_add(pf, HV_CHECK_REFUSE,
				  _("The destination already has a guest with the UUID of %s (%s)."),
				  name, on ? on : "?");
			virDomainFree(other);
		} else {
			check_add(pf, HV_CHECK_OK, _("No guest of that name or UUID on the destination."));
		}
	}
	virResetLastError();

	check_nics(dst, ctx, pf);
	check_disks(src, dst, dom, ctx, o, pf);

	/* Memory: what the guest has now, plus what the destination keeps for itself. */
	{
		unsigned long long free_b = room_bytes(dst);
		uint64_t need = (o->mode == HV_MIG_LIVE ? info.memory : info.maxMem) + o->reserve_kib;
		char a[32], b[32];

		pf->memory_kib = o->mode == HV_MIG_LIVE ? info.memory : info.maxMem;
		fmt_size(need * 1024, a, sizeof(a));
		fmt_size(free_b, b, sizeof(b));
		if (free_b == 0)
			check_add(pf, HV_CHECK_WARN,
				  _("The destination's free memory could not be read: %s."), hv_lv_msg());
		else if (free_b / 1024 < need)
			check_add(pf, o->mode == HV_MIG_LIVE ? HV_CHECK_REFUSE : HV_CHECK_WARN,
				  _("The destination has %s of memory free; the guest needs %s there."),
				  b, a);
		else
			check_add(pf, HV_CHECK_OK, _("The destination has %s free; the guest needs %s."),
				  b, a);
		virResetLastError();
	}
	if (o->mode == HV_MIG_LIVE)
		check_cpu(dst, doc, ctx, pf);
out:
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	free(su);
	free(du);
	if (dom)
		virDomainFree(dom);
	return rc;
}

/* ---- the live job --------------------------------------------------------------- */

struct mig_job {
	virDomainPtr dom;
	virConnectPtr dconn;
	virTypedParameterPtr params;
	int nparams;
	unsigned long flags;
	virDomainPtr result;
	int err;
	char *msg;
	atomic_bool done;
};

static void *mig_thread(void *arg)
{
	struct mig_job *j = arg;

	j->result = virDomainMigrate3(j->dom, j->dconn, j->params, (unsigned)j->nparams,
				      (unsigned)j->flags);
	if (!j->result) {
		/* libvirt's last error is per thread: keep it for the caller's thread, as the detail
		 * of a sentence of ours (without its own full stop, which the sentence puts). */
		size_t len;

		j->err = hv_lv_errno();
		j->msg = strdup(*hv_lv_msg() ? hv_lv_msg() : "?");
		len = j->msg ? strlen(j->msg) : 0;
		while (len && (j->msg[len - 1] == '.' || j->msg[len - 1] == '\n' || j->msg[len - 1] == ' '))
			j->msg[--len] = '\0';
	}
	atomic_store(&j->done, true);
	return NULL;
}

static uint64_t tp_u64(virTypedParameterPtr p, int n, const char *name)
{
	unsigned long long v = 0;

	if (virTypedParamsGetULLong(p, n, name, &v) != 1)
		v = 0;
	return v;
}

/* The job's statistics as a progress record; false when no job runs (yet). */
static bool job_progress(virDomainPtr dom, uint64_t t0, struct hv_mig_progress *p)
{
	virTypedParameterPtr params = NULL;
	int n = 0, type = 0;
	uint64_t total, left, pagesize;

	memset(p, 0, sizeof(*p));
	p->elapsed_ms = (uint64_t)base_now_ms() - t0;
	if (virDomainGetJobStats(dom, &type, &params, &n, 0) < 0) {
		virResetLastError();
		return false;
	}
	if (type == VIR_DOMAIN_JOB_NONE) {
		virTypedParamsFree(params, n);
		return false;
	}
	p->mem_total = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_TOTAL);
	p->mem_done = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED);
	p->mem_left = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_REMAINING);
	p->disk_total = tp_u64(params, n, VIR_DOMAIN_JOB_DISK_TOTAL);
	p->disk_done = tp_u64(params, n, VIR_DOMAIN_JOB_DISK_PROCESSED);
	p->disk_left = tp_u64(params, n, VIR_DOMAIN_JOB_DISK_REMAINING);
	p->rate_bps = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_BPS) +
		      tp_u64(params, n, VIR_DOMAIN_JOB_DISK_BPS);
	pagesize = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);
	p->dirty_bps = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE) *
		       (pagesize ? pagesize : 4096);
	p->iteration = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
	p->expected_downtime_ms = tp_u64(params, n, VIR_DOMAIN_JOB_DOWNTIME);
	p->postcopy = tp_u64(params, n, VIR_DOMAIN_JOB_MEMORY_POSTCOPY_REQS) > 0;
	{
		unsigned long long e = 0;

		if (virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_TIME_ELAPSED, &e) == 1 && e)
			p->elapsed_ms = e;
	}
	total = p->mem_total + p->disk_total;
	left = p->mem_left + p->disk_left;
	p->fraction = total ? 1.0 - (double)left / (double)total : 0;
	if (p->fraction < 0)
		p->fraction = 0;
	p->eta_ms = p->rate_bps ? left * 1000 / p->rate_bps : 0;
	virTypedParamsFree(params, n);
	return true;
}

/* The downtime libvirt measured, from the finished job kept on the guest's new host. */
static void completed_downtime(virDomainPtr dom, struct hv_mig_result *res)
{
	virTypedParameterPtr params = NULL;
	int n = 0, type = 0;
	unsigned long long v;

	if (!dom || virDomainGetJobStats(dom, &type, &params, &n,
					 VIR_DOMAIN_JOB_STATS_COMPLETED |
						 VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) < 0) {
		virResetLastError();
		return;
	}
	if (virTypedParamsGetULLong(params, n, VIR_DOMAIN_JOB_DOWNTIME, &v) == 1) {
		res->downtime_ms = v;
		res->downtime_known = true;
	}
	virTypedParamsFree(params, n);
}

/* Remove what a failed migration left on the destination: volumes it created, an incoming domain. */
/*
 * Remove what a failed migration left on the destination: the incoming guest (only with the
 * source's UUID, and only while the source still runs it) and the volumes it copied (only once
 * no guest of that UUID is left there: then they are nobody's).
 */
static void cleanup_dst(struct hv_conn *src, struct hv_conn *dst, virDomainPtr dom,
			const struct hv_preflight *pf, struct base_buf *notes)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	virDomainPtr d;
	bool left = false;

	if (!hv_alive(dst)) {
		base_buf_printf(notes, " %s", _("The destination cannot be reached to check that nothing of the guest is left there."));
		return;
	}
	if (virDomainGetUUIDString(dom, uuid) < 0) {
		virResetLastError();
		return;
	}
	d = virDomainLookupByUUIDString(dst->c, uuid);
	if (d) {
		/* Never remove the only copy: only when the source still runs the guest. */
		if (virDomainIsActive(dom) == 1) {
			if (virDomainIsActive(d) == 1)
				virDomainDestroy(d);
			if (virDomainIsPersistent(d) == 1)
				virDomainUndefine(d);
		}
		virDomainFree(d);
		d = virDomainLookupByUUIDString(dst->c, uuid);
		left = d != NULL;
		if (d)
			virDomainFree(d);
	}
	virResetLastError();
	if (left) {
		base_buf_printf(notes, " %s", _("The guest is still defined on the destination too: check both hosts before starting it."));
		return;
	}
	refresh_pools(dst);
	for (size_t i = 0; i < pf->n_disks; i++) {
		virStorageVolPtr v;

		if (!pf->disks[i].copy)
			continue;
		v = virStorageVolLookupByPath(dst->c, pf->disks[i].path);
		if (v) {
			if (virStorageVolDelete(v, 0) < 0)
				base_buf_printf(notes, " %s", _("A copied disk could not be removed from the destination."));
			virStorageVolFree(v);
		}
	}
	virResetLastError();
}

/*
 * What may have changed on the destination since the pre-flight the operator looked at (a
 * guest of that name or UUID, a volume where a disk will be copied): -EEXIST with a cause,
 * before anything is done.
 */
static int recheck_dst(struct hv_conn *dst, virDomainPtr dom, const char *name,
		       const struct hv_preflight *pf, char **cause)
{
	char uuid[VIR_UUID_STRING_BUFLEN] = "";
	virDomainPtr d = virDomainLookupByName(dst->c, name);
	bool refreshed = false;

	if (!d && virDomainGetUUIDString(dom, uuid) == 0)
		d = virDomainLookupByUUIDString(dst->c, uuid);
	virResetLastError();
	if (d) {
		virDomainFree(d);
		return base_cause(cause, -EEXIST,
				  _("A guest of that name or UUID appeared on the destination after the pre-flight: nothing was changed."));
	}
	for (size_t i = 0; i < pf->n_disks; i++) {
		virStorageVolPtr v;

		if (!pf->disks[i].copy)
			continue;
		if (!refreshed) {
			refresh_pools(dst);
			refreshed = true;
		}
		/* libvirt copies into a volume that exists at the path: it would be overwritten. */
		v = virStorageVolLookupByPath(dst->c, pf->disks[i].path);
		virResetLastError();
		if (v) {
			virStorageVolFree(v);
			return base_cause(cause, -EEXIST,
					  _("%s appeared on the destination after the pre-flight: nothing was changed."),
					  pf->disks[i].path);
		}
	}
	return 0;
}

static int run_live(struct hv_conn *src, struct hv_conn *dst, virDomainPtr dom, const char *name,
		    const struct hv_mig_opts *o, const struct hv_preflight *pf, hv_mig_cb cb,
		    void *opaque, struct hv_mig_result *res, char **cause)
{
	struct mig_job j = {.dom = dom, .dconn = dst->c};
	int maxp = 0, rc = 0;
	bool shared = false, aborted = false, downtime_set = false, postcopy_started = false;
	bool lost = false;
	uint64_t t0 = (uint64_t)base_now_ms(), last_left = 0, stalled = 0, next_poll;
	pthread_t tid;
	struct hv_mig_progress p;

	for (size_t i = 0; i < pf->n_disks; i++) {
		if (pf->disks[i].shared)
			shared = true;
		if (pf->disks[i].copy &&
		    virTypedParamsAddString(&j.params, &j.nparams, &maxp,
					    VIR_MIGRATE_PARAM_MIGRATE_DISKS, pf->disks[i].target) < 0)
			abort();
	}
	rc = hv_mig_flags(src->xen, o, shared, &j.flags, cause);
	if (rc == 0)
		rc = recheck_dst(dst, dom, name, pf, cause);
	if (rc < 0) {
		res->refused = true;
		goto out;
	}
	if (o->bandwidth_mib &&
	    virTypedParamsAddULLong(&j.params, &j.nparams, &maxp, VIR_MIGRATE_PARAM_BANDWIDTH,
				    o->bandwidth_mib) < 0)
		abort();
	if (pthread_create(&tid, NULL, mig_thread, &j) != 0) {
		rc = base_cause(cause, -EAGAIN, _("Could not start the migration."));
		goto out;
	}
	next_poll = t0 + 200;
	while (!atomic_load(&j.done)) {
		usleep(50 * 1000);
		if ((uint64_t)base_now_ms() < next_poll || atomic_load(&j.done))
			continue;
		next_poll = (uint64_t)base_now_ms() + 1000;
		/* A destination that stops answering never finishes: stop the job, keep the guest here. */
		if (!hv_alive(dst) && !lost) {
			lost = true;
			virDomainAbortJob(dom);
			virResetLastError();
		}
		if (!job_progress(dom, t0, &p))
			continue;
		/* The downtime is a setting of the running job on QEMU. */
		if (!downtime_set && !src->xen) {
			unsigned ms = o->max_downtime_ms ? o->max_downtime_ms : HV_MIG_DOWNTIME_DEFAULT;

			downtime_set = virDomainMigrateSetMaxDowntime(dom, ms, 0) == 0;
			virResetLastError();
		}
		/* Post-copy once pre-copy stops gaining: three rounds without less left. */
		if (o->postcopy && !postcopy_started && p.iteration >= 2) {
			stalled = last_left && p.mem_left >= last_left ? stalled + 1 : 0;
			last_left = p.mem_left;
			if (stalled >= 3) {
				postcopy_started = virDomainMigrateStartPostCopy(dom, 0) == 0;
				virResetLastError();
			}
		}
		p.postcopy = p.postcopy || postcopy_started;
		if (!aborted && cb && !cb(opaque, &p)) {
			aborted = true;
			/* Once in post-copy the guest runs on the destination: it cannot go back. */
			if (!postcopy_started)
				virDomainAbortJob(dom);
			virResetLastError();
		}
	}
	pthread_join(tid, NULL);
	res->total_ms = (uint64_t)base_now_ms() - t0;
	if (j.result) {
		completed_downtime(j.result, res);
		virDomainFree(j.result);
		if (aborted && postcopy_started)
			rc = base_cause(cause, -EINPROGRESS,
					_("%s was already running on the destination (post-copy) and could not be stopped there."),
					name);
		goto out;
	}
	if (postcopy_started) {
		/* Both halves are paused and the destination has the newest state: remove nothing. */
		rc = base_cause(cause, j.err ? j.err : -EIO,
				/* TRANSLATORS: %1$s is a guest, %2$s the destination's address, %3$s libvirt's reason (English). */
				_("The migration of %1$s to %2$s failed after the switch to post-copy. The destination holds its newest state and nothing was removed there; recover it by resuming the migration (virsh migrate --postcopy-resume). The hypervisor's reason: %3$s."),
				name, hv_uri(dst), j.msg ? j.msg : "?");
		goto out;
	}
	{
		struct base_buf notes = {0};

		cleanup_dst(src, dst, dom, pf, &notes);
		if (lost)
			rc = base_cause(cause, -EHOSTDOWN,
					_("The destination stopped answering during the migration of %s; it still runs on the source.%s"),
					name, notes.s ? notes.s : "");
		else if (aborted)
			rc = base_cause(cause, -ECANCELED,
					_("The migration of %s was aborted; it still runs on the source.%s"),
					name, notes.s ? notes.s : "");
		else
			rc = base_cause(cause, j.err ? j.err : -EIO,
					/* TRANSLATORS: %1$s is a guest, %2$s the destination's address, %3$s
					 * libvirt's reason (English); %4$s is empty or more sentences, each
					 * after a space. */
					_("The live migration of %1$s to %2$s failed, and the guest still runs on this host. The hypervisor's reason: %3$s.%4$s"),
					name, hv_uri(dst), j.msg ? j.msg : "?", notes.s ? notes.s : "");
		free(notes.s);
	}
out:
	free(j.msg);
	virTypedParamsFree(j.params, j.nparams);
	return rc;
}

/* ---- offline: copy the volumes through libvirt, define there, undefine here ------- */

struct copy_state {
	hv_mig_cb cb;
	void *opaque;
	uint64_t t0, total, done, next_report;
	bool aborted;
};

static void copy_report(struct copy_state *cs, bool force)
{
	struct hv_mig_progress p = {0};
	uint64_t now = (uint64_t)base_now_ms();

	if (!cs->cb || cs->aborted || (!force && now < cs->next_report))
		return;
	cs->next_report = now + 1000;
	p.elapsed_ms = now - cs->t0;
	p.disk_total = cs->total;
	p.disk_done = cs->done;
	/* A preallocated image sends more than its capacity says: never past 100%. */
	p.disk_left = cs->total > cs->done ? cs->total - cs->done : 0;
	p.fraction = cs->total && cs->done < cs->total ? (double)cs->done / (double)cs->total : 1;
	p.rate_bps = p.elapsed_ms ? cs->done * 1000 / p.elapsed_ms : 0;
	p.eta_ms = p.rate_bps ? p.disk_left * 1000 / p.rate_bps : 0;
	if (!cs->cb(cs->opaque, &p))
		cs->aborted = true;
}

/* Copy one volume, skipping its holes (a sparse image stays sparse). */
static int copy_volume(struct hv_conn *src, virStorageVolPtr sv, struct hv_conn *dst,
		       virStorageVolPtr dv, struct copy_state *cs, char **cause)
{
	virStreamPtr in = virStreamNew(src->c, 0), out = virStreamNew(dst->c, 0);
	size_t bufsz = 1024 * 1024;
	char *buf = malloc(bufsz);
	int rc = 0;

	if (!in || !out || !buf) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if (virStorageVolDownload(sv, in, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0 ||
	    virStorageVolUpload(dv, out, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not start copying a disk: %s."),
				hv_lv_msg());
		goto abort;
	}
	for (;;) {
		int n = virStreamRecvFlags(in, buf, bufsz, VIR_STREAM_RECV_STOP_AT_HOLE);

		if (n == -3) {
			long long hole = 0;

			if (virStreamRecvHole(in, &hole, 0) < 0 || virStreamSendHole(out, hole, 0) < 0)
				goto fail;
			cs->done += (uint64_t)hole;
		} else if (n == 0) {
			break;
		} else if (n < 0) {
			goto fail;
		} else {
			for (int off = 0; off < n;) {
				int w = virStreamSend(out, buf + off, (size_t)(n - off));

				if (w < 0)
					goto fail;
				off += w;
			}
			cs->done += (uint64_t)n;
		}
		copy_report(cs, false);
		if (cs->aborted) {
			rc = -ECANCELED;
			goto abort;
		}
	}
	if (virStreamFinish(in) < 0 || virStreamFinish(out) < 0)
		goto fail;
	goto out;
fail:
	rc = base_cause(cause, hv_lv_errno(), _("Copying a disk failed: %s."), hv_lv_msg());
abort:
	virStreamAbort(in);
	virStreamAbort(out);
out:
	if (in)
		virStreamFree(in);
	if (out)
		virStreamFree(out);
	free(buf);
	return rc;
}

/* Whether a guest other than @dom names @path among its disks (read from each definition). */
static bool used_by_others(struct hv_conn *src, virDomainPtr dom, const char *path)
{
	virDomainPtr *doms = NULL;
	unsigned char me[VIR_UUID_BUFLEN], it[VIR_UUID_BUFLEN];
	int n = virConnectListAllDomains(src->c, &doms, 0);
	bool used = n < 0;   /* when it cannot be known, it is taken as used */

	if (virDomainGetUUID(dom, me) < 0)
		used = true;
	for (int i = 0; i < n; i++) {
		if (!used && virDomainGetUUID(doms[i], it) == 0 && memcmp(me, it, sizeof(me))) {
			char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
			xmlDocPtr doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL,
							    XML_PARSE_NONET | XML_PARSE_NOERROR |
								    XML_PARSE_NOWARNING) : NULL;
			xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
			xmlXPathObjectPtr o = ctx ? hv_xp_nodes(ctx, NULL, "/domain/devices/disk/source") : NULL;

			for (int k = 0; o && o->nodesetval && k < o->nodesetval->nodeNr; k++) {
				char *f = hv_xp_str(ctx, o->nodesetval->nodeTab[k], "@file");

				if (!f)
					f = hv_xp_str(ctx, o->nodesetval->nodeTab[k], "@dev");
				used = used || (f && !strcmp(f, path));
				free(f);
			}
			xmlXPathFreeObject(o);
			xmlXPathFreeContext(ctx);
			xmlFreeDoc(doc);
			free(xml);
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	virResetLastError();
	return used;
}

static int run_offline(struct hv_conn *src, struct hv_conn *dst, virDomainPtr dom,
		       const char *name, const struct hv_mig_opts *o,
		       const struct hv_preflight *pf, hv_mig_cb cb, void *opaque,
		       struct hv_mig_result *res, char **cause)
{
	struct copy_state cs = {.cb = cb, .opaque = opaque, .t0 = (uint64_t)base_now_ms()};
	virStorageVolPtr *made = calloc(pf->n_disks + 1, sizeof(*made));
	virDomainPtr nd = NULL;
	char *xml = NULL;
	int rc = 0, autostart = 0;

	if (!made)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	/* Started since the pre-flight: its disks are in use, it cannot move offline. */
	if (virDomainIsActive(dom) != 0) {
		free(made);
		res->refused = true;
		virResetLastError();
		return base_cause(cause, -EBUSY,
				  _("%s was started after the pre-flight: nothing was changed."), name);
	}
	for (size_t i = 0; i < pf->n_disks; i++)
		if (pf->disks[i].copy)
			cs.total += pf->disks[i].capacity;
	for (size_t i = 0; i < pf->n_disks && rc == 0; i++) {
		const struct hv_mig_disk *d = &pf->disks[i];
		virStorageVolPtr sv;
		virStoragePoolPtr pool;
		uint64_t avail;
		char *dir, *vx = NULL;
		const char *base;

		if (!d->copy)
			continue;
		dir = dir_of(d->path);
		pool = dir ? pool_for_dir(dst, dir, &avail) : NULL;
		sv = virStorageVolLookupByPath(src->c, d->path);
		base = strrchr(d->path, '/');
		base = base ? base + 1 : d->path;
		xmlChar *ename = xmlEncodeSpecialChars(NULL, (const xmlChar *)base);
		xmlChar *eformat = xmlEncodeSpecialChars(NULL, (const xmlChar *)d->format);

		/* File names come from the guest's definition: escaped, they cannot add XML. */
		if (!pool || !sv || !ename || !eformat ||
		    asprintf(&vx, "<volume><name>%s</name><capacity unit=\"bytes\">%llu</capacity>"
				  "<allocation unit=\"bytes\">0</allocation><target><format type=\"%s\"/>"
				  "</target></volume>", (const char *)ename,
			     (unsigned long long)d->capacity, (const char *)eformat) < 0) {
			rc = base_cause(cause, -ENOENT, _("The storage of %s changed since the pre-flight."),
					name);
		} else {
			/* A volume that appeared since the pre-flight is someone else's: refuse it. */
			made[i] = virStorageVolCreateXML(pool, vx, 0);
			if (!made[i])
				rc = base_cause(cause, hv_lv_errno(),
						_("Could not create %s on the destination: %s."),
						d->path, hv_lv_msg());
			else
				rc = copy_volume(src, sv, dst, made[i], &cs, cause);
		}
		xmlFree(ename);
		xmlFree(eformat);
		free(vx);
		free(dir);
		if (sv)
			virStorageVolFree(sv);
		if (pool)
			virStoragePoolFree(pool);
	}
	if (rc == -ECANCELED)
		base_cause(cause, rc, _("The migration of %s was aborted; it stays on the source."),
			   name);
	if (rc < 0)
		goto undo;
	copy_report(&cs, true);
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	nd = xml ? virDomainDefineXML(dst->c, xml) : NULL;
	if (!nd) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not define %s on the destination: %s."),
				name, hv_lv_msg());
		goto undo;
	}
	if (virDomainGetAutostart(dom, &autostart) == 0 && autostart)
		virDomainSetAutostart(nd, 1);
	if (!o->keep_source) {
		/*
		 * The UEFI variables and TPM state were not copied: they stay here, never deleted.
		 * A guest started meanwhile stays here, defined.
		 */
		if (virDomainIsActive(dom) != 0 ||
		    virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM |
						   VIR_DOMAIN_UNDEFINE_KEEP_TPM |
						   VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) < 0) {
			rc = base_cause(cause, virDomainIsActive(dom) == 1 ? -EBUSY : hv_lv_errno(),
					_("Could not remove %s from the source: %s."), name,
					virDomainIsActive(dom) == 1 ? _("it was started meanwhile") :
					hv_lv_msg());
			if (virDomainUndefine(nd) < 0) {
				char *inner = cause ? *cause : NULL;

				if (cause)
					*cause = NULL;
				base_cause(cause, rc, _("%s It stays defined on the destination too, over disks that are removed there: undefine it there."),
					   inner ? inner : "");
				free(inner);
			}
			goto undo;
		}
		/* Moved, not copied: the source's copies go only once the guest is defined there. */
		for (size_t i = 0; i < pf->n_disks; i++) {
			virStorageVolPtr sv;

			if (!pf->disks[i].copy || pf->disks[i].keep_here ||
			    used_by_others(src, dom, pf->disks[i].path))
				continue;
			sv = virStorageVolLookupByPath(src->c, pf->disks[i].path);
			if (sv) {
				virStorageVolDelete(sv, 0);
				virStorageVolFree(sv);
			}
		}
	}
	virResetLastError();
	goto out;
undo:
	for (size_t i = 0; i < pf->n_disks; i++)
		if (made[i])
			virStorageVolDelete(made[i], 0);
	virResetLastError();
out:
	for (size_t i = 0; i < pf->n_disks; i++)
		if (made[i])
			virStorageVolFree(made[i]);
	free(made);
	if (nd)
		virDomainFree(nd);
	free(xml);
	res->total_ms = (uint64_t)base_now_ms() - cs.t0;
	return rc;
}

int hv_migrate(struct hv_conn *src, struct hv_conn *dst, const char *name,
	       const struct hv_mig_opts *o, const struct hv_preflight *given, hv_mig_cb cb,
	       void *opaque, struct hv_mig_result *res, char **cause)
{
	struct hv_preflight own = { 0 };
	const struct hv_preflight *pf = given;
	virDomainPtr dom = NULL;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!pf) {
		rc = hv_mig_preflight(src, dst, name, o, &own, cause);
		if (rc < 0)
			return rc;
		pf = &own;
	}
	if (pf->refused) {
		res->refused = true;
		for (size_t i = 0; i < pf->n; i++)
			if (pf->items[i].level == HV_CHECK_REFUSE) {
				rc = base_cause(cause, -EPERM, _("The migration of %s is refused: %s"),
						name, pf->items[i].text);
				break;
			}
		goto out;
	}
	rc = hv_lookup(src, name, &dom, cause);
	if (rc < 0)
		goto out;
	if (o->mode == HV_MIG_OFFLINE)
		rc = run_offline(src, dst, dom, name, o, pf, cb, opaque, res, cause);
	else
		rc = run_live(src, dst, dom, name, o, pf, cb, opaque, res, cause);
out:
	if (dom)
		virDomainFree(dom);
	hv_preflight_clear(&own);
	return rc;
}
