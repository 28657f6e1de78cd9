/* Checks on the bridges an operator wants, each problem a whole sentence, before anything is applied. */
#include "hcfg.h"
#include "hcfg-net.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool hcfg_cidr_parse(const char *s, int *family, unsigned char addr[16], unsigned *prefix)
{
	char buf[HCFG_NET_ADDR_LEN], *slash, *end;
	unsigned long p;

	if (!s || strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return false;
	*slash = '\0';
	p = strtoul(slash + 1, &end, 10);
	if (*end || slash[1] < '0' || slash[1] > '9')
		return false;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		if (p < 1 || p > 32)
			return false;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		if (p < 1 || p > 128)
			return false;
	} else {
		return false;
	}
	*prefix = (unsigned)p;
	return true;
}

static bool same_net(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned full = prefix / 8, bits = prefix % 8;

	if (memcmp(a, b, full))
		return false;
	return !bits || ((a[full] ^ b[full]) & (0xff << (8 - bits)) & 0xff) == 0;
}

/* Is @gw (of @family) inside one of the bridge's subnets of that family? */
static bool gw_inside(const struct hcfg_bridge *b, int family, const unsigned char *gw)
{
	for (size_t i = 0; i < b->n_addrs; i++) {
		unsigned char a[16];
		unsigned p;
		int f;

		if (hcfg_cidr_parse(b->addrs[i], &f, a, &p) && f == family && same_net(a, gw, p))
			return true;
	}
	return false;
}

struct issues {
	struct hcfg_net_issue *v;
	size_t n;
	int errors;
};

static void say(struct issues *is, bool warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct issues *is, bool warning, const char *fmt, ...)
{
	struct hcfg_net_issue *nv = realloc(is->v, (is->n + 1) * sizeof(*nv));
	va_list ap;

	if (!nv)
		abort();
	is->v = nv;
	va_start(ap, fmt);
	if (vasprintf(&nv[is->n].msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	nv[is->n++].warning = warning;
	if (!warning)
		is->errors++;
}

void hcfg_net_issues_free(struct hcfg_net_issue *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].msg);
	free(v);
}

static bool ip_ok(const char *s, int family)
{
	unsigned char a[16];

	return (family != AF_INET6 && inet_pton(AF_INET, s, a) == 1) ||
	       (family != AF_INET && inet_pton(AF_INET6, s, a) == 1);
}

static bool vlan_of(const char *port, char *parent, size_t len)
{
	const char *dot = strrchr(port, '.');
	char *end;
	unsigned long id;

	if (!dot || dot == port || !dot[1])
		return false;
	id = strtoul(dot + 1, &end, 10);
	if (*end || id < 1 || id > 4094)
		return false;
	snprintf(parent, len, "%.*s", (int)(dot - port), port);
	return true;
}

/* A bridge's or a port's name: what the kernel takes and ospite writes into files. */
static bool name_ok(struct issues *is, const char *name, bool port)
{
	if (strlen(name) > IF_NAMESIZE - 1) {
		if (port)
			say(is, false, _("The port name \"%s\" is longer than 15 characters."), name);
		else
			say(is, false, _("The bridge name \"%s\" is longer than 15 characters."), name);
		return false;
	}
	if (!hcfg_ifname_ok(name)) {
		if (port)
			say(is, false, _("The port name \"%s\" may only have letters, digits, '_', '.' and '-'."), name);
		else
			say(is, false, _("The bridge name \"%s\" may only have letters, digits, '_', '.' and '-'."), name);
		return false;
	}
	return true;
}

static bool port_used(const struct hcfg_bridge *b, const char *p)
{
	for (size_t i = 0; i < b->n_ports; i++)
		if (!strcmp(b->ports[i], p))
			return true;
	return false;
}

static size_t hw_ports(const struct hcfg_bridge *b, const struct hcfg_netlive *live)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n_ports; i++) {
		const struct hcfg_iface *f = hcfg_netlive_find(live, b->ports[i]);

		if (!f || !hcfg_iface_is_guest(f))
			n++;
	}
	return n;
}

static void check_ports(struct issues *is, const struct hcfg_netconf *old, const struct hcfg_netconf *c,
			const struct hcfg_bridge *b, const struct hcfg_netlive *live)
{
	for (size_t i = 0; i < b->n_ports; i++) {
		const char *p = b->ports[i];
		const struct hcfg_iface *f;
		char parent[HCFG_NET_NAME_LEN];

		if (!name_ok(is, p, true))
			continue;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(b->ports[j], p))
				say(is, false, _("%s is listed twice as a port of %s."), p, b->name);
		if (!strcmp(p, b->name)) {
			say(is, false, _("The bridge %s cannot be a port of itself."), p);
			continue;
		}
		f = hcfg_netlive_find(live, p);
		if (hcfg_netconf_find(c, p) || (f && !strcmp(f->kind, "bridge"))) {
			say(is, false, _("%s is a bridge: a bridge cannot be a port of another bridge."), p);
			continue;
		}
		if (f && hcfg_iface_is_guest(f)) {
			say(is, false, _("%s is a guest's interface: libvirt puts it into its bridge when the guest starts."), p);
			continue;
		}
		if (!f) {
			const struct hcfg_iface *pf;

			if (!vlan_of(p, parent, sizeof(parent)))
				say(is, false, _("There is no network interface %s."), p);
			else if (!(pf = hcfg_netlive_find(live, parent)) || !pf->nic)
				say(is, false, _("%s cannot be made: there is no network card %s."), p, parent);
		}
		/* One message per clash: from the bridge that takes the port, not from the one that has it. */
		for (size_t k = 0; k < c->n; k++) {
			const struct hcfg_bridge *o = &c->br[k], *ow = hcfg_netconf_find(old, o->name);

			if (o == b || !port_used(o, p) || (o > b && !(ow && hcfg_bridge_equal(ow, o))))
				continue;
			say(is, false, _("%s is already a port of bridge %s."), p, o->name);
			break;
		}
		/* A bridge outside the configuration file that holds it (and is not being deleted). */
		if (f && *f->master && strcmp(f->master, b->name) && !hcfg_netconf_find(c, f->master) &&
		    !hcfg_netconf_find(old, f->master))
			say(is, false, _("%s is already a port of bridge %s."), p, f->master);
	}
}

static void check_addressing(struct issues *is, const struct hcfg_bridge *b)
{
	unsigned char a[16];
	unsigned p;
	int f;
	size_t v4 = 0;

	for (size_t i = 0; i < b->n_addrs; i++) {
		if (!hcfg_cidr_parse(b->addrs[i], &f, a, &p)) {
			say(is, false, _("\"%s\" is not an address with a prefix length, such as 192.0.2.10/24 or 2001:db8::10/64."),
			    b->addrs[i]);
			continue;
		}
		if (f == AF_INET)
			v4++;
	}
	if (b->mode == HCFG_BR_STATIC && !v4)
		say(is, false, _("Static addressing of %s needs an IPv4 address with its prefix length, such as 192.0.2.10/24."),
		    b->name);
	if (b->mode != HCFG_BR_STATIC && v4)
		say(is, false, _("%s gets its IPv4 address from DHCP or has none: choose static addressing to give it %s."),
		    b->name, b->addrs[0]);
	if (*b->gateway) {
		if (inet_pton(AF_INET, b->gateway, a) != 1)
			say(is, false, _("The gateway \"%s\" is not a valid IPv4 address."), b->gateway);
		else if (b->mode != HCFG_BR_STATIC)
			say(is, false, _("A gateway is given only with static addressing; %s has none."), b->name);
		else if (v4 && !gw_inside(b, AF_INET, a))
			say(is, false, _("The gateway %s is outside every subnet of %s."), b->gateway, b->name);
	}
	if (*b->gateway6) {
		if (inet_pton(AF_INET6, b->gateway6, a) != 1)
			say(is, false, _("The gateway \"%s\" is not a valid IPv6 address."), b->gateway6);
		else if (!(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) && !gw_inside(b, AF_INET6, a))
			/* A link-local router (fe80::1) is reachable from any IPv6 subnet of the link. */
			say(is, false, _("The gateway %s is outside every subnet of %s."), b->gateway6, b->name);
	}
	for (size_t i = 0; i < b->n_dns; i++)
		if (!ip_ok(b->dns[i], AF_UNSPEC))
			say(is, false, _("The DNS server \"%s\" is not a valid IP address."), b->dns[i]);
	if (b->mtu && (b->mtu < 68 || b->mtu > 65535))
		say(is, false, _("The MTU %u of %s is not between 68 and 65535."), b->mtu, b->name);
	if (b->stp && b->fd >= 0 && (b->fd < 2 || b->fd > 30))
		say(is, false, _("With STP the forward delay of %s must be between 2 and 30 seconds."), b->name);
	else if (b->fd > 30)
		say(is, false, _("The forward delay of %s must be at most 30 seconds."), b->name);
}

static bool named(char (*v)[IF_NAMESIZE], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

int hcfg_net_check(const struct hcfg_netconf *old, const struct hcfg_netconf *c,
		   const struct hcfg_netlive *live, char (*mgmt)[IF_NAMESIZE], size_t n_mgmt,
		   struct hcfg_net_issue **out, size_t *n)
{
	struct issues is = { NULL, 0, 0 };
	const struct hcfg_bridge *gw_br = NULL;

	for (size_t k = 0; k < c->n; k++) {
		const struct hcfg_bridge *b = &c->br[k], *was = hcfg_netconf_find(old, b->name);
		const struct hcfg_iface *f;

		if (*b->gateway) {
			if (gw_br)
				say(&is, false, _("Bridges %s and %s both have an IPv4 gateway: give only one of them a gateway."),
				    gw_br->name, b->name);
			gw_br = b;
		}
		if (was && hcfg_bridge_equal(was, b))
			continue;
		if (!*b->name) {
			say(&is, false, "%s", _("A bridge needs a name."));
			continue;
		}
		if (!name_ok(&is, b->name, false))
			continue;
		for (size_t j = 0; j < k; j++)
			if (!strcmp(c->br[j].name, b->name))
				say(&is, false, _("The name %s is already used by another bridge."), b->name);
		f = hcfg_netlive_find(live, b->name);
		if (!was && f)
			say(&is, false, _("The name %s is already used by another network interface."), b->name);
		check_ports(&is, old, c, b, live);
		check_addressing(&is, b);
		if (was && named(mgmt, n_mgmt, b->name) && hw_ports(was, live) && !hw_ports(b, live))
			say(&is, true, _("%s carries the address this console is reached through, and would have no port left: the host may become unreachable."),
			    b->name);
	}
	for (size_t k = 0; k < old->n; k++)
		if (!hcfg_netconf_find(c, old->br[k].name) && named(mgmt, n_mgmt, old->br[k].name))
			say(&is, true, _("%s carries the address this console is reached through: without it the host may become unreachable."),
			    old->br[k].name);
	*out = is.v;
	*n = is.n;
	return is.errors;
}

size_t hcfg_net_mgmt(const struct hcfg_netlive *live, const char *own, char (*out)[IF_NAMESIZE],
		     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < live->n_ifs && n < max; i++) {
		const struct hcfg_iface *f = &live->ifs[i];
		bool carries = false;

		if (strcmp(f->kind, "bridge"))
			continue;
		if (own && *own) {
			size_t len = strlen(own);

			for (size_t k = 0; k < live->n_ips; k++)
				if (!strcmp(live->ips[k].dev, f->name) &&
				    !strncmp(live->ips[k].addr, own, len) && live->ips[k].addr[len] == '/')
					carries = true;
		} else {
			for (size_t k = 0; k < live->n_routes; k++)
				if (!strcmp(live->routes[k].dev, f->name) &&
				    !strcmp(live->routes[k].dst, "default"))
					carries = true;
		}
		if (carries)
			snprintf(out[n++], IF_NAMESIZE, "%s", f->name);
	}
	return n;
}
