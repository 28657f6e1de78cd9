/* The install medium's repository served over HTTP as a mirror: the engine's keyring takes its signed Release, and nothing unsigned or signed by another key; driven by tests/integration/medium-http.sh, skips without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "install/inst-engine.h"

/* OSPITE_TEST_HTTP: the server's root URL; it serves signed/, unsigned/ and other-key/. */
static const char *http, *key, *work;

/* Resolve the probe package from @dir of the server with the keyring the engine makes. */
static int resolve(const char *dir, bool medium_key, char **cause)
{
	struct inst_plan p;
	struct inst_ui ui = { 0 };
	struct inst_engine *e;
	struct inst_apt_source src;
	struct inst_pkgset set = { 0 };
	char url[PATH_MAX], apt[PATH_MAX + 8], buf[PATH_MAX];
	const char *pkgs[] = { "ospite-probe", NULL };
	int rc;

	inst_plan_init(&p);
	p.src = INST_SRC_MIRROR;
	snprintf(url, sizeof(url), "%s/%s", http, dir);
	INST_COPY(p.mirror, url);
	INST_COPY(p.suite, "bookworm");
	p.security = false;
	if (medium_key)
		setenv("OSPITE_MEDIUM_KEY", key, 1);
	else
		setenv("OSPITE_MEDIUM_KEY", "", 1);
	e = inst_engine_new(&p, &ui, -1);
	inst_engine_set_workdir(e, work);
	rc = eng_mirror_keyring(e, cause);
	/* Without the medium's key (none on this machine either), Debian's keys alone check it. */
	if (rc == 0 && !medium_key && access("/usr/share/keyrings/ospite-medium.gpg", F_OK) < 0)
		assert_string_equal(e->keyring, "");
	if (rc == 0 && medium_key) {
		struct stat st;

		assert_int_equal(stat(e->keyring, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644);
	}
	if (rc == 0) {
		eng_fill_source(&p, &src, buf, sizeof(buf));
		if (*e->keyring)
			src.keyring = e->keyring;
		snprintf(apt, sizeof(apt), "%s/apt", work);
		rc = inst_apt_resolve(&src, pkgs, apt, -1, NULL, NULL, &set, cause);
		if (rc == 0)
			assert_non_null(inst_pkgset_find(&set, "ospite-probe"));
		inst_pkgset_free(&set);
	}
	inst_engine_free(e);
	inst_plan_free(&p);
	return rc;
}

static void test_signed_with_medium_key(void **state)
{
	char *cause = NULL;

	if (!http)
		skip();
	if (resolve("signed", true, &cause) < 0)
		fail_msg("%s", cause);
	free(cause);
}

static void test_signed_without_the_key(void **state)
{
	char *cause = NULL;

	if (!http)
		skip();
	assert_true(resolve("signed", false, &cause) < 0);
	printf("# without the medium's key: %s\n", cause);
	free(cause);
}

static void test_unsigned_refused(void **state)
{
	char *cause = NULL;

	if (!http)
		skip();
	assert_true(resolve("unsigned", true, &cause) < 0);
	printf("# unsigned: %s\n", cause);
	free(cause);
}

static void test_other_key_refused(void **state)
{
	char *cause = NULL;

	if (!http)
		skip();
	assert_true(resolve("other-key", true, &cause) < 0);
	printf("# another key: %s\n", cause);
	free(cause);
}

static void test_missing_key_named(void **state)
{
	struct inst_plan p;
	struct inst_ui ui = { 0 };
	struct inst_engine *e;
	char *cause = NULL;

	if (!http)
		skip();
	inst_plan_init(&p);
	p.src = INST_SRC_MIRROR;
	setenv("OSPITE_MEDIUM_KEY", "/nonexistent/ospite-medium.gpg", 1);
	e = inst_engine_new(&p, &ui, -1);
	inst_engine_set_workdir(e, work);
	assert_int_equal(eng_mirror_keyring(e, &cause), -ENOENT);
	assert_non_null(strstr(cause, "/nonexistent/ospite-medium.gpg"));
	free(cause);
	inst_engine_free(e);
	inst_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_with_medium_key),
		cmocka_unit_test(test_signed_without_the_key),
		cmocka_unit_test(test_unsigned_refused),
		cmocka_unit_test(test_other_key_refused),
		cmocka_unit_test(test_missing_key_named),
	};

	http = getenv("OSPITE_TEST_HTTP");
	key = getenv("OSPITE_TEST_MEDIUM_KEY");
	work = getenv("OSPITE_TEST_WORKDIR");
	if (!http || !*http || !key || !*key || !work || !*work)
		http = NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
