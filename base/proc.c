/* The one way ospite runs a program: argv only, stdin text, output lines to a callback, a status pipe, a time limit that kills its whole process group, and the log. */
#include "base.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TICK_MS 200

extern char **environ;

static bool env_overridden(const char *entry, const char *const env[])
{
	for (size_t i = 0; env && env[i]; i++) {
		size_t len = strcspn(env[i], "=");

		if (!strncmp(entry, env[i], len) && entry[len] == '=')
			return true;
	}
	return false;
}

/* Built before fork: allocating in the child of a threaded parent could deadlock. */
static char **build_env(const char *const env[])
{
	size_t n = 0, m = 0, k = 0;
	char **out;

	while (environ && environ[n])
		n++;
	while (env && env[m])
		m++;
	out = calloc(n + m + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!env_overridden(environ[i], env))
			out[k++] = environ[i];
	for (size_t i = 0; i < m; i++)
		if (strchr(env[i], '='))
			out[k++] = (char *)env[i];
	out[k] = NULL;
	return out;
}

static void log_cmd(int logfd, const char *const argv[], const char *const env[])
{
	if (logfd < 0)
		return;
	dprintf(logfd, "+");
	for (size_t i = 0; env && env[i]; i++)
		dprintf(logfd, " %s", env[i]);
	for (size_t i = 0; argv[i]; i++)
		dprintf(logfd, " %s", argv[i]);
	dprintf(logfd, "\n");
}

static void child(const struct base_proc *p, char **envp, int wfd, int infd)
{
	/* Lift every source descriptor above the targets so no dup2() below overwrites one still needed. */
	int status_fd = p->status_fd;
	int min = status_fd >= 10 ? status_fd + 1 : 10;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int err = fcntl(p->logfd >= 0 ? p->logfd : null, F_DUPFD_CLOEXEC, min);
	int out = p->out_fd >= 0 ? fcntl(p->out_fd, F_DUPFD_CLOEXEC, min) : err;
	int in = fcntl(infd >= 0 ? infd : null, F_DUPFD_CLOEXEC, min);
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	/* Its own group, so that a time limit stops whatever it started too. */
	if (p->timeout_s)
		setpgid(0, 0);
	if (wfd >= 0)
		wfd = fcntl(wfd, F_DUPFD_CLOEXEC, min);
	if (null < 0 || err < 0 || out < 0 || in < 0 || (status_fd >= 0 && wfd < 0))
		_exit(127);
	if (status_fd == BASE_RUN_OUTPUT)
		out = err = wfd;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	if (status_fd >= 3 && dup2(wfd, status_fd) < 0)
		_exit(127);
	/* Descriptors the front end holds (the terminal, sockets, other pipes) are none of its business. */
	if (status_fd > 3)
		close_range(3, status_fd - 1, 0);
	close_range(status_fd >= 3 ? (unsigned)status_fd + 1 : 3, ~0U, 0);
	/* A front end may ignore SIGPIPE or block signals; the program should not inherit that. */
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (p->root && (chroot(p->root) < 0 || chdir("/") < 0)) {
		dprintf(2, "chroot %s: %s\n", p->root, strerror(errno));
		_exit(127);
	}
	execvpe(p->argv[0], (char *const *)p->argv, envp);
	dprintf(2, "exec %s: %s\n", p->argv[0], strerror(errno));
	_exit(127);
}

struct linebuf {
	char buf[BASE_RUN_LINE_MAX];
	size_t len;
	bool cut;
	void (*line)(void *opaque, const char *line);
	void *opaque;
	int logfd;   /* >= 0: each line is copied here first (the child's own output) */
};

static void deliver(struct linebuf *lb)
{
	if (lb->cut)
		lb->len = base_utf8_cut(lb->buf, lb->len);
	if (lb->len > 0 && lb->buf[lb->len - 1] == '\r')
		lb->len--;
	lb->buf[lb->len] = '\0';
	if (lb->logfd >= 0)
		dprintf(lb->logfd, "%s\n", lb->buf);
	if (lb->line)
		lb->line(lb->opaque, lb->buf);
	lb->len = 0;
	lb->cut = false;
}

static void feed(struct linebuf *lb, const char *data, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		size_t room = sizeof(lb->buf) - 1 - lb->len;

		if (take > room) {
			lb->cut = true;
			memcpy(lb->buf + lb->len, data, room);
			lb->len += room;
		} else {
			memcpy(lb->buf + lb->len, data, take);
			lb->len += take;
		}
		if (!nl)
			return;
		deliver(lb);
		data = nl + 1;
		n -= take + 1;
	}
}

/* Read what is left in the pipe without blocking (a grandchild may still hold its write end). */
static void drain(int rfd, struct linebuf *lb)
{
	char chunk[4096];
	ssize_t r;

	fcntl(rfd, F_SETFL, fcntl(rfd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		r = read(rfd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		feed(lb, chunk, r);
	}
}

static int exit_status(const char *prog, int status, int logfd, char **cause)
{
	if (WIFSIGNALED(status)) {
		if (logfd >= 0)
			dprintf(logfd, "%s: killed by signal %d\n", prog, WTERMSIG(status));
		return base_cause(cause, -EINTR, _("%s was killed by signal %d."), prog,
				  WTERMSIG(status));
	}
	if (WEXITSTATUS(status) == 127)
		return base_cause(cause, -ENOENT, _("The program %s could not be run."), prog);
	if (WEXITSTATUS(status)) {
		if (logfd >= 0)
			dprintf(logfd, "%s: exit status %d\n", prog, WEXITSTATUS(status));
		base_cause(cause, 0, _("%s failed with exit status %d."), prog, WEXITSTATUS(status));
	}
	return WEXITSTATUS(status);
}

/*
 * A pipe already holding @input, closed for writing, for a child's stdin;
 * -1 and errno set when it cannot be made. Filled before the child exists,
 * so that a child that exits without reading cannot raise SIGPIPE here.
 */
static int input_pipe(const char *input)
{
	size_t len = strlen(input), off = 0;
	int p[2];

	if (len > 65536) {
		errno = E2BIG;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/*
	 * A pipe holds 64 KiB by default; make sure it takes all of it without a
	 * reader, and fail rather than block if it cannot.
	 */
	if (len > 4096)
		fcntl(p[1], F_SETPIPE_SZ, 65536);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (off < len) {
		ssize_t w = write(p[1], input + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno == EAGAIN ? E2BIG : errno;

			close(p[0]);
			close(p[1]);
			errno = err;
			return -1;
		}
		off += w;
	}
	close(p[1]);
	return p[0];
}

int base_proc_run(const struct base_proc *p, char **cause)
{
	const char *const *argv = p->argv;
	struct linebuf *lb = NULL;
	char **envp = NULL;
	int pipefd[2] = { -1, -1 }, pidfd = -1, infd = -1, status = 0, rc;
	bool exited = false, timed_out = false;
	long long next_tick, started, deadline = 0, kill_at = 0, grace_until = 0;
	pid_t pid;

	if (!argv || !argv[0])
		return base_cause(cause, -EINVAL, _("No program was given to run."));
	if (p->status_fd >= 0 && p->status_fd < 3 && p->status_fd != BASE_RUN_OUTPUT)
		return base_cause(cause, -EINVAL,
				  _("The status descriptor of %s must be 3 or higher."), argv[0]);
	lb = calloc(1, sizeof(*lb));
	envp = build_env(p->env);
	if (!lb || !envp) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	lb->line = p->line;
	lb->opaque = p->opaque;
	lb->logfd = p->status_fd == BASE_RUN_OUTPUT ? p->logfd : -1;
	if ((p->status_fd >= 0 && pipe2(pipefd, O_CLOEXEC) < 0) ||
	    (p->input && (infd = input_pipe(p->input)) < 0)) {
		rc = base_cause(cause, -errno, _("Could not start %s: %s."), argv[0], strerror(errno));
		goto out;
	}
	log_cmd(p->logfd, argv, p->env);
	started = base_now_ms();
	if (p->timeout_s)
		deadline = started + 1000LL * p->timeout_s;
	pid = fork();
	if (pid < 0) {
		rc = base_cause(cause, -errno, _("Could not start %s: %s."), argv[0], strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(p, envp, pipefd[1], infd);
	/* Both sides set the group, so it exists before anything could signal it. */
	if (p->timeout_s)
		setpgid(pid, pid);
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
		pipefd[1] = -1;
	}
	if (infd >= 0) {
		close(infd);
		infd = -1;
	}
	/* A pidfd wakes poll() the moment the child exits; without one the tick bounds the delay. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	next_tick = base_now_ms() + TICK_MS;
	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int rfd_slot = -1;
		long long t = base_now_ms();
		int timeout = next_tick > t ? (int)(next_tick - t) : 0;

		if (pipefd[0] >= 0) {
			rfd_slot = n;
			pfd[n++] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
		}
		if (pidfd >= 0 && !exited)
			pfd[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
			rc = base_cause(cause, -errno, _("Could not wait for %s: %s."), argv[0],
					strerror(errno));
			/* Still reap the child below, then report. */
			if (p->timeout_s)
				kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			goto out;
		}
		if (rfd_slot >= 0 && (pfd[rfd_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
			char chunk[4096];
			ssize_t r = read(pipefd[0], chunk, sizeof(chunk));

			if (r > 0) {
				feed(lb, chunk, r);
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(pipefd[0]);
				pipefd[0] = -1;
			}
		}
		t = base_now_ms();
		if (t >= next_tick) {
			if (p->tick)
				p->tick(p->opaque);
			next_tick = t + TICK_MS;
		}
		/*
		 * Has it exited? WNOWAIT: look, but keep the zombie, so that its pid
		 * (its group's id) cannot be reused while the group may still be
		 * signalled below; it is reaped once the loop is done.
		 */
		if (!exited) {
			siginfo_t si = { 0 };

			if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
				exited = true;
				/* What it started may hold its output a moment longer, not the whole limit. */
				if (deadline)
					grace_until = t + 2000;
			}
		}
		/* Time is up while it runs: ask the whole group to stop, and five seconds later make it. */
		if (deadline && !exited && !timed_out && t >= deadline) {
			timed_out = true;
			kill(-pid, SIGTERM);
			kill_at = t + 5000;
		}
		if (kill_at && !exited && t >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = 0;
		}
		if (!exited)
			continue;
		/* Without a group of its own, whatever it left behind is not waited for. */
		if (!deadline || pipefd[0] < 0 || timed_out || t >= grace_until)
			break;
	}
	/* A limited program's group dies with it: the zombie still holds the group's id. */
	if (deadline)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pipefd[0] >= 0)
		drain(pipefd[0], lb);
	if (lb->len > 0 || lb->cut)
		deliver(lb);
	if (timed_out) {
		if (p->logfd >= 0)
			dprintf(p->logfd, "%s: stopped after its time limit of %u seconds\n", argv[0],
				p->timeout_s);
		rc = base_cause(cause, -ETIME, _("%s did not finish within %u seconds and was stopped."),
				argv[0], p->timeout_s);
	} else {
		rc = exit_status(argv[0], status, p->logfd, cause);
		if (p->signo)
			*p->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	/* How long each command took: where an install spends its time, for support and tuning. */
	if (p->timed && p->logfd >= 0)
		dprintf(p->logfd, "= %s: %.1f s\n",
			!strcmp(argv[0], "chroot") && argv[1] && argv[2] ? argv[2] : argv[0],
			(base_now_ms() - started) / 1000.0);
out:
	if (pidfd >= 0)
		close(pidfd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (infd >= 0)
		close(infd);
	free(envp);
	free(lb);
	return rc;
}

int base_run(const char *const argv[], int logfd, char **cause)
{
	const struct base_proc p = { .argv = argv, .logfd = logfd, .out_fd = -1, .status_fd = -1 };

	return base_proc_run(&p, cause);
}

int base_run_input(const char *const argv[], int logfd, const char *input, char **cause)
{
	const struct base_proc p = { .argv = argv, .logfd = logfd, .out_fd = -1, .status_fd = -1,
				     .input = input };

	return base_proc_run(&p, cause);
}

int base_run_capture(const char *const argv[], int logfd, char **out, char **cause)
{
	/* A file in memory: no name in a shared directory for anyone else to race for. */
	int fd = memfd_create("ospite-out", MFD_CLOEXEC);
	struct base_proc p = { .argv = argv, .logfd = logfd, .out_fd = fd, .status_fd = -1 };
	int rc;

	*out = NULL;
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not create a temporary file: %s."),
				  strerror(errno));
	rc = base_proc_run(&p, cause);
	if (rc >= 0) {
		off_t len = lseek(fd, 0, SEEK_END);
		char *buf = len >= 0 ? malloc(len + 1) : NULL;

		if (!buf || pread(fd, buf, len, 0) != len) {
			free(buf);
			close(fd);
			return base_cause(cause, -EIO, _("Could not read the output of %s."), argv[0]);
		}
		buf[len] = '\0';
		*out = buf;
	}
	close(fd);
	return rc;
}

int base_run_status(const char *const argv[], const char *const env[], int logfd, int status_fd,
		    void (*line)(void *opaque, const char *line), void (*tick)(void *opaque),
		    void *opaque, char **cause)
{
	const struct base_proc p = { .argv = argv, .env = env, .logfd = logfd, .out_fd = -1,
				     .status_fd = status_fd, .line = line, .tick = tick,
				     .opaque = opaque, .timed = true };

	return base_proc_run(&p, cause);
}

int base_spawn_detached(const char *const argv[], int *pid, char **cause)
{
	int fds[2], err = 0;
	pid_t child;
	int got = 0;
	ssize_t r;

	/* The grandchild's pid, or an errno as a negative number, comes back through this pipe. */
	if (pipe2(fds, O_CLOEXEC) < 0)
		return base_cause(cause, -errno, _("Could not start %s: %s."), argv[0], strerror(errno));
	child = fork();
	if (child < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		return base_cause(cause, -err, _("Could not start %s: %s."), argv[0], strerror(err));
	}
	if (child == 0) {
		pid_t gc;
		int null;

		close(fds[0]);
		/* A session of its own: no terminal, no hangup when the operator's line drops. */
		if (setsid() < 0)
			_exit(1);
		signal(SIGHUP, SIG_IGN);
		gc = fork();
		if (gc != 0) {
			int v = gc > 0 ? gc : -errno;

			if (write(fds[1], &v, sizeof(v)) < 0)
				_exit(1);
			_exit(0);
		}
		null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		if (chdir("/") < 0)
			_exit(127);
		/* Nothing of the console's (its terminal, sockets, locks) stays open in it. */
		close_range(3, ~0U, 0);
		signal(SIGHUP, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	do
		r = read(fds[0], &got, sizeof(got));
	while (r < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (r != (ssize_t)sizeof(got) || got <= 0) {
		err = r == (ssize_t)sizeof(got) ? -got : EIO;
		return base_cause(cause, -err, _("Could not start %s: %s."), argv[0], strerror(err));
	}
	if (pid)
		*pid = got;
	return 0;
}
