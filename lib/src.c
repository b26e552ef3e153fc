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

#include <math.h>
#include <string.h>

#include "src.h"

#define NS		1000000000LL
#define RATE_BACKOFF	2	/* KoD RATE: poll this much slower */

/*
 * A poll comes up to 1/POLL_SPREAD of its interval late, at random: 2%,
 * chrony's SAMPLING_RANDOMNESS.  The wait counts from the request, or,
 * once its answer comes, from the answer, as chronyd's does: a long
 * path does not shorten the time between an answer and the next request
 * (with 1 s polls over a path of 0.4 ms, chronyd sent 7125 requests in 2
 * h and timed, counting from the request, 7126).
 */
#define POLL_SPREAD	50

/*
 * chrony's back-off while a source does not answer: a poll whose request
 * before went unanswered adds this to the poll score, slowly for the
 * selected source, so that the polls of a silent or lossy server
 * stretch toward maxpoll instead of going on at full rate.  With 20% of
 * the packets lost (clknetsim) timed sent 66 packets in 6 h without it,
 * 58 with it (chronyd 61).
 */
#define MISS_SCORE_SELECTED	0.1
#define MISS_SCORE_OTHER	0.25

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

/*
 * The poll within minpoll..maxpoll, and under a second only for a
 * source that answered over a short path (SRC_NONLAN_MINPOLL).
 */
static void
clamp_poll(struct src *s)
{
	if (s->poll < s->p.minpoll) {
		s->poll = s->p.minpoll;
		s->poll_score = 0.0;
	} else if (s->poll > s->p.maxpoll) {
		s->poll = s->p.maxpoll;
		s->poll_score = 1.0;
	}
	if (s->poll < SRC_NONLAN_MINPOLL && (s->reach == 0 || !s->lan))
		s->poll = SRC_NONLAN_MINPOLL;
}

/* Whole steps of the score move the poll. */
static void
add_score(struct src *s, double adj)
{
	int	 step;

	s->poll_score += adj;
	if (s->poll_score >= 1.0) {
		step = (int)s->poll_score;
		s->poll += step;
		s->poll_score -= step;
	} else if (s->poll_score < 0.0) {
		step = (int)(s->poll_score - 1.0);
		s->poll += step;
		s->poll_score -= step;
	}
	clamp_poll(s);
}

void
src_init(struct src *s, const struct src_params *p, int64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->poll = p->minpoll;
	clamp_poll(s);
	if (p->iburst)
		src_burst(s, SRC_IBURST_GOOD, SRC_IBURST_MAX);
	s->next_ns = now_ns;
	s->base_ns = now_ns;
	s->spread = -1.0;	/* no poll yet */
	s->stratum = 0;
	s->leap = PKT_LEAP_UNSYNC;
}

/*
 * A packet of ours left at now_ns: the one before, if unanswered, was
 * missed (the poll backs off); the register shifts; the next poll is
 * next_ns away, spread as src_poll() says.
 */
static void
sent(struct src *s, int64_t now_ns, uint64_t xmt, uint64_t rnd, int selected,
    int64_t next)
{
	if (s->req.awaiting)
		add_score(s, selected ? MISS_SCORE_SELECTED :
		    MISS_SCORE_OTHER);
	s->reach <<= 1;
	s->req.awaiting = 1;
	s->req.seq = s->stats.tx + 1;	/* 0: none */
	s->req.xmt = xmt;
	s->req.t1_ns = now_ns;
	s->stats.tx++;
	s->last_tx_ns = now_ns;
	if (s->req.presend) {
		/* the measurement after the warm-up's answer */
		s->spread = 0.0;
		next = (int64_t)(SRC_PRESEND_WAIT_S * NS);
	} else if (s->burst_left > 0) {
		/* the burst's last request: the poll interval to the next */
		s->burst_left--;
		s->spread = -1.0;
		if (s->burst_left > 0 &&
		    next > (int64_t)(SRC_IBURST_INTERVAL_S * NS))
			next = (int64_t)(SRC_IBURST_INTERVAL_S * NS);
	} else if (s->p.peer) {
		/* the phase with the peer's packets is the point */
		s->spread = 0.0;
	} else {
		/*
		 * Up to 2% of the interval more, drawn from the
		 * random transmit timestamp (on the wire anyway): clients
		 * started together, a fleet or a server and its own
		 * clients, do not poll in step, as chrony's do not.
		 */
		s->spread = (double)(rnd >> 11) * 0x1p-53;
		next += (int64_t)((double)next / POLL_SPREAD * s->spread);
	}
	s->base_ns = now_ns;
	s->gap_ns = next;
	s->next_ns = now_ns + next;
}

/* The poll changed: the wait is its interval, from the same base. */
static void
regap(struct src *s)
{
	int64_t	 next = interval_ns(s->poll);

	if (s->spread > 0.0)
		next += (int64_t)((double)next / POLL_SPREAD * s->spread);
	s->gap_ns = next;
	s->next_ns = s->base_ns + next;
}

void
src_poll(struct src *s, int64_t now_ns, uint64_t xmt_rnd, uint8_t *pkt,
    int selected)
{
	struct pkt	 req;
	struct src_req	 prev = s->req;
	int		 n, past = s->poll - s->p.minpoll;

	/* burst: 2^past requests, so that their mean interval is minpoll's */
	if (s->p.burst && s->burst_left == 0 && past > 0) {
		for (n = 1; past > 0 && n < SRC_BURST_MAX; past--)
			n *= 2;
		src_burst(s, 1, n < SRC_BURST_MAX ? n : SRC_BURST_MAX);
	}
	/* presend: the warm-up requests, then the measurement */
	if (s->presend_left > 0)
		s->presend_left--;
	else if (s->p.presend && s->p.presend_poll <= s->poll &&
	    s->burst_left == 0)
		s->presend_left = s->p.xleave ? 2 : 1;
	/* chrony-like minimal request: zeros but the transmit time */
	memset(&req, 0, sizeof(req));
	req.leap = PKT_LEAP_UNSYNC;
	req.version = (uint8_t)(s->p.version != 0 ? s->p.version : 4);
	req.mode = PKT_MODE_CLIENT;
	req.poll = (int8_t)s->poll;
	req.tx_ts = xmt_rnd;
	memset(&s->req, 0, sizeof(s->req));
	s->req.awaiting = prev.awaiting;
	s->req.presend = s->presend_left > 0;
	if (s->p.xleave && s->have_xchg) {
		req.org_ts = s->xchg.t2;
		req.rx_ts = ~xmt_rnd;
		s->req.cookie = req.rx_ts;
		s->req.prev = s->xchg;
	}
	pkt_encode(&req, pkt, PKT_HDR_LEN);
	sent(s, now_ns, xmt_rnd, xmt_rnd, selected, interval_ns(s->poll));
	/* the request before, if unanswered, stays answerable until now */
	s->late = prev;
	s->late.awaiting = prev.awaiting;
}

/* The peer's poll while it answers, if shorter (chronyd's). */
static int
peer_poll(const struct src *s)
{
	if (s->reach != 0 && s->peer.remote_poll < s->poll)
		return s->peer.remote_poll > s->p.minpoll ?
		    s->peer.remote_poll : s->p.minpoll;
	return s->poll;
}

#define PEER_SAMPLING_ADJ	1.1

/*
 * How long after a packet of ours, last_tx_s ago, the next one leaves:
 * chronyd's get_transmit_delay() in symmetric mode.  A peer of a higher
 * stratum (which synchronises to us) gets ours soon after its own; one
 * of the same stratum, packets evenly between its own.
 */
static int64_t
peer_delay_ns(const struct src *s, int on_tx, double last_tx_s)
{
	double	 d = (double)interval_ns(peer_poll(s)) * 1e-9;
	int	 diff = s->peer.remote_stratum - s->peer.our_stratum;

	if ((diff > 0 && last_tx_s * PEER_SAMPLING_ADJ < d) ||
	    (!on_tx && diff == 0 && last_tx_s / d > PEER_SAMPLING_ADJ - 0.5))
		d *= PEER_SAMPLING_ADJ;
	d -= last_tx_s;
	return d > 0.0 ? (int64_t)(d * 1e9) : 0;
}

/* A timestamp whose bits under 2^prec s come from rnd. */
static uint64_t
fuzz(uint64_t ts, int prec, uint64_t rnd)
{
	uint64_t	 mask;

	if (ts == 0 || prec >= 0 || prec < -32)
		return ts;
	mask = (1ULL << (32 + prec)) - 1;
	return (ts & ~mask) | (rnd & mask);
}

void
src_poll_peer(struct src *s, int64_t now_ns, uint64_t rnd,
    const struct srv_state *st, uint8_t *pkt, int selected)
{
	struct src_peer	*pe = &s->peer;
	struct pkt	 q, req;
	int		 initial, missed;
	uint64_t	 rx;

	/*
	 * Nothing valid since our last packet: answer the newest that came
	 * anyway, which starts (or restarts) the exchange.
	 */
	initial = !pe->valid_rx && pe->init_tx != 0;
	memset(&q, 0, sizeof(q));
	q.version = (uint8_t)(s->p.version != 0 ? s->p.version : 4);
	q.poll = (int8_t)s->poll;
	q.tx_ts = initial ? pe->init_tx : pe->remote_tx;
	rx = pkt_ts_from_ns(initial ? pe->init_rx_ns : pe->local_rx_ns);
	if ((initial ? pe->init_rx_ns : pe->local_rx_ns) == 0)
		rx = 0;
	rx = fuzz(rx, st->precision, rnd);
	if (rx != 0 && (rx == q.tx_ts || rx == pe->sent_rx))
		rx ^= 1;
	pkt_answer(&req, st, &q, rx, 0);
	req.mode = PKT_MODE_SYMACT;
	req.poll = (int8_t)s->poll;
	req.tx_ts = fuzz(pkt_ts_from_ns(now_ns), st->precision, rnd >> 32);
	/* never equal to the origin or receive fields, or our last one */
	while (req.tx_ts == req.org_ts || req.tx_ts == req.rx_ts ||
	    req.tx_ts == s->req.xmt)
		req.tx_ts++;
	pkt_encode(&req, pkt, PKT_HDR_LEN);
	pe->sent_rx = rx;
	pe->valid_rx = 0;
	pe->init_updated = 0;
	pe->our_stratum = req.stratum == 0 ? 16 : req.stratum;
	missed = s->req.awaiting;	/* no valid packet since our last */
	memset(&s->req, 0, sizeof(s->req));
	s->req.awaiting = missed;
	s->late.awaiting = 0;
	sent(s, now_ns, req.tx_ts, rnd, selected, peer_delay_ns(s, 1, 0.0));
}

#define LOOP_SCORE	0.1

void
src_loop_answer(struct src *s)
{
	add_score(s, LOOP_SCORE);
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
	/*
	 * Only for the last request, and only a sane correction: after
	 * the time taken before the send, but for a card's timestamp,
	 * converted through a regression, which may put it a little
	 * before.
	 */
	if (s->req.seq == 0 || t1_ns < s->req.t1_ns - SRC_TX_EARLY_NS ||
	    t1_ns - s->req.t1_ns >= (int64_t)(SRC_TIMEOUT_S * NS))
		return;
	if (s->req.awaiting) {
		s->req.t1_ns = t1_ns;
		return;
	}
	/* answered already: the next interleaved sample uses it */
	if (s->have_xchg && s->xchg.seq == s->req.seq &&
	    s->xchg.t1_ns == s->req.t1_ns) {
		s->xchg.t1_ns = t1_ns;
		s->req.t1_ns = t1_ns;
	}
}

/* As sst_correct() does a sample's time: t less doffset + dfreq (t - now). */
static void
shift(int64_t *t, int64_t now_ns, double dfreq, double doffset_s)
{
	double	 d;

	if (*t == 0)
		return;
	d = doffset_s + dfreq * (double)(*t - now_ns) * 1e-9;
	if (isfinite(d) && fabs(d) <= 1e8)
		*t -= llround(d * 1e9);
}

void
src_correct(struct src *s, int64_t now_ns, double dfreq_ppm,
    double doffset_s)
{
	double	 f = dfreq_ppm * 1e-6;

	if (!isfinite(doffset_s) || fabs(doffset_s) > 1e8 ||
	    !isfinite(f) || fabs(f) > 0.1)
		return;
	shift(&s->req.t1_ns, now_ns, f, doffset_s);
	shift(&s->req.prev.t1_ns, now_ns, f, doffset_s);
	shift(&s->req.prev.t4_ns, now_ns, f, doffset_s);
	shift(&s->late.t1_ns, now_ns, f, doffset_s);
	shift(&s->late.prev.t1_ns, now_ns, f, doffset_s);
	shift(&s->late.prev.t4_ns, now_ns, f, doffset_s);
	shift(&s->xchg.t1_ns, now_ns, f, doffset_s);
	shift(&s->xchg.t4_ns, now_ns, f, doffset_s);
	/* the receive field our next packet carries: T2 of the peer's */
	shift(&s->peer.local_rx_ns, now_ns, f, doffset_s);
	shift(&s->peer.init_rx_ns, now_ns, f, doffset_s);
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

/* 1: a basic answer to r, 2: an interleaved one, 0: not r's. */
static int
answers(const struct src_req *r, uint64_t org)
{
	if (org == r->xmt)
		return 1;
	if (r->cookie != 0 && org == r->cookie)
		return 2;
	return 0;
}

/*
 * The RFC 5905 tests that need no arithmetic on the timestamps; *r: the
 * request answered, *how: answers()'s verdict.
 */
static enum src_reason
check_reply(struct src *s, const struct pkt *p, struct src_req **r,
    int *how)
{
	if (p->mode != PKT_MODE_SERVER)
		return SRC_MALFORMED;
	*r = &s->req;
	if ((*how = answers(&s->req, p->org_ts)) == 0) {
		*r = &s->late;
		*how = answers(&s->late, p->org_ts);
	}
	if (*how == 0)
		return SRC_BOGUS;
	if (!(*r)->awaiting)
		return SRC_DUPLICATE;
	/*
	 * Only now, with the origin checked, may a kiss be believed.  An
	 * unsynchronised server sends stratum 0 with no code (chrony, ntpd).
	 */
	if (p->stratum == 0 && p->refid == 0)
		return SRC_UNSYNC;
	if (p->stratum == 0)
		return kiss(s, p->refid);
	if (p->leap == PKT_LEAP_UNSYNC || p->stratum >= 16)
		return SRC_UNSYNC;
	if (p->rx_ts == 0 || p->tx_ts == 0)
		return SRC_ZERO_TS;
	return SRC_OK;
}

void
src_adjust_poll(struct src *s, int samples, double error_s,
    double distance_s, double delay_s)
{
	double	 adj, target = s->p.polltarget;
	int	 was = s->poll;

	s->lan = delay_s <= SRC_LAN_DELAY_S;

	error_s = fabs(error_s);
	if (distance_s > 0.0 && error_s > distance_s)
		adj = -log2(error_s / distance_s);
	else {
		adj = (samples / target - 1.0) / target;
		if (samples < target)
			adj *= 2.0;
	}
	if (!isfinite(adj))
		return;
	add_score(s, adj);
	if (s->poll != was && s->spread >= 0.0)
		regap(s);
}

/*
 * Remember a reply to our request for reports: only one that passed the
 * origin check, so that nobody off-path writes into them.
 */
static void
note_reply(struct src *s, const struct pkt *p, enum src_reason why,
    const struct src_req *r, int how)
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
	if (why != SRC_OK)
		return;
	/*
	 * The server's time from receive to transmit: of this exchange, or
	 * with an interleaved answer, of the one before, whose transmit
	 * time it carries.
	 */
	l->interleaved = how == 2;
	l->response_s = (pkt_ts_to_ns(p->tx_ts, r->t1_ns) -
	    pkt_ts_to_ns(how == 2 ? r->prev.t2 : p->rx_ts, r->t1_ns)) * 1e-9;
}

/* The sample of one exchange: t1 and t4 local, t2 and t3 the server's. */
static enum src_reason
make_sample(struct src *s, const struct pkt *p, int64_t t1, uint64_t t2_ts,
    uint64_t t3_ts, int64_t t4, struct sst_sample *out)
{
	int64_t		 t2, t3;
	double		 delay, prec;
	int		 st;

	/* the server's reading error: 2^precision */
	prec = p->precision > -32 && p->precision < 0 ?
	    1.0 / (double)(1ULL << -p->precision) : 1.0;
	t2 = pkt_ts_to_ns(t2_ts, t1);
	t3 = pkt_ts_to_ns(t3_ts, t4);
	/*
	 * chronyd fills the bits of its timestamps below its precision
	 * with noise: a fast answer can leave before it arrived by that
	 * much, which is no answer at all.
	 */
	if (t3 < t2 && (t2 - t3) * 1e-9 <= prec)
		t3 = t2;
	delay = ((t4 - t1) - (t3 - t2)) * 1e-9;
	memset(out, 0, sizeof(*out));
	out->delay_s = delay;
	if (delay < 0.0 || delay > s->p.maxdelay_s || t3 < t2) {
		s->stats.refused[SRC_BAD_DELAY]++;
		return SRC_BAD_DELAY;
	}
	out->time_ns = t1 + (t4 - t1) / 2;
	out->offset_s = ((t1 - t2) + (t4 - t3)) * 0.5e-9 - s->p.offset_s;
	out->disp_s = prec;
	out->root_delay_s = pkt_short_to_s(p->root_delay);
	out->root_disp_s = pkt_short_to_s(p->root_disp);
	/* copy: the server's stratum is ours (chronyd's copy option) */
	st = s->p.copy && p->stratum > 0 ? p->stratum - 1 : p->stratum;
	out->stratum = st > s->p.minstratum ? st : s->p.minstratum;
	return SRC_OK;
}

/* A good sample's source state, as src_reply() leaves it. */
static void
took(struct src *s, const struct pkt *p, int64_t t4_ns,
    const struct sst_sample *out)
{
	s->reach |= 1;
	s->stratum = out->stratum;
	s->refid = p->refid;
	s->leap = p->leap;
	s->last_rx_ns = t4_ns;
	s->last.offset_s = out->offset_s;
	s->last.disp_s = out->disp_s;
	s->stats.valid++;
}

void
src_good(struct src *s)
{
	if (s->burst_good > 0 && --s->burst_good == 0 && s->burst_left > 0) {
		/* enough good samples: the next poll as after the last */
		s->burst_left = 0;
		regap(s);
	}
}

/* a after b, as NTP timestamps within half an era of each other */
static int
ts_after(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) > 0;
}

/* b - a in seconds, of two NTP timestamps less than 68 years apart. */
static double
ts_diff_s(uint64_t b, uint64_t a)
{
	return (double)(int64_t)(b - a) / 4294967296.0;
}

static uint64_t
ts_minus(uint64_t ts, double s)
{
	return ts - (uint64_t)llround(s * 4294967296.0);
}

#define MONO_SHIFT_MAX_S	16.0	/* chronyd's MAX_MONO_DOFFSET */

/*
 * extfield F323: what the server slewed between its last answer with
 * the field and this one, and the field's root delay and dispersion
 * (*e); 0 without the field.  A shift over 16 s is taken for none.
 */
static double
mono_answer(struct src *s, const struct pkt *p, const uint8_t *buf,
    size_t len, struct pkt_exp1 *e, int *have)
{
	double	 d = 0.0;

	*have = s->p.exp1 && pkt_exp1_get(p, buf, len, e) == 0;
	if (!*have || e->mono_rx == 0) {
		s->mono_rx = 0;
		s->mono_shift_s = 0.0;
		return 0.0;
	}
	if (s->mono_rx != 0 && e->mono_epoch == s->mono_epoch) {
		d = ts_diff_s(e->mono_rx, s->mono_rx) -
		    ts_diff_s(p->rx_ts, s->mono_rx_real);
		if (!(fabs(d) <= MONO_SHIFT_MAX_S))
			d = 0.0;
	}
	s->mono_epoch = e->mono_epoch;
	s->mono_rx = e->mono_rx;
	s->mono_rx_real = p->rx_ts;
	s->mono_shift_s += d;
	return d;
}

static enum src_reason
peer_reply(struct src *s, const uint8_t *buf, size_t len, int64_t t4_ns,
    struct sst_sample *out)
{
	struct src_peer	*pe = &s->peer;
	struct pkt	 p;
	struct pkt_exp1	 e;
	enum src_reason	 why;
	int		 have_exp1;
	int		 dup, answer, zero, valid;
	double		 last_tx_s;

	s->stats.rx++;
	if (pkt_decode(&p, buf, len) != PKT_OK || p.mac_len > 0 ||
	    (p.mode != PKT_MODE_SYMACT && p.mode != PKT_MODE_SYMPAS)) {
		s->stats.refused[SRC_MALFORMED]++;
		return SRC_MALFORMED;
	}
	dup = p.rx_ts == pe->remote_rx && p.tx_ts == pe->remote_tx;
	answer = s->req.seq != 0 && p.org_ts == s->req.xmt;
	zero = p.org_ts == 0 || p.rx_ts == 0 || p.tx_ts == 0;
	valid = !dup && answer && !zero;
	/*
	 * What our next packet answers: the newest valid one; else the
	 * newest that is at least no copy, while no valid one came.
	 */
	if (valid && (!pe->valid_rx || ts_after(p.tx_ts, pe->remote_tx))) {
		pe->remote_rx = p.rx_ts;
		pe->remote_tx = p.tx_ts;
		pe->local_rx_ns = t4_ns;
		pe->init_tx = 0;
		pe->init_rx_ns = 0;
		pe->init_updated = 0;
	} else if (!dup && p.tx_ts != 0 && (!pe->init_updated ||
	    ts_after(p.tx_ts, pe->init_tx))) {
		pe->init_tx = p.tx_ts;
		pe->init_rx_ns = t4_ns;
		pe->init_updated = 1;
	}
	if (dup || (valid && pe->valid_rx))
		why = SRC_DUPLICATE;	/* one answer a packet of ours */
	else if (!answer)
		why = SRC_BOGUS;
	else if (zero)
		why = SRC_ZERO_TS;
	else
		why = SRC_OK;
	if (why != SRC_OK) {
		s->stats.refused[why]++;
		return why;
	}
	pe->valid_rx = 1;
	s->req.awaiting = 0;
	mono_answer(s, &p, buf, len, &e, &have_exp1);
	pe->remote_poll = p.poll;
	pe->remote_stratum = p.stratum == 0 ? 16 : p.stratum;
	if (p.leap == PKT_LEAP_UNSYNC || p.stratum == 0 || p.stratum >= 16)
		why = SRC_UNSYNC;
	note_reply(s, &p, why, &s->req, 1);
	if (why == SRC_OK) {
		why = make_sample(s, &p, s->req.t1_ns, p.rx_ts, p.tx_ts, t4_ns,
		    out);
		if (why == SRC_OK && have_exp1) {
			out->root_delay_s = e.root_delay_s;
			out->root_disp_s = e.root_disp_s;
		}
		s->last.delay_s = out->delay_s;
		if (why == SRC_OK)
			took(s, &p, t4_ns, out);
		else
			s->last.tests &= ~SRC_TEST_MAXDELAY;
	} else
		s->stats.refused[why]++;
	/* our next packet: a poll after our last one (chronyd's rule) */
	last_tx_s = (double)(t4_ns - s->req.t1_ns) * 1e-9;
	s->next_ns = t4_ns + peer_delay_ns(s, 0, last_tx_s);
	return why;
}

double
src_take_mono(struct src *s)
{
	double	 d = s->mono_shift_s;

	s->mono_shift_s = 0.0;
	return d;
}

enum src_reason
src_reply(struct src *s, const uint8_t *buf, size_t len, int64_t t4_ns,
    struct sst_sample *out)
{
	struct pkt_exp1	 e;
	double		 mono;
	int		 have_exp1;
	struct pkt	 p;
	struct src_req	*r = NULL;
	struct src_xchg	 x;
	enum src_reason	 why;
	uint64_t	 seq;
	int		 how = 0;

	if (s->p.peer)
		return peer_reply(s, buf, len, t4_ns, out);
	s->stats.rx++;
	/* a MAC answers a key we never use (chrony drops it too) */
	if (pkt_decode(&p, buf, len) != PKT_OK || p.mac_len > 0)
		why = SRC_MALFORMED;
	else
		why = check_reply(s, &p, &r, &how);
	if (why != SRC_MALFORMED && why != SRC_DUPLICATE && why != SRC_BOGUS) {
		note_reply(s, &p, why, r, how);
		/* the wait to the next request from this answer */
		if (r == &s->req) {
			s->base_ns = t4_ns;
			if (why == SRC_KOD_RATE)
				regap(s);
			else
				s->next_ns = t4_ns + s->gap_ns;
		}
	}
	if (why != SRC_OK) {
		s->stats.refused[why]++;
		if (why != SRC_MALFORMED && why != SRC_DUPLICATE &&
		    why != SRC_BOGUS)
			r->awaiting = 0;
		return why;
	}
	/* answered: a copy is a duplicate; a late answer ends both */
	r->awaiting = 0;
	s->late.awaiting = 0;
	mono = mono_answer(s, &p, buf, len, &e, &have_exp1);
	x.seq = r->seq;
	x.t1_ns = r->t1_ns;
	x.t2 = p.rx_ts;
	x.t4_ns = t4_ns;
	if (r->presend) {
		/* reached, and the exchange an interleaved request asks of */
		s->reach |= 1;
		s->xchg = x;
		s->have_xchg = 1;
		s->stats.refused[SRC_PRESEND]++;
		return SRC_PRESEND;
	}
	/*
	 * Interleaved, the server's times are of the exchange before: on
	 * its clock before the correction mono found, which they lose.
	 */
	if (how == 1)
		why = make_sample(s, &p, r->t1_ns, p.rx_ts, p.tx_ts, t4_ns,
		    out);
	else
		why = make_sample(s, &p, r->prev.t1_ns,
		    ts_minus(r->prev.t2, mono), ts_minus(p.tx_ts, mono),
		    r->prev.t4_ns, out);
	if (why == SRC_OK && have_exp1) {	/* to 2^-28 s, not 2^-16 */
		out->root_delay_s = e.root_delay_s;
		out->root_disp_s = e.root_disp_s;
	}
	s->last.delay_s = out->delay_s;
	if (why != SRC_OK) {
		if (why == SRC_BAD_DELAY)
			s->last.tests &= ~SRC_TEST_MAXDELAY;
		return why;
	}
	s->xchg = x;
	s->have_xchg = 1;
	took(s, &p, t4_ns, out);
	seq = how == 1 ? r->seq : r->prev.seq;
	if (seq <= s->sampled_seq) {
		s->stats.refused[SRC_NO_SAMPLE]++;
		return SRC_NO_SAMPLE;
	}
	s->sampled_seq = seq;
	return SRC_OK;
}
