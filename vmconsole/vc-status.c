/* The host status screen, the only one shown before a login: host name, addresses, CPU, memory, hypervisor, bridges, guests. */
#include "vc.h"
#include "vc-backup.h"
#include "vc-stor.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { F_HOST, F_ADDR, F_ADDR2, F_ADDR3, F_CPU, F_MEM, F_HV, F_URI, F_BRIDGES, F_GUESTS, NF };

struct status_scr {
	struct tui_view *v;
	int val[NF];
	int note;
	int btn;
};

static const char *label_of(int f)
{
	switch (f) {
	case F_HOST: return _("Host name:");
	case F_ADDR: return _("Addresses:");
	case F_CPU: return _("CPU:");
	case F_MEM: return _("Memory:");
	case F_HV: return _("Hypervisor:");
	case F_URI: return _("Connection:");
	case F_BRIDGES: return _("Bridges:");
	case F_GUESTS: return _("Guests:");
	}
	return "";
}

static void fill(struct status_scr *s, struct vc_app *app)
{
	char buf[512], a[32], b[32];
	char **lines = NULL, **bridges = NULL;
	size_t nl = 0, nb = 0;
	const struct hv_host *h = &app->host;

	if (app->host_ok) {
		tui_view_set_text(s->v, s->val[F_HOST], h->hostname);
	} else {
		char hn[256] = "";

		gethostname(hn, sizeof(hn) - 1);
		tui_view_set_text(s->v, s->val[F_HOST], hn);
	}
	if (vc_addresses(&lines, &nl, NULL) < 0)
		nl = 0;
	for (int i = 0; i < 3; i++) {
		/* A fourth interface and more share the last line. */
		if (i == 2 && nl > 3) {
			struct base_buf j = { 0 };

			for (size_t k = 2; k < nl; k++)
				base_buf_printf(&j, "%s%s", k > 2 ? "; " : "", lines[k]);
			tui_view_set_text(s->v, s->val[F_ADDR + i], j.s);
			free(j.s);
		} else {
			tui_view_set_text(s->v, s->val[F_ADDR + i],
					  (size_t)i < nl ? lines[i] : i == 0 ? _("none") : "");
		}
	}
	vc_strv_free(lines, nl);
	if (app->host_ok) {
		snprintf(buf, sizeof(buf), P_("%s, %u CPU", "%s, %u CPUs", h->cpus), h->cpu_model,
			 h->cpus);
		tui_view_set_text(s->v, s->val[F_CPU], buf);
		vc_fmt_mem(h->memory_kib, a, sizeof(a));
		vc_fmt_mem(h->free_kib, b, sizeof(b));
		/* TRANSLATORS: total memory, then the part that is free. */
		snprintf(buf, sizeof(buf), _("%s, %s free"), a, b);
		tui_view_set_text(s->v, s->val[F_MEM], buf);
		snprintf(buf, sizeof(buf), "%s %s", h->hypervisor, h->version);
		tui_view_set_text(s->v, s->val[F_HV], buf);
		/* TRANSLATORS: how many guests run, of how many defined. */
		snprintf(buf, sizeof(buf), _("%u running of %u"), h->running, h->guests);
		tui_view_set_text(s->v, s->val[F_GUESTS], buf);
	} else {
		tui_view_set_text(s->v, s->val[F_CPU], "");
		tui_view_set_text(s->v, s->val[F_MEM], "");
		tui_view_set_text(s->v, s->val[F_GUESTS], "");
		if (!app->conn) {
			snprintf(buf, sizeof(buf), _("not connected: %s"),
				 app->conn_error ? app->conn_error : "");
			tui_view_set_text(s->v, s->val[F_HV], buf);
		}
	}
	tui_view_set_text(s->v, s->val[F_URI], app->conn ? hv_uri(app->conn) :
				  app->uri ? app->uri : _("default"));
	if (vc_bridges("/sys/class/net", &bridges, &nb, NULL) == 0 && nb) {
		struct base_buf j = { 0 };

		for (size_t i = 0; i < nb; i++)
			base_buf_printf(&j, "%s%s", i ? ", " : "", bridges[i]);
		tui_view_set_text(s->v, s->val[F_BRIDGES], j.s);
		free(j.s);
	} else {
		tui_view_set_text(s->v, s->val[F_BRIDGES], _("none"));
	}
	vc_strv_free(bridges, nb);
}

static void build(struct status_scr *s, struct vc_app *app)
{
	int labw = 0, y = 0;
	const char *note;
	char *last = NULL;

	s->v = tui_view_new(_("Host Status"), 14);
	for (int f = 0; f < NF; f++)
		if (tui_width(label_of(f)) > labw)
			labw = tui_width(label_of(f));
	for (int f = 0; f < NF; f++, y++) {
		tui_view_text(s->v, 1, y, labw, label_of(f));
		s->val[f] = tui_view_text(s->v, labw + 3, y, 0, "");
	}
	if (app->logged_in) {
		/* Back first: the host's editors follow it, then the other hosts, the host's own settings and backups. */
		const char *btns[6] = { _("Back"), _("Network"), _("Storage"), _("Hosts"), _("Manage"),
					_("Backups") };

		/* The last scheduled backup's result, where the screen has room for a note. */
		last = vc_sched_last(getenv("OSPITE_ROOT"));
		note = last ? last : "";
		s->btn = tui_view_buttons(s->v, btns, 6);
	} else {
		const char *btns[2] = { _("Log in"), _("Quit") };

		note = app->idle_logout ? _("You were logged out because no key was pressed for a while.") :
					  _("Log in to manage the guests.");
		s->btn = tui_view_buttons(s->v, btns, 2);
	}
	s->note = tui_view_text(s->v, 1, y + 1, 0, note);
	free(last);
	fill(s, app);
}

int vc_scr_status(struct vc_app *app)
{
	struct status_scr s;
	struct tui_event ev;

	memset(&s, 0, sizeof(s));
	build(&s, app);
	for (;;) {
		tui_view_run(s.v, &ev);
		switch (ev.kind) {
		case TUI_EV_TICK:
			fill(&s, app);
			break;
		case TUI_EV_IDLE:
			tui_view_free(s.v);
			return VC_LOGOUT;
		case TUI_EV_LANG:
			vc_lang_toggle();
			tui_view_free(s.v);
			build(&s, app);
			break;
		case TUI_EV_BUTTON:
			if (app->logged_in && ev.id > s.btn && ev.id <= s.btn + 5) {
				int rc = ev.id == s.btn + 1 ? vc_scr_net(app) :
					 ev.id == s.btn + 2 ? vc_scr_storage(app) :
					 ev.id == s.btn + 3 ? vc_scr_hosts(app) :
					 ev.id == s.btn + 4 ? vc_scr_hostadm(app) : vc_backups_screen(app);

				if (rc == VC_LOGOUT || rc == VC_QUIT || app->unwinding) {
					tui_view_free(s.v);
					return rc == VC_QUIT ? VC_QUIT : VC_LOGOUT;
				}
				/* Afresh, in the language now chosen, with Back under the cursor. */
				tui_view_free(s.v);
				build(&s, app);
				break;
			}
			if (app->logged_in) {
				tui_view_free(s.v);
				return VC_BACK;
			}
			if (ev.id == s.btn + 1) {
				tui_view_free(s.v);
				return VC_QUIT;
			}
			if (vc_scr_login(app) == VC_NEXT) {
				tui_view_free(s.v);
				return VC_NEXT;
			}
			break;
		default:
			break;
		}
	}
}
