/* The Migrate screens of a guest: destination and options, the pre-flight list, then progress with Abort, the job running beside the screen. */
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
#include <unistd.h>

/* What the screen and the thread doing the slow work share. */
struct mig_work {
	pthread_t tid;
	pthread_mutex_t lock;
	struct hv_conn *src, *dst;
	const char *name, *uri;
	struct hv_mig_opts opts;
	bool migrate;                   /* false: only connect and run the pre-flight */
	struct hv_preflight pf;
	struct hv_mig_progress prog;    /* the last report, under @lock */
	bool have_prog;
	atomic_bool abort, done;
	int rc;
	char *cause;
	struct hv_mig_result res;
};

static bool work_progress(void *opaque, const struct hv_mig_progress *p)
{
	struct mig_work *w = opaque;

	pthread_mutex_lock(&w->lock);
	w->prog = *p;
	w->have_prog = true;
	pthread_mutex_unlock(&w->lock);
	return !atomic_load(&w->abort);
}

/* Opening a connection to another host, like the migration itself, may take long: never on the screen's thread. */
static void *work_main(void *arg)
{
	struct mig_work *w = arg;

	if (!w->dst)
		w->rc = hv_open(w->uri, &w->dst, &w->cause);
	if (w->rc == 0 && !w->migrate)
		w->rc = hv_mig_preflight(w->src, w->dst, w->name, &w->opts, &w->pf, &w->cause);
	else if (w->rc == 0)
		w->rc = hv_migrate(w->src, w->dst, w->name, &w->opts, &w->pf, work_progress, w,
				   &w->res, &w->cause);
	atomic_store(&w->done, true);
	return NULL;
}

static int work_start(struct mig_work *w)
{
	atomic_store(&w->done, false);
	atomic_store(&w->abort, false);
	w->rc = 0;
	free(w->cause);
	w->cause = NULL;
	return pthread_create(&w->tid, NULL, work_main, w) == 0 ? 0 : -EAGAIN;
}

/* Where a guest can go: the hosts of the settings but the one it is on, and this host when it is away. */
struct dests {
	const char *name[VC_MAX_HOSTS + 1];
	const char *uri[VC_MAX_HOSTS + 1];
	size_t n;
};

static void dests_of(struct vc_app *app, struct dests *d)
{
	d->n = 0;
	if (app->away_host && app->home_uri) {
		d->name[d->n] = _("this host");
		d->uri[d->n++] = app->home_uri;
	}
	for (size_t i = 0; i < app->conf.n_hosts; i++) {
		if (app->away_host && !strcmp(app->away_host, app->conf.hosts[i].name))
			continue;
		d->name[d->n] = app->conf.hosts[i].name;
		d->uri[d->n++] = app->conf.hosts[i].uri;
	}
}

/* The options dialog; false on Back. @dest gets the chosen host's index. */
static int ask_options(struct vc_app *app, const struct dests *ds, const char *name, bool running,
		       size_t *dest, struct hv_mig_opts *o)
{
	bool xen = hv_is_xen(app->conn);
	char downtime[16], bandwidth[16] = "", *cause = NULL;
	bool copy = false, autoconv = false, postcopy = false, keep = false;
	int focus = -1;

	snprintf(downtime, sizeof(downtime), "%d", HV_MIG_DOWNTIME_DEFAULT);
	for (;;) {
		char title[160], *text = NULL;
		const char **items = calloc(ds->n, sizeof(*items));
		char **rows = calloc(ds->n, sizeof(*rows));
		struct tui_dialog *d;
		int l, c_copy = -1, c_auto = -1, c_post = -1, c_keep, e_down = -1, e_bw = -1, rc;
		unsigned long long v;

		if (!items || !rows)
			abort();
		snprintf(title, sizeof(title), _("Migrate %s"), name);
		d = tui_dialog_new(title);
		if (asprintf(&text, running ?
			     _("Live migration: %s keeps running while its memory is copied to the destination, then runs there. Destination:") :
			     _("Offline migration: %s is shut off; its definition moves to the destination and its disks are shared or copied there. Destination:"),
			     name) < 0)
			abort();
		tui_dialog_text(d, text);
		free(text);
		for (size_t i = 0; i < ds->n; i++) {
			char *col = tui_pad(ds->name[i], 12);

			if (asprintf(&rows[i], "%s %s", col, ds->uri[i]) < 0)
				abort();
			free(col);
			items[i] = rows[i];
		}
		l = tui_dialog_list(d, items, (int)ds->n, (int)*dest, ds->n < 4 ? (int)ds->n : 4);
		for (size_t i = 0; i < ds->n; i++)
			free(rows[i]);
		free(rows);
		free(items);
		if (xen) {
			tui_dialog_text(d, _("On Xen, libxl moves a guest only live and only with storage both hosts share: there are no other options."));
		} else {
			c_copy = tui_dialog_check(d, _("Copy disks the destination does not share"), copy);
			if (running) {
				c_auto = tui_dialog_check(d, _("Auto-converge (slow the guest down if needed)"), autoconv);
				c_post = tui_dialog_check(d, _("Switch to post-copy if it does not converge"), postcopy);
				e_down = tui_dialog_entry(d, _("Maximum downtime (ms):"), downtime, 0);
			}
			e_bw = tui_dialog_entry(d, _("Bandwidth limit (MiB/s, empty = none):"), bandwidth, 0);
		}
		c_keep = tui_dialog_check(d, _("Keep the guest defined on this host too"), keep);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Check"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		*dest = (size_t)(tui_dialog_selected(d, l) < 0 ? 0 : tui_dialog_selected(d, l));
		if (c_copy >= 0)
			copy = tui_dialog_checked(d, c_copy);
		if (c_auto >= 0)
			autoconv = tui_dialog_checked(d, c_auto);
		if (c_post >= 0)
			postcopy = tui_dialog_checked(d, c_post);
		keep = tui_dialog_checked(d, c_keep);
		if (e_down >= 0)
			snprintf(downtime, sizeof(downtime), "%s", tui_dialog_value(d, e_down));
		if (e_bw >= 0)
			snprintf(bandwidth, sizeof(bandwidth), "%s", tui_dialog_value(d, e_bw));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc == TUI_IDLE)
			return VC_LOGOUT;
		if (rc != TUI_NEXT)
			return VC_BACK;
		memset(o, 0, sizeof(*o));
		o->mode = running ? HV_MIG_LIVE : HV_MIG_OFFLINE;
		o->copy_storage = copy;
		o->auto_converge = autoconv;
		o->postcopy = postcopy;
		o->keep_source = keep;
		o->reserve_kib = app->conf.migrate_reserve_mib * 1024;
		if (e_down >= 0) {
			if (vc_parse_uint(downtime, 3600000, &v) < 0 || v == 0) {
				vc_error(title, strdup(_("The maximum downtime is a number of milliseconds, from 1 to 3600000.")));
				focus = e_down;
				continue;
			}
			/* The default goes unsaid, so that a Xen host never sees it as a choice. */
			o->max_downtime_ms = v == HV_MIG_DOWNTIME_DEFAULT ? 0 : (unsigned)v;
		}
		if (e_bw >= 0 && *bandwidth) {
			if (vc_parse_uint(bandwidth, 1000000, &v) < 0 || v == 0) {
				vc_error(title, strdup(_("The bandwidth limit is a number of MiB per second, from 1 to 1000000, or empty.")));
				focus = e_bw;
				continue;
			}
			o->bandwidth_mib = (unsigned long)v;
		}
		free(cause);
		return VC_NEXT;
	}
}

/* The pre-flight lines as one text. */
static char *preflight_text(const struct hv_preflight *pf)
{
	struct base_buf b = { 0 };

	for (size_t i = 0; i < pf->n; i++) {
		const char *lv = pf->items[i].level == HV_CHECK_OK ? _("ok") :
				 pf->items[i].level == HV_CHECK_WARN ? _("warning") : _("refused");
		char *col = tui_pad(lv, 9);

		base_buf_printf(&b, "%s%s %s", i ? "\n" : "", col, pf->items[i].text);
		free(col);
	}
	base_buf_printf(&b, "\n\n%s", pf->refused ?
			_("The migration is refused: nothing was changed.") :
			_("Nothing has changed yet. Migrate now?"));
	if (b.oom)
		abort();
	return b.s;
}

/* A bar of @width columns in characters every terminal has. */
void vc_bar_text(double fraction, int width, char *out, size_t len)
{
	int full;

	if (width + 3 > (int)len)
		width = (int)len - 3;
	if (width < 0)
		width = 0;
	full = (int)(fraction * width + 0.5);
	out[0] = '[';
	for (int i = 0; i < width; i++)
		out[1 + i] = i < full ? '#' : '.';
	out[1 + width] = ']';
	out[2 + width] = '\0';
}

enum { P_BAR, P_MEM, P_DISK, P_RATE, P_ROUND, P_TIME, P_NOTE, NP };

static void progress_fill(struct tui_view *v, const int *ids, struct mig_work *w)
{
	struct hv_mig_progress p;
	char buf[256], a[32], b[32], c[32], t1[16], t2[16];
	int width = tui_view_width() - 10;

	pthread_mutex_lock(&w->lock);
	p = w->prog;
	bool have = w->have_prog;
	pthread_mutex_unlock(&w->lock);
	if (!have) {
		tui_view_set_text(v, ids[P_NOTE], _("Preparing the destination..."));
		return;
	}
	vc_bar_text(p.fraction, width, buf, sizeof(buf));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %3.0f%%", p.fraction * 100);
	tui_view_set_text(v, ids[P_BAR], buf);
	vc_fmt_bytes(p.mem_total, a, sizeof(a));
	vc_fmt_bytes(p.mem_done, b, sizeof(b));
	vc_fmt_bytes(p.mem_left, c, sizeof(c));
	/* TRANSLATORS: memory of the guest: total, already sent, still to send. */
	snprintf(buf, sizeof(buf), _("Memory: %s, %s transferred, %s remaining"), a, b, c);
	tui_view_set_text(v, ids[P_MEM], buf);
	if (p.disk_total) {
		vc_fmt_bytes(p.disk_total, a, sizeof(a));
		vc_fmt_bytes(p.disk_done, b, sizeof(b));
		vc_fmt_bytes(p.disk_left, c, sizeof(c));
		snprintf(buf, sizeof(buf), _("Disks: %s, %s transferred, %s remaining"), a, b, c);
	} else {
		buf[0] = '\0';
	}
	tui_view_set_text(v, ids[P_DISK], buf);
	vc_fmt_bytes(p.rate_bps, a, sizeof(a));
	vc_fmt_bytes(p.dirty_bps, b, sizeof(b));
	snprintf(buf, sizeof(buf), _("Transfer rate: %s/s   Dirty rate: %s/s"), a, b);
	tui_view_set_text(v, ids[P_RATE], buf);
	snprintf(buf, sizeof(buf), _("Iteration: %" PRIu64 "   Expected downtime: %" PRIu64 " ms%s"),
		 p.iteration, p.expected_downtime_ms, p.postcopy ? _("   (post-copy)") : "");
	tui_view_set_text(v, ids[P_ROUND], buf);
	tui_fmt_time((unsigned)(p.elapsed_ms / 1000), t1, sizeof(t1));
	tui_fmt_time((unsigned)((p.eta_ms + 999) / 1000), t2, sizeof(t2));
	snprintf(buf, sizeof(buf), _("Elapsed: %s   Remaining: about %s"), t1, p.eta_ms ? t2 : "?");
	tui_view_set_text(v, ids[P_TIME], buf);
	tui_view_set_text(v, ids[P_NOTE], atomic_load(&w->abort) ?
			  _("Aborting: the guest goes on running here...") : "");
}

/* The progress screen, until the job ends; Abort asks it to stop. */
static void progress_screen(struct vc_app *app, struct mig_work *w, const char *dest)
{
	const char *abort_label = _("Abort");
	char title[200];
	struct tui_view *v;
	struct tui_event ev;
	int ids[NP], btn;

	snprintf(title, sizeof(title), _("Migrating %s to %s"), w->name, dest);
	v = tui_view_new(title, 11);
	for (int i = 0; i < NP; i++)
		ids[i] = tui_view_text(v, 1, i + (i == P_NOTE), 0, "");
	btn = tui_view_buttons(v, &abort_label, 1);
	(void)btn;
	progress_fill(v, ids, w);
	while (!atomic_load(&w->done)) {
		tui_view_run(v, &ev);
		if (ev.kind == TUI_EV_BUTTON) {
			atomic_store(&w->abort, true);
		} else if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(v);
			snprintf(title, sizeof(title), _("Migrating %s to %s"), w->name, dest);
			v = tui_view_new(title, 11);
			for (int i = 0; i < NP; i++)
				ids[i] = tui_view_text(v, 1, i + (i == P_NOTE), 0, "");
			btn = tui_view_buttons(v, &abort_label, 1);
		}
		/*
		 * An idle logout does not stop a migration halfway: it waits for the end.
		 * The tick (each second) refreshes the numbers.
		 */
		app->unwinding = false;
		progress_fill(v, ids, w);
	}
	pthread_join(w->tid, NULL);
	tui_view_free(v);
}

int vc_migrate_screen(struct vc_app *app, const char *name, char **cause)
{
	const struct vc_row *r = vc_model_find(&app->model, name);
	struct mig_work w;
	struct hv_mig_opts o;
	struct dests ds;
	size_t dest = 0;
	bool running;
	int rc = 0;

	if (!r)
		return base_cause(cause, -ENOENT, _("There is no guest named %s."), name);
	dests_of(app, &ds);
	if (!ds.n)
		return base_cause(cause, -ENOENT,
				  _("There is no other host to migrate to: root adds hosts on the Hosts screen."));
	running = r->state == HV_STATE_RUNNING || r->state == HV_STATE_PAUSED ||
		  r->state == HV_STATE_BLOCKED;
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.lock, NULL);
	w.src = app->conn;
	w.name = name;
	for (;;) {
		char title[160], *text;
		const char *dname;
		bool go;

		rc = ask_options(app, &ds, name, running, &dest, &o);
		if (rc != VC_NEXT) {
			rc = 0;
			break;
		}
		dname = ds.name[dest];
		w.uri = ds.uri[dest];
		w.opts = o;
		w.migrate = false;
		hv_preflight_clear(&w.pf);
		if (w.dst) {
			hv_close(w.dst);
			w.dst = NULL;
		}
		snprintf(title, sizeof(title), _("Migrate %s"), name);
		text = NULL;
		if (asprintf(&text, _("Connecting to %s and checking it..."), dname) < 0)
			abort();
		w.rc = 0;
		free(w.cause);
		w.cause = NULL;
		rc = vc_run_bg(title, text, work_main, &w);
		free(text);
		if (rc < 0) {
			rc = base_cause(cause, rc, _("Could not start the migration."));
			break;
		}
		if (w.rc < 0) {
			vc_error(title, w.cause);
			w.cause = NULL;
			continue;
		}
		snprintf(title, sizeof(title), _("Pre-flight: %s to %s"), name, dname);
		text = preflight_text(&w.pf);
		go = !w.pf.refused && tui_ask(title, text, _("Migrate"), _("Back"));
		if (w.pf.refused)
			tui_message(title, text);
		free(text);
		if (!go)
			continue;
		w.migrate = true;
		w.have_prog = false;
		if (work_start(&w) < 0) {
			rc = base_cause(cause, -EAGAIN, _("Could not start the migration."));
			break;
		}
		progress_screen(app, &w, dname);
		{
			const char *mode = o.mode == HV_MIG_OFFLINE ? "offline" : "live";
			char down[32] = "-";

			if (w.res.downtime_known)
				snprintf(down, sizeof(down), "%" PRIu64, w.res.downtime_ms);
			vc_audit(app->user, "migrate guest=%s from=%s to=%s mode=%s result=%s time_ms=%"
				 PRIu64 " downtime_ms=%s", name, hv_uri(app->conn), hv_uri(w.dst),
				 mode, w.rc == 0 ? "done" : w.rc == -ECANCELED ? "aborted" :
				 w.res.refused ? "refused" : "failed", w.res.total_ms, down);
		}
		if (w.rc == 0) {
			char first[256], second[256], down[32], secs[24];

			snprintf(first, sizeof(first), _("%s now runs on %s."), name, dname);
			snprintf(down, sizeof(down), "%" PRIu64, w.res.downtime_ms);
			if (w.res.downtime_known)
				snprintf(second, sizeof(second),
					 _("The migration took %s s, with %s ms of downtime."),
					 vc_fmt_secs(w.res.total_ms, secs), down);
			else
				snprintf(second, sizeof(second), _("The migration took %s s."),
					 vc_fmt_secs(w.res.total_ms, secs));
			text = NULL;
			if (asprintf(&text, "%s %s", first, second) < 0)
				abort();
			snprintf(title, sizeof(title), _("Migrate %s"), name);
			tui_message(title, text);
			free(text);
		} else {
			vc_error(title, w.cause);
			w.cause = NULL;
		}
		break;
	}
	hv_preflight_clear(&w.pf);
	if (w.dst)
		hv_close(w.dst);
	free(w.cause);
	pthread_mutex_destroy(&w.lock);
	vc_refresh(app, true);
	return rc;
}
