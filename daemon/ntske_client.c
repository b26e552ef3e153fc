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
 * The NTS-KE client: resolve, connect, handshake with the chain and the
 * host name verified, one request, one answer, within one timeout.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "nts.h"
#include "ntske.h"
#include "ntske_int.h"
#include "xmalloc.h"

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
	int			 sim;		/* clknetsim: see sim_connect() */
	int			 fd;		/* sim: ours until bev has it */
	struct event		*ev_conn;	/* sim: connected */
	ntske_request_fn	 request;
	ntske_done_fn		 done;
	void			*arg;
	uint8_t			*resp;
	size_t			 resplen;
};

static void
client_free(struct ntske_conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);	/* and the SSL, the socket */
	else if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->ev_conn != NULL)
		event_free(c->ev_conn);
	if (c->fd != -1)
		close(c->fd);
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
	int			 n, r;

	n = evbuffer_remove(bufferevent_get_input(bev), c->resp + c->resplen,
	    NTSKE_MAX_RESPONSE - c->resplen);
	if (n > 0)
		c->resplen += n;
	if ((r = nts_ke_scan(c->resp, c->resplen, &end)) == 1) {
		client_finish(c, NTSKE_OK, end);
		return;
	}
	if (r == -1 || c->resplen == NTSKE_MAX_RESPONSE) {
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

	if (!ntske_alpn_ok(c->ssl)) {
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
	/*
	 * libevent reports a failed read or write as SSL_ERROR_SYSCALL,
	 * not an OpenSSL error: the socket's error says what happened
	 * (a refused connection is no TLS failure).
	 */
	if ((e = bufferevent_get_openssl_error(c->bev)) != 0 &&
	    e != SSL_ERROR_SYSCALL)
		ERR_error_string_n(e, buf, sizeof(buf));
	while (e != 0 && bufferevent_get_openssl_error(c->bev) != 0)
		;
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

/*
 * In clknetsim (ntske.h): a BIO over send(2) and recv(2), a segment a
 * send; the descriptor is the caller's to close.
 */
static int
sim_bio_fd(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static int
sim_bio_write(BIO *b, const char *buf, int len)
{
	ssize_t	 n;

	BIO_clear_retry_flags(b);
	if (len > NTSKE_SIM_SEGMENT)
		len = NTSKE_SIM_SEGMENT;
	if ((n = send(sim_bio_fd(b), buf, len, MSG_NOSIGNAL)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			BIO_set_retry_write(b);
		return -1;
	}
	return (int)n;
}

static int
sim_bio_read(BIO *b, char *buf, int len)
{
	ssize_t	 n;

	BIO_clear_retry_flags(b);
	if ((n = recv(sim_bio_fd(b), buf, len, 0)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			BIO_set_retry_read(b);
		return -1;
	}
	return (int)n;
}

static long
sim_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_C_GET_FD:	/* libevent learns the descriptor so */
		if (ptr != NULL)
			*(int *)ptr = sim_bio_fd(b);
		return sim_bio_fd(b);
	case BIO_CTRL_GET_CLOSE:
		return BIO_get_shutdown(b);
	case BIO_CTRL_SET_CLOSE:
		BIO_set_shutdown(b, (int)num);
		return 1;
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DUP:
		return 1;
	}
	return 0;
}

static BIO *
sim_bio(int fd)
{
	static BIO_METHOD	*m;
	BIO			*b;

	if (m == NULL &&
	    ((m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK |
	    BIO_TYPE_DESCRIPTOR, "clknetsim socket")) == NULL ||
	    BIO_meth_set_write(m, sim_bio_write) != 1 ||
	    BIO_meth_set_read(m, sim_bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, sim_bio_ctrl) != 1))
		return NULL;
	if ((b = BIO_new(m)) == NULL)
		return NULL;
	BIO_set_data(b, (void *)(intptr_t)fd);
	BIO_set_shutdown(b, BIO_NOCLOSE);
	BIO_set_init(b, 1);
	return b;
}

/* sim: the connection is up; TLS from now on, as without clknetsim. */
static void
sim_connected(evutil_socket_t fd, short what, void *arg)
{
	struct ntske_conn	*c = arg;
	BIO			*bio;

	event_free(c->ev_conn);
	c->ev_conn = NULL;
	if ((bio = sim_bio(c->fd)) == NULL) {
		ERR_clear_error();
		client_finish(c, NTSKE_ERR_CONNECT, 0);
		return;
	}
	SSL_set_bio(c->ssl, bio, bio);
	if ((c->bev = bufferevent_openssl_socket_new(c->base, c->fd, c->ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		client_finish(c, NTSKE_ERR_CONNECT, 0);
		return;
	}
	c->fd = -1;		/* the bufferevent closes it */
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/*
 * sim: resolve with getaddrinfo(3), which clknetsim answers for its
 * nodes' names and addresses at once, and connect; clknetsim reports
 * the socket writable once the connection is up, and only then may it
 * send.
 */
static void
sim_connect(struct ntske_conn *c)
{
	struct addrinfo	 hints, *ai;
	char		 port[8];
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", c->port);
	if (getaddrinfo(c->host, port, &hints, &ai) != 0) {
		log_warnx("ntske: %s: cannot resolve it", c->host);
		client_finish(c, NTSKE_ERR_DNS, 0);
		return;
	}
	rc = (c->fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1 ||
	    evutil_make_socket_nonblocking(c->fd) == -1 ||
	    (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) ||
	    (c->ev_conn = event_new(c->base, c->fd, EV_WRITE, sim_connected,
	    c)) == NULL || event_add(c->ev_conn, NULL) == -1;
	freeaddrinfo(ai);
	if (rc) {
		log_warnx("ntske: %s port %u: %s", c->host, c->port,
		    strerror(errno));
		client_finish(c, NTSKE_ERR_CONNECT, 0);
	}
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
	ntske_arm_timer(c->timer, c->timeout_ms);
	if (c->sim) {
		sim_connect(c);
		return;
	}
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
	if (SSL_set_alpn_protos(c->ssl, ntske_alpn_wire, sizeof(ntske_alpn_wire) - 1) != 0)
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
	c->sim = p->sim;
	c->fd = -1;
	if (client_ssl(c, p) == -1 ||
	    (!c->sim && (c->bev = bufferevent_openssl_socket_new(base, -1,
	    c->ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL) ||
	    (c->timer = evtimer_new(base, client_timer, c)) == NULL) {
		ERR_clear_error();
		client_free(c);
		return NULL;
	}
	if (!c->sim) {
		bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	}
	if (dns == NULL && !c->sim && !numeric(c->host, &ss, &sslen, 0)) {
		log_warnx("ntske: %s: no resolver", c->host);
		c->early_error = NTSKE_ERR_DNS;
	}
	ntske_arm_timer(c->timer, 0);
	return c;
}

void
ntske_client_cancel(struct ntske_conn *c)
{
	if (c != NULL)
		client_free(c);
}
