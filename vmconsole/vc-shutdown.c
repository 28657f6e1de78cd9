/* Waiting for a guest that was asked to shut down: the time elapsed, and Force off once it has ignored the request for the settings' shutdown_timeout. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wait_scr {
	struct tui_view *v;
	int line, hint, btn;
	bool force;             /* the Force off button is shown */
};

static void build(struct wait_scr *s, const char *name, bool force, unsigned timeout)
{
	const char *btns[2] = { _("Back"), _("Force off") };
	char buf[256];

	s->v = tui_view_new(_("Shut Down"), 8);
	s->line = tui_view_text(s->v, 1, 1, 0, "");
	if (force)
		/* TRANSLATORS: %s is a guest name, %u seconds. */
		snprintf(buf, sizeof(buf), _("%s has not shut down in %u s: it may be ignoring the request. Force off cuts its power."),
			 name, timeout);
	else
		snprintf(buf, sizeof(buf), "%s", _("Back leaves it shutting down."));
	s->hint = tui_view_text(s->v, 1, 3, 0, "");
	tui_view_set_text(s->v, s->hint, buf);
	s->btn = tui_view_buttons(s->v, btns, force ? 2 : 1);
	s->force = force;
}

/* Whether the guest is off (or gone, for a transient one). */
static bool is_off(struct vc_app *app, const char *name)
{
	const struct vc_row *r = vc_model_find(&app->model, name);

	return !r || (VC_STATE_BIT(r->state) & VC_OFF);
}

/* The Force off of the actions table, with its question. */
static int force_off(struct vc_app *app, const char *name, char **cause)
{
	const struct vc_action *f = NULL;
	char *q;
	bool yes;

	for (size_t i = 0; i < vc_n_actions; i++)
		if (vc_actions[i].key == 'f')
			f = &vc_actions[i];
	if (!f)
		return 0;
	q = vc_action_question(f, name);
	yes = tui_ask(_(f->label), q, _(f->label), _("Cancel"));
	free(q);
	if (!yes || app->unwinding || !vc_need_conn(app, _(f->label)))
		return 0;
	return f->run(app, name, cause);
}

int vc_shutdown_wait(struct vc_app *app, const char *name, char **cause)
{
	unsigned timeout = app->conf.shutdown_timeout ? app->conf.shutdown_timeout :
		VC_SHUTDOWN_DEFAULT;
	uint64_t start = vc_now_ns();
	struct wait_scr s = { 0 };
	struct tui_event ev;
	int rc = hv_shutdown(app->conn, name, cause);

	if (rc < 0)
		return rc;
	vc_audit(app->user, "shutdown guest=%s", name);
	vc_refresh(app, true);
	build(&s, name, false, timeout);
	for (;;) {
		unsigned elapsed = (unsigned)((vc_now_ns() - start) / 1000000000ULL);
		char buf[160];

		if (!app->conn) {
			/* The connection went: the list says so, and the guest is out of reach. */
			rc = 0;
			break;
		}
		if (is_off(app, name))
			break;
		/* TRANSLATORS: %s is a guest name, %u the seconds since the request. */
		snprintf(buf, sizeof(buf), _("Shutting down %s... %u s"), name, elapsed);
		tui_view_set_text(s.v, s.line, buf);
		if (elapsed >= timeout && !s.force) {
			tui_view_free(s.v);
			build(&s, name, true, timeout);
			continue;
		}
		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			break;
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(s.v);
			build(&s, name, s.force, timeout);
			continue;
		}
		if (ev.kind != TUI_EV_BUTTON)
			continue;
		if (ev.id == s.btn)
			break;
		rc = force_off(app, name, cause);
		if (rc < 0)
			break;
		vc_refresh(app, true);
	}
	tui_view_free(s.v);
	return rc;
}
