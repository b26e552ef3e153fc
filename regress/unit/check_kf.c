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
 * Unit tests of the bank of Kalman filters (lib/kf.c).  The random
 * clocks and paths draw from one generator seeded from TIMED_TEST_SEED
 * (default printed).
 */

#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kf.h"

#define S		1000000000LL	/* ns per second */
#define T0		(1700000000LL * S)
#define DEFAULT_SEED	20261206ULL

static uint64_t	seed;
static uint64_t	rng_state;

static void
rnd_start(int stream)
{
	rng_state = seed ^ ((uint64_t)stream << 32);
}

static double
rnd_uniform(void)
{
	/* splitmix64, to (0, 1) */
	uint64_t	 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double
rnd_normal(void)
{
	return sqrt(-2.0 * log(rnd_uniform())) *
	    cos(6.283185307179586 * rnd_uniform());
}

static double
rnd_exp(double mean)
{
	return -mean * log(rnd_uniform());
}

static struct kf *
kf_alloc(void)
{
	struct kf	*k = calloc(1, sizeof(*k));

	ck_assert_ptr_nonnull(k);
	kf_reset(k);
	return k;
}

/*
 * A clock's offset, its frequency taking a random walk of WANDER (s/s a
 * second, as clknetsim's), read every POLL seconds over a path of 100 us
 * each way plus an exponential jitter of mean JITTER each way; every
 * sample's excess is its half delay above the path's floor.  Returns the
 * RMS error of the estimate at each sample over the last half, and the
 * last estimate.
 */
static double
run_clock(struct kf *k, int stream, int n, double poll, double wander,
    double jitter, double freq0, struct kf_est *last, double *true_freq)
{
	double	 off = 0.01, freq = freq0, up, down, ss = 0.0;
	int	 i, j, counted = 0;
	struct kf_est	 e;

	rnd_start(stream);
	for (i = 0; i < n; i++) {
		for (j = 0; j < (int)poll; j++) {
			off += freq;
			freq += wander * rnd_normal();
		}
		up = rnd_exp(jitter);
		down = rnd_exp(jitter);
		kf_update(k, T0 + (int64_t)(i * poll) * S,
		    off + 0.5 * (up - down), 0.5 * (up + down));
		ck_assert_int_eq(kf_estimate(k, T0 + (int64_t)(i * poll) * S,
		    &e), 0);
		if (i >= n / 2) {
			ss += (e.offset_s - off) * (e.offset_s - off);
			counted++;
		}
	}
	*last = e;
	*true_freq = freq;
	return sqrt(ss / counted);
}

START_TEST(test_kf_empty)
{
	struct kf	*k = kf_alloc();
	struct kf_est	 e;

	ck_assert_int_eq(kf_estimate(k, T0, &e), -1);
	kf_correct(k, T0, 1e-6, 1e-3);	/* nothing to correct */
	ck_assert_int_eq(kf_estimate(k, T0, &e), -1);
	kf_update(k, T0, 0.25, 0.0);
	ck_assert_int_eq(kf_estimate(k, T0, &e), 0);
	ck_assert_double_eq_tol(e.offset_s, 0.25, 1e-12);
	ck_assert_double_eq(e.freq, 0.0);
	kf_reset(k);
	ck_assert_int_eq(kf_estimate(k, T0, &e), -1);
	free(k);
}
END_TEST

/* Exact samples of a line: its offset and frequency, to rounding. */
START_TEST(test_kf_exact_line)
{
	struct kf	*k = kf_alloc();
	struct kf_est	 e;
	int		 i;

	for (i = 0; i < 20; i++)
		kf_update(k, T0 + i * 16 * S, -0.002 + 25e-6 * i * 16, 0.0);
	ck_assert_int_eq(kf_estimate(k, T0 + 19 * 16 * S, &e), 0);
	ck_assert_double_eq_tol(e.offset_s, -0.002 + 25e-6 * 19 * 16, 1e-8);
	ck_assert_double_eq_tol(e.freq, 25e-6, 1e-10);
	/* and extrapolated */
	ck_assert_int_eq(kf_estimate(k, T0 + 29 * 16 * S, &e), 0);
	ck_assert_double_eq_tol(e.offset_s, -0.002 + 25e-6 * 29 * 16, 1e-8);
	free(k);
}
END_TEST

/*
 * A noisy path: the estimate beats the samples by far, the frequency is
 * right within its stated error, and the bank believes a calm clock no
 * wilder than one that wanders 10^4 times as much (q 1e-20 and 1e-16):
 * through 100 us of noise a walk under 1e-16 is hard to tell from none,
 * and over seeds the calm clock's best filter was anywhere up to 1e-16.
 */
START_TEST(test_kf_noisy_and_wander_told)
{
	struct kf	*calm = kf_alloc(), *wild = kf_alloc();
	struct kf_est	 ec, ew;
	double		 rms_c, rms_w, fc, fw;

	rms_c = run_clock(calm, 1, 400, 16, 1e-10, 100e-6, 30e-6, &ec, &fc);
	rms_w = run_clock(wild, 1, 400, 16, 1e-8, 100e-6, 30e-6, &ew, &fw);
	/* one sample's error is 71 us RMS */
	ck_assert_msg(rms_c < 15e-6, "calm RMS %g", rms_c);
	ck_assert_msg(rms_w < 40e-6, "wild RMS %g", rms_w);
	ck_assert_msg(fabs(ec.freq - fc) < 4.0 * ec.freq_sd + 1e-9,
	    "freq %g true %g sd %g", ec.freq, fc, ec.freq_sd);
	ck_assert_msg(fabs(ew.freq - fw) < 4.0 * ew.freq_sd + 1e-9,
	    "freq %g true %g sd %g", ew.freq, fw, ew.freq_sd);
	ck_assert_msg(ew.q >= ec.q && ec.q <= 1e-16, "q %g vs %g", ew.q,
	    ec.q);
	free(calm);
	free(wild);
}
END_TEST

/* A sample with a large excess moves the estimate less. */
START_TEST(test_kf_excess_weighs_less)
{
	struct kf	*a = kf_alloc(), *b = kf_alloc();
	struct kf_est	 ea, eb;
	int		 i;

	for (i = 0; i < 10; i++) {
		kf_update(a, T0 + i * 64 * S, 1e-5 * (i % 2), 5e-6);
		kf_update(b, T0 + i * 64 * S, 1e-5 * (i % 2), 5e-6);
	}
	kf_update(a, T0 + 10 * 64 * S, 1e-3, 5e-6);
	kf_update(b, T0 + 10 * 64 * S, 1e-3, 5e-3);
	kf_estimate(a, T0 + 10 * 64 * S, &ea);
	kf_estimate(b, T0 + 10 * 64 * S, &eb);
	ck_assert_msg(fabs(eb.offset_s) < 0.2 * fabs(ea.offset_s),
	    "moved %g with the excess, %g without", eb.offset_s, ea.offset_s);
	free(a);
	free(b);
}
END_TEST

/*
 * kf_correct() re-expresses the state after the local clock moved: the
 * estimate loses the correction, and later samples of the corrected
 * clock agree with it at once.
 */
START_TEST(test_kf_correct)
{
	struct kf	*k = kf_alloc();
	struct kf_est	 e0, e1;
	int		 i;
	double		 dfreq = 20e-6, doff = 3e-3;
	int64_t		 now = T0 + 10 * 32 * S;

	for (i = 0; i <= 10; i++)
		kf_update(k, T0 + i * 32 * S, 5e-3 + 20e-6 * i * 32, 0.0);
	kf_estimate(k, now, &e0);
	kf_correct(k, now, dfreq, doff);
	kf_estimate(k, now, &e1);
	ck_assert_double_eq_tol(e1.offset_s, e0.offset_s - doff, 1e-9);
	ck_assert_double_eq_tol(e1.freq, e0.freq - dfreq, 1e-12);
	/* the corrected clock: offset 5e-3 + 6.4e-3 - 3e-3, no drift */
	for (i = 11; i < 20; i++)
		kf_update(k, now + (i - 10) * 32 * S, 5e-3 + 6.4e-3 - doff,
		    0.0);
	kf_estimate(k, now + 9 * 32 * S, &e1);
	ck_assert_double_eq_tol(e1.offset_s, 8.4e-3, 1e-7);
	ck_assert_double_eq_tol(e1.freq, 0.0, 1e-9);
	free(k);
}
END_TEST

/* Samples that are not numbers are ignored. */
START_TEST(test_kf_bad_input)
{
	struct kf	*k = kf_alloc();
	struct kf_est	 e;

	kf_update(k, T0, 1e-3, 0.0);
	kf_update(k, T0 + S, NAN, 0.0);
	kf_update(k, T0 + S, INFINITY, 0.0);
	kf_update(k, T0 + S, 1.0, -1.0);
	kf_update(k, T0 + S, 1.0, NAN);
	ck_assert_int_eq(kf_estimate(k, T0, &e), 0);
	ck_assert_double_eq_tol(e.offset_s, 1e-3, 1e-12);
	ck_assert(isfinite(e.freq_sd));
	free(k);
}
END_TEST

int
main(void)
{
	Suite		*s = suite_create("kf");
	TCase		*tc = tcase_create("core");
	SRunner		*sr;
	const char	*env;
	int		 failed;

	seed = DEFAULT_SEED;
	if ((env = getenv("TIMED_TEST_SEED")) != NULL && *env != '\0')
		seed = strtoull(env, NULL, 0);
	printf("check_kf: TIMED_TEST_SEED=%" PRIu64 "\n", seed);
	tcase_add_test(tc, test_kf_empty);
	tcase_add_test(tc, test_kf_exact_line);
	tcase_add_test(tc, test_kf_noisy_and_wander_told);
	tcase_add_test(tc, test_kf_excess_weighs_less);
	tcase_add_test(tc, test_kf_correct);
	tcase_add_test(tc, test_kf_bad_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
