/* Editing a defined guest (memory, vCPUs, the bridge of each card): saved only if its definition is still the one read, else reloaded or, when asked, overwritten. */
#include "vc.h"
#include "tui/tui.h"
#include "base/audit.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NICS 8

/* Read the guest and the digest of its definition together: what the edit starts from. */
static int load(struct vc_app *app, const char *name, struct hv_guest **g, char digest[65], char **cause)
{
	int rc = hv_digest(app->conn, name, digest, cause);

	if (rc == 0)
		rc = hv_get(app->conn, name, g, cause);
	return rc;
}

int vc_guest_edit(struct vc_app *app, const char *name)
{
	struct hv_guest *g = NULL;
	char digest[65], *cause = NULL, title[160];
	int rc;

	if (load(app, name, &g, digest, &cause) < 0) {
		vc_error(_("Edit"), cause);
		return -EIO;
	}
	snprintf(title, sizeof(title), _("Edit %s"), name);
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(title);
		struct hv_nic_bridge nics[MAX_NICS];
		int f_mem, f_cpu, f_nic[MAX_NICS];
		size_t nn = 0;
		char mem[32], cpus[16], label[64];
		struct hv_guest_edit e;
		uint64_t kib;
		unsigned out[4];
		char tty[32], rhost[64];

		snprintf(mem, sizeof(mem), "%" PRIu64, g->memory_kib / 1024);
		snprintf(cpus, sizeof(cpus), "%u", g->vcpus);
		tui_dialog_text(d, _("The changes apply from the guest's next start."));
		f_mem = tui_dialog_entry(d, _("Memory (MiB):"), mem, 0);
		f_cpu = tui_dialog_entry(d, _("Virtual CPUs:"), cpus, 0);
		for (size_t i = 0; i < g->n_nics && nn < MAX_NICS; i++) {
			if (!g->nics[i].bridge)
				continue;
			snprintf(label, sizeof(label), _("Card %s, bridge:"), g->nics[i].mac);
			snprintf(nics[nn].mac, sizeof(nics[nn].mac), "%s", g->nics[i].mac);
			f_nic[nn++] = tui_dialog_entry(d, label, g->nics[i].bridge, 0);
		}
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Save"));
		rc = tui_dialog_run(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			tui_dialog_free(d);
			continue;
		}
		if (rc != TUI_NEXT) {
			tui_dialog_free(d);
			break;
		}
		memset(&e, 0, sizeof(e));
		if (vc_check_memory(tui_dialog_value(d, f_mem), app->host_ok ? app->host.memory_kib : 0,
				    &kib, &cause) < 0 ||
		    vc_check_cpus(tui_dialog_value(d, f_cpu), "", "", "", app->host_ok ? app->host.cpus : 0,
				  out, &cause) < 0) {
			tui_dialog_free(d);
			vc_error(_("Edit"), cause);
			cause = NULL;
			continue;
		}
		e.memory_kib = kib;
		e.vcpus = out[0];
		for (size_t i = 0; i < nn; i++)
			snprintf(nics[i].bridge, sizeof(nics[i].bridge), "%s", tui_dialog_value(d, f_nic[i]));
		e.nics = nics;
		e.n_nics = nn;
		tui_dialog_free(d);
		rc = hv_guest_edit(app->conn, name, &e, digest, &cause);
		if (rc == -ESTALE) {
			char *q = NULL;
			bool overwrite;

			if (asprintf(&q, _("%s Reload it (your changes here are lost), or overwrite what was saved meanwhile?"),
				     cause) < 0)
				abort();
			free(cause);
			cause = NULL;
			/* Reload is the answer under the cursor: overwriting someone's change is asked for. */
			overwrite = tui_ask(_("Edit"), q, _("Overwrite"), _("Reload"));
			free(q);
			if (overwrite) {
				rc = hv_guest_edit(app->conn, name, &e, NULL, &cause);
			} else {
				hv_guest_free(g);
				g = NULL;
				if (load(app, name, &g, digest, &cause) < 0) {
					vc_error(_("Edit"), cause);
					return -EIO;
				}
				continue;
			}
		}
		if (rc < 0) {
			vc_error(_("Edit"), cause);
			cause = NULL;
			continue;
		}
		vc_login_tty(tty, sizeof(tty), rhost, sizeof(rhost));
		base_audit(app->user, tty, "guest edit %s: memory %" PRIu64 " KiB, %u vCPUs", name,
			   e.memory_kib, e.vcpus);
		break;
	}
	hv_guest_free(g);
	return 0;
}
