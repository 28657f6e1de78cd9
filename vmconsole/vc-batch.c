/* Batch commands for scripts, without the TUI: list the guests (text or JSON), import and export xl configs. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *vc_json_string(const char *s)
{
	struct base_buf b = { 0 };

	base_buf_str(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': base_buf_str(&b, "\\\""); break;
		case '\\': base_buf_str(&b, "\\\\"); break;
		case '\n': base_buf_str(&b, "\\n"); break;
		case '\r': base_buf_str(&b, "\\r"); break;
		case '\t': base_buf_str(&b, "\\t"); break;
		default:
			/* UTF-8 passes as it is; only control characters need escaping. */
			if (*p < 0x20)
				base_buf_printf(&b, "\\u%04x", *p);
			else
				base_buf_add(&b, (const char *)p, 1);
		}
	}
	base_buf_str(&b, "\"");
	if (b.oom)
		abort();
	return b.s;
}

const char *vc_state_key(enum hv_state s)
{
	static const char *const keys[] = {
		[HV_STATE_NOSTATE] = "nostate", [HV_STATE_RUNNING] = "running",
		[HV_STATE_BLOCKED] = "blocked", [HV_STATE_PAUSED] = "paused",
		[HV_STATE_SHUTDOWN] = "shutdown", [HV_STATE_SHUTOFF] = "shutoff",
		[HV_STATE_CRASHED] = "crashed", [HV_STATE_PMSUSPENDED] = "pmsuspended",
	};

	return (unsigned)s < sizeof(keys) / sizeof(keys[0]) ? keys[s] : "nostate";
}

void vc_list_rows(const struct vc_host_guests *hl, size_t nh, bool host_col, FILE *out)
{
	/* Output is UTF-8 whatever the locale (tui_i18n_init()): the real ellipsis. */
	const char *ell = "\u2026";
	char **hosts = NULL, **names = NULL, **hshown = NULL, **nshown, *head, *cell;
	size_t nhosts = 0, nnames = 0;

	for (size_t k = 0; k < nh; k++) {
		vc_strv_push(&hosts, &nhosts, hl[k].name ? hl[k].name : "");
		for (size_t i = 0; i < hl[k].n; i++) {
			bool seen = false;

			/* One guest name on two hosts looks the same on both. */
			for (size_t j = 0; j < nnames && !seen; j++)
				seen = !strcmp(names[j], hl[k].st[i].name);
			if (!seen)
				vc_strv_push(&names, &nnames, hl[k].st[i].name);
		}
	}
	if (host_col)
		hshown = vc_names_fit(hosts, nhosts, VC_COL_HOST, ell);
	nshown = vc_names_fit(names, nnames, VC_COL_NAME, ell);
	head = vc_list_header();
	if (host_col) {
		cell = tui_pad(_("Host"), VC_COL_HOST);
		fprintf(out, "%s %s\n", cell, head);
		free(cell);
	} else {
		fprintf(out, "%s\n", head);
	}
	free(head);
	for (size_t k = 0; k < nh; k++) {
		cell = host_col ? tui_pad(hshown[k], VC_COL_HOST) : NULL;
		for (size_t i = 0; i < hl[k].n; i++) {
			const struct hv_dom_stat *d = &hl[k].st[i];
			struct vc_row r;
			char *row;

			memset(&r, 0, sizeof(r));
			for (size_t j = 0; j < nnames; j++)
				if (!strcmp(names[j], d->name))
					snprintf(r.name, sizeof(r.name), "%s", nshown[j]);
			r.state = d->state;
			r.vcpus = d->vcpus;
			r.memory_kib = d->memory_kib;
			/* One sample says nothing about CPU use. */
			r.cpu = -1;
			row = vc_row_text(&r);
			if (cell)
				fprintf(out, "%s %s\n", cell, row);
			else
				fprintf(out, "%s\n", row);
			free(row);
		}
		free(cell);
	}
	if (hshown)
		vc_strv_free(hshown, nhosts);
	vc_strv_free(nshown, nnames);
	vc_strv_free(hosts, nhosts);
	vc_strv_free(names, nnames);
}

int vc_batch_list(struct hv_conn *conn, bool json, FILE *out, char **cause)
{
	struct hv_dom_stat *st = NULL;
	size_t n = 0;
	int rc = hv_list(conn, &st, &n, cause);

	if (rc < 0)
		return rc;
	if (json) {
		fputs("[", out);
		for (size_t i = 0; i < n; i++) {
			char *name = vc_json_string(st[i].name);

			fprintf(out, "%s\n  {\"name\": %s, \"uuid\": \"%s\", \"state\": \"%s\", "
				"\"vcpus\": %u, \"memory_kib\": %" PRIu64 ", \"cpu_time_ns\": %" PRIu64
				", \"autostart\": %s, \"persistent\": %s}",
				i ? "," : "", name, st[i].uuid, vc_state_key(st[i].state),
				st[i].vcpus, st[i].memory_kib, st[i].cpu_time_ns,
				st[i].autostart ? "true" : "false",
				st[i].persistent ? "true" : "false");
			free(name);
		}
		fputs(n ? "\n]\n" : "]\n", out);
	} else {
		struct vc_host_guests hg = { NULL, st, n };

		vc_list_rows(&hg, 1, false, out);
	}
	free(st);
	return 0;
}

/*
 * A guest defined here must be able to start here: its cards on bridges this host has (when the
 * connection is this host's; libvirt's test driver has no network), and its memory beside what
 * the running guests use. Scripts cannot be asked, so both are refusals.
 */
static int import_fits(struct hv_conn *conn, const struct hv_guest *g, char **cause)
{
	const char *uri = hv_uri(conn), *sep = strstr(uri, "://");
	struct hv_dom_stat *st = NULL;
	struct hv_host host;
	uint64_t used = 0;
	size_t n = 0;
	int rc;

	if (sep && sep[3] == '/' && strcmp(hv_virt_type(conn), "test")) {
		rc = vc_check_bridges(g, "/sys/class/net", cause);
		if (rc < 0)
			return rc;
	}
	if (hv_host_info(conn, &host, NULL) < 0 || hv_list(conn, &st, &n, NULL) < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (VC_STATE_BIT(st[i].state) & VC_ON)
			used += st[i].memory_kib;
	free(st);
	return vc_check_memory_fit(g->name, g->memory_kib, used, host.memory_kib, cause);
}

int vc_batch_import(struct hv_conn *conn, const char *path, bool print_xml, bool host_paths,
		    FILE *out, FILE *report, char **cause)
{
	struct hv_guest *g = NULL;
	struct hv_xl_report rep = { NULL, 0 };
	char *xml = NULL;
	int rc = hv_xl_import(path, &g, &rep, cause);

	if (rc < 0) {
		hv_xl_report_clear(&rep);
		return rc;
	}
	hv_xl_fit_disks(g, conn ? hv_virt_type(conn) : "xen", &rep);
	for (int mapped = 1; mapped >= 0; mapped--) {
		bool head = false;

		for (size_t i = 0; i < rep.n; i++) {
			if (rep.notes[i].mapped != mapped)
				continue;
			if (!head)
				fprintf(report, "%s\n", mapped ? _("Mapped:") : _("Not mapped:"));
			head = true;
			fprintf(report, "  %-16s %s\n", rep.notes[i].key,
				rep.notes[i].what ? rep.notes[i].what : "");
		}
	}
	hv_xl_report_clear(&rep);
	if (print_xml) {
		rc = hv_guest_to_xml(g, conn ? hv_virt_type(conn) : "xen", &xml, cause);
		if (rc == 0)
			fputs(xml, out);
	} else {
		/* Host paths only for root, and only when the command line asked for them. */
		rc = import_fits(conn, g, cause);
		if (rc == 0)
			rc = hv_define_flags(conn, g, host_paths && geteuid() == 0 ? HV_HOST_PATHS : 0,
					     cause);
		if (rc == 0)
			fprintf(out, _("The guest %s is defined.\n"), g->name);
	}
	free(xml);
	hv_guest_free(g);
	return rc;
}

int vc_batch_export(struct hv_conn *conn, const char *name, FILE *out, char **cause)
{
	struct hv_guest *g = NULL;
	char *text = NULL;
	bool had_password;
	int rc = hv_get(conn, name, &g, cause);

	if (rc < 0)
		return rc;
	/* A file that is copied, mailed and kept must not carry the key to the guest's display. */
	had_password = g->vnc_password != NULL;
	free(g->vnc_password);
	g->vnc_password = NULL;
	rc = hv_xl_export(g, &text, cause);
	if (rc == 0 && had_password)
		/* TRANSLATORS: a comment line in an xl config file; keep "vncpasswd" as it is. */
		fprintf(out, "# %s\n", _("The VNC password (vncpasswd) is not exported: add one before using this file."));
	if (rc == 0)
		fputs(text, out);
	free(text);
	hv_guest_free(g);
	return rc;
}
