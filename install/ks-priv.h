/* Internals of the answer-file parser shared by its files: the parse state and its error list. */
#ifndef OSPITE_KS_PRIV_H
#define OSPITE_KS_PRIV_H

#include "ks.h"

/* Commands that may be given once; the ones of a group exclude each other. */
enum ks_once {
	KS_ONCE_NONE = 0,
	KS_ONCE_LANG, KS_ONCE_KEYBOARD, KS_ONCE_TIMEZONE, KS_ONCE_ROOTPW, KS_ONCE_URL,
	KS_ONCE_IGNOREDISK, KS_ONCE_ZEROMBR, KS_ONCE_CLEARPART, KS_ONCE_AUTOPART,
	KS_ONCE_BOOTLOADER, KS_ONCE_HYPERVISOR, KS_ONCE_MODE, KS_ONCE_END, KS_ONCE_PACKAGES, KS_ONCE_FIREWALL, KS_ONCE_REQPART,
	KS_ONCE_COUNT
};

enum ks_section { KS_SEC_NONE = 0, KS_SEC_PACKAGES, KS_SEC_SCRIPT, KS_SEC_SKIP };

struct ks_file {
	const char *name;        /* as messages show it (plan->src_files[idx]) */
	unsigned idx;
	char *id;                /* the reader's identity of the file, for loop detection */
};

struct ks {
	struct inst_plan *p;
	const struct inst_ks_opts *o;
	struct base_buf errs;
	unsigned n_err, dropped;
	struct base_buf errs_minor;  /* what ospite does not support: listed after the rest */
	bool minor;              /* the problem being added is one of those */
	const bool *args_unsup;  /* while options are sorted: the one reported is unsupported */
	struct base_buf warns;   /* accepted, but said: they do not make the file invalid */
	unsigned n_warn, warn_dropped;
	bool fatal;              /* a whole file was unusable: what is "missing" is not known */
	struct ks_file stack[INST_KS_MAX_DEPTH];
	int depth;
	struct inst_loc at;      /* the line being read */
	size_t total;            /* bytes read, includes too */
	unsigned n_includes;
	char qbuf[4][96];        /* shortened values for messages */
	int qi;

	struct inst_loc once[KS_ONCE_COUNT];
	const char *once_name[KS_ONCE_COUNT];

	/* The open section. */
	enum ks_section sec;
	struct inst_loc sec_src;
	char sec_name[32];
	bool sec_bad;            /* its header had problems: do not keep it */
	struct base_buf body;
	struct inst_script script;

	/* What the final checks need. */
	bool lang_set, keyboard_set, timezone_set;
	struct inst_loc addr_src, hostname_src, part_src, root_src, autopart_src, gateway_src;
	bool addr_nic_lines[INST_MAX_BRIDGES + 1];  /* the address (0: management) came on a NIC line */
	bool part_seen, root_seen;
	char ondisk[256];
	struct inst_loc ondisk_src;
	char ondisk2[256];       /* RAID 1: the second disk a part --ondisk names */
	struct inst_loc ondisk2_src;
	char **clear_drives;
	bool clear_all;
	struct inst_loc *excl_src;   /* the line of each p->exclude entry */
	struct inst_loc rhel_xen_src, rhel_kvm_src;  /* RHEL packages that ask for Xen or KVM */
};

/* "FILE:LINE: message" for the line being read (@line 0: that line). */
void ks_err(struct ks *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a given place; a place with line 0 gives "FILE: message". */
void ks_err_at(struct ks *k, struct inst_loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A problem that is only something ospite does not support: listed after the others. */
void ks_err_unsupported(struct ks *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "FILE:LINE: warning: message" for the line being read: accepted, not a problem. */
void ks_warn(struct ks *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a given place. */
void ks_warn_at(struct ks *k, struct inst_loc at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report a problem already put in words (a cause), at the line being read; frees @msg. */
void ks_err_cause(struct ks *k, char *msg);
/* A value shortened for a message (valid until four more calls). */
const char *ks_q(struct ks *k, const char *s);
/* "FILE:LINE" of a place, into @buf. */
const char *ks_where(struct ks *k, struct inst_loc at, char *buf, size_t len);

/* Run the command in @w (w[0] is its name) at the line being read. */
void ks_command(struct ks *k, char **w);
/* The section header in @w (w[0] starts with %); sets k->sec. */
void ks_section_start(struct ks *k, char **w);
/* One line inside %packages. */
void ks_package_line(struct ks *k, char **w);
/* The checks once every file is read: what is missing, and how the disk is named. */
void ks_finish(struct ks *k);
/* ks-cmd.c's option sorter, MiB sizes and disk names, for the parser's other files. */
unsigned ks_args(struct ks *k, char **w, const struct inst_ks_optdef *defs,
		 const char *const *unsupported, struct inst_ks_args *a, size_t max);
bool ks_parse_mib(struct ks *k, const char *opt, const char *v, uint64_t *out);
/* Does @v fit in a plan field of @size bytes? Said when not. */
bool ks_fits(struct ks *k, const char *what, const char *v, size_t size);

/* ---- ks-repo.c: the repo command ---- */
void ks_cmd_repo(struct ks *k, char **w);

/* ---- ks-lvm.c: LVM and RAID 1 ---- */
void ks_cmd_volgroup(struct ks *k, char **w);
void ks_cmd_logvol(struct ks *k, char **w);
void ks_cmd_raid(struct ks *k, char **w);
/* Is the part command's mount a physical volume or RAID member ("pv.01", "raid.01")? */
bool ks_piece_mount(const char *mount);
/* Check such a name (valid, not used before) and its --fstype @fst (may be NULL); its type in @fs. */
bool ks_piece_check(struct ks *k, const char *mount, const char *fst, enum hcfg_fs *fs);
/* A disk other than the first: the second one of a RAID 1 file is 1, a third an error (0). */
unsigned ks_second_disk(struct ks *k, const char *disk);
/* autopart --type: plain, lvm or thinp; false after reporting another. */
bool ks_autopart_type(struct ks *k, const char *type);
/* The cross-checks of groups, volumes and arrays once every file is read; then the plan's disk2. */
void ks_lvm_finish(struct ks *k);
/* After the first BIOS boot partition: the second disk of RAID 1 gets one too. */
void ks_lvm_biosboot2(struct ks *k);

/* Is @word the header of a section (supported or not), so a script cannot hold it? */
bool ks_is_section(const char *word);

#endif
