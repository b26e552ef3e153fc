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
 * The client's reference: the sources' estimates through lib/sel, the
 * selection through lib/disc, and its actions as requests to the
 * monitor (ectx.h); the reference mode (sources, local, none), the leap
 * second, -q/-Q, and what the server says about the reference.
 */

#include <sys/time.h>
#include <math.h>
#include <string.h>

#include <event2/event.h>

#include "client.h"
#include "client_int.h"
#include "disc.h"
#include "ectx.h"
#include "hwif.h"
#include "log.h"
#include "sel.h"
#include "src.h"
#include "sst.h"
#include "tzif.h"
#include "vclock.h"

#define CLOCK_ERROR_PPM	1.0	/* dispersion growth of our own clock */
#define ONESHOT_SAMPLES	4	/* -q/-Q: samples from each source, */
#define ONESHOT_POLLS	8	/* or this many polls, then decide */

/*
 * Before a source has a regression (SST_MIN_SAMPLES), its offset alone
 * moves the clock only when it is this large: chronyd waits for three
 * samples; so does timed, but a start 0.1 s off is put right at once
 * (with 20% of the packets lost, three samples took minutes).  Small
 * offsets wait: early corrections made the first regression of an
 * interleaved source (whose samples come a poll late) and the selection
 * among falsetickers worse.  A source selected already stays a candidate
 * (its correction leaves it a small offset), or the daemon would drop to
 * unsynchronised until its third sample.  And once one early source is a
 * candidate, all are (early_all, select_sources()): after a start put
 * right by the true servers' first samples, a server 1 s off was the
 * only early source far off, and alone it was selected and stepped the
 * clock back and forth (e2e 040 under load); the others' small offsets
 * must outvote it.  For the same reason no early source is a candidate
 * while another's first request is about to leave
 * (client_first_pending()): with requests 0.2 s apart the first answer
 * came alone, and a falseticker 1 s off started a slew the others then
 * took back (chrony's 009-sourceselection).
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
int
client_candidate(const struct csrc *s, int64_t now, struct sel_cand *c)
{
	struct sst_est	 e;

	memset(c, 0, sizeof(*c));
	c->noselect = s->conf->noselect;
	c->prefer = s->conf->prefer;
	c->trust = s->conf->trust;
	c->require = s->conf->require;
	if ((s->src.reach == 0 && (s->cl->ctx->conf->local_set ||
	    s->src.stats.valid == 0)) || s->src.denied ||
	    s->src.leap == PKT_LEAP_UNSYNC ||
	    sst_estimate(s->sst, now, &e) == -1 ||
	    (e.n < SST_MIN_SAMPLES && fabs(e.offset_s) < EARLY_MIN_S &&
	    s->state != SEL_BEST && s->state != SEL_COMBINED &&
	    !s->cl->early_all) ||
	    (e.n < SST_MIN_SAMPLES && (s->cl->first_pending ||
	    s->cl->init == INIT_RUNNING)))
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

/* The clock was corrected at now: every time kept is re-expressed. */
static void
corrected(struct client *cl, int64_t now, double dfreq, double doff)
{
	int	 i;

	for (i = 0; i < cl->n; i++) {
		sst_correct(cl->srcs[i]->sst, now, dfreq, doff);
		src_correct(&cl->srcs[i]->src, now, dfreq, doff);
		if (cl->srcs[i]->rc != NULL)
			client_rc_correct(cl->srcs[i], now, dfreq, doff);
	}
	/* the cards' clocks are tracked against the engine's */
	hwif_correct(cl->ctx->hw, now, dfreq, doff);
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
	int64_t			 sys = ectx_sys_ns();
	int			 provisional;

	/*
	 * From one sample: chronyd's first update comes from three.
	 * initstepslew's is not counted either (makestep's limit counts
	 * from the configured sources' first, as chronyd's), and the
	 * monitor allows its step because it is the first of all.
	 */
	provisional = !sst_freq_known(cl->srcs[cl->sel.best]->sst) ||
	    cl->init == INIT_RUNNING;
	if (a->what & DISC_ACT_STEP) {
		doff = a->step_offset_s;
		ectx_priv_step(ctx, sys, doff, provisional);
	} else if (a->what & DISC_ACT_SLEW) {
		doff = a->slew_offset_s;
		ectx_priv_slew(ctx, sys, doff, a->slew_rate_ppm, provisional);
	}
	if (a->what & DISC_ACT_FREQ) {
		dfreq = disc_rel_freq(ctx->cs->freq_ppm, a->freq_ppm);
		ectx_priv_freq(ctx, sys, a->freq_ppm, a->skew_ppm);
	}
	/* smoothtime: the server hides the correction, or serves the step */
	if (a->what & DISC_ACT_STEP)
		ectx_smooth_reset(ctx, ectx_now_ns(ctx));
	else
		ectx_smooth_correct(ctx, ectx_now_ns(ctx), doff, dfreq,
		    cl->sel.skew_ppm);
	corrected(cl, now, dfreq, doff);
}

/* ev fires in wait_s, or never if wait_s < 0. */
static void
arm(struct event *ev, double wait_s)
{
	struct timeval	 tv;

	evtimer_del(ev);
	if (wait_s < 0.0)
		return;
	tv.tv_sec = (time_t)wait_s;
	tv.tv_usec = (suseconds_t)((wait_s - (double)tv.tv_sec) * 1e6);
	evtimer_add(ev, &tv);
}

/*
 * fallbackdrift: 2^i s after the last update, the clock takes its mean
 * frequency over 2^i s (lib/fbdrift.c).  Whether it still counts as
 * synchronised is timed's usual rule (the selection's), not chronyd's.
 */
static void
fallback_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct client	*cl = arg;
	struct ectx	*ctx = cl->ctx;
	int64_t		 now = ectx_now_ns(ctx);
	double		 freq, wait, dfreq;

	if (fbdrift_due(&cl->fb, (now - cl->fb_update_ns) * 1e-9, &freq,
	    &wait)) {
		log_info("no update for %.0f s: frequency %+.3f ppm, the "
		    "mean over 2^%d s (fallbackdrift)",
		    (now - cl->fb_update_ns) * 1e-9, freq, cl->fb.next);
		dfreq = disc_rel_freq(ctx->cs->freq_ppm, freq);
		ectx_priv_freq(ctx, ectx_sys_ns(), freq, cl->sel.skew_ppm);
		ectx_smooth_correct(ctx, now, 0.0, dfreq, cl->sel.skew_ppm);
		corrected(cl, now, dfreq, 0.0);
	}
	arm(cl->ev_fb, wait);
}

/* An update of the clock: into the averages, the first one due next. */
static void
fallback_update(struct client *cl, int64_t now)
{
	if (cl->fb.min == 0)
		return;
	if (cl->fb_update_ns != 0)
		fbdrift_update(&cl->fb, cl->ctx->cs->freq_ppm,
		    (now - cl->fb_update_ns) * 1e-9);
	cl->fb_update_ns = now;
	if (cl->ev_fb == NULL && (cl->ev_fb = evtimer_new(cl->ctx->base,
	    fallback_cb, cl)) == NULL)
		fatalx("client: out of memory");
	fallback_cb(-1, 0, cl);
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

/*
 * leapsecmode slew: at the leap, the engine slews the clock by it at
 * maxslewrate (an inserted second: the clock is a second ahead), hidden
 * from the clients with smoothtime; its local times move with its
 * clock.  The samples stay: their offsets are as true after as before
 * (both the clock and the time of the sources went back by it).  ignore:
 * nothing, the sources' offsets will say it.
 */
static void
leap_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct client	*cl = arg;
	struct ectx	*ctx = cl->ctx;
	int64_t		 now;
	int		 leap, i;

	leap = cl->leap == PKT_LEAP_INSERT ? 1 : cl->leap == PKT_LEAP_DELETE ?
	    -1 : 0;
	if (leap == 0)
		return;
	/* the timer keeps the monotonic clock: the clock may have moved */
	now = ectx_now_ns(ctx);
	if (now < cl->leap_at_ns - 1000000LL) {
		arm(cl->ev_leap, (cl->leap_at_ns - now) * 1e-9);
		return;
	}
	if (ctx->conf->leapsecmode == CONF_LEAP_IGNORE) {
		log_warnx("leap second: ignored (leapsecmode ignore)");
	} else {
		log_warnx("leap second: slewing the clock by %+d s", -leap);
		ectx_priv_slew(ctx, ectx_sys_ns(), leap,
		    ctx->conf->maxslewrate_ppm, 0);
		now = ectx_now_ns(ctx);
		ectx_smooth_leap(ctx, now, leap);
		for (i = 0; i < cl->n; i++)
			src_correct(&cl->srcs[i]->src, now, 0.0, leap);
		hwif_correct(ctx->hw, now, 0.0, leap);
	}
	cl->leap = PKT_LEAP_NONE;
	ectx_ref_changed(ctx);
}

/* The next leap is at the end of this UTC day (23:59:59 if deleted). */
static void
leap_arm(struct client *cl, int64_t now)
{
	int64_t	 day = 86400LL * 1000000000LL, when;

	if (cl->ev_leap == NULL && (cl->ev_leap = evtimer_new(cl->ctx->base,
	    leap_cb, cl)) == NULL)
		fatalx("client: out of memory");
	if (cl->leap == PKT_LEAP_NONE) {
		arm(cl->ev_leap, -1.0);
		return;
	}
	when = (now / day + 1) * day;
	if (cl->leap == PKT_LEAP_DELETE)
		when -= 1000000000LL;
	cl->leap_at_ns = when;
	arm(cl->ev_leap, (when - now) * 1e-9);
}

/* Arm (or disarm) a leap second the truechimers' majority announces. */
static void
update_leap(struct client *cl, int64_t now)
{
	struct sel_cand	 c[SEL_MAX_SOURCES];
	int		 leaps[SEL_MAX_SOURCES], i, leap;
	struct req_leap	 r;

	if (cl->ctx->leaps->n > 0) {
		/* leapsectz: the time zone decides, as chrony's */
		i = tzif_leap_today(cl->ctx->leaps->leaps, cl->ctx->leaps->n,
		    now / 1000000000LL);
		leap = i > 0 ? PKT_LEAP_INSERT : i < 0 ? PKT_LEAP_DELETE :
		    PKT_LEAP_NONE;
	} else {
		for (i = 0; i < cl->n; i++) {
			leaps[i] = cl->srcs[i]->src.leap;
			memset(&c[i], 0, sizeof(c[i]));
			c[i].trust = cl->srcs[i]->conf->trust;
		}
		leap = sel_leap(&cl->sel, c, leaps, cl->n,
		    now / 1000000000LL);
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
	/* the kernel's, or the engine's at the day's end (leap_cb()) */
	if (cl->ctx->conf->leapsecmode != CONF_LEAP_SYSTEM) {
		r.leap = LEAP_NORMAL;
		leap_arm(cl, now);
	}
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
		client_log_unsync(cl, ectx_now_ns(cl->ctx));
	cl->mode = mode;
	tell_sync(cl);
	ectx_ref_changed(cl->ctx);
}

/*
 * local ... orphan, as chronyd's: an NTP source at our local stratum or
 * above serves a local clock (an orphan), or follows one; it is no
 * candidate.  With no other candidate, the reachable orphan at our
 * local stratum with the smallest reference ID (its address) is one, if
 * that ID is smaller than ours toward it: a group of servers polling
 * each other, with no source beyond, follow the one of them with the
 * smallest address, and it serves its local clock.
 */
int
client_orphan(const struct csrc *s, const struct sel_cand *c)
{
	const struct conf	*conf = s->cl->ctx->conf;

	return conf->local_set && conf->local_orphan && s->rc == NULL &&
	    c->usable && c->stratum >= conf->local_stratum;
}

static void
orphans(struct client *cl, struct sel_cand *c)
{
	const struct csrc	*s;
	int			 i, o = -1, others = 0;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!client_orphan(s, &c[i])) {
			others += c[i].usable && !c[i].noselect;
			continue;
		}
		c[i].usable = 0;
		if (c[i].stratum == cl->ctx->conf->local_stratum &&
		    s->src.reach != 0 && (o < 0 ||
		    client_refid_of(s) < client_refid_of(cl->srcs[o])))
			o = i;
	}
	if (o >= 0 && others == 0 && cl->srcs[o]->local_refid != 0 &&
	    client_refid_of(cl->srcs[o]) < cl->srcs[o]->local_refid)
		c[o].usable = 1;
}

static int
select_sources(struct client *cl, int64_t now)
{
	struct sel_cand		 c[SEL_MAX_SOURCES];
	struct sel_params	 p;
	const struct conf	*conf = cl->ctx->conf;
	int			 i, ok;

	memset(&p, 0, sizeof(p));
	p.minsources = conf->minsources;
	p.maxdistance_s = conf->maxdistance_s;
	p.combinelimit = conf->combinelimit;
	p.reselectdist_s = conf->reselectdist_s;
	p.stratumweight_s = conf->stratumweight_s;
	p.maxclockerror_ppm = CLOCK_ERROR_PPM;
	p.prev_best = cl->best;
	p.maxjitter_s = conf->maxjitter_s;
	cl->first_pending = client_first_pending(cl);
	/*
	 * The early sources with small offsets vote too (early_all) when
	 * one early source is a candidate, and when without them there is
	 * no selection: two falsetickers with three samples each and two
	 * of three truechimers were no majority while the third still had
	 * two (chrony's 009-sourceselection).
	 */
	for (cl->early_all = 0; ; cl->early_all = 1) {
		for (i = 0; i < cl->n; i++)
			client_candidate(cl->srcs[i], now, &c[i]);
		orphans(cl, c);
		for (i = 0; !cl->early_all && i < cl->n; i++)
			if (c[i].usable &&
			    sst_count(cl->srcs[i]->sst) < SST_MIN_SAMPLES)
				break;
		if (!cl->early_all && i < cl->n)
			continue;
		ok = sel_run(&p, c, cl->n, &cl->sel) == SEL_OK;
		if (ok || cl->early_all)
			break;
	}
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
void
client_oneshot_finish(struct client *cl)
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

/* maxsamples below ONESHOT_SAMPLES: as many as the regression holds */
static int
oneshot_samples(const struct csrc *s)
{
	int	 max = s->conf->maxsamples != 0 ? s->conf->maxsamples :
		    s->cl->ctx->conf->maxsamples;

	return max > 0 && max < ONESHOT_SAMPLES ? max : ONESHOT_SAMPLES;
}

static void
oneshot_check(struct client *cl)
{
	const struct csrc	*s;
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!s->src.denied && sst_count(s->sst) < oneshot_samples(s) &&
		    s->src.stats.tx < ONESHOT_POLLS)
			return;
	}
	client_oneshot_finish(cl);
}

/*
 * An initstepslew host that can no longer be selected in its first
 * INIT_POLLS polls, as chronyd's special_mode_end(): a host that answers
 * is given its first INIT_POLLS answers, one that does not enough polls
 * to still give SST_MIN_SAMPLES; one that refuses us, or whose name did
 * not resolve, none.  INIT_POLLS is the iburst and three polls more, as
 * chronyd's 7 (its burst is 4 good samples, timed's 5: src.h).
 */
#define INIT_POLLS	(SRC_IBURST_GOOD + 3)

/* The polls answered, or whose answer is overdue. */
static uint64_t
polls_done(const struct csrc *s)
{
	return s->src.stats.tx - (s->src.req.awaiting ? 1 : 0);
}

static int
init_spent(const struct csrc *s)
{
	uint64_t	 done = polls_done(s);

	if (s->src.denied || (!s->resolved && s->dns_req == NULL))
		return 1;
	return done >= INIT_POLLS ||
	    s->src.stats.valid + (INIT_POLLS - done) < SST_MIN_SAMPLES;
}

/*
 * A host short of SST_MIN_SAMPLES that answered every poll will have them
 * soon: the selection waits for it, as chronyd's waits for a source with
 * too few samples whose reachability keeps up with the others'.  With
 * requests 0.2 s apart, the first host's third sample came alone, and a
 * falseticker alone was selected.
 */
static int
init_waits(const struct csrc *s)
{
	return !init_spent(s) && sst_count(s->sst) < SST_MIN_SAMPLES &&
	    s->src.stats.valid >= polls_done(s);
}

/*
 * initstepslew: its hosts' first selection (of sources with three
 * samples: client_candidate()) corrects the clock, by a step if the
 * offset is the threshold or more, else by a slew at maxslewrate, as
 * chronyd's; with no selection possible, the clock is left alone.  The
 * messages are chronyd's.
 */
void
client_init_check(struct client *cl)
{
	struct disc_actions	 a;
	int64_t			 now = ectx_now_ns(cl->ctx);
	double			 off;
	int			 i, step;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->init && init_waits(cl->srcs[i]))
			return;
	if (select_sources(cl, now)) {
		off = cl->sel.offset_s;
		step = fabs(off) >= cl->ctx->conf->initstepslew_s;
		log_info("System's initial offset : %.6f seconds %s of true "
		    "(%s)", fabs(off), off >= 0.0 ? "fast" : "slow",
		    step ? "step" : "slew");
		memset(&a, 0, sizeof(a));
		if (step) {
			a.what = DISC_ACT_STEP;
			a.step_offset_s = off;
		} else {
			a.what = DISC_ACT_SLEW;
			a.slew_offset_s = off;
			a.slew_rate_ppm = cl->ctx->conf->maxslewrate_ppm;
		}
		apply(cl, &a, now);
		client_init_end(cl);
		return;
	}
	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->init && !init_spent(cl->srcs[i]))
			return;
	log_warnx("No suitable source for initstepslew");
	client_init_end(cl);
}

/*
 * Select again and, when the new sample (from) is of a selected source,
 * update the clock; from NULL: a source just became unreachable.
 */
void
client_reference(struct client *cl, const struct csrc *from)
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
	if (cl->init == INIT_RUNNING) {
		client_init_check(cl);
		return;
	}
	if (cl->init == INIT_SWITCHING)
		return;		/* the hosts' samples: no more updates */
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
	left = vclock_slew_left(&cl->ctx->cs->model, ectx_sys_ns());
	memset(&in, 0, sizeof(in));
	in.now_ns = now;
	in.offset_s = cl->sel.offset_s;
	in.offset_sd_s = cl->sel.offset_sd_s;
	in.freq_ppm = cl->sel.freq_ppm;
	in.skew_ppm = cl->sel.skew_ppm;
	in.clock_freq_ppm = cl->ctx->cs->freq_ppm;
	in.updates = cl->ctx->cs->updates;
	in.applied = ectx_updates(cl->ctx);
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
		if (!(a.what & DISC_ACT_IGNORE)) {
			apply(cl, &a, now);
			fallback_update(cl, now);
		}
		cl->last = a;
	}
	client_log_tracking(cl, now, left);
	tell_sync(cl);
	ectx_ref_changed(cl->ctx);
}

/* How fast the root dispersion grows from the selection on (s/s). */
double
client_disp_rate(const struct client *cl)
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
	 * until the second (0.1 s off and 100 ppm fast, 6 ms by the next
	 * 64 s poll), and clients sampling it then kept those errors in
	 * their regressions for ten minutes.  chronyd serves as
	 * unsynchronised (or local) until its third sample; from the
	 * second, leaves behind timed synchronised a poll sooner (chain:
	 * 196 s to 131).
	 */
	if (cl->mode != REF_SOURCES || cl->best < 0 ||
	    !sst_freq_known(cl->srcs[cl->best]->sst))
		return 0;
	/* the dispersion grows from the selection on, as chrony's */
	*disp_ns = cl->sel_ns;
	*disp_rate_out = client_disp_rate(cl);
	b = cl->srcs[cl->best];
	st->leap = cl->leap;
	/* a leap the engine slews and smooths is no leap to the clients */
	if (cl->ctx->conf->leapsecmode == CONF_LEAP_SLEW &&
	    smooth_enabled(&cl->ctx->smooth))
		st->leap = PKT_LEAP_NONE;
	st->stratum = b->src.stratum + 1 > 15 ? 16 : b->src.stratum + 1;
	st->refid = client_refid_of(b);
	st->ref_ts = pkt_ts_from_ns(cl->ref_time_ns);
	st->root_delay_s = cl->sel.root_delay_s;
	st->root_disp_s = cl->sel.root_disp_s;
	return 1;
}

void
client_set_makestep(struct client *cl, double threshold_s, int limit)
{
	disc_set_makestep(cl->disc, threshold_s, limit);
}
