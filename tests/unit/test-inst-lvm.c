/* Formatting's read-back of a volume group's UUID against real LVM metadata on loop disks, driven by tests/integration/lvm-uuid.sh; skips without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "install/inst-engine.h"

/*
 * OSPITE_TEST_VG names a group on a loop disk, OSPITE_TEST_VG_UUID is its
 * UUID as vgdisplay shows it, and OSPITE_TEST_VG_DUP names two groups on two
 * other loop disks (each made while LVM saw only its own disk).
 */
static const char *vg, *vg_uuid, *dup;

static struct inst_engine *engine(struct inst_plan *p, struct inst_ui *ui)
{
	inst_plan_init(p);
	memset(ui, 0, sizeof(*ui));
	return inst_engine_new(p, ui, -1);
}

static void test_vg_uuid(void **state)
{
	struct inst_plan p;
	struct inst_ui ui;
	struct inst_engine *e;
	char buf[48], *cause = NULL;

	if (!vg)
		skip();
	e = engine(&p, &ui);
	if (eng_vg_uuid(e, vg, buf, sizeof(buf), &cause) < 0)
		fail_msg("%s", cause);
	assert_string_equal(buf, vg_uuid);
	/* As the journal holds it: it reads back from there the same. */
	{
		struct inst_journal j;

		assert_int_equal(inst_journal_new(&j, 1, &cause), 0);
		assert_int_equal(eng_vg_uuid(e, vg, j.vg_uuid[0], sizeof(j.vg_uuid[0]), &cause), 0);
		assert_string_equal(j.vg_uuid[0], vg_uuid);
	}
	inst_engine_free(e);
	inst_plan_free(&p);
}

static void test_vg_missing(void **state)
{
	struct inst_plan p;
	struct inst_ui ui;
	struct inst_engine *e;
	char buf[48] = "", name[64], *cause = NULL;

	if (!vg)
		skip();
	e = engine(&p, &ui);
	snprintf(name, sizeof(name), "%s-none", vg);
	assert_true(eng_vg_uuid(e, name, buf, sizeof(buf), &cause) < 0);
	assert_non_null(cause);
	printf("# %s\n", cause);
	assert_non_null(strstr(cause, "its UUID could not be read back"));
	free(cause);
	inst_engine_free(e);
	inst_plan_free(&p);
}

/* Two groups of one name: neither UUID is taken for the group Formatting made. */
static void test_vg_duplicate(void **state)
{
	struct inst_plan p;
	struct inst_ui ui;
	struct inst_engine *e;
	char buf[48] = "", *cause = NULL;

	if (!vg)
		skip();
	e = engine(&p, &ui);
	assert_true(eng_vg_uuid(e, dup, buf, sizeof(buf), &cause) < 0);
	assert_non_null(cause);
	printf("# %s\n", cause);
	assert_non_null(strstr(cause, dup));
	assert_non_null(strstr(cause, "its UUID could not be read back"));
	assert_string_equal(buf, "");
	free(cause);
	inst_engine_free(e);
	inst_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vg_uuid),
		cmocka_unit_test(test_vg_missing),
		cmocka_unit_test(test_vg_duplicate),
	};

	vg = getenv("OSPITE_TEST_VG");
	vg_uuid = getenv("OSPITE_TEST_VG_UUID");
	dup = getenv("OSPITE_TEST_VG_DUP");
	if (!vg || !*vg || !vg_uuid || !*vg_uuid || !dup || !*dup)
		vg = NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
