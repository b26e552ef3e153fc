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
 * A hardware clock (a NIC's or a hypervisor's PTP hardware clock)
 * tracked against the system clock, as chrony's hwclock.c does: the
 * readings of one poll (PTP_SYS_OFFSET_PRECISE, _EXTENDED or the basic
 * ioctl: system time before, hardware time, system time after) are
 * combined into one sample, a regression over recent samples gives the
 * hardware clock's offset and frequency, and hardware timestamps are
 * converted to system time with it.  Pure: the readings come in as
 * numbers.
 *
 * Times are nanoseconds: the hardware clock's own, and the system
 * clock's (as read by the engine).  Signs: offset + the hardware clock is
 * ahead of the system clock; frequency + it runs fast against it.
 */

#ifndef TIMED_HWCLK_H
#define TIMED_HWCLK_H

#include <stdint.h>

#define HWCLK_MAX_READINGS	32	/* a poll's (the kernel gives 25) */
#define HWCLK_MIN_SAMPLES	2
#define HWCLK_MAX_SAMPLES	64	/* chrony's */
/* A hardware clock further off in frequency is not believed. */
#define HWCLK_MAX_FREQ_PPM	10000.0
/*
 * A sample whose error exceeds this many times the smallest in the
 * regression (and that by more than twice the precision) is dropped, up
 * to HWCLK_MAX_REJECT in a row; the next starts the regression anew.  A
 * sample so far above a newer one (the first after a restart) is dropped
 * from the regression.
 */
#define HWCLK_DELAY_RATIO	4.0
#define HWCLK_MAX_REJECT	4
/*
 * The fit must pass within this many times the newest sample's error of
 * it: a least-squares line through 3 samples, each inside its bound, can
 * be 4/3 of a bound off at its end with nothing wrong.
 */
#define HWCLK_MISS_RATIO	2.0

/* One reading; for a cross timestamp (_PRECISE) before == after. */
struct hwclk_reading {
	int64_t	sys_before_ns;
	int64_t	hw_ns;
	int64_t	sys_after_ns;
};

/* A poll's readings, combined. */
struct hwclk_sample {
	int64_t	hw_ns;
	int64_t	sys_ns;		/* when the hardware clock read hw_ns */
	double	err_s;		/* bound of |sys_ns - the true one| */
};

struct hwclk_params {
	int	min_samples;	/* before conversions, 2..64 (hwtimestamp
				   minsamples) */
	int	max_samples;	/* in the regression, min..64 (maxsamples) */
	double	min_separation_s; /* between samples (the poll) */
	double	precision_s;	/* of a reading, > 0 */
};

enum hwclk_reason {
	HWCLK_OK = 0,
	HWCLK_ERR_NONE,		/* no readings, or too many */
	HWCLK_ERR_STEP,		/* a reading's system time ran backwards:
				   the clock was stepped in between */
	HWCLK_ERR_VALUE,	/* NaN, infinity, negative error, a reading
				   that took over a second */
	HWCLK_ERR_DELAY,	/* the sample's error is far above the
				   recent ones: dropped */
	HWCLK_FEW,		/* taken; too few samples to convert yet */
	HWCLK_RESET,		/* taken, the samples before it dropped: a
				   step, time running backwards, samples too
				   close, an absurd frequency */
	HWCLK_NREASONS
};

struct hwclk_est {
	int	n;		/* samples in the regression */
	int64_t	sys_ns;		/* the newest sample's system time */
	int64_t	offset_ns;	/* hardware - system time there */
	double	freq_ppm;	/* + the hardware clock runs fast */
	double	err_s;		/* the newest sample's error */
};

struct hwclk;

/* NULL if a parameter is out of range (or no memory). */
struct hwclk		*hwclk_new(const struct hwclk_params *);
void			 hwclk_free(struct hwclk *);
/*
 * Combine n readings of one poll into one sample (chrony's
 * HCL_ProcessReadings): those whose delay (after - before) is within the
 * precision of the smallest are kept, their times averaged and their
 * offsets' median taken; the error is half the smallest delay, or the
 * precision if larger.
 */
enum hwclk_reason	 hwclk_readings(const struct hwclk *,
			    const struct hwclk_reading *, int n,
			    struct hwclk_sample *out);
/*
 * Add a sample to the regression.  The fit is redone, and the oldest
 * samples dropped until it passes near the newest (HWCLK_MISS_RATIO), so
 * that the estimate follows a wandering frequency; a step or a sudden
 * change restarts it.  HWCLK_OK: converted times are available.
 */
enum hwclk_reason	 hwclk_add(struct hwclk *, const struct hwclk_sample *);
/* 1 if no sample was taken since now_ns - min_separation_s. */
int			 hwclk_needs_sample(const struct hwclk *,
			    int64_t now_ns);
/*
 * The system time at which the hardware clock read hw_ns (chrony's
 * HCL_CookTime), and its error (the newest sample's); -1 before there
 * are min_samples samples.
 */
int			 hwclk_cook(const struct hwclk *, int64_t hw_ns,
			    int64_t *sys_ns, double *err_s);
/* The regression's offset and frequency; -1 as hwclk_cook(). */
int			 hwclk_estimate(const struct hwclk *,
			    struct hwclk_est *);
/*
 * The system clock was corrected at now_ns: its frequency compensation
 * grew by dfreq_ppm and doffset_s was taken off it (+ it was moved back),
 * as sst_correct().  Re-express the samples' system times so.
 */
void			 hwclk_correct(struct hwclk *, int64_t now_ns,
			    double dfreq_ppm, double doffset_s);
/* Forget every sample. */
void			 hwclk_reset(struct hwclk *);
const char		*hwclk_reason_name(enum hwclk_reason);

#endif
