/* The engine's LVM and RAID 1: the partitions of both disks, then arrays, volume groups and logical volumes, the host's mdadm.conf, and their release at the end or on failure. */
#include "inst-engine.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entry a part or raid command named @name ("pv.01", "raid.01"), or -1. */
static ssize_t piece(const struct inst_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (!strcmp(p->parts[i].mount, name) && !*p->parts[i].vg)
			return (ssize_t)i;
	return -1;
}

/* "/dev/md0" for md0, "/dev/md/boot" for a named array. */
static void md_path(const char *md, char *buf, size_t len)
{
	bool numbered = !strncmp(md, "md", 2) && md[2];

	for (const char *c = md + 2; numbered && *c; c++)
		numbered = isdigit((unsigned char)*c);
	snprintf(buf, len, numbered ? "/dev/%s" : "/dev/md/%s", md);
}

static int run(struct inst_engine *e, char **cause, const char *const argv[])
{
	int rc = base_run(argv, e->logfd, cause);

	return rc > 0 ? -EIO : rc;
}
#define RUN(e, cause, ...) run((e), (cause), (const char *const[]){ __VA_ARGS__, NULL })

int eng_storage_partition(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;

	for (unsigned d = 0; d < (*p->disk2 ? 2u : 1u); d++) {
		struct hcfg_part_spec specs[INST_MAX_PARTS];
		char *paths[INST_MAX_PARTS];
		size_t idx[INST_MAX_PARTS], n = 0;
		int rc;

		for (size_t i = 0; i < p->n_parts; i++) {
			if (!inst_part_on_disk(&p->parts[i]) || p->parts[i].disk_n != d)
				continue;
			specs[n] = (struct hcfg_part_spec){ e->sizes[i], p->parts[i].fs,
							    p->parts[i].mount };
			idx[n++] = i;
		}
		if (n == 0)
			continue;
		rc = hcfg_disk_partition(d ? p->disk2 : p->disk, specs, n, paths, cause);
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < n; j++)
			e->partdev[idx[j]] = paths[j];
	}
	return 0;
}

/*
 * Read back the UUID of what was just made, with @argv, through @parse into
 * @buf: the run record and the journal name it, so that a later run can tell
 * this array or group from any other before it assembles or activates one.
 */
static int read_uuid(struct inst_engine *e, const char *const argv[],
		     int (*parse)(const char *, char *, size_t), const char *what, char *buf,
		     size_t len, char **cause)
{
	char *out = NULL;
	int rc = base_run_capture(argv, e->logfd, &out, cause);

	/* The tool's own words are in the log; say what it means for the install. */
	if (rc > 0 || (rc == 0 && parse(out ? out : "", buf, len) < 0)) {
		/* TRANSLATORS: %s is a RAID array's device or a volume group's name. */
		rc = base_cause(cause, -EPROTO, _("%s was made, but its UUID could not be read back."),
				what);
	}
	free(out);
	if (rc == 0)
		eng_log(e, "%s: UUID %s", what, buf);
	return rc;
}

int eng_vg_uuid(struct inst_engine *e, const char *vg, char *buf, size_t len, char **cause)
{
	/*
	 * By name: vgcreate refuses a name another group has, and should two groups of that
	 * name show, vgs fails (or their two lines are refused) rather than one being taken.
	 */
	return read_uuid(e, (const char *const[]){ "vgs", "--noheadings", "-o", "vg_uuid", vg, NULL },
			 inst_vg_uuid_from_vgs, vg, buf, len, cause);
}

static int make_arrays(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;

	for (size_t i = 0; i < p->n_parts; i++) {
		const struct inst_part *x = &p->parts[i];
		ssize_t a, b;
		char dev[64];
		int rc;

		if (!*x->md)
			continue;
		a = piece(p, x->members[0]);
		b = piece(p, x->members[1]);
		if (a < 0 || b < 0 || !e->partdev[a] || !e->partdev[b])
			return base_cause(cause, -EINVAL, _("The array %s has no members."), x->md);
		md_path(x->md, dev, sizeof(dev));
		/*
		 * --run: no question about the members' old contents (the disks were
		 * just wiped) or about metadata at the start of a boot device (GRUB
		 * reads 1.2).
		 */
		rc = RUN(e, cause, "mdadm", "--create", dev, "--run", "--level=1", "--raid-devices=2",
			 "--metadata=1.2", e->partdev[a], e->partdev[b]);
		if (rc < 0)
			return rc;
		e->md_made[i] = true;
		if (!(e->partdev[i] = strdup(dev)))
			abort();
		rc = read_uuid(e, (const char *const[]){ "mdadm", "--detail", "--export", dev, NULL },
			       inst_md_uuid_from_export, dev, e->jn.md_uuid[i],
			       sizeof(e->jn.md_uuid[i]), cause);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* lvcreate for one volume; @how is "-L", "-l" or "-V" with its @amount. */
static int lvcreate(struct inst_engine *e, const struct inst_part *x, const char *how,
		    const char *amount, char **cause)
{
	if (x->thinpool)
		return RUN(e, cause, "lvcreate", "-y", "-W", "y", "--type", "thin-pool", how, amount,
			   "-n", x->lv, x->vg);
	if (*x->pool)
		return RUN(e, cause, "lvcreate", "-y", "-W", "y", "-V", amount, "--thinpool", x->pool,
			   "-n", x->lv, x->vg);
	return RUN(e, cause, "lvcreate", "-y", "-W", "y", how, amount, "-n", x->lv, x->vg);
}

static int make_volumes(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char amount[64];
	int rc;

	for (size_t g = 0; g < p->n_vgs; g++) {
		const struct inst_vg *vg = &p->vgs[g];
		const char *argv[8 + INST_MAX_PVS] = { "vgcreate", "-y" };
		size_t a = 2;
		char pe[32];

		if (vg->pesize_kib) {
			snprintf(pe, sizeof(pe), "%uk", vg->pesize_kib);
			argv[a++] = "-s";
			argv[a++] = pe;
		}
		argv[a++] = vg->name;
		for (size_t j = 0; j < vg->n_pvs; j++) {
			ssize_t i = piece(p, vg->pvs[j]);

			if (i < 0 || !e->partdev[i])
				return base_cause(cause, -EINVAL,
						  _("The volume group %s has no physical volume %s."),
						  vg->name, vg->pvs[j]);
			rc = RUN(e, cause, "pvcreate", "-ff", "-y", e->partdev[i]);
			if (rc < 0)
				return rc;
			argv[a++] = e->partdev[i];
		}
		argv[a] = NULL;
		rc = run(e, cause, argv);
		if (rc < 0)
			return rc;
		e->vg_made[g] = true;
		rc = eng_vg_uuid(e, vg->name, e->jn.vg_uuid[g], sizeof(e->jn.vg_uuid[g]), cause);
		if (rc < 0)
			return rc;
	}
	/*
	 * Fixed sizes first, then shares of the group, then the grow volumes
	 * sharing what is left (the last takes all of it, whatever LVM's
	 * rounding left), then the thin volumes in their pools.
	 */
	for (int pass = 0; pass < 4; pass++) {
		for (size_t i = 0; i < p->n_parts; i++) {
			const struct inst_part *x = &p->parts[i];
			size_t later = 0;

			if (!*x->vg)
				continue;
			if (pass == 0 && !*x->pool && !x->percent && !x->grow) {
				snprintf(amount, sizeof(amount), "%llum", (unsigned long long)e->sizes[i]);
				rc = lvcreate(e, x, "-L", amount, cause);
			} else if (pass == 1 && !*x->pool && x->percent) {
				snprintf(amount, sizeof(amount), "%u%%VG", x->percent);
				rc = lvcreate(e, x, "-l", amount, cause);
			} else if (pass == 2 && !*x->pool && !x->percent && x->grow) {
				for (size_t j = i + 1; j < p->n_parts; j++)
					later += !strcmp(p->parts[j].vg, x->vg) && !*p->parts[j].pool &&
						 !p->parts[j].percent && p->parts[j].grow;
				if (x->max_mib || later)
					snprintf(amount, sizeof(amount), "%llum",
						 (unsigned long long)e->sizes[i]);
				else
					snprintf(amount, sizeof(amount), "100%%FREE");
				rc = lvcreate(e, x, x->max_mib || later ? "-L" : "-l", amount, cause);
			} else if (pass == 3 && *x->pool) {
				snprintf(amount, sizeof(amount), "%llum", (unsigned long long)e->sizes[i]);
				rc = lvcreate(e, x, "-V", amount, cause);
			} else {
				continue;
			}
			if (rc < 0)
				return rc;
			if (asprintf(&e->partdev[i], "/dev/%s/%s", x->vg, x->lv) < 0)
				abort();
		}
	}
	return 0;
}

int eng_storage_make(struct inst_engine *e, char **cause)
{
	int rc;

	if (!inst_plan_uses_md(e->plan) && !e->plan->n_vgs)
		return 0;
	eng_progress(e, 40, _("Making the RAID arrays and LVM volumes..."));
	/*
	 * Writing the partition tables removed and added partitions: udev may
	 * not have run its rules for those events yet, and mdadm's answers a
	 * partition's removal with mdadm -If, which fails that partition out of
	 * whatever array then holds a member of that name. Let udev catch up
	 * before any array is made on them.
	 */
	RUN(e, NULL, "udevadm", "settle", "--timeout=60");
	/* Only what this Formatting makes is recorded, not what an earlier attempt did. */
	memset(e->jn.md_uuid, 0, sizeof(e->jn.md_uuid));
	memset(e->jn.vg_uuid, 0, sizeof(e->jn.vg_uuid));
	rc = make_arrays(e, cause);
	if (rc == 0)
		rc = make_volumes(e, cause);
	/* Their device nodes come from udev where it runs; wait for them. */
	if (rc == 0)
		RUN(e, NULL, "udevadm", "settle", "--timeout=30");
	return rc;
}

int eng_storage_host_files(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct base_buf conf = { 0 };
	int rc = 0;

	if (!inst_plan_uses_md(p))
		return 0;
	/* The host assembles exactly these arrays, under these names, at boot. */
	base_buf_str(&conf, "# The RAID 1 arrays ospite-install made; see mdadm.conf(5).\n"
		     "HOMEHOST <system>\nMAILADDR root\n");
	for (size_t i = 0; i < p->n_parts && rc == 0; i++) {
		char dev[64], *out = NULL;

		if (!*p->parts[i].md)
			continue;
		md_path(p->parts[i].md, dev, sizeof(dev));
		rc = base_run_capture((const char *const[]){ "mdadm", "--detail", "--brief", dev, NULL },
				      e->logfd, &out, cause);
		if (rc > 0)
			rc = -EIO;
		if (rc == 0 && out)
			base_buf_str(&conf, out);
		free(out);
	}
	if (conf.oom)
		abort();
	if (rc == 0)
		rc = eng_write_target(e, "/etc/mdadm/mdadm.conf", conf.s, 0644, cause);
	free(conf.s);
	return rc;
}

void eng_storage_release(struct inst_engine *e)
{
	const struct inst_plan *p = e->plan;

	for (size_t g = 0; g < p->n_vgs; g++)
		if (e->vg_made[g] && RUN(e, NULL, "vgchange", "-an", p->vgs[g].name) == 0)
			e->vg_made[g] = false;
	for (size_t i = p->n_parts; i-- > 0;) {
		char dev[64];

		if (!e->md_made[i])
			continue;
		md_path(p->parts[i].md, dev, sizeof(dev));
		if (RUN(e, NULL, "mdadm", "--stop", dev) == 0)
			e->md_made[i] = false;
	}
}
