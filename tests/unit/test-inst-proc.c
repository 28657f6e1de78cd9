/* Unit tests of the program runner (base/proc.c) with its status pipe, and of install/inst-proc.c's debootstrap, mmdebstrap and apt status parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "install/inst-apt.h"

static char self[PATH_MAX];
static char fixtures[PATH_MAX];

/* ---- helpers ----------------------------------------------------------------------- */

struct lines {
	char *v[64];
	size_t n;
	unsigned ticks;
};

static void on_line(void *opaque, const char *line)
{
	struct lines *l = opaque;

	if (l->n < 64)
		l->v[l->n++] = strdup(line);
}

static void on_tick(void *opaque)
{
	((struct lines *)opaque)->ticks++;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static char *read_fd(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, len, 0), len);
	buf[len] = '\0';
	return buf;
}

static int tmpfd(void)
{
	char tmpl[] = "/tmp/test-inst-proc.XXXXXX";
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	unlink(tmpl);
	return fd;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void put(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0)
			_exit(90);
		s += w;
		n -= w;
	}
}

/* ---- the child side: this binary run again as the program under test -------------------- */

static int child_main(int argc, char **argv)
{
	const char *mode = argv[2];
	int fd = argc > 3 ? atoi(argv[3]) : 3;

	if (!strcmp(mode, "lines")) {
		/* Pieces across writes, with pauses so the reader sees partial lines. */
		put(1, "to the log\n");
		put(2, "to the log too\n");
		put(fd, "first li");
		sleep_ms(50);
		put(fd, "ne\nsecond\r\nthi");
		sleep_ms(50);
		put(fd, "rd\n\nlast without newline");
		return 0;
	}
	if (!strcmp(mode, "long")) {
		char *big = malloc(10000);

		memset(big, 'x', 9998);
		big[9998] = '\n';
		big[9999] = '\0';
		put(fd, big);
		/* Two 3-byte UTF-8 characters: the first fits exactly, the second straddles the cut. */
		memset(big, 'y', BASE_RUN_LINE_MAX - 4);
		memcpy(big + BASE_RUN_LINE_MAX - 4, "\xe2\x82\xac\xe2\x82\xac\n", 8);
		put(fd, big);
		put(fd, "after\n");
		free(big);
		return 0;
	}
	if (!strcmp(mode, "quiet")) {
		sleep_ms(1100);
		put(fd, "done\n");
		return 0;
	}
	if (!strcmp(mode, "env")) {
		const char *v = getenv("OSPITE_TEST_VAR"), *h = getenv("HOME");

		dprintf(1, "VAR=%s HOME=%s\n", v ? v : "(unset)", h ? h : "(unset)");
		return 0;
	}
	if (!strcmp(mode, "exit"))
		return atoi(argv[3]);
	if (!strcmp(mode, "kill"))
		raise(SIGKILL);
	if (!strcmp(mode, "grandchild")) {
		/* A background process that keeps the status pipe open after its parent exits. */
		pid_t pid = fork();

		if (pid == 0) {
			sleep_ms(5000);
			_exit(0);
		}
		dprintf(1, "grandchild %d\n", (int)pid);
		put(fd, "from the child\n");
		return 0;
	}
	if (!strcmp(mode, "fds")) {
		/* Report which descriptors are open: only 0-2 and the status one should be. */
		for (int i = 3; i < 64; i++)
			if (fcntl(i, F_GETFD) >= 0)
				dprintf(1, "open %d\n", i);
		put(fd, "status\n");
		return 0;
	}
	return 99;
}

/* ---- base_run_status --------------------------------------------------------------- */

static void test_run_lines(void **state)
{
	struct lines l = { 0 };
	int log = tmpfd(), rc;
	char *cause = NULL, *text;
	const char *argv[] = { self, "--child", "lines", "3", NULL };

	rc = base_run_status(argv, NULL, log, 3, on_line, on_tick, &l, &cause);
	assert_int_equal(rc, 0);
	assert_null(cause);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0], "first line");
	assert_string_equal(l.v[1], "second");      /* \r stripped */
	assert_string_equal(l.v[2], "third");
	assert_string_equal(l.v[3], "");
	assert_string_equal(l.v[4], "last without newline");
	text = read_fd(log);
	assert_non_null(strstr(text, "to the log\n"));
	assert_non_null(strstr(text, "to the log too\n"));
	assert_non_null(strstr(text, "--child lines"));  /* the command line is logged */
	assert_null(strstr(text, "first li"));          /* status lines stay off the log */
	free(text);
	lines_free(&l);
	close(log);
}

/* The child's own output as lines: each one to the log, then to the callback. */
static void test_run_output(void **state)
{
	struct lines l = { 0 };
	int log = tmpfd(), rc;
	char *text;
	const char *argv[] = { self, "--child", "lines", "1", NULL };

	rc = base_run_status(argv, NULL, log, BASE_RUN_OUTPUT, on_line, NULL, &l, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0], "to the log");
	assert_string_equal(l.v[1], "to the log too");
	assert_string_equal(l.v[2], "first line");
	assert_string_equal(l.v[4], "third");
	assert_string_equal(l.v[6], "last without newline");
	text = read_fd(log);
	assert_non_null(strstr(text, "--child lines 1\nto the log\nto the log too\nfirst line\nsecond\n"));
	assert_non_null(strstr(text, "\nlast without newline\n"));
	free(text);
	lines_free(&l);
	close(log);
}

static void test_run_long_lines(void **state)
{
	struct lines l = { 0 };
	const char *argv[] = { self, "--child", "long", "7", NULL };
	int rc = base_run_status(argv, NULL, -1, 7, on_line, NULL, &l, NULL);

	assert_int_equal(rc, 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(strlen(l.v[0]), BASE_RUN_LINE_MAX - 1);
	assert_int_equal(strspn(l.v[0], "x"), BASE_RUN_LINE_MAX - 1);
	/* The euro sign that did not fit whole is dropped, the one before stays. */
	assert_int_equal(strlen(l.v[1]), BASE_RUN_LINE_MAX - 1);
	assert_string_equal(l.v[1] + BASE_RUN_LINE_MAX - 4, "\xe2\x82\xac");
	assert_string_equal(l.v[2], "after");
	lines_free(&l);
}

static void test_run_ticks(void **state)
{
	struct lines l = { 0 };
	const char *argv[] = { self, "--child", "quiet", "3", NULL };
	long long t0 = ms_now();
	int rc = base_run_status(argv, NULL, -1, 3, on_line, on_tick, &l, NULL);
	long long took = ms_now() - t0;

	assert_int_equal(rc, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "done");
	/*
	 * 1.1 s of silence: a tick every 200 ms, never more (no spinning). On a
	 * loaded machine a tick may come late, so only a few are required.
	 */
	assert_true(l.ticks >= 3 && l.ticks <= took / 200 + 1);
	assert_true(took >= 1100);
	lines_free(&l);
}

static void test_run_env(void **state)
{
	const char *argv[] = { self, "--child", "env", NULL };
	const char *env[] = { "OSPITE_TEST_VAR=a=b c", "HOME=/nowhere", NULL };
	int log = tmpfd();
	char *text;

	assert_int_equal(base_run_status(argv, env, log, -1, NULL, NULL, NULL, NULL), 0);
	text = read_fd(log);
	assert_non_null(strstr(text, "VAR=a=b c HOME=/nowhere\n"));
	free(text);
	close(log);
}

static void test_run_status_and_errors(void **state)
{
	const char *ex[] = { self, "--child", "exit", "3", NULL };
	const char *kill[] = { self, "--child", "kill", NULL };
	const char *none[] = { "/nonexistent/ospite-no-such-program", NULL };
	char *cause = NULL;

	assert_int_equal(base_run_status(ex, NULL, -1, -1, NULL, NULL, NULL, &cause), 3);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "3"));
	free(cause);
	cause = NULL;
	assert_int_equal(base_run_status(kill, NULL, -1, 3, NULL, NULL, NULL, &cause), -EINTR);
	assert_non_null(strstr(cause, "9"));
	free(cause);
	cause = NULL;
	assert_int_equal(base_run_status(none, NULL, -1, 3, NULL, NULL, NULL, &cause), -ENOENT);
	assert_non_null(strstr(cause, "ospite-no-such-program"));
	free(cause);
	cause = NULL;
	assert_int_equal(base_run_status(ex, NULL, -1, 2, NULL, NULL, NULL, &cause), -EINVAL);
	free(cause);
}

static void test_run_grandchild(void **state)
{
	struct lines l = { 0 };
	const char *argv[] = { self, "--child", "grandchild", "3", NULL };
	int log = tmpfd(), pid = 0;
	long long t0 = ms_now();
	char *text, *g;

	assert_int_equal(base_run_status(argv, NULL, log, 3, on_line, NULL, &l, NULL), 0);
	/* Returns when the child exits, not when the grandchild lets go of the pipe (5 s). */
	assert_true(ms_now() - t0 < 4500);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "from the child");
	text = read_fd(log);
	g = strstr(text, "grandchild ");
	assert_non_null(g);
	pid = atoi(g + 11);
	assert_true(pid > 1);
	kill(pid, SIGKILL);
	free(text);
	lines_free(&l);
	close(log);
}

static void test_run_fd_clash(void **state)
{
	/* The log sits on the very descriptor number the status pipe must get. */
	struct lines l = { 0 };
	const char *argv[] = { self, "--child", "fds", "9", NULL };
	int log = tmpfd(), moved = dup2(log, 9);
	char *text;

	assert_int_equal(moved, 9);
	close(log);
	assert_int_equal(base_run_status(argv, NULL, 9, 9, on_line, NULL, &l, NULL), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "status");
	text = read_fd(9);
	/* Only the status descriptor leaks into the child, and the log got stdout. */
	assert_non_null(strstr(text, "open 9\n"));
	assert_null(strstr(text, "open 3\n"));
	free(text);
	lines_free(&l);
	close(9);
}

/* ---- debootstrap's fd 3 ---------------------------------------------------------------- */

struct dev {
	enum inst_dbs_kind kind;
	char id[32];
	char text[256];
	char fmt[128];
	char args[4][64];
	size_t n_args;
	uint64_t now, end;
	unsigned permille;
};

struct devs {
	struct dev v[512];
	size_t n;
};

static void on_dbs(void *opaque, const struct inst_dbs_event *ev)
{
	struct devs *d = opaque;
	struct dev *e;

	assert_true(d->n < 512);
	e = &d->v[d->n++];
	e->kind = ev->kind;
	snprintf(e->id, sizeof(e->id), "%s", ev->id);
	snprintf(e->text, sizeof(e->text), "%s", ev->text);
	snprintf(e->fmt, sizeof(e->fmt), "%s", ev->fmt);
	e->n_args = ev->n_args;
	for (size_t i = 0; i < ev->n_args && i < 4; i++)
		snprintf(e->args[i], sizeof(e->args[i]), "%s", ev->args[i]);
	e->now = ev->now;
	e->end = ev->end;
	e->permille = ev->permille;
}

static void feed_all(struct inst_dbs *p, const char *const lines[])
{
	for (size_t i = 0; lines[i]; i++)
		inst_dbs_feed(p, lines[i]);
}

static size_t count_prefix(const char *path, const char *prefix, bool bare_progress)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char extra[8];

		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		if (bare_progress && sscanf(line, "P: %lu %lu %7s", &a, &b, extra) != 2)
			continue;
		n++;
	}
	fclose(f);
	return n;
}

/* Give each line of fixture @name, without its newline, to @feed; @path gets the file's path. */
static void feed_fixture(const char *name, char *path, size_t len,
			 void (*feed)(void *parser, const char *line), void *parser)
{
	char line[1024];
	FILE *f;

	snprintf(path, len, "%s/%s", fixtures, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		feed(parser, line);
	}
	fclose(f);
}

static void feed_dbs(void *parser, const char *line)
{
	inst_dbs_feed(parser, line);
}

static void feed_mmdbs(void *parser, const char *line)
{
	inst_mmdbs_feed(parser, line);
}

static void test_dbs_fixture(void **state)
{
	char path[PATH_MAX + 32];
	struct devs *d = calloc(1, sizeof(*d));
	struct inst_dbs *p = inst_dbs_new(on_dbs, d);
	size_t progress = 0, info = 0, bare = 0, prev_end = 0;
	bool saw_retrieving_apt = false, saw_download = false;

	feed_fixture("debootstrap-fd3.txt", path, sizeof(path), feed_dbs, p);
	inst_dbs_flush(p);
	inst_dbs_free(p);

	/* Every P: line is one progress event and every I: line one message, no more. */
	for (size_t i = 0; i < d->n; i++) {
		progress += d->v[i].kind == INST_DBS_PROGRESS;
		info += d->v[i].kind == INST_DBS_INFO;
	}
	assert_int_equal(progress, count_prefix(path, "P: ", false));
	assert_int_equal(info, count_prefix(path, "I: ", false));
	assert_int_equal(progress + info, d->n);
	bare = count_prefix(path, "P: ", true);
	assert_true(bare > 40);

	/* The opening lines, as debootstrap 1.0.128 wrote them. */
	assert_int_equal(d->v[0].kind, INST_DBS_PROGRESS);
	assert_string_equal(d->v[0].id, "DOWNREL");
	assert_string_equal(d->v[0].text, "Downloading Release file");
	assert_int_equal(d->v[0].now, 0);
	assert_int_equal(d->v[0].end, 100);
	assert_int_equal(d->v[1].kind, INST_DBS_INFO);
	assert_string_equal(d->v[1].id, "RETRIEVING");
	assert_int_equal(d->v[1].n_args, 2);
	assert_string_equal(d->v[1].args[0], "InRelease");
	assert_string_equal(d->v[1].args[1], "");
	assert_string_equal(d->v[1].fmt, "Retrieving %s %s");
	assert_string_equal(d->v[1].text, "Retrieving InRelease");  /* trailing space trimmed */
	/* "P: 33 100" has no name: it continues DOWNREL. */
	assert_int_equal(d->v[2].kind, INST_DBS_PROGRESS);
	assert_string_equal(d->v[2].id, "DOWNREL");
	assert_string_equal(d->v[2].text, "Downloading Release file");
	assert_int_equal(d->v[2].now, 33);
	assert_int_equal(d->v[2].permille, 330);

	for (size_t i = 0; i < d->n; i++) {
		const struct dev *e = &d->v[i];

		if (e->kind == INST_DBS_INFO && !strcmp(e->id, "VALIDRELSIG"))
			assert_string_equal(e->text,
					    "Valid Release signature (key id 4D64FEC119C2029067D6E791F8D2585B8783D481)");
		if (e->kind == INST_DBS_INFO && !strcmp(e->text, "Retrieving zlib1g 1:1.2.13.dfsg-1"))
			saw_retrieving_apt = true;  /* an argument with a colon stays whole */
		if (e->kind == INST_DBS_PROGRESS && e->end == 31870120) {
			assert_string_equal(e->id, "DOWNDEBS");
			assert_string_equal(e->text, "Downloading packages");
			if (e->now == 29240761) {
				saw_download = true;
				assert_int_equal(e->permille, 917);
			}
		}
		if (e->kind == INST_DBS_PROGRESS && e->end == 50060337) {
			assert_string_equal(e->id, "DOWNPKGS");
			assert_true(e->now >= prev_end || e->now == 0);
			prev_end = e->now;
		}
	}
	assert_true(saw_retrieving_apt);
	assert_true(saw_download);

	/* The tail: "P: 89 88 CONFREQ" overshoots, "P: 0 0 CONFBASE" has no end. */
	{
		const struct dev *over = NULL, *zero = NULL, *last = &d->v[d->n - 1];

		for (size_t i = 0; i < d->n; i++) {
			if (d->v[i].kind == INST_DBS_PROGRESS && d->v[i].now == 89 && d->v[i].end == 88)
				over = &d->v[i];
			if (d->v[i].kind == INST_DBS_PROGRESS && !strcmp(d->v[i].id, "CONFBASE"))
				zero = &d->v[i];
		}
		assert_non_null(over);
		assert_int_equal(over->permille, 1000);
		assert_string_equal(over->text, "Configuring required packages");
		assert_non_null(zero);
		assert_int_equal(zero->permille, 0);
		assert_string_equal(zero->text, "Configuring base system");
		assert_int_equal(last->kind, INST_DBS_INFO);
		assert_string_equal(last->id, "BASESUCCESS");
		assert_string_equal(last->text, "Base system installed successfully.");
		assert_int_equal(last->n_args, 0);
	}
	free(d);
}

static void test_dbs_substitution(void **state)
{
	static const char *const in[] = {
		"P: 5 10 STAGE",
		"PA: alpha",
		"PA:  two spaces",
		"PF: got %s and %s",
		"I: POS",
		"IA: one",
		"IA: two",
		"IF: %2$s before %1$s, 100%% sure",
		"W: FEW",
		"WA: only",
		"WF: %s-%s-%d|%-10s|",
		"E: TAIL",
		"EA: x",
		"EF: ends with %",
		"I: NOARG",
		"IF: %s",
		"I: WIDTH",
		"IA: v",
		"IF: [%5.2lu]",
		NULL,
	};
	struct devs *d = calloc(1, sizeof(*d));
	struct inst_dbs *p = inst_dbs_new(on_dbs, d);

	feed_all(p, in);
	inst_dbs_flush(p);
	inst_dbs_free(p);
	assert_int_equal(d->n, 6);
	assert_int_equal(d->v[0].kind, INST_DBS_PROGRESS);
	assert_string_equal(d->v[0].text, "got alpha and  two spaces");
	assert_int_equal(d->v[0].permille, 500);
	assert_int_equal(d->v[1].kind, INST_DBS_INFO);
	assert_string_equal(d->v[1].text, "two before one, 100% sure");
	assert_int_equal(d->v[2].kind, INST_DBS_WARNING);
	assert_string_equal(d->v[2].text, "only--||");
	assert_int_equal(d->v[3].kind, INST_DBS_ERROR);
	assert_string_equal(d->v[3].text, "ends with");
	assert_string_equal(d->v[4].text, "");
	assert_string_equal(d->v[5].text, "[v]");
	free(d);
}

static void test_dbs_format_direct(void **state)
{
	const char *args[] = { "a", "%s", "c" };
	char *s;

	/* An argument that looks like a format is text, never interpreted. */
	s = inst_dbs_format("%s%s%s%s", args, 3);
	assert_string_equal(s, "a%sc");
	free(s);
	s = inst_dbs_format("%n%p%x", args, 3);
	assert_string_equal(s, "a%sc");
	free(s);
	s = inst_dbs_format("%99999$s|%0$s|", args, 3);
	assert_string_equal(s, "||");
	free(s);
	s = inst_dbs_format("plain", NULL, 0);
	assert_string_equal(s, "plain");
	free(s);
}

static void test_dbs_garbage(void **state)
{
	static const char *const in[] = {
		"",
		"hello world",
		"X: what",
		"PX: nope",
		"IA: orphan argument",
		"IF: orphan format %s",
		"P:",
		"P: abc def NAME",
		"P: 12",
		"P: 1 2x NAME",
		":",
		"PAF: too long",
		NULL,
	};
	struct devs *d = calloc(1, sizeof(*d));
	struct inst_dbs *p = inst_dbs_new(on_dbs, d);

	feed_all(p, in);
	inst_dbs_flush(p);
	assert_int_equal(d->n, 0);

	/* A bare progress line before any named one has neither id nor text. */
	inst_dbs_feed(p, "P: 3 4");
	assert_int_equal(d->n, 1);
	assert_string_equal(d->v[0].id, "");
	assert_string_equal(d->v[0].text, "");
	assert_int_equal(d->v[0].permille, 750);

	/* A group cut short by the next one is still reported, with its id as text. */
	inst_dbs_feed(p, "I: CUTSHORT");
	inst_dbs_feed(p, "IA: arg");
	inst_dbs_feed(p, "P: 1 2 NEXT");
	assert_int_equal(d->n, 2);
	assert_int_equal(d->v[1].kind, INST_DBS_INFO);
	assert_string_equal(d->v[1].id, "CUTSHORT");
	assert_string_equal(d->v[1].text, "CUTSHORT");
	assert_string_equal(d->v[1].fmt, "");
	assert_int_equal(d->v[1].n_args, 1);
	/* An argument of another kind does not join the open group. */
	inst_dbs_feed(p, "IA: wrong kind");
	inst_dbs_feed(p, "PF: Next stage %s");
	assert_int_equal(d->n, 3);
	assert_string_equal(d->v[2].id, "NEXT");
	assert_string_equal(d->v[2].text, "Next stage");
	/* A named progress without PF at the end of input keeps the last text of its id. */
	inst_dbs_feed(p, "P: 2 2 NEXT");
	inst_dbs_flush(p);
	assert_int_equal(d->n, 4);
	assert_string_equal(d->v[3].text, "Next stage");
	assert_int_equal(d->v[3].permille, 1000);
	/* Huge numbers do not overflow the permille. */
	inst_dbs_feed(p, "P: 18446744073709551615 18446744073709551615 BIG");
	inst_dbs_feed(p, "PF: big");
	inst_dbs_feed(p, "P: 6148914691236517205 18446744073709551615 BIG");
	inst_dbs_feed(p, "PF: big");
	assert_int_equal(d->n, 6);
	assert_int_equal(d->v[4].permille, 1000);
	assert_int_equal(d->v[5].permille, 333);
	inst_dbs_free(p);
	inst_dbs_free(NULL);
	free(d);
}

/* ---- mmdebstrap --verbose --------------------------------------------------------------- */

static void test_mmdbs_fixture(void **state)
{
	char path[PATH_MAX + 32];
	struct devs *d = calloc(1, sizeof(*d));
	/* The base set of the run the fixture was cut from: 164 packages. */
	struct inst_mmdbs *p = inst_mmdbs_new(164, on_dbs, d);
	const char *phases[] = { "Downloading packages", "Extracting packages",
				 "Installing the essential packages...",
				 "Installing the rest of the base system...",
				 "Base system installed successfully." };
	size_t progress = 0, phase = 0, steps;
	unsigned last = 0;

	feed_fixture("mmdebstrap-verbose.txt", path, sizeof(path), feed_mmdbs, p);
	inst_mmdbs_free(p);

	steps = count_prefix(path, "Unpacking ", false) + count_prefix(path, "Setting up ", false);
	for (size_t i = 0; i < d->n; i++) {
		const struct dev *ev = &d->v[i];

		/* dpkg's warnings and mmdebstrap's own command lines are not messages. */
		assert_true(ev->kind == INST_DBS_INFO || ev->kind == INST_DBS_PROGRESS);
		if (ev->kind == INST_DBS_PROGRESS) {
			progress++;
			assert_true(ev->permille >= last && ev->permille < 1000);
			assert_int_equal(ev->end, 2 * 164);
			last = ev->permille;
		} else if (ev->n_args == 0) {
			/* Only the phases an operator cares about, in order. */
			assert_true(phase < 5);
			assert_string_equal(ev->text, phases[phase++]);
		}
	}
	assert_int_equal(phase, 5);
	assert_int_equal(progress, steps);
	assert_int_equal(last, steps * 1000 / (2 * 164));
	/* The first package of the essential set, with its architecture cut off. */
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].n_args) {
			assert_string_equal(d->v[i].args[0], "gcc-12-base");
			assert_string_equal(d->v[i].text, "Unpacking gcc-12-base...");
			break;
		}
	free(d);
}

static void test_mmdbs_lines(void **state)
{
	struct devs *d = calloc(1, sizeof(*d));
	struct inst_mmdbs *p = inst_mmdbs_new(1, on_dbs, d);

	inst_mmdbs_feed(p, "Unpacking libc6:amd64 (2.36-9+deb12u14) over (2.36-9+deb12u13) ...");
	assert_int_equal(d->n, 2);
	assert_string_equal(d->v[0].args[0], "libc6");
	assert_int_equal(d->v[1].permille, 500);
	inst_mmdbs_feed(p, "Setting up libc6:amd64 (2.36-9+deb12u14) ...");
	/* Every step done, but the tool has not exited yet. */
	assert_int_equal(d->v[3].permille, 999);
	assert_string_equal(d->v[3].text, "Configuring libc6...");
	d->n = 0;
	inst_mmdbs_feed(p, "E: apt-get --yes install failed");
	inst_mmdbs_feed(p, "W: an odd warning");
	inst_mmdbs_feed(p, "Setting up nothing without a version");
	inst_mmdbs_feed(p, "Unpacking  (1.0) ...");
	inst_mmdbs_feed(p, "I: some phase nobody shows");
	inst_mmdbs_feed(p, "");
	inst_mmdbs_feed(NULL, "E: ignored");
	assert_int_equal(d->n, 2);
	assert_int_equal(d->v[0].kind, INST_DBS_ERROR);
	assert_string_equal(d->v[0].text, "apt-get --yes install failed");
	assert_int_equal(d->v[1].kind, INST_DBS_WARNING);
	inst_mmdbs_free(p);
	free(d);
}

/* ---- apt's Status-Fd ------------------------------------------------------------------ */

static void test_apt_status_fixture(void **state)
{
	char path[PATH_MAX + 32], line[1024];
	struct inst_apt_status st;
	size_t dl = 0, pm = 0;
	double last_dl = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/apt-status-fd.txt", fixtures);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(inst_apt_status_parse(line, &st), 0);
		if (st.kind == INST_APT_DLSTATUS) {
			dl++;
			assert_true(st.pct >= last_dl);
			last_dl = st.pct;
			assert_true(!strncmp(st.desc, "Retrieving file ", 16));
		} else {
			assert_int_equal(st.kind, INST_APT_PMSTATUS);
			pm++;
		}
	}
	fclose(f);
	assert_int_equal(dl, 11);
	assert_int_equal(pm, 20);
	assert_true(fabs(last_dl - 100.0) < 1e-9);

	assert_int_equal(inst_apt_status_parse("pmstatus:less:7.6923:Unpacking less (amd64)", &st), 0);
	assert_int_equal(st.kind, INST_APT_PMSTATUS);
	assert_string_equal(st.id, "less");
	assert_true(fabs(st.pct - 7.6923) < 1e-9);
	assert_string_equal(st.desc, "Unpacking less (amd64)");
	assert_int_equal(inst_apt_status_parse("dlstatus:2:17.7230:Retrieving file 2 of 3", &st), 0);
	assert_int_equal(st.kind, INST_APT_DLSTATUS);
	assert_string_equal(st.id, "2");
	assert_true(fabs(st.pct - 17.723) < 1e-9);
}

static void test_apt_status_colons(void **state)
{
	struct inst_apt_status st;

	assert_int_equal(inst_apt_status_parse("pmstatus:libc6:20.0000:Preparing libc6:amd64 (a: b)", &st), 0);
	assert_string_equal(st.id, "libc6");
	assert_string_equal(st.desc, "Preparing libc6:amd64 (a: b)");

	assert_int_equal(inst_apt_status_parse("pmerror:libfoo:amd64:50.0000:installed libfoo:amd64 "
					       "package post-installation script subprocess returned "
					       "error exit status 1", &st), 0);
	assert_int_equal(st.kind, INST_APT_PMERROR);
	assert_string_equal(st.id, "libfoo:amd64");
	assert_true(fabs(st.pct - 50) < 1e-9);
	assert_true(!strncmp(st.desc, "installed libfoo:amd64 package", 30));

	assert_int_equal(inst_apt_status_parse("pmconffile:/etc/ssh/sshd_config:40.0000:'/etc/ssh/sshd_config' "
					       "'/etc/ssh/sshd_config.dpkg-new' 1 1", &st), 0);
	assert_int_equal(st.kind, INST_APT_PMCONFFILE);
	assert_string_equal(st.id, "/etc/ssh/sshd_config");
	assert_string_equal(st.desc, "'/etc/ssh/sshd_config' '/etc/ssh/sshd_config.dpkg-new' 1 1");

	assert_int_equal(inst_apt_status_parse("media-change:Debian DVD 1:/media/cdrom:Please insert "
					       "the disc labeled: 'Debian DVD 1'", &st), 0);
	assert_int_equal(st.kind, INST_APT_MEDIA_CHANGE);
	assert_string_equal(st.id, "Debian DVD 1");
	assert_string_equal(st.drive, "/media/cdrom");
	assert_string_equal(st.desc, "Please insert the disc labeled: 'Debian DVD 1'");
	assert_true(st.pct == 0);

	assert_int_equal(inst_apt_status_parse("dlstatus:1:100:", &st), 0);
	assert_string_equal(st.desc, "");
	assert_int_equal(inst_apt_status_parse("dlstatus:7:9.06:x\r\n", &st), 0);
	assert_string_equal(st.desc, "x");
	assert_true(fabs(st.pct - 9.06) < 1e-9);
	assert_int_equal(inst_apt_status_parse("dlstatus:7:1e-05:tiny", &st), 0);
	assert_true(fabs(st.pct - 1e-05) < 1e-15);
	assert_int_equal(inst_apt_status_parse("dlstatus:7:250:over", &st), 0);
	assert_true(st.pct == 100);
	assert_int_equal(inst_apt_status_parse("pmstatus:x:-3:under", &st), 0);
	assert_true(st.pct == 0);
}

static void test_apt_status_garbage(void **state)
{
	static const char *const bad[] = {
		"", "dlstatus", "dlstatus:", "dlstatus:1", "dlstatus:1:2", "dlstatus:1:abc:desc",
		"dlstatus:1:1.2.3:desc", "dlstatus:1::desc", "dlstatus:1:e5:desc", "dlstatus:1:5e:d",
		"foo:1:2:3", "pmstatus::5:no package", "pmstatus:a:b:c:d", "DLSTATUS:1:2:3",
		"pmstatus 1:2:3", "Reading package lists...", "dlstatus:1:2,5:comma",
		NULL,
	};
	struct inst_apt_status st;

	for (size_t i = 0; bad[i]; i++) {
		memset(&st, 0x55, sizeof(st));
		if (inst_apt_status_parse(bad[i], &st) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(st.kind, 0);
		assert_string_equal(st.desc, "");
	}
	assert_int_equal(inst_apt_status_parse(NULL, &st), -EINVAL);
}

static void test_apt_status_truncation(void **state)
{
	struct inst_apt_status st;
	char *line = malloc(8192), *p = line;

	p += sprintf(p, "pmstatus:");
	memset(p, 'n', 600);
	p += 600;
	p += sprintf(p, ":12.5:");
	/* Two-byte characters so that the cut falls inside one. */
	for (int i = 0; i < 1500; i++)
		p += sprintf(p, "\xc3\xa8");
	*p = '\0';
	assert_int_equal(inst_apt_status_parse(line, &st), 0);
	assert_int_equal(strlen(st.id), sizeof(st.id) - 1);
	assert_true(strlen(st.desc) <= sizeof(st.desc) - 1);
	assert_int_equal(strlen(st.desc) % 2, 0);  /* whole characters only */
	assert_true(strlen(st.desc) >= sizeof(st.desc) - 2);
	assert_true(fabs(st.pct - 12.5) < 1e-9);
	free(line);
}

static void find_fixtures(const char *argv0)
{
	const char *env = getenv("OSPITE_FIXTURES");
	char exe[PATH_MAX];
	ssize_t n;

	if (env) {
		snprintf(fixtures, sizeof(fixtures), "%s", env);
		return;
	}
	/* The binary lives in <tree>/build/<kind>/tests/. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int i = 0; i < 4; i++) {
			char *s = strrchr(exe, '/');

			if (s)
				*s = '\0';
		}
		snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures", exe);
		if (access(fixtures, R_OK) == 0)
			return;
	}
	snprintf(fixtures, sizeof(fixtures), "tests/fixtures");
	(void)argv0;
}

/* Is @pid gone, or a zombie its new parent has yet to reap? Waits up to two seconds. */
static bool gone(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		char path[64], stat[256] = "";
		int fd;

		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			ssize_t r = read(fd, stat, sizeof(stat) - 1);

			close(fd);
			if (r > 0 && strstr(stat, ") Z "))
				return true;
		}
		sleep_ms(20);
	}
	return false;
}

/*
 * A time limit stops the program and everything it started: a child in the
 * background and a leader that ignores SIGTERM are both gone afterwards.
 */
static void test_run_time_limit(void **state)
{
	char pidfile[] = "/tmp/ospite-limit.XXXXXX", script[512], *text = NULL, *cause = NULL;
	int fd = mkstemp(pidfile), signo = -1;
	const char *argv[] = { "sh", "-c", script, NULL };
	const struct base_proc p = { .argv = argv, .logfd = -1, .out_fd = -1, .status_fd = -1,
				     .timeout_s = 1, .signo = &signo };
	long long t0 = ms_now();
	pid_t bg;

	assert_true(fd >= 0);
	close(fd);
	snprintf(script, sizeof(script), "sleep 60 & echo $! >%s; trap '' TERM; sleep 60", pidfile);
	assert_int_equal(base_proc_run(&p, &cause), -ETIME);
	assert_non_null(strstr(cause, "1 seconds"));
	/* One second of limit, five of grace for the leader that ignored SIGTERM. */
	assert_true(ms_now() - t0 < 9000);
	fd = open(pidfile, O_RDONLY);
	assert_true(fd >= 0);
	text = read_fd(fd);
	close(fd);
	bg = (pid_t)atoi(text);
	assert_true(bg > 1);
	assert_true(gone(bg));
	free(text);

	/* Within its limit a program ends as usual. */
	const char *quick[] = { "sh", "-c", "exit 4", NULL };
	const struct base_proc q = { .argv = quick, .logfd = -1, .out_fd = -1, .status_fd = -1,
				     .timeout_s = 30 };

	assert_int_equal(base_proc_run(&q, &cause), 4);

	/*
	 * A program that ends but leaves something behind holding its output:
	 * its own status, a couple of seconds later, not the whole limit, and
	 * what it left is stopped.
	 */
	snprintf(script, sizeof(script), "sleep 60 & echo $! >%s; exit 3", pidfile);
	const char *left[] = { "sh", "-c", script, NULL };
	const struct base_proc l = { .argv = left, .logfd = -1, .out_fd = -1,
				     .status_fd = BASE_RUN_OUTPUT, .timeout_s = 60 };

	t0 = ms_now();
	assert_int_equal(base_proc_run(&l, &cause), 3);
	assert_true(ms_now() - t0 < 10000);
	fd = open(pidfile, O_RDONLY);
	assert_true(fd >= 0);
	text = read_fd(fd);
	close(fd);
	bg = (pid_t)atoi(text);
	assert_true(bg > 1);
	assert_true(gone(bg));
	unlink(pidfile);
	free(text);
	free(cause);
}

/* A descriptor the caller left open (a progress pipe, a terminal) never reaches the program. */
static void test_run_closes_inherited(void **state)
{
	const char *argv[] = { "sh", "-c", "ls /proc/$$/fd", NULL };
	char *out = NULL, *cause = NULL;
	int p[2];

	assert_int_equal(pipe(p), 0);
	/* Without O_CLOEXEC, as a --progress-fd given by a parent would be. */
	assert_int_equal(dup2(p[1], 47), 47);
	assert_int_equal(base_run_capture(argv, -1, &out, &cause), 0);
	for (char *save = NULL, *fd = strtok_r(out, "\n", &save); fd; fd = strtok_r(NULL, "\n", &save))
		assert_true(atoi(fd) <= 2);
	free(out);
	close(47);
	close(p[0]);
	close(p[1]);
	free(cause);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_lines),
		cmocka_unit_test(test_run_output),
		cmocka_unit_test(test_run_long_lines),
		cmocka_unit_test(test_run_ticks),
		cmocka_unit_test(test_run_env),
		cmocka_unit_test(test_run_status_and_errors),
		cmocka_unit_test(test_run_grandchild),
		cmocka_unit_test(test_run_fd_clash),
		cmocka_unit_test(test_run_time_limit),
		cmocka_unit_test(test_run_closes_inherited),
		cmocka_unit_test(test_dbs_fixture),
		cmocka_unit_test(test_dbs_substitution),
		cmocka_unit_test(test_dbs_format_direct),
		cmocka_unit_test(test_dbs_garbage),
		cmocka_unit_test(test_mmdbs_fixture),
		cmocka_unit_test(test_mmdbs_lines),
		cmocka_unit_test(test_apt_status_fixture),
		cmocka_unit_test(test_apt_status_colons),
		cmocka_unit_test(test_apt_status_garbage),
		cmocka_unit_test(test_apt_status_truncation),
	};
	ssize_t n;

	if (argc > 2 && !strcmp(argv[1], "--child"))
		return child_main(argc, argv);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	find_fixtures(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
