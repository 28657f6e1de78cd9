/* Writes the apt sources of an installed Debian 12 host into its target root. */
#include "hcfg.h"
#include "hcfg-target.h"
#include "hcfg-target-int.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEBIAN_KEYRING   "/usr/share/keyrings/debian-archive-keyring.gpg"
#define DEFAULT_COMPS    "main non-free-firmware"

static bool url_ok(const char *s)
{
	return hcfg_tgt_field_ok(s) && strchr(s, ':') && !strpbrk(s, "[]#");
}

/* The folder a local URL names ("file:/d", "file:///d", mmdebstrap's "copy:///d"), else NULL. */
static const char *local_dir(const char *u)
{
	if (strncmp(u, "file:", 5) != 0 && strncmp(u, "copy:", 5) != 0)
		return NULL;
	u += 5;
	return strncmp(u, "///", 3) == 0 ? u + 2 : u;
}

/*
 * Compare URLs the way apt does for our purpose: a trailing '/' makes no
 * difference, and a local folder is the same whichever scheme names it
 * (mmdebstrap writes the copy:// line it was given for the local medium).
 */
static bool same_url(const char *a, const char *b)
{
	if (local_dir(a) && local_dir(b)) {
		a = local_dir(a);
		b = local_dir(b);
	}
	size_t la = strlen(a), lb = strlen(b);

	while (la > 0 && a[la - 1] == '/')
		la--;
	while (lb > 0 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

static bool in_list(char **v, const char *s)
{
	for (size_t i = 0; v[i]; i++) {
		if (strcmp(v[i], s) == 0)
			return true;
	}
	return false;
}

static void put_stanza(FILE *f, const char *url, const char *suites, char **comps,
		       const struct hcfg_target_apt *apt)
{
	fprintf(f, "Types: deb\nURIs: %s\nSuites: %s\n", url, suites);
	/* A flat repository ("./") has none. */
	if (comps[0]) {
		fputs("Components:", f);
		for (size_t i = 0; comps[i]; i++)
			fprintf(f, " %s", comps[i]);
		fputc('\n', f);
	}
	if (!apt->signed_by)
		fprintf(f, "Signed-By: %s\n", DEBIAN_KEYRING);
	else if (*apt->signed_by)
		fprintf(f, "Signed-By: %s\n", apt->signed_by);
	if (apt->trusted)
		fputs("Trusted: yes\n", f);
}

/*
 * The URL of a one-line-style entry ("deb [opts] URL SUITE..."; "deb-src"
 * too when @src), cut out of @line in place, *@save left on what follows.
 */
static char *entry_url(char *line, bool src, char **save)
{
	char *tok = strtok_r(line, " \t", save);

	if (!tok || (strcmp(tok, "deb") && (!src || strcmp(tok, "deb-src"))))
		return NULL;
	tok = strtok_r(NULL, " \t", save);
	if (tok && tok[0] == '[') {
		while (tok && !strchr(tok, ']'))
			tok = strtok_r(NULL, " \t", save);
		tok = tok ? strtok_r(NULL, " \t", save) : NULL;
	}
	return tok;
}

/* Is the one-line-style entry @line ("deb [opts] URL SUITE COMP...") covered by debian.sources? */
static bool line_covered(char *line, const struct hcfg_target_apt *apt, char **comps)
{
	char *save = NULL, *tok, *url, *suite;
	size_t sl = strlen(apt->suite);

	url = entry_url(line, false, &save);
	suite = url ? strtok_r(NULL, " \t", &save) : NULL;
	if (!url || !suite)
		return false;
	if (same_url(url, apt->mirror)) {
		if (strcmp(suite, apt->suite) != 0 &&
		    !(apt->updates && strncmp(suite, apt->suite, sl) == 0 &&
		      strcmp(suite + sl, "-updates") == 0))
			return false;
	} else if (!hcfg_tgt_empty(apt->security) && same_url(url, apt->security)) {
		if (strncmp(suite, apt->suite, sl) != 0 || strcmp(suite + sl, "-security") != 0)
			return false;
	} else {
		return false;
	}
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!in_list(comps, tok))
			return false;
	}
	return true;
}

/* Drop the lines of sources.list (@path) that name the source @apt leaves behind. */
static int drop_source_lines(const char *path, const struct hcfg_target_apt *apt,
			      char **cause)
{
	char *data = NULL, *buf = NULL;
	size_t len;
	FILE *f;
	int rc = hcfg_read_file(path, &data, cause);

	if (rc < 0)
		return rc;
	f = open_memstream(&buf, &len);
	if (!f) {
		free(data);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	for (char *line = data, *next; *line; line = next) {
		char copy[4096], *save = NULL;
		const char *url;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		snprintf(copy, sizeof(copy), "%s", line + strspn(line, " \t"));
		url = entry_url(copy, true, &save);
		if (!url || !same_url(url, apt->mirror))
			fprintf(f, "%s\n", line);
	}
	free(data);
	if (!hcfg_tgt_mem_close(f, &buf))
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_write_file(path, buf, 0644, cause);
	free(buf);
	return rc;
}

/* debootstrap leaves a sources.list naming the mirror; apt warns about entries listed twice. */
static int drop_stale_sources_list(const char *root, const struct hcfg_target_apt *apt,
				   char **comps, char **cause)
{
	char *path = hcfg_tgt_path(root, "/etc/apt/sources.list"), *data = NULL, *save = NULL, *line;
	bool covered = true;
	int rc = 0;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	if (access(path, F_OK) < 0)
		goto out;
	rc = hcfg_read_file(path, &data, cause);
	if (rc < 0)
		goto out;
	for (line = strtok_r(data, "\n", &save); line && covered; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		covered = line_covered(line, apt, comps);
	}
	if (covered && unlink(path) < 0 && errno != ENOENT)
		rc = base_cause(cause, -errno, _("Could not remove %s: %s."), path, strerror(errno));
	if (!covered && apt->disabled)
		rc = drop_source_lines(path, apt, cause);
out:
	free(data);
	free(path);
	return rc;
}

/* The keyring a source is signed by: none, or an absolute path that fits in a deb822 field. */
static int check_keyring(const struct hcfg_target_apt *apt, char **cause)
{
	if (apt->signed_by && *apt->signed_by &&
	    (apt->signed_by[0] != '/' || !hcfg_tgt_field_ok(apt->signed_by)))
		return base_cause(cause, -EINVAL, _("The keyring \"%s\" is not an absolute path."),
				  apt->signed_by);
	return 0;
}

/* The components of @list into *@comps (NULL on failure), each checked as one deb822 word. */
static int split_components(const char *list, char ***comps, char **cause)
{
	*comps = hcfg_tgt_split_list(list);
	if (!*comps)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	for (size_t i = 0; (*comps)[i]; i++) {
		if (!hcfg_tgt_word_ok((*comps)[i], "-_/.")) {
			int rc = base_cause(cause, -EINVAL,
					    _("The archive component \"%s\" is not valid."), (*comps)[i]);

			hcfg_tgt_free_list(*comps);
			*comps = NULL;
			return rc;
		}
	}
	return 0;
}

int hcfg_target_apt_sources(const char *root, const struct hcfg_target_apt *apt, char **cause)
{
	char **comps = NULL, *buf = NULL, *suites = NULL;
	size_t len;
	FILE *f;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	if (!url_ok(apt->mirror))
		return base_cause(cause, -EINVAL, _("The mirror address \"%s\" is not valid."),
				  apt->mirror ? apt->mirror : "");
	if (!hcfg_tgt_empty(apt->security) && !url_ok(apt->security))
		return base_cause(cause, -EINVAL, _("The security archive address \"%s\" is not valid."),
				  apt->security);
	if (!hcfg_tgt_word_ok(apt->suite, "-_."))
		return base_cause(cause, -EINVAL, _("The suite name \"%s\" is not valid."),
				  apt->suite ? apt->suite : "");
	rc = check_keyring(apt, cause);
	if (rc < 0)
		return rc;
	rc = split_components(hcfg_tgt_empty(apt->components) ? DEFAULT_COMPS : apt->components,
			      &comps, cause);
	if (rc < 0)
		return rc;
	if (!comps[0]) {
		rc = base_cause(cause, -EINVAL, _("No archive component was given."));
		goto out;
	}
	suites = apt->updates ? hcfg_tgt_asprintf("%s %s-updates", apt->suite, apt->suite)
			      : strdup(apt->suite);
	if (!suites) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}

	f = open_memstream(&buf, &len);
	if (!f) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	fputs("# Package sources of this host; see sources.list(5).\n\n", f);
	/*
	 * A source only the install could read (the boot medium) is not kept,
	 * not even switched off: the host names none it cannot reach.
	 */
	if (apt->disabled)
		fputs("# The host was installed from its install medium and has no package source yet:\n"
		      "# add a Debian mirror here (Types, URIs, Suites, Components, Signed-By).\n", f);
	else
		put_stanza(f, apt->mirror, suites, comps, apt);
	if (!apt->disabled && !hcfg_tgt_empty(apt->security)) {
		fputc('\n', f);
		free(suites);
		suites = hcfg_tgt_asprintf("%s-security", apt->suite);
		put_stanza(f, apt->security, suites ? suites : "", comps, apt);
	}
	if (!hcfg_tgt_mem_close(f, &buf) || !suites) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_tgt_write(root, "/etc/apt/sources.list.d/debian.sources", buf, 0644, cause);
	if (rc == 0)
		rc = drop_stale_sources_list(root, apt, comps, cause);
out:
	free(suites);
	free(buf);
	hcfg_tgt_free_list(comps);
	return rc;
}

bool hcfg_target_apt_name_reserved(const char *name)
{
	static const char *const taken[] = { "debian", "ospite-mirror" };

	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		if (name && !strcmp(name, taken[i]))
			return true;
	return false;
}

int hcfg_target_apt_repo(const char *root, const char *name, const struct hcfg_target_apt *apt,
			 char **cause)
{
	size_t sl = apt->suite ? strlen(apt->suite) : 0;
	bool flat = sl && apt->suite[sl - 1] == '/';
	char **comps = NULL, *buf = NULL, *rel = NULL;
	size_t len;
	FILE *f;
	int rc;

	rc = hcfg_tgt_check_root(root, cause);
	if (rc < 0)
		return rc;
	/* The name is a file name of sources.list.d: nothing that leaves it or hides it. */
	if (!hcfg_tgt_word_ok(name, "-_.") || name[0] == '.')
		return base_cause(cause, -EINVAL, _("The repository name \"%s\" is not valid."),
				  name ? name : "");
	if (hcfg_target_apt_name_reserved(name))
		return base_cause(cause, -EINVAL, _("The repository name %s is taken by the host's own package source: choose another."),
				  name);
	if (!url_ok(apt->mirror))
		return base_cause(cause, -EINVAL, _("The mirror address \"%s\" is not valid."),
				  apt->mirror ? apt->mirror : "");
	if (!hcfg_tgt_word_ok(apt->suite, "-_./") || strstr(apt->suite, ".."))
		return base_cause(cause, -EINVAL, _("The suite name \"%s\" is not valid."),
				  apt->suite ? apt->suite : "");
	rc = check_keyring(apt, cause);
	if (rc < 0)
		return rc;
	rc = split_components(flat ? "" : hcfg_tgt_empty(apt->components) ? "main" : apt->components,
			      &comps, cause);
	if (rc < 0)
		return rc;
	f = open_memstream(&buf, &len);
	if (!f) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	fprintf(f, "# %s: a package source the installation's answer file added (repo).\n\n", name);
	put_stanza(f, apt->mirror, apt->suite, comps, apt);
	rel = hcfg_tgt_asprintf("/etc/apt/sources.list.d/%s.sources", name);
	if (!hcfg_tgt_mem_close(f, &buf) || !rel) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_tgt_write(root, rel, buf, 0644, cause);
out:
	free(rel);
	free(buf);
	hcfg_tgt_free_list(comps);
	return rc;
}
