/* The Snapshots screen of a guest whose disks are qcow2: take, list, go back to and delete snapshots; on other disks it says why not. */
#include "vc.h"
#include "tui/tui.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum snap_op { SNAP_TAKE, SNAP_REVERT, SNAP_DELETE };

/* One snapshot operation, run beside a moving bar: a running guest's memory is saved too. */
struct snap_work {
	struct vc_app *app;
	const char *name, *snap;
	enum snap_op op;
	int rc;
	char *cause;
};

static void *snap_main(void *arg)
{
	struct snap_work *w = arg;

	switch (w->op) {
	case SNAP_TAKE:
		w->rc = hv_snap_create(w->app->conn, w->name, w->snap, &w->cause);
		break;
	case SNAP_REVERT:
		w->rc = hv_snap_revert(w->app->conn, w->name, w->snap, &w->cause);
		break;
	case SNAP_DELETE:
		w->rc = hv_snap_delete(w->app->conn, w->name, w->snap, &w->cause);
		break;
	}
	return NULL;
}

static int run_op(struct vc_app *app, const char *title, const char *name, const char *snap,
		  enum snap_op op)
{
	static const char *const audit[] = { "take", "revert to", "delete" };
	struct snap_work w = { app, name, snap, op, 0, NULL };
	char text[256];

	if (op == SNAP_TAKE)
		snprintf(text, sizeof(text), _("Taking the snapshot %s..."), snap);
	else if (op == SNAP_REVERT)
		snprintf(text, sizeof(text), _("Going back to the snapshot %s..."), snap);
	else
		snprintf(text, sizeof(text), _("Deleting the snapshot %s..."), snap);
	if (vc_run_bg(title, text, snap_main, &w) < 0) {
		w.rc = -EIO;
	} else if (w.rc == 0) {
		vc_audit(app->user, "guest %s: snapshot %s %s", name, audit[op], snap);
		return 0;
	}
	if (!app->unwinding)
		vc_error(title, w.cause);
	else
		free(w.cause);
	return w.rc;
}

static char *snap_row(const struct hv_snap *s)
{
	char when[32], *row = NULL;
	struct tm tm;

	localtime_r(&s->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	if (asprintf(&row, "%-24s %s  %s%s", s->name, when,
		     s->running ? _("with memory") : _("disks only"),
		     s->current ? _(", current") : "") < 0)
		abort();
	return row;
}

static void take(struct vc_app *app, const char *title, const char *name)
{
	char snap[80], *cause = NULL;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(snap, sizeof(snap), "snap-%Y%m%d-%H%M%S", &tm);
	for (;;) {
		struct vc_entry e = { N_("Name:"), snap, sizeof(snap) };

		if (vc_ask_entries(title, N_("Take"), &e, 1, -1,
				   N_("The snapshot keeps the disks as they are now and, while the guest runs, its memory.")) != VC_ASK_NEXT)
			return;
		if (!hv_name_valid(snap)) {
			base_cause(&cause, -EINVAL,
				   _("\"%s\" is not a valid snapshot name: use up to 64 letters, digits, '-', '_' and '.', without spaces, not starting with '-' or '.'."),
				   snap);
			vc_error(title, cause);
			cause = NULL;
			continue;
		}
		run_op(app, title, name, snap, SNAP_TAKE);
		return;
	}
}

int vc_snap_screen(struct vc_app *app, const char *name, char **cause)
{
	char title[160];
	int sel = 0;

	snprintf(title, sizeof(title), _("Snapshots of %s"), name);
	if (hv_snap_supported(app->conn, name, cause) < 0) {
		/* Raw disks: the reason and the way out (a backup) are the message itself. */
		vc_error(title, *cause);
		*cause = NULL;
		return 0;
	}
	while (!app->unwinding) {
		struct hv_snap *snaps = NULL;
		size_t n = 0;
		struct tui_dialog *d;
		int list, btake, brevert, bdel, rc;

		if (hv_snap_list(app->conn, name, &snaps, &n, cause) < 0)
			return -EIO;
		snprintf(title, sizeof(title), _("Snapshots of %s"), name);
		d = tui_dialog_new(title);
		tui_dialog_text(d, _("Snapshots are kept inside the guest's qcow2 disks. Going back to one loses everything the guest wrote since."));
		list = tui_dialog_list(d, NULL, 0, sel, 8);
		for (size_t i = 0; i < n; i++)
			tui_dialog_list_add(d, list, snap_row(&snaps[i]));
		if (!n)
			tui_dialog_list_add(d, list, strdup(_("(no snapshots)")));
		btake = tui_dialog_button(d, _("Take"));
		brevert = tui_dialog_button(d, _("Go back"));
		bdel = tui_dialog_button(d, _("Delete"));
		tui_dialog_buttons(d, TUI_BTN_BACK, NULL);
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
		} else if (rc == TUI_EXTRA + btake) {
			take(app, title, name);
		} else if ((rc == TUI_EXTRA + brevert || rc == TUI_EXTRA + bdel) && sel >= 0 &&
			   (size_t)sel < n) {
			bool revert = rc == TUI_EXTRA + brevert;
			char *q = NULL;

			if (asprintf(&q, revert ?
				     _("Go back to the snapshot %s of %s? Everything the guest wrote since it was taken is lost.") :
				     _("Delete the snapshot %s of %s? The guest can no longer go back to it."),
				     snaps[sel].name, name) < 0)
				abort();
			/* Cancel is the answer under the cursor. */
			if (tui_ask(title, q, revert ? _("Go back") : _("Delete"), _("Cancel")) &&
			    !app->unwinding)
				run_op(app, title, name, snaps[sel].name, revert ? SNAP_REVERT : SNAP_DELETE);
			free(q);
		} else if (rc != TUI_EXTRA + brevert && rc != TUI_EXTRA + bdel) {
			free(snaps);
			break;
		}
		free(snaps);
	}
	return 0;
}
