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
#include <stdint.h>

#include "lim.h"
#include "proto.h"

#define S	1000000000LL

static const struct lim	lim = {
	.maxslewrate_ppm = 83333.333, .makestep_set = 1,
	.makestep_threshold_s = 0.1, .makestep_limit = 3,
	.maxdrift_ppm = LIM_MAXDRIFT_PPM
};

/* maxdrift as chrony's default (500000 ppm): the clock's range limits */
static const struct {
	const char	*what;
	double		 freq_ppm;
	int		 ok;
} freq_rows[] = {
	{ "zero", 0.0, 1 },
	{ "typical", -12.345, 1 },
	{ "500 ppm", 500.001, 1 },
	{ "5% fast", 50000.0, 1 },
	{ "5% slow", -50000.0, 1 },
	{ "at the tick's +10%", 100000.0, 1 },
	{ "at the tick's -10%", -100000.0, 1 },
	{ "beyond +10%", 100000.001, 0 },
	{ "beyond -10%", -100000.5, 0 },
	{ "maxdrift's 500000", 500000.0, 0 },
	{ "NaN", NAN, 0 },
	{ "infinity", INFINITY, 0 },
	{ "-infinity", -INFINITY, 0 },
};

START_TEST(test_lim_freq)
{
	int	 ok = lim_check_freq(&lim, freq_rows[_i].freq_ppm) == NULL;

	ck_assert_msg(ok == freq_rows[_i].ok, "%s", freq_rows[_i].what);
}
END_TEST

/* A configured maxdrift below the clock's range is the limit. */
START_TEST(test_lim_freq_maxdrift)
{
	struct lim	 l = lim;

	l.maxdrift_ppm = 20000.0;
	ck_assert_ptr_null(lim_check_freq(&l, 20000.0));
	ck_assert_ptr_null(lim_check_freq(&l, -19999.9));
	ck_assert_ptr_nonnull(lim_check_freq(&l, 20000.1));
	ck_assert_ptr_nonnull(lim_check_freq(&l, -50000.0));
	ck_assert_ptr_nonnull(lim_check_drift(&l, 50000.0, 1.0));
	ck_assert_ptr_null(lim_check_drift(&l, -15000.0, 1.0));
	/* maxdrift 0: no frequency but none */
	l.maxdrift_ppm = 0.0;
	ck_assert_ptr_null(lim_check_freq(&l, 0.0));
	ck_assert_ptr_nonnull(lim_check_freq(&l, 0.001));
	/* above the range: the range */
	l.maxdrift_ppm = 300000.0;
	ck_assert_ptr_nonnull(lim_check_freq(&l, 150000.0));
	ck_assert_double_eq(lim_max_freq(300000.0), LIM_MAX_FREQ_PPM);
	ck_assert_double_eq(lim_max_freq(20000.0), 20000.0);
	ck_assert_double_eq(lim_max_freq(-1.0), 0.0);
	ck_assert_double_eq(lim_max_freq(NAN), 0.0);
}
END_TEST

static const struct {
	const char	*what;
	double		 offset_s, rate_ppm;
	int		 ok;
} slew_rows[] = {
	{ "small slew", 0.001, 500.0, 1 },
	{ "negative offset", -0.3, 83333.333, 1 },
	{ "at maxslewrate", 1.0, 83333.333, 1 },
	{ "faster than maxslewrate", 1.0, 83334.0, 0 },
	{ "zero rate", 0.1, 0.0, 0 },
	{ "negative rate", 0.1, -5.0, 0 },
	{ "NaN offset", NAN, 500.0, 0 },
	{ "NaN rate", 0.1, NAN, 0 },
	{ "infinite offset", INFINITY, 500.0, 0 },
	{ "absurd offset", 1e12, 500.0, 0 },
	/* a slew must end within LIM_MAX_SLEW_S (1e9 s) */
	{ "tiny rate (fuzz_monitor)", 1.0, 1e-300, 0 },
	{ "1 s at 2e-3 ppm: 5e8 s", 1.0, 2e-3, 1 },
	{ "1 s at 0.9e-3 ppm: longer", 1.0, 0.9e-3, 0 },
	{ "largest offset at maxslewrate", LIM_MAX_OFFSET_S, 83333.333, 0 },
	{ "zero offset at a tiny rate", 0.0, 1e-300, 1 },
};

START_TEST(test_lim_slew)
{
	int	 ok = lim_check_slew(&lim, slew_rows[_i].offset_s,
	    slew_rows[_i].rate_ppm) == NULL;

	ck_assert_msg(ok == slew_rows[_i].ok, "%s", slew_rows[_i].what);
}
END_TEST

START_TEST(test_lim_step_window)
{
	struct lim_state	 st = { 0, 0, 0 };

	ck_assert_ptr_null(lim_check_step(&lim, &st, 0.5, 10 * S));
	ck_assert_ptr_nonnull(lim_check_step(&lim, &st, 0.05, 10 * S));
	ck_assert_ptr_nonnull(lim_check_step(&lim, &st, NAN, 10 * S));
	lim_note_step(&st, 10 * S, 0);
	/* too soon after a step */
	ck_assert_ptr_nonnull(lim_check_step(&lim, &st, 0.5, 10 * S + 1));
	ck_assert_ptr_null(lim_check_step(&lim, &st, 0.5, 12 * S));
	lim_note_update(&st, 0);
	lim_note_update(&st, 0);
	/* three updates: outside "makestep 0.1 3" */
	ck_assert_ptr_nonnull(lim_check_step(&lim, &st, 0.5, 20 * S));
}
END_TEST

/*
 * A provisional update (from one sample) is not counted, but only once: an
 * engine that calls every update provisional still meets the limit.
 */
START_TEST(test_lim_step_provisional_once)
{
	struct lim		 one = { .maxslewrate_ppm = 1000,
	    .makestep_set = 1, .makestep_threshold_s = 1.0,
	    .makestep_limit = 1, .maxdrift_ppm = LIM_MAXDRIFT_PPM };
	struct lim_state	 st = { 0, 0, 0 };

	lim_note_step(&st, 10 * S, 1);
	ck_assert_uint_eq(st.updates, 0);
	ck_assert_int_eq(st.provisional, 1);
	ck_assert_ptr_null(lim_check_step(&one, &st, 3.0, 20 * S));
	lim_note_step(&st, 20 * S, 1);
	ck_assert_uint_eq(st.updates, 1);
	ck_assert_ptr_nonnull(lim_check_step(&one, &st, 3.0, 30 * S));
	lim_note_update(&st, 1);
	ck_assert_uint_eq(st.updates, 2);
	st.updates = UINT32_MAX;
	lim_note_update(&st, 0);
	ck_assert_uint_eq(st.updates, UINT32_MAX);
}
END_TEST

/* timectl makestep THRESHOLD LIMIT: the window counts from now. */
START_TEST(test_lim_set_makestep)
{
	struct lim		 l = lim;
	struct lim_state	 st = { 0, 0, 0 };
	int			 i;

	ck_assert_ptr_null(lim_check_makestep(0.0, -1));
	ck_assert_ptr_null(lim_check_makestep(1.5, 10));
	ck_assert_ptr_nonnull(lim_check_makestep(-0.1, 3));
	ck_assert_ptr_nonnull(lim_check_makestep(NAN, 3));
	ck_assert_ptr_nonnull(lim_check_makestep(INFINITY, 3));
	ck_assert_ptr_nonnull(lim_check_makestep(1.0, -2));

	for (i = 0; i < 5; i++)
		lim_note_update(&st, 0);
	/* five updates: outside "makestep 0.1 3" */
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 0.5, 20 * S));
	ck_assert_int_eq(lim_set_makestep(&l, &st, 0.2, 2), 7);
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 0.15, 20 * S));
	ck_assert_ptr_null(lim_check_step(&l, &st, 0.25, 20 * S));
	lim_note_update(&st, 0);
	lim_note_update(&st, 0);
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 0.25, 30 * S));
	ck_assert_int_eq(lim_set_makestep(&l, &st, 0.2, -1), -1);
	ck_assert_ptr_null(lim_check_step(&l, &st, 0.25, 40 * S));
	ck_assert_int_eq(lim_set_makestep(&l, &st, 0.2, 0), 7);
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 0.25, 50 * S));
	st.updates = UINT32_MAX - 1;
	ck_assert_int_eq(lim_set_makestep(&l, &st, 0.2, 5), INT32_MAX);
}
END_TEST

START_TEST(test_lim_step_always_and_never)
{
	struct lim		 always = { .maxslewrate_ppm = 1000,
	    .makestep_set = 1, .makestep_threshold_s = 1.0,
	    .makestep_limit = -1, .maxdrift_ppm = LIM_MAXDRIFT_PPM };
	struct lim		 never = { .maxslewrate_ppm = 1000,
	    .makestep_set = 0, .makestep_threshold_s = 0,
	    .makestep_limit = 0, .maxdrift_ppm = LIM_MAXDRIFT_PPM };
	struct lim_state	 st = { 1000000, 0, 0 };

	ck_assert_ptr_null(lim_check_step(&always, &st, 2.0, 5 * S));
	ck_assert_ptr_nonnull(lim_check_step(&always, &st, 0.5, 5 * S));
	ck_assert_ptr_nonnull(lim_check_step(&never, &st, 2.0, 5 * S));
}
END_TEST

/*
 * initstepslew: without makestep, the first correction of all may be a
 * step of the threshold or more, and no other: not once a correction,
 * counted or provisional, was made, nor one under the threshold.
 */
START_TEST(test_lim_step_initstepslew)
{
	struct lim		 l = { .maxslewrate_ppm = 1000,
	    .maxdrift_ppm = LIM_MAXDRIFT_PPM, .initstep_set = 1,
	    .initstep_threshold_s = 5.0 };
	struct lim_state	 st = { 0, 0, 0 };

	ck_assert_ptr_null(lim_check_step(&l, &st, 1e8, 5 * S));
	ck_assert_ptr_null(lim_check_step(&l, &st, -5.0, 5 * S));
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 4.9, 5 * S));
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, NAN, 5 * S));
	lim_note_update(&st, 1);		/* the slew of 4.9 s */
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 10.0, 6 * S));
	st.provisional = 0;
	lim_note_update(&st, 0);
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 10.0, 6 * S));
	l.initstep_set = 0;
	st.updates = 0;
	ck_assert_ptr_nonnull(lim_check_step(&l, &st, 10.0, 7 * S));
}
END_TEST

START_TEST(test_lim_drift_and_leap)
{
	ck_assert_ptr_null(lim_check_drift(&lim, -23.5, 0.01));
	ck_assert_ptr_nonnull(lim_check_drift(&lim, -23.5, -1.0));
	ck_assert_ptr_null(lim_check_drift(&lim, 47619.0, 1.0));
	ck_assert_ptr_nonnull(lim_check_drift(&lim, 1e6, 0.01));
	ck_assert_ptr_nonnull(lim_check_drift(&lim, 1.0, NAN));
	ck_assert_ptr_null(lim_check_leap(LEAP_INSERT));
	ck_assert_ptr_nonnull(lim_check_leap(LEAP_UNSYNC + 1));
	ck_assert_ptr_nonnull(lim_check_leap(-1));
	ck_assert_ptr_null(lim_check_sync(1, 1e-6, 1e-3));
	ck_assert_ptr_null(lim_check_sync(0, 0.0, 16.0));
	ck_assert_ptr_nonnull(lim_check_sync(2, 1e-6, 1e-3));
	ck_assert_ptr_nonnull(lim_check_sync(1, NAN, 1e-3));
	ck_assert_ptr_nonnull(lim_check_sync(1, 1e-6, -1.0));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("lim");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_lim_freq, 0,
	    sizeof(freq_rows) / sizeof(freq_rows[0]));
	tcase_add_loop_test(tc, test_lim_slew, 0,
	    sizeof(slew_rows) / sizeof(slew_rows[0]));
	tcase_add_test(tc, test_lim_freq_maxdrift);
	tcase_add_test(tc, test_lim_step_window);
	tcase_add_test(tc, test_lim_step_always_and_never);
	tcase_add_test(tc, test_lim_set_makestep);
	tcase_add_test(tc, test_lim_step_provisional_once);
	tcase_add_test(tc, test_lim_step_initstepslew);
	tcase_add_test(tc, test_lim_drift_and_leap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
