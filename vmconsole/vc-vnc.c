/* The VNC screen: where a guest's display listens, a one-time password, and the SSH tunnel an operator types on a laptop. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* How long a one-time password waits for its viewer. */
#define WINDOW_S 60

/* VNC authentication reads eight characters; leave out the ones that look alike. */
int vc_random_password(char out[9])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char r[8];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -EIO;
	for (int i = 0; i < 8; i++)
		out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
	out[8] = '\0';
	return 0;
}

void vc_tunnel_host(const char *ssh_connection, char *const *addr_lines, size_t n,
		    const char *hostname, char *out, size_t len)
{
	char first6[64] = "";

	/* Over SSH, the address the operator's own connection reached is the one that works. */
	if (ssh_connection && sscanf(ssh_connection, "%*s %*s %63s", out) == 1 && len >= 64)
		return;
	/* At the host's own screen: an address of the host, IPv4 first ("eth0 192.0.2.2/24 ..."). */
	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(addr_lines[i], ' ');

		while (p && *p == ' ') {
			char a[64];
			size_t l;

			p++;
			l = strcspn(p, "/ ");
			if (l && l < sizeof(a)) {
				memcpy(a, p, l);
				a[l] = '\0';
				if (strchr(a, '.')) {
					snprintf(out, len, "%s", a);
					return;
				}
				if (!first6[0])
					snprintf(first6, sizeof(first6), "%s", a);
			}
			p = strchr(p, ' ');
		}
	}
	snprintf(out, len, "%s", first6[0] ? first6 : hostname ? hostname : "");
}

int vc_vnc_show(struct vc_app *app, const char *name, char **cause)
{
	struct hv_vnc_info vi;
	char pw[9], when[16], host[256] = "", *text = NULL;
	const char *addr;
	time_t until;
	bool once;
	int rc = hv_vnc_info(app->conn, name, &vi, cause);

	if (rc < 0)
		return rc;
	if (vi.port < 0)
		return base_cause(cause, -ENODEV, _("%s has no VNC display running."), name);
	if (vc_random_password(pw) < 0)
		return base_cause(cause, -EIO, _("No random password could be made."));
	once = hv_vnc_expires_on_connect(app->conn);
	/* Where the password cannot end with its first viewer, the operator decides, knowing it. */
	if (!once && !tui_ask(_("VNC Display"),
			      _("This hypervisor cannot end a VNC password when a viewer connects: the password would open the display to any number of viewers for 60 seconds. Set it anyway?"),
			      _("Set it"), _("Cancel"))) {
		explicit_bzero(pw, sizeof(pw));
		return 0;
	}
	until = time(NULL) + WINDOW_S;
	rc = once ? hv_vnc_one_time(app->conn, name, pw, WINDOW_S, cause) :
		    hv_vnc_set_password(app->conn, name, pw, until, cause);
	if (rc < 0) {
		explicit_bzero(pw, sizeof(pw));
		return rc;
	}
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&until));
	{
		char hn[256] = "", **lines = NULL;
		size_t nl = 0;

		if (app->host_ok)
			snprintf(hn, sizeof(hn), "%s", app->host.hostname);
		else
			gethostname(hn, sizeof(hn) - 1);
		/* A bare host name may not resolve on the operator's laptop; an address does. */
		if (vc_addresses(&lines, &nl, NULL) < 0)
			nl = 0;
		vc_tunnel_host(getenv("SSH_CONNECTION"), lines, nl, hn, host, sizeof(host));
		vc_strv_free(lines, nl);
	}
	/* A display on every address is still reached through the host's loopback. */
	addr = !vi.listen[0] || !strcmp(vi.listen, "0.0.0.0") || !strcmp(vi.listen, "::") ?
	       "127.0.0.1" : vi.listen;
	if (asprintf(&text, once ?
		     _("The display of %s listens on %s, port %d.\n\n"
		       "One-time password: %s\n"
		       "It opens the display once, until %s (%d seconds).\n\n"
		       "From a laptop, open a tunnel to this host:\n\n"
		       "  ssh -L %d:%s:%d %s@%s\n\n"
		       "then point a VNC viewer at localhost:%d.") :
		     _("The display of %s listens on %s, port %d.\n\n"
		       "One-time password: %s\n"
		       "It opens the display until %s (%d seconds), for any viewer.\n\n"
		       "From a laptop, open a tunnel to this host:\n\n"
		       "  ssh -L %d:%s:%d %s@%s\n\n"
		       "then point a VNC viewer at localhost:%d."),
		     name, addr, vi.port, pw, when, WINDOW_S, vi.port, addr, vi.port,
		     app->user[0] ? app->user : "root", host, vi.port) < 0)
		text = NULL;
	explicit_bzero(pw, sizeof(pw));
	tui_message(_("VNC Display"), text ? text : "");
	if (text)
		explicit_bzero(text, strlen(text));
	free(text);
	return 0;
}
