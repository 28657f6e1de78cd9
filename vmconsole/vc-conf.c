/* The console's settings file, /etc/ospite/console.conf: read at start, written from the Settings screen. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

void vc_conf_init(struct vc_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->idle_timeout = VC_IDLE_DEFAULT;
	c->migrate_reserve_mib = VC_RESERVE_DEFAULT;
	c->shutdown_timeout = VC_SHUTDOWN_DEFAULT;
	snprintf(c->vnc_listen, sizeof(c->vnc_listen), "127.0.0.1");
}

const char *vc_conf_host(const struct vc_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_hosts; i++)
		if (!strcmp(c->hosts[i].name, name))
			return c->hosts[i].uri;
	return NULL;
}

int vc_check_host_entry(const char *name, const char *uri, const struct vc_conf *c, char **cause)
{
	const char *sep;

	if (!*name || strlen(name) >= sizeof(c->hosts[0].name) || !isalnum((unsigned char)*name))
		return base_cause(cause, -EINVAL,
				  _("A host's name must start with a letter or a digit and be shorter than 64 characters."));
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return base_cause(cause, -EINVAL,
					  _("The host name \"%s\" may hold only letters, digits, '-', '_' and '.'."),
					  name);
	sep = strstr(uri, "://");
	if (!sep || sep == uri || strlen(uri) >= sizeof(c->hosts[0].uri))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a libvirt URI such as qemu+ssh://root@host2/system."),
				  uri);
	for (const char *p = uri; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return base_cause(cause, -EINVAL,
					  _("A libvirt URI cannot hold blanks or control characters."));
	for (const char *p = uri; p < sep; p++)
		if (!isalnum((unsigned char)*p) && *p != '+')
			return base_cause(cause, -EINVAL,
					  _("\"%s\" is not a libvirt URI such as qemu+ssh://root@host2/system."),
					  uri);
	if (vc_conf_host(c, name))
		return base_cause(cause, -EEXIST, _("There is already a host named %s."), name);
	return 0;
}

int vc_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		if (v > (max - (*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int vc_conf_parse(const char *text, struct vc_conf *c, char **cause)
{
	char *copy = strdup(text ? text : ""), *save = NULL, *line;
	unsigned lineno = 0;
	bool hosts = false;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	/* strtok_r would skip empty lines and so miscount them. */
	for (line = copy; line && rc == 0; line = save) {
		char *nl = strchr(line, '\n'), *eq, *key, *val;
		unsigned long long v;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		if (*key == '[') {
			if (strcmp(key, "[hosts]") != 0) {
				rc = base_cause(cause, -EINVAL, _("Line %u: unknown section %s."), lineno,
						key);
				break;
			}
			hosts = true;
			continue;
		}
		eq = strchr(key, '=');
		if (!eq) {
			rc = base_cause(cause, -EINVAL, _("Line %u of the settings is not key=value."),
					lineno);
			break;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		if (hosts) {
			char *why = NULL;

			if (c->n_hosts == VC_MAX_HOSTS) {
				rc = base_cause(cause, -E2BIG, _("Line %u: more than %d hosts."), lineno,
						VC_MAX_HOSTS);
			} else if (vc_check_host_entry(key, val, c, &why) < 0) {
				rc = base_cause(cause, -EINVAL, _("Line %u: %s"), lineno, why ? why : "");
			} else {
				struct vc_host_entry *h = &c->hosts[c->n_hosts++];

				snprintf(h->name, sizeof(h->name), "%s", key);
				snprintf(h->uri, sizeof(h->uri), "%s", val);
			}
			free(why);
		} else if (!strcmp(key, "migrate_reserve_mib")) {
			if (vc_parse_uint(val, 1ull << 30, &v) < 0)
				rc = base_cause(cause, -EINVAL,
						_("Line %u: migrate_reserve_mib must be a number of MiB, not \"%s\"."),
						lineno, val);
			else
				c->migrate_reserve_mib = v;
		} else if (!strcmp(key, "shutdown_timeout")) {
			if (vc_parse_uint(val, 3600, &v) < 0 || v == 0)
				rc = base_cause(cause, -EINVAL,
						_("Line %u: shutdown_timeout must be a number of seconds from 1 to 3600, not \"%s\"."),
						lineno, val);
			else
				c->shutdown_timeout = (unsigned)v;
		} else if (!strcmp(key, "idle_timeout")) {
			if (vc_parse_uint(val, 7 * 24 * 3600, &v) < 0)
				rc = base_cause(cause, -EINVAL,
						_("Line %u: idle_timeout must be a number of seconds up to a week, not \"%s\"."),
						lineno, val);
			else
				c->idle_timeout = (unsigned)v;
		} else if (!strcmp(key, "vnc_listen")) {
			char *why = NULL;

			if (strlen(val) >= sizeof(c->vnc_listen) || vc_check_listen(val, &why) < 0)
				rc = base_cause(cause, -EINVAL,
						_("Line %u: vnc_listen must be an IPv4 or IPv6 address, not \"%s\"."),
						lineno, val);
			else
				snprintf(c->vnc_listen, sizeof(c->vnc_listen), "%s", val);
			free(why);
		} else {
			rc = base_cause(cause, -EINVAL, _("Line %u: unknown setting \"%s\"."), lineno,
					key);
		}
	}
	free(copy);
	return rc;
}

int vc_conf_load(const char *path, struct vc_conf *c, char **cause)
{
	char *text = NULL;
	int rc = hcfg_read_file(path, &text, NULL);

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return base_cause(cause, rc, _("The settings file %s cannot be read: %s."), path,
				  strerror(-rc));
	rc = vc_conf_parse(text, c, cause);
	free(text);
	if (rc < 0 && cause && *cause) {
		char *inner = *cause;

		*cause = NULL;
		/* TRANSLATORS: the second %s is a whole sentence saying what is wrong. */
		base_cause(cause, rc, _("The settings file %s is not valid. %s"), path, inner);
		free(inner);
	}
	return rc;
}

int vc_check_idle(const char *text, bool root, unsigned *out, char **cause)
{
	unsigned long long v;

	if (vc_parse_uint(text, 7 * 24 * 3600, &v) < 0)
		return base_cause(cause, -EINVAL, _("Type a number of seconds, up to a week (604800)."));
	/* A console that never logs out is left open to whoever walks by: root's call alone. */
	if (v == 0 && !root)
		return base_cause(cause, -EPERM,
				  _("Only root may turn the idle logout off (0); type a number of seconds."));
	*out = (unsigned)v;
	return 0;
}

int vc_conf_save(const char *path, const struct vc_conf *c, char **cause)
{
	char *dir = strdup(path), *text = NULL;
	int rc;

	if (!dir)
		return -ENOMEM;
	rc = hcfg_mkdirs(dirname(dir), cause);
	free(dir);
	if (rc < 0)
		return rc;
	struct base_buf b = { 0 };

	base_buf_printf(&b, "# Settings of the ospite host console.\n"
			"# Seconds without a key press before the console logs out (0 = never).\n"
			"idle_timeout=%u\n"
			"# MiB a migration's destination must keep free for itself.\n"
			"migrate_reserve_mib=%llu\n"
			"# Seconds a guest may take to shut down before Force off is offered.\n"
			"shutdown_timeout=%u\n"
			"# Where new guests' VNC displays listen unless told otherwise.\n"
			"vnc_listen=%s\n", c->idle_timeout, c->migrate_reserve_mib,
			c->shutdown_timeout, c->vnc_listen);
	if (c->n_hosts) {
		base_buf_str(&b, "\n# Other hosts: name = libvirt URI.\n[hosts]\n");
		for (size_t i = 0; i < c->n_hosts; i++)
			base_buf_printf(&b, "%s = %s\n", c->hosts[i].name, c->hosts[i].uri);
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	text = b.s;
	rc = hcfg_write_file(path, text, 0644, cause);
	free(text);
	return rc;
}
