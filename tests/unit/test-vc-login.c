/* Unit tests for vmconsole/vc-login.c: who may log in, PAM refusing what it must with one message for unknown users and wrong passwords, and the session a login opens. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"

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

static int login(const char *user, const char *password, const char *dir,
		 struct vc_session **s, char **cause)
{
	struct vc_login l = { user, password, "ttyS7", "192.0.2.9", dir };

	return vc_login_open(&l, s, cause);
}

/* A user that does not exist and a wrong password get the same words. */
static void test_pam_refuses(void **state)
{
	char *a = NULL, *b = NULL;
	struct vc_session *s = NULL;

	assert_int_equal(login("no-such-user-ospite", "x", NULL, &s, &a), -EACCES);
	assert_null(s);
	assert_int_equal(login("nobody", "certainly-not-its-password", NULL, &s, &b), -EACCES);
	assert_null(s);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "wrong"));
	free(a);
	free(b);
	a = NULL;
	assert_int_equal(login("", "x", NULL, &s, &a), -EINVAL);
	free(a);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/*
 * A PAM service of the test's own (pam_start_confdir) that lets anyone in and records what the
 * console gives it: pam_env establishes a variable only when credentials are set, pam_exec logs
 * each session event with the terminal, the remote host and that variable.
 */
static void test_session(void **state)
{
	char dir[] = "/tmp/test-vc-login.XXXXXX", *path = NULL, *text = NULL, *cause = NULL;
	struct vc_session *s = NULL;

	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/env.conf", dir) > 0);
	assert_int_equal(hcfg_write_file(path, "OSPITE_TEST_CRED DEFAULT=established\n", 0644, NULL), 0);
	free(path);
	assert_true(asprintf(&path, "%s/log.sh", dir) > 0);
	assert_true(asprintf(&text, "echo \"$PAM_TYPE $PAM_USER tty=$PAM_TTY rhost=$PAM_RHOST cred=$OSPITE_TEST_CRED\" >>%s/log\n",
			     dir) > 0);
	assert_int_equal(hcfg_write_file(path, text, 0755, NULL), 0);
	free(text);
	free(path);
	assert_true(asprintf(&path, "%s/ospite", dir) > 0);
	assert_true(asprintf(&text,
			     "auth required pam_env.so readenv=0 user_readenv=0 conffile=%s/env.conf\n"
			     "auth required pam_permit.so\n"
			     "account required pam_permit.so\n"
			     "session required pam_exec.so /bin/sh %s/log.sh\n", dir, dir) > 0);
	assert_int_equal(hcfg_write_file(path, text, 0644, NULL), 0);
	free(text);
	free(path);
	assert_true(asprintf(&path, "%s/log", dir) > 0);

	/* Root gets a session with its credentials, told where the login came from. */
	assert_int_equal(login("root", "any", dir, &s, &cause), 0);
	assert_non_null(s);
	assert_int_equal(hcfg_read_file(path, &text, NULL), 0);
	assert_string_equal(text, "open_session root tty=ttyS7 rhost=192.0.2.9 cred=established\n");
	free(text);
	vc_login_close(s);
	assert_int_equal(hcfg_read_file(path, &text, NULL), 0);
	assert_non_null(strstr(text, "\nclose_session root tty=ttyS7 rhost=192.0.2.9"));
	free(text);

	/* Someone outside the group ospite gets no session at all, though PAM let them in. */
	unlink(path);
	if (vc_login_allowed("nobody", NULL) < 0) {
		s = NULL;
		assert_int_equal(login("nobody", "any", dir, &s, &cause), -EPERM);
		assert_null(s);
		assert_int_equal(access(path, F_OK), -1);
	}
	free(path);
	free(cause);
	assert_int_equal(nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* Only root may keep the console open for ever. */
static void test_idle(void **state)
{
	char *cause = NULL;
	unsigned v = 7;

	assert_int_equal(vc_check_idle("0", true, &v, NULL), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vc_check_idle("0", false, &v, &cause), -EPERM);
	assert_non_null(strstr(cause, "root"));
	assert_int_equal(vc_check_idle("30", false, &v, NULL), 0);
	assert_int_equal(v, 30);
	assert_int_equal(vc_check_idle("12x", true, &v, NULL), -EINVAL);
	assert_int_equal(vc_check_idle("604801", true, &v, NULL), -EINVAL);
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_pam_refuses),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
