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
 * Completing PPS pulses (chrony's PPS refclock with `lock REFID`, `rate`,
 * `maxlockage` and `width`): a pulse marks the start of a second (of a
 * 1/rate period), but not which one; the offset of another clock, the
 * one locked to, says which.  Pure: times and offsets come in.
 *
 * Signs: offsets + the local clock is ahead.  A pulse's offset is the
 * local time of its edge less the true time of the edge, known only
 * modulo the period (for a PPS device, the fraction of a second of the
 * edge's timestamp, ppslock_edge_offset(), less the refclock's `offset`
 * option).
 */

#ifndef TIMED_PPSLOCK_H
#define TIMED_PPSLOCK_H

#include <stdint.h>

/*
 * The clock locked to must agree with the pulse to within this part of
 * the period, its dispersion and the pulse's included: the second is
 * then not in doubt (chrony's PPS_LOCK_LIMIT, 0.4 / rate: an NMEA
 * receiver's time 0.35 s late locks).
 */
#define PPSLOCK_MAX_ERR_FRAC	0.4
#define PPSLOCK_MAX_RATE	1000
#define PPSLOCK_DEFAULT_LOCK_AGE 2	/* maxlockage, in pulses */

struct ppslock_params {
	int	rate_hz;	/* `rate`: pulses a second, 1..1000 */
	int	max_lock_age;	/* `maxlockage`: pulses, >= 1 */
	double	width_s;	/* `width`, < the period; 0: not checked */
};

/* The newest raw sample of the clock locked to (reffilt_last()). */
struct ppslock_ref {
	int64_t	time_ns;	/* its local time */
	double	offset_s;	/* + the local clock is ahead */
	double	disp_s;		/* its dispersion plus the long-run spread
				   of its samples (reffilt_avg_disp()) */
};

enum ppslock_reason {
	PPSLOCK_OK = 0,
	PPSLOCK_ERR_VALUE,	/* NaN, infinity, a negative dispersion, a
				   parameter out of range */
	PPSLOCK_ERR_NO_REF,	/* the clock locked to has no sample */
	PPSLOCK_ERR_AGE,	/* its sample is max_lock_age pulses or more
				   from the pulse */
	PPSLOCK_ERR_OFFSET,	/* it does not say which second */
	PPSLOCK_ERR_EDGE,	/* width: the pulse's other edge, or too
				   uncertain to tell */
	PPSLOCK_ERR_SYNC,	/* not locked: the local clock itself is not
				   synchronised well enough */
	PPSLOCK_NREASONS
};

/*
 * The offset of an edge at local time edge_ns from the nearest period
 * boundary, in [-0.5 / rate, 0.5 / rate) s: + the edge came late by the
 * local clock, i.e. the local clock is ahead.
 */
double			 ppslock_edge_offset(int64_t edge_ns, int rate_hz);
/* An offset known modulo the period, brought into [-0.5, 0.5) / rate. */
double			 ppslock_reduce(double offset_s, int rate_hz);

/*
 * Lock a pulse at local time pulse_ns, with an offset known modulo the
 * period and its dispersion, to the clock whose newest sample is ref
 * (NULL: it has none): the pulse's offset is moved by whole periods to
 * the nearest to the reference's, and taken if they then agree to within
 * PPSLOCK_MAX_ERR_FRAC of the period, dispersions included; the
 * reference's sample must be fewer than max_lock_age pulses from the
 * pulse.  On PPSLOCK_OK *offset_s is the pulse's full offset.
 */
enum ppslock_reason	 ppslock_lock(const struct ppslock_params *,
			    int64_t pulse_ns, double pulse_offset_s,
			    double pulse_disp_s, const struct ppslock_ref *,
			    double *offset_s);
/*
 * A pulse not locked to a clock is completed by the local clock itself
 * (chrony, without lock): it must be synchronised (synced non-zero) with
 * a root distance below half a period.  On PPSLOCK_OK *offset_s is the
 * pulse's offset from the nearest period boundary.
 */
enum ppslock_reason	 ppslock_unlocked(const struct ppslock_params *,
			    double pulse_offset_s, int synced,
			    double root_distance_s, double *offset_s);
const char		*ppslock_reason_name(enum ppslock_reason);

#endif
