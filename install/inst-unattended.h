/* The unattended installer: an answer file in, progress lines out, never a question. */
#ifndef OSPITE_INST_UNATTENDED_H
#define OSPITE_INST_UNATTENDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What ospite-install's command line says to the unattended installer. */
struct inst_unattended {
	const char *answer;      /* file or http(s) address of the answer file */
	const char *answer_sha256; /* its SHA-256 in hex, or NULL */
	bool insecure;           /* plain http may bring it without a checksum */
	bool validate;           /* only parse and check, touch nothing */
	bool dump;               /* with validate: print the normalised plan */
	const char *image;       /* install into this disk image */
	uint64_t image_mib;      /* size of a new image */
	bool image_mib_given;
	const char *logpath;
	const char *workdir;
	const char *serial;      /* console to carry over when the answer file names none */
	int progress_fd;         /* JSON progress lines go here; -1 for none */
	bool resume;             /* continue this machine's own unfinished run on the disk */
};

/* Run it; the exit status: 0 done, 1 the answer file is not valid, 2 the install failed. */
int inst_unattended_main(const struct inst_unattended *u);

/* ---- where answer files come from (ks-fetch.c) -------------------------------- */

bool inst_ks_is_url(const char *s);
bool inst_ks_is_plain_http(const char *s);
/* Fetch an http(s) address (at most INST_KS_MAX_FILE bytes); -ENOENT when the server has nothing there. */
int inst_ks_fetch(const char *url, char **data, size_t *len, char **cause);
/* Tests only: the CA bundle inst_ks_fetch() trusts instead of the system's (NULL: the system's). */
extern const char *inst_ks_fetch_ca_file;
/* May a fetch from @from follow a redirect to @to? Never from https to plain http. */
int inst_ks_redirect_ok(const char *from, const char *to, char **cause);
/* The folder of an http(s) address, with its final '/': "http://h/ks/a.ks" -> "http://h/ks/". */
int inst_ks_url_base(const char *url, char *base, size_t len);
/* Is @url inside @base (from inst_ks_url_base()), with no . or .. step, plain or %-encoded? */
bool inst_ks_url_under(const char *base, const char *url);
/* The SHA-256 of @data in lower-case hex; and whether @hex is 64 hex digits. */
int inst_ks_sha256_hex(const char *data, size_t len, char hex[65]);
bool inst_ks_sha256_valid(const char *hex);

/*
 * What inst_ks_read_any() needs across the reads of one answer file (its
 * @opaque): the checksum and --insecure from the caller, then what the first
 * read (the answer file itself) found out. The answer file over plain http
 * needs @sha256 or @insecure; @sha256 is checked whatever the source. A file
 * that came over http(s) may include only addresses under its own folder,
 * never a local path; an include over plain http needs @insecure, since no
 * checksum covers it.
 */
struct inst_ks_source {
	const char *sha256;
	bool insecure;
	bool main_read;          /* set by the first read */
	bool remote;             /* the answer file came over http(s) */
	char base[4096];         /* and then its folder */
};

/* An inst_ks_reader for files and http(s) addresses; @opaque is a struct inst_ks_source. */
int inst_ks_read_any(void *opaque, const char *path, char **data, size_t *len, char **id,
		     char **cause);
/*
 * The value of ospite.ks= on the kernel command line (/proc/cmdline, or the
 * file the environment variable OSPITE_CMDLINE names), malloc'd in *@value;
 * NULL when there is none. A value that is neither a path nor an http(s)
 * address is an error. *@sha256 gets ospite.ks.sha256= (malloc'd, or NULL).
 */
int inst_ks_cmdline(char **value, char **sha256, char **cause);

#endif
