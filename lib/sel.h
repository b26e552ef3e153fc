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
 * Source selection and combining (RFC 5905 section 11.2, chrony's
 * sources.c ideas): correctness intervals, the largest majority clique
 * (Marzullo), falsetickers, jittery sources, then the survivors combined
 * with weights.  Pure.  Offsets: + the local clock is ahead of the source.
 */

#ifndef TIMED_SEL_H
#define TIMED_SEL_H

#include <stddef.h>
#include <stdint.h>

#define SEL_MAX_SOURCES		64

/* One character per source, as chronyc shows it. */
#define SEL_BEST	'*'	/* selected, the system peer */
#define SEL_COMBINED	'+'	/* combined with the best */
#define SEL_NOTCOMB	'-'	/* a truechimer not combined */
#define SEL_FALSE	'x'	/* may be in error: outside the majority */
#define SEL_JITTERY	'~'	/* too variable */
#define SEL_UNUSABLE	'?'	/* unreachable, no samples, noselect, ... */

struct sel_cand {
	int	usable;		/* reachable, has an estimate, synchronised */
	int	noselect;
	int	prefer;
	int	trust;		/* a falseticker only if trusted ones disagree */
	int	require;	/* no selection unless one such is true */
	int	stratum;
	double	offset_s;	/* estimate now */
	double	offset_sd_s;
	double	freq_ppm;	/* + the local clock runs fast */
	double	skew_ppm;
	double	stddev_s;	/* jitter */
	double	root_delay_s;	/* including the path to it */
	double	root_disp_s;	/* including our own dispersion growth */
};

struct sel_params {
	int	minsources;	/* at least this many truechimers */
	double	maxdistance_s;	/* root distance beyond this: unusable */
	double	combinelimit;	/* chrony's, default 3 */
	double	reselectdist_s;	/* chrony's, default 100 us: added to the
				 * distance of every source but prev_best
				 * when choosing the best; combined are those
				 * within combinelimit times this plus the
				 * best's distance */
	int	prev_best;	/* the source selected now, or -1 */
	double	maxjitter_s;	/* chrony's, default 1 */
	double	stratumweight_s; /* chrony's, default 1 ms: added to the
				 * distance for each stratum above the
				 * lowest when choosing the best */
	double	maxclockerror_ppm; /* chrony's, default 1: the frequencies
				 * combined agree within combinelimit times
				 * the skews plus this */
};

enum sel_result {
	SEL_OK,
	SEL_NONE_USABLE,
	SEL_TOO_FEW,		/* fewer than minsources truechimers */
	SEL_NO_MAJORITY,	/* no interval shared by a majority */
	SEL_NO_REQUIRED		/* no source with require is a truechimer */
};

struct sel_out {
	char	state[SEL_MAX_SOURCES];	/* SEL_* for each candidate */
	int	best;			/* index, or -1 */
	double	offset_s;		/* combined */
	double	offset_sd_s;
	double	freq_ppm;
	double	skew_ppm;
	double	root_delay_s;		/* of the best source */
	double	root_disp_s;
	int	stratum;		/* of the best source */
	int	ncombined;
};

/* Root distance of a candidate: root_delay/2 + root_disp (+ sd). */
double		 sel_distance(const struct sel_cand *);
/*
 * Set state[i] for each of the n candidates and, on SEL_OK, the best and
 * the combined estimate (ncombined counts the best).  Otherwise best is
 * -1 and the numbers are zero.  n > SEL_MAX_SOURCES: SEL_NONE_USABLE.
 */
enum sel_result	 sel_run(const struct sel_params *, const struct sel_cand *,
		    size_t n, struct sel_out *);

/*
 * The leap second to announce (0 none, 1 insert, 2 delete, as NTP's leap
 * indicator) from the leap indicators of the n candidates: one that more
 * than half of the truechimers ('*', '+' and '-') announce, or of the
 * trusted ones among them if there are any (chrony's vote), and only on
 * the last day of a month (UTC, unix_s); otherwise none.
 */
int		 sel_leap(const struct sel_out *, const struct sel_cand *,
		    const int *leap, size_t n, int64_t unix_s);

#endif
