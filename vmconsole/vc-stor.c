/* The storage editor's model: the host's usage tree joined with libvirt's pools and guests, shown as rows or JSON, and the impact analysis every destructive action shows first. */
#include "vc.h"
#include "vc-stor.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void vc_stor_clear(struct vc_stor *s)
{
	hcfg_stor_free(&s->h);
	hv_pools_free(s->pools, s->npools);
	hv_guest_disks_free(s->guests, s->nguests);
	free(s->pool_node);
	memset(s, 0, sizeof(*s));
}

int vc_stor_node_of_path(const struct vc_stor *s, const char *path, bool *block)
{
	struct stat st;

	if (block)
		*block = false;
	if (!path || stat(path, &st) < 0)
		return -1;
	if (S_ISBLK(st.st_mode)) {
		if (block)
			*block = true;
		return hcfg_stor_find_devno(&s->h, st.st_rdev);
	}
	return hcfg_stor_find_devno(&s->h, st.st_dev);
}

/* The node a pool lives on: its source device, its volume group, or the filesystem of its folder. */
static int pool_node(const struct vc_stor *s, const struct hv_pool_info *p)
{
	if (p->type && !strcmp(p->type, "logical") && p->source_name)
		for (size_t i = 0; i < s->h.n; i++)
			if (s->h.v[i].kind != HCFG_SN_LV && !strcmp(s->h.v[i].vg, p->source_name))
				return (int)i;
	if (p->source_dev) {
		int i = hcfg_stor_find_dev(&s->h, p->source_dev);

		if (i >= 0)
			return i;
	}
	if (p->target && (!p->type || strcmp(p->type, "logical")))
		return vc_stor_node_of_path(s, p->target, NULL);
	return -1;
}

int vc_stor_load(struct hv_conn *conn, const char *const *only, struct vc_stor *s, char **cause)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = hcfg_stor_scan(&s->h, only, cause);
	if (rc < 0)
		return rc;
	if (!conn)
		return 0;
	rc = hv_pools(conn, &s->pools, &s->npools, cause);
	if (rc == 0)
		rc = hv_guests_disks(conn, &s->guests, &s->nguests, cause);
	if (rc < 0) {
		vc_stor_clear(s);
		return rc;
	}
	s->pool_node = calloc(s->npools ? s->npools : 1, sizeof(*s->pool_node));
	if (!s->pool_node) {
		vc_stor_clear(s);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	for (size_t i = 0; i < s->npools; i++)
		s->pool_node[i] = pool_node(s, &s->pools[i]);
	s->libvirt = true;
	return 0;
}

/* ---- rows --------------------------------------------------------------------------------- */

static void fmt_size(uint64_t b, char *buf, size_t len)
{
	if (b < (1ull << 30))
		snprintf(buf, len, "%" PRIu64 " MiB", b >> 20);
	else if (b < (1ull << 40))
		snprintf(buf, len, "%.1f GiB", b / (double)(1ull << 30));
	else
		snprintf(buf, len, "%.1f TiB", b / (double)(1ull << 40));
	base_decimal(buf);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		abort();
	return d;
}

static char *take(struct base_buf *b)
{
	if (b->oom)
		abort();
	return b->s ? b->s : xstrdup("");
}

/* The separator before the next part of a description, when one came before. */
static void sep(struct base_buf *b, size_t start)
{
	if (b->len > start)
		base_buf_str(b, ", ");
}

/* What a node holds, in words: "ext4 \"data\", on /srv/x (3 GiB free)", "swap, active", "LVM vg0". */
static void describe_node(const struct vc_stor *s, const struct hcfg_snode *n, struct base_buf *b)
{
	size_t start = b->len;
	char sz[32];

	if (n->fstype[0]) {
		if (!strcmp(n->fstype, "LVM2_member"))
			/* TRANSLATORS: an LVM physical volume and its volume group. */
			base_buf_printf(b, _("LVM physical volume of %s"), n->vg[0] ? n->vg : "?");
		else if (!strcmp(n->fstype, "linux_raid_member"))
			/* TRANSLATORS: %s is a RAID array such as md0. */
			base_buf_printf(b, _("RAID member of %s"), n->md[0] ? n->md : "?");
		else
			base_buf_str(b, n->fstype);
		if (n->label[0])
			base_buf_printf(b, " \"%s\"", n->label);
	} else if (n->kind == HCFG_SN_PART || n->kind == HCFG_SN_LV) {
		/* TRANSLATORS: a partition with no filesystem or signature on it. */
		base_buf_str(b, _("no filesystem"));
	}
	if (n->swap_on) {
		sep(b, start);
		/* TRANSLATORS: a swap area in use. */
		base_buf_str(b, _("active"));
	}
	if (n->mountpoint[0]) {
		sep(b, start);
		/* TRANSLATORS: where a filesystem is mounted. */
		base_buf_printf(b, _("on %s"), n->mountpoint);
		if (n->fs_size) {
			char used[32];

			/* Blocks reserved for root count as used: what guests' files can still take is free. */
			fmt_size(n->fs_size > n->fs_avail ? n->fs_size - n->fs_avail : 0, used, sizeof(used));
			fmt_size(n->fs_avail, sz, sizeof(sz));
			/* TRANSLATORS: used and free space of a mounted filesystem. */
			base_buf_printf(b, _(" (%s used, %s free)"), used, sz);
		}
	}
	if (n->host) {
		sep(b, start);
		/* TRANSLATORS: %s says how the host uses it: "/", "/boot", "swap". */
		base_buf_printf(b, _("host: %s"), n->host_why);
	}
}

static void add_row(struct vc_srow **rows, size_t *n, char *key, char *text, int node, int pool)
{
	struct vc_srow *nv = realloc(*rows, (*n + 1) * sizeof(*nv));

	/*
	 * Labels, mount points, file and guest names come from disks and other people: a control
	 * character among them must not reach the operator's terminal as one.
	 */
	for (unsigned char *p = (unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';

	if (!nv)
		abort();
	*rows = nv;
	nv[*n].key = key;
	nv[*n].text = text;
	nv[*n].node = node;
	nv[*n].pool = pool;
	(*n)++;
}

/* The guests whose disks are on node @i, one row each, at @indent. */
static void guest_rows(const struct vc_stor *s, size_t i, int indent, struct vc_srow **rows,
		       size_t *n)
{
	for (size_t g = 0; g < s->nguests; g++)
		for (size_t k = 0; k < s->guests[g].n; k++) {
			struct base_buf b = { 0 }, key = { 0 };

			if (vc_stor_node_of_path(s, s->guests[g].paths[k], NULL) != (int)i)
				continue;
			/* TRANSLATORS: a guest in the storage tree: name, state, the disk's path. */
			base_buf_printf(&b, _("%*sguest %s (%s): %s"), indent, "", s->guests[g].name,
					hv_state_name(s->guests[g].state), s->guests[g].paths[k]);
			base_buf_printf(&key, "guest:%s:%s", s->guests[g].name, s->guests[g].paths[k]);
			add_row(rows, n, take(&key), take(&b), (int)i, -1);
		}
}

static void pool_rows_on(const struct vc_stor *s, size_t i, int indent, struct vc_srow **rows,
			 size_t *n)
{
	for (size_t p = 0; p < s->npools; p++) {
		struct base_buf b = { 0 }, key = { 0 };
		char cap[32], alloc[32];

		if (s->pool_node[p] != (int)i)
			continue;
		fmt_size(s->pools[p].capacity, cap, sizeof(cap));
		fmt_size(s->pools[p].allocation, alloc, sizeof(alloc));
		/* TRANSLATORS: a storage pool in the tree: name, type, capacity, allocation. */
		base_buf_printf(&b, _("%*spool %s (%s), %s, %s allocated"), indent, "",
				s->pools[p].name, s->pools[p].type ? s->pools[p].type : "?", cap, alloc);
		base_buf_printf(&key, "pool:%s", s->pools[p].name);
		add_row(rows, n, take(&key), take(&b), (int)i, (int)p);
	}
}

static void node_rows(const struct vc_stor *s, size_t i, int indent, struct vc_srow **rows,
		      size_t *n)
{
	const struct hcfg_snode *nd = &s->h.v[i];
	struct base_buf b = { 0 }, key = { 0 };
	char sz[32];

	fmt_size(nd->size, sz, sizeof(sz));
	if (nd->kind == HCFG_SN_FREE) {
		char at[32];

		fmt_size(nd->start, at, sizeof(at));
		/* TRANSLATORS: a free region of a disk: its size and where it starts. */
		base_buf_printf(&b, _("%*sfree space, %s at %s"), indent, "", sz, at);
		base_buf_printf(&key, "free:%s:%" PRIu64, s->h.v[nd->parent].path, nd->start);
		add_row(rows, n, take(&key), take(&b), (int)i, -1);
		return;
	}
	base_buf_printf(&b, "%*s%s  %s", indent, "", nd->name, sz);
	if (nd->kind == HCFG_SN_DISK) {
		if (nd->model[0])
			base_buf_printf(&b, "  %s", nd->model);
		if (nd->serial[0])
			base_buf_printf(&b, "  %s", nd->serial);
		if (nd->transport[0])
			base_buf_printf(&b, "  %s", nd->transport);
		if (nd->pttype[0])
			base_buf_printf(&b, "  %s", !strcmp(nd->pttype, "dos") ? "MBR" :
					!strcmp(nd->pttype, "gpt") ? "GPT" : nd->pttype);
		if (nd->fstype[0] || nd->mountpoint[0]) {
			base_buf_str(&b, "  ");
			describe_node(s, nd, &b);
		}
	} else {
		base_buf_str(&b, "  ");
		describe_node(s, nd, &b);
	}
	base_buf_str(&key, nd->path);
	add_row(rows, n, take(&key), take(&b), (int)i, -1);
	pool_rows_on(s, i, indent + 2, rows, n);
	guest_rows(s, i, indent + 2, rows, n);
}

int vc_stor_rows(const struct vc_stor *s, struct vc_srow **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	for (size_t d = 0; d < s->h.n; d++) {
		if (s->h.v[d].kind != HCFG_SN_DISK)
			continue;
		node_rows(s, d, 0, rows, n);
		for (size_t p = 0; p < s->h.n; p++) {
			if (s->h.v[p].parent != (int)d)
				continue;
			node_rows(s, p, 2, rows, n);
			for (size_t l = 0; l < s->h.n; l++)
				if (s->h.v[l].kind == HCFG_SN_LV && s->h.v[l].parent == (int)p)
					node_rows(s, l, 4, rows, n);
		}
	}
	/* Every pool with its volumes and who uses each. */
	for (size_t p = 0; p < s->npools; p++) {
		const struct hv_pool_info *pi = &s->pools[p];
		struct base_buf b = { 0 }, key = { 0 };
		char cap[32], alloc[32];

		fmt_size(pi->capacity, cap, sizeof(cap));
		fmt_size(pi->allocation, alloc, sizeof(alloc));
		/* TRANSLATORS: a pool's heading: name, type, where, state, capacity, allocation. */
		base_buf_printf(&b, _("Pool %s (%s) %s, %s: %s, %s allocated"), pi->name,
				pi->type ? pi->type : "?",
				pi->target ? pi->target : (pi->source_dev ? pi->source_dev : ""),
				pi->active ? _("active") : _("inactive"), cap, alloc);
		base_buf_printf(&key, "pool:%s", pi->name);
		add_row(rows, n, take(&key), take(&b), -1, (int)p);
		for (size_t v = 0; v < pi->n_vols; v++) {
			struct base_buf vb = { 0 }, vk = { 0 };
			bool used = false;

			fmt_size(pi->vols[v].capacity, cap, sizeof(cap));
			base_buf_printf(&vb, "  %s  %s", pi->vols[v].name, cap);
			for (size_t g = 0; g < s->nguests; g++)
				for (size_t k = 0; k < s->guests[g].n; k++)
					if (pi->vols[v].path && !strcmp(pi->vols[v].path, s->guests[g].paths[k])) {
						/* TRANSLATORS: the guests that use a pool's volume follow. */
						base_buf_printf(&vb, "%s%s", used ? ", " : _("  used by "),
								s->guests[g].name);
						used = true;
					}
			base_buf_printf(&vk, "vol:%s/%s", pi->name, pi->vols[v].name);
			add_row(rows, n, take(&vk), take(&vb), -1, (int)p);
		}
	}
	return 0;
}

void vc_srows_free(struct vc_srow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].key);
		free(rows[i].text);
	}
	free(rows);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void jstr(FILE *out, const char *key, const char *v, bool comma)
{
	char *q = vc_json_string(v);

	fprintf(out, "\"%s\": %s%s", key, q, comma ? ", " : "");
	free(q);
}

static const char *kind_key(enum hcfg_snode_kind k)
{
	switch (k) {
	case HCFG_SN_DISK: return "disk";
	case HCFG_SN_PART: return "partition";
	case HCFG_SN_FREE: return "free";
	default: return "lv";
	}
}

void vc_stor_json(const struct vc_stor *s, FILE *out)
{
	fputs("{\"nodes\": [", out);
	for (size_t i = 0; i < s->h.n; i++) {
		const struct hcfg_snode *n = &s->h.v[i];
		bool first = true;

		fprintf(out, "%s\n  {\"kind\": \"%s\", \"parent\": %d, ", i ? "," : "", kind_key(n->kind),
			n->parent);
		jstr(out, "name", n->name, true);
		jstr(out, "path", n->path, true);
		fprintf(out, "\"start\": %" PRIu64 ", \"size\": %" PRIu64 ", ", n->start, n->size);
		if (n->kind == HCFG_SN_DISK) {
			jstr(out, "model", n->model, true);
			jstr(out, "serial", n->serial, true);
			jstr(out, "transport", n->transport, true);
			jstr(out, "pttype", n->pttype, true);
		}
		jstr(out, "fstype", n->fstype, true);
		jstr(out, "label", n->label, true);
		jstr(out, "uuid", n->uuid, true);
		jstr(out, "mountpoint", n->mountpoint, true);
		fprintf(out, "\"fs_size\": %" PRIu64 ", \"fs_avail\": %" PRIu64 ", \"swap\": %s, ",
			n->fs_size, n->fs_avail, n->swap_on ? "true" : "false");
		jstr(out, "vg", n->vg, true);
		jstr(out, "md", n->md, true);
		fprintf(out, "\"host\": %s, ", n->host ? "true" : "false");
		jstr(out, "host_use", n->host_why, true);
		fputs("\"pools\": [", out);
		for (size_t p = 0; p < s->npools; p++)
			if (s->pool_node[p] == (int)i) {
				char *q = vc_json_string(s->pools[p].name);

				fprintf(out, "%s%s", first ? "" : ", ", q);
				free(q);
				first = false;
			}
		fputs("], \"guests\": [", out);
		first = true;
		for (size_t g = 0; g < s->nguests; g++)
			for (size_t k = 0; k < s->guests[g].n; k++)
				if (vc_stor_node_of_path(s, s->guests[g].paths[k], NULL) == (int)i) {
					fprintf(out, "%s{", first ? "" : ", ");
					jstr(out, "name", s->guests[g].name, true);
					jstr(out, "state", vc_state_key(s->guests[g].state), true);
					jstr(out, "disk", s->guests[g].paths[k], false);
					fputs("}", out);
					first = false;
				}
		fputs("]}", out);
	}
	fputs("\n], \"pools\": [", out);
	for (size_t p = 0; p < s->npools; p++) {
		const struct hv_pool_info *pi = &s->pools[p];

		fprintf(out, "%s\n  {", p ? "," : "");
		jstr(out, "name", pi->name, true);
		jstr(out, "type", pi->type, true);
		jstr(out, "target", pi->target, true);
		jstr(out, "source", pi->source_dev ? pi->source_dev : pi->source_name, true);
		fprintf(out, "\"active\": %s, \"capacity\": %" PRIu64 ", \"allocation\": %" PRIu64
			", \"node\": %d, \"volumes\": [", pi->active ? "true" : "false", pi->capacity,
			pi->allocation, s->pool_node[p]);
		for (size_t v = 0; v < pi->n_vols; v++) {
			bool first = true;

			fprintf(out, "%s{", v ? ", " : "");
			jstr(out, "name", pi->vols[v].name, true);
			jstr(out, "path", pi->vols[v].path, true);
			fprintf(out, "\"capacity\": %" PRIu64 ", \"guests\": [", pi->vols[v].capacity);
			for (size_t g = 0; g < s->nguests; g++)
				for (size_t k = 0; k < s->guests[g].n; k++)
					if (pi->vols[v].path && !strcmp(pi->vols[v].path, s->guests[g].paths[k])) {
						char *q = vc_json_string(s->guests[g].name);

						fprintf(out, "%s%s", first ? "" : ", ", q);
						free(q);
						first = false;
					}
			fputs("]}", out);
		}
		fputs("]}", out);
	}
	fputs(s->npools ? "\n]}\n" : "]}\n", out);
}

/* ---- impact ------------------------------------------------------------------------------------ */

void vc_impact_clear(struct vc_impact *im)
{
	free(im->v);
	memset(im, 0, sizeof(*im));
}

static void imp_add(struct vc_impact *im, enum vc_imp_kind k, const char *name, const char *detail)
{
	struct vc_imp_item *nv;

	for (size_t i = 0; i < im->n; i++)
		if (im->v[i].kind == k && !strcmp(im->v[i].name, name) &&
		    !strcmp(im->v[i].detail, detail ? detail : ""))
			return;
	nv = realloc(im->v, (im->n + 1) * sizeof(*nv));
	if (!nv)
		abort();
	im->v = nv;
	memset(&nv[im->n], 0, sizeof(*nv));
	nv[im->n].kind = k;
	snprintf(nv[im->n].name, sizeof(nv[im->n].name), "%s", name);
	snprintf(nv[im->n].detail, sizeof(nv[im->n].detail), "%s", detail ? detail : "");
	im->n++;
	if (k == VC_IMP_HOST || k == VC_IMP_RAID || k == VC_IMP_GUEST_RUNNING)
		im->refuse = true;
}

static bool is_on(enum hv_state st)
{
	return st == HV_STATE_RUNNING || st == HV_STATE_BLOCKED || st == HV_STATE_PAUSED ||
	       st == HV_STATE_SHUTDOWN || st == HV_STATE_PMSUSPENDED;
}

static void imp_guest(struct vc_impact *im, const struct hv_guest_disks *g, const char *path)
{
	imp_add(im, is_on(g->state) ? VC_IMP_GUEST_RUNNING : VC_IMP_GUEST, g->name, path);
}

/* Whether @path is @dir or inside it. */
static bool path_within(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	while (l > 1 && dir[l - 1] == '/')
		l--;
	return !strncmp(path, dir, l) && (path[l] == '\0' || path[l] == '/' || (l == 1 && dir[0] == '/'));
}

static void impact_node(const struct vc_stor *s, size_t t, struct vc_impact *im)
{
	for (size_t i = 0; i < s->h.n; i++) {
		const struct hcfg_snode *n = &s->h.v[i];

		if (n->kind == HCFG_SN_FREE || !hcfg_stor_within(&s->h, i, t))
			continue;
		if (n->host)
			imp_add(im, VC_IMP_HOST, n->name, n->host_why);
		if (n->md[0])
			imp_add(im, VC_IMP_RAID, n->name, n->md);
		if (n->kind == HCFG_SN_LV)
			imp_add(im, VC_IMP_LV, n->name, n->fstype);
		if (n->mountpoint[0])
			imp_add(im, VC_IMP_MOUNT, n->mountpoint, n->name);
		if (n->fstype[0] && n->kind != HCFG_SN_LV)
			imp_add(im, VC_IMP_DATA, n->name, n->fstype);
		for (size_t p = 0; p < s->npools; p++)
			if (s->pool_node[p] == (int)i)
				imp_add(im, VC_IMP_POOL, s->pools[p].name, s->pools[p].type);
		for (size_t g = 0; g < s->nguests; g++)
			for (size_t k = 0; k < s->guests[g].n; k++)
				if (vc_stor_node_of_path(s, s->guests[g].paths[k], NULL) == (int)i)
					imp_guest(im, &s->guests[g], s->guests[g].paths[k]);
	}
}

int vc_stor_impact(const struct vc_stor *s, const char *target, struct vc_impact *im,
		   char **cause)
{
	struct stat st;
	char real[4096];

	memset(im, 0, sizeof(*im));
	im->node = -1;
	im->partial = !s->libvirt;
	snprintf(im->target, sizeof(im->target), "%s", target ? target : "");
	if (!target || !target[0] || stat(target, &st) < 0)
		return base_cause(cause, -ENOENT, _("%s does not exist."), target ? target : "");
	if (S_ISBLK(st.st_mode)) {
		im->node = hcfg_stor_find_devno(&s->h, st.st_rdev);
		if (im->node < 0)
			return base_cause(cause, -ENOENT, _("%s is not in the storage tree."), target);
		impact_node(s, (size_t)im->node, im);
		return 0;
	}
	if (!realpath(target, real))
		return base_cause(cause, -errno, _("Could not read %s: %s."), target, strerror(errno));
	if (hcfg_stor_host_mount(real))
		imp_add(im, VC_IMP_HOST, real, real);
	/* A file or folder: the guests whose disks are it or inside it, the pools in it or holding it. */
	for (size_t g = 0; g < s->nguests; g++)
		for (size_t k = 0; k < s->guests[g].n; k++) {
			char gp[4096];

			if (!s->guests[g].block[k] && realpath(s->guests[g].paths[k], gp) &&
			    path_within(gp, real))
				imp_guest(im, &s->guests[g], s->guests[g].paths[k]);
		}
	for (size_t p = 0; p < s->npools; p++) {
		char pp[4096];

		if (s->pools[p].target && realpath(s->pools[p].target, pp) &&
		    (path_within(pp, real) || (S_ISDIR(st.st_mode) && !strcmp(pp, real))))
			imp_add(im, VC_IMP_POOL, s->pools[p].name, s->pools[p].type);
	}
	return 0;
}

int vc_stor_pool_impact(const struct vc_stor *s, const char *name, bool delete_volumes,
			struct vc_impact *im, char **cause)
{
	const struct hv_pool_info *pi = NULL;

	memset(im, 0, sizeof(*im));
	im->node = -1;
	snprintf(im->target, sizeof(im->target), "%s", name);
	for (size_t p = 0; p < s->npools; p++)
		if (!strcmp(s->pools[p].name, name))
			pi = &s->pools[p];
	if (!pi)
		return base_cause(cause, -ENOENT, _("There is no storage pool %s."), name);
	imp_add(im, VC_IMP_POOL, pi->name, pi->type);
	/* Kept volumes stay where they are, and guests keep using them. */
	if (!delete_volumes)
		return 0;
	for (size_t v = 0; v < pi->n_vols; v++) {
		bool used = false;

		for (size_t g = 0; g < s->nguests; g++)
			for (size_t k = 0; k < s->guests[g].n; k++)
				if (pi->vols[v].path && !strcmp(pi->vols[v].path, s->guests[g].paths[k])) {
					imp_guest(im, &s->guests[g], pi->vols[v].path);
					used = true;
				}
		if (!used)
			imp_add(im, VC_IMP_DATA, pi->vols[v].name, pi->vols[v].path);
	}
	return 0;
}

char *vc_impact_text(const struct vc_impact *im)
{
	struct base_buf b = { 0 };

	if (im->partial)
		base_buf_printf(&b, "%s\n", _("The guests and storage pools could not be read: what they use is not known."));
	for (size_t i = 0; i < im->n; i++) {
		const struct vc_imp_item *it = &im->v[i];

		switch (it->kind) {
		case VC_IMP_HOST:
			/* TRANSLATORS: the first %s is a device or path, the second how the host uses it ("/", "swap"). */
			base_buf_printf(&b, _("Refused: the host itself uses %s (%s)."), it->name, it->detail);
			break;
		case VC_IMP_RAID:
			base_buf_printf(&b, _("Refused: %s is a member of the RAID array %s."), it->name,
					it->detail);
			break;
		case VC_IMP_GUEST_RUNNING:
			base_buf_printf(&b, _("Refused: the running guest %s uses %s."), it->name, it->detail);
			break;
		case VC_IMP_GUEST:
			base_buf_printf(&b, _("The guest %s loses its disk %s."), it->name, it->detail);
			break;
		case VC_IMP_POOL:
			base_buf_printf(&b, _("The storage pool %s (%s) is removed."), it->name, it->detail);
			break;
		case VC_IMP_MOUNT:
			base_buf_printf(&b, _("%s is unmounted and its line in fstab removed."), it->name);
			break;
		case VC_IMP_LV:
			base_buf_printf(&b, _("The logical volume %s is lost."), it->name);
			break;
		case VC_IMP_DATA:
			if (it->detail[0])
				/* TRANSLATORS: %s (%s): a device or volume and what is on it. */
				base_buf_printf(&b, _("The data on %s (%s) is lost."), it->name, it->detail);
			else
				base_buf_printf(&b, _("The data on %s is lost."), it->name);
			break;
		}
		base_buf_str(&b, "\n");
	}
	if (!im->n)
		base_buf_printf(&b, "%s\n", _("Nothing on this host uses it."));
	/* Names from disks and guests: no control character but the line breaks put here. */
	for (char *p = b.s; p && *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			*p = '?';
	return take(&b);
}

static const char *imp_key(enum vc_imp_kind k)
{
	static const char *const keys[] = {
		[VC_IMP_HOST] = "host", [VC_IMP_RAID] = "raid",
		[VC_IMP_GUEST_RUNNING] = "running-guest", [VC_IMP_GUEST] = "guest",
		[VC_IMP_POOL] = "pool", [VC_IMP_MOUNT] = "mount", [VC_IMP_LV] = "lv",
		[VC_IMP_DATA] = "data",
	};

	return keys[k];
}

void vc_impact_json(const struct vc_impact *im, FILE *out)
{
	fputs("{", out);
	jstr(out, "target", im->target, true);
	fprintf(out, "\"refused\": %s, \"complete\": %s, \"affected\": [",
		im->refuse ? "true" : "false", im->partial ? "false" : "true");
	for (size_t i = 0; i < im->n; i++) {
		fprintf(out, "%s\n  {\"kind\": \"%s\", ", i ? "," : "", imp_key(im->v[i].kind));
		jstr(out, "name", im->v[i].name, true);
		jstr(out, "detail", im->v[i].detail, false);
		fputs("}", out);
	}
	fputs(im->n ? "\n]}\n" : "]}\n", out);
}
