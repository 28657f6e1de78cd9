/* Internals shared by the tui/ files: nothing outside tui/ includes this. */
#ifndef OSPITE_TUI_PRIV_H
#define OSPITE_TUI_PRIV_H

/* The language hotkeys: F2 and, for terminals without function keys, Ctrl-T. */
#define TUI_KEY_CTRL_T 0x14

/* Inner width of a dialog on this screen. */
int tui_dialog_width(void);

#endif
