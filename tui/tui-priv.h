/* Internals shared by the tui/ files: nothing outside tui/ includes this. */
#ifndef OSPITE_TUI_PRIV_H
#define OSPITE_TUI_PRIV_H

#include <stdbool.h>

/* The language hotkeys: F2 and, for terminals without function keys, Ctrl-T. */
#define TUI_KEY_CTRL_T 0x14

/* The tick of tui_tick_set(): its period (0 = none), and one call of it (true = close the form). */
int tui_tick_ms(void);
bool tui_tick_fire(void);

#endif
