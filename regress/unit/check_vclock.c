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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vclock.h"

#define S	1000000000LL	/* one second in ns */

START_TEST(test_vclock_offset_and_frequency)
{
	struct vclock	 vc;

	vclock_init(&vc, 100 * S, 0.3, 40.0);
	ck_assert_double_eq_tol(vclock_offset(&vc, 100 * S), 0.3, 1e-12);
	/* 40 ppm fast: 40 us ahead more after one second */
	ck_assert_double_eq_tol(vclock_offset(&vc, 101 * S), 0.3 + 40e-6,
	    1e-12);
	ck_assert_double_eq_tol(vclock_offset(&vc, 1100 * S), 0.3 + 0.04,
	    1e-9);
}
END_TEST

/* The compensation scales the rate, as the kernel's: err / (1 + err). */
START_TEST(test_vclock_compensated_frequency_holds_offset)
{
	struct vclock	 vc;

	vclock_init(&vc, 0, -0.5, -12.5);
	vclock_set_freq(&vc, 10 * S, -12.5 / (1.0 - 12.5e-6));
	ck_assert_double_eq_tol(vclock_offset(&vc, 10 * S),
	    -0.5 - 12.5e-6 * 10, 1e-12);
	ck_assert_double_eq_tol(vclock_offset(&vc, 86400 * S),
	    vclock_offset(&vc, 10 * S), 1e-9);
	/* 5% fast: 47619 ppm holds it, 50000 runs it 0.25% slow */
	vclock_init(&vc, 0, 0.0, 50000.0);
	vclock_set_freq(&vc, 0, 50000.0 / 1.05);
	ck_assert_double_eq_tol(vclock_offset(&vc, 1000 * S), 0.0, 1e-9);
	vclock_set_freq(&vc, 1000 * S, 50000.0);
	ck_assert_double_eq_tol(vclock_offset(&vc, 2000 * S), -2.5, 1e-9);
}
END_TEST

START_TEST(test_vclock_slew_removes_offset_at_rate)
{
	struct vclock	 vc;

	vclock_init(&vc, 0, 0.001, 0.0);
	vclock_slew(&vc, 0, 0.001, 500.0);	/* 2 s at 500 ppm */
	ck_assert_double_eq_tol(vclock_offset(&vc, 1 * S), 0.0005, 1e-12);
	ck_assert_double_eq_tol(vclock_slew_left(&vc, 1 * S), 0.0005, 1e-12);
	ck_assert_double_eq_tol(vclock_offset(&vc, 2 * S), 0.0, 1e-12);
	ck_assert_double_eq_tol(vclock_offset(&vc, 5 * S), 0.0, 1e-12);
	ck_assert(vclock_slew_left(&vc, 5 * S) == 0.0);
}
END_TEST

START_TEST(test_vclock_negative_slew)
{
	struct vclock	 vc;

	vclock_init(&vc, 0, -0.002, 0.0);
	vclock_slew(&vc, 0, -0.002, 1000.0);
	ck_assert_double_eq_tol(vclock_offset(&vc, S), -0.001, 1e-12);
	vclock_advance(&vc, S);
	ck_assert_double_eq_tol(vc.slew_left_s, -0.001, 1e-12);
	ck_assert_double_eq_tol(vclock_offset(&vc, 3 * S), 0.0, 1e-12);
}
END_TEST

START_TEST(test_vclock_new_slew_replaces_old)
{
	struct vclock	 vc;

	vclock_init(&vc, 0, 0.01, 0.0);
	vclock_slew(&vc, 0, 0.01, 1000.0);
	/* after 1 s, 0.009 left; the engine asks for 0.004 only */
	vclock_slew(&vc, S, 0.004, 1000.0);
	ck_assert_double_eq_tol(vclock_slew_left(&vc, S), 0.004, 1e-12);
	ck_assert_double_eq_tol(vclock_offset(&vc, 10 * S), 0.009 - 0.004,
	    1e-12);
}
END_TEST

START_TEST(test_vclock_step_cancels_slew)
{
	struct vclock	 vc;

	vclock_init(&vc, 0, 1.5, 0.0);
	vclock_slew(&vc, 0, 1.5, 1000.0);
	vclock_step(&vc, S, 1.499);
	ck_assert(vclock_slew_left(&vc, 2 * S) == 0.0);
	ck_assert_double_eq_tol(vclock_offset(&vc, 2 * S), 1.5 - 0.001 - 1.499,
	    1e-12);
}
END_TEST

START_TEST(test_vclock_random_operations_stay_consistent)
{
	struct vclock	 vc;
	unsigned int	 seed = getenv("TIMED_TEST_SEED") != NULL ?
	    (unsigned)strtoul(getenv("TIMED_TEST_SEED"), NULL, 10) : 12345;
	int64_t		 t = 0;
	double		 before;
	int		 i;

	printf("test_vclock_random_operations_stay_consistent: seed %u\n",
	    seed);
	srandom(seed);
	vclock_init(&vc, 0, 0.0, 10.0);
	for (i = 0; i < 10000; i++) {
		t += random() % (10 * S);
		before = vclock_offset(&vc, t);
		/* advancing the state never changes what it predicts */
		vclock_advance(&vc, t);
		ck_assert_double_eq_tol(vclock_offset(&vc, t), before, 1e-9);
		if (random() % 2)
			vclock_slew(&vc, t, (random() % 2000 - 1000) * 1e-6,
			    1 + random() % 1000);
		else
			vclock_set_freq(&vc, t, (random() % 200 - 100) * 0.1);
		ck_assert_double_eq_tol(vclock_offset(&vc, t), before, 1e-9);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("vclock");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_vclock_offset_and_frequency);
	tcase_add_test(tc, test_vclock_compensated_frequency_holds_offset);
	tcase_add_test(tc, test_vclock_slew_removes_offset_at_rate);
	tcase_add_test(tc, test_vclock_negative_slew);
	tcase_add_test(tc, test_vclock_new_slew_replaces_old);
	tcase_add_test(tc, test_vclock_step_cancels_slew);
	tcase_add_test(tc, test_vclock_random_operations_stay_consistent);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
