/* Guests' network ports as the host sees them, and the digest of a guest's definition that an edit must still find when it saves (hv-edit.c). */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <libvirt/virterror.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <openssl/evp.h>

void hv_ports_free(struct hv_port *p)
{
	free(p);
}

int hv_guest_ports(struct hv_conn *conn, struct hv_port **out, size_t *n, char **cause)
{
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(conn->c, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	struct hv_port *v = NULL;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (nd < 0)
		return base_cause(cause, hv_lv_errno(), _("Could not list the guests: %s."), hv_lv_msg());
	for (int i = 0; i < nd; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], 0);
		xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
						    XML_PARSE_NONET | XML_PARSE_NOERROR |
						    XML_PARSE_NOWARNING) : NULL;
		xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
		xmlXPathObjectPtr set = ctx ? hv_xp_nodes(ctx, NULL, "/domain/devices/interface") : NULL;

		for (int k = 0; set && set->nodesetval && k < set->nodesetval->nodeNr; k++) {
			xmlNodePtr node = set->nodesetval->nodeTab[k];
			char *dev = hv_xp_str(ctx, node, "target/@dev");
			char *br = hv_xp_str(ctx, node, "source/@bridge");
			char *mac = hv_xp_str(ctx, node, "mac/@address");
			struct hv_port *nv;

			if (dev && (nv = realloc(v, (count + 1) * sizeof(*v)))) {
				v = nv;
				memset(&v[count], 0, sizeof(*v));
				snprintf(v[count].dev, sizeof(v[count].dev), "%s", dev);
				snprintf(v[count].guest, sizeof(v[count].guest), "%s",
					 virDomainGetName(doms[i]));
				snprintf(v[count].bridge, sizeof(v[count].bridge), "%s", br ? br : "");
				snprintf(v[count].mac, sizeof(v[count].mac), "%s", mac ? mac : "");
				count++;
			}
			free(dev);
			free(br);
			free(mac);
		}
		xmlXPathFreeObject(set);
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
		free(xml);
		virDomainFree(doms[i]);
	}
	free(doms);
	virResetLastError();
	*out = v;
	*n = count;
	return 0;
}

/* The inactive definition, with secrets when this connection may see them (so a save keeps them). */
char *hv_inactive_xml(struct hv_conn *conn, const char *name, char **cause)
{
	virDomainPtr dom;
	char *xml;

	if (hv_lookup(conn, name, &dom, cause) < 0)
		return NULL;
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	if (!xml && virGetLastErrorCode() == VIR_ERR_OPERATION_DENIED) {
		virResetLastError();
		xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	}
	if (!xml)
		base_cause(cause, hv_lv_errno(), _("Could not read the guest %s: %s."), name, hv_lv_msg());
	virDomainFree(dom);
	return xml;
}

void hv_digest_of(const char *xml, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	out[0] = '\0';
	if (!EVP_Digest(xml, strlen(xml), md, &n, EVP_sha256(), NULL))
		return;
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int hv_digest_check(const char *xml, const char *digest, const char *name, char **cause)
{
	char now[65];

	/* Someone (virsh, another console) saved the guest since it was read: never overwrite that. */
	hv_digest_of(xml, now);
	if (digest && strcmp(digest, now))
		return base_cause(cause, -ESTALE,
				  _("The definition of %s changed since it was read, for example through virsh."),
				  name);
	return 0;
}

int hv_digest(struct hv_conn *conn, const char *name, char out[65], char **cause)
{
	char *xml = hv_inactive_xml(conn, name, cause);

	out[0] = '\0';
	if (!xml)
		return -ENOENT;
	hv_digest_of(xml, out);
	free(xml);
	return 0;
}

