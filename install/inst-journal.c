/* The install journal: a small text file on the target naming the plan and the steps that finished. */
#include "inst-journal.h"
#include "tui/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
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

int inst_journal_read(const char *target, uint64_t fp, unsigned *done, unsigned *started)
{
	char path[PATH_MAX], *text = NULL;
	uint64_t got = 0;
	bool have_plan = false;
	int rc;

	*done = 0;
	*started = 0;
	snprintf(path, sizeof(path), "%s%s", target, INST_JOURNAL_PATH);
	rc = hcfg_read_file(path, &text, NULL);
	if (rc < 0)
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	rc = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "plan ", 5)) {
			have_plan = sscanf(line + 5, "%" SCNx64, &got) == 1;
			continue;
		}
		bool is_done = !strncmp(line, "done ", 5);

		if (!is_done && strncmp(line, "start ", 6)) {
			rc = -EINVAL;
			break;
		}
		int s;

		for (s = 0; s < INST_STEP_COUNT; s++)
			if (!strcmp(line + (is_done ? 5 : 6), words[s]))
				break;
		if (s == INST_STEP_COUNT) {
			rc = -EINVAL;
			break;
		}
		*started |= 1u << s;
		if (is_done)
			*done |= 1u << s;
	}
	free(text);
	if (!rc && !have_plan)
		rc = -EINVAL;
	if (!rc && got != fp)
		rc = -ESTALE;
	if (rc < 0) {
		*done = 0;
		*started = 0;
	}
	return rc;
}

int inst_journal_write(const char *target, uint64_t fp, unsigned done, unsigned started,
		       char **cause)
{
	struct hcfg_buf b = { 0 };
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/var/lib/ospite", target);
	rc = hcfg_mkdirs(path, cause);
	if (rc < 0)
		return rc;
	hcfg_buf_printf(&b, "# Steps of this host's install that finished; ospite-install resumes after them.\n"
			"plan %016" PRIx64 "\n", fp);
	for (int s = 0; s < INST_STEP_COUNT; s++)
		if (done & (1u << s))
			hcfg_buf_printf(&b, "done %s\n", words[s]);
		else if (started & (1u << s))
			hcfg_buf_printf(&b, "start %s\n", words[s]);
	/* What the journal claims must be on the disk first: a power cut may follow. */
	sync();
	if (b.oom) {
		free(b.s);
		return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	}
	snprintf(path, sizeof(path), "%s%s", target, INST_JOURNAL_PATH);
	rc = hcfg_write_file(path, b.s, 0600, cause);
	free(b.s);
	return rc;
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
			rc = hcfg_cause(cause, -errno,
					_("%s is still in use from an earlier run and cannot be unmounted: %s."),
					list[deepest], strerror(errno));
		free(list[deepest]);
		list[deepest] = list[--n];
	}
	return rc;
}
