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
 * Unit tests of the regression's arithmetic (lib/rgr.c): the fits, the
 * runs test's critical values against the exact distribution of runs,
 * and the window it picks.
 */

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "rgr.h"
#include "sst.h"

#define NPTS	(SST_MAX_SAMPLES * RGR_RUNS_RATIO)

/* n choose k, 0 outside 0..n */
static double
binom(int n, int k)
{
	if (k < 0 || k > n)
		return 0.0;
	return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0));
}

/*
 * P(R <= r) for the runs R of n1 signs of one kind and n2 of the other
 * in random order (Wald-Wolfowitz), summed over the counts of each
 * number of runs.
 */
static double
runs_cdf(int n1, int n2, int r)
{
	double	 ways = 0.0;
	int	 j, k;

	for (j = 2; j <= r; j++) {
		k = j / 2;
		if (j % 2 == 0)
			ways += 2.0 * binom(n1 - 1, k - 1) *
			    binom(n2 - 1, k - 1);
		else
			ways += binom(n1 - 1, k - 1) * binom(n2 - 1, k) +
			    binom(n1 - 1, k) * binom(n2 - 1, k - 1);
	}
	return ways / binom(n1 + n2, n1);
}

/*
 * Both tables are the exact critical values for signs split evenly: as
 * many runs as the value, or fewer, happen by chance in less than alpha
 * of orders, and one run more in alpha or more.
 */
START_TEST(test_rgr_runs_critical_exact)
{
	static const struct {
		double	 span_s;
		double	 alpha;
	} t[] = { { 100.0, 0.05 }, { 10000.0, 0.30 } };
	double	 lo, hi;
	size_t	 i;
	int	 n, c;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (n = 4; n <= NPTS; n++) {
			c = rgr_runs_critical(n, t[i].span_s);
			lo = c >= 2 ? runs_cdf(n / 2, n - n / 2, c) : 0.0;
			hi = runs_cdf(n / 2, n - n / 2, c < 2 ? 2 : c + 1);
			ck_assert_msg(lo < t[i].alpha * (1.0 - 1e-9) &&
			    hi >= t[i].alpha * (1.0 - 1e-9),
			    "n %d at %g: critical %d, P(<=) %g, one more %g",
			    n, t[i].alpha, c, lo, hi);
		}
	}
	ck_assert_int_eq(rgr_runs_critical(-1, 100.0), 0);
	ck_assert_int_eq(rgr_runs_critical(NPTS + 1, 100.0), 0);
}
END_TEST

START_TEST(test_rgr_median_and_tcoef)
{
	double	 odd[] = { 5.0, -1.0, 3.0 }, even[] = { 4.0, 1.0, 3.0, 2.0 };

	ck_assert_double_eq(rgr_median(odd, 3), 3.0);
	ck_assert_double_eq(odd[0], -1.0);	/* sorted */
	ck_assert_double_eq(rgr_median(even, 4), 2.5);
	ck_assert_double_eq_tol(rgr_tcoef(3), 12.71, 1e-9);
	ck_assert_double_eq_tol(rgr_tcoef(32), 2.042, 1e-9);	/* 30 d.f. */
	/* clamped to the table */
	ck_assert_double_eq(rgr_tcoef(2), rgr_tcoef(3));
	ck_assert_double_eq(rgr_tcoef(1000), rgr_tcoef(SST_MAX_SAMPLES));
	ck_assert(rgr_tcoef(SST_MAX_SAMPLES) > 1.96);
}
END_TEST

/* Weighted least squares: a line exactly; weights pull toward a point. */
START_TEST(test_rgr_wls)
{
	double		 x[5] = { -400, -300, -200, -100, 0 }, y[5], iw[5];
	struct rgr_fit	 f;
	int		 i;

	for (i = 0; i < 5; i++) {
		y[i] = 1e-3 + 2e-6 * x[i];
		iw[i] = 1.0 + i;
	}
	rgr_wls(x, y, iw, 0, 5, &f);
	ck_assert_double_eq_tol(f.a, 1e-3, 1e-15);
	ck_assert_double_eq_tol(f.b, 2e-6, 1e-15);
	ck_assert_double_eq_tol(f.W, 15.0, 1e-12);
	/* over [2, 5) only, with the newest raised: the fit bends to it */
	y[4] += 1e-4;
	iw[4] = 100.0;
	rgr_wls(x, y, iw, 2, 5, &f);
	ck_assert(fabs(f.a - (1e-3 + 1e-4)) < 1e-5);
	ck_assert(f.b > 2e-6);
}
END_TEST

/*
 * The window: noise of alternating sign about one line keeps every
 * point; a line that changes slope halfway leaves long runs, and the
 * points before the change go.
 */
START_TEST(test_rgr_find_best)
{
	double		 x[NPTS], y[NPTS], iw[NPTS];
	struct rgr_fit	 f;
	int		 i, n = 32, start, runs;

	for (i = 0; i < n; i++) {
		x[i] = (i - (n - 1)) * 64.0;
		y[i] = 1e-3 + 1e-6 * x[i] + (i % 2 ? 1e-6 : -1e-6);
		iw[i] = 1.0;
	}
	start = rgr_find_best(x, y, iw, n, 0, 0, &f, &runs);
	ck_assert_int_eq(start, 0);
	ck_assert_int_eq(runs, n);
	ck_assert_double_eq_tol(f.b, 1e-6, 1e-9);

	/* the frequency 1 ppm higher before the newest 12 points */
	for (i = 0; i < n - 12; i++)
		y[i] += 1e-6 * (x[i] - x[n - 12]);
	start = rgr_find_best(x, y, iw, n, 0, 0, &f, &runs);
	ck_assert_msg(start >= n - 12 - 4 && start <= n - 12,
	    "dropped %d points, the change %d back", start, 12);
	ck_assert_double_eq_tol(f.b, 1e-6, 1e-7);

	/* minsamples 24: never fewer points than that, whatever the runs */
	start = rgr_find_best(x, y, iw, n, 0, 24, &f, &runs);
	ck_assert_int_eq(start, n - 24);
}
END_TEST

/* The slope on a second variable: exact, and refused when it is x. */
START_TEST(test_rgr_slope_on_second)
{
	double	 x[8], d[8], y[8], c, c_se;
	int	 i;

	for (i = 0; i < 8; i++) {
		x[i] = -100.0 * i;
		d[i] = 1e-4 * ((i * 5) % 8);
		y[i] = 2e-3 + 3e-7 * x[i] + 0.5 * d[i];
	}
	ck_assert_int_eq(rgr_slope_on_second(x, d, y, 8, &c, &c_se), 0);
	ck_assert_double_eq_tol(c, 0.5, 1e-9);
	ck_assert(c_se < 1e-6);
	ck_assert_int_eq(rgr_slope_on_second(x, d, y, 3, &c, &c_se), -1);
	for (i = 0; i < 8; i++)
		d[i] = 1e-6 * x[i];
	ck_assert_int_eq(rgr_slope_on_second(x, d, y, 8, &c, &c_se), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rgr");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_rgr_runs_critical_exact);
	tcase_add_test(tc, test_rgr_median_and_tcoef);
	tcase_add_test(tc, test_rgr_wls);
	tcase_add_test(tc, test_rgr_find_best);
	tcase_add_test(tc, test_rgr_slope_on_second);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
