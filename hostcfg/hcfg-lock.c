/* Edit locks: one flock'd file per guest, bridge or disk, saying who edits it, where and since when. */
#include "hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct hcfg_lock {
	int dirfd;
	int fd;
	char file[300];
};

static const char *const kind_key[] = {
	[HCFG_LOCK_GUEST] = "guest", [HCFG_LOCK_BRIDGE] = "bridge", [HCFG_LOCK_DISK] = "disk",
};

const char *hcfg_lock_dir(void)
{
	const char *d = getenv("OSPITE_LOCK_DIR");
	return d && *d == '/' ? d : HCFG_LOCK_DIR;
}

/*
 * "guest-web1", "disk-%2Fdev%2Fsdb": the object's name percent-encoded so that no name (a device
 * path, "..", a name with a newline) can point the file outside the folder or clash with another.
 */
static int lock_file(enum hcfg_lock_kind kind, const char *name, char *out, size_t len)
{
	if ((unsigned)kind >= sizeof kind_key / sizeof kind_key[0] || !name || !*name)
		return -EINVAL;
	size_t o = (size_t)snprintf(out, len, "%s-", kind_key[kind]);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			     (*p == '.' && p != (const unsigned char *)name);
		if (o + 4 >= len)
			return -ENAMETOOLONG;
		if (plain)
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, len - o, "%%%02X", *p);
	}
	out[o] = '\0';
	return 0;
}

/* Open (creating) the lock folder without following a link planted in its place. */
static int open_dir(const char *dir, bool create, char **cause)
{
	if (create) {
		char *parent = strdup(dir);
		if (!parent)
			return -ENOMEM;
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			int rc = hcfg_mkdirs(parent, cause);
			if (rc < 0) {
				free(parent);
				return rc;
			}
		}
		free(parent);
		/* Only whoever runs the console (root on a host) may create or replace locks. */
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return base_cause(cause, -errno, _("Cannot create the lock folder %s: %s."), dir,
					  strerror(errno));
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && !create ? -ENOENT :
		       base_cause(cause, -errno, _("Cannot open the lock folder %s: %s."), dir,
				  strerror(errno));
	return fd;
}

/* Parse what a holder wrote; a file being written at this moment may still be empty. */
static void read_holder(int fd, struct hcfg_lock_holder *h)
{
	memset(h, 0, sizeof *h);
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "user"))
			snprintf(h->user, sizeof h->user, "%s", eq);
		else if (!strcmp(line, "tty"))
			snprintf(h->tty, sizeof h->tty, "%s", eq);
		else if (!strcmp(line, "pid"))
			h->pid = (pid_t)strtol(eq, NULL, 10);
		else if (!strcmp(line, "since"))
			h->since = (time_t)strtoll(eq, NULL, 10);
	}
	/* What another process wrote is shown on screen: keep it printable. */
	for (char *s = h->user; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	for (char *s = h->tty; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

char *hcfg_lock_describe(const char *name, const struct hcfg_lock_holder *h)
{
	char when[16] = "?";
	struct tm tm;
	if (h->since > 0 && localtime_r(&h->since, &tm))
		strftime(when, sizeof when, "%H:%M", &tm);
	char *s = NULL;
	const char *user = *h->user ? h->user : _("another operator");
	int rc = *h->tty ? asprintf(&s, _("%s is being edited by %s on %s since %s."), name, user,
				    h->tty, when) :
			   asprintf(&s, _("%s is being edited by %s since %s."), name, user, when);
	return rc < 0 ? NULL : s;
}

int hcfg_lock_who(const char *dir, enum hcfg_lock_kind kind, const char *name,
		  struct hcfg_lock_holder *holder)
{
	char file[300];
	int rc = lock_file(kind, name, file, sizeof file);
	if (rc < 0)
		return rc;
	int dfd = open_dir(dir ? dir : hcfg_lock_dir(), false, NULL);
	if (dfd < 0)
		return dfd;
	int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	if (fd < 0)
		return -ENOENT;
	/* A shared probe: it succeeds only when nobody holds the lock. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		close(fd);
		return -ENOENT;
	}
	read_holder(fd, holder);
	close(fd);
	return 0;
}

int hcfg_lock_take(const char *dir, enum hcfg_lock_kind kind, const char *name, const char *user,
		   const char *tty, struct hcfg_lock **out, struct hcfg_lock_holder *holder,
		   char **cause)
{
	*out = NULL;
	struct hcfg_lock *lk = calloc(1, sizeof *lk);
	if (!lk)
		return -ENOMEM;
	lk->fd = -1;
	int rc = lock_file(kind, name, lk->file, sizeof lk->file);
	if (rc < 0) {
		free(lk);
		return base_cause(cause, rc, _("Cannot lock %s: the name is not usable."), name);
	}
	lk->dirfd = open_dir(dir ? dir : hcfg_lock_dir(), true, cause);
	if (lk->dirfd < 0) {
		rc = lk->dirfd;
		free(lk);
		return rc;
	}
	/* A holder that releases unlinks the file: retry until the file locked is the one named. */
	for (int tries = 0; tries < 20; tries++) {
		int fd = openat(lk->dirfd, lk->file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			rc = base_cause(cause, -errno, _("Cannot open the lock of %s: %s."), name,
					strerror(errno));
			goto fail;
		}
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			rc = base_cause(cause, -EINVAL, _("The lock of %s is not a regular file."), name);
			goto fail;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			struct hcfg_lock_holder h;
			/* The holder may be between creating and filling the file: give it a moment. */
			for (int i = 0; i < 10; i++) {
				read_holder(fd, &h);
				if (h.pid)
					break;
				struct timespec ts = {0, 10 * 1000 * 1000};
				nanosleep(&ts, NULL);
			}
			close(fd);
			if (holder)
				*holder = h;
			if (cause) {
				free(*cause);
				*cause = hcfg_lock_describe(name, &h);
			}
			rc = -EBUSY;
			goto fail;
		}
		struct stat now;
		if (fstatat(lk->dirfd, lk->file, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
			lk->fd = fd;
			break;
		}
		close(fd);   /* locked a file that its last holder had just removed */
	}
	if (lk->fd < 0) {
		rc = base_cause(cause, -EAGAIN, _("Cannot lock %s: its lock keeps changing."), name);
		goto fail;
	}
	char text[256];
	int len = snprintf(text, sizeof text, "user=%s\ntty=%s\npid=%ld\nsince=%lld\n",
			   user ? user : "", tty ? tty : "", (long)getpid(), (long long)time(NULL));
	if (ftruncate(lk->fd, 0) < 0 || pwrite(lk->fd, text, (size_t)len, 0) != len) {
		rc = base_cause(cause, -errno, _("Cannot write the lock of %s: %s."), name,
				strerror(errno));
		hcfg_lock_release(lk);
		return rc;
	}
	*out = lk;
	return 0;
fail:
	close(lk->dirfd);
	free(lk);
	return rc;
}

void hcfg_lock_release(struct hcfg_lock *lk)
{
	if (!lk)
		return;
	if (lk->fd >= 0) {
		/* Unlink while still holding it: a waiter that opened this file retries on the new one. */
		unlinkat(lk->dirfd, lk->file, 0);
		close(lk->fd);
	}
	close(lk->dirfd);
	free(lk);
}
