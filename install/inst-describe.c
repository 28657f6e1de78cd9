/* The plan in a few sentences, shared by the summary screen and the unattended output and log. */
#include "inst.h"
#include "base/base.h"
#include "base/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One sentence and its newline. */
static void sentence(struct base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sentence(struct base_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_buf_vprintf(b, fmt, ap);
	va_end(ap);
	base_buf_str(b, "\n");
}

/* The items of a NULL-terminated list, comma-separated, or "-" for none. */
static void list_words(struct base_buf *b, char *const *list)
{
	if (!list || !list[0])
		base_buf_str(b, "-");
	for (size_t i = 0; list && list[i]; i++)
		base_buf_printf(b, "%s%s", i ? ", " : "", list[i]);
}

/* The addresses besides the management one: "xenbr1 198.51.100.10/24, eth2 from DHCP". */
static void other_addresses(struct base_buf *b, const struct inst_plan *p)
{
	struct base_buf s = { 0 };

	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct inst_addr *x = &p->addrs[i];

		base_buf_printf(&s, "%s%s ", i ? ", " : "", x->dev);
		if (x->dhcp)
			base_buf_str(&s, _("from DHCP"));
		else
			base_buf_printf(&s, "%s/%u", x->ip, x->prefix);
		if (!x->dhcp && *x->gateway)
			base_buf_printf(&s, " (%s %s)", _("gateway"), x->gateway);
		if (*x->ipv6)
			base_buf_printf(&s, " + %s", x->ipv6);
	}
	if (s.s)
		sentence(b, _("Other addresses: %s."), s.s);
	free(s.s);
}

/* The accounts besides root: "alice (sudo, libvirt), bob (locked)". */
static void users(struct base_buf *b, const struct inst_plan *p)
{
	struct base_buf s = { 0 };

	for (size_t i = 0; i < p->n_users; i++) {
		const struct inst_user *u = &p->users[i];

		base_buf_printf(&s, "%s%s", i ? ", " : "", u->name);
		if (*u->groups || u->lock)
			base_buf_printf(&s, " (%s%s%s)", u->groups, *u->groups && u->lock ? ", " : "",
					u->lock ? _("locked") : "");
	}
	if (s.s)
		sentence(b, _("Users besides root: %s."), s.s);
	free(s.s);
}

void inst_plan_describe(const struct inst_plan *p, struct base_buf *b)
{
	const struct inst_bridge *mgmt = inst_plan_mgmt_bridge(p);

	sentence(b, _("Hypervisor: %s; host name %s; address %s on %s."),
		 p->hv == INST_HV_XEN ? "Xen" : "KVM", p->hostname,
		 p->dhcp ? _("from DHCP") : p->ip, mgmt ? mgmt->name : (*p->nic ? p->nic : "-"));
	other_addresses(b, p);
	/* The screens may speak the other language (F2): say what the host will get. */
	sentence(b, _("Host language %s, keyboard %s, time zone %s."),
		 *p->locale ? p->locale : !strcmp(p->lang, "it") ? "Italiano" : "English",
		 p->keyboard, p->timezone);
	users(b, p);
	if (p->firewall) {
		struct base_buf ports = { 0 }, trust = { 0 };

		list_words(&ports, p->fw_ports);
		list_words(&trust, p->fw_trust);
		sentence(b, _("Firewall: on; open ports: %s; trusted interfaces: %s."),
			 ports.oom ? "" : ports.s, trust.oom ? "" : trust.s);
		free(ports.s);
		free(trust.s);
	} else {
		sentence(b, "%s", _("Firewall: none, as on a Debian host by default."));
	}
	sentence(b, _("Packages from %s (%s)."),
		 p->src == INST_SRC_MIRROR ? p->mirror : p->local_dir, p->suite);
	for (size_t i = 0; i < p->n_repos; i++)
		sentence(b, p->repos[i].trusted ? _("Also packages from %s (%s), unsigned.")
						: _("Also packages from %s (%s), signed by its key."),
			 p->repos[i].url, p->repos[i].name);
}
