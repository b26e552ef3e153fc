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
 * The bank of Kalman filters (kf.h).  A multiple-model estimator: every
 * filter runs on every sample, and the bank's estimate is the mean of
 * theirs weighted by how likely each made the recent samples.
 */

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kf.h"

/* The filters' q (s^2/s^3) and s0 (s): the bank is every pair. */
static const double qs[KF_NQ] = {
	1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17,
	1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10
};
static const double s0s[KF_NS] = {
	1e-9, 3.16e-9, 1e-8, 3.16e-8, 1e-7, 3.16e-7, 1e-6, 3.16e-6,
	1e-5, 3.16e-5, 1e-4, 3.16e-4, 1e-3
};
/* The first frequency's standard deviation, s/s (chrony's 2000 ppm). */
#define FREQ0_SD	2e-3
/* A filter's past likelihood counts this much less per sample. */
#define FORGET		0.95
/* Never quite certain: the smallest variances held. */
#define MIN_VAR		1e-30

static double
kf_diff_s(int64_t a, int64_t b)
{
	return (double)(int64_t)((uint64_t)a - (uint64_t)b) * 1e-9;
}

void
kf_reset(struct kf *k)
{
	k->n = 0;
}

void
kf_update(struct kf *k, int64_t t_ns, double y, double e)
{
	struct kf_model	*m;
	double		 dt, q, s0, r, s, v, k0, k1, p00, p01, p11;
	int		 i;

	if (!isfinite(y) || !isfinite(e) || e < 0.0)
		return;
	dt = k->n > 0 ? kf_diff_s(t_ns, k->t_ns) : 0.0;
	if (dt < 0.0)
		dt = 0.0;
	for (i = 0; i < KF_NQ * KF_NS; i++) {
		m = &k->m[i];
		q = qs[i / KF_NS];
		s0 = s0s[i % KF_NS];
		r = s0 * s0 + e * e / 3.0;
		if (k->n == 0) {
			m->x0 = y;
			m->x1 = 0.0;
			m->p00 = r;
			m->p01 = 0.0;
			m->p11 = FREQ0_SD * FREQ0_SD;
			m->loglik = 0.0;
			continue;
		}
		/* predict */
		m->x0 += m->x1 * dt;
		p00 = m->p00 + dt * (2.0 * m->p01 + dt * m->p11) +
		    q * dt * dt * dt / 3.0;
		p01 = m->p01 + dt * m->p11 + q * dt * dt / 2.0;
		p11 = m->p11 + q * dt;
		/* update */
		s = p00 + r;
		v = y - m->x0;
		m->loglik = FORGET * m->loglik - 0.5 * (v * v / s + log(s));
		k0 = p00 / s;
		k1 = p01 / s;
		m->x0 += k0 * v;
		m->x1 += k1 * v;
		m->p00 = p00 * r / s;
		m->p01 = p01 * r / s;
		m->p11 = p11 - p01 * p01 / s;
		if (m->p00 < MIN_VAR)
			m->p00 = MIN_VAR;
		if (m->p11 < MIN_VAR)
			m->p11 = MIN_VAR;
	}
	k->t_ns = t_ns;
	k->n++;
}

int
kf_estimate(const struct kf *k, int64_t t_ns, struct kf_est *e)
{
	const struct kf_model	*m;
	double			 w[KF_NQ * KF_NS], lmax = 0.0, sw = 0.0;
	double			 dt, x1, v1 = 0.0;
	int			 i, best = 0;

	if (k->n == 0)
		return -1;
	dt = kf_diff_s(t_ns, k->t_ns);
	for (i = 0; i < KF_NQ * KF_NS; i++)
		if (i == 0 || k->m[i].loglik > lmax) {
			lmax = k->m[i].loglik;
			best = i;
		}
	memset(e, 0, sizeof(*e));
	for (i = 0; i < KF_NQ * KF_NS; i++) {
		m = &k->m[i];
		w[i] = exp(m->loglik - lmax);
		sw += w[i];
		e->offset_s += w[i] * (m->x0 + m->x1 * dt);
		e->freq += w[i] * m->x1;
	}
	e->offset_s /= sw;
	e->freq /= sw;
	for (i = 0; i < KF_NQ * KF_NS; i++) {
		x1 = k->m[i].x1 - e->freq;
		v1 += w[i] * (k->m[i].p11 + x1 * x1);
	}
	e->freq_sd = sqrt(v1 / sw);
	e->q = qs[best / KF_NS];
	return 0;
}

void
kf_shift(struct kf *k, double doffset_s)
{
	int	 i;

	for (i = 0; i < KF_NQ * KF_NS; i++)
		k->m[i].x0 += doffset_s;
}

void
kf_correct(struct kf *k, int64_t now_ns, double dfreq, double doffset_s)
{
	double	 d;
	int	 i;

	if (k->n == 0)
		return;
	d = doffset_s + dfreq * kf_diff_s(k->t_ns, now_ns);
	for (i = 0; i < KF_NQ * KF_NS; i++) {
		k->m[i].x0 -= d;
		k->m[i].x1 -= dfreq;
	}
	k->t_ns = (int64_t)((uint64_t)k->t_ns - (uint64_t)llround(d * 1e9));
}
