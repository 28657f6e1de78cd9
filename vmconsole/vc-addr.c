/* A guest's IP addresses in one line of text, for the guest list and the guest's screen. */
#include "vc.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

char *vc_guest_addr_text(struct hv_conn *conn, const char *name, unsigned sources)
{
	char **v = NULL;
	struct base_buf b = { 0 };
	size_t n = 0;

	if (!conn || hv_dom_addresses(conn, name, sources, &v, &n, NULL) < 0 || !n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		base_buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
	hv_addrs_free(v, n);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
