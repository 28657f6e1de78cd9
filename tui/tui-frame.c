/* The screen frame (root line, help line, colours, borders) and the language switch. */
#include "tui.h"
#include "tui-priv.h"
#include "base/i18n.h"

#include <limits.h>
#include <locale.h>
#include <newt.h>
#include <slang.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

extern int _nl_msg_cat_cntr;

static bool active;
static bool ascii;
static char *root_text;
static const char *help_msgid;  /* untranslated, so that a language switch translates it again */
static char lang[8] = "en";
static char msg_locale[32] = "C.UTF-8";

bool tui_active(void)
{
	return active;
}

bool tui_list_marker(void)
{
	return !SLtt_Use_Ansi_Colors;
}

bool tui_ascii(void)
{
	return ascii;
}

int tui_cut(const char *s, int width, size_t *bytes)
{
	size_t len = strlen(s), off = 0;
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (off < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + off, len - off, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not valid in this locale: count the byte as one column. */
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
		} else {
			cw = wcwidth(wc) > 0 ? wcwidth(wc) : 0;
		}
		if (w + cw > width)
			break;
		w += cw;
		off += n;
	}
	if (bytes)
		*bytes = off;
	return w;
}

int tui_width(const char *s)
{
	return tui_cut(s, INT_MAX, NULL);
}

/*
 * Terminals whose line drawing is unreliable: real vt100s and the emulators
 * behind IPMI serial-over-LAN, where the alternate character set often comes
 * out as letters. A serial line gets ASCII too.
 */
static bool want_ascii(void)
{
	const char *term = getenv("TERM");
	const char *force = getenv("OSPITE_ASCII");
	char *tty;

	if (force && *force)
		return strcmp(force, "0") != 0;
	if (!term || !*term || !strncmp(term, "vt1", 3) || !strncmp(term, "vt2", 3) ||
	    !strcmp(term, "dumb") || !strcmp(term, "ansi"))
		return true;
	tty = ttyname(0);
	return tty && !strncmp(tty, "/dev/ttyS", 9);
}

void tui_i18n_init(const char *localedir)
{
	const char *dir = localedir ? localedir : getenv("OSPITE_LOCALEDIR");
	const char *cur;

	/*
	 * Install media and fresh hosts have only the C locales: our own text
	 * must not depend on a generated locale, so fall back to C.UTF-8 and let
	 * LANGUAGE pick the catalog.
	 */
	cur = setlocale(LC_ALL, "");
	if (!cur || !strcmp(cur, "C") || !strcmp(cur, "POSIX") ||
	    !strstr(setlocale(LC_CTYPE, NULL), "UTF-8")) {
		if (setlocale(LC_ALL, "C.UTF-8"))
			setenv("LC_ALL", "C.UTF-8", 1);
	}
	snprintf(msg_locale, sizeof(msg_locale), "%s", setlocale(LC_MESSAGES, NULL));
	bindtextdomain("ospite", dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset("ospite", "UTF-8");
	textdomain("ospite");

	const char *env = getenv("LANGUAGE");

	if (!env || !*env)
		env = getenv("LANG");
	tui_lang_set(env && !strncmp(env, "it", 2) ? "it" : "en");
}

void tui_lang_set(const char *l)
{
	snprintf(lang, sizeof(lang), "%s", !strcmp(l, "it") ? "it" : "en");
	setenv("LANGUAGE", lang, 1);
	/*
	 * gettext caches the strings it found; glibc's setlocale() skips that
	 * flush when the locale name does not change, so bump the counter that
	 * tells gettext its catalogs changed, as the gettext manual describes.
	 */
	setlocale(LC_MESSAGES, msg_locale);
	++_nl_msg_cat_cntr;
}

const char *tui_lang(void)
{
	return lang;
}

void tui_frame_help(const char *msgid)
{
	help_msgid = msgid;
	tui_frame_redraw();
}

void tui_frame_redraw(void)
{
	int cols, rows;

	if (!active)
		return;
	newtGetScreenSize(&cols, &rows);
	/* Clear the root line first: the other language's text may be longer. */
	char *blank = malloc(cols + 1);

	if (blank) {
		memset(blank, ' ', cols);
		blank[cols] = '\0';
		newtDrawRootText(0, 0, blank);
		free(blank);
	}
	newtDrawRootText(0, 0, root_text ? root_text : "");
	/* TRANSLATORS: the language hotkey hint on the right of the root line. */
	const char *hint = _("F2: Italiano");
	newtDrawRootText(-(tui_width(hint) + 1), 0, hint);
	newtPopHelpLine();
	newtPushHelpLine(help_msgid ? _(help_msgid) :
			 _("<Tab>/<Alt-Tab> between elements | <Space> selects | <F12> next screen"));
	newtRefresh();
}

static void set_ascii_borders(void)
{
	/*
	 * S-Lang picks Unicode box drawing whenever the terminal is in UTF-8
	 * mode. Re-initialise the screen once with UTF-8 output off and no
	 * alternate character set so that it settles on its ASCII table, then
	 * turn UTF-8 back on for the text itself.
	 */
	SLtt_Has_Alt_Charset = 0;
	SLtt_utf8_enable(0);
	SLsmg_reinit_smg();
	SLtt_utf8_enable(1);
	SLtt_Has_Alt_Charset = 0;
}

int tui_init(const char *root)
{
	free(root_text);
	root_text = strdup(root ? root : "");
	ascii = want_ascii();
	if (newtInit() < 0)
		return -1;
	active = true;
	if (ascii)
		set_ascii_borders();
	/* A reverse current row costs two whole rows per cursor move on a serial line. */
	if (tui_list_marker()) {
		SLtt_set_mono(NEWT_COLORSET_ACTLISTBOX, NULL, 0);
		SLtt_set_mono(NEWT_COLORSET_ACTSELLISTBOX, NULL, 0);
	}
	newtCls();
	newtPushHelpLine("");
	tui_frame_redraw();
	return 0;
}

void tui_finish(void)
{
	if (!active)
		return;
	newtFinished();
	active = false;
	free(root_text);
	root_text = NULL;
}
