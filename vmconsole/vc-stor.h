/* vmconsole: the storage editor's model (the host's usage tree joined with libvirt's pools and guests), its impact analysis and its actions. */
#ifndef OSPITE_VC_STOR_H
#define OSPITE_VC_STOR_H

#include "vc.h"
#include "hostcfg/hcfg-stor.h"

#include <stdio.h>

struct vc_stor {
	struct hcfg_stor h;
	struct hv_pool_info *pools;
	size_t npools;
	struct hv_guest_disks *guests;
	size_t nguests;
	int *pool_node;           /* per pool: the node it lives on, -1 when none is known */
	bool libvirt;             /* pools and guests were read */
};

/* Read the host's storage and, when @conn is not NULL, every pool and guest disk. */
int vc_stor_load(struct hv_conn *conn, const char *const *only, struct vc_stor *s, char **cause);
void vc_stor_clear(struct vc_stor *s);
/* The node a guest's disk or a pool's folder lives on: a block device itself, else the filesystem holding it. */
int vc_stor_node_of_path(const struct vc_stor *s, const char *path, bool *block);

/* One row of the tree, for the screen and for `ospite storage show`. */
struct vc_srow {
	char *key;                /* "/dev/sda2", "free:/dev/sda:1048576", "pool:NAME", "vol:POOL/NAME" */
	char *text;               /* indented by depth */
	int node;                 /* the node of the row, -1 for pool rows */
	int pool;                 /* the pool of a pool or volume row, else -1 */
};
int vc_stor_rows(const struct vc_stor *s, struct vc_srow **rows, size_t *n);
void vc_srows_free(struct vc_srow *rows, size_t n);
/* The tree as JSON. */
void vc_stor_json(const struct vc_stor *s, FILE *out);

/* ---- impact -------------------------------------------------------------------------- */

enum vc_imp_kind {
	VC_IMP_HOST = 0,          /* the host needs it: refused */
	VC_IMP_RAID,              /* a RAID member: refused */
	VC_IMP_GUEST_RUNNING,     /* a running guest's disk: refused */
	VC_IMP_GUEST,             /* a guest that would lose a disk */
	VC_IMP_POOL,              /* a storage pool that would stop working */
	VC_IMP_MOUNT,             /* a mount that would go (with its fstab line) */
	VC_IMP_LV,                /* a logical volume that would go */
	VC_IMP_DATA,              /* a filesystem or signature that would be lost */
};

struct vc_imp_item {
	enum vc_imp_kind kind;
	char name[128];           /* guest, pool, mount point, LV, device */
	char detail[256];         /* the disk's path, the pool's type, the filesystem */
};

struct vc_impact {
	char target[256];
	int node;                 /* the device's node, -1 for a path */
	struct vc_imp_item *v;
	size_t n;
	bool refuse;
	bool partial;             /* guests and pools could not be read: the analysis is incomplete */
};

/*
 * What deleting or reformatting @target (a device path or a file or folder) would affect: the
 * host's own use (refused), RAID membership (refused), running guests (refused), guests, pools,
 * mounts, logical volumes and data.
 */
int vc_stor_impact(const struct vc_stor *s, const char *target, struct vc_impact *im,
		   char **cause);
/* What removing pool @name (with @delete_volumes its volumes) would affect. */
int vc_stor_pool_impact(const struct vc_stor *s, const char *name, bool delete_volumes,
			struct vc_impact *im, char **cause);
void vc_impact_clear(struct vc_impact *im);
/* The impact in words, one translated line per item, or a line saying nothing is affected (malloc'd). */
char *vc_impact_text(const struct vc_impact *im);
void vc_impact_json(const struct vc_impact *im, FILE *out);

/* ---- actions --------------------------------------------------------------------------- */

enum vc_new_use { VC_NEW_FS = 0, VC_NEW_RAW, VC_NEW_LVM };

struct vc_newpart {
	const char *disk;         /* "/dev/sdb" */
	uint64_t at;              /* the start of the free region, bytes */
	const char *size;         /* as typed: "10G", "all" */
	enum vc_new_use use;
	enum hcfg_fs fs;          /* VC_NEW_FS: ext4 or xfs */
	const char *mountpoint;   /* VC_NEW_FS */
	const char *pool;         /* VC_NEW_FS: a dir pool, "" for none; VC_NEW_LVM: the pool and group */
};

/* Who takes the disk's edit lock. */
struct vc_who {
	const char *user, *tty;
	const char *root;         /* where etc/fstab is: NULL for / */
};

/* Check every input of a new partition against the model; nothing is written. */
int vc_stor_check_new(const struct vc_stor *s, const struct vc_newpart *np, uint64_t *bytes,
		      char **cause);
/* Make it: partition, filesystem, mount, fstab, pool; @done says in words what was done (malloc'd). */
int vc_stor_create(struct hv_conn *conn, const struct vc_stor *s, const struct vc_newpart *np,
		   const struct vc_who *who, char **done, char **cause);
/* Delete (@format HCFG_FS_NONE) or reformat partition @dev after vc_stor_impact() allowed it. */
int vc_stor_wipe(struct hv_conn *conn, const struct vc_stor *s, const char *dev,
		 enum hcfg_fs format, const struct vc_who *who, char **done, char **cause);
/* Grow partition @dev to @size ("all" or a size) with its filesystem. */
int vc_stor_grow(const struct vc_stor *s, const char *dev, const char *size,
		 const struct vc_who *who, char **done, char **cause);
/* Remove pool @name after vc_stor_pool_impact() allowed it. */
int vc_stor_pool_remove(struct hv_conn *conn, const struct vc_stor *s, const char *name,
			bool delete_volumes, char **done, char **cause);

/* `ospite storage ...`: the command line after "storage". */
int vc_storage_main(const char *uri, int argc, char **argv);
/* The Storage screen. */
int vc_scr_storage(struct vc_app *app);

#endif
