/* Dialogs built from rows of text, entries, lists, radio groups and checkboxes over newt. */
#include "tui.h"
#include "tui-priv.h"
#include "base/i18n.h"

#include <newt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field_kind { F_TEXT, F_ENTRY, F_LIST, F_RADIO, F_CHECK };

struct field {
	enum field_kind kind;
	char *label;
	char *value;            /* text, entry value; the result after run */
	int flags;
	char **items;           /* list items or radio choices */
	int n;
	int selected;
	int height;
	bool checked;
	newtComponent co;
	newtComponent *radios;
	int marked;             /* list row showing the "> " marker, on mono terminals */
};

struct tui_dialog {
	char *title;
	struct field *f;
	int nf;
	int buttons;
	char *next_label;
	char **extra;
	int nextra;
	int focus;
	bool esc_closes;        /* a message: Esc closes it as OK does */
};

#define MAX_EXTRA 4

/*
 * Without colour, newt shows a list's current row in reverse video across the
 * whole width, so every cursor move rewrites two full rows: heavy on a 9600-baud
 * line. tui_init() makes that row plain there, and a "> " marker shows it.
 */
static char *list_entry(const struct field *f, int k)
{
	char *t;

	if (f->marked < 0)
		return strdup(f->items[k]);
	if (asprintf(&t, "%s%s", k == f->marked ? "> " : "  ", f->items[k]) < 0)
		abort();
	return t;
}

static void list_moved(newtComponent co, void *data)
{
	struct field *f = data;
	int cur = (int)(intptr_t)newtListboxGetCurrent(co) - 1;
	int old = f->marked;
	char *t;

	if (cur < 0 || cur == old)
		return;
	f->marked = cur;
	if (old >= 0 && old < f->n) {
		t = list_entry(f, old);
		newtListboxSetEntry(co, old, t);
		free(t);
	}
	t = list_entry(f, cur);
	newtListboxSetEntry(co, cur, t);
	free(t);
}

int tui_dialog_width(void)
{
	int cols, rows;

	newtGetScreenSize(&cols, &rows);
	if (cols <= 0)
		cols = 80;
	return cols - 8 > 70 ? 70 : cols - 8;
}

int tui_dialog_list_width(void)
{
	/*
	 * Measured at 80 columns: the border and a blank column on the left, the gap, the scroll
	 * bar and the border on the right leave the rows seven columns less than the list.
	 */
	return tui_dialog_width() - 7 - (tui_list_marker() ? 2 : 0);
}

struct tui_dialog *tui_dialog_new(const char *title)
{
	struct tui_dialog *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	d->title = strdup(title);
	d->buttons = TUI_BTN_NEXT | TUI_BTN_BACK;
	d->focus = -1;
	return d;
}

static void field_clear(struct field *f)
{
	free(f->label);
	free(f->value);
	for (int i = 0; i < f->n; i++)
		free(f->items[i]);
	free(f->items);
	free(f->radios);
}

void tui_dialog_free(struct tui_dialog *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->nf; i++)
		field_clear(&d->f[i]);
	for (int i = 0; i < d->nextra; i++)
		free(d->extra[i]);
	free(d->extra);
	free(d->f);
	free(d->title);
	free(d->next_label);
	free(d);
}

static struct field *add(struct tui_dialog *d, enum field_kind kind, const char *label)
{
	struct field *nf = realloc(d->f, (d->nf + 1) * sizeof(*nf));

	if (!nf)
		abort();
	d->f = nf;
	memset(&nf[d->nf], 0, sizeof(*nf));
	nf[d->nf].kind = kind;
	nf[d->nf].label = strdup(label ? label : "");
	return &nf[d->nf++];
}

static char **copy_items(const char *const *items, int n)
{
	char **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		abort();
	for (int i = 0; i < n; i++)
		v[i] = strdup(items[i]);
	return v;
}

void tui_dialog_text(struct tui_dialog *d, const char *text)
{
	add(d, F_TEXT, text);
}

int tui_dialog_entry(struct tui_dialog *d, const char *label, const char *value, int flags)
{
	struct field *f = add(d, F_ENTRY, label);

	f->value = strdup(value ? value : "");
	f->flags = flags;
	return d->nf - 1;
}

int tui_dialog_list(struct tui_dialog *d, const char *const *items, int n, int selected,
		    int height)
{
	struct field *f = add(d, F_LIST, NULL);

	f->items = copy_items(items, n);
	f->n = n;
	/* Rows may still come through tui_dialog_list_add(): check the range when placing. */
	f->selected = selected > 0 ? selected : 0;
	f->height = height > 0 ? height : (n < 8 ? n : 8);
	if (f->height < 1)
		f->height = 1;
	return d->nf - 1;
}

void tui_dialog_list_add(struct tui_dialog *d, int id, char *item)
{
	struct field *f = &d->f[id];
	char **v = realloc(f->items, (f->n + 1) * sizeof(*v));

	if (!v)
		abort();
	f->items = v;
	f->items[f->n++] = item;
}

int tui_dialog_radio(struct tui_dialog *d, const char *label, const char *const *choices,
		     int n, int selected)
{
	struct field *f = add(d, F_RADIO, label);

	f->items = copy_items(choices, n);
	f->n = n;
	f->selected = selected >= 0 && selected < n ? selected : 0;
	return d->nf - 1;
}

int tui_dialog_check(struct tui_dialog *d, const char *label, bool value)
{
	struct field *f = add(d, F_CHECK, label);

	f->checked = value;
	return d->nf - 1;
}

int tui_dialog_button(struct tui_dialog *d, const char *label)
{
	if (d->nextra >= MAX_EXTRA)
		abort();
	d->extra = realloc(d->extra, (d->nextra + 1) * sizeof(*d->extra));
	if (!d->extra)
		abort();
	d->extra[d->nextra] = strdup(label);
	return d->nextra++;
}

void tui_dialog_buttons(struct tui_dialog *d, int which, const char *next_label)
{
	d->buttons = which;
	free(d->next_label);
	d->next_label = next_label ? strdup(next_label) : NULL;
}

void tui_dialog_focus(struct tui_dialog *d, int id)
{
	d->focus = id;
}

/* Width of the label column shared by every entry and radio row. */
static int label_width(struct tui_dialog *d)
{
	int w = 0;

	for (int i = 0; i < d->nf; i++) {
		if (d->f[i].kind == F_ENTRY || d->f[i].kind == F_RADIO) {
			int lw = tui_width(d->f[i].label);

			if (lw > w)
				w = lw;
		}
	}
	return w;
}

static int radio_row_width(const struct field *f, int labw)
{
	int w = labw + 1;

	for (int i = 0; i < f->n; i++)
		w += 4 + tui_width(f->items[i]) + 2;
	return w;
}

/*
 * The entry where Enter is done typing: the last field that takes input, when it is an entry and
 * the dialog has a Next button. Enter there goes ahead, as the default button does in any newt
 * form; in the entries before it, Enter moves on to the next field. -1 = none.
 */
static int submit_entry(const struct tui_dialog *d)
{
	if (!(d->buttons & TUI_BTN_NEXT))
		return -1;
	for (int i = d->nf - 1; i >= 0; i--)
		if (d->f[i].kind != F_TEXT)
			return d->f[i].kind == F_ENTRY ? i : -1;
	return -1;
}

/* Place every field in @form starting at row @y; returns the next free row. */
static int layout(struct tui_dialog *d, newtComponent form, int width, bool place, int y)
{
	int labw = label_width(d);
	int submit = submit_entry(d);

	for (int i = 0; i < d->nf; i++) {
		struct field *f = &d->f[i];

		switch (f->kind) {
		case F_TEXT: {
			int tw, th;
			char *flowed = newtReflowText(f->label, width, 0, 0, &tw, &th);

			if (place) {
				f->co = newtTextbox(1, y, width, th, 0);
				newtTextboxSetText(f->co, flowed);
				newtFormAddComponent(form, f->co);
			}
			free(flowed);
			y += th + 1;
			break;
		}
		case F_ENTRY:
			if (place) {
				newtComponent l = newtLabel(1, y, f->label);
				int flags = NEWT_FLAG_SCROLL;

				if (f->flags & TUI_ENTRY_HIDDEN)
					flags |= NEWT_FLAG_PASSWORD;
				if ((f->flags & TUI_ENTRY_SUBMIT) || i == submit)
					flags |= NEWT_FLAG_RETURNEXIT;
				f->co = newtEntry(labw + 3, y, f->value, width - labw - 2, NULL, flags);
				newtFormAddComponents(form, l, f->co, NULL);
			}
			y++;
			break;
		case F_LIST:
			if (place) {
				/* A scroll bar only when the items do not fit. */
				f->co = newtListbox(1, y, f->height + 2,
						    (f->n > f->height ? NEWT_FLAG_SCROLL : 0) |
						    NEWT_FLAG_RETURNEXIT | NEWT_FLAG_BORDER);
				newtListboxSetWidth(f->co, width);
				if (f->selected >= f->n)
					f->selected = f->n > 0 ? f->n - 1 : 0;
				f->marked = tui_list_marker() ? f->selected : -1;
				for (int k = 0; k < f->n; k++) {
					char *t = list_entry(f, k);

					newtListboxAppendEntry(f->co, t, (void *)(intptr_t)(k + 1));
					free(t);
				}
				newtListboxSetCurrent(f->co, f->selected);
				if (f->marked >= 0)
					newtComponentAddCallback(f->co, list_moved, f);
				newtFormAddComponent(form, f->co);
			}
			y += f->height + 3;
			break;
		case F_RADIO: {
			bool across = radio_row_width(f, labw) <= width;

			if (place) {
				newtComponent prev = NULL;
				int x = labw + 3;

				newtFormAddComponent(form, newtLabel(1, y, f->label));
				f->radios = calloc(f->n, sizeof(*f->radios));
				for (int k = 0; k < f->n; k++) {
					int ry = across ? y : y + k;

					prev = newtRadiobutton(x, ry, f->items[k], k == f->selected,
							       prev);
					f->radios[k] = prev;
					newtFormAddComponent(form, prev);
					if (across)
						x += 4 + tui_width(f->items[k]) + 2;
				}
				f->co = f->radios[f->selected];
			}
			y += across ? 1 : f->n;
			break;
		}
		case F_CHECK:
			if (place) {
				f->co = newtCheckbox(1, y, f->label, f->checked ? '*' : ' ', NULL,
						     NULL);
				newtFormAddComponent(form, f->co);
			}
			y++;
			break;
		}
	}
	return y;
}

static void collect(struct tui_dialog *d)
{
	for (int i = 0; i < d->nf; i++) {
		struct field *f = &d->f[i];

		switch (f->kind) {
		case F_ENTRY:
			free(f->value);
			f->value = strdup(newtEntryGetValue(f->co));
			break;
		case F_LIST:
			f->selected = (int)(intptr_t)newtListboxGetCurrent(f->co) - 1;
			if (f->selected < 0)
				f->selected = 0;
			break;
		case F_RADIO: {
			newtComponent cur = newtRadioGetCurrent(f->radios[0]);

			for (int k = 0; k < f->n; k++)
				if (f->radios[k] == cur)
					f->selected = k;
			free(f->radios);
			f->radios = NULL;
			break;
		}
		case F_CHECK:
			f->checked = newtCheckboxGetValue(f->co) != ' ';
			break;
		case F_TEXT:
			break;
		}
	}
}

/*
 * Esc cancels, as in every newt program: Back where there is one, the "no" of a question (its
 * first button), and OK of a message. Any other dialog keeps waiting: Esc must never accept
 * what was typed, nor press a button such as Reboot. -1 = ignore the key.
 */
static int esc_result(const struct tui_dialog *d)
{
	if (d->buttons & TUI_BTN_BACK)
		return TUI_BACK;
	if (d->nextra && !(d->buttons & TUI_BTN_NEXT))
		return TUI_EXTRA;
	return d->esc_closes ? TUI_NEXT : -1;
}

int tui_dialog_run(struct tui_dialog *d)
{
	int width = tui_dialog_width();
	int height = layout(d, NULL, width, false, 0) + 1;
	newtComponent form = newtForm(NULL, NULL, 0);
	newtComponent next = NULL, back = NULL, extra[MAX_EXTRA];
	struct newtExitStruct es;
	int rc = TUI_NEXT, x;

	newtCenteredWindow(width + 2, height, d->title);
	layout(d, form, width, true, 0);
	/* Buttons: extras on the left, then Back and Next on the right. */
	x = 1;
	for (int i = 0; i < d->nextra; i++) {
		extra[i] = newtCompactButton(x, height - 1, d->extra[i]);
		newtFormAddComponent(form, extra[i]);
		x += tui_width(d->extra[i]) + 5;
	}
	x = width + 1;
	if (d->buttons & TUI_BTN_NEXT) {
		const char *nl = d->next_label ? d->next_label : _("Next");

		x -= tui_width(nl) + 4;
		next = newtCompactButton(x, height - 1, nl);
	}
	if (d->buttons & TUI_BTN_BACK) {
		x -= tui_width(_("Back")) + 5;
		back = newtCompactButton(x, height - 1, _("Back"));
		newtFormAddComponent(form, back);
	}
	if (next)
		newtFormAddComponent(form, next);
	newtFormAddHotKey(form, NEWT_KEY_F12);
	newtFormAddHotKey(form, NEWT_KEY_F2);
	newtFormAddHotKey(form, TUI_KEY_CTRL_T);
	newtFormAddHotKey(form, NEWT_KEY_ESCAPE);
	if (d->focus >= 0 && d->focus < d->nf && d->f[d->focus].co)
		newtFormSetCurrent(form, d->f[d->focus].co);

	if (tui_tick_ms() > 0)
		newtFormSetTimer(form, tui_tick_ms());
	for (;;) {
		newtFormRun(form, &es);
		if (es.reason == NEWT_EXIT_HOTKEY && es.u.key == NEWT_KEY_ESCAPE &&
		    esc_result(d) < 0)
			continue;
		if (es.reason != NEWT_EXIT_TIMER)
			break;
		if (tui_tick_fire()) {
			rc = TUI_IDLE;
			break;
		}
	}
	if (rc == TUI_IDLE) {
		/* The caller unwinds: no button counts as pressed. */
	} else if (es.reason == NEWT_EXIT_HOTKEY) {
		if (es.u.key == NEWT_KEY_F12)
			rc = TUI_NEXT;
		else if (es.u.key == NEWT_KEY_ESCAPE)
			rc = esc_result(d);
		else
			rc = TUI_LANG;
	} else if (es.reason == NEWT_EXIT_COMPONENT) {
		rc = TUI_NEXT;
		if (back && es.u.co == back)
			rc = TUI_BACK;
		for (int i = 0; i < d->nextra; i++)
			if (es.u.co == extra[i])
				rc = TUI_EXTRA + i;
	}
	collect(d);
	newtFormDestroy(form);
	newtPopWindow();
	return rc;
}

const char *tui_dialog_value(struct tui_dialog *d, int id)
{
	return id >= 0 && id < d->nf && d->f[id].value ? d->f[id].value : "";
}

int tui_dialog_selected(struct tui_dialog *d, int id)
{
	return id >= 0 && id < d->nf ? d->f[id].selected : -1;
}

bool tui_dialog_checked(struct tui_dialog *d, int id)
{
	return id >= 0 && id < d->nf && d->f[id].checked;
}

void tui_message(const char *title, const char *text)
{
	struct tui_dialog *d = tui_dialog_new(title);

	tui_dialog_text(d, text);
	tui_dialog_buttons(d, TUI_BTN_NEXT, _("OK"));
	d->esc_closes = true;
	tui_dialog_run(d);
	tui_dialog_free(d);
}

bool tui_ask(const char *title, const char *text, const char *yes, const char *no)
{
	struct tui_dialog *d = tui_dialog_new(title);
	int rc;

	tui_dialog_text(d, text);
	tui_dialog_buttons(d, 0, NULL);
	tui_dialog_button(d, no);
	tui_dialog_button(d, yes);
	rc = tui_dialog_run(d);
	tui_dialog_free(d);
	return rc == TUI_EXTRA + 1;
}
