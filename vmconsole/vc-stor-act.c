/* The storage editor's actions (new partition, delete, format, grow, remove a pool), each checked in full before it writes, and `ospite storage` for scripts. */
#include "vc.h"
#include "vc-stor.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB ((uint64_t)1 << 20)

static int find_free(const struct vc_stor *s, int disk, uint64_t at)
{
	for (size_t i = 0; i < s->h.n; i++)
		if (s->h.v[i].kind == HCFG_SN_FREE && s->h.v[i].parent == disk &&
		    at >= s->h.v[i].start && at < s->h.v[i].start + s->h.v[i].size)
			return (int)i;
	return -1;
}

static bool pool_taken(const struct vc_stor *s, const char *name)
{
	for (size_t p = 0; p < s->npools; p++)
		if (!strcmp(s->pools[p].name, name))
			return true;
	return false;
}

static int check_pool_name(const struct vc_stor *s, const char *name, char **cause)
{
	if (!s->libvirt)
		return base_cause(cause, -ENOTCONN,
				  _("The storage pools cannot be read now, so no pool can be made."));
	if (!hv_name_valid(name))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a usable pool name: letters, digits, '-', '_' and '.', not starting with '-' or '.'."),
				  name);
	if (pool_taken(s, name))
		return base_cause(cause, -EEXIST, _("The pool name %s is already taken."), name);
	return 0;
}

int vc_stor_check_new(const struct vc_stor *s, const struct vc_newpart *np, uint64_t *bytes,
		      char **cause)
{
	int d = hcfg_stor_find_dev(&s->h, np->disk), f;
	bool all;
	int rc;

	if (d < 0 || s->h.v[d].kind != HCFG_SN_DISK)
		return base_cause(cause, -ENOENT, _("%s is not a disk of this host."), np->disk);
	if (!s->h.v[d].pttype[0]) {
		struct vc_impact im;
		bool used;

		if (s->h.v[d].fstype[0])
			return base_cause(cause, -EINVAL,
					  _("%s has no partition table but holds %s on the whole disk: the storage editor leaves it alone."),
					  np->disk, s->h.v[d].fstype);
		/* A blank disk gets a new table: only when nothing at all uses it. */
		if (vc_stor_impact(s, np->disk, &im, cause) < 0)
			return -ENOENT;
		used = im.n > 0 || im.partial;
		if (used) {
			char *t = vc_impact_text(&im);

			base_cause(cause, -EBUSY, _("%s was left untouched.\n%s"), np->disk, t);
			free(t);
		}
		vc_impact_clear(&im);
		if (used)
			return -EBUSY;
	}
	f = find_free(s, d, np->at);
	if (f < 0)
		return base_cause(cause, -ENOSPC, _("%s has no free region at %" PRIu64 " MiB."),
				  np->disk, np->at / MIB);
	rc = hcfg_stor_parse_size(np->size, s->h.v[f].size, &all, bytes, cause);
	if (rc < 0)
		return rc;
	if (all)
		*bytes = 0;
	switch (np->use) {
	case VC_NEW_FS:
		if (np->fs != HCFG_FS_EXT4 && np->fs != HCFG_FS_XFS)
			return base_cause(cause, -EINVAL, _("A new filesystem is ext4 or xfs."));
		rc = hcfg_stor_check_mountpoint(np->mountpoint, cause);
		if (rc < 0)
			return rc;
		for (size_t p = 0; p < s->npools; p++)
			if (s->pools[p].target && !strcmp(s->pools[p].target, np->mountpoint))
				return base_cause(cause, -EEXIST,
						  _("%s is already the folder of the storage pool %s."),
						  np->mountpoint, s->pools[p].name);
		if (np->pool && np->pool[0])
			return check_pool_name(s, np->pool, cause);
		return 0;
	case VC_NEW_LVM:
		rc = check_pool_name(s, np->pool ? np->pool : "", cause);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < s->h.n; i++)
			if (!strcmp(s->h.v[i].vg, np->pool))
				return base_cause(cause, -EEXIST,
						  _("A volume group named %s already exists."), np->pool);
		return 0;
	default:
		return 0;
	}
}

/* The disk a node is on, for its edit lock: "/dev/sdb". */
static const char *disk_of(const struct vc_stor *s, int i)
{
	while (i >= 0 && s->h.v[i].parent >= 0)
		i = s->h.v[i].parent;
	return i >= 0 ? s->h.v[i].path : "";
}

static int lock_disk(const char *name, const struct vc_who *who, struct hcfg_lock **lk,
		     char **cause)
{
	return hcfg_lock_take(NULL, HCFG_LOCK_DISK, name, who->user ? who->user : "",
			      who->tty ? who->tty : "", lk, NULL, cause);
}

/* A failure after some steps: what was done, then what went wrong. */
static int midway(struct base_buf *done, int rc, char **cause)
{
	if (cause && done->len) {
		char *why = *cause;

		/* TRANSLATORS: the first %s lists what was done, the second says what failed. */
		if (asprintf(cause, _("%s Then this failed: %s"), done->s,
			     why ? why : _("The operation failed.")) < 0)
			*cause = why, why = NULL;
		free(why);
	}
	return rc;
}

static void done_add(struct base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void done_add(struct base_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->len)
		base_buf_str(b, " ");
	va_start(ap, fmt);
	base_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static char *done_take(struct base_buf *b)
{
	if (b->oom)
		abort();
	return b->s ? b->s : strdup("");
}

int vc_stor_create(struct hv_conn *conn, const struct vc_stor *s, const struct vc_newpart *np,
		   const struct vc_who *who, char **done, char **cause)
{
	struct hcfg_lock *lk = NULL;
	struct base_buf b = { 0 };
	char *path = NULL, uuid[64];
	uint64_t bytes;
	int d = hcfg_stor_find_dev(&s->h, np->disk);
	int rc = vc_stor_check_new(s, np, &bytes, cause);

	*done = NULL;
	if (rc < 0)
		return rc;
	rc = lock_disk(s->h.v[d].path, who, &lk, cause);
	if (rc < 0)
		return rc;
	rc = hcfg_part_create(np->disk, np->at, bytes, &path, cause);
	if (rc < 0)
		goto out;
	done_add(&b, _("The partition %s was made."), path);
	if (np->use == VC_NEW_RAW)
		goto out;
	if (np->use == VC_NEW_LVM) {
		rc = hv_pool_logical(conn, np->pool, path, cause);
		if (rc == 0)
			done_add(&b, _("The LVM pool %s was made on it."), np->pool);
		goto out;
	}
	rc = hcfg_mkfs(path, np->fs, NULL, -1, NULL, NULL, cause);
	if (rc < 0)
		goto out;
	done_add(&b, _("It was formatted %s."), hcfg_fs_name(np->fs));
	rc = hcfg_fs_uuid(path, uuid, sizeof(uuid), cause);
	if (rc < 0)
		goto out;
	rc = hcfg_stor_mount(path, hcfg_fs_name(np->fs), np->mountpoint, cause);
	if (rc < 0)
		goto out;
	done_add(&b, _("It was mounted on %s."), np->mountpoint);
	rc = hcfg_fstab_add(who->root, uuid, np->mountpoint, hcfg_fs_name(np->fs), cause);
	if (rc < 0)
		goto out;
	done_add(&b, _("The mount was added to fstab."));
	if (np->pool && np->pool[0]) {
		rc = hv_pool_ensure(conn, np->pool, np->mountpoint, cause);
		if (rc < 0)
			goto out;
		done_add(&b, _("The folder became the storage pool %s."), np->pool);
	}
out:
	hcfg_lock_release(lk);
	free(path);
	if (rc < 0) {
		midway(&b, rc, cause);
		free(b.s);
		return rc;
	}
	*done = done_take(&b);
	return 0;
}

static int refused(const struct vc_impact *im, char **cause)
{
	char *t = vc_impact_text(im);
	int rc = base_cause(cause, -EPERM, _("%s was left untouched.\n%s"), im->target, t);

	free(t);
	return rc;
}

int vc_stor_wipe(struct hv_conn *conn, const struct vc_stor *s, const char *dev,
		 enum hcfg_fs format, const struct vc_who *who, char **done, char **cause)
{
	struct vc_impact im;
	struct hcfg_lock *lk = NULL;
	struct base_buf b = { 0 };
	const struct hcfg_snode *n;
	int node = hcfg_stor_find_dev(&s->h, dev), rc;

	*done = NULL;
	memset(&im, 0, sizeof(im));
	/* The lock first: the impact that decides is the one no other operator can change meanwhile. */
	if (node >= 0) {
		rc = lock_disk(disk_of(s, node), who, &lk, cause);
		if (rc < 0)
			return rc;
	}
	rc = vc_stor_impact(s, dev, &im, cause);
	if (rc < 0)
		goto out;
	if (im.refuse || im.partial) {
		rc = im.partial ? base_cause(cause, -ENOTCONN,
					     _("The guests and storage pools could not be read, so %s was left untouched."),
					     dev) : refused(&im, cause);
		goto out;
	}
	for (size_t i = 0; i < im.n; i++)
		if (im.v[i].kind == VC_IMP_GUEST) {
			rc = base_cause(cause, -EBUSY,
					_("%s was left untouched: the guest %s has its disk %s there. Delete the guest or remove that disk from it first."),
					dev, im.v[i].name, im.v[i].detail);
			goto out;
		}
	if (im.node < 0 || (s->h.v[im.node].kind != HCFG_SN_PART &&
			    (format == HCFG_FS_NONE || s->h.v[im.node].kind != HCFG_SN_LV))) {
		rc = base_cause(cause, -EINVAL, format == HCFG_FS_NONE ?
				_("%s is not a partition: only partitions are deleted here.") :
				_("%s is not a partition or a logical volume."), dev);
		goto out;
	}
	n = &s->h.v[im.node];
	for (size_t i = 0; i < im.n; i++)
		if (im.v[i].kind == VC_IMP_POOL) {
			rc = hv_pool_remove(conn, im.v[i].name, false, cause);
			if (rc < 0)
				goto out;
			done_add(&b, _("The storage pool %s was removed."), im.v[i].name);
		}
	if (n->mountpoint[0]) {
		unsigned removed = 0;

		rc = hcfg_stor_umount_dev(n->path, cause);
		if (rc < 0)
			goto out;
		done_add(&b, _("%s was unmounted."), n->path);
		rc = hcfg_fstab_remove(who->root, n->uuid, n->path, &removed, cause);
		if (rc < 0)
			goto out;
		if (removed)
			done_add(&b, _("Its line in fstab was removed."));
	} else if (n->uuid[0]) {
		unsigned removed = 0;

		/* A line for it may be there even while it is not mounted: it would fail the next boot. */
		rc = hcfg_fstab_remove(who->root, n->uuid, n->path, &removed, cause);
		if (rc < 0)
			goto out;
		if (removed)
			done_add(&b, _("Its line in fstab was removed."));
	}
	if (format == HCFG_FS_NONE) {
		rc = hcfg_part_delete(n->path, cause);
		if (rc == 0)
			done_add(&b, _("The partition %s was deleted."), n->path);
	} else {
		rc = hcfg_disk_try_claim(n->path) == -EBUSY ?
		     base_cause(cause, -EBUSY, _("%s is in use; it was not formatted."), n->path) :
		     hcfg_mkfs(n->path, format, NULL, -1, NULL, NULL, cause);
		if (rc == 0)
			done_add(&b, _("%s was formatted %s."), n->path, hcfg_fs_name(format));
	}
out:
	hcfg_lock_release(lk);
	vc_impact_clear(&im);
	if (rc < 0) {
		midway(&b, rc, cause);
		free(b.s);
		return rc;
	}
	*done = done_take(&b);
	return 0;
}

int vc_stor_grow(const struct vc_stor *s, const char *dev, const char *size,
		 const struct vc_who *who, char **done, char **cause)
{
	struct hcfg_lock *lk = NULL;
	uint64_t room = 0, bytes = 0;
	bool all, grown = false;
	int i = hcfg_stor_find_dev(&s->h, dev), rc;

	*done = NULL;
	if (i < 0 || s->h.v[i].kind != HCFG_SN_PART)
		return base_cause(cause, -EINVAL, _("%s is not a partition."), dev);
	for (size_t k = 0; k < s->h.n; k++)
		if (s->h.v[k].kind == HCFG_SN_FREE && s->h.v[k].parent == s->h.v[i].parent &&
		    s->h.v[k].start >= s->h.v[i].start + s->h.v[i].size &&
		    s->h.v[k].start < s->h.v[i].start + s->h.v[i].size + MIB)
			room = s->h.v[k].start + s->h.v[k].size - s->h.v[i].start;
	if (!room)
		return base_cause(cause, -ENOSPC, _("There is no free space right after %s."), dev);
	rc = hcfg_stor_parse_size(size, room, &all, &bytes, cause);
	if (rc < 0)
		return rc;
	if (!all && bytes <= s->h.v[i].size)
		return base_cause(cause, -EINVAL, _("The new size of %s is not larger than its size now."),
				  dev);
	rc = lock_disk(disk_of(s, i), who, &lk, cause);
	if (rc < 0)
		return rc;
	rc = hcfg_part_grow(dev, all ? 0 : bytes, &grown, cause);
	hcfg_lock_release(lk);
	if (rc < 0) {
		if (grown) {
			char *why = cause ? *cause : NULL;

			if (cause && asprintf(cause, _("The partition %s was grown, but its filesystem was not: %s"),
					      dev, why ? why : "") < 0)
				*cause = why, why = NULL;
			free(why);
		}
		return rc;
	}
	if (asprintf(done, s->h.v[i].fstype[0] ? _("The partition %s and its filesystem were grown.") :
		     _("The partition %s was grown."), dev) < 0)
		abort();
	return 0;
}

int vc_stor_pool_remove(struct hv_conn *conn, const struct vc_stor *s, const char *name,
			bool delete_volumes, char **done, char **cause)
{
	struct vc_impact im;
	int rc = vc_stor_pool_impact(s, name, delete_volumes, &im, cause);

	*done = NULL;
	if (rc < 0)
		return rc;
	if (im.refuse) {
		rc = refused(&im, cause);
		vc_impact_clear(&im);
		return rc;
	}
	/* A volume a guest still has as its disk is not deleted under it, running or not. */
	for (size_t i = 0; i < im.n; i++)
		if (im.v[i].kind == VC_IMP_GUEST) {
			rc = base_cause(cause, -EBUSY,
					_("The storage pool %s was left untouched: the guest %s has its disk %s there. Delete the guest or remove that disk from it first."),
					name, im.v[i].name, im.v[i].detail);
			vc_impact_clear(&im);
			return rc;
		}
	vc_impact_clear(&im);
	rc = hv_pool_remove(conn, name, delete_volumes, cause);
	if (rc == 0 && asprintf(done, delete_volumes ?
				_("The storage pool %s and its volumes were removed.") :
				_("The storage pool %s was removed; its volumes were kept."), name) < 0)
		abort();
	return rc;
}

/* ---- ospite storage ---------------------------------------------------------------------- */

static int usage_err(void)
{
	fputs(_("Usage: ospite storage show [--json] [DISK]...\n"
		"       ospite storage impact DEVICE|PATH [--json]\n"
		"       ospite storage create DISK [--at START] [--size SIZE|all]\n"
		"              [--fs ext4|xfs|raw|lvm] [--mount DIR] [--pool NAME]\n"
		"       ospite storage delete PARTITION --confirm PARTITION\n"
		"       ospite storage format DEVICE --fs ext4|xfs --confirm DEVICE\n"
		"       ospite storage grow PARTITION [--size SIZE|all]\n"
		"       ospite storage pool-remove NAME [--delete-volumes] --confirm NAME\n"), stderr);
	return 1;
}

static int failed(char *cause)
{
	fprintf(stderr, "ospite: %s\n", cause ? cause : _("The operation failed."));
	free(cause);
	return 2;
}

static void who_now(struct vc_who *w, char *user, size_t ulen, char *tty, size_t tlen)
{
	struct passwd *pw = getpwuid(getuid());
	const char *t = ttyname(0), *root = getenv("OSPITE_ROOT");

	snprintf(user, ulen, "%s", pw ? pw->pw_name : "root");
	snprintf(tty, tlen, "%s", t && !strncmp(t, "/dev/", 5) ? t + 5 : "");
	w->user = user;
	w->tty = tty;
	w->root = root && root[0] == '/' ? root : NULL;
}

int vc_storage_main(const char *uri, int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "", *at = NULL, *size = NULL, *fs = NULL;
	const char *mount = NULL, *pool = NULL, *confirm = NULL, *arg = NULL;
	const char **disks = calloc(argc + 1, sizeof(*disks));
	bool json = false, delvols = false;
	struct hv_conn *conn = NULL;
	struct vc_stor s;
	struct vc_who who;
	char user[64], tty[32], *cause = NULL, *done = NULL, mp[256];
	size_t nd = 0;
	int rc = 0;

	if (!disks)
		abort();
	memset(&s, 0, sizeof(s));
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--at") ? &at : !strcmp(a, "--size") ? &size :
				    !strcmp(a, "--fs") ? &fs : !strcmp(a, "--mount") ? &mount :
				    !strcmp(a, "--pool") ? &pool : !strcmp(a, "--confirm") ? &confirm :
				    NULL;

		if (slot) {
			if (++i >= argc) {
				free(disks);
				return usage_err();
			}
			*slot = argv[i];
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--delete-volumes")) {
			delvols = true;
		} else if (a[0] == '-') {
			free(disks);
			return usage_err();
		} else {
			disks[nd++] = a;
		}
	}
	arg = nd ? disks[0] : NULL;
	if (!strcmp(cmd, "show")) {
	} else if (!strcmp(cmd, "impact") || !strcmp(cmd, "create") || !strcmp(cmd, "delete") ||
		   !strcmp(cmd, "format") || !strcmp(cmd, "grow") || !strcmp(cmd, "pool-remove")) {
		if (nd != 1) {
			free(disks);
			return usage_err();
		}
	} else {
		free(disks);
		return usage_err();
	}
	who_now(&who, user, sizeof(user), tty, sizeof(tty));
	/* The host's own storage is shown even when libvirt cannot be reached; its uses are then said to be unknown. */
	if (hv_open(uri, &conn, &cause) < 0) {
		if (strcmp(cmd, "show") && strcmp(cmd, "impact") && strcmp(cmd, "grow") &&
		    !(strcmp(cmd, "create") == 0 && fs && !strcmp(fs, "raw"))) {
			free(disks);
			return failed(cause);
		}
		fprintf(stderr, "ospite: %s\n", cause ? cause : "");
		free(cause);
		cause = NULL;
		conn = NULL;
	}
	if (vc_stor_load(conn, !strcmp(cmd, "show") && nd ? disks : NULL, &s, &cause) < 0) {
		rc = failed(cause);
		goto out;
	}
	if (!strcmp(cmd, "show")) {
		if (json) {
			vc_stor_json(&s, stdout);
		} else {
			struct vc_srow *rows;
			size_t n;

			vc_stor_rows(&s, &rows, &n);
			for (size_t i = 0; i < n; i++)
				printf("%s\n", rows[i].text);
			vc_srows_free(rows, n);
		}
	} else if (!strcmp(cmd, "impact") || ((!strcmp(cmd, "delete") || !strcmp(cmd, "format") ||
					       !strcmp(cmd, "pool-remove")) && !confirm)) {
		struct vc_impact im;
		int r = !strcmp(cmd, "pool-remove") ? vc_stor_pool_impact(&s, arg, delvols, &im, &cause) :
			vc_stor_impact(&s, arg, &im, &cause);

		if (r < 0) {
			rc = failed(cause);
			goto out;
		}
		if (json) {
			vc_impact_json(&im, stdout);
		} else {
			char *t = vc_impact_text(&im);

			fputs(t, stdout);
			free(t);
		}
		if (strcmp(cmd, "impact")) {
			fprintf(stderr, _("ospite: nothing was done; to go ahead, add --confirm %s.\n"), arg);
			rc = 1;
		} else {
			/* A script can tell a refusal from the status: 3. */
			rc = im.refuse ? 3 : 0;
		}
		vc_impact_clear(&im);
	} else if (confirm && strcmp(confirm, arg)) {
		fprintf(stderr, _("ospite: --confirm must repeat %s exactly; nothing was done.\n"), arg);
		rc = 1;
	} else if (!strcmp(cmd, "create")) {
		struct vc_newpart np = { .disk = arg, .size = size ? size : "all", .pool = pool ? pool : "" };
		int d = hcfg_stor_find_dev(&s.h, arg);
		bool all;

		if (!fs || !strcmp(fs, "ext4") || !strcmp(fs, "xfs")) {
			np.use = VC_NEW_FS;
			np.fs = fs ? hcfg_fs_parse(fs) : HCFG_FS_EXT4;
		} else if (!strcmp(fs, "raw")) {
			np.use = VC_NEW_RAW;
		} else if (!strcmp(fs, "lvm")) {
			np.use = VC_NEW_LVM;
		} else {
			rc = usage_err();
			goto out;
		}
		if (at) {
			if (hcfg_stor_parse_size(at, UINT64_MAX, &all, &np.at, &cause) < 0 || all) {
				rc = failed(cause);
				goto out;
			}
		} else {
			/* The first free region of the disk. */
			for (size_t i = 0; d >= 0 && i < s.h.n; i++)
				if (s.h.v[i].kind == HCFG_SN_FREE && s.h.v[i].parent == d) {
					np.at = s.h.v[i].start;
					break;
				}
		}
		if (np.use == VC_NEW_FS && !mount && pool && pool[0]) {
			snprintf(mp, sizeof(mp), "/var/lib/ospite/%s", pool);
			mount = mp;
		}
		np.mountpoint = mount;
		if (np.use == VC_NEW_FS && !mount) {
			rc = failed(strdup(_("Say where the new filesystem is mounted (--mount DIR), or name its pool (--pool NAME).")));
			goto out;
		}
		if (vc_stor_create(conn, &s, &np, &who, &done, &cause) < 0)
			rc = failed(cause);
	} else if (!strcmp(cmd, "delete") || !strcmp(cmd, "format")) {
		enum hcfg_fs f = HCFG_FS_NONE;

		if (!strcmp(cmd, "format")) {
			f = hcfg_fs_parse(fs);
			if (f != HCFG_FS_EXT4 && f != HCFG_FS_XFS) {
				rc = usage_err();
				goto out;
			}
		}
		if (vc_stor_wipe(conn, &s, arg, f, &who, &done, &cause) < 0)
			rc = failed(cause);
	} else if (!strcmp(cmd, "grow")) {
		if (vc_stor_grow(&s, arg, size ? size : "all", &who, &done, &cause) < 0)
			rc = failed(cause);
	} else {
		if (vc_stor_pool_remove(conn, &s, arg, delvols, &done, &cause) < 0)
			rc = failed(cause);
	}
	if (done)
		printf("%s\n", done);
out:
	vc_stor_clear(&s);
	free(done);
	free(disks);
	if (conn)
		hv_close(conn);
	return rc;
}
