/* The answer file's words and options: shell-like quoting without expansions, and --name=value options. */
#include "ks.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void inst_ks_words_free(char **words)
{
	for (size_t i = 0; words && words[i]; i++)
		free(words[i]);
	free(words);
}

int inst_ks_split(const char *line, char ***words, size_t *n, char **cause)
{
	size_t len = strlen(line), nw = 0, cap = 0;
	char **v = NULL, *cur = NULL;
	size_t cl = 0;
	int rc = 0;

	*words = NULL;
	*n = 0;
	/* A word is never longer than the line, so one buffer of that size holds any of them. */
	cur = malloc(len + 1);
	if (!cur)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	for (size_t i = 0; i <= len;) {
		bool in_word = false;

		while (line[i] == ' ' || line[i] == '\t')
			i++;
		if (!line[i] || line[i] == '#')
			break;
		cl = 0;
		while (line[i] && line[i] != ' ' && line[i] != '\t') {
			char c = line[i];

			in_word = true;
			if (c == '\'') {
				const char *end = strchr(line + i + 1, '\'');

				if (!end) {
					rc = base_cause(cause, -EINVAL,
							_("A single quote (') is not closed on this line."));
					goto out;
				}
				memcpy(cur + cl, line + i + 1, end - line - i - 1);
				cl += end - line - i - 1;
				i = end - line + 1;
			} else if (c == '"') {
				i++;
				while (line[i] && line[i] != '"') {
					if (line[i] == '\\' && line[i + 1] && strchr("\"\\$`", line[i + 1]))
						i++;
					cur[cl++] = line[i++];
				}
				if (!line[i]) {
					rc = base_cause(cause, -EINVAL,
							_("A double quote (\") is not closed on this line."));
					goto out;
				}
				i++;
			} else if (c == '\\') {
				if (!line[i + 1]) {
					rc = base_cause(cause, -EINVAL,
							_("The line ends with a backslash, but lines cannot be continued."));
					goto out;
				}
				cur[cl++] = line[i + 1];
				i += 2;
			} else {
				cur[cl++] = c;
				i++;
			}
		}
		if (!in_word)
			break;
		if (nw + 2 > cap) {
			size_t nc = cap ? cap * 2 : 8;
			char **nv = realloc(v, nc * sizeof(*nv));

			if (!nv) {
				rc = base_cause(cause, -ENOMEM, _("Out of memory."));
				goto out;
			}
			v = nv;
			cap = nc;
		}
		v[nw] = strndup(cur, cl);
		if (!v[nw]) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
		v[++nw] = NULL;
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v) {
			rc = base_cause(cause, -ENOMEM, _("Out of memory."));
			goto out;
		}
	}
	*words = v;
	*n = nw;
	v = NULL;
out:
	if (v) {
		v[nw] = NULL;
		inst_ks_words_free(v);
	}
	/* The buffer may hold a password. */
	explicit_bzero(cur, len + 1);
	free(cur);
	return rc;
}

int inst_ks_opt_index(const struct inst_ks_optdef *defs, const char *name)
{
	for (int i = 0; defs[i].name; i++) {
		if (strcmp(defs[i].name, name))
			continue;
		if (defs[i].alias_of)
			return inst_ks_opt_index(defs, defs[i].alias_of);
		return i;
	}
	return -1;
}

/* Report one problem through the caller's callback, formatted. */
static void report(void (*err)(void *, const char *), void *opaque, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(void (*err)(void *, const char *), void *opaque, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	err(opaque, msg ? msg : _("Out of memory."));
	free(msg);
}

unsigned inst_ks_options(const char *cmd, char *const *words, const struct inst_ks_optdef *defs,
			 const char *const *unsupported, struct inst_ks_args *a,
			 void (*err)(void *opaque, const char *msg), void *opaque)
{
	size_t n = 0;
	unsigned bad = 0;

	memset(a, 0, sizeof(*a));
	while (words[n])
		n++;
	a->pos = calloc(n + 1, sizeof(*a->pos));
	if (!a->pos)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i], *eq, *val = NULL;
		char name[64];
		size_t nl;
		int idx;

		if (strncmp(w, "--", 2) || !w[2]) {
			a->pos[a->n_pos++] = w;
			continue;
		}
		eq = strchr(w, '=');
		nl = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
		/* A name too long for any option is cut for the message, never inside a character. */
		if (nl >= sizeof(name)) {
			nl = sizeof(name) - 1;
			while (nl > 0 && ((unsigned char)w[2 + nl] & 0xc0) == 0x80)
				nl--;
		}
		memcpy(name, w + 2, nl);
		name[nl] = '\0';
		if (eq)
			val = eq + 1;
		idx = inst_ks_opt_index(defs, name);
		if (idx < 0 || idx >= INST_KS_MAX_OPTS) {
			bool known = false, takes = false;

			/* An entry "name=" is an option that takes a value; "name" is a flag. */
			for (size_t u = 0; unsupported && unsupported[u]; u++) {
				size_t ul = strlen(unsupported[u]);
				bool v = ul && unsupported[u][ul - 1] == '=';

				if (ul - v == strlen(name) && !strncmp(unsupported[u], name, ul - v)) {
					known = true;
					takes = v;
				}
			}
			a->unsupported = known;
			if (known)
				report(err, opaque, _("The option --%s of the command %s is not supported by ospite."),
				       name, cmd);
			else
				report(err, opaque, _("The command %s has no option --%s."), cmd, name);
			a->unsupported = false;
			bad++;
			/* "--name value": do not take the value for a command word of its own. */
			if (!eq && words[i + 1] && strncmp(words[i + 1], "--", 2) && takes)
				i++;
			continue;
		}
		if (defs[idx].arg == INST_KS_FLAG) {
			if (eq) {
				report(err, opaque, _("The option --%s of the command %s takes no value."),
				       name, cmd);
				bad++;
				continue;
			}
			val = "";
		} else if (!eq) {
			if (!words[i + 1] || !strncmp(words[i + 1], "--", 2)) {
				report(err, opaque, _("The option --%s of the command %s needs a value."),
				       name, cmd);
				bad++;
				continue;
			}
			val = words[++i];
		}
		if (a->val[idx]) {
			report(err, opaque, _("The option --%s of the command %s is given twice."), name,
			       cmd);
			bad++;
			continue;
		}
		a->val[idx] = val;
	}
	return bad;
}
