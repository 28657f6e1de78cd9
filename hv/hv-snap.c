/* Snapshots of a guest kept inside its qcow2 disks: made, listed, reverted to and deleted through libvirt. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <libvirt/virterror.h>
#include <libxml/parser.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hv_snap_supported(struct hv_conn *conn, const char *name, char **cause)
{
	struct hv_guest *g = NULL;
	int rc = hv_get(conn, name, &g, cause);
	size_t disks = 0;

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < g->n_disks && rc == 0; i++) {
		const struct hv_disk *d = &g->disks[i];

		/* A CD is read-only: a snapshot has nothing of it to keep. */
		if (d->kind == HV_DISK_CDROM || d->readonly)
			continue;
		disks++;
		if (d->format && !strcmp(d->format, "qcow2"))
			continue;
		rc = base_cause(cause, -ENOTSUP,
				_("The disk %s of %s is in %s format, which cannot keep snapshots: only qcow2 disks can. Make a backup of the guest instead."),
				d->target ? d->target : "?", name, d->format ? d->format : "raw");
	}
	if (rc == 0 && !disks)
		rc = base_cause(cause, -ENOTSUP,
				_("%s has no disk to take a snapshot of."), name);
	hv_guest_free(g);
	return rc;
}

static int by_time(const void *a, const void *b)
{
	const struct hv_snap *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void read_snap(virDomainSnapshotPtr s, struct hv_snap *out)
{
	char *xml = virDomainSnapshotGetXMLDesc(s, 0);
	xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "snapshot.xml", NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING) : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	const char *name = virDomainSnapshotGetName(s);

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
	out->current = virDomainSnapshotIsCurrent(s, 0) == 1;
	if (ctx) {
		char *t = hv_xp_str(ctx, NULL, "/domainsnapshot/creationTime");
		char *st = hv_xp_str(ctx, NULL, "/domainsnapshot/state");

		out->created = t ? (time_t)strtoll(t, NULL, 10) : 0;
		out->running = st && (!strcmp(st, "running") || !strcmp(st, "paused"));
		free(t);
		free(st);
	}
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	virResetLastError();
}

int hv_snap_list(struct hv_conn *conn, const char *name, struct hv_snap **out, size_t *n,
		 char **cause)
{
	virDomainPtr dom;
	virDomainSnapshotPtr *snaps = NULL;
	int ns, rc;

	*out = NULL;
	*n = 0;
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	ns = virDomainListAllSnapshots(dom, &snaps, 0);
	if (ns < 0) {
		rc = base_cause(cause, hv_lv_errno(), _("Could not list the snapshots of %s: %s."),
				name, hv_lv_msg());
		goto out;
	}
	*out = calloc(ns + 1, sizeof(**out));
	if (!*out) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	for (int i = 0; i < ns; i++)
		read_snap(snaps[i], &(*out)[i]);
	*n = (size_t)ns;
	qsort(*out, *n, sizeof(**out), by_time);
out:
	for (int i = 0; snaps && i < ns; i++)
		virDomainSnapshotFree(snaps[i]);
	free(snaps);
	virDomainFree(dom);
	return rc;
}

/* A snapshot name: what a guest name may be, so it is safe in XML and in qemu-img. */
static int check_name(const char *snap, char **cause)
{
	if (!hv_name_valid(snap))
		return base_cause(cause, -EINVAL,
				  _("\"%s\" is not a valid snapshot name: use up to 64 letters, digits, '-', '_' and '.', without spaces, not starting with '-' or '.'."),
				  snap);
	return 0;
}

int hv_snap_create(struct hv_conn *conn, const char *name, const char *snap, char **cause)
{
	virDomainPtr dom;
	virDomainSnapshotPtr s;
	char *xml = NULL;
	int rc = check_name(snap, cause);

	if (rc == 0)
		rc = hv_snap_supported(conn, name, cause);
	if (rc < 0)
		return rc;
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	if (asprintf(&xml, "<domainsnapshot><name>%s</name></domainsnapshot>", snap) < 0)
		abort();
	/* Internal: kept inside the qcow2 files, with the memory of a running guest. */
	s = virDomainSnapshotCreateXML(dom, xml, 0);
	if (!s)
		rc = base_cause(cause, hv_lv_errno(), _("Could not take the snapshot %s of %s: %s."),
				snap, name, hv_lv_msg());
	else
		virDomainSnapshotFree(s);
	free(xml);
	virDomainFree(dom);
	return rc;
}

static int with_snap(struct hv_conn *conn, const char *name, const char *snap, bool revert,
		     char **cause)
{
	virDomainPtr dom;
	virDomainSnapshotPtr s;
	int rc = hv_lookup(conn, name, &dom, cause);

	if (rc < 0)
		return rc;
	s = virDomainSnapshotLookupByName(dom, snap, 0);
	if (!s) {
		rc = base_cause(cause, -ENOENT, _("%s has no snapshot %s."), name, snap);
	} else if (revert ? virDomainRevertToSnapshot(s, 0) < 0 : virDomainSnapshotDelete(s, 0) < 0) {
		rc = base_cause(cause, hv_lv_errno(),
				revert ? _("Could not go back to the snapshot %s of %s: %s.") :
					 _("Could not delete the snapshot %s of %s: %s."),
				snap, name, hv_lv_msg());
	}
	if (s)
		virDomainSnapshotFree(s);
	virResetLastError();
	virDomainFree(dom);
	return rc;
}

int hv_snap_revert(struct hv_conn *conn, const char *name, const char *snap, char **cause)
{
	return with_snap(conn, name, snap, true, cause);
}

int hv_snap_delete(struct hv_conn *conn, const char *name, const char *snap, char **cause)
{
	return with_snap(conn, name, snap, false, cause);
}
