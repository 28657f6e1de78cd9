/* Guest names fitted to the list's name column: long ones keep their start and end around an ellipsis, and no two look alike. */
#include "vc.h"
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of the last @cols characters of @s (names are taken one column a character). */
static size_t tail_bytes(const char *s, int cols)
{
	size_t len = strlen(s), at = len;

	while (at > 0 && cols > 0) {
		at--;
		/* Step back over UTF-8 continuation bytes to the start of the character. */
		while (at > 0 && ((unsigned char)s[at] & 0xc0) == 0x80)
			at--;
		cols--;
	}
	return len - at;
}

static char *shorten(const char *s, int head, int tail, const char *ell)
{
	size_t hb, tb = tail_bytes(s, tail);
	char *out = NULL;

	tui_cut(s, head, &hb);
	if (asprintf(&out, "%.*s%s%s", (int)hb, s, ell, s + strlen(s) - tb) < 0)
		abort();
	return out;
}

static bool taken(char *const *shown, size_t n, size_t self, const char *s, char *const *names)
{
	for (size_t i = 0; i < n; i++) {
		if (i == self)
			continue;
		/* Names that fit are shown as they are: a shortened one must not look like them either. */
		if ((shown[i] && !strcmp(shown[i], s)) || !strcmp(names[i], s))
			return true;
	}
	return false;
}

char **vc_names_fit(char *const *names, size_t n, int width, const char *ell)
{
	char **shown = calloc(n ? n : 1, sizeof(*shown));
	int ew = tui_width(ell), avail = width - ew;

	if (!shown)
		abort();
	for (size_t i = 0; i < n; i++)
		if (tui_width(names[i]) <= width && !(shown[i] = strdup(names[i])))
			abort();
	for (size_t i = 0; i < n; i++) {
		int head;

		if (shown[i])
			continue;
		if (avail < 2) {
			shown[i] = shorten(names[i], width, 0, "");
			continue;
		}
		/* The middle first, then splits that keep more of the end, then more of the start. */
		for (int d = 0; d < avail && !shown[i]; d++) {
			for (int sign = 0; sign < 2 && !shown[i]; sign++) {
				char *c;

				head = (avail + 1) / 2 + (sign ? d : -d);
				if (head < 1 || head > avail - 1 || (d == 0 && sign))
					continue;
				c = shorten(names[i], head, avail - head, ell);
				if (taken(shown, n, i, c, names))
					free(c);
				else
					shown[i] = c;
			}
		}
		if (!shown[i]) {
			/* Every split looks like another name: number it instead. */
			char num[24];

			snprintf(num, sizeof(num), "%s%zu", ell, i + 1);
			head = width - tui_width(num);
			shown[i] = shorten(names[i], head > 0 ? head : 0, 0, num);
		}
	}
	return shown;
}
