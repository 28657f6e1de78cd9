/* What the long batch commands (migrate, backup, verify, restore, clone) share: a clean stop on Ctrl-C, progress lines and events. */
#ifndef VC_JOB_H
#define VC_JOB_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* Where a job's progress goes: JSON lines, or text redrawn in place on a terminal. */
struct vc_job_out {
	FILE *out;
	bool json, tty;
};

/* Ctrl-C and SIGTERM set a flag the job polls instead of killing it halfway; release restores the old handlers. */
void vc_job_catch(struct sigaction *old_int, struct sigaction *old_term);
void vc_job_release(const struct sigaction *old_int, const struct sigaction *old_term);
bool vc_job_interrupted(void);
/* Print @line (freed; NULL prints nothing) as the job's latest progress; false once the job was interrupted. */
bool vc_job_line(const struct vc_job_out *o, char *line);
/* {"event": EV, "message": TEXT} in JSON, else TEXT alone on its line. */
void vc_job_event(FILE *out, bool json, const char *ev, const char *text);

#endif
