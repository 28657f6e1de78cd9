/* LVM and RAID 1 in the install plan: the automatic layouts, the sizes of arrays and logical volumes, and how the plan shows them. */
#include "inst.h"
#include "inst-plan-int.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The volume group of the automatic layouts, and its thin pool. */
#define AUTO_VG   "ospite"
#define AUTO_POOL "pool"

/* LVM's default extent: volumes are whole extents, physical volumes lose their first MiB. */
#define PE_MIB 4

const char *inst_layout_name(enum inst_layout l)
{
	static const char *const names[] = { "plain", "lvm", "thinp", "raid1" };

	return (unsigned)l < 4 ? names[l] : names[0];
}

bool inst_part_has_fs(const struct inst_part *e)
{
	return !e->thinpool && e->fs != HCFG_FS_NONE && e->fs != HCFG_FS_BIOSBOOT &&
	       e->fs != HCFG_FS_LVMPV && e->fs != HCFG_FS_MDMEMBER;
}

bool inst_part_on_disk(const struct inst_part *e)
{
	return !*e->md && !*e->vg;
}

bool inst_plan_uses_lvm(const struct inst_plan *p)
{
	return p->n_vgs > 0 || (p->autopart && p->layout != INST_LAYOUT_PLAIN);
}

bool inst_plan_uses_md(const struct inst_plan *p)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (*p->parts[i].md)
			return true;
	return p->autopart && p->layout == INST_LAYOUT_RAID1;
}

bool inst_plan_uses_thin(const struct inst_plan *p)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (p->parts[i].thinpool)
			return true;
	return p->autopart && p->layout == INST_LAYOUT_THINP;
}

static struct inst_part *add(struct inst_plan *p, const char *mount, enum hcfg_fs fs,
			     uint64_t mib, bool grow)
{
	struct inst_part *e;

	if (p->n_parts >= INST_MAX_PARTS)
		return NULL;
	e = &p->parts[p->n_parts++];
	memset(e, 0, sizeof(*e));
	INST_COPY(e->mount, mount);
	e->fs = fs;
	e->size_mib = mib;
	e->grow = grow;
	return e;
}

static void make_lv(struct inst_part *e, const char *name, const char *pool)
{
	if (!e)
		return;
	INST_COPY(e->vg, AUTO_VG);
	INST_COPY(e->lv, name);
	INST_COPY(e->pool, pool ? pool : "");
}

void inst_plan_auto_layout(struct inst_plan *p, enum inst_layout layout)
{
	struct inst_part old[INST_MAX_PARTS];
	size_t n = p->n_parts;
	uint64_t boot = 1024, root = 4096, swap = 512;
	struct inst_loc src = n ? p->parts[0].src : (struct inst_loc){ 0, 0 };
	const char *pool = layout == INST_LAYOUT_THINP ? AUTO_POOL : NULL;
	struct inst_part *e;

	if (layout == INST_LAYOUT_PLAIN)
		return;
	/* The sizes inst_plan_auto_parts() chose for this disk. */
	memcpy(old, p->parts, sizeof(old));
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(old[i].mount, "/boot"))
			boot = old[i].size_mib;
		else if (!strcmp(old[i].mount, "/"))
			root = old[i].size_mib;
		else if (!strcmp(old[i].mount, "swap"))
			swap = old[i].size_mib;
	}
	p->n_parts = 0;
	p->n_vgs = 0;
	add(p, "biosboot", HCFG_FS_BIOSBOOT, 1, false);
	if (layout == INST_LAYOUT_RAID1) {
		/* Each disk boots on its own: a BIOS boot partition and half of every array. */
		if ((e = add(p, "biosboot", HCFG_FS_BIOSBOOT, 1, false)))
			e->disk_n = 1;
		add(p, "raid.01", HCFG_FS_MDMEMBER, boot, false);
		if ((e = add(p, "raid.02", HCFG_FS_MDMEMBER, boot, false)))
			e->disk_n = 1;
		add(p, "raid.11", HCFG_FS_MDMEMBER, 1, true);
		if ((e = add(p, "raid.12", HCFG_FS_MDMEMBER, 1, true)))
			e->disk_n = 1;
		if ((e = add(p, "/boot", HCFG_FS_EXT4, 0, false))) {
			INST_COPY(e->md, "md0");
			INST_COPY(e->members[0], "raid.01");
			INST_COPY(e->members[1], "raid.02");
		}
		if ((e = add(p, "pv.01", HCFG_FS_LVMPV, 0, false))) {
			INST_COPY(e->md, "md1");
			INST_COPY(e->members[0], "raid.11");
			INST_COPY(e->members[1], "raid.12");
		}
	} else {
		add(p, "/boot", HCFG_FS_EXT4, boot, false);
		add(p, "pv.01", HCFG_FS_LVMPV, 1, true);
	}
	p->vgs[0] = (struct inst_vg){ .name = AUTO_VG, .pvs = { "pv.01" }, .n_pvs = 1, .src = src };
	p->n_vgs = 1;
	if (pool) {
		e = add(p, "none", HCFG_FS_NONE, 1, true);
		make_lv(e, AUTO_POOL, NULL);
		if (e)
			e->thinpool = true;
	}
	make_lv(add(p, "/", HCFG_FS_EXT4, root, false), "root", pool);
	make_lv(add(p, "swap", HCFG_FS_SWAP, swap, false), "swap", NULL);
	/* A thin image store takes the whole pool: guests' images are sparse anyway. */
	make_lv(add(p, INST_IMAGES_DIR, HCFG_FS_XFS, 1024, true), "images", pool);
	for (size_t i = 0; i < p->n_parts; i++)
		p->parts[i].src = src;
}

/* ---- sizes -------------------------------------------------------------------- */

static ssize_t find(const struct inst_plan *p, const char *mount)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (!strcmp(p->parts[i].mount, mount) && (inst_part_on_disk(&p->parts[i]) ||
							  *p->parts[i].md))
			return (ssize_t)i;
	return -1;
}

/* What an array of members of @mib offers: mdadm 1.2 keeps up to 128 MiB in front of the data. */
static uint64_t md_size(uint64_t mib)
{
	uint64_t off = mib >= 4096 ? 128 : mib >= 256 ? 8 : 1;

	return mib > off ? mib - off : 0;
}

static uint64_t round_pe(uint64_t mib)
{
	return mib / PE_MIB * PE_MIB;
}

void inst_plan_grow_share(const struct inst_plan *p,
			  bool (*in)(const struct inst_part *e, const void *arg), const void *arg,
			  uint64_t left, uint64_t unit, uint64_t *sizes)
{
	size_t ngrow = 0;

	for (size_t i = 0; i < p->n_parts; i++)
		ngrow += in(&p->parts[i], arg) && p->parts[i].grow;
	while (left >= unit && ngrow > 0) {
		uint64_t share = left / ngrow / unit * unit, given = 0;
		size_t open = 0;

		/* Less than a share each: one unit at a time, to the first ones. */
		if (share == 0)
			share = unit;
		for (size_t i = 0; i < p->n_parts && given + share <= left; i++) {
			const struct inst_part *e = &p->parts[i];
			uint64_t add = share;

			if (!in(e, arg) || !e->grow || (e->max_mib && sizes[i] >= e->max_mib))
				continue;
			if (e->max_mib && sizes[i] + add > e->max_mib)
				add = e->max_mib - sizes[i];
			sizes[i] += add;
			given += add;
			if (!e->max_mib || sizes[i] < e->max_mib)
				open++;
		}
		left -= given;
		ngrow = open;
		if (given == 0)
			break;
	}
}

/* Is @e a logical volume of the group @arg that takes space of it (not a thin volume)? */
static bool in_group(const struct inst_part *e, const void *arg)
{
	const struct inst_vg *vg = arg;

	return !strcmp(e->vg, vg->name) && !*e->pool;
}

static void where_prefix(const struct inst_plan *p, struct inst_loc at, char *buf, size_t len)
{
	char w[300];

	inst_plan_where(p, at, w, sizeof(w));
	snprintf(buf, len, "%s%s", w, *w ? ": " : "");
}

/* The space of the volume group @vg, from the sizes of its physical volumes. */
uint64_t inst_plan_vg_mib(const struct inst_plan *p, const struct inst_vg *vg,
			  const uint64_t *sizes)
{
	uint64_t total = 0;

	for (size_t j = 0; j < vg->n_pvs; j++) {
		ssize_t i = find(p, vg->pvs[j]);

		if (i >= 0 && sizes[i] > 1)
			total += round_pe(sizes[i] - 1);
	}
	return total;
}

int inst_plan_resolve_storage(const struct inst_plan *p, uint64_t *sizes, char **cause)
{
	char w[320];

	/* Arrays: as large as their smaller member allows. */
	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *e = &p->parts[i];
		ssize_t a, b;

		if (!*e->md)
			continue;
		a = find(p, e->members[0]);
		b = find(p, e->members[1]);
		sizes[i] = a < 0 || b < 0 ? 0 :
			   md_size(sizes[a] < sizes[b] ? sizes[a] : sizes[b]);
	}
	for (size_t g = 0; g < p->n_vgs; g++) {
		const struct inst_vg *vg = &p->vgs[g];
		uint64_t total = inst_plan_vg_mib(p, vg, sizes), fixed = 0, pool = 0;

		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < p->n_parts; i++) {
				const struct inst_part *e = &p->parts[i];

				/* Thin volumes take no space of the group: their pool does. */
				if (strcmp(e->vg, vg->name) || *e->pool)
					continue;
				if (pass == 0 && e->percent) {
					sizes[i] = round_pe(total * e->percent / 100);
				} else if (pass == 0) {
					sizes[i] = (e->size_mib + PE_MIB - 1) / PE_MIB * PE_MIB;
				} else {
					fixed += sizes[i];
				}
				/* A thin pool keeps its metadata, and a spare copy, beside it. */
				if (pass == 1 && e->thinpool)
					pool += 2 * (sizes[i] / 1000 > PE_MIB ? round_pe(sizes[i] / 1000) : PE_MIB);
			}
		fixed += pool;
		if (fixed > total) {
			where_prefix(p, vg->src, w, sizeof(w));
			return base_cause(cause, -ENOSPC,
					  _("%sThe logical volumes of the volume group %s need %llu MiB, but its physical volumes hold only %llu MiB."),
					  w, vg->name, (unsigned long long)fixed, (unsigned long long)total);
		}
		/* What is left goes to the grow volumes, each up to its --maxsize, in whole extents. */
		inst_plan_grow_share(p, in_group, vg, total - fixed, PE_MIB, sizes);
	}
	/* Thin volumes: their own (virtual) size, or with --grow the whole pool. */
	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *e = &p->parts[i];

		if (!*e->pool)
			continue;
		sizes[i] = e->size_mib;
		for (size_t j = 0; j < p->n_parts; j++)
			if (p->parts[j].thinpool && !strcmp(p->parts[j].vg, e->vg) &&
			    !strcmp(p->parts[j].lv, e->pool) && e->grow && sizes[j] > sizes[i])
				sizes[i] = e->max_mib && e->max_mib < sizes[j] ? e->max_mib : sizes[j];
	}
	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *e = &p->parts[i];

		if (!inst_part_on_disk(e) && !e->thinpool && inst_part_has_fs(e) && sizes[i] == 0) {
			where_prefix(p, e->src, w, sizeof(w));
			return base_cause(cause, -ENOSPC, _("%sThe volume %s gets no space."), w,
					  e->mount);
		}
	}
	return 0;
}

/* ---- the dump and the answer file ----------------------------------------------- */

void inst_plan_dump_storage(struct base_buf *s, const struct inst_plan *p)
{
	if (*p->disk2)
		base_buf_printf(s, "disk2: %s\n", p->disk2);
	for (size_t g = 0; g < p->n_vgs; g++) {
		const struct inst_vg *vg = &p->vgs[g];

		base_buf_printf(s, "volgroup: %s pvs=", vg->name);
		for (size_t j = 0; j < vg->n_pvs; j++)
			base_buf_printf(s, "%s%s", j ? "," : "", vg->pvs[j]);
		if (vg->pesize_kib)
			base_buf_printf(s, " pesize=%uK", vg->pesize_kib);
		base_buf_str(s, "\n");
	}
}

/* The words after "part: MOUNT fs=FS size=..." that say where an entry lives. */
void inst_plan_dump_where(struct base_buf *s, const struct inst_part *e)
{
	if (e->percent)
		base_buf_printf(s, " percent=%u", e->percent);
	if (*e->md)
		base_buf_printf(s, " device=%s level=1 members=%s,%s", e->md, e->members[0],
				e->members[1]);
	else if (*e->vg)
		base_buf_printf(s, " lv=%s/%s%s%s%s", e->vg, e->lv, e->thinpool ? " thinpool" : "",
				*e->pool ? " pool=" : "", e->pool);
	else if (e->disk_n)
		base_buf_str(s, " disk=2");
}

/* The answer-file command of one entry that is not a plain partition; false for those. */
bool inst_plan_ks_storage(struct base_buf *s, const struct inst_plan *p, const struct inst_part *e,
			  const char *disk, const char *disk2)
{
	const char *fs = e->thinpool ? NULL : hcfg_fs_name(e->fs);

	if (inst_part_on_disk(e)) {
		if (e->fs != HCFG_FS_LVMPV && e->fs != HCFG_FS_MDMEMBER && !e->disk_n)
			return false;
		base_buf_str(s, "part ");
		inst_plan_ks_word(s, e->mount);
		if (e->fs != HCFG_FS_LVMPV && e->fs != HCFG_FS_MDMEMBER)
			base_buf_printf(s, " --fstype=%s", fs);
		base_buf_printf(s, " --size=%llu%s", (unsigned long long)e->size_mib,
				e->grow ? " --grow" : "");
		if (e->max_mib)
			base_buf_printf(s, " --maxsize=%llu", (unsigned long long)e->max_mib);
		if (e->disk_n ? *disk2 : *disk)
			inst_plan_ks_opt(s, "ondisk", e->disk_n ? disk2 : disk);
		base_buf_str(s, "\n");
		return true;
	}
	if (*e->md) {
		base_buf_str(s, "raid ");
		inst_plan_ks_word(s, e->mount);
		base_buf_printf(s, " --level=1 --device=%s", e->md);
		if (e->fs != HCFG_FS_LVMPV)
			base_buf_printf(s, " --fstype=%s", fs);
		base_buf_printf(s, " %s %s\n", e->members[0], e->members[1]);
		return true;
	}
	/* The volume groups come before their first logical volume. */
	for (size_t g = 0; g < p->n_vgs; g++) {
		const struct inst_vg *vg = &p->vgs[g];
		bool first = true;

		if (strcmp(vg->name, e->vg))
			continue;
		for (const struct inst_part *o = p->parts; o < e; o++)
			first &= strcmp(o->vg, vg->name) != 0;
		if (!first)
			break;
		base_buf_printf(s, "volgroup %s", vg->name);
		if (vg->pesize_kib)
			base_buf_printf(s, " --pesize=%u", vg->pesize_kib);
		for (size_t j = 0; j < vg->n_pvs; j++)
			base_buf_printf(s, " %s", vg->pvs[j]);
		base_buf_str(s, "\n");
	}
	base_buf_str(s, "logvol ");
	inst_plan_ks_word(s, e->mount);
	base_buf_printf(s, " --vgname=%s --name=%s", e->vg, e->lv);
	if (e->thinpool)
		base_buf_str(s, " --thinpool");
	else
		base_buf_printf(s, " --fstype=%s", fs);
	if (*e->pool)
		base_buf_printf(s, " --thin --poolname=%s", e->pool);
	if (e->recommended)
		base_buf_str(s, " --recommended");
	else if (e->percent)
		base_buf_printf(s, " --percent=%u", e->percent);
	else
		base_buf_printf(s, " --size=%llu", (unsigned long long)e->size_mib);
	if (e->grow)
		base_buf_str(s, " --grow");
	if (e->max_mib)
		base_buf_printf(s, " --maxsize=%llu", (unsigned long long)e->max_mib);
	base_buf_str(s, "\n");
	return true;
}
