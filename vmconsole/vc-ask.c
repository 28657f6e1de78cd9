/* The console's dialogs of a few text entries under a text: one loop for the language switch, Back and the idle logout. */
#include "vc.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* gettext of @s, but "" stays "" (gettext would give the catalog's header). */
static const char *tr(const char *s)
{
	return s && *s ? _(s) : "";
}

int vc_ask_entries(const char *title, const char *next, struct vc_entry *e, size_t n, int focus,
		   const char *intro, ...)
{
	for (;;) {
		/* Made again at each showing: after F2, the N_() texts come in the other language. */
		struct tui_dialog *d = tui_dialog_new(tr(title));
		int ids[VC_ASK_MAX], rc;
		char *text = NULL;
		va_list ap;

		if (n > VC_ASK_MAX)
			abort();
		va_start(ap, intro);
		if (vasprintf(&text, tr(intro), ap) < 0)
			abort();
		va_end(ap);
		tui_dialog_text(d, text);
		free(text);
		/* Enter in the last entry is done typing: it goes ahead, as in the login dialog. */
		for (size_t i = 0; i < n; i++)
			ids[i] = tui_dialog_entry(d, tr(e[i].label), e[i].value,
						  i + 1 == n ? TUI_ENTRY_SUBMIT : 0);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, tr(next));
		if (focus >= 0 && (size_t)focus < n)
			tui_dialog_focus(d, ids[focus]);
		rc = tui_dialog_run(d);
		/* What was typed stays, whichever way the dialog closed. */
		for (size_t i = 0; i < n; i++)
			snprintf(e[i].value, e[i].len, "%s", tui_dialog_value(d, ids[i]));
		tui_dialog_free(d);
		if (rc == TUI_LANG) {
			vc_lang_toggle();
			continue;
		}
		if (rc == TUI_IDLE)
			return VC_ASK_IDLE;
		return rc == TUI_NEXT ? VC_ASK_NEXT : VC_ASK_BACK;
	}
}
