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


#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ectx.h"
#include "log.h"
#include "nts.h"
#include "nts_dump.h"
#include "nts_jar.h"
#include "ntske.h"
#include "ntsclient.h"
#include "pkt.h"
#include "siv.h"
#include "xmalloc.h"

#define NTP_PORT	123

struct ntscl {
	struct ectx		*ctx;
	const struct conf_source *conf;
	ntscl_ready_fn		 ready;
	void			*arg;
	int			 waiting;	/* the client waits for ready */

	/* NTS-KE */
	struct ntske_conn	*ke;
	struct event		*ev_retry;
	int			 retry_armed;
	int			 attempts;	/* since the last success */
	uint32_t		 sessions;	/* successful exchanges */
	double			 last_ke_s;	/* monotonic, 0: never */
	double			 ke_unix_s;	/* the same, Unix time */
	int			 naks;		/* since the last success */

	/* what the last exchange gave */
	int			 have_keys;
	struct siv		*c2s;
	struct siv		*s2c;
	uint8_t			 keys_c2s[NTS_KEY_LEN];	/* for ntsdumpdir */
	uint8_t			 keys_s2c[NTS_KEY_LEN];
	struct nts_jar		 jar;
	char			 server[NTS_KE_MAX_SERVER + 1]; /* "" none */
	int			 port;		/* -1: the source's */
	struct sockaddr_storage	 addr;		/* server's, if have_addr */
	socklen_t		 alen;
	int			 have_addr;
	struct evdns_getaddrinfo_request *dns_req;

	/* the request in flight */
	uint8_t			 uid[NTS_UID_LEN];
	int			 uid_out;

	struct nts_cookies	 fresh;		/* an answer's, for a moment */
	int			 last_auth;	/* last answer used: ours */
	uint64_t		 auth_ok;
	uint64_t		 auth_failed;
};

static void	start_ke(struct ntscl *);

static double
mono_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double
unix_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
drop_keys(struct ntscl *n)
{
	nts_jar_clear(&n->jar);
	OPENSSL_cleanse(n->keys_c2s, sizeof(n->keys_c2s));
	OPENSSL_cleanse(n->keys_s2c, sizeof(n->keys_s2c));
	OPENSSL_cleanse(n->uid, sizeof(n->uid));
	n->uid_out = 0;
	n->have_keys = 0;
}

static void
retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ntscl	*n = arg;

	n->retry_armed = 0;
	start_ke(n);
}

static void
failed(struct ntscl *n, enum nts_jar_fail why, const char *what)
{
	struct timeval	 tv;
	double		 wait = nts_jar_retry_s(why, n->attempts);

	log_warnx("source %s: NTS-KE failed: %s;%s next attempt in %.0f s",
	    n->conf->name, what, n->have_keys ? "" : " source unusable,",
	    wait);
	tv.tv_sec = (time_t)wait;
	tv.tv_usec = 0;
	if (evtimer_add(n->ev_retry, &tv) == 0)
		n->retry_armed = 1;
}

static void
now_ready(struct ntscl *n)
{
	if (n->waiting) {
		n->waiting = 0;
		n->ready(n->arg);
	}
}

static void
dns_cb(int err, struct evutil_addrinfo *res, void *arg)
{
	struct ntscl	*n = arg;

	if (err == EVUTIL_EAI_CANCEL)
		return;
	n->dns_req = NULL;
	if (err != 0 || res == NULL) {
		n->have_keys = 0;
		failed(n, NTS_JAR_FAIL_NET, "cannot resolve the NTP server");
		return;
	}
	memcpy(&n->addr, res->ai_addr, res->ai_addrlen);
	n->alen = res->ai_addrlen;
	n->have_addr = 1;
	evutil_freeaddrinfo(res);
	now_ready(n);
}

/* The NTP server the exchange named, if any: an address, or a lookup. */
static int
ntp_server(struct ntscl *n)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&n->addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&n->addr;
	struct evutil_addrinfo	 hints;

	n->have_addr = 0;
	if (n->server[0] == '\0' || strcmp(n->server, n->conf->name) == 0)
		return 0;
	memset(&n->addr, 0, sizeof(n->addr));
	if (inet_pton(AF_INET, n->server, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		n->alen = sizeof(*sin);
		n->have_addr = 1;
		return 0;
	}
	if (inet_pton(AF_INET6, n->server, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		n->alen = sizeof(*sin6);
		n->have_addr = 1;
		return 0;
	}
	if (n->ctx->dns == NULL)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	/* dns_cb may run before this returns */
	n->dns_req = evdns_getaddrinfo(n->ctx->dns, n->server, NULL, &hints,
	    dns_cb, n);
	return 1;
}

static int
ke_request(void *arg, SSL *ssl, uint8_t *req, size_t *reqlen)
{
	size_t	 len;

	if ((len = nts_ke_request(req, *reqlen, NULL, -1)) == 0)
		return -1;
	*reqlen = len;
	return 0;
}

/* The keys of a successful exchange, into the source's SIV contexts. */
static int
take_keys(struct ntscl *n, SSL *ssl)
{
	uint8_t	 c2s[NTS_KEY_LEN], s2c[NTS_KEY_LEN];
	int	 rc = -1;

	if (ntske_export_keys(ssl, NTS_AEAD_AES_SIV_CMAC_256, c2s, s2c,
	    NTS_KEY_LEN) == 0) {
		if (n->c2s == NULL) {
			n->c2s = siv_new(c2s, sizeof(c2s));
			n->s2c = siv_new(s2c, sizeof(s2c));
			rc = n->c2s != NULL && n->s2c != NULL ? 0 : -1;
		} else
			rc = siv_setkey(n->c2s, c2s, sizeof(c2s)) == 0 &&
			    siv_setkey(n->s2c, s2c, sizeof(s2c)) == 0 ? 0 : -1;
		memcpy(n->keys_c2s, c2s, sizeof(c2s));
		memcpy(n->keys_s2c, s2c, sizeof(s2c));
	}
	OPENSSL_cleanse(c2s, sizeof(c2s));
	OPENSSL_cleanse(s2c, sizeof(s2c));
	return rc;
}

static void
ke_done(void *arg, int error, SSL *ssl, const uint8_t *resp, size_t len)
{
	struct ntscl		*n = arg;
	struct nts_ke_msg	*msg;
	enum nts_ke_reason	 r;
	char			 why[128];
	int			 i;

	n->ke = NULL;
	if (error != NTSKE_OK || ssl == NULL) {
		failed(n, error == NTSKE_ERR_VERIFY || error ==
		    NTSKE_ERR_TLS || error == NTSKE_ERR_ALPN ?
		    NTS_JAR_FAIL_TLS : NTS_JAR_FAIL_NET,
		    ntske_strerror(error));
		return;
	}
	msg = xcalloc(1, sizeof(*msg));
	if ((r = nts_ke_parse_response(resp, len, msg)) != NTS_KE_OK) {
		if (r == NTS_KE_SERVER_ERROR)
			snprintf(why, sizeof(why), "the server sent error %d",
			    msg->error);
		else
			snprintf(why, sizeof(why), "bad answer: %s",
			    nts_ke_reason_str(r));
		failed(n, NTS_JAR_FAIL_TLS, why);
		goto done;
	}
	drop_keys(n);
	if (take_keys(n, ssl) == -1) {
		failed(n, NTS_JAR_FAIL_TLS, "cannot derive the keys");
		goto done;
	}
	for (i = 0; i < msg->n_cookies; i++)
		(void)nts_jar_add(&n->jar, msg->cookie[i], msg->cookie_len[i]);
	memcpy(n->server, msg->server, sizeof(n->server));
	n->port = msg->port;
	n->have_keys = 1;
	n->sessions++;
	n->attempts = 0;
	n->naks = 0;
	n->last_ke_s = mono_s();
	n->ke_unix_s = unix_s();
	log_info("source %s: NTS-KE done: %d cookie(s)%s%s", n->conf->name,
	    n->jar.n, n->server[0] != '\0' ? ", NTP server " : "", n->server);
	if (ntp_server(n) == -1) {
		n->have_keys = 0;
		failed(n, NTS_JAR_FAIL_NET, "no resolver for the NTP server");
	} else if (n->dns_req == NULL && n->have_keys)
		now_ready(n);
done:
	OPENSSL_cleanse(msg, sizeof(*msg));
	free(msg);
}

/* New trusted certificates: a failed NTS-KE is not waited out. */
void
ntscl_trust_changed(struct ntscl *n)
{
	if (!n->retry_armed || n->have_keys)
		return;
	evtimer_del(n->ev_retry);
	n->retry_armed = 0;
	n->attempts = 0;
	log_info("source %s: new trusted certificates: NTS-KE again",
	    n->conf->name);
	start_ke(n);
}

static void
start_ke(struct ntscl *n)
{
	if (n->ke != NULL || n->retry_armed || n->dns_req != NULL)
		return;
	n->attempts++;
	n->ke = ectx_ntske_start(n->ctx, n->conf, ke_request, ke_done, n);
	if (n->ke == NULL)
		failed(n, NTS_JAR_FAIL_TLS, "cannot start");
}

struct ntscl *
ntscl_new(struct ectx *ctx, const struct conf_source *cs,
    ntscl_ready_fn ready, void *arg)
{
	struct ntscl	*n = xcalloc(1, sizeof(*n));

	n->ctx = ctx;
	n->conf = cs;
	n->ready = ready;
	n->arg = arg;
	n->port = -1;
	if ((n->ev_retry = evtimer_new(ctx->base, retry_cb, n)) == NULL)
		fatalx("NTS client: out of memory");
	return n;
}

void
ntscl_free(struct ntscl *n)
{
	if (n == NULL)
		return;
	if (n->ke != NULL)
		ntske_client_cancel(n->ke);
	if (n->dns_req != NULL)
		evdns_getaddrinfo_cancel(n->dns_req);
	event_free(n->ev_retry);
	siv_free(n->c2s);
	siv_free(n->s2c);
	drop_keys(n);
	explicit_bzero(n, sizeof(*n));
	free(n);
}

int
ntscl_prepare(struct ntscl *n, struct sockaddr_storage *addr,
    socklen_t *alen)
{
	long	 refresh = n->ctx->conf->ntsrefresh_s;
	int	 port;

	/* ntsrefresh: new keys, the old ones serve meanwhile */
	if (n->have_keys && refresh > 0 && mono_s() - n->last_ke_s >= refresh)
		start_ke(n);
	if (!n->have_keys || n->jar.n == 0 || n->dns_req != NULL) {
		if (n->have_keys && n->jar.n == 0)
			log_info("source %s: no cookies left, new NTS-KE",
			    n->conf->name);
		n->have_keys = n->have_keys && n->jar.n > 0;
		n->waiting = 1;
		start_ke(n);
		return -1;
	}
	if (n->have_addr) {
		memcpy(addr, &n->addr, n->alen);
		*alen = n->alen;
	}
	port = n->port >= 0 ? n->port : n->conf->port != 0 ? n->conf->port :
	    NTP_PORT;
	if (addr->ss_family == AF_INET)
		((struct sockaddr_in *)addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)addr)->sin6_port = htons(port);
	return 0;
}

size_t
ntscl_request(struct ntscl *n, uint8_t *pkt, size_t pktsize)
{
	uint8_t	 cookie[NTS_COOKIE_MAX], nonce[NTS_NONCE_LEN];
	size_t	 clen, len = 0;
	int	 ph;

	n->uid_out = 0;
	if (!n->have_keys || nts_jar_take(&n->jar, cookie, &clen, &ph) == -1)
		return 0;
	if (RAND_bytes(n->uid, sizeof(n->uid)) == 1 &&
	    RAND_bytes(nonce, sizeof(nonce)) == 1)
		len = nts_client_request(n->c2s, pkt, pktsize, n->uid, cookie,
		    clen, ph, nonce);
	OPENSSL_cleanse(cookie, sizeof(cookie));
	n->uid_out = len != 0;
	if (len == 0)
		log_warnx("source %s: cannot build an NTS request",
		    n->conf->name);
	return len;
}

/* An NTS NAK for our request: the cookies are no good, new NTS-KE. */
static void
nak(struct ntscl *n)
{
	log_warnx("source %s: NTS NAK: the server refused our cookie; new "
	    "NTS-KE", n->conf->name);
	n->naks++;
	drop_keys(n);
	n->waiting = 1;
	start_ke(n);
}

int
ntscl_response(struct ntscl *n, const uint8_t *pkt, size_t len,
    uint64_t xmt)
{
	struct nts_cookies	*c = &n->fresh;
	struct pkt		 p;
	enum nts_result		 r;
	int			 i;

	if (!n->have_keys || !n->uid_out)
		return 0;	/* no request out: not an answer of ours */
	r = nts_client_check(n->s2c, pkt, len, n->uid, c);
	if (r == NTS_OK) {
		n->uid_out = 0;		/* a copy of it is not used again */
		for (i = 0; i < c->n; i++)
			(void)nts_jar_add(&n->jar, c->cookie[i], c->len[i]);
		n->auth_ok++;
		n->last_auth = 1;
	} else if (r == NTS_NAK && xmt != 0 &&
	    pkt_decode(&p, pkt, len) == PKT_OK && p.org_ts == xmt)
		nak(n);
	else {
		n->auth_failed++;
		log_debug("source %s: answer dropped: %s", n->conf->name,
		    nts_result_str(r));
	}
	OPENSSL_cleanse(c, sizeof(*c));
	return r == NTS_OK;
}

int
ntscl_authenticated(const struct ntscl *n)
{
	return n->last_auth;
}

void
ntscl_report(const struct ntscl *n, struct rpt_authdata *r)
{
	r->mode = RPT_AUTH_NTS;
	r->key_id = n->sessions;
	r->key_type = n->sessions > 0 ? NTS_AEAD_AES_SIV_CMAC_256 : 0;
	r->key_bits = n->sessions > 0 ? NTS_KEY_LEN * 8 : 0;
	r->last_ke_s = n->sessions > 0 ? mono_s() - n->last_ke_s : -1.0;
	r->ke_attempts = n->attempts;
	r->naks = n->naks;
	r->cookies = n->have_keys ? n->jar.n : 0;
	r->cookie_len = n->have_keys && n->jar.n > 0 ? n->jar.len[0] : 0;
	r->auth_ok = n->auth_ok;
	r->auth_failed = n->auth_failed;
}

int
ntscl_dump(const struct ntscl *n, struct nts_dump *d)
{
	int	 i;

	memset(d, 0, sizeof(*d));
	if (!n->have_keys || n->jar.n == 0 || n->dns_req != NULL ||
	    strlen(n->conf->name) >= sizeof(d->name))
		return -1;
	memcpy(d->name, n->conf->name, strlen(n->conf->name) + 1);
	d->ke_time = n->ke_unix_s;
	d->sessions = n->sessions;
	d->aead = NTS_AEAD_AES_SIV_CMAC_256;
	memcpy(d->c2s, n->keys_c2s, sizeof(d->c2s));
	memcpy(d->s2c, n->keys_s2c, sizeof(d->s2c));
	memcpy(d->server, n->server, sizeof(d->server));
	d->port = n->port;
	d->n_cookies = n->jar.n;
	for (i = 0; i < n->jar.n; i++) {
		d->cookie_len[i] = n->jar.len[i];
		memcpy(d->cookie[i], n->jar.cookie[i], n->jar.len[i]);
	}
	if (nts_dump_check(d) != NULL) {
		explicit_bzero(d, sizeof(*d));
		return -1;
	}
	return 0;
}

int
ntscl_restore(struct ntscl *n, const struct nts_dump *d)
{
	double	 age = unix_s() - d->ke_time;
	long	 refresh = n->ctx->conf->ntsrefresh_s;
	int	 i;

	if (nts_dump_check(d) != NULL || strcmp(d->name, n->conf->name) != 0)
		return -1;
	if (age < 0 || (refresh > 0 && age >= refresh)) {
		log_info("source %s: saved NTS keys %s, not used",
		    n->conf->name, age < 0 ? "from the future" : "too old");
		return -1;
	}
	if (n->c2s == NULL) {
		n->c2s = siv_new(d->c2s, sizeof(d->c2s));
		n->s2c = siv_new(d->s2c, sizeof(d->s2c));
	} else if (siv_setkey(n->c2s, d->c2s, sizeof(d->c2s)) == -1 ||
	    siv_setkey(n->s2c, d->s2c, sizeof(d->s2c)) == -1)
		return -1;
	if (n->c2s == NULL || n->s2c == NULL)
		return -1;
	drop_keys(n);
	memcpy(n->keys_c2s, d->c2s, sizeof(n->keys_c2s));
	memcpy(n->keys_s2c, d->s2c, sizeof(n->keys_s2c));
	for (i = 0; i < d->n_cookies; i++)
		(void)nts_jar_add(&n->jar, d->cookie[i], d->cookie_len[i]);
	memcpy(n->server, d->server, sizeof(n->server));
	n->server[sizeof(n->server) - 1] = '\0';
	n->port = d->port;
	n->sessions = d->sessions;
	n->ke_unix_s = d->ke_time;
	n->last_ke_s = mono_s() - age;
	n->have_keys = ntp_server(n) != -1;
	log_info("source %s: NTS keys and %d cookie(s) from ntsdumpdir",
	    n->conf->name, n->jar.n);
	return n->have_keys ? 0 : -1;
}
