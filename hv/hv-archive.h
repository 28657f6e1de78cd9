/* The backup archive's container, inside hv/: a pax tar stream with GNU sparse 1.0 entries, plain or zstd, written and read without seeking. */
#ifndef OSPITE_HV_ARCHIVE_H
#define OSPITE_HV_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One data region of a sparse file; everything between regions is a hole. */
struct ar_region {
	uint64_t off, len;
};

/* ---- writing ---- */

struct ar_w;
/* Write an archive to @fd (not closed here), through zstd at @zstd_level when @zstd. */
int ar_w_open(int fd, bool zstd, int zstd_level, struct ar_w **w, char **cause);
/* A whole small regular file. */
int ar_w_file(struct ar_w *w, const char *name, const void *data, size_t len, long long mtime,
	      unsigned mode, char **cause);
/*
 * Start a sparse file of @realsize bytes with the data regions @map (sorted, apart): its headers
 * and its map are written here, its data with ar_w_data(), in order, then ar_w_end(). The map as
 * written (without its padding) is given back in @map_text (malloc'd) for the checksum.
 */
int ar_w_sparse(struct ar_w *w, const char *name, uint64_t realsize, const struct ar_region *map,
		size_t n, long long mtime, char **map_text, char **cause);
int ar_w_data(struct ar_w *w, const void *data, size_t len, char **cause);
int ar_w_end(struct ar_w *w, char **cause);
/* The end-of-archive blocks; everything flushed. Frees @w whatever the result (NULL is fine). */
int ar_w_close(struct ar_w *w, char **cause);
void ar_w_free(struct ar_w *w);
/* Bytes written to the file so far. */
uint64_t ar_w_written(const struct ar_w *w);

/* ---- reading ---- */

struct ar_entry {
	char *name;             /* the real name (a sparse file's GNU.sparse.name) */
	char type;              /* '0' regular */
	uint64_t size;          /* bytes of data to read (a sparse file's data without its map) */
	bool sparse;
	uint64_t realsize;      /* the file's size; = size when not sparse */
	struct ar_region *map;  /* a sparse file's regions */
	size_t n_map;
	char *map_text;         /* the map as stored, without padding (sparse only) */
};
void ar_entry_clear(struct ar_entry *e);

struct ar_r;
/* Read the archive on @fd (plain or zstd, told from its first bytes). */
int ar_r_open(int fd, struct ar_r **r, char **cause);
void ar_r_free(struct ar_r *r);
/*
 * The next entry, with what is left of the previous one skipped: 1 with @e filled, 0 at the
 * end-of-archive blocks, or -errno (-EBADMSG for a damaged header, -EIO for a truncated archive).
 */
int ar_r_next(struct ar_r *r, struct ar_entry *e, char **cause);
/* Exactly @len bytes of the current entry's data; -EIO when the archive ends first. */
int ar_r_read(struct ar_r *r, void *buf, size_t len, char **cause);
/* Bytes of the archive file consumed so far. */
uint64_t ar_r_consumed(const struct ar_r *r);

#endif
