/* A change to the bridges: its plan (file diff, live state wanted, guests cut off), then apply with a snapshot that a detached process restores unless the change is kept. */
#include "hcfg.h"
#include "hcfg-net.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#define PENDING "pending.json"

static char *at_root(const char *root, const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s%s", strcmp(root, "/") ? root : "", rel) < 0)
		return NULL;
	return p;
}

/* The whole file, "" when missing; *@exists says which. */
static int read_opt(const char *path, char **text, bool *exists, char **cause)
{
	int rc = hcfg_read_file(path, text, NULL);

	*exists = rc == 0;
	if (rc == -ENOENT) {
		*text = strdup("");
		return *text ? 0 : base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	return rc < 0 ? base_cause(cause, rc, _("Could not read %s: %s."), path, strerror(-rc)) : 0;
}

/* ---- the plan --------------------------------------------------------------------------- */

void hcfg_net_plan_free(struct hcfg_netplan *p)
{
	if (!p)
		return;
	hcfg_netconf_clear(&p->old);
	hcfg_netconf_clear(&p->new_c);
	free(p->old_text);
	free(p->new_text);
	free(p->old_resolv);
	free(p->new_resolv);
	free(p->diff);
	hcfg_netlive_clear(&p->have);
	hcfg_netlive_clear(&p->want);
	free(p->scope);
	free(p->dels);
	free(p->outages);
	free(p);
}

static void add_name(char (**v)[IF_NAMESIZE], size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], name))
			return;
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	snprintf((*v)[(*n)++], IF_NAMESIZE, "%s", name);
}

static struct hcfg_iface *want_iface(struct hcfg_netlive *w, const char *name)
{
	struct hcfg_iface *f = hcfg_netlive_find(w, name);

	if (f)
		return f;
	w->ifs = realloc(w->ifs, (w->n_ifs + 1) * sizeof(*w->ifs));
	if (!w->ifs)
		abort();
	f = &w->ifs[w->n_ifs++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->fd = -1;
	return f;
}

static void drop_ips(struct hcfg_netlive *w, const char *dev, int family)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_ips; i++) {
		bool v6 = strchr(w->ips[i].addr, ':') != NULL;

		if (!strcmp(w->ips[i].dev, dev) &&
		    (!family || (family == AF_INET6) == v6))
			continue;
		w->ips[k++] = w->ips[i];
	}
	w->n_ips = k;
}

static void drop_routes(struct hcfg_netlive *w, const char *dev, bool only_default, int family)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_routes; i++) {
		const struct hcfg_iproute *r = &w->routes[i];

		if (!strcmp(r->dev, dev) && (!only_default || !strcmp(r->dst, "default")) &&
		    (!family || r->family == family))
			continue;
		w->routes[k++] = *r;
	}
	w->n_routes = k;
}

static void add_ip(struct hcfg_netlive *w, const char *dev, const char *cidr)
{
	unsigned char a[16];
	unsigned p;
	int f;
	char ip[INET6_ADDRSTRLEN];

	if (!hcfg_cidr_parse(cidr, &f, a, &p))
		return;
	w->ips = realloc(w->ips, (w->n_ips + 1) * sizeof(*w->ips));
	if (!w->ips)
		abort();
	/* The kernel's spelling, so that the wanted state compares equal to what is read back. */
	inet_ntop(f, a, ip, sizeof(ip));
	snprintf(w->ips[w->n_ips].dev, IF_NAMESIZE, "%s", dev);
	snprintf(w->ips[w->n_ips++].addr, HCFG_NET_ADDR_LEN, "%s/%u", ip, p);
}

static void add_default(struct hcfg_netlive *w, const char *dev, int family, const char *gw)
{
	unsigned char a[16];
	struct hcfg_iproute *r;

	if (inet_pton(family, gw, a) != 1)
		return;
	w->routes = realloc(w->routes, (w->n_routes + 1) * sizeof(*w->routes));
	if (!w->routes)
		abort();
	r = &w->routes[w->n_routes++];
	memset(r, 0, sizeof(*r));
	snprintf(r->dev, sizeof(r->dev), "%s", dev);
	r->family = family;
	snprintf(r->dst, sizeof(r->dst), "default");
	inet_ntop(family, a, r->gw, sizeof(r->gw));
	/* What ifupdown's "ip route add default via" gets: metric 0 for IPv4, 1024 for IPv6. */
	r->metric = family == AF_INET6 ? 1024 : 0;
	r->proto = 3;   /* RTPROT_BOOT */
}

static bool vlan_parts(const char *port, char *parent, size_t len, unsigned *id)
{
	const char *dot = strrchr(port, '.');
	char *end;
	unsigned long v;

	if (!dot || dot == port || !dot[1])
		return false;
	v = strtoul(dot + 1, &end, 10);
	if (*end || v < 1 || v > 4094)
		return false;
	snprintf(parent, len, "%.*s", (int)(dot - port), port);
	*id = (unsigned)v;
	return true;
}

static void add_outage(struct hcfg_netplan *p, const char *port, const char *bridge, int s)
{
	for (size_t i = 0; i < p->n_outages; i++)
		if (!strcmp(p->outages[i].port, port)) {
			/* The longest cut wins; -1 (until fixed) is the longest. */
			if (p->outages[i].seconds >= 0 && (s < 0 || s > p->outages[i].seconds))
				p->outages[i].seconds = s;
			return;
		}
	p->outages = realloc(p->outages, (p->n_outages + 1) * sizeof(*p->outages));
	if (!p->outages)
		abort();
	snprintf(p->outages[p->n_outages].port, IF_NAMESIZE, "%s", port);
	snprintf(p->outages[p->n_outages].bridge, IF_NAMESIZE, "%s", bridge);
	p->outages[p->n_outages++].seconds = s;
}

static bool hw_port_set_equal(const struct hcfg_bridge *a, const struct hcfg_bridge *b)
{
	if (a->n_ports != b->n_ports)
		return false;
	for (size_t i = 0; i < a->n_ports; i++)
		if (strcmp(a->ports[i], b->ports[i]))
			return false;
	return true;
}

/* Guests' ports in bridge @name: how long they lose the network. */
static void guest_outages(struct hcfg_netplan *p, const char *name, int seconds)
{
	for (size_t i = 0; i < p->have.n_ifs; i++) {
		const struct hcfg_iface *f = &p->have.ifs[i];

		if (!strcmp(f->master, name) && hcfg_iface_is_guest(f))
			add_outage(p, f->name, name, seconds);
	}
}

static void plan_deleted(struct hcfg_netplan *p, const struct hcfg_bridge *was)
{
	struct hcfg_netlive *w = &p->want;

	add_name(&p->scope, &p->n_scope, was->name);
	if (!hcfg_netlive_find(&p->have, was->name))
		return;
	add_name(&p->dels, &p->n_dels, was->name);
	guest_outages(p, was->name, -1);
	for (size_t i = 0; i < w->n_ifs; i++)
		if (!strcmp(w->ifs[i].master, was->name))
			w->ifs[i].master[0] = '\0';
	drop_ips(w, was->name, 0);
	drop_routes(w, was->name, false, 0);
	for (size_t i = 0; i < w->n_ifs; i++)
		if (!strcmp(w->ifs[i].name, was->name)) {
			memmove(&w->ifs[i], &w->ifs[i + 1], (w->n_ifs - i - 1) * sizeof(*w->ifs));
			w->n_ifs--;
			break;
		}
}

static void plan_bridge(struct hcfg_netplan *p, const struct hcfg_bridge *b, const struct hcfg_bridge *was)
{
	struct hcfg_netlive *w = &p->want;
	const struct hcfg_iface *h = hcfg_netlive_find(&p->have, b->name);
	struct hcfg_iface *f = want_iface(w, b->name);
	int delay = b->stp ? (b->fd >= 0 ? b->fd : 15) * 2 : 0;

	add_name(&p->scope, &p->n_scope, b->name);
	snprintf(f->kind, sizeof(f->kind), "bridge");
	f->up = true;
	f->stp = b->stp;
	f->fd = b->fd;
	if (b->mtu)
		f->mtu = b->mtu;
	if (b->stp)
		p->stp = true;
	for (size_t i = 0; i < b->n_ports; i++) {
		struct hcfg_iface *port = hcfg_netlive_find(w, b->ports[i]);
		char parent[IF_NAMESIZE];
		unsigned id;

		if (!port && vlan_parts(b->ports[i], parent, sizeof(parent), &id)) {
			struct hcfg_iface *par = hcfg_netlive_find(w, parent);

			if (par && !par->up) {
				par->up = true;
				add_name(&p->scope, &p->n_scope, parent);
			}
			port = want_iface(w, b->ports[i]);
			snprintf(port->kind, sizeof(port->kind), "vlan");
			snprintf(port->parent, sizeof(port->parent), "%s", parent);
			port->vlan_id = id;
		}
		if (!port)
			continue;
		snprintf(port->master, sizeof(port->master), "%s", b->name);
		port->up = true;
		if (b->mtu)
			port->mtu = b->mtu;
	}
	/* NICs that left the bridge; guests' ports stay in it. */
	for (size_t i = 0; i < w->n_ifs; i++) {
		struct hcfg_iface *port = &w->ifs[i];
		bool listed = false;

		if (strcmp(port->master, b->name) || hcfg_iface_is_guest(port))
			continue;
		for (size_t k = 0; k < b->n_ports; k++)
			if (!strcmp(b->ports[k], port->name))
				listed = true;
		if (!listed)
			port->master[0] = '\0';
	}
	drop_ips(w, b->name, b->mode == HCFG_BR_DHCP ? AF_INET6 : 0);
	for (size_t i = 0; i < b->n_addrs; i++)
		if (b->mode == HCFG_BR_STATIC || strchr(b->addrs[i], ':'))
			add_ip(w, b->name, b->addrs[i]);
	/* A DHCP client keeps the IPv4 address and default route it got. */
	drop_routes(w, b->name, true, b->mode == HCFG_BR_DHCP ? AF_INET6 : 0);
	if (b->mode == HCFG_BR_STATIC && *b->gateway)
		add_default(w, b->name, AF_INET, b->gateway);
	if (*b->gateway6)
		add_default(w, b->name, AF_INET6, b->gateway6);
	if (!h || !was)
		return;
	/* What the guests already in the bridge notice. */
	if (!hw_port_set_equal(was, b)) {
		bool any = false;

		for (size_t i = 0; i < b->n_ports; i++) {
			const struct hcfg_iface *port = hcfg_netlive_find(&p->have, b->ports[i]);

			if (!port || !hcfg_iface_is_guest(port))
				any = true;
		}
		guest_outages(p, b->name, any ? delay : -1);
	}
	if (b->stp && (!h->stp || was->fd != b->fd))
		guest_outages(p, b->name, delay);
	if (b->mtu && b->mtu != h->mtu)
		guest_outages(p, b->name, 0);
}

static bool dns_changed(const struct hcfg_bridge *a, const struct hcfg_bridge *b)
{
	if (!a || a->n_dns != b->n_dns)
		return true;
	for (size_t i = 0; i < a->n_dns; i++)
		if (strcmp(a->dns[i], b->dns[i]))
			return true;
	return false;
}

int hcfg_net_plan(const char *root, const struct hcfg_netconf *want, const char *own,
		  struct hcfg_netplan **out, char **cause)
{
	struct hcfg_netplan *p = calloc(1, sizeof(*p));
	char *ipath = at_root(root, HCFG_NET_IFACES), *rpath = at_root(root, HCFG_NET_RESOLV);
	struct stat st;
	bool exists;
	int rc;

	*out = NULL;
	if (!p || !ipath || !rpath) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto fail;
	}
	rc = read_opt(ipath, &p->old_text, &exists, cause);
	if (rc == 0 && lstat(rpath, &st) == 0 && S_ISREG(st.st_mode))
		rc = read_opt(rpath, &p->old_resolv, &exists, cause);
	if (rc == 0)
		rc = hcfg_netconf_parse(p->old_text, p->old_resolv, &p->old, cause);
	if (rc == 0 && hcfg_netconf_copy(&p->new_c, want) < 0)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	if (rc == 0)
		rc = hcfg_netlive_read(&p->have, cause);
	if (rc == 0 && hcfg_netlive_copy(&p->want, &p->have) < 0)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	if (rc < 0)
		goto fail;
	p->new_text = hcfg_netconf_render(p->old_text, &p->old, want);
	if (!p->new_text) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto fail;
	}
	for (size_t i = 0; i < p->old.n; i++)
		if (!hcfg_netconf_find(want, p->old.br[i].name))
			plan_deleted(p, &p->old.br[i]);
	for (size_t i = 0; i < want->n; i++) {
		const struct hcfg_bridge *b = &want->br[i], *was = hcfg_netconf_find(&p->old, b->name);

		if (was && hcfg_bridge_equal(was, b))
			continue;
		plan_bridge(p, b, was);
		/* The installer writes the name servers into resolv.conf: they follow the edit. */
		if (p->old_resolv && !p->new_resolv && b->mode == HCFG_BR_STATIC && b->n_dns &&
		    dns_changed(was, b))
			p->new_resolv = hcfg_resolv_render(p->old_resolv, (char (*)[HCFG_NET_ADDR_LEN])b->dns,
							   b->n_dns);
	}
	{
		struct base_buf d = { 0 };
		char *d1 = hcfg_text_diff(p->old_text, p->new_text);

		if (d1 && *d1)
			base_buf_printf(&d, "--- %s\n%s", HCFG_NET_IFACES, d1);
		free(d1);
		if (p->new_resolv && strcmp(p->new_resolv, p->old_resolv)) {
			d1 = hcfg_text_diff(p->old_resolv, p->new_resolv);
			if (d1 && *d1)
				base_buf_printf(&d, "--- %s\n%s", HCFG_NET_RESOLV, d1);
			free(d1);
		}
		p->diff = d.s ? d.s : strdup("");
	}
	if (own && *own) {
		size_t len = strlen(own);

		for (size_t i = 0; i < p->have.n_ips; i++) {
			const struct hcfg_ipaddr *a = &p->have.ips[i];
			bool kept = false;

			if (strncmp(a->addr, own, len) || a->addr[len] != '/')
				continue;
			for (size_t k = 0; k < p->want.n_ips; k++)
				if (!strcmp(p->want.ips[k].dev, a->dev) && !strcmp(p->want.ips[k].addr, a->addr))
					kept = true;
			if (!kept)
				p->own_changes = true;
		}
	}
	free(ipath);
	free(rpath);
	*out = p;
	return 0;
fail:
	free(ipath);
	free(rpath);
	hcfg_net_plan_free(p);
	return rc;
}

/* ---- the snapshot and its lock ---------------------------------------------------------- */

struct state {
	int dirfd, lockfd;
	char *dir;
};

static void state_close(struct state *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);   /* releases the flock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
}

/* Open (making it) the state folder and hold its lock: apply, keep and revert take turns. */
static int state_open(const char *root, struct state *s, char **cause)
{
	int rc;

	s->dirfd = s->lockfd = -1;
	s->dir = at_root(root, HCFG_NET_STATE_DIR);
	if (!s->dir)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = hcfg_mkdirs(s->dir, cause);
	if (rc < 0)
		return rc;
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd >= 0)
		s->lockfd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lockfd < 0 || flock(s->lockfd, LOCK_EX) < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), s->dir, strerror(errno));
	return 0;
}

static json_object *pending_load(struct state *s)
{
	char *path = NULL, *text = NULL;
	json_object *o = NULL;

	if (asprintf(&path, "%s/" PENDING, s->dir) < 0)
		return NULL;
	if (hcfg_read_file(path, &text, NULL) == 0)
		o = json_tokener_parse(text);
	free(path);
	free(text);
	return o;
}

static void pending_info(json_object *o, struct hcfg_net_pending *p)
{
	json_object *v;

	memset(p, 0, sizeof(*p));
	if (json_object_object_get_ex(o, "id", &v))
		snprintf(p->id, sizeof(p->id), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "deadline", &v))
		p->deadline = (time_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "timeout", &v))
		p->timeout = (unsigned)json_object_get_int(v);
	if (json_object_object_get_ex(o, "user", &v))
		snprintf(p->user, sizeof(p->user), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "tty", &v))
		snprintf(p->tty, sizeof(p->tty), "%s", json_object_get_string(v));
}

static int pending_remove(struct state *s, char **cause)
{
	if (unlinkat(s->dirfd, PENDING, 0) < 0 && errno != ENOENT)
		return base_cause(cause, -errno, _("Could not remove the snapshot in %s: %s."), s->dir,
				  strerror(errno));
	fsync(s->dirfd);
	return 0;
}

int hcfg_net_pending(const char *root, struct hcfg_net_pending *p)
{
	char *path = at_root(root, HCFG_NET_STATE_DIR "/" PENDING), *text = NULL;
	json_object *o = NULL;
	int rc = -ENOENT;

	/* Read without the lock: the file is replaced whole, never written in place. */
	if (path && hcfg_read_file(path, &text, NULL) == 0 && (o = json_tokener_parse(text))) {
		pending_info(o, p);
		rc = 0;
	}
	json_object_put(o);
	free(text);
	free(path);
	return rc;
}

static json_object *file_entry(const char *rel, const char *text, bool existed, unsigned mode)
{
	json_object *f = json_object_new_object();

	json_object_object_add(f, "path", json_object_new_string(rel));
	json_object_object_add(f, "existed", json_object_new_boolean(existed));
	json_object_object_add(f, "mode", json_object_new_int((int)mode));
	json_object_object_add(f, "content", json_object_new_string(text ? text : ""));
	return f;
}

static unsigned file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
}

/* Put the snapshot's files back as they were, byte for byte (or remove those that were not there). */
static int restore_files(const char *root, json_object *snap, char **cause)
{
	json_object *files, *f, *v;

	if (!json_object_object_get_ex(snap, "files", &files))
		return 0;
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		char *path;
		int rc = 0;
		bool existed;

		f = json_object_array_get_idx(files, i);
		if (!json_object_object_get_ex(f, "path", &v) || *json_object_get_string(v) != '/')
			continue;
		path = at_root(root, json_object_get_string(v));
		if (!path)
			return base_cause(cause, -ENOMEM, _("Out of memory."));
		existed = json_object_object_get_ex(f, "existed", &v) && json_object_get_boolean(v);
		if (existed) {
			json_object *c = NULL, *m = NULL;

			json_object_object_get_ex(f, "content", &c);
			json_object_object_get_ex(f, "mode", &m);
			rc = hcfg_write_file(path, c ? json_object_get_string(c) : "",
					     m ? (unsigned)json_object_get_int(m) : 0644, cause);
		} else if (unlink(path) < 0 && errno != ENOENT) {
			rc = base_cause(cause, -errno, _("Could not remove %s: %s."), path, strerror(errno));
		}
		free(path);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static size_t names_of(json_object *snap, const char *key, char (**v)[IF_NAMESIZE])
{
	json_object *a;
	size_t n = 0;

	*v = NULL;
	if (!json_object_object_get_ex(snap, key, &a) || !json_object_is_type(a, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		add_name(v, &n, json_object_get_string(json_object_array_get_idx(a, i)));
	return n;
}

static int restore_live(json_object *snap, char **cause)
{
	json_object *live;
	struct hcfg_netlive want;
	char (*scope)[IF_NAMESIZE] = NULL, (*dels)[IF_NAMESIZE] = NULL;
	size_t ns, nd;
	int rc;

	if (!json_object_object_get_ex(snap, "live", &live) || hcfg_netlive_from_json(live, &want) < 0)
		return base_cause(cause, -EINVAL, "%s", _("The snapshot of the network state cannot be read."));
	ns = names_of(snap, "scope", &scope);
	nd = names_of(snap, "created", &dels);
	rc = hcfg_netlive_apply(&want, scope, ns, dels, nd, cause);
	hcfg_netlive_clear(&want);
	free(scope);
	free(dels);
	return rc;
}

/* With the lock held: files, then (unless @files_only) the live state; the snapshot goes last. */
static int revert_locked(const char *root, struct state *s, json_object *snap, bool files_only,
			 char **cause)
{
	int rc = restore_files(root, snap, cause);
	bool files_back = rc == 0;

	if (rc == 0 && !files_only)
		rc = restore_live(snap, cause);
	/* Once the files are back a reboot restores the rest: the snapshot has done its work. */
	if (files_back) {
		int r2 = pending_remove(s, rc < 0 ? NULL : cause);

		if (rc == 0)
			rc = r2;
	}
	return rc;
}

static void random_id(char out[33])
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(r, &ts, sizeof(r) < sizeof(ts) ? sizeof(r) : sizeof(ts));
		r[15] ^= (unsigned char)getpid();
	}
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static int arm(const char *const *argv, const char *id, time_t deadline, char **cause)
{
	size_t n = 0;
	const char **v;
	char at[32];
	int rc;

	while (argv[n])
		n++;
	v = calloc(n + 5, sizeof(*v));
	if (!v)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	memcpy(v, argv, n * sizeof(*v));
	snprintf(at, sizeof(at), "%lld", (long long)deadline);
	v[n] = "--at";
	v[n + 1] = at;
	v[n + 2] = "--id";
	v[n + 3] = id;
	rc = base_spawn_detached(v, NULL, cause);
	free(v);
	return rc;
}

/*
 * A bridge that now gets its address from DHCP needs the client ifupdown would start, with
 * ifupdown's own pid and lease files so that ifdown finds it. Only on the host itself (root "/"):
 * a scratch root has no DHCP server to ask. Without dhclient the address comes at the next boot.
 */
static void dhcp_start(const struct hcfg_netplan *plan)
{
	char *dhclient = base_which("dhclient");

	for (size_t i = 0; dhclient && i < plan->new_c.n; i++) {
		const struct hcfg_bridge *b = &plan->new_c.br[i], *was = hcfg_netconf_find(&plan->old, b->name);
		char pid[64], leases[96];

		if (b->mode != HCFG_BR_DHCP || (was && was->mode == HCFG_BR_DHCP &&
						hcfg_netlive_find(&plan->have, b->name)))
			continue;
		snprintf(pid, sizeof(pid), "/run/dhclient.%s.pid", b->name);
		snprintf(leases, sizeof(leases), "/var/lib/dhcp/dhclient.%s.leases", b->name);
		/* -nw: into the background at once; the revert does not wait for a lease either. */
		base_run((const char *const[]){ dhclient, "-4", "-nw", "-pf", pid, "-lf", leases, b->name,
						NULL }, -1, NULL);
	}
	free(dhclient);
}

int hcfg_net_apply(const char *root, const struct hcfg_netplan *plan, unsigned timeout_s,
		   const char *user, const char *tty, const char *const *revert_argv,
		   struct hcfg_net_pending *out, char **cause)
{
	struct state s = { -1, -1, NULL };
	json_object *snap = NULL, *files, *old = NULL, *names;
	char *ipath = at_root(root, HCFG_NET_IFACES), *rpath = at_root(root, HCFG_NET_RESOLV);
	char *now_text = NULL, *now_resolv = NULL, *text, *spath = NULL;
	bool iexists = false, rexists = false;
	struct hcfg_net_pending p;
	int rc;

	if (!ipath || !rpath) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	rc = state_open(root, &s, cause);
	if (rc < 0)
		goto out;
	old = pending_load(&s);
	if (old) {
		pending_info(old, &p);
		/* Its reverter is gone (killed, or the clock jumped): revert it now, then look again. */
		if (time(NULL) > p.deadline + 5) {
			rc = revert_locked(root, &s, old, false, cause);
			if (rc == 0)
				rc = base_cause(cause, -ESTALE, "%s",
						_("An earlier change to the network that was never kept has just been reverted: look at the network again."));
			goto out;
		}
		rc = base_cause(cause, -EBUSY,
				_("A change to the network made by %s on %s is still waiting to be kept or reverted."),
				*p.user ? p.user : "?", *p.tty ? p.tty : "?");
		goto out;
	}
	/* The files must still be what the plan was made from, or another edit would be lost. */
	rc = read_opt(ipath, &now_text, &iexists, cause);
	if (rc == 0 && plan->old_resolv)
		rc = read_opt(rpath, &now_resolv, &rexists, cause);
	if (rc < 0)
		goto out;
	if (strcmp(now_text, plan->old_text) ||
	    (plan->old_resolv && strcmp(now_resolv, plan->old_resolv))) {
		rc = base_cause(cause, -ESTALE, "%s",
				_("The network configuration changed since it was read: look at it again before applying."));
		goto out;
	}
	memset(&p, 0, sizeof(p));
	random_id(p.id);
	p.timeout = timeout_s;
	p.deadline = time(NULL) + timeout_s;
	snprintf(p.user, sizeof(p.user), "%s", user ? user : "");
	snprintf(p.tty, sizeof(p.tty), "%s", tty ? tty : "");

	snap = json_object_new_object();
	json_object_object_add(snap, "id", json_object_new_string(p.id));
	json_object_object_add(snap, "deadline", json_object_new_int64(p.deadline));
	json_object_object_add(snap, "timeout", json_object_new_int((int)p.timeout));
	json_object_object_add(snap, "user", json_object_new_string(p.user));
	json_object_object_add(snap, "tty", json_object_new_string(p.tty));
	files = json_object_new_array();
	json_object_array_add(files, file_entry(HCFG_NET_IFACES, plan->old_text, iexists,
						iexists ? file_mode(ipath) : 0644));
	if (plan->new_resolv)
		json_object_array_add(files, file_entry(HCFG_NET_RESOLV, plan->old_resolv, rexists,
							rexists ? file_mode(rpath) : 0644));
	json_object_object_add(snap, "files", files);
	json_object_object_add(snap, "live", hcfg_netlive_json(&plan->have));
	names = json_object_new_array();
	for (size_t i = 0; i < plan->n_scope; i++)
		json_object_array_add(names, json_object_new_string(plan->scope[i]));
	json_object_object_add(snap, "scope", names);
	/* Links the change makes are removed again by a revert. */
	names = json_object_new_array();
	for (size_t i = 0; i < plan->want.n_ifs; i++)
		if (!hcfg_netlive_find(&plan->have, plan->want.ifs[i].name))
			json_object_array_add(names, json_object_new_string(plan->want.ifs[i].name));
	json_object_object_add(snap, "created", names);
	text = (char *)json_object_to_json_string_ext(snap, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&spath, "%s/" PENDING, s.dir) < 0) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	/* The snapshot is on disk before anything changes: a reboot from here on restores it. */
	rc = hcfg_write_file(spath, text, 0600, cause);
	if (rc < 0)
		goto out;
	/* Armed before anything changes: from here on, killing this process cannot stop the revert. */
	rc = arm(revert_argv, p.id, p.deadline, cause);
	if (rc < 0) {
		pending_remove(&s, NULL);
		goto out;
	}
	rc = hcfg_write_file(ipath, plan->new_text, iexists ? file_mode(ipath) : 0644, cause);
	if (rc == 0 && plan->new_resolv)
		rc = hcfg_write_file(rpath, plan->new_resolv, rexists ? file_mode(rpath) : 0644, cause);
	if (rc == 0)
		rc = hcfg_netlive_apply(&plan->want, plan->scope, plan->n_scope, plan->dels, plan->n_dels,
					cause);
	if (rc == 0 && !strcmp(root, "/"))
		dhcp_start(plan);
	if (rc < 0) {
		char *c2 = NULL;

		/* Nothing of a change that failed half-way stays: back to the snapshot now. */
		if (revert_locked(root, &s, snap, false, &c2) < 0 && cause && c2) {
			char *both = NULL;

			if (asprintf(&both, _("%s Restoring the previous settings failed too: %s"),
				     *cause ? *cause : "", c2) >= 0) {
				free(*cause);
				*cause = both;
			}
		}
		free(c2);
		goto out;
	}
	if (out)
		*out = p;
out:
	json_object_put(snap);
	json_object_put(old);
	state_close(&s);
	free(ipath);
	free(rpath);
	free(now_text);
	free(now_resolv);
	free(spath);
	return rc;
}

/* Lock the state folder and load the pending change @id (NULL: any): 0, or -ENOENT saying @missing. */
static int pending_take(const char *root, const char *id, struct state *s, json_object **snap,
			struct hcfg_net_pending *p, const char *missing, char **cause)
{
	int rc = state_open(root, s, cause);

	memset(p, 0, sizeof(*p));
	*snap = NULL;
	if (rc < 0)
		return rc;
	*snap = pending_load(s);
	if (*snap)
		pending_info(*snap, p);
	if (!*snap || (id && strcmp(id, p->id)))
		return base_cause(cause, -ENOENT, "%s", missing);
	return 0;
}

int hcfg_net_confirm(const char *root, const char *id, struct hcfg_net_pending *kept, char **cause)
{
	struct state s = { -1, -1, NULL };
	json_object *snap;
	struct hcfg_net_pending p;
	int rc = pending_take(root, id, &s, &snap, &p,
			      _("No change to the network is waiting to be kept: it was kept or reverted already."),
			      cause);

	if (rc == 0 && time(NULL) > p.deadline)
		rc = base_cause(cause, -ETIME, "%s",
				_("Too late: the time to keep the change is over, and it is being reverted."));
	if (rc == 0)
		rc = pending_remove(&s, cause);
	if (rc == 0 && kept)
		*kept = p;
	json_object_put(snap);
	state_close(&s);
	return rc;
}

int hcfg_net_revert(const char *root, const char *id, bool files_only,
		    struct hcfg_net_pending *reverted, char **cause)
{
	struct state s = { -1, -1, NULL };
	json_object *snap;
	struct hcfg_net_pending p;
	int rc = pending_take(root, id, &s, &snap, &p,
			      _("No change to the network is waiting to be reverted: it was kept or reverted already."),
			      cause);

	if (rc == 0)
		rc = revert_locked(root, &s, snap, files_only, cause);
	/* Said even when it failed: the caller names the change in its message. */
	if (reverted)
		*reverted = p;
	json_object_put(snap);
	state_close(&s);
	return rc;
}

int hcfg_net_revert_at(const char *root, const char *id, time_t deadline,
		       struct hcfg_net_pending *reverted, char **cause)
{
	struct hcfg_net_pending p;
	int rc;

	for (;;) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };

		/* Kept (or reverted by hand) meanwhile: nothing left to do. */
		if (hcfg_net_pending(root, &p) < 0 || strcmp(p.id, id))
			return 0;
		if (time(NULL) >= deadline)
			break;
		nanosleep(&ts, NULL);
	}
	rc = hcfg_net_revert(root, id, false, reverted, cause);
	return rc == -ENOENT ? 0 : rc < 0 ? rc : 1;
}
