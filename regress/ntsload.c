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
 * ntsload: load for NTS servers on loopback (RFC 8915), with timed's NTS
 * codecs (lib/nts.h) and OpenSSL.
 *
 *	ntsload -s ADDR -p NTPPORT -k KEPORT [-c SOCKETS] [-w INFLIGHT]
 *	    [-t SECONDS] [-P PID,...] [-H [-T]]
 *
 * NTP mode: one NTS-KE exchange (TLS 1.3, ALPN ntske/1; the certificate
 * is not checked: this measures, it trusts nothing it gets) gives the
 * keys and 8 cookies; then each of SOCKETS connected UDP sockets keeps
 * INFLIGHT NTS requests in flight (Unique Identifier, a cookie, no
 * placeholder, the authenticator), using the cookies over and over (a
 * server keeps no state per cookie).  An answer counts when its
 * authenticator verifies with the S2C key and its Unique Identifier is
 * an outstanding request's; a request unanswered for 1 s is lost and
 * replaced.  -H: NTS-KE handshakes instead, each a whole exchange
 * (connect, handshake, request, answer with cookies), one after the other
 * in each of SOCKETS client processes running at once.  -T (with -H):
 * also print, to stderr, when each TLS message came in or went out, in
 * microseconds after connect() returned, averaged over the first client's
 * exchanges: the server's share of an exchange's time, message by message.
 *
 * With -P, the CPU time (utime + stime) of the PIDs given is read from
 * /proc before and after; the result line then has the rate per server
 * CPU-second too:
 *	answers N lost L seconds S per_s R cpu_s C per_cpu_s X
 */

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "nts.h"
#include "pkt.h"
#include "siv.h"

#define MAX_SOCKS	64
#define MAX_WINDOW	256
#define MAX_PIDS	16
#define LOST_NS		1000000000LL

struct slot {
	uint8_t		 uid[NTS_UID_LEN];
	int64_t		 sent_ns;
	int		 busy;
};

struct sock {
	int		 fd;
	struct slot	 slot[MAX_WINDOW];
};

static struct sockaddr_in	 srv;
static int			 ke_port, ntp_port;
static int			 nsocks = 1, window = 32, seconds = 5;
static long			 pids[MAX_PIDS];
static int			 npids;
static struct nts_ke_msg	 ke;
static struct siv		*c2s, *s2c;
static uint64_t			 counter, answers, lost;
static int			 timeline;

/* -T: TLS messages by direction and type; the time since connect(). */
static const char *const msg_names[] = {
	[1] = "ClientHello", [2] = "ServerHello", [4] = "NewSessionTicket",
	[8] = "EncryptedExtensions", [11] = "Certificate",
	[15] = "CertificateVerify", [20] = "Finished"
};
static int64_t			 msg_t0;
static double			 msg_sum[2][256];
static uint64_t			 msg_n[2][256];
/* -T: the exchange's other steps, the same way */
enum { MARK_CONNECT, MARK_REQUEST, MARK_RESPONSE, MARK_CLOSED, NMARKS };
static const char *const mark_names[NMARKS] = {
	"connect() took", "sent the request", "read the response",
	"closed"
};
static double			 mark_sum[NMARKS];
static uint64_t			 mark_n[NMARKS];

static int64_t
mono_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double
cpu_s(void)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	double		 sum = 0;
	long		 hz = sysconf(_SC_CLK_TCK);
	FILE		*f;
	int		 i;

	for (i = 0; i < npids; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/stat", pids[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
		    "%*u %lu %lu", &ut, &st) == 2)
			sum += (double)(ut + st) / hz;
		fclose(f);
	}
	return sum;
}

static void
msg_seen(int write_p, int version, int type, const void *buf, size_t len,
    SSL *ssl, void *arg)
{
	int	 t;

	if (type != SSL3_RT_HANDSHAKE || len == 0)
		return;
	t = ((const uint8_t *)buf)[0];
	msg_sum[write_p != 0][t] += (mono_ns() - msg_t0) / 1e3;
	msg_n[write_p != 0][t]++;
}

static void
mark(int m)
{
	mark_sum[m] += (mono_ns() - msg_t0) / 1e3;
	mark_n[m]++;
}

static void
msg_print(void)
{
	int	 d, t;

	for (d = 0; d < 2; d++)
		for (t = 0; t < 256; t++)
			if (msg_n[d][t] > 0)
				fprintf(stderr, "%s %s: %.0f us\n",
				    d ? "sent" : "received",
				    t < (int)(sizeof(msg_names) /
				    sizeof(msg_names[0])) && msg_names[t] ?
				    msg_names[t] : "other",
				    msg_sum[d][t] / msg_n[d][t]);
	for (t = 0; t < NMARKS; t++)
		if (mark_n[t] > 0)
			fprintf(stderr, "%s: %.0f us\n", mark_names[t],
			    mark_sum[t] / mark_n[t]);
}

/* One NTS-KE exchange; 0 with ke and, if keys, c2s and s2c set. */
static int
nts_ke(SSL_CTX *ctx, int keys)
{
	struct sockaddr_in	 a = srv;
	uint8_t			 req[256], resp[NTS_KE_MAX_MSG], c[NTS_KEY_LEN],
				 s[NTS_KEY_LEN], cx[NTS_KE_CONTEXT_LEN];
	size_t			 reqlen, len = 0, msglen;
	SSL			*ssl = NULL;
	int			 fd, n, rc = -1, one = 1;

	a.sin_port = htons(ke_port);
	/* no Nagle: the request must not wait for the handshake's ACK */
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		goto done;
	msg_t0 = mono_ns();
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		goto done;
	mark(MARK_CONNECT);
	msg_t0 = mono_ns();
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    SSL_set_tlsext_host_name(ssl, "localhost") != 1 ||
	    SSL_connect(ssl) != 1)
		goto done;
	reqlen = nts_ke_request(req, sizeof(req), NULL, -1);
	if (reqlen == 0 || SSL_write(ssl, req, (int)reqlen) != (int)reqlen)
		goto done;
	mark(MARK_REQUEST);
	while (len < sizeof(resp) &&
	    (n = SSL_read(ssl, resp + len, (int)(sizeof(resp) - len))) > 0) {
		len += n;
		if (nts_ke_scan(resp, len, &msglen) == 1)
			break;
	}
	if (nts_ke_scan(resp, len, &msglen) != 1 ||
	    nts_ke_parse_response(resp, msglen, &ke) != NTS_KE_OK)
		goto done;
	mark(MARK_RESPONSE);
	if (keys) {
		nts_ke_exporter_context(ke.aead, 0, cx);
		if (SSL_export_keying_material(ssl, c, sizeof(c),
		    NTS_KE_EXPORTER_LABEL, strlen(NTS_KE_EXPORTER_LABEL), cx,
		    sizeof(cx), 1) != 1)
			goto done;
		nts_ke_exporter_context(ke.aead, 1, cx);
		if (SSL_export_keying_material(ssl, s, sizeof(s),
		    NTS_KE_EXPORTER_LABEL, strlen(NTS_KE_EXPORTER_LABEL), cx,
		    sizeof(cx), 1) != 1)
			goto done;
		if ((c2s = siv_new(c, sizeof(c))) == NULL ||
		    (s2c = siv_new(s, sizeof(s))) == NULL)
			goto done;
	}
	rc = 0;
done:
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd != -1)
		close(fd);
	if (rc == 0)
		mark(MARK_CLOSED);
	ERR_clear_error();
	return rc;
}

static void
send_one(struct sock *s, int i, int64_t now)
{
	struct slot	*sl = &s->slot[i];
	uint8_t		 pkt[PKT_MAX_LEN], nonce[NTS_NONCE_LEN];
	uint64_t	 n = counter++;
	size_t		 len;
	int		 k = (int)(n % (uint64_t)ke.n_cookies);

	memset(pkt, 0, PKT_HDR_LEN);
	pkt[0] = 0x23;			/* leap 0, version 4, mode 3 */
	memcpy(pkt + PKT_TX_OFFSET, &n, sizeof(n));
	memset(sl->uid, 0, sizeof(sl->uid));
	memcpy(sl->uid, &i, sizeof(i));
	memcpy(sl->uid + 8, &n, sizeof(n));
	memset(nonce, 0, sizeof(nonce));
	memcpy(nonce, &n, sizeof(n));
	len = nts_client_request(c2s, pkt, sizeof(pkt), sl->uid,
	    ke.cookie[k], ke.cookie_len[k], 0, nonce);
	sl->busy = 1;
	sl->sent_ns = now;
	if (len == 0 || send(s->fd, pkt, len, MSG_DONTWAIT) == -1)
		sl->sent_ns = now - LOST_NS / 2;	/* retried soon */
}

static void
recv_all(struct sock *s, int64_t now)
{
	static struct nts_cookies	 got;
	uint8_t				 pkt[PKT_MAX_LEN];
	ssize_t				 n;
	int				 i;

	while ((n = recv(s->fd, pkt, sizeof(pkt), MSG_DONTWAIT)) > 0) {
		/* the Unique Identifier: the first field, slot first */
		if (n < PKT_HDR_LEN + 4 + NTS_UID_LEN)
			continue;
		memcpy(&i, pkt + PKT_HDR_LEN + 4, sizeof(i));
		if (i < 0 || i >= window || !s->slot[i].busy)
			continue;
		if (nts_client_check(s2c, pkt, (size_t)n, s->slot[i].uid,
		    &got) != NTS_OK)
			continue;
		answers++;
		send_one(s, i, now);
	}
}

static void
run_ntp(void)
{
	static struct sock	 socks[MAX_SOCKS];
	struct epoll_event	 ev, evs[MAX_SOCKS];
	struct sockaddr_in	 a = srv;
	int64_t			 start, now, end;
	double			 cpu0, cpu1, secs;
	int			 ep, i, j, n;

	a.sin_port = htons(ntp_port);
	if ((ep = epoll_create1(0)) == -1)
		exit(1);
	for (i = 0; i < nsocks; i++) {
		if ((socks[i].fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
		    connect(socks[i].fd, (struct sockaddr *)&a,
		    sizeof(a)) == -1) {
			perror("ntsload: socket");
			exit(1);
		}
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, socks[i].fd, &ev) == -1)
			exit(1);
	}
	cpu0 = cpu_s();
	start = now = mono_ns();
	end = start + (int64_t)seconds * 1000000000LL;
	for (i = 0; i < nsocks; i++)
		for (j = 0; j < window; j++)
			send_one(&socks[i], j, now);
	while ((now = mono_ns()) < end) {
		n = epoll_wait(ep, evs, MAX_SOCKS, 100);
		now = mono_ns();
		for (i = 0; i < n; i++)
			recv_all(&socks[evs[i].data.u32], now);
		for (i = 0; i < nsocks; i++)
			for (j = 0; j < window; j++)
				if (now - socks[i].slot[j].sent_ns > LOST_NS) {
					lost++;
					send_one(&socks[i], j, now);
				}
	}
	cpu1 = cpu_s();
	secs = (now - start) / 1e9;
	printf("answers %llu lost %llu seconds %.2f per_s %.0f cpu_s %.3f "
	    "per_cpu_s %.0f\n", (unsigned long long)answers,
	    (unsigned long long)lost, secs, answers / secs, cpu1 - cpu0,
	    cpu1 > cpu0 ? answers / (cpu1 - cpu0) : 0.0);
}

/* One client: whole exchanges one after the other until end. */
static void
ke_loop(SSL_CTX *ctx, int64_t end, uint64_t *done, uint64_t *failed)
{
	while (mono_ns() < end) {
		if (nts_ke(ctx, 0) == 0)
			(*done)++;
		else
			(*failed)++;
	}
}

/* nsocks clients at once: the first in this process, the others forked. */
static void
run_ke(SSL_CTX *ctx)
{
	int64_t		 start, now, end;
	double		 cpu0, cpu1, secs;
	uint64_t	 done = 0, failed = 0, r[2];
	pid_t		 kids[MAX_SOCKS];
	int		 fds[MAX_SOCKS][2], i;

	cpu0 = cpu_s();
	start = mono_ns();
	end = start + (int64_t)seconds * 1000000000LL;
	for (i = 1; i < nsocks; i++) {
		if (pipe(fds[i]) == -1 || (kids[i] = fork()) == -1) {
			perror("ntsload: fork");
			exit(1);
		}
		if (kids[i] == 0) {
			r[0] = r[1] = 0;
			ke_loop(ctx, end, &r[0], &r[1]);
			_exit(write(fds[i][1], r, sizeof(r)) == sizeof(r) ?
			    0 : 1);
		}
		close(fds[i][1]);
	}
	ke_loop(ctx, end, &done, &failed);
	if (timeline)
		msg_print();
	for (i = 1; i < nsocks; i++) {
		if (read(fds[i][0], r, sizeof(r)) == sizeof(r)) {
			done += r[0];
			failed += r[1];
		} else
			failed++;
		close(fds[i][0]);
		waitpid(kids[i], NULL, 0);
	}
	now = mono_ns();
	cpu1 = cpu_s();
	secs = (now - start) / 1e9;
	printf("handshakes %llu failed %llu seconds %.2f per_s %.0f cpu_s %.3f "
	    "per_cpu_s %.0f\n", (unsigned long long)done,
	    (unsigned long long)failed, secs, done / secs, cpu1 - cpu0,
	    cpu1 > cpu0 ? done / (cpu1 - cpu0) : 0.0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: ntsload -s addr -p ntpport -k keport "
	    "[-c sockets] [-w inflight] [-t seconds] [-P pid,...] [-H [-T]]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	static const uint8_t	 alpn[] = "\x07ntske/1";
	SSL_CTX			*ctx;
	char			*p, *q;
	int			 ch, handshakes = 0;

	srv.sin_family = AF_INET;
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while ((ch = getopt(argc, argv, "c:Hk:p:P:s:t:Tw:")) != -1) {
		switch (ch) {
		case 'c':
			nsocks = atoi(optarg);
			break;
		case 'H':
			handshakes = 1;
			break;
		case 'k':
			ke_port = atoi(optarg);
			break;
		case 'p':
			ntp_port = atoi(optarg);
			break;
		case 'P':
			for (p = optarg; npids < MAX_PIDS &&
			    (q = strsep(&p, ", ")) != NULL;)
				if (*q != '\0')
					pids[npids++] = atol(q);
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &srv.sin_addr) != 1)
				usage();
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'T':
			timeline = 1;
			break;
		case 'w':
			window = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (ke_port <= 0 || ke_port > 65535 || (!handshakes &&
	    (ntp_port <= 0 || ntp_port > 65535)) || nsocks < 1 ||
	    nsocks > MAX_SOCKS || window < 1 || window > MAX_WINDOW ||
	    seconds < 1)
		usage();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0)
		return 1;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (timeline)
		SSL_CTX_set_msg_callback(ctx, msg_seen);
	if (handshakes) {
		run_ke(ctx);
		return 0;
	}
	if (nts_ke(ctx, 1) == -1) {
		fprintf(stderr, "ntsload: NTS-KE with port %d failed\n",
		    ke_port);
		return 1;
	}
	if (ke.port > 0)
		ntp_port = ke.port;
	run_ntp();
	return answers > 0 ? 0 : 2;
}
