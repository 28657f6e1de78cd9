/* The console's top level: the refresh tick, idle logout, the connection, and status -> login -> guests. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000ULL
/* Bulk stats every 2 seconds; a life-cycle event refreshes at the next tick. */
#define REFRESH_NS (2 * NS_PER_S)
#define RECONNECT_NS (5 * NS_PER_S)
#define TICK_MS 1000

uint64_t vc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void (*behind_fn)(void *);
static void *behind_arg;

void vc_lang_behind(void (*fn)(void *), void *arg)
{
	behind_fn = fn;
	behind_arg = arg;
}

void vc_lang_toggle(void)
{
	tui_lang_set(!strcmp(tui_lang(), "it") ? "en" : "it");
	tui_frame_redraw();
	if (behind_fn)
		behind_fn(behind_arg);
}

void vc_error(const char *title, char *cause)
{
	tui_message(title, cause ? cause : _("The operation failed."));
	free(cause);
}

/* The first pause after a lost connection, and the longest. */
#define RECONNECT_MIN_S 1
#define RECONNECT_MAX_S 30

static void connect_now(struct vc_app *app)
{
	char *cause = NULL;

	if (hv_open(app->uri, &app->conn, &cause) < 0) {
		app->conn = NULL;
		if (app->was_connected) {
			/* The list keeps saying the connection was lost, and since when. */
			free(cause);
			return;
		}
		free(app->conn_error);
		app->conn_error = cause;
		return;
	}
	free(app->conn_error);
	app->conn_error = NULL;
	app->was_connected = true;
	app->reconnect_s = 0;
	/* Without events the stats timer still shows every change, only later. */
	if (hv_events_start(app->conn, &cause) < 0)
		free(cause);
}

/*
 * The daemon went away (restarted, stopped): drop the connection at once, so that no screen calls
 * into it, forget the guests it showed, and try again after a pause that doubles up to 30 s.
 */
static void connection_lost(struct vc_app *app, uint64_t now)
{
	char when[16];
	time_t t = time(NULL);
	struct tm tm;
	unsigned gen;

	hv_close(app->conn);
	app->conn = NULL;
	gen = app->model.generation;
	vc_model_clear(&app->model);
	/* A new generation: every screen showing the list notices it is empty now. */
	app->model.generation = gen + 1;
	app->host_ok = false;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(app->lost_at, sizeof(app->lost_at), "%s", when);
	free(app->conn_error);
	/* TRANSLATORS: %s is a time of day; the console tries again by itself. */
	if (asprintf(&app->conn_error, _("the connection was lost at %s (was the libvirt daemon restarted?); reconnecting by itself."),
		     when) < 0)
		app->conn_error = NULL;
	app->reconnect_s = RECONNECT_MIN_S;
	app->next_connect = now + app->reconnect_s * NS_PER_S;
}

bool vc_need_conn(struct vc_app *app, const char *title)
{
	char *msg = NULL;

	if (app->conn)
		return true;
	if (asprintf(&msg, _("Not connected to the hypervisor: %s"),
		     app->conn_error ? app->conn_error : "") < 0)
		msg = NULL;
	vc_error(title, msg);
	return false;
}

void vc_refresh(struct vc_app *app, bool now)
{
	uint64_t t = vc_now_ns();
	struct hv_dom_stat *stats = NULL;
	size_t n = 0;
	char *cause = NULL;

	/* Another host's connection, lent to a guest's screen (vc_open_remote_guest()), is its to close. */
	if (app->conn && !app->away_host && !hv_alive(app->conn))
		connection_lost(app, t);
	if (!app->conn) {
		if (t < app->next_connect && (!now || app->was_connected))
			return;
		if (app->was_connected) {
			app->reconnect_s = app->reconnect_s ? app->reconnect_s * 2 : RECONNECT_MIN_S;
			if (app->reconnect_s > RECONNECT_MAX_S)
				app->reconnect_s = RECONNECT_MAX_S;
			app->next_connect = t + app->reconnect_s * NS_PER_S;
		} else {
			app->next_connect = t + RECONNECT_NS;
		}
		connect_now(app);
		if (!app->conn)
			return;
		now = true;
	}
	if (hv_events_changed(app->conn))
		now = true;
	if (!now && t < app->next_refresh)
		return;
	app->next_refresh = t + REFRESH_NS;
	if (hv_list(app->conn, &stats, &n, &cause) < 0) {
		free(app->list_error);
		app->list_error = cause;
		/* A call that found the socket closed: the same as the keep-alive noticing it. */
		if (!app->away_host && !hv_alive(app->conn)) {
			connection_lost(app, t);
			return;
		}
	} else {
		free(app->list_error);
		app->list_error = NULL;
		vc_model_update(&app->model, stats, n, t);
	}
	cause = NULL;
	app->host_ok = hv_host_info(app->conn, &app->host, &cause) == 0;
	free(cause);
}

static void logout(struct vc_app *app, const char *why)
{
	if (app->logged_in)
		vc_audit(app->user, "logout%s", why);
	app->logged_in = false;
	app->root = false;
	app->admin = false;
	memset(app->user, 0, sizeof(app->user));
	vc_login_close(app->session);
	app->session = NULL;
}

bool vc_tick(void *opaque)
{
	struct vc_app *app = opaque;

	if (app->unwinding)
		return true;
	if (app->logged_in && app->conf.idle_timeout &&
	    tui_idle_seconds() >= app->conf.idle_timeout) {
		logout(app, " (idle)");
		app->idle_logout = true;
		app->unwinding = true;
		return true;
	}
	vc_refresh(app, false);
	return false;
}

int vc_app_run(struct vc_app *app)
{
	int rc;

	tui_tick_set(TICK_MS, vc_tick, app);
	vc_refresh(app, true);
	vc_hosts_sync(app);
	/* A broken settings file is said once; the console runs on its defaults meanwhile. */
	if (app->conf_error) {
		tui_message(_("Settings"), app->conf_error);
		free(app->conf_error);
		app->conf_error = NULL;
	}
	for (;;) {
		rc = vc_scr_status(app);
		app->unwinding = false;
		if (rc == VC_QUIT)
			break;
		if (!app->logged_in)
			continue;
		rc = vc_scr_list(app);
		logout(app, "");
		app->unwinding = false;
		if (rc == VC_QUIT)
			break;
	}
	tui_tick_set(0, NULL, NULL);
	vc_hosts_stop(app);
	return 0;
}
