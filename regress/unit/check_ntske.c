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
 * The NTS-KE transport on loopback: a server and a client of
 * daemon/ntske.c in one event loop, with certificates the test makes, and
 * raw OpenSSL clients in child processes for what our client never
 * sends (another ALPN, TLS 1.2, silence).
 */

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "clog.h"
#include "log.h"
#include "ntske.h"
#include "sandbox.h"
#include "sandbox_monitor.h"
#include "testcert.h"


static char	 last_warning[512];

static void
capture(int priority, const char *msg)
{
	if (priority <= LOG_WARNING)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
}


static struct pem	 cert_a;	/* localhost, 127.0.0.1 */
static struct pem	 cert_b;	/* other.example */
static struct pem	 cert_old;	/* localhost, expired */

static void
setup(void)
{
	log_init(1, 0, "test");
	log_set_sink(capture);
	last_warning[0] = '\0';
	signal(SIGPIPE, SIG_IGN);
	make_cert(&cert_a, "localhost", "DNS:localhost,IP:127.0.0.1", -1, 2);
	make_cert(&cert_b, "other.example", "DNS:other.example", -1, 2);
	make_cert(&cert_old, "localhost", "DNS:localhost,IP:127.0.0.1", -10,
	    -5);
}

static void
teardown(void)
{
	pem_free(&cert_a);
	pem_free(&cert_b);
	pem_free(&cert_old);
}

/* A listening TCP socket on 127.0.0.1; its port in *port. */
static int
listener(uint16_t *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    0), -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 128), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* What the server's handler and the client's callbacks saw. */
struct seen {
	int	 handled;
	uint8_t	 srv_c2s[32], srv_s2c[32];
	int	 done;
	int	 error;
	uint8_t	 resp[256];
	size_t	 resplen;
	uint8_t	 cli_c2s[32], cli_s2c[32];
	int	 cli_keys;
	size_t	 reqlen;	/* what the client sends; 0: the default */
	int	 reject;	/* the handler refuses */
	int	 early;		/* early_keys() calls */
	int	 early_same;	/* the handler got them, the same */
	uint8_t	 share[32];	/* the server's X25519 key share */
};

/* Next Protocol NTPv4, End of Message. */
static const uint8_t	 request[] = { 0x80, 0x01, 0x00, 0x02, 0x00, 0x00,
	0x80, 0x00, 0x00, 0x00 };

static int
echo_handler(void *arg, SSL *ssl, void *early, const uint8_t *req,
    size_t reqlen, uint8_t *resp, size_t *resplen)
{
	struct seen	*s = arg;
	uint8_t		*e = early;

	s->handled++;
	if (s->reject)
		return -1;
	ck_assert_int_eq(ntske_export_keys(ssl, NTSKE_AEAD_AES_SIV_CMAC_256,
	    s->srv_c2s, s->srv_s2c, 32), 0);
	s->early_same = e != NULL && memcmp(e, s->srv_c2s, 32) == 0 &&
	    memcmp(e + 32, s->srv_s2c, 32) == 0;
	ck_assert_uint_le(reqlen, *resplen);
	memcpy(resp, req, reqlen);
	*resplen = reqlen;
	return 0;
}

/* An early function: the keys, before the client's Finished. */
static void
early_keys(void *arg, SSL *ssl, void *early)
{
	struct seen	*s = arg;
	uint8_t		*e = early;

	s->early++;
	ck_assert_int_eq(ntske_export_keys(ssl, NTSKE_AEAD_AES_SIV_CMAC_256,
	    e, e + 32, 32), 0);
}

static int
build_request(void *arg, SSL *ssl, uint8_t *req, size_t *reqlen)
{
	struct seen	*s = arg;
	size_t		 n;

	if (s->reqlen == 0) {
		memcpy(req, request, sizeof(request));
		*reqlen = sizeof(request);
		return 0;
	}
	/* Records of type 1 without an End of Message. */
	ck_assert_uint_le(s->reqlen, *reqlen);
	for (n = 0; n + 260 <= s->reqlen; n += 260) {
		req[n] = 0x00;
		req[n + 1] = 0x01;
		req[n + 2] = 0x01;
		req[n + 3] = 0x00;
		memset(req + n + 4, 0xaa, 256);
	}
	*reqlen = n;
	return 0;
}

/* The server's X25519 key share, as the client got it. */
static void
share_of(SSL *ssl, uint8_t share[32])
{
	EVP_PKEY	*k;
	size_t		 len = 32;

	ck_assert_int_eq(SSL_get_peer_tmp_key(ssl, &k), 1);
	ck_assert_msg(EVP_PKEY_is_a(k, "X25519"), "%s %s", EVP_PKEY_get0_type_name(k), OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k)));
	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(k, share, &len), 1);
	ck_assert_uint_eq(len, 32);
	EVP_PKEY_free(k);
}

static void
client_done(void *arg, int error, SSL *ssl, const uint8_t *resp, size_t len)
{
	struct seen	*s = arg;

	s->done++;
	s->error = error;
	if (error != NTSKE_OK)
		return;
	ck_assert_uint_le(len, sizeof(s->resp));
	memcpy(s->resp, resp, len);
	s->resplen = len;
	ck_assert_ptr_nonnull(ssl);
	s->cli_keys = ntske_export_keys(ssl, NTSKE_AEAD_AES_SIV_CMAC_256,
	    s->cli_c2s, s->cli_s2c, 32) == 0;
	share_of(ssl, s->share);
}

static void
loop_timeout(evutil_socket_t fd, short ev, void *arg)
{
	event_base_loopbreak(arg);
}

/* Run the loop until *flag is set or ms milliseconds went by. */
static void
run_until(struct event_base *base, const int *flag, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event	*ev;

	ev = evtimer_new(base, loop_timeout, base);
	evtimer_add(ev, &tv);
	while ((flag == NULL || !*flag) && evtimer_pending(ev, NULL))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(ev);
}

struct rig {
	struct event_base	*base;
	struct ntske_server	*srv;
	SSL_CTX			*sctx;
	uint16_t		 port;
	struct seen		 seen;
};

static void
rig_open(struct rig *r, const struct pem *server_pem,
    const struct ntske_server_params *p)
{
	struct ntske_server_params	 def;
	char				 err[256];

	memset(r, 0, sizeof(*r));
	memset(&def, 0, sizeof(def));
	ck_assert_ptr_nonnull(r->base = event_base_new());
	ck_assert_ptr_nonnull(r->srv = ntske_server_new(r->base,
	    p != NULL ? p : &def, echo_handler, &r->seen));
	r->sctx = ntske_server_ctx((const uint8_t *)server_pem->all,
	    server_pem->all_len, err, sizeof(err));
	ck_assert_msg(r->sctx != NULL, "server context: %s", err);
	ntske_server_set_ctx(r->srv, &r->sctx, 1);
	ck_assert_int_eq(ntske_server_add_socket(r->srv, listener(&r->port)),
	    0);
}

static void
rig_close(struct rig *r)
{
	ntske_server_free(r->srv);
	SSL_CTX_free(r->sctx);
	run_until(r->base, NULL, 10);	/* bufferevents finish freeing */
	event_base_free(r->base);
}

/* One exchange from our client, trusting trust, to host. */
static void
exchange(struct rig *r, const struct pem *trust, const char *host,
    int nocerttimecheck, struct evdns_base *dns)
{
	struct ntske_client_params	 cp;
	SSL_CTX				*cctx;
	char				 err[256];

	cctx = ntske_client_ctx((const uint8_t *)trust->cert, trust->cert_len,
	    err, sizeof(err));
	ck_assert_msg(cctx != NULL, "client context: %s", err);
	memset(&cp, 0, sizeof(cp));
	cp.host = host;
	cp.port = r->port;
	cp.ctx = cctx;
	cp.nocerttimecheck = nocerttimecheck;
	ck_assert_ptr_nonnull(ntske_client_start(r->base, dns, &cp,
	    build_request, client_done, &r->seen));
	SSL_CTX_free(cctx);	/* the connection holds its own reference */
	ck_assert_int_eq(r->seen.done, 0);	/* never from within start */
	run_until(r->base, &r->seen.done, 5000);
	ck_assert_int_eq(r->seen.done, 1);
}

START_TEST(test_ntske_exchange_exports_same_keys)
{
	struct rig		 r;
	struct ntske_stats	 st;
	static const uint8_t	 zero[32];

	rig_open(&r, &cert_a, NULL);
	exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
	ck_assert_msg(r.seen.error == NTSKE_OK, "error %s (%s)",
	    ntske_strerror(r.seen.error), last_warning);
	ck_assert_int_eq(r.seen.handled, 1);
	ck_assert_uint_eq(r.seen.resplen, sizeof(request));
	ck_assert_mem_eq(r.seen.resp, request, sizeof(request));
	ck_assert(r.seen.cli_keys);
	ck_assert_mem_eq(r.seen.cli_c2s, r.seen.srv_c2s, 32);
	ck_assert_mem_eq(r.seen.cli_s2c, r.seen.srv_s2c, 32);
	ck_assert(memcmp(r.seen.cli_c2s, r.seen.cli_s2c, 32) != 0);
	ck_assert(memcmp(r.seen.cli_c2s, zero, 32) != 0);
	run_until(r.base, NULL, 50);
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.answered, 1);
	ck_assert_int_eq(ntske_server_conns(r.srv), 0);
	rig_close(&r);
}
END_TEST

/*
 * A lone client: the early function runs once, its work reaches the
 * handler, and the keys it exported are the session's.
 */
START_TEST(test_ntske_early_work_reaches_the_handler)
{
	struct ntske_server_params	 p;
	struct rig			 r;

	memset(&p, 0, sizeof(p));
	p.early = early_keys;
	p.early_size = 64;
	rig_open(&r, &cert_a, &p);
	exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
	ck_assert_msg(r.seen.error == NTSKE_OK, "error %s (%s)",
	    ntske_strerror(r.seen.error), last_warning);
	ck_assert_int_eq(r.seen.handled, 1);
	ck_assert_int_eq(r.seen.early, 1);
	ck_assert_int_eq(r.seen.early_same, 1);
	ck_assert_mem_eq(r.seen.cli_c2s, r.seen.srv_c2s, 32);
	rig_close(&r);
}
END_TEST

/*
 * The server takes each handshake's X25519 key pair from those made
 * ahead, makes the next one after its flight, and never uses one twice;
 * the client (and the peer's key) leave the pool alone.
 */
START_TEST(test_ntske_key_shares_made_ahead)
{
	struct ntske_kx_stats	 a, b;
	struct rig		 r;
	uint8_t			 shares[4][32];
	int			 i, j;

	ck_assert_int_eq(ntske_init(), 0);
	rig_open(&r, &cert_a, NULL);
	ntske_kx_stats(&a);
	ck_assert_uint_ge(a.filled, 1);
	for (i = 0; i < 4; i++) {
		r.seen.done = 0;
		exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
		ck_assert_msg(r.seen.error == NTSKE_OK, "error %s (%s)",
		    ntske_strerror(r.seen.error), last_warning);
		ck_assert_mem_eq(r.seen.cli_c2s, r.seen.srv_c2s, 32);
		memcpy(shares[i], r.seen.share, 32);
		for (j = 0; j < i; j++)
			ck_assert(memcmp(shares[i], shares[j], 32) != 0);
		ntske_kx_stats(&b);
		ck_assert_uint_eq(b.pooled, a.pooled + i + 1);
		ck_assert_uint_eq(b.made, a.made);
		ck_assert_uint_eq(b.filled, a.filled + i + 1);
	}
	rig_close(&r);
}
END_TEST

/* A forked child never uses its parent's key pairs: it makes its own. */
START_TEST(test_ntske_fork_drops_key_pairs)
{
	struct ntske_kx_stats	 a, b;
	struct rig		 r;
	pid_t			 pid;
	int			 status;

	ck_assert_int_eq(ntske_init(), 0);
	ntske_kx_stats(&a);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		rig_open(&r, &cert_a, NULL);
		exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
		ntske_kx_stats(&b);
		rig_close(&r);
		_exit(r.seen.error == NTSKE_OK && b.pooled == a.pooled &&
		    b.made == a.made + 1 && b.filled > a.filled ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}
END_TEST

START_TEST(test_ntske_exchange_by_name)
{
	struct rig		 r;
	struct evdns_base	*dns;

	rig_open(&r, &cert_a, NULL);
	ck_assert_ptr_nonnull(dns = evdns_base_new(r.base, 0));
	if (evdns_base_load_hosts(dns, NULL) != 0) {
		evdns_base_free(dns, 0);
		rig_close(&r);
		return;
	}
	exchange(&r, &cert_a, "localhost", 0, dns);
	ck_assert_msg(r.seen.error == NTSKE_OK, "error %s (%s)",
	    ntske_strerror(r.seen.error), last_warning);
	evdns_base_free(dns, 0);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_no_resolver_fails_later)
{
	struct rig	 r;

	rig_open(&r, &cert_a, NULL);
	exchange(&r, &cert_a, "localhost", 0, NULL);
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_DNS);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_wrong_trust_store_fails)
{
	struct rig	 r;

	rig_open(&r, &cert_a, NULL);
	exchange(&r, &cert_b, "127.0.0.1", 0, NULL);
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_VERIFY);
	ck_assert_int_eq(r.seen.handled, 0);
	ck_assert_msg(strstr(last_warning, "127.0.0.1: certificate "
	    "verification failed: ") != NULL, "%s", last_warning);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_host_name_mismatch_fails)
{
	struct rig	 r;

	rig_open(&r, &cert_b, NULL);
	exchange(&r, &cert_b, "127.0.0.1", 0, NULL);
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_VERIFY);
	ck_assert_msg(strstr(last_warning, "mismatch") != NULL, "%s",
	    last_warning);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_expired_certificate)
{
	struct rig	 r;

	rig_open(&r, &cert_old, NULL);
	exchange(&r, &cert_old, "127.0.0.1", 0, NULL);
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_VERIFY);
	ck_assert_msg(strstr(last_warning, "expired") != NULL, "%s",
	    last_warning);
	r.seen.done = 0;
	exchange(&r, &cert_old, "127.0.0.1", 1, NULL);	/* nocerttimecheck */
	ck_assert_msg(r.seen.error == NTSKE_OK, "%s", last_warning);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_new_certificate_for_new_handshakes)
{
	struct rig	 r;
	SSL_CTX		*b;
	char		 err[256];

	rig_open(&r, &cert_a, NULL);
	ck_assert_ptr_nonnull(b = ntske_server_ctx(
	    (const uint8_t *)cert_b.all, cert_b.all_len, err, sizeof(err)));
	ntske_server_set_ctx(r.srv, &b, 1);
	SSL_CTX_free(b);
	exchange(&r, &cert_b, "127.0.0.1", 0, NULL);
	/* the certificate is b's: trusted, but named other.example */
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_VERIFY);
	ck_assert_msg(strstr(last_warning, "mismatch") != NULL, "%s",
	    last_warning);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_sni_picks_the_certificate)
{
	struct rig		 r;
	struct evdns_base	*dns;
	SSL_CTX			*ctx[2];
	char			 err[256];

	rig_open(&r, &cert_b, NULL);
	ck_assert_ptr_nonnull(dns = evdns_base_new(r.base, 0));
	if (evdns_base_load_hosts(dns, NULL) != 0) {
		evdns_base_free(dns, 0);
		rig_close(&r);
		return;
	}
	ctx[0] = r.sctx;	/* other.example is the default */
	ck_assert_ptr_nonnull(ctx[1] = ntske_server_ctx(
	    (const uint8_t *)cert_a.all, cert_a.all_len, err, sizeof(err)));
	ntske_server_set_ctx(r.srv, ctx, 2);
	SSL_CTX_free(ctx[1]);
	exchange(&r, &cert_a, "localhost", 0, dns);
	ck_assert_msg(r.seen.error == NTSKE_OK, "%s", last_warning);
	evdns_base_free(dns, 0);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_bad_pem_gives_no_context)
{
	static const char	 junk[] = "-----BEGIN CERTIFICATE-----\n"
	    "bm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
	char			 err[256];

	ck_assert_ptr_null(ntske_server_ctx((const uint8_t *)junk,
	    sizeof(junk) - 1, err, sizeof(err)));
	ck_assert_ptr_null(ntske_server_ctx((const uint8_t *)cert_a.cert,
	    cert_a.cert_len, err, sizeof(err)));	/* no key */
	ck_assert_msg(strstr(err, "private key") != NULL, "%s", err);
	ck_assert_ptr_null(ntske_client_ctx((const uint8_t *)junk,
	    sizeof(junk) - 1, err, sizeof(err)));
}
END_TEST

START_TEST(test_ntske_mismatched_key_gives_no_context)
{
	char	*pem, err[256];
	size_t	 n;

	/* a's certificate with b's key */
	n = cert_a.cert_len + (cert_b.all_len - cert_b.cert_len);
	pem = malloc(n);
	memcpy(pem, cert_a.cert, cert_a.cert_len);
	memcpy(pem + cert_a.cert_len, cert_b.all + cert_b.cert_len,
	    cert_b.all_len - cert_b.cert_len);
	ck_assert_ptr_null(ntske_server_ctx((const uint8_t *)pem, n, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "does not match") != NULL, "%s", err);
	free(pem);
}
END_TEST

/* Raw clients, in a child: exit 0 if the exchange worked. */
enum raw_kind { RAW_ALPN_OTHER, RAW_NO_ALPN, RAW_TLS12, RAW_GOOD };

static int
raw_connect(uint16_t port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		_exit(10);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		_exit(11);
	return fd;
}

static void
raw_tls(uint16_t port, enum raw_kind kind)
{
	SSL_CTX	*ctx;
	SSL	*ssl;
	uint8_t	 buf[64];
	int	 fd = raw_connect(port), n, got = 0;

	ctx = SSL_CTX_new(TLS_client_method());
	if (kind == RAW_TLS12)
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	ssl = SSL_new(ctx);
	if (kind == RAW_ALPN_OTHER)
		SSL_set_alpn_protos(ssl, (const uint8_t *)"\x08http/1.1", 9);
	else if (kind != RAW_NO_ALPN)
		SSL_set_alpn_protos(ssl, (const uint8_t *)"\x07ntske/1", 8);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		_exit(1);
	if (SSL_write(ssl, request, sizeof(request)) != sizeof(request))
		_exit(2);
	while (got < (int)sizeof(request) &&
	    (n = SSL_read(ssl, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	_exit(got == sizeof(request) ? 0 : 3);
}

static void
raw_tls_child(struct rig *r, enum raw_kind kind, int *status)
{
	pid_t	 pid;
	int	 i;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		raw_tls(r->port, kind);
	for (i = 0; i < 500; i++) {
		run_until(r->base, NULL, 10);
		if (waitpid(pid, status, WNOHANG) == pid)
			return;
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	ck_abort_msg("raw client %d hangs", kind);
}

START_TEST(test_ntske_alpn_and_version_required)
{
	static const struct {
		const char	*what;
		enum raw_kind	 kind;
		int		 status;
	} t[] = {
		{ "ntske/1, TLS 1.3", RAW_GOOD, 0 },
		{ "http/1.1 only", RAW_ALPN_OTHER, 1 },
		{ "no ALPN", RAW_NO_ALPN, -1 },		/* closed after */
		{ "TLS 1.2 at most", RAW_TLS12, 1 },
	};
	struct rig		 r;
	struct ntske_stats	 st;
	size_t			 i;
	int			 status;

	rig_open(&r, &cert_a, NULL);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		raw_tls_child(&r, t[i].kind, &status);
		ck_assert_msg(WIFEXITED(status), "%s", t[i].what);
		if (t[i].status >= 0)
			ck_assert_msg(WEXITSTATUS(status) == t[i].status,
			    "%s: exit %d", t[i].what, WEXITSTATUS(status));
		else
			ck_assert_msg(WEXITSTATUS(status) != 0,
			    "%s: answered", t[i].what);
	}
	run_until(r.base, NULL, 50);
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.answered, 1);
	ck_assert_uint_eq(st.handshake_failed, 3);
	ck_assert_int_eq(r.seen.handled, 1);
	rig_close(&r);
}
END_TEST

/* 1 if the server closed fd within ms milliseconds. */
static int
closed_within(struct rig *r, int fd, int ms)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		 c;
	int		 i;

	for (i = 0; i < ms / 10; i++) {
		run_until(r->base, NULL, 10);
		if (poll(&pfd, 1, 0) == 1)
			return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
	}
	return 0;
}

START_TEST(test_ntske_connection_cap)
{
	struct ntske_server_params	 p;
	struct ntske_stats		 st;
	struct rig			 r;
	int				 fd[3], i;

	memset(&p, 0, sizeof(p));
	p.max_conns = 2;
	p.timeout_ms = 5000;
	rig_open(&r, &cert_a, &p);
	for (i = 0; i < 3; i++) {
		fd[i] = raw_connect(r.port);
		run_until(r.base, NULL, 20);
	}
	ck_assert_int_eq(ntske_server_conns(r.srv), 2);
	ck_assert(closed_within(&r, fd[2], 500));
	ck_assert(!closed_within(&r, fd[0], 100));
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.accepted, 2);
	ck_assert_uint_eq(st.dropped, 1);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_silent_connection_times_out)
{
	struct ntske_server_params	 p;
	struct ntske_stats		 st;
	struct rig			 r;
	int				 fd;

	memset(&p, 0, sizeof(p));
	p.timeout_ms = 300;
	rig_open(&r, &cert_a, &p);
	fd = raw_connect(r.port);
	ck_assert(!closed_within(&r, fd, 150));
	ck_assert(closed_within(&r, fd, 1000));
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.timeouts, 1);
	ck_assert_int_eq(ntske_server_conns(r.srv), 0);
	close(fd);
	rig_close(&r);
}
END_TEST

/* A ClientHello one byte at a time: the deadline counts from accept. */
START_TEST(test_ntske_trickling_client_times_out)
{
	struct ntske_server_params	 p;
	struct ntske_stats		 st;
	struct rig			 r;
	const uint8_t			 hello[] = { 0x16, 0x03, 0x01, 0x02,
					    0x00, 0x01, 0x00, 0x01, 0xfc };
	size_t				 i;
	int				 fd, closed = 0;

	memset(&p, 0, sizeof(p));
	p.timeout_ms = 300;
	rig_open(&r, &cert_a, &p);
	fd = raw_connect(r.port);
	/* 9 bytes, 100 ms apart: 900 ms, three times the timeout */
	for (i = 0; i < sizeof(hello) && !closed; i++) {
		if (send(fd, hello + i, 1, MSG_NOSIGNAL) != 1)
			break;
		closed = closed_within(&r, fd, 100);
	}
	ck_assert_msg(i < sizeof(hello), "still open after %zu bytes", i);
	ck_assert_msg(i >= 2, "closed after %zu bytes", i);
	ck_assert(closed || closed_within(&r, fd, 200));
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.timeouts, 1);
	ck_assert_int_eq(ntske_server_conns(r.srv), 0);
	close(fd);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_rate_limit_closes_at_once)
{
	struct ntske_server_params	 p;
	struct clog_params		 cp;
	struct ntske_stats		 st;
	struct rig			 r;
	uint8_t				 key[16] = { 1 };
	int				 fd[2], i;

	memset(&cp, 0, sizeof(cp));
	cp.max_bytes = 65536;
	cp.ratelimit = 1;
	cp.interval = 10;	/* one connection in 1024 s */
	cp.burst = 1;
	memset(&p, 0, sizeof(p));
	ck_assert_ptr_nonnull(p.limiter = clog_new(&cp, key));
	rig_open(&r, &cert_a, &p);
	for (i = 0; i < 2; i++) {
		fd[i] = raw_connect(r.port);
		run_until(r.base, NULL, 20);
	}
	ck_assert(closed_within(&r, fd[1], 500));
	ck_assert(!closed_within(&r, fd[0], 100));
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.limited, 1);
	for (i = 0; i < 2; i++)
		close(fd[i]);
	rig_close(&r);
	clog_free(p.limiter);
}
END_TEST

START_TEST(test_ntske_oversized_request_rejected)
{
	struct ntske_server_params	 p;
	struct ntske_stats		 st;
	struct rig			 r;

	memset(&p, 0, sizeof(p));
	p.max_request = 1024;
	rig_open(&r, &cert_a, &p);
	r.seen.reqlen = 2080;	/* 8 records of 260 bytes, no end */
	exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
	ck_assert_int_ne(r.seen.error, NTSKE_OK);
	ck_assert_int_eq(r.seen.handled, 0);
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.oversized, 1);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_handler_refusal_closes)
{
	struct rig		 r;
	struct ntske_stats	 st;

	rig_open(&r, &cert_a, NULL);
	r.seen.reject = 1;
	exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_CLOSED);
	ntske_server_stats(r.srv, &st);
	ck_assert_uint_eq(st.refused, 1);
	rig_close(&r);
}
END_TEST

START_TEST(test_ntske_refused_connection)
{
	struct rig	 r;
	uint16_t	 port;
	int		 fd;

	rig_open(&r, &cert_a, NULL);
	fd = listener(&port);
	close(fd);		/* nobody listens there now */
	r.port = port;
	exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
	ck_assert_int_ne(r.seen.error, NTSKE_OK);
	rig_close(&r);
}
END_TEST

/*
 * Both ends under the monitor's and the engine's seccomp lists, as in
 * the engine: what is made before the filters is made before them there
 * too (event base, resolver, listening socket); the contexts are parsed
 * after, as the engine parses the monitor's memfds.
 */
static void
sandboxed_exchanges(void)
{
	struct rig		 r;
	struct evdns_base	*dns;
	int			 fd;
	char			 err[256];

	memset(&r, 0, sizeof(r));
	ck_assert_ptr_nonnull(r.base = event_base_new());
	ck_assert_ptr_nonnull(dns = evdns_base_new(r.base, 0));
	ck_assert_int_eq(evdns_base_load_hosts(dns, NULL), 0);
	ck_assert_ptr_nonnull(r.srv = ntske_server_new(r.base,
	    &(struct ntske_server_params){ 0 }, echo_handler, &r.seen));
	fd = listener(&r.port);
	ck_assert_int_eq(ntske_init(), 0);	/* as the engine does */
	if (sandbox_monitor_filter(NULL) == -1 || sandbox_engine_filter() == -1)
		_exit(20);
	ck_assert_int_eq(ntske_server_add_socket(r.srv, fd), 0);
	r.sctx = ntske_server_ctx((const uint8_t *)cert_a.all,
	    cert_a.all_len, err, sizeof(err));
	ck_assert_msg(r.sctx != NULL, "%s", err);
	ntske_server_set_ctx(r.srv, &r.sctx, 1);
	exchange(&r, &cert_a, "127.0.0.1", 0, NULL);
	ck_assert_msg(r.seen.error == NTSKE_OK, "%s", last_warning);
	ck_assert_mem_eq(r.seen.cli_c2s, r.seen.srv_c2s, 32);
	r.seen.done = 0;
	exchange(&r, &cert_a, "localhost", 0, dns);
	ck_assert_msg(r.seen.error == NTSKE_OK, "%s", last_warning);
	r.seen.done = 0;
	exchange(&r, &cert_b, "127.0.0.1", 0, NULL);
	ck_assert_int_eq(r.seen.error, NTSKE_ERR_VERIFY);
	_exit(0);
}

START_TEST(test_ntske_works_under_seccomp)
{
	pid_t	 pid;
	int	 status;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		sandboxed_exchanges();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS,
	    "killed by seccomp (SIGSYS): a call is missing from the lists");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}
END_TEST

static Suite *
ntske_suite(void)
{
	Suite	*s = suite_create("ntske");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ntske_exchange_exports_same_keys);
	tcase_add_test(tc, test_ntske_early_work_reaches_the_handler);
	tcase_add_test(tc, test_ntske_key_shares_made_ahead);
	tcase_add_test(tc, test_ntske_fork_drops_key_pairs);
	tcase_add_test(tc, test_ntske_exchange_by_name);
	tcase_add_test(tc, test_ntske_no_resolver_fails_later);
	tcase_add_test(tc, test_ntske_wrong_trust_store_fails);
	tcase_add_test(tc, test_ntske_host_name_mismatch_fails);
	tcase_add_test(tc, test_ntske_expired_certificate);
	tcase_add_test(tc, test_ntske_new_certificate_for_new_handshakes);
	tcase_add_test(tc, test_ntske_sni_picks_the_certificate);
	tcase_add_test(tc, test_ntske_bad_pem_gives_no_context);
	tcase_add_test(tc, test_ntske_mismatched_key_gives_no_context);
	tcase_add_test(tc, test_ntske_alpn_and_version_required);
	tcase_add_test(tc, test_ntske_connection_cap);
	tcase_add_test(tc, test_ntske_silent_connection_times_out);
	tcase_add_test(tc, test_ntske_trickling_client_times_out);
	tcase_add_test(tc, test_ntske_rate_limit_closes_at_once);
	tcase_add_test(tc, test_ntske_oversized_request_rejected);
	tcase_add_test(tc, test_ntske_handler_refusal_closes);
	tcase_add_test(tc, test_ntske_refused_connection);
	tcase_add_test(tc, test_ntske_works_under_seccomp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(ntske_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
