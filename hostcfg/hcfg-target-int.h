/* hostcfg: helpers shared by the files that write into a target root (not for other folders). */
#ifndef OSPITE_HCFG_TARGET_INT_H
#define OSPITE_HCFG_TARGET_INT_H

#include <stdbool.h>
#include <stdio.h>

/* asprintf() that returns the string, or NULL when out of memory. */
char *hcfg_tgt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Refuse a missing root and, above all, the running system's own "/": a
 * symlink to it or a bind mount of it is the same directory (device, inode).
 */
int hcfg_tgt_check_root(const char *root, char **cause);

/* ROOT + @rel (which starts with '/'), malloc'd; NULL when out of memory. */
char *hcfg_tgt_path(const char *root, const char *rel);

/* Write @rel inside @root atomically, creating the directories above it. */
int hcfg_tgt_write(const char *root, const char *rel, const char *data, unsigned mode,
		   char **cause);
/* The same for @len bytes of binary data. */
int hcfg_tgt_write_data(const char *root, const char *rel, const void *data, size_t len,
			unsigned mode, char **cause);

/* Remove the file @rel inside @root; one that is not there is fine. */
int hcfg_tgt_remove(const char *root, const char *rel, char **cause);

/*
 * Point the symlink @path at @to atomically. An existing regular file is
 * only replaced when @clobber says so: it may be something the admin wrote.
 */
int hcfg_tgt_symlink(const char *path, const char *to, bool clobber, char **cause);

/* Finish an open_memstream() buffer; NULL when it ran out of memory. */
char *hcfg_tgt_mem_close(FILE *f, char **buf);

/* Split @s on blanks and commas into a NULL-terminated vector of copies; NULL when out of memory. */
char **hcfg_tgt_split_list(const char *s);
void hcfg_tgt_free_list(char **v);

bool hcfg_tgt_empty(const char *s);
/* Non-empty, and every character alphanumeric or in @extra. */
bool hcfg_tgt_word_ok(const char *s, const char *extra);
/* Non-empty with no blank or control character: safe as one field of a config line. */
bool hcfg_tgt_field_ok(const char *s);

#endif
