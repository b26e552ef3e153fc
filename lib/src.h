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
 * One NTP source (a server line, or one address of a pool): when to poll,
 * the request, and the RFC 5905 tests on the reply, giving a sample for
 * lib/sst.  Pure: the shell sends, receives and keeps the time.
 * Offsets: + the local clock is ahead of the source.
 */

#ifndef TIMED_SRC_H
#define TIMED_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "sst.h"

/*
 * iburst: requests SRC_IBURST_INTERVAL_S apart (or the poll interval if
 * shorter) until SRC_IBURST_GOOD answers gave samples, SRC_IBURST_MAX
 * requests at most, as chronyd's; then the next after the poll interval.
 * chronyd's burst ends at 4 good samples: the frequency of 4 samples over
 * 6 s was 12-35 ppm off in chrony's 102 and 130 (100 us of jitter), 0.9 ms
 * by the first poll at 64 s, whose update then slewed at 900 ppm.
 */
#define SRC_IBURST_GOOD		5
#define SRC_IBURST_MAX		8
#define SRC_IBURST_INTERVAL_S	2.0
/*
 * burst, as chronyd's: each poll past minpoll starts a burst that ends on
 * a good sample, of up to 2^(poll - minpoll) requests (so that the mean
 * interval stays at minpoll's or more), SRC_BURST_MAX at most.
 */
#define SRC_BURST_MAX		4
/*
 * presend: at polls of p.presend_poll or more each measurement is led by
 * a request whose answer is no sample (two with xleave, so that the
 * server holds a fresh transmit time for us), to warm the path's ARP
 * caches; the measurement follows SRC_PRESEND_WAIT_S after the answer
 * (chronyd's WARM_UP_DELAY).
 */
#define SRC_PRESEND_WAIT_S	2.0
#define SRC_TIMEOUT_S		1.0	/* a reply later than this is lost */
/*
 * Polls under a second only to a source that answers over a local
 * network (a round trip of at most SRC_LAN_DELAY_S), as chrony's: over
 * a longer path every request would leave before the last one's answer.
 */
#define SRC_NONLAN_MINPOLL	0
#define SRC_LAN_DELAY_S		0.01

struct src_params {
	int	minpoll;	/* log2 s, -7..24 */
	int	maxpoll;
	int	iburst;
	int	burst;		/* each poll a burst, for one good sample */
	double	maxdelay_s;	/* round trip longer than this: no sample */
	int	polltarget;	/* samples the regression should hold, > 0 */
	int	xleave;		/* ask for interleaved answers */
	int	peer;		/* symmetric active (a peer line) */
	double	offset_s;	/* chrony's offset option: added to the */
				/* source's offsets (its sign: + source */
				/* ahead), a known asymmetry of the path */
	int	minstratum;	/* the source's stratum at least this */
	int	version;	/* NTP version of our packets; 0: 4 */
	int	copy;		/* the server's stratum and refid are ours */
	int	presend;	/* warm-ups (above) from presend_poll */
	int	presend_poll;	/* log2 s */
	int	exp1;		/* extfield F323: chrony's experimental */
				/* field in requests (lib/pkt.h) */
};

/* Why a reply gave no sample; each is counted per source. */
enum src_reason {
	SRC_OK = 0,
	SRC_MALFORMED,		/* pkt_decode refused it, or not mode 4 */
	SRC_DUPLICATE,		/* test 1: this request was answered already */
	SRC_BOGUS,		/* test 2: origin is not our transmit time */
	SRC_UNSYNC,		/* test 6: leap 3, stratum 0 or >= 16 */
	SRC_ZERO_TS,		/* test 3: receive or transmit time zero */
	SRC_BAD_DELAY,		/* negative or above maxdelay */
	SRC_KOD_RATE,		/* kiss-o'-death RATE: polls back off */
	SRC_KOD_DENY,		/* DENY or RSTR: the source is given up */
	SRC_KOD_OTHER,
	SRC_NO_SAMPLE,		/* a good answer, but about an exchange */
				/* that gave its sample already */
	SRC_SYNC_LOOP,		/* the server is synchronised to us (the */
				/* caller's test: chrony's test D) */
	SRC_PRESEND,		/* the answer to a presend request */
	SRC_NREASONS
};

struct src_stats {
	uint64_t	tx;
	uint64_t	rx;
	uint64_t	valid;			/* gave a sample */
	uint64_t	refused[SRC_NREASONS];
};

/* The last reply to a request of ours (timectl ntpdata). */
struct src_last {
	int			 have;		/* 0: no reply yet */
	struct pkt		 pkt;		/* as decoded */
	double			 offset_s;	/* + local ahead; 0 if no sample */
	double			 delay_s;
	double			 disp_s;
	double			 response_s;	/* server's receive to transmit */
	int			 interleaved;	/* the answer was */
	uint32_t		 tests;		/* SRC_TEST_* passed */
};

/* The tests of src_last.tests, in chronyc ntpdata's order. */
#define SRC_TEST_DUPLICATE	0x200
#define SRC_TEST_BOGUS		0x100
#define SRC_TEST_ZERO_TS	0x080
#define SRC_TEST_AUTH		0x040
#define SRC_TEST_SYNC		0x020
#define SRC_TEST_DISTANCE	0x010
#define SRC_TEST_MAXDELAY	0x008
#define SRC_TEST_DELAYRATIO	0x004
#define SRC_TEST_DELAYDEV	0x002
#define SRC_TEST_SOURCE_SYNC	0x001
#define SRC_TESTS_ALL		0x3ff

/* An answered exchange: what a later interleaved answer completes. */
struct src_xchg {
	uint64_t	 seq;		/* the request's number, from 1 */
	int64_t		 t1_ns;		/* our request left, local time */
	uint64_t	 t2;		/* the server received it (its clock) */
	int64_t		 t4_ns;		/* its answer came, local time */
};

/*
 * Symmetric active mode (RFC 5905, chronyd's peers): both ends send on
 * their own polls, each packet a request and the answer to the peer's
 * last one.  What the peer's packets left for our next one.
 */
struct src_peer {
	uint64_t	 remote_tx;	/* its newest valid packet's transmit */
	uint64_t	 remote_rx;	/* and receive times */
	int64_t		 local_rx_ns;	/* when it came, local time */
	int		 valid_rx;	/* a valid packet since our last one */
	uint64_t	 init_tx;	/* the newest that was no answer (the */
	int64_t		 init_rx_ns;	/* peer starting, or a packet lost): */
	int		 init_updated;	/* our next one answers it */
	int		 remote_poll;	/* log2 s, from its valid packets */
	int		 remote_stratum;
	int		 our_stratum;	/* when we last sent */
	uint64_t	 sent_rx;	/* the receive field we sent last */
};

/* A request sent. */
struct src_req {
	int		 awaiting;	/* not answered yet */
	uint64_t	 seq;		/* its number, from 1 */
	uint64_t	 xmt;		/* its transmit timestamp: the origin */
					/* of a basic answer */
	uint64_t	 cookie;	/* its receive field: the origin of an */
					/* interleaved answer (0: basic asked) */
	int64_t		 t1_ns;		/* when it left, local time */
	struct src_xchg	 prev;		/* the exchange it asked about */
	int		 presend;	/* a warm-up: its answer no sample */
};

struct src {
	struct src_params	 p;
	int			 poll;		/* log2 s now */
	uint8_t			 reach;
	int			 burst_left;	/* quick exchanges still to do */
	int			 burst_good;	/* good replies that end it, or 0 */
	int			 presend_left;	/* warm-ups before the measurement */
	int			 denied;	/* DENY/RSTR received */
	double			 poll_score;	/* toward the next poll change */
	int			 lan;		/* the path is short enough for */
						/* polls under a second */
	struct src_req		 req;		/* the request in flight */
	struct src_req		 late;		/* the one before, unanswered */
	struct src_xchg		 xchg;		/* the newest exchange answered */
	int			 have_xchg;
	uint64_t		 sampled_seq;	/* the newest exchange sampled */
	int64_t			 next_ns;	/* next poll: base_ns + gap_ns */
	int64_t			 last_tx_ns;	/* the last poll */
	int64_t			 base_ns;	/* it, or the time its answer came */
	int64_t			 gap_ns;	/* the wait from base_ns */
	double			 spread;	/* its lateness drawn, 0..1; -1: a burst's */
	struct src_stats	 stats;
	/* last good reply, for reports */
	int			 stratum;
	uint32_t		 refid;
	int			 leap;
	int64_t			 last_rx_ns;
	struct src_last		 last;
	struct src_peer		 peer;		/* p.peer: the association */
	/*
	 * extfield F323: the server's mono receive time and receive time
	 * of its last answer with one (mono_rx 0: none), in mono_epoch;
	 * the offsets it slewed since the last sample (src_take_mono()).
	 */
	uint32_t		 mono_epoch;
	uint64_t		 mono_rx;
	uint64_t		 mono_rx_real;
	double			 mono_shift_s;
};

void		src_init(struct src *, const struct src_params *,
		    int64_t now_ns);
/*
 * Time to poll: write a request into pkt (PKT_HDR_LEN bytes) with the
 * random transmit timestamp xmt_rnd, remember it, schedule the next poll.
 * With xleave and an exchange answered before, the request asks for an
 * interleaved answer as chrony's xleave does: origin = the server's
 * receive time of that exchange, receive = ~xmt_rnd (which the answer
 * then carries as its origin).  The request before, if unanswered, stays
 * answerable until the next poll (a late answer still counts), and the
 * poll backs off as chrony's: a tenth of a step for each request missed
 * if the source is selected, a quarter if not.
 */
void		src_poll(struct src *, int64_t now_ns, uint64_t xmt_rnd,
		    uint8_t *pkt, int selected);
/*
 * A peer's poll (p.peer): a symmetric active packet into pkt, our
 * state in its header (st, as the server answers), the origin and
 * receive fields answering the peer's last packet, the transmit field
 * the local time now with the bits under st's precision from rnd (it
 * is the peer's T1: a random one would be no time).  The poll is the
 * shorter of ours and the peer's (not under minpoll) while it answers,
 * and 1.1 times longer while the peer is of a higher stratum, so that
 * our packet comes soon after its own (chronyd's PEER_SAMPLING_ADJ).
 */
void		src_poll_peer(struct src *, int64_t now_ns, uint64_t rnd,
		    const struct srv_state *st, uint8_t *pkt, int selected);
/*
 * The kernel says when the request really left (a transmit timestamp,
 * local time): better than the time src_poll() was told.  Taken for the
 * request in flight, or for the last one answered already (a card's
 * timestamp may come after the answer), for the next interleaved
 * exchange; up to SRC_TX_EARLY_NS before the time src_poll() was told.
 */
#define SRC_TX_EARLY_NS		1000000LL
void		src_tx_time(struct src *, int64_t t1_ns);
/*
 * The local clock was corrected at now_ns, as sst_correct() says: moved
 * back by doffset_s (+: moved back) and slowed by dfreq_ppm.  The local
 * times kept for requests and exchanges are re-expressed with it, each by
 * doffset_s + dfreq (t - now): an interleaved answer measures an exchange
 * a poll old, whose times must be on the clock's new scale (a frequency
 * change of 100 ppm between them was 6 ms at 64 s polls).
 */
void		src_correct(struct src *, int64_t now_ns, double dfreq_ppm,
		    double doffset_s);
/*
 * extfield F323: what the server slewed (+: it found itself ahead) since
 * the sample before, taken once; the samples of the source held so far
 * must be shifted by it (sst_shift()) before the new one goes on, so
 * that its corrections are not taken for drift, as chronyd's
 * SST_CorrectOffset().
 */
double		src_take_mono(struct src *);
/*
 * A reply received at local time t4_ns, the request having left at the
 * time src_poll() was told.  SRC_OK and *sample, or why not.  A basic
 * answer gives the sample of its own exchange; an interleaved one (its
 * transmit time is the server's kernel transmit time of its previous
 * answer) gives the sample of the exchange before, unless that one gave
 * its sample already (SRC_NO_SAMPLE: still a good answer).
 *
 * With p.peer, a peer's packet (mode 1 or 2), under chronyd's tests: a
 * duplicate (the receive and transmit times of the last) or one with
 * a zero timestamp is dropped; one whose origin is not our last
 * transmit time (the peer starting, or a packet lost) gives no sample,
 * but our next packet answers it; a second answer to one packet of
 * ours is a duplicate.  A sample's T1 is when our packet left, T2 and
 * T3 the peer's receive and transmit times, T4 t4_ns.  The next poll
 * moves to a poll after our last packet, as src_poll_peer() says.
 */
enum src_reason	src_reply(struct src *, const uint8_t *, size_t, int64_t t4_ns,
		    struct sst_sample *);
/*
 * timectl burst: the next polls (max of them) come quickly, until good
 * of them were answered with a sample.  max 1..64, good 1..max.
 */
void		src_burst(struct src *, int good, int max);
/*
 * A sample the filters took (chronyd's good sample): counts toward the
 * burst's good ones; the last ends it, the next poll an interval after
 * the last request.
 */
void		src_good(struct src *);
/*
 * After a sample was taken: adapt the poll as chrony does.  When the
 * regression's prediction missed the sample (error_s, the sample's
 * offset less the prediction) by more than the sample's distance
 * (delay / 2 + dispersion), the source is not tracked well: the poll
 * falls by log2 of the ratio.  Otherwise it moves so that the regression
 * holds polltarget samples (samples, after its runs test): more of them
 * than that mean a stable source, worth fewer polls; fewer, that the
 * clock or the path moves and is sampled too little, twice as quickly.
 * The fractions add up in poll_score until they make a whole step.
 * A step moves the next poll (next_ns) too, to the interval now from the
 * last one, as chrony's: a source that jumped is polled again soon, not
 * a whole old interval on.  delay_s: the path's round trip, the smaller
 * of the samples' minimum and the newest (SRC_LAN_DELAY_S).
 */
void		src_adjust_poll(struct src *, int samples, double error_s,
		    double distance_s, double delay_s);
/*
 * A good answer from a source synchronised to us, which gives no
 * sample: the poll grows by a tenth of a step, as chronyd's does, so
 * that a peer or server that follows us is not polled at minpoll for
 * ever.
 */
void		src_loop_answer(struct src *);
/* Seconds between polls now. */
double		src_interval_s(const struct src *);

#endif
