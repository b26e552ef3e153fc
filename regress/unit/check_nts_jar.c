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
#include <stdlib.h>
#include <string.h>

#include "nts.h"
#include "nts_jar.h"
#include "pkt.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Cookie i of length len: every byte i. */
static void
fill(struct nts_jar *j, int n, size_t len)
{
	uint8_t	 c[NTS_COOKIE_MAX];
	int	 i;

	for (i = 0; i < n; i++) {
		memset(c, i + 1, len);
		ck_assert_int_eq(nts_jar_add(j, c, len), 0);
	}
}

START_TEST(test_nts_jar_take_oldest_once)
{
	struct nts_jar	 j;
	uint8_t		 out[NTS_COOKIE_MAX];
	size_t		 len;
	int		 ph, i;

	memset(&j, 0, sizeof(j));
	fill(&j, NTS_MAX_COOKIES, 100);
	for (i = 0; i < NTS_MAX_COOKIES; i++) {
		ck_assert_int_eq(nts_jar_take(&j, out, &len, &ph), 0);
		ck_assert_uint_eq(len, 100);
		ck_assert_int_eq(out[0], i + 1);	/* oldest first */
		ck_assert_int_eq(out[99], i + 1);
		ck_assert_int_eq(j.n, NTS_MAX_COOKIES - 1 - i);
		/* after the answer: the rest, the cookie's, placeholders' */
		ck_assert_int_eq(j.n + 1 + ph, NTS_MAX_COOKIES);
	}
	ck_assert_int_eq(nts_jar_take(&j, out, &len, &ph), -1);
	for (i = 0; i < (int)sizeof(j.cookie); i++)	/* used: wiped */
		ck_assert_int_eq(((uint8_t *)j.cookie)[i], 0);
}
END_TEST

START_TEST(test_nts_jar_add_limits)
{
	struct nts_jar	 j;
	uint8_t		 c[NTS_COOKIE_MAX + 1];

	memset(&j, 0, sizeof(j));
	memset(c, 7, sizeof(c));
	ck_assert_int_eq(nts_jar_add(&j, c, 11), -1);	/* field < 16 */
	ck_assert_int_eq(nts_jar_add(&j, c, NTS_COOKIE_MAX + 1), -1);
	ck_assert_int_eq(nts_jar_add(&j, c, 12), 0);
	ck_assert_int_eq(nts_jar_add(&j, c, NTS_COOKIE_MAX), 0);
	fill(&j, NTS_MAX_COOKIES - 2, 50);
	ck_assert_int_eq(nts_jar_add(&j, c, 50), -1);	/* full */
	ck_assert_int_eq(j.n, NTS_MAX_COOKIES);
	nts_jar_clear(&j);
	ck_assert_int_eq(j.n, 0);
}
END_TEST

/* Placeholders: up to 8 cookies after the answer, the request < 1024. */
static const struct {
	const char	*what;
	int		 left;
	size_t		 len;
	int		 want;
} ph_rows[] = {
	{ "chrony's cookies, none left", 0, 100, 7 },
	{ "chrony's cookies, 3 left", 3, 100, 4 },
	{ "chrony's cookies, 7 left", 7, 100, 0 },
	{ "timed's cookies, none left", 0, 104, 7 },
	{ "long cookies: fewer fit", 0, 200, 3 },
	{ "longest cookies", 0, NTS_COOKIE_MAX, 2 },
	{ "longest cookies, 6 left", 6, NTS_COOKIE_MAX, 1 },
	{ "bad count", -1, 100, 0 },
	{ "full", NTS_MAX_COOKIES, 100, 0 },
};

START_TEST(test_nts_jar_placeholder_rows)
{
	int	 got = nts_jar_placeholders(ph_rows[_i].left, ph_rows[_i].len);
	size_t	 field = 4 + ((ph_rows[_i].len + 3) & ~(size_t)3);

	ck_assert_msg(got == ph_rows[_i].want, "%s: %d placeholders, not %d",
	    ph_rows[_i].what, got, ph_rows[_i].want);
	/* header, UID, cookie and placeholders, authenticator */
	ck_assert_msg(PKT_HDR_LEN + 36 + field * (size_t)(1 + got) + 40 <=
	    PKT_MAX_LEN, "%s: the request is too long", ph_rows[_i].what);
}
END_TEST

START_TEST(test_nts_jar_retry_backoff)
{
	ck_assert_double_eq(nts_jar_retry_s(NTS_JAR_FAIL_NET, 1), 16.0);
	ck_assert_double_eq(nts_jar_retry_s(NTS_JAR_FAIL_NET, 2), 32.0);
	ck_assert_double_eq(nts_jar_retry_s(NTS_JAR_FAIL_TLS, 1), 1024.0);
	ck_assert_double_eq(nts_jar_retry_s(NTS_JAR_FAIL_TLS, 3), 4096.0);
	ck_assert_double_eq(nts_jar_retry_s(NTS_JAR_FAIL_NET, 0), 16.0);
	ck_assert_double_eq(nts_jar_retry_s(NTS_JAR_FAIL_TLS, 1000),
	    (double)(1L << NTS_JAR_MAX_RETRY_LOG2));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("nts_jar");
	TCase	*tc = tcase_create("jar");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_nts_jar_take_oldest_once);
	tcase_add_test(tc, test_nts_jar_add_limits);
	tcase_add_loop_test(tc, test_nts_jar_placeholder_rows, 0,
	    NELEM(ph_rows));
	tcase_add_test(tc, test_nts_jar_retry_backoff);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
