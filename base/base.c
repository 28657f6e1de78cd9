/* The helpers every layer needs: error causes, growing strings, the monotonic clock, and looking a program up in $PATH. */
#include "base.h"
#include "i18n.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int base_cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (!cause)
		return err;
	free(*cause);
	*cause = NULL;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	va_end(ap);
	return err;
}

void base_buf_add(struct base_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void base_buf_str(struct base_buf *b, const char *s)
{
	base_buf_add(b, s, strlen(s));
}

void base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap)
{
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);

	if (n < 0) {
		b->oom = true;
		return;
	}
	base_buf_add(b, s, n);
	free(s);
}

void base_buf_printf(struct base_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

long long base_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *base_which(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *full = NULL;

		if (asprintf(&full, "%s/%s", dir, name) < 0)
			break;
		if (access(full, X_OK) == 0)
			found = full;
		else
			free(full);
	}
	free(copy);
	return found;
}

size_t base_utf8_cut(const char *s, size_t len)
{
	size_t i = len, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && len - i < 3)
		i--;
	if (i == 0)
		return len;
	c = s[i - 1];
	if (c < 0xC0)
		return len;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	return i - 1 + need > len ? i - 1 : len;
}

/*
 * The console runs where only the C locales exist (see DESIGN.md), so LC_NUMERIC cannot give the
 * separator: the catalog does, and printf's "%.1f" is fixed up afterwards.
 */
char *base_decimal(char *buf)
{
	/* TRANSLATORS: the decimal separator of numbers such as "3.0 GiB": "," in Italian. */
	const char *sep = dgettext("ospite", ".");

	if (!buf || strlen(sep) != 1 || sep[0] == '.')
		return buf;
	for (char *p = buf; *p; p++)
		if (*p == '.' && p > buf && isdigit((unsigned char)p[-1]) &&
		    isdigit((unsigned char)p[1]))
			*p = sep[0];
	return buf;
}
