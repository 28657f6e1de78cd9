/* Unit tests of the install plan: validators, the automatic layout, size resolution, dumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "install/inst.h"
#include "hostcfg/hcfg-target.h"

static void test_hostname(void **state)
{
	char *cause = NULL;

	assert_int_equal(inst_valid_hostname("ospite", NULL), 0);
	assert_int_equal(inst_valid_hostname("host-1.example.org", NULL), 0);
	assert_int_equal(inst_valid_hostname("", NULL), -EINVAL);
	assert_int_equal(inst_valid_hostname("-bad", NULL), -EINVAL);
	assert_int_equal(inst_valid_hostname("bad-", NULL), -EINVAL);
	assert_int_equal(inst_valid_hostname("a..b", NULL), -EINVAL);
	assert_int_equal(inst_valid_hostname("has space", &cause), -EINVAL);
	assert_non_null(strstr(cause, "has space"));
	free(cause);
	char label[70];

	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(inst_valid_hostname(label, NULL), -EINVAL);
}

static void test_addresses(void **state)
{
	unsigned prefix = 0;

	assert_int_equal(inst_valid_ipv4("192.0.2.10", NULL), 0);
	assert_int_equal(inst_valid_ipv4("192.0.2.300", NULL), -EINVAL);
	assert_int_equal(inst_valid_ipv4("", NULL), -EINVAL);
	assert_int_equal(inst_valid_prefix("24", &prefix, NULL), 0);
	assert_int_equal(prefix, 24);
	assert_int_equal(inst_valid_prefix("255.255.254.0", &prefix, NULL), 0);
	assert_int_equal(prefix, 23);
	assert_int_equal(inst_valid_prefix("255.0.255.0", &prefix, NULL), -EINVAL);
	assert_int_equal(inst_valid_prefix("33", &prefix, NULL), -EINVAL);
	assert_int_equal(inst_valid_prefix("0", &prefix, NULL), -EINVAL);
	assert_int_equal(inst_valid_dns("192.0.2.1 2001:db8::1", NULL), 0);
	assert_int_equal(inst_valid_dns("192.0.2.1,nameserver", NULL), -EINVAL);
	/* Linux's console= form, as the boot menu passes it: n8 goes, any other ending is refused. */
	char ser[][24] = { "ttyS0,115200n8", "ttyS1,9600", "ttyS0,115200e7", "ttyS0n8" };

	for (size_t i = 0; i < sizeof(ser) / sizeof(ser[0]); i++)
		inst_serial_trim(ser[i]);
	assert_string_equal(ser[0], "ttyS0,115200");
	assert_string_equal(ser[1], "ttyS1,9600");
	assert_string_equal(ser[2], "ttyS0,115200e7");
	assert_int_equal(hcfg_serial_parse(ser[0], NULL, NULL), 0);
	assert_int_equal(hcfg_serial_parse(ser[2], NULL, NULL), -EINVAL);
	assert_int_equal(hcfg_serial_parse(ser[3], NULL, NULL), -EINVAL);
	assert_int_equal(inst_valid_url("http://mirror.example.org/debian", NULL), 0);
	assert_int_equal(inst_valid_url("file:/srv/debian", NULL), 0);
	assert_int_equal(inst_valid_url("ftp://x/debian", NULL), -EINVAL);
	assert_int_equal(inst_valid_url("http:///debian", NULL), -EINVAL);
}

static void test_sizes(void **state)
{
	uint64_t mib = 0;

	assert_int_equal(inst_valid_size("512", &mib, NULL), 0);
	assert_int_equal(mib, 512);
	assert_int_equal(inst_valid_size("8G", &mib, NULL), 0);
	assert_int_equal(mib, 8192);
	assert_int_equal(inst_valid_size("1.5GiB", &mib, NULL), 0);
	assert_int_equal(mib, 1536);
	assert_int_equal(inst_valid_size("2T", &mib, NULL), 0);
	assert_int_equal(mib, 2 * 1024 * 1024);
	assert_int_equal(inst_valid_size("-1", &mib, NULL), -EINVAL);
	assert_int_equal(inst_valid_size("12X", &mib, NULL), -EINVAL);
	assert_int_equal(inst_valid_size("", &mib, NULL), -EINVAL);
	/* What strtod would take but a size is not: each refused, and *mib left alone. */
	static const char *const not_sizes[] = {
		"nan", "NaN", "nanG", "inf", "infinity", "-inf", "1e400", "1e3", "-0", "-0.0",
		"+5", " 5", "5 ", "0x10", "0x1p4", "5.", ".5", "0", "0.4", "1.5.5", "1099511627777",
		"1048577T", "18446744073709551616", "99999999999999999999999G", "1..5G", "5GiBB",
		NULL,
	};
	for (size_t i = 0; not_sizes[i]; i++) {
		char *cause = NULL;

		mib = 77;
		if (inst_valid_size(not_sizes[i], &mib, &cause) != -EINVAL)
			fail_msg("\"%s\" was taken as a size (%llu MiB)", not_sizes[i],
				 (unsigned long long)mib);
		assert_int_equal(mib, 77);
		assert_non_null(strstr(cause, "is not a size"));
		free(cause);
	}
	assert_int_equal(inst_valid_size("0.5", &mib, NULL), 0);
	assert_int_equal(mib, 1);
	assert_int_equal(inst_valid_size("1048576T", &mib, NULL), 0);
	assert_int_equal(mib, 1ULL << 40);
	assert_int_equal(inst_valid_size("1.0000000001G", &mib, NULL), 0);
	assert_int_equal(mib, 1024);
	assert_int_equal(inst_valid_size("2.25g", &mib, NULL), 0);
	assert_int_equal(mib, 2304);
	assert_int_equal(inst_valid_mount("/var/lib/ospite/images", NULL), 0);
	assert_int_equal(inst_valid_mount("swap", NULL), 0);
	assert_int_equal(inst_valid_mount("var", NULL), -EINVAL);
	assert_int_equal(inst_valid_mount("/proc", NULL), -EINVAL);
	assert_int_equal(inst_valid_mount("/a/../b", NULL), -EINVAL);
	assert_int_equal(inst_valid_bridge_name("xenbr0", NULL), 0);
	assert_int_equal(inst_valid_bridge_name("a-very-long-bridge", NULL), -EINVAL);
	assert_int_equal(inst_valid_bridge_name("br 0", NULL), -EINVAL);
}

static void test_password(void **state)
{
	char hash[256];
	struct crypt_data cd;

	assert_int_equal(inst_hash_password("s3cret!", hash, sizeof(hash), NULL), 0);
	assert_true(!strncmp(hash, "$y$", 3) || !strncmp(hash, "$6$", 3));
	assert_null(strstr(hash, "s3cret"));
	memset(&cd, 0, sizeof(cd));
	assert_string_equal(crypt_r("s3cret!", hash, &cd), hash);
	memset(&cd, 0, sizeof(cd));
	assert_string_not_equal(crypt_r("other", hash, &cd), hash);
}

static void test_auto_layout(void **state)
{
	struct inst_plan p;
	uint64_t sizes[INST_MAX_PARTS], sum = 0;

	inst_plan_init(&p);
	inst_plan_auto_parts(&p, 8192, 2048);
	assert_int_equal(p.n_parts, 5);
	assert_string_equal(p.parts[0].mount, "biosboot");
	assert_string_equal(p.parts[1].mount, "/boot");
	assert_string_equal(p.parts[2].mount, "/");
	assert_string_equal(p.parts[3].mount, "swap");
	assert_string_equal(p.parts[4].mount, INST_IMAGES_DIR);
	assert_true(p.parts[4].grow);
	assert_int_equal(inst_plan_resolve_sizes(&p, 8192, sizes, NULL), 0);
	for (size_t i = 0; i < p.n_parts; i++)
		sum += sizes[i];
	/* Everything but the GPT's 2 MiB is used, and the images get the rest. */
	assert_int_equal(sum, 8190);
	assert_true(sizes[4] > 2048);
	/* A disk too small for the fixed entries is refused with a reason. */
	char *cause = NULL;

	assert_int_equal(inst_plan_resolve_sizes(&p, 4096, sizes, &cause), -ENOSPC);
	assert_non_null(strstr(cause, "4094"));
	free(cause);
	/* Two grow entries share, a maximum caps one of them. */
	p.parts[2].grow = true;
	p.parts[2].max_mib = 5000;
	assert_int_equal(inst_plan_resolve_sizes(&p, 100000, sizes, NULL), 0);
	assert_int_equal(sizes[2], 5000);
	sum = 0;
	for (size_t i = 0; i < p.n_parts; i++)
		sum += sizes[i];
	assert_int_equal(sum, 99998);
	/* Without a maximum, the MiB an even share leaves over go too: nothing of the disk is lost. */
	p.parts[2].max_mib = 0;
	p.parts[2].size_mib = p.parts[4].size_mib;
	for (uint64_t disk = 100001; disk <= 100002; disk++) {
		assert_int_equal(inst_plan_resolve_sizes(&p, disk, sizes, NULL), 0);
		sum = 0;
		for (size_t i = 0; i < p.n_parts; i++)
			sum += sizes[i];
		assert_int_equal(sum, disk - 2);
		/* The odd MiB, if any, goes to the first of them. */
		assert_true(sizes[2] == sizes[4] || sizes[2] == sizes[4] + 1);
	}
	inst_plan_free(&p);
}

static bool has_pkg(const struct inst_plan *p, const char *pkg)
{
	char **v = inst_plan_package_set(p);
	bool found = false;

	for (size_t i = 0; v[i]; i++) {
		found |= !strcmp(v[i], pkg);
		free(v[i]);
	}
	free(v);
	return found;
}

/* The LVM, thin and RAID 1 layouts: what they hold, how they are sized, what the host gets. */
static void test_storage_layouts(void **state)
{
	struct inst_plan p;
	uint64_t sizes[INST_MAX_PARTS], lvs = 0, pv = 0;
	char *cause = NULL;

	inst_plan_init(&p);
	assert_false(has_pkg(&p, "lvm2"));
	inst_plan_auto_parts(&p, 20480, 2048);
	inst_plan_auto_layout(&p, INST_LAYOUT_LVM);
	assert_int_equal(p.n_vgs, 1);
	assert_string_equal(p.vgs[0].pvs[0], "pv.01");
	assert_int_equal(inst_plan_resolve_sizes(&p, 20480, sizes, NULL), 0);
	for (size_t i = 0; i < p.n_parts; i++) {
		if (p.parts[i].fs == HCFG_FS_LVMPV)
			pv = sizes[i];
		if (*p.parts[i].vg) {
			lvs += sizes[i];
			/* Whole 4 MiB extents. */
			assert_int_equal(sizes[i] % 4, 0);
		}
	}
	/* The volumes fill the group, which is the physical volume less its metadata. */
	assert_true(pv > 18000);
	assert_true(lvs <= pv - 1 && lvs + 8 > pv - 1);
	assert_true(has_pkg(&p, "lvm2"));
	assert_false(has_pkg(&p, "mdadm"));
	assert_false(has_pkg(&p, "thin-provisioning-tools"));
	/* A group too small for its fixed volumes is refused, naming it. */
	p.parts[3].size_mib = 30000;
	assert_int_equal(inst_plan_resolve_sizes(&p, 20480, sizes, &cause), -ENOSPC);
	assert_non_null(strstr(cause, "ospite"));
	free(cause);
	cause = NULL;

	/* Thin: / and the images in the pool, the images as large as the pool. */
	inst_plan_auto_parts(&p, 20480, 2048);
	inst_plan_auto_layout(&p, INST_LAYOUT_THINP);
	assert_int_equal(inst_plan_resolve_sizes(&p, 20480, sizes, NULL), 0);
	assert_true(p.parts[3].thinpool);
	assert_string_equal(p.parts[4].pool, "pool");
	assert_int_equal(sizes[p.n_parts - 1], sizes[3]);
	assert_true(has_pkg(&p, "thin-provisioning-tools"));

	/* RAID 1: a BIOS boot partition and half of each array on each disk. */
	inst_plan_auto_parts(&p, 8192, 2048);
	INST_COPY(p.disk2, "/dev/vdb");
	inst_plan_auto_layout(&p, INST_LAYOUT_RAID1);
	assert_int_equal(inst_plan_resolve_sizes(&p, 8192, sizes, NULL), 0);
	for (size_t i = 0; i < p.n_parts; i++) {
		const struct inst_part *e = &p.parts[i];

		if (!*e->md)
			continue;
		/* An array is a little smaller than its members, which are the same size. */
		for (size_t j = 0; j < p.n_parts; j++)
			if (!strcmp(p.parts[j].mount, e->members[0]) ||
			    !strcmp(p.parts[j].mount, e->members[1]))
				assert_true(sizes[i] < sizes[j] && sizes[i] + 130 > sizes[j]);
	}
	assert_int_equal(p.parts[0].disk_n, 0);
	assert_int_equal(p.parts[1].disk_n, 1);
	assert_true(has_pkg(&p, "mdadm"));
	assert_int_equal(inst_plan_validate_parts(&p, NULL), 0);
	inst_plan_free(&p);
}

/* The screens and the answer file add the BIOS boot partition the same way: first, once. */
static void test_add_biosboot(void **state)
{
	struct inst_plan p;

	inst_plan_init(&p);
	inst_plan_auto_parts(&p, 8192, 2048);
	assert_int_equal(inst_plan_add_biosboot(&p), 0);
	assert_int_equal(p.n_parts, 5);
	/* Without it, it comes back in front, 1 MiB, and the others keep their order. */
	memmove(&p.parts[0], &p.parts[1], 4 * sizeof(p.parts[0]));
	p.n_parts = 4;
	assert_int_equal(inst_plan_add_biosboot(&p), 1);
	assert_int_equal(p.n_parts, 5);
	assert_string_equal(p.parts[0].mount, "biosboot");
	assert_int_equal(p.parts[0].fs, HCFG_FS_BIOSBOOT);
	assert_int_equal(p.parts[0].size_mib, 1);
	assert_false(p.parts[0].grow);
	assert_string_equal(p.parts[1].mount, "/boot");
	assert_string_equal(p.parts[4].mount, INST_IMAGES_DIR);
	/* A full table has no room for it. */
	p.n_parts = 0;
	for (int i = 0; i < INST_MAX_PARTS; i++) {
		memset(&p.parts[i], 0, sizeof(p.parts[i]));
		snprintf(p.parts[i].mount, sizeof(p.parts[i].mount), "/srv/%d", i);
		p.parts[i].size_mib = 100;
		p.n_parts++;
	}
	assert_int_equal(inst_plan_add_biosboot(&p), -ENOSPC);
	assert_int_equal(p.n_parts, INST_MAX_PARTS);
	inst_plan_free(&p);
}

static void test_validate_and_dump(void **state)
{
	struct inst_plan p;
	char *problems = NULL, *dump, *ks;
	struct hcfg_nic nics[2] = { { .name = "eth0", .mac = "52:54:00:00:00:01" },
				    { .name = "eth1", .mac = "52:54:00:00:00:02" } };

	inst_plan_init(&p);
	snprintf(p.mirror, sizeof(p.mirror), "http://mirror.example.org/debian");
	snprintf(p.hostname, sizeof(p.hostname), "bad_name");
	assert_int_equal(inst_plan_validate(&p, &problems), -EINVAL);
	/* Every problem is reported, not just the first. */
	assert_non_null(strstr(problems, "bad_name"));
	assert_non_null(strstr(problems, "No target disk"));
	assert_non_null(strstr(problems, "no / (root)"));
	assert_non_null(strstr(problems, "No root password"));
	free(problems);

	snprintf(p.hostname, sizeof(p.hostname), "host1");
	snprintf(p.disk, sizeof(p.disk), "/dev/loop7");
	snprintf(p.nic, sizeof(p.nic), "eth1");
	inst_plan_auto_parts(&p, 8192, 2048);
	inst_plan_default_bridges(&p, nics, 2);
	assert_int_equal(inst_hash_password("secret", p.root_hash, sizeof(p.root_hash), NULL), 0);
	assert_int_equal(inst_plan_validate(&p, NULL), 0);
	assert_string_equal(p.bridges[0].name, "xenbr0");
	assert_string_equal(p.bridges[1].name, "xenbr1");
	assert_string_equal(p.bridges[1].mac, "52:54:00:00:00:02");
	assert_string_equal(inst_plan_mgmt_bridge(&p)->name, "xenbr1");

	dump = inst_plan_dump(&p);
	assert_non_null(strstr(dump, "hypervisor: xen dom0-mem=1024M\n"));
	assert_non_null(strstr(dump, "bridge: xenbr1 ports=eth1\n"));
	assert_non_null(strstr(dump, "part: / fs=ext4"));
	assert_null(strstr(dump, p.root_hash));
	ks = inst_plan_to_ks(&p);
	assert_non_null(strstr(ks, "network --device=xenbr1 --bridgeslaves=eth1 --bootproto=dhcp"));
	assert_non_null(strstr(ks, "network --device=xenbr0 --bridgeslaves=eth0 --bootproto=none"));
	/* Only a confirmed disk is erased on replay; the partitions name it. */
	assert_null(strstr(ks, "clearpart --all"));
	assert_non_null(strstr(ks, "--ondisk=/dev/loop7\n"));
	free(ks);
	p.wipe_confirmed = true;
	ks = inst_plan_to_ks(&p);
	assert_non_null(strstr(ks, "clearpart --all --initlabel\n"));
	assert_non_null(strstr(ks, "rootpw --iscrypted $"));
	free(ks);
	/* A disk with a stable name is saved by it, never by a name another disk can take. */
	INST_COPY(p.disk_stable, "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4");
	inst_list_add(&p.only_use, "/dev/loop7");
	inst_list_add(&p.only_use, "/dev/sdz");
	ks = inst_plan_to_ks(&p);
	assert_non_null(strstr(ks, "--ondisk=/dev/disk/by-id/wwn-0x5000c500a1b2c3d4\n"));
	assert_non_null(strstr(ks, "--only-use=/dev/disk/by-id/wwn-0x5000c500a1b2c3d4,/dev/sdz"));
	assert_null(strstr(ks, "loop7"));
	inst_list_free(&p.only_use);
	p.disk_stable[0] = '\0';
	free(dump);
	free(ks);

	/* Two bridges on one NIC and a duplicate name are refused. */
	snprintf(p.bridges[1].nic, sizeof(p.bridges[1].nic), "eth0");
	snprintf(p.bridges[1].name, sizeof(p.bridges[1].name), "xenbr0");
	assert_int_equal(inst_plan_validate(&p, &problems), -EINVAL);
	assert_non_null(strstr(problems, "xenbr0 is used twice"));
	assert_non_null(strstr(problems, "eth0 is in two bridges"));
	free(problems);
	inst_plan_free(&p);
}

/* The summary's sentences: the host's own locale, every address, users and the firewall. */
static void test_describe(void **state)
{
	struct inst_plan p;
	struct base_buf b = { 0 };

	inst_plan_init(&p);
	INST_COPY(p.hostname, "kvm9");
	INST_COPY(p.nic, "eth0");
	INST_COPY(p.mirror, "http://deb.example.org/debian");
	p.hv = INST_HV_KVM;
	inst_plan_describe(&p, &b);
	assert_non_null(strstr(b.s, "Hypervisor: KVM; host name kvm9; address from DHCP on eth0.\n"));
	assert_non_null(strstr(b.s, "Host language English, keyboard us"));
	assert_non_null(strstr(b.s, "Firewall: none, as on a Debian host by default.\n"));
	assert_null(strstr(b.s, "Users"));
	assert_null(strstr(b.s, "Other addresses"));
	free(b.s);
	b = (struct base_buf){ 0 };

	INST_COPY(p.locale, "sr_RS@latin");
	p.addrs[0] = (struct inst_addr){ .dev = "xenbr1", .ip = "198.51.100.9", .prefix = 24,
					 .ipv6 = "auto" };
	p.addrs[1] = (struct inst_addr){ .dev = "eth2", .dhcp = true, .nodefroute = true };
	p.n_addrs = 2;
	p.users = calloc(2, sizeof(*p.users));
	assert_non_null(p.users);
	p.users[0] = (struct inst_user){ .name = "alice", .groups = "sudo,libvirt", .uid = -1 };
	p.users[1] = (struct inst_user){ .name = "backup", .lock = true, .uid = -1 };
	p.n_users = 2;
	p.firewall = true;
	inst_list_add(&p.fw_ports, "22/tcp");
	inst_list_add(&p.fw_ports, "5900-5999/tcp");
	inst_plan_describe(&p, &b);
	assert_non_null(strstr(b.s, "Other addresses: xenbr1 198.51.100.9/24 + auto, eth2 from DHCP.\n"));
	assert_non_null(strstr(b.s, "Host language sr_RS@latin, keyboard us"));
	assert_non_null(strstr(b.s, "Users besides root: alice (sudo,libvirt), backup (locked).\n"));
	assert_non_null(strstr(b.s, "Firewall: on; open ports: 22/tcp, 5900-5999/tcp; trusted interfaces: -.\n"));
	assert_non_null(strstr(b.s, "Packages from http://deb.example.org/debian"));
	free(b.s);
	inst_plan_free(&p);
}

static void test_package_set(void **state)
{
	struct inst_plan p;
	char **v;
	bool xen = false, kvm = false;

	inst_plan_init(&p);
	v = inst_plan_package_set(&p);
	for (size_t i = 0; v[i]; i++) {
		xen |= !strcmp(v[i], "xen-system-amd64");
		kvm |= !strcmp(v[i], "qemu-system-x86");
		free(v[i]);
	}
	free(v);
	assert_true(xen);
	assert_false(kvm);
	p.hv = INST_HV_KVM;
	xen = kvm = false;
	v = inst_plan_package_set(&p);
	for (size_t i = 0; v[i]; i++) {
		xen |= !strcmp(v[i], "xen-system-amd64");
		kvm |= !strcmp(v[i], "qemu-system-x86");
		free(v[i]);
	}
	free(v);
	assert_false(xen);
	assert_true(kvm);
	/* The console's libraries come with the ospite package's Depends, and still cannot be left out. */
	assert_false(has_pkg(&p, "libnewt0.52"));
	assert_false(has_pkg(&p, "libvirt0"));
	assert_true(has_pkg(&p, "mtools"));
	assert_true(inst_plan_pkg_needed(&p, "libnewt0.52"));
	inst_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostname),      cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_sizes),         cmocka_unit_test(test_password),
		cmocka_unit_test(test_auto_layout),   cmocka_unit_test(test_validate_and_dump),
		cmocka_unit_test(test_package_set),   cmocka_unit_test(test_add_biosboot),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_storage_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
