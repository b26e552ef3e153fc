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
 * The clock backends.  The kernel backend runs against a fake system
 * call table: nothing here can change this machine's clock.
 */

#include <sys/timex.h>
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#define S	1000000000LL

static struct {
	struct timex	 kernel;	/* what the fake kernel holds */
	struct timex	 last;		/* the last call's argument */
	struct timex	 step;		/* the last ADJ_SETOFFSET call's */
	int		 calls, writes;
	long		 min_tick, max_tick;	/* of every ADJ_TICK asked */
} fake;

static int
fake_adjtime(clockid_t id, struct timex *tx)
{
	ck_assert_int_eq(id, CLOCK_REALTIME);
	fake.calls++;
	fake.last = *tx;
	if (tx->modes != 0)
		fake.writes++;
	if (tx->modes & ADJ_TICK) {
		if (fake.min_tick == 0 || tx->tick < fake.min_tick)
			fake.min_tick = tx->tick;
		if (tx->tick > fake.max_tick)
			fake.max_tick = tx->tick;
		/* USER_HZ 100: the kernel's range, or EINVAL */
		if (tx->tick < 9000 || tx->tick > 11000) {
			errno = EINVAL;
			return -1;
		}
	}
	if (tx->modes & ADJ_SETOFFSET)
		fake.step = *tx;
	if (tx->modes & ADJ_TICK)
		fake.kernel.tick = tx->tick;
	if (tx->modes & ADJ_FREQUENCY)
		fake.kernel.freq = tx->freq;
	if (tx->modes & ADJ_STATUS)
		fake.kernel.status = tx->status;
	if (tx->modes & ADJ_MAXERROR)
		fake.kernel.maxerror = tx->maxerror;
	if (tx->modes & ADJ_ESTERROR)
		fake.kernel.esterror = tx->esterror;
	*tx = fake.kernel;
	return TIME_OK;
}

static const struct kclock_sys	fake_sys = { fake_adjtime };

static void
reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.kernel.tick = 10000;
	fake.kernel.status = STA_UNSYNC;
}

/* The kernel's total rate correction in ppm (+ speeds the clock up). */
static double
kernel_rate_ppm(void)
{
	return (fake.kernel.tick - 10000) * 100.0 + fake.kernel.freq / 65536.0;
}

START_TEST(test_clock_kernel_starts_read_only)
{
	struct clock	*c;

	reset();
	fake.kernel.freq = -10 * 65536;		/* slowed by 10 ppm */
	c = clock_new_kernel(&fake_sys, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(fake.writes, 0);
	ck_assert_int_eq(fake.last.modes, 0);
	/* compensating a clock that runs 10 ppm fast */
	ck_assert_double_eq_tol(clock_freq(c), 10.0, 1e-9);
	clock_free(c);
}
END_TEST

START_TEST(test_clock_kernel_frequency)
{
	struct clock	*c;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	ck_assert_int_eq(clock_set_freq(c, 0, 20.0), 0);
	ck_assert_int_eq(fake.kernel.tick, 10000);
	ck_assert_double_eq_tol(kernel_rate_ppm(), -20.0, 1e-4);
	ck_assert_int_eq(clock_set_freq(c, 0, -333.25), 0);
	ck_assert_double_eq_tol(kernel_rate_ppm(), 333.25, 1e-4);
	clock_free(c);
}
END_TEST

START_TEST(test_clock_kernel_fast_slew_uses_tick)
{
	struct clock		*c;
	struct clock_state	 st;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	clock_set_freq(c, 0, 20.0);
	/*
	 * 0.1 s ahead, removed at 5000 ppm of true time, as chronyd's: 20
	 * true seconds, by slowing the clock, whose own time runs 0.5%
	 * slower: 19.9 s of it, at 5000 / 0.995 ppm.  The kernel runs the
	 * clock at (1 - 20e-6)(1 - 5000e-6) of its compensated rate.
	 */
	ck_assert_int_eq(clock_slew(c, 0, 0.1, 5000.0), 0);
	ck_assert_int_eq(fake.kernel.tick, 9950);
	ck_assert_double_eq_tol(kernel_rate_ppm(),
	    ((1.0 - 20e-6) * (1.0 - 5000e-6) - 1.0) * 1e6, 1e-4);
	ck_assert(fabs(fake.kernel.freq / 65536.0) <= 50.0);
	ck_assert(llabs(clock_slew_end(c) - 19900 * S / 1000) <= 1);
	clock_state(c, 10 * S, &st);
	ck_assert_double_eq_tol(st.slew_left_s, 0.1 - 10.0 * 5000e-6 / 0.995,
	    1e-9);
	/* over: back to the frequency alone */
	ck_assert_int_eq(clock_tick(c, clock_slew_end(c)), 0);
	ck_assert_int_eq(clock_slew_end(c), 0);
	ck_assert_double_eq_tol(kernel_rate_ppm(), -20.0, 1e-4);
	/* behind: sped up, (1 - 20e-6)(1 + 5000e-6) */
	ck_assert_int_eq(clock_slew(c, 20 * S, -0.1, 5000.0), 0);
	ck_assert_double_eq_tol(kernel_rate_ppm(),
	    ((1.0 - 20e-6) * (1.0 + 5000e-6) - 1.0) * 1e6, 1e-4);
	ck_assert(llabs(clock_slew_end(c) - (20 * S + 20100 * S / 1000)) <=
	    1);
	clock_free(c);
}
END_TEST

/*
 * The timer that ends a slew fires late: the kernel went on slewing
 * until then, and the excess is taken back, over 1 s, the other way.
 */
START_TEST(test_clock_kernel_late_timer_taken_back)
{
	struct clock		*c;
	struct clock_state	 st;
	int64_t			 end;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	/* 20 us ahead at 20000 ppm: 1 ms of true time, 0.98 ms of the
	 * clock's, whose time the slew slows by 2% */
	ck_assert_int_eq(clock_slew(c, 0, 20e-6, 20000.0), 0);
	ck_assert_int_eq(end = clock_slew_end(c), 980 * S / 1000000);
	/* as late again: 20 us more were removed than asked */
	ck_assert_double_eq_tol(clock_slew_left(c, 2 * end), -20e-6, 1e-12);
	ck_assert_int_eq(clock_tick(c, 2 * end), 0);
	clock_state(c, 2 * end, &st);
	ck_assert_double_eq_tol(st.slew_left_s, -20e-6, 1e-12);
	/* sped up by 20 ppm of true time for 1 s, not at 20000 ppm */
	ck_assert_double_eq_tol(kernel_rate_ppm(), 20.0, 1e-4);
	ck_assert(llabs(clock_slew_end(c) - (2 * end + S + 20 * S /
	    1000000)) <= 1);
	/* on time: nothing left, nothing more to take back */
	ck_assert_int_eq(clock_tick(c, clock_slew_end(c)), 0);
	ck_assert_int_eq(clock_slew_end(c), 0);
	ck_assert(clock_slew_left(c, 2 * end + 2 * S) == 0.0);
	ck_assert_double_eq_tol(kernel_rate_ppm(), 0.0, 1e-4);
	/* what is left counts the excess before the tick, for the monitor
	 * to add a new correction to: 1 ms ahead at 1000 ppm, 1000 / 0.999
	 * of the clock's time, ticked 1.001 s late */
	ck_assert_int_eq(clock_slew(c, 3 * S, 1e-3, 1000.0), 0);
	ck_assert_double_eq_tol(clock_slew_left(c, 5 * S),
	    1e-3 - 2.0 * 1e-3 / 0.999, 1e-12);
	ck_assert_int_eq(clock_tick(c, 5 * S), 0);
	ck_assert_double_eq_tol(clock_slew_left(c, 5 * S),
	    1e-3 - 2.0 * 1e-3 / 0.999, 1e-12);
	/* taken back at 1000 ppm of true time, 1000 / 1.001 of the clock's */
	ck_assert_double_eq_tol(clock_slew_left(c, 5 * S + S / 2),
	    1e-3 - 2.0 * 1e-3 / 0.999 + 0.5 * 1e-3 / 1.001, 1e-12);
	clock_free(c);
}
END_TEST

/*
 * A frequency of 99000 ppm (the clock 9.9% fast) leaves 1000 ppm of the
 * tick's range to slow it further: a slew at maxslewrate goes that fast
 * and no faster, and ends when that rate makes it end; the other way it
 * goes at the rate asked.  The kernel is never asked for a tick beyond
 * 9000..11000 us, which it would refuse.
 */
START_TEST(test_clock_kernel_slew_within_tick_range)
{
	struct clock		*c;
	struct clock_state	 st;
	double			 r;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	ck_assert_int_eq(clock_set_freq(c, 0, 99000.0), 0);
	ck_assert_int_eq(fake.kernel.tick, 9010);
	/* ahead 1 s: slowed by 1000 ppm of true time at most */
	ck_assert_int_eq(clock_slew(c, 0, 1.0, 83333.333), 0);
	ck_assert(kernel_rate_ppm() >= -100000.0 - 1e-3);
	ck_assert(kernel_rate_ppm() < -99800.0);
	clock_state(c, 0, &st);
	r = st.model.slew_rate_ppm;
	ck_assert_double_eq_tol(r, 1000.0, 1e-6);
	ck_assert(llabs(clock_slew_end(c) - llround(1.0 / (r * 1e-6) * 1e9))
	    <= 1);
	ck_assert_double_eq_tol(clock_slew_left(c, 100 * S), 1.0 - r * 1e-4,
	    1e-9);
	/* behind: sped up at the rate asked, room enough */
	ck_assert_int_eq(clock_slew(c, 100 * S, -1.0, 83333.333), 0);
	ck_assert_double_eq_tol(kernel_rate_ppm(),
	    ((1.0 - 0.099) * (1.0 + 0.083333333) - 1.0) * 1e6, 1e-2);
	/* the compensation turns the other way under that slew: the slew
	 * slows down to the room left, its end moves */
	ck_assert_int_eq(clock_set_freq(c, 101 * S, -99000.0), 0);
	ck_assert(kernel_rate_ppm() <= 100000.0 + 1e-3);
	ck_assert(kernel_rate_ppm() > 99900.0);
	ck_assert(clock_slew_end(c) > 101 * S + 900 * S);
	/* at the very edge: no room at all that way, the other way all */
	ck_assert_int_eq(clock_set_freq(c, 102 * S, -100000.0), 0);
	ck_assert_int_eq(fake.kernel.tick, 11000);
	ck_assert_int_eq(clock_slew_end(c), 0);
	ck_assert_int_eq(clock_slew(c, 103 * S, 1.0, 83333.333), 0);
	ck_assert_double_eq_tol(kernel_rate_ppm(),
	    ((1.0 + 0.1) * (1.0 - 0.083333333) - 1.0) * 1e6, 1e-2);
	ck_assert_int_ge(fake.min_tick, 9000);
	ck_assert_int_le(fake.max_tick, 11000);
	clock_free(c);
}
END_TEST

/*
 * maxslewrate is per true second, as chronyd's: at 83333.333 ppm a second
 * goes in 12 s either way, which is 11 s of a clock so slowed and 13 s of
 * one so sped up (a leapsecmode slew, chrony's 113-leapsecond).
 */
START_TEST(test_clock_kernel_slew_rate_true_time)
{
	struct clock	*c;
	double		 r = 83333.333e-6;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	ck_assert_int_eq(clock_slew(c, 0, 1.0, r * 1e6), 0);
	ck_assert(llabs(clock_slew_end(c) - llround((1.0 - r) / r * 1e9)) <=
	    1);
	ck_assert_double_eq_tol(kernel_rate_ppm(), -r * 1e6, 1e-3);
	ck_assert_int_eq(clock_tick(c, clock_slew_end(c)), 0);
	ck_assert_int_eq(clock_slew(c, 20 * S, -1.0, r * 1e6), 0);
	ck_assert(llabs(clock_slew_end(c) - 20 * S - llround((1.0 + r) / r *
	    1e9)) <= 1);
	ck_assert_double_eq_tol(kernel_rate_ppm(), r * 1e6, 1e-3);
	clock_free(c);
}
END_TEST

START_TEST(test_clock_kernel_step_is_relative)
{
	struct clock	*c;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	/* 0.5 s ahead: add -0.5 s */
	ck_assert_int_eq(clock_step(c, 0, 0.5), 0);
	ck_assert(fake.step.modes & ADJ_SETOFFSET);
	ck_assert(fake.step.modes & ADJ_NANO);
	ck_assert_int_eq(fake.step.time.tv_sec, -1);
	ck_assert_int_eq(fake.step.time.tv_usec, 500000000);
	/* 2.25 s behind: add 2.25 s */
	ck_assert_int_eq(clock_step(c, S, -2.25), 0);
	ck_assert_int_eq(fake.step.time.tv_sec, 2);
	ck_assert_int_eq(fake.step.time.tv_usec, 250000000);
	clock_free(c);
}
END_TEST

START_TEST(test_clock_kernel_leap_and_sync)
{
	struct clock	*c;

	reset();
	c = clock_new_kernel(&fake_sys, 1);
	ck_assert_int_eq(clock_set_leap(c, LEAP_INSERT), 0);
	ck_assert(fake.kernel.status & STA_INS);
	ck_assert_int_eq(clock_set_leap(c, LEAP_NORMAL), 0);
	ck_assert(!(fake.kernel.status & (STA_INS | STA_DEL)));
	ck_assert_int_eq(clock_set_sync(c, 1, 0.001, 0.01), 0);
	ck_assert(!(fake.kernel.status & STA_UNSYNC));
	ck_assert_int_eq(fake.kernel.esterror, 1000);
	ck_assert_int_eq(fake.kernel.maxerror, 10000);
	ck_assert_int_eq(clock_set_sync(c, 0, 0.001, 0.01), 0);
	ck_assert(fake.kernel.status & STA_UNSYNC);
	clock_free(c);

	/* without rtcsync the kernel's 11-minute mode stays off */
	reset();
	c = clock_new_kernel(&fake_sys, 0);
	clock_set_sync(c, 1, 0.001, 0.01);
	ck_assert(fake.kernel.status & STA_UNSYNC);
	clock_free(c);
}
END_TEST

/*
 * -x: requests change a model of the clock, as chronyd's null driver, and
 * never the kernel (the clock has no kernel interface to call).
 */
/*
 * Steps of the system clock not ours: CLOCK_REALTIME less CLOCK_MONOTONIC
 * moved.  The clock's own steps, an armed leap second the kernel made
 * (until the next look, though disarmed before it), and less than
 * CLOCK_FOREIGN_MIN_S are not.
 */
START_TEST(test_clock_foreign_step)
{
	struct clock	*c;
	int64_t		 real = 1000 * S, mono = 5 * S;

	reset();
	c = clock_new_kernel(&fake_sys, 0);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	/* a second on, both clocks slewed alike */
	ck_assert_double_eq(clock_foreign_step(c, real + S + 300,
	    mono + S), 0.0);
	real += S + 300;
	mono += S;
	/* someone's date: 100 s on */
	real += 100 * S;
	ck_assert_double_eq_tol(clock_foreign_step(c, real, mono), 100.0,
	    1e-9);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	/* a resume from suspend: the monotonic clock stood still */
	real += 3600 * S;
	ck_assert_double_eq_tol(clock_foreign_step(c, real, mono), 3600.0,
	    1e-9);
	/* our own step back of 2.5 s */
	ck_assert_int_eq(clock_step(c, real, 2.5), 0);
	real -= 2500 * (S / 1000);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	/* 5 ms is under the limit; 20 ms back is not */
	real += 5 * (S / 1000);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	real -= 20 * (S / 1000);
	ck_assert_double_eq_tol(clock_foreign_step(c, real, mono), -0.02,
	    1e-9);
	/* the kernel's inserted leap second, armed then disarmed */
	ck_assert_int_eq(clock_set_leap(c, LEAP_INSERT), 0);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	ck_assert_int_eq(clock_set_leap(c, LEAP_NORMAL), 0);
	real -= S;
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	/* once looked at, a second back is someone else's */
	real -= S;
	ck_assert_double_eq_tol(clock_foreign_step(c, real, mono), -1.0,
	    1e-9);
	clock_free(c);

	/* -x: our steps leave the system clock alone */
	c = clock_new_none(real);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	ck_assert_int_eq(clock_step(c, real, 2.5), 0);
	ck_assert_double_eq(clock_foreign_step(c, real, mono), 0.0);
	real += 7 * S;
	ck_assert_double_eq_tol(clock_foreign_step(c, real, mono), 7.0,
	    1e-9);
	clock_free(c);
}
END_TEST

START_TEST(test_clock_none_models_requests)
{
	struct clock		*c = clock_new_none(0);
	struct clock_state	 st;

	ck_assert_int_eq(clock_kind(c), CLOCK_KIND_NONE);
	ck_assert_int_eq(clock_set_freq(c, 0, 1.0), 0);
	ck_assert_int_eq(clock_set_leap(c, LEAP_INSERT), 0);
	ck_assert_int_eq(clock_set_sync(c, 1, 0.001, 0.01), 0);
	clock_state(c, 1000 * S, &st);
	ck_assert_int_eq(st.kind, CLOCK_KIND_NONE);
	/* compensating +1 ppm: the model runs 1 ppm slower than the clock */
	ck_assert_double_eq_tol(vclock_offset(&st.model, 1000 * S), -0.001,
	    1e-12);
	ck_assert_int_eq(clock_step(c, 1000 * S, -0.001), 0);
	clock_state(c, 1000 * S, &st);
	ck_assert_double_eq_tol(vclock_offset(&st.model, 1000 * S), 0.0,
	    1e-12);
	/* a slew is taken at once, as by chronyd's null driver */
	ck_assert_int_eq(clock_slew(c, 1000 * S, 0.1, 100.0), 0);
	clock_state(c, 1000 * S, &st);
	ck_assert_double_eq_tol(vclock_offset(&st.model, 1000 * S), -0.1,
	    1e-12);
	ck_assert_double_eq_tol(st.slew_left_s, 0.0, 1e-12);
	ck_assert_double_eq_tol(st.freq_ppm, 1.0, 1e-12);
	clock_free(c);
}
END_TEST

START_TEST(test_clock_virtual_follows_requests)
{
	struct clock		*c = clock_new_virtual(0, 0.3, 40.0);
	struct clock_state	 st;

	clock_state(c, 10 * S, &st);
	ck_assert_int_eq(st.kind, CLOCK_KIND_VIRTUAL);
	ck_assert_double_eq_tol(vclock_offset(&st.model, 10 * S),
	    0.3 + 400e-6, 1e-12);
	clock_set_freq(c, 10 * S, 40.0 / (1.0 + 40e-6));	/* as the kernel */
	clock_step(c, 10 * S, 0.3004);
	clock_state(c, 1000 * S, &st);
	ck_assert_double_eq_tol(vclock_offset(&st.model, 1000 * S), 0.0,
	    1e-9);
	ck_assert_double_eq_tol(st.freq_ppm, 40.0 / (1.0 + 40e-6), 1e-12);
	clock_free(c);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("clock");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_clock_kernel_starts_read_only);
	tcase_add_test(tc, test_clock_kernel_frequency);
	tcase_add_test(tc, test_clock_kernel_fast_slew_uses_tick);
	tcase_add_test(tc, test_clock_kernel_late_timer_taken_back);
	tcase_add_test(tc, test_clock_kernel_slew_within_tick_range);
	tcase_add_test(tc, test_clock_kernel_slew_rate_true_time);
	tcase_add_test(tc, test_clock_kernel_step_is_relative);
	tcase_add_test(tc, test_clock_kernel_leap_and_sync);
	tcase_add_test(tc, test_clock_foreign_step);
	tcase_add_test(tc, test_clock_none_models_requests);
	tcase_add_test(tc, test_clock_virtual_follows_requests);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
