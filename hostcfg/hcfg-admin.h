/* hostcfg: the running host's own settings an operator changes from the console (name, DNS, NTP, services, libvirt-guests). */
#ifndef OSPITE_HCFG_ADMIN_H
#define OSPITE_HCFG_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Every file below is read and written under a configuration root: "" for this host, or
 * $OSPITE_HOST_ROOT when set (tests point it at a tree of their own). Commands are
 * "systemctl" and "journalctl", or the programs $OSPITE_SYSTEMCTL and $OSPITE_JOURNALCTL name.
 * Functions return 0 or a negative errno with a translated sentence in *@cause.
 */
const char *hcfg_admin_root(void);
/* @rel ("/etc/hostname") under the root (malloc'd). */
char *hcfg_admin_path(const char *rel);
/* Whether the edits go to this host itself (no $OSPITE_HOST_ROOT): only then are live changes made. */
bool hcfg_admin_live(void);

/* ---- text edits: pure functions over a file's text, each returning new text (malloc'd) ---- */

/* @text with /etc/hosts' 127.0.1.1 line naming @name (and its short form), added when missing. */
char *hcfg_hosts_set_name(const char *text, const char *name);
/* The nameserver addresses of resolv.conf @text. */
int hcfg_resolv_servers(const char *text, char ***v, size_t *n);
/* @text with its nameserver lines replaced by @v, where the first one was; other lines kept. */
char *hcfg_resolv_set(const char *text, char *const *v, size_t n);
/* The servers of chrony.conf ("server"/"pool" lines) or timesyncd.conf (NTP= of [Time]). */
int hcfg_ntp_servers(const char *text, bool chrony, char ***v, size_t *n);
/* @text with those servers replaced by @v (chrony: "server X iburst" lines). */
char *hcfg_ntp_set(const char *text, bool chrony, char *const *v, size_t n);
/* The value of shell variable @key in @text (quotes removed; commented lines ignored), or NULL. */
char *hcfg_shvar_get(const char *text, const char *key);
/* @text with @key=@value: over its assignment, else under its commented example, else at the end. */
char *hcfg_shvar_set(const char *text, const char *key, const char *value);

/* Split "a, b c" into words; DNS servers must be IP addresses, NTP servers may be host names. */
int hcfg_admin_parse_servers(const char *text, bool addresses_only, size_t max, char ***v,
			     size_t *n, char **cause);
void hcfg_admin_strv_free(char **v, size_t n);

/* ---- the host's settings --------------------------------------------------------------- */

int hcfg_admin_hostname(char *buf, size_t len);
/* /etc/hostname and /etc/hosts; on this host also the running name (sethostname). */
int hcfg_admin_set_hostname(const char *name, char **cause);
int hcfg_admin_dns(char ***v, size_t *n, char **cause);
/* resolv.conf, refused when something else owns it (a link: systemd-resolved, resolvconf). */
int hcfg_admin_set_dns(char *const *v, size_t n, char **cause);

enum hcfg_ntp_kind { HCFG_NTP_NONE = 0, HCFG_NTP_TIMESYNCD, HCFG_NTP_CHRONY };
/* Which NTP client is installed: chrony when its configuration exists, else systemd-timesyncd. */
enum hcfg_ntp_kind hcfg_admin_ntp_kind(void);
const char *hcfg_admin_ntp_unit(enum hcfg_ntp_kind k);
int hcfg_admin_ntp(enum hcfg_ntp_kind k, char ***v, size_t *n, char **cause);
int hcfg_admin_set_ntp(enum hcfg_ntp_kind k, char *const *v, size_t n, char **cause);

/* What happens to running guests when the host stops (/etc/default/libvirt-guests). */
struct hcfg_guests_policy {
	bool suspend;           /* ON_SHUTDOWN=suspend (libvirt's default), else shutdown */
	unsigned timeout_s;     /* SHUTDOWN_TIMEOUT, 0 = wait for ever; libvirt's default 300 */
};
int hcfg_admin_guests_policy(struct hcfg_guests_policy *p, char **cause);
int hcfg_admin_set_guests_policy(const struct hcfg_guests_policy *p, char **cause);

/* ---- services -------------------------------------------------------------------------- */

/* "systemctl is-active @unit" / "is-enabled": its one word ("active", "inactive", "enabled"...). */
int hcfg_admin_unit_state(const char *verb, const char *unit, char *buf, size_t len);
/* systemctl @verb @unit (enable --now, disable --now, restart); the unit may be NULL (reboot). */
int hcfg_admin_systemctl(const char *verb, const char *flag, const char *unit, char **cause);
/* The last @lines lines of the host's journal (malloc'd). */
int hcfg_admin_journal(unsigned lines, char **out, char **cause);
/* The last @max lines of file @path, oldest first. */
int hcfg_admin_tail(const char *path, size_t max, char ***v, size_t *n, char **cause);

#endif
