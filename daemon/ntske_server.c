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
 * request, one answer, close_notify.  OpenSSL works on memory BIOs and
 * the server does the socket I/O itself: one read per wakeup, one write
 * per TLS flight (the answer and close_notify go out together), one
 * event per connection.  Each connection has a deadline for its whole
 * life, checked at every wakeup, so a client that trickles bytes is cut
 * off as surely as a silent one.
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "blame.h"
#include "clog.h"
#include "log.h"
#include "nts.h"
#include "ntske.h"
#include "ntske_int.h"
#include "proto.h"
#include "xmalloc.h"

#define MAX_LISTEN	16
#define ACCEPT_BATCH	32	/* accepts per wakeup; one of them served */
#define ACCEPT_PAUSE_MS	100	/* out of descriptors: wait */
#define IO_BUF		16384	/* one read, one TLS flight */

struct sconn {
	TAILQ_ENTRY(sconn)	 entry;
	struct ntske_server	*srv;
	int			 fd;
	struct sockaddr_storage	 peer;	/* for blame_set() */
	SSL			*ssl;
	BIO			*in;	/* what the client sent, for OpenSSL */
	BIO			*out;	/* what OpenSSL has for the client */
	BIO			*bbio;	/* OpenSSL's, over out in a handshake */
	struct event		*ev;
	struct timespec		 deadline;
	uint8_t			*req;
	size_t			 reqlen;
	uint8_t			*pend;	/* written in part: the rest */
	size_t			 pendlen;
	uint8_t			*early;	/* p.early_size bytes once made */
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
	struct event			*ev_trim;
	int				 prio;	/* the base's lowest */
	SSL_CTX				**ctx;
	int				 nctx;
	TAILQ_HEAD(, sconn)		 conns;
	int				 nconns;
	struct ntske_stats		 st;
	uint8_t				 io[IO_BUF];
	uint8_t				 resp[NTSKE_MAX_RESPONSE];
};

static void	sconn_cb(evutil_socket_t, short, void *);

/*
 * A handshake leaves about 150 kB of the heap free but dirty, scattered
 * between what stays (TLS sessions, OpenSSL's caches): once the last
 * connection has closed, give it back, at most once a second.
 */
static void
trim_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	malloc_trim(0);
}

static void
sconn_free(struct sconn *c)
{
	struct ntske_server	*srv = c->srv;
	struct timeval		 one_s = { 1, 0 };

	TAILQ_REMOVE(&srv->conns, c, entry);
	if (--srv->nconns == 0 && !evtimer_pending(srv->ev_trim, NULL))
		evtimer_add(srv->ev_trim, &one_s);
	if (c->ev != NULL)
		event_free(c->ev);
	SSL_free(c->ssl);	/* and both BIOs */
	close(c->fd);
	free(c->req);
	free(c->pend);
	if (c->early != NULL) {
		OPENSSL_cleanse(c->early, srv->p.early_size);
		free(c->early);
	}
	free(c);
}

/* Wait for what (EV_READ or EV_WRITE) until the deadline; 0 or -1. */
static int
sconn_wait(struct sconn *c, short what)
{
	struct timespec	 now;
	struct timeval	 tv;
	int64_t		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (c->deadline.tv_sec - now.tv_sec) * 1000 +
	    (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (c->ev != NULL && (event_get_events(c->ev) & what) == 0) {
		event_free(c->ev);
		c->ev = NULL;
	}
	if (c->ev == NULL &&
	    ((c->ev = event_new(c->srv->base, c->fd, what | EV_PERSIST,
	    sconn_cb, c)) == NULL ||
	    event_priority_set(c->ev, c->srv->prio) == -1))
		return -1;
	/* Already added: only the timeout changes, no system call. */
	return event_add(c->ev, &tv);
}

/*
 * Send what OpenSSL has for the client in one write; what the socket
 * does not take waits in pend.  1: all sent, 0: some waits, -1: error.
 */
static int
sconn_flush(struct sconn *c)
{
	struct ntske_server	*srv = c->srv;
	uint8_t			*p;
	ssize_t			 n;
	size_t			 len;
	int			 got;

	if (c->pendlen == 0) {
		if ((got = BIO_read(c->out, srv->io, sizeof(srv->io))) <= 0)
			return 1;
		p = srv->io;
		len = got;
	} else {
		p = c->pend;
		len = c->pendlen;
	}
	while ((n = send(c->fd, p, srv->p.sim && len > NTSKE_SIM_SEGMENT ?
	    NTSKE_SIM_SEGMENT : len, MSG_NOSIGNAL)) == -1 && errno == EINTR)
		;
	if (n == -1 && errno != EAGAIN)
		return -1;
	if (n == -1)
		n = 0;
	if (p == c->pend) {
		memmove(c->pend, c->pend + n, len - n);
		c->pendlen -= n;
	} else if ((size_t)n < len) {
		if (c->pend == NULL)
			c->pend = xmalloc(IO_BUF);
		memcpy(c->pend, p + n, len - n);
		c->pendlen = len - n;
	}
	if (c->pendlen == 0 && BIO_ctrl_pending(c->out) > 0)
		return sconn_flush(c);
	return c->pendlen == 0;
}

/* The whole request is in: answer it, then close_notify. */
static int
sconn_answer(struct sconn *c, size_t reqlen)
{
	struct ntske_server	*srv = c->srv;
	size_t			 resplen = sizeof(srv->resp);
	int			 rc;

	if (srv->handle(srv->arg, c->ssl, c->early, c->req, reqlen,
	    srv->resp, &resplen) == -1 || resplen == 0 ||
	    resplen > sizeof(srv->resp)) {
		srv->st.refused++;
		return -1;
	}
	c->answered = 1;
	rc = SSL_write(c->ssl, srv->resp, resplen);
	OPENSSL_cleanse(srv->resp, resplen);
	if (rc != (int)resplen) {
		srv->st.refused++;
		return -1;
	}
	/* close_notify; we do not wait for the client's */
	SSL_shutdown(c->ssl);
	return 0;
}

/* Take what SSL has decrypted of the request; -1: drop the connection. */
static int
sconn_request(struct sconn *c)
{
	struct ntske_server	*srv = c->srv;
	size_t			 end;
	int			 n, r;

	for (;;) {
		n = SSL_read(c->ssl, c->req + c->reqlen,
		    srv->p.max_request - c->reqlen);
		if (n <= 0) {
			if (SSL_get_error(c->ssl, n) == SSL_ERROR_WANT_READ)
				return 0;
			srv->st.closed_early++;
			return -1;
		}
		c->reqlen += n;
		if ((r = nts_ke_scan(c->req, c->reqlen, &end)) == 1)
			return sconn_answer(c, end);
		if (r == -1 || c->reqlen == srv->p.max_request) {
			srv->st.oversized++;
			log_debug("ntske: request over %zu bytes",
			    srv->p.max_request);
			return -1;
		}
	}
}

/* Run TLS on what came in; -1: drop the connection. */
static int
sconn_tls(struct sconn *c)
{
	struct ntske_server	*srv = c->srv;
	int			 r;

	if (!c->tls_up) {
		if ((r = SSL_do_handshake(c->ssl)) != 1) {
			if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
				return 0;
			srv->st.handshake_failed++;
			return -1;
		}
		c->tls_up = 1;
		if (!ntske_alpn_ok(c->ssl)) {
			/* no ALPN at all: the callback never ran */
			srv->st.handshake_failed++;
			return -1;
		}
	}
	return sconn_request(c);
}

/* Whatever happened, done with c (1) or not (0). */
static int
sconn_io(struct sconn *c, short what)
{
	struct ntske_server	*srv = c->srv;
	ssize_t			 n;
	int			 r;

	if (what & EV_TIMEOUT)
		goto timeout;
	if (c->pendlen > 0)
		goto flush;
	if ((n = recv(c->fd, srv->io, sizeof(srv->io), 0)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			goto wait;
		goto eof;
	}
	if (n == 0)
		goto eof;
	if (BIO_write(c->in, srv->io, n) != n)
		return 1;
	if (sconn_tls(c) == -1) {
		/* an alert for the client, if OpenSSL made one */
		sconn_flush(c);
		ERR_clear_error();
		return 1;
	}
flush:
	if ((r = sconn_flush(c)) == -1)
		goto eof;
	if (r == 0)
		return sconn_wait(c, EV_WRITE) == -1 ? 1 : 0;
	if (c->answered) {
		srv->st.answered++;
		return 1;
	}
	/*
	 * A lone client checks our certificate now, for longer than the
	 * answer takes to make: make it meanwhile.
	 */
	if (c->early == NULL && srv->p.early != NULL && srv->nconns == 1 &&
	    SSL_get_state(c->ssl) == TLS_ST_EARLY_DATA) {
		c->early = xcalloc(1, srv->p.early_size);
		srv->p.early(srv->arg, c->ssl, c->early);
	}
	/* and the key share of a handshake to come (ntske_kx.c) */
	if (ntske_kx_fill() == -1)
		ERR_clear_error();
wait:
	if (sconn_wait(c, EV_READ) == 0)
		return 0;
timeout:
	srv->st.timeouts++;
	return 1;
eof:
	if (c->answered)
		return 1;
	if (!c->tls_up)
		srv->st.handshake_failed++;
	else
		srv->st.closed_early++;
	return 1;
}

static void
sconn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sconn	*c = arg;

	blame_set(BLAME_NTSKE, (struct sockaddr *)&c->peer);
	if (sconn_io(c, what))
		sconn_free(c);
	blame_clear();
}

/*
 * OpenSSL keeps a whole flight in a buffering BIO that it pushes over out,
 * and sends it when the flight is complete.  GnuTLS sends the ServerHello
 * as soon as it is made, so that the client derives its keys while the
 * server signs.  A lone client is served the same way, and gets the
 * Certificate before the signature too, to check the chain meanwhile.
 * Under load every send costs CPU that other handshakes need, and the
 * flight goes out whole.  The buffering BIO passes its push on to out,
 * and that is where we learn it; its pop comes the same way.
 */
static long
out_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl,
    int ret, size_t *processed)
{
	struct sconn	*c = (struct sconn *)BIO_get_callback_arg(b);

	if (oper == BIO_CB_CTRL && argi == BIO_CTRL_PUSH)
		c->bbio = (BIO *)argp;
	else if (oper == BIO_CB_CTRL && argi == BIO_CTRL_POP)
		c->bbio = NULL;
	return ret;
}

static void
msg_cb(int write_p, int version, int type, const void *buf, size_t len,
    SSL *ssl, void *arg)
{
	struct sconn	*c = arg;
	uint8_t		 mt;

	if (!write_p || type != SSL3_RT_HANDSHAKE || len == 0 ||
	    c->bbio == NULL || c->srv->nconns > 1)
		return;
	mt = *(const uint8_t *)buf;
	if ((mt == SSL3_MT_SERVER_HELLO || mt == SSL3_MT_CERTIFICATE) &&
	    BIO_flush(c->bbio) == 1)
		sconn_flush(c);	/* an error shows at the next one */
}

static int
sconn_new(struct ntske_server *srv, int fd, const struct sockaddr_storage *peer)
{
	struct sconn	*c;
	SSL		*ssl;
	BIO		*in, *out;

	if ((ssl = SSL_new(srv->ctx[0])) == NULL) {
		ERR_clear_error();
		return -1;
	}
	if ((in = BIO_new(BIO_s_mem())) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL) {
		BIO_free(in);
		SSL_free(ssl);
		ERR_clear_error();
		return -1;
	}
	/* An empty input BIO means "wait", not end of file. */
	BIO_set_mem_eof_return(in, -1);
	c = xcalloc(1, sizeof(*c));
	c->peer = *peer;
	BIO_set_callback_ex(out, out_cb);
	BIO_set_callback_arg(out, (char *)c);
	SSL_set_msg_callback(ssl, msg_cb);
	SSL_set_msg_callback_arg(ssl, c);
	SSL_set_bio(ssl, in, out);
	SSL_set_accept_state(ssl);
	c->srv = srv;
	c->fd = fd;
	c->ssl = ssl;
	c->in = in;
	c->out = out;
	c->req = xmalloc(srv->p.max_request);
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += srv->p.timeout_ms / 1000;
	c->deadline.tv_nsec += (long)(srv->p.timeout_ms % 1000) * 1000000;
	if (c->deadline.tv_nsec >= 1000000000) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000;
	}
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	/* the ClientHello may be in already */
	if (sconn_io(c, EV_READ))
		sconn_free(c);
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

/* In clknetsim, accept(2) then non-blocking: it has no accept4(2). */
static int
accept_one(const struct ntske_server *srv, int lfd,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	int	 fd;

	if (!srv->p.sim)
		return accept4(lfd, (struct sockaddr *)ss, sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if ((fd = accept(lfd, (struct sockaddr *)ss, sslen)) != -1 &&
	    evutil_make_socket_nonblocking(fd) == -1) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void
accept_cb(evutil_socket_t lfd, short ev, void *arg)
{
	struct lsock		*ls = arg;
	struct ntske_server	*srv = ls->srv;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 i, fd;

	/* clknetsim aborts on a second accept(2) a wakeup: ntske.h */
	for (i = 0; i < (srv->p.sim ? 1 : ACCEPT_BATCH); i++) {
		sslen = sizeof(ss);
		if ((fd = accept_one(srv, lfd, &ss, &sslen)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_debug("ntske: accept: %s", strerror(errno));
				listen_pause(srv);
			}
			return;
		}
		if (srv->nconns >= srv->p.max_conns || srv->nctx == 0 ||
		    blame_blocked((struct sockaddr *)&ss)) {
			srv->st.dropped++;
			close(fd);
			continue;
		}
		if (limited(srv, (struct sockaddr *)&ss)) {
			srv->st.limited++;
			close(fd);
			continue;
		}
		if (sconn_new(srv, fd, &ss) == -1) {
			srv->st.dropped++;
			close(fd);
			continue;
		}
		srv->st.accepted++;
		/*
		 * One TLS step a callback: the listener is still readable
		 * if more wait, and the loop comes back after the NTP.
		 */
		return;
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
	/* TLS is the costly part: it waits for everything else. */
	srv->prio = event_base_get_npriorities(base) - 1;
	TAILQ_INIT(&srv->conns);
	if ((srv->ev_pause = evtimer_new(base, listen_resume, srv)) == NULL ||
	    (srv->ev_trim = evtimer_new(base, trim_cb, srv)) == NULL) {
		if (srv->ev_pause != NULL)
			event_free(srv->ev_pause);
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
	event_free(srv->ev_trim);
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
	if (event_priority_set(ls->ev, srv->prio) == -1) {
		event_free(ls->ev);
		return -1;
	}
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
