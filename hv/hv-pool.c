/* Where a guest's disk may live: inside a libvirt storage pool, elsewhere on the host (root's call), or on a block device the host does not use. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>

/*
 * Why pools: a guest reads and writes its disks with the hypervisor's
 * rights, which on a host are root's. A member of the group ospite must
 * not reach a host file through a guest (/etc/shadow as a disk, a new
 * image under /etc), so the folders a guest's files may be in are the
 * ones the host's administrator made storage pools. Only folder pools
 * (dir, fs, netfs) count, and only their direct entries, as libvirt lists
 * their volumes; paths are compared after symbolic links are resolved.
 */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The resolved target folders of the active folder pools, and their names. */
static int pool_dirs(struct hv_conn *conn, char ***dirs, char ***names, size_t *n, char **cause)
{
	virStoragePoolPtr *pools = NULL;
	int np = virConnectListAllStoragePools(conn->c, &pools,
					       VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
	int rc = 0;

	*dirs = *names = NULL;
	*n = 0;
	if (np < 0) {
		/* A driver without storage has no pools, so nothing is inside one. */
		if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT) {
			virResetLastError();
			return 0;
		}
		return base_cause(cause, hv_lv_errno(), _("Could not list the storage pools: %s."),
				  hv_lv_msg());
	}
	*dirs = calloc(np + 1, sizeof(**dirs));
	*names = calloc(np + 1, sizeof(**names));
	if (!*dirs || !*names)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	for (int i = 0; i < np; i++) {
		char *xml = rc == 0 ? virStoragePoolGetXMLDesc(pools[i], 0) : NULL;
		xmlDocPtr doc = xml ? xmlReadMemory(xml, strlen(xml), "pool.xml", NULL,
						    XML_PARSE_NONET | XML_PARSE_NOERROR |
						    XML_PARSE_NOWARNING) : NULL;
		xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
		char *type = ctx ? hv_xp_str(ctx, NULL, "/pool/@type") : NULL;
		char *path = ctx ? hv_xp_str(ctx, NULL, "/pool/target/path") : NULL;
		char real[PATH_MAX];
		const char *name = virStoragePoolGetName(pools[i]);

		if (type && path && name &&
		    (!strcmp(type, "dir") || !strcmp(type, "fs") || !strcmp(type, "netfs")) &&
		    realpath(path, real)) {
			(*dirs)[*n] = strdup(real);
			(*names)[*n] = strdup(name);
			if (!(*dirs)[*n] || !(*names)[*n])
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			(*n)++;
		}
		free(type);
		free(path);
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
		free(xml);
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	virResetLastError();
	if (rc < 0) {
		strv_free(*dirs, *n);
		strv_free(*names, *n);
		*dirs = *names = NULL;
		*n = 0;
	}
	return rc;
}

/*
 * The pool whose folder holds @path directly: for an existing file its resolved path, for a
 * new one (@exists false) its resolved folder and its own name. -1 when none.
 */
static int pool_index(char **dirs, size_t n, const char *path, bool exists)
{
	char real[PATH_MAX], *copy = strdup(path), *dir, *base;
	int found = -1;

	if (!copy)
		return -1;
	if (exists) {
		if (!realpath(path, real))
			goto out;
		base = strrchr(real, '/');
		if (!base || base == real)
			goto out;
		*base = '\0';
	} else {
		base = basename(copy);
		dir = dirname(copy);
		if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !realpath(dir, real))
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(dirs[i], real)) {
			found = (int)i;
			break;
		}
	}
out:
	free(copy);
	return found;
}

int hv_path_pool(struct hv_conn *conn, const char *path, bool exists, char **pool, char **cause)
{
	char **dirs = NULL, **names = NULL;
	size_t n = 0;
	int i, rc = pool_dirs(conn, &dirs, &names, &n, cause);

	if (pool)
		*pool = NULL;
	if (rc < 0)
		return rc;
	i = pool_index(dirs, n, path, exists);
	if (i < 0)
		rc = -ENOENT;
	else if (pool && !(*pool = strdup(names[i])))
		rc = -ENOMEM;
	strv_free(dirs, n);
	strv_free(names, n);
	return rc;
}

/* The first pool folder, to point a refused operator somewhere; NULL when there is none. */
static char *first_pool_dir(struct hv_conn *conn)
{
	char **dirs = NULL, **names = NULL, *d = NULL;
	size_t n = 0;

	if (pool_dirs(conn, &dirs, &names, &n, NULL) == 0 && n)
		d = strdup(dirs[0]);
	strv_free(dirs, n);
	strv_free(names, n);
	return d;
}

int hv_disk_place(struct hv_conn *conn, const struct hv_disk *d, unsigned flags,
		  enum hv_place *place, char **cause)
{
	bool fresh = d->kind == HV_DISK_NEW_RAW || d->kind == HV_DISK_NEW_QCOW2;
	struct stat st;
	int rc;

	*place = HV_PLACE_POOL;
	if (!d->path)
		return 0;   /* an empty CD-ROM drive */
	if (fresh) {
		char *dir;

		rc = hv_path_pool(conn, d->path, false, NULL, cause);
		if (rc != -ENOENT)
			return rc;
		dir = first_pool_dir(conn);
		if (dir)
			rc = base_cause(cause, -EPERM,
					_("The new disk %s would be outside every storage pool; new disks are made only in a pool's folder, such as %s."),
					d->path, dir);
		else
			rc = base_cause(cause, -EPERM,
					_("The new disk %s would be outside every storage pool, and this host has none; new disks are made only in a pool's folder."),
					d->path);
		free(dir);
		return rc;
	}
	if (stat(d->path, &st) < 0)
		return base_cause(cause, -errno, _("The disk image %s cannot be used: %s."), d->path,
				  strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		*place = HV_PLACE_DEVICE;
		/* A device the host itself uses is refused to everyone: a guest would corrupt it. */
		rc = hcfg_dev_in_use(d->path, cause);
		if (rc < 0)
			return rc;
		if (!(flags & HV_HOST_PATHS))
			return base_cause(cause, -EPERM,
					  _("Only root may give a guest the block device %s."), d->path);
		return 0;
	}
	rc = hv_path_pool(conn, d->path, true, NULL, cause);
	if (rc == 0)
		return 0;
	if (rc != -ENOENT)
		return rc;
	*place = HV_PLACE_OUTSIDE;
	if (!(flags & HV_HOST_PATHS))
		return base_cause(cause, -EPERM,
				  _("%s is outside every storage pool: only root may give a guest a file from elsewhere on the host."),
				  d->path);
	return 0;
}

int hv_pool_ensure(struct hv_conn *conn, const char *name, const char *dir, char **cause)
{
	virStoragePoolPtr p = NULL;
	char *xml = NULL, *exml = NULL, *epath = NULL;
	char **dirs = NULL, **names = NULL, real[PATH_MAX];
	size_t n = 0;
	int rc = hcfg_mkdirs(dir, cause);

	if (rc < 0)
		return rc;
	rc = pool_dirs(conn, &dirs, &names, &n, cause);
	if (rc < 0)
		return rc;
	if (!realpath(dir, real)) {
		rc = base_cause(cause, -errno, _("Could not read %s: %s."), dir, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(dirs[i], real))
			goto out;   /* already an active pool's folder */
	p = virStoragePoolLookupByName(conn->c, name);
	if (p) {
		/* An inactive pool of that name is started only when it is this folder. */
		xmlDocPtr doc;
		xmlXPathContextPtr ctx = NULL;
		char rp[PATH_MAX];

		exml = virStoragePoolGetXMLDesc(p, VIR_STORAGE_XML_INACTIVE);
		doc = exml ? xmlReadMemory(exml, strlen(exml), "pool.xml", NULL,
					   XML_PARSE_NONET | XML_PARSE_NOERROR) : NULL;
		ctx = doc ? xmlXPathNewContext(doc) : NULL;
		epath = ctx ? hv_xp_str(ctx, NULL, "/pool/target/path") : NULL;
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
		if (!epath || !realpath(epath, rp) || strcmp(rp, real) != 0 ||
		    virStoragePoolIsActive(p) == 1) {
			rc = base_cause(cause, -EEXIST,
					_("The storage pool %s exists but is not the folder %s."), name,
					dir);
			goto out;
		}
	} else {
		virResetLastError();
		if (asprintf(&xml, "<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>",
			     name, real) < 0) {
			xml = NULL;
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		p = virStoragePoolDefineXML(conn->c, xml, 0);
		if (!p) {
			rc = base_cause(cause, hv_lv_errno(),
					_("Could not make %s a storage pool: %s."), dir, hv_lv_msg());
			goto out;
		}
	}
	if (virStoragePoolCreate(p, 0) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not start the storage pool %s: %s."),
				name, hv_lv_msg());
		goto out;
	}
	/* The folder is where the console's guests live: it is there again after a reboot. */
	if (virStoragePoolSetAutostart(p, 1) < 0)
		virResetLastError();
out:
	if (p)
		virStoragePoolFree(p);
	free(xml);
	free(exml);
	free(epath);
	strv_free(dirs, n);
	strv_free(names, n);
	virResetLastError();
	return rc;
}

void hv_pool_refresh(struct hv_conn *conn, const char *path)
{
	char *name = NULL;
	virStoragePoolPtr p;

	if (hv_path_pool(conn, path, false, &name, NULL) < 0)
		return;
	/* Only so that virsh vol-list and virt-manager see the change at once. */
	p = virStoragePoolLookupByName(conn->c, name);
	if (p) {
		virStoragePoolRefresh(p, 0);
		virStoragePoolFree(p);
	}
	virResetLastError();
	free(name);
}
