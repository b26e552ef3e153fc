/*
 * Copyright (c) 2026 The timed developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The NTS-KE server: accept, a bounded number of handshakes, one
 * request, one answer, close_notify.  Each connection has one timer for
 * its whole life, so a client that trickles bytes is cut off as surely
 * as a silent one.
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "clientlog.h"
#include "log.h"
#include "nts.h"
#include "ntske.h"
#include "ntske_int.h"
#include "xmalloc.h"

#define MAX_LISTEN	16
#define ACCEPT_BATCH	32	/* connections taken per wakeup */
#define ACCEPT_PAUSE_MS	100	/* out of descriptors: wait */

struct sconn {
	TAILQ_ENTRY(sconn)	 entry;
	struct ntske_server	*srv;
	struct bufferevent	*bev;
	SSL			*ssl;
	struct event		*timer;
	uint8_t			*req;
	size_t			 reqlen;
	int			 tls_up;
	int			 answered;
};

struct lsock {
	struct ntske_server	*srv;
	struct event		*ev;
};

struct ntske_server {
	struct event_base		*base;
	struct ntske_server_params	 p;
	ntske_handle_fn			 handle;
	void				*arg;
	struct lsock			 socks[MAX_LISTEN];
	int				 nsocks;
	struct event			*ev_pause;
	SSL_CTX				**ctx;
	int				 nctx;
	TAILQ_HEAD(, sconn)		 conns;
	int				 nconns;
	struct ntske_stats		 st;
	uint8_t				 resp[NTSKE_MAX_RESPONSE];
};

static void
sconn_free(struct sconn *c)
{
	struct ntske_server	*srv = c->srv;

	TAILQ_REMOVE(&srv->conns, c, entry);
	srv->nconns--;
	event_free(c->timer);
	bufferevent_free(c->bev);	/* frees ssl, closes the socket */
	free(c->req);
	free(c);
}

static void
sconn_answer(struct sconn *c, size_t reqlen)
{
	struct ntske_server	*srv = c->srv;
	size_t			 resplen = sizeof(srv->resp);

	bufferevent_disable(c->bev, EV_READ);
	if (srv->handle(srv->arg, c->ssl, c->req, reqlen, srv->resp,
	    &resplen) == -1 || resplen == 0 || resplen > sizeof(srv->resp)) {
		srv->st.refused++;
		sconn_free(c);
		return;
	}
	c->answered = 1;
	if (bufferevent_write(c->bev, srv->resp, resplen) == -1) {
		srv->st.refused++;
		sconn_free(c);
	}
	OPENSSL_cleanse(srv->resp, resplen);
}

static void
sconn_read(struct bufferevent *bev, void *arg)
{
	struct sconn		*c = arg;
	struct ntske_server	*srv = c->srv;
	size_t			 end;
	int			 n, r;

	if (c->answered)	/* one request per connection */
		return;
	n = evbuffer_remove(bufferevent_get_input(bev), c->req + c->reqlen,
	    srv->p.max_request - c->reqlen);
	if (n < 0)
		n = 0;
	c->reqlen += n;
	if ((r = nts_ke_scan(c->req, c->reqlen, &end)) == 1) {
		sconn_answer(c, end);
		return;
	}
	if (r == -1 || c->reqlen == srv->p.max_request) {
		srv->st.oversized++;
		log_debug("ntske: request over %zu bytes", srv->p.max_request);
		sconn_free(c);
	}
}

static void
sconn_write(struct bufferevent *bev, void *arg)
{
	struct sconn	*c = arg;

	if (!c->answered ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	c->srv->st.answered++;
	/* close_notify; we do not wait for the client's */
	SSL_shutdown(c->ssl);
	sconn_free(c);
}

static void
sconn_event(struct bufferevent *bev, short what, void *arg)
{
	struct sconn		*c = arg;
	struct ntske_server	*srv = c->srv;

	if (what & BEV_EVENT_CONNECTED) {
		c->tls_up = 1;
		if (!ntske_alpn_ok(c->ssl)) {
			/* no ALPN at all: the callback never ran */
			srv->st.handshake_failed++;
			sconn_free(c);
		}
		return;
	}
	if (!c->tls_up)
		srv->st.handshake_failed++;
	else
		srv->st.closed_early++;
	sconn_free(c);
}

static void
sconn_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct sconn	*c = arg;

	c->srv->st.timeouts++;
	sconn_free(c);
}

static int
sconn_new(struct ntske_server *srv, int fd)
{
	struct sconn	*c;
	SSL		*ssl;

	if ((ssl = SSL_new(srv->ctx[0])) == NULL) {
		ERR_clear_error();
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->srv = srv;
	c->ssl = ssl;
	c->req = xmalloc(srv->p.max_request);
	if ((c->bev = bufferevent_openssl_socket_new(srv->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		SSL_free(ssl);
		free(c->req);
		free(c);
		return -1;
	}
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	bufferevent_setcb(c->bev, sconn_read, sconn_write, sconn_event, c);
	if ((c->timer = evtimer_new(srv->base, sconn_timeout, c)) == NULL ||
	    ntske_arm_timer(c->timer, srv->p.timeout_ms) == -1 ||
	    bufferevent_enable(c->bev, EV_READ) == -1) {
		sconn_free(c);
		return 0;	/* the socket is closed */
	}
	return 0;
}

static int
limited(struct ntske_server *srv, const struct sockaddr *sa)
{
	struct timespec	 ts;
	uint32_t	 rnd;

	if (srv->p.limiter == NULL)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	evutil_secure_rng_get_bytes(&rnd, sizeof(rnd));
	return clog_request(srv->p.limiter, sa,
	    (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, rnd) != CLOG_ANSWER;
}

static void
listen_pause(struct ntske_server *srv)
{
	int	 i;

	for (i = 0; i < srv->nsocks; i++)
		event_del(srv->socks[i].ev);
	ntske_arm_timer(srv->ev_pause, ACCEPT_PAUSE_MS);
}

static void
listen_resume(evutil_socket_t fd, short ev, void *arg)
{
	struct ntske_server	*srv = arg;
	int			 i;

	for (i = 0; i < srv->nsocks; i++)
		event_add(srv->socks[i].ev, NULL);
}

static void
accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	struct lsock		*ls = arg;
	struct ntske_server	*srv = ls->srv;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		sslen = sizeof(ss);
		if ((fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_debug("ntske: accept: %s", strerror(errno));
				listen_pause(srv);
			}
			return;
		}
		if (srv->nconns >= srv->p.max_conns || srv->nctx == 0) {
			srv->st.dropped++;
			close(fd);
			continue;
		}
		if (limited(srv, (struct sockaddr *)&ss)) {
			srv->st.limited++;
			close(fd);
			continue;
		}
		if (sconn_new(srv, fd) == -1) {
			srv->st.dropped++;
			close(fd);
			continue;
		}
		srv->st.accepted++;
	}
}

struct ntske_server *
ntske_server_new(struct event_base *base,
    const struct ntske_server_params *p, ntske_handle_fn handle, void *arg)
{
	struct ntske_server	*srv = xcalloc(1, sizeof(*srv));

	srv->base = base;
	srv->p = *p;
	if (srv->p.max_conns <= 0)
		srv->p.max_conns = NTSKE_MAX_CONNS;
	if (srv->p.timeout_ms <= 0)
		srv->p.timeout_ms = NTSKE_TIMEOUT_MS;
	if (srv->p.max_request == 0 || srv->p.max_request > NTSKE_MAX_RESPONSE)
		srv->p.max_request = NTSKE_MAX_REQUEST;
	srv->handle = handle;
	srv->arg = arg;
	TAILQ_INIT(&srv->conns);
	if ((srv->ev_pause = evtimer_new(base, listen_resume, srv)) == NULL) {
		free(srv);
		return NULL;
	}
	return srv;
}

void
ntske_server_free(struct ntske_server *srv)
{
	int	 i;

	if (srv == NULL)
		return;
	while (!TAILQ_EMPTY(&srv->conns))
		sconn_free(TAILQ_FIRST(&srv->conns));
	for (i = 0; i < srv->nsocks; i++) {
		close(event_get_fd(srv->socks[i].ev));
		event_free(srv->socks[i].ev);
	}
	ntske_server_set_ctx(srv, NULL, 0);
	event_free(srv->ev_pause);
	OPENSSL_cleanse(srv->resp, sizeof(srv->resp));
	free(srv);
}

int
ntske_server_add_socket(struct ntske_server *srv, int fd)
{
	struct lsock	*ls;

	if (srv->nsocks == MAX_LISTEN)
		return -1;
	if (evutil_make_socket_nonblocking(fd) == -1)
		return -1;
	ls = &srv->socks[srv->nsocks];
	ls->srv = srv;
	if ((ls->ev = event_new(srv->base, fd, EV_READ | EV_PERSIST,
	    accept_cb, ls)) == NULL)
		return -1;
	if (event_add(ls->ev, NULL) == -1) {
		event_free(ls->ev);
		return -1;
	}
	srv->nsocks++;
	return 0;
}

/* Several certificates: the one whose names match the client's SNI. */
static int
sni_select(SSL *ssl, int *alert, void *arg)
{
	struct ntske_server	*srv = arg;
	const char		*name;
	X509			*x;
	int			 i;

	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name == NULL || srv->nctx < 2)
		return SSL_TLSEXT_ERR_OK;
	for (i = 0; i < srv->nctx; i++) {
		x = SSL_CTX_get0_certificate(srv->ctx[i]);
		if (x != NULL && X509_check_host(x, name, 0, 0, NULL) == 1) {
			if (SSL_get_SSL_CTX(ssl) != srv->ctx[i])
				SSL_set_SSL_CTX(ssl, srv->ctx[i]);
			break;
		}
	}
	return SSL_TLSEXT_ERR_OK;
}

void
ntske_server_set_ctx(struct ntske_server *srv, SSL_CTX **ctx, int n)
{
	int	 i;

	for (i = 0; i < srv->nctx; i++)
		SSL_CTX_free(srv->ctx[i]);	/* connections keep theirs */
	free(srv->ctx);
	srv->ctx = NULL;
	srv->nctx = 0;
	if (n <= 0)
		return;
	srv->ctx = xcalloc(n, sizeof(*srv->ctx));
	for (i = 0; i < n; i++) {
		SSL_CTX_up_ref(ctx[i]);
		srv->ctx[i] = ctx[i];
	}
	srv->nctx = n;
	SSL_CTX_set_tlsext_servername_callback(srv->ctx[0], sni_select);
	SSL_CTX_set_tlsext_servername_arg(srv->ctx[0], srv);
}

void
ntske_server_stats(const struct ntske_server *srv, struct ntske_stats *st)
{
	*st = srv->st;
}

int
ntske_server_conns(const struct ntske_server *srv)
{
	return srv->nconns;
}
