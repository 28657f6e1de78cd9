/* Guests into .ospite archives and back: the manifest, reading disks as sparse streams, holding a running guest still, checking and restoring with nothing left behind on failure. */
#include "hv-int.h"
#include "hv-archive.h"
#include "hv-backup.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <libgen.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <linux/fs.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define MANIFEST "manifest.json"
#define DOMXML "domain.xml"
/* The manifest's data starts after its one header block (it is the first entry, never pax). */
#define BLK_SIZE 512

/* ---- progress ---------------------------------------------------------------- */

struct prog {
	hv_bk_progress_fn fn;
	void *opaque;
	uint64_t t0, last, done, total;
	unsigned passes;        /* the data is read this many times: the report counts it once */
	const char *disk;
	bool aborted;
};

static void prog_init(struct prog *p, hv_bk_progress_fn fn, void *opaque, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->opaque = opaque;
	p->t0 = p->last = (uint64_t)base_now_ms();
	p->total = total;
	p->passes = 1;
}

/* Add @n bytes; false when the caller asked to stop. */
static bool prog_add(struct prog *p, uint64_t n, bool force)
{
	uint64_t now = (uint64_t)base_now_ms();
	struct hv_bk_progress r;

	p->done += n;
	if (!p->fn || (!force && now - p->last < 200))
		return !p->aborted;
	p->last = now;
	memset(&r, 0, sizeof(r));
	r.disk = p->disk;
	r.done = p->done / p->passes;
	r.total = p->total / p->passes;
	r.elapsed_ms = now - p->t0;
	r.rate_bps = r.elapsed_ms ? r.done * 1000 / r.elapsed_ms : 0;
	r.eta_ms = r.rate_bps && r.total > r.done ? (r.total - r.done) * 1000 / r.rate_bps : 0;
	if (!p->fn(p->opaque, &r))
		p->aborted = true;
	return !p->aborted;
}

static int aborted(char **cause)
{
	return base_cause(cause, -ECANCELED, _("Stopped at the operator's request; nothing was left behind."));
}

/* ---- hashing ---------------------------------------------------------------- */

static void hex_of(EVP_MD_CTX *md, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	out[0] = '\0';
	if (!EVP_DigestFinal_ex(md, d, &n))
		return;
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	out[0] = '\0';
	if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) && EVP_DigestUpdate(md, data, len))
		hex_of(md, out);
	EVP_MD_CTX_free(md);
}

/* ---- a guest's disks ---------------------------------------------------------- */

struct bk_disk {
	char *target, *path, *format;
	char *overlay;          /* the snapshot file while the guest writes there */
	bool block;
	int fd;
	uint64_t size;          /* bytes of the file or device */
	uint64_t vsize;         /* what the guest sees */
	struct ar_region *map;
	size_t n_map;
	uint64_t data;
	char *map_text;
	char sha[65];
};

static void disks_free(struct bk_disk *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++) {
		free(d[i].target);
		free(d[i].path);
		free(d[i].format);
		free(d[i].overlay);
		free(d[i].map);
		free(d[i].map_text);
		if (d[i].fd >= 0)
			close(d[i].fd);
	}
	free(d);
}

/* The guest's writable disks (files and block devices): CD-ROMs and floppies stay out. */
static int read_disks(const char *xml, const char *name, struct bk_disk **out, size_t *n,
		      char **cause)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL, XML_PARSE_NONET);
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr set = NULL;
	struct bk_disk *d = NULL;
	size_t k = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!ctx) {
		rc = base_cause(cause, -EINVAL, _("The definition of %s cannot be read."), name);
		goto out;
	}
	set = hv_xp_nodes(ctx, NULL, "/domain/devices/disk[@device='disk' or not(@device)]");
	if (set && set->nodesetval && set->nodesetval->nodeNr > 0) {
		d = calloc((size_t)set->nodesetval->nodeNr, sizeof(*d));
		if (!d) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		for (int i = 0; i < set->nodesetval->nodeNr; i++) {
			xmlNodePtr node = set->nodesetval->nodeTab[i];
			char *type = hv_xp_str(ctx, node, "@type");
			bool block = type && !strcmp(type, "block");

			d[k].fd = -1;
			d[k].target = hv_xp_str(ctx, node, "target/@dev");
			d[k].path = hv_xp_str(ctx, node, block ? "source/@dev" : "source/@file");
			d[k].format = hv_xp_str(ctx, node, "driver/@type");
			d[k].block = block;
			k++;
			if (!type || (strcmp(type, "file") && !block)) {
				rc = base_cause(cause, -ENOTSUP,
						_("The disk %s of %s is not a file or a block device: ospite cannot back it up."),
						d[k - 1].target ? d[k - 1].target : "?", name);
				free(type);
				goto out;
			}
			free(type);
			if (!d[k - 1].target || !d[k - 1].path) {
				rc = base_cause(cause, -ENOTSUP,
						_("A disk of %s has no file: ospite cannot back it up."), name);
				goto out;
			}
			if (!d[k - 1].format && !(d[k - 1].format = strdup("raw"))) {
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
				goto out;
			}
			if (strcmp(d[k - 1].format, "raw") && strcmp(d[k - 1].format, "qcow2")) {
				rc = base_cause(cause, -ENOTSUP,
						_("The disk %s of %s is in the %s format: ospite backs up raw and qcow2 disks."),
						d[k - 1].target, name, d[k - 1].format);
				goto out;
			}
			/* Target names go into file names: only what libvirt itself accepts. */
			for (const char *c = d[k - 1].target; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))) {
					rc = base_cause(cause, -EINVAL, _("The disk %s of %s has a name ospite does not use."),
							d[k - 1].target, name);
					goto out;
				}
		}
	}
out:
	xmlXPathFreeObject(set);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	if (rc < 0) {
		disks_free(d, k);
		return rc;
	}
	*out = d;
	*n = k;
	return 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Open a disk, learn its size, what the guest sees of it, and its data regions. */
static int open_disk(struct bk_disk *d, const char *name, char **cause)
{
	struct stat st;
	off_t pos = 0;
	size_t cap = 0;

	d->fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (d->fd < 0 || fstat(d->fd, &st) < 0)
		return base_cause(cause, -errno, _("Could not read the disk %s of %s (%s): %s."),
				  d->target, name, d->path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &d->size) < 0)
			return base_cause(cause, -errno, _("Could not read the disk %s of %s (%s): %s."),
					  d->target, name, d->path, strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		d->size = (uint64_t)st.st_size;
	} else {
		return base_cause(cause, -EINVAL, _("The disk %s of %s (%s) is not a file or a block device."),
				  d->target, name, d->path);
	}
	d->vsize = d->size;
	if (!strcmp(d->format, "qcow2")) {
		unsigned char h[32];

		/* A qcow2 over a backing file is only half a disk: the other half is not in the archive. */
		if (pread(d->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "QFI\xfb", 4))
			return base_cause(cause, -EINVAL, _("The disk %s of %s (%s) is not a qcow2 image."),
					  d->target, name, d->path);
		if (be64(h + 8))
			return base_cause(cause, -ENOTSUP,
					  _("The disk %s of %s (%s) depends on a backing file: ospite backs up whole disks only."),
					  d->target, name, d->path);
		d->vsize = be64(h + 24);
	}
	/* The regions that hold data; where the file system cannot tell, all of it. */
	while (pos < (off_t)d->size) {
		off_t data = S_ISREG(st.st_mode) ? lseek(d->fd, pos, SEEK_DATA) : pos, hole;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			data = pos;
		hole = S_ISREG(st.st_mode) ? lseek(d->fd, data, SEEK_HOLE) : (off_t)d->size;
		if (hole < 0 || hole > (off_t)d->size)
			hole = (off_t)d->size;
		if (d->n_map == cap) {
			struct ar_region *m = realloc(d->map, (cap ? cap * 2 : 16) * sizeof(*m));

			if (!m)
				return base_cause(cause, -ENOMEM, _("Out of memory."));
			d->map = m;
			cap = cap ? cap * 2 : 16;
		}
		d->map[d->n_map].off = (uint64_t)data;
		d->map[d->n_map].len = (uint64_t)(hole - data);
		if (d->map[d->n_map].len) {
			d->data += d->map[d->n_map].len;
			d->n_map++;
		}
		pos = hole;
		if (hole == data)
			break;
	}
	/* A file that ends in a hole ends with an empty region, as GNU tar writes it: tar sets the size from it. */
	if (!d->n_map || d->map[d->n_map - 1].off + d->map[d->n_map - 1].len < d->size) {
		if (d->n_map == cap) {
			struct ar_region *m = realloc(d->map, (cap + 1) * sizeof(*m));

			if (!m)
				return base_cause(cause, -ENOMEM, _("Out of memory."));
			d->map = m;
		}
		d->map[d->n_map].off = d->size;
		d->map[d->n_map].len = 0;
		d->n_map++;
	}
	return 0;
}

/* The map text ar_w_sparse() writes, for the checksum pass that runs before it. */
static int map_text_of(struct bk_disk *d, char **cause)
{
	struct base_buf m = { 0 };

	base_buf_printf(&m, "%zu\n", d->n_map);
	for (size_t i = 0; i < d->n_map; i++)
		base_buf_printf(&m, "%" PRIu64 "\n%" PRIu64 "\n", d->map[i].off, d->map[i].len);
	if (m.oom)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	free(d->map_text);
	d->map_text = m.s;
	return 0;
}

/*
 * Read a disk's data regions in order: hashed (the map text first) and, with @w, written to the
 * archive. The checksum covers what the archive stores of the disk, so holes cost nothing.
 */
static int copy_disk(struct bk_disk *d, const char *name, struct ar_w *w, struct prog *p,
		     char sha[65], char **cause)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CHUNK);
	int rc = 0;

	p->disk = d->target;
	if (!md || !buf || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	EVP_DigestUpdate(md, d->map_text, strlen(d->map_text));
	for (size_t i = 0; i < d->n_map && rc == 0; i++) {
		uint64_t off = d->map[i].off, left = d->map[i].len;

		while (left) {
			size_t k = left < CHUNK ? (size_t)left : CHUNK;
			ssize_t got = pread(d->fd, buf, k, (off_t)off);

			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				rc = base_cause(cause, got < 0 ? -errno : -EIO,
						_("Could not read the disk %s of %s (%s): %s."), d->target,
						name, d->path, got < 0 ? strerror(errno) : _("it became shorter"));
				goto out;
			}
			EVP_DigestUpdate(md, buf, (size_t)got);
			if (w && (rc = ar_w_data(w, buf, (size_t)got, cause)) < 0)
				goto out;
			off += (uint64_t)got;
			left -= (uint64_t)got;
			if (!prog_add(p, (uint64_t)got, false)) {
				rc = aborted(cause);
				goto out;
			}
		}
	}
	hex_of(md, sha);
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

/* ---- holding a running guest still ---------------------------------------------------- */

/* A disk-only external snapshot: the disks stop changing, the guest writes to overlays. */
static int snapshot_begin(struct hv_conn *conn, virDomainPtr dom, const char *name,
			  struct bk_disk *d, size_t n, char **cause)
{
	struct base_buf x = { 0 };
	virDomainSnapshotPtr snap = NULL;
	unsigned flags = VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA |
			 VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC;
	char *live = virDomainGetXMLDesc(dom, 0);
	xmlDocPtr doc = live ? xmlReadMemory(live, (int)strlen(live), "live.xml", NULL, XML_PARSE_NONET) : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr all = ctx ? hv_xp_nodes(ctx, NULL, "/domain/devices/disk/target/@dev") : NULL;
	int rc = 0;

	(void)conn;
	if (!all || !all->nodesetval) {
		rc = base_cause(cause, -EIO, _("Could not read the running guest %s: %s."), name, hv_lv_msg());
		goto out;
	}
	base_buf_str(&x, "<domainsnapshot><disks>");
	for (int i = 0; i < all->nodesetval->nodeNr; i++) {
		xmlChar *t = xmlNodeGetContent(all->nodesetval->nodeTab[i]);
		bool ours = false;

		for (size_t k = 0; t && k < n; k++) {
			char *dir;

			if (strcmp(d[k].target, (const char *)t))
				continue;
			ours = true;
			dir = strdup(d[k].path);
			if (!dir || asprintf(&d[k].overlay, "%s/.%s-%s.ospite-backup-%ld.qcow2",
					     dirname(dir), name, d[k].target, (long)getpid()) < 0) {
				free(dir);
				xmlFree(t);
				d[k].overlay = NULL;
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
				goto out;
			}
			free(dir);
			base_buf_printf(&x, "<disk name='%s' snapshot='external'><driver type='qcow2'/>"
					"<source file='%s'/></disk>", d[k].target, d[k].overlay);
		}
		if (!ours && t)
			base_buf_printf(&x, "<disk name='%s' snapshot='no'/>", (const char *)t);
		xmlFree(t);
	}
	base_buf_str(&x, "</disks></domainsnapshot>");
	if (x.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	/* With the guest agent the guest's file systems are frozen for the moment; without, crash-consistent. */
	snap = virDomainSnapshotCreateXML(dom, x.s, flags | VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE);
	if (!snap) {
		virResetLastError();
		snap = virDomainSnapshotCreateXML(dom, x.s, flags);
	}
	if (!snap) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not hold the disks of %s still for the backup: %s."),
				name, hv_lv_msg());
		goto out;
	}
	virDomainSnapshotFree(snap);
out:
	free(x.s);
	xmlXPathFreeObject(all);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(live);
	return rc;
}

/* Merge each overlay back into its disk and switch the guest back to it. */
static int snapshot_end(virDomainPtr dom, const char *name, struct bk_disk *d, size_t n,
			char **cause)
{
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		virDomainBlockJobInfo info;
		bool ready = false;
		int r;

		if (!d[k].overlay)
			continue;
		if (virDomainBlockCommit(dom, d[k].target, NULL, NULL, 0,
					 VIR_DOMAIN_BLOCK_COMMIT_ACTIVE | VIR_DOMAIN_BLOCK_COMMIT_DELETE) < 0) {
			rc = base_cause(cause, hv_lv_errno(),
					_("Could not merge the changes of %s back into its disk %s: %s. The guest runs on %s."),
					name, d[k].target, hv_lv_msg(), d[k].overlay);
			continue;
		}
		/* An active commit never ends by itself: it is ready when the two sides are equal. */
		for (int i = 0; i < 6000 && !ready; i++) {
			r = virDomainGetBlockJobInfo(dom, d[k].target, &info, 0);
			if (r < 0)
				break;
			ready = r == 1 && info.end > 0 && info.cur == info.end;
			if (!ready)
				usleep(50000);
		}
		if (!ready || virDomainBlockJobAbort(dom, d[k].target, VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT) < 0) {
			rc = base_cause(cause, -EIO,
					_("Could not merge the changes of %s back into its disk %s: %s. The guest runs on %s."),
					name, d[k].target, ready ? hv_lv_msg() : _("the merge did not finish"),
					d[k].overlay);
			continue;
		}
		/* The pivot is synchronous; the job disappears once the switch is done. */
		for (int i = 0; i < 200 && virDomainGetBlockJobInfo(dom, d[k].target, &info, 0) == 1; i++)
			usleep(50000);
		unlink(d[k].overlay);
		free(d[k].overlay);
		d[k].overlay = NULL;
	}
	return rc;
}

/* ---- the manifest ---------------------------------------------------------------------- */

static const char *disk_ext(const char *format)
{
	return !strcmp(format, "qcow2") ? "qcow2" : "img";
}

static char *manifest_json(const char *name, const char *uuid, const char *hv_type,
			   const char *created, const char *host, const char *xml_sha,
			   enum hv_bk_hold hold, const struct bk_disk *d, size_t n)
{
	json_object *o = json_object_new_object(), *g = json_object_new_object();
	json_object *disks = json_object_new_array();
	char *s = NULL;

	json_object_object_add(o, "format", json_object_new_string("ospite-backup"));
	json_object_object_add(o, "version", json_object_new_int(HV_BK_FORMAT));
	json_object_object_add(o, "created", json_object_new_string(created));
	json_object_object_add(o, "host", json_object_new_string(host));
	json_object_object_add(o, "ospite_version", json_object_new_string(OSPITE_VERSION));
	json_object_object_add(g, "name", json_object_new_string(name));
	json_object_object_add(g, "uuid", json_object_new_string(uuid));
	json_object_object_add(g, "hypervisor", json_object_new_string(hv_type));
	json_object_object_add(g, "state", json_object_new_string(hold == HV_BK_OFF ? "shutoff" :
		hold == HV_BK_SNAPSHOT ? "running-snapshot" : "running-paused"));
	json_object_object_add(o, "guest", g);
	json_object_object_add(o, "domain_xml", json_object_new_string(DOMXML));
	json_object_object_add(o, "domain_xml_sha256", json_object_new_string(xml_sha));
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		char file[64];

		snprintf(file, sizeof(file), "disks/%s.%s", d[i].target, disk_ext(d[i].format));
		json_object_object_add(e, "target", json_object_new_string(d[i].target));
		json_object_object_add(e, "file", json_object_new_string(file));
		json_object_object_add(e, "source", json_object_new_string(d[i].path));
		json_object_object_add(e, "format", json_object_new_string(d[i].format));
		json_object_object_add(e, "virtual_size", json_object_new_int64((int64_t)d[i].vsize));
		json_object_object_add(e, "file_size", json_object_new_int64((int64_t)d[i].size));
		json_object_object_add(e, "data_size", json_object_new_int64((int64_t)d[i].data));
		json_object_object_add(e, "sha256", json_object_new_string(d[i].sha));
		json_object_array_add(disks, e);
	}
	json_object_object_add(o, "disks", disks);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* ---- backing up ------------------------------------------------------------------------- */

static int guest_state(virDomainPtr dom, int *state)
{
	int reason;

	return virDomainGetState(dom, state, &reason, 0);
}

int hv_backup_plan(struct hv_conn *conn, const char *name, struct hv_bk_plan *plan, char **cause)
{
	virDomainPtr dom = NULL;
	struct bk_disk *d = NULL;
	size_t n = 0;
	char *xml = NULL;
	int st = 0, rc = hv_lookup(conn, name, &dom, cause);

	memset(plan, 0, sizeof(*plan));
	if (rc < 0)
		return rc;
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!xml || guest_state(dom, &st) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not read the guest %s: %s."), name, hv_lv_msg());
		goto out;
	}
	if ((rc = read_disks(xml, name, &d, &n, cause)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((rc = open_disk(&d[i], name, cause)) < 0)
			goto out;
		plan->data += d[i].data;
	}
	plan->n_disks = (unsigned)n;
	plan->hold = st == VIR_DOMAIN_SHUTOFF || st == VIR_DOMAIN_CRASHED ? HV_BK_OFF :
		     conn->xen ? HV_BK_PAUSE : HV_BK_SNAPSHOT;
out:
	disks_free(d, n);
	free(xml);
	virDomainFree(dom);
	return rc;
}

/* An unnamed file in @dir that becomes @final only by bk_publish(): a crash leaves nothing. */
static int open_unnamed(const char *dir, const char *final, char **cause)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		base_cause(cause, -errno, _("Could not write in %s: %s."), dir, strerror(errno));
	(void)final;
	return fd < 0 ? -errno : fd;
}

static int publish(int fd, const char *final, char **cause)
{
	char proc[64];

	if (fdatasync(fd) < 0)
		return base_cause(cause, -errno, _("Could not write %s: %s."), final, strerror(errno));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	/* A link never replaces a file: a name taken meanwhile is refused, not overwritten. */
	if (linkat(AT_FDCWD, proc, AT_FDCWD, final, AT_SYMLINK_FOLLOW) < 0)
		return base_cause(cause, -errno, errno == EEXIST ? _("%s already exists; it was left as it is.") :
				  _("Could not write %s: %s."), final, strerror(errno));
	return 0;
}

int hv_backup(struct hv_conn *conn, const char *name, const char *dir,
	      const struct hv_bk_opts *o, struct hv_bk_result *res, char **cause)
{
	virDomainPtr dom = NULL;
	struct bk_disk *d = NULL;
	struct ar_w *w = NULL;
	struct prog p;
	size_t n = 0;
	char *xml = NULL, *manifest = NULL, uuid[VIR_UUID_STRING_BUFLEN] = "", created[40], stamp[20];
	char host[256] = "", xml_sha[65];
	uint64_t total = 0, t0 = (uint64_t)base_now_ms(), held_at = 0;
	time_t now = time(NULL);
	struct tm tm;
	bool held = false, two_pass;
	int st = 0, fd = -1, rc;

	memset(res, 0, sizeof(*res));
	if ((rc = hv_lookup(conn, name, &dom, cause)) < 0)
		return rc;
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!xml || guest_state(dom, &st) < 0 || virDomainGetUUIDString(dom, uuid) < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not read the guest %s: %s."), name, hv_lv_msg());
		goto out;
	}
	if ((rc = read_disks(xml, name, &d, &n, cause)) < 0)
		goto out;
	localtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%S%z", &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	gethostname(host, sizeof(host) - 1);
	if (snprintf(res->path, sizeof(res->path), "%s/%s-%s" HV_BK_EXT, dir, name, stamp) >=
	    (int)sizeof(res->path)) {
		rc = base_cause(cause, -ENAMETOOLONG, _("The folder name %s is too long."), dir);
		goto out;
	}
	if (access(res->path, F_OK) == 0) {
		rc = base_cause(cause, -EEXIST, _("%s already exists; it was left as it is."), res->path);
		goto out;
	}
	if ((fd = open_unnamed(dir, res->path, cause)) < 0) {
		rc = fd;
		goto out;
	}

	res->hold = st == VIR_DOMAIN_SHUTOFF || st == VIR_DOMAIN_CRASHED ? HV_BK_OFF :
		    conn->xen ? HV_BK_PAUSE : HV_BK_SNAPSHOT;
	/* The point of consistency: from here the disks do not change until the copy is done. */
	if (res->hold == HV_BK_SNAPSHOT) {
		if ((rc = snapshot_begin(conn, dom, name, d, n, cause)) < 0)
			goto out;
		held = true;
	} else if (res->hold == HV_BK_PAUSE) {
		if (st != VIR_DOMAIN_PAUSED && virDomainSuspend(dom) < 0) {
			rc = base_cause(cause, hv_lv_errno(), _("Could not pause %s for the backup: %s."),
					name, hv_lv_msg());
			goto out;
		}
		held = st != VIR_DOMAIN_PAUSED;
	}
	held_at = (uint64_t)base_now_ms();
	for (size_t i = 0; i < n; i++) {
		if ((rc = open_disk(&d[i], name, cause)) < 0 || (rc = map_text_of(&d[i], cause)) < 0)
			goto out;
		total += d[i].data;
	}
	/*
	 * The manifest comes first and holds every checksum. Written plainly, it goes in with
	 * placeholder sums of the same length and is rewritten in place once the disks are read
	 * (the file has no name yet): one pass. Through zstd nothing can be rewritten: one pass to
	 * sum, one to write, and the two must agree.
	 */
	two_pass = o && o->zstd;
	prog_init(&p, o ? o->progress : NULL, o ? o->opaque : NULL, two_pass ? 2 * total : total);
	p.passes = two_pass ? 2 : 1;
	for (size_t i = 0; i < n; i++) {
		if (two_pass && (rc = copy_disk(&d[i], name, NULL, &p, d[i].sha, cause)) < 0)
			goto out;
		if (!two_pass)
			memset(d[i].sha, '0', 64), d[i].sha[64] = '\0';
	}
	sha256_hex(xml, strlen(xml), xml_sha);
	manifest = manifest_json(name, uuid, conn->virt_type, created, host, xml_sha, res->hold, d, n);
	if (!manifest) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if ((rc = ar_w_open(fd, o && o->zstd, o ? o->zstd_level : 0, &w, cause)) < 0 ||
	    (rc = ar_w_file(w, MANIFEST, manifest, strlen(manifest), (long long)now, 0644, cause)) < 0 ||
	    (rc = ar_w_file(w, DOMXML, xml, strlen(xml), (long long)now, 0644, cause)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char file[64], *text = NULL, sha[65];

		snprintf(file, sizeof(file), "disks/%s.%s", d[i].target, disk_ext(d[i].format));
		if ((rc = ar_w_sparse(w, file, d[i].size, d[i].map, d[i].n_map, (long long)now, &text,
				      cause)) < 0)
			goto out;
		free(text);
		if ((rc = copy_disk(&d[i], name, w, &p, sha, cause)) < 0 || (rc = ar_w_end(w, cause)) < 0)
			goto out;
		if (!two_pass) {
			memcpy(d[i].sha, sha, sizeof(sha));
		} else if (strcmp(sha, d[i].sha)) {
			/* What was written must be what was summed: a disk that changed meanwhile is no backup. */
			rc = base_cause(cause, -EIO, _("The disk %s of %s changed while it was copied; the backup was dropped."),
					d[i].target, name);
			goto out;
		}
	}
	if (!two_pass) {
		char *final = manifest_json(name, uuid, conn->virt_type, created, host, xml_sha, res->hold, d, n);
		size_t len = final ? strlen(final) : 0;

		/* The same length by construction: only the 64 hex digits of each sum changed. */
		if (!final || len != strlen(manifest) ||
		    pwrite(fd, final, len, BLK_SIZE) != (ssize_t)len) {
			rc = base_cause(cause, final && len == strlen(manifest) ? -errno : -EIO,
					_("Could not write the archive: %s."),
					final && len == strlen(manifest) ? strerror(errno) : _("its manifest changed size"));
			free(final);
			goto out;
		}
		free(final);
	}
	rc = ar_w_close(w, cause);
	w = NULL;
	if (rc < 0)
		goto out;
	p.disk = NULL;
	prog_add(&p, 0, true);
	res->archive_bytes = (uint64_t)lseek(fd, 0, SEEK_END);
	res->data = total;
	if ((rc = publish(fd, res->path, cause)) < 0)
		goto out;
out:
	if (held) {
		char *c2 = NULL;
		int r2 = 0;

		res->held_ms = (uint64_t)base_now_ms() - held_at;
		if (res->hold == HV_BK_SNAPSHOT)
			r2 = snapshot_end(dom, name, d, n, &c2);
		else if (virDomainResume(dom) < 0)
			r2 = base_cause(&c2, hv_lv_errno(), _("Could not resume %s after the backup: %s."),
					name, hv_lv_msg());
		/* The guest's own trouble outranks the archive's: it is said first. */
		if (r2 < 0) {
			if (rc == 0 && rc != -EEXIST)
				unlink(res->path);
			if (cause) {
				free(*cause);
				*cause = c2;
				c2 = NULL;
			}
			rc = r2;
		}
		free(c2);
	}
	ar_w_free(w);
	if (fd >= 0)
		close(fd);
	disks_free(d, n);
	free(manifest);
	free(xml);
	virDomainFree(dom);
	res->total_ms = (uint64_t)base_now_ms() - t0;
	return rc;
}

/* ---- reading an archive ----------------------------------------------------------------- */

struct rs_disk {
	char *target, *file, *source, *format, sha[65];
	uint64_t vsize, fsize, data;
};

struct manifest {
	unsigned version;
	char *name, *uuid, *hv, *created, *host, xml_sha[65];
	struct rs_disk *disks;
	size_t n;
};

static void manifest_clear(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->disks[i].target);
		free(m->disks[i].file);
		free(m->disks[i].source);
		free(m->disks[i].format);
	}
	free(m->disks);
	free(m->name);
	free(m->uuid);
	free(m->hv);
	free(m->created);
	free(m->host);
	memset(m, 0, sizeof(*m));
}

static char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

static bool ju64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return false;
	*out = (uint64_t)json_object_get_int64(v);
	return true;
}

static bool sha_ok(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int parse_manifest(const char *path, const char *text, struct manifest *m, char **cause)
{
	json_object *o = json_tokener_parse(text), *g = NULL, *disks = NULL, *v;
	char *s = NULL;
	uint64_t ver = 0;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!o || !json_object_is_type(o, json_type_object) || !(s = jstr(o, "format")) ||
	    strcmp(s, "ospite-backup") || !ju64(o, "version", &ver)) {
		rc = base_cause(cause, -EBADMSG, _("%s is not an ospite backup: its manifest cannot be read."), path);
		goto out;
	}
	if (ver > HV_BK_FORMAT) {
		rc = base_cause(cause, -EPROTONOSUPPORT,
				_("%s was written in backup format %" PRIu64 " by a newer ospite; this one reads format %d and older."),
				path, ver, HV_BK_FORMAT);
		goto out;
	}
	m->version = (unsigned)ver;
	free(s);
	s = jstr(o, "domain_xml_sha256");
	if (!json_object_object_get_ex(o, "guest", &g) || !(m->name = jstr(g, "name")) ||
	    !hv_name_valid(m->name) || !(m->uuid = jstr(g, "uuid")) || !(m->hv = jstr(g, "hypervisor")) ||
	    !sha_ok(s) || !json_object_object_get_ex(o, "disks", &disks) ||
	    !json_object_is_type(disks, json_type_array)) {
		rc = base_cause(cause, -EBADMSG, _("The manifest of %s is damaged."), path);
		goto out;
	}
	snprintf(m->xml_sha, sizeof(m->xml_sha), "%s", s);
	m->created = jstr(o, "created");
	m->host = jstr(o, "host");
	m->n = json_object_array_length(disks);
	m->disks = calloc(m->n ? m->n : 1, sizeof(*m->disks));
	if (!m->disks) {
		m->n = 0;
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct rs_disk *d = &m->disks[i];
		char *sha;
		bool ok;

		v = json_object_array_get_idx(disks, i);
		d->target = jstr(v, "target");
		d->file = jstr(v, "file");
		d->source = jstr(v, "source");
		d->format = jstr(v, "format");
		sha = jstr(v, "sha256");
		ok = d->target && d->file && d->source && d->format && sha_ok(sha) &&
		     ju64(v, "virtual_size", &d->vsize) && ju64(v, "file_size", &d->fsize) &&
		     ju64(v, "data_size", &d->data) &&
		     (!strcmp(d->format, "raw") || !strcmp(d->format, "qcow2"));
		for (const char *c = d->target ? d->target : ""; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
		if (ok)
			snprintf(d->sha, sizeof(d->sha), "%s", sha);
		free(sha);
		if (!ok) {
			rc = base_cause(cause, -EBADMSG, _("The manifest of %s is damaged."), path);
			goto out;
		}
	}
out:
	free(s);
	json_object_put(o);
	if (rc < 0)
		manifest_clear(m);
	return rc;
}

/* Read a small entry whole; @what names it in errors. */
static int read_small(struct ar_r *r, const char *path, const char *want, char **text, char **cause)
{
	struct ar_entry e;
	int rc = ar_r_next(r, &e, cause);

	*text = NULL;
	if (rc == 0)
		return base_cause(cause, -EIO, _("%s ends before its %s: it is truncated."), path, want);
	if (rc < 0)
		return rc;
	if (strcmp(e.name, want) || e.sparse || e.size > (16u << 20)) {
		rc = base_cause(cause, -EBADMSG, _("%s is not an ospite backup: %s is not where it belongs."),
				path, want);
		goto out;
	}
	*text = malloc((size_t)e.size + 1);
	if (!*text) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if ((rc = ar_r_read(r, *text, (size_t)e.size, cause)) < 0) {
		free(*text);
		*text = NULL;
		goto out;
	}
	(*text)[e.size] = '\0';
	if (strlen(*text) != e.size) {
		free(*text);
		*text = NULL;
		rc = base_cause(cause, -EBADMSG, _("%s is not an ospite backup: %s is not text."), path, want);
	}
out:
	ar_entry_clear(&e);
	return rc;
}

/* Open an archive and read its manifest and domain XML, checked. */
static int open_archive(const char *path, int *fd, struct ar_r **r, struct manifest *m, char **xml,
			char **cause)
{
	char *text = NULL, sha[65];
	int rc;

	*r = NULL;
	*xml = NULL;
	memset(m, 0, sizeof(*m));
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (*fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	if ((rc = ar_r_open(*fd, r, cause)) < 0)
		return rc;
	if ((rc = read_small(*r, path, MANIFEST, &text, cause)) < 0)
		return rc;
	rc = parse_manifest(path, text, m, cause);
	free(text);
	if (rc < 0)
		return rc;
	if ((rc = read_small(*r, path, DOMXML, xml, cause)) < 0)
		return rc;
	sha256_hex(*xml, strlen(*xml), sha);
	if (strcmp(sha, m->xml_sha))
		return base_cause(cause, -EBADMSG, _("The guest definition in %s is damaged: its checksum does not match."),
				  path);
	return 0;
}

/* The next disk of the archive: its entry, checked against the manifest. */
static int next_disk(struct ar_r *r, const char *path, const struct rs_disk *d, struct ar_entry *e,
		     char **cause)
{
	int rc = ar_r_next(r, e, cause);

	if (rc == 0)
		return base_cause(cause, -EIO, _("%s ends before the disk %s: it is truncated."), path, d->target);
	if (rc < 0)
		return rc;
	if (strcmp(e->name, d->file) || !e->sparse || e->realsize != d->fsize || e->size != d->data) {
		ar_entry_clear(e);
		return base_cause(cause, -EBADMSG, _("The disk %s in %s is damaged: it is not what the manifest says."),
				  d->target, path);
	}
	return 0;
}

/* Read a disk's data from the archive, hashed, written to @out_fd (or only checked when < 0). */
static int read_disk(struct ar_r *r, const char *path, const struct rs_disk *d,
		     const struct ar_entry *e, int out_fd, const char *out_path, struct prog *p,
		     char **cause)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CHUNK);
	char sha[65];
	int rc = 0;

	p->disk = d->target;
	if (!md || !buf || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	EVP_DigestUpdate(md, e->map_text, strlen(e->map_text));
	for (size_t i = 0; i < e->n_map; i++) {
		uint64_t off = e->map[i].off, left = e->map[i].len;

		while (left) {
			size_t k = left < CHUNK ? (size_t)left : CHUNK;

			if ((rc = ar_r_read(r, buf, k, cause)) < 0) {
				if (rc == -EIO)
					base_cause(cause, -EIO, _("%s ends inside the disk %s: it is truncated."),
						   path, d->target);
				goto out;
			}
			EVP_DigestUpdate(md, buf, k);
			for (size_t done = 0; out_fd >= 0 && done < k;) {
				ssize_t wr = pwrite(out_fd, buf + done, k - done, (off_t)(off + done));

				if (wr < 0 && errno == EINTR)
					continue;
				if (wr <= 0) {
					rc = base_cause(cause, wr < 0 ? -errno : -EIO, errno == ENOSPC ?
							_("%s is full: the disk %s does not fit; nothing was restored.") :
							_("Could not write %s: %s."), out_path,
							errno == ENOSPC ? d->target : strerror(errno));
					goto out;
				}
				done += (size_t)wr;
			}
			off += k;
			left -= k;
			if (!prog_add(p, k, false)) {
				rc = aborted(cause);
				goto out;
			}
		}
	}
	hex_of(md, sha);
	if (strcmp(sha, d->sha)) {
		rc = base_cause(cause, -EBADMSG, _("The disk %s in %s is damaged: its checksum does not match."),
				d->target, path);
		goto out;
	}
	if (out_fd >= 0 && ftruncate(out_fd, (off_t)e->realsize) < 0)
		rc = base_cause(cause, -errno, errno == EFBIG || errno == ENOSPC ?
				_("%s is full: the disk %s does not fit; nothing was restored.") :
				_("Could not write %s: %s."), out_path, errno == EFBIG || errno == ENOSPC ?
				d->target : strerror(errno));
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

static void fill_info(const struct manifest *m, struct hv_bk_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = m->version;
	snprintf(info->name, sizeof(info->name), "%s", m->name);
	snprintf(info->uuid, sizeof(info->uuid), "%s", m->uuid);
	snprintf(info->hypervisor, sizeof(info->hypervisor), "%s", m->hv);
	snprintf(info->created, sizeof(info->created), "%s", m->created ? m->created : "");
	snprintf(info->host, sizeof(info->host), "%s", m->host ? m->host : "");
	info->n_disks = (unsigned)m->n;
	for (size_t i = 0; i < m->n; i++) {
		info->data += m->disks[i].data;
		info->virtual_size += m->disks[i].vsize;
	}
}

/* After the last disk: the end of the archive and nothing else. */
static int expect_end(struct ar_r *r, const char *path, char **cause)
{
	struct ar_entry e;
	int rc = ar_r_next(r, &e, cause);

	if (rc > 0) {
		ar_entry_clear(&e);
		return base_cause(cause, -EBADMSG, _("%s holds more than its manifest lists."), path);
	}
	return rc;
}

int hv_backup_verify(const char *path, hv_bk_progress_fn progress, void *opaque,
		     struct hv_bk_info *info, char **cause)
{
	struct manifest m;
	struct ar_r *r = NULL;
	struct prog p;
	char *xml = NULL;
	int fd = -1, rc;

	if (info)
		memset(info, 0, sizeof(*info));
	rc = open_archive(path, &fd, &r, &m, &xml, cause);
	if (rc < 0)
		goto out;
	if (info)
		fill_info(&m, info);
	prog_init(&p, progress, opaque, 0);
	for (size_t i = 0; i < m.n; i++)
		p.total += m.disks[i].data;
	for (size_t i = 0; i < m.n && rc == 0; i++) {
		struct ar_entry e;

		if ((rc = next_disk(r, path, &m.disks[i], &e, cause)) < 0)
			break;
		rc = read_disk(r, path, &m.disks[i], &e, -1, NULL, &p, cause);
		ar_entry_clear(&e);
	}
	if (rc == 0)
		rc = expect_end(r, path, cause);
	if (rc == 0) {
		p.disk = NULL;
		prog_add(&p, 0, true);
	}
out:
	ar_r_free(r);
	if (fd >= 0)
		close(fd);
	manifest_clear(&m);
	free(xml);
	return rc;
}

/* ---- restoring ------------------------------------------------------------------------- */

/* The folder of pool @name: an active pool of files. */
static int pool_dir(struct hv_conn *conn, const char *name, char **dir, char **cause)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn->c, name);
	char *xml = NULL, *type = NULL;
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	int rc = 0;

	*dir = NULL;
	if (!pool)
		return base_cause(cause, -ENOENT, _("There is no storage pool named %s."), name);
	xml = virStoragePoolGetXMLDesc(pool, 0);
	doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "pool.xml", NULL, XML_PARSE_NONET) : NULL;
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (ctx) {
		type = hv_xp_str(ctx, NULL, "/pool/@type");
		*dir = hv_xp_str(ctx, NULL, "/pool/target/path");
	}
	if (!type || !*dir || (strcmp(type, "dir") && strcmp(type, "fs") && strcmp(type, "netfs"))) {
		rc = base_cause(cause, -ENOTSUP, _("The storage pool %s does not hold files: choose a pool that is a folder."),
				name);
	} else if (virStoragePoolIsActive(pool) != 1) {
		rc = base_cause(cause, -ENOTSUP, _("The storage pool %s is not active."), name);
	}
	if (rc < 0) {
		free(*dir);
		*dir = NULL;
	}
	free(type);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	virStoragePoolFree(pool);
	return rc;
}

/* The restored definition: new name, and unless kept a new UUID and new MACs; disks at @paths. */
static int restored_xml(struct hv_conn *conn, const char *xml, const char *name, bool new_identity,
			const struct manifest *m, char **paths, char **out, char **cause)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL, XML_PARSE_NONET);
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr set = NULL;
	xmlChar *buf = NULL;
	int len = 0, rc = 0;

	*out = NULL;
	if (!ctx) {
		rc = base_cause(cause, -EBADMSG, _("The guest definition in the archive cannot be read."));
		goto out;
	}
	set = hv_xp_nodes(ctx, NULL, "/domain/name");
	if (!set || !set->nodesetval || set->nodesetval->nodeNr != 1) {
		rc = base_cause(cause, -EBADMSG, _("The guest definition in the archive cannot be read."));
		goto out;
	}
	xmlNodeSetContent(set->nodesetval->nodeTab[0], BAD_CAST name);
	xmlXPathFreeObject(set);
	if (new_identity) {
		set = hv_xp_nodes(ctx, NULL, "/domain/uuid");
		for (int i = 0; set && set->nodesetval && i < set->nodesetval->nodeNr; i++) {
			xmlUnlinkNode(set->nodesetval->nodeTab[i]);
			xmlFreeNode(set->nodesetval->nodeTab[i]);
			set->nodesetval->nodeTab[i] = NULL;
		}
		xmlXPathFreeObject(set);
		set = hv_xp_nodes(ctx, NULL, "/domain/devices/interface/mac");
		for (int i = 0; set && set->nodesetval && i < set->nodesetval->nodeNr; i++) {
			char mac[18];

			hv_mac_generate(conn->xen, mac);
			xmlSetProp(set->nodesetval->nodeTab[i], BAD_CAST "address", BAD_CAST mac);
		}
		xmlXPathFreeObject(set);
	}
	for (size_t k = 0; k < m->n; k++) {
		char expr[160];

		snprintf(expr, sizeof(expr), "/domain/devices/disk[target/@dev='%s']/source", m->disks[k].target);
		set = hv_xp_nodes(ctx, NULL, expr);
		if (!set || !set->nodesetval || set->nodesetval->nodeNr != 1) {
			xmlXPathFreeObject(set);
			set = NULL;
			rc = base_cause(cause, -EBADMSG, _("The guest definition in the archive has no disk %s."),
					m->disks[k].target);
			goto out;
		}
		/* A block device comes back as a file in the pool. */
		xmlSetProp(set->nodesetval->nodeTab[0]->parent, BAD_CAST "type", BAD_CAST "file");
		xmlUnsetProp(set->nodesetval->nodeTab[0], BAD_CAST "dev");
		xmlSetProp(set->nodesetval->nodeTab[0], BAD_CAST "file", BAD_CAST paths[k]);
		xmlXPathFreeObject(set);
		set = NULL;
	}
	xmlDocDumpMemory(doc, &buf, &len);
	if (!buf || !(*out = strndup((const char *)buf, (size_t)len)))
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
out:
	xmlFree(buf);
	xmlXPathFreeObject(set);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rc;
}

int hv_restore(struct hv_conn *conn, const char *path, const struct hv_rs_opts *o,
	       struct hv_rs_result *res, char **cause)
{
	struct manifest m;
	struct ar_r *r = NULL;
	struct prog p;
	struct statvfs sv;
	char *xml = NULL, *newxml = NULL, *dir = NULL, *pool = NULL, **paths = NULL;
	int *fds = NULL, fd = -1, rc;
	size_t linked = 0;
	uint64_t t0 = (uint64_t)base_now_ms(), need = 0;
	virDomainPtr dom = NULL;
	bool same_name;

	memset(res, 0, sizeof(*res));
	rc = open_archive(path, &fd, &r, &m, &xml, cause);
	if (rc < 0) {
		res->refused = rc == -EPROTONOSUPPORT;
		goto out;
	}
	snprintf(res->name, sizeof(res->name), "%s", o->name ? o->name : m.name);
	same_name = !strcmp(res->name, m.name);
	res->refused = true;
	if (!hv_name_valid(res->name)) {
		rc = base_cause(cause, -EINVAL, _("%s is not a valid guest name."), res->name);
		goto out;
	}
	if ((dom = virDomainLookupByName(conn->c, res->name))) {
		rc = base_cause(cause, -EEXIST, _("A guest named %s already exists; restore under another name (--name)."),
				res->name);
		goto out;
	}
	virResetLastError();
	if (same_name || o->keep_identity) {
		if ((dom = virDomainLookupByUUIDString(conn->c, m.uuid))) {
			rc = base_cause(cause, -EEXIST, _("The guest %s has the UUID of the archive's guest; restore under a new name."),
					virDomainGetName(dom));
			goto out;
		}
		virResetLastError();
	}
	/* The pool: the one named, else the one that holds the first disk's folder. */
	if (o->pool) {
		pool = strdup(o->pool);
	} else if (m.n) {
		char *src = strdup(m.disks[0].source);

		if (src)
			hv_path_pool(conn, src, false, &pool, NULL);
		free(src);
		if (!pool) {
			rc = base_cause(cause, -ENOENT, _("No storage pool here holds the folder of %s: choose one with --pool."),
					m.disks[0].source);
			goto out;
		}
	}
	if (m.n && (!pool || (rc = pool_dir(conn, pool, &dir, cause)) < 0)) {
		if (!pool)
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	paths = calloc(m.n + 1, sizeof(*paths));
	fds = malloc((m.n + 1) * sizeof(*fds));
	if (!paths || !fds) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	for (size_t i = 0; i <= m.n; i++)
		fds[i] = -1;
	for (size_t i = 0; i < m.n; i++) {
		const char *base = strrchr(m.disks[i].source, '/');

		base = base ? base + 1 : m.disks[i].source;
		/* The original file name under the same name (a move to another host); else NAME-vda.img. */
		if ((same_name && *base && *base != '.' ?
		     asprintf(&paths[i], "%s/%s", dir, base) :
		     asprintf(&paths[i], "%s/%s-%s.%s", dir, res->name, m.disks[i].target,
			      disk_ext(m.disks[i].format))) < 0) {
			paths[i] = NULL;
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(paths[k], paths[i])) {
				rc = base_cause(cause, -EEXIST, _("Two disks of the archive would both be %s."), paths[i]);
				goto out;
			}
		if (access(paths[i], F_OK) == 0 || errno != ENOENT) {
			rc = base_cause(cause, -EEXIST, _("%s already exists; nothing was restored."), paths[i]);
			goto out;
		}
		need += m.disks[i].data;
	}
	if (m.n && statvfs(dir, &sv) == 0 && (uint64_t)sv.f_bavail * sv.f_frsize < need) {
		char a[32], b[32];

		snprintf(a, sizeof(a), "%.1f MiB", need / 1048576.0);
		snprintf(b, sizeof(b), "%.1f MiB", (double)sv.f_bavail * sv.f_frsize / 1048576.0);
		base_decimal(a);
		base_decimal(b);
		rc = base_cause(cause, -ENOSPC, _("The pool %s has %s free; the disks need %s. Nothing was restored."),
				pool, b, a);
		goto out;
	}
	res->refused = false;

	/* Each disk into an unnamed file: it gets its name only once every disk is whole and right. */
	prog_init(&p, o->progress, o->opaque, need);
	for (size_t i = 0; i < m.n; i++) {
		struct ar_entry e;

		if ((fds[i] = open_unnamed(dir, paths[i], cause)) < 0) {
			rc = fds[i];
			goto out;
		}
		if ((rc = next_disk(r, path, &m.disks[i], &e, cause)) < 0)
			goto out;
		rc = read_disk(r, path, &m.disks[i], &e, fds[i], dir, &p, cause);
		ar_entry_clear(&e);
		if (rc < 0)
			goto out;
	}
	if ((rc = expect_end(r, path, cause)) < 0)
		goto out;
	if ((rc = restored_xml(conn, xml, res->name, !same_name && !o->keep_identity, &m, paths, &newxml,
			       cause)) < 0)
		goto out;
	for (; linked < m.n; linked++)
		if ((rc = publish(fds[linked], paths[linked], cause)) < 0)
			goto out;
	dom = virDomainDefineXML(conn->c, newxml);
	if (!dom) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not define %s: %s. Nothing was restored."),
				res->name, hv_lv_msg());
		goto out;
	}
	res->data = need;
	p.disk = NULL;
	prog_add(&p, 0, true);
	if (m.n)
		hv_pool_refresh(conn, paths[0]);
out:
	if (rc < 0)
		for (size_t i = 0; i < linked; i++)
			unlink(paths[i]);
	for (size_t i = 0; paths && i < m.n; i++) {
		if (fds && fds[i] >= 0)
			close(fds[i]);
		free(paths[i]);
	}
	free(paths);
	free(fds);
	if (dom)
		virDomainFree(dom);
	ar_r_free(r);
	if (fd >= 0)
		close(fd);
	manifest_clear(&m);
	free(xml);
	free(newxml);
	free(dir);
	free(pool);
	res->total_ms = (uint64_t)base_now_ms() - t0;
	return rc;
}
