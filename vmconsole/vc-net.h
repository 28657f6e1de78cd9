/* vmconsole: the host's bridges as the console shows and edits them (files, live state, guests' ports), shared by the Network screen and `ospite net`. */
#ifndef OSPITE_VC_NET_H
#define OSPITE_VC_NET_H

#include "vc.h"
#include "hostcfg/hcfg-net.h"

struct vc_net {
	struct hcfg_netconf conf;        /* the bridges of the interfaces file */
	struct hcfg_netlive live;
	struct hv_port *ports;           /* guests' cards, from libvirt (none without a connection) */
	size_t n_ports;
	bool pending;                    /* a change waits to be kept */
	struct hcfg_net_pending pend;
};

/* Read the files under @root, the live state, and the guests' ports when @conn is not NULL. */
int vc_net_load(struct vc_net *n, const char *root, struct hv_conn *conn, char **cause);
void vc_net_clear(struct vc_net *n);
/* The guest whose card interface @dev is, or NULL. */
const char *vc_net_guest(const struct vc_net *n, const char *dev);
/*
 * The network in lines at most @width columns wide (0: no limit): each bridge with its state,
 * addresses, gateway, STP, MTU and ports, then the NICs in no bridge and the VLANs. @keys[i] is
 * the bridge a line belongs to when it can be edited, else "". Returns the count; caller frees.
 */
size_t vc_net_rows(const struct vc_net *n, int width, char ***keys, char ***rows);
/* What a plan changes, in lines: files, guests cut off and for how long, the operator's address. */
size_t vc_net_preview(const struct vc_net *n, const struct hcfg_netplan *p, char ***lines);
/* The address this operator reached the host through (SSH), into @buf; NULL on a local console. */
const char *vc_net_own_address(char *buf, size_t len);
/* Who is at this console, for locks and the audit log: the logged-in user or the process's. */
void vc_net_who(const char *user, char *ubuf, size_t ulen, char *tty, size_t tlen);
/* The revert program: this very binary, "net revert --root ROOT". */
void vc_net_revert_argv(const char *root, const char *argv[6]);
/* The bridges that carry the operator's connection (see hcfg_net_mgmt()). */
size_t vc_net_mgmt(const struct vc_net *n, char (*out)[IF_NAMESIZE], size_t max);

#endif
