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
 * The regression's arithmetic (rgr.c), for sst.c: x are times from the
 * newest sample (s, <= 0), y offsets, iw inverse variances (relative).
 */

#ifndef TIMED_RGR_H
#define TIMED_RGR_H

#define RGR_RUNS_RATIO	2	/* samples held per sample used, at most */
/* Timestamp precision assumed, s. */
#define RGR_PRECISION	1e-8

struct rgr_fit {
	double	a;		/* y at x = 0, the newest sample */
	double	b;		/* slope */
	double	u;		/* weighted mean of x */
	double	W;		/* sum of the weights */
	double	V;		/* weighted sum of (x - u)^2 */
};

/* Student's t, 97.5% quantile, for a fit to np points (np - 2 d.f.). */
double	rgr_tcoef(int np);
/*
 * The runs test: a window of n residuals spanning span_s seconds fails it
 * with this many runs of one sign or fewer (0 when n is out of range).
 */
int	rgr_runs_critical(int n, double span_s);
/* The median of v[0..n), which it sorts. */
double	rgr_median(double *v, int n);
/* Weighted least squares of y on x over [from, to). */
void	rgr_wls(const double *x, const double *y, const double *iw, int from,
	    int to, struct rgr_fit *);
/*
 * The window: how many of the n used points (x, y from -m: m older ones
 * for the runs test) to drop, never leaving fewer than min (at least
 * SST_MIN_SAMPLES), the fit to the rest in *f, its runs in *runs.
 */
int	rgr_find_best(const double *x, const double *y, const double *iw,
	    int n, int m, int min, struct rgr_fit *f, int *runs);
/*
 * The slope c of y on d in the fit y = a + b x + c d of n points, and its
 * standard error; -1 when the points cannot tell.
 */
int	rgr_slope_on_second(const double *x, const double *d, const double *y,
	    int n, double *c, double *c_se);

#endif /* TIMED_RGR_H */
