/* The time of the operator's last key press, which newt does not report, for the console's idle logout. */
#include "tui.h"

#include <dlfcn.h>
#include <slang.h>
#include <time.h>

static struct timespec last_key;

void tui_idle_reset(void)
{
	clock_gettime(CLOCK_MONOTONIC, &last_key);
}

unsigned tui_idle_seconds(void)
{
	struct timespec now;

	if (!last_key.tv_sec && !last_key.tv_nsec)
		tui_idle_reset();
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > last_key.tv_sec ? (unsigned)(now.tv_sec - last_key.tv_sec) : 0;
}

/*
 * newt's forms read every key with S-Lang's SLang_getkey() and return only
 * for keys that leave the form, so a screen cannot see that the operator is
 * busy typing into an entry. newt calls SLang_getkey() through the dynamic
 * linker, where a definition in the program comes before the library's: this
 * one notes the time and hands over to S-Lang's own.
 */
unsigned int SLang_getkey(void)
{
	static unsigned int (*real)(void);

	if (!real) {
		void *sym = dlsym(RTLD_NEXT, "SLang_getkey");

		if (!sym)
			return SLANG_GETKEY_ERROR;
		*(void **)&real = sym;
	}
	unsigned int key = real();

	tui_idle_reset();
	return key;
}
