/* The long batch commands' shared parts: a signal flag for a clean stop, progress lines redrawn in place on a terminal, and events as text or JSON. */
#include "vc-job.h"
#include "vc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_bool interrupted;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&interrupted, true);
}

void vc_job_catch(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
	atomic_store(&interrupted, false);
}

void vc_job_release(const struct sigaction *old_int, const struct sigaction *old_term)
{
	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGTERM, old_term, NULL);
}

bool vc_job_interrupted(void)
{
	return atomic_load(&interrupted);
}

bool vc_job_line(const struct vc_job_out *o, char *line)
{
	if (line) {
		/* On a terminal the line is redrawn in place; in a log every report is a line. */
		fprintf(o->out, o->tty && !o->json ? "\r%s\033[K" : "%s\n", line);
		fflush(o->out);
	}
	free(line);
	return !vc_job_interrupted();
}

void vc_job_event(FILE *out, bool json, const char *ev, const char *text)
{
	if (json) {
		char *t = vc_json_string(text);

		fprintf(out, "{\"event\": \"%s\", \"message\": %s}\n", ev, t);
		free(t);
	} else {
		fprintf(out, "%s\n", text);
	}
}
