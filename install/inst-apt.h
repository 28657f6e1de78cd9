/* install/ internals for packages: debootstrap, mmdebstrap and apt progress parsers, dependency resolution. */
#ifndef OSPITE_INST_APT_H
#define OSPITE_INST_APT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- debootstrap --debian-installer protocol on fd 3 (inst-proc.c) -------- */

enum inst_dbs_kind {
	INST_DBS_PROGRESS = 1,  /* P: [PA:...] PF: */
	INST_DBS_INFO,          /* I: [IA:...] IF: */
	INST_DBS_WARNING,       /* W: [WA:...] WF: */
	INST_DBS_ERROR,         /* E: [EA:...] EF: (debootstrap exits after it) */
};

/* One event; every pointer stays valid only during the callback. */
struct inst_dbs_event {
	enum inst_dbs_kind kind;
	const char *id;           /* "DOWNDEBS", "RETRIEVING"; "" when the line had none */
	const char *const *args;  /* the PA:/IA:/WA:/EA: arguments in order */
	size_t n_args;
	const char *fmt;          /* the format as debootstrap sent it, "" when missing */
	const char *text;         /* the format with the arguments put in, translated when known */
	uint64_t now, end;        /* progress only */
	unsigned permille;        /* progress only: now/end clamped to 0..1000 (0 when end is 0) */
};

typedef void (*inst_dbs_fn)(void *opaque, const struct inst_dbs_event *ev);

struct inst_dbs;

struct inst_dbs *inst_dbs_new(inst_dbs_fn fn, void *opaque);
void inst_dbs_free(struct inst_dbs *p);
/*
 * Feed one line (without its newline); @fn is called for each event it
 * completes. A "P: now end" line without a name (debootstrap's download
 * progress) is reported at once with the id and text of the last named
 * progress. Unknown lines are ignored.
 */
void inst_dbs_feed(struct inst_dbs *p, const char *line);
/* Report a message or progress still waiting for its format line (call at end of input). */
void inst_dbs_flush(struct inst_dbs *p);

/*
 * Substitute @args into the printf-like @fmt the way debootstrap's printf
 * would for %s (every conversion takes the next argument as text, a missing
 * one is empty, %% is a percent sign), never interpreting @fmt as a C format.
 * Returns a malloc'd string, or NULL when out of memory.
 */
char *inst_dbs_format(const char *fmt, const char *const *args, size_t n_args);

/* ---- mmdebstrap --verbose output (inst-proc.c) ------------------------------ */

/*
 * The same events from mmdebstrap's output lines: INFO for its phases and
 * for each package dpkg unpacks or sets up (the package is args[0]),
 * PROGRESS counting those against twice @n_pkgs (never reaching 1000 before
 * the tool exits), ERROR/WARNING for "E:"/"W:" lines. Other lines are ignored.
 */
struct inst_mmdbs;

struct inst_mmdbs *inst_mmdbs_new(size_t n_pkgs, inst_dbs_fn fn, void *opaque);
void inst_mmdbs_free(struct inst_mmdbs *p);
void inst_mmdbs_feed(struct inst_mmdbs *p, const char *line);

/* ---- apt's APT::Status-Fd lines (inst-proc.c) ------------------------------ */

enum inst_apt_status_kind {
	INST_APT_DLSTATUS = 1,  /* dlstatus:ITEM:PCT:DESC */
	INST_APT_PMSTATUS,      /* pmstatus:PKG:PCT:DESC */
	INST_APT_PMERROR,       /* pmerror:PKG:PCT:MESSAGE */
	INST_APT_PMCONFFILE,    /* pmconffile:FILE:PCT:'old' 'new' useredited distedited */
	INST_APT_MEDIA_CHANGE,  /* media-change:MEDIUM:DRIVE:DESC */
};

struct inst_apt_status {
	enum inst_apt_status_kind kind;
	char id[256];     /* dlstatus: item number; pm*: package (or conffile); media-change: medium */
	double pct;       /* 0..100; 0 for media-change */
	char drive[256];  /* media-change only */
	char desc[1024];  /* the rest of the line, colons included */
};

/*
 * Parse one status line, splitting on the first three colons only (the
 * description may contain colons); a package name with an architecture
 * ("libc6:amd64") in pm* lines is kept whole. Fields longer than the struct
 * holds are cut. Returns 0, or -EINVAL for a line that is not one of these.
 */
int inst_apt_status_parse(const char *line, struct inst_apt_status *st);

/* ---- dependency resolution and download (inst-apt.c) ----------------------- */

/* An extra repository beside the mirror (the answer file's repo command). */
struct inst_apt_extra {
	const char *url;             /* "http://host/debian" */
	const char *suite;           /* "bookworm"; one ending in "/" is a flat repository */
	const char *components;      /* space-separated, NULL or "": "main" */
	const char *keyring;         /* its signing key (a .gpg or .asc file); NULL when trusted */
	bool trusted;                /* no signature check: taken as is */
};

/* Where packages come from; apt runs with a private configuration built from this. */
struct inst_apt_source {
	const char *mirror;          /* "http://host/debian"; a local repository as "file:/dir" or "/dir" */
	const char *suite;           /* "bookworm"; a suite ending in "/" is a flat repository */
	const char *components;      /* space-separated, NULL or "": "main" */
	const char *security_mirror; /* "http://host/debian-security", NULL or "": none */
	const char *security_suite;  /* NULL or "": suite + "-security" */
	const char *keyring;         /* signed-by keyring, NULL: the Debian archive keyring */
	bool trusted;                /* no signature check (local media without a signed Release) */
	bool recommends;             /* resolve with Recommends, as an apt run that installs them */
	bool standard;               /* add every package of Priority standard (tasksel's standard) */
	const char *arch;            /* NULL: "amd64" */
	const struct inst_apt_extra *extra;  /* more repositories apt takes packages from */
	size_t n_extra;
};

struct inst_pkg {
	char *name;
	char *version;
	char *arch;
	char *summary;               /* first line of Description, "" when missing */
	uint64_t size;               /* download size, bytes */
	uint64_t installed_size;     /* Installed-Size KiB * 1024 */
	bool base;                   /* debootstrap's default variant installs it */
	bool standard;               /* of Priority standard, asked for by inst_apt_source.standard */
};

struct inst_pkgset {
	struct inst_pkg *pkgs;       /* sorted by name */
	size_t n;
	size_t n_base;               /* how many have base set */
	uint64_t total_size;         /* sum of size */
	uint64_t total_installed;    /* sum of installed_size */
	/*
	 * After inst_apt_resolve() failed with -ENOENT: the names asked for that
	 * no source has (NULL-terminated, without "=version" or "/suite"), so
	 * that a caller can tell which package it was without reading the message.
	 */
	char **missing;
	size_t n_missing;
};

/*
 * Work out every package an install of @pkgs (NULL-terminated, may be NULL)
 * gets on top of an empty system: the requested packages plus every package of
 * Priority required or important (what debootstrap's default variant
 * installs), with their dependencies. apt-get runs with a private
 * configuration and state under @workdir (created when missing, the lists are
 * kept there for inst_apt_download() and later runs), so nothing of the host's
 * apt setup is read or changed. @progress (may be NULL) gets 0..1000 and a
 * translated text, also periodically while nothing changes. On success @out
 * holds the set (free it with inst_pkgset_free()). Errors: an unreachable or
 * unusable source names its URL, missing packages are all named (and listed
 * in @out->missing: free @out with inst_pkgset_free() after that error too),
 * broken dependencies quote apt's explanation.
 */
int inst_apt_resolve(const struct inst_apt_source *src, const char *const pkgs[],
		     const char *workdir, int logfd,
		     void (*progress)(void *opaque, unsigned permille, const char *text),
		     void *opaque, struct inst_pkgset *out, char **cause);

/*
 * Download the .deb files of every package of @set (exact versions) into
 * @workdir/archives with the private configuration inst_apt_resolve() left in
 * @workdir; progress comes from apt's dlstatus lines. A local (file:)
 * repository is used in place, so nothing is copied for it.
 */
int inst_apt_download(const struct inst_apt_source *src, const struct inst_pkgset *set,
		      const char *workdir, int logfd,
		      void (*progress)(void *opaque, unsigned permille, const char *text),
		      void *opaque, char **cause);

/*
 * Check that @data (@len bytes, binary or ASCII-armored) holds an OpenPGP
 * public key and, when @fpr (upper-case hex) is not NULL or "", that its
 * one primary key has that fingerprint. *@armored tells which form it is
 * (apt names such a keyring .asc). Returns 0, or -EINVAL with a cause that
 * names @what.
 */
int inst_pgp_key_check(const char *data, size_t len, const char *fpr, const char *what,
		       bool *armored, char **cause);

/* The package called @name, or NULL. */
const struct inst_pkg *inst_pkgset_find(const struct inst_pkgset *set, const char *name);
/* Whether @name is exactly one of the packages the last resolution found in no source. */
bool inst_pkgset_missing(const struct inst_pkgset *set, const char *name);
/* Free what @set holds and zero it (a zeroed set may be freed too). */
void inst_pkgset_free(struct inst_pkgset *set);

#endif
