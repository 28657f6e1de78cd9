/* The disk screen (eligible and unavailable disks) and the partition plan editor. */
#include "inst-scr.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fmt_mib(uint64_t mib, char *buf, size_t len)
{
	if (mib >= 10 * 1024)
		snprintf(buf, len, "%.1f GiB", mib / 1024.0);
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)mib);
	base_decimal(buf);
}

static char *disk_row(const struct hcfg_disk *d)
{
	char size[32], *row = NULL;

	fmt_mib(d->size >> 20, size, sizeof(size));
	if (d->eligible) {
		if (asprintf(&row, "%-8s %10s  %s %s - %s", d->name, size, d->model, d->serial,
			     d->contents) < 0)
			abort();
	} else {
		/* TRANSLATORS: a disk that cannot be chosen, with the reason. */
		if (asprintf(&row, _("%-8s %10s  unavailable: %s"), d->name, size, d->why) < 0)
			abort();
	}
	return row;
}

int inst_scr_disk(struct inst_ctx *c)
{
	size_t cur = 0;
	char *cause = NULL;

	/* Read the disks afresh each time: the operator may have unmounted one meanwhile. */
	free(c->disks);
	c->disks = NULL;
	if (hcfg_disk_list(&c->disks, &c->n_disks, c->medium, c->only_disk, &cause) < 0) {
		inst_scr_error(_("Disk"), cause);
		return TUI_BACK;
	}
	for (size_t i = 0; i < c->n_disks; i++)
		if (!strcmp(c->disks[i].path, c->plan.disk) ||
		    (!*c->plan.disk && c->disks[i].eligible && !c->disks[cur].eligible))
			cur = i;
	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Disk"));
		int list = -1, rc;

		if (c->n_disks == 0) {
			tui_dialog_text(d, _("No disk was found on this system."));
		} else {
			tui_dialog_text(d, _("Choose the disk to install the host on. Everything on it will be erased. Disks that are in use are listed as unavailable."));
			list = tui_dialog_list(d, NULL, 0, cur, c->n_disks < 6 ? c->n_disks : 6);
			for (size_t i = 0; i < c->n_disks; i++)
				tui_dialog_list_add(d, list, disk_row(&c->disks[i]));
		}
		rc = tui_dialog_run(d);
		if (list >= 0)
			cur = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		if (c->n_disks == 0)
			continue;
		if (!c->disks[cur].eligible) {
			base_cause(&cause, 0, _("The disk %s cannot be used. %s"), c->disks[cur].path,
				   c->disks[cur].why);
			inst_scr_error(_("Disk"), cause);
			continue;
		}
		if (strcmp(c->plan.disk, c->disks[cur].path)) {
			/* Another disk: a confirmation given for the old one does not carry over. */
			c->plan.wipe_confirmed = false;
			c->parts_custom = false;
			/* Nor a mirror chosen with the old one. */
			c->plan.disk2[0] = '\0';
			if (c->plan.layout == INST_LAYOUT_RAID1)
				c->plan.layout = INST_LAYOUT_PLAIN;
		}
		INST_COPY(c->plan.disk, c->disks[cur].path);
		c->disk_mib = c->disks[cur].size >> 20;
		return TUI_NEXT;
	}
}

/* The edit dialog of one partition entry; false when the operator backs out. */
static bool edit_part(struct inst_ctx *c, struct inst_part *e)
{
	static const enum hcfg_fs fss[] = { HCFG_FS_EXT4, HCFG_FS_XFS, HCFG_FS_SWAP };
	const char *names[3] = { "ext4", "xfs", "swap" };

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Partition"));
		char size[32], mount[64], *cause = NULL;
		int mid, fsid, sid, gid, rc, fsel = 0;
		bool grow;
		uint64_t mib;

		for (int i = 0; i < 3; i++)
			if (fss[i] == e->fs)
				fsel = i;
		snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size_mib);
		tui_dialog_text(d, _("Mount point (or swap), filesystem and size in MiB (or with M, G, T). With \"grow\" the size is a minimum and the partition takes the free space."));
		mid = tui_dialog_entry(d, _("Mount point:"), e->mount, 0);
		fsid = tui_dialog_radio(d, _("Filesystem:"), names, 3, fsel);
		sid = tui_dialog_entry(d, _("Size:"), size, 0);
		gid = tui_dialog_check(d, _("Grow to fill free space"), e->grow);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("OK"));
		rc = tui_dialog_run(d);
		INST_COPY(mount, tui_dialog_value(d, mid));
		INST_COPY(size, tui_dialog_value(d, sid));
		fsel = tui_dialog_selected(d, fsid);
		grow = tui_dialog_checked(d, gid);
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return false;
		if (fss[fsel] == HCFG_FS_SWAP)
			INST_COPY(mount, "swap");
		if (inst_valid_mount(mount, &cause) < 0 || !strcmp(mount, "biosboot") ||
		    inst_valid_size(size, &mib, &cause) < 0) {
			if (!cause)
				base_cause(&cause, 0, _("The mount point \"%s\" is reserved."), mount);
			inst_scr_error(_("Partition"), cause);
			continue;
		}
		if (strcmp(mount, "swap") && fss[fsel] == HCFG_FS_SWAP) {
			inst_scr_error(_("Partition"), strdup(_("A swap partition has no mount point.")));
			continue;
		}
		INST_COPY(e->mount, mount);
		e->fs = fss[fsel];
		e->size_mib = mib;
		e->grow = grow;
		return true;
	}
}

static char *part_row(const struct inst_part *e, uint64_t size)
{
	char sz[32], *row = NULL;

	fmt_mib(size, sz, sizeof(sz));
	if (asprintf(&row, "%-28s %-9s %12s%s", e->mount, hcfg_fs_name(e->fs), sz,
		     e->grow ? _(" (grow)") : "") < 0)
		abort();
	return row;
}

/* The space the layout plans with: with RAID 1 the smaller of the two disks. */
static uint64_t layout_mib(const struct inst_ctx *c)
{
	uint64_t mib = c->disk_mib;

	for (size_t i = 0; *c->plan.disk2 && i < c->n_disks; i++)
		if (!strcmp(c->disks[i].path, c->plan.disk2) && (c->disks[i].size >> 20) < mib)
			mib = c->disks[i].size >> 20;
	return mib;
}

/* The automatic layout of the plan's kind, over the plan's disk (and disk2). */
static void auto_layout(struct inst_ctx *c)
{
	inst_plan_auto_parts(&c->plan, layout_mib(c), c->ram_mib);
	inst_plan_auto_layout(&c->plan, c->plan.layout);
	c->parts_custom = false;
}

/* The other disk RAID 1 mirrors onto: the first other eligible one, or NULL. */
static const struct hcfg_disk *mirror_disk(const struct inst_ctx *c)
{
	for (size_t i = 0; i < c->n_disks; i++)
		if (c->disks[i].eligible && strcmp(c->disks[i].path, c->plan.disk))
			return &c->disks[i];
	return NULL;
}

/* Automatic: the layouts to choose from, RAID 1 only with a second disk. */
static void choose_layout(struct inst_ctx *c)
{
	const struct hcfg_disk *m = mirror_disk(c);
	char raid[160];
	const char *items[4] = {
		_("Plain partitions"), _("LVM: /, swap and the images as logical volumes"),
		_("LVM with a thin pool for / and the images"), raid,
	};
	struct tui_dialog *d;
	int list, rc, sel;

	if (m)
		snprintf(raid, sizeof(raid), _("RAID 1 over %s and %s, with LVM on it"), c->plan.disk,
			 m->path);
	d = tui_dialog_new(_("Automatic"));
	tui_dialog_text(d, _("The layout ospite proposes for this host. With RAID 1 either disk boots it alone, and both are erased."));
	list = tui_dialog_list(d, items, m ? 4 : 3,
			       c->plan.layout == INST_LAYOUT_RAID1 && !m ? 0 : (int)c->plan.layout,
			       m ? 4 : 3);
	tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("OK"));
	rc = tui_dialog_run(d);
	sel = tui_dialog_selected(d, list);
	tui_dialog_free(d);
	if (rc == TUI_BACK || inst_scr_lang_switched(c, rc))
		return;
	c->plan.layout = (enum inst_layout)sel;
	c->plan.disk2[0] = '\0';
	if (c->plan.layout == INST_LAYOUT_RAID1 && m)
		INST_COPY(c->plan.disk2, m->path);
	auto_layout(c);
}

int inst_scr_partitions(struct inst_ctx *c)
{
	struct inst_plan *p = &c->plan;
	int cur = 0;

	if (!c->parts_custom || p->n_parts == 0)
		auto_layout(c);
	for (;;) {
		uint64_t sizes[INST_MAX_PARTS];
		char text[512], dsz[32], *cause = NULL;
		struct tui_dialog *d = tui_dialog_new(_("Partitioning"));
		int list, add, edit, del, autob, rc, fits;
		size_t shown[INST_MAX_PARTS], ns = 0;

		fits = inst_plan_resolve_sizes(p, layout_mib(c), sizes, NULL) == 0;
		fmt_mib(c->disk_mib, dsz, sizeof(dsz));
		if (*p->disk2)
			snprintf(text, sizeof(text), _("The plan for %s and %s, mirrored (RAID 1), with LVM. Nothing is written to the disks until you confirm the summary."),
				 p->disk, p->disk2);
		else if (p->n_vgs)
			snprintf(text, sizeof(text), _("The plan for %s (%s), with LVM. Nothing is written to the disk until you confirm the summary."),
				 p->disk, dsz);
		else
			snprintf(text, sizeof(text), _("The plan for %s (%s). Nothing is written to the disk until you confirm the summary."),
				 p->disk, dsz);
		tui_dialog_text(d, text);
		list = tui_dialog_list(d, NULL, 0, cur, 6);
		/*
		 * The BIOS boot partition is a detail the operator need not manage, nor
		 * are the physical volumes, RAID members and pools under the volumes.
		 */
		for (size_t i = 0; i < p->n_parts; i++)
			if (inst_part_has_fs(&p->parts[i])) {
				tui_dialog_list_add(d, list, part_row(&p->parts[i],
						    fits ? sizes[i] : p->parts[i].size_mib));
				shown[ns++] = i;
			}
		add = tui_dialog_button(d, _("Add"));
		edit = tui_dialog_button(d, _("Edit"));
		del = tui_dialog_button(d, _("Delete"));
		autob = tui_dialog_button(d, _("Automatic"));
		rc = tui_dialog_run(d);
		cur = tui_dialog_selected(d, list);
		tui_dialog_free(d);
		if (inst_scr_lang_switched(c, rc))
			continue;
		if (rc == TUI_BACK)
			return TUI_BACK;
		if ((rc == TUI_EXTRA + add || rc == TUI_EXTRA + edit || rc == TUI_EXTRA + del) &&
		    p->layout != INST_LAYOUT_PLAIN) {
			inst_scr_error(_("Partitioning"), strdup(_("The LVM and RAID 1 layouts are made as a whole: choose Automatic, then plain partitions, to edit partitions one by one.")));
			continue;
		}
		if (rc == TUI_EXTRA + add) {
			struct inst_part e = { .fs = HCFG_FS_EXT4, .size_mib = 1024 };

			if (p->n_parts >= INST_MAX_PARTS) {
				inst_scr_error(_("Partitioning"), strdup(_("The plan cannot hold more partitions.")));
				continue;
			}
			if (edit_part(c, &e)) {
				p->parts[p->n_parts++] = e;
				c->parts_custom = true;
			}
			continue;
		}
		if ((rc == TUI_EXTRA + edit || rc == TUI_EXTRA + del) && ns > 0) {
			size_t idx = shown[cur];

			if (rc == TUI_EXTRA + edit) {
				struct inst_part e = p->parts[idx];

				if (edit_part(c, &e)) {
					p->parts[idx] = e;
					c->parts_custom = true;
				}
			} else {
				memmove(&p->parts[idx], &p->parts[idx + 1],
					(p->n_parts - idx - 1) * sizeof(p->parts[0]));
				p->n_parts--;
				c->parts_custom = true;
				if (cur > 0)
					cur--;
			}
			continue;
		}
		if (rc == TUI_EXTRA + autob) {
			choose_layout(c);
			cur = 0;
			continue;
		}
		if (rc >= TUI_EXTRA)
			continue;   /* Edit or Delete on an empty list */
		if (!fits) {
			/* Ask again for the reason only now that it is shown. */
			inst_plan_resolve_sizes(p, layout_mib(c), sizes, &cause);
			inst_scr_error(_("Partitioning"), cause);
			continue;
		}
		if (inst_plan_validate_parts(p, &cause) < 0) {
			inst_scr_error(_("Partitioning"), cause);
			continue;
		}
		/* GRUB on a GPT disk booted by BIOS needs its own small partition first. */
		inst_plan_add_biosboot(p);
		return TUI_NEXT;
	}
}
