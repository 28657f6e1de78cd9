/* Unit tests for vmconsole/vc-login.c: who may log in, and PAM refusing what it must, with one message for unknown users and wrong passwords. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "vmconsole/vc.h"

static void test_allowed(void **state)
{
	char *cause = NULL;
	struct group *g = getgrnam(VC_GROUP);
	bool nobody_in = false;

	assert_int_equal(vc_login_allowed("root", NULL), 0);
	assert_int_equal(vc_login_allowed("no-such-user-ospite", &cause), -EACCES);
	assert_non_null(strstr(cause, "no-such-user-ospite"));
	for (char **m = g ? g->gr_mem : NULL; m && *m; m++)
		nobody_in = nobody_in || !strcmp(*m, "nobody");
	if (!nobody_in) {
		assert_int_equal(vc_login_allowed("nobody", &cause), -EPERM);
		assert_non_null(strstr(cause, "nobody"));
		assert_non_null(strstr(cause, VC_GROUP));
	}
	free(cause);
}

/* A user that does not exist and a wrong password get the same words. */
static void test_pam_refuses(void **state)
{
	char *a = NULL, *b = NULL;

	assert_int_equal(vc_login_check("no-such-user-ospite", "x", &a), -EACCES);
	assert_int_equal(vc_login_check("nobody", "certainly-not-its-password", &b), -EACCES);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "wrong"));
	free(a);
	free(b);
	a = NULL;
	assert_int_equal(vc_login_check("", "x", &a), -EINVAL);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_pam_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
