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
 * Per-source statistics (what timectl sourcestats prints): the recent
 * samples of one source, a delay filter, a weighted linear regression
 * of offset against time giving the skew and the standard deviation, and
 * a bank of Kalman filters (kf.h) giving the offset now and the
 * frequency.  Pure.
 *
 * Signs: offset + the local clock is ahead of the source; frequency + the
 * local clock runs fast relative to the source.  Times are the engine's
 * (local clock) nanoseconds.
 */

#ifndef TIMED_SST_H
#define TIMED_SST_H

#include <stdint.h>

/*
 * Samples in a regression, at most: twice chrony's 64.  Where the poll
 * is pinned at minpoll, as with fast polls, the number of samples is
 * what averages the noise: 2 s polls in clknetsim's default network,
 * 9.7 to 6.8 us RMS (chronyd 10.3).
 */
#define SST_MAX_SAMPLES		128
#define SST_MIN_SAMPLES		3	/* for a regression (two: a line) */

struct sst_sample {
	int64_t	time_ns;	/* local time of the measurement (T1+T4)/2 */
	double	offset_s;	/* + local clock ahead of the source */
	double	delay_s;	/* round trip, >= 0 */
	double	disp_s;		/* the sample's own dispersion, >= 0 */
	double	root_delay_s;	/* the source's, as it said */
	double	root_disp_s;
	int	stratum;
};

/* Why a sample was not taken. */
enum sst_reason {
	SST_OK = 0,
	SST_DELAY_OUTLIER,	/* delay far above the recent minimum */
	SST_BAD_VALUE,		/* NaN, infinity, negative delay */
	SST_DELAY_RATIO,	/* over maxdelayratio times the minimum */
	SST_FILTERED,		/* held by the median filter (sst_filter()) */
	SST_DELAY_QUANT		/* over maxdelayquant's quantile of delays */
};

struct sst_est {
	int	n;		/* samples used by the regression */
	int	runs;		/* runs of residuals with one sign */
	double	span_s;		/* from the oldest used sample to the newest */
	double	offset_s;	/* estimated offset at the time asked */
	double	offset_sd_s;	/* its standard error */
	double	freq_ppm;	/* + the local clock runs fast */
	double	skew_ppm;	/* error bound of freq_ppm */
	double	stddev_s;	/* residuals' standard deviation */
	double	asymmetry;	/* of the path's jitter, corrected; 0: none */
	double	min_delay_s;
	double	last_offset_s;	/* the newest sample, as measured */
	double	last_adjusted_s; /* the same, less the corrections since */
	int64_t	last_time_ns;
	double	root_delay_s;	/* of the newest sample */
	double	root_disp_s;
	int	stratum;
};

struct sst;

struct sst	*sst_new(void);
void		 sst_free(struct sst *);
/* Forget every sample (the source was replaced, or the clock stepped). */
void		 sst_reset(struct sst *);
/*
 * chronyd's mindelay and asymmetry options.  min_delay_s > 0: the path's
 * round trip is never shorter; a sample's delay under it is taken as far
 * above it (chronyd's reflection), and the asymmetry correction counts
 * from it.  The asymmetry is fixed if within -0.5..0.5 (0: no
 * correction), estimated otherwise (chronyd's default, 1).
 */
void		 sst_set_path(struct sst *, double min_delay_s,
		    double asymmetry);
/*
 * chronyd's maxdelayratio (test B): a sample whose delay is more than
 * ratio times the smallest held is refused; ratio <= 1: no such test.
 */
void		 sst_set_delay_ratio(struct sst *, double ratio);
/*
 * chronyd's maxdelaydevratio (test C, default 10): a sample whose half
 * delay above the minimum exceeds ratio standard deviations of the
 * regression (and what the frequency's error can explain since the
 * newest) is an outlier, unless its offset tells more than that.
 */
void		 sst_set_delay_dev_ratio(struct sst *, double ratio);
/*
 * chronyd's maxdelayquant (its test C instead of the delay filter above):
 * a sample whose delay is above the q-quantile (0.05..0.95) of the last
 * SST_QUANT_DELAYS samples' delays, refused ones too, is refused; 0: no
 * such test.
 */
#define SST_QUANT_DELAYS	64
void		 sst_set_delay_quant(struct sst *, double q);
/*
 * chronyd's minsamples and maxsamples (0: not given): the regression's
 * window is never cut below min samples by the runs test, and holds at
 * most max; with max, the source's estimate is that regression's, as
 * chronyd's, not the Kalman filters' (kf.h), whose memory no count of
 * samples bounds.
 */
void		 sst_set_samples(struct sst *, int min, int max);
/*
 * chronyd's `filter N` source option: of the samples of N polls, the
 * one with the median offset goes on (reffilt.h); length 0: none.  -1 if
 * out of memory.
 */
int		 sst_set_filter(struct sst *, int length);
/*
 * A new sample through the filter: SST_OK with *sm the filter's sample
 * at the Nth poll (or with none set, *sm as it was), SST_FILTERED while
 * it is held, SST_BAD_VALUE if refused.
 */
enum sst_reason	 sst_filter(struct sst *, struct sst_sample *sm);
/*
 * A poll without a sample counts towards N, as chronyd's; the sample
 * that completes the N goes on with the samples held.
 */
void		 sst_filter_miss(struct sst *);
/* Offer a sample; SST_OK if it was taken (the regression is redone). */
enum sst_reason	 sst_add(struct sst *, const struct sst_sample *);
/* Samples held. */
int		 sst_count(const struct sst *);
/* Whether the samples tell a frequency (two a poll apart, or more). */
int		 sst_freq_known(const struct sst *);
/* The estimate at local time now_ns; -1 if there is no sample. */
int		 sst_estimate(const struct sst *, int64_t now_ns,
		    struct sst_est *);
/*
 * The source corrected its own clock: it found itself doffset_s ahead
 * (+) and took it off (extfield F323).  The stored samples, measured
 * against its time before, gain that much (+ local ahead), their times
 * as they are, as chronyd's SST_CorrectOffset().  0 does nothing.
 */
void		 sst_shift(struct sst *, double doffset_s);
/*
 * The local clock was corrected at now_ns: its frequency compensation grew
 * by dfreq_ppm (it now runs slower by that much) and doffset_s was taken
 * off it (+ it was moved back).  Re-express the stored samples as if the
 * correction had always been in place, so that the regression sees only
 * what is left to correct.
 */
void		 sst_correct(struct sst *, int64_t now_ns, double dfreq_ppm,
		    double doffset_s);

#endif
