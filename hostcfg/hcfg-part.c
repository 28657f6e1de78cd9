/* Partitioning a disk (libblkid wipe, libparted GPT), making filesystems and reading their UUIDs. */
#include "hcfg.h"
#include "hcfg-int.h"
#include "hcfg-stor.h"
#include "base/i18n.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <parted/parted.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MIB (1024u * 1024u)

#define LAST_PART_SLACK_MIB HCFG_LAST_PART_SLACK_MIB

/* How long the kernel gets to show a new partition's device node. */
#define NODE_WAIT_MS 5000

static const char *const fs_names[] = {
	[HCFG_FS_NONE] = "none",
	[HCFG_FS_EXT4] = "ext4",
	[HCFG_FS_XFS] = "xfs",
	[HCFG_FS_SWAP] = "swap",
	[HCFG_FS_BIOSBOOT] = "biosboot",
	[HCFG_FS_VFAT] = "vfat",
	[HCFG_FS_EXT3] = "ext3",
	[HCFG_FS_LVMPV] = "lvmpv",
	[HCFG_FS_MDMEMBER] = "mdmember",
};

#define N_FS (sizeof(fs_names) / sizeof(fs_names[0]))

const char *hcfg_fs_name(enum hcfg_fs fs)
{
	if ((unsigned)fs >= N_FS)
		return fs_names[HCFG_FS_NONE];
	return fs_names[fs];
}

enum hcfg_fs hcfg_fs_parse(const char *s)
{
	if (!s)
		return HCFG_FS_NONE;
	for (unsigned i = 0; i < N_FS; i++)
		if (!strcmp(s, fs_names[i]))
			return (enum hcfg_fs)i;
	return HCFG_FS_NONE;
}

/* ---- libparted exceptions and output --------------------------------- */

/*
 * libparted reports problems through a global handler that prints and asks
 * on the terminal by default; a TUI owns the terminal, so the message is
 * kept for the cause instead and every question gets the cautious answer.
 */
static char *ped_message;

static PedExceptionOption on_ped_exception(PedException *ex)
{
	if (ex->type <= PED_EXCEPTION_WARNING) {
		if (ex->options & PED_EXCEPTION_IGNORE)
			return PED_EXCEPTION_IGNORE;
		if (ex->options & PED_EXCEPTION_OK)
			return PED_EXCEPTION_OK;
	}
	free(ped_message);
	ped_message = strdup(ex->message ? ex->message : "");
	if (ex->options & PED_EXCEPTION_CANCEL)
		return PED_EXCEPTION_CANCEL;
	if (ex->options & PED_EXCEPTION_NO)
		return PED_EXCEPTION_NO;
	return PED_EXCEPTION_UNHANDLED;
}

const char *hcfg_ped_message(void)
{
	return ped_message && ped_message[0] ? ped_message : NULL;
}

void hcfg_ped_guard_begin(struct hcfg_ped_guard *g)
{
	int null;

	free(ped_message);
	ped_message = NULL;
	g->prev = (void *)ped_exception_get_handler();
	ped_exception_set_handler(on_ped_exception);
	g->on = true;
	g->saved[0] = g->saved[1] = -1;
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		g->saved[i] = fcntl(i + 1, F_DUPFD_CLOEXEC, 3);
		if (g->saved[i] >= 0)
			dup2(null, i + 1);
	}
	close(null);
}

void hcfg_ped_guard_end(struct hcfg_ped_guard *g)
{
	if (!g->on)
		return;
	for (int i = 0; i < 2; i++) {
		if (g->saved[i] < 0)
			continue;
		dup2(g->saved[i], i + 1);
		close(g->saved[i]);
		g->saved[i] = -1;
	}
	ped_exception_set_handler((PedExceptionHandler *)g->prev);
	free(ped_message);
	ped_message = NULL;
	g->on = false;
}

/* The cause for a failed libparted step: its own message when it gave one. */
static int ped_fail(char **cause, int err, const char *disk)
{
	if (hcfg_ped_message())
		return base_cause(cause, err, _("Could not write the partition table of %s: %s"),
				  disk, hcfg_ped_message());
	return base_cause(cause, err, _("Could not write the partition table of %s."), disk);
}

/* ---- wiping ------------------------------------------------------------- */

/* Erase every signature libblkid finds in the window of @fd at @off (whole device when @size is 0). */
static int wipe_window(int fd, uint64_t off, uint64_t size, bool with_pt)
{
	blkid_probe pr = blkid_new_probe();
	int rc = 0;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) < 0) {
		rc = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, with_pt);
	if (with_pt)
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	/* blkid_do_wipe() steps back after each erase, so the loop ends when nothing is left. */
	for (int guard = 0; guard < 256; guard++) {
		int r = blkid_do_probe(pr);

		if (r == 1)
			break;
		if (r < 0 || blkid_do_wipe(pr, 0) < 0) {
			rc = -EIO;
			break;
		}
	}
out:
	blkid_free_probe(pr);
	return rc;
}

/*
 * What `wipefs -a` does to the disk, and also to the partitions of the old
 * table: stale RAID or LVM signatures inside them would otherwise come back
 * to life where the new partitions land on the same sectors.
 */
static int wipe_disk(int fd)
{
	blkid_probe pr = blkid_new_probe();
	int rc = 0;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, 0, 0) == 0) {
		blkid_probe_enable_superblocks(pr, 0);
		blkid_probe_enable_partitions(pr, 1);
		blkid_partlist ls = blkid_probe_get_partitions(pr);
		int np = ls ? blkid_partlist_numof_partitions(ls) : 0;

		for (int i = 0; i < np && rc == 0; i++) {
			blkid_partition par = blkid_partlist_get_partition(ls, i);

			if (blkid_partition_is_extended(par))
				continue;
			rc = wipe_window(fd, (uint64_t)blkid_partition_get_start(par) * 512,
					 (uint64_t)blkid_partition_get_size(par) * 512, false);
		}
	}
	blkid_free_probe(pr);
	if (rc == 0)
		rc = wipe_window(fd, 0, 0, true);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	return rc;
}

/* ---- partition device nodes --------------------------------------------- */

/* The kernel's partition name: "sda1", but "loop0p1" and "nvme0n1p1" after a digit. */
static void part_name(const char *disk, int num, char *out, size_t len)
{
	size_t l = strlen(disk);
	bool digit = l && disk[l - 1] >= '0' && disk[l - 1] <= '9';

	snprintf(out, len, "%s%s%d", disk, digit ? "p" : "", num);
}

/*
 * Wait until partition @num of @disk shows in sysfs with the geometry just
 * written (start and length in 512-byte units) and has a device node; with
 * no udev devtmpfs makes the node, and mknod covers a /dev that does not.
 */
int hcfg_part_node(const char *disk, int num, uint64_t start, uint64_t len, char *path,
		     size_t plen)
{
	char name[64], sys[PATH_MAX], buf[64];
	long long deadline = base_now_ms() + NODE_WAIT_MS;
	unsigned maj, min;
	uint64_t v;
	struct stat st;

	part_name(disk, num, name, sizeof(name));
	snprintf(path, plen, "/dev/%s", name);
	for (char *p = path; *p; p++)
		if (*p == '!')
			*p = '/';
	for (;;) {
		bool ready = false;

		snprintf(sys, sizeof(sys), "/sys/block/%s/%s/start", disk, name);
		if (hcfg_read_line(sys, buf, sizeof(buf)) == 0 && sscanf(buf, "%" SCNu64, &v) == 1 &&
		    v == start) {
			snprintf(sys, sizeof(sys), "/sys/block/%s/%s/size", disk, name);
			ready = hcfg_read_line(sys, buf, sizeof(buf)) == 0 &&
				sscanf(buf, "%" SCNu64, &v) == 1 && v == len;
		}
		if (ready) {
			snprintf(sys, sizeof(sys), "/sys/block/%s/%s/dev", disk, name);
			if (hcfg_read_line(sys, buf, sizeof(buf)) < 0 ||
			    sscanf(buf, "%u:%u", &maj, &min) != 2)
				ready = false;
		}
		if (ready && stat(path, &st) == 0 && S_ISBLK(st.st_mode) &&
		    st.st_rdev == makedev(maj, min))
			return 0;
		if (base_now_ms() > deadline) {
			if (!ready)
				return -ENODEV;
			unlink(path);
			if (mknod(path, S_IFBLK | 0660, makedev(maj, min)) < 0)
				return -errno;
			return 0;
		}
		usleep(20000);
	}
}

/* ---- partitioning --------------------------------------------------------- */

static const PedFileSystemType *ped_fs(enum hcfg_fs fs)
{
	switch (fs) {
	case HCFG_FS_EXT4:
		return ped_file_system_type_get("ext4");
	case HCFG_FS_EXT3:
		return ped_file_system_type_get("ext3");
	case HCFG_FS_XFS:
		return ped_file_system_type_get("xfs");
	case HCFG_FS_SWAP:
		return ped_file_system_type_get("linux-swap(v1)");
	case HCFG_FS_VFAT:
		return ped_file_system_type_get("fat32");
	default:
		return NULL;
	}
}

/* The last sector a partition may use on a fresh label: the end of its free space. */
static PedSector last_usable(PedDisk *pd)
{
	PedSector end = -1;

	for (PedPartition *p = ped_disk_next_partition(pd, NULL); p;
	     p = ped_disk_next_partition(pd, p))
		if ((p->type & PED_PARTITION_FREESPACE) && p->geom.end > end)
			end = p->geom.end;
	return end;
}

int hcfg_disk_partition(const char *disk, const struct hcfg_part_spec *parts, size_t n,
			char **paths, char **cause)
{
	struct hcfg_disk d;
	struct hcfg_ped_guard guard = { 0 };
	PedDevice *dev = NULL;
	PedDisk *pd = NULL;
	PedSector *starts = NULL, *lens = NULL, mib, start, max_end;
	int *nums = NULL;
	int fd = -1, rc;

	for (size_t i = 0; paths && i < n; i++)
		paths[i] = NULL;
	if (!paths || n == 0 || n > 128)
		return base_cause(cause, -EINVAL, _("A partition layout needs between 1 and 128 partitions."));
	for (size_t i = 0; i < n; i++)
		if (parts[i].size_mib == 0)
			return base_cause(cause, -EINVAL, _("Partition %zu has no size."), i + 1);

	rc = hcfg_disk_probe(disk, NULL, &d, cause);
	if (rc < 0)
		return rc;
	if (!d.eligible)
		/* TRANSLATORS: the second %s is a whole sentence saying why. */
		return base_cause(cause, -EBUSY, _("The disk %s was left untouched. %s"), disk, d.why);

	/*
	 * The exclusive open fails while anything holds the disk or one of its
	 * partitions, and keeps anyone from mounting one until this is done.
	 */
	fd = open(d.path, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EBUSY)
			base_cause(cause, rc, _("The disk %s is in use; it was left untouched."), disk);
		else
			base_cause(cause, rc, _("Could not open %s: %s."), disk, strerror(-rc));
		goto out;
	}
	rc = wipe_disk(fd);
	if (rc < 0) {
		base_cause(cause, rc, _("Could not erase the old signatures on %s: %s."), disk,
			   strerror(-rc));
		goto out;
	}

	starts = calloc(n, sizeof(*starts));
	lens = calloc(n, sizeof(*lens));
	nums = calloc(n, sizeof(*nums));
	if (!starts || !lens || !nums) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}

	hcfg_ped_guard_begin(&guard);

	dev = ped_device_get(d.path);
	if (!dev) {
		rc = ped_fail(cause, -EIO, disk);
		goto out;
	}
	pd = ped_disk_new_fresh(dev, ped_disk_type_get("gpt"));
	if (!pd) {
		rc = ped_fail(cause, -EIO, disk);
		goto out;
	}
	mib = MIB / dev->sector_size;
	max_end = last_usable(pd);
	start = mib;
	for (size_t i = 0; i < n; i++) {
		PedSector end = start + (PedSector)parts[i].size_mib * mib - 1;
		const PedFileSystemType *fst = ped_fs(parts[i].fs);
		PedConstraint *cons;
		PedPartition *part;

		if (i == n - 1 && end > max_end) {
			/* End on a MiB boundary below the backup GPT. */
			PedSector fit = (max_end + 1) / mib * mib - 1;

			if (end - fit <= (PedSector)LAST_PART_SLACK_MIB * mib)
				end = fit;
		}
		if (end > max_end || end <= start) {
			rc = base_cause(cause, -ENOSPC,
					_("The partitions do not fit on %s: partition %zu would end beyond the disk."),
					disk, i + 1);
			goto out;
		}
		part = ped_partition_new(pd, PED_PARTITION_NORMAL, fst, start, end);
		if (!part) {
			rc = ped_fail(cause, -EIO, disk);
			goto out;
		}
		if (parts[i].label && !ped_partition_set_name(part, parts[i].label)) {
			ped_partition_destroy(part);
			rc = ped_fail(cause, -EINVAL, disk);
			goto out;
		}
		cons = ped_constraint_exact(&part->geom);
		if (!cons || !ped_disk_add_partition(pd, part, cons)) {
			if (cons)
				ped_constraint_destroy(cons);
			ped_partition_destroy(part);
			rc = ped_fail(cause, -EIO, disk);
			goto out;
		}
		ped_constraint_destroy(cons);
		if ((parts[i].fs == HCFG_FS_BIOSBOOT &&
		     !ped_partition_set_flag(part, PED_PARTITION_BIOS_GRUB, 1)) ||
		    (parts[i].fs == HCFG_FS_LVMPV &&
		     !ped_partition_set_flag(part, PED_PARTITION_LVM, 1)) ||
		    (parts[i].fs == HCFG_FS_MDMEMBER &&
		     !ped_partition_set_flag(part, PED_PARTITION_RAID, 1))) {
			rc = ped_fail(cause, -EIO, disk);
			goto out;
		}
		nums[i] = part->num;
		/* sysfs counts partitions in 512-byte units whatever the sector size. */
		starts[i] = part->geom.start * (dev->sector_size / 512);
		lens[i] = part->geom.length * (dev->sector_size / 512);
		start = end + 1;
	}
	if (!ped_disk_commit(pd)) {
		rc = ped_fail(cause, -EIO, disk);
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];

		rc = hcfg_part_node(d.name, nums[i], (uint64_t)starts[i], (uint64_t)lens[i], path,
			       sizeof(path));
		if (rc < 0) {
			base_cause(cause, rc, _("The kernel did not make the device of partition %d of %s."),
				   nums[i], disk);
			goto out;
		}
		paths[i] = strdup(path);
		if (!paths[i]) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
	}
	rc = 0;
out:
	if (pd)
		ped_disk_destroy(pd);
	if (dev)
		ped_device_destroy(dev);
	hcfg_ped_guard_end(&guard);
	if (fd >= 0)
		close(fd);
	free(starts);
	free(lens);
	free(nums);
	if (rc < 0)
		for (size_t i = 0; i < n; i++) {
			free(paths[i]);
			paths[i] = NULL;
		}
	return rc;
}

/*
 * The partitions already on @disk, for an install that resumes: the kernel is
 * told about them (no udev or partition scan may have done it) and each gets a
 * device node. Nothing on the disk is written.
 */
int hcfg_disk_partitions(const char *disk, char **paths, uint64_t *sizes_mib, size_t max,
			 size_t *n, char **cause)
{
	struct hcfg_ped_guard guard;
	PedDevice *dev = NULL;
	PedDisk *pd = NULL;
	struct hcfg_disk d;
	int rc;

	*n = 0;
	rc = hcfg_disk_probe(disk, NULL, &d, cause);
	if (rc < 0)
		return rc;
	hcfg_ped_guard_begin(&guard);
	dev = ped_device_get(d.path);
	if (dev && ped_disk_probe(dev))
		pd = ped_disk_new(dev);
	if (!pd) {
		rc = -ENOENT;   /* no partition table: nothing to resume */
		goto out;
	}
	if (!ped_disk_commit_to_os(pd)) {
		rc = ped_fail(cause, -EIO, disk);
		goto out;
	}
	for (PedPartition *p = ped_disk_next_partition(pd, NULL); p;
	     p = ped_disk_next_partition(pd, p)) {
		char path[PATH_MAX];

		if (p->num <= 0 || !ped_partition_is_active(p))
			continue;
		if (*n == max) {
			rc = -E2BIG;
			goto out;
		}
		rc = hcfg_part_node(d.name, p->num, (uint64_t)p->geom.start * (dev->sector_size / 512),
			       (uint64_t)p->geom.length * (dev->sector_size / 512), path,
			       sizeof(path));
		if (rc < 0) {
			base_cause(cause, rc, _("The kernel did not make the device of partition %d of %s."),
				   p->num, disk);
			goto out;
		}
		paths[*n] = strdup(path);
		if (!paths[*n])
			abort();
		sizes_mib[(*n)++] = (uint64_t)p->geom.length * dev->sector_size / MIB;
	}
out:
	if (pd)
		ped_disk_destroy(pd);
	if (dev)
		ped_device_destroy(dev);
	hcfg_ped_guard_end(&guard);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++) {
			free(paths[i]);
			paths[i] = NULL;
		}
		*n = 0;
	}
	return rc;
}

/* ---- filesystems ------------------------------------------------------- */

int hcfg_mkfs(const char *dev, enum hcfg_fs fs, const char *label, int logfd,
	      hcfg_progress_fn progress, void *opaque, char **cause)
{
	const char *argv[12];
	size_t a = 0, max_label;
	const char *label_opt = "-L";   /* every mkfs but vfat's */
	char *c = NULL;
	int rc;

	switch (fs) {
	case HCFG_FS_EXT4:
		max_label = 16;
		argv[a++] = "mkfs.ext4";
		argv[a++] = "-F";
		argv[a++] = "-q";
		/* The kernel finishes the inode tables in the background after the first mount. */
		argv[a++] = "-E";
		argv[a++] = "lazy_itable_init=1,lazy_journal_init=1";
		break;
	case HCFG_FS_EXT3:
		max_label = 16;
		argv[a++] = "mkfs.ext3";
		argv[a++] = "-F";
		argv[a++] = "-q";
		break;
	case HCFG_FS_XFS:
		max_label = 12;
		argv[a++] = "mkfs.xfs";
		argv[a++] = "-f";
		argv[a++] = "-q";
		break;
	case HCFG_FS_SWAP:
		max_label = 16;
		argv[a++] = "mkswap";
		break;
	case HCFG_FS_VFAT:
		max_label = 11;
		argv[a++] = "mkfs.vfat";
		label_opt = "-n";
		break;
	case HCFG_FS_BIOSBOOT:
		/* GRUB writes its core image there raw: no filesystem to make. */
		if (progress && progress(opaque, 0))
			goto cancelled;
		if (progress)
			progress(opaque, 1000);
		return 0;
	default:
		return base_cause(cause, -EINVAL, _("Unknown filesystem type %d."), (int)fs);
	}
	if (label && label[0]) {
		argv[a++] = label_opt;
		argv[a++] = label;
	}
	argv[a++] = dev;
	argv[a] = NULL;

	if (label && strlen(label) > max_label)
		return base_cause(cause, -EINVAL,
				  _("The label %s is too long for %s: at most %zu characters."),
				  label, hcfg_fs_name(fs), max_label);
	if (progress && progress(opaque, 0))
		goto cancelled;
	rc = base_run(argv, logfd, &c);
	if (rc != 0) {
		/* TRANSLATORS: the last %s is a whole sentence with the reason. */
		base_cause(cause, rc < 0 ? rc : -EIO, _("Could not make the %s filesystem on %s. %s"),
			   hcfg_fs_name(fs), dev, c ? c : "");
		free(c);
		return rc < 0 ? rc : -EIO;
	}
	free(c);
	if (progress)
		progress(opaque, 1000);
	return 0;
cancelled:
	return base_cause(cause, -ECANCELED, _("Making the filesystem on %s was cancelled."), dev);
}

int hcfg_fs_uuid(const char *dev, char *uuid, size_t len, char **cause)
{
	blkid_probe pr;
	const char *v = NULL;
	int rc;

	if (len)
		uuid[0] = '\0';
	errno = 0;
	pr = blkid_new_probe_from_filename(dev);
	if (!pr) {
		rc = errno ? -errno : -EIO;
		return base_cause(cause, rc, _("Could not read %s: %s."), dev, strerror(-rc));
	}
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
	rc = blkid_do_safeprobe(pr);
	if (rc == 1) {
		rc = base_cause(cause, -ENODATA, _("%s holds no filesystem."), dev);
		goto out;
	}
	if (rc == -2) {
		rc = base_cause(cause, -EINVAL, _("%s carries several conflicting signatures."), dev);
		goto out;
	}
	if (rc < 0) {
		rc = base_cause(cause, -EIO, _("Could not read %s: %s."), dev, strerror(EIO));
		goto out;
	}
	if (blkid_probe_lookup_value(pr, "UUID", &v, NULL) < 0 || !v || !v[0]) {
		rc = base_cause(cause, -ENODATA, _("The filesystem on %s has no UUID."), dev);
		goto out;
	}
	if (strlen(v) >= len) {
		rc = base_cause(cause, -ERANGE, _("The UUID of %s is too long."), dev);
		goto out;
	}
	strcpy(uuid, v);
	rc = 0;
out:
	blkid_free_probe(pr);
	return rc;
}
