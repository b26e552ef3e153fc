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
 * Clock backends of the monitor.  Offsets: + the clock is ahead.
 * Frequencies: + the uncorrected clock runs fast (what is compensated).
 *
 * kernel:  adjtimex/clock_adjtime on CLOCK_REALTIME through a table of
 *          system calls (tests pass a fake one);
 * virtual: a modelled clock beside the system clock (lib/vclock.c);
 * none:    -x, applies nothing and says so.
 *
 * Slews run at a given rate for as long as the offset needs; the monitor
 * calls clock_tick() when clock_slew_end() says the slew is over.
 */

#ifndef TIMED_CLOCK_H
#define TIMED_CLOCK_H

#include <sys/timex.h>
#include <stdint.h>
#include <time.h>

#include "proto.h"

struct kclock_sys {
	int	(*adjtime)(clockid_t, struct timex *);
};
extern const struct kclock_sys	kclock_sys_real;

struct clock;

struct clock	*clock_new_kernel(const struct kclock_sys *, int rtcsync);
struct clock	*clock_new_virtual(int64_t now_ns, double offset_s,
		    double err_ppm);
struct clock	*clock_new_none(int64_t now_ns);
void		 clock_free(struct clock *);

enum clock_kind	 clock_kind(const struct clock *);
/* Compensate freq_ppm from now on. 0, or -1 when the backend failed. */
int		 clock_set_freq(struct clock *, int64_t now_ns, double freq_ppm);
/* Slew offset_s away at rate_ppm, replacing any slew in progress. */
int		 clock_slew(struct clock *, int64_t now_ns, double offset_s,
		    double rate_ppm);
/* Remove offset_s at once. */
int		 clock_step(struct clock *, int64_t now_ns, double offset_s);
int		 clock_set_leap(struct clock *, int leap);
/* Kernel status: synchronised (clears STA_UNSYNC when rtcsync), errors. */
int		 clock_set_sync(struct clock *, int synced, double est_error_s,
		    double max_error_s);
/* Offset still to slew away at now_ns (+ the clock is ahead). */
double		 clock_slew_left(const struct clock *, int64_t now_ns);
/* System time at which the slew in progress ends, 0 if none. */
int64_t		 clock_slew_end(const struct clock *);
/* End a finished slew. */
int		 clock_tick(struct clock *, int64_t now_ns);
/* Frequency compensated now (ppm). */
double		 clock_freq(const struct clock *);
void		 clock_state(const struct clock *, int64_t now_ns,
		    struct clock_state *);
/*
 * A step of the system clock that was not this clock's: what
 * CLOCK_REALTIME less CLOCK_MONOTONIC (real_ns, mono_ns, read together)
 * moved by since the last call, less the steps clock_step() made and a
 * leap second the kernel was told to make.  0.0 when under
 * CLOCK_FOREIGN_MIN_S.
 */
#define CLOCK_FOREIGN_MIN_S	0.01
double		 clock_foreign_step(struct clock *, int64_t real_ns,
		    int64_t mono_ns);

#endif
