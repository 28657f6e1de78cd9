/* hostcfg: the host's storage as a tree (disks, partitions, free regions, what each holds) and the edits of the storage editor. */
#ifndef OSPITE_HCFG_STOR_H
#define OSPITE_HCFG_STOR_H

#include "hcfg.h"

/* ---- the usage tree (hcfg-stor.c) ------------------------------------------- */

enum hcfg_snode_kind {
	HCFG_SN_DISK = 0,    /* a whole disk (or loop device) */
	HCFG_SN_PART,        /* a partition, child of its disk */
	HCFG_SN_FREE,        /* a free region of at least 1 MiB, child of its disk */
	HCFG_SN_LV,          /* an LVM logical volume, child of the first physical volume of its group */
};

struct hcfg_snode {
	enum hcfg_snode_kind kind;
	int parent;               /* index of the parent node, -1 for a disk */
	char name[64];            /* "sda", "sda2", "vg0/data"; "" for a free region */
	char path[128];           /* "/dev/sda2", "/dev/vg0/data"; "" for a free region */
	dev_t devno;              /* 0 for a free region */
	int partnum;              /* partitions */
	uint64_t start, size;     /* bytes; start only for partitions and free regions */
	/* disks */
	char model[64], serial[64];
	char transport[16];       /* "sata", "nvme", "virtio", "loop", "" when unknown */
	char pttype[16];          /* "gpt", "dos", "" for none */
	/* contents, from libblkid */
	char fstype[32];          /* "ext4", "swap", "LVM2_member", "linux_raid_member", "" */
	char label[64];
	char uuid[64];
	/* uses */
	char mountpoint[256];     /* the first mount point ("/" when one is), "" when not mounted */
	unsigned mounts;          /* how many mount points */
	uint64_t fs_size, fs_avail;  /* bytes, of a mounted filesystem */
	bool swap_on;             /* active swap */
	char vg[64];              /* the volume group of a physical or logical volume */
	char md[32];              /* the RAID array ("md0") a member belongs to */
	bool host;                /* the host itself needs it: /, /boot, /usr, /var, swap... */
	char host_why[64];        /* "/", "/boot", "swap", "LVM vg0 (/)" */
};

struct hcfg_stor {
	struct hcfg_snode *v;
	size_t n;
};

/*
 * Read the host's storage: every disk in /sys/block (not RAM disks, CD drives, dm or md devices,
 * nor unattached loop devices), its partitions and free regions (libblkid), what each holds and
 * where it is mounted (/proc/self/mountinfo, statvfs), swap (/proc/swaps), LVM (pvs and lvs
 * when installed) and RAID members (sysfs). Nothing is written. When @only is not NULL only the
 * disks whose paths it lists (NULL-terminated) are read, with their volume groups' LVs.
 */
int hcfg_stor_scan(struct hcfg_stor *s, const char *const *only, char **cause);
void hcfg_stor_free(struct hcfg_stor *s);
/* The node of device @path (any name of it: a symlink, /dev/mapper/...), or -1. */
int hcfg_stor_find_dev(const struct hcfg_stor *s, const char *path);
/* The node whose devno is @dev, or -1. */
int hcfg_stor_find_devno(const struct hcfg_stor *s, dev_t dev);
/* Whether node @i is @ancestor or below it (partitions of a disk, LVs of a physical volume's group). */
bool hcfg_stor_within(const struct hcfg_stor *s, size_t i, size_t ancestor);
/* Whether the mount point @mp is one the host itself runs from (/, /boot, /usr, /var...). */
bool hcfg_stor_host_mount(const char *mp);

/* ---- edits (hcfg-stor-edit.c) ------------------------------------------------ */

/*
 * A size typed by the operator: "all", or a positive number with an optional unit K, M, G, T
 * (powers of 1024, "MiB" and "GB" spellings too), MiB when bare; at most @max bytes.
 */
int hcfg_stor_parse_size(const char *text, uint64_t max, bool *all, uint64_t *bytes,
			 char **cause);
/*
 * A mount point for a new filesystem: absolute, normalised, not inside /proc, /sys, /dev or
 * /run, not a host directory (hcfg_stor_host_mount()), and, when it exists, an empty directory
 * that is no mount point yet.
 */
int hcfg_stor_check_mountpoint(const char *mp, char **cause);

/*
 * Make a partition on @disk in the free region that starts at byte @start, of @size bytes (0:
 * the whole region), aligned to 1 MiB; the kernel is told of the new table. Its device path goes
 * to @path (malloc'd).
 */
int hcfg_part_create(const char *disk, uint64_t start, uint64_t size, char **path, char **cause);
/* Delete partition @part (a device path) from its table; refused while anything holds it. */
int hcfg_part_delete(const char *part, char **cause);
/*
 * Grow partition @part into the free space after it, to @size bytes (0: all of it), then its
 * ext4 (resize2fs, also mounted) or XFS (xfs_growfs, mounted only) filesystem with it. @done
 * (may be NULL) says whether the partition itself was grown, for a message after a failure.
 */
int hcfg_part_grow(const char *part, uint64_t size, bool *done, char **cause);

/* Mount @dev (filesystem @fstype) at @mp, creating the folder. */
int hcfg_stor_mount(const char *dev, const char *fstype, const char *mp, char **cause);
/* Unmount every mount of the block device @dev (-EBUSY, naming the mount point, when one is in use). */
int hcfg_stor_umount_dev(const char *dev, char **cause);
/* Append "UUID=@uuid @mp @fstype defaults 0 2" to @root/etc/fstab (@root NULL for /). */
int hcfg_fstab_add(const char *root, const char *uuid, const char *mp, const char *fstype,
		   char **cause);
/* Remove the lines of @root/etc/fstab that mount UUID=@uuid or @dev (either may be NULL); @removed counts them. */
int hcfg_fstab_remove(const char *root, const char *uuid, const char *dev, unsigned *removed,
		      char **cause);

/*
 * Wait until partition @num of disk @disk ("sda", "loop3") shows in sysfs with the geometry just
 * written (512-byte units) and has a device node at @path (hcfg-part.c).
 */
int hcfg_part_node(const char *disk, int num, uint64_t start, uint64_t len, char *path,
		   size_t plen);

#endif
