/* The Host Management screen: the host's name, DNS, NTP, SSH, what happens to guests when it stops, libvirtd restart, reboot and power-off, its logs and root's console settings. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "hostcfg/hcfg-admin.h"
#include "tui/tui.h"
#include "base/audit.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { I_NAME, I_DNS, I_NTP, I_SSH, I_GUESTS, I_RESTART, I_REBOOT, I_POWEROFF, I_JOURNAL,
       I_AUDIT, I_CONSOLE, NI };
/* The items up to this one change the host itself, and every guest with it: root and the group
 * ospite-admin only, as in xsconsole and the ESXi console. The logs are open to every operator. */
#define I_LAST_ADMIN I_POWEROFF

#define SSH_UNIT "ssh.service"
#define LIBVIRTD_UNIT "libvirtd.service"
#define GUESTS_UNIT "libvirt-guests.service"
#define LOG_LINES 200
/* How long the console waits for libvirtd to take connections again after its restart. */
#define RECONNECT_WAIT_MS 30000

struct adm_scr {
	struct tui_view *v;
	int list, info, btn;
};

static const char *item_label(int i)
{
	switch (i) {
	case I_NAME: return _("Host name");
	case I_DNS: return _("DNS servers");
	case I_NTP: return _("Time (NTP)");
	case I_SSH: return _("SSH service");
	case I_GUESTS: return _("Guests at shutdown");
	case I_RESTART: return _("Restart libvirtd");
	case I_REBOOT: return _("Reboot the host");
	case I_POWEROFF: return _("Shut down the host");
	case I_JOURNAL: return _("Host log");
	case I_AUDIT: return _("Console audit log");
	case I_CONSOLE: return _("Console settings");
	}
	return "";
}

static char *join(char *const *v, size_t n, const char *sep)
{
	struct base_buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		base_buf_printf(&b, "%s%s", i ? sep : "", v[i]);
	if (b.oom)
		abort();
	return b.s ? b.s : strdup("");
}

static bool unit_on(const char *unit)
{
	char w[32];

	return hcfg_admin_unit_state("is-active", unit, w, sizeof(w)) == 0 && !strcmp(w, "active");
}

/* The text of one menu row: what the item is now (malloc'd). */
static char *item_value(struct vc_app *app, int i)
{
	char buf[256] = "", **v = NULL;
	size_t n = 0;
	struct hcfg_guests_policy p;
	enum hcfg_ntp_kind k;

	switch (i) {
	case I_NAME:
		if (hcfg_admin_hostname(buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "%s", _("unknown"));
		break;
	case I_DNS:
		if (hcfg_admin_dns(&v, &n, NULL) == 0 && n) {
			char *j = join(v, n, ", ");

			snprintf(buf, sizeof(buf), "%s", j);
			free(j);
		} else {
			snprintf(buf, sizeof(buf), "%s", _("none"));
		}
		hcfg_admin_strv_free(v, n);
		break;
	case I_NTP:
		k = hcfg_admin_ntp_kind();
		if (k == HCFG_NTP_NONE) {
			snprintf(buf, sizeof(buf), "%s", _("no NTP client installed"));
			break;
		}
		hcfg_admin_ntp(k, &v, &n, NULL);
		{
			char *j = join(v, n, ", ");

			/* TRANSLATORS: active or inactive, then the NTP servers. */
			snprintf(buf, sizeof(buf), _("%s, servers: %s"),
				 unit_on(hcfg_admin_ntp_unit(k)) ? _("active") : _("inactive"),
				 n ? j : _("the default ones"));
			free(j);
		}
		hcfg_admin_strv_free(v, n);
		break;
	case I_SSH:
		snprintf(buf, sizeof(buf), "%s", unit_on(SSH_UNIT) ? _("active") : _("inactive"));
		break;
	case I_GUESTS:
		hcfg_admin_guests_policy(&p, NULL);
		if (p.suspend)
			snprintf(buf, sizeof(buf), "%s", _("suspended to disk"));
		else if (p.timeout_s)
			snprintf(buf, sizeof(buf), _("shut down, switched off after %u s"), p.timeout_s);
		else
			snprintf(buf, sizeof(buf), "%s", _("shut down, waiting for ever"));
		break;
	case I_RESTART:
		snprintf(buf, sizeof(buf), "%s", _("the guests keep running"));
		break;
	case I_CONSOLE:
		snprintf(buf, sizeof(buf), _("idle logout %u s, VNC on %s"), app->conf.idle_timeout,
			 app->conf.vnc_listen);
		break;
	default:
		break;
	}
	return strdup(buf);
}

static void fill(struct adm_scr *s, struct vc_app *app)
{
	char *rows[NI], *keys[NI];
	int lw = 0, w = tui_view_width() - 4;

	for (int i = 0; i < NI; i++)
		if (tui_width(item_label(i)) > lw)
			lw = tui_width(item_label(i));
	for (int i = 0; i < NI; i++) {
		char *label = tui_pad(item_label(i), lw), *val = item_value(app, i), *row = NULL;

		if (asprintf(&row, "%s  %s", label, val) < 0)
			abort();
		rows[i] = tui_pad(row, w);
		free(row);
		free(label);
		free(val);
		if (asprintf(&keys[i], "%d", i) < 0)
			abort();
	}
	tui_view_list_reset(s->v, s->list, NI, (const char *const *)rows, (const char *const *)keys);
	for (int i = 0; i < NI; i++) {
		free(rows[i]);
		free(keys[i]);
	}
}

static void build(struct adm_scr *s, struct vc_app *app)
{
	const char *btns[2] = { _("Open"), _("Back") };

	/* As tall as the guest list under it, whose border would show otherwise. */
	s->v = tui_view_new(_("Host Management"), 18);
	s->list = tui_view_list(s->v, 1, 0, 0, NI);
	if (app->admin) {
		s->info = tui_view_text(s->v, 1, NI + 1, 0,
					_("Enter changes or shows the item; every change is audited."));
	} else {
		char *info = NULL;

		/* TRANSLATORS: %s is the group name, ospite-admin; one line of 76 columns. */
		if (asprintf(&info, _("Only root and the group %s change the host; you may look."),
			     VC_ADMIN_GROUP) < 0)
			abort();
		s->info = tui_view_text(s->v, 1, NI + 1, 0, info);
		free(info);
	}
	s->btn = tui_view_buttons(s->v, btns, 2);
	fill(s, app);
	tui_view_focus_list(s->v, s->list);
}

/* A dialog's result that ends the screen: the idle logout (VC_ASK_IDLE). Language switches redraw. */
#define DLG_IDLE VC_ASK_IDLE

static int do_name(struct vc_app *app)
{
	char old[256] = "", value[256];
	const char *title = item_label(I_NAME);

	hcfg_admin_hostname(old, sizeof(old));
	snprintf(value, sizeof(value), "%s", old);
	for (;;) {
		struct vc_entry e = { N_("Host name:"), value, sizeof(value) };
		char *cause = NULL;
		int rc = vc_ask_entries(title, N_("Save"), &e, 1, -1,
					N_("The new name is written to /etc/hostname and /etc/hosts and taken by the running host at once. Guests are not affected; SSH sessions keep running."));

		if (rc != VC_ASK_NEXT)
			return rc;
		if (!strcmp(value, old))
			return 0;
		if (hcfg_admin_set_hostname(value, &cause) < 0) {
			vc_audit(app->user, "host name %s -> %s failed", old, value);
			vc_error(title, cause);
			continue;
		}
		vc_audit(app->user, "host name %s -> %s", old, value);
		return 1;
	}
}

/* Servers typed in an entry: @what is DNS (addresses only, at most 3) or NTP. */
static int do_dns(struct vc_app *app)
{
	char **v = NULL, **nv = NULL, value[512], *old;
	size_t n = 0, nn = 0;
	const char *title = item_label(I_DNS);

	hcfg_admin_dns(&v, &n, NULL);
	old = join(v, n, " ");
	hcfg_admin_strv_free(v, n);
	snprintf(value, sizeof(value), "%s", old);
	for (;;) {
		struct vc_entry e = { N_("Servers:"), value, sizeof(value) };
		char *cause = NULL;
		int rc = vc_ask_entries(title, N_("Save"), &e, 1, -1,
					N_("Up to three DNS server addresses, separated by blanks. Their nameserver lines in /etc/resolv.conf are replaced; its other lines stay."));

		if (rc != VC_ASK_NEXT) {
			free(old);
			return rc;
		}
		if (hcfg_admin_parse_servers(value, true, 3, &nv, &nn, &cause) < 0 ||
		    hcfg_admin_set_dns(nv, nn, &cause) < 0) {
			hcfg_admin_strv_free(nv, nn);
			nv = NULL;
			nn = 0;
			vc_error(title, cause);
			continue;
		}
		{
			char *j = join(nv, nn, " ");

			vc_audit(app->user, "dns servers \"%s\" -> \"%s\"", old, j);
			free(j);
		}
		hcfg_admin_strv_free(nv, nn);
		free(old);
		return 1;
	}
}

static int do_ntp(struct vc_app *app)
{
	enum hcfg_ntp_kind k = hcfg_admin_ntp_kind();
	const char *title = item_label(I_NTP), *unit = hcfg_admin_ntp_unit(k);
	char **v = NULL, value[512], *old, *intro = NULL;
	size_t n = 0;
	bool was_on;

	if (k == HCFG_NTP_NONE) {
		tui_message(title, _("No NTP client is installed: neither chrony nor systemd-timesyncd."));
		return 0;
	}
	was_on = unit_on(unit);
	hcfg_admin_ntp(k, &v, &n, NULL);
	old = join(v, n, " ");
	hcfg_admin_strv_free(v, n);
	snprintf(value, sizeof(value), "%s", old);
	if (asprintf(&intro, _("The host's clock is kept by %s. Servers are host names or addresses separated by blanks; none means the client's default ones. Switching it off stops the service and keeps it off at boot."),
		     k == HCFG_NTP_CHRONY ? "chrony" : "systemd-timesyncd") < 0)
		abort();
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		char *cause = NULL, **nv = NULL;
		size_t nn = 0;
		int e, c, rc;
		bool on;

		tui_dialog_text(d, intro);
		c = tui_dialog_check(d, _("Synchronise the clock"), was_on);
		e = tui_dialog_entry(d, _("Servers:"), value, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Save"));
		rc = tui_dialog_run(d);
		snprintf(value, sizeof(value), "%s", tui_dialog_value(d, e));
		on = tui_dialog_checked(d, c);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc != TUI_NEXT) {
			free(old);
			free(intro);
			return rc == TUI_IDLE ? DLG_IDLE : 0;
		}
		if (hcfg_admin_parse_servers(value, false, 8, &nv, &nn, &cause) < 0 ||
		    hcfg_admin_set_ntp(k, nv, nn, &cause) < 0 ||
		    /* A restart makes a running client read its new servers. */
		    (on && hcfg_admin_systemctl("enable", NULL, unit, &cause) < 0) ||
		    (on && hcfg_admin_systemctl("restart", NULL, unit, &cause) < 0) ||
		    (!on && was_on && hcfg_admin_systemctl("disable", "--now", unit, &cause) < 0)) {
			vc_audit(app->user, "ntp %s servers \"%s\" failed", on ? "on" : "off", value);
			hcfg_admin_strv_free(nv, nn);
			vc_error(title, cause);
			continue;
		}
		{
			char *j = join(nv, nn, " ");

			vc_audit(app->user, "ntp %s -> %s, servers \"%s\" -> \"%s\" (%s)",
				 was_on ? "on" : "off", on ? "on" : "off", old, j, unit);
			free(j);
		}
		hcfg_admin_strv_free(nv, nn);
		free(old);
		free(intro);
		return 1;
	}
}

static int do_ssh(struct vc_app *app)
{
	const char *title = item_label(I_SSH);
	bool on = unit_on(SSH_UNIT);
	char *cause = NULL;

	if (!tui_ask(title, on ?
		     _("The SSH service runs. Stop it and keep it off at boot? Sessions open now stay until they end, but nobody can log in over SSH afterwards, and other hosts can no longer migrate guests here over SSH.") :
		     _("The SSH service is off. Start it and start it at every boot? Every account with a password can then try to log in over the network."),
		     on ? _("Stop SSH") : _("Start SSH"), _("Cancel")))
		return 0;
	if (hcfg_admin_systemctl(on ? "disable" : "enable", "--now", SSH_UNIT, &cause) < 0) {
		vc_audit(app->user, "ssh %s failed", on ? "off" : "on");
		vc_error(title, cause);
		return 0;
	}
	vc_audit(app->user, "ssh %s", on ? "off" : "on");
	return 1;
}

static int do_guests(struct vc_app *app)
{
	const char *title = item_label(I_GUESTS);
	struct hcfg_guests_policy p, old;
	char value[16];

	hcfg_admin_guests_policy(&old, NULL);
	p = old;
	snprintf(value, sizeof(value), "%u", p.timeout_s);
	for (;;) {
		const char *choices[2] = { _("Suspend: save their memory to disk"),
					   _("Shut down: ask each guest to shut down") };
		struct tui_dialog *d = tui_dialog_new(title);
		unsigned long long t;
		char *cause = NULL;
		int r, e, rc;

		tui_dialog_text(d, _("When the host reboots or shuts down, libvirt-guests suspends the running guests, or asks them to shut down and switches off those still running after the time limit (0 waits for ever). Saved in /etc/default/libvirt-guests."));
		r = tui_dialog_radio(d, _("Running guests:"), choices, 2, p.suspend ? 0 : 1);
		e = tui_dialog_entry(d, _("Time limit (seconds):"), value, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Save"));
		rc = tui_dialog_run(d);
		snprintf(value, sizeof(value), "%s", tui_dialog_value(d, e));
		p.suspend = tui_dialog_selected(d, r) == 0;
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc != TUI_NEXT)
			return rc == TUI_IDLE ? DLG_IDLE : 0;
		if (vc_parse_uint(value, 86399, &t) < 0) {
			tui_message(title, _("Type the time limit as a number of seconds below a day (86400)."));
			continue;
		}
		p.timeout_s = (unsigned)t;
		if (hcfg_admin_set_guests_policy(&p, &cause) < 0) {
			vc_error(title, cause);
			continue;
		}
		vc_audit(app->user, "guests at shutdown %s/%us -> %s/%us", old.suspend ? "suspend" : "shutdown",
			 old.timeout_s, p.suspend ? "suspend" : "shutdown", p.timeout_s);
		return 1;
	}
}

/* Reconnect to the hypervisor after its restart, with a bar meanwhile; true when connected. */
static bool reconnect(struct vc_app *app)
{
	struct tui_progress *pg = tui_progress_new(item_label(I_RESTART),
						   _("Waiting for libvirtd to take connections again..."));
	long long start = base_now_ms();

	for (;;) {
		long long el = base_now_ms() - start;

		vc_refresh(app, true);
		if (app->conn || el >= RECONNECT_WAIT_MS)
			break;
		tui_progress_set(pg, (unsigned)(el * 1000 / RECONNECT_WAIT_MS), NULL);
		usleep(500 * 1000);
	}
	tui_progress_free(pg);
	return app->conn != NULL;
}

static int do_restart(struct vc_app *app)
{
	const char *title = item_label(I_RESTART);
	unsigned before = app->model.running;
	char *q = NULL, *cause = NULL, *msg = NULL;
	int rc;

	if (asprintf(&q, P_("libvirtd, the virtualization service, restarts now. The %u running guest keeps running: guests do not depend on the service. The console reconnects when it is back; meanwhile guests cannot be started or stopped.",
			    "libvirtd, the virtualization service, restarts now. The %u running guests keep running: guests do not depend on the service. The console reconnects when it is back; meanwhile guests cannot be started or stopped.",
			    before), before) < 0)
		abort();
	if (!tui_ask(title, q, _("Restart"), _("Cancel"))) {
		free(q);
		return 0;
	}
	free(q);
	vc_audit(app->user, "restart libvirtd (%u guests running)", before);
	/* Closed first: a connection the daemon drops under it would only report errors. */
	if (app->conn) {
		hv_close(app->conn);
		app->conn = NULL;
	}
	rc = hcfg_admin_systemctl("restart", NULL, LIBVIRTD_UNIT, &cause);
	if (!reconnect(app)) {
		vc_audit(app->user, "restart libvirtd: no connection afterwards");
		if (asprintf(&msg, _("libvirtd does not take connections after its restart: %s The console keeps trying."),
			     cause ? cause : app->conn_error ? app->conn_error : "") < 0)
			abort();
		vc_error(title, msg);
		free(cause);
		return 1;
	}
	if (rc < 0) {
		vc_error(title, cause);
		return 1;
	}
	vc_audit(app->user, "restart libvirtd done (%u guests running)", app->model.running);
	if (asprintf(&msg, _("libvirtd has restarted and the console is connected again. Guests running before: %u; now: %u."),
		     before, app->model.running) < 0)
		abort();
	tui_message(title, msg);
	free(msg);
	return 1;
}

/* What stopping the host does to the running guests, in words (malloc'd). */
static char *guests_fate(struct vc_app *app)
{
	struct hcfg_guests_policy p;
	unsigned n = app->model.running;
	char en[32] = "", *s = NULL;
	int rc;

	if (!n)
		return strdup(_("No guest is running."));
	hcfg_admin_guests_policy(&p, NULL);
	hcfg_admin_unit_state("is-enabled", GUESTS_UNIT, en, sizeof(en));
	if (strcmp(en, "enabled"))
		rc = asprintf(&s, P_("%u guest is running and libvirt-guests is not enabled: it is switched off as the host stops, as if its power failed.",
				     "%u guests are running and libvirt-guests is not enabled: they are switched off as the host stops, as if their power failed.",
				     n), n);
	else if (p.suspend)
		rc = asprintf(&s, P_("%u guest is running: libvirt-guests saves its memory to disk, and it continues where it stopped when started again.",
				     "%u guests are running: libvirt-guests saves their memory to disk, and each continues where it stopped when started again.",
				     n), n);
	else if (p.timeout_s)
		rc = asprintf(&s, P_("%u guest is running: libvirt-guests asks it to shut down and waits up to %u seconds, then switches it off.",
				     "%u guests are running: libvirt-guests asks them to shut down and waits up to %u seconds, then switches off those still running.",
				     n), n, p.timeout_s);
	else
		rc = asprintf(&s, P_("%u guest is running: libvirt-guests asks it to shut down and waits until it has.",
				     "%u guests are running: libvirt-guests asks them to shut down and waits until they have.",
				     n), n);
	if (rc < 0)
		abort();
	return s;
}

static int do_stop_host(struct vc_app *app, bool reboot)
{
	const char *title = item_label(reboot ? I_REBOOT : I_POWEROFF);
	char *fate = guests_fate(app), *q = NULL, *cause = NULL;

	/* TRANSLATORS: the first %s says what happens to the guests. */
	if (asprintf(&q, reboot ? _("%s Guests at shutdown, on this screen, changes that.\n\nReboot the host now?") :
		     _("%s Guests at shutdown, on this screen, changes that.\n\nShut the host down now? It stays off until someone switches it on."),
		     fate) < 0)
		abort();
	free(fate);
	if (!tui_ask(title, q, reboot ? _("Reboot") : _("Shut down"), _("Cancel"))) {
		free(q);
		return 0;
	}
	free(q);
	vc_audit(app->user, "host %s (%u guests running)", reboot ? "reboot" : "poweroff",
		 app->model.running);
	if (hcfg_admin_systemctl(reboot ? "reboot" : "poweroff", NULL, NULL, &cause) < 0) {
		vc_audit(app->user, "host %s failed", reboot ? "reboot" : "poweroff");
		vc_error(title, cause);
		return 0;
	}
	tui_message(title, reboot ? _("The host is rebooting.") : _("The host is shutting down."));
	return 1;
}

/* @lines shown in a list, each cut into rows as wide as the dialog. */
static int show_lines(const char *title, const char *intro, char **lines, size_t n)
{
	/* The list's frame takes two columns on each side, the "> " marker two more. */
	int w = tui_dialog_width() - 4 - (tui_list_marker() ? 2 : 0);

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		int l, rc;
		size_t rows = 0;

		tui_dialog_text(d, intro);
		l = tui_dialog_list(d, NULL, 0, 0, 10);
		for (size_t i = 0; i < n; i++) {
			const char *p = lines[i];

			do {
				size_t bytes;

				/* Continuation rows are indented by two columns. */
				tui_cut(p, p != lines[i] ? w - 2 : w, &bytes);
				if (!bytes)
					bytes = base_utf8_cut(p, 1) ? 1 : strlen(p);
				/* Between words where there is a blank in the second half of the row. */
				for (size_t b = bytes; p[bytes] && b > bytes / 2; b--)
					if (p[b - 1] == ' ') {
						bytes = b;
						break;
					}
				if (p != lines[i]) {
					char *row = NULL;

					if (asprintf(&row, "  %.*s", (int)bytes, p) < 0)
						abort();
					tui_dialog_list_add(d, l, row);
				} else {
					tui_dialog_list_add(d, l, strndup(p, bytes));
				}
				rows++;
				p += bytes;
			} while (*p);
		}
		if (!rows)
			tui_dialog_list_add(d, l, strdup(_("(empty)")));
		else
			tui_dialog_focus(d, l);
		tui_dialog_buttons(d, TUI_BTN_BACK, NULL);
		rc = tui_dialog_run(d);
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		return rc == TUI_IDLE ? DLG_IDLE : 0;
	}
}

static int do_journal(struct vc_app *app)
{
	char *out = NULL, *cause = NULL, **lines = NULL;
	size_t n = 0;
	int rc;

	if (hcfg_admin_journal(LOG_LINES, &out, &cause) < 0) {
		vc_error(item_label(I_JOURNAL), cause);
		return 0;
	}
	for (char *p = out, *nl; *p; p = nl + 1) {
		nl = strchrnul(p, '\n');
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		if (!lines || !(lines[n] = strndup(p, nl - p)))
			abort();
		n++;
		if (!*nl)
			break;
	}
	free(out);
	vc_audit(app->user, "view host log");
	rc = show_lines(item_label(I_JOURNAL), _("The last lines of the host's journal, newest at the bottom."),
			lines, n);
	hcfg_admin_strv_free(lines, n);
	return rc;
}

static int do_audit(struct vc_app *app)
{
	char **lines = NULL, *cause = NULL, *intro = NULL;
	size_t n = 0;
	int rc;

	if (hcfg_admin_tail(base_audit_path(), LOG_LINES, &lines, &n, &cause) < 0) {
		vc_error(item_label(I_AUDIT), cause);
		return 0;
	}
	if (asprintf(&intro, _("Who did what, and when: the last lines of %s, newest at the bottom."),
		     base_audit_path()) < 0)
		abort();
	rc = show_lines(item_label(I_AUDIT), intro, lines, n);
	free(intro);
	hcfg_admin_strv_free(lines, n);
	return rc;
}

static int do_console(struct vc_app *app)
{
	const char *title = item_label(I_CONSOLE);
	char idle[32], listen[64];
	int focus = -1;

	if (!app->root) {
		char *msg = NULL;

		if (asprintf(&msg, _("Only root changes these settings: the idle logout is %u seconds, and new guests' VNC displays listen on %s."),
			     app->conf.idle_timeout, app->conf.vnc_listen) < 0)
			abort();
		tui_message(title, msg);
		free(msg);
		return 0;
	}
	snprintf(idle, sizeof(idle), "%u", app->conf.idle_timeout);
	snprintf(listen, sizeof(listen), "%s", app->conf.vnc_listen);
	for (;;) {
		struct vc_entry e[] = { { N_("Idle logout (seconds):"), idle, sizeof(idle) },
					{ N_("VNC listen address:"), listen, sizeof(listen) } };
		char *cause = NULL;
		struct vc_conf c = app->conf;
		unsigned v;
		int rc = vc_ask_entries(title, N_("Save"), e, 2, focus,
					N_("The console logs out after this many seconds without a key press (0: never). New guests' VNC displays listen on this address unless the wizard is told otherwise. Saved in %s."),
					app->conf_path);

		if (rc != VC_ASK_NEXT)
			return rc;
		if (vc_check_idle(idle, app->root, &v, &cause) < 0) {
			vc_error(title, cause);
			focus = 0;
			continue;
		}
		if (vc_check_listen(listen, &cause) < 0) {
			vc_error(title, cause);
			focus = 1;
			continue;
		}
		if (!vc_listen_is_loopback(listen) &&
		    !tui_ask(title, _("New guests' displays would be reachable from the network, not only through an SSH tunnel; VNC travels unencrypted. Save this address anyway?"),
			     _("Save"), _("Cancel"))) {
			focus = 1;
			continue;
		}
		c.idle_timeout = v;
		snprintf(c.vnc_listen, sizeof(c.vnc_listen), "%s", listen);
		if (vc_conf_save(app->conf_path, &c, &cause) < 0) {
			vc_error(title, cause);
			continue;
		}
		vc_audit(app->user, "console settings idle_timeout %u -> %u, vnc_listen %s -> %s",
			 app->conf.idle_timeout, c.idle_timeout, app->conf.vnc_listen, c.vnc_listen);
		app->conf = c;
		return 1;
	}
}

/* An item that changes the host, chosen by an operator who is not an administrator: said why. */
static int refuse_admin(struct vc_app *app, int i)
{
	static const char *const what[] = { "name", "dns", "ntp", "ssh", "guests-policy",
					    "restart-libvirtd", "reboot", "poweroff" };
	char action[32];

	_Static_assert(sizeof(what) / sizeof(what[0]) == I_LAST_ADMIN + 1, "one word per item");
	snprintf(action, sizeof(action), "host %s", what[i]);
	vc_admin_refused(app, item_label(i), action,
			 _("Only root and the members of the group %s change the host itself: its name, DNS, time, SSH service, virtualization service and power concern every guest on it. You may look at the values and the logs, and manage the guests."),
			 VC_ADMIN_GROUP);
	return 0;
}

static int run_item(struct vc_app *app, int i)
{
	if (i >= 0 && i <= I_LAST_ADMIN && !app->admin)
		return refuse_admin(app, i);
	switch (i) {
	case I_NAME: return do_name(app);
	case I_DNS: return do_dns(app);
	case I_NTP: return do_ntp(app);
	case I_SSH: return do_ssh(app);
	case I_GUESTS: return do_guests(app);
	case I_RESTART: return do_restart(app);
	case I_REBOOT: return do_stop_host(app, true);
	case I_POWEROFF: return do_stop_host(app, false);
	case I_JOURNAL: return do_journal(app);
	case I_AUDIT: return do_audit(app);
	case I_CONSOLE: return do_console(app);
	}
	return 0;
}

int vc_scr_hostadm(struct vc_app *app)
{
	struct adm_scr s;
	struct tui_event ev;

	memset(&s, 0, sizeof(s));
	build(&s, app);
	for (;;) {
		const char *cur;
		char lang[8];
		int rc;

		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding) {
			tui_view_free(s.v);
			return VC_LOGOUT;
		}
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(s.v);
			build(&s, app);
			continue;
		}
		if (ev.kind == TUI_EV_BUTTON && ev.id == s.btn + 1) {
			tui_view_free(s.v);
			return VC_BACK;
		}
		if (ev.kind != TUI_EV_LIST && ev.kind != TUI_EV_BUTTON)
			continue;
		cur = tui_view_list_current(s.v, s.list);
		if (!cur)
			continue;
		snprintf(lang, sizeof(lang), "%s", tui_lang());
		rc = run_item(app, atoi(cur));
		if (rc == DLG_IDLE || app->unwinding) {
			tui_view_free(s.v);
			return VC_LOGOUT;
		}
		if (strcmp(lang, tui_lang())) {
			tui_view_free(s.v);
			build(&s, app);
		} else {
			fill(&s, app);
		}
	}
}
