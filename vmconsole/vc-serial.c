/* A guest's serial console inside the console: newt steps aside, the screen shows the guest's last screenful, and the terminal talks to the guest until Ctrl-]. */
#include "vc.h"
#include "hostcfg/hcfg.h"
#include "tui/tui.h"
#include "base/i18n.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_KEY 0x1d   /* Ctrl-], as telnet and virsh console use */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * What the guests said while an operator was attached, kept between attaches so that the next one
 * starts with the guest's recent output on the screen rather than a blank one (libvirt's console
 * stream carries only what the guest writes from now on). Filtered output only: it is shown again.
 */
#define HIST_BYTES 16384
#define HIST_GUESTS 16
struct hist {
	char key[640];          /* URI and guest name */
	char buf[HIST_BYTES];
	size_t len;
};
static struct hist hists[HIST_GUESTS];
static unsigned hist_next;

static struct hist *hist_for(const char *uri, const char *name)
{
	char key[sizeof(hists[0].key)];
	struct hist *h;

	snprintf(key, sizeof(key), "%s %s", uri ? uri : "", name);
	for (unsigned i = 0; i < HIST_GUESTS; i++)
		if (!strcmp(hists[i].key, key))
			return &hists[i];
	/* A new guest takes the place of the one seen longest ago. */
	h = &hists[hist_next++ % HIST_GUESTS];
	snprintf(h->key, sizeof(h->key), "%s", key);
	h->len = 0;
	return h;
}

static void hist_add(struct hist *h, const char *s, size_t n)
{
	if (n >= HIST_BYTES) {
		s += n - HIST_BYTES / 2;
		n = HIST_BYTES / 2;
	}
	if (h->len + n > HIST_BYTES) {
		/* Drop the older half, from a line's start, so that no sequence is cut in two. */
		size_t cut = h->len - HIST_BYTES / 2;
		char *nl = memchr(h->buf + cut, '\n', h->len - cut);

		cut = nl ? (size_t)(nl + 1 - h->buf) : h->len;
		memmove(h->buf, h->buf + cut, h->len - cut);
		h->len -= cut;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
}

/* The last @rows lines kept, from a line's start. */
static void hist_show(const struct hist *h, int rows)
{
	size_t start = h->len;
	int lines = 0;

	while (start > 0) {
		if (h->buf[start - 1] == '\n' && ++lines > rows)
			break;
		start--;
	}
	write_all(1, h->buf + start, h->len - start);
}

static void say(const char *text)
{
	write_all(1, "\r\n", 2);
	write_all(1, text, strlen(text));
	write_all(1, "\r\n", 2);
}

/* Pass bytes both ways; returns 0 on Ctrl-], or a negative errno with @cause. */
static int pass(struct vc_app *app, const char *name, struct hv_console *con,
		struct hist *h, char **cause)
{
	char buf[4096], shown[sizeof(buf) + VC_VTF_SLACK];
	struct vc_vtf vtf;
	uint64_t next_tick = vc_now_ns() + 1000000000ULL;

	vc_vtf_init(&vtf);
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = 0, .events = POLLIN },
			{ .fd = hv_console_fd(con), .events = POLLIN },
		};
		int rc = poll(fds, 2, 1000);

		/* The idle logout and the stats go on while the operator is in the guest. */
		if (vc_now_ns() >= next_tick) {
			next_tick = vc_now_ns() + 1000000000ULL;
			if (vc_tick(app))
				return 0;
		}
		if (rc < 0 && errno != EINTR)
			return base_cause(cause, -errno, _("The terminal cannot be read: %s."),
					  strerror(errno));
		if (rc <= 0)
			continue;
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(0, buf, sizeof(buf));
			char *esc;

			if (n <= 0)
				return 0;
			tui_idle_reset();
			esc = memchr(buf, ESCAPE_KEY, n);
			if (esc)
				n = esc - buf;
			if (n > 0 && hv_console_write(con, buf, n) < 0)
				return base_cause(cause, -EPIPE,
						  _("The serial console of %s was closed."), name);
			if (esc)
				return 0;
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = hv_console_read(con, buf, sizeof(buf));

			if (n == -EPIPE)
				return base_cause(cause, -EPIPE,
						  _("The serial console of %s was closed: the guest stopped."),
						  name);
			if (n < 0 && n != -EAGAIN)
				return base_cause(cause, (int)n,
						  _("The serial console of %s cannot be read: %s."), name,
						  strerror((int)-n));
			/* The guest's output never reaches the terminal as it is: see vc-vtfilter.c. */
			if (n > 0) {
				size_t len = vc_vtf_feed(&vtf, buf, n, shown);

				hist_add(h, shown, len);
				write_all(1, shown, len);
			}
		}
	}
}

int vc_serial_attach(struct vc_app *app, const char *name, char **cause)
{
	struct hv_console *con = NULL;
	struct termios saved, raw;
	bool tty;
	char *banner = NULL;
	struct hist *h;
	int rc = hv_console_open(app->conn, name, &con, cause);

	if (rc < 0)
		return rc;
	tui_suspend();
	tty = tcgetattr(0, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	/* A clean screen: the banner on top, then the guest's last screenful, not the menu's remains. */
	write_all(1, "\033[H\033[2J", 7);
	if (asprintf(&banner, _("Serial console of %s. Ctrl-] returns to the menu."), name) >= 0)
		say(banner);
	free(banner);
	h = hist_for(hv_uri(app->conn), name);
	{
		struct winsize ws;
		int rows = ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4 ? ws.ws_row : 24;

		/* The banner takes three rows. */
		hist_show(h, rows - 4);
	}
	rc = pass(app, name, con, h, cause);
	write_all(1, vc_vtf_reset(), strlen(vc_vtf_reset()));
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
	hv_console_close(con);
	tui_resume();
	return rc;
}
