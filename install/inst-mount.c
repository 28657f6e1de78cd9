/* The install target: mounting its file systems, the kernel's and the package cache, and its files and commands. */
#include "inst-engine.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

int eng_mount(struct inst_engine *e, const char *src, const char *rel, const char *fstype,
		    unsigned long flags, char **cause)
{
	char path[PATH_MAX];

	if (e->n_mounts >= MAX_MOUNTS)
		return base_cause(cause, -ENOSPC, _("Too many mounts in the target."));
	snprintf(path, sizeof(path), "%s%s", e->target, rel);
	if (hcfg_mkdirs(path, cause) < 0)
		return -errno;
	eng_log(e, "+ mount %s %s (%s)", src, path, fstype ? fstype : "bind");
	if (mount(src, path, fstype, flags, NULL) < 0)
		return base_cause(cause, -errno, _("Could not mount %s on %s: %s."), src, path,
				  strerror(errno));
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

/* Mount the plan's file systems on the target, parents first, with mount @flags. */
int eng_mount_targets(struct inst_engine *e, unsigned long flags, char **cause)
{
	const struct inst_plan *p = e->plan;

	for (int depth = 0; depth < 16; depth++)
		for (size_t i = 0; i < p->n_parts; i++) {
			const struct inst_part *pt = &p->parts[i];
			int rc;

			if (pt->mount[0] != '/' || mount_depth(pt->mount) != depth)
				continue;
			rc = eng_mount(e, e->partdev[i], !strcmp(pt->mount, "/") ? "" : pt->mount,
				      hcfg_fs_name(pt->fs), flags, cause);
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
	rc = eng_mount(e, "proc", "/proc", "proc", 0, cause);

	if (!rc)
		rc = eng_mount(e, "sysfs", "/sys", "sysfs", 0, cause);
	if (!rc)
		rc = eng_mount(e, "/dev", "/dev", NULL, MS_BIND, cause);
	if (!rc)
		rc = eng_mount(e, "devpts", "/dev/pts", "devpts", 0, cause);
	if (!rc)
		rc = eng_mount(e, "tmpfs", "/run", "tmpfs", 0, cause);
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
	rc = eng_mount(e, archives, "/var/cache/apt/archives", NULL, MS_BIND, cause);
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
