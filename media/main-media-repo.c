/* Resolves and downloads the packages of a Xen host and of a KVM host for the install medium, with the installer's own Dependency Check. */
#include "install/inst.h"
#include "install/inst-apt.h"
#include "install/inst-engine.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Usage: ospite-media-repo WORKDIR [PACKAGE...]
 * For each hypervisor, the package set the installer would resolve for a default plan (the
 * mirror of this machine's apt), plus PACKAGE... (what the ospite package depends on), is
 * resolved and downloaded into WORKDIR/archives; one line "FILE" per package is printed, the
 * name apt gave its .deb there. apt's output goes to WORKDIR/media-repo.log.
 */

/* The file name apt gives a downloaded package: an epoch's colon becomes %3a. */
static void print_file(const struct inst_pkg *k)
{
	printf("%s_", k->name);
	for (const char *c = k->version; *c; c++)
		if (*c == ':')
			fputs("%3a", stdout);
		else
			putchar(*c);
	printf("_%s.deb\n", k->arch);
}

static int one_set(enum inst_hv hv, char **extra, const char *workdir, int logfd, char **cause)
{
	struct inst_plan p;
	struct inst_apt_source src;
	struct inst_pkgset set = { 0 };
	char url[PATH_MAX + 8];
	char **pkgs;
	int rc;

	inst_plan_init(&p);
	p.hv = hv;
	for (size_t i = 0; extra[i]; i++)
		inst_list_add(&p.packages, extra[i]);
	if (!*p.mirror) {
		inst_plan_free(&p);
		return base_cause(cause, -ENOENT, _("This machine's apt names no Debian mirror."));
	}
	eng_fill_source(&p, &src, url, sizeof(url));
	pkgs = inst_plan_package_set(&p);
	rc = inst_apt_resolve(&src, (const char *const *)pkgs, workdir, logfd, NULL, NULL, &set,
			      cause);
	if (rc == 0)
		rc = inst_apt_download(&src, &set, workdir, logfd, NULL, NULL, cause);
	if (rc == 0) {
		fprintf(stderr, _("%s host: %zu packages, %llu MiB to download.\n"),
			hv == INST_HV_XEN ? "Xen" : "KVM", set.n,
			(unsigned long long)(set.total_size >> 20));
		for (size_t i = 0; i < set.n; i++)
			print_file(&set.pkgs[i]);
	}
	for (size_t i = 0; pkgs[i]; i++)
		free(pkgs[i]);
	free(pkgs);
	inst_pkgset_free(&set);
	inst_plan_free(&p);
	return rc;
}

int main(int argc, char **argv)
{
	char log[PATH_MAX], *cause = NULL;
	int logfd, rc;

	tui_i18n_init(NULL);
	if (argc < 2 || argv[1][0] != '/') {
		fprintf(stderr, _("Usage: ospite-media-repo WORKDIR [PACKAGE...], with an absolute WORKDIR.\n"));
		return 2;
	}
	snprintf(log, sizeof(log), "%s/media-repo.log", argv[1]);
	if (hcfg_mkdirs(argv[1], &cause) < 0) {
		fprintf(stderr, "ospite-media-repo: %s\n", cause);
		return 1;
	}
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		fprintf(stderr, _("ospite-media-repo: could not open %s: %s.\n"), log, strerror(errno));
		return 1;
	}
	rc = one_set(INST_HV_XEN, argv + 2, argv[1], logfd, &cause);
	if (rc == 0)
		rc = one_set(INST_HV_KVM, argv + 2, argv[1], logfd, &cause);
	close(logfd);
	if (rc < 0) {
		fprintf(stderr, "ospite-media-repo: %s\n", cause);
		free(cause);
		return 1;
	}
	return 0;
}
