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

#include <math.h>
#include <string.h>

#include "fbdrift.h"

/* a timer may wake a little before its time */
#define SLACK_S		1e-3

void
fbdrift_init(struct fbdrift *f, int min, int max)
{
	memset(f, 0, sizeof(*f));
	if (min < FBDRIFT_MIN || max > FBDRIFT_MAX || min > max)
		return;
	f->min = min;
	f->max = max;
}

/* 2^i seconds, i within FBDRIFT_MIN..MAX */
static double
span(int i)
{
	return (double)(1ULL << i);
}

void
fbdrift_update(struct fbdrift *f, double freq_ppm, double interval_s)
{
	double	 last = f->last_interval_s;
	int	 i;

	f->next = 0;
	if (f->min == 0 || !isfinite(freq_ppm) || !isfinite(interval_s))
		return;
	f->last_interval_s = interval_s;
	if (interval_s < 1.0 || (last > 0.0 && interval_s > last * 4.0))
		return;
	for (i = f->min; i <= f->max; i++) {
		if (f->secs[i] < span(i)) {
			/* the mean over twice its span, then ... */
			f->freq_ppm[i] = (f->freq_ppm[i] * f->secs[i] +
			    interval_s * 0.5 * freq_ppm) /
			    (interval_s * 0.5 + f->secs[i]);
			f->secs[i] += interval_s * 0.5;
		} else {
			/* ... an exponential average */
			f->freq_ppm[i] += (1.0 - exp(-interval_s / span(i))) *
			    (freq_ppm - f->freq_ppm[i]);
		}
	}
}

int
fbdrift_due(struct fbdrift *f, double unsync_s, double *freq_ppm,
    double *wait_s)
{
	int	 i, c = 0, set = 0;

	*wait_s = -1.0;
	if (f->min == 0)
		return 0;
	for (i = f->min; i <= f->max; i++) {
		if (f->secs[i] < span(i))
			continue;	/* not full yet */
		if (unsync_s + SLACK_S < span(i) && i > f->next)
			break;
		c = i;
	}
	if (c > f->next) {
		*freq_ppm = f->freq_ppm[c];
		f->next = c;
		set = 1;
	}
	/* the next full one, when its time comes */
	for (; i <= f->max; i++)
		if (f->secs[i] >= span(i) && unsync_s + SLACK_S < span(i)) {
			*wait_s = span(i) - unsync_s;
			break;
		}
	return set;
}
