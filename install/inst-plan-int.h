/* What the plan's files share beyond inst.h: answer-file words and the LVM and RAID parts of the dump. */
#ifndef OSPITE_INST_PLAN_INT_H
#define OSPITE_INST_PLAN_INT_H

#include "inst.h"
#include "base/base.h"

/* Append @v as one word of an answer file: quoted when the parser would split or strip it. */
void inst_plan_ks_word(struct base_buf *s, const char *v);
/* " --name=value" with the value quoted as needed. */
void inst_plan_ks_opt(struct base_buf *s, const char *name, const char *v);
/*
 * Give @left MiB to the entries @in picks that grow: in equal shares rounded
 * down to @unit MiB (one unit at a time when less is left), each up to its
 * maximum; @sizes holds their sizes so far. The partitions of a disk share
 * by the MiB, the logical volumes of a group by the extent.
 */
void inst_plan_grow_share(const struct inst_plan *p,
			  bool (*in)(const struct inst_part *e, const void *arg), const void *arg,
			  uint64_t left, uint64_t unit, uint64_t *sizes);
/* Sizes of arrays and logical volumes, once @sizes holds those of the partitions. */
int inst_plan_resolve_storage(const struct inst_plan *p, uint64_t *sizes, char **cause);
/* The space of a volume group from the sizes of its physical volumes, in MiB. */
uint64_t inst_plan_vg_mib(const struct inst_plan *p, const struct inst_vg *vg,
			  const uint64_t *sizes);
/* The dump's "disk2:" and "volgroup:" lines, and the words that say where an entry lives. */
void inst_plan_dump_storage(struct base_buf *s, const struct inst_plan *p);
void inst_plan_dump_where(struct base_buf *s, const struct inst_part *e);
/* The answer-file command of an entry that is not a plain partition; false for those. */
bool inst_plan_ks_storage(struct base_buf *s, const struct inst_plan *p, const struct inst_part *e,
			  const char *disk, const char *disk2);

#endif
