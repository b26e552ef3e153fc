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
 * Unit tests of a source's NTS client (daemon/ntsclient.c), #included
 * with the test's clock and context (shell_ctx.h).  The context's
 * ntske_start hook is the test's: it keeps the callbacks, and the test
 * plays the NTS-KE server by calling done with an answer it encoded,
 * with TLS's exported keys (ntske_export_keys(), faked below) its own.
 * The NTP server is the test's too, made of the cores a real one uses
 * (nts_server_check(), nts_server_respond(), nts_server_nak() on a
 * keyring of its own), so the client's requests are opened and its
 * answers sealed and checked for real.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "nts.h"
#include "nts_dump.h"
#include "pkt.h"
#include "siv.h"

#include "shell_ctx.h"

#include "ntsclient.c"

/* The NTS-KE exchanges the client started through the hook. */
static struct {
	int			 starts;
	int			 refuse;	/* the hook cannot start one */
	const struct conf_source *src;
	ntske_request_fn	 request;
	ntske_done_fn		 done;
	void			*arg;
	int			 cancels;
	int			 export_fails;	/* TLS cannot export keys */
} ke;

/* What ntske_client_start() would return; never dereferenced. */
static int	 ke_conn_token;
#define KE_CONN	((struct ntske_conn *)&ke_conn_token)
/* The TLS session done hands over, for ntske_export_keys() alone. */
static int	 ssl_token;
#define KE_SSL	((SSL *)&ssl_token)

/* The server's end: its master keys, the session's keys. */
static struct {
	struct nts_keyring	*ring;
	struct siv		*scratch;
	struct nts_keys		 keys;	/* what TLS exports to both ends */
} srv;

static struct fake_ctx		 F;
static struct ectx_hooks	 hooks;
static struct ntscl		*nc;
static int			 ready_calls;

/*
 * daemon/ntske.c's, which is not linked: the keys of the session are
 * the test server's, as TLS's exporter gives both ends the same.
 */
int
ntske_export_keys(SSL *ssl, uint16_t aead, uint8_t *c2s, uint8_t *s2c,
    size_t keylen)
{
	ck_assert_ptr_eq(ssl, KE_SSL);
	ck_assert_uint_eq(aead, NTS_AEAD_AES_SIV_CMAC_256);
	ck_assert_uint_eq(keylen, NTS_KEY_LEN);
	if (ke.export_fails)
		return -1;
	memcpy(c2s, srv.keys.c2s, keylen);
	memcpy(s2c, srv.keys.s2c, keylen);
	return 0;
}

const char *
ntske_strerror(int e)
{
	return "fake NTS-KE error";
}

void
ntske_client_cancel(struct ntske_conn *c)
{
	ck_assert_ptr_eq(c, KE_CONN);
	ke.cancels++;
}

/* The context's hook: ntsmat_client_start() in the engine. */
static struct ntske_conn *
fake_ke_start(void *arg, const struct conf_source *src,
    ntske_request_fn request, ntske_done_fn done, void *fnarg)
{
	ck_assert_ptr_eq(arg, &F);
	ke.starts++;
	ke.src = src;
	ke.request = request;
	ke.done = done;
	ke.arg = fnarg;
	return ke.refuse ? NULL : KE_CONN;
}

static void
ready(void *arg)
{
	ck_assert_ptr_eq(arg, &F);
	ready_calls++;
}

static const char *const conf_lines[] = {
	"server ntp.example nts",
	"ntsrefresh 3600",
	NULL
};

static void
setup(void)
{
	uint8_t	 rnd[NTS_ROTATE_RND_LEN];

	memset(&ke, 0, sizeof(ke));
	ready_calls = 0;
	fake_ctx_open(&F, conf_lines);
	hooks = fake_hooks;
	hooks.ntske_start = fake_ke_start;
	F.ctx.hooks = &hooks;

	memset(&srv, 0, sizeof(srv));
	ck_assert_ptr_nonnull(srv.ring = nts_keyring_new());
	ck_assert_int_eq(RAND_bytes(rnd, sizeof(rnd)), 1);
	ck_assert_int_eq(nts_keyring_rotate(srv.ring, rnd, sizeof(rnd)), 0);
	srv.keys.aead = NTS_AEAD_AES_SIV_CMAC_256;
	ck_assert_int_eq(RAND_bytes(srv.keys.c2s, NTS_KEY_LEN), 1);
	ck_assert_int_eq(RAND_bytes(srv.keys.s2c, NTS_KEY_LEN), 1);
	ck_assert_ptr_nonnull(srv.scratch = siv_new(srv.keys.c2s,
	    NTS_KEY_LEN));

	ck_assert_ptr_nonnull(nc = ntscl_new(&F.ctx, F.ctx.conf->sources,
	    ready, &F));
}

static void
teardown(void)
{
	ntscl_free(nc);
	siv_free(srv.scratch);
	nts_keyring_free(srv.ring);
	fake_ctx_close(&F);
}

/* The source's address, as the client resolved it: 192.0.2.1. */
static void
source_addr(struct sockaddr_storage *ss, socklen_t *alen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc0000201);
	*alen = sizeof(*sin);
}

static int
prepare(struct sockaddr_storage *ss)
{
	socklen_t	 alen;

	source_addr(ss, &alen);
	return ntscl_prepare(nc, ss, &alen);
}

static struct rpt_authdata
report(void)
{
	struct rpt_authdata	 r;

	memset(&r, 0, sizeof(r));
	ntscl_report(nc, &r);
	return r;
}

/*
 * The NTS-KE exchange under way ends with the server's answer: n
 * cookies sealed with the session's keys, and the NTP server and port
 * it names (NULL, -1: none).  First the request the client sends is
 * checked to be one a server takes.
 */
static void
ke_answer(int n, const char *server, int port)
{
	struct nts_ke_reply	 reply;
	struct nts_ke_msg	 msg;
	uint8_t			 req[NTSKE_MAX_REQUEST];
	uint8_t			 cookie[NTS_MAX_COOKIES][NTS_COOKIE_LEN];
	uint8_t			 nonce[NTS_NONCE_LEN], resp[NTS_KE_MAX_MSG];
	size_t			 reqlen = sizeof(req), len;
	int			 i;

	ck_assert_ptr_nonnull(ke.done);
	ck_assert_int_eq(ke.request(ke.arg, KE_SSL, req, &reqlen), 0);
	ck_assert_int_eq(nts_ke_parse_request(req, reqlen, &msg), NTS_KE_OK);
	ck_assert(msg.ntpv4);
	ck_assert_uint_eq(msg.aead, NTS_AEAD_AES_SIV_CMAC_256);

	memset(&reply, 0, sizeof(reply));
	reply.error = -1;
	reply.ntpv4 = 1;
	reply.aead = NTS_AEAD_AES_SIV_CMAC_256;
	reply.n_cookies = n;
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(RAND_bytes(nonce, sizeof(nonce)), 1);
		ck_assert_int_eq(nts_cookie_seal(srv.ring, &srv.keys, nonce,
		    cookie[i]), 0);
		reply.cookie[i] = cookie[i];
		reply.cookie_len[i] = NTS_COOKIE_LEN;
	}
	reply.server = server;
	reply.port = port;
	ck_assert_uint_gt(len = nts_ke_response(&reply, resp, sizeof(resp)),
	    0);
	ke.done(ke.arg, NTSKE_OK, KE_SSL, resp, len);
}

/* The exchange under way fails before an answer (error, no TLS). */
static void
ke_fail(int error)
{
	ck_assert_ptr_nonnull(ke.done);
	ke.done(ke.arg, error, NULL, NULL, 0);
}

/* A source with keys and n cookies: the first prepare, one exchange. */
static void
with_keys(int n)
{
	struct sockaddr_storage	 ss;

	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);
	ke_answer(n, NULL, -1);
	ck_assert_int_eq(prepare(&ss), 0);
}

/*
 * A poll: the header client.c writes (transmit timestamp xmt), then the
 * NTS fields.  The request's length.
 */
static size_t
request(struct ntscl *c, uint8_t *req, uint64_t xmt)
{
	size_t	 n;

	memset(req, 0, PKT_HDR_LEN);
	req[0] = 0x23;		/* NTPv4, client */
	pkt_set_tx(req, xmt);
	n = ntscl_request(c, req, PKT_MAX_LEN);
	ck_assert_uint_gt(n, PKT_HDR_LEN);
	return n;
}

/*
 * The test server answers req as an NTS server does (ntsserver.c): an
 * answer sealed with the keys in the cookie; with forge, sealed with an
 * S2C key that is not the session's.  The answer's length.
 */
static size_t
serve(const uint8_t *req, size_t reqlen, uint8_t *out, int forge)
{
	static const struct srv_state	 st = {
		PKT_LEAP_NONE, 2, -24, 0xc0000201, 0xed1c2b3a80000000ULL,
		0.015, 0.5, PKT_MIN_POLL_ANY
	};
	uint8_t				 rnd[NTS_RESPOND_RND_LEN];
	struct nts_req			 rq;
	struct nts_keys			 k;
	struct pkt			 q;
	size_t				 n;

	ck_assert_int_eq(nts_server_check(srv.ring, srv.scratch, req, reqlen,
	    &rq, &k), NTS_OK);
	ck_assert_mem_eq(k.c2s, srv.keys.c2s, NTS_KEY_LEN);
	ck_assert_mem_eq(k.s2c, srv.keys.s2c, NTS_KEY_LEN);
	if (forge)
		k.s2c[0] ^= 0x01;
	ck_assert_int_eq(pkt_check_request(&q, req, reqlen), PKT_OK);
	ck_assert_uint_eq(pkt_respond(&st, &q, pkt_ts_from_ns(fake_sys_ns),
	    0, out, PKT_MAX_LEN), PKT_HDR_LEN);
	ck_assert_int_eq(RAND_bytes(rnd, sizeof(rnd)), 1);
	n = nts_server_respond(srv.ring, srv.scratch, &rq, &k, rnd,
	    sizeof(rnd), out, PKT_MAX_LEN, reqlen);
	ck_assert_uint_gt(n, PKT_HDR_LEN);
	nts_keys_clear(&k);
	return n;
}

/*
 * The server no longer opens the client's cookies (its keys rotated
 * past them): an NTS NAK, a kiss NTSN with the request's UID.
 */
static size_t
serve_nak(const uint8_t *req, size_t reqlen, uint8_t *out)
{
	static const struct srv_state	 st = {
		PKT_LEAP_NONE, 2, -24, 0xc0000201, 0xed1c2b3a80000000ULL,
		0.015, 0.5, PKT_MIN_POLL_ANY
	};
	uint8_t				 rnd[NTS_ROTATE_RND_LEN];
	struct nts_req			 rq;
	struct nts_keys			 k;
	struct pkt			 q;
	size_t				 n;
	int				 i;

	for (i = 0; i < NTS_KEYRING_SIZE; i++) {
		ck_assert_int_eq(RAND_bytes(rnd, sizeof(rnd)), 1);
		ck_assert_int_eq(nts_keyring_rotate(srv.ring, rnd,
		    sizeof(rnd)), 0);
	}
	ck_assert_int_eq(nts_server_check(srv.ring, srv.scratch, req, reqlen,
	    &rq, &k), NTS_ERR_COOKIE);
	ck_assert_int_eq(pkt_check_request(&q, req, reqlen), PKT_OK);
	ck_assert_uint_eq(pkt_respond(&st, &q, pkt_ts_from_ns(fake_sys_ns),
	    NTS_KOD_NTSN, out, PKT_MAX_LEN), PKT_HDR_LEN);
	n = nts_server_nak(&rq, out, PKT_MAX_LEN, reqlen);
	ck_assert_uint_gt(n, PKT_HDR_LEN);
	return n;
}

/*
 * Seconds until the retry timer fires, by libevent's clock: it maps its
 * monotonic expiry to the wall clock with an offset it updates now and
 * then, so a loaded machine reads a second more.
 */
static long
retry_in_s(void)
{
	struct timeval	 tv, now;

	ck_assert(evtimer_pending(nc->ev_retry, &tv));
	ck_assert_int_eq(gettimeofday(&now, NULL), 0);
	return (long)(tv.tv_sec - now.tv_sec);
}

/* No keys: prepare refuses the poll and starts NTS-KE, once. */
START_TEST(test_shell_ntscl_prepare_starts_ke)
{
	struct sockaddr_storage	 ss;
	uint8_t			 req[PKT_MAX_LEN];

	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);
	ck_assert_ptr_eq(ke.src, F.ctx.conf->sources);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);		/* under way already */
	memset(req, 0, sizeof(req));
	ck_assert_uint_eq(ntscl_request(nc, req, sizeof(req)), 0);
	ck_assert_int_eq(ready_calls, 0);
	ck_assert_int_eq(report().ke_attempts, 1);
}
END_TEST

/*
 * NTS-KE's keys and cookies: the source is ready, polls its own address
 * on port 123, and its request is one the server opens with the session's
 * keys, carrying the first cookie and placeholders for the jar to refill.
 */
START_TEST(test_shell_ntscl_ke_gives_keys_and_cookies)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct rpt_authdata	 r;
	struct nts_req		 rq;
	struct nts_keys		 k;
	uint8_t			 req[PKT_MAX_LEN], first[NTS_COOKIE_LEN];
	size_t			 n;

	ck_assert_int_eq(prepare(&ss), -1);
	ke_answer(3, NULL, -1);
	ck_assert_int_eq(ready_calls, 1);
	memcpy(first, nc->jar.cookie[0], sizeof(first));
	r = report();
	ck_assert_int_eq(r.cookies, 3);
	ck_assert_uint_eq(r.key_id, 1);
	ck_assert_int_eq(r.ke_attempts, 0);

	ck_assert_int_eq(prepare(&ss), 0);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(0xc0000201));
	ck_assert_uint_eq(sin->sin_port, htons(123));
	n = request(nc, req, 0x1122334455667788ULL);
	ck_assert_int_eq(nts_server_check(srv.ring, srv.scratch, req, n, &rq,
	    &k), NTS_OK);
	ck_assert_mem_eq(k.c2s, srv.keys.c2s, NTS_KEY_LEN);
	ck_assert_uint_eq(rq.cookie_len, NTS_COOKIE_LEN);
	ck_assert_mem_eq(rq.cookie, first, NTS_COOKIE_LEN);
	/* two left, this one, and placeholders for the rest */
	ck_assert_int_eq(rq.n_placeholders, NTS_MAX_COOKIES - 3);
	ck_assert_int_eq(report().cookies, 2);
	nts_keys_clear(&k);
}
END_TEST

/* The NTP server and port NTS-KE names replace the source's. */
START_TEST(test_shell_ntscl_ke_names_ntp_server)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;

	ck_assert_int_eq(prepare(&ss), -1);
	ke_answer(2, "198.51.100.7", 10123);
	ck_assert_int_eq(ready_calls, 1);
	ck_assert_int_eq(prepare(&ss), 0);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(0xc6336407));
	ck_assert_uint_eq(sin->sin_port, htons(10123));
}
END_TEST

/*
 * A name to look up, without a resolver: the keys are no use, NTS-KE is
 * retried later.
 */
START_TEST(test_shell_ntscl_ke_server_name_unresolvable)
{
	struct sockaddr_storage	 ss;

	ck_assert_int_eq(prepare(&ss), -1);
	ke_answer(2, "ntp2.example", -1);
	ck_assert_int_eq(ready_calls, 0);
	ck_assert(nc->retry_armed);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);
}
END_TEST

/*
 * The server's answer: authenticated, kept (its cookies refill the jar),
 * and only once: a copy of it is dropped.
 */
START_TEST(test_shell_ntscl_answer_accepted)
{
	struct rpt_authdata	 r;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	size_t			 reqlen, n;

	with_keys(2);
	reqlen = request(nc, req, 0x1122334455667788ULL);
	ck_assert_int_eq(report().cookies, 1);
	n = serve(req, reqlen, ans, 0);
	ck_assert_int_eq(ntscl_response(nc, ans, n, 0x1122334455667788ULL),
	    1);
	ck_assert(ntscl_authenticated(nc));
	r = report();
	ck_assert_uint_eq(r.auth_ok, 1);
	ck_assert_uint_eq(r.auth_failed, 0);
	ck_assert_int_eq(r.cookies, NTS_MAX_COOKIES);
	ck_assert_uint_eq(r.cookie_len, NTS_COOKIE_LEN);

	ck_assert_int_eq(ntscl_response(nc, ans, n, 0x1122334455667788ULL),
	    0);
	r = report();
	ck_assert_uint_eq(r.auth_ok, 1);
	ck_assert_int_eq(r.cookies, NTS_MAX_COOKIES);
}
END_TEST

/*
 * What is not the server's answer to our last request is dropped and
 * counted, its cookies not kept: sealed with another key, changed on
 * the way, without NTS fields, with our UID but no authenticator, the
 * answer to an older request (another UID).  The true answer is still
 * taken after them.
 */
START_TEST(test_shell_ntscl_forged_answers_dropped)
{
	struct rpt_authdata	 r;
	uint8_t			 old[PKT_MAX_LEN], req[PKT_MAX_LEN];
	uint8_t			 ans[PKT_MAX_LEN], bad[PKT_MAX_LEN];
	size_t			 oldlen, reqlen, n, m;
	uint64_t		 xmt = 0x1122334455667788ULL;

	with_keys(3);
	oldlen = request(nc, old, xmt - 1);
	reqlen = request(nc, req, xmt);
	ck_assert_int_eq(report().cookies, 1);

	m = serve(req, reqlen, bad, 1);
	ck_assert_int_eq(ntscl_response(nc, bad, m, xmt), 0);
	ck_assert_uint_eq(report().auth_failed, 1);

	n = serve(req, reqlen, ans, 0);
	memcpy(bad, ans, n);
	bad[PKT_TX_OFFSET + 7] ^= 0x01;		/* the server's time */
	ck_assert_int_eq(ntscl_response(nc, bad, n, xmt), 0);
	ck_assert_uint_eq(report().auth_failed, 2);

	ck_assert_int_eq(ntscl_response(nc, ans, PKT_HDR_LEN, xmt), 0);
	ck_assert_uint_eq(report().auth_failed, 3);
	/* our UID, but no authenticator after it */
	ck_assert_int_eq(ntscl_response(nc, ans, PKT_HDR_LEN + 4 + NTS_UID_LEN,
	    xmt), 0);
	ck_assert_uint_eq(report().auth_failed, 4);

	m = serve(old, oldlen, bad, 0);
	ck_assert_int_eq(ntscl_response(nc, bad, m, xmt), 0);
	r = report();
	ck_assert_uint_eq(r.auth_failed, 5);
	ck_assert_uint_eq(r.auth_ok, 0);
	ck_assert_int_eq(r.cookies, 1);
	ck_assert(!ntscl_authenticated(nc));
	ck_assert_int_eq(ke.starts, 1);

	ck_assert_int_eq(ntscl_response(nc, ans, n, xmt), 1);
	r = report();
	ck_assert_uint_eq(r.auth_ok, 1);
	ck_assert_int_eq(r.cookies, NTS_MAX_COOKIES);
}
END_TEST

/*
 * An NTS NAK to our request (our UID, its origin our transmit time):
 * the cookies are dropped and NTS-KE starts again; the source waits.
 */
START_TEST(test_shell_ntscl_nak_starts_ke)
{
	struct sockaddr_storage	 ss;
	struct rpt_authdata	 r;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	size_t			 reqlen, n;
	uint64_t		 xmt = 0x1122334455667788ULL;

	with_keys(3);
	reqlen = request(nc, req, xmt);
	n = serve_nak(req, reqlen, ans);
	ck_assert_int_eq(ntscl_response(nc, ans, n, xmt), 0);
	ck_assert_int_eq(ke.starts, 2);
	r = report();
	ck_assert_int_eq(r.naks, 1);
	ck_assert_int_eq(r.cookies, 0);
	ck_assert_uint_eq(r.auth_failed, 0);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 2);
	ke_answer(2, NULL, -1);
	ck_assert_int_eq(ready_calls, 2);
	ck_assert_int_eq(report().naks, 0);
	ck_assert_int_eq(prepare(&ss), 0);
}
END_TEST

/*
 * A NAK is unauthenticated: one whose origin is not our request's
 * transmit time (or with no request's time to check) is dropped and
 * counted, and the keys are kept.
 */
START_TEST(test_shell_ntscl_nak_wrong_origin_ignored)
{
	struct sockaddr_storage	 ss;
	struct rpt_authdata	 r;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	size_t			 reqlen, n;
	uint64_t		 xmt = 0x1122334455667788ULL;

	with_keys(3);
	reqlen = request(nc, req, xmt);
	n = serve_nak(req, reqlen, ans);
	ck_assert_int_eq(ntscl_response(nc, ans, n, xmt + 1), 0);
	ck_assert_int_eq(ntscl_response(nc, ans, n, 0), 0);
	r = report();
	ck_assert_int_eq(r.naks, 0);
	ck_assert_uint_eq(r.auth_failed, 2);
	ck_assert_int_eq(r.cookies, 2);
	ck_assert_int_eq(ke.starts, 1);
	ck_assert_int_eq(prepare(&ss), 0);
}
END_TEST

/* The last cookie spent without answers: NTS-KE again before a poll. */
START_TEST(test_shell_ntscl_cookies_exhausted_starts_ke)
{
	struct sockaddr_storage	 ss;
	uint8_t			 req[PKT_MAX_LEN];

	with_keys(2);
	(void)request(nc, req, 1);
	ck_assert_int_eq(prepare(&ss), 0);
	(void)request(nc, req, 2);
	ck_assert_int_eq(report().cookies, 0);
	ck_assert_uint_eq(ntscl_request(nc, req, sizeof(req)), 0);
	ck_assert_int_eq(ke.starts, 1);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 2);
	ke_answer(4, NULL, -1);
	ck_assert_int_eq(ready_calls, 2);
	ck_assert_int_eq(prepare(&ss), 0);
	ck_assert_int_eq(report().cookies, 4);
}
END_TEST

/*
 * After ntsrefresh, new keys: NTS-KE starts, and the old keys serve on
 * until it succeeds, failures included.
 */
START_TEST(test_shell_ntscl_refresh_keeps_polling)
{
	struct sockaddr_storage	 ss;

	with_keys(2);
	fake_sys_ns += 3599 * 1000000000LL;
	ck_assert_int_eq(prepare(&ss), 0);
	ck_assert_int_eq(ke.starts, 1);
	fake_sys_ns += 1000000000LL;
	ck_assert_int_eq(prepare(&ss), 0);
	ck_assert_int_eq(ke.starts, 2);
	ke_fail(NTSKE_ERR_VERIFY);
	ck_assert(nc->retry_armed);
	ck_assert_int_eq(prepare(&ss), 0);
	ntscl_trust_changed(nc);	/* keys in hand: the wait stays */
	ck_assert_int_eq(ke.starts, 2);
	ck_assert(nc->retry_armed);

	event_active(nc->ev_retry, EV_TIMEOUT, 1);
	(void)event_base_loop(F.base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(ke.starts, 3);
	ke_answer(3, NULL, -1);
	ck_assert_int_eq(report().key_id, 2);
	ck_assert_int_eq(report().cookies, 3);
}
END_TEST

/*
 * Failed exchanges: waited out, longer after TLS failures (chronyd's
 * 2^10 s) than after network ones (2^4 s); the wait's timer starts the
 * next attempt, the client's polls do not.
 */
START_TEST(test_shell_ntscl_ke_failure_backs_off)
{
	struct sockaddr_storage	 ss;
	long			 s;

	ck_assert_int_eq(prepare(&ss), -1);
	ke_fail(NTSKE_ERR_CONNECT);
	s = retry_in_s();
	ck_assert_msg(s >= 14 && s <= 17, "retry in %ld s", s);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);

	event_active(nc->ev_retry, EV_TIMEOUT, 1);	/* the wait is over */
	(void)event_base_loop(F.base, EVLOOP_NONBLOCK);
	ck_assert_int_eq(ke.starts, 2);
	ck_assert_int_eq(report().ke_attempts, 2);
	ke_fail(NTSKE_ERR_VERIFY);
	s = retry_in_s();
	ck_assert_msg(s >= 2046 && s <= 2049, "retry in %ld s", s);
	ck_assert_int_eq(ready_calls, 0);
}
END_TEST

/* Answers that are no NTS-KE success are failures too, retried later. */
START_TEST(test_shell_ntscl_ke_bad_answers_fail)
{
	static const uint8_t	 error[] = {
		0x80, 0x02, 0x00, 0x02, 0x00, 0x01,	/* Error: 1 */
		0x80, 0x00, 0x00, 0x00
	};
	struct sockaddr_storage	 ss;

	ck_assert_int_eq(prepare(&ss), -1);
	ke.done(ke.arg, NTSKE_OK, KE_SSL, error, sizeof(error));
	ck_assert(nc->retry_armed);
	ck_assert_int_eq(prepare(&ss), -1);

	ntscl_trust_changed(nc);	/* a new attempt at once */
	ck_assert_int_eq(ke.starts, 2);
	ke_answer(0, NULL, -1);		/* no cookie */
	ck_assert(nc->retry_armed);

	ntscl_trust_changed(nc);
	ke.export_fails = 1;
	ke_answer(2, NULL, -1);
	ck_assert(nc->retry_armed);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ready_calls, 0);
	ck_assert_int_eq(report().cookies, 0);
}
END_TEST

/* The hook cannot start NTS-KE: the same wait as a failed exchange. */
START_TEST(test_shell_ntscl_ke_cannot_start)
{
	struct sockaddr_storage	 ss;

	ke.refuse = 1;
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);
	ck_assert(nc->retry_armed);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 1);
}
END_TEST

/*
 * New trusted certificates end the wait after a failure; they change
 * nothing for a source with keys, or one whose exchange is under way.
 */
START_TEST(test_shell_ntscl_trust_changed_retries)
{
	struct sockaddr_storage	 ss;

	ck_assert_int_eq(prepare(&ss), -1);
	ntscl_trust_changed(nc);		/* under way */
	ck_assert_int_eq(ke.starts, 1);
	ke_fail(NTSKE_ERR_VERIFY);
	ck_assert_int_eq(report().ke_attempts, 1);
	ntscl_trust_changed(nc);
	ck_assert_int_eq(ke.starts, 2);
	ck_assert(!evtimer_pending(nc->ev_retry, NULL));
	ck_assert_int_eq(report().ke_attempts, 1);	/* counted anew */
	ke_answer(2, NULL, -1);
	ck_assert_int_eq(ready_calls, 1);
	ntscl_trust_changed(nc);
	ck_assert_int_eq(ke.starts, 2);
}
END_TEST

/* Freed during an exchange: the exchange is cancelled. */
START_TEST(test_shell_ntscl_free_cancels_ke)
{
	struct sockaddr_storage	 ss;

	ck_assert_int_eq(prepare(&ss), -1);
	ntscl_free(nc);
	nc = NULL;
	ck_assert_int_eq(ke.cancels, 1);
}
END_TEST

/*
 * ntsdumpdir: the keys and cookies saved, taken back by the next engine
 * without NTS-KE, its requests good for the server and its answers
 * good for it.
 */
START_TEST(test_shell_ntscl_dump_restore)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct nts_dump		 d, e;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	char			 file[NTS_DUMP_FILE_MAX];
	size_t			 reqlen, n;
	int			 line;

	ck_assert_int_eq(ntscl_dump(nc, &d), -1);	/* nothing yet */
	ck_assert_int_eq(prepare(&ss), -1);
	fake_sys_ns += 700000000LL;	/* the exchange 0.7 s into a second */
	ke_answer(4, "198.51.100.7", 10123);
	ck_assert_int_eq(ntscl_dump(nc, &e), 0);
	/* through the file, and taken back within that second */
	n = nts_dump_write(&e, file, sizeof(file));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(nts_dump_parse(file, n, &d, &line), 0);
	ck_assert_str_eq(d.name, "ntp.example");
	ck_assert_int_eq(d.n_cookies, 4);
	ck_assert_uint_eq(d.sessions, 1);
	ck_assert_mem_eq(d.c2s, srv.keys.c2s, NTS_KEY_LEN);
	ck_assert_mem_eq(d.s2c, srv.keys.s2c, NTS_KEY_LEN);
	ck_assert_str_eq(d.server, "198.51.100.7");
	ck_assert_int_eq(d.port, 10123);

	ntscl_free(nc);
	ck_assert_ptr_nonnull(nc = ntscl_new(&F.ctx, F.ctx.conf->sources,
	    ready, &F));
	ck_assert_int_eq(ntscl_restore(nc, &d), 0);
	ck_assert_int_eq(prepare(&ss), 0);
	ck_assert_int_eq(ke.starts, 1);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(0xc6336407));
	ck_assert_uint_eq(sin->sin_port, htons(10123));
	reqlen = request(nc, req, 7);
	n = serve(req, reqlen, ans, 0);
	ck_assert_int_eq(ntscl_response(nc, ans, n, 7), 1);
	ck_assert_int_eq(report().cookies, NTS_MAX_COOKIES);
	ck_assert_uint_eq(report().key_id, 1);
}
END_TEST

/*
 * A saved state is taken back only for this source, well-formed, and
 * younger than ntsrefresh; otherwise the source starts with NTS-KE.
 */
START_TEST(test_shell_ntscl_restore_refuses)
{
	struct sockaddr_storage	 ss;
	struct nts_dump		 d, e;

	with_keys(3);
	ck_assert_int_eq(ntscl_dump(nc, &d), 0);
	ntscl_free(nc);
	ck_assert_ptr_nonnull(nc = ntscl_new(&F.ctx, F.ctx.conf->sources,
	    ready, &F));

	e = d;
	snprintf(e.name, sizeof(e.name), "other.example");
	ck_assert_int_eq(ntscl_restore(nc, &e), -1);
	e = d;
	e.n_cookies = 0;
	ck_assert_int_eq(ntscl_restore(nc, &e), -1);
	e = d;
	e.ke_time = d.ke_time + 10;		/* from the future */
	ck_assert_int_eq(ntscl_restore(nc, &e), -1);
	fake_sys_ns += 3600 * 1000000000LL;	/* ntsrefresh */
	ck_assert_int_eq(ntscl_restore(nc, &d), -1);
	ck_assert_int_eq(ke.starts, 1);
	ck_assert_int_eq(prepare(&ss), -1);
	ck_assert_int_eq(ke.starts, 2);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("shell_ntsclient");
	TCase	*tc = tcase_create("ntsclient");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_shell_ntscl_prepare_starts_ke);
	tcase_add_test(tc, test_shell_ntscl_ke_gives_keys_and_cookies);
	tcase_add_test(tc, test_shell_ntscl_ke_names_ntp_server);
	tcase_add_test(tc, test_shell_ntscl_ke_server_name_unresolvable);
	tcase_add_test(tc, test_shell_ntscl_answer_accepted);
	tcase_add_test(tc, test_shell_ntscl_forged_answers_dropped);
	tcase_add_test(tc, test_shell_ntscl_nak_starts_ke);
	tcase_add_test(tc, test_shell_ntscl_nak_wrong_origin_ignored);
	tcase_add_test(tc, test_shell_ntscl_cookies_exhausted_starts_ke);
	tcase_add_test(tc, test_shell_ntscl_refresh_keeps_polling);
	tcase_add_test(tc, test_shell_ntscl_ke_failure_backs_off);
	tcase_add_test(tc, test_shell_ntscl_ke_bad_answers_fail);
	tcase_add_test(tc, test_shell_ntscl_ke_cannot_start);
	tcase_add_test(tc, test_shell_ntscl_trust_changed_retries);
	tcase_add_test(tc, test_shell_ntscl_free_cancels_ke);
	tcase_add_test(tc, test_shell_ntscl_dump_restore);
	tcase_add_test(tc, test_shell_ntscl_restore_refuses);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
