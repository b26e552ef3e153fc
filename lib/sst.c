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
 * Per-source statistics, after the ideas of chrony's sourcestats.c and
 * regress.c.
 *
 * The samples live in a ring.  The newest n (at most SST_MAX_SAMPLES) are
 * used by the regression; up to n older ones are kept only to lengthen the
 * runs test, so that a line fitted to few samples must also explain the
 * samples just before them (chrony's REGRESS_RUNS_RATIO).
 *
 * Each regression is a weighted least-squares fit of offset against time,
 * with the time measured from the newest sample, so the intercept is the
 * offset at the newest sample.  A sample's weight falls with how much its
 * distance (delay / 2 + dispersion) exceeds the smallest one.  The runs
 * test on the signs of the residuals then drops the oldest samples one at
 * a time until the signs look random and the offsets do not bend: a
 * frequency that changed leaves long runs of one sign, one that wanders
 * a curve, and the samples from before the change go.
 *
 * The offset and frequency given out are a bank of Kalman filters'
 * (kf.h), fed every sample taken with how far the queues can have moved
 * it; the regression gives the window (the samples, the runs), the skew
 * and the standard deviation, and the estimate while the path's
 * asymmetry is corrected.  Where a window must trade the noise it
 * averages against the wander it lags, the filters weigh each sample by
 * both at once: in clknetsim's default network the RMS error fell from
 * 71 to 59 us, with a 1e-7 random walk from 129 to 87 us (chronyd: 108,
 * 140).
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kf.h"
#include "reffilt.h"
#include "rgr.h"
#include "sst.h"

#define NSLOTS		(SST_MAX_SAMPLES * RGR_RUNS_RATIO)

#define FREQ_UNKNOWN	2000e-6	/* skew until there is a regression */
#define MIN_SKEW	1e-12	/* clamps, as chrony's */
#define MAX_SKEW	1e2
#define MIN_STDDEV	1e-9
/*
 * Timestamp precision assumed: distances closer than this to the
 * smallest are equal, and the scale of the weights is at least this.
 */
#define PRECISION	RGR_PRECISION
/* The spread of the offsets per spread of the distances (chrony's). */
#define SD_TO_DIST	0.7

/* The delay filter (see delay_limit()). */
#define FILT_MIN_SAMPLES	6
#define FILT_DEV_RATIO		10.0
#define FILT_MAX_REJECT		4
#define FILT_CLOCK_ERROR	1e-6	/* wander of the local clock, 1 ppm */
/* Delays above the minimum by this many times the median's excess. */
#define FILT_MEDIAN_RATIO	3.0
#define FILT_MEDIAN_MIN_SD	2.0	/* but not within 2 sd of the fit */

/*
 * The asymmetry of the path's jitter, as chrony's: the slope of offset
 * against delay (above the minimum) in a regression on time and delay.
 * All jitter one way makes it +-0.5.  Only when it is at least
 * ASYM_MIN, with one sign, for ASYM_MIN_RUN samples in a row are the
 * offsets corrected to the minimum delay, by at most ASYM_MAX per second
 * of delay.  Unlike chrony, an estimate within ASYM_MIN_T standard errors
 * of zero does not count: a wandering frequency bends the offsets, and
 * the slope on the delays of such residuals passed 0.45 by chance often
 * enough to switch the correction on (wander scenario, 20 seeds: RMS 157
 * against 151 us without the correction).
 */
#define ASYM_MAX		0.5
#define ASYM_MIN		0.45
#define ASYM_MIN_RUN		10
#define ASYM_MAX_RUN		1000
#define ASYM_MIN_T		3.0

/* Bounds beyond which sst_correct() cannot re-express a sample. */
#define MAX_CORR_DFREQ_PPM	1e5
#define MAX_CORR_DELTA_S	1e8

struct sample {
	int64_t		time_ns;
	double		offset_s;	/* re-expressed by sst_correct() */
	double		orig_offset_s;	/* as measured */
	double		delay_s;
	double		disp_s;
	double		root_delay_s;
	double		root_disp_s;
	int		stratum;
	uint64_t	seq;
};

struct sst {
	struct sample	ring[NSLOTS];
	int		last;		/* slot of the newest sample */
	int		n;		/* samples used by the regression */
	int		nextra;		/* older ones, for the runs test */
	uint64_t	seq;		/* of the next sample taken */
	uint64_t	filt_epoch;	/* first seq of the delay minimum */
	int		nhigh;		/* high delays in a row */
	uint64_t	high_seq;	/* seq when the first of them came */

	/* Samples in a row with a large asymmetry, signed as it. */
	int		asym_run;
	double		asym;		/* correcting the offsets; 0: none */
	/* sst_set_path(), sst_set_delay_ratio() */
	double		max_delay_ratio;	/* > 1: test B */
	double		dev_ratio;	/* test C's, FILT_DEV_RATIO */
	double		delay_quant;	/* sst_set_delay_quant(); 0: none */
	double		qd[SST_QUANT_DELAYS];	/* the last delays, a ring */
	int		qn;		/* held */
	int		qi;		/* the next slot */
	double		min_delay_s;	/* the path's floor; 0: not known */
	int		min_samples;	/* minsamples; 0: SST_MIN_SAMPLES */
	int		max_samples;	/* maxsamples; 0: SST_MAX_SAMPLES, */
					/* and the filters' estimate */
	int		asym_fixed;	/* asym_fixed_v, not an estimate */
	double		asym_fixed_v;

	/* The last regression; offset at the newest sample's time. */
	int		runs;
	double		offset_s;
	double		offset_sd_s;
	double		freq;		/* + local clock fast, s/s */
	double		skew;		/* s/s */
	double		stddev_s;

	struct kf	kf;

	/* sst_set_filter(): polls since its last sample, of filt_len */
	struct reffilt	*filt;
	int		filt_len;
	int		filt_count;
};

/* a - b in seconds; wraps rather than overflows on absurd input. */
static double
diff_s(int64_t a, int64_t b)
{
	return (double)(int64_t)((uint64_t)a - (uint64_t)b) * 1e-9;
}

/* Sample i, from -nextra (the oldest held) to n - 1 (the newest). */
static int
slot(const struct sst *s, int i)
{
	return (s->last + 1 - s->n + i + 2 * NSLOTS) % NSLOTS;
}

#define SAMPLE(s, i)	(&(s)->ring[slot((s), (i))])

static const struct sample *
newest(const struct sst *s)
{
	return &s->ring[s->last];
}

struct sst *
sst_new(void)
{
	struct sst	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->dev_ratio = FILT_DEV_RATIO;
	sst_reset(s);
	return s;
}

void
sst_set_path(struct sst *s, double min_delay_s, double asymmetry)
{
	s->min_delay_s = isfinite(min_delay_s) && min_delay_s > 0.0 ?
	    min_delay_s : 0.0;
	s->asym_fixed = isfinite(asymmetry) && fabs(asymmetry) <= ASYM_MAX;
	s->asym_fixed_v = s->asym_fixed ? asymmetry : 0.0;
	s->asym = s->asym_fixed_v;
	s->asym_run = 0;
}

void
sst_set_delay_ratio(struct sst *s, double ratio)
{
	s->max_delay_ratio = isfinite(ratio) && ratio > 1.0 ? ratio : 0.0;
}

void
sst_set_delay_quant(struct sst *s, double q)
{
	s->delay_quant = !(q > 0.0) ? 0.0 : q < 0.05 ? 0.05 : q > 0.95 ?
	    0.95 : q;
}

/* The delay_quant-quantile of the delays held (nearest rank). */
static double
delay_quantile(const struct sst *s)
{
	double	 d[SST_QUANT_DELAYS], t;
	int	 i, j, k;

	for (i = 0; i < s->qn; i++) {
		t = s->qd[i];
		for (j = i; j > 0 && d[j - 1] > t; j--)
			d[j] = d[j - 1];
		d[j] = t;
	}
	k = (int)ceil(s->delay_quant * s->qn) - 1;
	return d[k < 0 ? 0 : k];
}

void
sst_set_delay_dev_ratio(struct sst *s, double ratio)
{
	s->dev_ratio = isfinite(ratio) && ratio >= 0.0 ? ratio :
	    FILT_DEV_RATIO;
}

void
sst_free(struct sst *s)
{
	if (s != NULL)
		reffilt_free(s->filt);
	free(s);
}

static void	prune(struct sst *, int);

void
sst_set_samples(struct sst *s, int min, int max)
{
	s->max_samples = max > 0 && max < SST_MAX_SAMPLES ? max : 0;
	s->min_samples = min > 0 ? min : 0;
	if (s->max_samples > 0 && s->min_samples > s->max_samples)
		s->min_samples = s->max_samples;
	while (s->max_samples > 0 && s->n > s->max_samples)
		prune(s, 1);
}

int
sst_set_filter(struct sst *s, int length)
{
	struct reffilt_params	 p;

	reffilt_free(s->filt);
	s->filt = NULL;
	s->filt_len = 0;
	s->filt_count = 0;
	if (length <= 0)
		return 0;
	memset(&p, 0, sizeof(p));
	p.length = length < REFFILT_MAX_LENGTH ? length : REFFILT_MAX_LENGTH;
	p.precision_s = PRECISION;	/* the first guess of the spread */
	p.ntp = 1;
	/* poll_log2: each sample is offered at its own time, never old */
	if ((s->filt = reffilt_new(&p)) == NULL)
		return -1;
	s->filt_len = p.length;
	return 0;
}

enum sst_reason
sst_filter(struct sst *s, struct sst_sample *sm)
{
	struct reffilt_sample	 in, out;

	if (s->filt == NULL)
		return SST_OK;
	memset(&in, 0, sizeof(in));
	in.time_ns = sm->time_ns;
	in.offset_s = sm->offset_s;
	in.disp_s = sm->disp_s;
	in.delay_s = sm->delay_s;
	in.root_delay_s = sm->root_delay_s;
	in.root_disp_s = sm->root_disp_s;
	if (reffilt_add(s->filt, &in, sm->time_ns) != REFFILT_OK)
		return SST_BAD_VALUE;
	if (++s->filt_count < s->filt_len)
		return SST_FILTERED;
	s->filt_count = 0;
	if (reffilt_get(s->filt, &out) != REFFILT_OK)
		return SST_FILTERED;
	sm->time_ns = out.time_ns;
	sm->offset_s = out.offset_s;
	sm->disp_s = out.disp_s;
	sm->delay_s = out.delay_s;
	sm->root_delay_s = out.root_delay_s;
	sm->root_disp_s = out.root_disp_s;
	return SST_OK;
}

void
sst_filter_miss(struct sst *s)
{
	if (s->filt != NULL && s->filt_count < s->filt_len - 1)
		s->filt_count++;
}

void
sst_reset(struct sst *s)
{
	s->last = NSLOTS - 1;
	s->n = 0;
	s->nextra = 0;
	s->filt_epoch = s->seq;
	s->nhigh = 0;
	s->runs = 0;
	s->asym_run = 0;
	s->asym = s->asym_fixed_v;
	s->offset_s = 0.0;
	s->offset_sd_s = 0.0;
	s->freq = 0.0;
	s->skew = FREQ_UNKNOWN;
	s->stddev_s = 0.0;
	kf_reset(&s->kf);
	if (s->filt != NULL)
		reffilt_reset(s->filt);
	s->filt_count = 0;
	s->qn = s->qi = 0;
}

int
sst_count(const struct sst *s)
{
	return s->n;
}

int
sst_freq_known(const struct sst *s)
{
	return s->n >= SST_MIN_SAMPLES || s->skew < FREQ_UNKNOWN;
}

/*
 * The weights (inverse variances, relative) of the n samples used, as
 * chrony: a sample's distance is delay / 2 + dispersion; what it has
 * above the smallest, in units of the typical excess (median less
 * minimum, over SD_TO_DIST, at least PRECISION and at most the smallest
 * distance itself), adds to the standard deviation assumed for it.
 */
static void
weights(const struct sst *s, double *iw)
{
	double	 d[SST_MAX_SAMPLES] = { 0 }, tmp[SST_MAX_SAMPLES];
	double	 min = 0.0, sd, k;
	int	 i;

	for (i = 0; i < s->n; i++) {
		d[i] = 0.5 * SAMPLE(s, i)->delay_s + SAMPLE(s, i)->disp_s;
		if (i == 0 || d[i] < min)
			min = d[i];
	}
	memcpy(tmp, d, s->n * sizeof(d[0]));
	sd = (rgr_median(tmp, s->n) - min) / SD_TO_DIST;
	if (sd > min)
		sd = min;
	if (sd < PRECISION)
		sd = PRECISION;
	min += PRECISION;
	for (i = 0; i < s->n; i++) {
		k = 1.0;
		if (d[i] > min)
			k += (d[i] - min) / sd;
		iw[i] = 1.0 / (k * k);
	}
}

/*
 * The asymmetry after one more sample: the slope of offset on delay
 * (d, above the smallest) must keep its sign and size for ASYM_MIN_RUN
 * samples in a row.
 */
static void
estimate_asymmetry(struct sst *s, const double *x, const double *d,
    const double *y, int k)
{
	double	 a, a_se;

	if (rgr_slope_on_second(x, d, y, k, &a, &a_se) == -1 ||
	    a * s->asym_run < 0.0) {
		s->asym_run = 0;
		s->asym = 0.0;
		return;
	}
	if (fabs(a) < ASYM_MIN_T * a_se)
		;	/* not told apart from noise: the run holds */
	else if (a <= -ASYM_MIN && s->asym_run > -ASYM_MAX_RUN)
		s->asym_run--;
	else if (a >= ASYM_MIN && s->asym_run < ASYM_MAX_RUN)
		s->asym_run++;
	if (abs(s->asym_run) < ASYM_MIN_RUN)
		s->asym = 0.0;
	else
		s->asym = a < -ASYM_MAX ? -ASYM_MAX : a > ASYM_MAX ?
		    ASYM_MAX : a;
}

/*
 * chrony's correction for an asymmetric path: when the offsets of the
 * held samples (x, y from -m) have followed their delays one way for
 * ASYM_MIN_RUN samples, each offset is moved to what it would have been
 * at the smallest delay.  A one-way jitter then no longer pulls the
 * regression toward its side.  The estimate moves with a new sample
 * (SAMPLED) only: a correction of the clock moves the offsets along a
 * line in time, which leaves their slope on delay as it was, and counted
 * as one more it ran the count twice as fast as the samples.
 */
static void
correct_asymmetry(struct sst *s, const double *x, double *y, int m,
    int sampled)
{
	double	 d[NSLOTS], min = 0.0;
	int	 i, k = s->n + m;

	if (s->asym_fixed && s->asym == 0.0)
		return;
	for (i = 0; i < k; i++) {
		d[i] = SAMPLE(s, i - m)->delay_s;
		if (i == 0 || d[i] < min)
			min = d[i];
	}
	if (s->min_delay_s > 0.0)
		min = s->min_delay_s;
	for (i = 0; i < k; i++)
		d[i] -= min;
	if (sampled && !s->asym_fixed)
		estimate_asymmetry(s, x, d, y, k);
	for (i = 0; i < k; i++)
		y[i] -= s->asym * d[i];
}

/* The oldest k samples used become samples for the runs test only. */
static void
prune(struct sst *s, int k)
{
	s->n -= k;
	s->nextra += k;
	if (s->nextra > s->n * (RGR_RUNS_RATIO - 1))
		s->nextra = s->n * (RGR_RUNS_RATIO - 1);
}

/*
 * Too few samples for a regression: the newest one.  With two, the line
 * through them, and as its skew the most it can be off: the sum of
 * their distances over the time between them.  chrony knows no
 * frequency before three samples, so a clock stepped at its first runs
 * off for another poll; with the root of the sum of squares instead,
 * the frequency taken from two samples 1 ms off stayed in the
 * regression's weighted average, and 1 ms of jitter synchronised a
 * poll later.
 */
static void
no_regression(struct sst *s)
{
	const struct sample	*nw = newest(s), *old = SAMPLE(s, 0);
	double			 dt, skew;

	s->runs = 0;
	s->offset_s = nw->offset_s;
	s->offset_sd_s = 0.5 * nw->delay_s + nw->disp_s;
	s->stddev_s = s->offset_sd_s;
	s->freq = 0.0;
	s->skew = FREQ_UNKNOWN;
	if (s->n != 2 || !((dt = diff_s(nw->time_ns, old->time_ns)) > 0.0))
		return;
	skew = (0.5 * old->delay_s + old->disp_s + s->offset_sd_s) / dt;
	if (skew >= FREQ_UNKNOWN)
		return;
	s->freq = (nw->offset_s - old->offset_s) / dt;
	s->skew = skew < MIN_SKEW ? MIN_SKEW : skew;
}

/*
 * How far the sample's offset can be off, for the filters (kf.h): its
 * distance above the smallest of the samples held since the delay
 * filter's epoch, plus how far that smallest may itself be above the
 * path's floor.  For queues that add an exponential delay each way, the
 * smallest of k distances is above the floor by about the median's
 * excess over the smallest, over the square root of k.
 */
static double
excess(const struct sst *s, const struct sst_sample *sm)
{
	double	 d[NSLOTS], min = -1.0, u;
	int	 i, k = 0;

	for (i = -s->nextra; i < s->n; i++) {
		if (SAMPLE(s, i)->seq < s->filt_epoch)
			continue;
		d[k] = 0.5 * SAMPLE(s, i)->delay_s + SAMPLE(s, i)->disp_s;
		if (min < 0.0 || d[k] < min)
			min = d[k];
		k++;
	}
	/*
	 * Before a regression's three samples the smallest says little of
	 * the floor: all of it may be queueing, shared among the samples.
	 */
	u = k < SST_MIN_SAMPLES ? min / k :
	    (rgr_median(d, k) - min) / sqrt(k);
	return 0.5 * sm->delay_s + sm->disp_s - min + u;
}

static void
regress(struct sst *s, int sampled)
{
	double		 x[NSLOTS], y[NSLOTS], iw[SST_MAX_SAMPLES];
	double		 ss, r, sb1, sb0, skew;
	struct rgr_fit	 f;
	struct kf_est	 ke;
	int		 i, m = s->nextra, start, np;

	if (s->n < SST_MIN_SAMPLES) {
		no_regression(s);
		return;
	}
	for (i = -m; i < s->n; i++) {
		x[i + m] = diff_s(SAMPLE(s, i)->time_ns, newest(s)->time_ns);
		y[i + m] = SAMPLE(s, i)->offset_s;
	}
	correct_asymmetry(s, x, y, m, sampled);
	weights(s, iw);
	start = rgr_find_best(x + m, y + m, iw, s->n, m, s->min_samples, &f,
	    &s->runs);

	ss = 0.0;
	for (i = start; i < s->n; i++) {
		r = y[i + m] - f.a - f.b * x[i + m];
		ss += iw[i] * r * r;
	}
	np = s->n - start;
	ss /= np - 2;
	sb1 = f.V > 0.0 ? sqrt(ss / f.V) : MAX_SKEW;
	sb0 = sqrt(ss / f.W + f.u * f.u * sb1 * sb1);
	skew = sb1 * rgr_tcoef(np);
	s->offset_s = f.a;
	s->offset_sd_s = sb0;
	s->freq = f.b;
	s->skew = skew < MIN_SKEW ? MIN_SKEW : skew > MAX_SKEW ? MAX_SKEW :
	    skew;
	/*
	 * The offset and frequency are the filters' (kf.h); the skew bounds
	 * their frequency too, at one standard deviation of the bank's,
	 * which its spread over unlikely filters widens.  The filters take
	 * the samples as measured: while the path's asymmetry is corrected
	 * the regression's estimate, on corrected offsets, stands.
	 */
	if (s->asym == 0.0 && s->max_samples == 0 &&
	    kf_estimate(&s->kf, newest(s)->time_ns, &ke) == 0) {
		s->offset_s = ke.offset_s;
		s->freq = ke.freq;
		if (ke.freq_sd > s->skew)
			s->skew = ke.freq_sd < MAX_SKEW ? ke.freq_sd : MAX_SKEW;
	}
	s->stddev_s = sqrt(ss * np / f.W);
	if (s->stddev_s < MIN_STDDEV)
		s->stddev_s = MIN_STDDEV;
	prune(s, start);
}

/*
 * The smallest delay of the samples held (for the runs test too) since
 * the filter's epoch, which a sustained change of the path moves.
 */
static double
filt_min_delay(const struct sst *s)
{
	double	 min = -1.0;
	int	 i;

	for (i = -s->nextra; i < s->n; i++)
		if (SAMPLE(s, i)->seq >= s->filt_epoch &&
		    (min < 0.0 || SAMPLE(s, i)->delay_s < min))
			min = SAMPLE(s, i)->delay_s;
	return min >= 0.0 ? min : newest(s)->delay_s;
}

/* The median delay of the samples held since the filter's epoch. */
static double
filt_median_delay(const struct sst *s)
{
	double	 d[NSLOTS];
	int	 i, n = 0;

	for (i = -s->nextra; i < s->n; i++)
		if (SAMPLE(s, i)->seq >= s->filt_epoch)
			d[n++] = SAMPLE(s, i)->delay_s;
	return n > 0 ? rgr_median(d, n) : newest(s)->delay_s;
}

/*
 * The delay filter, chrony's maxdelaydevratio test, and a test against
 * the typical delay.  Half the delay above the minimum is the most the
 * queues can have moved the offset.  delay_limit() bounds it by the
 * queues alone: maxdelaydevratio (10) times the standard deviation of
 * the regression, or FILT_MEDIAN_RATIO times the usual excess, the
 * median's (however noisy the regression: such samples make it noisy)
 * if what that can move the offset is beyond the regression's noise,
 * whichever is smaller.  Only with FILT_MIN_SAMPLES held (those kept for
 * the runs test count: after the runs test dropped the older ones, a
 * frequency change, the delays of those still held tell what is usual)
 * and a regression.
 */
static int
delay_filtered(const struct sst *s)
{
	return s->n + s->nextra >= FILT_MIN_SAMPLES && s->n >= SST_MIN_SAMPLES;
}

static double
delay_limit(const struct sst *s, double min)
{
	double	 typ;

	typ = 0.5 * FILT_MEDIAN_RATIO * (filt_median_delay(s) - min);
	if (typ < FILT_MEDIAN_MIN_SD * s->stddev_s)
		typ = FILT_MEDIAN_MIN_SD * s->stddev_s;
	if (typ < PRECISION)
		typ = PRECISION;
	return typ < s->dev_ratio * s->stddev_s ? typ :
	    s->dev_ratio * s->stddev_s;
}

/*
 * A delay whose half excess, delta, is above the queues' limit by more
 * than the frequency (skew and 1 ppm of wander) can have moved the offset
 * since the newest sample is an outlier, unless its offset is further
 * from the prediction than the extra delay explains (then something else
 * moved and the sample tells it).
 */
static int
delay_outlier(const struct sst *s, const struct sst_sample *sm,
    double delta, double limit)
{
	double	 ago, err;

	ago = diff_s(sm->time_ns, newest(s)->time_ns);
	limit += fabs(ago) * (s->skew + FILT_CLOCK_ERROR);
	if (delta <= limit)
		return 0;
	err = sm->offset_s - (s->offset_s + s->freq * ago);
	return fabs(err) - delta <= limit;
}

static int
valid(const struct sst_sample *sm)
{
	return isfinite(sm->offset_s) && isfinite(sm->delay_s) &&
	    isfinite(sm->disp_s) && isfinite(sm->root_delay_s) &&
	    isfinite(sm->root_disp_s) && sm->delay_s >= 0.0 &&
	    sm->disp_s >= 0.0 && sm->root_delay_s >= 0.0 &&
	    sm->root_disp_s >= 0.0;
}

static void
push(struct sst *s, const struct sst_sample *sm)
{
	struct sample	*p;

	if (s->n == (s->max_samples > 0 ? s->max_samples : SST_MAX_SAMPLES))
		prune(s, 1);
	s->last = (s->last + 1) % NSLOTS;
	p = &s->ring[s->last];
	p->time_ns = sm->time_ns;
	p->offset_s = sm->offset_s;
	p->orig_offset_s = sm->offset_s;
	p->delay_s = sm->delay_s;
	/* under the path's floor: as far above it (chronyd's) */
	if (s->min_delay_s > 0.0 && p->delay_s < s->min_delay_s)
		p->delay_s = 2.0 * s->min_delay_s - p->delay_s;
	p->disp_s = sm->disp_s;
	p->root_delay_s = sm->root_delay_s;
	p->root_disp_s = sm->root_disp_s;
	p->stratum = sm->stratum;
	p->seq = s->seq++;
	s->n++;
}

/* The smallest delay held, for the runs test too (chronyd's test B). */
static double
held_min_delay(const struct sst *s)
{
	double	 min = SAMPLE(s, 0)->delay_s;
	int	 i;

	for (i = -s->nextra; i < s->n; i++)
		if (SAMPLE(s, i)->delay_s < min)
			min = SAMPLE(s, i)->delay_s;
	return min;
}

/*
 * A sample not newer than the newest means the clock went back: the
 * history cannot be compared with it and is forgotten, as chrony.
 */
enum sst_reason
sst_add(struct sst *s, const struct sst_sample *sm)
{
	double	 min, delta = 0.0, limit = 0.0;
	int	 over = 0;

	if (!valid(sm))
		return SST_BAD_VALUE;
	if (s->n > 0 && sm->time_ns <= newest(s)->time_ns)
		sst_reset(s);
	if (s->delay_quant > 0.0) {
		/* every delay counts, those refused too, as chronyd's */
		over = s->qn > 0 && sm->delay_s > delay_quantile(s);
		s->qd[s->qi] = sm->delay_s;
		s->qi = (s->qi + 1) % SST_QUANT_DELAYS;
		if (s->qn < SST_QUANT_DELAYS)
			s->qn++;
	}
	if (s->max_delay_ratio > 0.0 && s->n > 0 &&
	    sm->delay_s > s->max_delay_ratio * held_min_delay(s))
		return SST_DELAY_RATIO;
	if (over)
		return SST_DELAY_QUANT;
	/*
	 * A delay high for the queues alone, whatever the time since the
	 * newest sample: FILT_MAX_REJECT + 1 of them in a row are a new
	 * path.  The time must not count there: at long polls it lets
	 * every other sample of a longer path through, and a run of
	 * outliers alone would never come.  maxdelayquant's test stands
	 * instead, as chronyd's.
	 */
	if (s->delay_quant == 0.0 && delay_filtered(s)) {
		min = filt_min_delay(s);
		delta = 0.5 * (sm->delay_s - min);
		limit = delay_limit(s, min);
	}
	if (delta > limit) {
		if (s->nhigh++ == 0)
			s->high_seq = s->seq;
	} else
		s->nhigh = 0;
	if (s->nhigh > FILT_MAX_REJECT) {
		/*
		 * A sustained change of the path: a new minimum from the
		 * first sample on it that was kept.
		 */
		s->filt_epoch = s->high_seq;
		s->nhigh = 0;
	} else if (delta > limit && delay_outlier(s, sm, delta, limit))
		return SST_DELAY_OUTLIER;
	push(s, sm);
	kf_update(&s->kf, sm->time_ns, sm->offset_s, excess(s, sm));
	regress(s, 1);
	return SST_OK;
}

/*
 * offset_sd_s grows with the skew over the time since the newest sample,
 * as chrony's root dispersion does.  With fewer than SST_MIN_SAMPLES
 * samples the offset is the newest sample's, offset_sd_s and stddev_s its
 * distance (delay / 2 + dispersion), and the frequency 0 with a skew of
 * 2000 ppm, or with two samples the line through them (no_regression()).
 */
int
sst_estimate(const struct sst *s, int64_t now_ns, struct sst_est *e)
{
	const struct sample	*nw = newest(s);
	double			 el;

	if (s->n == 0)
		return -1;
	memset(e, 0, sizeof(*e));
	el = diff_s(now_ns, nw->time_ns);
	e->n = s->n;
	e->runs = s->runs;
	e->span_s = diff_s(nw->time_ns, SAMPLE(s, 0)->time_ns);
	e->offset_s = s->offset_s + s->freq * el;
	e->offset_sd_s = s->offset_sd_s + s->skew * fabs(el);
	e->freq_ppm = s->freq * 1e6;
	e->skew_ppm = s->skew * 1e6;
	e->stddev_s = s->stddev_s;
	e->asymmetry = s->asym;
	e->min_delay_s = filt_min_delay(s);
	e->last_offset_s = nw->orig_offset_s;
	e->last_adjusted_s = nw->offset_s;
	e->last_time_ns = nw->time_ns;
	e->root_delay_s = nw->root_delay_s;
	e->root_disp_s = nw->root_disp_s;
	e->stratum = nw->stratum;
	return 0;
}

void
sst_shift(struct sst *s, double doffset_s)
{
	int	 i;

	if (doffset_s == 0.0 || s->n == 0)
		return;
	if (!(fabs(doffset_s) <= MAX_CORR_DELTA_S)) {
		sst_reset(s);
		return;
	}
	for (i = -s->nextra; i < s->n; i++)
		SAMPLE(s, i)->offset_s += doffset_s;
	if (s->kf.n > 0)
		kf_shift(&s->kf, doffset_s);
	regress(s, 0);
}

/*
 * As chrony's SST_SlewSamples: each sample, and its time (the clock that
 * took it moved too), loses doffset + dfreq * (t - now), so that old and
 * new samples lie on one line.  The fit is redone; being linear in both,
 * it moves by the same amount and its residuals stay.  A correction too
 * large to express (or not finite) forgets the samples.
 */
void
sst_correct(struct sst *s, int64_t now_ns, double dfreq_ppm,
    double doffset_s)
{
	struct sample	*p;
	double		 dfreq = dfreq_ppm * 1e-6, d;
	int		 i;

	if (s->filt != NULL)
		reffilt_correct(s->filt, now_ns, dfreq_ppm, doffset_s);
	if (s->n == 0)
		return;
	if (!isfinite(dfreq_ppm) || !isfinite(doffset_s) ||
	    fabs(dfreq_ppm) > MAX_CORR_DFREQ_PPM) {
		sst_reset(s);
		return;
	}
	for (i = -s->nextra; i < s->n; i++) {
		d = doffset_s + dfreq * diff_s(SAMPLE(s, i)->time_ns, now_ns);
		if (fabs(d) > MAX_CORR_DELTA_S) {
			sst_reset(s);
			return;
		}
	}
	for (i = -s->nextra; i < s->n; i++) {
		p = SAMPLE(s, i);
		d = doffset_s + dfreq * diff_s(p->time_ns, now_ns);
		p->offset_s -= d;
		p->time_ns = (int64_t)((uint64_t)p->time_ns -
		    (uint64_t)llround(d * 1e9));
	}
	kf_correct(&s->kf, now_ns, dfreq, doffset_s);
	regress(s, 0);
}
