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
 * The clock discipline: from the combined estimate of the selected
 * sources, decide what the monitor should do with the clock: a new
 * frequency, a slew of the offset (and how fast), or a step.  Pure; the
 * engine sends the actions as IMSG_ADJ_FREQ, IMSG_ADJ_OFFSET, IMSG_STEP
 * and re-expresses its samples with sst_correct().
 *
 * Signs: offset + the local clock is ahead; frequency + the uncorrected
 * clock runs fast (what is compensated, as the drift file).
 *
 * A slew or step replaces the slew in progress, so offset_s is all that
 * is left to remove: the estimate plus what the slew in progress has not
 * done yet.  The samples are best kept net of that part (as chrony's
 * cooked time), and re-expressed with the offset acted on minus it.
 * Slews normally end before the next update (see disc.c), so both stay
 * small, but a large offset slewed at maxslewrate takes many updates.
 */

#ifndef TIMED_DISC_H
#define TIMED_DISC_H

#include <stdint.h>

struct disc_params {
	int	makestep_set;
	double	makestep_threshold_s;
	int	makestep_limit;		/* -1: always */
	double	maxslewrate_ppm;
	double	maxdrift_ppm;		/* chrony's: frequency within this */
	double	corrtimeratio;		/* chrony's: see slew_rate() */
	double	maxupdateskew_ppm;	/* skew above this: no freq update */
	int	maxchange_set;		/* chrony's maxchange */
	double	maxchange_offset_s;
	int	maxchange_start;
	int	maxchange_ignore;
};

/* What the engine knows when an estimate arrives. */
struct disc_input {
	int64_t	now_ns;
	double	offset_s;	/* combined: + the local clock is ahead */
	double	offset_sd_s;
	double	freq_ppm;	/* residual: + the local clock runs fast */
	double	skew_ppm;
	double	clock_freq_ppm;	/* compensated now (clock_state) */
	uint32_t updates;	/* makestep's: clock_state.updates */
	uint32_t applied;	/* maxchange's: every update so far */
	double	slew_left_s;	/* of the slew in progress, + ahead */
};

#define DISC_ACT_FREQ	0x01
#define DISC_ACT_SLEW	0x02
#define DISC_ACT_STEP	0x04
#define DISC_ACT_IGNORE	0x08	/* maxchange: this update was ignored */
#define DISC_ACT_EXIT	0x10	/* maxchange: give up, as chrony */

struct disc_actions {
	int	what;		/* DISC_ACT_* */
	double	freq_ppm;	/* new absolute frequency to compensate */
	double	skew_ppm;
	double	slew_offset_s;	/* to remove, + ahead */
	double	slew_rate_ppm;	/* > 0, <= maxslewrate: for the whole,
				 * slew_offset_s + slew_left_s */
	double	step_offset_s;	/* to remove at once, + ahead */
	/* for tracking */
	double	last_offset_s;
	double	rms_offset_s;		/* moving, as chrony's */
	double	residual_freq_ppm;	/* estimated, still not compensated */
	double	update_interval_s;	/* smoothed */
};

struct disc;

struct disc	*disc_new(const struct disc_params *);
void		 disc_free(struct disc *);
/* makestep changed at run time; limit counts from the first update. */
void		 disc_set_makestep(struct disc *, double threshold_s,
		    int limit);
/*
 * The skew of the frequency in place, from the drift file, as chronyd
 * starts from the file's: its first noisy estimates then move it little.
 * Unknown (0, the default): any estimate moves it.
 */
void		 disc_set_skew(struct disc *, double skew_ppm);
/*
 * The change from compensating old_ppm to new_ppm as the clock's own time
 * sees it: the dfreq the samples are re-expressed with (sst_correct()).
 */
double		 disc_rel_freq(double old_ppm, double new_ppm);
/* An estimate; fills *act.  0, or -1 for a value that makes no sense. */
int		 disc_update(struct disc *, const struct disc_input *,
		    struct disc_actions *act);

#endif
