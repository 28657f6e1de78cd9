/* The console's audit lines: base_audit() with the operator's terminal and remote address filled in. */
#include "vc.h"
#include "base/audit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int vc_audit(const char *user, const char *fmt, ...)
{
	char tty[64] = "", rhost[64] = "", *what = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	vc_login_tty(tty, sizeof(tty), rhost, sizeof(rhost));
	rc = *rhost ? base_audit(user, tty, "from %s: %s", rhost, what) :
		      base_audit(user, tty, "%s", what);
	free(what);
	return rc;
}
