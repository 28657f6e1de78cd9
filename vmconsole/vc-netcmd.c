/* `ospite net show|apply|confirm|revert`: the bridge editor for scripts, and the detached process that reverts an unkept change. */
#include "vc-net.h"
#include "hostcfg/hcfg.h"
#include "base/audit.h"
#include "base/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

static void usage(FILE *f)
{
	fputs(_("Usage: ospite net show [--json] [--root DIR] [--connect URI]\n"
		"       ospite net apply FILE [--confirm-timeout SECONDS] [--root DIR]\n"
		"       ospite net confirm [--root DIR]\n"
		"       ospite net revert [--root DIR] [--boot]\n"
		"Show and change the host's bridges. apply takes the bridges in the format\n"
		"\"net show --json\" prints, makes them live and reverts them after the timeout\n"
		"(60 s, 90 s with STP) unless \"net confirm\" keeps them. --root DIR reads and\n"
		"writes the configuration files under DIR; --boot (at boot, before the network\n"
		"starts) restores only the files of a change that was never kept.\n"), f);
}

static int fail(char *cause)
{
	fprintf(stderr, "ospite: %s\n", cause ? cause : _("The operation failed."));
	free(cause);
	return 2;
}

/* With --root the audit log goes under it too, unless $OSPITE_AUDIT_LOG names one. */
static void audit_root(const char *root)
{
	char *path = NULL;

	if (!strcmp(root, "/") || getenv("OSPITE_AUDIT_LOG"))
		return;
	if (asprintf(&path, "%s%s", root, BASE_AUDIT_LOG) >= 0)
		base_audit_set_path(path);
	free(path);
}

static json_object *iface_json(const struct vc_net *n, const struct hcfg_iface *f)
{
	json_object *o = json_object_new_object();
	const char *guest = vc_net_guest(n, f->name);
	const char *kind = f->nic ? "nic" : !strcmp(f->kind, "vlan") ? "vlan" :
			   guest || hcfg_iface_is_guest(f) ? "guest" : !strcmp(f->kind, "bridge") ? "bridge" :
			   "other";

	json_object_object_add(o, "name", json_object_new_string(f->name));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "bridge", *f->master ? json_object_new_string(f->master) : NULL);
	json_object_object_add(o, "up", json_object_new_boolean(f->up));
	json_object_object_add(o, "link", json_object_new_boolean(f->carrier));
	json_object_object_add(o, "mac", json_object_new_string(f->mac));
	json_object_object_add(o, "mtu", json_object_new_int((int)f->mtu));
	if (f->nic) {
		json_object_object_add(o, "speed_mbps", json_object_new_int((int)f->speed_mbps));
		json_object_object_add(o, "driver", json_object_new_string(f->driver));
	}
	if (!strcmp(f->kind, "vlan")) {
		json_object_object_add(o, "parent", json_object_new_string(f->parent));
		json_object_object_add(o, "vlan_id", json_object_new_int((int)f->vlan_id));
	}
	if (guest)
		json_object_object_add(o, "guest", json_object_new_string(guest));
	return o;
}

static json_object *bridge_live(const struct vc_net *n, const char *name)
{
	const struct hcfg_iface *f = hcfg_netlive_find(&n->live, name);
	json_object *o, *a = json_object_new_array(), *ports = json_object_new_array();
	const char *gw = NULL, *gw6 = NULL;

	if (!f) {
		json_object_put(a);
		json_object_put(ports);
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(f->up ? "up" : "down"));
	for (size_t i = 0; i < n->live.n_ips; i++)
		if (!strcmp(n->live.ips[i].dev, name))
			json_object_array_add(a, json_object_new_string(n->live.ips[i].addr));
	for (size_t i = 0; i < n->live.n_routes; i++) {
		const struct hcfg_iproute *r = &n->live.routes[i];

		if (!strcmp(r->dev, name) && !strcmp(r->dst, "default") && *r->gw) {
			if (r->family == AF_INET6)
				gw6 = r->gw;
			else
				gw = r->gw;
		}
	}
	for (size_t i = 0; i < n->live.n_ifs; i++)
		if (!strcmp(n->live.ifs[i].master, name))
			json_object_array_add(ports, iface_json(n, &n->live.ifs[i]));
	json_object_object_add(o, "addresses", a);
	json_object_object_add(o, "gateway", gw ? json_object_new_string(gw) : NULL);
	json_object_object_add(o, "gateway6", gw6 ? json_object_new_string(gw6) : NULL);
	json_object_object_add(o, "stp", json_object_new_boolean(f->stp));
	json_object_object_add(o, "mtu", json_object_new_int((int)f->mtu));
	json_object_object_add(o, "mac", json_object_new_string(f->mac));
	json_object_object_add(o, "ports", ports);
	return o;
}

static json_object *pending_json(const struct vc_net *n)
{
	json_object *o;

	if (!n->pending)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(n->pend.id));
	json_object_object_add(o, "deadline", json_object_new_int64(n->pend.deadline));
	json_object_object_add(o, "user", json_object_new_string(n->pend.user));
	json_object_object_add(o, "tty", json_object_new_string(n->pend.tty));
	return o;
}

static int show(const char *root, struct hv_conn *conn, bool json)
{
	struct vc_net n;
	char *cause = NULL;

	if (vc_net_load(&n, root, conn, &cause) < 0)
		return fail(cause);
	if (json) {
		json_object *o = json_object_new_object(), *brs = json_object_new_array(),
			    *other = json_object_new_array(), *nics = json_object_new_array(),
			    *vlans = json_object_new_array();

		for (size_t i = 0; i < n.conf.n; i++) {
			json_object *b = hcfg_bridge_json(&n.conf.br[i]);

			json_object_object_add(b, "live", bridge_live(&n, n.conf.br[i].name));
			json_object_array_add(brs, b);
		}
		for (size_t i = 0; i < n.live.n_ifs; i++) {
			const struct hcfg_iface *f = &n.live.ifs[i];

			if (!strcmp(f->kind, "bridge") && !hcfg_netconf_find(&n.conf, f->name)) {
				json_object *b = json_object_new_object();

				json_object_object_add(b, "name", json_object_new_string(f->name));
				json_object_object_add(b, "live", bridge_live(&n, f->name));
				json_object_array_add(other, b);
			}
			if (f->nic)
				json_object_array_add(nics, iface_json(&n, f));
			if (!strcmp(f->kind, "vlan"))
				json_object_array_add(vlans, iface_json(&n, f));
		}
		json_object_object_add(o, "bridges", brs);
		json_object_object_add(o, "other_bridges", other);
		json_object_object_add(o, "nics", nics);
		json_object_object_add(o, "vlans", vlans);
		json_object_object_add(o, "pending", pending_json(&n));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		char **keys, **rows;
		size_t k = vc_net_rows(&n, 0, &keys, &rows);

		for (size_t i = 0; i < k; i++)
			puts(rows[i]);
		if (n.pending) {
			char when[16];
			struct tm tm;

			localtime_r(&n.pend.deadline, &tm);
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			printf(_("A change by %s on %s waits to be kept: it is reverted at %s.\n"),
			       n.pend.user, *n.pend.tty ? n.pend.tty : "?", when);
		}
		vc_strv_free(keys, k);
		vc_strv_free(rows, k);
	}
	vc_net_clear(&n);
	return 0;
}

/* The names of the bridges a plan touches, for the audit log. */
static char *scope_words(const struct hcfg_netplan *p)
{
	struct base_buf b = { 0 };

	for (size_t i = 0; i < p->n_scope; i++)
		base_buf_printf(&b, "%s%s", i ? " " : "", p->scope[i]);
	return b.s ? b.s : strdup("-");
}

static int apply(const char *root, const char *file, long timeout)
{
	struct hcfg_netconf want = { NULL, 0 };
	struct hcfg_netplan *plan = NULL;
	struct hcfg_net_issue *issues = NULL;
	struct hcfg_net_pending p;
	struct hcfg_lock **locks = NULL;
	size_t ni = 0, nl = 0;
	char *text = NULL, *cause = NULL, user[64], tty[32], own[64], *what;
	char mgmt[8][IF_NAMESIZE];
	const char *argv[6];
	int rc, errors;

	vc_net_who(NULL, user, sizeof(user), tty, sizeof(tty));
	rc = hcfg_read_file(file, &text, &cause);
	if (rc == 0)
		rc = hcfg_netconf_from_json(text, &want, &cause);
	if (rc == 0)
		rc = hcfg_net_plan(root, &want, vc_net_own_address(own, sizeof(own)), &plan, &cause);
	if (rc < 0)
		goto out;
	errors = hcfg_net_check(&plan->old, &want, &plan->have, mgmt,
				hcfg_net_mgmt(&plan->have, vc_net_own_address(own, sizeof(own)), mgmt, 8),
				&issues, &ni);
	for (size_t i = 0; i < ni; i++)
		fprintf(stderr, issues[i].warning ? _("ospite: warning: %s\n") : "ospite: %s\n",
			issues[i].msg);
	if (errors) {
		rc = 1;
		goto out;
	}
	if (!plan->n_scope) {
		puts(_("Nothing to change."));
		goto out;
	}
	/* Someone editing one of these bridges at the console has it: do not change it under them. */
	locks = calloc(plan->n_scope, sizeof(*locks));
	for (size_t i = 0; locks && i < plan->n_scope; i++) {
		rc = hcfg_lock_take(NULL, HCFG_LOCK_BRIDGE, plan->scope[i], user, tty, &locks[nl], NULL,
				    &cause);
		if (rc < 0)
			goto out;
		nl++;
	}
	if (timeout < 0)
		timeout = plan->stp ? HCFG_NET_TIMEOUT_STP : HCFG_NET_TIMEOUT_DEFAULT;
	fputs(plan->diff, stdout);
	vc_net_revert_argv(root, argv);
	rc = hcfg_net_apply(root, plan, (unsigned)timeout, user, tty, argv, &p, &cause);
	what = scope_words(plan);
	if (rc < 0) {
		base_audit(user, tty, "net apply failed (%s): %s", what, cause ? cause : "");
	} else {
		base_audit(user, tty, "net apply %s: bridges %s, reverted in %ld s unless kept", p.id,
			   what, timeout);
		printf(_("The change is live. It is reverted in %ld s unless \"ospite net confirm\" keeps it.\n"),
		       timeout);
	}
	free(what);
out:
	for (size_t i = 0; i < nl; i++)
		hcfg_lock_release(locks[i]);
	free(locks);
	hcfg_net_issues_free(issues, ni);
	hcfg_net_plan_free(plan);
	hcfg_netconf_clear(&want);
	free(text);
	return rc == 1 ? 1 : rc < 0 ? fail(cause) : 0;
}

static int confirm(const char *root)
{
	struct hcfg_net_pending p;
	char *cause = NULL, user[64], tty[32];

	vc_net_who(NULL, user, sizeof(user), tty, sizeof(tty));
	if (hcfg_net_confirm(root, NULL, &p, &cause) < 0)
		return fail(cause);
	base_audit(user, tty, "net keep %s (applied by %s on %s)", p.id, p.user, p.tty);
	puts(_("The change is kept."));
	return 0;
}

static int revert(const char *root, const char *at, const char *id, bool boot)
{
	struct hcfg_net_pending p = { 0 };
	char *cause = NULL, user[64], tty[32];
	int rc;

	vc_net_who(NULL, user, sizeof(user), tty, sizeof(tty));
	if (at) {
		char *end;
		long long t = strtoll(at, &end, 10);

		if (*end || !id)
			return fail(strdup(_("--at takes the time in seconds since 1970, with --id.")));
		rc = hcfg_net_revert_at(root, id, (time_t)t, &p, &cause);
		if (rc > 0)
			base_audit(p.user, p.tty, "net revert %s: not kept in %u s", p.id, p.timeout);
		else if (rc < 0)
			base_audit(p.user, p.tty, "net revert %s failed: %s", id, cause ? cause : "");
		free(cause);
		return rc < 0 ? 2 : 0;
	}
	rc = hcfg_net_revert(root, NULL, boot, &p, &cause);
	if (rc == -ENOENT && boot) {
		free(cause);
		return 0;
	}
	if (rc < 0) {
		if (*p.id)
			base_audit(user, tty, "net revert %s failed: %s", p.id, cause ? cause : "");
		return fail(cause);
	}
	base_audit(boot ? p.user : user, boot ? p.tty : tty, boot ? "net revert %s at boot: never kept" :
		   "net revert %s", p.id);
	puts(_("The previous network settings are back."));
	return 0;
}

int vc_net_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "connect", required_argument, NULL, 'c' },
		{ "confirm-timeout", required_argument, NULL, 't' },
		{ "at", required_argument, NULL, 'a' },
		{ "id", required_argument, NULL, 'i' },
		{ "boot", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/", *uri = NULL, *at = NULL, *id = NULL, *cmd;
	char rootbuf[PATH_MAX];
	bool json = false, boot = false;
	long timeout = -1;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': root = optarg; break;
		case 'j': json = true; break;
		case 'c': uri = optarg; break;
		case 'a': at = optarg; break;
		case 'i': id = optarg; break;
		case 'b': boot = true; break;
		case 't': {
			unsigned long long v;

			if (vc_parse_uint(optarg, 3600, &v) < 0 || v < 10) {
				fputs(_("ospite: --confirm-timeout takes 10 to 3600 seconds.\n"), stderr);
				return 1;
			}
			timeout = (long)v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	/* The revert process runs from "/": a relative root must not depend on where it started. */
	if (!realpath(root, rootbuf)) {
		fprintf(stderr, _("ospite: the folder %s cannot be used: %s.\n"), root, strerror(errno));
		return 1;
	}
	root = rootbuf;
	audit_root(root);
	cmd = argv[optind];
	if (!strcmp(cmd, "show") && argc - optind == 1) {
		struct hv_conn *conn = NULL;
		char *cause = NULL;

		/* Guests' names of their ports need the hypervisor: only when one is named. */
		if (uri && hv_open(uri, &conn, &cause) < 0)
			return fail(cause);
		rc = show(root, conn, json);
		if (conn)
			hv_close(conn);
		return rc;
	}
	if (!strcmp(cmd, "apply") && argc - optind == 2)
		return apply(root, argv[optind + 1], timeout);
	if (!strcmp(cmd, "confirm") && argc - optind == 1)
		return confirm(root);
	if (!strcmp(cmd, "revert") && argc - optind == 1)
		return revert(root, at, id, boot);
	usage(stderr);
	return 1;
}
