/* Unit tests for the guest list: CPU use between samples, row texts in columns, what changed, host bridges and addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/tui.h"
#include "vmconsole/vc.h"

static struct hv_dom_stat *sample(size_t n, const char *const *names, const enum hv_state *st,
				  const uint64_t *cpu_ns)
{
	struct hv_dom_stat *v = calloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", names[i]);
		snprintf(v[i].uuid, sizeof(v[i].uuid), "00000000-0000-0000-0000-00000000000%zu", i);
		v[i].state = st[i];
		v[i].vcpus = 2;
		v[i].memory_kib = 1024 * 1024;
		v[i].cpu_time_ns = cpu_ns[i];
	}
	return v;
}

static void test_model_cpu(void **state)
{
	const char *names[] = { "a", "b" };
	const enum hv_state st[] = { HV_STATE_RUNNING, HV_STATE_SHUTOFF };
	const uint64_t t0[] = { 1000000000ULL, 0 }, t1[] = { 2000000000ULL, 0 };
	struct vc_model m;

	memset(&m, 0, sizeof(m));
	vc_model_update(&m, sample(2, names, st, t0), 2, 10000000000ULL);
	assert_int_equal(m.nrows, 2);
	assert_int_equal(m.running, 1);
	/* One sample tells nothing about CPU use. */
	assert_true(m.rows[0].cpu < 0);
	assert_true(m.rows[1].cpu < 0);
	/* One second of CPU in one second of wall time on 2 vCPUs: half of the guest. */
	vc_model_update(&m, sample(2, names, st, t1), 2, 11000000000ULL);
	assert_true(m.rows[0].cpu > 49.9 && m.rows[0].cpu < 50.1);
	assert_true(m.rows[1].cpu < 0);
	/* A new guest before "a" in name order, and "a" made again under its name: no CPU use yet. */
	{
		const char *n3[] = { "0new", "a", "b" };
		const enum hv_state s3[] = { HV_STATE_RUNNING, HV_STATE_RUNNING, HV_STATE_SHUTOFF };
		const uint64_t t3[] = { 5, 3000000000ULL, 0 };
		struct hv_dom_stat *v = sample(3, n3, s3, t3);

		snprintf(v[1].uuid, sizeof(v[1].uuid), "11111111-0000-0000-0000-000000000000");
		snprintf(v[2].uuid, sizeof(v[2].uuid), "00000000-0000-0000-0000-000000000001");
		vc_model_update(&m, v, 3, 12000000000ULL);
		assert_true(m.rows[0].cpu < 0);
		assert_true(m.rows[1].cpu < 0);
		assert_int_equal(m.running, 2);
	}
	assert_non_null(vc_model_find(&m, "b"));
	assert_null(vc_model_find(&m, "c"));
	assert_int_equal(m.generation, 3);
	vc_model_clear(&m);
}

static void test_formats(void **state)
{
	char buf[32];
	struct vc_row r;
	char *row, *head;

	vc_fmt_mem(512 * 1024, buf, sizeof(buf));
	assert_string_equal(buf, "512 MiB");
	vc_fmt_mem(2 * 1024 * 1024, buf, sizeof(buf));
	assert_string_equal(buf, "2.0 GiB");
	vc_fmt_cpu(-1, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	vc_fmt_cpu(12.34, buf, sizeof(buf));
	assert_string_equal(buf, "12.3%");

	memset(&r, 0, sizeof(r));
	/* Accented letters take one column each: the columns still line up. */
	snprintf(r.name, sizeof(r.name), "città");
	r.state = HV_STATE_RUNNING;
	r.vcpus = 4;
	r.memory_kib = 4 * 1024 * 1024;
	r.cpu = 3.5;
	row = vc_row_text(&r);
	head = vc_list_header();
	assert_int_equal(tui_width(row), tui_width(head));
	assert_int_equal(tui_width(row),
			 VC_COL_NAME + 1 + VC_COL_STATE + 1 + VC_COL_VCPUS + 1 + VC_COL_MEM + 1 +
			 VC_COL_CPU);
	assert_true(!strncmp(row, "città ", strlen("città ")));
	assert_non_null(strstr(row, "    4"));
	assert_non_null(strstr(row, "4.0 GiB"));
	assert_non_null(strstr(row, "3.5%"));
	free(row);
	/* A long name is cut to its column, not pushed into the next. */
	memset(r.name, 'x', 100);
	r.name[100] = '\0';
	row = vc_row_text(&r);
	assert_int_equal(tui_width(row), tui_width(head));
	free(row);
	free(head);
}

static void test_diff(void **state)
{
	const char *k1[] = { "a", "b" }, *r1[] = { "a 1", "b 1" };
	const char *r2[] = { "a 1", "b 2" };
	const char *k3[] = { "a", "c" }, *k4[] = { "b", "a" }, *k5[] = { "a" };
	bool changed[2];

	assert_int_equal(vc_list_diff(k1, r1, 2, k1, r1, 2, changed), VC_DIFF_NONE);
	assert_int_equal(vc_list_diff(k1, r1, 2, k1, r2, 2, changed), VC_DIFF_ROWS);
	assert_false(changed[0]);
	assert_true(changed[1]);
	assert_int_equal(vc_list_diff(k1, r1, 2, k3, r1, 2, changed), VC_DIFF_ALL);
	assert_int_equal(vc_list_diff(k1, r1, 2, k4, r1, 2, changed), VC_DIFF_ALL);
	assert_int_equal(vc_list_diff(k1, r1, 2, k5, r1, 1, changed), VC_DIFF_ALL);
	assert_int_equal(vc_list_diff(NULL, NULL, 0, NULL, NULL, 0, changed), VC_DIFF_NONE);
}

static void test_bridges(void **state)
{
	char dir[] = "/tmp/ospite-vc-list.XXXXXX", path[256];
	char **names = NULL;
	size_t n = 0;
	const char *mk[] = { "xenbr1/bridge", "eth0", "xenbr0/bridge", "veth/brport" };

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 4; i++) {
		char *slash;

		snprintf(path, sizeof(path), "%s/%s", dir, mk[i]);
		slash = strchr(path + strlen(dir) + 1, '/');
		if (slash) {
			*slash = '\0';
			assert_int_equal(mkdir(path, 0755), 0);
			*slash = '/';
		}
		assert_int_equal(mkdir(path, 0755), 0);
	}
	assert_int_equal(vc_bridges(dir, &names, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "xenbr0");
	assert_string_equal(names[1], "xenbr1");
	vc_strv_free(names, n);
	for (size_t i = 0; i < 4; i++) {
		char *slash;

		snprintf(path, sizeof(path), "%s/%s", dir, mk[i]);
		rmdir(path);
		slash = strchr(path + strlen(dir) + 1, '/');
		if (slash) {
			*slash = '\0';
			rmdir(path);
		}
	}
	assert_int_equal(rmdir(dir), 0);
	assert_true(vc_bridges("/nonexistent-ospite", &names, &n, NULL) < 0);
}

static void test_addresses(void **state)
{
	char **lines = NULL;
	size_t n = 0;

	assert_int_equal(vc_addresses(&lines, &n, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(strncmp(lines[i], "lo ", 3) != 0);
		assert_null(strstr(lines[i], " fe80:"));
		assert_non_null(strchr(lines[i], '/'));
	}
	vc_strv_free(lines, n);
}

/* The list's address column: IPv4 first, "+N" for the others, a long address cut visibly. */
static void test_addr_cell(void **state)
{
	char *one[] = { "192.0.2.7" };
	char *mixed[] = { "2001:db8::7", "192.0.2.7", "198.51.100.1" };
	char *v6[] = { "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff" };
	char *c;

	c = vc_addr_cell(one, 1, 18, "..");
	assert_string_equal(c, "192.0.2.7");
	free(c);
	c = vc_addr_cell(mixed, 3, 18, "..");
	assert_string_equal(c, "192.0.2.7 +2");
	free(c);
	c = vc_addr_cell(v6, 1, 18, "..");
	assert_string_equal(c, "2001:db8:aaaa:bb..");
	assert_int_equal(tui_width(c), 18);
	free(c);
	c = vc_addr_cell(v6, 1, 42, "..");
	assert_string_equal(c, v6[0]);
	free(c);
	c = vc_addr_cell(NULL, 0, 18, "..");
	assert_string_equal(c, "");
	free(c);
	c = vc_addr_join(mixed, 3);
	assert_string_equal(c, "2001:db8::7, 192.0.2.7, 198.51.100.1");
	free(c);
	assert_null(vc_addr_join(NULL, 0));
}

/* The model over the real test driver, whose "test" guest runs. */
static void test_model_test_driver(void **state)
{
	struct hv_conn *conn = NULL;
	struct hv_dom_stat *st = NULL;
	struct vc_model m;
	const struct vc_row *r;
	size_t n = 0;

	memset(&m, 0, sizeof(m));
	assert_int_equal(hv_open("test:///default", &conn, NULL), 0);
	assert_int_equal(hv_list(conn, &st, &n, NULL), 0);
	vc_model_update(&m, st, n, 1000000000ULL);
	r = vc_model_find(&m, "test");
	assert_non_null(r);
	assert_int_equal(r->state, HV_STATE_RUNNING);
	assert_int_equal(r->vcpus, 2);
	assert_int_equal(m.running, 1);
	vc_model_clear(&m);
	hv_close(conn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_cpu),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_bridges),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_addr_cell),
		cmocka_unit_test(test_model_test_driver),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
