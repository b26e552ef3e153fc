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
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tzif.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct leaprec {
	int64_t	 occ;		/* as in the file: leap seconds counted */
	int32_t	 corr;
};

static size_t
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return 4;
}

static size_t
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
	return 8;
}

/* One header and data block: one type "UTC", no transitions. */
static size_t
block(uint8_t *p, int version, size_t tsize, const struct leaprec *l,
    int n)
{
	size_t	 o = 0;
	int	 i;

	memcpy(p, "TZif", 4);
	p[4] = (uint8_t)version;
	memset(p + 5, 0, 15);
	o = 20;
	o += put32(p + o, 0);		/* isutcnt */
	o += put32(p + o, 0);		/* isstdcnt */
	o += put32(p + o, (uint32_t)n);	/* leapcnt */
	o += put32(p + o, 0);		/* timecnt */
	o += put32(p + o, 1);		/* typecnt */
	o += put32(p + o, 4);		/* charcnt */
	memset(p + o, 0, 6);		/* utoff 0, isdst 0, desigidx 0 */
	o += 6;
	memcpy(p + o, "UTC", 4);
	o += 4;
	for (i = 0; i < n; i++) {
		if (tsize == 8)
			o += put64(p + o, (uint64_t)l[i].occ);
		else
			o += put32(p + o, (uint32_t)l[i].occ);
		o += put32(p + o, (uint32_t)l[i].corr);
	}
	return o;
}

/* A TZif of the given version (0 or '2'..) holding the leap records. */
static size_t
make_tzif(uint8_t *buf, int version, const struct leaprec *l, int n)
{
	size_t	 o;

	o = block(buf, version, 4, l, n);
	if (version != 0) {
		o += block(buf + o, version, 8, l, n);
		memcpy(buf + o, "\nUTC0\n", 6);
		o += 6;
	}
	return o;
}

/* 1972's two, and the one that ended 2016, as right/UTC has them. */
static const struct leaprec three[] = {
	{ 78796800, 1 }, { 94694401, 2 }, { 1483228826, 27 },
};

START_TEST(test_tzif_leaps_versions)
{
	static const int	 versions[] = { 0, '2', '3', '4' };
	uint8_t			 buf[1024];
	struct tzif_leap	 t[TZIF_MAX_LEAPS];
	size_t			 len;
	int			 n, v;

	for (v = 0; v < (int)NELEM(versions); v++) {
		len = make_tzif(buf, versions[v], three, 3);
		ck_assert_int_eq(tzif_leaps(buf, len, t, TZIF_MAX_LEAPS, &n),
		    0);
		ck_assert_int_eq(n, 2);		/* 2 -> 27: not one leap */
		ck_assert_int_eq(t[0].utc_s, 78796800);	/* 1972-07-01 */
		ck_assert_int_eq(t[0].step, 1);
		ck_assert_int_eq(t[1].utc_s, 94694400);	/* 1973-01-01 */
		ck_assert_int_eq(t[1].step, 1);
	}
}
END_TEST

START_TEST(test_tzif_leaps_delete_and_expiry)
{
	static const struct leaprec	 l[] = {
		{ 1000000000, 1 },	/* inserted */
		{ 1100000001, 0 },	/* deleted */
		{ 1200000000, 0 },	/* expiry: no change */
	};
	uint8_t				 buf[1024];
	struct tzif_leap		 t[4];
	int				 n;

	ck_assert_int_eq(tzif_leaps(buf, make_tzif(buf, '4', l, 3), t, 4,
	    &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(t[1].utc_s, 1100000000);
	ck_assert_int_eq(t[1].step, -1);
}
END_TEST

START_TEST(test_tzif_leaps_keeps_newest)
{
	uint8_t			 buf[1024];
	struct tzif_leap	 t[2];
	int			 n;

	ck_assert_int_eq(tzif_leaps(buf, make_tzif(buf, '2', three, 3), t,
	    1, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(t[0].utc_s, 94694400);
}
END_TEST

START_TEST(test_tzif_leaps_malformed)
{
	uint8_t			 buf[1024], bad[1024];
	struct tzif_leap	 t[TZIF_MAX_LEAPS];
	size_t			 len, cut;
	int			 n;

	len = make_tzif(buf, '2', three, 3);
	/* every truncation before the leap records end is refused */
	for (cut = 0; cut < len - 6; cut++)
		ck_assert_msg(tzif_leaps(buf, cut, t, TZIF_MAX_LEAPS, &n) ==
		    -1 && n == 0, "truncated to %zu", cut);
	memcpy(bad, buf, len);
	bad[0] = 'X';
	ck_assert_int_eq(tzif_leaps(bad, len, t, TZIF_MAX_LEAPS, &n), -1);
	memcpy(bad, buf, len);
	bad[4] = '1';			/* no such version */
	ck_assert_int_eq(tzif_leaps(bad, len, t, TZIF_MAX_LEAPS, &n), -1);
	memcpy(bad, buf, len);
	put32(bad + 28, 0xffffffff);	/* leapcnt absurd */
	ck_assert_int_eq(tzif_leaps(bad, len, t, TZIF_MAX_LEAPS, &n), -1);
	memcpy(bad, buf, len);
	put32(bad + 36, 0);		/* no type */
	ck_assert_int_eq(tzif_leaps(bad, len, t, TZIF_MAX_LEAPS, &n), -1);
}
END_TEST

START_TEST(test_tzif_leap_today)
{
	static const struct tzif_leap	 t[] = {
		{ 1483228800, 1, 0 },		/* end of 2016-12-31 */
		{ 1500000000 + 86400 * 10, -1, 0 },
	};

	ck_assert_int_eq(tzif_leap_today(t, 2, 1483228800 - 86400), 1);
	ck_assert_int_eq(tzif_leap_today(t, 2, 1483228799), 1);
	ck_assert_int_eq(tzif_leap_today(t, 2, 1483228800 - 86401), 0);
	ck_assert_int_eq(tzif_leap_today(t, 2, 1483228800), 0);
	ck_assert_int_eq(tzif_leap_today(t, 2, 1500000000 + 86400 * 9), -1);
	ck_assert_int_eq(tzif_leap_today(t, 0, 1483228799), 0);
}
END_TEST

/* The system's right/UTC, when tzdata has it: 27 leaps, the last 2016's. */
START_TEST(test_tzif_system_right_utc)
{
	static uint8_t		 buf[65536];
	struct tzif_leap	 t[TZIF_MAX_LEAPS];
	ssize_t			 len;
	int			 fd, n;

	if ((fd = open("/usr/share/zoneinfo/right/UTC", O_RDONLY)) == -1)
		return;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(tzif_leaps(buf, (size_t)len, t, TZIF_MAX_LEAPS, &n),
	    0);
	ck_assert_int_ge(n, 27);
	ck_assert_int_eq(t[0].utc_s, 78796800);
	ck_assert_int_eq(t[26].utc_s, 1483228800);
	ck_assert_int_eq(t[26].step, 1);
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("tzif");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_tzif_leaps_versions);
	tcase_add_test(tc, test_tzif_leaps_delete_and_expiry);
	tcase_add_test(tc, test_tzif_leaps_keeps_newest);
	tcase_add_test(tc, test_tzif_leaps_malformed);
	tcase_add_test(tc, test_tzif_leap_today);
	tcase_add_test(tc, test_tzif_system_right_utc);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
