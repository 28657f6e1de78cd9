/* The install journal: a small text file on the target naming the plan and the steps that finished. */
#include "inst-journal.h"
#include "tui/i18n.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[INST_STEP_COUNT] = {
	[INST_STEP_DEPS] = "deps", [INST_STEP_FORMAT] = "format", [INST_STEP_BASE] = "base",
	[INST_STEP_PACKAGES] = "packages", [INST_STEP_POST] = "post",
	[INST_STEP_BOOTLOADER] = "bootloader", [INST_STEP_FINISH] = "finish",
};

const char *inst_journal_word(enum inst_step s)
{
	return (unsigned)s < INST_STEP_COUNT ? words[s] : "";
}

uint64_t inst_plan_fingerprint(const struct inst_plan *p)
{
	char *dump = inst_plan_dump(p);
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!dump)
		abort();
	for (char *line = dump, *next; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		/* The disk's device name changes between runs on the same image. */
		if (!strncmp(line, "disk:", 5))
			continue;
		for (char *c = line; c < next; c++) {
			h ^= (unsigned char)*c;
			h *= 0x100000001b3ULL;
		}
	}
	free(dump);
	return h;
}

int inst_journal_read(const char *target, uint64_t fp, unsigned *done)
{
	char path[PATH_MAX], *text = NULL;
	uint64_t got = 0;
	bool have_plan = false;
	int rc;

	*done = 0;
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
		if (strncmp(line, "done ", 5)) {
			rc = -EINVAL;
			break;
		}
		int s;

		for (s = 0; s < INST_STEP_COUNT; s++)
			if (!strcmp(line + 5, words[s]))
				break;
		if (s == INST_STEP_COUNT) {
			rc = -EINVAL;
			break;
		}
		*done |= 1u << s;
	}
	free(text);
	if (!rc && !have_plan)
		rc = -EINVAL;
	if (!rc && got != fp)
		rc = -ESTALE;
	if (rc < 0)
		*done = 0;
	return rc;
}

int inst_journal_write(const char *target, uint64_t fp, unsigned done, char **cause)
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
	if (b.oom) {
		free(b.s);
		return hcfg_cause(cause, -ENOMEM, _("Out of memory."));
	}
	snprintf(path, sizeof(path), "%s%s", target, INST_JOURNAL_PATH);
	rc = hcfg_write_file(path, b.s, 0600, cause);
	free(b.s);
	return rc;
}
