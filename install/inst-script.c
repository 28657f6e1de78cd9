/* The %pre and %post scripts of an answer file: run in order under a time limit, output to the log, a failure named by its line. */
#include "inst.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The script's own --log: inside the target for a script that runs there. */
static int open_own_log(const struct inst_script *sc, const char *root, int *fd, char **cause)
{
	char path[PATH_MAX], dir[PATH_MAX];

	*fd = -1;
	if (!*sc->log)
		return 0;
	snprintf(path, sizeof(path), "%s%s", root ? root : "", sc->log);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (*dir && hcfg_mkdirs(dir, cause) < 0)
		return -EIO;
	*fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (*fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	return 0;
}

/* A line the script printed, for its own --log too (the runner copies it to the install log). */
static void own_log_line(void *opaque, const char *line)
{
	int *fd = opaque;

	if (*fd >= 0 && dprintf(*fd, "%s\n", line) < 0)
		*fd = -1;
}

/*
 * Run the script file @file (a path as the script sees it), inside @root
 * when not NULL, at most its time limit; its status, -ETIME when the limit
 * stopped it (its whole process group), or -errno.
 */
static int spawn(const struct inst_script *sc, const char *file, const char *root,
		 const char *target, int logfd, int ownlog, char **cause)
{
	const char *interp = *sc->interpreter ? sc->interpreter : "/bin/sh";
	const char *argv[] = { interp, file, NULL };
	char tenv[PATH_MAX + 16];
	const char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			      target ? tenv : NULL, NULL };
	int rc, signo = 0;
	const struct base_proc pr = {
		.argv = argv, .env = env, .root = root, .logfd = logfd, .out_fd = -1,
		.status_fd = BASE_RUN_OUTPUT, .line = own_log_line, .opaque = &ownlog,
		.timeout_s = sc->timeout ? sc->timeout : INST_SCRIPT_TIMEOUT, .signo = &signo,
	};

	if (target)
		snprintf(tenv, sizeof(tenv), "OSPITE_TARGET=%s", target);
	rc = base_proc_run(&pr, cause);
	/*
	 * A script killed by a signal, or ending on a command not found (127),
	 * failed as a shell reports it; the caller judges the outcome.
	 */
	if (rc == -EINTR && signo)
		return 128 + signo;
	return rc == -ENOENT ? 127 : rc;
}

static int run_one(const struct inst_plan *p, const struct inst_script *sc, const char *target,
		   int logfd, char **cause)
{
	bool in_target = sc->when == INST_SCRIPT_POST && !sc->nochroot;
	const char *root = in_target ? target : NULL;
	const char *body = sc->body ? sc->body : "";
	char where[320], dir[PATH_MAX], path[PATH_MAX + 16], *seen;
	int fd = -1, ownlog = -1, rc;

	inst_plan_where(p, sc->src, where, sizeof(where));
	/*
	 * A directory of its own (mkdtemp makes it 0700) and a file that must be
	 * new and no link: nobody else can swap the script between its writing
	 * and its run.
	 */
	snprintf(dir, sizeof(dir), "%s/tmp/ospite-script-XXXXXX", root ? root : "");
	if (!mkdtemp(dir))
		return base_cause(cause, -errno, _("Could not create a temporary file: %s."),
				  strerror(errno));
	snprintf(path, sizeof(path), "%s/script", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
	if (fd < 0) {
		rc = base_cause(cause, -errno, _("Could not create a temporary file: %s."),
				strerror(errno));
		goto out;
	}
	if (write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
		rc = base_cause(cause, -EIO, _("Could not write %s: %s."), path, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	rc = open_own_log(sc, root, &ownlog, cause);
	if (rc < 0)
		goto out;
	/* The script sees its file where the root it runs in has it. */
	seen = root ? path + strlen(root) : path;
	if (logfd >= 0)
		dprintf(logfd, "+ %s script at %s (%s%s)\n", sc->when == INST_SCRIPT_PRE ? "%pre" : "%post",
			where, *sc->interpreter ? sc->interpreter : "/bin/sh",
			in_target ? ", in the target" : "");
	rc = spawn(sc, seen, root, sc->nochroot ? target : NULL, logfd, ownlog, cause);
	if (rc == -ETIME) {
		unsigned limit = sc->timeout ? sc->timeout : INST_SCRIPT_TIMEOUT;

		if (logfd >= 0)
			dprintf(logfd, "script at %s: stopped after its time limit of %u seconds\n",
				where, limit);
		/* A script cut short failed, like one that exits non-zero. */
		rc = !sc->erroronfail ? 0 :
		     sc->when == INST_SCRIPT_PRE ?
			base_cause(cause, -EIO,
				   P_("The %%pre script at %s did not finish within its time limit of %u second and was stopped.",
				      "The %%pre script at %s did not finish within its time limit of %u seconds and was stopped.",
				      limit), where, limit) :
			base_cause(cause, -EIO,
				   P_("The %%post script at %s did not finish within its time limit of %u second and was stopped.",
				      "The %%post script at %s did not finish within its time limit of %u seconds and was stopped.",
				      limit), where, limit);
		goto out;
	}
	if (rc < 0)
		goto out;
	if (logfd >= 0)
		dprintf(logfd, "script at %s: exit status %d\n", where, rc);
	if (rc > 0 && sc->erroronfail) {
		rc = sc->when == INST_SCRIPT_PRE ?
			base_cause(cause, -EIO, _("The %%pre script at %s failed with exit status %d."),
				   where, rc) :
			base_cause(cause, -EIO, _("The %%post script at %s failed with exit status %d."),
				   where, rc);
		goto out;
	}
	/* A failure the answer file lets pass leaves no message behind for a later error to show. */
	if (rc > 0 && cause) {
		free(*cause);
		*cause = NULL;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ownlog >= 0)
		close(ownlog);
	unlink(path);
	rmdir(dir);
	return rc;
}

int inst_run_scripts(const struct inst_plan *p, enum inst_script_when when, const char *target,
		     int logfd, char **cause)
{
	for (size_t i = 0; i < p->n_scripts; i++) {
		int rc;

		if (p->scripts[i].when != when)
			continue;
		rc = run_one(p, &p->scripts[i], target, logfd, cause);
		if (rc < 0)
			return rc;
	}
	return 0;
}
