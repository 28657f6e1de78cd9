/* hostcfg: facts about this host and edits to it or to a target root (NICs, disks, files). */
#ifndef OSPITE_HCFG_H
#define OSPITE_HCFG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include <sys/types.h>
#include <net/if.h>
#include <time.h>

/*
 * Conventions (shared by every ospite library): functions return 0 or a
 * negative errno; when @cause is not NULL it receives a malloc'd, translated,
 * whole-sentence message that the caller frees.
 */

/* ---- NICs (hcfg-nic.c) ------------------------------------------------ */

struct hcfg_nic {
	char name[IF_NAMESIZE];
	char mac[18];        /* "aa:bb:cc:dd:ee:ff" */
	char vendor[128];    /* from the PCI ID database, or "" */
	char model[160];     /* from the PCI ID database, or a description of the link kind */
	char driver[32];     /* kernel driver, or the link kind ("veth") */
	bool up;             /* administratively up */
	bool carrier;        /* link detected */
	unsigned speed_mbps; /* 0 when unknown */
};

/*
 * List the Ethernet NICs an installer can use (no loopback, bridges, bonds,
 * VLANs, tun/tap or Xen backends), sorted by name, read through libnl-route-3
 * with vendor and model from sysfs and the PCI ID database.
 */
int hcfg_nic_list(struct hcfg_nic **nics, size_t *n, char **cause);

/*
 * Is @name a network device name ospite handles: 1 to IF_NAMESIZE-1 of
 * [A-Za-z0-9_.-], not starting with '-', not "." or ".."? The kernel allows
 * far more, but such a name goes into shell-read files, ifupdown stanzas and
 * command lines, so anything else is refused or left out of lists.
 */
bool hcfg_ifname_ok(const char *name);

/* Look up a PCI vendor/device pair in the PCI ID database (pci.ids). */
int hcfg_pci_name(unsigned vendor, unsigned device, char *vendor_out, size_t vlen,
		  char *device_out, size_t dlen);

/* ---- Disks (hcfg-disk.c) ---------------------------------------------- */

struct hcfg_disk {
	char name[32];       /* "sda", "loop3" */
	char path[64];       /* "/dev/sda" */
	char model[64];
	char serial[64];
	uint64_t size;       /* bytes */
	unsigned sector;     /* logical sector size */
	char contents[160];  /* what is on it now, in words: "GPT, 3 partitions (ext4, swap)" */
	bool eligible;
	char why[160];       /* translated reason when not eligible */
};

/*
 * List the whole disks of this host. A disk that is mounted (or a partition
 * of it is), is active swap, has holders (LVM, dm, md), or backs the install
 * medium (@medium, a device path, may be NULL) is listed with eligible=false
 * and the reason. When @only is not NULL only that disk is listed (image mode).
 */
int hcfg_disk_list(struct hcfg_disk **disks, size_t *n, const char *medium,
		   const char *only, char **cause);

/* What identifies one disk, recorded when the operator confirms it and checked before a write. */
struct hcfg_disk_id {
	dev_t devno;
	uint64_t size;           /* bytes */
	char model[64];
	char serial[256];        /* for a loop device, its file */
	char wwn[64];
	char ptuuid[64];         /* "" with no partition table */
};

/* Read @path's identity now (hcfg-diskid.c). */
int hcfg_disk_identity(const char *path, struct hcfg_disk_id *id, char **cause);
bool hcfg_disk_id_equal(const struct hcfg_disk_id *a, const struct hcfg_disk_id *b);
/* The identity in words, for a message that names both sides of a mismatch. */
void hcfg_disk_id_describe(const struct hcfg_disk_id *id, char *buf, size_t len);
/*
 * The most stable /dev/disk/by-id/ name of the disk @path (a wwn- name
 * first), looked up in @dir (NULL for /dev/disk/by-id); -ENOENT when it has
 * none (no udev, or a loop device).
 */
int hcfg_disk_stable_name(const char *path, const char *dir, char *buf, size_t len);

/*
 * The device numbers of the install medium and everything it stands on:
 * the devices behind the root file system, the file system ospite-install
 * runs from, live-boot's medium and the boot device named on the kernel
 * command line (root=, live-media=, bootfrom=), followed through loop
 * devices to the disk holding their file, from partitions to their disk,
 * and from dm or md devices to their members. Caller frees *@devs.
 */
int hcfg_medium_devs(dev_t **devs, size_t *n);

/*
 * Try the kernel's exclusive claim on @path and let go at once: 0 when nothing
 * holds the disk (no mount, swap, holder or exclusive opener), else -errno
 * (-EBUSY when something does).
 */
int hcfg_disk_try_claim(const char *path);

/*
 * Whether the host uses the block device @path (a disk or a partition): mounted, active swap,
 * holding LVM, RAID or device mapper, claimed exclusively, or, for a disk, a partition of it is
 * any of these. 0 when free, -EBUSY with a cause naming the use, -ENOTBLK for no block device.
 */
int hcfg_dev_in_use(const char *path, char **cause);

/* Fill one disk's facts and eligibility; -ENOENT when @path is no block device. */
int hcfg_disk_probe(const char *path, const char *medium, struct hcfg_disk *d, char **cause);

/*
 * Is @path (a disk or a disk image file) blank: no partition table with
 * partitions on it and no filesystem or other signature? An install may
 * write a blank disk without asking to erase it.
 */
int hcfg_disk_blank(const char *path, bool *blank, char **cause);

/* ---- Partitions and filesystems (hcfg-part.c) -------------------------- */

enum hcfg_fs {
	HCFG_FS_NONE = 0,
	HCFG_FS_EXT4,
	HCFG_FS_XFS,
	HCFG_FS_SWAP,
	HCFG_FS_BIOSBOOT,    /* GPT BIOS boot partition for GRUB, no filesystem */
	HCFG_FS_VFAT,
	HCFG_FS_EXT3,        /* what older answer files ask for */
	HCFG_FS_LVMPV,       /* an LVM physical volume, no filesystem of its own */
	HCFG_FS_MDMEMBER,    /* a member of a software RAID array */
};

/* "ext4", "xfs", "swap", "biosboot", "vfat", "ext3", "lvmpv", "mdmember" */
const char *hcfg_fs_name(enum hcfg_fs fs);
enum hcfg_fs hcfg_fs_parse(const char *s);  /* HCFG_FS_NONE when unknown */

struct hcfg_part_spec {
	uint64_t size_mib;   /* final size; the caller has resolved "grow" already */
	enum hcfg_fs fs;
	const char *label;   /* GPT partition name, may be NULL */
};

/* The last partition may come out this much smaller than asked (alignment, backup GPT). */
#define HCFG_LAST_PART_SLACK_MIB 4u

/*
 * Wipe every signature on @disk (libblkid), write a new GPT with the given
 * partitions in order (libparted, 1 MiB aligned) and tell the kernel. On
 * success @paths[i] holds the device path of partition i (caller frees each).
 */
int hcfg_disk_partition(const char *disk, const struct hcfg_part_spec *parts, size_t n,
			char **paths, char **cause);

/*
 * The partitions already on @disk, in table order: device paths (caller frees)
 * and sizes; -ENOENT when it has no partition table. Writes nothing.
 */
int hcfg_disk_partitions(const char *disk, char **paths, uint64_t *sizes_mib, size_t max,
			 size_t *n, char **cause);

/*
 * A fingerprint of @disk taken without writing: checksums of its first and
 * last MiB, its partition table and the signatures libblkid sees. Two equal
 * strings mean nothing visible changed. Caller frees *@fp.
 */
int hcfg_disk_fingerprint(const char *disk, char **fp, char **cause);

/* Progress of a long operation: fraction 0..1000; return nonzero to abort. */
typedef int (*hcfg_progress_fn)(void *opaque, unsigned permille);

/* Make a filesystem (mkfs.ext4/mkfs.xfs/mkswap/mkfs.vfat) with @label. */
int hcfg_mkfs(const char *dev, enum hcfg_fs fs, const char *label, int logfd,
	      hcfg_progress_fn progress, void *opaque, char **cause);

/* The filesystem UUID of @dev as libblkid sees it now. */
int hcfg_fs_uuid(const char *dev, char *uuid, size_t len, char **cause);

/* ---- Disk images (hcfg-loop.c) ------------------------------------------ */

/* Create @path as a sparse file of @size_mib when it does not exist yet. */
int hcfg_image_create(const char *path, uint64_t size_mib, char **cause);
/* Attach @path to a free loop device (partition scanning on); its path goes to @dev. */
int hcfg_loop_attach(const char *path, char *dev, size_t len, char **cause);
/* The file behind loop device @name ("loop3") into @buf; "" when it is no attached loop device. */
void hcfg_loop_backing_file(const char *name, char *buf, size_t len);
/* Detach a loop device attached by hcfg_loop_attach(). */
int hcfg_loop_detach(const char *dev, char **cause);

/* ---- Utilities (hcfg-util.c) ------------------------------------------- */

/*
 * Give this process (and the children it starts) a mount namespace of its
 * own whose mounts do not propagate back: what it mounts cannot be copied
 * into, and pinned by, a namespace another process creates meanwhile, and
 * goes away with the process when it is killed. The host's later mounts
 * still appear in it.
 */
int hcfg_private_mounts(char **cause);
/* Write @data to @path atomically (temporary file, fsync, rename) with @mode. */
int hcfg_write_file(const char *path, const char *data, unsigned mode, char **cause);
/* The same for @len bytes of binary data (an OpenPGP keyring). */
int hcfg_write_data(const char *path, const void *data, size_t len, unsigned mode, char **cause);

/*
 * Read the first line of a small file (a sysfs attribute) into @buf, without
 * its newline and trailing blanks; @buf is "" and -errno returned on failure.
 */
int hcfg_read_line(const char *path, char *buf, size_t len);

/* mkdir -p: create @path and every missing directory above it (mode 0755). */
int hcfg_mkdirs(const char *path, char **cause);
/* Read a whole (small) file into a malloc'd NUL-terminated string. */
int hcfg_read_file(const char *path, char **data, char **cause);
/* The same, its length in *@len: for binary files, which may hold NUL bytes. */
int hcfg_read_data(const char *path, char **data, size_t *len, char **cause);

/* ---- Edit locks (hcfg-lock.c) ------------------------------------------ */

/*
 * One operator at a time edits a guest, a bridge or a disk. A lock is an flock on a file in the
 * lock folder that records the holder's user, terminal, pid and start time; the kernel releases it
 * when the holder's process ends, however it ends.
 */
#define HCFG_LOCK_DIR "/run/ospite/locks"

enum hcfg_lock_kind { HCFG_LOCK_GUEST = 0, HCFG_LOCK_BRIDGE, HCFG_LOCK_DISK };

struct hcfg_lock_holder {
	char user[64];
	char tty[32];        /* "ttyS0", "pts/1"; "" when not known */
	pid_t pid;           /* 0 when the holder had not written it yet */
	time_t since;
};
struct hcfg_lock;

/* $OSPITE_LOCK_DIR when set to an absolute path (tests), else HCFG_LOCK_DIR. */
const char *hcfg_lock_dir(void);
/*
 * Take the lock on @name of @kind in @dir (NULL = hcfg_lock_dir()). -EBUSY when another holds
 * it: @holder (may be NULL) says who, and @cause is "web1 is being edited by root on ttyS0
 * since 10:02." The lock is not inherited by programs this process starts.
 */
int hcfg_lock_take(const char *dir, enum hcfg_lock_kind kind, const char *name, const char *user,
		   const char *tty, struct hcfg_lock **lk, struct hcfg_lock_holder *holder,
		   char **cause);
/* Release and remove the lock; NULL is allowed. */
void hcfg_lock_release(struct hcfg_lock *lk);
/* Who holds the lock on @name now: 0 with @holder filled, or -ENOENT when nobody does. */
int hcfg_lock_who(const char *dir, enum hcfg_lock_kind kind, const char *name,
		  struct hcfg_lock_holder *holder);
/* "web1 is being edited by root on ttyS0 since 10:02." (malloc'd). */
char *hcfg_lock_describe(const char *name, const struct hcfg_lock_holder *h);

#endif
