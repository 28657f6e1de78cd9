/* The create-guest wizard: pages that fill a struct hv_guest, refuse bad input on its field, and a summary before hv_define(). */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DISK_SIZE "8G"

struct wiz {
	struct vc_app *app;
	struct hv_guest g;
	/* The texts as typed, so that a refused value stays on the screen to be corrected. */
	char name[80], memory[32], vcpus[16], sockets[16], cores[16], threads[16];
	char listen[64], port[16], password[16];
	char kernel[PATH_MAX], initrd[PATH_MAX], cmdline[512];
	/* The index chosen in each radio group or list, between the page and the guest. */
	int arch, on_poweroff, on_reboot, on_crash, order;
	/* Add a Disk and Add a Network Card start afresh at each visit. */
	int disk_kind, nic_bridge, nic_model;
	char disk_path[PATH_MAX], disk_size[32], mac[32], intro[PATH_MAX + 256];
	char **taken, **macs, **bridges;
	size_t ntaken, nmacs, nbridges;
	/* The disk files the wizard named after the guest: they follow a later rename. */
	char **named;
	size_t nnamed;
	uint64_t host_kib;
	unsigned host_cpus;
	bool disks_seen;
};

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src && *src ? strdup(src) : NULL;
}

/* Names and MACs already taken on this host, and the bridges a card can use. */
static void wiz_init(struct wiz *w, struct vc_app *app)
{
	memset(w, 0, sizeof(*w));
	w->app = app;
	hv_guest_init(&w->g);
	snprintf(w->memory, sizeof(w->memory), "%llu",
		 (unsigned long long)(w->g.memory_kib >> 10));
	snprintf(w->vcpus, sizeof(w->vcpus), "%u", w->g.vcpus);
	copy(w->listen, sizeof(w->listen), app->conf.vnc_listen);
	copy(w->port, sizeof(w->port), _("auto"));
	if (app->host_ok) {
		w->host_kib = app->host.memory_kib;
		w->host_cpus = app->host.cpus;
	}
	for (size_t i = 0; i < app->model.nrows; i++) {
		struct hv_guest *o = NULL;

		vc_strv_push(&w->taken, &w->ntaken, app->model.rows[i].name);
		if (hv_get(app->conn, app->model.rows[i].name, &o, NULL) < 0)
			continue;
		for (size_t k = 0; k < o->n_nics; k++)
			if (o->nics[k].mac[0])
				vc_strv_push(&w->macs, &w->nmacs, o->nics[k].mac);
		hv_guest_free(o);
	}
	if (vc_bridges("/sys/class/net", &w->bridges, &w->nbridges, NULL) < 0)
		w->nbridges = 0;
}

static void wiz_clear(struct wiz *w)
{
	hv_guest_clear(&w->g);
	vc_strv_free(w->taken, w->ntaken);
	vc_strv_free(w->macs, w->nmacs);
	vc_strv_free(w->bridges, w->nbridges);
	vc_strv_free(w->named, w->nnamed);
}

/* Show why a value was refused; the page then reopens with the cursor on @field. */
static int refuse(const char *title, char *cause, int field, int *focus)
{
	vc_error(title, cause);
	*focus = field;
	return field;
}

/* Shared ending of every page run: language switch, Back, idle logout. */
enum { PAGE_AGAIN = -1 };

static int page_exit(int rc)
{
	if (rc == TUI_LANG) {
		vc_lang_toggle();
		return PAGE_AGAIN;
	}
	return rc;
}

/* ---- pages as data ------------------------------------------------------------ */

enum field_kind { F_TEXT, F_SECRET, F_CHECK, F_RADIO, F_LIST };

/*
 * One input of a page. Its value lives in struct wiz at @at: a char array of @len bytes for
 * text, a bool for a check box, the index chosen (an int) for a radio group or a list, so
 * that what the operator typed survives a refusal, a language switch and Back.
 */
struct field {
	enum field_kind kind;
	const char *label;                     /* N_(); a list has none */
	size_t at, len;
	const char *const *choices;            /* N_() texts, or names shown as they are */
	int nchoices;
	bool verbatim;
	const char *const *(*dynamic)(struct wiz *w, int *n);  /* choices known only when shown */
	int rows;                              /* a list's height at most */
};

#define TEXT(m) .at = offsetof(struct wiz, m), .len = sizeof(((struct wiz *)0)->m)
#define SLOT(m) .at = offsetof(struct wiz, m)
#define CHOICES(a) .choices = a, .nchoices = (int)(sizeof(a) / sizeof(a[0]))
#define MAX_FIELDS 8

/* What a page's check returns instead of the index of the field it refused. */
enum {
	CHECK_OK = -1,   /* the values are taken: on to the next page */
	CHECK_STAY = -2, /* the operator declined a question: the page again, cursor where it was */
	CHECK_IDLE = -3, /* the idle logout came while a question was open */
};

/*
 * A page that edits fields: @check refuses a value by returning the index of its field
 * (the cursor goes there) with the reason in *cause, shown before the page reopens.
 */
struct form {
	const char *title;                          /* N_() */
	const char *help;                           /* N_(), unless @help_fn writes it */
	const char *(*help_fn)(struct wiz *w);
	const char *next;                           /* N_() label for Next; NULL for "Next" */
	const struct field *fields;
	int nfields;
	int (*enter)(struct wiz *w);                /* at each visit: TUI_NEXT to show the page */
	void (*load)(struct wiz *w);                /* the guest into the fields, before each run */
	void (*store)(struct wiz *w);               /* the fields into the guest, after each run */
	int (*check)(struct wiz *w, const char *title, char **cause);
};

static void *slot(struct wiz *w, const struct field *f)
{
	return (char *)w + f->at;
}

static int add_field(struct tui_dialog *d, struct wiz *w, const struct field *f)
{
	const char *items[8];
	const char *const *choices = f->choices;
	int n = f->nchoices;

	switch (f->kind) {
	case F_TEXT:
	case F_SECRET:
		return tui_dialog_entry(d, _(f->label), slot(w, f),
					f->kind == F_SECRET ? TUI_ENTRY_HIDDEN : 0);
	case F_CHECK:
		return tui_dialog_check(d, _(f->label), *(bool *)slot(w, f));
	case F_RADIO:
	case F_LIST:
		break;
	}
	if (f->dynamic) {
		choices = f->dynamic(w, &n);
	} else if (!f->verbatim) {
		for (int i = 0; i < n && i < 8; i++)
			items[i] = _(choices[i]);
		choices = items;
	}
	if (f->kind == F_RADIO)
		return tui_dialog_radio(d, _(f->label), choices, n, *(int *)slot(w, f));
	return tui_dialog_list(d, choices, n, *(int *)slot(w, f), n < f->rows ? n : f->rows);
}

static void read_field(struct tui_dialog *d, struct wiz *w, const struct field *f, int id)
{
	switch (f->kind) {
	case F_TEXT:
	case F_SECRET:
		copy(slot(w, f), f->len, tui_dialog_value(d, id));
		break;
	case F_CHECK:
		*(bool *)slot(w, f) = tui_dialog_checked(d, id);
		break;
	case F_RADIO:
	case F_LIST:
		*(int *)slot(w, f) = tui_dialog_selected(d, id);
		break;
	}
}

/* The one loop every editing page runs: show, read back, switch language, check, refuse. */
static int run_form(struct wiz *w, const struct form *f)
{
	int ids[MAX_FIELDS], focus = -1, rc;

	if (f->enter && (rc = f->enter(w)) != TUI_NEXT)
		return rc;
	for (;;) {
		const char *title = _(f->title);
		struct tui_dialog *d = tui_dialog_new(title);
		char *cause = NULL;
		int bad;

		if (f->load)
			f->load(w);
		tui_dialog_text(d, f->help_fn ? f->help_fn(w) : _(f->help));
		for (int i = 0; i < f->nfields; i++)
			ids[i] = add_field(d, w, &f->fields[i]);
		if (f->next)
			tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _(f->next));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		for (int i = 0; i < f->nfields; i++)
			read_field(d, w, &f->fields[i], ids[i]);
		tui_dialog_free(d);
		if (f->store)
			f->store(w);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc != TUI_NEXT || !f->check)
			return rc;
		bad = f->check(w, title, &cause);
		if (bad == CHECK_OK)
			return TUI_NEXT;
		if (bad == CHECK_IDLE)
			return TUI_IDLE;
		if (bad >= 0) {
			if (cause)
				refuse(title, cause, ids[bad], &focus);
			else
				focus = ids[bad];
		}
		/* The idle logout may have come while the refusal was on the screen. */
		if (w->app->unwinding)
			return TUI_IDLE;
	}
}

/*
 * A page that lists what the guest has (disks, cards) with buttons to add one, through
 * @add, and to remove the row under the cursor.
 */
struct list_page {
	const char *title, *help, *empty, *add;     /* N_() */
	int rows;
	void (*enter)(struct wiz *w);
	size_t (*count)(const struct wiz *w);
	char *(*row)(const struct wiz *w, size_t i);
	const struct form *add_form;
	void (*remove)(struct wiz *w, size_t i);
	const char *pick;                           /* N_() label of a second way to add, or NULL */
	void (*pick_fn)(struct wiz *w);
};

static int run_list(struct wiz *w, const struct list_page *p)
{
	if (p->enter)
		p->enter(w);
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_(p->title));
		size_t n = p->count(w);
		int list, add, del, pick = -1, rc, sel;

		tui_dialog_text(d, _(p->help));
		list = tui_dialog_list(d, NULL, 0, 0, p->rows);
		for (size_t i = 0; i < n; i++)
			tui_dialog_list_add(d, list, p->row(w, i));
		if (!n)
			tui_dialog_list_add(d, list, strdup(_(p->empty)));
		add = tui_dialog_button(d, _(p->add));
		if (p->pick)
			pick = tui_dialog_button(d, _(p->pick));
		del = tui_dialog_button(d, _("Remove"));
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc == TUI_EXTRA + add) {
			if (run_form(w, p->add_form) == TUI_IDLE)
				return TUI_IDLE;
		} else if (pick >= 0 && rc == TUI_EXTRA + pick) {
			p->pick_fn(w);
			if (w->app->unwinding)
				return TUI_IDLE;
		} else if (rc == TUI_EXTRA + del) {
			if (sel >= 0 && (size_t)sel < n)
				p->remove(w, (size_t)sel);
		} else {
			return rc;
		}
	}
}

/* ---- system ---------------------------------------------------------------- */

static const char *const archs[] = { "64-bit (x86_64)", "32-bit (i686)" };

enum { SYS_NAME, SYS_ARCH, SYS_MEMORY, SYS_VCPUS, SYS_SOCKETS, SYS_CORES, SYS_THREADS };

static const struct field system_fields[] = {
	[SYS_NAME] = { F_TEXT, N_("Name:"), TEXT(name) },
	[SYS_ARCH] = { F_RADIO, N_("Architecture:"), SLOT(arch), CHOICES(archs), .verbatim = true },
	[SYS_MEMORY] = { F_TEXT, N_("Memory (MiB):"), TEXT(memory) },
	[SYS_VCPUS] = { F_TEXT, N_("Virtual CPUs:"), TEXT(vcpus) },
	[SYS_SOCKETS] = { F_TEXT, N_("Sockets:"), TEXT(sockets) },
	[SYS_CORES] = { F_TEXT, N_("Cores per socket:"), TEXT(cores) },
	[SYS_THREADS] = { F_TEXT, N_("Threads per core:"), TEXT(threads) },
};

static void system_load(struct wiz *w)
{
	w->arch = w->g.arch == HV_ARCH_I686;
}

static void system_store(struct wiz *w)
{
	w->g.arch = w->arch == 1 ? HV_ARCH_I686 : HV_ARCH_X86_64;
}

static void rename_named_disks(struct wiz *w);

static int system_check(struct wiz *w, const char *title, char **cause)
{
	unsigned cpus[4];
	uint64_t kib;

	if (vc_check_name(w->name, w->taken, w->ntaken, cause) < 0)
		return SYS_NAME;
	if (vc_check_memory(w->memory, w->host_kib, &kib, cause) < 0)
		return SYS_MEMORY;
	if (!vc_memory_fits(w->app, w->name, kib, title))
		return w->app->unwinding ? CHECK_IDLE : SYS_MEMORY;
	if (vc_check_cpus(w->vcpus, w->sockets, w->cores, w->threads, w->host_cpus, cpus,
			  cause) < 0)
		return SYS_VCPUS;
	set_str(&w->g.name, w->name);
	rename_named_disks(w);
	w->g.memory_kib = kib;
	w->g.vcpus = cpus[0];
	w->g.sockets = cpus[1];
	w->g.cores = cpus[2];
	w->g.threads = cpus[3];
	return CHECK_OK;
}

static const struct form system_page = {
	.title = N_("New Guest: System"),
	.help = N_("Name the guest and choose its memory and virtual CPUs. Leave sockets, cores and threads empty unless the guest's software counts them."),
	.fields = system_fields, .nfields = sizeof(system_fields) / sizeof(system_fields[0]),
	.load = system_load, .store = system_store, .check = system_check,
};

/* ---- disks ----------------------------------------------------------------- */

static bool guest_uses(const struct hv_guest *g, const char *path)
{
	for (size_t i = 0; i < g->n_disks; i++)
		if (g->disks[i].path && !strcmp(g->disks[i].path, path))
			return true;
	return false;
}

/* The first free "<images>/<name>.img", "<name>-2.img"... for a new file. */
static char *default_path(struct wiz *w, enum hv_disk_kind kind)
{
	const char *ext = kind == HV_DISK_NEW_QCOW2 ? "qcow2" : "img";

	for (unsigned i = 1;; i++) {
		char *p = NULL;
		struct stat st;
		int n = i == 1 ? asprintf(&p, "%s/%s.%s", w->app->images_dir, w->g.name, ext) :
				 asprintf(&p, "%s/%s-%u.%s", w->app->images_dir, w->g.name, i, ext);

		if (n < 0)
			abort();
		if (lstat(p, &st) < 0 && !guest_uses(&w->g, p))
			return p;
		free(p);
	}
}

/* Targets are named again when hv_define() builds the XML, after a disk came or went. */
static void forget_targets(struct hv_guest *g)
{
	for (size_t i = 0; i < g->n_disks; i++) {
		free(g->disks[i].target);
		g->disks[i].target = NULL;
	}
}

/* A file name (malloc'd) the wizard chose after the guest's name, noted for a rename to carry along. */
static char *named_path(struct wiz *w, enum hv_disk_kind kind)
{
	char *p = default_path(w, kind);

	vc_strv_push(&w->named, &w->nnamed, p);
	return p;
}

static bool is_named(const struct wiz *w, const char *path)
{
	for (size_t i = 0; i < w->nnamed; i++)
		if (!strcmp(w->named[i], path))
			return true;
	return false;
}

/*
 * After the name changed on the System page, the new disks whose file the wizard named after the
 * old name get a file named after the new one; paths the operator typed stay as they are.
 */
static void rename_named_disks(struct wiz *w)
{
	for (size_t i = 0; i < w->g.n_disks; i++) {
		struct hv_disk *d = &w->g.disks[i];

		if ((d->kind != HV_DISK_NEW_RAW && d->kind != HV_DISK_NEW_QCOW2) || !d->path ||
		    !is_named(w, d->path))
			continue;
		/* Free the old name first so that default_path() may hand out the same number again. */
		free(d->path);
		d->path = NULL;
		d->path = named_path(w, d->kind);
	}
}

static void add_default_disk(struct wiz *w)
{
	struct hv_disk *d = hv_guest_add_disk(&w->g);

	if (!d)
		abort();
	d->kind = HV_DISK_NEW_RAW;
	d->path = named_path(w, HV_DISK_NEW_RAW);
	vc_check_size(DEFAULT_DISK_SIZE, &d->size, NULL);
}

static const char *const *disk_kinds(struct wiz *w, int *n)
{
	static const char *kinds[5];

	for (int i = 0; i < 5; i++)
		kinds[i] = vc_disk_kind_name((enum hv_disk_kind)i);
	*n = 5;
	return kinds;
}

enum { DISK_KIND, DISK_PATH, DISK_SIZE };

static const struct field disk_fields[] = {
	[DISK_KIND] = { F_RADIO, N_("Kind:"), SLOT(disk_kind), .dynamic = disk_kinds },
	[DISK_PATH] = { F_TEXT, N_("Path:"), TEXT(disk_path) },
	[DISK_SIZE] = { F_TEXT, N_("Size:"), TEXT(disk_size) },
};

static int disk_enter(struct wiz *w)
{
	w->disk_kind = HV_DISK_NEW_RAW;
	copy(w->disk_path, sizeof(w->disk_path), "");
	copy(w->disk_size, sizeof(w->disk_size), DEFAULT_DISK_SIZE);
	return TUI_NEXT;
}

static const char *disk_intro(struct wiz *w)
{
	snprintf(w->intro, sizeof(w->intro),
		 _("Leave the path empty for a new file in %s. A size is needed only for a new file."),
		 w->app->images_dir);
	return w->intro;
}

static int disk_check(struct wiz *w, const char *title, char **cause)
{
	enum hv_disk_kind kind = (enum hv_disk_kind)w->disk_kind;
	const char *path = w->disk_path;
	struct hv_disk disk;
	bool fresh;

	memset(&disk, 0, sizeof(disk));
	disk.kind = kind;
	fresh = kind == HV_DISK_NEW_RAW || kind == HV_DISK_NEW_QCOW2;
	if (fresh && vc_check_size(w->disk_size, &disk.size, cause) < 0)
		return DISK_SIZE;
	if (!*path && !fresh) {
		*cause = strdup(_("Type the path of the image file or of the device."));
		return DISK_PATH;
	}
	disk.path = *path ? strdup(path) : named_path(w, kind);
	if (guest_uses(&w->g, disk.path)) {
		base_cause(cause, -EEXIST, _("The guest uses %s already."), disk.path);
		free(disk.path);
		return DISK_PATH;
	}
	if (kind == HV_DISK_CDROM)
		disk.readonly = true;
	if (kind == HV_DISK_FILE) {
		size_t l = strlen(disk.path);

		disk.format = strdup(l > 6 && !strcmp(disk.path + l - 6, ".qcow2") ? "qcow2" :
				     "raw");
	}
	if (vc_check_disk(&disk, cause) < 0 || !vc_place_ok(w->app, &disk, cause)) {
		free(disk.path);
		free(disk.format);
		if (*cause)
			return DISK_PATH;
		return w->app->unwinding ? CHECK_IDLE : CHECK_STAY;
	}
	struct hv_disk *nd = hv_guest_add_disk(&w->g);

	if (!nd)
		abort();
	*nd = disk;
	forget_targets(&w->g);
	return CHECK_OK;
}

static const struct form add_disk_page = {
	.title = N_("Add a Disk"),
	.help_fn = disk_intro,
	.next = N_("Add"),
	.fields = disk_fields, .nfields = sizeof(disk_fields) / sizeof(disk_fields[0]),
	.enter = disk_enter, .check = disk_check,
};

/* The path first: on a narrow list it is what tells the disks apart. */
static char *disk_row(const struct wiz *w, size_t i)
{
	const struct hv_disk *d = &w->g.disks[i];
	char *row = NULL, size[32];

	if (d->kind == HV_DISK_NEW_RAW || d->kind == HV_DISK_NEW_QCOW2) {
		vc_fmt_mem(d->size / 1024, size, sizeof(size));
		if (asprintf(&row, "%zu. %s (%s, %s)", i + 1, d->path, vc_disk_kind_name(d->kind),
			     size) < 0)
			abort();
	} else if (asprintf(&row, "%zu. %s (%s)", i + 1, d->path ? d->path : "",
			    vc_disk_kind_name(d->kind)) < 0) {
		abort();
	}
	return row;
}

static size_t disk_count(const struct wiz *w)
{
	return w->g.n_disks;
}

static void disks_enter(struct wiz *w)
{
	if (!w->disks_seen) {
		add_default_disk(w);
		w->disks_seen = true;
	}
}

static void disk_remove(struct wiz *w, size_t sel)
{
	struct hv_disk *v = w->g.disks;

	free(v[sel].path);
	free(v[sel].format);
	free(v[sel].target);
	free(v[sel].bus);
	free(v[sel].cache);
	free(v[sel].io);
	memmove(&v[sel], &v[sel + 1], (w->g.n_disks - sel - 1) * sizeof(*v));
	w->g.n_disks--;
	forget_targets(&w->g);
}

/* A disk from the storage pools: a new file in a chosen pool, or an existing volume. */
static void disk_pick(struct wiz *w)
{
	if (vc_disk_pick(w->app, _("Add a Disk"), &w->g, w->g.name))
		forget_targets(&w->g);
}

static const struct list_page disks_page = {
	.title = N_("New Guest: Disks"),
	.help = N_("The guest's disks, in the order it sees them. New files are sparse: they take space only as the guest writes."),
	.empty = N_("(no disks)"), .add = N_("Add disk"), .rows = 5,
	.enter = disks_enter, .count = disk_count, .row = disk_row,
	.add_form = &add_disk_page, .remove = disk_remove,
	.pick = N_("From a pool"), .pick_fn = disk_pick,
};

/* ---- network cards --------------------------------------------------------- */

static const char *const nic_models[] = { "virtio", "e1000" };

static const char *const *host_bridges(struct wiz *w, int *n)
{
	*n = (int)w->nbridges;
	return (const char *const *)w->bridges;
}

enum { NIC_BRIDGE, NIC_MAC, NIC_MODEL };

static const struct field nic_fields[] = {
	[NIC_BRIDGE] = { F_LIST, NULL, SLOT(nic_bridge), .dynamic = host_bridges, .rows = 4 },
	[NIC_MAC] = { F_TEXT, N_("MAC address:"), TEXT(mac) },
	[NIC_MODEL] = { F_RADIO, N_("Model:"), SLOT(nic_model), CHOICES(nic_models),
			.verbatim = true },
};

static int nic_enter(struct wiz *w)
{
	if (!w->nbridges) {
		tui_message(_("Add a Network Card"),
			    _("This host has no bridges, so a network card would have nothing to connect to. Make a bridge on the host first."));
		return TUI_BACK;
	}
	hv_mac_generate(w->app->conn && hv_is_xen(w->app->conn), w->mac);
	w->nic_bridge = 0;
	w->nic_model = 0;
	return TUI_NEXT;
}

static int nic_check(struct wiz *w, const char *title, char **cause)
{
	char **used = calloc(w->nmacs + w->g.n_nics + 1, sizeof(*used));
	size_t nused = 0;
	int rc;

	if (!used)
		abort();
	for (size_t i = 0; i < w->nmacs; i++)
		used[nused++] = w->macs[i];
	for (size_t i = 0; i < w->g.n_nics; i++)
		used[nused++] = w->g.nics[i].mac;
	rc = vc_check_mac(w->mac, used, nused, cause);
	free(used);
	if (rc < 0)
		return NIC_MAC;
	struct hv_nic *nic = hv_guest_add_nic(&w->g);

	if (!nic)
		abort();
	nic->bridge = strdup(w->bridges[w->nic_bridge]);
	copy(nic->mac, sizeof(nic->mac), w->mac);
	nic->model = strdup(nic_models[w->nic_model]);
	return CHECK_OK;
}

static const struct form add_nic_page = {
	.title = N_("Add a Network Card"),
	.help = N_("The card connects to a bridge of the host. The MAC address was generated; type another one if the guest needs it."),
	.next = N_("Add"),
	.fields = nic_fields, .nfields = sizeof(nic_fields) / sizeof(nic_fields[0]),
	.enter = nic_enter, .check = nic_check,
};

static char *nic_row(const struct wiz *w, size_t i)
{
	char *row = NULL;

	if (asprintf(&row, "%zu. %s  %s  %s", i + 1, w->g.nics[i].bridge, w->g.nics[i].mac,
		     w->g.nics[i].model) < 0)
		abort();
	return row;
}

static size_t nic_count(const struct wiz *w)
{
	return w->g.n_nics;
}

static void nic_remove(struct wiz *w, size_t sel)
{
	struct hv_nic *v = w->g.nics;

	free(v[sel].bridge);
	free(v[sel].model);
	memmove(&v[sel], &v[sel + 1], (w->g.n_nics - sel - 1) * sizeof(*v));
	w->g.n_nics--;
}

static const struct list_page nics_page = {
	.title = N_("New Guest: Network"),
	.help = N_("The guest's network cards, each on a bridge of the host."),
	.empty = N_("(no network cards)"), .add = N_("Add card"), .rows = 4,
	.count = nic_count, .row = nic_row, .add_form = &add_nic_page, .remove = nic_remove,
};

/* ---- display and console ------------------------------------------------------ */

enum { DISP_VNC, DISP_LISTEN, DISP_PORT, DISP_PASSWORD, DISP_SERIAL };

static const struct field display_fields[] = {
	[DISP_VNC] = { F_CHECK, N_("VNC display"), SLOT(g.vnc) },
	[DISP_LISTEN] = { F_TEXT, N_("Listen address:"), TEXT(listen) },
	[DISP_PORT] = { F_TEXT, N_("Port:"), TEXT(port) },
	[DISP_PASSWORD] = { F_SECRET, N_("Password:"), TEXT(password) },
	[DISP_SERIAL] = { F_CHECK, N_("Serial console"), SLOT(g.serial) },
};

static int display_check(struct wiz *w, const char *title, char **cause)
{
	int p;

	if (!w->g.vnc)
		return CHECK_OK;
	if (vc_check_listen(w->listen, cause) < 0)
		return DISP_LISTEN;
	if (!vc_listen_is_loopback(w->listen)) {
		char *q = NULL;
		bool yes;

		/* VNC's own authentication is weak and unencrypted: off loopback it is exposed. */
		if (asprintf(&q, _("The display would listen on %s, reachable from the network, not only through an SSH tunnel. VNC passwords and the screen travel unencrypted. Listen on %s anyway?"),
			     w->listen, w->listen) < 0)
			abort();
		yes = tui_ask(title, q, _("Listen there"), _("Cancel"));
		free(q);
		if (w->app->unwinding)
			return CHECK_IDLE;
		if (!yes)
			return DISP_LISTEN;
	}
	if (vc_check_port(w->port, &p, cause) < 0)
		return DISP_PORT;
	if (strlen(w->password) > 8) {
		*cause = strdup(_("A VNC password can have at most 8 characters."));
		return DISP_PASSWORD;
	}
	set_str(&w->g.vnc_listen, w->listen);
	w->g.vnc_port = p;
	if (*w->password) {
		set_str(&w->g.vnc_password, w->password);
	} else {
		/* A password nobody is told: only the VNC screen's one-time ones open it. */
		char secret[9];

		if (vc_random_password(secret) < 0) {
			*cause = strdup(_("No random password could be made."));
			return DISP_PASSWORD;
		}
		set_str(&w->g.vnc_password, secret);
		explicit_bzero(secret, sizeof(secret));
	}
	return CHECK_OK;
}

static const struct form display_page = {
	.title = N_("New Guest: Display and Console"),
	.help = N_("The VNC display listens on this host only unless another address is given. Leave the password empty to open it only with the one-time passwords of the VNC screen."),
	.fields = display_fields, .nfields = sizeof(display_fields) / sizeof(display_fields[0]),
	.check = display_check,
};

/* ---- features and life cycle ----------------------------------------------------- */

static const enum hv_lifecycle lc_choice[] = { HV_LC_DESTROY, HV_LC_RESTART, HV_LC_PRESERVE };
/* TRANSLATORS: what to do with a guest that powers off, reboots or crashes. */
static const char *const lc_names[] = { N_("Stop"), N_("Restart"), N_("Keep") };

static int lc_index(enum hv_lifecycle lc)
{
	for (int i = 0; i < 3; i++)
		if (lc_choice[i] == lc)
			return i;
	return 0;
}

enum { FEAT_ACPI, FEAT_APIC, FEAT_PAE, FEAT_POWEROFF, FEAT_REBOOT, FEAT_CRASH, FEAT_AUTOSTART };

static const struct field features_fields[] = {
	[FEAT_ACPI] = { F_CHECK, N_("ACPI (power button, shutdown)"), SLOT(g.acpi) },
	[FEAT_APIC] = { F_CHECK, N_("APIC (interrupt controller)"), SLOT(g.apic) },
	[FEAT_PAE] = { F_CHECK, N_("PAE (more than 4 GiB in a 32-bit guest)"), SLOT(g.pae) },
	[FEAT_POWEROFF] = { F_RADIO, N_("On power off:"), SLOT(on_poweroff), CHOICES(lc_names) },
	[FEAT_REBOOT] = { F_RADIO, N_("On reboot:"), SLOT(on_reboot), CHOICES(lc_names) },
	[FEAT_CRASH] = { F_RADIO, N_("On a crash:"), SLOT(on_crash), CHOICES(lc_names) },
	[FEAT_AUTOSTART] = { F_CHECK, N_("Start when the host boots"), SLOT(g.autostart) },
};

static void features_load(struct wiz *w)
{
	w->on_poweroff = lc_index(w->g.on_poweroff);
	w->on_reboot = lc_index(w->g.on_reboot);
	w->on_crash = lc_index(w->g.on_crash);
}

static void features_store(struct wiz *w)
{
	w->g.on_poweroff = lc_choice[w->on_poweroff];
	w->g.on_reboot = lc_choice[w->on_reboot];
	w->g.on_crash = lc_choice[w->on_crash];
}

static const struct form features_page = {
	.title = N_("New Guest: Features"),
	.help = N_("Turn ACPI off for an old 32-bit guest that cannot shut down or reboot by itself. Keep leaves a stopped guest in memory to be inspected."),
	.fields = features_fields, .nfields = sizeof(features_fields) / sizeof(features_fields[0]),
	.load = features_load, .store = features_store,
};

/* ---- boot ------------------------------------------------------------------------ */

static bool is_file(const char *path)
{
	struct stat st;

	return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

enum { BOOT_ORDER, BOOT_KERNEL, BOOT_INITRD, BOOT_CMDLINE };

static const struct field boot_fields[] = {
	[BOOT_ORDER] = { F_RADIO, N_("Boot order:"), SLOT(order), CHOICES(vc_boot_order_names) },
	[BOOT_KERNEL] = { F_TEXT, N_("Kernel:"), TEXT(kernel) },
	[BOOT_INITRD] = { F_TEXT, N_("Initrd:"), TEXT(initrd) },
	[BOOT_CMDLINE] = { F_TEXT, N_("Command line:"), TEXT(cmdline) },
};

static void boot_load(struct wiz *w)
{
	w->order = vc_boot_order_index(w->g.boot);
}

static void boot_store(struct wiz *w)
{
	memset(w->g.boot, 0, sizeof(w->g.boot));
	memcpy(w->g.boot, vc_boot_orders[w->order], sizeof(vc_boot_orders[0]));
}

static int boot_check(struct wiz *w, const char *title, char **cause)
{
	if (*w->kernel && !is_file(w->kernel)) {
		base_cause(cause, -ENOENT, _("The kernel %s is not a file on this host."), w->kernel);
		return BOOT_KERNEL;
	}
	if (*w->initrd && !is_file(w->initrd)) {
		base_cause(cause, -ENOENT, _("The initrd %s is not a file on this host."), w->initrd);
		return BOOT_INITRD;
	}
	if (!*w->kernel && (*w->initrd || *w->cmdline)) {
		*cause = strdup(_("An initrd or a command line needs a kernel."));
		return BOOT_KERNEL;
	}
	set_str(&w->g.kernel, w->kernel);
	set_str(&w->g.initrd, w->initrd);
	set_str(&w->g.cmdline, w->cmdline);
	return CHECK_OK;
}

static const struct form boot_page = {
	.title = N_("New Guest: Boot"),
	.help = N_("Where the guest boots from. For a direct kernel boot give a kernel and initrd of this host; leave them empty to boot from the devices."),
	.fields = boot_fields, .nfields = sizeof(boot_fields) / sizeof(boot_fields[0]),
	.load = boot_load, .store = boot_store, .check = boot_check,
};

/* ---- summary and define ------------------------------------------------------------- */

/*
 * Build the domain XML and read it back, taking the disk targets and buses
 * libvirt will see, so that the summary speaks of the real result.
 */
static void resolve_from_xml(struct wiz *w)
{
	struct hv_guest *rt = NULL;
	char *xml = NULL;

	if (!w->app->conn || hv_guest_to_xml(&w->g, hv_virt_type(w->app->conn), &xml, NULL) < 0)
		return;
	if (hv_guest_from_xml(xml, &rt, NULL) == 0) {
		for (size_t i = 0; i < w->g.n_disks && i < rt->n_disks; i++) {
			if (!w->g.disks[i].target && rt->disks[i].target)
				w->g.disks[i].target = strdup(rt->disks[i].target);
			if (!w->g.disks[i].bus && rt->disks[i].bus)
				w->g.disks[i].bus = strdup(rt->disks[i].bus);
		}
		hv_guest_free(rt);
	}
	free(xml);
}

/* Lines cut at spaces to fit @width columns, for a list that cannot wrap. */
static void wrap_into(struct tui_dialog *d, int list, const char *text, int width)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		int avail = first ? width : width - 4;
		size_t cut;

		tui_cut(p, avail, &cut);
		if (p[cut]) {
			size_t sp = cut;

			while (sp > 0 && p[sp] != ' ')
				sp--;
			if (sp > 0)
				cut = sp;
		}
		char *row = NULL;

		if (asprintf(&row, "%s%.*s", first ? "" : "    ", (int)cut, p) < 0)
			abort();
		tui_dialog_list_add(d, list, row);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	}
}

static bool has_new_file_in(const struct hv_guest *g, const char *dir)
{
	size_t l = strlen(dir);

	for (size_t i = 0; i < g->n_disks; i++) {
		const struct hv_disk *d = &g->disks[i];

		if ((d->kind == HV_DISK_NEW_RAW || d->kind == HV_DISK_NEW_QCOW2) && d->path &&
		    !strncmp(d->path, dir, l) && d->path[l] == '/')
			return true;
	}
	return false;
}

static int define(struct wiz *w)
{
	char *cause = NULL;
	const char *title = _("New Guest");

	/* Root confirmed each host path when it was added; a member has none. */
	/* A bridge may have gone since the card was added (the Network screen, ip link). */
	if (hv_guest_check(&w->g, w->host_kib, &cause) < 0 ||
	    vc_check_bridges(&w->g, "/sys/class/net", &cause) < 0 ||
	    (has_new_file_in(&w->g, w->app->images_dir) &&
	     hv_pool_ensure(w->app->conn, VC_POOL, w->app->images_dir, &cause) < 0) ||
	    hv_define_flags(w->app->conn, &w->g, w->app->root ? HV_HOST_PATHS : 0, &cause) < 0) {
		vc_error(title, cause);
		return -1;
	}
	vc_audit(w->app->user, "guest %s: defined", w->g.name);
	vc_refresh(w->app, true);
	char *q = NULL;

	if (asprintf(&q, _("The guest %s is defined. Start it now?"), w->g.name) < 0)
		abort();
	if (tui_ask(title, q, _("Start"), _("Not now")) && !w->app->unwinding &&
	    vc_memory_fits(w->app, w->g.name, w->g.memory_kib, _("Start"))) {
		int rc = hv_start(w->app->conn, w->g.name, &cause);

		vc_audit(w->app->user, "guest %s: Start%s", w->g.name, rc < 0 ? " failed" : "");
		if (rc < 0)
			vc_error(title, cause);
	}
	free(q);
	return 0;
}

static int page_summary(struct wiz *w)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("New Guest: Summary"));
		char **lines = NULL;
		size_t n = 0;
		int list, rc;

		resolve_from_xml(w);
		vc_guest_describe_on(&w->g, hv_virt_type(w->app->conn), &lines, &n);
		tui_dialog_text(d, _("This guest will be defined. Go back to change it."));
		/* Short enough to sit inside the guest list's window, under its title line. */
		list = tui_dialog_list(d, NULL, 0, 0, 9);
		for (size_t i = 0; i < n; i++)
			wrap_into(d, list, lines[i], tui_dialog_list_width());
		vc_strv_free(lines, n);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Create"));
		rc = tui_dialog_run(d);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc != TUI_NEXT)
			return rc;
		if (define(w) == 0)
			return TUI_NEXT;
	}
}

int vc_scr_wizard(struct vc_app *app)
{
	/* The pages in order; each is one of the three kinds. */
	static const struct {
		const struct form *form;
		const struct list_page *list;
		int (*run)(struct wiz *w);
	} pages[] = {
		{ .form = &system_page }, { .list = &disks_page }, { .list = &nics_page },
		{ .form = &display_page }, { .form = &features_page }, { .form = &boot_page },
		{ .run = page_summary },
	};
	const size_t npages = sizeof(pages) / sizeof(pages[0]);
	struct wiz w;
	size_t i = 0;
	int rc = VC_BACK;

	if (!vc_need_conn(app, _("New Guest")))
		return VC_BACK;
	/* With templates on this host, the first question is whether to start from one. */
	rc = vc_wizard_template(app);
	if (rc != VC_NEXT)
		return rc;
	rc = VC_BACK;
	wiz_init(&w, app);
	/* New disks are made only in storage pools: the console's images folder is one. */
	{
		char *cause = NULL;

		if (hv_pool_ensure(app->conn, VC_POOL, app->images_dir, &cause) < 0)
			vc_error(_("New Guest"), cause);
	}
	while (i < npages) {
		int prc = pages[i].form ? run_form(&w, pages[i].form) :
			  pages[i].list ? run_list(&w, pages[i].list) : pages[i].run(&w);

		if (prc == TUI_IDLE || app->unwinding) {
			rc = VC_LOGOUT;
			break;
		}
		if (prc == TUI_BACK) {
			if (i == 0)
				break;
			i--;
		} else {
			i++;
		}
	}
	wiz_clear(&w);
	return rc;
}
