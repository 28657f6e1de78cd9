/* Editing a defined guest: a copy of its model is changed row by row, the changes are listed (at once or at the next start) and only then made, over the definition that was read. */
#include "vc.h"
#include "tui/tui.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DEFAULT_NEW_SIZE "8G"

struct ed {
	struct vc_app *app;
	const char *name;
	char title[160];
	struct hv_guest *old, *g;     /* as read, and the operator's copy */
	char digest[65];
	struct hv_edit_facts facts;
	char **bridges;
	size_t nbridges;
};

/* ---- the changes in words ---------------------------------------------------------- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

static const char *boot_name(const enum hv_boot_dev *boot)
{
	return _(vc_boot_order_names[vc_boot_order_index(boot)]);
}

char *vc_change_text(const struct hv_change *c)
{
	char a[32], b[32];
	const struct hv_disk *d = c->disk;

	switch (c->kind) {
	case HV_CH_MEMORY:
		vc_fmt_mem(c->from, a, sizeof(a));
		vc_fmt_mem(c->to, b, sizeof(b));
		/* TRANSLATORS: memory before and after, e.g. "Memory: 256 MiB to 512 MiB." */
		return fmt(_("Memory: %s to %s."), a, b);
	case HV_CH_VCPUS:
		return fmt(_("Virtual CPUs: %u to %u."), (unsigned)c->from, (unsigned)c->to);
	case HV_CH_AUTOSTART:
		return strdup(c->to ? _("Starts with the host: yes.") : _("Starts with the host: no."));
	case HV_CH_BOOT:
		return fmt(_("Boot order: %s."), boot_name(c->boot));
	case HV_CH_DISK_ADD:
		if (d->kind == HV_DISK_NEW_RAW || d->kind == HV_DISK_NEW_QCOW2) {
			vc_fmt_bytes(d->size, a, sizeof(a));
			/* TRANSLATORS: a new file, its kind ("new sparse raw file"), its size. */
			return fmt(_("Add a disk: %s, %s of %s, made now."), d->path,
				   vc_disk_kind_name(d->kind), a);
		}
		if (d->kind == HV_DISK_CDROM && !d->path)
			return strdup(_("Add an empty CD-ROM drive."));
		return fmt(_("Add a disk: %s, %s."), d->path ? d->path : "", vc_disk_kind_name(d->kind));
	case HV_CH_DISK_REMOVE:
		return fmt(_("Remove the disk %s (%s); the file stays on the host."),
			   d->target ? d->target : "?", d->path ? d->path : _("(empty)"));
	case HV_CH_DISK_RESIZE:
		vc_fmt_bytes(c->from, a, sizeof(a));
		vc_fmt_bytes(c->to, b, sizeof(b));
		return fmt(_("Enlarge the disk %s from %s to %s, now; its partitions stay as they are."),
			   d->target, a, b);
	case HV_CH_CD_INSERT:
		return fmt(_("Put %s in the CD-ROM drive %s."), d->path, d->target);
	case HV_CH_CD_EJECT:
		return fmt(_("Eject the CD from the drive %s."), d->target);
	case HV_CH_NIC_ADD:
		return fmt(_("Add a network card %s on the bridge %s, model %s."), c->nic->mac,
			   c->nic->bridge ? c->nic->bridge : "", c->nic->model ? c->nic->model : "virtio");
	case HV_CH_NIC_REMOVE:
		return fmt(_("Remove the network card %s."), c->nic->mac);
	case HV_CH_NIC_BRIDGE:
		return fmt(_("Network card %s: bridge %s to %s."), c->nic->mac,
			   c->nic_before->bridge ? c->nic_before->bridge : "",
			   c->nic->bridge ? c->nic->bridge : "");
	}
	return strdup("?");
}

int vc_change_rows(const struct hv_change *c, size_t n, char ***rows, size_t *nrows)
{
	static const char *const heads[] = {
		[HV_WHEN_NOW] = N_("At once:"),
		[HV_WHEN_NEXT_START] = N_("At the guest's next start:"),
	};
	char **v = calloc(2 * n + 2, sizeof(*v));
	size_t k = 0;

	if (!v)
		abort();
	for (int when = HV_WHEN_NOW; when <= HV_WHEN_NEXT_START; when++) {
		bool head = false;

		for (size_t i = 0; i < n; i++) {
			char *t;

			if ((int)c[i].when != when)
				continue;
			if (!head) {
				v[k++] = strdup(_(heads[when]));
				head = true;
			}
			t = vc_change_text(&c[i]);
			v[k++] = fmt("  %s", t);
			free(t);
		}
	}
	*rows = v;
	*nrows = k;
	return 0;
}

/* ---- where a disk may come from -------------------------------------------------------- */

bool vc_place_ok(struct vc_app *app, const struct hv_disk *d, char **cause)
{
	enum hv_place place;
	char *q = NULL;
	bool yes;

	*cause = NULL;
	if (hv_disk_place(app->conn, d, app->root ? HV_HOST_PATHS : 0, &place, cause) < 0)
		return false;
	if (place == HV_PLACE_POOL)
		return true;
	if (asprintf(&q, place == HV_PLACE_DEVICE ?
		     _("%s is a block device of this host. The guest will read and write all of it as its own disk. Give it to the guest?") :
		     _("%s is outside every storage pool. The guest will read and write this host file as its own disk. Give it to the guest?"),
		     d->path) < 0)
		abort();
	yes = tui_ask(_("Add a Disk"), q, _("Give it"), _("Cancel"));
	free(q);
	return yes;
}

/* ---- rows of the editor -------------------------------------------------------------- */

enum { ROW_MEMORY, ROW_VCPUS, ROW_AUTOSTART, ROW_BOOT, ROW_FIXED };

static char *disk_row(const struct hv_disk *d)
{
	char size[32];

	if (d->kind == HV_DISK_CDROM)
		return fmt(_("CD-ROM %s: %s"), d->target ? d->target : _("(new)"),
			   d->path ? d->path : _("(empty)"));
	if (d->size) {
		vc_fmt_bytes(d->size, size, sizeof(size));
		return fmt(_("Disk %s: %s (%s, %s)"), d->target ? d->target : _("(new)"),
			   d->path ? d->path : "", d->format ? d->format : vc_disk_kind_name(d->kind), size);
	}
	return fmt(_("Disk %s: %s (%s)"), d->target ? d->target : _("(new)"), d->path ? d->path : "",
		   d->format ? d->format : vc_disk_kind_name(d->kind));
}

static char *row_text(const struct ed *e, size_t i)
{
	char mem[32];

	switch (i) {
	case ROW_MEMORY:
		vc_fmt_mem(e->g->memory_kib, mem, sizeof(mem));
		return fmt(_("Memory: %s"), mem);
	case ROW_VCPUS:
		return fmt(_("Virtual CPUs: %u"), e->g->vcpus);
	case ROW_AUTOSTART:
		return strdup(e->g->autostart ? _("Starts with the host: yes") :
					      _("Starts with the host: no"));
	case ROW_BOOT:
		return fmt(_("Boot order: %s"), boot_name(e->g->boot));
	}
	i -= ROW_FIXED;
	if (i < e->g->n_disks)
		return disk_row(&e->g->disks[i]);
	i -= e->g->n_disks;
	return fmt(_("Network card %s: bridge %s, %s"), e->g->nics[i].mac,
		   e->g->nics[i].bridge ? e->g->nics[i].bridge : "",
		   e->g->nics[i].model ? e->g->nics[i].model : "virtio");
}

/* A small dialog with one entry; false on Back. @value is updated with what was typed. */
static bool ask_value(struct ed *e, const char *text, const char *label, char *value, size_t len)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(e->title);
		int f, rc;

		tui_dialog_text(d, text);
		f = tui_dialog_entry(d, label, value, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("OK"));
		rc = tui_dialog_run(d);
		snprintf(value, len, "%s", tui_dialog_value(d, f));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		return rc == TUI_NEXT;
	}
}

/* A choice among @n items (a list); -1 on Back. */
static int ask_choice(struct ed *e, const char *text, const char *const *items, int n, int sel)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(e->title);
		int f, rc;

		tui_dialog_text(d, text);
		f = tui_dialog_list(d, items, n, sel, n < 8 ? n : 8);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("OK"));
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, f);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		return rc == TUI_NEXT ? sel : -1;
	}
}

static void change_memory(struct ed *e)
{
	char v[32], max[32], *text, *cause = NULL;
	uint64_t kib;

	snprintf(v, sizeof(v), "%" PRIu64, e->g->memory_kib / 1024);
	if (e->facts.running) {
		vc_fmt_mem(e->facts.max_kib, max, sizeof(max));
		text = fmt(_("The running guest gets up to %s at once; more takes effect at its next start."), max);
	} else {
		text = strdup(_("The change takes effect at the guest's next start."));
	}
	while (ask_value(e, text, _("Memory (MiB):"), v, sizeof(v))) {
		if (vc_check_memory(v, e->app->host_ok ? e->app->host.memory_kib : 0, &kib, &cause) == 0) {
			e->g->memory_kib = kib;
			if (e->g->max_memory_kib && e->g->max_memory_kib < kib)
				e->g->max_memory_kib = kib;
			break;
		}
		vc_error(e->title, cause);
		cause = NULL;
	}
	free(text);
}

static void change_vcpus(struct ed *e)
{
	char v[16], *cause = NULL;
	unsigned out[4];

	snprintf(v, sizeof(v), "%u", e->g->vcpus);
	while (ask_value(e, _("A new number of virtual CPUs takes effect at the guest's next start."),
			 _("Virtual CPUs:"), v, sizeof(v))) {
		if (vc_check_cpus(v, "", "", "", e->app->host_ok ? e->app->host.cpus : 0, out,
				  &cause) == 0) {
			e->g->vcpus = out[0];
			break;
		}
		vc_error(e->title, cause);
		cause = NULL;
	}
}

static void change_boot(struct ed *e)
{
	const char *items[VC_N_BOOT_ORDERS];
	int sel;

	for (int i = 0; i < VC_N_BOOT_ORDERS; i++)
		items[i] = _(vc_boot_order_names[i]);
	sel = ask_choice(e, _("The boot order takes effect at the guest's next start."), items,
			 VC_N_BOOT_ORDERS, vc_boot_order_index(e->g->boot));
	if (sel < 0)
		return;
	memset(e->g->boot, 0, sizeof(e->g->boot));
	memcpy(e->g->boot, vc_boot_orders[sel], sizeof(vc_boot_orders[0]));
}

static bool is_file(const char *path)
{
	struct stat st;

	return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* An ISO for a CD drive: empty ejects; a file must exist, in a pool or confirmed by root. */
static bool cd_path_ok(struct ed *e, const char *path, struct hv_disk *d)
{
	char *cause = NULL;

	if (!*path)
		return true;
	if (!is_file(path)) {
		base_cause(&cause, -ENOENT, _("%s is not a file on this host."), path);
		vc_error(e->title, cause);
		return false;
	}
	free(d->path);
	d->path = strdup(path);
	if (vc_place_ok(e->app, d, &cause))
		return true;
	if (cause)
		vc_error(e->title, cause);
	return false;
}

static void change_disk(struct ed *e, struct hv_disk *d)
{
	char v[4096], *cause = NULL;
	uint64_t bytes;

	if (d->kind == HV_DISK_CDROM) {
		char *before = d->path ? strdup(d->path) : NULL;

		snprintf(v, sizeof(v), "%s", d->path ? d->path : "");
		while (ask_value(e, e->facts.running ?
				 _("The CD changes in the running guest's drive at once. Leave the path empty to eject it.") :
				 _("The guest finds this CD in its drive at its next start. Leave the path empty to eject it."),
				 _("CD image:"), v, sizeof(v))) {
			if (!cd_path_ok(e, v, d))
				continue;
			free(before);
			before = NULL;
			if (!*v) {
				free(d->path);
				d->path = NULL;
			}
			return;
		}
		/* Back: the medium it had. */
		free(d->path);
		d->path = before;
		return;
	}
	if (!d->target) {
		/* A disk added in this edit: remove it and add another to change it. */
		return;
	}
	vc_fmt_bytes(d->size, v, sizeof(v));
	while (ask_value(e, _("A disk can only grow. The file grows now and a running guest sees the new size at once; its partitions and file systems are not enlarged."),
			 _("New size:"), v, sizeof(v))) {
		if (vc_check_size(v, &bytes, &cause) == 0) {
			for (size_t i = 0; i < e->old->n_disks; i++)
				if (e->old->disks[i].target && !strcmp(e->old->disks[i].target, d->target) &&
				    bytes < e->old->disks[i].size)
					base_cause(&cause, -EINVAL,
						   _("The disk %s cannot shrink: the guest's data at its end would be lost."),
						   d->target);
			if (!cause) {
				d->size = bytes;
				return;
			}
		}
		vc_error(e->title, cause);
		cause = NULL;
	}
}

static void change_nic(struct ed *e, struct hv_nic *n)
{
	int sel = 0;

	if (!e->nbridges) {
		vc_error(e->title, strdup(_("This host has no bridge for a network card.")));
		return;
	}
	for (size_t i = 0; i < e->nbridges; i++)
		if (n->bridge && !strcmp(n->bridge, e->bridges[i]))
			sel = (int)i;
	sel = ask_choice(e, _("The card moves to the chosen bridge at the guest's next start."),
			 (const char *const *)e->bridges, (int)e->nbridges, sel);
	if (sel < 0)
		return;
	free(n->bridge);
	n->bridge = strdup(e->bridges[sel]);
}

static void change_row(struct ed *e, size_t row)
{
	switch (row) {
	case ROW_MEMORY:
		change_memory(e);
		return;
	case ROW_VCPUS:
		change_vcpus(e);
		return;
	case ROW_AUTOSTART:
		e->g->autostart = !e->g->autostart;
		return;
	case ROW_BOOT:
		change_boot(e);
		return;
	}
	row -= ROW_FIXED;
	if (row < e->g->n_disks)
		change_disk(e, &e->g->disks[row]);
	else if (row - e->g->n_disks < e->g->n_nics)
		change_nic(e, &e->g->nics[row - e->g->n_disks]);
}

static void remove_row(struct ed *e, size_t row)
{
	if (row < ROW_FIXED)
		return;
	row -= ROW_FIXED;
	if (row < e->g->n_disks) {
		struct hv_disk *v = e->g->disks;

		free(v[row].path);
		free(v[row].format);
		free(v[row].target);
		free(v[row].bus);
		free(v[row].cache);
		free(v[row].io);
		memmove(&v[row], &v[row + 1], (e->g->n_disks - row - 1) * sizeof(*v));
		e->g->n_disks--;
		return;
	}
	row -= e->g->n_disks;
	if (row < e->g->n_nics) {
		struct hv_nic *v = e->g->nics;

		free(v[row].bridge);
		free(v[row].model);
		memmove(&v[row], &v[row + 1], (e->g->n_nics - row - 1) * sizeof(*v));
		e->g->n_nics--;
	}
}

/* ---- adding ------------------------------------------------------------------------- */

static bool taken_path(const struct ed *e, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return true;
	for (size_t i = 0; i < e->g->n_disks; i++)
		if (e->g->disks[i].path && !strcmp(e->g->disks[i].path, path))
			return true;
	return false;
}

/* "<folder>/<guest>-disk2.img": the first name free in the folder and in this edit. */
static char *new_file(const struct ed *e, const char *dir, bool qcow2)
{
	for (unsigned i = 2;; i++) {
		char *p = fmt("%s/%s-disk%u.%s", dir, e->name, i, qcow2 ? "qcow2" : "img");

		if (!taken_path(e, p))
			return p;
		free(p);
	}
}

/* The pools a new file can go in (dir pools that are active), with their free space. */
static void add_new_volume(struct ed *e)
{
	struct hv_pool_info *pools = NULL;
	size_t np = 0, k = 0;
	const char **items = NULL;
	char **texts = NULL, *cause = NULL;
	int *map = NULL, sel, mine = 0;
	uint64_t bytes;

	if (hv_pool_ensure(e->app->conn, VC_POOL, e->app->images_dir, &cause) < 0 ||
	    hv_pools(e->app->conn, &pools, &np, &cause) < 0) {
		vc_error(e->title, cause);
		return;
	}
	items = calloc(np + 1, sizeof(*items));
	texts = calloc(np + 1, sizeof(*texts));
	map = calloc(np + 1, sizeof(*map));
	if (!items || !texts || !map)
		abort();
	for (size_t i = 0; i < np; i++) {
		char free_s[32];

		if (!pools[i].active || !pools[i].target || strcmp(pools[i].type, "dir"))
			continue;
		vc_fmt_bytes(pools[i].available, free_s, sizeof(free_s));
		/* TRANSLATORS: a storage pool, its folder and its free space. */
		texts[k] = fmt(_("%s (%s), %s free"), pools[i].name, pools[i].target, free_s);
		items[k] = texts[k];
		/* The console's own pool is offered first under the cursor. */
		if (!strcmp(pools[i].name, VC_POOL))
			mine = (int)k;
		map[k++] = (int)i;
	}
	sel = k ? ask_choice(e, _("The pool the new disk file goes in:"), items, (int)k, mine) : -1;
	if (sel >= 0) {
		struct tui_dialog *d;
		const char *formats[] = { "raw", "qcow2" };
		int fsize, fformat, rc, format = 0;
		char v[32];

		snprintf(v, sizeof(v), "%s", DEFAULT_NEW_SIZE);
		for (;;) {
			d = tui_dialog_new(e->title);
			tui_dialog_text(d, _("A new sparse file: it takes space only as the guest writes. A qcow2 file can keep snapshots."));
			fsize = tui_dialog_entry(d, _("Size:"), v, 0);
			fformat = tui_dialog_radio(d, _("Format:"), formats, 2, format);
			tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Add"));
			rc = tui_dialog_run(d);
			snprintf(v, sizeof(v), "%s", tui_dialog_value(d, fsize));
			format = tui_dialog_selected(d, fformat);
			tui_dialog_free(d);
			if (rc == TUI_LANG) {
				vc_lang_toggle();
				continue;
			}
			if (rc != TUI_NEXT)
				break;
			if (vc_check_size(v, &bytes, &cause) < 0) {
				vc_error(e->title, cause);
				cause = NULL;
				continue;
			}
			struct hv_disk *nd = hv_guest_add_disk(e->g);

			if (!nd)
				abort();
			nd->kind = format ? HV_DISK_NEW_QCOW2 : HV_DISK_NEW_RAW;
			nd->size = bytes;
			nd->path = new_file(e, pools[map[sel]].target, format == 1);
			nd->format = strdup(formats[format]);
			break;
		}
	} else if (!k) {
		vc_error(e->title, strdup(_("There is no active folder storage pool for a new disk file.")));
	}
	for (size_t i = 0; i < k; i++)
		free(texts[i]);
	free(texts);
	free(items);
	free(map);
	hv_pools_free(pools, np);
}

static bool used_by_guest(const struct ed *e, const char *path)
{
	for (size_t i = 0; i < e->g->n_disks; i++)
		if (e->g->disks[i].path && !strcmp(e->g->disks[i].path, path))
			return true;
	return false;
}

/* An existing volume from a list with sizes, or (root) a path typed in. */
static void add_existing(struct ed *e)
{
	struct hv_pool_info *pools = NULL;
	size_t np = 0, k = 0, cap = 0;
	char **texts = NULL, **paths = NULL, *cause = NULL, path[4096] = "";
	int sel = -1, list, fpath = -1, rc;

	if (hv_pools(e->app->conn, &pools, &np, &cause) < 0) {
		vc_error(e->title, cause);
		return;
	}
	for (size_t i = 0; i < np; i++)
		cap += pools[i].n_vols;
	texts = calloc(cap + 1, sizeof(*texts));
	paths = calloc(cap + 1, sizeof(*paths));
	if (!texts || !paths)
		abort();
	for (size_t i = 0; i < np; i++)
		for (size_t v = 0; v < pools[i].n_vols; v++) {
			const struct hv_vol_info *vol = &pools[i].vols[v];
			char c[32], a[32];

			if (!vol->path || used_by_guest(e, vol->path))
				continue;
			vc_fmt_bytes(vol->capacity, c, sizeof(c));
			vc_fmt_bytes(vol->allocation, a, sizeof(a));
			/* TRANSLATORS: pool/volume, its size, the space it takes now. */
			texts[k] = fmt(_("%s/%s  %s, %s used"), pools[i].name, vol->name, c, a);
			paths[k++] = vol->path;
		}
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(e->title);

		tui_dialog_text(d, e->app->root ?
				_("Choose a volume of a storage pool, or type the path of a file or device of this host.") :
				_("Choose a volume of a storage pool."));
		list = tui_dialog_list(d, NULL, 0, 0, 6);
		for (size_t i = 0; i < k; i++)
			tui_dialog_list_add(d, list, strdup(texts[i]));
		if (!k)
			tui_dialog_list_add(d, list, strdup(_("(no volumes)")));
		if (e->app->root)
			fpath = tui_dialog_entry(d, _("Path:"), path, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Add"));
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		if (fpath >= 0)
			snprintf(path, sizeof(path), "%s", tui_dialog_value(d, fpath));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc != TUI_NEXT)
			break;
		const char *p = *path ? path : sel >= 0 && (size_t)sel < k ? paths[sel] : NULL;
		struct hv_disk disk;

		if (!p)
			continue;
		memset(&disk, 0, sizeof(disk));
		disk.kind = !strncmp(p, "/dev/", 5) ? HV_DISK_BLOCK : HV_DISK_FILE;
		disk.path = strdup(p);
		if (disk.kind == HV_DISK_FILE) {
			size_t l = strlen(p);

			disk.format = strdup(l > 6 && !strcmp(p + l - 6, ".qcow2") ? "qcow2" : "raw");
		}
		if (used_by_guest(e, p)) {
			base_cause(&cause, -EEXIST, _("The guest uses %s already."), p);
		} else if (vc_check_disk(&disk, &cause) == 0 && vc_place_ok(e->app, &disk, &cause)) {
			struct hv_disk *nd = hv_guest_add_disk(e->g);

			if (!nd)
				abort();
			*nd = disk;
			break;
		}
		free(disk.path);
		free(disk.format);
		if (cause) {
			vc_error(e->title, cause);
			cause = NULL;
		}
		if (e->app->unwinding)
			break;
	}
	for (size_t i = 0; i < k; i++)
		free(texts[i]);
	free(texts);
	free(paths);
	hv_pools_free(pools, np);
}

static void add_cd(struct ed *e)
{
	char v[4096] = "";
	struct hv_disk disk;

	memset(&disk, 0, sizeof(disk));
	disk.kind = HV_DISK_CDROM;
	disk.readonly = true;
	while (ask_value(e, _("A CD-ROM drive, added at the guest's next start. Leave the path empty for an empty drive."),
			 _("CD image:"), v, sizeof(v))) {
		if (!cd_path_ok(e, v, &disk))
			continue;
		struct hv_disk *nd = hv_guest_add_disk(e->g);

		if (!nd)
			abort();
		if (!*v) {
			free(disk.path);
			disk.path = NULL;
		}
		*nd = disk;
		return;
	}
	free(disk.path);
}

/* MACs of every guest on this host, and of this edit's cards. */
static void used_macs(struct ed *e, char ***macs, size_t *n)
{
	struct vc_app *app = e->app;

	*macs = NULL;
	*n = 0;
	for (size_t i = 0; i < app->model.nrows; i++) {
		struct hv_guest *o = NULL;

		if (!strcmp(app->model.rows[i].name, e->name) ||
		    hv_get(app->conn, app->model.rows[i].name, &o, NULL) < 0)
			continue;
		for (size_t k = 0; k < o->n_nics; k++)
			vc_strv_push(macs, n, o->nics[k].mac);
		hv_guest_free(o);
	}
	for (size_t k = 0; k < e->g->n_nics; k++)
		vc_strv_push(macs, n, e->g->nics[k].mac);
}

static void add_nic(struct ed *e)
{
	static const char *const models[] = { "virtio", "e1000", "rtl8139" };
	char mac[32], *cause = NULL, **macs;
	size_t nmacs;
	int bridge = 0, model = 0;

	if (!e->nbridges) {
		vc_error(e->title, strdup(_("This host has no bridge for a network card.")));
		return;
	}
	hv_mac_generate(hv_is_xen(e->app->conn), mac);
	used_macs(e, &macs, &nmacs);
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(e->title);
		int fb, fm, fmac, rc;

		tui_dialog_text(d, _("A network card on a bridge of this host, added at the guest's next start."));
		fb = tui_dialog_list(d, (const char *const *)e->bridges, (int)e->nbridges, bridge,
				     e->nbridges < 4 ? (int)e->nbridges : 4);
		fmac = tui_dialog_entry(d, _("MAC address:"), mac, 0);
		fm = tui_dialog_radio(d, _("Model:"), models, 3, model);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Add"));
		rc = tui_dialog_run(d);
		bridge = tui_dialog_selected(d, fb);
		model = tui_dialog_selected(d, fm);
		snprintf(mac, sizeof(mac), "%s", tui_dialog_value(d, fmac));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc != TUI_NEXT)
			break;
		if (vc_check_mac(mac, macs, nmacs, &cause) < 0) {
			vc_error(e->title, cause);
			cause = NULL;
			continue;
		}
		struct hv_nic *n = hv_guest_add_nic(e->g);

		if (!n)
			abort();
		n->bridge = strdup(e->bridges[bridge >= 0 ? bridge : 0]);
		n->model = strdup(models[model >= 0 ? model : 0]);
		snprintf(n->mac, sizeof(n->mac), "%s", mac);
		break;
	}
	vc_strv_free(macs, nmacs);
}

static void add_something(struct ed *e)
{
	const char *items[] = {
		_("A new disk file in a storage pool"),
		_("An existing volume or file"),
		_("A CD-ROM drive"),
		_("A network card"),
	};

	switch (ask_choice(e, _("What to add:"), items, 4, 0)) {
	case 0:
		add_new_volume(e);
		break;
	case 1:
		add_existing(e);
		break;
	case 2:
		add_cd(e);
		break;
	case 3:
		add_nic(e);
		break;
	default:
		break;
	}
}

int vc_disk_pick(struct vc_app *app, const char *title, struct hv_guest *g, const char *name)
{
	struct ed e;
	const char *items[] = {
		_("A new disk file in a storage pool"),
		_("An existing volume or file"),
	};
	size_t before = g->n_disks;

	memset(&e, 0, sizeof(e));
	e.app = app;
	e.name = name;
	e.g = g;
	snprintf(e.title, sizeof(e.title), "%s", title);
	switch (ask_choice(&e, _("What to add:"), items, 2, 0)) {
	case 0:
		add_new_volume(&e);
		break;
	case 1:
		add_existing(&e);
		break;
	default:
		break;
	}
	return g->n_disks > before;
}

/* ---- preview and apply ------------------------------------------------------------------ */

static void audit(struct ed *e, const struct hv_change *c, size_t n)
{
	static const char *const kinds[] = {
		"memory", "vcpus", "autostart", "boot", "disk add", "disk remove", "disk resize",
		"cd insert", "cd eject", "nic add", "nic remove", "nic bridge",
	};

	for (size_t i = 0; i < n; i++)
		vc_audit(e->app->user, "guest edit %s: %s %s%s %" PRIu64 " -> %" PRIu64 " (%s)", e->name,
			 kinds[c[i].kind], c[i].disk && c[i].disk->path ? c[i].disk->path : "",
			 c[i].nic ? c[i].nic->mac : "", c[i].from, c[i].to,
			 c[i].when == HV_WHEN_NOW ? "now" : "next start");
}

static int reload(struct ed *e)
{
	char *cause = NULL;

	hv_guest_free(e->old);
	hv_guest_free(e->g);
	e->old = e->g = NULL;
	if (hv_digest(e->app->conn, e->name, e->digest, &cause) < 0 ||
	    hv_get(e->app->conn, e->name, &e->old, &cause) < 0 ||
	    hv_edit_facts(e->app->conn, e->name, &e->facts, &cause) < 0) {
		vc_error(_("Edit"), cause);
		return -EIO;
	}
	e->g = hv_guest_copy(e->old);
	return 0;
}

/* The list of changes, then Apply: 1 when made, 0 to go on editing, -1 when the guest is gone. */
static int review(struct ed *e)
{
	struct hv_change *ch = NULL;
	size_t n = 0, nrows = 0;
	char **rows = NULL, *cause = NULL;
	int rc;

	if (hv_edit_diff(e->old, e->g, &e->facts, &ch, &n, &cause) < 0) {
		vc_error(e->title, cause);
		return 0;
	}
	if (!n) {
		tui_message(e->title, _("Nothing has changed."));
		return 0;
	}
	vc_change_rows(ch, n, &rows, &nrows);
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(e->title);

		tui_dialog_text(d, _("These changes will be made:"));
		tui_dialog_list(d, (const char *const *)rows, (int)nrows, 0, nrows < 10 ? (int)nrows : 10);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Apply"));
		rc = tui_dialog_run(d);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			vc_strv_free(rows, nrows);
			vc_change_rows(ch, n, &rows, &nrows);
			continue;
		}
		break;
	}
	vc_strv_free(rows, nrows);
	if (rc != TUI_NEXT) {
		free(ch);
		return 0;
	}
	rc = hv_edit_apply(e->app->conn, e->name, e->digest, e->app->root ? HV_HOST_PATHS : 0, e->g,
			   ch, n, &cause);
	if (rc == -ESTALE) {
		char *q = fmt(_("%s Reload it (your changes here are lost), or overwrite what was saved meanwhile?"),
			      cause);
		bool overwrite;

		free(cause);
		cause = NULL;
		/* Reload is the answer under the cursor: overwriting someone's change is asked for. */
		overwrite = tui_ask(_("Edit"), q, _("Overwrite"), _("Reload"));
		free(q);
		if (!overwrite) {
			free(ch);
			return reload(e) < 0 ? -1 : 0;
		}
		rc = hv_edit_apply(e->app->conn, e->name, NULL, e->app->root ? HV_HOST_PATHS : 0, e->g,
				   ch, n, &cause);
	}
	if (rc < 0) {
		vc_error(e->title, cause);
		free(ch);
		/* Part may be saved: start again from what the guest now is. */
		return reload(e) < 0 ? -1 : 0;
	}
	audit(e, ch, n);
	free(ch);
	return 1;
}

int vc_guest_edit(struct vc_app *app, const char *name)
{
	struct ed e;
	int sel = 0, rc = 0;

	memset(&e, 0, sizeof(e));
	e.app = app;
	e.name = name;
	snprintf(e.title, sizeof(e.title), _("Edit %s"), name);
	if (reload(&e) < 0)
		return -EIO;
	if (vc_bridges("/sys/class/net", &e.bridges, &e.nbridges, NULL) < 0)
		e.nbridges = 0;
	while (!app->unwinding) {
		struct tui_dialog *d;
		size_t nrows = ROW_FIXED + e.g->n_disks + e.g->n_nics;
		int list, change, add, del, r;

		snprintf(e.title, sizeof(e.title), _("Edit %s"), name);
		d = tui_dialog_new(e.title);
		tui_dialog_text(d, e.facts.running ?
				_("The guest is running: the review says which changes reach it at once and which at its next start.") :
				_("The guest is shut off: the changes take effect at its next start."));
		list = tui_dialog_list(d, NULL, 0, sel, nrows < 10 ? (int)nrows : 10);
		for (size_t i = 0; i < nrows; i++)
			tui_dialog_list_add(d, list, row_text(&e, i));
		change = tui_dialog_button(d, _("Change"));
		add = tui_dialog_button(d, _("Add"));
		del = tui_dialog_button(d, _("Remove"));
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Review"));
		r = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (r == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (r == TUI_EXTRA + change && sel >= 0) {
			change_row(&e, (size_t)sel);
		} else if (r == TUI_EXTRA + add) {
			add_something(&e);
		} else if (r == TUI_EXTRA + del && sel >= 0) {
			remove_row(&e, (size_t)sel);
			if ((size_t)sel >= ROW_FIXED + e.g->n_disks + e.g->n_nics)
				sel--;
		} else if (r == TUI_NEXT) {
			rc = review(&e);
			if (rc != 0)
				break;
		} else {
			break;
		}
	}
	hv_guest_free(e.old);
	hv_guest_free(e.g);
	vc_strv_free(e.bridges, e.nbridges);
	return rc < 0 ? -EIO : 0;
}
