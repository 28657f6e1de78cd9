/* libvirt's event loop on a private thread, life-cycle events turned into a flag the console polls, and keep-alive. */
#include "hv-int.h"
#include "../hostcfg/hcfg.h"
#include "base/i18n.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

/*
 * The callback's data outlives the deregistration: libvirt may still be
 * dispatching an event when hv_close() runs and frees it later through the
 * free callback, so it is counted.
 */
struct hv_ev {
	atomic_int refs;
	atomic_bool changed;
	bool dead_told;
	int cb_id;
};

static pthread_once_t loop_once = PTHREAD_ONCE_INIT;
static int loop_rc;

/* libvirt prints every error on stderr by default, which would tear a newt screen. */
static void silent_error(void *opaque, virErrorPtr err)
{
}

static void *loop_main(void *arg)
{
	for (;;) {
		/* A failed iteration (a poll error) must not spin the CPU. */
		if (virEventRunDefaultImpl() < 0)
			usleep(10000);
	}
	return NULL;
}

static void loop_start(void)
{
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all, old;

	virSetErrorFunc(NULL, silent_error);
	/* Registered before any connection opens: the remote driver only then watches its socket. */
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		loop_rc = -EIO;
		return;
	}
	/* Signals (SIGWINCH, SIGINT) belong to the screen's thread, not to this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	loop_rc = -pthread_create(&tid, &attr, loop_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int hv_loop_init(char **cause)
{
	pthread_once(&loop_once, loop_start);
	if (loop_rc < 0)
		return base_cause(cause, loop_rc, _("Could not start the libvirt event loop."));
	return 0;
}

void hv_keepalive(struct hv_conn *conn)
{
	/* Local drivers have no keep-alive; that is not an error worth reporting. */
	if (virConnectSetKeepAlive(conn->c, 5, 3) < 0)
		virResetLastError();
}

static void ev_unref(void *opaque)
{
	struct hv_ev *ev = opaque;

	if (atomic_fetch_sub(&ev->refs, 1) == 1)
		free(ev);
}

static int lifecycle_cb(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct hv_ev *ev = opaque;

	atomic_store(&ev->changed, true);
	return 0;
}

int hv_events_start(struct hv_conn *conn, char **cause)
{
	struct hv_ev *ev;

	if (conn->ev)
		return 0;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return base_cause(cause, -ENOMEM, _("Out of memory."));
	/* One reference for the connection, one for libvirt's registration. */
	atomic_init(&ev->refs, 2);
	atomic_init(&ev->changed, false);
	ev->cb_id = virConnectDomainEventRegisterAny(conn->c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						     VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb),
						     ev, ev_unref);
	if (ev->cb_id < 0) {
		/* libvirt does not call the free callback of a registration that failed. */
		int err = hv_lv_errno();

		base_cause(cause, err, _("Could not watch the guests' events: %s."), hv_lv_msg());
		free(ev);
		return err;
	}
	conn->ev = ev;
	return 0;
}

bool hv_events_changed(struct hv_conn *conn)
{
	if (!conn->ev)
		return false;
	/* A lost connection is news too, but only once. */
	if (!conn->ev->dead_told && virConnectIsAlive(conn->c) == 0) {
		conn->ev->dead_told = true;
		atomic_store(&conn->ev->changed, false);
		return true;
	}
	return atomic_exchange(&conn->ev->changed, false);
}

void hv_events_stop(struct hv_conn *conn)
{
	struct hv_ev *ev = conn->ev;

	if (!ev)
		return;
	conn->ev = NULL;
	/*
	 * When this fails (a dead connection) libvirt may still free the callback
	 * as the connection closes, so its reference is left to libvirt either way.
	 */
	if (virConnectDomainEventDeregisterAny(conn->c, ev->cb_id) < 0)
		virResetLastError();
	ev_unref(ev);
}
