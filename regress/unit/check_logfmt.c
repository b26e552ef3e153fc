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
