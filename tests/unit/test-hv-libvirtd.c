/* hv/ against a real libvirtd running QEMU guests; run by tests/integration/hv-libvirtd.sh, skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/hv.h"

static struct hv_conn *conn;
static char name[64];

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int setup(void **state)
{
	const char *uri = getenv("OSPITE_TEST_URI");
	const char *guest = getenv("OSPITE_TEST_GUEST");
	char *cause = NULL;

	if (!getenv("OSPITE_TEST_LIBVIRTD"))
		return 0;
	snprintf(name, sizeof(name), "%s", guest ? guest : "ospite-hvtest");
	if (hv_open(uri ? uri : "qemu:///system", &conn, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	/* A failed test may leave its guest behind: force it off and remove it. */
	if (conn) {
		hv_destroy(conn, name, NULL);
		hv_undefine(conn, name, true, NULL);
		hv_close(conn);
	}
	return 0;
}

static const struct hv_dom_stat *stat_of(struct hv_dom_stat **s, size_t *n)
{
	assert_int_equal(hv_list(conn, s, n, NULL), 0);
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*s)[i].name, name) == 0)
			return &(*s)[i];
	}
	return NULL;
}

static void test_qemu_guest(void **state)
{
	struct hv_guest g;
	struct hv_dom_stat *s1 = NULL, *s2 = NULL;
	const struct hv_dom_stat *a, *b;
	struct hv_vnc_info vi;
	struct hv_console *con = NULL;
	struct pollfd pfd;
	char *cause = NULL, buf[4096];
	size_t n1 = 0, n2 = 0;
	uint64_t t1, t2;
	ssize_t r;
	int got_eof = 0;

	if (!conn)
		skip();
	/* The script asks for emulation: KVM guests hang on the machines these tests run on. */
	assert_string_equal(hv_virt_type(conn), "qemu");

	/* No disk and no kernel: SeaBIOS alone keeps a TCG guest running. */
	hv_guest_init(&g);
	g.name = strdup(name);
	g.memory_kib = 128 * 1024;
	/* QEMU enables VNC password checks only for a guest that starts with a password. */
	g.vnc_password = strdup("first");
	if (hv_define(conn, &g, &cause) < 0)
		fail_msg("%s", cause);
	if (hv_start(conn, name, &cause) < 0)
		fail_msg("%s", cause);

	t1 = now_ns();
	a = stat_of(&s1, &n1);
	assert_non_null(a);
	assert_int_equal(a->state, HV_STATE_RUNNING);
	assert_int_equal(a->vcpus, 1);
	assert_int_equal(a->memory_kib, 128 * 1024);
	sleep_ms(1500);
	t2 = now_ns();
	b = stat_of(&s2, &n2);
	assert_non_null(b);
	/* The emulated CPU works the whole time, so its CPU time grows. */
	assert_true(b->cpu_time_ns > a->cpu_time_ns);
	assert_true(hv_cpu_percent(a, b, t2 - t1) > 0);
	free(s1);
	free(s2);

	assert_int_equal(hv_vnc_info(conn, name, &vi, &cause), 0);
	assert_string_equal(vi.listen, "127.0.0.1");
	assert_true(vi.port >= 5900);
	assert_true(vi.has_password);
	if (hv_vnc_set_password(conn, name, "onetime", time(NULL) + 300, &cause) < 0)
		fail_msg("%s", cause);
	assert_int_equal(hv_vnc_set_password(conn, name, "toolongpassword", time(NULL), &cause),
			 -EINVAL);

	if (hv_console_open(conn, name, &con, &cause) < 0)
		fail_msg("%s", cause);
	pfd.fd = hv_console_fd(con);
	pfd.events = POLLIN;
	assert_true(pfd.fd >= 0);
	assert_true(poll(&pfd, 1, 1000) >= 0);
	assert_int_equal(pfd.revents & POLLNVAL, 0);
	assert_int_equal(hv_console_write(con, "\r", 1), 1);
	r = hv_console_read(con, buf, sizeof(buf));
	assert_true(r >= 0);

	assert_int_equal(hv_events_start(conn, &cause), 0);
	while (hv_events_changed(conn))
		;
	assert_int_equal(hv_destroy(conn, name, &cause), 0);
	bool seen = false;

	for (int i = 0; i < 100 && !seen; i++) {
		seen = hv_events_changed(conn);
		if (!seen)
			sleep_ms(50);
	}
	assert_true(seen);

	/* The guest went away: the console ends with -EPIPE, after whatever was still buffered. */
	for (int i = 0; i < 100 && !got_eof; i++) {
		pfd.revents = 0;
		assert_true(poll(&pfd, 1, 100) >= 0);
		r = hv_console_read(con, buf, sizeof(buf));
		assert_true(r >= 0 || r == -EPIPE);
		got_eof = r == -EPIPE;
	}
	assert_true(got_eof);
	assert_int_equal(hv_console_write(con, "x", 1), -EPIPE);
	hv_console_close(con);

	assert_int_equal(hv_vnc_info(conn, name, &vi, &cause), 0);
	assert_int_equal(vi.port, -1);
	assert_int_equal(hv_undefine(conn, name, true, &cause), 0);
	assert_int_equal(hv_start(conn, name, NULL), -ENOENT);
	hv_guest_clear(&g);
	free(cause);
}

/* A guest started without a VNC password gets a clear refusal, not QEMU's terse error. */
static void test_vnc_without_password(void **state)
{
	struct hv_guest g;
	char *cause = NULL;

	if (!conn)
		skip();
	hv_guest_init(&g);
	g.name = strdup(name);
	g.memory_kib = 128 * 1024;
	g.serial = false;
	if (hv_define(conn, &g, &cause) < 0 || hv_start(conn, name, &cause) < 0)
		fail_msg("%s", cause);
	assert_int_equal(hv_vnc_set_password(conn, name, "onetime", time(NULL) + 60, &cause),
			 -ENOTSUP);
	assert_non_null(strstr(cause, name));
	/* Without a serial port there is no console to attach to. */
	struct hv_console *con = NULL;

	assert_true(hv_console_open(conn, name, &con, &cause) < 0);
	assert_null(con);
	assert_int_equal(hv_destroy(conn, name, &cause), 0);
	assert_int_equal(hv_undefine(conn, name, false, &cause), 0);
	hv_guest_clear(&g);
	free(cause);
}

/* A real kernel on the serial console: its messages come through the socket, then end-of-file when it stops. */
static void test_console_kernel(void **state)
{
	const char *kernel = getenv("OSPITE_TEST_KERNEL");
	struct hv_console *con = NULL;
	struct hv_guest g;
	struct pollfd pfd;
	char *cause = NULL, buf[4096], tail[256] = "";
	bool banner = false, eof = false;
	size_t total = 0;
	ssize_t r;

	if (!conn || !kernel)
		skip();
	hv_guest_init(&g);
	g.name = strdup(name);
	g.memory_kib = 256 * 1024;
	g.vnc = false;
	g.kernel = strdup(kernel);
	/* No root file system: the kernel panics, panic=-1 reboots, and a reboot ends the guest. */
	g.cmdline = strdup("console=ttyS0 panic=-1");
	g.on_reboot = HV_LC_DESTROY;
	if (hv_define(conn, &g, &cause) < 0 || hv_start(conn, name, &cause) < 0 ||
	    hv_console_open(conn, name, &con, &cause) < 0)
		fail_msg("%s", cause);
	pfd.fd = hv_console_fd(con);
	pfd.events = POLLIN;
	for (int waited = 0; !eof && waited < 240000; ) {
		int p = poll(&pfd, 1, 1000);

		assert_true(p >= 0);
		if (p == 0) {
			waited += 1000;
			continue;
		}
		r = hv_console_read(con, buf, sizeof(buf) - 1);
		if (r == -EPIPE) {
			eof = true;
			break;
		}
		assert_true(r >= 0);
		buf[r] = '\0';
		total += r;
		/* The banner may straddle two reads: look at the joint too. */
		char joint[sizeof(tail) + sizeof(buf)];

		snprintf(joint, sizeof(joint), "%s%s", tail, buf);
		banner = banner || strstr(joint, "Linux version") != NULL;
		size_t jl = strlen(joint);

		snprintf(tail, sizeof(tail), "%s", joint + (jl > 64 ? jl - 64 : 0));
	}
	hv_console_close(con);
	if (!banner)
		fail_msg("no kernel banner in %zu bytes of console output", total);
	assert_true(eof);
	assert_true(total > 1000);
	/* The console may end a moment before libvirt has the guest marked off. */
	for (int i = 0; i < 100; i++) {
		struct hv_dom_stat *s = NULL;
		size_t n = 0;
		const struct hv_dom_stat *d = stat_of(&s, &n);
		bool off = d && d->state == HV_STATE_SHUTOFF;

		free(s);
		if (off)
			break;
		sleep_ms(100);
	}
	assert_int_equal(hv_undefine(conn, name, false, &cause), 0);
	hv_guest_clear(&g);
	free(cause);
}

/* Console output of the guest until @needle shows (0) or @ms pass (-ETIMEDOUT); its line goes to @line. */
static int wait_for(struct hv_console *con, char *acc, size_t cap, size_t *len, const char *needle,
		    char *line, size_t linelen, int ms)
{
	struct pollfd pfd = { hv_console_fd(con), POLLIN, 0 };

	for (int waited = 0; waited < ms;) {
		char *hit = strstr(acc, needle), *end;

		if (hit && (end = strchr(hit, '\n'))) {
			/* A serial line ends in CR LF. */
			int ll = (int)(end - hit);

			while (ll > 0 && hit[ll - 1] == '\r')
				ll--;
			snprintf(line, linelen, "%.*s", ll, hit);
			/* Later waits look past this line only. */
			memmove(acc, end + 1, strlen(end + 1) + 1);
			*len = strlen(acc);
			return 0;
		}
		int p = poll(&pfd, 1, 1000);

		if (p <= 0) {
			waited += 1000;
			continue;
		}
		ssize_t r = hv_console_read(con, acc + *len, cap - *len - 1);

		if (r < 0)
			return (int)r;
		*len += (size_t)r;
		acc[*len] = '\0';
		/* Keep the newest half when full: the markers are short lines. */
		if (*len > cap - 4096) {
			memmove(acc, acc + *len / 2, *len - *len / 2 + 1);
			*len -= *len / 2;
		}
	}
	return -ETIMEDOUT;
}

/* Boot the guest, read what its /init prints: MemTotal (KiB) and the first bytes of vda, wait for its write, force it off. */
static void boot_and_read(uint64_t *mem_kib, char *vda, size_t vlen)
{
	struct hv_console *con = NULL;
	size_t cap = 1 << 16, len = 0;
	char *acc = calloc(1, cap), line[256], *cause = NULL;

	assert_non_null(acc);
	if (hv_start(conn, name, &cause) < 0 || hv_console_open(conn, name, &con, &cause) < 0)
		fail_msg("%s", cause);
	if (wait_for(con, acc, cap, &len, "OSPITE-MEM", line, sizeof(line), 240000) < 0)
		fail_msg("the guest printed no memory line: %s", acc);
	assert_int_equal(sscanf(line, "OSPITE-MEM MemTotal: %" SCNu64, mem_kib), 1);
	if (wait_for(con, acc, cap, &len, "OSPITE-VDA", line, sizeof(line), 60000) < 0)
		fail_msg("the guest printed no vda line: %s", acc);
	snprintf(vda, vlen, "%s", line + strlen("OSPITE-VDA "));
	if (wait_for(con, acc, cap, &len, "OSPITE-WROTE", line, sizeof(line), 60000) < 0)
		fail_msg("the guest did not write to vda: %s", acc);
	/* Read back past the guest's page cache: the new bytes reached the disk. */
	assert_string_equal(line, "OSPITE-WROTE AFTER___.");
	hv_console_close(con);
	assert_int_equal(hv_destroy(conn, name, &cause), 0);
	free(acc);
}

/*
 * A TCG guest on qcow2: a snapshot taken, the guest overwrites its disk, the snapshot reverted gives
 * the old bytes back; then memory and a new disk are added by an edit and the guest sees both.
 */
static void test_edit_and_snapshot(void **state)
{
	const char *kernel = getenv("OSPITE_TEST_KERNEL"), *initrd = getenv("OSPITE_TEST_INITRD");
	const char *pool = getenv("OSPITE_TEST_POOL");
	struct hv_guest g, *old = NULL, *ed;
	struct hv_edit_facts f;
	struct hv_change *ch = NULL;
	struct hv_snap *snaps = NULL;
	struct hv_disk *d;
	char *cause = NULL, path[512], cmd[1024], digest[65], vda[64], pool_name[96];
	uint64_t mem1 = 0, mem2 = 0;
	size_t n = 0;

	if (!conn || !kernel || !initrd || !pool)
		skip();
	snprintf(pool_name, sizeof(pool_name), "%s-pool", name);
	if (hv_pool_ensure(conn, pool_name, pool, &cause) < 0)
		fail_msg("%s", cause);
	hv_guest_init(&g);
	g.name = strdup(name);
	g.memory_kib = 128 * 1024;
	g.vnc = false;
	g.kernel = strdup(kernel);
	g.initrd = strdup(initrd);
	g.cmdline = strdup("console=ttyS0 quiet panic=-1");
	d = hv_guest_add_disk(&g);
	d->kind = HV_DISK_NEW_QCOW2;
	snprintf(path, sizeof(path), "%s/%s.qcow2", pool, name);
	d->path = strdup(path);
	d->size = 64ULL << 20;
	if (hv_define(conn, &g, &cause) < 0)
		fail_msg("%s", cause);
	/* What the disk holds before the snapshot. */
	snprintf(cmd, sizeof(cmd), "qemu-io -f qcow2 -c 'write -P 0x42 0 8' '%s' >/dev/null", path);
	assert_int_equal(system(cmd), 0);

	assert_int_equal(hv_snap_supported(conn, name, &cause), 0);
	if (hv_snap_create(conn, name, "before", &cause) < 0)
		fail_msg("%s", cause);
	assert_int_equal(hv_snap_list(conn, name, &snaps, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_string_equal(snaps[0].name, "before");
	assert_false(snaps[0].running);
	free(snaps);

	/* First boot: the guest reads the old bytes and overwrites them. */
	boot_and_read(&mem1, vda, sizeof(vda));
	assert_string_equal(vda, "BBBBBBBB.");

	/* Back to the snapshot: the bytes of before come back. */
	if (hv_snap_revert(conn, name, "before", &cause) < 0)
		fail_msg("%s", cause);

	/* The edit: more memory and a new raw disk of 32 MiB in the pool, for the next start. */
	assert_int_equal(hv_digest(conn, name, digest, &cause), 0);
	assert_int_equal(hv_get(conn, name, &old, &cause), 0);
	assert_int_equal(hv_edit_facts(conn, name, &f, &cause), 0);
	ed = hv_guest_copy(old);
	ed->memory_kib = 224 * 1024;
	d = hv_guest_add_disk(ed);
	d->kind = HV_DISK_NEW_RAW;
	snprintf(path, sizeof(path), "%s/%s-disk2.img", pool, name);
	d->path = strdup(path);
	d->size = 32ULL << 20;
	assert_int_equal(hv_edit_diff(old, ed, &f, &ch, &n, &cause), 0);
	assert_int_equal(n, 2);
	if (hv_edit_apply(conn, name, digest, 0, ed, ch, n, &cause) < 0)
		fail_msg("%s", cause);
	free(ch);
	/* A raw disk now: no more snapshots, and the reason names it. */
	assert_int_equal(hv_snap_supported(conn, name, &cause), -ENOTSUP);
	assert_non_null(strstr(cause, "raw"));
	free(cause);
	cause = NULL;

	/* Second boot: the snapshot's bytes, the new memory and the new disk. */
	{
		struct hv_console *con = NULL;
		size_t cap = 1 << 16, len = 0;
		char *acc = calloc(1, cap), line[256];

		assert_non_null(acc);
		if (hv_start(conn, name, &cause) < 0 || hv_console_open(conn, name, &con, &cause) < 0)
			fail_msg("%s", cause);
		if (wait_for(con, acc, cap, &len, "OSPITE-MEM", line, sizeof(line), 240000) < 0)
			fail_msg("no memory line: %s", acc);
		assert_int_equal(sscanf(line, "OSPITE-MEM MemTotal: %" SCNu64, &mem2), 1);
		if (wait_for(con, acc, cap, &len, "OSPITE-DISK vdb", line, sizeof(line), 60000) < 0)
			fail_msg("the guest does not see the new disk: %s", acc);
		/* 32 MiB in 512-byte sectors. */
		assert_string_equal(line, "OSPITE-DISK vdb 65536");
		if (wait_for(con, acc, cap, &len, "OSPITE-VDA", line, sizeof(line), 60000) < 0)
			fail_msg("no vda line: %s", acc);
		assert_string_equal(line, "OSPITE-VDA BBBBBBBB.");
		hv_console_close(con);
		free(acc);
		assert_int_equal(hv_destroy(conn, name, &cause), 0);
	}
	/* The kernel keeps some memory for itself: compare what it reports, 96 MiB more. */
	if (mem2 < mem1 + 80 * 1024)
		fail_msg("the guest reports %" PRIu64 " KiB after the edit, %" PRIu64 " KiB before", mem2, mem1);

	if (hv_snap_delete(conn, name, "before", &cause) < 0)
		fail_msg("%s", cause);
	assert_int_equal(hv_snap_list(conn, name, &snaps, &n, &cause), 0);
	assert_int_equal(n, 0);
	free(snaps);
	assert_int_equal(hv_undefine(conn, name, true, &cause), 0);
	hv_guest_free(old);
	hv_guest_free(ed);
	hv_guest_clear(&g);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_guest),
		cmocka_unit_test(test_vnc_without_password),
		cmocka_unit_test(test_console_kernel),
		cmocka_unit_test(test_edit_and_snapshot),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
