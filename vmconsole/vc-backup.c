/* Backups for scripts: `ospite backup`, `ospite verify` and `ospite restore`, with progress lines, Ctrl-C to stop, an audit line and migrate's exit codes. */
#include "vc-backup.h"
#include "vc-job.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *vc_bk_progress_text(const struct hv_bk_progress *p)
{
	char done[32], total[32], rate[32], *s = NULL;

	vc_fmt_bytes(p->done, done, sizeof(done));
	vc_fmt_bytes(p->total, total, sizeof(total));
	vc_fmt_bytes(p->rate_bps, rate, sizeof(rate));
	/* TRANSLATORS: a backup's or restore's progress: percent, disk, bytes done of total, rate, elapsed and remaining seconds. */
	if (asprintf(&s, _("%3.0f%%  %s  %s of %s  %s/s  %" PRIu64 " s elapsed, ~%" PRIu64 " s left"),
		     p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
		     p->disk ? p->disk : "-", done, total, rate, p->elapsed_ms / 1000,
		     (p->eta_ms + 999) / 1000) < 0)
		return NULL;
	return s;
}

static char *progress_json(const struct hv_bk_progress *p)
{
	char *s = NULL, *d = vc_json_string(p->disk ? p->disk : "");

	if (asprintf(&s, "{\"event\": \"progress\", \"disk\": %s, \"done\": %" PRIu64 ", \"total\": %"
		     PRIu64 ", \"rate_bps\": %" PRIu64 ", \"elapsed_ms\": %" PRIu64
		     ", \"remaining_ms\": %" PRIu64 "}", d, p->done, p->total, p->rate_bps,
		     p->elapsed_ms, p->eta_ms) < 0)
		s = NULL;
	free(d);
	return s;
}

static bool on_progress(void *opaque, const struct hv_bk_progress *p)
{
	const struct vc_job_out *o = opaque;

	return vc_job_line(o, o->json ? progress_json(p) : vc_bk_progress_text(p));
}

static void say(FILE *out, FILE *err, bool json, const char *event, const char *text)
{
	/* In text, errors and refusals go to stderr. */
	vc_job_event(json || (strcmp(event, "error") && strcmp(event, "refused")) ? out : err, json,
		     event, text);
}

int vc_batch_backup(struct hv_conn *conn, const struct vc_backup_args *a, FILE *out, FILE *err)
{
	struct vc_job_out cb = { .out = out, .json = a->json, .tty = isatty(fileno(out)) && !a->json };
	struct hv_bk_opts o = { .zstd = a->zstd, .progress = on_progress, .opaque = &cb };
	struct hv_bk_plan plan;
	struct hv_bk_result res;
	struct sigaction oi, ot;
	char *cause = NULL, *msg = NULL, size[32], arch[32];
	int rc;

	rc = hv_backup_plan(conn, a->guest, &plan, &cause);
	if (rc < 0) {
		say(out, err, a->json, "refused", cause ? cause : a->guest);
		vc_audit(a->user, "backup guest=%s dir=%s result=refused (%s)", a->guest, a->dir,
			 cause ? cause : "");
		free(cause);
		return 1;
	}
	vc_fmt_bytes(plan.data, size, sizeof(size));
	/* The pause is announced before it starts, with what it depends on. */
	if (plan.hold == HV_BK_PAUSE)
		rc = asprintf(&msg, _("%s will be paused while its %s of data are copied."), a->guest, size);
	else if (plan.hold == HV_BK_SNAPSHOT)
		rc = asprintf(&msg, _("%s keeps running: its disks are read from a snapshot (%s of data), then merged back."),
			      a->guest, size);
	else
		rc = asprintf(&msg, _("%s is shut off: its %s of data are read directly."), a->guest, size);
	if (rc >= 0)
		say(out, err, a->json, "plan", msg);
	free(msg);
	msg = NULL;
	fflush(out);
	vc_job_catch(&oi, &ot);
	rc = hv_backup(conn, a->guest, a->dir, &o, &res, &cause);
	vc_job_release(&oi, &ot);
	if (cb.tty)
		fputc('\n', out);
	if (rc < 0) {
		say(out, err, a->json, "error", cause ? cause : _("The backup failed."));
		vc_audit(a->user, "backup guest=%s dir=%s result=%s time_ms=%" PRIu64, a->guest, a->dir,
			 rc == -ECANCELED ? "aborted" : "failed", res.total_ms);
		free(cause);
		return 2;
	}
	vc_fmt_bytes(res.archive_bytes, arch, sizeof(arch));
	if (a->json) {
		char *p = vc_json_string(res.path);

		fprintf(out, "{\"event\": \"done\", \"file\": %s, \"bytes\": %" PRIu64 ", \"data\": %" PRIu64
			", \"total_ms\": %" PRIu64 ", \"held_ms\": %" PRIu64 "}\n", p, res.archive_bytes,
			res.data, res.total_ms, res.held_ms);
		free(p);
	} else {
		char secs[24];

		fprintf(out, _("%s backed up to %s (%s) in %s s.\n"), a->guest, res.path, arch,
			vc_fmt_secs(res.total_ms, secs));
		if (res.hold == HV_BK_PAUSE)
			fprintf(out, _("%s was paused for %s s.\n"), a->guest, vc_fmt_secs(res.held_ms, secs));
	}
	vc_audit(a->user, "backup guest=%s file=%s result=done bytes=%" PRIu64 " time_ms=%" PRIu64
		 " held_ms=%" PRIu64, a->guest, res.path, res.archive_bytes, res.total_ms, res.held_ms);
	return 0;
}

int vc_batch_verify(const char *path, bool json, FILE *out, FILE *err)
{
	struct vc_job_out cb = { .out = out, .json = json, .tty = isatty(fileno(out)) && !json };
	struct hv_bk_info info;
	struct sigaction oi, ot;
	char *cause = NULL, size[32];
	int rc;

	vc_job_catch(&oi, &ot);
	rc = hv_backup_verify(path, on_progress, &cb, &info, &cause);
	vc_job_release(&oi, &ot);
	if (cb.tty)
		fputc('\n', out);
	if (rc < 0) {
		say(out, err, json, "error", cause ? cause : _("The archive cannot be read."));
		free(cause);
		return 2;
	}
	vc_fmt_bytes(info.data, size, sizeof(size));
	if (json) {
		char *n = vc_json_string(info.name), *h = vc_json_string(info.host);

		fprintf(out, "{\"event\": \"done\", \"guest\": %s, \"uuid\": \"%s\", \"host\": %s, "
			"\"disks\": %u, \"data\": %" PRIu64 ", \"version\": %u}\n", n, info.uuid, h,
			info.n_disks, info.data, info.version);
		free(n);
		free(h);
	} else {
		fprintf(out, P_("%s is intact: the guest %s from %s (%s), %u disk, %s of data.\n",
				"%s is intact: the guest %s from %s (%s), %u disks, %s of data.\n",
				info.n_disks), path, info.name, *info.host ? info.host : "?",
			info.created, info.n_disks, size);
	}
	return 0;
}

int vc_batch_restore(struct hv_conn *conn, const struct vc_restore_args *a, FILE *out, FILE *err)
{
	struct vc_job_out cb = { .out = out, .json = a->json, .tty = isatty(fileno(out)) && !a->json };
	struct hv_rs_opts o = { .name = a->name, .pool = a->pool, .progress = on_progress,
				.opaque = &cb };
	struct hv_rs_result res;
	struct sigaction oi, ot;
	char *cause = NULL;
	int rc;

	vc_job_catch(&oi, &ot);
	rc = hv_restore(conn, a->file, &o, &res, &cause);
	vc_job_release(&oi, &ot);
	if (cb.tty)
		fputc('\n', out);
	if (rc < 0) {
		say(out, err, a->json, res.refused ? "refused" : "error",
		    cause ? cause : _("The restore failed."));
		vc_audit(a->user, "restore file=%s guest=%s result=%s", a->file, *res.name ? res.name : "-",
			 res.refused ? "refused" : rc == -ECANCELED ? "aborted" : "failed");
		free(cause);
		/* 1 promises that nothing was tried; after a failure nothing is left either. */
		return res.refused ? 1 : 2;
	}
	if (a->json) {
		char *n = vc_json_string(res.name);

		fprintf(out, "{\"event\": \"done\", \"guest\": %s, \"data\": %" PRIu64 ", \"total_ms\": %"
			PRIu64 "}\n", n, res.data, res.total_ms);
		free(n);
	} else {
		char secs[24];

		fprintf(out, _("%s restored from %s in %s s.\n"), res.name, a->file, vc_fmt_secs(res.total_ms, secs));
	}
	vc_audit(a->user, "restore file=%s guest=%s result=done time_ms=%" PRIu64, a->file, res.name,
		 res.total_ms);
	return 0;
}
