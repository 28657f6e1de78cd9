/* ospite-install: turn a bare machine (or a disk image) into a Xen or KVM host, interactively or from an answer file. */
#include "inst-scr.h"
#include "inst-unattended.h"
#include "inst-journal.h"
#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <termios.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, _("Usage: ospite-install [OPTION]...\n"
		     "Install a Xen or KVM host on a disk, interactively or from an answer file.\n\n"
		     "  --answer FILE|URL    install unattended, as the answer file says\n"
		     "  --answer-sha256=HEX  the answer file must have this SHA-256 (needed for http://)\n"
		     "  --insecure           take an answer file or its includes over plain http unchecked\n"
		     "  --validate FILE      check an answer file and change nothing\n"
		     "  --dump-plan          with --validate: print the plan the file makes\n"
		     "  --progress-fd N      unattended: progress as JSON lines on file descriptor N\n"
		     "  --resume             unattended: continue this machine's unfinished install on\n"
		     "                       the disk instead of formatting it again\n"
		     "  --image PATH         install into the disk image PATH (created when missing)\n"
		     "  --image-size SIZE    size of a new disk image (default 8G)\n"
		     "  --log PATH           write the install log to PATH\n"
		     "  --workdir DIR        package cache and target mount point (default /var/cache/ospite-install)\n"
		     "  --package FILE       the ospite .deb the host gets (default: from the install\n"
		     "                       medium's repository, else build/ospite_VERSION_amd64.deb)\n"
		     "  --serial TTY,SPEED   carry a serial console (e.g. ttyS0,115200) to the installed host\n"
		     "  --lang en|it         language of the first screen\n"
		     "  --help               show this help\n"
		     "  --version            show the version\n"));
}

/* When the installer runs on a serial line, the installed host gets its console there too. */
static void detect_serial(char *buf, size_t len)
{
	char *tty = ttyname(0);
	struct termios t;
	static const struct { speed_t s; unsigned v; } speeds[] = {
		{ B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 },
		{ B115200, 115200 },
	};
	unsigned v = 115200;

	if (!tty || strncmp(tty, "/dev/ttyS", 9) || tcgetattr(0, &t) < 0)
		return;
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (cfgetospeed(&t) == speeds[i].s)
			v = speeds[i].v;
	snprintf(buf, len, "%s,%u", tty + 5, v);
}

static int run_screens(struct inst_ctx *c)
{
	size_t i = 0;

	while (i < inst_n_screens) {
		int rc = inst_screens[i].run(c);

		if (rc < 0)
			return 2;
		if (rc == TUI_BACK) {
			if (i > 0)
				i--;
			/* Skip back over screens that had nothing to ask. */
			while (i > 0 && !strcmp(inst_screens[i].id, "nic") && c->n_nics < 2)
				i--;
		} else {
			i++;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "image-size", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "serial", required_argument, NULL, 'S' },
		{ "lang", required_argument, NULL, 'L' },
		{ "answer", required_argument, NULL, 'a' },
		{ "answer-sha256", required_argument, NULL, 'H' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "validate", required_argument, NULL, 'v' },
		{ "dump-plan", no_argument, NULL, 'D' },
		{ "progress-fd", required_argument, NULL, 'P' },
		{ "resume", no_argument, NULL, 'R' },
		{ "package", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct inst_ctx c;
	const char *image = NULL, *logpath = NULL, *serial = NULL, *lang = NULL;
	const char *workdir = "/var/cache/ospite-install";
	char target[PATH_MAX];
	char loopdev[64] = "", *cause = NULL, logbuf[512];
	uint64_t image_mib = 8192;
	struct sysinfo si;
	struct inst_unattended un = { .progress_fd = -1 };
	char *ks_cmdline = NULL, *ks_sha256 = NULL, serial_buf[32] = "", serial_arg[64];
	int opt, rc;

	tui_i18n_init(NULL);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': image = optarg; break;
		case 's':
			if (inst_valid_size(optarg, &image_mib, &cause) < 0) {
				fprintf(stderr, "ospite-install: %s\n", cause);
				free(cause);
				return 1;
			}
			un.image_mib_given = true;
			break;
		case 'a': un.answer = optarg; break;
		case 'H':
			if (!inst_ks_sha256_valid(optarg)) {
				fprintf(stderr, _("ospite-install: --answer-sha256 needs the 64 hexadecimal digits of a SHA-256.\n"));
				return 1;
			}
			un.answer_sha256 = optarg;
			break;
		case 'I': un.insecure = true; break;
		case 'v': un.answer = optarg; un.validate = true; break;
		case 'D': un.dump = true; break;
		case 'P': {
			char *end;
			long fd = strtol(optarg, &end, 10);

			if (!*optarg || *end || fd < 0 || fd > 1023 || fcntl((int)fd, F_GETFD) < 0) {
				fprintf(stderr, _("ospite-install: --progress-fd needs an open file descriptor.\n"));
				return 1;
			}
			un.progress_fd = (int)fd;
			/* The programs the install runs (apt, dpkg, %post) must not write into it. */
			if (fd > 2)
				fcntl((int)fd, F_SETFD, FD_CLOEXEC);
			break;
		}
		case 'R': un.resume = true; break;
		case 'k': {
			/* The engine reads it from the environment, as OSPITE_PACKAGE may give it too. */
			char *abs = realpath(optarg, NULL);

			if (!abs) {
				fprintf(stderr, _("ospite-install: the package %s cannot be read: %s.\n"), optarg,
					strerror(errno));
				return 1;
			}
			setenv("OSPITE_PACKAGE", abs, 1);
			free(abs);
			break;
		}
		case 'l': logpath = optarg; break;
		case 'w': workdir = optarg; break;
		case 'S':
			/* The boot menu passes the kernel's console=ttyS0,115200n8 as it is. */
			serial = optarg;
			if (strlen(optarg) < sizeof(serial_arg)) {
				snprintf(serial_arg, sizeof(serial_arg), "%s", optarg);
				inst_serial_trim(serial_arg);
				serial = serial_arg;
			}
			break;
		case 'L': lang = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ospite-install %s\n", OSPITE_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 1;
	}
	if (lang)
		tui_lang_set(lang);
	if (un.dump && !un.validate) {
		fprintf(stderr, _("ospite-install: --dump-plan goes with --validate.\n"));
		return 1;
	}
	/* With no answer file given, the kernel command line may name one (ospite.ks=). */
	if (!un.answer && inst_ks_cmdline(&ks_cmdline, &ks_sha256, &cause) < 0) {
		fprintf(stderr, "ospite-install: %s\n", cause);
		free(cause);
		return 1;
	}
	if (ks_cmdline) {
		un.answer = ks_cmdline;
		if (!un.answer_sha256)
			un.answer_sha256 = ks_sha256;
	}
	/* The target's mounts are the installer's alone: nothing started meanwhile can pin them. */
	if (geteuid() == 0 && !un.validate && hcfg_private_mounts(&cause) < 0) {
		fprintf(stderr, "ospite-install: %s\n", cause);
		free(cause);
		return 2;
	}
	if (un.answer) {
		if (!serial)
			detect_serial(serial_buf, sizeof(serial_buf));
		un.image = image;
		un.image_mib = image_mib;
		un.logpath = logpath;
		un.workdir = workdir;
		un.serial = serial ? serial : (*serial_buf ? serial_buf : NULL);
		rc = inst_unattended_main(&un);
		free(ks_cmdline);
		free(ks_sha256);
		return rc;
	}

	memset(&c, 0, sizeof(c));
	inst_plan_init(&c.plan);
	INST_COPY(c.plan.lang, tui_lang());
	inst_plan_lang_defaults(&c.plan, c.plan.lang);
	c.workdir = workdir;
	if (sysinfo(&si) == 0)
		c.ram_mib = (uint64_t)si.totalram * si.mem_unit >> 20;
	if (serial)
		INST_COPY(c.plan.serial, serial);
	else
		detect_serial(c.plan.serial, sizeof(c.plan.serial));

	if (!logpath) {
		if (image)
			snprintf(logbuf, sizeof(logbuf), "%s.log", image);
		else
			snprintf(logbuf, sizeof(logbuf), "/var/log/ospite-install.log");
		logpath = logbuf;
	}
	c.logpath = logpath;
	c.logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (c.logfd < 0) {
		fprintf(stderr, _("ospite-install: cannot open the log %s: %s\n"), logpath,
			strerror(errno));
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, _("ospite-install: the installer must run as root.\n"));
		return 2;
	}
	/* A run killed earlier may still hold the target and its disk: free them before listing disks. */
	snprintf(target, sizeof(target), "%s/target", workdir);
	if (inst_clear_stale(target, c.logfd, &cause) < 0) {
		fprintf(stderr, "ospite-install: %s\n", cause);
		return 2;
	}
	if (image) {
		INST_COPY(c.plan.image, image);
		if (inst_image_attach(image, image_mib, loopdev, sizeof(loopdev), &cause) < 0) {
			fprintf(stderr, "ospite-install: %s\n", cause);
			return 2;
		}
		c.only_disk = loopdev;
		dprintf(c.logfd, "image %s on %s\n", image, loopdev);
	}
	if (hcfg_nic_list(&c.nics, &c.n_nics, &cause) < 0) {
		dprintf(c.logfd, "NICs: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	if (c.n_nics) {
		INST_COPY(c.plan.nic, c.nics[0].name);
		INST_COPY(c.plan.nic_mac, c.nics[0].mac);
	}
	inst_plan_default_bridges(&c.plan, c.nics, c.n_nics);

	if (tui_init("ospite " OSPITE_VERSION) < 0) {
		fprintf(stderr, _("ospite-install: cannot use this terminal.\n"));
		rc = 2;
		goto out;
	}
	rc = run_screens(&c);
	tui_finish();
	if (rc)
		fprintf(stderr, _("ospite-install: the install failed; the log is %s.\n"), logpath);
out:
	if (*loopdev && hcfg_loop_detach(loopdev, &cause) < 0) {
		fprintf(stderr, "ospite-install: %s\n", cause);
		free(cause);
	}
	inst_plan_free(&c.plan);
	free(c.nics);
	free(c.disks);
	close(c.logfd);
	return rc;
}
