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

#include <math.h>
#include <stddef.h>

#include "lim.h"
#include "proto.h"

double
lim_max_freq(double maxdrift_ppm)
{
	/* !(x > 0) also takes NaN: nothing is compensated, as maxdrift 0 */
	if (!(maxdrift_ppm > 0.0))
		return 0.0;
	return maxdrift_ppm < LIM_MAX_FREQ_PPM ? maxdrift_ppm :
	    LIM_MAX_FREQ_PPM;
}

const char *
lim_check_freq(const struct lim *lim, double freq_ppm)
{
	if (!isfinite(freq_ppm))
		return "not a finite number";
	if (fabs(freq_ppm) > LIM_MAX_FREQ_PPM)
		return "beyond the clock's range";
	if (fabs(freq_ppm) > lim_max_freq(lim->maxdrift_ppm))
		return "beyond maxdrift";
	return NULL;
}

const char *
lim_check_drift(const struct lim *lim, double freq_ppm, double skew_ppm)
{
	const char	*why;

	if ((why = lim_check_freq(lim, freq_ppm)) != NULL)
		return why;
	if (!isfinite(skew_ppm) || skew_ppm < 0.0 ||
	    skew_ppm > LIM_MAX_SKEW_PPM)
		return "skew out of range";
	return NULL;
}

const char *
lim_check_slew(const struct lim *lim, double offset_s, double rate_ppm)
{
	if (!isfinite(offset_s) || !isfinite(rate_ppm))
		return "not a finite number";
	if (fabs(offset_s) > LIM_MAX_OFFSET_S)
		return "offset out of range";
	if (rate_ppm <= 0.0)
		return "rate not positive";
	if (rate_ppm > lim->maxslewrate_ppm)
		return "faster than maxslewrate";
	/* else the clock computes an end past any time it can hold */
	if (fabs(offset_s) / (rate_ppm * 1e-6) > LIM_MAX_SLEW_S)
		return "slew would last too long";
	return NULL;
}

const char *
lim_check_step(const struct lim *lim, const struct lim_state *st,
    double offset_s, int64_t now_ns)
{
	int	 in_window;

	if (!isfinite(offset_s))
		return "not a finite number";
	if (fabs(offset_s) > LIM_MAX_OFFSET_S)
		return "offset out of range";
	if (st->last_step_ns != 0 &&
	    now_ns - st->last_step_ns < LIM_STEP_INTERVAL_NS)
		return "too soon after the last step";
	/* initstepslew's: the first correction of all, counted or not */
	if (lim->initstep_set && st->updates == 0 && !st->provisional &&
	    fabs(offset_s) >= lim->initstep_threshold_s)
		return NULL;
	if (!lim->makestep_set)
		return "no makestep configured";
	in_window = lim->makestep_limit < 0 ||
	    st->updates < (uint32_t)lim->makestep_limit;
	if (!in_window)
		return "outside the makestep window";
	if (fabs(offset_s) <= lim->makestep_threshold_s)
		return "below the makestep threshold";
	return NULL;
}

const char *
lim_check_makestep(double threshold_s, int32_t limit)
{
	if (!isfinite(threshold_s) || threshold_s < 0.0 ||
	    threshold_s > LIM_MAX_OFFSET_S)
		return "threshold out of range";
	if (limit < -1)
		return "limit below -1";
	return NULL;
}

int32_t
lim_set_makestep(struct lim *lim, const struct lim_state *st,
    double threshold_s, int32_t limit)
{
	int64_t	 abs_limit = -1;

	if (limit >= 0) {
		abs_limit = (int64_t)st->updates + limit;
		if (abs_limit > INT32_MAX)
			abs_limit = INT32_MAX;
	}
	lim->makestep_set = 1;
	lim->makestep_threshold_s = threshold_s;
	lim->makestep_limit = (int)abs_limit;
	return (int32_t)abs_limit;
}

const char *
lim_check_leap(int leap)
{
	if (leap < LEAP_NORMAL || leap > LEAP_UNSYNC)
		return "unknown leap status";
	return NULL;
}

const char *
lim_check_sync(int synced, double est_error_s, double max_error_s)
{
	if (synced != 0 && synced != 1)
		return "bad flag";
	if (!isfinite(est_error_s) || !isfinite(max_error_s) ||
	    est_error_s < 0.0 || max_error_s < 0.0)
		return "error bounds out of range";
	return NULL;
}

void
lim_count_update(uint32_t *updates, int32_t *provisional_done,
    int provisional)
{
	if (provisional && !*provisional_done)
		*provisional_done = 1;
	else if (*updates < UINT32_MAX)
		(*updates)++;
}

void
lim_note_update(struct lim_state *st, int provisional)
{
	lim_count_update(&st->updates, &st->provisional, provisional);
}

void
lim_note_step(struct lim_state *st, int64_t now_ns, int provisional)
{
	lim_count_update(&st->updates, &st->provisional, provisional);
	st->last_step_ns = now_ns;
}
