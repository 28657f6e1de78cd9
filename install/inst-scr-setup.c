/* The first screens: language, keyboard and timezone, Networking Device, addressing, source, hypervisor. */
#include "inst-scr.h"
#include "base/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct inst_screen inst_screens[] = {
	{ "language", inst_scr_language },
	{ "keyboard", inst_scr_keyboard },
	{ "nic", inst_scr_nic },
	{ "netcfg", inst_scr_netcfg },
	{ "source", inst_scr_source },
	{ "hypervisor", inst_scr_hypervisor },
	{ "disk", inst_scr_disk },
	{ "partitions", inst_scr_partitions },
	{ "password", inst_scr_password },
	{ "summary", inst_scr_summary },
	{ "install", inst_scr_install },
};
const size_t inst_n_screens = sizeof(inst_screens) / sizeof(inst_screens[0]);

/*
 * The hotkey only changes the language the screens speak: the host's locale, keyboard and
 * time zone stay what the language screen (or the operator later) chose.
 */
void inst_scr_toggle_lang(struct inst_ctx *c)
{
	tui_lang_set(!strcmp(tui_lang(), "it") ? "en" : "it");
	tui_frame_redraw();
}

bool inst_scr_lang_switched(struct inst_ctx *c, int rc)
{
	if (rc != TUI_LANG)
		return false;
	inst_scr_toggle_lang(c);
	return true;
}

void inst_scr_error(const char *title, char *cause)
{
	tui_message(title, cause ? cause : _("The value is not valid."));
	free(cause);
}

int inst_scr_language(struct inst_ctx *c)
{
	static const char *const langs[] = { "English", "Italiano" };
	/* The hotkey leaves the plan alone, so the row under the cursor is kept across it. */
	int sel = !strcmp(c->plan.lang, "it");

	for (;;) {
		/* TRANSLATORS: shown in both languages at once on purpose. */
		struct tui_dialog *d = tui_dialog_new(_("Language / Lingua"));
		int list, rc;

		tui_dialog_text(d, _("Choose the language of the installation and of the installed host."));
		list = tui_dialog_list(d, langs, 2, sel, 2);
		tui_dialog_buttons(d, TUI_BTN_NEXT, NULL);
		rc = tui_dialog_run(d);
		sel = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			continue;
		tui_lang_set(sel == 1 ? "it" : "en");
		/* Keyboard and timezone follow the language until the operator picks them. */
		inst_plan_lang_defaults(&c->plan, sel == 1 ? "it" : "en");
		tui_frame_redraw();
		return TUI_NEXT;
	}
}

static const char *const keymaps[][2] = {
	{ "us", N_("English (US)") },  { "it", N_("Italian") },   { "gb", N_("English (UK)") },
	{ "de", N_("German") },        { "fr", N_("French") },    { "es", N_("Spanish") },
	{ "ch", N_("Swiss") },         { "pt", N_("Portuguese") },
};
#define N_KEYMAPS (sizeof(keymaps) / sizeof(keymaps[0]))

static int valid_zone(const char *z)
{
	if (!*z || z[0] == '/' || strstr(z, ".."))
		return 0;
	for (const char *p = z; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

int inst_scr_keyboard(struct inst_ctx *c)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Keyboard and Time Zone"));
		const char *items[N_KEYMAPS];
		int cur = 0, list, tz, rc;

		for (size_t i = 0; i < N_KEYMAPS; i++) {
			items[i] = _(keymaps[i][1]);
			if (!strcmp(keymaps[i][0], c->plan.keyboard))
				cur = i;
		}
		tui_dialog_text(d, _("Choose the keyboard layout and the time zone of the host."));
		list = tui_dialog_list(d, items, N_KEYMAPS, cur, 5);
		tz = tui_dialog_entry(d, _("Time zone:"), c->plan.timezone, 0);
		rc = tui_dialog_run(d);
		INST_COPY(c->plan.keyboard, keymaps[tui_dialog_selected(d, list)][0]);
		INST_COPY(c->plan.timezone, tui_dialog_value(d, tz));
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		if (!valid_zone(c->plan.timezone)) {
			char *cause = NULL;

			base_cause(&cause, 0, _("\"%s\" is not a time zone name such as Europe/Rome."),
				   c->plan.timezone);
			inst_scr_error(_("Time zone"), cause);
			continue;
		}
		return TUI_NEXT;
	}
}

/* One row of the NIC list: name, MAC, link, vendor and model, cut to the dialog width. */
static char *nic_row(const struct hcfg_nic *n)
{
	char *row = NULL;
	const char *link = n->carrier ? _("link up") : _("no link");

	if (asprintf(&row, "%-6s %s %-8s %s%s%s", n->name, n->mac, link, n->vendor,
		     *n->vendor ? " " : "", n->model) < 0)
		abort();
	return row;
}

int inst_scr_nic(struct inst_ctx *c)
{
	size_t cur = 0;

	if (c->n_nics == 0) {
		c->plan.nic[0] = '\0';
		return TUI_NEXT;
	}
	for (size_t i = 0; i < c->n_nics; i++)
		if (!strcmp(c->nics[i].name, c->plan.nic))
			cur = i;
	if (c->n_nics == 1) {
		/* Nothing to choose: the slides ask only when there is a choice. */
		INST_COPY(c->plan.nic, c->nics[0].name);
		INST_COPY(c->plan.nic_mac, c->nics[0].mac);
		return TUI_NEXT;
	}
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Networking Device"));
		int list, rc;

		tui_dialog_text(d, _("You have multiple network devices on this system. Which would you like to install through?"));
		list = tui_dialog_list(d, NULL, 0, cur, c->n_nics < 6 ? c->n_nics : 6);
		for (size_t i = 0; i < c->n_nics; i++)
			tui_dialog_list_add(d, list, nic_row(&c->nics[i]));
		rc = tui_dialog_run(d);
		cur = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		INST_COPY(c->plan.nic, c->nics[cur].name);
		INST_COPY(c->plan.nic_mac, c->nics[cur].mac);
		return TUI_NEXT;
	}
}

int inst_scr_netcfg(struct inst_ctx *c)
{
	const char *modes[2];

	for (;;) {
		char title[128], prefix[16], *cause = NULL;
		struct tui_dialog *d;
		int mode, ip, pfx, gw, dns, host, rc;

		modes[0] = _("DHCP");
		modes[1] = _("Static");
		snprintf(title, sizeof(title), _("Configure %s"), *c->plan.nic ? c->plan.nic : "-");
		snprintf(prefix, sizeof(prefix), "%u", c->plan.prefix);
		d = tui_dialog_new(title);
		tui_dialog_text(d, _("How does the host get its address? With a static address, give the prefix length (24) or the netmask (255.255.255.0)."));
		mode = tui_dialog_radio(d, _("Addressing:"), modes, 2, c->plan.dhcp ? 0 : 1);
		ip = tui_dialog_entry(d, _("IP address:"), c->plan.ip, 0);
		pfx = tui_dialog_entry(d, _("Prefix or netmask:"), prefix, 0);
		gw = tui_dialog_entry(d, _("Gateway:"), c->plan.gateway, 0);
		dns = tui_dialog_entry(d, _("Name servers:"), c->plan.dns, 0);
		host = tui_dialog_entry(d, _("Host name:"), c->plan.hostname, 0);
		rc = tui_dialog_run(d);
		c->plan.dhcp = tui_dialog_selected(d, mode) == 0;
		INST_COPY(c->plan.ip, tui_dialog_value(d, ip));
		INST_COPY(prefix, tui_dialog_value(d, pfx));
		INST_COPY(c->plan.gateway, tui_dialog_value(d, gw));
		INST_COPY(c->plan.dns, tui_dialog_value(d, dns));
		INST_COPY(c->plan.hostname, tui_dialog_value(d, host));
		tui_dialog_free(d);
		if (rc != TUI_NEXT && inst_valid_prefix(prefix, &c->plan.prefix, NULL) < 0)
			c->plan.prefix = 24;
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		if (!c->plan.dhcp &&
		    (inst_valid_ipv4(c->plan.ip, &cause) < 0 ||
		     inst_valid_prefix(prefix, &c->plan.prefix, &cause) < 0 ||
		     (*c->plan.gateway && inst_valid_ipv4(c->plan.gateway, &cause) < 0) ||
		     (*c->plan.dns && inst_valid_dns(c->plan.dns, &cause) < 0))) {
			inst_scr_error(_("Network configuration"), cause);
			continue;
		}
		if (inst_valid_hostname(c->plan.hostname, &cause) < 0) {
			inst_scr_error(_("Network configuration"), cause);
			continue;
		}
		return TUI_NEXT;
	}
}

int inst_scr_source(struct inst_ctx *c)
{
	for (;;) {
		const char *kinds[2] = { _("Package mirror"), _("Local directory") };
		struct tui_dialog *d = tui_dialog_new(_("Installation Source"));
		char *cause = NULL;
		int kind, url, suite, dir, sec, rc;

		if (c->plan.src == INST_SRC_LOCAL && !strcmp(c->plan.local_dir, inst_plan_medium_dir()))
			tui_dialog_text(d, _("Where do the packages come from? The install medium holds every package a Xen or KVM host needs, so it needs no network; the mirror defaults to the one this system uses."));
		else
			tui_dialog_text(d, _("Where do the packages come from? The mirror defaults to the one this system uses."));
		kind = tui_dialog_radio(d, _("Source:"), kinds, 2, c->plan.src);
		url = tui_dialog_entry(d, _("Mirror URL:"), c->plan.mirror, 0);
		suite = tui_dialog_entry(d, _("Release:"), c->plan.suite, 0);
		dir = tui_dialog_entry(d, _("Directory:"), c->plan.local_dir, 0);
		sec = tui_dialog_check(d, _("Install security updates"), c->plan.security);
		rc = tui_dialog_run(d);
		c->plan.src = tui_dialog_selected(d, kind) == 0 ? INST_SRC_MIRROR : INST_SRC_LOCAL;
		INST_COPY(c->plan.mirror, tui_dialog_value(d, url));
		INST_COPY(c->plan.suite, tui_dialog_value(d, suite));
		INST_COPY(c->plan.local_dir, tui_dialog_value(d, dir));
		c->plan.security = tui_dialog_checked(d, sec);
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		if (c->plan.src == INST_SRC_MIRROR && inst_valid_url(c->plan.mirror, &cause) < 0) {
			inst_scr_error(_("Installation Source"), cause);
			continue;
		}
		if (c->plan.src == INST_SRC_LOCAL && c->plan.local_dir[0] != '/') {
			inst_scr_error(_("Installation Source"),
				       strdup(_("The directory must be an absolute path.")));
			continue;
		}
		if (!*c->plan.suite) {
			inst_scr_error(_("Installation Source"), strdup(_("The release is empty.")));
			continue;
		}
		return TUI_NEXT;
	}
}

/* Rename default bridge names when the hypervisor changes (xenbrN <-> brN). */
static void follow_hv_names(struct inst_plan *p)
{
	for (size_t i = 0; i < p->n_bridges; i++) {
		char *n = p->bridges[i].name;
		unsigned k;
		char rest;

		if (p->hv == INST_HV_KVM && sscanf(n, "xenbr%u%c", &k, &rest) == 1)
			snprintf(p->bridges[i].name, sizeof(p->bridges[i].name), "br%u", k);
		else if (p->hv == INST_HV_XEN && sscanf(n, "br%u%c", &k, &rest) == 1)
			snprintf(p->bridges[i].name, sizeof(p->bridges[i].name), "xenbr%u", k);
	}
}

int inst_scr_hypervisor(struct inst_ctx *c)
{
	struct inst_plan *p = &c->plan;

	/* One bridge per NIC, as the seed had; entries keep the operator's edits. */
	if (!c->bridges_custom && p->n_bridges != c->n_nics)
		inst_plan_default_bridges(p, c->nics, c->n_nics);
	for (;;) {
		const char *hvs[2] = { _("Xen"), _("KVM") };
		struct tui_dialog *d = tui_dialog_new(_("Hypervisor and Bridges"));
		char mem[16], *cause = NULL;
		int hv, memid, br[INST_MAX_BRIDGES], rc;
		size_t nb = c->n_nics < INST_MAX_BRIDGES ? c->n_nics : INST_MAX_BRIDGES;
		enum inst_hv old = p->hv;

		snprintf(mem, sizeof(mem), "%u", p->dom0_mem_mib);
		tui_dialog_text(d, _("Xen runs the host as dom0 with a fixed memory size. Each network device gets a bridge for the guests; leave a name empty for no bridge. The host's address goes on the bridge of the device chosen before."));
		hv = tui_dialog_radio(d, _("Hypervisor:"), hvs, 2, p->hv);
		memid = tui_dialog_entry(d, _("Dom0 memory (MiB):"), mem, 0);
		for (size_t i = 0; i < nb; i++) {
			char label[64];
			const char *name = "";

			for (size_t b = 0; b < p->n_bridges; b++)
				if (!strcmp(p->bridges[b].nic, c->nics[i].name))
					name = p->bridges[b].name;
			/* TRANSLATORS: %s is a network device such as eth0. */
			snprintf(label, sizeof(label), _("Bridge on %s:"), c->nics[i].name);
			br[i] = tui_dialog_entry(d, label, name, 0);
		}
		rc = tui_dialog_run(d);
		p->hv = tui_dialog_selected(d, hv) == 0 ? INST_HV_XEN : INST_HV_KVM;
		INST_COPY(mem, tui_dialog_value(d, memid));
		p->n_bridges = 0;
		for (size_t i = 0; i < nb; i++) {
			const char *name = tui_dialog_value(d, br[i]);

			if (!*name)
				continue;
			INST_COPY(p->bridges[p->n_bridges].name, name);
			INST_COPY(p->bridges[p->n_bridges].nic, c->nics[i].name);
			INST_COPY(p->bridges[p->n_bridges].mac, c->nics[i].mac);
			p->n_bridges++;
		}
		tui_dialog_free(d);
		if (p->hv != old)
			follow_hv_names(p);
		else
			c->bridges_custom = true;
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		uint64_t mib = 0;

		if (p->hv == INST_HV_XEN) {
			if (inst_valid_size(mem, &mib, &cause) < 0) {
				inst_scr_error(_("Hypervisor and Bridges"), cause);
				continue;
			}
			if (mib < 512 || (c->ram_mib && mib >= c->ram_mib)) {
				base_cause(&cause, 0, _("Dom0 memory must be at least 512 MiB and less than the %llu MiB of this machine."),
					   (unsigned long long)c->ram_mib);
				inst_scr_error(_("Hypervisor and Bridges"), cause);
				continue;
			}
			p->dom0_mem_mib = mib;
		}
		if (p->hv != old)
			continue;   /* show the renamed bridges before going on */
		int bad = 0;

		for (size_t i = 0; i < p->n_bridges && !bad; i++) {
			if (inst_valid_bridge_name(p->bridges[i].name, &cause) < 0)
				bad = 1;
			for (size_t j = 0; j < i && !bad; j++)
				if (!strcmp(p->bridges[i].name, p->bridges[j].name))
					bad = 1, base_cause(&cause, 0,
							    _("The bridge name %s is used twice."),
							    p->bridges[i].name);
		}
		if (bad) {
			inst_scr_error(_("Hypervisor and Bridges"), cause);
			continue;
		}
		return TUI_NEXT;
	}
}
