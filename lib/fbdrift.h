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
 * fallbackdrift (chronyd's): averages of the clock's frequency over
 * 2^min .. 2^max seconds, kept while the clock is updated, and set in
 * turn when it is not: 2^i seconds after the last update, the average
 * over 2^i seconds, so that a clock whose frequency swings (a day's
 * temperature) keeps its mean frequency, not the one of the moment its
 * sources went silent.  Pure: the shell keeps the time and the timer.
 */

#ifndef TIMED_FBDRIFT_H
#define TIMED_FBDRIFT_H

#define FBDRIFT_MIN	1	/* log2 s; chronyd's range */
#define FBDRIFT_MAX	30
#define FBDRIFT_N	(FBDRIFT_MAX + 1)

struct fbdrift {
	int	 min, max;		/* log2 s; min 0: off */
	double	 freq_ppm[FBDRIFT_N];	/* the averages, by log2 s */
	double	 secs[FBDRIFT_N];	/* how much time each holds */
	double	 last_interval_s;	/* between the last two updates */
	int	 next;			/* set, or due next; 0: none */
};

/* min 0 (or min > max): off; otherwise within FBDRIFT_MIN..MAX. */
void	fbdrift_init(struct fbdrift *, int min, int max);
/*
 * The clock was updated, interval_s after the update before, and its
 * frequency is now freq_ppm.  Each average first takes the mean over
 * twice its time, then moves as an exponential average of that time
 * constant; an update more than 4 times as far from the one before as
 * that one from its own is left out (chronyd's rule), as is one under
 * a second.  Whatever was set or due is forgotten.
 */
void	fbdrift_update(struct fbdrift *, double freq_ppm, double interval_s);
/*
 * unsync_s after the last update: 1 and *freq_ppm if an average is to
 * be set now (the longest that is full and whose time has come), else
 * 0; *wait_s: when to ask again, or -1 if no longer average is left.
 */
int	fbdrift_due(struct fbdrift *, double unsync_s, double *freq_ppm,
	    double *wait_s);

#endif
