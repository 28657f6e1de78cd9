/* Migration and several hosts for scripts: `ospite migrate` with its pre-flight and progress lines, and `ospite list --all-hosts`. */
#include "vc.h"
#include "base/base.h"
#include "vc-job.h"
#include "base/i18n.h"
#include "tui/tui.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void vc_fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (1ull << 20));
	else
		snprintf(buf, len, "%" PRIu64 " KiB", b >> 10);
	base_decimal(buf);
}

const char *vc_fmt_secs(uint64_t ms, char buf[static 24])
{
	snprintf(buf, 24, "%.1f", ms / 1000.0);
	return base_decimal(buf);
}

char *vc_mig_progress_text(const struct hv_mig_progress *p)
{
	char done[32], total[32], rate[32], dirty[32], *s = NULL;
	uint64_t t = p->mem_total + p->disk_total, d = p->mem_done + p->disk_done;

	/* The destination starts its side first; libvirt reports nothing to transfer until then. */
	if (!t && !p->postcopy)
		return asprintf(&s, _("Preparing the destination...  %" PRIu64 " s elapsed"),
				p->elapsed_ms / 1000) < 0 ? NULL : s;
	vc_fmt_bytes(d, done, sizeof(done));
	vc_fmt_bytes(t, total, sizeof(total));
	vc_fmt_bytes(p->rate_bps, rate, sizeof(rate));
	vc_fmt_bytes(p->dirty_bps, dirty, sizeof(dirty));
	/* TRANSLATORS: a migration's progress: percent, bytes sent of total, transfer rate, memory dirtied per second, pre-copy round, expected downtime, elapsed and remaining seconds. */
	if (asprintf(&s, _("%3.0f%%  %s of %s  %s/s  dirty %s/s  round %" PRIu64
			   "  downtime ~%" PRIu64 " ms  %" PRIu64 " s elapsed, ~%" PRIu64 " s left%s"),
		     p->fraction * 100, done, total, rate, dirty, p->iteration,
		     p->expected_downtime_ms, p->elapsed_ms / 1000, (p->eta_ms + 999) / 1000,
		     p->postcopy ? _(" (post-copy)") : "") < 0)
		return NULL;
	return s;
}

char *vc_mig_progress_json(const struct hv_mig_progress *p)
{
	char *s = NULL;

	if (asprintf(&s, "{\"event\": \"progress\", \"fraction\": %.3f, \"elapsed_ms\": %" PRIu64
		     ", \"remaining_ms\": %" PRIu64 ", \"memory_total\": %" PRIu64
		     ", \"memory_transferred\": %" PRIu64 ", \"memory_remaining\": %" PRIu64
		     ", \"disk_total\": %" PRIu64 ", \"disk_transferred\": %" PRIu64
		     ", \"disk_remaining\": %" PRIu64 ", \"rate_bps\": %" PRIu64
		     ", \"dirty_bps\": %" PRIu64 ", \"iteration\": %" PRIu64
		     ", \"expected_downtime_ms\": %" PRIu64 ", \"postcopy\": %s}",
		     p->fraction, p->elapsed_ms, p->eta_ms, p->mem_total, p->mem_done, p->mem_left,
		     p->disk_total, p->disk_done, p->disk_left, p->rate_bps, p->dirty_bps,
		     p->iteration, p->expected_downtime_ms, p->postcopy ? "true" : "false") < 0)
		return NULL;
	return s;
}

static const char *level_key(enum hv_check_level l)
{
	return l == HV_CHECK_OK ? "ok" : l == HV_CHECK_WARN ? "warning" : "refused";
}

static const char *level_name(enum hv_check_level l)
{
	/* TRANSLATORS: the three outcomes of a pre-flight check, shown in a column 9 wide. */
	return l == HV_CHECK_OK ? _("ok") : l == HV_CHECK_WARN ? _("warning") : _("refused");
}

static bool batch_progress(void *opaque, const struct hv_mig_progress *p)
{
	const struct vc_job_out *o = opaque;

	return vc_job_line(o, o->json ? vc_mig_progress_json(p) : vc_mig_progress_text(p));
}

int vc_batch_migrate(struct hv_conn *src, const struct vc_conf *conf,
		     const struct vc_migrate_args *a, FILE *out, FILE *err)
{
	const char *uri = vc_conf_host(conf, a->dest);
	const char *mode = a->opts.mode == HV_MIG_OFFLINE ? "offline" : "live";
	struct hv_conn *dst = NULL;
	struct hv_preflight pf;
	struct hv_mig_result res;
	struct hv_mig_opts o = a->opts;
	struct vc_job_out cb = { .out = out, .json = a->json, .tty = isatty(fileno(out)) };
	struct sigaction old_int, old_term;
	char *cause = NULL, *msg = NULL;
	int rc, exit_code;

	if (!uri && strstr(a->dest, "://"))
		uri = a->dest;
	if (!uri) {
		if (asprintf(&msg, _("There is no host named %s in the settings file."), a->dest) >= 0)
			vc_job_event(a->json ? out : err, a->json, "error", msg);
		free(msg);
		return 1;
	}
	o.reserve_kib = conf->migrate_reserve_mib * 1024;
	if (hv_open(uri, &dst, &cause) < 0) {
		vc_job_event(a->json ? out : err, a->json, "error", cause ? cause : uri);
		vc_audit(a->user, "migrate guest=%s from=%s to=%s mode=%s result=refused (%s)",
			 a->guest, hv_uri(src), uri, mode, cause ? cause : "");
		free(cause);
		return 1;
	}

	rc = hv_mig_preflight(src, dst, a->guest, &o, &pf, &cause);
	if (rc < 0) {
		vc_job_event(a->json ? out : err, a->json, "error", cause ? cause : a->guest);
		free(cause);
		hv_close(dst);
		return 1;
	}
	if (!a->json)
		fprintf(out, _("Pre-flight for %s to %s:\n"), a->guest, a->dest);
	for (size_t i = 0; i < pf.n; i++) {
		if (a->json) {
			char *t = vc_json_string(pf.items[i].text);

			fprintf(out, "{\"event\": \"check\", \"level\": \"%s\", \"message\": %s}\n",
				level_key(pf.items[i].level), t);
			free(t);
		} else {
			fprintf(out, "  %-9s %s\n", level_name(pf.items[i].level), pf.items[i].text);
		}
	}
	if (pf.refused) {
		if (asprintf(&msg, _("The migration of %s is refused; nothing was changed."),
			     a->guest) >= 0)
			vc_job_event(a->json ? out : err, a->json, "refused", msg);
		free(msg);
		vc_audit(a->user, "migrate guest=%s from=%s to=%s mode=%s result=refused", a->guest,
			 hv_uri(src), hv_uri(dst), mode);
		hv_preflight_clear(&pf);
		hv_close(dst);
		return 1;
	}
	fflush(out);

	/* Without a terminal nobody else turns Ctrl-C into an abort: the job is ours to stop. */
	vc_job_catch(&old_int, &old_term);
	rc = hv_migrate(src, dst, a->guest, &o, &pf, batch_progress, &cb, &res, &cause);
	hv_preflight_clear(&pf);
	vc_job_release(&old_int, &old_term);
	if (cb.tty && !a->json)
		fputc('\n', out);

	if (rc == 0) {
		char down[48] = "", secs[24];

		if (res.downtime_known)
			snprintf(down, sizeof(down), "%" PRIu64, res.downtime_ms);
		if (a->json) {
			char *g = vc_json_string(a->guest), *h = vc_json_string(a->dest);

			fprintf(out, "{\"event\": \"done\", \"guest\": %s, \"host\": %s, \"total_ms\": %"
				PRIu64 ", \"downtime_ms\": %s}\n", g, h, res.total_ms,
				*down ? down : "null");
			free(g);
			free(h);
		} else if (res.downtime_known)
			fprintf(out, _("%s now runs on %s: %s s in all, %" PRIu64 " ms of downtime.\n"),
				a->guest, a->dest, vc_fmt_secs(res.total_ms, secs), res.downtime_ms);
		else
			fprintf(out, _("%s is now on %s: %s s in all.\n"), a->guest, a->dest,
				vc_fmt_secs(res.total_ms, secs));
		vc_audit(a->user, "migrate guest=%s from=%s to=%s mode=%s result=done time_ms=%" PRIu64
			 " downtime_ms=%s", a->guest, hv_uri(src), hv_uri(dst), mode, res.total_ms,
			 *down ? down : "-");
		exit_code = 0;
	} else {
		vc_job_event(a->json ? out : err, a->json, res.refused ? "refused" : "error",
			    cause ? cause : _("The migration failed."));
		vc_audit(a->user, "migrate guest=%s from=%s to=%s mode=%s result=%s time_ms=%" PRIu64,
			 a->guest, hv_uri(src), hv_uri(dst), mode,
			 res.refused ? "refused" : rc == -ECANCELED ? "aborted" : "failed",
			 res.total_ms);
		/* 1 promises that nothing changed: only a refusal says so, never an errno. */
		exit_code = res.refused ? 1 : 2;
	}
	free(cause);
	hv_close(dst);
	return exit_code;
}

/* ---- every host's guests ----------------------------------------------------------- */

static void list_json(const struct vc_host_guests *hl, size_t nh, FILE *out)
{
	bool first = true;

	fputs("[", out);
	for (size_t k = 0; k < nh; k++)
		for (size_t i = 0; i < hl[k].n; i++) {
			const struct hv_dom_stat *d = &hl[k].st[i];
			char *h = vc_json_string(hl[k].name), *nm = vc_json_string(d->name);

			fprintf(out, "%s\n  {\"host\": %s, \"name\": %s, \"uuid\": \"%s\", \"state\": \"%s\", "
				"\"vcpus\": %u, \"memory_kib\": %" PRIu64 ", \"autostart\": %s, "
				"\"persistent\": %s}", first ? "" : ",", h, nm, d->uuid,
				vc_state_key(d->state), d->vcpus, d->memory_kib,
				d->autostart ? "true" : "false", d->persistent ? "true" : "false");
			free(h);
			free(nm);
			first = false;
		}
	fputs(first ? "]\n" : "\n]\n", out);
}

int vc_batch_list_hosts(struct hv_conn *local, const struct vc_conf *conf, bool json, FILE *out,
			FILE *err)
{
	struct vc_host_guests *hl = calloc(conf->n_hosts + 1, sizeof(*hl));
	struct hv_host h;
	size_t nh = 0;
	int rc = 0;

	if (!hl)
		abort();
	/* Every host is asked before anything is printed: the names are fitted among them all. */
	for (size_t i = 0; i <= conf->n_hosts; i++) {
		struct hv_conn *c = local;
		const char *name;
		char *cause = NULL;

		if (i == 0)
			name = hv_host_info(local, &h, NULL) == 0 && *h.hostname ? h.hostname :
			       _("this host");
		else
			name = conf->hosts[i - 1].name;
		if ((i > 0 && hv_open(conf->hosts[i - 1].uri, &c, &cause) < 0) ||
		    hv_list(c, &hl[nh].st, &hl[nh].n, &cause) < 0) {
			fprintf(err, _("ospite: %s: %s\n"), name, cause ? cause : "");
			free(cause);
			rc = 2;
		} else {
			hl[nh++].name = name;
		}
		if (i > 0 && c)
			hv_close(c);
	}
	if (json)
		list_json(hl, nh, out);
	else
		vc_list_rows(hl, nh, true, out);
	for (size_t k = 0; k < nh; k++)
		free(hl[k].st);
	free(hl);
	return rc;
}
