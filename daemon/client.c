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

#include "blame.h"
#include "client.h"
#include "disc.h"
#include "ectx.h"
#include "log.h"
#include "ntpkey.h"
#include "ntsclient.h"
#include "sel.h"
#include "sock.h"
#include "src.h"
#include "sst.h"
#include "tzif.h"
#include "vclock.h"
#include "xmalloc.h"

#define CLOCK_ERROR_PPM	1.0	/* dispersion growth of our own clock */
#define COMBINELIMIT	3.0	/* chrony's defaults */
#define MAXJITTER_S	1.0
#define RESELECTDIST_S	100e-6
#define REPLACE_AFTER	8	/* polls unanswered: look for another */
#define FALSE_REPLACE_AFTER 16	/* polls in a row a falseticker: too */
#define ONESHOT_SAMPLES	4	/* -q/-Q: samples from each source, */
#define ONESHOT_POLLS	8	/* or this many polls, */
#define ONESHOT_LIMIT_S	30	/* or this long, then decide */

struct csrc {
	struct client		*cl;
	const struct conf_source *conf;
	char			 name[RPT_NAME_MAX];
	struct sockaddr_storage	 addr;
	socklen_t		 alen;
	int			 resolved;
	struct src		 src;
	struct sst		*sst;
	int			 fd;
	struct event		*ev_rx;
	int			 old_fd;	/* the request before's: a */
	struct event		*ev_old;	/* late answer still counts */
	struct event		*ev_poll;
	char			 state;
	double			 error_s;
	uint64_t		 tx_at_resolve;	/* polls before this address */
	int			 false_polls;	/* polls in a row marked 'x' */
	int			 gave_up;	/* addr: not to be taken again */
	int			 offline;	/* timectl offline: no polls */
	int			 rx_kernel;	/* last reply: kernel timestamp */
	int			 tx_kernel;	/* last request: kernel timestamp */
	char			 local[RPT_ADDR_MAX];	/* our address */
	struct evdns_getaddrinfo_request *dns_req;	/* a lookup pending */
	int			 have_est;	/* prev_*: the last regression */
	double			 prev_freq_ppm;
	double			 prev_skew_ppm;
	struct ntscl		*nts;		/* NTS: keys, cookies */
	uint64_t		 mac_ok;	/* key: answers authenticated */
	uint64_t		 mac_failed;	/* key: answers dropped */
	int			 key_missing;	/* key: said once */
};

enum refmode { REF_NONE, REF_SOURCES, REF_LOCAL };

struct client {
	struct ectx		*ctx;
	struct csrc		*srcs[SEL_MAX_SOURCES];
	int			 n;
	struct disc		*disc;
	struct evdns_base	*dns;
	enum refmode		 mode;
	int			 best;
	struct sel_out		 sel;
	int64_t			 sel_ns;	/* when sel was made */
	int64_t			 ref_time_ns;
	struct disc_actions	 last;
	double			 last_offset_s;	/* of the update before */
	struct event		*ev_oneshot;
	int			 oneshot_done;
	int			 leap;		/* PKT_LEAP_* announced */
	int			 started;	/* client_start() was called */
};

static void	poll_cb(evutil_socket_t, short, void *);
static void	resolve(struct csrc *);

static int64_t
sys_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
schedule(struct csrc *s, int64_t delay_ns)
{
	struct timeval	 tv;

	if (delay_ns < 0)
		delay_ns = 0;
	tv.tv_sec = delay_ns / 1000000000LL;
	tv.tv_usec = (delay_ns % 1000000000LL) / 1000;
	evtimer_add(s->ev_poll, &tv);
}

static void
close_socket(struct csrc *s)
{
	if (s->ev_old != NULL) {
		event_free(s->ev_old);
		s->ev_old = NULL;
	}
	if (s->old_fd != -1) {
		close(s->old_fd);
		s->old_fd = -1;
	}
	if (s->ev_rx != NULL) {
		event_free(s->ev_rx);
		s->ev_rx = NULL;
	}
	if (s->fd != -1) {
		close(s->fd);
		s->fd = -1;
	}
}

static void
address_of(const struct csrc *s, char *buf, size_t len)
{
	const void	*a = s->addr.ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr;

	buf[0] = '\0';
	if (s->resolved)
		inet_ntop(s->addr.ss_family, a, buf, len);
}

static uint32_t
refid_of(const struct csrc *s)
{
	const struct sockaddr_in	*sin = (const void *)&s->addr;
	const struct sockaddr_in6	*sin6 = (const void *)&s->addr;
	uint32_t			 h = 2166136261u;
	int				 i;

	if (s->addr.ss_family == AF_INET)
		return ntohl(sin->sin_addr.s_addr);
	for (i = 0; i < 16; i++)	/* IPv6: a hash, as RFC 5905 */
		h = (h ^ sin6->sin6_addr.s6_addr[i]) * 16777619u;
	return h;
}

/*
 * Before a source has a regression (SST_MIN_SAMPLES), its offset alone
 * moves the clock only when it is this large: chronyd waits for three
 * samples; so does timed, but a start 0.1 s off is put right at once
 * (with 20% of the packets lost, three samples took minutes).  Small
 * offsets wait: early corrections made the first regression of an
 * interleaved source (whose samples come a poll late) and the selection
 * among falsetickers worse.  A source selected already stays a candidate
 * (its correction leaves it a small offset), or the daemon would drop to
 * unsynchronised until its third sample.
 */
#define EARLY_MIN_S	1e-3

/*
 * A source as a candidate for selection; 0 if it is not usable.  One
 * that stopped answering (8 polls missed) stays a candidate, its root
 * dispersion growing with the time since its last sample, until that
 * passes maxdistance, as chronyd's: a server whose upstream is silent
 * for a while keeps serving, and its clients see from the dispersion
 * how far it may have drifted.  With a local reference configured the
 * server hands over to it instead (timed.8, Fallback to the local
 * reference).
 */
static int
candidate(const struct csrc *s, int64_t now, struct sel_cand *c)
{
	struct sst_est	 e;

	memset(c, 0, sizeof(*c));
	c->noselect = s->conf->noselect;
	c->prefer = s->conf->prefer;
	if ((s->src.reach == 0 && (s->cl->ctx->conf->local_set ||
	    s->src.stats.valid == 0)) || s->src.denied ||
	    s->src.leap == PKT_LEAP_UNSYNC ||
	    sst_estimate(s->sst, now, &e) == -1 ||
	    (e.n < SST_MIN_SAMPLES && fabs(e.offset_s) < EARLY_MIN_S &&
	    s->state != SEL_BEST && s->state != SEL_COMBINED))
		return 0;
	c->usable = 1;
	c->stratum = e.stratum;
	c->offset_s = e.offset_s;
	c->offset_sd_s = e.offset_sd_s;
	c->freq_ppm = e.freq_ppm;
	c->skew_ppm = e.skew_ppm;
	c->stddev_s = e.stddev_s;
	c->root_delay_s = e.root_delay_s + e.min_delay_s;
	c->root_disp_s = e.root_disp_s + e.stddev_s + (now - e.last_time_ns) *
	    1e-9 * (CLOCK_ERROR_PPM + e.skew_ppm) * 1e-6;
	return 1;
}

/* logdir and log: the monitor writes the files (lib/logfmt.c). */
static int
logging(const struct client *cl, int flag)
{
	return (cl->ctx->conf->log_flags & flag) && cl->ctx->conf->logdir &&
	    !cl->ctx->oneshot;
}

static void
log_measurement(const struct csrc *s, const struct sst_sample *sm,
    const uint8_t *buf, size_t n, int rx_kernel, int filtered)
{
	struct log_measurement	 m;
	struct pkt		 p;

	if (!logging(s->cl, CONF_LOG_MEASUREMENTS) ||
	    pkt_decode(&p, buf, n) != PKT_OK)
		return;
	memset(&m, 0, sizeof(m));
	m.time = sm->time_ns * 1e-9;
	address_of(s, m.address, sizeof(m.address));
	m.leap = p.leap;
	m.stratum = p.stratum;
	/* RFC 5905's tests passed (src_reply); B: the delay filter */
	m.tests = LOG_TESTS_ALL & ~(filtered ? 0x04 : 0);
	m.local_poll = s->src.poll;
	m.remote_poll = p.poll;
	m.offset_s = sm->offset_s;
	m.delay_s = sm->delay_s;
	m.disp_s = sm->disp_s;
	m.root_delay_s = sm->root_delay_s;
	m.root_disp_s = sm->root_disp_s;
	m.refid = p.refid;
	m.mode = p.mode;
	m.interleaved = s->src.last.interleaved;
	m.tx_ts = s->tx_kernel ? 'K' : 'D';
	m.rx_ts = rx_kernel ? 'K' : 'D';
	ectx_send(s->cl->ctx, IMSG_LOG_MEASUREMENT, 0, &m, sizeof(m));
}

static void
log_statistics(struct csrc *s, int64_t at)
{
	struct log_statistics	 r;
	struct sst_est		 e;

	if (!logging(s->cl, CONF_LOG_STATISTICS) ||
	    sst_estimate(s->sst, at, &e) == -1)
		return;
	memset(&r, 0, sizeof(r));
	r.stress = s->have_est && s->prev_skew_ppm > 0 ?
	    fabs(s->prev_freq_ppm - e.freq_ppm) / s->prev_skew_ppm : 0.0;
	s->have_est = 1;
	s->prev_freq_ppm = e.freq_ppm;
	s->prev_skew_ppm = e.skew_ppm;
	r.time = at * 1e-9;
	address_of(s, r.address, sizeof(r.address));
	r.stddev_s = e.stddev_s;
	r.offset_s = e.offset_s;
	r.offset_sd_s = e.offset_sd_s;
	r.freq_ppm = e.freq_ppm;
	r.skew_ppm = e.skew_ppm;
	r.n_samples = e.n;
	r.best_start = sst_count(s->sst) - e.n;
	r.n_runs = e.runs;
	r.asymmetry = e.asymmetry;
	ectx_send(s->cl->ctx, IMSG_LOG_STATISTICS, 0, &r, sizeof(r));
}

/* left: what the previous slew had still to do, + the clock ahead. */
static void
log_tracking(struct client *cl, int64_t now, double left)
{
	const struct csrc	*b = cl->srcs[cl->best];
	struct log_tracking	 t;
	int			 i;

	if (!logging(cl, CONF_LOG_TRACKING))
		return;
	memset(&t, 0, sizeof(t));
	t.time = now * 1e-9;
	address_of(b, t.ref, sizeof(t.ref));
	t.stratum = b->src.stratum + 1 > 15 ? 16 : b->src.stratum + 1;
	t.freq_ppm = cl->ctx->cs->freq_ppm;
	t.skew_ppm = cl->sel.skew_ppm;
	t.offset_s = cl->sel.offset_s;
	t.leap = cl->leap == PKT_LEAP_INSERT ? LEAP_INSERT :
	    cl->leap == PKT_LEAP_DELETE ? LEAP_DELETE : LEAP_NORMAL;
	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->state == SEL_BEST ||
		    cl->srcs[i]->state == SEL_COMBINED)
			t.combined++;
	t.offset_sd_s = cl->sel.offset_sd_s;
	t.remaining_s = left;
	t.root_delay_s = cl->sel.root_delay_s;
	t.root_disp_s = cl->sel.root_disp_s;
	/* as chrony: the root distance and the previous correction */
	t.max_error_s = t.root_delay_s / 2 + t.root_disp_s +
	    fabs(cl->last_offset_s);
	cl->last_offset_s = t.offset_s;
	ectx_send(cl->ctx, IMSG_LOG_TRACKING, 0, &t, sizeof(t));
}

/* As chronyd when it loses its sources: 0.0.0.0, stratum 0, leap '?'. */
static void
log_unsync(struct client *cl, int64_t now)
{
	struct log_tracking	 t;

	if (!logging(cl, CONF_LOG_TRACKING))
		return;
	memset(&t, 0, sizeof(t));
	t.time = now * 1e-9;
	snprintf(t.ref, sizeof(t.ref), "0.0.0.0");
	t.freq_ppm = cl->ctx->cs->freq_ppm;
	t.skew_ppm = cl->ctx->cs->skew_ppm;
	t.leap = LEAP_UNSYNC;
	ectx_send(cl->ctx, IMSG_LOG_TRACKING, 0, &t, sizeof(t));
}

/*
 * Apply a decision: to the monitor, to our copy of the clock, to the
 * samples.  The engine's time already counts the slew in progress (it is
 * cooked, see ectx.c), so the estimate is what is left once that slew
 * is done; the monitor adds the estimate to what is left of its slew when
 * the request arrives (the engine cannot know how much is done by then:
 * at fast rates a fraction of a millisecond is microseconds), and the
 * whole goes at the rate asked.  Either way the engine's time moves by
 * the estimate, and so do the samples.
 */
static void
apply(struct client *cl, const struct disc_actions *a, int64_t now)
{
	struct ectx		*ctx = cl->ctx;
	double			 dfreq = 0.0, doff = 0.0;
	int64_t			 sys = sys_ns();
	int			 i;

	if (a->what & DISC_ACT_STEP) {
		doff = a->step_offset_s;
		ectx_priv_step(ctx, sys, doff);
	} else if (a->what & DISC_ACT_SLEW) {
		doff = a->slew_offset_s;
		ectx_priv_slew(ctx, sys, doff, a->slew_rate_ppm);
	}
	if (a->what & DISC_ACT_FREQ) {
		dfreq = a->freq_ppm - ctx->cs->freq_ppm;
		ectx_priv_freq(ctx, sys, a->freq_ppm, a->skew_ppm);
	}
	for (i = 0; i < cl->n; i++) {
		sst_correct(cl->srcs[i]->sst, now, dfreq, doff);
		src_correct(&cl->srcs[i]->src, now, dfreq, doff);
	}
}

/* Tell the monitor (kernel status, RTC sync) whether we are synchronised. */
static void
tell_sync(struct client *cl)
{
	struct req_sync	 r;

	if (cl->ctx->noclock)
		return;
	memset(&r, 0, sizeof(r));
	r.synced = cl->mode == REF_SOURCES;
	r.est_error_s = r.synced ? cl->sel.offset_sd_s : 16.0;
	r.max_error_s = r.synced ? cl->sel.root_delay_s / 2 +
	    cl->sel.root_disp_s : 16.0;
	ectx_priv_sync(cl->ctx, &r);
}

/* Arm (or disarm) a leap second that a majority of the selected announce. */
static void
update_leap(struct client *cl, int64_t now)
{
	int		 leaps[SEL_MAX_SOURCES], i, leap;
	struct req_leap	 r;

	if (cl->ctx->leaps->n > 0) {
		/* leapsectz: the time zone decides, as chrony's */
		i = tzif_leap_today(cl->ctx->leaps->leaps, cl->ctx->leaps->n,
		    now / 1000000000LL);
		leap = i > 0 ? PKT_LEAP_INSERT : i < 0 ? PKT_LEAP_DELETE :
		    PKT_LEAP_NONE;
	} else {
		for (i = 0; i < cl->n; i++)
			leaps[i] = cl->srcs[i]->src.leap;
		leap = sel_leap(&cl->sel, leaps, cl->n, now / 1000000000LL);
	}
	if (leap == cl->leap)
		return;
	cl->leap = leap;
	if (leap != PKT_LEAP_NONE)
		log_info("leap second announced: %s", leap == PKT_LEAP_INSERT ?
		    "insert" : "delete");
	if (cl->ctx->noclock)
		return;
	r.leap = leap == PKT_LEAP_INSERT ? LEAP_INSERT :
	    leap == PKT_LEAP_DELETE ? LEAP_DELETE : LEAP_NORMAL;
	ectx_priv_leap(cl->ctx, &r);
}

static void
set_mode(struct client *cl, enum refmode mode)
{
	const struct conf	*conf = cl->ctx->conf;

	if (mode == cl->mode)
		return;
	if (mode == REF_LOCAL)
		log_info("no selectable source: serving the local clock at "
		    "stratum %d", conf->local_stratum);
	else if (mode == REF_NONE)
		log_info("no selectable source: not synchronised");
	if (cl->mode == REF_SOURCES)
		log_unsync(cl, ectx_now_ns(cl->ctx));
	cl->mode = mode;
	tell_sync(cl);
	ectx_ref_changed(cl->ctx);
}

static int
select_sources(struct client *cl, int64_t now)
{
	struct sel_cand		 c[SEL_MAX_SOURCES];
	struct sel_params	 p;
	const struct conf	*conf = cl->ctx->conf;
	int			 i, ok;

	for (i = 0; i < cl->n; i++)
		candidate(cl->srcs[i], now, &c[i]);
	memset(&p, 0, sizeof(p));
	p.minsources = conf->minsources;
	p.maxdistance_s = conf->maxdistance_s;
	p.combinelimit = COMBINELIMIT;
	p.reselectdist_s = RESELECTDIST_S;
	p.prev_best = cl->best;
	p.maxjitter_s = MAXJITTER_S;
	ok = sel_run(&p, c, cl->n, &cl->sel) == SEL_OK;
	cl->sel_ns = now;
	/* local's distance: beyond it the local reference is better */
	if (ok && conf->local_set && sel_distance(&c[cl->sel.best]) >
	    conf->local_distance_s)
		ok = 0;
	for (i = 0; i < cl->n; i++)
		cl->srcs[i]->state = cl->sel.state[i];
	return ok;
}

/* -q / -Q: decide once, step for -q, tell the monitor. */
static void
oneshot_finish(struct client *cl)
{
	struct oneshot_result	 r;
	struct disc_actions	 a;
	int64_t			 now = ectx_now_ns(cl->ctx);

	if (cl->oneshot_done)
		return;
	cl->oneshot_done = 1;
	memset(&r, 0, sizeof(r));
	if (select_sources(cl, now)) {
		r.ok = 1;
		r.offset_s = cl->sel.offset_s;
		if (cl->ctx->oneshot == 'q' && !cl->ctx->noclock) {
			memset(&a, 0, sizeof(a));
			a.what = DISC_ACT_STEP;
			a.step_offset_s = r.offset_s;
			apply(cl, &a, now);
			r.stepped = 1;
		}
	}
	ectx_priv_oneshot(cl->ctx, &r);
}

static void
oneshot_check(struct client *cl)
{
	const struct csrc	*s;
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!s->src.denied && sst_count(s->sst) < ONESHOT_SAMPLES &&
		    s->src.stats.tx < ONESHOT_POLLS)
			return;
	}
	oneshot_finish(cl);
}

static void
oneshot_timeout(evutil_socket_t fd, short ev, void *arg)
{
	oneshot_finish(arg);
}

/*
 * Select again and, when the new sample (from) is of a selected source,
 * update the clock; from NULL: a source just became unreachable.
 */
static void
reference(struct client *cl, const struct csrc *from)
{
	struct disc_input	 in;
	struct disc_actions	 a;
	const struct conf	*conf = cl->ctx->conf;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 was = cl->best;
	double			 left;

	if (cl->ctx->oneshot) {
		oneshot_check(cl);
		return;
	}
	if (!select_sources(cl, now)) {
		cl->best = -1;
		set_mode(cl, conf->local_set ? REF_LOCAL : REF_NONE);
		return;
	}
	cl->best = cl->sel.best;
	if (cl->best != was)
		log_info("selected source %s", cl->srcs[cl->best]->name);
	cl->mode = REF_SOURCES;
	update_leap(cl, now);
	if (from == NULL ||
	    (from->state != SEL_BEST && from->state != SEL_COMBINED))
		return;
	cl->ref_time_ns = now;
	left = vclock_slew_left(&cl->ctx->cs->model, sys_ns());
	memset(&in, 0, sizeof(in));
	in.now_ns = now;
	in.offset_s = cl->sel.offset_s;
	in.offset_sd_s = cl->sel.offset_sd_s;
	in.freq_ppm = cl->sel.freq_ppm;
	in.skew_ppm = cl->sel.skew_ppm;
	in.clock_freq_ppm = cl->ctx->cs->freq_ppm;
	in.updates = cl->ctx->cs->updates;
	in.slew_left_s = left;
	if (disc_update(cl->disc, &in, &a) == 0) {
		log_debug("update: offset %+.9f sd %.9f residual "
		    "frequency %+.4f skew %.4f -> slew %+.9f at %.1f "
		    "ppm, frequency %+.4f", in.offset_s,
		    in.offset_sd_s, in.freq_ppm, in.skew_ppm,
		    a.slew_offset_s, a.slew_rate_ppm, a.freq_ppm);
		if (a.what & DISC_ACT_EXIT) {
			/* as chronyd: the whole daemon stops */
			log_warnx("maxchange: offset %+.3f s again, "
			    "giving up", in.offset_s);
			ectx_priv_exit(cl->ctx);
			return;
		}
		if (a.what & DISC_ACT_IGNORE)
			log_warnx("maxchange: offset %+.3f s ignored",
			    in.offset_s);
		if (!(a.what & DISC_ACT_IGNORE))
			apply(cl, &a, now);
		cl->last = a;
	}
	log_tracking(cl, now, left);
	tell_sync(cl);
	ectx_ref_changed(cl->ctx);
}

/* The kernel's transmit timestamp of our request, from the error queue. */
static void
read_tx_time(struct csrc *s, int fd)
{
	struct scm_timestamping	 tss;
	char			 cbuf[256];
	struct msghdr		 m;
	struct cmsghdr		*c;

	memset(&m, 0, sizeof(m));
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
		return;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPING)
			continue;
		memcpy(&tss, CMSG_DATA(c), sizeof(tss));
		if (tss.ts[0].tv_sec != 0 && s->src.req.awaiting)
			s->tx_kernel = 1;
		if (tss.ts[0].tv_sec != 0)
			src_tx_time(&s->src, ectx_sys_to_ns(s->cl->ctx,
			    (int64_t)tss.ts[0].tv_sec * 1000000000LL +
			    tss.ts[0].tv_nsec));
	}
}

/*
 * 1 if the source has no key, or its key is in the keyfile; a source
 * with a key is never polled without it.
 */
static int
key_ready(struct csrc *s)
{
	if (s->conf->key == 0 || (s->cl->ctx->keys != NULL &&
	    ntpkeys_known(s->cl->ctx->keys, s->conf->key))) {
		s->key_missing = 0;
		return 1;
	}
	if (!s->key_missing)
		log_warnx("source %s: key %u is not in the keyfile; not "
		    "polled", s->name, (unsigned)s->conf->key);
	s->key_missing = 1;
	return 0;
}

/*
 * A source with a key: the answer's length without its MAC if the MAC
 * is ours and good, else 0 (dropped and counted).
 */
static size_t
mac_reply(struct csrc *s, const uint8_t *buf, size_t len)
{
	struct pkt	 p;

	if (s->cl->ctx->keys == NULL || pkt_decode(&p, buf, len) != PKT_OK ||
	    p.n_ef > 0 || ntpkeys_verify(s->cl->ctx->keys, buf, len,
	    p.mac_len, p.version) != s->conf->key)
		goto bad;
	s->mac_ok++;
	return len - p.mac_len;
bad:
	s->mac_failed++;
	log_debug("source %s: answer without a good MAC dropped", s->name);
	return 0;
}

/* An answer from s's server, on its connected socket. */
static void
handle_reply(struct csrc *s, uint8_t *buf, size_t n, struct msghdr *m)
{
	struct sst_sample	 sm;
	struct cmsghdr		*c;
	struct timespec		 ts = { 0, 0 };
	int64_t			 t4;
	enum sst_reason		 why;
	struct sst_est		 est;
	double			 predicted;

	/* SO_TIMESTAMPNS's, or SO_TIMESTAMPING's software one */
	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    (c->cmsg_type == SCM_TIMESTAMPNS ||
		    c->cmsg_type == SCM_TIMESTAMPING))
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
	s->rx_kernel = ts.tv_sec != 0;
	t4 = ts.tv_sec != 0 ? ectx_sys_to_ns(s->cl->ctx,
	    (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec) :
	    ectx_now_ns(s->cl->ctx);
	/* NTS: authenticated and ours, or dropped (counted there) */
	if (s->nts != NULL && !ntscl_response(s->nts, buf, n,
	    s->src.req.awaiting ? s->src.req.xmt : 0))
		return;
	/* a key: its MAC good, then the header alone */
	if (s->conf->key != 0 && (n = mac_reply(s, buf, n)) == 0)
		return;
	if (src_reply(&s->src, buf, n, t4, &sm) != SRC_OK)
		return;		/* counted in the source */
	s->error_s = sm.delay_s / 2 + sm.disp_s + sm.root_delay_s / 2 +
	    sm.root_disp_s;
	/* how well the samples before predicted this one: for the poll */
	predicted = sst_estimate(s->sst, sm.time_ns, &est) == 0 ?
	    est.offset_s : 0.0;
	why = sst_add(s->sst, &sm);
	log_measurement(s, &sm, buf, n, ts.tv_sec != 0, why != SST_OK);
	log_debug("source %s: offset %+.9f delay %.9f%s", s->name,
	    sm.offset_s, sm.delay_s, why == SST_DELAY_OUTLIER ?
	    " delay outlier" : "");
	if (why != SST_OK)
		return;
	src_adjust_poll(&s->src, sst_count(s->sst), sm.offset_s - predicted,
	    sm.delay_s / 2 + sm.disp_s);
	log_statistics(s, sm.time_ns);
	reference(s->cl, s);
}

static void
rx_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct csrc		*s = arg;
	uint8_t			 buf[PKT_MAX_LEN];
	char			 cbuf[256];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 m;
	ssize_t			 n;

	if (fd == s->fd && !s->cl->ctx->sim)
		read_tx_time(s, fd);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) <= 0 ||
	    blame_blocked((struct sockaddr *)&s->addr))
		return;
	blame_set(BLAME_NTP, (struct sockaddr *)&s->addr);
	handle_reply(s, buf, (size_t)n, &m);
	blame_clear();
}

/* Software transmit timestamps: when the request left, per the kernel. */
#define TX_TS_FLAGS	(SOF_TIMESTAMPING_TX_SOFTWARE | \
	SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY)
#define RX_TS_FLAGS	(SOF_TIMESTAMPING_RX_SOFTWARE | \
	SOF_TIMESTAMPING_SOFTWARE)

/* Our end of the connected socket, for ntpdata. */
static void
note_local(struct csrc *s)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	const void		*a;

	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	a = ss.ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)&ss)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)&ss)->sin6_addr;
	if (inet_ntop(ss.ss_family, a, s->local, sizeof(s->local)) == NULL)
		s->local[0] = '\0';
}

static int
open_socket(struct csrc *s)
{
	int	 on = 1, ts = TX_TS_FLAGS;

	/* The socket before stays open one poll more, for a late answer. */
	if (s->ev_old != NULL)
		event_free(s->ev_old);
	if (s->old_fd != -1)
		close(s->old_fd);
	s->old_fd = s->fd;
	s->ev_old = s->ev_rx;
	s->fd = -1;
	s->ev_rx = NULL;
	if ((s->fd = sock_open(s->addr.ss_family, SOCK_DGRAM)) == -1)
		return -1;
	/* connect: the kernel picks a random port, and filters replies */
	/*
	 * Without transmit timestamps the user-space time is used; in a
	 * simulation, receive timestamps alone (no error queue there).
	 */
	if (s->cl->ctx->sim)
		ts = RX_TS_FLAGS;
	setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts));
	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
	    sizeof(on)) == -1 ||
	    connect(s->fd, (struct sockaddr *)&s->addr, s->alen) == -1 ||
	    (s->ev_rx = event_new(s->cl->ctx->base, s->fd, EV_READ |
	    EV_PERSIST, rx_cb, s)) == NULL || event_add(s->ev_rx, NULL) == -1) {
		close_socket(s);
		return -1;
	}
	note_local(s);
	return 0;
}

/*
 * A source that stayed unreachable: a pool member gives its address up
 * for another of the pool's; a server name is looked up again.  A pool
 * member that stayed a falseticker goes the same way (why says which).
 */
static void
replace(struct csrc *s, const char *why)
{
	struct src_params	 p;
	struct in_addr		 a;
	struct in6_addr		 a6;

	if (s->conf->type == CONF_SRC_POOL) {
		log_info("pool %s: source %s %s, replacing it",
		    s->conf->name, s->name, why);
		s->false_polls = 0;
		close_socket(s);
		sst_reset(s->sst);
		s->have_est = 0;
		p = s->src.p;	/* src_init() clears what it is given */
		src_init(&s->src, &p, ectx_now_ns(s->cl->ctx));
		s->resolved = 0;
		s->gave_up = 1;		/* keeps addr, to skip it */
		s->state = SEL_UNUSABLE;
		snprintf(s->name, sizeof(s->name), "%s", s->conf->name);
		reference(s->cl, NULL);
		resolve(s);
		schedule(s, (int64_t)(src_interval_s(&s->src) * 8e9));
		return;
	}
	s->tx_at_resolve = s->src.stats.tx;
	if (inet_pton(AF_INET, s->conf->name, &a) != 1 &&
	    inet_pton(AF_INET6, s->conf->name, &a6) != 1)
		resolve(s);
	schedule(s, 0);
}

static void
poll_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct csrc	*s = arg;
	uint8_t		 pkt[PKT_MAX_LEN];
	size_t		 len = PKT_HDR_LEN;
	uint64_t	 xmt;
	int64_t		 t1;

	if (s->offline && s->src.burst_left == 0)
		return;		/* timectl online or burst schedules again */
	if (!s->resolved) {
		/* a pool member waiting for an address: ask again later */
		resolve(s);
		schedule(s, (int64_t)(src_interval_s(&s->src) * 8e9));
		return;
	}
	if (s->src.denied)
		return;
	if (s->src.reach == 0 &&
	    s->src.stats.tx - s->tx_at_resolve >= REPLACE_AFTER) {
		replace(s, "unreachable");
		return;
	}
	s->false_polls = s->state == SEL_FALSE ? s->false_polls + 1 : 0;
	if (s->conf->type == CONF_SRC_POOL &&
	    s->false_polls >= FALSE_REPLACE_AFTER) {
		replace(s, "a falseticker");
		return;
	}
	if (s->nts != NULL && ntscl_prepare(s->nts, &s->addr, &s->alen) == -1)
		return;		/* NTS-KE first; then nts_ready() */
	if (!key_ready(s)) {
		/* SIGHUP may bring the key */
		schedule(s, (int64_t)(src_interval_s(&s->src) * 1e9));
		return;
	}
	if (getrandom(&xmt, sizeof(xmt), 0) != sizeof(xmt))
		fatal("getrandom");
	s->tx_kernel = 0;
	if (open_socket(s) == -1) {
		log_debug("source %s: %s", s->name, strerror(errno));
		t1 = ectx_now_ns(s->cl->ctx);
		src_poll(&s->src, t1, xmt, pkt);	/* counts as lost */
	} else {
		t1 = ectx_now_ns(s->cl->ctx);
		src_poll(&s->src, t1, xmt, pkt);
		if (s->nts != NULL)
			len = ntscl_request(s->nts, pkt, sizeof(pkt));
		else if (s->conf->key != 0)
			len = ntpkeys_sign(s->cl->ctx->keys, s->conf->key,
			    pkt, len, 4);	/* src_poll: NTPv4 */
		if (len > 0 && send(s->fd, pkt, len, 0) == -1)
			log_debug("source %s: send: %s", s->name,
			    strerror(errno));
	}
	schedule(s, s->src.next_ns - t1);
	/* Eight polls missed in a row: select again (see candidate()). */
	if (s->src.reach == 0 && s->state != SEL_UNUSABLE)
		reference(s->cl, NULL);
}

static void
resolved(struct csrc *s, const struct sockaddr *sa, socklen_t len,
    uint16_t port)
{
	int	 was = s->resolved;

	memcpy(&s->addr, sa, len);
	s->alen = len;
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)&s->addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&s->addr)->sin6_port = htons(port);
	s->resolved = 1;
	s->gave_up = 0;
	s->tx_at_resolve = s->src.stats.tx;
	if (s->conf->type == CONF_SRC_POOL)	/* members show their address */
		address_of(s, s->name, sizeof(s->name));
	if (!was)
		schedule(s, 0);
}

static int
same_address(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return 0;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* A pool's answer: give its members without an address new ones. */
static void
fill_pool(struct client *cl, const struct conf_source *pool,
    const struct evutil_addrinfo *res)
{
	const struct evutil_addrinfo	*ai;
	struct csrc			*m;
	int				 i, used;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		used = 0;
		for (i = 0; i < cl->n; i++)
			if (cl->srcs[i]->conf == pool &&
			    (cl->srcs[i]->resolved || cl->srcs[i]->gave_up) &&
			    same_address(ai->ai_addr, &cl->srcs[i]->addr))
				used = 1;
		if (used)
			continue;
		for (i = 0, m = NULL; i < cl->n && m == NULL; i++)
			if (cl->srcs[i]->conf == pool && !cl->srcs[i]->resolved)
				m = cl->srcs[i];
		if (m == NULL)
			return;
		resolved(m, ai->ai_addr, ai->ai_addrlen, pool->port);
		log_info("pool %s: source %s", pool->name, m->name);
	}
}

static void
dns_cb(int err, struct evutil_addrinfo *res, void *arg)
{
	struct csrc		*s = arg;

	if (err == EVUTIL_EAI_CANCEL)
		return;		/* the source is gone */
	s->dns_req = NULL;
	if (err != 0 || res == NULL) {
		log_warnx("source %s: cannot resolve: %s", s->conf->name,
		    evutil_gai_strerror(err));
		return;
	}
	if (s->conf->type == CONF_SRC_POOL)
		fill_pool(s->cl, s->conf, res);
	else
		resolved(s, res->ai_addr, res->ai_addrlen, s->conf->port);
	evutil_freeaddrinfo(res);
}

/* clknetsim answers getaddrinfo(3) for its nodes' names, at once. */
static void
resolve_sim(struct csrc *s, const struct evutil_addrinfo *hints)
{
	struct addrinfo	*ai;

	if (getaddrinfo(s->conf->name, NULL, hints, &ai) != 0) {
		log_warnx("source %s: cannot resolve it", s->conf->name);
		return;
	}
	resolved(s, ai->ai_addr, ai->ai_addrlen, s->conf->port);
	freeaddrinfo(ai);
}

static void
resolve(struct csrc *s)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct evutil_addrinfo	 hints;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, s->conf->name, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		resolved(s, (struct sockaddr *)&sin, sizeof(sin), s->conf->port);
		return;
	}
	if (inet_pton(AF_INET6, s->conf->name, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		resolved(s, (struct sockaddr *)&sin6, sizeof(sin6),
		    s->conf->port);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (s->cl->ctx->sim) {
		resolve_sim(s, &hints);
		return;
	}
	if (s->cl->dns == NULL) {
		log_warnx("source %s: no resolver", s->conf->name);
		return;
	}
	if (s->dns_req != NULL)
		return;		/* one lookup at a time */
	/* dns_cb may run before this returns: it clears dns_req, too. */
	s->dns_req = evdns_getaddrinfo(s->cl->dns, s->conf->name, NULL,
	    &hints, dns_cb, s);
}

/* NTS-KE is done: poll now. */
static void
nts_ready(void *arg)
{
	struct csrc	*s = arg;

	if (s->cl->started && s->resolved && !s->offline)
		schedule(s, 0);
}

static struct csrc *
add_source(struct client *cl, const struct conf_source *cs)
{
	struct csrc		*s = xcalloc(1, sizeof(*s));
	struct src_params	 p;
	int			 oneshot = cl->ctx->oneshot != 0;

	s->cl = cl;
	s->conf = cs;
	s->fd = -1;
	s->old_fd = -1;
	s->state = SEL_UNUSABLE;
	snprintf(s->name, sizeof(s->name), "%s", cs->name);
	p.minpoll = cs->minpoll;
	p.maxpoll = cs->maxpoll;
	p.iburst = cs->iburst || oneshot;	/* -q/-Q: quick, as chronyd */
	p.maxdelay_s = cs->maxdelay_s;
	p.polltarget = cs->polltarget;
	p.xleave = cs->xleave;
	src_init(&s->src, &p, ectx_now_ns(cl->ctx));
	if ((s->sst = sst_new()) == NULL ||
	    (s->ev_poll = evtimer_new(cl->ctx->base, poll_cb, s)) == NULL)
		fatalx("client: out of memory");
	if (cs->nts)
		s->nts = ntscl_new(cl->ctx, cs, nts_ready, s);
	cl->srcs[cl->n++] = s;
	return s;
}

static struct disc *
make_disc(const struct conf *conf)
{
	struct disc_params	 p;

	memset(&p, 0, sizeof(p));
	p.makestep_set = conf->makestep_set;
	p.makestep_threshold_s = conf->makestep_threshold_s;
	p.makestep_limit = conf->makestep_limit;
	p.maxslewrate_ppm = conf->maxslewrate_ppm;
	p.maxupdateskew_ppm = conf->maxupdateskew_ppm;
	p.maxchange_set = conf->maxchange_set;
	p.maxchange_offset_s = conf->maxchange_offset_s;
	p.maxchange_start = conf->maxchange_start;
	p.maxchange_ignore = conf->maxchange_ignore;
	return disc_new(&p);
}

struct client *
client_new(struct ectx *ctx)
{
	struct client		*cl = xcalloc(1, sizeof(*cl));
	const struct conf_source *cs;
	int			 i;

	cl->ctx = ctx;
	cl->best = -1;
	cl->dns = ctx->dns;
	cl->mode = ctx->conf->local_set ? REF_LOCAL : REF_NONE;
	if ((cl->disc = make_disc(ctx->conf)) == NULL)
		fatalx("client: out of memory");
	/* A pool gives up to maxsources sources, filled as it resolves. */
	for (cs = ctx->conf->sources; cs != NULL; cs = cs->next)
		for (i = 0; i < (cs->type == CONF_SRC_POOL ? cs->maxsources :
		    1) && cl->n < SEL_MAX_SOURCES; i++)
			add_source(cl, cs);
	return cl;
}

void
client_start(struct client *cl)
{
	struct timeval	 tv = { ONESHOT_LIMIT_S, 0 };
	int		 i;

	cl->started = 1;
	for (i = 0; i < cl->n; i++)	/* a pool: its first member asks */
		if (i == 0 || cl->srcs[i]->conf != cl->srcs[i - 1]->conf)
			resolve(cl->srcs[i]);
	if (!cl->ctx->oneshot)
		return;
	if ((cl->ev_oneshot = evtimer_new(cl->ctx->base, oneshot_timeout,
	    cl)) == NULL || evtimer_add(cl->ev_oneshot, &tv) == -1)
		fatalx("client: event_new");
	if (cl->n == 0)
		oneshot_finish(cl);
}

void
client_refused(struct client *cl)
{
	int	 i;

	log_warnx("the monitor refused a correction: samples discarded");
	for (i = 0; i < cl->n; i++) {
		sst_reset(cl->srcs[i]->sst);
		cl->srcs[i]->have_est = 0;
	}
}

void
client_free(struct client *cl)
{
	int	 i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->n; i++) {
		if (cl->srcs[i]->dns_req != NULL)
			evdns_getaddrinfo_cancel(cl->srcs[i]->dns_req);
		close_socket(cl->srcs[i]);
		ntscl_free(cl->srcs[i]->nts);
		event_free(cl->srcs[i]->ev_poll);
		sst_free(cl->srcs[i]->sst);
		free(cl->srcs[i]);
	}
	if (cl->ev_oneshot != NULL)
		event_free(cl->ev_oneshot);
	disc_free(cl->disc);
	free(cl);
}

/* How fast the root dispersion grows from the selection on (s/s). */
static double
disp_rate(const struct client *cl)
{
	return (CLOCK_ERROR_PPM + cl->sel.skew_ppm) * 1e-6;
}

int
client_server_state(const struct client *cl, struct srv_state *st,
    int64_t *disp_ns, double *disp_rate_out)
{
	const struct csrc	*b;

	/*
	 * Not before the reference has a frequency estimate: a clock put
	 * right by its source's first sample still drifts at its own rate
	 * until the third (0.1 s off and 100 ppm fast, 6 ms by the next
	 * 64 s poll), and clients sampling it then kept those errors in
	 * their regressions for ten minutes.  chronyd serves as
	 * unsynchronised (or local) until then too.
	 */
	if (cl->mode != REF_SOURCES || cl->best < 0 ||
	    sst_count(cl->srcs[cl->best]->sst) < SST_MIN_SAMPLES)
		return 0;
	/* the dispersion grows from the selection on, as chrony's */
	*disp_ns = cl->sel_ns;
	*disp_rate_out = disp_rate(cl);
	b = cl->srcs[cl->best];
	st->leap = cl->leap;
	st->stratum = b->src.stratum + 1 > 15 ? 16 : b->src.stratum + 1;
	st->refid = refid_of(b);
	st->ref_ts = pkt_ts_from_ns(cl->ref_time_ns);
	st->root_delay_s = cl->sel.root_delay_s;
	st->root_disp_s = cl->sel.root_disp_s;
	return 1;
}

void
client_tracking(const struct client *cl, struct rpt_tracking *r)
{
	const struct conf	*conf = cl->ctx->conf;
	const struct csrc	*b;
	int64_t			 now;

	r->last_offset_s = cl->last.last_offset_s;
	r->rms_offset_s = cl->last.rms_offset_s;
	r->residual_freq_ppm = cl->last.residual_freq_ppm;
	r->update_interval_s = cl->last.update_interval_s;
	if (cl->mode == REF_SOURCES && cl->best >= 0) {
		b = cl->srcs[cl->best];
		r->ref_id = refid_of(b);
		snprintf(r->ref_name, sizeof(r->ref_name), "%s", b->name);
		address_of(b, r->ref_address, sizeof(r->ref_address));
		r->stratum = b->src.stratum + 1;
		r->ref_time = cl->ref_time_ns * 1e-9;
		r->root_delay_s = cl->sel.root_delay_s;
		/* grown since the selection, as in the answers */
		now = ectx_now_ns(cl->ctx);
		r->root_dispersion_s = cl->sel.root_disp_s +
		    (now > cl->sel_ns ? (now - cl->sel_ns) * 1e-9 : 0.0) *
		    disp_rate(cl);
		r->skew_ppm = cl->sel.skew_ppm;
		r->leap = cl->leap == PKT_LEAP_INSERT ? LEAP_INSERT :
		    cl->leap == PKT_LEAP_DELETE ? LEAP_DELETE : LEAP_NORMAL;
	} else if (cl->mode == REF_LOCAL) {
		r->ref_id = PKT_REFID_LOCAL;
		r->stratum = conf->local_stratum;
		r->ref_time = ectx_now_ns(cl->ctx) * 1e-9;
		r->leap = LEAP_NORMAL;
	}
}

void
client_set_makestep(struct client *cl, double threshold_s, int limit)
{
	disc_set_makestep(cl->disc, threshold_s, limit);
}



void
client_send_sourcestats(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_sourcestats	 r;
	struct sst_est		 e;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		address_of(s, r.address, sizeof(r.address));
		r.freq_skew_ppm = RPT_SKEW_UNKNOWN_PPM;
		r.stddev_s = RPT_STDDEV_UNKNOWN_S;
		if (sst_estimate(s->sst, now, &e) == 0) {
			r.n_samples = sst_count(s->sst);
			r.n_runs = e.runs;
			r.span_s = e.span_s;
			r.offset_s = e.offset_s;
		}
		/* no regression before three samples, as chronyd */
		if (r.n_samples >= SST_MIN_SAMPLES) {
			r.freq_ppm = e.freq_ppm;
			r.freq_skew_ppm = e.skew_ppm;
			r.stddev_s = e.stddev_s;
		}
		ectx_send(cl->ctx, IMSG_CTL_SOURCESTATS, peerid, &r,
		    sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

void
client_send_sources(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_source	 r;
	struct sst_est		 e;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		r.mode = RPT_MODE_SERVER;
		r.state = s->state;
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		address_of(s, r.address, sizeof(r.address));
		r.port = s->conf->port;
		r.stratum = s->src.stratum;
		r.poll = s->src.poll;
		r.reach = s->src.reach;
		r.last_rx_s = s->src.last_rx_ns == 0 ? -1.0 :
		    (now - s->src.last_rx_ns) * 1e-9;
		if (sst_estimate(s->sst, now, &e) == 0) {
			r.offset_s = e.last_adjusted_s;
			r.measured_offset_s = e.last_offset_s;
		}
		r.error_s = s->error_s;
		r.nts = s->nts != NULL;
		ectx_send(cl->ctx, IMSG_CTL_SOURCES, peerid, &r, sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

/* The source is the one named: by name, configured name or address. */
static int
matches(const struct csrc *s, const char *which)
{
	char	 addr[RPT_ADDR_MAX];

	if (which[0] == '\0')
		return 1;
	address_of(s, addr, sizeof(addr));
	return strcmp(s->name, which) == 0 ||
	    strcmp(s->conf->name, which) == 0 ||
	    (addr[0] != '\0' && strcmp(addr, which) == 0);
}

void
client_activity(const struct client *cl, struct rpt_activity *r)
{
	const struct csrc	*s;
	int			 i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!s->resolved)
			r->unresolved++;
		else if (s->src.burst_left > 0 && s->offline)
			r->burst_offline++;
		else if (s->src.burst_left > 0)
			r->burst_online++;
		else if (s->offline)
			r->offline++;
		else
			r->online++;
	}
}

static int
leap_of(int pkt_leap)
{
	switch (pkt_leap) {
	case PKT_LEAP_INSERT:
		return LEAP_INSERT;
	case PKT_LEAP_DELETE:
		return LEAP_DELETE;
	case PKT_LEAP_UNSYNC:
		return LEAP_UNSYNC;
	default:
		return LEAP_NORMAL;
	}
}

/* An address as a reference ID: IPv4 itself, IPv6 a hash (RFC 5905). */
static uint32_t
addr_refid(const char *text)
{
	struct in_addr	 a;
	struct in6_addr	 a6;
	uint32_t	 h = 2166136261u;
	int		 i;

	if (inet_pton(AF_INET, text, &a) == 1)
		return ntohl(a.s_addr);
	if (inet_pton(AF_INET6, text, &a6) != 1)
		return 0;
	for (i = 0; i < 16; i++)
		h = (h ^ a6.s6_addr[i]) * 16777619u;
	return h;
}

static void
ntpdata(const struct csrc *s, struct rpt_ntpdata *r)
{
	const struct src_last	*l = &s->src.last;
	const struct src_stats	*st = &s->src.stats;
	struct sst_est		 e;
	int64_t			 ref_ns;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", s->name);
	if (sst_estimate(s->sst, ectx_now_ns(s->cl->ctx), &e) == 0)
		r->jitter_asymmetry = e.asymmetry;
	address_of(s, r->remote_address, sizeof(r->remote_address));
	r->remote_refid = refid_of(s);
	r->remote_port = s->conf->port;
	r->total_tx = st->tx;
	r->total_rx = st->rx;
	r->total_valid_rx = st->rx - st->refused[SRC_MALFORMED] -
	    st->refused[SRC_DUPLICATE] - st->refused[SRC_BOGUS];
	r->total_good_rx = st->valid;
	r->authenticated = s->nts != NULL ? ntscl_authenticated(s->nts) :
	    s->conf->key != 0 && s->mac_ok > 0;
	/* what chronyd says before a reply: no address, no timestamps */
	r->tx_tss = r->rx_tss = RPT_TSS_NONE;
	if (!l->have)
		return;
	r->have_reply = 1;
	snprintf(r->local_address, sizeof(r->local_address), "%s", s->local);
	r->local_refid = addr_refid(s->local);
	r->tx_tss = s->tx_kernel ? RPT_TSS_KERNEL : RPT_TSS_DAEMON;
	r->rx_tss = s->rx_kernel ? RPT_TSS_KERNEL : RPT_TSS_DAEMON;
	r->leap = leap_of(l->pkt.leap);
	r->version = l->pkt.version;
	r->mode = l->pkt.mode;
	r->stratum = l->pkt.stratum;
	r->poll = l->pkt.poll;
	r->precision = l->pkt.precision;
	r->root_delay_s = pkt_short_to_s(l->pkt.root_delay);
	r->root_dispersion_s = pkt_short_to_s(l->pkt.root_disp);
	r->ref_id = l->pkt.refid;
	ref_ns = pkt_ts_to_ns(l->pkt.ref_ts, s->src.req.t1_ns);
	r->ref_time = l->pkt.ref_ts == 0 ? 0.0 : ref_ns * 1e-9;
	r->offset_s = l->offset_s;
	r->peer_delay_s = l->delay_s;
	r->peer_dispersion_s = l->disp_s;
	r->response_time_s = l->response_s;
	r->interleaved = l->interleaved;
	r->tests = l->tests;
}

int
client_send_ntpdata(const struct client *cl, const char *which,
    uint32_t peerid)
{
	struct rpt_ntpdata	 r;
	int			 i, n = 0;

	for (i = 0; i < cl->n; i++) {
		if (!cl->srcs[i]->resolved || !matches(cl->srcs[i], which))
			continue;
		ntpdata(cl->srcs[i], &r);
		ectx_send(cl->ctx, IMSG_CTL_NTPDATA, peerid, &r, sizeof(r));
		n++;
	}
	if (n > 0 || which[0] == '\0')
		ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
	return n;
}

int
client_burst(struct client *cl, const char *which, int good, int max)
{
	struct csrc	*s;
	int		 i, n = 0;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!matches(s, which))
			continue;
		n++;
		src_burst(&s->src, good, max);	/* offline: then offline again */
		if (cl->started && s->resolved)
			schedule(s, 0);
	}
	return n;
}

static void
set_online(struct csrc *s, int online)
{
	if (s->offline == !online)
		return;
	s->offline = !online;
	log_info("source %s %s", s->name, online ? "online" : "offline");
	if (online && s->cl->started)
		schedule(s, 0);
	else if (!online && s->src.burst_left == 0)
		evtimer_del(s->ev_poll);	/* a burst ends first */
}

int
client_set_online(struct client *cl, const char *which, int online)
{
	int	 i, n = 0;

	for (i = 0; i < cl->n; i++)
		if (matches(cl->srcs[i], which)) {
			set_online(cl->srcs[i], online);
			n++;
		}
	return n;
}

/* chronyd's test: a route to the source is one a UDP socket connects. */
static int
routable(const struct csrc *s)
{
	int	 fd, ok;

	if ((fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC,
	    0)) == -1)
		return 1;	/* cannot tell: leave it polled */
	ok = connect(fd, (const struct sockaddr *)&s->addr, s->alen) == 0 ||
	    (errno != ENETUNREACH && errno != EHOSTUNREACH &&
	    errno != EADDRNOTAVAIL);
	close(fd);
	return ok;
}

void
client_onoffline(struct client *cl)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->resolved)
			set_online(cl->srcs[i], routable(cl->srcs[i]));
}

void
client_reset_sources(struct client *cl)
{
	struct csrc	*s;
	int		 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		sst_reset(s->sst);
		s->have_est = 0;
		s->state = SEL_UNUSABLE;
		s->false_polls = 0;
		s->src.reach = 0;
		s->src.last_rx_ns = 0;
		s->tx_at_resolve = s->src.stats.tx;	/* not unreachable */
	}
	cl->best = -1;
	reference(cl, NULL);
}

static void
remove_at(struct client *cl, int i)
{
	struct csrc	*s = cl->srcs[i];

	log_info("source %s removed", s->name);
	if (s->dns_req != NULL)
		evdns_getaddrinfo_cancel(s->dns_req);
	close_socket(s);
	ntscl_free(s->nts);
	event_free(s->ev_poll);
	sst_free(s->sst);
	free(s);
	memmove(&cl->srcs[i], &cl->srcs[i + 1], (cl->n - i - 1) *
	    sizeof(cl->srcs[0]));
	cl->n--;
}

void
client_del_source(struct client *cl, const struct conf_source *cs)
{
	struct conf_source	**pp, *c;
	int			  i, removed = 0;

	for (pp = &cl->ctx->conf->sources; (c = *pp) != NULL; ) {
		if (!conf_source_equal(c, cs)) {
			pp = &c->next;
			continue;
		}
		for (i = 0; i < cl->n; )
			if (cl->srcs[i]->conf == c) {
				remove_at(cl, i);
				removed = 1;
			} else
				i++;
		*pp = c->next;
		free(c->name);
		free(c);
		break;
	}
	if (!removed)
		return;
	/* Indices moved: select again from scratch. */
	cl->best = -1;
	reference(cl, NULL);
}

void
client_add_source(struct client *cl, struct conf_source *cs)
{
	struct conf_source	**pp;
	int			  i, first = cl->n;

	for (pp = &cl->ctx->conf->sources; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = cs;
	cs->next = NULL;
	for (i = 0; i < (cs->type == CONF_SRC_POOL ? cs->maxsources : 1); i++) {
		if (cl->n >= SEL_MAX_SOURCES) {
			log_warnx("source %s: more than %d sources", cs->name,
			    SEL_MAX_SOURCES);
			break;
		}
		add_source(cl, cs);
	}
	if (cl->n > first) {
		log_info("source %s added", cs->name);
		if (cl->started)
			resolve(cl->srcs[first]);
	}
}

/* chronyc selectdata's letter for a source; c: its candidate now. */
static char
select_state(const struct csrc *s, const struct sel_cand *c, int usable)
{
	if (s->conf->noselect)
		return 'N';
	/* never answered: unsynchronised, as chronyd, once it selected */
	if (s->src.denied || (s->src.stats.valid > 0 ?
	    s->src.leap == PKT_LEAP_UNSYNC : s->cl->sel_ns != 0))
		return 's';
	if (!usable)
		return 'M';
	if (sel_distance(c) > s->cl->ctx->conf->maxdistance_s)
		return 'd';
	switch (s->state) {
	case SEL_BEST:
	case SEL_COMBINED:
	case SEL_FALSE:
	case SEL_JITTERY:
		return s->state;
	case SEL_NOTCOMB:
		return 'D';
	}
	return '?';
}

void
client_send_selectdata(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_selectdata	 r;
	struct sel_cand		 c;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 i, usable;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		address_of(s, r.address, sizeof(r.address));
		usable = candidate(s, now, &c);
		r.state = select_state(s, &c, usable);
		r.authenticated = s->nts != NULL || s->conf->key != 0;
		r.conf_options = (s->conf->noselect ? RPT_SELOPT_NOSELECT : 0) |
		    (s->conf->prefer ? RPT_SELOPT_PREFER : 0);
		r.eff_options = r.conf_options;
		r.last_sample_s = s->src.last_rx_ns == 0 ? -1.0 :
		    (now - s->src.last_rx_ns) * 1e-9;
		r.score = 1.0;
		if (usable) {
			r.lo_limit_s = c.offset_s - sel_distance(&c);
			r.hi_limit_s = c.offset_s + sel_distance(&c);
		}
		r.leap = s->src.stats.valid == 0 ? LEAP_UNSYNC :
		    leap_of(s->src.leap);
		ectx_send(cl->ctx, IMSG_CTL_SELECTDATA, peerid, &r,
		    sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

int
client_source_name(const struct client *cl, const char *which,
    struct rpt_sourcename *r)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (which[0] != '\0' && matches(cl->srcs[i], which)) {
			snprintf(r->name, sizeof(r->name), "%s",
			    cl->srcs[i]->conf->name);
			return 0;
		}
	return -1;
}

/* authdata of a source with a key: chronyc's type numbers. */
static void
key_report(const struct csrc *s, struct rpt_authdata *r)
{
	static const int	 chrony_type[] = {
		[NTPKEY_MD5] = 1, [NTPKEY_SHA1] = 2, [NTPKEY_SHA256] = 3,
		[NTPKEY_SHA384] = 4, [NTPKEY_SHA512] = 5,
		[NTPKEY_AES128] = 13, [NTPKEY_AES256] = 14
	};
	int			 type, bits;

	r->mode = RPT_AUTH_SYMMETRIC;
	r->key_id = s->conf->key;
	if (s->cl->ctx->keys != NULL &&
	    ntpkeys_info(s->cl->ctx->keys, s->conf->key, &type, &bits) == 0 &&
	    type > 0 && type <= NTPKEY_AES256) {
		r->key_type = chrony_type[type];
		r->key_bits = bits;
	}
	r->auth_ok = s->mac_ok;
	r->auth_failed = s->mac_failed;
}

void
client_send_authdata(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_authdata	 r;
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		address_of(s, r.address, sizeof(r.address));
		r.last_ke_s = -1.0;
		if (s->nts != NULL)
			ntscl_report(s->nts, &r);
		else if (s->conf->key != 0)
			key_report(s, &r);
		ectx_send(cl->ctx, IMSG_CTL_AUTHDATA, peerid, &r, sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

void
client_nts_dump(struct client *cl)
{
	struct nts_dump	 d;
	int		 i;

	for (i = 0; i < cl->n; i++) {
		if (cl->srcs[i]->nts == NULL ||
		    ntscl_dump(cl->srcs[i]->nts, &d) == -1)
			continue;
		ectx_send(cl->ctx, IMSG_NTS_CLIENT_DUMP, 0, &d, sizeof(d));
		explicit_bzero(&d, sizeof(d));
	}
}

void
client_nts_trust_changed(struct client *cl, int certset)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->nts != NULL &&
		    cl->srcs[i]->conf->certset == certset)
			ntscl_trust_changed(cl->srcs[i]->nts);
}

void
client_nts_restore(struct client *cl, const struct nts_dump *d)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->nts != NULL &&
		    strcmp(cl->srcs[i]->conf->name, d->name) == 0) {
			(void)ntscl_restore(cl->srcs[i]->nts, d);
			return;
		}
}
