/* The console's top level: the refresh tick, idle logout, the connection, and status -> login -> guests. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

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

void vc_lang_toggle(void)
{
	tui_lang_set(!strcmp(tui_lang(), "it") ? "en" : "it");
	tui_frame_redraw();
}

void vc_error(const char *title, char *cause)
{
	tui_message(title, cause ? cause : _("The operation failed."));
	free(cause);
}

static void connect_now(struct vc_app *app)
{
	char *cause = NULL;

	if (hv_open(app->uri, &app->conn, &cause) < 0) {
		app->conn = NULL;
		free(app->conn_error);
		app->conn_error = cause;
		return;
	}
	free(app->conn_error);
	app->conn_error = NULL;
	/* Without events the stats timer still shows every change, only later. */
	if (hv_events_start(app->conn, &cause) < 0)
		free(cause);
}

void vc_refresh(struct vc_app *app, bool now)
{
	uint64_t t = vc_now_ns();
	struct hv_dom_stat *stats = NULL;
	size_t n = 0;
	char *cause = NULL;

	if (!app->conn) {
		if (!now && t < app->next_connect)
			return;
		app->next_connect = t + RECONNECT_NS;
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
