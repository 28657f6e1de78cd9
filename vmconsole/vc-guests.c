/* The guest list screen: every guest with state, vCPUs, memory and CPU use, updated row by row from the model. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B_OPEN, B_NEW, B_HOST, B_SETTINGS, B_LOGOUT, B_QUIT, NB };

struct list_scr {
	struct tui_view *v;
	int summary, header, list, info, btn;
	/* What the list shows now, to send only the rows that changed. */
	char **keys, **rows;
	size_t n;
	unsigned generation;
};

static void shown_clear(struct list_scr *s)
{
	vc_strv_free(s->keys, s->n);
	vc_strv_free(s->rows, s->n);
	s->keys = s->rows = NULL;
	s->n = 0;
}

static void fill(struct list_scr *s, struct vc_app *app, bool force)
{
	const struct vc_model *m = &app->model;
	size_t n = m->nrows;
	char **keys = calloc(n ? n : 1, sizeof(*keys)), **rows = calloc(n ? n : 1, sizeof(*rows));
	bool *changed = calloc(n ? n : 1, sizeof(*changed));
	char buf[256];

	if (!keys || !rows || !changed)
		abort();
	snprintf(buf, sizeof(buf), P_("%zu guest, %u running", "%zu guests, %u running", n), n,
		 m->running);
	tui_view_set_text(s->v, s->summary, buf);
	if (!app->conn)
		snprintf(buf, sizeof(buf), _("Not connected to the hypervisor: %s"),
			 app->conn_error ? app->conn_error : "");
	else if (app->list_error)
		snprintf(buf, sizeof(buf), "%s", app->list_error);
	else if (!n)
		snprintf(buf, sizeof(buf), "%s", _("There are no guests yet: choose New guest."));
	else
		snprintf(buf, sizeof(buf), "%s", _("Enter opens a guest."));
	tui_view_set_text(s->v, s->info, buf);
	if (!force && m->generation == s->generation) {
		free(keys);
		free(rows);
		free(changed);
		return;
	}
	s->generation = m->generation;
	for (size_t i = 0; i < n; i++) {
		keys[i] = strdup(m->rows[i].name);
		rows[i] = vc_row_text(&m->rows[i]);
	}
	switch (force ? VC_DIFF_ALL :
		vc_list_diff((const char *const *)s->keys, (const char *const *)s->rows, s->n,
			     (const char *const *)keys, (const char *const *)rows, n, changed)) {
	case VC_DIFF_NONE:
		break;
	case VC_DIFF_ROWS:
		for (size_t i = 0; i < n; i++)
			if (changed[i])
				tui_view_list_row(s->v, s->list, i, rows[i]);
		break;
	case VC_DIFF_ALL:
		tui_view_list_reset(s->v, s->list, n, (const char *const *)rows,
				    (const char *const *)keys);
		break;
	}
	shown_clear(s);
	s->keys = keys;
	s->rows = rows;
	s->n = n;
	free(changed);
}

static void build(struct list_scr *s, struct vc_app *app)
{
	const char *btns[NB] = { _("Open"), _("New guest"), _("Host"), _("Settings"),
				 _("Log out"), _("Quit") };
	char who[128], *header;
	int w = tui_view_width();

	s->v = tui_view_new(_("Guests"), 18);
	s->summary = tui_view_text(s->v, 1, 0, w / 2, "");
	snprintf(who, sizeof(who), _("Logged in as %s"), app->user);
	if (tui_width(who) < w / 2)
		tui_view_text(s->v, w - tui_width(who) + 1, 0, 0, who);
	header = vc_list_header();
	/* Over the rows, which start after the "> " marker column when there is one. */
	s->header = tui_view_text(s->v, tui_list_marker() ? 3 : 1, 2, 0, header);
	free(header);
	s->list = tui_view_list(s->v, 1, 3, 0, 11);
	s->info = tui_view_text(s->v, 1, 15, 0, "");
	s->btn = tui_view_buttons(s->v, btns, NB);
	fill(s, app, true);
	tui_view_focus_list(s->v, s->list);
}

static void rebuild(struct list_scr *s, struct vc_app *app)
{
	tui_view_free(s->v);
	shown_clear(s);
	build(s, app);
}

static int finish(struct list_scr *s, int rc)
{
	tui_view_free(s->v);
	shown_clear(s);
	return rc;
}

int vc_scr_list(struct vc_app *app)
{
	struct list_scr s;
	struct tui_event ev;
	const char *cur;
	char *name, lang[8];
	int rc;

	memset(&s, 0, sizeof(s));
	build(&s, app);
	for (;;) {
		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			return finish(&s, VC_LOGOUT);
		switch (ev.kind) {
		case TUI_EV_LANG:
			vc_lang_toggle();
			rebuild(&s, app);
			continue;
		case TUI_EV_TICK:
			fill(&s, app, false);
			continue;
		case TUI_EV_LIST:
			ev.id = s.btn + B_OPEN;
			break;
		case TUI_EV_BUTTON:
			break;
		default:
			continue;
		}
		rc = VC_BACK;
		snprintf(lang, sizeof(lang), "%s", tui_lang());
		switch (ev.id - s.btn) {
		case B_OPEN:
			cur = tui_view_list_current(s.v, s.list);
			if (!cur)
				continue;
			name = strdup(cur);
			rc = vc_scr_detail(app, name);
			free(name);
			break;
		case B_NEW:
			rc = vc_scr_wizard(app);
			break;
		case B_HOST:
			rc = vc_scr_status(app);
			break;
		case B_SETTINGS:
			rc = vc_scr_settings(app);
			break;
		case B_LOGOUT:
			return finish(&s, VC_LOGOUT);
		case B_QUIT:
			return finish(&s, VC_QUIT);
		}
		if (rc == VC_LOGOUT || rc == VC_QUIT || app->unwinding)
			return finish(&s, rc == VC_QUIT ? VC_QUIT : VC_LOGOUT);
		vc_refresh(app, true);
		/* The screen that just closed may have switched the language. */
		if (strcmp(lang, tui_lang()))
			rebuild(&s, app);
		else
			fill(&s, app, false);
		/* Back on the guests, whichever button opened the screen that closed. */
		tui_view_focus_list(s.v, s.list);
	}
}
