/* tui: the screen frame, dialogs and progress screens of ospite, the only code that calls newt. */
#ifndef OSPITE_TUI_H
#define OSPITE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the operator did to leave a dialog. */
enum tui_rc {
	TUI_NEXT = 0,   /* Next button, Enter on the last field, or F12 */
	TUI_BACK,       /* Back button, or Esc where the dialog has a Back or extra button */
	TUI_LANG,       /* language hotkey (F2 or Ctrl-T): switch and redraw */
	TUI_IDLE,       /* the tick of tui_tick_set() asked every open form to close */
	TUI_EXTRA = 100, /* + index: an extra button from tui_dialog_button() */
};

/* ---- frame and language (tui-frame.c) ---------------------------------- */

/*
 * Take the terminal: newt with a blue background on colour terminals, plain
 * ASCII borders where the terminal has no reliable line drawing (vt100 and
 * friends, serial lines, or OSPITE_ASCII=1), a root line on top and the help
 * line at the bottom.
 */
int tui_init(const char *root_text);
void tui_finish(void);
bool tui_active(void);
bool tui_ascii(void);
/* Lists show their current row with a "> " marker (terminals without colour) rather than in reverse. */
bool tui_list_marker(void);

/* Redraw the root and help lines, after a language change. */
void tui_frame_redraw(void);
/* Replace the installer's help line with @msgid, an N_() string translated at each redraw. */
void tui_frame_help(const char *msgid);

/* Set up gettext; @localedir may be NULL for the compiled-in default. */
void tui_i18n_init(const char *localedir);
/* Switch the language of every later string: "en" or "it". */
void tui_lang_set(const char *lang);
const char *tui_lang(void);

/* Width of a UTF-8 string in terminal columns. */
int tui_width(const char *s);
/* The longest prefix of @s that fits in @width columns: its length in bytes to *@bytes, its width returned. */
int tui_cut(const char *s, int width, size_t *bytes);

/* ---- dialogs (tui-dialog.c) -------------------------------------------- */

struct tui_dialog;

enum tui_entry_flags {
	TUI_ENTRY_HIDDEN = 1 << 0,   /* passwords */
	TUI_ENTRY_SUBMIT = 1 << 1,   /* Enter in it leaves the dialog as Next does (always so in
				      * the last field, when it is an entry) */
};

enum tui_buttons {
	TUI_BTN_NEXT = 1 << 0,
	TUI_BTN_BACK = 1 << 1,
};

/* Inner width of a dialog on this screen, which its texts and lists fill. */
int tui_dialog_width(void);
/* The columns a list row's text gets: the dialog's less the border, the scroll bar and, on
 * terminals without colour, the "> " marker. */
int tui_dialog_list_width(void);

struct tui_dialog *tui_dialog_new(const char *title);
void tui_dialog_free(struct tui_dialog *d);
void tui_dialog_text(struct tui_dialog *d, const char *text);
/* Each adder returns the field's id, used to read its value after run. */
int tui_dialog_entry(struct tui_dialog *d, const char *label, const char *value, int flags);
int tui_dialog_list(struct tui_dialog *d, const char *const *items, int n, int selected,
		    int height);
/* Append one row to list @id, taking ownership of the malloc'd @item. */
void tui_dialog_list_add(struct tui_dialog *d, int id, char *item);
int tui_dialog_radio(struct tui_dialog *d, const char *label, const char *const *choices,
		     int n, int selected);
int tui_dialog_check(struct tui_dialog *d, const char *label, bool value);
/* Extra buttons beside Back/Next; run() returns TUI_EXTRA + index when pressed. */
int tui_dialog_button(struct tui_dialog *d, const char *label);
void tui_dialog_buttons(struct tui_dialog *d, int which, const char *next_label);
/* Put the cursor on field @id when the dialog opens. */
void tui_dialog_focus(struct tui_dialog *d, int id);

int tui_dialog_run(struct tui_dialog *d);
const char *tui_dialog_value(struct tui_dialog *d, int id);
int tui_dialog_selected(struct tui_dialog *d, int id);
bool tui_dialog_checked(struct tui_dialog *d, int id);

/* A message with an OK button. */
void tui_message(const char *title, const char *text);
/* A question; true when the operator chose @yes. */
bool tui_ask(const char *title, const char *text, const char *yes, const char *no);

/* ---- progress screens (tui-progress.c) ----------------------------------- */

struct tui_progress;

/* A window with @text and a bar, like the slides' "Formatting" and "Dependency Check". */
struct tui_progress *tui_progress_new(const char *title, const char *text);
void tui_progress_set(struct tui_progress *p, unsigned permille, const char *detail);
void tui_progress_free(struct tui_progress *p);

/* What the Package Installation screen shows. */
struct tui_pkg_status {
	const char *name;         /* current package, "name-version-arch" */
	uint64_t size;            /* its size in bytes */
	const char *summary;
	unsigned pkg_permille;    /* current package */
	unsigned total_pkgs, done_pkgs;
	uint64_t total_bytes, done_bytes;
	unsigned elapsed_s, remaining_s;
	unsigned overall_permille;
	const char *status;       /* what is happening: "Unpacking", "Configuring" */
};

struct tui_pkgscreen;
struct tui_pkgscreen *tui_pkgscreen_new(void);
void tui_pkgscreen_update(struct tui_pkgscreen *s, const struct tui_pkg_status *st);
void tui_pkgscreen_free(struct tui_pkgscreen *s);

/* ---- the console's event loop (tui-loop.c, tui-keys.c) -------------------- */

/*
 * Call @fn every @ms milliseconds while any form of tui/ waits for keys, the
 * dialogs included. When @fn returns true the form closes at once and its run
 * function returns TUI_IDLE (tui_ask() returns false, a view TUI_EV_IDLE).
 * Without a tick (the default, and the installer) forms only wait for keys.
 */
void tui_tick_set(int ms, bool (*fn)(void *opaque), void *opaque);
/* Seconds since the operator last pressed a key (or tui_idle_reset()). */
unsigned tui_idle_seconds(void);
/* Count now as a key press: after a login, or on input newt did not read. */
void tui_idle_reset(void);
/* Give the terminal back (cooked mode, newt's screen kept) for a passthrough, and take it again. */
void tui_suspend(void);
void tui_resume(void);

/* ---- views that stay open and change in place (tui-view.c) ------------------ */

/*
 * A window whose labels and list rows are updated on a timer without being
 * recreated: setting a text that did not change draws nothing, so a 9600-baud
 * line only carries what changed.
 */
struct tui_view;

enum tui_ev_kind {
	TUI_EV_TICK = 0,  /* the tick ran: refresh what is shown */
	TUI_EV_BUTTON,    /* button @id was pressed */
	TUI_EV_LIST,      /* Enter on list @id */
	TUI_EV_KEY,       /* hotkey @key */
	TUI_EV_LANG,      /* the language hotkey */
	TUI_EV_IDLE,      /* the tick asked to close */
};

struct tui_event {
	enum tui_ev_kind kind;
	int id;
	int key;
};

/* Inner width of a view on this screen: the screen less a margin, at most 76 columns. */
int tui_view_width(void);
/* The widest a view can be on this screen: the screen less a margin. */
int tui_view_max_width(void);
/* Open a centred window @height rows high, tui_view_width() wide. */
struct tui_view *tui_view_new(const char *title, int height);
/* The same @width columns wide inside, within tui_view_width() and tui_view_max_width(): for a
 * table that has more to show on a wide terminal. */
struct tui_view *tui_view_new_wide(const char *title, int height, int width);
/* Close the window. */
void tui_view_free(struct tui_view *v);
/* A one-line text at column @x, row @y, kept exactly @width columns wide; returns its id. */
int tui_view_text(struct tui_view *v, int x, int y, int width, const char *text);
void tui_view_set_text(struct tui_view *v, int id, const char *text);
/* A list of rows, each with a key that names it (a guest name); returns its id. */
int tui_view_list(struct tui_view *v, int x, int y, int width, int height);
/* Replace every row, keeping the cursor on the row with the same key when there is one. */
void tui_view_list_reset(struct tui_view *v, int id, size_t n, const char *const *rows,
			 const char *const *keys);
/* Change the text of row @i in place. */
void tui_view_list_row(struct tui_view *v, int id, size_t i, const char *row);
/* The key of the row under the cursor, or NULL when the list is empty. */
const char *tui_view_list_current(struct tui_view *v, int id);
/* Buttons in a row along the bottom; returns the id of the first, the others follow. */
int tui_view_buttons(struct tui_view *v, const char *const *labels, int n);
/* A key (a letter, a function key) that ends tui_view_run() with TUI_EV_KEY. */
void tui_view_hotkey(struct tui_view *v, int key);
/* Put the cursor on list @id. */
void tui_view_focus_list(struct tui_view *v, int id);
/* Wait for the next key that leaves the form, or for the tick. */
void tui_view_run(struct tui_view *v, struct tui_event *ev);

/* @s cut or padded with spaces to exactly @width columns (malloc'd). */
char *tui_pad(const char *s, int width);

/* Format @bytes the way the slides do ("1885k", "796M"). */
void tui_fmt_size(uint64_t bytes, char *buf, size_t len);
/* Format seconds as "h:mm:ss". */
void tui_fmt_time(unsigned s, char *buf, size_t len);

#endif
