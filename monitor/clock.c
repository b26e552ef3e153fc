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

#include <sys/timex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "vclock.h"

#define USER_HZ		100	/* kernel tick in us is 1e6 / USER_HZ */
#define NOMINAL_TICK	(1000000 / USER_HZ)
#define PPM_PER_TICK	(1e6 / NOMINAL_TICK)	/* 1 us of tick = 100 ppm */
/* adjtimex refuses a tick beyond +-10% (EINVAL) and takes a frequency
 * within +-500 ppm (MAXFREQ) */
#define MAX_DTICK	(NOMINAL_TICK / 10)
#define MAX_KFREQ_PPM	500.0
/* An overshoot is taken back over at least this long (chrony's
 * MIN_SLEW_TIMEOUT), so that the timer's lateness cannot overshoot again */
#define TAKE_BACK_S	1.0
/* Below this an overshoot is noise (the end's rounding to 1 ns), or the
 * take-back would end in another */
#define OVERSHOOT_MIN_S	1e-9

struct clock {
	enum clock_kind			 kind;
	const struct kclock_sys		*sys;
	int				 rtcsync;
	int				 leap;
	/* the leap armed before, until clock_foreign_step() looks */
	int				 leap_was;
	double				 freq_ppm;
	/* CLOCK_REALTIME less CLOCK_MONOTONIC, with our steps taken out */
	int64_t				 real_less_mono_ns;
	int				 have_real_less_mono;
	/* slew bookkeeping for every kind; the virtual clock itself */
	struct vclock			 model;
};

static int
kadj(struct clock *c, struct timex *tx)
{
	return c->sys->adjtime(CLOCK_REALTIME, tx) == -1 ? -1 : 0;
}

/*
 * Kernel tick and frequency for a total rate correction (+ speeds up).
 * The model keeps the total within LIM_MAX_FREQ_PPM, the tick's range
 * (lib/vclock.c); the clamps are for a compensation from before, which
 * can be anything, so that the kernel never refuses the call.
 */
static int
kernel_apply_rate(struct clock *c, double corr_ppm)
{
	struct timex	 tx;
	long		 dtick;
	double		 kfreq;

	memset(&tx, 0, sizeof(tx));
	dtick = lround(corr_ppm / PPM_PER_TICK);
	if (dtick > MAX_DTICK)
		dtick = MAX_DTICK;
	else if (dtick < -MAX_DTICK)
		dtick = -MAX_DTICK;
	kfreq = fmax(-MAX_KFREQ_PPM, fmin(MAX_KFREQ_PPM,
	    corr_ppm - dtick * PPM_PER_TICK));
	tx.modes = ADJ_TICK | ADJ_FREQUENCY;
	tx.tick = NOMINAL_TICK + dtick;
	tx.freq = lround(kfreq * 65536.0);
	return kadj(c, &tx);
}

/*
 * The rate correction now: compensate the error, then slew.  The kernel
 * runs the clock at (1 + err)(1 + k), k its correction; the frequency
 * alone is k = -f.  The model counts the slew in the clock's own time,
 * which the slew and the frequency both slow (or speed): removing d of
 * offset per second of the clock (d = +m slowing, -m speeding up) takes
 * k = -(f + d) / (1 + d).  With f = 0 that is m / (1 + m) per true second
 * slowing, m / (1 - m) speeding up, the rate r asked when m is r / (1 - r)
 * and r / (1 + r) (lib/vclock.c, fit_slew()).  Without the (1 + d), a slew
 * at maxslewrate (8.3%) overshot by 8.3% of its offset: 8 ms of a 0.1 s
 * correction, and with f = 5% the slew went 5% faster than the model.
 */
static double
rate_now(const struct clock *c, int64_t now_ns)
{
	double	 left = vclock_slew_left(&c->model, now_ns);
	double	 d = 0.0, f = c->freq_ppm * 1e-6;

	if (left > 0.0)
		d = c->model.slew_rate_ppm * 1e-6;
	else if (left < 0.0)
		d = -c->model.slew_rate_ppm * 1e-6;
	return -(f + d) / (1.0 + d) * 1e6;
}

/*
 * The kernel slews at the rate it was given until it is given another:
 * when the timer that ends a slew fires late (poll and epoll wait in
 * milliseconds; a slew at maxslewrate moves the clock 83 us in one), the
 * clock went past the slew's end.  Bring the model up to now counting
 * that too: the excess is taken back as a slew the other way.  Before
 * every change of the kernel's rate, so the model is what the kernel did.
 */
static double
overshoot(const struct clock *c, int64_t now_ns)
{
	const struct vclock	*m = &c->model;
	double			 dt_s = (double)(now_ns - m->ref_ns) * 1e-9;
	double			 over;

	if (c->kind != CLOCK_KIND_KERNEL || m->slew_left_s == 0.0 ||
	    m->slew_rate_ppm <= 0.0 || dt_s <= 0.0)
		return 0.0;
	over = m->slew_rate_ppm * 1e-6 * dt_s - fabs(m->slew_left_s);
	return over > OVERSHOOT_MIN_S ? copysign(over, m->slew_left_s) : 0.0;
}

static void
kernel_catch_up(struct clock *c, int64_t now_ns)
{
	struct vclock	*m = &c->model;
	double		 over = overshoot(c, now_ns), rate = m->slew_req_ppm;

	vclock_advance(m, now_ns);
	if (over == 0.0)
		return;
	m->offset_s -= over;
	vclock_slew(m, now_ns, -over, fmin(rate, fabs(over) / TAKE_BACK_S *
	    1e6));
}

struct clock *
clock_new_kernel(const struct kclock_sys *sys, int rtcsync)
{
	struct clock	*c;
	struct timex	 tx;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->kind = CLOCK_KIND_KERNEL;
	c->model.clock_time = 1;
	c->sys = sys;
	c->rtcsync = rtcsync;
	memset(&tx, 0, sizeof(tx));	/* modes 0: read only */
	if (kadj(c, &tx) == -1) {
		free(c);
		return NULL;
	}
	/* Start from what the kernel compensates already. */
	c->freq_ppm = -(tx.freq / 65536.0 +
	    (tx.tick - NOMINAL_TICK) * PPM_PER_TICK);
	c->leap = LEAP_NORMAL;
	return c;
}

struct clock *
clock_new_virtual(int64_t now_ns, double offset_s, double err_ppm)
{
	struct clock	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->kind = CLOCK_KIND_VIRTUAL;
	vclock_init(&c->model, now_ns, offset_s, err_ppm);
	return c;
}

/*
 * -x, as chronyd's: the system clock is left alone, and the requests go
 * to a model of it, so that the engine still tracks the clock's offset and
 * frequency and serves its estimate of true time.  As in chronyd's null
 * driver, a slew is taken at once: there is no clock to be gentle with.
 */
struct clock *
clock_new_none(int64_t now_ns)
{
	struct clock	*c;

	if ((c = clock_new_virtual(now_ns, 0.0, 0.0)) != NULL)
		c->kind = CLOCK_KIND_NONE;
	return c;
}

void
clock_free(struct clock *c)
{
	free(c);
}

enum clock_kind
clock_kind(const struct clock *c)
{
	return c->kind;
}

int
clock_set_freq(struct clock *c, int64_t now_ns, double freq_ppm)
{
	kernel_catch_up(c, now_ns);
	vclock_set_freq(&c->model, now_ns, freq_ppm);
	c->freq_ppm = freq_ppm;
	if (c->kind == CLOCK_KIND_KERNEL)
		return kernel_apply_rate(c, rate_now(c, now_ns));
	return 0;
}

int
clock_slew(struct clock *c, int64_t now_ns, double offset_s, double rate_ppm)
{
	/* -x: an offset is taken at once, as by chronyd's null driver */
	if (c->kind == CLOCK_KIND_NONE) {
		vclock_step(&c->model, now_ns, offset_s);
		return 0;
	}
	kernel_catch_up(c, now_ns);
	vclock_slew(&c->model, now_ns, offset_s, rate_ppm);
	if (c->kind == CLOCK_KIND_KERNEL)
		return kernel_apply_rate(c, rate_now(c, now_ns));
	return 0;
}

int
clock_step(struct clock *c, int64_t now_ns, double offset_s)
{
	struct timex	 tx;
	double		 whole;

	kernel_catch_up(c, now_ns);
	vclock_step(&c->model, now_ns, offset_s);
	if (c->kind != CLOCK_KIND_KERNEL)
		return 0;
	/* ADJ_SETOFFSET adds time.tv_sec + time.tv_usec (ns) atomically. */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	whole = floor(-offset_s);
	tx.time.tv_sec = (time_t)whole;
	tx.time.tv_usec = lround((-offset_s - whole) * 1e9);
	if (tx.time.tv_usec >= 1000000000L) {
		tx.time.tv_sec++;
		tx.time.tv_usec -= 1000000000L;
	}
	if (kadj(c, &tx) == -1)
		return -1;
	c->real_less_mono_ns -= llround(offset_s * 1e9);
	return kernel_apply_rate(c, rate_now(c, now_ns));
}

int
clock_set_leap(struct clock *c, int leap)
{
	struct timex	 tx;

	if (c->leap != LEAP_NORMAL)
		c->leap_was = c->leap;
	c->leap = leap;
	if (c->kind != CLOCK_KIND_KERNEL)
		return 0;
	memset(&tx, 0, sizeof(tx));
	if (kadj(c, &tx) == -1)
		return -1;
	tx.modes = ADJ_STATUS;
	tx.status &= ~(STA_INS | STA_DEL);
	if (leap == LEAP_INSERT)
		tx.status |= STA_INS;
	else if (leap == LEAP_DELETE)
		tx.status |= STA_DEL;
	return kadj(c, &tx);
}

int
clock_set_sync(struct clock *c, int synced, double est_error_s,
    double max_error_s)
{
	struct timex	 tx;

	if (c->kind != CLOCK_KIND_KERNEL)
		return 0;
	memset(&tx, 0, sizeof(tx));
	if (kadj(c, &tx) == -1)
		return -1;
	tx.modes = ADJ_STATUS | ADJ_ESTERROR | ADJ_MAXERROR;
	/* Clearing STA_UNSYNC starts the kernel's 11-minute RTC mode. */
	if (synced && c->rtcsync)
		tx.status &= ~STA_UNSYNC;
	else
		tx.status |= STA_UNSYNC;
	tx.esterror = lround(fmin(est_error_s * 1e6, 16e6));
	tx.maxerror = lround(fmin(max_error_s * 1e6, 16e6));
	return kadj(c, &tx);
}

double
clock_slew_left(const struct clock *c, int64_t now_ns)
{
	return vclock_slew_left(&c->model, now_ns) - overshoot(c, now_ns);
}

int64_t
clock_slew_end(const struct clock *c)
{
	const struct vclock	*m = &c->model;

	if (m->slew_left_s == 0.0 || m->slew_rate_ppm <= 0.0)
		return 0;
	return m->ref_ns + (int64_t)ceil(fabs(m->slew_left_s) /
	    (m->slew_rate_ppm * 1e-6) * 1e9);
}

int
clock_tick(struct clock *c, int64_t now_ns)
{
	kernel_catch_up(c, now_ns);
	if (c->kind == CLOCK_KIND_KERNEL)
		return kernel_apply_rate(c, rate_now(c, now_ns));
	return 0;
}

double
clock_freq(const struct clock *c)
{
	return c->freq_ppm;
}

void
clock_state(const struct clock *c, int64_t now_ns, struct clock_state *st)
{
	memset(st, 0, sizeof(*st));
	st->kind = c->kind;
	st->leap = c->leap;
	st->freq_ppm = c->freq_ppm;
	st->slew_left_s = clock_slew_left(c, now_ns);
	/* The engine reads the slew in progress from it for every kind. */
	st->model = c->model;
}

static int
real_adjtime(clockid_t id, struct timex *tx)
{
	return clock_adjtime(id, tx);
}

const struct kclock_sys	kclock_sys_real = { real_adjtime };

/*
 * A slew moves CLOCK_REALTIME and CLOCK_MONOTONIC alike; a step, a
 * resume from suspend (the monotonic clock stood still) or another
 * program's settimeofday() moves the real time alone.  The kernel's leap
 * second moves it by -1 s (inserted) or +1 s (deleted) when one was
 * armed, now or since the last call.
 */
double
clock_foreign_step(struct clock *c, int64_t real_ns, int64_t mono_ns)
{
	int64_t	 d = real_ns - mono_ns;
	double	 step_s;
	int	 leap = c->leap != LEAP_NORMAL ? c->leap : c->leap_was;

	c->leap_was = LEAP_NORMAL;
	if (!c->have_real_less_mono) {
		c->have_real_less_mono = 1;
		c->real_less_mono_ns = d;
		return 0.0;
	}
	step_s = (double)(d - c->real_less_mono_ns) * 1e-9;
	c->real_less_mono_ns = d;
	if (c->kind == CLOCK_KIND_KERNEL &&
	    ((leap == LEAP_INSERT && fabs(step_s + 1.0) < CLOCK_FOREIGN_MIN_S) ||
	    (leap == LEAP_DELETE && fabs(step_s - 1.0) < CLOCK_FOREIGN_MIN_S)))
		return 0.0;
	return fabs(step_s) < CLOCK_FOREIGN_MIN_S ? 0.0 : step_s;
}
