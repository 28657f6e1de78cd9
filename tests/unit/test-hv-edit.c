/* Unit tests for hv/hv-net.c and hv/hv-edit.c on libvirt's test driver: guests' ports, the digest of a definition, the changes between two models, and their application saved only over the definition that was read. */
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

/* A shut-off guest with one raw disk, one CD drive and one card, as hv_get() returns it. */
static struct hv_guest *model(void)
{
	struct hv_guest *g = calloc(1, sizeof(*g));
	struct hv_disk *d;
	struct hv_nic *n;

	hv_guest_init(g);
	g->name = strdup("m1");
	g->memory_kib = 512 * 1024;
	g->vcpus = 1;
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_FILE;
	d->path = strdup("/p/m1.img");
	d->format = strdup("raw");
	d->target = strdup("vda");
	d->size = 1ULL << 30;
	d = hv_guest_add_disk(g);
	d->kind = HV_DISK_CDROM;
	d->target = strdup("sda");
	n = hv_guest_add_nic(g);
	n->bridge = strdup("br0");
	snprintf(n->mac, sizeof(n->mac), "52:54:00:00:00:01");
	return g;
}

static size_t count(const struct hv_change *c, size_t n, enum hv_change_kind k)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		m += c[i].kind == k;
	return m;
}

static const struct hv_change *find(const struct hv_change *c, size_t n, enum hv_change_kind k)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == k)
			return &c[i];
	return NULL;
}

static void test_diff_none(void **state)
{
	struct hv_guest *a = model(), *b = hv_guest_copy(a);
	struct hv_edit_facts f = { false, 0 };
	struct hv_change *c = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(hv_edit_diff(a, b, &f, &c, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(c);
	hv_guest_free(a);
	hv_guest_free(b);
}

static void test_diff_running(void **state)
{
	struct hv_guest *a = model(), *b = hv_guest_copy(a);
	struct hv_edit_facts f = { true, 1024 * 1024 };
	struct hv_change *c = NULL;
	const struct hv_change *x;
	struct hv_disk *d;
	struct hv_nic *nic;
	size_t n = 0;

	(void)state;
	/* Within the running guest's ceiling memory changes at once; vCPUs at the next start. */
	b->memory_kib = 768 * 1024;
	b->vcpus = 2;
	b->autostart = true;
	b->disks[0].size = 2ULL << 30;
	b->disks[1].path = strdup("/p/cd.iso");
	d = hv_guest_add_disk(b);
	d->kind = HV_DISK_NEW_QCOW2;
	d->path = strdup("/p/m1-disk2.qcow2");
	d->size = 64ULL << 20;
	nic = hv_guest_add_nic(b);
	nic->bridge = strdup("br1");
	snprintf(nic->mac, sizeof(nic->mac), "52:54:00:00:00:02");
	free(b->nics[0].bridge);
	b->nics[0].bridge = strdup("br1");
	b->boot[0] = HV_BOOT_CDROM;
	b->boot[1] = HV_BOOT_HD;
	assert_int_equal(hv_edit_diff(a, b, &f, &c, &n, NULL), 0);
	assert_int_equal(n, 9);
	x = find(c, n, HV_CH_MEMORY);
	assert_int_equal(x->when, HV_WHEN_NOW);
	assert_int_equal(x->from, 512 * 1024);
	assert_int_equal(x->to, 768 * 1024);
	assert_int_equal(find(c, n, HV_CH_VCPUS)->when, HV_WHEN_NEXT_START);
	assert_int_equal(find(c, n, HV_CH_AUTOSTART)->when, HV_WHEN_NOW);
	assert_int_equal(find(c, n, HV_CH_BOOT)->when, HV_WHEN_NEXT_START);
	x = find(c, n, HV_CH_DISK_RESIZE);
	assert_int_equal(x->when, HV_WHEN_NOW);
	assert_int_equal(x->to, 2ULL << 30);
	x = find(c, n, HV_CH_CD_INSERT);
	assert_int_equal(x->when, HV_WHEN_NOW);
	assert_string_equal(x->disk->path, "/p/cd.iso");
	x = find(c, n, HV_CH_DISK_ADD);
	assert_int_equal(x->when, HV_WHEN_NEXT_START);
	assert_string_equal(x->disk->path, "/p/m1-disk2.qcow2");
	x = find(c, n, HV_CH_NIC_BRIDGE);
	assert_string_equal(x->nic_before->bridge, "br0");
	assert_string_equal(x->nic->bridge, "br1");
	assert_int_equal(count(c, n, HV_CH_NIC_ADD), 1);
	free(c);
	/* Above the ceiling memory waits for the next start. */
	b->memory_kib = 2048 * 1024;
	assert_int_equal(hv_edit_diff(a, b, &f, &c, &n, NULL), 0);
	assert_int_equal(find(c, n, HV_CH_MEMORY)->when, HV_WHEN_NEXT_START);
	free(c);
	hv_guest_free(a);
	hv_guest_free(b);
}

static void test_diff_remove_and_refuse(void **state)
{
	struct hv_guest *a = model(), *b = hv_guest_copy(a);
	struct hv_edit_facts f = { false, 0 };
	struct hv_change *c = NULL;
	char *cause = NULL;
	size_t n = 0;

	(void)state;
	/* Shut off: a CD change waits for the start too; removals are by target and MAC. */
	free(b->disks[0].path);
	b->disks[0].path = NULL;
	free(b->disks[0].target);
	free(b->disks[0].format);
	b->disks[0] = b->disks[1];
	b->n_disks = 1;
	b->disks[0].path = strdup("/p/cd.iso");
	free(b->nics[0].bridge);
	b->n_nics = 0;
	assert_int_equal(hv_edit_diff(a, b, &f, &c, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(find(c, n, HV_CH_DISK_REMOVE)->disk->target, "vda");
	assert_int_equal(find(c, n, HV_CH_CD_INSERT)->when, HV_WHEN_NEXT_START);
	assert_string_equal(find(c, n, HV_CH_NIC_REMOVE)->nic->mac, "52:54:00:00:00:01");
	free(c);
	hv_guest_free(b);
	/* A disk never shrinks. */
	b = hv_guest_copy(a);
	b->disks[0].size = 1ULL << 29;
	assert_int_equal(hv_edit_diff(a, b, &f, &c, &n, &cause), -EINVAL);
	assert_non_null(strstr(cause, "cannot shrink"));
	assert_null(c);
	free(cause);
	hv_guest_free(a);
	hv_guest_free(b);
}

/* Applied on the test driver: memory, vCPUs, a removed card, a new card and boot order saved. */
static void test_apply(void **state)
{
	struct hv_guest *a = NULL, *b, *g = NULL;
	struct hv_edit_facts f;
	struct hv_change *c = NULL;
	struct hv_nic *nic;
	char d1[65], d2[65], *cause = NULL;
	size_t n = 0;

	(void)state;
	/* The digest: SHA-256 in hex, the same for two reads of an unchanged definition. */
	assert_int_equal(hv_digest(conn, "edit1", d1, &cause), 0);
	assert_int_equal(strlen(d1), 64);
	assert_int_equal(hv_digest(conn, "edit1", d2, &cause), 0);
	assert_string_equal(d1, d2);
	assert_int_equal(hv_get(conn, "edit1", &a, &cause), 0);
	assert_int_equal(hv_edit_facts(conn, "edit1", &f, &cause), 0);
	assert_false(f.running);
	b = hv_guest_copy(a);
	b->memory_kib = 640 * 1024;
	b->vcpus = 3;
	b->boot[0] = HV_BOOT_NETWORK;
	b->boot[1] = HV_BOOT_HD;
	b->boot[2] = HV_BOOT_NONE;
	nic = hv_guest_add_nic(b);
	nic->bridge = strdup("br7");
	nic->model = strdup("e1000");
	snprintf(nic->mac, sizeof(nic->mac), "52:54:00:13:00:07");
	assert_int_equal(hv_edit_diff(a, b, &f, &c, &n, &cause), 0);
	assert_int_equal(n, 4);
	assert_int_equal(hv_edit_apply(conn, "edit1", d1, 0, b, c, n, &cause), 0);
	assert_int_equal(hv_get(conn, "edit1", &g, &cause), 0);
	assert_int_equal(g->memory_kib, 640 * 1024);
	assert_int_equal(g->vcpus, 3);
	assert_int_equal(g->boot[0], HV_BOOT_NETWORK);
	assert_int_equal(g->boot[1], HV_BOOT_HD);
	assert_int_equal(g->n_nics, a->n_nics + 1);
	assert_string_equal(g->nics[g->n_nics - 1].bridge, "br7");
	assert_string_equal(g->nics[g->n_nics - 1].model, "e1000");
	hv_guest_free(g);
	/* The same plan over the digest read before: refused, nothing saved twice. */
	assert_int_equal(hv_digest(conn, "edit1", d2, &cause), 0);
	assert_string_not_equal(d1, d2);
	assert_int_equal(hv_edit_apply(conn, "edit1", d1, 0, b, c, n, &cause), -ESTALE);
	assert_non_null(strstr(cause, "changed since it was read"));
	free(cause);
	free(c);
	hv_guest_free(a);
	hv_guest_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_diff_none),
		cmocka_unit_test(test_diff_running),
		cmocka_unit_test(test_diff_remove_and_refuse),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
