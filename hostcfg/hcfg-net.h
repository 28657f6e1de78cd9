/* hostcfg: the host's bridges, as configured (ifupdown's interfaces file) and as live, and changes to them that revert unless kept. */
#ifndef OSPITE_HCFG_NET_H
#define OSPITE_HCFG_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <net/if.h>

/*
 * Conventions as in hcfg.h: 0 or a negative errno, and a translated sentence in *@cause.
 * @root is the configuration root ("/" on a host, a scratch tree in tests): files are read and
 * written under it, the snapshot of a pending change lives in ROOT/var/lib/ospite/net. Live
 * changes happen in the network namespace of the calling process.
 */

#define HCFG_NET_IFACES "/etc/network/interfaces"
#define HCFG_NET_RESOLV "/etc/resolv.conf"
#define HCFG_NET_STATE_DIR "/var/lib/ospite/net"
#define HCFG_NET_TIMEOUT_DEFAULT 60
#define HCFG_NET_TIMEOUT_STP 90

#define HCFG_NET_MAX_PORTS 32
#define HCFG_NET_MAX_ADDRS 8
#define HCFG_NET_MAX_DNS 4
/* Long enough for what an operator typed wrong (a 20-character name, a bad CIDR), so checks can name it. */
#define HCFG_NET_NAME_LEN 64
#define HCFG_NET_ADDR_LEN 64

/* ---- the configuration (hcfg-netfile.c) --------------------------------------- */

enum hcfg_br_mode {
	HCFG_BR_MANUAL = 0,   /* no IPv4 address of its own */
	HCFG_BR_DHCP,
	HCFG_BR_STATIC,
};

/* One bridge as ifupdown brings it up. Strings are as given: hcfg_net_check() says what is wrong. */
struct hcfg_bridge {
	char name[HCFG_NET_NAME_LEN];
	char ports[HCFG_NET_MAX_PORTS][HCFG_NET_NAME_LEN];  /* NICs and VLAN sub-interfaces ("eno1.20") */
	size_t n_ports;
	enum hcfg_br_mode mode;
	char addrs[HCFG_NET_MAX_ADDRS][HCFG_NET_ADDR_LEN];   /* static "192.0.2.10/24", "2001:db8::10/64" */
	size_t n_addrs;
	char gateway[HCFG_NET_ADDR_LEN];    /* IPv4, "" for none */
	char gateway6[HCFG_NET_ADDR_LEN];   /* IPv6, "" for none */
	char dns[HCFG_NET_MAX_DNS][HCFG_NET_ADDR_LEN];
	size_t n_dns;
	bool stp;
	int fd;                /* forward delay in seconds; -1: the kernel's (15 s) */
	unsigned mtu;          /* 0: not set */
};

struct hcfg_netconf {
	struct hcfg_bridge *br;
	size_t n;
};

/* Read the bridges of ROOT/etc/network/interfaces (a missing file has none). */
int hcfg_netconf_read(const char *root, struct hcfg_netconf *c, char **cause);
/* The same from the text of an interfaces file (and of resolv.conf, may be NULL, for DNS). */
int hcfg_netconf_parse(const char *text, const char *resolv, struct hcfg_netconf *c, char **cause);
void hcfg_netconf_clear(struct hcfg_netconf *c);
int hcfg_netconf_copy(struct hcfg_netconf *dst, const struct hcfg_netconf *src);
struct hcfg_bridge *hcfg_netconf_find(const struct hcfg_netconf *c, const char *name);
/* Append a bridge (a copy of @b); NULL when out of memory. */
struct hcfg_bridge *hcfg_netconf_add(struct hcfg_netconf *c, const struct hcfg_bridge *b);
void hcfg_netconf_remove(struct hcfg_netconf *c, const char *name);
void hcfg_bridge_init(struct hcfg_bridge *b, const char *name);
bool hcfg_bridge_equal(const struct hcfg_bridge *a, const struct hcfg_bridge *b);

/*
 * The interfaces file @text edited so that its bridges are @c: stanzas of bridges that changed
 * are rewritten where they stood (options ospite does not manage are kept), new bridges are
 * appended, deleted ones removed; everything else stays byte for byte. Caller frees.
 */
char *hcfg_netconf_render(const char *text, const struct hcfg_netconf *old,
			  const struct hcfg_netconf *c);
/* resolv.conf @text with its nameserver lines replaced by @dns (n may be 0); caller frees. */
char *hcfg_resolv_render(const char *text, char (*dns)[HCFG_NET_ADDR_LEN], size_t n);

/* The lines that differ between two texts, as a unified diff with one line of context. */
char *hcfg_text_diff(const char *old, const char *new_text);

/* Split "a b,c" into @out (at most @max words of @len bytes); returns how many, or -E2BIG. */
int hcfg_net_split(const char *s, char *out, size_t max, size_t len);

/* ---- live state (hcfg-netlive.c) -------------------------------------------------- */

struct hcfg_iface {
	char name[IF_NAMESIZE];
	char kind[16];            /* rtnl kind: "bridge", "vlan", "veth", "tun"; "" for hardware */
	char master[IF_NAMESIZE]; /* the bridge it is a port of, "" for none */
	char mac[18];
	unsigned mtu;
	bool up, carrier;
	bool stp;                 /* bridges */
	int fd;                   /* bridges: forward delay in seconds */
	char parent[IF_NAMESIZE]; /* VLANs */
	unsigned vlan_id;
	unsigned speed_mbps;      /* 0 when unknown */
	char driver[32];
	bool nic;                 /* Ethernet hardware (or a veth standing for it) */
};

struct hcfg_ipaddr {
	char dev[IF_NAMESIZE];
	char addr[HCFG_NET_ADDR_LEN];   /* "192.0.2.10/24" */
};

struct hcfg_iproute {
	char dev[IF_NAMESIZE];
	int family;                 /* AF_INET, AF_INET6 */
	char dst[HCFG_NET_ADDR_LEN]; /* "default" or "198.51.100.0/24" */
	char gw[HCFG_NET_ADDR_LEN];  /* "" for a direct route */
	unsigned metric;
	unsigned proto;
};

/* Links, addresses (not link-local, not temporary) and routes of the main table that are not the kernel's own. */
struct hcfg_netlive {
	struct hcfg_iface *ifs;
	size_t n_ifs;
	struct hcfg_ipaddr *ips;
	size_t n_ips;
	struct hcfg_iproute *routes;
	size_t n_routes;
};

int hcfg_netlive_read(struct hcfg_netlive *l, char **cause);
void hcfg_netlive_clear(struct hcfg_netlive *l);
int hcfg_netlive_copy(struct hcfg_netlive *dst, const struct hcfg_netlive *src);
struct hcfg_iface *hcfg_netlive_find(const struct hcfg_netlive *l, const char *name);
/* Interfaces that stand for guests' ports: tun/tap, Xen vifs. */
bool hcfg_iface_is_guest(const struct hcfg_iface *i);

/*
 * Make the live state of the links named in @scope (and of every link whose master, now or in
 * @want, is one of them) equal to @want: create bridges and VLANs missing, delete the links in
 * @dels, set masters, MTU, STP, up, addresses and routes. What is not in scope is not touched.
 */
int hcfg_netlive_apply(const struct hcfg_netlive *want, char (*scope)[IF_NAMESIZE], size_t n_scope,
		       char (*dels)[IF_NAMESIZE], size_t n_dels, char **cause);

/* ---- checks (hcfg-netcheck.c) ------------------------------------------------------ */

struct hcfg_net_issue {
	bool warning;          /* may go on after the operator saw it */
	char *msg;
};

/*
 * Check @new_c (what the operator wants) against @old (the file now) and @live: names (15
 * characters, [A-Za-z0-9_.-], not used by another interface), ports (exist or are VLANs of a NIC
 * that does, in one bridge only, not a bridge), CIDRs, gateways inside a subnet, DNS, MTU, forward
 * delay. @mgmt names the bridges carrying the address the console is reached through: losing
 * their last port is a warning. Returns how many errors (not warnings).
 */
int hcfg_net_check(const struct hcfg_netconf *old, const struct hcfg_netconf *new_c,
		   const struct hcfg_netlive *live, char (*mgmt)[IF_NAMESIZE], size_t n_mgmt,
		   struct hcfg_net_issue **issues, size_t *n);
void hcfg_net_issues_free(struct hcfg_net_issue *v, size_t n);
/*
 * The bridges that carry the address the console is reached through: @own (the SSH server
 * address, or NULL on a local console, where it is the bridges with a default route).
 */
size_t hcfg_net_mgmt(const struct hcfg_netlive *live, const char *own, char (*out)[IF_NAMESIZE],
		     size_t max);
/* Parse "A/P" (IPv4 or IPv6); false when it does not. */
bool hcfg_cidr_parse(const char *s, int *family, unsigned char addr[16], unsigned *prefix);

/* ---- JSON (hcfg-netjson.c, json-c) ------------------------------------------------- */

struct json_object;
/* One bridge as `ospite net show --json` prints it, and a whole file of them read back. */
struct json_object *hcfg_bridge_json(const struct hcfg_bridge *b);
int hcfg_netconf_from_json(const char *text, struct hcfg_netconf *c, char **cause);
struct json_object *hcfg_netlive_json(const struct hcfg_netlive *l);
int hcfg_netlive_from_json(struct json_object *o, struct hcfg_netlive *l);

/* ---- a change: plan, apply, keep or revert (hcfg-netchange.c) ------------------------ */

/* A guest port that loses connectivity, and for how long (0: a moment; -1: until fixed). */
struct hcfg_net_outage {
	char port[IF_NAMESIZE];
	char bridge[IF_NAMESIZE];
	int seconds;
};

struct hcfg_netplan {
	struct hcfg_netconf old, new_c;
	char *old_text, *new_text;        /* the interfaces file */
	char *old_resolv, *new_resolv;    /* NULL when resolv.conf is not changed */
	char *diff;
	struct hcfg_netlive have, want;
	char (*scope)[IF_NAMESIZE];
	size_t n_scope;
	char (*dels)[IF_NAMESIZE];
	size_t n_dels;
	struct hcfg_net_outage *outages;
	size_t n_outages;
	bool own_changes;                 /* the address @own given to the plan goes or moves */
	bool stp;                         /* a changed bridge forwards only after STP's delay */
};

/* Work out the change from the files and live state now to @want. @own: the operator's address, or NULL. */
int hcfg_net_plan(const char *root, const struct hcfg_netconf *want, const char *own,
		  struct hcfg_netplan **plan, char **cause);
void hcfg_net_plan_free(struct hcfg_netplan *p);

struct hcfg_net_pending {
	char id[33];
	time_t deadline;
	unsigned timeout;
	char user[64];
	char tty[32];
};

/*
 * Snapshot the files and the live state, write the files, make the change live, then arm the
 * revert: @revert_argv (a program and its arguments) is started detached from this process
 * (its own session, no terminal) with "--at SECONDS --id ID" appended, and must call
 * hcfg_net_revert_at(). -EBUSY when another change is pending. A failure after the snapshot
 * restores it before returning.
 */
int hcfg_net_apply(const char *root, const struct hcfg_netplan *plan, unsigned timeout_s,
		   const char *user, const char *tty, const char *const *revert_argv,
		   struct hcfg_net_pending *out, char **cause);
/* The pending change, or -ENOENT when there is none. */
int hcfg_net_pending(const char *root, struct hcfg_net_pending *p);
/* Keep the pending change: the snapshot goes. -ENOENT: nothing pending (already reverted). */
int hcfg_net_confirm(const char *root, const char *id, struct hcfg_net_pending *kept, char **cause);
/*
 * Restore the snapshot: files, and unless @files_only (boot, before networking starts) the live
 * state, guests' ports back in their bridges. @id: only that change (NULL: whatever is pending).
 */
int hcfg_net_revert(const char *root, const char *id, bool files_only,
		    struct hcfg_net_pending *reverted, char **cause);
/*
 * The detached reverter: wait until @deadline unless change @id is kept meanwhile, then
 * revert it. 1 when it reverted, 0 when it was kept or reverted by someone else.
 */
int hcfg_net_revert_at(const char *root, const char *id, time_t deadline,
		       struct hcfg_net_pending *reverted, char **cause);

#endif
