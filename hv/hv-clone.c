/* Clones (a sparse full copy, or a qcow2 overlay over the original) and templates kept in ospite's libvirt metadata. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpathInternals.h>

#define NS_PREFIX "ospite"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether @path is NAME-seed.img, the seed ospite makes for guest @name. */
static bool is_seed_of(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t n = strlen(name);

	return !strncmp(base, name, n) && !strcmp(base + n, "-seed.img");
}

/* ---- templates ------------------------------------------------------------------- */

/* The element in namespace @ns of the guest's definition (malloc'd), NULL when it has none. */
static char *meta_ns(virDomainPtr dom, const char *ns)
{
	char *m = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, ns,
				       VIR_DOMAIN_AFFECT_CONFIG);

	if (!m)
		virResetLastError();
	return m;
}

/* The ospite element of the guest's definition (malloc'd), NULL when it has none; *@old when it is in the old namespace. */
static char *meta_get(virDomainPtr dom, bool *old)
{
	char *m = meta_ns(dom, HV_XMLNS);

	*old = !m && (m = meta_ns(dom, HV_XMLNS_OLD));
	return m;
}

/* Whether the element text @m has a <template/> child. */
static bool meta_template(const char *m)
{
	xmlDocPtr doc;
	bool on = false;

	if (!m)
		return false;
	doc = xmlReadMemory(m, strlen(m), "metadata.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return false;
	for (xmlNodePtr c = xmlDocGetRootElement(doc) ? xmlDocGetRootElement(doc)->children : NULL;
	     c; c = c->next)
		on = on || (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "template"));
	xmlFreeDoc(doc);
	return on;
}

static bool dom_is_template(virDomainPtr dom)
{
	bool old;
	char *m = meta_get(dom, &old);
	bool on = meta_template(m);

	free(m);
	return on;
}

int hv_template_get(struct hv_conn *conn, const char *name, bool *on, char **cause)
{
	virDomainPtr dom;
	int rc = hv_lookup(conn, name, &dom, cause);

	*on = false;
	if (rc < 0)
		return rc;
	*on = dom_is_template(dom);
	virDomainFree(dom);
	return 0;
}

/* No namespace on @n and below: libvirt puts the element into the one it is written with. */
static void strip_ns(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlSetNs(n, NULL);
		for (xmlAttrPtr a = n->properties; a; a = a->next)
			a->ns = NULL;
		strip_ns(n->children);
	}
}

static void free_ns_defs(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlFreeNsList(n->nsDef);
		n->nsDef = NULL;
		free_ns_defs(n->children);
	}
}

/*
 * The element with <template/> added or taken away; other children (kept by other parts of
 * ospite) stay as they are. NULL when nothing is left, or on a parse failure with *bad set.
 */
static char *meta_with(const char *m, bool on, bool *bad)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c, next;
	xmlBufferPtr buf = NULL;
	char *out = NULL;
	bool empty = true;

	*bad = false;
	if (m)
		doc = xmlReadMemory(m, strlen(m), "metadata.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (m && !doc) {
		*bad = true;
		return NULL;
	}
	if (!doc) {
		doc = xmlNewDoc(BAD_CAST "1.0");
		root = doc ? xmlNewNode(NULL, BAD_CAST "guest") : NULL;
		if (!root) {
			xmlFreeDoc(doc);
			*bad = true;
			return NULL;
		}
		xmlDocSetRootElement(doc, root);
	}
	root = xmlDocGetRootElement(doc);
	/* The element read may be in the old namespace: it is written back without one. */
	strip_ns(root);
	free_ns_defs(root);
	for (c = root->children; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "template")) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	if (on)
		xmlNewChild(root, root->ns, BAD_CAST "template", NULL);
	for (c = root->children; c; c = c->next)
		empty = empty && c->type != XML_ELEMENT_NODE;
	buf = xmlBufferCreate();
	if (!empty && buf && xmlNodeDump(buf, doc, root, 0, 0) >= 0)
		out = strdup((const char *)xmlBufferContent(buf));
	*bad = !empty && !out;
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

int hv_template_set(struct hv_conn *conn, const char *name, bool on, char **cause)
{
	virDomainPtr dom;
	char *m = NULL, *nm = NULL;
	bool bad, old = false;
	int rc = hv_lookup(conn, name, &dom, cause);

	if (rc < 0)
		return rc;
	if (on && virDomainIsActive(dom) == 1) {
		rc = base_cause(cause, -EBUSY,
				_("The guest %s is running; shut it down before making it a template."),
				name);
		goto out;
	}
	m = meta_get(dom, &old);
	nm = meta_with(m, on, &bad);
	if (bad) {
		rc = base_cause(cause, -EINVAL, _("The ospite metadata of the guest %s cannot be read."),
				name);
		goto out;
	}
	/* The element moves to the current namespace: written there first, then the old one goes. */
	if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, nm, nm ? NS_PREFIX : NULL,
				 HV_XMLNS, VIR_DOMAIN_AFFECT_CONFIG) < 0 ||
	    (old && virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, HV_XMLNS_OLD,
					 VIR_DOMAIN_AFFECT_CONFIG) < 0))
		rc = base_cause(cause, hv_lv_errno(),
				on ? _("Could not make the guest %s a template: %s.") :
				     _("Could not turn the template %s back into a guest: %s."),
				name, hv_lv_msg());
out:
	free(m);
	free(nm);
	virDomainFree(dom);
	return rc;
}

int hv_templates(struct hv_conn *conn, char ***names, size_t *n, char **cause)
{
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(conn->c, &doms, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (nd < 0)
		return base_cause(cause, hv_lv_errno(), _("Could not list the guests: %s."),
				  hv_lv_msg());
	for (int i = 0; i < nd; i++) {
		const char *nm = virDomainGetName(doms[i]);

		if (rc == 0 && nm && dom_is_template(doms[i])) {
			char **v = realloc(*names, (*n + 1) * sizeof(**names));

			if (!v || !(v[*n] = strdup(nm))) {
				if (v)
					*names = v;
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			} else {
				*names = v;
				(*n)++;
			}
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	if (rc == 0 && *n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return rc;
}

/* ---- linked clones: who uses whose disk as a base ------------------------------------ */

static uint64_t be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

bool hv_qcow2_head(int fd, uint64_t *backing_off, uint32_t *backing_len, uint64_t *incompat)
{
	unsigned char h[80];
	ssize_t got = pread(fd, h, sizeof(h), 0);

	if (got < 20 || be(h, 4) != 0x514649fb)
		return false;
	*backing_off = be(h + 8, 8);
	*backing_len = (uint32_t)be(h + 16, 4);
	/* Version 2 has no feature bits; version 3 keeps them at 72. */
	*incompat = be(h + 4, 4) >= 3 && got == (ssize_t)sizeof(h) ? be(h + 72, 8) : 0;
	return true;
}

/*
 * The backing file a qcow2 image names, resolved against the image's folder (malloc'd), NULL
 * when it is not qcow2 or has none. The image is any guest's: only its fixed header and a name
 * of bounded length are read.
 */
static char *qcow2_backing(const char *path)
{
	char name[PATH_MAX], *out = NULL, *slash;
	struct stat st;
	uint64_t off, incompat;
	uint32_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !hv_qcow2_head(fd, &off, &len, &incompat))
		goto out;
	if (!off || !len || len >= sizeof(name) || off > (uint64_t)st.st_size ||
	    pread(fd, name, len, (off_t)off) != (ssize_t)len)
		goto out;
	name[len] = '\0';
	if (strlen(name) != len)
		goto out;
	if (name[0] == '/') {
		out = strdup(name);
	} else if ((slash = strrchr(path, '/'))) {
		if (asprintf(&out, "%.*s/%s", (int)(slash - path), path, name) < 0)
			out = NULL;
	}
out:
	close(fd);
	return out;
}

/* @path with its links resolved where it exists (malloc'd). */
static char *canon(const char *path)
{
	char real[PATH_MAX];

	return strdup(realpath(path, real) ? real : path);
}

int hv_clone_dependents(struct hv_conn *conn, const char *name, char ***names, size_t *n,
			char **cause)
{
	struct hv_guest_disks *gd = NULL;
	size_t ng = 0, me;
	int rc = hv_guests_disks(conn, &gd, &ng, cause);

	*names = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	for (me = 0; me < ng && strcmp(gd[me].name, name); me++)
		;
	for (size_t i = 0; me < ng && rc == 0 && i < ng; i++) {
		bool uses = false;

		if (i == me)
			continue;
		for (size_t k = 0; !uses && k < gd[i].n; k++) {
			char *b = gd[i].block[k] ? NULL : qcow2_backing(gd[i].paths[k]);
			char *cb = b ? canon(b) : NULL;

			for (size_t j = 0; cb && !uses && j < gd[me].n; j++) {
				char *mine = canon(gd[me].paths[j]);

				uses = mine && !strcmp(mine, cb);
				free(mine);
			}
			free(b);
			free(cb);
		}
		if (uses) {
			char **v = realloc(*names, (*n + 1) * sizeof(**names));

			if (!v || !(v[*n] = strdup(gd[i].name))) {
				if (v)
					*names = v;
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			} else {
				*names = v;
				(*n)++;
			}
		}
	}
	hv_guest_disks_free(gd, ng);
	return rc;
}

/* "a, b, c" (malloc'd). */
static char *join(char *const *v, size_t n)
{
	struct base_buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		base_buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
	return b.oom ? NULL : b.s ? b.s : strdup("");
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int hv_clone_guard(struct hv_conn *conn, const char *name, enum hv_guard what, char **cause)
{
	char **deps = NULL, *list;
	size_t n = 0;
	int rc;

	if (what == HV_GUARD_START) {
		bool tpl = false;

		rc = hv_template_get(conn, name, &tpl, cause);
		if (rc < 0)
			return rc;
		if (tpl)
			return base_cause(cause, -EPERM,
					  _("The guest %s is a template and cannot be started; create a new guest from it, or turn it back into a guest first."),
					  name);
	}
	rc = hv_clone_dependents(conn, name, &deps, &n, cause);
	if (rc < 0 || !n)
		return rc;
	list = join(deps, n);
	strv_free(deps, n);
	if (what == HV_GUARD_START)
		rc = base_cause(cause, -EPERM,
				P_("The guest %s cannot be started: the linked clone %s uses its disk as a base, and whatever %s wrote would corrupt that clone.",
				   "The guest %s cannot be started: the linked clones %s use its disks as a base, and whatever %s wrote would corrupt those clones.",
				   n),
				name, list ? list : "?", name);
	else
		rc = base_cause(cause, -EPERM,
				P_("The guest %s cannot be deleted: the linked clone %s uses its disk as a base. Delete the clone first.",
				   "The guest %s cannot be deleted: the linked clones %s use its disks as a base. Delete the clones first.",
				   n),
				name, list ? list : "?");
	free(list);
	return rc;
}

int hv_seed_files(struct hv_conn *conn, const char *name, char ***paths, size_t *n)
{
	struct hv_guest *g = NULL;
	int rc = hv_get(conn, name, &g, NULL);

	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < g->n_disks; i++) {
		const struct hv_disk *d = &g->disks[i];
		char **v;

		/* Only the seed ospite made for this very guest: NAME-seed.img, in a pool. */
		if (!(d->kind == HV_DISK_CDROM || d->readonly) || !d->path)
			continue;
		if (is_seed_of(d->path, name) && hv_path_pool(conn, d->path, true, NULL, NULL) == 0) {
			v = realloc(*paths, (*n + 1) * sizeof(**paths));
			if (!v || !(v[*n] = strdup(d->path)))
				rc = -ENOMEM;
			if (v)
				*paths = v;
			if (rc == 0)
				(*n)++;
		}
	}
	hv_guest_free(g);
	return rc;
}

/* ---- copying ------------------------------------------------------------------------- */

struct copier {
	hv_clone_cb cb;
	void *opaque;
	uint64_t done, total;
};

static bool tell(struct copier *cp)
{
	return !cp->cb || cp->cb(cp->opaque, cp->done, cp->total);
}

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Copy the regular file @sfd into the new empty file @dfd: shared extents where the file system
 * can (FICLONE), else the data regions alone, with zero blocks left as holes.
 */
static int copy_fd(int sfd, int dfd, uint64_t size, struct copier *cp, const char *dst,
		   char **cause)
{
	enum { CHUNK = 1 << 20 };
	uint64_t base = cp->done;
	char *buf;
	off_t off = 0;
	int rc = 0;

	if (ioctl(dfd, FICLONE, sfd) == 0) {
		cp->done = base + size;
		return tell(cp) ? 0 : base_cause(cause, -ECANCELED, _("The clone was stopped."));
	}
	if (ftruncate(dfd, (off_t)size) < 0)
		return base_cause(cause, -errno, _("Could not size the disk %s: %s."), dst,
				  strerror(errno));
	buf = malloc(CHUNK);
	if (!buf)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	while ((uint64_t)off < size && rc == 0) {
		off_t data = lseek(sfd, off, SEEK_DATA), hole;

		if (data < 0 && errno == ENXIO)
			break;   /* only a hole is left */
		if (data < 0) {
			/* A file system without SEEK_DATA: read everything, zero blocks still skipped. */
			data = off;
			hole = (off_t)size;
		} else {
			hole = lseek(sfd, data, SEEK_HOLE);
			if (hole < 0)
				hole = (off_t)size;
		}
		for (off = data; off < hole && rc == 0;) {
			size_t want = (uint64_t)(hole - off) < CHUNK ? (size_t)(hole - off) : CHUNK;
			ssize_t got = pread(sfd, buf, want, off);

			if (got <= 0) {
				if (got < 0 && errno == EINTR)
					continue;
				rc = base_cause(cause, got < 0 ? -errno : -EIO,
						_("Could not read the disk being cloned: %s."),
						got < 0 ? strerror(errno) : _("it became shorter"));
				break;
			}
			if (!all_zero(buf, (size_t)got) &&
			    pwrite(dfd, buf, (size_t)got, off) != got)
				rc = base_cause(cause, errno ? -errno : -EIO,
						_("Could not write the disk %s: %s."), dst,
						strerror(errno ? errno : EIO));
			off += got;
			cp->done = base + (uint64_t)off;
			if (rc == 0 && !tell(cp))
				rc = base_cause(cause, -ECANCELED, _("The clone was stopped."));
		}
	}
	free(buf);
	if (rc == 0 && fdatasync(dfd) < 0)
		rc = base_cause(cause, -errno, _("Could not write the disk %s: %s."), dst,
				strerror(errno));
	if (rc == 0) {
		cp->done = base + size;
		tell(cp);
	}
	return rc;
}

/* ---- the clone ------------------------------------------------------------------------ */

struct newdisk {
	xmlNodePtr disk;
	char *src, *dst, *format;
	uint64_t size;
	bool made;
};

static int set_attr(xmlNodePtr n, const char *name, const char *value)
{
	return xmlSetProp(n, BAD_CAST name, BAD_CAST value) ? 0 : -ENOMEM;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST name))
			return c;
	return NULL;
}

static char *prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	char *s = v ? strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

static void drop(xmlNodePtr n)
{
	if (n) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
}

/* The new file for the @idx-th cloned disk: the original's folder, the new name, its extension. */
static char *new_path(const char *src, const char *name, size_t idx, bool linked)
{
	const char *slash = strrchr(src, '/'), *dot = strrchr(slash ? slash : src, '.');
	char num[16] = "", *out;

	if (!slash)
		return NULL;
	if (linked)
		dot = ".qcow2";
	else if (!dot || strlen(dot) > 8 || dot == slash + 1)
		dot = ".img";
	if (idx)
		snprintf(num, sizeof(num), "-%zu", idx + 1);
	if (asprintf(&out, "%.*s/%s%s%s", (int)(slash - src), src, name, num, dot) < 0)
		return NULL;
	return out;
}

/* The disks to copy, with their new files, checked before anything is made. */
static int plan_disks(struct hv_conn *conn, xmlXPathContextPtr ctx, const char *src_name,
		      const struct hv_clone_opts *o, struct newdisk **out, size_t *n, char **cause)
{
	xmlXPathObjectPtr disks = hv_xp_nodes(ctx, NULL, "/domain/devices/disk");
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (int i = 0; disks && disks->nodesetval && i < disks->nodesetval->nodeNr && rc == 0; i++) {
		xmlNodePtr d = disks->nodesetval->nodeTab[i];
		char *type = prop(d, "type"), *device = prop(d, "device");
		char *file = prop(child(d, "source"), "file");
		char *fmt = prop(child(d, "driver"), "type");
		struct newdisk *nd;
		struct stat st;
		enum hv_place place;
		struct hv_disk probe = { .kind = HV_DISK_NEW_RAW };

		/* The source's own cloud-init seed would give the clone the source's identity. */
		if (file && child(d, "readonly") && is_seed_of(file, src_name)) {
			drop(d);
			goto next;
		}
		/* CD-ROMs, read-only and shared disks are the same for both guests. */
		if ((device && strcmp(device, "disk")) || child(d, "readonly") || child(d, "shareable"))
			goto next;
		if (!type || strcmp(type, "file") || !file) {
			rc = base_cause(cause, -ENOTSUP,
					_("The guest %s has a disk that is not an image file (a block device, a volume or a network disk); only guests whose disks are files can be cloned."),
					src_name);
			goto next;
		}
		if (stat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
			rc = base_cause(cause, -ENOENT, _("The disk image %s cannot be used: %s."), file,
					strerror(errno ? errno : EINVAL));
			goto next;
		}
		nd = realloc(*out, (*n + 1) * sizeof(**out));
		if (!nd) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto next;
		}
		*out = nd;
		nd = &nd[*n];
		memset(nd, 0, sizeof(*nd));
		nd->disk = d;
		nd->src = file;
		nd->format = fmt ? fmt : strdup("raw");
		nd->size = (uint64_t)st.st_size;
		nd->dst = new_path(file, o->name, *n, o->linked);
		file = fmt = NULL;
		(*n)++;
		if (!nd->format || !nd->dst) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto next;
		}
		probe.path = nd->dst;
		rc = hv_disk_place(conn, &probe, 0, &place, cause);
		if (rc == 0 && access(nd->dst, F_OK) == 0)
			rc = base_cause(cause, -EEXIST,
					_("The file %s already exists; choose another name for the clone."),
					nd->dst);
next:
		free(type);
		free(device);
		free(file);
		free(fmt);
	}
	xmlXPathFreeObject(disks);
	return rc;
}

static int make_linked(struct newdisk *nd, char **cause)
{
	const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", nd->format, "-b",
			       nd->src, nd->dst, NULL };
	int fd = open(nd->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc;

	/* The file is ours only once O_EXCL made it: qemu-img then writes into it. */
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not create the disk %s: %s."), nd->dst,
				  strerror(errno));
	close(fd);
	nd->made = true;
	rc = base_run(argv, -1, cause);
	return rc > 0 ? -EIO : rc;
}

static int make_full(struct newdisk *nd, struct copier *cp, char **cause)
{
	int sfd = open(nd->src, O_RDONLY | O_CLOEXEC), dfd, rc;
	struct stat st;

	if (sfd < 0)
		return base_cause(cause, -errno, _("The disk image %s cannot be used: %s."), nd->src,
				  strerror(errno));
	if (fstat(sfd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(sfd);
		return base_cause(cause, -EINVAL, _("The disk image %s is not a regular file."),
				  nd->src);
	}
	dfd = open(nd->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (dfd < 0) {
		rc = base_cause(cause, -errno, _("Could not create the disk %s: %s."), nd->dst,
				strerror(errno));
		close(sfd);
		return rc;
	}
	nd->made = true;
	rc = copy_fd(sfd, dfd, (uint64_t)st.st_size, cp, nd->dst, cause);
	close(sfd);
	if (close(dfd) < 0 && rc == 0)
		rc = base_cause(cause, -errno, _("Could not write the disk %s: %s."), nd->dst,
				strerror(errno));
	return rc;
}

/* @path with @old in its file name replaced by @name, or "NAME-" put before it (malloc'd). */
static char *renamed(const char *old, const char *name, const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	const char *at = strstr(base, old);
	char *out;

	if (at && *old) {
		if (asprintf(&out, "%.*s%s%s", (int)(at - path), path, name, at + strlen(old)) < 0)
			return NULL;
	} else if (asprintf(&out, "%.*s%s-%s", (int)(base - path), path, name, base) < 0) {
		return NULL;
	}
	return out;
}

/* The clone's identity: name, no UUID (libvirt gives one), new MACs, no fixed VNC port, not a template. */
static int new_identity(struct hv_conn *conn, xmlXPathContextPtr ctx, const char *old,
			const char *name)
{
	xmlXPathObjectPtr o;
	xmlNodePtr n;
	int rc = 0;

	o = hv_xp_nodes(ctx, NULL, "/domain/name");
	if (!o || !o->nodesetval || o->nodesetval->nodeNr != 1) {
		xmlXPathFreeObject(o);
		return -EINVAL;
	}
	xmlNodeSetContent(o->nodesetval->nodeTab[0], NULL);
	xmlNodeAddContent(o->nodesetval->nodeTab[0], BAD_CAST name);
	xmlXPathFreeObject(o);
	/* Per-guest things libvirt makes anew: the UUID, the firmware's variable store. */
	static const char *const gone[] = { "/domain/uuid", "/domain/os/nvram",
					    "/domain/metadata/o:guest/o:template",
					    "/domain/metadata/old:guest/old:template" };
	for (size_t k = 0; k < sizeof(gone) / sizeof(gone[0]); k++) {
		o = hv_xp_nodes(ctx, NULL, gone[k]);
		for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++)
			drop(o->nodesetval->nodeTab[i]);
		xmlXPathFreeObject(o);
	}
	o = hv_xp_nodes(ctx, NULL, "/domain/devices/interface/mac");
	for (int i = 0; rc == 0 && o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		char mac[18];

		hv_mac_generate(conn->xen, mac);
		rc = set_attr(o->nodesetval->nodeTab[i], "address", mac);
	}
	xmlXPathFreeObject(o);
	/* Log files of the serial port and console are per guest: the new name goes in theirs. */
	o = hv_xp_nodes(ctx, NULL, "/domain/devices/*[@type='file']/source/@path | "
			"/domain/devices/*/log/@file");
	for (int i = 0; rc == 0 && o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr a = o->nodesetval->nodeTab[i];
		xmlChar *v = xmlNodeGetContent(a);
		char *nv = v ? renamed(old, name, (const char *)v) : NULL;

		if (nv && !xmlSetProp(a->parent, a->name, BAD_CAST nv))
			rc = -ENOMEM;
		else if (!nv)
			rc = -ENOMEM;
		free(nv);
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	/* Two guests cannot listen on one port: the clone's display takes a free one. */
	o = hv_xp_nodes(ctx, NULL, "/domain/devices/graphics[@port]");
	for (int i = 0; rc == 0 && o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		n = o->nodesetval->nodeTab[i];
		xmlUnsetProp(n, BAD_CAST "port");
		rc = set_attr(n, "autoport", "yes");
	}
	xmlXPathFreeObject(o);
	return rc;
}

/*
 * Make the NoCloud seed NAME-seed.img beside the first new disk (@first) and attach it as a
 * read-only disk on the first free target; *@made is its path once the file exists.
 */
static int add_seed(struct hv_conn *conn, xmlXPathContextPtr ctx, const struct hv_clone_opts *o,
		    const char *first, char **made, char **cause)
{
	/*
	 * A read-only paravirtual disk rather than a CD-ROM: cloud kernels (Debian's among them) have
	 * virtio and Xen's block drivers built in or at hand, but not always an AHCI driver.
	 */
	const char *bus = conn->xen ? "xen" : "virtio";
	char *mac = hv_xp_str(ctx, NULL, "/domain/devices/interface[1]/mac/@address");
	char *path = NULL, target[16] = "";
	xmlXPathObjectPtr devs = hv_xp_nodes(ctx, NULL, "/domain/devices");
	xmlNodePtr dev = devs && devs->nodesetval && devs->nodesetval->nodeNr ?
			 devs->nodesetval->nodeTab[0] : NULL, disk, n;
	int rc = 0;

	*made = NULL;
	if (!first || !dev) {
		rc = base_cause(cause, -ENOTSUP,
				_("The guest %s has no disk image file beside which its seed could go."),
				o->source);
		goto out;
	}
	{
		const char *slash = strrchr(first, '/');

		if (slash && asprintf(&path, "%.*s/%s-seed.img", (int)(slash - first), first,
				      o->name) < 0)
			path = NULL;
	}
	for (unsigned idx = 0; path && idx < 26 && !*target; idx++) {
		char expr[96], *used;

		hv_disk_target(bus, idx, target, sizeof(target));
		snprintf(expr, sizeof(expr), "/domain/devices/disk/target[@dev='%s']/@dev", target);
		used = hv_xp_str(ctx, NULL, expr);
		if (used)
			target[0] = '\0';
		free(used);
	}
	if (!path || !*target) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = hv_seed_make(path, o->seed, mac, cause);
	if (rc < 0)
		goto out;
	*made = path;
	path = NULL;
	disk = xmlNewChild(dev, NULL, BAD_CAST "disk", NULL);
	if (!disk || set_attr(disk, "type", "file") < 0 || set_attr(disk, "device", "disk") < 0 ||
	    !(n = xmlNewChild(disk, NULL, BAD_CAST "source", NULL)) ||
	    set_attr(n, "file", *made) < 0 ||
	    !(n = xmlNewChild(disk, NULL, BAD_CAST "target", NULL)) ||
	    set_attr(n, "dev", target) < 0 || set_attr(n, "bus", bus) < 0 ||
	    !xmlNewChild(disk, NULL, BAD_CAST "readonly", NULL))
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
out:
	xmlXPathFreeObject(devs);
	free(mac);
	free(path);
	return rc;
}

static char *doc_xml(xmlDocPtr doc)
{
	xmlChar *mem = NULL;
	int len = 0;
	char *s;

	xmlDocDumpMemory(doc, &mem, &len);
	s = mem ? strdup((const char *)mem) : NULL;
	xmlFree(mem);
	return s;
}

int hv_clone(struct hv_conn *conn, const struct hv_clone_opts *o, hv_clone_cb cb, void *opaque,
	     char **cause)
{
	virDomainPtr dom = NULL, nd_dom = NULL;
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	struct newdisk *nd = NULL;
	size_t n = 0;
	struct copier cp = { .cb = cb, .opaque = opaque };
	char *xml = NULL, *out = NULL, *seed = NULL;
	int rc;

	if (!hv_name_valid(o->name))
		return base_cause(cause, -EINVAL,
				  _("The name %s cannot be a guest's name: use letters, digits, '-', '_' and '.', at most 64 characters."),
				  o->name);
	dom = virDomainLookupByName(conn->c, o->name);
	if (dom) {
		virDomainFree(dom);
		return base_cause(cause, -EEXIST, _("A guest named %s already exists."), o->name);
	}
	virResetLastError();
	rc = hv_lookup(conn, o->source, &dom, cause);
	if (rc < 0)
		return rc;
	if (virDomainIsActive(dom) != 0) {
		rc = base_cause(cause, -EBUSY,
				_("The guest %s is not shut off; shut it down before cloning it."),
				o->source);
		goto out;
	}
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	if (!xml && virGetLastErrorCode() == VIR_ERR_OPERATION_DENIED) {
		virResetLastError();
		xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	}
	doc = xml ? xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (!ctx || xmlXPathRegisterNs(ctx, BAD_CAST "o", BAD_CAST HV_XMLNS) < 0 ||
	    xmlXPathRegisterNs(ctx, BAD_CAST "old", BAD_CAST HV_XMLNS_OLD) < 0) {
		rc = base_cause(cause, xml ? -EINVAL : hv_lv_errno(),
				_("Could not read the guest %s: %s."), o->source,
				xml ? _("its definition is not valid XML") : hv_lv_msg());
		goto out;
	}
	rc = plan_disks(conn, ctx, o->source, o, &nd, &n, cause);
	if (rc < 0)
		goto out;
	if (new_identity(conn, ctx, o->source, o->name) < 0) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if (o->seed) {
		rc = add_seed(conn, ctx, o, n ? nd[0].dst : NULL, &seed, cause);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		cp.total += o->linked ? 0 : nd[i].size;
	for (size_t i = 0; i < n && rc == 0; i++) {
		xmlNodePtr src = child(nd[i].disk, "source"), drv = child(nd[i].disk, "driver");

		rc = o->linked ? make_linked(&nd[i], cause) : make_full(&nd[i], &cp, cause);
		if (rc == 0 && (set_attr(src, "file", nd[i].dst) < 0 ||
				(o->linked && !drv && !(drv = xmlNewChild(nd[i].disk, NULL,
									   BAD_CAST "driver", NULL))) ||
				(o->linked && (set_attr(drv, "name", "qemu") < 0 ||
					       set_attr(drv, "type", "qcow2") < 0))))
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		/* libvirt reads the chain from the overlay's header; an inactive one is stale. */
		drop(child(nd[i].disk, "backingStore"));
	}
	if (rc < 0)
		goto out;
	out = doc_xml(doc);
	if (!out) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	nd_dom = virDomainDefineXML(conn->c, out);
	if (!nd_dom) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not define the guest %s: %s."), o->name,
				hv_lv_msg());
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		hv_pool_refresh(conn, nd[i].dst);
out:
	for (size_t i = 0; i < n; i++) {
		/* Nothing half-made stays behind. */
		if (rc < 0 && nd[i].made)
			unlink(nd[i].dst);
		free(nd[i].src);
		free(nd[i].dst);
		free(nd[i].format);
	}
	free(nd);
	if (rc < 0 && seed)
		unlink(seed);
	else if (seed)
		hv_pool_refresh(conn, seed);
	free(seed);
	if (nd_dom)
		virDomainFree(nd_dom);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	free(out);
	if (dom)
		virDomainFree(dom);
	virResetLastError();
	return rc;
}
