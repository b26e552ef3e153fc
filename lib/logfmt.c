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

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logfmt.h"

/* Unix time beyond which a record is refused: the year 5138. */
#define MAX_TIME_S	1e11
/* Larger offsets, delays and frequencies are nonsense from a source. */
#define MAX_SECONDS	1e9
#define MAX_PPM		1e7

static const struct {
	const char	*name;
	const char	*header;
} kinds[LOGFMT_NKINDS] = {
	{ "measurements",
	    "   Date (UTC) Time     IP Address   L St 123 567 ABCD  LP RP "
	    "Score    Offset  Peer del. Peer disp.  Root del. Root disp. "
	    "Refid     MTxRx" },
	{ "statistics",
	    "   Date (UTC) Time     IP Address    Std dev'n Est offset  "
	    "Offset sd  Diff freq   Est skew  Stress  Ns  Bs  Nr  Asym" },
	{ "tracking",
	    "   Date (UTC) Time     IP Address   St   Freq ppm   Skew ppm     "
	    "Offset L Co  Offset sd Rem. corr. Root delay Root disp. "
	    "Max. error" },
	{ "refclocks",
	    "   Date (UTC) Time         Refid  DP L P  Raw offset   Cooked "
	    "offset      Disp." },
};

static const char leap_chars[4] = { 'N', '+', '-', '?' };

const char *
logfmt_name(enum logfmt_kind k)
{
	return kinds[k].name;
}

const char *
logfmt_header(enum logfmt_kind k)
{
	return kinds[k].header;
}

int
logfmt_banner_due(unsigned long *writes, int logbanner)
{
	if (logbanner <= 0)
		return 0;
	return (*writes)++ % (unsigned long)logbanner == 0;
}

int
logfmt_banner(char *buf, size_t len, enum logfmt_kind k)
{
	size_t	 n = strlen(kinds[k].header), need = 3 * (n + 1);

	if (need >= len)
		return -1;
	memset(buf, '=', n);
	buf[n] = '\n';
	memcpy(buf + n + 1, kinds[k].header, n);
	buf[2 * n + 1] = '\n';
	memset(buf + 2 * n + 2, '=', n);
	buf[3 * n + 2] = '\n';
	buf[need] = '\0';
	return (int)need;
}

/* Checks */

static int
in_range(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

/* NUL-terminated inside its array, not empty; blanks and the rest to '?'. */
static int
clean_string(char *s, size_t size)
{
	char	*p;

	if (memchr(s, '\0', size) == NULL || s[0] == '\0')
		return -1;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return 0;
}

static int
ts_source_ok(char c)
{
	return c == 'D' || c == 'K' || c == 'H';
}

const char *
logfmt_check_measurement(struct log_measurement *m)
{
	if (!in_range(m->time, 0, MAX_TIME_S))
		return "time";
	if (clean_string(m->address, sizeof(m->address)) == -1)
		return "address";
	if (m->leap < 0 || m->leap > 3 || m->stratum < 0 ||
	    m->stratum > 255 || m->tests > LOG_TESTS_ALL)
		return "leap, stratum or tests";
	if (m->local_poll < -30 || m->local_poll > 30 ||
	    m->remote_poll < -128 || m->remote_poll > 127)
		return "poll";
	if (!in_range(m->score, 0, 1000) ||
	    !in_range(m->offset_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(m->delay_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(m->disp_s, 0, MAX_SECONDS) ||
	    !in_range(m->root_delay_s, 0, MAX_SECONDS) ||
	    !in_range(m->root_disp_s, 0, MAX_SECONDS))
		return "a value is out of range or not finite";
	if (m->mode < 0 || m->mode > 7 ||
	    (m->interleaved != 0 && m->interleaved != 1) ||
	    !ts_source_ok(m->tx_ts) || !ts_source_ok(m->rx_ts))
		return "mode or timestamp sources";
	return NULL;
}

const char *
logfmt_check_statistics(struct log_statistics *s)
{
	if (!in_range(s->time, 0, MAX_TIME_S))
		return "time";
	if (clean_string(s->address, sizeof(s->address)) == -1)
		return "address";
	if (!in_range(s->stddev_s, 0, MAX_SECONDS) ||
	    !in_range(s->offset_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(s->offset_sd_s, 0, MAX_SECONDS) ||
	    !in_range(s->freq_ppm, -MAX_PPM, MAX_PPM) ||
	    !in_range(s->skew_ppm, 0, MAX_PPM) ||
	    !in_range(s->stress, 0, 1e30) ||
	    !in_range(s->asymmetry, -0.5, 0.5))
		return "a value is out of range or not finite";
	if (s->n_samples < 0 || s->n_samples > 999 || s->best_start < 0 ||
	    s->best_start > 999 || s->n_runs < 0 || s->n_runs > 999)
		return "sample counts";
	return NULL;
}

const char *
logfmt_check_tracking(struct log_tracking *t)
{
	if (!in_range(t->time, 0, MAX_TIME_S))
		return "time";
	if (clean_string(t->ref, sizeof(t->ref)) == -1)
		return "reference";
	if (t->stratum < 0 || t->stratum > 16 || t->leap < 0 ||
	    t->leap > 3 || t->combined < 0 || t->combined > 99)
		return "stratum, leap or sources";
	if (!in_range(t->freq_ppm, -MAX_PPM, MAX_PPM) ||
	    !in_range(t->skew_ppm, 0, MAX_PPM) ||
	    !in_range(t->offset_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(t->offset_sd_s, 0, MAX_SECONDS) ||
	    !in_range(t->remaining_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(t->root_delay_s, 0, MAX_SECONDS) ||
	    !in_range(t->root_disp_s, 0, MAX_SECONDS) ||
	    !in_range(t->max_error_s, 0, MAX_SECONDS))
		return "a value is out of range or not finite";
	return NULL;
}

/*
 * dpoll has no upper bound but int32_t's: a driver without polls (PPS,
 * SOCK) counts its samples until the source polls, at up to 1000 a second
 * over a poll of up to 2^30 s, and chrony's %3d widens for them as well.
 */
const char *
logfmt_check_refclock(struct log_refclock *r)
{
	if (!in_range(r->time, 0, MAX_TIME_S))
		return "time";
	if (clean_string(r->refid, sizeof(r->refid)) == -1)
		return "refid";
	if (r->dpoll < -1 || r->pps < -1 || r->pps > 1 ||
	    (r->dpoll == -1) != (r->pps == -1))
		return "driver poll or pps";
	if (r->leap < 0 || r->leap > 3)
		return "leap";
	if (!in_range(r->raw_offset_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(r->cooked_offset_s, -MAX_SECONDS, MAX_SECONDS) ||
	    !in_range(r->disp_s, 0, MAX_SECONDS))
		return "a value is out of range or not finite";
	return NULL;
}

/* Lines */

/* "YYYY-MM-DD hh:mm:ss", UTC, as chrony's UTI_TimeToLogForm(). */
static void
log_time(char *buf, size_t len, double t)
{
	struct tm	 tm;
	time_t		 s = (time_t)floor(t);

	/* the checks keep t within the years 1970-5138 */
	if (gmtime_r(&s, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d",
	    (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	    tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	    tm.tm_sec % 100);
}

static int
done(int n, size_t len)
{
	return n < 0 || (size_t)n >= len ? -1 : n;
}

static int
bit(uint32_t tests, int i)
{
	return (tests >> (9 - i)) & 1;
}

/* chrony: offset column + when the local clock is slow, so negated. */
int
logfmt_measurement(char *buf, size_t len, const struct log_measurement *m)
{
	char	 when[32];

	log_time(when, sizeof(when), m->time);
	return done(snprintf(buf, len, "%s %-15s %1c %2d %1d%1d%1d %1d%1d%1d "
	    "%1d%1d%1d%d  %2d %2d %4.2f %10.3e %10.3e %10.3e %10.3e %10.3e "
	    "%08" PRIX32 " %1d%1c %1c %1c\n", when, m->address,
	    leap_chars[m->leap & 3], m->stratum, bit(m->tests, 0),
	    bit(m->tests, 1), bit(m->tests, 2), bit(m->tests, 3),
	    bit(m->tests, 4), bit(m->tests, 5), bit(m->tests, 6),
	    bit(m->tests, 7), bit(m->tests, 8), bit(m->tests, 9),
	    m->local_poll, m->remote_poll, m->score, -m->offset_s + 0.0,
	    m->delay_s, m->disp_s, m->root_delay_s, m->root_disp_s, m->refid,
	    m->mode, m->interleaved ? 'I' : 'B', m->tx_ts, m->rx_ts), len);
}

/* Offset + local clock fast, frequency in s/s + gaining: timed's signs. */
int
logfmt_statistics(char *buf, size_t len, const struct log_statistics *s)
{
	char	 when[32];

	log_time(when, sizeof(when), s->time);
	return done(snprintf(buf, len, "%s %-15s %10.3e %10.3e %10.3e %10.3e "
	    "%10.3e %7.1e %3d %3d %3d %5.2f\n", when, s->address, s->stddev_s,
	    s->offset_s, s->offset_sd_s, s->freq_ppm * 1e-6,
	    s->skew_ppm * 1e-6, s->stress, s->n_samples, s->best_start,
	    s->n_runs, s->asymmetry), len);
}

/* Remaining correction: chrony's is + when the clock is slow. */
int
logfmt_tracking(char *buf, size_t len, const struct log_tracking *t)
{
	char	 when[32];

	log_time(when, sizeof(when), t->time);
	return done(snprintf(buf, len, "%s %-15s %2d %10.3f %10.3f %10.3e "
	    "%1c %2d %10.3e %10.3e %10.3e %10.3e %10.3e\n", when, t->ref,
	    t->stratum, t->freq_ppm, t->skew_ppm, t->offset_s,
	    leap_chars[t->leap & 3], t->combined, t->offset_sd_s,
	    -t->remaining_s + 0.0, t->root_delay_s, t->root_disp_s,
	    t->max_error_s), len);
}

/*
 * chrony truncates the sample's timespec to microseconds.  A double of
 * today's Unix time resolves about 0.24 us, too coarse to truncate
 * (.595742 may be held as .5957419998): rounded to the microsecond
 * instead, carrying into the second.  The offsets are chrony's already,
 * + the local clock is slow; + 0.0 keeps a negative zero out.
 */
int
logfmt_refclock(char *buf, size_t len, const struct log_refclock *r)
{
	char	 when[32];
	double	 s = floor(r->time);
	int	 us = (int)floor((r->time - s) * 1e6 + 0.5);

	if (us >= 1000000) {
		s += 1;
		us -= 1000000;
	}
	log_time(when, sizeof(when), s);
	if (r->dpoll == -1)
		return done(snprintf(buf, len, "%s.%06d %-5s   - %1c -       "
		    "-       %13.6e %10.3e\n", when, us, r->refid,
		    leap_chars[r->leap & 3], r->cooked_offset_s + 0.0,
		    r->disp_s + 0.0), len);
	return done(snprintf(buf, len, "%s.%06d %-5s %3d %1c %1d %13.6e "
	    "%13.6e %10.3e\n", when, us, r->refid, r->dpoll,
	    leap_chars[r->leap & 3], r->pps, r->raw_offset_s + 0.0,
	    r->cooked_offset_s + 0.0, r->disp_s + 0.0), len);
}
