/* The audit log: one appended line per operator action, written with a single write so lines never interleave. */
#include "audit.h"
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *audit_path;

void base_audit_set_path(const char *path)
{
	free(audit_path);
	audit_path = path ? strdup(path) : NULL;
}

const char *base_audit_path(void)
{
	const char *env = getenv("OSPITE_AUDIT_LOG");

	if (audit_path)
		return audit_path;
	return env && *env == '/' ? env : BASE_AUDIT_LOG;
}

static void clean(struct base_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char c = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;

		base_buf_add(b, &c, 1);
	}
}

/* mkdir -p of the log's folder: base/ has no hostcfg helper to call. */
static void make_dirs(const char *file)
{
	char *d = strdup(file);

	for (char *p = d ? d + 1 : NULL; p && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(d, 0750);
		*p = '/';
	}
	free(d);
}

int base_audit(const char *user, const char *tty, const char *fmt, ...)
{
	struct base_buf b = { 0 };
	char when[40], *what = NULL;
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int fd, rc = 0;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (!what)
		return -ENOMEM;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
	base_buf_printf(&b, "%s ", when);
	clean(&b, user && *user ? user : "-");
	base_buf_str(&b, " ");
	clean(&b, tty && *tty ? tty : "-");
	base_buf_str(&b, " ");
	clean(&b, what);
	base_buf_str(&b, "\n");
	free(what);
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	make_dirs(base_audit_path());
	fd = open(base_audit_path(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0 || write(fd, b.s, b.len) != (ssize_t)b.len)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(b.s);
	return rc;
}
