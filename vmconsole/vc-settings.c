/* The Settings screen: the idle logout time, saved to the console's settings file. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vc_scr_settings(struct vc_app *app)
{
	char value[32];
	int focus = -1;

	snprintf(value, sizeof(value), "%u", app->conf.idle_timeout);
	for (;;) {
		struct vc_entry e = { N_("Idle logout (seconds):"), value, sizeof(value) };
		unsigned v;
		char *cause = NULL;
		int rc = vc_ask_entries(N_("Settings"), N_("Save"), &e, 1, focus, app->root ?
					N_("The console logs out after this many seconds without a key press; 0 means never. The setting is saved in %s.") :
					N_("The console logs out after this many seconds without a key press. The setting is saved in %s."),
					app->conf_path);

		if (rc == VC_ASK_IDLE)
			return VC_LOGOUT;
		if (rc != VC_ASK_NEXT)
			return VC_BACK;
		if (vc_check_idle(value, app->root, &v, &cause) < 0) {
			vc_error(_("Settings"), cause);
			focus = 0;
			continue;
		}
		struct vc_conf c = app->conf;

		c.idle_timeout = v;
		if (vc_conf_save(app->conf_path, &c, &cause) < 0) {
			vc_error(_("Settings"), cause);
			continue;
		}
		vc_audit(app->user, "console settings idle_timeout %u -> %u", app->conf.idle_timeout,
			 c.idle_timeout);
		app->conf = c;
		return VC_BACK;
	}
}
