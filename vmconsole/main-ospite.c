/* ospite: the host console (a TUI with login on tty1 or a serial line) and batch commands for scripts. */
#include "vc.h"
#include "vc-stor.h"
#include "vc-backup.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, _("Usage: ospite [OPTION]... [COMMAND]\n"
		     "Manage the guests of this host: the console, or one command for scripts.\n\n"
		     "Commands:\n"
		     "  list [--json] [--all-hosts]\n"
		     "                             list the guests and their state, of this host\n"
		     "                             or of every host in the settings file\n"
		     "  migrate GUEST HOST [--offline] [--copy-storage] [--max-downtime MS]\n"
		     "          [--bandwidth MIB] [--auto-converge] [--postcopy] [--keep-source]\n"
		     "                             move a guest to another host (a name of the\n"
		     "                             settings file's [hosts], or a libvirt URI);\n"
		     "                             exit 0 done, 1 refused by the pre-flight,\n"
		     "                             2 failed or aborted (the guest stays here)\n"
		     "  import-xl FILE [--print-xml] [--host-paths]\n"
		     "                             define a guest from an xl/xm config file, saying\n"
		     "                             what was mapped and what was not; disks outside\n"
		     "                             the storage pools need --host-paths, and root\n"
		     "  export-xl NAME             print a guest as an xl config file (without its\n"
		     "                             VNC password)\n"
		     "  backup GUEST DIR [--zstd]  write DIR/GUEST-YYYYMMDD-HHMMSS.ospite (see\n"
		     "                             ospite-backup(5)); a running guest keeps running\n"
		     "  verify FILE                read a backup and check every checksum\n"
		     "  restore FILE [--name NAME] [--pool POOL]\n"
		     "                             define the guest of a backup here; a new name gets\n"
		     "                             a new UUID and new MACs; exit 0 done, 1 refused\n"
		     "                             (nothing written), 2 failed (nothing left)\n"
		     "  net show|apply|confirm|revert\n"
		     "                             the host's bridges (see \"ospite net --help\")\n\n"
		     "Options:\n"
		     "  --connect URI              the hypervisor (default: xen:///system on Xen,\n"
		     "                             qemu:///system when libvirtd runs)\n"
		     "  --lang en|it               the console's first language\n"
		     "  --idle-timeout SECONDS     log out after this long without a key (default 300,\n"
		     "                             or idle_timeout= in the settings file; 0 = never)\n"
		     "  --config FILE              the settings file (default %s)\n"
		     "  --help                     show this help\n"
		     "  --version                  show the version\n"), VC_CONF_PATH);
	fputs(_("\nThe host's storage: ospite storage show|impact|create|delete|format|grow|pool-remove\n"
		"(\"ospite storage\" alone shows how).\n"), f);
	fputs(_("\nClones and templates (exit 0 done, 1 refused and nothing changed, 2 failed):\n"
		"  clone GUEST NEWNAME [--linked] [--json] [--hostname NAME [--address IP/PREFIX]\n"
		"        [--gateway IP] [--dns IP,...]]\n"
		"                             copy a shut-off guest (sparse; --linked: a qcow2\n"
		"                             overlay over its disks) with a new UUID and MACs;\n"
		"                             --hostname: a cloud-init NoCloud seed disk gives\n"
		"                             it that host name (and address)\n"
		"  template GUEST on|off|show mark a guest as a template (it cannot be started),\n"
		"                             or turn it back into a guest\n"
		"  start GUEST                start a guest (not a template, nor the base of\n"
		"                             linked clones)\n"
		"  delete GUEST [--with-storage]\n"
		"                             delete a shut-off guest, with its disk files;\n"
		"                             refused while linked clones use its disks\n"), f);
}

static int fail(const char *what, char *cause)
{
	fprintf(stderr, "ospite: %s\n", cause ? cause : what);
	free(cause);
	return 2;
}

/* The options of the batch commands. */
struct batch_opts {
	bool json, print_xml, host_paths, all_hosts, mig_set;
	struct vc_clone_flags clone;
	struct hv_mig_opts mig;
	/* backup and restore */
	bool zstd;
	const char *rs_name, *rs_pool;
};

/* The operator the audit log names: the login name, not only the uid sudo gave. */
static void audit_user(char *user, size_t len)
{
	snprintf(user, len, "%s", getenv("SUDO_USER") ? getenv("SUDO_USER") :
		 getlogin() ? getlogin() : geteuid() == 0 ? "root" : "?");
}

/* backup, verify and restore (vc-backup.c). */
static int batch_backup(struct vc_app *app, int argc, char **argv, struct batch_opts *bo)
{
	char *cause = NULL, user[64];
	int rc;

	(void)argc;
	if (!strcmp(argv[0], "verify"))
		return vc_batch_verify(argv[1], bo->json, stdout, stderr);
	audit_user(user, sizeof(user));
	if (hv_open(app->uri, &app->conn, &cause) < 0) {
		fail(argv[0], cause);
		return 1;
	}
	if (!strcmp(argv[0], "backup")) {
		struct vc_backup_args a = { .guest = argv[1], .dir = argv[2], .zstd = bo->zstd,
					    .json = bo->json, .user = user };

		rc = vc_batch_backup(app->conn, &a, stdout, stderr);
	} else {
		struct vc_restore_args a = { .file = argv[1], .name = bo->rs_name, .pool = bo->rs_pool,
					     .json = bo->json, .user = user };

		rc = vc_batch_restore(app->conn, &a, stdout, stderr);
	}
	hv_close(app->conn);
	app->conn = NULL;
	return rc;
}

static int batch(struct vc_app *app, int argc, char **argv, struct batch_opts *bo)
{
	const char *cmd = argv[0];
	bool json = bo->json, print_xml = bo->print_xml, host_paths = bo->host_paths;
	char *cause = NULL;
	int rc;

	bool seeded = bo->clone.seed.hostname || bo->clone.seed.address || bo->clone.seed.gateway ||
		      bo->clone.seed.dns;

	if (((bo->all_hosts || bo->clone.linked || bo->clone.storage || seeded) &&
	     !vc_clone_cmd(cmd) &&
	     strcmp(cmd, "list")) || (bo->mig_set && strcmp(cmd, "migrate")) ||
	    (bo->zstd && strcmp(cmd, "backup")) ||
	    ((bo->rs_name || bo->rs_pool) && strcmp(cmd, "restore"))) {
		usage(stderr);
		return 1;
	}
	if (vc_clone_cmd(cmd)) {
		bo->clone.json = json;
		rc = vc_clone_main(app->uri, argc, argv, &bo->clone);
		if (rc < 0)
			usage(stderr);
		return rc < 0 ? 1 : rc;
	}
	if ((bo->all_hosts && strcmp(cmd, "list")) || bo->clone.linked || bo->clone.storage ||
	    seeded) {
		usage(stderr);
		return 1;
	}
	if ((!strcmp(cmd, "backup") && argc == 3) || (!strcmp(cmd, "restore") && argc == 2) ||
	    (!strcmp(cmd, "verify") && argc == 2))
		return batch_backup(app, argc, argv, bo);
	if (!strcmp(cmd, "list") || !strcmp(cmd, "migrate")) {
		vc_conf_init(&app->conf);
		if (vc_conf_load(app->conf_path, &app->conf, &cause) < 0)
			{
			fail(cmd, cause);
			return 1;
		}
	}
	if (!strcmp(cmd, "migrate") && argc == 3) {
		struct vc_migrate_args a = { .guest = argv[1], .dest = argv[2], .opts = bo->mig,
					     .json = json };
		char user[64];

		if (hv_open(app->uri, &app->conn, &cause) < 0) {
			fail(cmd, cause);
			return 1;
		}
		vc_batch_user(user, sizeof(user));
		a.user = user;
		rc = vc_batch_migrate(app->conn, &app->conf, &a, stdout, stderr);
		hv_close(app->conn);
		app->conn = NULL;
		return rc;
	}
	if (!strcmp(cmd, "list") && argc == 1) {
	} else if ((!strcmp(cmd, "import-xl") || !strcmp(cmd, "export-xl")) && argc == 2) {
	} else {
		usage(stderr);
		return 1;
	}
	/* Printing the XML of a config needs no hypervisor unless one is named. */
	if (!(print_xml && !app->uri) && hv_open(app->uri, &app->conn, &cause) < 0)
		return fail(cmd, cause);
	if (!strcmp(cmd, "list") && bo->all_hosts) {
		rc = vc_batch_list_hosts(app->conn, &app->conf, json, stdout, stderr);
		hv_close(app->conn);
		app->conn = NULL;
		return rc;
	}
	if (!strcmp(cmd, "list"))
		rc = vc_batch_list(app->conn, json, stdout, &cause);
	else if (!strcmp(cmd, "import-xl"))
		/* With --print-xml the XML alone goes to stdout, ready for virsh define. */
		rc = vc_batch_import(app->conn, argv[1], print_xml, host_paths, stdout,
				     print_xml ? stderr : stdout, &cause);
	else
		rc = vc_batch_export(app->conn, argv[1], stdout, &cause);
	if (app->conn)
		hv_close(app->conn);
	app->conn = NULL;
	return rc < 0 ? fail(cmd, cause) : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "lang", required_argument, NULL, 'L' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "print-xml", no_argument, NULL, 'x' },
		{ "host-paths", no_argument, NULL, 'P' },
		{ "all-hosts", no_argument, NULL, 'A' },
		{ "offline", no_argument, NULL, 'O' },
		{ "copy-storage", no_argument, NULL, 'C' },
		{ "max-downtime", required_argument, NULL, 'D' },
		{ "bandwidth", required_argument, NULL, 'B' },
		{ "auto-converge", no_argument, NULL, 'G' },
		{ "postcopy", no_argument, NULL, 'Y' },
		{ "keep-source", no_argument, NULL, 'K' },
		{ "linked", no_argument, NULL, 'l' },
		{ "with-storage", no_argument, NULL, 'S' },
		{ "hostname", required_argument, NULL, 'N' },
		{ "address", required_argument, NULL, 'I' },
		{ "gateway", required_argument, NULL, 'W' },
		{ "dns", required_argument, NULL, 'M' },
		{ "zstd", no_argument, NULL, 'Z' },
		{ "name", required_argument, NULL, 'R' },
		{ "pool", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vc_app app;
	const char *lang = NULL, *idle = NULL, *images;
	struct batch_opts bo;
	unsigned long long v;
	char *cause = NULL, root[128];
	int opt, rc;
	bool help = false;

	tui_i18n_init(NULL);
	/* The bridge editor's commands have options of their own. */
	if (argc > 1 && !strcmp(argv[1], "net"))
		return vc_net_main(argc - 1, argv + 1);
	/* Scheduled backups, as their systemd service runs them: options of their own. */
	if (argc > 1 && !strcmp(argv[1], "schedule"))
		return vc_sched_main(NULL, argc - 1, argv + 1);
	memset(&app, 0, sizeof(app));
	memset(&bo, 0, sizeof(bo));
	/* "storage" has options of its own: the global ones before it are read here, the rest there. */
	for (int k = 1; k < argc; k++) {
		static const char *const with_value[] = { "--connect", "--lang", "--idle-timeout",
							  "--config" };
		bool skip = false;

		for (size_t w = 0; w < sizeof(with_value) / sizeof(with_value[0]); w++)
			skip = skip || !strcmp(argv[k], with_value[w]);
		if (skip) {
			k++;
			continue;
		}
		if (argv[k][0] == '-')
			continue;
		if (strcmp(argv[k], "storage"))
			break;
		while ((opt = getopt_long(k, argv, "", opts, NULL)) != -1) {
			switch (opt) {
			case 'c': app.uri = optarg; break;
			case 'L':
				if (strcmp(optarg, "en") && strcmp(optarg, "it"))
					return usage(stderr), 1;
				tui_lang_set(optarg);
				break;
			default: usage(stderr); return 1;
			}
		}
		return vc_storage_main(app.uri, argc - k, argv + k);
	}
	app.conf_path = VC_CONF_PATH;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': app.uri = optarg; break;
		case 'L': lang = optarg; break;
		case 'i': idle = optarg; break;
		case 'f': app.conf_path = optarg; break;
		case 'j': bo.json = true; break;
		case 'x': bo.print_xml = true; break;
		case 'P': bo.host_paths = true; break;
		case 'A': bo.all_hosts = true; break;
		case 'l': bo.clone.linked = true; break;
		case 'S': bo.clone.storage = true; break;
		case 'N': bo.clone.seed.hostname = optarg; break;
		case 'I': bo.clone.seed.address = optarg; break;
		case 'W': bo.clone.seed.gateway = optarg; break;
		case 'M': bo.clone.seed.dns = optarg; break;
		case 'O': bo.mig.mode = HV_MIG_OFFLINE; bo.mig_set = true; break;
		case 'C': bo.mig.copy_storage = true; bo.mig_set = true; break;
		case 'G': bo.mig.auto_converge = true; bo.mig_set = true; break;
		case 'Y': bo.mig.postcopy = true; bo.mig_set = true; break;
		case 'K': bo.mig.keep_source = true; bo.mig_set = true; break;
		case 'Z': bo.zstd = true; break;
		case 'R': bo.rs_name = optarg; break;
		case 'p': bo.rs_pool = optarg; break;
		case 'D':
		case 'B':
			if (vc_parse_uint(optarg, opt == 'D' ? 3600000 : 1000000, &v) < 0 || v == 0) {
				fprintf(stderr, opt == 'D' ?
					_("ospite: --max-downtime takes milliseconds, from 1 to 3600000.\n") :
					_("ospite: --bandwidth takes MiB per second, from 1 to 1000000.\n"));
				return 1;
			}
			if (opt == 'D')
				bo.mig.max_downtime_ms = (unsigned)v;
			else
				bo.mig.bandwidth_mib = (unsigned long)v;
			bo.mig_set = true;
			break;
		/* After the loop, so that --lang it --help is in Italian whatever the order. */
		case 'h': help = true; break;
		case 'V': printf("ospite %s\n", OSPITE_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (lang) {
		if (strcmp(lang, "en") && strcmp(lang, "it")) {
			usage(stderr);
			return 1;
		}
		tui_lang_set(lang);
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (optind < argc)
		return batch(&app, argc - optind, argv + optind, &bo);
	if (bo.json || bo.print_xml || bo.host_paths || bo.all_hosts || bo.mig_set || bo.zstd ||
	    bo.rs_name || bo.rs_pool ||
	    bo.clone.linked || bo.clone.storage || bo.clone.seed.hostname || bo.clone.seed.address ||
	    bo.clone.seed.gateway || bo.clone.seed.dns) {
		usage(stderr);
		return 1;
	}

	vc_conf_init(&app.conf);
	/*
	 * A console that refuses to start over its settings leaves the host without one (systemd
	 * restarts it in a loop): run on the defaults and say what is wrong.
	 */
	if (vc_conf_load(app.conf_path, &app.conf, &cause) < 0) {
		vc_conf_init(&app.conf);
		if (!cause && asprintf(&cause, _("The settings file %s cannot be used."),
				       app.conf_path) < 0)
			cause = NULL;
		if (cause && asprintf(&app.conf_error, _("%s The console uses its default settings."),
				      cause) < 0)
			app.conf_error = NULL;
		free(cause);
		cause = NULL;
	}
	if (idle) {
		if (vc_parse_uint(idle, 7 * 24 * 3600, &v) < 0) {
			fprintf(stderr, _("ospite: --idle-timeout takes a number of seconds, up to a week.\n"));
			return 1;
		}
		app.conf.idle_timeout = (unsigned)v;
	}
	images = getenv("OSPITE_IMAGES_DIR");
	app.images_dir = images && *images ? images : VC_IMAGES_DIR;
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, _("ospite: the console needs a terminal; for scripts use a command such as \"ospite list\".\n"));
		return 1;
	}
	snprintf(root, sizeof(root), "ospite %s", OSPITE_VERSION);
	if (tui_init(root) < 0) {
		fprintf(stderr, _("ospite: cannot use this terminal.\n"));
		return 2;
	}
	/* TRANSLATORS: the console's help line at the bottom of the screen. */
	tui_frame_help(N_("<Tab>/<Alt-Tab> between elements | <Enter> selects | <F2>/<Ctrl-T> language"));
	rc = vc_app_run(&app);
	tui_finish();
	if (app.conn)
		hv_close(app.conn);
	vc_model_clear(&app.model);
	vc_login_close(app.session);
	free(app.conf_error);
	free(app.conn_error);
	free(app.home_uri);
	free(app.list_error);
	return rc;
}
