/* The answer file's LVM and software RAID commands as Anaconda writes them: part pv./raid., volgroup, logvol, raid, autopart --type. */
#include "ks-priv.h"
#include "inst-plan-int.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options Anaconda knows for these commands that would keep or encrypt old data. */
#define KS_UNSUP_DATA "useexisting", "noformat", "encrypted", "passphrase=", "cipher=", \
	"luks-version=", "pbkdf=", "pbkdf-memory=", "pbkdf-time=", "pbkdf-iterations=", \
	"escrowcert=", "backuppassphrase", "label=", "fsoptions=", "mkfsoptions=", "fsprofile=", \
	"resize"

/* A name LVM accepts for a group or a volume: letters, digits and + _ . -, not starting with -. */
static bool lvm_name_ok(struct ks *k, const char *what, const char *s, size_t max)
{
	bool ok = *s && *s != '-' && strlen(s) < max && strcmp(s, ".") && strcmp(s, "..");

	for (const char *c = s; ok && *c; c++)
		ok = isascii((unsigned char)*c) && (isalnum((unsigned char)*c) || strchr("+_.-", *c));
	if (!ok)
		ks_err(k, _("\"%s\" is not a valid %s name: use up to %zu letters, digits and + _ . - (not first)."),
		       ks_q(k, s), what, max - 1);
	return ok;
}

/* "pv.01", "raid.01": Anaconda's names for the pieces the other commands assemble. */
static bool piece_name_ok(struct ks *k, const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	bool ok = !strncmp(s, prefix, n) && s[n] && strlen(s) < 16;

	for (const char *c = s + n; ok && *c; c++)
		ok = isascii((unsigned char)*c) && (isalnum((unsigned char)*c) || strchr("_.-", *c));
	if (!ok)
		ks_err(k, _("\"%s\" is not a valid name: write %s followed by up to %zu letters or digits, such as %s01."),
		       ks_q(k, s), prefix, 15 - n, prefix);
	return ok;
}

/* The entry made by a part or raid command named @name ("pv.01", "raid.01"), or NULL. */
static struct inst_part *find_piece(struct inst_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (!strcmp(p->parts[i].mount, name) && !*p->parts[i].vg)
			return &p->parts[i];
	return NULL;
}

bool ks_piece_mount(const char *mount)
{
	return !strncmp(mount, "pv.", 3) || !strncmp(mount, "raid.", 5);
}

bool ks_piece_check(struct ks *k, const char *mount, const char *fst, enum hcfg_fs *fs)
{
	bool pv = !strncmp(mount, "pv.", 3);
	char where[320];
	struct inst_part *old;

	*fs = pv ? HCFG_FS_LVMPV : HCFG_FS_MDMEMBER;
	if (fst && hcfg_fs_parse(fst) != *fs) {
		ks_err(k, _("The file system type %s does not suit %s: it is %s."), ks_q(k, fst),
		       ks_q(k, mount), hcfg_fs_name(*fs));
		return false;
	}
	if (!piece_name_ok(k, mount, pv ? "pv." : "raid."))
		return false;
	if ((old = find_piece(k->p, mount))) {
		ks_err(k, _("The name %s is already used at %s."), mount,
		       ks_where(k, old->src, where, sizeof(where)));
		return false;
	}
	return true;
}

/* The second disk of a RAID 1 file: recorded here, checked against the raid commands at the end. */
unsigned ks_second_disk(struct ks *k, const char *disk)
{
	char where[320];

	if (!*k->ondisk2) {
		INST_COPY(k->ondisk2, disk);
		k->ondisk2_src = k->at;
		return 1;
	}
	if (!strcmp(k->ondisk2, disk))
		return 1;
	ks_err(k, _("The answer file names a third disk, %s, besides %s and %s at %s: ospite installs onto one disk, or two with RAID 1."),
	       disk, k->ondisk, k->ondisk2, ks_where(k, k->ondisk2_src, where, sizeof(where)));
	return 0;
}

/* The file system of a volume or an array: --fstype, or what its mount point implies. */
static bool volume_fs(struct ks *k, const char *mount, const char *fst, enum hcfg_fs *fs)
{
	bool pv = !strncmp(mount, "pv.", 3);

	*fs = !strcmp(mount, "swap") ? HCFG_FS_SWAP : pv ? HCFG_FS_LVMPV : HCFG_FS_EXT4;
	if (!fst)
		return true;
	*fs = hcfg_fs_parse(fst);
	if (*fs == HCFG_FS_NONE || *fs == HCFG_FS_BIOSBOOT || *fs == HCFG_FS_MDMEMBER ||
	    *fs == HCFG_FS_VFAT) {
		ks_err(k, _("The file system type %s is not supported here: use ext4, ext3, xfs or swap."),
		       ks_q(k, fst));
		return false;
	}
	if ((*fs == HCFG_FS_SWAP) != !strcmp(mount, "swap") || (*fs == HCFG_FS_LVMPV) != pv) {
		ks_err(k, _("The file system type %s does not suit the mount point %s."),
		       hcfg_fs_name(*fs), ks_q(k, mount));
		return false;
	}
	return true;
}

/* A mount point of a volume or array: not used before, and never biosboot. */
static bool volume_mount(struct ks *k, const char *cmd, const char *mount)
{
	struct inst_plan *p = k->p;
	char *cause = NULL, where[320];

	if (!strcmp(mount, "biosboot")) {
		ks_err(k, _("The BIOS boot partition must be a partition: make it with part biosboot."));
		return false;
	}
	if (inst_valid_mount(mount, &cause) < 0) {
		ks_err_cause(k, cause);
		return false;
	}
	if (strlen(mount) >= sizeof(p->parts[0].mount)) {
		ks_err(k, _("The value of %s is longer than %zu characters."), cmd,
		       sizeof(p->parts[0].mount) - 1);
		return false;
	}
	for (size_t i = 0; i < p->n_parts && strcmp(mount, "swap"); i++)
		if (!strcmp(p->parts[i].mount, mount)) {
			ks_err(k, _("The mount point %s is already used at %s."), ks_q(k, mount),
			       ks_where(k, p->parts[i].src, where, sizeof(where)));
			return false;
		}
	if (!strcmp(mount, "/"))
		k->root_seen = true;
	return true;
}

/* A command of a layout of its own: autopart excludes it. */
static void layout_seen(struct ks *k)
{
	char where[320];

	k->part_seen = true;
	if (!k->part_src.line)
		k->part_src = k->at;
	if (k->autopart_src.line)
		ks_err(k, _("The commands %s and autopart exclude each other; autopart is at %s."),
		       "volgroup, logvol, raid", ks_where(k, k->autopart_src, where, sizeof(where)));
}

static bool add_entry(struct ks *k, const struct inst_part *e)
{
	if (k->p->n_parts >= INST_MAX_PARTS) {
		ks_err(k, _("ospite makes at most %d partitions, volumes and arrays in all."),
		       INST_MAX_PARTS);
		return false;
	}
	k->p->parts[k->p->n_parts++] = *e;
	return true;
}

/* ---- volgroup ------------------------------------------------------------------ */

void ks_cmd_volgroup(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "pesize", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { "useexisting", "noformat", "reserved-space=",
					     "reserved-percent=", NULL };
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = ks_args(k, w, defs, unsup, &a, 1 + INST_MAX_PVS);
	struct inst_vg vg = { .src = k->at };
	char where[320];

	layout_seen(k);
	if (a.n_pos < 2) {
		ks_err(k, _("The command volgroup needs a name and at least one physical volume (pv.01)."));
		free(a.pos);
		return;
	}
	if (!lvm_name_ok(k, _("volume group"), a.pos[0], sizeof(vg.name)))
		bad++;
	else
		INST_COPY(vg.name, a.pos[0]);
	for (size_t i = 0; i < p->n_vgs; i++)
		if (!strcmp(p->vgs[i].name, vg.name)) {
			ks_err(k, _("The volume group %s is already made at %s."), vg.name,
			       ks_where(k, p->vgs[i].src, where, sizeof(where)));
			bad++;
		}
	for (size_t j = 1; j < a.n_pos && j <= INST_MAX_PVS; j++) {
		if (!piece_name_ok(k, a.pos[j], "pv.")) {
			bad++;
			continue;
		}
		for (size_t g = 0; g < p->n_vgs; g++)
			for (size_t x = 0; x < p->vgs[g].n_pvs; x++)
				if (!strcmp(p->vgs[g].pvs[x], a.pos[j])) {
					ks_err(k, _("The physical volume %s already belongs to the volume group %s at %s."),
					       a.pos[j], p->vgs[g].name,
					       ks_where(k, p->vgs[g].src, where, sizeof(where)));
					bad++;
				}
		INST_COPY(vg.pvs[vg.n_pvs], a.pos[j]);
		vg.n_pvs++;
	}
	if (a.val[0]) {
		char *end;
		unsigned long v = strtoul(a.val[0], &end, 10);

		errno = 0;
		if (!isdigit((unsigned char)*a.val[0]) || *end || v < 1024 || v > 1048576 ||
		    (v & (v - 1))) {
			ks_err(k, _("The value \"%s\" of --pesize is not valid: write a power of two in KiB from 1024 to 1048576, such as 4096."),
			       ks_q(k, a.val[0]));
			bad++;
		}
		vg.pesize_kib = (unsigned)v;
	}
	if (!bad && p->n_vgs >= INST_MAX_VGS) {
		ks_err(k, _("ospite makes at most %d volume groups."), INST_MAX_VGS);
		bad++;
	}
	if (!bad)
		p->vgs[p->n_vgs++] = vg;
	free(a.pos);
}

/* ---- logvol -------------------------------------------------------------------- */

enum { LV_VGNAME, LV_NAME, LV_SIZE, LV_GROW, LV_MAXSIZE, LV_PERCENT, LV_FSTYPE, LV_RECOMMENDED,
       LV_THINPOOL, LV_THIN, LV_POOLNAME, LV_METADATASIZE, LV_CHUNKSIZE };

void ks_cmd_logvol(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		[LV_VGNAME] = { "vgname", INST_KS_VALUE, NULL },
		[LV_NAME] = { "name", INST_KS_VALUE, NULL },
		[LV_SIZE] = { "size", INST_KS_VALUE, NULL },
		[LV_GROW] = { "grow", INST_KS_FLAG, NULL },
		[LV_MAXSIZE] = { "maxsize", INST_KS_VALUE, NULL },
		[LV_PERCENT] = { "percent", INST_KS_VALUE, NULL },
		[LV_FSTYPE] = { "fstype", INST_KS_VALUE, NULL },
		[LV_RECOMMENDED] = { "recommended", INST_KS_FLAG, NULL },
		[LV_THINPOOL] = { "thinpool", INST_KS_FLAG, NULL },
		[LV_THIN] = { "thin", INST_KS_FLAG, NULL },
		[LV_POOLNAME] = { "poolname", INST_KS_VALUE, NULL },
		[LV_METADATASIZE] = { "metadatasize", INST_KS_VALUE, NULL },
		[LV_CHUNKSIZE] = { "chunksize", INST_KS_VALUE, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const unsup[] = { KS_UNSUP_DATA, "cachesize=", "cachemode=",
					     "cachepvs=", "hibernation", NULL };
	struct inst_ks_args a;
	unsigned bad = ks_args(k, w, defs, unsup, &a, 1);
	const char *mount = a.n_pos ? a.pos[0] : NULL;
	struct inst_part e = { .src = k->at };
	bool pool = a.val[LV_THINPOOL] != NULL, thin = a.val[LV_THIN] != NULL;

	layout_seen(k);
	if (!mount) {
		ks_err(k, _("The command logvol needs a mount point, swap, or none for a thin pool."));
		free(a.pos);
		return;
	}
	if (!a.val[LV_VGNAME] || !a.val[LV_NAME]) {
		ks_err(k, _("The command logvol needs --vgname and --name."));
		bad++;
	} else if (!lvm_name_ok(k, _("volume group"), a.val[LV_VGNAME], sizeof(e.vg)) ||
		   !lvm_name_ok(k, _("logical volume"), a.val[LV_NAME], sizeof(e.lv))) {
		bad++;
	} else {
		INST_COPY(e.vg, a.val[LV_VGNAME]);
		INST_COPY(e.lv, a.val[LV_NAME]);
		for (size_t i = 0; i < k->p->n_parts; i++) {
			char where[320];

			if (!strcmp(k->p->parts[i].vg, e.vg) && !strcmp(k->p->parts[i].lv, e.lv)) {
				ks_err(k, _("The logical volume %s/%s is already made at %s."), e.vg, e.lv,
				       ks_where(k, k->p->parts[i].src, where, sizeof(where)));
				bad++;
			}
		}
	}
	if (pool) {
		e.thinpool = true;
		if (strcmp(mount, "none")) {
			ks_err(k, _("A thin pool holds thin volumes, not a file system: write logvol none --thinpool."));
			bad++;
		}
		if (thin || a.val[LV_FSTYPE]) {
			ks_err(k, _("The option --thinpool excludes --thin and --fstype."));
			bad++;
		}
		INST_COPY(e.mount, "none");
	} else if (!strcmp(mount, "none")) {
		ks_err(k, _("Only a thin pool (--thinpool) may have the mount point none."));
		bad++;
	} else if (!volume_mount(k, "logvol", mount) ||
		   !volume_fs(k, mount, a.val[LV_FSTYPE], &e.fs)) {
		bad++;
	} else if (e.fs == HCFG_FS_LVMPV) {
		ks_err(k, _("A logical volume cannot be a physical volume of another group."));
		bad++;
	} else {
		INST_COPY(e.mount, mount);
		if (!strcmp(mount, "/boot")) {
			ks_err(k, _("GRUB boots from /boot, which must be a partition or a RAID 1 array, not a logical volume."));
			bad++;
		}
	}
	if (a.val[LV_METADATASIZE] || a.val[LV_CHUNKSIZE]) {
		if (!pool) {
			ks_err(k, _("The options --metadatasize and --chunksize apply to a thin pool (--thinpool)."));
			bad++;
		} else {
			ks_warn(k, _("The options --metadatasize and --chunksize are left to LVM, which sizes a thin pool's metadata and chunks itself."));
		}
	}
	if (thin) {
		if (!a.val[LV_POOLNAME]) {
			ks_err(k, _("A thin volume (--thin) needs --poolname, the thin pool it lives in."));
			bad++;
		} else if (lvm_name_ok(k, _("thin pool"), a.val[LV_POOLNAME], sizeof(e.pool))) {
			INST_COPY(e.pool, a.val[LV_POOLNAME]);
		} else {
			bad++;
		}
		if (e.fs == HCFG_FS_SWAP) {
			ks_err(k, _("Swap on a thin volume can run out of space when memory is short: make it a plain logical volume."));
			bad++;
		}
	} else if (a.val[LV_POOLNAME]) {
		ks_err(k, _("The option --poolname needs --thin."));
		bad++;
	}
	if (a.val[LV_SIZE] && !ks_parse_mib(k, "size", a.val[LV_SIZE], &e.size_mib))
		bad++;
	if (a.val[LV_MAXSIZE] && !ks_parse_mib(k, "maxsize", a.val[LV_MAXSIZE], &e.max_mib))
		bad++;
	if (a.val[LV_PERCENT]) {
		char *end;
		unsigned long v = strtoul(a.val[LV_PERCENT], &end, 10);

		if (!isdigit((unsigned char)*a.val[LV_PERCENT]) || *end || v < 1 || v > 100) {
			ks_err(k, _("The value \"%s\" of --percent is not valid: write a whole number from 1 to 100."),
			       ks_q(k, a.val[LV_PERCENT]));
			bad++;
		} else if (thin) {
			ks_err(k, _("A thin volume has a size of its own, not a share of the group: use --size."));
			bad++;
		} else if (a.val[LV_SIZE]) {
			ks_err(k, _("The options --size and --percent of the command logvol exclude each other."));
			bad++;
		}
		e.percent = (unsigned)v;
	}
	e.grow = a.val[LV_GROW] != NULL;
	e.recommended = a.val[LV_RECOMMENDED] != NULL;
	if (e.recommended && (strcmp(mount, "swap") || a.val[LV_SIZE] || e.grow)) {
		ks_err(k, _("The option --recommended applies to a swap partition without --size or --grow."));
		bad++;
	}
	if (a.val[LV_MAXSIZE] && !e.grow) {
		ks_err(k, _("The option --maxsize of the command %s needs --grow."), w[0]);
		bad++;
	} else if (e.max_mib && e.size_mib > e.max_mib) {
		ks_err(k, _("The partition %s has a --maxsize smaller than its --size."), ks_q(k, mount));
		bad++;
	}
	if (!a.val[LV_SIZE] && !e.grow && !e.recommended && !e.percent) {
		ks_err(k, _("The logical volume %s needs --size (in MiB), --grow, --percent or --recommended."),
		       ks_q(k, mount));
		bad++;
	}
	if (!e.size_mib && !e.recommended)
		e.size_mib = e.percent ? 0 : 1;
	if (!bad)
		add_entry(k, &e);
	free(a.pos);
}

/* ---- raid ---------------------------------------------------------------------- */

void ks_cmd_raid(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "level", INST_KS_VALUE, NULL }, { "device", INST_KS_VALUE, NULL },
		{ "fstype", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { KS_UNSUP_DATA, "spares=", "chunksize=", NULL };
	struct inst_ks_args a;
	unsigned bad = ks_args(k, w, defs, unsup, &a, 64);
	const char *mount = a.n_pos ? a.pos[0] : NULL, *lvl = a.val[0], *dev = a.val[1];
	struct inst_part e = { .src = k->at };

	layout_seen(k);
	if (!mount) {
		ks_err(k, _("The command raid needs a mount point, swap or a physical volume (pv.01), then its members."));
		free(a.pos);
		return;
	}
	if (!lvl) {
		ks_err(k, _("The command raid needs --level=1: ospite makes RAID 1 (mirrors) over two disks."));
		bad++;
	} else if (strcmp(lvl, "1") && strcasecmp(lvl, "raid1")) {
		ks_err(k, _("The RAID level %s is not supported: ospite makes RAID 1 (mirrors) over two disks."),
		       ks_q(k, lvl));
		bad++;
	}
	if (!dev) {
		ks_err(k, _("The command raid needs --device, the array's name (md0)."));
		bad++;
	} else {
		bool ok = *dev && strlen(dev) < sizeof(e.md) - 2;

		for (const char *c = dev; ok && *c; c++)
			ok = isascii((unsigned char)*c) && (isalnum((unsigned char)*c) || *c == '_');
		if (!ok) {
			ks_err(k, _("\"%s\" is not an array name: write md0 or a short name of letters and digits."),
			       ks_q(k, dev));
			bad++;
		} else {
			/* Anaconda's --device=0 is md0. */
			snprintf(e.md, sizeof(e.md), "%s%s", isdigit((unsigned char)*dev) ? "md" : "", dev);
			for (size_t i = 0; i < k->p->n_parts; i++) {
				char where[320];

				if (!strcmp(k->p->parts[i].md, e.md)) {
					ks_err(k, _("The array %s is already made at %s."), e.md,
					       ks_where(k, k->p->parts[i].src, where, sizeof(where)));
					bad++;
				}
			}
		}
	}
	if (!strncmp(mount, "pv.", 3)) {
		if (!ks_piece_check(k, mount, a.val[2], &e.fs))
			bad++;
	} else if (!strncmp(mount, "raid.", 5)) {
		ks_err(k, _("An array cannot be a member of another array."));
		bad++;
	} else if (!volume_mount(k, "raid", mount) || !volume_fs(k, mount, a.val[2], &e.fs)) {
		bad++;
	}
	INST_COPY(e.mount, mount);
	if (a.n_pos != 3) {
		ks_err(k, _("RAID 1 over two disks needs exactly two members (raid.01 raid.02), not %zu."),
		       a.n_pos ? a.n_pos - 1 : 0);
		bad++;
	} else {
		for (int j = 0; j < 2; j++) {
			if (!piece_name_ok(k, a.pos[1 + j], "raid."))
				bad++;
			else
				INST_COPY(e.members[j], a.pos[1 + j]);
		}
		if (!bad && !strcmp(e.members[0], e.members[1])) {
			ks_err(k, _("The array names its member %s twice."), e.members[0]);
			bad++;
		}
	}
	if (!bad)
		add_entry(k, &e);
	free(a.pos);
}

/* ---- autopart --type -------------------------------------------------------------- */

bool ks_autopart_type(struct ks *k, const char *type)
{
	if (!strcmp(type, "plain"))
		k->p->layout = INST_LAYOUT_PLAIN;
	else if (!strcmp(type, "lvm"))
		k->p->layout = INST_LAYOUT_LVM;
	else if (!strcmp(type, "thinp"))
		k->p->layout = INST_LAYOUT_THINP;
	else {
		ks_err(k, _("The partitioning type \"%s\" is not supported: ospite makes plain partitions (--type=plain), LVM (--type=lvm) or LVM thin provisioning (--type=thinp)."),
		       ks_q(k, type));
		return false;
	}
	return true;
}

/* ---- the checks once every file is read -------------------------------------------- */

static struct inst_vg *find_vg(struct inst_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_vgs; i++)
		if (!strcmp(p->vgs[i].name, name))
			return &p->vgs[i];
	return NULL;
}

static const char *disk_of(const struct ks *k, const struct inst_part *e)
{
	return e->disk_n ? k->ondisk2 : *k->ondisk ? k->ondisk : _("the install disk");
}

/* A volume group whose physical volumes all have fixed sizes must hold its volumes. */
static void check_vg_room(struct ks *k, const struct inst_vg *vg)
{
	struct inst_plan *p = k->p, one = *p;
	uint64_t sizes[INST_MAX_PARTS] = { 0 };
	char *cause = NULL;

	for (size_t j = 0; j < vg->n_pvs; j++) {
		const struct inst_part *pv = find_piece(p, vg->pvs[j]);

		if (!pv || pv->grow)
			return;
		for (int m = 0; *pv->md && m < 2; m++) {
			const struct inst_part *r = find_piece(p, pv->members[m]);

			if (!r || r->grow)
				return;
		}
	}
	for (size_t i = 0; i < p->n_parts; i++)
		if (inst_part_on_disk(&p->parts[i]))
			sizes[i] = p->parts[i].size_mib;
	one.vgs[0] = *vg;
	one.n_vgs = 1;
	if (inst_plan_resolve_storage(&one, sizes, &cause) == -ENOSPC) {
		char where[320];
		size_t n;

		/* The cause names the volgroup line already. */
		ks_where(k, vg->src, where, sizeof(where));
		n = strlen(where);
		ks_err_at(k, vg->src, "%s", !strncmp(cause, where, n) && !strncmp(cause + n, ": ", 2) ?
			  cause + n + 2 : cause);
	}
	free(cause);
}

/* clearpart --drives with the two disks of RAID 1, in either order; the first is the plan's disk. */
static void clear_two(struct ks *k, bool any_md)
{
	struct inst_plan *p = k->p;
	char **d = k->clear_drives;

	if (inst_list_len(d) == 2) {
		if (!any_md || !*k->ondisk2) {
			ks_err_at(k, p->src_clear, _("The command clearpart names %zu disks, but ospite installs onto one disk and erases no other."),
				  (size_t)2);
			inst_list_free(&k->clear_drives);
			return;
		}
		if (!(!strcmp(d[0], k->ondisk) && !strcmp(d[1], k->ondisk2)) &&
		    !(!strcmp(d[1], k->ondisk) && !strcmp(d[0], k->ondisk2))) {
			ks_err_at(k, p->src_clear, _("The command clearpart names %s and %s, but the partitions are on %s and %s."),
				  d[0], d[1], k->ondisk, k->ondisk2);
			inst_list_free(&k->clear_drives);
			return;
		}
		/* Both are erased; the plan's disk is the first the partitions name. */
		inst_list_free(&k->clear_drives);
		inst_list_add(&k->clear_drives, k->ondisk);
	} else if (d && any_md && *k->ondisk2) {
		ks_err_at(k, p->src_clear, _("The command clearpart --drives does not name %s, the second disk of the RAID 1 arrays: name both disks to erase them."),
			  k->ondisk2);
	}
}

void ks_lvm_finish(struct ks *k)
{
	struct inst_plan *p = k->p;
	char where[320], where2[320];
	bool any_md = false;

	for (size_t g = 0; g < p->n_vgs; g++) {
		struct inst_vg *vg = &p->vgs[g];
		bool missing = false;

		for (size_t j = 0; j < vg->n_pvs; j++) {
			const struct inst_part *pv = find_piece(p, vg->pvs[j]);

			if (!pv || pv->fs != HCFG_FS_LVMPV) {
				ks_err_at(k, vg->src, _("The volume group %s names the physical volume %s, which no part or raid command makes."),
					  vg->name, vg->pvs[j]);
				missing = true;
			}
		}
		if (!missing)
			check_vg_room(k, vg);
	}
	for (size_t i = 0; i < p->n_parts; i++) {
		struct inst_part *e = &p->parts[i];

		if (e->fs == HCFG_FS_LVMPV) {
			bool used = false;

			for (size_t g = 0; g < p->n_vgs; g++)
				for (size_t j = 0; j < p->vgs[g].n_pvs; j++)
					used |= !strcmp(p->vgs[g].pvs[j], e->mount);
			if (!used)
				ks_err_at(k, e->src, _("The physical volume %s belongs to no volume group: add a volgroup command."),
					  e->mount);
		}
		if (e->fs == HCFG_FS_MDMEMBER) {
			size_t users = 0;

			for (size_t j = 0; j < p->n_parts; j++)
				users += !strcmp(p->parts[j].members[0], e->mount) ||
					 !strcmp(p->parts[j].members[1], e->mount);
			if (users == 0)
				ks_err_at(k, e->src, _("The RAID member %s belongs to no array: add a raid command."),
					  e->mount);
			else if (users > 1)
				ks_err_at(k, e->src, _("The RAID member %s is named by %zu arrays."), e->mount,
					  users);
		}
		if (*e->vg) {
			if (!find_vg(p, e->vg))
				ks_err_at(k, e->src, _("The logical volume %s names the volume group %s, which no volgroup command makes."),
					  e->lv, e->vg);
			if (*e->pool) {
				bool found = false;

				for (size_t j = 0; j < p->n_parts; j++)
					found |= p->parts[j].thinpool && !strcmp(p->parts[j].vg, e->vg) &&
						 !strcmp(p->parts[j].lv, e->pool);
				if (!found)
					ks_err_at(k, e->src, _("The thin volume %s names the thin pool %s, which the volume group %s does not have."),
						  e->lv, e->pool, e->vg);
			}
		}
		if (*e->md) {
			const struct inst_part *m[2];

			any_md = true;
			for (int j = 0; j < 2; j++) {
				m[j] = find_piece(p, e->members[j]);
				if (!m[j] || m[j]->fs != HCFG_FS_MDMEMBER)
					ks_err_at(k, e->src, _("The array %s names the member %s, which no part command makes."),
						  e->md, e->members[j]);
			}
			if (m[0] && m[1] && m[0]->fs == HCFG_FS_MDMEMBER &&
			    m[1]->fs == HCFG_FS_MDMEMBER && m[0]->disk_n == m[1]->disk_n)
				ks_err_at(k, e->src, _("The members %s (%s) and %s (%s) of the array %s are on the same disk %s: a mirror needs them on two disks (part --ondisk)."),
					  e->members[0], ks_where(k, m[0]->src, where, sizeof(where)),
					  e->members[1], ks_where(k, m[1]->src, where2, sizeof(where2)),
					  e->md, disk_of(k, m[0]));
		}
	}
	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *e = &p->parts[i];

		if (!strcmp(e->mount, "/") && *e->pool) {
			bool boot = false;

			for (size_t j = 0; j < p->n_parts; j++)
				boot |= !strcmp(p->parts[j].mount, "/boot");
			if (!boot)
				ks_err_at(k, e->src, _("GRUB cannot read a thin volume: with / on one, make /boot a partition."));
		}
	}
	if (*k->ondisk2 && !any_md)
		ks_err_at(k, k->ondisk2_src, _("The answer file names a second disk, %s, besides %s at %s: ospite installs onto one disk."),
			  k->ondisk2, k->ondisk, ks_where(k, k->ondisk_src, where, sizeof(where)));
	if (any_md && !*k->ondisk2)
		ks_err_at(k, k->part_src, _("RAID 1 needs two disks: give its members part --ondisk with two different disks."));
	if (*k->ondisk2 && any_md) {
		INST_COPY(p->disk2, k->ondisk2);
		p->src_disk2 = k->ondisk2_src;
	}
	clear_two(k, any_md);
}

/* RAID 1: the second disk boots too, so it gets its own BIOS boot partition. */
void ks_lvm_biosboot2(struct ks *k)
{
	struct inst_plan *p = k->p;

	if (!*p->disk2)
		return;
	for (size_t i = 0; i < p->n_parts; i++)
		if (p->parts[i].fs == HCFG_FS_BIOSBOOT && p->parts[i].disk_n == 1)
			return;
	if (p->n_parts >= INST_MAX_PARTS) {
		ks_err_at(k, k->part_src, _("ospite makes at most %d partitions, the BIOS boot partition included."),
			  INST_MAX_PARTS);
		return;
	}
	memmove(&p->parts[2], &p->parts[1], (p->n_parts - 1) * sizeof(p->parts[0]));
	p->parts[1] = (struct inst_part){ .mount = "biosboot", .fs = HCFG_FS_BIOSBOOT, .size_mib = 1,
					  .disk_n = 1, .src = k->part_src };
	p->n_parts++;
}
