/* The host's storage as a usage tree: disks, partitions and free regions, what each holds, where it is mounted and what the host needs. */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MIB ((uint64_t)1 << 20)

static void copy(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memmove(dst, src ? src : "", n);
	dst[n] = '\0';
}

static int add_node(struct hcfg_stor *s, struct hcfg_snode **out)
{
	struct hcfg_snode *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	s->v = nv;
	*out = memset(&nv[s->n++], 0, sizeof(*nv));
	(*out)->parent = -1;
	return 0;
}

void hcfg_stor_free(struct hcfg_stor *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

bool hcfg_stor_host_mount(const char *mp)
{
	static const char *const exact[] = { "/", "/usr", "/var", "/home", "/opt", "/srv", "/tmp",
					     "/root", "/etc", "/var/lib", "/var/tmp" };
	static const char *const trees[] = { "/boot", "/usr/", "/var/log", "/var/cache", "/nix" };

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(mp, exact[i]))
			return true;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		size_t l = strlen(trees[i]);

		if (!strncmp(mp, trees[i], l) && (trees[i][l - 1] == '/' || mp[l] == '\0' || mp[l] == '/'))
			return true;
	}
	return false;
}

/* ---- reading sysfs ------------------------------------------------------------- */

static int sys_u64(const char *dir, const char *attr, uint64_t *v)
{
	char path[PATH_MAX], buf[64], *end;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	if (hcfg_read_line(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

static dev_t sys_devno(const char *dir)
{
	char path[PATH_MAX], buf[32];
	unsigned maj, min;

	snprintf(path, sizeof(path), "%s/dev", dir);
	if (hcfg_read_line(path, buf, sizeof(buf)) < 0 || sscanf(buf, "%u:%u", &maj, &min) != 2)
		return 0;
	return makedev(maj, min);
}

static bool skip_disk(const char *name)
{
	static const char *const prefixes[] = { "ram", "zram", "dm-", "md", "sr", "fd", "nbd" };
	char path[PATH_MAX], buf[PATH_MAX];
	uint64_t size;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	if (sys_u64(path, "size", &size) < 0 || size == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name);
	return !strncmp(name, "loop", 4) && hcfg_read_line(path, buf, sizeof(buf)) < 0;
}

static void transport(const char *name, const char *sys, char *out, size_t len)
{
	char real[PATH_MAX];

	out[0] = '\0';
	if (!strncmp(name, "loop", 4))
		copy(out, len, "loop");
	else if (!strncmp(name, "nvme", 4))
		copy(out, len, "nvme");
	else if (!strncmp(name, "xvd", 3))
		copy(out, len, "xen");
	else if (realpath(sys, real)) {
		if (strstr(real, "/usb"))
			copy(out, len, "usb");
		else if (strstr(real, "/ata"))
			copy(out, len, "sata");
		else if (strstr(real, "virtio"))
			copy(out, len, "virtio");
		else if (strstr(real, "/host"))
			copy(out, len, "scsi");
	}
}

static void trim(char *s)
{
	size_t l = strlen(s);

	while (l && isspace((unsigned char)s[l - 1]))
		s[--l] = '\0';
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

/* ---- contents (libblkid) ---------------------------------------------------------- */

/* The filesystem or signature in the window of @fd at @off, of @size bytes (0: all). */
static void probe_contents(int fd, uint64_t off, uint64_t size, struct hcfg_snode *n)
{
	blkid_probe pr = blkid_new_probe();
	const char *v;

	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) == 0) {
		blkid_probe_enable_partitions(pr, 0);
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL |
						  BLKID_SUBLKS_UUID);
		if (blkid_do_safeprobe(pr) == 0) {
			if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
				copy(n->fstype, sizeof(n->fstype), v);
			if (blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0)
				copy(n->label, sizeof(n->label), v);
			if (blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0)
				copy(n->uuid, sizeof(n->uuid), v);
		}
	}
	blkid_free_probe(pr);
}

/* The kernel's name of partition @num of @disk: "sda1", "loop0p1". */
static void part_name(const char *disk, int num, char *out, size_t len)
{
	size_t l = strlen(disk);

	snprintf(out, len, "%s%s%d", disk, l && isdigit((unsigned char)disk[l - 1]) ? "p" : "", num);
}

static int add_free(struct hcfg_stor *s, int disk, uint64_t from, uint64_t to)
{
	struct hcfg_snode *f;

	/* Partitions start on MiB boundaries: a region is what is left between them, aligned. */
	from = (from + MIB - 1) / MIB * MIB;
	to = to / MIB * MIB;
	if (to <= from || to - from < MIB)
		return 0;
	if (add_node(s, &f) < 0)
		return -ENOMEM;
	f->kind = HCFG_SN_FREE;
	f->parent = disk;
	f->start = from;
	f->size = to - from;
	return 0;
}

/* The partitions of disk node @di and the free regions between them. */
static int scan_table(struct hcfg_stor *s, size_t di, int fd)
{
	blkid_probe pr = blkid_new_probe();
	blkid_partlist ls;
	const char *v;
	char disk[64];
	uint64_t disk_size = s->v[di].size, first = MIB, last = disk_size, at;
	int np, rc = 0;

	if (!pr)
		return -ENOMEM;
	copy(disk, sizeof(disk), s->v[di].name);
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0)
		goto out;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	if (blkid_do_safeprobe(pr) != 0 || blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) < 0) {
		probe_contents(fd, 0, 0, &s->v[di]);
		/* A blank disk is all free: a partition made there comes with a new GPT. */
		if (!s->v[di].fstype[0] && disk_size > 3 * MIB)
			rc = add_free(s, (int)di, MIB, disk_size - MIB);
		goto out;
	}
	copy(s->v[di].pttype, sizeof(s->v[di].pttype), v);
	/* GPT keeps its backup table in the last 33 sectors. */
	if (!strcmp(v, "gpt") && last > 33 * 512)
		last -= 33 * 512;
	ls = blkid_probe_get_partitions(pr);
	np = ls ? blkid_partlist_numof_partitions(ls) : 0;
	at = first;
	for (int i = 0; i < np; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);
		uint64_t start = (uint64_t)blkid_partition_get_start(par) * 512;
		uint64_t size = (uint64_t)blkid_partition_get_size(par) * 512;
		char name[64], path[PATH_MAX];
		struct hcfg_snode *p;

		if (blkid_partition_is_extended(par))
			continue;
		if (start > at && (rc = add_free(s, (int)di, at, start)) < 0)
			goto out;
		if (start + size > at)
			at = start + size;
		if ((rc = add_node(s, &p)) < 0)
			goto out;
		p->kind = HCFG_SN_PART;
		p->parent = (int)di;
		p->partnum = blkid_partition_get_partno(par);
		p->start = start;
		p->size = size;
		part_name(disk, p->partnum, name, sizeof(name));
		copy(p->name, sizeof(p->name), name);
		snprintf(path, sizeof(path), "/dev/%s", name);
		copy(p->path, sizeof(p->path), path);
		snprintf(path, sizeof(path), "/sys/block/%s/%s", disk, name);
		/* The kernel's number, known even without a device node (no udev, no partx yet). */
		p->devno = sys_devno(path);
		probe_contents(fd, start, size, p);
	}
	if (last > at)
		rc = add_free(s, (int)di, at, last);
out:
	blkid_free_probe(pr);
	return rc;
}

static int scan_disk(struct hcfg_stor *s, const char *name)
{
	char sys[PATH_MAX], buf[256];
	struct hcfg_snode *d;
	uint64_t v;
	size_t di;
	int fd, rc;

	if ((rc = add_node(s, &d)) < 0)
		return rc;
	di = s->n - 1;
	d->kind = HCFG_SN_DISK;
	copy(d->name, sizeof(d->name), name);
	snprintf(buf, sizeof(buf), "/dev/%s", name);
	for (char *p = buf; *p; p++)
		if (*p == '!')
			*p = '/';
	copy(d->path, sizeof(d->path), buf);
	snprintf(sys, sizeof(sys), "/sys/block/%s", name);
	d->devno = sys_devno(sys);
	if (sys_u64(sys, "size", &v) == 0)
		d->size = v * 512;
	transport(name, sys, d->transport, sizeof(d->transport));
	if (!strncmp(name, "loop", 4)) {
		char path[PATH_MAX], back[PATH_MAX];

		copy(d->model, sizeof(d->model), _("Loop device"));
		snprintf(path, sizeof(path), "%s/loop/backing_file", sys);
		if (hcfg_read_line(path, back, sizeof(back)) == 0) {
			size_t l = strlen(back);

			copy(d->serial, sizeof(d->serial), l >= sizeof(d->serial) ?
			     back + l - (sizeof(d->serial) - 1) : back);
		}
	} else {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/device/model", sys);
		if (hcfg_read_line(path, buf, sizeof(buf)) == 0)
			copy(d->model, sizeof(d->model), buf);
		snprintf(path, sizeof(path), "%s/device/serial", sys);
		if (hcfg_read_line(path, buf, sizeof(buf)) == 0 ||
		    (snprintf(path, sizeof(path), "%s/serial", sys),
		     hcfg_read_line(path, buf, sizeof(buf)) == 0))
			copy(d->serial, sizeof(d->serial), buf);
	}
	trim(d->model);
	trim(d->serial);
	fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;   /* shown with what sysfs says */
	rc = scan_table(s, di, fd);
	close(fd);
	return rc;
}

/* ---- uses ------------------------------------------------------------------------ */

int hcfg_stor_find_devno(const struct hcfg_stor *s, dev_t dev)
{
	for (size_t i = 0; dev && i < s->n; i++)
		if (s->v[i].kind != HCFG_SN_FREE && s->v[i].devno == dev)
			return (int)i;
	return -1;
}

int hcfg_stor_find_dev(const struct hcfg_stor *s, const char *path)
{
	struct stat st;

	if (!path || stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return -1;
	return hcfg_stor_find_devno(s, st.st_rdev);
}

static void mark_host(struct hcfg_snode *n, const char *why)
{
	if (!n->host)
		copy(n->host_why, sizeof(n->host_why), why);
	n->host = true;
}

static void scan_mounts(struct hcfg_stor *s)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char mp[PATH_MAX];
		struct hcfg_snode *n;
		struct statvfs vfs;
		int i;

		if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &maj, &min, mp) != 3)
			continue;
		i = hcfg_stor_find_devno(s, makedev(maj, min));
		if (i < 0)
			continue;
		n = &s->v[i];
		hcfg_unescape_octal(mp);
		if (!n->mounts || !strcmp(mp, "/"))
			copy(n->mountpoint, sizeof(n->mountpoint), mp);
		n->mounts++;
		if (hcfg_stor_host_mount(mp))
			mark_host(n, mp);
		if (n->mounts == 1 && statvfs(mp, &vfs) == 0) {
			n->fs_size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
			n->fs_avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		}
	}
	free(line);
	fclose(f);
}

static void scan_swaps(struct hcfg_stor *s)
{
	FILE *f = fopen("/proc/swaps", "re");
	char *line = NULL;
	size_t cap = 0;
	bool header = true;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *end;
		int i;

		if (header) {
			header = false;
			continue;
		}
		end = strpbrk(line, " \t\n");
		if (end)
			*end = '\0';
		hcfg_unescape_octal(line);
		i = hcfg_stor_find_dev(s, line);
		if (i >= 0) {
			s->v[i].swap_on = true;
			mark_host(&s->v[i], "swap");
		}
	}
	free(line);
	fclose(f);
}

/* RAID members: a holder named md* in sysfs. */
static void scan_md(struct hcfg_stor *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct hcfg_snode *n = &s->v[i];
		char dir[PATH_MAX];
		struct dirent *e;
		DIR *d;

		if (n->kind == HCFG_SN_DISK)
			snprintf(dir, sizeof(dir), "/sys/block/%s/holders", n->name);
		else if (n->kind == HCFG_SN_PART)
			snprintf(dir, sizeof(dir), "/sys/block/%s/%s/holders", s->v[n->parent].name,
				 n->name);
		else
			continue;
		d = opendir(dir);
		if (!d)
			continue;
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "md", 2))
				copy(n->md, sizeof(n->md), e->d_name);
		closedir(d);
	}
}

/* Run an LVM report; NULL when LVM is not installed or fails (the tree is then without it). */
static char *lvm_report(const char *cmd, const char *fields)
{
	const char *argv[] = { cmd, "--noheadings", "--nosuffix", "--units", "b", "--separator",
			       "|", "-o", fields, NULL };
	char *out = NULL, *path = base_which(cmd);

	if (!path)
		return NULL;
	free(path);
	if (base_run_capture(argv, -1, &out, NULL) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void scan_lvm(struct hcfg_stor *s)
{
	char *pvs = lvm_report("pvs", "pv_name,vg_name"), *lvs = NULL, *save = NULL, *line;

	if (!pvs)
		return;
	for (line = strtok_r(pvs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep, *name = line;
		int i;

		while (isspace((unsigned char)*name))
			name++;
		sep = strchr(name, '|');
		if (!sep)
			continue;
		*sep = '\0';
		i = hcfg_stor_find_dev(s, name);
		if (i >= 0) {
			copy(s->v[i].vg, sizeof(s->v[i].vg), sep + 1);
			trim(s->v[i].vg);
		}
	}
	free(pvs);
	lvs = lvm_report("lvs", "vg_name,lv_name,lv_size,lv_path");
	if (!lvs)
		return;
	save = NULL;
	for (line = strtok_r(lvs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p = line;
		struct hcfg_snode *lv;
		struct stat st;
		int pv = -1;

		while (isspace((unsigned char)*p))
			p++;
		for (int k = 0; k < 4; k++) {
			f[k] = p;
			p = k < 3 ? strchr(p, '|') : NULL;
			if (k < 3 && !p)
				goto next;
			if (p)
				*p++ = '\0';
		}
		trim(f[3]);
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].kind != HCFG_SN_LV && !strcmp(s->v[i].vg, f[0])) {
				pv = (int)i;
				break;
			}
		/* An LV of a group on disks that were not read (another filter) is left out. */
		if (pv < 0 || add_node(s, &lv) < 0)
			goto next;
		lv->kind = HCFG_SN_LV;
		lv->parent = pv;
		snprintf(lv->name, sizeof(lv->name), "%s/%s", f[0], f[1]);
		copy(lv->vg, sizeof(lv->vg), f[0]);
		copy(lv->path, sizeof(lv->path), f[3]);
		lv->size = strtoull(f[2], NULL, 10);
		if (f[3][0] && stat(f[3], &st) == 0 && S_ISBLK(st.st_mode)) {
			int fd = open(f[3], O_RDONLY | O_CLOEXEC | O_NONBLOCK);

			lv->devno = st.st_rdev;
			if (fd >= 0) {
				probe_contents(fd, 0, 0, lv);
				close(fd);
			}
		}
next:;
	}
	free(lvs);
}

/* A physical volume whose group holds something the host needs is needed too. */
static void host_through_lvm(struct hcfg_stor *s)
{
	for (size_t i = 0; i < s->n; i++) {
		char why[64];

		if (s->v[i].kind != HCFG_SN_LV || !s->v[i].host)
			continue;
		snprintf(why, sizeof(why), "LVM %s (%s)", s->v[i].vg, s->v[i].host_why);
		for (size_t k = 0; k < s->n; k++)
			if (s->v[k].kind != HCFG_SN_LV && !strcmp(s->v[k].vg, s->v[i].vg))
				mark_host(&s->v[k], why);
	}
	/* A disk is needed by the host when one of its partitions is. */
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == HCFG_SN_PART && s->v[i].host)
			mark_host(&s->v[s->v[i].parent], s->v[i].host_why);
}

bool hcfg_stor_within(const struct hcfg_stor *s, size_t i, size_t ancestor)
{
	const struct hcfg_snode *a = &s->v[ancestor];

	if (i == ancestor)
		return true;
	if (s->v[i].parent == (int)ancestor)
		return true;
	if (s->v[i].kind == HCFG_SN_LV) {
		/* Every LV of a group goes with any of its physical volumes, or their disk. */
		for (size_t k = 0; k < s->n; k++)
			if (s->v[k].kind != HCFG_SN_LV && !strcmp(s->v[k].vg, s->v[i].vg) &&
			    (k == ancestor || s->v[k].parent == (int)ancestor))
				return true;
		return false;
	}
	return a->kind == HCFG_SN_DISK && s->v[i].parent >= 0 &&
	       s->v[s->v[i].parent].parent == (int)ancestor;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static bool wanted(const char *name, const char *const *only)
{
	char path[PATH_MAX], real[PATH_MAX], want[PATH_MAX];

	if (!only)
		return true;
	snprintf(path, sizeof(path), "/dev/%s", name);
	if (!realpath(path, real))
		return false;
	for (size_t i = 0; only[i]; i++)
		if (realpath(only[i], want) && !strcmp(want, real))
			return true;
	return false;
}

int hcfg_stor_scan(struct hcfg_stor *s, const char *const *only, char **cause)
{
	DIR *dir = opendir("/sys/block");
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0;
	int rc = 0;

	s->v = NULL;
	s->n = 0;
	if (!dir)
		return base_cause(cause, -errno, _("Could not read %s: %s."), "/sys/block",
				  strerror(errno));
	while ((e = readdir(dir))) {
		char **nv;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= 48 || skip_disk(e->d_name) ||
		    !wanted(e->d_name, only))
			continue;
		nv = realloc(names, (nn + 1) * sizeof(*names));
		if (!nv || !(nv[nn] = strdup(e->d_name))) {
			names = nv ? nv : names;
			rc = -ENOMEM;
			break;
		}
		names = nv;
		nn++;
	}
	closedir(dir);
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_names);
	for (size_t i = 0; rc == 0 && i < nn; i++)
		rc = scan_disk(s, names[i]);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc < 0) {
		hcfg_stor_free(s);
		return base_cause(cause, rc, _("Out of memory."));
	}
	scan_lvm(s);
	scan_mounts(s);
	scan_swaps(s);
	scan_md(s);
	host_through_lvm(s);
	return 0;
}
