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

#include <check.h>
#include <math.h>
#include <string.h>

#include "sel.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXROW		8

/* Flags for C(): prefer, noselect, unusable, jittery. */
#define P	0x1
#define N	0x2
#define U	0x4
#define J	0x8
#define T	0x10	/* trust */
#define R	0x20	/* require */

/* A candidate at offset off whose root distance is dist (all dispersion). */
#define C(off, dist, st, fl) {						\
	.usable = !((fl) & U), .noselect = !!((fl) & N),		\
	.prefer = !!((fl) & P), .trust = !!((fl) & T),			\
	.require = !!((fl) & R), .stratum = (st), .offset_s = (off),	\
	.skew_ppm = 1.0, .stddev_s = ((fl) & J) ? 2.0 : 0.001,		\
	.root_disp_s = (dist) }
#define S(off, dist)	C(off, dist, 2, 0)

static const struct sel_params	defp = {
	.minsources = 1, .maxdistance_s = 3.0, .combinelimit = 3.0,
	.maxjitter_s = 1.0, .prev_best = -1, .stratumweight_s = 0.001,
	.maxclockerror_ppm = 1.0
};

static const struct {
	const char		*what;
	int			 minsources;	/* 0: default */
	double			 maxdistance_s;	/* 0: default */
	size_t			 n;
	struct sel_cand		 c[MAXROW];
	enum sel_result		 res;
	const char		*states;
	int			 best;
} rows[] = {
	{ "majority: 3 agree, 1 off by 1 s", 0, 0, 4,
	    { S(0.0, 0.010), S(0.001, 0.012), S(-0.001, 0.015),
	    S(1.0, 0.010) }, SEL_OK, "*++x", 0 },
	{ "tie 2 vs 2 is no strict majority", 0, 0, 4,
	    { S(0.0, 0.010), S(0.005, 0.010), S(1.0, 0.010),
	    S(1.005, 0.010) }, SEL_NO_MAJORITY, "xxxx", -1 },
	{ "3 mutually disjoint", 0, 0, 3,
	    { S(0.0, 0.010), S(1.0, 0.010), S(2.0, 0.010) },
	    SEL_NO_MAJORITY, "xxx", -1 },
	{ "all false: 5 disjoint", 0, 0, 5,
	    { S(0.0, 0.01), S(0.1, 0.01), S(0.2, 0.01), S(-0.1, 0.01),
	    S(-0.2, 0.01) }, SEL_NO_MAJORITY, "xxxxx", -1 },
	{ "single source is a majority of 1", 0, 0, 1,
	    { S(0.5, 0.010) }, SEL_OK, "*", 0 },
	{ "minsources 2 with one source", 2, 0, 1,
	    { S(0.5, 0.010) }, SEL_TOO_FEW, "-", -1 },
	{ "minsources 4 with 3 truechimers", 4, 0, 4,
	    { S(0.0, 0.010), S(0.001, 0.012), S(-0.001, 0.015),
	    S(1.0, 0.010) }, SEL_TOO_FEW, "---x", -1 },
	{ "noselect is '?' and does not vote", 0, 0, 4,
	    { C(1.0, 0.010, 2, N), S(0.0, 0.010), S(1.0, 0.010),
	    S(0.001, 0.012) }, SEL_OK, "?*x+", 1 },
	{ "unusable is '?' and does not vote", 0, 0, 4,
	    { C(1.0, 0.010, 2, U), S(0.0, 0.010), S(1.0, 0.010),
	    S(0.001, 0.012) }, SEL_OK, "?*x+", 1 },
	{ "maxdistance exceeded is '?'", 0, 0, 3,
	    { S(0.0, 3.001), S(0.0, 0.010), S(0.001, 0.012) },
	    SEL_OK, "?*+", 1 },
	{ "maxdistance reached is fine", 0, 0.02, 2,
	    { S(0.0, 0.02), S(0.001, 0.010) }, SEL_OK, "+*", 1 },
	{ "none usable", 0, 0, 3,
	    { C(0.0, 0.01, 2, U), C(0.0, 0.01, 2, N), S(0.0, 5.0) },
	    SEL_NONE_USABLE, "???", -1 },
	{ "no candidates", 0, 0, 0, { S(0.0, 0.0) },
	    SEL_NONE_USABLE, "", -1 },
	{ "prefer wins; combined only with prefer", 0, 0, 3,
	    { S(0.0, 0.001), C(0.0005, 0.010, 2, P), S(0.0002, 0.005) },
	    SEL_OK, "-*-", 1 },
	{ "prefer best combines other prefer", 0, 0, 3,
	    { C(0.0, 0.010, 2, P), C(0.001, 0.020, 2, P), S(0.0, 0.005) },
	    SEL_OK, "*+-", 0 },
	{ "false prefer cannot be best", 0, 0, 3,
	    { C(1.0, 0.001, 1, P), S(0.0, 0.010), S(0.001, 0.012) },
	    SEL_OK, "x*+", 1 },
	{ "a stratum weighs 1 ms: a near stratum 3 beats far stratum 2s",
	    0, 0, 3, { C(0.0, 0.001, 3, 0), C(0.0, 0.020, 2, 0),
	    C(0.0, 0.010, 2, 0) }, SEL_OK, "*--", 0 },
	{ "a stratum weighs 1 ms: 0.5 ms nearer is not enough", 0, 0, 2,
	    { C(0.0, 0.002, 3, 0), C(0.0, 0.0025, 2, 0) },
	    SEL_OK, "+*", 1 },
	{ "combinelimit excludes a far truechimer", 0, 0, 3,
	    { S(0.0, 0.010), S(0.001, 0.050), S(-0.001, 0.020) },
	    SEL_OK, "*-+", 0 },
	{ "jittery is '~', not best", 0, 0, 3,
	    { C(0.0, 0.010, 2, J), S(0.001, 0.020), S(-0.001, 0.025) },
	    SEL_OK, "~*+", 1 },
	{ "all jittery: none set aside", 0, 0, 2,
	    { C(0.0, 0.010, 2, J), C(0.001, 0.020, 2, J) },
	    SEL_OK, "*+", 0 },
	{ "falseticker minority of 2 out of 5", 0, 0, 5,
	    { S(1.0, 0.010), S(0.0, 0.010), S(1.001, 0.010),
	    S(0.001, 0.012), S(-0.001, 0.015) }, SEL_OK, "x*x++", 1 },
	{ "touching intervals intersect", 0, 0, 2,
	    { S(0.0, 0.010), S(0.020, 0.010) }, SEL_OK, "*+", 0 },
	{ "equal depth: tightest region wins", 0, 10.0, 3,
	    { S(5.0, 5.0), S(0.25, 0.25), S(9.75, 0.75) },
	    SEL_OK, "-*x", 1 },
	{ "trust: a trusted source outvotes two that agree", 0, 0, 3,
	    { C(0.0, 0.010, 2, T), S(1.0, 0.010), S(1.001, 0.010) },
	    SEL_OK, "*xx", 0 },
	{ "trust: alone among disjoint sources, no majority needed", 0, 0,
	    3, { S(1.0, 0.010), C(0.0, 0.010, 2, T), S(2.0, 0.010) },
	    SEL_OK, "x*x", 1 },
	{ "trust: two trusted disagree: no majority, as chrony's", 0, 0, 3,
	    { C(0.0, 0.010, 2, T), C(1.0, 0.010, 2, T), S(1.001, 0.010) },
	    SEL_NO_MAJORITY, "xxx", -1 },
	{ "trust: two of three trusted agree, the third is false", 0, 0, 3,
	    { C(0.0, 0.010, 2, T), C(1.0, 0.010, 2, T),
	    C(1.001, 0.010, 2, T) }, SEL_OK, "x*+", 1 },
	{ "trust: the others only wholly within the trusted interval", 0,
	    0, 3, { S(1.0, 0.6), S(2.0, 0.6), C(0.0, 0.6, 2, T) },
	    SEL_OK, "xx*", 2 },
	{ "require: the required source is a falseticker", 0, 0, 3,
	    { C(1.0, 0.010, 2, R), S(0.0, 0.010), S(0.001, 0.010) },
	    SEL_NO_REQUIRED, "x--", -1 },
	{ "require: the required source is unusable", 0, 0, 3,
	    { C(0.0, 0.010, 2, R | U), S(0.0, 0.010), S(0.001, 0.010) },
	    SEL_NO_REQUIRED, "?--", -1 },
	{ "require: one of two required is true: selected", 0, 0, 4,
	    { C(1.0, 0.010, 2, R), C(0.0, 0.010, 2, R), S(0.001, 0.010),
	    S(-0.001, 0.010) }, SEL_OK, "x*++", 1 },
};

static void
states(const struct sel_out *out, size_t n, char *buf)
{
	memcpy(buf, out->state, n);
	buf[n] = '\0';
}

START_TEST(test_sel_states)
{
	struct sel_params	 p = defp;
	struct sel_out		 out;
	enum sel_result		 res;
	char			 got[SEL_MAX_SOURCES + 1];

	if (rows[_i].minsources != 0)
		p.minsources = rows[_i].minsources;
	if (rows[_i].maxdistance_s != 0.0)
		p.maxdistance_s = rows[_i].maxdistance_s;
	res = sel_run(&p, rows[_i].c, rows[_i].n, &out);
	states(&out, rows[_i].n, got);
	ck_assert_msg(res == rows[_i].res, "%s: result %d", rows[_i].what,
	    res);
	ck_assert_msg(strcmp(got, rows[_i].states) == 0, "%s: states %s",
	    rows[_i].what, got);
	ck_assert_msg(out.best == rows[_i].best, "%s: best %d",
	    rows[_i].what, out.best);
	if (res != SEL_OK)
		ck_assert_msg(out.ncombined == 0 && out.offset_s == 0.0,
		    "%s: numbers on failure", rows[_i].what);
}
END_TEST

START_TEST(test_sel_distance)
{
	struct sel_cand	 c = S(0.0, 0.004);

	c.root_delay_s = 0.010;
	c.offset_sd_s = 0.001;
	ck_assert_double_eq_tol(sel_distance(&c), 0.010, 1e-15);
}
END_TEST

/* The source selected now keeps its place against one barely better. */
START_TEST(test_sel_reselectdist_keeps_the_selected)
{
	struct sel_params	 p = defp;
	struct sel_cand		 c[3] = { S(0.0, 0.00100), S(0.0, 0.00105),
	    S(0.0, 0.00300) };
	struct sel_out		 out;

	p.reselectdist_s = 100e-6;
	ck_assert_int_eq(sel_run(&p, c, 3, &out), SEL_OK);
	ck_assert_int_eq(out.best, 0);
	p.prev_best = 1;		/* 50 us worse: it stays */
	ck_assert_int_eq(sel_run(&p, c, 3, &out), SEL_OK);
	ck_assert_int_eq(out.best, 1);
	p.prev_best = 2;		/* 2 ms worse: replaced */
	ck_assert_int_eq(sel_run(&p, c, 3, &out), SEL_OK);
	ck_assert_int_eq(out.best, 0);
}
END_TEST

/* A leap is announced by a majority of the selected, at a month's end. */
START_TEST(test_sel_leap_majority_at_month_end)
{
	struct sel_out	 out;
	struct sel_cand	 c[4];
	int		 leap[4] = { 1, 1, 0, 1 };
	int64_t		 jun30 = 1782820800;	/* 2026-06-30 12:00 UTC */
	int64_t		 jun15 = 1781524800;	/* 2026-06-15 12:00 UTC */

	memset(&out, 0, sizeof(out));
	memset(c, 0, sizeof(c));
	out.state[0] = SEL_BEST;
	out.state[1] = SEL_COMBINED;
	out.state[2] = SEL_COMBINED;
	out.state[3] = SEL_FALSE;	/* not counted */
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, jun30), 1);
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, jun15), 0);
	leap[1] = 2;			/* 1 insert, 1 delete of 3 */
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, jun30), 0);
	leap[0] = 2;			/* 2 deletes of 3 */
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, jun30), 2);
	/* the last days of months, leap years, before 1970 */
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, 1798675200 + 43200), 2);
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, 1709164800 + 3600), 2);
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, 1709078400 + 3600), 0);
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, -86400 + 1), 2);
	out.state[0] = out.state[1] = out.state[2] = SEL_FALSE;
	ck_assert_int_eq(sel_leap(&out, c, leap, 4, jun30), 0);
}
END_TEST

/*
 * chrony's vote: truechimers not combined vote too, and a trusted
 * server is not outvoted by an untrusted reference clock without leap
 * information (chrony's 113-leapsecond).
 */
START_TEST(test_sel_leap_truechimers_and_trusted_vote)
{
	struct sel_out	 out;
	struct sel_cand	 c[3];
	int		 leap[3] = { 0, 1, 1 };
	int64_t		 jun30 = 1782820800;	/* 2026-06-30 12:00 UTC */

	memset(&out, 0, sizeof(out));
	memset(c, 0, sizeof(c));
	out.state[0] = SEL_BEST;	/* a refclock: no leap */
	out.state[1] = SEL_NOTCOMB;
	out.state[2] = SEL_NOTCOMB;
	ck_assert_int_eq(sel_leap(&out, c, leap, 3, jun30), 1);
	out.state[2] = SEL_UNUSABLE;	/* 1 of 2: no majority */
	ck_assert_int_eq(sel_leap(&out, c, leap, 3, jun30), 0);
	c[1].trust = 1;			/* only the trusted vote */
	ck_assert_int_eq(sel_leap(&out, c, leap, 3, jun30), 1);
	leap[1] = 0;
	leap[0] = 1;
	ck_assert_int_eq(sel_leap(&out, c, leap, 3, jun30), 0);
	out.state[1] = SEL_FALSE;	/* a trusted falseticker: no say */
	ck_assert_int_eq(sel_leap(&out, c, leap, 3, jun30), 1);
}


/*
 * stratumweight 0: the distance alone; a large one: the stratum first.
 * A source whose frequency is not the best's, beyond combinelimit times
 * their skews and maxclockerror, is not combined (chrony's).
 */
START_TEST(test_sel_stratumweight_and_frequency)
{
	struct sel_params	 p = defp;
	struct sel_cand		 c[2] = { C(0.0, 0.002, 3, 0),
	    C(0.0, 0.0025, 2, 0) };
	struct sel_out		 out;

	p.stratumweight_s = 0.0;
	ck_assert_int_eq(sel_run(&p, c, 2, &out), SEL_OK);
	ck_assert_int_eq(out.best, 0);
	p.stratumweight_s = 1.0;
	c[0].root_disp_s = 0.0001;
	ck_assert_int_eq(sel_run(&p, c, 2, &out), SEL_OK);
	ck_assert_int_eq(out.best, 1);
	ck_assert_int_eq(out.state[0], SEL_COMBINED);
	/* skews 1 and 1 ppm, maxclockerror 1: 9 ppm apart is combined, */
	/* 9.1 is not */
	c[0].freq_ppm = 9.0;
	ck_assert_int_eq(sel_run(&p, c, 2, &out), SEL_OK);
	ck_assert_int_eq(out.state[0], SEL_COMBINED);
	c[0].freq_ppm = -9.1;
	ck_assert_int_eq(sel_run(&p, c, 2, &out), SEL_OK);
	ck_assert_int_eq(out.state[0], SEL_NOTCOMB);
	ck_assert_int_eq(out.ncombined, 1);
	ck_assert_double_eq(out.freq_ppm, 0.0);
}
END_TEST

/* reselectdist widens the combining limit, as chrony's does. */
START_TEST(test_sel_reselectdist_widens_combining)
{
	struct sel_params	 p = defp;
	struct sel_cand		 c[2] = { S(0.0, 0.001), S(0.0005, 0.004) };
	struct sel_out		 out;

	ck_assert_int_eq(sel_run(&p, c, 2, &out), SEL_OK);
	ck_assert_int_eq(out.state[1], SEL_NOTCOMB);	/* 4 ms > 3 x 1 ms */
	p.reselectdist_s = 0.001;
	ck_assert_int_eq(sel_run(&p, c, 2, &out), SEL_OK);
	ck_assert_int_eq(out.state[1], SEL_COMBINED);	/* <= 3 x 2 ms */
}
END_TEST

static const struct {
	const char	*what;
	double		 v;
} bad_rows[] = {
	{ "NaN", NAN },
	{ "infinity", INFINITY },
	{ "negative", -0.001 },
};

/* A bogus number in any field makes the candidate '?'. */
START_TEST(test_sel_rejects_bogus)
{
	static const size_t	 off[] = {
		offsetof(struct sel_cand, offset_sd_s),
		offsetof(struct sel_cand, skew_ppm),
		offsetof(struct sel_cand, stddev_s),
		offsetof(struct sel_cand, root_delay_s),
		offsetof(struct sel_cand, root_disp_s),
	};
	struct sel_cand		 c[3] = { S(0.0, 0.010), S(0.0, 0.010),
	    S(0.001, 0.012) };
	struct sel_out		 out;
	size_t			 i;

	for (i = 0; i < NELEM(off); i++) {
		c[0] = (struct sel_cand)S(0.0, 0.010);
		memcpy((char *)&c[0] + off[i], &bad_rows[_i].v,
		    sizeof(double));
		ck_assert_int_eq(sel_run(&defp, c, 3, &out), SEL_OK);
		ck_assert_msg(out.state[0] == SEL_UNUSABLE, "%s in field %zu",
		    bad_rows[_i].what, i);
		ck_assert_int_eq(out.best, 1);
	}
	/* negative offsets and frequencies are fine */
	if (bad_rows[_i].v < 0.0)
		return;
	c[0] = (struct sel_cand)S(bad_rows[_i].v, 0.010);
	ck_assert_int_eq(sel_run(&defp, c, 3, &out), SEL_OK);
	ck_assert_msg(out.state[0] == SEL_UNUSABLE, "%s offset",
	    bad_rows[_i].what);
	c[0] = (struct sel_cand)S(0.0, 0.010);
	c[0].freq_ppm = bad_rows[_i].v;
	ck_assert_int_eq(sel_run(&defp, c, 3, &out), SEL_OK);
	ck_assert_msg(out.state[0] == SEL_UNUSABLE, "%s freq",
	    bad_rows[_i].what);
}
END_TEST

/*
 * d = 0.010, 0.020, 0.040 -> weights 100, 50, 25 (sum 175)
 * offset = (100 * 0.010 + 50 * 0.020 + 25 * 0.040) / 175 = 3 / 175
 * var = (100 * (0.002^2 + (0.010 - 3/175)^2) + 50 * (0.020 - 3/175)^2 +
 *     25 * (0.010^2 + (0.040 - 3/175)^2)) / 175 = 1.2269387755e-4
 * skews 1, 2, 2 -> weights 1, 1/4, 1/4 (sum 1.5)
 * freq = (1 + 2/4 + 4/4) / 1.5 = 5/3, skew = 1 / sqrt(1.5)
 */
START_TEST(test_sel_weighted_mean)
{
	struct sel_params	 p = defp;
	struct sel_cand		 c[3] = { S(0.010, 0.004),
	    S(0.020, 0.020), S(0.040, 0.030) };
	struct sel_out		 out;

	c[0].root_delay_s = 0.008;
	c[0].offset_sd_s = 0.002;
	c[0].stratum = 1;
	c[0].freq_ppm = 1.0;
	c[1].freq_ppm = 2.0;
	c[1].skew_ppm = 2.0;
	c[2].offset_sd_s = 0.010;
	c[2].freq_ppm = 4.0;
	c[2].skew_ppm = 2.0;
	p.combinelimit = 4.0;
	ck_assert_int_eq(sel_run(&p, c, 3, &out), SEL_OK);
	ck_assert_int_eq(out.best, 0);
	ck_assert_int_eq(out.ncombined, 3);
	ck_assert_double_eq_tol(out.offset_s, 3.0 / 175.0, 1e-15);
	ck_assert_double_eq_tol(out.offset_sd_s, 0.011076726842845786,
	    1e-12);
	ck_assert_double_eq_tol(out.freq_ppm, 5.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(out.skew_ppm, 0.8164965809277261, 1e-12);
	/* the reference comes from the best */
	ck_assert_double_eq(out.root_delay_s, 0.008);
	ck_assert_double_eq(out.root_disp_s, 0.004);
	ck_assert_int_eq(out.stratum, 1);

	/* combinelimit 3: the third is '-' and out of the sums */
	ck_assert_int_eq(sel_run(&defp, c, 3, &out), SEL_OK);
	ck_assert_int_eq(out.state[2], SEL_NOTCOMB);
	ck_assert_int_eq(out.ncombined, 2);
	ck_assert_double_eq_tol(out.offset_s, 2.0 / 150.0, 1e-15);
}
END_TEST

START_TEST(test_sel_single_source_values)
{
	struct sel_cand		 c = S(-0.25, 0.010);
	struct sel_out		 out;

	c.offset_sd_s = 0.003;
	c.freq_ppm = -12.5;
	c.skew_ppm = 0.5;
	c.root_delay_s = 0.020;
	ck_assert_int_eq(sel_run(&defp, &c, 1, &out), SEL_OK);
	ck_assert_int_eq(out.ncombined, 1);
	ck_assert_double_eq(out.offset_s, -0.25);
	ck_assert_double_eq_tol(out.offset_sd_s, 0.003, 1e-15);
	ck_assert_double_eq(out.freq_ppm, -12.5);
	ck_assert_double_eq_tol(out.skew_ppm, 0.5, 1e-15);
	ck_assert_double_eq(out.root_delay_s, 0.020);
	ck_assert_double_eq(out.root_disp_s, 0.010);
}
END_TEST

/* However far off, a falseticker leaves every number unchanged. */
START_TEST(test_sel_falseticker_ignored)
{
	static const double	 wild[] = { 0.5, -3.0, 1e6, -1e9 };
	struct sel_cand		 c[4] = { S(0.0, 0.010), S(0.002, 0.012),
	    S(-0.001, 0.015), S(0.0, 0.010) };
	struct sel_out		 ref, out;
	size_t			 i;

	c[1].freq_ppm = 3.0;
	ck_assert_int_eq(sel_run(&defp, c, 3, &ref), SEL_OK);
	for (i = 0; i < NELEM(wild); i++) {
		c[3].offset_s = wild[i];
		c[3].freq_ppm = wild[i];
		ck_assert_int_eq(sel_run(&defp, c, 4, &out), SEL_OK);
		ck_assert_int_eq(out.state[3], SEL_FALSE);
		ck_assert_int_eq(out.ncombined, ref.ncombined);
		ck_assert(out.offset_s == ref.offset_s);
		ck_assert(out.offset_sd_s == ref.offset_sd_s);
		ck_assert(out.freq_ppm == ref.freq_ppm);
		ck_assert(out.skew_ppm == ref.skew_ppm);
	}
}
END_TEST

START_TEST(test_sel_max_sources)
{
	struct sel_cand		 c[SEL_MAX_SOURCES + 1];
	struct sel_out		 out;
	size_t			 i, nfalse = 0, ncomb = 0;

	for (i = 0; i < NELEM(c); i++) {
		if (i < 40)
			c[i] = (struct sel_cand)S((i % 7) * 1e-4,
			    0.010 + i * 1e-5);
		else
			c[i] = (struct sel_cand)S(10.0 + (i - 40), 0.010);
	}
	ck_assert_int_eq(sel_run(&defp, c, SEL_MAX_SOURCES, &out), SEL_OK);
	ck_assert_int_eq(out.best, 0);
	for (i = 0; i < SEL_MAX_SOURCES; i++) {
		nfalse += out.state[i] == SEL_FALSE;
		ncomb += out.state[i] == SEL_COMBINED;
	}
	ck_assert_uint_eq(nfalse, SEL_MAX_SOURCES - 40);
	ck_assert_uint_eq(ncomb, 39);
	ck_assert_int_eq(out.ncombined, 40);

	/* one more than fits is refused, not truncated */
	ck_assert_int_eq(sel_run(&defp, c, SEL_MAX_SOURCES + 1, &out),
	    SEL_NONE_USABLE);
	ck_assert_int_eq(out.best, -1);
	for (i = 0; i < SEL_MAX_SOURCES; i++)
		ck_assert_int_eq(out.state[i], SEL_UNUSABLE);
}
END_TEST

static const struct sel_cand	mix[] = {
	S(0.0, 0.010),			/* '*' */
	S(0.002, 0.012),		/* '+' */
	S(-0.001, 0.015),		/* '+' */
	S(0.003, 0.050),		/* '-': beyond combinelimit */
	S(1.0, 0.011),			/* 'x' */
	C(0.001, 0.020, 2, J),		/* '~' */
	S(-1.0, 0.020),			/* 'x' */
	C(0.0, 0.013, 2, N),		/* '?' */
};

/* Every permutation of mix gives each candidate the same state. */
START_TEST(test_sel_order_independence)
{
	enum { M = NELEM(mix) };
	struct sel_cand	 c[M];
	struct sel_out	 out, ref;
	size_t		 perm[M], cnt[M], i, k, t, runs = 0;

	ck_assert_int_eq(sel_run(&defp, mix, M, &ref), SEL_OK);
	ck_assert(memcmp(ref.state, "*++-x~x?", M) == 0);
	for (i = 0; i < M; i++) {
		perm[i] = i;
		cnt[i] = 0;
	}
	/* Heap's algorithm, iterative */
	for (i = 0; i < M; ) {
		for (k = 0; k < M; k++)
			c[k] = mix[perm[k]];
		/* plain ifs: every passing ck_assert costs a pipe write */
		if (sel_run(&defp, c, M, &out) != SEL_OK ||
		    perm[out.best] != 0 ||
		    fabs(out.offset_s - ref.offset_s) > 1e-15 ||
		    fabs(out.freq_ppm - ref.freq_ppm) > 1e-12)
			ck_abort_msg("run %zu: result differs", runs);
		for (k = 0; k < M; k++)
			if (out.state[k] != ref.state[perm[k]])
				ck_abort_msg("run %zu: candidate %zu is %c",
				    runs, perm[k], out.state[k]);
		runs++;
		while (i < M && cnt[i] >= i) {
			cnt[i] = 0;
			i++;
		}
		if (i == M)
			break;
		k = i % 2 == 0 ? 0 : cnt[i];
		t = perm[k];
		perm[k] = perm[i];
		perm[i] = t;
		cnt[i]++;
		i = 0;
	}
	ck_assert_uint_eq(runs, 40320);		/* 8! */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sel");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_sel_states, 0, NELEM(rows));
	tcase_add_test(tc, test_sel_distance);
	tcase_add_loop_test(tc, test_sel_rejects_bogus, 0, NELEM(bad_rows));
	tcase_add_test(tc, test_sel_weighted_mean);
	tcase_add_test(tc, test_sel_reselectdist_widens_combining);
	tcase_add_test(tc, test_sel_stratumweight_and_frequency);
	tcase_add_test(tc, test_sel_leap_majority_at_month_end);
	tcase_add_test(tc, test_sel_leap_truechimers_and_trusted_vote);
	tcase_add_test(tc, test_sel_reselectdist_keeps_the_selected);
	tcase_add_test(tc, test_sel_single_source_values);
	tcase_add_test(tc, test_sel_falseticker_ignored);
	tcase_add_test(tc, test_sel_max_sources);
	tcase_add_test(tc, test_sel_order_independence);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
