/* The install engine: the order of the steps, each step's beginning and end in the journal, and what it tells its front end; it never draws or prints itself. */
#include "inst-engine.h"
#include "base/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hostcfg/hcfg-target.h"

#include <stdarg.h>
#include <sys/mount.h>
#include <time.h>

const char *inst_step_title(enum inst_step s)
{
	switch (s) {
	case INST_STEP_DEPS: return _("Dependency Check");
	case INST_STEP_FORMAT: return _("Formatting");
	case INST_STEP_BASE: return _("Package Installation");
	case INST_STEP_PACKAGES: return _("Package Installation");
	case INST_STEP_POST: return _("Running...");
	case INST_STEP_BOOTLOADER: return _("Boot Loader");
	case INST_STEP_FINISH: return _("Finishing");
	default: return "";
	}
}

struct inst_engine *inst_engine_new(const struct inst_plan *plan, const struct inst_ui *ui,
				    int logfd)
{
	struct inst_engine *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	e->plan = plan;
	e->ui = *ui;
	e->logfd = logfd;
	inst_engine_set_workdir(e, "/var/cache/ospite-install");
	e->t0 = time(NULL);
	e->started_ms = base_now_ms();
	return e;
}

void inst_engine_set_workdir(struct inst_engine *e, const char *dir)
{
	snprintf(e->workdir, sizeof(e->workdir), "%s", dir);
	snprintf(e->target, sizeof(e->target), "%s/target", dir);
}

void inst_engine_set_resume(struct inst_engine *e, enum inst_resume r)
{
	e->resume = r;
}

void inst_engine_set_logpath(struct inst_engine *e, const char *path)
{
	snprintf(e->logpath, sizeof(e->logpath), "%s", path ? path : "");
}

enum inst_step inst_engine_failed_step(const struct inst_engine *e)
{
	return e->failed;
}

void eng_log(struct inst_engine *e, const char *fmt, ...)
{
	va_list ap;

	if (e->logfd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(e->logfd, fmt, ap);
	va_end(ap);
	dprintf(e->logfd, "\n");
}

void eng_step(struct inst_engine *e, enum inst_step s)
{
	e->failed = s;
	eng_log(e, "== step: %s (at %.1f s)", inst_step_title(s), (base_now_ms() - e->started_ms) / 1000.0);
	if (e->ui.step)
		e->ui.step(e->ui.opaque, s);
}

void eng_progress(struct inst_engine *e, unsigned permille, const char *text)
{
	e->pr.step = e->failed;
	e->pr.permille = permille;
	if (text != e->status)
		snprintf(e->status, sizeof(e->status), "%s", text ? text : "");
	e->pr.text = e->status;
	if (e->ui.progress)
		e->ui.progress(e->ui.opaque, &e->pr);
}

void inst_engine_free(struct inst_engine *e)
{
	if (!e)
		return;
	eng_umount_all(e);
	for (size_t i = 0; i < INST_MAX_PARTS; i++)
		free(e->partdev[i]);
	if (e->have_pkgs)
		inst_pkgset_free(&e->pkgs);
	for (size_t i = 0; i < e->n_fp; i++) {
		free(e->fp_disks[i]);
		free(e->fp_before[i]);
	}
	for (size_t i = 0; i < e->n_fp; i++)
		free(e->fp_files[i]);
	free(e->fp_disks);
	free(e->fp_before);
	free(e->fp_files);
	free(e);
}

/* ---- Dependency Check ----------------------------------------------------- */

static void deps_progress(void *opaque, unsigned permille, const char *text)
{
	eng_progress(opaque, permille, text);
}

/* The answer file's %pre scripts run once, before anything is checked or written. */
static int run_pre_scripts(struct inst_engine *e, char **cause)
{
	if (e->pre_done)
		return 0;
	e->pre_done = true;
	return inst_run_scripts(e->plan, INST_SCRIPT_PRE, e->target, e->logfd, cause);
}

int inst_engine_check_deps(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char **pkgs = NULL, *problems = NULL, aptdir[PATH_MAX], url[PATH_MAX];
	struct inst_apt_source src;
	struct hcfg_disk disk;
	int rc;

	eng_step(e, INST_STEP_DEPS);
	rc = run_pre_scripts(e, cause);
	if (rc < 0)
		return rc;
	if (inst_plan_validate(p, &problems) < 0) {
		rc = base_cause(cause, -EINVAL, "%s", problems);
		free(problems);
		return rc;
	}
	/* The disk may have changed since it was chosen: check it again right before writing. */
	rc = hcfg_disk_probe(p->disk, NULL, &disk, cause);
	if (rc < 0)
		return rc;
	if (!disk.eligible)
		return base_cause(cause, -EBUSY, _("The disk %s cannot be used. %s"), p->disk, disk.why);
	if (!p->wipe_confirmed)
		return base_cause(cause, -EPERM, _("Erasing %s was not confirmed."), p->disk);
	/* RAID 1: the second disk too; the smaller one sets the mirrored partitions' sizes. */
	if (*p->disk2) {
		struct hcfg_disk disk2;

		rc = hcfg_disk_probe(p->disk2, NULL, &disk2, cause);
		if (rc < 0)
			return rc;
		if (!disk2.eligible)
			return base_cause(cause, -EBUSY, _("The disk %s cannot be used. %s"), p->disk2,
					  disk2.why);
		if (disk2.size < disk.size)
			disk.size = disk2.size;
	}
	rc = inst_plan_resolve_sizes(p, disk.size >> 20, e->sizes, cause);
	if (rc < 0)
		return rc;
	snprintf(aptdir, sizeof(aptdir), "%s/apt", e->workdir);
	rc = hcfg_mkdirs(aptdir, cause);
	if (rc < 0)
		return rc;
	rc = eng_mirror_keyring(e, cause);
	if (rc == 0)
		rc = eng_repo_keys(e, cause);
	if (rc < 0)
		return rc;
	eng_fill_source(p, &src, url, sizeof(url));
	if (*e->keyring)
		src.keyring = e->keyring;
	eng_repo_source(e, &src);
	pkgs = inst_plan_package_set(p);
	if (e->have_pkgs)
		inst_pkgset_free(&e->pkgs);
	e->have_pkgs = false;
	/* The host gets ospite as a package apt knows, so that apt can upgrade it later. */
	rc = eng_ospite_package(e, &pkgs, cause);
	if (rc == 0)
		rc = inst_apt_resolve(&src, (const char *const *)pkgs, aptdir, e->logfd, deps_progress,
				      e, &e->pkgs, cause);
	for (size_t i = 0; pkgs[i]; i++)
		free(pkgs[i]);
	free(pkgs);
	if (rc < 0) {
		eng_ospite_hint(e, cause);
		inst_pkgset_free(&e->pkgs);
		return rc;
	}
	e->have_pkgs = true;
	char msg[256];

	snprintf(msg, sizeof(msg), _("%zu packages, %llu MiB to download, %llu MiB installed."),
		 e->pkgs.n, (unsigned long long)(e->pkgs.total_size >> 20),
		 (unsigned long long)(e->pkgs.total_installed >> 20));
	eng_log(e, "%s", msg);
	eng_progress(e, 1000, msg);
	return 0;
}

/* ---- Formatting ------------------------------------------------------------- */

struct mkfs_cb {
	struct inst_engine *e;
	unsigned base, span;
	const char *text;
};

static int mkfs_progress(void *opaque, unsigned permille)
{
	struct mkfs_cb *m = opaque;

	eng_progress(m->e, m->base + m->span * permille / 1000, m->text);
	return 0;
}

static int eng_step_format(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char text[256];
	int rc;

	eng_step(e, INST_STEP_FORMAT);
	snprintf(text, sizeof(text), _("Partitioning %s..."), p->disk);
	eng_progress(e, 0, text);
	rc = eng_check_disk(e, cause);
	if (rc == 0)
		rc = eng_storage_partition(e, cause);
	if (rc == 0)
		rc = eng_storage_make(e, cause);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < p->n_parts; i++) {
		struct mkfs_cb m = { e, 50 + 900 * i / p->n_parts, 900 / p->n_parts, text };
		const char *label = p->parts[i].mount;

		if (!inst_part_has_fs(&p->parts[i]))
			continue;
		/* TRANSLATORS: "Formatting / file system..." as on the slide. */
		snprintf(text, sizeof(text), _("Formatting %s file system..."), p->parts[i].mount);
		if (!strcmp(label, "/"))
			label = "root";
		else if (!strcmp(label, INST_IMAGES_DIR))
			label = "images";
		else if (label[0] == '/')
			label++;
		rc = hcfg_mkfs(e->partdev[i], p->parts[i].fs, label, e->logfd, mkfs_progress, &m, cause);
		if (rc == 0)
			rc = hcfg_fs_uuid(e->partdev[i], e->uuid[i], sizeof(e->uuid[i]), cause);
		if (rc < 0)
			return rc;
	}
	/* This machine's own record of the run comes first: only it lets a later run resume. */
	for (size_t i = 0; i < p->n_parts; i++)
		INST_COPY(e->jn.uuid[i], e->uuid[i]);
	rc = inst_run_record_write(e->workdir, &e->jn, cause);
	if (rc == 0)
		rc = eng_mount_targets(e, false, cause);
	if (rc < 0)
		return rc;
	eng_progress(e, 1000, _("The file systems are ready."));
	return 0;
}

/* ---- Boot loader ------------------------------------------------------------- */

static int eng_step_bootloader(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_target_grub g = {
		.timeout = p->boot_timeout >= 0 ? (unsigned)p->boot_timeout : 5,
		.cmdline = p->boot_append, .serial = p->serial, .xen = p->hv == INST_HV_XEN,
		.dom0_mem_mib = p->dom0_mem_mib,
	};
	int rc;

	eng_step(e, INST_STEP_BOOTLOADER);
	eng_progress(e, 100, _("Writing the boot loader settings..."));
	rc = hcfg_target_grub(e->target, &g, cause);
	if (rc < 0)
		return rc;
	eng_progress(e, 300, _("Installing GRUB on the disk..."));
	/* bootloader --location=none: the menu is written, the disk's boot code left alone. */
	rc = p->boot_none ? 0 : TARGET(e, cause, "grub-install", "--target=i386-pc", p->disk);
	/* RAID 1: either disk boots the host alone. */
	if (rc == 0 && !p->boot_none && *p->disk2)
		rc = TARGET(e, cause, "grub-install", "--target=i386-pc", p->disk2);
	if (rc < 0)
		return rc;
	eng_progress(e, 600, _("Writing the boot menu..."));
	rc = TARGET(e, cause, "update-grub");
	if (!rc)
		rc = hcfg_host_grub_by_uuid(e->target, e->partdev, (const char (*)[64])e->uuid,
					    e->plan->n_parts, cause);
	if (rc < 0)
		return rc;
	eng_progress(e, 1000, _("The boot loader is installed."));
	return 0;
}

/* ---- Finishing --------------------------------------------------------------- */

static int eng_journal_mark(struct inst_engine *e, enum inst_step s, bool finished, char **cause);

static int copy_file(const char *from, const char *to, unsigned mode, char **cause)
{
	char *data = NULL;
	int rc = hcfg_read_file(from, &data, cause);

	if (rc == 0)
		rc = hcfg_write_file(to, data, mode, cause);
	free(data);
	return rc;
}

static int eng_step_finish(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX], *ks;
	int rc;

	eng_step(e, INST_STEP_FINISH);
	rc = hcfg_target_block_daemons(e->target, false, cause);
	if (rc < 0)
		return rc;
	/* The local source was for the install only: the host keeps no line naming it. */
	if (e->plan->src == INST_SRC_LOCAL) {
		char local[PATH_MAX + 8];
		struct hcfg_target_apt apt = { .mirror = local, .suite = e->plan->suite,
					       .disabled = true };

		snprintf(local, sizeof(local), "file:%s", e->plan->local_dir);
		rc = hcfg_target_apt_sources(e->target, &apt, cause);
		if (rc < 0)
			return rc;
	}
	ks = inst_plan_to_ks(e->plan);
	rc = eng_write_target(e, "/root/ospite-ks.cfg", ks, 0600, cause);
	free(ks);
	if (rc < 0)
		return rc;
	eng_log(e, "install finished after %ld s", (long)(time(NULL) - e->t0));
	if (*e->logpath) {
		eng_target_path(e, path, sizeof(path), "/var/log/ospite");
		if (hcfg_mkdirs(path, cause) < 0)
			return -EIO;
		eng_target_path(e, path, sizeof(path), "/var/log/ospite/install.log");
		rc = copy_file(e->logpath, path, 0600, cause);
		if (rc < 0)
			return rc;
	}
	rc = eng_journal_mark(e, INST_STEP_FINISH, true, cause);
	if (rc < 0)
		return rc;
	/* A finished host is never resumed: this machine forgets the run. */
	inst_run_record_remove(e->workdir, &e->jn);
	eng_progress(e, 500, _("Unmounting the target..."));
	eng_umount_all(e);
	eng_storage_release(e);
	eng_progress(e, 1000, _("The installation is complete."));
	return 0;
}

/* ---- the whole run ------------------------------------------------------------ */

/* Record in the journal that step @s began or finished. */
static int eng_journal_mark(struct inst_engine *e, enum inst_step s, bool finished, char **cause)
{
	e->jn.started |= 1u << s;
	if (finished)
		e->jn.done |= 1u << s;
	return inst_journal_write(e->target, &e->jn, cause);
}

int inst_engine_run(struct inst_engine *e, char **cause)
{
	int (*const steps[])(struct inst_engine *, char **) = {
		[INST_STEP_FORMAT] = eng_step_format, [INST_STEP_BASE] = eng_step_base,
		[INST_STEP_PACKAGES] = eng_step_packages, [INST_STEP_POST] = eng_step_post,
		[INST_STEP_BOOTLOADER] = eng_step_bootloader, [INST_STEP_FINISH] = eng_step_finish,
	};
	int rc;

	rc = inst_clear_stale(e->target, e->logfd, cause);
	if (rc < 0)
		return rc;
	if (!e->have_pkgs) {
		rc = inst_engine_check_deps(e, cause);
		if (rc < 0)
			return rc;
	}
	/* The whole plan in the log: what support asks first, and what a replayed answer file must match. */
	char *dump = inst_plan_dump(e->plan);

	if (!dump)
		abort();
	e->plan_fp = inst_plan_dump_fingerprint(dump);
	eng_log(e, "plan:\n%s== end of plan", dump);
	free(dump);
	rc = eng_fprint_take(e, cause);
	if (rc == 0)
		rc = eng_check_disk(e, cause);
	if (rc < 0)
		return rc;
	/* A journal on the disk is only read when the operator may want to resume. */
	if (e->resume != INST_RESUME_NO)
		e->resumed = eng_resume_probe(e) != 0;
	else
		eng_log(e, "resume: not asked for; %s is formatted", e->plan->disk);
	if (!e->resumed) {
		rc = inst_journal_new(&e->jn, e->plan_fp, cause);
		if (rc < 0)
			return rc;
	}
	for (int s = INST_STEP_FORMAT; s < INST_STEP_COUNT; s++) {
		if (e->jn.done & (1u << s)) {
			eng_log(e, "resume: %s finished in an earlier run", inst_journal_word(s));
			continue;
		}
		/* The base step announces Package Installation; when it was skipped, say it here. */
		if (s == INST_STEP_PACKAGES && (e->jn.done & (1u << INST_STEP_BASE)))
			eng_packages_resumed(e);
		/* Steps after Package Installation run commands in the target. */
		if (s > INST_STEP_PACKAGES)
			rc = eng_mount_api(e, cause);
		/* The target exists only once Formatting made it. */
		if (rc == 0 && s > INST_STEP_FORMAT && s != INST_STEP_FINISH)
			rc = eng_journal_mark(e, s, false, cause);
		/* A password chosen for this run replaces the one an earlier run set. */
		if (rc == 0 && s == INST_STEP_FINISH && e->resumed &&
		    (e->jn.done & (1u << INST_STEP_POST)))
			rc = eng_set_root_password(e, cause);
		if (rc == 0)
			rc = steps[s](e, cause);
		/* Finishing records itself before it unmounts the target. */
		if (rc == 0 && s != INST_STEP_FINISH)
			rc = eng_journal_mark(e, s, true, cause);
		if (rc < 0) {
			eng_log(e, "failed: %s: %s", inst_step_title(e->failed),
			      cause && *cause ? *cause : "");
			eng_umount_all(e);
			eng_storage_release(e);
			/* Even a failed run must not have touched another disk: say so if it did. */
			if (eng_fprint_check(e, NULL) < 0)
				eng_log(e, "a disk outside the plan changed during this failed run");
			return rc;
		}
	}
	rc = eng_fprint_check(e, cause);
	if (rc < 0)
		eng_log(e, "failed: %s", cause && *cause ? *cause : "");
	return rc;
}

