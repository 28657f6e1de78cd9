/* Unit tests for the wizard's field checks and summary, the console's settings file and the batch JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "vmconsole/vc.h"

static void test_name(void **state)
{
	char *taken[] = { (char *)"test", (char *)"web1" };
	char *cause = NULL;

	assert_int_equal(vc_check_name("web2", taken, 2, NULL), 0);
	assert_int_equal(vc_check_name("db_1.example", taken, 2, NULL), 0);
	assert_int_equal(vc_check_name("my vm", taken, 2, &cause), -EINVAL);
	assert_non_null(strstr(cause, "\"my vm\""));
	assert_non_null(strstr(cause, "without spaces"));
	assert_int_equal(vc_check_name("a;rm", taken, 2, NULL), -EINVAL);
	assert_int_equal(vc_check_name("$(x)", taken, 2, NULL), -EINVAL);
	assert_int_equal(vc_check_name("a|b", taken, 2, NULL), -EINVAL);
	assert_int_equal(vc_check_name("-x", taken, 2, NULL), -EINVAL);
	assert_int_equal(vc_check_name("", taken, 2, NULL), -EINVAL);
	assert_int_equal(vc_check_name("web1", taken, 2, &cause), -EEXIST);
	assert_non_null(strstr(cause, "web1"));
	free(cause);
}

static void test_memory(void **state)
{
	uint64_t kib = 0;
	char *cause = NULL;

	assert_int_equal(vc_check_memory("512", 0, &kib, NULL), 0);
	assert_int_equal(kib, 512 * 1024);
	assert_int_equal(vc_check_memory(" 2G ", 0, &kib, NULL), 0);
	assert_int_equal(kib, 2 * 1024 * 1024);
	assert_int_equal(vc_check_memory("1024M", 0, &kib, NULL), 0);
	assert_int_equal(kib, 1024 * 1024);
	assert_int_equal(vc_check_memory("lots", 0, &kib, NULL), -EINVAL);
	assert_int_equal(vc_check_memory("512 potatoes", 0, &kib, NULL), -EINVAL);
	assert_int_equal(vc_check_memory("8", 0, &kib, NULL), -EINVAL);
	/* The host has 3 GiB: 4096 MiB is refused, naming both. */
	assert_int_equal(vc_check_memory("4096", 3 * 1024 * 1024, &kib, &cause), -ENOMEM);
	assert_non_null(strstr(cause, "4096 MiB"));
	assert_non_null(strstr(cause, "3072 MiB"));
	free(cause);
	assert_int_equal(vc_check_memory("99999999999999999999", 0, &kib, NULL), -EINVAL);
	static const char *const not_memory[] = {
		"nan", "inf", "-0", "-512", "+512", "1e3", "0x400", "512.5", "9000000T",
		"17592186044416T", "18446744073709551615", NULL,
	};
	for (size_t i = 0; not_memory[i]; i++) {
		kib = 77;
		if (vc_check_memory(not_memory[i], 0, &kib, NULL) != -EINVAL)
			fail_msg("\"%s\" was taken as memory (%llu KiB)", not_memory[i],
				 (unsigned long long)kib);
		assert_int_equal(kib, 77);
	}
}

static void test_cpus(void **state)
{
	unsigned out[4];
	char *cause = NULL;

	assert_int_equal(vc_check_cpus("2", "", "", "", 4, out, NULL), 0);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 0);
	assert_int_equal(vc_check_cpus("4", "1", "2", "2", 4, out, NULL), 0);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 2);
	assert_int_equal(out[3], 2);
	assert_int_equal(vc_check_cpus("0", "", "", "", 4, out, NULL), -EINVAL);
	assert_int_equal(vc_check_cpus("8", "", "", "", 4, out, &cause), -EINVAL);
	assert_non_null(strstr(cause, "8 virtual CPUs"));
	assert_int_equal(vc_check_cpus("4", "2", "", "", 4, out, NULL), -EINVAL);
	assert_int_equal(vc_check_cpus("4", "2", "2", "2", 8, out, &cause), -EINVAL);
	assert_non_null(strstr(cause, "make 8 CPUs"));
	free(cause);
}

static void test_size_mac_port_listen(void **state)
{
	uint64_t b = 0;
	int port = 0;
	char *used[] = { (char *)"52:54:00:AA:BB:CC" };
	char *cause = NULL;

	assert_int_equal(vc_check_size("20G", &b, NULL), 0);
	assert_int_equal(b, 20ULL << 30);
	assert_int_equal(vc_check_size("8", &b, NULL), 0);
	assert_int_equal(b, 8ULL << 30);
	assert_int_equal(vc_check_size("512m", &b, NULL), 0);
	assert_int_equal(b, 512ULL << 20);
	assert_int_equal(vc_check_size("big", &b, NULL), -EINVAL);
	assert_int_equal(vc_check_size("0", &b, NULL), -EINVAL);
	/* Signs, NaN, infinity, exponents, hexadecimal and what does not fit an off_t. */
	static const char *const not_sizes[] = {
		"nan", "inf", "-inf", "-0", "-1G", "+1G", "1e3", "1e400", "0x10", "1.5G",
		"9000000T", "8388608T", "9223372036854775808", "18446744073709551616M",
		"99999999999999999999999", NULL,
	};
	for (size_t i = 0; not_sizes[i]; i++) {
		b = 77;
		if (vc_check_size(not_sizes[i], &b, NULL) != -EINVAL)
			fail_msg("\"%s\" was taken as a disk size (%llu bytes)", not_sizes[i],
				 (unsigned long long)b);
		assert_int_equal(b, 77);
	}
	/* The largest that fits: 8 EiB less one MiB. */
	assert_int_equal(vc_check_size("8796093022207M", &b, NULL), 0);
	assert_int_equal(b, 8796093022207ULL << 20);

	assert_int_equal(vc_check_mac("52:54:00:12:34:56", used, 1, NULL), 0);
	assert_int_equal(vc_check_mac("52:54:00:12:34", used, 1, NULL), -EINVAL);
	assert_int_equal(vc_check_mac("01:54:00:12:34:56", used, 1, NULL), -EINVAL);
	assert_int_equal(vc_check_mac("52:54:00:zz:34:56", used, 1, NULL), -EINVAL);
	assert_int_equal(vc_check_mac("52:54:00:aa:bb:cc", used, 1, &cause), -EEXIST);
	assert_non_null(strstr(cause, "already in use"));
	free(cause);

	assert_int_equal(vc_check_port("", &port, NULL), 0);
	assert_int_equal(port, -1);
	assert_int_equal(vc_check_port("auto", &port, NULL), 0);
	assert_int_equal(port, -1);
	assert_int_equal(vc_check_port("5901", &port, NULL), 0);
	assert_int_equal(port, 5901);
	assert_int_equal(vc_check_port("80", &port, NULL), -EINVAL);
	assert_int_equal(vc_check_port("70000", &port, NULL), -EINVAL);

	assert_int_equal(vc_check_listen("127.0.0.1", NULL), 0);
	assert_int_equal(vc_check_listen("::1", NULL), 0);
	assert_int_equal(vc_check_listen("localhost", NULL), -EINVAL);
	/* Anything but loopback is reachable from the network: the wizard asks first. */
	assert_true(vc_listen_is_loopback("127.0.0.1"));
	assert_true(vc_listen_is_loopback("127.1.2.3"));
	assert_true(vc_listen_is_loopback("::1"));
	assert_true(vc_listen_is_loopback(""));
	assert_false(vc_listen_is_loopback("0.0.0.0"));
	assert_false(vc_listen_is_loopback("::"));
	assert_false(vc_listen_is_loopback("192.0.2.1"));
	assert_false(vc_listen_is_loopback("::ffff:127.0.0.1"));
}

static void test_disk(void **state)
{
	char dir[] = "/tmp/ospite-vc-check.XXXXXX", file[128], fresh[128];
	struct hv_disk d;
	char *cause = NULL;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/there.img", dir);
	snprintf(fresh, sizeof(fresh), "%s/new.img", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);

	memset(&d, 0, sizeof(d));
	d.kind = HV_DISK_NEW_RAW;
	d.size = 1ULL << 30;
	d.path = fresh;
	assert_int_equal(vc_check_disk(&d, NULL), 0);
	/* A new disk over a file that exists would destroy it. */
	d.path = file;
	assert_int_equal(vc_check_disk(&d, &cause), -EEXIST);
	assert_non_null(strstr(cause, file));
	d.kind = HV_DISK_FILE;
	assert_int_equal(vc_check_disk(&d, NULL), 0);
	d.path = fresh;
	assert_true(vc_check_disk(&d, NULL) < 0);
	d.kind = HV_DISK_BLOCK;
	d.path = file;
	assert_int_equal(vc_check_disk(&d, NULL), -EINVAL);
	d.kind = HV_DISK_CDROM;
	assert_int_equal(vc_check_disk(&d, NULL), 0);
	free(cause);
	unlink(file);
	rmdir(dir);
}

static bool has_line(char **lines, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i], text))
			return true;
	return false;
}

static void test_describe(void **state)
{
	struct hv_guest g;
	struct hv_disk *d;
	struct hv_nic *nic;
	char **lines = NULL;
	size_t n = 0;

	hv_guest_init(&g);
	g.name = strdup("web1");
	g.vcpus = 4;
	g.sockets = 1;
	g.cores = 2;
	g.threads = 2;
	g.memory_kib = 1024 * 1024;
	d = hv_guest_add_disk(&g);
	d->kind = HV_DISK_NEW_QCOW2;
	d->path = strdup("/var/lib/ospite/images/web1.qcow2");
	d->size = 20ULL << 30;
	d->target = strdup("vda");
	nic = hv_guest_add_nic(&g);
	nic->bridge = strdup("xenbr0");
	snprintf(nic->mac, sizeof(nic->mac), "52:54:00:01:02:03");
	g.acpi = false;
	g.autostart = true;
	assert_int_equal(vc_guest_describe(&g, &lines, &n), 0);
	assert_true(has_line(lines, n, "Name: web1"));
	assert_true(has_line(lines, n, "Virtual CPUs: 4 (1 sockets, 2 cores, 2 threads)."));
	assert_true(has_line(lines, n, "Memory: 1.0 GiB."));
	assert_true(has_line(lines, n,
			     "Disk vda (virtio): new qcow2 file /var/lib/ospite/images/web1.qcow2, 20.0 GiB."));
	assert_true(has_line(lines, n, "bridge xenbr0, MAC 52:54:00:01:02:03, model virtio"));
	assert_true(has_line(lines, n, "Features: APIC PAE."));
	assert_true(has_line(lines, n, "Starts when the host boots."));
	assert_true(has_line(lines, n, "Boot order: disk."));
	assert_true(has_line(lines, n, "hardware-assisted (HVM)"));
	vc_strv_free(lines, n);
	/* On a host without KVM the guest is emulated, and the summary says so. */
	assert_int_equal(vc_guest_describe_on(&g, "qemu", &lines, &n), 0);
	assert_true(has_line(lines, n, "emulated by QEMU (TCG)"));
	assert_false(has_line(lines, n, "hardware-assisted"));
	vc_strv_free(lines, n);
	assert_int_equal(vc_guest_describe_on(&g, "kvm", &lines, &n), 0);
	assert_true(has_line(lines, n, "hardware-assisted (KVM)"));
	vc_strv_free(lines, n);
	hv_guest_clear(&g);
}

static void test_conf(void **state)
{
	struct vc_conf c;
	char dir[] = "/tmp/ospite-vc-conf.XXXXXX", path[128], *cause = NULL, *text = NULL;
	unsigned long long v;

	vc_conf_init(&c);
	assert_int_equal(c.idle_timeout, 300);
	assert_int_equal(vc_conf_parse("# comment\n\n idle_timeout = 42 \n", &c, NULL), 0);
	assert_int_equal(c.idle_timeout, 42);
	assert_int_equal(vc_conf_parse("\n\nfoo=1\n", &c, &cause), -EINVAL);
	assert_non_null(strstr(cause, "Line 3"));
	assert_non_null(strstr(cause, "foo"));
	assert_int_equal(vc_conf_parse("idle_timeout=soon\n", &c, &cause), -EINVAL);
	assert_int_equal(vc_conf_parse("idle_timeout\n", &c, &cause), -EINVAL);
	assert_int_equal(c.idle_timeout, 42);
	free(cause);
	assert_int_equal(vc_parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(vc_parse_uint("12a", 100, &v), -EINVAL);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc/ospite/console.conf", dir);
	vc_conf_init(&c);
	assert_int_equal(vc_conf_load(path, &c, NULL), 0);
	assert_int_equal(c.idle_timeout, 300);
	c.idle_timeout = 75;
	assert_int_equal(vc_conf_save(path, &c, NULL), 0);
	assert_int_equal(hcfg_read_file(path, &text, NULL), 0);
	assert_non_null(strstr(text, "\nidle_timeout=75\n"));
	free(text);
	vc_conf_init(&c);
	assert_int_equal(vc_conf_load(path, &c, NULL), 0);
	assert_int_equal(c.idle_timeout, 75);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc/ospite", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/etc", dir);
	rmdir(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_json(void **state)
{
	char *s = vc_json_string("a\"b\\c\nd\x01 città");

	assert_string_equal(s, "\"a\\\"b\\\\c\\nd\\u0001 città\"");
	free(s);
	assert_string_equal(vc_state_key(HV_STATE_SHUTOFF), "shutoff");
	assert_string_equal(vc_state_key(HV_STATE_RUNNING), "running");
}

/* A guest's memory beside the running guests': what fits, and a refusal that gives every number. */
static void test_memory_fit(void **state)
{
	struct vc_row rows[3] = {
		{ .name = "a", .state = HV_STATE_RUNNING, .memory_kib = 1024 * 1024 },
		{ .name = "b", .state = HV_STATE_SHUTOFF, .memory_kib = 8 * 1024 * 1024 },
		{ .name = "c", .state = HV_STATE_PAUSED, .memory_kib = 512 * 1024 },
	};
	struct vc_model m = { .rows = rows, .nrows = 3 };
	char *cause = NULL;

	/* Off guests use nothing; paused ones keep their memory. */
	assert_int_equal(vc_running_kib(&m, NULL), 1536 * 1024);
	assert_int_equal(vc_running_kib(&m, "a"), 512 * 1024);
	assert_int_equal(vc_check_memory_fit("web1", 1536 * 1024, 1536 * 1024, 3072 * 1024, &cause), 0);
	assert_int_equal(vc_check_memory_fit("web1", 1537 * 1024, 1536 * 1024, 3072 * 1024, &cause),
			 -ENOMEM);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "web1"));
	assert_non_null(strstr(cause, "1.5 GiB of this host's 3.0 GiB"));
	free(cause);
	cause = NULL;
	/* More in use than the host has (ballooning, overcommit) leaves nothing, without wrapping. */
	assert_int_equal(vc_check_memory_fit("x", 16 * 1024, 4096 * 1024, 3072 * 1024, &cause), -ENOMEM);
	assert_non_null(strstr(cause, "0 MiB is left"));
	free(cause);
	/* An unknown host size refuses nothing. */
	assert_int_equal(vc_check_memory_fit("x", 1ULL << 40, 0, 0, NULL), 0);
	(void)state;
}

/* The SSH tunnel names an address the operator can reach, not a name that may not resolve. */
static void test_tunnel_host(void **state)
{
	char *lines[] = { (char *)"br0 2001:db8::2/64 192.0.2.2/24", (char *)"eth1 2001:db8:1::9/64" };
	char out[256];

	vc_tunnel_host("198.51.100.7 51234 192.0.2.10 22", lines, 2, "host1", out, sizeof(out));
	assert_string_equal(out, "192.0.2.10");
	vc_tunnel_host(NULL, lines, 2, "host1", out, sizeof(out));
	assert_string_equal(out, "192.0.2.2");
	vc_tunnel_host(NULL, lines + 1, 1, "host1", out, sizeof(out));
	assert_string_equal(out, "2001:db8:1::9");
	vc_tunnel_host("", NULL, 0, "host1", out, sizeof(out));
	assert_string_equal(out, "host1");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_size_mac_port_listen),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_memory_fit),
		cmocka_unit_test(test_tunnel_host),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
