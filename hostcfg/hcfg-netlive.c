/* The live network state (links, addresses, routes) read with libnl-route-3, and made equal to a wanted one. */
#include "hcfg.h"
#include "hcfg-net.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/route.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef IFA_F_PERMANENT
#define IFA_F_PERMANENT 0x80
#endif
#ifndef IFA_F_TEMPORARY
#define IFA_F_TEMPORARY 0x01
#endif

#define SYS_NET "/sys/class/net"

void hcfg_netlive_clear(struct hcfg_netlive *l)
{
	free(l->ifs);
	free(l->ips);
	free(l->routes);
	memset(l, 0, sizeof(*l));
}

static void *dup_mem(const void *p, size_t n, size_t size, bool *oom)
{
	void *d;

	if (!n)
		return NULL;
	d = malloc(n * size);
	if (!d) {
		*oom = true;
		return NULL;
	}
	memcpy(d, p, n * size);
	return d;
}

int hcfg_netlive_copy(struct hcfg_netlive *dst, const struct hcfg_netlive *src)
{
	bool oom = false;

	memset(dst, 0, sizeof(*dst));
	dst->ifs = dup_mem(src->ifs, src->n_ifs, sizeof(*src->ifs), &oom);
	dst->ips = dup_mem(src->ips, src->n_ips, sizeof(*src->ips), &oom);
	dst->routes = dup_mem(src->routes, src->n_routes, sizeof(*src->routes), &oom);
	dst->n_ifs = src->n_ifs;
	dst->n_ips = src->n_ips;
	dst->n_routes = src->n_routes;
	if (oom) {
		hcfg_netlive_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

struct hcfg_iface *hcfg_netlive_find(const struct hcfg_netlive *l, const char *name)
{
	for (size_t i = 0; i < l->n_ifs; i++)
		if (!strcmp(l->ifs[i].name, name))
			return &l->ifs[i];
	return NULL;
}

bool hcfg_iface_is_guest(const struct hcfg_iface *i)
{
	unsigned d, n;

	/* Xen's backends: vif3.0, and vif3.0-emu for an HVM guest's emulated card. */
	return !strcmp(i->kind, "tun") || sscanf(i->name, "vif%u.%u", &d, &n) == 2;
}

/* Room for one more after @n elements: capacities are 8 and then powers of two. */
static void *grow(void *p, size_t n, size_t size)
{
	if (!n)
		return realloc(p, 8 * size);
	if (n < 8 || (n & (n - 1)))
		return p;
	return realloc(p, 2 * n * size);
}

#define APPEND(arr, n, oomlabel)                                              \
	do {                                                                  \
		void *np_ = grow((arr), (n), sizeof(*(arr)));                 \
		if (!np_)                                                     \
			goto oomlabel;                                        \
		(arr) = np_;                                                  \
		memset(&(arr)[(n)], 0, sizeof(*(arr)));                       \
	} while (0)

static void bridge_sysfs(struct hcfg_iface *i)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), SYS_NET "/%s/bridge/stp_state", i->name);
	if (hcfg_read_line(path, buf, sizeof(buf)) == 0)
		i->stp = strtoul(buf, NULL, 10) != 0;
	snprintf(path, sizeof(path), SYS_NET "/%s/bridge/forward_delay", i->name);
	/* In hundredths of a second. */
	i->fd = hcfg_read_line(path, buf, sizeof(buf)) == 0 ? (int)(strtoul(buf, NULL, 10) / 100) : -1;
}

static void addr_text(struct nl_addr *a, unsigned prefix, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "";

	inet_ntop(nl_addr_get_family(a), nl_addr_get_binary_addr(a), ip, sizeof(ip));
	snprintf(out, len, "%s/%u", ip, prefix);
}

static void ifname_of(struct nl_cache *links, int ifindex, char *out, size_t len)
{
	out[0] = '\0';
	if (ifindex > 0)
		rtnl_link_i2name(links, ifindex, out, len);
}

static int nl_open(struct nl_sock **sk, char **cause)
{
	int err;

	*sk = nl_socket_alloc();
	if (!*sk)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	err = nl_connect(*sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(*sk);
		*sk = NULL;
		return base_cause(cause, -EIO,
				  _("Could not connect to the kernel's network configuration: %s."),
				  nl_geterror(err));
	}
	return 0;
}

static int read_all(struct nl_sock *sk, struct hcfg_netlive *l, char **cause)
{
	struct nl_cache *links = NULL, *addrs = NULL, *routes = NULL;
	struct hcfg_nic *nics = NULL;
	size_t nn = 0;
	int err, rc = 0;

	memset(l, 0, sizeof(*l));
	if ((err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links)) < 0 ||
	    (err = rtnl_addr_alloc_cache(sk, &addrs)) < 0 ||
	    (err = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes)) < 0) {
		rc = base_cause(cause, -EIO, _("Could not read the network configuration: %s."),
				nl_geterror(err));
		goto out;
	}
	/* The NIC facts (driver, speed) as the installer shows them. */
	if (hcfg_nic_list(&nics, &nn, NULL) < 0)
		nn = 0;
	for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *k = (struct rtnl_link *)o;
		struct nl_addr *mac = rtnl_link_get_addr(k);
		const char *kind = rtnl_link_get_type(k);
		struct hcfg_iface *i;
		unsigned flags = rtnl_link_get_flags(k);

		if (flags & IFF_LOOPBACK)
			continue;
		APPEND(l->ifs, l->n_ifs, oom);
		i = &l->ifs[l->n_ifs++];
		snprintf(i->name, sizeof(i->name), "%s", rtnl_link_get_name(k));
		snprintf(i->kind, sizeof(i->kind), "%s", kind ? kind : "");
		ifname_of(links, rtnl_link_get_master(k), i->master, sizeof(i->master));
		if (mac && nl_addr_get_len(mac) == 6) {
			const unsigned char *m = nl_addr_get_binary_addr(mac);

			snprintf(i->mac, sizeof(i->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
				 m[2], m[3], m[4], m[5]);
		}
		i->mtu = rtnl_link_get_mtu(k);
		i->up = flags & IFF_UP;
		i->carrier = flags & IFF_LOWER_UP;
		i->fd = -1;
		if (!strcmp(i->kind, "bridge"))
			bridge_sysfs(i);
		if (rtnl_link_is_vlan(k)) {
			i->vlan_id = (unsigned)rtnl_link_vlan_get_id(k);
			ifname_of(links, rtnl_link_get_link(k), i->parent, sizeof(i->parent));
		}
		for (size_t n = 0; n < nn; n++) {
			if (strcmp(nics[n].name, i->name))
				continue;
			i->nic = true;
			i->speed_mbps = nics[n].speed_mbps;
			snprintf(i->driver, sizeof(i->driver), "%s", nics[n].driver);
		}
	}
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		int fam = rtnl_addr_get_family(a);
		struct hcfg_ipaddr *ip;

		/*
		 * Link-local and host addresses come and go with the link; so do IPv6 addresses
		 * the kernel made from router advertisements (not permanent), privacy ones too.
		 */
		if (!local || (fam != AF_INET && fam != AF_INET6) ||
		    rtnl_addr_get_scope(a) >= RT_SCOPE_LINK ||
		    (rtnl_addr_get_flags(a) & IFA_F_TEMPORARY) ||
		    (fam == AF_INET6 && !(rtnl_addr_get_flags(a) & IFA_F_PERMANENT)))
			continue;
		APPEND(l->ips, l->n_ips, oom);
		ip = &l->ips[l->n_ips++];
		ifname_of(links, rtnl_addr_get_ifindex(a), ip->dev, sizeof(ip->dev));
		addr_text(local, rtnl_addr_get_prefixlen(a), ip->addr, sizeof(ip->addr));
	}
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct rtnl_nexthop *nh;
		struct nl_addr *dst = rtnl_route_get_dst(r), *gw;
		int fam = rtnl_route_get_family(r);
		struct hcfg_iproute *rt;

		/* The kernel's own routes (prefixes, router advertisements) follow the addresses. */
		if (rtnl_route_get_table(r) != RT_TABLE_MAIN || rtnl_route_get_type(r) != RTN_UNICAST ||
		    (fam != AF_INET && fam != AF_INET6) || rtnl_route_get_protocol(r) == RTPROT_KERNEL ||
		    rtnl_route_get_protocol(r) == RTPROT_RA || rtnl_route_get_nnexthops(r) != 1)
			continue;
		nh = rtnl_route_nexthop_n(r, 0);
		APPEND(l->routes, l->n_routes, oom);
		rt = &l->routes[l->n_routes++];
		rt->family = fam;
		ifname_of(links, rtnl_route_nh_get_ifindex(nh), rt->dev, sizeof(rt->dev));
		if (!dst || !nl_addr_get_prefixlen(dst))
			snprintf(rt->dst, sizeof(rt->dst), "default");
		else
			addr_text(dst, nl_addr_get_prefixlen(dst), rt->dst, sizeof(rt->dst));
		gw = rtnl_route_nh_get_gateway(nh);
		if (gw)
			inet_ntop(fam, nl_addr_get_binary_addr(gw), rt->gw, sizeof(rt->gw));
		rt->metric = rtnl_route_get_priority(r);
		rt->proto = rtnl_route_get_protocol(r);
	}
	goto out;
oom:
	rc = base_cause(cause, -ENOMEM, _("Out of memory."));
out:
	if (rc < 0)
		hcfg_netlive_clear(l);
	free(nics);
	nl_cache_free(links);
	nl_cache_free(addrs);
	nl_cache_free(routes);
	return rc;
}

int hcfg_netlive_read(struct hcfg_netlive *l, char **cause)
{
	struct nl_sock *sk;
	int rc = nl_open(&sk, cause);

	if (rc < 0)
		return rc;
	rc = read_all(sk, l, cause);
	nl_socket_free(sk);
	return rc;
}

/* ---- making it so ------------------------------------------------------------------- */

static bool named(char (*v)[IF_NAMESIZE], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

struct ctx {
	struct nl_sock *sk;
	const struct hcfg_netlive *want;
	struct hcfg_netlive have;
	char (*scope)[IF_NAMESIZE];
	size_t n_scope;
	char **cause;
};

static bool in_scope(struct ctx *c, const char *name)
{
	const struct hcfg_iface *w = hcfg_netlive_find(c->want, name);
	const struct hcfg_iface *h = hcfg_netlive_find(&c->have, name);

	return named(c->scope, c->n_scope, name) || (w && *w->master && named(c->scope, c->n_scope, w->master)) ||
	       (h && *h->master && named(c->scope, c->n_scope, h->master));
}

static int failed(struct ctx *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failed(struct ctx *c, int err, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	/* TRANSLATORS: what could not be done ("Could not create bridge br1"), then the kernel's reason. */
	base_cause(c->cause, -EIO, _("%s: %s."), what ? what : "", nl_geterror(err));
	free(what);
	return -EIO;
}

static int reread(struct ctx *c)
{
	hcfg_netlive_clear(&c->have);
	return read_all(c->sk, &c->have, c->cause);
}

static int ifindex(struct ctx *c, const char *name)
{
	struct rtnl_link *k = NULL;
	int idx = 0;

	if (rtnl_link_get_kernel(c->sk, 0, name, &k) == 0) {
		idx = rtnl_link_get_ifindex(k);
		rtnl_link_put(k);
	}
	return idx;
}

static int set_mac(struct rtnl_link *k, const char *mac)
{
	struct nl_addr *a = NULL;
	int err = nl_addr_parse(mac, AF_LLC, &a);

	if (err < 0)
		return err;
	rtnl_link_set_addr(k, a);
	nl_addr_put(a);
	return 0;
}

static int create(struct ctx *c, const struct hcfg_iface *w)
{
	struct rtnl_link *k = NULL;
	int err;

	if (!strcmp(w->kind, "bridge")) {
		k = rtnl_link_bridge_alloc();
	} else if (!strcmp(w->kind, "vlan")) {
		int parent = ifindex(c, w->parent);

		if (!parent)
			return base_cause(c->cause, -ENODEV,
					  _("Could not create %s: there is no interface %s."), w->name,
					  w->parent);
		k = rtnl_link_vlan_alloc();
		if (k) {
			rtnl_link_set_link(k, parent);
			rtnl_link_vlan_set_id(k, (uint16_t)w->vlan_id);
		}
	} else {
		/* A NIC or a guest's port cannot be made here: it comes back with its owner. */
		return 0;
	}
	if (!k)
		return base_cause(c->cause, -ENOMEM, _("Out of memory."));
	rtnl_link_set_name(k, w->name);
	if (*w->mac && !strcmp(w->kind, "bridge") && set_mac(k, w->mac) < 0) {
		rtnl_link_put(k);
		return base_cause(c->cause, -EINVAL, _("The MAC address %s is not valid."), w->mac);
	}
	err = rtnl_link_add(c->sk, k, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(k);
	return err < 0 ? failed(c, err, _("Could not create %s"), w->name) : 0;
}

static int delete_link(struct ctx *c, const char *name)
{
	struct rtnl_link *k = rtnl_link_alloc();
	int err;

	if (!k)
		return base_cause(c->cause, -ENOMEM, _("Out of memory."));
	rtnl_link_set_name(k, name);
	err = rtnl_link_delete(c->sk, k);
	rtnl_link_put(k);
	return err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND ?
	       failed(c, err, _("Could not delete %s"), name) : 0;
}

static int sysfs_write(struct ctx *c, const char *name, const char *attr, long v)
{
	char path[128], buf[32];
	int fd, len = snprintf(buf, sizeof(buf), "%ld\n", v);

	snprintf(path, sizeof(path), SYS_NET "/%s/bridge/%s", name, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)len) != len) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return base_cause(c->cause, -e, _("Could not set %s of bridge %s: %s."), attr, name,
				  strerror(e));
	}
	close(fd);
	return 0;
}

static int set_stp(struct ctx *c, const struct hcfg_iface *w, const struct hcfg_iface *h)
{
	int rc = 0;

	/* With STP on the kernel takes only delays of 2 to 30 s: the order matters. */
	if (h->stp && !w->stp)
		rc = sysfs_write(c, w->name, "stp_state", 0);
	if (rc == 0 && w->fd >= 0 && w->fd != h->fd)
		rc = sysfs_write(c, w->name, "forward_delay", (long)w->fd * 100);
	if (rc == 0 && w->stp && !h->stp)
		rc = sysfs_write(c, w->name, "stp_state", 1);
	return rc;
}

/* A netlink error (< 0) or 0. */
static int change(struct ctx *c, const char *name, void (*edit)(struct rtnl_link *, long), long v)
{
	struct rtnl_link *orig = NULL, *chg = rtnl_link_alloc();
	int err;

	if (!chg)
		return base_cause(c->cause, -ENOMEM, _("Out of memory."));
	err = rtnl_link_get_kernel(c->sk, 0, name, &orig);
	if (err == 0) {
		edit(chg, v);
		err = rtnl_link_change(c->sk, orig, chg, 0);
	}
	rtnl_link_put(chg);
	if (orig)
		rtnl_link_put(orig);
	return err;
}

static void edit_mtu(struct rtnl_link *k, long v) { rtnl_link_set_mtu(k, (unsigned)v); }
static void edit_master(struct rtnl_link *k, long v) { rtnl_link_set_master(k, (int)v); }
static void edit_up(struct rtnl_link *k, long v)
{
	if (v)
		rtnl_link_set_flags(k, IFF_UP);
	else
		rtnl_link_unset_flags(k, IFF_UP);
}

static int set_link(struct ctx *c, const struct hcfg_iface *w)
{
	const struct hcfg_iface *h = hcfg_netlive_find(&c->have, w->name);
	int rc = 0, err;

	if (!h)
		return 0;
	if (w->mtu && w->mtu != h->mtu && (err = change(c, w->name, edit_mtu, w->mtu)) < 0)
		return failed(c, err, _("Could not set the MTU of %s"), w->name);
	if (rc == 0 && strcmp(w->master, h->master)) {
		int m = *w->master ? ifindex(c, w->master) : 0;

		if (*w->master && !m)
			return base_cause(c->cause, -ENODEV, _("There is no bridge %s."), w->master);
		if ((err = change(c, w->name, edit_master, m)) < 0)
			return failed(c, err, _("Could not change the bridge of %s"), w->name);
	}
	if (rc == 0 && !strcmp(w->kind, "bridge"))
		rc = set_stp(c, w, h);
	if (rc == 0 && w->up != h->up && (err = change(c, w->name, edit_up, w->up)) < 0)
		return w->up ? failed(c, err, _("Could not bring %s up"), w->name) :
			       failed(c, err, _("Could not bring %s down"), w->name);
	return rc;
}

static bool has_ip(const struct hcfg_netlive *l, const struct hcfg_ipaddr *a)
{
	for (size_t i = 0; i < l->n_ips; i++)
		if (!strcmp(l->ips[i].dev, a->dev) && !strcmp(l->ips[i].addr, a->addr))
			return true;
	return false;
}

static int ip_op(struct ctx *c, const struct hcfg_ipaddr *a, bool add)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	int idx = ifindex(c, a->dev), err;

	if (!ra)
		return base_cause(c->cause, -ENOMEM, _("Out of memory."));
	err = nl_addr_parse(a->addr, AF_UNSPEC, &local);
	if (err == 0) {
		rtnl_addr_set_ifindex(ra, idx);
		rtnl_addr_set_family(ra, nl_addr_get_family(local));
		rtnl_addr_set_local(ra, local);
		rtnl_addr_set_prefixlen(ra, nl_addr_get_prefixlen(local));
		err = add ? rtnl_addr_add(c->sk, ra, 0) : rtnl_addr_delete(c->sk, ra, 0);
		if (add && err == -NLE_EXIST)
			err = 0;
	}
	nl_addr_put(local);
	rtnl_addr_put(ra);
	if (err < 0) {
		char *what = NULL;

		if (asprintf(&what, add ? _("Could not add the address %s to %s") :
				     _("Could not remove the address %s from %s"), a->addr, a->dev) < 0)
			what = NULL;
		base_cause(c->cause, -EIO, _("%s: %s."), what ? what : a->addr, nl_geterror(err));
		free(what);
		return -EIO;
	}
	return 0;
}

static bool same_route(const struct hcfg_iproute *a, const struct hcfg_iproute *b)
{
	return a->family == b->family && !strcmp(a->dev, b->dev) && !strcmp(a->dst, b->dst) &&
	       !strcmp(a->gw, b->gw) && a->metric == b->metric;
}

static bool has_route(const struct hcfg_netlive *l, const struct hcfg_iproute *r)
{
	for (size_t i = 0; i < l->n_routes; i++)
		if (same_route(&l->routes[i], r))
			return true;
	return false;
}

static int route_op(struct ctx *c, const struct hcfg_iproute *r, bool add)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *gw = NULL;
	int err;

	if (!rt || !nh) {
		if (rt)
			rtnl_route_put(rt);
		if (nh)
			rtnl_route_nh_free(nh);
		return base_cause(c->cause, -ENOMEM, _("Out of memory."));
	}
	err = nl_addr_parse(!strcmp(r->dst, "default") ? (r->family == AF_INET6 ? "::/0" : "0.0.0.0/0") :
			    r->dst, r->family, &dst);
	if (err == 0 && *r->gw)
		err = nl_addr_parse(r->gw, r->family, &gw);
	if (err == 0) {
		rtnl_route_set_family(rt, (uint8_t)r->family);
		rtnl_route_set_table(rt, RT_TABLE_MAIN);
		rtnl_route_set_type(rt, RTN_UNICAST);
		rtnl_route_set_dst(rt, dst);
		rtnl_route_set_priority(rt, r->metric);
		rtnl_route_set_protocol(rt, (uint8_t)(r->proto ? r->proto : RTPROT_BOOT));
		rtnl_route_set_scope(rt, *r->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
		rtnl_route_nh_set_ifindex(nh, ifindex(c, r->dev));
		if (gw)
			rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_add_nexthop(rt, nh);
		nh = NULL;
		err = add ? rtnl_route_add(c->sk, rt, NLM_F_CREATE) : rtnl_route_delete(c->sk, rt, 0);
		if ((add && err == -NLE_EXIST) || (!add && err == -NLE_OBJ_NOTFOUND))
			err = 0;
	}
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(rt);
	nl_addr_put(dst);
	nl_addr_put(gw);
	if (err < 0) {
		char *what = NULL;

		if (asprintf(&what, add ? _("Could not add the route to %s via %s") :
				     _("Could not remove the route to %s via %s"), r->dst,
			     *r->gw ? r->gw : r->dev) < 0)
			what = NULL;
		base_cause(c->cause, -EIO, _("%s: %s."), what ? what : r->dst, nl_geterror(err));
		free(what);
		return -EIO;
	}
	return 0;
}

int hcfg_netlive_apply(const struct hcfg_netlive *want, char (*scope)[IF_NAMESIZE], size_t n_scope,
		       char (*dels)[IF_NAMESIZE], size_t n_dels, char **cause)
{
	struct ctx c = { .want = want, .scope = scope, .n_scope = n_scope, .cause = cause };
	int rc = nl_open(&c.sk, cause);

	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < n_dels; i++)
		rc = delete_link(&c, dels[i]);
	if (rc == 0)
		rc = reread(&c);
	/* VLANs before bridges would not matter; parents must exist before their VLANs. */
	for (int pass = 0; rc == 0 && pass < 2; pass++)
		for (size_t i = 0; rc == 0 && i < want->n_ifs; i++) {
			const struct hcfg_iface *w = &want->ifs[i];

			if (!strcmp(w->kind, pass ? "vlan" : "bridge") &&
			    !hcfg_netlive_find(&c.have, w->name) && in_scope(&c, w->name))
				rc = create(&c, w);
		}
	if (rc == 0)
		rc = reread(&c);
	/* Ports before their bridges, so that a bridge's MTU fits its ports. */
	for (int pass = 0; rc == 0 && pass < 2; pass++)
		for (size_t i = 0; rc == 0 && i < want->n_ifs; i++) {
			const struct hcfg_iface *w = &want->ifs[i];

			if (!strcmp(w->kind, "bridge") == !pass || !in_scope(&c, w->name))
				continue;
			rc = set_link(&c, w);
		}
	if (rc == 0)
		rc = reread(&c);
	/*
	 * Old addresses go first: removing a primary IPv4 address takes the secondaries of its
	 * subnet with it (unless promote_secondaries is set), so a new one added before would be
	 * lost. Routes the removal flushes are put back below, from the state read again.
	 */
	for (size_t i = 0; rc == 0 && i < c.have.n_ips; i++)
		if (in_scope(&c, c.have.ips[i].dev) && !has_ip(want, &c.have.ips[i]))
			rc = ip_op(&c, &c.have.ips[i], false);
	if (rc == 0)
		rc = reread(&c);
	for (size_t i = 0; rc == 0 && i < want->n_ips; i++)
		if (in_scope(&c, want->ips[i].dev) && hcfg_netlive_find(&c.have, want->ips[i].dev) &&
		    !has_ip(&c.have, &want->ips[i]))
			rc = ip_op(&c, &want->ips[i], true);
	if (rc == 0)
		rc = reread(&c);
	for (size_t i = 0; rc == 0 && i < c.have.n_routes; i++)
		if (in_scope(&c, c.have.routes[i].dev) && !has_route(want, &c.have.routes[i]))
			rc = route_op(&c, &c.have.routes[i], false);
	for (size_t i = 0; rc == 0 && i < want->n_routes; i++)
		if (in_scope(&c, want->routes[i].dev) && hcfg_netlive_find(&c.have, want->routes[i].dev) &&
		    !has_route(&c.have, &want->routes[i]))
			rc = route_op(&c, &want->routes[i], true);
	hcfg_netlive_clear(&c.have);
	nl_socket_free(c.sk);
	return rc;
}
