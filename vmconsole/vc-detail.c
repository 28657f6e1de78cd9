/* The guest detail screen: live state and usage, the guest's devices, and the actions offered in its state. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ACTIONS 16
#define CONF_LINES 5

struct detail_scr {
	struct tui_view *v;
	const char *name;
	int state, usage, autostart, conf[CONF_LINES], actions, btn, actions_label;
	/* This operator's edit lock on the guest; NULL when another holds it: only looking then. */
	struct hcfg_lock *lock;
	char *holder;
	/* The actions the list shows, to rebuild it only when the state changes them. */
	const struct vc_action *offered[MAX_ACTIONS];
	size_t noffered;
};

/* 1 with "Addresses: ..." in *@line when the agent, the leases or the ARP table know any. */
static size_t addr_line(struct vc_app *app, const char *name, char **line)
{
	char *a = vc_guest_addr_text(app->conn, name, HV_ADDR_AGENT | HV_ADDR_LEASE | HV_ADDR_ARP);

	if (!a)
		return 0;
	if (asprintf(line, _("Addresses: %s"), a) < 0)
		abort();
	free(a);
	return 1;
}

/* The guest's devices in short lines, read from its definition. */
static void fill_conf(struct detail_scr *s, struct vc_app *app)
{
	struct hv_guest *g = NULL;
	char *lines[CONF_LINES] = { NULL };
	size_t n = 0;
	char *cause = NULL;

	if (!app->conn)
		return;
	if (hv_get(app->conn, s->name, &g, &cause) < 0) {
		lines[n++] = cause;
		cause = NULL;
	} else {
		for (size_t i = 0; i < g->n_disks && n < CONF_LINES - 2; i++) {
			const struct hv_disk *d = &g->disks[i];

			if (asprintf(&lines[n++], _("Disk %s: %s"), d->target ? d->target : "?",
				     d->path ? d->path : _("(empty)")) < 0)
				abort();
		}
		for (size_t i = 0; i < g->n_nics && n < CONF_LINES - 1; i++)
			if (asprintf(&lines[n++], _("Network card: bridge %s, MAC %s"),
				     g->nics[i].bridge ? g->nics[i].bridge : "", g->nics[i].mac) < 0)
				abort();
		if (n < CONF_LINES - 1)
			n += addr_line(app, s->name, &lines[n]);
		if (g->vnc && n < CONF_LINES && asprintf(&lines[n++], "%s", _("VNC display: yes")) < 0)
			abort();
		hv_guest_free(g);
	}
	for (size_t i = 0; i < CONF_LINES; i++) {
		tui_view_set_text(s->v, s->conf[i], lines[i] ? lines[i] : "");
		free(lines[i]);
	}
}

/* Returns false when the guest is gone. */
static bool fill(struct detail_scr *s, struct vc_app *app)
{
	const struct vc_row *r = vc_model_find(&app->model, s->name);
	const struct vc_action *now[MAX_ACTIONS];
	size_t n;
	char buf[256], mem[32], cpu[32];

	if (!r)
		return false;
	snprintf(buf, sizeof(buf), _("State: %s"), hv_state_name(r->state));
	tui_view_set_text(s->v, s->state, buf);
	vc_fmt_mem(r->memory_kib, mem, sizeof(mem));
	vc_fmt_cpu(r->cpu, cpu, sizeof(cpu));
	snprintf(buf, sizeof(buf), _("Virtual CPUs: %u   Memory: %s   CPU: %s"), r->vcpus, mem,
		 cpu);
	tui_view_set_text(s->v, s->usage, buf);
	tui_view_set_text(s->v, s->autostart, r->autostart ? _("Starts when the host boots.") :
				 _("Does not start when the host boots."));
	n = s->lock ? vc_actions_offered(r->state, r->autostart, now, MAX_ACTIONS) : 0;
	if (n != s->noffered || memcmp(now, s->offered, n * sizeof(*now))) {
		const char *rows[MAX_ACTIONS], *keys[MAX_ACTIONS];
		char *texts[MAX_ACTIONS], keybuf[MAX_ACTIONS][2];

		for (size_t i = 0; i < n; i++) {
			if (asprintf(&texts[i], "%c  %s", now[i]->key, _(now[i]->label)) < 0)
				abort();
			rows[i] = texts[i];
			keybuf[i][0] = now[i]->key;
			keybuf[i][1] = '\0';
			keys[i] = keybuf[i];
		}
		tui_view_list_reset(s->v, s->actions, n, rows, keys);
		for (size_t i = 0; i < n; i++)
			free(texts[i]);
		memcpy(s->offered, now, n * sizeof(*now));
		s->noffered = n;
	}
	return true;
}

static void build(struct detail_scr *s, struct vc_app *app)
{
	const char *back = _("Back");
	char title[160];
	int y = 0;

	snprintf(title, sizeof(title), _("Guest %s"), s->name);
	s->v = tui_view_new(title, 18);
	s->state = tui_view_text(s->v, 1, y++, 0, "");
	s->usage = tui_view_text(s->v, 1, y++, 0, "");
	s->autostart = tui_view_text(s->v, 1, y++, 0, "");
	for (int i = 0; i < CONF_LINES; i++)
		s->conf[i] = tui_view_text(s->v, 1, y++, 0, "");
	/* No blank row before the actions: eight of them fit, all a shut-off guest has. */
	s->actions_label = tui_view_text(s->v, 1, y++, 0, s->lock ? _("Actions (Enter, or the key before each):") :
					 s->holder ? s->holder : "");
	s->actions = tui_view_list(s->v, 3, y, 40, 8);
	if (s->lock) {
		const char *btns[2] = { back, _("Edit") };

		s->btn = tui_view_buttons(s->v, btns, 2);
	} else {
		s->btn = tui_view_buttons(s->v, &back, 1);
	}
	for (size_t i = 0; i < vc_n_actions; i++)
		tui_view_hotkey(s->v, vc_actions[i].key);
	s->noffered = 0;
	fill_conf(s, app);
	fill(s, app);
	tui_view_focus_list(s->v, s->actions);
}

/* Ask when the table says so, run the action, show why it failed. */
static void run_action(struct detail_scr *s, struct vc_app *app, const struct vc_action *a)
{
	char *cause = NULL;
	int rc;

	if (a->confirm) {
		char *q = vc_action_question(a, s->name);
		bool yes = tui_ask(_(a->label), q, _(a->label), _("Cancel"));

		free(q);
		if (!yes)
			return;
	}
	if (app->unwinding || !vc_need_conn(app, _(a->label)))
		return;
	rc = a->run(app, s->name, &cause);
	/* The table's English label names the action in the log, whatever the screen's language. */
	vc_audit(app->user, "guest %s: %s%s", s->name, a->label, rc < 0 ? " failed" : "");
	if (rc < 0 && !app->unwinding)
		vc_error(_(a->label), cause);
	else
		free(cause);
	vc_refresh(app, true);
}

/* While this screen is open the guest is this operator's to change; another sees who has it. */
static void take_lock(struct detail_scr *s, struct vc_app *app)
{
	char tty[32], rhost[64], *cause = NULL;

	vc_login_tty(tty, sizeof(tty), rhost, sizeof(rhost));
	if (hcfg_lock_take(NULL, HCFG_LOCK_GUEST, s->name, app->user, tty, &s->lock, NULL, &cause) < 0) {
		s->lock = NULL;
		s->holder = cause;
	}
}

static int leave(struct detail_scr *s, int rc)
{
	tui_view_free(s->v);
	hcfg_lock_release(s->lock);
	free(s->holder);
	return rc;
}

int vc_scr_detail(struct vc_app *app, const char *name)
{
	struct detail_scr s;
	struct tui_event ev;
	const struct vc_action *a;
	const struct vc_row *r;
	const char *key;

	memset(&s, 0, sizeof(s));
	s.name = name;
	if (!vc_model_find(&app->model, name))
		return VC_BACK;
	take_lock(&s, app);
	build(&s, app);
	for (;;) {
		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			break;
		a = NULL;
		r = vc_model_find(&app->model, name);
		switch (ev.kind) {
		case TUI_EV_LANG:
			vc_lang_toggle();
			tui_view_free(s.v);
			build(&s, app);
			continue;
		case TUI_EV_TICK:
			if (!fill(&s, app))
				return leave(&s, VC_BACK);
			continue;
		case TUI_EV_BUTTON:
			if (s.lock && ev.id == s.btn + 1) {
				if (!vc_need_conn(app, _("Edit")))
					continue;
				vc_guest_edit(app, name);
				if (app->unwinding)
					break;
				vc_refresh(app, true);
				fill_conf(&s, app);
				tui_view_focus_list(s.v, s.actions);
				continue;
			}
			return leave(&s, VC_BACK);
		case TUI_EV_KEY:
			if (r)
				a = vc_action_for_key(ev.key, r->state, r->autostart);
			break;
		case TUI_EV_LIST:
			key = tui_view_list_current(s.v, s.actions);
			if (r && key)
				a = vc_action_for_key(key[0], r->state, r->autostart);
			break;
		default:
			break;
		}
		if (!a || !s.lock)
			continue;
		run_action(&s, app, a);
		if (app->unwinding)
			break;
		if (!fill(&s, app))
			return leave(&s, VC_BACK);
		fill_conf(&s, app);
	}
	return leave(&s, VC_LOGOUT);
}
