/* The install journal: which steps of a plan finished on a target, so that a re-run resumes, and the cleanup before it. */
#ifndef OSPITE_INST_JOURNAL_H
#define OSPITE_INST_JOURNAL_H

#include "inst.h"

/* Where the journal lives inside the target root. */
#define INST_JOURNAL_PATH "/var/lib/ospite/install.journal"

/*
 * A fingerprint of what the plan asks for, without the device name of the
 * disk (an image gets a new loop device on every run): equal fingerprints
 * mean a re-run may continue the work of an earlier one.
 */
uint64_t inst_plan_fingerprint(const struct inst_plan *p);
/* The same from the plan's inst_plan_dump() text, for a caller that has it already. */
uint64_t inst_plan_dump_fingerprint(const char *dump);

/* Length of a run id in hex digits: 128 random bits. */
#define INST_RUN_ID_LEN 32

/*
 * What one install run recorded: the plan it carried out, a random id of
 * its own, when it began, the UUIDs of the file systems it made, and which
 * steps began and finished (a bit 1 << step in @started and @done).
 */
struct inst_journal {
	uint64_t plan;
	char run[INST_RUN_ID_LEN + 1];
	long long began;           /* seconds since the epoch */
	char uuid[INST_MAX_PARTS][64];
	/*
	 * LVM and RAID layouts, for resuming them (see eng_resume_probe()):
	 * the UUID mdadm gives the RAID 1 array of the plan's part i
	 * ("3f6b2c1a:9d8e7f60:11223344:55667788") and LVM the volume group i
	 * ("Zp2Tq1-0aBc-..."), "" for none. Lines "md I UUID" and "vg I UUID".
	 */
	char md_uuid[INST_MAX_PARTS][48];
	char vg_uuid[INST_MAX_VGS][48];
	unsigned done, started;
};

/*
 * The UUID of an array from what `mdadm --detail --export DEV` printed (its
 * MD_UUID= line), or of a volume group from `vgs --noheadings -o vg_uuid
 * NAME` (one line), into @buf: 0, -ENOENT when the output has none, -EINVAL
 * when it is not one well-formed UUID (two arrays or groups, another form).
 */
int inst_md_uuid_from_export(const char *out, char *buf, size_t len);
int inst_vg_uuid_from_vgs(const char *out, char *buf, size_t len);

/* A new run of the plan @fp: a fresh random id, begun now, nothing done. */
int inst_journal_new(struct inst_journal *j, uint64_t fp, char **cause);

/*
 * Read the journal under @target into @j. -ENOENT when there is none,
 * -ESTALE when it belongs to another plan than @fp, -EINVAL when it is
 * damaged; on any error @j is left empty. The journal is on the disk about
 * to be erased and so is not to be trusted: inst_journal_vouch() says
 * whether this machine made it.
 */
int inst_journal_read(const char *target, uint64_t fp, struct inst_journal *j);
/* Record @j under @target, atomically. */
int inst_journal_write(const char *target, const struct inst_journal *j, char **cause);

/*
 * The record this machine keeps of its own runs, under @workdir/runs/RUN,
 * outside the disk being installed: a journal found on a disk is only
 * resumed when this machine started that very run (same id, plan, start
 * time and file system UUIDs). Written once the file systems exist,
 * removed when the install finishes.
 */
int inst_run_record_write(const char *workdir, const struct inst_journal *j, char **cause);
void inst_run_record_remove(const char *workdir, const struct inst_journal *j);
/*
 * The directory of this machine's run records, opened (O_PATH) before
 * anything of a disk is mounted, so that nothing mounted afterwards can
 * stand in for it; -1 when there is none.
 */
int inst_run_records_open(const char *workdir);
/*
 * 0 when @j, read from a disk, is a run this machine recorded in @records
 * (a root-owned file not writable by others) and @uuids (what the disk's
 * file systems carry now, "" where a partition has none) match what that
 * run made, and the arrays and volume groups the journal names are the
 * ones the record names; else -EPERM with a cause saying what differs.
 */
int inst_journal_vouch(int records, const struct inst_journal *j, char (*uuids)[64], size_t n,
		       char **cause);

/*
 * Undo what an earlier run, killed before it could clean up, left behind
 * under @target: processes still running inside it are killed and its
 * mounts unmounted, deepest first. A mount that stays busy is an error:
 * detaching it lazily would leave a file system writing behind this run.
 */
int inst_clear_stale(const char *target, int logfd, char **cause);

/* The stable word a step has in the journal ("format", "base"...). */
const char *inst_journal_word(enum inst_step s);

#endif
