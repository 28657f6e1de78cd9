/* The create-guest wizard: pages that fill a struct hv_guest, refuse bad input on its field, and a summary before hv_define(). */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "tui/i18n.h"

#include <errno.h>
#include <limits.h>
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
	char **taken, **macs, **bridges;
	size_t ntaken, nmacs, nbridges;
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

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		abort();
	*v = nv;
	nv[(*n)++] = strdup(s);
	return 0;
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
	copy(w->listen, sizeof(w->listen), "127.0.0.1");
	copy(w->port, sizeof(w->port), _("auto"));
	if (app->host_ok) {
		w->host_kib = app->host.memory_kib;
		w->host_cpus = app->host.cpus;
	}
	for (size_t i = 0; i < app->model.nrows; i++) {
		struct hv_guest *o = NULL;

		strv_push(&w->taken, &w->ntaken, app->model.rows[i].name);
		if (hv_get(app->conn, app->model.rows[i].name, &o, NULL) < 0)
			continue;
		for (size_t k = 0; k < o->n_nics; k++)
			if (o->nics[k].mac[0])
				strv_push(&w->macs, &w->nmacs, o->nics[k].mac);
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

/* ---- system ---------------------------------------------------------------- */

static int page_system(struct wiz *w)
{
	static const char *const archs[] = { "64-bit (x86_64)", "32-bit (i686)" };
	int focus = -1;

	for (;;) {
		const char *title = _("New Guest: System");
		struct tui_dialog *d = tui_dialog_new(title);
		int name, arch, mem, vc, so, co, th, rc;
		unsigned cpus[4];
		uint64_t kib;
		char *cause = NULL;

		tui_dialog_text(d, _("Name the guest and choose its memory and virtual CPUs. Leave sockets, cores and threads empty unless the guest's software counts them."));
		name = tui_dialog_entry(d, _("Name:"), w->name, 0);
		arch = tui_dialog_radio(d, _("Architecture:"), archs, 2, w->g.arch == HV_ARCH_I686);
		mem = tui_dialog_entry(d, _("Memory (MiB):"), w->memory, 0);
		vc = tui_dialog_entry(d, _("Virtual CPUs:"), w->vcpus, 0);
		so = tui_dialog_entry(d, _("Sockets:"), w->sockets, 0);
		co = tui_dialog_entry(d, _("Cores per socket:"), w->cores, 0);
		th = tui_dialog_entry(d, _("Threads per core:"), w->threads, 0);
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		copy(w->name, sizeof(w->name), tui_dialog_value(d, name));
		w->g.arch = tui_dialog_selected(d, arch) == 1 ? HV_ARCH_I686 : HV_ARCH_X86_64;
		copy(w->memory, sizeof(w->memory), tui_dialog_value(d, mem));
		copy(w->vcpus, sizeof(w->vcpus), tui_dialog_value(d, vc));
		copy(w->sockets, sizeof(w->sockets), tui_dialog_value(d, so));
		copy(w->cores, sizeof(w->cores), tui_dialog_value(d, co));
		copy(w->threads, sizeof(w->threads), tui_dialog_value(d, th));
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc != TUI_NEXT)
			return rc;
		if (vc_check_name(w->name, w->taken, w->ntaken, &cause) < 0) {
			refuse(title, cause, name, &focus);
			continue;
		}
		if (vc_check_memory(w->memory, w->host_kib, &kib, &cause) < 0) {
			refuse(title, cause, mem, &focus);
			continue;
		}
		if (vc_check_cpus(w->vcpus, w->sockets, w->cores, w->threads, w->host_cpus, cpus,
				  &cause) < 0) {
			refuse(title, cause, vc, &focus);
			continue;
		}
		set_str(&w->g.name, w->name);
		w->g.memory_kib = kib;
		w->g.vcpus = cpus[0];
		w->g.sockets = cpus[1];
		w->g.cores = cpus[2];
		w->g.threads = cpus[3];
		return TUI_NEXT;
	}
}

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

static void add_default_disk(struct wiz *w)
{
	struct hv_disk *d = hv_guest_add_disk(&w->g);

	if (!d)
		abort();
	d->kind = HV_DISK_NEW_RAW;
	d->path = default_path(w, HV_DISK_NEW_RAW);
	vc_check_size(DEFAULT_DISK_SIZE, &d->size, NULL);
}

/*
 * Whether the operator may give the guest this disk: in a pool, or (root only) elsewhere on the
 * host once confirmed by name. False with @cause when refused, without when not confirmed.
 */
static bool place_ok(struct wiz *w, const struct hv_disk *d, char **cause)
{
	enum hv_place place;
	char *q = NULL;
	bool yes;

	*cause = NULL;
	if (hv_disk_place(w->app->conn, d, w->app->root ? HV_HOST_PATHS : 0, &place, cause) < 0)
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

static int add_disk(struct wiz *w)
{
	const char *kinds[5];
	enum hv_disk_kind kind = HV_DISK_NEW_RAW;
	char path[PATH_MAX] = "", size[32] = DEFAULT_DISK_SIZE, intro[PATH_MAX + 256];
	int focus = -1;

	for (;;) {
		const char *title = _("Add a Disk");
		struct tui_dialog *d = tui_dialog_new(title);
		struct hv_disk disk;
		char *cause = NULL;
		bool fresh;
		int k, p, s, rc;

		for (int i = 0; i < 5; i++)
			kinds[i] = vc_disk_kind_name((enum hv_disk_kind)i);
		snprintf(intro, sizeof(intro),
			 _("Leave the path empty for a new file in %s. A size is needed only for a new file."),
			 w->app->images_dir);
		tui_dialog_text(d, intro);
		k = tui_dialog_radio(d, _("Kind:"), kinds, 5, kind);
		p = tui_dialog_entry(d, _("Path:"), path, 0);
		s = tui_dialog_entry(d, _("Size:"), size, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Add"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		kind = (enum hv_disk_kind)tui_dialog_selected(d, k);
		copy(path, sizeof(path), tui_dialog_value(d, p));
		copy(size, sizeof(size), tui_dialog_value(d, s));
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc != TUI_NEXT)
			return rc;
		memset(&disk, 0, sizeof(disk));
		disk.kind = kind;
		fresh = kind == HV_DISK_NEW_RAW || kind == HV_DISK_NEW_QCOW2;
		if (fresh && vc_check_size(size, &disk.size, &cause) < 0) {
			refuse(title, cause, s, &focus);
			continue;
		}
		if (!*path && !fresh) {
			refuse(title, strdup(_("Type the path of the image file or of the device.")), p,
			       &focus);
			continue;
		}
		disk.path = *path ? strdup(path) : default_path(w, kind);
		if (guest_uses(&w->g, disk.path)) {
			hcfg_cause(&cause, -EEXIST, _("The guest uses %s already."), disk.path);
			free(disk.path);
			refuse(title, cause, p, &focus);
			continue;
		}
		if (kind == HV_DISK_CDROM)
			disk.readonly = true;
		if (kind == HV_DISK_FILE) {
			size_t l = strlen(disk.path);

			disk.format = strdup(l > 6 && !strcmp(disk.path + l - 6, ".qcow2") ? "qcow2" :
					     "raw");
		}
		if (vc_check_disk(&disk, &cause) < 0 || !place_ok(w, &disk, &cause)) {
			free(disk.path);
			free(disk.format);
			if (cause)
				refuse(title, cause, p, &focus);
			if (w->app->unwinding)
				return TUI_IDLE;
			continue;
		}
		struct hv_disk *nd = hv_guest_add_disk(&w->g);

		if (!nd)
			abort();
		*nd = disk;
		forget_targets(&w->g);
		return TUI_NEXT;
	}
}

/* The path first: on a narrow list it is what tells the disks apart. */
static char *disk_row(const struct hv_disk *d, size_t i)
{
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

static int page_disks(struct wiz *w)
{
	if (!w->disks_seen) {
		add_default_disk(w);
		w->disks_seen = true;
	}
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("New Guest: Disks"));
		int list, add, del, rc, sel;

		tui_dialog_text(d, _("The guest's disks, in the order it sees them. New files are sparse: they take space only as the guest writes."));
		list = tui_dialog_list(d, NULL, 0, 0, 5);
		for (size_t i = 0; i < w->g.n_disks; i++)
			tui_dialog_list_add(d, list, disk_row(&w->g.disks[i], i));
		if (!w->g.n_disks)
			tui_dialog_list_add(d, list, strdup(_("(no disks)")));
		add = tui_dialog_button(d, _("Add disk"));
		del = tui_dialog_button(d, _("Remove"));
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc == TUI_EXTRA + add) {
			if (add_disk(w) == TUI_IDLE)
				return TUI_IDLE;
		} else if (rc == TUI_EXTRA + del) {
			if (sel >= 0 && (size_t)sel < w->g.n_disks) {
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
		} else {
			return rc;
		}
	}
}

/* ---- network cards --------------------------------------------------------- */

static int add_nic(struct wiz *w)
{
	static const char *const models[] = { "virtio", "e1000" };
	char mac[32];
	int bridge = 0, model = 0, focus = -1;

	if (!w->nbridges) {
		tui_message(_("Add a Network Card"),
			    _("This host has no bridges, so a network card would have nothing to connect to. Make a bridge on the host first."));
		return TUI_BACK;
	}
	hv_mac_generate(w->app->conn && hv_is_xen(w->app->conn), mac);
	for (;;) {
		const char *title = _("Add a Network Card");
		struct tui_dialog *d = tui_dialog_new(title);
		char **used = calloc(w->nmacs + w->g.n_nics + 1, sizeof(*used));
		char *cause = NULL;
		int b, m, md, rc;
		size_t nused = 0;

		if (!used)
			abort();
		tui_dialog_text(d, _("The card connects to a bridge of the host. The MAC address was generated; type another one if the guest needs it."));
		b = tui_dialog_list(d, (const char *const *)w->bridges, (int)w->nbridges, bridge,
				    w->nbridges < 4 ? (int)w->nbridges : 4);
		m = tui_dialog_entry(d, _("MAC address:"), mac, 0);
		md = tui_dialog_radio(d, _("Model:"), models, 2, model);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Add"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		bridge = tui_dialog_selected(d, b);
		copy(mac, sizeof(mac), tui_dialog_value(d, m));
		model = tui_dialog_selected(d, md);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN || rc != TUI_NEXT) {
			free(used);
			if (rc == PAGE_AGAIN)
				continue;
			return rc;
		}
		for (size_t i = 0; i < w->nmacs; i++)
			used[nused++] = w->macs[i];
		for (size_t i = 0; i < w->g.n_nics; i++)
			used[nused++] = w->g.nics[i].mac;
		rc = vc_check_mac(mac, used, nused, &cause);
		free(used);
		if (rc < 0) {
			refuse(title, cause, m, &focus);
			continue;
		}
		struct hv_nic *nic = hv_guest_add_nic(&w->g);

		if (!nic)
			abort();
		nic->bridge = strdup(w->bridges[bridge]);
		copy(nic->mac, sizeof(nic->mac), mac);
		nic->model = strdup(models[model]);
		return TUI_NEXT;
	}
}

static int page_nics(struct wiz *w)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("New Guest: Network"));
		int list, add, del, rc, sel;

		tui_dialog_text(d, _("The guest's network cards, each on a bridge of the host."));
		list = tui_dialog_list(d, NULL, 0, 0, 4);
		for (size_t i = 0; i < w->g.n_nics; i++) {
			char *row = NULL;

			if (asprintf(&row, "%zu. %s  %s  %s", i + 1, w->g.nics[i].bridge,
				     w->g.nics[i].mac, w->g.nics[i].model) < 0)
				abort();
			tui_dialog_list_add(d, list, row);
		}
		if (!w->g.n_nics)
			tui_dialog_list_add(d, list, strdup(_("(no network cards)")));
		add = tui_dialog_button(d, _("Add card"));
		del = tui_dialog_button(d, _("Remove"));
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc == TUI_EXTRA + add) {
			if (add_nic(w) == TUI_IDLE)
				return TUI_IDLE;
		} else if (rc == TUI_EXTRA + del) {
			if (sel >= 0 && (size_t)sel < w->g.n_nics) {
				struct hv_nic *v = w->g.nics;

				free(v[sel].bridge);
				free(v[sel].model);
				memmove(&v[sel], &v[sel + 1], (w->g.n_nics - sel - 1) * sizeof(*v));
				w->g.n_nics--;
			}
		} else {
			return rc;
		}
	}
}

/* ---- display and console ------------------------------------------------------ */

static int page_display(struct wiz *w)
{
	int focus = -1;

	for (;;) {
		const char *title = _("New Guest: Display and Console");
		struct tui_dialog *d = tui_dialog_new(title);
		int vnc, listen, port, pw, serial, rc, p;
		char *cause = NULL;

		tui_dialog_text(d, _("The VNC display listens on this host only unless another address is given. Leave the password empty to open it only with the one-time passwords of the VNC screen."));
		vnc = tui_dialog_check(d, _("VNC display"), w->g.vnc);
		listen = tui_dialog_entry(d, _("Listen address:"), w->listen, 0);
		port = tui_dialog_entry(d, _("Port:"), w->port, 0);
		pw = tui_dialog_entry(d, _("Password:"), w->password, TUI_ENTRY_HIDDEN);
		serial = tui_dialog_check(d, _("Serial console"), w->g.serial);
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		w->g.vnc = tui_dialog_checked(d, vnc);
		copy(w->listen, sizeof(w->listen), tui_dialog_value(d, listen));
		copy(w->port, sizeof(w->port), tui_dialog_value(d, port));
		copy(w->password, sizeof(w->password), tui_dialog_value(d, pw));
		w->g.serial = tui_dialog_checked(d, serial);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc != TUI_NEXT)
			return rc;
		if (!w->g.vnc)
			return TUI_NEXT;
		if (vc_check_listen(w->listen, &cause) < 0) {
			refuse(title, cause, listen, &focus);
			continue;
		}
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
				return TUI_IDLE;
			if (!yes) {
				focus = listen;
				continue;
			}
		}
		if (vc_check_port(w->port, &p, &cause) < 0) {
			refuse(title, cause, port, &focus);
			continue;
		}
		if (strlen(w->password) > 8) {
			refuse(title, strdup(_("A VNC password can have at most 8 characters.")), pw,
			       &focus);
			continue;
		}
		set_str(&w->g.vnc_listen, w->listen);
		w->g.vnc_port = p;
		if (*w->password) {
			set_str(&w->g.vnc_password, w->password);
		} else {
			/* A password nobody is told: only the VNC screen's one-time ones open it. */
			char secret[9];

			if (vc_random_password(secret) < 0) {
				refuse(title, strdup(_("No random password could be made.")), pw, &focus);
				continue;
			}
			set_str(&w->g.vnc_password, secret);
			explicit_bzero(secret, sizeof(secret));
		}
		return TUI_NEXT;
	}
}

/* ---- features and life cycle ----------------------------------------------------- */

static const enum hv_lifecycle lc_choice[] = { HV_LC_DESTROY, HV_LC_RESTART, HV_LC_PRESERVE };

static int lc_index(enum hv_lifecycle lc)
{
	for (int i = 0; i < 3; i++)
		if (lc_choice[i] == lc)
			return i;
	return 0;
}

static int page_features(struct wiz *w)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("New Guest: Features"));
		/* TRANSLATORS: what to do with a guest that powers off, reboots or crashes. */
		const char *lcs[3] = { _("Stop"), _("Restart"), _("Keep") };
		int acpi, apic, pae, off, reb, cra, aut, rc;

		tui_dialog_text(d, _("Turn ACPI off for an old 32-bit guest that cannot shut down or reboot by itself. Keep leaves a stopped guest in memory to be inspected."));
		acpi = tui_dialog_check(d, _("ACPI (power button, shutdown)"), w->g.acpi);
		apic = tui_dialog_check(d, _("APIC (interrupt controller)"), w->g.apic);
		pae = tui_dialog_check(d, _("PAE (more than 4 GiB in a 32-bit guest)"), w->g.pae);
		off = tui_dialog_radio(d, _("On power off:"), lcs, 3, lc_index(w->g.on_poweroff));
		reb = tui_dialog_radio(d, _("On reboot:"), lcs, 3, lc_index(w->g.on_reboot));
		cra = tui_dialog_radio(d, _("On a crash:"), lcs, 3, lc_index(w->g.on_crash));
		aut = tui_dialog_check(d, _("Start when the host boots"), w->g.autostart);
		rc = tui_dialog_run(d);
		w->g.acpi = tui_dialog_checked(d, acpi);
		w->g.apic = tui_dialog_checked(d, apic);
		w->g.pae = tui_dialog_checked(d, pae);
		w->g.on_poweroff = lc_choice[tui_dialog_selected(d, off)];
		w->g.on_reboot = lc_choice[tui_dialog_selected(d, reb)];
		w->g.on_crash = lc_choice[tui_dialog_selected(d, cra)];
		w->g.autostart = tui_dialog_checked(d, aut);
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc != PAGE_AGAIN)
			return rc;
	}
}

/* ---- boot ------------------------------------------------------------------------ */

static const enum hv_boot_dev boot_orders[][3] = {
	{ HV_BOOT_HD, HV_BOOT_NONE },
	{ HV_BOOT_CDROM, HV_BOOT_HD, HV_BOOT_NONE },
	{ HV_BOOT_NETWORK, HV_BOOT_HD, HV_BOOT_NONE },
	{ HV_BOOT_HD, HV_BOOT_CDROM, HV_BOOT_NONE },
};
#define N_ORDERS (sizeof(boot_orders) / sizeof(boot_orders[0]))

static int order_index(const struct hv_guest *g)
{
	for (size_t i = 0; i < N_ORDERS; i++)
		if (!memcmp(g->boot, boot_orders[i], sizeof(boot_orders[i])))
			return (int)i;
	return 0;
}

static bool is_file(const char *path)
{
	struct stat st;

	return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int page_boot(struct wiz *w)
{
	int focus = -1;

	for (;;) {
		const char *title = _("New Guest: Boot");
		struct tui_dialog *d = tui_dialog_new(title);
		const char *orders[N_ORDERS] = { _("Disk"), _("CD-ROM, then disk"),
						 _("Network, then disk"), _("Disk, then CD-ROM") };
		int order, kernel, initrd, cmdline, rc;
		char *cause = NULL;

		tui_dialog_text(d, _("Where the guest boots from. For a direct kernel boot give a kernel and initrd of this host; leave them empty to boot from the devices."));
		order = tui_dialog_radio(d, _("Boot order:"), orders, N_ORDERS, order_index(&w->g));
		kernel = tui_dialog_entry(d, _("Kernel:"), w->kernel, 0);
		initrd = tui_dialog_entry(d, _("Initrd:"), w->initrd, 0);
		cmdline = tui_dialog_entry(d, _("Command line:"), w->cmdline, 0);
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		memset(w->g.boot, 0, sizeof(w->g.boot));
		memcpy(w->g.boot, boot_orders[tui_dialog_selected(d, order)], sizeof(boot_orders[0]));
		copy(w->kernel, sizeof(w->kernel), tui_dialog_value(d, kernel));
		copy(w->initrd, sizeof(w->initrd), tui_dialog_value(d, initrd));
		copy(w->cmdline, sizeof(w->cmdline), tui_dialog_value(d, cmdline));
		tui_dialog_free(d);
		rc = page_exit(rc);
		if (rc == PAGE_AGAIN)
			continue;
		if (rc != TUI_NEXT)
			return rc;
		if (*w->kernel && !is_file(w->kernel)) {
			hcfg_cause(&cause, -ENOENT, _("The kernel %s is not a file on this host."),
				   w->kernel);
			refuse(title, cause, kernel, &focus);
			continue;
		}
		if (*w->initrd && !is_file(w->initrd)) {
			hcfg_cause(&cause, -ENOENT, _("The initrd %s is not a file on this host."),
				   w->initrd);
			refuse(title, cause, initrd, &focus);
			continue;
		}
		if (!*w->kernel && (*w->initrd || *w->cmdline)) {
			refuse(title, strdup(_("An initrd or a command line needs a kernel.")), kernel,
			       &focus);
			continue;
		}
		set_str(&w->g.kernel, w->kernel);
		set_str(&w->g.initrd, w->initrd);
		set_str(&w->g.cmdline, w->cmdline);
		return TUI_NEXT;
	}
}

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
	if (hv_guest_check(&w->g, w->host_kib, &cause) < 0 ||
	    (has_new_file_in(&w->g, w->app->images_dir) &&
	     hv_pool_ensure(w->app->conn, VC_POOL, w->app->images_dir, &cause) < 0) ||
	    hv_define_flags(w->app->conn, &w->g, w->app->root ? HV_HOST_PATHS : 0, &cause) < 0) {
		vc_error(title, cause);
		return -1;
	}
	vc_refresh(w->app, true);
	char *q = NULL;

	if (asprintf(&q, _("The guest %s is defined. Start it now?"), w->g.name) < 0)
		abort();
	if (tui_ask(title, q, _("Start"), _("Not now")) && !w->app->unwinding &&
	    hv_start(w->app->conn, w->g.name, &cause) < 0)
		vc_error(title, cause);
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
		vc_guest_describe(&w->g, &lines, &n);
		tui_dialog_text(d, _("This guest will be defined. Go back to change it."));
		list = tui_dialog_list(d, NULL, 0, 0, 11);
		for (size_t i = 0; i < n; i++)
			/* newt keeps two columns each side for the border, and one for the scroll bar and its gap. */
			wrap_into(d, list, lines[i], tui_dialog_width() - 6);
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
	static int (*const pages[])(struct wiz *) = {
		page_system, page_disks, page_nics, page_display, page_features, page_boot,
		page_summary,
	};
	const size_t npages = sizeof(pages) / sizeof(pages[0]);
	struct wiz w;
	size_t i = 0;
	int rc = VC_BACK;

	if (!app->conn) {
		vc_error(_("New Guest"), app->conn_error ? strdup(app->conn_error) : NULL);
		return VC_BACK;
	}
	wiz_init(&w, app);
	/* New disks are made only in storage pools: the console's images folder is one. */
	{
		char *cause = NULL;

		if (hv_pool_ensure(app->conn, VC_POOL, app->images_dir, &cause) < 0)
			vc_error(_("New Guest"), cause);
	}
	while (i < npages) {
		int prc = pages[i](&w);

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
