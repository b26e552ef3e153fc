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
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "disc.h"
#include "lim.h"
#include "sst.h"
#include "vclock.h"
#include "testrand.h"

#define S	1000000000LL	/* one second in ns */
#define MS	1000000LL

static const struct disc_params defaults = {
	.makestep_set = 1,
	.makestep_threshold_s = 0.1,
	.makestep_limit = 3,
	.maxslewrate_ppm = 83333.0,
	.maxdrift_ppm = 500000.0,	/* chrony's default */
	.corrtimeratio = 3.0,
	.maxupdateskew_ppm = 1000.0,
	.maxchange_set = 0,
};

static struct disc_input
input(int64_t now_ns, double offset_s, uint32_t updates)
{
	struct disc_input	 in;

	memset(&in, 0, sizeof(in));
	in.now_ns = now_ns;
	in.offset_s = offset_s;
	in.offset_sd_s = 1e-6;
	in.freq_ppm = 0.0;
	in.skew_ppm = 0.1;
	in.clock_freq_ppm = 0.0;
	in.updates = updates;
	in.applied = updates;
	return in;
}

/* Step or slew, around the threshold and the makestep window. */
static const struct {
	const char	*what;
	int		 set;
	int		 limit;
	uint32_t	 updates;
	double		 offset_s;
	int		 step;
} step_rows[] = {
	{ "above the threshold, first update",	1, 3, 0, 0.2, 1 },
	{ "above, negative",			1, 3, 0, -0.2, 1 },
	{ "just above the threshold",		1, 3, 0, 0.1000001, 1 },
	{ "at the threshold: slew",		1, 3, 0, 0.1, 0 },
	{ "below the threshold",		1, 3, 0, 0.05, 0 },
	{ "last update of the window",		1, 3, 2, 0.2, 1 },
	{ "window over",			1, 3, 3, 0.2, 0 },
	{ "window long over",			1, 3, 1000, -5.0, 0 },
	{ "makestep -1: always",		1, -1, 100000, 0.2, 1 },
	{ "makestep -1: below threshold",	1, -1, 100000, 0.09, 0 },
	{ "makestep limit 0: never",		1, 0, 0, 0.2, 0 },
	{ "no makestep",			0, 3, 0, 10.0, 0 },
};

START_TEST(test_disc_step_or_slew)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	p.makestep_set = step_rows[_i].set;
	p.makestep_limit = step_rows[_i].limit;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(100 * S, step_rows[_i].offset_s, step_rows[_i].updates);
	ck_assert_msg(disc_update(d, &in, &a) == 0, "%s", step_rows[_i].what);
	if (step_rows[_i].step) {
		ck_assert_msg((a.what & DISC_ACT_STEP) &&
		    !(a.what & DISC_ACT_SLEW), "%s: no step",
		    step_rows[_i].what);
		ck_assert(a.step_offset_s == in.offset_s);
	} else {
		ck_assert_msg((a.what & DISC_ACT_SLEW) &&
		    !(a.what & DISC_ACT_STEP), "%s: no slew",
		    step_rows[_i].what);
		ck_assert(a.slew_offset_s == in.offset_s);
		ck_assert(a.slew_rate_ppm > 0.0);
		ck_assert(a.slew_rate_ppm <= p.maxslewrate_ppm);
	}
	ck_assert(a.last_offset_s == in.offset_s);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_maxchange_ignore_then_exit)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	p.makestep_set = 0;
	p.maxchange_set = 1;
	p.maxchange_offset_s = 0.5;
	p.maxchange_start = 2;
	p.maxchange_ignore = 2;
	ck_assert_ptr_nonnull(d = disc_new(&p));

	/* before maxchange_start updates: corrected */
	in = input(1 * S, 1.0, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);
	in = input(2 * S, -1.0, 1);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);

	/*
	 * maxchange counts every update, the provisional one makestep
	 * leaves out too (e2e 070: synchronised by one, then a 5 s jump)
	 */
	{
		struct disc	*d2;

		ck_assert_ptr_nonnull(d2 = disc_new(&p));
		in = input(2 * S, -1.0, 1);
		in.applied = 2;
		ck_assert_int_eq(disc_update(d2, &in, &a), 0);
		ck_assert_int_eq(a.what, DISC_ACT_IGNORE);
		disc_free(d2);
	}

	/* small offsets pass */
	in = input(3 * S, 0.4, 2);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);

	/* two ignored, with nothing else done, then give up */
	in = input(4 * S, 0.6, 3);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_int_eq(a.what, DISC_ACT_IGNORE);
	ck_assert(a.last_offset_s == 0.4);
	in = input(5 * S, -0.6, 3);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_int_eq(a.what, DISC_ACT_IGNORE);
	in = input(6 * S, 0.1, 3);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);
	in = input(7 * S, 0.7, 4);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_int_eq(a.what, DISC_ACT_EXIT);
	disc_free(d);

	/* maxchange_ignore 0: the first one ends it */
	p.maxchange_start = 0;
	p.maxchange_ignore = 0;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(1 * S, 0.6, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_int_eq(a.what, DISC_ACT_EXIT);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_maxchange_ignore_forever)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;
	int			 i;

	p.maxchange_set = 1;
	p.maxchange_offset_s = 0.001;
	p.maxchange_start = 0;
	p.maxchange_ignore = -1;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	for (i = 0; i < 1000; i++) {
		in = input(i * S, i % 2 ? 0.01 : -0.01, 5);
		ck_assert_int_eq(disc_update(d, &in, &a), 0);
		ck_assert_int_eq(a.what, DISC_ACT_IGNORE);
	}
	disc_free(d);
}
END_TEST

START_TEST(test_disc_skew_above_maxupdateskew_keeps_frequency)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	ck_assert_ptr_nonnull(d = disc_new(&defaults));
	in = input(1 * S, 1e-3, 5);
	in.clock_freq_ppm = 12.0;
	in.freq_ppm = 30.0;
	in.skew_ppm = 1000.5;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(!(a.what & DISC_ACT_FREQ));
	ck_assert(a.what & DISC_ACT_SLEW);
	ck_assert(a.residual_freq_ppm == 30.0);

	/* at the limit it is used */
	in.now_ns = 2 * S;
	in.skew_ppm = 1000.0;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_FREQ);
	ck_assert_double_eq_tol(a.freq_ppm, 42.0, 1e-3);
	disc_free(d);
}
END_TEST

/* New absolute frequency, first estimate (nothing known before). */
static const struct {
	const char	*what;
	double		 clock_ppm;
	double		 resid_ppm;
	double		 expect_ppm;
} freq_rows[] = {
	/* the residual is of the compensated clock's time: r (1 - freq) */
	{ "runs fast: compensate more",		10.0, 5.0, 14.99995 },
	{ "runs slow: compensate less",		10.0, -15.0, -4.99985 },
	{ "past 500 ppm",			490.0, 20.0, 509.9902 },
	{ "5% fast",				0.0, 50000.0, 50000.0 },
	{ "clamped at the clock's +10%",	99990.0, 20.0, 100000.0 },
	{ "clamped at the clock's -10%",	-99995.0, -10.0, -100000.0 },
	{ "far beyond",				0.0, 1e6, 100000.0 },
	{ "just past 10%",			99999.0, 1.2, 100000.0 },
};

START_TEST(test_disc_frequency_new_and_clamped)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	ck_assert_ptr_nonnull(d = disc_new(&defaults));
	in = input(1 * S, 0.0, 5);
	in.clock_freq_ppm = freq_rows[_i].clock_ppm;
	in.freq_ppm = freq_rows[_i].resid_ppm;
	in.skew_ppm = 0.5;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_msg(a.what & DISC_ACT_FREQ, "%s", freq_rows[_i].what);
	ck_assert_msg(fabs(a.freq_ppm - freq_rows[_i].expect_ppm) < 1e-6,
	    "%s: %f", freq_rows[_i].what, a.freq_ppm);
	ck_assert(fabs(a.freq_ppm) <= LIM_MAX_FREQ_PPM);
	ck_assert(a.skew_ppm > 0.0 && a.skew_ppm < 1.0);
	disc_free(d);
}
END_TEST

/* A maxdrift below the clock's range clamps there, as the monitor's. */
START_TEST(test_disc_frequency_maxdrift)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	p.maxdrift_ppm = 1000.0;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(1 * S, 0.0, 5);
	in.clock_freq_ppm = 990.0;
	in.freq_ppm = 50.0;
	in.skew_ppm = 0.5;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_FREQ);
	ck_assert_double_eq_tol(a.freq_ppm, 1000.0, 1e-9);
	/* what could not be applied is still there */
	ck_assert_double_eq_tol(a.residual_freq_ppm, 40.0, 1e-2);
	in.now_ns = 2 * S;
	in.clock_freq_ppm = -990.0;
	in.freq_ppm = -50.0;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.freq_ppm, -1000.0, 1e-9);
	disc_free(d);
}
END_TEST

/*
 * A drift file's skew (chrony's 102-iburst: 100 ppm, skew 1): an early
 * estimate from four samples, 44 ppm off with a skew of 105 ppm, hardly
 * moves the frequency; without the file's skew it moves it most of the
 * way.  Nonsense is ignored.
 */
START_TEST(test_disc_drift_skew)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;
	int			 known;

	for (known = 0; known < 2; known++) {
		ck_assert_ptr_nonnull(d = disc_new(&defaults));
		disc_set_skew(d, NAN);
		disc_set_skew(d, -1.0);
		if (known)
			disc_set_skew(d, 1.0);
		in = input(1 * S, 0.0, 5);
		in.clock_freq_ppm = 100.0;
		in.freq_ppm = -44.0;
		in.skew_ppm = 105.0;
		ck_assert_int_eq(disc_update(d, &in, &a), 0);
		ck_assert(a.what & DISC_ACT_FREQ);
		if (known)
			ck_assert(a.freq_ppm > 99.98 && a.freq_ppm < 100.0);
		else
			ck_assert(a.freq_ppm < 60.0);
		disc_free(d);
	}
}
END_TEST

START_TEST(test_disc_frequency_weighs_by_skew)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	ck_assert_ptr_nonnull(d = disc_new(&defaults));
	in = input(1 * S, 0.0, 5);
	in.freq_ppm = 40.0;
	in.skew_ppm = 1.0;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.freq_ppm, 40.0, 1e-4);
	ck_assert_double_eq_tol(a.skew_ppm, 1.0, 1e-4);

	/* as good as ours: three quarters of the way */
	in.now_ns = 2 * S;
	in.clock_freq_ppm = 40.0;
	in.freq_ppm = 1.0;
	in.skew_ppm = 1.0;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.freq_ppm, 40.75, 1e-4);
	ck_assert_double_eq_tol(a.residual_freq_ppm, 0.25, 1e-4);
	/* 1 + sqrt(3/16) */
	ck_assert_double_eq_tol(a.skew_ppm, 1.0 + sqrt(3.0 / 16.0), 1e-4);

	/* a hundred times noisier: hardly moves */
	in.now_ns = 3 * S;
	in.clock_freq_ppm = 40.75;
	in.freq_ppm = 50.0;
	in.skew_ppm = 100.0;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_FREQ);
	ck_assert(a.freq_ppm > 40.75 && a.freq_ppm < 40.85);
	disc_free(d);
}
END_TEST

/*
 * Slew rates: two updates interval_s apart, the second one's rate.
 * Expected: offset over chrony's duration, within [1 s, max(1 s,
 * interval)], at most maxslewrate.
 */
static const struct {
	const char	*what;
	double		 maxslew_ppm;
	double		 interval_s;
	double		 offset_s;
	double		 sd_s;
	double		 expect_ppm;
} slew_rows[] = {
	{ "fast polls: over 1 s", 83333.0, 0.25, 1e-6, 1e-6, 1.0 },
	{ "fast polls, negative", 83333.0, 0.25, -2e-6, 1e-7, 2.0 },
	{ "fast polls, large: capped", 83333.0, 0.25, 0.1, 1e-6, 83333.0 },
	{ "0.3 s: capped", 83333.0, 64.0, 0.3, 1e-6, 83333.0 },
	{ "capped lower", 500.0, 16.0, 0.01, 1e-6, 500.0 },
	{ "slow polls, noise-sized: one interval", 83333.0, 64.0, 1e-6, 1e-6,
	    1e-6 / 64.0 * 1e6 },
	{ "slow polls, 10x noise: chrony's", 83333.0, 64.0, 1e-5, 1e-6,
	    1e-5 / 9.6 * 1e6 },
	{ "slow polls, large: 1 s", 83333.0, 64.0, 1e-3, 1e-6, 1000.0 },
	{ "zero offset: some rate", 83333.0, 1.0, 0.0, 1e-6, 1e-3 },
};

START_TEST(test_disc_slew_rate)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;
	int64_t			 t1 = 50 * S;

	p.makestep_set = 0;
	p.maxslewrate_ppm = slew_rows[_i].maxslew_ppm;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(t1, 0.0, 5);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	in = input(t1 + (int64_t)(slew_rows[_i].interval_s * S),
	    slew_rows[_i].offset_s, 6);
	in.offset_sd_s = slew_rows[_i].sd_s;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);
	ck_assert(a.slew_offset_s == slew_rows[_i].offset_s);
	ck_assert_msg(fabs(a.slew_rate_ppm - slew_rows[_i].expect_ppm) <
	    1e-9 * slew_rows[_i].expect_ppm, "%s: %.9g ppm",
	    slew_rows[_i].what, a.slew_rate_ppm);
	ck_assert(a.slew_rate_ppm > 0.0 &&
	    a.slew_rate_ppm <= p.maxslewrate_ppm);
	ck_assert_double_eq_tol(a.update_interval_s, slew_rows[_i].interval_s,
	    1e-9);
	disc_free(d);
}
END_TEST

/*
 * corrtimeratio scales the duration: an offset 10 times its sd, 64 s
 * after the last update, 3.2 s at 1, 9.6 s at 3 (slew_rows); at 0 the
 * shortest slew, a second.
 */
START_TEST(test_disc_corrtimeratio)
{
	static const double	 ratio[] = { 1.0, 3.0, 0.0 };
	static const double	 secs[] = { 3.2, 9.6, 1.0 };
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;
	size_t			 i;

	p.makestep_set = 0;
	for (i = 0; i < sizeof(ratio) / sizeof(ratio[0]); i++) {
		p.corrtimeratio = ratio[i];
		ck_assert_ptr_nonnull(d = disc_new(&p));
		in = input(50 * S, 0.0, 5);
		ck_assert_int_eq(disc_update(d, &in, &a), 0);
		in = input(114 * S, 1e-5, 6);
		in.offset_sd_s = 1e-6;
		ck_assert_int_eq(disc_update(d, &in, &a), 0);
		ck_assert(a.what & DISC_ACT_SLEW);
		ck_assert_double_eq_tol(a.slew_rate_ppm, 1e-5 / secs[i] * 1e6,
		    1e-9);
		disc_free(d);
	}
}
END_TEST

/* The rate is for the whole: the new offset and what is left of the last. */
START_TEST(test_disc_slew_rate_for_the_whole)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	p.makestep_set = 0;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(50 * S, 0.0, 5);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	in = input(114 * S, 1e-6, 6);
	in.offset_sd_s = 1e-6;
	in.slew_left_s = 9e-6;
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);
	ck_assert(a.slew_offset_s == 1e-6);
	/* 10 us, 10 times its sd: 9.6 s, as in slew_rows */
	ck_assert_double_eq_tol(a.slew_rate_ppm, 1e-5 / 9.6 * 1e6, 1e-9);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_slew_first_update_fast)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	/* no interval known: over 1 s, at most maxslewrate */
	p.makestep_set = 0;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(S, -0.001, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_SLEW);
	ck_assert_double_eq_tol(a.slew_rate_ppm, 1000.0, 1e-6);
	disc_free(d);

	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(S, 0.1, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.slew_rate_ppm == p.maxslewrate_ppm);
	disc_free(d);

	ck_assert_ptr_nonnull(d = disc_new(&p));
	in = input(S, 0.0, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.slew_rate_ppm > 0.0 && a.slew_rate_ppm <= 0.001);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_rejects_nonsense)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	ck_assert_ptr_nonnull(d = disc_new(&defaults));
	in = input(S, NAN, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	ck_assert_int_eq(a.what, 0);
	in = input(S, 0.001, 0);
	in.freq_ppm = INFINITY;
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	in = input(S, 0.001, 0);
	in.skew_ppm = NAN;
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	in = input(S, 0.001, 0);
	in.offset_sd_s = -INFINITY;
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	in = input(S, 0.001, 0);
	in.clock_freq_ppm = NAN;
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	in = input(S, 0.001, 0);
	in.skew_ppm = -1.0;
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	in = input(S, 1e300, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), -1);
	ck_assert_int_eq(a.what, 0);
	/* nothing was taken from them */
	in = input(S, 0.001, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.last_offset_s == 0.001);
	ck_assert(a.update_interval_s == 0.0);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_tracking)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;
	double			 avg2;

	p.makestep_set = 0;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	/* falling offsets: the RMS follows them at once */
	in = input(0, 0.004, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.rms_offset_s, 0.004, 1e-15);
	ck_assert(a.update_interval_s == 0.0);
	in = input(2 * S, -0.001, 1);
	in.freq_ppm = 3.0;
	in.skew_ppm = 5000.0;		/* not used */
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.rms_offset_s, 0.001, 1e-15);
	ck_assert_double_eq_tol(a.last_offset_s, -0.001, 1e-15);
	ck_assert_double_eq_tol(a.residual_freq_ppm, 3.0, 1e-15);
	ck_assert_double_eq_tol(a.update_interval_s, 2.0, 1e-12);
	/* then a moving average of squares */
	in = input(4 * S, 0.002, 2);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.rms_offset_s, 0.002, 1e-15);
	in = input(8 * S, 0.0, 3);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	avg2 = 0.9 * 0.002 * 0.002;
	ck_assert_double_eq_tol(a.rms_offset_s, sqrt(avg2), 1e-15);
	/* smoothed interval: 2, 2, then 4 weighs a quarter */
	ck_assert_double_eq_tol(a.update_interval_s, 2.5, 1e-12);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_step_moves_the_timescale)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	ck_assert_ptr_nonnull(d = disc_new(&defaults));
	in = input(1000 * S, 0.0, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	in = input(1000 * S + 250 * MS, 0.0, 1);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	/* clock 0.5 s ahead: stepped back */
	in = input(1000 * S + 500 * MS, 0.5, 2);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_STEP);
	/* 0.25 s later by the stepped clock */
	in = input(1000 * S + 250 * MS, 1e-6, 3);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert_double_eq_tol(a.update_interval_s, 0.25, 1e-9);
	disc_free(d);
}
END_TEST

START_TEST(test_disc_absurd_times)
{
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;

	ck_assert_ptr_nonnull(d = disc_new(&defaults));
	in = input(INT64_MAX, 1e6, 0);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.what & DISC_ACT_STEP);
	in = input(INT64_MIN, 1e-6, 1);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.slew_rate_ppm > 0.0 && a.slew_rate_ppm <= 83333.0);
	in = input(0, -1e-6, 2);
	ck_assert_int_eq(disc_update(d, &in, &a), 0);
	ck_assert(a.slew_rate_ppm > 0.0 && a.slew_rate_ppm <= 83333.0);
	disc_free(d);
}
END_TEST

/*
 * The discipline loop against a modelled clock.  The true time is the
 * system time; the local clock is a virtual clock with an offset and a
 * frequency error.  Every poll measures the true offset with noise; a
 * least-squares fit over the last samples stands in for sst; its estimate
 * goes to disc_update() and the actions go to the virtual clock as the
 * monitor applies them; the samples are re-expressed after every
 * correction as sst_correct() does.
 */

#define WIN	16

struct win {
	int	 n;
	int64_t	 t_ns[WIN];	/* local time of the measurement */
	double	 off_s[WIN];
};

struct fit {
	double	 offset_s;
	double	 offset_sd_s;
	double	 freq_ppm;
	double	 skew_ppm;
};

static void
win_add(struct win *w, int64_t t_ns, double off_s)
{
	if (w->n == WIN) {
		memmove(w->t_ns, w->t_ns + 1, (WIN - 1) * sizeof(w->t_ns[0]));
		memmove(w->off_s, w->off_s + 1, (WIN - 1) *
		    sizeof(w->off_s[0]));
		w->n--;
	}
	w->t_ns[w->n] = t_ns;
	w->off_s[w->n] = off_s;
	w->n++;
}

/* Least squares of offset on time, evaluated at now_ns; -1 if too few. */
static int
win_fit(const struct win *w, int64_t now_ns, struct fit *f)
{
	double	 tm = 0.0, om = 0.0, sxx = 0.0, sxy = 0.0, ss = 0.0;
	double	 x, b, a, r, s2, dt;
	int	 i;

	if (w->n < 3)
		return -1;
	for (i = 0; i < w->n; i++) {
		tm += (double)(w->t_ns[i] - now_ns) * 1e-9;
		om += w->off_s[i];
	}
	tm /= w->n;
	om /= w->n;
	for (i = 0; i < w->n; i++) {
		x = (double)(w->t_ns[i] - now_ns) * 1e-9 - tm;
		sxx += x * x;
		sxy += x * (w->off_s[i] - om);
	}
	b = sxy / sxx;
	a = om - b * tm;		/* at now */
	for (i = 0; i < w->n; i++) {
		x = (double)(w->t_ns[i] - now_ns) * 1e-9;
		r = w->off_s[i] - (a + b * x);
		ss += r * r;
	}
	s2 = ss / (w->n - 2);
	dt = -tm;
	f->offset_s = a;
	f->offset_sd_s = sqrt(s2 * (1.0 / w->n + dt * dt / sxx));
	f->freq_ppm = b * 1e6;
	f->skew_ppm = 2.0 * sqrt(s2 / sxx) * 1e6;
	return 0;
}

/* sst_correct(): as if dfreq and doffset had always been applied. */
static void
win_correct(struct win *w, int64_t now_ns, double dfreq_ppm, double doff_s)
{
	double	 delta;
	int	 i;

	for (i = 0; i < w->n; i++) {
		delta = doff_s + dfreq_ppm * 1e-6 *
		    (double)(w->t_ns[i] - now_ns) * 1e-9;
		w->off_s[i] -= delta;
		w->t_ns[i] -= (int64_t)llround(delta * 1e9);
	}
}

/* Roughly normal, mean 0, standard deviation 1: twelve uniforms. */
static double
rnd_gauss(uint64_t *s)
{
	double	 sum = 0.0;
	int	 i;

	for (i = 0; i < 12; i++)
		sum += (double)(rnd_next(s) >> 11) * 0x1.0p-53;
	return sum - 6.0;
}

struct loop_cfg {
	const char	*name;
	int		 makestep;	/* makestep 0.1 3 */
	double		 offset0_s;
	double		 err_ppm;
	int64_t		 poll_ns;
	double		 length_s;
	double		 judged_s;	/* the RMS over the last so long */
	int		 use_sst;	/* lib/sst.c instead of struct win */
};

#define NOISE_S		200e-9

struct loop_res {
	double		 rms_s;		/* true offset, the last judged_s */
	double		 max_s;		/* its largest, the last judged_s */
	double		 overshoot_s;	/* largest past 0 from the start */
	double		 freq_ppm;	/* compensated at the end */
	int		 steps;
	int		 last_step_update;	/* -1: none */
	int		 updates;
	double		 max_rate_ppm;
};

/* The compensation that holds a clock err_ppm fast (lib/vclock.c). */
static double
held(double err_ppm)
{
	return err_ppm / (1.0 + err_ppm * 1e-6);
}

static void
run_loop(const struct loop_cfg *cfg, uint64_t seed, struct loop_res *res)
{
	struct disc_params	 p = defaults;
	struct disc		*d;
	struct disc_input	 in;
	struct disc_actions	 a;
	struct vclock		 vc;
	struct win		 w;
	struct fit		 f;
	struct sst		*sst;
	struct sst_sample	 sm;
	struct sst_est		 e;
	int64_t			 t, tg, now, end, judged;
	double			 x, left, dfreq, doff, sum2 = 0.0;
	double			 sign = cfg->offset0_s < 0.0 ? -1.0 : 1.0;
	uint32_t		 updates = 0;
	int			 n2 = 0;

	memset(res, 0, sizeof(*res));
	res->last_step_update = -1;
	memset(&w, 0, sizeof(w));
	ck_assert_ptr_nonnull(sst = sst_new());
	p.makestep_set = cfg->makestep;
	ck_assert_ptr_nonnull(d = disc_new(&p));
	vclock_init(&vc, 0, cfg->offset0_s, cfg->err_ppm);
	end = (int64_t)(cfg->length_s * S);
	judged = end - (int64_t)(cfg->judged_s * S);
	for (t = cfg->poll_ns; t <= end; t += cfg->poll_ns) {
		/* the true error between polls, on a fine grid */
		for (tg = t - cfg->poll_ns; tg < t; tg += cfg->poll_ns / 16) {
			x = vclock_offset(&vc, tg);
			if (-sign * x > res->overshoot_s)
				res->overshoot_s = -sign * x;
			if (tg < judged)
				continue;
			sum2 += x * x;
			n2++;
			if (fabs(x) > res->max_s)
				res->max_s = fabs(x);
		}

		/* measure, in the local timescale, net of the slew left
		 * (the engine's cooked time) */
		x = vclock_offset(&vc, t);
		now = t + llround(x * 1e9);
		left = vclock_slew_left(&vc, t);
		x += NOISE_S * rnd_gauss(&seed) - left;
		if (cfg->use_sst) {
			/* as the engine: an update from the first sample */
			memset(&sm, 0, sizeof(sm));
			sm.time_ns = now;
			sm.offset_s = x;
			sm.delay_s = 100e-6;
			sm.stratum = 1;
			ck_assert_int_eq(sst_add(sst, &sm), SST_OK);
			ck_assert_int_eq(sst_estimate(sst, now, &e), 0);
			f.offset_s = e.offset_s;
			f.offset_sd_s = e.offset_sd_s;
			f.freq_ppm = e.freq_ppm;
			f.skew_ppm = e.skew_ppm;
		} else {
			win_add(&w, now, x);
			if (win_fit(&w, now, &f) == -1)
				continue;
		}

		memset(&in, 0, sizeof(in));
		in.now_ns = now;
		in.offset_s = f.offset_s;
		in.slew_left_s = left;
		in.offset_sd_s = f.offset_sd_s;
		in.freq_ppm = f.freq_ppm;
		in.skew_ppm = f.skew_ppm;
		in.clock_freq_ppm = vc.corr_ppm;
		in.updates = updates;
		in.applied = updates;
		ck_assert_int_eq(disc_update(d, &in, &a), 0);

		/* the monitor applies, the engine re-expresses */
		dfreq = doff = 0.0;
		if (a.what & DISC_ACT_STEP) {
			vclock_step(&vc, t, a.step_offset_s + left);
			doff = a.step_offset_s;
			res->steps++;
			res->last_step_update = updates;
			updates++;
		} else if (a.what & DISC_ACT_SLEW) {
			ck_assert(a.slew_rate_ppm > 0.0 &&
			    a.slew_rate_ppm <= p.maxslewrate_ppm);
			if (a.slew_rate_ppm > res->max_rate_ppm)
				res->max_rate_ppm = a.slew_rate_ppm;
			vclock_slew(&vc, t, a.slew_offset_s + left,
			    a.slew_rate_ppm);
			doff = a.slew_offset_s;
			updates++;
		}
		if (a.what & DISC_ACT_FREQ) {
			ck_assert(fabs(a.freq_ppm) <= LIM_MAX_FREQ_PPM);
			dfreq = disc_rel_freq(vc.corr_ppm, a.freq_ppm);
			vclock_set_freq(&vc, t, a.freq_ppm);
		}
		win_correct(&w, now, dfreq, doff);
		sst_correct(sst, now, dfreq, doff);
	}
	res->rms_s = sqrt(sum2 / n2);
	res->freq_ppm = vc.corr_ppm;
	res->updates = updates;
	fprintf(stderr, "%s: %d updates, %d steps, overshoot %.1f ns; true "
	    "offset over the last %.0f s: rms %.1f ns, max %.1f ns; "
	    "frequency %.4f ppm (error %+.4f)\n", cfg->name, res->updates,
	    res->steps, res->overshoot_s * 1e9, cfg->judged_s, res->rms_s * 1e9,
	    res->max_s * 1e9, res->freq_ppm, res->freq_ppm -
	    held(cfg->err_ppm));
	sst_free(sst);
	disc_free(d);
}

START_TEST(test_disc_loop_makestep)
{
	const struct loop_cfg	 cfg = { "test_disc_loop_makestep", 1, 0.3,
	    40.0, 250 * MS, 60.0, 30.0, 0 };
	struct loop_res		 r;

	run_loop(&cfg, test_seed(cfg.name), &r);
	ck_assert_int_ge(r.steps, 1);
	ck_assert_int_lt(r.last_step_update, 3);
	ck_assert_msg(r.rms_s < 1e-6, "rms %g s", r.rms_s);
	ck_assert_msg(fabs(r.freq_ppm - 40.0) < 0.5, "freq %f", r.freq_ppm);
}
END_TEST

START_TEST(test_disc_loop_slew_only)
{
	const struct loop_cfg	 cfg = { "test_disc_loop_slew_only", 0, 0.001,
	    40.0, 250 * MS, 60.0, 30.0, 0 };
	struct loop_res		 r;

	run_loop(&cfg, test_seed(cfg.name), &r);
	ck_assert_int_eq(r.steps, 0);
	ck_assert_msg(r.overshoot_s < 5e-6, "overshoot %g s", r.overshoot_s);
	ck_assert_msg(r.rms_s < 1e-6, "rms %g s", r.rms_s);
	ck_assert_msg(fabs(r.freq_ppm - 40.0) < 0.5, "freq %f", r.freq_ppm);
}
END_TEST

/* More starts, poll intervals and frequency errors. */
static const struct {
	struct loop_cfg	 cfg;
	int		 step;
} loop_rows[] = {
	{ { "makestep from -0.3 s, -120 ppm", 1, -0.3, -120.0, 250 * MS,
	    60.0, 30.0, 0 }, 1 },
	{ { "slew only from -20 ms, +300 ppm", 0, -0.02, 300.0, 250 * MS,
	    60.0, 30.0, 0 }, 0 },
	{ { "slew only from 0.3 s", 0, 0.3,
	    40.0, 250 * MS, 60.0, 30.0, 0 }, 0 },
	{ { "1 s polls", 1, 0.3, 40.0, 1 * S, 240.0, 120.0, 0 }, 1 },
	{ { "16 s polls, slew only", 0, -0.001, -25.0, 16 * S, 3600.0,
	    1800.0, 0 }, 0 },
	{ { "sst: makestep from 0.3 s, +40 ppm", 1, 0.3, 40.0, 250 * MS,
	    60.0, 30.0, 1 }, 1 },
	{ { "sst: slew only from 1 ms, +40 ppm", 0, 0.001, 40.0, 250 * MS,
	    60.0, 30.0, 1 }, 0 },
	{ { "sst: slew only from -0.3 s, -70 ppm", 0, -0.3,
	    -70.0, 250 * MS, 60.0, 30.0, 1 }, 0 },
	{ { "sst: 16 s polls, makestep", 1, -0.3, 12.0, 16 * S, 3600.0,
	    1800.0, 1 }, 1 },
	/* chrony's 003-largefreqoffset: clocks 5% off */
	{ { "sst: 5% fast, slew only from 1 ms", 0, 0.001, 50000.0, 1 * S,
	    240.0, 120.0, 1 }, 0 },
	{ { "sst: 5% slow, makestep from 0.3 s", 1, 0.3, -50000.0, 1 * S,
	    240.0, 120.0, 1 }, 1 },
	{ { "sst: 5% fast, 16 s polls, makestep", 1, -0.3, 50000.0, 16 * S,
	    3600.0, 1800.0, 1 }, 1 },
};

START_TEST(test_disc_loop_converges)
{
	const struct loop_cfg	*cfg = &loop_rows[_i].cfg;
	struct loop_res		 r;

	run_loop(cfg, test_seed(cfg->name), &r);
	if (loop_rows[_i].step) {
		ck_assert_msg(r.steps >= 1, "%s: no step", cfg->name);
		ck_assert_int_lt(r.last_step_update, 3);
	} else {
		/* the slews end on the offset, not past it */
		ck_assert_msg(r.steps == 0, "%s: stepped", cfg->name);
		ck_assert_msg(r.overshoot_s < 5e-6, "%s: overshoot %g s",
		    cfg->name, r.overshoot_s);
	}
	ck_assert_msg(r.rms_s < 1e-6, "%s: rms %g s", cfg->name, r.rms_s);
	ck_assert_msg(fabs(r.freq_ppm - held(cfg->err_ppm)) < 0.5,
	    "%s: freq %f",
	    cfg->name, r.freq_ppm);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("disc");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_disc_step_or_slew, 0,
	    sizeof(step_rows) / sizeof(step_rows[0]));
	tcase_add_test(tc, test_disc_maxchange_ignore_then_exit);
	tcase_add_test(tc, test_disc_maxchange_ignore_forever);
	tcase_add_test(tc, test_disc_skew_above_maxupdateskew_keeps_frequency);
	tcase_add_loop_test(tc, test_disc_frequency_new_and_clamped, 0,
	    sizeof(freq_rows) / sizeof(freq_rows[0]));
	tcase_add_test(tc, test_disc_frequency_maxdrift);
	tcase_add_test(tc, test_disc_frequency_weighs_by_skew);
	tcase_add_test(tc, test_disc_drift_skew);
	tcase_add_loop_test(tc, test_disc_slew_rate, 0,
	    sizeof(slew_rows) / sizeof(slew_rows[0]));
	tcase_add_test(tc, test_disc_slew_rate_for_the_whole);
	tcase_add_test(tc, test_disc_corrtimeratio);
	tcase_add_test(tc, test_disc_slew_first_update_fast);
	tcase_add_test(tc, test_disc_rejects_nonsense);
	tcase_add_test(tc, test_disc_tracking);
	tcase_add_test(tc, test_disc_step_moves_the_timescale);
	tcase_add_test(tc, test_disc_absurd_times);
	tcase_add_test(tc, test_disc_loop_makestep);
	tcase_add_test(tc, test_disc_loop_slew_only);
	tcase_add_loop_test(tc, test_disc_loop_converges, 0,
	    sizeof(loop_rows) / sizeof(loop_rows[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
