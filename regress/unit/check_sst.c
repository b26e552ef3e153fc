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
 * Unit tests of the per-source statistics (lib/sst.c).  Randomised tests
 * draw from one generator seeded from TIMED_TEST_SEED (default printed).
 */

#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rgr.h"
#include "sst.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define S		1000000000LL	/* ns per second */
#define T0		(1700000000LL * S)
#define DEFAULT_SEED	20260101ULL

/* Helpers */

static uint64_t	seed;		/* from main() */
static uint64_t	rng_state;

/* Each randomised test (and row) starts its own sequence from the seed. */
static void
rnd_start(int stream)
{
	rng_state = seed ^ ((uint64_t)stream << 32);
}

static uint64_t
rnd_next(void)
{
	/* splitmix64 */
	uint64_t	 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double
rnd_unit(void)
{
	return ((rnd_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double
rnd_uniform(double lo, double hi)
{
	return lo + (hi - lo) * rnd_unit();
}

/* Standard normal (Box-Muller). */
static double
rnd_gauss(void)
{
	return sqrt(-2.0 * log(rnd_unit())) * cos(2.0 * M_PI * rnd_unit());
}

static struct sst_sample
mk(int64_t t, double offset, double delay)
{
	struct sst_sample	 sm;

	memset(&sm, 0, sizeof(sm));
	sm.time_ns = t;
	sm.offset_s = offset;
	sm.delay_s = delay;
	sm.disp_s = 1e-6;
	sm.root_delay_s = 0.02;
	sm.root_disp_s = 0.001;
	sm.stratum = 2;
	return sm;
}

static void
add_ok(struct sst *s, int64_t t, double offset, double delay)
{
	struct sst_sample	 sm = mk(t, offset, delay);

	ck_assert_int_eq(sst_add(s, &sm), SST_OK);
}

static struct sst_est
estimate(const struct sst *s, int64_t now)
{
	struct sst_est	 e;

	ck_assert_int_eq(sst_estimate(s, now, &e), 0);
	return e;
}

/* |got - want| within rel of |want| plus abs. */
static int
near(double got, double want, double rel, double abs)
{
	return fabs(got - want) <= rel * fabs(want) + abs;
}

/*
 * A line: offset o at T0, frequency f_ppm; samples every poll_s, with an
 * irregular part so that the spacing is not uniform.
 */
static int64_t
line_time(int k, int poll_s)
{
	return T0 + k * poll_s * S + (k * 7919 % 1000) * 1000000LL;
}

static double
line_offset(double o, double f_ppm, int64_t t)
{
	return o + f_ppm * 1e-6 * (double)(t - T0) / S;
}

/* The delay filter's threshold (sst.c's FILT_MIN_SAMPLES). */
#define FILT_MIN_SAMPLES_TEST	6

/* Tests */

static const struct {
	const char	*what;
	double		 offset_s;
	double		 freq_ppm;
	int		 poll_s;
	int		 nsamples;
	double		 tol_s;		/* of the offset, s/s of the frequency */
} line_rows[] = {
	{ "ahead 1 ms, no drift", 1e-3, 0.0, 16, 64, 1e-15 },
	{ "behind 250 ms, fast 50 ppm", -0.25, 50.0, 64, 64, 1e-15 },
	{ "1 us, slow 500 ppm, 2 s polls", 1e-6, -500.0, 2, 20, 1e-15 },
	{ "3.5 s, 12.345 ppm, 1024 s polls", 3.5, 12.345, 1024, 40, 1e-15 },
	/*
	 * The first two samples of 10 ms delay may be off by 5 and 2.5 ms
	 * for all the filters know (sst.c, excess()): the third alone is
	 * trusted, and the frequency is not yet exact (nor said to be).
	 */
	{ "three samples only", 0.01, 1.0, 16, 3, 1e-7 },
	{ "more than the ring holds", 0.002, -3.25, 16, 150, 1e-15 },
};

static void
exact_line_row(size_t i)
{
	struct sst	*s;
	struct sst_est	 e;
	int64_t		 t, now;
	int		 k, n = line_rows[i].nsamples;
	double		 o = line_rows[i].offset_s;
	double		 f = line_rows[i].freq_ppm;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < n; k++) {
		t = line_time(k, line_rows[i].poll_s);
		add_ok(s, t, line_offset(o, f, t), 0.01);
	}
	now = t + line_rows[i].poll_s * S / 2;
	e = estimate(s, now);
	ck_assert_msg(near(e.offset_s, line_offset(o, f, now), 1e-12,
	    line_rows[i].tol_s),
	    "%s: offset %.17g, want %.17g", line_rows[i].what, e.offset_s,
	    line_offset(o, f, now));
	ck_assert_msg(near(e.freq_ppm, f, 1e-12, 1e6 * line_rows[i].tol_s),
	    "%s: freq %.17g ppm, want %.17g", line_rows[i].what, e.freq_ppm,
	    f);
	ck_assert_int_eq(e.n, n < SST_MAX_SAMPLES ? n : SST_MAX_SAMPLES);
	ck_assert_int_eq(sst_count(s), e.n);
	ck_assert_int_eq(e.last_time_ns, t);
	/* exact: a small skew; not yet: one that covers the error */
	ck_assert_msg(line_rows[i].tol_s < 1e-12 ? e.skew_ppm < 1e-3 :
	    fabs(e.freq_ppm - f) <= e.skew_ppm, "%s: skew %g ppm",
	    line_rows[i].what, e.skew_ppm);
	ck_assert(e.stddev_s < 1e-8);
	ck_assert_double_eq_tol(e.span_s, (t - line_time(n - e.n,
	    line_rows[i].poll_s)) * 1e-9, 1e-9);
	sst_free(s);
}

START_TEST(test_sst_exact_line_recovered)
{
	size_t	 i;

	for (i = 0; i < NELEM(line_rows); i++)
		exact_line_row(i);
}
END_TEST

/*
 * Gaussian noise on the offsets of lines with random offsets and
 * frequencies: the frequency lies within 3 skews of the truth in at least
 * 95% of the trials, within 1 skew in 90% (the skew is a 95% bound),
 * the offset within 3 of its standard errors in 95%, and the standard
 * deviation reported is the noise's.
 */
static const struct {
	const char	*what;
	double		 sigma_s;
	int		 poll_s;
	int		 nsamples;
	double		 delay_jitter_s;	/* uniform, independent */
} noise_rows[] = {
	{ "1 us, 16 s polls, full ring", 1e-6, 16, 64, 0.0 },
	{ "1 ms, 64 s polls, full ring", 1e-3, 64, 64, 0.0 },
	{ "1 us, 16 s polls, 20 samples", 1e-6, 16, 20, 0.0 },
	{ "1 us, delays vary by 2 us", 1e-6, 16, 64, 2e-6 },
};

#define NTRIALS	200

static void
noisy_row(size_t i)
{
	struct sst	*s;
	struct sst_est	 e;
	int64_t		 t = 0;
	double		 o, f, sd_sum = 0.0, sigma = noise_rows[i].sigma_s;
	double		 skew_sum = 0.0, ferr2 = 0.0, ferr_rms;
	int		 tr, k, freq_in = 0, freq_in1 = 0, offset_in = 0;

	rnd_start(100 + i);
	for (tr = 0; tr < NTRIALS; tr++) {
		ck_assert_ptr_nonnull(s = sst_new());
		o = rnd_uniform(-1e-3, 1e-3);
		f = rnd_uniform(-50.0, 50.0);
		for (k = 0; k < noise_rows[i].nsamples; k++) {
			t = line_time(k, noise_rows[i].poll_s);
			add_ok(s, t, line_offset(o, f, t) + sigma * rnd_gauss(),
			    0.01 + rnd_uniform(0.0,
			    noise_rows[i].delay_jitter_s));
		}
		e = estimate(s, t);
		if (fabs(e.freq_ppm - f) <= 3.0 * e.skew_ppm)
			freq_in++;
		if (fabs(e.freq_ppm - f) <= e.skew_ppm)
			freq_in1++;
		skew_sum += e.skew_ppm;
		ferr2 += (e.freq_ppm - f) * (e.freq_ppm - f);
		if (fabs(e.offset_s - line_offset(o, f, t)) <=
		    3.0 * e.offset_sd_s)
			offset_in++;
		sd_sum += e.stddev_s;
		sst_free(s);
	}
	ck_assert_msg(freq_in >= NTRIALS * 95 / 100, "%s: frequency within "
	    "3 skews in %d of %d", noise_rows[i].what, freq_in, NTRIALS);
	/* the skew is a 95% bound (chrony's t quantile) */
	ck_assert_msg(freq_in1 >= NTRIALS * 90 / 100, "%s: frequency within "
	    "1 skew in %d of %d", noise_rows[i].what, freq_in1, NTRIALS);
	/*
	 * Nor much wider: the skew is at least the bank's standard
	 * deviation, which its less likely filters widen, but not to more
	 * than 6 times the frequency's RMS error.
	 */
	ferr_rms = sqrt(ferr2 / NTRIALS);
	ck_assert_msg(skew_sum / NTRIALS <= 6.0 * ferr_rms, "%s: mean skew "
	    "%g ppm, RMS error %g ppm: the skew is too wide",
	    noise_rows[i].what, skew_sum / NTRIALS, ferr_rms);
	ck_assert_msg(offset_in >= NTRIALS * 95 / 100, "%s: offset within 3 "
	    "sd in %d of %d", noise_rows[i].what, offset_in, NTRIALS);
	ck_assert_msg(near(sd_sum / NTRIALS, sigma, 0.1, 0.0),
	    "%s: mean stddev %g, noise %g", noise_rows[i].what,
	    sd_sum / NTRIALS, sigma);
}

START_TEST(test_sst_noisy_line_within_skew)
{
	size_t	 i;

	for (i = 0; i < NELEM(noise_rows); i++)
		noisy_row(i);
}
END_TEST

/*
 * The delay filter.  A base of samples on a line (1 us of alternating
 * noise, delays of 10 ms and a few us), then the samples offered.
 */
static struct sst *
filter_base(int64_t *t, int nsamples)
{
	struct sst	*s;
	int		 k;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < nsamples; k++) {
		*t = line_time(k, 16);
		add_ok(s, *t, line_offset(1e-4, 2.0, *t) +
		    (k % 2 ? 1e-6 : -1e-6), 0.01 + (k % 5) * 1e-6);
	}
	return s;
}

static const struct {
	const char	*what;
	double		 delay_s;
	double		 offset_err_s;	/* from the line */
	enum sst_reason	 want;
} spike_rows[] = {
	{ "spike, offset as predicted", 0.1, 0.0, SST_DELAY_OUTLIER },
	{ "spike, all of it one way", 0.1, 0.045, SST_DELAY_OUTLIER },
	{ "spike, all of it the other way", 0.1, -0.045, SST_DELAY_OUTLIER },
	{ "spike of 1 ms", 0.011, 0.0, SST_DELAY_OUTLIER },
	{ "increase within the noise", 0.01 + 5e-6, 0.0, SST_OK },
	{ "25 times the usual excess", 0.01 + 50e-6, 0.0, SST_DELAY_OUTLIER },
	{ "offset moved beyond the delay", 0.012, 0.005, SST_OK },
	{ "lower delay", 0.005, 0.0, SST_OK },
};

static void
delay_spike_row(size_t i)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t;

	s = filter_base(&t, 16);
	t += 16 * S;
	sm = mk(t, line_offset(1e-4, 2.0, t) + spike_rows[i].offset_err_s,
	    spike_rows[i].delay_s);
	ck_assert_msg(sst_add(s, &sm) == spike_rows[i].want, "%s",
	    spike_rows[i].what);
	ck_assert_int_eq(sst_count(s), spike_rows[i].want == SST_OK ? 17 :
	    16);
	sst_free(s);
}

START_TEST(test_sst_delay_spike)
{
	size_t	 i;

	for (i = 0; i < NELEM(spike_rows); i++)
		delay_spike_row(i);
}
END_TEST

START_TEST(test_sst_delay_sustained_change_accepted)
{
	struct sst		*s;
	struct sst_sample	 sm;
	struct sst_est		 e;
	int64_t			 t;
	int			 k;

	s = filter_base(&t, 16);
	for (k = 0; k < 10; k++) {
		t += 16 * S;
		sm = mk(t, line_offset(1e-4, 2.0, t), 0.05);
		ck_assert_int_eq(sst_add(s, &sm), k < 4 ? SST_DELAY_OUTLIER :
		    SST_OK);
	}
	e = estimate(s, t);
	ck_assert_int_eq(e.n, 16 + 6);
	ck_assert_double_eq_tol(e.min_delay_s, 0.05, 1e-12);
	ck_assert(near(e.offset_s, line_offset(1e-4, 2.0, t), 0.0, 3e-6));
	/* the old path back: lower, taken, and the minimum again */
	t += 16 * S;
	add_ok(s, t, line_offset(1e-4, 2.0, t), 0.01);
	ck_assert_double_eq_tol(estimate(s, t).min_delay_s, 0.01, 1e-12);
	sm = mk(t + 16 * S, line_offset(1e-4, 2.0, t + 16 * S), 0.05);
	ck_assert_int_eq(sst_add(s, &sm), SST_DELAY_OUTLIER);
	sst_free(s);
}
END_TEST

/*
 * A longer path at long polls: the time since the newest sample held lets
 * every other sample of it through (the frequency can have moved the
 * offset that much), so the outliers never come 5 in a row; 5 high delays
 * in a row do, and the minimum is the new path's from the first of them.
 */
START_TEST(test_sst_delay_longer_path_at_long_polls)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t;
	int			 k;

	s = filter_base(&t, 16);
	for (k = 0; k < 5; k++) {
		t += 512 * S;
		sm = mk(t, line_offset(1e-4, 2.0, t), 0.0116);
		ck_assert_int_eq(sst_add(s, &sm), k % 2 == 0 && k < 4 ?
		    SST_DELAY_OUTLIER : SST_OK);
	}
	ck_assert_double_eq_tol(estimate(s, t).min_delay_s, 0.0116, 1e-12);
	for (k = 0; k < 4; k++) {
		t += 512 * S;
		add_ok(s, t, line_offset(1e-4, 2.0, t), 0.0116 + k * 1e-6);
	}
	sst_free(s);
}
END_TEST

/* Spikes that are not in a row of more than 4 are all rejected. */
START_TEST(test_sst_delay_spikes_apart_rejected)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t;
	int			 k;

	s = filter_base(&t, 16);
	for (k = 0; k < 30; k++) {
		t += 16 * S;
		if (k % 5 == 4) {
			add_ok(s, t, line_offset(1e-4, 2.0, t), 0.01);
			continue;
		}
		sm = mk(t, line_offset(1e-4, 2.0, t), 0.05);
		ck_assert_int_eq(sst_add(s, &sm), SST_DELAY_OUTLIER);
	}
	ck_assert_double_eq_tol(estimate(s, t).min_delay_s, 0.01, 1e-12);
	sst_free(s);
}
END_TEST

/*
 * Queues on one way only: a sample is off by half its delay above the
 * minimum.  One sample in four waited 2 ms: the first is taken (the
 * filter needs 6 samples), the weights make it count for nothing (an
 * unweighted fit would be off by 25 us), and the filter keeps the rest
 * out.
 */
START_TEST(test_sst_weights_favour_low_delay)
{
	struct sst		*s;
	struct sst_sample	 sm;
	struct sst_est		 e;
	int64_t			 t = T0;
	double			 q;
	int			 k, taken = 0;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < 40; k++) {
		t = line_time(k, 16);
		q = k % 4 == 3 ? 2e-3 : 0.0;
		sm = mk(t, line_offset(1e-3, 3.0, t) + q / 2, 0.01 + q);
		if (sst_add(s, &sm) == SST_OK)
			taken++;
	}
	e = estimate(s, t);
	ck_assert_int_eq(taken, 31);
	ck_assert_int_eq(e.n, 31);
	ck_assert_msg(fabs(e.offset_s - line_offset(1e-3, 3.0, t)) < 1e-6,
	    "offset off by %g", e.offset_s - line_offset(1e-3, 3.0, t));
	ck_assert_msg(fabs(e.freq_ppm - 3.0) < 1e-3, "freq %g", e.freq_ppm);
	sst_free(s);
}
END_TEST

/*
 * A path whose jitter is all one way: the offsets follow the delays with
 * a slope of -+0.5, which is corrected once it held for 10 samples;
 * the estimate is then the offset at the smallest delay, within a few
 * us.  Jitter both ways is no asymmetry: the correction stays off (it
 * came on by chance in 1 run of 60 here), and the estimate is within the
 * noise that 64 samples average (one sample's error is 212 us RMS; the
 * estimate's median error over 60 runs was 17 us, the largest 53).
 */
/*
 * The run of asymmetric samples counts samples: a correction of the clock
 * after each (the fit redone on offsets moved along a line in time) is
 * not one more.  All jitter on the way out, the same samples to two
 * histories, one corrected twice after each: the correction comes on at
 * the same sample in both, after ASYM_MIN_RUN (10) regressions.
 */
START_TEST(test_sst_asymmetry_counts_samples)
{
	struct sst		*a, *b;
	struct sst_sample	 sm;
	int64_t			 t = T0;
	double			 out;
	int			 k, on = -1;

	rnd_start(77);
	ck_assert_ptr_nonnull(a = sst_new());
	ck_assert_ptr_nonnull(b = sst_new());
	for (k = 0; k < 40; k++) {
		t = line_time(k, 16);
		out = 300e-6 * -log(rnd_unit());
		sm = mk(t, line_offset(1e-3, 0.0, t) - out / 2, 200e-6 + out);
		sm.disp_s = 1e-8;
		/* the delay filter keeps the longest out of both */
		ck_assert_int_eq(sst_add(a, &sm), sst_add(b, &sm));
		sst_correct(b, t, 0.0, 0.0);
		sst_correct(b, t, 0.0, 0.0);
		ck_assert_double_eq(estimate(a, t).asymmetry,
		    estimate(b, t).asymmetry);
		if (on == -1 && estimate(a, t).asymmetry != 0.0)
			on = k;
	}
	ck_assert_int_ge(on, 12);	/* samples 0-2: no regression */
	ck_assert_double_le(estimate(a, t).asymmetry, -0.45);
	sst_free(a);
	sst_free(b);
}
END_TEST

static const struct {
	const char	*what;
	double		 out_mean_s;	/* exponential jitter, each way */
	double		 back_mean_s;
	double		 want;		/* the asymmetry corrected */
	int		 max_wrong;	/* runs of ASYM_TRIALS with another */
	double		 med_err_s;	/* median |offset error|, at most */
	double		 max_err_s;	/* the largest */
} asym_rows[] = {
	{ "all jitter on the way out", 300e-6, 0.0, -0.5, 0, 10e-6, 50e-6 },
	{ "all jitter on the way back", 0.0, 300e-6, 0.5, 0, 10e-6, 50e-6 },
	{ "jitter both ways", 300e-6, 300e-6, 0.0, 2, 40e-6, 150e-6 },
};

#define ASYM_TRIALS	10

START_TEST(test_sst_asymmetry)
{
	struct sst		*s;
	struct sst_sample	 sm;
	struct sst_est		 e;
	int64_t			 t = T0;
	double			 out, back, med, err[ASYM_TRIALS];
	int			 k, tr, wrong = 0;

	rnd_start(400 + _i);
	for (tr = 0; tr < ASYM_TRIALS; tr++) {
		ck_assert_ptr_nonnull(s = sst_new());
		for (k = 0; k < 64; k++) {
			t = line_time(k, 16);
			out = asym_rows[_i].out_mean_s * -log(rnd_unit());
			back = asym_rows[_i].back_mean_s * -log(rnd_unit());
			/* a later arrival at the server: the local clock
			 * seems behind by half of it */
			sm = mk(t, line_offset(1e-3, 0.0, t) - out / 2 +
			    back / 2 + 1e-6 * rnd_gauss(),
			    200e-6 + out + back);
			sm.disp_s = 1e-8;
			(void)sst_add(s, &sm);
		}
		e = estimate(s, t);
		if (fabs(e.asymmetry - asym_rows[_i].want) >= 0.05)
			wrong++;
		err[tr] = fabs(e.offset_s - line_offset(1e-3, 0.0, t));
		sst_free(s);
	}
	med = rgr_median(err, ASYM_TRIALS);	/* sorts err */
	ck_assert_msg(wrong <= asym_rows[_i].max_wrong,
	    "%s: asymmetry wrong in %d runs", asym_rows[_i].what, wrong);
	ck_assert_msg(med <= asym_rows[_i].med_err_s &&
	    err[ASYM_TRIALS - 1] <= asym_rows[_i].max_err_s,
	    "%s: offset off by %g median, %g at most", asym_rows[_i].what,
	    med, err[ASYM_TRIALS - 1]);
}
END_TEST

/*
 * chronyd's mindelay and asymmetry options: with the path's floor and
 * its asymmetry given, the correction is on from the first regression
 * and counts from the floor, however high every delay held is; a delay
 * under the floor is taken as far above it; asymmetry 0 is no
 * correction.  All jitter on the way out, never less than 100 us of it.
 */
START_TEST(test_sst_fixed_path)
{
	struct sst		*s, *z;
	struct sst_sample	 sm;
	struct sst_est		 e;
	int64_t			 t = T0;
	double			 out;
	int			 k;

	rnd_start(500);
	ck_assert_ptr_nonnull(s = sst_new());
	ck_assert_ptr_nonnull(z = sst_new());
	sst_set_path(s, 200e-6, -0.5);
	sst_set_path(z, 200e-6, 0.0);
	for (k = 0; k < 20; k++) {
		t = line_time(k, 16);
		out = 100e-6 + 300e-6 * -log(rnd_unit());
		sm = mk(t, line_offset(1e-3, 0.0, t) - out / 2, 200e-6 + out);
		sm.disp_s = 1e-8;
		(void)sst_add(s, &sm);
		(void)sst_add(z, &sm);
		if (k >= 2)
			ck_assert_double_eq(estimate(s, t).asymmetry, -0.5);
	}
	e = estimate(s, t);
	ck_assert_double_eq_tol(e.offset_s, line_offset(1e-3, 0.0, t), 1e-9);
	/* no correction: half the jitter's mean (about 200 us) is left */
	e = estimate(z, t);
	ck_assert_double_eq(e.asymmetry, 0.0);
	ck_assert_double_gt(fabs(e.offset_s - line_offset(1e-3, 0.0, t)),
	    50e-6);
	/* 150 us under a floor of 200: 250 */
	sm = mk(t + 16 * S, line_offset(1e-3, 0.0, t + 16 * S), 150e-6);
	sm.disp_s = 1e-8;
	ck_assert_int_eq(sst_add(z, &sm), SST_OK);
	ck_assert_double_eq_tol(estimate(z, t + 16 * S).min_delay_s, 250e-6,
	    1e-12);
	sst_free(s);
	sst_free(z);
}
END_TEST

/*
 * maxdelayratio (chronyd's test B): a delay over ratio times the
 * smallest held is refused; at most that, taken.
 */
START_TEST(test_sst_delay_ratio)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t = T0;
	int			 k;

	ck_assert_ptr_nonnull(s = sst_new());
	sst_set_delay_ratio(s, 2.0);
	for (k = 0; k < 4; k++)
		add_ok(s, t += 16 * S, 1e-3, 100e-6 + k * 1e-6);
	sm = mk(t += 16 * S, 1e-3, 201e-6);
	ck_assert_int_eq(sst_add(s, &sm), SST_DELAY_RATIO);
	ck_assert_int_eq(sst_count(s), 4);
	add_ok(s, t += 16 * S, 1e-3, 199e-6);
	/* 1 or less: no such test */
	sst_set_delay_ratio(s, 1.0);
	add_ok(s, t += 16 * S, 1e-3, 150e-6);
	sst_free(s);
}
END_TEST

/*
 * maxdelaydevratio: half the delay above the minimum against that many
 * standard deviations (1 us here; the usual excess allows 3 us): 2.5 us
 * passes at the default 10, not at 1.
 */
START_TEST(test_sst_delay_dev_ratio)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t;
	double			 ratio[3] = { -1.0, 1.0, 0.0 };
	enum sst_reason		 want[3] = { SST_OK, SST_DELAY_OUTLIER,
	    SST_DELAY_OUTLIER };
	int			 i;

	for (i = 0; i < 3; i++) {
		s = filter_base(&t, 20);
		if (ratio[i] >= 0.0)
			sst_set_delay_dev_ratio(s, ratio[i]);
		t += S / 10;
		sm = mk(t, line_offset(1e-4, 2.0, t), 0.01 + 5e-6);
		ck_assert_msg(sst_add(s, &sm) == want[i], "ratio %g",
		    ratio[i]);
		sst_free(s);
	}
}
END_TEST

/*
 * maxdelayquant: above the quantile of the last delays (refused ones
 * counted) is refused, instead of the delay filter; the first sample
 * passes; a reset forgets the delays.
 */
START_TEST(test_sst_delay_quant)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t = T0;
	int			 i, taken = 0;

	ck_assert_ptr_nonnull(s = sst_new());
	sst_set_delay_quant(s, 0.1);
	for (i = 0; i < 40; i++) {
		sm = mk(t += 16 * S, 1e-3, 100e-6 * (1 + i % 10));
		if (sst_add(s, &sm) == SST_OK)
			taken++;
		else
			ck_assert_int_eq(i % 10 != 0, 1);
	}
	/* the first, then each 100 us one: 10% of the delays */
	ck_assert_int_eq(taken, 4);
	sm = mk(t += 16 * S, 1e-3, 150e-6);
	ck_assert_int_eq(sst_add(s, &sm), SST_DELAY_QUANT);
	/* 0.9 of the same delays: 900 us and under pass */
	sst_set_delay_quant(s, 0.9);
	for (i = 0; i < 20; i++) {
		sm = mk(t += 16 * S, 1e-3, 100e-6 * (1 + i % 10));
		ck_assert_msg((sst_add(s, &sm) == SST_OK) ==
		    (i % 10 < 9), "0.9: sample %d", i);
	}
	/* a reset forgets them: the next passes whatever its delay */
	sst_reset(s);
	sm = mk(t += 16 * S, 1e-3, 5e-3);
	ck_assert_int_eq(sst_add(s, &sm), SST_OK);
	sst_free(s);
}
END_TEST

/* Never with fewer than 4 held (6, as chrony, here). */
static const struct {
	const char	*what;
	int		 held;
	enum sst_reason	 want;
} few_rows[] = {
	{ "1 held", 1, SST_OK },
	{ "3 held", 3, SST_OK },
	{ "4 held", 4, SST_OK },
	{ "5 held", 5, SST_OK },
	{ "6 held", 6, SST_DELAY_OUTLIER },
};

static void
filter_needs_row(size_t i)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t;

	s = filter_base(&t, few_rows[i].held);
	t += 16 * S;
	sm = mk(t, line_offset(1e-4, 2.0, t), 0.1);
	ck_assert_msg(sst_add(s, &sm) == few_rows[i].want, "%s",
	    few_rows[i].what);
	sst_free(s);
}

START_TEST(test_sst_delay_filter_needs_samples)
{
	size_t	 i;

	for (i = 0; i < NELEM(few_rows); i++)
		filter_needs_row(i);
}
END_TEST

/*
 * A frequency change makes the runs test drop the older samples from the
 * regression; they are still held, and still tell the usual delay: a
 * stalled exchange right after (75 times the delay, its offset half its
 * extra delay off) is an outlier, not the new estimate.
 */
START_TEST(test_sst_delay_filter_after_pruning)
{
	struct sst		*s;
	struct sst_sample	 sm;
	struct sst_est		 e;
	int64_t			 t = T0;
	double			 off = 0.0;
	int			 k, pruned = 0;

	rnd_start(77);
	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < 60; k++) {
		t += 16 * S;
		off += (k < 40 ? 0.0 : 20.0) * 1e-6 * 16;
		add_ok(s, t, off + 1e-6 * rnd_gauss(), 0.002 +
		    1e-6 * fabs(rnd_gauss()));
		if (k >= 40 && sst_count(s) < FILT_MIN_SAMPLES_TEST) {
			pruned = 1;
			break;
		}
	}
	ck_assert_msg(pruned, "the runs test kept %d samples", sst_count(s));
	e = estimate(s, t + 16 * S);
	t += 16 * S;
	/* all the extra delay one way: the offset off by half of it */
	sm = mk(t, e.offset_s + 0.5 * (0.15 - 0.002), 0.15);
	ck_assert_int_eq(sst_add(s, &sm), SST_DELAY_OUTLIER);
	sst_free(s);
}
END_TEST

static const struct {
	const char	*what;
	double		 offset_s;
	double		 delay_s;
	double		 disp_s;
	double		 root_delay_s;
	double		 root_disp_s;
	enum sst_reason	 want;
} value_rows[] = {
	{ "NaN offset", NAN, 0.01, 1e-6, 0.0, 0.0, SST_BAD_VALUE },
	{ "infinite offset", INFINITY, 0.01, 1e-6, 0.0, 0.0, SST_BAD_VALUE },
	{ "NaN delay", 0.0, NAN, 1e-6, 0.0, 0.0, SST_BAD_VALUE },
	{ "negative delay", 0.0, -1e-9, 1e-6, 0.0, 0.0, SST_BAD_VALUE },
	{ "infinite delay", 0.0, INFINITY, 1e-6, 0.0, 0.0, SST_BAD_VALUE },
	{ "NaN dispersion", 0.0, 0.01, NAN, 0.0, 0.0, SST_BAD_VALUE },
	{ "negative dispersion", 0.0, 0.01, -1e-6, 0.0, 0.0, SST_BAD_VALUE },
	{ "NaN root delay", 0.0, 0.01, 1e-6, NAN, 0.0, SST_BAD_VALUE },
	{ "negative root delay", 0.0, 0.01, 1e-6, -0.1, 0.0, SST_BAD_VALUE },
	{ "infinite root disp", 0.0, 0.01, 1e-6, 0.0, INFINITY,
	    SST_BAD_VALUE },
	{ "zero delay", 0.0, 0.0, 0.0, 0.0, 0.0, SST_OK },
};

static void
bad_value_row(size_t i)
{
	struct sst		*s;
	struct sst_sample	 sm;
	struct sst_est		 before, after;
	int64_t			 t;

	s = filter_base(&t, 8);
	before = estimate(s, t);
	sm = mk(t + 16 * S, value_rows[i].offset_s, value_rows[i].delay_s);
	sm.disp_s = value_rows[i].disp_s;
	sm.root_delay_s = value_rows[i].root_delay_s;
	sm.root_disp_s = value_rows[i].root_disp_s;
	ck_assert_msg(sst_add(s, &sm) == value_rows[i].want, "%s",
	    value_rows[i].what);
	if (value_rows[i].want != SST_OK) {
		after = estimate(s, t);
		ck_assert_int_eq(after.n, 8);
		ck_assert(after.offset_s == before.offset_s);
		ck_assert(after.freq_ppm == before.freq_ppm);
	}
	sst_free(s);
}

START_TEST(test_sst_bad_values)
{
	size_t	 i;

	for (i = 0; i < NELEM(value_rows); i++)
		bad_value_row(i);
}
END_TEST

START_TEST(test_sst_ring_keeps_newest)
{
	struct sst	*s;
	struct sst_est	 e;
	int64_t		 t = 0;
	int		 k;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < 3 * SST_MAX_SAMPLES + 5; k++) {
		t = line_time(k, 16);
		add_ok(s, t, line_offset(-2e-3, 7.5, t), 0.01);
		ck_assert_int_eq(sst_count(s), k < SST_MAX_SAMPLES ? k + 1 :
		    SST_MAX_SAMPLES);
	}
	e = estimate(s, t);
	ck_assert_int_eq(e.n, SST_MAX_SAMPLES);
	ck_assert_int_eq(e.last_time_ns, t);
	ck_assert_double_eq_tol(e.span_s, (t - line_time(k - SST_MAX_SAMPLES,
	    16)) * 1e-9, 1e-9);
	ck_assert(near(e.last_offset_s, line_offset(-2e-3, 7.5, t), 0.0,
	    0.0));
	sst_free(s);
}
END_TEST

/*
 * The frequency changes after a full ring: the runs test drops the samples
 * from before, and the estimate follows within a few samples (a plain
 * regression over 64 would take about 30 to get half-way).
 */
static const struct {
	const char	*what;
	double		 f1_ppm;
	double		 f2_ppm;
	int		 poll_s;
	int		 within;	/* samples after the change */
} fchange_rows[] = {
	{ "0 to +1 ppm, 16 s polls", 0.0, 1.0, 16, 14 },
	{ "+5 to -5 ppm, 16 s polls", 5.0, -5.0, 16, 8 },
	{ "0 to -0.3 ppm, 64 s polls", 0.0, -0.3, 64, 10 },
};

#define FCHANGE_TRIALS	20
#define FCHANGE_AFTER	40

static void
fchange_row(size_t i)
{
	struct sst	*s;
	struct sst_est	 e;
	int64_t		 t;
	double		 off, f, f2 = fchange_rows[i].f2_ppm;
	double		 tol = 0.1 * fabs(f2 - fchange_rows[i].f1_ppm);
	int		 tr, k, followed;

	rnd_start(200 + i);
	for (tr = 0; tr < FCHANGE_TRIALS; tr++) {
		ck_assert_ptr_nonnull(s = sst_new());
		off = 0.0;
		t = T0;
		followed = -1;
		for (k = 0; k < SST_MAX_SAMPLES + FCHANGE_AFTER; k++) {
			f = k < SST_MAX_SAMPLES ? fchange_rows[i].f1_ppm : f2;
			t += fchange_rows[i].poll_s * S;
			off += f * 1e-6 * fchange_rows[i].poll_s;
			add_ok(s, t, off + 1e-6 * rnd_gauss(), 0.01);
			e = estimate(s, t);
			if (k >= SST_MAX_SAMPLES && followed == -1 &&
			    fabs(e.freq_ppm - f2) <= tol)
				followed = k - SST_MAX_SAMPLES + 1;
		}
		ck_assert_msg(followed != -1 &&
		    followed <= fchange_rows[i].within,
		    "%s: followed after %d samples", fchange_rows[i].what,
		    followed);
		ck_assert_msg(fabs(e.freq_ppm - f2) <= 3.0 * e.skew_ppm,
		    "%s: at the end %g ppm, skew %g", fchange_rows[i].what,
		    e.freq_ppm, e.skew_ppm);
		ck_assert_int_le(e.n, FCHANGE_AFTER + 2);
		sst_free(s);
	}
}

START_TEST(test_sst_runs_test_follows_frequency_change)
{
	size_t	 i;

	for (i = 0; i < NELEM(fchange_rows); i++)
		fchange_row(i);
}
END_TEST

/*
 * The frequency wanders (a temperature ramp: the offset is quadratic in
 * time).  The runs test, extended over as many samples again as are used,
 * keeps the window short enough that the offset predicted one poll ahead
 * stays near the noise; used samples alone would let the window grow
 * (about twice the error).
 */
static const struct {
	const char	*what;
	double		 ppm_per_hour;
	int		 poll_s;
	double		 max_rms_s;	/* 1 us of noise */
} wander_rows[] = {
	{ "0.1 ppm/h, 16 s polls", 0.1, 16, 1.2e-6 },
	{ "1 ppm/h, 16 s polls", 1.0, 16, 2.0e-6 },
	{ "0.01 ppm/h, 64 s polls", 0.01, 64, 1.3e-6 },
};

#define WANDER_TRIALS	10
#define WANDER_SAMPLES	300
#define WANDER_SKIP	100

static void
wander_row(size_t i)
{
	struct sst	*s;
	double		 ts, truth, se = 0.0, drift;
	int		 tr, k, cnt = 0;

	rnd_start(500 + i);
	drift = wander_rows[i].ppm_per_hour * 1e-6 / 3600.0;
	for (tr = 0; tr < WANDER_TRIALS; tr++) {
		ck_assert_ptr_nonnull(s = sst_new());
		for (k = 0; k < WANDER_SAMPLES; k++) {
			ts = (double)k * wander_rows[i].poll_s;
			truth = 0.5 * drift * ts * ts;
			if (k >= WANDER_SKIP) {
				se += pow(estimate(s, T0 + k *
				    wander_rows[i].poll_s * S).offset_s -
				    truth, 2);
				cnt++;
			}
			add_ok(s, T0 + k * wander_rows[i].poll_s * S,
			    truth + 1e-6 * rnd_gauss(), 0.01);
		}
		sst_free(s);
	}
	ck_assert_msg(sqrt(se / cnt) <= wander_rows[i].max_rms_s,
	    "%s: rms error %g", wander_rows[i].what, sqrt(se / cnt));
}

START_TEST(test_sst_runs_test_tracks_wander)
{
	size_t	 i;

	for (i = 0; i < NELEM(wander_rows); i++)
		wander_row(i);
}
END_TEST

/*
 * A bend the runs test cannot see: the offsets follow a parabola (the
 * frequency drifting at a steady rate) under noise that alternates in
 * sign, larger than the parabola's distance from a line, so the
 * residuals alternate too and the runs look random.  The curvature is
 * many standard errors from none: the window must still be cut, and the
 * frequency be nearer the one at the newest sample than the window's
 * mean frequency is.
 */
START_TEST(test_sst_curvature_cuts_bend)
{
	struct sst	*s;
	struct sst_est	 e;
	const int	 n = 64, poll_s = 64;
	const double	 noise_s = 20e-6;
	/* the line through the whole window misses it by 19 us */
	const double	 c = 19e-6 * 6.0 / ((double)(n * poll_s) *
			    (n * poll_s));
	double		 ts, f_new, f_mid;
	int64_t		 t = T0;
	int		 k;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < n; k++) {
		t = T0 + (int64_t)k * poll_s * S;
		ts = (double)k * poll_s;
		add_ok(s, t, c * ts * ts + (k % 2 ? noise_s : -noise_s),
		    0.01);
	}
	e = estimate(s, t);
	f_new = 2.0 * c * (n - 1) * poll_s * 1e6;
	f_mid = f_new / 2.0;
	ck_assert_msg(e.n < n, "the whole bent window was kept (%d)", e.n);
	ck_assert_msg(fabs(e.freq_ppm - f_new) < fabs(f_mid - f_new),
	    "frequency %g ppm, newest %g, window's mean %g", e.freq_ppm,
	    f_new, f_mid);
	sst_free(s);
}
END_TEST

/*
 * sst_correct() with a modelled clock.  tau is the uncorrected local
 * time; the local clock is off the source by o + f (tau - T0).  At now a
 * correction (doffset, dfreq) is made: from then on the clock reads
 * L = tau - doffset - dfreq (tau - now) and is off by the old offset less
 * the same.  Samples taken after the correction from the corrected model
 * lie on one line with the re-expressed old ones: the regression keeps
 * them all, its residuals stay at the noise, and the estimate is the
 * corrected model's offset, with the corrected model's frequency.
 */
static const struct {
	const char	*what;
	double		 o_s;
	double		 f_ppm;
	double		 doffset_s;
	double		 dfreq_ppm;
	double		 sigma_s;
} corr_rows[] = {
	{ "nothing", 5e-3, 20.0, 0.0, 0.0, 0.0 },
	{ "offset only", 5e-3, 20.0, 1e-3, 0.0, 0.0 },
	{ "frequency only", 5e-3, 20.0, 0.0, 15.0, 0.0 },
	{ "both, partly", 5e-3, 20.0, 3e-3, 12.0, 0.0 },
	{ "both, too far", -2e-3, -30.0, -8e-3, -45.0, 0.0 },
	{ "both, against the error", 5e-3, 20.0, -2e-3, -10.0, 0.0 },
	{ "large, 100 ms and 200 ppm", 0.4, 250.0, 0.1, 200.0, 0.0 },
	{ "both, with 1 us of noise", 5e-3, 20.0, 3e-3, 12.0, 1e-6 },
};

#define CORR_BEFORE	32
#define CORR_AFTER	16
#define CORR_POLL	(16 * S)

static double
corr_model(size_t i, int64_t tau, int64_t now, int corrected)
{
	double	 v = corr_rows[i].o_s + corr_rows[i].f_ppm * 1e-6 *
	    (tau - T0) * 1e-9;

	if (corrected)
		v -= corr_rows[i].doffset_s + corr_rows[i].dfreq_ppm * 1e-6 *
		    (tau - now) * 1e-9;
	return v;
}

static int64_t
corr_clock(size_t i, int64_t tau, int64_t now)
{
	return tau - llround((corr_rows[i].doffset_s +
	    corr_rows[i].dfreq_ppm * 1e-6 * (tau - now) * 1e-9) * 1e9);
}

static void
correct_row(size_t i)
{
	struct sst	*s, *ctl;
	struct sst_est	 e;
	int64_t		 tau, now = 0;
	double		 sigma = corr_rows[i].sigma_s, nz, want_f;
	int		 k, corrected;

	rnd_start(300 + i);
	ck_assert_ptr_nonnull(s = sst_new());
	ck_assert_ptr_nonnull(ctl = sst_new());
	for (k = 0; k < CORR_BEFORE + CORR_AFTER; k++) {
		tau = T0 + k * CORR_POLL + (k * 7919 % 1000) * 1000000LL;
		if (k == CORR_BEFORE) {
			now = tau - CORR_POLL / 2;
			sst_correct(s, now, corr_rows[i].dfreq_ppm,
			    corr_rows[i].doffset_s);
		}
		corrected = k >= CORR_BEFORE;
		nz = sigma * rnd_gauss();
		add_ok(s, corrected ? corr_clock(i, tau, now) : tau,
		    corr_model(i, tau, now, corrected) + nz, 0.01);
		/* the control: the same, never told of the correction */
		add_ok(ctl, corrected ? corr_clock(i, tau, now) : tau,
		    corr_model(i, tau, now, corrected) + nz, 0.01);
	}
	e = estimate(s, corr_clock(i, tau, now));
	want_f = (corr_rows[i].f_ppm - corr_rows[i].dfreq_ppm) /
	    (1.0 - corr_rows[i].dfreq_ppm * 1e-6);
	if (sigma == 0.0) {
		ck_assert_msg(e.n == CORR_BEFORE + CORR_AFTER &&
		    e.stddev_s < 1e-8, "%s: n %d, stddev %g",
		    corr_rows[i].what, e.n, e.stddev_s);
		ck_assert_msg(near(e.offset_s, corr_model(i, tau, now, 1),
		    0.0, 1e-10), "%s: offset %.12g, want %.12g",
		    corr_rows[i].what, e.offset_s,
		    corr_model(i, tau, now, 1));
		ck_assert_msg(near(e.freq_ppm, want_f, 1e-9, 1e-6),
		    "%s: freq %.12g, want %.12g", corr_rows[i].what,
		    e.freq_ppm, want_f);
	} else {
		ck_assert_msg(e.stddev_s < 1.5 * sigma, "%s: stddev %g",
		    corr_rows[i].what, e.stddev_s);
		ck_assert(fabs(e.offset_s - corr_model(i, tau, now, 1)) <=
		    4.0 * e.offset_sd_s);
		ck_assert(fabs(e.freq_ppm - want_f) <= e.skew_ppm);
	}
	/* Without the correction, the two parts are not one line. */
	if (corr_rows[i].doffset_s != 0.0 || corr_rows[i].dfreq_ppm != 0.0) {
		e = estimate(ctl, corr_clock(i, tau, now));
		ck_assert_msg(e.n < CORR_BEFORE || e.stddev_s > 10.0 *
		    (sigma + 1e-9), "%s: the control fits: n %d stddev %g",
		    corr_rows[i].what, e.n, e.stddev_s);
	}
	sst_free(ctl);
	sst_free(s);
}

START_TEST(test_sst_correct_modelled_clock)
{
	size_t	 i;

	for (i = 0; i < NELEM(corr_rows); i++)
		correct_row(i);
}
END_TEST

/* The newest sample is reported as measured; the estimate moves. */
START_TEST(test_sst_correct_keeps_measured)
{
	struct sst	*s;
	struct sst_est	 e0, e1;
	int64_t		 t;

	s = filter_base(&t, 8);
	e0 = estimate(s, t);
	sst_correct(s, t, 0.0, 1e-3);
	e1 = estimate(s, t - 1000000);
	ck_assert(e1.last_offset_s == e0.last_offset_s);
	ck_assert_int_eq(e1.last_time_ns, t - 1000000);
	/* the same instant, on the clock that was moved back */
	ck_assert_double_eq_tol(e1.offset_s, e0.offset_s - 1e-3, 1e-12);
	ck_assert_int_eq(e1.n, e0.n);
	sst_free(s);
}
END_TEST

/*
 * sst_shift(): the source took doffset off its clock (extfield F323).
 * The samples held gain it, their times as they were, as chronyd's
 * SST_CorrectOffset(): the estimate moves by as much, its frequency
 * stays.
 */
START_TEST(test_sst_shift_moves_offset)
{
	static const double	 shifts[] = { 3e-3, -2.5e-4, 1e-9, 15.0 };
	struct sst		*s;
	struct sst_est		 e0, e1;
	int64_t			 t, now;
	size_t			 i;

	for (i = 0; i < NELEM(shifts); i++) {
		s = filter_base(&t, 20);
		now = t + 8 * S;
		e0 = estimate(s, now);
		sst_shift(s, shifts[i]);
		e1 = estimate(s, now);
		ck_assert_msg(near(e1.offset_s, e0.offset_s + shifts[i], 0.0,
		    1e-12), "%g: offset %.15g, want %.15g", shifts[i],
		    e1.offset_s, e0.offset_s + shifts[i]);
		ck_assert_msg(near(e1.freq_ppm, e0.freq_ppm, 0.0, 1e-6),
		    "%g: freq %.15g, was %.15g", shifts[i], e1.freq_ppm,
		    e0.freq_ppm);
		ck_assert_int_eq(e1.n, e0.n);
		ck_assert_int_eq(sst_count(s), 20);
		/* the times stay; the newest as measured, and as shifted */
		ck_assert_int_eq(e1.last_time_ns, e0.last_time_ns);
		ck_assert(e1.last_offset_s == e0.last_offset_s);
		ck_assert_double_eq_tol(e1.last_adjusted_s,
		    e0.last_adjusted_s + shifts[i], 1e-12);
		ck_assert_double_eq_tol(e1.stddev_s, e0.stddev_s, 1e-12);
		ck_assert_double_eq_tol(e1.span_s, e0.span_s, 1e-12);
		/* and back */
		sst_shift(s, -shifts[i]);
		e1 = estimate(s, now);
		ck_assert(near(e1.offset_s, e0.offset_s, 0.0, 1e-12));
		sst_free(s);
	}
}
END_TEST

/*
 * maxsamples N: at most N samples held, and the estimate their line,
 * not the filters' (which remember more): a source whose frequency
 * jumps by 10 ppm is followed N samples later.  maxsamples 1: the
 * newest sample, no frequency.
 */
START_TEST(test_sst_max_samples)
{
	struct sst	*s, *d;
	struct sst_est	 e, ed;
	int64_t		 t = 1000 * S;
	double		 off;
	int		 i;

	ck_assert_ptr_nonnull(s = sst_new());
	ck_assert_ptr_nonnull(d = sst_new());
	sst_set_samples(s, 0, 4);
	for (i = 0; i < 40; i++, t += 16 * S) {
		/* 1 ppm, then 11 ppm from sample 36 on */
		off = 1e-6 * i * 16 + (i >= 36 ? 10e-6 * (i - 36) * 16 : 0.0);
		add_ok(s, t, off, 1e-4);
		add_ok(d, t, off, 1e-4);
	}
	ck_assert_int_le(sst_count(s), 4);
	e = estimate(s, t - 16 * S);
	ed = estimate(d, t - 16 * S);
	ck_assert_msg(fabs(e.freq_ppm - 11.0) < 0.01, "freq %g", e.freq_ppm);
	ck_assert_msg(fabs(ed.freq_ppm - 11.0) > 0.05,
	    "the filters forgot as fast: %g", ed.freq_ppm);
	sst_free(d);

	/* 1: the newest sample as it is */
	sst_set_samples(s, 0, 1);
	ck_assert_int_eq(sst_count(s), 1);
	add_ok(s, t, 0.25, 1e-4);
	e = estimate(s, t);
	ck_assert_double_eq_tol(e.offset_s, 0.25, 1e-12);
	ck_assert_int_eq(sst_count(s), 1);
	sst_free(s);
}
END_TEST

/* 0 does nothing; a shift too large to express forgets the samples. */
START_TEST(test_sst_shift_zero_and_too_large)
{
	static const double	 bad[] = { 2e8, -2e8, INFINITY, NAN };
	struct sst		*s;
	struct sst_est		 e0, e1;
	int64_t			 t;
	size_t			 i;

	s = filter_base(&t, 10);
	e0 = estimate(s, t);
	sst_shift(s, 0.0);
	e1 = estimate(s, t);
	ck_assert(e1.offset_s == e0.offset_s);
	ck_assert(e1.freq_ppm == e0.freq_ppm);
	ck_assert(e1.last_adjusted_s == e0.last_adjusted_s);
	ck_assert_int_eq(e1.n, 10);
	sst_free(s);

	/* a large one still within MAX_CORR_DELTA_S (1e8 s) is taken */
	s = filter_base(&t, 10);
	e0 = estimate(s, t);
	sst_shift(s, 1e7);
	ck_assert_int_eq(sst_count(s), 10);
	e1 = estimate(s, t);
	ck_assert_double_eq_tol(e1.offset_s, e0.offset_s + 1e7, 1e-6);
	sst_free(s);

	for (i = 0; i < NELEM(bad); i++) {
		s = filter_base(&t, 10);
		sst_shift(s, bad[i]);
		ck_assert_msg(sst_count(s) == 0, "%g: %d samples kept",
		    bad[i], sst_count(s));
		ck_assert_int_eq(sst_estimate(s, t, &e0), -1);
		sst_free(s);
	}

	/* nothing held: nothing to do */
	ck_assert_ptr_nonnull(s = sst_new());
	sst_shift(s, 1e-3);
	ck_assert_int_eq(sst_count(s), 0);
	add_ok(s, T0, 0.25, 0.01);
	e0 = estimate(s, T0);
	ck_assert(e0.offset_s == 0.25);
	sst_free(s);
}
END_TEST

/*
 * The use of it: a source on a line takes d off its clock; the samples
 * after it are d further ahead.  Shifted, the old ones and the new are
 * one line, the regression keeps them all; the control, never told,
 * sees a break.
 */
static const struct {
	const char	*what;
	double		 o_s;
	double		 f_ppm;
	double		 d_s;
} shift_rows[] = {
	{ "1 ms, no drift", 1e-3, 0.0, 1e-3 },
	{ "-3 ms, 20 ppm", 5e-3, 20.0, -3e-3 },
	{ "100 us, -50 ppm", -2e-3, -50.0, 1e-4 },
};

#define SHIFT_BEFORE	32
#define SHIFT_AFTER	16

static void
shift_row(size_t i)
{
	struct sst	*s, *ctl;
	struct sst_est	 e;
	int64_t		 t = T0;
	double		 o = shift_rows[i].o_s, f = shift_rows[i].f_ppm;
	double		 d = shift_rows[i].d_s, want;
	int		 k;

	ck_assert_ptr_nonnull(s = sst_new());
	ck_assert_ptr_nonnull(ctl = sst_new());
	for (k = 0; k < SHIFT_BEFORE + SHIFT_AFTER; k++) {
		t = line_time(k, 16);
		want = line_offset(o, f, t);
		if (k == SHIFT_BEFORE)
			sst_shift(s, d);
		if (k >= SHIFT_BEFORE)
			want += d;
		add_ok(s, t, want, 0.01);
		add_ok(ctl, t, want, 0.01);
	}
	e = estimate(s, t);
	ck_assert_msg(e.n == SHIFT_BEFORE + SHIFT_AFTER && e.stddev_s < 1e-8,
	    "%s: n %d, stddev %g", shift_rows[i].what, e.n, e.stddev_s);
	ck_assert_msg(near(e.offset_s, line_offset(o, f, t) + d, 0.0, 1e-10),
	    "%s: offset %.12g, want %.12g", shift_rows[i].what, e.offset_s,
	    line_offset(o, f, t) + d);
	ck_assert_msg(near(e.freq_ppm, f, 0.0, 1e-6), "%s: freq %.12g",
	    shift_rows[i].what, e.freq_ppm);
	e = estimate(ctl, t);
	ck_assert_msg(e.n < SHIFT_BEFORE || e.stddev_s > 1e-6,
	    "%s: the control fits: n %d stddev %g", shift_rows[i].what, e.n,
	    e.stddev_s);
	sst_free(ctl);
	sst_free(s);
}

START_TEST(test_sst_shift_keeps_one_line)
{
	size_t	 i;

	for (i = 0; i < NELEM(shift_rows); i++)
		shift_row(i);
}
END_TEST

START_TEST(test_sst_correct_bad_input_forgets)
{
	struct sst	*s;
	int64_t		 t;

	s = filter_base(&t, 8);
	sst_correct(s, t, NAN, 0.0);
	ck_assert_int_eq(sst_count(s), 0);
	sst_correct(s, t, 0.0, 0.0);		/* empty: nothing to do */
	ck_assert_int_eq(sst_count(s), 0);
	sst_free(s);
	s = filter_base(&t, 8);
	sst_correct(s, t, 0.0, INFINITY);
	ck_assert_int_eq(sst_count(s), 0);
	sst_free(s);
}
END_TEST

START_TEST(test_sst_reset)
{
	struct sst		*s;
	struct sst_est		 e;
	struct sst_sample	 sm;
	int64_t			 t;

	s = filter_base(&t, 20);
	sst_reset(s);
	ck_assert_int_eq(sst_count(s), 0);
	ck_assert_int_eq(sst_estimate(s, t, &e), -1);
	/* a fresh start: no filter yet, one sample, no frequency */
	sm = mk(t + 16 * S, 0.25, 0.5);
	ck_assert_int_eq(sst_add(s, &sm), SST_OK);
	e = estimate(s, t + 16 * S);
	ck_assert_int_eq(e.n, 1);
	ck_assert(e.offset_s == 0.25);
	ck_assert(e.freq_ppm == 0.0);
	ck_assert_double_eq_tol(e.min_delay_s, 0.5, 1e-12);
	sst_free(s);
}
END_TEST

/*
 * filter N: samples are held until the Nth poll, a poll without one
 * counting; then their median goes on.  A reset or a clock correction
 * reaches what is held.
 */
START_TEST(test_sst_filter)
{
	struct sst		*s;
	struct sst_sample	 sm;
	int64_t			 t = T0;
	int			 i;

	ck_assert_ptr_nonnull(s = sst_new());
	sm = mk(t, 0.001, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);	/* none set */
	ck_assert_double_eq(sm.offset_s, 0.001);
	ck_assert_int_eq(sst_set_filter(s, 3), 0);
	sm = mk(t, 0.004, 0.0003);
	ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	sm = mk(t + 16 * S, 0.002, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	sm = mk(t + 32 * S, 0.050, 0.0004);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);
	ck_assert_double_eq(sm.offset_s, 0.004);	/* the median */
	ck_assert_int_eq(sm.time_ns, t);
	ck_assert_double_eq_tol(sm.delay_s, 0.0003, 1e-15);
	ck_assert_int_eq(sm.stratum, 2);
	ck_assert_int_eq(sst_add(s, &sm), SST_OK);
	/* a poll missed: the next two samples complete the three */
	sst_filter_miss(s);
	sm = mk(t + 64 * S, 0.003, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	sm = mk(t + 80 * S, 0.001, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.002, 1e-15);
	/* misses alone never complete them */
	for (i = 0; i < 5; i++)
		sst_filter_miss(s);
	sm = mk(t + 200 * S, 0.001, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);
	ck_assert_double_eq(sm.offset_s, 0.001);
	/* a correction moves what is held: 1 ms taken off the clock */
	sm = mk(t + 300 * S, 0.001, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	sst_correct(s, t + 301 * S, 0.0, 0.001);
	sm = mk(t + 302 * S, 0.0, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	sm = mk(t + 303 * S, 0.0, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);
	ck_assert_double_eq_tol(sm.offset_s, 0.0, 1e-15);
	/* a reset forgets it: three more to a sample */
	sm = mk(t + 400 * S, 0.5, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	sst_reset(s);
	for (i = 0; i < 2; i++) {
		sm = mk(t + (401 + i) * S, 0.0, 0.0002);
		ck_assert_int_eq(sst_filter(s, &sm), SST_FILTERED);
	}
	sm = mk(t + 403 * S, 0.0, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);
	ck_assert_double_eq(sm.offset_s, 0.0);
	/* a bad value is refused, not held */
	sm = mk(t + 500 * S, NAN, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_BAD_VALUE);
	/* filter 0: none again */
	ck_assert_int_eq(sst_set_filter(s, 0), 0);
	sm = mk(t + 600 * S, 0.25, 0.0002);
	ck_assert_int_eq(sst_filter(s, &sm), SST_OK);
	sst_free(s);
}
END_TEST

START_TEST(test_sst_estimate_empty)
{
	struct sst	*s;
	struct sst_est	 e;

	ck_assert_ptr_nonnull(s = sst_new());
	ck_assert_int_eq(sst_count(s), 0);
	ck_assert_int_eq(sst_estimate(s, T0, &e), -1);
	sst_free(s);
	sst_free(NULL);
}
END_TEST

/* Signs: + the local clock is ahead; + it runs fast. */
static const struct {
	const char	*what;
	double		 offset_s;
	double		 freq_ppm;
} sign_rows[] = {
	{ "local clock 1 ms ahead", 1e-3, 0.0 },
	{ "local clock 1 ms behind", -1e-3, 0.0 },
	{ "local clock fast by 10 ppm", 0.0, 10.0 },
	{ "local clock slow by 10 ppm", 0.0, -10.0 },
};

static void
sign_row(int i)
{
	struct sst	*s;
	struct sst_est	 e;
	int64_t		 t;
	int		 k;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < 10; k++) {
		t = T0 + k * 16 * S;
		add_ok(s, t, sign_rows[i].offset_s +
		    sign_rows[i].freq_ppm * 1e-6 * k * 16, 0.01);
	}
	e = estimate(s, T0 + 9 * 16 * S);
	ck_assert_msg(near(e.offset_s, sign_rows[i].offset_s +
	    sign_rows[i].freq_ppm * 1e-6 * 9 * 16, 1e-12, 1e-15),
	    "%s: offset %g", sign_rows[i].what, e.offset_s);
	ck_assert_msg(near(e.freq_ppm, sign_rows[i].freq_ppm, 1e-9, 1e-9),
	    "%s: freq %g", sign_rows[i].what, e.freq_ppm);
	sst_free(s);
}

START_TEST(test_sst_signs)
{
	size_t	 i;

	for (i = 0; i < NELEM(sign_rows); i++)
		sign_row(i);
}
END_TEST

/* The newest sample as measured, and as re-expressed by corrections. */
START_TEST(test_sst_last_adjusted)
{
	struct sst	*s;
	struct sst_est	 e;

	ck_assert_ptr_nonnull(s = sst_new());
	add_ok(s, T0, 0.004, 0.02);
	sst_correct(s, T0 + S, 0.0, 0.003);
	e = estimate(s, T0 + S);
	ck_assert_double_eq_tol(e.last_offset_s, 0.004, 1e-12);
	ck_assert_double_eq_tol(e.last_adjusted_s, 0.001, 1e-12);
	sst_free(s);
}
END_TEST

/*
 * Fewer than SST_MIN_SAMPLES: the newest sample, 0 ppm, 2000 ppm skew
 * (two samples a second apart, 10 ms away each, tell no frequency).
 */
START_TEST(test_sst_few_samples)
{
	struct sst	*s;
	struct sst_est	 e;
	int		 k;

	ck_assert_ptr_nonnull(s = sst_new());
	for (k = 0; k < SST_MIN_SAMPLES - 1; k++) {
		add_ok(s, T0 + k * S, 1e-3 * (k + 1), 0.02);
		e = estimate(s, T0 + k * S + 10 * S);
		ck_assert_int_eq(e.n, k + 1);
		ck_assert(e.offset_s == 1e-3 * (k + 1));
		ck_assert(e.freq_ppm == 0.0);
		ck_assert_double_eq_tol(e.skew_ppm, 2000.0, 1e-9);
		ck_assert(!sst_freq_known(s));
		/* its distance, grown by 2000 ppm over 10 s */
		ck_assert_double_eq_tol(e.offset_sd_s, 0.01 + 1e-6 + 0.02,
		    1e-12);
	}
	sst_free(s);
}
END_TEST

/*
 * Two samples a poll apart: the line through them, its skew the sum of
 * their distances over the time between them.
 */
START_TEST(test_sst_two_samples)
{
	struct sst	*s;
	struct sst_est	 e;
	double		 d = 2e-4 + 1e-6;	/* distance: delay / 2 + disp */

	ck_assert_ptr_nonnull(s = sst_new());
	add_ok(s, T0, 1e-3, 4e-4);
	add_ok(s, T0 + 64 * S, 1e-3 + 64 * 50e-6, 4e-4);
	e = estimate(s, T0 + 64 * S);
	ck_assert_int_eq(e.n, 2);
	ck_assert_double_eq_tol(e.freq_ppm, 50.0, 1e-6);
	ck_assert_double_eq_tol(e.skew_ppm, 2.0 * d / 64.0 * 1e6, 1e-6);
	ck_assert_double_eq_tol(e.offset_s, 1e-3 + 64 * 50e-6, 1e-12);
	ck_assert(sst_freq_known(s));
	/* ahead: along the line, its error grown by the skew */
	e = estimate(s, T0 + 74 * S);
	ck_assert_double_eq_tol(e.offset_s, 1e-3 + 74 * 50e-6, 1e-9);
	ck_assert_double_eq_tol(e.offset_sd_s, d + 10.0 * 2.0 * d / 64.0,
	    1e-12);
	sst_free(s);
}
END_TEST

/* The estimate moves with the slope; its error grows with the skew. */
START_TEST(test_sst_estimate_extrapolates)
{
	struct sst	*s;
	struct sst_est	 e0, e1, e2;
	int64_t		 t;

	rnd_start(400);
	ck_assert_ptr_nonnull(s = sst_new());
	for (t = T0; t < T0 + 20 * 16 * S; t += 16 * S)
		add_ok(s, t, line_offset(0.0, 10.0, t) + 1e-6 * rnd_gauss(),
		    0.01);
	t -= 16 * S;
	e0 = estimate(s, t);
	e1 = estimate(s, t + 1000 * S);
	e2 = estimate(s, t - 100 * S);
	ck_assert(near(e1.offset_s - e0.offset_s, e0.freq_ppm * 1e-3, 1e-9,
	    1e-15));
	ck_assert(near(e1.offset_sd_s - e0.offset_sd_s, e0.skew_ppm * 1e-3,
	    1e-6, 1e-15));
	ck_assert(near(e2.offset_sd_s - e0.offset_sd_s, e0.skew_ppm * 1e-4,
	    1e-6, 1e-15));
	ck_assert(e0.skew_ppm > 0.0 && e0.skew_ppm < 0.1);
	ck_assert(e0.runs >= 1 && e0.runs <= e0.n);
	sst_free(s);
}
END_TEST

/* A sample not newer than the newest: the clock went back; start again. */
START_TEST(test_sst_time_backwards_restarts)
{
	struct sst	*s;
	int64_t		 t;

	s = filter_base(&t, 10);
	add_ok(s, t - 5 * S, 0.5, 0.01);
	ck_assert_int_eq(sst_count(s), 1);
	add_ok(s, t - 5 * S, 0.5, 0.01);
	ck_assert_int_eq(sst_count(s), 1);
	sst_free(s);
}
END_TEST

int
main(void)
{
	Suite		*s = suite_create("sst");
	TCase		*tc = tcase_create("core");
	SRunner		*sr;
	const char	*env;
	int		 failed;

	seed = DEFAULT_SEED;
	if ((env = getenv("TIMED_TEST_SEED")) != NULL && *env != '\0')
		seed = strtoull(env, NULL, 0);
	printf("check_sst: seed %" PRIu64 " (set TIMED_TEST_SEED=%" PRIu64
	    " to replay)\n", seed, seed);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sst_exact_line_recovered);
	tcase_add_test(tc, test_sst_noisy_line_within_skew);
	tcase_add_test(tc, test_sst_delay_spike);
	tcase_add_test(tc, test_sst_delay_sustained_change_accepted);
	tcase_add_test(tc, test_sst_delay_longer_path_at_long_polls);
	tcase_add_test(tc, test_sst_delay_spikes_apart_rejected);
	tcase_add_test(tc, test_sst_weights_favour_low_delay);
	tcase_add_loop_test(tc, test_sst_asymmetry, 0, NELEM(asym_rows));
	tcase_add_test(tc, test_sst_asymmetry_counts_samples);
	tcase_add_test(tc, test_sst_fixed_path);
	tcase_add_test(tc, test_sst_delay_ratio);
	tcase_add_test(tc, test_sst_delay_dev_ratio);
	tcase_add_test(tc, test_sst_delay_quant);
	tcase_add_test(tc, test_sst_delay_filter_needs_samples);
	tcase_add_test(tc, test_sst_delay_filter_after_pruning);
	tcase_add_test(tc, test_sst_bad_values);
	tcase_add_test(tc, test_sst_ring_keeps_newest);
	tcase_add_test(tc, test_sst_runs_test_follows_frequency_change);
	tcase_add_test(tc, test_sst_runs_test_tracks_wander);
	tcase_add_test(tc, test_sst_curvature_cuts_bend);
	tcase_add_test(tc, test_sst_correct_modelled_clock);
	tcase_add_test(tc, test_sst_correct_keeps_measured);
	tcase_add_test(tc, test_sst_correct_bad_input_forgets);
	tcase_add_test(tc, test_sst_shift_moves_offset);
	tcase_add_test(tc, test_sst_max_samples);
	tcase_add_test(tc, test_sst_shift_zero_and_too_large);
	tcase_add_test(tc, test_sst_shift_keeps_one_line);
	tcase_add_test(tc, test_sst_reset);
	tcase_add_test(tc, test_sst_filter);
	tcase_add_test(tc, test_sst_estimate_empty);
	tcase_add_test(tc, test_sst_signs);
	tcase_add_test(tc, test_sst_few_samples);
	tcase_add_test(tc, test_sst_two_samples);
	tcase_add_test(tc, test_sst_last_adjusted);
	tcase_add_test(tc, test_sst_estimate_extrapolates);
	tcase_add_test(tc, test_sst_time_backwards_restarts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
