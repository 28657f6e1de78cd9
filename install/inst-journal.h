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

/*
 * Read the journal under @target: *@done gets a bit (1 << step) for each
 * finished step, *@started one for each step that began. -ENOENT when there
 * is none, -ESTALE when it belongs to another plan, -EINVAL when it is damaged.
 */
int inst_journal_read(const char *target, uint64_t fp, unsigned *done, unsigned *started);
/* Record @done and @started for the plan @fp under @target, atomically. */
int inst_journal_write(const char *target, uint64_t fp, unsigned done, unsigned started,
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
