/* Unit tests for hostcfg/hcfg-target.c: the exact files it writes into a scratch target root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "hostcfg/hcfg-target.h"

static char root[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup_root(void **state)
{
	snprintf(root, sizeof(root), "/tmp/test-hcfg-target.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown_root(void **state)
{
	/* FTW_PHYS: never follow the links the tests make, one of which points at "/". */
	return nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *path_in(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s%s", root, rel) > 0);
	return p;
}

/* The contents of @rel in the target; fails the test when it cannot be read. */
static char *slurp(const char *rel)
{
	char *p = path_in(rel), *data = NULL, *cause = NULL;
	int rc = hcfg_read_file(p, &data, &cause);

	if (rc < 0)
		fail_msg("%s", cause ? cause : rel);
	free(p);
	return data;
}

static void assert_file(const char *rel, const char *want)
{
	char *got = slurp(rel);

	assert_string_equal(got, want);
	free(got);
}

static bool exists(const char *rel)
{
	char *p = path_in(rel);
	struct stat st;
	bool e = lstat(p, &st) == 0;

	free(p);
	return e;
}

static void put(const char *rel, const char *data)
{
	char *p = path_in(rel), *dir = strdup(p);

	for (char *s = dir + strlen(root) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(dir, 0755);
			*s = '/';
		}
	}
	assert_int_equal(hcfg_write_file(p, data, 0644, NULL), 0);
	free(dir);
	free(p);
}

static void assert_link(const char *rel, const char *want)
{
	char *p = path_in(rel), buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	if (n < 0)
		fail_msg("%s is not a symlink: %s", rel, strerror(errno));
	buf[n] = '\0';
	assert_string_equal(buf, want);
	free(p);
}

/* ---- fstab ---------------------------------------------------------------- */

static void test_fstab(void **state)
{
	/* Out of order on purpose: parents must come first and swap last. */
	const struct hcfg_target_mount m[] = {
		{ .mount = "biosboot", .fstype = "biosboot" },
		{ .mount = "swap", .uuid = "5b6a1c2d-0000-4000-8000-000000000003", .fstype = "swap" },
		{ .mount = "/var/lib/ospite/images", .uuid = "5b6a1c2d-0000-4000-8000-000000000004",
		  .fstype = "xfs" },
		{ .mount = "/boot", .uuid = "5b6a1c2d-0000-4000-8000-000000000001", .fstype = "ext4" },
		{ .mount = "/", .uuid = "5b6a1c2d-0000-4000-8000-000000000002", .fstype = "ext4" },
		{ .mount = "/boot/efi", .uuid = "AB12-CD34", .fstype = "vfat",
		  .pass = HCFG_TARGET_PASS_NONE },
		{ .mount = "/srv", .uuid = "5b6a1c2d-0000-4000-8000-000000000005", .fstype = "ext4",
		  .options = "noatime,nodev" },
	};
	char *cause = NULL;

	assert_int_equal(hcfg_target_fstab(root, m, sizeof(m) / sizeof(m[0]), &cause), 0);
	assert_null(cause);
	assert_file("/etc/fstab",
		    "# /etc/fstab: static file system information.\n"
		    "#\n"
		    "# Filesystems are named by UUID: device names can change between boots.\n"
		    "#\n"
		    "# <file system>\t<mount point>\t<type>\t<options>\t<dump>\t<pass>\n"
		    "UUID=5b6a1c2d-0000-4000-8000-000000000002\t/\text4\terrors=remount-ro\t0\t1\n"
		    "UUID=5b6a1c2d-0000-4000-8000-000000000001\t/boot\text4\tdefaults\t0\t2\n"
		    "UUID=AB12-CD34\t/boot/efi\tvfat\tumask=0077\t0\t0\n"
		    "UUID=5b6a1c2d-0000-4000-8000-000000000005\t/srv\text4\tnoatime,nodev\t0\t2\n"
		    "UUID=5b6a1c2d-0000-4000-8000-000000000004\t/var/lib/ospite/images\txfs\tdefaults\t0\t2\n"
		    "UUID=5b6a1c2d-0000-4000-8000-000000000003\tnone\tswap\tsw\t0\t0\n");
}

static void test_fstab_refuses_device_names(void **state)
{
	const struct hcfg_target_mount m[] = {
		{ .mount = "/", .uuid = "/dev/loop0p2", .fstype = "ext4" },
	};
	const struct hcfg_target_mount noroot[] = {
		{ .mount = "/boot", .uuid = "5b6a1c2d-0000-4000-8000-000000000001", .fstype = "ext4" },
	};
	const struct hcfg_target_mount nouuid[] = {
		{ .mount = "/", .uuid = "", .fstype = "ext4" },
	};
	char *cause = NULL;

	assert_int_equal(hcfg_target_fstab(root, m, 1, &cause), -EINVAL);
	assert_non_null(strstr(cause, "/dev/loop0p2"));
	assert_int_equal(hcfg_target_fstab(root, noroot, 1, &cause), -EINVAL);
	assert_non_null(strstr(cause, "/"));
	assert_int_equal(hcfg_target_fstab(root, nouuid, 1, &cause), -EINVAL);
	assert_non_null(strstr(cause, "UUID"));
	free(cause);
	assert_false(exists("/etc/fstab"));
}

/* ---- network ------------------------------------------------------------- */

static void test_network_xen_static(void **state)
{
	const struct hcfg_target_bridge br[] = {
		{ .name = "xenbr0", .nic = "eth0" },
		{ .name = "xenbr1", .nic = "eth1" },
	};
	const struct hcfg_target_net net = {
		.hostname = "xen1.example.org", .mgmt_nic = "eth0", .dhcp = false,
		.address = "192.0.2.10", .prefix = 24, .gateway = "192.0.2.1",
		.dns = "192.0.2.53, 2001:db8::53", .bridges = br, .n_bridges = 2,
	};
	char *cause = NULL;

	assert_int_equal(hcfg_target_network(root, &net, &cause), 0);
	assert_null(cause);
	assert_file("/etc/network/interfaces",
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
		    "\n"
		    "iface eth1 inet manual\n"
		    "\n"
		    "auto xenbr1\n"
		    "iface xenbr1 inet manual\n"
		    "\tbridge_ports eth1\n"
		    "\tbridge_stp off\n"
		    "\tbridge_fd 0\n"
		    "\tbridge_maxwait 0\n");
	assert_file("/etc/hostname", "xen1\n");
	assert_file("/etc/hosts",
		    "127.0.0.1\tlocalhost\n"
		    "192.0.2.10\txen1.example.org\txen1\n"
		    "\n"
		    "# The following lines are desirable for IPv6 capable hosts\n"
		    "::1\tlocalhost ip6-localhost ip6-loopback\n"
		    "ff02::1\tip6-allnodes\n"
		    "ff02::2\tip6-allrouters\n");
	assert_file("/etc/resolv.conf",
		    "search example.org\n"
		    "nameserver 192.0.2.53\n"
		    "nameserver 2001:db8::53\n");
}

static void test_network_kvm_dhcp(void **state)
{
	const struct hcfg_target_bridge br[] = {
		{ .name = "br0", .nic = "enp1s0" },
		{ .name = "br1", .nic = "enp2s0" },
	};
	/* The management NIC is the second one: the address follows it to br1. */
	const struct hcfg_target_net net = {
		.hostname = "kvm1", .mgmt_nic = "enp2s0", .dhcp = true,
		.dns = "192.0.2.53", .bridges = br, .n_bridges = 2,
	};
	char *cause = NULL;

	/* What debootstrap copied from the installing machine stays for dhclient to replace. */
	put("/etc/resolv.conf", "nameserver 198.51.100.1\n");
	assert_int_equal(hcfg_target_network(root, &net, &cause), 0);
	assert_file("/etc/network/interfaces",
		    "# The network interfaces of this host, for ifupdown and bridge-utils; see interfaces(5).\n"
		    "source /etc/network/interfaces.d/*\n"
		    "\n"
		    "auto lo\n"
		    "iface lo inet loopback\n"
		    "\n"
		    "iface enp1s0 inet manual\n"
		    "\n"
		    "auto br0\n"
		    "iface br0 inet manual\n"
		    "\tbridge_ports enp1s0\n"
		    "\tbridge_stp off\n"
		    "\tbridge_fd 0\n"
		    "\tbridge_maxwait 0\n"
		    "\n"
		    "iface enp2s0 inet manual\n"
		    "\n"
		    "auto br1\n"
		    "iface br1 inet dhcp\n"
		    "\tbridge_ports enp2s0\n"
		    "\tbridge_stp off\n"
		    "\tbridge_fd 0\n"
		    "\tbridge_maxwait 0\n");
	assert_file("/etc/hostname", "kvm1\n");
	assert_file("/etc/hosts",
		    "127.0.0.1\tlocalhost\n"
		    "127.0.1.1\tkvm1\n"
		    "\n"
		    "# The following lines are desirable for IPv6 capable hosts\n"
		    "::1\tlocalhost ip6-localhost ip6-loopback\n"
		    "ff02::1\tip6-allnodes\n"
		    "ff02::2\tip6-allrouters\n");
	assert_file("/etc/resolv.conf", "nameserver 198.51.100.1\n");
}

static void test_network_unbridged_mgmt(void **state)
{
	const struct hcfg_target_bridge br[] = { { .name = "br0", .nic = "eth1" } };
	const struct hcfg_target_net net = {
		.hostname = "h.lan", .mgmt_nic = "eth0", .dhcp = false,
		.address = "10.0.0.5", .prefix = 8, .gateway = "", .dns = "",
		.bridges = br, .n_bridges = 1,
	};
	char *cause = NULL;

	assert_int_equal(hcfg_target_network(root, &net, &cause), 0);
	assert_file("/etc/network/interfaces",
		    "# The network interfaces of this host, for ifupdown and bridge-utils; see interfaces(5).\n"
		    "source /etc/network/interfaces.d/*\n"
		    "\n"
		    "auto lo\n"
		    "iface lo inet loopback\n"
		    "\n"
		    "auto eth0\n"
		    "iface eth0 inet static\n"
		    "\taddress 10.0.0.5/8\n"
		    "\n"
		    "iface eth1 inet manual\n"
		    "\n"
		    "auto br0\n"
		    "iface br0 inet manual\n"
		    "\tbridge_ports eth1\n"
		    "\tbridge_stp off\n"
		    "\tbridge_fd 0\n"
		    "\tbridge_maxwait 0\n");
	assert_file("/etc/resolv.conf", "search lan\n");
}

static void test_network_extra_addresses(void **state)
{
	const struct hcfg_target_bridge br[] = {
		{ .name = "xenbr0", .nic = "eth0" },
		{ .name = "xenbr1", .nic = "eth1" },
	};
	/* A storage network on eth1's bridge, one on a NIC without bridge, IPv6 on both kinds. */
	const struct hcfg_target_addr extra[] = {
		{ .dev = "eth1", .address = "198.51.100.10", .prefix = 24, .ipv6 = "2001:db8::10/64" },
		{ .dev = "eth2", .dhcp = true },
	};
	const struct hcfg_target_net net = {
		.hostname = "xen5", .mgmt_nic = "eth0", .dhcp = true, .ipv6 = "auto",
		.bridges = br, .n_bridges = 2, .extra = extra, .n_extra = 2, .noipv6 = false,
	};
	struct hcfg_target_net off = net;
	struct hcfg_target_addr bad = { .dev = "eth3", .ipv6 = "2001:db8::/999", .dhcp = true };
	char *cause = NULL;

	assert_int_equal(hcfg_target_network(root, &net, &cause), 0);
	assert_file("/etc/network/interfaces",
		    "# The network interfaces of this host, for ifupdown and bridge-utils; see interfaces(5).\n"
		    "source /etc/network/interfaces.d/*\n"
		    "\n"
		    "auto lo\n"
		    "iface lo inet loopback\n"
		    "\n"
		    "auto eth2\n"
		    "iface eth2 inet dhcp\n"
		    "\n"
		    "iface eth0 inet manual\n"
		    "\n"
		    "auto xenbr0\n"
		    "iface xenbr0 inet dhcp\n"
		    "\tbridge_ports eth0\n"
		    "\tbridge_stp off\n"
		    "\tbridge_fd 0\n"
		    "\tbridge_maxwait 0\n"
		    "iface xenbr0 inet6 auto\n"
		    "\n"
		    "iface eth1 inet manual\n"
		    "\n"
		    "auto xenbr1\n"
		    "iface xenbr1 inet static\n"
		    "\taddress 198.51.100.10/24\n"
		    "\tbridge_ports eth1\n"
		    "\tbridge_stp off\n"
		    "\tbridge_fd 0\n"
		    "\tbridge_maxwait 0\n"
		    "iface xenbr1 inet6 static\n"
		    "\taddress 2001:db8::10/64\n");
	assert_false(exists("/etc/sysctl.d/70-ospite-noipv6.conf"));
	/* The management address holds the default route: eth2's DHCP server does not give one. */
	assert_false(exists("/etc/dhcp/dhclient-enter-hooks.d/ospite-nodefroute"));
	struct hcfg_target_addr dhcp2[] = { extra[0], extra[1] };
	struct hcfg_target_net two = net;

	dhcp2[1].nodefroute = true;
	two.extra = dhcp2;
	two.nodefroute = true;
	assert_int_equal(hcfg_target_network(root, &two, &cause), 0);
	assert_file("/etc/dhcp/dhclient-enter-hooks.d/ospite-nodefroute",
		    "# Written by ospite-install: these interfaces take their address by DHCP but\n"
		    "# not the default route, so that the host keeps one default route.\n"
		    "case \"$interface\" in\n"
		    "xenbr0|eth2)\n"
		    "\tunset new_routers\n"
		    "\t;;\n"
		    "esac\n");
	/* The hook is sh that dhclient-script sources: it must drop the routers of those only. */
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof(cmd), "for interface in xenbr0 eth2 eth1; do new_routers=192.0.2.1; "
		 ". %s/etc/dhcp/dhclient-enter-hooks.d/ospite-nodefroute; echo \"$interface=$new_routers\"; "
		 "done | tr '\\n' ' ' | grep -qx 'xenbr0= eth2= eth1=192.0.2.1 '", root);
	assert_int_equal(system(cmd), 0);
	/* Written again without them, the host has no hook left. */
	assert_int_equal(hcfg_target_network(root, &net, &cause), 0);
	assert_false(exists("/etc/dhcp/dhclient-enter-hooks.d/ospite-nodefroute"));

	off.ipv6 = NULL;
	off.n_extra = 0;
	off.noipv6 = true;
	assert_int_equal(hcfg_target_network(root, &off, &cause), 0);
	assert_file("/etc/sysctl.d/70-ospite-noipv6.conf",
		    "# IPv6 is off on this host, as its installation asked.\n"
		    "net.ipv6.conf.all.disable_ipv6 = 1\n"
		    "net.ipv6.conf.default.disable_ipv6 = 1\n");

	off.extra = &bad;
	off.n_extra = 1;
	assert_int_equal(hcfg_target_network(root, &off, &cause), -EINVAL);
	assert_non_null(strstr(cause, "2001:db8::/999"));
	free(cause);
}

static void test_firewall(void **state)
{
	char *ports[] = { "22/tcp", "5900-5999/tcp", "53/udp", NULL };
	char *trust[] = { "xenbr1", NULL };
	char *badport[] = { "22", NULL }, *badif[] = { "a b", NULL };
	char *cause = NULL, cmd[PATH_MAX + 64];

	assert_int_equal(hcfg_target_firewall(root, ports, trust, &cause), 0);
	assert_file("/etc/nftables.conf",
		    "#!/usr/sbin/nft -f\n"
		    "# The host's firewall, as its installation asked: only what comes to the host itself\n"
		    "# is filtered; the guests' bridged traffic is not.\n"
		    "\n"
		    "table inet ospite\n"
		    "delete table inet ospite\n"
		    "\n"
		    "table inet ospite {\n"
		    "\tchain input {\n"
		    "\t\ttype filter hook input priority filter; policy drop;\n"
		    "\t\tct state established,related accept\n"
		    "\t\tct state invalid drop\n"
		    "\t\tiif \"lo\" accept\n"
		    "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n"
		    "\t\tudp dport { 68, 546 } accept\n"
		    "\t\tiifname \"xenbr1\" accept\n"
		    "\t\ttcp dport 22 accept\n"
		    "\t\ttcp dport 5900-5999 accept\n"
		    "\t\tudp dport 53 accept\n"
		    "\t}\n"
		    "}\n");
	/* nft itself loads it, twice (as a reload does), in a network namespace of its own. */
	snprintf(cmd, sizeof(cmd), "unshare -rn sh -c 'nft -f %s/etc/nftables.conf && "
		 "nft -f %s/etc/nftables.conf' 2>&1", root, root);
	assert_int_equal(system(cmd), 0);

	assert_int_equal(hcfg_target_firewall(root, badport, NULL, &cause), -EINVAL);
	assert_non_null(strstr(cause, "\"22\""));
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_target_firewall(root, NULL, badif, &cause), -EINVAL);
	free(cause);
}

static void test_network_rejects(void **state)
{
	const struct hcfg_target_bridge twice[] = {
		{ .name = "br0", .nic = "eth0" }, { .name = "br1", .nic = "eth0" },
	};
	struct hcfg_target_net net = {
		.hostname = "h", .mgmt_nic = "eth0", .dhcp = true, .bridges = twice, .n_bridges = 2,
	};
	char *cause = NULL;

	assert_int_equal(hcfg_target_network(root, &net, &cause), -EINVAL);
	assert_non_null(strstr(cause, "eth0"));
	net.n_bridges = 0;
	net.hostname = "bad name";
	assert_int_equal(hcfg_target_network(root, &net, &cause), -EINVAL);
	/* The installer's own host name rule: a label may not end with a hyphen. */
	net.hostname = "xen1-.example.org";
	assert_int_equal(hcfg_target_network(root, &net, &cause), -EINVAL);
	assert_non_null(strstr(cause, "hyphen"));
	net.hostname = "h";
	net.dhcp = false;
	net.address = "192.0.2.300";
	net.prefix = 24;
	assert_int_equal(hcfg_target_network(root, &net, &cause), -EINVAL);
	assert_non_null(strstr(cause, "192.0.2.300"));
	net.address = "192.0.2.3";
	net.dns = "192.0.2.53 nameserver-evil\nx";
	assert_int_equal(hcfg_target_network(root, &net, &cause), -EINVAL);
	free(cause);
	assert_false(exists("/etc/network/interfaces"));
}

/* ---- apt ------------------------------------------------------------------ */

static void test_apt_sources(void **state)
{
	const struct hcfg_target_apt apt = {
		.mirror = "http://mirror.example.org/debian", .suite = "bookworm", .updates = true,
		.security = "http://security.example.org/debian-security",
	};
	char *cause = NULL;

	/* What debootstrap writes: the same mirror (slash or not), suite and component. */
	put("/etc/apt/sources.list", "deb http://mirror.example.org/debian/ bookworm main\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_null(cause);
	assert_file("/etc/apt/sources.list.d/debian.sources",
		    "# Package sources of this host; see sources.list(5).\n"
		    "\n"
		    "Types: deb\n"
		    "URIs: http://mirror.example.org/debian\n"
		    "Suites: bookworm bookworm-updates\n"
		    "Components: main non-free-firmware\n"
		    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
		    "\n"
		    "Types: deb\n"
		    "URIs: http://security.example.org/debian-security\n"
		    "Suites: bookworm-security\n"
		    "Components: main non-free-firmware\n"
		    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
	assert_false(exists("/etc/apt/sources.list"));
}

static void test_apt_keeps_foreign_sources_list(void **state)
{
	const struct hcfg_target_apt apt = {
		.mirror = "file:/srv/debian", .suite = "bookworm", .components = "main",
		.signed_by = "", .trusted = true,
	};
	const char *other = "deb http://mirror.example.org/debian bookworm main\n"
			    "deb http://elsewhere.example.org/extra bookworm main\n";
	char *cause = NULL;

	put("/etc/apt/sources.list", other);
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_file("/etc/apt/sources.list.d/debian.sources",
		    "# Package sources of this host; see sources.list(5).\n"
		    "\n"
		    "Types: deb\n"
		    "URIs: file:/srv/debian\n"
		    "Suites: bookworm\n"
		    "Components: main\n"
		    "Trusted: yes\n");
	assert_file("/etc/apt/sources.list", other);

	/* A component debian.sources lacks keeps the file too. */
	put("/etc/apt/sources.list", "deb [trusted=yes] file:/srv/debian bookworm main contrib\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_true(exists("/etc/apt/sources.list"));
	/* Bracketed options and comments do not stop a match. */
	put("/etc/apt/sources.list",
	    "# from debootstrap\n\ndeb [trusted=yes] file:/srv/debian bookworm main\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_false(exists("/etc/apt/sources.list"));
	assert_null(cause);
}

/* ---- locale, keyboard, time zone ------------------------------------------ */

static void test_locale(void **state)
{
	char *cause = NULL;

	put("/etc/locale.gen", "# This file lists locales\n"
			       "\n"
			       "# en_US.UTF-8 UTF-8\n"
			       "# it_IT ISO-8859-1\n"
			       "# it_IT.UTF-8 UTF-8\n"
			       "# it_IT@euro ISO-8859-15\n");
	assert_int_equal(hcfg_target_locale(root, "it_IT.UTF-8", &cause), 0);
	assert_file("/etc/default/locale", "LANG=it_IT.UTF-8\n");
	assert_file("/etc/locale.gen", "# This file lists locales\n"
				       "\n"
				       "# en_US.UTF-8 UTF-8\n"
				       "# it_IT ISO-8859-1\n"
				       "it_IT.UTF-8 UTF-8\n"
				       "# it_IT@euro ISO-8859-15\n");
	/* Twice is the same as once. */
	assert_int_equal(hcfg_target_locale(root, "it_IT.UTF-8", &cause), 0);
	assert_file("/etc/locale.gen", "# This file lists locales\n"
				       "\n"
				       "# en_US.UTF-8 UTF-8\n"
				       "# it_IT ISO-8859-1\n"
				       "it_IT.UTF-8 UTF-8\n"
				       "# it_IT@euro ISO-8859-15\n");
	assert_int_equal(hcfg_target_locale(root, "it_IT", &cause), -EINVAL);
	free(cause);
	cause = NULL;
	/* A name with no charset is fine when the target lists it as UTF-8, and only then. */
	put("/usr/share/i18n/SUPPORTED", "it_IT ISO-8859-1\nsr_RS UTF-8\nsr_RS@latin UTF-8\n"
					  "ca_ES@valencia UTF-8\n");
	assert_int_equal(hcfg_target_locale(root, "it_IT", &cause), -EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_target_locale(root, "sr_RS", &cause), 0);
	assert_file("/etc/default/locale", "LANG=sr_RS\n");
	assert_int_equal(hcfg_target_locale(root, "ca_ES@valencia", &cause), 0);
	assert_file("/etc/default/locale", "LANG=ca_ES@valencia\n");
	assert_file("/etc/locale.gen", "# This file lists locales\n"
				       "\n"
				       "# en_US.UTF-8 UTF-8\n"
				       "# it_IT ISO-8859-1\n"
				       "it_IT.UTF-8 UTF-8\n"
				       "# it_IT@euro ISO-8859-15\n"
				       "sr_RS UTF-8\n"
				       "ca_ES@valencia UTF-8\n");
	assert_int_equal(hcfg_target_locale(root, "sr_R", &cause), -EINVAL);
	free(cause);
}

static void test_locale_without_locale_gen(void **state)
{
	assert_int_equal(hcfg_target_locale(root, "en_US.UTF-8", NULL), 0);
	assert_file("/etc/locale.gen", "en_US.UTF-8 UTF-8\n");
	assert_file("/etc/default/locale", "LANG=en_US.UTF-8\n");
}

static void test_keyboard(void **state)
{
	assert_int_equal(hcfg_target_keyboard(root, "it", NULL, NULL), 0);
	assert_file("/etc/default/keyboard",
		    "# KEYBOARD CONFIGURATION FILE\n"
		    "\n"
		    "# Consult the keyboard(5) manual page.\n"
		    "\n"
		    "XKBMODEL=\"pc105\"\n"
		    "XKBLAYOUT=\"it\"\n"
		    "XKBVARIANT=\"\"\n"
		    "XKBOPTIONS=\"\"\n"
		    "\n"
		    "BACKSPACE=\"guess\"\n");
	assert_int_equal(hcfg_target_keyboard(root, "us", "intl", NULL), 0);
	assert_file("/etc/default/keyboard",
		    "# KEYBOARD CONFIGURATION FILE\n"
		    "\n"
		    "# Consult the keyboard(5) manual page.\n"
		    "\n"
		    "XKBMODEL=\"pc105\"\n"
		    "XKBLAYOUT=\"us\"\n"
		    "XKBVARIANT=\"intl\"\n"
		    "XKBOPTIONS=\"\"\n"
		    "\n"
		    "BACKSPACE=\"guess\"\n");
	assert_int_equal(hcfg_target_keyboard(root, "it\"; rm -rf /", NULL, NULL), -EINVAL);
}

static void test_timezone(void **state)
{
	char *cause = NULL;

	put("/usr/share/zoneinfo/Europe/Rome", "TZif2 fixture\n");
	/* A copied zone file in place of the link is replaced by the link. */
	put("/etc/localtime", "TZif2 old copy\n");
	assert_int_equal(hcfg_target_timezone(root, "Europe/Rome", true, &cause), 0);
	assert_null(cause);
	assert_link("/etc/localtime", "/usr/share/zoneinfo/Europe/Rome");
	assert_file("/etc/timezone", "Europe/Rome\n");
	assert_file("/etc/adjtime", "0.0 0 0.0\n0\nUTC\n");
	assert_int_equal(hcfg_target_timezone(root, "Europe/Rome", false, &cause), 0);
	assert_file("/etc/adjtime", "0.0 0 0.0\n0\nLOCAL\n");
	assert_false(exists("/etc/localtime.ospite-new"));
}

static void test_timezone_missing(void **state)
{
	char *cause = NULL;

	/* The zone exists on this machine but not in the target: that is what counts. */
	assert_int_equal(hcfg_target_timezone(root, "Europe/Rome", true, &cause), -ENOENT);
	assert_non_null(strstr(cause, "Europe/Rome"));
	assert_int_equal(hcfg_target_timezone(root, "Mars/Olympus_Mons", true, &cause), -ENOENT);
	assert_non_null(strstr(cause, "Mars/Olympus_Mons"));
	assert_int_equal(hcfg_target_timezone(root, "../../etc/passwd", true, &cause), -EINVAL);
	free(cause);
	assert_false(exists("/etc/localtime"));
	assert_false(exists("/etc/timezone"));
}

/* ---- GRUB ---------------------------------------------------------------- */

static void test_grub_xen_serial(void **state)
{
	const struct hcfg_target_grub g = {
		.timeout = 5, .cmdline = "nomodeset", .serial = "ttyS0,115200", .xen = true,
		.dom0_mem_mib = 2048,
	};
	char *cause = NULL;

	assert_int_equal(hcfg_target_grub(root, &g, &cause), 0);
	assert_null(cause);
	assert_file("/etc/default/grub.d/ospite.cfg",
		    "# Boot settings chosen when this host was installed.\n"
		    "# update-grub reads this file after /etc/default/grub, so these values win.\n"
		    "GRUB_TIMEOUT=5\n"
		    "GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS0,115200n8 nomodeset\"\n"
		    "GRUB_TERMINAL=\"console serial\"\n"
		    "GRUB_SERIAL_COMMAND=\"serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\"\n"
		    "# Xen: for every Xen entry, recovery included.\n"
		    "GRUB_CMDLINE_XEN=\"dom0_mem=2048M,max:2048M com1=115200,8n1 console=com1,vga\"\n"
		    "# dom0 reaches the serial line through Xen's console, not ttyS.\n"
		    "GRUB_CMDLINE_LINUX_XEN_REPLACE=\"console=hvc0 earlyprintk=xen nomodeset\"\n"
		    "# Boot Xen by default; /etc/default/grub.d/xen.cfg reads this after this file.\n"
		    "XEN_OVERRIDE_GRUB_DEFAULT=1\n");
}

static void test_grub_xen_plain(void **state)
{
	const struct hcfg_target_grub g = { .timeout = 3, .xen = true, .dom0_mem_mib = 1024 };

	assert_int_equal(hcfg_target_grub(root, &g, NULL), 0);
	assert_file("/etc/default/grub.d/ospite.cfg",
		    "# Boot settings chosen when this host was installed.\n"
		    "# update-grub reads this file after /etc/default/grub, so these values win.\n"
		    "GRUB_TIMEOUT=3\n"
		    "GRUB_CMDLINE_LINUX=\"\"\n"
		    "# Xen: for every Xen entry, recovery included.\n"
		    "GRUB_CMDLINE_XEN=\"dom0_mem=1024M,max:1024M\"\n"
		    "# Boot Xen by default; /etc/default/grub.d/xen.cfg reads this after this file.\n"
		    "XEN_OVERRIDE_GRUB_DEFAULT=1\n");
}

static void test_grub_kvm(void **state)
{
	const struct hcfg_target_grub serial = { .timeout = 5, .serial = "ttyS1,9600" };
	const struct hcfg_target_grub plain = { .timeout = 0, .cmdline = "quiet splash" };
	const struct hcfg_target_grub xen_ttys2 = { .serial = "ttyS2,115200", .xen = true };
	char *cause = NULL;

	assert_int_equal(hcfg_target_grub(root, &serial, NULL), 0);
	assert_file("/etc/default/grub.d/ospite.cfg",
		    "# Boot settings chosen when this host was installed.\n"
		    "# update-grub reads this file after /etc/default/grub, so these values win.\n"
		    "GRUB_TIMEOUT=5\n"
		    "GRUB_CMDLINE_LINUX=\"console=tty0 console=ttyS1,9600n8\"\n"
		    "GRUB_TERMINAL=\"console serial\"\n"
		    "GRUB_SERIAL_COMMAND=\"serial --unit=1 --speed=9600 --word=8 --parity=no --stop=1\"\n");
	assert_int_equal(hcfg_target_grub(root, &plain, NULL), 0);
	assert_file("/etc/default/grub.d/ospite.cfg",
		    "# Boot settings chosen when this host was installed.\n"
		    "# update-grub reads this file after /etc/default/grub, so these values win.\n"
		    "GRUB_TIMEOUT=0\n"
		    "GRUB_CMDLINE_LINUX=\"quiet splash\"\n");
	/* Xen has com1 and com2 only. */
	assert_int_equal(hcfg_target_grub(root, &xen_ttys2, &cause), -EINVAL);
	assert_non_null(strstr(cause, "ttyS2"));
	free(cause);
}

static void test_grub_rejects(void **state)
{
	const struct hcfg_target_grub quote = { .cmdline = "a\" ; reboot ; \"" };
	const struct hcfg_target_grub dollar = { .cmdline = "$(reboot)" };
	const struct hcfg_target_grub badser = { .serial = "/dev/ttyS0" };
	char *cause = NULL;

	assert_int_equal(hcfg_target_grub(root, &quote, &cause), -EINVAL);
	assert_int_equal(hcfg_target_grub(root, &dollar, &cause), -EINVAL);
	assert_int_equal(hcfg_target_grub(root, &badser, &cause), -EINVAL);
	assert_non_null(strstr(cause, "/dev/ttyS0"));
	free(cause);
	assert_false(exists("/etc/default/grub.d/ospite.cfg"));
}

/* The snippet is shell: source it the way grub-mkconfig does and read the variables back. */
static void test_grub_snippet_is_shell(void **state)
{
	const struct hcfg_target_grub g = {
		.timeout = 7, .cmdline = "intel_iommu=on", .serial = "ttyS0,115200", .xen = true,
		.dom0_mem_mib = 4096,
	};
	char *p, *out = NULL, *cause = NULL;

	assert_int_equal(hcfg_target_grub(root, &g, NULL), 0);
	p = path_in("/etc/default/grub.d/ospite.cfg");
	const char *argv[] = {
		"sh", "-c",
		"set -eu; . \"$1\"; printf '%s|' \"$GRUB_TIMEOUT\" \"$GRUB_CMDLINE_LINUX\" "
		"\"$GRUB_TERMINAL\" \"$GRUB_CMDLINE_XEN\" \"$GRUB_CMDLINE_LINUX_XEN_REPLACE\" "
		"\"$XEN_OVERRIDE_GRUB_DEFAULT\"",
		"sh", p, NULL,
	};
	assert_int_equal(base_run_capture(argv, -1, &out, &cause), 0);
	assert_string_equal(out, "7|console=tty0 console=ttyS0,115200n8 intel_iommu=on|console serial|"
				 "dom0_mem=4096M,max:4096M com1=115200,8n1 console=com1,vga|"
				 "console=hvc0 earlyprintk=xen intel_iommu=on|1|");
	free(out);
	free(cause);
	free(p);
}

/* ---- systemd units ------------------------------------------------------- */

/*
 * systemctl --root does the work: like a Debian root, the fake one needs the
 * targets that units are linked into ("add-wants" refuses a missing one).
 */
static void put_target(const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "/lib/systemd/system/%s", name);
	put(rel, "[Unit]\nDescription=a target of the fake root\n");
}

/* One rule for every place a serial console is named: answer file, command line, boot files. */
static void test_serial_parse(void **state)
{
	static const char *const bad[] = {
		"", "ttyS", "/dev/ttyS0", "ttyS32", "ttyS0,", "ttyS0,115200n8", "ttyS0,299",
		"ttyS0,4000001", "ttyS0,99999999999999999999999", "ttyS1x", "ttyUSB0,9600", "ttyS-1",
	};
	struct hcfg_serial ser = { .unit = 7 };
	char *cause = NULL;

	(void)state;
	assert_int_equal(hcfg_serial_parse("ttyS0", &ser, NULL), 0);
	assert_string_equal(ser.tty, "ttyS0");
	assert_int_equal(ser.unit, 0);
	assert_int_equal(ser.speed, 115200);
	assert_int_equal(hcfg_serial_parse("ttyS31,9600", &ser, NULL), 0);
	assert_string_equal(ser.tty, "ttyS31");
	assert_int_equal(ser.unit, 31);
	assert_int_equal(ser.speed, 9600);
	/* Leading zeros name the same port: the tty is written out plain. */
	assert_int_equal(hcfg_serial_parse("ttyS01,300", &ser, NULL), 0);
	assert_string_equal(ser.tty, "ttyS1");
	assert_int_equal(hcfg_serial_parse("ttyS1,4000000", NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ser = (struct hcfg_serial){ .unit = 7 };
		assert_int_equal(hcfg_serial_parse(bad[i], &ser, &cause), -EINVAL);
		/* A refused name leaves the result alone. */
		assert_int_equal(ser.unit, 7);
		assert_non_null(strstr(cause, "is not of the form ttyS0,115200"));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(hcfg_serial_parse(NULL, NULL, NULL), -EINVAL);
}

static const char serial_getty_unit[] =
	"[Unit]\n"
	"Description=Serial Getty on %I\n"
	"\n"
	"[Service]\n"
	"ExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200,57600,38400,9600 - $TERM\n"
	"\n"
	"[Install]\n"
	"WantedBy=getty.target\n";

static void test_serial_getty(void **state)
{
	char *cause = NULL;

	put("/lib/systemd/system/serial-getty@.service", serial_getty_unit);
	put_target("getty.target");
	assert_int_equal(hcfg_target_serial_getty(root, "ttyS0,115200", false, &cause), 0);
	assert_null(cause);
	assert_link("/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service",
		    "/lib/systemd/system/serial-getty@.service");
	assert_int_equal(hcfg_target_serial_getty(root, "ttyS0,115200", true, &cause), 0);
	assert_link("/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service",
		    "/lib/systemd/system/serial-getty@.service");
	/* No serial console: nothing to enable. */
	assert_int_equal(hcfg_target_serial_getty(root, "", true, &cause), 0);
	assert_int_equal(hcfg_target_disable_unit(root, "serial-getty@ttyS0.service", &cause), 0);
	assert_false(exists("/etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service"));
	assert_true(exists("/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service"));
	assert_null(cause);
}

static void test_serial_getty_needs_systemd(void **state)
{
	char *cause = NULL;

	assert_int_equal(hcfg_target_serial_getty(root, "ttyS0,115200", false, &cause), -ENOENT);
	assert_non_null(strstr(cause, "serial-getty@ttyS0.service"));
	free(cause);
}

static void test_enable_disable_unit(void **state)
{
	char *cause = NULL;

	put("/lib/systemd/system/ospite-demo.service",
	    "[Unit]\nDescription=demo\n\n[Service]\nExecStart=/bin/true\n\n"
	    "[Install]\n"
	    "WantedBy=multi-user.target  \n"
	    "WantedBy = graphical.target\n"
	    "RequiredBy=ospite.target\n"
	    "Alias=demo.service\n");
	/* A copy in /etc overrides the one in /lib, as in systemd's lookup path. */
	put("/etc/systemd/system/getty@.service",
	    "[Service]\nExecStart=/sbin/agetty %I\n[Install]\nWantedBy=getty.target\n"
	    "DefaultInstance=tty1\n");
	put("/lib/systemd/system/getty@.service", "[Install]\nWantedBy=wrong.target\n");
	put("/lib/systemd/system/static.service", "[Service]\nExecStart=/bin/true\n");
	put_target("multi-user.target");

	assert_int_equal(hcfg_target_enable_unit(root, "ospite-demo.service", NULL, &cause), 0);
	assert_null(cause);
	assert_link("/etc/systemd/system/multi-user.target.wants/ospite-demo.service",
		    "/lib/systemd/system/ospite-demo.service");
	assert_link("/etc/systemd/system/graphical.target.wants/ospite-demo.service",
		    "/lib/systemd/system/ospite-demo.service");
	assert_link("/etc/systemd/system/ospite.target.requires/ospite-demo.service",
		    "/lib/systemd/system/ospite-demo.service");
	assert_link("/etc/systemd/system/demo.service", "/lib/systemd/system/ospite-demo.service");
	/* Enabling twice changes nothing and does not fail. */
	assert_int_equal(hcfg_target_enable_unit(root, "ospite-demo.service", NULL, &cause), 0);

	assert_int_equal(hcfg_target_enable_unit(root, "getty@.service", NULL, &cause), 0);
	assert_link("/etc/systemd/system/getty.target.wants/getty@tty1.service",
		    "/etc/systemd/system/getty@.service");
	assert_int_equal(hcfg_target_enable_unit(root, "getty@tty2.service", NULL, &cause), 0);
	assert_link("/etc/systemd/system/getty.target.wants/getty@tty2.service",
		    "/etc/systemd/system/getty@.service");

	assert_int_equal(hcfg_target_disable_unit(root, "ospite-demo.service", &cause), 0);
	assert_null(cause);
	assert_false(exists("/etc/systemd/system/multi-user.target.wants/ospite-demo.service"));
	assert_false(exists("/etc/systemd/system/graphical.target.wants/ospite-demo.service"));
	assert_false(exists("/etc/systemd/system/ospite.target.requires/ospite-demo.service"));
	assert_false(exists("/etc/systemd/system/demo.service"));
	assert_true(exists("/lib/systemd/system/ospite-demo.service"));
	/* Disabling what is not enabled is fine. */
	assert_int_equal(hcfg_target_disable_unit(root, "ospite-demo.service", &cause), 0);

	/* A bare template with no default instance cannot be enabled: systemctl says why. */
	put("/lib/systemd/system/tmpl@.service", "[Install]\nWantedBy=multi-user.target\n");
	assert_true(hcfg_target_enable_unit(root, "tmpl@.service", NULL, &cause) < 0);
	assert_non_null(strstr(cause, "tmpl@.service"));
	assert_false(exists("/etc/systemd/system/multi-user.target.wants/tmpl@.service"));
	free(cause);
	cause = NULL;

	/* A bare template disables every instance. */
	assert_int_equal(hcfg_target_disable_unit(root, "getty@.service", &cause), 0);
	assert_false(exists("/etc/systemd/system/getty.target.wants/getty@tty1.service"));
	assert_false(exists("/etc/systemd/system/getty.target.wants/getty@tty2.service"));

	/* No [Install]: only an explicit target will do. */
	assert_int_equal(hcfg_target_enable_unit(root, "static.service", NULL, &cause), -EINVAL);
	assert_non_null(strstr(cause, "static.service"));
	assert_int_equal(hcfg_target_enable_unit(root, "static.service", "multi-user.target", &cause), 0);
	assert_link("/etc/systemd/system/multi-user.target.wants/static.service",
		    "/lib/systemd/system/static.service");
	/* ...which must exist. */
	assert_int_equal(hcfg_target_enable_unit(root, "static.service", "ospite.target", &cause),
			 -ENOENT);
	assert_non_null(strstr(cause, "ospite.target"));

	assert_int_equal(hcfg_target_enable_unit(root, "missing.service", NULL, &cause), -ENOENT);
	assert_non_null(strstr(cause, "missing.service"));
	/* Disabling it is fine: it is as disabled as it gets. */
	assert_int_equal(hcfg_target_disable_unit(root, "missing.service", &cause), 0);
	/* A path is not a unit name, whatever systemctl would make of it. */
	assert_int_equal(hcfg_target_enable_unit(root, "../../etc/passwd", NULL, &cause), -EINVAL);
	free(cause);
}

static void test_masked_unit(void **state)
{
	char *p = path_in("/etc/systemd/system/ospite-demo.service"), *cause = NULL;

	put("/lib/systemd/system/ospite-demo.service", "[Install]\nWantedBy=multi-user.target\n"
						       "Alias=demo.service\n");
	put("/etc/systemd/system/multi-user.target.wants/.keep", "");
	assert_int_equal(symlink("/dev/null", p), 0);
	assert_int_equal(hcfg_target_enable_unit(root, "ospite-demo.service", NULL, &cause), -EPERM);
	assert_non_null(strstr(cause, "masked"));
	assert_false(exists("/etc/systemd/system/multi-user.target.wants/ospite-demo.service"));
	/* Disabling leaves the mask in place. */
	assert_int_equal(hcfg_target_disable_unit(root, "ospite-demo.service", &cause), 0);
	assert_link("/etc/systemd/system/ospite-demo.service", "/dev/null");
	free(cause);
	free(p);
}

/* A real file where an alias link would go is not the installer's to replace. */
static void test_alias_over_file(void **state)
{
	char *cause = NULL;

	put("/lib/systemd/system/ospite-demo.service", "[Install]\nAlias=demo.service\n");
	put("/etc/systemd/system/demo.service", "[Service]\nExecStart=/bin/true\n");
	assert_int_equal(hcfg_target_enable_unit(root, "ospite-demo.service", NULL, &cause), -EEXIST);
	assert_non_null(strstr(cause, "demo.service"));
	assert_file("/etc/systemd/system/demo.service", "[Service]\nExecStart=/bin/true\n");
	free(cause);
}

/* ---- policy-rc.d --------------------------------------------------------- */

static void test_block_daemons(void **state)
{
	char *p = path_in("/usr/sbin/policy-rc.d");
	struct stat st;

	assert_int_equal(hcfg_target_block_daemons(root, true, NULL), 0);
	assert_file("/usr/sbin/policy-rc.d",
		    "#!/bin/sh\n"
		    "# Written by the installer: no daemon starts while packages are installed.\n"
		    "exit 101\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* It must really answer 101 when invoke-rc.d runs it. */
	const char *argv[] = { p, "ssh", "start", NULL };
	assert_int_equal(base_run(argv, -1, NULL), 101);
	assert_int_equal(hcfg_target_block_daemons(root, false, NULL), 0);
	assert_false(exists("/usr/sbin/policy-rc.d"));
	assert_int_equal(hcfg_target_block_daemons(root, false, NULL), 0);
	free(p);
}

/* ---- failures ------------------------------------------------------------ */

static int leftovers;

static int count_new(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t n = strlen(path);

	if (n > 11 && strcmp(path + n - 11, ".ospite-new") == 0)
		leftovers++;
	return 0;
}

/* No temporary ".ospite-new" file is left anywhere under @rel. */
static void assert_no_leftovers(const char *rel)
{
	char *p = path_in(rel);

	leftovers = 0;
	assert_int_equal(nftw(p, count_new, 16, FTW_PHYS), 0);
	assert_int_equal(leftovers, 0);
	free(p);
}

/* A write that fails half way (file size limit) leaves the old file and no partial one. */
static void test_failed_write_leaves_no_half_file(void **state)
{
	struct hcfg_target_mount m[8];
	char uuids[8][40];
	pid_t pid;
	int status;

	for (int i = 0; i < 8; i++) {
		static char mounts[8][32];

		snprintf(uuids[i], sizeof(uuids[i]), "5b6a1c2d-0000-4000-8000-00000000000%d", i);
		snprintf(mounts[i], sizeof(mounts[i]), i ? "/srv/data%d" : "/", i);
		m[i] = (struct hcfg_target_mount){ .mount = mounts[i], .uuid = uuids[i],
						   .fstype = "ext4" };
	}
	put("/etc/fstab", "# the old fstab\n");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = 200, .rlim_max = RLIM_INFINITY };
		char *cause = NULL;
		int rc;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		rc = hcfg_target_fstab(root, m, 8, &cause);
		/* exit 0 only for the expected failure, with a cause naming the file */
		_exit(rc == -EFBIG && cause && strstr(cause, "/etc/fstab") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_file("/etc/fstab", "# the old fstab\n");
	assert_no_leftovers("/etc");

	/* Without the limit the same call succeeds: the limit was the only problem. */
	assert_int_equal(hcfg_target_fstab(root, m, 8, NULL), 0);
	assert_no_leftovers("/etc");
}

/* A file that cannot be renamed into place (a directory is in the way) leaves nothing behind. */
static void test_failed_rename_leaves_nothing(void **state)
{
	char *p = path_in("/etc/default/keyboard"), *cause = NULL;

	put("/etc/default/keyboard/x", "");
	assert_int_equal(hcfg_target_keyboard(root, "it", NULL, &cause), -EISDIR);
	assert_non_null(strstr(cause, "/etc/default/keyboard"));
	assert_no_leftovers("/etc");
	free(cause);
	free(p);
}

/*
 * A keyring (binary, NUL bytes and all) copied into the target: cut off half
 * way it leaves the old key whole and no partial file; done, it replaces
 * the old file by rename, never by writing into it, with the folders made.
 */
static void test_copy_key_atomic(void **state)
{
	char src[PATH_MAX], *cause = NULL, *p, *got = NULL;
	unsigned char key[4096];
	struct stat old, now;
	size_t len = 0;
	pid_t pid;
	int status;
	FILE *f;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 7);
	snprintf(src, sizeof(src), "%s/site-key.gpg", root);
	f = fopen(src, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(key, 1, sizeof(key), f), sizeof(key));
	assert_int_equal(fclose(f), 0);
	put("/etc/apt/keyrings/site.gpg", "the old key\n");
	p = path_in("/etc/apt/keyrings/site.gpg");
	assert_int_equal(stat(p, &old), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = 1000, .rlim_max = RLIM_INFINITY };
		int rc;

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		rc = hcfg_target_copy(root, "/etc/apt/keyrings/site.gpg", src, 0644, &cause);
		_exit(rc == -EFBIG && cause && strstr(cause, "/etc/apt/keyrings/site.gpg") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_file("/etc/apt/keyrings/site.gpg", "the old key\n");
	assert_no_leftovers("/etc/apt");

	assert_int_equal(hcfg_target_copy(root, "/etc/apt/keyrings/site.gpg", src, 0644, &cause), 0);
	assert_int_equal(hcfg_read_data(p, &got, &len, NULL), 0);
	assert_int_equal(len, sizeof(key));
	assert_memory_equal(got, key, sizeof(key));
	free(got);
	assert_int_equal(stat(p, &now), 0);
	assert_int_equal(now.st_mode & 07777, 0644);
	assert_true(now.st_ino != old.st_ino);
	assert_no_leftovers("/etc/apt");

	/* The folders are made as install -D made them. */
	assert_int_equal(hcfg_target_copy(root, "/etc/apt/new/site.asc", src, 0644, NULL), 0);
	assert_true(exists("/etc/apt/new/site.asc"));
	/* A source that is not there: said, and the key in place untouched. */
	assert_int_equal(unlink(src), 0);
	assert_int_equal(hcfg_target_copy(root, "/etc/apt/keyrings/site.gpg", src, 0644, &cause),
			 -ENOENT);
	assert_non_null(strstr(cause, src));
	assert_int_equal(stat(p, &old), 0);
	assert_int_equal(old.st_ino, now.st_ino);
	assert_int_equal(old.st_size, sizeof(key));
	free(cause);
	free(p);
}

static void test_refuses_running_system(void **state)
{
	char *cause = NULL;

	/* Harmless calls even if the guard failed: disabling a unit that does not exist. */
	assert_int_equal(hcfg_target_disable_unit("/", "ospite-no-such-unit.service", &cause),
			 -EINVAL);
	assert_non_null(strstr(cause, "running system"));
	assert_int_equal(hcfg_target_disable_unit("/tmp/..", "ospite-no-such-unit.service", &cause),
			 -EINVAL);
	/* A symlink that leads to "/" is "/". */
	char *link = path_in("/sysroot");

	assert_int_equal(symlink("/", link), 0);
	assert_int_equal(hcfg_target_disable_unit(link, "ospite-no-such-unit.service", &cause),
			 -EINVAL);
	free(link);
	assert_int_equal(hcfg_target_disable_unit("/nonexistent-ospite-root", "x.service", &cause),
			 -ENOENT);
	put("/plainfile", "");
	link = path_in("/plainfile");
	assert_int_equal(hcfg_target_disable_unit(link, "x.service", &cause), -ENOTDIR);
	free(link);
	assert_int_equal(hcfg_target_disable_unit("", "x.service", &cause), -EINVAL);
	free(cause);
}

/* The installed host keeps no line naming a local source, in either file apt reads. */
static void test_apt_local_source_disabled(void **state)
{
	const struct hcfg_target_apt apt = {
		.mirror = "file:/srv/debian", .suite = "bookworm", .components = "main",
		.signed_by = "", .disabled = true, .trusted = true,
	};
	char *cause = NULL, *list;

	put("/etc/apt/sources.list", "deb [trusted=yes] file:/srv/debian bookworm main contrib\n"
				     "deb http://mirror.example.org/debian bookworm main\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_file("/etc/apt/sources.list.d/debian.sources",
		    "# Package sources of this host; see sources.list(5).\n"
		    "\n"
		    "# The host was installed from its install medium and has no package source yet:\n"
		    "# add a Debian mirror here (Types, URIs, Suites, Components, Signed-By).\n");
	assert_file("/etc/apt/sources.list", "deb http://mirror.example.org/debian bookworm main\n");
	list = slurp("/etc/apt/sources.list.d/debian.sources");
	assert_null(strstr(list, "/srv/debian"));
	free(list);
	/* mmdebstrap's copy:// line for the same folder is that source too. */
	put("/etc/apt/sources.list", "deb [trusted=yes] copy:///srv/debian/ bookworm main\n"
				     "deb http://mirror.example.org/debian bookworm main\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_file("/etc/apt/sources.list", "deb http://mirror.example.org/debian bookworm main\n");
	put("/etc/apt/sources.list", "deb [trusted=yes] copy:///srv/debian bookworm main\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_false(exists("/etc/apt/sources.list"));
	/* Another folder is another source. */
	put("/etc/apt/sources.list", "deb [trusted=yes] copy:///srv/other bookworm main\n");
	assert_int_equal(hcfg_target_apt_sources(root, &apt, &cause), 0);
	assert_file("/etc/apt/sources.list", "deb [trusted=yes] copy:///srv/other bookworm main\n");
	assert_null(cause);
}

/* Input for a program (a password hash for chpasswd) reaches its stdin and never the log. */
static void test_run_input(void **state)
{
	char *out = path_in("/out"), *logp = path_in("/log"), *cause = NULL, *text;
	char script[PATH_MAX + 32];
	int logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(logfd >= 0);
	snprintf(script, sizeof(script), "cat >%s", out);
	const char *argv[] = { "sh", "-c", script, NULL };

	assert_int_equal(base_run_input(argv, logfd, "root:$y$secret-hash\n", &cause), 0);
	close(logfd);
	assert_file("/out", "root:$y$secret-hash\n");
	text = slurp("/log");
	assert_non_null(strstr(text, "+ sh -c cat"));
	assert_null(strstr(text, "secret-hash"));
	free(text);
	/* A program that reads nothing does not hurt the caller (no SIGPIPE). */
	const char *quiet[] = { "true", NULL };

	assert_int_equal(base_run_input(quiet, -1, "ignored\n", &cause), 0);
	free(out);
	free(logp);
	free(cause);
}

/* An atomic write never follows a link planted where its temporary file goes. */
static void test_write_does_not_follow_links(void **state)
{
	char *victim = path_in("/victim"), *dst = path_in("/etc/hostname"), *cause = NULL;
	char tmp[PATH_MAX];

	put("/victim", "untouched\n");
	put("/etc/hostname", "old\n");
	snprintf(tmp, sizeof(tmp), "%s.ospite-new", dst);
	assert_int_equal(symlink(victim, tmp), 0);
	assert_int_equal(hcfg_write_file(dst, "new\n", 0644, &cause), 0);
	assert_file("/victim", "untouched\n");
	assert_file("/etc/hostname", "new\n");
	free(victim);
	free(dst);
	free(cause);
}

/* ---- files ospite provides on the host ------------------------------------- */

static void test_host_grub_by_uuid(void **state)
{
	char *devs[] = { "/dev/loop3p2", "/dev/loop3p3", NULL };
	const char uuids[3][64] = { "", "1111-root", "" };
	char *cause = NULL;

	put("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/loop3p3 ro quiet\n"
				   "linux /vmlinuz root=/dev/loop3p3\n"
				   "multiboot2 /xen.gz root=/dev/loop3p30 x\n");
	/* A device this install did not make is left, and that is an error. */
	assert_int_equal(hcfg_host_grub_by_uuid(root, devs, uuids, 3, &cause), -EIO);
	assert_non_null(strstr(cause, "UUID"));
	assert_file("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/loop3p3 ro quiet\n"
					   "linux /vmlinuz root=/dev/loop3p3\n"
					   "multiboot2 /xen.gz root=/dev/loop3p30 x\n");
	put("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/loop3p3 ro quiet\n"
				   "linux /vmlinuz root=/dev/loop3p3\n");
	assert_int_equal(hcfg_host_grub_by_uuid(root, devs, uuids, 3, &cause), 0);
	assert_file("/boot/grub/grub.cfg", "linux /vmlinuz root=UUID=1111-root ro quiet\n"
					   "linux /vmlinuz root=UUID=1111-root\n");
	/* A logical volume keeps its /dev/mapper name, which lvm2's initramfs knows... */
	put("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/mapper/vg0-root ro quiet\n");
	assert_int_equal(hcfg_host_grub_by_uuid(root, devs, uuids, 3, &cause), 0);
	assert_file("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/mapper/vg0-root ro quiet\n");
	/* ...but one other device name beside it is still refused. */
	put("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/mapper/vg0-root\n"
				   "linux /vmlinuz root=/dev/sdb1\n");
	assert_int_equal(hcfg_host_grub_by_uuid(root, devs, uuids, 3, &cause), -EIO);
	assert_file("/boot/grub/grub.cfg", "linux /vmlinuz root=/dev/mapper/vg0-root\n"
					   "linux /vmlinuz root=/dev/sdb1\n");
	free(cause);
}

static void test_host_nic_pins_and_xen(void **state)
{
	const struct hcfg_nic_pin pins[] = { { "eth0", "52:54:00:12:34:56" }, { "eth1", "" } };
	const struct hcfg_nic_pin bad[] = { { "eth0/../../x", "52:54:00:12:34:56" } };
	char *cause = NULL;

	assert_int_equal(hcfg_host_nic_pins(root, pins, 2, &cause), 0);
	assert_file("/etc/systemd/network/10-ospite-eth0.link",
		    "# Keeps the name the installer showed for this NIC.\n"
		    "[Match]\nMACAddress=52:54:00:12:34:56\nType=ether\n\n[Link]\nName=eth0\n");
	assert_false(exists("/etc/systemd/network/10-ospite-eth1.link"));
	/* A name read from the system is never a path. */
	assert_int_equal(hcfg_host_nic_pins(root, bad, 1, &cause), -EINVAL);

	put("/etc/xen/xl.conf", "#autoballoon=\"auto\"\n");
	assert_int_equal(hcfg_host_xen_fixed_dom0(root, &cause), 0);
	/* Twice is once: a resumed install does not add the line again. */
	assert_int_equal(hcfg_host_xen_fixed_dom0(root, &cause), 0);
	assert_file("/etc/xen/xl.conf", "#autoballoon=\"auto\"\n\n"
		    "# Set by ospite-install: dom0 has a fixed memory size.\nautoballoon=\"off\"\n");
	free(cause);
}

static void test_host_status_and_console(void **state)
{
	char *cause = NULL, *text;

	put_target("multi-user.target");
	put_target("getty.target");
	assert_int_equal(hcfg_host_status(root, &cause), 0);
	text = slurp("/usr/lib/ospite/ospite-hoststatus");
	assert_non_null(strstr(text, "ospite: host $(hostname) ready"));
	free(text);
	assert_link("/etc/systemd/system/multi-user.target.wants/ospite-hoststatus.service",
		    "/etc/systemd/system/ospite-hoststatus.service");
	free(cause);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fstab),
		T(test_fstab_refuses_device_names),
		T(test_network_xen_static),
		T(test_network_kvm_dhcp),
		T(test_network_unbridged_mgmt),
		T(test_network_extra_addresses),
		T(test_firewall),
		T(test_network_rejects),
		T(test_apt_sources),
		T(test_apt_keeps_foreign_sources_list),
		T(test_locale),
		T(test_locale_without_locale_gen),
		T(test_keyboard),
		T(test_timezone),
		T(test_timezone_missing),
		T(test_grub_xen_serial),
		T(test_grub_xen_plain),
		T(test_grub_kvm),
		T(test_grub_rejects),
		T(test_grub_snippet_is_shell),
		T(test_serial_parse),
		T(test_serial_getty),
		T(test_serial_getty_needs_systemd),
		T(test_enable_disable_unit),
		T(test_masked_unit),
		T(test_alias_over_file),
		T(test_block_daemons),
		T(test_failed_write_leaves_no_half_file),
		T(test_failed_rename_leaves_nothing),
		T(test_copy_key_atomic),
		T(test_refuses_running_system),
		T(test_apt_local_source_disabled),
		T(test_run_input),
		T(test_write_does_not_follow_links),
		T(test_host_grub_by_uuid),
		T(test_host_nic_pins_and_xen),
		T(test_host_status_and_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
