/* Whole disks of this host: facts from sysfs, contents from libblkid, and whether an install may use them. */
#include "hcfg.h"
#include "hcfg-int.h"
#include "base/i18n.h"

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Smallest disk an install fits on: base system, swap and a little room for images. */
#define HCFG_DISK_MIN_GIB 4u

#define GPT_BIOS_BOOT_GUID "21686148-6449-6e6f-744e-656564454649"

/* Copy @src into @dst, cutting at a character boundary so a UTF-8 text stays valid. */
static void copy_text(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Read a sysfs attribute as one trimmed line; -errno when it is missing. */
static int read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return hcfg_read_line(path, buf, len);
}

static int read_u64(const char *dir, const char *attr, uint64_t *v)
{
	char buf[32], *end;
	int rc = read_attr(dir, attr, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* A sysfs "dev" attribute ("8:1") as a dev_t. */
static int read_devno(const char *dir, dev_t *dev)
{
	char buf[32];
	unsigned maj, min;
	int rc = read_attr(dir, "dev", buf, sizeof(buf));

	if (rc < 0)
		return rc;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*dev = makedev(maj, min);
	return 0;
}

static bool has_attr(const char *dir, const char *attr)
{
	char path[PATH_MAX];

	return snprintf(path, sizeof(path), "%s/%s", dir, attr) < (int)sizeof(path) &&
	       access(path, F_OK) == 0;
}

/* Whether the folder @sub of @dir has an entry; @first gets its name. */
static bool dir_has_entries(const char *dir, const char *sub, char *first, size_t len)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >= (int)sizeof(path))
		return false;
	d = opendir(path);
	if (!d)
		return false;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (first)
			copy_text(first, len, e->d_name);
		found = true;
		break;
	}
	closedir(d);
	return found;
}

/* The device numbers that belong to one disk: the disk itself first, then its partitions. */
struct devset {
	dev_t *v;
	size_t n;
};

static bool devset_has(const struct devset *s, dev_t dev)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == dev)
			return true;
	return false;
}

void hcfg_unescape_octal(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

/* The device a path from the kernel names: a block device node, or the filesystem a file sits on. */
static bool path_devno(const char *path, dev_t *dev)
{
	struct stat st;

	if (path[0] != '/' || stat(path, &st) < 0)
		return false;
	*dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	return true;
}

/*
 * Whether a device of @s backs a mount. The major:minor field catches
 * mounts whatever name they were made under; the source field catches
 * filesystems (btrfs) that report an anonymous device number there.
 * Returns 0 when not mounted, 1 for the disk itself, 2 for a partition.
 */
static int mounted_where(const struct devset *s)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	if (!f)
		return 0;
	while (!found && getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char *sep, *src, *end;
		dev_t dev;

		if (sscanf(line, "%*s %*s %u:%u", &maj, &min) == 2 &&
		    devset_has(s, makedev(maj, min))) {
			dev = makedev(maj, min);
			found = dev == s->v[0] ? 1 : 2;
			break;
		}
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		src = strchr(sep + 3, ' ');     /* skip the filesystem type */
		if (!src)
			continue;
		src++;
		end = strchr(src, ' ');
		if (end)
			*end = '\0';
		hcfg_unescape_octal(src);
		if (path_devno(src, &dev) && devset_has(s, dev))
			found = dev == s->v[0] ? 1 : 2;
	}
	free(line);
	fclose(f);
	return found;
}

/* Like mounted_where(), for active swap areas. */
static int swap_where(const struct devset *s)
{
	FILE *f = fopen("/proc/swaps", "re");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;
	bool header = true;

	if (!f)
		return 0;
	while (!found && getline(&line, &cap, f) > 0) {
		char *end;
		dev_t dev;

		if (header) {
			header = false;
			continue;
		}
		end = strpbrk(line, " \t\n");
		if (end)
			*end = '\0';
		hcfg_unescape_octal(line);
		if (path_devno(line, &dev) && devset_has(s, dev))
			found = dev == s->v[0] ? 1 : 2;
	}
	free(line);
	fclose(f);
	return found;
}

/* Fill @s with the disk at sysfs @sys and its partitions; @holder gets the first holder found. */
static int collect_devs(const char *sys, dev_t disk, struct devset *s, char *holder, size_t hlen,
			bool *part_holder)
{
	DIR *d;
	struct dirent *e;

	s->v = malloc(sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	s->v[0] = disk;
	s->n = 1;
	holder[0] = '\0';
	*part_holder = false;
	dir_has_entries(sys, "holders", holder, hlen);

	d = opendir(sys);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char pdir[PATH_MAX];
		dev_t dev;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(pdir, sizeof(pdir), "%s/%s", sys, e->d_name) >= (int)sizeof(pdir))
			continue;
		if (!has_attr(pdir, "partition") || read_devno(pdir, &dev) < 0)
			continue;
		dev_t *nv = realloc(s->v, (s->n + 1) * sizeof(*s->v));

		if (!nv) {
			closedir(d);
			return -ENOMEM;
		}
		s->v = nv;
		s->v[s->n++] = dev;
		if (!holder[0] && dir_has_entries(pdir, "holders", holder, hlen))
			*part_holder = true;
	}
	closedir(d);
	return 0;
}

/* A partition table name as people know it. */
static const char *pt_name(const char *pttype)
{
	if (!strcmp(pttype, "gpt"))
		return "GPT";
	if (!strcmp(pttype, "dos"))
		return "MBR";
	return pttype;
}

static void append_item(char *list, size_t len, const char *item)
{
	size_t used = strlen(list);

	if (used && used + 2 < len) {
		strcpy(list + used, ", ");
		used += 2;
	}
	if (used < len - 1)
		copy_text(list + used, len - used, item);
}

/* What one partition holds, for the list of a partitioned disk. */
static void describe_partition(int fd, blkid_partition par, char *item, size_t len)
{
	blkid_probe pr = blkid_new_probe();
	const char *type = NULL, *guid = blkid_partition_get_type_string(par);

	item[0] = '\0';
	if (blkid_partition_is_extended(par)) {
		/* TRANSLATORS: an MBR extended partition, in a list of filesystem types. */
		copy_text(item, len, _("extended"));
		goto out;
	}
	if (pr && blkid_probe_set_device(pr, fd, (blkid_loff_t)blkid_partition_get_start(par) * 512,
					 (blkid_loff_t)blkid_partition_get_size(par) * 512) == 0) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
		if (blkid_do_safeprobe(pr) == 0)
			blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
	}
	if (type)
		copy_text(item, len, type);
	else if (guid && !strcasecmp(guid, GPT_BIOS_BOOT_GUID))
		copy_text(item, len, "biosboot");
	else
		/* TRANSLATORS: a partition with no filesystem, in a list of filesystem types. */
		copy_text(item, len, _("unformatted"));
out:
	if (pr)
		blkid_free_probe(pr);
}

/* Say in words what is on the disk now: a partition table and its filesystems, a filesystem, or nothing. */
static void describe_contents(const char *path, char *out, size_t len)
{
	blkid_probe pr = NULL;
	const char *v = NULL, *usage = NULL;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || !(pr = blkid_new_probe()) || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		/* TRANSLATORS: the contents of a disk that could not be read. */
		copy_text(out, len, _("unknown (the disk could not be read)"));
		goto out;
	}

	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0) {
		char pttype[32], list[160] = "";
		blkid_partlist ls;
		int np;

		/* Values belong to the probe and go away when it probes again. */
		copy_text(pttype, sizeof(pttype), pt_name(v));
		ls = blkid_probe_get_partitions(pr);
		np = ls ? blkid_partlist_numof_partitions(ls) : 0;

		if (np <= 0) {
			/* TRANSLATORS: %s is a partition table type such as GPT or MBR. */
			snprintf(out, len, _("%s partition table with no partitions"), pttype);
			goto out;
		}
		for (int i = 0; i < np; i++) {
			char item[64];

			describe_partition(fd, blkid_partlist_get_partition(ls, i), item, sizeof(item));
			append_item(list, sizeof(list), item);
		}
		/* TRANSLATORS: "GPT, 3 partitions: ext4, swap, xfs"; the first %s is the
		   partition table type, the last a list of filesystem types. */
		snprintf(out, len, P_("%s, %d partition: %s", "%s, %d partitions: %s", np),
			 pttype, np, list);
		goto out;
	}

	blkid_reset_probe(pr);
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	rc = blkid_do_safeprobe(pr);
	if (rc == -2) {
		/* TRANSLATORS: the contents of a disk that carries several different signatures. */
		copy_text(out, len, _("conflicting signatures"));
		goto out;
	}
	if (rc != 0 || blkid_probe_lookup_value(pr, "TYPE", &v, NULL) < 0) {
		/* TRANSLATORS: the contents of a disk with no partition table and no filesystem. */
		copy_text(out, len, _("empty"));
		goto out;
	}
	blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
	if (!strcmp(v, "swap"))
		copy_text(out, len, _("swap area"));
	else if (usage && !strcmp(usage, "filesystem"))
		/* TRANSLATORS: a filesystem on the whole disk; %s is its type, such as ext4. */
		snprintf(out, len, _("%s filesystem"), v);
	else if (usage && !strcmp(usage, "raid"))
		/* TRANSLATORS: %s is a signature type such as LVM2_member or linux_raid_member. */
		snprintf(out, len, _("%s RAID or LVM member"), v);
	else if (usage && !strcmp(usage, "crypto"))
		/* TRANSLATORS: %s is an encryption format such as crypto_LUKS. */
		snprintf(out, len, _("%s encrypted volume"), v);
	else
		/* TRANSLATORS: %s is the type of a signature libblkid found on the disk. */
		snprintf(out, len, _("%s signature"), v);
out:
	if (pr)
		blkid_free_probe(pr);
	if (fd >= 0)
		close(fd);
}

/* The devices of the install medium, found once for a whole listing (hcfg_medium_devs()). */
struct medium_set {
	dev_t *v;
	size_t n;
};

static bool holds_medium(const struct devset *s, const struct medium_set *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (devset_has(s, m->v[i]))
			return true;
	return false;
}

/* Set the first reason that keeps an install off this disk, if any. */
static void check_eligible(struct hcfg_disk *d, const char *sys, dev_t disk, const char *medium,
			   const struct medium_set *ms)
{
	struct devset s = { 0 };
	char holder[64], buf[16];
	bool part_holder;
	dev_t mdev;
	int where;

	d->eligible = false;
	if (collect_devs(sys, disk, &s, holder, sizeof(holder), &part_holder) < 0) {
		copy_text(d->why, sizeof(d->why), _("Out of memory."));
		goto out;
	}
	/* First: the medium is often mounted too, and this is the reason that tells the operator. */
	if ((medium && path_devno(medium, &mdev) && devset_has(&s, mdev)) || holds_medium(&s, ms)) {
		copy_text(d->why, sizeof(d->why), _("The disk holds the installation medium."));
		goto out;
	}
	if ((where = mounted_where(&s))) {
		copy_text(d->why, sizeof(d->why), where == 1 ? _("The disk is mounted.") :
			  _("A partition of this disk is mounted."));
		goto out;
	}
	if ((where = swap_where(&s))) {
		copy_text(d->why, sizeof(d->why), where == 1 ? _("The disk is in use as swap.") :
			  _("A partition of this disk is in use as swap."));
		goto out;
	}
	if (holder[0]) {
		snprintf(d->why, sizeof(d->why), part_holder ?
			 /* TRANSLATORS: %s is a kernel device name such as dm-0 or md127. */
			 _("A partition of this disk is in use by %s (LVM, RAID or device mapper).") :
			 _("The disk is in use by %s (LVM, RAID or device mapper)."), holder);
		goto out;
	}
	if (read_attr(sys, "ro", buf, sizeof(buf)) == 0 && strcmp(buf, "0") != 0) {
		copy_text(d->why, sizeof(d->why), _("The disk is read-only."));
		goto out;
	}
	if (d->size < (uint64_t)HCFG_DISK_MIN_GIB << 30) {
		snprintf(d->why, sizeof(d->why),
			 _("The disk is too small: an install needs at least %u GiB."),
			 HCFG_DISK_MIN_GIB);
		goto out;
	}
	d->eligible = true;
out:
	free(s.v);
}

/* Serial number from whichever attribute the driver provides. */
static void read_serial(const char *sys, char *out, size_t len)
{
	char path[PATH_MAX], buf[256];
	int fd;
	ssize_t r;

	if (read_attr(sys, "device/serial", buf, sizeof(buf)) == 0 && buf[0])
		goto found;
	if (read_attr(sys, "serial", buf, sizeof(buf)) == 0 && buf[0])
		goto found;
	/* SCSI and SATA disks: the Unit Serial Number VPD page, a 4-byte header then text. */
	if (snprintf(path, sizeof(path), "%s/device/vpd_pg80", sys) >= (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 4)
		return;
	buf[r] = '\0';
	memmove(buf, buf + 4, r - 4 + 1);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
found:;
	char *p = buf, *e = buf + strlen(buf);

	while (*p == ' ')
		p++;
	while (e > p && e[-1] == ' ')
		*--e = '\0';
	copy_text(out, len, p);
}

int hcfg_disk_try_claim(const char *path)
{
	int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int probe(const char *path, const char *medium, const struct medium_set *ms,
		 struct hcfg_disk *d, char **cause)
{
	char link[64], sys[PATH_MAX], buf[PATH_MAX], dev_path[PATH_MAX];
	struct stat st, dst;
	const char *name;
	uint64_t v;

	memset(d, 0, sizeof(*d));
	if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return base_cause(cause, -ENOENT, _("%s is not a block device."), path);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (!realpath(link, sys))
		return base_cause(cause, -ENOENT, _("The kernel has no information about %s."), path);
	if (has_attr(sys, "partition"))
		return base_cause(cause, -EINVAL, _("%s is a partition, not a whole disk."), path);

	name = strrchr(sys, '/') + 1;
	copy_text(d->name, sizeof(d->name), name);
	/* The kernel spells a slash in a device name ("cciss/c0d0") as '!' in sysfs. */
	if (snprintf(dev_path, sizeof(dev_path), "/dev/%s", name) >= (int)sizeof(dev_path))
		dev_path[0] = '\0';
	for (char *p = dev_path; *p; p++)
		if (*p == '!')
			*p = '/';
	if (dev_path[0] && stat(dev_path, &dst) == 0 && S_ISBLK(dst.st_mode) && dst.st_rdev == st.st_rdev)
		path = dev_path;
	if (strlen(path) >= sizeof(d->path))
		return base_cause(cause, -ENAMETOOLONG, _("The path %s is too long."), path);
	strcpy(d->path, path);

	if (!strncmp(name, "loop", 4) && has_attr(sys, "loop")) {
		char backing[PATH_MAX];

		copy_text(d->model, sizeof(d->model), _("Loop device"));
		if (read_attr(sys, "loop/backing_file", backing, sizeof(backing)) == 0) {
			size_t bl = strlen(backing);

			/* Keep the end of a long path: the file name tells more than its folders. */
			if (bl >= sizeof(d->serial))
				snprintf(d->serial, sizeof(d->serial), "...%s",
					 backing + bl - (sizeof(d->serial) - 4));
			else
				strcpy(d->serial, backing);
		}
	} else {
		if (read_attr(sys, "device/model", buf, sizeof(buf)) == 0)
			copy_text(d->model, sizeof(d->model), buf);
		read_serial(sys, d->serial, sizeof(d->serial));
	}

	/* sysfs counts the size in 512-byte units whatever the sector size. */
	if (read_u64(sys, "size", &v) == 0)
		d->size = v * 512;
	d->sector = 512;
	if (read_u64(sys, "queue/logical_block_size", &v) == 0 && v)
		d->sector = (unsigned)v;

	describe_contents(d->path, d->contents, sizeof(d->contents));
	check_eligible(d, sys, st.st_rdev, medium, ms);
	return 0;
}

int hcfg_disk_probe(const char *path, const char *medium, struct hcfg_disk *d, char **cause)
{
	struct medium_set ms = { 0 };
	int rc;

	hcfg_medium_devs(&ms.v, &ms.n);
	rc = probe(path, medium, &ms, d, cause);
	free(ms.v);
	return rc;
}

/* Kernel block devices that are never install targets. */
static bool skip_name(const char *name)
{
	static const char *const prefixes[] = { "ram", "zram", "dm-", "md", "sr", "fd" };
	char path[PATH_MAX];
	uint64_t size;

	if (strlen(name) > NAME_MAX)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	if (read_u64(path, "size", &size) < 0 || size == 0)
		return true;
	return !strncmp(name, "loop", 4) && !has_attr(path, "loop/backing_file");
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Image mode: the one disk @only names, or the loop device backed by the image file @only. */
static int list_only(struct hcfg_disk **disks, size_t *n, const char *only, const char *medium,
		     char **cause)
{
	struct hcfg_disk *d;
	struct stat st;
	char devpath[PATH_MAX];
	int rc;

	if (stat(only, &st) < 0)
		return base_cause(cause, -errno, _("Could not read %s: %s."), only, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		DIR *dir = opendir("/sys/block");
		struct dirent *e;
		bool found = false;

		if (!dir)
			return base_cause(cause, -errno, _("Could not read %s: %s."), "/sys/block",
					  strerror(errno));
		while (!found && (e = readdir(dir))) {
			char sys[PATH_MAX], backing[PATH_MAX];
			struct stat bst;

			if (strncmp(e->d_name, "loop", 4))
				continue;
			snprintf(sys, sizeof(sys), "/sys/block/%s", e->d_name);
			if (read_attr(sys, "loop/backing_file", backing, sizeof(backing)) < 0 ||
			    stat(backing, &bst) < 0 || bst.st_dev != st.st_dev || bst.st_ino != st.st_ino)
				continue;
			snprintf(devpath, sizeof(devpath), "/dev/%s", e->d_name);
			found = true;
		}
		closedir(dir);
		if (!found)
			return 0;
		only = devpath;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_disk_probe(only, medium, d, cause);
	if (rc < 0) {
		free(d);
		return rc;
	}
	*disks = d;
	*n = 1;
	return 0;
}

int hcfg_disk_list(struct hcfg_disk **disks, size_t *n, const char *medium,
		   const char *only, char **cause)
{
	DIR *dir = NULL;
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0, got = 0;
	struct hcfg_disk *out = NULL;
	struct medium_set ms = { 0 };
	int rc = 0;

	*disks = NULL;
	*n = 0;
	if (only)
		return list_only(disks, n, only, medium, cause);

	dir = opendir("/sys/block");
	if (!dir)
		return base_cause(cause, -errno, _("Could not read %s: %s."), "/sys/block",
				  strerror(errno));
	while ((e = readdir(dir))) {
		char **nv;

		if (e->d_name[0] == '.' || skip_name(e->d_name))
			continue;
		nv = realloc(names, (nn + 1) * sizeof(*names));
		if (!nv || !(nv[nn] = strdup(e->d_name))) {
			names = nv ? nv : names;
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		names = nv;
		nn++;
	}
	/* The medium's devices once for every disk listed: it takes a walk through sysfs and mounts. */
	hcfg_medium_devs(&ms.v, &ms.n);
	if (nn) {
		qsort(names, nn, sizeof(*names), cmp_names);
		out = calloc(nn, sizeof(*out));
		if (!out) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
	}
	for (size_t i = 0; i < nn; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "/dev/%s", names[i]);
		for (char *p = path; *p; p++)
			if (*p == '!')
				*p = '/';
		/* A disk that vanished since the directory was read is simply not listed. */
		if (probe(path, medium, &ms, &out[got], NULL) == 0)
			got++;
	}
	if (got == 0) {
		free(out);
		out = NULL;
	}
	*disks = out;
	*n = got;
	out = NULL;
out:
	free(out);
	free(ms.v);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (dir)
		closedir(dir);
	return rc;
}

int hcfg_disk_blank(const char *path, bool *blank, char **cause)
{
	blkid_probe pr = NULL;
	const char *v = NULL;
	int fd, rc = 0;

	*blank = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not read %s: %s."), path, strerror(errno));
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		rc = base_cause(cause, -EIO, _("Could not read %s: %s."), path, strerror(EIO));
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0) {
		blkid_partlist ls = blkid_probe_get_partitions(pr);

		/* An empty partition table holds nothing to lose. */
		*blank = !ls || blkid_partlist_numof_partitions(ls) <= 0;
		goto out;
	}
	blkid_reset_probe(pr);
	blkid_probe_enable_partitions(pr, 0);
	blkid_probe_enable_superblocks(pr, 1);
	/* 1: nothing found; -2 (several signatures) and a found type both mean data. */
	*blank = blkid_do_safeprobe(pr) == 1;
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return rc;
}

int hcfg_dev_in_use(const char *path, char **cause)
{
	char link[64], sys[PATH_MAX], holder[64];
	struct devset s = { 0 };
	bool part_holder;
	struct stat st;
	int where, rc = 0;

	if (stat(path, &st) < 0)
		return base_cause(cause, -errno, _("Could not read %s: %s."), path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return base_cause(cause, -ENOTBLK, _("%s is not a block device."), path);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (!realpath(link, sys))
		return base_cause(cause, -ENOENT, _("The kernel has no information about %s."), path);
	/* A partition has no partitions of its own: the set is the device and, for a disk, its partitions. */
	if (collect_devs(sys, st.st_rdev, &s, holder, sizeof(holder), &part_holder) < 0)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	if ((where = mounted_where(&s)))
		rc = base_cause(cause, -EBUSY, where == 1 ? _("%s is mounted on this host.") :
				_("A partition of %s is mounted on this host."), path);
	else if ((where = swap_where(&s)))
		rc = base_cause(cause, -EBUSY, where == 1 ? _("%s is in use as swap on this host.") :
				_("A partition of %s is in use as swap on this host."), path);
	else if (holder[0])
		rc = base_cause(cause, -EBUSY, part_holder ?
				/* TRANSLATORS: the second %s is a kernel device name such as dm-0 or md127. */
				_("A partition of %s is in use by %s (LVM, RAID or device mapper).") :
				_("%s is in use by %s (LVM, RAID or device mapper)."), path, holder);
	/* What the lists above miss (an exclusive opener) still holds the kernel's claim. */
	else if (hcfg_disk_try_claim(path) == -EBUSY)
		rc = base_cause(cause, -EBUSY, _("%s is in use on this host."), path);
	free(s.v);
	return rc;
}
