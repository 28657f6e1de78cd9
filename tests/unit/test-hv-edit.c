/* Unit tests for hv/hv-net.c on libvirt's test driver: guests' ports, the digest of a definition, an edit saved only over what was read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"

static struct hv_conn *conn;

static int setup(void **state)
{
	char *cause = NULL;
	struct hv_guest g;

	(void)state;
	if (hv_open("test:///default", &conn, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	hv_guest_init(&g);
	g.name = strdup("edit1");
	g.memory_kib = 256 * 1024;
	g.vcpus = 1;
	g.vnc = false;
	g.serial = false;
	hv_guest_add_nic(&g)->bridge = strdup("br0");
	snprintf(g.nics[0].mac, sizeof(g.nics[0].mac), "52:54:00:13:00:01");
	if (hv_define(conn, &g, &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		hv_guest_clear(&g);
		return -1;
	}
	hv_guest_clear(&g);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hv_close(conn);
	return 0;
}

static void test_ports(void **state)
{
	struct hv_port *p = NULL;
	size_t n = 0;
	char *cause = NULL;
	bool found = false;

	(void)state;
	assert_int_equal(hv_guest_ports(conn, &p, &n, &cause), 0);
	/* The test driver's running guest has one card, testnet0, on a network (no bridge). */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].dev, "testnet0")) {
			assert_string_equal(p[i].guest, "test");
			assert_string_equal(p[i].mac, "aa:bb:cc:dd:ee:ff");
			found = true;
		}
	assert_true(found);
	hv_ports_free(p);
}

static void test_edit(void **state)
{
	struct hv_nic_bridge nic = { "52:54:00:13:00:01", "xenbr1" };
	struct hv_guest_edit e = { 512 * 1024, 2, &nic, 1 };
	struct hv_guest *g = NULL;
	char d1[65], d2[65], *cause = NULL;

	(void)state;
	assert_int_equal(hv_digest(conn, "edit1", d1, &cause), 0);
	assert_int_equal(strlen(d1), 64);
	assert_int_equal(hv_digest(conn, "edit1", d2, &cause), 0);
	assert_string_equal(d1, d2);
	assert_int_equal(hv_guest_edit(conn, "edit1", &e, d1, &cause), 0);
	assert_int_equal(hv_get(conn, "edit1", &g, &cause), 0);
	assert_int_equal(g->memory_kib, 512 * 1024);
	assert_int_equal(g->vcpus, 2);
	assert_string_equal(g->nics[0].bridge, "xenbr1");
	hv_guest_free(g);
	/* The definition changed: the old digest no longer saves. */
	assert_int_equal(hv_digest(conn, "edit1", d2, &cause), 0);
	assert_string_not_equal(d1, d2);
	e.memory_kib = 384 * 1024;
	assert_int_equal(hv_guest_edit(conn, "edit1", &e, d1, &cause), -ESTALE);
	assert_non_null(strstr(cause, "changed since it was read"));
	free(cause);
	cause = NULL;
	assert_int_equal(hv_get(conn, "edit1", &g, &cause), 0);
	assert_int_equal(g->memory_kib, 512 * 1024);
	hv_guest_free(g);
	/* Without a digest (the operator chose to overwrite) it saves. */
	assert_int_equal(hv_guest_edit(conn, "edit1", &e, NULL, &cause), 0);
	assert_int_equal(hv_get(conn, "edit1", &g, &cause), 0);
	assert_int_equal(g->memory_kib, 384 * 1024);
	hv_guest_free(g);
	/* A card that is not there is an error, and nothing is saved. */
	snprintf(nic.mac, sizeof(nic.mac), "52:54:00:99:99:99");
	assert_int_equal(hv_guest_edit(conn, "edit1", &e, NULL, &cause), -ENOENT);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_edit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
