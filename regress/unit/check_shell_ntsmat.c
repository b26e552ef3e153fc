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
 * Unit tests of the engine's NTS material (daemon/ntsmat.c), #included
 * with the test's clock and context (shell_ctx.h): the monitor's frames
 * (IMSG_NTS_SERVER_CERT, _CERTS_END, IMSG_NTS_TRUST, IMSG_NTS_KE_SOCKET)
 * as dispatch() hands them over, their files in memfds as
 * monitor/ntsfiles.c sends them, with certificates the test makes.  A
 * malformed frame means a broken monitor: the engine exits (fatalx),
 * which check's exit tests see.  NTS-KE itself runs for real: a client
 * started by ntsmat against its own server, on a listening socket on
 * 127.0.0.1 in this process, one event loop, no other program.
 */

#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "nts.h"

#include "shell_ctx.h"
#include "testcert.h"

#include "ntsmat.c"

static struct pem	 cert_a;	/* 127.0.0.1 */
static struct pem	 cert_b;	/* other.example */
static struct pem	 cert_old;	/* 127.0.0.1, expired */

static struct fake_ctx		 F;
static struct ectx_hooks	 hooks;
static struct ntsmat		*m;
static char			 last_warning[512];

/* The NTS server's hooks, when the test says one is here. */
static struct {
	int	 serving;
	int	 early;		/* nts_ke_early() calls */
	int	 answers;	/* nts_ke_answer() calls */
	int	 early_seen;	/* the answer had the early work */
} nts;

/* What the client's callbacks saw. */
static struct {
	int	 done;
	int	 error;
	uint8_t	 resp[256];
	size_t	 len;
} cli;

/* Error 2, End of Message: ntsmat's answer with no NTS server. */
static const uint8_t	 refusal[] = {
	0x80, 0x02, 0x00, 0x02, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00
};
/* What the test's NTS server answers: Next Protocol NTPv4, End. */
static const uint8_t	 answer[] = {
	0x80, 0x01, 0x00, 0x02, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00
};

/*
 * The fatalx() a malformed frame must end in, and the status the test's
 * process then exits with: not fatalx's 1, which a failed assertion in
 * check's child exits with too, so that the exit tests tell the refusal
 * they expect from any other way out.
 */
#define FATAL_EXIT	71
static const char	*expect_fatal;

static void
capture(int priority, const char *msg)
{
	if (priority <= LOG_CRIT && expect_fatal != NULL &&
	    strstr(msg, expect_fatal) != NULL)
		_exit(FATAL_EXIT);
	if (priority <= LOG_WARNING)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
}


/* The NTS server's hooks: early work, then the answer. */
static int
fake_serving(void *arg)
{
	return nts.serving;
}

static size_t
fake_early_size(void *arg)
{
	return 16;
}

static void
fake_ke_early(void *arg, SSL *ssl, void *early)
{
	ck_assert_ptr_eq(arg, &F);
	ck_assert(nts.serving);
	nts.early++;
	memset(early, 0xee, 16);
}

static int
fake_ke_answer(void *arg, SSL *ssl, void *early, const uint8_t *req,
    size_t reqlen, uint8_t *resp, size_t *resplen)
{
	static const uint8_t	 ee[16] = {
		0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
		0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee
	};

	ck_assert_ptr_eq(arg, &F);
	ck_assert(nts.serving);
	nts.answers++;
	nts.early_seen = early != NULL && memcmp(early, ee, 16) == 0;
	ck_assert_uint_eq(reqlen, sizeof(answer));	/* the client's */
	ck_assert_mem_eq(req, answer, reqlen);
	ck_assert_uint_ge(*resplen, sizeof(answer));
	memcpy(resp, answer, sizeof(answer));
	*resplen = sizeof(answer);
	return 0;
}

static const char *const conf_lines[] = {
	"ntsservercert /nonexistent/a.pem",
	"ntsserverkey /nonexistent/a.key",
	"ntsservercert /nonexistent/b.pem",
	"ntsserverkey /nonexistent/b.key",
	"nocerttimecheck 1",
	NULL
};

static void
setup(void)
{
	log_set_sink(capture);
	last_warning[0] = '\0';
	expect_fatal = NULL;
	signal(SIGPIPE, SIG_IGN);
	memset(&nts, 0, sizeof(nts));
	memset(&cli, 0, sizeof(cli));
	make_cert(&cert_a, "localhost", "IP:127.0.0.1", -1, 2);
	make_cert(&cert_b, "other.example", "DNS:other.example", -1, 2);
	make_cert(&cert_old, "localhost", "IP:127.0.0.1", -10, -5);
	fake_ctx_open(&F, conf_lines);
	hooks = fake_hooks;
	hooks.nts_serving = fake_serving;
	hooks.nts_early_size = fake_early_size;
	hooks.nts_ke_early = fake_ke_early;
	hooks.nts_ke_answer = fake_ke_answer;
	F.ctx.hooks = &hooks;
	ck_assert_ptr_nonnull(m = ntsmat_new(&F.ctx));
}

static void
loop_timeout(evutil_socket_t fd, short ev, void *arg)
{
	event_base_loopbreak(arg);
}

/* Run the loop until *flag is set or ms milliseconds went by. */
static void
run_until(const int *flag, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event	*ev;

	ck_assert_ptr_nonnull(ev = evtimer_new(F.base, loop_timeout, F.base));
	ck_assert_int_eq(evtimer_add(ev, &tv), 0);
	while ((flag == NULL || !*flag) && evtimer_pending(ev, NULL))
		event_base_loop(F.base, EVLOOP_ONCE);
	event_free(ev);
}

static void
teardown(void)
{
	ntsmat_free(m);
	run_until(NULL, 10);	/* bufferevents finish freeing */
	fake_ctx_close(&F);
	pem_free(&cert_a);
	pem_free(&cert_b);
	pem_free(&cert_old);
	log_set_sink(NULL);
}

/* A memfd holding len bytes of text, as monitor/ntsfiles.c makes. */
static int
memfd_of(const char *text, size_t len)
{
	int	 fd;

	ck_assert_int_ne(fd = memfd_create("test", MFD_CLOEXEC), -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	return fd;
}

/* A frame from the monitor, as dispatch() hands it to ntsmat. */
static void
frame(uint32_t type, int fd, const void *data, size_t len)
{
	struct imsg	 imsg;

	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.type = type;
	imsg.fd = fd;
	imsg.data = (void *)data;
	imsg.datalen = len;
	ntsmat_dispatch(m, &imsg);
	/* ntsmat took the descriptor: closed, or kept as its own */
	ck_assert_int_eq(imsg.fd, -1);
}

/* 1 if fd is an open descriptor. */
static int
is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* IMSG_NTS_TRUST: certset's CA certificates in a memfd; the memfd. */
static int
trust(int certset, const char *text, size_t len)
{
	struct nts_trust_msg	 msg = { certset, 0 };
	int			 fd = memfd_of(text, len);

	frame(IMSG_NTS_TRUST, fd, &msg, sizeof(msg));
	return fd;
}

/* IMSG_NTS_SERVER_CERT: the index-th chain and key; the memfd. */
static int
server_cert(int index, const char *text, size_t len)
{
	struct nts_cert_msg	 msg = { index };
	int			 fd = memfd_of(text, len);

	frame(IMSG_NTS_SERVER_CERT, fd, &msg, sizeof(msg));
	return fd;
}

static void
send_certs_end(void)
{
	frame(IMSG_NTS_SERVER_CERTS_END, -1, NULL, 0);
}

/* IMSG_NTS_KE_SOCKET: a listening TCP socket on 127.0.0.1; its port. */
static uint16_t
ke_socket(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	frame(IMSG_NTS_KE_SOCKET, fd, NULL, 0);
	ck_assert(is_open(fd));		/* the server's now */
	return ntohs(sin.sin_port);
}

/* An NTS source's client request: Next Protocol NTPv4, End. */
static int
ke_request(void *arg, SSL *ssl, uint8_t *req, size_t *reqlen)
{
	ck_assert_uint_ge(*reqlen, sizeof(answer));
	memcpy(req, answer, sizeof(answer));
	*reqlen = sizeof(answer);
	return 0;
}

static void
ke_done(void *arg, int error, SSL *ssl, const uint8_t *resp, size_t len)
{
	cli.done++;
	cli.error = error;
	if (error != NTSKE_OK)
		return;
	ck_assert_uint_le(len, sizeof(cli.resp));
	memcpy(cli.resp, resp, len);
	cli.len = len;
}

/*
 * One NTS-KE exchange of a source of certset with the server on port,
 * started by ntsmat as the NTS client's hook does; its error.
 */
static int
exchange(int certset, uint16_t port)
{
	struct conf_source	 src;

	memset(&src, 0, sizeof(src));
	src.name = "127.0.0.1";
	src.ntsport = port;
	src.certset = certset;
	memset(&cli, 0, sizeof(cli));
	ck_assert_ptr_nonnull(ntsmat_client_start(m, &src, ke_request,
	    ke_done, NULL));
	run_until(&cli.done, 5000);
	ck_assert_int_eq(cli.done, 1);
	return cli.error;
}

/* A server with cert_a's, serving on a socket; its port. */
static uint16_t
serve_a(void)
{
	int	 fd;

	fd = server_cert(0, cert_a.all, cert_a.all_len);
	ck_assert(!is_open(fd));
	send_certs_end();
	return ke_socket();
}

/*
 * The first trust store of a certset is loaded, its memfd closed; no
 * source is told, none can have waited for it.
 */
START_TEST(test_shell_ntsmat_trust_loaded)
{
	int	 fd;

	ck_assert_ptr_null(ntsmat_trust(m, 1));
	fd = trust(1, cert_a.cert, cert_a.cert_len);
	ck_assert(!is_open(fd));
	ck_assert_ptr_nonnull(ntsmat_trust(m, 1));
	ck_assert_ptr_null(ntsmat_trust(m, 0));
	(void)trust(0, cert_b.cert, cert_b.cert_len);
	ck_assert_ptr_nonnull(ntsmat_trust(m, 0));
	ck_assert_int_eq(F.trust_changed, 0);
}
END_TEST

/* A certset's store again (SIGHUP): replaced, its sources told. */
START_TEST(test_shell_ntsmat_trust_reload_notifies)
{
	(void)trust(1, cert_b.cert, cert_b.cert_len);
	(void)trust(2, cert_b.cert, cert_b.cert_len);
	ck_assert_int_eq(F.trust_changed, 0);
	(void)trust(2, cert_a.cert, cert_a.cert_len);
	ck_assert_int_eq(F.trust_changed, 1);
	ck_assert_int_eq(F.trust_certset, 2);
	ck_assert_int_eq(m->ntrust, 2);
}
END_TEST

/*
 * A store that cannot be read or parsed is refused with a warning: the
 * certset keeps what it had, and nobody is told of a change.
 */
START_TEST(test_shell_ntsmat_trust_unusable_kept)
{
	static const char	 broken[] =
	    "-----BEGIN CERTIFICATE-----\nMIIB\n";
	int			 fd;

	(void)trust(1, cert_a.cert, cert_a.cert_len);
	fd = trust(1, broken, sizeof(broken) - 1);
	ck_assert(!is_open(fd));
	ck_assert_msg(strstr(last_warning, "certset 1") != NULL, "%s",
	    last_warning);
	last_warning[0] = '\0';
	fd = trust(1, "", 0);			/* an empty file */
	ck_assert(!is_open(fd));
	ck_assert_msg(strstr(last_warning, "certset 1") != NULL, "%s",
	    last_warning);
	(void)trust(3, "", 0);
	ck_assert_ptr_null(ntsmat_trust(m, 3));
	ck_assert_ptr_nonnull(ntsmat_trust(m, 1));
	ck_assert_int_eq(F.trust_changed, 0);
	ck_assert_int_eq(m->ntrust, 1);
}
END_TEST

/*
 * The server's certificates: those that load are kept until the set
 * ends, then the set is the server's and the pending list empty; one
 * that does not load is named by its ntsservercert and left out.
 */
START_TEST(test_shell_ntsmat_certs_end_activates)
{
	struct ntske_stats	 st;
	int			 fd;

	ck_assert_ptr_null(m->srv);
	fd = server_cert(0, cert_a.all, cert_a.all_len);
	ck_assert(!is_open(fd));
	fd = server_cert(1, cert_b.cert, cert_b.cert_len);	/* no key */
	ck_assert(!is_open(fd));
	ck_assert_msg(strstr(last_warning, "/nonexistent/b.pem") != NULL,
	    "%s", last_warning);
	ck_assert_int_eq(m->npending, 1);
	ck_assert_ptr_null(m->srv);
	send_certs_end();
	ck_assert_ptr_nonnull(m->srv);
	ck_assert_int_eq(m->npending, 0);
	ntsmat_stats(m, &st);
	ck_assert_uint_eq(st.accepted, 0);
}
END_TEST

/*
 * The whole way: the server's certificate and socket from the monitor,
 * a certset trusting it, a source's NTS-KE exchange started by ntsmat.
 * Without an NTS server here the answer is Error 2 (RFC 8915 4.1.3).
 */
START_TEST(test_shell_ntsmat_exchange_refused_without_server)
{
	struct ntske_stats	 st;
	uint16_t		 port;

	port = serve_a();
	(void)trust(1, cert_a.cert, cert_a.cert_len);
	ck_assert_int_eq(exchange(1, port), NTSKE_OK);
	ck_assert_uint_eq(cli.len, sizeof(refusal));
	ck_assert_mem_eq(cli.resp, refusal, sizeof(refusal));
	ck_assert_int_eq(nts.answers + nts.early, 0);
	run_until(NULL, 50);
	ntsmat_stats(m, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.answered, 1);
}
END_TEST

/* With an NTS server, it makes the answer, its early work passed on. */
START_TEST(test_shell_ntsmat_exchange_answered_by_server)
{
	uint16_t	 port;

	nts.serving = 1;
	port = serve_a();
	(void)trust(1, cert_a.cert, cert_a.cert_len);
	ck_assert_int_eq(exchange(1, port), NTSKE_OK);
	ck_assert_int_eq(nts.answers, 1);
	ck_assert_int_eq(nts.early, 1);		/* a lone client */
	ck_assert(nts.early_seen);
	ck_assert_uint_eq(cli.len, sizeof(answer));
	ck_assert_mem_eq(cli.resp, answer, sizeof(answer));
}
END_TEST

/*
 * A source trusts its own certset alone; the certset's new store
 * (SIGHUP) serves the next exchange.
 */
START_TEST(test_shell_ntsmat_exchange_uses_certset)
{
	uint16_t	 port;

	port = serve_a();
	(void)trust(0, cert_a.cert, cert_a.cert_len);
	(void)trust(2, cert_b.cert, cert_b.cert_len);
	ck_assert_int_eq(exchange(2, port), NTSKE_ERR_VERIFY);
	(void)trust(2, cert_a.cert, cert_a.cert_len);
	ck_assert_int_eq(F.trust_changed, 1);
	ck_assert_int_eq(exchange(2, port), NTSKE_OK);
}
END_TEST

/* A certset without a store: no exchange, a warning. */
START_TEST(test_shell_ntsmat_client_needs_trust)
{
	struct conf_source	 src;

	(void)trust(1, cert_a.cert, cert_a.cert_len);
	memset(&src, 0, sizeof(src));
	src.name = "127.0.0.1";
	src.ntsport = 4460;
	src.certset = 5;
	ck_assert_ptr_null(ntsmat_client_start(m, &src, ke_request, ke_done,
	    NULL));
	ck_assert_msg(strstr(last_warning, "certset 5") != NULL, "%s",
	    last_warning);
	run_until(NULL, 10);
	ck_assert_int_eq(cli.done, 0);
}
END_TEST

/*
 * nocerttimecheck 1: an expired certificate is taken until the clock
 * has been updated once, then no more.
 */
START_TEST(test_shell_ntsmat_nocerttimecheck)
{
	uint16_t	 port;

	(void)server_cert(0, cert_old.all, cert_old.all_len);
	send_certs_end();
	port = ke_socket();
	(void)trust(1, cert_old.cert, cert_old.cert_len);
	ck_assert_int_eq(exchange(1, port), NTSKE_OK);
	F.ctx.clock.updates = 1;
	ck_assert_int_eq(exchange(1, port), NTSKE_ERR_VERIFY);
}
END_TEST

/* No usable certificate: the server closes connections at once. */
START_TEST(test_shell_ntsmat_no_certificate_closes)
{
	struct ntske_stats	 st;
	uint16_t		 port;

	(void)server_cert(0, cert_b.cert, cert_b.cert_len);	/* no key */
	send_certs_end();
	ck_assert_msg(strstr(last_warning, "no usable") != NULL, "%s",
	    last_warning);
	port = ke_socket();
	(void)trust(1, cert_a.cert, cert_a.cert_len);
	ck_assert_int_ne(exchange(1, port), NTSKE_OK);
	ntsmat_stats(m, &st);
	ck_assert_uint_eq(st.answered, 0);
}
END_TEST

/*
 * Frames a sane monitor never sends: the engine exits (fatalx) with
 * the refusal named, it does not go on with material it cannot trust.
 */
START_TEST(test_shell_ntsmat_trust_without_memfd)
{
	struct nts_trust_msg	 msg = { 1, 0 };

	expect_fatal = "IMSG_NTS_TRUST: malformed";
	frame(IMSG_NTS_TRUST, -1, &msg, sizeof(msg));
}
END_TEST

START_TEST(test_shell_ntsmat_trust_wrong_size)
{
	struct nts_trust_msg	 msg = { 1, 0 };

	expect_fatal = "IMSG_NTS_TRUST: malformed";
	frame(IMSG_NTS_TRUST, memfd_of(cert_a.cert, cert_a.cert_len), &msg,
	    sizeof(msg) - 1);
}
END_TEST

START_TEST(test_shell_ntsmat_trust_negative_certset)
{
	expect_fatal = "IMSG_NTS_TRUST: malformed";
	(void)trust(-1, cert_a.cert, cert_a.cert_len);
}
END_TEST

START_TEST(test_shell_ntsmat_trust_too_many_sets)
{
	int	 i;

	for (i = 0; i < NTS_MAX_TRUST; i++)
		(void)trust(i, cert_a.cert, cert_a.cert_len);
	ck_assert_int_eq(m->ntrust, NTS_MAX_TRUST);
	expect_fatal = "IMSG_NTS_TRUST: too many sets";
	(void)trust(NTS_MAX_TRUST, cert_a.cert, cert_a.cert_len);
}
END_TEST

START_TEST(test_shell_ntsmat_cert_without_memfd)
{
	struct nts_cert_msg	 msg = { 0 };

	expect_fatal = "IMSG_NTS_SERVER_CERT: malformed";
	frame(IMSG_NTS_SERVER_CERT, -1, &msg, sizeof(msg));
}
END_TEST

START_TEST(test_shell_ntsmat_cert_wrong_size)
{
	struct nts_cert_msg	 msg = { 0 };

	expect_fatal = "IMSG_NTS_SERVER_CERT: malformed";
	frame(IMSG_NTS_SERVER_CERT, memfd_of(cert_a.all, cert_a.all_len),
	    &msg, sizeof(msg) + 1);
}
END_TEST

START_TEST(test_shell_ntsmat_cert_index_negative)
{
	expect_fatal = "IMSG_NTS_SERVER_CERT: malformed";
	(void)server_cert(-1, cert_a.all, cert_a.all_len);
}
END_TEST

START_TEST(test_shell_ntsmat_cert_index_too_big)
{
	expect_fatal = "IMSG_NTS_SERVER_CERT: malformed";
	(void)server_cert(NTS_MAX_CERTS, cert_a.all, cert_a.all_len);
}
END_TEST

START_TEST(test_shell_ntsmat_cert_too_many)
{
	int	 i;

	for (i = 0; i < NTS_MAX_CERTS; i++)
		(void)server_cert(i, cert_a.all, cert_a.all_len);
	ck_assert_int_eq(m->npending, NTS_MAX_CERTS);
	expect_fatal = "IMSG_NTS_SERVER_CERT: malformed";
	(void)server_cert(0, cert_a.all, cert_a.all_len);
}
END_TEST

START_TEST(test_shell_ntsmat_certs_end_with_payload)
{
	static const uint8_t	 junk[4];

	expect_fatal = "IMSG_NTS_SERVER_CERTS_END: malformed";
	frame(IMSG_NTS_SERVER_CERTS_END, -1, junk, sizeof(junk));
}
END_TEST

START_TEST(test_shell_ntsmat_certs_end_with_memfd)
{
	expect_fatal = "IMSG_NTS_SERVER_CERTS_END: malformed";
	frame(IMSG_NTS_SERVER_CERTS_END, memfd_of("x", 1), NULL, 0);
}
END_TEST

START_TEST(test_shell_ntsmat_ke_socket_without_socket)
{
	expect_fatal = "IMSG_NTS_KE_SOCKET: no socket";
	frame(IMSG_NTS_KE_SOCKET, -1, NULL, 0);
}
END_TEST

START_TEST(test_shell_ntsmat_ke_socket_with_payload)
{
	static const uint8_t	 junk[4];
	int			 fd;

	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	expect_fatal = "IMSG_NTS_KE_SOCKET: no socket";
	frame(IMSG_NTS_KE_SOCKET, fd, junk, sizeof(junk));
}
END_TEST

static void
quiet(int severity, const char *msg)
{
}

START_TEST(test_shell_ntsmat_ke_socket_unusable)
{
	int	 fd;

	event_set_log_callback(quiet);	/* libevent's fcntl warning */
	/* a descriptor number that is not open: libevent cannot take it */
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	close(fd);
	expect_fatal = "cannot serve NTS-KE on one more socket";
	frame(IMSG_NTS_KE_SOCKET, fd, NULL, 0);
}
END_TEST

START_TEST(test_shell_ntsmat_unknown_message)
{
	expect_fatal = "ntsmat: message";
	frame(IMSG_NTS_KEYS, -1, NULL, 0);
}
END_TEST

/* Each is well-formed: the fixture's own frames do not exit. */
START_TEST(test_shell_ntsmat_sane_frames_survive)
{
	struct nts_trust_msg	 msg = { NTS_MAX_TRUST, 1 };
	int			 i;

	for (i = 0; i < NTS_MAX_CERTS; i++)
		(void)server_cert(i, cert_a.all, cert_a.all_len);
	send_certs_end();
	for (i = 0; i < NTS_MAX_CERTS; i++)
		(void)server_cert(NTS_MAX_CERTS - 1 - i, cert_a.all,
		    cert_a.all_len);
	send_certs_end();
	for (i = 0; i < NTS_MAX_TRUST - 1; i++)
		(void)trust(i, cert_a.cert, cert_a.cert_len);
	frame(IMSG_NTS_TRUST, memfd_of(cert_a.cert, cert_a.cert_len), &msg,
	    sizeof(msg));
	(void)trust(0, cert_a.cert, cert_a.cert_len);
	(void)ke_socket();
	ck_assert_int_eq(m->ntrust, NTS_MAX_TRUST);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("shell_ntsmat");
	TCase	*tc = tcase_create("ntsmat");
	TCase	*tm = tcase_create("malformed");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_shell_ntsmat_trust_loaded);
	tcase_add_test(tc, test_shell_ntsmat_trust_reload_notifies);
	tcase_add_test(tc, test_shell_ntsmat_trust_unusable_kept);
	tcase_add_test(tc, test_shell_ntsmat_certs_end_activates);
	tcase_add_test(tc, test_shell_ntsmat_exchange_refused_without_server);
	tcase_add_test(tc, test_shell_ntsmat_exchange_answered_by_server);
	tcase_add_test(tc, test_shell_ntsmat_exchange_uses_certset);
	tcase_add_test(tc, test_shell_ntsmat_client_needs_trust);
	tcase_add_test(tc, test_shell_ntsmat_nocerttimecheck);
	tcase_add_test(tc, test_shell_ntsmat_no_certificate_closes);
	tcase_add_test(tc, test_shell_ntsmat_sane_frames_survive);
	suite_add_tcase(su, tc);

	tcase_add_checked_fixture(tm, setup, teardown);
	tcase_add_exit_test(tm, test_shell_ntsmat_trust_without_memfd,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_trust_wrong_size,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_trust_negative_certset,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_trust_too_many_sets,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_cert_without_memfd,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_cert_wrong_size,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_cert_index_negative,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_cert_index_too_big,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_cert_too_many,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_certs_end_with_payload,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_certs_end_with_memfd,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_ke_socket_without_socket,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_ke_socket_with_payload,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_ke_socket_unusable,
	    FATAL_EXIT);
	tcase_add_exit_test(tm, test_shell_ntsmat_unknown_message,
	    FATAL_EXIT);
	suite_add_tcase(su, tm);

	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
