/* The storage editor's edits: one partition made, deleted or grown through libparted, mounts and the fstab lines that go with them. */
#include "hcfg-stor.h"
#include "hcfg-int.h"
#include "base/i18n.h"

#include <blkid/blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <parted/parted.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MIB ((uint64_t)1 << 20)

/* ---- checks of what the operator typed ------------------------------------------ */

int hcfg_stor_parse_size(const char *text, uint64_t max, bool *all, uint64_t *bytes,
			 char **cause)
{
	static const struct { const char *u; unsigned shift; } units[] = {
		{ "", 20 }, { "k", 10 }, { "kib", 10 }, { "kb", 10 }, { "m", 20 }, { "mib", 20 },
		{ "mb", 20 }, { "g", 30 }, { "gib", 30 }, { "gb", 30 }, { "t", 40 }, { "tib", 40 },
		{ "tb", 40 },
	};
	const char *p = text ? text : "";
	char *end;
	double v;

	*all = false;
	*bytes = 0;
	while (isspace((unsigned char)*p))
		p++;
	/* TRANSLATORS: the word for "the whole free region" typed in a size field; keep it short. */
	if (!strcasecmp(p, "all") || !strcasecmp(p, _("all"))) {
		*all = true;
		*bytes = max;
		return 0;
	}
	if (!isdigit((unsigned char)*p) && *p != '.')
		goto bad;
	errno = 0;
	v = strtod(p, &end);
	if (errno || end == p || !isfinite(v))
		goto bad;
	while (isspace((unsigned char)*end))
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double b;

		if (strcasecmp(end, units[i].u))
			continue;
		b = v * (double)(1ull << units[i].shift);
		if (b < MIB)
			return base_cause(cause, -EINVAL,
					  _("The size \"%s\" is too small: a partition needs at least 1 MiB."),
					  text);
		if (b > (double)max) {
			char room[32];

			snprintf(room, sizeof(room), "%" PRIu64 " MiB", max / MIB);
			return base_cause(cause, -ENOSPC,
					  _("The size \"%s\" is larger than the free region (%s)."), text,
					  room);
		}
		*bytes = (uint64_t)b / MIB * MIB;
		return 0;
	}
	return base_cause(cause, -EINVAL,
			  _("The size \"%s\" has a unit that does not exist: use K, M, G or T, or \"all\"."),
			  text);
bad:
	return base_cause(cause, -EINVAL,
			  _("\"%s\" is not a size: type a number with a unit such as 20G or 512M, or \"all\"."),
			  text ? text : "");
}

int hcfg_stor_check_mountpoint(const char *mp, char **cause)
{
	static const char *const banned[] = { "/proc", "/sys", "/dev", "/run" };
	struct stat st;
	const char *p;
	DIR *d;

	if (!mp || mp[0] != '/')
		return base_cause(cause, -EINVAL, _("The mount point \"%s\" is not an absolute path."),
				  mp ? mp : "");
	if (strlen(mp) > 200)
		return base_cause(cause, -ENAMETOOLONG, _("The mount point %s is too long."), mp);
	/* It goes into fstab and libvirt's XML as it is: plain characters only. */
	for (p = mp; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/._+-:@", *p))
			return base_cause(cause, -EINVAL,
					  _("The mount point \"%s\" may hold only letters, digits and / . _ + - : @."),
					  mp);
	/* One spelling per folder, so that fstab and the checks below see the same path. */
	if (strstr(mp, "//") || strstr(mp, "/./") || strstr(mp, "/../") ||
	    (strlen(mp) > 1 && mp[strlen(mp) - 1] == '/') ||
	    (strlen(mp) >= 2 && !strcmp(mp + strlen(mp) - 2, "/.")) ||
	    (strlen(mp) >= 3 && !strcmp(mp + strlen(mp) - 3, "/..")))
		return base_cause(cause, -EINVAL,
				  _("The mount point \"%s\" is not written plainly: no \"//\", \".\" or \"..\", no '/' at the end."),
				  mp);
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		size_t l = strlen(banned[i]);

		if (!strncmp(mp, banned[i], l) && (mp[l] == '\0' || mp[l] == '/'))
			return base_cause(cause, -EPERM,
					  _("The mount point %s is inside %s, which belongs to the kernel."),
					  mp, banned[i]);
	}
	if (hcfg_stor_host_mount(mp))
		return base_cause(cause, -EPERM,
				  _("The mount point %s is a folder the host itself runs from."), mp);
	{
		/* No symbolic link on the way: one in a writable folder would send the mount elsewhere. */
		char have[PATH_MAX], real[PATH_MAX], *slash;

		snprintf(have, sizeof(have), "%s", mp);
		while (lstat(have, &st) < 0 && (slash = strrchr(have, '/')))
			slash == have ? (void)(have[1] = '\0') : (void)(*slash = '\0');
		if (!realpath(have, real) || strcmp(real, have))
			return base_cause(cause, -ELOOP,
					  _("The mount point %s goes through a symbolic link; give the real path."),
					  mp);
	}
	if (lstat(mp, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return base_cause(cause, -errno, _("Could not read %s: %s."), mp, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return base_cause(cause, -ENOTDIR, _("The mount point %s exists and is not a folder."),
				  mp);
	d = opendir(mp);
	if (!d)
		return base_cause(cause, -errno, _("Could not read %s: %s."), mp, strerror(errno));
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			closedir(d);
			return base_cause(cause, -ENOTEMPTY,
					  _("The mount point %s exists and is not empty."), mp);
		}
	}
	closedir(d);
	{
		char parent[PATH_MAX];
		struct stat pst;

		snprintf(parent, sizeof(parent), "%s/..", mp);
		if (stat(parent, &pst) == 0 && pst.st_dev != st.st_dev)
			return base_cause(cause, -EBUSY, _("Something is already mounted on %s."), mp);
	}
	return 0;
}

/* ---- libparted ------------------------------------------------------------------- */

struct ped {
	struct hcfg_ped_guard guard;
	PedDevice *dev;
	PedDisk *pd;
	char disk[64];          /* "loop3" */
	char path[PATH_MAX];    /* "/dev/loop3" */
};

static int ped_fail(char **cause, int err, const char *disk)
{
	if (hcfg_ped_message())
		return base_cause(cause, err, _("Could not change the partition table of %s: %s"),
				  disk, hcfg_ped_message());
	return base_cause(cause, err, _("Could not change the partition table of %s."), disk);
}

/* Open the partition table of disk @name ("loop3"); with @fresh, a blank disk gets a new GPT in memory. */
static int ped_open_fresh(struct ped *p, const char *name, bool fresh, char **cause)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->disk, sizeof(p->disk), "%s", name);
	snprintf(p->path, sizeof(p->path), "/dev/%s", name);
	for (char *c = p->path; *c; c++)
		if (*c == '!')
			*c = '/';
	hcfg_ped_guard_begin(&p->guard);
	p->dev = ped_device_get(p->path);
	if (p->dev && ped_disk_probe(p->dev)) {
		p->pd = ped_disk_new(p->dev);
	} else if (p->dev && fresh) {
		bool blank = false;

		/* Only a disk with nothing on it, that nothing holds: a new table erases nothing. */
		if (hcfg_disk_blank(p->path, &blank, cause) < 0)
			return -EIO;
		if (!blank)
			return base_cause(cause, -EEXIST,
					  _("%s has no partition table but holds something: it was left untouched."),
					  p->path);
		if (hcfg_disk_try_claim(p->path) == -EBUSY)
			return base_cause(cause, -EBUSY, _("The disk %s is in use; it was left untouched."),
					  p->path);
		p->pd = ped_disk_new_fresh(p->dev, ped_disk_type_get("gpt"));
	}
	if (!p->pd)
		return ped_fail(cause, -EIO, p->path);
	/* MiB boundaries, as everywhere else here: not an MBR's cylinders, which waste the end of a region. */
	if (ped_disk_is_flag_available(p->pd, PED_DISK_CYLINDER_ALIGNMENT))
		ped_disk_set_flag(p->pd, PED_DISK_CYLINDER_ALIGNMENT, 0);
	return 0;
}

static int ped_open(struct ped *p, const char *name, char **cause)
{
	return ped_open_fresh(p, name, false, cause);
}

static void ped_close(struct ped *p)
{
	if (p->pd)
		ped_disk_destroy(p->pd);
	if (p->dev)
		ped_device_destroy(p->dev);
	hcfg_ped_guard_end(&p->guard);
}

/* The disk ("loop3") and number of the partition @part, from sysfs. */
static int part_of(const char *part, char *disk, size_t len, int *num, char **cause)
{
	char link[64], sys[PATH_MAX], buf[32], *slash;
	struct stat st;

	if (stat(part, &st) < 0 || !S_ISBLK(st.st_mode))
		return base_cause(cause, -ENOTBLK, _("%s is not a block device."), part);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (!realpath(link, sys))
		return base_cause(cause, -ENOENT, _("The kernel has no information about %s."), part);
	snprintf(buf, sizeof(buf), "%s", "");
	{
		char attr[PATH_MAX];

		snprintf(attr, sizeof(attr), "%s/partition", sys);
		if (hcfg_read_line(attr, buf, sizeof(buf)) < 0 || sscanf(buf, "%d", num) != 1)
			return base_cause(cause, -EINVAL, _("%s is not a partition."), part);
	}
	slash = strrchr(sys, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	slash = strrchr(sys, '/');
	if (!slash)
		return -EINVAL;
	snprintf(disk, len, "%s", slash + 1);
	return 0;
}

static int commit_and_wait(struct ped *p, PedPartition *part, char *path, size_t plen,
			   char **cause)
{
	int rc;

	if (!ped_disk_commit(p->pd))
		return ped_fail(cause, -EIO, p->path);
	rc = hcfg_part_node(p->disk, part->num,
			    (uint64_t)part->geom.start * (p->dev->sector_size / 512),
			    (uint64_t)part->geom.length * (p->dev->sector_size / 512), path, plen);
	if (rc < 0)
		return base_cause(cause, rc,
				  _("The table of %s was written, but the kernel did not show partition %d as written; it may need a reboot to see it."),
				  p->path, part->num);
	return 0;
}

/*
 * Erase the signatures a new partition finds where an old one was: a stale filesystem or LVM
 * label would come back to life, in the tree and for blkid, mount or a guest. The region was
 * free, so nothing in use is erased.
 */
static int wipe_new(const char *path, char **cause)
{
	int fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC), rc = 0;
	blkid_probe pr;

	if (fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		rc = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	for (int guard = 0; guard < 64; guard++) {
		int r = blkid_do_probe(pr);

		if (r == 1)
			break;
		if (r < 0 || blkid_do_wipe(pr, 0) < 0) {
			rc = -EIO;
			break;
		}
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	if (rc < 0)
		base_cause(cause, rc, _("Could not erase the old signatures on %s: %s."), path,
			   strerror(-rc));
	return rc;
}

int hcfg_part_create(const char *disk, uint64_t start, uint64_t size, char **path, char **cause)
{
	char name[64], dev[PATH_MAX];
	struct ped p;
	PedPartition *fr, *part;
	PedConstraint *cons;
	PedSector mib, s, e;
	int rc;

	*path = NULL;
	if (strncmp(disk, "/dev/", 5) || strchr(disk + 5, '/'))
		return base_cause(cause, -EINVAL, _("%s is not a disk."), disk);
	snprintf(name, sizeof(name), "%s", disk + 5);
	rc = ped_open_fresh(&p, name, true, cause);
	if (rc < 0)
		goto out;
	mib = MIB / p.dev->sector_size;
	s = (PedSector)(start / p.dev->sector_size);
	fr = ped_disk_get_partition_by_sector(p.pd, s);
	if (!fr || !(fr->type & PED_PARTITION_FREESPACE)) {
		rc = base_cause(cause, -ENOSPC, _("%s has no free region at %" PRIu64 " MiB."), disk,
				start / MIB);
		goto out;
	}
	s = (s + mib - 1) / mib * mib;
	e = fr->geom.end;
	if (size)
		e = s + (PedSector)(size / p.dev->sector_size) - 1;
	if (e > fr->geom.end) {
		rc = base_cause(cause, -ENOSPC, _("The new partition does not fit in the free region of %s."),
				disk);
		goto out;
	}
	/* End on a MiB boundary, as partitioning tools do, unless that loses the whole region. */
	if ((e + 1) % mib && (e + 1) / mib * mib - 1 > s)
		e = (e + 1) / mib * mib - 1;
	part = ped_partition_new(p.pd, PED_PARTITION_NORMAL, NULL, s, e);
	if (!part) {
		rc = ped_fail(cause, -EIO, disk);
		goto out;
	}
	cons = ped_constraint_exact(&part->geom);
	if (!cons || !ped_disk_add_partition(p.pd, part, cons)) {
		if (cons)
			ped_constraint_destroy(cons);
		ped_partition_destroy(part);
		rc = ped_fail(cause, -EIO, disk);
		goto out;
	}
	ped_constraint_destroy(cons);
	rc = commit_and_wait(&p, part, dev, sizeof(dev), cause);
	if (rc == 0)
		rc = wipe_new(dev, cause);
	if (rc == 0 && !(*path = strdup(dev)))
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
out:
	ped_close(&p);
	return rc;
}

/* A process whose mount namespace still has @dev mounted, and its name; 0 when none is found. */
static pid_t mounted_elsewhere(const char *dev, char *who, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct stat st;
	pid_t found = 0;

	who[0] = '\0';
	if (!d || stat(dev, &st) < 0) {
		if (d)
			closedir(d);
		return 0;
	}
	while (!found && (e = readdir(d))) {
		char path[PATH_MAX], *line = NULL;
		size_t cap = 0;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/mountinfo", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (getline(&line, &cap, f) > 0) {
			unsigned maj, min;

			if (sscanf(line, "%*s %*s %u:%u", &maj, &min) == 2 &&
			    makedev(maj, min) == st.st_rdev) {
				found = (pid_t)atoi(e->d_name);
				break;
			}
		}
		free(line);
		fclose(f);
		if (found) {
			snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
			hcfg_read_line(path, who, len);
		}
	}
	closedir(d);
	return found;
}

int hcfg_part_delete(const char *part, char **cause)
{
	char disk[64];
	struct ped p;
	PedPartition *pp;
	int num, rc = part_of(part, disk, sizeof(disk), &num, cause);

	if (rc < 0)
		return rc;
	/*
	 * The kernel's exclusive claim fails while a mount, swap, holder or guest has it. A mount
	 * just undone may linger a moment; one copied into another process's mount namespace stays
	 * until that process ends, and the message names it.
	 */
	for (int i = 0; (rc = hcfg_disk_try_claim(part)) == -EBUSY && i < 30; i++)
		usleep(100000);
	if (rc == -EBUSY) {
		char who[64];
		pid_t pid = mounted_elsewhere(part, who, sizeof(who));

		if (pid > 0)
			return base_cause(cause, rc,
					  _("%s is still mounted in the mount namespace of process %d (%s); it was not deleted."),
					  part, (int)pid, who);
		return base_cause(cause, rc, _("%s is in use; it was not deleted."), part);
	}
	rc = ped_open(&p, disk, cause);
	if (rc < 0)
		goto out;
	pp = ped_disk_get_partition(p.pd, num);
	if (!pp) {
		rc = base_cause(cause, -ENOENT, _("The table of %s has no partition %d."), p.path, num);
		goto out;
	}
	if (!ped_disk_delete_partition(p.pd, pp) || !ped_disk_commit(p.pd)) {
		rc = ped_fail(cause, -EIO, p.path);
		goto out;
	}
	rc = 0;
out:
	ped_close(&p);
	return rc;
}

/* The filesystem type on @dev, "" when none. */
static void fs_type(const char *dev, char *out, size_t len)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *v;

	out[0] = '\0';
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
		snprintf(out, len, "%s", v);
	blkid_free_probe(pr);
}

/* Where the block device @dev is mounted first, "" when it is not. */
static void mount_of(const char *dev, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	struct stat st;

	out[0] = '\0';
	if (!f)
		return;
	if (stat(dev, &st) == 0)
		while (getline(&line, &cap, f) > 0) {
			unsigned maj, min;
			char mp[PATH_MAX];

			if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &maj, &min, mp) == 3 &&
			    makedev(maj, min) == st.st_rdev) {
				snprintf(out, len, "%s", mp);
				break;
			}
		}
	free(line);
	fclose(f);
}

static int grow_fs(const char *part, char **cause)
{
	char type[32], mp[PATH_MAX], *c = NULL;
	int rc;

	fs_type(part, type, sizeof(type));
	mount_of(part, mp, sizeof(mp));
	if (!strcmp(type, "ext4") || !strcmp(type, "ext3") || !strcmp(type, "ext2")) {
		const char *fsck[] = { "e2fsck", "-f", "-p", part, NULL };
		const char *grow[] = { "resize2fs", part, NULL };

		/* Offline, resize2fs wants a freshly checked filesystem; mounted, it grows online. */
		if (!mp[0]) {
			rc = base_run(fsck, -1, &c);
			if (rc != 0 && rc != 1) {
				rc = base_cause(cause, -EIO, _("The filesystem on %s has errors: %s"),
						part, c ? c : "");
				free(c);
				return rc;
			}
			free(c);
			c = NULL;
		}
		rc = base_run(grow, -1, &c);
	} else if (!strcmp(type, "xfs")) {
		const char *grow[] = { "xfs_growfs", mp, NULL };

		if (!mp[0])
			return base_cause(cause, -EOPNOTSUPP,
					  _("An XFS filesystem grows only while it is mounted: mount %s and grow it again."),
					  part);
		rc = base_run(grow, -1, &c);
	} else {
		return 0;   /* nothing to grow: a raw partition, swap, a physical volume is left as it is */
	}
	if (rc != 0) {
		rc = base_cause(cause, -EIO, _("Could not grow the %s filesystem on %s: %s"), type, part,
				c ? c : "");
		free(c);
		return rc;
	}
	free(c);
	return 0;
}

int hcfg_part_grow(const char *part, uint64_t size, bool *done, char **cause)
{
	char disk[64], dev[PATH_MAX];
	struct ped p;
	PedPartition *pp, *next;
	PedConstraint *cons;
	PedSector mib, e;
	int num, rc = part_of(part, disk, sizeof(disk), &num, cause);

	if (done)
		*done = false;
	if (rc < 0)
		return rc;
	rc = ped_open(&p, disk, cause);
	if (rc < 0)
		goto out;
	mib = MIB / p.dev->sector_size;
	pp = ped_disk_get_partition(p.pd, num);
	if (!pp) {
		rc = base_cause(cause, -ENOENT, _("The table of %s has no partition %d."), p.path, num);
		goto out;
	}
	next = ped_disk_next_partition(p.pd, pp);
	while (next && (next->type & PED_PARTITION_METADATA) && next->geom.length < mib)
		next = ped_disk_next_partition(p.pd, next);
	if (!next || !(next->type & PED_PARTITION_FREESPACE) || next->geom.length < mib) {
		rc = base_cause(cause, -ENOSPC, _("There is no free space right after %s."), part);
		goto out;
	}
	e = next->geom.end;
	if (size) {
		if ((PedSector)(size / p.dev->sector_size) <= pp->geom.length) {
			rc = base_cause(cause, -EINVAL,
					_("The new size of %s is not larger than its size now."), part);
			goto out;
		}
		e = pp->geom.start + (PedSector)(size / p.dev->sector_size) - 1;
		if (e > next->geom.end) {
			rc = base_cause(cause, -ENOSPC,
					_("The new size of %s is larger than the free space after it."),
					part);
			goto out;
		}
	}
	if ((e + 1) % mib && (e + 1) / mib * mib - 1 > pp->geom.end)
		e = (e + 1) / mib * mib - 1;
	cons = ped_constraint_any(p.dev);
	if (!cons || !ped_disk_set_partition_geom(p.pd, pp, cons, pp->geom.start, e)) {
		if (cons)
			ped_constraint_destroy(cons);
		rc = ped_fail(cause, -EIO, p.path);
		goto out;
	}
	ped_constraint_destroy(cons);
	rc = commit_and_wait(&p, pp, dev, sizeof(dev), cause);
	if (rc < 0)
		goto out;
	if (done)
		*done = true;
	ped_close(&p);
	return grow_fs(part, cause);
out:
	ped_close(&p);
	return rc;
}

/* ---- mounts and fstab ----------------------------------------------------------------- */

int hcfg_stor_mount(const char *dev, const char *fstype, const char *mp, char **cause)
{
	int rc = hcfg_mkdirs(mp, cause);

	if (rc < 0)
		return rc;
	if (mount(dev, mp, fstype, 0, NULL) < 0)
		return base_cause(cause, -errno, _("Could not mount %s on %s: %s."), dev, mp,
				  strerror(errno));
	return 0;
}

int hcfg_stor_umount_dev(const char *dev, char **cause)
{
	struct stat st;

	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode))
		return base_cause(cause, -ENOTBLK, _("%s is not a block device."), dev);
	/* One mount at a time, read again after each: the newest first, as the kernel needs. */
	for (int guard = 0; guard < 64; guard++) {
		FILE *f = fopen("/proc/self/mountinfo", "re");
		char *line = NULL, last[PATH_MAX] = "";
		size_t cap = 0;

		if (!f)
			return base_cause(cause, -errno, _("Could not read %s: %s."),
					  "/proc/self/mountinfo", strerror(errno));
		while (getline(&line, &cap, f) > 0) {
			unsigned maj, min;
			char mp[PATH_MAX];

			if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &maj, &min, mp) == 3 &&
			    makedev(maj, min) == st.st_rdev)
				snprintf(last, sizeof(last), "%s", mp);
		}
		free(line);
		fclose(f);
		if (!last[0])
			return 0;
		{
			char *r = last, *w = last;

			/* mountinfo spells blanks as octal escapes. */
			while (*r) {
				if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
					*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
					r += 4;
				} else {
					*w++ = *r++;
				}
			}
			*w = '\0';
		}
		if (umount2(last, 0) < 0)
			return base_cause(cause, -errno, _("Could not unmount %s from %s: %s."), dev, last,
					  strerror(errno));
	}
	return base_cause(cause, -ELOOP, _("%s is mounted too many times."), dev);
}

static char *fstab_path(const char *root)
{
	char *p;

	if (asprintf(&p, "%s/etc/fstab", root && strcmp(root, "/") ? root : "") < 0)
		return NULL;
	return p;
}

int hcfg_fstab_add(const char *root, const char *uuid, const char *mp, const char *fstype,
		   char **cause)
{
	char *path = fstab_path(root), *old = NULL;
	struct base_buf b = { 0 };
	int rc;

	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_read_file(path, &old, NULL);
	if (rc < 0 && rc != -ENOENT) {
		rc = hcfg_read_file(path, &old, cause);
		goto out;
	}
	base_buf_str(&b, old ? old : "");
	if (b.len && b.s[b.len - 1] != '\n')
		base_buf_str(&b, "\n");
	/* A folder for guests' disks: checked at boot after the root filesystem, like the others. */
	base_buf_printf(&b, "UUID=%s %s %s defaults 0 2\n", uuid, mp, fstype);
	if (b.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_write_file(path, b.s, 0644, cause);
out:
	free(b.s);
	free(old);
	free(path);
	return rc;
}

int hcfg_fstab_remove(const char *root, const char *uuid, const char *dev, unsigned *removed,
		      char **cause)
{
	char *path = fstab_path(root), *old = NULL, *save = NULL, *line, want[128] = "";
	struct base_buf b = { 0 };
	int rc;

	*removed = 0;
	if (!path)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_read_file(path, &old, NULL);
	if (rc == -ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		rc = hcfg_read_file(path, &old, cause);
		goto out;
	}
	if (uuid && uuid[0])
		snprintf(want, sizeof(want), "UUID=%s", uuid);
	/* strtok_r would drop blank lines: walk the text line by line instead. */
	for (line = old; line && *line; line = save) {
		char first[PATH_MAX] = "";
		size_t l;

		save = strchr(line, '\n');
		l = save ? (size_t)(save - line) + 1 : strlen(line);
		if (save)
			save++;
		/* The first field of this line only: a blank line must not read the next one's. */
		char *one = strndup(line, l);

		if (!one) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		if (sscanf(one, " %4095s", first) != 1)
			first[0] = '\0';
		free(one);
		if (first[0] && first[0] != '#' &&
		    ((want[0] && !strcmp(first, want)) || (dev && dev[0] && !strcmp(first, dev)))) {
			(*removed)++;
			continue;
		}
		base_buf_add(&b, line, l);
	}
	if (!*removed)
		goto out;
	if (b.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hcfg_write_file(path, b.s ? b.s : "", 0644, cause);
out:
	free(b.s);
	free(old);
	free(path);
	return rc;
}
