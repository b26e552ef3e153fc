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
 * Unit tests of lib/fmt.c.  Golden text is copied from chronyc 4.3
 * outputs (shared/reference/chronyc-outputs.txt); the JSON outputs are
 * also run through a small well-formedness checker.
 */

#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "pkt.h"

static char	*out;
static size_t	 outlen;

static void
teardown(void)
{
	free(out);
	out = NULL;
}

static FILE *
cap(void)
{
	FILE	*fp;

	teardown();
	fp = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(fp);
	return fp;
}

static const char *
got(FILE *fp)
{
	ck_assert_int_eq(fclose(fp), 0);
	return out;
}

/* A tiny JSON checker: returns the end of one value, NULL if invalid. */
static const char	*json_value(const char *, int);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *
json_str(const char *p)
{
	int	 i;

	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (i = 1; i <= 4; i++)
				if (!isxdigit((unsigned char)p[i]))
					return NULL;
			p += 4;
		} else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL)
			return NULL;
	}
	return p + 1;
}

static const char *
json_digits(const char *p)
{
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

static const char *
json_num(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if ((p = json_digits(p)) == NULL)
		return NULL;
	if (*p == '.' && (p = json_digits(p + 1)) == NULL)
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = json_digits(p);
	}
	return p;
}

static const char *
json_list(const char *p, char close, int object, int depth)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if ((p = json_str(p)) == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if ((p = json_value(p, depth + 1)) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = json_ws(p);
	}
}

static const char *
json_word(const char *p, const char *word)
{
	return strncmp(p, word, strlen(word)) == 0 ? p + strlen(word) : NULL;
}

static const char *
json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 16)
		return NULL;
	switch (*p) {
	case '{':
		return json_list(p, '}', 1, depth);
	case '[':
		return json_list(p, ']', 0, depth);
	case '"':
		return json_str(p);
	case 't':
		return json_word(p, "true");
	case 'f':
		return json_word(p, "false");
	case 'n':
		return json_word(p, "null");
	default:
		return json_num(p);
	}
}

static int
json_ok(const char *s)
{
	const char	*p;

	p = json_value(s, 0);
	return p != NULL && *json_ws(p) == '\0';
}

/* The tracking report of the client in the reference. */
static void
ref_tracking(struct rpt_tracking *t)
{
	memset(t, 0, sizeof(*t));
	t->ref_id = 0x7F000002;
	strcpy(t->ref_name, "127.0.0.2");
	t->stratum = 2;
	t->ref_time = 1795552597.717545422;
	t->system_time_offset_s = 863e-9;
	t->last_offset_s = -18e-9;
	t->rms_offset_s = 82e-9;
	t->freq_ppm = -0.006;
	t->residual_freq_ppm = -0.0002;
	t->skew_ppm = 0.016;
	t->root_delay_s = 5.207e-6;
	t->root_dispersion_s = 1.126e-6;
	t->update_interval_s = 0.3;
	t->leap = LEAP_NORMAL;
	t->clock = CLOCK_KIND_KERNEL;
}

/* The first source row of the reference. */
static void
ref_source(struct rpt_source *s)
{
	memset(s, 0, sizeof(*s));
	s->mode = RPT_MODE_SERVER;
	s->state = '+';
	strcpy(s->name, "localhost");
	strcpy(s->address, "127.0.0.1");
	s->port = 123;
	s->stratum = 1;
	s->poll = -2;
	s->reach = 0377;
	s->last_rx_s = 0;
	s->offset_s = 27e-9;
	s->measured_offset_s = 9e-9;
	s->error_s = 2855e-9;
}

/* The second source row of the reference. */
static void
ref_source2(struct rpt_source *s)
{
	ref_source(s);
	s->state = '*';
	strcpy(s->name, "127.0.0.2");
	strcpy(s->address, "127.0.0.2");
	s->offset_s = -388e-9;
	s->measured_offset_s = -406e-9;
	s->error_s = 3139e-9;
}

static const char *
source_row(const struct rpt_source *s, int numeric)
{
	FILE	*fp;

	fp = cap();
	fmt_source(fp, s, numeric);
	return got(fp);
}

/* Columns of a row: LastRx 46-49, offset 52-58, measured 60-66, error 73-78 */
static char *
row_field(const struct rpt_source *s, size_t start, size_t len)
{
	const char	*row;

	row = source_row(s, 0);
	ck_assert_uint_eq(strlen(row), 80);
	return strndup(row + start, len);
}

#define CK_FIELD(s, start, len, want) do {				\
	char *f_ = row_field((s), (start), (len));			\
	ck_assert_str_eq(f_, (want));					\
	free(f_);							\
} while (0)

START_TEST(test_fmt_tracking_reference)
{
	struct rpt_tracking	 t;
	FILE			*fp;

	ref_tracking(&t);
	fp = cap();
	fmt_tracking(fp, &t);
	ck_assert_str_eq(got(fp),
	    "Reference ID    : 7F000002 (127.0.0.2)\n"
	    "Stratum         : 2\n"
	    "Ref time (UTC)  : Tue Nov 24 20:36:37 2026\n"
	    "System time     : 0.000000863 seconds fast of NTP time\n"
	    "Last offset     : -0.000000018 seconds\n"
	    "RMS offset      : 0.000000082 seconds\n"
	    "Frequency       : 0.006 ppm slow\n"
	    "Residual freq   : -0.000 ppm\n"
	    "Skew            : 0.016 ppm\n"
	    "Root delay      : 0.000005207 seconds\n"
	    "Root dispersion : 0.000001126 seconds\n"
	    "Update interval : 0.3 seconds\n"
	    "Leap status     : Normal\n");
}
END_TEST

START_TEST(test_fmt_tracking_reference_server)
{
	struct rpt_tracking	 t;
	FILE			*fp;

	memset(&t, 0, sizeof(t));
	t.ref_id = 0x7F7F0101;
	t.stratum = 1;
	t.ref_time = 1795552575.25;
	fp = cap();
	fmt_tracking(fp, &t);
	ck_assert_str_eq(got(fp),
	    "Reference ID    : 7F7F0101 ()\n"
	    "Stratum         : 1\n"
	    "Ref time (UTC)  : Tue Nov 24 20:36:15 2026\n"
	    "System time     : 0.000000000 seconds fast of NTP time\n"
	    "Last offset     : +0.000000000 seconds\n"
	    "RMS offset      : 0.000000000 seconds\n"
	    "Frequency       : 0.000 ppm slow\n"
	    "Residual freq   : +0.000 ppm\n"
	    "Skew            : 0.000 ppm\n"
	    "Root delay      : 0.000000000 seconds\n"
	    "Root dispersion : 0.000000000 seconds\n"
	    "Update interval : 0.0 seconds\n"
	    "Leap status     : Normal\n");
}
END_TEST

START_TEST(test_fmt_tracking_unsynchronised)
{
	struct rpt_tracking	 t;
	FILE			*fp;

	memset(&t, 0, sizeof(t));
	t.root_delay_s = 1.0;
	t.root_dispersion_s = 1.0;
	t.leap = LEAP_UNSYNC;
	t.clock = CLOCK_KIND_NONE;
	fp = cap();
	fmt_tracking(fp, &t);
	ck_assert_str_eq(got(fp),
	    "Reference ID    : 00000000 ()\n"
	    "Stratum         : 0\n"
	    "Ref time (UTC)  : Thu Jan 01 00:00:00 1970\n"
	    "System time     : 0.000000000 seconds fast of NTP time\n"
	    "Last offset     : +0.000000000 seconds\n"
	    "RMS offset      : 0.000000000 seconds\n"
	    "Frequency       : 0.000 ppm slow\n"
	    "Residual freq   : +0.000 ppm\n"
	    "Skew            : 0.000 ppm\n"
	    "Root delay      : 1.000000000 seconds\n"
	    "Root dispersion : 1.000000000 seconds\n"
	    "Update interval : 0.0 seconds\n"
	    "Leap status     : Not synchronised\n");
}
END_TEST

START_TEST(test_fmt_tracking_slow_fast_signs)
{
	struct rpt_tracking	 t;
	FILE			*fp;
	const char		*s;

	ref_tracking(&t);
	t.system_time_offset_s = -0.5;
	t.freq_ppm = 12.3456;
	t.residual_freq_ppm = 0.25;
	t.last_offset_s = 1234.0;
	fp = cap();
	fmt_tracking(fp, &t);
	s = got(fp);
	ck_assert_ptr_nonnull(strstr(s,
	    "System time     : 0.500000000 seconds slow of NTP time\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "Last offset     : +1234.000000000 seconds\n"));
	ck_assert_ptr_nonnull(strstr(s, "Frequency       : 12.346 ppm fast\n"));
	ck_assert_ptr_nonnull(strstr(s, "Residual freq   : +0.250 ppm\n"));

	t.freq_ppm = -487.25;
	fp = cap();
	fmt_tracking(fp, &t);
	ck_assert_ptr_nonnull(strstr(got(fp),
	    "Frequency       : 487.250 ppm slow\n"));
}
END_TEST

START_TEST(test_fmt_tracking_leap_texts)
{
	static const char *const want[] = {
		"Leap status     : Normal\n",
		"Leap status     : Insert second\n",
		"Leap status     : Delete second\n",
		"Leap status     : Not synchronised\n",
		"Leap status     : Invalid\n"
	};
	struct rpt_tracking	 t;
	FILE			*fp;
	int			 i;

	ref_tracking(&t);
	for (i = 0; i < 5; i++) {
		t.leap = i;
		fp = cap();
		fmt_tracking(fp, &t);
		ck_assert_ptr_nonnull(strstr(got(fp), want[i]));
	}
}
END_TEST

START_TEST(test_fmt_tracking_nonfinite_text)
{
	struct rpt_tracking	 t;
	FILE			*fp;
	const char		*s;

	ref_tracking(&t);
	t.ref_time = NAN;
	t.system_time_offset_s = INFINITY;
	t.skew_ppm = NAN;
	strcpy(t.ref_name, "bad\033[2J");
	fp = cap();
	fmt_tracking(fp, &t);
	s = got(fp);
	ck_assert_ptr_nonnull(strstr(s,
	    "Reference ID    : 7F000002 (bad?[2J)\n"));
	ck_assert_ptr_nonnull(strstr(s, "Ref time (UTC)  : \n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "System time     : - seconds fast of NTP time\n"));
	ck_assert_ptr_nonnull(strstr(s, "Skew            : - ppm\n"));
	ck_assert_ptr_null(strstr(s, "nan"));
	ck_assert_ptr_null(strstr(s, "inf"));
}
END_TEST

START_TEST(test_fmt_tracking_csv_reference)
{
	struct rpt_tracking	 t;
	FILE			*fp;

	ref_tracking(&t);
	t.system_time_offset_s = 0.0;
	t.root_dispersion_s = 1.139e-6;
	fp = cap();
	fmt_tracking_csv(fp, &t);
	/* The reference has .717545422: beyond a double at 1.8e9 s. */
	ck_assert_str_eq(got(fp), "7F000002,127.0.0.2,2,"
	    "1795552597.717545509,0.000000000,-0.000000018,0.000000082,"
	    "-0.006,-0.000,0.016,0.000005207,0.000001139,0.3,Normal\n");
}
END_TEST

START_TEST(test_fmt_tracking_csv_signs)
{
	struct rpt_tracking	 t;
	FILE			*fp;

	memset(&t, 0, sizeof(t));
	t.system_time_offset_s = 863e-9;	/* fast: chronyd's -863e-9 */
	t.freq_ppm = 1.5;
	t.leap = LEAP_INSERT;
	fp = cap();
	fmt_tracking_csv(fp, &t);
	ck_assert_str_eq(got(fp), "00000000,,0,0.000000000,-0.000000863,"
	    "0.000000000,0.000000000,1.500,0.000,0.000,0.000000000,"
	    "0.000000000,0.0,Insert second\n");
}
END_TEST

START_TEST(test_fmt_tracking_json_reference)
{
	struct rpt_tracking	 t;
	FILE			*fp;
	const char		*s;

	ref_tracking(&t);
	fp = cap();
	fmt_tracking_json(fp, &t);
	s = got(fp);
	ck_assert_str_eq(s, "{\"reference_id\":\"7F000002\","
	    "\"reference_name\":\"127.0.0.2\",\"stratum\":2,"
	    "\"ref_time\":1795552597.717545509,"
	    "\"system_time_offset\":0.000000863,"
	    "\"last_offset\":-0.000000018,\"rms_offset\":0.000000082,"
	    "\"frequency_ppm\":-0.006000,\"residual_freq_ppm\":-0.000200,"
	    "\"skew_ppm\":0.016000,\"root_delay\":0.000005207,"
	    "\"root_dispersion\":0.000001126,"
	    "\"update_interval\":0.300000000,\"leap_status\":\"normal\","
	    "\"clock\":\"kernel\"}\n");
	ck_assert(json_ok(s));
}
END_TEST

START_TEST(test_fmt_tracking_json_clock_kinds)
{
	struct rpt_tracking	 t;
	FILE			*fp;
	const char		*s;

	ref_tracking(&t);
	t.clock = CLOCK_KIND_VIRTUAL;
	t.virtual_true_offset_s = -0.25;
	t.leap = LEAP_UNSYNC;
	fp = cap();
	fmt_tracking_json(fp, &t);
	s = got(fp);
	ck_assert(json_ok(s));
	ck_assert_ptr_nonnull(strstr(s, "\"leap_status\":\"unsynchronised\","
	    "\"clock\":\"virtual\",\"virtual_true_offset\":-0.250000000}\n"));

	t.clock = CLOCK_KIND_NONE;
	t.leap = LEAP_DELETE;
	fp = cap();
	fmt_tracking_json(fp, &t);
	s = got(fp);
	ck_assert(json_ok(s));
	ck_assert_ptr_nonnull(strstr(s,
	    "\"leap_status\":\"delete\",\"clock\":\"none\"}\n"));
	ck_assert_ptr_null(strstr(s, "virtual_true_offset"));

	t.clock = 7;
	t.leap = -1;
	fp = cap();
	fmt_tracking_json(fp, &t);
	s = got(fp);
	ck_assert(json_ok(s));
	ck_assert_ptr_nonnull(strstr(s,
	    "\"leap_status\":null,\"clock\":null}\n"));
}
END_TEST

START_TEST(test_fmt_tracking_json_nonfinite_null)
{
	struct rpt_tracking	 t;
	FILE			*fp;
	const char		*s;

	ref_tracking(&t);
	t.ref_time = NAN;
	t.system_time_offset_s = INFINITY;
	t.last_offset_s = -INFINITY;
	t.rms_offset_s = NAN;
	t.freq_ppm = NAN;
	t.residual_freq_ppm = INFINITY;
	t.skew_ppm = NAN;
	t.root_delay_s = NAN;
	t.root_dispersion_s = NAN;
	t.update_interval_s = NAN;
	t.clock = CLOCK_KIND_VIRTUAL;
	t.virtual_true_offset_s = NAN;
	fp = cap();
	fmt_tracking_json(fp, &t);
	s = got(fp);
	ck_assert(json_ok(s));
	ck_assert_ptr_nonnull(strstr(s, "\"ref_time\":null,"
	    "\"system_time_offset\":null,\"last_offset\":null,"
	    "\"rms_offset\":null,\"frequency_ppm\":null,"
	    "\"residual_freq_ppm\":null,\"skew_ppm\":null,"
	    "\"root_delay\":null,\"root_dispersion\":null,"
	    "\"update_interval\":null,"));
	ck_assert_ptr_nonnull(strstr(s, "\"virtual_true_offset\":null}"));
	ck_assert_ptr_null(strstr(s, "nan"));
	ck_assert_ptr_null(strstr(s, "inf"));
}
END_TEST

START_TEST(test_fmt_tracking_json_escaped_name)
{
	struct rpt_tracking	 t;
	FILE			*fp;
	const char		*s;

	ref_tracking(&t);
	strcpy(t.ref_name, "a\"b\\c\n\001");
	fp = cap();
	fmt_tracking_json(fp, &t);
	s = got(fp);
	ck_assert(json_ok(s));
	ck_assert_ptr_nonnull(strstr(s,
	    "\"reference_name\":\"a\\\"b\\\\c\\u000a\\u0001\","));
}
END_TEST

START_TEST(test_fmt_sources_header_plain)
{
	FILE	*fp;

	fp = cap();
	fmt_sources_header(fp, 0);
	ck_assert_str_eq(got(fp),
	    "MS Name/IP address         Stratum Poll Reach LastRx "
	    "Last sample               \n"
	    "================================================="
	    "==============================\n");
}
END_TEST

START_TEST(test_fmt_sources_header_verbose)
{
	FILE	*fp;

	fp = cap();
	fmt_sources_header(fp, 1);
	ck_assert_str_eq(got(fp), "\n"
	    "  .-- Source mode  '^' = server, '=' = peer, "
	    "'#' = local clock.\n"
	    " / .- Source state '*' = current best, '+' = combined, "
	    "'-' = not combined,\n"
	    "| /             'x' = may be in error, '~' = too variable, "
	    "'?' = unusable.\n"
	    "||                                                 "
	    ".- xxxx [ yyyy ] +/- zzzz\n"
	    "||      Reachability register (octal) -.           "
	    "|  xxxx = adjusted offset,\n"
	    "||      Log2(Polling interval) --.      |          "
	    "|  yyyy = measured offset,\n"
	    "||                                \\     |          "
	    "|  zzzz = estimated error.\n"
	    "||                                 |    |           \\\n"
	    "MS Name/IP address         Stratum Poll Reach LastRx "
	    "Last sample               \n"
	    "================================================="
	    "==============================\n");
}
END_TEST

START_TEST(test_fmt_source_reference_rows)
{
	struct rpt_source	 s;

	ref_source(&s);
	ck_assert_str_eq(source_row(&s, 0), "^+ localhost                "
	    "     1  -2   377     0    +27ns[   +9ns] +/- 2855ns\n");
	ref_source2(&s);
	ck_assert_str_eq(source_row(&s, 1), "^* 127.0.0.2                "
	    "     1  -2   377     0   -388ns[ -406ns] +/- 3139ns\n");
}
END_TEST

START_TEST(test_fmt_source_numeric_and_fallbacks)
{
	struct rpt_source	 s;

	ref_source(&s);
	ck_assert_ptr_nonnull(strstr(source_row(&s, 1), "^+ 127.0.0.1   "));
	s.name[0] = '\0';
	ck_assert_ptr_nonnull(strstr(source_row(&s, 0), "^+ 127.0.0.1   "));
	s.address[0] = '\0';
	ck_assert_ptr_nonnull(strstr(source_row(&s, 1), "^+ ?    "));
	strcpy(s.name, "localhost");
	ck_assert_ptr_nonnull(strstr(source_row(&s, 1), "^+ localhost   "));
}
END_TEST

START_TEST(test_fmt_source_mode_and_state_chars)
{
	static const int	 modes[] = { RPT_MODE_SERVER, RPT_MODE_PEER,
	    RPT_MODE_LOCAL, RPT_MODE_REFCLOCK, 9 };
	static const char	 want[] = "^=## ";
	struct rpt_source	 s;
	const char		*states = "*+-?x~";
	size_t			 i;

	ref_source(&s);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		s.mode = modes[i];
		ck_assert_int_eq(source_row(&s, 0)[0], want[i]);
	}
	for (i = 0; i < strlen(states); i++) {
		s.state = states[i];
		ck_assert_int_eq(source_row(&s, 0)[1], states[i]);
	}
	s.state = '\033';
	ck_assert_int_eq(source_row(&s, 0)[1], ' ');
	s.state = '\0';
	ck_assert_int_eq(source_row(&s, 0)[1], ' ');
}
END_TEST

START_TEST(test_fmt_source_never_reached)
{
	struct rpt_source	 s;

	memset(&s, 0, sizeof(s));
	s.mode = RPT_MODE_SERVER;
	s.state = '?';
	strcpy(s.name, "ntp.example.org");
	s.poll = 6;
	s.last_rx_s = -1;
	s.offset_s = NAN;
	s.measured_offset_s = 5.0;
	s.error_s = INFINITY;
	ck_assert_str_eq(source_row(&s, 0), "^? ntp.example.org          "
	    "     0   6     0     -     +0ns[   +0ns] +/-    0ns\n");
}
END_TEST

START_TEST(test_fmt_source_huge_offsets)
{
	struct rpt_source	 s;

	ref_source(&s);
	strcpy(s.name, "big.example");
	s.state = '-';
	s.poll = 10;
	s.last_rx_s = 1234.9;
	s.offset_s = 1234.0;
	s.measured_offset_s = -0.5;
	s.error_s = 0.5;
	ck_assert_str_eq(source_row(&s, 0), "^- big.example              "
	    "     1  10   377   20m   +1234s[ -500ms] +/-  500ms\n");
}
END_TEST

START_TEST(test_fmt_source_time_units)
{
	static const struct {
		double		 v;
		const char	*sgn, *abs;
	} c[] = {
		{ 0.0, "   +0ns", "   0ns" },
		{ -0.0, "   -0ns", "   0ns" },
		{ 9999.4e-9, "+9999ns", "9999ns" },
		{ 9999.5e-9, "  +10us", "  10us" },
		{ -9999.4e-6, "-9999us", "9999us" },
		{ 9999.5e-6, "  +10ms", "  10ms" },
		{ 0.0123, "  +12ms", "  12ms" },
		{ 9.9995, " +10.0s", " 10.0s" },
		{ -12.34, " -12.3s", " 12.3s" },
		{ 999.4, "+999.4s", "999.4s" },
		{ 999.5, " +1000s", " 1000s" },
		{ -99999.4, "-99999s", "99999s" },
		{ 99999.5, " +1667m", " 1667m" },
		{ 86400.0 * 400, " +9600h", " 9600h" },
		{ 86400.0 * 5000, " +5000d", " 5000d" },
		{ 1e10, "  +317y", "  317y" },
		{ NAN, "      -", "     -" },
		{ -INFINITY, "      -", "     -" }
	};
	struct rpt_source	 s;
	size_t			 i;

	ref_source(&s);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s.offset_s = s.measured_offset_s = s.error_s = c[i].v;
		CK_FIELD(&s, 52, 7, c[i].sgn);
		CK_FIELD(&s, 60, 7, c[i].sgn);
		CK_FIELD(&s, 73, 6, c[i].abs);
	}
}
END_TEST

START_TEST(test_fmt_source_last_rx_units)
{
	static const struct {
		double		 ago;
		const char	*want;
	} c[] = {
		{ -1.0, "   -" },
		{ NAN, "   -" },
		{ 0.0, "   0" },
		{ 0.99, "   0" },
		{ 1199.0, "1199" },
		{ 1200.0, " 20m" },
		{ 35999.0, "599m" },
		{ 36000.0, " 10h" },
		{ 345599.0, " 95h" },
		{ 345600.0, "  4d" },
		{ 86400.0 * 999, "999d" },
		{ 86400.0 * 1000, "  2y" },
		{ 1e30, "136y" }
	};
	struct rpt_source	 s;
	size_t			 i;

	ref_source(&s);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s.last_rx_s = c[i].ago;
		CK_FIELD(&s, 46, 4, c[i].want);
	}
}
END_TEST

/*
 * chronyc prints an address or a configured name (-N) whole, past its
 * column; only names it looks up it cuts, as timectl does (ctl/names.c).
 */
START_TEST(test_fmt_source_wide_names_whole)
{
	struct rpt_source	 s;
	const char		*row;

	ref_source(&s);
	strcpy(s.address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	row = source_row(&s, 1);
	ck_assert_str_eq(row, "^+ 2001:db8:85a3:1234:5678:8a2e:370:7334  "
	    " 1  -2   377     0    +27ns[   +9ns] +/- 2855ns\n");
	strcpy(s.name, "a-very-long-host-name.example.org");
	ck_assert_ptr_nonnull(strstr(source_row(&s, 0),
	    "^+ a-very-long-host-name.example.org   1  -2"));
	strcpy(s.name, "a-very-long-host-name.ex>");	/* as names.c cut it */
	ck_assert_ptr_nonnull(strstr(source_row(&s, 0),
	    "^+ a-very-long-host-name.ex>     1  -2"));
	memset(s.name, 'a', sizeof(s.name));	/* not terminated */
	ck_assert_uint_eq(strspn(source_row(&s, 0) + 3, "a"),
	    RPT_NAME_MAX - 1);
}
END_TEST

START_TEST(test_fmt_source_control_chars_in_text)
{
	struct rpt_source	 s;

	ref_source(&s);
	strcpy(s.name, "evil\033[2J\r\x80");
	ck_assert_ptr_nonnull(strstr(source_row(&s, 0),
	    "^+ evil?[2J??                    1  -2"));
}
END_TEST

START_TEST(test_fmt_source_csv_reference)
{
	struct rpt_source	 s;
	FILE			*fp;

	ref_source(&s);
	s.offset_s = 890e-9;
	fp = cap();
	fmt_source_csv(fp, &s, 1);
	ref_source2(&s);
	s.offset_s = 475e-9;
	fmt_source_csv(fp, &s, 1);
	ck_assert_str_eq(got(fp),
	    "^,+,127.0.0.1,1,-2,377,0,0.000000890,0.000000009,0.000002855\n"
	    "^,*,127.0.0.2,1,-2,377,0,0.000000475,-0.000000406,0.000003139\n");
}
END_TEST

START_TEST(test_fmt_source_csv_names_never_and_huge)
{
	struct rpt_source	 s;
	FILE			*fp;

	ref_source(&s);
	s.mode = RPT_MODE_PEER;
	strcpy(s.address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	s.last_rx_s = 4000.5;
	s.offset_s = 1234.0;
	s.measured_offset_s = -0.5;
	fp = cap();
	fmt_source_csv(fp, &s, 0);
	fmt_source_csv(fp, &s, 1);
	s.last_rx_s = -1.0;
	s.stratum = 0;
	s.reach = 0;
	fmt_source_csv(fp, &s, 1);
	ck_assert_str_eq(got(fp),
	    "=,+,localhost,1,-2,377,4000,1234.000000000,-0.500000000,"
	    "0.000002855\n"
	    "=,+,2001:db8:85a3:1234:5678:8a2e:370:7334,1,-2,377,4000,"
	    "1234.000000000,-0.500000000,0.000002855\n"
	    "=,+,2001:db8:85a3:1234:5678:8a2e:370:7334,0,-2,0,4294967295,"
	    "0.000000000,0.000000000,0.000000000\n");
}
END_TEST

START_TEST(test_fmt_sources_json_reference)
{
	struct rpt_source	 s[2];
	FILE			*fp;
	const char		*j;

	ref_source(&s[0]);
	ref_source2(&s[1]);
	s[1].nts = 1;
	fp = cap();
	fmt_sources_json(fp, s, 2);
	j = got(fp);
	ck_assert_str_eq(j, "[\n"
	    "{\"mode\":\"server\",\"state\":\"+\",\"name\":\"localhost\","
	    "\"address\":\"127.0.0.1\",\"port\":123,\"stratum\":1,"
	    "\"poll\":-2,\"reach\":255,\"last_rx\":0.000000000,"
	    "\"offset\":0.000000027,\"measured_offset\":0.000000009,"
	    "\"error\":0.000002855,\"nts\":false},\n"
	    "{\"mode\":\"server\",\"state\":\"*\",\"name\":\"127.0.0.2\","
	    "\"address\":\"127.0.0.2\",\"port\":123,\"stratum\":1,"
	    "\"poll\":-2,\"reach\":255,\"last_rx\":0.000000000,"
	    "\"offset\":-0.000000388,\"measured_offset\":-0.000000406,"
	    "\"error\":0.000003139,\"nts\":true}\n"
	    "]\n");
	ck_assert(json_ok(j));
}
END_TEST

START_TEST(test_fmt_sources_json_empty)
{
	FILE	*fp;

	fp = cap();
	fmt_sources_json(fp, NULL, 0);
	ck_assert_str_eq(got(fp), "[]\n");
	ck_assert(json_ok(out));
}
END_TEST

START_TEST(test_fmt_sources_json_edge_values)
{
	struct rpt_source	 s[3];
	FILE			*fp;
	const char		*j;

	ref_source(&s[0]);
	s[0].mode = RPT_MODE_REFCLOCK;
	s[0].state = '"';
	strcpy(s[0].name, "PPS \"0\"\\\t\x1f");
	s[0].last_rx_s = -1.0;
	s[0].offset_s = NAN;
	s[0].measured_offset_s = INFINITY;
	s[0].error_s = -INFINITY;
	ref_source(&s[1]);
	s[1].mode = RPT_MODE_LOCAL;
	s[1].state = '\0';
	s[1].address[0] = '\0';
	s[1].last_rx_s = NAN;
	ref_source(&s[2]);
	s[2].mode = 42;
	memset(s[2].name, 'n', sizeof(s[2].name));	/* not terminated */
	fp = cap();
	fmt_sources_json(fp, s, 3);
	j = got(fp);
	ck_assert(json_ok(j));
	ck_assert_ptr_nonnull(strstr(j, "{\"mode\":\"refclock\","
	    "\"state\":\"\\\"\","
	    "\"name\":\"PPS \\\"0\\\"\\\\\\u0009\\u001f\","));
	ck_assert_ptr_nonnull(strstr(j, "\"last_rx\":null,\"offset\":null,"
	    "\"measured_offset\":null,\"error\":null,\"nts\":false}"));
	ck_assert_ptr_nonnull(strstr(j, "{\"mode\":\"local\",\"state\":\"\","
	    "\"name\":\"localhost\",\"address\":\"\","));
	ck_assert_ptr_nonnull(strstr(j, "{\"mode\":null,"));
	ck_assert_ptr_null(strstr(j, "nan"));
	ck_assert_ptr_null(strstr(j, "inf"));
}
END_TEST

START_TEST(test_fmt_json_string_escapes)
{
	FILE	*fp;

	fp = cap();
	fmt_json_string(fp, "plain");
	fputc(' ', fp);
	fmt_json_string(fp, "q\"b\\s/\n\r\t\001\037\177");
	fputc(' ', fp);
	fmt_json_string(fp, "");
	fputc(' ', fp);
	fmt_json_string(fp, NULL);
	ck_assert_str_eq(got(fp), "\"plain\" "
	    "\"q\\\"b\\\\s/\\u000a\\u000d\\u0009\\u0001\\u001f\\u007f\" "
	    "\"\" null");
}
END_TEST

START_TEST(test_fmt_json_string_utf8)
{
	FILE	*fp;

	fp = cap();
	/* valid: e-acute, euro sign, U+1F600 */
	fmt_json_string(fp, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	fputc(' ', fp);
	/* invalid: lone continuation, overlong, surrogate, cut short */
	fmt_json_string(fp, "\x80\xc0\xaf\xed\xa0\x80\xe2\x82");
	ck_assert_str_eq(got(fp), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\" "
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

START_TEST(test_fmt_json_checker_rejects_bad)
{
	ck_assert(json_ok("{\"a\":[1,-2.5e3,true,null,\"x\"]}"));
	ck_assert(!json_ok("{\"a\":nan}"));
	ck_assert(!json_ok("[1,]"));
	ck_assert(!json_ok("{\"a\":1"));
	ck_assert(!json_ok("\"\001\""));
	ck_assert(!json_ok("[1] x"));
}
END_TEST

/* The sourcestats rows of the reference. */
static void
ref_sourcestat(struct rpt_sourcestats *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->name, "localhost");
	strcpy(s->address, "127.0.0.1");
	s->n_samples = 64;
	s->n_runs = 34;
	s->span_s = 16.0;
	s->freq_ppm = 0.003;
	s->freq_skew_ppm = 0.022;
	s->offset_s = 107e-9;
	s->stddev_s = 237e-9;
}

static void
ref_sourcestat2(struct rpt_sourcestats *s)
{
	ref_sourcestat(s);
	strcpy(s->name, "127.0.0.2");
	strcpy(s->address, "127.0.0.2");
	s->n_runs = 35;
	s->span_s = 17.9;		/* chronyd truncates to seconds */
	s->freq_ppm = -0.004;
	s->offset_s = -107e-9;
	s->stddev_s = 249e-9;
}

static const char *
sourcestat_row(const struct rpt_sourcestats *s, int numeric)
{
	FILE	*fp;

	fp = cap();
	fmt_sourcestat(fp, s, numeric);
	return got(fp);
}

static const char *
sourcestat_csv(const struct rpt_sourcestats *s)
{
	FILE	*fp;

	fp = cap();
	fmt_sourcestat_csv(fp, s, 1);
	return got(fp);
}

static size_t
count_char(const char *s, char c)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

#define SOURCESTATS_HEADER						\
	"Name/IP Address            NP  NR  Span  Frequency  Freq Skew  " \
	"Offset  Std Dev\n"						\
	"==============================================================" \
	"================\n"

START_TEST(test_fmt_sourcestats_header_plain)
{
	FILE	*fp;

	fp = cap();
	fmt_sourcestats_header(fp, 0);
	ck_assert_str_eq(got(fp), SOURCESTATS_HEADER);
}
END_TEST

START_TEST(test_fmt_sourcestats_header_verbose)
{
	FILE	*fp;

	fp = cap();
	fmt_sourcestats_header(fp, 1);
	ck_assert_str_eq(got(fp),
	    "                             .- Number of sample points in "
	    "measurement set.\n"
	    "                            /    .- Number of residual runs "
	    "with same sign.\n"
	    "                           |    /    .- Length of measurement "
	    "set (time).\n"
	    "                           |   |    /      .- Est. clock freq "
	    "error (ppm).\n"
	    "                           |   |   |      /           .- Est. "
	    "error in freq.\n"
	    "                           |   |   |     |           /         "
	    ".- Est. offset.\n"
	    "                           |   |   |     |          |          "
	    "|   On the -.\n"
	    "                           |   |   |     |          |          "
	    "|   samples. \\\n"
	    "                           |   |   |     |          |          "
	    "|             |\n"
	    SOURCESTATS_HEADER);
}
END_TEST

START_TEST(test_fmt_sourcestat_reference_rows)
{
	struct rpt_sourcestats	 s;
	FILE			*fp;

	ref_sourcestat(&s);
	ck_assert_str_eq(sourcestat_row(&s, 0), "localhost                  "
	    "64  34    16     +0.003      0.022   +107ns   237ns\n");
	ref_sourcestat2(&s);
	ck_assert_str_eq(sourcestat_row(&s, 1), "127.0.0.2                  "
	    "64  35    17     -0.004      0.022   -107ns   249ns\n");
	/* the whole -v output of the reference */
	fp = cap();
	fmt_sourcestats_header(fp, 0);
	ref_sourcestat(&s);
	fmt_sourcestat(fp, &s, 0);
	ref_sourcestat2(&s);
	fmt_sourcestat(fp, &s, 0);
	ck_assert_str_eq(got(fp), SOURCESTATS_HEADER
	    "localhost                  "
	    "64  34    16     +0.003      0.022   +107ns   237ns\n"
	    "127.0.0.2                  "
	    "64  35    17     -0.004      0.022   -107ns   249ns\n");
}
END_TEST

START_TEST(test_fmt_sourcestat_numeric_and_fallbacks)
{
	struct rpt_sourcestats	 s;

	ref_sourcestat(&s);
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 1),
	    "127.0.0.1                  64"));
	s.name[0] = '\0';
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 0),
	    "127.0.0.1                  64"));
	s.address[0] = '\0';
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 1),
	    "?                          64"));
	ck_assert_str_eq(sourcestat_csv(&s),
	    "?,64,34,16,0.003,0.022,0.000000107,0.000000237\n");
	strcpy(s.name, "localhost");
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 1),
	    "localhost                  64"));
	ck_assert_str_eq(sourcestat_csv(&s),
	    "localhost,64,34,16,0.003,0.022,0.000000107,0.000000237\n");
	strcpy(s.name, "evil\033[2J\r\x80");
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 0),
	    "evil?[2J??                 64"));
}
END_TEST

START_TEST(test_fmt_sourcestat_wide_names_whole)
{
	struct rpt_sourcestats	 s;
	const char		*row;

	ref_sourcestat(&s);
	strcpy(s.address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	row = sourcestat_row(&s, 1);
	ck_assert_str_eq(row, "2001:db8:85a3:1234:5678:8a2e:370:7334  "
	    "64  34    16     +0.003      0.022   +107ns   237ns\n");
	strcpy(s.name, "a-very-long-host-name.example.org");
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 0),
	    "a-very-long-host-name.example.org  64  34"));
	strcpy(s.name, "exactly-25-characters.org");
	ck_assert_ptr_nonnull(strstr(sourcestat_row(&s, 0),
	    "exactly-25-characters.org  64  34"));
	memset(s.name, 'a', sizeof(s.name));	/* not terminated */
	ck_assert_uint_eq(strspn(sourcestat_row(&s, 0), "a"),
	    RPT_NAME_MAX - 1);
	/* CSV prints the whole address */
	ck_assert_str_eq(sourcestat_csv(&s),
	    "2001:db8:85a3:1234:5678:8a2e:370:7334,64,34,16,0.003,0.022,"
	    "0.000000107,0.000000237\n");
}
END_TEST

START_TEST(test_fmt_sourcestat_huge_and_negative)
{
	struct rpt_sourcestats	 s;

	ref_sourcestat(&s);
	s.span_s = 4000.5;
	s.freq_ppm = -99999.4;
	s.freq_skew_ppm = 99999.5;
	s.offset_s = -1234.0;
	s.stddev_s = 0.5;
	ck_assert_str_eq(sourcestat_row(&s, 0), "localhost                  "
	    "64  34   66m -99999.400     100000   -1234s   500ms\n");
	s.n_samples = -1;
	s.n_runs = 0;
	s.span_s = 1e30;
	s.freq_ppm = 123456.7;
	s.freq_skew_ppm = -0.5;
	s.offset_s = 1e10;
	s.stddev_s = -12.34;		/* printed as its magnitude */
	ck_assert_str_eq(sourcestat_row(&s, 0), "localhost                  "
	    "-1   0  136y    +123457     -0.500    +317y   12.3s\n");
	/* values wider than the columns push them, as in chronyc */
	s.n_samples = INT32_MAX;
	s.n_runs = INT32_MIN;
	s.span_s = -1.0;
	s.freq_ppm = -1e12;
	s.freq_skew_ppm = 1e12;
	s.offset_s = -0.0;
	s.stddev_s = 0.0;
	ck_assert_str_eq(sourcestat_row(&s, 0), "localhost                 "
	    "2147483647 -2147483648     - -1000000000000 1000000000000"
	    "     -0ns     0ns\n");
	s.n_samples = 0;
	s.n_runs = 0;
	s.span_s = NAN;
	s.freq_ppm = NAN;
	s.freq_skew_ppm = INFINITY;
	s.offset_s = -INFINITY;
	s.stddev_s = NAN;
	ck_assert_str_eq(sourcestat_row(&s, 0), "localhost                  "
	    " 0   0     -          -          -        -       -\n");
}
END_TEST

START_TEST(test_fmt_sourcestat_csv)
{
	struct rpt_sourcestats	 s;
	FILE			*fp;

	fp = cap();
	ref_sourcestat(&s);
	s.offset_s = 970e-9;
	fmt_sourcestat_csv(fp, &s, 1);
	ref_sourcestat2(&s);
	s.offset_s = 755e-9;
	fmt_sourcestat_csv(fp, &s, 1);
	ck_assert_str_eq(got(fp),
	    "127.0.0.1,64,34,16,0.003,0.022,0.000000970,0.000000237\n"
	    "127.0.0.2,64,35,17,-0.004,0.022,0.000000755,0.000000249\n");
}
END_TEST

START_TEST(test_fmt_sourcestat_csv_edge_values)
{
	struct rpt_sourcestats	 s;
	const char		*row;

	ref_sourcestat(&s);
	s.n_samples = INT32_MAX;
	s.n_runs = -3;
	s.span_s = 1e30;
	s.freq_ppm = -123456.7891;
	s.freq_skew_ppm = 1e6;
	s.offset_s = -1234.5;
	s.stddev_s = 1e-12;
	row = sourcestat_csv(&s);
	ck_assert_uint_eq(count_char(row, ','), 7);
	ck_assert_str_eq(row, "127.0.0.1,2147483647,-3,4294967294,"
	    "-123456.789,1000000.000,-1234.500000000,0.000000000\n");
	s.span_s = -1.0;
	s.freq_ppm = NAN;
	s.freq_skew_ppm = INFINITY;
	s.offset_s = -INFINITY;
	s.stddev_s = NAN;
	row = sourcestat_csv(&s);
	ck_assert_uint_eq(count_char(row, ','), 7);
	/* chronyc's span is unsigned: never "-" */
	ck_assert_str_eq(row, "127.0.0.1,2147483647,-3,4294967295,-,-,-,-\n");
	/* names never add fields */
	strcpy(s.address, "2001:db8::1");
	ck_assert_uint_eq(count_char(sourcestat_csv(&s), ','), 7);
}
END_TEST

START_TEST(test_fmt_sourcestats_json)
{
	static const char *const keys[] = {
		"\"name\":", "\"address\":", "\"samples\":", "\"runs\":",
		"\"span\":", "\"frequency_ppm\":", "\"freq_skew_ppm\":",
		"\"offset\":", "\"std_dev\":"
	};
	struct rpt_sourcestats	 s[3];
	FILE			*fp;
	const char		*j;
	size_t			 i;

	ref_sourcestat(&s[0]);
	ref_sourcestat2(&s[1]);
	fp = cap();
	fmt_sourcestats_json(fp, s, 2);
	j = got(fp);
	ck_assert(json_ok(j));
	ck_assert_str_eq(j, "[\n"
	    "{\"name\":\"localhost\",\"address\":\"127.0.0.1\","
	    "\"samples\":64,\"runs\":34,\"span\":16.000000000,"
	    "\"frequency_ppm\":0.003000,\"freq_skew_ppm\":0.022000,"
	    "\"offset\":0.000000107,\"std_dev\":0.000000237},\n"
	    "{\"name\":\"127.0.0.2\",\"address\":\"127.0.0.2\","
	    "\"samples\":64,\"runs\":35,\"span\":17.900000000,"
	    "\"frequency_ppm\":-0.004000,\"freq_skew_ppm\":0.022000,"
	    "\"offset\":-0.000000107,\"std_dev\":0.000000249}\n"
	    "]\n");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		ck_assert_ptr_nonnull(strstr(j, keys[i]));
		ck_assert_ptr_nonnull(strstr(strstr(j, keys[i]) + 1,
		    keys[i]));
	}

	ref_sourcestat(&s[0]);
	strcpy(s[0].name, "PPS \"0\"\\\t\x1f");
	strcpy(s[0].address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	s[0].n_samples = INT32_MIN;
	s[0].span_s = NAN;
	s[0].freq_ppm = INFINITY;
	s[0].freq_skew_ppm = -INFINITY;
	s[0].offset_s = NAN;
	s[0].stddev_s = NAN;
	ref_sourcestat(&s[1]);
	s[1].address[0] = '\0';
	s[1].freq_ppm = -1e12;
	s[1].offset_s = 1e10;
	ref_sourcestat(&s[2]);
	memset(s[2].name, 'n', sizeof(s[2].name));	/* not terminated */
	memset(s[2].address, 'a', sizeof(s[2].address));
	fp = cap();
	fmt_sourcestats_json(fp, s, 3);
	j = got(fp);
	ck_assert(json_ok(j));
	ck_assert_ptr_nonnull(strstr(j, "{\"name\":\"PPS \\\"0\\\"\\\\"
	    "\\u0009\\u001f\",\"address\":\"2001:db8:85a3:1234:5678:8a2e:"
	    "370:7334\",\"samples\":-2147483648,\"runs\":34,\"span\":null,"
	    "\"frequency_ppm\":null,\"freq_skew_ppm\":null,\"offset\":null,"
	    "\"std_dev\":null}"));
	ck_assert_ptr_nonnull(strstr(j, "\"address\":\"\",\"samples\":64,"));
	ck_assert_ptr_nonnull(strstr(j,
	    "\"frequency_ppm\":-1000000000000.000000,"));
	ck_assert_ptr_nonnull(strstr(j, "\"offset\":10000000000.000000000,"));
	ck_assert_ptr_null(strstr(j, "nan"));
	ck_assert_ptr_null(strstr(j, "inf"));

	fp = cap();
	fmt_sourcestats_json(fp, NULL, 0);
	ck_assert_str_eq(got(fp), "[]\n");
	ck_assert(json_ok(out));
}
END_TEST

/* The serverstats of the second reference, timed's counters set apart. */
static void
ref_serverstats(struct rpt_serverstats *st)
{
	memset(st, 0, sizeof(*st));
	st->ntp_rx = 181;
	st->cmd_rx = 6;
}

static void
odd_serverstats(struct rpt_serverstats *st)
{
	size_t	 i;

	memset(st, 0, sizeof(*st));
	st->ntp_rx = 1;
	st->ntp_dropped = 2;
	st->cmd_rx = 3;
	st->cmd_dropped = 4;
	st->log_dropped = 5;
	st->ntske_accepted = 6;
	st->ntske_dropped = 7;
	st->auth_ntp = 8;
	st->interleaved = 9;
	st->ts_held = 10;
	st->ts_span = 11;
	st->ntp_tx = 12;
	st->kod_rate = 13;
	st->rate_limited = 14;
	st->denied = 15;
	for (i = 0; i < 8; i++)
		st->malformed[i] = 100 + i;	/* [0]: never shown */
	st->tx_errors = UINT64_MAX;
	st->nts_naks = 16;
	st->nts_dropped = 17;
	st->ntsonly_refused = 19;
}

static const char	 chrony_serverstats[] =
    "NTP packets received       : 181\n"
    "NTP packets dropped        : 0\n"
    "Command packets received   : 6\n"
    "Command packets dropped    : 0\n"
    "Client log records dropped : 0\n"
    "NTS-KE connections accepted: 0\n"
    "NTS-KE connections dropped : 0\n"
    "Authenticated NTP packets  : 0\n"
    "Interleaved NTP packets    : 0\n"
    "NTP timestamps held        : 0\n"
    "NTP timestamp span         : 0\n";

START_TEST(test_fmt_serverstats_reference)
{
	struct rpt_serverstats	 st;
	FILE			*fp;
	const char		*t;

	ref_serverstats(&st);
	fp = cap();
	fmt_serverstats(fp, &st);
	t = got(fp);
	/* chronyc 4.3's eleven lines, byte for byte */
	ck_assert_int_eq(strncmp(t, chrony_serverstats,
	    sizeof(chrony_serverstats) - 1), 0);
	ck_assert_str_eq(t + sizeof(chrony_serverstats) - 1,
	    "NTP answers sent           : 0\n"
	    "RATE kiss-o'-death sent    : 0\n"
	    "NTP packets rate limited   : 0\n"
	    "NTP packets denied         : 0\n"
	    "Malformed: too short       : 0\n"
	    "Malformed: bad length      : 0\n"
	    "Malformed: bad version     : 0\n"
	    "Malformed: bad mode        : 0\n"
	    "Mode 6/7 packets dropped   : 0\n"
	    "Malformed: bad ext. fields : 0\n"
	    "Requests with a MAC dropped: 0\n"
	    "Transmit errors            : 0\n"
	    "NTS NAKs sent              : 0\n"
	    "NTS requests dropped       : 0\n"
	    "Plain NTP refused (ntsonly): 0\n");
}
END_TEST

START_TEST(test_fmt_serverstats_every_field)
{
	struct rpt_serverstats	 st;
	FILE			*fp;

	odd_serverstats(&st);
	fp = cap();
	fmt_serverstats(fp, &st);
	ck_assert_str_eq(got(fp),
	    "NTP packets received       : 1\n"
	    "NTP packets dropped        : 2\n"
	    "Command packets received   : 3\n"
	    "Command packets dropped    : 4\n"
	    "Client log records dropped : 5\n"
	    "NTS-KE connections accepted: 6\n"
	    "NTS-KE connections dropped : 7\n"
	    "Authenticated NTP packets  : 8\n"
	    "Interleaved NTP packets    : 9\n"
	    "NTP timestamps held        : 10\n"
	    "NTP timestamp span         : 11\n"
	    "NTP answers sent           : 12\n"
	    "RATE kiss-o'-death sent    : 13\n"
	    "NTP packets rate limited   : 14\n"
	    "NTP packets denied         : 15\n"
	    "Malformed: too short       : 101\n"
	    "Malformed: bad length      : 102\n"
	    "Malformed: bad version     : 103\n"
	    "Malformed: bad mode        : 104\n"
	    "Mode 6/7 packets dropped   : 105\n"
	    "Malformed: bad ext. fields : 106\n"
	    "Requests with a MAC dropped: 107\n"
	    "Transmit errors            : 18446744073709551615\n"
	    "NTS NAKs sent              : 16\n"
	    "NTS requests dropped       : 17\n"
	    "Plain NTP refused (ntsonly): 19\n");
}
END_TEST

START_TEST(test_fmt_serverstats_csv)
{
	struct rpt_serverstats	 st;
	FILE			*fp;
	const char		*c, *p;
	size_t			 commas = 0;

	ref_serverstats(&st);
	fp = cap();
	fmt_serverstats_csv(fp, &st);
	odd_serverstats(&st);
	fmt_serverstats_csv(fp, &st);
	c = got(fp);
	/* chronyc -c's eleven values first, then timed's fifteen */
	ck_assert_str_eq(c,
	    "181,0,6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
	    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,101,102,103,104,105,106,"
	    "107,18446744073709551615,16,17,19\n");
	for (p = c; *p != '\n'; p++)
		commas += *p == ',';
	ck_assert_uint_eq(commas + 1, 26);
}
END_TEST

START_TEST(test_fmt_serverstats_json)
{
	static const char *const keys[] = {
		"\"ntp_packets_received\":1,", "\"ntp_packets_dropped\":2,",
		"\"command_packets_received\":3,",
		"\"command_packets_dropped\":4,",
		"\"client_log_records_dropped\":5,",
		"\"ntske_connections_accepted\":6,",
		"\"ntske_connections_dropped\":7,",
		"\"authenticated_ntp_packets\":8,",
		"\"interleaved_ntp_packets\":9,", "\"ntp_timestamps_held\":10,",
		"\"ntp_timestamp_span\":11,", "\"ntp_answers_sent\":12,",
		"\"kod_rate_sent\":13,", "\"ntp_rate_limited\":14,",
		"\"ntp_denied\":15,", "\"malformed\":{\"too_short\":101,",
		"\"bad_length\":102,", "\"bad_version\":103,",
		"\"bad_mode\":104,", "\"control_mode\":105,",
		"\"bad_extension_fields\":106,", "\"with_mac\":107},",
		"\"tx_errors\":18446744073709551615,",
		"\"nts_naks_sent\":16,", "\"nts_requests_dropped\":17,",
		"\"ntsonly_refused\":19}"
	};
	struct rpt_serverstats	 st;
	FILE			*fp;
	const char		*j;
	size_t			 i;

	odd_serverstats(&st);
	fp = cap();
	fmt_serverstats_json(fp, &st);
	j = got(fp);
	ck_assert(json_ok(j));
	ck_assert_int_eq(j[0], '{');
	ck_assert_int_eq(j[strlen(j) - 1], '\n');
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(strstr(j, keys[i]) != NULL, "%s missing in %s",
		    keys[i], j);
	ref_serverstats(&st);
	fp = cap();
	fmt_serverstats_json(fp, &st);
	ck_assert_str_eq(got(fp), "{\"ntp_packets_received\":181,"
	    "\"ntp_packets_dropped\":0,\"command_packets_received\":6,"
	    "\"command_packets_dropped\":0,\"client_log_records_dropped\":0,"
	    "\"ntske_connections_accepted\":0,"
	    "\"ntske_connections_dropped\":0,"
	    "\"authenticated_ntp_packets\":0,\"interleaved_ntp_packets\":0,"
	    "\"ntp_timestamps_held\":0,\"ntp_timestamp_span\":0,"
	    "\"ntp_answers_sent\":0,\"kod_rate_sent\":0,"
	    "\"ntp_rate_limited\":0,\"ntp_denied\":0,"
	    "\"malformed\":{\"too_short\":0,\"bad_length\":0,"
	    "\"bad_version\":0,\"bad_mode\":0,\"control_mode\":0,"
	    "\"bad_extension_fields\":0,\"with_mac\":0},\"tx_errors\":0,"
	    "\"nts_naks_sent\":0,\"nts_requests_dropped\":0,"
	    "\"ntsonly_refused\":0}\n");
	ck_assert(json_ok(out));
}
END_TEST

/* The client row of the reference. */
static void
ref_client(struct rpt_client *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->address, "localhost");
	c->ntp_hits = 181;
	c->ntp_drops = 0;
	c->ntp_interval = -3;
	c->ntp_interval_limited = 127;
	c->last_ntp_s = 0.0;
	c->cmd_hits = 0;
	c->cmd_drops = 0;
	c->cmd_interval = 127;
	c->last_cmd_s = -1.0;
}

static const char *
client_row(const struct rpt_client *c)
{
	FILE	*fp;

	fp = cap();
	fmt_client(fp, c);
	return got(fp);
}

START_TEST(test_fmt_clients_header)
{
	FILE	*fp;

	fp = cap();
	fmt_clients_header(fp);
	ck_assert_str_eq(got(fp), "Hostname                      NTP   "
	    "Drop Int IntL Last     Cmd   Drop Int  Last\n"
	    "=================================================="
	    "=============================\n");
}
END_TEST

START_TEST(test_fmt_client_reference_row)
{
	struct rpt_client	 c;

	ref_client(&c);
	ck_assert_str_eq(client_row(&c), "localhost                     181"
	    "      0  -3   -     0       0      0   -     -\n");
}
END_TEST

START_TEST(test_fmt_client_unknown_never)
{
	struct rpt_client	 c;

	ref_client(&c);
	strcpy(c.address, "192.0.2.1");
	c.ntp_hits = 0;
	c.ntp_interval = 127;
	c.ntp_interval_limited = 200;
	c.last_ntp_s = -1.0;
	c.last_cmd_s = NAN;
	ck_assert_str_eq(client_row(&c), "192.0.2.1                       0"
	    "      0   -   -     -       0      0   -     -\n");
	/* counters wider than the columns push them, as in chronyc */
	c.ntp_hits = 1234567;
	c.ntp_drops = 123456;
	c.ntp_interval = 5;
	c.ntp_interval_limited = -10;
	c.last_ntp_s = 4000.9;
	c.cmd_interval = 0;
	c.last_cmd_s = 1199.9;
	ck_assert_str_eq(client_row(&c), "192.0.2.1                  1234567"
	    "  123456   5  -10   66m       0      0   0  1199\n");
	c.last_ntp_s = 1e12;		/* saturates */
	ck_assert_ptr_nonnull(strstr(client_row(&c), "  -10  136y "));
}
END_TEST

START_TEST(test_fmt_client_wide_address)
{
	struct rpt_client	 c;
	FILE			*fp;
	const char		*row;

	ref_client(&c);
	strcpy(c.address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	row = client_row(&c);	/* whole, as chronyc -n prints it */
	ck_assert_str_eq(row, "2001:db8:85a3:1234:5678:8a2e:370:7334  "
	    "   181      0  -3   -     0       0      0   -     -\n");
	strcpy(c.address, "2001:db8:85a3:1234:5678:a");	/* 25 */
	ck_assert_str_eq(client_row(&c), "2001:db8:85a3:1234:5678:a     181"
	    "      0  -3   -     0       0      0   -     -\n");
	memset(c.address, 'f', sizeof(c.address));	/* not terminated */
	ck_assert_uint_eq(strspn(client_row(&c), "f"), RPT_ADDR_MAX);
	strcpy(c.address, "bad\033[2J");
	ck_assert_ptr_nonnull(strstr(client_row(&c),
	    "bad?[2J                       181"));
	c.address[0] = '\0';
	ck_assert_ptr_nonnull(strstr(client_row(&c),
	    "?                             181"));
	/* CSV prints the whole address */
	strcpy(c.address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	fp = cap();
	fmt_client_csv(fp, &c);
	ck_assert_str_eq(got(fp), "2001:db8:85a3:1234:5678:8a2e:370:7334,"
	    "181,0,-3,127,0,0,0,127,4294967295\n");
}
END_TEST

START_TEST(test_fmt_client_csv)
{
	struct rpt_client	 c;
	FILE			*fp;

	ref_client(&c);
	fp = cap();
	fmt_client_csv(fp, &c);
	c.ntp_hits = UINT64_MAX;
	c.ntp_interval = 127;
	c.last_ntp_s = -1.0;
	c.cmd_hits = 2;
	c.cmd_drops = 1;
	c.cmd_interval = -1;
	c.last_cmd_s = 59.99;
	fmt_client_csv(fp, &c);
	ck_assert_str_eq(got(fp),
	    "localhost,181,0,-3,127,0,0,0,127,4294967295\n"
	    "localhost,18446744073709551615,0,127,127,4294967295,2,1,-1,"
	    "59\n");
}
END_TEST

START_TEST(test_fmt_clients_json)
{
	struct rpt_client	 c[3];
	FILE			*fp;
	const char		*j;

	ref_client(&c[0]);
	ref_client(&c[1]);
	strcpy(c[1].address, "2001:db8::1");
	c[1].ntp_interval = 127;
	c[1].ntp_interval_limited = 4;
	c[1].last_ntp_s = -1.0;
	c[1].cmd_hits = 3;
	c[1].cmd_drops = 2;
	c[1].cmd_interval = -2;
	c[1].last_cmd_s = 12.5;
	c[1].kod_sent = 7;
	ref_client(&c[2]);
	strcpy(c[2].address, "q\"\\\n");
	c[2].last_ntp_s = NAN;
	fp = cap();
	fmt_clients_json(fp, c, 3);
	j = got(fp);
	ck_assert(json_ok(j));
	ck_assert_str_eq(j, "[\n"
	    "{\"address\":\"localhost\",\"ntp_packets\":181,"
	    "\"ntp_dropped\":0,\"ntp_interval\":-3,"
	    "\"ntp_interval_limited\":null,\"last_ntp\":0.000000000,"
	    "\"command_packets\":0,\"command_dropped\":0,"
	    "\"command_interval\":null,\"last_command\":null,"
	    "\"kod_sent\":0},\n"
	    "{\"address\":\"2001:db8::1\",\"ntp_packets\":181,"
	    "\"ntp_dropped\":0,\"ntp_interval\":null,"
	    "\"ntp_interval_limited\":4,\"last_ntp\":null,"
	    "\"command_packets\":3,\"command_dropped\":2,"
	    "\"command_interval\":-2,\"last_command\":12.500000000,"
	    "\"kod_sent\":7},\n"
	    "{\"address\":\"q\\\"\\\\\\u000a\",\"ntp_packets\":181,"
	    "\"ntp_dropped\":0,\"ntp_interval\":-3,"
	    "\"ntp_interval_limited\":null,\"last_ntp\":null,"
	    "\"command_packets\":0,\"command_dropped\":0,"
	    "\"command_interval\":null,\"last_command\":null,"
	    "\"kod_sent\":0}\n"
	    "]\n");
	fp = cap();
	fmt_clients_json(fp, NULL, 0);
	ck_assert_str_eq(got(fp), "[]\n");
	ck_assert(json_ok(out));
}
END_TEST

START_TEST(test_fmt_result_codes)
{
	ck_assert_str_eq(fmt_result(CTL_OK), "200 OK");
	ck_assert_str_eq(fmt_result(CTL_FAILED), "500 Failure");
	ck_assert_str_eq(fmt_result(CTL_UNAUTH), "501 Not authorised");
	ck_assert_str_eq(fmt_result(CTL_INVALID), "502 Invalid command");
	ck_assert_str_eq(fmt_result(CTL_UNAVAIL), "504 Engine not running");
	ck_assert_str_eq(fmt_result(CTL_NOSOURCE), "503 No such source");
	ck_assert_str_eq(fmt_result(CTL_NOTENABLED),
	    "505 Facility not enabled in daemon");
	ck_assert_str_eq(fmt_result(506),
	    "520 Got unexpected error from daemon");
	ck_assert_str_eq(fmt_result(0),
	    "520 Got unexpected error from daemon");
	ck_assert_str_eq(fmt_result(-1),
	    "520 Got unexpected error from daemon");
}
END_TEST

START_TEST(test_fmt_activity_reference)
{
	struct rpt_activity	 a = { 2, 0, 0, 0, 0 };
	FILE			*fp;

	fp = cap();
	fmt_activity(fp, &a);
	ck_assert_str_eq(got(fp),
	    "200 OK\n"
	    "2 sources online\n"
	    "0 sources offline\n"
	    "0 sources doing burst (return to online)\n"
	    "0 sources doing burst (return to offline)\n"
	    "0 sources with unknown address\n");
}
END_TEST

START_TEST(test_fmt_activity_csv_json)
{
	struct rpt_activity	 a = { 1, 2, 3, 4, 5 };
	FILE			*fp;

	fp = cap();
	fmt_activity_csv(fp, &a);
	ck_assert_str_eq(got(fp), "1,2,3,4,5\n");
	fp = cap();
	fmt_activity_json(fp, &a);
	ck_assert_str_eq(got(fp), "{\"online\":1,\"offline\":2,"
	    "\"burst_online\":3,\"burst_offline\":4,\"unresolved\":5}\n");
	ck_assert(json_ok(out));
}
END_TEST

/* chronyc smoothing's lines, "Yes " with chronyc's trailing blank. */
START_TEST(test_fmt_smoothing)
{
	struct rpt_smoothing	 s = { 1, 0, -0.0944704, 2.5e-3 / 1e3,
	    -1e-3, 17.84, 19988.43 };
	FILE			*fp;

	fp = cap();
	fmt_smoothing(fp, &s);
	ck_assert_str_eq(got(fp),
	    "Active         : Yes \n"
	    "Offset         : -0.094470400 seconds\n"
	    "Frequency      : +0.000003 ppm\n"
	    "Wander         : -0.001000 ppm per second\n"
	    "Last update    : 17.8 seconds ago\n"
	    "Remaining time : 19988.4 seconds\n");
	s.active = 0;
	s.leaponly = 1;
	fp = cap();
	fmt_smoothing_csv(fp, &s);
	ck_assert_str_eq(got(fp),
	    "No,Yes,-0.094470400,0.000003,-0.001000,17.8,19988.4\n");
	fp = cap();
	fmt_smoothing(fp, &s);
	ck_assert(strncmp(got(fp), "Active         : No (leap second only)\n",
	    39) == 0);
	fp = cap();
	fmt_smoothing_json(fp, &s);
	ck_assert_str_eq(got(fp), "{\"active\":false,\"leap_only\":true,"
	    "\"offset\":-0.094470400,\"frequency_ppm\":0.000003,"
	    "\"wander_ppm_per_s\":-0.001000,\"last_update_ago\":17.8,"
	    "\"remaining_time\":19988.4}\n");
	ck_assert(json_ok(out));
}
END_TEST

/* The ntpdata of the reference (127.0.0.1 seen by the client). */
static void
ref_ntpdata(struct rpt_ntpdata *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "localhost");
	strcpy(d->remote_address, "127.0.0.1");
	d->remote_refid = 0x7F000001;
	d->remote_port = 12399;
	strcpy(d->local_address, "127.0.0.1");
	d->local_refid = 0x7F000001;
	d->have_reply = 1;
	d->leap = LEAP_NORMAL;
	d->version = 4;
	d->mode = 4;
	d->stratum = 1;
	d->poll = -2;
	d->precision = -26;
	d->ref_id = 0x7F7F0101;
	d->ref_time = 1795552575.25;
	d->offset_s = -9e-9;
	d->peer_delay_s = 5.641e-6;
	d->peer_dispersion_s = 35e-9;
	d->response_time_s = 54.509e-6;
	d->tests = RPT_TESTS_ALL;
	d->tx_tss = RPT_TSS_KERNEL;
	d->rx_tss = RPT_TSS_KERNEL;
	d->total_tx = 90;
	d->total_rx = 90;
	d->total_valid_rx = 90;
	d->total_good_rx = 89;
}

START_TEST(test_fmt_ntpdata_reference)
{
	struct rpt_ntpdata	 d;
	FILE			*fp;

	ref_ntpdata(&d);
	fp = cap();
	fmt_ntpdata(fp, &d);
	ck_assert_str_eq(got(fp),
	    "Remote address  : 127.0.0.1 (7F000001)\n"
	    "Remote port     : 12399\n"
	    "Local address   : 127.0.0.1 (7F000001)\n"
	    "Leap status     : Normal\n"
	    "Version         : 4\n"
	    "Mode            : Server\n"
	    "Stratum         : 1\n"
	    "Poll interval   : -2 (0 seconds)\n"
	    "Precision       : -26 (0.000000015 seconds)\n"
	    "Root delay      : 0.000000 seconds\n"
	    "Root dispersion : 0.000000 seconds\n"
	    "Reference ID    : 7F7F0101 ()\n"
	    "Reference time  : Tue Nov 24 20:36:15 2026\n"
	    "Offset          : -0.000000009 seconds\n"
	    "Peer delay      : 0.000005641 seconds\n"
	    "Peer dispersion : 0.000000035 seconds\n"
	    "Response time   : 0.000054509 seconds\n"
	    "Jitter asymmetry: +0.00\n"
	    "NTP tests       : 111 111 1111\n"
	    "Interleaved     : No\n"
	    "Authenticated   : No\n"
	    "TX timestamping : Kernel\n"
	    "RX timestamping : Kernel\n"
	    "Total TX        : 90\n"
	    "Total RX        : 90\n"
	    "Total valid RX  : 90\n"
	    "Total good RX   : 89\n");
}
END_TEST

START_TEST(test_fmt_ntpdata_never_reached)
{
	struct rpt_ntpdata	 d;
	FILE			*fp;

	memset(&d, 0, sizeof(d));
	strcpy(d.remote_address, "192.0.2.1");
	d.remote_refid = 0xC0000201;
	d.remote_port = 123;
	d.total_tx = 3;
	d.tx_tss = d.rx_tss = RPT_TSS_NONE;	/* as the engine sends it */
	fp = cap();
	fmt_ntpdata(fp, &d);
	ck_assert_str_eq(got(fp),
	    "Remote address  : 192.0.2.1 (C0000201)\n"
	    "Remote port     : 123\n"
	    "Local address   : [UNSPEC] (00000000)\n"
	    "Leap status     : Normal\n"
	    "Version         : 0\n"
	    "Mode            : Invalid\n"
	    "Stratum         : 0\n"
	    "Poll interval   : 0 (1 seconds)\n"
	    "Precision       : 0 (1.000000000 seconds)\n"
	    "Root delay      : 0.000000 seconds\n"
	    "Root dispersion : 0.000000 seconds\n"
	    "Reference ID    : 00000000 ()\n"
	    "Reference time  : Thu Jan 01 00:00:00 1970\n"
	    "Offset          : +0.000000000 seconds\n"
	    "Peer delay      : 0.000000000 seconds\n"
	    "Peer dispersion : 0.000000000 seconds\n"
	    "Response time   : 0.000000000 seconds\n"
	    "Jitter asymmetry: +0.00\n"
	    "NTP tests       : 000 000 0000\n"
	    "Interleaved     : No\n"
	    "Authenticated   : No\n"
	    "TX timestamping : Invalid\n"
	    "RX timestamping : Invalid\n"
	    "Total TX        : 3\n"
	    "Total RX        : 0\n"
	    "Total valid RX  : 0\n"
	    "Total good RX   : 0\n");
}
END_TEST

/* Line n (from 0) of out, without its newline. */
static char *
line_of(const char *s, int n)
{
	const char	*e;

	for (; n > 0 && s != NULL; n--)
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	ck_assert_ptr_nonnull(s);
	e = strchr(s, '\n');
	return strndup(s, e != NULL ? (size_t)(e - s) : strlen(s));
}

#define CK_LINE(n, want) do {						\
	char *l_ = line_of(out, (n));					\
	ck_assert_str_eq(l_, (want));					\
	free(l_);							\
} while (0)

START_TEST(test_fmt_ntpdata_edge_values)
{
	struct rpt_ntpdata	 d;
	FILE			*fp;

	ref_ntpdata(&d);
	strcpy(d.remote_address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	d.remote_refid = 0xDEADBEEF;
	d.leap = LEAP_UNSYNC;
	d.mode = 99;
	d.poll = 10;
	d.precision = -20;
	d.ref_id = 0x47505300;		/* "GPS" */
	d.offset_s = 1e9;
	d.peer_delay_s = NAN;
	d.jitter_asymmetry = -0.5;
	d.tests = RPT_TESTS_ALL & ~(RPT_TEST_ZERO_TS | RPT_TEST_MAXDELAY);
	d.interleaved = d.authenticated = 1;
	d.tx_tss = RPT_TSS_DAEMON;
	d.rx_tss = 7;
	fp = cap();
	fmt_ntpdata(fp, &d);
	got(fp);
	CK_LINE(0, "Remote address  : 2001:db8:85a3:1234:5678:8a2e:370:7334 "
	    "(DEADBEEF)");
	CK_LINE(3, "Leap status     : Not synchronised");
	CK_LINE(5, "Mode            : Invalid");
	CK_LINE(7, "Poll interval   : 10 (1024 seconds)");
	CK_LINE(8, "Precision       : -20 (0.000000954 seconds)");
	CK_LINE(11, "Reference ID    : 47505300 (GPS)");
	CK_LINE(13, "Offset          : +1000000000.000000000 seconds");
	CK_LINE(14, "Peer delay      : - seconds");
	CK_LINE(17, "Jitter asymmetry: -0.50");
	CK_LINE(18, "NTP tests       : 110 111 0111");
	CK_LINE(19, "Interleaved     : Yes");
	CK_LINE(20, "Authenticated   : Yes");
	CK_LINE(21, "TX timestamping : Daemon");
	CK_LINE(22, "RX timestamping : Invalid");
}
END_TEST

START_TEST(test_fmt_ntpdata_csv)
{
	struct rpt_ntpdata	 d;
	FILE			*fp;

	ref_ntpdata(&d);
	fp = cap();
	fmt_ntpdata_csv(fp, &d);
	ck_assert_str_eq(got(fp), "127.0.0.1,7F000001,12399,127.0.0.1,"
	    "7F000001,Normal,4,Server,1,-2,0,-26,0.000000015,0.000000,"
	    "0.000000,7F7F0101,,1795552575.250000000,-0.000000009,"
	    "0.000005641,0.000000035,0.000054509,0.00,111,111,1111,No,No,"
	    "Kernel,Kernel,90,90,90,89\n");
	ck_assert_uint_eq(count_char(out, ','), 33);
	/* chronyc -c prints no '+': a positive offset and asymmetry bare */
	d.offset_s = 0.5;
	d.jitter_asymmetry = 0.25;
	fp = cap();
	fmt_ntpdata_csv(fp, &d);
	got(fp);
	ck_assert_ptr_nonnull(strstr(out, ",0.500000000,"));
	ck_assert_ptr_nonnull(strstr(out, ",0.25,111,"));
	ck_assert_ptr_null(strchr(out, '+'));
	/* a reference ID with a comma still gives 34 fields */
	d.ref_id = 0x2C2C2C2C;
	strcpy(d.remote_address, "2001:db8::1");
	d.local_address[0] = '\0';
	fp = cap();
	fmt_ntpdata_csv(fp, &d);
	got(fp);
	ck_assert_uint_eq(count_char(out, ','), 33);
	ck_assert_ptr_nonnull(strstr(out, "2C2C2C2C,????,"));
	ck_assert_ptr_nonnull(strstr(out, ",[UNSPEC],"));
}
END_TEST

/* hwtimestamp: the card's clock, a line after chronyc's, only then */
START_TEST(test_fmt_ntpdata_hw_interface)
{
	struct rpt_ntpdata	 d;
	FILE			*fp;
	const char		*text;

	ref_ntpdata(&d);
	d.tx_tss = d.rx_tss = RPT_TSS_HARDWARE;
	memcpy(d.hw_iface, "enp1s0f1np1vlan", 16);	/* no NUL: cut */
	d.hw_samples = 12;
	d.hw_offset_s = 10.000000123;
	d.hw_freq_ppm = -0.0125;
	d.hw_err_s = 5e-9;
	fp = cap();
	fmt_ntpdata(fp, &d);
	text = got(fp);
	ck_assert_ptr_nonnull(strstr(text, "TX timestamping : Hardware\n"
	    "RX timestamping : Hardware\n"));
	ck_assert_ptr_nonnull(strstr(text, "Total good RX   : 89\n"
	    "HW interface    : enp1s0f1np1vlan (12 samples, +10.000000123 s, "
	    "-0.013 ppm, error 0.000000005 s)\n"));
	fp = cap();
	fmt_ntpdata_json(fp, &d, 1);
	got(fp);
	ck_assert(json_ok(out));
	ck_assert_ptr_nonnull(strstr(out, "\"total_good_rx\":89,"
	    "\"hw_interface\":\"enp1s0f1np1vlan\",\"hw_samples\":12,"
	    "\"hw_offset\":10.000000123,\"hw_frequency_ppm\":-0.013,"
	    "\"hw_error\":0.000000005}"));
}
END_TEST

START_TEST(test_fmt_ntpdata_json)
{
	struct rpt_ntpdata	 d[2];
	FILE			*fp;

	ref_ntpdata(&d[0]);
	memset(&d[1], 0, sizeof(d[1]));
	strcpy(d[1].name, "quote\"back\\slash");
	d[1].offset_s = INFINITY;
	d[1].mode = -1;
	fp = cap();
	fmt_ntpdata_json(fp, d, 2);
	got(fp);
	ck_assert(json_ok(out));
	ck_assert_ptr_nonnull(strstr(out, "{\"name\":\"localhost\","
	    "\"remote_address\":\"127.0.0.1\",\"remote_port\":12399,"
	    "\"local_address\":\"127.0.0.1\",\"have_reply\":true,"
	    "\"leap_status\":\"normal\",\"version\":4,\"mode\":\"Server\","
	    "\"stratum\":1,\"poll\":-2,\"precision\":-26,"));
	ck_assert_ptr_nonnull(strstr(out, "\"ntp_tests\":\"111 111 1111\""));
	ck_assert_ptr_nonnull(strstr(out, "\"total_good_rx\":89}"));
	ck_assert_ptr_nonnull(strstr(out, "\"quote\\\"back\\\\slash\""));
	ck_assert_ptr_nonnull(strstr(out, "\"offset\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"mode\":null"));
	fp = cap();
	fmt_ntpdata_json(fp, d, 0);
	ck_assert_str_eq(got(fp), "[]\n");
}
END_TEST

/* chronyc names a reference ID only for a server at stratum 0 or 1. */
START_TEST(test_fmt_ntpdata_refid_text_stratum_1)
{
	struct rpt_ntpdata	 d;
	FILE			*fp;

	ref_ntpdata(&d);
	d.stratum = 2;
	d.ref_id = 0xC0A87B01;		/* "{" in its bytes */
	fp = cap();
	fmt_ntpdata(fp, &d);
	got(fp);
	CK_LINE(11, "Reference ID    : C0A87B01 ()");
	fp = cap();
	fmt_ntpdata_csv(fp, &d);
	ck_assert_ptr_nonnull(strstr(got(fp), ",C0A87B01,,"));
	d.stratum = 1;
	d.ref_id = 0x47505300;
	fp = cap();
	fmt_ntpdata(fp, &d);
	got(fp);
	CK_LINE(11, "Reference ID    : 47505300 (GPS)");
}
END_TEST

/* chronyc 4.3 against chronyd: a source without samples. */
START_TEST(test_fmt_sourcestat_no_regression)
{
	struct rpt_sourcestats	 s;

	memset(&s, 0, sizeof(s));
	strcpy(s.name, "127.0.0.9");
	strcpy(s.address, "127.0.0.9");
	s.freq_skew_ppm = RPT_SKEW_UNKNOWN_PPM;
	s.stddev_s = RPT_STDDEV_UNKNOWN_S;
	ck_assert_str_eq(sourcestat_row(&s, 0), "127.0.0.9                   "
	    "0   0     0     +0.000   2000.000     +0ns  4000ms\n");
	ck_assert_str_eq(sourcestat_csv(&s),
	    "127.0.0.9,0,0,0,0.000,2000.000,0.000000000,4.000000000\n");
}
END_TEST

static void
ref_authdata(struct rpt_authdata *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->name, "localhost");
	strcpy(a->address, "127.0.0.1");
	a->last_ke_s = -1.0;
}

/* chronyc 4.3 against chronyd: a source without authentication. */
START_TEST(test_fmt_authdata_reference)
{
	struct rpt_authdata	 a;
	FILE			*fp;

	ref_authdata(&a);
	fp = cap();
	fmt_authdata_header(fp, 0);
	fmt_authdata(fp, &a, 0);
	ck_assert_str_eq(got(fp),
	    "Name/IP address             Mode KeyID Type KLen Last Atmp  NAK "
	    "Cook CLen\n"
	    "================================================================"
	    "=========\n"
	    "localhost                      -     0    0    0    -    0    0 "
	    "   0    0\n");
	/* never an NTS-KE: chronyc -c prints the unsigned -1 */
	fp = cap();
	fmt_authdata_csv(fp, &a, 1);
	ck_assert_str_eq(got(fp), "127.0.0.1,-,0,0,0,4294967295,0,0,0,0\n");
	a.mode = RPT_AUTH_NTS;
	a.key_id = 2;
	a.key_type = 15;
	a.key_bits = 256;
	a.last_ke_s = 75.5;
	a.ke_attempts = 1;
	a.cookies = 8;
	a.cookie_len = 100;
	fp = cap();
	fmt_authdata_csv(fp, &a, 1);
	ck_assert_str_eq(got(fp), "127.0.0.1,NTS,2,15,256,75,1,0,8,100\n");
}
END_TEST

START_TEST(test_fmt_authdata_header_verbose)
{
	FILE	*fp;

	fp = cap();
	fmt_authdata_header(fp, 1);
	ck_assert_str_eq(got(fp),
	    "                             .- Auth. mechanism (NTS, SK - "
	    "symmetric key)\n"
	    "                            |   Key length -.  Cookie length "
	    "(bytes) -.\n"
	    "                            |       (bits)  |  Num. of cookies "
	    "--.    |\n"
	    "                            |               |  Key est. attempts"
	    "  |   |\n"
	    "                            |               |           |      "
	    "   |   |\n"
	    "Name/IP address             Mode KeyID Type KLen Last Atmp  NAK "
	    "Cook CLen\n"
	    "================================================================"
	    "=========\n");
}
END_TEST

static void
ref_selectdata(struct rpt_selectdata *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "localhost");
	strcpy(d->address, "127.0.0.1");
	d->state = '*';
	d->last_sample_s = 0.4;
	d->score = 1.0;
	d->lo_limit_s = -2628e-9;
	d->hi_limit_s = 2802e-9;
	d->leap = LEAP_NORMAL;
}

/* chronyc 4.3 against chronyd: the best source and one never answered. */
START_TEST(test_fmt_selectdata_reference)
{
	struct rpt_selectdata	 d[2];
	FILE			*fp;

	ref_selectdata(&d[0]);
	memset(&d[1], 0, sizeof(d[1]));
	strcpy(d[1].name, "127.0.0.9");
	strcpy(d[1].address, "127.0.0.9");
	d[1].state = 's';
	d[1].last_sample_s = -1.0;
	d[1].score = 1.0;
	d[1].leap = LEAP_UNSYNC;
	fp = cap();
	fmt_selectdata_header(fp, 0);
	fmt_selectdata(fp, &d[0], 0);
	fmt_selectdata(fp, &d[1], 0);
	ck_assert_str_eq(got(fp),
	    "S Name/IP Address        Auth COpts EOpts Last Score     "
	    "Interval  Leap\n"
	    "================================================================"
	    "=======\n"
	    "* localhost                 N ----- -----    0   1.0 -2628ns "
	    "+2802ns  N\n"
	    "s 127.0.0.9                 N ----- -----    0   1.0    +0ns    "
	    "+0ns  ?\n");
	fp = cap();
	fmt_selectdata_csv(fp, &d[0], 1);
	fmt_selectdata_csv(fp, &d[1], 1);
	ck_assert_str_eq(got(fp),
	    "*,127.0.0.1,N,-,-,-,-,-,-,-,-,-,-,0,1.0,-0.000002628,"
	    "0.000002802,Normal\n"
	    "s,127.0.0.9,N,-,-,-,-,-,-,-,-,-,-,0,1.0,0.000000000,"
	    "0.000000000,Not synchronised\n");
}
END_TEST

START_TEST(test_fmt_selectdata_options_and_states)
{
	struct rpt_selectdata	 d;
	FILE			*fp;

	ref_selectdata(&d);
	d.authenticated = 1;
	d.conf_options = RPT_SELOPT_NOSELECT | RPT_SELOPT_PREFER;
	d.eff_options = RPT_SELOPT_PREFER;
	d.state = 'N';
	d.last_sample_s = 4000.0;
	d.leap = LEAP_INSERT;
	fp = cap();
	fmt_selectdata(fp, &d, 0);
	ck_assert_str_eq(got(fp), "N localhost                 Y NP--- "
	    "-P---  66m   1.0 -2628ns +2802ns  +\n");
	d.state = 'O';			/* an orphan */
	fp = cap();
	fmt_selectdata(fp, &d, 0);
	ck_assert_str_eq(got(fp), "O localhost                 Y NP--- "
	    "-P---  66m   1.0 -2628ns +2802ns  +\n");
	d.state = 'Q';			/* not chronyc's */
	d.name[0] = '\0';		/* the address instead */
	fp = cap();
	fmt_selectdata_csv(fp, &d, 0);
	ck_assert_str_eq(got(fp), "?,127.0.0.1,Y,N,P,-,-,-,-,P,-,-,-,4000,"
	    "1.0,-0.000002628,0.000002802,Insert second\n");
}
END_TEST

START_TEST(test_fmt_selectdata_verbose_and_json)
{
	struct rpt_selectdata	 d[2];
	FILE			*fp;

	fp = cap();
	fmt_selectdata_header(fp, 1);
	got(fp);
	CK_LINE(0, "  . State: N - noselect, s - unsynchronised, M - missing "
	    "samples,");
	CK_LINE(3, "|          U - waits for update,, x - falseticker, + - "
	    "combined, * - best.");
	CK_LINE(5, "|   Configured options  ----.     \\  T - trust, R - "
	    "require)");
	CK_LINE(8, "S Name/IP Address        Auth COpts EOpts Last Score     "
	    "Interval  Leap");
	ref_selectdata(&d[0]);
	ref_selectdata(&d[1]);
	strcpy(d[1].name, "quote\"d");
	d[1].last_sample_s = -1.0;
	d[1].lo_limit_s = NAN;
	fp = cap();
	fmt_selectdata_json(fp, d, 2);
	got(fp);
	ck_assert(json_ok(out));
	ck_assert_ptr_nonnull(strstr(out, "{\"name\":\"localhost\","
	    "\"address\":\"127.0.0.1\",\"state\":\"*\",\"authenticated\":false,"
	    "\"noselect\":false,\"prefer\":false,\"trust\":false,"
	    "\"require\":false,\"last_sample_ago\":0.400,"
	    "\"score\":1.000,\"interval_low\":-0.000002628,"
	    "\"interval_high\":0.000002802,\"leap_status\":\"normal\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"last_sample_ago\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"interval_low\":null"));
	fp = cap();
	fmt_selectdata_json(fp, d, 0);
	ck_assert_str_eq(got(fp), "[]\n");
}
END_TEST

START_TEST(test_fmt_sourcename)
{
	FILE	*fp;

	fp = cap();
	fmt_sourcename(fp, "pool.ntp.org");
	fmt_sourcename(fp, "evil\033[2J");
	ck_assert_str_eq(got(fp), "pool.ntp.org\nevil?[2J\n");
}
END_TEST

START_TEST(test_fmt_waitsync_line)
{
	struct rpt_tracking	 t;
	FILE			*fp;

	ref_tracking(&t);
	fp = cap();
	fmt_waitsync(fp, 3, &t);
	ck_assert_str_eq(got(fp), "try: 3, refid: 7F000002, correction: "
	    "0.000000863, skew: 0.016\n");
	t.system_time_offset_s = -0.25;
	t.skew_ppm = -1.5;
	fp = cap();
	fmt_waitsync(fp, 1, &t);
	ck_assert_str_eq(got(fp), "try: 1, refid: 7F000002, correction: "
	    "0.250000000, skew: -1.500\n");
}
END_TEST

START_TEST(test_fmt_waitsync_decision)
{
	static const struct {
		const char	*what;
		uint32_t	 ref_id;
		int		 leap;
		double		 corr, skew, max_corr, max_skew;
		int		 want;
	} rows[] = {
		{ "synchronised, no limits", 0x7F000002, LEAP_NORMAL,
		    0.5, 100, 0, 0, 1 },
		{ "no reference", 0, LEAP_UNSYNC, 0, 0, 0, 0, 0 },
		{ "local reference", 0x7F7F0101, LEAP_NORMAL, 0, 0, 0, 0, 0 },
		{ "unsynchronised leap", 0x7F000002, LEAP_UNSYNC,
		    0, 0, 0, 0, 0 },
		{ "correction within", 0x7F000002, LEAP_NORMAL,
		    -0.001, 1, 0.01, 0, 1 },
		{ "correction too large", 0x7F000002, LEAP_NORMAL,
		    -0.1, 1, 0.01, 0, 0 },
		{ "skew within", 0x7F000002, LEAP_NORMAL, 0, 1, 0, 2, 1 },
		{ "skew too large", 0x7F000002, LEAP_NORMAL, 0, 3, 0, 2, 0 },
		{ "skew NaN", 0x7F000002, LEAP_NORMAL, 0, NAN, 0, 2, 0 },
		{ "insert leap", 0xC0000201, LEAP_INSERT, 0, 0, 0, 0, 1 },
	};
	struct rpt_tracking	 t;
	size_t			 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&t, 0, sizeof(t));
		t.ref_id = rows[i].ref_id;
		t.leap = rows[i].leap;
		t.system_time_offset_s = rows[i].corr;
		t.skew_ppm = rows[i].skew;
		ck_assert_msg(fmt_waitsync_ok(&t, rows[i].max_corr,
		    rows[i].max_skew) == rows[i].want, "%s", rows[i].what);
	}
}
END_TEST

/*
 * The Prometheus text format, as node_exporter's textfile collector
 * reads it: comments "# HELP name text" and "# TYPE name type" before a
 * family's samples, samples "name{label="value",...} value" with valid
 * names, escaped label values and a float value.  Returns NULL or why not.
 */
static const char *
prom_name_end(const char *p)
{
	if (!isalpha((unsigned char)*p) && *p != '_' && *p != ':')
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	return p;
}

static const char *
prom_labels(const char *p)
{
	if (*p != '{')
		return p;
	for (p++; *p != '}'; ) {
		if ((p = prom_name_end(p)) == NULL || *p++ != '=' ||
		    *p++ != '"')
			return NULL;
		for (; *p != '"'; p++) {
			if (*p == '\0' || *p == '\n')
				return NULL;
			if (*p == '\\' && strchr("\\\"n", *++p) == NULL)
				return NULL;
		}
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

static int
prom_value_ok(const char *v)
{
	char	*end;

	if (strcmp(v, "NaN") == 0 || strcmp(v, "+Inf") == 0 ||
	    strcmp(v, "-Inf") == 0)
		return 1;
	strtod(v, &end);
	return end != v && *end == '\0';
}

static const char *
prom_check(const char *text)
{
	static char	 typed[64][80];
	char		 line[1024], name[80];
	const char	*p, *q, *e;
	int		 ntyped = 0, i, found;

	for (p = text; *p != '\0'; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL)
			return "no newline at the end";
		snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
		if (strncmp(line, "# TYPE ", 7) == 0) {
			if (sscanf(line + 7, "%79s", typed[ntyped]) != 1 ||
			    ++ntyped == 64)
				return "bad TYPE";
			continue;
		}
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if ((q = prom_name_end(line)) == NULL)
			return "bad metric name";
		snprintf(name, sizeof(name), "%.*s", (int)(q - line), line);
		for (i = found = 0; i < ntyped; i++)
			found |= strcmp(typed[i], name) == 0;
		if (!found)
			return "sample before its TYPE";
		if ((q = prom_labels(q)) == NULL || *q++ != ' ' ||
		    !prom_value_ok(q))
			return "bad labels or value";
	}
	return NULL;
}

START_TEST(test_fmt_metrics_valid_exposition)
{
	struct rpt_tracking	 t;
	struct rpt_source	 src[3];
	struct rpt_sourcestats	 st[2];
	struct rpt_serverstats	 ss;
	struct fmt_metrics	 m;
	const char		*why;
	FILE			*fp;

	ref_tracking(&t);
	t.clock = CLOCK_KIND_VIRTUAL;
	t.virtual_true_offset_s = -2e-6;
	ref_source(&src[0]);
	ref_source2(&src[1]);
	memset(&src[2], 0, sizeof(src[2]));	/* never reached, IPv6 */
	src[2].state = '?';
	strcpy(src[2].name, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	strcpy(src[2].address, "2001:db8:85a3:1234:5678:8a2e:370:7334");
	src[2].last_rx_s = -1;
	memset(st, 0, sizeof(st));
	strcpy(st[0].name, "localhost");
	strcpy(st[0].address, "127.0.0.1");
	st[0].freq_ppm = -123456.789;		/* negative, huge */
	st[0].offset_s = 1e9;
	strcpy(st[1].name, "odd\"name\\with\nnewline");
	memset(&ss, 0, sizeof(ss));
	ss.ntp_rx = UINT64_MAX;
	ss.malformed[PKT_ERR_SHORT] = 7;
	memset(&m, 0, sizeof(m));
	m.tracking = &t;
	m.sources = src;
	m.nsources = 3;
	m.sourcestats = st;
	m.nsourcestats = 2;
	m.serverstats = &ss;
	fp = cap();
	fmt_metrics(fp, &m);
	got(fp);
	why = prom_check(out);
	ck_assert_msg(why == NULL, "%s", why);
	ck_assert_ptr_nonnull(strstr(out, "# TYPE timed_tracking_offset_"
	    "seconds gauge\ntimed_tracking_offset_seconds 8.63e-07\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_tracking_info{reference_id="
	    "\"7F000002\",reference_name=\"127.0.0.2\",leap_status=\"normal\"}"
	    " 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_tracking_synchronised 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_tracking_frequency_ppm "
	    "-0.006\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_tracking_virtual_true_"
	    "offset_seconds -2e-06\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_source_offset_seconds{name="
	    "\"localhost\",address=\"127.0.0.1\"} 2.7e-08\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_source_selected{name="
	    "\"127.0.0.2\",address=\"127.0.0.2\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_source_offset_seconds{name="
	    "\"2001:db8:85a3:1234:5678:8a2e:370:7334\",address="
	    "\"2001:db8:85a3:1234:5678:8a2e:370:7334\"} NaN\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_source_reachability{name="
	    "\"localhost\",address=\"127.0.0.1\"} 255\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_source_poll_interval_"
	    "seconds{name=\"localhost\",address=\"127.0.0.1\"} 0.25\n"));
	/* the state: one series each, 1 for the source's */
	ck_assert_ptr_nonnull(strstr(out, "# TYPE timed_source_state gauge\n"
	    "timed_source_state{name=\"localhost\",address=\"127.0.0.1\","
	    "state=\"best\"} 0\n"
	    "timed_source_state{name=\"localhost\",address=\"127.0.0.1\","
	    "state=\"combined\"} 1\n"
	    "timed_source_state{name=\"localhost\",address=\"127.0.0.1\","
	    "state=\"not_combined\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_source_state{name="
	    "\"127.0.0.2\",address=\"127.0.0.2\",state=\"best\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "state=\"unusable\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_sourcestats_frequency_ppm{"
	    "name=\"localhost\",address=\"127.0.0.1\"} -123456.789\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_sourcestats_offset_seconds{"
	    "name=\"localhost\",address=\"127.0.0.1\"} 1000000000\n"));
	/* escaped; the newline, not printable, is a '?' */
	ck_assert_ptr_nonnull(strstr(out, "{name=\"odd\\\"name\\\\with?"
	    "newline\",address=\"\"}"));
	ck_assert_ptr_nonnull(strstr(out, "# TYPE timed_serverstats_ntp_"
	    "packets_received_total counter\ntimed_serverstats_ntp_packets_"
	    "received_total 18446744073709551615\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_serverstats_malformed_total"
	    "{reason=\"too_short\"} 7\n"));
}
END_TEST

START_TEST(test_fmt_metrics_parts_and_unsynchronised)
{
	struct rpt_tracking	 t;
	struct fmt_metrics	 m;
	FILE			*fp;

	memset(&t, 0, sizeof(t));
	t.ref_id = 0x7F7F0101;
	t.leap = LEAP_NORMAL;
	t.rms_offset_s = INFINITY;
	memset(&m, 0, sizeof(m));
	m.tracking = &t;
	fp = cap();
	fmt_metrics(fp, &m);
	got(fp);
	ck_assert_ptr_null(prom_check(out));
	ck_assert_ptr_nonnull(strstr(out, "timed_tracking_synchronised 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "timed_tracking_rms_offset_seconds "
	    "+Inf\n"));
	ck_assert_ptr_null(strstr(out, "virtual"));
	ck_assert_ptr_null(strstr(out, "timed_source_"));
	/* no sources: the families are there, without samples */
	m.tracking = NULL;
	m.sources = (const struct rpt_source *)&t;	/* not read: n = 0 */
	fp = cap();
	fmt_metrics(fp, &m);
	got(fp);
	ck_assert_ptr_null(prom_check(out));
	ck_assert_ptr_nonnull(strstr(out, "# TYPE timed_source_offset_seconds "
	    "gauge\n# HELP timed_source_measured_offset_seconds"));
}
END_TEST

START_TEST(test_fmt_metrics_checker_rejects_bad)
{
	ck_assert_ptr_null(prom_check("# TYPE a gauge\na 1\n"));
	ck_assert_ptr_nonnull(prom_check("a 1\n"));
	ck_assert_ptr_nonnull(prom_check("# TYPE a gauge\na{b=\"c} 1\n"));
	ck_assert_ptr_nonnull(prom_check("# TYPE a gauge\na{b=\"\\x\"} 1\n"));
	ck_assert_ptr_nonnull(prom_check("# TYPE a gauge\na one\n"));
	ck_assert_ptr_nonnull(prom_check("# TYPE 1a gauge\n1a 1\n"));
	ck_assert_ptr_nonnull(prom_check("# TYPE a gauge\na 1"));
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("fmt");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_fmt_tracking_reference);
	tcase_add_test(tc, test_fmt_tracking_reference_server);
	tcase_add_test(tc, test_fmt_tracking_unsynchronised);
	tcase_add_test(tc, test_fmt_tracking_slow_fast_signs);
	tcase_add_test(tc, test_fmt_tracking_leap_texts);
	tcase_add_test(tc, test_fmt_tracking_nonfinite_text);
	tcase_add_test(tc, test_fmt_tracking_csv_reference);
	tcase_add_test(tc, test_fmt_tracking_csv_signs);
	tcase_add_test(tc, test_fmt_tracking_json_reference);
	tcase_add_test(tc, test_fmt_tracking_json_clock_kinds);
	tcase_add_test(tc, test_fmt_tracking_json_nonfinite_null);
	tcase_add_test(tc, test_fmt_tracking_json_escaped_name);
	tcase_add_test(tc, test_fmt_sources_header_plain);
	tcase_add_test(tc, test_fmt_sources_header_verbose);
	tcase_add_test(tc, test_fmt_source_reference_rows);
	tcase_add_test(tc, test_fmt_source_numeric_and_fallbacks);
	tcase_add_test(tc, test_fmt_source_mode_and_state_chars);
	tcase_add_test(tc, test_fmt_source_never_reached);
	tcase_add_test(tc, test_fmt_source_huge_offsets);
	tcase_add_test(tc, test_fmt_source_time_units);
	tcase_add_test(tc, test_fmt_source_last_rx_units);
	tcase_add_test(tc, test_fmt_source_wide_names_whole);
	tcase_add_test(tc, test_fmt_source_control_chars_in_text);
	tcase_add_test(tc, test_fmt_source_csv_reference);
	tcase_add_test(tc, test_fmt_source_csv_names_never_and_huge);
	tcase_add_test(tc, test_fmt_sources_json_reference);
	tcase_add_test(tc, test_fmt_sources_json_empty);
	tcase_add_test(tc, test_fmt_sources_json_edge_values);
	tcase_add_test(tc, test_fmt_sourcestats_header_plain);
	tcase_add_test(tc, test_fmt_sourcestats_header_verbose);
	tcase_add_test(tc, test_fmt_sourcestat_reference_rows);
	tcase_add_test(tc, test_fmt_sourcestat_numeric_and_fallbacks);
	tcase_add_test(tc, test_fmt_sourcestat_wide_names_whole);
	tcase_add_test(tc, test_fmt_sourcestat_huge_and_negative);
	tcase_add_test(tc, test_fmt_sourcestat_csv);
	tcase_add_test(tc, test_fmt_sourcestat_csv_edge_values);
	tcase_add_test(tc, test_fmt_sourcestats_json);
	tcase_add_test(tc, test_fmt_json_string_escapes);
	tcase_add_test(tc, test_fmt_json_string_utf8);
	tcase_add_test(tc, test_fmt_json_checker_rejects_bad);
	tcase_add_test(tc, test_fmt_serverstats_reference);
	tcase_add_test(tc, test_fmt_serverstats_every_field);
	tcase_add_test(tc, test_fmt_serverstats_csv);
	tcase_add_test(tc, test_fmt_serverstats_json);
	tcase_add_test(tc, test_fmt_clients_header);
	tcase_add_test(tc, test_fmt_client_reference_row);
	tcase_add_test(tc, test_fmt_client_unknown_never);
	tcase_add_test(tc, test_fmt_client_wide_address);
	tcase_add_test(tc, test_fmt_client_csv);
	tcase_add_test(tc, test_fmt_clients_json);
	tcase_add_test(tc, test_fmt_result_codes);
	tcase_add_test(tc, test_fmt_activity_reference);
	tcase_add_test(tc, test_fmt_activity_csv_json);
	tcase_add_test(tc, test_fmt_smoothing);
	tcase_add_test(tc, test_fmt_ntpdata_reference);
	tcase_add_test(tc, test_fmt_ntpdata_never_reached);
	tcase_add_test(tc, test_fmt_ntpdata_edge_values);
	tcase_add_test(tc, test_fmt_ntpdata_csv);
	tcase_add_test(tc, test_fmt_ntpdata_json);
	tcase_add_test(tc, test_fmt_ntpdata_hw_interface);
	tcase_add_test(tc, test_fmt_ntpdata_refid_text_stratum_1);
	tcase_add_test(tc, test_fmt_sourcestat_no_regression);
	tcase_add_test(tc, test_fmt_authdata_reference);
	tcase_add_test(tc, test_fmt_authdata_header_verbose);
	tcase_add_test(tc, test_fmt_selectdata_reference);
	tcase_add_test(tc, test_fmt_selectdata_options_and_states);
	tcase_add_test(tc, test_fmt_selectdata_verbose_and_json);
	tcase_add_test(tc, test_fmt_sourcename);
	tcase_add_test(tc, test_fmt_waitsync_line);
	tcase_add_test(tc, test_fmt_waitsync_decision);
	tcase_add_test(tc, test_fmt_metrics_valid_exposition);
	tcase_add_test(tc, test_fmt_metrics_parts_and_unsynchronised);
	tcase_add_test(tc, test_fmt_metrics_checker_rejects_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(fmt_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
