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
	unsigned done = 0, started = 0;
	char *cause = NULL;
	unsigned want = 1u << INST_STEP_FORMAT | 1u << INST_STEP_BASE | 1u << INST_STEP_PACKAGES;
	unsigned begun = want | 1u << INST_STEP_POST;

	assert_int_equal(inst_journal_read(dir, 42, &done, &started), -ENOENT);
	assert_int_equal(inst_journal_write(dir, 0xabcdef0123456789ULL, want, begun, &cause), 0);
	assert_int_equal(inst_journal_read(dir, 0xabcdef0123456789ULL, &done, &started), 0);
	assert_int_equal(done, want);
	/* A step that began and did not finish reads back as begun only. */
	assert_int_equal(started, begun);
	/* Another plan's journal is not this one's. */
	assert_int_equal(inst_journal_read(dir, 0xabcdef0123456788ULL, &done, &started), -ESTALE);
	assert_int_equal(done, 0);
	assert_int_equal(started, 0);
}

static void test_damaged(void **state)
{
	char path[PATH_MAX];
	unsigned done = 7, started = 7;
	static const char *const bad[] = {
		"done format\n",                        /* no plan line */
		"plan 00000000000000ff\ndone nothing\n",  /* unknown step */
		"plan 00000000000000ff\ngarbage\n",
	};

	snprintf(path, sizeof(path), "%s%s", dir, INST_JOURNAL_PATH);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hcfg_write_file(path, bad[i], 0600, NULL), 0);
		assert_int_equal(inst_journal_read(dir, 0xff, &done, &started), -EINVAL);
		assert_int_equal(done, 0);
	}
	assert_int_equal(hcfg_write_file(path, "# comment\nplan 00000000000000ff\ndone base\nstart packages\n",
					 0600, NULL), 0);
	assert_int_equal(inst_journal_read(dir, 0xff, &done, &started), 0);
	assert_int_equal(done, 1u << INST_STEP_BASE);
	assert_int_equal(started, 1u << INST_STEP_BASE | 1u << INST_STEP_PACKAGES);
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
	/* From the dump the engine logs, the same fingerprint. */
	char *dump = inst_plan_dump(&b);

	assert_true(inst_plan_dump_fingerprint(dump) == inst_plan_fingerprint(&a));
	free(dump);
	INST_COPY(b.hostname, "beta");
	assert_true(inst_plan_fingerprint(&a) != inst_plan_fingerprint(&b));
	INST_COPY(b.hostname, "alpha");
	b.hv = INST_HV_KVM;
	assert_true(inst_plan_fingerprint(&a) != inst_plan_fingerprint(&b));
	assert_string_equal(inst_journal_word(INST_STEP_PACKAGES), "packages");
	inst_plan_free(&a);
	inst_plan_free(&b);
}

/* What a killed run leaves mounted in the target is unmounted, deepest first. */
static void test_clear_stale(void **state)
{
	char target[PATH_MAX], sub[PATH_MAX + 8], *cause = NULL;
	const char *mnt1[] = { "mount", "-t", "tmpfs", "tmpfs", target, NULL };
	const char *mnt2[] = { "mount", "-t", "tmpfs", "tmpfs", sub, NULL };
	const char *check[] = { "mountpoint", "-q", target, NULL };

	if (geteuid() != 0)
		skip();
	snprintf(target, sizeof(target), "%s/tar get", dir);
	snprintf(sub, sizeof(sub), "%s/proc", target);
	assert_int_equal(hcfg_mkdirs(target, NULL), 0);
	assert_int_equal(hcfg_run(mnt1, -1, NULL), 0);
	assert_int_equal(hcfg_mkdirs(sub, NULL), 0);
	assert_int_equal(hcfg_run(mnt2, -1, NULL), 0);
	assert_int_equal(inst_clear_stale(target, -1, &cause), 0);
	assert_int_not_equal(hcfg_run(check, -1, NULL), 0);
	/* Nothing left: a second call has nothing to do. */
	assert_int_equal(inst_clear_stale(target, -1, &cause), 0);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_clear_stale),
	};

	return cmocka_run_group_tests_name("inst-journal", tests, setup, teardown);
}
