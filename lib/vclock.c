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

#include "lim.h"
#include "vclock.h"

void
vclock_init(struct vclock *vc, int64_t now_ns, double offset_s,
    double err_ppm)
{
	vc->ref_ns = now_ns;
	vc->offset_s = offset_s;
	vc->err_ppm = err_ppm;
	vc->corr_ppm = 0.0;
	vc->slew_left_s = 0.0;
	vc->slew_rate_ppm = 0.0;
	vc->slew_req_ppm = 0.0;
	vc->clock_time = 0;
}

/*
 * A slew's rate is asked per true second, as chronyd's (maxslewrate
 * 83333 ppm slews a second in 12 s either way).  The virtual clock runs
 * on true time; the kernel's model (clock_time) on the clock's own,
 * which the slew slows or speeds: r of true time is r / (1 - r) of it
 * slowing (the clock ahead), r / (1 + r) speeding up.
 *
 * The kernel's rate correction for a compensation c and a slew of m of
 * the clock's own time is k = -(c + d) / (1 + d), d = +m slowing, -m
 * speeding up (monitor/clock.c's rate_now), and it must stay within R =
 * LIM_MAX_FREQ_PPM: m <= (R - c) / (1 - R) slowing, (R + c) / (1 + R)
 * speeding up, as chronyd's sys_generic keeps its base frequency plus
 * its slew within its driver's maximum.  The virtual clock's c + d, in
 * true time, within R too: m <= R - c slowing.
 */
static void
fit_slew(struct vclock *vc)
{
	double	 R = LIM_MAX_FREQ_PPM * 1e-6, c = vc->corr_ppm * 1e-6;
	double	 max_ppm, r = vc->slew_req_ppm * 1e-6, want;

	if (vc->slew_left_s == 0.0) {
		vc->slew_rate_ppm = vc->slew_req_ppm = 0.0;
		return;
	}
	if (vc->slew_left_s > 0.0)
		max_ppm = (R - c) * 1e6;
	else
		max_ppm = (R + c) / (1.0 + R) * 1e6;
	if (max_ppm < 0.0)
		max_ppm = 0.0;
	want = !vc->clock_time ? r : vc->slew_left_s > 0.0 ?
	    (r < 1.0 ? r / (1.0 - r) : INFINITY) : r / (1.0 + r);
	vc->slew_rate_ppm = want * 1e6 < max_ppm ? want * 1e6 : max_ppm;
}

/* Amount of the slew done dt_s seconds after ref_ns, signed as slew_left. */
static double
slewed(const struct vclock *vc, double dt_s)
{
	double	 done;

	if (dt_s <= 0.0 || vc->slew_left_s == 0.0 || vc->slew_rate_ppm <= 0.0)
		return 0.0;
	done = vc->slew_rate_ppm * 1e-6 * dt_s;
	if (done >= fabs(vc->slew_left_s))
		return vc->slew_left_s;
	return copysign(done, vc->slew_left_s);
}

/*
 * How fast the clock gains on the system clock, slews aside: as the
 * kernel's, the compensation scales the clock's rate, (1 + err)(1 - corr),
 * so that the engine's arithmetic (disc_rel_freq()) holds for both; a
 * clock err fast is compensated by err / (1 + err), 47619 ppm for 5%.
 */
double
vclock_rate_ppm(const struct vclock *vc)
{
	return vc->err_ppm - vc->corr_ppm - vc->err_ppm * vc->corr_ppm * 1e-6;
}

double
vclock_offset(const struct vclock *vc, int64_t sys_ns)
{
	double	 dt_s = (double)(sys_ns - vc->ref_ns) * 1e-9;

	return vc->offset_s + vclock_rate_ppm(vc) * 1e-6 * dt_s -
	    slewed(vc, dt_s);
}

double
vclock_slew_left(const struct vclock *vc, int64_t now_ns)
{
	double	 dt_s = (double)(now_ns - vc->ref_ns) * 1e-9;

	return vc->slew_left_s - slewed(vc, dt_s);
}

void
vclock_advance(struct vclock *vc, int64_t now_ns)
{
	double	 dt_s = (double)(now_ns - vc->ref_ns) * 1e-9;

	vc->offset_s = vclock_offset(vc, now_ns);
	vc->slew_left_s -= slewed(vc, dt_s);
	if (vc->slew_left_s == 0.0)
		vc->slew_rate_ppm = vc->slew_req_ppm = 0.0;
	vc->ref_ns = now_ns;
}

void
vclock_set_freq(struct vclock *vc, int64_t now_ns, double corr_ppm)
{
	vclock_advance(vc, now_ns);
	vc->corr_ppm = corr_ppm;
	fit_slew(vc);
}

void
vclock_slew(struct vclock *vc, int64_t now_ns, double offset_s,
    double rate_ppm)
{
	vclock_advance(vc, now_ns);
	vc->slew_left_s = offset_s;
	vc->slew_req_ppm = fabs(rate_ppm);
	fit_slew(vc);
}

void
vclock_step(struct vclock *vc, int64_t now_ns, double offset_s)
{
	vclock_advance(vc, now_ns);
	vc->offset_s -= offset_s;
	vc->slew_left_s = 0.0;
	vc->slew_rate_ppm = vc->slew_req_ppm = 0.0;
}
