/* The Settings screen: the idle logout time, saved to the console's settings file. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vc_scr_settings(struct vc_app *app)
{
	char value[32], *intro = NULL;
	int focus = -1;

	snprintf(value, sizeof(value), "%u", app->conf.idle_timeout);
	for (;;) {
		const char *title = _("Settings");
		struct tui_dialog *d = tui_dialog_new(title);
		unsigned v;
		char *cause = NULL;
		int e, rc;

		if (asprintf(&intro, app->root ?
			     _("The console logs out after this many seconds without a key press; 0 means never. The setting is saved in %s.") :
			     _("The console logs out after this many seconds without a key press. The setting is saved in %s."),
			     app->conf_path) < 0)
			abort();
		tui_dialog_text(d, intro);
		free(intro);
		e = tui_dialog_entry(d, _("Idle logout (seconds):"), value, 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Save"));
		if (focus >= 0)
			tui_dialog_focus(d, focus);
		rc = tui_dialog_run(d);
		snprintf(value, sizeof(value), "%s", tui_dialog_value(d, e));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc == TUI_IDLE)
			return VC_LOGOUT;
		if (rc != TUI_NEXT)
			return VC_BACK;
		if (vc_check_idle(value, app->root, &v, &cause) < 0) {
			vc_error(title, cause);
			focus = e;
			continue;
		}
		struct vc_conf c = app->conf;

		c.idle_timeout = v;
		if (vc_conf_save(app->conf_path, &c, &cause) < 0) {
			vc_error(title, cause);
			continue;
		}
		vc_audit(app->user, "console settings idle_timeout %u -> %u", app->conf.idle_timeout,
			 c.idle_timeout);
		app->conf = c;
		return VC_BACK;
	}
}
