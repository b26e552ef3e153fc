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
 * The formatters follow chronyc 4.3 (client.c: print_report,
 * print_seconds, print_nanoseconds, print_signed_nanoseconds,
 * print_freq_ppm, print_signed_freq_ppm, print_clientlog_interval,
 * process_cmd_tracking, process_cmd_sources, process_cmd_sourcestats,
 * process_cmd_serverstats and process_cmd_clients).  The Prometheus
 * exposition is in lib/fmt_prom.c.
 */

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "fmt_int.h"
#include "pkt.h"
#include "proto.h"

#define NAME_COL	27		/* width of the sources name column */
#define STATS_COL	25		/* of the sourcestats, selectdata and
					   clients name columns */
#define AGO_NEVER	UINT32_MAX	/* chronyd's "no sample yet" */

/* Magnitudes below "below" are printed as value * mul / div. */
struct unit {
	double		 below;
	double		 mul;
	double		 div;
	int		 prec;
	const char	*suffix;
};

static const char *const leap_text[] = {
	"Normal", "Insert second", "Delete second", "Not synchronised"
};
const char *const fmt_leap_json[FMT_NLEAP] = {
	"normal", "insert", "delete", "unsynchronised"
};

const char *
fmt_pick(const char *const *tab, size_t n, int i)
{
	if (i < 0 || (size_t)i >= n)
		return NULL;
	return tab[i];
}

void
fmt_printable(char *dst, size_t len, const char *src, size_t max)
{
	size_t	 i, n;

	n = strnlen(src, max);
	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++) {
		if ((unsigned char)src[i] >= 0x20 &&
		    (unsigned char)src[i] < 0x7f)
			dst[i] = src[i];
		else
			dst[i] = '?';
	}
	dst[n] = '\0';
}

/* A fixed-point number, or "-" when it is not finite. */
static void
put_num(FILE *fp, int prec, int sign, double v)
{
	if (!isfinite(v))
		fputs("-", fp);
	else if (sign)
		fprintf(fp, "%+.*f", prec, v);
	else
		fprintf(fp, "%.*f", prec, v);
}

/* ,number: chronyc -c prints no '+' */
static void
csv_num(FILE *fp, int prec, double v)
{
	fputc(',', fp);
	put_num(fp, prec, 0, v);
}

/* A fixed-point number in width columns, or "-". */
static void
put_num_width(FILE *fp, int width, int prec, double v)
{
	if (!isfinite(v))
		fprintf(fp, "%*s", width, "-");
	else
		fprintf(fp, "%*.*f", width, prec, v);
}

/* "Label           : number suffix" */
static void
put_line(FILE *fp, const char *label, int prec, int sign, double v,
    const char *suffix)
{
	fprintf(fp, "%s: ", label);
	put_num(fp, prec, sign, v);
	fprintf(fp, "%s\n", suffix);
}

/* As chronyc's %T: "Thu Jan 01 00:00:00 1970"; empty if out of range. */
static void
utc_string(char *buf, size_t len, double t)
{
	static const char *const day[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm	 tm;
	time_t		 sec;

	buf[0] = '\0';
	if (!isfinite(t) || fabs(t) > 1e15)
		return;
	sec = (time_t)floor(t);
	if (gmtime_r(&sec, &tm) == NULL)
		return;
	snprintf(buf, len, "%s %s %02d %02d:%02d:%02d %d", day[tm.tm_wday],
	    mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tm.tm_year + 1900);
}

static const char *
leap_string(int leap)
{
	const char	*s;

	s = FMT_PICK(leap_text, leap);
	return s != NULL ? s : "Invalid";
}

void
fmt_tracking(FILE *fp, const struct rpt_tracking *t)
{
	char	 name[RPT_NAME_MAX], when[64];
	double	 off = t->system_time_offset_s, freq = t->freq_ppm;

	fmt_printable(name, sizeof(name), t->ref_name, sizeof(t->ref_name));
	utc_string(when, sizeof(when), t->ref_time);
	fprintf(fp, "Reference ID    : %08X (%s)\n", t->ref_id, name);
	fprintf(fp, "Stratum         : %d\n", t->stratum);
	fprintf(fp, "Ref time (UTC)  : %s\n", when);
	put_line(fp, "System time     ", 9, 0, fabs(off), off < 0.0 ?
	    " seconds slow of NTP time" : " seconds fast of NTP time");
	put_line(fp, "Last offset     ", 9, 1, t->last_offset_s, " seconds");
	put_line(fp, "RMS offset      ", 9, 0, t->rms_offset_s, " seconds");
	put_line(fp, "Frequency       ", 3, 0, fabs(freq),
	    freq > 0.0 ? " ppm fast" : " ppm slow");
	put_line(fp, "Residual freq   ", 3, 1, t->residual_freq_ppm, " ppm");
	put_line(fp, "Skew            ", 3, 0, t->skew_ppm, " ppm");
	put_line(fp, "Root delay      ", 9, 0, t->root_delay_s, " seconds");
	put_line(fp, "Root dispersion ", 9, 0, t->root_dispersion_s,
	    " seconds");
	put_line(fp, "Update interval ", 1, 0, t->update_interval_s,
	    " seconds");
	fprintf(fp, "Leap status     : %s\n", leap_string(t->leap));
}

/*
 * chronyc -c prints the raw values of chronyd: its system time is the
 * correction still to apply (+: the clock is slow), its frequency is
 * + fast, as ours.
 */
void
fmt_tracking_csv(FILE *fp, const struct rpt_tracking *t)
{
	const struct {
		double	 v;
		int	 prec;
	} f[] = {
		{ t->ref_time, 9 },
		{ 0.0 - t->system_time_offset_s, 9 },
		{ t->last_offset_s, 9 },
		{ t->rms_offset_s, 9 },
		{ t->freq_ppm, 3 },
		{ t->residual_freq_ppm, 3 },
		{ t->skew_ppm, 3 },
		{ t->root_delay_s, 9 },
		{ t->root_dispersion_s, 9 },
		{ t->update_interval_s, 1 }
	};
	char	 name[RPT_NAME_MAX];
	size_t	 i;

	fmt_printable(name, sizeof(name), t->ref_name, sizeof(t->ref_name));
	fprintf(fp, "%08X,%s,%d,", t->ref_id, name, t->stratum);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		put_num(fp, f[i].prec, 0, f[i].v);
		fputc(',', fp);
	}
	fprintf(fp, "%s\n", leap_string(t->leap));
}

/* A table's header line and a rule of '=' as wide, as chronyc's. */
static void
put_header(FILE *fp, const char *header)
{
	size_t	 i, n = strlen(header);

	fprintf(fp, "%s\n", header);
	for (i = 0; i < n; i++)
		fputc('=', fp);
	fputc('\n', fp);
}

void
fmt_sources_header(FILE *fp, int verbose)
{
	static const char	 legend[] = "\n"
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
	    "||                                 |    |           \\\n";
	static const char	 header[] = "MS Name/IP address         "
	    "Stratum Poll Reach LastRx Last sample               ";

	if (verbose)
		fputs(legend, fp);
	put_header(fp, header);
}

/* Seconds ago as chronyd reports them: truncated, AGO_NEVER if never. */
static uint32_t
ago_seconds(double s)
{
	if (!(s >= 0.0))
		return AGO_NEVER;
	if (s >= (double)(AGO_NEVER - 1))
		return AGO_NEVER - 1;
	return (uint32_t)s;
}

/* chronyc's print_seconds: 4 columns. */
static void
put_ago(FILE *fp, uint32_t s)
{
	uint32_t	 d;

	if (s == AGO_NEVER)
		fputs("   -", fp);
	else if (s < 1200)
		fprintf(fp, "%4u", s);
	else if (s < 36000)
		fprintf(fp, "%3um", s / 60);
	else if (s < 345600)
		fprintf(fp, "%3uh", s / 3600);
	else if ((d = s / 86400) > 999)
		fprintf(fp, "%3uy", d / 365);
	else
		fprintf(fp, "%3ud", d);
}

/*
 * chronyc's print_nanoseconds (6 columns) and print_signed_nanoseconds
 * (7 columns): the unit chosen by magnitude.
 */
static void
put_time(FILE *fp, double s, int sign)
{
	static const struct unit	 units[] = {
		{ 9999.5e-9, 1e9, 1, 0, "ns" },
		{ 9999.5e-6, 1e6, 1, 0, "us" },
		{ 9999.5e-3, 1e3, 1, 0, "ms" },
		{ 999.5, 1, 1, 1, "s" },
		{ 99999.5, 1, 1, 0, "s" },
		{ 99999.5 * 60, 1, 60, 0, "m" },
		{ 99999.5 * 3600, 1, 3600, 0, "h" },
		{ 99999.5 * 3600 * 24, 1, 3600 * 24, 0, "d" },
		{ INFINITY, 1, 3600 * 24 * 365, 0, "y" }
	};
	const struct unit		*u;
	int				 width;

	width = sign ? 7 : 6;
	if (!isfinite(s)) {
		fprintf(fp, "%*s", width, "-");
		return;
	}
	if (!sign)
		s = fabs(s);
	for (u = units; fabs(s) >= u->below; u++)
		;
	width -= (int)strlen(u->suffix);
	if (sign)
		fprintf(fp, "%+*.*f%s", width, u->prec, s * u->mul / u->div,
		    u->suffix);
	else
		fprintf(fp, "%*.*f%s", width, u->prec, s * u->mul / u->div,
		    u->suffix);
}

static char
mode_char(int mode)
{
	switch (mode) {
	case RPT_MODE_SERVER:
		return '^';
	case RPT_MODE_PEER:
		return '=';
	case RPT_MODE_LOCAL:
	case RPT_MODE_REFCLOCK:
		return '#';
	default:
		return ' ';
	}
}

static char
state_char(char state)
{
	if (state != '\0' && strchr("*+-?x~", state) != NULL)
		return state;
	return ' ';
}

char
fmt_select_state(char state)
{
	if (state != '\0' && strchr("NsMdO~xD+*", state) != NULL)
		return state;
	return '?';
}

/* The address when numeric or without a name, else the name; or "?". */
static void
pick_name(char *buf, size_t len, const char *name, const char *address,
    int numeric)
{
	if (address[0] != '\0' && (numeric || name[0] == '\0'))
		fmt_printable(buf, len, address, RPT_ADDR_MAX);
	else if (name[0] != '\0')
		fmt_printable(buf, len, name, RPT_NAME_MAX);
	else
		fmt_printable(buf, len, "?", 2);
}

static void
source_name(char *buf, size_t len, const struct rpt_source *s, int numeric)
{
	pick_name(buf, len, s->name, s->address, numeric);
}

void
fmt_source(FILE *fp, const struct rpt_source *s, int numeric)
{
	char	 name[RPT_NAME_MAX];
	int	 never;

	source_name(name, sizeof(name), s, numeric);
	never = !(s->last_rx_s >= 0.0);
	fprintf(fp, "%c%c %-*s  %2d  %2d   %3o  ", mode_char(s->mode),
	    state_char(s->state), NAME_COL, name, s->stratum, s->poll,
	    s->reach);
	put_ago(fp, ago_seconds(s->last_rx_s));
	fputs("  ", fp);
	put_time(fp, never ? 0.0 : s->offset_s, 1);
	fputc('[', fp);
	put_time(fp, never ? 0.0 : s->measured_offset_s, 1);
	fputs("] +/- ", fp);
	put_time(fp, never ? 0.0 : s->error_s, 0);
	fputc('\n', fp);
}

void
fmt_source_csv(FILE *fp, const struct rpt_source *s, int numeric)
{
	char	 name[RPT_NAME_MAX];
	int	 never;

	source_name(name, sizeof(name), s, numeric);
	never = !(s->last_rx_s >= 0.0);
	fprintf(fp, "%c,%c,%s,%d,%d,%o,%u,", mode_char(s->mode),
	    state_char(s->state), name, s->stratum, s->poll, s->reach,
	    ago_seconds(s->last_rx_s));
	put_num(fp, 9, 0, never ? 0.0 : s->offset_s);
	fputc(',', fp);
	put_num(fp, 9, 0, never ? 0.0 : s->measured_offset_s);
	fputc(',', fp);
	put_num(fp, 9, 0, never ? 0.0 : s->error_s);
	fputc('\n', fp);
}

void
fmt_sourcestats_header(FILE *fp, int verbose)
{
	static const char	 legend[] =
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
	    "|             |\n";
	static const char	 header[] = "Name/IP Address            "
	    "NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev";

	if (verbose)
		fputs(legend, fp);
	put_header(fp, header);
}

/*
 * chronyc's print_freq_ppm and print_signed_freq_ppm: 10 columns, three
 * decimals below 99999.5 ppm.
 */
static void
put_ppm(FILE *fp, double f, int sign)
{
	int	 prec;

	if (!isfinite(f)) {
		fprintf(fp, "%10s", "-");
		return;
	}
	prec = fabs(f) < 99999.5 ? 3 : 0;
	if (sign)
		fprintf(fp, "%+10.*f", prec, f);
	else
		fprintf(fp, "%10.*f", prec, f);
}

static void
sourcestat_name(char *buf, size_t len, const struct rpt_sourcestats *s,
    int numeric)
{
	pick_name(buf, len, s->name, s->address, numeric);
}

void
fmt_sourcestat(FILE *fp, const struct rpt_sourcestats *s, int numeric)
{
	char	 name[RPT_NAME_MAX];

	sourcestat_name(name, sizeof(name), s, numeric);
	fprintf(fp, "%-*s %3d %3d  ", STATS_COL, name, (int)s->n_samples,
	    (int)s->n_runs);
	put_ago(fp, ago_seconds(s->span_s));
	fputc(' ', fp);
	put_ppm(fp, s->freq_ppm, 1);
	fputc(' ', fp);
	put_ppm(fp, s->freq_skew_ppm, 0);
	fputs("  ", fp);
	put_time(fp, s->offset_s, 1);
	fputs("  ", fp);
	put_time(fp, s->stddev_s, 0);
	fputc('\n', fp);
}

void
fmt_sourcestat_csv(FILE *fp, const struct rpt_sourcestats *s, int numeric)
{
	char		 name[RPT_NAME_MAX];

	sourcestat_name(name, sizeof(name), s, numeric);
	fprintf(fp, "%s,%d,%d,%u,", name, (int)s->n_samples, (int)s->n_runs,
	    ago_seconds(s->span_s));
	put_num(fp, 3, 0, s->freq_ppm);
	fputc(',', fp);
	put_num(fp, 3, 0, s->freq_skew_ppm);
	fputc(',', fp);
	put_num(fp, 9, 0, s->offset_s);
	fputc(',', fp);
	put_num(fp, 9, 0, s->stddev_s);
	fputc('\n', fp);
}

void
fmt_authdata_header(FILE *fp, int verbose)
{
	static const char	 legend[] =
	    "                             .- Auth. mechanism (NTS, SK - "
	    "symmetric key)\n"
	    "                            |   Key length -.  Cookie length "
	    "(bytes) -.\n"
	    "                            |       (bits)  |  Num. of cookies "
	    "--.    |\n"
	    "                            |               |  Key est. attempts"
	    "  |   |\n"
	    "                            |               |           |      "
	    "   |   |\n";

	if (verbose)
		fputs(legend, fp);
	put_header(fp, "Name/IP address             Mode KeyID Type KLen Last "
	    "Atmp  NAK Cook CLen");
}

const char *
fmt_auth_mode(int32_t mode)
{
	static const char *const	 tab[] = { "-", "SK", "NTS" };
	const char			*m = FMT_PICK(tab, mode);

	return m != NULL ? m : "?";
}

void
fmt_authdata(FILE *fp, const struct rpt_authdata *a, int numeric)
{
	char	 name[RPT_NAME_MAX];

	pick_name(name, sizeof(name), a->name, a->address, numeric);
	fprintf(fp, "%-*s %4s %5u %4d %4d ", NAME_COL, name,
	    fmt_auth_mode(a->mode),
	    (unsigned)a->key_id, (int)a->key_type, (int)a->key_bits);
	put_ago(fp, ago_seconds(a->last_ke_s));
	fprintf(fp, " %4d %4d %4d %4d\n", (int)a->ke_attempts,
	    (int)a->naks, (int)a->cookies, (int)a->cookie_len);
}

void
fmt_authdata_csv(FILE *fp, const struct rpt_authdata *a, int numeric)
{
	char		 name[RPT_NAME_MAX];

	pick_name(name, sizeof(name), a->name, a->address, numeric);
	fprintf(fp, "%s,%s,%u,%d,%d,%u,%d,%d,%d,%d\n", name,
	    fmt_auth_mode(a->mode), (unsigned)a->key_id, (int)a->key_type,
	    (int)a->key_bits, ago_seconds(a->last_ke_s),
	    (int)a->ke_attempts, (int)a->naks, (int)a->cookies,
	    (int)a->cookie_len);
}

void
fmt_sourcename(FILE *fp, const char *name)
{
	char	 buf[RPT_NAME_MAX];

	fmt_printable(buf, sizeof(buf), name, RPT_NAME_MAX);
	fprintf(fp, "%s\n", buf);
}

/* chronyc selectdata */

void
fmt_selectdata_header(FILE *fp, int verbose)
{
	static const char	 legend[] =
	    "  . State: N - noselect, s - unsynchronised, M - missing "
	    "samples,\n"
	    " /         d/D - large distance, ~ - jittery, w/W - waits for "
	    "others,\n"
	    "|          S - stale, O - orphan, T - not trusted, P - not "
	    "preferred,\n"
	    "|          U - waits for update,, x - falseticker, + - combined, "
	    "* - best.\n"
	    "|   Effective options   ---------.  (N - noselect, P - prefer\n"
	    "|   Configured options  ----.     \\  T - trust, R - require)\n"
	    "|   Auth. enabled (Y/N) -.   \\     \\     Offset interval "
	    "--.\n"
	    "|                        |    |     |                       |\n";

	if (verbose)
		fputs(legend, fp);
	put_header(fp, "S Name/IP Address        Auth COpts EOpts Last Score "
	    "    Interval  Leap");
}

/* "NPTR-": noselect, prefer, trust, require, as chronyc. */
static void
selopts(char *buf, uint32_t o)
{
	snprintf(buf, 6, "%c%c%c%c-", o & RPT_SELOPT_NOSELECT ? 'N' : '-',
	    o & RPT_SELOPT_PREFER ? 'P' : '-',
	    o & RPT_SELOPT_TRUST ? 'T' : '-',
	    o & RPT_SELOPT_REQUIRE ? 'R' : '-');
}

static const char *
leap_char(int leap)
{
	static const char *const	 tab[] = { "N", "+", "-", "?" };
	const char			*c = FMT_PICK(tab, leap);

	return c != NULL ? c : "?";
}

/* chronyc reports 0 s for a source that never had a sample. */
static uint32_t
last_sample(double s)
{
	uint32_t	 ago = ago_seconds(s);

	return ago == AGO_NEVER ? 0 : ago;
}

void
fmt_selectdata(FILE *fp, const struct rpt_selectdata *d, int numeric)
{
	char	 name[RPT_NAME_MAX], copts[6], eopts[6];

	pick_name(name, sizeof(name), d->name, d->address, numeric);
	selopts(copts, d->conf_options);
	selopts(eopts, d->eff_options);
	fprintf(fp, "%c %-*s %c %s %s ", fmt_select_state(d->state), STATS_COL,
	    name, d->authenticated ? 'Y' : 'N', copts, eopts);
	put_ago(fp, last_sample(d->last_sample_s));
	fputc(' ', fp);
	put_num_width(fp, 5, 1, d->score);
	fputc(' ', fp);
	put_time(fp, d->lo_limit_s, 1);
	fputc(' ', fp);
	put_time(fp, d->hi_limit_s, 1);
	fprintf(fp, "  %s\n", leap_char(d->leap));
}

void
fmt_selectdata_csv(FILE *fp, const struct rpt_selectdata *d, int numeric)
{
	char	 name[RPT_NAME_MAX], copts[6], eopts[6];
	int	 i;

	pick_name(name, sizeof(name), d->name, d->address, numeric);
	selopts(copts, d->conf_options);
	selopts(eopts, d->eff_options);
	fprintf(fp, "%c,%s,%c", fmt_select_state(d->state), name,
	    d->authenticated ? 'Y' : 'N');
	for (i = 0; i < 5; i++)
		fprintf(fp, ",%c", copts[i]);
	for (i = 0; i < 5; i++)
		fprintf(fp, ",%c", eopts[i]);
	fprintf(fp, ",%u", last_sample(d->last_sample_s));
	csv_num(fp, 1, d->score);
	csv_num(fp, 9, d->lo_limit_s);
	csv_num(fp, 9, d->hi_limit_s);
	fprintf(fp, ",%s\n", leap_string(d->leap));
}

/* The serverstats counters (fmt_int.h), in the order of every output. */
const struct fmt_stat fmt_stats[] = {
	{ "NTP packets received", "ntp_packets_received", 0 },
	{ "NTP packets dropped", "ntp_packets_dropped", 0 },
	{ "Command packets received", "command_packets_received", 0 },
	{ "Command packets dropped", "command_packets_dropped", 0 },
	{ "Client log records dropped", "client_log_records_dropped", 0 },
	{ "NTS-KE connections accepted", "ntske_connections_accepted", 0 },
	{ "NTS-KE connections dropped", "ntske_connections_dropped", 0 },
	{ "Authenticated NTP packets", "authenticated_ntp_packets", 0 },
	{ "Interleaved NTP packets", "interleaved_ntp_packets", 0 },
	{ "NTP timestamps held", "ntp_timestamps_held", 0 },
	{ "NTP timestamp span", "ntp_timestamp_span", 0 },
	{ "NTP answers sent", "ntp_answers_sent", 0 },
	{ "RATE kiss-o'-death sent", "kod_rate_sent", 0 },
	{ "NTP packets rate limited", "ntp_rate_limited", 0 },
	{ "NTP packets denied", "ntp_denied", 0 },
	{ "Malformed: too short", "too_short", 1 },
	{ "Malformed: bad length", "bad_length", 1 },
	{ "Malformed: bad version", "bad_version", 1 },
	{ "Malformed: bad mode", "bad_mode", 1 },
	{ "Mode 6/7 packets dropped", "control_mode", 1 },
	{ "Malformed: bad ext. fields", "bad_extension_fields", 1 },
	{ "Requests with a MAC dropped", "with_mac", 1 },
	{ "Transmit errors", "tx_errors", 0 },
	{ "NTS NAKs sent", "nts_naks_sent", 0 },
	{ "NTS requests dropped", "nts_requests_dropped", 0 },
	{ "Plain NTP refused (ntsonly)", "ntsonly_refused", 0 }
};

#define STAT_LABEL_COL	27	/* "NTS-KE connections accepted" */

_Static_assert(PKT_NREASONS <= sizeof(((struct rpt_serverstats *)0)->
    malformed) / sizeof(uint64_t), "malformed[] misses a pkt_reason");

void
fmt_stat_values(const struct rpt_serverstats *st, uint64_t *v)
{
	size_t	 i = 0, m;

	v[i++] = st->ntp_rx;
	v[i++] = st->ntp_dropped;
	v[i++] = st->cmd_rx;
	v[i++] = st->cmd_dropped;
	v[i++] = st->log_dropped;
	v[i++] = st->ntske_accepted;
	v[i++] = st->ntske_dropped;
	v[i++] = st->auth_ntp;
	v[i++] = st->interleaved;
	v[i++] = st->ts_held;
	v[i++] = st->ts_span;
	v[i++] = st->ntp_tx;
	v[i++] = st->kod_rate;
	v[i++] = st->rate_limited;
	v[i++] = st->denied;
	for (m = PKT_ERR_SHORT; m < PKT_NREASONS; m++)
		v[i++] = st->malformed[m];
	v[i++] = st->tx_errors;
	v[i++] = st->nts_naks;
	v[i++] = st->nts_dropped;
	v[i++] = st->ntsonly_refused;
}

void
fmt_serverstats(FILE *fp, const struct rpt_serverstats *st)
{
	uint64_t	 v[FMT_NSTATS];
	size_t		 i;

	fmt_stat_values(st, v);
	for (i = 0; i < FMT_NSTATS; i++)
		fprintf(fp, "%-*s: %" PRIu64 "\n", STAT_LABEL_COL,
		    fmt_stats[i].label, v[i]);
}

void
fmt_serverstats_csv(FILE *fp, const struct rpt_serverstats *st)
{
	uint64_t	 v[FMT_NSTATS];
	size_t		 i;

	fmt_stat_values(st, v);
	for (i = 0; i < FMT_NSTATS; i++)
		fprintf(fp, "%s%" PRIu64, i == 0 ? "" : ",", v[i]);
	fputc('\n', fp);
}

void
fmt_clients_header(FILE *fp)
{
	static const char	 header[] = "Hostname                      "
	    "NTP   Drop Int IntL Last     Cmd   Drop Int  Last";

	put_header(fp, header);
}

/* The address printable, "?" if there is none. */
static void
client_name(char *buf, size_t len, const struct rpt_client *c)
{
	if (c->address[0] != '\0')
		fmt_printable(buf, len, c->address, sizeof(c->address));
	else
		fmt_printable(buf, len, "?", 2);
}

/* chronyc's print_clientlog_interval: 2 columns. */
static void
put_interval(FILE *fp, int32_t i)
{
	if (i >= FMT_INTERVAL_UNKNOWN)
		fputs(" -", fp);
	else
		fprintf(fp, "%2d", (int)i);
}

void
fmt_client(FILE *fp, const struct rpt_client *c)
{
	char	 name[RPT_ADDR_MAX + 2];

	client_name(name, sizeof(name), c);
	fprintf(fp, "%-*s  %6" PRIu64 "  %5" PRIu64 "  ", STATS_COL,
	    name, c->ntp_hits, c->ntp_drops);
	put_interval(fp, c->ntp_interval);
	fputs("  ", fp);
	put_interval(fp, c->ntp_interval_limited);
	fputs("  ", fp);
	put_ago(fp, ago_seconds(c->last_ntp_s));
	fprintf(fp, "  %6" PRIu64 "  %5" PRIu64 "  ", c->cmd_hits,
	    c->cmd_drops);
	put_interval(fp, c->cmd_interval);
	fputs("  ", fp);
	put_ago(fp, ago_seconds(c->last_cmd_s));
	fputc('\n', fp);
}

void
fmt_client_csv(FILE *fp, const struct rpt_client *c)
{
	char	 name[RPT_ADDR_MAX + 2];

	client_name(name, sizeof(name), c);
	fprintf(fp, "%s,%" PRIu64 ",%" PRIu64 ",%d,%d,%u,%" PRIu64 ",%"
	    PRIu64 ",%d,%u\n", name, c->ntp_hits, c->ntp_drops,
	    (int)c->ntp_interval, (int)c->ntp_interval_limited,
	    ago_seconds(c->last_ntp_s), c->cmd_hits, c->cmd_drops,
	    (int)c->cmd_interval, ago_seconds(c->last_cmd_s));
}

const char *
fmt_result(int code)
{
	switch (code) {
	case CTL_OK:
		return "200 OK";
	case CTL_FAILED:
		return "500 Failure";
	case CTL_UNAUTH:
		return "501 Not authorised";
	case CTL_INVALID:
		return "502 Invalid command";
	case CTL_NOSOURCE:
		return "503 No such source";
	case CTL_UNAVAIL:
		return "504 Engine not running";
	case CTL_NOTENABLED:
		return "505 Facility not enabled in daemon";
	default:	/* as chronyc */
		return "520 Got unexpected error from daemon";
	}
}

/* chronyc activity */

void
fmt_activity(FILE *fp, const struct rpt_activity *a)
{
	fprintf(fp, "200 OK\n"
	    "%d sources online\n"
	    "%d sources offline\n"
	    "%d sources doing burst (return to online)\n"
	    "%d sources doing burst (return to offline)\n"
	    "%d sources with unknown address\n", (int)a->online,
	    (int)a->offline, (int)a->burst_online, (int)a->burst_offline,
	    (int)a->unresolved);
}

void
fmt_activity_csv(FILE *fp, const struct rpt_activity *a)
{
	fprintf(fp, "%d,%d,%d,%d,%d\n", (int)a->online, (int)a->offline,
	    (int)a->burst_online, (int)a->burst_offline, (int)a->unresolved);
}

/* chronyc smoothing, with its trailing blank when not leap-only */

void
fmt_smoothing(FILE *fp, const struct rpt_smoothing *s)
{
	fprintf(fp, "Active         : %s %s\n"
	    "Offset         : %+.9f seconds\n"
	    "Frequency      : %+.6f ppm\n"
	    "Wander         : %+.6f ppm per second\n"
	    "Last update    : %.1f seconds ago\n"
	    "Remaining time : %.1f seconds\n", s->active ? "Yes" : "No",
	    s->leaponly ? "(leap second only)" : "", s->offset_s, s->freq_ppm,
	    s->wander_ppm, s->last_update_ago_s, s->remaining_s);
}

void
fmt_smoothing_csv(FILE *fp, const struct rpt_smoothing *s)
{
	fprintf(fp, "%s,%s,%.9f,%.6f,%.6f,%.1f,%.1f\n",
	    s->active ? "Yes" : "No", s->leaponly ? "Yes" : "No", s->offset_s,
	    s->freq_ppm, s->wander_ppm, s->last_update_ago_s, s->remaining_s);
}

/* chronyc ntpdata */

const char *const fmt_mode_text[FMT_NMODE] = {
	"Invalid", "Symmetric active", "Symmetric passive", "Client",
	"Server", "Broadcast"
};
static const char *const tss_text[] = { "Daemon", "Kernel", "Hardware" };

/* chronyc's UTI_RefidToString: the printable bytes of a reference ID. */
static void
refid_string(char *buf, uint32_t refid)
{
	int	 i, j = 0, c;

	for (i = 0; i < 4; i++) {
		c = (refid >> (24 - i * 8)) & 0xff;
		if (c >= 0x20 && c < 0x7f)
			buf[j++] = (char)c;
	}
	buf[j] = '\0';
}

double
fmt_log2_seconds(int32_t l)
{
	double	 v = 1.0;

	if (l < -64 || l > 64)
		return NAN;
	for (; l > 0; l--)
		v *= 2.0;
	for (; l < 0; l++)
		v /= 2.0;
	return v;
}

void
fmt_tests_string(char *buf, uint32_t tests, char sep)
{
	int	 i, j = 0;

	for (i = 9; i >= 0; i--) {
		buf[j++] = tests & (1u << i) ? '1' : '0';
		if (i == 7 || i == 4)
			buf[j++] = sep;
	}
	buf[j] = '\0';
}

/* chronyc names the reference ID of a stratum 0 or 1 server only. */
static void
ntpdata_refid(char *buf, const struct rpt_ntpdata *d)
{
	buf[0] = '\0';
	if (d->stratum <= 1)
		refid_string(buf, d->ref_id);
}

static const char *
address_or_unspec(char *buf, size_t len, const char *a, size_t max)
{
	fmt_printable(buf, len, a, max);
	if (buf[0] == '\0')
		snprintf(buf, len, "[UNSPEC]");
	return buf;
}

void
fmt_ntpdata(FILE *fp, const struct rpt_ntpdata *d)
{
	char		 remote[RPT_ADDR_MAX], local[RPT_ADDR_MAX], refid[5];
	char		 when[64], tests[16];
	const char	*mode, *tss;

	address_or_unspec(remote, sizeof(remote), d->remote_address,
	    sizeof(d->remote_address));
	address_or_unspec(local, sizeof(local), d->local_address,
	    sizeof(d->local_address));
	ntpdata_refid(refid, d);
	utc_string(when, sizeof(when), d->ref_time);
	fmt_tests_string(tests, d->tests, ' ');
	mode = FMT_PICK(fmt_mode_text, d->mode);
	fprintf(fp, "Remote address  : %s (%08X)\n", remote, d->remote_refid);
	fprintf(fp, "Remote port     : %u\n", d->remote_port);
	fprintf(fp, "Local address   : %s (%08X)\n", local, d->local_refid);
	fprintf(fp, "Leap status     : %s\n", leap_string(d->leap));
	fprintf(fp, "Version         : %d\n", (int)d->version);
	fprintf(fp, "Mode            : %s\n", mode != NULL ? mode : "Invalid");
	fprintf(fp, "Stratum         : %d\n", (int)d->stratum);
	fprintf(fp, "Poll interval   : %d (", (int)d->poll);
	put_num(fp, 0, 0, fmt_log2_seconds(d->poll));
	fprintf(fp, " seconds)\nPrecision       : %d (", (int)d->precision);
	put_num(fp, 9, 0, fmt_log2_seconds(d->precision));
	fputs(" seconds)\n", fp);
	put_line(fp, "Root delay      ", 6, 0, d->root_delay_s, " seconds");
	put_line(fp, "Root dispersion ", 6, 0, d->root_dispersion_s,
	    " seconds");
	fprintf(fp, "Reference ID    : %08X (%s)\n", d->ref_id, refid);
	fprintf(fp, "Reference time  : %s\n", when);
	put_line(fp, "Offset          ", 9, 1, d->offset_s, " seconds");
	put_line(fp, "Peer delay      ", 9, 0, d->peer_delay_s, " seconds");
	put_line(fp, "Peer dispersion ", 9, 0, d->peer_dispersion_s,
	    " seconds");
	put_line(fp, "Response time   ", 9, 0, d->response_time_s,
	    " seconds");
	put_line(fp, "Jitter asymmetry", 2, 1, d->jitter_asymmetry, "");
	fprintf(fp, "NTP tests       : %s\n", tests);
	fprintf(fp, "Interleaved     : %s\n", d->interleaved ? "Yes" : "No");
	fprintf(fp, "Authenticated   : %s\n", d->authenticated ? "Yes" : "No");
	tss = FMT_PICK(tss_text, d->tx_tss);
	fprintf(fp, "TX timestamping : %s\n", tss != NULL ? tss : "Invalid");
	tss = FMT_PICK(tss_text, d->rx_tss);
	fprintf(fp, "RX timestamping : %s\n", tss != NULL ? tss : "Invalid");
	fprintf(fp, "Total TX        : %" PRIu64 "\n", d->total_tx);
	fprintf(fp, "Total RX        : %" PRIu64 "\n", d->total_rx);
	fprintf(fp, "Total valid RX  : %" PRIu64 "\n", d->total_valid_rx);
	fprintf(fp, "Total good RX   : %" PRIu64 "\n", d->total_good_rx);
	/* timed: the card's clock, only where one was used */
	if (d->hw_iface[0] != '\0') {
		fprintf(fp, "HW interface    : %.*s (%d samples, ",
		    (int)strnlen(d->hw_iface, sizeof(d->hw_iface)),
		    d->hw_iface, (int)d->hw_samples);
		put_num(fp, 9, 1, d->hw_offset_s);
		fputs(" s, ", fp);
		put_num(fp, 3, 1, d->hw_freq_ppm);
		fputs(" ppm, error ", fp);
		put_num(fp, 9, 0, d->hw_err_s);
		fputs(" s)\n", fp);
	}
}

void
fmt_ntpdata_csv(FILE *fp, const struct rpt_ntpdata *d)
{
	char		 remote[RPT_ADDR_MAX], local[RPT_ADDR_MAX], refid[5];
	char		 tests[16];
	const char	*mode, *tx, *rx;

	address_or_unspec(remote, sizeof(remote), d->remote_address,
	    sizeof(d->remote_address));
	address_or_unspec(local, sizeof(local), d->local_address,
	    sizeof(d->local_address));
	ntpdata_refid(refid, d);
	/* a reference ID is printable ASCII, but never a field separator */
	for (char *p = refid; *p != '\0'; p++)
		if (*p == ',')
			*p = '?';
	fmt_tests_string(tests, d->tests, ',');
	mode = FMT_PICK(fmt_mode_text, d->mode);
	tx = FMT_PICK(tss_text, d->tx_tss);
	rx = FMT_PICK(tss_text, d->rx_tss);
	fprintf(fp, "%s,%08X,%u,%s,%08X,%s,%d,%s,%d,%d", remote,
	    d->remote_refid, d->remote_port, local, d->local_refid,
	    leap_string(d->leap), (int)d->version,
	    mode != NULL ? mode : "Invalid", (int)d->stratum, (int)d->poll);
	csv_num(fp, 0, fmt_log2_seconds(d->poll));
	fprintf(fp, ",%d", (int)d->precision);
	csv_num(fp, 9, fmt_log2_seconds(d->precision));
	csv_num(fp, 6, d->root_delay_s);
	csv_num(fp, 6, d->root_dispersion_s);
	fprintf(fp, ",%08X,%s", d->ref_id, refid);
	csv_num(fp, 9, d->ref_time);
	csv_num(fp, 9, d->offset_s);
	csv_num(fp, 9, d->peer_delay_s);
	csv_num(fp, 9, d->peer_dispersion_s);
	csv_num(fp, 9, d->response_time_s);
	csv_num(fp, 2, d->jitter_asymmetry);
	fprintf(fp, ",%s,%s,%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
	    ",%" PRIu64 "\n", tests, d->interleaved ? "Yes" : "No",
	    d->authenticated ? "Yes" : "No", tx != NULL ? tx : "Invalid",
	    rx != NULL ? rx : "Invalid", d->total_tx, d->total_rx,
	    d->total_valid_rx, d->total_good_rx);
}

/* chronyc waitsync */

int
fmt_waitsync_ok(const struct rpt_tracking *t, double max_correction_s,
    double max_skew_ppm)
{
	double	 corr = fabs(t->system_time_offset_s);

	if (t->ref_id == 0 || t->ref_id == PKT_REFID_LOCAL ||
	    t->leap == LEAP_UNSYNC)
		return 0;
	if (max_correction_s > 0.0 && !(corr <= max_correction_s))
		return 0;
	if (max_skew_ppm > 0.0 && !(t->skew_ppm <= max_skew_ppm))
		return 0;
	return 1;
}

void
fmt_waitsync(FILE *fp, int try, const struct rpt_tracking *t)
{
	fprintf(fp, "try: %d, refid: %08X, correction: ", try, t->ref_id);
	put_num(fp, 9, 0, fabs(t->system_time_offset_s));
	fputs(", skew: ", fp);
	put_num(fp, 3, 0, t->skew_ppm);
	fputc('\n', fp);
}
