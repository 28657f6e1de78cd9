/* The kickstart-style answer file: its parser into an install plan, and the checks against a machine. */
#ifndef OSPITE_KS_H
#define OSPITE_KS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inst.h"

#define INST_KS_MAX_FILE    (4u << 20)  /* bytes in one answer file */
#define INST_KS_MAX_LINE    65536u      /* bytes in one line */
#define INST_KS_MAX_DEPTH   8           /* files open at once through %include */
#define INST_KS_MAX_ERRORS  100         /* problems shown before the rest are only counted */

/*
 * Read one file an answer file includes (or the answer file itself): a
 * malloc'd copy of its bytes in *@data (NUL-terminated, *@len without the
 * NUL), and in *@id a malloc'd name that is the same for every path to the
 * same file, for loop detection. Returns 0 or a negative errno with *@cause.
 */
typedef int (*inst_ks_reader)(void *opaque, const char *path, char **data, size_t *len,
			      char **id, char **cause);

/* Hash a plaintext root password into @hash (as inst_hash_password() does). */
typedef int (*inst_ks_hasher)(const char *pw, char *hash, size_t len, char **cause);

struct inst_ks_opts {
	inst_ks_reader read;     /* NULL: inst_ks_read_file() */
	void *opaque;
	inst_ks_hasher hash;     /* NULL: inst_hash_password() */
	/*
	 * NULL, or where to put the warnings: what the file says that changes
	 * nothing on the installed host, accepted. *@warnings gets malloc'd
	 * "NAME:LINE: warning: sentence" lines (NULL when there are none),
	 * whether the file is valid or not; the caller frees them.
	 */
	char **warnings;
};

/*
 * Parse the answer file held in @data (@len bytes, named @name in messages
 * and as the base of relative %include paths) into @plan, which the caller
 * made with inst_plan_init(). Then check the plan for what it lacks without
 * looking at any disk: every problem becomes one "NAME:LINE: sentence" (or
 * "NAME: sentence") line of *@errors, which the caller frees. Returns 0, or
 * -EINVAL when there were problems. Only %include reads anything.
 */
int inst_ks_parse_buffer(const char *name, const char *data, size_t len,
			 const struct inst_ks_opts *opts, struct inst_plan *plan, char **errors);

/* The same for the file @path, read with @opts->read. */
int inst_ks_parse_file(const char *path, const struct inst_ks_opts *opts, struct inst_plan *plan,
		       char **errors);

/* The default reader: a regular file of at most INST_KS_MAX_FILE bytes. */
int inst_ks_read_file(void *opaque, const char *path, char **data, size_t *len, char **id,
		      char **cause);

/* What the checks against a machine need to know about it. */
struct inst_ks_machine {
	const struct hcfg_disk *disks;  /* every disk, eligible or not */
	size_t n_disks;
	bool *blank;                    /* per disk: holds no partition table or signature */
	bool check_nics;                /* false: leave the network as the file says */
	const struct hcfg_nic *nics;
	size_t n_nics;
	bool nics_must_exist;           /* the host boots on this machine: named NICs must be here */
	uint64_t ram_mib;               /* 0: unknown */
	const char *image;              /* image mode: the image file, the only disk */
};

/*
 * Settle what the answer file left to the machine and check that it fits:
 * the target disk (named, or the only eligible one), that it may be erased,
 * that the partitions fit, the automatic layout, the management NIC named by
 * MAC or "link", the default bridges and the MAC of every bridged NIC. Then
 * inst_plan_validate() has the last word. Problems are appended to *@errors
 * as for inst_ks_parse_buffer(). Returns 0 or -EINVAL.
 */
int inst_ks_check_machine(struct inst_plan *plan, const struct inst_ks_machine *m, char **errors);

/*
 * Read the signing key of the repository @r (a local file; an http(s) one
 * only when @fetch) and check it with inst_pgp_key_check(): an OpenPGP
 * public key, of the pinned fingerprint when one is given, and alone then.
 * On success *@data holds its @len bytes (the caller frees it) and
 * *@armored its form. Returns 0, 1 for a URL not fetched, or a negative
 * errno with a sentence naming the key and the repository.
 */
int inst_repo_key_load(const struct inst_repo *r, bool fetch, char **data, size_t *len,
		       bool *armored, char **cause);

/*
 * The local keys of @plan's repositories, checked as the install will
 * check them (inst_repo_key_load()), without the network: a "NAME:LINE:
 * sentence" line appended to *@errors for each one that would fail.
 * Returns 0, -EINVAL, or -ENOMEM.
 */
int inst_repo_keys_check(const struct inst_plan *plan, char **errors);

/* ---- pieces of the parser, for its tests ------------------------------------ */

/*
 * Split one line into words the way a shell would, without expansions:
 * blanks separate words, '...' keeps everything, "..." keeps everything but
 * \" \\ \$ \` (which lose their backslash), a backslash outside quotes keeps
 * the next character, and a # that starts a word starts a comment. On success
 * *@words is a NULL-terminated malloc'd array (free it with
 * inst_ks_words_free()) and *@n its length.
 */
int inst_ks_split(const char *line, char ***words, size_t *n, char **cause);
void inst_ks_words_free(char **words);

enum inst_ks_arg { INST_KS_FLAG = 0, INST_KS_VALUE };

/* One option of a command; an alias names the option it stands for. */
struct inst_ks_optdef {
	const char *name;          /* without the leading "--" */
	enum inst_ks_arg arg;
	const char *alias_of;      /* NULL, or the name this one is another spelling of */
};

#define INST_KS_MAX_OPTS 32

/* The parsed options of one command: val[i] for optdef i (NULL when not given). */
struct inst_ks_args {
	const char *val[INST_KS_MAX_OPTS];   /* a flag given has "" */
	const char **pos;                    /* positional words, NULL-terminated */
	size_t n_pos;
	bool unsupported;                    /* while a problem is reported: it is an unsupported option */
};

/*
 * Sort @words (the command's words after its name) into options of @defs
 * (which ends with a NULL name) and positional words. Options are
 * "--name=value", "--name value" or "--name" for a flag. Each problem (an
 * unknown option, one in @unsupported, one given twice, a missing value, a
 * value for a flag) is passed to @err as a translated sentence. Returns the
 * number of problems; free @a->pos afterwards.
 */
unsigned inst_ks_options(const char *cmd, char *const *words, const struct inst_ks_optdef *defs,
			 const char *const *unsupported, struct inst_ks_args *a,
			 void (*err)(void *opaque, const char *msg), void *opaque);

/* Find the index of @name in @defs (following aliases), or -1. */
int inst_ks_opt_index(const struct inst_ks_optdef *defs, const char *name);

#endif
