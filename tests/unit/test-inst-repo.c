/* The answer file's extra repositories in the install: key checks, the resolver taking a package only such a repository has, and the host's sources file; the repository parts are driven by tests/integration/repo-extra.sh and skip without it. */
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
#include <openssl/evp.h>

#include "hostcfg/hcfg.h"
#include "hostcfg/hcfg-target.h"
#include "install/inst-engine.h"
#include "install/ks.h"

/*
 * OSPITE_TEST_HTTP serves main/ (signed by OSPITE_TEST_MEDIUM_KEY, with
 * main-probe) and extra/ (signed by the key OSPITE_TEST_REPO_KEY, binary,
 * and at OSPITE_TEST_HTTP/extra.asc armored, of fingerprint
 * OSPITE_TEST_REPO_FPR, with extra-only, which depends on main-probe).
 */
static const char *http, *main_key, *repo_key, *repo_fpr, *work;

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL, *id = NULL;

	if (inst_ks_read_file(NULL, path, &data, len, &id, NULL) < 0)
		return NULL;
	free(id);
	return data;
}

static void test_not_a_key(void **state)
{
	static const char garbage[] = "this is not a key\n";
	static const char armor_empty[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n=AAAA\n"
					  "-----END PGP PUBLIC KEY BLOCK-----\n";
	/* A user ID packet alone (new format, tag 13): a packet, but no key. */
	static const char uid[] = "\xcd\x03" "abc";
	char *cause = NULL;
	bool armored;

	assert_int_equal(inst_pgp_key_check(garbage, sizeof(garbage) - 1, NULL, "K", &armored, &cause),
			 -EINVAL);
	assert_string_equal(cause, "K is not an OpenPGP public key.");
	free(cause);
	cause = NULL;
	assert_int_equal(inst_pgp_key_check(armor_empty, sizeof(armor_empty) - 1, NULL, "K", &armored,
					    &cause), -EINVAL);
	assert_true(armored);
	free(cause);
	cause = NULL;
	assert_int_equal(inst_pgp_key_check(uid, sizeof(uid) - 1, NULL, "K", &armored, &cause), -EINVAL);
	free(cause);
	cause = NULL;
	/* A length that runs past the end. */
	assert_int_equal(inst_pgp_key_check("\xc6\x7f\x04", 3, NULL, "K", &armored, &cause), -EINVAL);
	free(cause);
}

/* The host's file, written into a tree of the test's own. */
static void test_host_sources(void **state)
{
	char root[] = "/tmp/ospite-repo-root.XXXXXX", path[PATH_MAX], *data = NULL, *cause = NULL;
	struct hcfg_target_apt apt = {
		.mirror = "https://apt.example.org/debian", .suite = "bookworm",
		.components = "main contrib", .signed_by = "/etc/apt/keyrings/site.asc",
	};

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d", root);
	assert_int_equal(hcfg_mkdirs(path, NULL), 0);
	assert_int_equal(hcfg_target_apt_repo(root, "site", &apt, &cause), 0);
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d/site.sources", root);
	assert_int_equal(hcfg_read_file(path, &data, NULL), 0);
	assert_string_equal(data,
			    "# site: a package source the installation's answer file added (repo).\n\n"
			    "Types: deb\nURIs: https://apt.example.org/debian\nSuites: bookworm\n"
			    "Components: main contrib\nSigned-By: /etc/apt/keyrings/site.asc\n");
	free(data);
	/* A flat repository has no components; a trusted one no key. */
	apt.suite = "./";
	apt.signed_by = "";
	apt.trusted = true;
	assert_int_equal(hcfg_target_apt_repo(root, "flat", &apt, &cause), 0);
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d/flat.sources", root);
	assert_int_equal(hcfg_read_file(path, &data, NULL), 0);
	assert_non_null(strstr(data, "Suites: ./\nTrusted: yes\n"));
	assert_null(strstr(data, "Components"));
	assert_null(strstr(data, "Signed-By"));
	free(data);
	unlink(path);
	/* Names that would leave the folder or replace the host's own source are refused. */
	assert_int_equal(hcfg_target_apt_repo(root, "../x", &apt, &cause), -EINVAL);
	free(cause);
	cause = NULL;
	/* debian.sources and keyrings/ospite-mirror.gpg are the host's own (hcfg-aptsrc.c, inst-pkgs.c). */
	assert_int_equal(hcfg_target_apt_repo(root, "debian", &apt, &cause), -EINVAL);
	assert_string_equal(cause, "The repository name debian is taken by the host's own package source: choose another.");
	free(cause);
	cause = NULL;
	assert_int_equal(hcfg_target_apt_repo(root, "ospite-mirror", &apt, &cause), -EINVAL);
	assert_non_null(strstr(cause, "ospite-mirror is taken by the host's own"));
	free(cause);
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d/ospite-mirror.sources", root);
	assert_int_equal(access(path, F_OK), -1);
	assert_true(hcfg_target_apt_name_reserved("debian"));
	assert_true(hcfg_target_apt_name_reserved("ospite-mirror"));
	assert_false(hcfg_target_apt_name_reserved("site"));
	/* What the host keeps of the mirror's keys is one of them. */
	assert_string_equal(strrchr(HCFG_TARGET_MIRROR_KEYRING, '/'), "/ospite-mirror.gpg");
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d/site.sources", root);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

struct run {
	struct inst_plan p;
	struct inst_engine *e;
	struct inst_ui ui;
};

/* A plan installing @pkg from main/ with the extra repository @name keyed by @key (NULL: none). */
static void run_init(struct run *r, const char *key, const char *fpr)
{
	char url[PATH_MAX];

	inst_plan_init(&r->p);
	r->p.src = INST_SRC_MIRROR;
	snprintf(url, sizeof(url), "%s/main", http);
	INST_COPY(r->p.mirror, url);
	INST_COPY(r->p.suite, "bookworm");
	r->p.security = false;
	if (key) {
		struct inst_repo *x = &r->p.repos[r->p.n_repos++];

		INST_COPY(x->name, "extra");
		snprintf(url, sizeof(url), "%s/extra", http);
		INST_COPY(x->url, url);
		INST_COPY(x->key, key);
		if (fpr)
			INST_COPY(x->fingerprint, fpr);
	}
	setenv("OSPITE_MEDIUM_KEY", main_key, 1);
	memset(&r->ui, 0, sizeof(r->ui));
	r->e = inst_engine_new(&r->p, &r->ui, -1);
	inst_engine_set_workdir(r->e, work);
}

static void run_free(struct run *r)
{
	inst_engine_free(r->e);
	inst_plan_free(&r->p);
}

/* Dependency Check's part: the keys, then the resolver with every source. */
static int resolve(struct run *r, const char *pkg, struct inst_pkgset *set, char **cause)
{
	struct inst_apt_source src;
	const char *pkgs[] = { pkg, NULL };
	char buf[PATH_MAX], apt[PATH_MAX + 8];
	int rc = eng_mirror_keyring(r->e, cause);

	if (rc == 0)
		rc = eng_repo_keys(r->e, cause);
	if (rc < 0)
		return rc;
	eng_fill_source(&r->p, &src, buf, sizeof(buf));
	if (*r->e->keyring)
		src.keyring = r->e->keyring;
	eng_repo_source(r->e, &src);
	snprintf(apt, sizeof(apt), "%s/apt", work);
	return inst_apt_resolve(&src, pkgs, apt, -1, NULL, NULL, set, cause);
}

static void test_resolver_takes_extra(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL;

	if (!http)
		skip();
	run_init(&r, repo_key, repo_fpr);
	if (resolve(&r, "extra-only", &set, &cause) < 0)
		fail_msg("%s", cause);
	/* The package only the extra repository has, and what it needs from the mirror. */
	assert_non_null(inst_pkgset_find(&set, "extra-only"));
	assert_non_null(inst_pkgset_find(&set, "main-probe"));
	inst_pkgset_free(&set);
	run_free(&r);
}

static void test_key_over_http_armored(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL, url[PATH_MAX], kept[PATH_MAX];
	struct stat st;

	if (!http)
		skip();
	snprintf(url, sizeof(url), "%s/extra.asc", http);
	run_init(&r, url, repo_fpr);
	if (resolve(&r, "extra-only", &set, &cause) < 0)
		fail_msg("%s", cause);
	assert_non_null(inst_pkgset_find(&set, "extra-only"));
	/* apt tells an armored keyring by its name. */
	snprintf(kept, sizeof(kept), "%s/repo-keys/extra.asc", work);
	assert_int_equal(stat(kept, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	inst_pkgset_free(&set);
	run_free(&r);
}

static void test_without_repo_missing(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL;

	if (!http)
		skip();
	run_init(&r, NULL, NULL);
	assert_true(resolve(&r, "extra-only", &set, &cause) < 0);
	assert_non_null(strstr(cause, "extra-only"));
	assert_true(inst_pkgset_missing(&set, "extra-only"));
	printf("# without the repository: %s\n", cause);
	inst_pkgset_free(&set);
	free(cause);
	run_free(&r);
}

static void test_wrong_key_refused(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL;

	if (!http)
		skip();
	/* The mirror's key is a good key, but not the one that signs extra/. */
	run_init(&r, main_key, NULL);
	assert_true(resolve(&r, "extra-only", &set, &cause) < 0);
	printf("# signed by another key: %s\n", cause);
	/* apt's "is not signed", in a sentence that says what it means here. */
	assert_non_null(strstr(cause, "does not match the key given for it"));
	assert_non_null(strstr(cause, "/extra"));
	/* apt's own sentence is quoted whole, and ends ours with its one full stop. */
	{
		size_t n = strlen(cause);

		assert_true(n > 20);
		assert_string_equal(cause + n - 15, " is not signed.");
	}
	free(cause);
	run_free(&r);
}

static void test_wrong_fingerprint_refused(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL;

	if (!http)
		skip();
	run_init(&r, repo_key, "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_int_equal(resolve(&r, "extra-only", &set, &cause), -EINVAL);
	assert_non_null(strstr(cause, "does not have the fingerprint 0123456789ABCDEF"));
	free(cause);
	run_free(&r);
}

/* A key by URL is read by the Dependency Check only: its error still names the repo line. */
static void test_url_key_error_at_line(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL, url[PATH_MAX], want[PATH_MAX + 64];

	if (!http)
		skip();
	snprintf(url, sizeof(url), "%s/extra.asc", http);
	run_init(&r, url, "0123456789ABCDEF0123456789ABCDEF01234567");
	r.p.repos[0].src.file = inst_plan_add_src_file(&r.p, "site.ks");
	r.p.repos[0].src.line = 7;
	assert_int_equal(resolve(&r, "extra-only", &set, &cause), -EINVAL);
	printf("# %s\n", cause);
	snprintf(want, sizeof(want), "site.ks:7: The key %s does not have the fingerprint 0123456789ABCDEF", url);
	assert_true(!strncmp(cause, want, strlen(want)));
	free(cause);
	run_free(&r);
}

/* Armored, as gpg --armor --export writes it. */
static char *armor(const char *bin, size_t len)
{
	size_t cap = 4 * ((len + 2) / 3) + 128;
	char *out = malloc(cap);
	int n;

	assert_non_null(out);
	n = snprintf(out, cap, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n");
	n += EVP_EncodeBlock((unsigned char *)out + n, (const unsigned char *)bin, (int)len);
	snprintf(out + n, cap - n, "\n-----END PGP PUBLIC KEY BLOCK-----\n");
	return out;
}

/* The pinned key with another one beside it: apt would trust both, so the file is refused. */
static void test_fingerprint_key_not_alone(void **state)
{
	size_t rl = 0, ml = 0;
	char *rk, *mk, *both, *ra, *ma, *cause = NULL;
	bool armored;

	if (!http)
		skip();
	rk = slurp(repo_key, &rl);
	mk = slurp(main_key, &ml);
	assert_non_null(rk);
	assert_non_null(mk);
	assert_int_equal(inst_pgp_key_check(rk, rl, repo_fpr, "K", &armored, &cause), 0);
	both = malloc(rl + ml);
	assert_non_null(both);
	memcpy(both, rk, rl);
	memcpy(both + rl, mk, ml);
	assert_int_equal(inst_pgp_key_check(both, rl + ml, repo_fpr, "K", &armored, &cause), -EINVAL);
	assert_non_null(strstr(cause, "other keys"));
	free(cause);
	cause = NULL;
	/* Two armored blocks: only the first would be checked. */
	ra = armor(rk, rl);
	ma = armor(mk, ml);
	free(both);
	both = malloc(strlen(ra) + strlen(ma) + 1);
	assert_non_null(both);
	strcat(strcpy(both, ra), ma);
	assert_int_equal(inst_pgp_key_check(ra, strlen(ra), repo_fpr, "K", &armored, &cause), 0);
	assert_true(armored);
	assert_int_equal(inst_pgp_key_check(both, strlen(both), repo_fpr, "K", &armored, &cause),
			 -EINVAL);
	assert_non_null(strstr(cause, "more than one armored block"));
	free(cause);
	free(both);
	free(ra);
	free(ma);
	free(rk);
	free(mk);
}

static void test_missing_key_named(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL;

	if (!http)
		skip();
	run_init(&r, "/nonexistent/extra.gpg", NULL);
	assert_true(resolve(&r, "extra-only", &set, &cause) < 0);
	assert_non_null(strstr(cause, "The key /nonexistent/extra.gpg of the repository extra could not be read"));
	free(cause);
	run_free(&r);
}

/* Package Installation's part: the key and the sources file in a target of the test's own. */
static void test_host_keeps_repo(void **state)
{
	struct run r;
	struct inst_pkgset set = { 0 };
	char *cause = NULL, path[PATH_MAX], root[] = "/tmp/ospite-repo-target.XXXXXX", *data = NULL,
	     *want = NULL, *got = NULL, url[PATH_MAX];
	size_t wl = 0, gl = 0;

	if (!http)
		skip();
	run_init(&r, repo_key, repo_fpr);
	if (resolve(&r, "extra-only", &set, &cause) < 0)
		fail_msg("%s", cause);
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d", root);
	assert_int_equal(hcfg_mkdirs(path, NULL), 0);
	INST_COPY(r.e->target, root);
	if (eng_repo_host(r.e, &cause) < 0)
		fail_msg("%s", cause);
	snprintf(path, sizeof(path), "%s/etc/apt/sources.list.d/extra.sources", root);
	assert_int_equal(hcfg_read_file(path, &data, NULL), 0);
	snprintf(url, sizeof(url), "URIs: %s/extra\nSuites: bookworm\nComponents: main\n"
		 "Signed-By: /etc/apt/keyrings/extra.gpg\n", http);
	assert_non_null(strstr(data, url));
	free(data);
	snprintf(path, sizeof(path), "%s/etc/apt/keyrings/extra.gpg", root);
	got = slurp(path, &gl);
	want = slurp(repo_key, &wl);
	assert_non_null(got);
	assert_non_null(want);
	assert_int_equal(gl, wl);
	assert_memory_equal(got, want, wl);
	free(got);
	free(want);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
	inst_pkgset_free(&set);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_key),
		cmocka_unit_test(test_host_sources),
		cmocka_unit_test(test_resolver_takes_extra),
		cmocka_unit_test(test_key_over_http_armored),
		cmocka_unit_test(test_without_repo_missing),
		cmocka_unit_test(test_wrong_key_refused),
		cmocka_unit_test(test_wrong_fingerprint_refused),
		cmocka_unit_test(test_url_key_error_at_line),
		cmocka_unit_test(test_fingerprint_key_not_alone),
		cmocka_unit_test(test_missing_key_named),
		cmocka_unit_test(test_host_keeps_repo),
	};

	http = getenv("OSPITE_TEST_HTTP");
	main_key = getenv("OSPITE_TEST_MEDIUM_KEY");
	repo_key = getenv("OSPITE_TEST_REPO_KEY");
	repo_fpr = getenv("OSPITE_TEST_REPO_FPR");
	work = getenv("OSPITE_TEST_WORKDIR");
	if (!http || !*http || !main_key || !*main_key || !repo_key || !*repo_key || !repo_fpr ||
	    !*repo_fpr || !work || !*work)
		http = NULL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
