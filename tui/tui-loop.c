/* The console's tick shared by every form, and handing the terminal to a passthrough and back. */
#include "tui.h"
#include "tui-priv.h"

#include <newt.h>
#include <stddef.h>

static int tick_ms;
static bool (*tick_fn)(void *);
static void *tick_opaque;

void tui_tick_set(int ms, bool (*fn)(void *opaque), void *opaque)
{
	tick_ms = ms > 0 ? ms : 1000;
	tick_fn = fn;
	tick_opaque = opaque;
}

int tui_tick_ms(void)
{
	return tick_fn ? tick_ms : 0;
}

bool tui_tick_fire(void)
{
	return tick_fn && tick_fn(tick_opaque);
}

void tui_suspend(void)
{
	if (tui_active())
		newtSuspend();
}

void tui_resume(void)
{
	if (!tui_active())
		return;
	newtResume();
	/* Whatever the passthrough printed is gone: repaint every cell from newt's copy. */
	newtRefresh();
}
