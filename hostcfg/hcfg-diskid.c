/* What makes a disk that one disk (device number, size, model, serial, WWN, partition table id), and its stable name under /dev/disk/by-id. */
#include "hcfg.h"
#include "base/i18n.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* A sysfs attribute of the disk, blanks trimmed; "" when it has none. */
static void attr(const struct stat *st, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", major(st->st_rdev),
		 minor(st->st_rdev), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, buf, len - 1);
	close(fd);
	if (r <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[r] = '\0';
	/* Keep printable ASCII only: this text goes into messages and logs. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = ' ';
	char *s = buf, *e = buf + strlen(buf);

	while (*s == ' ')
		s++;
	while (e > s && e[-1] == ' ')
		*--e = '\0';
	memmove(buf, s, strlen(s) + 1);
}

static void first_attr(const struct stat *st, const char *const *names, char *buf, size_t len)
{
	for (size_t i = 0; names[i] && !*buf; i++)
		attr(st, names[i], buf, len);
}

int hcfg_disk_identity(const char *path, struct hcfg_disk_id *id, char **cause)
{
	static const char *const serials[] = { "device/serial", "serial", NULL };
	static const char *const wwns[] = { "wwid", "device/wwid", "device/wwn", NULL };
	blkid_probe pr = NULL;
	struct stat st;
	const char *v;
	int fd;

	memset(id, 0, sizeof(*id));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode)) {
		close(fd);
		return base_cause(cause, -ENOTBLK, _("%s is not a block device."), path);
	}
	id->devno = st.st_rdev;
	if (ioctl(fd, BLKGETSIZE64, &id->size) < 0)
		id->size = 0;
	attr(&st, "device/model", id->model, sizeof(id->model));
	first_attr(&st, serials, id->serial, sizeof(id->serial));
	first_attr(&st, wwns, id->wwn, sizeof(id->wwn));
	/* A loop device is that file: its name is the closest thing it has to a serial. */
	if (!*id->serial)
		attr(&st, "loop/backing_file", id->serial, sizeof(id->serial));
	pr = blkid_new_probe();
	if (pr && blkid_probe_set_device(pr, fd, 0, 0) == 0) {
		blkid_probe_enable_superblocks(pr, 0);
		blkid_probe_enable_partitions(pr, 1);
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
		if (blkid_do_safeprobe(pr) == 0 &&
		    blkid_probe_lookup_value(pr, "PTUUID", &v, NULL) == 0)
			snprintf(id->ptuuid, sizeof(id->ptuuid), "%s", v);
	}
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return 0;
}

bool hcfg_disk_id_equal(const struct hcfg_disk_id *a, const struct hcfg_disk_id *b)
{
	return a->devno == b->devno && a->size == b->size && !strcmp(a->model, b->model) &&
	       !strcmp(a->serial, b->serial) && !strcmp(a->wwn, b->wwn) &&
	       !strcmp(a->ptuuid, b->ptuuid);
}

void hcfg_disk_id_describe(const struct hcfg_disk_id *id, char *buf, size_t len)
{
	/* TRANSLATORS: a disk's identity: device number, size, model, serial, WWN, partition table id. */
	snprintf(buf, len, _("device %u:%u, %llu MiB, model %s, serial %s, WWN %s, partition table %s"),
		 major(id->devno), minor(id->devno), (unsigned long long)(id->size >> 20),
		 *id->model ? id->model : "-", *id->serial ? id->serial : "-",
		 *id->wwn ? id->wwn : "-", *id->ptuuid ? id->ptuuid : _("none"));
}

/* The kinds of by-id names, most stable first: a WWN survives a move to another controller. */
static int rank(const char *name)
{
	static const char *const prefixes[] = { "wwn-", "nvme-eui.", "nvme-", "scsi-", "ata-",
						"usb-", "virtio-", "" };

	for (int i = 0; i < (int)(sizeof(prefixes) / sizeof(prefixes[0])); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return i;
	return 99;
}

int hcfg_disk_stable_name(const char *path, const char *dir, char *buf, size_t len)
{
	struct stat want, st;
	struct dirent *e;
	int best = 100;
	DIR *d;

	buf[0] = '\0';
	if (stat(path, &want) < 0 || !S_ISBLK(want.st_mode))
		return -ENOENT;
	d = opendir(dir ? dir : "/dev/disk/by-id");
	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		char link[PATH_MAX];

		if (e->d_name[0] == '.' || strstr(e->d_name, "-part"))
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", dir ? dir : "/dev/disk/by-id", e->d_name) >=
		    (int)sizeof(link))
			continue;
		if (stat(link, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != want.st_rdev)
			continue;
		if (rank(e->d_name) < best ||
		    (rank(e->d_name) == best && strcmp(e->d_name, buf + strlen("/dev/disk/by-id/")) < 0)) {
			best = rank(e->d_name);
			snprintf(buf, len, "/dev/disk/by-id/%s", e->d_name);
		}
	}
	closedir(d);
	return *buf ? 0 : -ENOENT;
}
