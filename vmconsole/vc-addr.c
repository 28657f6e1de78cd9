/* A guest's IP addresses as text: all of them in one line, or the first in the guest list's column. */
#include "vc.h"
#include "base/base.h"
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *vc_addr_join(char *const *v, size_t n)
{
	struct base_buf b = { 0 };

	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		base_buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
	if (b.oom)
		abort();
	return b.s;
}

char *vc_guest_addr_text(struct hv_conn *conn, const char *name, unsigned sources)
{
	char **v = NULL, *s;
	size_t n = 0;

	if (!conn || hv_dom_addresses(conn, name, sources, &v, &n, NULL) < 0 || !n)
		return NULL;
	s = vc_addr_join(v, n);
	hv_addrs_free(v, n);
	return s;
}

char *vc_addr_cell(char *const *v, size_t n, int width, const char *ell)
{
	size_t first = 0, cut;
	char more[24] = "", *out = NULL;
	int room;

	if (!n || width <= 0)
		return strdup("");
	/* The IPv4 address first: the one an operator types into ssh, and the shorter. */
	for (size_t i = 0; i < n; i++)
		if (!strchr(v[i], ':')) {
			first = i;
			break;
		}
	if (n > 1)
		snprintf(more, sizeof(more), " +%zu", n - 1);
	room = width - tui_width(more);
	if (tui_width(v[first]) <= room) {
		if (asprintf(&out, "%s%s", v[first], more) < 0)
			abort();
		return out;
	}
	/* Too long (an IPv6 address in a narrow column): its start, and a mark that it goes on. */
	room -= tui_width(ell);
	tui_cut(v[first], room > 0 ? room : 0, &cut);
	if (asprintf(&out, "%.*s%s%s", (int)cut, v[first], ell, more) < 0)
		abort();
	return out;
}
