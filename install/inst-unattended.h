/* The unattended installer: an answer file in, progress lines out, never a question. */
#ifndef OSPITE_INST_UNATTENDED_H
#define OSPITE_INST_UNATTENDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What ospite-install's command line says to the unattended installer. */
struct inst_unattended {
	const char *answer;      /* file or http(s) address of the answer file */
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
/* Fetch an http(s) address (at most INST_KS_MAX_FILE bytes); -ENOENT when the server has nothing there. */
int inst_ks_fetch(const char *url, char **data, size_t *len, char **cause);
/* An inst_ks_reader for files and http(s) addresses. */
int inst_ks_read_any(void *opaque, const char *path, char **data, size_t *len, char **id,
		     char **cause);
/*
 * The value of ospite.ks= on the kernel command line (/proc/cmdline, or the
 * file the environment variable OSPITE_CMDLINE names), malloc'd in *@value;
 * NULL when there is none. A value that is neither a path nor an http(s)
 * address is an error.
 */
int inst_ks_cmdline(char **value, char **cause);

#endif
