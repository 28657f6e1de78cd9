/* The host's bridges as the console shows them: files and live state read once, described in lines for the Network screen and `ospite net show`. */
#include "vc-net.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vc_net_load(struct vc_net *n, const char *root, struct hv_conn *conn, char **cause)
{
	int rc;

	memset(n, 0, sizeof(*n));
	rc = hcfg_netconf_read(root, &n->conf, cause);
	if (rc == 0)
		rc = hcfg_netlive_read(&n->live, cause);
	if (rc < 0) {
		vc_net_clear(n);
		return rc;
	}
	/* Without the hypervisor the guests' ports are still listed, by their interface names. */
	if (conn && hv_guest_ports(conn, &n->ports, &n->n_ports, NULL) < 0)
		n->n_ports = 0;
	n->pending = hcfg_net_pending(root, &n->pend) == 0;
	return 0;
}

void vc_net_clear(struct vc_net *n)
{
	hcfg_netconf_clear(&n->conf);
	hcfg_netlive_clear(&n->live);
	hv_ports_free(n->ports);
	memset(n, 0, sizeof(*n));
}

const char *vc_net_guest(const struct vc_net *n, const char *dev)
{
	for (size_t i = 0; i < n->n_ports; i++)
		if (!strcmp(n->ports[i].dev, dev))
			return n->ports[i].guest;
	return NULL;
}

struct rows {
	char **keys, **rows;
	size_t n;
	int width;
};

static void row(struct rows *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void row(struct rows *r, const char *key, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (r->width > 0) {
		size_t cut;

		tui_cut(text, r->width, &cut);
		text[cut] = '\0';
	}
	r->keys = realloc(r->keys, (r->n + 1) * sizeof(*r->keys));
	r->rows = realloc(r->rows, (r->n + 1) * sizeof(*r->rows));
	if (!r->keys || !r->rows)
		abort();
	r->keys[r->n] = strdup(key);
	r->rows[r->n++] = text;
}

/* "link up, 1000 Mb/s, 52:54:00:12:34:56, e1000e" */
static void nic_facts(const struct hcfg_iface *f, char *buf, size_t len)
{
	int o = snprintf(buf, len, "%s", f->carrier ? _("link up") : _("no link"));

	if (f->speed_mbps && f->carrier)
		o += snprintf(buf + o, len - o, ", %u Mb/s", f->speed_mbps);
	o += snprintf(buf + o, len - o, ", %s", f->mac);
	if (*f->driver)
		snprintf(buf + o, len - o, ", %s", f->driver);
}

static void port_row(struct rows *r, const struct vc_net *n, const char *key, const char *name)
{
	const struct hcfg_iface *f = hcfg_netlive_find(&n->live, name);
	const char *guest = vc_net_guest(n, name);
	char facts[160];

	if (!f) {
		row(r, key, "  %-10s %s", name, _("missing"));
	} else if (guest) {
		/* TRANSLATORS: a bridge port that is a guest's network card; %s is the guest. */
		row(r, key, _("  %-10s guest %s"), name, guest);
	} else if (hcfg_iface_is_guest(f)) {
		row(r, key, _("  %-10s a guest's card"), name);
	} else if (!strcmp(f->kind, "vlan")) {
		row(r, key, _("  %-10s VLAN %u of %s"), name, f->vlan_id, f->parent);
	} else {
		nic_facts(f, facts, sizeof(facts));
		/* TRANSLATORS: a NIC that is a port of a bridge, then its link, speed, MAC and driver. */
		row(r, key, _("  %-10s network card: %s"), name, facts);
	}
}

static void bridge_rows(struct rows *r, const struct vc_net *n, const char *name,
			const struct hcfg_bridge *b)
{
	const struct hcfg_iface *f = hcfg_netlive_find(&n->live, name);
	struct base_buf a = { 0 };
	const char *key = b ? name : "";
	const char *state = !f ? _("not up") : f->up ? _("up") : _("down");
	char gw[160] = "";

	for (size_t i = 0; i < n->live.n_ips; i++)
		if (!strcmp(n->live.ips[i].dev, name))
			base_buf_printf(&a, " %s", n->live.ips[i].addr);
	/* Not up: what it will have. */
	for (size_t i = 0; !f && b && i < b->n_addrs; i++)
		base_buf_printf(&a, " %s", b->addrs[i]);
	if (b && b->mode == HCFG_BR_DHCP)
		base_buf_printf(&a, " (%s)", _("DHCP"));
	for (size_t i = 0; i < n->live.n_routes; i++) {
		const struct hcfg_iproute *rt = &n->live.routes[i];

		if (!strcmp(rt->dev, name) && !strcmp(rt->dst, "default") && *rt->gw)
			snprintf(gw + strlen(gw), sizeof(gw) - strlen(gw), _(" gateway %s"), rt->gw);
	}
	row(r, key, "%-10s %-8s%s%s", name, state, a.s ? a.s : _(" no address"), gw);
	free(a.s);
	if (f)
		/* TRANSLATORS: a bridge's spanning tree (on or off) and its MTU. */
		row(r, key, _("           STP %s, MTU %u%s"), f->stp ? _("on") : _("off"), f->mtu,
		    b ? "" : _(", not in the configuration file"));
	if (b && b->n_dns) {
		struct base_buf d = { 0 };

		for (size_t i = 0; i < b->n_dns; i++)
			base_buf_printf(&d, " %s", b->dns[i]);
		row(r, key, _("           DNS%s"), d.s);
		free(d.s);
	}
	/* The configured ports first, then whatever else the kernel has in the bridge (guests). */
	for (size_t i = 0; b && i < b->n_ports; i++)
		port_row(r, n, key, b->ports[i]);
	for (size_t i = 0; i < n->live.n_ifs; i++) {
		const struct hcfg_iface *p = &n->live.ifs[i];
		bool listed = false;

		if (strcmp(p->master, name))
			continue;
		for (size_t k = 0; b && k < b->n_ports; k++)
			if (!strcmp(b->ports[k], p->name))
				listed = true;
		if (!listed)
			port_row(r, n, key, p->name);
	}
	if (b && !b->n_ports && !hcfg_netlive_find(&n->live, name))
		row(r, key, "  %s", _("no ports"));
}

size_t vc_net_rows(const struct vc_net *n, int width, char ***keys, char ***rows)
{
	struct rows r = { NULL, NULL, 0, width };
	bool head = false;

	for (size_t i = 0; i < n->conf.n; i++)
		bridge_rows(&r, n, n->conf.br[i].name, &n->conf.br[i]);
	for (size_t i = 0; i < n->live.n_ifs; i++)
		if (!strcmp(n->live.ifs[i].kind, "bridge") &&
		    !hcfg_netconf_find(&n->conf, n->live.ifs[i].name))
			bridge_rows(&r, n, n->live.ifs[i].name, NULL);
	for (size_t i = 0; i < n->live.n_ifs; i++) {
		const struct hcfg_iface *f = &n->live.ifs[i];
		char facts[160];

		if (!f->nic || *f->master)
			continue;
		if (!head)
			row(&r, "", "%s", _("Network cards in no bridge:"));
		head = true;
		nic_facts(f, facts, sizeof(facts));
		row(&r, "", "  %-10s %s", f->name, facts);
	}
	head = false;
	for (size_t i = 0; i < n->live.n_ifs; i++) {
		const struct hcfg_iface *f = &n->live.ifs[i];

		if (strcmp(f->kind, "vlan"))
			continue;
		if (!head)
			row(&r, "", "%s", _("VLAN sub-interfaces:"));
		head = true;
		if (*f->master)
			row(&r, "", _("  %-10s VLAN %u of %s, in %s"), f->name, f->vlan_id, f->parent, f->master);
		else
			row(&r, "", _("  %-10s VLAN %u of %s, in no bridge"), f->name, f->vlan_id, f->parent);
	}
	*keys = r.keys;
	*rows = r.rows;
	return r.n;
}

static void line(char ***v, size_t *n, char *s)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v || !s)
		abort();
	(*v)[(*n)++] = s;
}

size_t vc_net_preview(const struct vc_net *n, const struct hcfg_netplan *p, char ***out)
{
	char **v = NULL, *s;
	size_t count = 0;
	const char *t = p->diff;

	if (!*t)
		line(&v, &count, strdup(_("The configuration files do not change.")));
	while (*t) {
		size_t len = strcspn(t, "\n");

		struct base_buf b = { 0 };

		/* A tab is one column to newt: the file's indentation as four spaces. */
		for (size_t i = 0; i < len; i++)
			base_buf_add(&b, t[i] == '\t' ? "    " : t + i, t[i] == '\t' ? 4 : 1);
		line(&v, &count, b.s ? b.s : strdup(""));
		t += len + (t[len] == '\n');
	}
	line(&v, &count, strdup(""));
	if (!p->n_outages)
		line(&v, &count, strdup(_("No guest loses its network.")));
	for (size_t i = 0; i < p->n_outages; i++) {
		const struct hcfg_net_outage *o = &p->outages[i];
		const char *g = vc_net_guest(n, o->port);
		char who[200];

		if (g)
			snprintf(who, sizeof(who), _("Guest %s (%s on %s)"), g, o->port, o->bridge);
		else
			snprintf(who, sizeof(who), _("Guest port %s on %s"), o->port, o->bridge);
		int rc = o->seconds < 0 ?
			 asprintf(&s, _("%s loses its network until the change is reverted."), who) :
			 o->seconds == 0 ? asprintf(&s, _("%s loses its network for a moment."), who) :
			 asprintf(&s, _("%s loses its network for about %d s (STP)."), who, o->seconds);

		line(&v, &count, rc < 0 ? NULL : s);
	}
	if (p->own_changes)
		line(&v, &count, strdup(_("The address you are connected through changes: this session may stop answering; the change is reverted unless kept from a connection that still works.")));
	else if (getenv("SSH_CONNECTION"))
		line(&v, &count, strdup(_("The address you are connected through stays as it is.")));
	else
		line(&v, &count, strdup(_("You are on a local console: your connection does not use the network.")));
	*out = v;
	return count;
}

const char *vc_net_own_address(char *buf, size_t len)
{
	const char *ssh = getenv("SSH_CONNECTION");
	char a[64], b[64], c[64];

	/* "client-address client-port server-address server-port" */
	if (!ssh || sscanf(ssh, "%63s %63s %63s", a, b, c) != 3)
		return NULL;
	snprintf(buf, len, "%s", c);
	return buf;
}

void vc_net_who(const char *user, char *ubuf, size_t ulen, char *tty, size_t tlen)
{
	char rhost[64];

	if (user && *user) {
		snprintf(ubuf, ulen, "%s", user);
	} else {
		struct passwd *pw = getpwuid(geteuid());

		snprintf(ubuf, ulen, "%s", pw ? pw->pw_name : "?");
	}
	vc_login_tty(tty, tlen, rhost, sizeof(rhost));
}

void vc_net_revert_argv(const char *root, const char *argv[6])
{
	/* The same binary, even after an upgrade replaced the file. */
	argv[0] = "/proc/self/exe";
	argv[1] = "net";
	argv[2] = "revert";
	argv[3] = "--root";
	argv[4] = root;
	argv[5] = NULL;
}

size_t vc_net_mgmt(const struct vc_net *n, char (*out)[IF_NAMESIZE], size_t max)
{
	char own[64];

	return hcfg_net_mgmt(&n->live, vc_net_own_address(own, sizeof(own)), out, max);
}
