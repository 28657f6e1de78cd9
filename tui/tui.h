/* tui: the screen frame, dialogs and progress screens of ospite, the only code that calls newt. */
#ifndef OSPITE_TUI_H
#define OSPITE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the operator did to leave a dialog. */
enum tui_rc {
	TUI_NEXT = 0,   /* Next button, Enter on the last field, or F12 */
	TUI_BACK,       /* Back button */
	TUI_LANG,       /* language hotkey (F2 or Ctrl-T): switch and redraw */
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

/* Redraw the root and help lines, after a language change. */
void tui_frame_redraw(void);

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
};

enum tui_buttons {
	TUI_BTN_NEXT = 1 << 0,
	TUI_BTN_BACK = 1 << 1,
};

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

/* Format @bytes the way the slides do ("1885k", "796M"). */
void tui_fmt_size(uint64_t bytes, char *buf, size_t len);
/* Format seconds as "h:mm:ss". */
void tui_fmt_time(unsigned s, char *buf, size_t len);

#endif
