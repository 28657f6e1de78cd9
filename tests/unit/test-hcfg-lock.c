/* Unit tests for hostcfg/hcfg-lock.c: one holder at a time, who holds it, released when the holder dies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ospite-lock-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	strcat(dir, "/locks");   /* made by the first take */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t files_in(const char *d)
{
	DIR *dp = opendir(d);
	size_t n = 0;
	assert_non_null(dp);
	for (struct dirent *e; (e = readdir(dp));)
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void test_take_twice(void **state)
{
	(void)state;
	struct hcfg_lock *a = NULL, *b = NULL;
	struct hcfg_lock_holder h;
	char *cause = NULL;

	assert_int_equal(hcfg_lock_who(dir, HCFG_LOCK_GUEST, "web1", &h), -ENOENT);
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_GUEST, "web1", "root", "ttyS0", &a, NULL,
					&cause), 0);
	assert_null(cause);
	/* A second taker, even in the same process, sees the first and its terminal. */
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_GUEST, "web1", "anna", "tty1", &b, &h,
					&cause), -EBUSY);
	assert_null(b);
	assert_string_equal(h.user, "root");
	assert_string_equal(h.tty, "ttyS0");
	assert_int_equal(h.pid, getpid());
	assert_non_null(cause);
	assert_non_null(strstr(cause, "web1 is being edited by root on ttyS0 since "));
	free(cause);
	cause = NULL;
	memset(&h, 0, sizeof h);
	assert_int_equal(hcfg_lock_who(dir, HCFG_LOCK_GUEST, "web1", &h), 0);
	assert_string_equal(h.user, "root");
	/* Another object, or the same name of another kind, is free. */
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_BRIDGE, "web1", "anna", "tty1", &b, NULL,
					NULL), 0);
	hcfg_lock_release(b);
	hcfg_lock_release(a);
	assert_int_equal(hcfg_lock_who(dir, HCFG_LOCK_GUEST, "web1", &h), -ENOENT);
	assert_int_equal(files_in(dir), 0);
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_GUEST, "web1", "anna", "tty1", &b, NULL,
					NULL), 0);
	hcfg_lock_release(b);
	hcfg_lock_release(NULL);
}

/* A holder killed with SIGKILL leaves its file, but not its lock. */
static void test_holder_dies(void **state)
{
	(void)state;
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hcfg_lock *lk;
		if (hcfg_lock_take(dir, HCFG_LOCK_DISK, "/dev/sdb", "root", "pts/3", &lk, NULL,
				   NULL) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);

	struct hcfg_lock *lk = NULL;
	struct hcfg_lock_holder h;
	char *cause = NULL;
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_DISK, "/dev/sdb", "anna", "tty1", &lk, &h,
					&cause), -EBUSY);
	assert_int_equal(h.pid, pid);
	assert_string_equal(h.tty, "pts/3");
	assert_non_null(strstr(cause, "/dev/sdb is being edited by root on pts/3"));
	free(cause);

	kill(pid, SIGKILL);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(hcfg_lock_who(dir, HCFG_LOCK_DISK, "/dev/sdb", &h), -ENOENT);
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_DISK, "/dev/sdb", "anna", "tty1", &lk, NULL,
					NULL), 0);
	assert_int_equal(hcfg_lock_who(dir, HCFG_LOCK_DISK, "/dev/sdb", &h), 0);
	assert_string_equal(h.user, "anna");
	hcfg_lock_release(lk);
}

/* Names cannot reach outside the folder, and a link planted as a lock file is not followed. */
static void test_hostile_names(void **state)
{
	(void)state;
	struct hcfg_lock *lk = NULL;
	char *cause = NULL;
	const char *names[] = {"..", "../../etc/passwd", "a/b", "web\n1", ".hidden"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_GUEST, names[i], "root", "", &lk,
						NULL, NULL), 0);
		assert_int_equal(files_in(dir), 1);
		hcfg_lock_release(lk);
	}
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_GUEST, "", "root", "", &lk, NULL, &cause),
			 -EINVAL);
	free(cause);
	cause = NULL;

	char link[128];
	snprintf(link, sizeof link, "%s/guest-trap", dir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_true(hcfg_lock_take(dir, HCFG_LOCK_GUEST, "trap", "root", "", &lk, NULL, &cause) <
		    0);
	assert_null(lk);
	assert_non_null(cause);
	free(cause);
	unlink(link);

	/* What a holder wrote is shown on a screen: control characters become '?'. */
	struct hcfg_lock_holder h = {.since = 0};
	snprintf(h.user, sizeof h.user, "root");
	char *s = hcfg_lock_describe("web1", &h);
	assert_string_equal(s, "web1 is being edited by root since ?.");
	free(s);
	assert_int_equal(hcfg_lock_take(dir, HCFG_LOCK_GUEST, "w", "ro\033[2Jot", "tty\0011", &lk,
					NULL, NULL), 0);
	assert_int_equal(hcfg_lock_who(dir, HCFG_LOCK_GUEST, "w", &h), 0);
	assert_string_equal(h.user, "ro?[2Jot");
	assert_string_equal(h.tty, "tty?1");
	hcfg_lock_release(lk);
}

int main(void)
{
	setenv("LANGUAGE", "C", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_twice),
		cmocka_unit_test(test_holder_dies),
		cmocka_unit_test(test_hostile_names),
	};
	return cmocka_run_group_tests_name("hcfg-lock", tests, setup, teardown);
}
