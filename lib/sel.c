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
 * Source selection, after RFC 5905 section 11.2.1 and chrony's
 * SRC_SelectSource():
 *
 * 1. A candidate is considered if it is usable, not noselect, every
 *    number in it is finite and sane, and its root distance is within
 *    maxdistance.  Others are '?' and do not count towards a majority.
 * 2. Each considered candidate claims the true offset lies in its
 *    correctness interval [offset - distance, offset + distance].  A
 *    sweep over the sorted endpoints (Marzullo) finds the region covered
 *    by the most intervals; among equally deep regions the narrowest
 *    wins, then the lowest.  Unless that depth is a strict majority of
 *    the considered candidates, nobody can be trusted: all are 'x'.
 *    Otherwise the candidates whose interval holds the region are the
 *    truechimers and the rest are falsetickers ('x').
 * 3. Fewer truechimers than minsources: none is selected, all are '-'.
 * 4. Truechimers with jitter above maxjitter are '~', unless all are.
 * 5. The best is chosen among the remaining truechimers, as chrony's:
 *    prefer sources first (only they, if any exists), then the smallest
 *    distance with stratumweight added for each stratum above the
 *    lowest and reselectdist for all but the source selected now, then
 *    the smallest jitter, the lowest index.
 * 6. Truechimers within combinelimit times (reselectdist + the best's
 *    distance) whose frequency agrees with the best's within
 *    combinelimit times (their skews + maxclockerror), as chrony (and
 *    preferred, when the best is), are combined with it ('+'), the
 *    others are '-'.
 *
 * Falsetickers never reach the arithmetic, so however wrong they are they
 * cannot move the result.  No allocation: everything is on the stack.
 */

#include <math.h>
#include <string.h>

#include "sel.h"

/* Floors so that a zero distance or skew cannot make a weight infinite. */
#define MIN_DIST_S	1e-9
#define MIN_SKEW_PPM	1e-6	/* chrony's MIN_SKEW, 1e-12 */

struct end {
	double	v;
	int	low;		/* 1: start of an interval, 0: its end */
	int	trust;		/* of a trusted source */
};

/*
 * Root distance in seconds: the largest error this candidate admits,
 * root_delay_s / 2 + root_disp_s + offset_sd_s.  Half the root delay
 * bounds the error of an asymmetric path, the root dispersion the
 * accumulated error up the tree and our own growth since the sample, the
 * offset's standard deviation our estimate's uncertainty.
 */
double
sel_distance(const struct sel_cand *c)
{
	return c->root_delay_s / 2.0 + c->root_disp_s + c->offset_sd_s;
}

static int
sane(const struct sel_cand *c)
{
	if (!isfinite(c->offset_s) || !isfinite(c->offset_sd_s) ||
	    !isfinite(c->freq_ppm) || !isfinite(c->skew_ppm) ||
	    !isfinite(c->stddev_s) || !isfinite(c->root_delay_s) ||
	    !isfinite(c->root_disp_s))
		return 0;
	/* A negative term would shrink the distance an upstream claims. */
	return c->offset_sd_s >= 0.0 && c->skew_ppm >= 0.0 &&
	    c->stddev_s >= 0.0 && c->root_delay_s >= 0.0 &&
	    c->root_disp_s >= 0.0;
}

static int
considered(const struct sel_params *p, const struct sel_cand *c)
{
	double	d;

	if (!c->usable || c->noselect || !sane(c))
		return 0;
	d = sel_distance(c);
	if (!(d <= p->maxdistance_s))
		return 0;
	/* Offsets so large that the interval overflows are not time. */
	return isfinite(c->offset_s - d) && isfinite(c->offset_s + d);
}

/* Closed intervals: at equal values starts sort first, so touching counts. */
static int
end_before(const struct end *a, const struct end *b)
{
	if (a->v != b->v)
		return a->v < b->v;
	return a->low && !b->low;
}

static void
sort_ends(struct end *e, size_t n)
{
	struct end	t;
	size_t		i, j;

	for (i = 1; i < n; i++) {
		t = e[i];
		for (j = i; j > 0 && end_before(&t, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

/*
 * Marzullo's sweep over m intervals: returns the largest number of
 * intervals sharing a region and that region in *rlo, *rhi.  Every local
 * maximum is a region [last start, next end]; the one shared by the most
 * trusted intervals (trust[i]) wins, then the deepest, then the
 * narrowest, then the lowest (the sweep runs upwards).  *tdepth: the
 * trusted intervals that share it.
 */
static int
marzullo(const double *lo, const double *hi, const int *trust, size_t m,
    double *rlo, double *rhi, int *tdepth)
{
	struct end	e[2 * SEL_MAX_SOURCES];
	double		start = 0.0;
	size_t		i;
	int		depth = 0, tdep = 0, best = 0, tbest = 0, rising = 0;

	for (i = 0; i < m; i++) {
		e[2 * i].v = lo[i];
		e[2 * i].low = 1;
		e[2 * i].trust = trust[i];
		e[2 * i + 1].v = hi[i];
		e[2 * i + 1].low = 0;
		e[2 * i + 1].trust = trust[i];
	}
	sort_ends(e, 2 * m);
	for (i = 0; i < 2 * m; i++) {
		if (e[i].low) {
			depth++;
			tdep += e[i].trust;
			start = e[i].v;
			rising = 1;
			continue;
		}
		if (rising && (tdep > tbest || (tdep == tbest &&
		    (depth > best || (depth == best &&
		    e[i].v - start < *rhi - *rlo))))) {
			best = depth;
			tbest = tdep;
			*rlo = start;
			*rhi = e[i].v;
		}
		rising = 0;
		depth--;
		tdep -= e[i].trust;
	}
	*tdepth = tbest;
	return best;
}

/* Jittery truechimers are set aside, unless none would be left. */
static void
mark_jittery(const struct sel_params *p, const struct sel_cand *c,
    size_t n, struct sel_out *out)
{
	size_t	i, calm = 0;

	for (i = 0; i < n; i++)
		if (out->state[i] == SEL_NOTCOMB &&
		    !(c[i].stddev_s > p->maxjitter_s))
			calm++;
	if (calm == 0)
		return;
	for (i = 0; i < n; i++)
		if (out->state[i] == SEL_NOTCOMB &&
		    c[i].stddev_s > p->maxjitter_s)
			out->state[i] = SEL_JITTERY;
}

/*
 * A candidate's score for the best, as chrony's: its distance, plus
 * stratumweight for each stratum (chrony counts from the lowest; only
 * the differences count: a stratum weighs a millisecond, so a near
 * server a stratum further from the reference beats a far one), plus
 * reselectdist unless it is the source selected now, so that sources of
 * about the same distance do not take turns.
 */
static double
score(const struct sel_params *p, const struct sel_cand *c, size_t i)
{
	double	d = sel_distance(&c[i]) + c[i].stratum * p->stratumweight_s;

	return (int)i == p->prev_best ? d : d + p->reselectdist_s;
}

static int
pick_best(const struct sel_params *p, const struct sel_cand *c, size_t n,
    const struct sel_out *out)
{
	size_t	i;
	int	best = -1, prefer = 0;
	double	d, best_d = 0.0;

	for (i = 0; i < n; i++)
		if (out->state[i] == SEL_NOTCOMB && c[i].prefer)
			prefer = 1;
	for (i = 0; i < n; i++) {
		if (out->state[i] != SEL_NOTCOMB || (prefer && !c[i].prefer))
			continue;
		d = score(p, c, i);
		if (best == -1 || d < best_d || (d == best_d &&
		    c[i].stddev_s < c[best].stddev_s)) {
			best = (int)i;
			best_d = d;
		}
	}
	return best;
}

static double
weight_offset(const struct sel_cand *c)
{
	double	d = sel_distance(c);

	return 1.0 / (d > MIN_DIST_S ? d : MIN_DIST_S);
}

static double
weight_freq(const struct sel_cand *c)
{
	double	s = c->skew_ppm;

	if (s < MIN_SKEW_PPM)
		s = MIN_SKEW_PPM;
	return 1.0 / (s * s);
}

/*
 * Offset: mean weighted by 1 / distance, its sd from the weighted mean of
 * the members' variances plus their weighted spread about that mean.
 * Frequency: mean weighted by 1 / skew^2, skew 1 / sqrt(sum 1 / skew^2).
 * Members are summed in index order; the rest comes from the best.
 */
static void
combine(const struct sel_cand *c, size_t n, int best, struct sel_out *out)
{
	double	wo = 0.0, so = 0.0, wf = 0.0, sf = 0.0, var = 0.0, w, d;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (out->state[i] != SEL_BEST && out->state[i] != SEL_COMBINED)
			continue;
		w = weight_offset(&c[i]);
		wo += w;
		so += w * c[i].offset_s;
		w = weight_freq(&c[i]);
		wf += w;
		sf += w * c[i].freq_ppm;
		out->ncombined++;
	}
	out->offset_s = so / wo;
	out->freq_ppm = sf / wf;
	out->skew_ppm = 1.0 / sqrt(wf);
	for (i = 0; i < n; i++) {
		if (out->state[i] != SEL_BEST && out->state[i] != SEL_COMBINED)
			continue;
		d = c[i].offset_s - out->offset_s;
		var += weight_offset(&c[i]) *
		    (c[i].offset_sd_s * c[i].offset_sd_s + d * d);
	}
	out->offset_sd_s = sqrt(var / wo);
	out->best = best;
	out->root_delay_s = c[best].root_delay_s;
	out->root_disp_s = c[best].root_disp_s;
	out->stratum = c[best].stratum;
}

static void
mark_combined(const struct sel_params *p, const struct sel_cand *c,
    size_t n, int best, struct sel_out *out)
{
	double	limit = p->combinelimit *
	    (p->reselectdist_s + sel_distance(&c[best]));
	size_t	i;

	out->state[best] = SEL_BEST;
	if (!(p->combinelimit > 0.0))
		return;
	for (i = 0; i < n; i++) {
		if (out->state[i] != SEL_NOTCOMB)
			continue;
		/* chrony: a preferred best is combined only with its kind */
		if (c[best].prefer && !c[i].prefer)
			continue;
		/* and a clock that runs otherwise is not averaged in */
		if (sel_distance(&c[i]) <= limit &&
		    fabs(c[i].freq_ppm - c[best].freq_ppm) <= p->combinelimit *
		    (c[i].skew_ppm + c[best].skew_ppm + p->maxclockerror_ppm))
			out->state[i] = SEL_COMBINED;
	}
}

/*
 * Choose the system peer among n candidates and combine the survivors.
 * Every state[i] for i < n is set; on anything but SEL_OK best is -1 and
 * the numbers are zero.  ncombined counts the best too.  More than
 * SEL_MAX_SOURCES candidates is refused as SEL_NONE_USABLE.
 */
enum sel_result
sel_run(const struct sel_params *p, const struct sel_cand *c, size_t n,
    struct sel_out *out)
{
	double	lo[SEL_MAX_SOURCES], hi[SEL_MAX_SOURCES];
	double	tlo[SEL_MAX_SOURCES], thi[SEL_MAX_SOURCES];
	double	rlo = 0.0, rhi = 0.0, trlo = 0.0, trhi = 0.0;
	size_t	idx[SEL_MAX_SOURCES], i, m = 0, nt = 0, ntrue = 0;
	int	trust[SEL_MAX_SOURCES], tone[SEL_MAX_SOURCES];
	int	depth, tdepth, best, majority, required = 0, required_ok = 0;

	memset(out, 0, sizeof(*out));
	out->best = -1;
	if (n > SEL_MAX_SOURCES) {
		memset(out->state, SEL_UNUSABLE, sizeof(out->state));
		return SEL_NONE_USABLE;
	}
	for (i = 0; i < n; i++) {
		out->state[i] = SEL_UNUSABLE;
		if (!considered(p, &c[i]))
			continue;
		idx[m] = i;
		lo[m] = c[i].offset_s - sel_distance(&c[i]);
		hi[m] = c[i].offset_s + sel_distance(&c[i]);
		trust[m] = c[i].trust != 0;
		m++;
	}
	if (m == 0)
		return SEL_NONE_USABLE;

	/*
	 * chrony's trust: the region the most trusted sources share is
	 * true if a majority of the trusted share it, whatever the others
	 * say; a trusted source is a falseticker only where other trusted
	 * ones disagree with it; and the others count only wholly within
	 * the trusted sources' region (trlo, trhi), so that they cannot move
	 * the offset out of it.
	 */
	depth = marzullo(lo, hi, trust, m, &rlo, &rhi, &tdepth);
	for (i = 0; i < m; i++)
		if (trust[i]) {
			tlo[nt] = lo[i];
			thi[nt] = hi[i];
			tone[nt++] = 1;
		}
	if (nt > 0)
		(void)marzullo(tlo, thi, tone, nt, &trlo, &trhi, &tdepth);
	majority = nt > 0 ? 2 * (size_t)tdepth > nt : 2 * (size_t)depth > m;
	for (i = 0; i < m; i++) {
		if (majority && lo[i] <= rlo && hi[i] >= rhi &&
		    (nt == 0 || trust[i] || (lo[i] >= trlo && hi[i] <= trhi))) {
			out->state[idx[i]] = SEL_NOTCOMB;
			ntrue++;
		} else {
			out->state[idx[i]] = SEL_FALSE;
		}
	}
	if (!majority)
		return SEL_NO_MAJORITY;
	if (ntrue < (size_t)(p->minsources > 1 ? p->minsources : 1))
		return SEL_TOO_FEW;
	/* chrony's require: one of those sources at least is a truechimer */
	for (i = 0; i < n; i++)
		if (c[i].require) {
			required = 1;
			required_ok |= out->state[i] == SEL_NOTCOMB;
		}
	if (required && !required_ok)
		return SEL_NO_REQUIRED;

	mark_jittery(p, c, n, out);
	best = pick_best(p, c, n, out);
	mark_combined(p, c, n, best, out);
	combine(c, n, best, out);
	return SEL_OK;
}

/*
 * Day of the month of a Unix time (UTC), by arithmetic alone: gmtime_r()
 * may read the time zone files on its first call, which the sandboxed
 * engine cannot (days to civil date, proleptic Gregorian calendar).
 */
static int
day_of_month(int64_t unix_s)
{
	int64_t	 z, era, doe, yoe, doy, mp;

	z = (unix_s >= 0 ? unix_s : unix_s - 86399) / 86400 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return (int)(doy - (153 * mp + 2) / 5 + 1);
}

static int
last_day_of_month(int64_t unix_s)
{
	return day_of_month(unix_s + 86400) == 1;
}

static int
truechimer(const struct sel_out *out, size_t i)
{
	return out->state[i] == SEL_BEST || out->state[i] == SEL_COMBINED ||
	    out->state[i] == SEL_NOTCOMB;
}

/*
 * chrony's vote: every truechimer, combined or not, and where some are
 * trusted only those, so that a trusted server announcing a leap second
 * is not outvoted by a reference clock that knows nothing of it.
 */
int
sel_leap(const struct sel_out *out, const struct sel_cand *c,
    const int *leap, size_t n, int64_t unix_s)
{
	size_t	 i, votes = 0, ins = 0, del = 0;
	int	 trusted = 0;

	if (n > SEL_MAX_SOURCES)
		n = SEL_MAX_SOURCES;
	for (i = 0; i < n; i++)
		trusted |= truechimer(out, i) && c[i].trust;
	for (i = 0; i < n; i++) {
		if (!truechimer(out, i) || (trusted && !c[i].trust))
			continue;
		votes++;
		ins += leap[i] == 1;
		del += leap[i] == 2;
	}
	if (votes == 0 || !last_day_of_month(unix_s))
		return 0;
	if (2 * ins > votes)
		return 1;
	if (2 * del > votes)
		return 2;
	return 0;
}
