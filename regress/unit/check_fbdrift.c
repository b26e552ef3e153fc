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

/* fallbackdrift: the averages, and when each is set. */

#include <check.h>
#include <math.h>

#include "fbdrift.h"

/*
 * A frequency swinging 10 ppm either way every 1000 s, updated every
 * 16 s for a day: the 2^10 s average is near the mean (0), the 2^6 s
 * one near the last minute's.
 */
START_TEST(test_fbdrift_averages)
{
	struct fbdrift	 f;
	double		 t, fr = 0.0, wait, got;

	fbdrift_init(&f, 6, 10);
	for (t = 16.0; t <= 86400.0; t += 16.0) {
		fr = 5.0 + 10.0 * sin(2.0 * M_PI * t / 1000.0);
		fbdrift_update(&f, fr, 16.0);
	}
	ck_assert_double_ge(f.secs[10], 1024.0);
	ck_assert_double_eq_tol(f.freq_ppm[10], 5.0, 2.0);
	ck_assert_double_eq_tol(f.freq_ppm[6], fr, 5.0);
	/* right after an update nothing is set; 2^6 s on, the first */
	ck_assert_int_eq(fbdrift_due(&f, 0.0, &got, &wait), 0);
	ck_assert_double_eq_tol(wait, 64.0, 1e-9);
	ck_assert_int_eq(fbdrift_due(&f, 64.0, &got, &wait), 1);
	ck_assert_double_eq_tol(got, f.freq_ppm[6], 1e-12);
	ck_assert_double_eq_tol(wait, 128.0 - 64.0, 1e-9);
	/* a timer a little early still sets it; asked again, nothing */
	ck_assert_int_eq(fbdrift_due(&f, 128.0 - 1e-4, &got, &wait), 1);
	ck_assert_double_eq_tol(got, f.freq_ppm[7], 1e-12);
	ck_assert_int_eq(fbdrift_due(&f, 130.0, &got, &wait), 0);
	ck_assert_double_eq_tol(wait, 256.0 - 130.0, 1e-9);
	/* long silent: the longest at once, then none left */
	ck_assert_int_eq(fbdrift_due(&f, 5000.0, &got, &wait), 1);
	ck_assert_double_eq_tol(got, f.freq_ppm[10], 1e-12);
	ck_assert_double_eq(wait, -1.0);
	/* an update starts over */
	fbdrift_update(&f, fr, 16.0);
	ck_assert_int_eq(fbdrift_due(&f, 64.0, &got, &wait), 1);
	ck_assert_double_eq_tol(got, f.freq_ppm[6], 1e-12);
}
END_TEST

/* An average is used only once it holds its span; odd updates skipped. */
START_TEST(test_fbdrift_full_and_skipped)
{
	struct fbdrift	 f;
	double		 wait, got;
	int		 i;

	fbdrift_init(&f, 2, 4);
	/* 8 s of updates fill 2^2 (4 s); 2^3 and 2^4 are not full */
	for (i = 0; i < 8; i++)
		fbdrift_update(&f, 10.0, 1.0);
	ck_assert_int_eq(fbdrift_due(&f, 100.0, &got, &wait), 1);
	ck_assert_double_eq_tol(got, 10.0, 1e-12);
	ck_assert_double_eq(wait, -1.0);
	/* under a second, or 4 times the interval before: left out */
	fbdrift_update(&f, 50.0, 0.5);
	ck_assert_double_eq_tol(f.freq_ppm[2], 10.0, 1e-12);
	fbdrift_update(&f, 50.0, 1.0);
	fbdrift_update(&f, 50.0, 4.5);
	ck_assert_double_eq_tol(f.freq_ppm[4], (10.0 * 4.0 + 50.0 * 0.5) /
	    4.5, 1e-9);
	/* off: nothing kept, nothing due */
	fbdrift_init(&f, 0, 10);
	fbdrift_update(&f, 10.0, 16.0);
	ck_assert_int_eq(fbdrift_due(&f, 1e6, &got, &wait), 0);
	ck_assert_double_eq(wait, -1.0);
	fbdrift_init(&f, 8, 4);
	ck_assert_int_eq(f.min, 0);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("fbdrift");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_fbdrift_averages);
	tcase_add_test(tc, test_fbdrift_full_and_skipped);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
