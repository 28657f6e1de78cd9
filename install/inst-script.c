/* The %pre and %post scripts of an answer file: run in order, output to the log, a failure named by its line. */
#include "inst.h"
#include "tui/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Copy what the script prints to the install log and to its own log, until it closes its end. */
static void pump(int from, int logfd, int ownlog)
{
	char buf[4096];

	for (;;) {
		ssize_t r = read(from, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (logfd >= 0 && write(logfd, buf, r) < 0)
			logfd = -1;
		if (ownlog >= 0 && write(ownlog, buf, r) < 0)
			ownlog = -1;
	}
}

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
		return hcfg_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	return 0;
}

/* Start the script file @file (a path as the script sees it) and wait for it; its status or -errno. */
static int spawn(const struct inst_script *sc, const char *file, const char *root,
		 const char *target, int logfd, int ownlog, char **cause)
{
	const char *interp = *sc->interpreter ? sc->interpreter : "/bin/sh";
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return hcfg_cause(cause, -errno, _("Could not start %s: %s."), interp, strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return hcfg_cause(cause, -errno, _("Could not start %s: %s."), interp, strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (target)
			setenv("OSPITE_TARGET", target, 1);
		setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
		if (root && (chroot(root) < 0 || chdir("/") < 0)) {
			dprintf(2, "chroot %s: %s\n", root, strerror(errno));
			_exit(127);
		}
		execl(interp, interp, file, (char *)NULL);
		dprintf(2, "exec %s: %s\n", interp, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	pump(pfd[0], logfd, ownlog);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return hcfg_cause(cause, -errno, _("Could not wait for %s: %s."), interp,
					  strerror(errno));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int run_one(const struct inst_plan *p, const struct inst_script *sc, const char *target,
		   int logfd, char **cause)
{
	bool in_target = sc->when == INST_SCRIPT_POST && !sc->nochroot;
	const char *root = in_target ? target : NULL;
	const char *body = sc->body ? sc->body : "";
	char where[320], path[PATH_MAX], *seen;
	int fd = -1, ownlog = -1, rc;

	inst_plan_where(p, sc->src, where, sizeof(where));
	snprintf(path, sizeof(path), "%s/tmp/ospite-script-XXXXXX", root ? root : "");
	fd = mkstemp(path);
	if (fd < 0)
		return hcfg_cause(cause, -errno, _("Could not create a temporary file: %s."),
				  strerror(errno));
	if (fchmod(fd, 0700) < 0 || write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
		rc = hcfg_cause(cause, -EIO, _("Could not write %s: %s."), path, strerror(errno));
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
	if (rc < 0)
		goto out;
	if (logfd >= 0)
		dprintf(logfd, "script at %s: exit status %d\n", where, rc);
	if (rc > 0 && sc->erroronfail) {
		rc = sc->when == INST_SCRIPT_PRE ?
			hcfg_cause(cause, -EIO, _("The %%pre script at %s failed with exit status %d."),
				   where, rc) :
			hcfg_cause(cause, -EIO, _("The %%post script at %s failed with exit status %d."),
				   where, rc);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ownlog >= 0)
		close(ownlog);
	unlink(path);
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
