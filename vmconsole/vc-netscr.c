/* The Network screen: bridges and their ports, the edit dialog, the preview of a change and the countdown that reverts it unless kept. */
#include "vc-net.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/audit.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_ROWS 13
#define NS_PER_S 1000000000ULL

enum { B_EDIT, B_NEW, B_DELETE, B_BACK, NB };

struct net_scr {
	struct vc_app *app;
	const char *root;
	struct tui_view *v;
	int head, list, info, btn;
	char **keys, **rows;
	size_t n;
	struct vc_net net;
	size_t n_guest_ifs, n_old_ports;   /* to ask libvirt for guests' names only when ports change */
	uint64_t next_load;
	char tty[32];
};

static const char *net_root(void)
{
	const char *r = getenv("OSPITE_NET_ROOT");

	/* Tests point the console at a scratch tree, as `ospite net --root` does. */
	return r && *r == '/' ? r : "/";
}

static void shown_clear(struct net_scr *s)
{
	vc_strv_free(s->keys, s->n);
	vc_strv_free(s->rows, s->n);
	s->keys = s->rows = NULL;
	s->n = 0;
}

/* The first bridge another operator is editing, said under the list. */
static void lock_info(struct net_scr *s, char *buf, size_t len)
{
	struct hcfg_lock_holder h;

	for (size_t i = 0; i < s->net.conf.n; i++)
		if (hcfg_lock_who(NULL, HCFG_LOCK_BRIDGE, s->net.conf.br[i].name, &h) == 0) {
			char *d = hcfg_lock_describe(s->net.conf.br[i].name, &h);

			snprintf(buf, len, "%s", d ? d : "");
			free(d);
			return;
		}
	snprintf(buf, len, "%s", _("Enter edits the bridge under the cursor."));
}

static void fill(struct net_scr *s, bool force)
{
	char **keys, **rows, buf[256], *cause = NULL;
	struct hv_port *old_ports;
	size_t n, n_old;
	bool same;

	if (!force && vc_now_ns() < s->next_load)
		return;
	s->next_load = vc_now_ns() + 2 * NS_PER_S;
	/* Guests' names come from libvirt, one definition per running guest: only when asked, or when guests' ports came or went. */
	old_ports = s->net.ports;
	n_old = s->n_guest_ifs;
	s->net.ports = NULL;
	vc_net_clear(&s->net);
	if (vc_net_load(&s->net, s->root, NULL, &cause) < 0) {
		hv_ports_free(old_ports);
		tui_view_set_text(s->v, s->info, cause ? cause : "");
		free(cause);
		return;
	}
	s->n_guest_ifs = 0;
	for (size_t i = 0; i < s->net.live.n_ifs; i++)
		s->n_guest_ifs += hcfg_iface_is_guest(&s->net.live.ifs[i]);
	if ((force || s->n_guest_ifs != n_old) && s->app->conn) {
		hv_ports_free(old_ports);
		if (hv_guest_ports(s->app->conn, &s->net.ports, &s->net.n_ports, NULL) < 0)
			s->net.n_ports = 0;
	} else {
		s->net.ports = old_ports;
		s->net.n_ports = old_ports ? s->n_old_ports : 0;
	}
	s->n_old_ports = s->net.n_ports;
	if (s->net.pending) {
		char when[16];
		struct tm tm;

		localtime_r(&s->net.pend.deadline, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		snprintf(buf, sizeof(buf), _("A change by %s on %s is reverted at %s unless kept."),
			 s->net.pend.user, *s->net.pend.tty ? s->net.pend.tty : "?", when);
	} else {
		snprintf(buf, sizeof(buf), P_("%zu bridge in the configuration", "%zu bridges in the configuration",
					      s->net.conf.n), s->net.conf.n);
	}
	tui_view_set_text(s->v, s->head, buf);
	n = vc_net_rows(&s->net, tui_view_width() - 4, &keys, &rows);
	same = !force && n == s->n;
	for (size_t i = 0; same && i < n; i++)
		same = !strcmp(rows[i], s->rows[i]) && !strcmp(keys[i], s->keys[i]);
	if (same) {
		vc_strv_free(keys, n);
		vc_strv_free(rows, n);
	} else {
		/* Rows of one bridge share its key: give each a unique one, the cursor stays put. */
		char **uk = calloc(n ? n : 1, sizeof(*uk));

		for (size_t i = 0; i < n; i++)
			if (asprintf(&uk[i], "%zu:%s", i, keys[i]) < 0)
				abort();
		tui_view_list_reset(s->v, s->list, n, (const char *const *)rows, (const char *const *)uk);
		vc_strv_free(uk, n);
		shown_clear(s);
		s->keys = keys;
		s->rows = rows;
		s->n = n;
	}
	lock_info(s, buf, sizeof(buf));
	tui_view_set_text(s->v, s->info, buf);
}

static void build(struct net_scr *s)
{
	const char *btns[NB] = { _("Edit"), _("New bridge"), _("Delete"), _("Back") };

	s->v = tui_view_new(_("Network"), LIST_ROWS + 6);
	s->head = tui_view_text(s->v, 1, 0, 0, "");
	s->list = tui_view_list(s->v, 1, 2, 0, LIST_ROWS);
	s->info = tui_view_text(s->v, 1, LIST_ROWS + 3, 0, "");
	s->btn = tui_view_buttons(s->v, btns, NB);
	shown_clear(s);
	fill(s, true);
	tui_view_focus_list(s->v, s->list);
}

/* The bridge of the row under the cursor, or NULL. */
static const char *current_bridge(struct net_scr *s)
{
	const char *k = tui_view_list_current(s->v, s->list);
	const char *colon = k ? strchr(k, ':') : NULL;

	return colon && colon[1] ? colon + 1 : NULL;
}

/* ---- the edit dialog ------------------------------------------------------------------- */

/* Read the files and the live state again, before a change is built on them. */
static bool reload(struct net_scr *s)
{
	struct vc_net n;
	char *cause = NULL;

	if (vc_net_load(&n, s->root, NULL, &cause) < 0) {
		vc_error(_("Network"), cause);
		return false;
	}
	/* The guests' names stay as read: the next refresh asks libvirt again if ports changed. */
	n.ports = s->net.ports;
	n.n_ports = s->net.n_ports;
	s->net.ports = NULL;
	vc_net_clear(&s->net);
	s->net = n;
	return true;
}

static void join(char *out, size_t len, const char *v, size_t n, size_t stride)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "", v + i * stride);
}

static char *free_nics(const struct vc_net *n)
{
	struct base_buf b = { 0 };

	for (size_t i = 0; i < n->live.n_ifs; i++)
		if (n->live.ifs[i].nic && !*n->live.ifs[i].master)
			base_buf_printf(&b, "%s%s", b.len ? ", " : "", n->live.ifs[i].name);
	return b.s ? b.s : strdup(_("none"));
}

/* Show errors (and stop), or warnings (and ask); true to go on. */
static bool judge(struct hcfg_net_issue *v, size_t n, int errors)
{
	struct base_buf b = { 0 };
	bool go;

	for (size_t i = 0; i < n; i++)
		if ((errors > 0) == !v[i].warning)
			base_buf_printf(&b, "%s%s", b.len ? "\n" : "", v[i].msg);
	if (!b.len) {
		free(b.s);
		return true;
	}
	if (errors) {
		tui_message(_("Network"), b.s);
		go = false;
	} else {
		go = tui_ask(_("Network"), b.s, _("Go on"), _("Back"));
	}
	free(b.s);
	return go;
}

/*
 * Ask for a bridge's settings into @b (a new one when its name is ""), check the whole wanted
 * configuration, and leave it in @want. False when the operator went back.
 */
static bool edit_dialog(struct net_scr *s, struct hcfg_bridge *b, struct hcfg_netconf *want,
			unsigned *timeout)
{
	bool fresh = !*b->name;
	char title[128];

	if (fresh)
		snprintf(title, sizeof(title), "%s", _("New Bridge"));
	else
		snprintf(title, sizeof(title), _("Bridge %s"), b->name);
	for (;;) {
		const char *modes[3] = { _("None"), _("DHCP"), _("Static") };
		struct tui_dialog *d = tui_dialog_new(title);
		char ports[512], addrs[512], dns[256], mtu[16], tmo[16], *nics = free_nics(&s->net), *text;
		int f_name = -1, f_ports, f_mode, f_addrs, f_gw, f_gw6, f_dns, f_stp, f_mtu, f_tmo, rc;
		struct hcfg_net_issue *issues = NULL;
		size_t ni = 0;
		char mgmt[8][IF_NAMESIZE];
		int errors;
		unsigned long long v;

		join(ports, sizeof(ports), b->ports[0], b->n_ports, HCFG_NET_NAME_LEN);
		join(addrs, sizeof(addrs), b->addrs[0], b->n_addrs, HCFG_NET_ADDR_LEN);
		join(dns, sizeof(dns), b->dns[0], b->n_dns, HCFG_NET_ADDR_LEN);
		snprintf(mtu, sizeof(mtu), b->mtu ? "%u" : "", b->mtu);
		snprintf(tmo, sizeof(tmo), "%u", *timeout);
		if (asprintf(&text, _("Network cards in no bridge: %s. Separate ports and addresses with spaces; a VLAN port is eno1.20."),
			     nics) < 0)
			abort();
		free(nics);
		tui_dialog_text(d, text);
		free(text);
		if (fresh)
			f_name = tui_dialog_entry(d, _("Name:"), b->name, 0);
		f_ports = tui_dialog_entry(d, _("Ports:"), ports, 0);
		f_mode = tui_dialog_radio(d, _("IPv4:"), modes, 3, (int)b->mode);
		f_addrs = tui_dialog_entry(d, _("Addresses:"), addrs, 0);
		f_gw = tui_dialog_entry(d, _("Gateway:"), b->gateway, 0);
		f_gw6 = tui_dialog_entry(d, _("IPv6 gateway:"), b->gateway6, 0);
		f_dns = tui_dialog_entry(d, _("DNS servers:"), dns, 0);
		f_mtu = tui_dialog_entry(d, _("MTU:"), mtu, 0);
		f_tmo = tui_dialog_entry(d, _("Revert after (s):"), tmo, 0);
		f_stp = tui_dialog_check(d, _("Spanning tree (STP)"), b->stp);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Preview"));
		rc = tui_dialog_run(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			tui_dialog_free(d);
			continue;
		}
		if (rc != TUI_NEXT) {
			tui_dialog_free(d);
			return false;
		}
		if (fresh)
			snprintf(b->name, sizeof(b->name), "%s", tui_dialog_value(d, f_name));
		b->mode = (enum hcfg_br_mode)tui_dialog_selected(d, f_mode);
		snprintf(b->gateway, sizeof(b->gateway), "%s", tui_dialog_value(d, f_gw));
		snprintf(b->gateway6, sizeof(b->gateway6), "%s", tui_dialog_value(d, f_gw6));
		rc = hcfg_net_split(tui_dialog_value(d, f_ports), b->ports[0], HCFG_NET_MAX_PORTS, HCFG_NET_NAME_LEN);
		b->n_ports = rc > 0 ? (size_t)rc : 0;
		rc = hcfg_net_split(tui_dialog_value(d, f_addrs), b->addrs[0], HCFG_NET_MAX_ADDRS, HCFG_NET_ADDR_LEN);
		b->n_addrs = rc > 0 ? (size_t)rc : 0;
		rc = hcfg_net_split(tui_dialog_value(d, f_dns), b->dns[0], HCFG_NET_MAX_DNS, HCFG_NET_ADDR_LEN);
		b->n_dns = rc > 0 ? (size_t)rc : 0;
		/* STP forwards only after its delay: 15 s unless the file said otherwise. */
		if (tui_dialog_checked(d, f_stp) && !b->stp && b->fd < 2)
			b->fd = 15;
		b->stp = tui_dialog_checked(d, f_stp);
		if (!*tui_dialog_value(d, f_mtu))
			b->mtu = 0;
		else if (vc_parse_uint(tui_dialog_value(d, f_mtu), 65535, &v) == 0 && v >= 68)
			b->mtu = (unsigned)v;
		else
			b->mtu = 1;   /* out of range: the check below names it */
		if (vc_parse_uint(tui_dialog_value(d, f_tmo), 3600, &v) < 0 || v < 10) {
			tui_dialog_free(d);
			tui_message(_("Network"), _("The time before the change is reverted is 10 to 3600 seconds."));
			continue;
		}
		*timeout = (unsigned)v;
		tui_dialog_free(d);
		/* The other bridges as they are now: another operator may have changed one meanwhile. */
		if (!reload(s))
			return false;
		hcfg_netconf_clear(want);
		if (hcfg_netconf_copy(want, &s->net.conf) < 0)
			abort();
		if (fresh) {
			if (!hcfg_netconf_add(want, b))
				abort();
		} else if (hcfg_netconf_find(want, b->name)) {
			*hcfg_netconf_find(want, b->name) = *b;
		} else {
			tui_message(_("Network"), _("This bridge is not in the configuration file: ospite does not change it."));
			return false;
		}
		errors = hcfg_net_check(&s->net.conf, want, &s->net.live, mgmt,
					vc_net_mgmt(&s->net, mgmt, 8), &issues, &ni);
		if (judge(issues, ni, errors)) {
			hcfg_net_issues_free(issues, ni);
			return true;
		}
		hcfg_net_issues_free(issues, ni);
	}
}

/* ---- preview and countdown ---------------------------------------------------------------- */

#define DIFF_ROWS 8
#define IMPACT_ROWS 5

/* Cut @text into lines of at most @width columns at blanks, appended to @out. */
static void wrap(const char *text, int width, char ***out, size_t *n)
{
	while (*text) {
		size_t cut, end;
		int w = tui_cut(text, width, &cut);

		end = cut;
		if (text[cut] && w >= width) {
			while (end > 0 && text[end] != ' ')
				end--;
			if (!end)
				end = cut;
		}
		*out = realloc(*out, (*n + 1) * sizeof(**out));
		if (!*out || asprintf(&(*out)[(*n)++], "%.*s", (int)end, text) < 0)
			abort();
		text += end;
		while (*text == ' ')
			text++;
	}
}

/* The diff in a list, what it does to guests and to this connection below it; Apply or Back. */
static bool preview(struct net_scr *s, const struct hcfg_netplan *p, unsigned timeout)
{
	const char *btns[2] = { _("Apply"), _("Back") };
	char **lines = NULL, **impact = NULL, buf[256];
	size_t n = vc_net_preview(&s->net, p, &lines), nd = 0, ni = 0;
	struct tui_view *v;
	struct tui_event ev;
	int list, btn;
	bool go = false;

	/* The diff ends at the first empty line; the sentences after it are the impact. */
	while (nd < n && *lines[nd])
		nd++;
	for (;;) {
		vc_strv_free(impact, ni);
		impact = NULL;
		ni = 0;
		for (size_t i = nd + 1; i < n; i++)
			wrap(lines[i], tui_view_width() - 2, &impact, &ni);
		v = tui_view_new(_("Preview"), DIFF_ROWS + IMPACT_ROWS + 6);
		tui_view_text(v, 1, 0, 0, _("These lines of the network configuration change:"));
		list = tui_view_list(v, 1, 1, 0, DIFF_ROWS);
		tui_view_list_reset(v, list, nd, (const char *const *)lines, (const char *const *)lines);
		for (size_t i = 0; i < ni && i < IMPACT_ROWS; i++)
			tui_view_text(v, 1, DIFF_ROWS + 2 + (int)i, 0, impact[i]);
		snprintf(buf, sizeof(buf), _("Apply makes it live; it is reverted in %u s unless you keep it."), timeout);
		tui_view_text(v, 1, DIFF_ROWS + IMPACT_ROWS + 2, 0, buf);
		btn = tui_view_buttons(v, btns, 2);
		tui_view_focus_list(v, list);
		do
			tui_view_run(v, &ev);
		while (ev.kind == TUI_EV_TICK || ev.kind == TUI_EV_LIST || ev.kind == TUI_EV_KEY);
		tui_view_free(v);
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			continue;
		}
		go = ev.kind == TUI_EV_BUTTON && ev.id == btn;
		break;
	}
	vc_strv_free(impact, ni);
	vc_strv_free(lines, n);
	return go;
}

/* "Keep these settings? Reverting in 60 s": Keep, Revert, or wait. */
static void countdown(struct net_scr *s, const struct hcfg_net_pending *p)
{
	const char *btns[2] = { _("Keep"), _("Revert") };
	struct vc_app *app = s->app;
	struct tui_view *v = NULL;
	struct tui_event ev;
	struct hcfg_net_pending now;
	char buf[256], *cause = NULL;
	int text = 0, btn = 0;
	bool rebuild = true;

	for (;;) {
		long left = (long)(p->deadline - time(NULL));

		if (rebuild) {
			v = tui_view_new(_("Keep These Settings?"), 8);
			text = tui_view_text(v, 1, 0, 0, "");
			tui_view_text(v, 1, 2, 0, _("If you cannot answer (the network went away), the previous"));
			tui_view_text(v, 1, 3, 0, _("settings come back by themselves, even if this console dies."));
			btn = tui_view_buttons(v, btns, 2);
			rebuild = false;
		}
		/* Gone: the reverter did its work (or someone kept it elsewhere). */
		if (hcfg_net_pending(s->root, &now) < 0 || strcmp(now.id, p->id)) {
			tui_view_free(v);
			tui_message(_("Network"), _("The previous settings are back: the change was not kept in time."));
			return;
		}
		if (left < -5) {
			/* The reverter should have done it by now: do it here. */
			tui_view_free(v);
			if (hcfg_net_revert(s->root, p->id, false, NULL, &cause) == 0) {
				base_audit(app->user, s->tty, "net revert %s: not kept, reverted by the console", p->id);
				tui_message(_("Network"), _("The previous settings are back: the change was not kept in time."));
			} else {
				vc_error(_("Network"), cause);
			}
			return;
		}
		snprintf(buf, sizeof(buf), _("Keep these settings? Reverting in %ld s"), left > 0 ? left : 0);
		tui_view_set_text(v, text, buf);
		tui_view_run(v, &ev);
		if (ev.kind == TUI_EV_IDLE) {
			/* Logged out for idleness: the change is reverted, nobody kept it. */
			tui_view_free(v);
			return;
		}
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(v);
			rebuild = true;
			continue;
		}
		if (ev.kind != TUI_EV_BUTTON)
			continue;
		tui_view_free(v);
		if (ev.id == btn) {
			if (hcfg_net_confirm(s->root, p->id, NULL, &cause) == 0) {
				base_audit(app->user, s->tty, "net keep %s", p->id);
				tui_message(_("Network"), _("The new settings are kept."));
			} else {
				vc_error(_("Network"), cause);
			}
		} else if (hcfg_net_revert(s->root, p->id, false, NULL, &cause) == 0) {
			base_audit(app->user, s->tty, "net revert %s: by the operator", p->id);
			tui_message(_("Network"), _("The previous settings are back."));
		} else {
			vc_error(_("Network"), cause);
		}
		return;
	}
}

/* Plan @want, preview it, apply it and count down. */
static void change(struct net_scr *s, const struct hcfg_netconf *want, unsigned timeout)
{
	struct hcfg_netplan *p = NULL;
	struct hcfg_net_pending pend;
	char *cause = NULL, own[64];
	const char *argv[6];
	struct base_buf what = { 0 };

	if (hcfg_net_plan(s->root, want, vc_net_own_address(own, sizeof(own)), &p, &cause) < 0) {
		vc_error(_("Network"), cause);
		return;
	}
	if (!p->n_scope) {
		tui_message(_("Network"), _("Nothing to change."));
		hcfg_net_plan_free(p);
		return;
	}
	if (!preview(s, p, timeout) || s->app->unwinding) {
		hcfg_net_plan_free(p);
		return;
	}
	for (size_t i = 0; i < p->n_scope; i++)
		base_buf_printf(&what, "%s%s", i ? " " : "", p->scope[i]);
	vc_net_revert_argv(s->root, argv);
	if (hcfg_net_apply(s->root, p, timeout, s->app->user, s->tty, argv, &pend, &cause) < 0) {
		base_audit(s->app->user, s->tty, "net apply failed (%s): %s", what.s, cause ? cause : "");
		vc_error(_("Network"), cause);
	} else {
		base_audit(s->app->user, s->tty, "net apply %s: bridges %s, reverted in %u s unless kept",
			   pend.id, what.s, timeout);
		countdown(s, &pend);
	}
	free(what.s);
	hcfg_net_plan_free(p);
}

/* Hold the bridge's lock for the whole edit; someone else's lock is shown, and only looking is left. */
static bool lock(struct net_scr *s, const char *name, struct hcfg_lock **lk)
{
	char *cause = NULL;

	if (hcfg_lock_take(NULL, HCFG_LOCK_BRIDGE, name, s->app->user, s->tty, lk, NULL, &cause) < 0) {
		vc_error(_("Network"), cause);
		return false;
	}
	return true;
}

static void edit(struct net_scr *s, const char *name)
{
	struct hcfg_netconf want = { NULL, 0 };
	struct hcfg_bridge b, *cur;
	struct hcfg_lock *lk = NULL, *lk2 = NULL;
	unsigned timeout;

	if (name && !(cur = hcfg_netconf_find(&s->net.conf, name))) {
		tui_message(_("Network"), _("This bridge is not in the configuration file: ospite does not change it."));
		return;
	}
	if (name && !lock(s, name, &lk))
		return;
	if (name)
		b = *cur;
	else
		hcfg_bridge_init(&b, "");
	timeout = b.stp ? HCFG_NET_TIMEOUT_STP : HCFG_NET_TIMEOUT_DEFAULT;
	while (edit_dialog(s, &b, &want, &timeout) && !s->app->unwinding) {
		/* A new bridge is locked once it has a name, so two operators do not make it twice. */
		if (!name && !lock(s, b.name, &lk2))
			continue;
		if (b.stp && timeout == HCFG_NET_TIMEOUT_DEFAULT)
			timeout = HCFG_NET_TIMEOUT_STP;
		change(s, &want, timeout);
		break;
	}
	hcfg_lock_release(lk2);
	hcfg_lock_release(lk);
	hcfg_netconf_clear(&want);
}

static void delete_bridge(struct net_scr *s, const char *name)
{
	struct hcfg_netconf want = { NULL, 0 };
	struct hcfg_lock *lk = NULL;
	char *q = NULL;

	if (!hcfg_netconf_find(&s->net.conf, name)) {
		tui_message(_("Network"), _("This bridge is not in the configuration file: ospite does not change it."));
		return;
	}
	if (!lock(s, name, &lk))
		return;
	if (asprintf(&q, _("Delete the bridge %s? Its ports leave it, and guests' cards in it lose the network."),
		     name) < 0)
		abort();
	if (tui_ask(_("Delete"), q, _("Delete"), _("Cancel")) && !s->app->unwinding && reload(s)) {
		if (hcfg_netconf_copy(&want, &s->net.conf) < 0)
			abort();
		hcfg_netconf_remove(&want, name);
		change(s, &want, HCFG_NET_TIMEOUT_DEFAULT);
	}
	free(q);
	hcfg_lock_release(lk);
	hcfg_netconf_clear(&want);
}

int vc_scr_net(struct vc_app *app)
{
	struct net_scr s;
	struct tui_event ev;
	char rhost[64];

	memset(&s, 0, sizeof(s));
	s.app = app;
	s.root = net_root();
	vc_login_tty(s.tty, sizeof(s.tty), rhost, sizeof(rhost));
	build(&s);
	for (;;) {
		const char *br;
		char *name;
		int action;

		tui_view_run(s.v, &ev);
		if (ev.kind == TUI_EV_IDLE || app->unwinding)
			break;
		if (ev.kind == TUI_EV_LANG) {
			vc_lang_toggle();
			tui_view_free(s.v);
			build(&s);
			continue;
		}
		if (ev.kind == TUI_EV_TICK) {
			fill(&s, false);
			continue;
		}
		if (ev.kind == TUI_EV_LIST)
			action = B_EDIT;
		else if (ev.kind == TUI_EV_BUTTON)
			action = ev.id - s.btn;
		else
			continue;
		if (action == B_BACK) {
			tui_view_free(s.v);
			shown_clear(&s);
			vc_net_clear(&s.net);
			return VC_BACK;
		}
		br = current_bridge(&s);
		name = br ? strdup(br) : NULL;
		if (!app->admin) {
			/* As in Host Management: the host itself is for administrators. */
			vc_admin_refused(app, _("Network"), "net change",
					 _("Only root and the members of the group %s change the host's network: its bridges carry every guest's traffic. You may look at them, and manage the guests."),
					 VC_ADMIN_GROUP);
		} else if (action == B_NEW)
			edit(&s, NULL);
		else if (!name)
			tui_message(_("Network"), _("Put the cursor on a line of the bridge first."));
		else if (action == B_EDIT)
			edit(&s, name);
		else
			delete_bridge(&s, name);
		free(name);
		if (app->unwinding)
			break;
		fill(&s, true);
		/* Back on the list, whichever button opened the dialogs. */
		tui_view_focus_list(s.v, s.list);
	}
	tui_view_free(s.v);
	shown_clear(&s);
	vc_net_clear(&s.net);
	return VC_LOGOUT;
}
