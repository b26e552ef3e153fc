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
 * A hardware clock against the system clock, after the ideas of chrony's
 * hwclock.c.
 *
 * A reading brackets the hardware clock's time between two system times,
 * so the true line hw = f(sys) passes within half the reading's delay of
 * its midpoint; a sample's error is that bound.  The samples are fitted
 * by weighted least squares (weights 1 / error^2), the hardware time
 * against the system time, both relative to the newest sample.  Where
 * chrony's robust regression drops old samples by a runs test and starts
 * again when the line misses the newest sample's error bound, here the
 * oldest are dropped until the line passes near the newest sample (a
 * frequency that wandered leaves the samples since), and only when the
 * newest three cannot explain it does the regression start again.
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hwclk.h"
#include "rgr.h"

#define MAX_ERR_S		1e3	/* a sample's error, at most */
#define MAX_DELAY_NS		1000000000LL	/* a reading's, at most */
#define MAX_CORR_DFREQ_PPM	1e6
#define MAX_CORR_DELTA_S	1e6

struct hwclk {
	struct hwclk_params	 p;
	int			 n;		/* samples, oldest first */
	int			 rejects;	/* delay outliers in a row */
	int			 valid;		/* a, b hold a fit */
	double			 a;		/* hw - hw_ref at sys_ref, s */
	double			 b;		/* d hw / d sys */
	struct hwclk_sample	 s[HWCLK_MAX_SAMPLES];
};

static const char *const reason_names[HWCLK_NREASONS] = {
	"ok", "no readings", "clock stepped", "bad value",
	"delay far above the recent ones", "too few samples",
	"regression restarted"
};

/* a - b in seconds; wraps rather than overflows on absurd input. */
static double
diff_s(int64_t a_ns, int64_t b_ns)
{
	return (double)(int64_t)((uint64_t)a_ns - (uint64_t)b_ns) / 1e9;
}

static int64_t
sub_ns(int64_t a_ns, int64_t b_ns)
{
	return (int64_t)((uint64_t)a_ns - (uint64_t)b_ns);
}

static int64_t
add_ns(int64_t t_ns, double d_s)
{
	return (int64_t)((uint64_t)t_ns + (uint64_t)llround(d_s * 1e9));
}

struct hwclk *
hwclk_new(const struct hwclk_params *p)
{
	struct hwclk	*h;

	if (p->min_samples < HWCLK_MIN_SAMPLES ||
	    p->min_samples > HWCLK_MAX_SAMPLES ||
	    p->max_samples < p->min_samples ||
	    p->max_samples > HWCLK_MAX_SAMPLES ||
	    !(p->min_separation_s >= 0.0 && p->min_separation_s < 1e6) ||
	    !(p->precision_s > 0.0 && p->precision_s < 1.0))
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->p = *p;
	return h;
}

void
hwclk_free(struct hwclk *h)
{
	free(h);
}

enum hwclk_reason
hwclk_readings(const struct hwclk *h, const struct hwclk_reading *r, int n,
    struct hwclk_sample *out)
{
	int64_t	 d, min_d, prec_ns, mid_ref, dhw, dmid;
	double	 off[HWCLK_MAX_READINGS], mid_sum, med;
	int	 i, ref, kept;

	memset(out, 0, sizeof(*out));
	if (n < 1 || n > HWCLK_MAX_READINGS)
		return HWCLK_ERR_NONE;
	min_d = 0;
	ref = 0;
	for (i = 0; i < n; i++) {
		if (r[i].sys_after_ns < r[i].sys_before_ns)
			return HWCLK_ERR_STEP;
		d = sub_ns(r[i].sys_after_ns, r[i].sys_before_ns);
		if (d < 0 || d > MAX_DELAY_NS)	/* absurd */
			return HWCLK_ERR_VALUE;
		if (i == 0 || d < min_d) {
			min_d = d;
			ref = i;
		}
	}
	prec_ns = llround(h->p.precision_s * 1e9);
	mid_ref = r[ref].sys_before_ns + min_d / 2;

	/*
	 * The kept readings' offsets (hw - mid) by their median, their
	 * times by the mean: a reading a clock step or a noisy clock put
	 * off is outvoted, as the others are not refused for it (chrony
	 * averages them; a PHC whose readings scatter by 100 us beyond
	 * their 1 us delays gave no sample at all).
	 */
	mid_sum = 0.0;
	for (i = kept = 0; i < n; i++) {
		d = r[i].sys_after_ns - r[i].sys_before_ns;
		if (d > min_d + prec_ns)
			continue;
		dhw = sub_ns(r[i].hw_ns, r[ref].hw_ns);
		dmid = sub_ns(r[i].sys_before_ns + d / 2, mid_ref);
		off[kept++] = (double)sub_ns(dhw, dmid);
		mid_sum += (double)dmid;
	}
	med = rgr_median(off, kept);
	out->sys_ns = add_ns(mid_ref, mid_sum / kept / 1e9);
	out->hw_ns = add_ns(r[ref].hw_ns, (mid_sum / kept + med) / 1e9);
	out->err_s = (double)min_d / 2e9;
	if (out->err_s < h->p.precision_s)
		out->err_s = h->p.precision_s;
	return HWCLK_OK;
}

static void
drop_oldest(struct hwclk *h, int k)
{
	memmove(&h->s[0], &h->s[k], (size_t)(h->n - k) * sizeof(h->s[0]));
	h->n -= k;
}

/*
 * Weighted least squares of hw on sys over samples from..n-1, both
 * relative to the newest; -1 if the system times do not spread.
 */
static int
fit(const struct hwclk *h, int from, double *a, double *b)
{
	const struct hwclk_sample	*s, *ref = &h->s[h->n - 1];
	double				 w, x, y, sw, sx, sy, sxx, sxy, mx, my;
	int				 i;

	sw = sx = sy = 0.0;
	for (i = from; i < h->n; i++) {
		s = &h->s[i];
		w = 1.0 / (s->err_s * s->err_s);
		sw += w;
		sx += w * diff_s(s->sys_ns, ref->sys_ns);
		sy += w * diff_s(s->hw_ns, ref->hw_ns);
	}
	mx = sx / sw;
	my = sy / sw;
	sxx = sxy = 0.0;
	for (i = from; i < h->n; i++) {
		s = &h->s[i];
		w = 1.0 / (s->err_s * s->err_s);
		x = diff_s(s->sys_ns, ref->sys_ns) - mx;
		y = diff_s(s->hw_ns, ref->hw_ns) - my;
		sxx += w * x * x;
		sxy += w * x * y;
	}
	if (!(sxx > 0.0))
		return -1;
	*b = sxy / sxx;
	*a = my - *b * mx;
	return 0;
}

/* Keep only the newest sample. */
static enum hwclk_reason
restart(struct hwclk *h)
{
	drop_oldest(h, h->n - 1);
	h->valid = 0;
	h->rejects = 0;
	return HWCLK_RESET;
}

/*
 * Refit, dropping the oldest samples until the line passes within
 * HWCLK_MISS_RATIO times the newest sample's error of it, as long as 3
 * remain; if even the newest 3 do not explain it, the hardware clock (or
 * the system clock) was stepped or changed its frequency at once: start
 * again from it.  Two samples are fitted as they are.
 */
static enum hwclk_reason
refit(struct hwclk *h)
{
	const struct hwclk_sample	*last = &h->s[h->n - 1];
	double				 a = 0.0, b = 1.0;
	int				 from;

	h->valid = 0;
	if (h->n < 2)
		return HWCLK_FEW;
	if (h->n == 2) {
		if (fit(h, 0, &a, &b) == -1)
			return restart(h);
	} else {
		for (from = 0; from <= h->n - 3; from++) {
			if (fit(h, from, &a, &b) == -1)
				return restart(h);
			if (fabs(a) <= HWCLK_MISS_RATIO * last->err_s)
				break;
		}
		if (from > h->n - 3)
			return restart(h);
		drop_oldest(h, from);
	}
	if (!(fabs(b - 1.0) <= HWCLK_MAX_FREQ_PPM * 1e-6))
		return restart(h);
	h->a = a;
	h->b = b;
	h->valid = h->n >= h->p.min_samples;
	return h->valid ? HWCLK_OK : HWCLK_FEW;
}

/* The smallest error among the samples held. */
static double
min_err(const struct hwclk *h)
{
	double	 m = h->s[0].err_s;
	int	 i;

	for (i = 1; i < h->n; i++)
		if (h->s[i].err_s < m)
			m = h->s[i].err_s;
	return m;
}

/* An error far above the smallest, m. */
static int
too_slow(const struct hwclk *h, double err, double m)
{
	return err > HWCLK_DELAY_RATIO * m &&
	    err > m + 2.0 * h->p.precision_s;
}

/* Drop the samples far slower than the newest (taken after a restart). */
static void
drop_slow(struct hwclk *h)
{
	double	 m = min_err(h);
	int	 i, k;

	for (i = k = 0; i < h->n; i++)
		if (!too_slow(h, h->s[i].err_s, m))
			h->s[k++] = h->s[i];
	h->n = k;
}

enum hwclk_reason
hwclk_add(struct hwclk *h, const struct hwclk_sample *s)
{
	const struct hwclk_sample	*last;
	int				 restarted = 0;

	if (!(s->err_s >= 0.0 && s->err_s <= MAX_ERR_S))
		return HWCLK_ERR_VALUE;
	if (h->n > 0) {
		last = &h->s[h->n - 1];
		/* a step back, or samples too close to fit (chrony's) */
		if (s->hw_ns <= last->hw_ns || s->sys_ns <= last->sys_ns ||
		    diff_s(s->sys_ns, last->sys_ns) <
		    h->p.min_separation_s / 2) {
			h->n = 0;
			restarted = 1;
		}
	}
	if (h->n > 0 && too_slow(h, s->err_s, min_err(h))) {
		if (++h->rejects <= HWCLK_MAX_REJECT)
			return HWCLK_ERR_DELAY;
		h->n = 0;
		restarted = 1;
	}
	h->rejects = 0;
	if (h->n == h->p.max_samples)
		drop_oldest(h, 1);
	h->s[h->n++] = *s;
	/* never below the precision: the weights divide by it */
	if (h->s[h->n - 1].err_s < h->p.precision_s)
		h->s[h->n - 1].err_s = h->p.precision_s;
	if (restarted) {
		h->valid = 0;
		return HWCLK_RESET;
	}
	drop_slow(h);
	return refit(h);
}

int
hwclk_needs_sample(const struct hwclk *h, int64_t now_ns)
{
	return h->n == 0 || fabs(diff_s(now_ns, h->s[h->n - 1].sys_ns)) >=
	    h->p.min_separation_s;
}

int
hwclk_cook(const struct hwclk *h, int64_t hw_ns, int64_t *sys_ns,
    double *err_s)
{
	const struct hwclk_sample	*ref;

	if (!h->valid)
		return -1;
	ref = &h->s[h->n - 1];
	*sys_ns = add_ns(ref->sys_ns, (diff_s(hw_ns, ref->hw_ns) - h->a) /
	    h->b);
	if (err_s != NULL)
		*err_s = ref->err_s;
	return 0;
}

int
hwclk_estimate(const struct hwclk *h, struct hwclk_est *e)
{
	const struct hwclk_sample	*ref;

	memset(e, 0, sizeof(*e));
	if (!h->valid)
		return -1;
	ref = &h->s[h->n - 1];
	e->n = h->n;
	e->sys_ns = ref->sys_ns;
	e->offset_ns = add_ns(sub_ns(ref->hw_ns, ref->sys_ns), h->a);
	e->freq_ppm = (h->b - 1.0) * 1e6;
	e->err_s = ref->err_s;
	return 0;
}

void
hwclk_correct(struct hwclk *h, int64_t now_ns, double dfreq_ppm,
    double doffset_s)
{
	double	 dfreq = dfreq_ppm * 1e-6, d;
	int	 i;

	if (h->n == 0)
		return;
	if (!isfinite(dfreq_ppm) || !isfinite(doffset_s) ||
	    fabs(dfreq_ppm) > MAX_CORR_DFREQ_PPM) {
		hwclk_reset(h);
		return;
	}
	for (i = 0; i < h->n; i++) {
		d = doffset_s + dfreq * diff_s(h->s[i].sys_ns, now_ns);
		if (!(fabs(d) <= MAX_CORR_DELTA_S)) {
			hwclk_reset(h);
			return;
		}
	}
	for (i = 0; i < h->n; i++) {
		d = doffset_s + dfreq * diff_s(h->s[i].sys_ns, now_ns);
		h->s[i].sys_ns = add_ns(h->s[i].sys_ns, -d);
	}
	if (h->valid)
		refit(h);
}

void
hwclk_reset(struct hwclk *h)
{
	h->n = 0;
	h->valid = 0;
	h->rejects = 0;
}

const char *
hwclk_reason_name(enum hwclk_reason why)
{
	if ((unsigned int)why >= HWCLK_NREASONS)
		return "unknown";
	return reason_names[why];
}
