/* The install as the operator watches it: the progress screens of the slides, a failure, the end. */
#include "inst-scr.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_ui {
	struct tui_progress *bar;
	struct tui_pkgscreen *pkgs;
	enum inst_step step;
};

/* The text under each step's title, as the slides word it. */
static const char *step_text(enum inst_step s)
{
	switch (s) {
	case INST_STEP_DEPS:
		return _("Checking dependencies in packages selected for installation...");
	case INST_STEP_FORMAT:
		return _("Formatting file systems...");
	case INST_STEP_BASE:
		return _("Installing the base system...");
	case INST_STEP_POST:
		return _("Running post-install scripts");
	case INST_STEP_BOOTLOADER:
		return _("Installing the boot loader...");
	case INST_STEP_FINISH:
		return _("Saving the install log and the answer file...");
	default:
		return "";
	}
}

static void close_screens(struct run_ui *u)
{
	tui_progress_free(u->bar);
	tui_pkgscreen_free(u->pkgs);
	u->bar = NULL;
	u->pkgs = NULL;
}

static void on_step(void *opaque, enum inst_step step)
{
	struct run_ui *u = opaque;

	close_screens(u);
	u->step = step;
	if (step == INST_STEP_PACKAGES)
		u->pkgs = tui_pkgscreen_new();
	else
		u->bar = tui_progress_new(inst_step_title(step), step_text(step));
}

static void on_progress(void *opaque, const struct inst_progress *pr)
{
	struct run_ui *u = opaque;

	if (u->pkgs) {
		struct tui_pkg_status st = {
			.name = pr->pkg, .size = pr->pkg_size, .summary = pr->pkg_summary,
			.pkg_permille = pr->pkg_permille, .total_pkgs = pr->total_pkgs,
			.done_pkgs = pr->done_pkgs, .total_bytes = pr->total_bytes,
			.done_bytes = pr->done_bytes, .elapsed_s = pr->elapsed_s,
			.remaining_s = pr->remaining_s, .overall_permille = pr->permille,
			.status = pr->text,
		};

		tui_pkgscreen_update(u->pkgs, &st);
	} else if (u->bar) {
		tui_progress_set(u->bar, pr->permille, pr->text);
	}
}

static void on_info(void *opaque, const char *msg)
{
	struct run_ui *u = opaque;

	if (u->bar)
		tui_progress_set(u->bar, 0, msg);
}

static void on_warning(void *opaque, const char *msg)
{
	tui_message(_("Warning"), msg);
}

/* The default answer is the first button, where the focus starts. */
static bool on_question(void *opaque, const char *title, const char *text, const char *yes,
			const char *no)
{
	return tui_ask(title, text, yes, no);
}

int inst_scr_install(struct inst_ctx *c)
{
	struct run_ui u = { 0 };
	struct inst_ui ui = { &u, on_step, on_progress, on_info, on_warning, on_question };
	struct inst_engine *e;
	char *cause = NULL, text[1024];
	int rc;

	e = inst_engine_new(&c->plan, &ui, c->logfd);
	inst_engine_set_workdir(e, c->workdir);
	inst_engine_set_logpath(e, c->logpath);
	/* An unfinished install of the same choices is resumed only if the operator says so. */
	inst_engine_set_resume(e, INST_RESUME_ASK);
	/* Nothing is written before the Dependency Check passes. */
	rc = inst_engine_check_deps(e, &cause);
	if (rc == 0)
		rc = inst_engine_run(e, &cause);
	close_screens(&u);
	if (rc < 0) {
		enum inst_step s = inst_engine_failed_step(e);

		snprintf(text, sizeof(text), _("The step \"%s\" failed: %s\n\nThe install log is %s."),
			 inst_step_title(s), cause ? cause : "?", c->logpath);
		free(cause);
		tui_message(_("Installation Failed"), text);
		inst_engine_free(e);
		/* Before any write the operator can go back and fix the plan. */
		if (s == INST_STEP_DEPS)
			return TUI_BACK;
		return -1;
	}
	inst_engine_free(e);
	if (*c->plan.image)
		snprintf(text, sizeof(text), _("The host is installed in the disk image %s. The install log is in /var/log/ospite/ on it, and the answer file of this install in /root/ospite-ks.cfg."),
			 c->plan.image);
	else
		snprintf(text, sizeof(text), _("The host is installed. The install log is in /var/log/ospite/ on it, and the answer file of this install in /root/ospite-ks.cfg. Remove the install medium and reboot."));
	struct tui_dialog *d = tui_dialog_new(_("Complete"));

	tui_dialog_text(d, text);
	tui_dialog_buttons(d, TUI_BTN_NEXT, *c->plan.image ? _("Exit") : _("Reboot"));
	tui_dialog_run(d);
	tui_dialog_free(d);
	return TUI_NEXT;
}
