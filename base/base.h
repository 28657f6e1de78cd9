/* The lowest layer, below hostcfg/, hv/ and tui/: error causes, growing strings, the clock, $PATH look-ups and the one process runner. */
#ifndef OSPITE_BASE_H
#define OSPITE_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A growing string. Start from { 0 }; after an allocation failure every call
 * does nothing and oom stays set, so callers check once at the end. The
 * caller frees s.
 */
struct base_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void base_buf_add(struct base_buf *b, const char *s, size_t n);
void base_buf_str(struct base_buf *b, const char *s);
void base_buf_printf(struct base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Store a printf-formatted message in *@cause (when @cause is not NULL); returns @err. */
int base_cause(char **cause, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Milliseconds on the monotonic clock: for timeouts and durations, never for dates. */
long long base_now_ms(void);
/* The full path of program @name found in $PATH (malloc'd), or NULL. */
char *base_which(const char *name);


/* Put the language's decimal separator ("," in Italian) into the numbers of @buf, in place; returns @buf. */
char *base_decimal(char *buf);

/* How much of @s[0..@len) to keep so that no UTF-8 sequence is cut in two at its end. */
size_t base_utf8_cut(const char *s, size_t len);

/* ---- running programs (proc.c) ---------------------------------------------- */

/* Longest status line passed to a callback; longer lines are cut (at a UTF-8 boundary). */
#define BASE_RUN_LINE_MAX 4096
/* status_fd value: the program's stdout and stderr are read as lines (each copied to the log first). */
#define BASE_RUN_OUTPUT 1

/* How to run one program: fill what applies, leave the rest zero (out_fd and status_fd -1 for none). */
struct base_proc {
	const char *const *argv;  /* NULL-terminated; no shell, PATH searched */
	const char *const *env;   /* extra "NAME=VALUE" over the inherited environment, or NULL */
	const char *root;         /* chroot here before the exec, or NULL */
	const char *input;        /* text on stdin (at most 64 KiB, never logged); NULL: /dev/null */
	int logfd;                /* the command line, stderr and (unless sent elsewhere) stdout; -1: none */
	int out_fd;               /* >= 0: stdout goes here instead */
	/*
	 * >= 3: the child gets the write end of a pipe as this descriptor (3 for
	 * debootstrap --debian-installer, any for apt's APT::Status-Fd) and @line
	 * is called for each line read from it; BASE_RUN_OUTPUT: stdout and
	 * stderr are that pipe; -1: none.
	 */
	int status_fd;
	void (*line)(void *opaque, const char *line);
	void (*tick)(void *opaque);  /* about every 200 ms, whether or not the child writes */
	void *opaque;
	/*
	 * 0: no limit. Else the program runs in a process group of its own; at
	 * the limit the group gets SIGTERM, five seconds later SIGKILL, and the
	 * result is -ETIME.
	 */
	unsigned timeout_s;
	bool timed;               /* log how long it took ("= apt-get: 33.2 s") */
	int *signo;               /* when not NULL: the signal that killed the program, else 0 */
};

/*
 * Run a program as @p says and wait for it. Returns its exit status (0..255;
 * a nonzero one also fills @cause), -ENOENT when it could not be run, -EINTR
 * when a signal killed it, -ETIME when its time limit did, or another
 * negative errno when it could not be started.
 */
int base_proc_run(const struct base_proc *p, char **cause);

/* The common cases of base_proc_run(): the output to @logfd (or nowhere when < 0)... */
int base_run(const char *const argv[], int logfd, char **cause);
/* ...with @input on stdin... */
int base_run_input(const char *const argv[], int logfd, const char *input, char **cause);
/* ...with stdout captured into *@out (NUL-terminated, caller frees)... */
int base_run_capture(const char *const argv[], int logfd, char **out, char **cause);
/* ...and with extra environment, a status pipe or output lines, a tick, and the duration logged. */
int base_run_status(const char *const argv[], const char *const env[], int logfd, int status_fd,
		    void (*line)(void *opaque, const char *line), void (*tick)(void *opaque),
		    void *opaque, char **cause);

/*
 * Start a program that outlives this process and its terminal: a new session (setsid) of a
 * grandchild, standard streams on /dev/null, no other descriptor open, not waited for. Only
 * whether it could be started is known: 0 with its pid in *@pid (may be NULL), or -errno.
 */
int base_spawn_detached(const char *const argv[], int *pid, char **cause);

#endif
