/* The Storage screen: the host's disks, partitions, free regions, pools and the guests on them, and the dialogs of each action with its impact shown first. */
#include "vc.h"
#include "vc-stor.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stor_scr {
	struct tui_view *v;
	int list, info, help, btn;
	struct vc_stor st;
	struct vc_srow *rows;
	size_t n;
	char *error;              /* why the tree could not be read */
};

static void load(struct stor_scr *s, struct vc_app *app)
{
	char **keys, **texts;

	vc_srows_free(s->rows, s->n);
	s->rows = NULL;
	s->n = 0;
	vc_stor_clear(&s->st);
	free(s->error);
	s->error = NULL;
	if (vc_stor_load(app->conn, NULL, &s->st, &s->error) == 0)
		vc_stor_rows(&s->st, &s->rows, &s->n);
	keys = calloc(s->n ? s->n : 1, sizeof(*keys));
	texts = calloc(s->n ? s->n : 1, sizeof(*texts));
	if (!keys || !texts)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		keys[i] = s->rows[i].key;
		texts[i] = s->rows[i].text;
	}
	tui_view_list_reset(s->v, s->list, s->n, (const char *const *)texts,
			    (const char *const *)keys);
	free(keys);
	free(texts);
	if (s->error)
		tui_view_set_text(s->v, s->info, s->error);
	else if (!app->conn)
		tui_view_set_text(s->v, s->info,
				  _("Not connected to the hypervisor: the guests and pools are not shown."));
	else
		tui_view_set_text(s->v, s->info, "");
}

static void build(struct stor_scr *s, struct vc_app *app)
{
	const char *btns[] = { _("Back") };

	s->v = tui_view_new(_("Storage"), 20);
	s->list = tui_view_list(s->v, 1, 0, 0, 14);
	s->info = tui_view_text(s->v, 1, 15, 0, "");
	/* TRANSLATORS: the keys of the Storage screen; keep the letters as they are. */
	s->help = tui_view_text(s->v, 1, 16, 0,
				_("n new partition  g grow  d delete  f format  r remove pool"));
	s->btn = tui_view_buttons(s->v, btns, 1);
	tui_view_hotkey(s->v, 'n');
	tui_view_hotkey(s->v, 'g');
	tui_view_hotkey(s->v, 'd');
	tui_view_hotkey(s->v, 'f');
	tui_view_hotkey(s->v, 'r');
	load(s, app);
	tui_view_focus_list(s->v, s->list);
}

static const struct vc_srow *current(struct stor_scr *s)
{
	const char *key = tui_view_list_current(s->v, s->list);

	for (size_t i = 0; key && i < s->n; i++)
		if (!strcmp(s->rows[i].key, key))
			return &s->rows[i];
	return NULL;
}

static void who_of(struct vc_app *app, struct vc_who *w, char *tty, size_t len)
{
	const char *root = getenv("OSPITE_ROOT");
	char rhost[64];

	vc_login_tty(tty, len, rhost, sizeof(rhost));
	w->user = app->user;
	w->tty = tty;
	w->root = root && root[0] == '/' ? root : NULL;
}

/* Show what an action did, or why it failed. */
static void report(const char *title, int rc, char *done, char *cause)
{
	if (rc < 0)
		vc_error(title, cause);
	else
		tui_message(title, done);
	free(done);
}

/*
 * After the confirmation, the tree read again: the action runs on what the host is now, and only
 * when its impact is still the one the operator confirmed (a guest may have started meanwhile).
 */
static bool still_same(struct stor_scr *s, struct vc_app *app, const char *title,
		       const char *shown, const char *target, const char *pool, bool delvols)
{
	struct vc_impact im;
	char *now = NULL;
	bool same;
	int rc;

	vc_srows_free(s->rows, s->n);
	s->rows = NULL;
	s->n = 0;
	vc_stor_clear(&s->st);
	if (vc_stor_load(app->conn, NULL, &s->st, NULL) < 0) {
		tui_message(title, _("The storage could not be read again: nothing was changed."));
		return false;
	}
	rc = pool ? vc_stor_pool_impact(&s->st, pool, delvols, &im, NULL) :
	     vc_stor_impact(&s->st, target, &im, NULL);
	if (rc == 0)
		now = vc_impact_text(&im);
	vc_impact_clear(&im);
	same = now && !strcmp(now, shown);
	free(now);
	if (!same)
		tui_message(title, _("What this would affect changed meanwhile: nothing was changed. Look at it again."));
	return same;
}

/* The impact, then the typed confirmation: true when the operator typed @name. */
static bool confirm_impact(const char *title, const struct vc_impact *im, const char *question,
			   const char *name)
{
	char *text = vc_impact_text(im);
	bool ok = false;

	if (im->refuse || im->partial) {
		char *msg = NULL;

		if (asprintf(&msg, "%s\n%s", text, _("Nothing was changed.")) < 0)
			abort();
		tui_message(title, msg);
		free(msg);
		free(text);
		return false;
	}
	for (;;) {
		char typed[256] = "", *label = NULL;
		struct vc_entry e = { NULL, typed, sizeof(typed) };
		int rc;

		/* TRANSLATORS: %s is the device or pool name the operator must type. */
		if (asprintf(&label, _("Type %s to confirm:"), name) < 0)
			abort();
		e.label = label;
		rc = vc_ask_entries(title, N_("Go ahead"), &e, 1, -1, "%s\n\n%s", question, text);
		free(label);
		ok = rc == VC_ASK_NEXT && !strcmp(typed, name);
		if (rc == VC_ASK_NEXT && !ok) {
			tui_message(title, _("What you typed does not match: nothing was changed."));
			continue;
		}
		break;
	}
	free(text);
	return ok;
}

static void act_new(struct stor_scr *s, struct vc_app *app, const struct vc_srow *r)
{
	const struct hcfg_snode *f = &s->st.h.v[r->node];
	const char *title = _("New Partition");
	const char *uses[] = { _("ext4 filesystem"), _("xfs filesystem"), _("raw, for a guest's disk"),
			       _("LVM pool") };
	char size[32] = "all", pool[64] = "", mp[256] = "", vtty[32];
	int use = 0, focus = -1;
	struct vc_who who;

	who_of(app, &who, vtty, sizeof(vtty));
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		struct vc_newpart np = { .disk = s->st.h.v[f->parent].path, .at = f->start };
		char *intro = NULL, *done = NULL, *cause = NULL, defmp[256];
		uint64_t bytes;
		int es, ru, ep, em, rc;

		if (asprintf(&intro, _("A new partition in the free space of %s (%" PRIu64 " MiB). The size is a number with a unit (512M, 20G) or \"all\". Leave the mount point empty for /var/lib/ospite/POOL."),
			     np.disk, f->size >> 20) < 0)
			abort();
		tui_dialog_text(d, intro);
		free(intro);
		es = tui_dialog_entry(d, _("Size:"), size, 0);
		ru = tui_dialog_radio(d, _("Use:"), uses, 4, use);
		ep = tui_dialog_entry(d, _("Pool name:"), pool, 0);
		em = tui_dialog_entry(d, _("Mount point:"), mp, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Make it"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		snprintf(size, sizeof(size), "%s", tui_dialog_value(d, es));
		snprintf(pool, sizeof(pool), "%s", tui_dialog_value(d, ep));
		snprintf(mp, sizeof(mp), "%s", tui_dialog_value(d, em));
		use = tui_dialog_selected(d, ru);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc != TUI_NEXT)
			return;
		np.size = size;
		np.use = use <= 1 ? VC_NEW_FS : use == 2 ? VC_NEW_RAW : VC_NEW_LVM;
		np.fs = use == 1 ? HCFG_FS_XFS : HCFG_FS_EXT4;
		np.pool = pool;
		snprintf(defmp, sizeof(defmp), "/var/lib/ospite/%s", pool);
		np.mountpoint = mp[0] ? mp : defmp;
		if (np.use == VC_NEW_FS && !mp[0] && !pool[0]) {
			vc_error(title, strdup(_("Name the pool or the mount point of the new filesystem.")));
			focus = ep;
			continue;
		}
		if (vc_stor_check_new(&s->st, &np, &bytes, &cause) < 0) {
			vc_error(title, cause);
			focus = es;
			continue;
		}
		rc = vc_stor_create(app->conn, &s->st, &np, &who, &done, &cause);
		vc_audit(app->user, "storage new partition disk=%s size=%s mount=%s pool=%s result=%s",
			 np.disk, np.size, np.mountpoint ? np.mountpoint : "", np.pool ? np.pool : "",
			 rc < 0 ? "failed" : "done");
		report(title, rc, done, cause);
		return;
	}
}

static void act_wipe(struct stor_scr *s, struct vc_app *app, const struct vc_srow *r,
		     bool format)
{
	const struct hcfg_snode *n = &s->st.h.v[r->node];
	const char *title = format ? _("Format") : _("Delete Partition");
	enum hcfg_fs fs = HCFG_FS_EXT4;
	struct vc_impact im;
	struct vc_who who;
	char *cause = NULL, *done = NULL, *q = NULL, vtty[32];
	int rc;

	if (n->kind != HCFG_SN_PART && !(format && n->kind == HCFG_SN_LV)) {
		tui_message(title, format ? _("Choose a partition or a logical volume to format.") :
			    _("Choose a partition to delete."));
		return;
	}
	if (format) {
		const char *fss[] = { "ext4", "xfs" };
		struct tui_dialog *d = tui_dialog_new(title);
		int rb, sel;

		tui_dialog_text(d, _("The new filesystem:"));
		rb = tui_dialog_radio(d, "", fss, 2, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, NULL);
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, rb);
		tui_dialog_free(d);
		if (rc != TUI_NEXT)
			return;
		fs = sel == 1 ? HCFG_FS_XFS : HCFG_FS_EXT4;
	}
	if (vc_stor_impact(&s->st, n->path, &im, &cause) < 0) {
		vc_error(title, cause);
		return;
	}
	if ((format ? asprintf(&q, _("Format %s as %s? Everything on it is lost:"), n->path,
			       hcfg_fs_name(fs)) :
		      asprintf(&q, _("Delete %s? Everything on it is lost:"), n->path)) < 0)
		abort();
	if (confirm_impact(title, &im, q, n->path)) {
		char path[sizeof(n->path)], *shown = vc_impact_text(&im);

		/* @n goes with the tree that still_same() reads again. */
		snprintf(path, sizeof(path), "%s", n->path);
		if (still_same(s, app, title, shown, path, NULL, false)) {
			who_of(app, &who, vtty, sizeof(vtty));
			rc = vc_stor_wipe(app->conn, &s->st, path, format ? fs : HCFG_FS_NONE, &who,
					  &done, &cause);
			vc_audit(app->user, "storage wipe dev=%s format=%s result=%s", path,
				 format ? hcfg_fs_name(fs) : "none", rc < 0 ? "failed" : "done");
			report(title, rc, done, cause);
		}
		free(shown);
	}
	free(q);
	vc_impact_clear(&im);
}

static void act_grow(struct stor_scr *s, struct vc_app *app, const struct vc_srow *r)
{
	const char *title = _("Grow Partition");
	const struct hcfg_snode *n = &s->st.h.v[r->node];
	char size[32] = "all", vtty[32];

	if (n->kind != HCFG_SN_PART) {
		tui_message(title, _("Choose a partition to grow."));
		return;
	}
	for (;;) {
		struct vc_entry e = { N_("Size:"), size, sizeof(size) };
		struct vc_who who;
		char *done = NULL, *cause = NULL;
		int rc;

		if (vc_ask_entries(title, N_("Grow"), &e, 1, -1,
				   N_("Grow %s into the free space after it, and its filesystem with it. The new size, or \"all\":"),
				   n->path) != VC_ASK_NEXT)
			return;
		who_of(app, &who, vtty, sizeof(vtty));
		rc = vc_stor_grow(&s->st, n->path, size, &who, &done, &cause);
		vc_audit(app->user, "storage grow dev=%s size=%s result=%s", n->path, size,
			 rc < 0 ? "failed" : "done");
		report(title, rc, done, cause);
		return;
	}
}

static void act_pool(struct stor_scr *s, struct vc_app *app, const struct vc_srow *r)
{
	const char *title = _("Remove Pool");
	const char *how[] = { _("keep its volumes (files stay where they are)"),
			      _("delete its volumes") };
	const struct hv_pool_info *p;
	struct tui_dialog *d;
	struct vc_impact im;
	char *cause = NULL, *done = NULL, *q = NULL;
	int rb, rc, sel;

	if (r->pool < 0) {
		tui_message(title, _("Choose a storage pool to remove."));
		return;
	}
	p = &s->st.pools[r->pool];
	d = tui_dialog_new(title);
	tui_dialog_text(d, p->name);
	rb = tui_dialog_radio(d, "", how, 2, 0);
	tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, NULL);
	rc = tui_dialog_run(d);
	sel = tui_dialog_selected(d, rb);
	tui_dialog_free(d);
	if (rc != TUI_NEXT)
		return;
	if (vc_stor_pool_impact(&s->st, p->name, sel == 1, &im, &cause) < 0) {
		vc_error(title, cause);
		return;
	}
	if (asprintf(&q, _("Remove the storage pool %s?"), p->name) < 0)
		abort();
	if (confirm_impact(title, &im, q, p->name)) {
		char name[128], *shown = vc_impact_text(&im);

		snprintf(name, sizeof(name), "%s", p->name);
		if (still_same(s, app, title, shown, NULL, name, sel == 1)) {
			rc = vc_stor_pool_remove(app->conn, &s->st, name, sel == 1, &done, &cause);
			vc_audit(app->user, "storage pool remove name=%s volumes=%s result=%s", name,
				 sel == 1 ? "deleted" : "kept", rc < 0 ? "failed" : "done");
			report(title, rc, done, cause);
		}
		free(shown);
	}
	free(q);
	vc_impact_clear(&im);
}

/* For an operator who is not root: what the key would affect, and that only root may do it. */
static void look_only(struct stor_scr *s, const struct vc_srow *r, int key)
{
	const char *only = _("Only root may change the host's storage.");
	struct vc_impact im;
	char *text, *msg = NULL;

	if ((key != 'd' && key != 'f') || r->node < 0 || r->pool >= 0 ||
	    s->st.h.v[r->node].kind == HCFG_SN_FREE || !strncmp(r->key, "guest:", 6) ||
	    vc_stor_impact(&s->st, s->st.h.v[r->node].path, &im, NULL) < 0) {
		tui_message(_("Storage"), only);
		return;
	}
	text = vc_impact_text(&im);
	if (asprintf(&msg, "%s\n%s", text, only) < 0)
		abort();
	tui_message(_("Storage"), msg);
	free(msg);
	free(text);
	vc_impact_clear(&im);
}

static int finish(struct stor_scr *s, int rc)
{
	tui_view_free(s->v);
	vc_srows_free(s->rows, s->n);
	vc_stor_clear(&s->st);
	free(s->error);
	return rc;
}

int vc_scr_storage(struct vc_app *app)
{
	struct stor_scr s;
	struct tui_event ev;

	memset(&s, 0, sizeof(s));
	build(&s, app);
	for (;;) {
		const struct vc_srow *r;

		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			return finish(&s, VC_LOGOUT);
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(s.v);
			build(&s, app);
			continue;
		}
		if (ev.kind == TUI_EV_BUTTON)
			return finish(&s, VC_BACK);
		if (ev.kind != TUI_EV_KEY)
			continue;
		r = current(&s);
		if (!r)
			continue;
		/* The host's disks are root's: a member of the group ospite only looks, impact included. */
		if (!app->root) {
			look_only(&s, r, ev.key);
			continue;
		}
		switch (ev.key) {
		case 'n':
			if (r->node < 0 || s.st.h.v[r->node].kind != HCFG_SN_FREE)
				tui_message(_("New Partition"), _("Choose a free region for the new partition."));
			else
				act_new(&s, app, r);
			break;
		case 'g':
			if (r->node >= 0 && r->pool < 0)
				act_grow(&s, app, r);
			break;
		case 'd':
		case 'f':
			if (r->node >= 0 && r->pool < 0 && strncmp(r->key, "guest:", 6))
				act_wipe(&s, app, r, ev.key == 'f');
			break;
		case 'r':
			act_pool(&s, app, r);
			break;
		}
		if (app->unwinding)
			return finish(&s, VC_LOGOUT);
		load(&s, app);
	}
}
