/* The answer file's commands and sections, each checked and then written into the install plan. */
#include "ks-priv.h"
#include "base/i18n.h"
#include "hostcfg/hcfg-target.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define KS_MAX_SCRIPTS  64
#define KS_MAX_PACKAGES 1000

/* ---- helpers ------------------------------------------------------------- */

static void opt_err(void *opaque, const char *msg)
{
	struct ks *k = opaque;

	if (k->args_unsup && *k->args_unsup)
		ks_err_unsupported(k, "%s", msg);
	else
		ks_err(k, "%s", msg);
}

/*
 * Sort a command's words into @a; count the problems, positional words
 * beyond @max included. The caller checks for too few itself, with a
 * message that says what is missing.
 */
static unsigned args(struct ks *k, char **w, const struct inst_ks_optdef *defs,
		     const char *const *unsupported, struct inst_ks_args *a, size_t max)
{
	unsigned bad;

	k->args_unsup = &a->unsupported;
	bad = inst_ks_options(w[0], w + 1, defs, unsupported, a, opt_err, k);
	k->args_unsup = NULL;

	if (a->n_pos > max) {
		if (max == 0)
			ks_err(k, _("The command %s takes no arguments, but \"%s\" follows it."), w[0],
			       ks_q(k, a->pos[max]));
		else
			ks_err(k, _("The command %s does not take the argument \"%s\"."), w[0],
			       ks_q(k, a->pos[max]));
		bad++;
	}
	return bad;
}

/* Report the cause of a failed check (rc < 0); true when it failed. */
static bool failed(struct ks *k, int rc, char **cause)
{
	if (rc >= 0)
		return false;
	ks_err_cause(k, *cause);
	*cause = NULL;
	return true;
}

/* Does @v fit in a plan field of @size bytes? Say so when not. */
static bool fits(struct ks *k, const char *what, const char *v, size_t size)
{
	if (strlen(v) < size)
		return true;
	ks_err(k, _("The value of %s is longer than %zu characters."), what, size - 1);
	return false;
}

/* A whole number of MiB, as Anaconda's --size. */
static bool parse_mib(struct ks *k, const char *opt, const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || n == 0 || n > (1ULL << 30)) {
		ks_err(k, _("The value \"%s\" of --%s is not a size in MiB: write a whole number, such as 2048."),
		       ks_q(k, v), opt);
		return false;
	}
	*out = n;
	return true;
}

/* Split a comma-separated list into a NULL-terminated one; empty items are refused. */
static char **split_commas(struct ks *k, const char *opt, const char *v, unsigned *bad)
{
	char **list = NULL, *copy = strdup(v), *save = NULL;

	if (!copy)
		abort();
	if (!*v || *v == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,")) {
		ks_err(k, _("The list \"%s\" of --%s has an empty item."), ks_q(k, v), opt);
		(*bad)++;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!inst_list_has(list, t))
			inst_list_add(&list, t);
	free(copy);
	return list;
}

/* "sda", "/dev/sda" and "disk/by-id/..." all become a path under /dev. */
static bool disk_name(struct ks *k, const char *in, char *out, size_t len)
{
	bool ok = *in && strlen(in) < 200 && !strstr(in, "..") && !strstr(in, "//");

	for (const char *c = in; ok && *c; c++)
		ok = isascii((unsigned char)*c) && (isalnum((unsigned char)*c) || strchr("/._:@+-", *c));
	if (!ok || in[strlen(in) - 1] == '/') {
		ks_err(k, _("\"%s\" is not a disk name: write sda, /dev/sda or disk/by-id/NAME."),
		       ks_q(k, in));
		return false;
	}
	if (in[0] == '/')
		snprintf(out, len, "%s", in);
	else
		snprintf(out, len, "/dev/%s", in);
	return true;
}

/* Turn a list of disk names into normalised ones; false after reporting a bad one. */
static bool disk_list(struct ks *k, const char *opt, const char *v, char ***out)
{
	unsigned bad = 0;
	char **raw = split_commas(k, opt, v, &bad), **list = NULL;

	for (size_t i = 0; raw && raw[i]; i++) {
		char d[256];

		if (!disk_name(k, raw[i], d, sizeof(d)))
			bad++;
		else if (!inst_list_has(list, d))
			inst_list_add(&list, d);
	}
	inst_list_free(&raw);
	if (bad) {
		inst_list_free(&list);
		return false;
	}
	*out = list;
	return true;
}

static bool is_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* ---- commands -------------------------------------------------------------- */

/*
 * Is @name (ll_CC.UTF-8, ll_CC.UTF-8@mod, or a bare ll_CC[@mod]) a UTF-8 locale
 * Debian has? Where this system has the list of the locales package, it must
 * be in it.
 */
static bool locale_known(const char *name)
{
	FILE *f = fopen("/usr/share/i18n/SUPPORTED", "re");
	char line[256];
	size_t n = strlen(name);
	bool found = false;

	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, n) && line[n] == ' ' && !strncmp(line + n + 1, "UTF-8", 5);
	fclose(f);
	return found;
}

/*
 * The host's locale from Anaconda's lang: "cs_CZ.UTF-8", "en_GB", "cs_CZ.utf8",
 * "ca_ES.UTF-8@valencia" (the @ part kept). The host gets its UTF-8 form,
 * which Debian lists as LANG.UTF-8, or by its bare name for the few UTF-8
 * locales named without a charset (sr_RS, ca_ES@valencia); the installer
 * itself speaks Italian or English.
 */
static void cmd_lang(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = { { NULL, 0, NULL } };
	static const char *const unsup[] = { "addsupport=", NULL };
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 1);
	const char *l = a.n_pos ? a.pos[0] : NULL;
	char base[48] = "", mod[24] = "", loc[80];
	bool ok = false;

	if (!l) {
		ks_err(k, _("The command lang needs a language, such as en_US.UTF-8 or it_IT.UTF-8."));
		free(a.pos);
		return;
	}
	if (!strcmp(l, "en") || !strcmp(l, "it")) {
		snprintf(base, sizeof(base), "%s", !strcmp(l, "it") ? "it_IT" : "en_US");
		ok = true;
	} else {
		size_t n = strcspn(l, ".@");
		const char *at = strchr(l, '@'), *dot = strchr(l, '.');

		ok = n >= 5 && n < sizeof(base) && islower((unsigned char)l[0]) && strchr(l, '_') &&
		     strchr(l, '_') < l + n && (!at || strlen(at) < sizeof(mod));
		for (size_t i = 0; ok && l[i]; i++)
			ok = isascii((unsigned char)l[i]) && (isalnum((unsigned char)l[i]) ||
			     strchr("_.@-", l[i]));
		if (ok) {
			snprintf(base, sizeof(base), "%.*s", (int)n, l);
			if (at)
				snprintf(mod, sizeof(mod), "%s", at);
			/* Another character set than UTF-8 becomes UTF-8: Debian's hosts use it. */
			if (dot && (!at || dot < at) &&
			    strncasecmp(dot + 1, "utf-8", 5) && strncasecmp(dot + 1, "utf8", 4))
				ks_warn(k, _("The host gets the language %s in UTF-8, not in the character set the file names."),
					base);
		}
	}
	snprintf(loc, sizeof(loc), "%s.UTF-8%s", base, mod);
	/* Debian lists a few UTF-8 locales by their bare name: sr_RS, ca_ES@valencia. */
	if (ok && !locale_known(loc)) {
		char bare[80];

		snprintf(bare, sizeof(bare), "%s%s", base, mod);
		if (locale_known(bare))
			INST_COPY(loc, bare);
	}
	if (!ok) {
		ks_err(k, _("\"%s\" is not a language name such as en_US.UTF-8 or cs_CZ.UTF-8."), ks_q(k, l));
	} else if (strlen(loc) >= sizeof(k->p->locale) || !locale_known(loc)) {
		ks_err(k, _("The language \"%s\" is not one Debian has in UTF-8."), ks_q(k, l));
	} else if (!bad) {
		INST_COPY(k->p->lang, !strncmp(base, "it_", 3) ? "it" : "en");
		/* The installer's own language needs no locale of its own. */
		INST_COPY(k->p->locale, strcmp(loc, !strncmp(base, "it_", 3) ? "it_IT.UTF-8" : "en_US.UTF-8") ?
			  loc : "");
		k->lang_set = true;
	}
	free(a.pos);
}

static bool layout_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) || !(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/*
 * Console keymap names (what RHEL's keyboard command and --vckeymap take)
 * that are not XKB layout names, with the XKB layout and variant they stand
 * for, as in systemd-localed's kbd-model-map.
 */
static const struct { const char *vc, *layout, *variant; } keymaps[] = {
	{ "uk", "gb", "" }, { "de-latin1", "de", "" }, { "de-latin1-nodeadkeys", "de", "nodeadkeys" },
	{ "de-nodeadkeys", "de", "nodeadkeys" }, { "fr-latin1", "fr", "" },
	{ "fr-latin9", "fr", "latin9" }, { "fr-pc", "fr", "" }, { "fr_CH", "ch", "fr" },
	{ "fr_CH-latin1", "ch", "fr" }, { "sg", "ch", "de_nodeadkeys" }, { "sg-latin1", "ch", "de_nodeadkeys" },
	{ "it2", "it", "" }, { "it-ibm", "it", "ibm" }, { "sv-latin1", "se", "" }, { "se-latin1", "se", "" },
	{ "fi-latin1", "fi", "" }, { "no-latin1", "no", "" }, { "dk-latin1", "dk", "" },
	{ "pl2", "pl", "" }, { "cz-us-qwertz", "cz", "" }, { "cz-lat2", "cz", "qwerty" },
	{ "sk-qwerty", "sk", "qwerty" }, { "sk-qwertz", "sk", "" }, { "slovene", "si", "" },
	{ "croat", "hr", "" }, { "trq", "tr", "" }, { "tr_q-latin5", "tr", "" }, { "pt-latin1", "pt", "" },
	{ "br-abnt2", "br", "" }, { "es-latin1", "es", "" }, { "la-latin1", "latam", "" },
	{ "be-latin1", "be", "" }, { "nl2", "nl", "" }, { "jp106", "jp", "" }, { "ko", "kr", "" },
	{ "us-acentos", "us", "intl" }, { "dvorak", "us", "dvorak" }, { "ua-utf", "ua", "" },
	{ "bg_bds-utf8", "bg", "" }, { "is-latin1", "is", "" }, { "et", "ee", "" },
	{ "mk-utf", "mk", "" }, { "ro_win", "ro", "" }, { "sr-cy", "rs", "" }, { "hu101", "hu", "" },
	{ "ru1", "ru", "" }, { "ru-ms", "ru", "" }, { "gr-pc", "gr", "" },
};

static void cmd_keyboard(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "vckeymap", INST_KS_VALUE, NULL }, { "xlayouts", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { "switch=", NULL };
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 1);
	char layout[64] = "", variant[64] = "";

	if (a.val[1]) {
		/* The first of the X layouts, "de" or "de (nodeadkeys)". */
		const char *x = a.val[1];
		size_t n = strcspn(x, ","), ln = strcspn(x, " (,");
		const char *open = memchr(x, '(', n), *close = open ? memchr(open, ')', n - (open - x)) : NULL;

		snprintf(layout, sizeof(layout), "%.*s", (int)(ln < 63 ? ln : 63), x);
		if (open && close && close > open + 1 && (size_t)(close - open) < sizeof(variant))
			snprintf(variant, sizeof(variant), "%.*s", (int)(close - open - 1), open + 1);
		else if (open)
			layout[0] = '\0';
	} else if (a.val[0] || a.n_pos) {
		const char *vc = a.val[0] ? a.val[0] : a.pos[0];

		snprintf(layout, sizeof(layout), "%s", vc);
		for (size_t i = 0; i < sizeof(keymaps) / sizeof(keymaps[0]); i++)
			if (!strcmp(vc, keymaps[i].vc)) {
				snprintf(layout, sizeof(layout), "%s", keymaps[i].layout);
				snprintf(variant, sizeof(variant), "%s", keymaps[i].variant);
			}
	}
	if (!a.val[0] && !a.val[1] && !a.n_pos) {
		ks_err(k, _("The command keyboard needs a layout, such as us or it."));
	} else if (!layout_ok(layout) || (*variant && !layout_ok(variant))) {
		ks_err(k, _("\"%s\" is not a keyboard layout name, such as us or it."),
		       ks_q(k, a.val[1] ? a.val[1] : a.val[0] ? a.val[0] : a.pos[0]));
	} else if (!bad) {
		INST_COPY(k->p->keyboard, layout);
		INST_COPY(k->p->kbd_variant, variant);
		k->keyboard_set = true;
	}
	free(a.pos);
}

static bool zone_ok(struct ks *k, const char *z)
{
	struct stat st;
	char path[128];
	bool ok = *z && z[0] != '/' && strlen(z) < 64 && !strstr(z, "..") && !strstr(z, "//");

	for (const char *c = z; ok && *c; c++)
		ok = isascii((unsigned char)*c) && (isalnum((unsigned char)*c) || strchr("/_+-.", *c));
	if (!ok) {
		ks_err(k, _("\"%s\" is not a time zone name, such as Europe/Rome."), ks_q(k, z));
		return false;
	}
	/* Where this system has the zone database, the zone must be in it. */
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", z);
	if (stat("/usr/share/zoneinfo", &st) == 0 && S_ISDIR(st.st_mode) &&
	    (stat(path, &st) < 0 || !S_ISREG(st.st_mode))) {
		ks_err(k, _("The time zone \"%s\" does not exist."), ks_q(k, z));
		return false;
	}
	return true;
}

static void cmd_timezone(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "utc", INST_KS_FLAG, NULL }, { "isUtc", INST_KS_FLAG, "utc" },
		{ "nontp", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { "ntpservers=", NULL };
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 1);

	if (a.val[2])
		ks_warn(k, _("The option --nontp of the command timezone changes nothing: ospite installs no time service."));

	if (!a.n_pos)
		ks_err(k, _("The command timezone needs a time zone, such as Europe/Rome."));
	else if (zone_ok(k, a.pos[0]) && !bad) {
		INST_COPY(k->p->timezone, a.pos[0]);
		/* As in Anaconda, without --utc the hardware clock keeps local time. */
		k->p->utc = a.val[0] != NULL;
		k->timezone_set = true;
	}
	free(a.pos);
}

enum { NET_DEVICE, NET_BOOTPROTO, NET_IP, NET_NETMASK, NET_GATEWAY, NET_NAMESERVER, NET_HOSTNAME,
       NET_ACTIVATE, NET_BRIDGESLAVES, NET_ONBOOT, NET_NOIPV6, NET_IPV6, NET_NODEFROUTE };

/* Anaconda's --onboot takes yes/no in the spellings of its own option parser. */
static bool onboot_value(const char *v, bool *on)
{
	static const char *const yes[] = { "yes", "on", "true", "1", NULL };
	static const char *const no[] = { "no", "off", "false", "0", NULL };

	for (size_t i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return *on = true;
	for (size_t i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i])) {
			*on = false;
			return true;
		}
	return false;
}

/* A network command that declares a bridge: check it against the others and keep it. */
static bool add_bridge(struct ks *k, const char *name, const char *nic)
{
	struct inst_plan *p = k->p;
	char where[320];

	for (size_t i = 0; i < p->n_bridges; i++) {
		if (!strcmp(p->bridges[i].name, name)) {
			ks_err(k, _("The bridge %s is already declared at %s."), name,
			       ks_where(k, p->bridges[i].src, where, sizeof(where)));
			return false;
		}
		if (!strcmp(p->bridges[i].nic, nic)) {
			ks_err(k, _("The network device %s is already in the bridge %s declared at %s."),
			       nic, p->bridges[i].name,
			       ks_where(k, p->bridges[i].src, where, sizeof(where)));
			return false;
		}
	}
	if (p->n_bridges >= INST_MAX_BRIDGES) {
		ks_err(k, _("ospite makes at most %d bridges."), INST_MAX_BRIDGES);
		return false;
	}
	INST_COPY(p->bridges[p->n_bridges].name, name);
	INST_COPY(p->bridges[p->n_bridges].nic, nic);
	p->bridges[p->n_bridges].mac[0] = '\0';
	p->bridges[p->n_bridges].src = k->at;
	p->n_bridges++;
	return true;
}

static void cmd_network(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		[NET_DEVICE] = { "device", INST_KS_VALUE, NULL },
		[NET_BOOTPROTO] = { "bootproto", INST_KS_VALUE, NULL },
		[NET_IP] = { "ip", INST_KS_VALUE, NULL },
		[NET_NETMASK] = { "netmask", INST_KS_VALUE, NULL },
		[NET_GATEWAY] = { "gateway", INST_KS_VALUE, NULL },
		[NET_NAMESERVER] = { "nameserver", INST_KS_VALUE, NULL },
		[NET_HOSTNAME] = { "hostname", INST_KS_VALUE, NULL },
		[NET_ACTIVATE] = { "activate", INST_KS_FLAG, NULL },
		[NET_BRIDGESLAVES] = { "bridgeslaves", INST_KS_VALUE, NULL },
		[NET_ONBOOT] = { "onboot", INST_KS_VALUE, NULL },
		[NET_NOIPV6] = { "noipv6", INST_KS_FLAG, NULL },
		[NET_IPV6] = { "ipv6", INST_KS_VALUE, NULL },
		[NET_NODEFROUTE] = { "nodefroute", INST_KS_FLAG, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const unsup[] = {
		"noipv4", "ipv6gateway=", "mtu=", "ethtool=", "essid=",
		"wepkey=", "wpakey=", "dhcpclass=", "bondslaves=", "bondopts=", "vlanid=",
		"interfacename=", "teamslaves=", "teamconfig=", "bridgeopts=", "nodns",
		"bindto=", "no-activate", NULL,
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	const char *dev = a.val[NET_DEVICE], *proto = a.val[NET_BOOTPROTO];
	const char *host = a.val[NET_HOSTNAME], *slaves = a.val[NET_BRIDGESLAVES];
	char **slave = NULL, *cause = NULL, dns[sizeof(p->dns)] = "", where[320];
	bool addr, extra, any_addr_opt = false, onboot = true;
	unsigned prefix = 0;

	for (int i = NET_IP; i <= NET_NAMESERVER; i++)
		any_addr_opt |= a.val[i] != NULL;
	if (!proto && (dev || slaves || any_addr_opt))
		proto = "dhcp";   /* Anaconda's default */
	if (a.val[NET_ONBOOT] && !onboot_value(a.val[NET_ONBOOT], &onboot)) {
		ks_err(k, _("The value \"%s\" of --onboot is not valid: write yes or no."),
		       ks_q(k, a.val[NET_ONBOOT]));
		bad++;
	}
	if (a.val[NET_IPV6] && failed(k, inst_valid_ipv6(a.val[NET_IPV6], &cause), &cause))
		bad++;
	if (a.val[NET_IPV6] && (a.val[NET_NOIPV6] || p->noipv6)) {
		ks_err(k, _("The options --ipv6 and --noipv6 exclude each other: IPv6 is on or off for the whole host."));
		bad++;
	}
	if (a.val[NET_NOIPV6]) {
		bool v6 = *p->ipv6;

		for (size_t i = 0; i < p->n_addrs; i++)
			v6 |= *p->addrs[i].ipv6 != '\0';
		if (v6) {
			ks_err(k, _("The options --ipv6 and --noipv6 exclude each other: IPv6 is on or off for the whole host."));
			bad++;
		}
	}
	/* An interface that does not come up at boot gets no address: as a bridge port it still does. */
	if (!onboot && proto && strcmp(proto, "none")) {
		ks_warn(k, _("The device of a network command with --onboot=no gets no address; a bridge port still comes up with its bridge."));
		proto = "none";
		for (int i = NET_IP; i <= NET_NAMESERVER; i++)
			a.val[i] = NULL;
	}
	if (!proto && !host) {
		ks_err(k, _("The command network needs --device, --bootproto or --hostname."));
		bad++;
	}
	if (proto && strcmp(proto, "dhcp") && strcmp(proto, "static") && strcmp(proto, "none")) {
		ks_err(k, _("The value \"%s\" of --bootproto is not valid: write dhcp, static or none."),
		       ks_q(k, proto));
		bad++;
		proto = NULL;
	}
	addr = proto && strcmp(proto, "none");
	if (slaves) {
		if (!dev) {
			ks_err(k, _("A network command with --bridgeslaves needs --device naming the bridge."));
			bad++;
		} else if (failed(k, inst_valid_bridge_name(dev, &cause), &cause)) {
			bad++;
		}
		slave = split_commas(k, "bridgeslaves", slaves, &bad);
		if (inst_list_len(slave) > 1) {
			ks_err(k, _("A bridge made by ospite carries one network device, but --bridgeslaves names %zu."),
			       inst_list_len(slave));
			bad++;
		} else if (slave && failed(k, inst_valid_ifname(slave[0], &cause), &cause)) {
			bad++;
		}
	} else if (dev && !is_mac(dev) && strcmp(dev, "link") &&
		   failed(k, inst_valid_ifname(dev, &cause), &cause)) {
		bad++;
	}
	if (proto && !strcmp(proto, "static")) {
		if (!a.val[NET_IP] || !a.val[NET_NETMASK]) {
			ks_err(k, _("A network command with --bootproto=static needs --ip and --netmask."));
			bad++;
		}
		if (a.val[NET_IP] && (failed(k, inst_valid_ipv4(a.val[NET_IP], &cause), &cause) ||
				      !fits(k, "--ip", a.val[NET_IP], sizeof(p->ip))))
			bad++;
		if (a.val[NET_NETMASK] &&
		    failed(k, inst_valid_prefix(a.val[NET_NETMASK], &prefix, &cause), &cause))
			bad++;
		if (a.val[NET_GATEWAY] &&
		    (failed(k, inst_valid_ipv4(a.val[NET_GATEWAY], &cause), &cause) ||
		     !fits(k, "--gateway", a.val[NET_GATEWAY], sizeof(p->gateway))))
			bad++;
		if (a.val[NET_NAMESERVER]) {
			char **list = split_commas(k, "nameserver", a.val[NET_NAMESERVER], &bad);

			for (size_t i = 0; list && list[i]; i++) {
				if (failed(k, inst_valid_dns(list[i], &cause), &cause))
					bad++;
				else
					snprintf(dns + strlen(dns), sizeof(dns) - strlen(dns), "%s%s",
						 *dns ? " " : "", list[i]);
			}
			/* The plan holds the servers blank-separated, as long as the option was. */
			if (!fits(k, "--nameserver", a.val[NET_NAMESERVER], sizeof(dns)))
				bad++;
			inst_list_free(&list);
		}
	} else {
		for (int i = NET_IP; i <= NET_NAMESERVER; i++)
			if (a.val[i]) {
				ks_err(k, _("The option --%s of the command network needs --bootproto=static."),
				       defs[i].name);
				bad++;
			}
	}
	if (host && (failed(k, inst_valid_hostname(host, &cause), &cause) ||
		     !fits(k, "--hostname", host, sizeof(p->hostname))))
		bad++;
	else if (host && k->hostname_src.line && strcmp(host, p->hostname)) {
		ks_err(k, _("The host name is already set to %s at %s."), p->hostname,
		       ks_where(k, k->hostname_src, where, sizeof(where)));
		bad++;
	}
	/* The first address is the management one; each later one is an extra address. */
	extra = addr && k->addr_src.line;
	if (extra && (!dev || !strcmp(dev, "link") || is_mac(dev))) {
		ks_err(k, _("A second address needs --device with the name of the network device or bridge, such as eth1 or xenbr1; the first is at %s."),
		       ks_where(k, k->addr_src, where, sizeof(where)));
		bad++;
	}
	if (extra && p->n_addrs >= INST_MAX_BRIDGES) {
		ks_err(k, _("ospite configures at most %d addresses besides the first."), INST_MAX_BRIDGES);
		bad++;
	}
	if (extra && !bad) {
		const char *d = slave ? slave[0] : dev;

		if (!strcmp(d, p->nic)) {
			ks_err(k, _("The device %s already has the address set at %s."), d,
			       ks_where(k, k->addr_src, where, sizeof(where)));
			bad++;
		}
		for (size_t i = 0; i < p->n_addrs; i++)
			if (!strcmp(p->addrs[i].dev, d) || !strcmp(p->addrs[i].dev, dev)) {
				ks_err(k, _("The device %s already has the address set at %s."), d,
				       ks_where(k, p->addrs[i].src, where, sizeof(where)));
				bad++;
			}
	}
	/* One address holds the default gateway, as a host has one default route. */
	if (addr && a.val[NET_GATEWAY] && !a.val[NET_NODEFROUTE] && k->gateway_src.line) {
		ks_err(k, _("The default gateway is already set at %s: give the other addresses no --gateway, or --nodefroute."),
		       ks_where(k, k->gateway_src, where, sizeof(where)));
		bad++;
	}
	if (bad || (slave && !add_bridge(k, dev, slave[0])))
		goto out;
	if (a.val[NET_NOIPV6])
		p->noipv6 = true;
	if (addr && a.val[NET_GATEWAY] && !a.val[NET_NODEFROUTE])
		k->gateway_src = k->at;
	if (extra) {
		struct inst_addr *x = &p->addrs[p->n_addrs++];

		memset(x, 0, sizeof(*x));
		/* A bridge line names the bridge, which carries the address. */
		INST_COPY(x->dev, dev);
		x->dhcp = !strcmp(proto, "dhcp");
		if (!x->dhcp) {
			INST_COPY(x->ip, a.val[NET_IP]);
			x->prefix = prefix;
			if (a.val[NET_GATEWAY] && !a.val[NET_NODEFROUTE])
				INST_COPY(x->gateway, a.val[NET_GATEWAY]);
			if (*dns && !*p->dns)
				INST_COPY(p->dns, dns);
		}
		if (a.val[NET_IPV6])
			INST_COPY(x->ipv6, a.val[NET_IPV6]);
		x->nodefroute = x->dhcp && a.val[NET_NODEFROUTE];
		x->src = k->at;
		addr = false;
		k->addr_nic_lines[p->n_addrs] = !slave;
	}
	if (host) {
		INST_COPY(p->hostname, host);
		k->hostname_src = k->at;
	}
	if (addr) {
		k->addr_src = k->at;
		p->src_network = k->at;
		p->dhcp = !strcmp(proto, "dhcp");
		p->nodefroute = p->dhcp && a.val[NET_NODEFROUTE];
		if (!p->dhcp) {
			INST_COPY(p->ip, a.val[NET_IP]);
			p->prefix = prefix;
			INST_COPY(p->gateway, a.val[NET_GATEWAY] && !a.val[NET_NODEFROUTE] ?
				  a.val[NET_GATEWAY] : "");
			INST_COPY(p->dns, dns);
		}
		if (a.val[NET_IPV6])
			INST_COPY(p->ipv6, a.val[NET_IPV6]);
		k->addr_nic_lines[0] = !slave;
		p->nic[0] = p->nic_mac[0] = '\0';
		p->nic_link = false;
		if (slave)
			INST_COPY(p->nic, slave[0]);
		else if (dev && !strcmp(dev, "link"))
			p->nic_link = true;
		else if (dev && is_mac(dev)) {
			INST_COPY(p->nic_mac, dev);
			for (char *c = p->nic_mac; *c; c++)
				*c = tolower((unsigned char)*c);
		} else if (dev)
			INST_COPY(p->nic, dev);
	}
out:
	inst_list_free(&slave);
	free(a.pos);
}

static void cmd_rootpw(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "iscrypted", INST_KS_FLAG, NULL }, { "plaintext", INST_KS_FLAG, NULL },
		{ "lock", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { "allow-ssh", NULL };
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 1);
	const char *pw = a.n_pos ? a.pos[0] : NULL;
	char *cause = NULL;

	p->src_rootpw = k->at;
	if (a.val[0] && a.val[1]) {
		ks_err(k, _("The options --iscrypted and --plaintext of the command rootpw exclude each other."));
		bad++;
	}
	if (!pw && !a.val[2]) {
		ks_err(k, _("The command rootpw needs a password (or --lock)."));
		bad++;
	} else if (!pw && (a.val[0] || a.val[1])) {
		ks_err(k, _("The command rootpw needs a password after --iscrypted or --plaintext."));
		bad++;
	}
	if (pw && a.val[0] && a.val[2] && inst_valid_hash(pw, &cause) < 0) {
		/* A locked account needs no password: Anaconda files write a placeholder. */
		free(cause);
		cause = NULL;
		ks_warn(k, _("The password of the locked root account is not a password hash: root has no password."));
	} else if (pw && a.val[0]) {
		if (failed(k, inst_valid_hash(pw, &cause), &cause))
			bad++;
		else if (!bad)
			INST_COPY(p->root_hash, pw);
		if (!bad && inst_hash_weak(pw))
			ks_warn(k, _("The root password hash is an MD5 hash, which is weak: it is kept, but replace it with one made by mkpasswd, such as yescrypt."));
	} else if (pw) {
		if (strlen(pw) < 6) {
			ks_err(k, _("The root password must be at least 6 characters long."));
			bad++;
		} else if (!bad && failed(k, k->o->hash(pw, p->root_hash, sizeof(p->root_hash), &cause),
					  &cause)) {
			bad++;
		}
	}
	if (!bad)
		p->root_lock = a.val[2] != NULL;
	free(a.pos);
}

/* Accounts that Debian's base system already has: a user command cannot make them. */
static const char *const system_users[] = {
	"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
	"proxy", "www-data", "backup", "list", "irc", "gnats", "nobody", "_apt", "messagebus",
	"systemd-network", "systemd-timesync", "sshd", "libvirt-qemu", NULL,
};

/* A name useradd takes on Debian (NAME_REGEX of adduser), or a group name alike. */
static bool account_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || !(islower((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) || !(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* Is @item one of the comma-separated @list? */
static bool in_csv(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *c = list; *c; c += strcspn(c, ","), c += *c == ',')
		if (!strncmp(c, item, n) && (c[n] == ',' || !c[n]))
			return true;
	return false;
}

enum { USER_NAME, USER_GROUPS, USER_PASSWORD, USER_ISCRYPTED, USER_PLAINTEXT, USER_LOCK,
       USER_SHELL, USER_HOMEDIR, USER_UID, USER_GECOS };

static void cmd_user(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		[USER_NAME] = { "name", INST_KS_VALUE, NULL },
		[USER_GROUPS] = { "groups", INST_KS_VALUE, NULL },
		[USER_PASSWORD] = { "password", INST_KS_VALUE, NULL },
		[USER_ISCRYPTED] = { "iscrypted", INST_KS_FLAG, NULL },
		[USER_PLAINTEXT] = { "plaintext", INST_KS_FLAG, NULL },
		[USER_LOCK] = { "lock", INST_KS_FLAG, NULL },
		[USER_SHELL] = { "shell", INST_KS_VALUE, NULL },
		[USER_HOMEDIR] = { "homedir", INST_KS_VALUE, NULL },
		[USER_UID] = { "uid", INST_KS_VALUE, NULL },
		[USER_GECOS] = { "gecos", INST_KS_VALUE, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const unsup[] = { "gid=", NULL };
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	const char *name = a.val[USER_NAME], *pw = a.val[USER_PASSWORD], *v;
	struct inst_user u = { .uid = -1, .src = k->at };
	char *cause = NULL, where[320];

	if (!name) {
		ks_err(k, _("The command user needs --name."));
		bad++;
	} else if (!account_name_ok(name)) {
		ks_err(k, _("\"%s\" is not a user name: use lower-case letters, digits, _ and -, starting with a letter, at most 32."),
		       ks_q(k, name));
		bad++;
	} else {
		for (size_t i = 0; system_users[i]; i++)
			if (!strcmp(system_users[i], name)) {
				ks_err(k, _("The user %s is an account of the Debian system itself."), name);
				bad++;
			}
		for (size_t i = 0; i < p->n_users; i++)
			if (!strcmp(p->users[i].name, name)) {
				ks_err(k, _("The user %s is already made at %s."), name,
				       ks_where(k, p->users[i].src, where, sizeof(where)));
				bad++;
			}
		if (!bad)
			INST_COPY(u.name, name);
	}
	if ((v = a.val[USER_GROUPS])) {
		char **list = split_commas(k, "groups", v, &bad);

		for (size_t i = 0; list && list[i]; i++) {
			const char *g = list[i];

			/* RHEL's administrators' group is Debian's sudo, with the sudo package. */
			if (!strcmp(g, "wheel")) {
				ks_warn(k, _("The group wheel is Debian's group sudo: the user gets it, and the host the sudo package."));
				g = "sudo";
			}
			if (!account_name_ok(g)) {
				ks_err(k, _("\"%s\" is not a group name."), ks_q(k, g));
				bad++;
			} else if (strlen(u.groups) + strlen(g) + 2 > sizeof(u.groups)) {
				ks_err(k, _("The list of --groups is longer than %zu characters."),
				       sizeof(u.groups) - 1);
				bad++;
				break;
			} else if (!in_csv(u.groups, g)) {
				snprintf(u.groups + strlen(u.groups), sizeof(u.groups) - strlen(u.groups),
					 "%s%s", *u.groups ? "," : "", g);
			}
			if (!strcmp(g, "sudo") && !inst_list_has(p->packages, "sudo"))
				inst_list_add(&p->packages, "sudo");
		}
		inst_list_free(&list);
	}
	if (a.val[USER_ISCRYPTED] && a.val[USER_PLAINTEXT]) {
		ks_err(k, _("The options --iscrypted and --plaintext of the command user exclude each other."));
		bad++;
	}
	if ((a.val[USER_ISCRYPTED] || a.val[USER_PLAINTEXT]) && !pw) {
		ks_err(k, _("The command user needs --password with --iscrypted or --plaintext."));
		bad++;
	}
	if (pw && a.val[USER_ISCRYPTED]) {
		if (inst_valid_hash(pw, &cause) < 0) {
			free(cause);
			cause = NULL;
			ks_err(k, _("The password of the user is not a crypt(3) hash this system can check, such as one made by mkpasswd."));
			bad++;
		}
		else if (inst_hash_weak(pw))
			ks_warn(k, _("The password hash of the user is an MD5 hash, which is weak: it is kept, but replace it with one made by mkpasswd, such as yescrypt."));
		INST_COPY(u.hash, pw);
	} else if (pw) {
		if (failed(k, k->o->hash(pw, u.hash, sizeof(u.hash), &cause), &cause))
			bad++;
	}
	u.lock = a.val[USER_LOCK] != NULL;
	if ((v = a.val[USER_SHELL]) && (v[0] != '/' || strstr(v, "..") || strpbrk(v, " \t:,") ||
					 !fits(k, "--shell", v, sizeof(u.shell)))) {
		ks_err(k, _("The shell \"%s\" must be an absolute path, such as /bin/bash."), ks_q(k, v));
		bad++;
	} else if (v) {
		INST_COPY(u.shell, v);
	}
	if ((v = a.val[USER_HOMEDIR]) && (v[0] != '/' || strstr(v, "..") || strpbrk(v, " \t:,") ||
					   !strcmp(v, "/") || !fits(k, "--homedir", v, sizeof(u.home)))) {
		ks_err(k, _("The home directory \"%s\" must be an absolute path, such as /home/NAME."),
		       ks_q(k, v));
		bad++;
	} else if (v) {
		INST_COPY(u.home, v);
	}
	if ((v = a.val[USER_UID])) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		/* Below 1000 are Debian's system accounts; 65534 is nobody. */
		if (!isdigit((unsigned char)*v) || *end || errno || n < 1000 || n >= 60000) {
			ks_err(k, _("The value \"%s\" of --uid is not valid: write a number from 1000 to 59999."),
			       ks_q(k, v));
			bad++;
		}
		u.uid = n;
	}
	if ((v = a.val[USER_GECOS]) && (strpbrk(v, ":\n") || !fits(k, "--gecos", v, sizeof(u.gecos)))) {
		ks_err(k, _("The value of --gecos cannot hold a colon."));
		bad++;
	} else if (v) {
		INST_COPY(u.gecos, v);
	}
	if (!bad && p->n_users >= 64) {
		ks_err(k, _("ospite makes at most %d users."), 64);
		bad++;
	}
	if (!bad) {
		struct inst_user *nu = realloc(p->users, (p->n_users + 1) * sizeof(*nu));

		if (!nu)
			abort();
		p->users = nu;
		p->users[p->n_users++] = u;
	}
	explicit_bzero(&u, sizeof(u));
	free(a.pos);
}

/*
 * cdrom: the boot medium's own package repository (the ospite ISO's, found
 * where live-boot mounts it, or at $OSPITE_MEDIUM_REPO). Refused when this
 * machine has none: the install would otherwise need a mirror the file never names.
 */
static void cmd_cdrom(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = { { NULL, 0, NULL } };
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, NULL, &a, 0);

	k->p->src_url = k->at;
	if (!bad && !inst_plan_medium_source(k->p))
		ks_err(k, _("The command cdrom installs from the package repository of the boot medium, but there is none for %s at %s: boot from the ospite medium, or give url --url= instead."),
		       k->p->suite, inst_plan_medium_dir());
	free(a.pos);
}

static void cmd_url(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "url", INST_KS_VALUE, NULL }, { "suite", INST_KS_VALUE, NULL },
		{ "nosecurity", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = {
		"mirrorlist=", "metalink=", "proxy=", "noverifyssl", "sslcacert=", "sslclientcert=",
		"sslclientkey=", NULL,
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	const char *u = a.val[0], *suite = a.val[1], *dir = NULL;
	char *cause = NULL;

	p->src_url = k->at;
	if (!u) {
		ks_err(k, _("The command url needs --url with the address of a Debian mirror."));
		bad++;
	} else if (!strncmp(u, "file:", 5)) {
		dir = u + 5;
		if (!strncmp(dir, "//", 2))
			dir += 2;
		if (dir[0] != '/' || strstr(dir, "..") || strpbrk(dir, " \t\"'\\")) {
			ks_err(k, _("The address \"%s\" does not name a directory of this machine, such as file:///srv/debian."),
			       ks_q(k, u));
			bad++;
		} else if (!fits(k, "--url", dir, sizeof(p->local_dir))) {
			bad++;
		}
	} else if (failed(k, inst_valid_url(u, &cause), &cause)) {
		bad++;
	} else if (!fits(k, "--url", u, sizeof(p->mirror))) {
		bad++;
	}
	if (suite) {
		bool ok = *suite && strlen(suite) < sizeof(p->suite);

		for (const char *c = suite; ok && *c; c++)
			ok = isascii((unsigned char)*c) && (islower((unsigned char)*c) ||
			     isdigit((unsigned char)*c) || *c == '-');
		if (!ok) {
			ks_err(k, _("\"%s\" is not the name of a Debian release, such as bookworm."),
			       ks_q(k, suite));
			bad++;
		}
	}
	if (bad)
		goto out;
	if (dir) {
		p->src = INST_SRC_LOCAL;
		INST_COPY(p->local_dir, dir);
	} else {
		p->src = INST_SRC_MIRROR;
		INST_COPY(p->mirror, u);
	}
	if (suite)
		INST_COPY(p->suite, suite);
	p->security = !a.val[2];
out:
	free(a.pos);
}

static void cmd_ignoredisk(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "only-use", INST_KS_VALUE, NULL }, { "drives", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { "interactive", NULL };
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	char **only = NULL, **ign = NULL;

	k->p->src_ignore = k->at;
	if (a.val[0] && a.val[1]) {
		ks_err(k, _("The options --only-use and --drives of the command ignoredisk exclude each other."));
		bad++;
	} else if (!a.val[0] && !a.val[1]) {
		ks_err(k, _("The command ignoredisk needs --only-use or --drives."));
		bad++;
	}
	if (a.val[0] && !disk_list(k, "only-use", a.val[0], &only))
		bad++;
	if (a.val[1] && !disk_list(k, "drives", a.val[1], &ign))
		bad++;
	if (!bad) {
		k->p->only_use = only;
		k->p->ignore_disks = ign;
	} else {
		inst_list_free(&only);
		inst_list_free(&ign);
	}
	free(a.pos);
}

static void cmd_zerombr(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = { { NULL, 0, NULL } };
	struct inst_ks_args a;

	/* ospite always writes a new partition table: nothing more to record. */
	args(k, w, defs, NULL, &a, 0);
	free(a.pos);
}

static void cmd_clearpart(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "all", INST_KS_FLAG, NULL }, { "none", INST_KS_FLAG, NULL },
		{ "drives", INST_KS_VALUE, NULL }, { "initlabel", INST_KS_FLAG, NULL },
		{ "list", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = { "linux", "disklabel=", "cdl", NULL };
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	char **drives = NULL;

	k->p->src_clear = k->at;
	if (a.val[1] && (a.val[0] || a.val[2])) {
		ks_err(k, _("The option --none of the command clearpart excludes --all and --drives."));
		bad++;
	}
	if (a.val[4]) {
		ks_err(k, _("clearpart --list removes single partitions, but ospite erases whole disks: name the disk with --drives."));
		bad++;
	}
	if (a.val[2] && !disk_list(k, "drives", a.val[2], &drives))
		bad++;
	/* Two disks are the two of RAID 1: checked once the file says whether it has arrays. */
	if (inst_list_len(drives) > 2) {
		ks_err(k, _("The command clearpart names %zu disks, but ospite installs onto one disk and erases no other."),
		       inst_list_len(drives));
		bad++;
	}
	if (!bad) {
		k->clear_all = a.val[0] != NULL;
		k->clear_drives = drives;
		drives = NULL;
	}
	inst_list_free(&drives);
	free(a.pos);
}

/*
 * The one disk the file installs onto: every command naming a disk must name
 * the same, but for the second disk of RAID 1 (@second: 1 when it is that one).
 */
static void name_disk2(struct ks *k, const char *disk, unsigned *second)
{
	char where[320];

	if (!*k->ondisk) {
		INST_COPY(k->ondisk, disk);
		k->ondisk_src = k->at;
	} else if (second && strcmp(k->ondisk, disk)) {
		*second = ks_second_disk(k, disk);
	} else if (strcmp(k->ondisk, disk)) {
		ks_err(k, _("The answer file names a second disk, %s, besides %s at %s: ospite installs onto one disk."),
		       disk, k->ondisk, ks_where(k, k->ondisk_src, where, sizeof(where)));
	}
}

static void name_disk(struct ks *k, const char *disk)
{
	name_disk2(k, disk, NULL);
}

enum { PART_FSTYPE, PART_SIZE, PART_GROW, PART_MAXSIZE, PART_ONDISK, PART_ONDRIVE,
       PART_RECOMMENDED, PART_ASPRIMARY };

static void cmd_part(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		[PART_FSTYPE] = { "fstype", INST_KS_VALUE, NULL },
		[PART_SIZE] = { "size", INST_KS_VALUE, NULL },
		[PART_GROW] = { "grow", INST_KS_FLAG, NULL },
		[PART_MAXSIZE] = { "maxsize", INST_KS_VALUE, NULL },
		[PART_ONDISK] = { "ondisk", INST_KS_VALUE, NULL },
		[PART_ONDRIVE] = { "ondrive", INST_KS_VALUE, "ondisk" },
		[PART_RECOMMENDED] = { "recommended", INST_KS_FLAG, NULL },
		[PART_ASPRIMARY] = { "asprimary", INST_KS_FLAG, NULL },
		{ NULL, 0, NULL },
	};
	static const char *const unsup[] = {
		"label=", "fsoptions=", "encrypted", "noformat", "onpart=", "usepart=", "start=",
		"end=", "mkfsoptions=", "resize", "hibernation", "percent=", "passphrase=", "cipher=",
		"fsprofile=", "luks-version=", "pbkdf=", "pbkdf-memory=", "pbkdf-time=",
		"pbkdf-iterations=", "escrowcert=", "backuppassphrase", "onbiosdisk=", NULL,
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 1);
	const char *mount = a.n_pos ? a.pos[0] : NULL, *fst = a.val[PART_FSTYPE];
	struct inst_part e = { .src = k->at };
	char *cause = NULL, disk[256] = "", where[320];
	enum hcfg_fs fs = HCFG_FS_NONE;

	if (a.val[PART_ASPRIMARY])
		ks_warn(k, _("The option --asprimary of the command %s changes nothing: ospite makes GPT partitions, which are all primary."),
			w[0]);
	k->part_seen = true;
	if (!k->part_src.line)
		k->part_src = k->at;
	if (k->autopart_src.line) {
		ks_err(k, _("The commands part and autopart exclude each other; autopart is at %s."),
		       ks_where(k, k->autopart_src, where, sizeof(where)));
		bad++;
	}
	if (!mount) {
		ks_err(k, _("The command %s needs a mount point, swap or biosboot."), w[0]);
		free(a.pos);
		return;
	}
	if (!strcmp(mount, "/"))
		k->root_seen = true;
	if (!strncmp(mount, "btrfs.", 6) || !strcmp(mount, "none")) {
		ks_err(k, _("btrfs volumes are not supported by ospite: it makes plain partitions, LVM and RAID 1."));
		bad++;
	} else if (ks_piece_mount(mount)) {
		if (!ks_piece_check(k, mount, fst, &fs))
			bad++;
		fst = NULL;
	} else if (failed(k, inst_valid_mount(mount, &cause), &cause) ||
		   !fits(k, w[0], mount, sizeof(e.mount))) {
		bad++;
	}
	if (fst) {
		fs = hcfg_fs_parse(fst);
		if (fs == HCFG_FS_NONE) {
			ks_err(k, _("The file system type %s is not supported: use ext4, ext3, xfs, vfat, swap or biosboot."),
			       ks_q(k, fst));
			bad++;
		}
	} else if (fs == HCFG_FS_NONE) {
		fs = !strcmp(mount, "swap") ? HCFG_FS_SWAP :
		     !strcmp(mount, "biosboot") ? HCFG_FS_BIOSBOOT : HCFG_FS_EXT4;
	}
	if (fs != HCFG_FS_NONE &&
	    ((fs == HCFG_FS_SWAP) != !strcmp(mount, "swap") ||
	     (fs == HCFG_FS_BIOSBOOT) != !strcmp(mount, "biosboot") ||
	     (fs == HCFG_FS_LVMPV) != !strncmp(mount, "pv.", 3) ||
	     (fs == HCFG_FS_MDMEMBER) != !strncmp(mount, "raid.", 5) ||
	     (!strcmp(mount, "/") && fs != HCFG_FS_EXT4 && fs != HCFG_FS_XFS && fs != HCFG_FS_EXT3))) {
		ks_err(k, _("The file system type %s does not suit the mount point %s."),
		       hcfg_fs_name(fs), ks_q(k, mount));
		bad++;
	}
	if (a.val[PART_SIZE] && !parse_mib(k, "size", a.val[PART_SIZE], &e.size_mib))
		bad++;
	if (a.val[PART_MAXSIZE] && !parse_mib(k, "maxsize", a.val[PART_MAXSIZE], &e.max_mib))
		bad++;
	e.grow = a.val[PART_GROW] != NULL;
	e.recommended = a.val[PART_RECOMMENDED] != NULL;
	if (e.recommended && (strcmp(mount, "swap") || a.val[PART_SIZE] || e.grow)) {
		ks_err(k, _("The option --recommended applies to a swap partition without --size or --grow."));
		bad++;
	}
	if (a.val[PART_MAXSIZE] && !e.grow) {
		ks_err(k, _("The option --maxsize of the command %s needs --grow."), w[0]);
		bad++;
	} else if (e.max_mib && e.size_mib > e.max_mib) {
		ks_err(k, _("The partition %s has a --maxsize smaller than its --size."), ks_q(k, mount));
		bad++;
	}
	if (!a.val[PART_SIZE] && !e.grow && !e.recommended && strcmp(mount, "biosboot")) {
		ks_err(k, _("The partition %s needs --size (in MiB), --grow or --recommended."),
		       ks_q(k, mount));
		bad++;
	}
	if (!e.size_mib && !e.recommended)
		e.size_mib = 1;
	if (a.val[PART_ONDISK]) {
		if (!disk_name(k, a.val[PART_ONDISK], disk, sizeof(disk)))
			bad++;
		else
			name_disk2(k, disk, &e.disk_n);
	} else if (fs == HCFG_FS_MDMEMBER) {
		ks_err(k, _("The RAID member %s needs --ondisk: the two members of a mirror are on two disks."),
		       ks_q(k, mount));
		bad++;
	}
	for (size_t i = 0; i < p->n_parts && strcmp(mount, "swap"); i++)
		/* RAID 1: each disk has a BIOS boot partition. */
		if (!strcmp(p->parts[i].mount, mount) &&
		    (strcmp(mount, "biosboot") || p->parts[i].disk_n == e.disk_n)) {
			ks_err(k, _("The mount point %s is already used at %s."), ks_q(k, mount),
			       ks_where(k, p->parts[i].src, where, sizeof(where)));
			bad++;
			break;
		}
	if (!bad && p->n_parts >= INST_MAX_PARTS) {
		ks_err(k, _("ospite makes at most %d partitions."), INST_MAX_PARTS);
		bad++;
	}
	if (!bad) {
		INST_COPY(e.mount, mount);
		e.fs = fs;
		p->parts[p->n_parts++] = e;
	}
	free(a.pos);
}

static void cmd_autopart(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "type", INST_KS_VALUE, NULL }, { "nolvm", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = {
		"encrypted", "passphrase=", "cipher=", "luks-version=", "pbkdf=", "pbkdf-memory=",
		"pbkdf-time=", "pbkdf-iterations=", "escrowcert=", "backuppassphrase", "nohome", "noboot",
		"noswap", "fstype=", "hibernation", NULL,
	};
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	char where[320];

	k->autopart_src = k->at;
	if (a.val[0] && !ks_autopart_type(k, a.val[0]))
		bad++;
	if (a.val[1])
		k->p->layout = INST_LAYOUT_PLAIN;
	if (k->part_src.line) {
		ks_err(k, _("The commands part and autopart exclude each other; part is at %s."),
		       ks_where(k, k->part_src, where, sizeof(where)));
		bad++;
	}
	if (!bad)
		k->p->autopart = true;
	free(a.pos);
}

/*
 * Anaconda's reqpart: the partitions the platform needs to boot. On the BIOS
 * machines ospite installs, that is the BIOS boot partition GRUB needs on
 * GPT, which ospite adds to every layout; --add-boot also asks for /boot.
 */
static void cmd_reqpart(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "add-boot", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, NULL, &a, 0);
	char where[320];

	free(a.pos);
	if (bad)
		return;
	if (k->autopart_src.line) {
		ks_warn(k, _("The command reqpart changes nothing with autopart, which makes every partition the host needs."));
		return;
	}
	if (!a.val[0])
		return;
	for (size_t i = 0; i < p->n_parts; i++)
		if (!strcmp(p->parts[i].mount, "/boot")) {
			ks_err(k, _("The mount point %s is already used at %s."), "/boot",
			       ks_where(k, p->parts[i].src, where, sizeof(where)));
			return;
		}
	if (p->n_parts >= INST_MAX_PARTS) {
		ks_err(k, _("ospite makes at most %d partitions."), INST_MAX_PARTS);
		return;
	}
	/* The size of Anaconda's own /boot. */
	p->parts[p->n_parts++] = (struct inst_part){ .mount = "/boot", .fs = HCFG_FS_EXT4,
						     .size_mib = 1024, .src = k->at };
	k->part_seen = true;
	if (!k->part_src.line)
		k->part_src = k->at;
}

/* Take console=ttyS... out of the kernel arguments: the plan carries the serial console apart. */
static bool split_append(struct ks *k, const char *in, char *rest, size_t rlen, char *serial,
			 size_t slen)
{
	char *copy = strdup(in), *save = NULL, *cause = NULL;
	bool ok = true, got = false;

	if (!copy)
		abort();
	rest[0] = serial[0] = '\0';
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(t, "console=ttyS", 12)) {
			char s[64];
			size_t l;

			snprintf(s, sizeof(s), "%s", t + 8);
			l = strlen(s);
			/* Check the value as the file wrote it, so that a message quotes the file. */
			if (!got && (l < 2 || strcmp(s + l - 2, "n8")) &&
			    failed(k, hcfg_serial_parse(s, NULL, &cause), &cause)) {
				ok = false;
				got = true;
				continue;
			}
			inst_serial_trim(s);
			if (!strchr(s, ','))
				snprintf(s + strlen(s), sizeof(s) - strlen(s), ",115200");
			if (got) {
				ks_err(k, _("The kernel arguments name two serial consoles; ospite sets up one."));
				ok = false;
			} else if (failed(k, hcfg_serial_parse(s, NULL, &cause), &cause) ||
				   !fits(k, "console=", s, slen)) {
				ok = false;
			} else {
				snprintf(serial, slen, "%s", s);
			}
			got = true;
			continue;
		}
		/* RHEL's kernels size the kdump area themselves; Debian's would reserve nothing. */
		if (!strcmp(t, "crashkernel=auto")) {
			ks_warn(k, _("The kernel argument crashkernel=auto is RHEL's, which Debian's kernel does not know: it is left out; give a size, such as crashkernel=256M, for kdump."));
			continue;
		}
		if (strlen(rest) + strlen(t) + 2 > rlen) {
			ks_err(k, _("The kernel arguments are longer than 500 characters."));
			ok = false;
			break;
		}
		snprintf(rest + strlen(rest), rlen - strlen(rest), "%s%s", *rest ? " " : "", t);
	}
	free(copy);
	return ok;
}

static void cmd_bootloader(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "location", INST_KS_VALUE, NULL }, { "append", INST_KS_VALUE, NULL },
		{ "timeout", INST_KS_VALUE, NULL }, { "driveorder", INST_KS_VALUE, NULL },
		{ "boot-drive", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = {
		"password=", "iscrypted", "leavebootorder", "md5pass=",
		"extlinux", "nombr", "disabled", "upgrade", "lba32", "useLilo", "linear", "nolinear",
		"sdboot", NULL,
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, unsup, &a, 0);
	char rest[sizeof(p->boot_append)] = "", serial[sizeof(p->serial)] = "", *cause = NULL;
	long timeout = -1;

	p->src_bootloader = k->at;
	if (a.val[0] && strcmp(a.val[0], "mbr") && strcmp(a.val[0], "none")) {
		ks_err(k, _("The boot loader location \"%s\" is not supported: write mbr or none."),
		       ks_q(k, a.val[0]));
		bad++;
	}
	if (a.val[1]) {
		if (failed(k, inst_valid_cmdline(a.val[1], &cause), &cause))
			bad++;
		else if (!split_append(k, a.val[1], rest, sizeof(rest), serial, sizeof(serial)))
			bad++;
	}
	if (a.val[2]) {
		char *end;

		errno = 0;
		timeout = strtol(a.val[2], &end, 10);
		if (!isdigit((unsigned char)*a.val[2]) || *end || errno || timeout > 600) {
			ks_err(k, _("The value \"%s\" of --timeout is not valid: write a number of seconds from 0 to 600."),
			       ks_q(k, a.val[2]));
			bad++;
		}
	}
	/*
	 * GRUB goes on the disk ospite installs onto: a file naming that disk
	 * (first, for --driveorder) says nothing more; another disk is the
	 * second-disk error of name_disk().
	 */
	for (int i = 3; i <= 4; i++) {
		char **list = NULL, disk[256];

		if (!a.val[i])
			continue;
		if (!disk_list(k, defs[i].name, a.val[i], &list)) {
			bad++;
			continue;
		}
		if (i == 4 && inst_list_len(list) > 1) {
			ks_err(k, _("The option --boot-drive of the command bootloader names one disk."));
			bad++;
		} else {
			INST_COPY(disk, list[0]);
			name_disk(k, disk);
			ks_warn(k, _("The option --%s of the command bootloader changes nothing: GRUB goes on the disk ospite installs onto."),
				defs[i].name);
		}
		inst_list_free(&list);
	}
	if (bad)
		goto out;
	p->boot_none = a.val[0] && !strcmp(a.val[0], "none");
	p->boot_timeout = (int)timeout;
	INST_COPY(p->boot_append, rest);
	if (*serial)
		INST_COPY(p->serial, serial);
out:
	free(a.pos);
}

/* Add the services of one list, each with the line that names it. */
static void add_services(struct ks *k, int which, const char *v, unsigned *bad)
{
	struct inst_plan *p = k->p;
	char ***list = which ? &p->svc_disable : &p->svc_enable;
	char **other = which ? p->svc_enable : p->svc_disable;
	char **names = split_commas(k, which ? "disabled" : "enabled", v, bad), *cause = NULL;

	for (size_t i = 0; names && names[i]; i++) {
		char unit[300];

		/* As systemctl does, a name without a type is a service. */
		snprintf(unit, sizeof(unit), "%s%s", names[i], strchr(names[i], '.') ? "" : ".service");
		if (failed(k, inst_valid_unit(unit, &cause), &cause)) {
			(*bad)++;
		} else if (inst_list_has(other, unit)) {
			ks_err(k, _("The service %s is both enabled and disabled."), unit);
			(*bad)++;
		} else if (!inst_list_has(*list, unit)) {
			inst_list_add(list, unit);
		}
	}
	inst_list_free(&names);
}

static void cmd_services(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "enabled", INST_KS_VALUE, NULL }, { "disabled", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, NULL, &a, 0);

	if (!a.val[0] && !a.val[1])
		ks_err(k, _("The command services needs --enabled or --disabled."));
	if (a.val[0])
		add_services(k, 0, a.val[0], &bad);
	if (a.val[1])
		add_services(k, 1, a.val[1], &bad);
	free(a.pos);
}

static void cmd_hypervisor(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "type", INST_KS_VALUE, NULL }, { "dom0-mem", INST_KS_VALUE, NULL }, { NULL, 0, NULL },
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, NULL, &a, 0);
	const char *type = a.val[0];
	uint64_t mib = 0;
	char *cause = NULL;

	p->src_hv = k->at;
	if (!type) {
		ks_err(k, _("The command hypervisor needs --type=xen or --type=kvm."));
		bad++;
	} else if (strcmp(type, "xen") && strcmp(type, "kvm")) {
		ks_err(k, _("The hypervisor \"%s\" is not supported: write xen or kvm."), ks_q(k, type));
		bad++;
	}
	if (a.val[1]) {
		if (type && !strcmp(type, "kvm")) {
			ks_err(k, _("The option --dom0-mem applies to Xen only."));
			bad++;
		} else if (failed(k, inst_valid_size(a.val[1], &mib, &cause), &cause)) {
			bad++;
		} else if (mib < 512 || mib > 1024 * 1024) {
			ks_err(k, _("Dom0 needs from 512 MiB to 1 TiB of memory, not %s."), ks_q(k, a.val[1]));
			bad++;
		}
	}
	if (!bad) {
		p->hv = !strcmp(type, "xen") ? INST_HV_XEN : INST_HV_KVM;
		if (mib)
			p->dom0_mem_mib = (unsigned)mib;
	}
	free(a.pos);
}

/* A command that would change nothing on the installed host: its words are not looked at. */
static void cmd_ignored(struct ks *k, char **w)
{
	ks_warn(k, _("The command %s changes nothing on a Debian host: it is ignored."), w[0]);
}

static void cmd_selinux(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "disabled", INST_KS_FLAG, NULL }, { "permissive", INST_KS_FLAG, NULL },
		{ "enforcing", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	struct inst_ks_args a;

	if (args(k, w, defs, NULL, &a, 0)) {
		free(a.pos);
		return;
	}
	/* As in Anaconda, selinux alone means --enforcing. */
	if (a.val[2] || (!a.val[0] && !a.val[1]))
		ks_err(k, _("selinux --enforcing is not supported: the Debian host runs without SELinux. Write selinux --disabled or leave the command out."));
	else
		ks_warn(k, _("The command selinux --%s changes nothing: the Debian host runs without SELinux."),
			a.val[0] ? "disabled" : "permissive");
	free(a.pos);
}

/* firewalld's services an answer file names, as the ports they open. */
static const struct { const char *name, *ports; } fw_services[] = {
	{ "ssh", "22/tcp" }, { "http", "80/tcp" }, { "https", "443/tcp" }, { "smtp", "25/tcp" },
	{ "ftp", "21/tcp" }, { "telnet", "23/tcp" }, { "dns", "53/tcp,53/udp" }, { "ntp", "123/udp" },
	{ "nfs", "2049/tcp" }, { "vnc-server", "5900-5999/tcp" }, { "libvirt", "16509/tcp" },
	{ "libvirt-tls", "16514/tcp" }, { "cockpit", "9090/tcp" }, { "snmp", "161/udp" },
	{ "mdns", "5353/udp" }, { "dhcpv6-client", "" }, { "imap", "143/tcp" }, { "imaps", "993/tcp" },
	{ "pop3", "110/tcp" }, { "pop3s", "995/tcp" }, { "smtps", "465/tcp" }, { "ldap", "389/tcp" },
	{ "ldaps", "636/tcp" }, { "mysql", "3306/tcp" }, { "postgresql", "5432/tcp" },
	{ "iscsi-target", "3260/tcp" }, { "syslog", "514/udp" }, { "http-alt", "8080/tcp" },
};

static const char *fw_service(const char *name)
{
	for (size_t i = 0; i < sizeof(fw_services) / sizeof(fw_services[0]); i++)
		if (!strcmp(fw_services[i].name, name))
			return fw_services[i].ports;
	return NULL;
}

/* Add the ports of a comma-separated list ("22/tcp,53/udp") to @list. */
static void fw_add(char ***list, const char *ports)
{
	char buf[64], *save = NULL;

	INST_COPY(buf, ports);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!inst_list_has(*list, t))
			inst_list_add(list, t);
}

/* Anaconda's --port item: "1234:tcp", "5900-5999:tcp", or a service name with a protocol "imap:tcp". */
static bool fw_port(const char *item, char *out, size_t len)
{
	const char *colon = strrchr(item, ':'), *svc;
	char num[32];
	unsigned long from, to;
	char *end;

	if (!colon || (strcmp(colon + 1, "tcp") && strcmp(colon + 1, "udp")) ||
	    (size_t)(colon - item) >= sizeof(num) || colon == item)
		return false;
	snprintf(num, sizeof(num), "%.*s", (int)(colon - item), item);
	if (!isdigit((unsigned char)num[0])) {
		/* A service name: its port of that protocol. */
		svc = fw_service(num);
		if (!svc || !*svc)
			return false;
		snprintf(num, sizeof(num), "%.*s", (int)strcspn(svc, "/"), svc);
	}
	errno = 0;
	from = to = strtoul(num, &end, 10);
	if (*end == '-' && isdigit((unsigned char)end[1]))
		to = strtoul(end + 1, &end, 10);
	if (*end || errno || from < 1 || to > 65535 || from > to)
		return false;
	snprintf(out, len, "%s/%s", num, colon + 1);
	return true;
}

enum { FW_DISABLED, FW_DISABLE, FW_ENABLED, FW_ENABLE, FW_PORT, FW_SERVICE, FW_TRUST, FW_REMOVE,
       FW_DEFAULTS, FW_SSH, FW_SMTP, FW_HTTP, FW_FTP, FW_TELNET };

static void cmd_firewall(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		[FW_DISABLED] = { "disabled", INST_KS_FLAG, NULL },
		[FW_DISABLE] = { "disable", INST_KS_FLAG, "disabled" },
		[FW_ENABLED] = { "enabled", INST_KS_FLAG, NULL },
		[FW_ENABLE] = { "enable", INST_KS_FLAG, "enabled" },
		[FW_PORT] = { "port", INST_KS_VALUE, NULL },
		[FW_SERVICE] = { "service", INST_KS_VALUE, NULL },
		[FW_TRUST] = { "trust", INST_KS_VALUE, NULL },
		[FW_REMOVE] = { "remove-service", INST_KS_VALUE, NULL },
		[FW_DEFAULTS] = { "use-system-defaults", INST_KS_FLAG, NULL },
		[FW_SSH] = { "ssh", INST_KS_FLAG, NULL }, [FW_SMTP] = { "smtp", INST_KS_FLAG, NULL },
		[FW_HTTP] = { "http", INST_KS_FLAG, NULL }, [FW_FTP] = { "ftp", INST_KS_FLAG, NULL },
		[FW_TELNET] = { "telnet", INST_KS_FLAG, NULL }, { NULL, 0, NULL },
	};
	struct inst_plan *p = k->p;
	struct inst_ks_args a;
	char **ports = NULL, **trust = NULL, **list = NULL, *cause = NULL;
	unsigned bad;
	bool other = false, ssh = true;

	bad = args(k, w, defs, NULL, &a, 0);
	for (int i = FW_PORT; defs[i].name; i++)
		other |= a.val[i] != NULL;
	if (a.val[FW_DISABLED] && a.val[FW_ENABLED]) {
		ks_err(k, _("The options --enabled and --disabled of the command firewall exclude each other."));
		bad++;
	}
	if (bad)
		goto out;
	if (a.val[FW_DISABLED]) {
		if (other)
			ks_warn(k, _("The command firewall --disabled sets up no firewall: its other options change nothing."));
		else
			ks_warn(k, _("The command firewall --disabled changes nothing: ospite sets up no firewall unless asked."));
		goto out;
	}
	if (a.val[FW_DEFAULTS]) {
		ks_warn(k, _("The command firewall --use-system-defaults sets up no firewall: a Debian host has none by default."));
		goto out;
	}
	/* As in Anaconda, firewall alone means --enabled, and SSH stays open unless removed. */
	if (a.val[FW_REMOVE]) {
		list = split_commas(k, "remove-service", a.val[FW_REMOVE], &bad);
		for (size_t i = 0; list && list[i]; i++) {
			if (!strcmp(list[i], "ssh"))
				ssh = false;
			else if (strcmp(list[i], "dhcpv6-client") && strcmp(list[i], "mdns") &&
				 strcmp(list[i], "cockpit")) {
				ks_err(k, _("The service %s is not open to remove: ospite opens ssh unless asked otherwise."),
				       ks_q(k, list[i]));
				bad++;
			}
		}
		inst_list_free(&list);
	}
	if (ssh || a.val[FW_SSH])
		fw_add(&ports, "22/tcp");
	if (a.val[FW_SMTP])
		fw_add(&ports, "25/tcp");
	if (a.val[FW_HTTP])
		fw_add(&ports, "80/tcp,443/tcp");
	if (a.val[FW_FTP])
		fw_add(&ports, "21/tcp");
	if (a.val[FW_TELNET])
		fw_add(&ports, "23/tcp");
	if (a.val[FW_SERVICE]) {
		list = split_commas(k, "service", a.val[FW_SERVICE], &bad);
		for (size_t i = 0; list && list[i]; i++) {
			const char *v = fw_service(list[i]);

			if (!v) {
				ks_err(k, _("The service %s is unknown to ospite: open its ports with --port=PORT:tcp."),
				       ks_q(k, list[i]));
				bad++;
			} else if (*v) {
				fw_add(&ports, v);
			}
		}
		inst_list_free(&list);
	}
	if (a.val[FW_PORT]) {
		list = split_commas(k, "port", a.val[FW_PORT], &bad);
		for (size_t i = 0; list && list[i]; i++) {
			char port[48];

			if (!fw_port(list[i], port, sizeof(port))) {
				ks_err(k, _("The port \"%s\" is not valid: write a number and a protocol, such as 8080:tcp."),
				       ks_q(k, list[i]));
				bad++;
			} else if (!inst_list_has(ports, port)) {
				inst_list_add(&ports, port);
			}
		}
		inst_list_free(&list);
	}
	if (a.val[FW_TRUST]) {
		list = split_commas(k, "trust", a.val[FW_TRUST], &bad);
		for (size_t i = 0; list && list[i]; i++) {
			if (failed(k, inst_valid_ifname(list[i], &cause), &cause))
				bad++;
			else if (!inst_list_has(trust, list[i]))
				inst_list_add(&trust, list[i]);
		}
		inst_list_free(&list);
	}
	if (inst_list_len(ports) > 64) {
		ks_err(k, _("The command firewall opens more than %d ports."), 64);
		bad++;
	}
	if (!bad) {
		p->firewall = true;
		inst_list_free(&p->fw_ports);
		inst_list_free(&p->fw_trust);
		p->fw_ports = ports;
		p->fw_trust = trust;
		ports = trust = NULL;
		if (!inst_list_has(p->packages, "nftables"))
			inst_list_add(&p->packages, "nftables");
	}
out:
	inst_list_free(&ports);
	inst_list_free(&trust);
	free(a.pos);
}

static void cmd_end(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = { { NULL, 0, NULL } };
	static const char *const unsup[] = { "eject", "kexec", NULL };
	struct inst_ks_args a;

	if (!args(k, w, defs, unsup, &a, 0)) {
		if (!strcmp(w[0], "reboot"))
			k->p->end = INST_END_REBOOT;
		else if (!strcmp(w[0], "halt"))
			k->p->end = INST_END_HALT;
		else
			k->p->end = INST_END_POWEROFF;
	}
	free(a.pos);
}

static const struct {
	const char *name;
	void (*fn)(struct ks *k, char **w);
	enum ks_once once;
} commands[] = {
	{ "lang", cmd_lang, KS_ONCE_LANG },
	{ "keyboard", cmd_keyboard, KS_ONCE_KEYBOARD },
	{ "timezone", cmd_timezone, KS_ONCE_TIMEZONE },
	{ "network", cmd_network, KS_ONCE_NONE },
	{ "rootpw", cmd_rootpw, KS_ONCE_ROOTPW },
	{ "user", cmd_user, KS_ONCE_NONE },
	{ "url", cmd_url, KS_ONCE_URL },
	{ "cdrom", cmd_cdrom, KS_ONCE_URL },
	{ "repo", ks_cmd_repo, KS_ONCE_NONE },
	{ "ignoredisk", cmd_ignoredisk, KS_ONCE_IGNOREDISK },
	{ "zerombr", cmd_zerombr, KS_ONCE_ZEROMBR },
	{ "clearpart", cmd_clearpart, KS_ONCE_CLEARPART },
	{ "part", cmd_part, KS_ONCE_NONE },
	{ "partition", cmd_part, KS_ONCE_NONE },
	{ "autopart", cmd_autopart, KS_ONCE_AUTOPART },
	{ "volgroup", ks_cmd_volgroup, KS_ONCE_NONE },
	{ "logvol", ks_cmd_logvol, KS_ONCE_NONE },
	{ "raid", ks_cmd_raid, KS_ONCE_NONE },
	{ "reqpart", cmd_reqpart, KS_ONCE_REQPART },
	{ "bootloader", cmd_bootloader, KS_ONCE_BOOTLOADER },
	{ "services", cmd_services, KS_ONCE_NONE },
	{ "hypervisor", cmd_hypervisor, KS_ONCE_HYPERVISOR },
	{ "text", cmd_ignored, KS_ONCE_MODE },
	{ "cmdline", cmd_ignored, KS_ONCE_MODE },
	{ "graphical", cmd_ignored, KS_ONCE_MODE },
	{ "install", cmd_ignored, KS_ONCE_NONE },
	{ "auth", cmd_ignored, KS_ONCE_NONE },
	{ "authconfig", cmd_ignored, KS_ONCE_NONE },
	{ "skipx", cmd_ignored, KS_ONCE_NONE },
	{ "firstboot", cmd_ignored, KS_ONCE_NONE },
	{ "eula", cmd_ignored, KS_ONCE_NONE },
	{ "unsupported_hardware", cmd_ignored, KS_ONCE_NONE },
	{ "key", cmd_ignored, KS_ONCE_NONE },
	{ "selinux", cmd_selinux, KS_ONCE_NONE },
	{ "firewall", cmd_firewall, KS_ONCE_FIREWALL },
	{ "reboot", cmd_end, KS_ONCE_END },
	{ "poweroff", cmd_end, KS_ONCE_END },
	{ "shutdown", cmd_end, KS_ONCE_END },
	{ "halt", cmd_end, KS_ONCE_END },
};

/* What Anaconda knows and ospite does not do: said by name, never ignored. */
static const char *const unsupported_cmds[] = {
	"group", "xconfig", "authselect",
	"harddrive", "nfs", "liveimg", "ostreesetup", "ostreecontainer", "bootc", "sshkey", "realm",
	"module", "zfcp", "zipl", "iscsi", "iscsiname", "fcoe", "btrfs", "mount",
	"snapshot", "vnc", "upgrade", "autostep", "logging", "sshpw", "timesource", "rescue",
	"mediacheck", "driverdisk", "updates", "device", "dmraid", "multipath", "method", "monitor",
	"lilo", "lilocheck", "interactive", "deviceprobe", "nvdimm", "pwpolicy", "hmc",
	"langsupport", "mouse", NULL,
};

void ks_command(struct ks *k, char **w)
{
	char where[320];

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		enum ks_once o = commands[i].once;

		if (strcmp(commands[i].name, w[0]))
			continue;
		if (o != KS_ONCE_NONE && k->once[o].line) {
			if (!strcmp(k->once_name[o], w[0]))
				ks_err(k, _("The command %s is already given at %s."), w[0],
				       ks_where(k, k->once[o], where, sizeof(where)));
			else
				ks_err(k, _("The command %s conflicts with %s at %s."), w[0], k->once_name[o],
				       ks_where(k, k->once[o], where, sizeof(where)));
			return;
		}
		if (o != KS_ONCE_NONE) {
			k->once[o] = k->at;
			k->once_name[o] = commands[i].name;
		}
		commands[i].fn(k, w);
		return;
	}
	for (size_t i = 0; unsupported_cmds[i]; i++)
		if (!strcmp(unsupported_cmds[i], w[0])) {
			ks_err_unsupported(k, _("The command \"%s\" is not supported by ospite."), w[0]);
			return;
		}
	ks_err(k, _("\"%s\" is an unknown command."), ks_q(k, w[0]));
}

/* ---- sections ------------------------------------------------------------------ */

static const char *const unsupported_secs[] = {
	"%pre-install", "%onerror", "%traceback", NULL,
};

/* Sections for Anaconda itself: they change nothing on the installed host, and are skipped. */
static bool ignored_section(const char *word)
{
	return !strcmp(word, "%addon") || !strcmp(word, "%anaconda");
}

bool ks_is_section(const char *word)
{
	if (!strcmp(word, "%packages") || !strcmp(word, "%pre") || !strcmp(word, "%post") ||
	    ignored_section(word))
		return true;
	for (size_t i = 0; unsupported_secs[i]; i++)
		if (!strcmp(word, unsupported_secs[i]))
			return true;
	return false;
}

static void start_packages(struct ks *k, char **w)
{
	/* The first ones change nothing on a Debian host: accepted, with a warning. */
	static const struct inst_ks_optdef defs[] = {
		{ "excludedocs", INST_KS_FLAG, NULL }, { "ignoremissing", INST_KS_FLAG, NULL },
		{ "nobase", INST_KS_FLAG, NULL }, { "instLangs", INST_KS_VALUE, NULL },
		{ "inst-langs", INST_KS_VALUE, "instLangs" }, { NULL, 0, NULL },
	};
	static const char *const unsup[] = {
		"nocore", "multilib", "retries=", "timeout=", "default", "exclude-weakdeps",
		"excludeWeakdeps", "ignorebroken", NULL,
	};
	struct inst_ks_args a;
	char where[320];

	k->sec = KS_SEC_PACKAGES;
	k->sec_src = k->at;
	if (k->once[KS_ONCE_PACKAGES].line) {
		ks_err(k, _("The section %%packages is already given at %s."),
		       ks_where(k, k->once[KS_ONCE_PACKAGES], where, sizeof(where)));
		k->sec = KS_SEC_SKIP;
		return;
	}
	k->once[KS_ONCE_PACKAGES] = k->at;
	args(k, w, defs, unsup, &a, 0);
	for (int i = 0; i < 4; i++)
		if (a.val[i])
			ks_warn(k, _("The option --%s of %%packages changes nothing on a Debian host: it is ignored."),
				defs[i].name);
	free(a.pos);
}

/* A time limit: digits and an optional s, m or h, from 1 second to INST_SCRIPT_TIMEOUT_MAX. */
static bool parse_seconds(const char *v, unsigned *out)
{
	unsigned long long n = 0, mult = 1;
	const char *c = v;

	if (!isdigit((unsigned char)*c))
		return false;
	for (; isdigit((unsigned char)*c); c++) {
		n = n * 10 + (unsigned)(*c - '0');
		if (n > INST_SCRIPT_TIMEOUT_MAX)
			return false;
	}
	if (*c == 's')
		c++;
	else if (*c == 'm')
		mult = 60, c++;
	else if (*c == 'h')
		mult = 3600, c++;
	if (*c || n == 0 || n * mult > INST_SCRIPT_TIMEOUT_MAX)
		return false;
	*out = (unsigned)(n * mult);
	return true;
}

static void start_script(struct ks *k, char **w)
{
	static const struct inst_ks_optdef defs[] = {
		{ "interpreter", INST_KS_VALUE, NULL }, { "log", INST_KS_VALUE, NULL },
		{ "logfile", INST_KS_VALUE, "log" }, { "erroronfail", INST_KS_FLAG, NULL },
		{ "nochroot", INST_KS_FLAG, NULL }, { "timeout", INST_KS_VALUE, NULL },
		{ NULL, 0, NULL },
	};
	struct inst_script *sc = &k->script;
	struct inst_ks_args a;
	unsigned bad = args(k, w, defs, NULL, &a, 0);
	const char *interp = a.val[0], *log = a.val[1];

	memset(sc, 0, sizeof(*sc));
	sc->when = !strcmp(w[0], "%pre") ? INST_SCRIPT_PRE : INST_SCRIPT_POST;
	sc->src = k->at;
	sc->timeout = INST_SCRIPT_TIMEOUT;
	if (a.val[5] && !parse_seconds(a.val[5], &sc->timeout)) {
		ks_err(k, _("The value \"%s\" of --timeout is not a time limit: write seconds (such as 600), or minutes or hours followed by m or h (such as 30m), from 1 second to 7 days."),
		       ks_q(k, a.val[5]));
		bad++;
	}
	if (a.val[4] && sc->when == INST_SCRIPT_PRE) {
		ks_err(k, _("The option --nochroot applies to %%post only."));
		bad++;
	}
	if (interp && (interp[0] != '/' || strpbrk(interp, " \t") || strstr(interp, ".."))) {
		ks_err(k, _("The interpreter \"%s\" must be an absolute path, such as /usr/bin/python3."),
		       ks_q(k, interp));
		bad++;
	} else if (interp && !fits(k, "--interpreter", interp, sizeof(sc->interpreter))) {
		bad++;
	}
	if (log && (log[0] != '/' || strstr(log, ".."))) {
		ks_err(k, _("The log \"%s\" must be an absolute path."), ks_q(k, log));
		bad++;
	} else if (log && !fits(k, "--log", log, sizeof(sc->log))) {
		bad++;
	}
	if (k->p->n_scripts >= KS_MAX_SCRIPTS) {
		ks_err(k, _("ospite runs at most %d scripts."), KS_MAX_SCRIPTS);
		bad++;
	}
	if (interp)
		INST_COPY(sc->interpreter, interp);
	if (log)
		INST_COPY(sc->log, log);
	sc->nochroot = a.val[4] != NULL;
	sc->erroronfail = a.val[3] != NULL;
	k->sec = KS_SEC_SCRIPT;
	k->sec_bad = bad > 0;
	free(a.pos);
}

void ks_section_start(struct ks *k, char **w)
{
	snprintf(k->sec_name, sizeof(k->sec_name), "%s", ks_q(k, w[0]));
	k->sec_src = k->at;
	k->sec_bad = false;
	if (!strcmp(w[0], "%packages")) {
		start_packages(k, w);
		return;
	}
	if (!strcmp(w[0], "%pre") || !strcmp(w[0], "%post")) {
		start_script(k, w);
		return;
	}
	if (ignored_section(w[0]))
		ks_warn(k, _("The section %s changes nothing on a Debian host: it is skipped."), w[0]);
	else if (ks_is_section(w[0]))
		ks_err_unsupported(k, _("The section %s is not supported by ospite."), w[0]);
	else
		ks_err(k, _("\"%s\" is an unknown section."), ks_q(k, w[0]));
	/* Skip to its %end, so that its lines are not read as commands. */
	k->sec = KS_SEC_SKIP;
}

/*
 * What RHEL's files of Xen and KVM hosts list for the hypervisor: ospite
 * installs Debian's packages for the hypervisor the file names (hypervisor
 * --type) itself, so these names are left out with a warning rather than
 * refused or looked for in Debian, which has none of them. True if @name
 * (without "@" or "-") is one.
 */
static bool rhel_virt_name(struct ks *k, const char *name, bool group)
{
	static const char *const groups[] = {
		"virtualization", "virtualization-hypervisor", "virtualization-platform",
		"virtualization-tools", "virtualization-client", "virtualization-host-environment",
		"xen", "kvm", NULL,
	};
	static const char *const pkgs[] = {
		"kernel-xen", "xen", "xen-libs", "xen-hypervisor", "qemu-kvm", "libvirt",
		"libvirt-client", "libvirt-daemon-kvm", "python-virtinst", "virt-install", NULL,
	};
	/* The ones that name one hypervisor: checked against the file's hypervisor command. */
	static const char *const xen[] = { "kernel-xen", "xen", "xen-libs", "xen-hypervisor", NULL };
	static const char *const kvm[] = { "qemu-kvm", "libvirt-daemon-kvm", "kvm", NULL };
	const char *const *list = group ? groups : pkgs;

	if (group && name[0] == '^')
		name++;
	for (size_t i = 0; list[i]; i++) {
		if (strcasecmp(list[i], name))
			continue;
		for (size_t j = 0; xen[j] && !k->rhel_xen_src.line; j++)
			if (!strcasecmp(xen[j], name))
				k->rhel_xen_src = k->at;
		for (size_t j = 0; kvm[j] && !k->rhel_kvm_src.line; j++)
			if (!strcasecmp(kvm[j], name))
				k->rhel_kvm_src = k->at;
		if (group)
			ks_warn(k, _("The package group @%s is RHEL's virtualization host: ospite installs the Debian packages of the hypervisor the file names (hypervisor --type) itself."),
				name);
		else
			ks_warn(k, _("The package %s is RHEL's name for part of a Xen or KVM host: ospite installs the Debian packages of the hypervisor the file names (hypervisor --type) itself, so it is left out."),
				name);
		return true;
	}
	return false;
}

/*
 * The groups of RHEL files that mean a base system: Debian has the same idea
 * as package priorities. @core is what ospite always installs (required and
 * important); @base and @standard are Debian's standard priority, as tasksel's
 * "standard system utilities". Other groups name software by RHEL's own
 * names, which are not Debian's: refused, so nothing is silently missing.
 */
static void package_group(struct ks *k, const char *g, bool exclude)
{
	const char *name = g + (exclude ? 2 : 1);

	if (name[0] == '^')   /* an environment group, "@^minimal-environment" */
		name++;
	if (!exclude && rhel_virt_name(k, name, true))
		return;
	if (!strcasecmp(name, "core") || !strcasecmp(name, "minimal") ||
	    !strcasecmp(name, "minimal-environment") || !strcasecmp(name, "server-product-environment")) {
		if (exclude)
			ks_err(k, _("The package group %s cannot be left out: it is the base system ospite installs."),
			       ks_q(k, g));
		else
			ks_warn(k, _("The package group %s is Debian's base system of priority required and important, which ospite always installs."),
				ks_q(k, g));
	} else if (!strcasecmp(name, "base") || !strcasecmp(name, "standard")) {
		if (exclude) {
			ks_warn(k, _("Leaving out the package group %s changes nothing: Debian's standard packages are installed only when asked for."),
				ks_q(k, g));
		} else {
			ks_warn(k, _("The package group %s is installed as Debian's packages of priority standard."),
				ks_q(k, g));
			k->p->std_priority = true;
		}
	} else {
		ks_err(k, _("The package group %s is unknown to ospite: it knows @core, @base and @standard; list other packages by name."),
		       ks_q(k, g));
	}
}

void ks_package_line(struct ks *k, char **w)
{
	struct inst_plan *p = k->p;
	const char *name = w[0];
	bool exclude = name[0] == '-';
	char *cause = NULL;

	if (name[0] == '@' || !strncmp(name, "-@", 2)) {
		/* A group name may hold blanks: "@X Window System". */
		struct base_buf g = { 0 };

		for (size_t i = 0; w[i]; i++)
			base_buf_printf(&g, "%s%s", i ? " " : "", w[i]);
		if (g.oom)
			abort();
		package_group(k, g.s, exclude);
		free(g.s);
		return;
	}
	if (w[1]) {
		ks_err(k, _("Write one package per line in %%packages."));
		return;
	}
	if (exclude)
		name++;
	if (!exclude && rhel_virt_name(k, name, false))
		return;
	if (exclude && strpbrk(name, "*?[")) {
		/* RHEL files leave out families by pattern (-iwl*-firmware): fine when none is here. */
		char **set = inst_plan_package_set(p);
		bool hit = false;

		for (size_t i = 0; set[i]; i++)
			hit |= fnmatch(name, set[i], 0) == 0;
		inst_list_free(&set);
		if (hit)
			ks_err(k, _("The pattern %s matches packages of the set: name the packages to leave out one by one."),
			       ks_q(k, name));
		else
			ks_warn(k, _("The pattern %s matches no package of the set: leaving it out changes nothing."),
				ks_q(k, name));
		return;
	}
	if (failed(k, inst_valid_package(name, &cause), &cause))
		return;
	if (inst_list_has(exclude ? p->packages : p->exclude, name)) {
		ks_err(k, _("The package %s is both added and left out."), name);
		return;
	}
	if (inst_list_len(p->packages) + inst_list_len(p->exclude) >= KS_MAX_PACKAGES) {
		ks_err(k, _("%%packages lists more than %d packages."), KS_MAX_PACKAGES);
		return;
	}
	if (exclude && !inst_list_has(p->exclude, name)) {
		size_t n = inst_list_len(p->exclude);
		struct inst_loc *s = realloc(k->excl_src, (n + 1) * sizeof(*s));

		if (!s)
			abort();
		s[n] = k->at;
		k->excl_src = s;
		inst_list_add(&p->exclude, name);
	} else if (!exclude && !inst_list_has(p->packages, name)) {
		inst_list_add(&p->packages, name);
	}
}

/* ---- what the whole file must say ------------------------------------------------ */

/* Settle the one disk the file names and what it says about erasing it. */
static void finish_disk(struct ks *k)
{
	struct inst_plan *p = k->p;
	const char *disk = *k->ondisk ? k->ondisk : NULL;
	struct inst_loc src = k->ondisk_src;
	char where[320];

	if (k->clear_drives) {
		if (!disk) {
			disk = k->clear_drives[0];
			src = p->src_clear;
		} else if (strcmp(disk, k->clear_drives[0])) {
			ks_err_at(k, p->src_clear, _("The answer file names a second disk, %s, besides %s at %s: ospite installs onto one disk."),
				  k->clear_drives[0], disk, ks_where(k, src, where, sizeof(where)));
			return;
		}
	}
	if (!disk && inst_list_len(p->only_use) == 1) {
		disk = p->only_use[0];
		src = p->src_ignore;
	}
	if (disk && p->only_use && !inst_list_has(p->only_use, disk)) {
		ks_err_at(k, src, _("The disk %s is not among those ignoredisk --only-use allows at %s."),
			  disk, ks_where(k, p->src_ignore, where, sizeof(where)));
		return;
	}
	if (disk && inst_list_has(p->ignore_disks, disk)) {
		ks_err_at(k, src, _("The disk %s is excluded by ignoredisk --drives at %s."), disk,
			  ks_where(k, p->src_ignore, where, sizeof(where)));
		return;
	}
	if (disk) {
		INST_COPY(p->disk, disk);
		p->src_disk = src;
	}
	p->wipe_confirmed = k->clear_all || k->clear_drives;
}

/* GRUB on a GPT disk booted by BIOS needs its small partition; add it as the screens do. */
static void add_biosboot(struct ks *k)
{
	int rc = inst_plan_add_biosboot(k->p);

	if (rc < 0)
		ks_err_at(k, k->part_src, _("ospite makes at most %d partitions, the BIOS boot partition included."),
			  INST_MAX_PARTS);
	else if (rc > 0)
		k->p->parts[0].src = k->part_src;
}

/* The bridge of the file that carries @nic, or NULL. */
static const struct inst_bridge *carrier(const struct inst_plan *p, const char *nic)
{
	for (size_t i = 0; i < p->n_bridges; i++)
		if (!strcmp(p->bridges[i].nic, nic))
			return &p->bridges[i];
	return NULL;
}

/*
 * An address given on a NIC's own line, where another line puts that NIC in
 * a bridge, goes on the bridge: a port carries no address. Anaconda does the
 * same; say so, since the file reads otherwise.
 */
static void move_addresses(struct ks *k)
{
	struct inst_plan *p = k->p;
	const struct inst_bridge *b;

	if (k->addr_src.line && k->addr_nic_lines[0] && *p->nic && (b = carrier(p, p->nic)))
		ks_warn_at(k, p->src_network, _("The address of %s goes on the bridge %s, which carries it."),
			   p->nic, b->name);
	for (size_t i = 0; i < p->n_addrs; i++) {
		struct inst_addr *x = &p->addrs[i];

		if (!k->addr_nic_lines[i + 1] || !(b = carrier(p, x->dev)))
			continue;
		ks_warn_at(k, x->src, _("The address of %s goes on the bridge %s, which carries it."),
			   x->dev, b->name);
		INST_COPY(x->dev, b->name);
	}
}

/*
 * A host has one default route. A static --gateway gives it; otherwise the
 * first DHCP address without --nodefroute, as Anaconda does. Every other DHCP
 * address takes its address only, with a warning where the file did not say
 * --nodefroute.
 */
static void settle_default_route(struct ks *k)
{
	struct inst_plan *p = k->p;
	struct inst_loc held = { 0, 0 };
	char where[320];

	if (!p->dhcp && *p->gateway)
		held = p->src_network;
	for (size_t i = 0; i < p->n_addrs && !held.line; i++)
		if (!p->addrs[i].dhcp && *p->addrs[i].gateway)
			held = p->addrs[i].src;
	if (p->dhcp && !p->nodefroute && p->src_network.line) {
		if (held.line) {
			ks_warn_at(k, p->src_network, _("This DHCP address does not give the default route: the host takes it from the network command at %s; add --nodefroute to say so."),
				   ks_where(k, held, where, sizeof(where)));
			p->nodefroute = true;
		} else {
			held = p->src_network;
		}
	}
	for (size_t i = 0; i < p->n_addrs; i++) {
		struct inst_addr *x = &p->addrs[i];

		if (!x->dhcp || x->nodefroute)
			continue;
		if (held.line) {
			ks_warn_at(k, x->src, _("This DHCP address does not give the default route: the host takes it from the network command at %s; add --nodefroute to say so."),
				   ks_where(k, held, where, sizeof(where)));
			x->nodefroute = true;
		} else {
			held = x->src;
		}
	}
}

/*
 * RHEL's hypervisor packages say which host the file meant: ospite installs
 * Xen unless told, so a file that asks for KVM that way, or whose packages
 * and hypervisor command disagree, would give another host than it says.
 */
static void check_rhel_hypervisor(struct ks *k)
{
	struct inst_loc hv = k->once[KS_ONCE_HYPERVISOR];
	char where[320];

	if (!hv.line) {
		if (k->rhel_kvm_src.line)
			ks_err_at(k, k->rhel_kvm_src, _("This package asks for a KVM host, but ospite installs Xen unless the file says hypervisor --type=kvm: add that command."));
		return;
	}
	if (k->p->hv == INST_HV_KVM && k->rhel_xen_src.line)
		ks_err_at(k, k->rhel_xen_src, _("This package asks for a Xen host, but the hypervisor command at %s says KVM."),
			  ks_where(k, hv, where, sizeof(where)));
	else if (k->p->hv == INST_HV_XEN && k->rhel_kvm_src.line)
		ks_err_at(k, k->rhel_kvm_src, _("This package asks for a KVM host, but the hypervisor command at %s says Xen."),
			  ks_where(k, hv, where, sizeof(where)));
}

void ks_finish(struct ks *k)
{
	struct inst_plan *p = k->p;
	struct inst_loc file = { k->stack[0].idx, 0 };
	char *cause = NULL;

	if (k->fatal)
		return;
	/* The language sets the keyboard and time zone the file leaves out. */
	if (k->lang_set) {
		char kb[sizeof(p->keyboard)], tz[sizeof(p->timezone)], loc[sizeof(p->locale)];
		char var[sizeof(p->kbd_variant)];

		INST_COPY(var, p->kbd_variant);
		INST_COPY(kb, p->keyboard);
		INST_COPY(tz, p->timezone);
		INST_COPY(loc, p->locale);
		inst_plan_lang_defaults(p, p->lang);
		INST_COPY(p->locale, loc);
		if (k->keyboard_set) {
			INST_COPY(p->keyboard, kb);
			INST_COPY(p->kbd_variant, var);
		}
		if (k->timezone_set)
			INST_COPY(p->timezone, tz);
	}
	if (!k->once[KS_ONCE_ROOTPW].line)
		ks_err_at(k, file, _("No root password is set: add a rootpw command."));
	if (!k->part_seen && !k->autopart_src.line)
		ks_err_at(k, file, _("The answer file says nothing about partitions: add autopart or part commands."));
	else if (k->part_seen && !k->root_seen)
		ks_err_at(k, file, _("The partitions have no / (root) partition."));
	if (!k->once[KS_ONCE_URL].line && p->src == INST_SRC_MIRROR) {
		if (!*p->mirror)
			ks_err_at(k, file, _("No package source is set: add url --url= with the address of a Debian mirror."));
		else if (inst_valid_url(p->mirror, &cause) < 0)
			ks_err_at(k, file, _("This system's package source cannot be used (%s): add url --url= with the address of a Debian mirror."),
				  cause), free(cause), cause = NULL;
	}
	move_addresses(k);
	settle_default_route(k);
	check_rhel_hypervisor(k);
	ks_lvm_finish(k);
	if (p->n_parts) {
		add_biosboot(k);
		ks_lvm_biosboot2(k);
	}
	for (size_t i = 0; p->exclude && p->exclude[i]; i++) {
		if (inst_plan_pkg_needed(p, p->exclude[i]))
			ks_err_at(k, k->excl_src[i], _("The package %s cannot be left out: ospite needs it."),
				  p->exclude[i]);
		else if (!inst_plan_pkg_listed(p, p->exclude[i]))
			/* A RHEL file leaves out its own packages (-plymouth): Debian has none to leave. */
			ks_warn_at(k, k->excl_src[i], _("The package %s is not in the package set: leaving it out changes nothing."),
				   p->exclude[i]);
	}
	if (*p->serial && p->hv == INST_HV_XEN && strncmp(p->serial, "ttyS0,", 6) &&
	    strncmp(p->serial, "ttyS1,", 6))
		ks_err_at(k, p->src_bootloader, _("Xen can use the serial ports ttyS0 and ttyS1 only, not %s."),
			  p->serial);
	finish_disk(k);
}

unsigned ks_args(struct ks *k, char **w, const struct inst_ks_optdef *defs,
		 const char *const *unsupported, struct inst_ks_args *a, size_t max)
{
	return args(k, w, defs, unsupported, a, max);
}

bool ks_parse_mib(struct ks *k, const char *opt, const char *v, uint64_t *out)
{
	return parse_mib(k, opt, v, out);
}

bool ks_fits(struct ks *k, const char *what, const char *v, size_t size)
{
	return fits(k, what, v, size);
}
