/* The installer screens' language hotkey: it switches what the screens speak, never the plan the host gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "install/inst-scr.h"

/* Language screen said Italian: plan and screens both Italian, as inst_scr_language() leaves them. */
static void chose_italian(struct inst_ctx *c)
{
	memset(c, 0, sizeof(*c));
	inst_plan_init(&c->plan);
	inst_plan_lang_defaults(&c->plan, "it");
	tui_lang_set("it");
}

static void assert_host_italian(const struct inst_plan *p)
{
	char *dump = inst_plan_dump(p), *ks = inst_plan_to_ks(p);

	assert_string_equal(p->lang, "it");
	assert_string_equal(p->keyboard, "it");
	assert_string_equal(p->timezone, "Europe/Rome");
	/* What the log records and what the saved answer file replays. */
	assert_non_null(dump);
	assert_non_null(strstr(dump, "lang: it\n"));
	assert_non_null(ks);
	assert_non_null(strstr(ks, "lang it_IT.UTF-8\n"));
	free(dump);
	free(ks);
}

static void test_hotkey_leaves_plan(void **state)
{
	struct inst_ctx c;

	chose_italian(&c);
	assert_true(inst_scr_lang_switched(&c, TUI_LANG));
	assert_string_equal(tui_lang(), "en");
	assert_host_italian(&c.plan);
	/* And back: still the language the operator chose. */
	inst_scr_toggle_lang(&c);
	assert_string_equal(tui_lang(), "it");
	assert_host_italian(&c.plan);
	inst_plan_free(&c.plan);
}

static void test_other_keys_switch_nothing(void **state)
{
	static const int keys[] = { TUI_NEXT, TUI_BACK, TUI_IDLE, TUI_EXTRA };
	struct inst_ctx c;

	chose_italian(&c);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_false(inst_scr_lang_switched(&c, keys[i]));
		assert_string_equal(tui_lang(), "it");
	}
	assert_host_italian(&c.plan);
	inst_plan_free(&c.plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hotkey_leaves_plan),
		cmocka_unit_test(test_other_keys_switch_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
