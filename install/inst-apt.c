/* Dependency Check: the complete package set an install gets, worked out by apt under a private configuration, and its download. */
#include "inst-apt.h"
#include "hostcfg/hcfg.h"
#include "base/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define DEFAULT_ARCH    "amd64"

/* ---- small helpers ------------------------------------------------------------ */

/* apt's own text without its trailing period, so our sentence can end with one. */
static char *detail(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	return strndup(s, n);
}

/* The rest of the first line of @text that starts with @prefix, or NULL. */
static char *line_after(const char *text, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, plen))
			return detail(l + plen, strcspn(l + plen, "\n"));
	return NULL;
}

/* ---- progress ------------------------------------------------------------------ */

struct prog {
	void (*fn)(void *opaque, unsigned permille, const char *text);
	void *opaque;
	unsigned lo, hi, cur;
	const char *text;
};

static void prog_set(struct prog *p, unsigned stage_permille)
{
	unsigned v = p->lo + (p->hi - p->lo) * (stage_permille > 1000 ? 1000 : stage_permille) / 1000;

	if (v > p->cur)
		p->cur = v;
	if (p->fn)
		p->fn(p->opaque, p->cur, p->text);
}

static void prog_stage(struct prog *p, unsigned lo, unsigned hi, const char *text)
{
	p->lo = lo;
	p->hi = hi;
	p->text = text;
	prog_set(p, 0);
}

static void prog_tick(void *opaque)
{
	struct prog *p = opaque;

	if (p->fn)
		p->fn(p->opaque, p->cur, p->text);
}

static void prog_status_line(void *opaque, const char *line)
{
	struct inst_apt_status st;

	if (inst_apt_status_parse(line, &st) == 0 && st.kind == INST_APT_DLSTATUS)
		prog_set(opaque, (unsigned)(st.pct * 10));
}

/* ---- the private apt configuration ---------------------------------------------- */

struct aptenv {
	char dir[PATH_MAX];           /* the work directory, absolute */
	char conf[PATH_MAX];
	char lists[PATH_MAX];
	char envconf[PATH_MAX + 16];
	const char *env[4];
	char mirror[PATH_MAX];        /* normalised: file: for a bare path */
	char security[PATH_MAX];
	const char *arch;
};

static bool has_bad_char(const char *s)
{
	return s && strpbrk(s, "\"\n\r");
}

static void normalise_url(const char *in, char *out, size_t len)
{
	if (!in || !*in)
		snprintf(out, len, "%s", "");
	else if (in[0] == '/')
		snprintf(out, len, "file:%s", in);
	else
		snprintf(out, len, "%s", in);
}

static void put_stanza(struct base_buf *b, const char *url, const char *suite, const char *comps,
		       const char *keyring, bool trusted)
{
	if (!comps || !*comps)
		comps = "main";

	base_buf_str(b, "Types: deb\nURIs: ");
	base_buf_str(b, url);
	base_buf_str(b, "\nSuites: ");
	base_buf_str(b, suite);
	base_buf_str(b, "\n");
	/* A flat repository ("./") has no components. */
	if (suite[strlen(suite) - 1] != '/') {
		base_buf_str(b, "Components: ");
		base_buf_str(b, comps);
		base_buf_str(b, "\n");
	}
	if (trusted) {
		base_buf_str(b, "Trusted: yes\n");
	} else {
		base_buf_str(b, "Signed-By: ");
		base_buf_str(b, keyring && *keyring ? keyring : DEFAULT_KEYRING);
		base_buf_str(b, "\n");
	}
	base_buf_str(b, "\n");
}

static void add_stanza(struct base_buf *b, const struct inst_apt_source *src, const char *url,
		       const char *suite)
{
	put_stanza(b, url, suite, src->components, src->keyring, src->trusted);
}

/* Is each extra repository something apt's configuration can hold, its key readable? */
static int extras_ok(const struct inst_apt_source *src, char **cause)
{
	for (size_t i = 0; i < src->n_extra; i++) {
		const struct inst_apt_extra *x = &src->extra[i];

		if (!x->url || !*x->url || !x->suite || !*x->suite || has_bad_char(x->url) ||
		    has_bad_char(x->suite) || has_bad_char(x->components) || has_bad_char(x->keyring) ||
		    strpbrk(x->url, " \t") || strchr(x->suite, ' '))
			return base_cause(cause, -EINVAL, _("The package source %s is not valid."),
					  x->url ? x->url : "");
		if (!x->trusted && (!x->keyring || access(x->keyring, R_OK) < 0))
			return base_cause(cause, -ENOENT, _("The key of the package source %s is missing."),
					  x->url);
	}
	return 0;
}

static int write_text(const char *dir, const char *rel, const char *text, char **cause)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >= (int)sizeof(path))
		return base_cause(cause, -ENAMETOOLONG, _("The path %s is too long."), dir);
	return hcfg_write_file(path, text, 0644, cause);
}

/* Create @workdir's layout and write the configuration apt-get reads through APT_CONFIG. */
static int aptenv_setup(struct aptenv *ae, const struct inst_apt_source *src, const char *workdir,
			char **cause)
{
	static const char *const subdirs[] = {
		"etc/apt.conf.d", "etc/sources.list.d", "etc/preferences.d", "etc/trusted.gpg.d",
		"etc/auth.conf.d", "state/lists/partial", "cache", "archives/partial", "dpkg", "log",
	};
	const char *keyring = src->keyring && *src->keyring ? src->keyring : DEFAULT_KEYRING;
	char sec_suite[256], path[PATH_MAX];
	struct base_buf conf = { 0 }, list = { 0 };
	int rc;

	memset(ae, 0, sizeof(*ae));
	if (!src->mirror || !*src->mirror || !src->suite || !*src->suite)
		return base_cause(cause, -EINVAL, _("No package source was given."));
	if (has_bad_char(src->mirror) || has_bad_char(src->suite) || has_bad_char(src->components) ||
	    has_bad_char(src->security_mirror) || has_bad_char(src->security_suite) ||
	    has_bad_char(src->keyring) || has_bad_char(src->arch) || strchr(src->suite, ' '))
		return base_cause(cause, -EINVAL, _("The package source %s is not valid."), src->mirror);
	if (!workdir || !*workdir || has_bad_char(workdir))
		return base_cause(cause, -EINVAL, _("The work directory %s cannot be used."),
				  workdir ? workdir : "");
	if (!src->trusted && access(keyring, R_OK) < 0)
		return base_cause(cause, -ENOENT, _("The archive keyring %s is missing."), keyring);
	rc = extras_ok(src, cause);
	if (rc < 0)
		return rc;
	rc = hcfg_mkdirs(workdir, cause);
	if (rc < 0)
		return rc;
	if (!realpath(workdir, ae->dir))
		return base_cause(cause, -errno, _("Could not create %s: %s."), workdir,
				  strerror(errno));
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", ae->dir, subdirs[i]);
		rc = hcfg_mkdirs(path, cause);
		if (rc < 0)
			return rc;
	}
	ae->arch = src->arch && *src->arch ? src->arch : DEFAULT_ARCH;
	normalise_url(src->mirror, ae->mirror, sizeof(ae->mirror));
	normalise_url(src->security_mirror, ae->security, sizeof(ae->security));
	snprintf(ae->conf, sizeof(ae->conf), "%s/apt.conf", ae->dir);
	snprintf(ae->lists, sizeof(ae->lists), "%s/state/lists", ae->dir);
	snprintf(ae->envconf, sizeof(ae->envconf), "APT_CONFIG=%s", ae->conf);
	ae->env[0] = ae->envconf;
	/* apt's messages are parsed: keep them in English (LANGUAGE is ignored in the C locale). */
	ae->env[1] = "LC_ALL=C";
	ae->env[2] = "DEBIAN_FRONTEND=noninteractive";
	ae->env[3] = NULL;

	/* An empty dpkg database: resolve as for a system that has nothing yet. */
	rc = write_text(ae->dir, "dpkg/status", "", cause);
	if (rc < 0)
		return rc;

	add_stanza(&list, src, ae->mirror, src->suite);
	if (ae->security[0]) {
		if (src->security_suite && *src->security_suite)
			snprintf(sec_suite, sizeof(sec_suite), "%s", src->security_suite);
		else
			snprintf(sec_suite, sizeof(sec_suite), "%s-security", src->suite);
		add_stanza(&list, src, ae->security, sec_suite);
	}
	for (size_t i = 0; i < src->n_extra; i++) {
		const struct inst_apt_extra *x = &src->extra[i];

		put_stanza(&list, x->url, x->suite, x->components, x->keyring, x->trusted);
	}

	/* Every path apt would take from the host points into the work directory or nowhere. */
	{
		char *c = NULL;
		const char *d = ae->dir;

		if (asprintf(&c,
			     "Dir \"/\";\n"
			     "Dir::Etc \"%s/etc\";\n"
			     "Dir::Etc::main \"/dev/null\";\n"
			     "Dir::Etc::parts \"%s/etc/apt.conf.d\";\n"
			     "Dir::Etc::sourcelist \"/dev/null\";\n"
			     "Dir::Etc::sourceparts \"%s/etc/sources.list.d\";\n"
			     "Dir::Etc::preferences \"/dev/null\";\n"
			     "Dir::Etc::preferencesparts \"%s/etc/preferences.d\";\n"
			     "Dir::Etc::trusted \"%s/etc/trusted.gpg\";\n"
			     "Dir::Etc::trustedparts \"%s/etc/trusted.gpg.d\";\n"
			     "Dir::Etc::netrc \"%s/etc/auth.conf\";\n"
			     "Dir::Etc::netrcparts \"%s/etc/auth.conf.d\";\n"
			     "Dir::State \"%s/state\";\n"
			     "Dir::State::lists \"%s/state/lists\";\n"
			     "Dir::State::extended_states \"%s/state/extended_states\";\n"
			     "Dir::State::status \"%s/dpkg/status\";\n"
			     "Dir::Cache \"%s/cache\";\n"
			     "Dir::Cache::archives \"%s/archives\";\n"
			     "Dir::Log \"%s/log\";\n"
			     "APT::Architecture \"%s\";\n"
			     "APT::Architectures { \"%s\"; };\n"
			     "APT::Install-Recommends \"%s\";\n"
			     "APT::Install-Suggests \"false\";\n"
			     "APT::Get::List-Cleanup \"true\";\n"
			     "APT::Update::Error-Mode \"any\";\n"
			     "Acquire::Languages \"none\";\n"
			     "Acquire::GzipIndexes \"false\";\n"
			     "Acquire::PDiffs \"false\";\n",
			     d, d, d, d, d, d, d, d, d, d, d, d, d, d, d, ae->arch, ae->arch,
			     src->recommends ? "true" : "false") < 0)
			c = NULL;
		if (c)
			base_buf_str(&conf, c);
		else
			conf.oom = true;
		free(c);
	}
	if (conf.oom || list.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_write_file(ae->conf, conf.s, 0644, cause);
	if (rc == 0)
		rc = write_text(ae->dir, "etc/sources.list.d/ospite.sources", list.s, cause);
out:
	free(conf.s);
	free(list.s);
	return rc;
}

/*
 * Run apt-get with the private configuration; its output goes to a scratch
 * file so errors can be read back, and is then appended to the log.
 */
static int run_apt(struct aptenv *ae, const char *const argv[], int logfd, struct prog *pg,
		   bool status, char **out, char **cause)
{
	char tmpl[PATH_MAX];
	int fd, rc;
	off_t len;

	*out = NULL;
	snprintf(tmpl, sizeof(tmpl), "%s/apt-output.XXXXXX", ae->dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not create a temporary file: %s."),
				  strerror(errno));
	unlink(tmpl);
	rc = base_run_status(argv, ae->env, fd, status ? 3 : -1, status ? prog_status_line : NULL,
			     prog_tick, pg, cause);
	len = lseek(fd, 0, SEEK_END);
	if (len >= 0) {
		char *buf = malloc(len + 1);
		ssize_t r = buf ? pread(fd, buf, len, 0) : -1;

		if (r >= 0) {
			buf[r] = '\0';
			if (logfd >= 0 && r > 0) {
				ssize_t w = write(logfd, buf, r);  /* the log is best effort */

				(void)w;
			}
			*out = buf;
		} else {
			free(buf);
		}
	}
	close(fd);
	if (!*out && rc >= 0)
		return base_cause(cause, -EIO, _("Could not read the output of %s."), argv[0]);
	return rc;
}

/* ---- the package index, read in one pass ------------------------------------------ */

struct ient {
	const char *name, *ver, *arch, *sum;
	uint32_t nlen, vlen, alen, slen;
	uint64_t size, isize;
	int32_t next;            /* next entry with the same name, -1 at the end */
	uint8_t prio;            /* 2 required, 1 important, 3 standard, 0 anything else */
};

/* A name inside a mapped Packages file (not NUL-terminated); @i is its entry, or -1. */
struct key {
	const char *s;
	uint32_t n;
	int32_t i;
};

/* A growable array of keys, sorted once the index is read and searched with bsearch(). */
struct keys {
	struct key *v;
	size_t n, cap;
};

struct index {
	struct ient *e;
	size_t n, cap;
	struct keys names;       /* every entry by name; equal names: the one read last first */
	struct keys provides;    /* virtual names */
	struct { void *p; size_t len; } *maps;
	size_t n_maps;
	const char *arch;
};

static int keys_add(struct keys *k, const char *s, size_t n, int32_t i)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		struct key *nv = realloc(k->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		k->v = nv;
		k->cap = cap;
	}
	k->v[k->n++] = (struct key){ .s = s, .n = n, .i = i };
	return 0;
}

static int key_cmp_name(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* By name, then the entry read last first: the order lookups have always walked them in. */
static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = key_cmp_name(a, b);

	return c ? c : (x->i < y->i) - (x->i > y->i);
}

/* The first key named @s (@n bytes) in the sorted @k, or NULL. */
static const struct key *keys_find(const struct keys *k, const char *s, size_t n)
{
	const struct key want = { .s = s, .n = n }, *hit;

	if (!k->n)
		return NULL;
	hit = bsearch(&want, k->v, k->n, sizeof(*k->v), key_cmp_name);
	while (hit && hit > k->v && key_cmp_name(hit - 1, &want) == 0)
		hit--;
	return hit;
}

static void index_free(struct index *ix)
{
	for (size_t i = 0; i < ix->n_maps; i++)
		munmap(ix->maps[i].p, ix->maps[i].len);
	free(ix->maps);
	free(ix->e);
	free(ix->names.v);
	free(ix->provides.v);
	memset(ix, 0, sizeof(*ix));
}

static uint64_t parse_u64(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool same(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

static int add_provides(struct index *ix, const char *s, size_t n)
{
	while (n > 0) {
		const char *comma = memchr(s, ',', n);
		size_t item = comma ? (size_t)(comma - s) : n, k = 0;

		while (item > 0 && *s == ' ') {
			s++;
			n--;
			item--;
		}
		while (k < item && s[k] != ' ' && s[k] != '(')
			k++;
		if (k > 0 && keys_add(&ix->provides, s, k, -1) < 0)
			return -ENOMEM;
		if (!comma)
			break;
		n -= comma + 1 - s;
		s = comma + 1;
	}
	return 0;
}

static int commit(struct index *ix, struct ient *cur, const char *prov, size_t provlen)
{
	if (!cur->name || !cur->ver)
		return 0;
	if (cur->arch && !same(cur->arch, cur->alen, "all") && !same(cur->arch, cur->alen, ix->arch))
		return 0;
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 65536;
		struct ient *ne = realloc(ix->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		ix->e = ne;
		ix->cap = cap;
	}
	if (keys_add(&ix->names, cur->name, cur->nlen, (int32_t)ix->n) < 0)
		return -ENOMEM;
	ix->e[ix->n++] = *cur;
	return prov ? add_provides(ix, prov, provlen) : 0;
}

/* Read one Packages file; its text stays mapped, the entries point into it. */
static int index_file(struct index *ix, const char *path, char **cause)
{
	struct ient cur = { .next = -1 };
	const char *p, *end, *prov = NULL;
	size_t provlen = 0;
	struct stat st;
	void *data, *nm;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return base_cause(cause, rc, _("Could not read %s: %s."), path, strerror(-rc));
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	rc = -errno;
	close(fd);
	if (data == MAP_FAILED)
		return base_cause(cause, rc, _("Could not read %s: %s."), path, strerror(-rc));
	nm = realloc(ix->maps, (ix->n_maps + 1) * sizeof(*ix->maps));
	if (!nm) {
		munmap(data, st.st_size);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	ix->maps = nm;
	ix->maps[ix->n_maps].p = data;
	ix->maps[ix->n_maps++].len = st.st_size;
	rc = 0;
	p = data;
	end = p + st.st_size;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', end - p), *le = nl ? nl : end;
		size_t len = le - p;

		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len == 0) {
			rc = commit(ix, &cur, prov, provlen);
			cur = (struct ient){ .next = -1 };
			prov = NULL;
		} else if (*p != ' ' && *p != '\t') {
#define FIELD(lit) (len >= sizeof(lit) - 1 && !memcmp(p, lit, sizeof(lit) - 1))
#define VAL(lit) p + sizeof(lit) - 1, len - (sizeof(lit) - 1)
			if (FIELD("Package: ")) {
				cur.name = p + 9;
				cur.nlen = len - 9;
			} else if (FIELD("Version: ")) {
				cur.ver = p + 9;
				cur.vlen = len - 9;
			} else if (FIELD("Architecture: ")) {
				cur.arch = p + 14;
				cur.alen = len - 14;
			} else if (FIELD("Description: ")) {
				cur.sum = p + 13;
				cur.slen = len - 13;
			} else if (FIELD("Size: ")) {
				cur.size = parse_u64(VAL("Size: "));
			} else if (FIELD("Installed-Size: ")) {
				cur.isize = parse_u64(VAL("Installed-Size: "));
			} else if (FIELD("Priority: ")) {
				const char *v = p + 10;
				size_t vl = len - 10;

				cur.prio = same(v, vl, "required") ? 2 : same(v, vl, "important") ? 1 :
					   same(v, vl, "standard") ? 3 : 0;
			} else if (FIELD("Provides: ")) {
				prov = p + 10;
				provlen = len - 10;
			}
#undef FIELD
#undef VAL
		}
		p = nl ? nl + 1 : end;
	}
	if (rc == 0)
		rc = commit(ix, &cur, prov, provlen);
	if (rc < 0)
		return base_cause(cause, rc, _("Out of memory."));
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

static int index_load(struct index *ix, const char *lists, const char *arch, char **cause)
{
	DIR *d = opendir(lists);
	struct dirent *de;
	size_t files = 0;
	int rc = 0;

	memset(ix, 0, sizeof(*ix));
	ix->arch = arch;
	if (!d)
		return base_cause(cause, -errno, _("Could not read %s: %s."), lists, strerror(errno));
	while (rc == 0 && (de = readdir(d))) {
		char path[PATH_MAX];

		if (!ends_with(de->d_name, "_Packages"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", lists, de->d_name);
		rc = index_file(ix, path, cause);
		files++;
	}
	closedir(d);
	if (rc == 0 && !files)
		rc = base_cause(cause, -ENOENT, _("The package source has no package index for %s."),
				arch);
	if (rc < 0)
		return rc;
	/* An index without Provides has no array at all, and qsort must not be given NULL. */
	if (ix->names.n)
		qsort(ix->names.v, ix->names.n, sizeof(*ix->names.v), key_cmp);
	if (ix->provides.n)
		qsort(ix->provides.v, ix->provides.n, sizeof(*ix->provides.v), key_cmp_name);
	/* Chain the entries of one name, so that a lookup walks them without the array. */
	for (size_t i = 0; i < ix->names.n; i++) {
		const struct key *k = &ix->names.v[i];

		ix->e[k->i].next = i + 1 < ix->names.n && key_cmp_name(k, k + 1) == 0 ? k[1].i : -1;
	}
	return 0;
}

/* The entries named @name (@n bytes), chained by ->next; NULL when there is none. */
static const struct ient *index_get(const struct index *ix, const char *name, size_t n)
{
	const struct key *k = keys_find(&ix->names, name, n);

	return k ? &ix->e[k->i] : NULL;
}

/* ---- resolution ------------------------------------------------------------------- */

struct namelist {
	char **v;
	size_t n, cap;
};

static int nl_add(struct namelist *l, const char *s, size_t n)
{
	if (l->n + 1 >= l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n] = strndup(s, n);
	if (!l->v[l->n])
		return -ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

static void nl_free(struct namelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every package of Priority required or important (debootstrap's default
 * variant), or with @standard every one of Priority standard.
 */
static int prio_names(const struct index *ix, bool standard, struct namelist *out)
{
	for (size_t i = 0; i < ix->names.n; i++) {
		const struct key *kn = &ix->names.v[i];

		/* Once per name: the first of its run in the sorted array. */
		if (i > 0 && key_cmp_name(kn - 1, kn) == 0)
			continue;
		for (int32_t k = kn->i; k >= 0; k = ix->e[k].next)
			if (standard ? ix->e[k].prio == 3 : ix->e[k].prio == 1 || ix->e[k].prio == 2) {
				if (nl_add(out, kn->s, kn->n) < 0)
					return -ENOMEM;
				break;
			}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

static bool valid_name(const char *s, size_t n)
{
	if (n < 1 || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("+-.", s[i])))
			return false;
	return true;
}

struct instline {
	char *name, *ver, *arch;
};

/* "Inst NAME [OLD] (VERSION RELEASE... [ARCH]) ..." from apt-get --simulate. */
static int parse_inst(const char *line, struct instline *il)
{
	const char *p = line + 5, *open, *close, *lb, *rb;
	size_t n;

	memset(il, 0, sizeof(*il));
	n = strcspn(p, " \n");
	if (!n)
		return -EINVAL;
	il->name = strndup(p, n);
	open = strchr(p + n, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!il->name || !close)
		goto bad;
	n = strcspn(open + 1, " )");
	il->ver = strndup(open + 1, n);
	lb = memrchr(open, '[', close - open);
	rb = lb ? memchr(lb, ']', close - lb) : NULL;
	il->arch = lb && rb ? strndup(lb + 1, rb - lb - 1) : strdup("");
	if (!il->ver || !il->arch)
		goto bad;
	return 0;
bad:
	free(il->name);
	free(il->ver);
	free(il->arch);
	memset(il, 0, sizeof(*il));
	return -EINVAL;
}

struct instlist {
	struct instline *v;
	size_t n, cap;
};

static void il_free(struct instlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].ver);
		free(l->v[i].arch);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int collect_inst(const char *out, struct instlist *l)
{
	for (const char *s = out; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		struct instline il;

		if (strncmp(s, "Inst ", 5))
			continue;
		{
			size_t n = strcspn(s, "\n");
			char *line = strndup(s, n);
			int rc;

			if (!line)
				return -ENOMEM;
			rc = parse_inst(line, &il);
			free(line);
			if (rc < 0)
				continue;
		}
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 256;
			struct instline *nv = realloc(l->v, cap * sizeof(*nv));

			if (!nv) {
				free(il.name);
				free(il.ver);
				free(il.arch);
				return -ENOMEM;
			}
			l->v = nv;
			l->cap = cap;
		}
		l->v[l->n++] = il;
	}
	return 0;
}

/* Why apt-get install --simulate failed, as one of our sentences. */
static int simulate_error(const char *out, char **cause)
{
	const char *hdr = out ? strstr(out, "The following packages have unmet dependencies:") : NULL;
	char *e;
	int rc;

	if (hdr) {
		struct base_buf b = { 0 };

		for (const char *l = strchr(hdr, '\n'); l && l[1] == ' '; l = strchr(l + 1, '\n')) {
			size_t n = strcspn(l + 1, "\n");
			char *d = detail(l + 1, n);

			if (!d)
				continue;
			if (*d) {
				if (b.len)
					base_buf_str(&b, "; ");
				base_buf_str(&b, d);
			}
			free(d);
		}
		if (b.len && !b.oom) {
			/* TRANSLATORS: %s is apt's list of the conflicts or missing dependencies. */
			rc = base_cause(cause, -EPROTO, _("The packages cannot be installed together: %s."),
					b.s);
			free(b.s);
			return rc;
		}
		free(b.s);
	}
	e = out ? line_after(out, "E: ") : NULL;
	if (e)
		rc = base_cause(cause, -EPROTO, _("The package dependencies could not be resolved: %s."),
				e);
	else
		rc = base_cause(cause, -EPROTO, _("The package dependencies could not be resolved."));
	free(e);
	return rc;
}

/* Run apt-get install --simulate of @names and collect what it would install. */
static int simulate(struct aptenv *ae, const struct namelist *names, bool recommends, int logfd,
		    struct prog *pg, struct instlist *out, char **cause)
{
	const char **argv = calloc(names->n + 8, sizeof(*argv));
	char *text = NULL;
	size_t k = 0;
	int rc;

	if (!argv)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	argv[k++] = "apt-get";
	argv[k++] = "install";
	argv[k++] = "--simulate";
	argv[k++] = "-q";
	argv[k++] = "-o";
	argv[k++] = recommends ? "APT::Install-Recommends=true" : "APT::Install-Recommends=false";
	for (size_t i = 0; i < names->n; i++)
		argv[k++] = names->v[i];
	argv[k] = NULL;
	rc = run_apt(ae, argv, logfd, pg, false, &text, cause);
	if (rc > 0)
		rc = simulate_error(text, cause);
	if (rc == 0 && collect_inst(text, out) < 0)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	free(text);
	free(argv);
	return rc;
}

/* Why apt-get update failed, naming the source it could not use (the mirror's, or an extra one). */
static int update_error(const struct aptenv *ae, const struct inst_apt_source *src, const char *out,
			char **cause)
{
	char *e = out ? line_after(out, "E: ") : NULL;
	int rc;

	if (!e)
		return base_cause(cause, -EIO, _("The package lists could not be downloaded."));
	for (size_t i = 0; i < 2 + src->n_extra; i++) {
		const char *url = i == 0 ? ae->mirror : i == 1 ? ae->security : src->extra[i - 2].url;
		size_t n = strlen(url);

		while (n > 0 && url[n - 1] == '/')
			n--;
		if (!n)
			continue;
		/*
		 * apt says "is not signed" whether the signature is missing or made
		 * by a key the keyring does not hold: say what that means here.
		 */
		if (memmem(e, strlen(e), url, n) && strstr(e, "is not signed")) {
			/* TRANSLATORS: a URL, then apt's own message. */
			rc = base_cause(cause, -EIO, _("The signature of the package source %s does not match the key given for it: it is signed by another key, or not at all. apt says: %s."),
					url, e);
			free(e);
			return rc;
		}
		if (!strncmp(e, "Failed to fetch ", 16) && !strncmp(e + 16, url, n)) {
			const char *reason = e + 16 + strcspn(e + 16, " ");
			char *d = detail(reason, strlen(reason));

			/* TRANSLATORS: a URL, then apt's reason ("Could not connect to ..."). */
			rc = base_cause(cause, -EHOSTUNREACH,
					_("The package source %s could not be reached: %s."), url,
					d && *d ? d : e);
			free(d);
			free(e);
			return rc;
		}
		if (memmem(e, strlen(e), url, n)) {
			/* TRANSLATORS: a URL, then apt's explanation (a missing Release file, a bad signature). */
			rc = base_cause(cause, -EIO, _("The package source %s could not be used: %s."),
					url, e);
			free(e);
			return rc;
		}
	}
	rc = base_cause(cause, -EIO, _("The package lists could not be downloaded: %s."), e);
	free(e);
	return rc;
}

static int cmp_pkg(const void *a, const void *b)
{
	return strcmp(((const struct inst_pkg *)a)->name, ((const struct inst_pkg *)b)->name);
}

static int fill_set(const struct index *ix, const struct instlist *full, const struct instlist *base,
		    struct inst_pkgset *out, char **cause)
{
	memset(out, 0, sizeof(*out));
	out->pkgs = calloc(full->n ? full->n : 1, sizeof(*out->pkgs));
	if (!out->pkgs)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	for (size_t i = 0; i < full->n; i++) {
		const struct instline *il = &full->v[i];
		struct inst_pkg *pk = &out->pkgs[out->n++];
		const struct ient *hit = NULL;

		for (const struct ient *e = index_get(ix, il->name, strlen(il->name)); e;
		     e = e->next >= 0 ? &ix->e[e->next] : NULL) {
			if (!same(e->ver, e->vlen, il->ver))
				continue;
			if (!hit || (e->arch && same(e->arch, e->alen, il->arch)))
				hit = e;
		}
		pk->name = strdup(il->name);
		pk->version = strdup(il->ver);
		pk->arch = strdup(il->arch);
		pk->summary = hit && hit->sum ? strndup(hit->sum, hit->slen) : strdup("");
		if (hit) {
			pk->size = hit->size;
			pk->installed_size = hit->isize * 1024;
		}
		if (!pk->name || !pk->version || !pk->arch || !pk->summary) {
			inst_pkgset_free(out);
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		}
	}
	qsort(out->pkgs, out->n, sizeof(*out->pkgs), cmp_pkg);
	for (size_t i = 0; i < base->n; i++) {
		struct inst_pkg *pk = (struct inst_pkg *)inst_pkgset_find(out, base->v[i].name);

		if (pk && !pk->base) {
			pk->base = true;
			out->n_base++;
		}
	}
	for (size_t i = 0; i < out->n; i++) {
		out->total_size += out->pkgs[i].size;
		out->total_installed += out->pkgs[i].installed_size;
	}
	return 0;
}

int inst_apt_resolve(const struct inst_apt_source *src, const char *const pkgs[],
		     const char *workdir, int logfd,
		     void (*progress)(void *opaque, unsigned permille, const char *text),
		     void *opaque, struct inst_pkgset *out, char **cause)
{
	struct prog pg = { .fn = progress, .opaque = opaque };
	struct namelist base = { 0 }, all = { 0 }, missing = { 0 }, std = { 0 };
	struct instlist sim_base = { 0 }, sim_all = { 0 };
	struct index ix = { 0 };
	struct aptenv *ae = calloc(1, sizeof(*ae));
	char *text = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ae)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = aptenv_setup(ae, src, workdir, cause);
	if (rc < 0)
		goto out;

	prog_stage(&pg, 0, 700, _("Downloading the package lists..."));
	rc = run_apt(ae, (const char *const[]){ "apt-get", "update", "-q", "-o", "APT::Status-Fd=3",
						NULL },
		     logfd, &pg, true, &text, cause);
	if (rc > 0)
		rc = update_error(ae, src, text, cause);
	free(text);
	text = NULL;
	if (rc < 0)
		goto out;

	prog_stage(&pg, 700, 760, _("Reading the package lists..."));
	rc = index_load(&ix, ae->lists, ae->arch, cause);
	if (rc < 0)
		goto out;

	/* Name every missing package at once rather than letting apt stop at the first. */
	for (size_t i = 0; pkgs && pkgs[i]; i++) {
		size_t n = strcspn(pkgs[i], "=/:");

		if (!*pkgs[i])
			continue;
		if (!valid_name(pkgs[i], n) ||
		    (!index_get(&ix, pkgs[i], n) && !keys_find(&ix.provides, pkgs[i], n))) {
			if (nl_add(&missing, pkgs[i], n) < 0)
				goto oom;
		} else if (nl_add(&all, pkgs[i], strlen(pkgs[i])) < 0) {
			goto oom;
		}
	}
	if (missing.n == 1)
		rc = base_cause(cause, -ENOENT, _("The package %s is not available from %s."),
				missing.v[0], ae->mirror);
	if (missing.n > 1) {
		struct base_buf b = { 0 };

		for (size_t i = 0; i < missing.n; i++) {
			if (i)
				base_buf_str(&b, ", ");
			base_buf_str(&b, missing.v[i]);
		}
		if (b.oom)
			goto oom;
		/* TRANSLATORS: a URL, then a comma-separated list of package names. */
		rc = base_cause(cause, -ENOENT, _("These packages are not available from %s: %s."),
				ae->mirror, b.s);
		free(b.s);
	}
	if (missing.n) {
		/* The names are the caller's too, for what it may tell about one of them. */
		out->missing = missing.v;
		out->n_missing = missing.n;
		memset(&missing, 0, sizeof(missing));
		goto out;
	}
	if (prio_names(&ix, false, &base) < 0)
		goto oom;
	for (size_t i = 0; i < base.n; i++)
		if (nl_add(&all, base.v[i], strlen(base.v[i])) < 0)
			goto oom;
	if (src->standard) {
		if (prio_names(&ix, true, &std) < 0)
			goto oom;
		for (size_t i = 0; i < std.n; i++)
			if (nl_add(&all, std.v[i], strlen(std.v[i])) < 0)
				goto oom;
	}

	prog_stage(&pg, 760, 860, _("Resolving dependencies..."));
	rc = simulate(ae, &base, false, logfd, &pg, &sim_base, cause);
	if (rc < 0)
		goto out;
	prog_stage(&pg, 860, 980, _("Resolving dependencies..."));
	rc = simulate(ae, &all, src->recommends, logfd, &pg, &sim_all, cause);
	if (rc < 0)
		goto out;
	rc = fill_set(&ix, &sim_all, &sim_base, out, cause);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < std.n; i++) {
		struct inst_pkg *pk = (struct inst_pkg *)inst_pkgset_find(out, std.v[i]);

		if (pk && !pk->base)
			pk->standard = true;
	}
	pg.lo = pg.hi = 1000;
	prog_set(&pg, 1000);
	goto out;
oom:
	rc = base_cause(cause, -ENOMEM, _("Out of memory."));
out:
	il_free(&sim_base);
	il_free(&sim_all);
	nl_free(&base);
	nl_free(&std);
	nl_free(&all);
	nl_free(&missing);
	index_free(&ix);
	free(ae);
	return rc;
}

int inst_apt_download(const struct inst_apt_source *src, const struct inst_pkgset *set,
		      const char *workdir, int logfd,
		      void (*progress)(void *opaque, unsigned permille, const char *text),
		      void *opaque, char **cause)
{
	struct prog pg = { .fn = progress, .opaque = opaque };
	struct aptenv *ae = calloc(1, sizeof(*ae));
	const char **argv = NULL;
	char **specs = NULL, *text = NULL;
	size_t k = 0;
	int rc;

	if (!ae)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = aptenv_setup(ae, src, workdir, cause);
	if (rc < 0)
		goto out;
	if (!set || !set->n)
		goto out;
	argv = calloc(set->n + 10, sizeof(*argv));
	specs = calloc(set->n, sizeof(*specs));
	if (!argv || !specs) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	argv[k++] = "apt-get";
	argv[k++] = "install";
	argv[k++] = "--download-only";
	argv[k++] = "-y";
	argv[k++] = "-q";
	argv[k++] = "-o";
	argv[k++] = "APT::Status-Fd=3";
	for (size_t i = 0; i < set->n; i++) {
		if (asprintf(&specs[i], "%s=%s", set->pkgs[i].name, set->pkgs[i].version) < 0) {
			specs[i] = NULL;
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		argv[k++] = specs[i];
	}
	argv[k] = NULL;
	prog_stage(&pg, 0, 1000, _("Downloading packages..."));
	rc = run_apt(ae, argv, logfd, &pg, true, &text, cause);
	if (rc > 0) {
		char *e = text ? line_after(text, "E: ") : NULL;

		if (e)
			rc = base_cause(cause, -EIO, _("The packages could not be downloaded: %s."), e);
		else
			rc = base_cause(cause, -EIO, _("The packages could not be downloaded."));
		free(e);
	}
	if (rc == 0)
		prog_set(&pg, 1000);
out:
	for (size_t i = 0; specs && set && i < set->n; i++)
		free(specs[i]);
	free(specs);
	free(argv);
	free(text);
	free(ae);
	return rc;
}

static int cmp_find(const void *key, const void *elem)
{
	return strcmp(key, ((const struct inst_pkg *)elem)->name);
}

const struct inst_pkg *inst_pkgset_find(const struct inst_pkgset *set, const char *name)
{
	if (!set || !set->pkgs || !name)
		return NULL;
	return bsearch(name, set->pkgs, set->n, sizeof(*set->pkgs), cmp_find);
}

void inst_pkgset_free(struct inst_pkgset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->pkgs[i].name);
		free(set->pkgs[i].version);
		free(set->pkgs[i].arch);
		free(set->pkgs[i].summary);
	}
	free(set->pkgs);
	for (size_t i = 0; i < set->n_missing; i++)
		free(set->missing[i]);
	free(set->missing);
	memset(set, 0, sizeof(*set));
}

bool inst_pkgset_missing(const struct inst_pkgset *set, const char *name)
{
	for (size_t i = 0; set && name && i < set->n_missing; i++)
		if (!strcmp(set->missing[i], name))
			return true;
	return false;
}
