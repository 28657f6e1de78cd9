/* The install target: mounting its file systems, the kernel's and the package cache, and its files and commands. */
#include "inst-engine.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

/*
 * Open (as O_PATH) the directory @rel below @dirfd, creating what is missing,
 * one component at a time and never through a symbolic link: a link on the
 * disk being installed must not choose where on this machine a file system
 * is mounted. Returns the descriptor, or -errno.
 */
static int open_beneath(int dirfd, const char *rel)
{
	char copy[PATH_MAX], *save = NULL;
	int fd = dup(dirfd);

	if (fd < 0)
		return -errno;
	snprintf(copy, sizeof(copy), "%s", rel);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (!strcmp(c, ".") || !strcmp(c, "..")) {
			close(fd);
			return -EINVAL;
		}
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			int err = errno;

			close(fd);
			return -err;
		}
		next = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return errno == ENOTDIR ? -ELOOP : -errno;
		fd = next;
	}
	return fd;
}

int eng_mount(struct inst_engine *e, const char *src, const char *rel, const char *fstype,
	      unsigned long flags, const char *data, char **cause)
{
	char path[PATH_MAX], at[64];
	int root, fd, rc;

	if (e->n_mounts >= MAX_MOUNTS)
		return base_cause(cause, -ENOSPC, _("Too many mounts in the target."));
	snprintf(path, sizeof(path), "%s%s", e->target, rel);
	/* The target directory itself is this machine's; what is below it may be the disk's. */
	rc = hcfg_mkdirs(e->target, cause);
	if (rc < 0)
		return rc;
	root = open(e->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return base_cause(cause, -errno, _("Could not mount %s on %s: %s."), src, path,
				  strerror(errno));
	fd = open_beneath(root, rel);
	close(root);
	if (fd < 0)
		return base_cause(cause, fd, _("Could not mount %s on %s: %s."), src, path,
				  strerror(-fd));
	eng_log(e, "+ mount %s %s (%s)", src, path, fstype ? fstype : "bind");
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	rc = mount(src, at, fstype, flags, data) < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		return base_cause(cause, rc, _("Could not mount %s on %s: %s."), src, path,
				  strerror(-rc));
	e->mounts[e->n_mounts++] = strdup(path);
	return 0;
}

void eng_umount_all(struct inst_engine *e)
{
	sync();
	while (e->n_mounts > 0) {
		char *m = e->mounts[--e->n_mounts];

		eng_log(e, "+ umount %s", m);
		/* A daemon a package started despite policy-rc.d may still hold it: detach lazily. */
		if (umount(m) < 0 && umount2(m, MNT_DETACH) < 0)
			eng_log(e, "umount %s: %s", m, strerror(errno));
		free(m);
	}
	e->api_mounted = false;
	e->cache_mounted = false;
}

/* Mount order: parents before children ("/" first, then by path depth). */
static int mount_depth(const char *m)
{
	int d = 0;

	if (!strcmp(m, "/"))
		return 0;
	for (; *m; m++)
		d += *m == '/';
	return d;
}

/*
 * Mount the plan's file systems on the target, parents first. With @probe,
 * only to look: read-only, nothing on them may run or be a device, no link
 * on them is followed, and no file system journal is replayed onto the disk.
 */
int eng_mount_targets(struct inst_engine *e, bool probe, char **cause)
{
	const unsigned long flags = probe ? MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
					    MS_NOSYMFOLLOW : 0;
	const struct inst_plan *p = e->plan;

	for (int depth = 0; depth < 16; depth++)
		for (size_t i = 0; i < p->n_parts; i++) {
			const struct inst_part *pt = &p->parts[i];
			int rc;

			if (!inst_part_has_fs(pt) || pt->mount[0] != '/' ||
			    mount_depth(pt->mount) != depth)
				continue;
			rc = eng_mount(e, e->partdev[i], !strcmp(pt->mount, "/") ? "" : pt->mount,
				       hcfg_fs_name(pt->fs), flags,
				       !probe ? NULL : pt->fs == HCFG_FS_XFS ? "norecovery" :
				       pt->fs == HCFG_FS_EXT4 || pt->fs == HCFG_FS_EXT3 ? "noload" : NULL,
				       cause);
			if (rc < 0)
				return rc;
		}
	return 0;
}

/* The kernel file systems a chroot needs for package scripts and grub-install. */
int eng_mount_api(struct inst_engine *e, char **cause)
{
	int rc;

	if (e->api_mounted)
		return 0;
	rc = eng_mount(e, "proc", "/proc", "proc", 0, NULL, cause);

	if (!rc)
		rc = eng_mount(e, "sysfs", "/sys", "sysfs", 0, NULL, cause);
	if (!rc)
		rc = eng_mount(e, "/dev", "/dev", NULL, MS_BIND, NULL, cause);
	if (!rc)
		rc = eng_mount(e, "devpts", "/dev/pts", "devpts", 0, NULL, cause);
	if (!rc)
		rc = eng_mount(e, "tmpfs", "/run", "tmpfs", 0, NULL, cause);
	e->api_mounted = rc == 0;
	return rc;
}

/* The package cache both the base system and apt read, seen inside the target. */
int eng_mount_cache(struct inst_engine *e, char **cause)
{
	char archives[PATH_MAX];
	int rc;

	if (e->cache_mounted)
		return 0;
	snprintf(archives, sizeof(archives), "%s/apt/archives", e->workdir);
	rc = eng_mount(e, archives, "/var/cache/apt/archives", NULL, MS_BIND, NULL, cause);
	e->cache_mounted = rc == 0;
	return rc;
}

void eng_free_partdevs(struct inst_engine *e)
{
	for (size_t i = 0; i < INST_MAX_PARTS; i++) {
		free(e->partdev[i]);
		e->partdev[i] = NULL;
	}
}

/* Run a command inside the target root; @argv is NULL-terminated and excludes "chroot". */
int eng_in_target(struct inst_engine *e, char **cause, const char *const argv[])
{
	const char *full[32] = { "chroot", e->target };
	size_t n = 2;
	int rc;

	for (size_t i = 0; argv[i] && n < 31; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	rc = base_run(full, e->logfd, cause);
	if (rc > 0)
		return -EIO;   /* base_run already wrote the cause naming the program */
	return rc;
}

int eng_target_path(struct inst_engine *e, char *buf, size_t len, const char *rel)
{
	return snprintf(buf, len, "%s%s", e->target, rel) >= (int)len ? -ENAMETOOLONG : 0;
}

int eng_write_target(struct inst_engine *e, const char *rel, const char *data, unsigned mode,
			char **cause)
{
	char path[PATH_MAX], dir[PATH_MAX];

	eng_target_path(e, path, sizeof(path), rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (hcfg_mkdirs(dir, cause) < 0)
		return -EIO;
	return hcfg_write_file(path, data, mode, cause);
}
