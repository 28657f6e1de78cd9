/* The Backup screen of a guest and the Restore screen of the host: where to, how the guest is held still, a progress bar with Stop, the result. */
#include "vc-backup.h"
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
#include <sys/stat.h>

/* The copy runs on a thread of its own; the screen reads its progress under the lock. */
struct bk_work {
	pthread_t tid;
	pthread_mutex_t lock;
	atomic_bool done, stop;
	struct hv_bk_progress prog;
	char disk[32];
	bool have;
	/* what to do */
	struct hv_conn *conn;
	bool restore, zstd;
	const char *name, *dir, *file, *newname, *pool;
	/* what happened */
	int rc;
	char *cause;
	struct hv_bk_result res;
	struct hv_rs_result rres;
};

static bool on_progress(void *opaque, const struct hv_bk_progress *p)
{
	struct bk_work *w = opaque;

	pthread_mutex_lock(&w->lock);
	w->prog = *p;
	snprintf(w->disk, sizeof(w->disk), "%s", p->disk ? p->disk : "");
	w->prog.disk = NULL;
	w->have = true;
	pthread_mutex_unlock(&w->lock);
	return !atomic_load(&w->stop);
}

static void *work_main(void *arg)
{
	struct bk_work *w = arg;

	if (w->restore) {
		struct hv_rs_opts o = { .name = w->newname, .pool = w->pool, .progress = on_progress,
					.opaque = w };

		w->rc = hv_restore(w->conn, w->file, &o, &w->rres, &w->cause);
	} else {
		struct hv_bk_opts o = { .zstd = w->zstd, .progress = on_progress, .opaque = w };

		w->rc = hv_backup(w->conn, w->name, w->dir, &o, &w->res, &w->cause);
	}
	atomic_store(&w->done, true);
	return NULL;
}

enum { P_BAR, P_BYTES, P_RATE, P_TIME, P_NOTE, NP };

static void fill(struct tui_view *v, const int *ids, struct bk_work *w)
{
	struct hv_bk_progress p;
	char buf[256], a[32], b[32], t1[16], t2[16], disk[32];
	double f;
	bool have;

	pthread_mutex_lock(&w->lock);
	p = w->prog;
	have = w->have;
	snprintf(disk, sizeof(disk), "%s", w->disk);
	pthread_mutex_unlock(&w->lock);
	if (!have) {
		tui_view_set_text(v, ids[P_NOTE], _("Starting..."));
		return;
	}
	f = p.total ? (double)p.done / (double)p.total : 1.0;
	vc_bar_text(f, tui_view_width() - 10, buf, sizeof(buf));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %3.0f%%", f * 100);
	tui_view_set_text(v, ids[P_BAR], buf);
	vc_fmt_bytes(p.done, a, sizeof(a));
	vc_fmt_bytes(p.total, b, sizeof(b));
	/* TRANSLATORS: bytes of disk data copied so far, of all, and the disk being copied. */
	snprintf(buf, sizeof(buf), _("Copied: %s of %s   Disk: %s"), a, b, *disk ? disk : "-");
	tui_view_set_text(v, ids[P_BYTES], buf);
	vc_fmt_bytes(p.rate_bps, a, sizeof(a));
	snprintf(buf, sizeof(buf), _("Rate: %s/s"), a);
	tui_view_set_text(v, ids[P_RATE], buf);
	tui_fmt_time((unsigned)(p.elapsed_ms / 1000), t1, sizeof(t1));
	tui_fmt_time((unsigned)((p.eta_ms + 999) / 1000), t2, sizeof(t2));
	snprintf(buf, sizeof(buf), _("Elapsed: %s   Remaining: about %s"), t1, t2);
	tui_view_set_text(v, ids[P_TIME], buf);
	tui_view_set_text(v, ids[P_NOTE], atomic_load(&w->stop) ?
			  _("Stopping: nothing will be left behind...") : "");
}

static struct tui_view *progress_view(const char *title, int *ids)
{
	const char *stop = _("Stop");
	struct tui_view *v = tui_view_new(title, 8);

	for (int i = 0; i < NP; i++)
		ids[i] = tui_view_text(v, 1, i + (i == P_NOTE), 0, "");
	tui_view_buttons(v, &stop, 1);
	return v;
}

/* Run the work with its progress screen until it ends; Stop asks it to stop cleanly. */
static int run_with_progress(struct vc_app *app, struct bk_work *w, const char *what)
{
	char title[200];
	struct tui_view *v;
	struct tui_event ev;
	int ids[NP];

	pthread_mutex_init(&w->lock, NULL);
	atomic_store(&w->done, false);
	atomic_store(&w->stop, false);
	if (pthread_create(&w->tid, NULL, work_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		return -EAGAIN;
	}
	snprintf(title, sizeof(title), w->restore ? _("Restoring %s") : _("Backing up %s"), what);
	v = progress_view(title, ids);
	fill(v, ids, w);
	while (!atomic_load(&w->done)) {
		tui_view_run(v, &ev);
		if (ev.kind == TUI_EV_BUTTON) {
			atomic_store(&w->stop, true);
		} else if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(v);
			snprintf(title, sizeof(title), w->restore ? _("Restoring %s") : _("Backing up %s"),
				 what);
			v = progress_view(title, ids);
		}
		/* An idle logout waits for the copy to end: a backup is not dropped halfway for it. */
		app->unwinding = false;
		fill(v, ids, w);
	}
	pthread_join(w->tid, NULL);
	tui_view_free(v);
	pthread_mutex_destroy(&w->lock);
	return 0;
}

/* Where the Backup screen proposes to write: $OSPITE_BACKUP_DIR, else VC_BACKUP_DIR. */
static const char *default_dir(void)
{
	const char *d = getenv("OSPITE_BACKUP_DIR");

	return d && *d ? d : VC_BACKUP_DIR;
}

int vc_backup_screen(struct vc_app *app, const char *name, char **cause)
{
	struct hv_bk_plan plan;
	struct bk_work w;
	char title[200], size[32], *intro = NULL, *dir = NULL;
	int rc;

	snprintf(title, sizeof(title), _("Back up %s"), name);
	if ((rc = hv_backup_plan(app->conn, name, &plan, cause)) < 0)
		return rc;
	vc_fmt_bytes(plan.data, size, sizeof(size));
	/* The pause is said before anything starts, with what its length depends on. */
	if (plan.hold == HV_BK_PAUSE)
		rc = asprintf(&intro, _("%s will be paused while its %s of data are copied, then resumed."), name, size);
	else if (plan.hold == HV_BK_SNAPSHOT)
		rc = asprintf(&intro, _("%s keeps running: its disks are read from a snapshot (%s of data), then merged back."),
			      name, size);
	else
		rc = asprintf(&intro, _("%s is shut off: its %s of data are read directly."), name, size);
	if (rc < 0)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	dir = strdup(default_dir());
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		int e_dir, c_zstd, r;
		bool zstd;

		tui_dialog_text(d, intro);
		tui_dialog_text(d, _("The archive NAME-YYYYMMDD-HHMMSS.ospite goes into this folder:"));
		e_dir = tui_dialog_entry(d, _("Folder:"), dir ? dir : "", 0);
		c_zstd = tui_dialog_check(d, _("Compress with zstd"), false);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Back up"));
		r = tui_dialog_run(d);
		free(dir);
		dir = strdup(tui_dialog_value(d, e_dir));
		zstd = tui_dialog_checked(d, c_zstd);
		tui_dialog_free(d);
		if (r == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (r != TUI_NEXT || !dir || app->unwinding) {
			rc = 0;
			break;
		}
		if (*dir != '/') {
			tui_message(title, _("Give the folder as a full path, starting with /."));
			continue;
		}
		/* The folder is made when missing, for root only to read. */
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			char *c = NULL;

			base_cause(&c, -errno, _("Could not make the folder %s: %s."), dir, strerror(errno));
			vc_error(title, c);
			continue;
		}
		memset(&w, 0, sizeof(w));
		w.conn = app->conn;
		w.name = name;
		w.dir = dir;
		w.zstd = zstd;
		if (run_with_progress(app, &w, name) < 0) {
			rc = base_cause(cause, -EAGAIN, _("Could not start the backup."));
			break;
		}
		vc_audit(app->user, "backup guest=%s file=%s result=%s bytes=%" PRIu64 " time_ms=%" PRIu64
			 " held_ms=%" PRIu64, name, w.rc == 0 ? w.res.path : dir,
			 w.rc == 0 ? "done" : w.rc == -ECANCELED ? "aborted" : "failed",
			 w.res.archive_bytes, w.res.total_ms, w.res.held_ms);
		if (w.rc == 0) {
			char *text = NULL, arch[32], secs[24];

			vc_fmt_bytes(w.res.archive_bytes, arch, sizeof(arch));
			if (asprintf(&text, _("%s backed up to %s (%s) in %s s."), name, w.res.path, arch,
				     vc_fmt_secs(w.res.total_ms, secs)) < 0)
				abort();
			tui_message(title, text);
			free(text);
		} else {
			vc_error(title, w.cause);
			w.cause = NULL;
		}
		free(w.cause);
		break;
	}
	free(dir);
	free(intro);
	vc_refresh(app, true);
	return rc;
}

int vc_restore_screen(struct vc_app *app)
{
	const char *title = _("Restore a guest");
	char *file = NULL, *name = NULL, *pool = strdup(VC_POOL);
	struct bk_work w;

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Restore a guest"));
		int e_file, e_name, e_pool, r;

		title = _("Restore a guest");
		tui_dialog_text(d, _("A guest comes back from its .ospite archive, with its disks in a storage pool. A new name gets a new UUID and new MAC addresses; an existing guest or file is never replaced."));
		e_file = tui_dialog_entry(d, _("Archive:"), file ? file : "", 0);
		e_name = tui_dialog_entry(d, _("New name (empty: the archive's):"), name ? name : "", 0);
		e_pool = tui_dialog_entry(d, _("Storage pool:"), pool ? pool : "", 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Restore"));
		r = tui_dialog_run(d);
		free(file);
		free(name);
		free(pool);
		file = strdup(tui_dialog_value(d, e_file));
		name = strdup(tui_dialog_value(d, e_name));
		pool = strdup(tui_dialog_value(d, e_pool));
		tui_dialog_free(d);
		if (r == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (r != TUI_NEXT || !file || !name || !pool || app->unwinding)
			break;
		if (!*file) {
			tui_message(title, _("Give the archive to restore."));
			continue;
		}
		memset(&w, 0, sizeof(w));
		w.conn = app->conn;
		w.restore = true;
		w.file = file;
		w.newname = *name ? name : NULL;
		w.pool = *pool ? pool : NULL;
		if (run_with_progress(app, &w, file) < 0) {
			vc_error(title, NULL);
			break;
		}
		vc_audit(app->user, "restore file=%s guest=%s result=%s", file,
			 *w.rres.name ? w.rres.name : "-", w.rc == 0 ? "done" : w.rres.refused ? "refused" :
			 w.rc == -ECANCELED ? "aborted" : "failed");
		if (w.rc == 0) {
			char *text = NULL, secs[24];

			if (asprintf(&text, _("%s restored from %s in %s s."), w.rres.name, file,
				     vc_fmt_secs(w.rres.total_ms, secs)) < 0)
				abort();
			tui_message(title, text);
			free(text);
			free(w.cause);
			break;
		}
		/* A refusal leaves the entries as typed, to change the name or the pool. */
		vc_error(title, w.cause);
		if (!w.rres.refused)
			break;
	}
	free(file);
	free(name);
	free(pool);
	vc_refresh(app, true);
	return app->unwinding ? VC_LOGOUT : VC_BACK;
}

int vc_schedule_screen(struct vc_app *app)
{
	const char *every[2] = { _("Every day"), _("Every week") };
	const char *root = getenv("OSPITE_ROOT");
	char *name = strdup("nightly"), *guests = strdup(""), *dir = strdup(default_dir()),
	     *keep = strdup("7");
	int weekly = 0;

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Backup schedule"));
		int e_name, e_guests, e_dir, r_every, e_keep, r;
		struct vc_sched s;
		unsigned long long k = 0;
		char *cause = NULL;

		tui_dialog_text(d, _("The guests are backed up every day or week by a systemd timer, and the last backups of each are kept."));
		e_name = tui_dialog_entry(d, _("Schedule name:"), name ? name : "", 0);
		e_guests = tui_dialog_entry(d, _("Guests (comma-separated):"), guests ? guests : "", 0);
		e_dir = tui_dialog_entry(d, _("Folder:"), dir ? dir : "", 0);
		r_every = tui_dialog_radio(d, _("When:"), every, 2, weekly);
		e_keep = tui_dialog_entry(d, _("Backups kept of each guest:"), keep ? keep : "", 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Save"));
		r = tui_dialog_run(d);
		free(name);
		free(guests);
		free(dir);
		free(keep);
		name = strdup(tui_dialog_value(d, e_name));
		guests = strdup(tui_dialog_value(d, e_guests));
		dir = strdup(tui_dialog_value(d, e_dir));
		keep = strdup(tui_dialog_value(d, e_keep));
		weekly = tui_dialog_selected(d, r_every);
		tui_dialog_free(d);
		if (r == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (r != TUI_NEXT || !name || !guests || !dir || !keep || app->unwinding)
			break;
		memset(&s, 0, sizeof(s));
		s.name = strdup(name);
		s.dir = strdup(dir);
		s.weekly = weekly == 1;
		if (vc_parse_uint(keep, 1000, &k) < 0)
			k = 0;
		s.keep = (unsigned)k;
		{
			char *list = strdup(guests);

			for (char *save = NULL, *t = list ? strtok_r(list, ", ", &save) : NULL; t;
			     t = strtok_r(NULL, ", ", &save)) {
				char **g = realloc(s.guests, (s.n_guests + 1) * sizeof(*g));

				if (!g)
					abort();
				s.guests = g;
				s.guests[s.n_guests++] = strdup(t);
			}
			free(list);
		}
		if (vc_sched_save(root, &s, &cause) < 0) {
			/* The dialog comes back with what was typed, to correct it. */
			vc_error(_("Backup schedule"), cause);
			vc_sched_clear(&s);
			continue;
		}
		vc_audit(app->user, "backup schedule=%s set every=%s keep=%u dir=%s", s.name,
			 s.weekly ? "weekly" : "daily", s.keep, s.dir);
		{
			char *text = NULL;

			if (asprintf(&text, _("The backup schedule %s runs %s; it keeps %u backups of each guest in %s."),
				     s.name, s.weekly ? _("weekly") : _("daily"), s.keep, s.dir) < 0)
				abort();
			tui_message(_("Backup schedule"), text);
			free(text);
		}
		vc_sched_clear(&s);
		break;
	}
	free(name);
	free(guests);
	free(dir);
	free(keep);
	return app->unwinding ? VC_LOGOUT : VC_BACK;
}

int vc_schedules_screen(struct vc_app *app)
{
	const char *title = _("Backup schedules");
	const char *root = getenv("OSPITE_ROOT");
	int at = 0;

	for (;;) {
		struct tui_dialog *d;
		char **names = NULL, *cause = NULL, *text = NULL;
		size_t n = 0;
		int list, r, sel;

		if (vc_sched_list(root, &names, &n, &cause) < 0) {
			vc_error(title, cause);
			break;
		}
		if (!n) {
			tui_message(title, _("There are no backup schedules."));
			break;
		}
		if (at >= (int)n)
			at = (int)n - 1;
		d = tui_dialog_new(title);
		tui_dialog_text(d, _("Each schedule runs from its systemd timer. Remove stops the timer and deletes the schedule; the backups it made stay."));
		list = tui_dialog_list(d, NULL, 0, at, n < 8 ? (int)n : 8);
		for (size_t i = 0; i < n; i++) {
			struct vc_sched sc;
			char *row = NULL;

			/* A file that does not read is still listed, so that it can be removed. */
			if (vc_sched_load(root, names[i], &sc, NULL) == 0) {
				row = vc_sched_describe(&sc);
				vc_sched_clear(&sc);
			} else if (asprintf(&row, _("%s: cannot be read"), names[i]) < 0) {
				abort();
			}
			tui_dialog_list_add(d, list, row);
		}
		tui_dialog_focus(d, list);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Remove"));
		r = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (r == TUI_LANG) {
			vc_lang_toggle();
		} else if (r != TUI_NEXT || app->unwinding || sel < 0 || sel >= (int)n) {
			r = -1;
		} else {
			at = sel;
			if (asprintf(&text, _("Remove the backup schedule %s? Its timer stops; the backups it made stay."),
				     names[sel]) < 0)
				abort();
			if (tui_ask(title, text, _("Remove"), _("Back")) && !app->unwinding) {
				if (vc_sched_remove(root, names[sel], &cause) < 0) {
					vc_error(title, cause);
					cause = NULL;
				} else {
					vc_audit(app->user, "backup schedule=%s removed", names[sel]);
					free(text);
					if (asprintf(&text, _("The backup schedule %s is removed; the backups it made stay."),
						     names[sel]) < 0)
						abort();
					tui_message(title, text);
				}
			}
			free(text);
		}
		vc_strv_free(names, n);
		if (r < 0 || app->unwinding)
			break;
	}
	return app->unwinding ? VC_LOGOUT : VC_BACK;
}

int vc_backups_screen(struct vc_app *app)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Backups"));
		const char *items[3] = { _("Restore a guest from an archive"),
					 _("Schedule backups of guests"),
					 _("List or remove backup schedules") };
		int list, r, sel;

		tui_dialog_text(d, _("A guest's own screen backs it up (b); here an archive is restored, or backups are scheduled."));
		list = tui_dialog_list(d, items, 3, 0, 3);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Open"));
		r = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (r == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (r != TUI_NEXT || app->unwinding)
			return app->unwinding ? VC_LOGOUT : VC_BACK;
		return sel == 2 ? vc_schedules_screen(app) :
		       sel == 1 ? vc_schedule_screen(app) : vc_restore_screen(app);
	}
}
