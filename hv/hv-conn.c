/* Connections to libvirt: the default URI for this host, the domain type new guests get, host facts. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>

int hv_lv_errno(void)
{
	virErrorPtr e = virGetLastError();

	if (!e)
		return -EIO;
	switch (e->code) {
	case VIR_ERR_NO_DOMAIN:
	case VIR_ERR_NO_CONNECT:
		return -ENOENT;
	case VIR_ERR_NO_SUPPORT:
		return -ENOTSUP;
	case VIR_ERR_OPERATION_DENIED:
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_CANCELLED:
	case VIR_ERR_ACCESS_DENIED:
		return -EACCES;
	case VIR_ERR_INVALID_ARG:
	case VIR_ERR_XML_ERROR:
	case VIR_ERR_CONFIG_UNSUPPORTED:
	case VIR_ERR_XML_DETAIL:
		return -EINVAL;
	case VIR_ERR_OPERATION_INVALID:
		return -EBUSY;
	case VIR_ERR_DOM_EXIST:
		return -EEXIST;
	case VIR_ERR_OPERATION_TIMEOUT:
	case VIR_ERR_AGENT_UNRESPONSIVE:
		return -ETIMEDOUT;
	case VIR_ERR_SYSTEM_ERROR:
		/* libvirt keeps the errno of a failed system call in int1. */
		return e->int1 > 0 ? -e->int1 : -EIO;
	default:
		return -EIO;
	}
}

const char *hv_lv_msg(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "";
}

int hv_lookup(struct hv_conn *conn, const char *name, virDomainPtr *dom, char **cause)
{
	*dom = virDomainLookupByName(conn->c, name ? name : "");
	if (*dom)
		return 0;
	if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
		return base_cause(cause, -ENOENT, _("There is no guest named %s."), name);
	return base_cause(cause, hv_lv_errno(), _("Could not find the guest %s: %s."), name,
			  hv_lv_msg());
}

/* What the console connects to when it was given no URI. */
static const char *default_uri(void)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");
	char caps[256];

	if (env && *env)
		return env;
	/* Only dom0 has control_d; a domU sees /proc/xen too but cannot manage guests. */
	if (hcfg_read_line("/proc/xen/capabilities", caps, sizeof(caps)) == 0 &&
	    strstr(caps, "control_d"))
		return "xen:///system";
	/*
	 * libvirt serves root's qemu:///session from the system daemon's socket: naming the session
	 * for root would send an error about one URI with the socket of the other.
	 */
	if (geteuid() == 0 || access("/run/libvirt/libvirt-sock", F_OK) == 0 ||
	    access("/run/libvirt/virtqemud-sock", F_OK) == 0)
		return "qemu:///system";
	return "qemu:///session";
}

static bool caps_has(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = hv_xp_nodes(ctx, NULL, expr);
	bool r = o && o->nodesetval && o->nodesetval->nodeNr > 0;

	xmlXPathFreeObject(o);
	return r;
}

/* Pick the domain type from the capabilities: Xen, else KVM unless told to emulate, else QEMU. */
static void pick_virt_type(struct hv_conn *conn, xmlXPathContextPtr ctx)
{
	const char *accel = getenv("OSPITE_ACCEL");
	char *first;

	if (caps_has(ctx, "/capabilities/guest/arch/domain[@type='xen']")) {
		snprintf(conn->virt_type, sizeof(conn->virt_type), "xen");
		conn->xen = true;
		return;
	}
	if (!(accel && strcmp(accel, "tcg") == 0) &&
	    caps_has(ctx, "/capabilities/guest/arch/domain[@type='kvm']")) {
		snprintf(conn->virt_type, sizeof(conn->virt_type), "kvm");
		return;
	}
	if (caps_has(ctx, "/capabilities/guest/arch/domain[@type='qemu']")) {
		snprintf(conn->virt_type, sizeof(conn->virt_type), "qemu");
		return;
	}
	/* Another driver (libvirt's test driver says "test"): use its own type. */
	first = hv_xp_str(ctx, NULL, "/capabilities/guest/arch/domain/@type");
	snprintf(conn->virt_type, sizeof(conn->virt_type), "%s", first ? first : "qemu");
	free(first);
}

/* Parse the capabilities; @cpu_model (may be NULL) gets the host CPU's model name. */
static int read_caps(struct hv_conn *conn, char *cpu_model, size_t len, char **cause)
{
	char *caps = virConnectGetCapabilities(conn->c);
	xmlDocPtr doc = NULL;
	xmlXPathContextPtr ctx = NULL;
	int rc = 0;

	if (!caps)
		return base_cause(cause, hv_lv_errno(),
				  _("Could not read the hypervisor's capabilities: %s."), hv_lv_msg());
	doc = xmlReadMemory(caps, strlen(caps), "capabilities.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (!ctx) {
		rc = base_cause(cause, -EINVAL,
				_("The hypervisor's capabilities could not be parsed."));
		goto out;
	}
	if (cpu_model) {
		char *m = hv_xp_str(ctx, NULL, "/capabilities/host/cpu/model");

		if (m)
			snprintf(cpu_model, len, "%s", m);
		free(m);
	} else {
		pick_virt_type(conn, ctx);
	}
out:
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(caps);
	return rc;
}

int hv_open(const char *uri, struct hv_conn **out, char **cause)
{
	struct hv_conn *conn = NULL;
	const char *want = uri ? uri : default_uri();
	int rc;

	*out = NULL;
	rc = hv_loop_init(cause);
	if (rc < 0)
		return rc;
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	conn->c = virConnectOpen(want);
	if (!conn->c) {
		rc = hv_lv_errno();
		/* A missing or dead socket is the daemon not running: say so, and how to start it. */
		if (rc == -ENOENT || rc == -ECONNREFUSED)
			rc = base_cause(cause, rc,
					_("Could not connect to %s: no libvirt daemon is running (%s). Start it with \"systemctl start libvirtd\"."),
					want, hv_lv_msg());
		else
			rc = base_cause(cause, rc, _("Could not connect to %s: %s."), want,
					hv_lv_msg());
		goto fail;
	}
	conn->uri = virConnectGetURI(conn->c);
	if (!conn->uri)
		conn->uri = strdup(want);
	if (!conn->uri) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto fail;
	}
	rc = read_caps(conn, NULL, 0, cause);
	if (rc < 0)
		goto fail;
	hv_keepalive(conn);
	*out = conn;
	return 0;
fail:
	hv_close(conn);
	return rc;
}

void hv_close(struct hv_conn *conn)
{
	if (!conn)
		return;
	if (conn->c) {
		hv_events_stop(conn);
		hv_vnc_otp_stop(conn);
		virConnectClose(conn->c);
	}
	free(conn->uri);
	free(conn);
}

const char *hv_uri(const struct hv_conn *conn)
{
	return conn->uri;
}

const char *hv_virt_type(const struct hv_conn *conn)
{
	return conn->virt_type;
}

bool hv_is_xen(const struct hv_conn *conn)
{
	return conn->xen;
}

int hv_host_info(struct hv_conn *conn, struct hv_host *h, char **cause)
{
	virNodeInfo ni;
	unsigned long ver = 0;
	unsigned long long free_b;
	const char *type;
	char *host;
	int n;

	memset(h, 0, sizeof(*h));
	if (virNodeGetInfo(conn->c, &ni) < 0)
		return base_cause(cause, hv_lv_errno(), _("Could not read the host's facts: %s."),
				  hv_lv_msg());
	h->cpus = ni.cpus;
	h->memory_kib = ni.memory;
	snprintf(h->cpu_model, sizeof(h->cpu_model), "%s", ni.model);
	/* The capabilities name the CPU ("Skylake-Server"); node info only has the architecture. */
	read_caps(conn, h->cpu_model, sizeof(h->cpu_model), NULL);
	host = virConnectGetHostname(conn->c);
	if (host)
		snprintf(h->hostname, sizeof(h->hostname), "%s", host);
	free(host);
	type = virConnectGetType(conn->c);
	if (type)
		snprintf(h->hypervisor, sizeof(h->hypervisor), "%s", type);
	if (virConnectGetVersion(conn->c, &ver) == 0)
		snprintf(h->version, sizeof(h->version), "%lu.%lu.%lu", ver / 1000000,
			 ver / 1000 % 1000, ver % 1000);
	free_b = virNodeGetFreeMemory(conn->c);
	h->free_kib = free_b / 1024;
	n = virConnectNumOfDomains(conn->c);
	h->running = n > 0 ? n : 0;
	n = virConnectNumOfDefinedDomains(conn->c);
	h->guests = h->running + (n > 0 ? n : 0);
	/* Missing optional facts leave fields empty; they are no reason to fail. */
	virResetLastError();
	return 0;
}
