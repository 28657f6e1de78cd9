/* Clones and templates for scripts: `ospite clone`, `ospite template`, and `ospite start` / `ospite delete` that honour them. */
#include "vc.h"
#include "vc-job.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *vc_clone_progress_text(uint64_t done, uint64_t total, uint64_t elapsed_ns)
{
	char d[32], t[32], r[32], *s = NULL;
	double secs = elapsed_ns / 1e9;
	uint64_t rate = secs > 0.2 ? (uint64_t)(done / secs) : 0;
	uint64_t left = rate && total > done ? (total - done + rate - 1) / rate : 0;

	vc_fmt_bytes(done, d, sizeof(d));
	vc_fmt_bytes(total, t, sizeof(t));
	vc_fmt_bytes(rate, r, sizeof(r));
	/* TRANSLATORS: a copy's progress: percent, bytes copied of total, rate, seconds left. */
	if (asprintf(&s, _("%3.0f%%  %s of %s  %s/s  ~%" PRIu64 " s left"),
		     total ? done * 100.0 / total : 100.0, d, t, r, left) < 0)
		return NULL;
	return s;
}

int vc_clone_exit(int rc)
{
	/* 1 says that nothing was changed: what was refused before any file was made. */
	switch (rc) {
	case 0: return 0;
	case -EPERM: case -EEXIST: case -EBUSY: case -EINVAL: case -ENOTSUP: case -ENOENT:
		return 1;
	default: return 2;
	}
}

struct batch_cb {
	struct vc_job_out o;
	uint64_t start, last;
};

static bool batch_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct batch_cb *b = opaque;
	uint64_t now = vc_now_ns();
	char *line = NULL;

	/* Every report would flood a log: one a second, and the last. */
	if (done < total && now - b->last < 1000000000ull)
		return !vc_job_interrupted();
	b->last = now;
	if (b->o.json) {
		if (asprintf(&line, "{\"event\": \"progress\", \"done\": %" PRIu64 ", \"total\": %"
			     PRIu64 ", \"elapsed_ms\": %" PRIu64 "}", done, total,
			     (now - b->start) / 1000000) < 0)
			line = NULL;
	} else {
		line = vc_clone_progress_text(done, total, now - b->start);
	}
	return vc_job_line(&b->o, line);
}

int vc_batch_clone(struct hv_conn *conn, const struct hv_clone_opts *o, bool json,
		   const char *user, FILE *out, FILE *err)
{
	struct batch_cb cb = { .o = { .out = out, .json = json, .tty = isatty(fileno(out)) } };
	struct sigaction old_int, old_term;
	char *cause = NULL, *msg = NULL;
	int rc;

	vc_job_catch(&old_int, &old_term);
	cb.start = cb.last = vc_now_ns();
	rc = hv_clone(conn, o, batch_progress, &cb, &cause);
	vc_job_release(&old_int, &old_term);
	if (cb.o.tty && !json && !o->linked)
		fputc('\n', out);
	if (rc == 0) {
		if (asprintf(&msg, o->linked ? _("The guest %s is defined, a linked clone of %s.") :
					      _("The guest %s is defined, a copy of %s."),
			     o->name, o->source) < 0)
			msg = NULL;
		vc_job_event(out, json, "done", msg ? msg : o->name);
	} else {
		vc_job_event(json ? out : err, json, vc_clone_exit(rc) == 1 ? "refused" : "error",
		      cause ? cause : _("The clone failed."));
	}
	vc_audit(user, "clone guest=%s new=%s kind=%s result=%s", o->source, o->name,
		 o->linked ? "linked" : "full", rc == 0 ? "done" : rc == -ECANCELED ? "aborted" :
		 vc_clone_exit(rc) == 1 ? "refused" : "failed");
	free(msg);
	free(cause);
	return vc_clone_exit(rc);
}

int vc_batch_template(struct hv_conn *conn, const char *name, const char *what,
		      const char *user, FILE *out, FILE *err)
{
	char *cause = NULL;
	bool on;
	int rc;

	if (!strcmp(what, "show")) {
		rc = hv_template_get(conn, name, &on, &cause);
		if (rc == 0)
			fprintf(out, "%s\n", on ? "on" : "off");
	} else {
		rc = hv_template_set(conn, name, !strcmp(what, "on"), &cause);
		if (rc == 0)
			fprintf(out, !strcmp(what, "on") ? _("The guest %s is now a template.\n") :
				_("The guest %s is no longer a template.\n"), name);
		vc_audit(user, "template guest=%s %s result=%s", name, what, rc ? "failed" : "done");
	}
	if (rc < 0)
		fprintf(err, "ospite: %s\n", cause ? cause : name);
	free(cause);
	return vc_clone_exit(rc);
}

int vc_batch_start(struct hv_conn *conn, const char *name, const char *user, FILE *out, FILE *err)
{
	char *cause = NULL;
	int rc = hv_start(conn, name, &cause);

	if (rc == 0)
		fprintf(out, _("The guest %s is started.\n"), name);
	else
		fprintf(err, "ospite: %s\n", cause ? cause : name);
	vc_audit(user, "start guest=%s result=%s", name, rc ? "refused" : "done");
	free(cause);
	return vc_clone_exit(rc);
}

int vc_batch_delete(struct hv_conn *conn, const char *name, bool storage, const char *user,
		    FILE *out, FILE *err)
{
	char *cause = NULL;
	int rc = hv_undefine(conn, name, storage, &cause);

	if (rc == 0)
		fprintf(out, storage ? _("The guest %s and its disk files are deleted.\n") :
			_("The guest %s is deleted; its disk files are kept.\n"), name);
	else
		fprintf(err, "ospite: %s\n", cause ? cause : name);
	vc_audit(user, "delete guest=%s storage=%s result=%s", name, storage ? "yes" : "no",
		 rc ? "refused" : "done");
	free(cause);
	return vc_clone_exit(rc);
}

void vc_batch_user(char *buf, size_t len)
{
	/* The audit log names the person: the login name, not only the uid sudo gave. */
	snprintf(buf, len, "%s", getenv("SUDO_USER") ? getenv("SUDO_USER") :
		 getlogin() ? getlogin() : geteuid() == 0 ? "root" : "?");
}

bool vc_clone_cmd(const char *cmd)
{
	return !strcmp(cmd, "clone") || !strcmp(cmd, "template") || !strcmp(cmd, "start") ||
	       !strcmp(cmd, "delete");
}

int vc_clone_main(const char *uri, int argc, char **argv, const struct vc_clone_flags *f)
{
	const char *cmd = argv[0];
	struct hv_conn *conn = NULL;
	char user[64], *cause = NULL;
	int rc;

	bool seeded = f->seed.hostname || f->seed.address || f->seed.gateway || f->seed.dns;

	if ((f->linked && strcmp(cmd, "clone")) || (f->storage && strcmp(cmd, "delete")) ||
	    (seeded && (strcmp(cmd, "clone") || !f->seed.hostname)) ||
	    (f->json && strcmp(cmd, "clone")) ||
	    (!strcmp(cmd, "clone") && argc != 3) || (strcmp(cmd, "clone") && strcmp(cmd, "template") &&
						     argc != 2) ||
	    (!strcmp(cmd, "template") && (argc != 3 || (strcmp(argv[2], "on") &&
							strcmp(argv[2], "off") &&
							strcmp(argv[2], "show")))))
		return -1;
	if (hv_open(uri, &conn, &cause) < 0) {
		fprintf(stderr, "ospite: %s\n", cause ? cause : cmd);
		free(cause);
		return 2;
	}
	vc_batch_user(user, sizeof(user));
	if (!strcmp(cmd, "clone")) {
		struct hv_clone_opts o = { .source = argv[1], .name = argv[2], .linked = f->linked,
					   .seed = seeded ? &f->seed : NULL };

		rc = vc_batch_clone(conn, &o, f->json, user, stdout, stderr);
	} else if (!strcmp(cmd, "template")) {
		rc = vc_batch_template(conn, argv[1], argv[2], user, stdout, stderr);
	} else if (!strcmp(cmd, "start")) {
		rc = vc_batch_start(conn, argv[1], user, stdout, stderr);
	} else {
		rc = vc_batch_delete(conn, argv[1], f->storage, user, stdout, stderr);
	}
	hv_close(conn);
	return rc;
}
