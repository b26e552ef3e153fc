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
 * A source's offset and frequency from a bank of Kalman filters.  Pure.
 *
 * Each filter tracks the offset y(t) = x0 + x1 (t - t0) of a clock whose
 * frequency x1 takes a random walk of spectral density q (s^2/s^3), read
 * through samples whose error is s0 (the timestamps' own noise) plus
 * what the queues can have added: a sample whose delay is 2 e above the
 * smallest can be off by anything up to e, as evenly, a variance of
 * e^2 / 3.  The filters differ in q and s0, which no network states;
 * how well each predicted the recent samples (the likelihood of its
 * innovations, forgetting the old) weighs its estimate in the bank's.
 */

#ifndef TIMED_KF_H
#define TIMED_KF_H

#include <stdint.h>

#define KF_NQ	15	/* q from 1e-24 to 1e-10, a decade apart */
#define KF_NS	13	/* s0 from 1e-9 to 1e-3 s, half a decade apart */

struct kf_model {
	double	x0, x1;		/* offset at t, frequency (s/s) */
	double	p00, p01, p11;	/* their covariance */
	double	loglik;		/* forgetting sum of innovation log-likelihoods */
};

struct kf {
	int		n;		/* samples taken since the reset */
	int64_t		t_ns;		/* time of the state */
	struct kf_model	m[KF_NQ * KF_NS];
};

struct kf_est {
	double	offset_s;	/* at the time asked */
	double	freq;		/* s/s, + local clock fast */
	double	freq_sd;	/* the bank's, over its filters */
	double	q;		/* the most likely filter's */
};

void	kf_reset(struct kf *);
/* A sample at t_ns, its offset and the excess e of its distance. */
void	kf_update(struct kf *, int64_t t_ns, double offset_s, double e_s);
int	kf_estimate(const struct kf *, int64_t t_ns, struct kf_est *);
/* The source's clock was moved: as sst_shift(). */
void	kf_shift(struct kf *, double doffset_s);
/* The local clock was moved: as sst_correct(). */
void	kf_correct(struct kf *, int64_t now_ns, double dfreq,
	    double doffset_s);

#endif
