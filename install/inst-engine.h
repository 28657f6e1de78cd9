/* The install engine's insides: its state and the helpers its steps share; only the files of the engine include it. */
#ifndef OSPITE_INST_ENGINE_H
#define OSPITE_INST_ENGINE_H

#include "inst.h"
#include "inst-apt.h"
#include "inst-journal.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

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
	/* What this run assembled, released at the end and on failure. */
	bool md_made[INST_MAX_PARTS];
	bool vg_made[INST_MAX_VGS];
	char ospite_deb[PATH_MAX];  /* the ospite package file the host gets; "" when apt takes it by name */
	char keyring[PATH_MAX];     /* a mirror's keys: Debian's and the install medium's; "" for Debian's */
	/* The answer file's extra repositories, their keys checked and kept in the work folder. */
	struct inst_apt_extra repo_src[INST_MAX_REPOS];
	char repo_key[INST_MAX_REPOS][PATH_MAX];
	size_t n_repo_src;
};

/* ---- inst-engine.c: the log and the front end ---------------------------------- */

void eng_log(struct inst_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A step begins: e->failed names it until the next, and the front end shows it. */
void eng_step(struct inst_engine *e, enum inst_step s);
void eng_progress(struct inst_engine *e, unsigned permille, const char *text);

/* ---- inst-mount.c: the target's mounts, files and commands ----------------------- */

/*
 * Mount @src on @rel inside the target (NULL @fstype: a bind mount), with
 * mount @flags and file system options @data (may be NULL), the mount point
 * reached without following any link; unmounted by eng_umount_all().
 */
int eng_mount(struct inst_engine *e, const char *src, const char *rel, const char *fstype,
	      unsigned long flags, const char *data, char **cause);
void eng_umount_all(struct inst_engine *e);
/* The plan's file systems, parents first; with @probe read-only and inert, only to look. */
int eng_mount_targets(struct inst_engine *e, bool probe, char **cause);
/* The kernel file systems a chroot needs for package scripts and grub-install. */
int eng_mount_api(struct inst_engine *e, char **cause);
/* The package cache both the base system and apt read, seen inside the target. */
int eng_mount_cache(struct inst_engine *e, char **cause);
void eng_free_partdevs(struct inst_engine *e);
/* Run a command inside the target root; @argv is NULL-terminated and excludes "chroot". */
int eng_in_target(struct inst_engine *e, char **cause, const char *const argv[]);
#define TARGET(e, cause, ...) eng_in_target((e), (cause), (const char *const[]){ __VA_ARGS__, NULL })
int eng_target_path(struct inst_engine *e, char *buf, size_t len, const char *rel);
int eng_write_target(struct inst_engine *e, const char *rel, const char *data, unsigned mode,
		     char **cause);

/* ---- inst-safety.c: what keeps an install to its disk ----------------------------- */

/* The disk must still be the one the operator confirmed. */
int eng_check_disk(struct inst_engine *e, char **cause);
/* Fingerprint the other disks before the first write; check them again after. */
int eng_fprint_take(struct inst_engine *e, char **cause);
int eng_fprint_check(struct inst_engine *e, char **cause);
/* Which steps an earlier run of this machine finished on the disk, if it may be resumed; else 0. */
unsigned eng_resume_probe(struct inst_engine *e);

/* ---- inst-pkgs.c: Package Installation ------------------------------------------- */

int eng_step_base(struct inst_engine *e, char **cause);
int eng_step_packages(struct inst_engine *e, char **cause);
/* Package Installation announced by a run that resumes after the base system. */
void eng_packages_resumed(struct inst_engine *e);
/*
 * Which ospite package the host gets (e->ospite_deb): the file OSPITE_PACKAGE names, else by
 * name from a local source that has it, else the medium's or a build's package file, else by
 * name from the mirror; then the names the Dependency Check adds to @pkgs for it.
 */
int eng_ospite_package(struct inst_engine *e, char ***pkgs, char **cause);
/*
 * After the resolver failed: when the package it found in no source is the ospite package asked
 * for by name (e->pkgs.missing, not the message, which may name a URL or another package with
 * "ospite" in it), add to *@cause that --package names a .deb file instead.
 */
void eng_ospite_hint(const struct inst_engine *e, char **cause);
/*
 * A mirror may be the install medium's repository served over HTTP, its
 * Release signed by the medium's key, which the live system carries
 * (/usr/share/keyrings/ospite-medium.gpg, or the file OSPITE_MEDIUM_KEY
 * names): e->keyring becomes Debian's keys and that one, in the work folder.
 */
int eng_mirror_keyring(struct inst_engine *e, char **cause);
/* The package source of the plan, for apt's resolver and downloader (@buf holds a file: URL). */
void eng_fill_source(const struct inst_plan *p, struct inst_apt_source *src, char *buf, size_t len);

/* ---- inst-repo.c: the answer file's extra repositories ------------------------------ */

/*
 * Read each repository's key (a file, or fetched over http or https), check
 * that it is an OpenPGP public key with the fingerprint the file gives, and
 * keep it in the work folder for apt (e->repo_src).
 */
int eng_repo_keys(struct inst_engine *e, char **cause);
/* Add the repositories eng_repo_keys() prepared to @src. */
void eng_repo_source(const struct inst_engine *e, struct inst_apt_source *src);
/* The host keeps them: /etc/apt/keyrings/NAME.gpg (or .asc) and sources.list.d/NAME.sources. */
int eng_repo_host(struct inst_engine *e, char **cause);

/* ---- inst-storage.c: LVM and RAID 1 ------------------------------------------------ */
/* Partition the plan's disk (and disk2), each entry's device in e->partdev. */
int eng_storage_partition(struct inst_engine *e, char **cause);
/* The arrays, volume groups and logical volumes, their devices in e->partdev. */
int eng_storage_make(struct inst_engine *e, char **cause);
/*
 * The UUID of the volume group @vg, as vgs prints it, into @buf (what Formatting records for a
 * resume); an error when no group, or more than one, has that name.
 */
int eng_vg_uuid(struct inst_engine *e, const char *vg, char *buf, size_t len, char **cause);
/* The host's /etc/mdadm/mdadm.conf, written before the initial RAM disk is built: it assembles the arrays from it. */
int eng_storage_host_files(struct inst_engine *e, char **cause);
/* Deactivate the volume groups and stop the arrays this run made (after unmounting). */
void eng_storage_release(struct inst_engine *e);
/* ---- inst-post.c: Running post-install scripts ----------------------------------- */

int eng_step_post(struct inst_engine *e, char **cause);
int eng_set_root_password(struct inst_engine *e, char **cause);

#endif
