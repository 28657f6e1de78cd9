/* Package Installation: the download, the base system, apt, the initial RAM disk, the repair after a power cut, and the progress they report. */
#include "inst-engine.h"
#include "hostcfg/hcfg-target.h"
#include "base/i18n.h"

#include <dirent.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The host's own package, as apt knows it by name. */
#define OSPITE_PKG "ospite"

/*
 * Shares of the overall bar, close to where the time goes on a warm cache
 * (the remaining time is estimated from the bar): download, base system,
 * the rest of the packages, the initial RAM disk.
 */
#define SHARE_DL     150
#define SHARE_BASE   280
#define SHARE_APT    350
#define SHARE_INITRD 220

void eng_fill_source(const struct inst_plan *p, struct inst_apt_source *src, char *buf,
		     size_t len)
{
	memset(src, 0, sizeof(*src));
	if (p->src == INST_SRC_LOCAL) {
		snprintf(buf, len, "file:%s", p->local_dir);
		src->mirror = buf;
		/* As Package Installation trusts it: a medium's Release carries checksums, not a signature. */
		src->trusted = true;
	} else {
		src->mirror = p->mirror;
	}
	src->suite = p->suite;
	src->components = "main";
	src->standard = p->std_priority;
	if (p->security && p->src == INST_SRC_MIRROR && *p->security_mirror)
		src->security_mirror = p->security_mirror;
}

/* ---- the ospite package ------------------------------------------------------ */

static bool regular_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Does the local source's index list ospite (the install medium's does)? */
static bool local_has_ospite(const struct inst_plan *p)
{
	char path[PATH_MAX + 128], *idx = NULL;
	bool has;

	snprintf(path, sizeof(path), "%s/dists/%s/main/binary-amd64/Packages", p->local_dir, p->suite);
	if (hcfg_read_file(path, &idx, NULL) < 0)
		return false;
	has = !strncmp(idx, "Package: ospite\n", 16) || strstr(idx, "\nPackage: ospite\n");
	free(idx);
	return has;
}

/*
 * The package file a source without ospite falls back to: the install
 * medium's (booted from it, with a network mirror chosen), or the one make
 * deb builds beside a build tree (build/ospite_VERSION_amd64.deb for
 * build/std/ospite-install).
 */
static void fallback_deb(char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	ssize_t l;

	snprintf(buf, len, "%s/pool/main/ospite_%s_amd64.deb", inst_plan_medium_dir(), OSPITE_VERSION);
	if (regular_file(buf))
		return;
	*buf = '\0';
	l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (l <= 0)
		return;
	self[l] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(buf, len, "%s/ospite_%s_amd64.deb", self, OSPITE_VERSION);
	if (!regular_file(buf))
		*buf = '\0';
}

static void add_name(char ***pkgs, const char *name, size_t len)
{
	size_t n = 0;
	char **v;

	for (; (*pkgs)[n]; n++)
		if (strlen((*pkgs)[n]) == len && !strncmp((*pkgs)[n], name, len))
			return;
	v = realloc(*pkgs, (n + 2) * sizeof(*v));
	if (!v || !(v[n] = strndup(name, len)))
		abort();
	v[n + 1] = NULL;
	*pkgs = v;
}

/*
 * What a package file depends on, for the Dependency Check: its Depends
 * field, each first alternative by name, without versions or
 * architecture; the file must be an ospite package for amd64.
 */
static int deb_needs(struct inst_engine *e, char ***pkgs, char **cause)
{
	const char *argv[] = { "dpkg-deb", "-f", e->ospite_deb, "Package", "Architecture", "Depends",
			       NULL };
	char *out = NULL, *deps = NULL;
	int rc = base_run_capture(argv, e->logfd, &out, NULL);
	bool ours = false, amd64 = false;

	if (rc != 0) {
		free(out);
		return base_cause(cause, -EINVAL, _("%s is not a Debian package dpkg-deb can read."),
				  e->ospite_deb);
	}
	for (char *line = out; line && *line;) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = '\0';
		if (!strcmp(line, "Package: ospite"))
			ours = true;
		else if (!strcmp(line, "Architecture: amd64"))
			amd64 = true;
		else if (!strncmp(line, "Depends:", 8))
			deps = line + 8;
		else if (deps && (*line == ' ' || *line == '\t'))
			line[-1] = ' ';   /* a folded field goes on: join it to the line before */
		line = next;
	}
	if (!ours || !amd64) {
		free(out);
		return base_cause(cause, -EINVAL, _("%s is not an ospite package for amd64."),
				  e->ospite_deb);
	}
	for (char *d = deps; d && *d;) {
		size_t len;

		d += strspn(d, " \t,");
		len = strcspn(d, " \t,|(:");
		if (len)
			add_name(pkgs, d, len);
		d += strcspn(d, ",");
	}
	free(out);
	return 0;
}

#define DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define MEDIUM_KEY     "/usr/share/keyrings/ospite-medium.gpg"

/* Append the file @from to the open @to: keyrings are binary, not text. */
static int append_file(FILE *to, const char *from, char **cause)
{
	FILE *f = fopen(from, "rbe");
	char buf[65536];
	size_t n;

	if (!f)
		return base_cause(cause, -errno, _("Could not read %s: %s."), from, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			break;
	if (ferror(f) || ferror(to)) {
		fclose(f);
		return base_cause(cause, -EIO, _("Could not read %s: %s."), from, strerror(EIO));
	}
	fclose(f);
	return 0;
}

int eng_mirror_keyring(struct inst_engine *e, char **cause)
{
	const char *key = getenv("OSPITE_MEDIUM_KEY");
	char tmp[PATH_MAX + 8];
	FILE *out;
	int rc;

	*e->keyring = '\0';
	if (e->plan->src != INST_SRC_MIRROR)
		return 0;
	if (key && *key && !regular_file(key))
		return base_cause(cause, -ENOENT, _("The install medium's key %s does not exist."), key);
	if (!key || !*key)
		key = MEDIUM_KEY;
	if (!regular_file(key))
		return 0;
	rc = hcfg_mkdirs(e->workdir, cause);
	if (rc < 0)
		return rc;
	/* gpgv takes one keyring file that holds both: OpenPGP keyrings concatenate. */
	snprintf(e->keyring, sizeof(e->keyring), "%s/mirror-keyring.gpg", e->workdir);
	snprintf(tmp, sizeof(tmp), "%s.new", e->keyring);
	out = fopen(tmp, "wbe");
	if (!out)
		return base_cause(cause, -errno, _("Could not write %s: %s."), tmp, strerror(errno));
	rc = append_file(out, DEBIAN_KEYRING, cause);
	if (rc == 0)
		rc = append_file(out, key, cause);
	/* apt reads it as its unprivileged _apt user. */
	if (fchmod(fileno(out), 0644) < 0 && rc == 0)
		rc = base_cause(cause, -errno, _("Could not write %s: %s."), tmp, strerror(errno));
	if (fclose(out) != 0 && rc == 0)
		rc = base_cause(cause, -errno, _("Could not write %s: %s."), tmp, strerror(errno));
	if (rc == 0 && rename(tmp, e->keyring) < 0)
		rc = base_cause(cause, -errno, _("Could not write %s: %s."), e->keyring, strerror(errno));
	if (rc < 0) {
		unlink(tmp);
		*e->keyring = '\0';
		return rc;
	}
	eng_log(e, "mirror: Release checked with Debian's keys and the install medium's key %s", key);
	return 0;
}

int eng_ospite_package(struct inst_engine *e, char ***pkgs, char **cause)
{
	const struct inst_plan *p = e->plan;
	const char *given = getenv("OSPITE_PACKAGE");

	*e->ospite_deb = '\0';
	if (given && *given) {
		if (!regular_file(given))
			return base_cause(cause, -ENOENT, _("The ospite package %s does not exist."), given);
		INST_COPY(e->ospite_deb, given);
	} else if (!(p->src == INST_SRC_LOCAL && local_has_ospite(p))) {
		fallback_deb(e->ospite_deb, sizeof(e->ospite_deb));
	}
	if (!*e->ospite_deb) {
		eng_log(e, "ospite package: from the installation source, by name");
		add_name(pkgs, OSPITE_PKG, strlen(OSPITE_PKG));
		return 0;
	}
	eng_log(e, "ospite package: %s", e->ospite_deb);
	return deb_needs(e, pkgs, cause);
}

void eng_ospite_hint(const struct inst_engine *e, char **cause)
{
	char *why;

	if (*e->ospite_deb || !cause || !*cause || !inst_pkgset_missing(&e->pkgs, OSPITE_PKG))
		return;
	why = *cause;
	*cause = NULL;
	base_cause(cause, -ENOENT, _("%s The installation source has no ospite package: name its .deb file with --package."),
		   why);
	free(why);
}

static void pkg_update(struct inst_engine *e, unsigned overall, const char *status)
{
	struct inst_progress *pr = &e->pr;
	unsigned elapsed = time(NULL) - e->t0;
	const struct inst_pkg *pkg = e->have_pkgs && *e->cur_pkg ?
		inst_pkgset_find(&e->pkgs, e->cur_pkg) : NULL;

	/* The sources restart their own counts per phase; the overall bar only moves on. */
	if (overall < e->overall)
		overall = e->overall;
	e->overall = overall > 1000 ? 1000 : overall;
	pr->step = INST_STEP_PACKAGES;
	pr->permille = e->overall;
	if (status != e->status)
		snprintf(e->status, sizeof(e->status), "%s", status ? status : "");
	pr->text = e->status;
	pr->pkg = pkg ? e->cur_pkg : (*e->cur_pkg ? e->cur_pkg : NULL);
	pr->pkg_size = pkg ? pkg->size : 0;
	pr->pkg_summary = pkg ? pkg->summary : "";
	pr->total_pkgs = e->pkgs.n;
	pr->total_bytes = e->pkgs.total_size;
	pr->elapsed_s = elapsed;
	pr->remaining_s = pr->permille > 20 ? (uint64_t)elapsed * (1000 - pr->permille) / pr->permille : 0;
	if (e->ui.progress)
		e->ui.progress(e->ui.opaque, pr);
}

static void dl_progress(void *opaque, unsigned permille, const char *text)
{
	struct inst_engine *e = opaque;

	e->pr.pkg_permille = permille;
	pkg_update(e, SHARE_DL * permille / 1000, text);
}

static void dbs_event(void *opaque, const struct inst_dbs_event *ev)
{
	struct inst_engine *e = opaque;

	if (ev->kind == INST_DBS_ERROR || ev->kind == INST_DBS_WARNING)
		eng_log(e, "base system: %s", ev->text);
	if (ev->kind == INST_DBS_INFO && ev->n_args > 0 &&
	    inst_pkgset_find(&e->pkgs, ev->args[0]))
		snprintf(e->cur_pkg, sizeof(e->cur_pkg), "%s", ev->args[0]);
	if (ev->kind != INST_DBS_PROGRESS && ev->kind != INST_DBS_INFO)
		return;
	if (ev->kind == INST_DBS_PROGRESS) {
		/* The tools report a fraction, not packages: scale the base set by it. */
		e->pr.done_pkgs = (uint64_t)e->base_pkgs * ev->permille / 1000;
		e->pr.done_bytes = e->base_bytes * ev->permille / 1000;
		e->pr.pkg_permille = ev->permille;
	}
	pkg_update(e, SHARE_DL + SHARE_BASE * e->pr.pkg_permille / 1000, ev->text);
}

static void dbs_line(void *opaque, const char *line)
{
	inst_dbs_feed(((void **)opaque)[1], line);
}

static void mmdbs_line(void *opaque, const char *line)
{
	inst_mmdbs_feed(((void **)opaque)[1], line);
}

static void tick(void *opaque)
{
	struct inst_engine *e = ((void **)opaque)[0];

	pkg_update(e, e->pr.permille, e->pr.text);
}

/*
 * Run a long command with the screen's clock ticking, its status lines (if
 * @line) given to @parser; a nonzero exit is -EIO, the cause naming it.
 */
static int eng_run_ticking(struct inst_engine *e, const char *const argv[], const char *const env[],
		       int status_fd, void (*line)(void *, const char *), void *parser, char **cause)
{
	void *pair[2] = { e, parser };
	int rc = base_run_status(argv, env, e->logfd, status_fd, line, tick, pair, cause);

	return rc > 0 ? -EIO : rc;
}

/*
 * mmdebstrap builds the same base system as debootstrap in under half the
 * time (one apt run instead of a shell loop per package); debootstrap stays
 * for systems without it, or when OSPITE_BOOTSTRAP=debootstrap asks for it.
 */
static bool use_mmdebstrap(void)
{
	const char *want = getenv("OSPITE_BOOTSTRAP");
	char *path;
	bool found;

	if (want && !strcmp(want, "debootstrap"))
		return false;
	path = base_which("mmdebstrap");
	found = path != NULL;
	free(path);
	return found;
}

/*
 * One sources.list line (mmdebstrap's MIRROR form) for the answer file's
 * repository @x into @buf: signed by its key in the work folder, or trusted;
 * a flat repository ("./") has no components.
 */
static void extra_line(const struct inst_apt_extra *x, char *buf, size_t len)
{
	size_t sl = strlen(x->suite);
	bool flat = sl && x->suite[sl - 1] == '/';

	snprintf(buf, len, "deb [%s%s] %s %s%s%s", x->trusted ? "trusted=yes" : "signed-by=",
		 x->trusted ? "" : x->keyring, x->url, x->suite, flat ? "" : " ",
		 flat ? "" : x->components);
}

/*
 * mmdebstrap writes the one-line sources it was given, one after the other,
 * into the target's sources.list. The repositories' lines name keys in the
 * work folder, and the host keeps each repository as
 * sources.list.d/NAME.sources (eng_repo_host()): they go, and the
 * installation source's line stays, as without repositories, for
 * hcfg_target_apt_sources() to replace by debian.sources.
 */
static int drop_extra_lines(struct inst_engine *e, char extra[][PATH_MAX + 512], char **cause)
{
	struct base_buf kept = { 0 };
	char path[PATH_MAX], *data = NULL, *save = NULL;
	int rc;

	eng_target_path(e, path, sizeof(path), "/etc/apt/sources.list");
	if (access(path, F_OK) < 0)
		return 0;
	rc = hcfg_read_file(path, &data, cause);
	if (rc < 0)
		return rc;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool ours = false;

		for (size_t i = 0; i < e->n_repo_src && !ours; i++)
			ours = !strcmp(l, extra[i]);
		if (!ours)
			base_buf_printf(&kept, "%s\n", l);
	}
	free(data);
	if (kept.oom)
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
	else
		rc = hcfg_write_file(path, kept.s ? kept.s : "", 0644, cause);
	free(kept.s);
	return rc;
}

static int run_mmdebstrap(struct inst_engine *e, const char *const env[], char **cause)
{
	const struct inst_plan *p = e->plan;
	char mirror[PATH_MAX + 64], extra[INST_MAX_REPOS][PATH_MAX + 512];
	struct inst_mmdbs *mm;
	int rc;

	/* The cache is mounted where apt looks; its .debs are used, and not cleaned up after. */
	rc = eng_mount_cache(e, cause);
	if (rc < 0)
		return rc;
	/* A local directory is read by apt outside the target: copy:// puts the files in the cache. */
	if (p->src == INST_SRC_LOCAL)
		snprintf(mirror, sizeof(mirror), "deb [trusted=yes] copy://%s %s main", p->local_dir,
			 p->suite);
	else if (*e->keyring)
		snprintf(mirror, sizeof(mirror), "deb [signed-by=%s] %s %s main", e->keyring, p->mirror,
			 p->suite);
	else
		snprintf(mirror, sizeof(mirror), "%s", p->mirror);
	const char *argv[12 + INST_MAX_REPOS + 1] = {
		"mmdebstrap", "--verbose", "--mode=root", "--variant=important",
		"--format=directory", "--architectures=amd64",
		/* The target holds lost+found and the mounted /boot and image store. */
		"--skip=check/empty", "--skip=cleanup/apt", p->suite, e->target, mirror,
	};
	size_t n = 11;

	/*
	 * The answer file's repositories are sources of the base system too, as
	 * Anaconda's repo is of the whole install: the base system gets the
	 * versions and the Priority required and important packages the
	 * Dependency Check resolved from all the sources together (and
	 * downloaded), not older ones the cache lacks.
	 */
	for (size_t i = 0; i < e->n_repo_src; i++) {
		extra_line(&e->repo_src[i], extra[i], sizeof(extra[i]));
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	mm = inst_mmdbs_new(e->base_pkgs, dbs_event, e);
	if (!mm)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	rc = eng_run_ticking(e, argv, env, BASE_RUN_OUTPUT, mmdbs_line, mm, cause);
	inst_mmdbs_free(mm);
	if (rc == 0 && e->n_repo_src)
		rc = drop_extra_lines(e, extra, cause);
	return rc;
}

/*
 * debootstrap takes one source: the base system comes from the installation
 * source alone. Package Installation's dist-upgrade, with the answer file's
 * repositories in the host's sources by then, brings their newer versions and
 * names the base set the Dependency Check resolved, so that a Priority
 * required or important package only a repository has goes in there
 * (mmdebstrap installs it with the base system).
 */
static int run_debootstrap(struct inst_engine *e, const char *const env[], char **cause)
{
	const struct inst_plan *p = e->plan;
	char cache[PATH_MAX + 32], mirror[PATH_MAX + 8], keyring[PATH_MAX + 16];
	struct inst_dbs *dbs;
	int rc;

	snprintf(cache, sizeof(cache), "--cache-dir=%s/apt/archives", e->workdir);
	if (p->src == INST_SRC_LOCAL)
		snprintf(mirror, sizeof(mirror), "file://%s", p->local_dir);
	else
		snprintf(mirror, sizeof(mirror), "%s", p->mirror);
	dbs = inst_dbs_new(dbs_event, e);
	if (!dbs)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	const char *argv[9] = { "debootstrap", "--debian-installer", cache, "--arch=amd64" };
	size_t n = 4;

	/* A mirror the medium's key signs: debootstrap checks it with that key and Debian's. */
	snprintf(keyring, sizeof(keyring), "--keyring=%s", e->keyring);
	if (*e->keyring)
		argv[n++] = keyring;
	argv[n++] = p->suite;
	argv[n++] = e->target;
	argv[n++] = mirror;
	argv[n] = NULL;

	rc = eng_run_ticking(e, argv, env, 3, dbs_line, dbs, cause);
	inst_dbs_flush(dbs);
	inst_dbs_free(dbs);
	return rc;
}

int eng_step_base(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct inst_apt_source src;
	char url[PATH_MAX], aptdir[PATH_MAX];
	const char *env[] = { "LC_ALL=C.UTF-8", "LANGUAGE=", NULL };
	int rc;

	eng_step(e, INST_STEP_PACKAGES);
	e->t0 = time(NULL);
	e->base_pkgs = e->pkgs.n_base;
	e->base_bytes = 0;
	for (size_t i = 0; i < e->pkgs.n; i++)
		if (e->pkgs.pkgs[i].base)
			e->base_bytes += e->pkgs.pkgs[i].size;
	snprintf(aptdir, sizeof(aptdir), "%s/apt", e->workdir);
	eng_fill_source(p, &src, url, sizeof(url));
	if (*e->keyring)
		src.keyring = e->keyring;
	eng_repo_source(e, &src);
	/* Everything is fetched first, once, into the cache both the base system and apt use. */
	rc = inst_apt_download(&src, &e->pkgs, aptdir, e->logfd, dl_progress, e, cause);
	if (rc < 0)
		return rc;
	e->failed = INST_STEP_BASE;
	/* The download's count is done: the base system starts its own from zero. */
	e->pr.pkg_permille = 0;
	return use_mmdebstrap() ? run_mmdebstrap(e, env, cause) : run_debootstrap(e, env, cause);
}

static void apt_line(void *opaque, const char *line)
{
	struct inst_engine *e = ((void **)opaque)[0];
	struct inst_apt_status st;

	if (inst_apt_status_parse(line, &st) < 0)
		return;
	if (st.kind == INST_APT_PMERROR) {
		eng_log(e, "apt: %s: %s", st.id, st.desc);
		return;
	}
	if (st.kind != INST_APT_PMSTATUS)
		return;
	/* Package names come as "name:arch". */
	st.id[strcspn(st.id, ":")] = '\0';
	if (strcmp(st.id, e->cur_pkg)) {
		snprintf(e->cur_pkg, sizeof(e->cur_pkg), "%s", st.id);
		e->pr.pkg_permille = 0;
	}
	if (!strncmp(st.desc, "Installed ", 10)) {
		const struct inst_pkg *pk = inst_pkgset_find(&e->pkgs, st.id);

		e->apt_done++;
		e->apt_bytes_done += pk ? pk->size : 0;
		e->pr.pkg_permille = 1000;
	} else if (!strncmp(st.desc, "Unpacking ", 10)) {
		e->pr.pkg_permille = 300;
	} else if (!strncmp(st.desc, "Configuring ", 12)) {
		e->pr.pkg_permille = 700;
	}
	e->pr.done_pkgs = e->base_pkgs + e->apt_done;
	if (e->pr.done_pkgs > e->pkgs.n)
		e->pr.done_pkgs = e->pkgs.n;
	e->pr.done_bytes = e->base_bytes + e->apt_bytes_done;
	if (e->pr.done_bytes > e->pkgs.total_size)
		e->pr.done_bytes = e->pkgs.total_size;
	pkg_update(e, SHARE_DL + SHARE_BASE + (unsigned)(SHARE_APT * st.pct / 100), st.desc);
}

/*
 * With INITRD=No, linux-update-symlinks left /initrd.img out (and
 * removed it): now that the RAM disks exist, make the links as Debian has them.
 */
static int kernel_links(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	eng_target_path(e, path, sizeof(path), "/usr/bin/linux-update-symlinks");
	if (access(path, X_OK) < 0)
		return 0;
	eng_target_path(e, path, sizeof(path), "/boot");
	dir = opendir(path);
	if (!dir)
		return 0;
	while (rc == 0 && (d = readdir(dir))) {
		char image[PATH_MAX];

		if (strncmp(d->d_name, "vmlinuz-", 8) || !d->d_name[8])
			continue;
		snprintf(image, sizeof(image), "/boot/%s", d->d_name);
		rc = TARGET(e, cause, "linux-update-symlinks", "install", d->d_name + 8, image);
	}
	closedir(dir);
	return rc;
}

/* One initial RAM disk for every kernel in the target, built after all packages are in. */
static int build_initrd(struct inst_engine *e, char **cause)
{
	char path[PATH_MAX];

	eng_target_path(e, path, sizeof(path), "/usr/sbin/update-initramfs");
	if (access(path, X_OK) < 0) {
		eng_log(e, "no update-initramfs in the target: no initial RAM disk built");
		return 0;
	}
	const char *argv[] = { "chroot", e->target, "update-initramfs", "-c", "-k", "all", NULL };
	int rc;

	*e->cur_pkg = '\0';
	pkg_update(e, SHARE_DL + SHARE_BASE + SHARE_APT, _("Building the initial RAM disk..."));
	/* The tick keeps the clock of the screen going for the half minute this takes. */
	rc = eng_run_ticking(e, argv, NULL, -1, NULL, NULL, cause);
	if (rc == 0)
		rc = kernel_links(e, cause);
	if (rc == 0)
		pkg_update(e, SHARE_DL + SHARE_BASE + SHARE_APT + SHARE_INITRD, e->status);
	return rc;
}

/*
 * After a power cut in the middle of dpkg: configure what was unpacked;
 * unpack again, from the package cache, what was cut off half-way (dpkg
 * marks it "reinstreq", and neither --configure nor apt's -f will touch
 * it); then let apt's -f install, with no package named so that it may
 * upgrade what the unpacked packages need, finish the job.
 */
static int repair_dpkg(struct inst_engine *e, const char *const env[], char **cause)
{
	const char *cfg[] = { "chroot", e->target, "dpkg", "--configure", "-a", NULL };
	const char *query[] = { "chroot", e->target, "dpkg-query", "-W", "-f",
				"${Package} ${Version} ${Architecture} ${Status}\\n", NULL };
	const char *fix[] = { "chroot", e->target, "apt-get", "-y", "-q", "-f",
			      "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Use-Pty=0",
			      "--no-install-recommends", "install", NULL };
	const char *unpack[64 + 6] = { "chroot", e->target, "dpkg", "--unpack", "--force-depends" };
	char *out = NULL, *save = NULL, debs[64][512];
	size_t n = 5;
	int rc;

	if (eng_run_ticking(e, cfg, env, -1, NULL, NULL, NULL) < 0)
		eng_log(e, "resume: dpkg could not configure everything; apt repairs the rest");
	rc = base_run_capture(query, e->logfd, &out, cause);
	if (rc > 0)
		rc = -EIO;
	if (rc < 0) {
		free(out);
		return rc;
	}
	for (char *line = strtok_r(out, "\n", &save); line && n < 64 + 5;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128], ver[128], arch[32], *status, host[PATH_MAX];
		int used = 0;

		/* "NAME VERSION ARCH install reinstreq half-installed": unpacked only in part. */
		if (sscanf(line, "%127s %127s %31s %n", name, ver, arch, &used) != 3)
			continue;
		status = line + used;
		if (!strstr(status, "reinstreq") && !strstr(status, "half-installed"))
			continue;
		/* apt names a cached package NAME_VERSION_ARCH.deb, the epoch's colon as %3a. */
		char *colon = strchr(ver, ':');
		char *d = debs[n - 5];

		if (colon)
			snprintf(d, sizeof(debs[0]), "/var/cache/apt/archives/%s_%.*s%%3a%s_%s.deb", name,
				 (int)(colon - ver), ver, colon + 1, arch);
		else
			snprintf(d, sizeof(debs[0]), "/var/cache/apt/archives/%s_%s_%s.deb", name, ver, arch);
		eng_target_path(e, host, sizeof(host), d);
		if (access(host, R_OK) < 0) {
			eng_log(e, "resume: %s %s was cut off while unpacking and is not in the cache", name, ver);
			continue;
		}
		eng_log(e, "resume: %s %s was cut off while unpacking; it is unpacked again", name, ver);
		unpack[n++] = d;
	}
	unpack[n] = NULL;
	if (n > 5) {
		rc = eng_run_ticking(e, unpack, env, -1, NULL, NULL, cause);
		if (rc == 0 && eng_run_ticking(e, cfg, env, -1, NULL, NULL, NULL) < 0)
			eng_log(e, "resume: dpkg still lacks packages; apt installs them");
	}
	free(out);
	if (rc == 0)
		rc = eng_run_ticking(e, fix, env, -1, NULL, NULL, cause);
	return rc;
}

/*
 * A package file goes through apt in the target, which installs what it
 * depends on from the source: dpkg then knows ospite as a package, and apt
 * upgrades it like any other.
 */
static int install_ospite_deb(struct inst_engine *e, const char *const env[], char **cause)
{
	static const char rel[] = "/tmp/ospite-package.deb";
	const char *argv[] = { "chroot", e->target, "apt-get", "-y", "-q", "-o", "APT::Status-Fd=3",
			       "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Use-Pty=0",
			       "--no-install-recommends", "install", rel, NULL };
	char dst[PATH_MAX];
	int rc;

	eng_target_path(e, dst, sizeof(dst), rel);
	rc = base_run((const char *const[]){ "install", "-m", "0644", e->ospite_deb, dst, NULL },
		      e->logfd, cause);
	if (rc > 0)
		return -EIO;
	if (rc == 0)
		rc = eng_run_ticking(e, argv, env, 3, apt_line, NULL, cause);
	unlink(dst);
	return rc;
}

int eng_step_packages(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	char debconf[] = "man-db man-db/auto-update boolean false\n";
	/*
	 * INITRD=No: the kernel's own hook would build an initial RAM disk at
	 * once and a later package's trigger build it again (half a minute
	 * each); it is built once, below, after every package is in.
	 */
	const char *env[] = { "DEBIAN_FRONTEND=noninteractive", "DEBCONF_NONINTERACTIVE_SEEN=true",
			      "LC_ALL=C.UTF-8", "LANGUAGE=", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
			      "INITRD=No", NULL };
	struct hcfg_target_apt apt = {
		.mirror = p->src == INST_SRC_LOCAL ? NULL : p->mirror, .suite = p->suite,
		.security = p->security && p->src == INST_SRC_MIRROR ? p->security_mirror : NULL,
		.updates = p->src == INST_SRC_MIRROR,
	};
	char local[PATH_MAX + 8];
	char **pkgs;
	int rc;

	e->failed = INST_STEP_PACKAGES;
	if (p->src == INST_SRC_LOCAL) {
		snprintf(local, sizeof(local), "file:%s", p->local_dir);
		apt.mirror = local;
		apt.trusted = true;
	}
	/* The host checks the mirror with the keys the install checked it with. */
	if (*e->keyring) {
		rc = hcfg_target_copy(e->target, HCFG_TARGET_MIRROR_KEYRING, e->keyring, 0644, cause);
		if (rc < 0)
			return rc;
		apt.signed_by = HCFG_TARGET_MIRROR_KEYRING;
	}
	rc = hcfg_target_apt_sources(e->target, &apt, cause);
	/* The answer file's extra repositories: apt below installs from them, and the host keeps them. */
	if (!rc)
		rc = eng_repo_host(e, cause);
	if (!rc)
		rc = hcfg_target_block_daemons(e->target, true, cause);
	if (!rc)
		rc = eng_mount_api(e, cause);
	if (rc < 0)
		return rc;
	rc = eng_mount_cache(e, cause);
	if (p->src == INST_SRC_LOCAL && !rc)
		rc = eng_mount(e, p->local_dir, p->local_dir, NULL, MS_BIND | MS_RDONLY, NULL, cause);
	if (rc < 0)
		return rc;
	/* man-db rebuilds its index after every package: hours on a slow disk for nothing. */
	rc = eng_write_target(e, "/var/cache/debconf/ospite-preseed", debconf, 0644, cause);
	if (!rc)
		rc = TARGET(e, cause, "debconf-set-selections", "/var/cache/debconf/ospite-preseed");
	/*
	 * A run cut short during dpkg leaves packages half-configured, or
	 * unpacked before what they depend on: finish what dpkg can, then let
	 * apt repair the rest; the step's own install below completes it.
	 * With apt's environment: no debconf questions, and no initial RAM disk yet.
	 */
	if (!rc && e->resumed)
		rc = repair_dpkg(e, env, cause);
	if (!rc)
		rc = TARGET(e, cause, "apt-get", "-q", "update");
	if (rc < 0)
		return rc;

	pkgs = inst_plan_package_set(p);
	static const char *const head[] = { "apt-get", "-y", "-q",
					    "-o", "APT::Status-Fd=3",
					    "-o", "Dpkg::Options::=--force-unsafe-io",
					    "-o", "Dpkg::Options::=--force-confdef",
					    "-o", "Dpkg::Use-Pty=0",
					    "--no-install-recommends", "dist-upgrade" };
	size_t nh = sizeof(head) / sizeof(head[0]), n = 0;
	/* An answer file may list many packages: room for all of them. */
	const char **argv = calloc(nh + 4 + inst_list_len(pkgs) + (e->have_pkgs ? e->pkgs.n : 0),
				   sizeof(*argv));

	if (!argv)
		abort();
	argv[n++] = "chroot";
	argv[n++] = e->target;
	for (size_t i = 0; i < nh; i++)
		argv[n++] = head[i];
	/* dist-upgrade with the package names installs them and takes security updates too. */
	for (size_t i = 0; pkgs[i]; i++)
		argv[n++] = pkgs[i];
	/* ospite from the installation source, by name; a package file is installed after. */
	if (!*e->ospite_deb)
		argv[n++] = OSPITE_PKG;
	/*
	 * Priority standard (a package group such as @standard) by name, as tasksel does; with the
	 * answer file's repositories, the base set the Dependency Check resolved from every source
	 * too: debootstrap took the installation source alone, and a Priority required or important
	 * package only a repository has is still missing (after mmdebstrap, which had them all,
	 * naming them changes nothing).
	 */
	for (size_t i = 0; e->have_pkgs && i < e->pkgs.n; i++) {
		const struct inst_pkg *pk = &e->pkgs.pkgs[i];

		if ((pk->standard || (pk->base && e->n_repo_src)) && !inst_list_has(p->exclude, pk->name))
			argv[n++] = pk->name;
	}
	argv[n] = NULL;
	e->apt_done = 0;
	e->apt_bytes_done = 0;
	rc = eng_run_ticking(e, argv, env, 3, apt_line, NULL, cause);
	free(argv);
	for (size_t i = 0; pkgs[i]; i++)
		free(pkgs[i]);
	free(pkgs);
	if (rc == 0 && *e->ospite_deb)
		rc = install_ospite_deb(e, env, cause);
	/* Before the one build of the initial RAM disk, which assembles the arrays from it. */
	if (rc == 0)
		rc = eng_storage_host_files(e, cause);
	if (rc == 0)
		rc = build_initrd(e, cause);
	return rc;
}

void eng_packages_resumed(struct inst_engine *e)
{
	eng_step(e, INST_STEP_PACKAGES);
	/* The bar starts where the base system ends, not where the Dependency Check did. */
	e->overall = SHARE_DL + SHARE_BASE;
	e->pr.permille = e->overall;
}
