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
 * PPS pulses completed by another clock or by the local clock, after the
 * rules of chrony's RCL_AddCookedPulse(): reduce the pulse to the
 * nearest period, move it by whole periods to the reference, and take it
 * only if nothing leaves the period in doubt.
 */

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "ppslock.h"

#define NS		1000000000LL
#define MAX_OFFSET_S	4294967296.0	/* as refsock's and chrony's */

static const char *const reason_names[PPSLOCK_NREASONS] = {
	"ok", "bad value", "no sample to lock to", "lock sample too old",
	"lock sample does not say which second", "wrong edge",
	"not synchronised"
};

static int
params_ok(const struct ppslock_params *p)
{
	return p->rate_hz >= 1 && p->rate_hz <= PPSLOCK_MAX_RATE &&
	    p->max_lock_age >= 1 && p->width_s >= 0.0 &&
	    p->width_s < 1.0 / p->rate_hz;
}

/* Finite and far from the limits of double arithmetic on seconds. */
static int
offset_ok(double offset_s)
{
	return offset_s > -MAX_OFFSET_S && offset_s < MAX_OFFSET_S;
}

double
ppslock_reduce(double offset_s, int rate_hz)
{
	double	 r;

	r = offset_s - floor(offset_s * rate_hz + 0.5) / rate_hz;
	/* rounding can land on the upper end */
	if (r >= 0.5 / rate_hz)
		r -= 1.0 / rate_hz;
	return r;
}

double
ppslock_edge_offset(int64_t edge_ns, int rate_hz)
{
	int64_t	 frac_ns = edge_ns % NS;

	if (frac_ns < 0)
		frac_ns += NS;
	/* the period divides a second: the fraction of one will do */
	return ppslock_reduce((double)frac_ns / 1e9, rate_hz);
}

/*
 * width: with pulses of both edges, an edge may be the wrong one; the
 * offset (and the error of whatever completed the pulse) must leave no
 * doubt, as chrony's check_pulse_edge().
 */
static int
edge_ok(const struct ppslock_params *p, double offset_s, double dist_s)
{
	double	 max_err;

	if (p->width_s <= 0.0)
		return 1;
	max_err = 1.0 / p->rate_hz - p->width_s;
	if (p->width_s < max_err)
		max_err = p->width_s;
	max_err *= 0.5;
	return fabs(offset_s) <= max_err && dist_s <= max_err;
}

enum ppslock_reason
ppslock_lock(const struct ppslock_params *p, int64_t pulse_ns,
    double pulse_offset_s, double pulse_disp_s, const struct ppslock_ref *ref,
    double *offset_s)
{
	double	 off, age, diff;
	int	 rate = p->rate_hz;

	*offset_s = 0.0;
	if (!params_ok(p) || !offset_ok(pulse_offset_s) ||
	    !(pulse_disp_s >= 0.0 && pulse_disp_s < 1e9))
		return PPSLOCK_ERR_VALUE;
	if (ref == NULL)
		return PPSLOCK_ERR_NO_REF;
	if (!offset_ok(ref->offset_s) ||
	    !(ref->disp_s >= 0.0 && ref->disp_s < 1e9))
		return PPSLOCK_ERR_VALUE;

	age = (double)(int64_t)((uint64_t)pulse_ns - (uint64_t)ref->time_ns) /
	    1e9;
	if (!(fabs(age) < (double)p->max_lock_age / rate))
		return PPSLOCK_ERR_AGE;

	/* to the nearest period, then by whole periods to the reference */
	off = ppslock_reduce(pulse_offset_s, rate);
	off += floor((ref->offset_s - off) * rate + 0.5) / rate;
	diff = ref->offset_s - off;
	if (!(fabs(diff) + ref->disp_s + pulse_disp_s <
	    PPSLOCK_MAX_ERR_FRAC / rate))
		return PPSLOCK_ERR_OFFSET;
	if (!edge_ok(p, diff, 0.0))
		return PPSLOCK_ERR_EDGE;
	*offset_s = off;
	return PPSLOCK_OK;
}

enum ppslock_reason
ppslock_unlocked(const struct ppslock_params *p, double pulse_offset_s,
    int synced, double root_distance_s, double *offset_s)
{
	double	 off;

	*offset_s = 0.0;
	if (!params_ok(p) || !offset_ok(pulse_offset_s) ||
	    !(root_distance_s >= 0.0))
		return PPSLOCK_ERR_VALUE;
	if (!synced || !(root_distance_s < 0.5 / p->rate_hz))
		return PPSLOCK_ERR_SYNC;
	off = ppslock_reduce(pulse_offset_s, p->rate_hz);
	if (!edge_ok(p, off, root_distance_s))
		return PPSLOCK_ERR_EDGE;
	*offset_s = off;
	return PPSLOCK_OK;
}

const char *
ppslock_reason_name(enum ppslock_reason why)
{
	if ((unsigned int)why >= PPSLOCK_NREASONS)
		return "unknown";
	return reason_names[why];
}
