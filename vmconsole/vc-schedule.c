/* Scheduled backups: a schedule file and the systemd timer and service the console writes for it, the run that backs up its guests and keeps the last N archives, and the last result for the status screen. */
#include "vc-backup.h"
#include "hostcfg/hcfg.h"
#include "base/base.h"
#include "base/i18n.h"

#include <dirent.h>
#include <getopt.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Files under @root ("" or NULL: this machine's /). */
static char *under(const char *root, const char *path)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s", root && strcmp(root, "/") ? root : "", path) < 0)
		abort();
	return s;
}

static bool name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

int vc_sched_check(const struct vc_sched *s, char **cause)
{
	if (!name_ok(s->name))
		return base_cause(cause, -EINVAL, _("A schedule's name is 1 to 32 small letters, digits and '-'."));
	if (!s->n_guests)
		return base_cause(cause, -EINVAL, _("A schedule backs up at least one guest."));
	for (size_t i = 0; i < s->n_guests; i++)
		if (!hv_name_valid(s->guests[i]))
			return base_cause(cause, -EINVAL, _("%s is not a valid guest name."), s->guests[i]);
	if (!s->dir || s->dir[0] != '/' || strpbrk(s->dir, " \t\n\\\"'%"))
		return base_cause(cause, -EINVAL, _("The folder of a schedule is a full path without blanks, quotes or %%."));
	if (s->keep < 1 || s->keep > 1000)
		return base_cause(cause, -EINVAL, _("A schedule keeps from 1 to 1000 backups of each guest."));
	return 0;
}

void vc_sched_clear(struct vc_sched *s)
{
	for (size_t i = 0; i < s->n_guests; i++)
		free(s->guests[i]);
	free(s->guests);
	free(s->name);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

int vc_sched_save(const char *root, const struct vc_sched *s, char **cause)
{
	struct base_buf conf = { 0 }, svc = { 0 }, tmr = { 0 };
	char *dir = under(root, VC_SCHED_DIR), *unitdir = under(root, VC_UNIT_DIR), *path = NULL;
	int rc;

	if ((rc = vc_sched_check(s, cause)) < 0)
		goto out;
	base_buf_str(&conf, "# A scheduled backup of ospite: written by the console.\nguests =");
	for (size_t i = 0; i < s->n_guests; i++)
		base_buf_printf(&conf, " %s", s->guests[i]);
	base_buf_printf(&conf, "\ndir = %s\nevery = %s\nkeep = %u\n", s->dir,
			s->weekly ? "weekly" : "daily", s->keep);
	base_buf_printf(&svc, "# Written by the ospite console: the backup schedule %s.\n[Unit]\n"
			"Description=ospite backup schedule %s\nAfter=libvirtd.service\n\n[Service]\n"
			"Type=oneshot\nExecStart=%s/ospite schedule run %s\n", s->name, s->name,
			SBINDIR, s->name);
	base_buf_printf(&tmr, "# Written by the ospite console: when the backup schedule %s runs.\n"
			"[Unit]\nDescription=ospite backup schedule %s\n\n[Timer]\nOnCalendar=%s\n"
			"Persistent=true\n\n[Install]\nWantedBy=timers.target\n", s->name, s->name,
			s->weekly ? "weekly" : "daily");
	if (conf.oom || svc.oom || tmr.oom) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if ((rc = hcfg_mkdirs(dir, cause)) < 0 || (rc = hcfg_mkdirs(unitdir, cause)) < 0)
		goto out;
	if (asprintf(&path, "%s/%s.conf", dir, s->name) < 0)
		abort();
	if ((rc = hcfg_write_file(path, conf.s, 0644, cause)) < 0)
		goto out;
	free(path);
	if (asprintf(&path, "%s/ospite-backup-%s.service", unitdir, s->name) < 0)
		abort();
	if ((rc = hcfg_write_file(path, svc.s, 0644, cause)) < 0)
		goto out;
	free(path);
	if (asprintf(&path, "%s/ospite-backup-%s.timer", unitdir, s->name) < 0)
		abort();
	if ((rc = hcfg_write_file(path, tmr.s, 0644, cause)) < 0)
		goto out;
	/* systemctl --root enables without a running systemd: what a test tree needs. */
	{
		char unit[64], rootopt[4200];
		const char *on_root[] = { "systemctl", "enable", "--now", unit, NULL };
		const char *in_tree[] = { "systemctl", rootopt, "enable", unit, NULL };
		bool here = !root || !*root || !strcmp(root, "/");

		snprintf(unit, sizeof(unit), "ospite-backup-%s.timer", s->name);
		snprintf(rootopt, sizeof(rootopt), "--root=%s", here ? "/" : root);
		if (here)
			base_run((const char *const[]){ "systemctl", "daemon-reload", NULL }, -1, NULL);
		rc = base_run(here ? on_root : in_tree, -1, cause);
		if (rc > 0)
			rc = -EIO;
	}
out:
	free(path);
	free(dir);
	free(unitdir);
	free(conf.s);
	free(svc.s);
	free(tmr.s);
	return rc;
}

int vc_sched_load(const char *root, const char *name, struct vc_sched *s, char **cause)
{
	char *path = NULL, *dir = under(root, VC_SCHED_DIR), line[4096];
	FILE *f;
	int rc = 0, ln = 0;

	memset(s, 0, sizeof(*s));
	if (!name_ok(name)) {
		free(dir);
		return base_cause(cause, -EINVAL, _("A schedule's name is 1 to 32 small letters, digits and '-'."));
	}
	if (asprintf(&path, "%s/%s.conf", dir, name) < 0)
		abort();
	free(dir);
	f = fopen(path, "re");
	if (!f) {
		rc = base_cause(cause, -errno, errno == ENOENT ? _("There is no backup schedule named %s.") :
				_("Could not read %s."), errno == ENOENT ? name : path);
		free(path);
		return rc;
	}
	s->name = strdup(name);
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *k = line, *v, *e;

		ln++;
		line[strcspn(line, "\n")] = '\0';
		while (*k == ' ' || *k == '\t')
			k++;
		if (!*k || *k == '#')
			continue;
		v = strchr(k, '=');
		if (!v) {
			rc = base_cause(cause, -EINVAL, _("%s:%d: expected key = value."), path, ln);
			break;
		}
		for (e = v; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		if (!strcmp(k, "guests")) {
			for (char *save = NULL, *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
				char **g = realloc(s->guests, (s->n_guests + 1) * sizeof(*g));

				if (!g)
					abort();
				s->guests = g;
				s->guests[s->n_guests++] = strdup(t);
			}
		} else if (!strcmp(k, "dir")) {
			free(s->dir);
			s->dir = strdup(v);
		} else if (!strcmp(k, "every") && (!strcmp(v, "daily") || !strcmp(v, "weekly"))) {
			s->weekly = !strcmp(v, "weekly");
		} else if (!strcmp(k, "keep")) {
			unsigned long long n;

			if (vc_parse_uint(v, 1000, &n) < 0)
				rc = base_cause(cause, -EINVAL, _("%s:%d: keep takes a number from 1 to 1000."), path, ln);
			s->keep = (unsigned)n;
		} else {
			rc = base_cause(cause, -EINVAL, _("%s:%d: unknown key or value %s."), path, ln, k);
		}
	}
	fclose(f);
	if (rc == 0)
		rc = vc_sched_check(s, cause);
	free(path);
	if (rc < 0)
		vc_sched_clear(s);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vc_sched_list(const char *root, char ***names, size_t *n, char **cause)
{
	char *dir = under(root, VC_SCHED_DIR);
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (errno != ENOENT)
			rc = base_cause(cause, -errno, _("Could not read %s: %s."), dir, strerror(errno));
		free(dir);
		return rc;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char name[64];
		char **more;

		/* Only NAME.conf with a name the console could have written: other files are not ours. */
		if (len < 6 || len - 5 >= sizeof(name) || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		if (!name_ok(name))
			continue;
		more = realloc(*names, (*n + 1) * sizeof(**names));
		if (!more)
			abort();
		*names = more;
		(*names)[(*n)++] = strdup(name);
	}
	closedir(d);
	free(dir);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

int vc_sched_remove(const char *root, const char *name, char **cause)
{
	char *conf = NULL, *svc = NULL, *tmr = NULL, *dir = under(root, VC_SCHED_DIR);
	char *unitdir = under(root, VC_UNIT_DIR), unit[64], rootopt[4200];
	const char *on_root[] = { "systemctl", "disable", "--now", unit, NULL };
	const char *in_tree[] = { "systemctl", rootopt, "disable", unit, NULL };
	bool here = !root || !*root || !strcmp(root, "/");
	int rc = 0;

	if (!name_ok(name)) {
		rc = base_cause(cause, -EINVAL, _("A schedule's name is 1 to 32 small letters, digits and '-'."));
		goto out;
	}
	if (asprintf(&conf, "%s/%s.conf", dir, name) < 0 ||
	    asprintf(&svc, "%s/ospite-backup-%s.service", unitdir, name) < 0 ||
	    asprintf(&tmr, "%s/ospite-backup-%s.timer", unitdir, name) < 0)
		abort();
	if (access(conf, F_OK) < 0) {
		rc = base_cause(cause, -ENOENT, _("There is no backup schedule named %s."), name);
		goto out;
	}
	/* The timer stops first: a schedule half removed must not run again. */
	snprintf(unit, sizeof(unit), "ospite-backup-%s.timer", name);
	snprintf(rootopt, sizeof(rootopt), "--root=%s", here ? "/" : root);
	if (access(tmr, F_OK) == 0) {
		rc = base_run(here ? on_root : in_tree, -1, cause);
		if (rc != 0) {
			rc = rc > 0 ? -EIO : rc;
			goto out;
		}
	}
	if ((unlink(tmr) < 0 && errno != ENOENT) || (unlink(svc) < 0 && errno != ENOENT) ||
	    unlink(conf) < 0) {
		rc = base_cause(cause, -errno, _("Could not remove the backup schedule %s: %s."), name,
				strerror(errno));
		goto out;
	}
	if (here)
		base_run((const char *const[]){ "systemctl", "daemon-reload", NULL }, -1, NULL);
out:
	free(conf);
	free(svc);
	free(tmr);
	free(dir);
	free(unitdir);
	return rc;
}

char *vc_sched_describe(const struct vc_sched *s)
{
	struct base_buf g = { 0 };
	char *out = NULL;

	for (size_t i = 0; i < s->n_guests; i++)
		base_buf_printf(&g, "%s%s", i ? ", " : "", s->guests[i]);
	/* TRANSLATORS: a backup schedule: its name, "every day" or "every week", how many archives of each guest are kept, the folder, the guests. */
	if (g.oom || asprintf(&out, _("%s: %s, %u kept, in %s (%s)"), s->name,
			      s->weekly ? _("every week") : _("every day"), s->keep, s->dir, g.s) < 0)
		abort();
	free(g.s);
	return out;
}

/* Keep the newest @keep archives GUEST-YYYYMMDD-HHMMSS.ospite of @guest in @dir; the names sort by time. */
static void prune(const char *dir, const char *guest, unsigned keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, glen = strlen(guest);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *rest = de->d_name + glen;

		if (strncmp(de->d_name, guest, glen) || rest[0] != '-' || strlen(rest) != 23 ||
		    strcmp(rest + 16, HV_BK_EXT) || rest[9] != '-')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i + keep < n; i++) {
		char *p = NULL;

		if (asprintf(&p, "%s/%s", dir, names[i]) >= 0)
			unlink(p);
		free(p);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int vc_sched_run(struct hv_conn *conn, const char *root, const char *name, const char *user,
		 FILE *out, FILE *err)
{
	struct vc_sched s;
	char *cause = NULL, *status = under(root, VC_SCHED_STATUS), stamp[40];
	struct base_buf line = { 0 };
	unsigned ok = 0, failed = 0;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M", &tm);
	if ((rc = vc_sched_load(root, name, &s, &cause)) < 0) {
		fprintf(err, "ospite: %s\n", cause ? cause : name);
		base_buf_printf(&line, "%s %s failed %s\n", stamp, name, cause ? cause : "");
		free(cause);
		goto write;
	}
	hcfg_mkdirs(s.dir, NULL);
	for (size_t i = 0; i < s.n_guests; i++) {
		struct vc_backup_args a = { .guest = s.guests[i], .dir = s.dir, .user = user };

		/* A refused or failed guest does not stop the others. */
		if (vc_batch_backup(conn, &a, out, err) == 0) {
			ok++;
			prune(s.dir, s.guests[i], s.keep);
		} else {
			failed++;
		}
	}
	base_buf_printf(&line, "%s %s %s %u %u\n", stamp, name, failed ? "failed" : "ok", ok, failed);
	rc = failed ? 2 : 0;
	vc_sched_clear(&s);
write:
	if (!line.oom) {
		char *dir = strdup(status);

		if (dir && strrchr(dir, '/'))
			*strrchr(dir, '/') = '\0';
		if (dir)
			hcfg_mkdirs(dir, NULL);
		free(dir);
		hcfg_write_file(status, line.s, 0644, NULL);
	}
	free(line.s);
	free(status);
	return rc < 0 ? 2 : rc;
}

char *vc_sched_last(const char *root)
{
	char *path = under(root, VC_SCHED_STATUS), buf[512], when[20], name[64], result[16], *s = NULL;
	unsigned ok = 0, failed = 0;
	FILE *f = fopen(path, "re");

	free(path);
	if (!f)
		return NULL;
	if (fgets(buf, sizeof(buf), f) &&
	    sscanf(buf, "%10s %5s %63s %15s %u %u", when, when + 11, name, result, &ok, &failed) >= 4) {
		when[10] = ' ';
		/* TRANSLATORS: the status screen's line about the last scheduled backup. */
		if (!strcmp(result, "ok") ?
		    asprintf(&s, _("Last scheduled backup: %s, %s, %u guests backed up."), when, name, ok) < 0 :
		    asprintf(&s, _("Last scheduled backup: %s, %s, FAILED (%u backed up, %u failed)."), when,
			     name, ok, failed) < 0)
			s = NULL;
	}
	fclose(f);
	return s;
}

static void sched_usage(FILE *f)
{
	fputs(_("Usage: ospite schedule set NAME --guests GUEST[,GUEST...] --dir DIR [--every daily|weekly]\n"
		"                           [--keep N] [--root DIR]\n"
		"       ospite schedule run NAME [--connect URI] [--root DIR]\n"
		"       ospite schedule list [--root DIR]\n"
		"       ospite schedule remove NAME [--root DIR]\n"
		"A daily or weekly backup of the guests to DIR, keeping the last N archives of each\n"
		"(7 by default), through the systemd timer ospite-backup-NAME.timer; --root DIR writes\n"
		"the files under DIR instead of /. remove stops and deletes the timer and the schedule;\n"
		"the archives it made stay.\n"), f);
}

/* `ospite schedule list`: one line per schedule; 2 when one cannot be read. */
static int sched_list_main(const char *root)
{
	char **names = NULL, *cause = NULL;
	size_t n = 0;
	int rc = vc_sched_list(root, &names, &n, &cause);

	if (rc < 0) {
		fprintf(stderr, "ospite: %s\n", cause);
		free(cause);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		struct vc_sched s;

		if (vc_sched_load(root, names[i], &s, &cause) < 0) {
			fprintf(stderr, "ospite: %s\n", cause);
			free(cause);
			cause = NULL;
			rc = -EINVAL;
		} else {
			char *line = vc_sched_describe(&s);

			printf("%s\n", line);
			free(line);
			vc_sched_clear(&s);
		}
		free(names[i]);
	}
	free(names);
	return rc < 0 ? 2 : 0;
}

int vc_sched_main(const char *uri, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guests", required_argument, NULL, 'g' },
		{ "dir", required_argument, NULL, 'd' },
		{ "every", required_argument, NULL, 'e' },
		{ "keep", required_argument, NULL, 'k' },
		{ "root", required_argument, NULL, 'r' },
		{ "connect", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct vc_sched s;
	const char *root = NULL;
	char *cause = NULL, user[64];
	unsigned long long n;
	int opt, rc;

	memset(&s, 0, sizeof(s));
	s.keep = 7;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			for (char *save = NULL, *t = strtok_r(optarg, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				char **g = realloc(s.guests, (s.n_guests + 1) * sizeof(*g));

				if (!g)
					abort();
				s.guests = g;
				s.guests[s.n_guests++] = strdup(t);
			}
			break;
		case 'd': free(s.dir); s.dir = strdup(optarg); break;
		case 'e':
			if (strcmp(optarg, "daily") && strcmp(optarg, "weekly")) {
				sched_usage(stderr);
				vc_sched_clear(&s);
				return 1;
			}
			s.weekly = !strcmp(optarg, "weekly");
			break;
		case 'k':
			if (vc_parse_uint(optarg, 1000, &n) < 0 || n == 0) {
				fprintf(stderr, _("ospite: --keep takes a number from 1 to 1000.\n"));
				vc_sched_clear(&s);
				return 1;
			}
			s.keep = (unsigned)n;
			break;
		case 'r': root = optarg; break;
		case 'c': uri = optarg; break;
		default: sched_usage(stderr); vc_sched_clear(&s); return 1;
		}
	}
	if (argc - optind == 1 && !strcmp(argv[optind], "list")) {
		vc_sched_clear(&s);
		return sched_list_main(root);
	}
	if (argc - optind != 2 || (strcmp(argv[optind], "set") && strcmp(argv[optind], "run") &&
				   strcmp(argv[optind], "remove"))) {
		sched_usage(stderr);
		vc_sched_clear(&s);
		return 1;
	}
	snprintf(user, sizeof(user), "%s", getenv("SUDO_USER") ? getenv("SUDO_USER") :
		 getlogin() ? getlogin() : geteuid() == 0 ? "root" : "?");
	if (!strcmp(argv[optind], "remove")) {
		const char *name = argv[optind + 1];

		vc_sched_clear(&s);
		rc = vc_sched_remove(root, name, &cause);
		if (rc < 0) {
			fprintf(stderr, "ospite: %s\n", cause ? cause : name);
		} else {
			printf(_("The backup schedule %s is removed; the backups it made stay.\n"), name);
			vc_audit(user, "backup schedule=%s removed", name);
		}
		free(cause);
		return rc == -ENOENT || rc == -EINVAL ? 1 : rc < 0 ? 2 : 0;
	}
	if (!strcmp(argv[optind], "set")) {
		s.name = strdup(argv[optind + 1]);
		rc = vc_sched_save(root, &s, &cause);
		if (rc < 0) {
			fprintf(stderr, "ospite: %s\n", cause ? cause : _("The schedule could not be written."));
		} else {
			printf(_("The backup schedule %s runs %s; it keeps %u backups of each guest in %s.\n"),
			       s.name, s.weekly ? _("weekly") : _("daily"), s.keep, s.dir);
			vc_audit(user, "backup schedule=%s set every=%s keep=%u dir=%s", s.name,
				 s.weekly ? "weekly" : "daily", s.keep, s.dir);
		}
		free(cause);
		vc_sched_clear(&s);
		return rc < 0 ? 1 : 0;
	}
	vc_sched_clear(&s);
	{
		struct hv_conn *conn = NULL;

		if (hv_open(uri, &conn, &cause) < 0) {
			fprintf(stderr, "ospite: %s\n", cause ? cause : "");
			free(cause);
			return 2;
		}
		rc = vc_sched_run(conn, root, argv[optind + 1], user, stdout, stderr);
		hv_close(conn);
	}
	return rc;
}
