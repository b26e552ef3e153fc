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
 * Unit tests of the NTP client's shell (daemon/client*.c), as chrony's
 * test/unit: the files are #included here with their calls to the
 * network replaced (a source's socket is a pipe nobody writes; what it
 * sends is kept, what it receives is the test's), the clock and the
 * context the test's (shell_ctx.h).  A poll sends a request, the test
 * answers it as a server whose clock is behind or ahead, and the
 * sample's way is checked to its end: lib/src, lib/sst, the selection,
 * lib/disc and the requests the monitor gets.  The plain engine's
 * stand-ins (daemon/nocrypto.c) are the NTS client: no NTS here.
 */

#include <sys/random.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "pkt.h"
#include "sock.h"

#include "shell_ctx.h"

/* The network as a source's sockets see it. */
static struct {
	int			 fd;		/* the socket a poll opened */
	struct sockaddr_storage	 peer;		/* it connected to */
	int			 nsent;
	uint8_t			 req[PKT_MAX_LEN];	/* the last request */
	size_t			 reqlen;
	uint8_t			 reply[PKT_MAX_LEN];	/* what comes in */
	size_t			 replylen;
	int64_t			 reply_ns;	/* its kernel timestamp */
	uint8_t			 rnd;
} net;

static int
fake_sock_open(int family, int type)
{
	int	 p[2];

	/* a descriptor libevent takes; the base never runs */
	ck_assert_int_eq(pipe(p), 0);
	close(p[1]);
	net.fd = p[0];
	return p[0];
}

static int
fake_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	return 0;
}

static int
fake_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	memcpy(&net.peer, sa, len);
	return 0;
}

static int
fake_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	memcpy(sa, &sin, sizeof(sin));
	*len = sizeof(sin);
	return 0;
}

static ssize_t
fake_send(int fd, const void *buf, size_t len, int flags)
{
	ck_assert_int_eq(fd, net.fd);
	ck_assert_uint_le(len, sizeof(net.req));
	memcpy(net.req, buf, len);
	net.reqlen = len;
	net.nsent++;
	return len;
}

/* The answer, with SO_TIMESTAMPNS's timestamp; no error queue. */
static ssize_t
fake_recvmsg(int fd, struct msghdr *m, int flags)
{
	struct cmsghdr	*c;
	struct timespec	 ts;
	size_t		 n = net.replylen;

	if ((flags & MSG_ERRQUEUE) || n == 0) {
		errno = EAGAIN;
		return -1;
	}
	ck_assert_uint_le(n, m->msg_iov[0].iov_len);
	memcpy(m->msg_iov[0].iov_base, net.reply, n);
	net.replylen = 0;
	ts.tv_sec = net.reply_ns / 1000000000LL;
	ts.tv_nsec = net.reply_ns % 1000000000LL;
	ck_assert_uint_ge(m->msg_controllen, CMSG_SPACE(sizeof(ts)));
	c = CMSG_FIRSTHDR(m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_TIMESTAMPNS;
	c->cmsg_len = CMSG_LEN(sizeof(ts));
	memcpy(CMSG_DATA(c), &ts, sizeof(ts));
	m->msg_controllen = CMSG_SPACE(sizeof(ts));
	m->msg_flags = 0;
	return n;
}

static ssize_t
fake_getrandom(void *buf, size_t len, unsigned int flags)
{
	memset(buf, ++net.rnd, len);
	return len;
}

static int
fake_socket(int family, int type, int proto)
{
	errno = EACCES;
	return -1;
}

#define sock_open	fake_sock_open
#define setsockopt	fake_setsockopt
#define connect		fake_connect
#define getsockname	fake_getsockname
#define send		fake_send
#define recvmsg		fake_recvmsg
#define getrandom	fake_getrandom
#define socket		fake_socket

#include "client.c"
#include "client_io.c"
#include "client_rc.c"
#include "client_ref.c"
#include "client_report.c"

#define SERVER		"192.0.2.1"
#define SERVER_REFID	0xc0000201u
#define DELAY_NS	2000000LL	/* the path's round trip */
#define TURN_NS		10000LL		/* the server's time to answer */

static struct fake_ctx	 F;
static struct client	*cl;

static void
start(const char *const *lines)
{
	int	 i;

	memset(&net, 0, sizeof(net));
	fake_ctx_open(&F, lines);
	cl = client_new(&F.ctx);
	client_start(cl);
	ck_assert_int_ge(cl->n, 1);
	for (i = 0; i < cl->n; i++)
		ck_assert(cl->srcs[i]->resolved);	/* addresses: at once */
}

static void
stop(void)
{
	client_free(cl);
	fake_ctx_close(&F);
}

/* Source i's poll timer fired: a request goes out. */
static void
poll_now(int i)
{
	int	 n = net.nsent;

	poll_cb(-1, EV_TIMEOUT, cl->srcs[i]);
	ck_assert_int_eq(net.nsent, n + 1);
}

/*
 * Source i's server answers the last request, sent now: its clock is
 * behind the system clock by behind_s (so the offset measured is
 * +behind_s, less what the engine still slews away), with the path's
 * delay split evenly; the answer arrives, its kernel timestamp the
 * system time then.  org: the answer's origin, 0 for the request's.
 * Returns the offset the exchange measures, in the engine's time.
 */
static double
answer(int i, double behind_s, uint8_t stratum, uint64_t org)
{
	struct pkt	 q, a;
	int64_t		 t1 = fake_sys_ns, t2, t3, t4, t1e, t4e;

	ck_assert_int_eq(pkt_decode(&q, net.req, net.reqlen), PKT_OK);
	t2 = t1 + DELAY_NS / 2 - (int64_t)(behind_s * 1e9);
	t3 = t2 + TURN_NS;
	t4 = t1 + DELAY_NS + TURN_NS;
	memset(&a, 0, sizeof(a));
	a.leap = PKT_LEAP_NONE;
	a.version = 4;
	a.mode = PKT_MODE_SERVER;
	a.stratum = stratum;
	a.poll = q.poll;
	a.precision = -20;
	a.root_delay = 0x00000100;	/* 4 ms */
	a.root_disp = 0x00000080;	/* 2 ms */
	a.refid = 0x0a000001;
	a.ref_ts = pkt_ts_from_ns(t2 - 16000000000LL);
	a.org_ts = org != 0 ? org : q.tx_ts;
	a.rx_ts = pkt_ts_from_ns(t2);
	a.tx_ts = pkt_ts_from_ns(t3);
	net.replylen = pkt_encode(&a, net.reply, sizeof(net.reply));
	ck_assert_uint_eq(net.replylen, PKT_HDR_LEN);
	t1e = ectx_sys_to_ns(&F.ctx, t1);
	t4e = ectx_sys_to_ns(&F.ctx, t4);
	fake_sys_ns = t4;
	net.reply_ns = t4;
	rx_cb(net.fd, EV_READ, cl->srcs[i]);
	return ((double)(t1e - t2) + (double)(t4e - t3)) / 2e9;
}

static const char *const conf_server[] = { "server " SERVER, NULL };

/* A poll: one client request to the source's address and port 123. */
START_TEST(test_shell_client_poll_sends_request)
{
	const struct sockaddr_in	*sin = (const void *)&net.peer;
	struct pkt			 q;

	start(conf_server);
	poll_now(0);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), SERVER_REFID);
	ck_assert_uint_eq(ntohs(sin->sin_port), 123);
	ck_assert_uint_eq(net.reqlen, PKT_HDR_LEN);
	ck_assert_int_eq(pkt_decode(&q, net.req, net.reqlen), PKT_OK);
	ck_assert_uint_eq(q.mode, PKT_MODE_CLIENT);
	ck_assert_uint_eq(q.version, 4);
	/* RFC 9109: the transmit timestamp is random, not the time */
	ck_assert_uint_eq(q.tx_ts, 0x0101010101010101ULL);
	ck_assert_uint_eq(cl->srcs[0]->src.stats.tx, 1);
	fake_expect_none(&F);	/* nothing for the monitor yet */
	stop();
}
END_TEST

/*
 * An answer: its sample goes to the source's statistics, the selection
 * picks the source, and the monitor is asked to slew the offset away,
 * then told the clock is synchronised; the server hears of the new
 * reference, and the engine's time counts the slew at once.
 */
START_TEST(test_shell_client_reply_slews)
{
	struct req_offset	 o;
	struct req_sync		 sy;
	struct rpt_tracking	 t;
	double			 off;

	start(conf_server);
	poll_now(0);
	off = answer(0, 0.2, 2, 0);
	ck_assert_double_eq_tol(off, 0.2, 1e-9);
	ck_assert_int_eq(sst_count(cl->srcs[0]->sst), 1);
	ck_assert_int_eq(cl->srcs[0]->state, SEL_BEST);
	ck_assert_int_eq(cl->mode, REF_SOURCES);
	ck_assert_int_eq(cl->best, 0);
	fake_expect(&F, IMSG_ADJ_OFFSET, &o, sizeof(o));
	ck_assert_double_eq_tol(o.offset_s, off, 1e-8);
	ck_assert(o.rate_ppm > 0.0 &&
	    o.rate_ppm <= F.ctx.conf->maxslewrate_ppm);
	fake_expect(&F, IMSG_SET_SYNC, &sy, sizeof(sy));
	ck_assert_int_eq(sy.synced, 1);
	fake_expect_none(&F);
	ck_assert_int_eq(F.ref_changed, 1);
	ck_assert_double_eq_tol(vclock_slew_left(&F.ctx.cs->model,
	    fake_sys_ns), off, 1e-8);
	ck_assert_int_eq(ectx_now_ns(&F.ctx), fake_sys_ns -
	    (int64_t)(off * 1e9));
	/* and timectl tracking says so */
	memset(&t, 0, sizeof(t));
	client_tracking(cl, &t);
	ck_assert_uint_eq(t.ref_id, SERVER_REFID);
	ck_assert_int_eq(t.stratum, 3);
	ck_assert_str_eq(t.ref_address, SERVER);
	stop();
}
END_TEST

/*
 * makestep 1 1: offsets of more than 1 s are stepped in the first update,
 * which counts as chronyd's does, from a frequency estimate: the one
 * made from the first sample alone is provisional, not counted (chrony's
 * 201-freqaccumulation: 100 s off, then 3.4 s more from a clock 5% slow
 * by the second sample, which chronyd's first update steps).
 */
START_TEST(test_shell_client_reply_steps)
{
	static const char *const lines[] = {
		"server " SERVER, "makestep 1 1", NULL
	};
	struct req_step		 st;
	struct req_offset	 o;
	struct req_sync		 sy;
	struct fake_frame	 fr;
	double			 off;

	start(lines);
	poll_now(0);
	off = answer(0, -5.0, 2, 0);	/* ours 5 s behind */
	ck_assert_double_eq_tol(off, -5.0, 1e-9);
	fake_expect(&F, IMSG_STEP, &st, sizeof(st));
	ck_assert_double_eq_tol(st.offset_s, off, 1e-8);
	ck_assert_int_eq(st.provisional, 1);
	fake_expect(&F, IMSG_SET_SYNC, &sy, sizeof(sy));
	ck_assert_int_eq(sy.synced, 1);
	fake_expect_none(&F);
	ck_assert_uint_eq(F.ctx.cs->updates, 0);
	ck_assert_int_eq(F.ctx.cs->provisional, 1);
	fake_sys_ns -= (int64_t)(st.offset_s * 1e9);

	/* 64 s on, 3 s behind again: the first counted update steps */
	fake_sys_ns += 64 * 1000000000LL;
	poll_now(0);
	off = answer(0, -3.0, 2, 0);
	fake_expect(&F, IMSG_STEP, &st, sizeof(st));
	ck_assert_double_eq_tol(st.offset_s, off, 1e-3);
	ck_assert_int_eq(st.provisional, 0);
	ck_assert_uint_eq(F.ctx.cs->updates, 1);
	while (fake_next(&F, &fr))
		;
	fake_sys_ns -= (int64_t)(st.offset_s * 1e9);

	/* and no more: 2 s is slewed */
	fake_sys_ns += 64 * 1000000000LL;
	poll_now(0);
	(void)answer(0, -2.0, 2, 0);
	fake_expect(&F, IMSG_ADJ_OFFSET, &o, sizeof(o));
	ck_assert_int_eq(o.provisional, 0);
	ck_assert_uint_eq(F.ctx.cs->updates, 2);
	stop();
}
END_TEST

/* An answer to a request we did not send: dropped, counted, no sample. */
START_TEST(test_shell_client_reply_not_ours)
{
	start(conf_server);
	poll_now(0);
	(void)answer(0, 0.2, 2, 0x1234567812345678ULL);
	ck_assert_int_eq(sst_count(cl->srcs[0]->sst), 0);
	ck_assert_uint_eq(cl->srcs[0]->src.stats.refused[SRC_BOGUS], 1);
	ck_assert_int_eq(cl->mode, REF_NONE);
	fake_expect_none(&F);
	ck_assert_int_eq(F.ref_changed, 0);
	stop();
}
END_TEST

/* minsources 2 and one source: a sample, but nothing selected. */
START_TEST(test_shell_client_minsources)
{
	static const char *const lines[] = {
		"server " SERVER, "minsources 2", NULL
	};

	start(lines);
	poll_now(0);
	(void)answer(0, 0.2, 2, 0);
	ck_assert_int_eq(sst_count(cl->srcs[0]->sst), 1);
	ck_assert_int_eq(cl->best, -1);
	ck_assert_int_eq(cl->mode, REF_NONE);
	fake_expect_none(&F);
	stop();
}
END_TEST

/* A server at stratum 16, unsynchronised: no sample, never selected. */
START_TEST(test_shell_client_unsynchronised_server)
{
	start(conf_server);
	poll_now(0);
	(void)answer(0, 0.2, 16, 0);
	ck_assert_int_eq(sst_count(cl->srcs[0]->sst), 0);
	ck_assert_uint_eq(cl->srcs[0]->src.stats.refused[SRC_UNSYNC], 1);
	ck_assert_int_eq(cl->mode, REF_NONE);
	fake_expect_none(&F);
	stop();
}
END_TEST

/*
 * minsources 2 and three servers, one of them 3 s off: no selection
 * after the first answer, nor after the falseticker's (two disagree);
 * after the third the two agreeing are combined and their offset
 * slewed, the third marked a falseticker.
 */
START_TEST(test_shell_client_falseticker)
{
	static const char *const lines[] = {
		"server 192.0.2.1", "server 192.0.2.2", "server 192.0.2.3",
		"minsources 2", NULL
	};
	struct req_offset	 o;
	struct req_sync		 sy;
	double			 a, b;

	start(lines);
	ck_assert_int_eq(cl->n, 3);
	poll_now(0);
	a = answer(0, 0.2, 2, 0);
	ck_assert_int_eq(cl->best, -1);
	fake_expect_none(&F);
	poll_now(2);
	(void)answer(2, 3.0, 2, 0);
	ck_assert_int_eq(sst_count(cl->srcs[2]->sst), 1);
	ck_assert_int_eq(cl->best, -1);
	fake_expect_none(&F);
	poll_now(1);
	b = answer(1, 0.2002, 2, 0);
	ck_assert_int_ge(cl->best, 0);
	ck_assert_int_ne(cl->best, 2);
	ck_assert(cl->srcs[0]->state == SEL_BEST ||
	    cl->srcs[0]->state == SEL_COMBINED);
	ck_assert(cl->srcs[1]->state == SEL_BEST ||
	    cl->srcs[1]->state == SEL_COMBINED);
	ck_assert_int_eq(cl->srcs[2]->state, SEL_FALSE);
	fake_expect(&F, IMSG_ADJ_OFFSET, &o, sizeof(o));
	/* between the two: combined, weighted by their distances */
	ck_assert(o.offset_s >= a - 1e-9 && o.offset_s <= b + 1e-9);
	ck_assert_double_eq_tol(o.offset_s, cl->sel.offset_s, 1e-12);
	fake_expect(&F, IMSG_SET_SYNC, &sy, sizeof(sy));
	ck_assert_int_eq(sy.synced, 1);
	fake_expect_none(&F);
	ck_assert_int_eq(F.ref_changed, 1);
	stop();
}
END_TEST

/*
 * Four servers, the fourth 1 s off the others, the clock 0.3 s behind
 * them (makestep 0.1 3).  No early answer moves the clock while another
 * source's first request is still to leave (a falseticker's could be
 * the first); once all have answered, the next answer of a selected
 * source steps the clock (applied here as the monitor would), once;
 * the falseticker's offset is then the only
 * early one over 1 ms, and the true servers' small offsets must outvote
 * it (early_all), or it alone is selected and steps the clock a second
 * (e2e 040 did, under load).
 */
START_TEST(test_shell_client_early_falseticker)
{
	static const char *const lines[] = {
		"server 192.0.2.1", "server 192.0.2.2", "server 192.0.2.3",
		"server 192.0.2.4", "makestep 0.1 3", NULL
	};
	static const int	 order[] = { 3, 1, 2 };
	static const double	 behind[] = { 0.0, 0.0, 0.0, -1.0 };
	struct fake_frame	 fr;
	struct req_step		 st;
	int			 i, steps = 0;

	start(lines);
	ck_assert_int_eq(cl->n, 4);
	for (i = 0; i < 4; i++) {
		poll_now(i);
		(void)answer(i, behind[i] - 0.3, 2, 0);
		fake_expect_none(&F);
	}
	/* selected, and the next sample of a selected source steps */
	ck_assert_int_eq(cl->srcs[3]->state, SEL_FALSE);
	poll_now(0);
	(void)answer(0, -0.3, 2, 0);
	while (fake_next(&F, &fr)) {
		if (fr.type != IMSG_STEP)
			continue;
		ck_assert_uint_eq(fr.len, sizeof(st));
		memcpy(&st, fr.data, sizeof(st));
		steps++;
	}
	ck_assert_int_eq(steps, 1);
	ck_assert_double_eq_tol(st.offset_s, -0.3, 1e-6);
	fake_sys_ns -= (int64_t)(st.offset_s * 1e9);
	for (i = 0; i < 3; i++) {
		poll_now(order[i]);
		(void)answer(order[i], behind[order[i]], 2, 0);
	}
	while (fake_next(&F, &fr))
		ck_assert_msg(fr.type != IMSG_STEP, "stepped again");
	ck_assert_int_eq(cl->srcs[3]->state, SEL_FALSE);
	ck_assert_int_ge(cl->best, 0);
	ck_assert_int_ne(cl->best, 3);
	stop();
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("shell_client");
	TCase	*tc = tcase_create("client");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_shell_client_poll_sends_request);
	tcase_add_test(tc, test_shell_client_reply_slews);
	tcase_add_test(tc, test_shell_client_reply_steps);
	tcase_add_test(tc, test_shell_client_reply_not_ours);
	tcase_add_test(tc, test_shell_client_minsources);
	tcase_add_test(tc, test_shell_client_unsynchronised_server);
	tcase_add_test(tc, test_shell_client_falseticker);
	tcase_add_test(tc, test_shell_client_early_falseticker);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
