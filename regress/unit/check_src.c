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

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "src.h"

#define S	1000000000LL

#define NS_PER_S	1000000000LL
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct src_params	params = { .minpoll = 0, .maxpoll = 6,
	.iburst = 1, .maxdelay_s = 3.0, .polltarget = 8 };

/* A server answer to request req: server clock ahead by ahead_s. */
static size_t
answer(const uint8_t *req, int64_t t2, int64_t t3, int stratum, int leap,
    uint32_t refid, uint8_t *out)
{
	struct pkt	 q, a;

	ck_assert_int_eq(pkt_decode(&q, req, PKT_HDR_LEN), PKT_OK);
	memset(&a, 0, sizeof(a));
	a.leap = leap;
	a.version = 4;
	a.mode = PKT_MODE_SERVER;
	a.stratum = stratum;
	a.precision = -20;
	a.refid = refid;
	a.root_delay = pkt_short_from_s(0.001);
	a.root_disp = pkt_short_from_s(0.002);
	a.org_ts = q.tx_ts;
	a.rx_ts = pkt_ts_from_ns(t2);
	a.tx_ts = pkt_ts_from_ns(t3);
	return pkt_encode(&a, out, PKT_HDR_LEN);
}

START_TEST(test_src_request_is_minimal)
{
	struct src	 s;
	struct pkt	 q;
	uint8_t		 req[PKT_HDR_LEN];

	src_init(&s, &params, 100 * S);
	src_poll(&s, 100 * S, 0x1122334455667788ULL, req, 0);
	ck_assert_int_eq(pkt_decode(&q, req, sizeof(req)), PKT_OK);
	ck_assert_int_eq(q.mode, PKT_MODE_CLIENT);
	ck_assert_int_eq(q.version, 4);
	ck_assert(q.tx_ts == 0x1122334455667788ULL);
	ck_assert(q.org_ts == 0 && q.rx_ts == 0 && q.ref_ts == 0);
	/* iburst: the next poll comes after the poll interval (1 s) */
	ck_assert_int_eq(s.next_ns, 100 * S + S);
}
END_TEST

/*
 * Past a burst a poll comes up to 2% of its interval late, by the random
 * transmit timestamp: two clients started together drift apart.
 */
START_TEST(test_src_poll_spread)
{
	struct src_params	 p = params;
	struct src		 s;
	uint8_t			 req[PKT_HDR_LEN];
	const int64_t		 ival = 64 * S;

	p.minpoll = p.maxpoll = 6;
	p.iburst = 0;
	src_init(&s, &p, 0);
	src_poll(&s, 0, 0, req, 0);
	ck_assert_int_eq(s.next_ns, ival);
	src_poll(&s, 0, ~0ULL, req, 0);
	ck_assert(s.next_ns > ival + ival / 50 - S / 1000 &&
	    s.next_ns < ival + ival / 50);
	src_poll(&s, 0, 1ULL << 63, req, 0);
	ck_assert(llabs(s.next_ns - (ival + ival / 100)) < S / 1000);
}
END_TEST

START_TEST(test_src_sample_offset_and_delay)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t1 = 1000 * S;

	/* local clock 5 ms ahead; 100 us each way; server takes 10 us */
	src_init(&s, &params, t1);
	src_poll(&s, t1, 42, req, 0);
	answer(req, t1 + 100000 - 5000000, t1 + 110000 - 5000000, 2, 0,
	    0x7f000001, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 210000, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.005, 1e-9);
	ck_assert_double_eq_tol(sm.delay_s, 0.0002, 1e-9);
	ck_assert_double_eq_tol(sm.root_delay_s, 0.001, 1e-4);
	ck_assert_int_eq(sm.stratum, 2);
	ck_assert_int_eq(s.reach, 1);
	/* the same reply again is a duplicate */
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 220000, &sm),
	    SRC_DUPLICATE);
}
END_TEST

static const struct {
	const char	*what;
	int		 stratum, leap;
	uint32_t	 refid;
	int		 bad_origin;
	int		 zero_rx;
	enum src_reason	 want;
} reply_rows[] = {
	{ "good", 3, 0, 1, 0, 0, SRC_OK },
	{ "bogus origin", 3, 0, 1, 1, 0, SRC_BOGUS },
	{ "leap 3", 3, 3, 1, 0, 0, SRC_UNSYNC },
	{ "stratum 16", 16, 0, 1, 0, 0, SRC_UNSYNC },
	{ "unsynchronised: stratum 0, no code", 0, 3, 0, 0, 0, SRC_UNSYNC },
	{ "zero receive time", 3, 0, 1, 0, 1, SRC_ZERO_TS },
	{ "KoD RATE", 0, 3, PKT_KOD_RATE, 0, 0, SRC_KOD_RATE },
	{ "KoD DENY", 0, 3, PKT_KOD_DENY, 0, 0, SRC_KOD_DENY },
	{ "KoD RSTR", 0, 3, PKT_KOD_RSTR, 0, 0, SRC_KOD_DENY },
	{ "KoD other", 0, 3, 0x41424344, 0, 0, SRC_KOD_OTHER },
	{ "spoofed KoD DENY", 0, 3, PKT_KOD_DENY, 1, 0, SRC_BOGUS },
};

START_TEST(test_src_reply_tests)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t1 = 50 * S;

	src_init(&s, &params, t1);
	src_poll(&s, t1, 7, req, 0);
	answer(req, reply_rows[_i].zero_rx ? 0 : t1 + 1000, t1 + 2000,
	    reply_rows[_i].stratum, reply_rows[_i].leap, reply_rows[_i].refid,
	    rep);
	if (reply_rows[_i].zero_rx)
		memset(rep + 32, 0, 8);
	if (reply_rows[_i].bad_origin)
		rep[24] ^= 1;
	ck_assert_msg(src_reply(&s, rep, sizeof(rep), t1 + 3000, &sm) ==
	    reply_rows[_i].want, "%s", reply_rows[_i].what);
	ck_assert_int_eq(s.reach, reply_rows[_i].want == SRC_OK);
	ck_assert_int_eq(s.denied, reply_rows[_i].want == SRC_KOD_DENY);
}
END_TEST

START_TEST(test_src_kod_rate_backs_off)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];

	src_init(&s, &params, 0);
	src_poll(&s, 0, 9, req, 0);
	answer(req, 1000, 2000, 0, 3, PKT_KOD_RATE, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), 3000, &sm),
	    SRC_KOD_RATE);
	ck_assert_int_eq(s.poll, params.minpoll + 2);
	ck_assert_int_eq(s.burst_left, 0);
	/* the next request the new interval after the kiss */
	ck_assert_int_eq(s.next_ns, 3000 + 4 * S);
}
END_TEST

/*
 * The wait to the next request counts from the answer, as chronyd's,
 * else from the request: a long path does not shorten the time between
 * an answer and the next request.  An answer to the request before, a
 * duplicate or a forgery does not move it.
 */
START_TEST(test_src_wait_from_answer)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], old[PKT_HDR_LEN];
	uint8_t			 rep[PKT_HDR_LEN];
	struct src_params	 p = params;
	int64_t			 t = 10 * S, gap;

	p.iburst = 0;
	p.minpoll = p.maxpoll = 4;		/* 16 s */
	p.maxdelay_s = 30.0;			/* the late answer's 17 s */
	src_init(&s, &p, t);
	src_poll(&s, t, 1ULL << 62, req, 0);	/* 0.5% late */
	gap = 16 * S + 16 * S / 200;
	ck_assert_int_eq(s.next_ns, t + gap);
	answer(req, t, t, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + S / 2, &sm),
	    SRC_OK);
	ck_assert_int_eq(s.next_ns, t + S / 2 + gap);
	/* a copy of it: nothing moves */
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + S, &sm),
	    SRC_DUPLICATE);
	ck_assert_int_eq(s.next_ns, t + S / 2 + gap);
	/* unanswered: from the request; the previous one's late answer */
	/* does not move it */
	t = s.next_ns;
	src_poll(&s, t, 1ULL << 62 | 1ULL << 12, old, 0);
	src_poll(&s, t + gap, 1ULL << 62 | 2ULL << 12, req, 0);
	ck_assert_int_eq(s.next_ns, t + 2 * gap);
	answer(old, t, t, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + gap + S, &sm),
	    SRC_OK);
	ck_assert_int_eq(s.next_ns, t + 2 * gap);
	/* a change of poll: the new interval from the answer */
	answer(req, t + gap, t + gap, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + gap + 2 * S,
	    &sm), SRC_OK);
	ck_assert_int_eq(s.next_ns, t + gap + 2 * S + gap);
	s.p.minpoll = 3;
	src_adjust_poll(&s, 8, 400e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, 3);
	ck_assert_int_eq(s.next_ns, t + gap + 2 * S + gap / 2);
}
END_TEST

START_TEST(test_src_reach_register_and_poll_raise)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t = 0;
	int			 i;

	src_init(&s, &params, 0);
	for (i = 0; i < 8; i++) {
		src_poll(&s, t, 100 + i, req, 0);
		if (i != 5) {
			answer(req, t + 1000, t + 2000, 2, 0, 1, rep);
			ck_assert_int_eq(src_reply(&s, rep, sizeof(rep),
			    t + 3000, &sm), SRC_OK);
		}
		t = s.next_ns;
	}
	ck_assert_int_eq(s.reach, 0xfb);	/* 11111011: poll 6 lost */
	for (i = 0; i < 16; i++) {
		src_poll(&s, t, 200 + i, req, 0);
		answer(req, t + 1000, t + 2000, 2, 0, 1, rep);
		src_reply(&s, rep, sizeof(rep), t + 3000, &sm);
		t = s.next_ns;
	}
	ck_assert_int_eq(s.reach, 0xff);
	/* replies alone do not move the poll: src_adjust_poll() does */
	ck_assert_int_eq(s.poll, params.minpoll);
}
END_TEST

/*
 * A change of poll moves the next poll to the new interval from the last
 * one (with the same lateness drawn), sooner or later; a burst's spacing
 * and a poll that did not change stay.
 */
START_TEST(test_src_adjust_poll_reschedules)
{
	struct src	 s;
	uint8_t		 req[PKT_HDR_LEN];
	int64_t		 t = 5 * NS_PER_S, was;
	double		 late;

	src_init(&s, &params, 0);
	s.burst_left = 0;			/* params: iburst */
	s.poll = params.maxpoll;		/* 64 s */
	src_poll(&s, t, 1ULL << 62, req, 0);	/* a quarter of 2% late */
	late = (double)(s.next_ns - t) / (64 * NS_PER_S) - 1.0;
	ck_assert_double_eq_tol(late, 0.005, 1e-9);
	/* a prediction off by 4 distances: poll 64 s to 16 s */
	s.poll_score = 0.5;
	src_adjust_poll(&s, 8, 400e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll - 2);
	ck_assert_int_eq(s.next_ns, t + 16 * NS_PER_S + 16 * NS_PER_S / 200);
	/* no change: the schedule stays */
	was = s.next_ns;
	src_adjust_poll(&s, 8, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.next_ns, was);
	/* up a step: later */
	s.poll_score = 0.99;
	src_adjust_poll(&s, 16, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll - 1);
	ck_assert_int_eq(s.next_ns, t + 32 * NS_PER_S + 32 * NS_PER_S / 200);
	/* during a burst the burst's spacing holds */
	src_burst(&s, 2, 4);
	src_poll(&s, t, 7, req, 0);
	was = s.next_ns;
	src_adjust_poll(&s, 8, 400e-6, 100e-6, 200e-6);
	ck_assert_int_ne(s.poll, params.maxpoll - 1);
	ck_assert_int_eq(s.next_ns, was);
}
END_TEST

/*
 * Requests that go unanswered back the poll off as chrony's: a quarter
 * of a step for each missed, a tenth for the selected source; the
 * interval that follows is the new one.  An answer stops it.
 */
START_TEST(test_src_missed_backs_off)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t = 0;
	int			 i, sel;

	for (sel = 0; sel <= 1; sel++) {
		src_init(&s, &params, 0);
		s.burst_left = 0;		/* params: iburst */
		src_poll(&s, t, 0, req, sel);	/* answered below */
		answer(req, t + 1000, t + 2000, 2, 0, 1, rep);
		ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 3000,
		    &sm), SRC_OK);
		for (i = 0; i < 10; i++) {
			t = s.next_ns;
			src_poll(&s, t, 0, req, sel);
		}
		/* the first of these followed an answer: 9 missed */
		ck_assert_int_eq(s.poll, params.minpoll + (sel ? 0 : 2));
		ck_assert_double_eq_tol(s.poll_score, sel ? 0.9 : 0.25,
		    1e-9);
		ck_assert_int_eq(s.next_ns - t, 4 * NS_PER_S >> (sel ? 2 : 0));
		for (i = 0; i < 2; i++) {	/* 11 missed */
			t = s.next_ns;
			src_poll(&s, t, 0, req, sel);
		}
		ck_assert_int_eq(s.poll, params.minpoll + (sel ? 1 : 2));
	}
}
END_TEST

/*
 * Polls under a second only to a source that answers over a short path,
 * as chrony's: over 40 ms a request every 8 ms would never see its
 * answer (chrony's 101-poll).
 */
START_TEST(test_src_subsecond_polls_need_a_short_path)
{
	struct src_params	 p = params;
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int			 i;

	p.minpoll = -6;
	p.iburst = 0;
	src_init(&s, &p, 0);
	ck_assert_int_eq(s.poll, 0);		/* nothing heard yet */
	src_poll(&s, 0, 0, req, 0);
	answer(req, 1000, 2000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), 40000000, &sm),
	    SRC_OK);
	for (i = 0; i < 40; i++)
		src_adjust_poll(&s, 1, 10e-6, 100e-6, 0.04);
	ck_assert_int_eq(s.poll, 0);		/* 40 ms: not a LAN */
	for (i = 0; i < 40; i++)
		src_adjust_poll(&s, 1, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, p.minpoll);
	src_adjust_poll(&s, 1, 10e-6, 100e-6, 0.02);
	ck_assert_int_eq(s.poll, 0);		/* the path grew */
	src_adjust_poll(&s, 1, 10e-6, 100e-6, 200e-6);
	ck_assert_int_lt(s.poll, 0);
	s.reach = 0;				/* unreachable */
	src_adjust_poll(&s, 1, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, 0);
}
END_TEST

START_TEST(test_src_adjust_poll)
{
	struct src	 s;
	int		 i;

	src_init(&s, &params, 0);
	/* twice the target held: +1/8 a sample, a step after 8 */
	for (i = 0; i < 7; i++)
		src_adjust_poll(&s, 16, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.minpoll);
	src_adjust_poll(&s, 16, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.minpoll + 1);
	/* the target held: no change */
	for (i = 0; i < 20; i++)
		src_adjust_poll(&s, 8, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.minpoll + 1);
	for (i = 0; i < 100; i++)
		src_adjust_poll(&s, 64, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll);	/* clamped */
	/*
	 * half the target: down twice as quickly, -1/8 a sample (not
	 * -1/16), from a score of 1 at maxpoll as chrony's
	 */
	for (i = 0; i < 8; i++)
		src_adjust_poll(&s, 4, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll);
	src_adjust_poll(&s, 4, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll - 1);
	for (i = 0; i < 7; i++)
		src_adjust_poll(&s, 4, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll - 1);
	src_adjust_poll(&s, 4, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll - 2);
	/* a prediction off by 4 distances: 2 steps down at once */
	src_adjust_poll(&s, 16, -400e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.maxpoll - 4);
	src_adjust_poll(&s, 16, 1.0, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.minpoll);	/* clamped */
	/* polltarget counts */
	src_init(&s, &params, 0);
	s.p.polltarget = 16;
	for (i = 0; i < 40; i++)
		src_adjust_poll(&s, 16, 10e-6, 100e-6, 200e-6);
	ck_assert_int_eq(s.poll, params.minpoll);
}
END_TEST

/*
 * A correction re-expresses the local times kept, as sst_correct() does
 * the samples: an exchange 64 s before a frequency change of +100 ppm
 * (the clock slowed) moves by +6.4 ms, one at the time of it not at all;
 * the offset moves every one.
 */
START_TEST(test_src_correct_frequency)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t = 100 * S, t1, t4, now = t + 64 * S;

	src_init(&s, &params, 0);
	src_poll(&s, t, 7, req, 0);
	answer(req, t + 1000, t + 2000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 3000, &sm),
	    SRC_OK);
	t1 = s.xchg.t1_ns;
	t4 = s.xchg.t4_ns;
	src_correct(&s, now, 100.0, 0.0);
	ck_assert(llabs(s.xchg.t1_ns - (t1 + 6400000)) <= 1);
	ck_assert(llabs(s.xchg.t4_ns - (t4 + 6400000)) <= 1);
	src_correct(&s, s.xchg.t1_ns, 100.0, 0.001);
	ck_assert(llabs(s.xchg.t1_ns - (t1 + 6400000 - 1000000)) <= 1);
	/* nonsense changes nothing */
	src_correct(&s, now, NAN, 0.0);
	src_correct(&s, now, 0.0, INFINITY);
	ck_assert(llabs(s.xchg.t1_ns - (t1 + 5400000)) <= 1);
}
END_TEST

START_TEST(test_src_kernel_tx_time)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t1 = 1000 * S;

	/* user space read t1; the kernel sent it 30 us later */
	src_init(&s, &params, t1);
	src_poll(&s, t1, 43, req, 0);
	src_tx_time(&s, t1 - 2000000);		/* 2 ms earlier: ignored */
	ck_assert_int_eq(s.req.t1_ns, t1);
	src_tx_time(&s, t1 - 1000);	/* a card's, a little early: taken */
	ck_assert_int_eq(s.req.t1_ns, t1 - 1000);
	src_tx_time(&s, t1 + 2 * S);		/* absurd: ignored */
	src_tx_time(&s, t1 + 30000);
	answer(req, t1 + 40000, t1 + 50000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 60000, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.delay_s, 20e-6, 1e-12);
	ck_assert_double_eq_tol(sm.offset_s, 0.0, 1e-12);
	/*
	 * answered already (a card's timestamp can come after the answer):
	 * the sample stays, the next interleaved exchange takes it
	 */
	ck_assert_int_eq(s.xchg.t1_ns, t1 + 30000);
	src_tx_time(&s, t1 + 35000);
	ck_assert_int_eq(s.req.t1_ns, t1 + 35000);
	ck_assert_int_eq(s.xchg.t1_ns, t1 + 35000);
	ck_assert_double_eq_tol(sm.delay_s, 20e-6, 1e-12);
	/* the next poll's request is another */
	src_poll(&s, t1 + S, 44, req, 0);
	src_tx_time(&s, t1 + 35000);
	ck_assert_int_eq(s.req.t1_ns, t1 + S);
}
END_TEST

START_TEST(test_src_delay_limit)
{
	struct src		 s;
	struct sst_sample	 sm;
	struct src_params	 p = params;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];

	p.maxdelay_s = 0.001;
	src_init(&s, &p, 0);
	src_poll(&s, 0, 11, req, 0);
	answer(req, 1000, 2000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), 2 * S / 1000, &sm),
	    SRC_BAD_DELAY);
}
END_TEST

START_TEST(test_src_last_reply_for_reports)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t1 = 1000 * S;

	src_init(&s, &params, t1);
	ck_assert_int_eq(s.last.have, 0);
	src_poll(&s, t1, 42, req, 0);
	answer(req, t1 + 100000 - 5000000, t1 + 110000 - 5000000, 2, 0,
	    0x7f000001, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 210000, &sm),
	    SRC_OK);
	ck_assert_int_eq(s.last.have, 1);
	ck_assert_int_eq(s.last.pkt.stratum, 2);
	ck_assert_int_eq(s.last.pkt.precision, -20);
	ck_assert_uint_eq(s.last.pkt.refid, 0x7f000001);
	ck_assert_uint_eq(s.last.tests, SRC_TESTS_ALL);
	ck_assert_double_eq_tol(s.last.offset_s, 0.005, 1e-9);
	ck_assert_double_eq_tol(s.last.delay_s, 0.0002, 1e-9);
	ck_assert_double_eq_tol(s.last.response_s, 10e-6, 1e-9);
	ck_assert_double_eq(s.last.disp_s, sm.disp_s);
	/* a duplicate leaves the report alone */
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 220000, &sm),
	    SRC_DUPLICATE);
	ck_assert_uint_eq(s.last.tests, SRC_TESTS_ALL);
	src_poll(&s, t1 + S, 43, req, 0);
	answer(req, t1 + S, t1 + S, 16, 0, 0x7f000001, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + S + 1000, &sm),
	    SRC_UNSYNC);
	ck_assert_uint_eq(s.last.tests, SRC_TESTS_ALL &
	    ~(SRC_TEST_SYNC | SRC_TEST_SOURCE_SYNC));
	ck_assert_int_eq(s.last.pkt.stratum, 16);
	/* too long a round trip: the max delay test fails */
	src_poll(&s, t1 + 2 * S, 44, req, 0);
	answer(req, t1 + 2 * S, t1 + 2 * S, 2, 0, 0x7f000001, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 6 * S, &sm),
	    SRC_BAD_DELAY);
	ck_assert_uint_eq(s.last.tests, SRC_TESTS_ALL & ~SRC_TEST_MAXDELAY);
	ck_assert_double_eq_tol(s.last.delay_s, 4.0, 1e-6);
}
END_TEST

START_TEST(test_src_burst_until_good)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	struct src_params	 p = { .minpoll = 4, .maxpoll = 4,
	    .maxdelay_s = 3.0, .polltarget = 8 };	/* 16 s polls */
	int64_t			 t = 100 * S;
	int			 i;

	src_init(&s, &p, t);
	src_poll(&s, t, 1, req, 0);
	ck_assert_int_eq(s.next_ns, t + 16 * S);
	/* burst 2/5: quick polls, over after two good replies */
	src_burst(&s, 2, 5);
	for (i = 0; i < 2; i++) {
		t += S;
		src_poll(&s, t, 10 + i, req, 0);
		ck_assert_int_eq(s.next_ns, t + 2 * S);
		answer(req, t, t, 2, 0, 1, rep);
		ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 1000,
		    &sm), SRC_OK);
		src_good(&s);		/* the filters took it */
	}
	ck_assert_int_eq(s.burst_left, 0);
	src_poll(&s, t + S, 20, req, 0);
	ck_assert_int_eq(s.next_ns, t + S + 16 * S);
	/* burst 3/3 without answers: three quick polls, the last's next */
	/* after the poll interval, as chronyd's */
	src_burst(&s, 3, 3);
	for (i = 0; i < 3; i++) {
		t += 2 * S;
		src_poll(&s, t, 30 + i, req, 0);
		ck_assert_int_eq(s.next_ns, t + (i < 2 ? 2 : 16) * S);
	}
	src_poll(&s, t + S, 40, req, 0);
	ck_assert_int_eq(s.next_ns, t + S + 16 * S);
}
END_TEST

/*
 * iburst: 2 s apart until five good answers, then the poll interval from
 * the fifth answer; unanswered, eight requests at most, as chronyd's.
 */
START_TEST(test_src_iburst)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	struct src_params	 p = { .minpoll = 6, .maxpoll = 6, .iburst = 1,
	    .maxdelay_s = 3.0, .polltarget = 8 };
	int64_t			 t = 100 * S;
	int			 i;

	src_init(&s, &p, t);
	for (i = 0; i < SRC_IBURST_GOOD; i++, t += 2 * S) {
		src_poll(&s, t, 10 + i, req, 0);
		ck_assert_int_eq(s.next_ns, t + 2 * S);
		answer(req, t, t, 2, 0, 1, rep);
		ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 1000,
		    &sm), SRC_OK);
		src_good(&s);		/* the filters took it */
	}
	ck_assert_int_eq(s.burst_left, 0);
	/* from the fifth answer, 1 us after its request */
	ck_assert_int_eq(s.next_ns, t - 2 * S + 1000 + 64 * S);
	ck_assert_uint_eq(s.stats.tx, SRC_IBURST_GOOD);

	t = 1000 * S;
	src_init(&s, &p, t);
	for (i = 0; i < 8; i++, t += 2 * S) {
		src_poll(&s, t, 20 + i, req, 0);
		ck_assert_int_eq(s.next_ns, t + (i < 7 ? 2 : 64) * S);
	}
	ck_assert_int_eq(s.burst_left, 0);
}
END_TEST

/*
 * The burst option, as chronyd's: each poll past minpoll a burst of up to
 * 2^(poll - minpoll) requests 2 s apart (4 at most), over at the first
 * good sample; none at minpoll.  An answer the filters refuse (no
 * src_good()) does not end it.
 */
START_TEST(test_src_burst_option)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	struct src_params	 p = { .minpoll = 4, .maxpoll = 8, .burst = 1,
	    .maxdelay_s = 3.0, .polltarget = 8 };
	int64_t			 t = 100 * S;

	src_init(&s, &p, t);
	src_poll(&s, t, 1, req, 0);
	ck_assert_int_eq(s.burst_left, 0);	/* at minpoll: none */
	ck_assert_int_eq(s.next_ns, t + 16 * S);
	s.poll = 5;				/* 2 requests */
	src_poll(&s, t, 2, req, 0);
	ck_assert_int_eq(s.next_ns, t + 2 * S);
	src_poll(&s, t + 2 * S, 3, req, 0);	/* unanswered: the last */
	ck_assert_int_eq(s.next_ns, t + 2 * S + 32 * S);
	s.poll = 8;				/* 4 at most */
	t = 1000 * S;
	src_poll(&s, t, 4, req, 0);
	ck_assert_int_eq(s.burst_left, 3);
	answer(req, t, t, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 1000, &sm),
	    SRC_OK);			/* refused by the filters */
	ck_assert_int_eq(s.next_ns, t + 1000 + 2 * S);
	src_poll(&s, t + 2 * S, 5, req, 0);
	answer(req, t + 2 * S, t + 2 * S, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 2 * S + 1000,
	    &sm), SRC_OK);
	src_good(&s);
	ck_assert_int_eq(s.burst_left, 0);
	ck_assert_int_eq(s.next_ns, t + 2 * S + 1000 + 256 * S);
}
END_TEST

/*
 * presend, as chronyd's: at polls of presend_poll or more a warm-up
 * request leads each measurement; its answer is no sample, but reaches,
 * and the measurement follows 2 s after it.  Two with xleave; none at
 * shorter polls.
 */
START_TEST(test_src_presend)
{
	struct src		 s;
	struct sst_sample	 sm;
	struct src_params	 p = params;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t = 100 * S;
	int			 i, x;

	p.iburst = 0;
	p.minpoll = p.maxpoll = 4;
	p.presend = 1;
	p.presend_poll = 4;
	for (x = 0; x <= 1; x++) {
		p.xleave = x;
		src_init(&s, &p, t);
		for (i = 0; i < 2 * (2 + x); i++) {
			src_poll(&s, t, 1ULL << 62 | (uint64_t)i << 12, req, 0);
			answer(req, t, t, 2, 0, 1, rep);
			if (i % (2 + x) < 1 + x) {	/* warm-ups */
				ck_assert_int_eq(s.next_ns, t + 2 * S);
				ck_assert_int_eq(src_reply(&s, rep,
				    sizeof(rep), t + 1000, &sm), SRC_PRESEND);
				ck_assert_uint_eq(s.reach & 1, 1);
				ck_assert_int_eq(s.next_ns, t + 1000 + 2 * S);
			} else {
				ck_assert_int_eq(s.next_ns,
				    t + 16 * S + 16 * S / 200);
				ck_assert_int_ne(src_reply(&s, rep,
				    sizeof(rep), t + 1000, &sm), SRC_PRESEND);
			}
			t = s.next_ns;
		}
		ck_assert_uint_eq(s.stats.refused[SRC_PRESEND], 2 * (1 + x));
	}
	/* polls under presend_poll: none */
	p.xleave = 0;
	p.presend_poll = 5;
	src_init(&s, &p, t);
	src_poll(&s, t, 1ULL << 62, req, 0);
	answer(req, t, t, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 1000, &sm),
	    SRC_OK);
}
END_TEST

/* copy: the server's stratum is the source's less one, minstratum on top. */
START_TEST(test_src_copy)
{
	struct src		 s;
	struct sst_sample	 sm;
	struct src_params	 p = params;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t = 100 * S;

	p.iburst = 0;
	p.copy = 1;
	src_init(&s, &p, t);
	src_poll(&s, t, 5, req, 0);
	answer(req, t, t, 3, 0, 0x47505300, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 1000, &sm),
	    SRC_OK);
	ck_assert_int_eq(sm.stratum, 2);
	ck_assert_uint_eq(s.refid, 0x47505300);
	p.minstratum = 4;
	src_init(&s, &p, t);
	src_poll(&s, t, 6, req, 0);
	answer(req, t, t, 3, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t + 1000, &sm),
	    SRC_OK);
	ck_assert_int_eq(sm.stratum, 4);
}
END_TEST

/* An interleaved answer to req: origin its receive field, tx_ts given. */
static void
answer_xleave(const uint8_t *req, int64_t t2, int64_t t3_prev, uint8_t *out)
{
	struct pkt	 q;

	answer(req, t2, t3_prev, 2, 0, 1, out);
	ck_assert_int_eq(pkt_decode(&q, req, PKT_HDR_LEN), PKT_OK);
	memcpy(out + PKT_ORG_OFFSET, req + PKT_RX_OFFSET, 8);
	pkt_set_tx(out, pkt_ts_from_ns(t3_prev));
}

START_TEST(test_src_interleaved)
{
	struct src		 s;
	struct sst_sample	 sm;
	struct src_params	 p = params;
	struct pkt		 q;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t1 = 1000 * S, t1b = t1 + S / 4, t1c = t1 + S / 2;

	/*
	 * Server 1 ms behind; 10 us each way, 10 us in the server; its
	 * user-space transmit time is 4 us early, its kernel's exact.
	 */
	p.xleave = 1;
	src_init(&s, &p, t1);
	src_poll(&s, t1, 0x1111, req, 0);
	ck_assert_int_eq(pkt_decode(&q, req, sizeof(req)), PKT_OK);
	ck_assert(q.org_ts == 0 && q.rx_ts == 0);	/* nothing to ask */
	answer(req, t1 + 10000 - 1000000, t1 + 16000 - 1000000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 30000, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.001 + 2e-6, 1e-12);

	/* asks about exchange 1, whose sample is given: no sample */
	src_poll(&s, t1b, 0x2222, req, 0);
	ck_assert_int_eq(pkt_decode(&q, req, sizeof(req)), PKT_OK);
	ck_assert(q.org_ts == pkt_ts_from_ns(t1 + 10000 - 1000000));
	ck_assert(q.rx_ts == ~0x2222ULL && q.tx_ts == 0x2222);
	answer_xleave(req, t1b + 10000 - 1000000, t1 + 20000 - 1000000, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1b + 30000, &sm),
	    SRC_NO_SAMPLE);
	ck_assert_int_eq(s.reach, 3);

	/* asks about exchange 2: its sample, with the kernel's time */
	src_poll(&s, t1c, 0x3333, req, 0);
	answer_xleave(req, t1c + 10000 - 1000000, t1b + 20000 - 1000000, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1c + 30000, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.001, 1e-12);
	ck_assert_double_eq_tol(sm.delay_s, 20e-6, 1e-12);
	ck_assert_int_eq(sm.time_ns, t1b + 15000);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1c + 33000, &sm),
	    SRC_DUPLICATE);
}
END_TEST

/*
 * extfield F323 (chrony's experimental field): answer() with the field
 * after the header, of root delay 0.0123456789 s and dispersion
 * 0.000987654 s, a mono receive time mono_ns (its NTP timestamp; 0:
 * none) and epoch.
 */
#define EXP1_ROOT_DELAY	0.0123456789
#define EXP1_ROOT_DISP	0.000987654
#define EXP1_LEN	(PKT_HDR_LEN + PKT_EXP1_LEN)

static size_t
answer_exp1(const uint8_t *req, int64_t t2, int64_t t3, int64_t mono_ns,
    uint32_t epoch, uint8_t *out)
{
	struct pkt_exp1	 e;

	answer(req, t2, t3, 2, 0, 1, out);
	e.root_delay_s = EXP1_ROOT_DELAY;
	e.root_disp_s = EXP1_ROOT_DISP;
	e.mono_rx = mono_ns != 0 ? pkt_ts_from_ns(mono_ns) : 0;
	e.mono_epoch = epoch;
	pkt_exp1_put(out + PKT_HDR_LEN, &e);
	return EXP1_LEN;
}

/*
 * A server that slews: each answer's mono clock runs ahead of its time
 * by what it slewed in all (slewed_s), in an epoch.  The answers in
 * turn, and what src_take_mono() gives after each (take set), or keeps
 * for later.
 */
enum { MONO_FIELD, MONO_NONE, MONO_ZERO };

static const struct {
	const char	*what;
	int		 field;		/* MONO_* */
	uint32_t	 epoch;
	double		 slewed_s;
	int		 take;
	double		 want;
} mono_rows[] = {
	{ "the first: nothing to compare", MONO_FIELD, 7, 0.5, 1, 0.0 },
	{ "slewed 2 ms", MONO_FIELD, 7, 0.502, 1, 0.002 },
	{ "nothing slewed", MONO_FIELD, 7, 0.502, 1, 0.0 },
	{ "slewed -1 ms, kept", MONO_FIELD, 7, 0.501, 0, 0.0 },
	{ "and 3.5 ms: the sum", MONO_FIELD, 7, 0.5045, 1, 0.0025 },
	{ "another epoch: no shift", MONO_FIELD, 8, 0.6, 1, 0.0 },
	{ "in it, slewed 1 ms", MONO_FIELD, 8, 0.601, 1, 0.001 },
	{ "no field: no shift", MONO_NONE, 8, 0.0, 1, 0.0 },
	{ "the field again: it starts over", MONO_FIELD, 8, 0.604, 1, 0.0 },
	{ "slewed -0.5 ms", MONO_FIELD, 8, 0.6035, 1, -0.0005 },
	{ "slewed 2 ms, kept", MONO_FIELD, 8, 0.6055, 0, 0.0 },
	{ "no field: what was kept is gone", MONO_NONE, 8, 0.0, 1, 0.0 },
	{ "the field, to start over", MONO_FIELD, 8, 0.606, 1, 0.0 },
	{ "mono receive 0: no shift", MONO_ZERO, 8, 0.607, 1, 0.0 },
	{ "the field after it: it starts over", MONO_FIELD, 8, 0.609, 1,
	    0.0 },
	{ "slewed 15.9 s: still taken", MONO_FIELD, 8, 16.509, 1, 15.9 },
	{ "slewed 17 s: taken for none", MONO_FIELD, 8, 33.509, 1, 0.0 },
	{ "slewed -17 s: taken for none", MONO_FIELD, 8, 16.509, 1, 0.0 },
	{ "from there, 4 ms", MONO_FIELD, 8, 16.513, 1, 0.004 },
};

/*
 * What the server slewed between answers of one epoch: the difference
 * of its mono and receive times, accumulated until taken.
 */
START_TEST(test_src_exp1_mono)
{
	struct src_params	 p = params;
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[EXP1_LEN];
	int64_t			 t = 1000 * S, t2, mono;
	size_t			 i, len;
	double			 got;

	p.exp1 = 1;
	src_init(&s, &p, t);
	for (i = 0; i < NELEM(mono_rows); i++, t += 16 * S) {
		src_poll(&s, t, 100 + i, req, 0);
		/* the server 3 ms behind; 100 us each way */
		t2 = t + 100000 - 3000000;
		mono = t2 + llround(mono_rows[i].slewed_s * 1e9);
		if (mono_rows[i].field == MONO_NONE)
			len = answer(req, t2, t2 + 10000, 2, 0, 1, rep);
		else
			len = answer_exp1(req, t2, t2 + 10000,
			    mono_rows[i].field == MONO_ZERO ? 0 : mono,
			    mono_rows[i].epoch, rep);
		ck_assert_msg(src_reply(&s, rep, len, t + 210000, &sm) ==
		    SRC_OK, "%s: no sample", mono_rows[i].what);
		ck_assert_msg(fabs(sm.offset_s - 0.003) < 1e-9,
		    "%s: offset %.9f", mono_rows[i].what, sm.offset_s);
		if (!mono_rows[i].take)
			continue;
		got = src_take_mono(&s);
		ck_assert_msg(fabs(got - mono_rows[i].want) < 1e-9,
		    "%s: %.9f, want %.9f", mono_rows[i].what, got,
		    mono_rows[i].want);
		ck_assert_msg(src_take_mono(&s) == 0.0, "%s: taken twice",
		    mono_rows[i].what);
	}
}
END_TEST

/*
 * The field's root delay and dispersion (to 2^-28 s) are the sample's,
 * not the header's (2^-16 s); without the field, the header's.  With
 * exp1 off the field is not read at all.
 */
START_TEST(test_src_exp1_root)
{
	struct src_params	 p = params;
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[EXP1_LEN];
	int64_t			 t = 1000 * S;
	size_t			 len;
	int			 on;

	for (on = 0; on <= 1; on++) {
		p.exp1 = on;
		src_init(&s, &p, t);
		src_poll(&s, t, 1, req, 0);
		len = answer_exp1(req, t + 1000, t + 2000, t + 1000, 7, rep);
		ck_assert_int_eq(src_reply(&s, rep, len, t + 3000, &sm),
		    SRC_OK);
		if (on) {
			ck_assert(fabs(sm.root_delay_s - EXP1_ROOT_DELAY) <=
			    1.0 / 268435456.0);
			ck_assert(fabs(sm.root_disp_s - EXP1_ROOT_DISP) <=
			    1.0 / 268435456.0);
		} else {
			ck_assert(sm.root_delay_s ==
			    pkt_short_to_s(pkt_short_from_s(0.001)));
			ck_assert(sm.root_disp_s ==
			    pkt_short_to_s(pkt_short_from_s(0.002)));
		}
		/* an answer without it: the header's */
		src_poll(&s, t + 16 * S, 2, req, 0);
		len = answer(req, t + 16 * S + 1000, t + 16 * S + 2000, 2, 0,
		    1, rep);
		ck_assert_int_eq(src_reply(&s, rep, len, t + 16 * S + 3000,
		    &sm), SRC_OK);
		ck_assert(sm.root_delay_s ==
		    pkt_short_to_s(pkt_short_from_s(0.001)));
		ck_assert(sm.root_disp_s ==
		    pkt_short_to_s(pkt_short_from_s(0.002)));
	}
}
END_TEST

/* exp1 off: answers with the field give no shift, whatever slewed. */
START_TEST(test_src_exp1_off)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[EXP1_LEN];
	int64_t			 t = 1000 * S;
	size_t			 len;
	int			 i;

	src_init(&s, &params, t);
	for (i = 0; i < 4; i++, t += 16 * S) {
		src_poll(&s, t, 10 + i, req, 0);
		len = answer_exp1(req, t + 1000, t + 2000,
		    t + 1000 + i * 2000000LL, 7, rep);
		ck_assert_int_eq(src_reply(&s, rep, len, t + 3000, &sm),
		    SRC_OK);
		ck_assert(src_take_mono(&s) == 0.0);
	}
}
END_TEST

/*
 * Interleaved, the server's times of the exchange before were taken on
 * its clock before the correction the answer tells: the sample is on
 * its clock after it, d further ahead, as the samples shifted by d.
 * test_src_interleaved's exchanges, the server slewing 0.5 ms between
 * the second answer and the third.
 */
START_TEST(test_src_exp1_interleaved)
{
	struct src		 s;
	struct sst_sample	 sm;
	struct src_params	 p = params;
	uint8_t			 req[PKT_HDR_LEN], rep[EXP1_LEN];
	int64_t			 t1 = 1000 * S, t1b = t1 + S / 4;
	int64_t			 t1c = t1 + S / 2, t2;
	const int64_t		 d = 500000;	/* ns */

	p.xleave = 1;
	p.exp1 = 1;
	src_init(&s, &p, t1);
	src_poll(&s, t1, 0x1111, req, 0);
	t2 = t1 + 10000 - 1000000;
	answer_exp1(req, t2, t1 + 16000 - 1000000, t2 + S, 9, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 30000, &sm),
	    SRC_OK);
	ck_assert(src_take_mono(&s) == 0.0);

	src_poll(&s, t1b, 0x2222, req, 0);
	t2 = t1b + 10000 - 1000000;
	answer_xleave(req, t2, t1 + 20000 - 1000000, rep);
	pkt_exp1_put(rep + PKT_HDR_LEN, &(struct pkt_exp1){ EXP1_ROOT_DELAY,
	    EXP1_ROOT_DISP, pkt_ts_from_ns(t2 + S), 9 });
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1b + 30000, &sm),
	    SRC_NO_SAMPLE);
	ck_assert(src_take_mono(&s) == 0.0);

	/* its clock d behind what it was, its mono clock as it was */
	src_poll(&s, t1c, 0x3333, req, 0);
	t2 = t1c + 10000 - 1000000 - d;
	answer_xleave(req, t2, t1b + 20000 - 1000000, rep);
	pkt_exp1_put(rep + PKT_HDR_LEN, &(struct pkt_exp1){ EXP1_ROOT_DELAY,
	    EXP1_ROOT_DISP, pkt_ts_from_ns(t2 + d + S), 9 });
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1c + 30000, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.001 + d * 1e-9, 1e-9);
	ck_assert_double_eq_tol(sm.delay_s, 20e-6, 1e-9);
	ck_assert_double_eq_tol(src_take_mono(&s), d * 1e-9, 1e-9);
}
END_TEST

START_TEST(test_src_late_answer)
{
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req1[PKT_HDR_LEN], req2[PKT_HDR_LEN];
	uint8_t			 rep[PKT_HDR_LEN];
	int64_t			 t1 = 1000 * S, t1b = t1 + S / 4;

	src_init(&s, &params, t1);
	src_poll(&s, t1, 0x1111, req1, 0);
	src_poll(&s, t1b, 0x2222, req2, 0);	/* the first is late */
	answer(req1, t1 + 10000, t1 + 12000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1b + 1000, &sm),
	    SRC_OK);
	ck_assert_int_eq(sm.time_ns, t1 + (S / 4 + 1000) / 2);
	ck_assert_int_eq(s.reach, 1);	/* counted for the newest poll */
	answer(req2, t1b + 10000, t1b + 12000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1b + 22000, &sm),
	    SRC_OK);
	/* answered meanwhile: a late copy of the first is a duplicate */
	answer(req1, t1 + 10000, t1 + 12000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1b + 30000, &sm),
	    SRC_DUPLICATE);
	/* two polls late: gone */
	src_poll(&s, t1b + S / 4, 0x3333, req1, 0);
	src_poll(&s, t1b + S / 2, 0x4444, req2, 0);
	src_poll(&s, t1b + 3 * S / 4, 0x5555, req2, 0);
	answer(req1, t1b + S / 4 + 10000, t1b + S / 4 + 12000, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1b + S, &sm),
	    SRC_BOGUS);
}
END_TEST

/*
 * The offset option moves every offset by a known asymmetry of the
 * path (chrony's sign: + the source's time later); minstratum raises
 * the source's stratum.
 */
START_TEST(test_src_offset_and_minstratum)
{
	struct src_params	 p = params;
	struct src		 s;
	struct sst_sample	 sm;
	uint8_t			 req[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t1 = 1000 * S;

	p.offset_s = -0.00005;	/* to it 100 us slower: chrony's doc */
	p.minstratum = 3;
	src_init(&s, &p, t1);
	src_poll(&s, t1, 42, req, 0);
	/* local clock 5 ms ahead; 150 us out, 50 us back */
	answer(req, t1 + 150000 - 5000000, t1 + 160000 - 5000000, 2, 0,
	    0x7f000001, rep);
	ck_assert_int_eq(src_reply(&s, rep, sizeof(rep), t1 + 210000, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.005, 1e-9);
	ck_assert_double_eq_tol(sm.delay_s, 0.0002, 1e-9);
	ck_assert_int_eq(sm.stratum, 3);
	ck_assert_int_eq(s.stratum, 3);
}
END_TEST

/* The version option: requests (and a peer's packets) in that version. */
START_TEST(test_src_version)
{
	struct src_params	 p = params;
	struct src		 s;
	struct pkt		 q;
	struct srv_state	 st;
	uint8_t			 req[PKT_HDR_LEN];

	memset(&st, 0, sizeof(st));
	st.stratum = 16;
	st.precision = -20;
	p.version = 3;
	src_init(&s, &p, 0);
	src_poll(&s, S, 1, req, 0);
	ck_assert_int_eq(pkt_decode(&q, req, sizeof(req)), PKT_OK);
	ck_assert_int_eq(q.version, 3);
	p.peer = 1;
	src_init(&s, &p, 0);
	src_poll_peer(&s, S, 1, &st, req, 0);
	ck_assert_int_eq(pkt_decode(&q, req, sizeof(req)), PKT_OK);
	ck_assert_int_eq(q.version, 3);
	ck_assert_int_eq(q.mode, PKT_MODE_SYMACT);
}
END_TEST

/* Symmetric mode: what a peer says of itself in its packets. */
static const struct srv_state	peer_st = { PKT_LEAP_NONE, 2, -20,
	0xc0000201, 0xe000000000000000ULL, 0.001, 0.002, PKT_MIN_POLL_ANY };
static const struct src_params	peer_params = { .minpoll = 6,
	.maxpoll = 6, .maxdelay_s = 3.0, .polltarget = 8, .peer = 1 };

#define B_AHEAD	(2 * S / 1000)		/* B's clock is 2 ms ahead of A's */
#define ONE_WAY	100000LL		/* 100 us each way */

/*
 * Two peers, each a source of the other: the first packet answers
 * nothing, the answer to it gives a sample, a copy or a second answer
 * to the same packet gives none, and each packet answers the newest
 * of the other's.
 */
START_TEST(test_src_peer_exchange)
{
	struct src		 a, b;
	struct sst_sample	 sm;
	struct pkt		 q;
	uint8_t			 pa[PKT_HDR_LEN], pb[PKT_HDR_LEN];
	uint8_t			 pb2[PKT_HDR_LEN];
	int64_t			 t = 1000 * S;	/* A's clock */

	src_init(&a, &peer_params, t);
	src_init(&b, &peer_params, t + B_AHEAD);
	src_poll_peer(&a, t, 0x1234, &peer_st, pa, 0);
	ck_assert_int_eq(pkt_decode(&q, pa, sizeof(pa)), PKT_OK);
	ck_assert_int_eq(q.mode, PKT_MODE_SYMACT);
	ck_assert_int_eq(q.stratum, 2);
	ck_assert_uint_eq(q.refid, 0xc0000201);
	ck_assert_int_eq(q.poll, 6);
	ck_assert(q.org_ts == 0 && q.rx_ts == 0);
	/* the transmit field is the time, not a random number */
	ck_assert(llabs(pkt_ts_to_ns(q.tx_ts, t) - t) < 2000);
	ck_assert_int_eq(a.next_ns, t + 64 * S);

	/* B has sent nothing: no answer, but its next packet answers it */
	ck_assert_int_eq(src_reply(&b, pa, sizeof(pa), t + ONE_WAY + B_AHEAD,
	    &sm), SRC_BOGUS);
	t += 5 * S;
	src_poll_peer(&b, t + B_AHEAD, 0x5678, &peer_st, pb, 0);
	ck_assert_int_eq(pkt_decode(&q, pb, sizeof(pb)), PKT_OK);
	ck_assert(q.org_ts == pkt_get_ts(pa, PKT_TX_OFFSET));
	ck_assert(llabs(pkt_ts_to_ns(q.rx_ts, t) -
	    (1000 * S + ONE_WAY + B_AHEAD)) < 2000);

	/* A: T1 its packet, T2 T3 B's times, T4 now; A is 2 ms behind */
	ck_assert_int_eq(src_reply(&a, pb, sizeof(pb), t + ONE_WAY, &sm),
	    SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, -0.002, 2e-6);
	ck_assert_double_eq_tol(sm.delay_s, 2 * ONE_WAY * 1e-9, 2e-6);
	ck_assert_int_eq(sm.stratum, 2);
	ck_assert_int_eq(a.reach, 1);
	ck_assert_int_eq(src_reply(&a, pb, sizeof(pb), t + 2 * ONE_WAY, &sm),
	    SRC_DUPLICATE);

	/* B again, nothing new from A: a second answer to A's packet */
	src_poll_peer(&b, t + S + B_AHEAD, 0x9abc, &peer_st, pb2, 0);
	ck_assert(pkt_get_ts(pb2, PKT_ORG_OFFSET) ==
	    pkt_get_ts(pa, PKT_TX_OFFSET));
	ck_assert_int_eq(src_reply(&a, pb2, sizeof(pb2), t + S + ONE_WAY,
	    &sm), SRC_DUPLICATE);

	/* A's next packet answers B's newest, and gives B its sample */
	t += 10 * S;
	src_poll_peer(&a, t, 0xdef0, &peer_st, pa, 0);
	ck_assert(pkt_get_ts(pa, PKT_ORG_OFFSET) ==
	    pkt_get_ts(pb2, PKT_TX_OFFSET));
	ck_assert_int_eq(src_reply(&b, pa, sizeof(pa), t + ONE_WAY + B_AHEAD,
	    &sm), SRC_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.002, 2e-6);
	ck_assert_double_eq_tol(sm.delay_s, 2 * ONE_WAY * 1e-9, 2e-6);
	/* B's packets again: the newest a copy, the older no answer */
	ck_assert_int_eq(src_reply(&a, pb, sizeof(pb), t + 2 * ONE_WAY, &sm),
	    SRC_BOGUS);
	ck_assert_int_eq(src_reply(&a, pb2, sizeof(pb2), t + 2 * ONE_WAY,
	    &sm), SRC_DUPLICATE);
}
END_TEST

/* Packets that are no peer's, or not whole, give nothing. */
START_TEST(test_src_peer_refused)
{
	struct src		 a;
	struct sst_sample	 sm;
	struct pkt		 q;
	uint8_t			 pa[PKT_HDR_LEN], rep[PKT_HDR_LEN];
	int64_t			 t = 1000 * S;

	src_init(&a, &peer_params, t);
	src_poll_peer(&a, t, 1, &peer_st, pa, 0);
	/* a server's answer to a peer's packet: not symmetric mode */
	answer(pa, t + ONE_WAY, t + ONE_WAY, 2, 0, 1, rep);
	ck_assert_int_eq(src_reply(&a, rep, sizeof(rep), t + 2 * ONE_WAY,
	    &sm), SRC_MALFORMED);
	/* in mode 2, but without a receive time */
	ck_assert_int_eq(pkt_decode(&q, rep, sizeof(rep)), PKT_OK);
	q.mode = PKT_MODE_SYMPAS;
	q.rx_ts = 0;
	pkt_encode(&q, rep, sizeof(rep));
	ck_assert_int_eq(src_reply(&a, rep, sizeof(rep), t + 2 * ONE_WAY,
	    &sm), SRC_ZERO_TS);
	/* an unsynchronised peer: an answer, but no sample */
	q.rx_ts = pkt_ts_from_ns(t + ONE_WAY);
	q.tx_ts = pkt_ts_from_ns(t + ONE_WAY + 1000);
	q.leap = PKT_LEAP_UNSYNC;
	q.stratum = 0;
	pkt_encode(&q, rep, sizeof(rep));
	ck_assert_int_eq(src_reply(&a, rep, sizeof(rep), t + 2 * ONE_WAY,
	    &sm), SRC_UNSYNC);
	ck_assert_int_eq(a.reach, 0);
	ck_assert_uint_eq(a.stats.refused[SRC_MALFORMED], 1);
	ck_assert_uint_eq(a.stats.refused[SRC_ZERO_TS], 1);
	ck_assert_uint_eq(a.stats.refused[SRC_UNSYNC], 1);
}
END_TEST

/*
 * The polls: the peer's while it answers and polls faster (not under
 * minpoll); a tenth longer while the peer is of a higher stratum; and
 * our receive field follows corrections of the clock, as T2 of the
 * peer's next sample.
 */
START_TEST(test_src_peer_polls)
{
	struct src_params	 p = peer_params;
	struct src		 a, b;
	struct sst_sample	 sm;
	struct srv_state	 st3 = peer_st;
	uint8_t			 pa[PKT_HDR_LEN], pb[PKT_HDR_LEN];
	int64_t			 t = 1000 * S, rx;
	int			 i;

	p.minpoll = 3;
	p.maxpoll = 10;
	src_init(&a, &p, t);
	a.poll = 6;
	src_init(&b, &p, t);
	b.poll = 4;
	st3.stratum = 3;
	src_poll_peer(&a, t, 1, &peer_st, pa, 0);
	ck_assert_int_eq(a.next_ns, t + 64 * S);
	src_reply(&b, pa, sizeof(pa), t + ONE_WAY, &sm);
	src_poll_peer(&b, t + S, 2, &st3, pb, 0);
	ck_assert_int_eq(src_reply(&a, pb, sizeof(pb), t + S + ONE_WAY, &sm),
	    SRC_OK);
	/* B polls every 16 s and is at stratum 3: 17.6 s after ours */
	ck_assert_int_eq(a.next_ns, t + 16 * S + 16 * S / 10);
	src_poll_peer(&a, t + 20 * S, 3, &peer_st, pa, 0);
	ck_assert_int_eq(a.next_ns, t + 20 * S + 16 * S + 16 * S / 10);
	/* at B's stratum: B's poll, no more */
	src_reply(&b, pa, sizeof(pa), t + 20 * S + ONE_WAY, &sm);
	src_poll_peer(&b, t + 21 * S, 4, &peer_st, pb, 0);
	ck_assert_int_eq(src_reply(&a, pb, sizeof(pb), t + 21 * S + ONE_WAY,
	    &sm), SRC_OK);
	src_poll_peer(&a, t + 30 * S, 5, &peer_st, pa, 0);
	ck_assert_int_eq(a.next_ns, t + 30 * S + 16 * S);
	/* never under minpoll (8 s), however fast the peer polls */
	b.poll = 1;
	src_reply(&b, pa, sizeof(pa), t + 30 * S + ONE_WAY, &sm);
	src_poll_peer(&b, t + 31 * S, 6, &peer_st, pb, 0);
	src_reply(&a, pb, sizeof(pb), t + 31 * S + ONE_WAY, &sm);
	src_poll_peer(&a, t + 40 * S, 7, &peer_st, pa, 0);
	ck_assert_int_eq(a.next_ns, t + 40 * S + 8 * S);

	/* a peer synchronised to us: about ten answers, a step slower */
	src_init(&b, &p, t);
	b.poll = 4;
	for (i = 0; i < 9; i++)
		src_loop_answer(&b);
	ck_assert_int_eq(b.poll, 4);
	for (i = 0; i < 2; i++)
		src_loop_answer(&b);
	ck_assert_int_eq(b.poll, 5);
	b.poll = 10;
	src_loop_answer(&b);
	ck_assert_int_eq(b.poll, 10);	/* not past maxpoll */

	/* B's clock moved back 1 ms: its receive field with it */
	src_reply(&b, pa, sizeof(pa), t + 40 * S + ONE_WAY, &sm);
	src_correct(&b, t + 41 * S, 0.0, 0.001);
	src_poll_peer(&b, t + 41 * S, 0, &peer_st, pb, 0);
	rx = pkt_ts_to_ns(pkt_get_ts(pb, PKT_RX_OFFSET), t);
	ck_assert(llabs(rx - (t + 40 * S + ONE_WAY - S / 1000)) < 2000);
}
END_TEST

/*
 * A peer sends the field in its packets as a server in its answers
 * (extfield F323): the receive time of our last packet on its mono
 * clock.  A reads it as from a server: the root delay and dispersion,
 * and what B slewed between two of its packets; with exp1 off, not.
 */
static size_t
peer_exp1(uint8_t *pkt, double slewed_s)
{
	struct pkt_exp1	 e;

	e.root_delay_s = EXP1_ROOT_DELAY;
	e.root_disp_s = EXP1_ROOT_DISP;
	e.mono_rx = pkt_get_ts(pkt, PKT_RX_OFFSET) + (1ULL << 32) +
	    (uint64_t)llround(slewed_s * 4294967296.0);
	e.mono_epoch = 5;
	pkt_exp1_put(pkt + PKT_HDR_LEN, &e);
	return EXP1_LEN;
}

START_TEST(test_src_exp1_peer)
{
	struct src_params	 p = peer_params;
	struct src		 a, b;
	struct sst_sample	 sm;
	uint8_t			 pa[PKT_HDR_LEN], pb[EXP1_LEN];
	int64_t			 t;
	size_t			 len;
	int			 on;

	for (on = 0; on <= 1; on++) {
		t = 1000 * S;
		p.exp1 = on;
		src_init(&a, &p, t);
		src_init(&b, &peer_params, t + B_AHEAD);
		src_poll_peer(&a, t, 0x1234, &peer_st, pa, 0);
		src_reply(&b, pa, sizeof(pa), t + ONE_WAY + B_AHEAD, &sm);
		t += 5 * S;
		src_poll_peer(&b, t + B_AHEAD, 0x5678, &peer_st, pb, 0);
		len = peer_exp1(pb, 0.0);
		ck_assert_int_eq(src_reply(&a, pb, len, t + ONE_WAY, &sm),
		    SRC_OK);
		ck_assert_double_eq_tol(sm.offset_s, -0.002, 2e-6);
		if (on) {
			ck_assert(fabs(sm.root_delay_s - EXP1_ROOT_DELAY) <=
			    1.0 / 268435456.0);
			ck_assert(fabs(sm.root_disp_s - EXP1_ROOT_DISP) <=
			    1.0 / 268435456.0);
		} else
			ck_assert(sm.root_delay_s ==
			    pkt_short_to_s(pkt_short_from_s(0.001)));
		ck_assert(src_take_mono(&a) == 0.0);

		/* B slews 1.5 ms before its next packet */
		t += 10 * S;
		src_poll_peer(&a, t, 0xdef0, &peer_st, pa, 0);
		ck_assert_int_eq(src_reply(&b, pa, sizeof(pa),
		    t + ONE_WAY + B_AHEAD, &sm), SRC_OK);
		src_poll_peer(&b, t + S + B_AHEAD, 0x9abc, &peer_st, pb, 0);
		len = peer_exp1(pb, 0.0015);
		ck_assert_int_eq(src_reply(&a, pb, len, t + S + ONE_WAY, &sm),
		    SRC_OK);
		ck_assert_msg(fabs(src_take_mono(&a) - (on ? 0.0015 : 0.0)) <
		    1e-9, "exp1 %d", on);
	}
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("src");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_src_request_is_minimal);
	tcase_add_test(tc, test_src_poll_spread);
	tcase_add_test(tc, test_src_sample_offset_and_delay);
	tcase_add_loop_test(tc, test_src_reply_tests, 0,
	    sizeof(reply_rows) / sizeof(reply_rows[0]));
	tcase_add_test(tc, test_src_kod_rate_backs_off);
	tcase_add_test(tc, test_src_wait_from_answer);
	tcase_add_test(tc, test_src_presend);
	tcase_add_test(tc, test_src_copy);
	tcase_add_test(tc, test_src_reach_register_and_poll_raise);
	tcase_add_test(tc, test_src_delay_limit);
	tcase_add_test(tc, test_src_adjust_poll);
	tcase_add_test(tc, test_src_subsecond_polls_need_a_short_path);
	tcase_add_test(tc, test_src_missed_backs_off);
	tcase_add_test(tc, test_src_adjust_poll_reschedules);
	tcase_add_test(tc, test_src_correct_frequency);
	tcase_add_test(tc, test_src_kernel_tx_time);
	tcase_add_test(tc, test_src_last_reply_for_reports);
	tcase_add_test(tc, test_src_burst_until_good);
	tcase_add_test(tc, test_src_iburst);
	tcase_add_test(tc, test_src_burst_option);
	tcase_add_test(tc, test_src_interleaved);
	tcase_add_test(tc, test_src_exp1_mono);
	tcase_add_test(tc, test_src_exp1_root);
	tcase_add_test(tc, test_src_exp1_off);
	tcase_add_test(tc, test_src_exp1_interleaved);
	tcase_add_test(tc, test_src_late_answer);
	tcase_add_test(tc, test_src_offset_and_minstratum);
	tcase_add_test(tc, test_src_version);
	tcase_add_test(tc, test_src_peer_exchange);
	tcase_add_test(tc, test_src_peer_refused);
	tcase_add_test(tc, test_src_peer_polls);
	tcase_add_test(tc, test_src_exp1_peer);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
