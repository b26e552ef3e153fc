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
 * NTS-KE over TLS 1.3: the server (accept, bounded handshakes, one
 * request, one answer, close_notify) and the client (resolve, connect,
 * verify, one request, one answer).  Each connection has one timer for
 * its whole life, so a peer that trickles bytes is cut off as surely as
 * a silent one.
 */

#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "clientlog.h"
#include "log.h"
#include "ntske.h"
#include "xmalloc.h"

#define MAX_LISTEN	16
#define ACCEPT_BATCH	32	/* connections taken per wakeup */
#define ACCEPT_PAUSE_MS	100	/* out of descriptors: wait */

static const uint8_t alpn_wire[] = "\x07" NTSKE_ALPN;

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

struct ntske_conn {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct bufferevent	*bev;
	SSL			*ssl;
	struct event		*timer;
	char			 host[256];
	uint16_t		 port;
	int			 timeout_ms;
	int			 started;	/* the connection was started */
	int			 tls_up;
	int			 early_error;	/* to report from the timer */
	ntske_request_fn	 request;
	ntske_done_fn		 done;
	void			*arg;
	uint8_t			*resp;
	size_t			 resplen;
};

size_t
ntske_msg_end(const uint8_t *buf, size_t len)
{
	size_t		 off = 0, blen;
	unsigned int	 type;

	while (len - off >= 4) {
		type = ((unsigned int)buf[off] << 8 | buf[off + 1]) & 0x7fff;
		blen = (size_t)buf[off + 2] << 8 | buf[off + 3];
		if (blen > len - off - 4)
			return 0;
		off += 4 + blen;
		if (type == 0)
			return off;
	}
	return 0;
}

const char *
ntske_strerror(int e)
{
	switch (e) {
	case NTSKE_OK:
		return "ok";
	case NTSKE_ERR_DNS:
		return "cannot resolve";
	case NTSKE_ERR_CONNECT:
		return "cannot connect";
	case NTSKE_ERR_TLS:
		return "TLS handshake failed";
	case NTSKE_ERR_VERIFY:
		return "certificate verification failed";
	case NTSKE_ERR_ALPN:
		return "server does not speak ntske/1";
	case NTSKE_ERR_TIMEOUT:
		return "timed out";
	case NTSKE_ERR_TOOBIG:
		return "answer too long";
	case NTSKE_ERR_CLOSED:
		return "closed before the end of the answer";
	case NTSKE_ERR_REQUEST:
		return "no request to send";
	}
	return "unknown error";
}

int
ntske_init(void)
{
	SSL_CTX		*ctx;
	unsigned char	 b[16];
	int		 rc = -1;

	if (OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		return -1;
	/* Fetch the providers' algorithms and the TLS methods now. */
	if ((ctx = SSL_CTX_new(TLS_method())) != NULL &&
	    RAND_bytes(b, sizeof(b)) == 1 &&
	    RAND_priv_bytes(b, sizeof(b)) == 1)
		rc = 0;
	SSL_CTX_free(ctx);
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

int
ntske_export_keys(SSL *ssl, uint16_t aead, uint8_t *c2s, uint8_t *s2c,
    size_t keylen)
{
	/* protocol id (NTPv4: 0), AEAD id, then 0 (c2s) or 1 (s2c) */
	unsigned char	 context[5] = { 0, 0, aead >> 8, aead & 0xff, 0 };

	if (ssl == NULL || keylen == 0 || SSL_version(ssl) != TLS1_3_VERSION)
		return -1;
	if (SSL_export_keying_material(ssl, c2s, keylen, NTSKE_EXPORTER_LABEL,
	    strlen(NTSKE_EXPORTER_LABEL), context, sizeof(context), 1) != 1)
		return -1;
	context[4] = 1;
	if (SSL_export_keying_material(ssl, s2c, keylen, NTSKE_EXPORTER_LABEL,
	    strlen(NTSKE_EXPORTER_LABEL), context, sizeof(context), 1) != 1) {
		OPENSSL_cleanse(c2s, keylen);
		return -1;
	}
	return 0;
}

/* Contexts from PEM text */

/* Never ask for a pass phrase: OpenSSL's default would open the tty. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static void
ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long	 e = ERR_peek_last_error();
	char		 buf[256];

	if (e == 0)
		snprintf(err, errlen, "%s", what);
	else {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errlen, "%s: %s", what, buf);
	}
	ERR_clear_error();
}

/* 1 if the last PEM read failed only because no PEM block was left. */
static int
pem_at_end(void)
{
	unsigned long	 e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		return 1;
	}
	return 0;
}

/* The one protocol NTS-KE has; without it the handshake fails. */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned int	 off = 0, n;

	while (off < inlen) {
		n = in[off];
		if (n > inlen - off - 1)
			break;
		if (n == sizeof(alpn_wire) - 2 &&
		    memcmp(in + off, alpn_wire, sizeof(alpn_wire) - 1) == 0) {
			*out = in + off + 1;
			*outlen = n;
			return SSL_TLSEXT_ERR_OK;
		}
		off += 1 + n;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static SSL_CTX *
ctx_new(const SSL_METHOD *method, char *err, size_t errlen)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(method)) == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1) {
		ssl_err(err, errlen, "TLS 1.3");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* One exchange per connection: nothing to resume. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	return ctx;
}

static int
load_chain(SSL_CTX *ctx, BIO *bio, char *err, size_t errlen)
{
	X509	*x;
	int	 n = 0;

	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) !=
	    NULL) {
		if ((n == 0 ? SSL_CTX_use_certificate(ctx, x) :
		    SSL_CTX_add0_chain_cert(ctx, x)) != 1) {
			X509_free(x);
			ssl_err(err, errlen, "certificate");
			return -1;
		}
		if (n++ == 0)
			X509_free(x);	/* use_certificate took a reference */
	}
	if (!pem_at_end()) {
		ssl_err(err, errlen, "certificate");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "no certificate");
		return -1;
	}
	return 0;
}

static int
load_key(SSL_CTX *ctx, BIO *bio, char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	int		 rc;

	if ((pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) == NULL) {
		ssl_err(err, errlen, "private key");
		return -1;
	}
	rc = SSL_CTX_use_PrivateKey(ctx, pkey);
	EVP_PKEY_free(pkey);
	if (rc != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errlen, "private key does not match the "
		    "certificate");
		return -1;
	}
	return 0;
}

SSL_CTX *
ntske_server_ctx(const uint8_t *pem, size_t len, char *err, size_t errlen)
{
	SSL_CTX	*ctx;
	BIO	*bio = NULL;

	if (len > NTSKE_MAX_PEM || len > INT32_MAX) {
		snprintf(err, errlen, "too long");
		return NULL;
	}
	if ((ctx = ctx_new(TLS_server_method(), err, errlen)) == NULL)
		return NULL;
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    load_chain(ctx, bio, err, errlen) == -1)
		goto fail;
	BIO_free(bio);
	/* The key may come before or after the certificates. */
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    load_key(ctx, bio, err, errlen) == -1)
		goto fail;
	BIO_free(bio);
	return ctx;
fail:
	if (bio == NULL)
		snprintf(err, errlen, "out of memory");
	BIO_free(bio);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
ntske_client_ctx(const uint8_t *pem, size_t len, char *err, size_t errlen)
{
	SSL_CTX		*ctx;
	X509_STORE	*store;
	X509		*x;
	BIO		*bio;
	int		 ok;

	if (len > NTSKE_MAX_PEM || len > INT32_MAX) {
		snprintf(err, errlen, "too long");
		return NULL;
	}
	if ((ctx = ctx_new(TLS_client_method(), err, errlen)) == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	store = SSL_CTX_get_cert_store(ctx);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		SSL_CTX_free(ctx);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) !=
	    NULL) {
		ok = X509_STORE_add_cert(store, x);
		X509_free(x);
		if (ok != 1) {
			ssl_err(err, errlen, "trusted certificate");
			goto fail;
		}
	}
	if (!pem_at_end()) {
		ssl_err(err, errlen, "trusted certificate");
		goto fail;
	}
	BIO_free(bio);
	return ctx;
fail:
	BIO_free(bio);
	SSL_CTX_free(ctx);
	return NULL;
}

uint8_t *
ntske_map_fd(int fd, size_t *len, char *err, size_t errlen)
{
	struct stat	 st;
	void		*p;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > NTSKE_MAX_PEM) {
		snprintf(err, errlen, "size %lld outside 1..%d",
		    (long long)st.st_size, NTSKE_MAX_PEM);
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return NULL;
	}
	*len = st.st_size;
	return p;
}

/* Server */

static void	sconn_free(struct sconn *);

static int
arm_timer(struct event *ev, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	return evtimer_add(ev, &tv);
}

static int
alpn_is_ntske(SSL *ssl)
{
	const unsigned char	*p;
	unsigned int		 n;

	SSL_get0_alpn_selected(ssl, &p, &n);
	return n == sizeof(alpn_wire) - 2 && memcmp(p, NTSKE_ALPN, n) == 0;
}

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
	int			 n;

	if (c->answered)	/* one request per connection */
		return;
	n = evbuffer_remove(bufferevent_get_input(bev), c->req + c->reqlen,
	    srv->p.max_request - c->reqlen);
	if (n < 0)
		n = 0;
	c->reqlen += n;
	if ((end = ntske_msg_end(c->req, c->reqlen)) != 0) {
		sconn_answer(c, end);
		return;
	}
	if (c->reqlen == srv->p.max_request) {
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
		if (!alpn_is_ntske(c->ssl)) {
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
	    arm_timer(c->timer, srv->p.timeout_ms) == -1 ||
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
	arm_timer(srv->ev_pause, ACCEPT_PAUSE_MS);
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

/* Client */

static void
client_free(struct ntske_conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);	/* and the SSL, the socket */
	else if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->resp != NULL) {
		OPENSSL_cleanse(c->resp, c->resplen);
		free(c->resp);
	}
	free(c);
}

static void
client_finish(struct ntske_conn *c, int error, size_t len)
{
	c->done(c->arg, error, c->tls_up ? c->ssl : NULL, c->resp,
	    error == NTSKE_OK ? len : 0);
	if (error == NTSKE_OK)
		SSL_shutdown(c->ssl);	/* close_notify */
	client_free(c);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct ntske_conn	*c = arg;
	size_t			 end;
	int			 n;

	n = evbuffer_remove(bufferevent_get_input(bev), c->resp + c->resplen,
	    NTSKE_MAX_RESPONSE - c->resplen);
	if (n > 0)
		c->resplen += n;
	if ((end = ntske_msg_end(c->resp, c->resplen)) != 0) {
		client_finish(c, NTSKE_OK, end);
		return;
	}
	if (c->resplen == NTSKE_MAX_RESPONSE) {
		log_warnx("ntske: %s: answer over %d bytes", c->host,
		    NTSKE_MAX_RESPONSE);
		client_finish(c, NTSKE_ERR_TOOBIG, 0);
	}
}

static void
client_send(struct ntske_conn *c)
{
	uint8_t	 req[NTSKE_MAX_REQUEST];
	size_t	 len = sizeof(req);
	int	 rc;

	if (!alpn_is_ntske(c->ssl)) {
		log_warnx("ntske: %s: server did not select %s", c->host,
		    NTSKE_ALPN);
		client_finish(c, NTSKE_ERR_ALPN, 0);
		return;
	}
	if (c->request(c->arg, c->ssl, req, &len) == -1 || len == 0 ||
	    len > sizeof(req)) {
		client_finish(c, NTSKE_ERR_REQUEST, 0);
		return;
	}
	rc = bufferevent_write(c->bev, req, len);
	OPENSSL_cleanse(req, len);
	if (rc == -1)
		client_finish(c, NTSKE_ERR_CONNECT, 0);
}

/* Why the connection failed, logged with the server's name. */
static int
client_error(struct ntske_conn *c, short what)
{
	unsigned long	 e;
	long		 vr;
	char		 buf[256] = "";
	int		 dnserr, serr = EVUTIL_SOCKET_ERROR();

	if ((dnserr = bufferevent_socket_get_dns_error(c->bev)) != 0) {
		log_warnx("ntske: %s: cannot resolve: %s", c->host,
		    evutil_gai_strerror(dnserr));
		return NTSKE_ERR_DNS;
	}
	if (!c->tls_up && (vr = SSL_get_verify_result(c->ssl)) != X509_V_OK) {
		log_warnx("ntske: %s: certificate verification failed: %s",
		    c->host, X509_verify_cert_error_string(vr));
		return NTSKE_ERR_VERIFY;
	}
	if ((e = bufferevent_get_openssl_error(c->bev)) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		while (bufferevent_get_openssl_error(c->bev) != 0)
			;
	}
	if (c->tls_up) {
		log_warnx("ntske: %s: connection closed before the end of the "
		    "answer%s%s", c->host, buf[0] != '\0' ? ": " : "", buf);
		return NTSKE_ERR_CLOSED;
	}
	if (buf[0] != '\0') {
		log_warnx("ntske: %s: TLS handshake failed: %s", c->host, buf);
		return NTSKE_ERR_TLS;
	}
	if ((what & BEV_EVENT_EOF) || serr == 0) {
		log_warnx("ntske: %s: connection closed during the TLS "
		    "handshake", c->host);
		return NTSKE_ERR_TLS;
	}
	log_warnx("ntske: %s port %u: %s", c->host, c->port,
	    evutil_socket_error_to_string(serr));
	return NTSKE_ERR_CONNECT;
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct ntske_conn	*c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		/* TCP may be reported up before TLS is */
		if (c->tls_up || !SSL_is_init_finished(c->ssl))
			return;
		c->tls_up = 1;
		client_send(c);
		return;
	}
	client_finish(c, client_error(c, what), 0);
}

static int
numeric(const char *host, struct sockaddr_storage *ss, int *sslen,
    uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*sslen = sizeof(*sin);
		return 1;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*sslen = sizeof(*sin6);
		return 1;
	}
	return 0;
}

/* The timer: first to start the connection, then the timeout. */
static void
client_timer(evutil_socket_t fd, short ev, void *arg)
{
	struct ntske_conn	*c = arg;
	struct sockaddr_storage	 ss;
	int			 sslen;

	if (c->started) {
		log_warnx("ntske: %s: timed out", c->host);
		client_finish(c, NTSKE_ERR_TIMEOUT, 0);
		return;
	}
	if (c->early_error != NTSKE_OK) {
		client_finish(c, c->early_error, 0);
		return;
	}
	c->started = 1;
	arm_timer(c->timer, c->timeout_ms);
	/*
	 * Either may call client_event, and so free c, before it returns,
	 * failed or not: c is not used after, and a failure that reports
	 * nothing ends at the timeout.
	 */
	if (numeric(c->host, &ss, &sslen, c->port))
		(void)bufferevent_socket_connect(c->bev,
		    (struct sockaddr *)&ss, sslen);
	else
		(void)bufferevent_socket_connect_hostname(c->bev, c->dns,
		    AF_UNSPEC, c->host, c->port);
}

static int
client_ssl(struct ntske_conn *c, const struct ntske_client_params *p)
{
	struct sockaddr_storage	 ss;
	int			 sslen;

	if ((c->ssl = SSL_new(p->ctx)) == NULL)
		return -1;
	SSL_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
	if (SSL_set_alpn_protos(c->ssl, alpn_wire, sizeof(alpn_wire) - 1) != 0)
		return -1;
	/* SNI for names only (RFC 6066); SSL_set1_host knows addresses. */
	if (!numeric(c->host, &ss, &sslen, 0) &&
	    SSL_set_tlsext_host_name(c->ssl, c->host) != 1)
		return -1;
	if (SSL_set1_host(c->ssl, c->host) != 1)
		return -1;
	if (p->nocerttimecheck)
		X509_VERIFY_PARAM_set_flags(SSL_get0_param(c->ssl),
		    X509_V_FLAG_NO_CHECK_TIME);
	return 0;
}

struct ntske_conn *
ntske_client_start(struct event_base *base, struct evdns_base *dns,
    const struct ntske_client_params *p, ntske_request_fn request,
    ntske_done_fn done, void *arg)
{
	struct ntske_conn	*c;
	struct sockaddr_storage	 ss;
	int			 sslen;

	if (p->host == NULL || strlen(p->host) >= sizeof(c->host) ||
	    p->ctx == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->dns = dns;
	snprintf(c->host, sizeof(c->host), "%s", p->host);
	c->port = p->port != 0 ? p->port : NTSKE_PORT;
	c->timeout_ms = p->timeout_ms > 0 ? p->timeout_ms :
	    NTSKE_CLIENT_TIMEOUT_MS;
	c->request = request;
	c->done = done;
	c->arg = arg;
	c->resp = xmalloc(NTSKE_MAX_RESPONSE);
	if (client_ssl(c, p) == -1 ||
	    (c->bev = bufferevent_openssl_socket_new(base, -1, c->ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->timer = evtimer_new(base, client_timer, c)) == NULL) {
		ERR_clear_error();
		client_free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (dns == NULL && !numeric(c->host, &ss, &sslen, 0)) {
		log_warnx("ntske: %s: no resolver", c->host);
		c->early_error = NTSKE_ERR_DNS;
	}
	arm_timer(c->timer, 0);
	return c;
}

void
ntske_client_cancel(struct ntske_conn *c)
{
	if (c != NULL)
		client_free(c);
}
