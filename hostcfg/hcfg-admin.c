/* The running host's own settings: text edits of its files (kept apart so they can be unit-tested) and the service commands. */
#include "hcfg-admin.h"
#include "hcfg.h"
#include "hcfg-target.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GUESTS_DEFAULTS "/etc/default/libvirt-guests"

const char *hcfg_admin_root(void)
{
	const char *r = getenv("OSPITE_HOST_ROOT");

	return r && *r ? r : "";
}

bool hcfg_admin_live(void)
{
	return !*hcfg_admin_root();
}

char *hcfg_admin_path(const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s%s", hcfg_admin_root(), rel) < 0)
		return NULL;
	return p;
}

void hcfg_admin_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int strv_push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* ---- line helpers ------------------------------------------------------------------------ */

/* The first word of line @p (up to @end) after blanks: its start and length. */
static const char *word(const char *p, const char *end, size_t *len)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*len = 0;
	while (p + *len < end && !isspace((unsigned char)p[*len]))
		(*len)++;
	return p;
}

static bool word_is(const char *w, size_t len, const char *s)
{
	return len == strlen(s) && !strncmp(w, s, len);
}

/* Calls @fn on each line of @text (without its newline) until it returns nonzero. */
#define FOR_LINES(text, p, end) \
	for (const char *p = (text), *end; *p && ((end = strchrnul(p, '\n')), 1); \
	     p = *end ? end + 1 : end)

char *hcfg_hosts_set_name(const char *text, const char *name)
{
	struct base_buf b = { 0 };
	char shortname[256];
	bool done = false;

	snprintf(shortname, sizeof(shortname), "%.*s", (int)strcspn(name, "."), name);
	FOR_LINES(text, p, end) {
		size_t len;
		const char *w = word(p, end, &len);

		if (word_is(w, len, "127.0.1.1")) {
			if (!done) {
				/* The Debian convention: the host's own name resolves without DNS. */
				if (strcmp(shortname, name))
					base_buf_printf(&b, "127.0.1.1\t%s %s\n", name, shortname);
				else
					base_buf_printf(&b, "127.0.1.1\t%s\n", name);
			}
			done = true;
			continue;
		}
		base_buf_add(&b, p, end - p);
		base_buf_str(&b, "\n");
	}
	if (!done) {
		if (strcmp(shortname, name))
			base_buf_printf(&b, "127.0.1.1\t%s %s\n", name, shortname);
		else
			base_buf_printf(&b, "127.0.1.1\t%s\n", name);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

/* The second word of lines whose first word is one of @keys. */
static int second_words(const char *text, const char *const *keys, char ***v, size_t *n)
{
	*v = NULL;
	*n = 0;
	FOR_LINES(text, p, end) {
		size_t len, l2;
		const char *w = word(p, end, &len), *w2;
		bool match = false;

		for (size_t k = 0; keys[k]; k++)
			match = match || word_is(w, len, keys[k]);
		if (!match)
			continue;
		w2 = word(w + len, end, &l2);
		if (l2 && strv_push(v, n, w2, l2) < 0) {
			hcfg_admin_strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * @text with every line whose first word is one of @keys dropped and @pre V @post for each of @v put
 * where the first such line was (at the end when there was none).
 */
static char *replace_lines(const char *text, const char *const *keys, const char *pre,
			   const char *post, char *const *v, size_t n)
{
	struct base_buf b = { 0 };
	bool done = false;

	FOR_LINES(text, p, end) {
		size_t len;
		const char *w = word(p, end, &len);
		bool match = false;

		for (size_t k = 0; keys[k]; k++)
			match = match || word_is(w, len, keys[k]);
		if (!match) {
			base_buf_add(&b, p, end - p);
			base_buf_str(&b, "\n");
			continue;
		}
		for (size_t i = 0; !done && i < n; i++)
			base_buf_printf(&b, "%s%s%s\n", pre, v[i], post);
		done = true;
	}
	for (size_t i = 0; !done && i < n; i++)
		base_buf_printf(&b, "%s%s%s\n", pre, v[i], post);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s ? b.s : strdup("");
}

static const char *const resolv_keys[] = { "nameserver", NULL };
static const char *const chrony_keys[] = { "server", "pool", NULL };

int hcfg_resolv_servers(const char *text, char ***v, size_t *n)
{
	return second_words(text, resolv_keys, v, n);
}

char *hcfg_resolv_set(const char *text, char *const *v, size_t n)
{
	return replace_lines(text, resolv_keys, "nameserver ", "", v, n);
}

/* The NTP= line of [Time] in timesyncd.conf: its start and end, or NULL; *@time_end: where [Time] ends. */
static const char *timesyncd_line(const char *text, const char **line_end, const char **time_end)
{
	bool in_time = false;
	const char *found = NULL;

	*time_end = NULL;
	FOR_LINES(text, p, end) {
		size_t len;
		const char *w = word(p, end, &len);

		if (len && *w == '[') {
			if (in_time && !*time_end)
				*time_end = p;
			in_time = word_is(w, len, "[Time]");
			continue;
		}
		if (in_time && !found && !strncmp(w, "NTP=", 4)) {
			found = p;
			*line_end = end;
		}
	}
	return found;
}

int hcfg_ntp_servers(const char *text, bool chrony, char ***v, size_t *n)
{
	const char *line, *lend, *tend;

	if (chrony)
		return second_words(text, chrony_keys, v, n);
	*v = NULL;
	*n = 0;
	line = timesyncd_line(text, &lend, &tend);
	if (!line)
		return 0;
	line = strchr(line, '=') + 1;
	while (line < lend) {
		size_t len;
		const char *w = word(line, lend, &len);

		if (!len)
			break;
		if (strv_push(v, n, w, len) < 0) {
			hcfg_admin_strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			return -ENOMEM;
		}
		line = w + len;
	}
	return 0;
}

char *hcfg_ntp_set(const char *text, bool chrony, char *const *v, size_t n)
{
	struct base_buf b = { 0 };
	const char *line, *lend = NULL, *tend = NULL;

	if (chrony)
		return replace_lines(text, chrony_keys, "server ", " iburst", v, n);
	line = timesyncd_line(text, &lend, &tend);
	if (line) {
		base_buf_add(&b, text, line - text);
	} else if (strstr(text, "[Time]")) {
		/* Right under the heading of [Time]. */
		const char *h = strstr(text, "[Time]"), *e = strchrnul(h, '\n');

		base_buf_add(&b, text, e - text);
		base_buf_str(&b, "\n");
		lend = *e ? e : e;
		line = e;
	} else {
		base_buf_str(&b, text);
		if (b.len && b.s[b.len - 1] != '\n')
			base_buf_str(&b, "\n");
		base_buf_str(&b, "[Time]\n");
		lend = line = text + strlen(text);
	}
	base_buf_str(&b, "NTP=");
	for (size_t i = 0; i < n; i++)
		base_buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	base_buf_str(&b, "\n");
	if (*lend)
		base_buf_str(&b, lend + 1);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* The assignment of @key on line @p: the value's start, or NULL. */
static const char *shvar_value(const char *p, const char *end, const char *key, bool commented)
{
	size_t kl = strlen(key);

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (commented) {
		if (p >= end || *p != '#')
			return NULL;
		p++;
	}
	if ((size_t)(end - p) <= kl || strncmp(p, key, kl) || p[kl] != '=')
		return NULL;
	return p + kl + 1;
}

char *hcfg_shvar_get(const char *text, const char *key)
{
	char *val = NULL;

	FOR_LINES(text, p, end) {
		const char *v = shvar_value(p, end, key, false);
		size_t len;

		if (!v)
			continue;
		/* The last assignment wins, as when the shell reads the file. */
		free(val);
		len = end - v;
		if (len >= 2 && (*v == '"' || *v == '\'')) {
			const char *q = memchr(v + 1, *v, len - 1);

			len = q ? (size_t)(q - v - 1) : len - 1;
			v++;
		} else {
			len = strcspn(v, " \t#\n");
		}
		val = strndup(v, len);
	}
	return val;
}

char *hcfg_shvar_set(const char *text, const char *key, const char *value)
{
	struct base_buf b = { 0 };
	const char *at = NULL, *at_end = NULL;
	bool live = false;

	FOR_LINES(text, p, end) {
		if (shvar_value(p, end, key, false)) {
			at = p;
			at_end = end;
			live = true;
		} else if (!live && !at && shvar_value(p, end, key, true)) {
			at = p;
			at_end = end;
		}
	}
	if (at && live) {
		base_buf_add(&b, text, at - text);
		base_buf_printf(&b, "%s=%s\n", key, value);
	} else if (at) {
		/* Under the example, which stays for the record of the default. */
		base_buf_add(&b, text, at_end - text);
		base_buf_printf(&b, "\n%s=%s\n", key, value);
	} else {
		base_buf_str(&b, text);
		if (b.len && b.s[b.len - 1] != '\n')
			base_buf_str(&b, "\n");
		base_buf_printf(&b, "%s=%s\n", key, value);
		at_end = text + strlen(text);
	}
	if (*at_end && at_end[1])
		base_buf_str(&b, at_end + 1);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int hcfg_admin_parse_servers(const char *text, bool addresses_only, size_t max, char ***v,
			     size_t *n, char **cause)
{
	const char *p = text;

	*v = NULL;
	*n = 0;
	while (*p) {
		size_t len = strcspn(p, " \t,;");
		char w[256];
		unsigned char bin[16];

		if (!len) {
			p++;
			continue;
		}
		if (len >= sizeof(w)) {
			hcfg_admin_strv_free(*v, *n);
			return base_cause(cause, -EINVAL, _("\"%.40s...\" is too long for a server."), p);
		}
		memcpy(w, p, len);
		w[len] = '\0';
		if (inet_pton(AF_INET, w, bin) != 1 && inet_pton(AF_INET6, w, bin) != 1 &&
		    (addresses_only || hcfg_hostname_valid(w, NULL) < 0)) {
			hcfg_admin_strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			return base_cause(cause, -EINVAL, addresses_only ?
					  _("\"%s\" is not an IPv4 or IPv6 address.") :
					  _("\"%s\" is neither an IP address nor a host name."), w);
		}
		if (*n == max) {
			hcfg_admin_strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			return base_cause(cause, -E2BIG, P_("At most %zu server can be given.",
							    "At most %zu servers can be given.", max),
					  max);
		}
		if (strv_push(v, n, w, len) < 0) {
			hcfg_admin_strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
		p += len;
	}
	return 0;
}

/* ---- files of the host -------------------------------------------------------------------- */

/* Read @rel under the root; a missing file reads as "" when @missing_ok. */
static int read_rel(const char *rel, bool missing_ok, char **text, char **cause)
{
	char *path = hcfg_admin_path(rel);
	int rc;

	*text = NULL;
	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_read_file(path, text, NULL);
	if (rc == -ENOENT && missing_ok) {
		*text = strdup("");
		rc = *text ? 0 : -ENOMEM;
	} else if (rc < 0) {
		base_cause(cause, rc, _("Could not read %s: %s."), path, strerror(-rc));
	}
	free(path);
	return rc;
}

/* Write @text (taken over; NULL = out of memory) to @rel under the root, atomically. */
static int write_rel(const char *rel, char *text, char **cause)
{
	char *path = hcfg_admin_path(rel);
	int rc;

	if (!path || !text)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	else
		rc = hcfg_write_file(path, text, 0644, cause);
	free(path);
	free(text);
	return rc;
}

int hcfg_admin_hostname(char *buf, size_t len)
{
	char *path = hcfg_admin_path("/etc/hostname");
	int rc = path ? hcfg_read_line(path, buf, len) : -ENOMEM;

	free(path);
	if (rc < 0 && hcfg_admin_live())
		rc = gethostname(buf, len) < 0 ? -errno : 0;
	return rc;
}

int hcfg_admin_set_hostname(const char *name, char **cause)
{
	char *hosts = NULL, *line = NULL;
	int rc = hcfg_hostname_valid(name, cause);

	if (rc < 0)
		return rc;
	if ((rc = read_rel("/etc/hosts", true, &hosts, cause)) < 0)
		return rc;
	if (asprintf(&line, "%s\n", name) < 0)
		line = NULL;
	rc = write_rel("/etc/hostname", line, cause);
	if (rc == 0)
		rc = write_rel("/etc/hosts", hcfg_hosts_set_name(hosts, name), cause);
	free(hosts);
	if (rc == 0 && hcfg_admin_live() && sethostname(name, strlen(name)) < 0)
		rc = base_cause(cause, -errno,
				_("The name is saved for the next boot, but the running host could not take it: %s."),
				strerror(errno));
	return rc;
}

int hcfg_admin_dns(char ***v, size_t *n, char **cause)
{
	char *text = NULL;
	int rc = read_rel("/etc/resolv.conf", true, &text, cause);

	*v = NULL;
	*n = 0;
	if (rc == 0 && hcfg_resolv_servers(text, v, n) < 0)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	free(text);
	return rc;
}

int hcfg_admin_set_dns(char *const *v, size_t n, char **cause)
{
	char *path = hcfg_admin_path("/etc/resolv.conf"), *text = NULL;
	struct stat st;
	int rc;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	/* A link means a resolver daemon writes the file: an edit would be lost at its next write. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		rc = base_cause(cause, -EPERM,
				_("%s is a link that another program (systemd-resolved or resolvconf) keeps: change the DNS servers there."),
				path);
		free(path);
		return rc;
	}
	free(path);
	rc = read_rel("/etc/resolv.conf", true, &text, cause);
	if (rc == 0)
		rc = write_rel("/etc/resolv.conf", hcfg_resolv_set(text, v, n), cause);
	free(text);
	return rc;
}

static const char *ntp_conf(enum hcfg_ntp_kind k)
{
	return k == HCFG_NTP_CHRONY ? "/etc/chrony/chrony.conf" : "/etc/systemd/timesyncd.conf";
}

enum hcfg_ntp_kind hcfg_admin_ntp_kind(void)
{
	char *c = hcfg_admin_path("/etc/chrony/chrony.conf");
	char *t = hcfg_admin_path("/etc/systemd/timesyncd.conf");
	char *b = hcfg_admin_path("/lib/systemd/systemd-timesyncd");
	enum hcfg_ntp_kind k = HCFG_NTP_NONE;

	if (c && access(c, F_OK) == 0)
		k = HCFG_NTP_CHRONY;
	else if ((t && access(t, F_OK) == 0) || (b && access(b, F_OK) == 0))
		k = HCFG_NTP_TIMESYNCD;
	free(c);
	free(t);
	free(b);
	return k;
}

const char *hcfg_admin_ntp_unit(enum hcfg_ntp_kind k)
{
	return k == HCFG_NTP_CHRONY ? "chrony.service" : "systemd-timesyncd.service";
}

int hcfg_admin_ntp(enum hcfg_ntp_kind k, char ***v, size_t *n, char **cause)
{
	char *text = NULL;
	int rc = read_rel(ntp_conf(k), true, &text, cause);

	*v = NULL;
	*n = 0;
	if (rc == 0 && hcfg_ntp_servers(text, k == HCFG_NTP_CHRONY, v, n) < 0)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	free(text);
	return rc;
}

int hcfg_admin_set_ntp(enum hcfg_ntp_kind k, char *const *v, size_t n, char **cause)
{
	char *text = NULL;
	int rc;

	if (k == HCFG_NTP_NONE)
		return base_cause(cause, -ENOENT,
				  _("No NTP client is installed: neither chrony nor systemd-timesyncd."));
	rc = read_rel(ntp_conf(k), true, &text, cause);
	if (rc == 0)
		rc = write_rel(ntp_conf(k), hcfg_ntp_set(text, k == HCFG_NTP_CHRONY, v, n), cause);
	free(text);
	return rc;
}

int hcfg_admin_guests_policy(struct hcfg_guests_policy *p, char **cause)
{
	char *text = NULL, *on, *to;
	unsigned long t;
	int rc = read_rel(GUESTS_DEFAULTS, true, &text, cause);

	/* libvirt-guests' own defaults, when the file says nothing. */
	p->suspend = true;
	p->timeout_s = 300;
	if (rc < 0)
		return rc;
	on = hcfg_shvar_get(text, "ON_SHUTDOWN");
	to = hcfg_shvar_get(text, "SHUTDOWN_TIMEOUT");
	if (on)
		p->suspend = strcmp(on, "shutdown") != 0;
	if (to && *to && strspn(to, "0123456789") == strlen(to) && (t = strtoul(to, NULL, 10)) < 86400)
		p->timeout_s = t;
	free(on);
	free(to);
	free(text);
	return 0;
}

int hcfg_admin_set_guests_policy(const struct hcfg_guests_policy *p, char **cause)
{
	char *text = NULL, *a, *b, num[16];
	int rc = read_rel(GUESTS_DEFAULTS, true, &text, cause);

	if (rc < 0)
		return rc;
	snprintf(num, sizeof(num), "%u", p->timeout_s);
	a = hcfg_shvar_set(text, "ON_SHUTDOWN", p->suspend ? "suspend" : "shutdown");
	b = a ? hcfg_shvar_set(a, "SHUTDOWN_TIMEOUT", num) : NULL;
	free(a);
	free(text);
	return write_rel(GUESTS_DEFAULTS, b, cause);
}

/* ---- commands ----------------------------------------------------------------------------- */

static const char *prog(const char *env, const char *dflt)
{
	const char *p = getenv(env);

	return p && *p ? p : dflt;
}

int hcfg_admin_unit_state(const char *verb, const char *unit, char *buf, size_t len)
{
	const char *argv[] = { prog("OSPITE_SYSTEMCTL", "systemctl"), verb, "--", unit, NULL };
	char *out = NULL;
	int rc = base_run_capture(argv, -1, &out, NULL);

	/* is-active and is-enabled answer with a word and an exit status; the word is what counts. */
	snprintf(buf, len, "%.*s", out ? (int)strcspn(out, "\n") : 0, out ? out : "");
	free(out);
	return rc < 0 ? rc : 0;
}

int hcfg_admin_systemctl(const char *verb, const char *flag, const char *unit, char **cause)
{
	const char *argv[6];
	char *why = NULL;
	int n = 0, rc;

	argv[n++] = prog("OSPITE_SYSTEMCTL", "systemctl");
	argv[n++] = verb;
	if (flag)
		argv[n++] = flag;
	if (unit) {
		argv[n++] = "--";
		argv[n++] = unit;
	}
	argv[n] = NULL;
	rc = base_run(argv, -1, &why);
	if (rc != 0) {
		base_cause(cause, rc < 0 ? rc : -EIO, unit ? _("systemctl %s %s failed: %s") :
			   _("systemctl %s failed: %s%s"), verb, unit ? unit : "",
			   why ? why : "");
		rc = rc < 0 ? rc : -EIO;
	}
	free(why);
	return rc;
}

int hcfg_admin_journal(unsigned lines, char **out, char **cause)
{
	char n[16], *why = NULL;
	const char *argv[] = { prog("OSPITE_JOURNALCTL", "journalctl"), "--no-pager", "-q",
			       "-o", "short", "-n", n, NULL };
	int rc;

	snprintf(n, sizeof(n), "%u", lines);
	rc = base_run_capture(argv, -1, out, &why);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		base_cause(cause, rc < 0 ? rc : -EIO, _("The host log cannot be read: %s"),
			   why ? why : "");
		rc = rc < 0 ? rc : -EIO;
	}
	free(why);
	return rc;
}

int hcfg_admin_tail(const char *path, size_t max, char ***v, size_t *n, char **cause)
{
	char *text = NULL, *why = NULL;
	size_t total = 0, skip;
	int rc = hcfg_read_file(path, &text, &why);

	*v = NULL;
	*n = 0;
	/* No log yet: nothing was done. */
	if (rc == -ENOENT) {
		free(why);
		return 0;
	}
	if (rc < 0) {
		if (cause)
			*cause = why;
		else
			free(why);
		return rc;
	}
	FOR_LINES(text, p, end)
		total++;
	skip = total > max ? total - max : 0;
	FOR_LINES(text, p, end) {
		if (skip) {
			skip--;
			continue;
		}
		if (strv_push(v, n, p, end - p) < 0) {
			hcfg_admin_strv_free(*v, *n);
			*v = NULL;
			*n = 0;
			free(text);
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
	}
	free(text);
	return 0;
}
