/* The bridges of ifupdown's interfaces file: read them, and rewrite only the stanzas of the bridges that change. */
#include "hcfg.h"
#include "hcfg-net.h"
#include "base/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ------------------------------------------------------------------- */

void hcfg_bridge_init(struct hcfg_bridge *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name ? name : "");
	b->fd = 0;
}

bool hcfg_bridge_equal(const struct hcfg_bridge *a, const struct hcfg_bridge *b)
{
	if (strcmp(a->name, b->name) || a->n_ports != b->n_ports || a->mode != b->mode ||
	    a->n_addrs != b->n_addrs || a->n_dns != b->n_dns || a->stp != b->stp ||
	    a->fd != b->fd || a->mtu != b->mtu || strcmp(a->gateway, b->gateway) ||
	    strcmp(a->gateway6, b->gateway6))
		return false;
	for (size_t i = 0; i < a->n_ports; i++)
		if (strcmp(a->ports[i], b->ports[i]))
			return false;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (strcmp(a->addrs[i], b->addrs[i]))
			return false;
	for (size_t i = 0; i < a->n_dns; i++)
		if (strcmp(a->dns[i], b->dns[i]))
			return false;
	return true;
}

void hcfg_netconf_clear(struct hcfg_netconf *c)
{
	free(c->br);
	c->br = NULL;
	c->n = 0;
}

struct hcfg_bridge *hcfg_netconf_find(const struct hcfg_netconf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->br[i].name, name))
			return &c->br[i];
	return NULL;
}

struct hcfg_bridge *hcfg_netconf_add(struct hcfg_netconf *c, const struct hcfg_bridge *b)
{
	struct hcfg_bridge *nb = realloc(c->br, (c->n + 1) * sizeof(*nb));

	if (!nb)
		return NULL;
	c->br = nb;
	nb[c->n] = *b;
	return &nb[c->n++];
}

void hcfg_netconf_remove(struct hcfg_netconf *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->br[i].name, name))
			continue;
		memmove(&c->br[i], &c->br[i + 1], (c->n - i - 1) * sizeof(*c->br));
		c->n--;
		return;
	}
}

int hcfg_netconf_copy(struct hcfg_netconf *dst, const struct hcfg_netconf *src)
{
	dst->br = NULL;
	dst->n = 0;
	if (!src->n)
		return 0;
	dst->br = malloc(src->n * sizeof(*dst->br));
	if (!dst->br)
		return -ENOMEM;
	memcpy(dst->br, src->br, src->n * sizeof(*dst->br));
	dst->n = src->n;
	return 0;
}

int hcfg_net_split(const char *s, char *out, size_t max, size_t len)
{
	size_t n = 0;

	while (s && *s) {
		size_t w;

		s += strspn(s, " \t,\n");
		w = strcspn(s, " \t,\n");
		if (!w)
			break;
		if (n == max)
			return -E2BIG;
		snprintf(out + n * len, len, "%.*s", (int)w, s);
		n++;
		s += w;
	}
	return (int)n;
}

/* ---- lines and stanzas -------------------------------------------------------------- */

enum line_kind { L_OTHER, L_BLANK, L_COMMENT, L_AUTO, L_HEAD, L_OPTION };

struct line {
	const char *s;            /* into the text */
	size_t len;               /* with its newline */
	enum line_kind kind;
	int stanza;               /* L_HEAD, L_OPTION: index into stanzas; else -1 */
};

struct stanza {
	char name[HCFG_NET_NAME_LEN];
	bool inet6;
	char method[16];
};

struct parsed {
	struct line *lines;
	size_t n;
	struct stanza *st;
	size_t nst;
};

static bool is_stanza_word(const char *w, size_t n)
{
	static const char *const words[] = { "iface", "mapping", "auto", "source",
					     "source-directory", "rename", "no-auto-down",
					     "no-scripts" };

	if (n > 6 && !strncmp(w, "allow-", 6))
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && !strncmp(w, words[i], n))
			return true;
	return false;
}

/* The @k-th blank-separated word of the line (0-based) into @out; false when there is none. */
static bool word(const char *s, size_t len, int k, char *out, size_t olen)
{
	size_t i = 0;

	for (int w = 0;; w++) {
		size_t start, n;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len || s[i] == '\n' || s[i] == '\r')
			return false;
		start = i;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
		n = i - start;
		if (w == k) {
			snprintf(out, olen, "%.*s", (int)n, s + start);
			return true;
		}
	}
}

/* Everything after the first word, trimmed. */
static void rest(const char *s, size_t len, char *out, size_t olen)
{
	size_t i = 0, end;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	while (i < len && !isspace((unsigned char)s[i]))
		i++;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	end = len;
	while (end > i && isspace((unsigned char)s[end - 1]))
		end--;
	snprintf(out, olen, "%.*s", (int)(end - i), s + i);
}

static void parsed_free(struct parsed *p)
{
	free(p->lines);
	free(p->st);
}

static int parse_lines(const char *text, struct parsed *p)
{
	const char *s = text ? text : "";
	int cur = -1;
	size_t cap = 0, scap = 0;

	memset(p, 0, sizeof(*p));
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
		struct line l = { s, len, L_OTHER, -1 };
		char w0[32] = "";
		size_t lead = strspn(s, " \t");

		if (lead >= len || s[lead] == '\n' || s[lead] == '\r') {
			l.kind = L_BLANK;
		} else if (s[lead] == '#') {
			l.kind = L_COMMENT;
		} else {
			size_t wl = strcspn(s + lead, " \t\r\n");

			snprintf(w0, sizeof(w0), "%.*s", (int)(wl < 31 ? wl : 31), s + lead);
			if (is_stanza_word(s + lead, wl)) {
				cur = -1;
				if (!strcmp(w0, "auto") || !strncmp(w0, "allow-", 6)) {
					l.kind = L_AUTO;
				} else if (!strcmp(w0, "iface")) {
					struct stanza st;
					char fam[16] = "";

					memset(&st, 0, sizeof(st));
					word(s, len, 1, st.name, sizeof(st.name));
					word(s, len, 2, fam, sizeof(fam));
					word(s, len, 3, st.method, sizeof(st.method));
					st.inet6 = !strcmp(fam, "inet6");
					if (p->nst == scap) {
						struct stanza *ns;

						scap = scap ? scap * 2 : 16;
						ns = realloc(p->st, scap * sizeof(*ns));
						if (!ns)
							return -ENOMEM;
						p->st = ns;
					}
					p->st[p->nst] = st;
					cur = (int)p->nst++;
					l.kind = L_HEAD;
					l.stanza = cur;
				}
			} else if (cur >= 0) {
				l.kind = L_OPTION;
				l.stanza = cur;
			}
		}
		if (p->n == cap) {
			struct line *nl2;

			cap = cap ? cap * 2 : 64;
			nl2 = realloc(p->lines, cap * sizeof(*nl2));
			if (!nl2)
				return -ENOMEM;
			p->lines = nl2;
		}
		p->lines[p->n++] = l;
		s += len;
	}
	return 0;
}

/* "255.255.255.0" or "24" as a prefix length; -1 when neither. */
static int netmask_prefix(const char *m)
{
	unsigned a, b, c, d, bits = 0;
	char extra;
	unsigned long v;
	char *end;

	if (sscanf(m, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4) {
		unsigned long mask;

		if (a > 255 || b > 255 || c > 255 || d > 255)
			return -1;
		mask = ((unsigned long)a << 24) | (b << 16) | (c << 8) | d;
		while (mask & 0x80000000UL) {
			bits++;
			mask = (mask << 1) & 0xffffffffUL;
		}
		return mask ? -1 : (int)bits;
	}
	v = strtoul(m, &end, 10);
	return *m && !*end && v <= 128 ? (int)v : -1;
}

static bool opt_is(const char *key, const char *a)
{
	/* ifupdown accepts bridge-ports and bridge_ports alike. */
	for (; *key && *a; key++, a++)
		if (!(*key == *a || ((*key == '-' || *key == '_') && (*a == '-' || *a == '_'))))
			return false;
	return !*key && !*a;
}

/* Options ospite writes itself; every other option of a bridge's stanza is kept as it was. */
static bool managed_option(const char *key)
{
	static const char *const keys[] = { "address", "netmask", "gateway", "dns-nameservers",
					     "mtu", "bridge_ports", "bridge_stp", "bridge_fd" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (opt_is(key, keys[i]))
			return true;
	return false;
}

static void add_addr(struct hcfg_bridge *b, const char *addr, const char *mask)
{
	if (b->n_addrs >= HCFG_NET_MAX_ADDRS || !*addr)
		return;
	if (!strchr(addr, '/') && mask && *mask) {
		int p = netmask_prefix(mask);

		if (p >= 0) {
			snprintf(b->addrs[b->n_addrs++], HCFG_NET_ADDR_LEN, "%s/%d", addr, p);
			return;
		}
	}
	snprintf(b->addrs[b->n_addrs++], HCFG_NET_ADDR_LEN, "%s", addr);
}

static void resolv_dns(const char *resolv, struct hcfg_bridge *b)
{
	const char *s = resolv;

	while (s && *s && b->n_dns < HCFG_NET_MAX_DNS) {
		size_t len = strcspn(s, "\n");
		char w[HCFG_NET_ADDR_LEN];

		if (word(s, len, 0, w, sizeof(w)) && !strcmp(w, "nameserver") &&
		    word(s, len, 1, w, sizeof(w)))
			snprintf(b->dns[b->n_dns++], HCFG_NET_ADDR_LEN, "%s", w);
		s += len + (s[len] == '\n');
	}
}

int hcfg_netconf_parse(const char *text, const char *resolv, struct hcfg_netconf *c,
		       char **cause)
{
	struct parsed p;
	int rc = parse_lines(text, &p);

	c->br = NULL;
	c->n = 0;
	if (rc < 0) {
		parsed_free(&p);
		return base_cause(cause, rc, _("Out of memory."));
	}
	/* A bridge is any interface one of whose stanzas names its ports. */
	for (size_t k = 0; k < p.nst; k++) {
		bool bridge = false;

		if (hcfg_netconf_find(c, p.st[k].name))
			continue;
		for (size_t i = 0; i < p.n; i++) {
			char key[32];

			if (p.lines[i].kind != L_OPTION ||
			    strcmp(p.st[p.lines[i].stanza].name, p.st[k].name))
				continue;
			if (word(p.lines[i].s, p.lines[i].len, 0, key, sizeof(key)) &&
			    opt_is(key, "bridge_ports"))
				bridge = true;
		}
		if (bridge) {
			struct hcfg_bridge b;

			hcfg_bridge_init(&b, p.st[k].name);
			b.fd = -1;
			if (!hcfg_netconf_add(c, &b)) {
				parsed_free(&p);
				hcfg_netconf_clear(c);
				return base_cause(cause, -ENOMEM, _("Out of memory."));
			}
		}
	}
	for (size_t k = 0; k < c->n; k++) {
		struct hcfg_bridge *b = &c->br[k];

		for (size_t s = 0; s < p.nst; s++) {
			char addr[HCFG_NET_ADDR_LEN] = "", mask[32] = "";

			if (strcmp(p.st[s].name, b->name))
				continue;
			if (!p.st[s].inet6)
				b->mode = !strcmp(p.st[s].method, "static") ? HCFG_BR_STATIC :
					  !strcmp(p.st[s].method, "dhcp") ? HCFG_BR_DHCP :
					  HCFG_BR_MANUAL;
			for (size_t i = 0; i < p.n; i++) {
				const struct line *l = &p.lines[i];
				char key[32], val[512];

				if (l->kind != L_OPTION || l->stanza != (int)s ||
				    !word(l->s, l->len, 0, key, sizeof(key)))
					continue;
				rest(l->s, l->len, val, sizeof(val));
				if (opt_is(key, "address")) {
					if (*addr)
						add_addr(b, addr, mask);
					snprintf(addr, sizeof(addr), "%s", val);
				} else if (opt_is(key, "netmask")) {
					snprintf(mask, sizeof(mask), "%s", val);
				} else if (opt_is(key, "gateway")) {
					snprintf(p.st[s].inet6 ? b->gateway6 : b->gateway,
						 HCFG_NET_ADDR_LEN, "%s", val);
				} else if (opt_is(key, "dns-nameservers")) {
					int n = hcfg_net_split(val, b->dns[b->n_dns],
							       HCFG_NET_MAX_DNS - b->n_dns,
							       HCFG_NET_ADDR_LEN);
					if (n > 0)
						b->n_dns += (size_t)n;
				} else if (opt_is(key, "mtu")) {
					b->mtu = (unsigned)strtoul(val, NULL, 10);
				} else if (opt_is(key, "bridge_ports")) {
					int n = strcmp(val, "none") ?
						hcfg_net_split(val, b->ports[0], HCFG_NET_MAX_PORTS,
							       HCFG_NET_NAME_LEN) : 0;
					b->n_ports = n > 0 ? (size_t)n : 0;
				} else if (opt_is(key, "bridge_stp")) {
					b->stp = !strcmp(val, "on") || !strcmp(val, "yes");
				} else if (opt_is(key, "bridge_fd")) {
					b->fd = (int)strtol(val, NULL, 10);
				}
			}
			/* A static stanza's address with its netmask on the line after it. */
			if (*addr)
				add_addr(b, addr, mask);
		}
		if (!b->n_dns && *b->gateway && b->mode == HCFG_BR_STATIC)
			resolv_dns(resolv, b);
	}
	parsed_free(&p);
	return 0;
}

int hcfg_netconf_read(const char *root, struct hcfg_netconf *c, char **cause)
{
	char *path = NULL, *rpath = NULL, *text = NULL, *resolv = NULL;
	int rc;

	if (asprintf(&path, "%s%s", strcmp(root, "/") ? root : "", HCFG_NET_IFACES) < 0 ||
	    asprintf(&rpath, "%s%s", strcmp(root, "/") ? root : "", HCFG_NET_RESOLV) < 0) {
		free(path);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	rc = hcfg_read_file(path, &text, cause);
	if (rc == -ENOENT) {
		if (cause) {
			free(*cause);
			*cause = NULL;
		}
		rc = 0;
	}
	if (rc == 0) {
		if (hcfg_read_file(rpath, &resolv, NULL) < 0)
			resolv = NULL;
		rc = hcfg_netconf_parse(text, resolv, c, cause);
	}
	free(path);
	free(rpath);
	free(text);
	free(resolv);
	return rc;
}

/* ---- writing ----------------------------------------------------------------------- */

static bool is_v6(const char *addr)
{
	return strchr(addr, ':') != NULL;
}

static bool has_stanza(const struct parsed *p, const char *name)
{
	for (size_t i = 0; i < p->nst; i++)
		if (!strcmp(p->st[i].name, name))
			return true;
	return false;
}

static bool is_vlan_name(const char *port, char *parent, size_t len)
{
	const char *dot = strrchr(port, '.');
	char *end;
	unsigned long id;

	if (!dot || dot == port)
		return false;
	id = strtoul(dot + 1, &end, 10);
	if (!dot[1] || *end || id < 1 || id > 4094)
		return false;
	snprintf(parent, len, "%.*s", (int)(dot - port), port);
	return true;
}

/* Stanzas for ports that have none, so ifupdown knows them: VLANs come up before the bridge. */
static void put_ports(struct base_buf *o, const struct parsed *p, const struct hcfg_bridge *b)
{
	for (size_t i = 0; i < b->n_ports; i++) {
		char parent[HCFG_NET_NAME_LEN];

		if (has_stanza(p, b->ports[i]))
			continue;
		if (is_vlan_name(b->ports[i], parent, sizeof(parent)))
			base_buf_printf(o, "auto %s\niface %s inet manual\n\tvlan-raw-device %s\n\n",
					b->ports[i], b->ports[i], parent);
		else
			base_buf_printf(o, "iface %s inet manual\n\n", b->ports[i]);
	}
}

/* The kept (unmanaged) option lines of @name's stanzas of one family. */
static void put_kept(struct base_buf *o, const struct parsed *p, const char *name, bool inet6)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct line *l = &p->lines[i];
		char key[32];

		if (l->kind != L_OPTION || strcmp(p->st[l->stanza].name, name) ||
		    p->st[l->stanza].inet6 != inet6 || !word(l->s, l->len, 0, key, sizeof(key)) ||
		    managed_option(key))
			continue;
		base_buf_add(o, l->s, l->len);
		if (l->s[l->len - 1] != '\n')
			base_buf_str(o, "\n");
	}
}

static bool kept_any(const struct parsed *p, const char *name, bool inet6)
{
	struct base_buf o = { 0 };
	bool any;

	put_kept(&o, p, name, inet6);
	any = o.len > 0;
	free(o.s);
	return any;
}

static bool has_option(const struct parsed *p, const char *name, const char *opt)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct line *l = &p->lines[i];
		char key[32];

		if (l->kind == L_OPTION && !strcmp(p->st[l->stanza].name, name) &&
		    word(l->s, l->len, 0, key, sizeof(key)) && opt_is(key, opt))
			return true;
	}
	return false;
}

static bool same_dns(const struct hcfg_bridge *a, const struct hcfg_bridge *b)
{
	if (a->n_dns != b->n_dns)
		return false;
	for (size_t i = 0; i < a->n_dns; i++)
		if (strcmp(a->dns[i], b->dns[i]))
			return false;
	return true;
}

/* @was: the bridge as the file had it (NULL for a new one). */
static void put_bridge(struct base_buf *o, const struct parsed *p, const struct hcfg_bridge *b,
		       const struct hcfg_bridge *was)
{
	bool fresh = !was;
	static const char *const methods[] = { "manual", "dhcp", "static" };
	bool v6 = false;

	base_buf_printf(o, "iface %s inet %s\n", b->name, methods[b->mode]);
	for (size_t i = 0; i < b->n_addrs; i++) {
		if (is_v6(b->addrs[i]))
			v6 = true;
		else if (b->mode == HCFG_BR_STATIC)
			base_buf_printf(o, "\taddress %s\n", b->addrs[i]);
	}
	if (b->mode == HCFG_BR_STATIC && *b->gateway)
		base_buf_printf(o, "\tgateway %s\n", b->gateway);
	/* Name servers the installer put only into resolv.conf stay there until they are changed. */
	if (b->n_dns && b->mode == HCFG_BR_STATIC &&
	    (fresh || !same_dns(was, b) || has_option(p, b->name, "dns-nameservers"))) {
		base_buf_str(o, "\tdns-nameservers");
		for (size_t i = 0; i < b->n_dns; i++)
			base_buf_printf(o, " %s", b->dns[i]);
		base_buf_str(o, "\n");
	}
	if (b->mtu)
		base_buf_printf(o, "\tmtu %u\n", b->mtu);
	base_buf_str(o, "\tbridge_ports");
	if (!b->n_ports)
		base_buf_str(o, " none");
	for (size_t i = 0; i < b->n_ports; i++)
		base_buf_printf(o, " %s", b->ports[i]);
	base_buf_printf(o, "\n\tbridge_stp %s\n", b->stp ? "on" : "off");
	if (b->fd >= 0)
		base_buf_printf(o, "\tbridge_fd %d\n", b->fd);
	if (fresh)
		base_buf_str(o, "\tbridge_maxwait 0\n");
	else
		put_kept(o, p, b->name, false);
	if (v6 || (!fresh && kept_any(p, b->name, true))) {
		base_buf_printf(o, "iface %s inet6 %s\n", b->name, v6 ? "static" : "manual");
		for (size_t i = 0; i < b->n_addrs; i++)
			if (is_v6(b->addrs[i]))
				base_buf_printf(o, "\taddress %s\n", b->addrs[i]);
		if (*b->gateway6)
			base_buf_printf(o, "\tgateway %s\n", b->gateway6);
		if (!fresh)
			put_kept(o, p, b->name, true);
	}
}

/* An auto line without the deleted bridges' names; NULL when none is left. */
static void put_auto(struct base_buf *o, const struct line *l, const struct hcfg_netconf *old,
		     const struct hcfg_netconf *c)
{
	char w[HCFG_NET_NAME_LEN], first[32];
	struct base_buf nb = { 0 };
	bool dropped = false;
	int kept = 0;

	word(l->s, l->len, 0, first, sizeof(first));
	for (int k = 1; word(l->s, l->len, k, w, sizeof(w)); k++) {
		if (hcfg_netconf_find(old, w) && !hcfg_netconf_find(c, w)) {
			dropped = true;
			continue;
		}
		base_buf_printf(&nb, " %s", w);
		kept++;
	}
	if (!dropped)
		base_buf_add(o, l->s, l->len);
	else if (kept)
		base_buf_printf(o, "%s%s\n", first, nb.s);
	free(nb.s);
}

char *hcfg_netconf_render(const char *text, const struct hcfg_netconf *old,
			  const struct hcfg_netconf *c)
{
	struct parsed p;
	struct base_buf o = { 0 };
	bool *done = NULL;

	if (parse_lines(text, &p) < 0) {
		parsed_free(&p);
		return NULL;
	}
	done = calloc(c->n ? c->n : 1, sizeof(*done));
	if (!done) {
		parsed_free(&p);
		return NULL;
	}
	for (size_t i = 0; i < p.n; i++) {
		const struct line *l = &p.lines[i];
		const char *name = l->stanza >= 0 ? p.st[l->stanza].name : NULL;
		const struct hcfg_bridge *was = name ? hcfg_netconf_find(old, name) : NULL;
		const struct hcfg_bridge *now = name ? hcfg_netconf_find(c, name) : NULL;

		if (l->kind == L_AUTO) {
			put_auto(&o, l, old, c);
			continue;
		}
		if (!name || (!was && !now) || (was && now && hcfg_bridge_equal(was, now))) {
			base_buf_add(&o, l->s, l->len);
			continue;
		}
		/* A stanza of a bridge that changes or goes: its first head stands for all of them. */
		if (l->kind == L_HEAD && now && !done[now - c->br]) {
			done[now - c->br] = true;
			put_ports(&o, &p, now);
			put_bridge(&o, &p, now, was);
		} else if (l->kind == L_HEAD && !now && o.len >= 2 && o.s[o.len - 1] == '\n' &&
			   o.s[o.len - 2] == '\n') {
			/* The blank line that separated a deleted bridge goes with it. */
			o.len--;
			o.s[o.len] = '\0';
		}
	}
	for (size_t k = 0; k < c->n; k++) {
		const struct hcfg_bridge *b = &c->br[k];

		if (done[k] || has_stanza(&p, b->name))
			continue;
		if (o.len && o.s[o.len - 1] != '\n')
			base_buf_str(&o, "\n");
		base_buf_str(&o, "\n");
		put_ports(&o, &p, b);
		base_buf_printf(&o, "auto %s\n", b->name);
		put_bridge(&o, &p, b, NULL);
	}
	/* A bridge that had only an auto line and stanzas with nothing else: nothing more to do. */
	free(done);
	parsed_free(&p);
	if (o.oom) {
		free(o.s);
		return NULL;
	}
	return o.s ? o.s : strdup("");
}

char *hcfg_resolv_render(const char *text, char (*dns)[HCFG_NET_ADDR_LEN], size_t n)
{
	struct base_buf o = { 0 };
	const char *s = text ? text : "";
	bool put = false;

	while (*s) {
		size_t len = strcspn(s, "\n");
		char w[32];

		if (word(s, len, 0, w, sizeof(w)) && !strcmp(w, "nameserver")) {
			/* The new servers take the place of the first old one. */
			if (!put)
				for (size_t i = 0; i < n; i++)
					base_buf_printf(&o, "nameserver %s\n", dns[i]);
			put = true;
		} else {
			base_buf_add(&o, s, len);
			base_buf_str(&o, "\n");
		}
		s += len + (s[len] == '\n');
	}
	if (!put)
		for (size_t i = 0; i < n; i++)
			base_buf_printf(&o, "nameserver %s\n", dns[i]);
	if (o.oom) {
		free(o.s);
		return NULL;
	}
	return o.s ? o.s : strdup("");
}

/* ---- diff ---------------------------------------------------------------------------- */

static size_t split_lines(const char *t, const char ***v, size_t **lens)
{
	size_t n = 0, cap = 0;

	*v = NULL;
	*lens = NULL;
	while (t && *t) {
		size_t len = strcspn(t, "\n");

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*v = realloc(*v, cap * sizeof(**v));
			*lens = realloc(*lens, cap * sizeof(**lens));
			if (!*v || !*lens)
				abort();
		}
		(*v)[n] = t;
		(*lens)[n++] = len;
		t += len + (t[len] == '\n');
	}
	return n;
}

char *hcfg_text_diff(const char *old, const char *new_text)
{
	const char **a, **b;
	size_t *al, *bl, na = split_lines(old, &a, &al), nb = split_lines(new_text, &b, &bl);
	unsigned *lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs));
	struct base_buf o = { 0 };
	/* Every line's mark: ' ', '-' or '+', in output order. */
	char *mark = malloc(na + nb + 1);
	const char **text = malloc((na + nb + 1) * sizeof(*text));
	size_t *tl = malloc((na + nb + 1) * sizeof(*tl)), m = 0, i = 0, j = 0;

	if (!lcs || !mark || !text || !tl)
		abort();
#define LCS(x, y) lcs[(x) * (nb + 1) + (y)]
	for (size_t x = na; x-- > 0;)
		for (size_t y = nb; y-- > 0;)
			LCS(x, y) = al[x] == bl[y] && !memcmp(a[x], b[y], al[x]) ?
				    LCS(x + 1, y + 1) + 1 :
				    LCS(x + 1, y) > LCS(x, y + 1) ? LCS(x + 1, y) : LCS(x, y + 1);
	while (i < na || j < nb) {
		if (i < na && j < nb && al[i] == bl[j] && !memcmp(a[i], b[j], al[i])) {
			mark[m] = ' ';
			text[m] = a[i];
			tl[m++] = al[i];
			i++;
			j++;
		} else if (i < na && (j == nb || LCS(i + 1, j) >= LCS(i, j + 1))) {
			/* Removed lines before added ones, as diff -u shows them. */
			mark[m] = '-';
			text[m] = a[i];
			tl[m++] = al[i++];
		} else {
			mark[m] = '+';
			text[m] = b[j];
			tl[m++] = bl[j++];
		}
	}
#undef LCS
	/* Changed lines, each with one line of context around it; "..." where lines are left out. */
	for (size_t k = 0, last = SIZE_MAX; k < m; k++) {
		bool near = mark[k] != ' ' || (k > 0 && mark[k - 1] != ' ') ||
			    (k + 1 < m && mark[k + 1] != ' ');

		if (!near)
			continue;
		if (last != SIZE_MAX && last + 1 != k)
			base_buf_str(&o, "...\n");
		base_buf_printf(&o, "%c%.*s\n", mark[k], (int)tl[k], text[k]);
		last = k;
	}
	free(lcs);
	free(mark);
	free(text);
	free(tl);
	free(a);
	free(b);
	free(al);
	free(bl);
	if (o.oom) {
		free(o.s);
		return NULL;
	}
	return o.s ? o.s : strdup("");
}
