/* The console's backups: the batch commands backup, verify and restore, and their progress line. */
#ifndef OSPITE_VC_BACKUP_H
#define OSPITE_VC_BACKUP_H

#include "vc.h"
#include "hv/hv-backup.h"

/* Where the Backup screen proposes to write ($OSPITE_BACKUP_DIR overrides it). */
#define VC_BACKUP_DIR "/var/lib/ospite/backups"

struct vc_backup_args {
	const char *guest, *dir;
	bool zstd, json;
	const char *user;            /* for the audit log */
};
struct vc_restore_args {
	const char *file, *name, *pool;  /* name, pool: NULL for the archive's own, the disks' pool */
	bool json;
	const char *user;
};

/* "42%  vda  120.0 MiB of 300.0 MiB  80.0 MiB/s  1 s elapsed, ~3 s left" (malloc'd). */
char *vc_bk_progress_text(const struct hv_bk_progress *p);
/* `ospite backup`: 0 done, 1 refused before anything was written, 2 failed or aborted. */
int vc_batch_backup(struct hv_conn *conn, const struct vc_backup_args *a, FILE *out, FILE *err);
/* `ospite verify`: 0 intact, 2 damaged, truncated, unreadable or of a newer format. */
int vc_batch_verify(const char *path, bool json, FILE *out, FILE *err);
/* `ospite restore`: 0 done, 1 refused (name or file exists, no room, newer format), 2 failed. */
int vc_batch_restore(struct hv_conn *conn, const struct vc_restore_args *a, FILE *out, FILE *err);

/* The Backup action of a guest's screen: folder and compression, progress with Stop, result. */
int vc_backup_screen(struct vc_app *app, const char *name, char **cause);
/* The Restore screen (Host Status): archive, new name, pool, progress with Stop, result. */
int vc_restore_screen(struct vc_app *app);
/* The Backup schedule screen (Host Status): name, guests, folder, day or week, how many kept. */
int vc_schedule_screen(struct vc_app *app);
/* The Backup schedules screen (Host Status): the schedules, and Remove for the one chosen. */
int vc_schedules_screen(struct vc_app *app);
/* Backups (Host Status): a choice between the Restore and the Backup schedule screens. */
int vc_backups_screen(struct vc_app *app);

/* ---- scheduled backups (vc-schedule.c) ---- */

#define VC_SCHED_DIR "/etc/ospite/backup"
#define VC_UNIT_DIR "/etc/systemd/system"
/* The last run's result, one line: "YYYY-MM-DD HH:MM NAME ok|failed DONE FAILED". */
#define VC_SCHED_STATUS "/var/lib/ospite/backup-last"

struct vc_sched {
	char *name;              /* small letters, digits and '-' */
	char **guests;
	size_t n_guests;
	char *dir;
	bool weekly;             /* else daily */
	unsigned keep;           /* archives kept of each guest */
};
void vc_sched_clear(struct vc_sched *s);
int vc_sched_check(const struct vc_sched *s, char **cause);
/* Write the schedule and its timer and service under @root (NULL or "/": this machine) and enable the timer. */
int vc_sched_save(const char *root, const struct vc_sched *s, char **cause);
int vc_sched_load(const char *root, const char *name, struct vc_sched *s, char **cause);
/* The names of the schedules under @root, sorted (none: *@n 0); -errno when the folder cannot be read. */
int vc_sched_list(const char *root, char ***names, size_t *n, char **cause);
/* Stop and disable schedule @name's timer, then delete its timer, service and file; -ENOENT when there is none. */
int vc_sched_remove(const char *root, const char *name, char **cause);
/* One line on schedule @s for lists: "nightly: every day, 7 kept, in /dir (a, b)" (malloc'd). */
char *vc_sched_describe(const struct vc_sched *s);
/* Back up each guest of schedule @name, keep the last N archives, record the result: 0, or 2 when any failed. */
int vc_sched_run(struct hv_conn *conn, const char *root, const char *name, const char *user,
		 FILE *out, FILE *err);
/* The status screen's line about the last scheduled run (malloc'd), or NULL when none ran. */
char *vc_sched_last(const char *root);
/* `ospite schedule set|run ...`; @argv[0] is "schedule". */
int vc_sched_main(const char *uri, int argc, char **argv);

#endif
