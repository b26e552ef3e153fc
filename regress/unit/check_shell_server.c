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
 * Unit tests of the NTP server's shell (daemon/server.c), as chrony's
 * test/unit: server.c is #included here with recvmmsg, sendmmsg and the
 * error queue replaced by the test's, the clock and the context the
 * test's (shell_ctx.h).  A wake-up of the socket reads the requests
 * queued, batch by batch, and each batch's answers go out in one
 * sendmmsg: which requests are answered, with what, to whom, and how
 * the others are counted.  What lib/serve.c decides is its own test's
 * (check_serve); here, that the shell carries it out.
 */

#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "pkt.h"

#include "shell_ctx.h"

#define NREQ		80	/* requests a test queues, at most */
#define LOCAL_ADDR	0x7f000001u	/* where they were sent */

/* A request on the wire, and what it comes with. */
struct wire {
	uint8_t			 pkt[PKT_MAX_LEN];
	size_t			 len;
	struct sockaddr_in	 from;
	int64_t			 rx_ns;		/* its kernel timestamp */
};

/* An answer the shell sent. */
struct sent {
	struct pkt		 a;
	size_t			 len;
	struct sockaddr_in	 to;
	uint32_t		 spec_dst;	/* IP_PKTINFO's source or 0 */
};

static struct {
	struct wire		 in[NREQ];
	int			 nin, next;	/* queued, read so far */
	struct sent		 out[NREQ];
	int			 nout;
	int			 reads;		/* recvmmsg calls with data */
	int			 sends;		/* sendmmsg calls */
	int			 refuse;	/* sendmmsg: refuse this many */
} net;

/* The requests queued, up to vlen, as the kernel fills a batch. */
static int
fake_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags,
    struct timespec *timeout)
{
	struct wire	*w;
	struct msghdr	*m;
	struct cmsghdr	*c;
	struct in_pktinfo pi;
	struct timespec	 ts;
	size_t		 off, k, n;
	unsigned int	 i;

	if (net.next == net.nin) {
		errno = EAGAIN;
		return -1;
	}
	for (i = 0; i < vlen && net.next < net.nin; i++, net.next++) {
		w = &net.in[net.next];
		m = &v[i].msg_hdr;
		for (off = 0, k = 0; k < m->msg_iovlen && off < w->len; k++) {
			n = w->len - off;
			if (n > m->msg_iov[k].iov_len)
				n = m->msg_iov[k].iov_len;
			memcpy(m->msg_iov[k].iov_base, w->pkt + off, n);
			off += n;
		}
		ck_assert_uint_eq(off, w->len);
		ck_assert_uint_ge(m->msg_namelen, sizeof(w->from));
		memcpy(m->msg_name, &w->from, sizeof(w->from));
		m->msg_namelen = sizeof(w->from);
		ts.tv_sec = w->rx_ns / 1000000000LL;
		ts.tv_nsec = w->rx_ns % 1000000000LL;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = 1;
		pi.ipi_addr.s_addr = htonl(LOCAL_ADDR);
		ck_assert_uint_ge(m->msg_controllen, CMSG_SPACE(sizeof(ts)) +
		    CMSG_SPACE(sizeof(pi)));
		c = CMSG_FIRSTHDR(m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_TIMESTAMPNS;
		c->cmsg_len = CMSG_LEN(sizeof(ts));
		memcpy(CMSG_DATA(c), &ts, sizeof(ts));
		c = (struct cmsghdr *)((uint8_t *)c + CMSG_SPACE(sizeof(ts)));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		m->msg_controllen = CMSG_SPACE(sizeof(ts)) +
		    CMSG_SPACE(sizeof(pi));
		m->msg_flags = 0;
		v[i].msg_len = w->len;
	}
	net.reads++;
	return i;
}

/* Each answer kept; the first net.refuse calls refuse their first. */
static int
fake_sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags)
{
	struct msghdr	*m;
	struct cmsghdr	*c;
	struct sent	*s;
	struct in_pktinfo pi;
	unsigned int	 i;

	net.sends++;
	if (net.refuse > 0) {
		net.refuse--;
		errno = EAGAIN;
		return -1;
	}
	for (i = 0; i < vlen; i++) {
		m = &v[i].msg_hdr;
		ck_assert_int_lt(net.nout, NREQ);
		s = &net.out[net.nout++];
		memset(s, 0, sizeof(*s));
		ck_assert_uint_eq(m->msg_iovlen, 1);
		s->len = m->msg_iov[0].iov_len;
		ck_assert_int_eq(pkt_decode(&s->a, m->msg_iov[0].iov_base,
		    s->len), PKT_OK);
		ck_assert_uint_eq(m->msg_namelen, sizeof(s->to));
		memcpy(&s->to, m->msg_name, sizeof(s->to));
		for (c = m->msg_control != NULL ? CMSG_FIRSTHDR(m) : NULL;
		    c != NULL; c = CMSG_NXTHDR(m, c))
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO) {
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				s->spec_dst = ntohl(pi.ipi_spec_dst.s_addr);
			}
	}
	return vlen;
}

/* No transmit timestamps come back. */
static ssize_t
fake_recvmsg(int fd, struct msghdr *m, int flags)
{
	ck_assert(flags & MSG_ERRQUEUE);
	errno = EAGAIN;
	return -1;
}

static ssize_t
fake_sendmsg(int fd, const struct msghdr *m, int flags)
{
	ck_abort_msg("sendmsg is clknetsim's");
	return -1;
}

static int
fake_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	return 0;
}

#define recvmmsg	fake_recvmmsg
#define sendmmsg	fake_sendmmsg
#define recvmsg		fake_recvmsg
#define sendmsg		fake_sendmsg
#define setsockopt	fake_setsockopt

#include "server.c"

static const char *const conf_lines[] = {
	"allow 127.0.0.0/8",
	"allow 10.0.0.0/8",
	"deny 10.9.0.0/16",
	NULL
};

static struct fake_ctx	 F;
static struct server	*srv;
static int		 pipefd[2];

static void
setup(void)
{
	memset(&net, 0, sizeof(net));
	fake_ctx_open(&F, conf_lines);
	srv = server_new(&F.ctx);
	/* a descriptor libevent takes; the base never runs */
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_eq(server_add_socket(srv, pipefd[0]), 0);
}

static void
teardown(void)
{
	server_free(srv);	/* closes pipefd[0] */
	close(pipefd[1]);
	fake_ctx_close(&F);
}

/*
 * Queue a request from addr:port: a client's header with a transmit
 * timestamp of its own, in mode, its first len bytes; received a little
 * before now, each a microsecond later than the one before.
 */
static struct wire *
queue(uint32_t addr, uint16_t port, uint8_t mode, size_t len)
{
	struct wire	*w;
	struct pkt	 q;

	ck_assert_int_lt(net.nin, NREQ);
	w = &net.in[net.nin++];
	memset(w, 0, sizeof(*w));
	memset(&q, 0, sizeof(q));
	q.version = 4;
	q.mode = mode;
	q.poll = 6;
	q.tx_ts = 0x1000000000000000ULL + net.nin;	/* its own */
	ck_assert_uint_eq(pkt_encode(&q, w->pkt, sizeof(w->pkt)),
	    PKT_HDR_LEN);
	w->len = len;
	w->from.sin_family = AF_INET;
	w->from.sin_addr.s_addr = htonl(addr);
	w->from.sin_port = htons(port);
	w->rx_ns = fake_sys_ns - 1000000 + 1000 * net.nin;
	return w;
}

static void
wake(void)
{
	sock_cb(pipefd[0], EV_READ, &srv->socks[0]);
}

/* The answer out[k] answers in[i], from the address it went to. */
static void
answers(int k, int i)
{
	const struct sent	*s = &net.out[k];
	const struct wire	*w = &net.in[i];
	struct pkt		 q;

	ck_assert_int_eq(pkt_decode(&q, w->pkt, PKT_HDR_LEN), PKT_OK);
	ck_assert_uint_eq(s->len, PKT_HDR_LEN);
	ck_assert_uint_eq(s->a.mode, PKT_MODE_SERVER);
	ck_assert_uint_eq(s->a.org_ts, q.tx_ts);
	ck_assert_uint_eq(s->a.rx_ts, pkt_ts_from_ns(w->rx_ns));
	/* written last, the time of the send */
	ck_assert_uint_eq(s->a.tx_ts, pkt_ts_from_ns(fake_sys_ns));
	ck_assert_uint_eq(s->to.sin_addr.s_addr, w->from.sin_addr.s_addr);
	ck_assert_uint_eq(s->to.sin_port, w->from.sin_port);
	ck_assert_uint_eq(s->spec_dst, LOCAL_ADDR);
}

/* A batch: an answer to each request, in order, in one sendmmsg. */
START_TEST(test_shell_server_batch_answers)
{
	int	 i;

	for (i = 0; i < 5; i++)
		queue(0x7f000001, 40000 + i, PKT_MODE_CLIENT, PKT_HDR_LEN);
	wake();
	ck_assert_int_eq(net.reads, 1);
	ck_assert_int_eq(net.sends, 1);
	ck_assert_int_eq(net.nout, 5);
	for (i = 0; i < 5; i++)
		answers(i, i);
	ck_assert_uint_eq(srv->stats.ntp_rx, 5);
	ck_assert_uint_eq(srv->stats.ntp_tx, 5);
	ck_assert_uint_eq(srv->stats.ntp_dropped, 0);
	/* unsynchronised, not local: leap 3, stratum 0 on the wire */
	ck_assert_uint_eq(net.out[0].a.leap, PKT_LEAP_UNSYNC);
	ck_assert_uint_eq(net.out[0].a.stratum, 0);
	fake_expect_none(&F);
}
END_TEST

/*
 * Requests that get no answer are counted by why, and the answers to
 * the others stay in order, each to its own sender.
 */
START_TEST(test_shell_server_batch_drops_counted)
{
	queue(0x7f000001, 40000, PKT_MODE_CLIENT, PKT_HDR_LEN);	/* 0 */
	queue(0x0a090101, 40001, PKT_MODE_CLIENT, PKT_HDR_LEN);	/* deny */
	queue(0xc0000201, 40002, PKT_MODE_CLIENT, PKT_HDR_LEN);	/* !allow */
	queue(0x7f000001, 40003, PKT_MODE_CLIENT, 20);		/* short */
	queue(0x0a000001, 40004, PKT_MODE_CLIENT, PKT_HDR_LEN);	/* 4 */
	queue(0x7f000001, 40005, PKT_MODE_SERVER, PKT_HDR_LEN);	/* mode */
	wake();
	ck_assert_int_eq(net.nout, 2);
	answers(0, 0);
	answers(1, 4);
	ck_assert_uint_eq(srv->stats.ntp_rx, 6);
	ck_assert_uint_eq(srv->stats.ntp_tx, 2);
	ck_assert_uint_eq(srv->stats.ntp_dropped, 4);
	ck_assert_uint_eq(srv->stats.denied, 2);
	ck_assert_uint_eq(srv->stats.malformed[PKT_ERR_SHORT], 1);
	ck_assert_uint_eq(srv->stats.malformed[PKT_ERR_MODE], 1);
}
END_TEST

/* More than a batch: read batch after batch until the socket is empty. */
START_TEST(test_shell_server_batches)
{
	int	 i;

	for (i = 0; i < 70; i++)
		queue(0x7f000001, 30000 + i, PKT_MODE_CLIENT, PKT_HDR_LEN);
	wake();
	ck_assert_int_eq(net.reads, 3);		/* 32, 32, 6 */
	ck_assert_int_eq(net.sends, 3);
	ck_assert_int_eq(net.nout, 70);
	for (i = 0; i < 70; i++)
		answers(i, i);
	ck_assert_uint_eq(srv->stats.ntp_tx, 70);
}
END_TEST

/* A refused send costs that answer alone: counted, the rest go. */
START_TEST(test_shell_server_send_refused)
{
	int	 i;

	for (i = 0; i < 4; i++)
		queue(0x7f000001, 40000 + i, PKT_MODE_CLIENT, PKT_HDR_LEN);
	net.refuse = 1;
	wake();
	ck_assert_int_eq(net.sends, 2);
	ck_assert_int_eq(net.nout, 3);
	for (i = 0; i < 3; i++)
		answers(i, i + 1);
	ck_assert_uint_eq(srv->stats.tx_errors, 1);
	ck_assert_uint_eq(srv->stats.ntp_tx, 3);
}
END_TEST

/*
 * The reference, from the client through the context: the answers say
 * what it says, once the server is told it changed.
 */
START_TEST(test_shell_server_reference)
{
	F.ref_ok = 1;
	F.ref.leap = PKT_LEAP_NONE;
	F.ref.stratum = 3;
	F.ref.refid = 0xc0000201;
	F.ref.ref_ts = pkt_ts_from_ns(fake_sys_ns - 5000000000LL);
	F.ref.root_delay_s = 0.25;
	F.ref.root_disp_s = 0.125;
	server_update(srv);
	queue(0x7f000001, 40000, PKT_MODE_CLIENT, PKT_HDR_LEN);
	wake();
	ck_assert_int_eq(net.nout, 1);
	answers(0, 0);
	ck_assert_uint_eq(net.out[0].a.leap, PKT_LEAP_NONE);
	ck_assert_uint_eq(net.out[0].a.stratum, 3);
	ck_assert_uint_eq(net.out[0].a.refid, 0xc0000201);
	ck_assert_uint_eq(net.out[0].a.ref_ts, F.ref.ref_ts);
	ck_assert_double_eq_tol(pkt_short_to_s(net.out[0].a.root_delay),
	    0.25, 1e-4);
	ck_assert_double_eq_tol(pkt_short_to_s(net.out[0].a.root_disp),
	    0.125, 1e-4);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("shell_server");
	TCase	*tc = tcase_create("server");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_shell_server_batch_answers);
	tcase_add_test(tc, test_shell_server_batch_drops_counted);
	tcase_add_test(tc, test_shell_server_batches);
	tcase_add_test(tc, test_shell_server_send_refused);
	tcase_add_test(tc, test_shell_server_reference);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
