/* Unit tests for vmconsole/vc-actions.c: which actions each state offers, their keys and questions, and handlers on libvirt's test driver. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmconsole/vc.h"

#define MAXA 32

static const char *keys_of(enum hv_state s, bool autostart, char *buf)
{
	const struct vc_action *a[MAXA];
	size_t n = vc_actions_offered(s, autostart, a, MAXA);

	for (size_t i = 0; i < n; i++)
		buf[i] = a[i]->key;
	buf[n] = '\0';
	return buf;
}

static void test_offered_by_state(void **state)
{
	char buf[MAXA + 1];

	assert_string_equal(keys_of(HV_STATE_SHUTOFF, false, buf), "smnbaltd");
	assert_string_equal(keys_of(HV_STATE_SHUTOFF, true, buf), "smnbaltd");
	assert_string_equal(keys_of(HV_STATE_RUNNING, false, buf), "hrfpcvmnba");
	assert_string_equal(keys_of(HV_STATE_PAUSED, false, buf), "fucvmnba");
	assert_string_equal(keys_of(HV_STATE_CRASHED, false, buf), "smnbaltd");
}

/* A key means one thing on a screen: never two offered actions with the same key. */
static void test_keys_unique(void **state)
{
	for (int s = HV_STATE_NOSTATE; s <= HV_STATE_PMSUSPENDED; s++) {
		for (int au = 0; au < 2; au++) {
			const struct vc_action *a[MAXA];
			size_t n = vc_actions_offered(s, au, a, MAXA);

			for (size_t i = 0; i < n; i++)
				for (size_t j = i + 1; j < n; j++)
					assert_int_not_equal(a[i]->key, a[j]->key);
		}
	}
}

static void test_autostart_toggle(void **state)
{
	const struct vc_action *on = vc_action_for_key('a', HV_STATE_RUNNING, false);
	const struct vc_action *off = vc_action_for_key('a', HV_STATE_RUNNING, true);

	assert_non_null(on);
	assert_non_null(off);
	assert_ptr_not_equal(on, off);
	assert_non_null(strstr(on->label, "turn on"));
	assert_non_null(strstr(off->label, "turn off"));
	/* Delete is never offered for a running guest; start never twice. */
	assert_null(vc_action_for_key('d', HV_STATE_RUNNING, false));
	assert_null(vc_action_for_key('s', HV_STATE_RUNNING, false));
	assert_non_null(vc_action_for_key('d', HV_STATE_SHUTOFF, false));
	assert_null(vc_action_for_key('z', HV_STATE_SHUTOFF, false));
}

/* Exactly the destructive ones ask, and their question names the guest once. */
static void test_confirmations(void **state)
{
	for (size_t i = 0; i < vc_n_actions; i++) {
		const struct vc_action *a = &vc_actions[i];
		bool destructive = a->key == 'f' || a->key == 'd';
		/* Shut down and reboot close the guest's programs: they ask too. */
		bool stops = a->key == 'h' || a->key == 'r';

		assert_int_equal(a->confirm != NULL, destructive || stops);
		if (a->confirm) {
			const char *p = strstr(a->confirm, "%s");
			char *q = vc_action_question(a, "web1");

			assert_non_null(p);
			assert_null(strstr(p + 2, "%"));
			if (destructive)
				assert_true(strstr(a->confirm, "lost") || strstr(a->confirm, "removed"));
			else
				assert_non_null(strstr(a->confirm, "close its programs"));
			assert_non_null(strstr(q, "web1"));
			assert_null(strstr(q, "%s"));
			free(q);
		}
	}
}

static void test_delete_question(void **state)
{
	char *files[] = { (char *)"/srv/a.img", (char *)"/srv/b.qcow2" };
	char *q = vc_delete_question("web1", files, 2);

	assert_non_null(strstr(q, "web1"));
	assert_non_null(strstr(q, "These files will be erased"));
	assert_non_null(strstr(q, "\n  /srv/a.img"));
	assert_non_null(strstr(q, "\n  /srv/b.qcow2"));
	free(q);
	q = vc_delete_question("web1", files, 1);
	assert_non_null(strstr(q, "This file will be erased"));
	assert_null(strstr(q, "b.qcow2"));
	free(q);
}

static enum hv_state state_of(struct hv_conn *conn, const char *name)
{
	struct hv_dom_stat *st = NULL;
	size_t n = 0;
	enum hv_state s = HV_STATE_NOSTATE;

	assert_int_equal(hv_list(conn, &st, &n, NULL), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(st[i].name, name))
			s = st[i].state;
	free(st);
	return s;
}

/* The handlers drive the real test driver: its guest "test" runs. */
static void test_handlers_on_test_driver(void **state)
{
	struct vc_app app;
	char *cause = NULL;
	const struct vc_action *a;

	memset(&app, 0, sizeof(app));
	assert_int_equal(hv_open("test:///default", &app.conn, &cause), 0);
	assert_int_equal(state_of(app.conn, "test"), HV_STATE_RUNNING);
	a = vc_action_for_key('p', HV_STATE_RUNNING, false);
	assert_int_equal(a->run(&app, "test", &cause), 0);
	assert_int_equal(state_of(app.conn, "test"), HV_STATE_PAUSED);
	a = vc_action_for_key('u', HV_STATE_PAUSED, false);
	assert_int_equal(a->run(&app, "test", &cause), 0);
	assert_int_equal(state_of(app.conn, "test"), HV_STATE_RUNNING);
	a = vc_action_for_key('f', HV_STATE_RUNNING, false);
	assert_int_equal(a->run(&app, "test", &cause), 0);
	assert_int_equal(state_of(app.conn, "test"), HV_STATE_SHUTOFF);
	a = vc_action_for_key('s', HV_STATE_SHUTOFF, false);
	assert_int_equal(a->run(&app, "test", &cause), 0);
	assert_int_equal(state_of(app.conn, "test"), HV_STATE_RUNNING);
	/* A failure comes back as a sentence, not as a crash. */
	a = vc_action_for_key('u', HV_STATE_PAUSED, false);
	assert_true(a->run(&app, "no-such-guest", &cause) < 0);
	assert_non_null(cause);
	free(cause);
	hv_close(app.conn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offered_by_state),
		cmocka_unit_test(test_keys_unique),
		cmocka_unit_test(test_autostart_toggle),
		cmocka_unit_test(test_confirmations),
		cmocka_unit_test(test_delete_question),
		cmocka_unit_test(test_handlers_on_test_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
