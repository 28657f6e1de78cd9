/* A filter for a guest's serial output on the operator's terminal: text, colours and cursor movement pass, whatever can act on the terminal itself is dropped. */
#include "vc.h"

#include <string.h>

/*
 * Why a whitelist: a guest is not trusted, and the operator's terminal does
 * more than draw. OSC strings set its title and clipboard (OSC 52) or
 * change its palette; DCS, APC and PM strings reach terminal features and
 * multiplexers; some sequences make the terminal answer (DA, DSR, window
 * reports), which would type into the console after the detach; mode
 * changes (application cursor keys, mouse reporting, the alternate screen,
 * bracketed paste, keypad modes) would leave newt with keys it cannot
 * read. So only printable text, a few C0 controls, and CSI sequences known
 * to draw within the screen pass; the rest is dropped whole, and what did
 * pass is undone by vc_vtf_reset() when the operator leaves.
 */

enum {
	S_GROUND = 0,
	S_ESC,          /* after ESC */
	S_ESC_INTER,    /* ESC, intermediates: dropped up to the final byte */
	S_CHARSET,      /* ESC ( : one more byte names the character set */
	S_CSI,          /* ESC [ ... */
	S_STRING,       /* inside OSC, DCS, SOS, PM or APC: dropped */
	S_STRING_ESC,   /* ESC inside a string: ST when '\' follows */
	S_UTF8_C2,      /* 0xC2 seen: a C1 control follows when the next byte is 0x80..0x9F */
};

void vc_vtf_init(struct vc_vtf *f)
{
	memset(f, 0, sizeof(*f));
}

const char *vc_vtf_reset(void)
{
	/* Colours off, whole-screen scrolling, cursor shown, ASCII in G0 and shifted in. */
	return "\033[0m\033[r\033[?25h\033(B\017";
}

/* C0 controls that only move the cursor or ring: BEL BS HT LF VT FF CR, and SO/SI undone at the end. */
static bool c0_ok(unsigned char c)
{
	return (c >= 0x07 && c <= 0x0f);
}

/* The final bytes of CSI sequences that draw: cursor movement, erasing, scrolling, colours. */
static bool csi_ok(const struct vc_vtf *f, unsigned char final)
{
	/* seq holds ESC [ and the parameter and intermediate bytes. */
	const char *p = f->seq + 2;
	size_t n = f->len - 2;

	if (f->overflow)
		return false;
	for (size_t i = 0; i < n; i++) {
		/* Intermediates (DECSTR "!p", DECSCUSR " q", DECSCL "\"p") are all terminal settings. */
		if ((unsigned char)p[i] < 0x30)
			return false;
	}
	if (n && strchr("<=>?", p[0])) {
		/* Private modes: only showing and hiding the cursor, which the reset undoes. */
		return n == 3 && !memcmp(p, "?25", 3) && (final == 'h' || final == 'l');
	}
	return final && strchr("@ABCDEFGHIJKLMPSTXZ`abdefgmrsu", final) != NULL;
}

static void put(char *out, size_t *o, const char *s, size_t n)
{
	memcpy(out + *o, s, n);
	*o += n;
}

size_t vc_vtf_feed(struct vc_vtf *f, const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		/* CAN and SUB cancel any sequence, as terminals do. */
		if ((c == 0x18 || c == 0x1a) && f->state != S_GROUND) {
			f->state = S_GROUND;
			f->len = 0;
			continue;
		}
		switch (f->state) {
		case S_UTF8_C2:
			f->state = S_GROUND;
			if (c >= 0x80 && c <= 0x9f)
				continue;           /* U+0080..U+009F: C1 controls, CSI and OSC among them */
			if (c >= 0xa0 && c <= 0xbf) {
				put(out, &o, "\xc2", 1);
				put(out, &o, (const char *)&c, 1);
				continue;
			}
			/* A broken sequence: the lead byte goes, the byte is read afresh. */
			/* fall through */
		case S_GROUND:
			if (c == 0x1b) {
				f->utf8_left = 0;
				f->state = S_ESC;
				f->seq[0] = 0x1b;
				f->len = 1;
			} else if (c < 0x20) {
				f->utf8_left = 0;
				if (c0_ok(c))
					put(out, &o, (const char *)&c, 1);
			} else if (c < 0x7f) {
				f->utf8_left = 0;
				put(out, &o, (const char *)&c, 1);
			} else if (c == 0x7f) {
				f->utf8_left = 0;
			} else if (c <= 0xbf) {
				/* A continuation byte; alone, 0x80..0x9F are the 8-bit C1 controls. */
				if (f->utf8_left) {
					f->utf8_left--;
					put(out, &o, (const char *)&c, 1);
				} else if (c >= 0xa0) {
					put(out, &o, (const char *)&c, 1);
				}
			} else if (c == 0xc2) {
				f->utf8_left = 0;
				f->state = S_UTF8_C2;
			} else {
				f->utf8_left = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
				put(out, &o, (const char *)&c, 1);
			}
			break;
		case S_ESC:
			switch (c) {
			case '[':
				f->seq[f->len++] = (char)c;
				f->overflow = false;
				f->state = S_CSI;
				break;
			case ']': case 'P': case 'X': case '^': case '_':
				f->state = S_STRING;
				break;
			case '7': case '8': case 'D': case 'E': case 'M':
				/* Save and restore the cursor, index, next line, reverse index. */
				put(out, &o, "\033", 1);
				put(out, &o, (const char *)&c, 1);
				f->state = S_GROUND;
				break;
			case '(':
				f->state = S_CHARSET;
				break;
			case 0x1b:
				break;
			default:
				if (c < 0x20) {
					if (c0_ok(c))
						put(out, &o, (const char *)&c, 1);
				} else if (c < 0x30) {
					f->state = S_ESC_INTER;
				} else {
					/* RIS, keypad modes, DECID and the rest act on the terminal. */
					f->state = S_GROUND;
				}
			}
			break;
		case S_ESC_INTER:
			if (c == 0x1b)
				f->state = S_ESC;
			else if (c >= 0x30 && c <= 0x7e)
				f->state = S_GROUND;
			break;
		case S_CHARSET:
			f->state = S_GROUND;
			/* ASCII and the line-drawing set, which ncurses uses for boxes on a vt100. */
			if (c == 'B' || c == '0') {
				put(out, &o, "\033(", 2);
				put(out, &o, (const char *)&c, 1);
			} else if (c == 0x1b) {
				f->state = S_ESC;
			}
			break;
		case S_CSI:
			if (c == 0x1b) {
				f->state = S_ESC;
				f->len = 1;
			} else if (c < 0x20) {
				/* Terminals run C0 controls met inside a sequence. */
				if (c0_ok(c))
					put(out, &o, (const char *)&c, 1);
			} else if (c >= 0x40 && c <= 0x7e) {
				if (csi_ok(f, c)) {
					put(out, &o, f->seq, f->len);
					put(out, &o, (const char *)&c, 1);
				}
				f->state = S_GROUND;
				f->len = 0;
			} else if (c >= 0x7f) {
				/* Not part of any sequence: the sequence is broken, drop it. */
				f->state = S_GROUND;
				f->len = 0;
			} else if (f->len < sizeof(f->seq)) {
				f->seq[f->len++] = (char)c;
			} else {
				f->overflow = true;
			}
			break;
		case S_STRING:
			if (c == 0x07)
				f->state = S_GROUND;
			else if (c == 0x1b)
				f->state = S_STRING_ESC;
			break;
		case S_STRING_ESC:
			if (c == '\\') {
				f->state = S_GROUND;
			} else {
				/* Another sequence begins: the string ended with its ESC. */
				f->state = S_ESC;
				f->seq[0] = 0x1b;
				f->len = 1;
				i--;
			}
			break;
		}
	}
	return o;
}
