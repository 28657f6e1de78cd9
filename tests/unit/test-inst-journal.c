/* Unit tests of the install journal: what a re-run reads back decides whether it may resume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "install/inst-journal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[PATH_MAX];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ospite-journal.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };

	return hcfg_run(argv, -1, NULL) == 0 ? 0 : -1;
}

static void test_round_trip(void **state)
{
	unsigned done = 0;
	char *cause = NULL;
	unsigned want = 1u << INST_STEP_FORMAT | 1u << INST_STEP_BASE | 1u << INST_STEP_PACKAGES;

	assert_int_equal(inst_journal_read(dir, 42, &done), -ENOENT);
	assert_int_equal(inst_journal_write(dir, 0xabcdef0123456789ULL, want, &cause), 0);
	assert_int_equal(inst_journal_read(dir, 0xabcdef0123456789ULL, &done), 0);
	assert_int_equal(done, want);
	/* Another plan's journal is not this one's. */
	assert_int_equal(inst_journal_read(dir, 0xabcdef0123456788ULL, &done), -ESTALE);
	assert_int_equal(done, 0);
}

static void test_damaged(void **state)
{
	char path[PATH_MAX];
	unsigned done = 7;
	static const char *const bad[] = {
		"done format\n",                        /* no plan line */
		"plan 00000000000000ff\ndone nothing\n",  /* unknown step */
		"plan 00000000000000ff\ngarbage\n",
	};

	snprintf(path, sizeof(path), "%s%s", dir, INST_JOURNAL_PATH);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hcfg_write_file(path, bad[i], 0600, NULL), 0);
		assert_int_equal(inst_journal_read(dir, 0xff, &done), -EINVAL);
		assert_int_equal(done, 0);
	}
	assert_int_equal(hcfg_write_file(path, "# comment\nplan 00000000000000ff\ndone base\n", 0600,
					 NULL), 0);
	assert_int_equal(inst_journal_read(dir, 0xff, &done), 0);
	assert_int_equal(done, 1u << INST_STEP_BASE);
}

static void test_fingerprint(void **state)
{
	struct inst_plan a, b;

	inst_plan_init(&a);
	inst_plan_init(&b);
	INST_COPY(a.hostname, "alpha");
	INST_COPY(b.hostname, "alpha");
	INST_COPY(a.disk, "/dev/loop3");
	INST_COPY(b.disk, "/dev/loop7");
	/* The same image on another loop device is the same plan. */
	assert_true(inst_plan_fingerprint(&a) == inst_plan_fingerprint(&b));
	INST_COPY(b.hostname, "beta");
	assert_true(inst_plan_fingerprint(&a) != inst_plan_fingerprint(&b));
	INST_COPY(b.hostname, "alpha");
	b.hv = INST_HV_KVM;
	assert_true(inst_plan_fingerprint(&a) != inst_plan_fingerprint(&b));
	assert_string_equal(inst_journal_word(INST_STEP_PACKAGES), "packages");
	inst_plan_free(&a);
	inst_plan_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_fingerprint),
	};

	return cmocka_run_group_tests_name("inst-journal", tests, setup, teardown);
}
