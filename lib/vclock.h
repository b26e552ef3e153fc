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
 * The virtual clock's arithmetic: a modelled clock that runs beside the
 * system clock (CLOCK_REALTIME, taken as true) with its own offset and
 * frequency error, corrected the same way as the kernel clock would be.
 * Times are system nanoseconds; offsets are virtual minus system, in
 * seconds (positive: the virtual clock is ahead).
 *
 * The compensation and the slew together stay within the clocks' range
 * (LIM_MAX_FREQ_PPM, the kernel's tick): a slew that would go beyond it
 * goes as fast as there is room, none when the compensation is at the
 * limit and the slew would add to it.  The monitor's clocks and the
 * engine's copy of them limit alike, so both see the same slew.
 */

#ifndef TIMED_VCLOCK_H
#define TIMED_VCLOCK_H

#include <stdint.h>

struct vclock {
	int64_t	ref_ns;		/* system time the fields below refer to */
	double	offset_s;	/* virtual - system at ref_ns */
	double	err_ppm;	/* true frequency error, + runs fast */
	double	corr_ppm;	/* compensation applied (estimated error) */
	double	slew_left_s;	/* + still ahead by this, being slewed */
	double	slew_rate_ppm;	/* magnitude of the slew, >= 0 */
	double	slew_req_ppm;	/* as asked: slew_rate_ppm within range */
	int32_t	clock_time;	/* the kernel's: slews run in the clock's */
};				/* time, see vclock.c fit_slew() */

/* Start at now_ns with this offset (+ ahead) and error (+ fast). */
void	vclock_init(struct vclock *, int64_t now_ns, double offset_s,
	    double err_ppm);
/* How fast it gains on the system clock now (+ runs fast), slews aside. */
double	vclock_rate_ppm(const struct vclock *);
/* Offset (virtual - system, seconds) at system time sys_ns. */
double	vclock_offset(const struct vclock *, int64_t sys_ns);
/* Part of the slew not yet done at now_ns (+ the clock is still ahead). */
double	vclock_slew_left(const struct vclock *, int64_t now_ns);
/* Fold the time since ref_ns into the state. */
void	vclock_advance(struct vclock *, int64_t now_ns);
/* Compensate a frequency error of corr_ppm (+ the clock runs fast). */
void	vclock_set_freq(struct vclock *, int64_t now_ns, double corr_ppm);
/*
 * Remove offset_s (+ the clock is ahead) gradually at rate_ppm; replaces
 * the slew in progress.
 */
void	vclock_slew(struct vclock *, int64_t now_ns, double offset_s,
	    double rate_ppm);
/* Remove offset_s at once; cancels the slew in progress. */
void	vclock_step(struct vclock *, int64_t now_ns, double offset_s);

#endif
