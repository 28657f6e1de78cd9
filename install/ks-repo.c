/* The answer file's repo command: an extra apt source with its signing key, as Debian's preseed apt-setup/localN adds one. */
#include "ks-priv.h"
#include "base/i18n.h"
#include "hostcfg/hcfg-target.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The parser is built without the fetcher (ks-fetch.c) for fuzzing: its own test. */
static bool is_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

static bool word_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/* The name becomes a file name of /etc/apt/sources.list.d and /etc/apt/keyrings. */
static bool name_ok(struct ks *k, const char *name)
{
	const struct inst_plan *p = k->p;

	if (!word_ok(name, "-_.") || name[0] == '.' || name[0] == '-' || strlen(name) >= 64) {
		ks_err(k, _("The repository name \"%s\" is not valid: it names its file on the host, so use at most 63 letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit."),
		       ks_q(k, name));
		return false;
	}
	/* The host writer refuses the same names: here the file gets its line number. */
	if (hcfg_target_apt_name_reserved(name)) {
		ks_err(k, _("The repository name %s is taken by the host's own package source: choose another."),
		       name);
		return false;
	}
	for (size_t i = 0; i < p->n_repos; i++) {
		if (!strcmp(p->repos[i].name, name)) {
			char where[256];

			ks_err(k, _("The repository %s was already given at %s."), name,
			       ks_where(k, p->repos[i].src, where, sizeof(where)));
			return false;
		}
	}
	return true;
}

/* "1234 ABCD ..." or "0x1234abcd...": 40 (OpenPGP v4) or 64 (v6) hex digits, upper-cased into @out. */
static bool fingerprint(const char *v, char out[65])
{
	size_t n = 0;

	if (!strncasecmp(v, "0x", 2))
		v += 2;
	for (; *v; v++) {
		if (*v == ' ')
			continue;
		if (!isxdigit((unsigned char)*v) || n >= 64)
			return false;
		out[n++] = (char)toupper((unsigned char)*v);
	}
	out[n] = '\0';
	return n == 40 || n == 64;
}

/*
 * repo: Anaconda saves the installation DVD's second repository
 * (file:///run/install/repo/AppStream, .../sources/mount-0000-cdrom/AppStream)
 * in every RHEL 8 and 9 file: on Debian the medium or the mirror is one
 * repository, so that line is harmless and accepted with a warning. Any
 * other repository is an extra apt source of Debian packages, signed by
 * the key --key gives, unless --trusted takes it unsigned.
 */
void ks_cmd_repo(struct ks *k, char **w)
{
	enum { R_NAME, R_BASEURL, R_MIRRORLIST, R_METALINK, R_COST, R_INSTALL, R_IGNOREGROUPS,
	       R_SUITE, R_COMPONENTS, R_KEY, R_FPR, R_TRUSTED };
	static const struct inst_ks_optdef defs[] = {
		[R_NAME] = { "name", INST_KS_VALUE, NULL },
		[R_BASEURL] = { "baseurl", INST_KS_VALUE, NULL },
		[R_MIRRORLIST] = { "mirrorlist", INST_KS_VALUE, NULL },
		[R_METALINK] = { "metalink", INST_KS_VALUE, NULL },
		[R_COST] = { "cost", INST_KS_VALUE, NULL },
		[R_INSTALL] = { "install", INST_KS_FLAG, NULL },
		[R_IGNOREGROUPS] = { "ignoregroups", INST_KS_VALUE, NULL },
		[R_SUITE] = { "suite", INST_KS_VALUE, NULL },
		[R_COMPONENTS] = { "components", INST_KS_VALUE, NULL },
		[R_KEY] = { "key", INST_KS_VALUE, NULL },
		[R_FPR] = { "keyfingerprint", INST_KS_VALUE, NULL },
		[R_TRUSTED] = { "trusted", INST_KS_FLAG, NULL },
		{ NULL, 0, NULL },
	};
	/* They would change which packages come from where, or how they are fetched. */
	static const char *const unsup[] = {
		"noverifyssl", "proxy=", "includepkgs=", "excludepkgs=", "sslcacert=",
		"sslclientcert=", "sslclientkey=", NULL,
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = ks_args(k, w, defs, unsup, &a, 0);
	const char *name = a.val[R_NAME], *url = a.val[R_BASEURL], *v;
	struct inst_repo r = { .src = k->at };
	char *cause = NULL;

	if (bad)
		goto out;
	if (!name) {
		ks_err(k, _("The command repo needs --name."));
		goto out;
	}
	if (a.val[R_MIRRORLIST] || a.val[R_METALINK]) {
		ks_err(k, _("The repository %s is given by --%s, a list of RPM mirrors that a Debian host cannot use."),
		       ks_q(k, name), a.val[R_MIRRORLIST] ? "mirrorlist" : "metalink");
		goto out;
	}
	if (!url) {
		ks_err(k, _("The command repo needs --baseurl."));
		goto out;
	}
	if (!strncmp(url, "file:///run/install/", 20) && !strstr(url, "..")) {
		ks_warn(k, _("The repository %s is part of RHEL's installation medium: on Debian the packages come from the file's one source (cdrom or url), and this line is ignored."),
			ks_q(k, name));
		goto out;
	}
	if (!name_ok(k, name))
		bad++;
	else
		INST_COPY(r.name, name);
	if (!is_url(url) || inst_valid_url(url, &cause) < 0 || strpbrk(url, "[]#")) {
		ks_err(k, _("The address \"%s\" of the repository %s is not valid: the installed host reads it too, so give an http:// or https:// address."),
		       ks_q(k, url), ks_q(k, name));
		free(cause);
		cause = NULL;
		bad++;
	} else if (ks_fits(k, "--baseurl", url, sizeof(r.url))) {
		INST_COPY(r.url, url);
	} else {
		bad++;
	}
	if ((v = a.val[R_SUITE])) {
		if (!word_ok(v, "-_./") || strstr(v, "..") || v[0] == '/' ||
		    !ks_fits(k, "--suite", v, sizeof(r.suite))) {
			ks_err(k, _("The suite \"%s\" is not valid: write a name such as bookworm, or ./ for a flat repository."),
			       ks_q(k, v));
			bad++;
		} else {
			INST_COPY(r.suite, v);
		}
	}
	if ((v = a.val[R_COMPONENTS])) {
		char comps[sizeof(r.components)];
		bool ok = ks_fits(k, "--components", v, sizeof(comps));

		/* "main contrib" or "main,contrib": apt's sources take them blank-separated. */
		if (ok) {
			INST_COPY(comps, v);
			for (char *c = comps; *c; c++)
				if (*c == ',')
					*c = ' ';
			for (char *c = comps, *save = NULL, *t; (t = strtok_r(c, " ", &save)); c = NULL) {
				if (!word_ok(t, "-_./")) {
					ks_err(k, _("The component \"%s\" is not valid: write names such as main or contrib."),
					       ks_q(k, t));
					ok = false;
					break;
				}
				if (*r.components)
					strcat(r.components, " ");
				strcat(r.components, t);
			}
			if (ok && !*r.components) {
				ks_err(k, _("The option --components of the command repo needs at least one name."));
				ok = false;
			}
		}
		if (!ok)
			bad++;
		else if (*r.suite && r.suite[strlen(r.suite) - 1] == '/') {
			ks_err(k, _("The flat repository %s (suite %s) has no components: leave --components out."),
			       ks_q(k, name), r.suite);
			bad++;
		}
	}
	if ((v = a.val[R_KEY])) {
		if (is_url(v) ? inst_valid_url(v, &cause) < 0
				      : v[0] != '/' || strstr(v, "/../") || strpbrk(v, " \t\"'\\")) {
			ks_err(k, _("The key \"%s\" of the repository %s is not valid: give an absolute path or an http:// or https:// address."),
			       ks_q(k, v), ks_q(k, name));
			free(cause);
			cause = NULL;
			bad++;
		} else if (ks_fits(k, "--key", v, sizeof(r.key))) {
			INST_COPY(r.key, v);
		} else {
			bad++;
		}
	}
	if ((v = a.val[R_FPR]) && !fingerprint(v, r.fingerprint)) {
		ks_err(k, _("The key fingerprint \"%s\" is not valid: write its 40 hexadecimal digits, as gpg --show-keys prints them."),
		       ks_q(k, v));
		bad++;
	}
	r.trusted = a.val[R_TRUSTED] != NULL;
	if (bad)
		goto out;
	if (r.trusted && (a.val[R_KEY] || a.val[R_FPR])) {
		ks_err(k, _("The repository %s is both --trusted and signed by --key: give one of them."),
		       ks_q(k, name));
		goto out;
	}
	if (!r.trusted && !a.val[R_KEY]) {
		ks_err(k, _("The repository %s has no signing key: give it with --key=PATH or --key=URL (and --keyfingerprint=), or add --trusted to take its packages unchecked."),
		       ks_q(k, name));
		goto out;
	}
	/* Over plain http anyone on the way could hand over another key: the fingerprint pins it. */
	if (a.val[R_KEY] && !strncasecmp(r.key, "http://", 7) && !*r.fingerprint) {
		ks_err(k, _("The key of the repository %s comes over plain http, where anyone on the way could replace it: give --keyfingerprint=, or an https:// or local key."),
		       ks_q(k, name));
		goto out;
	}
	if (r.trusted)
		ks_warn(k, _("The repository %s is trusted without a signature: nothing checks that its packages are the ones it published."),
			ks_q(k, name));
	if (a.val[R_COST])
		ks_warn(k, _("The option --cost of repo changes nothing on a Debian host: apt takes the newest version from any source."));
	if (a.val[R_IGNOREGROUPS])
		ks_warn(k, _("The option --ignoregroups of repo changes nothing on a Debian host: apt repositories have no groups."));
	if (p->n_repos >= INST_MAX_REPOS) {
		ks_err(k, _("ospite adds at most %d repositories."), INST_MAX_REPOS);
		goto out;
	}
	p->repos[p->n_repos++] = r;
out:
	free(a.pos);
}
