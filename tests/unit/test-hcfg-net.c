/* Unit tests for the bridge editor's pure parts: the interfaces file read and rewritten, the diff, the checks, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "hostcfg/hcfg.h"
#include "hostcfg/hcfg-net.h"

/* What the installer writes (hcfg-target.c), plus what an administrator may have added. */
static const char installed[] =
	"# The network interfaces of this host, for ifupdown and bridge-utils; see interfaces(5).\n"
	"source /etc/network/interfaces.d/*\n"
	"\n"
	"auto lo\n"
	"iface lo inet loopback\n"
	"\n"
	"iface eth0 inet manual\n"
	"\n"
	"auto xenbr0\n"
	"iface xenbr0 inet static\n"
	"\taddress 192.0.2.10/24\n"
	"\tgateway 192.0.2.1\n"
	"\tbridge_ports eth0\n"
	"\tbridge_stp off\n"
	"\tbridge_fd 0\n"
	"\tbridge_maxwait 0\n"
	"\tpost-up echo hello\n"
	"\n"
	"iface eth1 inet manual\n"
	"\n"
	"auto xenbr1\n"
	"iface xenbr1 inet manual\n"
	"\tbridge-ports eth1\n"
	"\tbridge-stp on\n"
	"\tbridge-fd 15\n"
	"# a comment at the end\n";

static void parse(const char *text, struct hcfg_netconf *c)
{
	char *cause = NULL;

	assert_int_equal(hcfg_netconf_parse(text, "search example.org\nnameserver 192.0.2.53\n", c, &cause), 0);
	assert_null(cause);
}

static void test_parse(void **state)
{
	struct hcfg_netconf c;
	struct hcfg_bridge *b;

	(void)state;
	parse(installed, &c);
	assert_int_equal(c.n, 2);
	b = hcfg_netconf_find(&c, "xenbr0");
	assert_non_null(b);
	assert_int_equal(b->mode, HCFG_BR_STATIC);
	assert_int_equal(b->n_addrs, 1);
	assert_string_equal(b->addrs[0], "192.0.2.10/24");
	assert_string_equal(b->gateway, "192.0.2.1");
	assert_int_equal(b->n_ports, 1);
	assert_string_equal(b->ports[0], "eth0");
	assert_false(b->stp);
	assert_int_equal(b->fd, 0);
	/* The installer puts the name servers into resolv.conf: the bridge with the gateway shows them. */
	assert_int_equal(b->n_dns, 1);
	assert_string_equal(b->dns[0], "192.0.2.53");
	b = hcfg_netconf_find(&c, "xenbr1");
	assert_int_equal(b->mode, HCFG_BR_MANUAL);
	assert_true(b->stp);
	assert_int_equal(b->fd, 15);
	assert_int_equal(b->n_dns, 0);
	hcfg_netconf_clear(&c);

	/* A netmask on its own line, an IPv6 stanza, no ports. */
	parse("auto br9\niface br9 inet static\n  address 198.51.100.9\n  netmask 255.255.255.0\n"
	      "  bridge_ports none\n  mtu 9000\n  dns-nameservers 198.51.100.53 198.51.100.54\n"
	      "iface br9 inet6 static\n  address 2001:db8::9/64\n  gateway 2001:db8::1\n", &c);
	b = hcfg_netconf_find(&c, "br9");
	assert_non_null(b);
	assert_int_equal(b->n_addrs, 2);
	assert_string_equal(b->addrs[0], "198.51.100.9/24");
	assert_string_equal(b->addrs[1], "2001:db8::9/64");
	assert_string_equal(b->gateway6, "2001:db8::1");
	assert_int_equal(b->n_ports, 0);
	assert_int_equal(b->mtu, 9000);
	assert_int_equal(b->n_dns, 2);
	assert_int_equal(b->fd, -1);
	hcfg_netconf_clear(&c);
}

static void test_render(void **state)
{
	struct hcfg_netconf old, c;
	struct hcfg_bridge nb, *b;
	char *out, *diff;

	(void)state;
	parse(installed, &old);
	/* Nothing changed: byte for byte the same. */
	out = hcfg_netconf_render(installed, &old, &old);
	assert_string_equal(out, installed);
	free(out);

	/* A new address on xenbr0: only its lines change, the option ospite does not know stays. */
	assert_int_equal(hcfg_netconf_copy(&c, &old), 0);
	b = hcfg_netconf_find(&c, "xenbr0");
	snprintf(b->addrs[0], sizeof(b->addrs[0]), "192.0.2.20/24");
	out = hcfg_netconf_render(installed, &old, &c);
	diff = hcfg_text_diff(installed, out);
	assert_string_equal(diff, " iface xenbr0 inet static\n"
				  "-\taddress 192.0.2.10/24\n"
				  "+\taddress 192.0.2.20/24\n"
				  " \tgateway 192.0.2.1\n");
	assert_non_null(strstr(out, "\tpost-up echo hello\n"));
	free(diff);
	free(out);

	/* xenbr1 deleted, br2 new on a VLAN: the auto line goes, a VLAN stanza comes. */
	hcfg_netconf_remove(&c, "xenbr1");
	hcfg_bridge_init(&nb, "br2");
	nb.n_ports = 1;
	snprintf(nb.ports[0], sizeof(nb.ports[0]), "eth1.20");
	assert_non_null(hcfg_netconf_add(&c, &nb));
	out = hcfg_netconf_render(installed, &old, &c);
	assert_null(strstr(out, "xenbr1"));
	assert_non_null(strstr(out, "# a comment at the end\n"));
	assert_non_null(strstr(out, "auto eth1.20\niface eth1.20 inet manual\n\tvlan-raw-device eth1\n\n"
				    "auto br2\niface br2 inet manual\n\tbridge_ports eth1.20\n"));
	/* Read back, the file gives what was written. */
	hcfg_netconf_clear(&old);
	parse(out, &old);
	assert_int_equal(old.n, 2);
	assert_non_null(hcfg_netconf_find(&old, "br2"));
	assert_string_equal(hcfg_netconf_find(&old, "xenbr0")->addrs[0], "192.0.2.20/24");
	free(out);
	hcfg_netconf_clear(&c);
	hcfg_netconf_clear(&old);

	/* An auto line naming several interfaces loses only the deleted bridge. */
	parse("auto lo br7 eth3\niface br7 inet manual\n\tbridge_ports none\n", &old);
	c.br = NULL;
	c.n = 0;
	out = hcfg_netconf_render("auto lo br7 eth3\niface br7 inet manual\n\tbridge_ports none\n", &old, &c);
	assert_string_equal(out, "auto lo eth3\n");
	free(out);
	hcfg_netconf_clear(&old);
}

static void test_resolv(void **state)
{
	char dns[2][HCFG_NET_ADDR_LEN] = { "192.0.2.54", "2001:db8::53" };
	char *out;

	(void)state;
	out = hcfg_resolv_render("search example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.52\noptions edns0\n",
				 dns, 2);
	assert_string_equal(out, "search example.org\nnameserver 192.0.2.54\nnameserver 2001:db8::53\noptions edns0\n");
	free(out);
}

/* A live state with the NICs eth0..eth2, bridge xenbr0 holding eth0 and a guest's tap. */
static void live(struct hcfg_netlive *l)
{
	static const char *const names[] = { "eth0", "eth1", "eth2", "xenbr0", "vnet0" };

	memset(l, 0, sizeof(*l));
	l->ifs = calloc(5, sizeof(*l->ifs));
	l->n_ifs = 5;
	for (int i = 0; i < 5; i++) {
		snprintf(l->ifs[i].name, sizeof(l->ifs[i].name), "%s", names[i]);
		l->ifs[i].nic = i < 3;
	}
	snprintf(l->ifs[3].kind, sizeof(l->ifs[3].kind), "bridge");
	snprintf(l->ifs[4].kind, sizeof(l->ifs[4].kind), "tun");
	snprintf(l->ifs[0].master, sizeof(l->ifs[0].master), "xenbr0");
	snprintf(l->ifs[4].master, sizeof(l->ifs[4].master), "xenbr0");
}

/* The messages hcfg_net_check() gives for @c against the installed file, one string. */
static char *check(const struct hcfg_netconf *c, int *errors)
{
	struct hcfg_netconf old;
	struct hcfg_netlive l;
	struct hcfg_net_issue *v = NULL;
	size_t n = 0, len = 0;
	char mgmt[1][IF_NAMESIZE] = { "xenbr0" }, *all = calloc(1, 1);

	parse(installed, &old);
	live(&l);
	*errors = hcfg_net_check(&old, c, &l, mgmt, 1, &v, &n);
	for (size_t i = 0; i < n; i++) {
		all = realloc(all, len + strlen(v[i].msg) + 12);
		len += (size_t)sprintf(all + len, "%s%s\n", v[i].warning ? "W: " : "", v[i].msg);
	}
	hcfg_net_issues_free(v, n);
	hcfg_netlive_clear(&l);
	hcfg_netconf_clear(&old);
	return all;
}

static void test_check(void **state)
{
	struct hcfg_netconf c;
	struct hcfg_bridge nb, *b;
	char *msgs;
	int errors;

	(void)state;
	parse(installed, &c);
	msgs = check(&c, &errors);
	assert_int_equal(errors, 0);
	assert_string_equal(msgs, "");
	free(msgs);

	b = hcfg_netconf_find(&c, "xenbr0");
	snprintf(b->addrs[0], sizeof(b->addrs[0]), "192.0.2.300/24");
	snprintf(b->gateway, sizeof(b->gateway), "203.0.113.1");
	b->addrs[1][0] = '\0';
	hcfg_bridge_init(&nb, "a-name-too-long-0");
	assert_non_null(hcfg_netconf_add(&c, &nb));
	hcfg_bridge_init(&nb, "eth2");
	assert_non_null(hcfg_netconf_add(&c, &nb));
	hcfg_bridge_init(&nb, "br3");
	nb.n_ports = 3;
	snprintf(nb.ports[0], sizeof(nb.ports[0]), "eth0");
	snprintf(nb.ports[1], sizeof(nb.ports[1]), "vnet0");
	snprintf(nb.ports[2], sizeof(nb.ports[2]), "eth7.5");
	nb.mode = HCFG_BR_STATIC;
	nb.n_addrs = 1;
	snprintf(nb.addrs[0], sizeof(nb.addrs[0]), "198.51.100.10/24");
	snprintf(nb.gateway, sizeof(nb.gateway), "198.51.100.1");
	nb.stp = true;
	nb.fd = 0;
	nb.mtu = 40;
	assert_non_null(hcfg_netconf_add(&c, &nb));
	msgs = check(&c, &errors);
	assert_string_equal(msgs,
		"\"192.0.2.300/24\" is not an address with a prefix length, such as 192.0.2.10/24 or 2001:db8::10/64.\n"
		"Static addressing of xenbr0 needs an IPv4 address with its prefix length, such as 192.0.2.10/24.\n"
		"The bridge name \"a-name-too-long-0\" is longer than 15 characters.\n"
		"The name eth2 is already used by another network interface.\n"
		"Bridges xenbr0 and br3 both have an IPv4 gateway: give only one of them a gateway.\n"
		"eth0 is already a port of bridge xenbr0.\n"
		"vnet0 is a guest's interface: libvirt puts it into its bridge when the guest starts.\n"
		"eth7.5 cannot be made: there is no network card eth7.\n"
		"The MTU 40 of br3 is not between 68 and 65535.\n"
		"With STP the forward delay of br3 must be between 2 and 30 seconds.\n");
	assert_int_equal(errors, 10);
	free(msgs);
	hcfg_netconf_clear(&c);

	/* The gateway outside the subnet, and the console's bridge losing its last port: a warning. */
	parse(installed, &c);
	b = hcfg_netconf_find(&c, "xenbr0");
	snprintf(b->gateway, sizeof(b->gateway), "192.0.3.1");
	b->n_ports = 0;
	msgs = check(&c, &errors);
	assert_string_equal(msgs,
		"The gateway 192.0.3.1 is outside every subnet of xenbr0.\n"
		"W: xenbr0 carries the address this console is reached through, and would have no port left: the host may become unreachable.\n");
	assert_int_equal(errors, 1);
	free(msgs);
	hcfg_netconf_clear(&c);
}

static void test_json(void **state)
{
	struct hcfg_netconf c, back;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char *cause = NULL;

	(void)state;
	parse(installed, &c);
	for (size_t i = 0; i < c.n; i++)
		json_object_array_add(a, hcfg_bridge_json(&c.br[i]));
	json_object_object_add(o, "bridges", a);
	assert_int_equal(hcfg_netconf_from_json(json_object_to_json_string(o), &back, &cause), 0);
	assert_int_equal(back.n, c.n);
	for (size_t i = 0; i < c.n; i++)
		assert_true(hcfg_bridge_equal(&c.br[i], &back.br[i]));
	hcfg_netconf_clear(&back);
	json_object_put(o);
	assert_int_equal(hcfg_netconf_from_json("{\"bridges\": [{\"name\": \"b\", \"addressing\": \"magic\"}]}",
						&back, &cause), -22);
	assert_non_null(strstr(cause, "not \"magic\""));
	free(cause);
	cause = NULL;
	assert_true(hcfg_netconf_from_json("[1,", &back, &cause) < 0);
	free(cause);
	hcfg_netconf_clear(&c);
}

static void test_cidr(void **state)
{
	unsigned char a[16];
	unsigned p;
	int f;

	(void)state;
	assert_true(hcfg_cidr_parse("192.0.2.1/24", &f, a, &p));
	assert_int_equal(p, 24);
	assert_true(hcfg_cidr_parse("2001:db8::1/128", &f, a, &p));
	assert_false(hcfg_cidr_parse("192.0.2.1", &f, a, &p));
	assert_false(hcfg_cidr_parse("192.0.2.1/33", &f, a, &p));
	assert_false(hcfg_cidr_parse("192.0.2.1/0", &f, a, &p));
	assert_false(hcfg_cidr_parse("192.0.2.1/+8", &f, a, &p));
	assert_false(hcfg_cidr_parse("host/24", &f, a, &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_resolv),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cidr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
