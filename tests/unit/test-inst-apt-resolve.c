/* Resolution and download against a real Debian mirror (OSPITE_TEST_MIRROR), driven by tests/integration/apt-resolve.sh; skips without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "install/inst-apt.h"

static const char *mirror, *suite;
static char work[PATH_MAX];
static bool own_work;

struct prog_rec {
	unsigned calls, last;
	bool monotonic;
};

static void on_progress(void *opaque, unsigned permille, const char *text)
{
	struct prog_rec *r = opaque;

	assert_non_null(text);
	assert_true(permille <= 1000);
	if (permille < r->last)
		r->monotonic = false;
	r->last = permille;
	r->calls++;
}

static void source(struct inst_apt_source *src)
{
	memset(src, 0, sizeof(*src));
	src->mirror = mirror;
	src->suite = suite;
	src->components = "main";
}

/* A field of a package as apt-cache (a different reader of the same lists) shows it. */
static uint64_t apt_cache_field(const char *pkg, const char *field)
{
	char conf[PATH_MAX + 16], tmpl[] = "/tmp/test-inst-apt-resolve.XXXXXX", *text, *p;
	const char *env[] = { conf, "LC_ALL=C", NULL };
	const char *argv[] = { "apt-cache", "show", "--no-all-versions", pkg, NULL };
	int fd = mkstemp(tmpl);
	uint64_t v = 0;
	off_t len;

	assert_true(fd >= 0);
	unlink(tmpl);
	snprintf(conf, sizeof(conf), "APT_CONFIG=%s/apt.conf", work);
	assert_int_equal(base_run_status(argv, env, fd, -1, NULL, NULL, NULL, NULL), 0);
	len = lseek(fd, 0, SEEK_END);
	text = calloc(1, len + 1);
	assert_int_equal(pread(fd, text, len, 0), len);
	close(fd);
	p = strstr(text, field);
	assert_non_null(p);
	v = strtoull(p + strlen(field), NULL, 10);
	free(text);
	return v;
}

static void test_resolve_xen_host(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	struct prog_rec pr = { .monotonic = true };
	const char *pkgs[] = { "linux-image-amd64", "xen-system-amd64", "openssh-server", NULL };
	const struct inst_pkg *xen, *libc;
	uint64_t size = 0, inst = 0;
	char *cause = NULL;
	int rc;

	if (!mirror)
		skip();
	source(&src);
	rc = inst_apt_resolve(&src, pkgs, work, -1, on_progress, &pr, &set, &cause);
	if (rc < 0)
		fail_msg("%s", cause);
	printf("# %zu packages (%zu base), %llu bytes to download, %llu installed\n", set.n,
	       set.n_base, (unsigned long long)set.total_size,
	       (unsigned long long)set.total_installed);
	assert_true(set.n > 150);
	assert_true(set.n_base > 50 && set.n_base < set.n);
	for (size_t i = 0; i < set.n; i++) {
		const struct inst_pkg *p = &set.pkgs[i];

		if (p->size == 0 || p->installed_size == 0 || !p->summary[0] || !p->version[0])
			fail_msg("%s: size %llu, installed %llu, summary '%s'", p->name,
				 (unsigned long long)p->size, (unsigned long long)p->installed_size,
				 p->summary);
		assert_true(!strcmp(p->arch, "amd64") || !strcmp(p->arch, "all"));
		size += p->size;
		inst += p->installed_size;
	}
	assert_int_equal(size, set.total_size);
	assert_int_equal(inst, set.total_installed);
	xen = inst_pkgset_find(&set, "xen-hypervisor-4.17-amd64");
	assert_non_null(xen);
	assert_false(xen->base);
	assert_non_null(strstr(xen->summary, "Xen"));
	assert_non_null(inst_pkgset_find(&set, "openssh-server"));
	assert_non_null(inst_pkgset_find(&set, "linux-image-amd64"));
	libc = inst_pkgset_find(&set, "libc6");
	assert_non_null(libc);
	assert_true(libc->base);
	/* The sizes agree with apt-cache reading the same lists. */
	assert_int_equal(xen->size, apt_cache_field("xen-hypervisor-4.17-amd64", "\nSize: "));
	assert_int_equal(xen->installed_size,
			 apt_cache_field("xen-hypervisor-4.17-amd64", "\nInstalled-Size: ") * 1024);
	assert_int_equal(libc->size, apt_cache_field("libc6", "\nSize: "));
	assert_true(pr.monotonic);
	assert_int_equal(pr.last, 1000);
	inst_pkgset_free(&set);
}

/* Priority standard on request (@standard of an answer file): marked, and never base. */
static void test_resolve_standard(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	const char *pkgs[] = { "openssh-server", NULL };
	size_t n_std = 0;
	char *cause = NULL;

	if (!mirror)
		skip();
	source(&src);
	src.standard = true;
	if (inst_apt_resolve(&src, pkgs, work, -1, NULL, NULL, &set, &cause) < 0)
		fail_msg("%s", cause);
	for (size_t i = 0; i < set.n; i++)
		if (set.pkgs[i].standard) {
			assert_false(set.pkgs[i].base);
			n_std++;
		}
	assert_true(n_std > 10);
	assert_true(inst_pkgset_find(&set, "bash-completion")->standard);
	assert_false(inst_pkgset_find(&set, "libc6")->standard);
	inst_pkgset_free(&set);
}

static void test_missing_package(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	const char *pkgs[] = { "openssh-server", "ospite-no-such-package", NULL };
	char *cause = NULL;

	if (!mirror)
		skip();
	source(&src);
	assert_int_equal(inst_apt_resolve(&src, pkgs, work, -1, NULL, NULL, &set, &cause), -ENOENT);
	printf("# %s\n", cause);
	assert_non_null(strstr(cause, "ospite-no-such-package"));
	assert_null(strstr(cause, "openssh-server"));
	assert_int_equal(set.n, 0);
	assert_true(inst_pkgset_missing(&set, "ospite-no-such-package"));
	inst_pkgset_free(&set);
	free(cause);
}

static void test_unreachable(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	const char *pkgs[] = { "openssh-server", NULL };
	char dir[PATH_MAX + 16], *cause = NULL;
	int rc;

	if (!mirror)
		skip();
	source(&src);
	/* Nothing listens on the discard port of loopback. */
	src.mirror = "http://127.0.0.1:9/debian";
	snprintf(dir, sizeof(dir), "%s-unreachable", work);
	rc = inst_apt_resolve(&src, pkgs, dir, -1, NULL, NULL, &set, &cause);
	assert_true(rc < 0);
	printf("# %s\n", cause);
	assert_non_null(strstr(cause, "http://127.0.0.1:9/debian"));
	free(cause);
	base_run((const char *[]){ "rm", "-rf", "--one-file-system", dir, NULL }, -1, NULL);
}

static void test_download(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset all, some = { 0 };
	struct prog_rec pr = { .monotonic = true };
	const char *pkgs[] = { "netbase", NULL };
	const char *want[] = { "netbase", "debian-archive-keyring" };
	char *cause = NULL;
	int rc;

	if (!mirror)
		skip();
	source(&src);
	rc = inst_apt_resolve(&src, pkgs, work, -1, NULL, NULL, &all, &cause);
	if (rc < 0)
		fail_msg("%s", cause);
	/* Two packages without dependencies keep the download small. */
	some.pkgs = calloc(2, sizeof(*some.pkgs));
	for (size_t i = 0; i < 2; i++) {
		const struct inst_pkg *p = inst_pkgset_find(&all, want[i]);

		assert_non_null(p);
		some.pkgs[i] = *p;
		some.pkgs[i].name = strdup(p->name);
		some.pkgs[i].version = strdup(p->version);
		some.pkgs[i].arch = strdup(p->arch);
		some.pkgs[i].summary = strdup(p->summary);
		some.n++;
		some.total_size += p->size;
	}
	rc = inst_apt_download(&src, &some, work, -1, on_progress, &pr, &cause);
	if (rc < 0)
		fail_msg("%s", cause);
	for (size_t i = 0; i < some.n; i++) {
		const struct inst_pkg *p = &some.pkgs[i];
		char path[PATH_MAX * 2], ver[128];
		struct stat st;
		char *c;

		/* apt names the file with the epoch's colon escaped. */
		snprintf(ver, sizeof(ver), "%s", p->version);
		c = strchr(ver, ':');
		if (c) {
			memmove(c + 3, c + 1, strlen(c + 1) + 1);
			memcpy(c, "%3a", 3);
		}
		snprintf(path, sizeof(path), "%s/archives/%s_%s_%s.deb", work, p->name, ver, p->arch);
		if (stat(path, &st) < 0)
			fail_msg("%s is missing", path);
		assert_int_equal(st.st_size, p->size);
	}
	assert_true(pr.monotonic);
	assert_int_equal(pr.last, 1000);
	inst_pkgset_free(&some);
	inst_pkgset_free(&all);
}

static int teardown(void **state)
{
	if (own_work)
		base_run((const char *[]){ "rm", "-rf", "--one-file-system", work, NULL }, -1, NULL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_xen_host),
		cmocka_unit_test(test_resolve_standard), cmocka_unit_test(test_missing_package),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_download),
	};
	const char *w = getenv("OSPITE_TEST_WORKDIR");

	mirror = getenv("OSPITE_TEST_MIRROR");
	suite = getenv("OSPITE_TEST_SUITE");
	if (mirror && !*mirror)
		mirror = NULL;
	if (!suite || !*suite)
		suite = "bookworm";
	if (w && *w) {
		snprintf(work, sizeof(work), "%s", w);
	} else if (mirror) {
		snprintf(work, sizeof(work), "/tmp/test-inst-apt-resolve.XXXXXX");
		if (!mkdtemp(work))
			return 1;
		chmod(work, 0755);
		own_work = true;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
