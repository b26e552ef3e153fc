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
 * The median filter of reference clock samples, after chrony 4.3's
 * documentation of `filter` and `maxdispersion` and the ideas of its
 * samplefilt.c.
 *
 * At a poll: with more than 4 samples, those whose dispersion is within
 * 1.5 times the smallest are chosen (all, if fewer than 4 are); they are
 * ordered by offset and 40% of them, the same number from each end, are
 * dropped (at least one from each end of 3 or more, at most up to the
 * median); the rest are averaged.  The dispersion of the average comes
 * from its spread, and is replaced by the long-run average spread unless
 * the spread now is significantly smaller (a chi-square test at 90%), so
 * that a few quiet samples do not make the source look better than it is.
 */

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reffilt.h"

#define KEEP_RATIO	0.6	/* of the samples, averaged (chrony's) */
#define DISP_RATIO	1.5	/* dispersions chosen, of the smallest */
#define MIN_VAR		1e-20	/* variance floor, s^2 */
#define AVG_VAR_N	50	/* degrees of freedom in the long-run mean */
#define MAX_CORR_DFREQ_PPM	1e6	/* beyond: forget everything */
#define MAX_CORR_DELTA_S	1e6
#define Z90		1.2815515655	/* the normal distribution's 90% */

struct reffilt {
	struct reffilt_params	 p;
	int			 min_samples;
	int			 used;		/* held since the last poll */
	int			 next;		/* slot of the next sample */
	int			 have_last;
	struct reffilt_sample	 last;		/* the newest, past polls too */
	double			 avg_var;	/* long-run variance, s^2 */
	int			 avg_var_n;	/* its degrees of freedom */
	struct reffilt_sample	 s[REFFILT_MAX_LENGTH];
	int			 sel[REFFILT_MAX_LENGTH];
};

static const char *const reason_names[REFFILT_NREASONS] = {
	"ok", "bad value", "bad age", "too few samples",
	"dispersion over maxdispersion"
};

/* a - b in seconds; wraps rather than overflows on absurd input. */
static double
diff_s(int64_t a_ns, int64_t b_ns)
{
	return (double)(int64_t)((uint64_t)a_ns - (uint64_t)b_ns) / 1e9;
}

/* t + d_s, wrapping as diff_s(). */
static int64_t
add_ns(int64_t t_ns, double d_s)
{
	return (int64_t)((uint64_t)t_ns + (uint64_t)llround(d_s * 1e9));
}

/* 2^e seconds, for e within the poll's range. */
static double
pow2(int e)
{
	return e >= 0 ? (double)(1LL << e) : 1.0 / (double)(1LL << -e);
}

/*
 * The 90% quantile of the chi-square distribution with k degrees of
 * freedom, by Wilson and Hilferty's approximation (within 3% of the
 * tables at k = 1, closer above).
 */
static double
chi2_90(int k)
{
	double	 a = 2.0 / (9.0 * k), c = 1.0 - a + Z90 * sqrt(a);

	return k * c * c * c;
}

struct reffilt *
reffilt_new(const struct reffilt_params *p)
{
	struct reffilt	*f;

	if (p->length < 1 || p->length > REFFILT_MAX_LENGTH ||
	    !(p->max_disp_s >= 0.0 && p->max_disp_s < 1e9) ||
	    !(p->precision_s > 0.0 && p->precision_s < 1.0) ||
	    p->poll_log2 < REFFILT_MIN_POLL || p->poll_log2 > REFFILT_MAX_POLL)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->p = *p;
	f->min_samples = p->length < REFFILT_MIN_SAMPLES ? p->length :
	    REFFILT_MIN_SAMPLES;
	if (p->ntp)
		f->min_samples = 1;
	f->avg_var = p->precision_s * p->precision_s;
	return f;
}

void
reffilt_free(struct reffilt *f)
{
	free(f);
}

static int
nonneg(double v)
{
	return v >= 0.0 && v < 1e9;	/* false for NaN */
}

static int
sample_ok(const struct reffilt_sample *s)
{
	return isfinite(s->offset_s) && fabs(s->offset_s) < 1e9 &&
	    nonneg(s->disp_s) && nonneg(s->delay_s) &&
	    nonneg(s->root_delay_s) && nonneg(s->root_disp_s);
}

enum reffilt_reason
reffilt_add(struct reffilt *f, const struct reffilt_sample *s,
    int64_t now_ns)
{
	double	 age;

	if (!sample_ok(s))
		return REFFILT_ERR_VALUE;
	if (s->time_ns > now_ns)
		return REFFILT_ERR_AGE;
	age = diff_s(now_ns, s->time_ns);
	if (age < 0.0 || age > pow2(f->p.poll_log2 + 1))
		return REFFILT_ERR_AGE;
	f->s[f->next] = *s;
	f->next = (f->next + 1) % f->p.length;
	if (f->used < f->p.length)
		f->used++;
	f->last = *s;
	f->have_last = 1;
	return REFFILT_OK;
}

/* Choose the samples to average; their slots in f->sel, how many. */
static int
select_samples(struct reffilt *f)
{
	double	 min_disp;
	int	 i, j, k, n, from, t;

	n = 0;
	if (f->used > REFFILT_MIN_SAMPLES) {
		min_disp = f->s[0].disp_s;
		for (i = 1; i < f->used; i++)
			if (f->s[i].disp_s < min_disp)
				min_disp = f->s[i].disp_s;
		for (i = 0; i < f->used; i++)
			if (f->s[i].disp_s <= DISP_RATIO * min_disp)
				f->sel[n++] = i;
	}
	if (n < REFFILT_MIN_SAMPLES)
		for (n = 0; n < f->used; n++)
			f->sel[n] = n;

	/* by offset (insertion sort: at most 256, once a poll) */
	for (i = 1; i < n; i++) {
		t = f->sel[i];
		for (j = i; j > 0 &&
		    f->s[f->sel[j - 1]].offset_s > f->s[t].offset_s; j--)
			f->sel[j] = f->sel[j - 1];
		f->sel[j] = t;
	}

	/* drop the same number from each end; NTP: all but the middle */
	from = 0;
	if (n > 2) {
		from = (int)(n * (1.0 - (f->p.ntp ? 0.0 : KEEP_RATIO)) / 2.0);
		if (from < 1)
			from = 1;
		if (from > (n - 1) / 2)
			from = (n - 1) / 2;
	}
	for (k = 0, i = from; i < n - from; i++)
		f->sel[k++] = f->sel[i];
	return k;
}

/*
 * Spread of the n chosen samples: their variance (s^2) and the standard
 * error of their mean, with the degrees of freedom.  A weighted regression
 * of offset on time (weights 1/dispersion) from 4 samples; the sample
 * variance for 2 or 3; the long-run variance for 1.
 */
static void
spread(const struct reffilt *f, int n, int64_t t0, double mean_x,
    double *var, double *sd_mean, int *dof)
{
	const struct reffilt_sample	*s;
	double				 w, sw, swx, u, x, sy, sxy, sxx;
	double				 b0, b1, r, ss, sb1;
	int				 i;

	if (n == 1) {
		*var = f->avg_var;
		*sd_mean = sqrt(*var);
		*dof = 1;
		return;
	}
	if (n < 4) {
		for (i = 0, sy = 0.0; i < n; i++)
			sy += f->s[f->sel[i]].offset_s;
		sy /= n;
		for (i = 0, ss = 0.0; i < n; i++) {
			r = f->s[f->sel[i]].offset_s - sy;
			ss += r * r;
		}
		*var = ss / (n - 1);
		*sd_mean = sqrt(*var);
		*dof = n - 1;
		return;
	}

	sw = swx = 0.0;
	for (i = 0; i < n; i++) {
		s = &f->s[f->sel[i]];
		w = 1.0 / (s->disp_s > 1e-12 ? s->disp_s : 1e-12);
		sw += w;
		swx += w * (diff_s(s->time_ns, t0) - mean_x);
	}
	u = swx / sw;
	sy = sxy = sxx = 0.0;
	for (i = 0; i < n; i++) {
		s = &f->s[f->sel[i]];
		w = 1.0 / (s->disp_s > 1e-12 ? s->disp_s : 1e-12);
		x = diff_s(s->time_ns, t0) - mean_x - u;
		sy += w * s->offset_s;
		sxy += w * s->offset_s * x;
		sxx += w * x * x;
	}
	b1 = sxx > 0.0 ? sxy / sxx : 0.0;
	b0 = sy / sw - b1 * u;
	for (i = 0, ss = 0.0; i < n; i++) {
		s = &f->s[f->sel[i]];
		w = 1.0 / (s->disp_s > 1e-12 ? s->disp_s : 1e-12);
		x = diff_s(s->time_ns, t0) - mean_x;
		r = s->offset_s - b0 - b1 * x;
		ss += w * r * r;
	}
	ss /= n - 2;
	sb1 = sxx > 0.0 ? sqrt(ss / sxx) : 0.0;
	*sd_mean = sqrt(ss / sw + u * sb1 * u * sb1);
	*var = ss * n / sw;	/* the weighted mean of the variances */
	*dof = n - 2;
}

enum reffilt_reason
reffilt_get(struct reffilt *f, struct reffilt_sample *out)
{
	const struct reffilt_sample	*s;
	double				 mean_x, mean_y, mean_disp, var, disp;
	double				 prev_avg, mean_delay, mean_rdelay;
	double				 mean_rdisp;
	int64_t				 t0;
	int				 i, n, dof;

	memset(out, 0, sizeof(*out));
	if (f->used < f->min_samples)
		return REFFILT_ERR_FEW;
	n = select_samples(f);

	/* times from the first chosen one, which keeps them small */
	t0 = f->s[f->sel[0]].time_ns;
	mean_x = mean_y = mean_disp = 0.0;
	mean_delay = mean_rdelay = mean_rdisp = 0.0;
	for (i = 0; i < n; i++) {
		s = &f->s[f->sel[i]];
		mean_x += diff_s(s->time_ns, t0);
		mean_y += s->offset_s;
		mean_disp += s->disp_s;
		mean_delay += s->delay_s;
		mean_rdelay += s->root_delay_s;
		mean_rdisp += s->root_disp_s;
	}
	mean_x /= n;
	mean_y /= n;
	mean_disp /= n;
	mean_delay /= n;
	mean_rdelay /= n;
	mean_rdisp /= n;

	spread(f, n, t0, mean_x, &var, &disp, &dof);
	if (!(var >= MIN_VAR)) {
		var = MIN_VAR;
		disp = sqrt(var);
	}
	if (f->p.max_disp_s > 0.0 && var > f->p.max_disp_s * f->p.max_disp_s)
		return REFFILT_ERR_DISP;

	prev_avg = f->avg_var;
	if (f->avg_var_n > AVG_VAR_N) {
		f->avg_var += dof / (dof + (double)AVG_VAR_N) *
		    (var - f->avg_var);
	} else {
		f->avg_var = (f->avg_var * f->avg_var_n + var * dof) /
		    (dof + f->avg_var_n);
		if (f->avg_var_n == 0)
			prev_avg = f->avg_var;
		f->avg_var_n += dof;
	}
	/* not significantly smaller than usual: the usual spread */
	if (var * dof / chi2_90(dof) < prev_avg)
		disp = sqrt(f->avg_var) * disp / sqrt(var);

	out->time_ns = add_ns(t0, mean_x);
	out->offset_s = mean_y;
	out->disp_s = disp > mean_disp ? disp : mean_disp;
	out->delay_s = mean_delay;
	out->root_delay_s = mean_rdelay;
	out->root_disp_s = disp > mean_rdisp ? disp : mean_rdisp;
	f->used = 0;
	f->next = 0;
	return REFFILT_OK;
}

int
reffilt_count(const struct reffilt *f)
{
	return f->used;
}

int
reffilt_last(const struct reffilt *f, struct reffilt_sample *s)
{
	if (!f->have_last)
		return -1;
	*s = f->last;
	return 0;
}

double
reffilt_avg_disp(const struct reffilt *f)
{
	return sqrt(f->avg_var);
}

void
reffilt_reset(struct reffilt *f)
{
	f->used = 0;
	f->next = 0;
	f->have_last = 0;
}

/* How much the correction moves a sample at t_ns, seconds. */
static double
delta_s(int64_t t_ns, int64_t now_ns, double dfreq, double doffset_s)
{
	return doffset_s + dfreq * diff_s(t_ns, now_ns);
}

static void
correct_one(struct reffilt_sample *s, double d)
{
	s->offset_s -= d;
	s->time_ns = add_ns(s->time_ns, -d);
}

void
reffilt_correct(struct reffilt *f, int64_t now_ns, double dfreq_ppm,
    double doffset_s)
{
	double	 dfreq = dfreq_ppm * 1e-6;
	int	 i;

	if (!isfinite(dfreq_ppm) || !isfinite(doffset_s) ||
	    fabs(dfreq_ppm) > MAX_CORR_DFREQ_PPM) {
		reffilt_reset(f);
		return;
	}
	/* a correction no clock makes: what is held is meaningless */
	for (i = 0; i < f->used; i++)
		if (!(fabs(delta_s(f->s[i].time_ns, now_ns, dfreq,
		    doffset_s)) <= MAX_CORR_DELTA_S))
			break;
	if (i < f->used || (f->have_last && !(fabs(delta_s(f->last.time_ns,
	    now_ns, dfreq, doffset_s)) <= MAX_CORR_DELTA_S))) {
		reffilt_reset(f);
		return;
	}
	for (i = 0; i < f->used; i++)
		correct_one(&f->s[i], delta_s(f->s[i].time_ns, now_ns, dfreq,
		    doffset_s));
	if (f->have_last)
		correct_one(&f->last, delta_s(f->last.time_ns, now_ns, dfreq,
		    doffset_s));
}

void
reffilt_add_disp(struct reffilt *f, double disp_s)
{
	int	 i;

	if (!(disp_s >= 0.0 && disp_s < 1e9))
		return;
	for (i = 0; i < f->used; i++)
		f->s[i].disp_s += disp_s;
	if (f->have_last)
		f->last.disp_s += disp_s;
}

int
reffilt_length(int length, int poll_log2, int dpoll_log2)
{
	int	 d = poll_log2 - dpoll_log2;

	if (d <= 0)
		return 1;
	if (d < 8 && length > (1 << d))
		return 1 << d;
	return length;
}

const char *
reffilt_reason_name(enum reffilt_reason why)
{
	if ((unsigned int)why >= REFFILT_NREASONS)
		return "unknown";
	return reason_names[why];
}
