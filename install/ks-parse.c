/* Reading an answer file: lines, sections, %include, and one message per problem with its file and line. */
#include "ks-priv.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define KS_MAX_TOTAL (16u << 20)   /* bytes read through every %include together */
#define KS_MAX_INCLUDES 64          /* files read through %include, so that time stays bounded */

/* ---- messages ------------------------------------------------------------ */

const char *ks_where(struct ks *k, struct inst_loc at, char *buf, size_t len)
{
	inst_plan_where(k->p, at, buf, len);
	return buf;
}

static void verr(struct ks *k, struct inst_loc at, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void add_error(struct ks *k, struct inst_loc at, const char *msg)
{
	char where[320];

	if (k->n_err >= INST_KS_MAX_ERRORS) {
		k->dropped++;
		return;
	}
	k->n_err++;
	/*
	 * What ospite does not support is listed after what is wrong or missing,
	 * so the first line of a refused file is its real problem.
	 */
	base_buf_printf(k->minor ? &k->errs_minor : &k->errs, "%s: %s\n",
			ks_where(k, at, where, sizeof(where)), msg);
}

void ks_err_unsupported(struct ks *k, const char *fmt, ...)
{
	va_list ap;

	k->minor = true;
	va_start(ap, fmt);
	verr(k, k->at, fmt, ap);
	va_end(ap);
	k->minor = false;
}

static void verr(struct ks *k, struct inst_loc at, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void verr(struct ks *k, struct inst_loc at, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	add_error(k, at, msg);
	free(msg);
}

void ks_err(struct ks *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(k, k->at, fmt, ap);
	va_end(ap);
}

void ks_err_at(struct ks *k, struct inst_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(k, at, fmt, ap);
	va_end(ap);
}

static void vwarn(struct ks *k, struct inst_loc at, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vwarn(struct ks *k, struct inst_loc at, const char *fmt, va_list ap)
{
	char where[320], *msg = NULL;

	if (k->n_warn >= INST_KS_MAX_ERRORS) {
		k->warn_dropped++;
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	k->n_warn++;
	/* TRANSLATORS: the word before a warning, as in "FILE:LINE: warning: sentence". */
	base_buf_printf(&k->warns, "%s: %s: %s\n", ks_where(k, at, where, sizeof(where)),
			_("warning"), msg);
	free(msg);
}

void ks_warn(struct ks *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(k, k->at, fmt, ap);
	va_end(ap);
}

void ks_warn_at(struct ks *k, struct inst_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(k, at, fmt, ap);
	va_end(ap);
}

void ks_err_cause(struct ks *k, char *msg)
{
	add_error(k, k->at, msg ? msg : _("Out of memory."));
	free(msg);
}

const char *ks_q(struct ks *k, const char *s)
{
	char *b = k->qbuf[k->qi++ % 4];
	size_t max = sizeof(k->qbuf[0]) - 4, n = strlen(s);

	if (n <= max)
		return memcpy(b, s, n + 1);
	/* Cut on a character boundary: never in the middle of a UTF-8 sequence. */
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(b, s, n);
	memcpy(b + n, "...", 4);
	return b;
}

/* ---- lines ------------------------------------------------------------------ */

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], len, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (unsigned j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates and what lies past U+10FFFF are not text. */
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool has_controls(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < ' ' && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

/* The first word of a line, without reading past it: "%end", "%post"... */
static void first_word(const char *line, char *buf, size_t len)
{
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t#");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), line);
}

static void close_script(struct ks *k)
{
	struct inst_plan *p = k->p;

	if (!k->sec_bad) {
		struct inst_script *v = realloc(p->scripts, (p->n_scripts + 1) * sizeof(*v));

		if (!v || k->body.oom)
			abort();
		p->scripts = v;
		k->script.body = k->body.s ? k->body.s : strdup("");
		if (!k->script.body)
			abort();
		k->body.s = NULL;
		p->scripts[p->n_scripts++] = k->script;
	}
	free(k->body.s);
	memset(&k->body, 0, sizeof(k->body));
	memset(&k->script, 0, sizeof(k->script));
}

/*
 * End the open section: at its %end (@complete), or where its %end is
 * missing. Files of RHEL 5 and older end a section at the next one or at the
 * end of the file, as Anaconda still reads them: kept, with a warning.
 */
static void end_section(struct ks *k, bool complete)
{
	if (!complete)
		ks_warn_at(k, k->sec_src, _("The section %s has no %%end: it ends at the next section or at the end of the file, as in older answer files."),
			   k->sec_name);
	if (k->sec == KS_SEC_SCRIPT)
		close_script(k);
	k->sec = KS_SEC_NONE;
	k->sec_bad = false;
}

static void parse_text(struct ks *k, const char *data, size_t len);

/* The path of @path as seen from the file being read: relative paths start in its folder. */
static char *include_path(struct ks *k, const char *path)
{
	const char *cur = k->stack[k->depth - 1].name, *slash = strrchr(cur, '/');
	char *out = NULL;

	if (path[0] == '/' || strstr(path, "://") || !slash)
		out = strdup(path);
	else if (asprintf(&out, "%.*s/%s", (int)(slash - cur), cur, path) < 0)
		out = NULL;
	if (!out)
		abort();
	return out;
}

static void include(struct ks *k, char **w, size_t n)
{
	char *path = NULL, *data = NULL, *id = NULL, *cause = NULL;
	struct inst_loc back = k->at;
	size_t len = 0;
	int rc;

	if (n != 2) {
		ks_err(k, _("%%include takes one file name."));
		return;
	}
	if (k->sec != KS_SEC_NONE) {
		ks_err(k, _("%%include cannot be used inside a section."));
		return;
	}
	if (k->depth >= INST_KS_MAX_DEPTH) {
		ks_err(k, _("%%include is nested more than %d files deep."), INST_KS_MAX_DEPTH);
		return;
	}
	if (++k->n_includes > KS_MAX_INCLUDES) {
		ks_err(k, _("More than %d files are included."), KS_MAX_INCLUDES);
		return;
	}
	path = include_path(k, w[1]);
	rc = k->o->read(k->o->opaque, path, &data, &len, &id, &cause);
	if (rc == -ENOENT) {
		ks_err(k, _("The included file %s does not exist."), ks_q(k, path));
		goto out;
	}
	if (rc < 0) {
		ks_err(k, _("The included file %s cannot be read: %s"), ks_q(k, path),
		       cause ? cause : "");
		goto out;
	}
	for (int i = 0; i < k->depth; i++)
		if (k->stack[i].id && id && !strcmp(k->stack[i].id, id)) {
			ks_err(k, _("The file %s includes itself through %%include."), ks_q(k, path));
			goto out;
		}
	k->total += len;
	if (k->total > KS_MAX_TOTAL) {
		ks_err(k, _("The included files hold more than %u MiB together."), KS_MAX_TOTAL >> 20);
		goto out;
	}
	k->stack[k->depth].idx = inst_plan_add_src_file(k->p, path);
	k->stack[k->depth].name = k->p->src_files[k->stack[k->depth].idx];
	k->stack[k->depth].id = id;
	id = NULL;
	k->depth++;
	parse_text(k, data, len);
	k->depth--;
	free(k->stack[k->depth].id);
	k->stack[k->depth].id = NULL;
	k->at = back;
out:
	if (data)
		explicit_bzero(data, len);
	free(data);
	free(id);
	free(path);
	free(cause);
}

/* A line starting with % outside a script: a directive or a section header. */
static void directive(struct ks *k, char **w, size_t n)
{
	if (!strcmp(w[0], "%include")) {
		include(k, w, n);
	} else if (!strcmp(w[0], "%end")) {
		if (k->sec == KS_SEC_NONE)
			ks_err(k, _("%%end closes no section."));
		else if (n > 1)
			ks_err(k, _("%%end takes no arguments."));
		else
			end_section(k, true);
	} else if (!strcmp(w[0], "%ksappend")) {
		ks_err_unsupported(k, _("%%ksappend is not supported by ospite."));
	} else {
		if (k->sec != KS_SEC_NONE)
			end_section(k, false);
		ks_section_start(k, w);
	}
}

static void script_line(struct ks *k, const char *line)
{
	char word[32];

	first_word(line, word, sizeof(word));
	if (!strcmp(word, "%end")) {
		const char *rest = line + strspn(line, " \t") + 4;

		rest += strspn(rest, " \t");
		if (*rest && *rest != '#')
			ks_err(k, _("%%end takes no arguments."));
		end_section(k, true);
		return;
	}
	if (ks_is_section(word)) {
		/* A new section where this one should have ended: say so, then read it. */
		char **w = NULL;
		size_t n = 0;
		char *cause = NULL;

		end_section(k, false);
		if (inst_ks_split(line, &w, &n, &cause) < 0) {
			ks_err_cause(k, cause);
			return;
		}
		directive(k, w, n);
		inst_ks_words_free(w);
		return;
	}
	if (k->sec == KS_SEC_SCRIPT) {
		base_buf_str(&k->body, line);
		base_buf_str(&k->body, "\n");
	}
}

static void handle_line(struct ks *k, const char *line)
{
	char **w = NULL, *cause = NULL;
	size_t n = 0;

	if (k->sec == KS_SEC_SCRIPT || k->sec == KS_SEC_SKIP) {
		script_line(k, line);
		return;
	}
	if (has_controls(line)) {
		ks_err(k, _("The line holds control characters."));
		return;
	}
	if (inst_ks_split(line, &w, &n, &cause) < 0) {
		ks_err_cause(k, cause);
		return;
	}
	if (n == 0)
		;
	else if (w[0][0] == '%')
		directive(k, w, n);
	else if (k->sec == KS_SEC_PACKAGES)
		ks_package_line(k, w);
	else
		ks_command(k, w);
	inst_ks_words_free(w);
}

static void parse_text(struct ks *k, const char *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);
	struct ks_file *f = &k->stack[k->depth - 1];
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;

	k->at = (struct inst_loc){ f->idx, 0 };
	if (len > INST_KS_MAX_FILE) {
		ks_err(k, _("The file is larger than %u MiB."), INST_KS_MAX_FILE >> 20);
		k->fatal = true;
		return;
	}
	if (nul) {
		unsigned at = 1;

		for (const char *c = data; c < nul; c++)
			at += *c == '\n';
		k->at.line = at;
		ks_err(k, _("The line holds a NUL byte: this is not a text file."));
		k->fatal = true;
		return;
	}
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = (nl ? (size_t)(nl - data) : len) - off;

		k->at.line = ++lineno;
		if (n > INST_KS_MAX_LINE) {
			ks_err(k, _("The line is longer than %u bytes."), INST_KS_MAX_LINE);
			if (k->sec == KS_SEC_SCRIPT)
				k->sec_bad = true;
		} else {
			if (n + 1 > cap) {
				char *nb = realloc(line, n + 1);

				if (!nb)
					abort();
				line = nb;
				cap = n + 1;
			}
			memcpy(line, data + off, n);
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			if (!valid_utf8((const unsigned char *)line, n)) {
				ks_err(k, _("The line is not valid UTF-8 text."));
				if (k->sec == KS_SEC_SCRIPT)
					k->sec_bad = true;
			} else {
				handle_line(k, line);
			}
		}
		off += n + 1;
	}
	if (k->sec != KS_SEC_NONE)
		end_section(k, false);
	if (line)
		explicit_bzero(line, cap);
	free(line);
}

/* ---- reading files -------------------------------------------------------------- */

/*
 * Is @fd on a file system of the kernel's own? Its "regular" files report no
 * size and hold the machine's state (/proc/self/environ, /sys/...), which an
 * %include would copy into error messages.
 */
static bool pseudo_fs(int fd)
{
	static const unsigned long magics[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC, SECURITYFS_MAGIC,
		CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC, EFIVARFS_MAGIC,
		0x62656570,   /* configfs, which linux/magic.h does not name */
	};
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return true;
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if ((unsigned long)sf.f_type == magics[i])
			return true;
	return false;
}

int inst_ks_read_file(void *opaque, const char *path, char **data, size_t *len, char **id,
		      char **cause)
{
	struct stat before, st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	*data = NULL;
	*len = 0;
	*id = NULL;
	/*
	 * Opening a device or a FIFO can itself do something (arm a watchdog,
	 * rewind a tape, wake a writer), so look before opening; non-blocking
	 * and checked again after, for a path swapped in between.
	 */
	if (stat(path, &before) < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	if (!S_ISREG(before.st_mode))
		return base_cause(cause, -EINVAL, _("%s is not a regular file."), path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return base_cause(cause, -errno, _("Could not open %s: %s."), path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != before.st_dev ||
	    st.st_ino != before.st_ino) {
		rc = base_cause(cause, -EINVAL, _("%s is not a regular file."), path);
		goto out;
	}
	if (pseudo_fs(fd)) {
		rc = base_cause(cause, -EINVAL,
				_("%s is a file of the kernel (/proc, /sys...), not an answer file."), path);
		goto out;
	}
	if ((uint64_t)st.st_size > INST_KS_MAX_FILE) {
		rc = base_cause(cause, -EFBIG, _("%s is larger than %u MiB."), path,
				INST_KS_MAX_FILE >> 20);
		goto out;
	}
	buf = malloc(INST_KS_MAX_FILE + 2);
	if (!buf) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, INST_KS_MAX_FILE + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = base_cause(cause, -errno, _("Could not read %s: %s."), path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += r;
		if (got > INST_KS_MAX_FILE) {
			rc = base_cause(cause, -EFBIG, _("%s is larger than %u MiB."), path,
					INST_KS_MAX_FILE >> 20);
			goto out;
		}
	}
	buf[got] = '\0';
	if (asprintf(id, "%llu:%llu", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino) < 0) {
		*id = NULL;
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	*data = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

static int parse_main(const char *name, const char *data, size_t len, char *id,
		      const struct inst_ks_opts *opts, struct inst_plan *plan, char **errors)
{
	struct inst_ks_opts o = opts ? *opts : (struct inst_ks_opts){ 0 };
	struct ks *k = calloc(1, sizeof(*k));
	int rc;

	if (!k)
		abort();
	if (!o.read)
		o.read = inst_ks_read_file;
	if (!o.hash)
		o.hash = inst_hash_password;
	k->p = plan;
	k->o = &o;
	k->stack[0].idx = inst_plan_add_src_file(plan, name);
	k->stack[0].name = plan->src_files[k->stack[0].idx];
	k->stack[0].id = id;
	k->depth = 1;
	k->total = len;
	parse_text(k, data, len);
	k->at = (struct inst_loc){ k->stack[0].idx, 0 };
	ks_finish(k);
	if (k->errs_minor.s)
		base_buf_str(&k->errs, k->errs_minor.s);
	free(k->errs_minor.s);
	if (k->dropped) {
		unsigned dropped = k->dropped;

		/* This last line is not one of the problems: it must not be dropped itself. */
		k->n_err = 0;
		ks_err_at(k, (struct inst_loc){ k->stack[0].idx, 0 },
			  P_("%u more problem was found.", "%u more problems were found.", dropped),
			  dropped);
	}
	if (k->warn_dropped) {
		unsigned dropped = k->warn_dropped;

		k->n_warn = 0;
		k->at = (struct inst_loc){ k->stack[0].idx, 0 };
		ks_warn(k, P_("%u more warning was given.", "%u more warnings were given.", dropped),
			dropped);
	}
	if (k->errs.oom || k->warns.oom || k->errs_minor.oom)
		abort();
	if (o.warnings)
		*o.warnings = k->warns.s;
	else
		free(k->warns.s);
	rc = k->errs.s ? -EINVAL : 0;
	if (errors)
		*errors = k->errs.s;
	else
		free(k->errs.s);
	inst_list_free(&k->clear_drives);
	free(k->excl_src);
	free(k->body.s);
	free(k->script.body);
	free(k->stack[0].id);
	free(k);
	return rc;
}

int inst_ks_parse_buffer(const char *name, const char *data, size_t len,
			 const struct inst_ks_opts *opts, struct inst_plan *plan, char **errors)
{
	return parse_main(name, data, len, NULL, opts, plan, errors);
}

int inst_ks_parse_file(const char *path, const struct inst_ks_opts *opts, struct inst_plan *plan,
		       char **errors)
{
	inst_ks_reader read = opts && opts->read ? opts->read : inst_ks_read_file;
	char *data = NULL, *id = NULL, *cause = NULL;
	size_t len = 0;
	int rc;

	if (errors)
		*errors = NULL;
	if (opts && opts->warnings)
		*opts->warnings = NULL;
	rc = read(opts ? opts->opaque : NULL, path, &data, &len, &id, &cause);
	if (rc < 0) {
		/* The file itself is the problem: one message naming it, as for the others. */
		if (errors && asprintf(errors, "%s: %s\n", path,
				       rc == -ENOENT ? _("The answer file does not exist.") :
				       cause ? cause : "") < 0)
			*errors = NULL;
		free(cause);
		return -EINVAL;
	}
	rc = parse_main(path, data, len, id, opts, plan, errors);
	explicit_bzero(data, len);
	free(data);
	return rc;
}
