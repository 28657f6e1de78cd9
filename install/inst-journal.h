/* The install journal: which steps of a plan finished on a target, so that a re-run resumes. */
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

/*
 * Read the journal under @target: *@done gets a bit (1 << step) for each
 * finished step. -ENOENT when there is none, -ESTALE when it belongs to
 * another plan, -EINVAL when it is damaged.
 */
int inst_journal_read(const char *target, uint64_t fp, unsigned *done);
/* Record @done for the plan @fp under @target, atomically. */
int inst_journal_write(const char *target, uint64_t fp, unsigned done, char **cause);

/* The stable word a step has in the journal ("format", "base"...). */
const char *inst_journal_word(enum inst_step s);

#endif
