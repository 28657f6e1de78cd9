/* Unit tests for vmconsole/vc-names.c: long guest names shortened around an ellipsis, never to the look of another. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"
#include "vmconsole/vc.h"

static void check_unique(char **v, size_t n, int width)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(tui_width(v[i]) <= width);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(v[i], v[j]);
	}
}

static void free_v(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_fit_and_middle(void **state)
{
	char *names[] = { "web1", "database-primary-eu-west-1" };
	char **v = vc_names_fit(names, 2, 12, "...");

	assert_string_equal(v[0], "web1");
	/* 9 columns around the dots: the start gets the odd one. */
	assert_string_equal(v[1], "datab...st-1");
	check_unique(v, 2, 12);
	free_v(v, 2);
}

static void test_unique_when_middle_differs(void **state)
{
	/* Same start and end, told apart only in the middle: the split moves until they differ. */
	char *names[] = { "customer-alpha-frontend-01", "customer-bravo-frontend-01",
			  "customer-charlie-frontend-01" };
	char **v = vc_names_fit(names, 3, 16, "...");

	check_unique(v, 3, 16);
	for (size_t i = 0; i < 3; i++)
		assert_non_null(strstr(v[i], "..."));
	free_v(v, 3);
}

static void test_never_like_a_name_that_fits(void **state)
{
	/* The short form of the long name would be "ab...yz", which is a guest of its own. */
	char *names[] = { "ab...yz", "abcdefghijklmnopqrstuvwxyz" };
	char **v = vc_names_fit(names, 2, 7, "...");

	assert_string_equal(v[0], "ab...yz");
	assert_string_not_equal(v[1], "ab...yz");
	check_unique(v, 2, 7);
	free_v(v, 2);
}

static void test_utf8_ellipsis(void **state)
{
	char *names[] = { "città-di-bologna-server-12" };
	char **v = vc_names_fit(names, 1, 10, "\u2026");

	assert_int_equal(tui_width(v[0]), 10);
	assert_string_equal(v[0], "città\u2026r-12");
	free_v(v, 1);
}

static void test_all_alike(void **state)
{
	/* Differences only far inside: numbered rather than shown twice the same. */
	char *names[] = { "aaaaaaaaaaaaXaaaaaaaaaaaaa", "aaaaaaaaaaaaYaaaaaaaaaaaaa" };
	char **v = vc_names_fit(names, 2, 8, "..");

	check_unique(v, 2, 8);
	free_v(v, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit_and_middle),
		cmocka_unit_test(test_unique_when_middle_differs),
		cmocka_unit_test(test_never_like_a_name_that_fits),
		cmocka_unit_test(test_utf8_ellipsis),
		cmocka_unit_test(test_all_alike),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
