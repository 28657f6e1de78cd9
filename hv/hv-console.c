/* A guest's serial console as a plain pollable socket, and its VNC display: address and one-time password. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>

/*
 * Why a socketpair: a non-blocking virStream only receives data while an
 * event loop pumps the connection, and its readiness is a callback, not a
 * file descriptor. The private event-loop thread (hv-event.c) therefore
 * copies between the stream and one end of a socketpair; the console polls
 * the other end like any terminal, sees end-of-file when the guest goes
 * away, and never calls libvirt from its screen loop. Both directions are
 * buffered and stop reading their source while the buffer is full, so a
 * slow reader slows the guest's output instead of losing it.
 */
#define CON_BUF 65536

struct hv_console {
	pthread_mutex_t lock;
	atomic_int refs;           /* the caller's, and the event-loop handle's */
	virStreamPtr st;
	int fd_user, fd_bridge;
	int watch;                 /* event-loop handle on fd_bridge, -1 when none */
	bool st_cb;                /* stream callback registered */
	int st_mask, fd_mask;      /* what each is watched for now */
	bool closed, eof, user_gone, shut;
	size_t to_user_len, to_guest_len;
	char to_user[CON_BUF];     /* from the guest, waiting for the socket */
	char to_guest[CON_BUF];    /* from the socket, waiting for the stream */
};

static void con_unref(void *opaque)
{
	struct hv_console *con = opaque;

	if (atomic_fetch_sub(&con->refs, 1) != 1)
		return;
	if (con->st) {
		virStreamFree(con->st);
		virResetLastError();
	}
	if (con->fd_bridge >= 0)
		close(con->fd_bridge);
	pthread_mutex_destroy(&con->lock);
	free(con);
}

static void flush_to_user(struct hv_console *con)
{
	while (con->to_user_len && !con->user_gone) {
		ssize_t n = send(con->fd_bridge, con->to_user, con->to_user_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			con->user_gone = true;
			break;
		}
		memmove(con->to_user, con->to_user + n, con->to_user_len - n);
		con->to_user_len -= n;
	}
	if (con->user_gone)
		con->to_user_len = 0;
}

static void flush_to_guest(struct hv_console *con)
{
	while (con->to_guest_len && !con->eof) {
		int n = virStreamSend(con->st, con->to_guest, con->to_guest_len);

		if (n == -2)
			return;
		if (n < 0) {
			virResetLastError();
			con->eof = true;
			break;
		}
		memmove(con->to_guest, con->to_guest + n, con->to_guest_len - n);
		con->to_guest_len -= n;
	}
	if (con->eof)
		con->to_guest_len = 0;
}

/* Watch each side for exactly what the buffers can take now; called with the lock held. */
static void update(struct hv_console *con)
{
	int st_mask = 0, fd_mask = 0;

	if (con->eof && !con->to_user_len && !con->shut) {
		/* The reader gets what was left, then end-of-file; its writes fail from now on. */
		shutdown(con->fd_bridge, SHUT_RDWR);
		con->shut = true;
	}
	if (!con->eof && con->to_user_len < CON_BUF)
		st_mask |= VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
			   VIR_STREAM_EVENT_HANGUP;
	if (!con->eof && con->to_guest_len)
		st_mask |= VIR_STREAM_EVENT_WRITABLE;
	if (!con->user_gone && !con->shut) {
		if (!con->eof && con->to_guest_len < CON_BUF)
			fd_mask |= VIR_EVENT_HANDLE_READABLE;
		if (con->to_user_len)
			fd_mask |= VIR_EVENT_HANDLE_WRITABLE;
	}
	if (con->st_cb && con->eof) {
		virStreamEventRemoveCallback(con->st);
		con->st_cb = false;
	} else if (con->st_cb && st_mask != con->st_mask) {
		virStreamEventUpdateCallback(con->st, st_mask);
		con->st_mask = st_mask;
	}
	if (con->watch >= 0 && fd_mask != con->fd_mask) {
		virEventUpdateHandle(con->watch, fd_mask);
		con->fd_mask = fd_mask;
	}
	virResetLastError();
}

static void stream_cb(virStreamPtr st, int events, void *opaque)
{
	struct hv_console *con = opaque;

	pthread_mutex_lock(&con->lock);
	if (con->closed)
		goto out;
	while (!con->eof && con->to_user_len < CON_BUF) {
		int n = virStreamRecv(st, con->to_user + con->to_user_len,
				      CON_BUF - con->to_user_len);

		if (n == -2)
			break;
		if (n <= 0) {
			/* 0 is the guest's end of the console, -1 a broken stream: both end it. */
			virResetLastError();
			con->eof = true;
			break;
		}
		con->to_user_len += n;
	}
	flush_to_user(con);
	if (events & VIR_STREAM_EVENT_WRITABLE)
		flush_to_guest(con);
	update(con);
out:
	pthread_mutex_unlock(&con->lock);
}

static void fd_cb(int watch, int fd, int events, void *opaque)
{
	struct hv_console *con = opaque;

	pthread_mutex_lock(&con->lock);
	if (con->closed)
		goto out;
	if ((events & VIR_EVENT_HANDLE_READABLE) && con->to_guest_len < CON_BUF && !con->eof) {
		ssize_t n = read(con->fd_bridge, con->to_guest + con->to_guest_len,
				 CON_BUF - con->to_guest_len);

		if (n > 0)
			con->to_guest_len += n;
		else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			con->user_gone = true;
	}
	if (events & (VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP))
		con->user_gone = true;
	flush_to_guest(con);
	flush_to_user(con);
	update(con);
out:
	pthread_mutex_unlock(&con->lock);
}

int hv_console_open(struct hv_conn *conn, const char *name, struct hv_console **out,
		    char **cause)
{
	struct hv_console *con = NULL;
	virDomainPtr dom = NULL;
	int sv[2], rc;

	*out = NULL;
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	con = calloc(1, sizeof(*con));
	if (!con) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	pthread_mutex_init(&con->lock, NULL);
	atomic_init(&con->refs, 1);
	con->fd_user = con->fd_bridge = con->watch = -1;
	con->st = virStreamNew(conn->c, VIR_STREAM_NONBLOCK);
	/* FORCE: the operator at the host's own console wins over a forgotten virsh session. */
	if (!con->st || virDomainOpenConsole(dom, NULL, con->st, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
		rc = base_cause(cause, hv_lv_errno(),
				_("Could not attach to the console of the guest %s: %s."), name,
				hv_lv_msg());
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = base_cause(cause, -errno, _("Could not attach to the console of the guest %s: %s."),
				name, strerror(errno));
		goto out;
	}
	con->fd_user = sv[0];
	con->fd_bridge = sv[1];
	pthread_mutex_lock(&con->lock);
	/*
	 * The handle's free callback runs on the event-loop thread once any
	 * dispatch in flight has returned, so its reference also covers the
	 * stream callback, which is always removed before the handle. The
	 * stream gets no free callback: the remote driver of libvirt 9 never
	 * calls it.
	 */
	con->fd_mask = VIR_EVENT_HANDLE_READABLE;
	atomic_fetch_add(&con->refs, 1);
	con->watch = virEventAddHandle(con->fd_bridge, con->fd_mask, fd_cb, con, con_unref);
	if (con->watch < 0) {
		atomic_fetch_sub(&con->refs, 1);
		rc = base_cause(cause, -EIO,
				_("Could not attach to the console of the guest %s: %s."), name,
				hv_lv_msg());
		pthread_mutex_unlock(&con->lock);
		goto out;
	}
	con->st_mask = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;
	if (virStreamEventAddCallback(con->st, con->st_mask, stream_cb, con, NULL) < 0) {
		rc = base_cause(cause, hv_lv_errno(),
				_("Could not attach to the console of the guest %s: %s."), name,
				hv_lv_msg());
		pthread_mutex_unlock(&con->lock);
		goto out;
	}
	con->st_cb = true;
	pthread_mutex_unlock(&con->lock);
	*out = con;
	con = NULL;
out:
	hv_console_close(con);
	virDomainFree(dom);
	return rc;
}

int hv_console_fd(const struct hv_console *con)
{
	return con->fd_user;
}

ssize_t hv_console_read(struct hv_console *con, void *buf, size_t len)
{
	ssize_t n = read(con->fd_user, buf, len);

	if (n > 0)
		return n;
	if (n == 0)
		return -EPIPE;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return errno == ECONNRESET ? -EPIPE : -errno;
}

ssize_t hv_console_write(struct hv_console *con, const void *buf, size_t len)
{
	ssize_t n = send(con->fd_user, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return errno == ECONNRESET ? -EPIPE : -errno;
}

void hv_console_close(struct hv_console *con)
{
	bool opened, eof;

	if (!con)
		return;
	pthread_mutex_lock(&con->lock);
	con->closed = true;
	opened = con->watch >= 0;
	eof = con->eof;
	if (con->st_cb) {
		virStreamEventRemoveCallback(con->st);
		con->st_cb = false;
	}
	if (con->watch >= 0) {
		virEventRemoveHandle(con->watch);
		con->watch = -1;
	}
	pthread_mutex_unlock(&con->lock);
	/* Outside the lock: ending the stream is a round trip to the daemon. */
	if (opened && eof)
		virStreamFinish(con->st);
	else if (con->st)
		virStreamAbort(con->st);
	virResetLastError();
	if (con->fd_user >= 0)
		close(con->fd_user);
	con->fd_user = -1;
	con_unref(con);
}

/* ---- VNC ------------------------------------------------------------------------ */

struct gfx {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlNodePtr node;     /* the first VNC <graphics>, NULL when none */
};

static void gfx_free(struct gfx *x)
{
	xmlXPathFreeContext(x->ctx);
	xmlFreeDoc(x->doc);
}

/* The guest's VNC <graphics> element, live when it runs, with the password when allowed. */
static int gfx_read(virDomainPtr dom, const char *name, struct gfx *x, char **cause)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE);
	xmlXPathObjectPtr o;

	memset(x, 0, sizeof(*x));
	if (!xml && virGetLastErrorCode() == VIR_ERR_OPERATION_DENIED) {
		virResetLastError();
		xml = virDomainGetXMLDesc(dom, 0);
	}
	if (!xml)
		return base_cause(cause, hv_lv_errno(), _("Could not read the guest %s: %s."), name,
				  hv_lv_msg());
	x->doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(xml);
	x->ctx = x->doc ? xmlXPathNewContext(x->doc) : NULL;
	if (!x->ctx) {
		gfx_free(x);
		return base_cause(cause, -EINVAL,
				  _("The description of the guest %s is not valid XML."), name);
	}
	o = hv_xp_nodes(x->ctx, NULL, "/domain/devices/graphics[@type='vnc']");
	if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
		x->node = o->nodesetval->nodeTab[0];
	xmlXPathFreeObject(o);
	return 0;
}

int hv_vnc_info(struct hv_conn *conn, const char *name, struct hv_vnc_info *vi, char **cause)
{
	virDomainPtr dom;
	struct gfx x;
	char *s;
	int rc;

	memset(vi, 0, sizeof(*vi));
	vi->port = -1;
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	rc = gfx_read(dom, name, &x, cause);
	if (rc < 0 || !x.node)
		goto out;
	s = hv_xp_str(x.ctx, x.node, "@listen");
	if (!s)
		s = hv_xp_str(x.ctx, x.node, "listen[@type='address']/@address");
	snprintf(vi->listen, sizeof(vi->listen), "%s", s ? s : "");
	free(s);
	s = hv_xp_str(x.ctx, x.node, "@passwd");
	vi->has_password = s != NULL;
	free(s);
	/* Only a running guest has a real port; an inactive one says -1 or its wish. */
	if (virDomainIsActive(dom) == 1) {
		s = hv_xp_str(x.ctx, x.node, "@port");
		if (s) {
			long port = strtol(s, NULL, 10);

			vi->port = port > 0 && port <= 65535 ? (int)port : -1;
		}
		free(s);
	}
	virResetLastError();
out:
	if (rc == 0)
		gfx_free(&x);
	virDomainFree(dom);
	return rc;
}

int hv_vnc_set_password(struct hv_conn *conn, const char *name, const char *password,
			time_t until, char **cause)
{
	virDomainPtr dom;
	struct gfx x = { 0 };
	xmlDocPtr dev = NULL;
	xmlNodePtr copy;
	xmlChar *xml = NULL;
	char when[32];
	struct tm tm;
	int len = 0, rc;
	bool have = false, had_password;

	if (!password || !*password || strlen(password) > 8)
		return base_cause(cause, -EINVAL,
				  _("A VNC password must have between 1 and 8 characters."));
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	if (virDomainIsActive(dom) != 1) {
		rc = base_cause(cause, -EINVAL,
				_("The guest %s is not running, so it has no VNC display."), name);
		goto out;
	}
	rc = gfx_read(dom, name, &x, cause);
	if (rc < 0)
		goto out;
	have = true;
	if (!x.node) {
		rc = base_cause(cause, -ENODEV, _("The guest %s has no VNC display."), name);
		goto out;
	}
	had_password = xmlHasProp(x.node, BAD_CAST "passwd") != NULL;
	/* The device as it runs, with only the password changed: libvirt refuses other changes live. */
	dev = xmlNewDoc(BAD_CAST "1.0");
	copy = dev ? xmlDocCopyNode(x.node, dev, 1) : NULL;
	if (!copy) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	xmlDocSetRootElement(dev, copy);
	xmlSetProp(copy, BAD_CAST "passwd", BAD_CAST password);
	if (until > 0 && gmtime_r(&until, &tm)) {
		/* libvirt reads passwdValidTo as UTC, without a zone suffix. */
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		xmlSetProp(copy, BAD_CAST "passwdValidTo", BAD_CAST when);
	} else {
		xmlUnsetProp(copy, BAD_CAST "passwdValidTo");
	}
	xmlDocDumpMemory(dev, &xml, &len);
	if (!xml) {
		rc = base_cause(cause, -ENOMEM, _("Out of memory."));
		goto out;
	}
	if (virDomainUpdateDeviceFlags(dom, (const char *)xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		/* QEMU only turns password checking on at start, when the guest has a password. */
		if (!had_password)
			rc = base_cause(cause, -ENOTSUP,
					_("The guest %s was started without a VNC password, so it cannot get a one-time password; give it a password and start it again."),
					name);
		else
			rc = base_cause(cause, hv_lv_errno(),
					_("Could not set the VNC password of the guest %s: %s."),
					name, hv_lv_msg());
	}
out:
	xmlFree(xml);
	xmlFreeDoc(dev);
	if (have)
		gfx_free(&x);
	virDomainFree(dom);
	return rc;
}

/* ---- one-time VNC passwords ----------------------------------------------------- */

/*
 * Why an event: QEMU checks a VNC password at each connection for as long as it is valid, so a
 * password shown once would open the display to anyone who saw it until it expires. libvirt
 * reports the moment a viewer has authenticated (the graphics event's INITIALIZE phase); the
 * password is then replaced by a random one nobody knows, already expired. The viewer already
 * connected keeps its session. A short validity covers the case where no one connects.
 */
struct hv_otp {
	atomic_int refs;          /* the connection's, libvirt's registration, a running expiry */
	atomic_bool used;
	virConnectPtr c;
	char name[256];
	int cb_id;
};

static void otp_unref(void *opaque)
{
	struct hv_otp *o = opaque;

	if (atomic_fetch_sub(&o->refs, 1) != 1)
		return;
	virConnectClose(o->c);
	free(o);
}

/* A password nobody is told: what remains once the one-time password was used. */
static void random_secret(char out[9])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[8] = { 0 };

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (int i = 0; i < 8; i++)
			r[i] = (unsigned char)(rand() ^ (i * 37));
	for (int i = 0; i < 8; i++)
		out[i] = alphabet[r[i] % (sizeof(alphabet) - 1)];
	out[8] = '\0';
}

/* On its own thread: an API call from the event-loop thread would wait on that same loop. */
static void *otp_expire(void *opaque)
{
	struct hv_otp *o = opaque;
	struct hv_conn tmp = { .c = o->c };
	char secret[9];

	random_secret(secret);
	if (hv_vnc_set_password(&tmp, o->name, secret, time(NULL) - 1, NULL) < 0)
		virResetLastError();
	explicit_bzero(secret, sizeof(secret));
	otp_unref(o);
	return NULL;
}

static void graphics_cb(virConnectPtr c, virDomainPtr dom, int phase,
			const virDomainEventGraphicsAddress *local,
			const virDomainEventGraphicsAddress *remote, const char *scheme,
			const virDomainEventGraphicsSubject *subject, void *opaque)
{
	struct hv_otp *o = opaque;
	pthread_attr_t attr;
	pthread_t tid;

	if (phase != VIR_DOMAIN_EVENT_GRAPHICS_INITIALIZE || atomic_exchange(&o->used, true))
		return;
	atomic_fetch_add(&o->refs, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, otp_expire, o) != 0)
		otp_unref(o);
	pthread_attr_destroy(&attr);
}

void hv_vnc_otp_stop(struct hv_conn *conn)
{
	struct hv_otp *o = conn->otp;

	if (!o)
		return;
	conn->otp = NULL;
	if (virConnectDomainEventDeregisterAny(conn->c, o->cb_id) < 0)
		virResetLastError();
	otp_unref(o);
}

bool hv_vnc_expires_on_connect(struct hv_conn *conn)
{
	const char *type = virConnectGetType(conn->c);

	/* Of libvirt's drivers only QEMU's reports VNC authentications (libxl reports none). */
	virResetLastError();
	return type && !strcmp(type, "QEMU");
}

int hv_vnc_one_time(struct hv_conn *conn, const char *name, const char *password,
		    unsigned window_s, char **cause)
{
	struct hv_otp *o;
	virDomainPtr dom;
	int rc;

	if (!hv_vnc_expires_on_connect(conn))
		return base_cause(cause, -ENOTSUP,
				  _("This hypervisor cannot end a VNC password when a viewer connects."));
	/* Only one password waits at a time: the one shown last. */
	hv_vnc_otp_stop(conn);
	rc = hv_lookup(conn, name, &dom, cause);
	if (rc < 0)
		return rc;
	o = calloc(1, sizeof(*o));
	if (!o) {
		virDomainFree(dom);
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	/* One reference for the connection, one for libvirt's registration. */
	atomic_init(&o->refs, 2);
	atomic_init(&o->used, false);
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->c = conn->c;
	virConnectRef(o->c);
	/* Watching starts before the password is valid, so no viewer slips in between. */
	o->cb_id = virConnectDomainEventRegisterAny(conn->c, dom, VIR_DOMAIN_EVENT_ID_GRAPHICS,
						    VIR_DOMAIN_EVENT_CALLBACK(graphics_cb), o,
						    otp_unref);
	virDomainFree(dom);
	if (o->cb_id < 0) {
		rc = base_cause(cause, hv_lv_errno(),
				_("Could not watch the VNC display of the guest %s: %s."), name,
				hv_lv_msg());
		virConnectClose(o->c);
		free(o);
		return rc;
	}
	conn->otp = o;
	rc = hv_vnc_set_password(conn, name, password, time(NULL) + window_s, cause);
	if (rc < 0)
		hv_vnc_otp_stop(conn);
	return rc;
}
