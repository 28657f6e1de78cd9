/* A guest's IP addresses from the three places libvirt knows them: the guest agent, the DHCP leases of libvirt's networks, and the host's neighbour (ARP) table for bridged guests. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether an operator can reach @a: loopback and IPv6 link-local addresses are left out. */
static bool useful(int type, const char *a)
{
	if (type == VIR_IP_ADDR_TYPE_IPV4)
		return strncmp(a, "127.", 4) != 0;
	return strcmp(a, "::1") != 0 && strncasecmp(a, "fe80:", 5) != 0;
}

static int add(char ***v, size_t *n, const char *a)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], a))
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(a)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

void hv_addrs_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int hv_dom_addresses(struct hv_conn *conn, const char *name, unsigned sources, char ***out,
		     size_t *n, char **cause)
{
	static const struct { unsigned bit; unsigned src; } order[] = {
		{ HV_ADDR_AGENT, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT },
		{ HV_ADDR_LEASE, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE },
		{ HV_ADDR_ARP, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP },
	};
	virDomainPtr dom = NULL;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if ((rc = hv_lookup(conn, name, &dom, cause)) < 0)
		return rc;
	/* Every source is asked: a guest may have a card on a libvirt network and one on a bridge. */
	for (size_t s = 0; rc == 0 && s < sizeof(order) / sizeof(order[0]); s++) {
		virDomainInterfacePtr *ifs = NULL;
		int k;

		if (!(sources & order[s].bit))
			continue;
		/* A guest without an agent, or a driver without the source, simply gives nothing. */
		k = virDomainInterfaceAddresses(dom, &ifs, order[s].src, 0);
		for (int i = 0; i < k && rc == 0; i++)
			for (unsigned j = 0; j < ifs[i]->naddrs && rc == 0; j++) {
				virDomainIPAddressPtr a = &ifs[i]->addrs[j];

				if (a->addr && useful(a->type, a->addr))
					rc = add(out, n, a->addr);
			}
		for (int i = 0; i < k; i++)
			virDomainInterfaceFree(ifs[i]);
		free(ifs);
	}
	virDomainFree(dom);
	if (rc < 0) {
		hv_addrs_free(*out, *n);
		*out = NULL;
		*n = 0;
		return base_cause(cause, rc, _("Out of memory."));
	}
	return 0;
}
