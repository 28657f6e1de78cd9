/* Internals shared by the files of hv/: the connection, libvirt errors and XML helpers. */
#ifndef OSPITE_HV_INT_H
#define OSPITE_HV_INT_H

#include "hv.h"

#include <libvirt/libvirt.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

struct hv_ev;
struct hv_otp;

struct hv_conn {
	virConnectPtr c;
	char *uri;
	char virt_type[16];
	bool xen;
	struct hv_ev *ev;     /* NULL until hv_events_start() */
	struct hv_otp *otp;   /* the one-time VNC password waiting for its viewer, or NULL */
};

/* Once per process: a silent libvirt error handler and the private event-loop thread. */
int hv_loop_init(char **cause);
/* Stop waiting for the viewer of the last one-time VNC password, before the connection closes. */
void hv_vnc_otp_stop(struct hv_conn *conn);
/* Ask the daemon for keep-alive messages so a dead connection is noticed. */
void hv_keepalive(struct hv_conn *conn);
/* Drop the life-cycle callback of hv_events_start(), before the connection closes. */
void hv_events_stop(struct hv_conn *conn);

/* The last libvirt error of this thread as a negative errno, and its message. */
int hv_lv_errno(void);
const char *hv_lv_msg(void);

/* Look a guest up by name; -ENOENT with a cause when there is none. */
int hv_lookup(struct hv_conn *conn, const char *name, virDomainPtr *dom, char **cause);

/* XPath helpers over a parsed document: a string (malloc'd, NULL when empty) and a node set. */
char *hv_xp_str(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);
xmlXPathObjectPtr hv_xp_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr);

/* The default target name of the @idx-th disk on @bus ("vda", "xvdb", "hdc", "sda"). */
void hv_disk_target(const char *bus, unsigned idx, char *out, size_t len);
/* The bus a disk target name implies ("xen" for xvd*, "ide" for hd*, ...), NULL when unknown. */
const char *hv_target_bus(const char *target);

/* The inactive definition (with secrets when this connection may see them), and its SHA-256 in hex. */
char *hv_inactive_xml(struct hv_conn *conn, const char *name, char **cause);
void hv_digest_of(const char *xml, char out[65]);
/* 0 when @xml still has @digest (NULL: unchecked), else -ESTALE with a sentence naming @name. */
int hv_digest_check(const char *xml, const char *digest, const char *name, char **cause);
/* Create one new disk file (sparse raw or qcow2) for hv_define() and hv_edit_apply(); @made: it is ours to remove. */
int hv_make_disk(const struct hv_disk *d, bool *made, char **cause);
/* Append disk @d (its target the first its bus has free in @devs) or card @nic to @devs, a definition's <devices>. */
int hv_xml_add_disk(xmlNodePtr devs, xmlXPathContextPtr ctx, const struct hv_disk *d, bool xen, bool pv);
int hv_xml_add_nic(xmlNodePtr devs, const struct hv_nic *nic, bool xen);

/* Names of life-cycle actions as libvirt and xl spell them; -1 when unknown. */
const char *hv_lifecycle_name(enum hv_lifecycle lc);
int hv_lifecycle_parse(const char *s);

/*
 * When @fd is a qcow2 image: true, with where its backing file's name is (0: none) and its
 * incompatible-feature bits (bit 2: its data are in an external file). Only the fixed header is read.
 */
bool hv_qcow2_head(int fd, uint64_t *backing_off, uint32_t *backing_len, uint64_t *incompat);

#endif
