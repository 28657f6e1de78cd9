/* Logging in to the console: the password checked by PAM (service "ospite"), then root or the group ospite required. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether @pw is in @group, as its primary group or a supplementary one; false without the group. */
static bool in_group(const struct passwd *pw, const char *group)
{
	struct group *gr = getgrnam(group);
	gid_t *groups = NULL, gid, base = pw->pw_gid;
	int ng = 0;
	bool member = false;

	if (!gr)
		return false;
	gid = gr->gr_gid;
	/* getgrouplist() says how many groups there are when the array is too small. */
	getgrouplist(pw->pw_name, base, NULL, &ng);
	groups = calloc(ng > 0 ? ng : 1, sizeof(*groups));
	if (groups && getgrouplist(pw->pw_name, base, groups, &ng) >= 0)
		for (int i = 0; i < ng; i++)
			member = member || groups[i] == gid;
	free(groups);
	return member;
}

int vc_login_allowed(const char *user, char **cause)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return base_cause(cause, -EACCES, _("There is no user %s on this host."), user);
	if (pw->pw_uid == 0)
		return 0;
	if (!in_group(pw, VC_GROUP))
		return base_cause(cause, -EPERM,
				  _("%s may not manage guests: only root and the members of the group %s may."),
				  user, VC_GROUP);
	return 0;
}

struct conv_data {
	const char *user;
	const char *password;
};

/* PAM asks for the password (and at most the user name): both were typed already. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *opaque)
{
	const struct conv_data *cd = opaque;
	struct pam_response *r = calloc(n > 0 ? n : 1, sizeof(*r));

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			r[i].resp = strdup(cd->password);
			break;
		case PAM_PROMPT_ECHO_ON:
			r[i].resp = strdup(cd->user);
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			break;
		default:
			for (int k = 0; k < i; k++)
				free(r[k].resp);
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* One logged-in operator: the PAM handle stays open until the logout closes the session. */
struct vc_session {
	pam_handle_t *ph;
	bool cred, open;
	int last;             /* the last PAM status, for pam_end() */
	struct conv_data cd;
};

bool vc_user_is_root(const char *user)
{
	struct passwd *pw = user ? getpwnam(user) : NULL;

	return pw && pw->pw_uid == 0;
}

bool vc_user_is_admin(const char *user)
{
	struct passwd *pw = user ? getpwnam(user) : NULL;

	return pw && (pw->pw_uid == 0 || in_group(pw, VC_ADMIN_GROUP));
}

void vc_admin_refused(const struct vc_app *app, const char *title, const char *action,
		      const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	vc_audit(app->user, "%s refused: not root nor in %s", action, VC_ADMIN_GROUP);
	tui_message(title, msg);
	free(msg);
}

void vc_login_tty(char *tty, size_t ttylen, char *rhost, size_t rhostlen)
{
	const char *t = ttyname(0), *ssh = getenv("SSH_CONNECTION");

	/* PAM modules (securetty, faillock, lastlog) expect "tty1", as login(1) gives it. */
	if (t && !strncmp(t, "/dev/", 5))
		t += 5;
	snprintf(tty, ttylen, "%s", t ? t : "");
	/* Only a console started from an SSH login has a remote host to speak of. */
	rhost[0] = '\0';
	if (ssh && *ssh)
		snprintf(rhost, rhostlen, "%.*s", (int)strcspn(ssh, " "), ssh);
}

void vc_login_close(struct vc_session *s)
{
	if (!s)
		return;
	if (s->open)
		s->last = pam_close_session(s->ph, 0);
	if (s->cred)
		s->last = pam_setcred(s->ph, PAM_DELETE_CRED);
	pam_end(s->ph, s->last);
	free(s);
}

int vc_login_open(const struct vc_login *l, struct vc_session **out, char **cause)
{
	struct vc_session *s;
	struct pam_conv pc = { conv, NULL };
	int prc, rc = 0;

	*out = NULL;
	if (!l->user || !*l->user)
		return base_cause(cause, -EINVAL, _("Type a user name."));
	s = calloc(1, sizeof(*s));
	if (!s)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	s->cd.user = l->user;
	s->cd.password = l->password;
	pc.appdata_ptr = &s->cd;
	prc = pam_start_confdir(VC_PAM_SERVICE, l->user, &pc, l->pam_dir, &s->ph);
	if (prc != PAM_SUCCESS) {
		rc = base_cause(cause, -EIO, _("PAM cannot be used: %s."), pam_strerror(s->ph, prc));
		if (s->ph)
			pam_end(s->ph, prc);
		free(s);
		return rc;
	}
	/* faillock and lastlog record where a login came from; securetty checks it. */
	if (l->tty && *l->tty)
		pam_set_item(s->ph, PAM_TTY, l->tty);
	if (l->rhost && *l->rhost)
		pam_set_item(s->ph, PAM_RHOST, l->rhost);
	prc = pam_authenticate(s->ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (prc == PAM_SUCCESS)
		prc = pam_acct_mgmt(s->ph, PAM_DISALLOW_NULL_AUTHTOK);
	switch (prc) {
	case PAM_SUCCESS:
		break;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
		/* One message for both, so a wrong guess does not tell which users exist. */
		rc = base_cause(cause, -EACCES, _("The user name or the password is wrong."));
		break;
	case PAM_ACCT_EXPIRED:
		rc = base_cause(cause, -EACCES, _("The account %s has expired."), l->user);
		break;
	case PAM_NEW_AUTHTOK_REQD:
		rc = base_cause(cause, -EACCES,
				_("The password of %s has expired: change it with passwd first."),
				l->user);
		break;
	default:
		rc = base_cause(cause, -EACCES, _("The login was refused: %s."),
				pam_strerror(s->ph, prc));
		break;
	}
	/* The group is checked before any session starts: an outsider gets none. */
	if (rc == 0)
		rc = vc_login_allowed(l->user, cause);
	if (rc == 0) {
		prc = pam_setcred(s->ph, PAM_ESTABLISH_CRED);
		s->cred = prc == PAM_SUCCESS;
		if (prc == PAM_SUCCESS)
			prc = pam_open_session(s->ph, 0);
		s->open = prc == PAM_SUCCESS;
		if (prc != PAM_SUCCESS)
			rc = base_cause(cause, -EACCES, _("The session could not be opened: %s."),
					pam_strerror(s->ph, prc));
	}
	s->last = prc;
	/* The password is not needed again; the conversation must not reach it later. */
	s->cd.password = "";
	if (rc < 0) {
		vc_login_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int vc_scr_login(struct vc_app *app)
{
	char user[64] = "", tty[64], rhost[256];
	bool again = false;

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Log In"));
		char *password, *cause = NULL;
		int u, p, rc;

		tui_dialog_text(d, _("Log in as root or as a member of the group ospite to manage the guests."));
		u = tui_dialog_entry(d, _("User:"), user, 0);
		p = tui_dialog_entry(d, _("Password:"), "", TUI_ENTRY_HIDDEN | TUI_ENTRY_SUBMIT);
		tui_dialog_buttons(d, TUI_BTN_NEXT | TUI_BTN_BACK, _("Log in"));
		if (*user && again)
			tui_dialog_focus(d, p);
		rc = tui_dialog_run(d);
		snprintf(user, sizeof(user), "%s", tui_dialog_value(d, u));
		password = strdup(tui_dialog_value(d, p));
		tui_dialog_free(d);
		if (!password)
			return VC_BACK;
		if (rc == TUI_LANG) {
			free(password);
			vc_lang_toggle();
			continue;
		}
		if (rc != TUI_NEXT) {
			explicit_bzero(password, strlen(password));
			free(password);
			return VC_BACK;
		}
		vc_login_tty(tty, sizeof(tty), rhost, sizeof(rhost));
		struct vc_login l = { user, password, tty, rhost, NULL };

		rc = vc_login_open(&l, &app->session, &cause);
		explicit_bzero(password, strlen(password));
		free(password);
		if (rc < 0) {
			vc_audit(user, "login refused");
			vc_error(_("Log In"), cause);
			again = true;
			continue;
		}
		snprintf(app->user, sizeof(app->user), "%s", user);
		app->root = vc_user_is_root(user);
		app->admin = app->root || vc_user_is_admin(user);
		vc_audit(user, "login%s", app->root ? " as root" : app->admin ? " as admin" : "");
		app->logged_in = true;
		app->idle_logout = false;
		tui_idle_reset();
		return VC_NEXT;
	}
}
