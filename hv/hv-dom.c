/* Guests over libvirt: the list with live stats, definition with new disks, life cycle, removal with storage. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>

const char *hv_state_name(enum hv_state s)
{
	switch (s) {
	case HV_STATE_RUNNING:
		/* TRANSLATORS: the state of a guest. */
		return _("running");
	case HV_STATE_BLOCKED:
		/* TRANSLATORS: the state of a guest waiting for I/O. */
		return _("blocked");
	case HV_STATE_PAUSED:
		/* TRANSLATORS: the state of a guest. */
		return _("paused");
	case HV_STATE_SHUTDOWN:
		/* TRANSLATORS: the state of a guest that is shutting down. */
		return _("shutting down");
	case HV_STATE_SHUTOFF:
		/* TRANSLATORS: the state of a guest. */
		return _("shut off");
	case HV_STATE_CRASHED:
		/* TRANSLATORS: the state of a guest. */
		return _("crashed");
	case HV_STATE_PMSUSPENDED:
		/* TRANSLATORS: the state of a guest suspended to RAM or disk by its own OS. */
		return _("suspended");
	default:
		/* TRANSLATORS: the state of a guest that the hypervisor does not report. */
		return _("unknown");
	}
}

/* ---- list ------------------------------------------------------------------ */

/*
 * What the list learns of every guest at once, by UUID. Asking each guest instead costs a round
 * trip apiece: with a thousand guests, those round trips were most of the list's time.
 */
struct by_uuid {
	unsigned char uuid[VIR_UUID_BUFLEN];   /* first: entries and keys compare by these bytes */
	unsigned long long value;
};

struct uuid_set {
	struct by_uuid *e;    /* sorted by UUID */
	size_t n;
	bool ok;              /* false when it could not be read: then each guest is asked */
};

struct list_extra {
	struct uuid_set autostart;   /* the guests that start with the host */
	struct uuid_set transient;   /* the guests without a definition; all others are persistent */
	struct uuid_set cpu;         /* the running guests, with their CPU time */
};

static int cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, VIR_UUID_BUFLEN);
}

static void set_sort(struct uuid_set *set)
{
	qsort(set->e, set->n, sizeof(*set->e), cmp_uuid);
	set->ok = true;
}

/* The entry of @uuid, NULL when there is none. */
static const struct by_uuid *set_find(const struct uuid_set *set, const unsigned char *uuid)
{
	if (!set->ok || !set->n)
		return NULL;
	return bsearch(uuid, set->e, set->n, sizeof(*set->e), cmp_uuid);
}

static void set_from_filter(struct hv_conn *conn, unsigned filter, struct uuid_set *set)
{
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(conn->c, &doms, filter);

	if (nd < 0) {
		virResetLastError();
		return;
	}
	set->e = calloc(nd + 1, sizeof(*set->e));
	for (int i = 0; i < nd; i++) {
		if (set->e && virDomainGetUUID(doms[i], set->e[set->n].uuid) == 0)
			set->n++;
		virDomainFree(doms[i]);
	}
	free(doms);
	if (set->e)
		set_sort(set);
}

/*
 * virConnectGetAllDomainStats() that does not wait for busy guests. Otherwise QEMU's driver waits
 * for the job of a guest that is migrating in, up to 30 s a call, and every list of that host
 * stood still meanwhile: this host's list, and the destination's rows in the all-hosts view, which
 * then missed the guest that had just arrived. A busy guest still comes with its state, memory and
 * vCPUs; stat_record() asks the guest for anything missing. A driver that does not know the flag
 * is asked again without it.
 */
static int all_stats(struct hv_conn *conn, unsigned stats, virDomainStatsRecordPtr **recs,
		     unsigned flags)
{
	int nr = virConnectGetAllDomainStats(conn->c, stats, recs,
					     flags | VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);

	if (nr < 0 && virGetLastErrorCode() == VIR_ERR_INVALID_ARG) {
		virResetLastError();
		nr = virConnectGetAllDomainStats(conn->c, stats, recs, flags);
	}
	return nr;
}

/*
 * The CPU time of the running guests alone: libvirt works it out for every guest it is asked
 * about, which with many shut-off guests was half the stats call, and a shut-off guest has none
 * (QEMU's driver without cgroups even reports libvirtd's own).
 */
static void set_from_cpu_stats(struct hv_conn *conn, struct uuid_set *set)
{
	virDomainStatsRecordPtr *recs = NULL;
	int nr = all_stats(conn, VIR_DOMAIN_STATS_CPU_TOTAL, &recs,
			   VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);

	if (nr < 0) {
		virResetLastError();
		return;
	}
	set->e = calloc(nr + 1, sizeof(*set->e));
	for (int i = 0; set->e && i < nr; i++) {
		struct by_uuid *b = &set->e[set->n];

		if (virDomainGetUUID(recs[i]->dom, b->uuid) == 0 &&
		    virTypedParamsGetULLong(recs[i]->params, recs[i]->nparams, "cpu.time",
					    &b->value) == 1)
			set->n++;
	}
	virDomainStatsRecordListFree(recs);
	if (set->e)
		set_sort(set);
}

/*
 * Read after the guests themselves were listed, so that each guest listed already exists for
 * these calls; what is missing (a driver without the filter) is asked of each guest.
 */
static void extra_load(struct hv_conn *conn, struct list_extra *x, bool cpu)
{
	memset(x, 0, sizeof(*x));
	set_from_filter(conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, &x->autostart);
	set_from_filter(conn, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, &x->transient);
	if (cpu)
		set_from_cpu_stats(conn, &x->cpu);
}

static void extra_clear(struct list_extra *x)
{
	free(x->autostart.e);
	free(x->transient.e);
	free(x->cpu.e);
}

/* Name, UUID and flags; @uuid gets the raw UUID, NULL when libvirt gave none. */
static void stat_common(virDomainPtr dom, struct hv_dom_stat *s, const struct list_extra *x,
			unsigned char raw[VIR_UUID_BUFLEN], const unsigned char **uuid)
{
	const char *name = virDomainGetName(dom);
	int on = 0;

	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	*uuid = virDomainGetUUID(dom, raw) == 0 ? raw : NULL;
	if (virDomainGetUUIDString(dom, s->uuid) < 0)
		s->uuid[0] = '\0';
	if (x->autostart.ok && *uuid)
		s->autostart = set_find(&x->autostart, *uuid) != NULL;
	else
		s->autostart = virDomainGetAutostart(dom, &on) == 0 && on;
	if (x->transient.ok && *uuid)
		s->persistent = !set_find(&x->transient, *uuid);
	else
		s->persistent = virDomainIsPersistent(dom) == 1;
}

/* The per-domain call of drivers without bulk stats, and the fill-in for fields they lack. */
static void stat_info(virDomainPtr dom, struct hv_dom_stat *s, bool state, bool cpu, bool mem,
		      bool vcpus)
{
	virDomainInfo info;

	if (virDomainGetInfo(dom, &info) < 0) {
		virResetLastError();
		return;
	}
	if (state)
		s->state = info.state <= VIR_DOMAIN_PMSUSPENDED ? (enum hv_state)info.state :
			HV_STATE_NOSTATE;
	if (cpu)
		s->cpu_time_ns = info.cpuTime;
	if (mem)
		s->memory_kib = s->state == HV_STATE_SHUTOFF ? info.maxMem : info.memory;
	if (vcpus)
		s->vcpus = info.nrVirtCpu;
}

static void stat_record(virDomainStatsRecordPtr r, struct hv_dom_stat *s,
			const struct list_extra *x)
{
	int state = 0;
	unsigned long long cur = 0, max = 0;
	unsigned vc = 0;
	bool has_state, has_cur, has_max, has_vc;
	unsigned char raw[VIR_UUID_BUFLEN];
	const unsigned char *uuid;
	const struct by_uuid *cpu;

	stat_common(r->dom, s, x, raw, &uuid);
	cpu = uuid ? set_find(&x->cpu, uuid) : NULL;
	has_state = virTypedParamsGetInt(r->params, r->nparams, "state.state", &state) == 1;
	has_cur = virTypedParamsGetULLong(r->params, r->nparams, "balloon.current", &cur) == 1;
	has_max = virTypedParamsGetULLong(r->params, r->nparams, "balloon.maximum", &max) == 1;
	has_vc = virTypedParamsGetUInt(r->params, r->nparams, "vcpu.current", &vc) == 1;
	if (has_state)
		s->state = state >= 0 && state <= VIR_DOMAIN_PMSUSPENDED ? (enum hv_state)state :
			HV_STATE_NOSTATE;
	s->cpu_time_ns = cpu ? cpu->value : 0;
	if (s->state != HV_STATE_SHUTOFF && has_cur)
		s->memory_kib = cur;
	else if (has_max)
		s->memory_kib = max;
	s->vcpus = vc;
	/* An inactive guest has no CPU time to report, so only a running one needs the fill-in. */
	bool need_cpu = !cpu && s->state != HV_STATE_SHUTOFF;

	if (!has_state || need_cpu || !(has_cur || has_max) || !has_vc)
		stat_info(r->dom, s, !has_state, need_cpu, !(has_cur || has_max), !has_vc);
	virResetLastError();
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hv_dom_stat *)a)->name, ((const struct hv_dom_stat *)b)->name);
}

static int list_each(struct hv_conn *conn, struct hv_dom_stat **out, size_t *n, char **cause)
{
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(conn->c, &doms, 0);
	struct hv_dom_stat *s;
	struct list_extra x;
	unsigned char raw[VIR_UUID_BUFLEN];
	const unsigned char *uuid;

	if (nd < 0)
		return base_cause(cause, hv_lv_errno(), _("Could not list the guests: %s."),
				  hv_lv_msg());
	/* Each guest's info call brings its CPU time anyway. */
	extra_load(conn, &x, false);
	s = calloc(nd + 1, sizeof(*s));
	for (int i = 0; i < nd; i++) {
		if (s) {
			stat_common(doms[i], &s[i], &x, raw, &uuid);
			stat_info(doms[i], &s[i], true, true, true, true);
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	extra_clear(&x);
	if (!s)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	*out = s;
	*n = nd;
	return 0;
}

int hv_list(struct hv_conn *conn, struct hv_dom_stat **out, size_t *n, char **cause)
{
	virDomainStatsRecordPtr *recs = NULL;
	/* CPU time comes from a call of its own, for the running guests only: see extra_load(). */
	unsigned stats = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU;
	int nr, rc = 0;

	*out = NULL;
	*n = 0;
	/* Without ENFORCE_STATS a driver returns what it has instead of failing on the rest. */
	nr = all_stats(conn, stats, &recs, 0);
	if (nr < 0) {
		if (virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
			return base_cause(cause, hv_lv_errno(), _("Could not list the guests: %s."),
					  hv_lv_msg());
		virResetLastError();
		rc = list_each(conn, out, n, cause);
	} else {
		struct list_extra x;

		extra_load(conn, &x, true);
		*out = calloc(nr + 1, sizeof(**out));
		if (!*out) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		} else {
			for (int i = 0; i < nr; i++)
				stat_record(recs[i], &(*out)[i], &x);
			*n = nr;
		}
		extra_clear(&x);
		virDomainStatsRecordListFree(recs);
	}
	if (rc == 0)
		qsort(*out, *n, sizeof(**out), by_name);
	return rc;
}

double hv_cpu_percent(const struct hv_dom_stat *prev, const struct hv_dom_stat *cur,
		      uint64_t dt_ns)
{
	double pct;

	if (!prev || !cur || dt_ns == 0 || cur->cpu_time_ns < prev->cpu_time_ns)
		return 0;
	pct = (double)(cur->cpu_time_ns - prev->cpu_time_ns) * 100.0 /
	      ((double)dt_ns * (cur->vcpus ? cur->vcpus : 1));
	return pct > 100 ? 100 : pct;
}

/* ---- define ---------------------------------------------------------------- */

/* Create one new disk; the file is ours only once open(O_EXCL) succeeded. */
int hv_make_disk(const struct hv_disk *d, bool *made, char **cause)
{
	char size[32];
	int fd, rc = 0;

	*made = false;
	fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return base_cause(cause, -EEXIST,
					  _("The new disk %s already exists; choose another file name or use the existing file."),
					  d->path);
		return base_cause(cause, -errno, _("Could not create the disk %s: %s."), d->path,
				  strerror(errno));
	}
	*made = true;
	if (d->kind == HV_DISK_NEW_RAW && ftruncate(fd, (off_t)d->size) < 0)
		rc = base_cause(cause, -errno, _("Could not size the disk %s: %s."), d->path,
				strerror(errno));
	close(fd);
	if (rc < 0 || d->kind != HV_DISK_NEW_QCOW2)
		return rc;
	snprintf(size, sizeof(size), "%llu", (unsigned long long)d->size);
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", d->path, size, NULL };

	rc = base_run(argv, -1, cause);
	if (rc > 0)
		rc = -EIO;
	return rc;
}

/* An existing guest of the same name may only be redefined through its own UUID. */
static int check_existing(struct hv_conn *conn, const struct hv_guest *g, bool *exists,
			  char **cause)
{
	virDomainPtr dom = virDomainLookupByName(conn->c, g->name);
	char uuid[VIR_UUID_STRING_BUFLEN];
	int rc = 0;

	*exists = dom != NULL;
	if (!dom) {
		virResetLastError();
		return 0;
	}
	if (virDomainGetUUIDString(dom, uuid) < 0 || strcasecmp(uuid, g->uuid) != 0)
		rc = base_cause(cause, -EEXIST, _("A guest named %s already exists."), g->name);
	virDomainFree(dom);
	return rc;
}

int hv_define(struct hv_conn *conn, const struct hv_guest *g, char **cause)
{
	return hv_define_flags(conn, g, 0, cause);
}

int hv_define_flags(struct hv_conn *conn, const struct hv_guest *g, unsigned flags,
		    char **cause)
{
	bool *made = calloc(g->n_disks + 1, sizeof(*made));
	virNodeInfo ni;
	virDomainPtr dom = NULL;
	char *xml = NULL;
	bool exists = false, defined = false;
	int rc;

	if (!made)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hv_guest_check(g, virNodeGetInfo(conn->c, &ni) == 0 ? ni.memory : 0, cause);
	virResetLastError();
	if (rc < 0)
		goto out;
	rc = check_existing(conn, g, &exists, cause);
	if (rc < 0)
		goto out;
	/* Before anything is made: a guest must not reach host files it was not given. */
	for (size_t i = 0; i < g->n_disks; i++) {
		enum hv_place place;

		rc = hv_disk_place(conn, &g->disks[i], flags, &place, cause);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < g->n_disks; i++) {
		const struct hv_disk *d = &g->disks[i];

		if (d->kind != HV_DISK_NEW_RAW && d->kind != HV_DISK_NEW_QCOW2)
			continue;
		rc = hv_make_disk(d, &made[i], cause);
		if (rc < 0)
			goto out;
	}
	rc = hv_guest_to_xml(g, conn->virt_type, &xml, cause);
	if (rc < 0)
		goto out;
	dom = virDomainDefineXML(conn->c, xml);
	if (!dom) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not define the guest %s: %s."),
				g->name, hv_lv_msg());
		goto out;
	}
	defined = !exists;
	if (virDomainSetAutostart(dom, g->autostart) < 0) {
		rc = base_cause(cause, hv_lv_errno(),
				_("Could not set whether the guest %s starts with the host: %s."),
				g->name, hv_lv_msg());
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < g->n_disks; i++)
		if (made[i])
			hv_pool_refresh(conn, g->disks[i].path);
out:
	if (rc < 0) {
		/* Nothing half-made stays behind: not the new guest, not its new disk files. */
		if (dom && defined && virDomainUndefine(dom) < 0)
			virResetLastError();
		for (size_t i = 0; i < g->n_disks; i++) {
			if (made[i])
				unlink(g->disks[i].path);
		}
	}
	if (dom)
		virDomainFree(dom);
	free(xml);
	free(made);
	return rc;
}

/* ---- read back --------------------------------------------------------------- */

/* The XML of a guest with its VNC password when the connection may see it. */
static char *dom_xml(virDomainPtr dom, unsigned flags)
{
	char *xml = virDomainGetXMLDesc(dom, flags | VIR_DOMAIN_XML_SECURE);

	if (!xml && virGetLastErrorCode() == VIR_ERR_OPERATION_DENIED) {
		virResetLastError();
		xml = virDomainGetXMLDesc(dom, flags);
	}
	return xml;
}

static void read_sizes(virDomainPtr dom, struct hv_guest *g)
{
	for (size_t i = 0; i < g->n_disks; i++) {
		struct hv_disk *d = &g->disks[i];
		virDomainBlockInfo bi;
		struct stat st;

		if (!d->path || d->kind == HV_DISK_CDROM)
			continue;
		/* A raw file's length is the disk's size; other formats say it in their header. */
		if (d->kind == HV_DISK_FILE && (!d->format || strcmp(d->format, "raw") == 0)) {
			if (stat(d->path, &st) == 0)
				d->size = st.st_size;
		} else if (d->target && virDomainGetBlockInfo(dom, d->target, &bi, 0) == 0) {
			d->size = bi.capacity;
		}
		virResetLastError();
	}
}

int hv_get(struct hv_conn *conn, const char *name, struct hv_guest **g, char **cause)
{
	virDomainPtr dom;
	char *xml;
	int autostart = 0, rc;

	*g = NULL;
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	xml = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!xml) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not read the guest %s: %s."), name,
				hv_lv_msg());
		goto out;
	}
	rc = hv_guest_from_xml(xml, g, cause);
	if (rc < 0)
		goto out;
	(*g)->autostart = virDomainGetAutostart(dom, &autostart) == 0 && autostart;
	read_sizes(dom, *g);
	virResetLastError();
out:
	free(xml);
	virDomainFree(dom);
	return rc;
}

/* ---- life cycle -------------------------------------------------------------- */

enum op { OP_START, OP_SHUTDOWN, OP_REBOOT, OP_DESTROY, OP_SUSPEND, OP_RESUME };

static int op_failed(enum op op, const char *name, char **cause)
{
	int err = hv_lv_errno();
	const char *m = hv_lv_msg();

	switch (op) {
	case OP_START:
		return base_cause(cause, err, _("Could not start the guest %s: %s."), name, m);
	case OP_SHUTDOWN:
		return base_cause(cause, err, _("Could not shut down the guest %s: %s."), name, m);
	case OP_REBOOT:
		return base_cause(cause, err, _("Could not reboot the guest %s: %s."), name, m);
	case OP_DESTROY:
		return base_cause(cause, err, _("Could not force off the guest %s: %s."), name, m);
	case OP_SUSPEND:
		return base_cause(cause, err, _("Could not pause the guest %s: %s."), name, m);
	case OP_RESUME:
	default:
		return base_cause(cause, err, _("Could not resume the guest %s: %s."), name, m);
	}
}

static int dom_op(struct hv_conn *conn, const char *name, enum op op, char **cause)
{
	virDomainPtr dom;
	int r, rc = hv_lookup(conn, name, &dom, cause);

	if (rc < 0)
		return rc;
	switch (op) {
	case OP_START:
		r = virDomainCreate(dom);
		break;
	case OP_SHUTDOWN:
		r = virDomainShutdown(dom);
		break;
	case OP_REBOOT:
		r = virDomainReboot(dom, 0);
		break;
	case OP_DESTROY:
		r = virDomainDestroy(dom);
		break;
	case OP_SUSPEND:
		r = virDomainSuspend(dom);
		break;
	case OP_RESUME:
	default:
		r = virDomainResume(dom);
		break;
	}
	if (r < 0)
		rc = op_failed(op, name, cause);
	virDomainFree(dom);
	return rc;
}

int hv_start(struct hv_conn *conn, const char *name, char **cause)
{
	/* A template, or the base of linked clones, must stay as it is. */
	int rc = hv_clone_guard(conn, name, HV_GUARD_START, cause);

	return rc < 0 ? rc : dom_op(conn, name, OP_START, cause);
}

int hv_shutdown(struct hv_conn *conn, const char *name, char **cause)
{
	return dom_op(conn, name, OP_SHUTDOWN, cause);
}

int hv_reboot(struct hv_conn *conn, const char *name, char **cause)
{
	return dom_op(conn, name, OP_REBOOT, cause);
}

int hv_destroy(struct hv_conn *conn, const char *name, char **cause)
{
	return dom_op(conn, name, OP_DESTROY, cause);
}

int hv_suspend(struct hv_conn *conn, const char *name, char **cause)
{
	return dom_op(conn, name, OP_SUSPEND, cause);
}

int hv_resume(struct hv_conn *conn, const char *name, char **cause)
{
	return dom_op(conn, name, OP_RESUME, cause);
}

int hv_set_autostart(struct hv_conn *conn, const char *name, bool on, char **cause)
{
	virDomainPtr dom;
	int rc = hv_lookup(conn, name, &dom, cause);

	if (rc < 0)
		return rc;
	if (virDomainSetAutostart(dom, on) < 0)
		rc = base_cause(cause, hv_lv_errno(),
				_("Could not set whether the guest %s starts with the host: %s."), name,
				hv_lv_msg());
	virDomainFree(dom);
	return rc;
}

/* ---- storage and removal --------------------------------------------------------- */

/* The writable image files of one guest's XML, appended to @paths. */
static int xml_files(const char *xml, char ***paths, size_t *n)
{
	xmlDocPtr doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = NULL;
	int rc = 0;

	if (!ctx) {
		rc = -EINVAL;
		goto out;
	}
	/* Read-only disks are shared images (an installer ISO, a base), never the guest's own. */
	o = hv_xp_nodes(ctx, NULL,
			"/domain/devices/disk[@type='file' and @device='disk' and not(readonly)]"
			"/source/@file");
	for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlChar *p = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
		char **np = realloc(*paths, (*n + 1) * sizeof(**paths));

		if (np) {
			*paths = np;
			np[*n] = p ? strdup((const char *)p) : NULL;
		}
		xmlFree(p);
		if (!np || !np[*n]) {
			rc = -ENOMEM;
			break;
		}
		(*n)++;
	}
out:
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rc;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Paths with their links resolved where the file exists, so that two spellings of one file match. */
static void canonical(char **paths, size_t n)
{
	char real[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		char *c;

		if (!realpath(paths[i], real) || !(c = strdup(real)))
			continue;
		free(paths[i]);
		paths[i] = c;
	}
}

/* Whether another guest also uses @path: deleting it would break that guest. */
static bool used_elsewhere(char **others, size_t n_others, const char *path)
{
	for (size_t i = 0; i < n_others; i++) {
		if (strcmp(others[i], path) == 0)
			return true;
	}
	return false;
}

int hv_storage_files(struct hv_conn *conn, const char *name, char ***paths, size_t *n,
		     char **cause)
{
	virDomainPtr dom = NULL, *doms = NULL;
	char *xml = NULL, **mine = NULL, **others = NULL;
	size_t n_mine = 0, n_others = 0, k = 0;
	int nd = 0, rc;

	*paths = NULL;
	*n = 0;
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!xml) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not read the guest %s: %s."), name,
				hv_lv_msg());
		goto out;
	}
	rc = xml_files(xml, &mine, &n_mine);
	nd = virConnectListAllDomains(conn->c, &doms, 0);
	for (int i = 0; rc == 0 && i < nd; i++) {
		char uuid_a[VIR_UUID_STRING_BUFLEN], uuid_b[VIR_UUID_STRING_BUFLEN];
		char *oxml;

		if (virDomainGetUUIDString(doms[i], uuid_a) == 0 &&
		    virDomainGetUUIDString(dom, uuid_b) == 0 && strcmp(uuid_a, uuid_b) == 0)
			continue;
		oxml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
		if (oxml)
			rc = xml_files(oxml, &others, &n_others);
		free(oxml);
	}
	if (nd < 0 && rc == 0)
		rc = base_cause(cause, hv_lv_errno(), _("Could not list the guests: %s."),
				hv_lv_msg());
	if (rc == -ENOMEM || rc == -EINVAL)
		rc = base_cause(cause, rc, _("Could not read the disks of the guest %s."), name);
	if (rc < 0)
		goto out;
	/* Read-only disks are shared, but for the cloud-init seed made for this guest. */
	if (hv_seed_files(conn, name, &mine, &n_mine) == -ENOMEM)
		rc = base_cause(cause, -ENOMEM, _("Could not read the disks of the guest %s."), name);
	if (rc < 0)
		goto out;
	canonical(mine, n_mine);
	canonical(others, n_others);
	for (size_t i = 0; i < n_mine; i++) {
		/* A file outside every pool was given from the host: never the guest's to delete. */
		if (used_elsewhere(others, n_others, mine[i]) ||
		    used_elsewhere(mine, k, mine[i]) ||
		    hv_path_pool(conn, mine[i], true, NULL, NULL) < 0) {
			free(mine[i]);
			continue;
		}
		mine[k++] = mine[i];
	}
	*paths = mine;
	*n = k;
	mine = NULL;
	n_mine = 0;
out:
	free_paths(mine, n_mine);
	free_paths(others, n_others);
	for (int i = 0; i < nd; i++)
		virDomainFree(doms[i]);
	free(doms);
	free(xml);
	virDomainFree(dom);
	virResetLastError();
	return rc;
}

int hv_undefine(struct hv_conn *conn, const char *name, bool delete_storage, char **cause)
{
	virDomainPtr dom;
	char **paths = NULL;
	size_t n = 0;
	unsigned flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			 VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
	int rc = hv_lookup(conn, name, &dom, cause);

	if (rc < 0)
		return rc;
	if (virDomainIsActive(dom) == 1) {
		rc = base_cause(cause, -EBUSY,
				_("The guest %s is running; shut it down before deleting it."), name);
		goto out;
	}
	/* Linked clones would lose the base their disks read from. */
	rc = hv_clone_guard(conn, name, HV_GUARD_DELETE, cause);
	if (rc < 0)
		goto out;
	if (delete_storage) {
		rc = hv_storage_files(conn, name, &paths, &n, cause);
		if (rc < 0)
			goto out;
	}
	if (virDomainUndefineFlags(dom, flags) < 0) {
		/* Drivers without snapshots or NVRAM refuse the flags; plain undefine is what is left. */
		int code = virGetLastErrorCode();

		if ((code != VIR_ERR_INVALID_ARG && code != VIR_ERR_NO_SUPPORT) ||
		    virDomainUndefine(dom) < 0) {
			rc = base_cause(cause, hv_lv_errno(), _("Could not delete the guest %s: %s."),
					name, hv_lv_msg());
			goto out;
		}
	}
	virResetLastError();
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		/* Only regular files still in a pool: one that became a device node or a link is left alone. */
		if (lstat(paths[i], &st) < 0) {
			if (errno == ENOENT)
				continue;
		} else if (!S_ISREG(st.st_mode) || hv_path_pool(conn, paths[i], true, NULL, NULL) < 0) {
			continue;
		} else if (unlink(paths[i]) == 0) {
			hv_pool_refresh(conn, paths[i]);
			continue;
		}
		if (rc == 0)
			rc = base_cause(cause, -errno,
					_("The guest %s was deleted, but its disk %s could not be removed: %s."),
					name, paths[i], strerror(errno));
	}
out:
	free_paths(paths, n);
	virDomainFree(dom);
	return rc;
}
