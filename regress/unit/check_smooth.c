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

/* smoothtime's offset: continuous, within its limits, back to zero. */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "smooth.h"

#define S	1000000000LL

/*
 * Follow the offset from now_ns until it is back to zero, in steps of at
 * least a second: its rate never above max(max_freq, the rate it had),
 * the rate's change never above max_wander, the offset the rate's
 * integral, and zero at the end.  Returns how long it took (s).
 */
static double
follow(const struct smooth *s, int64_t now_ns)
{
	double	 left = smooth_remaining(s, now_ns), dt, o, r, o2, r2, a, top;
	int64_t	 t, step, end;

	o = smooth_offset(s, now_ns, &r, NULL);
	top = fmax(s->max_freq, fabs(r)) * (1.0 + 1e-9);
	dt = fmax(1.0, ceil(left / 20000.0));
	step = (int64_t)dt * S;
	end = now_ns + (int64_t)ceil(left) * S + 2 * step;
	for (t = now_ns + step; t <= end; t += step) {
		o2 = smooth_offset(s, t, &r2, &a);
		ck_assert_msg(fabs(r2) <= top, "rate %g above %g at %g s",
		    r2, top, (double)(t - now_ns) / S);
		ck_assert_msg(fabs(r2 - r) <= s->max_wander * dt * (1 +
		    1e-9) + 1e-15, "rate changed %g in %g s", r2 - r, dt);
		/* between the rates at either end: the integral of a ramp */
		ck_assert_msg(fabs(o2 - o - (r + r2) / 2.0 * dt) <=
		    s->max_wander * dt * dt / 4.0 + 1e-12,
		    "offset jumped at %g s", (double)(t - now_ns) / S);
		o = o2;
		r = r2;
	}
	ck_assert_msg(fabs(o) < 1e-9, "offset %g left", o);
	ck_assert_msg(fabs(r) < 1e-12, "rate %g left", r);
	ck_assert(smooth_remaining(s, end) == 0.0);
	return left;
}

START_TEST(test_smooth_disabled)
{
	struct smooth	 s;

	smooth_init(&s, 0.0, 0.001, 0);
	ck_assert(!smooth_enabled(&s));
	smooth_correct(&s, 10 * S, 1.0, 0.0, 0.0);
	ck_assert_double_eq(smooth_offset(&s, 20 * S, NULL, NULL), 0.0);
	smooth_init(&s, 400.0, NAN, 0);
	ck_assert(!smooth_enabled(&s));
}
END_TEST

/* Locked while the skew is large; the unlocking correction is served. */
START_TEST(test_smooth_unlocks_on_a_small_skew)
{
	struct smooth	 s;

	smooth_init(&s, 400.0, 0.001, 0);
	ck_assert(smooth_enabled(&s));
	/* 100 ppm / 1e-9 per s = 1e5 s: locked */
	smooth_correct(&s, 100 * S, 0.5, 3.0, 100.0);
	ck_assert(!s.active);
	ck_assert_double_eq(smooth_offset(&s, 200 * S, NULL, NULL), 0.0);
	smooth_correct(&s, 300 * S, 0.5, 3.0, 1.0);
	ck_assert(s.active);
	ck_assert_double_eq(smooth_offset(&s, 400 * S, NULL, NULL), 0.0);
	/* from now on the clock's corrections are hidden, then undone */
	smooth_correct(&s, 500 * S, 0.25, 0.0, 1.0);
	ck_assert_double_eq_tol(smooth_offset(&s, 500 * S, NULL, NULL), 0.25,
	    1e-12);
}
END_TEST

/*
 * 1 s at 400 ppm and 0.001 ppm/s (chrony's example for ntpd clients): the
 * rate peaks at sqrt(1e-9 * 1) = 31.6 ppm and the offset is gone in
 * 2 * 31.6e-6 / 1e-9 = 63246 s.
 */
START_TEST(test_smooth_one_second)
{
	struct smooth	 s;
	double		 took;

	smooth_init(&s, 400.0, 0.001, 0);
	smooth_correct(&s, 0, 0.0, 0.0, 0.0);
	smooth_correct(&s, 10 * S, 1.0, 0.0, 0.0);
	took = follow(&s, 10 * S);
	ck_assert_double_eq_tol(took, 2.0 * sqrt(1e-9) / 1e-9, 1.0);
	ck_assert_double_eq_tol(smooth_offset(&s, 10 * S + (int64_t)(took /
	    2.0 * S), NULL, NULL), 0.5, 1e-6);
}
END_TEST

/* 10 s at 2000 ppm and 1 ppm/s: the rate is held at 2000 ppm. */
START_TEST(test_smooth_rate_held_at_max_freq)
{
	struct smooth	 s;
	double		 took, r;

	smooth_init(&s, 2000.0, 1.0, 0);
	smooth_correct(&s, 0, 0.0, 0.0, 0.0);
	smooth_correct(&s, 0, -10.0, 0.0, 0.0);
	(void)smooth_offset(&s, 2500 * S, &r, NULL);
	ck_assert_double_eq_tol(r, 2e-3, 1e-12);
	took = follow(&s, 0);
	/* 2 s ramping each way, 10 - 2e-3^2 / 1e-6 = 6 s at the top */
	ck_assert_double_eq_tol(took, 2.0 * 2e-3 / 1e-6 +
	    (10.0 - 4.0) / 2e-3, 1e-6);

	/*
	 * 10 s behind, served about 1000 ppm fast already (toward zero):
	 * braked to 400 ppm (about 600 s, 0.42 s), held, and braked to rest
	 * (400 s, 0.08 s): about 9.5 s at 400 ppm in between.
	 */
	smooth_init(&s, 400.0, 1.0, 0);
	smooth_correct(&s, 0, 0.0, 0.0, 0.0);
	smooth_correct(&s, 0, -10.0, 1000.0, 0.0);
	took = follow(&s, 0);
	r = 1e-3 / (1.0 - 1e-3);	/* the served rate kept */
	ck_assert_double_eq_tol(took, (r - 4e-4) / 1e-6 +
	    (10.0 - r * r / 2e-6) / 4e-4 + 4e-4 / 1e-6, 1e-6);
}
END_TEST

/*
 * Frequency corrections: the served rate does not change at once; one
 * faster than max_freq is braked to it first.  A correction midway the
 * other way is taken from where the offset stands.
 */
START_TEST(test_smooth_frequency_and_midway)
{
	struct smooth	 s;
	double		 r;

	smooth_init(&s, 400.0, 0.01, 0);
	smooth_correct(&s, 0, 0.0, 0.0, 0.0);
	smooth_correct(&s, 0, 0.0, 5.0, 0.0);
	ck_assert_double_eq_tol(smooth_offset(&s, 0, &r, NULL), 0.0, 1e-15);
	/* served rate kept: (1 + 0) / (1 - 5e-6) - 1 */
	ck_assert_double_eq_tol(r, 5e-6 / (1.0 - 5e-6), 1e-18);
	(void)follow(&s, 0);
	smooth_correct(&s, 100 * S, 0.0, 1000.0, 0.0);
	(void)follow(&s, 100 * S);
	smooth_correct(&s, 200 * S, 0.3, 0.0, 0.0);
	smooth_correct(&s, 5000 * S, -0.6, -2.0, 0.0);
	(void)follow(&s, 5000 * S);
	smooth_correct(&s, 6000 * S, 1e-12, 0.0, 0.0);
	(void)follow(&s, 6000 * S);
}
END_TEST

/* leaponly: unlocked by the first correction, and none is smoothed. */
START_TEST(test_smooth_leaponly)
{
	struct smooth	 s;

	smooth_init(&s, 400.0, 0.001, 1);
	ck_assert(smooth_enabled(&s));
	smooth_correct(&s, 10 * S, 0.5, 3.0, 100.0);
	ck_assert(s.active);
	smooth_correct(&s, 20 * S, 0.5, 3.0, 0.0);
	ck_assert_double_eq(smooth_offset(&s, 30 * S, NULL, NULL), 0.0);
	ck_assert_double_eq(smooth_remaining(&s, 30 * S), 0.0);
	/* a leap second the engine slews: hidden, then taken back slowly */
	smooth_leap(&s, 40 * S, 1);
	ck_assert_double_eq_tol(smooth_offset(&s, 40 * S, NULL, NULL), 1.0,
	    1e-12);
	ck_assert_double_eq_tol(follow(&s, 40 * S), 2.0 * sqrt(1e-9) / 1e-9,
	    1.0);
}
END_TEST

/*
 * Not leaponly: a slewed leap second is hidden as a correction is, once
 * smoothing is active; before, and without smoothtime, it is not.
 */
START_TEST(test_smooth_leap)
{
	struct smooth	 s;

	smooth_init(&s, 400.0, 0.001, 0);
	smooth_leap(&s, 0, 1);
	ck_assert_double_eq(smooth_offset(&s, 0, NULL, NULL), 0.0);
	smooth_correct(&s, 0, 0.0, 0.0, 0.0);		/* unlocks */
	smooth_leap(&s, 10 * S, -1);
	ck_assert_double_eq_tol(smooth_offset(&s, 10 * S, NULL, NULL), -1.0,
	    1e-12);
	(void)follow(&s, 10 * S);
	smooth_init(&s, 0.0, 0.0, 0);
	smooth_leap(&s, 0, 1);
	ck_assert_double_eq(smooth_offset(&s, 0, NULL, NULL), 0.0);
}
END_TEST

START_TEST(test_smooth_reset)
{
	struct smooth	 s;

	smooth_init(&s, 400.0, 0.001, 0);
	smooth_correct(&s, 0, 0.0, 0.0, 0.0);
	smooth_correct(&s, 0, 1.0, 0.0, 0.0);
	ck_assert(smooth_remaining(&s, 10 * S) > 0.0);
	smooth_reset(&s, 10 * S);
	ck_assert_double_eq(smooth_offset(&s, 20 * S, NULL, NULL), 0.0);
	ck_assert_double_eq(smooth_remaining(&s, 10 * S), 0.0);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("smooth");
	TCase	*tc = tcase_create("smooth");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_smooth_disabled);
	tcase_add_test(tc, test_smooth_unlocks_on_a_small_skew);
	tcase_add_test(tc, test_smooth_one_second);
	tcase_add_test(tc, test_smooth_rate_held_at_max_freq);
	tcase_add_test(tc, test_smooth_frequency_and_midway);
	tcase_add_test(tc, test_smooth_leaponly);
	tcase_add_test(tc, test_smooth_leap);
	tcase_add_test(tc, test_smooth_reset);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
