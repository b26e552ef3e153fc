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

#include <string.h>

#include "source.h"

#define NS		1000000000LL
#define RAISE_AFTER	8	/* good replies in a row raise the poll */
#define RATE_BACKOFF	2	/* KoD RATE: poll this much slower */

static int64_t
interval_ns(int poll)
{
	if (poll >= 0)
		return NS << poll;
	return NS >> -poll;
}

double
src_interval_s(const struct src *s)
{
	return (double)interval_ns(s->poll) * 1e-9;
}

void
src_init(struct src *s, const struct src_params *p, int64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->poll = p->minpoll;
	s->burst_left = p->iburst ? SRC_IBURST_COUNT : 0;
	s->next_ns = now_ns;
	s->stratum = 0;
	s->leap = PKT_LEAP_UNSYNC;
}

void
src_poll(struct src *s, int64_t now_ns, uint64_t xmt_rnd, uint8_t *pkt)
{
	struct pkt	 req;
	int64_t		 next = interval_ns(s->poll);

	/* chrony-like minimal request: zeros but the transmit time */
	memset(&req, 0, sizeof(req));
	req.leap = PKT_LEAP_UNSYNC;
	req.version = 4;
	req.mode = PKT_MODE_CLIENT;
	req.poll = (int8_t)s->poll;
	req.tx_ts = xmt_rnd;
	pkt_encode(&req, pkt, PKT_HDR_LEN);
	if (s->awaiting)
		src_timeout(s);
	s->reach <<= 1;
	s->awaiting = 1;
	s->xmt = xmt_rnd;
	s->t1_ns = now_ns;
	s->stats.tx++;
	if (s->burst_left > 0) {
		s->burst_left--;
		if (next > (int64_t)(SRC_IBURST_INTERVAL_S * NS))
			next = (int64_t)(SRC_IBURST_INTERVAL_S * NS);
	}
	s->next_ns = now_ns + next;
}

void
src_burst(struct src *s, int good, int max)
{
	s->burst_left = max;
	s->burst_good = good;
}

void
src_tx_time(struct src *s, int64_t t1_ns)
{
	/* Only for the request in flight, and only a sane correction. */
	if (s->awaiting && t1_ns >= s->t1_ns &&
	    t1_ns - s->t1_ns < (int64_t)(SRC_TIMEOUT_S * NS))
		s->t1_ns = t1_ns;
}

void
src_timeout(struct src *s)
{
	s->awaiting = 0;
	s->good_in_row = 0;
}

static enum src_reason
kiss(struct src *s, uint32_t code)
{
	if (code == PKT_KOD_RATE) {
		s->poll += RATE_BACKOFF;
		if (s->poll > s->p.maxpoll)
			s->poll = s->p.maxpoll;
		s->burst_left = 0;
		return SRC_KOD_RATE;
	}
	if (code == PKT_KOD_DENY || code == PKT_KOD_RSTR) {
		s->denied = 1;
		return SRC_KOD_DENY;
	}
	return SRC_KOD_OTHER;
}

/* The RFC 5905 tests that need no arithmetic on the timestamps. */
static enum src_reason
check_reply(struct src *s, const struct pkt *p)
{
	if (p->mode != PKT_MODE_SERVER)
		return SRC_MALFORMED;
	if (!s->awaiting)
		return p->org_ts == s->xmt ? SRC_DUPLICATE : SRC_BOGUS;
	if (p->org_ts != s->xmt)
		return SRC_BOGUS;
	/* Only now, with the origin checked, may a kiss be believed. */
	if (p->stratum == 0)
		return kiss(s, p->refid);
	if (p->leap == PKT_LEAP_UNSYNC || p->stratum >= 16)
		return SRC_UNSYNC;
	if (p->rx_ts == 0 || p->tx_ts == 0)
		return SRC_ZERO_TS;
	return SRC_OK;
}

static void
raise_poll(struct src *s)
{
	if (++s->good_in_row < RAISE_AFTER || s->poll >= s->p.maxpoll)
		return;
	s->poll++;
	s->good_in_row = 0;
}

/*
 * Remember a reply to our request for reports: only one that passed the
 * origin check, so that nobody off-path writes into them.
 */
static void
note_reply(struct src *s, const struct pkt *p, enum src_reason why)
{
	struct src_last	*l = &s->last;

	memset(l, 0, sizeof(*l));
	l->have = 1;
	l->pkt = *p;
	l->tests = SRC_TESTS_ALL;
	if (why == SRC_ZERO_TS)
		l->tests &= ~SRC_TEST_ZERO_TS;
	else if (why == SRC_UNSYNC || why == SRC_KOD_RATE ||
	    why == SRC_KOD_DENY || why == SRC_KOD_OTHER)
		l->tests &= ~(SRC_TEST_SYNC | SRC_TEST_SOURCE_SYNC);
	if (why == SRC_OK)
		l->response_s = (pkt_ts_to_ns(p->tx_ts, s->t1_ns) -
		    pkt_ts_to_ns(p->rx_ts, s->t1_ns)) * 1e-9;
}

enum src_reason
src_reply(struct src *s, const uint8_t *buf, size_t len, int64_t t4_ns,
    struct sst_sample *out)
{
	struct pkt	 p;
	enum src_reason	 why;
	int64_t		 t2, t3;
	double		 delay;

	s->stats.rx++;
	if (pkt_decode(&p, buf, len) != PKT_OK)
		why = SRC_MALFORMED;
	else
		why = check_reply(s, &p);
	if (why != SRC_MALFORMED && why != SRC_DUPLICATE && why != SRC_BOGUS)
		note_reply(s, &p, why);
	if (why != SRC_OK) {
		s->stats.refused[why]++;
		if (why != SRC_MALFORMED && why != SRC_DUPLICATE &&
		    why != SRC_BOGUS)
			s->awaiting = 0;
		return why;
	}
	s->awaiting = 0;	/* answered: a copy is a duplicate */
	t2 = pkt_ts_to_ns(p.rx_ts, s->t1_ns);
	t3 = pkt_ts_to_ns(p.tx_ts, t4_ns);
	delay = ((t4_ns - s->t1_ns) - (t3 - t2)) * 1e-9;
	s->last.delay_s = delay;
	if (delay < 0.0 || delay > s->p.maxdelay_s) {
		s->last.tests &= ~SRC_TEST_MAXDELAY;
		s->stats.refused[SRC_BAD_DELAY]++;
		return SRC_BAD_DELAY;
	}
	memset(out, 0, sizeof(*out));
	out->time_ns = s->t1_ns + (t4_ns - s->t1_ns) / 2;
	out->offset_s = ((s->t1_ns - t2) + (t4_ns - t3)) * 0.5e-9;
	out->delay_s = delay;
	/* the server's reading error: 2^precision */
	out->disp_s = p.precision > -32 && p.precision < 0 ?
	    1.0 / (double)(1ULL << -p.precision) : 1.0;
	out->root_delay_s = pkt_short_to_s(p.root_delay);
	out->root_disp_s = pkt_short_to_s(p.root_disp);
	out->stratum = p.stratum;
	s->reach |= 1;
	s->stratum = p.stratum;
	s->refid = p.refid;
	s->leap = p.leap;
	s->last_rx_ns = t4_ns;
	s->last.offset_s = out->offset_s;
	s->last.disp_s = out->disp_s;
	s->stats.valid++;
	if (s->burst_good > 0 && --s->burst_good == 0)
		s->burst_left = 0;	/* burst: enough good samples */
	raise_poll(s);
	return SRC_OK;
}
