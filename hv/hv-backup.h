/* Backing a guest up into one .ospite archive, checking an archive, and restoring a guest from one (see ospite-backup(5)). */
#ifndef OSPITE_HV_BACKUP_H
#define OSPITE_HV_BACKUP_H

#include "hv.h"

#include <stdbool.h>
#include <stdint.h>

/* The archive format this ospite writes; it reads this one and older. */
#define HV_BK_FORMAT 1
#define HV_BK_EXT ".ospite"

struct hv_bk_progress {
	const char *disk;       /* the disk being copied ("vda"), NULL between disks */
	uint64_t done, total;   /* bytes of disk data */
	uint64_t elapsed_ms, eta_ms, rate_bps;
};
/* Called about every 200 ms; false aborts (nothing is left behind). */
typedef bool (*hv_bk_progress_fn)(void *opaque, const struct hv_bk_progress *p);

/* How a running guest is held still for its copy. */
enum hv_bk_hold {
	HV_BK_OFF = 0,          /* shut off: read as it is */
	HV_BK_SNAPSHOT,         /* QEMU: external snapshot, merged back afterwards */
	HV_BK_PAUSE,            /* Xen: paused for the copy */
};

struct hv_bk_opts {
	bool zstd;
	int zstd_level;          /* 0: zstd's default (3) */
	hv_bk_progress_fn progress;
	void *opaque;
};

struct hv_bk_plan {
	enum hv_bk_hold hold;
	uint64_t data;           /* bytes of disk data to copy */
	unsigned n_disks;
};

/* What backing @name up involves (how it is held still, how much data): asked before hv_backup(). */
int hv_backup_plan(struct hv_conn *conn, const char *name, struct hv_bk_plan *plan, char **cause);

struct hv_bk_result {
	char path[4096];         /* the archive written */
	uint64_t archive_bytes, data, total_ms;
	enum hv_bk_hold hold;
	uint64_t held_ms;        /* how long the guest was paused or on its snapshot */
};

/*
 * Write @dir/NAME-YYYYMMDD-HHMMSS.ospite. The file appears only when complete; on any failure
 * or abort nothing is left and the guest is as it was (running, on its own disks).
 */
int hv_backup(struct hv_conn *conn, const char *name, const char *dir,
	      const struct hv_bk_opts *o, struct hv_bk_result *res, char **cause);

/* What an archive's manifest says. */
struct hv_bk_info {
	unsigned version;
	char name[128], uuid[37], hypervisor[16], created[40], host[256];
	unsigned n_disks;
	uint64_t data, virtual_size;
};

/*
 * Read the whole archive and check every checksum: 0, or -EBADMSG naming what is damaged,
 * -EIO when truncated, -EPROTONOSUPPORT for a newer format.
 */
int hv_backup_verify(const char *path, hv_bk_progress_fn progress, void *opaque,
		     struct hv_bk_info *info, char **cause);

struct hv_rs_opts {
	const char *name;        /* NULL: the archive's */
	const char *pool;        /* NULL: the pool that holds the original disks' folder */
	bool keep_identity;      /* a new name keeps the UUID and MACs */
	hv_bk_progress_fn progress;
	void *opaque;
};
struct hv_rs_result {
	char name[128];
	bool refused;            /* nothing was tried: name or file exists, no room, newer format */
	uint64_t data, total_ms;
};

/*
 * Restore the guest of archive @path into a pool of this host (the disks are written here, so
 * the connection must be local). The disks are checked while they are written; the guest is
 * defined only when every disk is whole and right, and on any failure nothing is left.
 */
int hv_restore(struct hv_conn *conn, const char *path, const struct hv_rs_opts *o,
	       struct hv_rs_result *res, char **cause);

#endif
