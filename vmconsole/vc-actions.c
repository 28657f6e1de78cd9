/* The table of guest actions (key, label, confirmation, when offered, handler), each calling one hv/ function. */
#include "vc.h"
#include "vc-backup.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdlib.h>
#include <string.h>

static int act_start(struct vc_app *app, const char *name, char **cause)
{
	struct hv_guest *g = NULL;

	/* What it starts with: the definition's current memory, not the maximum a balloon may reach. */
	if (hv_get(app->conn, name, &g, NULL) == 0) {
		bool fits = vc_memory_fits(app, name, g->memory_kib, _("Start"));

		hv_guest_free(g);
		if (!fits)
			return 0;
	}
	return hv_start(app->conn, name, cause);
}

static int act_shutdown(struct vc_app *app, const char *name, char **cause)
{
	return vc_shutdown_wait(app, name, cause);
}

static int act_reboot(struct vc_app *app, const char *name, char **cause)
{
	return hv_reboot(app->conn, name, cause);
}

static int act_destroy(struct vc_app *app, const char *name, char **cause)
{
	return hv_destroy(app->conn, name, cause);
}

static int act_pause(struct vc_app *app, const char *name, char **cause)
{
	return hv_suspend(app->conn, name, cause);
}

static int act_resume(struct vc_app *app, const char *name, char **cause)
{
	return hv_resume(app->conn, name, cause);
}

static int act_autostart_on(struct vc_app *app, const char *name, char **cause)
{
	return hv_set_autostart(app->conn, name, true, cause);
}

static int act_autostart_off(struct vc_app *app, const char *name, char **cause)
{
	return hv_set_autostart(app->conn, name, false, cause);
}

static int act_console(struct vc_app *app, const char *name, char **cause)
{
	return vc_serial_attach(app, name, cause);
}

static int act_migrate(struct vc_app *app, const char *name, char **cause)
{
	return vc_migrate_screen(app, name, cause);
}

static int act_clone(struct vc_app *app, const char *name, char **cause)
{
	return vc_clone_screen(app, name, cause);
}

static int act_template(struct vc_app *app, const char *name, char **cause)
{
	return vc_template_action(app, name, cause);
}

static int act_backup(struct vc_app *app, const char *name, char **cause)
{
	return vc_backup_screen(app, name, cause);
}

static int act_vnc(struct vc_app *app, const char *name, char **cause)
{
	return vc_vnc_show(app, name, cause);
}

/* The question's first %s replaced by the name: the questions of the table are data, not literals. */
char *vc_action_question(const struct vc_action *a, const char *name)
{
	const char *fmt = a->confirm ? _(a->confirm) : "", *p = strstr(fmt, "%s");
	struct base_buf b = { 0 };

	if (!p) {
		base_buf_str(&b, fmt);
	} else {
		base_buf_add(&b, fmt, p - fmt);
		base_buf_str(&b, name);
		base_buf_str(&b, p + 2);
	}
	if (b.oom)
		abort();
	return b.s;
}

static int act_snapshots(struct vc_app *app, const char *name, char **cause)
{
	return vc_snap_screen(app, name, cause);
}

char *vc_delete_question(const char *name, char *const *files, size_t n)
{
	struct base_buf b = { 0 };

	base_buf_printf(&b, P_("Delete the disk file of %s too? This file will be erased:",
			       "Delete the disk files of %s too? These files will be erased:", n),
			name);
	for (size_t i = 0; i < n; i++)
		base_buf_printf(&b, "\n  %s", files[i]);
	if (b.oom)
		abort();
	return b.s;
}

/* The definition goes after the question of the table; its files only after a second one. */
static int act_delete(struct vc_app *app, const char *name, char **cause)
{
	char **files = NULL, *question;
	size_t n = 0;
	bool storage = false;
	int rc = hv_storage_files(app->conn, name, &files, &n, cause);

	if (rc < 0)
		return rc;
	if (n) {
		question = vc_delete_question(name, files, n);
		storage = tui_ask(_("Delete"), question, _("Delete files"), _("Keep files"));
		free(question);
	}
	vc_strv_free(files, n);
	if (app->unwinding)
		return 0;
	return hv_undefine(app->conn, name, storage, cause);
}

#define RUNNING (VC_STATE_BIT(HV_STATE_RUNNING) | VC_STATE_BIT(HV_STATE_BLOCKED))

const struct vc_action vc_actions[] = {
	{ 's', N_("Start"), NULL, VC_OFF, -1, act_start },
	{ 'h', N_("Shut down"),
	  /* TRANSLATORS: %s is a guest name. */
	  N_("Shut down %s? The guest is asked to close its programs and turn off, as when its power button is pressed."),
	  RUNNING, -1, act_shutdown },
	{ 'r', N_("Reboot"),
	  /* TRANSLATORS: %s is a guest name. */
	  N_("Reboot %s? The guest is asked to close its programs and start again; whoever uses it loses the connection meanwhile."),
	  RUNNING, -1, act_reboot },
	{ 'f', N_("Force off"),
	  /* TRANSLATORS: %s is a guest name. */
	  N_("Force off %s? This is like pulling its power plug: whatever the guest has not written to its disks is lost."),
	  VC_ON, -1, act_destroy },
	{ 'p', N_("Pause"), NULL, RUNNING, -1, act_pause },
	{ 'u', N_("Resume"), NULL, VC_STATE_BIT(HV_STATE_PAUSED), -1, act_resume },
	{ 'c', N_("Serial console"), NULL, VC_ON, -1, act_console },
	{ 'v', N_("VNC display"), NULL, VC_ON, -1, act_vnc },
	{ 'm', N_("Migrate to another host"), NULL, VC_ON | VC_OFF, -1, act_migrate },
	{ 'n', N_("Snapshots"), NULL, VC_ON | VC_OFF, -1, act_snapshots },
	{ 'b', N_("Back up"), NULL, VC_ON | VC_OFF, -1, act_backup },
	{ 'a', N_("Start at boot: turn on"), NULL, VC_ON | VC_OFF, 0, act_autostart_on },
	{ 'a', N_("Start at boot: turn off"), NULL, VC_ON | VC_OFF, 1, act_autostart_off },
	{ 'l', N_("Clone"), NULL, VC_OFF, -1, act_clone },
	{ 't', N_("Template"), NULL, VC_OFF, -1, act_template },
	{ 'd', N_("Delete"),
	  /* TRANSLATORS: %s is a guest name. */
	  N_("Delete the guest %s? Its definition is removed and it can no longer be started."),
	  VC_OFF, -1, act_delete },
};
const size_t vc_n_actions = sizeof(vc_actions) / sizeof(vc_actions[0]);

static bool offered(const struct vc_action *a, enum hv_state state, bool autostart)
{
	if (!(a->states & VC_STATE_BIT(state)))
		return false;
	return a->autostart < 0 || a->autostart == (int)autostart;
}

size_t vc_actions_offered(enum hv_state state, bool autostart, const struct vc_action **out,
			  size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < vc_n_actions; i++)
		if (offered(&vc_actions[i], state, autostart) && n < max)
			out[n++] = &vc_actions[i];
	return n;
}

const struct vc_action *vc_action_for_key(int key, enum hv_state state, bool autostart)
{
	for (size_t i = 0; i < vc_n_actions; i++)
		if (vc_actions[i].key == key && offered(&vc_actions[i], state, autostart))
			return &vc_actions[i];
	return NULL;
}
