/* Windows that stay open while a timer updates their texts and list rows in place. */
#include "tui.h"
#include "tui-priv.h"

#include <newt.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cell {
	newtComponent co;
	char *text;
	int width;
};

struct vlist {
	newtComponent co;
	int width;
	bool marker;
	int marked;
	size_t n;
	char **rows;
	char **keys;
};

struct tui_view {
	newtComponent form;
	int width;
	int height;
	struct cell *cells;
	int ncells;
	struct vlist *lists;
	int nlists;
	newtComponent *buttons;
	int nbuttons;
};

char *tui_pad(const char *s, int width)
{
	size_t cut;
	int w = tui_cut(s ? s : "", width > 0 ? width : 0, &cut);
	int pad = width > w ? width - w : 0;
	char *buf = malloc(cut + pad + 1);

	if (!buf)
		abort();
	memcpy(buf, s ? s : "", cut);
	memset(buf + cut, ' ', pad);
	buf[cut + pad] = '\0';
	return buf;
}

int tui_view_max_width(void)
{
	int cols, rows;

	newtGetScreenSize(&cols, &rows);
	if (cols <= 0)
		cols = 80;
	return cols - 4;
}

int tui_view_width(void)
{
	int w = tui_view_max_width();

	return w > 76 ? 76 : w;
}

struct tui_view *tui_view_new(const char *title, int height)
{
	return tui_view_new_wide(title, height, 0);
}

struct tui_view *tui_view_new_wide(const char *title, int height, int width)
{
	struct tui_view *v = calloc(1, sizeof(*v));
	int most = tui_view_max_width();

	if (!v)
		abort();
	if (width < tui_view_width())
		width = tui_view_width();
	v->width = width > most ? most : width;
	v->height = height;
	newtCenteredWindow(v->width + 2, height, title);
	v->form = newtForm(NULL, NULL, 0);
	newtFormSetTimer(v->form, tui_tick_ms() > 0 ? tui_tick_ms() : 1000);
	newtFormAddHotKey(v->form, NEWT_KEY_F2);
	newtFormAddHotKey(v->form, TUI_KEY_CTRL_T);
	return v;
}

static void list_clear(struct vlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i]);
		free(l->keys[i]);
	}
	free(l->rows);
	free(l->keys);
	l->rows = l->keys = NULL;
	l->n = 0;
}

void tui_view_free(struct tui_view *v)
{
	if (!v)
		return;
	newtFormDestroy(v->form);
	newtPopWindow();
	for (int i = 0; i < v->ncells; i++)
		free(v->cells[i].text);
	for (int i = 0; i < v->nlists; i++)
		list_clear(&v->lists[i]);
	free(v->cells);
	free(v->lists);
	free(v->buttons);
	free(v);
}

static void *grow(void *p, int n, size_t size)
{
	void *np = realloc(p, (n + 1) * size);

	if (!np)
		abort();
	return np;
}

int tui_view_text(struct tui_view *v, int x, int y, int width, const char *text)
{
	struct cell *c;
	char *padded;

	v->cells = grow(v->cells, v->ncells, sizeof(*v->cells));
	c = &v->cells[v->ncells];
	if (width <= 0 || width > v->width + 1 - x)
		width = v->width + 1 - x;
	c->width = width;
	c->text = strdup(text ? text : "");
	padded = tui_pad(c->text, width);
	c->co = newtLabel(x, y, padded);
	free(padded);
	newtFormAddComponent(v->form, c->co);
	return v->ncells++;
}

void tui_view_set_text(struct tui_view *v, int id, const char *text)
{
	struct cell *c = &v->cells[id];
	char *padded;

	if (!text)
		text = "";
	if (!strcmp(c->text, text))
		return;
	free(c->text);
	c->text = strdup(text);
	padded = tui_pad(text, c->width);
	newtLabelSetText(c->co, padded);
	free(padded);
}

int tui_view_list(struct tui_view *v, int x, int y, int width, int height)
{
	struct vlist *l;

	v->lists = grow(v->lists, v->nlists, sizeof(*v->lists));
	l = &v->lists[v->nlists];
	memset(l, 0, sizeof(*l));
	if (width <= 0 || width > v->width + 1 - x)
		width = v->width + 1 - x;
	l->width = width;
	l->marker = tui_list_marker();
	l->marked = -1;
	l->co = newtListbox(x, y, height, NEWT_FLAG_RETURNEXIT);
	newtListboxSetWidth(l->co, width);
	newtFormAddComponent(v->form, l->co);
	return v->nlists++;
}

static char *entry_text(struct vlist *l, const char *row, bool cur)
{
	char *padded, *out;

	if (!l->marker)
		return tui_pad(row, l->width);
	padded = tui_pad(row, l->width - 2);
	if (asprintf(&out, "%s%s", cur ? "> " : "  ", padded) < 0)
		abort();
	free(padded);
	return out;
}

static void set_entry(struct vlist *l, int i, bool cur)
{
	char *t;

	if (i < 0 || (size_t)i >= l->n)
		return;
	t = entry_text(l, l->rows[i], cur);
	newtListboxSetEntry(l->co, i, t);
	free(t);
}

static int list_cursor(struct vlist *l);

static void list_moved(newtComponent co, void *data)
{
	struct vlist *l = data;
	int cur = list_cursor(l);

	if (cur == l->marked)
		return;
	set_entry(l, l->marked, false);
	set_entry(l, cur, true);
	l->marked = cur;
}

static int list_cursor(struct vlist *l)
{
	if (!l->n)
		return -1;
	return (int)(intptr_t)newtListboxGetCurrent(l->co) - 1;
}

void tui_view_list_reset(struct tui_view *v, int id, size_t n, const char *const *rows,
			 const char *const *keys)
{
	struct vlist *l = &v->lists[id];
	int cur = list_cursor(l), keep = -1;
	char *cur_key = cur >= 0 && (size_t)cur < l->n ? strdup(l->keys[cur]) : NULL;

	list_clear(l);
	newtListboxClear(l->co);
	l->rows = calloc(n ? n : 1, sizeof(*l->rows));
	l->keys = calloc(n ? n : 1, sizeof(*l->keys));
	if (!l->rows || !l->keys)
		abort();
	for (size_t i = 0; i < n; i++)
		if (cur_key && !strcmp(cur_key, keys[i]))
			keep = (int)i;
	/* When its row went away the cursor stays at the same height, on the row that moved up. */
	if (keep < 0)
		keep = cur < 0 ? 0 : cur < (int)n ? cur : (int)n - 1;
	for (size_t i = 0; i < n; i++) {
		char *padded = entry_text(l, rows[i], (int)i == keep);

		l->rows[i] = strdup(rows[i]);
		l->keys[i] = strdup(keys[i]);
		newtListboxAppendEntry(l->co, padded, (void *)(intptr_t)(i + 1));
		free(padded);
	}
	l->n = n;
	l->marked = n ? keep : -1;
	if (l->marker)
		newtComponentAddCallback(l->co, list_moved, l);
	if (n)
		newtListboxSetCurrent(l->co, keep);
	free(cur_key);
}

void tui_view_list_row(struct tui_view *v, int id, size_t i, const char *row)
{
	struct vlist *l = &v->lists[id];
	char *padded;

	if (i >= l->n || !strcmp(l->rows[i], row))
		return;
	free(l->rows[i]);
	l->rows[i] = strdup(row);
	padded = entry_text(l, row, (int)i == l->marked);
	newtListboxSetEntry(l->co, (int)i, padded);
	free(padded);
}

const char *tui_view_list_current(struct tui_view *v, int id)
{
	struct vlist *l = &v->lists[id];
	int cur = list_cursor(l);

	return cur >= 0 && (size_t)cur < l->n ? l->keys[cur] : NULL;
}

int tui_view_buttons(struct tui_view *v, const char *const *labels, int n)
{
	int first = v->nbuttons, x = 1;

	for (int i = 0; i < n; i++) {
		newtComponent b = newtCompactButton(x, v->height - 1, labels[i]);

		v->buttons = grow(v->buttons, v->nbuttons, sizeof(*v->buttons));
		v->buttons[v->nbuttons++] = b;
		newtFormAddComponent(v->form, b);
		x += tui_width(labels[i]) + 5;
	}
	return first;
}

void tui_view_hotkey(struct tui_view *v, int key)
{
	newtFormAddHotKey(v->form, key);
}

void tui_view_focus_list(struct tui_view *v, int id)
{
	newtFormSetCurrent(v->form, v->lists[id].co);
}

void tui_view_run(struct tui_view *v, struct tui_event *ev)
{
	struct newtExitStruct es;

	memset(ev, 0, sizeof(*ev));
	newtFormRun(v->form, &es);
	switch (es.reason) {
	case NEWT_EXIT_TIMER:
		ev->kind = tui_tick_fire() ? TUI_EV_IDLE : TUI_EV_TICK;
		break;
	case NEWT_EXIT_HOTKEY:
		if (es.u.key == NEWT_KEY_F2 || es.u.key == TUI_KEY_CTRL_T) {
			ev->kind = TUI_EV_LANG;
		} else {
			ev->kind = TUI_EV_KEY;
			ev->key = es.u.key;
		}
		break;
	case NEWT_EXIT_COMPONENT:
		ev->kind = TUI_EV_TICK;
		for (int i = 0; i < v->nbuttons; i++)
			if (es.u.co == v->buttons[i]) {
				ev->kind = TUI_EV_BUTTON;
				ev->id = i;
			}
		for (int i = 0; i < v->nlists; i++)
			if (es.u.co == v->lists[i].co) {
				ev->kind = TUI_EV_LIST;
				ev->id = i;
			}
		break;
	default:
		ev->kind = TUI_EV_TICK;
		break;
	}
}
