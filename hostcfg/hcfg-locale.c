/* Writes the locale, keyboard and time zone of an installed host into its target root. */
#include "hcfg.h"
#include "hcfg-target.h"
#include "hcfg-target-int.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Does the target's list of locales (the locales package's SUPPORTED) name
 * @locale as a UTF-8 one? Debian lists a few UTF-8 locales without a charset
 * in their name: sr_RS, sr_RS@latin, ca_ES@valencia.
 */
static bool listed_utf8(const char *root, const char *locale)
{
	char *path = hcfg_tgt_path(root, "/usr/share/i18n/SUPPORTED"), line[256];
	size_t n = strlen(locale);
	bool found = false;
	FILE *f = path ? fopen(path, "re") : NULL;

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, locale, n) && !strcmp(line + n, " UTF-8\n");
	if (f)
		fclose(f);
	free(path);
	return found;
}

/*
 * "it_IT.UTF-8" or "ca_ES.UTF-8@valencia": the charset is what locale.gen
 * wants next to it; a name without one must be a UTF-8 locale the target lists.
 */
static int locale_charset(const char *root, const char *locale, char *cs, size_t len)
{
	const char *dot = strchr(locale, '.');
	size_t n;

	if (!hcfg_tgt_word_ok(locale, "_.-@") || locale[0] == '.' || locale[0] == '@')
		return -EINVAL;
	if (!dot) {
		if (!listed_utf8(root, locale) || len < sizeof("UTF-8"))
			return -EINVAL;
		memcpy(cs, "UTF-8", sizeof("UTF-8"));
		return 0;
	}
	n = strcspn(dot + 1, "@");
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(cs, dot + 1, n);
	cs[n] = '\0';
	return 0;
}

/* Uncomment "# LOCALE CHARSET" in @data, or append the line; a malloc'd new text. */
static char *locale_gen_text(const char *data, const char *want)
{
	char *buf = NULL;
	size_t len, wl = strlen(want);
	bool found = false;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (const char *p = data; *p;) {
		const char *end = strchrnul(p, '\n'), *s = p;
		size_t n = end - p;

		while (*s == '#' || *s == ' ' || *s == '\t')
			s++;
		if (!found && (size_t)(end - s) >= wl && strncmp(s, want, wl) == 0 &&
		    strspn(s + wl, " \t") == (size_t)(end - s - wl)) {
			fprintf(f, "%s\n", want);
			found = true;
		} else {
			fprintf(f, "%.*s\n", (int)n, p);
		}
		p = *end ? end + 1 : end;
	}
	if (!found)
		fprintf(f, "%s\n", want);
	return hcfg_tgt_mem_close(f, &buf);
}

int hcfg_target_locale(const char *root, const char *locale, char **cause)
{
	char cs[32], *text = NULL, *path = NULL, *data = NULL, *want = NULL, *gen = NULL;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	if (!locale || locale_charset(root, locale, cs, sizeof(cs)) < 0)
		return base_cause(cause, -EINVAL,
				  _("The locale \"%s\" is not of the form language_COUNTRY.CHARSET."),
				  locale ? locale : "");
	path = hcfg_tgt_path(root, "/etc/locale.gen");
	text = hcfg_tgt_asprintf("LANG=%s\n", locale);
	want = hcfg_tgt_asprintf("%s %s", locale, cs);
	if (!path || !text || !want) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	/* The locales package may not be installed yet: then start the file. */
	if (access(path, F_OK) == 0) {
		rc = hcfg_read_file(path, &data, cause);
		if (rc < 0)
			goto out;
	}
	gen = locale_gen_text(data ? data : "", want);
	if (!gen) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_tgt_write(root, "/etc/locale.gen", gen, 0644, cause);
	if (rc == 0)
		rc = hcfg_tgt_write(root, "/etc/default/locale", text, 0644, cause);
out:
	free(gen);
	free(want);
	free(data);
	free(text);
	free(path);
	return rc;
}

int hcfg_target_keyboard(const char *root, const char *layout, const char *variant, char **cause)
{
	char *text;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	if (!hcfg_tgt_word_ok(layout, "_-,"))
		return base_cause(cause, -EINVAL, _("The keyboard layout \"%s\" is not valid."),
				  layout ? layout : "");
	if (!hcfg_tgt_empty(variant) && !hcfg_tgt_word_ok(variant, "_-,"))
		return base_cause(cause, -EINVAL, _("The keyboard variant \"%s\" is not valid."),
				  variant);
	text = hcfg_tgt_asprintf("# KEYBOARD CONFIGURATION FILE\n"
		     "\n"
		     "# Consult the keyboard(5) manual page.\n"
		     "\n"
		     "XKBMODEL=\"pc105\"\n"
		     "XKBLAYOUT=\"%s\"\n"
		     "XKBVARIANT=\"%s\"\n"
		     "XKBOPTIONS=\"\"\n"
		     "\n"
		     "BACKSPACE=\"guess\"\n", layout, variant ? variant : "");
	if (!text)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_tgt_write(root, "/etc/default/keyboard", text, 0644, cause);
	free(text);
	return rc;
}

static bool zone_ok(const char *zone)
{
	if (!hcfg_tgt_word_ok(zone, "/_+-.") || zone[0] == '/')
		return false;
	for (const char *p = zone; *p; p = *p ? p + 1 : p) {
		if (p[0] == '.')
			return false;   /* no ".." nor hidden names: stay inside zoneinfo */
		p = strchrnul(p, '/');
	}
	return true;
}

int hcfg_target_timezone(const char *root, const char *zone, bool utc, char **cause)
{
	char *file = NULL, *link = NULL, *to = NULL, *text = NULL;
	const char *lt;
	struct stat st;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	if (!zone || !zone_ok(zone))
		return base_cause(cause, -EINVAL, _("The time zone \"%s\" is not valid."),
				  zone ? zone : "");
	to = hcfg_tgt_asprintf("/usr/share/zoneinfo/%s", zone);
	text = hcfg_tgt_asprintf("%s\n", zone);
	file = to ? hcfg_tgt_path(root, to) : NULL;
	link = hcfg_tgt_path(root, "/etc/localtime");
	if (!to || !text || !file || !link) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	/* The link is resolved on the installed host, so the zone must exist there, not here. */
	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = base_cause(cause, -ENOENT,
				/* TRANSLATORS: a zone such as Europe/Rome, then the file that is missing. */
				_("The time zone %s does not exist in the target system (no %s)."),
				zone, to);
		goto out;
	}
	/* A copied file instead of the link is what older tools left: replace it. */
	rc = hcfg_tgt_symlink(link, to, true, cause);
	if (rc == 0)
		rc = hcfg_tgt_write(root, "/etc/timezone", text, 0644, cause);
	if (rc == 0) {
		/* hwclock and systemd read the clock's mode from the third line. */
		lt = utc ? "0.0 0 0.0\n0\nUTC\n" : "0.0 0 0.0\n0\nLOCAL\n";
		rc = hcfg_tgt_write(root, "/etc/adjtime", lt, 0644, cause);
	}
out:
	free(file);
	free(link);
	free(to);
	free(text);
	return rc;
}
