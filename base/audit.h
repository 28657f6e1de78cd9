/* The audit log: one line per change an operator makes to the host (time, user, terminal, what), for every feature to write to. */
#ifndef OSPITE_BASE_AUDIT_H
#define OSPITE_BASE_AUDIT_H

#define BASE_AUDIT_LOG "/var/log/ospite/audit.log"

/*
 * Where lines go: @path, or with NULL $OSPITE_AUDIT_LOG when set (tests), else BASE_AUDIT_LOG.
 * The folder is made when missing.
 */
void base_audit_set_path(const char *path);
const char *base_audit_path(void);

/*
 * Append "2024-05-01T10:02:03+0200 USER TTY WHAT" (@user and @tty "-" when empty, control
 * characters of any part as '?'). 0 or -errno; a log that cannot be written never stops the
 * change it records.
 */
int base_audit(const char *user, const char *tty, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
