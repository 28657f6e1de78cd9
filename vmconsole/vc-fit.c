/* Whether a guest fits this host: its memory beside the running guests' (refused for members of the group, a question for root), and its cards on bridges that exist. */
#include "vc.h"
#include "base/base.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t vc_running_kib(const struct vc_model *m, const char *except)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->nrows; i++)
		if ((VC_STATE_BIT(m->rows[i].state) & VC_ON) &&
		    (!except || strcmp(m->rows[i].name, except)))
			sum += m->rows[i].memory_kib;
	return sum;
}

int vc_check_memory_fit(const char *name, uint64_t want_kib, uint64_t used_kib,
			uint64_t host_kib, char **cause)
{
	char want[32], used[32], host[32], left[32];

	if (!host_kib || want_kib <= host_kib - (used_kib < host_kib ? used_kib : host_kib))
		return 0;
	vc_fmt_mem(want_kib, want, sizeof(want));
	vc_fmt_mem(used_kib, used, sizeof(used));
	vc_fmt_mem(host_kib, host, sizeof(host));
	vc_fmt_mem(used_kib < host_kib ? host_kib - used_kib : 0, left, sizeof(left));
	/* TRANSLATORS: %1$s is a guest; then its memory, the running guests', the host's, and what is left. */
	return base_cause(cause, -ENOMEM,
			  _("%1$s needs %2$s of memory, but the running guests already use %3$s of this host's %4$s: %5$s is left."),
			  name, want, used, host, left);
}

bool vc_memory_fits(struct vc_app *app, const char *name, uint64_t want_kib, const char *title)
{
	char *why = NULL, *q = NULL;
	bool yes;

	if (!app->host_ok ||
	    vc_check_memory_fit(name, want_kib, vc_running_kib(&app->model, name),
				app->host.memory_kib, &why) == 0)
		return true;
	if (!app->root) {
		if (asprintf(&q, _("%s Only root may give the guests more memory than the host has."),
			     why ? why : "") < 0)
			abort();
		free(why);
		vc_error(title, q);
		return false;
	}
	if (asprintf(&q, _("%s The host would have to swap, or kill a guest, to give it. Go on anyway?"),
		     why ? why : "") < 0)
		abort();
	free(why);
	yes = tui_ask(title, q, _("Go on"), _("Cancel"));
	free(q);
	return yes && !app->unwinding;
}

int vc_check_bridges(const struct hv_guest *g, const char *sysfs_net, char **cause)
{
	char **names = NULL;
	size_t n = 0;
	int rc = vc_bridges(sysfs_net, &names, &n, cause);

	for (size_t i = 0; rc == 0 && i < g->n_nics; i++) {
		const char *br = g->nics[i].bridge;
		bool found = false;

		if (!br || !*br)
			continue;
		for (size_t k = 0; k < n && !found; k++)
			found = !strcmp(names[k], br);
		if (!found)
			/* TRANSLATORS: %zu counts the guest's cards from 1; %s is a bridge. */
			rc = base_cause(cause, -ENOENT,
					_("Network card %zu is on the bridge %s, which this host does not have: choose one of its bridges (Host Status shows them)."),
					i + 1, br);
	}
	vc_strv_free(names, n);
	return rc;
}
