/* Small helpers every hostcfg module needs: error causes, running commands, atomic files. */
#include "hcfg.h"
#include "../tui/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int hcfg_cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (!cause)
		return err;
	free(*cause);
	*cause = NULL;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	va_end(ap);
	return err;
}

void hcfg_buf_add(struct hcfg_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void hcfg_buf_str(struct hcfg_buf *b, const char *s)
{
	hcfg_buf_add(b, s, strlen(s));
}

void hcfg_buf_vprintf(struct hcfg_buf *b, const char *fmt, va_list ap)
{
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);

	if (n < 0) {
		b->oom = true;
		return;
	}
	hcfg_buf_add(b, s, n);
	free(s);
}

void hcfg_buf_printf(struct hcfg_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hcfg_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static void log_argv(int logfd, const char *const argv[])
{
	if (logfd < 0)
		return;
	dprintf(logfd, "+");
	for (size_t i = 0; argv[i]; i++)
		dprintf(logfd, " %s", argv[i]);
	dprintf(logfd, "\n");
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
	/* A pipe holds 64 KiB by default; make sure it takes all of it without a reader. */
	if (len > 4096)
		fcntl(p[1], F_SETPIPE_SZ, 65536);
	while (off < len) {
		ssize_t w = write(p[1], input + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = errno;

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

/* Fork and exec @argv; the child's stdout goes to @outfd (or the log), its stdin reads @input. */
static int spawn_wait(const char *const argv[], int logfd, int outfd, const char *input,
		      char **cause)
{
	pid_t pid;
	int status, in = -1;

	log_argv(logfd, argv);
	if (input && (in = input_pipe(input)) < 0)
		return hcfg_cause(cause, -errno, _("Could not start %s: %s."), argv[0],
				  strerror(errno));
	pid = fork();
	if (pid < 0) {
		int err = errno;

		if (in >= 0)
			close(in);
		return hcfg_cause(cause, -err, _("Could not start %s: %s."), argv[0],
				  strerror(err));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		int err = logfd >= 0 ? logfd : null;

		dup2(in >= 0 ? in : null, 0);
		dup2(outfd >= 0 ? outfd : err, 1);
		dup2(err, 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (in >= 0)
		close(in);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return hcfg_cause(cause, -errno, _("Could not wait for %s: %s."), argv[0],
					  strerror(errno));
	}
	if (WIFSIGNALED(status)) {
		if (logfd >= 0)
			dprintf(logfd, "%s: killed by signal %d\n", argv[0], WTERMSIG(status));
		return hcfg_cause(cause, -EINTR, _("%s was killed by signal %d."), argv[0],
				  WTERMSIG(status));
	}
	if (WEXITSTATUS(status) == 127)
		return hcfg_cause(cause, -ENOENT, _("The program %s could not be run."), argv[0]);
	if (logfd >= 0 && WEXITSTATUS(status))
		dprintf(logfd, "%s: exit status %d\n", argv[0], WEXITSTATUS(status));
	if (WEXITSTATUS(status))
		hcfg_cause(cause, 0, _("%s failed with exit status %d."), argv[0],
			   WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

int hcfg_private_mounts(char **cause)
{
	if (unshare(CLONE_NEWNS) < 0)
		return hcfg_cause(cause, -errno, _("Could not make a mount namespace of its own: %s."),
				  strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return hcfg_cause(cause, -errno, _("Could not make a mount namespace of its own: %s."),
				  strerror(errno));
	return 0;
}

int hcfg_run(const char *const argv[], int logfd, char **cause)
{
	return spawn_wait(argv, logfd, -1, NULL, cause);
}

int hcfg_run_input(const char *const argv[], int logfd, const char *input, char **cause)
{
	return spawn_wait(argv, logfd, -1, input, cause);
}

int hcfg_run_capture(const char *const argv[], int logfd, char **out, char **cause)
{
	/* A file in memory: no name in a shared directory for anyone else to race for. */
	int fd = memfd_create("ospite-out", MFD_CLOEXEC);
	int rc;

	*out = NULL;
	if (fd < 0)
		return hcfg_cause(cause, -errno, _("Could not create a temporary file: %s."),
				  strerror(errno));
	rc = spawn_wait(argv, logfd, fd, NULL, cause);
	if (rc >= 0) {
		off_t len = lseek(fd, 0, SEEK_END);
		char *buf = malloc(len + 1);

		if (!buf || pread(fd, buf, len, 0) != len) {
			free(buf);
			close(fd);
			return hcfg_cause(cause, -EIO, _("Could not read the output of %s."), argv[0]);
		}
		buf[len] = '\0';
		*out = buf;
	}
	close(fd);
	return rc;
}

int hcfg_write_file(const char *path, const char *data, unsigned mode, char **cause)
{
	char tmp[PATH_MAX];
	size_t len = strlen(data), off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.ospite-new", path) >= (int)sizeof(tmp))
		return hcfg_cause(cause, -ENAMETOOLONG, _("The path %s is too long."), path);
	/*
	 * The temporary name is new and ours: a file or symbolic link left there
	 * (a crash, or someone else's doing) is removed, never written through.
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return hcfg_cause(cause, -errno, _("Could not write %s: %s."), path, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	/* The rename itself must reach the disk too, or a power cut may undo it. */
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
fail:;
	int err = errno;

	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return hcfg_cause(cause, -err, _("Could not write %s: %s."), path, strerror(err));
}

int hcfg_read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	int err;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (r < 0) {
		buf[0] = '\0';
		return -err;
	}
	buf[r] = '\0';
	r = strcspn(buf, "\n");
	/* Drive models come padded with blanks. */
	while (r > 0 && (buf[r - 1] == ' ' || buf[r - 1] == '\t'))
		r--;
	buf[r] = '\0';
	return 0;
}

long long hcfg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *hcfg_which(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *full = NULL;

		if (asprintf(&full, "%s/%s", dir, name) < 0)
			break;
		if (access(full, X_OK) == 0)
			found = full;
		else
			free(full);
	}
	free(copy);
	return found;
}

int hcfg_mkdirs(const char *path, char **cause)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return hcfg_cause(cause, -ENAMETOOLONG, _("The path %s is too long."), path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return hcfg_cause(cause, -errno, _("Could not create the directory %s: %s."),
					  buf, strerror(errno));
		*p = c;
		if (!c)
			return 0;
	}
}

int hcfg_read_file(const char *path, char **data, char **cause)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	*data = NULL;
	if (!f)
		return hcfg_cause(cause, -errno, _("Could not read %s: %s."), path, strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
			}
			buf = nb;
			cap += 65536;
		}
		size_t r = fread(buf + len, 1, cap - len - 1, f);

		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int err = errno;

		free(buf);
		fclose(f);
		return hcfg_cause(cause, -err, _("Could not read %s: %s."), path, strerror(err));
	}
	fclose(f);
	buf[len] = '\0';
	*data = buf;
	return 0;
}

/* Here rather than in hcfg-nic.c, so that the answer-file parser needs no libnl. */
bool hcfg_ifname_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len >= IF_NAMESIZE || name[0] == '-' || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isascii((unsigned char)name[i]) ||
		    !(isalnum((unsigned char)name[i]) || strchr("_.-", name[i])))
			return false;
	return true;
}
