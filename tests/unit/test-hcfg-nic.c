/* Unit tests for hostcfg/hcfg-nic.c: PCI ID lookups on a fixture and the real database, and the NIC list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"

static char fixture_dir[64];
static char fixture_path[128];

/*
 * A commented vendor, a subsystem line whose ids would match if it were read
 * as a device line, trailing blanks, a second vendor and the class section.
 */
static const char fixture[] =
	"# Test fixture for hcfg_pci_name\n"
	"# 0002  Commented Out Vendor\n"
	"\n"
	"0abc  Acme Networks\n"
	"\t1234  Acme Fast NIC\n"
	"\t\t0abc 0abc  Acme Fast NIC OEM\n"
	"\t\t8086 0001  Acme Fast NIC for Intel\n"
	"# a comment inside a vendor block\n"
	"\t5678  Acme Slow NIC   \n"
	"0abd  Other Vendor\n"
	"\t9999  Other Thing\n"
	"C 02  Network controller\n"
	"\t00  Ethernet controller\n";

static int setup_fixture(void **state)
{
	FILE *f;

	snprintf(fixture_dir, sizeof(fixture_dir), "/tmp/test-hcfg-nic.XXXXXX");
	if (!mkdtemp(fixture_dir))
		return -1;
	snprintf(fixture_path, sizeof(fixture_path), "%s/pci.ids", fixture_dir);
	f = fopen(fixture_path, "w");
	if (!f)
		return -1;
	fputs(fixture, f);
	if (fclose(f) != 0)
		return -1;
	return 0;
}

static int teardown_fixture(void **state)
{
	unlink(fixture_path);
	rmdir(fixture_dir);
	return 0;
}

static void use_fixture(void)
{
	assert_int_equal(setenv("OSPITE_PCI_IDS", fixture_path, 1), 0);
}

static void test_pci_found(void **state)
{
	char v[128], d[160];

	use_fixture();
	assert_int_equal(hcfg_pci_name(0x0abc, 0x1234, v, sizeof(v), d, sizeof(d)), 0);
	assert_string_equal(v, "Acme Networks");
	assert_string_equal(d, "Acme Fast NIC");

	/* After a comment inside the block, and with the trailing blanks trimmed. */
	assert_int_equal(hcfg_pci_name(0x0abc, 0x5678, v, sizeof(v), d, sizeof(d)), 0);
	assert_string_equal(d, "Acme Slow NIC");

	assert_int_equal(hcfg_pci_name(0x0abd, 0x9999, v, sizeof(v), d, sizeof(d)), 0);
	assert_string_equal(v, "Other Vendor");
	assert_string_equal(d, "Other Thing");
}

static void test_pci_unknown_device(void **state)
{
	char v[128], d[160];

	use_fixture();
	strcpy(d, "stale");
	assert_int_equal(hcfg_pci_name(0x0abc, 0x4321, v, sizeof(v), d, sizeof(d)), -ENODEV);
	assert_string_equal(v, "Acme Networks");
	assert_string_equal(d, "");

	/* Subsystem lines ("\t\t0abc 0abc", "\t\t8086 0001") never name a device. */
	assert_int_equal(hcfg_pci_name(0x0abc, 0x0abc, v, sizeof(v), d, sizeof(d)), -ENODEV);
	assert_string_equal(d, "");
	assert_int_equal(hcfg_pci_name(0x0abc, 0x8086, v, sizeof(v), d, sizeof(d)), -ENODEV);

	/* A device of the next vendor does not belong to this one. */
	assert_int_equal(hcfg_pci_name(0x0abc, 0x9999, v, sizeof(v), d, sizeof(d)), -ENODEV);
	assert_string_equal(d, "");
}

static void test_pci_unknown_vendor(void **state)
{
	char v[128], d[160];

	use_fixture();
	strcpy(v, "stale");
	assert_int_equal(hcfg_pci_name(0xfeed, 0x1234, v, sizeof(v), d, sizeof(d)), -ENXIO);
	assert_string_equal(v, "");
	assert_string_equal(d, "");

	/* Only in a comment. */
	assert_int_equal(hcfg_pci_name(0x0002, 0x1234, v, sizeof(v), d, sizeof(d)), -ENXIO);
	/* "C 02" is a device class, not vendor 0x0002 or 0x02. */
	assert_int_equal(hcfg_pci_name(0x0002, 0x0000, v, sizeof(v), d, sizeof(d)), -ENXIO);

	assert_int_equal(hcfg_pci_name(0x10000, 0x1234, v, sizeof(v), d, sizeof(d)), -EINVAL);
}

static void test_pci_buffers(void **state)
{
	char v[5], d[8];

	use_fixture();
	assert_int_equal(hcfg_pci_name(0x0abc, 0x1234, v, sizeof(v), d, sizeof(d)), 0);
	assert_string_equal(v, "Acme");
	assert_string_equal(d, "Acme Fa");
	assert_int_equal(hcfg_pci_name(0x0abc, 0x1234, NULL, 0, NULL, 0), 0);
	assert_int_equal(hcfg_pci_name(0x0abc, 0x1234, v, 0, d, 0), 0);
}

static void test_pci_no_database(void **state)
{
	char v[16], d[16], path[192];

	snprintf(path, sizeof(path), "%s/missing.ids", fixture_dir);
	assert_int_equal(setenv("OSPITE_PCI_IDS", path, 1), 0);
	assert_int_equal(hcfg_pci_name(0x0abc, 0x1234, v, sizeof(v), d, sizeof(d)), -ENOENT);
	assert_string_equal(v, "");
}

static void test_pci_real_database(void **state)
{
	char v[128], d[160];

	unsetenv("OSPITE_PCI_IDS");
	if (access("/usr/share/misc/pci.ids", R_OK) != 0 &&
	    access("/usr/share/hwdata/pci.ids", R_OK) != 0)
		skip();
	assert_int_equal(hcfg_pci_name(0x8086, 0x10d3, v, sizeof(v), d, sizeof(d)), 0);
	assert_string_equal(v, "Intel Corporation");
	assert_string_equal(d, "82574L Gigabit Network Connection");
	assert_int_equal(hcfg_pci_name(0x1af4, 0x1000, v, sizeof(v), d, sizeof(d)), 0);
	assert_string_equal(v, "Red Hat, Inc.");
	assert_string_equal(d, "Virtio network device");
}

static void read_sys(const char *name, const char *attr, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Whatever this host has: every entry must agree with sysfs and be a plain Ethernet link. */
static void test_ifname(void **state)
{
	static const char *const good[] = { "eth0", "enp1s0", "eth0.10", "en_p-1", "a",
					     "fifteen-chars-x", NULL };
	static const char *const bad[] = { "", ".", "..", "-eth0", "sixteen-chars-xx", "e;x",
					   "e$(id)", "eth*", "eth 0", "eth0:1", "a/b", "\xc3\xa8th0",
					   "eth\n0", "e'x", "e\"x", NULL };

	for (size_t i = 0; good[i]; i++)
		if (!hcfg_ifname_ok(good[i]))
			fail_msg("\"%s\" was refused", good[i]);
	for (size_t i = 0; bad[i]; i++)
		if (hcfg_ifname_ok(bad[i]))
			fail_msg("\"%s\" was taken", bad[i]);
	assert_false(hcfg_ifname_ok(NULL));
}

static void test_nic_list_consistent(void **state)
{
	struct hcfg_nic *nics = NULL;
	char *cause = NULL, buf[64];
	size_t n = 99;
	int rc;

	rc = hcfg_nic_list(&nics, &n, &cause);
	if (rc)
		fail_msg("hcfg_nic_list: %d %s", rc, cause ? cause : "");
	assert_null(cause);
	for (size_t i = 0; i < n; i++) {
		const struct hcfg_nic *nic = &nics[i];

		if (i)
			assert_true(strverscmp(nics[i - 1].name, nic->name) < 0);
		assert_string_not_equal(nic->name, "lo");
		read_sys(nic->name, "type", buf, sizeof(buf));
		assert_string_equal(buf, "1");
		read_sys(nic->name, "address", buf, sizeof(buf));
		assert_string_equal(nic->mac, buf);
		read_sys(nic->name, "flags", buf, sizeof(buf));
		assert_int_equal(nic->up, (strtoul(buf, NULL, 16) & 1) != 0);
		assert_true(nic->model[0] != '\0');
		assert_true(nic->driver[0] != '\0');
		snprintf(buf, sizeof(buf), "/sys/class/net/%s/bridge", nic->name);
		assert_int_not_equal(access(buf, F_OK), 0);
		assert_true(strncmp(nic->name, "ifb", 3) != 0);
		assert_true(hcfg_ifname_ok(nic->name));
	}
	free(nics);
}

/* Split a comma-separated environment list; returns the count, 0 when unset. */
static size_t env_list(const char *var, char ***items)
{
	const char *v = getenv(var);
	char *copy, *tok, *save = NULL;
	size_t n = 0;

	*items = NULL;
	if (!v)
		return 0;
	copy = strdup(v);
	assert_non_null(copy);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		*items = realloc(*items, (n + 1) * sizeof(**items));
		assert_non_null(*items);
		(*items)[n] = strdup(tok);
		assert_non_null((*items)[n]);
		n++;
	}
	free(copy);
	return n;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* Run inside a namespace whose NICs the caller knows (tests/integration/nic-netns.sh). */
static void test_nic_list_expected(void **state)
{
	char **names, **macs, **ups, **carriers, **drivers, **speeds, *cause = NULL;
	size_t nn, nm, nu, nc, nd, ns, n = 0;
	struct hcfg_nic *nics = NULL;
	int rc;

	if (!getenv("OSPITE_TEST_EXPECT_NICS"))
		skip();
	nn = env_list("OSPITE_TEST_EXPECT_NICS", &names);
	nm = env_list("OSPITE_TEST_EXPECT_MACS", &macs);
	nu = env_list("OSPITE_TEST_EXPECT_UP", &ups);
	nc = env_list("OSPITE_TEST_EXPECT_CARRIER", &carriers);
	nd = env_list("OSPITE_TEST_EXPECT_DRIVERS", &drivers);
	ns = env_list("OSPITE_TEST_EXPECT_SPEEDS", &speeds);

	unsetenv("OSPITE_PCI_IDS");
	rc = hcfg_nic_list(&nics, &n, &cause);
	if (rc)
		fail_msg("hcfg_nic_list: %d %s", rc, cause ? cause : "");
	for (size_t i = 0; i < n; i++)
		print_message("%s %s up=%d carrier=%d speed=%u driver=%s vendor=\"%s\" model=\"%s\"\n",
			      nics[i].name, nics[i].mac, nics[i].up, nics[i].carrier,
			      nics[i].speed_mbps, nics[i].driver, nics[i].vendor, nics[i].model);
	assert_int_equal(n, nn);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(nics[i].name, names[i]);
		if (nm)
			assert_string_equal(nics[i].mac, macs[i]);
		if (nu)
			assert_int_equal(nics[i].up, atoi(ups[i]) != 0);
		if (nc)
			assert_int_equal(nics[i].carrier, atoi(carriers[i]) != 0);
		if (nd)
			assert_string_equal(nics[i].driver, drivers[i]);
		if (ns)
			assert_int_equal(nics[i].speed_mbps, strtoul(speeds[i], NULL, 10));
		if (strcmp(nics[i].driver, "veth") == 0)
			assert_string_equal(nics[i].model, "Virtual Ethernet (veth)");
	}
	free(nics);
	free_list(names, nn);
	free_list(macs, nm);
	free_list(ups, nu);
	free_list(carriers, nc);
	free_list(drivers, nd);
	free_list(speeds, ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_found),
		cmocka_unit_test(test_pci_unknown_device),
		cmocka_unit_test(test_pci_unknown_vendor),
		cmocka_unit_test(test_pci_buffers),
		cmocka_unit_test(test_pci_no_database),
		cmocka_unit_test(test_pci_real_database),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_nic_list_consistent),
		cmocka_unit_test(test_nic_list_expected),
	};

	return cmocka_run_group_tests(tests, setup_fixture, teardown_fixture);
}
