/* Running post-install scripts: the installed host's configuration, its root password, and the answer file's services and %post. */
#include "inst-engine.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcfg/hcfg-target.h"

/* Timers and services a hypervisor host does without: no unattended apt runs under guests. */
static const char *const unneeded_units[] = {
	"apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "e2scrub_reap.service",
	NULL,
};

int eng_set_root_password(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	int rc = 0;

	/*
	 * rootpw --lock alone: no password, and the account locked. The hash
	 * goes on chpasswd's standard input: on a command line every user
	 * could read it in ps, and the log would keep it.
	 */
	if (*p->root_hash) {
		char line[sizeof(p->root_hash) + 8];
		const char *argv[] = { "chroot", e->target, "chpasswd", "-e", NULL };

		snprintf(line, sizeof(line), "root:%s\n", p->root_hash);
		rc = base_run_input(argv, e->logfd, line, cause);
		explicit_bzero(line, sizeof(line));
		if (rc > 0)
			rc = -EIO;
	}
	if (!rc && p->root_lock)
		rc = TARGET(e, cause, "usermod", "-L", "root");
	return rc;
}

/*
 * The answer file's user accounts: their groups made when missing, the
 * account (kept when a resumed run made it already), then the password hash
 * on chpasswd's standard input, never on a command line.
 */
static int make_users(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	int rc = 0;

	for (size_t i = 0; !rc && i < p->n_users; i++) {
		const struct inst_user *u = &p->users[i];
		const char *argv[16];
		char uid[24], groups[sizeof(u->groups)], *save = NULL;
		size_t n = 0;

		INST_COPY(groups, u->groups);
		for (char *g = strtok_r(groups, ",", &save); !rc && g; g = strtok_r(NULL, ",", &save))
			rc = TARGET(e, cause, "groupadd", "-f", g);
		if (rc < 0)
			break;
		if (TARGET(e, NULL, "getent", "passwd", u->name) != 0) {
			argv[n++] = "useradd";
			argv[n++] = "-m";
			if (*u->groups)
				argv[n++] = "-G", argv[n++] = u->groups;
			if (*u->shell)
				argv[n++] = "-s", argv[n++] = u->shell;
			if (*u->home)
				argv[n++] = "-d", argv[n++] = u->home;
			if (*u->gecos)
				argv[n++] = "-c", argv[n++] = u->gecos;
			if (u->uid >= 0) {
				snprintf(uid, sizeof(uid), "%ld", u->uid);
				argv[n++] = "-u", argv[n++] = uid;
			}
			argv[n++] = u->name;
			argv[n] = NULL;
			rc = eng_in_target(e, cause, argv);
		} else if (*u->groups) {
			rc = TARGET(e, cause, "usermod", "-a", "-G", u->groups, u->name);
		}
		if (!rc && *u->hash) {
			char line[sizeof(u->hash) + sizeof(u->name) + 4];
			const char *cp[] = { "chroot", e->target, "chpasswd", "-e", NULL };

			snprintf(line, sizeof(line), "%s:%s\n", u->name, u->hash);
			rc = base_run_input(cp, e->logfd, line, cause);
			explicit_bzero(line, sizeof(line));
			if (rc > 0)
				rc = -EIO;
		}
		if (!rc && u->lock)
			rc = TARGET(e, cause, "usermod", "-L", u->name);
	}
	return rc;
}

/* What an answer file adds after the configuration ospite writes: its users, services, then %post. */
static int answer_file_post(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	int rc = make_users(e, cause);

	if (!rc && p->firewall) {
		rc = hcfg_target_firewall(e->target, p->fw_ports, p->fw_trust, cause);
		if (!rc)
			rc = hcfg_target_enable_unit(e->target, "nftables.service", NULL, cause);
	}

	for (size_t i = 0; !rc && p->svc_enable && p->svc_enable[i]; i++)
		rc = hcfg_target_enable_unit(e->target, p->svc_enable[i], NULL, cause);
	for (size_t i = 0; !rc && p->svc_disable && p->svc_disable[i]; i++)
		rc = hcfg_target_disable_unit(e->target, p->svc_disable[i], cause);
	for (size_t i = 0; !rc && i < p->n_scripts; i++)
		if (p->scripts[i].when == INST_SCRIPT_POST) {
			eng_progress(e, 900, _("Running the post-install scripts of the answer file..."));
			rc = inst_run_scripts(p, INST_SCRIPT_POST, e->target, e->logfd, cause);
			break;
		}
	return rc;
}

int eng_step_post(struct inst_engine *e, char **cause)
{
	const struct inst_plan *p = e->plan;
	struct hcfg_target_mount mounts[INST_MAX_PARTS];
	struct hcfg_target_bridge br[INST_MAX_BRIDGES];
	size_t nm = 0;
	int rc;

	eng_step(e, INST_STEP_POST);
	eng_progress(e, 50, _("Writing the file system table..."));
	for (size_t i = 0; i < p->n_parts; i++) {
		if (!inst_part_has_fs(&p->parts[i]))
			continue;
		mounts[nm++] = (struct hcfg_target_mount){
			.mount = p->parts[i].mount, .uuid = e->uuid[i],
			.fstype = hcfg_fs_name(p->parts[i].fs),
		};
	}
	rc = hcfg_target_fstab(e->target, mounts, nm, cause);
	if (rc < 0)
		return rc;

	eng_progress(e, 150, _("Writing the network configuration and the bridges..."));
	for (size_t i = 0; i < p->n_bridges; i++)
		br[i] = (struct hcfg_target_bridge){ p->bridges[i].name, p->bridges[i].nic };
	struct hcfg_target_addr extra[INST_MAX_BRIDGES];

	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct inst_addr *x = &p->addrs[i];

		extra[i] = (struct hcfg_target_addr){ x->dev, x->dhcp, x->ip, x->prefix, x->gateway,
						      x->ipv6, x->dhcp && x->nodefroute };
	}
	struct hcfg_target_net net = {
		.hostname = p->hostname, .mgmt_nic = p->nic, .dhcp = p->dhcp, .address = p->ip,
		.prefix = p->prefix, .gateway = p->gateway, .dns = p->dns, .bridges = br,
		.n_bridges = p->n_bridges, .ipv6 = p->ipv6, .extra = extra, .n_extra = p->n_addrs,
		.noipv6 = p->noipv6, .nodefroute = p->dhcp && p->nodefroute,
	};
	rc = hcfg_target_network(e->target, &net, cause);
	/* Keep the NIC names the operator saw: each pinned by its MAC. */
	struct hcfg_nic_pin pins[INST_MAX_BRIDGES];

	for (size_t i = 0; i < p->n_bridges; i++)
		pins[i] = (struct hcfg_nic_pin){ p->bridges[i].nic, p->bridges[i].mac };
	if (!rc)
		rc = hcfg_host_nic_pins(e->target, pins, p->n_bridges, cause);
	if (rc < 0)
		return rc;

	eng_progress(e, 300, _("Setting the language, keyboard and time zone..."));
	rc = hcfg_target_locale(e->target, inst_plan_locale(p), cause);
	if (!rc)
		rc = TARGET(e, cause, "locale-gen");
	if (!rc)
		rc = hcfg_target_keyboard(e->target, p->keyboard, p->kbd_variant, cause);
	if (!rc)
		rc = hcfg_target_timezone(e->target, p->timezone, p->utc, cause);
	if (rc < 0)
		return rc;

	eng_progress(e, 500, _("Setting the root password..."));
	rc = eng_set_root_password(e, cause);
	if (rc < 0)
		return rc;

	eng_progress(e, 600, _("Configuring the hypervisor..."));
	rc = p->hv == INST_HV_XEN ? hcfg_host_xen_fixed_dom0(e->target, cause) : 0;
	if (!rc)
		rc = hcfg_host_status(e->target, cause);
	if (rc < 0)
		return rc;

	eng_progress(e, 800, _("Disabling unneeded services..."));
	for (size_t i = 0; unneeded_units[i]; i++) {
		char *ignored = NULL;

		/* Some of them may not be installed at all: that is fine. */
		if (hcfg_target_disable_unit(e->target, unneeded_units[i], &ignored) < 0)
			eng_log(e, "disable %s: %s", unneeded_units[i], ignored ? ignored : "");
		free(ignored);
	}
	/* An answer file may leave the SSH server out. */
	rc = inst_list_has(p->exclude, "openssh-server") ? 0 :
		hcfg_target_enable_unit(e->target, "ssh.service", NULL, cause);
	if (!rc && *p->serial)
		rc = hcfg_target_serial_getty(e->target, p->serial, p->hv == INST_HV_XEN, cause);
	if (!rc)
		rc = answer_file_post(e, cause);
	if (rc < 0)
		return rc;
	eng_progress(e, 1000, _("Post-install configuration is done."));
	return 0;
}
