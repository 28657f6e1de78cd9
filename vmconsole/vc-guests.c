/* The guest list screen: every guest with state, vCPUs, memory, CPU use and (on a wide terminal) addresses, updated row by row from the model. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B_OPEN, B_NEW, B_HOST, B_SETTINGS, B_LOGOUT, B_QUIT, NB };

/* A guest's addresses as last asked, kept so that neither the column nor the line under the list
 * asks libvirt on every tick. */
struct addr_entry {
	char *name;
	char **v;
	size_t n;
	uint64_t at;            /* CLOCK_MONOTONIC ns of the question; 0 = ask again */
};

struct list_scr {
	struct tui_view *v;
	int summary, header, list, info, btn;
	/* What the list shows now, to send only the rows that changed. */
	struct vc_shown shown;
	unsigned generation;
	char filter[64];        /* "/" typed: only guests whose name holds this; "" = all */
	size_t total;           /* guests there are, shown or not */
	int addr;               /* the line under the list: every address of the guest under the cursor */
	int ipw;                /* the address column's width; 0 when the terminal is too narrow */
	struct addr_entry *addrs;
	size_t naddrs;
	/* Other hosts' guests: for each row's key, the line under the list says this (collect()). */
	char **away_keys, **away_addrs;
	size_t naway;
};

/* How long a guest's addresses are shown before libvirt is asked again. */
#define ADDR_NS (10ULL * 1000000000ULL)
/* Addresses not asked for this long belong to guests gone, off or filtered out: forgotten. */
#define ADDR_FORGET_NS (3 * ADDR_NS)
/* Esc, as newt reports it: clears the filter. */
#define KEY_ESC '\033'

/* Rows of other hosts are keyed "\001INDEX\001NAME": no guest name holds a control character. */
#define AWAY_MARK '\001'

/* The host column of the all-hosts view, padded (malloc'd). */
static char *host_cell(const char *host)
{
	return tui_pad(host, VC_COL_HOST);
}

/* Whether guest @name passes the list's filter (letters compared without case). */
static bool shown_by(const char *filter, const char *name)
{
	return !*filter || strcasestr(name, filter);
}

/* What shortened names and addresses end or break with: two dots where "…" may not show. */
static const char *ellipsis(void)
{
	return tui_ascii() ? ".." : "\u2026";
}

/*
 * The addresses of guest @r, from libvirt's DHCP leases and the host's ARP table (the guest agent,
 * which can keep libvirt waiting, is asked on the guest's own screen only); NULL for a guest that
 * is off or of another host. Asked again when older than ADDR_NS.
 */
static const struct addr_entry *addrs_of(struct list_scr *s, struct vc_app *app,
					 const struct vc_row *r)
{
	uint64_t now = vc_now_ns();
	struct addr_entry *e = NULL;

	if (!r || !app->conn || r->state == HV_STATE_SHUTOFF || r->state == HV_STATE_CRASHED)
		return NULL;
	for (size_t i = 0; i < s->naddrs && !e; i++)
		if (!strcmp(s->addrs[i].name, r->name))
			e = &s->addrs[i];
	if (e && e->at && now < e->at + ADDR_NS)
		return e;
	if (!e) {
		struct addr_entry *nv = realloc(s->addrs, (s->naddrs + 1) * sizeof(*nv));

		if (!nv)
			abort();
		s->addrs = nv;
		e = &s->addrs[s->naddrs++];
		memset(e, 0, sizeof(*e));
		if (!(e->name = strdup(r->name)))
			abort();
	}
	hv_addrs_free(e->v, e->n);
	/* A guest that went meanwhile, or a driver without the sources, simply has none. */
	if (hv_dom_addresses(app->conn, r->name, HV_ADDR_LEASE | HV_ADDR_ARP, &e->v, &e->n, NULL) < 0) {
		e->v = NULL;
		e->n = 0;
	}
	e->at = now;
	return e;
}

/* Forget the addresses not asked for a while; with @all, every one (to ask again at once). */
static void addrs_prune(struct list_scr *s, bool all)
{
	uint64_t now = vc_now_ns();
	size_t k = 0;

	for (size_t i = 0; i < s->naddrs; i++) {
		struct addr_entry *e = &s->addrs[i];

		if (all || now >= e->at + ADDR_FORGET_NS) {
			free(e->name);
			hv_addrs_free(e->v, e->n);
		} else {
			s->addrs[k++] = *e;
		}
	}
	s->naddrs = k;
}

/* @row, then the address column @cell when there is one; frees @row and @cell. */
static char *with_cell(const struct list_scr *s, char *row, char *cell)
{
	char *padded, *out = NULL;

	if (!cell)
		abort();
	if (!s->ipw) {
		free(cell);
		return row;
	}
	padded = tui_pad(cell, s->ipw);
	if (asprintf(&out, "%s %s", row, padded) < 0)
		abort();
	free(padded);
	free(cell);
	free(row);
	return out;
}

/* @row, then the address column when there is one (@e NULL: left blank); frees @row. */
static char *with_addr(const struct list_scr *s, char *row, const struct addr_entry *e)
{
	if (!s->ipw)
		return row;
	return with_cell(s, row, e ? vc_addr_cell(e->v, e->n, s->ipw, ellipsis()) : strdup(""));
}

static void away_clear(struct list_scr *s)
{
	vc_strv_free(s->away_keys, s->naway);
	vc_strv_free(s->away_addrs, s->naway);
	s->away_keys = s->away_addrs = NULL;
	s->naway = 0;
}

/* Note what the line under the list says for row @key; takes @line. */
static void away_add(struct list_scr *s, const char *key, char *line)
{
	size_t n = s->naway;

	vc_strv_push(&s->away_keys, &n, key);
	n = s->naway;
	vc_strv_push(&s->away_addrs, &n, line);
	s->naway = n;
	free(line);
}

/*
 * Another host's guest @d: its address column, and in *@line what the line under the list says.
 * Its own host's libvirt tells them (hv-remote.c); where it could not, "-", never this host's
 * idea of a guest of the same name. A guest that is off has none: blank.
 */
static char *away_addr(const struct list_scr *s, const struct hv_remote_view *v,
		       const struct hv_dom_stat *d, char **line)
{
	const struct hv_remote_addrs *a = hv_remote_addrs_of(v, d->uuid);

	*line = NULL;
	if (d->state == HV_STATE_SHUTOFF || d->state == HV_STATE_CRASHED) {
		*line = strdup("");
		return strdup("");
	}
	if (!a || !a->n) {
		*line = strdup("-");
		return strdup("-");
	}
	*line = vc_addr_join(a->v, a->n);
	return vc_addr_cell(a->v, a->n, s->ipw, ellipsis());
}

/* Add @name to @v unless it is there already. */
static void add_distinct(char ***v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], name))
			return;
	vc_strv_push(v, n, name);
}

/* How @name is shown: its entry in @shown, fitted from the distinct @names. */
static const char *fitted(char *const *names, char *const *shown, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return shown[i];
	return name;
}

/*
 * Every row of the list as it should be now: this host's guests, then other hosts' when shown.
 * Names too long for their column are shortened around an ellipsis and still look unlike each
 * other, guests' among all the hosts' guests (one guest name on two hosts looks the same on both)
 * and hosts' among the hosts.
 */
static size_t collect(struct list_scr *s, struct vc_app *app, const char *filter, size_t *total,
		      char ***keys_out, char ***rows_out)
{
	const struct vc_model *m = &app->model;
	struct hv_remote_view views[VC_MAX_HOSTS];
	size_t n = 0, cap = m->nrows + 1, nd = 0, nh = 0;
	char **keys = calloc(cap, sizeof(*keys)), **rows = calloc(cap, sizeof(*rows));
	char **distinct = NULL, **shown, **hosts = NULL, **hshown = NULL;

	if (!keys || !rows)
		abort();
	memset(views, 0, sizeof(views));
	away_clear(s);
	for (size_t i = 0; i < m->nrows; i++)
		add_distinct(&distinct, &nd, m->rows[i].name);
	for (size_t h = 0; app->all_hosts && h < app->conf.n_hosts; h++) {
		if (!app->remotes[h])
			continue;
		hv_remote_get(app->remotes[h], &views[h]);
		for (size_t j = 0; views[h].state == HV_REMOTE_CONNECTED && j < views[h].n; j++)
			add_distinct(&distinct, &nd, views[h].doms[j].name);
	}
	shown = vc_names_fit(distinct, nd, VC_COL_NAME, ellipsis());
	if (app->all_hosts) {
		vc_strv_push(&hosts, &nh, app->host_ok && *app->host.hostname ?
				 app->host.hostname : _("this host"));
		for (size_t h = 0; h < app->conf.n_hosts; h++)
			vc_strv_push(&hosts, &nh, app->conf.hosts[h].name);
		hshown = vc_names_fit(hosts, nh, VC_COL_HOST, ellipsis());
	}

	*total = m->nrows;
	for (size_t i = 0; i < m->nrows; i++) {
		struct vc_row r = m->rows[i];
		char *row;

		if (!shown_by(filter, r.name))
			continue;
		snprintf(r.name, sizeof(r.name), "%s", fitted(distinct, shown, nd, r.name));
		row = with_addr(s, vc_row_text(&r), s->ipw ? addrs_of(s, app, &m->rows[i]) : NULL);
		keys[n] = strdup(m->rows[i].name);
		if (hshown) {
			char *cell = host_cell(hshown[0]);

			if (asprintf(&rows[n], "%s %s", cell, row) < 0)
				abort();
			free(cell);
			free(row);
		} else {
			rows[n] = row;
		}
		n++;
	}
	for (size_t h = 0; app->all_hosts && h < app->conf.n_hosts; h++) {
		const struct hv_remote_view *v = &views[h];
		char *cell = host_cell(hshown[h + 1]);

		for (size_t j = 0; v->state == HV_REMOTE_CONNECTED && j < v->n; j++) {
			struct vc_row r;
			char *row, *line;

			(*total)++;
			if (!shown_by(filter, v->doms[j].name))
				continue;
			if (n + 1 >= cap) {
				cap *= 2;
				keys = realloc(keys, cap * sizeof(*keys));
				rows = realloc(rows, cap * sizeof(*rows));
				if (!keys || !rows)
					abort();
			}
			memset(&r, 0, sizeof(r));
			snprintf(r.name, sizeof(r.name), "%s", fitted(distinct, shown, nd, v->doms[j].name));
			r.state = v->doms[j].state;
			r.vcpus = v->doms[j].vcpus;
			r.memory_kib = v->doms[j].memory_kib;
			r.cpu = -1;   /* one sample of another host says nothing about CPU use */
			row = with_cell(s, vc_row_text(&r), away_addr(s, v, &v->doms[j], &line));
			if (asprintf(&keys[n], "%c%zu%c%s", AWAY_MARK, h, AWAY_MARK, v->doms[j].name) < 0 ||
			    asprintf(&rows[n], "%s %s", cell, row) < 0 || !line)
				abort();
			away_add(s, keys[n], line);
			free(row);
			n++;
		}
		free(cell);
		hv_remote_view_clear(&views[h]);
	}
	vc_strv_free(shown, nd);
	vc_strv_free(distinct, nd);
	vc_strv_free(hshown, nh);
	vc_strv_free(hosts, nh);
	*keys_out = keys;
	*rows_out = rows;
	return n;
}

/* "3 guests, 2 running": with paused guests apart, since they do not run. */
static void summary_text(const struct vc_model *m, char *buf, size_t len)
{
	if (m->paused)
		/* TRANSLATORS: guests in all, how many run and how many are paused. */
		snprintf(buf, len, P_("%zu guest, %u running, %u paused",
				      "%zu guests, %u running, %u paused", m->nrows),
			 m->nrows, m->running - m->paused, m->paused);
	else
		snprintf(buf, len, P_("%zu guest, %u running", "%zu guests, %u running", m->nrows),
			 m->nrows, m->running);
}

/* What the filter leaves, in place of the usual hint while it is set. */
static void filter_text(const struct list_scr *s, size_t n, char *buf, size_t len)
{
	snprintf(buf, len, _("Names holding \"%s\": %zu of %zu. / changes it, Esc shows all."),
		 s->filter, n, s->total);
}

/*
 * The line under the hint: every address of the guest under the cursor (the column, when there is
 * one, has room for the first only).
 */
static void show_addresses(struct list_scr *s, struct vc_app *app)
{
	const char *cur = tui_view_list_current(s->v, s->list);
	const struct addr_entry *e = NULL;
	char *addrs = NULL, *line = NULL;

	if (cur && *cur == AWAY_MARK) {
		/* Another host's guest: what collect() learnt of it; its name after the marks. */
		for (size_t i = 0; i < s->naway && !addrs; i++)
			if (!strcmp(s->away_keys[i], cur) && *s->away_addrs[i])
				addrs = strdup(s->away_addrs[i]);
		cur = strchr(cur + 1, AWAY_MARK) + 1;
	} else {
		e = addrs_of(s, app, cur ? vc_model_find(&app->model, cur) : NULL);
		addrs = e ? vc_addr_join(e->v, e->n) : NULL;
	}
	if (!addrs) {
		tui_view_set_text(s->v, s->addr, "");
		return;
	}
	/* TRANSLATORS: a guest's name, then its IP addresses. */
	if (asprintf(&line, _("%s: %s"), cur, addrs) < 0)
		abort();
	tui_view_set_text(s->v, s->addr, line);
	free(line);
	free(addrs);
}

static void fill(struct list_scr *s, struct vc_app *app, bool force)
{
	const struct vc_model *m = &app->model;
	char **keys, **rows;
	size_t n;
	char buf[256];
	bool show_filter = false;

	summary_text(m, buf, sizeof(buf));
	tui_view_set_text(s->v, s->summary, buf);
	if (!app->conn && app->was_connected)
		/* TRANSLATORS: %s is a time of day; short, it is the list's status line. */
		snprintf(buf, sizeof(buf), _("Hypervisor lost at %s: reconnecting by itself..."),
			 app->lost_at);
	else if (!app->conn)
		snprintf(buf, sizeof(buf), _("Not connected to the hypervisor: %s"),
			 app->conn_error ? app->conn_error : "");
	else if (app->list_error)
		snprintf(buf, sizeof(buf), "%s", app->list_error);
	else if ((show_filter = *s->filter))
		filter_text(s, s->shown.n, buf, sizeof(buf));
	else if (!m->nrows && !app->conf.n_hosts)
		snprintf(buf, sizeof(buf), "%s", _("There are no guests yet: choose New guest."));
	else if (!m->nrows && !app->all_hosts)
		snprintf(buf, sizeof(buf), "%s", _("No guests on this host; A shows the guests of every host."));
	else if (app->conf.n_hosts)
		snprintf(buf, sizeof(buf), "%s", app->all_hosts ?
			 _("Enter opens a guest; A shows this host's guests only.") :
			 _("Enter opens a guest; A shows the guests of every host."));
	else
		snprintf(buf, sizeof(buf), "%s", _("Enter opens a guest."));
	/* A lost host is said on every refresh of the list, until it is back. */
	{
		char *lost = vc_hosts_lost_line(app);

		if (lost) {
			snprintf(buf, sizeof(buf), "%s", lost);
			show_filter = false;
		}
		free(lost);
	}
	tui_view_set_text(s->v, s->info, buf);
	/* Other hosts change on their own clock: with them shown, compare every time. */
	if (!force && !app->all_hosts && m->generation == s->generation) {
		show_addresses(s, app);
		return;
	}
	s->generation = m->generation;
	addrs_prune(s, force);
	n = collect(s, app, s->filter, &s->total, &keys, &rows);
	vc_shown_update(&s->shown, s->v, s->list, keys, rows, n, force);
	if (show_filter) {
		filter_text(s, n, buf, sizeof(buf));
		tui_view_set_text(s->v, s->info, buf);
	}
	/* After the rows: the cursor may now be on another guest, or on none. */
	show_addresses(s, app);
}

static void build(struct list_scr *s, struct vc_app *app)
{
	const char *btns[NB] = { _("Open"), _("New guest"), _("Host"), _("Settings"),
				 _("Log out"), _("Quit") };
	char who[128], *header;
	int w, marker = tui_list_marker() ? 2 : 0, room;

	header = vc_list_header();
	if (app->all_hosts) {
		char *cell = host_cell(_("Host")), *both = NULL;

		if (asprintf(&both, "%s %s", cell, header) < 0)
			abort();
		free(cell);
		free(header);
		header = both;
	}
	/* A terminal wider than 80 columns makes room for the addresses; otherwise only the line under
	 * the list gives them. */
	room = tui_view_max_width() - marker - tui_width(header) - 1;
	s->ipw = room < VC_COL_IP_MIN ? 0 : room > VC_COL_IP_MAX ? VC_COL_IP_MAX : room;
	if (s->ipw) {
		/* TRANSLATORS: heading of the guest list's address column; at most 18 columns. */
		char *cell = tui_pad(_("IP address"), s->ipw), *both = NULL;

		if (asprintf(&both, "%s %s", header, cell) < 0)
			abort();
		free(cell);
		free(header);
		header = both;
	}
	s->v = tui_view_new_wide(_("Guests"), 18, marker + tui_width(header));
	w = s->ipw ? marker + tui_width(header) : tui_view_width();
	if (w < tui_view_width())
		w = tui_view_width();
	s->summary = tui_view_text(s->v, 1, 0, w / 2, "");
	snprintf(who, sizeof(who), _("Logged in as %s"), app->user);
	if (tui_width(who) < w / 2)
		tui_view_text(s->v, w - tui_width(who) + 1, 0, 0, who);
	/* Over the rows, which start after the "> " marker column when there is one. */
	s->header = tui_view_text(s->v, tui_list_marker() ? 3 : 1, 2, 0, header);
	free(header);
	s->list = tui_view_list(s->v, 1, 3, 0, 11);
	s->info = tui_view_text(s->v, 1, 15, 0, "");
	s->addr = tui_view_text(s->v, 1, 16, 0, "");
	s->btn = tui_view_buttons(s->v, btns, NB);
	if (app->conf.n_hosts)
		tui_view_hotkey(s->v, 'a');
	tui_view_hotkey(s->v, '/');
	tui_view_hotkey(s->v, KEY_ESC);
	fill(s, app, true);
	tui_view_focus_list(s->v, s->list);
}

/* "/": ask for the text guest names must hold; false when the idle logout closed the dialog. */
static bool ask_filter(struct list_scr *s)
{
	char typed[sizeof(s->filter)];
	struct vc_entry e = { N_("Name holds:"), typed, sizeof(typed) };
	int rc;

	snprintf(typed, sizeof(typed), "%s", s->filter);
	rc = vc_ask_entries(N_("Find Guests"), N_("Find"), &e, 1, -1,
			    N_("Only the guests whose name holds this text are listed; an empty text lists them all."));
	/* Back keeps the filter there was. */
	if (rc == VC_ASK_NEXT)
		snprintf(s->filter, sizeof(s->filter), "%s", typed);
	return rc != VC_ASK_IDLE;
}

static void rebuild(struct list_scr *s, struct vc_app *app)
{
	tui_view_free(s->v);
	vc_shown_clear(&s->shown);
	build(s, app);
}

struct behind {
	struct list_scr *s;
	struct vc_app *app;
};

/* The list behind the wizard, in the language the wizard switched to. */
static void rebuild_behind(void *arg)
{
	struct behind *b = arg;

	rebuild(b->s, b->app);
}

static int finish(struct list_scr *s, int rc)
{
	addrs_prune(s, true);
	free(s->addrs);
	away_clear(s);
	tui_view_free(s->v);
	vc_shown_clear(&s->shown);
	return rc;
}

int vc_scr_list(struct vc_app *app)
{
	struct list_scr s;
	struct tui_event ev;
	const char *cur;
	char *name, lang[8];
	int rc;

	memset(&s, 0, sizeof(s));
	build(&s, app);
	for (;;) {
		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			return finish(&s, VC_LOGOUT);
		switch (ev.kind) {
		case TUI_EV_LANG:
			vc_lang_toggle();
			rebuild(&s, app);
			continue;
		case TUI_EV_TICK:
			fill(&s, app, false);
			continue;
		case TUI_EV_LIST:
			ev.id = s.btn + B_OPEN;
			break;
		case TUI_EV_KEY:
			if (ev.key == 'a' || ev.key == 'A') {
				app->all_hosts = !app->all_hosts;
				/* The other hosts' rows fill in as soon as each answers. */
				if (app->all_hosts)
					vc_hosts_kick(app);
				rebuild(&s, app);
			} else if (ev.key == '/' || ev.key == KEY_ESC) {
				snprintf(lang, sizeof(lang), "%s", tui_lang());
				if (ev.key == KEY_ESC)
					s.filter[0] = '\0';
				else if (!ask_filter(&s))
					return finish(&s, VC_LOGOUT);
				/* The dialog may have switched the language. */
				if (strcmp(lang, tui_lang()))
					rebuild(&s, app);
				else
					fill(&s, app, true);
			}
			continue;
		case TUI_EV_BUTTON:
			break;
		default:
			continue;
		}
		rc = VC_BACK;
		snprintf(lang, sizeof(lang), "%s", tui_lang());
		switch (ev.id - s.btn) {
		case B_OPEN:
			cur = tui_view_list_current(s.v, s.list);
			if (!cur)
				continue;
			name = strdup(cur);
			if (name[0] == AWAY_MARK) {
				/* A guest of another host: its screens run on a connection to it. */
				char *end = NULL;
				unsigned long h = strtoul(name + 1, &end, 10);

				if (end && *end == AWAY_MARK)
					rc = vc_open_remote_guest(app, h, end + 1);
			} else {
				rc = vc_scr_detail(app, name);
			}
			free(name);
			break;
		case B_NEW: {
			struct behind b = { &s, app };

			vc_lang_behind(rebuild_behind, &b);
			rc = vc_scr_wizard(app);
			vc_lang_behind(NULL, NULL);
			break;
		}
		case B_HOST:
			rc = vc_scr_status(app);
			break;
		case B_SETTINGS:
			rc = vc_scr_settings(app);
			break;
		case B_LOGOUT:
			return finish(&s, VC_LOGOUT);
		case B_QUIT:
			return finish(&s, VC_QUIT);
		}
		if (rc == VC_LOGOUT || rc == VC_QUIT || app->unwinding)
			return finish(&s, rc == VC_QUIT ? VC_QUIT : VC_LOGOUT);
		vc_refresh(app, true);
		/* The screen that just closed may have switched the language. */
		if (strcmp(lang, tui_lang()))
			rebuild(&s, app);
		else
			fill(&s, app, false);
		/* Back on the guests, whichever button opened the screen that closed. */
		tui_view_focus_list(s.v, s.list);
	}
}
