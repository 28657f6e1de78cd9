/* The %pre and %post scripts of an answer file: run in order under a time limit, output to the log, a failure named by its line. */
#include "inst.h"
#include "tui/i18n.h"

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

/* Copy a chunk of what the script prints to the install log and to its own log. */
static void copy_out(const char *buf, ssize_t r, int *logfd, int *ownlog)
{
	if (*logfd >= 0 && write(*logfd, buf, r) < 0)
		*logfd = -1;
	if (*ownlog >= 0 && write(*ownlog, buf, r) < 0)
		*ownlog = -1;
}

/*
 * Read the script's output until it closes its end and the script has
 * exited, or until @deadline (ms, hcfg_now_ms()); false when time ran out.
 * The script is not reaped here (WNOWAIT), so its pid stays its process
 * group's id until the caller has killed that group.
 */
static bool pump(int from, pid_t pid, long long deadline, int logfd, int ownlog)
{
	bool eof = false;

	for (;;) {
		long long left = deadline - hcfg_now_ms();
		struct pollfd pf = { from, POLLIN, 0 };
		siginfo_t si = { 0 };
		char buf[4096];

		if (eof && waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			return true;
		if (left <= 0)
			return false;
		/* Once the output is closed, only the exit is awaited: look again every 100 ms. */
		if (poll(&pf, eof ? 0 : 1, left < 100 ? (int)left : 100) < 0 && errno != EINTR)
			return false;
		if (eof || !(pf.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t r = read(from, buf, sizeof(buf));

		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			eof = true;
		else
			copy_out(buf, r, &logfd, &ownlog);
	}
}

/* Time is up: ask the whole process group to stop, then make sure every member of it is gone. */
static void stop_group(pid_t pid, int from, int logfd, int ownlog)
{
	long long grace = hcfg_now_ms() + 5000;

	kill(-pid, SIGTERM);
	/* What it prints while it stops still goes to the logs. */
	pump(from, pid, grace, logfd, ownlog);
	kill(-pid, SIGKILL);
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

/*
 * Start the script file @file (a path as the script sees it) in a process
 * group of its own and wait for it, at most its time limit; its status,
 * -ETIME when the limit killed it, or -errno.
 */
static int spawn(const struct inst_script *sc, const char *file, const char *root,
		 const char *target, int logfd, int ownlog, char **cause)
{
	const char *interp = *sc->interpreter ? sc->interpreter : "/bin/sh";
	unsigned limit = sc->timeout ? sc->timeout : INST_SCRIPT_TIMEOUT;
	long long deadline = hcfg_now_ms() + 1000LL * limit;
	int pfd[2], status;
	bool done;
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

		/* Its own group, so that the time limit stops whatever it started too. */
		setpgid(0, 0);

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
	/* Both sides set the group, so it exists before anything could signal it. */
	setpgid(pid, pid);
	close(pfd[1]);
	done = pump(pfd[0], pid, deadline, logfd, ownlog);
	if (!done)
		stop_group(pid, pfd[0], logfd, ownlog);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return hcfg_cause(cause, -errno, _("Could not wait for %s: %s."), interp,
					  strerror(errno));
	if (!done)
		return -ETIME;
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
	if (rc == -ETIME) {
		unsigned limit = sc->timeout ? sc->timeout : INST_SCRIPT_TIMEOUT;

		if (logfd >= 0)
			dprintf(logfd, "script at %s: stopped after its time limit of %u seconds\n",
				where, limit);
		/* A script cut short failed, like one that exits non-zero. */
		rc = !sc->erroronfail ? 0 :
		     sc->when == INST_SCRIPT_PRE ?
			hcfg_cause(cause, -EIO,
				   P_("The %%pre script at %s did not finish within its time limit of %u second and was stopped.",
				      "The %%pre script at %s did not finish within its time limit of %u seconds and was stopped.",
				      limit), where, limit) :
			hcfg_cause(cause, -EIO,
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
