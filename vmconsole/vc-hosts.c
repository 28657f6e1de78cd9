/* The Hosts screen and the other hosts behind it: each watched by hv/'s own thread, listed with its state, added, tested and removed by root, and this host's SSH key shown. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_MS 2000

void vc_hosts_sync(struct vc_app *app)
{
	/* Entries are matched by name and URI: a changed URI is a new watch. */
	for (size_t i = 0; i < VC_MAX_HOSTS; i++) {
		bool keep = i < app->conf.n_hosts && app->remotes[i] &&
			    !strcmp(hv_remote_uri(app->remotes[i]), app->conf.hosts[i].uri);

		if (!keep && app->remotes[i]) {
			hv_remote_stop(app->remotes[i]);
			app->remotes[i] = NULL;
		}
		if (i < app->conf.n_hosts && !app->remotes[i] &&
		    hv_remote_start(app->conf.hosts[i].uri, SAMPLE_MS, &app->remotes[i], NULL) < 0)
			app->remotes[i] = NULL;
	}
}

void vc_hosts_stop(struct vc_app *app)
{
	for (size_t i = 0; i < VC_MAX_HOSTS; i++) {
		hv_remote_stop(app->remotes[i]);
		app->remotes[i] = NULL;
	}
}

void vc_hosts_kick(struct vc_app *app)
{
	for (size_t i = 0; i < app->conf.n_hosts; i++)
		if (app->remotes[i])
			hv_remote_kick(app->remotes[i]);
}

char *vc_hosts_lost_line(struct vc_app *app)
{
	struct base_buf b = { 0 };

	for (size_t i = 0; i < app->conf.n_hosts; i++) {
		time_t since;
		char when[16];
		struct tm tm;

		if (!app->remotes[i] || hv_remote_state(app->remotes[i], &since) != HV_REMOTE_LOST)
			continue;
		localtime_r(&since, &tm);
		strftime(when, sizeof(when), "%H:%M", &tm);
		/* TRANSLATORS: a host the console lost the connection to, and since when (HH:MM). */
		base_buf_printf(&b, b.s ? ", " : "%s", b.s ? "" : _("Lost: "));
		base_buf_printf(&b, _("%s since %s"), app->conf.hosts[i].name, when);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* One row of the Hosts screen. */
enum { HC_NAME = 12, HC_STATE = 17, HC_HV = 13, HC_CPU = 10, HC_FREE = 8 };

static char *host_row(const char *name, const char *state, const struct hv_host *h, bool ok)
{
	char hv[64] = "", free_s[32] = "", guests[16] = "", *cols[6], *row = NULL;
	int widths[5] = { HC_NAME, HC_STATE, HC_HV, HC_CPU, HC_FREE };

	if (ok) {
		snprintf(hv, sizeof(hv), "%s %s", h->hypervisor, h->version);
		vc_fmt_mem(h->free_kib, free_s, sizeof(free_s));
		snprintf(guests, sizeof(guests), "%u", h->guests);
	}
	cols[0] = tui_pad(name, widths[0]);
	cols[1] = tui_pad(state, widths[1]);
	cols[2] = tui_pad(hv, widths[2]);
	cols[3] = tui_pad(ok ? h->cpu_model : "", widths[3]);
	cols[4] = tui_pad(free_s, widths[4]);
	if (asprintf(&row, "%s %s %s %s %s %5s", cols[0], cols[1], cols[2], cols[3], cols[4],
		     guests) < 0)
		abort();
	for (int i = 0; i < 5; i++)
		free(cols[i]);
	return row;
}

static char *hosts_header(void)
{
	const int w[5] = { HC_NAME, HC_STATE, HC_HV, HC_CPU, HC_FREE };
	const char *t[6] = { _("Host"), _("State"), _("Hypervisor"), _("CPU"), _("Free"),
			     _("Guests") };
	char *c[5], *row = NULL;

	for (int i = 0; i < 5; i++)
		c[i] = tui_pad(t[i], w[i]);
	if (asprintf(&row, "%s %s %s %s %s %s", c[0], c[1], c[2], c[3], c[4], t[5]) < 0)
		abort();
	for (int i = 0; i < 5; i++)
		free(c[i]);
	return row;
}

static char *state_text(const struct hv_remote_view *v)
{
	char *s = NULL, when[16];
	struct tm tm;

	switch (v->state) {
	case HV_REMOTE_CONNECTED:
		return strdup(_("connected"));
	case HV_REMOTE_CONNECTING:
		return strdup(_("connecting"));
	case HV_REMOTE_LOST:
		localtime_r(&v->lost_since, &tm);
		strftime(when, sizeof(when), "%H:%M", &tm);
		/* TRANSLATORS: a host's state on the Hosts screen, with the time it was lost (HH:MM). */
		if (asprintf(&s, _("lost since %s"), when) < 0)
			abort();
		return s;
	}
	return strdup("?");
}

struct hosts_scr {
	struct tui_view *v;
	int list, info, btn;
	struct vc_shown shown;
};

enum { HB_ADD, HB_TEST, HB_REMOVE, HB_KEY, HB_BACK, NHB };

static void hosts_fill(struct hosts_scr *s, struct vc_app *app, bool force)
{
	size_t n = app->conf.n_hosts + 1;
	char **keys = calloc(n, sizeof(*keys)), **rows = calloc(n, sizeof(*rows));
	const char *sel;
	char *line;

	if (!keys || !rows)
		abort();
	keys[0] = strdup("");
	rows[0] = host_row(app->host_ok && *app->host.hostname ? app->host.hostname : _("this host"),
			   _("this host"), &app->host, app->host_ok);
	for (size_t i = 0; i < app->conf.n_hosts; i++) {
		struct hv_remote_view v = { 0 };
		char *st;

		if (app->remotes[i])
			hv_remote_get(app->remotes[i], &v);
		st = state_text(&v);
		keys[i + 1] = strdup(app->conf.hosts[i].name);
		rows[i + 1] = host_row(app->conf.hosts[i].name, st, &v.host, v.host_ok &&
				       v.state == HV_REMOTE_CONNECTED);
		free(st);
		hv_remote_view_clear(&v);
	}
	vc_shown_update(&s->shown, s->v, s->list, keys, rows, n, force);
	/* The line under the list: why the selected host is lost, or what the buttons do. */
	sel = tui_view_list_current(s->v, s->list);
	line = NULL;
	for (size_t i = 0; sel && *sel && i < app->conf.n_hosts; i++) {
		struct hv_remote_view v = { 0 };

		if (strcmp(app->conf.hosts[i].name, sel) || !app->remotes[i])
			continue;
		hv_remote_get(app->remotes[i], &v);
		if (v.state == HV_REMOTE_LOST && *v.error)
			line = strdup(v.error);
		else if (asprintf(&line, "%s", app->conf.hosts[i].uri) < 0)
			line = NULL;
		hv_remote_view_clear(&v);
	}
	tui_view_set_text(s->v, s->info, line ? line : app->root ?
			  _("Root may add and remove hosts; the settings file keeps them.") :
			  _("Only root may add or remove hosts."));
	free(line);
}

static void hosts_build(struct hosts_scr *s, struct vc_app *app)
{
	const char *btns[NHB] = { _("Add"), _("Test"), _("Remove"), _("SSH key"), _("Back") };
	char *head;

	s->v = tui_view_new(_("Hosts"), 18);
	head = hosts_header();
	tui_view_text(s->v, tui_list_marker() ? 3 : 1, 0, 0, head);
	free(head);
	s->list = tui_view_list(s->v, 1, 1, 0, 11);
	s->info = tui_view_text(s->v, 1, 13, 0, "");
	s->btn = tui_view_buttons(s->v, btns, NHB);
	vc_shown_clear(&s->shown);
	hosts_fill(s, app, true);
	tui_view_focus_list(s->v, s->list);
}

/* A connection made away from the screen's thread. */
struct probe {
	const char *uri;
	int rc;
	char *cause;
	struct hv_conn *conn;
	struct hv_host host;
};

static void *probe_main(void *arg)
{
	struct probe *p = arg;

	p->rc = hv_open(p->uri, &p->conn, &p->cause);
	if (p->rc == 0)
		p->rc = hv_host_info(p->conn, &p->host, &p->cause);
	return NULL;
}

int vc_run_bg(const char *title, const char *text, void *(*fn)(void *), void *arg)
{
	struct tui_progress *bar;
	pthread_t tid;
	unsigned t = 0;

	if (pthread_create(&tid, NULL, fn, arg) != 0)
		return -EAGAIN;
	bar = tui_progress_new(title, text);
	/* No measure of how far a connection got: a bar that sweeps says the screen is alive. */
	while (pthread_tryjoin_np(tid, NULL) != 0) {
		usleep(100 * 1000);
		tui_progress_set(bar, (++t * 50) % 1000, NULL);
	}
	tui_progress_free(bar);
	return 0;
}

/* Run @p beside the screen: a dead host never freezes it. */
static int probe_run(struct probe *p, const char *title, const char *text)
{
	if (vc_run_bg(title, text, probe_main, p) < 0) {
		p->rc = base_cause(&p->cause, -EAGAIN, _("Out of memory."));
		return p->rc;
	}
	if (p->rc < 0 && p->conn) {
		hv_close(p->conn);
		p->conn = NULL;
	}
	return p->rc;
}

int vc_open_bg(const char *title, const char *text, const char *uri, struct hv_conn **conn,
	       char **cause)
{
	struct probe p = { .uri = uri };
	int rc = probe_run(&p, title, text);

	*conn = p.conn;
	if (cause)
		*cause = p.cause;
	else
		free(p.cause);
	return rc;
}

int vc_open_remote_guest(struct vc_app *app, size_t i, const char *name)
{
	struct hv_conn *home = app->conn, *c = NULL;
	struct vc_model saved = app->model;
	struct hv_host host = app->host;
	bool host_ok = app->host_ok;
	char *text = NULL, *cause = NULL;
	int rc;

	if (i >= app->conf.n_hosts)
		return VC_BACK;
	if (asprintf(&text, _("Connecting to %s (%s)..."), app->conf.hosts[i].name,
		     app->conf.hosts[i].uri) < 0)
		abort();
	rc = vc_open_bg(app->conf.hosts[i].name, text, app->conf.hosts[i].uri, &c, &cause);
	free(text);
	if (rc < 0) {
		vc_error(app->conf.hosts[i].name, cause);
		return VC_BACK;
	}
	/* The screens work on app->conn and its model: give them the other host's for a while. */
	free(app->home_uri);
	app->home_uri = home ? strdup(hv_uri(home)) : NULL;
	app->away_host = app->conf.hosts[i].name;
	app->conn = c;
	memset(&app->model, 0, sizeof(app->model));
	vc_refresh(app, true);
	rc = vc_scr_detail(app, name);
	vc_model_clear(&app->model);
	hv_close(c);
	app->conn = home;
	app->model = saved;
	app->host = host;
	app->host_ok = host_ok;
	app->away_host = NULL;
	vc_refresh(app, true);
	return rc;
}

/* Connect to @uri and say what answered; the screen keeps drawing meanwhile. */
static void test_host(const char *name, const char *uri)
{
	struct probe p = { .uri = uri };
	char *text = NULL;

	if (asprintf(&text, _("Connecting to %s (%s)..."), name, uri) < 0)
		abort();
	probe_run(&p, _("Test"), text);
	free(text);
	if (p.conn)
		hv_close(p.conn);
	text = NULL;
	if (p.rc == 0) {
		char mem[32];

		vc_fmt_mem(p.host.free_kib, mem, sizeof(mem));
		if (asprintf(&text, _("%s answers: %s %s on %s, %s free, %u guests."), name,
			     p.host.hypervisor, p.host.version, p.host.hostname, mem,
			     p.host.guests) < 0)
			abort();
		tui_message(_("Test"), text);
		free(text);
	} else {
		vc_error(_("Test"), p.cause);
	}
}

static void add_host(struct vc_app *app)
{
	char name[64] = "", uri[512] = "";
	int focus = -1;

	for (;;) {
		struct vc_entry e[] = { { N_("Name:"), name, sizeof(name) },
					{ N_("URI:"), uri, sizeof(uri) } };
		struct vc_conf c;
		char *cause = NULL;

		if (vc_ask_entries(N_("Add a host"), N_("Add"), e, 2, focus,
				   N_("A name for the host and its libvirt URI, such as qemu+ssh://root@host2/system or xen+ssh://root@host2/. For SSH, this host's key (SSH key button) must be in the other host's /root/.ssh/authorized_keys.")) != VC_ASK_NEXT)
			return;
		if (app->conf.n_hosts == VC_MAX_HOSTS) {
			vc_error(_("Add a host"), strdup(_("The console knows as many hosts as it can.")));
			return;
		}
		if (vc_check_host_entry(name, uri, &app->conf, &cause) < 0) {
			vc_error(_("Add a host"), cause);
			focus = strstr(uri, "://") ? 0 : 1;
			continue;
		}
		c = app->conf;
		snprintf(c.hosts[c.n_hosts].name, sizeof(c.hosts[0].name), "%s", name);
		snprintf(c.hosts[c.n_hosts].uri, sizeof(c.hosts[0].uri), "%s", uri);
		c.n_hosts++;
		if (vc_conf_save(app->conf_path, &c, &cause) < 0) {
			vc_error(_("Add a host"), cause);
			return;
		}
		app->conf = c;
		vc_audit(app->user, "host add name=%s uri=%s", name, uri);
		vc_hosts_sync(app);
		return;
	}
}

static void remove_host(struct vc_app *app, const char *name)
{
	struct vc_conf c = app->conf;
	char *q = NULL, *cause = NULL;
	size_t i;

	for (i = 0; i < c.n_hosts && strcmp(c.hosts[i].name, name); i++)
		;
	if (i == c.n_hosts)
		return;
	if (asprintf(&q, _("Remove %s from the hosts this console knows? Its guests are not touched."),
		     name) < 0)
		abort();
	if (!tui_ask(_("Remove"), q, _("Remove"), _("Cancel"))) {
		free(q);
		return;
	}
	free(q);
	memmove(&c.hosts[i], &c.hosts[i + 1], (c.n_hosts - i - 1) * sizeof(c.hosts[0]));
	c.n_hosts--;
	if (vc_conf_save(app->conf_path, &c, &cause) < 0) {
		vc_error(_("Remove"), cause);
		return;
	}
	/* The watches follow the entries: stop them all, start those that stay. */
	vc_hosts_stop(app);
	app->conf = c;
	vc_audit(app->user, "host remove name=%s", name);
	vc_hosts_sync(app);
}

/* This host's public SSH key, made on request (root) when there is none. */
static void show_key(struct vc_app *app)
{
	const char *home = getenv("HOME");
	const char *names[] = { "id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub" };
	char path[512], *key = NULL, *text = NULL;

	if (!home || *home != '/')
		home = "/root";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !key; i++) {
		snprintf(path, sizeof(path), "%s/.ssh/%s", home, names[i]);
		if (hcfg_read_file(path, &key, NULL) < 0)
			key = NULL;
	}
	if (!key && app->root &&
	    tui_ask(_("SSH key"), _("This host has no SSH key yet. Make one (ed25519, without a passphrase, for the console's connections)?"),
		    _("Make a key"), _("Cancel"))) {
		char dir[512], priv[512], *cause = NULL;
		const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
				       "ospite", "-f", priv, NULL };

		snprintf(dir, sizeof(dir), "%s/.ssh", home);
		mkdir(dir, 0700);
		snprintf(priv, sizeof(priv), "%s/.ssh/id_ed25519", home);
		if (base_run(argv, -1, &cause) != 0) {
			vc_error(_("SSH key"), cause);
			return;
		}
		free(cause);
		snprintf(path, sizeof(path), "%s/.ssh/id_ed25519.pub", home);
		if (hcfg_read_file(path, &key, NULL) < 0)
			key = NULL;
		vc_audit(app->user, "ssh-key made path=%s", path);
	}
	if (!key) {
		tui_message(_("SSH key"), app->root ?
			    _("This host has no SSH key.") :
			    _("This host has no SSH key; root can make one here."));
		return;
	}
	key[strcspn(key, "\n")] = '\0';
	if (asprintf(&text, _("Add this line to /root/.ssh/authorized_keys on each other host, so that qemu+ssh:// and xen+ssh:// connections from this host need no password:\n\n%s"),
		     key) < 0)
		abort();
	tui_message(_("SSH key"), text);
	free(text);
	free(key);
}

int vc_scr_hosts(struct vc_app *app)
{
	struct hosts_scr s;
	struct tui_event ev;

	memset(&s, 0, sizeof(s));
	hosts_build(&s, app);
	for (;;) {
		const char *cur;
		char *name;

		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			break;
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(s.v);
			hosts_build(&s, app);
			continue;
		}
		if (ev.kind == TUI_EV_TICK) {
			hosts_fill(&s, app, false);
			continue;
		}
		if (ev.kind != TUI_EV_BUTTON)
			continue;
		cur = tui_view_list_current(s.v, s.list);
		name = cur ? strdup(cur) : NULL;
		switch (ev.id - s.btn) {
		case HB_ADD:
			if (!app->root)
				tui_message(_("Add a host"), _("Only root may add or remove hosts."));
			else
				add_host(app);
			break;
		case HB_TEST:
			if (name && *name) {
				const char *uri = vc_conf_host(&app->conf, name);

				if (uri)
					test_host(name, uri);
				for (size_t i = 0; i < app->conf.n_hosts; i++)
					if (app->remotes[i] && !strcmp(app->conf.hosts[i].name, name))
						hv_remote_kick(app->remotes[i]);
			} else {
				test_host(_("this host"), app->conn ? hv_uri(app->conn) :
					  app->uri ? app->uri : "");
			}
			break;
		case HB_REMOVE:
			if (!app->root)
				tui_message(_("Remove"), _("Only root may add or remove hosts."));
			else if (name && *name)
				remove_host(app, name);
			break;
		case HB_KEY:
			show_key(app);
			break;
		case HB_BACK:
			free(name);
			tui_view_free(s.v);
			vc_shown_clear(&s.shown);
			return VC_BACK;
		}
		free(name);
		if (app->unwinding)
			break;
		tui_view_free(s.v);
		hosts_build(&s, app);
	}
	tui_view_free(s.v);
	vc_shown_clear(&s.shown);
	return VC_LOGOUT;
}
