/* ospite: the host console (a TUI with login on tty1 or a serial line) and batch commands for scripts. */
#include "vc.h"
#include "vc-stor.h"
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
		     "  list [--json]              list the guests and their state\n"
		     "  import-xl FILE [--print-xml] [--host-paths]\n"
		     "                             define a guest from an xl/xm config file, saying\n"
		     "                             what was mapped and what was not; disks outside\n"
		     "                             the storage pools need --host-paths, and root\n"
		     "  export-xl NAME             print a guest as an xl config file (without its\n"
		     "                             VNC password)\n\n"
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
}

static int fail(const char *what, char *cause)
{
	fprintf(stderr, "ospite: %s\n", cause ? cause : what);
	free(cause);
	return 2;
}

static int batch(struct vc_app *app, int argc, char **argv, bool json, bool print_xml,
		 bool host_paths)
{
	const char *cmd = argv[0];
	char *cause = NULL;
	int rc;

	if (!strcmp(cmd, "list") && argc == 1) {
	} else if ((!strcmp(cmd, "import-xl") || !strcmp(cmd, "export-xl")) && argc == 2) {
	} else {
		usage(stderr);
		return 1;
	}
	/* Printing the XML of a config needs no hypervisor unless one is named. */
	if (!(print_xml && !app->uri) && hv_open(app->uri, &app->conn, &cause) < 0)
		return fail(cmd, cause);
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vc_app app;
	const char *lang = NULL, *idle = NULL, *images;
	bool json = false, print_xml = false, host_paths = false;
	char *cause = NULL, root[128];
	int opt, rc;

	tui_i18n_init(NULL);
	memset(&app, 0, sizeof(app));
	/* "storage" has options of its own: the global ones before it are read here, the rest there. */
	for (int k = 1; k < argc; k++) {
		static const char *const with_value[] = { "--connect", "--lang", "--idle-timeout",
							  "--config" };
		bool skip = false;

		for (size_t v = 0; v < sizeof(with_value) / sizeof(with_value[0]); v++)
			skip = skip || !strcmp(argv[k], with_value[v]);
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
		case 'j': json = true; break;
		case 'x': print_xml = true; break;
		case 'P': host_paths = true; break;
		case 'h': usage(stdout); return 0;
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
	if (optind < argc)
		return batch(&app, argc - optind, argv + optind, json, print_xml, host_paths);
	if (json || print_xml || host_paths) {
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
		unsigned long long v;

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
	free(app.list_error);
	return rc;
}
