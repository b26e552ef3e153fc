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
 * The regression's arithmetic for the per-source statistics (sst.c),
 * after chrony's regress.c: weighted least squares, the runs test that
 * picks the window, and a fit on two variables for the path's asymmetry.
 * Pure functions of arrays.
 */

#include <math.h>

#include "rgr.h"
#include "sst.h"

#define NSLOTS		(SST_MAX_SAMPLES * RGR_RUNS_RATIO)
/*
 * The runs test at 30% over samples spanning more than this, at 5% (as
 * chrony's) over shorter spans, in which a wandering frequency bends the
 * offsets too little to matter and only noise would shorten the window.
 */
#define RUNS_SPAN_S	4096.0
/*
 * A window whose offsets bend, as a parabola, by more than CURV_MAX_T
 * standard errors is cut as one that fails the runs test
 * (rgr_find_best()).
 */
#define CURV_MIN_SAMPLES	6
#define CURV_MAX_T		3.0

/* Residuals this small (seconds, plus a part of the offsets) are zero. */
#define RESID_ZERO_ABS	1e-12
#define RESID_ZERO_REL	1e-15
/* A fit on two variables needs this many points (one degree of freedom). */
#define TWO_MIN_POINTS	4

/*
 * Critical number of runs of residuals of one sign among n (index),
 * signs split evenly: fewer runs than or as many as this happen by chance
 * in less than 30% of cases (Wald-Wolfowitz, one-sided; computed
 * exactly; check_rgr recomputes both tables).
 * chrony's test is at 5%.  A clock whose frequency wanders bends the
 * offsets away from a line before the signs show it at 5%: in clknetsim's
 * default network (a 1e-9 random walk of the frequency) 95% of the error
 * was that lag, the regression reaching back hours while the samples
 * showed 300 us for an hour.  At 30% the window follows the wander, and
 * the poll, which keeps polltarget samples in it, stays shorter.  Over
 * short spans (fast polls) a wander cannot show and the 5% test is kept
 * (crit_runs5): at 30% there a window cut by chance was only noise.
 * Default scenario, 30 seeds: RMS error 106 to 74 us (chronyd 100 us)
 * with fewer packets than chronyd at a polltarget of 7.
 */
static const unsigned char crit_runs[NSLOTS + 1] = {
	 0,  0,  0,  0,  0,  2,  2,  3,  3,  4,  4,  5,  5,  6,  6,  7,
	 7,  7,  8,  8,  9,  9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14,
	15, 15, 15, 16, 16, 17, 17, 18, 18, 19, 19, 20, 20, 21, 21, 22,
	22, 23, 23, 24, 24, 25, 25, 26, 26, 27, 27, 27, 28, 28, 29, 29,
	30, 30, 31, 31, 32, 32, 33, 33, 34, 34, 35, 35, 36, 36, 37, 37,
	38, 38, 39, 39, 40, 40, 41, 41, 42, 42, 43, 43, 43, 44, 44, 45,
	45, 46, 46, 47, 47, 48, 48, 49, 49, 50, 50, 51, 51, 52, 52, 53,
	53, 54, 54, 55, 55, 56, 56, 57, 57, 58, 58, 59, 59, 60, 60, 61,
	61, 62, 62, 63, 63, 63, 64, 64, 65, 65, 66, 66, 67, 67, 68, 68,
	69, 69, 70, 70, 71, 71, 72, 72, 73, 73, 74, 74, 75, 75, 76, 76,
	77, 77, 78, 78, 79, 79, 80, 80, 81, 81, 82, 82, 83, 83, 84, 84,
	85, 85, 86, 86, 86, 87, 87, 88, 88, 89, 89, 90, 90, 91, 91, 92,
	92, 93, 93, 94, 94, 95, 95, 96, 96, 97, 97, 98, 98, 99, 99, 100,
	100, 101, 101, 102, 102, 103, 103, 104, 104, 105, 105, 106, 106, 107, 107, 108,
	108, 109, 109, 110, 110, 111, 111, 112, 112, 113, 113, 113, 114, 114, 115, 115,
	116, 116, 117, 117, 118, 118, 119, 119, 120, 120, 121, 121, 122, 122, 123, 123,
	124
};

/* The same at 5%: chrony's test, for spans up to RUNS_SPAN_S. */
static const unsigned char crit_runs5[NSLOTS + 1] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  2,  2,  3,  3,  3,  4,  4,  4,
	 5,  5,  6,  6,  6,  7,  7,  8,  8,  9,  9,  9, 10, 10, 11, 11,
	11, 12, 12, 13, 13, 14, 14, 14, 15, 15, 16, 16, 17, 17, 17, 18,
	18, 19, 19, 20, 20, 21, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25,
	25, 26, 26, 27, 27, 28, 28, 29, 29, 30, 30, 30, 31, 31, 32, 32,
	33, 33, 34, 34, 35, 35, 35, 36, 36, 37, 37, 38, 38, 39, 39, 40,
	40, 40, 41, 41, 42, 42, 43, 43, 44, 44, 45, 45, 45, 46, 46, 47,
	47, 48, 48, 49, 49, 50, 50, 51, 51, 51, 52, 52, 53, 53, 54, 54,
	55, 55, 56, 56, 57, 57, 58, 58, 58, 59, 59, 60, 60, 61, 61, 62,
	62, 63, 63, 64, 64, 65, 65, 65, 66, 66, 67, 67, 68, 68, 69, 69,
	70, 70, 71, 71, 72, 72, 72, 73, 73, 74, 74, 75, 75, 76, 76, 77,
	77, 78, 78, 79, 79, 79, 80, 80, 81, 81, 82, 82, 83, 83, 84, 84,
	85, 85, 86, 86, 87, 87, 87, 88, 88, 89, 89, 90, 90, 91, 91, 92,
	92, 93, 93, 94, 94, 95, 95, 95, 96, 96, 97, 97, 98, 98, 99, 99,
	100, 100, 101, 101, 102, 102, 103, 103, 104, 104, 104, 105, 105, 106, 106, 107,
	107, 108, 108, 109, 109, 110, 110, 111, 111, 112, 112, 113, 113, 113, 114, 114,
	115
};

/*
 * Student's t, 97.5% quantile (95% two-sided), for 1 to
 * SST_MAX_SAMPLES - 2 degrees of freedom: the skew, as chrony's regress.c
 * has it up to 62, beyond from the Cornish-Fisher expansion (within
 * 0.001).  The 99.95% quantile (636.6 for 3 samples) made a start's
 * skews 50 times chrony's, and the frequency was taken a third at a
 * time: after an iburst 16 ppm were left, a millisecond at the first
 * 64 s poll.
 */
static const double tcoef[SST_MAX_SAMPLES - 2] = {
	12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
	2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
	2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
	2.060, 2.056, 2.052, 2.048, 2.045, 2.042, 2.040, 2.037,
	2.035, 2.032, 2.030, 2.028, 2.026, 2.024, 2.023, 2.021,
	2.020, 2.018, 2.017, 2.015, 2.014, 2.013, 2.012, 2.011,
	2.010, 2.009, 2.008, 2.007, 2.006, 2.005, 2.004, 2.003,
	2.002, 2.002, 2.001, 2.000, 2.000, 1.999, 1.998, 1.998,
	1.997, 1.997, 1.996, 1.995, 1.995, 1.994, 1.994, 1.993,
	1.993, 1.993, 1.992, 1.992, 1.991, 1.991, 1.990, 1.990,
	1.990, 1.989, 1.989, 1.989, 1.988, 1.988, 1.988, 1.987,
	1.987, 1.987, 1.986, 1.986, 1.986, 1.986, 1.985, 1.985,
	1.985, 1.984, 1.984, 1.984, 1.984, 1.983, 1.983, 1.983,
	1.983, 1.983, 1.982, 1.982, 1.982, 1.982, 1.982, 1.981,
	1.981, 1.981, 1.981, 1.981, 1.980, 1.980, 1.980, 1.980,
	1.980, 1.980, 1.979, 1.979, 1.979, 1.979
};

double
rgr_tcoef(int np)
{
	if (np < 3)
		np = 3;
	if (np > SST_MAX_SAMPLES)
		np = SST_MAX_SAMPLES;
	return tcoef[np - 3];
}

static int
count_runs(const double *r, int n, double zero)
{
	int	 i, runs = 1;

	/* A residual of zero has no sign: it ends the run it follows. */
	for (i = 1; i < n; i++)
		if (!((r[i - 1] > zero && r[i] > zero) ||
		    (r[i - 1] < -zero && r[i] < -zero)))
			runs++;
	return runs;
}

int
rgr_runs_critical(int n, double span_s)
{
	if (n < 0 || n > NSLOTS)
		return 0;
	return span_s > RUNS_SPAN_S ? crit_runs[n] : crit_runs5[n];
}

double
rgr_median(double *v, int n)
{
	double	 t;
	int	 i, j;

	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0 && v[j - 1] > t; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Weighted least squares of y on x over [from, to). */
void
rgr_wls(const double *x, const double *y, const double *iw, int from, int to,
    struct rgr_fit *f)
{
	double	 W = 0.0, U = 0.0, P = 0.0, Q = 0.0, V = 0.0, ym, ui;
	int	 i;

	for (i = from; i < to; i++) {
		W += iw[i];
		U += iw[i] * x[i];
		P += iw[i] * y[i];
	}
	f->u = U / W;
	ym = P / W;
	for (i = from; i < to; i++) {
		ui = x[i] - f->u;
		Q += iw[i] * (y[i] - ym) * ui;
		V += iw[i] * ui * ui;
	}
	f->b = V > 0.0 ? Q / V : 0.0;
	f->a = ym - f->b * f->u;
	f->W = W;
	f->V = V;
}

/*
 * How many standard errors the curvature of the k samples is from none:
 * the t statistic of c in y = a + b x + c x^2, from the residuals r of
 * the line f fitted to them, weighted as the fit; 0 when too few.
 */
static double
curvature_t(const double *x, const double *r, const double *iw, int k,
    const struct rgr_fit *f)
{
	double	 zm = 0.0, bz = 0.0, zz = 0.0, rz = 0.0, ss = 0.0, c, z, d;
	int	 i;

	if (k < CURV_MIN_SAMPLES || !(f->V > 0.0))
		return 0.0;
	/* x^2, less its fit on x (centred at the weighted mean u) */
	for (i = 0; i < k; i++) {
		d = x[i] - f->u;
		zm += iw[i] * d * d;
		bz += iw[i] * d * d * d;
	}
	zm /= f->W;
	bz /= f->V;
	for (i = 0; i < k; i++) {
		d = x[i] - f->u;
		z = d * d - zm - bz * d;
		zz += iw[i] * z * z;
		rz += iw[i] * r[i] * z;
	}
	if (!(zz > 0.0))
		return 0.0;
	c = rz / zz;
	/* a bend under the timestamps' precision is rounding */
	if (fabs(c) * zm < RGR_PRECISION)
		return 0.0;
	for (i = 0; i < k; i++) {
		d = x[i] - f->u;
		z = d * d - zm - bz * d;
		ss += iw[i] * (r[i] - c * z) * (r[i] - c * z);
	}
	ss /= k - 3;
	if (!(ss > 0.0))
		return 0.0;
	return c / sqrt(ss / zz);
}

/*
 * The runs test, as chrony's RGR_FindBestRegression: fit the samples from
 * start to the newest; count the runs of residual signs over them and
 * over as many samples again before start (those still held); if there
 * are too few runs for chance, drop the oldest sample and fit again, down
 * to SST_MIN_SAMPLES.  Unlike chrony, a window whose offsets bend (a
 * parabola's curvature more than CURV_MAX_T standard errors from none)
 * is cut too: signs alone see a bend late, when the noise is as large as
 * it, and a frequency random walk bends every window.  With a 1e-7 walk
 * (clknetsim, 30 seeds) the RMS error fell from 159 to 129 us (chronyd
 * 141), and with chrony's default network from 76 to 71 us, with no more
 * packets (jitter1ms 275 to 273 us, asymjitter 136 to 122 us).  x and
 * y are indexed from -m; returns start, the number of samples to drop.
 */
int
rgr_find_best(const double *x, const double *y, const double *iw, int n, int m,
    int min, struct rgr_fit *f, int *runs)
{
	double	 r[NSLOTS], zero = 0.0;
	int	 i, start, rs;

	for (i = -m; i < n; i++)
		if (fabs(y[i]) > zero)
			zero = fabs(y[i]);
	zero = RESID_ZERO_ABS + RESID_ZERO_REL * zero;
	for (start = 0;; start++) {
		rgr_wls(x, y, iw, start, n, f);
		rs = n - (n - start) * RGR_RUNS_RATIO;
		if (rs < -m)
			rs = -m;
		for (i = rs; i < n; i++)
			r[i - rs] = y[i] - f->a - f->b * x[i];
		*runs = count_runs(r, n - rs, zero);
		if (n - start <= SST_MIN_SAMPLES || n - start <= min)
			break;
		if (*runs > rgr_runs_critical(n - rs, -x[rs]) &&
		    fabs(curvature_t(x + start, r + (start - rs), iw + start,
		    n - start, f)) <= CURV_MAX_T)
			break;
	}
	if (rs != start)	/* report the runs of the samples used */
		*runs = count_runs(r + (start - rs), n - start, zero);
	return start;
}

/*
 * The slope of y on d in the least squares fit y = a + b x + c d of the
 * n points; -1 when the points cannot tell (too few, or x and d
 * (nearly) dependent).
 */
int
rgr_slope_on_second(const double *x, const double *d, const double *y, int n,
    double *c, double *c_se)
{
	double	 mx = 0.0, md = 0.0, my = 0.0, sxx = 0.0, sdd = 0.0, sxd = 0.0;
	double	 sxy = 0.0, sdy = 0.0, det, b, a, r, ss = 0.0;
	int	 i;

	if (n < TWO_MIN_POINTS)
		return -1;
	for (i = 0; i < n; i++) {
		mx += x[i];
		md += d[i];
		my += y[i];
	}
	mx /= n;
	md /= n;
	my /= n;
	for (i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sdd += (d[i] - md) * (d[i] - md);
		sxd += (x[i] - mx) * (d[i] - md);
		sxy += (x[i] - mx) * (y[i] - my);
		sdy += (d[i] - md) * (y[i] - my);
	}
	det = sxx * sdd - sxd * sxd;
	if (!(det > 1e-10 * sxx * sdd))
		return -1;
	*c = (sxx * sdy - sxd * sxy) / det;
	b = (sdd * sxy - sxd * sdy) / det;
	a = my - b * mx - *c * md;
	for (i = 0; i < n; i++) {
		r = y[i] - a - b * x[i] - *c * d[i];
		ss += r * r;
	}
	/* its standard error: var(c) = s^2 sxx / det */
	*c_se = sqrt(ss / (n - 3) * sxx / det);
	return isfinite(*c) && isfinite(*c_se) ? 0 : -1;
}
