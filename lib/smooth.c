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

/* smoothtime's offset (smooth.h). */

#include <math.h>
#include <string.h>

#include "smooth.h"

void
smooth_init(struct smooth *s, double max_freq_ppm, double max_wander_ppm,
    int leaponly)
{
	memset(s, 0, sizeof(*s));
	if (!(max_freq_ppm > 0.0) || !(max_wander_ppm > 0.0))
		return;
	s->max_freq = max_freq_ppm * 1e-6;
	s->max_wander = max_wander_ppm * 1e-6;
	s->leaponly = leaponly;
}

int
smooth_enabled(const struct smooth *s)
{
	return s->max_wander > 0.0;
}

double
smooth_offset(const struct smooth *s, int64_t now_ns, double *rate_out,
    double *accel_out)
{
	double	 e = (double)(now_ns - s->at_ns) * 1e-9, o = s->offset_s;
	double	 r = s->rate, a = 0.0, l;
	int	 i;

	for (i = 0; i < 3 && e > 0.0; i++) {
		l = s->st[i].len < e ? s->st[i].len : e;
		a = s->st[i].accel;
		o += l * (r + a * l / 2.0);
		r += a * l;
		e -= l;
	}
	if (e > 0.0) {
		a = 0.0;
		o += r * e;
	}
	if (rate_out != NULL)
		*rate_out = r;
	if (accel_out != NULL)
		*accel_out = a;
	return o;
}

double
smooth_remaining(const struct smooth *s, int64_t now_ns)
{
	double	 left = s->st[0].len + s->st[1].len + s->st[2].len -
	    (double)(now_ns - s->at_ns) * 1e-9;

	return left > 0.0 ? left : 0.0;
}

/*
 * The fastest way from (offset_s, rate) to rest at zero: brake now and the
 * offset would stop at `stop'; so go the other way, at a rate g that
 * changes by max_wander to a peak (at most max_freq), perhaps held, then
 * back to zero, the distance y covered.  From rate g to the peak p takes
 * (p^2 - g^2) / 2W, braking from p p^2 / 2W.
 */
static void
plan(struct smooth *s)
{
	double	 w = s->max_wander, f = s->max_freq, o = s->offset_s;
	double	 stop, d, g, y, p, coast;

	memset(s->st, 0, sizeof(s->st));
	stop = o + s->rate * fabs(s->rate) / (2.0 * w);
	d = stop > 0.0 ? -1.0 : 1.0;
	g = d * s->rate;
	y = -d * o;
	if (g > f) {
		/* faster than max_freq already: brake to it first */
		s->st[0].accel = -d * w;
		s->st[0].len = (g - f) / w;
		coast = y - g * g / (2.0 * w);
		p = f;
	} else {
		p = w * y + g * g / 2.0;
		p = p > 0.0 ? sqrt(p) : 0.0;
		coast = 0.0;
		if (p > f) {
			coast = y - (2.0 * f * f - g * g) / (2.0 * w);
			p = f;
		}
		s->st[0].accel = d * w;
		s->st[0].len = p > g ? (p - g) / w : 0.0;
	}
	s->st[1].len = coast > 0.0 ? coast / p : 0.0;
	s->st[2].accel = -d * w;
	s->st[2].len = p / w;
}

void
smooth_correct(struct smooth *s, int64_t now_ns, double doffset_s,
    double dfreq_ppm, double skew_ppm)
{
	double	 d;

	if (!smooth_enabled(s))
		return;
	if (!s->active) {
		/* the skew, and how far the frequency just was off */
		if (s->leaponly || (skew_ppm + fabs(dfreq_ppm)) * 1e-6 /
		    s->max_wander < SMOOTH_UNLOCK_RATIO) {
			s->active = 1;
			smooth_reset(s, now_ns);
		}
		return;
	}
	if (s->leaponly)
		return;
	/*
	 * The clock's time now runs at 1 - d times its rate before, so the
	 * served time (the clock's plus the offset) keeps its rate if
	 * 1 + rate becomes (1 + rate) / (1 - d).
	 */
	d = dfreq_ppm * 1e-6;
	s->offset_s = smooth_offset(s, now_ns, &s->rate, NULL) + doffset_s;
	s->rate = (s->rate + d) / (1.0 - d);
	s->at_ns = now_ns;
	plan(s);
}

void
smooth_leap(struct smooth *s, int64_t now_ns, int leap)
{
	if (!smooth_enabled(s) || (!s->active && !s->leaponly))
		return;
	s->active = 1;
	s->offset_s = smooth_offset(s, now_ns, &s->rate, NULL) + leap;
	s->at_ns = now_ns;
	plan(s);
}

void
smooth_reset(struct smooth *s, int64_t now_ns)
{
	s->offset_s = 0.0;
	s->rate = 0.0;
	s->at_ns = now_ns;
	memset(s->st, 0, sizeof(s->st));
}
