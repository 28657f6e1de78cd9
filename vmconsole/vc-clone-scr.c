/* The console's clone and template screens: Clone and Template on a guest's screen, and New guest "From template", the copy running beside a progress screen. */
#include "vc.h"
#include "tui/tui.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the screen and the thread doing the copy share. */
struct clone_work {
	pthread_t tid;
	pthread_mutex_t lock;
	struct hv_conn *conn;
	struct hv_clone_opts o;
	uint64_t done, total;      /* under @lock */
	atomic_bool abort, finished;
	int rc;
	char *cause;
};

static bool work_cb(void *opaque, uint64_t done, uint64_t total)
{
	struct clone_work *w = opaque;

	pthread_mutex_lock(&w->lock);
	w->done = done;
	w->total = total;
	pthread_mutex_unlock(&w->lock);
	return !atomic_load(&w->abort);
}

static void *work_main(void *arg)
{
	struct clone_work *w = arg;

	w->rc = hv_clone(w->conn, &w->o, work_cb, w, &w->cause);
	atomic_store(&w->finished, true);
	return NULL;
}

enum { P_BAR, P_TEXT, P_NOTE, NP };

static void progress_fill(struct tui_view *v, const int *ids, struct clone_work *w, uint64_t t0)
{
	char bar[128], *text;
	uint64_t done, total;

	pthread_mutex_lock(&w->lock);
	done = w->done;
	total = w->total;
	pthread_mutex_unlock(&w->lock);
	vc_bar_text(total ? (double)done / total : 0, tui_view_width() - 10, bar, sizeof(bar));
	tui_view_set_text(v, ids[P_BAR], bar);
	text = w->o.linked ? NULL : vc_clone_progress_text(done, total, vc_now_ns() - t0);
	tui_view_set_text(v, ids[P_TEXT], text ? text : w->o.linked ?
			  _("Making the overlay files...") : "");
	free(text);
	tui_view_set_text(v, ids[P_NOTE], atomic_load(&w->abort) ?
			  _("Stopping: no file of the new guest is kept...") : "");
}

static struct tui_view *progress_open(const struct clone_work *w, int *ids)
{
	const char *abort_label = _("Abort");
	char title[200];
	struct tui_view *v;

	snprintf(title, sizeof(title), _("Cloning %s as %s"), w->o.source, w->o.name);
	v = tui_view_new(title, 6);
	for (int i = 0; i < NP; i++)
		ids[i] = tui_view_text(v, 1, i + (i == P_NOTE), 0, "");
	tui_view_buttons(v, &abort_label, 1);
	return v;
}

/* Clone with a progress screen and Abort; the audit log gets the result. */
static int clone_run(struct vc_app *app, const struct hv_clone_opts *o, char **cause)
{
	struct clone_work w;
	struct tui_view *v;
	struct tui_event ev;
	uint64_t t0 = vc_now_ns();
	int ids[NP];

	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.lock, NULL);
	w.conn = app->conn;
	w.o = *o;
	if (pthread_create(&w.tid, NULL, work_main, &w) != 0) {
		pthread_mutex_destroy(&w.lock);
		return base_cause(cause, -EAGAIN, _("Out of memory."));
	}
	v = progress_open(&w, ids);
	progress_fill(v, ids, &w, t0);
	while (!atomic_load(&w.finished)) {
		tui_view_run(v, &ev);
		if (ev.kind == TUI_EV_BUTTON) {
			atomic_store(&w.abort, true);
		} else if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(v);
			v = progress_open(&w, ids);
		}
		/* An idle logout waits for the copy: a half-made guest is never left behind. */
		app->unwinding = false;
		progress_fill(v, ids, &w, t0);
	}
	pthread_join(w.tid, NULL);
	tui_view_free(v);
	pthread_mutex_destroy(&w.lock);
	vc_audit(app->user, "clone guest=%s new=%s kind=%s result=%s", o->source, o->name,
		 o->linked ? "linked" : "full", w.rc == 0 ? "done" : w.rc == -ECANCELED ?
		 "aborted" : "failed");
	if (cause)
		*cause = w.cause;
	else
		free(w.cause);
	vc_refresh(app, true);
	return w.rc;
}

/* The names of every guest, for vc_check_name(). */
static char **taken_names(struct vc_app *app, size_t *n)
{
	char **v = calloc(app->model.nrows + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < app->model.nrows; i++)
		if ((v[*n] = strdup(app->model.rows[i].name)))
			(*n)++;
	return v;
}

static const char *const kinds[] = {
	/* TRANSLATORS: a kind of clone. */
	N_("Full copy (sparse)"),
	/* TRANSLATORS: a kind of clone. */
	N_("Linked (qcow2 overlay)"),
};

/*
 * The new guest's name and kind; VC_NEXT when chosen, VC_BACK, or VC_LOGOUT. @intro is shown
 * above the fields, @templates (when not NULL) is a list to choose the source from.
 */
static int ask_clone(struct vc_app *app, const char *title, const char *intro,
		     char *const *templates, size_t ntpl, size_t *which, char *name, size_t len,
		     bool *linked)
{
	size_t ntaken;
	char **taken = taken_names(app, &ntaken);
	int focus = -1, rc;

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		const char *k[2] = { _(kinds[0]), _(kinds[1]) };
		char *cause = NULL;
		int list = -1, e_name, r_kind;

		tui_dialog_text(d, intro);
		if (templates)
			list = tui_dialog_list(d, (const char *const *)templates, (int)ntpl, (int)*which,
					       ntpl < 3 ? (int)ntpl : 3);
		e_name = tui_dialog_entry(d, _("Name of the new guest:"), name, 0);
		r_kind = tui_dialog_radio(d, _("Kind:"), k, 2, *linked);
		tui_dialog_text(d, _("A full copy shares blocks where the file system can. A linked clone is made at once and holds only what it writes, but the original can then be neither started nor deleted while the clone exists."));
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Create"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		snprintf(name, len, "%s", tui_dialog_value(d, e_name));
		*linked = tui_dialog_selected(d, r_kind) == 1;
		if (list >= 0 && tui_dialog_selected(d, list) >= 0)
			*which = (size_t)tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc == TUI_IDLE || app->unwinding) {
			rc = VC_LOGOUT;
			break;
		}
		if (rc != TUI_NEXT) {
			rc = VC_BACK;
			break;
		}
		if (vc_check_name(name, taken, ntaken, &cause) < 0) {
			vc_error(title, cause);
			focus = e_name;
			continue;
		}
		rc = VC_NEXT;
		break;
	}
	vc_strv_free(taken, ntaken);
	return rc;
}

/* After a clone: say what was made and offer to start it. */
static void clone_done(struct vc_app *app, const char *title, const struct hv_clone_opts *o,
		       const char *extra)
{
	char *q = NULL, *cause = NULL;

	if (asprintf(&q, "%s%s%s %s", o->linked ?
		     _("The guest is defined as a linked clone.") :
		     _("The guest is defined as a full copy."), extra ? " " : "", extra ? extra : "",
		     _("Start it now?")) < 0)
		abort();
	if (tui_ask(title, q, _("Start"), _("Not now")) && !app->unwinding &&
	    hv_start(app->conn, o->name, &cause) < 0)
		vc_error(title, cause);
	free(q);
	vc_refresh(app, true);
}

int vc_clone_screen(struct vc_app *app, const char *name, char **cause)
{
	char title[160], nname[128], *intro = NULL;
	struct hv_clone_opts o = { .source = name };
	bool linked = false;
	size_t which = 0;
	int rc;

	snprintf(title, sizeof(title), _("Clone %s"), name);
	snprintf(nname, sizeof(nname), "%s-clone", name);
	if (asprintf(&intro, _("A new guest with the disks of %s, a new UUID and new MACs."),
		     name) < 0)
		abort();
	for (;;) {
		rc = ask_clone(app, title, intro, NULL, 0, &which, nname, sizeof(nname), &linked);
		if (rc != VC_NEXT)
			break;
		o.name = nname;
		o.linked = linked;
		rc = clone_run(app, &o, cause);
		if (rc == -ECANCELED || (rc < 0 && vc_clone_exit(rc) == 1)) {
			/* Stopped, or refused before anything was made: the operator may try again. */
			vc_error(title, *cause);
			*cause = NULL;
			continue;
		}
		if (rc == 0)
			clone_done(app, title, &o, NULL);
		break;
	}
	free(intro);
	return rc < 0 ? rc : 0;
}

int vc_template_action(struct vc_app *app, const char *name, char **cause)
{
	char title[160], *q = NULL;
	bool on = false, yes;
	int rc = hv_template_get(app->conn, name, &on, cause);

	if (rc < 0)
		return rc;
	snprintf(title, sizeof(title), _("Template %s"), name);
	if (asprintf(&q, on ? _("%s is a template. Turn it back into a guest that can be started?") :
		     _("Make %s a template? A template cannot be started; New guest makes guests from it (From template)."),
		     name) < 0)
		abort();
	yes = tui_ask(title, q, on ? _("Turn back") : _("Make template"), _("Cancel"));
	free(q);
	if (!yes || app->unwinding)
		return 0;
	rc = hv_template_set(app->conn, name, !on, cause);
	vc_audit(app->user, "template guest=%s %s result=%s", name, on ? "off" : "on",
		 rc ? "failed" : "done");
	if (rc == 0)
		tui_message(title, on ? _("The guest can be started again.") :
			    _("The guest is now a template."));
	return rc;
}

/* Looking into an image reads it: beside the screen, with a sweeping bar. */
struct ci_probe {
	struct hv_conn *conn;
	const char *name;
	enum hv_ci ci;
	char *why;
};

static void *ci_main(void *arg)
{
	struct ci_probe *p = arg;

	hv_guest_cloudinit(p->conn, p->name, &p->ci, &p->why);
	return NULL;
}

/* The new guest's identity for cloud-init; VC_NEXT, VC_BACK or VC_LOGOUT. */
static int ask_identity(struct vc_app *app, const char *title, char fields[4][128],
			struct hv_seed *seed)
{
	static const char *const labels[] = {
		N_("Host name:"), N_("Address (IP/prefix):"), N_("Gateway:"), N_("DNS servers:"),
	};
	int focus = -1, rc;

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		char *cause = NULL;
		int e[4];

		tui_dialog_text(d, _("The template's image has cloud-init: a NoCloud seed (a small read-only disk labelled cidata) gives the new guest this host name and, when an address is given, that address; without one it keeps the template's DHCP."));
		for (int i = 0; i < 4; i++)
			e[i] = tui_dialog_entry(d, _(labels[i]), fields[i], 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Create"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		for (int i = 0; i < 4; i++)
			snprintf(fields[i], 128, "%s", tui_dialog_value(d, e[i]));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc == TUI_IDLE || app->unwinding)
			return VC_LOGOUT;
		if (rc != TUI_NEXT)
			return VC_BACK;
		seed->hostname = fields[0];
		seed->address = fields[1];
		seed->gateway = fields[2];
		seed->dns = fields[3];
		if (hv_seed_check(seed, &cause) < 0) {
			vc_error(title, cause);
			focus = !*fields[0] || strstr(cause ? cause : "", fields[0]) ? e[0] : e[1];
			continue;
		}
		return VC_NEXT;
	}
}

int vc_wizard_template(struct vc_app *app)
{
	const char *title = _("New Guest");
	char **tpl = NULL, *cause = NULL, nname[128] = "";
	size_t ntpl = 0, which = 0;
	bool linked = true;
	int rc, how = 0;

	if (hv_templates(app->conn, &tpl, &ntpl, &cause) < 0) {
		free(cause);
		return VC_NEXT;
	}
	if (!ntpl)
		return VC_NEXT;
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		const char *ch[2] = { _("Empty: every setting on the pages that follow"),
				      _("From template: a copy of a template") };
		int r;

		tui_dialog_text(d, _("How should the new guest be made?"));
		r = tui_dialog_radio(d, "", ch, 2, how);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, NULL);
		rc = tui_dialog_run(d);
		how = tui_dialog_selected(d, r);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc == TUI_IDLE || app->unwinding) {
			rc = VC_LOGOUT;
			goto out;
		}
		if (rc != TUI_NEXT) {
			rc = VC_BACK;
			goto out;
		}
		if (how == 0) {
			rc = VC_NEXT;
			goto out;
		}
		rc = ask_clone(app, _("New Guest: From Template"),
			       _("The new guest is a copy of the template, with a new UUID and new MACs. Template:"),
			       tpl, ntpl, &which, nname, sizeof(nname), &linked);
		if (rc == VC_BACK)
			continue;
		if (rc != VC_NEXT)
			goto out;
		struct hv_clone_opts o = { .source = tpl[which], .name = nname, .linked = linked };
		struct ci_probe pr = { .conn = app->conn, .name = tpl[which] };
		struct hv_seed seed;
		char fields[4][128] = { "", "", "", "" }, *said = NULL;
		const char *keeps = _("The new guest keeps the template's identity: its host name, addresses and keys are those of the template until they are changed inside the guest.");

		if (vc_run_bg(_("New Guest: From Template"),
			      _("Looking for cloud-init in the template's image..."), ci_main, &pr) < 0)
			pr.ci = HV_CI_UNKNOWN;
		if (pr.ci == HV_CI_YES) {
			snprintf(fields[0], sizeof(fields[0]), "%s", nname);
			rc = ask_identity(app, _("New Guest: Identity"), fields, &seed);
			if (rc == VC_LOGOUT)
				goto out;
			if (rc != VC_NEXT)
				continue;
			o.seed = &seed;
			if (asprintf(&said, *fields[1] ?
				     _("cloud-init gives it the host name %s and the address %s when it starts.") :
				     _("cloud-init gives it the host name %s when it starts."),
				     fields[0], fields[1]) < 0)
				abort();
		} else {
			bool go;

			if (asprintf(&said, "%s %s", pr.ci == HV_CI_NO ?
				     _("The template's image has no cloud-init.") :
				     pr.why ? pr.why : _("Whether the template's image has cloud-init is not known."),
				     keeps) < 0)
				abort();
			go = tui_ask(title, said, _("Create"), _("Back"));
			free(said);
			said = NULL;
			if (app->unwinding) {
				free(pr.why);
				rc = VC_LOGOUT;
				goto out;
			}
			if (!go) {
				free(pr.why);
				continue;
			}
		}
		free(pr.why);
		rc = clone_run(app, &o, &cause);
		if (rc < 0) {
			free(said);
			vc_error(title, cause);
			cause = NULL;
			continue;
		}
		clone_done(app, title, &o, said ? said : keeps);
		free(said);
		rc = VC_BACK;
		break;
	}
out:
	vc_strv_free(tpl, ntpl);
	return rc;
}
