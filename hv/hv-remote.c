/* Other hosts watched from threads of their own: connect with back-off, keep-alive, loss noticed through the close callback, samples for the screens. */
#include "hv-int.h"
#include "base/base.h"
#include "base/i18n.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/virterror.h>

#define BACKOFF_MAX_MS 30000

struct hv_remote {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *uri;
	unsigned period_ms;
	int refs;                    /* the thread, and the owner until hv_remote_stop() */
	bool stop, kick;
	atomic_bool closed;          /* set by libvirt's close callback */
	struct hv_remote_view view;
	long long addrs_at;          /* base_now_ms() of the last address round; 0 = none */
};

static void addrs_free(struct hv_remote_addrs *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		hv_addrs_free(a[i].v, a[i].n);
	free(a);
}

/* A copy of @from into @to; false (and nothing to free) when memory ran out. */
static bool addrs_copy(struct hv_remote_addrs *to, const struct hv_remote_addrs *from)
{
	memcpy(to->uuid, from->uuid, sizeof(to->uuid));
	to->n = 0;
	to->v = NULL;
	if (!from->n)
		return true;
	if (!(to->v = calloc(from->n, sizeof(*to->v))))
		return false;
	for (; to->n < from->n; to->n++)
		if (!(to->v[to->n] = strdup(from->v[to->n]))) {
			hv_addrs_free(to->v, to->n);
			to->v = NULL;
			to->n = 0;
			return false;
		}
	return true;
}

static void unref(struct hv_remote *r)
{
	int left;

	pthread_mutex_lock(&r->lock);
	left = --r->refs;
	pthread_mutex_unlock(&r->lock);
	if (left)
		return;
	hv_remote_view_clear(&r->view);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r->uri);
	free(r);
}

static void on_close(virConnectPtr c, int reason, void *opaque)
{
	struct hv_remote *r = opaque;

	atomic_store(&r->closed, true);
	pthread_mutex_lock(&r->lock);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* Sleep @ms unless stopped or kicked; returns true when stopped. */
static bool pause_ms(struct hv_remote *r, unsigned ms)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->stop && !r->kick && !atomic_load(&r->closed) &&
	       pthread_cond_timedwait(&r->cond, &r->lock, &until) != ETIMEDOUT)
		;
	r->kick = false;
	stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

static void set_lost(struct hv_remote *r, const char *why)
{
	pthread_mutex_lock(&r->lock);
	if (r->view.state != HV_REMOTE_LOST)
		r->view.lost_since = time(NULL);
	r->view.state = HV_REMOTE_LOST;
	snprintf(r->view.error, sizeof(r->view.error), "%s", why ? why : "");
	/* Back on line, the guests may have other addresses: asked again, none kept meanwhile. */
	addrs_free(r->view.addrs, r->view.naddrs);
	r->view.addrs = NULL;
	r->view.naddrs = 0;
	r->addrs_at = 0;
	r->view.generation++;
	pthread_mutex_unlock(&r->lock);
}

/*
 * The running guests' addresses, from that host's libvirt: every HV_REMOTE_ADDR_MS all of them, in
 * between only the guests that were not running at the last sample. A guest seen off is
 * forgotten, so that no address outlives the run it belonged to. Only this thread writes
 * r->view.addrs: it reads them without the lock.
 */
static struct hv_remote_addrs *ask_addrs(struct hv_remote *r, struct hv_conn *c,
					 const struct hv_dom_stat *doms, size_t n, size_t *nout)
{
	long long now = base_now_ms();
	bool all = !r->addrs_at || now - r->addrs_at >= HV_REMOTE_ADDR_MS;
	struct hv_remote_addrs *out = calloc(n ? n : 1, sizeof(*out));
	size_t k = 0;

	*nout = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct hv_remote_addrs *old = all ? NULL :
			hv_remote_addrs_of(&r->view, doms[i].uuid);
		struct hv_remote_addrs *a = &out[k];

		if (doms[i].state == HV_STATE_SHUTOFF || doms[i].state == HV_STATE_CRASHED)
			continue;
		snprintf(a->uuid, sizeof(a->uuid), "%s", doms[i].uuid);
		if (old) {
			if (!addrs_copy(a, old))
				continue;
		} else if (hv_dom_addresses(c, doms[i].name, HV_ADDR_LEASE | HV_ADDR_ARP, &a->v,
					    &a->n, NULL) < 0) {
			/* Gone meanwhile, or the host would not say: not known, not "none". */
			virResetLastError();
			continue;
		}
		k++;
	}
	if (all)
		r->addrs_at = now;
	*nout = k;
	return out;
}

/*
 * One look at the other host. A guest list that could not be read is the host lost, with the
 * list's error: kept as it was, the last list would look current.
 */
static int sample(struct hv_remote *r, struct hv_conn *c, char **cause)
{
	struct hv_dom_stat *doms = NULL;
	struct hv_remote_addrs *addrs = NULL;
	struct hv_host h;
	size_t n = 0, naddrs = 0;
	bool host_ok = hv_host_info(c, &h, NULL) == 0;
	int rc = hv_list(c, &doms, &n, cause);

	if (rc < 0)
		return rc;
	addrs = ask_addrs(r, c, doms, n, &naddrs);

	pthread_mutex_lock(&r->lock);
	r->view.state = HV_REMOTE_CONNECTED;
	r->view.error[0] = '\0';
	if (host_ok) {
		r->view.host = h;
		r->view.host_ok = true;
	}
	free(r->view.doms);
	r->view.doms = doms;
	r->view.n = n;
	addrs_free(r->view.addrs, r->view.naddrs);
	r->view.addrs = addrs;
	r->view.naddrs = naddrs;
	r->view.generation++;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* The connection closed and the host marked lost, saying @why. */
static void drop(struct hv_remote *r, struct hv_conn **c, const char *why)
{
	virConnectUnregisterCloseCallback((*c)->c, on_close);
	virResetLastError();
	hv_close(*c);
	*c = NULL;
	set_lost(r, why);
}

static void *watch(void *arg)
{
	struct hv_remote *r = arg;
	struct hv_conn *c = NULL;
	unsigned backoff = 1000;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		bool stop = r->stop;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
		if (!c) {
			char *cause = NULL;

			atomic_store(&r->closed, false);
			if (hv_open(r->uri, &c, &cause) < 0) {
				set_lost(r, cause);
				free(cause);
				c = NULL;
				if (pause_ms(r, backoff))
					break;
				backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
				continue;
			}
			/*
			 * No reference of its own for the callback: a local driver (test://) accepts
			 * the registration without keeping it and never calls a free function, so
			 * such a reference was never dropped. None is needed: libvirt calls on_close
			 * under the lock that unregistering takes, so once this thread unregistered
			 * it, on_close no longer runs.
			 */
			if (virConnectRegisterCloseCallback(c->c, on_close, r, NULL) < 0)
				virResetLastError();
		}
		if (atomic_load(&r->closed) || virConnectIsAlive(c->c) != 1) {
			drop(r, &c, _("The connection was lost."));
			/* A link that keeps dropping is not hammered with new connections. */
			atomic_store(&r->closed, false);
			if (pause_ms(r, backoff))
				break;
			continue;
		}
		char *cause = NULL;

		if (sample(r, c, &cause) < 0) {
			/*
			 * As a lost connection: a new one may list again; until then, the reason (the
			 * list's own, unless the connection went down under it).
			 */
			bool gone = atomic_load(&r->closed) || virConnectIsAlive(c->c) != 1;

			drop(r, &c, gone ? _("The connection was lost.") : cause);
			free(cause);
			atomic_store(&r->closed, false);
			if (pause_ms(r, backoff))
				break;
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		/* Only a host that answered is back: one that connects but never lists keeps backing off. */
		backoff = 1000;
		if (pause_ms(r, r->period_ms))
			break;
	}
	if (c) {
		virConnectUnregisterCloseCallback(c->c, on_close);
		virResetLastError();
		hv_close(c);
	}
	unref(r);
	return NULL;
}

int hv_remote_start(const char *uri, unsigned period_ms, struct hv_remote **out, char **cause)
{
	struct hv_remote *r = calloc(1, sizeof(*r));
	pthread_t tid;
	pthread_attr_t attr;
	int rc = hv_loop_init(cause);

	*out = NULL;
	if (rc < 0 || !r) {
		free(r);
		return rc < 0 ? rc : base_cause(cause, -ENOMEM, _("Out of memory."));
	}
	r->uri = strdup(uri);
	r->period_ms = period_ms ? period_ms : 2000;
	r->refs = 2;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (!r->uri || pthread_create(&tid, &attr, watch, r) != 0) {
		pthread_attr_destroy(&attr);
		r->refs = 1;
		unref(r);
		return base_cause(cause, -EAGAIN, _("Could not start watching %s."), uri);
	}
	pthread_attr_destroy(&attr);
	*out = r;
	return 0;
}

void hv_remote_stop(struct hv_remote *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	unref(r);
}

void hv_remote_kick(struct hv_remote *r)
{
	pthread_mutex_lock(&r->lock);
	r->kick = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void hv_remote_get(struct hv_remote *r, struct hv_remote_view *v)
{
	pthread_mutex_lock(&r->lock);
	*v = r->view;
	v->doms = NULL;
	if (r->view.n) {
		v->doms = malloc(r->view.n * sizeof(*v->doms));
		if (v->doms)
			memcpy(v->doms, r->view.doms, r->view.n * sizeof(*v->doms));
		else
			v->n = 0;
	}
	v->addrs = NULL;
	v->naddrs = 0;
	if (r->view.naddrs && (v->addrs = calloc(r->view.naddrs, sizeof(*v->addrs)))) {
		/* One that memory could not copy is "not known": never a part of its list. */
		for (size_t i = 0; i < r->view.naddrs; i++)
			if (addrs_copy(&v->addrs[v->naddrs], &r->view.addrs[i]))
				v->naddrs++;
	}
	pthread_mutex_unlock(&r->lock);
}

const struct hv_remote_addrs *hv_remote_addrs_of(const struct hv_remote_view *v, const char *uuid)
{
	for (size_t i = 0; i < v->naddrs; i++)
		if (!strcmp(v->addrs[i].uuid, uuid))
			return &v->addrs[i];
	return NULL;
}

enum hv_remote_state hv_remote_state(struct hv_remote *r, time_t *lost_since)
{
	enum hv_remote_state st;

	pthread_mutex_lock(&r->lock);
	st = r->view.state;
	if (lost_since)
		*lost_since = r->view.lost_since;
	pthread_mutex_unlock(&r->lock);
	return st;
}

void hv_remote_view_clear(struct hv_remote_view *v)
{
	free(v->doms);
	v->doms = NULL;
	v->n = 0;
	addrs_free(v->addrs, v->naddrs);
	v->addrs = NULL;
	v->naddrs = 0;
}

const char *hv_remote_uri(const struct hv_remote *r)
{
	return r->uri;
}
