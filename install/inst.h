/* install: the install plan, its validation, the engine that carries it out, and the screens. */
#ifndef OSPITE_INST_H
#define OSPITE_INST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostcfg/hcfg.h"

#define INST_MAX_PARTS   16
#define INST_MAX_BRIDGES 8
#define INST_MAX_VGS     4
#define INST_MAX_PVS     4      /* physical volumes of one volume group */
#define INST_MAX_REPOS   8      /* extra apt sources (repo) */
#define INST_IMAGES_DIR  "/var/lib/ospite/images"

/* Copy a string into a fixed-size field of the plan, cut to fit. */
#define INST_COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

enum inst_hv { INST_HV_XEN = 0, INST_HV_KVM };
enum inst_src { INST_SRC_MIRROR = 0, INST_SRC_LOCAL };
enum inst_end { INST_END_REBOOT = 0, INST_END_POWEROFF, INST_END_HALT, INST_END_EXIT };

/*
 * Where an answer file made a choice: plan->src_files[file], line counted
 * from 1; line 0 means the choice did not come from an answer file.
 */
struct inst_loc {
	unsigned file;
	unsigned line;
};

/* One entry of the partition plan; sizes in MiB. */
struct inst_part {
	char mount[64];          /* "/", "/boot", "swap", INST_IMAGES_DIR, "biosboot" */
	enum hcfg_fs fs;
	uint64_t size_mib;       /* the size, or the minimum with grow */
	bool grow;               /* take what is left (shared with other grow entries) */
	uint64_t max_mib;        /* 0: no limit */
	bool recommended;        /* swap sized from the RAM once the disk is known */
	struct inst_loc src;
	/*
	 * Where it lives. A partition (mount "pv.01" with fs lvmpv, "raid.01"
	 * with fs mdmember, or a file system) is on disk @disk_n: 0 the plan's
	 * disk, 1 its second disk (RAID 1). With @md set it is a RAID 1 array of
	 * the two partitions @members; with @vg set, a logical volume @lv of that
	 * group (a thin pool, mount "none", or a thin volume of the pool @pool).
	 */
	unsigned disk_n;
	char md[16];             /* "md0" */
	char members[2][16];     /* "raid.01", "raid.02" */
	char vg[32];
	char lv[64];
	char pool[64];
	bool thinpool;
	unsigned percent;        /* logvol --percent: this share of the group's size */
};

/* An LVM volume group: its physical volumes by the names of their partitions or arrays. */
struct inst_vg {
	char name[32];
	char pvs[INST_MAX_PVS][16];  /* "pv.01" */
	size_t n_pvs;
	unsigned pesize_kib;     /* 0: LVM's default (4 MiB) */
	struct inst_loc src;
};

/* The layouts the automatic partitioning (and the partitioning screen) offers. */
enum inst_layout { INST_LAYOUT_PLAIN = 0, INST_LAYOUT_LVM, INST_LAYOUT_THINP, INST_LAYOUT_RAID1 };

struct inst_bridge {
	char name[16];           /* "xenbr0", "br0" */
	char nic[16];            /* the NIC it carries */
	char mac[18];            /* its MAC, so the installed host names it the same */
	struct inst_loc src;
};

/* An address besides the management one (a storage or migration network). */
struct inst_addr {
	char dev[16];            /* the NIC (its bridge carries the address) or a bridge */
	bool dhcp;
	char ip[64];
	unsigned prefix;
	char gateway[64];        /* only one address of the host holds the default gateway */
	char ipv6[64];           /* "", "auto", "dhcp" or "ADDRESS/PREFIX" */
	bool nodefroute;         /* DHCP: the address only, the server's default route ignored */
	struct inst_loc src;
};

/* An account of the installed host besides root (the answer file's user command). */
struct inst_user {
	char name[33];
	char groups[256];        /* comma-separated supplementary groups, made when missing */
	char hash[256];          /* crypt(3) hash, "" for none */
	bool lock;
	char shell[128];         /* "" for useradd's default */
	char home[256];          /* "" for /home/NAME */
	char gecos[128];
	long uid;                /* -1 for the next free one */
	struct inst_loc src;
};

/*
 * An extra apt source (the answer file's repo command, as Debian's preseed
 * apt-setup/localN): the resolver and the install take packages from it,
 * and the host keeps it as /etc/apt/sources.list.d/NAME.sources.
 */
struct inst_repo {
	char name[64];           /* the file's name; letters, digits, "-", "_" and "." */
	char url[256];           /* http:// or https:// */
	char suite[64];          /* "" for the install's suite; one ending in "/" is a flat repository */
	char components[128];    /* space-separated; "" for "main" (none for a flat repository) */
	char key[256];           /* its signing key: an absolute path or an http(s) URL; "" when trusted */
	char fingerprint[65];    /* the key must have it (upper-case hex), "" for no check */
	bool trusted;            /* --trusted: unsigned, its packages are not checked */
	struct inst_loc src;
};

enum inst_script_when { INST_SCRIPT_PRE = 0, INST_SCRIPT_POST };

/* A %pre or %post script of an answer file. */
struct inst_script {
	enum inst_script_when when;
	char *body;              /* the lines between the section header and %end */
	char interpreter[128];   /* absolute path; "" runs /bin/sh */
	char log[256];           /* also write the output here; "" for the install log only */
	bool nochroot;           /* %post: run on the installer, not in the target */
	bool erroronfail;        /* a failing script fails the install */
	unsigned timeout;        /* seconds it may run before its process group is killed */
	struct inst_loc src;     /* the section header */
};

#define INST_SCRIPT_TIMEOUT     (30u * 60)        /* seconds, when --timeout is not given */
#define INST_SCRIPT_TIMEOUT_MAX (7u * 24 * 3600)  /* a week: longer is surely a mistake */

/* Everything an install needs; screens and the answer file fill it, the engine reads it. */
struct inst_plan {
	char lang[8];            /* "en", "it" */
	char keyboard[32];       /* XKB layout: "us", "it" */
	char kbd_variant[32];    /* XKB variant: "", "nodeadkeys" */
	char locale[64];         /* the installed host's locale, "" for the one of lang */
	char timezone[64];       /* "Europe/Rome" */
	bool utc;

	char nic[16];            /* NIC the host is managed (and installed) through */
	char nic_mac[18];        /* its MAC address */
	bool dhcp;
	char ip[64];             /* static: address */
	unsigned prefix;         /* static: prefix length */
	char gateway[64];
	char dns[128];           /* space-separated */
	char hostname[64];       /* short name or FQDN */
	char ipv6[64];           /* management interface: "", "auto", "dhcp" or "ADDRESS/PREFIX" */
	bool noipv6;             /* IPv6 off on the installed host */
	bool nodefroute;         /* DHCP: the address only, the server's default route ignored */
	struct inst_addr addrs[INST_MAX_BRIDGES];
	size_t n_addrs;

	enum inst_src src;
	char mirror[256];        /* "http://host/debian" */
	char suite[32];          /* "bookworm" */
	char local_dir[256];     /* a local package repository */
	bool security;           /* apply security updates when the source has them */
	char security_mirror[256]; /* where they come from; "" for none */
	struct inst_repo repos[INST_MAX_REPOS];
	size_t n_repos;

	enum inst_hv hv;
	unsigned dom0_mem_mib;   /* Xen only; 0 = Xen's default */
	struct inst_bridge bridges[INST_MAX_BRIDGES];
	size_t n_bridges;

	char disk[256];          /* target disk, "/dev/sda" or a loop device */
	bool wipe_confirmed;     /* the operator confirmed this disk, or clearpart names it */
	/*
	 * The disk as the summary showed it when the operator (or the answer
	 * file) confirmed it: checked again just before the first write.
	 */
	struct hcfg_disk_id disk_id;
	bool disk_id_set;
	char disk_stable[256];   /* its /dev/disk/by-id name for the saved answer file, or "" */
	struct inst_part parts[INST_MAX_PARTS];
	size_t n_parts;
	struct inst_vg vgs[INST_MAX_VGS];
	size_t n_vgs;
	enum inst_layout layout; /* of autopart: plain, LVM or LVM with a thin pool */
	/* RAID 1: the second disk, which mirrors the first (its identity as for disk). */
	char disk2[256];
	struct hcfg_disk_id disk2_id;
	bool disk2_id_set;
	char disk2_stable[256];
	struct inst_loc src_disk2;

	char root_hash[256];     /* crypt(3) hash; never the plain password */

	char **packages;         /* extra packages (NULL-terminated, may be NULL) */

	char serial[32];         /* "ttyS0,115200" when the console is a serial line, else "" */
	enum inst_end end;
	char image[256];         /* --image PATH, "" for a real disk */

	/* What an answer file can say beyond the screens (NULL-terminated lists may be NULL). */
	bool nic_link;           /* the management NIC is the first one with a link */
	bool autopart;           /* the automatic layout, sized once the disk is known */
	char **only_use;         /* ignoredisk --only-use: the disks an install may use */
	char **ignore_disks;     /* ignoredisk --drives: disks an install must not use */
	bool root_lock;          /* rootpw --lock */
	char **exclude;          /* packages left out of the package set */
	bool std_priority;       /* also Debian's packages of Priority standard (@standard, @base) */
	char **svc_enable, **svc_disable;
	bool firewall;           /* firewall --enabled: an nftables rule set on the host */
	char **fw_ports;         /* what it lets in: "22/tcp", "53/udp", "5900-5999/tcp" */
	char **fw_trust;         /* interfaces it lets everything in from */
	char boot_append[512];   /* extra kernel arguments */
	int boot_timeout;        /* seconds; -1 for ospite's default */
	bool boot_none;          /* bootloader --location=none: GRUB is not written to the disk */
	struct inst_script *scripts;
	size_t n_scripts;
	struct inst_user *users;
	size_t n_users;
	char **src_files;        /* the answer file and the files it includes */
	size_t n_src_files;
	struct inst_loc src_disk, src_clear, src_ignore, src_rootpw, src_network, src_url,
		src_hv, src_bootloader;
};

/* ---- the plan (inst-plan.c) --------------------------------------------- */

void inst_plan_init(struct inst_plan *p);
/*
 * When a medium's package repository for @p->suite is there (the ISO's, at
 * /run/live/medium/debian, or $OSPITE_MEDIUM_REPO), make it the source; true if so.
 */
bool inst_plan_medium_source(struct inst_plan *p);
/* Where the medium's package repository is looked for. */
const char *inst_plan_medium_dir(void);
void inst_plan_free(struct inst_plan *p);
/* Defaults that follow the language (keyboard, timezone). */
void inst_plan_lang_defaults(struct inst_plan *p, const char *lang);
/* The locale the installed host gets for the plan's language: "it_IT.UTF-8", "en_US.UTF-8". */
const char *inst_plan_locale(const struct inst_plan *p);
/* One bridge per NIC: xenbr0.. on Xen, br0.. on KVM. */
void inst_plan_default_bridges(struct inst_plan *p, const struct hcfg_nic *nics, size_t n);
/* The bridge that carries @nic, or NULL. */
const struct inst_bridge *inst_plan_mgmt_bridge(const struct inst_plan *p);
/* The automatic layout for a disk of @disk_mib: biosboot, /boot, /, swap, images. */
void inst_plan_auto_parts(struct inst_plan *p, uint64_t disk_mib, uint64_t ram_mib);
/*
 * GRUB on a GPT disk booted by BIOS needs a 1 MiB BIOS boot partition: put
 * one first unless the plan has one. 1 when added, 0 when there was one,
 * -ENOSPC when the plan already has INST_MAX_PARTS partitions.
 */
int inst_plan_add_biosboot(struct inst_plan *p);
/*
 * Resolve grow entries to sizes for disks of @disk_mib (the smaller one with
 * RAID 1), arrays and logical volumes included; -ENOSPC when they do not fit.
 */
int inst_plan_resolve_sizes(const struct inst_plan *p, uint64_t disk_mib, uint64_t *sizes,
			    char **cause);
/* Every package the target gets (base set + hypervisor + extra), NULL-terminated, caller frees. */
char **inst_plan_package_set(const struct inst_plan *p);
/*
 * The plan in sentences, each ending in a newline: hypervisor and addresses,
 * the host's language, users, firewall and package source (inst-describe.c).
 */
struct base_buf;
void inst_plan_describe(const struct inst_plan *p, struct base_buf *b);
/* Does the entry carry a file system (not a BIOS boot partition, PV, RAID member or pool)? */
bool inst_part_has_fs(const struct inst_part *e);
/* Is the entry a partition on a disk (not an array or a logical volume)? */
bool inst_part_on_disk(const struct inst_part *e);
/* Does the plan use LVM, RAID? (Their tools go into the host's package set.) */
bool inst_plan_uses_lvm(const struct inst_plan *p);
bool inst_plan_uses_md(const struct inst_plan *p);
bool inst_plan_uses_thin(const struct inst_plan *p);
/* "plain", "lvm", "thinp" (autopart --type), "raid1". */
const char *inst_layout_name(enum inst_layout l);
/*
 * Turn the automatic layout into @layout: LVM (/, swap and the image store
 * as logical volumes of the group "ospite" on one partition), LVM with a
 * thin pool (/ and the image store thin) or RAID 1 over the plan's disk and
 * disk2 (/boot and an LVM physical volume on mirrored arrays).
 */
void inst_plan_auto_layout(struct inst_plan *p, enum inst_layout layout);
/* Write the plan as a normalised text dump (one "key: value" per line). */
char *inst_plan_dump(const struct inst_plan *p);
/*
 * Record what @p->disk is now (its identity and stable name) as the disk the
 * operator confirms; 0, or a negative errno with a cause.
 */
int inst_plan_confirm_disk(struct inst_plan *p, char **cause);
/* Write the plan as a kickstart-style answer file. */
char *inst_plan_to_ks(const struct inst_plan *p);
/* "FILE:LINE", or "FILE" when the line is 0, or "" when the choice came from no file. */
void inst_plan_where(const struct inst_plan *p, struct inst_loc src, char *buf, size_t len);
/* Remember @file as a source of the plan; its index for struct inst_loc. */
unsigned inst_plan_add_src_file(struct inst_plan *p, const char *file);
/* The swap size of the automatic layout. */
uint64_t inst_plan_swap_mib(uint64_t disk_mib, uint64_t ram_mib);
/* Does ospite itself need @pkg (so that it cannot be excluded)? */
bool inst_plan_pkg_needed(const struct inst_plan *p, const char *pkg);
/* Is @pkg in the package set before exclusions (base, hypervisor or extra)? */
bool inst_plan_pkg_listed(const struct inst_plan *p, const char *pkg);
/* Append a copy of @s to the NULL-terminated list *@list. */
void inst_list_add(char ***list, const char *s);
bool inst_list_has(char *const *list, const char *s);
size_t inst_list_len(char *const *list);
void inst_list_free(char ***list);

/* ---- field validators (inst-valid.c), each returns 0 or -EINVAL with a cause ---- */

int inst_valid_hostname(const char *s, char **cause);
int inst_valid_ipv4(const char *s, char **cause);
int inst_valid_prefix(const char *s, unsigned *prefix, char **cause);
/* An IPv6 setting of a network command: "auto", "dhcp" or "ADDRESS/PREFIX". */
int inst_valid_ipv6(const char *s, char **cause);
int inst_valid_dns(const char *s, char **cause);
int inst_valid_url(const char *s, char **cause);
int inst_valid_size(const char *s, uint64_t *mib, char **cause);
int inst_valid_mount(const char *s, char **cause);
int inst_valid_bridge_name(const char *s, char **cause);
/* A network device name ospite handles (hcfg_ifname_ok()), with the reason when it is not. */
int inst_valid_ifname(const char *s, char **cause);
/* A systemd unit name with its type suffix ("ssh.service"). */
int inst_valid_unit(const char *s, char **cause);
/* A Debian package name. */
int inst_valid_package(const char *s, char **cause);
/* Extra kernel arguments: nothing GRUB's shell-quoted settings would expand or end. */
int inst_valid_cmdline(const char *s, char **cause);
/* Linux's console= form "ttyS0,115200n8" made ospite's "ttyS0,115200": the host gets no parity
 * and 8 bits anyway. Any other ending is left for hcfg_serial_parse to refuse. */
void inst_serial_trim(char *s);
/* A crypt(3) hash this system can check ("$y$...", "$6$..."). */
int inst_valid_hash(const char *s, char **cause);
/* Is the hash of a method too weak to keep without a warning (MD5, "$1$")? */
bool inst_hash_weak(const char *s);
/* Hash @pw with yescrypt (or SHA-512 where yescrypt is missing). */
int inst_hash_password(const char *pw, char *hash, size_t len, char **cause);
/* Check the partition plan alone (mount points, one root); problems as for inst_plan_validate(). */
int inst_plan_validate_parts(const struct inst_plan *p, char **causes);
/* Check the whole plan; every problem is appended to *causes (newline-separated). */
int inst_plan_validate(const struct inst_plan *p, char **causes);

/* ---- the engine (inst-engine.c) ------------------------------------------ */

enum inst_step {
	INST_STEP_DEPS = 0,      /* Dependency Check */
	INST_STEP_FORMAT,        /* Formatting */
	INST_STEP_BASE,          /* base system (debootstrap) */
	INST_STEP_PACKAGES,      /* Package Installation */
	INST_STEP_POST,          /* Running post-install scripts */
	INST_STEP_BOOTLOADER,
	INST_STEP_FINISH,
	INST_STEP_COUNT
};

const char *inst_step_title(enum inst_step s);  /* translated */

struct inst_progress {
	enum inst_step step;
	unsigned permille;        /* of this step */
	const char *text;         /* what is happening now, translated */
	/* Package Installation only: */
	const char *pkg;          /* current package */
	uint64_t pkg_size;
	const char *pkg_summary;
	unsigned pkg_permille;
	unsigned total_pkgs, done_pkgs;
	uint64_t total_bytes, done_bytes;
	unsigned elapsed_s, remaining_s;
};

/* How the engine talks to its front end; it never draws or prints itself. */
struct inst_ui {
	void *opaque;
	void (*step)(void *opaque, enum inst_step step);
	void (*progress)(void *opaque, const struct inst_progress *pr);
	/* Something worth a line of its own, such as a resume and where it continues. */
	void (*info)(void *opaque, const char *msg);
	/* Something the operator should know that does not stop the install. */
	void (*warning)(void *opaque, const char *msg);
	/*
	 * A choice between @yes and @no (the default, and the answer when the
	 * front end cannot ask); true for @yes.
	 */
	bool (*question)(void *opaque, const char *title, const char *text, const char *yes,
			 const char *no);
};

/*
 * Whether a run may continue an earlier one that was cut short on the same
 * disk: never (the disk is formatted, whatever it holds), after asking the
 * operator through the question callback, or whenever this machine's own
 * record of that run vouches for it (--resume).
 */
enum inst_resume { INST_RESUME_NO = 0, INST_RESUME_ASK, INST_RESUME_YES };

struct inst_engine;

/* @logfd receives every command line and its output. */
struct inst_engine *inst_engine_new(const struct inst_plan *plan, const struct inst_ui *ui,
				    int logfd);
void inst_engine_free(struct inst_engine *e);
/* Where the package cache and the target mount point live (default /var/cache/ospite-install). */
void inst_engine_set_workdir(struct inst_engine *e, const char *dir);
/* May this run continue an earlier one (default INST_RESUME_NO)? */
void inst_engine_set_resume(struct inst_engine *e, enum inst_resume r);
/* The install log's path, copied to the target at the end. */
void inst_engine_set_logpath(struct inst_engine *e, const char *path);
/* Run every step; on failure *cause says which step failed and why. */
int inst_engine_run(struct inst_engine *e, char **cause);
/* Only the Dependency Check (used by the summary before the commit point too). */
int inst_engine_check_deps(struct inst_engine *e, char **cause);
enum inst_step inst_engine_failed_step(const struct inst_engine *e);

/* ---- answer-file scripts (inst-script.c) ---------------------------------- */

/*
 * Run the plan's scripts of kind @when in their order: %pre on this machine,
 * %post inside the target root @target, or on this machine with --nochroot
 * (where OSPITE_TARGET names @target). Their output goes to @logfd and to
 * their --log file. A failing script with --erroronfail stops the run with
 * -EIO and a cause naming its place in the answer file; other failures are
 * only logged.
 */
int inst_run_scripts(const struct inst_plan *p, enum inst_script_when when, const char *target,
		     int logfd, char **cause);

/* ---- disk images (inst-image.c) --------------------------------------------- */

/* Create the image @path (of @size_mib when new) and attach it to a loop device, named in @dev. */
int inst_image_attach(const char *path, uint64_t size_mib, char *dev, size_t len, char **cause);

#endif
