/* Internals of the interactive installer: the context every screen edits, and the screen table. */
#ifndef OSPITE_INST_SCR_H
#define OSPITE_INST_SCR_H

#include "inst.h"
#include "tui/tui.h"

struct inst_ctx {
	struct inst_plan plan;
	struct hcfg_nic *nics;
	size_t n_nics;
	struct hcfg_disk *disks;
	size_t n_disks;
	const char *medium;      /* device of the install medium, or NULL */
	const char *only_disk;   /* image mode: the loop device */
	const char *logpath;
	const char *workdir;     /* package cache and target mount point live here */
	int logfd;
	uint64_t ram_mib;
	uint64_t disk_mib;       /* size of the chosen disk */
	bool parts_custom;       /* the operator edited the layout: keep it */
	bool bridges_custom;
};

/* One screen: returns TUI_NEXT or TUI_BACK; handles TUI_LANG itself by redrawing. */
struct inst_screen {
	const char *id;
	int (*run)(struct inst_ctx *c);
};

extern const struct inst_screen inst_screens[];
extern const size_t inst_n_screens;

/* Switch the screens between Italian and English and redraw the frame; the plan keeps its language. */
void inst_scr_toggle_lang(struct inst_ctx *c);
/* When @rc is the language hotkey, switch and return true: the screen then redraws itself. */
bool inst_scr_lang_switched(struct inst_ctx *c, int rc);
/* Show @cause (a validation error) and free it. */
void inst_scr_error(const char *title, char *cause);

int inst_scr_language(struct inst_ctx *c);
int inst_scr_keyboard(struct inst_ctx *c);
int inst_scr_nic(struct inst_ctx *c);
int inst_scr_netcfg(struct inst_ctx *c);
int inst_scr_source(struct inst_ctx *c);
int inst_scr_hypervisor(struct inst_ctx *c);
int inst_scr_disk(struct inst_ctx *c);
int inst_scr_partitions(struct inst_ctx *c);
int inst_scr_password(struct inst_ctx *c);
int inst_scr_summary(struct inst_ctx *c);
int inst_scr_install(struct inst_ctx *c);

#endif
