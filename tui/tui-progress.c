/* Progress screens of the slides: a titled bar, and the Package Installation table. */
#include "tui.h"
#include "tui-priv.h"
#include "base/i18n.h"

#include <inttypes.h>
#include <newt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tui_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes < 1024 * 1024)
		snprintf(buf, len, "%" PRIu64 "k", (bytes + 1023) / 1024);
	else if (bytes < 10ULL * 1024 * 1024 * 1024)
		snprintf(buf, len, "%" PRIu64 "M", (bytes + 512 * 1024) / (1024 * 1024));
	else
		snprintf(buf, len, "%" PRIu64 "G", (bytes + (512 << 20)) >> 30);
}

void tui_fmt_time(unsigned s, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
}

/*
 * Set @co's text cut or padded with spaces to exactly @width columns, so a
 * shorter text wipes a longer one and nothing spills over the window border.
 */
static void set_padded(newtComponent co, const char *text, int width)
{
	char *buf = tui_pad(text, width);

	newtLabelSetText(co, buf);
	free(buf);
}

struct tui_progress {
	newtComponent form, scale, detail;
	int width;
};

struct tui_progress *tui_progress_new(const char *title, const char *text)
{
	struct tui_progress *p = calloc(1, sizeof(*p));
	int tw, th;
	char *flowed;

	if (!p)
		abort();
	p->width = tui_dialog_width();
	flowed = newtReflowText((char *)text, p->width, 0, 0, &tw, &th);
	newtCenteredWindow(p->width + 2, th + 5, title);
	p->form = newtForm(NULL, NULL, 0);
	newtComponent tb = newtTextbox(1, 0, p->width, th, 0);

	newtTextboxSetText(tb, flowed);
	free(flowed);
	p->scale = newtScale(1, th + 1, p->width, 1000);
	p->detail = newtLabel(1, th + 3, "");
	newtFormAddComponents(p->form, tb, p->scale, p->detail, NULL);
	newtDrawForm(p->form);
	newtRefresh();
	return p;
}

void tui_progress_set(struct tui_progress *p, unsigned permille, const char *detail)
{
	if (!p)
		return;
	newtScaleSet(p->scale, permille > 1000 ? 1000 : permille);
	if (detail)
		set_padded(p->detail, detail, p->width);
	newtRefresh();
}

void tui_progress_free(struct tui_progress *p)
{
	if (!p)
		return;
	newtFormDestroy(p->form);
	newtPopWindow();
	free(p);
}

/* ---- Package Installation ---------------------------------------------- */

enum { ROW_TOTAL, ROW_DONE, ROW_LEFT, NROWS };

struct tui_pkgscreen {
	newtComponent form, name, size, summary, status, pkgbar, cells[NROWS], overall;
	int width, labw;
};

static int max4(int a, int b, int c, int d)
{
	int m = a > b ? a : b;

	m = m > c ? m : c;
	return m > d ? m : d;
}

struct tui_pkgscreen *tui_pkgscreen_new(void)
{
	struct tui_pkgscreen *s = calloc(1, sizeof(*s));
	const char *lname = _("Name"), *lsize = _("Size"), *lsum = _("Summary"),
		   *lstat = _("Status");
	const char *rows[NROWS] = { _("Total"), _("Completed"), _("Remaining") };
	char hdr[160];
	int y = 0, labw, rowlw;

	if (!s)
		abort();
	s->width = tui_dialog_width();
	labw = max4(tui_width(lname), tui_width(lsize), tui_width(lsum), tui_width(lstat));
	s->labw = labw;
	newtCenteredWindow(s->width + 2, 12, _("Package Installation"));
	s->form = newtForm(NULL, NULL, 0);

	const char *labels[4] = { lname, lsize, lsum, lstat };
	newtComponent *vals[4] = { &s->name, &s->size, &s->summary, &s->status };

	for (int i = 0; i < 4; i++, y++) {
		char lab[64];

		snprintf(lab, sizeof(lab), "%s%*s:", labels[i], labw - tui_width(labels[i]), "");
		newtFormAddComponent(s->form, newtLabel(1, y, lab));
		*vals[i] = newtLabel(labw + 3, y, "");
		newtFormAddComponent(s->form, *vals[i]);
	}
	s->pkgbar = newtScale(1, y++, s->width, 1000);
	y++;
	rowlw = max4(tui_width(rows[0]), tui_width(rows[1]), tui_width(rows[2]), 0);
	/* TRANSLATORS: column headings of the Package Installation table. */
	snprintf(hdr, sizeof(hdr), "%*s  %10s %10s %10s", rowlw + 1, "", _("Packages"),
		 _("Bytes"), _("Time"));
	newtFormAddComponent(s->form, newtLabel(1, y++, hdr));
	for (int r = 0; r < NROWS; r++, y++) {
		char lab[64];

		snprintf(lab, sizeof(lab), "%s%*s:", rows[r], rowlw - tui_width(rows[r]), "");
		newtFormAddComponent(s->form, newtLabel(1, y, lab));
		s->cells[r] = newtLabel(rowlw + 3, y, "");
		newtFormAddComponent(s->form, s->cells[r]);
	}
	y++;
	s->overall = newtScale(1, y, s->width, 1000);
	newtFormAddComponent(s->form, s->pkgbar);
	newtFormAddComponent(s->form, s->overall);
	newtDrawForm(s->form);
	newtRefresh();
	return s;
}

void tui_pkgscreen_update(struct tui_pkgscreen *s, const struct tui_pkg_status *st)
{
	char buf[256], b1[16], b2[16], t[16];
	int vw = s->width - s->labw - 3;
	uint64_t left_b = st->total_bytes > st->done_bytes ? st->total_bytes - st->done_bytes : 0;
	unsigned left_p = st->total_pkgs > st->done_pkgs ? st->total_pkgs - st->done_pkgs : 0;

	set_padded(s->name, st->name ? st->name : "", vw);
	tui_fmt_size(st->size, b1, sizeof(b1));
	set_padded(s->size, st->name ? b1 : "", vw);
	set_padded(s->summary, st->summary ? st->summary : "", vw);
	set_padded(s->status, st->status ? st->status : "", vw);
	newtScaleSet(s->pkgbar, st->pkg_permille > 1000 ? 1000 : st->pkg_permille);

	tui_fmt_size(st->total_bytes, b1, sizeof(b1));
	tui_fmt_time(st->elapsed_s + st->remaining_s, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%10u %10s %10s", st->total_pkgs, b1, t);
	set_padded(s->cells[ROW_TOTAL], buf, 33);
	tui_fmt_size(st->done_bytes, b1, sizeof(b1));
	tui_fmt_time(st->elapsed_s, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%10u %10s %10s", st->done_pkgs, b1, t);
	set_padded(s->cells[ROW_DONE], buf, 33);
	tui_fmt_size(left_b, b2, sizeof(b2));
	tui_fmt_time(st->remaining_s, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%10u %10s %10s", left_p, b2, t);
	set_padded(s->cells[ROW_LEFT], buf, 33);
	newtScaleSet(s->overall, st->overall_permille > 1000 ? 1000 : st->overall_permille);
	newtRefresh();
}

void tui_pkgscreen_free(struct tui_pkgscreen *s)
{
	if (!s)
		return;
	newtFormDestroy(s->form);
	newtPopWindow();
	free(s);
}
