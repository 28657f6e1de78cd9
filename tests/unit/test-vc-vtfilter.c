/* Unit tests for vmconsole/vc-vtfilter.c: what of a guest's serial output reaches the operator's terminal, whole or split across reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vmconsole/vc.h"

/* @in filtered in reads of @chunk bytes (0: all at once), as a string. */
static char *filter(const char *in, size_t len, size_t chunk)
{
	struct vc_vtf f;
	char *out = malloc(len * 2 + VC_VTF_SLACK + 1);
	size_t o = 0;

	assert_non_null(out);
	vc_vtf_init(&f);
	if (!chunk)
		chunk = len ? len : 1;
	for (size_t i = 0; i < len; i += chunk) {
		size_t n = len - i < chunk ? len - i : chunk;

		o += vc_vtf_feed(&f, in + i, n, out + o);
	}
	out[o] = '\0';
	return out;
}

/* The same result whole and byte by byte. */
static void expect(const char *in, const char *want)
{
	for (size_t chunk = 0; chunk <= 3; chunk++) {
		char *got = filter(in, strlen(in), chunk);

		assert_string_equal(got, want);
		free(got);
	}
}

static void test_text_and_drawing(void **state)
{
	expect("login: ", "login: ");
	expect("a\r\nb\tc\bd\a", "a\r\nb\tc\bd\a");
	/* UTF-8 text, including characters whose bytes look like C1 controls on their own. */
	expect("perch\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xc2\xa0x", "perch\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xc2\xa0x");
	/* Colours, cursor movement, erasing, scroll region, cursor shown and hidden. */
	expect("\033[1;31mred\033[0m", "\033[1;31mred\033[0m");
	expect("\033[38;2;1;2;3mX\033[m", "\033[38;2;1;2;3mX\033[m");
	expect("\033[H\033[2J\033[10;5H\033[K\033[3A\033[2C", "\033[H\033[2J\033[10;5H\033[K\033[3A\033[2C");
	expect("\033[1;20r\033[?25l\033[?25h", "\033[1;20r\033[?25l\033[?25h");
	expect("\0337\033M\0338\033(0qqq\033(B", "\0337\033M\0338\033(0qqq\033(B");
}

static void test_osc_dropped(void **state)
{
	/* OSC 52 sets the clipboard, OSC 0 and 2 the title; BEL or ST ends them. */
	expect("a\033]52;c;b3NwaXRl\007b", "ab");
	expect("a\033]0;owned\033\\b", "ab");
	expect("a\033]2;title\007\033]52;p;eA==\033\\b", "ab");
	/* Colour palette and hyperlinks too; a string is ended by the ESC of a new sequence. */
	expect("\033]4;1;rgb:ff/00/00\007\033]8;;http://x\033[1mz", "\033[1mz");
	/* Eight-bit C1 controls, raw or UTF-8 encoded: CSI and OSC in one byte. */
	expect("a\x9d" "52;c;eA==\x07" "b", "a52;c;eA==\ab");
	expect("a\xc2\x9d" "0;t\xc2\x9c" "b", "a0;tb");
	expect("a\x9b" "?1049h", "a?1049h");
}

static void test_strings_dropped(void **state)
{
	/* DCS (e.g. tmux passthrough, DECRQSS), APC, PM and SOS are dropped to their ST. */
	expect("a\033Ptmux;\033\033]52;c;eA==\007\033\\b", "ab");
	expect("a\033P$qm\033\\b", "ab");
	expect("a\033_Gf=100;AAAA\033\\b\033^pm\033\\c\033Xsos\033\\d", "abcd");
	/* CAN cancels a string. */
	expect("a\033]2;t\030b", "ab");
}

static void test_modes_dropped(void **state)
{
	/* Mode changes that would break the menus after the detach. */
	expect("\033[?1049h\033[?1h\033=\033[?1000h\033[?2004h\033[4h\033[?7l\033>x", "x");
	/* Sequences that make the terminal answer, type into the console. */
	expect("\033[c\033[>c\033[6n\033[21t\033[18tx\033Z", "x");
	/* Full and soft resets, cursor style, key modifiers, window operations, charsets in G1. */
	expect("\033c\033[!p\033[2 q\033[>4;2m\033[8;50;100t\033)0\033#8\033%Gx", "x");
	/* Unexpected controls: ENQ (answerback), DEL, NUL. */
	expect("a\005b\177c", "abc");
	/* An endless sequence is dropped whole, and text after it comes through. */
	char long_seq[200] = "\033[";

	memset(long_seq + 2, '1', 150);
	strcpy(long_seq + 152, "mok");
	expect(long_seq, "ok");
}

/* The reset puts back what the filter lets through. */
static void test_reset(void **state)
{
	const char *r = vc_vtf_reset();

	assert_non_null(strstr(r, "\033[0m"));
	assert_non_null(strstr(r, "\033[r"));
	assert_non_null(strstr(r, "\033[?25h"));
	assert_non_null(strstr(r, "\033(B"));
	assert_non_null(strchr(r, '\017'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_drawing),
		cmocka_unit_test(test_osc_dropped),
		cmocka_unit_test(test_strings_dropped),
		cmocka_unit_test(test_modes_dropped),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
