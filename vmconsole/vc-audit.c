/* The console's audit log: one line per thing an operator did, who, where and when, appended to /var/log/ospite/audit.log. */
#include "vc.h"
#include "hostcfg/hcfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *vc_audit_path(void)
{
	const char *p = getenv("OSPITE_AUDIT_LOG");

	return p && *p == '/' ? p : VC_AUDIT_LOG;
}

int vc_audit(const char *user, const char *fmt, ...)
{
	char tty[64] = "", rhost[64] = "", when[32], *what = NULL, *line = NULL, *dir;
	const char *path = vc_audit_path();
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int fd, rc = 0, len;

	va_start(ap, fmt);
	len = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -ENOMEM;
	/* One event, one line: whatever a name held, it cannot forge a second entry. */
	for (char *p = what; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	vc_login_tty(tty, sizeof(tty), rhost, sizeof(rhost));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	len = asprintf(&line, "%s user=%s tty=%s%s%s pid=%ld %s\n", when,
		       user && *user ? user : "?", *tty ? tty : "-", *rhost ? " from=" : "", rhost,
		       (long)getpid(), what);
	free(what);
	if (len < 0)
		return -ENOMEM;
	dir = strdup(path);
	if (dir && strrchr(dir, '/') && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		hcfg_mkdirs(dir, NULL);
	}
	free(dir);
	/* O_APPEND keeps lines from two consoles whole; the log is root's to read. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		rc = -errno;
	else {
		if (write(fd, line, (size_t)len) != len)
			rc = -EIO;
		close(fd);
	}
	free(line);
	return rc;
}
