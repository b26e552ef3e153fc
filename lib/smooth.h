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
 * smoothtime: the time the server serves is its clock's plus an offset
 * that takes each correction of the clock back slowly, so that clients
 * see no jump and no sudden change of rate.  A correction adds to the
 * offset (and to its rate), and the offset is then brought back to zero
 * as fast as the limits allow: its rate within max_freq, the change of
 * its rate within max_wander.  Three stages: the rate changes at
 * max_wander (toward zero offset), stays at most max_freq, and comes
 * back to zero at max_wander; the offset is their integral.
 */

#ifndef TIMED_SMOOTH_H
#define TIMED_SMOOTH_H

#include <stdint.h>

/*
 * Corrections are smoothed only once the clock's skew and the frequency
 * correction just made, over max_wander, are under this many seconds
 * (chrony's ratio): a clock still finding its frequency is not hidden
 * from the clients.
 */
#define SMOOTH_UNLOCK_RATIO	10000.0

struct smooth_stage {
	double	accel;		/* s/s^2: the rate's change */
	double	len;		/* s */
};

struct smooth {
	double		max_freq;	/* s/s */
	double		max_wander;	/* s/s^2; 0: smoothing off */
	int		leaponly;	/* only leap seconds that the engine
					   slews (smooth_leap()) */
	int		active;		/* unlocked: corrections smoothed */
	int64_t		at_ns;		/* the plan's start, the clock's time */
	double		offset_s;	/* at at_ns: + served ahead of the clock */
	double		rate;		/* its rate then, per second of the clock */
	struct smooth_stage st[3];
};

/* max_freq_ppm, max_wander_ppm (per second) > 0: enabled. */
void	smooth_init(struct smooth *, double max_freq_ppm,
	    double max_wander_ppm, int leaponly);
int	smooth_enabled(const struct smooth *);
/* The offset to add to the clock's time now (s); rate and accel if wanted. */
double	smooth_offset(const struct smooth *, int64_t now_ns, double *rate,
	    double *accel);
/* Seconds until the offset is back to zero (0: it is). */
double	smooth_remaining(const struct smooth *, int64_t now_ns);
/*
 * The clock was corrected; now_ns is its time after.  doffset_s was taken
 * off it (+ moved back) and its compensation grew by dfreq_ppm (it runs
 * slower by that much); skew_ppm is its frequency's uncertainty.  The
 * first correction after the skew fell enough unlocks the smoothing and
 * is not smoothed; in leaponly mode the first unlocks it and none is.
 */
void	smooth_correct(struct smooth *, int64_t now_ns, double doffset_s,
	    double dfreq_ppm, double skew_ppm);
/*
 * The engine slews the clock by a leap second (leapsecmode slew): leap
 * s taken off it (+1 inserted), hidden from the clients like a
 * correction; in leaponly mode this is the one thing smoothed.
 */
void	smooth_leap(struct smooth *, int64_t now_ns, int leap);
/* The clock was stepped: serve it as it is. */
void	smooth_reset(struct smooth *, int64_t now_ns);

#endif
