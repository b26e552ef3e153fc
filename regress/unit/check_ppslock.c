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
 * Unit tests of PPS locking (lib/ppslock.c): a pulse, known modulo its
 * period, completed by the offset of the clock it is locked to, or by
 * the local clock's synchronisation.
 */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "ppslock.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define S		1000000000LL
#define T0		(1700000000LL * S)

static const struct {
	const char	*what;
	int64_t		 edge_ns;
	int		 rate;
	double		 want;
} edge_rows[] = {
	{ "1 us late", T0 + 1000, 1, 1e-6 },
	{ "1 us early", T0 - 1000, 1, -1e-6 },
	{ "on the second", T0, 1, 0.0 },
	{ "half a second: the lower end", T0 + S / 2, 1, -0.5 },
	{ "just under half", T0 + S / 2 - 1, 1, 0.5 - 1e-9 },
	{ "5 Hz, 1 us after the fourth", T0 + 600001000, 5, 1e-6 },
	{ "5 Hz, 0.1 s: the lower end", T0 + S / 10, 5, -0.1 },
	{ "before the epoch", -S / 4, 1, -0.25 },
	{ "before the epoch, 1 ns late", -2 * S + 1, 1, 1e-9 },
};

START_TEST(test_ppslock_edge_offset)
{
	double	 got = ppslock_edge_offset(edge_rows[_i].edge_ns,
		     edge_rows[_i].rate);

	ck_assert_msg(fabs(got - edge_rows[_i].want) < 1e-12, "%s: %.12f",
	    edge_rows[_i].what, got);
}
END_TEST

START_TEST(test_ppslock_reduce)
{
	ck_assert(fabs(ppslock_reduce(7.0000003, 1) - 3e-7) < 1e-12);
	ck_assert(fabs(ppslock_reduce(-2.75, 1) - 0.25) < 1e-12);
	ck_assert(fabs(ppslock_reduce(0.5, 1) + 0.5) < 1e-12);
	ck_assert(fabs(ppslock_reduce(0.35, 5) + 0.05) < 1e-12);
	ck_assert(ppslock_reduce(0.0, 1) == 0.0);
}
END_TEST

#define P1	{ 1, 2, 0.0 }		/* rate 1, maxlockage 2 */
#define NOREF	{ 0, 0.0, -1.0 }	/* disp -1: pass NULL */

static const struct {
	const char		*what;
	struct ppslock_params	 p;
	double			 pulse_off, pulse_disp;
	struct ppslock_ref	 ref;		/* time: less the pulse's */
	enum ppslock_reason	 want;
	double			 offset;	/* when PPSLOCK_OK */
} lock_rows[] = {
	{ "the same second", P1, 1e-6, 1e-8, { 0, 1.2e-6, 1e-4 }, PPSLOCK_OK,
	    1e-6 },
	{ "a second ahead", P1, 1e-6, 1e-8, { 0, 1.0000012, 1e-4 },
	    PPSLOCK_OK, 1.000001 },
	{ "three seconds behind", P1, 1e-4, 1e-8, { 0, -2.9999, 1e-4 },
	    PPSLOCK_OK, -2.9999 },
	{ "the pulse's fraction, not the reference's", P1, 2e-6, 1e-8,
	    { 0, 5.15, 1e-3 }, PPSLOCK_OK, 5.000002 },
	{ "an unreduced pulse offset", P1, 7.0000003, 1e-8,
	    { 0, 3.0000001, 1e-6 }, PPSLOCK_OK, 3.0000003 },
	{ "0.35 s apart: still this second", P1, 1e-6, 1e-8,
	    { 0, 0.35, 1e-4 }, PPSLOCK_OK, 1e-6 },
	{ "0.45 s apart: which second?", P1, 1e-6, 1e-8, { 0, 0.45, 1e-4 },
	    PPSLOCK_ERR_OFFSET, 0.0 },
	{ "0.5 s apart", P1, 0.0, 1e-8, { 0, 2.5, 1e-4 }, PPSLOCK_ERR_OFFSET,
	    0.0 },
	{ "0.39 s apart, 0.02 s of dispersion", P1, 0.0, 1e-8,
	    { 0, 0.39, 0.02 }, PPSLOCK_ERR_OFFSET, 0.0 },
	{ "0.39 s apart, the pulse's 0.02 s", P1, 0.0, 0.02,
	    { 0, 0.39, 0.0 }, PPSLOCK_ERR_OFFSET, 0.0 },
	{ "0.39 s apart, 0.005 s of dispersion", P1, 0.0, 1e-8,
	    { 0, 0.39, 0.005 }, PPSLOCK_OK, 0.0 },
	{ "the reference a pulse older", P1, 1e-6, 1e-8,
	    { -S, 1e-6, 1e-4 }, PPSLOCK_OK, 1e-6 },
	{ "two pulses older: maxlockage 2", P1, 1e-6, 1e-8,
	    { -2 * S, 1e-6, 1e-4 }, PPSLOCK_ERR_AGE, 0.0 },
	{ "newer than the pulse by 2.5 s", P1, 1e-6, 1e-8,
	    { 5 * S / 2, 1e-6, 1e-4 }, PPSLOCK_ERR_AGE, 0.0 },
	{ "three pulses older, maxlockage 4", { 1, 4, 0.0 }, 1e-6, 1e-8,
	    { -3 * S, 1e-6, 1e-4 }, PPSLOCK_OK, 1e-6 },
	{ "5 Hz: the next fifth", { 5, 2, 0.0 }, 5e-7, 1e-8,
	    { 0, 0.2000005, 1e-5 }, PPSLOCK_OK, 0.2000005 },
	{ "5 Hz: 0.09 s apart is too far", { 5, 2, 0.0 }, 0.0, 1e-8,
	    { 0, 0.09, 1e-5 }, PPSLOCK_ERR_OFFSET, 0.0 },
	{ "5 Hz: a reference 0.4 s old", { 5, 2, 0.0 }, 0.0, 1e-8,
	    { -2 * S / 5, 0.0, 1e-5 }, PPSLOCK_ERR_AGE, 0.0 },
	{ "width 0.2: 0.05 s apart", { 1, 2, 0.2 }, 0.0, 1e-8,
	    { 0, 0.05, 1e-4 }, PPSLOCK_OK, 0.0 },
	{ "width 0.2: 0.15 s apart, the other edge?", { 1, 2, 0.2 }, 0.0,
	    1e-8, { 0, 0.15, 1e-4 }, PPSLOCK_ERR_EDGE, 0.0 },
	{ "no reference sample", P1, 0.0, 1e-8, NOREF, PPSLOCK_ERR_NO_REF,
	    0.0 },
	{ "NaN pulse", P1, NAN, 1e-8, { 0, 0.0, 1e-4 }, PPSLOCK_ERR_VALUE,
	    0.0 },
	{ "negative dispersion", P1, 0.0, -1e-9, { 0, 0.0, 1e-4 },
	    PPSLOCK_ERR_VALUE, 0.0 },
	{ "infinite reference", P1, 0.0, 1e-8, { 0, INFINITY, 1e-4 },
	    PPSLOCK_ERR_VALUE, 0.0 },
	{ "rate 0", { 0, 2, 0.0 }, 0.0, 1e-8, { 0, 0.0, 1e-4 },
	    PPSLOCK_ERR_VALUE, 0.0 },
	{ "maxlockage 0", { 1, 0, 0.0 }, 0.0, 1e-8, { 0, 0.0, 1e-4 },
	    PPSLOCK_ERR_VALUE, 0.0 },
	{ "width a whole period", { 1, 2, 1.0 }, 0.0, 1e-8, { 0, 0.0, 1e-4 },
	    PPSLOCK_ERR_VALUE, 0.0 },
};

START_TEST(test_ppslock_lock)
{
	struct ppslock_ref	 ref = lock_rows[_i].ref;
	enum ppslock_reason	 why;
	int64_t			 pulse = T0 + 123456789;
	double			 off;

	ref.time_ns += pulse;
	why = ppslock_lock(&lock_rows[_i].p, pulse, lock_rows[_i].pulse_off,
	    lock_rows[_i].pulse_disp, ref.disp_s == -1.0 ? NULL : &ref, &off);
	ck_assert_msg(why == lock_rows[_i].want, "%s: %s", lock_rows[_i].what,
	    ppslock_reason_name(why));
	ck_assert_msg(fabs(off - lock_rows[_i].offset) < 1e-12, "%s: %.12f",
	    lock_rows[_i].what, off);
}
END_TEST

static const struct {
	const char		*what;
	struct ppslock_params	 p;
	double			 pulse_off;
	int			 synced;
	double			 dist;
	enum ppslock_reason	 want;
	double			 offset;
} unlocked_rows[] = {
	{ "synchronised", P1, 1e-6, 1, 1e-3, PPSLOCK_OK, 1e-6 },
	{ "reduced", P1, 4.0000002, 1, 1e-3, PPSLOCK_OK, 2e-7 },
	{ "not synchronised", P1, 1e-6, 0, 1e-3, PPSLOCK_ERR_SYNC, 0.0 },
	{ "distance half a second", P1, 1e-6, 1, 0.5, PPSLOCK_ERR_SYNC, 0.0 },
	{ "5 Hz: distance 0.1 s", { 5, 2, 0.0 }, 1e-6, 1, 0.1,
	    PPSLOCK_ERR_SYNC, 0.0 },
	{ "5 Hz: distance 0.09 s", { 5, 2, 0.0 }, 1e-6, 1, 0.09, PPSLOCK_OK,
	    1e-6 },
	{ "width 0.2: distance 0.11 s", { 1, 2, 0.2 }, 1e-6, 1, 0.11,
	    PPSLOCK_ERR_EDGE, 0.0 },
	{ "width 0.2: 0.15 s off", { 1, 2, 0.2 }, 0.15, 1, 0.01,
	    PPSLOCK_ERR_EDGE, 0.0 },
	{ "width 0.2: 0.05 s off", { 1, 2, 0.2 }, 0.05, 1, 0.01, PPSLOCK_OK,
	    0.05 },
	{ "NaN distance", P1, 0.0, 1, NAN, PPSLOCK_ERR_VALUE, 0.0 },
};

START_TEST(test_ppslock_unlocked)
{
	enum ppslock_reason	 why;
	double			 off;

	why = ppslock_unlocked(&unlocked_rows[_i].p,
	    unlocked_rows[_i].pulse_off, unlocked_rows[_i].synced,
	    unlocked_rows[_i].dist, &off);
	ck_assert_msg(why == unlocked_rows[_i].want, "%s: %s",
	    unlocked_rows[_i].what, ppslock_reason_name(why));
	ck_assert_msg(fabs(off - unlocked_rows[_i].offset) < 1e-12,
	    "%s: %.12f", unlocked_rows[_i].what, off);
}
END_TEST

/*
 * A run: a GPS's NMEA time through SHM (its `offset` option applied)
 * says the local clock is 1.2 s ahead, with 20 ms of jitter; the PPS edge
 * comes 2 us late by the local clock.  Every pulse locks to the full
 * offset with the pulse's precision.
 */
START_TEST(test_ppslock_nmea_run)
{
	struct ppslock_params	 p = { 1, 2, 0.0 };
	struct ppslock_ref	 ref;
	int64_t			 pulse;
	double			 off;
	int			 i;

	for (i = 0; i < 100; i++) {
		pulse = T0 + i * S + 1200002000LL;
		ref.time_ns = pulse - S / 3;
		ref.offset_s = 1.2 + 0.02 * sin(i);
		ref.disp_s = 0.02;
		ck_assert_int_eq(ppslock_lock(&p, pulse,
		    ppslock_edge_offset(pulse, 1), 1e-7, &ref, &off),
		    PPSLOCK_OK);
		ck_assert(fabs(off - 1.200002) < 1e-9);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ppslock");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_ppslock_edge_offset, 0, NELEM(edge_rows));
	tcase_add_test(tc, test_ppslock_reduce);
	tcase_add_loop_test(tc, test_ppslock_lock, 0, NELEM(lock_rows));
	tcase_add_loop_test(tc, test_ppslock_unlocked, 0,
	    NELEM(unlocked_rows));
	tcase_add_test(tc, test_ppslock_nmea_run);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
