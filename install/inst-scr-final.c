/* The last screens: root password, the summary (the only commit point), the install itself and the end. */
#include "inst-scr.h"
#include "base/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int inst_scr_password(struct inst_ctx *c)
{
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Root Password"));
		char *pw1, *pw2, *cause = NULL;
		int e1, e2, rc;

		tui_dialog_text(d, *c->plan.root_hash ?
				_("A root password is set. Type a new one twice to change it, or leave both fields empty to keep it.") :
				_("Type the password of the root user twice. It is stored only as a hash."));
		e1 = tui_dialog_entry(d, _("Password:"), "", TUI_ENTRY_HIDDEN);
		e2 = tui_dialog_entry(d, _("Again:"), "", TUI_ENTRY_HIDDEN);
		rc = tui_dialog_run(d);
		pw1 = strdup(tui_dialog_value(d, e1));
		pw2 = strdup(tui_dialog_value(d, e2));
		tui_dialog_free(d);
		if (rc == TUI_LANG || rc == TUI_BACK) {
			explicit_bzero(pw1, strlen(pw1));
			explicit_bzero(pw2, strlen(pw2));
			free(pw1);
			free(pw2);
			if (rc == TUI_BACK)
				return TUI_BACK;
			inst_scr_toggle_lang(c);
			continue;
		}
		if (!*pw1 && !*pw2 && *c->plan.root_hash)
			cause = NULL;
		else if (strcmp(pw1, pw2))
			cause = strdup(_("The two passwords differ."));
		else if (strlen(pw1) < 6)
			cause = strdup(_("The password must be at least 6 characters long."));
		else
			inst_hash_password(pw1, c->plan.root_hash, sizeof(c->plan.root_hash), &cause);
		explicit_bzero(pw1, strlen(pw1));
		explicit_bzero(pw2, strlen(pw2));
		free(pw1);
		free(pw2);
		if (cause) {
			inst_scr_error(_("Root Password"), cause);
			continue;
		}
		return TUI_NEXT;
	}
}

/* Append one line to the text of a dialog. */
static void line(struct base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct base_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_buf_vprintf(b, fmt, ap);
	va_end(ap);
	base_buf_str(b, "\n");
}

static const struct hcfg_disk *find_disk(const struct inst_ctx *c, const char *path)
{
	for (size_t i = 0; i < c->n_disks; i++)
		if (!strcmp(c->disks[i].path, path))
			return &c->disks[i];
	return NULL;
}

static const struct hcfg_disk *chosen_disk(const struct inst_ctx *c)
{
	return find_disk(c, c->plan.disk);
}

/* The space the plan is sized for: with RAID 1 the smaller of its two disks. */
static uint64_t mirror_mib(const struct inst_ctx *c)
{
	const struct hcfg_disk *d2 = *c->plan.disk2 ? find_disk(c, c->plan.disk2) : NULL;

	return d2 && (d2->size >> 20) < c->disk_mib ? d2->size >> 20 : c->disk_mib;
}

int inst_scr_summary(struct inst_ctx *c)
{
	const struct inst_plan *p = &c->plan;

	for (;;) {
		const struct hcfg_disk *dk = chosen_disk(c);
		struct base_buf text = { 0 }, wipe = { 0 };
		char *problems = NULL;
		uint64_t sizes[INST_MAX_PARTS];
		struct tui_dialog *d;
		int rc;

		if (inst_plan_validate(p, &problems) < 0) {
			inst_scr_error(_("Summary"), problems);
			return TUI_BACK;
		}
		inst_plan_resolve_sizes(p, mirror_mib(c), sizes, NULL);
		inst_plan_describe(p, &text);
		if (*p->disk2)
			line(&text, _("New RAID 1 arrays on %s and %s, with LVM:"), p->disk, p->disk2);
		else if (p->n_vgs)
			line(&text, _("New partitions and LVM volumes on %s:"), p->disk);
		else
			line(&text, _("New partitions on %s:"), p->disk);
		for (size_t i = 0; i < p->n_parts; i++)
			if (inst_part_has_fs(&p->parts[i]))
				line(&text, "  %-26s %-5s %8llu MiB", p->parts[i].mount,
				     hcfg_fs_name(p->parts[i].fs), (unsigned long long)sizes[i]);
		d = tui_dialog_new(_("Summary"));
		tui_dialog_text(d, text.oom ? "" : text.s);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Install"));
		rc = tui_dialog_run(d);
		tui_dialog_free(d);
		free(text.s);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		/* The commit point: name exactly what will be lost, and ask once. */
		if (dk)
			line(&wipe, _("ALL DATA on %s will be lost: %s, serial %s, %llu MiB."), dk->path,
			     *dk->model ? dk->model : "-", *dk->serial ? dk->serial : "-",
			     (unsigned long long)(dk->size >> 20));
		else
			line(&wipe, _("ALL DATA on %s will be lost."), p->disk);
		line(&wipe, _("It holds now: %s."), dk ? dk->contents : "?");
		if (*p->disk2) {
			const struct hcfg_disk *d2 = find_disk(c, p->disk2);

			line(&wipe, _("ALL DATA on %s will be lost too: %s, serial %s, %llu MiB."), p->disk2,
			     d2 && *d2->model ? d2->model : "-", d2 && *d2->serial ? d2->serial : "-",
			     d2 ? (unsigned long long)(d2->size >> 20) : 0ULL);
			line(&wipe, _("It holds now: %s."), d2 ? d2->contents : "?");
			line(&wipe, _("Erase both disks and install?"));
		} else {
			line(&wipe, _("Erase this disk and install?"));
		}
		bool yes = tui_ask(_("Confirm"), wipe.oom ? "" : wipe.s, _("Yes, erase and install"), _("No"));

		free(wipe.s);
		if (!yes)
			continue;
		/* What was just confirmed is what the engine checks again before it writes. */
		char *cause = NULL;

		if (inst_plan_confirm_disk(&c->plan, &cause) < 0 ||
		    (dk && (c->plan.disk_id.size != dk->size ||
			    /* The listing names a disk without a model ("Loop device") in words. */
			    (*c->plan.disk_id.model && strcmp(c->plan.disk_id.model, dk->model)) ||
			    (*dk->serial && strcmp(c->plan.disk_id.serial, dk->serial))))) {
			inst_scr_error(_("Confirm"), cause ? cause :
				       _("The disk changed since it was listed: choose it again."));
			free(cause);
			c->plan.disk_id_set = false;
			return TUI_BACK;
		}
		c->plan.wipe_confirmed = true;
		return TUI_NEXT;
	}
}
