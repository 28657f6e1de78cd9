/* The unattended front end: reads the answer file, checks it against this machine, runs the engine, prints progress. */
#include "inst-unattended.h"
#include "inst-journal.h"
#include "ks.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

/* ---- progress on stdout and as JSON lines ------------------------------------- */

struct un_ui {
	int json_fd;
	int bucket;               /* last 5% step printed */
	char pkg[128];            /* last package printed */
	unsigned json_permille;
	int json_step;
	char json_pkg[128];
};

static void json_str(struct base_buf *b, const char *s)
{
	base_buf_str(b, "\"");
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			base_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			base_buf_printf(b, "\\u%04x", c);
		else
			base_buf_add(b, (const char *)&c, 1);
	}
	base_buf_str(b, "\"");
}

/* One JSON object per line; a reader that went away only stops the JSON, never the install. */
static void json_emit(struct un_ui *u, struct base_buf *b)
{
	sigset_t pipe, old;
	const struct timespec zero = { 0, 0 };

	base_buf_str(b, "}\n");
	if (u->json_fd < 0 || b->oom) {
		free(b->s);
		return;
	}
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe, &old);
	for (size_t off = 0; off < b->len;) {
		ssize_t w = write(u->json_fd, b->s + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* Take the SIGPIPE this write raised before it is unblocked. */
			if (errno == EPIPE)
				sigtimedwait(&pipe, NULL, &zero);
			u->json_fd = -1;
			break;
		}
		off += w;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(b->s);
}

/* Print a line for a serial console: no control characters, flushed at once. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = ' ';
	puts(s);
	fflush(stdout);
	free(s);
}

static void on_step(void *opaque, enum inst_step step)
{
	struct un_ui *u = opaque;
	struct base_buf b = { 0 };

	u->bucket = -1;
	u->pkg[0] = '\0';
	say("== %s", inst_step_title(step));
	base_buf_str(&b, "{\"event\":\"step\",\"step\":");
	json_str(&b, inst_journal_word(step));
	base_buf_str(&b, ",\"title\":");
	json_str(&b, inst_step_title(step));
	base_buf_str(&b, ",\"percent\":0");
	json_emit(u, &b);
}

static void on_progress(void *opaque, const struct inst_progress *pr)
{
	struct un_ui *u = opaque;
	const char *pkg = pr->pkg ? pr->pkg : "";
	int bucket = pr->permille / 50;
	struct base_buf b = { 0 };

	if (*pkg && strcmp(pkg, u->pkg)) {
		snprintf(u->pkg, sizeof(u->pkg), "%s", pkg);
		u->bucket = bucket;
		say("  %3u%%  [%u/%u] %s", pr->permille / 10, pr->done_pkgs, pr->total_pkgs,
		    pr->text && *pr->text ? pr->text : pkg);
	} else if (bucket != u->bucket) {
		u->bucket = bucket;
		say("  %3u%%  %s", pr->permille / 10, pr->text ? pr->text : "");
	}
	if ((int)pr->step == u->json_step && pr->permille == u->json_permille &&
	    !strcmp(pkg, u->json_pkg))
		return;
	u->json_step = pr->step;
	u->json_permille = pr->permille;
	snprintf(u->json_pkg, sizeof(u->json_pkg), "%s", pkg);
	base_buf_str(&b, "{\"event\":\"progress\",\"step\":");
	json_str(&b, inst_journal_word(pr->step));
	base_buf_printf(&b, ",\"percent\":%u,\"permille\":%u,\"text\":", pr->permille / 10,
			pr->permille);
	json_str(&b, pr->text);
	base_buf_str(&b, ",\"package\":");
	if (*pkg)
		json_str(&b, pkg);
	else
		base_buf_str(&b, "null");
	base_buf_printf(&b, ",\"packages_done\":%u,\"packages_total\":%u,\"bytes_done\":%llu,\"bytes_total\":%llu",
			pr->done_pkgs, pr->total_pkgs, (unsigned long long)pr->done_bytes,
			(unsigned long long)pr->total_bytes);
	json_emit(u, &b);
}

static void on_info(void *opaque, const char *msg)
{
	struct base_buf b = { 0 };

	say("  %s", msg);
	base_buf_str(&b, "{\"event\":\"info\",\"text\":");
	json_str(&b, msg);
	json_emit(opaque, &b);
}

static void on_warning(void *opaque, const char *msg)
{
	struct base_buf b = { 0 };

	/* TRANSLATORS: the start of a warning line in the unattended output. */
	say(_("warning: %s"), msg);
	base_buf_str(&b, "{\"event\":\"warning\",\"text\":");
	json_str(&b, msg);
	json_emit(opaque, &b);
}

static void json_end(struct un_ui *u, enum inst_step failed, const char *cause)
{
	struct base_buf b = { 0 };

	base_buf_printf(&b, "{\"event\":\"%s\"", cause ? "failed" : "done");
	if (cause) {
		base_buf_str(&b, ",\"step\":");
		json_str(&b, inst_journal_word(failed));
		base_buf_str(&b, ",\"message\":");
		json_str(&b, cause);
	}
	json_emit(u, &b);
}

/* ---- the run ------------------------------------------------------------------- */

static uint64_t ram_mib(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit >> 20 : 0;
}

/* Errors go to stderr as they are: one "FILE:LINE: sentence" per line. */
static void show_errors(const char *errors)
{
	fputs(errors ? errors : "", stderr);
	fflush(stderr);
}

/*
 * --validate with --image: the image as the install would see it, without
 * making or attaching anything. An existing image counts with its own size
 * and contents, a new one with --image-size and nothing on it.
 */
static int validate_image(const struct inst_unattended *u, struct inst_plan *plan, char **errors)
{
	struct hcfg_disk d = { .eligible = true, .sector = 512 };
	struct inst_ks_machine m = { .disks = &d, .n_disks = 1, .image = u->image };
	struct stat st;
	bool blank = true;
	char *cause = NULL;
	int rc;

	snprintf(d.path, sizeof(d.path), "%s", u->image);
	snprintf(d.name, sizeof(d.name), "%s", strrchr(u->image, '/') ? strrchr(u->image, '/') + 1 : u->image);
	if (stat(u->image, &st) == 0) {
		if (hcfg_disk_blank(u->image, &blank, &cause) < 0) {
			fprintf(stderr, "ospite-install: %s\n", cause);
			free(cause);
			return -EIO;
		}
		d.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		snprintf(d.contents, sizeof(d.contents), "%s",
			 blank ? _("empty") : _("a partition table or a file system"));
	} else if (u->image_mib_given) {
		d.size = u->image_mib << 20;
		snprintf(d.contents, sizeof(d.contents), "%s", _("empty"));
	} else {
		fprintf(stderr, _("ospite-install: the image %s does not exist; give --image-size to check the answer file against a new image of that size.\n"),
			u->image);
		return -ENOENT;
	}
	m.blank = &blank;
	m.ram_mib = ram_mib();
	rc = inst_ks_check_machine(plan, &m, errors);
	return rc;
}

static int open_log(const struct inst_unattended *u, char *buf, size_t len)
{
	int fd;

	if (u->logpath)
		snprintf(buf, len, "%s", u->logpath);
	else if (u->image)
		snprintf(buf, len, "%s.log", u->image);
	else
		snprintf(buf, len, "/var/log/ospite-install.log");
	fd = open(buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		fprintf(stderr, _("ospite-install: cannot open the log %s: %s\n"), buf, strerror(errno));
	return fd;
}

/* Fill in what only this machine knows, and check the plan fits it. */
static int check_here(const struct inst_unattended *u, struct inst_plan *plan, const char *loopdev,
		      int logfd, char **errors)
{
	struct inst_ks_machine m = { .nics_must_exist = !u->image, .image = u->image };
	struct hcfg_disk *disks = NULL;
	struct hcfg_nic *nics = NULL;
	bool *blank = NULL;
	size_t nd = 0, nn = 0;
	char *cause = NULL;
	int rc;

	rc = hcfg_disk_list(&disks, &nd, NULL, *loopdev ? loopdev : NULL, &cause);
	if (rc < 0) {
		if (asprintf(errors, "%s\n", cause) < 0)
			*errors = NULL;
		goto out;
	}
	blank = calloc(nd ? nd : 1, sizeof(*blank));
	if (!blank)
		abort();
	for (size_t i = 0; i < nd; i++)
		if (hcfg_disk_blank(disks[i].path, &blank[i], NULL) < 0)
			blank[i] = false;
	if (hcfg_nic_list(&nics, &nn, &cause) < 0) {
		dprintf(logfd, "NICs: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	m.disks = disks;
	m.n_disks = nd;
	m.blank = blank;
	m.check_nics = true;
	m.nics = nics;
	m.n_nics = nn;
	m.ram_mib = ram_mib();
	rc = inst_ks_check_machine(plan, &m, errors);
out:
	free(cause);
	free(blank);
	free(disks);
	free(nics);
	return rc;
}

/*
 * Say what the install makes and which disk it erases (on the output and in
 * the log), and record that disk as the one the answer file confirmed.
 */
static int describe_target(struct inst_plan *p, int logfd)
{
	struct hcfg_disk d;
	char *cause = NULL;

	if (inst_plan_confirm_disk(p, &cause) < 0) {
		fprintf(stderr, "ospite-install: %s\n", cause);
		free(cause);
		return -EIO;
	}
	/* What the answer file asked for, in the words of the summary screen. */
	struct base_buf sum = { 0 };

	inst_plan_describe(p, &sum);
	for (char *l = sum.oom ? NULL : sum.s, *nl; l && *l; l = nl + 1) {
		nl = strchrnul(l, '\n');
		say("%.*s", (int)(nl - l), l);
		dprintf(logfd, "%.*s\n", (int)(nl - l), l);
		if (!*nl)
			break;
	}
	free(sum.s);
	if (hcfg_disk_probe(p->disk, NULL, &d, NULL) < 0)
		return 0;
	say(_("The install erases %s (%s, serial %s, %llu MiB), which holds now: %s."), d.path,
	    *d.model ? d.model : "-", *d.serial ? d.serial : "-", (unsigned long long)(d.size >> 20),
	    d.contents);
	dprintf(logfd, "target %s (%s, serial %s, %llu MiB): %s\n", d.path, d.model, d.serial,
		(unsigned long long)(d.size >> 20), d.contents);
	return 0;
}

/* What the answer file says to do at the end; an image install just ends. */
static void end_action(const struct inst_plan *p, int logfd)
{
	static const char *const verbs[] = { "reboot", "poweroff", "halt" };

	if (*p->image || p->end == INST_END_EXIT)
		return;
	const char *argv[] = { "systemctl", verbs[p->end], NULL };

	base_run(argv, logfd, NULL);
}

int inst_unattended_main(const struct inst_unattended *u)
{
	struct inst_ks_source src = { .sha256 = u->answer_sha256, .insecure = u->insecure };
	struct inst_ks_opts opts = { .read = inst_ks_read_any, .opaque = &src };
	struct un_ui ui = { .json_fd = u->progress_fd, .bucket = -1, .json_step = -1 };
	/* No question callback: an unattended install never asks, it takes the default. */
	struct inst_ui iface = { &ui, on_step, on_progress, on_info, on_warning, NULL };
	struct inst_engine *e = NULL;
	struct inst_plan plan;
	char *errors = NULL, *warnings = NULL, *cause = NULL, loopdev[64] = "", logbuf[512], target[PATH_MAX];
	int status = 1, logfd = -1, rc;

	opts.warnings = &warnings;
	inst_plan_init(&plan);
	rc = inst_ks_parse_file(u->answer, &opts, &plan, &errors);
	/*
	 * A repository's local key, checked as the install will check it, so
	 * that --validate finds a missing or wrong key and not the Dependency
	 * Check; the keys of valid repo lines are checked even when other
	 * lines are wrong. A key given by URL is fetched by the install only.
	 */
	if (inst_repo_keys_check(&plan, &errors) < 0)
		rc = -EINVAL;
	/* What the file says in vain is said whether or not it is valid, before its problems. */
	show_errors(warnings);
	if (rc < 0) {
		show_errors(errors);
		goto out;
	}
	if (u->validate) {
		if (u->image && validate_image(u, &plan, &errors) < 0) {
			show_errors(errors);
			goto out;
		}
		if (u->dump) {
			char *dump = inst_plan_dump(&plan);

			fputs(dump, stdout);
			free(dump);
		}
		status = 0;
		goto out;
	}

	/* From here on the answer file is fine: what fails now is the install. */
	status = 2;
	logfd = open_log(u, logbuf, sizeof(logbuf));
	if (logfd < 0)
		goto out;
	if (geteuid() != 0) {
		fprintf(stderr, _("ospite-install: the installer must run as root.\n"));
		goto out;
	}
	dprintf(logfd, "unattended install from %s\n", u->answer);
	if (warnings)
		dprintf(logfd, "%s", warnings);
	/* A run killed earlier may still hold the target and its disk: free them before checking disks. */
	snprintf(target, sizeof(target), "%s/target", u->workdir);
	if (inst_clear_stale(target, logfd, &cause) < 0) {
		fprintf(stderr, "ospite-install: %s\n", cause);
		goto out;
	}
	if (u->image) {
		INST_COPY(plan.image, u->image);
		if (inst_image_attach(u->image, u->image_mib, loopdev, sizeof(loopdev), &cause) < 0) {
			fprintf(stderr, "ospite-install: %s\n", cause);
			goto out;
		}
		dprintf(logfd, "image %s on %s\n", u->image, loopdev);
	}
	if (check_here(u, &plan, loopdev, logfd, &errors) < 0) {
		show_errors(errors);
		goto out;
	}
	if (!*plan.serial && u->serial)
		INST_COPY(plan.serial, u->serial);
	if (describe_target(&plan, logfd) < 0)
		goto out;
	e = inst_engine_new(&plan, &iface, logfd);
	inst_engine_set_workdir(e, u->workdir);
	inst_engine_set_logpath(e, logbuf);
	inst_engine_set_resume(e, u->resume ? INST_RESUME_YES : INST_RESUME_NO);
	rc = inst_engine_run(e, &cause);
	if (rc < 0) {
		enum inst_step s = inst_engine_failed_step(e);

		fprintf(stderr, _("ospite-install: the step \"%s\" failed: %s\n"), inst_step_title(s),
			cause ? cause : "?");
		fprintf(stderr, _("ospite-install: the install failed; the log is %s.\n"), logbuf);
		json_end(&ui, s, cause ? cause : "?");
		goto out;
	}
	say("%s", _("The installation is complete."));
	json_end(&ui, INST_STEP_FINISH, NULL);
	status = 0;
out:
	inst_engine_free(e);
	if (*loopdev && hcfg_loop_detach(loopdev, &cause) < 0)
		fprintf(stderr, "ospite-install: %s\n", cause);
	if (status == 0 && !u->validate)
		end_action(&plan, logfd);
	if (logfd >= 0)
		close(logfd);
	free(errors);
	free(warnings);
	free(cause);
	inst_plan_free(&plan);
	return status;
}
