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
 * Unit tests of the hardware clock regression (lib/hwclk.c), on
 * synthetic PTP_SYS_OFFSET readings of a modelled PHC with a known
 * offset and frequency: each reading reads the PHC at a random instant
 * between its two system times, whose distance (the delay) jitters and
 * now and then jumps.  The randomised tests draw from one generator
 * seeded from TIMED_TEST_SEED (printed); their bounds hold for any seed.
 */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwclk.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define S		1000000000LL
#define T0		(1700000000LL * S)

static uint64_t	seed, rng;

static double
unit(void)
{
	return ((rnd_next(&rng) >> 11) + 0.5) / 9007199254740992.0;
}

/* The modelled PHC: hw = hw0 + (t - T0) (1 + freq). */
struct phc {
	int64_t	hw0_ns;
	double	freq_ppm;
};

static int64_t
phc_at(const struct phc *c, int64_t t)
{
	return c->hw0_ns + (t - T0) +
	    llround((double)(t - T0) * c->freq_ppm * 1e-6);
}

/* The system time at which the PHC reads hw, as the model has it. */
static int64_t
sys_at(const struct phc *c, int64_t hw)
{
	return T0 + llround((double)(hw - c->hw0_ns) /
	    (1.0 + c->freq_ppm * 1e-6));
}

static struct hwclk *
mk(int min, int max, double sep, double prec)
{
	struct hwclk_params	 p = { min, max, sep, prec };
	struct hwclk		*h;

	ck_assert_ptr_nonnull(h = hwclk_new(&p));
	return h;
}

/*
 * n readings at system time t: delays of base_ns plus an exponential
 * extra of mean jitter_ns (an interrupt, a preemption), times spike (1
 * normally).  The PHC is read at a random instant of the base part; the
 * extra falls before or after it, so a slow reading is off by half the
 * extra, one way or the other.
 */
static void
readings(const struct phc *c, int64_t t, int n, int64_t base_ns,
    double jitter_ns, double spike, struct hwclk_reading *r)
{
	double	 extra;
	int64_t	 d, at;
	int	 i;

	for (i = 0; i < n; i++) {
		extra = -jitter_ns * log(unit()) * spike;
		d = llround(base_ns * spike + extra);
		at = llround(unit() * base_ns * spike +
		    (unit() < 0.5 ? extra : 0.0));
		r[i].sys_before_ns = t;
		r[i].sys_after_ns = t + d;
		r[i].hw_ns = phc_at(c, t + (at < d ? at : d));
		t += d + 200;
	}
}

static const struct {
	const char	*what;
	struct phc	 phc;
	int		 nread;		/* per poll */
	int64_t		 base_ns;
	double		 jitter_ns;
	int		 spike_every;	/* polls; 0: never */
	double		 max_rms_ns;	/* of the converted timestamps */
	double		 max_err_ns;
	double		 max_dfreq_ppm;	/* of the frequency */
} synth_rows[] = {
	/*
	 * One reading of n is kept (the fastest), known to within half its
	 * delay h, uniformly: a standard deviation of 0.58 h, and about half
	 * that for a fit of 16 extrapolated by up to 0.75 s (its errors are
	 * correlated from poll to poll, so the RMS of one run varies).  The
	 * bounds: 0.7 h RMS, 2 h at worst, the frequency to 6 standard
	 * deviations.
	 */
	{ "cross timestamps", { T0, 12.5 }, 1, 0, 0.0, 0, 2.0, 3.0, 0.002 },
	{ "basic ioctl: 1 us delays, jitter", { T0, -3.0 }, 10, 1000, 300.0,
	    0, 350.0, 1000.0, 0.1 },
	{ "delay spikes in 20% of polls", { T0, 40.0 }, 10, 1000, 300.0, 5,
	    350.0, 1000.0, 0.1 },
	{ "TAI: 37 s ahead, -80 ppm", { T0 + 37 * S, -80.0 }, 5, 2000, 100.0,
	    0, 700.0, 2000.0, 0.2 },
	{ "unsynchronised PHC at 1000 s, +300 ppm", { 1000 * S, 300.0 }, 10,
	    500, 200.0, 0, 180.0, 500.0, 0.1 },
	{ "near the frequency limit: +9000 ppm", { T0 - S, 9000.0 }, 10, 500,
	    50.0, 0, 180.0, 500.0, 0.1 },
};

/* 64 polls a second apart; timestamps up to 0.75 s after each. */
START_TEST(test_hwclk_synthetic)
{
	const struct phc	*c = &synth_rows[_i].phc;
	struct hwclk		*h = mk(2, 16, 1.0, 1e-9);
	struct hwclk_reading	 r[HWCLK_MAX_READINGS];
	struct hwclk_sample	 smp;
	struct hwclk_est	 e;
	enum hwclk_reason	 why;
	int64_t			 t, hw, sys;
	double			 spike, err, worst = 0.0, sum2 = 0.0;
	int			 i, k, ok = 0, dropped = 0, nerr = 0;

	rng = seed ^ (uint64_t)_i << 40;
	for (i = 0; i < 64; i++) {
		t = T0 + i * S + (int64_t)(unit() * 1e6);
		spike = synth_rows[_i].spike_every > 0 &&
		    i % synth_rows[_i].spike_every == 2 ? 50.0 : 1.0;
		readings(c, t, synth_rows[_i].nread, synth_rows[_i].base_ns,
		    synth_rows[_i].jitter_ns, spike, r);
		ck_assert_int_eq(hwclk_readings(h, r, synth_rows[_i].nread,
		    &smp), HWCLK_OK);
		why = hwclk_add(h, &smp);
		ok += why == HWCLK_OK;
		dropped += why == HWCLK_ERR_DELAY;
		ck_assert_int_ne(why, HWCLK_RESET);
		if (i < 16)
			continue;
		for (k = 1; k <= 3; k++) {
			hw = phc_at(c, t + k * S / 4);
			ck_assert_int_eq(hwclk_cook(h, hw, &sys, &err), 0);
			err = fabs((double)(sys - sys_at(c, hw)));
			if (err > worst)
				worst = err;
			sum2 += err * err;
			nerr++;
		}
	}
	ck_assert_msg(ok >= 48, "%s: %d OK of 64", synth_rows[_i].what, ok);
	ck_assert_msg(dropped == (synth_rows[_i].spike_every > 0 ? 13 : 0),
	    "%s: %d spikes dropped", synth_rows[_i].what, dropped);
	ck_assert_msg(sqrt(sum2 / nerr) <= synth_rows[_i].max_rms_ns &&
	    worst <= synth_rows[_i].max_err_ns,
	    "%s: RMS %.1f ns, worst %.1f ns", synth_rows[_i].what,
	    sqrt(sum2 / nerr), worst);
	ck_assert_int_eq(hwclk_estimate(h, &e), 0);
	ck_assert_msg(fabs(e.freq_ppm - c->freq_ppm) <=
	    synth_rows[_i].max_dfreq_ppm, "%s: frequency %.6f ppm",
	    synth_rows[_i].what, e.freq_ppm);
	ck_assert_msg(fabs((double)(e.offset_ns - (phc_at(c, e.sys_ns) -
	    e.sys_ns))) <= synth_rows[_i].max_err_ns,
	    "%s: offset", synth_rows[_i].what);
	hwclk_free(h);
}
END_TEST

#define R(b, hw, a)	{ T0 + (b), T0 + 5 * S + (hw), T0 + (a) }

static const struct {
	const char		*what;
	int			 n;
	struct hwclk_reading	 r[4];
	enum hwclk_reason	 want;
	int64_t			 hw, sys;	/* less T0 + 5 s, T0 */
	double			 err_s;
} read_rows[] = {
	{ "a cross timestamp", 1, { R(1000, 1000, 1000) }, HWCLK_OK,
	    1000, 1000, 1e-8 },
	{ "one reading", 1, { R(1000, 1600, 2000) }, HWCLK_OK, 1600, 1500,
	    500e-9 },
	{ "the slow one left out", 3, { R(0, 500, 1000),
	    R(2000, 2510, 3000), R(4000, 6000, 9000) }, HWCLK_OK, 1505, 1500,
	    500e-9 },
	{ "within the precision of the fastest: kept", 2,
	    { R(0, 500, 1000), R(2000, 2500, 3005) }, HWCLK_OK, 1500, 1501,
	    500e-9 },
	{ "the fastest need not be first", 2, { R(0, 3000, 6000),
	    R(8000, 8100, 8200) }, HWCLK_OK, 8100, 8100, 100e-9 },
	{ "error at least the precision", 1, { R(0, 1, 2) }, HWCLK_OK, 1, 1,
	    1e-8 },
	{ "after before before", 2, { R(0, 500, 1000), R(3000, 2500, 2000) },
	    HWCLK_ERR_STEP, 0, 0, 0.0 },
	{ "one reading 1 ms off: outvoted", 3, { R(0, 500, 1000),
	    R(2000, 2500, 3000), R(4000, 1004500, 5000) }, HWCLK_OK, 2500,
	    2500, 500e-9 },
	{ "two: their offsets' mean", 2, { R(0, 0, 1000),
	    R(2000, 3100, 3000) }, HWCLK_OK, 1550, 1500, 500e-9 },
	{ "a noisy PHC: the median", 4, { R(0, 90500, 1000),
	    R(2000, 2500, 3000), R(4000, 4400, 5000),
	    R(6000, -53500, 7000) }, HWCLK_OK, 3450, 3500, 500e-9 },
	{ "a reading of over a second", 1, { R(0, 0, S + 1) },
	    HWCLK_ERR_VALUE, 0, 0, 0.0 },
	{ "a second: fine", 1, { R(0, S / 2, S) }, HWCLK_OK, S / 2, S / 2,
	    0.5 },
	{ "no readings", 0, { R(0, 0, 0) }, HWCLK_ERR_NONE, 0, 0, 0.0 },
};

START_TEST(test_hwclk_readings)
{
	struct hwclk		*h = mk(2, 16, 1.0, 1e-8);
	struct hwclk_sample	 s;
	enum hwclk_reason	 why;

	why = hwclk_readings(h, read_rows[_i].r, read_rows[_i].n, &s);
	ck_assert_msg(why == read_rows[_i].want, "%s: %s",
	    read_rows[_i].what, hwclk_reason_name(why));
	if (why == HWCLK_OK) {
		ck_assert_msg(s.hw_ns == T0 + 5 * S + read_rows[_i].hw &&
		    s.sys_ns == T0 + read_rows[_i].sys, "%s: %lld %lld",
		    read_rows[_i].what, (long long)(s.hw_ns - T0 - 5 * S),
		    (long long)(s.sys_ns - T0));
		ck_assert_msg(fabs(s.err_s - read_rows[_i].err_s) < 1e-15,
		    "%s: error %.3e", read_rows[_i].what, s.err_s);
	}
	hwclk_free(h);
}
END_TEST

START_TEST(test_hwclk_too_many_readings)
{
	struct hwclk		*h = mk(2, 16, 1.0, 1e-8);
	struct hwclk_reading	 r[HWCLK_MAX_READINGS + 1];
	struct hwclk_sample	 s;
	int			 i;

	for (i = 0; i < HWCLK_MAX_READINGS + 1; i++) {
		r[i].sys_before_ns = T0 + i * 1000;
		r[i].hw_ns = T0 + i * 1000 + 100;
		r[i].sys_after_ns = T0 + i * 1000 + 200;
	}
	ck_assert_int_eq(hwclk_readings(h, r, HWCLK_MAX_READINGS, &s),
	    HWCLK_OK);
	ck_assert_int_eq(hwclk_readings(h, r, HWCLK_MAX_READINGS + 1, &s),
	    HWCLK_ERR_NONE);
	ck_assert_int_eq(hwclk_readings(h, r, -1, &s), HWCLK_ERR_NONE);
	hwclk_free(h);
}
END_TEST

static struct hwclk_sample
exact(const struct phc *c, int64_t t, double err)
{
	struct hwclk_sample	 s = { phc_at(c, t), t, err };

	return s;
}

/* Nothing converts before min_samples samples. */
START_TEST(test_hwclk_min_samples)
{
	struct phc		 c = { T0, 10.0 };
	struct hwclk		*h = mk(4, 16, 1.0, 1e-9);
	struct hwclk_sample	 s;
	struct hwclk_est	 e;
	int64_t			 sys;
	int			 i;

	ck_assert_int_eq(hwclk_cook(h, T0, &sys, NULL), -1);
	ck_assert_int_eq(hwclk_estimate(h, &e), -1);
	for (i = 0; i < 3; i++) {
		s = exact(&c, T0 + i * S, 1e-8);
		ck_assert_int_eq(hwclk_add(h, &s), HWCLK_FEW);
		ck_assert_int_eq(hwclk_cook(h, T0, &sys, NULL), -1);
	}
	s = exact(&c, T0 + 3 * S, 1e-8);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_OK);
	ck_assert_int_eq(hwclk_cook(h, phc_at(&c, T0 + 3 * S + S / 2), &sys,
	    NULL), 0);
	ck_assert(llabs(sys - (T0 + 3 * S + S / 2)) <= 1);
	ck_assert_int_eq(hwclk_estimate(h, &e), 0);
	ck_assert_int_eq(e.n, 4);
	ck_assert(fabs(e.freq_ppm - 10.0) < 1e-3);
	hwclk_free(h);
}
END_TEST

/* A step of the PHC: the samples before it go, the new line is taken. */
START_TEST(test_hwclk_step)
{
	struct phc		 c = { T0, 10.0 };
	struct hwclk		*h = mk(2, 16, 1.0, 1e-9);
	struct hwclk_sample	 s;
	int64_t			 sys;
	int			 i;

	for (i = 0; i < 10; i++) {
		s = exact(&c, T0 + i * S, 1e-8);
		hwclk_add(h, &s);
	}
	/* forward by 1 ms: the line no longer explains it */
	c.hw0_ns += 1000000;
	s = exact(&c, T0 + 10 * S, 1e-8);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_RESET);
	ck_assert_int_eq(hwclk_cook(h, s.hw_ns, &sys, NULL), -1);
	s = exact(&c, T0 + 11 * S, 1e-8);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_OK);
	ck_assert_int_eq(hwclk_cook(h, phc_at(&c, T0 + 11 * S + S / 2), &sys,
	    NULL), 0);
	ck_assert(llabs(sys - (T0 + 11 * S + S / 2)) <= 2);

	/* back by 1 s: the hardware time runs backwards */
	c.hw0_ns -= S;
	s = exact(&c, T0 + 12 * S, 1e-8);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_RESET);
	hwclk_free(h);
}
END_TEST

/*
 * A frequency that changed at once: the regression starts again there.
 * One that wanders: the oldest samples are dropped as it bends.
 */
START_TEST(test_hwclk_frequency_change)
{
	struct phc		 c = { T0, 0.0 };
	struct hwclk		*h = mk(2, 32, 1.0, 1e-9);
	struct hwclk_sample	 s;
	struct hwclk_est	 e;
	int64_t			 t, sys;
	int			 i;

	for (i = 0; i < 32; i++) {
		s = exact(&c, T0 + i * S, 1e-8);
		hwclk_add(h, &s);
	}
	/* from T0 + 31 s on, 20 ppm fast: continuous, a bend */
	c.freq_ppm = 20.0;
	c.hw0_ns = T0 - llround(31.0 * 20.0 * 1e3);
	for (i = 32; i < 40; i++) {
		t = T0 + i * S;
		s = exact(&c, t, 1e-8);
		ck_assert_int_eq(hwclk_add(h, &s), i == 32 ? HWCLK_RESET :
		    HWCLK_OK);
		if (i == 32)
			continue;
		ck_assert_int_eq(hwclk_cook(h, phc_at(&c, t + S / 2), &sys,
		    NULL), 0);
		ck_assert_msg(llabs(sys - (t + S / 2)) <= 30,
		    "%d s after the change: %lld ns", i - 31,
		    (long long)(sys - (t + S / 2)));
	}
	ck_assert_int_eq(hwclk_estimate(h, &e), 0);
	ck_assert(fabs(e.freq_ppm - 20.0) < 0.01);
	ck_assert_int_eq(e.n, 8);

	/* 0.05 ppm more each second: the window shortens, nothing restarts */
	hwclk_reset(h);
	c.hw0_ns = T0;
	c.freq_ppm = 0.0;
	for (i = 0, t = T0; i < 32; i++, t += S) {
		s.sys_ns = t;
		s.hw_ns = phc_at(&c, t) + llround(25.0 * i * i);
		s.err_s = 1e-8;
		ck_assert_int_ne(hwclk_add(h, &s), HWCLK_RESET);
	}
	ck_assert_int_eq(hwclk_estimate(h, &e), 0);
	ck_assert_msg(e.n < 32 && fabs(e.freq_ppm - 0.05 * 31) < 0.1,
	    "n %d, %.3f ppm", e.n, e.freq_ppm);
	hwclk_free(h);
}
END_TEST

/*
 * A sample with an error far above the others is dropped, four in a row;
 * the fifth starts anew (the delay changed for good).
 */
START_TEST(test_hwclk_delay_outliers)
{
	struct phc		 c = { T0, 0.0 };
	struct hwclk		*h = mk(2, 16, 1.0, 1e-8);
	struct hwclk_sample	 s;
	int			 i;

	for (i = 0; i < 8; i++) {
		s = exact(&c, T0 + i * S, 1e-7);
		ck_assert_int_ne(hwclk_add(h, &s), HWCLK_ERR_DELAY);
	}
	for (i = 8; i < 8 + HWCLK_MAX_REJECT; i++) {
		s = exact(&c, T0 + i * S, 1e-5);
		ck_assert_int_eq(hwclk_add(h, &s), HWCLK_ERR_DELAY);
	}
	s = exact(&c, T0 + i * S, 1e-5);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_RESET);
	s = exact(&c, T0 + (i + 1) * S, 1e-5);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_OK);

	/* just under 4x: still taken */
	hwclk_reset(h);
	for (i = 0; i < 4; i++) {
		s = exact(&c, T0 + i * S, 1e-7);
		hwclk_add(h, &s);
	}
	s = exact(&c, T0 + 4 * S, 3.99e-7);
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_OK);
	hwclk_free(h);
}
END_TEST

static const struct {
	const char	*what;
	int64_t		 dt_ns;		/* after the previous sample */
	int64_t		 dhw_ns;
	double		 err_s;
	enum hwclk_reason want;
} add_rows[] = {
	{ "a second on", S, S, 1e-8, HWCLK_OK },
	{ "half the separation: fine", S / 2, S / 2, 1e-8, HWCLK_OK },
	{ "closer: restart", S / 2 - 1, S / 2, 1e-8, HWCLK_RESET },
	{ "system time back", -S, S, 1e-8, HWCLK_RESET },
	{ "system time still", 0, S, 1e-8, HWCLK_RESET },
	{ "hardware time still", S, 0, 1e-8, HWCLK_RESET },
	{ "absurd frequency: 2%", S, S + S / 50, 1e-8, HWCLK_RESET },
	{ "NaN error", S, S, NAN, HWCLK_ERR_VALUE },
	{ "negative error", S, S, -1e-9, HWCLK_ERR_VALUE },
	{ "infinite error", S, S, INFINITY, HWCLK_ERR_VALUE },
};

START_TEST(test_hwclk_add_rules)
{
	struct hwclk		*h = mk(2, 16, 1.0, 1e-8);
	struct hwclk_sample	 s = { T0 + 5 * S, T0, 1e-8 };

	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_FEW);
	s.hw_ns += S;
	s.sys_ns += S;
	ck_assert_int_eq(hwclk_add(h, &s), HWCLK_OK);
	s.hw_ns += add_rows[_i].dhw_ns;
	s.sys_ns += add_rows[_i].dt_ns;
	s.err_s = add_rows[_i].err_s;
	ck_assert_msg(hwclk_add(h, &s) == add_rows[_i].want, "%s",
	    add_rows[_i].what);
	hwclk_free(h);
}
END_TEST

/*
 * The system clock corrected: stepped back 0.5 s and slowed by 100 ppm
 * at now.  Re-expressed, the samples convert hardware times to the
 * corrected system clock's.
 */
START_TEST(test_hwclk_correct)
{
	struct phc		 c = { T0 + 37 * S, 5.0 };
	struct hwclk		*h = mk(2, 16, 1.0, 1e-9);
	struct hwclk_sample	 s;
	int64_t			 now = T0 + 9 * S, t, sys, want;
	int			 i;

	for (i = 0; i < 10; i++) {
		s = exact(&c, T0 + i * S, 1e-8);
		hwclk_add(h, &s);
	}
	hwclk_correct(h, now, 100.0, 0.5);
	/* t true (old clock) seconds from now: the new clock reads this */
	for (i = 0; i < 3; i++) {
		t = now + i * S / 2;
		want = t - S / 2 - llround((double)(t - now) * 100e-6);
		ck_assert_int_eq(hwclk_cook(h, phc_at(&c, t), &sys, NULL), 0);
		ck_assert_msg(llabs(sys - want) <= 2, "%d: %lld ns", i,
		    (long long)(sys - want));
	}
	/* nonsense forgets everything */
	hwclk_correct(h, now, NAN, 0.0);
	ck_assert_int_eq(hwclk_cook(h, phc_at(&c, now), &sys, NULL), -1);
	hwclk_free(h);
}
END_TEST

START_TEST(test_hwclk_needs_sample)
{
	struct phc		 c = { T0, 0.0 };
	struct hwclk		*h = mk(2, 16, 4.0, 1e-9);
	struct hwclk_sample	 s = exact(&c, T0, 1e-8);

	ck_assert(hwclk_needs_sample(h, T0));
	hwclk_add(h, &s);
	ck_assert(!hwclk_needs_sample(h, T0 + 4 * S - 1));
	ck_assert(hwclk_needs_sample(h, T0 + 4 * S));
	ck_assert(hwclk_needs_sample(h, T0 - 4 * S));	/* clock stepped */
	hwclk_free(h);
}
END_TEST

static const struct {
	const char		*what;
	struct hwclk_params	 p;
} new_rows[] = {
	{ "min_samples 1", { 1, 16, 1.0, 1e-9 } },
	{ "max below min", { 8, 4, 1.0, 1e-9 } },
	{ "max 65", { 2, 65, 1.0, 1e-9 } },
	{ "negative separation", { 2, 16, -1.0, 1e-9 } },
	{ "precision 0", { 2, 16, 1.0, 0.0 } },
	{ "NaN precision", { 2, 16, 1.0, NAN } },
};

START_TEST(test_hwclk_new_rejects)
{
	ck_assert_msg(hwclk_new(&new_rows[_i].p) == NULL, "%s",
	    new_rows[_i].what);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("hwclk");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	seed = test_seed("check_hwclk");
	tcase_add_loop_test(tc, test_hwclk_synthetic, 0, NELEM(synth_rows));
	tcase_add_loop_test(tc, test_hwclk_readings, 0, NELEM(read_rows));
	tcase_add_test(tc, test_hwclk_too_many_readings);
	tcase_add_test(tc, test_hwclk_min_samples);
	tcase_add_test(tc, test_hwclk_step);
	tcase_add_test(tc, test_hwclk_frequency_change);
	tcase_add_test(tc, test_hwclk_delay_outliers);
	tcase_add_loop_test(tc, test_hwclk_add_rules, 0, NELEM(add_rows));
	tcase_add_test(tc, test_hwclk_correct);
	tcase_add_test(tc, test_hwclk_needs_sample);
	tcase_add_loop_test(tc, test_hwclk_new_rejects, 0, NELEM(new_rows));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
