/* Unit tests of install/inst-apt.c: the package set, and resolution against a local repository made here (with the Dependency Check's hint about the ospite package). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostcfg/hcfg.h"
#include "install/inst-apt.h"
#include "install/inst-engine.h"

/* ---- the package set ------------------------------------------------------------------ */

static void test_pkgset_find_free(void **state)
{
	struct inst_pkgset set = { 0 };
	const char *names[] = { "apt", "bash", "libc6", "zlib1g" };

	assert_null(inst_pkgset_find(&set, "bash"));
	inst_pkgset_free(&set);
	set.pkgs = calloc(4, sizeof(*set.pkgs));
	for (size_t i = 0; i < 4; i++) {
		set.pkgs[i].name = strdup(names[i]);
		set.pkgs[i].version = strdup("1");
		set.pkgs[i].arch = strdup("amd64");
		set.pkgs[i].summary = strdup("s");
		set.pkgs[i].size = i + 1;
	}
	set.n = 4;
	assert_int_equal(inst_pkgset_find(&set, "libc6")->size, 3);
	assert_int_equal(inst_pkgset_find(&set, "apt")->size, 1);
	assert_int_equal(inst_pkgset_find(&set, "zlib1g")->size, 4);
	assert_null(inst_pkgset_find(&set, "libc"));
	assert_null(inst_pkgset_find(&set, "zz"));
	assert_null(inst_pkgset_find(&set, ""));
	assert_null(inst_pkgset_find(NULL, "apt"));
	inst_pkgset_free(&set);
	assert_null(set.pkgs);
	assert_int_equal(set.n, 0);
	inst_pkgset_free(&set);
	inst_pkgset_free(NULL);
}

/* ---- resolution against a local repository made here ------------------------------------- */

static char repo[64];

static const char packages[] =
	"Package: alpha\nVersion: 1.0\nArchitecture: amd64\nPriority: required\nEssential: yes\n"
	"Installed-Size: 10\nFilename: pool/alpha_1.0_amd64.deb\nSize: 1000\n"
	"Description: the alpha package: first of all\n\n"
	"Package: bravo\nVersion: 2.0-1\nArchitecture: all\nPriority: optional\n"
	"Depends: charlie (>= 1), virt\nInstalled-Size: 20\nFilename: pool/bravo_2.0-1_all.deb\n"
	"Size: 2000\nDescription: bravo\n a long description line\n .\n more\n\n"
	"Package: charlie\nVersion: 1:3.0\nArchitecture: amd64\nPriority: optional\n"
	"Installed-Size: 30\nFilename: pool/charlie_3.0_amd64.deb\nSize: 3000\n"
	"Description: charlie summary\n\n"
	"Package: delta\nVersion: 4\nArchitecture: amd64\nPriority: optional\n"
	"Provides: virt (= 1), other-virt\nInstalled-Size: 1\nFilename: pool/delta_4_amd64.deb\n"
	"Size: 400\nDescription: delta provides virt\n\n"
	"Package: echo\nVersion: 5\nArchitecture: amd64\nPriority: optional\nConflicts: bravo\n"
	"Installed-Size: 1\nFilename: pool/echo_5_amd64.deb\nSize: 500\n"
	"Description: echo conflicts with bravo\n\n"
	"Package: foxtrot\nVersion: 6\nArchitecture: all\nPriority: important\n"
	"Installed-Size: 2\nFilename: pool/foxtrot_6_all.deb\nSize: 600\nDescription: foxtrot\n\n"
	"Package: foreign\nVersion: 1\nArchitecture: arm64\nPriority: required\n"
	"Installed-Size: 1\nFilename: pool/foreign_1_arm64.deb\nSize: 1\nDescription: not ours\n";

static void write_file(const char *path, const char *text)
{
	assert_int_equal(hcfg_write_file(path, text, 0644, NULL), 0);
}

static void make_repo(const char *pkgs)
{
	char path[256], *sum = NULL, *release = NULL;
	const char *argv[] = { "sha256sum", path, NULL };
	struct stat st;

	snprintf(path, sizeof(path), "%s/repo/dists/test/main/binary-amd64", repo);
	assert_int_equal(base_run((const char *[]){ "mkdir", "-p", path, NULL }, -1, NULL), 0);
	strcat(path, "/Packages");
	write_file(path, pkgs);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(base_run_capture(argv, -1, &sum, NULL), 0);
	sum[64] = '\0';
	assert_true(asprintf(&release,
			     "Suite: test\nCodename: test\nArchitectures: amd64\nComponents: main\n"
			     "Date: Mon, 01 Jan 2024 00:00:00 UTC\nSHA256:\n %s %lld main/binary-amd64/Packages\n",
			     sum, (long long)st.st_size) > 0);
	snprintf(path, sizeof(path), "%s/repo/dists/test/Release", repo);
	write_file(path, release);
	free(sum);
	free(release);
}

static int repo_setup(void **state)
{
	snprintf(repo, sizeof(repo), "/tmp/test-inst-apt.XXXXXX");
	if (!mkdtemp(repo))
		return -1;
	/* apt reads a file: repository as its unprivileged _apt user. */
	chmod(repo, 0755);
	return 0;
}

static int repo_teardown(void **state)
{
	if (repo[0])
		base_run((const char *[]){ "rm", "-rf", "--one-file-system", repo, NULL }, -1, NULL);
	return 0;
}

struct prog_rec {
	unsigned calls, last, max;
	bool monotonic;
	char text[128];
};

static void on_progress(void *opaque, unsigned permille, const char *text)
{
	struct prog_rec *r = opaque;

	if (permille < r->last)
		r->monotonic = false;
	r->last = permille;
	r->calls++;
	if (permille > r->max)
		r->max = permille;
	snprintf(r->text, sizeof(r->text), "%s", text);
}

static bool have_apt(void)
{
	return access("/usr/bin/apt-get", X_OK) == 0;
}

static void local_source(struct inst_apt_source *src, char *url, size_t len)
{
	memset(src, 0, sizeof(*src));
	snprintf(url, len, "%s/repo", repo);   /* a bare path: turned into file: */
	src->mirror = url;
	src->suite = "test";
	src->trusted = true;
}

static void test_resolve_local(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	struct prog_rec pr = { .monotonic = true };
	char url[128], work[128], *cause = NULL;
	const char *pkgs[] = { "bravo", NULL };
	const struct inst_pkg *p;
	int rc;

	if (!have_apt())
		skip();
	make_repo(packages);
	local_source(&src, url, sizeof(url));
	snprintf(work, sizeof(work), "%s/work", repo);
	rc = inst_apt_resolve(&src, pkgs, work, -1, on_progress, &pr, &set, &cause);
	if (rc < 0)
		fail_msg("%s", cause);
	/* alpha (required) and foxtrot (important) are the base; bravo needs charlie and virt (delta). */
	assert_int_equal(set.n, 5);
	assert_int_equal(set.n_base, 2);
	assert_non_null(inst_pkgset_find(&set, "alpha"));
	assert_true(inst_pkgset_find(&set, "alpha")->base);
	assert_true(inst_pkgset_find(&set, "foxtrot")->base);
	assert_null(inst_pkgset_find(&set, "echo"));
	assert_null(inst_pkgset_find(&set, "foreign"));
	p = inst_pkgset_find(&set, "bravo");
	assert_non_null(p);
	assert_false(p->base);
	assert_string_equal(p->version, "2.0-1");
	assert_string_equal(p->arch, "all");
	assert_string_equal(p->summary, "bravo");
	assert_int_equal(p->size, 2000);
	assert_int_equal(p->installed_size, 20 * 1024);
	p = inst_pkgset_find(&set, "charlie");
	assert_string_equal(p->version, "1:3.0");
	assert_string_equal(p->summary, "charlie summary");
	assert_string_equal(inst_pkgset_find(&set, "alpha")->summary, "the alpha package: first of all");
	assert_non_null(inst_pkgset_find(&set, "delta"));
	assert_int_equal(set.total_size, 1000 + 2000 + 3000 + 400 + 600);
	assert_int_equal(set.total_installed, (10 + 20 + 30 + 1 + 2) * 1024);
	for (size_t i = 1; i < set.n; i++)
		assert_true(strcmp(set.pkgs[i - 1].name, set.pkgs[i].name) < 0);
	assert_true(pr.monotonic);
	assert_int_equal(pr.last, 1000);
	assert_true(pr.calls >= 5);
	inst_pkgset_free(&set);
	free(cause);
}

static void test_resolve_local_errors(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	char url[128], work[128], *cause = NULL;
	const char *missing1[] = { "bravo", "nope-one", NULL };
	const char *missing2[] = { "nope-one", "bravo", "Bad_Name", "nope-two", NULL };
	const char *conflict[] = { "bravo", "echo", NULL };
	const char *virt[] = { "other-virt", NULL };
	int rc;

	if (!have_apt())
		skip();
	make_repo(packages);
	local_source(&src, url, sizeof(url));
	snprintf(work, sizeof(work), "%s/work", repo);

	rc = inst_apt_resolve(&src, missing1, work, -1, NULL, NULL, &set, &cause);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(cause, "nope-one"));
	assert_null(strstr(cause, "bravo"));
	assert_non_null(strstr(cause, url));
	assert_int_equal(set.n, 0);
	/* The names, apart from the message, for a caller to tell which one it was. */
	assert_int_equal(set.n_missing, 1);
	assert_true(inst_pkgset_missing(&set, "nope-one"));
	assert_false(inst_pkgset_missing(&set, "nope"));
	assert_false(inst_pkgset_missing(&set, "bravo"));
	inst_pkgset_free(&set);
	free(cause);
	cause = NULL;

	rc = inst_apt_resolve(&src, missing2, work, -1, NULL, NULL, &set, &cause);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(cause, "nope-one"));
	assert_non_null(strstr(cause, "nope-two"));
	assert_non_null(strstr(cause, "Bad_Name"));
	assert_int_equal(set.n_missing, 3);
	assert_true(inst_pkgset_missing(&set, "nope-two"));
	assert_true(inst_pkgset_missing(&set, "Bad_Name"));
	inst_pkgset_free(&set);
	free(cause);
	cause = NULL;

	/* echo conflicts with bravo. */
	rc = inst_apt_resolve(&src, conflict, work, -1, NULL, NULL, &set, &cause);
	assert_int_equal(rc, -EPROTO);
	assert_non_null(strstr(cause, "echo : Conflicts: bravo"));
	free(cause);
	cause = NULL;

	/* A virtual package with a single provider is fine. */
	rc = inst_apt_resolve(&src, virt, work, -1, NULL, NULL, &set, &cause);
	if (rc < 0)
		fail_msg("%s", cause);
	assert_non_null(inst_pkgset_find(&set, "delta"));
	inst_pkgset_free(&set);

	/* A source that does not exist is named. */
	snprintf(url, sizeof(url), "file:%s/no-such-repo", repo);
	rc = inst_apt_resolve(&src, virt, work, -1, NULL, NULL, &set, &cause);
	assert_true(rc < 0);
	assert_non_null(strstr(cause, url));
	free(cause);
	cause = NULL;

	/* Argument checks happen before anything runs. */
	src.mirror = NULL;
	assert_int_equal(inst_apt_resolve(&src, virt, work, -1, NULL, NULL, &set, &cause), -EINVAL);
	free(cause);
	cause = NULL;
	src.mirror = url;
	src.trusted = false;
	src.keyring = "/nonexistent/keyring.gpg";
	assert_int_equal(inst_apt_resolve(&src, virt, work, -1, NULL, NULL, &set, &cause), -ENOENT);
	assert_non_null(strstr(cause, "/nonexistent/keyring.gpg"));
	free(cause);
	cause = NULL;
	src.keyring = NULL;
	src.trusted = true;
	src.suite = "bad\nsuite";
	assert_int_equal(inst_apt_resolve(&src, virt, work, -1, NULL, NULL, &set, &cause), -EINVAL);
	free(cause);
}

static void test_resolve_private_config(void **state)
{
	struct inst_apt_source src;
	struct inst_pkgset set;
	char url[128], sec[128], work[128], path[256], *conf = NULL, *sources = NULL;
	const char *pkgs[] = { "bravo", NULL };

	if (!have_apt())
		skip();
	make_repo(packages);
	local_source(&src, url, sizeof(url));
	snprintf(sec, sizeof(sec), "file:%s/no-security", repo);
	src.security_mirror = sec;
	src.components = "main contrib";
	snprintf(work, sizeof(work), "%s/work2", repo);
	/* The security source cannot be reached: the error names it, not the main one. */
	char *cause = NULL;
	int rc = inst_apt_resolve(&src, pkgs, work, -1, NULL, NULL, &set, &cause);

	assert_true(rc < 0);
	assert_non_null(strstr(cause, sec));
	free(cause);
	snprintf(path, sizeof(path), "%s/apt.conf", work);
	assert_int_equal(hcfg_read_file(path, &conf, NULL), 0);
	assert_non_null(strstr(conf, "Dir::Etc::main \"/dev/null\";"));
	assert_non_null(strstr(conf, "Dir::State::status \""));
	assert_non_null(strstr(conf, "APT::Architectures { \"amd64\"; };"));
	assert_non_null(strstr(conf, "Acquire::Languages \"none\";"));
	snprintf(path, sizeof(path), "%s/etc/sources.list.d/ospite.sources", work);
	assert_int_equal(hcfg_read_file(path, &sources, NULL), 0);
	assert_non_null(strstr(sources, "URIs: file:"));
	assert_non_null(strstr(sources, "Suites: test-security\n"));
	assert_non_null(strstr(sources, "Components: main contrib\n"));
	assert_non_null(strstr(sources, "Trusted: yes\n"));
	free(conf);
	free(sources);
	/* The dpkg database apt was given is empty. */
	snprintf(path, sizeof(path), "%s/dpkg/status", work);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 0);
	}
}

/* The Dependency Check's failure in an engine with @pkgs missing or not from the repository @url. */
static char *deps_failure(const char *url, const char *const pkgs[], const char *deb)
{
	struct inst_apt_source src;
	struct inst_plan p;
	struct inst_ui ui = { 0 };
	struct inst_engine *e;
	char work[128], *cause = NULL;

	local_source(&src, work, sizeof(work));
	src.mirror = url;
	snprintf(work, sizeof(work), "%s/work-hint", repo);
	inst_plan_init(&p);
	e = inst_engine_new(&p, &ui, -1);
	INST_COPY(e->ospite_deb, deb);
	assert_int_equal(inst_apt_resolve(&src, pkgs, work, -1, NULL, NULL, &e->pkgs, &cause),
			 -ENOENT);
	eng_ospite_hint(e, &cause);
	inst_pkgset_free(&e->pkgs);
	inst_engine_free(e);
	inst_plan_free(&p);
	return cause;
}

static void test_ospite_hint(void **state)
{
	static const char hint[] = "has no ospite package: name its .deb file with --package.";
	const char *site[] = { "bravo", "ospite-extras", NULL };
	const char *other[] = { "bravo", "nope-one", NULL };
	const char *ours[] = { "bravo", "ospite", NULL };
	char url[128], link[128], *cause;

	if (!have_apt())
		skip();
	make_repo(packages);
	/* The same repository at a URL that says "ospite". */
	snprintf(url, sizeof(url), "%s/repo", repo);
	snprintf(link, sizeof(link), "%s/ospite-tools", repo);
	assert_int_equal(symlink(url, link), 0);

	/* A site package whose name only starts with ospite: not the host's package. */
	cause = deps_failure(url, site, "");
	assert_non_null(strstr(cause, "ospite-extras"));
	assert_null(strstr(cause, hint));
	free(cause);
	/* Another package missing from a repository whose URL names ospite. */
	cause = deps_failure(link, other, "");
	assert_non_null(strstr(cause, "ospite-tools"));
	assert_null(strstr(cause, hint));
	free(cause);
	/* The ospite package itself, asked for by name: the hint, once, after apt's sentence. */
	cause = deps_failure(link, ours, "");
	printf("# %s\n", cause);
	assert_non_null(strstr(cause, "The package ospite is not available from"));
	assert_non_null(strstr(cause, hint));
	assert_null(strstr(strstr(cause, hint) + 1, hint));
	free(cause);
	/* Given as a file, the package is not asked for by name: another cause, no hint. */
	cause = deps_failure(url, ours, "/srv/ospite_1_amd64.deb");
	assert_null(strstr(cause, hint));
	free(cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkgset_find_free),
		cmocka_unit_test_setup_teardown(test_resolve_local, repo_setup, repo_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_local_errors, repo_setup, repo_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_private_config, repo_setup, repo_teardown),
		cmocka_unit_test_setup_teardown(test_ospite_hint, repo_setup, repo_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
