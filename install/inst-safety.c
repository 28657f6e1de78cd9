/* The checks that keep an install to the disk it was given: the confirmed disk's identity, fingerprints of every other disk, and whether an earlier run may be resumed. */
#include "inst-engine.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

/*
 * The disk must still be the one the operator confirmed: between the
 * question and the first write another disk may have taken its name, or
 * someone may have partitioned it.
 */
static int disk_changed(struct inst_engine *e, const char *disk, const struct hcfg_disk_id *id,
			char **cause);

int eng_check_disk(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_disk_id now;

	/* RAID 1: the second disk was confirmed with the first, and is checked the same way. */
	for (int d = 0; d < (*p->disk2 ? 2 : 1); d++) {
		const char *disk = d ? p->disk2 : p->disk;
		const struct hcfg_disk_id *id = d ? &p->disk2_id : &p->disk_id;

		if (!(d ? p->disk2_id_set : p->disk_id_set))
			return base_cause(cause, -EINVAL,
					  _("The disk %s was never confirmed, so nothing is written to it."),
					  disk);
		if (hcfg_disk_identity(disk, &now, NULL) < 0 || !hcfg_disk_id_equal(&now, id))
			return disk_changed(e, disk, id, cause);
	}
	return 0;
}

static int disk_changed(struct inst_engine *e, const char *disk, const struct hcfg_disk_id *id,
			char **cause)
{
	struct hcfg_disk_id now;
	char was[640], is[640];

	hcfg_disk_id_describe(id, was, sizeof(was));
	if (hcfg_disk_identity(disk, &now, NULL) == 0)
		hcfg_disk_id_describe(&now, is, sizeof(is));
	else
		snprintf(is, sizeof(is), "%s", _("gone"));
	eng_log(e, "disk identity changed: confirmed %s; now %s", was, is);
	return base_cause(cause, -ESTALE,
			  _("The disk %s is not the one that was confirmed, so nothing was written: it was %s; it is now %s."),
			  disk, was, is);
}

/* "2026-12-02 14:05", in the local time of this machine. */
static void fmt_when(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, len, "?");
}

/* The step an earlier run stopped in: the first one that did not finish. */
static enum inst_step stopped_in(const struct inst_journal *j)
{
	for (int s = INST_STEP_FORMAT; s < INST_STEP_COUNT; s++)
		if (!(j->done & (1u << s)))
			return s;
	return INST_STEP_FINISH;
}

/*
 * Does the disk hold this very plan's install, cut short, that this machine
 * started? Then, when the operator agrees (or asked with --resume), mount it
 * and return which steps finished. Only a journal written for the same plan,
 * on partitions of exactly the planned sizes, by a run this machine recorded
 * (same run id, start time and file system UUIDs) counts; anything else
 * starts over. The disk is looked at read-only, with nothing on it allowed
 * to run, until the answer is yes. A base system that did not finish is not
 * resumed (debootstrap cannot pick up a half-filled root), nor are
 * post-install scripts cut short (a site's %post need not be safe to run
 * twice), nor a finished install (the operator confirmed erasing the disk):
 * those start again from Formatting.
 */
unsigned eng_resume_probe(struct inst_engine *e)
{
	const struct inst_plan *p = e->plan;
	uint64_t sizes[INST_MAX_PARTS];
	struct inst_journal j = { 0 };
	const char *why = NULL;
	bool chose_resume = false;
	char *vouch = NULL, uuid_now[64];
	size_t n = 0;
	/* Opened before anything of the disk is mounted: nothing mounted later can stand in for it. */
	int records = inst_run_records_open(e->workdir), rc;

	/*
	 * Arrays and volume groups would have to be assembled from the disk to
	 * be looked at: such a layout is made afresh instead. How it is to
	 * resume (the journal and the run record already carry md_uuid and
	 * vg_uuid, and inst_journal_vouch() compares them; this kernel has
	 * neither md nor device-mapper, so the rest waits for a QEMU test):
	 * 1. Formatting records, right after mdadm --create and vgcreate and
	 *    before any file system is made on them, the array's UUID
	 *    (mdadm --detail --export: MD_UUID) and each group's (vgs -o
	 *    vg_uuid) in the run record and the journal.
	 * 2. Here, before anything is assembled: the member partitions must
	 *    have the planned sizes, as plain ones do; each member's
	 *    superblock is read (mdadm --examine --export, read-only) and its
	 *    MD_UUID must be the one this machine's record names for that
	 *    part. Then the array is assembled by that UUID alone, from the
	 *    planned members named one by one (never a scan: no other array
	 *    of the machine is touched), read-only, with no resync:
	 *    mdadm --assemble --readonly --uuid=U /dev/md/NAME MEMBERS.
	 * 3. LVM: the groups are looked up on the planned physical volumes
	 *    only (--devices), the group must have the recorded vg_uuid, and
	 *    is activated read-only by it: vgchange -ay --readonly --select
	 *    vg_uuid=U (a group of the same name on another disk never is).
	 * 4. Then as for partitions: file system UUIDs, a read-only mount,
	 *    the journal read and vouched for. Only on yes are the arrays
	 *    made writable (mdadm --readwrite) and the groups re-activated
	 *    read-write; on "from scratch" or any mismatch, what was assembled
	 *    is taken down (vgchange -an, mdadm --stop) before the fresh path.
	 */
	why = "an LVM or RAID layout is made afresh";
	if (inst_plan_uses_md(p) || p->n_vgs)
		goto fresh;
	if (hcfg_disk_partitions(p->disk, e->partdev, sizes, INST_MAX_PARTS, &n, NULL) < 0) {
		eng_log(e, "resume: no partition table on %s", p->disk);
		return 0;
	}
	why = "other partitions";
	if (n != p->n_parts)
		goto fresh;
	for (size_t i = 0; i < n; i++) {
		/* The last one ends where the disk does, a little short of its planned size. */
		uint64_t slack = i == n - 1 ? HCFG_LAST_PART_SLACK_MIB : 0;

		if (sizes[i] > e->sizes[i] || sizes[i] + slack < e->sizes[i])
			goto fresh;
	}
	why = "a file system is missing";
	for (size_t i = 0; i < n; i++)
		if (p->parts[i].fs != HCFG_FS_BIOSBOOT &&
		    hcfg_fs_uuid(e->partdev[i], e->uuid[i], sizeof(e->uuid[i]), NULL) < 0)
			goto fresh;
	why = "its file systems do not mount";
	if (eng_mount_targets(e, true, NULL) < 0)
		goto fresh;
	why = NULL;
	rc = inst_journal_read(e->target, e->plan_fp, &j);
	if (rc == 0 && inst_journal_vouch(records, &j, e->uuid, n, &vouch) < 0)
		why = vouch ? vouch : "no record of this run on this machine";
	else if (rc == 0 && (j.done & (1u << INST_STEP_FINISH)))
		why = "a finished install, erased again as confirmed";
	else if (rc == 0 && !(j.done & (1u << INST_STEP_BASE)))
		why = "base system unfinished";
	else if (rc == 0 && (j.started & ~j.done & (1u << INST_STEP_POST)))
		why = "post-install scripts cut short: they may not run twice";
	if (rc < 0 || why) {
		why = rc == -ENOENT ? "no journal" : rc == -ESTALE ? "another plan" :
		      rc < 0 ? "damaged journal" : why;
		goto fresh;
	}
	eng_umount_all(e);
	if (e->resume == INST_RESUME_ASK) {
		char when[64], text[1024];

		fmt_when(j.began, when, sizeof(when));
		snprintf(text, sizeof(text),
			 _("%s holds an install of these same choices that did not finish: it began on %s and stopped during \"%s\".\n\nResume it, or install from scratch and erase the disk?"),
			 p->disk, when, inst_step_title(stopped_in(&j)));
		if (!e->ui.question ||
		    !e->ui.question(e->ui.opaque, _("Unfinished Install"), text, _("Resume"),
				    _("Install from scratch"))) {
			why = "the operator chose to install from scratch";
			goto fresh;
		}
		chose_resume = true;
	}
	/*
	 * The question may have waited a long time: the disk and its file
	 * systems must still be the ones just vouched for.
	 */
	why = "the disk changed while the question was asked";
	if (eng_check_disk(e, NULL) < 0)
		goto fresh;
	for (size_t i = 0; i < n; i++)
		if (*e->uuid[i] && (hcfg_fs_uuid(e->partdev[i], uuid_now, sizeof(uuid_now), NULL) < 0 ||
				    strcmp(uuid_now, e->uuid[i])))
			goto fresh;
	why = "its file systems do not mount";
	if (eng_mount_targets(e, false, NULL) < 0)
		goto fresh;
	if (records >= 0)
		close(records);
	e->jn = j;
	eng_log(e, "resume: run %s of %lld on %s", j.run, j.began, p->disk);
	if (e->ui.info) {
		char when[64], text[512];

		fmt_when(j.began, when, sizeof(when));
		snprintf(text, sizeof(text), _("The install that began on %s resumes with \"%s\"."), when,
			 inst_step_title(stopped_in(&j)));
		e->ui.info(e->ui.opaque, text);
	}
	return j.done;
fresh:
	eng_log(e, "resume: starting over on %s (%s)", p->disk, why);
	if (records >= 0)
		close(records);
	/* Told when resuming was asked for (--resume, or Resume answered) and is not what happens. */
	if ((e->resume == INST_RESUME_YES || chose_resume) && e->ui.warning) {
		char text[512];

		snprintf(text, sizeof(text), _("Nothing on %s can be resumed: the install starts from scratch."),
			 p->disk);
		e->ui.warning(e->ui.opaque, text);
	}
	free(vouch);
	eng_umount_all(e);
	eng_free_partdevs(e);
	return 0;
}

/*
 * Fingerprint every unused disk of the host that the plan does not name,
 * before the first write. Disks in use (mounted, swap, held) change on their
 * own and are kept safe by the exclusive open instead.
 */
int eng_fprint_take(struct inst_engine *e, char **cause)
{
	struct hcfg_disk *disks = NULL;
	struct hcfg_disk target, target2 = { 0 };
	size_t n = 0;
	int rc;

	char target_file[PATH_MAX];

	rc = hcfg_disk_probe(e->plan->disk, NULL, &target, cause);
	if (rc == 0)
		rc = hcfg_disk_list(&disks, &n, NULL, NULL, cause);
	if (rc < 0)
		return rc;
	hcfg_loop_backing_file(target.name, target_file, sizeof(target_file));
	/* RAID 1: the second disk is the plan's too. */
	if (*e->plan->disk2 && hcfg_disk_probe(e->plan->disk2, NULL, &target2, cause) < 0) {
		free(disks);
		return -ENODEV;
	}
	e->fp_disks = calloc(n ? n : 1, sizeof(char *));
	e->fp_before = calloc(n ? n : 1, sizeof(char *));
	e->fp_files = calloc(n ? n : 1, sizeof(char *));
	if (!e->fp_disks || !e->fp_before || !e->fp_files)
		abort();
	for (size_t i = 0; i < n; i++) {
		char *fp = NULL, file[PATH_MAX];

		/* Mounted, swap or held disks change on their own: the exclusive open keeps them safe. */
		if (!strcmp(disks[i].name, target.name) || !strcmp(disks[i].name, target2.name) ||
		    hcfg_disk_try_claim(disks[i].path) == -EBUSY)
			continue;
		hcfg_loop_backing_file(disks[i].name, file, sizeof(file));
		if (*file && !strcmp(file, target_file))
			continue;
		/* A disk that cannot be read now cannot be compared later either: say so in the log. */
		if (hcfg_disk_fingerprint(disks[i].path, &fp, NULL) < 0) {
			eng_log(e, "fingerprint: %s cannot be read", disks[i].path);
			continue;
		}
		e->fp_disks[e->n_fp] = strdup(disks[i].path);
		e->fp_files[e->n_fp] = strdup(file);
		e->fp_before[e->n_fp++] = fp;
		eng_log(e, "fingerprint: %s %s", disks[i].path, fp);
	}
	free(disks);
	return 0;
}

/* The disks outside the plan must look exactly as they did before the install. */
int eng_fprint_check(struct inst_engine *e, char **cause)
{
	for (size_t i = 0; i < e->n_fp; i++) {
		char *now = NULL, file[PATH_MAX], *name = strrchr(e->fp_disks[i], '/');
		int rc;

		/* A loop device now on another file is another disk: the one we saw is gone. */
		hcfg_loop_backing_file(name ? name + 1 : e->fp_disks[i], file, sizeof(file));
		if (strcmp(file, e->fp_files[i])) {
			eng_log(e, "fingerprint: %s now shows %s", e->fp_disks[i], *file ? file : "nothing");
			continue;
		}
		rc = hcfg_disk_fingerprint(e->fp_disks[i], &now, NULL);

		/*
		 * A disk unplugged (or a loop device detached) meanwhile was not written by
		 * this install: the same name may even be another device now. Log it only.
		 */
		if (rc == -ENOENT || rc == -ENXIO || rc == -ENODEV ||
		    (rc == 0 && !strncmp(now, "size=0 ", 7))) {
			eng_log(e, "fingerprint: %s is gone", e->fp_disks[i]);
			free(now);
			continue;
		}
		if (rc < 0 || strcmp(now, e->fp_before[i])) {
			eng_log(e, "fingerprint changed: %s %s", e->fp_disks[i], now ? now : "unreadable");
			free(now);
			return base_cause(cause, -EIO,
					  _("The disk %s changed during the install although it was not part of the plan."),
					  e->fp_disks[i]);
		}
		free(now);
	}
	return 0;
}
