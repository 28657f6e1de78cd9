/* Logging in to the console: the password checked by PAM (service "ospite"), then root or the group ospite required. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "tui/i18n.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vc_login_allowed(const char *user, char **cause)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr;
	gid_t *groups = NULL;
	int ng = 0;
	bool member = false;

	if (!pw)
		return hcfg_cause(cause, -EACCES, _("There is no user %s on this host."), user);
	if (pw->pw_uid == 0)
		return 0;
	gr = getgrnam(VC_GROUP);
	if (gr) {
		gid_t gid = gr->gr_gid, base = pw->pw_gid;

		/* getgrouplist() says how many groups there are when the array is too small. */
		getgrouplist(user, base, NULL, &ng);
		groups = calloc(ng > 0 ? ng : 1, sizeof(*groups));
		if (groups && getgrouplist(user, base, groups, &ng) >= 0)
			for (int i = 0; i < ng; i++)
				member = member || groups[i] == gid;
		free(groups);
	}
	if (!member)
		return hcfg_cause(cause, -EPERM,
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

int vc_login_check(const char *user, const char *password, char **cause)
{
	struct conv_data cd = { user, password };
	struct pam_conv pc = { conv, &cd };
	pam_handle_t *ph = NULL;
	int prc, rc = 0;

	if (!user || !*user)
		return hcfg_cause(cause, -EINVAL, _("Type a user name."));
	prc = pam_start(VC_PAM_SERVICE, user, &pc, &ph);
	if (prc != PAM_SUCCESS)
		return hcfg_cause(cause, -EIO, _("PAM cannot be used: %s."), pam_strerror(ph, prc));
	prc = pam_authenticate(ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (prc == PAM_SUCCESS)
		prc = pam_acct_mgmt(ph, PAM_DISALLOW_NULL_AUTHTOK);
	switch (prc) {
	case PAM_SUCCESS:
		break;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
		/* One message for both, so a wrong guess does not tell which users exist. */
		rc = hcfg_cause(cause, -EACCES, _("The user name or the password is wrong."));
		break;
	case PAM_ACCT_EXPIRED:
		rc = hcfg_cause(cause, -EACCES, _("The account %s has expired."), user);
		break;
	case PAM_NEW_AUTHTOK_REQD:
		rc = hcfg_cause(cause, -EACCES,
				_("The password of %s has expired: change it with passwd first."), user);
		break;
	default:
		rc = hcfg_cause(cause, -EACCES, _("The login was refused: %s."), pam_strerror(ph, prc));
		break;
	}
	pam_end(ph, prc);
	if (rc < 0)
		return rc;
	return vc_login_allowed(user, cause);
}

int vc_scr_login(struct vc_app *app)
{
	char user[64] = "";
	bool again = false;

	for (;;) {
		struct tui_dialog *d = tui_dialog_new(_("Log In"));
		char *password, *cause = NULL;
		int u, p, rc;

		tui_dialog_text(d, _("Log in as root or as a member of the group ospite to manage the guests."));
		u = tui_dialog_entry(d, _("User:"), user, 0);
		p = tui_dialog_entry(d, _("Password:"), "", TUI_ENTRY_HIDDEN);
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
		rc = vc_login_check(user, password, &cause);
		explicit_bzero(password, strlen(password));
		free(password);
		if (rc < 0) {
			vc_error(_("Log In"), cause);
			again = true;
			continue;
		}
		snprintf(app->user, sizeof(app->user), "%s", user);
		app->logged_in = true;
		app->idle_logout = false;
		tui_idle_reset();
		return VC_NEXT;
	}
}
