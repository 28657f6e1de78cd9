/* Internals shared by the files of hostcfg/: a quiet libparted, and the kernel's escaped paths. */
#ifndef OSPITE_HCFG_INT_H
#define OSPITE_HCFG_INT_H

#include <stdbool.h>

/*
 * While libparted works: its exceptions keep their message (for the cause) and get the cautious
 * answer instead of asking on the terminal, and stdout and stderr go to /dev/null, where Debian's
 * libparted's "udevadm settle" complains on a machine without udev (the TUI owns the terminal).
 */
struct hcfg_ped_guard {
	void *prev;             /* the PedExceptionHandler before begin */
	int saved[2];           /* stdout and stderr, -1 when not redirected */
	bool on;
};
void hcfg_ped_guard_begin(struct hcfg_ped_guard *g);
/* Undo begin; a guard never begun (zeroed, or begun and ended) is left alone. */
void hcfg_ped_guard_end(struct hcfg_ped_guard *g);
/* The last message libparted gave under a guard, or NULL. */
const char *hcfg_ped_message(void);

/* Undo the octal escapes (\040) the kernel puts in /proc/self/mountinfo and /proc/swaps. */
void hcfg_unescape_octal(char *s);

#endif
