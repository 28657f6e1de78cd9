/* The install journal: a small text file on the target naming the plan and the steps that finished. */
#include "inst-journal.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const words[INST_STEP_COUNT] = {
	[INST_STEP_DEPS] = "deps", [INST_STEP_FORMAT] = "format", [INST_STEP_BASE] = "base",
	[INST_STEP_PACKAGES] = "packages", [INST_STEP_POST] = "post",
	[INST_STEP_BOOTLOADER] = "bootloader", [INST_STEP_FINISH] = "finish",
};

const char *inst_journal_word(enum inst_step s)
{
	return (unsigned)s < INST_STEP_COUNT ? words[s] : "";
}

uint64_t inst_plan_dump_fingerprint(const char *dump)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *line = dump, *next; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		/* The disk's device name changes between runs on the same image. */
		if (!strncmp(line, "disk:", 5))
			continue;
		for (const char *c = line; c < next; c++) {
			h ^= (unsigned char)*c;
			h *= 0x100000001b3ULL;
		}
	}
	return h;
}

uint64_t inst_plan_fingerprint(const struct inst_plan *p)
{
	char *dump = inst_plan_dump(p);
	uint64_t h;

	if (!dump)
		abort();
	h = inst_plan_dump_fingerprint(dump);
	free(dump);
	return h;
}

int inst_journal_new(struct inst_journal *j, uint64_t fp, char **cause)
{
	unsigned char rnd[INST_RUN_ID_LEN / 2];

	memset(j, 0, sizeof(*j));
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return base_cause(cause, -EIO, _("Could not read random numbers: %s."),
				  strerror(errno));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(j->run + 2 * i, 3, "%02x", rnd[i]);
	j->plan = fp;
	j->began = (long long)time(NULL);
	return 0;
}

/* Only lower-case hex, exactly INST_RUN_ID_LEN of it: the id names a file of this machine. */
static bool run_id_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == INST_RUN_ID_LEN && s[n] == '\0';
}

static bool uuid_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF-");

	return n > 0 && n < 64 && s[n] == '\0';
}

/*
 * An array's UUID as mdadm prints it (four groups of 8 hex digits and ':'),
 * or a volume group's as LVM does (32 letters and digits in groups and '-'):
 * either is handed to mdadm --assemble --uuid= or vgchange --select
 * vg_uuid= on resume, so nothing else.
 */
static bool md_uuid_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef:");

	return n == 35 && s[n] == '\0' && s[8] == ':' && s[17] == ':' && s[26] == ':';
}

static bool vg_uuid_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

	return n == 38 && s[n] == '\0' && s[0] != '-';
}

int inst_md_uuid_from_export(const char *out, char *buf, size_t len)
{
	const char *found = NULL;
	char uuid[48];

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "MD_UUID=", 8))
			continue;
		/* Two arrays' worth of output is not the one array asked about. */
		if (found)
			return -EINVAL;
		found = l + 8;
	}
	if (!found)
		return -ENOENT;
	snprintf(uuid, sizeof(uuid), "%.*s", (int)strcspn(found, "\n"), found);
	if (strlen(uuid) >= len || !md_uuid_ok(uuid))
		return -EINVAL;
	snprintf(buf, len, "%s", uuid);
	return 0;
}

int inst_vg_uuid_from_vgs(const char *out, char *buf, size_t len)
{
	char uuid[48];
	size_t n;

	out += strspn(out, " \t");
	n = strcspn(out, " \t\n");
	if (!n)
		return -ENOENT;
	if (n >= sizeof(uuid))
		return -EINVAL;
	snprintf(uuid, sizeof(uuid), "%.*s", (int)n, out);
	out += n;
	/* One group, one line: anything after it means another group of that name. */
	if (out[strspn(out, " \t\n")] || strlen(uuid) >= len || !vg_uuid_ok(uuid))
		return -EINVAL;
	snprintf(buf, len, "%s", uuid);
	return 0;
}

/*
 * A numbered UUID line "WORD IDX UUID" into slot IDX of @slots (@n of @width
 * bytes), checked by @ok: 1 when taken, 0 when @line is not such a line for
 * @word, -EINVAL when it is but out of range or malformed.
 */
static int slot_line(const char *line, const char *word, char *slots, size_t n, size_t width,
		     bool (*ok)(const char *))
{
	char w[4], arg[64];
	unsigned idx;
	int used = 0;

	if (sscanf(line, "%3s %u %63s%n", w, &idx, arg, &used) != 3 || line[used] ||
	    strcmp(w, word))
		return 0;
	if (idx >= n || !ok(arg))
		return -EINVAL;
	snprintf(slots + idx * width, width, "%s", arg);
	return 1;
}

/* Parse the text of a journal or run record into @j; -EINVAL on anything unexpected. */
static int parse(char *text, struct inst_journal *j)
{
	bool have_plan = false;

	memset(j, 0, sizeof(*j));
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char word[16], arg[80];
		int used = 0, rc;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "plan %" SCNx64 "%n", &j->plan, &used) == 1 && !line[used]) {
			have_plan = true;
			continue;
		}
		if (sscanf(line, "began %lld%n", &j->began, &used) == 1 && !line[used])
			continue;
		if ((rc = slot_line(line, "fs", j->uuid[0], INST_MAX_PARTS, sizeof(j->uuid[0]),
				    uuid_ok)) ||
		    (rc = slot_line(line, "md", j->md_uuid[0], INST_MAX_PARTS, sizeof(j->md_uuid[0]),
				    md_uuid_ok)) ||
		    (rc = slot_line(line, "vg", j->vg_uuid[0], INST_MAX_VGS, sizeof(j->vg_uuid[0]),
				    vg_uuid_ok))) {
			if (rc < 0)
				return rc;
			continue;
		}
		if (sscanf(line, "%15s %79s%n", word, arg, &used) != 2 || line[used])
			return -EINVAL;
		if (!strcmp(word, "run")) {
			if (!run_id_ok(arg))
				return -EINVAL;
			snprintf(j->run, sizeof(j->run), "%s", arg);
			continue;
		}
		bool is_done = !strcmp(word, "done");
		int s;

		if (!is_done && strcmp(word, "start"))
			return -EINVAL;
		for (s = 0; s < INST_STEP_COUNT; s++)
			if (!strcmp(arg, words[s]))
				break;
		if (s == INST_STEP_COUNT)
			return -EINVAL;
		j->started |= 1u << s;
		if (is_done)
			j->done |= 1u << s;
	}
	return have_plan && *j->run ? 0 : -EINVAL;
}

/*
 * Read and parse @path: a regular file of at most 16 KiB, not reached
 * through a symbolic link at its end. A journal on a foreign disk may be
 * a FIFO (which would hang a plain read) or huge: both are damage.
 */
static int read_parse_at(int dirfd, const char *path, struct inst_journal *j, bool root_owned)
{
	char text[16384 + 1];
	struct stat st;
	ssize_t len;
	int fd, rc;

	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size >= (off_t)sizeof(text) ||
	    (root_owned && (st.st_uid != 0 || (st.st_mode & 022)))) {
		close(fd);
		return -EINVAL;
	}
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len < 0 || len >= (ssize_t)sizeof(text) - 1 || memchr(text, '\0', len))
		return -EINVAL;
	text[len] = '\0';
	rc = parse(text, j);
	if (rc < 0)
		memset(j, 0, sizeof(*j));
	return rc;
}

int inst_journal_read(const char *target, uint64_t fp, struct inst_journal *j)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s%s", target, INST_JOURNAL_PATH);
	rc = read_parse_at(AT_FDCWD, path, j, false);
	if (!rc && j->plan != fp)
		rc = -ESTALE;
	if (rc < 0)
		memset(j, 0, sizeof(*j));
	return rc;
}

/* The filled slots of @slots (@n of @width bytes) as the lines slot_line() reads. */
static void render_slots(struct base_buf *b, const char *word, const char *slots, size_t n,
			 size_t width)
{
	for (size_t i = 0; i < n; i++)
		if (slots[i * width])
			base_buf_printf(b, "%s %zu %s\n", word, i, slots + i * width);
}

/* Whether @a and @b (@n slots of @width bytes each) hold the same strings. */
static bool same_slots(const char *a, const char *b, size_t n, size_t width)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a + i * width, b + i * width))
			return false;
	return true;
}

static void render(struct base_buf *b, const struct inst_journal *j)
{
	base_buf_printf(b, "plan %016" PRIx64 "\nrun %s\nbegan %lld\n", j->plan, j->run, j->began);
	render_slots(b, "fs", j->uuid[0], INST_MAX_PARTS, sizeof(j->uuid[0]));
	render_slots(b, "md", j->md_uuid[0], INST_MAX_PARTS, sizeof(j->md_uuid[0]));
	render_slots(b, "vg", j->vg_uuid[0], INST_MAX_VGS, sizeof(j->vg_uuid[0]));
}

/* Write @j (its steps too when @steps) under @header to @path in @dir, atomically, mode 0600. */
static int save(const char *dir, const char *path, const char *header, const struct inst_journal *j,
		bool steps, char **cause)
{
	struct base_buf b = { 0 };
	int rc = hcfg_mkdirs(dir, cause);

	if (rc < 0)
		return rc;
	base_buf_str(&b, header);
	render(&b, j);
	for (int s = 0; steps && s < INST_STEP_COUNT; s++)
		if (j->done & (1u << s))
			base_buf_printf(&b, "done %s\n", words[s]);
		else if (j->started & (1u << s))
			base_buf_printf(&b, "start %s\n", words[s]);
	if (b.oom) {
		free(b.s);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	rc = hcfg_write_file(path, b.s, 0600, cause);
	free(b.s);
	return rc;
}

int inst_journal_write(const char *target, const struct inst_journal *j, char **cause)
{
	char dir[PATH_MAX], path[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/var/lib/ospite", target);
	snprintf(path, sizeof(path), "%s%s", target, INST_JOURNAL_PATH);
	/* What the journal claims must be on the disk first: a power cut may follow. */
	sync();
	return save(dir, path,
		    "# Steps of this host's install that finished; ospite-install resumes after them.\n",
		    j, true, cause);
}

static int record_path(const char *workdir, const char *run, char *path, size_t len)
{
	if (!run_id_ok(run) ||
	    snprintf(path, len, "%s/runs/%s", workdir, run) >= (int)len)
		return -EINVAL;
	return 0;
}

int inst_run_record_write(const char *workdir, const struct inst_journal *j, char **cause)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int rc;

	snprintf(dir, sizeof(dir), "%s/runs", workdir);
	rc = hcfg_mkdirs(dir, cause);
	if (rc < 0)
		return rc;
	/* Only root may plant a record that vouches for a disk. */
	if (chmod(dir, 0700) < 0)
		return base_cause(cause, -errno, _("Could not write %s: %s."), dir, strerror(errno));
	if (record_path(workdir, j->run, path, sizeof(path)) < 0)
		return base_cause(cause, -EINVAL, _("The run id \"%s\" is not valid."), j->run);
	return save(dir, path,
		    "# An install this machine started; ospite-install resumes only its own runs.\n",
		    j, false, cause);
}

void inst_run_record_remove(const char *workdir, const struct inst_journal *j)
{
	char path[PATH_MAX];

	if (record_path(workdir, j->run, path, sizeof(path)) == 0)
		unlink(path);
}

int inst_run_records_open(const char *workdir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/runs", workdir);
	return open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int inst_journal_vouch(int records, const struct inst_journal *j, char (*uuids)[64], size_t n,
		       char **cause)
{
	struct inst_journal mine;

	if (records < 0 || !run_id_ok(j->run) || read_parse_at(records, j->run, &mine, true) < 0)
		return base_cause(cause, -EPERM,
				  _("The install journal on the disk names a run that this machine did not start."));
	if (mine.plan != j->plan || mine.began != j->began || strcmp(mine.run, j->run))
		return base_cause(cause, -EPERM,
				  _("The install journal on the disk does not match this machine's record of run %s."),
				  j->run);
	for (size_t i = 0; i < INST_MAX_PARTS; i++) {
		const char *now = i < n ? uuids[i] : "";

		if (strcmp(mine.uuid[i], j->uuid[i]) || strcmp(mine.uuid[i], now))
			return base_cause(cause, -EPERM,
					  _("The file systems on the disk are not the ones run %s made."),
					  j->run);
	}
	/*
	 * A journal is read from a file system inside the arrays and volume
	 * groups: it may only name those the run recorded here, since resuming
	 * assembles and activates exactly what it names.
	 */
	if (!same_slots(mine.md_uuid[0], j->md_uuid[0], INST_MAX_PARTS, sizeof(mine.md_uuid[0])) ||
	    !same_slots(mine.vg_uuid[0], j->vg_uuid[0], INST_MAX_VGS, sizeof(mine.vg_uuid[0])))
		return base_cause(cause, -EPERM,
				  _("The RAID arrays or LVM volume groups the install journal names are not the ones run %s made."),
				  j->run);
	return 0;
}

/* Is @path @dir itself or below it? */
static bool under(const char *path, const char *dir, size_t dl)
{
	return !strncmp(path, dir, dl) && (path[dl] == '\0' || path[dl] == '/');
}

/* Kill every process whose root or working directory is inside @target; how many were found. */
static int kill_inside(const char *target, int logfd)
{
	size_t tl = strlen(target);
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char link[64], where[PATH_MAX];
		ssize_t l;
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 1 || pid == getpid())
			continue;
		for (int k = 0; k < 2; k++) {
			snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, k ? "cwd" : "root");
			l = readlink(link, where, sizeof(where) - 1);
			if (l <= 0)
				continue;
			where[l] = '\0';
			if (!under(where, target, tl))
				continue;
			if (logfd >= 0)
				dprintf(logfd, "+ kill %d (left running in the target by an earlier run)\n",
					(int)pid);
			kill(pid, SIGKILL);
			n++;
			break;
		}
	}
	closedir(d);
	return n;
}

/* Mount points under @target, deepest last; mountinfo escapes blanks as octal. */
static size_t stale_mounts(const char *target, char **list, size_t max)
{
	char *text = NULL;
	size_t n = 0, tl = strlen(target);

	if (hcfg_read_file("/proc/self/mountinfo", &text, NULL) < 0)
		return 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		char raw[PATH_MAX], mp[PATH_MAX];
		size_t j = 0;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", raw) != 1)
			continue;
		for (size_t i = 0; raw[i] && j < sizeof(mp) - 1; i++) {
			unsigned c;

			if (raw[i] == '\\' && sscanf(raw + i + 1, "%3o", &c) == 1) {
				mp[j++] = (char)c;
				i += 3;
			} else {
				mp[j++] = raw[i];
			}
		}
		mp[j] = '\0';
		if (under(mp, target, tl)) {
			list[n] = strdup(mp);
			if (!list[n])
				abort();
			n++;
		}
	}
	free(text);
	return n;
}

int inst_clear_stale(const char *target, int logfd, char **cause)
{
	char *list[256];
	size_t n;
	int rc = 0;

	/* Twice: a killed process takes a moment to let go of what it held. */
	for (int round = 0; round < 2 && kill_inside(target, logfd) > 0; round++) {
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	n = stale_mounts(target, list, sizeof(list) / sizeof(list[0]));
	while (n > 0) {
		size_t deepest = 0;

		for (size_t i = 1; i < n; i++)
			if (strlen(list[i]) > strlen(list[deepest]))
				deepest = i;
		if (logfd >= 0)
			dprintf(logfd, "+ umount %s (left by an earlier run)\n", list[deepest]);
		if (umount(list[deepest]) < 0 && errno != EINVAL && !rc)
			rc = base_cause(cause, -errno,
					_("%s is still in use from an earlier run and cannot be unmounted: %s."),
					list[deepest], strerror(errno));
		free(list[deepest]);
		list[deepest] = list[--n];
	}
	return rc;
}
