/* Reading what the installer's helpers report while they run: debootstrap's fd-3 protocol, mmdebstrap's verbose output, apt's status lines. */
#include "inst-apt.h"
#include "hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TICK_MS 200

extern char **environ;

/* ---- debootstrap's fd-3 protocol ----------------------------------------------- */

/*
 * Formats debootstrap sends in P:/I:/W:/E: groups, translated here when the
 * format matches exactly, so a changed format in a newer debootstrap falls
 * back to its English text instead of to mismatched arguments.
 */
static const char *const dbs_known[] = {
	N_("Downloading Release file"),
	N_("Downloading Release file signature"),
	N_("Downloading Packages files"),
	N_("Downloading Packages file"),
	N_("Finding package sizes"),
	N_("Downloading packages"),
	N_("Extracting packages"),
	N_("Installing core packages"),
	N_("Unpacking required packages"),
	N_("Configuring required packages"),
	N_("Unpacking base system"),
	N_("Configuring base system"),
	/* TRANSLATORS: debootstrap: a file or package name and its version, the version may be empty. */
	N_("Retrieving %s %s"),
	/* TRANSLATORS: debootstrap: a file or package name and its version, the version may be empty. */
	N_("Validating %s %s"),
	N_("Checking Release signature"),
	N_("Valid Release signature (key id %s)"),
	N_("Invalid Release signature (key id %s)"),
	N_("Resolving dependencies of required packages..."),
	N_("Resolving dependencies of base packages..."),
	N_("Found additional required dependencies: %s"),
	N_("Found additional base dependencies: %s"),
	/* TRANSLATORS: debootstrap: a component ("main") and a mirror URL. */
	N_("Checking component %s on %s..."),
	N_("Chosen extractor for .deb packages: %s"),
	/* TRANSLATORS: debootstrap: %s is a package name. */
	N_("Extracting %s..."),
	N_("Installing core packages..."),
	N_("Unpacking required packages..."),
	N_("Configuring required packages..."),
	/* TRANSLATORS: debootstrap: %s is a package name. */
	N_("Unpacking %s..."),
	/* TRANSLATORS: debootstrap: %s is a package name. */
	N_("Configuring %s..."),
	N_("Unpacking the base system..."),
	N_("Configuring the base system..."),
	N_("Base system installed successfully."),
	N_("Retrying failed download of %s"),
	/* TRANSLATORS: debootstrap: %s is a file being downloaded. */
	N_("%s was corrupt"),
	/* TRANSLATORS: debootstrap: package, version, architecture, URL. */
	N_("Couldn't download package %s (ver %s arch %s) at %s"),
	N_("Couldn't download %s"),
	N_("Couldn't download packages: %s"),
	N_("Couldn't find these debs: %s"),
	N_("Failed getting release file %s"),
	N_("Failed getting release signature file %s"),
	N_("Invalid Release file, no entry for %s"),
	N_("debootstrap can only run as root"),
};

struct inst_dbs {
	inst_dbs_fn fn;
	void *opaque;
	enum inst_dbs_kind kind;   /* the group being collected, 0 when none */
	char *id;
	char **args;
	size_t n_args, cap;
	uint64_t now, end;
	char *last_id;             /* the last named progress, for unnamed download lines */
	char *last_text;
	char *last_fmt;
};

struct inst_dbs *inst_dbs_new(inst_dbs_fn fn, void *opaque)
{
	struct inst_dbs *p = calloc(1, sizeof(*p));

	if (p) {
		p->fn = fn;
		p->opaque = opaque;
	}
	return p;
}

static void group_clear(struct inst_dbs *p)
{
	for (size_t i = 0; i < p->n_args; i++)
		free(p->args[i]);
	p->n_args = 0;
	free(p->id);
	p->id = NULL;
	p->kind = 0;
}

void inst_dbs_free(struct inst_dbs *p)
{
	if (!p)
		return;
	group_clear(p);
	free(p->args);
	free(p->last_id);
	free(p->last_text);
	free(p->last_fmt);
	free(p);
}

static const char *dbs_translate(const char *fmt)
{
	for (size_t i = 0; i < sizeof(dbs_known) / sizeof(dbs_known[0]); i++)
		if (!strcmp(fmt, dbs_known[i]))
			return _(dbs_known[i]);
	return fmt;
}

char *inst_dbs_format(const char *fmt, const char *const *args, size_t n_args)
{
	struct base_buf b = { 0 };
	size_t next = 0;

	base_buf_add(&b, "", 0);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		size_t idx;

		if (!pct) {
			base_buf_add(&b, fmt, strlen(fmt));
			break;
		}
		base_buf_add(&b, fmt, pct - fmt);
		fmt = pct + 1;
		if (*fmt == '%') {
			base_buf_add(&b, "%", 1);
			fmt++;
			continue;
		}
		idx = next;
		/* "%2$s": translations may reorder the arguments. */
		{
			const char *d = fmt;
			size_t pos = 0;

			while (*d >= '0' && *d <= '9') {
				if (pos < 100000)
					pos = pos * 10 + (*d - '0');
				d++;
			}
			if (*d == '$' && d > fmt) {
				idx = pos > 0 ? pos - 1 : SIZE_MAX;
				fmt = d + 1;
			} else {
				next++;
			}
		}
		while (*fmt && strchr("-+ #'0123456789.*hlLqjzt", *fmt))
			fmt++;
		if (!*fmt)
			break;
		if (idx < n_args && args[idx])
			base_buf_add(&b, args[idx], strlen(args[idx]));
		fmt++;
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static char *rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static unsigned permille_of(uint64_t now, uint64_t end)
{
	if (!end)
		return 0;
	if (now >= end)
		return 1000;
	return (unsigned)((double)now * 1000 / (double)end);
}

/* Report the collected group with @fmt (NULL when its F: line never came). */
static void group_emit(struct inst_dbs *p, const char *fmt)
{
	struct inst_dbs_event ev = { .kind = p->kind };
	char *text = NULL;

	ev.id = p->id ? p->id : "";
	ev.args = (const char *const *)p->args;
	ev.n_args = p->n_args;
	ev.fmt = fmt ? fmt : "";
	if (fmt)
		text = inst_dbs_format(dbs_translate(fmt), ev.args, ev.n_args);
	else if (p->kind == INST_DBS_PROGRESS && p->last_id && !strcmp(p->last_id, ev.id) &&
		 p->last_text)
		text = strdup(p->last_text);
	else
		text = strdup(ev.id);
	ev.text = text ? rtrim(text) : "";
	if (p->kind == INST_DBS_PROGRESS) {
		ev.now = p->now;
		ev.end = p->end;
		ev.permille = permille_of(p->now, p->end);
		if (text) {
			free(p->last_id);
			free(p->last_text);
			free(p->last_fmt);
			p->last_id = strdup(ev.id);
			p->last_text = strdup(ev.text);
			p->last_fmt = strdup(ev.fmt);
		}
	}
	if (p->fn)
		p->fn(p->opaque, &ev);
	free(text);
	group_clear(p);
}

void inst_dbs_flush(struct inst_dbs *p)
{
	if (p && p->kind)
		group_emit(p, NULL);
}

/* "P: now end [name]" */
static bool parse_progress(const char *v, uint64_t *now, uint64_t *end, const char **name)
{
	char *e;

	while (*v == ' ')
		v++;
	if (*v < '0' || *v > '9')
		return false;
	*now = strtoull(v, &e, 10);
	if (*e != ' ')
		return false;
	v = e;
	while (*v == ' ')
		v++;
	if (*v < '0' || *v > '9')
		return false;
	*end = strtoull(v, &e, 10);
	if (*e && *e != ' ')
		return false;
	while (*e == ' ')
		e++;
	*name = e;
	return true;
}

void inst_dbs_feed(struct inst_dbs *p, const char *line)
{
	static const char kinds[] = "PIWE";
	const char *colon = strchr(line, ':'), *v, *k;
	enum inst_dbs_kind kind;
	char sub;

	if (!p || !colon || colon == line || colon - line > 2)
		return;
	k = strchr(kinds, line[0]);
	if (!k)
		return;
	kind = INST_DBS_PROGRESS + (k - kinds);
	sub = colon - line == 2 ? line[1] : '\0';
	if (sub && sub != 'A' && sub != 'F')
		return;
	/* The value follows ": "; an argument keeps any further leading spaces. */
	v = colon + 1;
	if (*v == ' ')
		v++;
	if (!sub) {
		inst_dbs_flush(p);
		if (kind == INST_DBS_PROGRESS) {
			uint64_t now, end;
			const char *name;

			if (!parse_progress(v, &now, &end, &name))
				return;
			p->now = now;
			p->end = end;
			if (!*name) {
				/* Download progress: same stage, same text as the last named line. */
				struct inst_dbs_event ev = {
					.kind = INST_DBS_PROGRESS,
					.id = p->last_id ? p->last_id : "",
					.fmt = p->last_fmt ? p->last_fmt : "",
					.text = p->last_text ? p->last_text : "",
					.now = now, .end = end,
				};

				ev.permille = permille_of(now, end);
				if (p->fn)
					p->fn(p->opaque, &ev);
				return;
			}
			p->id = strndup(name, strcspn(name, " \t"));
		} else {
			p->id = strdup(v);
			if (p->id)
				rtrim(p->id);
		}
		p->kind = kind;
		return;
	}
	if (p->kind != kind)
		return;  /* an argument or format without its opening line */
	if (sub == 'A') {
		if (p->n_args == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 4;
			char **na = realloc(p->args, cap * sizeof(*na));

			if (!na)
				return;
			p->args = na;
			p->cap = cap;
		}
		p->args[p->n_args] = strdup(v);
		if (p->args[p->n_args])
			p->n_args++;
		return;
	}
	group_emit(p, v);
}

/* ---- mmdebstrap --verbose output --------------------------------------------- */

/*
 * mmdebstrap has no machine protocol: its "I:" lines name the phases and
 * dpkg's own "Unpacking"/"Setting up" lines (stable in the C locale) name
 * the packages. Each base package is unpacked once and set up once.
 */
struct inst_mmdbs {
	inst_dbs_fn fn;
	void *opaque;
	uint64_t steps, total;
};

/* The phases shown to the operator; other "I:" lines only go to the log. */
static const struct {
	const char *prefix, *text;
} mm_phases[] = {
	{ "downloading packages", N_("Downloading packages") },
	{ "extracting archives", N_("Extracting packages") },
	{ "installing essential packages", N_("Installing the essential packages...") },
	{ "installing remaining packages", N_("Installing the rest of the base system...") },
	{ "success in ", N_("Base system installed successfully.") },
};

struct inst_mmdbs *inst_mmdbs_new(size_t n_pkgs, inst_dbs_fn fn, void *opaque)
{
	struct inst_mmdbs *p = calloc(1, sizeof(*p));

	if (p) {
		p->fn = fn;
		p->opaque = opaque;
		p->total = 2 * (uint64_t)n_pkgs;
	}
	return p;
}

void inst_mmdbs_free(struct inst_mmdbs *p)
{
	free(p);
}

static void mm_emit(struct inst_mmdbs *p, enum inst_dbs_kind kind, const char *text,
		    const char *pkg)
{
	const char *args[1] = { pkg };
	struct inst_dbs_event ev = {
		.kind = kind, .id = "", .args = args, .n_args = pkg ? 1 : 0, .fmt = "", .text = text,
	};

	if (kind == INST_DBS_PROGRESS) {
		ev.now = p->steps;
		ev.end = p->total;
		/* The last step is the tool's exit, not a line: stay short of the whole. */
		ev.permille = p->total ? (unsigned)(p->steps * 1000 / p->total) : 0;
		if (ev.permille > 999)
			ev.permille = 999;
	}
	p->fn(p->opaque, &ev);
}

void inst_mmdbs_feed(struct inst_mmdbs *p, const char *line)
{
	static const struct {
		const char *verb, *text;
	} dpkg_verbs[] = {
		/* TRANSLATORS: debootstrap: %s is a package name. */
		{ "Unpacking ", N_("Unpacking %s...") },
		/* TRANSLATORS: debootstrap: %s is a package name. */
		{ "Setting up ", N_("Configuring %s...") },
	};

	if (!p || !line)
		return;
	if (!strncmp(line, "E: ", 3) || !strncmp(line, "W: ", 3)) {
		mm_emit(p, line[0] == 'E' ? INST_DBS_ERROR : INST_DBS_WARNING, line + 3, NULL);
		return;
	}
	if (!strncmp(line, "I: ", 3)) {
		for (size_t i = 0; i < sizeof(mm_phases) / sizeof(mm_phases[0]); i++)
			if (!strncmp(line + 3, mm_phases[i].prefix, strlen(mm_phases[i].prefix)))
				mm_emit(p, INST_DBS_INFO, _(mm_phases[i].text), NULL);
		return;
	}
	for (size_t i = 0; i < sizeof(dpkg_verbs) / sizeof(dpkg_verbs[0]); i++) {
		size_t vl = strlen(dpkg_verbs[i].verb), nl;
		char name[128], *text;

		if (strncmp(line, dpkg_verbs[i].verb, vl))
			continue;
		/* "NAME (VERSION) ..." or "NAME:ARCH (VERSION) over (OLD) ...". */
		nl = strcspn(line + vl, " :");
		if (nl == 0 || nl >= sizeof(name) || !strchr(line + vl + nl, '('))
			return;
		memcpy(name, line + vl, nl);
		name[nl] = '\0';
		text = inst_dbs_format(_(dpkg_verbs[i].text), (const char *const[]){ name }, 1);
		if (!text)
			return;
		p->steps++;
		mm_emit(p, INST_DBS_INFO, text, name);
		mm_emit(p, INST_DBS_PROGRESS, text, name);
		free(text);
		return;
	}
}

/* ---- apt's APT::Status-Fd ---------------------------------------------------- */

/* A number as apt prints it ("12.5000", "9.06", "1e-05"), independent of the C locale. */
static bool parse_pct(const char *s, size_t n, double *out)
{
	double v = 0, scale = 1;
	size_t i = 0;
	bool digits = false, neg = false;
	int ex = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true)
		v = v * 10 + (s[i] - '0');
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true)
			v += (s[i] - '0') * (scale /= 10);
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		bool eneg = false, edig = false;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, edig = true)
			if (ex < 400)
				ex = ex * 10 + (s[i] - '0');
		if (!edig)
			return false;
		while (ex-- > 0)
			v = eneg ? v / 10 : v * 10;
	}
	if (i != n)
		return false;
	v = neg ? -v : v;
	*out = v < 0 ? 0 : v > 100 ? 100 : v;
	return true;
}

/* Copy @n bytes of @s into @dst of @size, cut at a UTF-8 boundary when it does not fit. */
static void copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = base_utf8_cut(s, size - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int inst_apt_status_parse(const char *line, struct inst_apt_status *st)
{
	static const struct {
		const char *name;
		enum inst_apt_status_kind kind;
	} kinds[] = {
		{ "dlstatus", INST_APT_DLSTATUS },
		{ "pmstatus", INST_APT_PMSTATUS },
		{ "pmerror", INST_APT_PMERROR },
		{ "pmconffile", INST_APT_PMCONFFILE },
		{ "media-change", INST_APT_MEDIA_CHANGE },
	};
	const char *c1, *c2, *c3, *desc;
	size_t dlen;

	memset(st, 0, sizeof(*st));
	if (!line || !(c1 = strchr(line, ':')))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == (size_t)(c1 - line) &&
		    !strncmp(line, kinds[i].name, c1 - line))
			st->kind = kinds[i].kind;
	if (!st->kind || !(c2 = strchr(c1 + 1, ':')) || !(c3 = strchr(c2 + 1, ':')))
		goto bad;
	desc = c3 + 1;
	if (st->kind == INST_APT_MEDIA_CHANGE) {
		copy_field(st->drive, sizeof(st->drive), c2 + 1, c3 - c2 - 1);
	} else if (!parse_pct(c2 + 1, c3 - c2 - 1, &st->pct)) {
		/* "pmerror:libc6:amd64:20.0000:..." — the package carries its architecture. */
		const char *c4 = strchr(c3 + 1, ':');

		if (st->kind == INST_APT_DLSTATUS || !c4 || !parse_pct(c3 + 1, c4 - c3 - 1, &st->pct))
			goto bad;
		c2 = c3;
		desc = c4 + 1;
	}
	if (c2 == c1 + 1)
		goto bad;  /* no item, package or medium */
	copy_field(st->id, sizeof(st->id), c1 + 1, c2 - c1 - 1);
	dlen = strcspn(desc, "\r\n");
	copy_field(st->desc, sizeof(st->desc), desc, dlen);
	return 0;
bad:
	memset(st, 0, sizeof(*st));
	return -EINVAL;
}
