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
#include <stdint.h>

#include "pkt.h"
#include "tsm.h"

START_TEST(test_tsm_save_then_tx)
{
	struct tsm	*m = tsm_new(64);
	uint64_t	 tx = 0;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(tsm_get_tx(m, 0x1234, &tx), -1);	/* not held */
	tsm_save(m, 0x1234);
	ck_assert_int_eq(tsm_get_tx(m, 0x1234, &tx), -1);	/* tx unknown */
	ck_assert_int_eq(tsm_set_tx(m, 0x1234, 0x5678), 0);
	ck_assert_int_eq(tsm_get_tx(m, 0x1234, &tx), 0);
	ck_assert(tx == 0x5678);
	/* a transmit time for an answer never saved is refused */
	ck_assert_int_eq(tsm_set_tx(m, 0x9999, 1), -1);
	ck_assert_int_eq(tsm_get_tx(m, 0x9999, &tx), -1);
	/* zero is never a key: a basic request's origin */
	ck_assert_int_eq(tsm_set_tx(m, 0, 1), -1);
	ck_assert_int_eq(tsm_get_tx(m, 0, &tx), -1);
	tsm_free(m);
	tsm_free(NULL);
}
END_TEST

START_TEST(test_tsm_newer_takes_the_slot)
{
	struct tsm	*m = tsm_new(1);
	uint64_t	 tx = 0;

	tsm_save(m, 100);
	tsm_set_tx(m, 100, 1);
	tsm_save(m, 200);		/* one slot: replaces 100 */
	ck_assert_int_eq(tsm_get_tx(m, 100, &tx), -1);
	ck_assert_int_eq(tsm_set_tx(m, 100, 5), -1);
	ck_assert_int_eq(tsm_set_tx(m, 200, 2), 0);
	ck_assert_int_eq(tsm_get_tx(m, 200, &tx), 0);
	ck_assert(tx == 2);
	tsm_free(m);
}
END_TEST

START_TEST(test_tsm_many_consecutive)
{
	struct tsm	*m = tsm_new(4096);
	uint64_t	 base = pkt_ts_from_ns(1700000000LL * 1000000000LL);
	uint64_t	 tx;
	int		 i, held = 0;

	/* receive timestamps of answers a microsecond apart spread well */
	for (i = 0; i < 1024; i++) {
		tsm_save(m, base + (uint64_t)i * 4295);
		tsm_set_tx(m, base + (uint64_t)i * 4295, i + 1);
	}
	for (i = 0; i < 1024; i++)
		if (tsm_get_tx(m, base + (uint64_t)i * 4295, &tx) == 0 &&
		    tx == (uint64_t)i + 1)
			held++;
	ck_assert_int_ge(held, 900);
	tsm_free(m);
}
END_TEST

/* serverstats: how many are held, and the seconds they span. */
START_TEST(test_tsm_stats)
{
	struct tsm	*m = tsm_new(64);
	uint64_t	 base = pkt_ts_from_ns(1700000000LL * 1000000000LL);
	uint64_t	 held, span;

	tsm_stats(m, &held, &span);
	ck_assert_uint_eq(held, 0);
	ck_assert_uint_eq(span, 0);
	tsm_save(m, base);
	tsm_stats(m, &held, &span);
	ck_assert_uint_eq(held, 1);
	ck_assert_uint_eq(span, 0);
	/* 7.5 s later: 7 whole seconds */
	tsm_save(m, base + (7ULL << 32) + (1ULL << 31));
	tsm_stats(m, &held, &span);
	ck_assert_uint_eq(held, 2);
	ck_assert_uint_eq(span, 7);
	tsm_free(m);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("tsm");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_tsm_save_then_tx);
	tcase_add_test(tc, test_tsm_newer_takes_the_slot);
	tcase_add_test(tc, test_tsm_many_consecutive);
	tcase_add_test(tc, test_tsm_stats);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
