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
 * Hard limits the monitor applies to every request of the network
 * engine.  Each check returns NULL when the request is acceptable, or a
 * short reason for the log.  NaN and infinities are always refused.
 */

#ifndef TIMED_LIM_H
#define TIMED_LIM_H

#include <stdint.h>

/*
 * The clock backends' range of rate correction, the frequency and the
 * slew together: the kernel's tick of 900000 / USER_HZ .. 1100000 /
 * USER_HZ us (+-10%, as chronyd's Linux driver); the virtual clock takes
 * the same, so that its tests mean the same.  maxdrift limits the
 * frequency further.
 */
#define LIM_MAX_FREQ_PPM	100000.0
#define LIM_MAXDRIFT_PPM	500000.0	/* chrony's default and most */
#define LIM_MAX_SKEW_PPM	1e6
#define LIM_MAX_OFFSET_S	(86400.0 * 366 * 100)	/* any real clock */
#define LIM_MAX_SLEW_S		1e9	/* a slew ends within this, and
						   its end fits an int64_t of ns */
#define LIM_STEP_INTERVAL_NS	(1000000000LL)		/* steps apart */

struct lim {
	double	maxslewrate_ppm;	/* slews no faster than this */
	int	makestep_set;
	double	makestep_threshold_s;	/* steps larger than this ... */
	int	makestep_limit;		/* ... in the first updates; -1 always */
	double	maxdrift_ppm;		/* frequencies within this too */
	int	initstep_set;		/* initstepslew: the first correction */
	double	initstep_threshold_s;	/* may be a step of at least this */
};

struct lim_state {
	uint32_t	updates;	/* slews and steps counted */
	int64_t		last_step_ns;	/* 0: none yet */
	int32_t		provisional;	/* the one uncounted update was made */
};

/* The largest frequency to compensate: maxdrift within the clock's range. */
double		 lim_max_freq(double maxdrift_ppm);
/* Frequency to compensate, ppm (+ the uncorrected clock runs fast). */
const char	*lim_check_freq(const struct lim *, double freq_ppm);
/* Drift file values: frequency as above and skew >= 0, ppm. */
const char	*lim_check_drift(const struct lim *, double freq_ppm,
		    double skew_ppm);
/* Slew of offset_s (+ ahead) at rate_ppm, done in LIM_MAX_SLEW_S. */
const char	*lim_check_slew(const struct lim *, double offset_s,
		    double rate_ppm);
/* Step of offset_s at now_ns, given what was applied so far. */
const char	*lim_check_step(const struct lim *, const struct lim_state *,
		    double offset_s, int64_t now_ns);
/* timectl makestep THRESHOLD LIMIT: a threshold in range, limit >= -1. */
const char	*lim_check_makestep(double threshold_s, int32_t limit);
/* Apply it: returns the limit counted from the first update. */
int32_t		 lim_set_makestep(struct lim *, const struct lim_state *,
		    double threshold_s, int32_t limit);
/* Leap status value. */
const char	*lim_check_leap(int leap);
/* Synchronisation status: a flag and two error bounds in seconds. */
const char	*lim_check_sync(int synced, double est_error_s,
		    double max_error_s);

/*
 * Count an update toward makestep's limit.  A provisional one (made from
 * one sample, before any frequency estimate) is not counted, once: the
 * limit counts updates as chronyd's do, each from a regression.
 */
void		 lim_count_update(uint32_t *updates, int32_t *provisional_done,
		    int provisional);
/* Record an applied update, an applied step. */
void		 lim_note_update(struct lim_state *, int provisional);
void		 lim_note_step(struct lim_state *, int64_t now_ns,
		    int provisional);

#endif
