/* libFuzzer target of the answer-file parser: any bytes give messages, never a crash, and what parses writes back the same. */
#include "install/ks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *input;
static size_t input_len;

/* Every included file is the input itself: includes, loops and depth all get exercised. */
static int reader(void *opaque, const char *path, char **out, size_t *len, char **id, char **cause)
{
	*out = malloc(input_len + 1);
	*id = strdup(path);
	if (!*out || !*id)
		abort();
	memcpy(*out, input, input_len);
	(*out)[input_len] = '\0';
	*len = input_len;
	return 0;
}

/* A real hash, so that writing back and parsing again accepts it, without hashing's cost. */
static int hasher(const char *pw, char *hash, size_t len, char **cause)
{
	snprintf(hash, len, "%s", "$6$1NGV7X4RQppXsAa1$.JBEY5uoVo4Zgi.JFIp9H.OAV.9kHSDozC2.Io2HuQFXrYK.DSSnFDAuocuK7N5.9WPvnGOTjm.Gygyy2nQj01");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inst_ks_opts o = { reader, NULL, hasher, NULL };
	struct inst_plan p, q;
	char *errors = NULL, *dump1, *dump2, *ks;

	input = data;
	input_len = size;
	inst_plan_init(&p);
	if (inst_ks_parse_buffer("fuzz/in.ks", (const char *)data, size, &o, &p, &errors) < 0) {
		/* Every problem is one non-empty line ending in a newline. */
		if (!errors || !*errors || errors[strlen(errors) - 1] != '\n' || strstr(errors, "\n\n"))
			abort();
		free(errors);
		inst_plan_free(&p);
		return 0;
	}
	if (errors)
		abort();
	dump1 = inst_plan_dump(&p);
	ks = inst_plan_to_ks(&p);
	inst_plan_init(&q);
	if (inst_ks_parse_buffer("fuzz/out.ks", ks, strlen(ks), &o, &q, &errors) < 0) {
		fprintf(stderr, "the written answer file does not parse:\n%s---\n%s", errors, ks);
		abort();
	}
	dump2 = inst_plan_dump(&q);
	if (strcmp(dump1, dump2)) {
		fprintf(stderr, "the round trip changed the plan:\n%s---\n%s---\n%s", dump1, dump2, ks);
		abort();
	}
	free(dump1);
	free(dump2);
	free(ks);
	inst_plan_free(&q);
	inst_plan_free(&p);
	return 0;
}
