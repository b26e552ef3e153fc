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
 * A reference clock's median filter (chrony 4.3's `filter N` and
 * `maxdispersion` refclock options): the raw samples a driver gives
 * between two polls of the source are held, and at each poll about 40%
 * of them, those farthest from the median offset, are dropped and the
 * rest averaged into one sample for the source's statistics.  Pure.
 *
 * With `ntp` set it is an NTP source's `filter N` (chrony's, the same
 * code there): of the samples of N polls the one with the median offset
 * alone is kept (the two middle ones, averaged, of an even count), from
 * a single sample on, and the delays and root distances are carried.
 *
 * Signs: offset_s + the local clock is ahead of the reference.  Times are
 * the engine's (local clock) nanoseconds.
 */

#ifndef TIMED_REFFILT_H
#define TIMED_REFFILT_H

#include <stdint.h>

#define REFFILT_MAX_LENGTH	256	/* chrony's MAX_SAMPLES */
#define REFFILT_DEFAULT_LENGTH	64	/* chrony 4.3's refclock default */
/* At least this many samples between polls, or a full shorter filter. */
#define REFFILT_MIN_SAMPLES	4
#define REFFILT_MIN_POLL	-10
#define REFFILT_MAX_POLL	30

struct reffilt_params {
	int	length;		/* `filter`: samples held, 1..256 */
	double	max_disp_s;	/* `maxdispersion`; 0: no limit */
	double	precision_s;	/* the first guess of the samples' spread
				   (chrony: the system clock's precision) */
	int	poll_log2;	/* the source's poll: samples older than
				   2^(poll+1) s are refused */
	int	ntp;		/* an NTP source's filter (above) */
};

struct reffilt_sample {
	int64_t	time_ns;	/* local time of the sample */
	double	offset_s;	/* + the local clock is ahead */
	double	disp_s;		/* its dispersion, >= 0 */
	double	delay_s;	/* NTP: the round trip, >= 0; the kept */
	double	root_delay_s;	/* ones' means out, as their dispersion */
	double	root_disp_s;	/* (the larger of it and the spread) */
};

enum reffilt_reason {
	REFFILT_OK = 0,
	REFFILT_ERR_VALUE,	/* NaN, infinity, negative dispersion */
	REFFILT_ERR_AGE,	/* from the future, or too old */
	REFFILT_ERR_FEW,	/* too few samples since the last poll */
	REFFILT_ERR_DISP,	/* the result's dispersion exceeds
				   max_disp_s: the samples are kept */
	REFFILT_NREASONS
};

struct reffilt;

/* NULL if a parameter is out of range (or no memory). */
struct reffilt		*reffilt_new(const struct reffilt_params *);
void			 reffilt_free(struct reffilt *);
/*
 * Offer a raw sample at local time now_ns (the oldest is dropped when the
 * filter is full); REFFILT_OK if it was taken.
 */
enum reffilt_reason	 reffilt_add(struct reffilt *,
			    const struct reffilt_sample *, int64_t now_ns);
/*
 * The poll: combine the samples held into one.  The time is the mean of
 * the kept samples' times, the offset the mean of their offsets, the
 * dispersion the larger of their mean dispersion and the standard error
 * of the mean (from a regression of offset on time with 4 samples or
 * more, so that a drifting offset is not taken for noise), tempered by
 * the long-run average of the samples' variance.  REFFILT_OK empties the
 * filter (the newest raw sample stays for reffilt_last()).
 */
enum reffilt_reason	 reffilt_get(struct reffilt *,
			    struct reffilt_sample *out);
/* Samples held since the last poll. */
int			 reffilt_count(const struct reffilt *);
/* The newest raw sample taken; -1 if none (or since reffilt_reset()). */
int			 reffilt_last(const struct reffilt *,
			    struct reffilt_sample *);
/* The long-run spread of the samples, seconds (chrony's avg dispersion). */
double			 reffilt_avg_disp(const struct reffilt *);
/* Forget every sample, the newest too (the clock was stepped). */
void			 reffilt_reset(struct reffilt *);
/*
 * The local clock was corrected at now_ns: its frequency compensation grew
 * by dfreq_ppm and doffset_s was taken off it (+ it was moved back), as
 * sst_correct().  Re-express the samples held as if the correction had
 * always been in place.
 */
void			 reffilt_correct(struct reffilt *, int64_t now_ns,
			    double dfreq_ppm, double doffset_s);
/* Add disp_s (>= 0) to the dispersion of every sample held. */
void			 reffilt_add_disp(struct reffilt *, double disp_s);
/*
 * The filter length for a driver that is polled every 2^dpoll s by a
 * source polled every 2^poll s: no more than the samples it can give
 * between two polls (chrony shortens `filter` so, and warns below 4).
 */
int			 reffilt_length(int length, int poll_log2,
			    int dpoll_log2);
const char		*reffilt_reason_name(enum reffilt_reason);

#endif
