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
	c->idle_timeout = VC_IDLE_DEFAULT;
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
		eq = strchr(key, '=');
		if (!eq) {
			rc = base_cause(cause, -EINVAL, _("Line %u of the settings is not key=value."),
					lineno);
			break;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		if (!strcmp(key, "idle_timeout")) {
			if (vc_parse_uint(val, 7 * 24 * 3600, &v) < 0)
				rc = base_cause(cause, -EINVAL,
						_("Line %u: idle_timeout must be a number of seconds up to a week, not \"%s\"."),
						lineno, val);
			else
				c->idle_timeout = (unsigned)v;
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
	if (asprintf(&text, "# Settings of the ospite host console.\n"
		     "# Seconds without a key press before the console logs out (0 = never).\n"
		     "idle_timeout=%u\n", c->idle_timeout) < 0)
		return -ENOMEM;
	rc = hcfg_write_file(path, text, 0644, cause);
	free(text);
	return rc;
}
