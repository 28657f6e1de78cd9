/* Unit tests for hostcfg/hcfg-admin.c: the host's files edited in a scratch root, and its commands run through a recording script. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "hostcfg/hcfg-admin.h"

static char root[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void put(const char *rel, const char *text)
{
	char path[256], dir[256];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(hcfg_mkdirs(dir, NULL), 0);
	assert_int_equal(hcfg_write_file(path, text, 0644, NULL), 0);
}

static char *get(const char *rel)
{
	char path[256], *text = NULL;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(hcfg_read_file(path, &text, NULL), 0);
	return text;
}

static int setup_root(void **state)
{
	snprintf(root, sizeof(root), "/tmp/test-hcfg-admin.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("OSPITE_HOST_ROOT", root, 1);
	return 0;
}

static int teardown_root(void **state)
{
	unsetenv("OSPITE_HOST_ROOT");
	unsetenv("OSPITE_SYSTEMCTL");
	return nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_hosts(void **state)
{
	char *t = hcfg_hosts_set_name("127.0.0.1\tlocalhost\n127.0.1.1\told.example.org old\n::1 ip6-localhost\n",
				      "web.example.org");

	assert_string_equal(t, "127.0.0.1\tlocalhost\n127.0.1.1\tweb.example.org web\n::1 ip6-localhost\n");
	free(t);
	t = hcfg_hosts_set_name("127.0.0.1 localhost", "kvm1");
	assert_string_equal(t, "127.0.0.1 localhost\n127.0.1.1\tkvm1\n");
	free(t);
}

static void test_hostname_file(void **state)
{
	char *cause = NULL, *t, buf[64];

	put("/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 old\n");
	put("/etc/hostname", "old\n");
	assert_int_equal(hcfg_admin_hostname(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "old");
	assert_int_equal(hcfg_admin_set_hostname("-bad", &cause), -EINVAL);
	assert_non_null(cause);
	free(cause);
	t = get("/etc/hostname");
	assert_string_equal(t, "old\n");
	free(t);
	assert_int_equal(hcfg_admin_set_hostname("kvm2.lab", NULL), 0);
	t = get("/etc/hostname");
	assert_string_equal(t, "kvm2.lab\n");
	free(t);
	t = get("/etc/hosts");
	assert_string_equal(t, "127.0.0.1 localhost\n127.0.1.1\tkvm2.lab kvm2\n");
	free(t);
}

static void test_resolv(void **state)
{
	char **v = NULL, *t, *cause = NULL;
	size_t n = 0;
	char *two[] = { "192.0.2.53", "2001:db8::53" };

	put("/etc/resolv.conf", "# by hand\nsearch lab\nnameserver 10.0.0.1\nnameserver 10.0.0.2\noptions rotate\n");
	assert_int_equal(hcfg_admin_dns(&v, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "10.0.0.2");
	hcfg_admin_strv_free(v, n);
	assert_int_equal(hcfg_admin_set_dns(two, 2, NULL), 0);
	t = get("/etc/resolv.conf");
	assert_string_equal(t, "# by hand\nsearch lab\nnameserver 192.0.2.53\nnameserver 2001:db8::53\noptions rotate\n");
	free(t);
	/* A link belongs to a resolver daemon: refused, and the file it points at is unchanged. */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/etc/resolv.conf", root);
		unlink(path);
		put("/run/resolv.conf", "nameserver 127.0.0.53\n");
		assert_int_equal(symlink("../run/resolv.conf", path), 0);
		assert_int_equal(hcfg_admin_set_dns(two, 1, &cause), -EPERM);
		assert_non_null(strstr(cause, "link"));
		free(cause);
		t = get("/run/resolv.conf");
		assert_string_equal(t, "nameserver 127.0.0.53\n");
		free(t);
	}
}

static void test_parse_servers(void **state)
{
	char **v = NULL, *cause = NULL;
	size_t n = 0;

	assert_int_equal(hcfg_admin_parse_servers(" 192.0.2.1, 192.0.2.2 ", true, 3, &v, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "192.0.2.2");
	hcfg_admin_strv_free(v, n);
	assert_int_equal(hcfg_admin_parse_servers("ntp.example.org", true, 3, &v, &n, &cause), -EINVAL);
	assert_non_null(strstr(cause, "ntp.example.org"));
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_admin_parse_servers("0.debian.pool.ntp.org 192.0.2.1", false, 8, &v, &n, NULL), 0);
	assert_int_equal(n, 2);
	hcfg_admin_strv_free(v, n);
	assert_int_equal(hcfg_admin_parse_servers("a;rm -rf /", false, 8, &v, &n, NULL), -EINVAL);
	assert_int_equal(hcfg_admin_parse_servers("1.1.1.1 1.0.0.1 8.8.8.8 9.9.9.9", true, 3, &v, &n, &cause), -E2BIG);
	free(cause);
	assert_int_equal(hcfg_admin_parse_servers("", true, 3, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
}

static void test_ntp(void **state)
{
	char **v = NULL, *t;
	size_t n = 0;
	char *one[] = { "ntp.lab" }, *two[] = { "a.lab", "b.lab" };

	put("/etc/systemd/timesyncd.conf", "# comment\n[Time]\n#NTP=\n#FallbackNTP=x\n");
	assert_int_equal(hcfg_admin_ntp_kind(), HCFG_NTP_TIMESYNCD);
	assert_int_equal(hcfg_admin_ntp(HCFG_NTP_TIMESYNCD, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hcfg_admin_set_ntp(HCFG_NTP_TIMESYNCD, two, 2, NULL), 0);
	t = get("/etc/systemd/timesyncd.conf");
	assert_string_equal(t, "# comment\n[Time]\nNTP=a.lab b.lab\n#NTP=\n#FallbackNTP=x\n");
	free(t);
	assert_int_equal(hcfg_admin_set_ntp(HCFG_NTP_TIMESYNCD, one, 1, NULL), 0);
	t = get("/etc/systemd/timesyncd.conf");
	assert_string_equal(t, "# comment\n[Time]\nNTP=ntp.lab\n#NTP=\n#FallbackNTP=x\n");
	free(t);
	assert_int_equal(hcfg_admin_ntp(HCFG_NTP_TIMESYNCD, &v, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "ntp.lab");
	hcfg_admin_strv_free(v, n);
	t = hcfg_ntp_set("[Other]\nX=1\n", false, one, 1);
	assert_string_equal(t, "[Other]\nX=1\n[Time]\nNTP=ntp.lab\n");
	free(t);

	put("/etc/chrony/chrony.conf", "pool 2.debian.pool.ntp.org iburst\nkeyfile /etc/chrony/chrony.keys\nserver old.lab\n");
	assert_int_equal(hcfg_admin_ntp_kind(), HCFG_NTP_CHRONY);
	assert_string_equal(hcfg_admin_ntp_unit(HCFG_NTP_CHRONY), "chrony.service");
	assert_int_equal(hcfg_admin_ntp(HCFG_NTP_CHRONY, &v, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "2.debian.pool.ntp.org");
	hcfg_admin_strv_free(v, n);
	assert_int_equal(hcfg_admin_set_ntp(HCFG_NTP_CHRONY, two, 2, NULL), 0);
	t = get("/etc/chrony/chrony.conf");
	assert_string_equal(t, "server a.lab iburst\nserver b.lab iburst\nkeyfile /etc/chrony/chrony.keys\n");
	free(t);
}

static void test_shvar(void **state)
{
	char *t, *v;

	v = hcfg_shvar_get("#ON_SHUTDOWN=suspend\nON_SHUTDOWN=\"shutdown\" # why\n", "ON_SHUTDOWN");
	assert_string_equal(v, "shutdown");
	free(v);
	assert_null(hcfg_shvar_get("#ON_SHUTDOWN=suspend\n", "ON_SHUTDOWN"));
	t = hcfg_shvar_set("# doc\n#ON_SHUTDOWN=suspend\n# more\n", "ON_SHUTDOWN", "shutdown");
	assert_string_equal(t, "# doc\n#ON_SHUTDOWN=suspend\nON_SHUTDOWN=shutdown\n# more\n");
	free(t);
	t = hcfg_shvar_set("A=1\nON_SHUTDOWN=suspend\nB=2\n", "ON_SHUTDOWN", "shutdown");
	assert_string_equal(t, "A=1\nON_SHUTDOWN=shutdown\nB=2\n");
	free(t);
	t = hcfg_shvar_set("A=1", "SHUTDOWN_TIMEOUT", "120");
	assert_string_equal(t, "A=1\nSHUTDOWN_TIMEOUT=120\n");
	free(t);
}

static void test_guests_policy(void **state)
{
	struct hcfg_guests_policy p;
	char *t;

	/* No file: libvirt-guests' own defaults. */
	assert_int_equal(hcfg_admin_guests_policy(&p, NULL), 0);
	assert_true(p.suspend);
	assert_int_equal(p.timeout_s, 300);
	put("/etc/default/libvirt-guests", "#ON_SHUTDOWN=suspend\n#SHUTDOWN_TIMEOUT=300\nSHUTDOWN_TIMEOUT=garbage\n");
	assert_int_equal(hcfg_admin_guests_policy(&p, NULL), 0);
	assert_int_equal(p.timeout_s, 300);
	p.suspend = false;
	p.timeout_s = 90;
	assert_int_equal(hcfg_admin_set_guests_policy(&p, NULL), 0);
	t = get("/etc/default/libvirt-guests");
	assert_string_equal(t, "#ON_SHUTDOWN=suspend\nON_SHUTDOWN=shutdown\n#SHUTDOWN_TIMEOUT=300\nSHUTDOWN_TIMEOUT=90\n");
	free(t);
	assert_int_equal(hcfg_admin_guests_policy(&p, NULL), 0);
	assert_false(p.suspend);
	assert_int_equal(p.timeout_s, 90);
}

static void test_commands(void **state)
{
	char script[256], log[256], word[32], *t, *cause = NULL;
	char **v = NULL;
	size_t n = 0;

	/* A stand-in systemctl that records its arguments and answers is-active. */
	snprintf(script, sizeof(script), "%s/systemctl", root);
	snprintf(log, sizeof(log), "%s/calls", root);
	{
		char body[512];

		snprintf(body, sizeof(body),
			 "#!/bin/sh\necho \"$*\" >>%s\ncase \"$1\" in is-active) echo inactive; exit 3;; fail) echo nope >&2; exit 1;; esac\n",
			 log);
		put("/systemctl", body);
		chmod(script, 0755);
	}
	setenv("OSPITE_SYSTEMCTL", script, 1);
	assert_int_equal(hcfg_admin_unit_state("is-active", "ssh.service", word, sizeof(word)), 0);
	assert_string_equal(word, "inactive");
	assert_int_equal(hcfg_admin_systemctl("enable", "--now", "ssh.service", NULL), 0);
	assert_int_equal(hcfg_admin_systemctl("reboot", NULL, NULL, NULL), 0);
	assert_int_equal(hcfg_admin_systemctl("fail", NULL, "x.service", &cause), -EIO);
	assert_non_null(cause);
	free(cause);
	t = get("/calls");
	assert_string_equal(t, "is-active -- ssh.service\nenable --now -- ssh.service\nreboot\nfail -- x.service\n");
	free(t);
	/* The last lines of a file, oldest first; a missing file is empty. */
	put("/log", "1\n2\n3\n4\n");
	snprintf(log, sizeof(log), "%s/log", root);
	assert_int_equal(hcfg_admin_tail(log, 2, &v, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "3");
	assert_string_equal(v[1], "4");
	hcfg_admin_strv_free(v, n);
	snprintf(log, sizeof(log), "%s/none", root);
	assert_int_equal(hcfg_admin_tail(log, 2, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hosts), T(test_hostname_file), T(test_resolv), T(test_parse_servers),
		T(test_ntp), T(test_shvar), T(test_guests_policy), T(test_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
