/* The install engine: carries out a validated plan step by step, reporting through struct inst_ui only. */
#include "inst.h"
#include "inst-apt.h"
#include "inst-journal.h"
#include "console-unit.h"   /* generated from vmconsole/ospite-console.service */
#include "hostcfg/hcfg-target.h"
#include "tui/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_MOUNTS 24

struct inst_engine {
	const struct inst_plan *plan;
	struct inst_ui ui;
	int logfd;
	char workdir[PATH_MAX];
	char target[PATH_MAX];
	char logpath[PATH_MAX];
	enum inst_step failed;
	char *partdev[INST_MAX_PARTS];
	char uuid[INST_MAX_PARTS][64]; /* of each new file system, read once after mkfs */
	uint64_t sizes[INST_MAX_PARTS];
	struct inst_pkgset pkgs;
	bool have_pkgs;
	char *mounts[MAX_MOUNTS];   /* what we mounted, unmounted in reverse */
	int n_mounts;
	time_t t0;
	/* Package Installation bookkeeping. */
	struct inst_progress pr;
	char status[512];           /* pr.text points here: it outlives the caller's string */
	char cur_pkg[128];
	unsigned base_pkgs;         /* packages of the base system (debootstrap or mmdebstrap) */
	unsigned apt_total;         /* packages apt installs after it */
	unsigned apt_done;
	uint64_t base_bytes;        /* download size of the base system */
	unsigned overall;           /* last overall permille shown */
	uint64_t apt_bytes_done;
	/* Resuming and safety bookkeeping. */
	bool api_mounted;           /* /proc, /sys, /dev... in the target */
	long long started_ms;       /* when the engine was made, for the step times in the log */
	bool cache_mounted;         /* the package cache on the target's /var/cache/apt/archives */
	uint64_t plan_fp;           /* inst_plan_fingerprint() */
	struct inst_journal jn;     /* this run: its id, file systems and steps, as in the journal */
	enum inst_resume resume;    /* may this run continue an earlier one? */
	bool resumed;               /* this run continues an earlier one */
	char **fp_disks, **fp_before;   /* fingerprints of the disks not in the plan */
	char **fp_files;            /* for loop devices, the file behind each, else "" */
	size_t n_fp;
	bool pre_done;              /* the answer file's %pre scripts ran */
};

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
	e->started_ms = hcfg_now_ms();
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

static void logf_(struct inst_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct inst_engine *e, const char *fmt, ...)
{
	va_list ap;

	if (e->logfd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(e->logfd, fmt, ap);
	va_end(ap);
	dprintf(e->logfd, "\n");
}

static void step(struct inst_engine *e, enum inst_step s)
{
	e->failed = s;
	logf_(e, "== step: %s (at %.1f s)", inst_step_title(s), (hcfg_now_ms() - e->started_ms) / 1000.0);
	if (e->ui.step)
		e->ui.step(e->ui.opaque, s);
}

static void progress(struct inst_engine *e, unsigned permille, const char *text)
{
	e->pr.step = e->failed;
	e->pr.permille = permille;
	if (text != e->status)
		snprintf(e->status, sizeof(e->status), "%s", text ? text : "");
	e->pr.text = e->status;
	if (e->ui.progress)
		e->ui.progress(e->ui.opaque, &e->pr);
}

static int do_mount(struct inst_engine *e, const char *src, const char *rel, const char *fstype,
		    unsigned long flags, char **cause)
{
	char path[PATH_MAX];

	if (e->n_mounts >= MAX_MOUNTS)
		return hcfg_cause(cause, -ENOSPC, _("Too many mounts in the target."));
	snprintf(path, sizeof(path), "%s%s", e->target, rel);
	if (hcfg_mkdirs(path, cause) < 0)
		return -errno;
	logf_(e, "+ mount %s %s (%s)", src, path, fstype ? fstype : "bind");
	if (mount(src, path, fstype, flags, NULL) < 0)
		return hcfg_cause(cause, -errno, _("Could not mount %s on %s: %s."), src, path,
				  strerror(errno));
	e->mounts[e->n_mounts++] = strdup(path);
	return 0;
}

static void umount_all(struct inst_engine *e)
{
	sync();
	while (e->n_mounts > 0) {
		char *m = e->mounts[--e->n_mounts];

		logf_(e, "+ umount %s", m);
		/* A daemon a package started despite policy-rc.d may still hold it: detach lazily. */
		if (umount(m) < 0 && umount2(m, MNT_DETACH) < 0)
			logf_(e, "umount %s: %s", m, strerror(errno));
		free(m);
	}
	e->api_mounted = false;
	e->cache_mounted = false;
}

void inst_engine_free(struct inst_engine *e)
{
	if (!e)
		return;
	umount_all(e);
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
	progress(opaque, permille, text);
}

static void fill_source(const struct inst_plan *p, struct inst_apt_source *src, char *buf,
			size_t len)
{
	memset(src, 0, sizeof(*src));
	if (p->src == INST_SRC_LOCAL) {
		snprintf(buf, len, "file:%s", p->local_dir);
		src->mirror = buf;
	} else {
		src->mirror = p->mirror;
	}
	src->suite = p->suite;
	src->components = "main";
	if (p->security && p->src == INST_SRC_MIRROR && *p->security_mirror)
		src->security_mirror = p->security_mirror;
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

	step(e, INST_STEP_DEPS);
	rc = run_pre_scripts(e, cause);
	if (rc < 0)
		return rc;
	if (inst_plan_validate(p, &problems) < 0) {
		rc = hcfg_cause(cause, -EINVAL, "%s", problems);
		free(problems);
		return rc;
	}
	/* The disk may have changed since it was chosen: check it again right before writing. */
	rc = hcfg_disk_probe(p->disk, NULL, &disk, cause);
	if (rc < 0)
		return rc;
	if (!disk.eligible)
		return hcfg_cause(cause, -EBUSY, _("The disk %s cannot be used. %s"), p->disk, disk.why);
	if (!p->wipe_confirmed)
		return hcfg_cause(cause, -EPERM, _("Erasing %s was not confirmed."), p->disk);
	rc = inst_plan_resolve_sizes(p, disk.size >> 20, e->sizes, cause);
	if (rc < 0)
		return rc;
	snprintf(aptdir, sizeof(aptdir), "%s/apt", e->workdir);
	rc = hcfg_mkdirs(aptdir, cause);
	if (rc < 0)
		return rc;
	fill_source(p, &src, url, sizeof(url));
	pkgs = inst_plan_package_set(p);
	if (e->have_pkgs)
		inst_pkgset_free(&e->pkgs);
	e->have_pkgs = false;
	rc = inst_apt_resolve(&src, (const char *const *)pkgs, aptdir, e->logfd, deps_progress, e,
			      &e->pkgs, cause);
	for (size_t i = 0; pkgs[i]; i++)
		free(pkgs[i]);
	free(pkgs);
	if (rc < 0)
		return rc;
	e->have_pkgs = true;
	char msg[256];

	snprintf(msg, sizeof(msg), _("%zu packages, %llu MiB to download, %llu MiB installed."),
		 e->pkgs.n, (unsigned long long)(e->pkgs.total_size >> 20),
		 (unsigned long long)(e->pkgs.total_installed >> 20));
	logf_(e, "%s", msg);
	progress(e, 1000, msg);
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

	progress(m->e, m->base + m->span * permille / 1000, m->text);
	return 0;
}

/*
 * The disk must still be the one the operator confirmed: between the
 * question and the first write another disk may have taken its name, or
 * someone may have partitioned it.
 */
static int check_disk_identity(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_disk_id now;
	char was[640], is[640];

	if (!p->disk_id_set)
		return hcfg_cause(cause, -EINVAL,
				  _("The disk %s was never confirmed, so nothing is written to it."),
				  p->disk);
	if (hcfg_disk_identity(p->disk, &now, NULL) == 0 && hcfg_disk_id_equal(&now, &p->disk_id))
		return 0;
	hcfg_disk_id_describe(&p->disk_id, was, sizeof(was));
	if (hcfg_disk_identity(p->disk, &now, NULL) == 0)
		hcfg_disk_id_describe(&now, is, sizeof(is));
	else
		snprintf(is, sizeof(is), "%s", _("gone"));
	logf_(e, "disk identity changed: confirmed %s; now %s", was, is);
	return hcfg_cause(cause, -ESTALE,
			  _("The disk %s is not the one that was confirmed, so nothing was written: it was %s; it is now %s."),
			  p->disk, was, is);
}

/* Mount order: parents before children ("/" first, then by path depth). */
static int mount_depth(const char *m)
{
	int d = 0;

	if (!strcmp(m, "/"))
		return 0;
	for (; *m; m++)
		d += *m == '/';
	return d;
}

/* Mount the plan's file systems on the target, parents first, with mount @flags. */
static int mount_targets(struct inst_engine *e, unsigned long flags, char **cause)
{
	const struct inst_plan *p = e->plan;

	for (int depth = 0; depth < 16; depth++)
		for (size_t i = 0; i < p->n_parts; i++) {
			const struct inst_part *pt = &p->parts[i];
			int rc;

			if (pt->mount[0] != '/' || mount_depth(pt->mount) != depth)
				continue;
			rc = do_mount(e, e->partdev[i], !strcmp(pt->mount, "/") ? "" : pt->mount,
				      hcfg_fs_name(pt->fs), flags, cause);
			if (rc < 0)
				return rc;
		}
	return 0;
}

static int step_format(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_part_spec specs[INST_MAX_PARTS];
	char text[256];
	int rc;

	step(e, INST_STEP_FORMAT);
	snprintf(text, sizeof(text), _("Partitioning %s..."), p->disk);
	progress(e, 0, text);
	for (size_t i = 0; i < p->n_parts; i++) {
		specs[i].size_mib = e->sizes[i];
		specs[i].fs = p->parts[i].fs;
		specs[i].label = p->parts[i].mount;
	}
	rc = check_disk_identity(e, cause);
	if (rc == 0)
		rc = hcfg_disk_partition(p->disk, specs, p->n_parts, e->partdev, cause);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < p->n_parts; i++) {
		struct mkfs_cb m = { e, 50 + 900 * i / p->n_parts, 900 / p->n_parts, text };
		const char *label = p->parts[i].mount;

		if (p->parts[i].fs == HCFG_FS_BIOSBOOT)
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
		rc = mount_targets(e, 0, cause);
	if (rc < 0)
		return rc;
	progress(e, 1000, _("The file systems are ready."));
	return 0;
}

/* ---- helpers for commands in the target ------------------------------------ */

/* Run a command inside the target root; @argv is NULL-terminated and excludes "chroot". */
static int in_target(struct inst_engine *e, char **cause, const char *const argv[])
{
	const char *full[32] = { "chroot", e->target };
	size_t n = 2;
	int rc;

	for (size_t i = 0; argv[i] && n < 31; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	rc = hcfg_run(full, e->logfd, cause);
	if (rc > 0)
		return -EIO;   /* hcfg_run already wrote the cause naming the program */
	return rc;
}

#define TARGET(e, cause, ...) in_target((e), (cause), (const char *const[]){ __VA_ARGS__, NULL })

static int target_path(struct inst_engine *e, char *buf, size_t len, const char *rel)
{
	return snprintf(buf, len, "%s%s", e->target, rel) >= (int)len ? -ENAMETOOLONG : 0;
}

static int write_target(struct inst_engine *e, const char *rel, const char *data, unsigned mode,
			char **cause)
{
	char path[PATH_MAX], dir[PATH_MAX];

	target_path(e, path, sizeof(path), rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (hcfg_mkdirs(dir, cause) < 0)
		return -EIO;
	return hcfg_write_file(path, data, mode, cause);
}

/* The kernel file systems a chroot needs for package scripts and grub-install. */
static int mount_api(struct inst_engine *e, char **cause)
{
	int rc;

	if (e->api_mounted)
		return 0;
	rc = do_mount(e, "proc", "/proc", "proc", 0, cause);

	if (!rc)
		rc = do_mount(e, "sysfs", "/sys", "sysfs", 0, cause);
	if (!rc)
		rc = do_mount(e, "/dev", "/dev", NULL, MS_BIND, cause);
	if (!rc)
		rc = do_mount(e, "devpts", "/dev/pts", "devpts", 0, cause);
	if (!rc)
		rc = do_mount(e, "tmpfs", "/run", "tmpfs", 0, cause);
	e->api_mounted = rc == 0;
	return rc;
}

/* ---- Running post-install scripts -------------------------------------------- */

/* Printed on the host's consoles at every boot: what an operator checks first. */
static const char hoststatus_sh[] =
	"#!/bin/sh\n"
	"# Prints the host's state on its consoles once it is up: hypervisor, bridges, address.\n"
	"hv=none\n"
	"if [ \"$(cat /sys/hypervisor/type 2>/dev/null)\" = xen ]; then\n"
	"\thv=xen\n"
	"\tgrep -q control_d /proc/xen/capabilities 2>/dev/null && hv=xen-dom0\n"
	"elif [ -e /dev/kvm ]; then\n"
	"\thv=kvm\n"
	"elif command -v qemu-system-x86_64 >/dev/null; then\n"
	"\t# A KVM host on a CPU without virtualization: guests run, emulated.\n"
	"\thv=qemu-tcg\n"
	"fi\n"
	"libvirt=$(systemctl is-active libvirtd.service 2>/dev/null)\n"
	"bridges=\n"
	"for b in /sys/class/net/*/bridge; do\n"
	"\t[ -d \"$b\" ] || continue\n"
	"\tn=${b%/bridge}; n=${n##*/}\n"
	"\tports=$(ls /sys/class/net/$n/brif 2>/dev/null | tr '\\n' '+')\n"
	"\tbridges=\"$bridges $n(${ports%+})\"\n"
	"done\n"
	"addr=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $2\"=\"$4}' | tr '\\n' ' ')\n"
	"msg=\"ospite: host $(hostname) ready: hypervisor=$hv bridges=${bridges# } addresses=${addr% } libvirtd=${libvirt:-none}\"\n"
	"echo \"$msg\"\n"
	"mkdir -p /etc/issue.d && printf '%s\\n\\n' \"$msg\" > /etc/issue.d/ospite.issue\n";

static const char hoststatus_unit[] =
	"[Unit]\n"
	"Description=ospite host status on the console\n"
	"After=network-online.target xencommons.service libvirtd.service\n"
	"Wants=network-online.target\n"
	"Before=getty.target\n\n"
	"[Service]\n"
	"Type=oneshot\n"
	"ExecStart=/usr/lib/ospite/ospite-hoststatus\n"
	"StandardOutput=journal+console\n"
	"RemainAfterExit=yes\n\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

/* Timers and services a hypervisor host does without: no unattended apt runs under guests. */
static const char *const unneeded_units[] = {
	"apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "e2scrub_reap.service",
	NULL,
};

/* Keep the NIC names the operator saw: pin each by MAC with a systemd .link file. */
static int write_links(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;

	for (size_t i = 0; i < p->n_bridges; i++) {
		char rel[128], *data = NULL;
		int rc;

		if (!*p->bridges[i].mac)
			continue;
		snprintf(rel, sizeof(rel), "/etc/systemd/network/10-ospite-%s.link", p->bridges[i].nic);
		if (asprintf(&data, "# Keeps the name the installer showed for this NIC.\n[Match]\nMACAddress=%s\nType=ether\n\n[Link]\nName=%s\n",
			     p->bridges[i].mac, p->bridges[i].nic) < 0)
			abort();
		rc = write_target(e, rel, data, 0644, cause);
		free(data);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int xen_tweaks(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX], *conf = NULL, *out = NULL;
	int rc;

	/* With a fixed dom0_mem, xl must not balloon dom0 down to start guests. */
	target_path(e, path, sizeof(path), "/etc/xen/xl.conf");
	if (hcfg_read_file(path, &conf, NULL) < 0)
		conf = strdup("");
	if (strstr(conf, "\nautoballoon=\"off\"")) {
		free(conf);
		return 0;
	}
	if (asprintf(&out, "%s\n# Set by ospite-install: dom0 has a fixed memory size.\nautoballoon=\"off\"\n",
		     conf) < 0)
		abort();
	rc = hcfg_write_file(path, out, 0644, cause);
	free(conf);
	free(out);
	return rc;
}

static int set_root_password(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	int rc = 0;

	/*
	 * rootpw --lock alone: no password, and the account locked. The hash
	 * goes on chpasswd's standard input: on a command line every user
	 * could read it in ps, and the log would keep it.
	 */
	if (*p->root_hash) {
		char line[sizeof(p->root_hash) + 8];
		const char *argv[] = { "chroot", e->target, "chpasswd", "-e", NULL };

		snprintf(line, sizeof(line), "root:%s\n", p->root_hash);
		rc = hcfg_run_input(argv, e->logfd, line, cause);
		explicit_bzero(line, sizeof(line));
		if (rc > 0)
			rc = -EIO;
	}
	if (!rc && p->root_lock)
		rc = TARGET(e, cause, "usermod", "-L", "root");
	return rc;
}

/* What an answer file adds after the configuration ospite writes: its services, then %post. */
static int answer_file_post(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	int rc = 0;

	for (size_t i = 0; !rc && p->svc_enable && p->svc_enable[i]; i++)
		rc = hcfg_target_enable_unit(e->target, p->svc_enable[i], NULL, cause);
	for (size_t i = 0; !rc && p->svc_disable && p->svc_disable[i]; i++)
		rc = hcfg_target_disable_unit(e->target, p->svc_disable[i], cause);
	for (size_t i = 0; !rc && i < p->n_scripts; i++)
		if (p->scripts[i].when == INST_SCRIPT_POST) {
			progress(e, 900, _("Running the post-install scripts of the answer file..."));
			rc = inst_run_scripts(p, INST_SCRIPT_POST, e->target, e->logfd, cause);
			break;
		}
	return rc;
}

/* The host console's PAM rules: the system's password check and account rules. */
static const char console_pam[] =
	"# PAM configuration of the ospite host console (written by ospite-install).\n"
	"@include common-auth\n"
	"@include common-account\n";

/*
 * The host console is the program that runs on the host from now on: it
 * comes from beside this installer (the same build), with its catalog, its
 * PAM rules and its unit on tty1, and the group whose members may log in.
 */
static int install_console(struct inst_engine *e, char **cause)
{
	char self[PATH_MAX], src[PATH_MAX + 16], dst[PATH_MAX], mo[PATH_MAX], mo_dst[PATH_MAX];
	const char *localedir = getenv("OSPITE_LOCALEDIR");
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc;

	if (l <= 0)
		return hcfg_cause(cause, -errno, _("Could not find the host console next to the installer."));
	self[l] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(src, sizeof(src), "%s/ospite", self);
	if (access(src, X_OK) < 0)
		return hcfg_cause(cause, -ENOENT, _("The host console %s is missing."), src);
	target_path(e, dst, sizeof(dst), SBINDIR "/ospite");
	rc = hcfg_run((const char *const[]){ "install", "-D", "-m", "0755", src, dst, NULL },
		      e->logfd, cause);
	/* The catalog: where this installer takes its own, beside a build, or installed. */
	const char *dirs[] = { localedir && *localedir ? localedir : NULL, NULL, LOCALEDIR };
	char beside[PATH_MAX + 16];

	snprintf(beside, sizeof(beside), "%s/locale", self);
	dirs[1] = beside;
	*mo = '\0';
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !*mo; i++) {
		if (!dirs[i])
			continue;
		snprintf(mo, sizeof(mo), "%s/it/LC_MESSAGES/ospite.mo", dirs[i]);
		if (access(mo, R_OK) < 0)
			*mo = '\0';
	}
	if (rc == 0 && *mo) {
		target_path(e, mo_dst, sizeof(mo_dst), LOCALEDIR "/it/LC_MESSAGES/ospite.mo");
		rc = hcfg_run((const char *const[]){ "install", "-D", "-m", "0644", mo, mo_dst, NULL },
			      e->logfd, cause);
	} else if (rc == 0) {
		logf_(e, "no Italian catalog found: the host console will speak English only");
	}
	if (rc > 0)
		return -EIO;
	if (!rc)
		rc = write_target(e, "/etc/pam.d/ospite", console_pam, 0644, cause);
	if (!rc)
		rc = write_target(e, "/etc/systemd/system/ospite-console.service", console_unit, 0644,
				  cause);
	if (!rc)
		rc = hcfg_target_enable_unit(e->target, "ospite-console.service", NULL, cause);
	if (!rc)
		rc = TARGET(e, cause, "groupadd", "-f", "ospite");
	return rc;
}

static int step_post(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_target_mount mounts[INST_MAX_PARTS];
	struct hcfg_target_bridge br[INST_MAX_BRIDGES];
	size_t nm = 0;
	int rc;

	step(e, INST_STEP_POST);
	progress(e, 50, _("Writing the file system table..."));
	for (size_t i = 0; i < p->n_parts; i++) {
		if (p->parts[i].fs == HCFG_FS_BIOSBOOT)
			continue;
		mounts[nm++] = (struct hcfg_target_mount){
			.mount = p->parts[i].mount, .uuid = e->uuid[i],
			.fstype = hcfg_fs_name(p->parts[i].fs),
		};
	}
	rc = hcfg_target_fstab(e->target, mounts, nm, cause);
	if (rc < 0)
		return rc;

	progress(e, 150, _("Writing the network configuration and the bridges..."));
	for (size_t i = 0; i < p->n_bridges; i++)
		br[i] = (struct hcfg_target_bridge){ p->bridges[i].name, p->bridges[i].nic };
	struct hcfg_target_net net = {
		.hostname = p->hostname, .mgmt_nic = p->nic, .dhcp = p->dhcp, .address = p->ip,
		.prefix = p->prefix, .gateway = p->gateway, .dns = p->dns, .bridges = br,
		.n_bridges = p->n_bridges,
	};
	rc = hcfg_target_network(e->target, &net, cause);
	if (!rc)
		rc = write_links(e, cause);
	if (rc < 0)
		return rc;

	progress(e, 300, _("Setting the language, keyboard and time zone..."));
	rc = hcfg_target_locale(e->target, !strcmp(p->lang, "it") ? "it_IT.UTF-8" : "en_US.UTF-8",
				cause);
	if (!rc)
		rc = TARGET(e, cause, "locale-gen");
	if (!rc)
		rc = hcfg_target_keyboard(e->target, p->keyboard, NULL, cause);
	if (!rc)
		rc = hcfg_target_timezone(e->target, p->timezone, p->utc, cause);
	if (rc < 0)
		return rc;

	progress(e, 500, _("Setting the root password..."));
	rc = set_root_password(e, cause);
	if (rc < 0)
		return rc;

	progress(e, 600, _("Configuring the hypervisor..."));
	if (p->hv == INST_HV_XEN) {
		rc = xen_tweaks(e, cause);
		if (rc < 0)
			return rc;
	}
	rc = write_target(e, "/usr/lib/ospite/ospite-hoststatus", hoststatus_sh, 0755, cause);
	if (!rc)
		rc = write_target(e, "/etc/systemd/system/ospite-hoststatus.service", hoststatus_unit,
				  0644, cause);
	if (!rc)
		rc = hcfg_target_enable_unit(e->target, "ospite-hoststatus.service", NULL, cause);
	if (rc < 0)
		return rc;

	progress(e, 700, _("Installing the host console..."));
	rc = install_console(e, cause);
	if (rc < 0)
		return rc;

	progress(e, 800, _("Disabling unneeded services..."));
	for (size_t i = 0; unneeded_units[i]; i++) {
		char *ignored = NULL;

		/* Some of them may not be installed at all: that is fine. */
		if (hcfg_target_disable_unit(e->target, unneeded_units[i], &ignored) < 0)
			logf_(e, "disable %s: %s", unneeded_units[i], ignored ? ignored : "");
		free(ignored);
	}
	/* An answer file may leave the SSH server out. */
	rc = inst_list_has(p->exclude, "openssh-server") ? 0 :
		hcfg_target_enable_unit(e->target, "ssh.service", NULL, cause);
	if (!rc && *p->serial)
		rc = hcfg_target_serial_getty(e->target, p->serial, p->hv == INST_HV_XEN, cause);
	if (!rc)
		rc = answer_file_post(e, cause);
	if (rc < 0)
		return rc;
	progress(e, 1000, _("Post-install configuration is done."));
	return 0;
}

/* ---- Boot loader ------------------------------------------------------------- */

/*
 * update-grub in a chroot without udev finds no /dev/disk/by-uuid and names
 * the root by device ("root=/dev/loop0p3"), which the booted host will not
 * have: rewrite those names as UUID=.
 */
static int grub_cfg_by_uuid(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char path[PATH_MAX], *cfg = NULL;
	int rc;

	target_path(e, path, sizeof(path), "/boot/grub/grub.cfg");
	rc = hcfg_read_file(path, &cfg, cause);
	if (rc < 0)
		return rc;
	/* One pass: each "root=/dev/X" of a partition we made becomes "root=UUID=...". */
	struct hcfg_buf out = { 0 };
	const char *at = cfg;

	for (const char *hit; (hit = strstr(at, "root=/dev/"));) {
		const char *dev = hit + 5;
		size_t i;

		hcfg_buf_add(&out, at, hit - at);
		at = dev;
		for (i = 0; i < p->n_parts; i++) {
			size_t dl = e->partdev[i] ? strlen(e->partdev[i]) : 0;

			if (dl && *e->uuid[i] && !strncmp(dev, e->partdev[i], dl) &&
			    strchr(" \t\n", dev[dl]) && dev[dl]) {
				hcfg_buf_printf(&out, "root=UUID=%s", e->uuid[i]);
				at = dev + dl;
				break;
			}
		}
		if (i == p->n_parts)
			hcfg_buf_add(&out, hit, 5);
	}
	hcfg_buf_str(&out, at);
	free(cfg);
	if (out.oom) {
		free(out.s);
		return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	}
	cfg = out.s;
	if (strstr(cfg, "root=/dev/")) {
		free(cfg);
		return hcfg_cause(cause, -EIO, _("The boot configuration still names a device instead of a UUID."));
	}
	rc = hcfg_write_file(path, cfg, 0444, cause);
	free(cfg);
	return rc;
}

static int step_bootloader(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_target_grub g = {
		.timeout = p->boot_timeout >= 0 ? (unsigned)p->boot_timeout : 5,
		.cmdline = p->boot_append, .serial = p->serial, .xen = p->hv == INST_HV_XEN,
		.dom0_mem_mib = p->dom0_mem_mib,
	};
	int rc;

	step(e, INST_STEP_BOOTLOADER);
	progress(e, 100, _("Writing the boot loader settings..."));
	rc = hcfg_target_grub(e->target, &g, cause);
	if (rc < 0)
		return rc;
	progress(e, 300, _("Installing GRUB on the disk..."));
	/* bootloader --location=none: the menu is written, the disk's boot code left alone. */
	rc = p->boot_none ? 0 : TARGET(e, cause, "grub-install", "--target=i386-pc", p->disk);
	if (rc < 0)
		return rc;
	progress(e, 600, _("Writing the boot menu..."));
	rc = TARGET(e, cause, "update-grub");
	if (!rc)
		rc = grub_cfg_by_uuid(e, cause);
	if (rc < 0)
		return rc;
	progress(e, 1000, _("The boot loader is installed."));
	return 0;
}

/* ---- Finishing --------------------------------------------------------------- */

static int copy_file(const char *from, const char *to, unsigned mode, char **cause)
{
	char *data = NULL;
	int rc = hcfg_read_file(from, &data, cause);

	if (rc == 0)
		rc = hcfg_write_file(to, data, mode, cause);
	free(data);
	return rc;
}

static int journal_mark(struct inst_engine *e, enum inst_step s, bool finished, char **cause);

static int step_finish(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX], *ks;
	int rc;

	step(e, INST_STEP_FINISH);
	rc = hcfg_target_block_daemons(e->target, false, cause);
	if (rc < 0)
		return rc;
	/* The local source was trusted for the install only: the host keeps it switched off. */
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
	rc = write_target(e, "/root/ospite-ks.cfg", ks, 0600, cause);
	free(ks);
	if (rc < 0)
		return rc;
	logf_(e, "install finished after %ld s", (long)(time(NULL) - e->t0));
	if (*e->logpath) {
		target_path(e, path, sizeof(path), "/var/log/ospite");
		if (hcfg_mkdirs(path, cause) < 0)
			return -EIO;
		target_path(e, path, sizeof(path), "/var/log/ospite/install.log");
		rc = copy_file(e->logpath, path, 0600, cause);
		if (rc < 0)
			return rc;
	}
	rc = journal_mark(e, INST_STEP_FINISH, true, cause);
	if (rc < 0)
		return rc;
	/* A finished host is never resumed: this machine forgets the run. */
	inst_run_record_remove(e->workdir, &e->jn);
	progress(e, 500, _("Unmounting the target..."));
	umount_all(e);
	progress(e, 1000, _("The installation is complete."));
	return 0;
}

/* ---- Package Installation ---------------------------------------------------- */

/*
 * Shares of the overall bar, close to where the time goes on a warm cache
 * (the remaining time is estimated from the bar): download, base system,
 * the rest of the packages, the initial RAM disk.
 */
#define SHARE_DL     150
#define SHARE_BASE   280
#define SHARE_APT    350
#define SHARE_INITRD 220

static void pkg_update(struct inst_engine *e, unsigned overall, const char *status)
{
	struct inst_progress *pr = &e->pr;
	unsigned elapsed = time(NULL) - e->t0;
	const struct inst_pkg *pkg = e->have_pkgs && *e->cur_pkg ?
		inst_pkgset_find(&e->pkgs, e->cur_pkg) : NULL;

	/* The sources restart their own counts per phase; the overall bar only moves on. */
	if (overall < e->overall)
		overall = e->overall;
	e->overall = overall > 1000 ? 1000 : overall;
	pr->step = INST_STEP_PACKAGES;
	pr->permille = e->overall;
	if (status != e->status)
		snprintf(e->status, sizeof(e->status), "%s", status ? status : "");
	pr->text = e->status;
	pr->pkg = pkg ? e->cur_pkg : (*e->cur_pkg ? e->cur_pkg : NULL);
	pr->pkg_size = pkg ? pkg->size : 0;
	pr->pkg_summary = pkg ? pkg->summary : "";
	pr->total_pkgs = e->pkgs.n;
	pr->total_bytes = e->pkgs.total_size;
	pr->elapsed_s = elapsed;
	pr->remaining_s = pr->permille > 20 ? (uint64_t)elapsed * (1000 - pr->permille) / pr->permille : 0;
	if (e->ui.progress)
		e->ui.progress(e->ui.opaque, pr);
}

static void dl_progress(void *opaque, unsigned permille, const char *text)
{
	struct inst_engine *e = opaque;

	e->pr.pkg_permille = permille;
	pkg_update(e, SHARE_DL * permille / 1000, text);
}

static void dbs_event(void *opaque, const struct inst_dbs_event *ev)
{
	struct inst_engine *e = opaque;

	if (ev->kind == INST_DBS_ERROR || ev->kind == INST_DBS_WARNING)
		logf_(e, "base system: %s", ev->text);
	if (ev->kind == INST_DBS_INFO && ev->n_args > 0 &&
	    inst_pkgset_find(&e->pkgs, ev->args[0]))
		snprintf(e->cur_pkg, sizeof(e->cur_pkg), "%s", ev->args[0]);
	if (ev->kind != INST_DBS_PROGRESS && ev->kind != INST_DBS_INFO)
		return;
	if (ev->kind == INST_DBS_PROGRESS) {
		/* The tools report a fraction, not packages: scale the base set by it. */
		e->pr.done_pkgs = (uint64_t)e->base_pkgs * ev->permille / 1000;
		e->pr.done_bytes = e->base_bytes * ev->permille / 1000;
		e->pr.pkg_permille = ev->permille;
	}
	pkg_update(e, SHARE_DL + SHARE_BASE * e->pr.pkg_permille / 1000, ev->text);
}

static void dbs_line(void *opaque, const char *line)
{
	inst_dbs_feed(((void **)opaque)[1], line);
}

static void mmdbs_line(void *opaque, const char *line)
{
	inst_mmdbs_feed(((void **)opaque)[1], line);
}

static void tick(void *opaque)
{
	struct inst_engine *e = ((void **)opaque)[0];

	pkg_update(e, e->pr.permille, e->pr.text);
}

/*
 * Run a long command with the screen's clock ticking, its status lines (if
 * @line) given to @parser; a nonzero exit is -EIO, the cause naming it.
 */
static int run_ticking(struct inst_engine *e, const char *const argv[], const char *const env[],
		       int status_fd, void (*line)(void *, const char *), void *parser, char **cause)
{
	void *pair[2] = { e, parser };
	int rc = inst_run_status(argv, env, e->logfd, status_fd, line, tick, pair, cause);

	return rc > 0 ? -EIO : rc;
}

/* The package cache both the base system and apt read, seen inside the target. */
static int mount_cache(struct inst_engine *e, char **cause)
{
	char archives[PATH_MAX];
	int rc;

	if (e->cache_mounted)
		return 0;
	snprintf(archives, sizeof(archives), "%s/apt/archives", e->workdir);
	rc = do_mount(e, archives, "/var/cache/apt/archives", NULL, MS_BIND, cause);
	e->cache_mounted = rc == 0;
	return rc;
}

/*
 * mmdebstrap builds the same base system as debootstrap in under half the
 * time (one apt run instead of a shell loop per package); debootstrap stays
 * for systems without it, or when OSPITE_BOOTSTRAP=debootstrap asks for it.
 */
static bool use_mmdebstrap(void)
{
	const char *want = getenv("OSPITE_BOOTSTRAP");
	char *path;
	bool found;

	if (want && !strcmp(want, "debootstrap"))
		return false;
	path = hcfg_which("mmdebstrap");
	found = path != NULL;
	free(path);
	return found;
}

static int run_mmdebstrap(struct inst_engine *e, const char *const env[], char **cause)
{
	const struct inst_plan *p = e->plan;
	char mirror[PATH_MAX + 64];
	struct inst_mmdbs *mm;
	int rc;

	/* The cache is mounted where apt looks; its .debs are used, and not cleaned up after. */
	rc = mount_cache(e, cause);
	if (rc < 0)
		return rc;
	/* A local directory is read by apt outside the target: copy:// puts the files in the cache. */
	if (p->src == INST_SRC_LOCAL)
		snprintf(mirror, sizeof(mirror), "deb [trusted=yes] copy://%s %s main", p->local_dir,
			 p->suite);
	else
		snprintf(mirror, sizeof(mirror), "%s", p->mirror);
	const char *argv[] = { "mmdebstrap", "--verbose", "--mode=root", "--variant=important",
			       "--format=directory", "--architectures=amd64",
			       /* The target holds lost+found and the mounted /boot and image store. */
			       "--skip=check/empty", "--skip=cleanup/apt",
			       p->suite, e->target, mirror, NULL };

	mm = inst_mmdbs_new(e->base_pkgs, dbs_event, e);
	if (!mm)
		return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	rc = run_ticking(e, argv, env, INST_RUN_OUTPUT, mmdbs_line, mm, cause);
	inst_mmdbs_free(mm);
	return rc;
}

static int run_debootstrap(struct inst_engine *e, const char *const env[], char **cause)
{
	const struct inst_plan *p = e->plan;
	char cache[PATH_MAX + 32], mirror[PATH_MAX + 8];
	struct inst_dbs *dbs;
	int rc;

	snprintf(cache, sizeof(cache), "--cache-dir=%s/apt/archives", e->workdir);
	if (p->src == INST_SRC_LOCAL)
		snprintf(mirror, sizeof(mirror), "file://%s", p->local_dir);
	else
		snprintf(mirror, sizeof(mirror), "%s", p->mirror);
	dbs = inst_dbs_new(dbs_event, e);
	if (!dbs)
		return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	const char *argv[] = { "debootstrap", "--debian-installer", cache, "--arch=amd64",
			       p->suite, e->target, mirror, NULL };

	rc = run_ticking(e, argv, env, 3, dbs_line, dbs, cause);
	inst_dbs_flush(dbs);
	inst_dbs_free(dbs);
	return rc;
}

static int step_base(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct inst_apt_source src;
	char url[PATH_MAX], aptdir[PATH_MAX];
	const char *env[] = { "LC_ALL=C.UTF-8", "LANGUAGE=", NULL };
	int rc;

	step(e, INST_STEP_PACKAGES);
	e->t0 = time(NULL);
	e->base_pkgs = e->pkgs.n_base;
	e->base_bytes = 0;
	for (size_t i = 0; i < e->pkgs.n; i++)
		if (e->pkgs.pkgs[i].base)
			e->base_bytes += e->pkgs.pkgs[i].size;
	snprintf(aptdir, sizeof(aptdir), "%s/apt", e->workdir);
	fill_source(p, &src, url, sizeof(url));
	/* Everything is fetched first, once, into the cache both the base system and apt use. */
	rc = inst_apt_download(&src, &e->pkgs, aptdir, e->logfd, dl_progress, e, cause);
	if (rc < 0)
		return rc;
	e->failed = INST_STEP_BASE;
	/* The download's count is done: the base system starts its own from zero. */
	e->pr.pkg_permille = 0;
	return use_mmdebstrap() ? run_mmdebstrap(e, env, cause) : run_debootstrap(e, env, cause);
}

static void apt_line(void *opaque, const char *line)
{
	struct inst_engine *e = ((void **)opaque)[0];
	struct inst_apt_status st;

	if (inst_apt_status_parse(line, &st) < 0)
		return;
	if (st.kind == INST_APT_PMERROR) {
		logf_(e, "apt: %s: %s", st.id, st.desc);
		return;
	}
	if (st.kind != INST_APT_PMSTATUS)
		return;
	/* Package names come as "name:arch". */
	st.id[strcspn(st.id, ":")] = '\0';
	if (strcmp(st.id, e->cur_pkg)) {
		snprintf(e->cur_pkg, sizeof(e->cur_pkg), "%s", st.id);
		e->pr.pkg_permille = 0;
	}
	if (!strncmp(st.desc, "Installed ", 10)) {
		const struct inst_pkg *pk = inst_pkgset_find(&e->pkgs, st.id);

		e->apt_done++;
		e->apt_bytes_done += pk ? pk->size : 0;
		e->pr.pkg_permille = 1000;
	} else if (!strncmp(st.desc, "Unpacking ", 10)) {
		e->pr.pkg_permille = 300;
	} else if (!strncmp(st.desc, "Configuring ", 12)) {
		e->pr.pkg_permille = 700;
	}
	e->pr.done_pkgs = e->base_pkgs + e->apt_done;
	if (e->pr.done_pkgs > e->pkgs.n)
		e->pr.done_pkgs = e->pkgs.n;
	e->pr.done_bytes = e->base_bytes + e->apt_bytes_done;
	if (e->pr.done_bytes > e->pkgs.total_size)
		e->pr.done_bytes = e->pkgs.total_size;
	pkg_update(e, SHARE_DL + SHARE_BASE + (unsigned)(SHARE_APT * st.pct / 100), st.desc);
}

/*
 * With INITRD=No, linux-update-symlinks left /initrd.img out (and
 * removed it): now that the RAM disks exist, make the links as Debian has them.
 */
static int kernel_links(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	target_path(e, path, sizeof(path), "/usr/bin/linux-update-symlinks");
	if (access(path, X_OK) < 0)
		return 0;
	target_path(e, path, sizeof(path), "/boot");
	dir = opendir(path);
	if (!dir)
		return 0;
	while (rc == 0 && (d = readdir(dir))) {
		char image[PATH_MAX];

		if (strncmp(d->d_name, "vmlinuz-", 8) || !d->d_name[8])
			continue;
		snprintf(image, sizeof(image), "/boot/%s", d->d_name);
		rc = TARGET(e, cause, "linux-update-symlinks", "install", d->d_name + 8, image);
	}
	closedir(dir);
	return rc;
}

/* One initial RAM disk for every kernel in the target, built after all packages are in. */
static int build_initrd(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX];

	target_path(e, path, sizeof(path), "/usr/sbin/update-initramfs");
	if (access(path, X_OK) < 0) {
		logf_(e, "no update-initramfs in the target: no initial RAM disk built");
		return 0;
	}
	const char *argv[] = { "chroot", e->target, "update-initramfs", "-c", "-k", "all", NULL };
	int rc;

	*e->cur_pkg = '\0';
	pkg_update(e, SHARE_DL + SHARE_BASE + SHARE_APT, _("Building the initial RAM disk..."));
	/* The tick keeps the clock of the screen going for the half minute this takes. */
	rc = run_ticking(e, argv, NULL, -1, NULL, NULL, cause);
	if (rc == 0)
		rc = kernel_links(e, cause);
	if (rc == 0)
		pkg_update(e, SHARE_DL + SHARE_BASE + SHARE_APT + SHARE_INITRD, e->status);
	return rc;
}

/*
 * After a power cut in the middle of dpkg: configure what was unpacked;
 * unpack again, from the package cache, what was cut off half-way (dpkg
 * marks it "reinstreq", and neither --configure nor apt's -f will touch
 * it); then let apt's -f install, with no package named so that it may
 * upgrade what the unpacked packages need, finish the job.
 */
static int repair_dpkg(struct inst_engine *e, const char *const env[], char **cause)
{
	const char *cfg[] = { "chroot", e->target, "dpkg", "--configure", "-a", NULL };
	const char *query[] = { "chroot", e->target, "dpkg-query", "-W", "-f",
				"${Package} ${Version} ${Architecture} ${Status}\\n", NULL };
	const char *fix[] = { "chroot", e->target, "apt-get", "-y", "-q", "-f",
			      "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Use-Pty=0",
			      "--no-install-recommends", "install", NULL };
	const char *unpack[64 + 6] = { "chroot", e->target, "dpkg", "--unpack", "--force-depends" };
	char *out = NULL, *save = NULL, debs[64][512];
	size_t n = 5;
	int rc;

	if (run_ticking(e, cfg, env, -1, NULL, NULL, NULL) < 0)
		logf_(e, "resume: dpkg could not configure everything; apt repairs the rest");
	rc = hcfg_run_capture(query, e->logfd, &out, cause);
	if (rc > 0)
		rc = -EIO;
	if (rc < 0)
		return rc;
	for (char *line = strtok_r(out, "\n", &save); line && n < 64 + 5;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128], ver[128], arch[32], *status, host[PATH_MAX];
		int used = 0;

		/* "NAME VERSION ARCH install reinstreq half-installed": unpacked only in part. */
		if (sscanf(line, "%127s %127s %31s %n", name, ver, arch, &used) != 3)
			continue;
		status = line + used;
		if (!strstr(status, "reinstreq") && !strstr(status, "half-installed"))
			continue;
		/* apt names a cached package NAME_VERSION_ARCH.deb, the epoch's colon as %3a. */
		char *colon = strchr(ver, ':');
		char *d = debs[n - 5];

		if (colon)
			snprintf(d, sizeof(debs[0]), "/var/cache/apt/archives/%s_%.*s%%3a%s_%s.deb", name,
				 (int)(colon - ver), ver, colon + 1, arch);
		else
			snprintf(d, sizeof(debs[0]), "/var/cache/apt/archives/%s_%s_%s.deb", name, ver, arch);
		target_path(e, host, sizeof(host), d);
		if (access(host, R_OK) < 0) {
			logf_(e, "resume: %s %s was cut off while unpacking and is not in the cache", name, ver);
			continue;
		}
		logf_(e, "resume: %s %s was cut off while unpacking; it is unpacked again", name, ver);
		unpack[n++] = d;
	}
	unpack[n] = NULL;
	if (n > 5) {
		rc = run_ticking(e, unpack, env, -1, NULL, NULL, cause);
		if (rc == 0 && run_ticking(e, cfg, env, -1, NULL, NULL, NULL) < 0)
			logf_(e, "resume: dpkg still lacks packages; apt installs them");
	}
	free(out);
	if (rc == 0)
		rc = run_ticking(e, fix, env, -1, NULL, NULL, cause);
	return rc;
}

static int step_packages(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char debconf[] = "man-db man-db/auto-update boolean false\n";
	/*
	 * INITRD=No: the kernel's own hook would build an initial RAM disk at
	 * once and a later package's trigger build it again (half a minute
	 * each); it is built once, below, after every package is in.
	 */
	const char *env[] = { "DEBIAN_FRONTEND=noninteractive", "DEBCONF_NONINTERACTIVE_SEEN=true",
			      "LC_ALL=C.UTF-8", "LANGUAGE=", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
			      "INITRD=No", NULL };
	struct hcfg_target_apt apt = {
		.mirror = p->src == INST_SRC_LOCAL ? NULL : p->mirror, .suite = p->suite,
		.security = p->security && p->src == INST_SRC_MIRROR ? p->security_mirror : NULL,
		.updates = p->src == INST_SRC_MIRROR,
	};
	char local[PATH_MAX + 8];
	char **pkgs;
	int rc;

	e->failed = INST_STEP_PACKAGES;
	if (p->src == INST_SRC_LOCAL) {
		snprintf(local, sizeof(local), "file:%s", p->local_dir);
		apt.mirror = local;
		apt.trusted = true;
	}
	rc = hcfg_target_apt_sources(e->target, &apt, cause);
	if (!rc)
		rc = hcfg_target_block_daemons(e->target, true, cause);
	if (!rc)
		rc = mount_api(e, cause);
	if (rc < 0)
		return rc;
	rc = mount_cache(e, cause);
	if (p->src == INST_SRC_LOCAL && !rc)
		rc = do_mount(e, p->local_dir, p->local_dir, NULL, MS_BIND | MS_RDONLY, cause);
	if (rc < 0)
		return rc;
	/* man-db rebuilds its index after every package: hours on a slow disk for nothing. */
	rc = write_target(e, "/var/cache/debconf/ospite-preseed", debconf, 0644, cause);
	if (!rc)
		rc = TARGET(e, cause, "debconf-set-selections", "/var/cache/debconf/ospite-preseed");
	/*
	 * A run cut short during dpkg leaves packages half-configured, or
	 * unpacked before what they depend on: finish what dpkg can, then let
	 * apt repair the rest; the step's own install below completes it.
	 * With apt's environment: no debconf questions, and no initial RAM disk yet.
	 */
	if (!rc && e->resumed)
		rc = repair_dpkg(e, env, cause);
	if (!rc)
		rc = TARGET(e, cause, "apt-get", "-q", "update");
	if (rc < 0)
		return rc;

	pkgs = inst_plan_package_set(p);
	static const char *const head[] = { "apt-get", "-y", "-q",
					    "-o", "APT::Status-Fd=3",
					    "-o", "Dpkg::Options::=--force-unsafe-io",
					    "-o", "Dpkg::Options::=--force-confdef",
					    "-o", "Dpkg::Use-Pty=0",
					    "--no-install-recommends", "dist-upgrade" };
	size_t nh = sizeof(head) / sizeof(head[0]), n = 0;
	/* An answer file may list many packages: room for all of them. */
	const char **argv = calloc(nh + 3 + inst_list_len(pkgs), sizeof(*argv));

	if (!argv)
		abort();
	argv[n++] = "chroot";
	argv[n++] = e->target;
	for (size_t i = 0; i < nh; i++)
		argv[n++] = head[i];
	/* dist-upgrade with the package names installs them and takes security updates too. */
	for (size_t i = 0; pkgs[i]; i++)
		argv[n++] = pkgs[i];
	argv[n] = NULL;
	e->apt_done = 0;
	e->apt_bytes_done = 0;
	rc = run_ticking(e, argv, env, 3, apt_line, NULL, cause);
	free(argv);
	for (size_t i = 0; pkgs[i]; i++)
		free(pkgs[i]);
	free(pkgs);
	if (rc == 0)
		rc = build_initrd(e, cause);
	return rc;
}

/* ---- the whole run ------------------------------------------------------------ */

static void free_partdevs(struct inst_engine *e)
{
	for (size_t i = 0; i < INST_MAX_PARTS; i++) {
		free(e->partdev[i]);
		e->partdev[i] = NULL;
	}
}

/* "2026-12-02 14:05", in the local time of this machine. */
static void fmt_when(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, len, "?");
}

/* The step an earlier run stopped in: the first one that did not finish. */
static enum inst_step stopped_in(const struct inst_journal *j)
{
	for (int s = INST_STEP_FORMAT; s < INST_STEP_COUNT; s++)
		if (!(j->done & (1u << s)))
			return s;
	return INST_STEP_FINISH;
}

/*
 * Does the disk hold this very plan's install, cut short, that this machine
 * started? Then, when the operator agrees (or asked with --resume), mount it
 * and return which steps finished. Only a journal written for the same plan,
 * on partitions of exactly the planned sizes, by a run this machine recorded
 * (same run id, start time and file system UUIDs) counts; anything else
 * starts over. The disk is looked at read-only, with nothing on it allowed
 * to run, until the answer is yes. A base system that did not finish is not
 * resumed (debootstrap cannot pick up a half-filled root), nor are
 * post-install scripts cut short (a site's %post need not be safe to run
 * twice), nor a finished install (the operator confirmed erasing the disk):
 * those start again from Formatting.
 */
static unsigned resume_probe(struct inst_engine *e)
{
	const struct inst_plan *p = e->plan;
	uint64_t sizes[INST_MAX_PARTS];
	struct inst_journal j;
	const char *why = NULL;
	char *vouch = NULL;
	size_t n = 0;
	int rc;

	if (hcfg_disk_partitions(p->disk, e->partdev, sizes, INST_MAX_PARTS, &n, NULL) < 0) {
		logf_(e, "resume: no partition table on %s", p->disk);
		return 0;
	}
	why = "other partitions";
	if (n != p->n_parts)
		goto fresh;
	for (size_t i = 0; i < n; i++) {
		/* The last one ends where the disk does, a little short of its planned size. */
		uint64_t slack = i == n - 1 ? HCFG_LAST_PART_SLACK_MIB : 0;

		if (sizes[i] > e->sizes[i] || sizes[i] + slack < e->sizes[i])
			goto fresh;
	}
	why = "a file system is missing";
	for (size_t i = 0; i < n; i++)
		if (p->parts[i].fs != HCFG_FS_BIOSBOOT &&
		    hcfg_fs_uuid(e->partdev[i], e->uuid[i], sizeof(e->uuid[i]), NULL) < 0)
			goto fresh;
	why = "its file systems do not mount";
	if (mount_targets(e, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		goto fresh;
	why = NULL;
	rc = inst_journal_read(e->target, e->plan_fp, &j);
	if (rc == 0 && inst_journal_vouch(e->workdir, &j, e->uuid, n, &vouch) < 0)
		why = vouch;
	else if (rc == 0 && (j.done & (1u << INST_STEP_FINISH)))
		why = "a finished install, erased again as confirmed";
	else if (rc == 0 && !(j.done & (1u << INST_STEP_BASE)))
		why = "base system unfinished";
	else if (rc == 0 && (j.started & ~j.done & (1u << INST_STEP_POST)))
		why = "post-install scripts cut short: they may not run twice";
	if (rc < 0 || why) {
		why = rc == -ENOENT ? "no journal" : rc == -ESTALE ? "another plan" :
		      rc < 0 ? "damaged journal" : why;
		goto fresh;
	}
	umount_all(e);
	if (e->resume == INST_RESUME_ASK) {
		char when[64], text[1024];

		fmt_when(j.began, when, sizeof(when));
		snprintf(text, sizeof(text),
			 _("%s holds an install of these same choices that did not finish: it began on %s and stopped during \"%s\".\n\nResume it, or install from scratch and erase the disk?"),
			 p->disk, when, inst_step_title(stopped_in(&j)));
		if (!e->ui.question ||
		    !e->ui.question(e->ui.opaque, _("Unfinished Install"), text, _("Resume"),
				    _("Install from scratch"))) {
			why = "the operator chose to install from scratch";
			goto fresh;
		}
	}
	why = "its file systems do not mount";
	if (mount_targets(e, 0, NULL) < 0)
		goto fresh;
	e->jn = j;
	logf_(e, "resume: run %s of %lld on %s", j.run, j.began, p->disk);
	return j.done;
fresh:
	logf_(e, "resume: starting over on %s (%s)", p->disk, why);
	if (e->resume == INST_RESUME_YES && e->ui.warning) {
		char text[512];

		snprintf(text, sizeof(text), _("Nothing on %s can be resumed: the install starts from scratch."),
			 p->disk);
		e->ui.warning(e->ui.opaque, text);
	}
	free(vouch);
	umount_all(e);
	free_partdevs(e);
	return 0;
}

/*
 * Fingerprint every unused disk of the host that the plan does not name,
 * before the first write. Disks in use (mounted, swap, held) change on their
 * own and are kept safe by the exclusive open instead.
 */
static int fprint_take(struct inst_engine *e, char **cause)
{
	struct hcfg_disk *disks = NULL;
	struct hcfg_disk target;
	size_t n = 0;
	int rc;

	char target_file[PATH_MAX];

	rc = hcfg_disk_probe(e->plan->disk, NULL, &target, cause);
	if (rc == 0)
		rc = hcfg_disk_list(&disks, &n, NULL, NULL, cause);
	if (rc < 0)
		return rc;
	hcfg_loop_backing_file(target.name, target_file, sizeof(target_file));
	e->fp_disks = calloc(n ? n : 1, sizeof(char *));
	e->fp_before = calloc(n ? n : 1, sizeof(char *));
	e->fp_files = calloc(n ? n : 1, sizeof(char *));
	if (!e->fp_disks || !e->fp_before || !e->fp_files)
		abort();
	for (size_t i = 0; i < n; i++) {
		char *fp = NULL, file[PATH_MAX];

		/* Mounted, swap or held disks change on their own: the exclusive open keeps them safe. */
		if (!strcmp(disks[i].name, target.name) || hcfg_disk_try_claim(disks[i].path) == -EBUSY)
			continue;
		hcfg_loop_backing_file(disks[i].name, file, sizeof(file));
		if (*file && !strcmp(file, target_file))
			continue;
		/* A disk that cannot be read now cannot be compared later either: say so in the log. */
		if (hcfg_disk_fingerprint(disks[i].path, &fp, NULL) < 0) {
			logf_(e, "fingerprint: %s cannot be read", disks[i].path);
			continue;
		}
		e->fp_disks[e->n_fp] = strdup(disks[i].path);
		e->fp_files[e->n_fp] = strdup(file);
		e->fp_before[e->n_fp++] = fp;
		logf_(e, "fingerprint: %s %s", disks[i].path, fp);
	}
	free(disks);
	return 0;
}

/* The disks outside the plan must look exactly as they did before the install. */
static int fprint_check(struct inst_engine *e, char **cause)
{
	for (size_t i = 0; i < e->n_fp; i++) {
		char *now = NULL, file[PATH_MAX], *name = strrchr(e->fp_disks[i], '/');
		int rc;

		/* A loop device now on another file is another disk: the one we saw is gone. */
		hcfg_loop_backing_file(name ? name + 1 : e->fp_disks[i], file, sizeof(file));
		if (strcmp(file, e->fp_files[i])) {
			logf_(e, "fingerprint: %s now shows %s", e->fp_disks[i], *file ? file : "nothing");
			continue;
		}
		rc = hcfg_disk_fingerprint(e->fp_disks[i], &now, NULL);

		/*
		 * A disk unplugged (or a loop device detached) meanwhile was not written by
		 * this install: the same name may even be another device now. Log it only.
		 */
		if (rc == -ENOENT || rc == -ENXIO || rc == -ENODEV ||
		    (rc == 0 && !strncmp(now, "size=0 ", 7))) {
			logf_(e, "fingerprint: %s is gone", e->fp_disks[i]);
			free(now);
			continue;
		}
		if (rc < 0 || strcmp(now, e->fp_before[i])) {
			logf_(e, "fingerprint changed: %s %s", e->fp_disks[i], now ? now : "unreadable");
			free(now);
			return hcfg_cause(cause, -EIO,
					  _("The disk %s changed during the install although it was not part of the plan."),
					  e->fp_disks[i]);
		}
		free(now);
	}
	return 0;
}

/* Record in the journal that step @s began or finished. */
static int journal_mark(struct inst_engine *e, enum inst_step s, bool finished, char **cause)
{
	e->jn.started |= 1u << s;
	if (finished)
		e->jn.done |= 1u << s;
	return inst_journal_write(e->target, &e->jn, cause);
}

int inst_engine_run(struct inst_engine *e, char **cause)
{
	int (*const steps[])(struct inst_engine *, char **) = {
		[INST_STEP_FORMAT] = step_format, [INST_STEP_BASE] = step_base,
		[INST_STEP_PACKAGES] = step_packages, [INST_STEP_POST] = step_post,
		[INST_STEP_BOOTLOADER] = step_bootloader, [INST_STEP_FINISH] = step_finish,
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
	logf_(e, "plan:\n%s== end of plan", dump);
	free(dump);
	rc = fprint_take(e, cause);
	if (rc == 0)
		rc = check_disk_identity(e, cause);
	if (rc < 0)
		return rc;
	/* A journal on the disk is only read when the operator may want to resume. */
	if (e->resume != INST_RESUME_NO)
		e->resumed = resume_probe(e) != 0;
	else
		logf_(e, "resume: not asked for; %s is formatted", e->plan->disk);
	if (!e->resumed) {
		rc = inst_journal_new(&e->jn, e->plan_fp, cause);
		if (rc < 0)
			return rc;
	}
	for (int s = INST_STEP_FORMAT; s < INST_STEP_COUNT; s++) {
		if (e->jn.done & (1u << s)) {
			logf_(e, "resume: %s finished in an earlier run", inst_journal_word(s));
			continue;
		}
		/* The base step announces Package Installation; when it was skipped, say it here. */
		if (s == INST_STEP_PACKAGES && (e->jn.done & (1u << INST_STEP_BASE))) {
			step(e, INST_STEP_PACKAGES);
			/* The bar starts where the base system ends, not where the Dependency Check did. */
			e->overall = SHARE_DL + SHARE_BASE;
			e->pr.permille = e->overall;
		}
		/* Steps after Package Installation run commands in the target. */
		if (s > INST_STEP_PACKAGES)
			rc = mount_api(e, cause);
		/* The target exists only once Formatting made it. */
		if (rc == 0 && s > INST_STEP_FORMAT && s != INST_STEP_FINISH)
			rc = journal_mark(e, s, false, cause);
		/* A password chosen for this run replaces the one an earlier run set. */
		if (rc == 0 && s == INST_STEP_FINISH && e->resumed &&
		    (e->jn.done & (1u << INST_STEP_POST)))
			rc = set_root_password(e, cause);
		if (rc == 0)
			rc = steps[s](e, cause);
		/* Finishing records itself before it unmounts the target. */
		if (rc == 0 && s != INST_STEP_FINISH)
			rc = journal_mark(e, s, true, cause);
		if (rc < 0) {
			logf_(e, "failed: %s: %s", inst_step_title(e->failed),
			      cause && *cause ? *cause : "");
			umount_all(e);
			/* Even a failed run must not have touched another disk: say so if it did. */
			if (fprint_check(e, NULL) < 0)
				logf_(e, "a disk outside the plan changed during this failed run");
			return rc;
		}
	}
	rc = fprint_check(e, cause);
	if (rc < 0)
		logf_(e, "failed: %s", cause && *cause ? *cause : "");
	return rc;
}
