/* The guest list's model: samples from hv_list(), CPU use between two samples, row texts and what changed. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vc_model_clear(struct vc_model *m)
{
	free(m->cur);
	free(m->prev);
	free(m->rows);
	memset(m, 0, sizeof(*m));
}

/*
 * The previous sample of @like. Both samples are sorted by name (hv_list()),
 * so a cursor that only moves forward finds every guest in one pass; the
 * UUID must match too, so a guest deleted and made again under its name
 * starts afresh.
 */
static const struct hv_dom_stat *find_stat(const struct hv_dom_stat *v, size_t n, size_t *at,
					   const struct hv_dom_stat *like)
{
	while (*at < n && strcmp(v[*at].name, like->name) < 0)
		(*at)++;
	if (*at < n && !strcmp(v[*at].name, like->name) && !strcmp(v[*at].uuid, like->uuid))
		return &v[*at];
	return NULL;
}

static bool is_on(enum hv_state s)
{
	return s == HV_STATE_RUNNING || s == HV_STATE_BLOCKED || s == HV_STATE_PAUSED ||
	       s == HV_STATE_SHUTDOWN || s == HV_STATE_PMSUSPENDED;
}

void vc_model_update(struct vc_model *m, struct hv_dom_stat *stats, size_t n, uint64_t now_ns)
{
	struct vc_row *rows = calloc(n ? n : 1, sizeof(*rows));

	if (!rows)
		abort();
	free(m->prev);
	m->prev = m->cur;
	m->nprev = m->ncur;
	m->t_prev = m->t_cur;
	m->cur = stats;
	m->ncur = n;
	m->t_cur = now_ns;
	m->running = 0;
	m->paused = 0;
	for (size_t i = 0, at = 0; i < n; i++) {
		const struct hv_dom_stat *s = &stats[i];
		const struct hv_dom_stat *p = find_stat(m->prev, m->nprev, &at, s);
		struct vc_row *r = &rows[i];

		snprintf(r->name, sizeof(r->name), "%s", s->name);
		r->state = s->state;
		r->vcpus = s->vcpus;
		r->memory_kib = s->memory_kib;
		r->autostart = s->autostart;
		r->cpu = -1;
		if (s->state == HV_STATE_PAUSED)
			m->paused++;
		if (is_on(s->state)) {
			m->running++;
			if (p && is_on(p->state) && now_ns > m->t_prev)
				r->cpu = hv_cpu_percent(p, s, now_ns - m->t_prev);
		}
	}
	free(m->rows);
	m->rows = rows;
	m->nrows = n;
	m->generation++;
}

const struct vc_row *vc_model_find(const struct vc_model *m, const char *name)
{
	for (size_t i = 0; name && i < m->nrows; i++)
		if (!strcmp(m->rows[i].name, name))
			return &m->rows[i];
	return NULL;
}

void vc_fmt_mem(uint64_t kib, char *buf, size_t len)
{
	if (kib < 1024 * 1024)
		snprintf(buf, len, "%" PRIu64 " MiB", kib / 1024);
	else
		base_decimal((snprintf(buf, len, "%.1f GiB", kib / (1024.0 * 1024.0)), buf));
}

void vc_fmt_cpu(double pct, char *buf, size_t len)
{
	if (pct < 0)
		snprintf(buf, len, "-");
	else
		base_decimal((snprintf(buf, len, "%.1f%%", pct > 100 ? 100.0 : pct), buf));
}

static void add_left(struct base_buf *b, const char *s, int width)
{
	char *p = tui_pad(s, width);

	base_buf_str(b, p);
	free(p);
}

/* @s right-aligned in @width columns, after a space. */
static void add_right(struct base_buf *b, const char *s, int width)
{
	int w = tui_width(s);

	base_buf_str(b, " ");
	if (w >= width) {
		add_left(b, s, width);
		return;
	}
	base_buf_printf(b, "%*s%s", width - w, "", s);
}

static char *take(struct base_buf *b)
{
	if (b->oom)
		abort();
	return b->s;
}

char *vc_row_text(const struct vc_row *r)
{
	struct base_buf b = { 0 };
	char num[32];

	add_left(&b, r->name, VC_COL_NAME);
	base_buf_str(&b, " ");
	add_left(&b, hv_state_name(r->state), VC_COL_STATE);
	snprintf(num, sizeof(num), "%u", r->vcpus);
	add_right(&b, num, VC_COL_VCPUS);
	vc_fmt_mem(r->memory_kib, num, sizeof(num));
	add_right(&b, num, VC_COL_MEM);
	vc_fmt_cpu(r->cpu, num, sizeof(num));
	add_right(&b, num, VC_COL_CPU);
	return take(&b);
}

char *vc_list_header(void)
{
	struct base_buf b = { 0 };

	/* TRANSLATORS: column headings of the guest list; keep them short. */
	add_left(&b, _("Name"), VC_COL_NAME);
	base_buf_str(&b, " ");
	add_left(&b, _("State"), VC_COL_STATE);
	add_right(&b, _("vCPUs"), VC_COL_VCPUS);
	add_right(&b, _("Memory"), VC_COL_MEM);
	add_right(&b, _("CPU"), VC_COL_CPU);
	return take(&b);
}

enum vc_diff vc_list_diff(const char *const *old_keys, const char *const *old_rows, size_t nold,
			  const char *const *keys, const char *const *rows, size_t n,
			  bool *changed)
{
	enum vc_diff d = VC_DIFF_NONE;

	if (nold != n)
		return VC_DIFF_ALL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(old_keys[i], keys[i]))
			return VC_DIFF_ALL;
	for (size_t i = 0; i < n; i++) {
		changed[i] = strcmp(old_rows[i], rows[i]) != 0;
		if (changed[i])
			d = VC_DIFF_ROWS;
	}
	return d;
}

void vc_shown_clear(struct vc_shown *sh)
{
	vc_strv_free(sh->keys, sh->n);
	vc_strv_free(sh->rows, sh->n);
	sh->keys = sh->rows = NULL;
	sh->n = 0;
}

void vc_shown_update(struct vc_shown *sh, struct tui_view *v, int list, char **keys, char **rows,
		     size_t n, bool force)
{
	bool *changed = calloc(n ? n : 1, sizeof(*changed));

	if (!changed)
		abort();
	switch (force ? VC_DIFF_ALL :
		vc_list_diff((const char *const *)sh->keys, (const char *const *)sh->rows, sh->n,
			     (const char *const *)keys, (const char *const *)rows, n, changed)) {
	case VC_DIFF_NONE:
		break;
	case VC_DIFF_ROWS:
		for (size_t i = 0; i < n; i++)
			if (changed[i])
				tui_view_list_row(v, list, i, rows[i]);
		break;
	case VC_DIFF_ALL:
		tui_view_list_reset(v, list, n, (const char *const *)rows, (const char *const *)keys);
		break;
	}
	vc_shown_clear(sh);
	sh->keys = keys;
	sh->rows = rows;
	sh->n = n;
	free(changed);
}
