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
#include <stdlib.h>
#include <string.h>

#include "disc.h"
#include "lim.h"

/* Shortest slew (chrony's MIN_SLEW_TIMEOUT) */
#define MIN_SLEW_S		1.0
/* Slowest slew rate asked for: the monitor refuses a rate of 0 */
#define MIN_SLEW_RATE_PPM	1e-3
/* Skews are kept in this range: no division by 0, the drift file's limit */
#define MIN_SKEW_PPM		1e-6
#define MAX_SKEW_PPM		LIM_MAX_SKEW_PPM
/* Weight of a new interval in the smoothed update interval */
#define INTERVAL_WEIGHT		0.25
/* Weight of a new offset in the mean square offset (chrony's) */
#define RMS_WEIGHT		0.1

struct disc {
	struct disc_params	 p;
	int			 ignores_left;	/* maxchange; -1: forever */
	int			 have_last;
	int64_t			 last_ns;	/* previous update, local */
	double			 interval_s;	/* smoothed; 0: none yet */
	double			 skew_ppm;	/* of the compensation */
	double			 residual_freq_ppm;
	double			 last_offset_s;
	double			 avg2_offset;	/* mean square offset, s^2 */
	int			 avg2_moving;
};

struct disc *
disc_new(const struct disc_params *p)
{
	struct disc	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->p = *p;
	d->ignores_left = p->maxchange_ignore < 0 ? -1 : p->maxchange_ignore;
	/* Nothing is known of the frequency yet (chrony starts at 1 s/s). */
	d->skew_ppm = MAX_SKEW_PPM;
	return d;
}

void
disc_free(struct disc *d)
{
	free(d);
}

void
disc_set_makestep(struct disc *d, double threshold_s, int limit)
{
	d->p.makestep_set = 1;
	d->p.makestep_threshold_s = threshold_s;
	d->p.makestep_limit = limit < 0 ? -1 : limit;
}

void
disc_set_skew(struct disc *d, double skew_ppm)
{
	if (!(skew_ppm > 0.0) || !isfinite(skew_ppm))
		return;
	d->skew_ppm = skew_ppm < MIN_SKEW_PPM ? MIN_SKEW_PPM :
	    skew_ppm > MAX_SKEW_PPM ? MAX_SKEW_PPM : skew_ppm;
}

static int
input_ok(const struct disc_input *in)
{
	if (!isfinite(in->offset_s) || !isfinite(in->offset_sd_s) ||
	    !isfinite(in->freq_ppm) || !isfinite(in->skew_ppm) ||
	    !isfinite(in->clock_freq_ppm))
		return 0;
	if (fabs(in->offset_s) > LIM_MAX_OFFSET_S || in->offset_sd_s < 0.0 ||
	    in->skew_ppm < 0.0)
		return 0;
	/* no clock runs at half its rate; disc_rel_freq() divides by it */
	if (fabs(in->clock_freq_ppm) > LIM_MAXDRIFT_PPM)
		return 0;
	return 1;
}

/*
 * chrony's maxchange: once maxchange_start updates were applied, an
 * offset beyond the limit is ignored maxchange_ignore times, then the
 * daemon gives up.  0, DISC_ACT_IGNORE or DISC_ACT_EXIT.
 */
static int
maxchange(struct disc *d, const struct disc_input *in)
{
	if (!d->p.maxchange_set ||
	    in->applied < (uint32_t)(d->p.maxchange_start < 0 ? 0 :
	    d->p.maxchange_start) ||
	    fabs(in->offset_s) <= d->p.maxchange_offset_s)
		return 0;
	if (d->ignores_left == 0)
		return DISC_ACT_EXIT;
	if (d->ignores_left > 0)
		d->ignores_left--;
	return DISC_ACT_IGNORE;
}

static int
want_step(const struct disc *d, const struct disc_input *in)
{
	if (!d->p.makestep_set)
		return 0;
	if (d->p.makestep_limit >= 0 &&
	    in->updates >= (uint32_t)d->p.makestep_limit)
		return 0;
	return fabs(in->offset_s) > d->p.makestep_threshold_s;
}

/*
 * Note the update at now_ns; return the interval a slew should fit in,
 * 0 if not known yet.  The shorter of the last interval and the smoothed
 * one, so that a slew is normally over before the next update measures
 * the clock again.
 */
static double
note_interval(struct disc *d, int64_t now_ns)
{
	double	 dt_s = -1.0;

	if (d->have_last)	/* wraps rather than overflows on nonsense */
		dt_s = (double)(int64_t)((uint64_t)now_ns -
		    (uint64_t)d->last_ns) * 1e-9;
	d->have_last = 1;
	d->last_ns = now_ns;
	if (dt_s <= 0.0)	/* the first, or the clock went back */
		return d->interval_s;
	if (d->interval_s == 0.0)
		d->interval_s = dt_s;
	else
		d->interval_s += INTERVAL_WEIGHT * (dt_s - d->interval_s);
	return dt_s < d->interval_s ? dt_s : d->interval_s;
}

/*
 * The residual frequency is measured in the clock's own time, which the
 * compensation already slows (or speeds): the kernel runs the clock at
 * (1 + error)(1 - freq), so a residual r of the clock's time is removed
 * by a change of r (1 - freq) of the compensation, and a change of the
 * compensation is one of (new - old) / (1 - old) in the clock's time, in
 * which the samples are re-expressed: chrony's
 * LCL_AccumulateDeltaFrequency.  At tens of ppm the difference is
 * nothing; at 5% the sum of the two was 5% off every update, and a
 * frequency from a drift file 10000 ppm away was 100 ppm off after the
 * first update (chrony's 201-freqaccumulation).
 */
double
disc_rel_freq(double old_ppm, double new_ppm)
{
	return (new_ppm - old_ppm) / (1.0 - old_ppm * 1e-6);
}

/*
 * chrony's frequency update: the compensation now in place (residual 0,
 * uncertainty skew_ppm, ours) and the new estimate of what is left
 * (residual freq_ppm, uncertainty skew, the estimate's) are averaged
 * with inverse-variance weights, the new one counting three times.  A
 * noisy estimate moves the frequency little, a good one most of the way;
 * what is not applied stays in the samples and is seen again next time.
 */
static void
update_freq(struct disc *d, const struct disc_input *in,
    struct disc_actions *act)
{
	double	 old_skew = d->skew_ppm, new_skew = in->skew_ppm;
	double	 w_old, w_new, g, dfreq, c, f, max_f, skew1;

	if (new_skew < MIN_SKEW_PPM)
		new_skew = MIN_SKEW_PPM;
	w_old = 1.0 / (old_skew * old_skew);
	w_new = 3.0 / (new_skew * new_skew);
	g = w_new / (w_old + w_new);
	dfreq = g * in->freq_ppm;

	/* spread of the two around the result, plus their mean skew */
	skew1 = fabs(in->freq_ppm) * sqrt(g * (1.0 - g));
	d->skew_ppm = skew1 + (1.0 - g) * old_skew + g * new_skew;
	if (d->skew_ppm < MIN_SKEW_PPM)
		d->skew_ppm = MIN_SKEW_PPM;
	if (d->skew_ppm > MAX_SKEW_PPM)
		d->skew_ppm = MAX_SKEW_PPM;

	/* as the monitor's limit: maxdrift within the clock's range */
	c = in->clock_freq_ppm;
	f = c + dfreq * (1.0 - c * 1e-6);
	max_f = lim_max_freq(d->p.maxdrift_ppm);
	if (f > max_f)
		f = max_f;
	else if (f < -max_f)
		f = -max_f;
	d->residual_freq_ppm = in->freq_ppm - disc_rel_freq(c, f);

	act->what |= DISC_ACT_FREQ;
	act->freq_ppm = f;
	act->skew_ppm = d->skew_ppm;
}

/*
 * The slew's duration follows chrony's correction rate, for the whole
 * offset still to remove (this one and what is left of the last): an
 * offset the size of its own standard error goes in corrtimeratio / 2
 * update intervals, a larger one proportionally faster.  timed's default
 * ratio is 1, chrony's 3: the filters' estimates are smoothed already,
 * and a slower slew only leaves the clock off for longer (in clknetsim,
 * 3 read up to 17% more error than 1; doc/ACCURACY.md).  A ratio below 1
 * read less error still, but slewed offsets of a few hundred us at more
 * than 500 ppm.  The duration is at most an interval, so that a
 * correction is normally over before the next, and never under
 * MIN_SLEW_S, as chrony's: the engine's time counts a correction in full
 * as soon as it is asked for, so a slew still going when the next sample
 * comes does not spoil it, while a shorter one is a larger frequency
 * error for the clients of the clock (at 64 updates a second, 15 ms
 * slews made it hundreds of ppm) and ends at a timer that can fire a
 * millisecond late.  Before an interval is known, MIN_SLEW_S.
 * Linear: rate = offset / duration, so the slew ends on the offset,
 * without overshoot.
 */
static double
slew_rate(const struct disc *d, double offset_s, double sd_s, double ival_s)
{
	double	 mag = fabs(offset_s), t_s, rate;

	if (mag == 0.0)
		rate = MIN_SLEW_RATE_PPM;
	else {
		t_s = ival_s > 0.0 ?
		    d->p.corrtimeratio * 0.5 * sd_s * ival_s / mag : MIN_SLEW_S;
		if (t_s > ival_s)
			t_s = ival_s;
		if (t_s < MIN_SLEW_S)
			t_s = MIN_SLEW_S;
		rate = mag / t_s * 1e6;
	}
	if (rate > d->p.maxslewrate_ppm)
		rate = d->p.maxslewrate_ppm;
	if (rate < MIN_SLEW_RATE_PPM)
		rate = MIN_SLEW_RATE_PPM < d->p.maxslewrate_ppm ?
		    MIN_SLEW_RATE_PPM : d->p.maxslewrate_ppm;
	return rate;
}

/* chrony's mean square offset: follows a falling offset at once. */
static void
note_offset(struct disc *d, double offset_s)
{
	double	 sq = offset_s * offset_s;

	d->last_offset_s = offset_s;
	if (d->avg2_moving) {
		d->avg2_offset += RMS_WEIGHT * (sq - d->avg2_offset);
	} else {
		if (d->avg2_offset > 0.0 && d->avg2_offset < sq)
			d->avg2_moving = 1;
		d->avg2_offset = sq;
	}
}

static void
tracking(const struct disc *d, struct disc_actions *act)
{
	act->last_offset_s = d->last_offset_s;
	act->rms_offset_s = sqrt(d->avg2_offset);
	act->residual_freq_ppm = d->residual_freq_ppm;
	act->update_interval_s = d->interval_s;
}

int
disc_update(struct disc *d, const struct disc_input *in,
    struct disc_actions *act)
{
	double	 ival_s;

	memset(act, 0, sizeof(*act));
	if (!input_ok(in)) {
		tracking(d, act);
		return -1;
	}
	if ((act->what = maxchange(d, in)) != 0) {
		tracking(d, act);
		return 0;
	}
	ival_s = note_interval(d, in->now_ns);

	if (in->skew_ppm <= d->p.maxupdateskew_ppm)
		update_freq(d, in, act);
	else
		d->residual_freq_ppm = in->freq_ppm;

	if (want_step(d, in)) {
		act->what |= DISC_ACT_STEP;
		act->step_offset_s = in->offset_s;
		/* the local clock, and the next now_ns, go back by that */
		d->last_ns = (int64_t)((uint64_t)d->last_ns -
		    (uint64_t)llround(in->offset_s * 1e9));
	} else {
		act->what |= DISC_ACT_SLEW;
		act->slew_offset_s = in->offset_s;
		act->slew_rate_ppm = slew_rate(d, in->offset_s +
		    in->slew_left_s, in->offset_sd_s, ival_s);
	}
	note_offset(d, in->offset_s);
	tracking(d, act);
	return 0;
}
