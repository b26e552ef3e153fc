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
 * chrony's log lines against golden text: the examples of chrony.conf(5)
 * (4.3) for each file, in timed's signs, and the edge cases.
 */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logfmt.h"

static char	buf[LOGFMT_LINE_MAX];

static struct log_measurement
meas(void)
{
	struct log_measurement	 m;

	memset(&m, 0, sizeof(m));
	m.time = 1478670050.25;		/* 2016-11-09 05:40:50 UTC */
	snprintf(m.address, sizeof(m.address), "203.0.113.15");
	m.stratum = 2;
	m.tests = LOG_TESTS_ALL;
	m.local_poll = 10;
	m.remote_poll = 10;
	m.score = 1.0;
	m.offset_s = 4.966e-03;		/* ahead: chrony prints it negative */
	m.delay_s = 2.296e-01;
	m.disp_s = 1.577e-05;
	m.root_delay_s = 1.615e-01;
	m.root_disp_s = 7.446e-03;
	m.refid = 0xCB00717B;
	m.mode = 4;
	m.tx_ts = 'D';
	m.rx_ts = 'K';
	return m;
}

static struct log_statistics
stats(void)
{
	struct log_statistics	 s;

	memset(&s, 0, sizeof(s));
	s.time = 1470807650;		/* 2016-08-10 05:40:50 */
	snprintf(s.address, sizeof(s.address), "203.0.113.15");
	s.stddev_s = 6.261e-03;
	s.offset_s = -3.247e-03;
	s.offset_sd_s = 2.220e-03;
	s.freq_ppm = 1.874;
	s.skew_ppm = 1.080;
	s.stress = 7.8e-02;
	s.n_samples = 16;
	s.best_start = 0;
	s.n_runs = 8;
	return s;
}

static struct log_tracking
track(void)
{
	struct log_tracking	 t;

	memset(&t, 0, sizeof(t));
	t.time = 1503408156;		/* 2017-08-22 13:22:36 */
	snprintf(t.ref, sizeof(t.ref), "203.0.113.15");
	t.stratum = 2;
	t.freq_ppm = -3.541;
	t.skew_ppm = 0.075;
	t.offset_s = -8.621e-06;
	t.leap = LEAP_NORMAL;
	t.combined = 2;
	t.offset_sd_s = 2.940e-03;
	t.remaining_s = 2.084e-04;	/* still ahead: chrony's is negative */
	t.root_delay_s = 1.534e-02;
	t.root_disp_s = 3.472e-04;
	t.max_error_s = 8.304e-03;
	return t;
}

/* A PHC's sample, as in a chrony 4.3 refclocks.log. */
static struct log_refclock
rc(void)
{
	struct log_refclock	 r;

	memset(&r, 0, sizeof(r));
	r.time = 1688064595.595742;	/* 2023-06-29 18:49:55, .5957419872 */
	snprintf(r.refid, sizeof(r.refid), "PHC0");
	r.dpoll = 3;
	r.leap = LEAP_NORMAL;
	r.pps = 0;
	r.raw_offset_s = 1.0e-09;
	r.cooked_offset_s = 8.717931e-10;
	r.disp_s = 5.5e-08;
	return r;
}

START_TEST(test_logfmt_measurement_golden)
{
	struct log_measurement	 m = meas();
	const char		*want = "2016-11-09 05:40:50 203.0.113.15    "
	    "N  2 111 111 1111  10 10 1.00 -4.966e-03  2.296e-01  1.577e-05  "
	    "1.615e-01  7.446e-03 CB00717B 4B D K\n";

	ck_assert_ptr_null(logfmt_check_measurement(&m));
	ck_assert_int_eq(logfmt_measurement(buf, sizeof(buf), &m),
	    (int)strlen(want));
	ck_assert_str_eq(buf, want);
}
END_TEST

/* An IPv6 address wider than the column pushes the rest, as chrony's. */
START_TEST(test_logfmt_measurement_edges)
{
	struct log_measurement	 m = meas();
	const char		*want = "2016-11-09 05:40:50 "
	    "2001:db8:1234:5678::123 ? 16 111 111 0111  -2  6 0.00 -1.500e+08  "
	    "1.000e-06  0.000e+00  0.000e+00  0.000e+00 00000000 4B K K\n";

	snprintf(m.address, sizeof(m.address), "2001:db8:1234:5678::123");
	m.leap = 3;
	m.stratum = 16;
	m.tests = LOG_TESTS_ALL & ~0x08;	/* test A failed */
	m.local_poll = -2;
	m.remote_poll = 6;
	m.score = 0;
	m.offset_s = 1.5e8;
	m.delay_s = 1e-6;
	m.disp_s = m.root_delay_s = m.root_disp_s = 0;
	m.refid = 0;
	m.tx_ts = 'K';
	ck_assert_ptr_null(logfmt_check_measurement(&m));
	logfmt_measurement(buf, sizeof(buf), &m);
	ck_assert_str_eq(buf, want);
	/* never a negative zero */
	m.offset_s = 0.0;
	logfmt_measurement(buf, sizeof(buf), &m);
	ck_assert_ptr_null(strstr(buf, "-0.000e+00"));
}
END_TEST

START_TEST(test_logfmt_statistics_golden)
{
	struct log_statistics	 s = stats();
	const char		*want = "2016-08-10 05:40:50 203.0.113.15     "
	    "6.261e-03 -3.247e-03  2.220e-03  1.874e-06  1.080e-06 7.8e-02  16"
	    "   0   8  0.00\n";

	ck_assert_ptr_null(logfmt_check_statistics(&s));
	logfmt_statistics(buf, sizeof(buf), &s);
	ck_assert_str_eq(buf, want);
	s.freq_ppm = -250.5;		/* negative frequencies */
	logfmt_statistics(buf, sizeof(buf), &s);
	ck_assert_ptr_nonnull(strstr(buf, " -2.505e-04 "));
}
END_TEST

START_TEST(test_logfmt_tracking_golden)
{
	struct log_tracking	 t = track();
	const char		*want = "2017-08-22 13:22:36 203.0.113.15     "
	    "2     -3.541      0.075 -8.621e-06 N  2  2.940e-03 -2.084e-04  "
	    "1.534e-02  3.472e-04  8.304e-03\n";

	ck_assert_ptr_null(logfmt_check_tracking(&t));
	logfmt_tracking(buf, sizeof(buf), &t);
	ck_assert_str_eq(buf, want);
	t.leap = LEAP_INSERT;
	t.freq_ppm = -123.4567;
	logfmt_tracking(buf, sizeof(buf), &t);
	ck_assert_ptr_nonnull(strstr(buf, "   -123.457 "));
	ck_assert_ptr_nonnull(strstr(buf, " + "));
}
END_TEST

/*
 * chrony's "%s.%06d %-5s %3d %1c %1d %13.6e %13.6e %10.3e": the driver
 * poll under DP, the leap status under L, the pulse flag under P.
 */
START_TEST(test_logfmt_refclock_raw_golden)
{
	struct log_refclock	 r = rc();
	const char		*want = "2023-06-29 18:49:55.595742 PHC0    "
	    "3 N 0  1.000000e-09  8.717931e-10  5.500e-08\n";

	ck_assert_ptr_null(logfmt_check_refclock(&r));
	ck_assert_int_eq(logfmt_refclock(buf, sizeof(buf), &r),
	    (int)strlen(want));
	ck_assert_str_eq(buf, want);
	/* a pulse, a leap second ahead, negative offsets, a short refid */
	r.time = 1688064595.000001;	/* held as .00000095 */
	snprintf(r.refid, sizeof(r.refid), "GPS");
	r.dpoll = 12;
	r.leap = LEAP_INSERT;
	r.pps = 1;
	r.raw_offset_s = -2.5e-07;
	r.cooked_offset_s = -2.499e-07;
	r.disp_s = 1e-06;
	ck_assert_ptr_null(logfmt_check_refclock(&r));
	logfmt_refclock(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "2023-06-29 18:49:55.000001 GPS    12 + 1 "
	    "-2.500000e-07 -2.499000e-07  1.000e-06\n");
}
END_TEST

/* chrony's "%s.%06d %-5s   - %1c -       -       %13.6e %10.3e". */
START_TEST(test_logfmt_refclock_filtered_golden)
{
	struct log_refclock	 r = rc();
	const char		*want = "2023-06-29 18:49:55.595742 PHC0    "
	    "- N -       -        8.717931e-10  5.500e-08\n";

	r.dpoll = -1;
	r.pps = -1;
	r.raw_offset_s = 0;
	ck_assert_ptr_null(logfmt_check_refclock(&r));
	ck_assert_int_eq(logfmt_refclock(buf, sizeof(buf), &r),
	    (int)strlen(want));
	ck_assert_str_eq(buf, want);
	/* as wide as the header, as chrony's lines are */
	ck_assert_int_eq((int)strlen(want) - 1,
	    (int)strlen(logfmt_header(LOGFMT_REFCLOCKS)));
}
END_TEST

/* Microseconds round, into the next second if need be; no "-0". */
START_TEST(test_logfmt_refclock_edges)
{
	struct log_refclock	 r = rc();

	r.time = 1688064595.9999996;
	logfmt_refclock(buf, sizeof(buf), &r);
	ck_assert_int_eq(strncmp(buf, "2023-06-29 18:49:56.000000 ", 27), 0);
	r.time = 0;
	r.raw_offset_s = -0.0;
	r.cooked_offset_s = -0.0;
	r.disp_s = -0.0;
	ck_assert_ptr_null(logfmt_check_refclock(&r));
	logfmt_refclock(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "1970-01-01 00:00:00.000000 PHC0    3 N 0  "
	    "0.000000e+00  0.000000e+00  0.000e+00\n");
	/* a driver without polls counts its samples past three digits */
	r.dpoll = 65536;
	ck_assert_ptr_null(logfmt_check_refclock(&r));
	logfmt_refclock(buf, sizeof(buf), &r);
	ck_assert_ptr_nonnull(strstr(buf, " PHC0  65536 N 0 "));
}
END_TEST

START_TEST(test_logfmt_refclock_check_refuses)
{
	static const struct {
		const char	*what;
		int		 field;
		double		 v;
	} rows[] = {
		{ "NaN raw offset", 0, NAN },
		{ "infinite cooked offset", 1, INFINITY },
		{ "-infinite raw offset", 0, -INFINITY },
		{ "raw offset past 1e9 s", 0, 2e9 },
		{ "NaN dispersion", 2, NAN },
		{ "negative dispersion", 2, -1e-9 },
		{ "NaN time", 3, NAN },
		{ "negative time", 3, -1 },
		{ "time past the year 5000", 3, 1e12 },
		{ "leap -1", 4, -1 },
		{ "leap 4", 4, 4 },
		{ "dpoll -2", 5, -2 },
		{ "dpoll INT32_MIN", 5, INT32_MIN },
		{ "pps 2", 6, 2 },
		{ "pps -2", 6, -2 },
		{ "filtered dpoll, raw pps", 5, -1 },
		{ "raw dpoll, filtered pps", 6, -1 },
		{ "refid without NUL", 7, 0 },
		{ "empty refid", 8, 0 },
	};
	struct log_refclock	 r;
	size_t			 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = rc();
		switch (rows[i].field) {
		case 0: r.raw_offset_s = rows[i].v; break;
		case 1: r.cooked_offset_s = rows[i].v; break;
		case 2: r.disp_s = rows[i].v; break;
		case 3: r.time = rows[i].v; break;
		case 4: r.leap = (int32_t)rows[i].v; break;
		case 5: r.dpoll = (int32_t)rows[i].v; break;
		case 6: r.pps = (int32_t)rows[i].v; break;
		case 7: memset(r.refid, 'A', sizeof(r.refid)); break;
		case 8: r.refid[0] = '\0'; break;
		}
		ck_assert_msg(logfmt_check_refclock(&r) != NULL, "%s",
		    rows[i].what);
	}
	/* unprinted in a filtered record, its raw offset is checked too */
	r = rc();
	r.dpoll = r.pps = -1;
	r.raw_offset_s = NAN;
	ck_assert_ptr_nonnull(logfmt_check_refclock(&r));
}
END_TEST

/* A refid's control bytes and blanks would break the columns: '?'. */
START_TEST(test_logfmt_refclock_check_sanitises)
{
	struct log_refclock	 r = rc();

	memcpy(r.refid, "G\x01 \xff", 5);
	ck_assert_ptr_null(logfmt_check_refclock(&r));
	ck_assert_str_eq(r.refid, "G???");
	logfmt_refclock(buf, sizeof(buf), &r);
	ck_assert_ptr_nonnull(strstr(buf, " G???    3 N 0 "));
}
END_TEST

START_TEST(test_logfmt_refclock_header)
{
	int	 n;

	ck_assert_str_eq(logfmt_name(LOGFMT_REFCLOCKS), "refclocks");
	ck_assert_str_eq(logfmt_header(LOGFMT_REFCLOCKS), "   Date (UTC) "
	    "Time         Refid  DP L P  Raw offset   Cooked offset      "
	    "Disp.");
	n = logfmt_banner(buf, sizeof(buf), LOGFMT_REFCLOCKS);
	ck_assert_int_eq(n, 3 * 80);
	ck_assert_int_eq((int)strspn(buf, "="), 79);
}
END_TEST

START_TEST(test_logfmt_banner)
{
	unsigned long	 writes = 0;
	int		 i, n, banners = 0;
	const char	*h = logfmt_header(LOGFMT_TRACKING);
	size_t		 hl = strlen(h);

	n = logfmt_banner(buf, sizeof(buf), LOGFMT_TRACKING);
	ck_assert_int_eq(n, (int)(3 * (hl + 1)));
	ck_assert_int_eq((int)strspn(buf, "="), (int)hl);
	ck_assert_int_eq(memcmp(buf + hl + 1, h, hl), 0);
	ck_assert_int_eq((int)strspn(buf + 2 * hl + 2, "="), (int)hl);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_int_eq(logfmt_banner(buf, hl, LOGFMT_TRACKING), -1);
	/* logbanner 32: before entries 1, 33, 65 */
	for (i = 0; i < 70; i++)
		banners += logfmt_banner_due(&writes, 32);
	ck_assert_int_eq(banners, 3);
	writes = 0;
	ck_assert_int_eq(logfmt_banner_due(&writes, 0), 0);
	ck_assert_int_eq(logfmt_banner_due(&writes, 1), 1);
	ck_assert_int_eq(logfmt_banner_due(&writes, 1), 1);
	ck_assert_str_eq(logfmt_name(LOGFMT_STATISTICS), "statistics");
}
END_TEST

START_TEST(test_logfmt_check_refuses)
{
	struct log_measurement	 m;
	struct log_statistics	 s;
	struct log_tracking	 t;
	static const struct {
		const char	*what;
		int		 field;
		double		 v;
	} rows[] = {
		{ "NaN offset", 0, NAN },
		{ "infinite delay", 1, INFINITY },
		{ "negative time", 2, -1 },
		{ "time past the year 5000", 2, 1e12 },
		{ "negative root dispersion", 3, -1e-3 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		m = meas();
		switch (rows[i].field) {
		case 0: m.offset_s = rows[i].v; break;
		case 1: m.delay_s = rows[i].v; break;
		case 2: m.time = rows[i].v; break;
		case 3: m.root_disp_s = rows[i].v; break;
		}
		ck_assert_msg(logfmt_check_measurement(&m) != NULL, "%s",
		    rows[i].what);
	}
	m = meas();
	memset(m.address, 'a', sizeof(m.address));	/* no NUL */
	ck_assert_ptr_nonnull(logfmt_check_measurement(&m));
	m = meas();
	m.address[0] = '\0';
	ck_assert_ptr_nonnull(logfmt_check_measurement(&m));
	m = meas();
	m.tx_ts = 'X';
	ck_assert_ptr_nonnull(logfmt_check_measurement(&m));
	m = meas();
	m.tests = 0x400;
	ck_assert_ptr_nonnull(logfmt_check_measurement(&m));
	s = stats();
	s.skew_ppm = NAN;
	ck_assert_ptr_nonnull(logfmt_check_statistics(&s));
	s = stats();
	s.n_samples = -1;
	ck_assert_ptr_nonnull(logfmt_check_statistics(&s));
	t = track();
	t.stratum = 17;
	ck_assert_ptr_nonnull(logfmt_check_tracking(&t));
	t = track();
	t.max_error_s = INFINITY;
	ck_assert_ptr_nonnull(logfmt_check_tracking(&t));
}
END_TEST

/* Blanks and control bytes could forge columns or lines: made '?'. */
START_TEST(test_logfmt_check_sanitises)
{
	struct log_tracking	 t = track();

	snprintf(t.ref, sizeof(t.ref), "a b\nc\x7f\xc3");
	ck_assert_ptr_null(logfmt_check_tracking(&t));
	ck_assert_str_eq(t.ref, "a?b?c??");
	logfmt_tracking(buf, sizeof(buf), &t);
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
}
END_TEST

START_TEST(test_logfmt_short_buffer)
{
	struct log_measurement	 m = meas();
	char			 small[40];

	ck_assert_int_eq(logfmt_measurement(small, sizeof(small), &m), -1);
}
END_TEST

static Suite *
logfmt_suite(void)
{
	Suite	*s = suite_create("logfmt");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_logfmt_measurement_golden);
	tcase_add_test(tc, test_logfmt_measurement_edges);
	tcase_add_test(tc, test_logfmt_statistics_golden);
	tcase_add_test(tc, test_logfmt_tracking_golden);
	tcase_add_test(tc, test_logfmt_refclock_raw_golden);
	tcase_add_test(tc, test_logfmt_refclock_filtered_golden);
	tcase_add_test(tc, test_logfmt_refclock_edges);
	tcase_add_test(tc, test_logfmt_refclock_check_refuses);
	tcase_add_test(tc, test_logfmt_refclock_check_sanitises);
	tcase_add_test(tc, test_logfmt_refclock_header);
	tcase_add_test(tc, test_logfmt_banner);
	tcase_add_test(tc, test_logfmt_check_refuses);
	tcase_add_test(tc, test_logfmt_check_sanitises);
	tcase_add_test(tc, test_logfmt_short_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(logfmt_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
