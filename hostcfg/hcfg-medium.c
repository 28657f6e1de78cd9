/* Finds the block devices the installer runs from (its medium), through loop devices, device mapper, md and partitions, so that no install can erase them. */
#include "hcfg.h"

#include <blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Deep enough for an ISO file on a USB stick's partition, looped, then mapped. */
#define MAX_DEPTH 8

struct medium {
	dev_t *v;
	size_t n, cap;
};

static bool has(const struct medium *m, dev_t d)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i] == d)
			return true;
	return false;
}

static int add(struct medium *m, dev_t d)
{
	if (has(m, d))
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		dev_t *nv = realloc(m->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		m->v = nv;
		m->cap = cap;
	}
	m->v[m->n++] = d;
	return 1;
}

/* One line of a sysfs attribute, without its newline; false when there is none. */
static bool read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return false;
	r = read(fd, buf, len - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static bool read_dev(const char *path, dev_t *d)
{
	char buf[32];
	unsigned ma, mi;

	if (!read_line(path, buf, sizeof(buf)) || sscanf(buf, "%u:%u", &ma, &mi) != 2)
		return false;
	*d = makedev(ma, mi);
	return true;
}

/*
 * The block device behind the file system that holds @path: the mount with
 * the longest mount point above it in /proc/self/mountinfo, by its device
 * number, or by its source when that number is anonymous (btrfs).
 */
static bool fs_device(const char *path, dev_t *d)
{
	char real[PATH_MAX];
	size_t best = 0;
	bool found = false;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	struct stat st;

	if (!realpath(path, real))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char mp[PATH_MAX], src[PATH_MAX];
		unsigned ma, mi;
		const char *dash = strstr(line, " - ");
		size_t ml;

		if (!dash || sscanf(line, "%*s %*s %u:%u %*s %4095s", &ma, &mi, mp) != 3 ||
		    sscanf(dash + 3, "%*s %4095s", src) != 1)
			continue;
		/* Mount points with blanks are escaped; such a medium is not worth a decoder. */
		ml = strlen(mp);
		if (strncmp(real, mp, ml) || (ml > 1 && real[ml] && real[ml] != '/') || ml < best)
			continue;
		best = ml;
		found = false;
		if (ma != 0) {
			*d = makedev(ma, mi);
			found = true;
		} else if (src[0] == '/' && stat(src, &st) == 0 && S_ISBLK(st.st_mode)) {
			*d = st.st_rdev;
			found = true;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* Add @d and everything it stands on: its whole disk, a loop device's file, dm and md members. */
static int expand(struct medium *m, dev_t d, int depth)
{
	char sys[PATH_MAX], path[PATH_MAX + 64], file[PATH_MAX];
	dev_t up;
	int rc;

	if (depth > MAX_DEPTH || major(d) == 0)
		return 0;
	rc = add(m, d);
	if (rc <= 0)
		return rc;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(d), minor(d));
	if (!realpath(path, sys))
		return 0;
	/* A partition: the disk it is on. */
	snprintf(path, sizeof(path), "%s/partition", sys);
	if (access(path, F_OK) == 0) {
		snprintf(path, sizeof(path), "%s/../dev", sys);
		if (read_dev(path, &up) && (rc = expand(m, up, depth + 1)) < 0)
			return rc;
	}
	/* A loop device: the disk that holds its file. */
	snprintf(path, sizeof(path), "%s/loop/backing_file", sys);
	if (read_line(path, file, sizeof(file)) && fs_device(file, &up) &&
	    (rc = expand(m, up, depth + 1)) < 0)
		return rc;
	/* Device mapper, md: the devices it is made of. */
	snprintf(path, sizeof(path), "%s/slaves", sys);
	DIR *dir = opendir(path);
	struct dirent *e;

	while (dir && (e = readdir(dir))) {
		char dev[PATH_MAX + 320];

		if (e->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "%s/slaves/%s/dev", sys, e->d_name);
		if (read_dev(dev, &up) && (rc = expand(m, up, depth + 1)) < 0)
			break;
		rc = 0;
	}
	if (dir)
		closedir(dir);
	return rc < 0 ? rc : 0;
}

/* A device the kernel command line names: root=, live-media=, bootfrom= (a path, UUID= or LABEL=). */
static void from_cmdline(struct medium *m)
{
	const char *file = getenv("OSPITE_CMDLINE");
	static const char *const keys[] = { "root=", "live-media=", "bootfrom=" };
	char buf[4096], *save = NULL;
	struct stat st;

	if (!read_line(file && *file ? file : "/proc/cmdline", buf, sizeof(buf)))
		return;
	for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);
			char *dev;

			if (strncmp(tok, keys[k], kl) || !tok[kl])
				continue;
			/* UUID=, LABEL=, PARTUUID= or a path; blkid answers from the devices themselves. */
			dev = blkid_evaluate_tag(tok + kl, NULL, NULL);
			if (dev && stat(dev, &st) == 0 && S_ISBLK(st.st_mode))
				expand(m, st.st_rdev, 0);
			free(dev);
		}
	}
}

int hcfg_medium_devs(dev_t **devs, size_t *n)
{
	struct medium m = { 0 };
	char exe[PATH_MAX];
	ssize_t l;
	dev_t d;
	/* The root file system, what live-boot mounted as the medium, and where we run from. */
	static const char *const places[] = { "/", "/run/live/medium", "/lib/live/mount/medium" };

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (access(places[i], F_OK) == 0 && fs_device(places[i], &d))
			expand(&m, d, 0);
	l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (l > 0) {
		exe[l] = '\0';
		if (fs_device(exe, &d))
			expand(&m, d, 0);
	}
	if (getcwd(exe, sizeof(exe)) && fs_device(exe, &d))
		expand(&m, d, 0);
	from_cmdline(&m);
	*devs = m.v;
	*n = m.n;
	return 0;
}
