/* Enables and disables systemd units in a target root with systemctl --root, as Debian does. */
#include "hcfg.h"
#include "hcfg-target.h"
#include "hcfg-target-int.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A unit name, never a path: systemctl would take that for a unit file to link in. */
static bool unit_name_ok(const char *s)
{
	const char *dot;

	if (!hcfg_tgt_word_ok(s, ":-_.@\\") || strlen(s) > 255 || s[0] == '.' || s[0] == '@')
		return false;
	dot = strrchr(s, '.');
	return dot && dot[1] && strchr(dot, '@') == NULL;
}

/* The first line of @text that starts with @prefix, malloc'd; NULL when there is none. */
static char *line_with(const char *text, const char *prefix)
{
	for (const char *p = text; *p;) {
		const char *end = strchrnul(p, '\n');

		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return strndup(p, end - p);
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/*
 * Run "systemctl --root=@root @verb -- @a [@b]"; *@out gets its stdout and,
 * when it fails, *@why its own reason ("Failed to enable unit, ...") or else
 * its exit status, in a sentence (NULL when out of memory).
 * Its stderr goes to a memory file passed as the runner's log, the only way
 * to read it. Returns the exit status, or a negative errno with *@cause set.
 */
static int systemctl(const char *root, const char *verb, const char *a, const char *b,
		     char **out, char **why, char **cause)
{
	char *opt = hcfg_tgt_asprintf("--root=%s", root), *err = NULL, *status = NULL;
	const char *argv[8];
	int fd = memfd_create("ospite-systemctl", MFD_CLOEXEC), rc, n = 0;
	off_t len;

	*out = NULL;
	*why = NULL;
	argv[n++] = "systemctl";
	argv[n++] = opt;
	/* It replaces a link to something else, never a file: what enabling always did here. */
	if (strcmp(verb, "is-enabled") != 0)
		argv[n++] = "--force";
	argv[n++] = verb;
	argv[n++] = "--";
	argv[n++] = a;
	argv[n++] = b;
	argv[n] = NULL;
	if (!opt || fd < 0) {
		rc = fd < 0 ? base_cause(cause, -errno, _("Could not create a temporary file: %s."),
					 strerror(errno))
			    : base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = base_run_capture(argv, fd, out, &status);
	if (rc < 0) {
		base_cause(cause, rc, "%s", status ? status : _("Out of memory."));
		goto out;
	}
	len = lseek(fd, 0, SEEK_END);
	if (rc > 0 && len > 0 && (err = calloc(1, len + 1)) && pread(fd, err, len, 0) == len)
		*why = line_with(err, "Failed");
	if (rc > 0 && !*why && status)
		*why = strdup(status);
out:
	if (fd >= 0)
		close(fd);
	free(status);
	free(err);
	free(opt);
	return rc;
}

/*
 * The unit file state "systemctl is-enabled" prints ("enabled", "static",
 * "masked"...): a documented answer, where enable's failures are English
 * sentences only. "" when the unit does not exist (systemd 252 prints
 * nothing then, later versions "not-found").
 */
static int unit_state(const char *root, const char *unit, char *state, size_t len, char **cause)
{
	char *out = NULL, *why = NULL;
	int rc = systemctl(root, "is-enabled", unit, NULL, &out, &why, cause);

	state[0] = '\0';
	if (rc >= 0) {
		snprintf(state, len, "%.*s", (int)strcspn(out, "\n"), out);
		if (strcmp(state, "not-found") == 0)
			state[0] = '\0';
		rc = 0;
	}
	free(why);
	free(out);
	return rc;
}

/* Refuse a unit that is missing or masked: systemctl would only say so in English. */
static int unit_usable(const char *root, const char *unit, char *state, size_t len, char **cause)
{
	int rc = unit_state(root, unit, state, len, cause);

	if (rc < 0)
		return rc;
	if (!*state)
		return base_cause(cause, -ENOENT, _("The unit %s does not exist in the target system."),
				  unit);
	if (strncmp(state, "masked", 6) == 0)
		return base_cause(cause, -EPERM, _("The unit %s is masked in the target system."), unit);
	return 0;
}

/* What enabling and disabling both check first: a target root and a valid unit name. */
static int unit_args(const char *root, const char *unit, char **cause)
{
	int rc = hcfg_tgt_check_root(root, cause);

	if (rc < 0)
		return rc;
	if (!unit_name_ok(unit))
		return base_cause(cause, -EINVAL, _("The unit name \"%s\" is not valid."),
				  unit ? unit : "");
	return 0;
}

/* A failed "systemctl enable": the file it would not replace, or systemctl's own reason. */
static int enable_failed(const char *unit, const char *why, char **cause)
{
	const char *q = why ? strstr(why, "file \"") : NULL, *end = q ? strchr(q + 6, '"') : NULL;
	char path[PATH_MAX];

	if (end && strstr(end, "already exists")) {
		snprintf(path, sizeof(path), "%.*s", (int)(end - q - 6), q + 6);
		return base_cause(cause, -EEXIST,
				  _("%s exists and is not a symbolic link; it was left alone."), path);
	}
	return base_cause(cause, -EIO,
			  /* TRANSLATORS: %s is a unit, then systemctl's own message (in English). */
			  _("systemctl could not enable %s in the target system: %s"), unit,
			  why ? why : "");
}

/* "systemctl add-wants" for each of the blank-separated @targets, which must exist. */
static int add_wants(const char *root, const char *unit, const char *targets, char **cause)
{
	char **v = hcfg_tgt_split_list(targets), *out = NULL, *why = NULL, state[64];
	int rc = v ? 0 : base_cause(cause, -ENOMEM, _("Out of memory."));

	for (size_t i = 0; v && v[i] && rc == 0; i++) {
		if (!unit_name_ok(v[i])) {
			rc = base_cause(cause, -EINVAL, _("The unit name \"%s\" is not valid."), v[i]);
			break;
		}
		rc = unit_usable(root, v[i], state, sizeof(state), cause);
		if (rc == 0)
			rc = systemctl(root, "add-wants", v[i], unit, &out, &why, cause);
		if (rc > 0)
			rc = enable_failed(unit, why, cause);
		free(out);
		free(why);
		out = why = NULL;
	}
	hcfg_tgt_free_list(v);
	return rc;
}

int hcfg_target_enable_unit(const char *root, const char *unit, const char *wantedby,
			    char **cause)
{
	char state[64], *out = NULL, *why = NULL;
	int rc;

	rc = unit_args(root, unit, cause);
	if (rc == 0)
		rc = unit_usable(root, unit, state, sizeof(state), cause);
	if (rc < 0)
		return rc;
	if (wantedby)
		return add_wants(root, unit, wantedby, cause);
	/* systemctl enables a static unit by doing nothing, and says so only on stderr. */
	if (strcmp(state, "static") == 0)
		return base_cause(cause, -EINVAL,
				  _("The unit %s has no [Install] section saying where to enable it."),
				  unit);
	rc = systemctl(root, "enable", unit, NULL, &out, &why, cause);
	if (rc > 0)
		rc = enable_failed(unit, why, cause);
	free(out);
	free(why);
	return rc;
}

int hcfg_target_disable_unit(const char *root, const char *unit, char **cause)
{
	char state[64], *out = NULL, *why = NULL;
	int rc;

	rc = unit_args(root, unit, cause);
	if (rc == 0)
		rc = unit_state(root, unit, state, sizeof(state), cause);
	/* A unit that is not there is as disabled as it gets; systemctl would fail on it. */
	if (rc < 0 || !*state)
		return rc;
	/* A masked unit stays masked: systemctl leaves the mask to "unmask". */
	rc = systemctl(root, "disable", unit, NULL, &out, &why, cause);
	if (rc > 0)
		rc = base_cause(cause, -EIO,
				/* TRANSLATORS: %s is a unit, then systemctl's own message (in English). */
				_("systemctl could not disable %s in the target system: %s"), unit,
				why ? why : "");
	free(out);
	free(why);
	return rc;
}
