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
 * Unit tests of the reference clocks' median filter (lib/reffilt.c).
 * The noisy tests draw from one generator seeded from TIMED_TEST_SEED
 * (printed); their bounds hold for any seed.
 */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reffilt.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define S		1000000000LL
#define T0		(1700000000LL * S)
#define TRUTH		0.001	/* the offset the samples measure */

static uint64_t	seed, rng;

static double
unit(void)
{
	return ((rnd_next(&rng) >> 11) + 0.5) / 9007199254740992.0;
}

static double
gauss(void)
{
	return sqrt(-2.0 * log(unit())) * cos(2.0 * M_PI * unit());
}

static struct reffilt *
mk(int length, double max_disp, int poll)
{
	struct reffilt_params	 p = { length, max_disp, 1e-6, poll, 0 };
	struct reffilt		*f;

	ck_assert_ptr_nonnull(f = reffilt_new(&p));
	return f;
}

static struct reffilt_sample
smp(int64_t t, double offset, double disp)
{
	struct reffilt_sample	 s = { t, offset, disp, 0.0, 0.0, 0.0 };

	return s;
}

/* Sample i of a run: one a second from T0, taken at once. */
static void
add_ok(struct reffilt *f, int i, double offset, double disp)
{
	struct reffilt_sample	 s = smp(T0 + i * S, offset, disp);

	ck_assert_int_eq(reffilt_add(f, &s, s.time_ns), REFFILT_OK);
}

static const struct {
	const char	*what;
	int		 length, n;	/* filter length, samples */
	int		 high, low;	/* outliers of +out_s, -out_s */
	double		 out_s, noise_s;
	double		 max_err_s;	/* |result - TRUTH| at most */
	double		 min_err_s;	/* and at least */
} outlier_rows[] = {
	/* the bounds: some 6 standard errors, and the bias of dropping as
	   many from the clean end as from the end the outliers are at */
	{ "clean, 64", 64, 64, 0, 0, 0.0, 1e-6, 1e-6, 0.0 },
	{ "12 of 64 high: dropped", 64, 64, 12, 0, 0.01, 1e-6, 2e-6, 0.0 },
	{ "12 high and 12 low of 64: dropped", 64, 64, 12, 12, 0.01, 1e-6,
	    1e-6, 0.0 },
	{ "13 of 64 high: one stays", 64, 64, 13, 0, 0.01, 1e-6, 1e-3,
	    1e-4 },
	{ "4 of 20 high: dropped", 64, 20, 4, 0, 0.5, 1e-6, 3e-6, 0.0 },
	{ "1 of 4: dropped (one from each end)", 64, 4, 1, 0, 0.5, 1e-6,
	    6e-6, 0.0 },
	{ "1 of 3, filter 3: the median", 3, 3, 1, 0, 0.5, 1e-6, 6e-6, 0.0 },
	{ "1 of 2, filter 2: averaged in", 2, 2, 1, 0, 0.5, 1e-6, 0.3, 0.2 },
	{ "3 of 16 high, 1 ms noise: dropped", 16, 16, 3, 0, 0.01, 1e-3, 4e-3,
	    0.0 },
};

/* Outliers at random places among the samples; the rest noisy truth. */
START_TEST(test_reffilt_outliers)
{
	struct reffilt		*f;
	struct reffilt_sample	 out;
	double			 off, err;
	int			 i, j, n = outlier_rows[_i].n;
	int			 kind[REFFILT_MAX_LENGTH], t;

	rng = seed ^ (uint64_t)_i << 40;
	for (i = 0; i < n; i++)
		kind[i] = i < outlier_rows[_i].high ? 1 :
		    i < outlier_rows[_i].high + outlier_rows[_i].low ? -1 : 0;
	for (i = n - 1; i > 0; i--) {
		j = (int)(rnd_next(&rng) % (uint64_t)(i + 1));
		t = kind[i];
		kind[i] = kind[j];
		kind[j] = t;
	}
	f = mk(outlier_rows[_i].length, 0.0, 8);
	for (i = 0; i < n; i++) {
		off = TRUTH + outlier_rows[_i].noise_s * gauss() +
		    kind[i] * outlier_rows[_i].out_s;
		add_ok(f, i, off, 1e-6);
	}
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	err = fabs(out.offset_s - TRUTH);
	ck_assert_msg(err <= outlier_rows[_i].max_err_s &&
	    err >= outlier_rows[_i].min_err_s, "%s: error %.9f",
	    outlier_rows[_i].what, err);
	reffilt_free(f);
}
END_TEST

static const struct {
	const char		*what;
	int			 length, n;
	enum reffilt_reason	 want;
} few_rows[] = {
	{ "none", 64, 0, REFFILT_ERR_FEW },
	{ "3 of 64", 64, 3, REFFILT_ERR_FEW },
	{ "4 of 64", 64, 4, REFFILT_OK },
	{ "3 of 4", 4, 3, REFFILT_ERR_FEW },
	{ "4 of 4", 4, 4, REFFILT_OK },
	{ "2 of 3: not full", 3, 2, REFFILT_ERR_FEW },
	{ "3 of 3", 3, 3, REFFILT_OK },
	{ "1 of 1", 1, 1, REFFILT_OK },
	{ "0 of 1", 1, 0, REFFILT_ERR_FEW },
	{ "100 into 16", 16, 100, REFFILT_OK },
};

START_TEST(test_reffilt_min_samples)
{
	struct reffilt		*f = mk(few_rows[_i].length, 0.0, 8);
	struct reffilt_sample	 out;
	int			 i;

	for (i = 0; i < few_rows[_i].n; i++)
		add_ok(f, i, TRUTH, 1e-6);
	ck_assert_msg(reffilt_get(f, &out) == few_rows[_i].want, "%s",
	    few_rows[_i].what);
	if (few_rows[_i].want == REFFILT_OK)
		ck_assert(fabs(out.offset_s - TRUTH) < 1e-15);
	reffilt_free(f);
}
END_TEST

/* A poll uses the samples up; the newest raw one stays for a lock. */
START_TEST(test_reffilt_drops_after_poll)
{
	struct reffilt		*f = mk(64, 0.0, 8);
	struct reffilt_sample	 out, last;
	int			 i;

	ck_assert_int_eq(reffilt_last(f, &last), -1);
	for (i = 0; i < 8; i++)
		add_ok(f, i, TRUTH + i * 1e-9, 1e-6);
	ck_assert_int_eq(reffilt_count(f), 8);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert_int_eq(reffilt_count(f), 0);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_ERR_FEW);
	ck_assert_int_eq(reffilt_last(f, &last), 0);
	ck_assert(last.time_ns == T0 + 7 * S);
	ck_assert(last.offset_s == TRUTH + 7e-9);
	reffilt_reset(f);
	ck_assert_int_eq(reffilt_last(f, &last), -1);
	reffilt_free(f);
}
END_TEST

static const struct {
	const char		*what;
	double			 noise_s, max_disp_s;
	enum reffilt_reason	 want;
} disp_rows[] = {
	{ "1 ms noise, maxdispersion 100 us", 1e-3, 1e-4, REFFILT_ERR_DISP },
	{ "1 ms noise, maxdispersion 10 ms", 1e-3, 1e-2, REFFILT_OK },
	{ "1 ms noise, no limit", 1e-3, 0.0, REFFILT_OK },
	{ "1 us noise, maxdispersion 100 us", 1e-6, 1e-4, REFFILT_OK },
};

/* maxdispersion limits the spread of the kept samples. */
START_TEST(test_reffilt_maxdispersion)
{
	struct reffilt		*f = mk(64, disp_rows[_i].max_disp_s, 8);
	struct reffilt_sample	 out;
	enum reffilt_reason	 why;
	int			 i;

	rng = seed ^ (uint64_t)_i << 40;
	for (i = 0; i < 64; i++)
		add_ok(f, i, TRUTH + disp_rows[_i].noise_s * gauss(), 1e-6);
	why = reffilt_get(f, &out);
	ck_assert_msg(why == disp_rows[_i].want, "%s: %s",
	    disp_rows[_i].what, reffilt_reason_name(why));
	/* refused: the samples stay for the next poll, as chrony's */
	ck_assert_int_eq(reffilt_count(f), why == REFFILT_OK ? 0 : 64);
	reffilt_free(f);
}
END_TEST

static const struct {
	const char		*what;
	int			 poll;
	int64_t			 age_ns;
	enum reffilt_reason	 want;
} age_rows[] = {
	{ "now", 4, 0, REFFILT_OK },
	{ "1 ns in the future", 4, -1, REFFILT_ERR_AGE },
	{ "an hour in the future", 4, -3600 * S, REFFILT_ERR_AGE },
	{ "2^(poll+1) s old", 4, 32 * S, REFFILT_OK },
	{ "older", 4, 32 * S + 1, REFFILT_ERR_AGE },
	{ "poll -2: 0.5 s", -2, S / 2, REFFILT_OK },
	{ "poll -2: older", -2, S / 2 + 1, REFFILT_ERR_AGE },
	{ "the oldest time there is", 4, INT64_MIN, REFFILT_ERR_AGE },
};

START_TEST(test_reffilt_age)
{
	struct reffilt		*f = mk(64, 0.0, age_rows[_i].poll);
	int64_t			 now = T0;
	struct reffilt_sample	 s = smp(0, TRUTH, 1e-6);

	if (age_rows[_i].age_ns == INT64_MIN)
		s.time_ns = INT64_MIN;
	else
		s.time_ns = now - age_rows[_i].age_ns;
	ck_assert_msg(reffilt_add(f, &s, now) == age_rows[_i].want, "%s",
	    age_rows[_i].what);
	ck_assert_int_eq(reffilt_count(f),
	    age_rows[_i].want == REFFILT_OK ? 1 : 0);
	reffilt_free(f);
}
END_TEST

static const struct {
	const char	*what;
	double		 offset_s, disp_s;
} bad_rows[] = {
	{ "NaN offset", NAN, 1e-6 },
	{ "infinite offset", INFINITY, 1e-6 },
	{ "-infinite offset", -INFINITY, 1e-6 },
	{ "absurd offset", 1e9, 1e-6 },
	{ "NaN dispersion", 0.0, NAN },
	{ "negative dispersion", 0.0, -1e-9 },
	{ "infinite dispersion", 0.0, INFINITY },
};

START_TEST(test_reffilt_bad_values)
{
	struct reffilt		*f = mk(64, 0.0, 4);
	struct reffilt_sample	 s = smp(T0, bad_rows[_i].offset_s,
				     bad_rows[_i].disp_s);

	ck_assert_msg(reffilt_add(f, &s, T0) == REFFILT_ERR_VALUE, "%s",
	    bad_rows[_i].what);
	ck_assert_int_eq(reffilt_count(f), 0);
	ck_assert_int_eq(reffilt_last(f, &s), -1);
	reffilt_free(f);
}
END_TEST

/* A full filter drops its oldest: 10 into 4 keeps 7..10, averages 8, 9. */
START_TEST(test_reffilt_ring_keeps_newest)
{
	struct reffilt		*f = mk(4, 0.0, 8);
	struct reffilt_sample	 out;
	int			 i;

	for (i = 1; i <= 10; i++)
		add_ok(f, i, i * 1e-3, 1e-6);
	ck_assert_int_eq(reffilt_count(f), 4);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert(fabs(out.offset_s - 8.5e-3) < 1e-15);
	ck_assert(out.time_ns == T0 + 8 * S + S / 2);
	reffilt_free(f);
}
END_TEST

/*
 * With more than 4 samples, those with a dispersion beyond 1.5 times the
 * smallest are left out, unless fewer than 4 would remain.
 */
START_TEST(test_reffilt_dispersion_selection)
{
	struct reffilt		*f = mk(64, 0.0, 8);
	struct reffilt_sample	 out;
	int			 i;

	for (i = 0; i < 4; i++)
		add_ok(f, i, TRUTH, 1e-6);
	for (i = 4; i < 8; i++)
		add_ok(f, i, TRUTH + 1e-3, 1.6e-6);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert(fabs(out.offset_s - TRUTH) < 1e-15);

	/* three good ones are not enough: all eight, 1 from each end */
	for (i = 0; i < 3; i++)
		add_ok(f, i, TRUTH, 1e-6);
	for (i = 3; i < 8; i++)
		add_ok(f, i, TRUTH + 1e-3, 1.6e-6);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert(fabs(out.offset_s - (TRUTH + 4e-3 / 6)) < 1e-12);
	reffilt_free(f);
}
END_TEST

/* Equal offsets: the middle 60% by place; the time is their mean. */
START_TEST(test_reffilt_time_is_mean)
{
	struct reffilt		*f = mk(64, 0.0, 8);
	struct reffilt_sample	 out;
	int			 i;

	for (i = 0; i < 10; i++)
		add_ok(f, i, TRUTH, 1e-6);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert(out.time_ns == T0 + 4 * S + S / 2);
	ck_assert(out.disp_s >= 1e-6);
	reffilt_free(f);
}
END_TEST

/*
 * The dispersion follows the noise, and a drifting offset is not noise:
 * the regression takes the drift out.
 */
START_TEST(test_reffilt_dispersion_follows_noise)
{
	struct reffilt		*f = mk(64, 0.0, 8);
	struct reffilt_sample	 out;
	int			 i, poll;

	rng = seed ^ 0x5eedULL;
	for (poll = 0; poll < 20; poll++) {
		for (i = 0; i < 64; i++)
			add_ok(f, poll * 64 + i, TRUTH + 1e-5 * gauss(), 1e-9);
		ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
		ck_assert_msg(out.disp_s > 1e-7 && out.disp_s < 1e-5,
		    "poll %d: dispersion %.3e", poll, out.disp_s);
		ck_assert(fabs(out.offset_s - TRUTH) < 1e-5);
	}
	ck_assert(reffilt_avg_disp(f) > 1e-6 && reffilt_avg_disp(f) < 1e-5);
	reffilt_free(f);

	/* 1 ppm of drift: 64 us over the poll, no noise */
	f = mk(64, 0.0, 8);
	for (i = 0; i < 64; i++)
		add_ok(f, i, TRUTH + 1e-6 * i, 1e-9);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert_msg(out.disp_s < 1e-8, "drift: dispersion %.3e",
	    out.disp_s);
	ck_assert(fabs(out.offset_s - (TRUTH + 31.5e-6)) < 1e-12);
	reffilt_free(f);
}
END_TEST

START_TEST(test_reffilt_avg_disp_starts_at_precision)
{
	struct reffilt	*f = mk(64, 0.0, 8);

	ck_assert(fabs(reffilt_avg_disp(f) - 1e-6) < 1e-18);
	reffilt_free(f);
}
END_TEST

/* A correction re-expresses the samples held, and the newest raw one. */
START_TEST(test_reffilt_correct)
{
	struct reffilt		*f = mk(64, 0.0, 8);
	struct reffilt_sample	 out, last;
	int			 i;

	for (i = 0; i < 8; i++)
		add_ok(f, i, 0.01, 1e-6);
	/* moved back by 10 ms at the last sample */
	reffilt_correct(f, T0 + 7 * S, 0.0, 0.01);
	ck_assert_int_eq(reffilt_last(f, &last), 0);
	ck_assert(fabs(last.offset_s) < 1e-15);
	ck_assert(last.time_ns == T0 + 7 * S - S / 100);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert(fabs(out.offset_s) < 1e-15);

	/* slowed by 10 ppm at T0 + 8 s: a sample 8 s before gains 80 us */
	add_ok(f, 0, 0.0, 1e-6);
	reffilt_correct(f, T0 + 8 * S, 10.0, 0.0);
	ck_assert_int_eq(reffilt_last(f, &last), 0);
	ck_assert(fabs(last.offset_s - 80e-6) < 1e-12);

	/* nonsense forgets everything */
	reffilt_correct(f, T0, NAN, 0.0);
	ck_assert_int_eq(reffilt_count(f), 0);
	ck_assert_int_eq(reffilt_last(f, &last), -1);
	add_ok(f, 0, 0.0, 1e-6);
	reffilt_correct(f, T0, 0.0, 1e7);
	ck_assert_int_eq(reffilt_last(f, &last), -1);
	reffilt_free(f);
}
END_TEST

START_TEST(test_reffilt_add_disp)
{
	struct reffilt		*f = mk(64, 0.0, 8);
	struct reffilt_sample	 out;
	int			 i;

	for (i = 0; i < 8; i++)
		add_ok(f, i, TRUTH, 1e-6);
	reffilt_add_disp(f, 1e-3);
	reffilt_add_disp(f, NAN);	/* ignored */
	reffilt_add_disp(f, -1.0);	/* ignored */
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert(fabs(out.disp_s - (1e-3 + 1e-6)) < 1e-12);
	reffilt_free(f);
}
END_TEST

static const struct {
	const char	*what;
	int		 length, poll, dpoll, want;
} length_rows[] = {
	{ "default, poll 4, dpoll 0: 16", 64, 4, 0, 16 },
	{ "poll 6, dpoll 0: 64", 64, 6, 0, 64 },
	{ "poll 4, dpoll -2: 64", 64, 4, -2, 64 },
	{ "poll 0, dpoll 0: 1", 64, 0, 0, 1 },
	{ "dpoll beyond poll: 1", 64, 2, 3, 1 },
	{ "filter 3, poll 6: 3", 3, 6, 0, 3 },
	{ "filter 256, poll 24, dpoll -6", 256, 24, -6, 256 },
	{ "poll 1, dpoll 0: 2", 5, 1, 0, 2 },
};

START_TEST(test_reffilt_length)
{
	ck_assert_msg(reffilt_length(length_rows[_i].length,
	    length_rows[_i].poll, length_rows[_i].dpoll) ==
	    length_rows[_i].want, "%s", length_rows[_i].what);
}
END_TEST

static const struct {
	const char		*what;
	struct reffilt_params	 p;
} new_rows[] = {
	{ "length 0", { 0, 0.0, 1e-6, 4, 0 } },
	{ "length 257", { 257, 0.0, 1e-6, 4, 0 } },
	{ "negative maxdispersion", { 64, -1.0, 1e-6, 4, 0 } },
	{ "NaN maxdispersion", { 64, NAN, 1e-6, 4, 0 } },
	{ "precision 0", { 64, 0.0, 0.0, 4, 0 } },
	{ "NaN precision", { 64, 0.0, NAN, 4, 0 } },
	{ "poll 31", { 64, 0.0, 1e-6, 31, 0 } },
	{ "poll -11", { 64, 0.0, 1e-6, -11, 0 } },
};

/*
 * An NTP source's filter (ntp): the median offset alone, the middle two
 * averaged from an even count, from one sample on; the delays and root
 * distances of those kept averaged.
 */
START_TEST(test_reffilt_ntp_median)
{
	struct reffilt_params	 p = { 15, 0.0, 1e-6, 0, 1 };
	struct reffilt		*f;
	struct reffilt_sample	 s, out;
	static const double	 off[5] = { 0.003, -0.010, 0.001, 0.002,
	    0.500 };
	int			 i;

	ck_assert_ptr_nonnull(f = reffilt_new(&p));
	for (i = 0; i < 5; i++) {
		s = smp(T0 + i * S, off[i], 1e-6);
		s.delay_s = 0.001 * (i + 1);
		s.root_delay_s = 0.01;
		s.root_disp_s = 0.002;
		ck_assert_int_eq(reffilt_add(f, &s, s.time_ns), REFFILT_OK);
	}
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert_double_eq(out.offset_s, 0.002);	/* the median */
	ck_assert_int_eq(out.time_ns, T0 + 3 * S);	/* its time */
	ck_assert_double_eq_tol(out.delay_s, 0.004, 1e-15);	/* its delay */
	ck_assert_double_eq_tol(out.root_delay_s, 0.01, 1e-15);
	ck_assert_double_eq_tol(out.root_disp_s, 0.002, 1e-15);
	/* four: the middle two */
	for (i = 0; i < 4; i++) {
		s = smp(T0 + (10 + i) * S, off[i], 1e-6);
		s.delay_s = 0.001 * (i + 1);
		ck_assert_int_eq(reffilt_add(f, &s, s.time_ns), REFFILT_OK);
	}
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert_double_eq_tol(out.offset_s, 0.0015, 1e-15);
	ck_assert_double_eq_tol(out.delay_s, 0.0035, 1e-15);
	/* one is enough (a refclock's filter wants 4) */
	s = smp(T0 + 20 * S, 0.007, 1e-6);
	ck_assert_int_eq(reffilt_add(f, &s, s.time_ns), REFFILT_OK);
	ck_assert_int_eq(reffilt_get(f, &out), REFFILT_OK);
	ck_assert_double_eq(out.offset_s, 0.007);
	/* a bad delay is refused */
	s.delay_s = NAN;
	ck_assert_int_eq(reffilt_add(f, &s, s.time_ns), REFFILT_ERR_VALUE);
	s.delay_s = -1e-3;
	ck_assert_int_eq(reffilt_add(f, &s, s.time_ns), REFFILT_ERR_VALUE);
	reffilt_free(f);
}
END_TEST

START_TEST(test_reffilt_new_rejects)
{
	ck_assert_msg(reffilt_new(&new_rows[_i].p) == NULL, "%s",
	    new_rows[_i].what);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("reffilt");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	seed = test_seed("check_reffilt");
	tcase_add_loop_test(tc, test_reffilt_outliers, 0,
	    NELEM(outlier_rows));
	tcase_add_loop_test(tc, test_reffilt_min_samples, 0,
	    NELEM(few_rows));
	tcase_add_test(tc, test_reffilt_drops_after_poll);
	tcase_add_loop_test(tc, test_reffilt_maxdispersion, 0,
	    NELEM(disp_rows));
	tcase_add_loop_test(tc, test_reffilt_age, 0, NELEM(age_rows));
	tcase_add_loop_test(tc, test_reffilt_bad_values, 0, NELEM(bad_rows));
	tcase_add_test(tc, test_reffilt_ring_keeps_newest);
	tcase_add_test(tc, test_reffilt_dispersion_selection);
	tcase_add_test(tc, test_reffilt_time_is_mean);
	tcase_add_test(tc, test_reffilt_dispersion_follows_noise);
	tcase_add_test(tc, test_reffilt_avg_disp_starts_at_precision);
	tcase_add_test(tc, test_reffilt_correct);
	tcase_add_test(tc, test_reffilt_add_disp);
	tcase_add_loop_test(tc, test_reffilt_length, 0, NELEM(length_rows));
	tcase_add_test(tc, test_reffilt_ntp_median);
	tcase_add_loop_test(tc, test_reffilt_new_rejects, 0,
	    NELEM(new_rows));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
