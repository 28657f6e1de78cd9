/* Unit tests for the console's settings file: vnc_listen= read, refused when it is no address, and written back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmconsole/vc.h"

static void test_vnc_listen(void **state)
{
	struct vc_conf c;
	char *cause = NULL, path[] = "/tmp/test-vc-conf.XXXXXX";
	int fd;

	vc_conf_init(&c);
	assert_string_equal(c.vnc_listen, "127.0.0.1");
	assert_int_equal(vc_conf_parse("idle_timeout=60\nvnc_listen = 192.0.2.10\n", &c, NULL), 0);
	assert_string_equal(c.vnc_listen, "192.0.2.10");
	vc_conf_init(&c);
	assert_int_equal(vc_conf_parse("\nvnc_listen=0.0.0.0; rm -rf /\n", &c, &cause), -EINVAL);
	assert_non_null(strstr(cause, "Line 2"));
	assert_string_equal(c.vnc_listen, "127.0.0.1");
	free(cause);
	/* Saved and read back. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(c.vnc_listen, sizeof(c.vnc_listen), "::1");
	assert_int_equal(vc_conf_save(path, &c, NULL), 0);
	vc_conf_init(&c);
	assert_int_equal(vc_conf_load(path, &c, NULL), 0);
	assert_string_equal(c.vnc_listen, "::1");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vnc_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
