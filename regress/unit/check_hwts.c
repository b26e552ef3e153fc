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
 * lib/hwts.c: control messages as the kernel (and clknetsim) writes
 * them, the receive frame correction, the choice of a timestamp.
 */

#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "conf.h"
#include "hwclk.h"
#include "hwts.h"
#include "proto.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define S		1000000000LL

#ifndef SCM_TIMESTAMPING_PKTINFO
#define SCM_TIMESTAMPING_PKTINFO	58
#endif

/* A control buffer being filled, as the kernel fills one. */
struct cbuf {
	union {
		struct cmsghdr	 align;
		uint8_t		 b[512];
	} u;
	size_t	 len;
};

static void
put(struct cbuf *cb, int level, int type, const void *data, size_t n)
{
	struct cmsghdr	*c = (struct cmsghdr *)(cb->u.b + cb->len);

	ck_assert_uint_le(cb->len + CMSG_SPACE(n), sizeof(cb->u.b));
	memset(c, 0, CMSG_SPACE(n));
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(n);
	memcpy(CMSG_DATA(c), data, n);
	cb->len += CMSG_SPACE(n);
}

static void
put_ts(struct cbuf *cb, int64_t sw, int64_t hw)
{
	struct timespec	 ts[3];

	memset(ts, 0, sizeof(ts));
	ts[0].tv_sec = sw / S;
	ts[0].tv_nsec = sw % S;
	ts[2].tv_sec = hw / S;
	ts[2].tv_nsec = hw % S;
	put(cb, SOL_SOCKET, SCM_TIMESTAMPING, ts, sizeof(ts));
}

static void
put_tsns(struct cbuf *cb, int64_t t)
{
	struct timespec	 ts = { t / S, t % S };

	put(cb, SOL_SOCKET, SCM_TIMESTAMPNS, &ts, sizeof(ts));
}

static void
put_pktinfo(struct cbuf *cb, int ifindex)
{
	struct in_pktinfo	 pi;

	memset(&pi, 0, sizeof(pi));
	pi.ipi_ifindex = ifindex;
	put(cb, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
}

static void
put_tspktinfo(struct cbuf *cb, int ifindex, int l2)
{
	struct scm_ts_pktinfo	 t;

	memset(&t, 0, sizeof(t));
	t.if_index = ifindex;
	t.pkt_length = l2;
	put(cb, SOL_SOCKET, SCM_TIMESTAMPING_PKTINFO, &t, sizeof(t));
}

static void
put_err(struct cbuf *cb, int origin)
{
	struct sock_extended_err	 ee;

	memset(&ee, 0, sizeof(ee));
	ee.ee_errno = ENOMSG;
	ee.ee_origin = origin;
	ee.ee_info = SCM_TSTAMP_SND;
	put(cb, IPPROTO_IP, IP_RECVERR, &ee, sizeof(ee));
}

/* A server's socket: SO_TIMESTAMPNS then SCM_TIMESTAMPING, zero ts[0]. */
START_TEST(test_hwts_parse_server_rx)
{
	struct cbuf	 cb = { .len = 0 };
	struct hwts_cmsg o;

	put_pktinfo(&cb, 3);
	put_tsns(&cb, 1700000000 * S + 123);
	put_ts(&cb, 0, 55 * S + 7);
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.sw_ns, 1700000000 * S + 123);
	ck_assert_int_eq(o.hw_ns, 55 * S + 7);
	ck_assert_int_eq(o.if_index, 3);
	ck_assert_int_eq(o.l2_len, 0);
	ck_assert_int_eq(o.tx_report, 0);
}
END_TEST

/* The interface that stamped it wins over IP_PKTINFO's, in any order. */
START_TEST(test_hwts_parse_ts_pktinfo)
{
	struct cbuf	 cb = { .len = 0 };
	struct hwts_cmsg o;

	put_tspktinfo(&cb, 4, 90);
	put_pktinfo(&cb, 3);
	put_ts(&cb, 10 * S, 20 * S);
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.if_index, 4);
	ck_assert_int_eq(o.l2_len, 90);
	ck_assert_int_eq(o.sw_ns, 10 * S);
	ck_assert_int_eq(o.hw_ns, 20 * S);
}
END_TEST

/* The error queue: IP_PKTINFO, the timestamps, the report. */
START_TEST(test_hwts_parse_errqueue)
{
	struct cbuf	 cb = { .len = 0 };
	struct hwts_cmsg o;

	put_pktinfo(&cb, 2);
	put_ts(&cb, 0, 30 * S + 1);
	put_err(&cb, SO_EE_ORIGIN_TIMESTAMPING);
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.tx_report, 1);
	ck_assert_int_eq(o.hw_ns, 30 * S + 1);
	ck_assert_int_eq(o.sw_ns, 0);
	ck_assert_int_eq(o.if_index, 2);
	cb.len = 0;
	put_err(&cb, SO_EE_ORIGIN_ICMP);
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.tx_report, 0);
}
END_TEST

/* Lengths that lie end the walk; nothing is read past the buffer. */
START_TEST(test_hwts_parse_bad_lengths)
{
	struct cbuf	 cb = { .len = 0 };
	struct hwts_cmsg o;
	struct cmsghdr	*c;

	put_ts(&cb, 10 * S, 20 * S);
	c = (struct cmsghdr *)cb.u.b;
	c->cmsg_len = cb.len + 8;		/* past the end */
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.sw_ns, 0);
	ck_assert_int_eq(o.hw_ns, 0);
	c->cmsg_len = 4;			/* shorter than a header */
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.hw_ns, 0);
	/* a short SCM_TIMESTAMPING: ignored, the next one read */
	cb.len = 0;
	put(&cb, SOL_SOCKET, SCM_TIMESTAMPING, "12345678", 8);
	put_tsns(&cb, 5 * S);
	hwts_parse_cmsgs(cb.u.b, cb.len, &o);
	ck_assert_int_eq(o.sw_ns, 5 * S);
	ck_assert_int_eq(o.hw_ns, 0);
	hwts_parse_cmsgs(NULL, 0, &o);
	ck_assert_int_eq(o.sw_ns, 0);
	hwts_parse_cmsgs(cb.u.b, 3, &o);
	ck_assert_int_eq(o.sw_ns, 0);
}
END_TEST

static const struct {
	const char	*what;
	int		 l2, v6, mbps;
	size_t		 udp;
	int64_t		 ns;
} frame_rows[] = {
	/* (42 + 48 + 4) bytes at 1 Gb/s: 752 ns */
	{ "IPv4 at 1 Gb/s, assumed headers", 0, 0, 1000, 48, 752 },
	/* clknetsim's default 100 Gb/s: 7.52 ns */
	{ "IPv4 at 100 Gb/s", 0, 0, 100000, 48, 8 },
	{ "IPv6 at 1 Gb/s", 0, 1, 1000, 48, (62 + 48 + 4) * 8 },
	{ "reported length", 90, 0, 1000, 48, 94 * 8 },
	{ "VLAN tag reported", 94, 0, 100, 48, 98 * 80 },
	{ "NTS request at 10 Gb/s", 0, 0, 10000, 228, 219 },
	{ "unknown speed", 0, 0, 0, 48, 0 },
	{ "negative speed", 0, 0, -1, 48, 0 },
	{ "absurd length", 70000, 0, 1000, 48, 0 },
};

START_TEST(test_hwts_rx_frame)
{
	ck_assert_msg(hwts_rx_frame_ns(frame_rows[_i].l2, frame_rows[_i].udp,
	    frame_rows[_i].v6, frame_rows[_i].mbps) == frame_rows[_i].ns,
	    "%s: %lld", frame_rows[_i].what,
	    (long long)hwts_rx_frame_ns(frame_rows[_i].l2,
	    frame_rows[_i].udp, frame_rows[_i].v6, frame_rows[_i].mbps));
}
END_TEST

static const struct {
	const char		*what;
	int64_t			 daemon, kernel;
	int			 have_hw;
	int64_t			 hw;
	int			 raw_hw, tx;
	enum hwts_source	 want;
	int64_t			 out;
} pick_rows[] = {
	{ "hardware first", 100 * S, 100 * S - 5000, 1, 100 * S - 7000, 1,
	    0, HWTS_HARDWARE, 100 * S - 7000 },
	{ "kernel without hardware", 100 * S, 100 * S - 5000, 0, 0, 0, 0,
	    HWTS_KERNEL, 100 * S - 5000 },
	{ "daemon without either", 100 * S, 0, 0, 0, 0, 0, HWTS_DAEMON,
	    100 * S },
	{ "rx: kernel if the card's cannot be converted", 100 * S,
	    100 * S - 5000, 0, 0, 1, 0, HWTS_KERNEL, 100 * S - 5000 },
	{ "tx: not the kernel's if the card gave one", 100 * S,
	    100 * S + 5000, 0, 0, 1, 1, HWTS_DAEMON, 100 * S },
	{ "tx: kernel without the card's", 100 * S, 100 * S + 5000, 0, 0,
	    0, 1, HWTS_KERNEL, 100 * S + 5000 },
	{ "hardware 2 s off: kernel", 100 * S, 100 * S - 5000, 1, 98 * S,
	    1, 0, HWTS_KERNEL, 100 * S - 5000 },
	{ "hardware 1 s off: taken", 100 * S, 0, 1, 99 * S, 1, 0,
	    HWTS_HARDWARE, 99 * S },
	{ "both far: daemon", 100 * S, 102 * S, 1, 97 * S, 1, 0,
	    HWTS_DAEMON, 100 * S },
};

START_TEST(test_hwts_pick)
{
	int64_t			 out = -1;
	enum hwts_source	 got;

	got = hwts_pick(pick_rows[_i].daemon, pick_rows[_i].kernel,
	    pick_rows[_i].have_hw, pick_rows[_i].hw, pick_rows[_i].raw_hw,
	    pick_rows[_i].tx, &out);
	ck_assert_msg(got == pick_rows[_i].want, "%s: source %d",
	    pick_rows[_i].what, (int)got);
	ck_assert_msg(out == pick_rows[_i].out, "%s: time %lld",
	    pick_rows[_i].what, (long long)out);
}
END_TEST

START_TEST(test_hwts_letter)
{
	ck_assert_int_eq(hwts_letter(HWTS_DAEMON), 'D');
	ck_assert_int_eq(hwts_letter(HWTS_KERNEL), 'K');
	ck_assert_int_eq(hwts_letter(HWTS_HARDWARE), 'H');
}
END_TEST

/* The monitor's clamping, and the engine's check of what it gets. */
START_TEST(test_hwts_iface_options)
{
	struct conf_hwts	 h;
	struct hwts_iface	 m;

	memset(&h, 0, sizeof(h));
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "eth0");
	m.if_index = 2;
	m.phc_index = 0;
	m.link_mbps = 1000;
	m.rx = 1;
	h.minpoll = -100;
	h.minsamples = 100;
	h.maxsamples = 1000;
	h.precision_s = 0.0;
	h.rxcomp_s = 5.0;
	h.txcomp_s = NAN;
	h.nocrossts = 1;
	hwts_iface_options(&m, &h);
	ck_assert_int_eq(m.minpoll, HWTS_MIN_POLL);
	ck_assert_int_eq(m.maxsamples, HWCLK_MAX_SAMPLES);
	ck_assert_int_eq(m.minsamples, HWCLK_MAX_SAMPLES);
	ck_assert_double_eq(m.precision_s, 1e-9);
	ck_assert_double_eq(m.rxcomp_s, 1.0);
	ck_assert_double_eq(m.txcomp_s, 0.0);
	ck_assert_int_eq(m.nocrossts, 1);
	ck_assert_int_eq(hwts_iface_check(&m), 0);
	h.minpoll = 30;
	h.minsamples = 5;
	h.maxsamples = 3;
	h.precision_s = 1e-8;
	hwts_iface_options(&m, &h);
	ck_assert_int_eq(m.minpoll, HWTS_MAX_POLL);
	ck_assert_int_eq(m.maxsamples, 3);
	ck_assert_int_eq(m.minsamples, 3);
	ck_assert_double_eq(m.precision_s, 1e-8);
	ck_assert_int_eq(hwts_iface_check(&m), 0);
}
END_TEST

static void
break_name(struct hwts_iface *m)
{
	memset(m->name, 'a', sizeof(m->name));
}

static void break_empty(struct hwts_iface *m) { m->name[0] = '\0'; }
static void break_index(struct hwts_iface *m) { m->if_index = 0; }
static void break_phc(struct hwts_iface *m) { m->phc_index = -1; }
static void break_speed(struct hwts_iface *m) { m->link_mbps = -5; }
static void break_rx(struct hwts_iface *m) { m->rx = 2; }
static void break_poll(struct hwts_iface *m) { m->minpoll = 21; }
static void break_min(struct hwts_iface *m) { m->minsamples = 1; }
static void break_max(struct hwts_iface *m) { m->maxsamples = 65; }
static void break_order(struct hwts_iface *m) { m->minsamples = 9; }
static void break_prec(struct hwts_iface *m) { m->precision_s = NAN; }
static void break_rxcomp(struct hwts_iface *m) { m->rxcomp_s = 2.0; }
static void break_txcomp(struct hwts_iface *m) { m->txcomp_s = -INFINITY; }
static void break_cross(struct hwts_iface *m) { m->nocrossts = -1; }

static const struct {
	const char	*what;
	void		(*f)(struct hwts_iface *);
} bad_rows[] = {
	{ "name without NUL", break_name }, { "empty name", break_empty },
	{ "interface 0", break_index }, { "PHC -1", break_phc },
	{ "negative speed", break_speed }, { "rx 2", break_rx },
	{ "minpoll 21", break_poll }, { "minsamples 1", break_min },
	{ "maxsamples 65", break_max }, { "min > max", break_order },
	{ "NaN precision", break_prec }, { "rxcomp 2 s", break_rxcomp },
	{ "txcomp -inf", break_txcomp }, { "nocrossts -1", break_cross },
};

START_TEST(test_hwts_iface_check_rejects)
{
	struct hwts_iface	 m;

	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "eth0");
	m.if_index = 2;
	m.minsamples = 2;
	m.maxsamples = 8;
	m.precision_s = 1e-7;
	ck_assert_int_eq(hwts_iface_check(&m), 0);
	bad_rows[_i].f(&m);
	ck_assert_msg(hwts_iface_check(&m) == -1, "%s", bad_rows[_i].what);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("hwts");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_hwts_parse_server_rx);
	tcase_add_test(tc, test_hwts_parse_ts_pktinfo);
	tcase_add_test(tc, test_hwts_parse_errqueue);
	tcase_add_test(tc, test_hwts_parse_bad_lengths);
	tcase_add_loop_test(tc, test_hwts_rx_frame, 0, NELEM(frame_rows));
	tcase_add_loop_test(tc, test_hwts_pick, 0, NELEM(pick_rows));
	tcase_add_test(tc, test_hwts_letter);
	tcase_add_test(tc, test_hwts_iface_options);
	tcase_add_loop_test(tc, test_hwts_iface_check_rejects, 0,
	    NELEM(bad_rows));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
