/* Unit tests for hv/hv-migrate.c's option handling: the flags sent to libvirt on Xen (libxl) and QEMU, and what each offers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "hv/hv.h"
#include "tui/tui.h"
#include "vmconsole/vc.h"

/* libxl supports only LIVE, PERSIST_DEST, UNDEFINE_SOURCE, PAUSED, P2P and TUNNELLED. */
#define XEN_ALLOWED (VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE | \
		     VIR_MIGRATE_PAUSED | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_TUNNELLED)

static void test_xen(void **state)
{
	struct hv_mig_opts o = { 0 };
	unsigned long f = 0;
	char *cause = NULL;

	assert_int_equal(hv_mig_offered(true), 0);
	assert_int_equal(hv_mig_flags(true, &o, true, &f, NULL), 0);
	assert_int_equal(f, VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE);
	assert_int_equal(f & ~(unsigned long)XEN_ALLOWED, 0);
	o.keep_source = true;
	assert_int_equal(hv_mig_flags(true, &o, false, &f, NULL), 0);
	assert_int_equal(f, VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST);

	/* Each option libxl lacks is refused by name, and no flag goes out. */
	struct { struct hv_mig_opts o; const char *word; } bad[] = {
		{ { .copy_storage = true }, "copying storage" },
		{ { .auto_converge = true }, "auto-converge" },
		{ { .postcopy = true }, "post-copy" },
		{ { .bandwidth_mib = 10 }, "bandwidth" },
		{ { .max_downtime_ms = 100 }, "downtime" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = 1;
		assert_int_equal(hv_mig_flags(true, &bad[i].o, false, &f, &cause), -ENOTSUP);
		assert_int_equal(f, 0);
		assert_non_null(strstr(cause, bad[i].word));
		assert_non_null(strstr(cause, "libxl"));
		free(cause);
		cause = NULL;
	}
}

static void test_qemu(void **state)
{
	struct hv_mig_opts o = { .copy_storage = true, .auto_converge = true, .postcopy = true };
	unsigned long f = 0;

	assert_int_equal(hv_mig_offered(false) & (HV_MIG_CAN_COPY_STORAGE | HV_MIG_CAN_POSTCOPY),
			 HV_MIG_CAN_COPY_STORAGE | HV_MIG_CAN_POSTCOPY);
	assert_int_equal(hv_mig_flags(false, &o, false, &f, NULL), 0);
	assert_true(f & VIR_MIGRATE_NON_SHARED_DISK);
	assert_true(f & VIR_MIGRATE_AUTO_CONVERGE);
	assert_true(f & VIR_MIGRATE_POSTCOPY);
	assert_true(f & VIR_MIGRATE_LIVE);
	/* UNSAFE only when the pre-flight itself found the disks shared. */
	assert_false(f & VIR_MIGRATE_UNSAFE);
	assert_int_equal(hv_mig_flags(false, &o, true, &f, NULL), 0);
	assert_true(f & VIR_MIGRATE_UNSAFE);
	/* Offline: no LIVE, and the definition still moves. */
	o = (struct hv_mig_opts){ .mode = HV_MIG_OFFLINE };
	assert_int_equal(hv_mig_flags(false, &o, false, &f, NULL), 0);
	assert_false(f & VIR_MIGRATE_LIVE);
	assert_true(f & VIR_MIGRATE_UNDEFINE_SOURCE);
}

/* The [hosts] section of the settings file. */
static void test_hosts_conf(void **state)
{
	struct vc_conf c;
	char *cause = NULL;

	vc_conf_init(&c);
	assert_int_equal(vc_conf_parse("idle_timeout=60\n[hosts]\nhost2 = qemu+ssh://root@host2/system\n"
				       "x1 = xen+ssh://x1/\n", &c, &cause), 0);
	assert_int_equal(c.n_hosts, 2);
	assert_string_equal(vc_conf_host(&c, "host2"), "qemu+ssh://root@host2/system");
	assert_string_equal(vc_conf_host(&c, "x1"), "xen+ssh://x1/");
	assert_null(vc_conf_host(&c, "x2"));

	/* Saved and read again: the hosts and the reserve come back as they were. */
	{
		char path[] = "/tmp/ospite-conf-XXXXXX";
		int fd = mkstemp(path);
		struct vc_conf back;

		assert_true(fd >= 0);
		close(fd);
		c.migrate_reserve_mib = 1024;
		assert_int_equal(vc_conf_save(path, &c, NULL), 0);
		vc_conf_init(&back);
		assert_int_equal(vc_conf_load(path, &back, NULL), 0);
		assert_int_equal(back.n_hosts, 2);
		assert_int_equal(back.idle_timeout, 60);
		assert_int_equal(back.migrate_reserve_mib, 1024);
		assert_string_equal(vc_conf_host(&back, "x1"), "xen+ssh://x1/");
		unlink(path);
	}

	const char *bad[][2] = {
		{ "[hosts]\nh = not a uri\n", "Line 2" },
		{ "[hosts]\nh = qemu://a\nh = qemu://b\n", "already a host named h" },
		{ "[hosts]\n-h = qemu://a\n", "start with a letter" },
		{ "[hosts]\nh = qe mu://a\n", "Line 2" },
		{ "[disks]\n", "unknown section" },
		{ "migrate_reserve_mib=lots\n", "migrate_reserve_mib" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vc_conf_init(&c);
		assert_int_equal(vc_conf_parse(bad[i][0], &c, &cause), -EINVAL);
		assert_non_null(strstr(cause, bad[i][1]));
		free(cause);
		cause = NULL;
	}
}

/* Progress lines: a bar's numbers, and no numbers before libvirt has any. */
static void test_progress_text(void **state)
{
	struct hv_mig_progress p = { .elapsed_ms = 2500 };
	char *s = vc_mig_progress_text(&p);

	assert_non_null(strstr(s, "Preparing the destination"));
	free(s);
	p.mem_total = 128ull << 20;
	p.mem_done = 64ull << 20;
	p.rate_bps = 32ull << 20;
	p.fraction = 0.5;
	p.eta_ms = 2000;
	p.iteration = 2;
	s = vc_mig_progress_text(&p);
	assert_non_null(strstr(s, " 50%"));
	assert_non_null(strstr(s, "64.0 MiB of 128.0 MiB"));
	assert_non_null(strstr(s, "32.0 MiB/s"));
	assert_non_null(strstr(s, "~2 s left"));
	free(s);
	s = vc_mig_progress_json(&p);
	assert_non_null(strstr(s, "\"memory_transferred\": 67108864"));
	free(s);
}

/* The times of finished jobs ("in 3.5 s") take the language's decimal separator. */
static void test_seconds(void **state)
{
	char secs[24];

	assert_string_equal(vc_fmt_secs(3456, secs), "3.5");
	tui_lang_set("it");
	assert_string_equal(vc_fmt_secs(3456, secs), "3,5");
	assert_string_equal(vc_fmt_secs(120000, secs), "120,0");
	tui_lang_set("en");
	assert_string_equal(vc_fmt_secs(0, secs), "0.0");
}

/*
 * A live migration libvirt itself fails (the test driver cannot migrate): the cause is a sentence
 * of ours naming the guest and the destination, with libvirt's English text only as its reason,
 * in Italian too; nothing is left on the destination.
 */
static void test_failure_sentence(void **state)
{
	char node[] = "/tmp/ospite-mig-node.XXXXXX", *cause = NULL, *dst_uri = NULL;
	int fd = mkstemp(node);
	const char *xml = "<node><domain type='test'><name>other</name><memory>65536</memory>"
			  "<os><type>hvm</type></os></domain></node>\n";
	struct hv_conn *src = NULL, *dst = NULL;
	struct hv_mig_opts o = { .mode = HV_MIG_LIVE };
	struct hv_preflight pf = { 0 };   /* the one the operator saw: nothing refused, no disk */
	struct hv_mig_result res;
	const char *langs[] = { "en", "it" };
	const char *starts[] = { "The live migration of test to ", "La migrazione a caldo di test verso " };

	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
	close(fd);
	assert_true(asprintf(&dst_uri, "test://%s", node) > 0);
	assert_int_equal(hv_open("test:///default", &src, NULL), 0);
	assert_int_equal(hv_open(dst_uri, &dst, NULL), 0);
	for (size_t i = 0; i < 2; i++) {
		tui_lang_set(langs[i]);
		assert_true(hv_migrate(src, dst, "test", &o, &pf, NULL, NULL, &res, &cause) < 0);
		assert_false(res.refused);
		assert_non_null(cause);
		assert_memory_equal(cause, starts[i], strlen(starts[i]));
		assert_non_null(strstr(cause, dst_uri));
		/* libvirt's own words, after ours and without a doubled full stop. */
		assert_non_null(strstr(cause, "not supported"));
		assert_null(strstr(cause, ".."));
		free(cause);
		cause = NULL;
	}
	tui_lang_set("en");
	{
		struct hv_dom_stat *st = NULL;
		size_t n = 0;

		assert_int_equal(hv_list(dst, &st, &n, NULL), 0);
		assert_int_equal(n, 1);
		assert_string_equal(st[0].name, "other");
		free(st);
	}
	hv_close(dst);
	hv_close(src);
	unlink(node);
	free(dst_uri);
}

int main(void)
{
	setenv("LANGUAGE", "C", 1);
	tui_i18n_init(NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xen),
		cmocka_unit_test(test_qemu),
		cmocka_unit_test(test_hosts_conf),
		cmocka_unit_test(test_progress_text),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_failure_sentence),
	};
	return cmocka_run_group_tests_name("hv-migrate", tests, NULL, NULL);
}
