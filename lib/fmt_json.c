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
 * timectl -j: the reports as JSON, through one small writer.  The
 * writer puts the braces, brackets and commas: a record is an object on
 * one line; a list of records is an array with one record per line; the
 * outermost value ends with a newline.  Numbers that are not finite,
 * strings that are NULL and values a report marks unknown are null.
 */

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "fmt_int.h"
#include "proto.h"

static const char *const clock_json[] = { "kernel", "virtual", "none" };
static const char *const mode_json[] = {
	"server", "peer", "local", "refclock"
};
static const char *const tss_json[] = { "daemon", "kernel", "hardware" };

/* The length of a valid UTF-8 sequence at p, 0 if there is none. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	uint32_t	 cp;
	size_t		 i, n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	cp = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* One character of a JSON string; returns the bytes consumed. */
static size_t
json_char(FILE *fp, const unsigned char *p, size_t left)
{
	size_t	 n;

	if (*p == '"' || *p == '\\') {
		fputc('\\', fp);
		fputc(*p, fp);
		return 1;
	}
	if (*p < 0x20 || *p == 0x7f) {
		fprintf(fp, "\\u%04x", *p);
		return 1;
	}
	if ((n = utf8_len(p, left)) == 0) {
		fputs("\\ufffd", fp);
		return 1;
	}
	fwrite(p, 1, n, fp);
	return n;
}

/* A JSON string of at most max bytes of s, escaped; null if s is NULL. */
static void
put_string(FILE *fp, const char *s, size_t max)
{
	size_t	 i, len;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	len = strnlen(s, max);
	fputc('"', fp);
	for (i = 0; i < len; )
		i += json_char(fp, (const unsigned char *)s + i, len - i);
	fputc('"', fp);
}

void
fmt_json_string(FILE *fp, const char *s)
{
	put_string(fp, s, SIZE_MAX);
}

/*
 * The writer's state: the containers open, innermost last, and how many
 * members each has so far.  The reports nest two deep (an array of
 * records, or serverstats' "malformed" in its record); one to spare.
 */
#define JSON_DEPTH	3

struct json {
	FILE	*fp;
	int	 depth;
	char	 close[JSON_DEPTH];	/* '}' or ']' */
	size_t	 n[JSON_DEPTH];
};

/* What goes before a member: its separator, and "key": in an object. */
static void
json_key(struct json *j, const char *key)
{
	int	 d = j->depth - 1;

	if (d >= 0) {
		if (j->close[d] == ']')
			fputs(j->n[d] == 0 ? "\n" : ",\n", j->fp);
		else if (j->n[d] > 0)
			fputc(',', j->fp);
		j->n[d]++;
	}
	if (key != NULL)
		fprintf(j->fp, "\"%s\":", key);
}

/* Open an object ('{') or an array ('['); key NULL in an array. */
static void
json_open(struct json *j, const char *key, char open)
{
	json_key(j, key);
	fputc(open, j->fp);
	j->close[j->depth] = open == '[' ? ']' : '}';
	j->n[j->depth] = 0;
	j->depth++;
}

static void
json_close(struct json *j)
{
	j->depth--;
	if (j->close[j->depth] == ']' && j->n[j->depth] > 0)
		fputc('\n', j->fp);
	fputc(j->close[j->depth], j->fp);
	if (j->depth == 0)
		fputc('\n', j->fp);
}

static void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->fp);
}

/* A string of at most max bytes (it need not be NUL-terminated). */
static void
json_strn(struct json *j, const char *key, const char *s, size_t max)
{
	json_key(j, key);
	put_string(j->fp, s, max);
}

/* A NUL-terminated string; null if s is NULL. */
static void
json_str(struct json *j, const char *key, const char *s)
{
	json_strn(j, key, s, SIZE_MAX);
}

/* A fixed-point number with prec decimals; null if not finite. */
static void
json_num(struct json *j, const char *key, int prec, double v)
{
	if (!isfinite(v)) {
		json_null(j, key);
		return;
	}
	json_key(j, key);
	fprintf(j->fp, "%.*f", prec, v);
}

static void
json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->fp, "%lld", v);
}

static void
json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->fp, "%" PRIu64, v);
}

static void
json_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->fp);
}

/* Seconds ago; null when never (negative) or not finite. */
static void
json_ago(struct json *j, const char *key, int prec, double v)
{
	json_num(j, key, prec, v >= 0.0 ? v : NAN);
}

/* A log2 interval; null when unknown. */
static void
json_interval(struct json *j, const char *key, int32_t i)
{
	if (i >= FMT_INTERVAL_UNKNOWN)
		json_null(j, key);
	else
		json_int(j, key, i);
}

/* A reference ID as chronyc prints it: "%08X". */
static void
json_refid(struct json *j, const char *key, uint32_t id)
{
	char	 buf[9];

	snprintf(buf, sizeof(buf), "%08X", id);
	json_str(j, key, buf);
}

/* The members of one record, of the type its caller knows. */
typedef void	 json_members(struct json *, const void *);

/* One record: an object and a newline. */
static void
json_record(FILE *fp, const void *rec, json_members *members)
{
	struct json	 j = { .fp = fp };

	json_open(&j, NULL, '{');
	members(&j, rec);
	json_close(&j);
}

/* n records of size bytes each: an array, a record a line, a newline. */
static void
json_records(FILE *fp, const void *recs, size_t size, size_t n,
    json_members *members)
{
	struct json	 j = { .fp = fp };
	size_t		 i;

	json_open(&j, NULL, '[');
	for (i = 0; i < n; i++) {
		json_open(&j, NULL, '{');
		members(&j, (const char *)recs + i * size);
		json_close(&j);
	}
	json_close(&j);
}

static void
tracking(struct json *j, const void *p)
{
	const struct rpt_tracking	*t = p;

	json_refid(j, "reference_id", t->ref_id);
	json_strn(j, "reference_name", t->ref_name, sizeof(t->ref_name));
	json_int(j, "stratum", t->stratum);
	json_num(j, "ref_time", 9, t->ref_time);
	json_num(j, "system_time_offset", 9, t->system_time_offset_s);
	json_num(j, "last_offset", 9, t->last_offset_s);
	json_num(j, "rms_offset", 9, t->rms_offset_s);
	json_num(j, "frequency_ppm", 6, t->freq_ppm);
	json_num(j, "residual_freq_ppm", 6, t->residual_freq_ppm);
	json_num(j, "skew_ppm", 6, t->skew_ppm);
	json_num(j, "root_delay", 9, t->root_delay_s);
	json_num(j, "root_dispersion", 9, t->root_dispersion_s);
	json_num(j, "update_interval", 9, t->update_interval_s);
	json_str(j, "leap_status", FMT_PICK(fmt_leap_json, t->leap));
	json_str(j, "clock", FMT_PICK(clock_json, t->clock));
	if (t->clock == CLOCK_KIND_VIRTUAL)
		json_num(j, "virtual_true_offset", 9,
		    t->virtual_true_offset_s);
}

static void
source(struct json *j, const void *p)
{
	const struct rpt_source	*s = p;
	char			 state[2] = { s->state, '\0' };

	json_str(j, "mode", FMT_PICK(mode_json, s->mode));
	json_str(j, "state", state);
	json_strn(j, "name", s->name, sizeof(s->name));
	json_strn(j, "address", s->address, sizeof(s->address));
	json_int(j, "port", s->port);
	json_int(j, "stratum", s->stratum);
	json_int(j, "poll", s->poll);
	json_int(j, "reach", s->reach);
	json_ago(j, "last_rx", 9, s->last_rx_s);
	json_num(j, "offset", 9, s->offset_s);
	json_num(j, "measured_offset", 9, s->measured_offset_s);
	json_num(j, "error", 9, s->error_s);
	json_bool(j, "nts", s->nts);
}

static void
sourcestat(struct json *j, const void *p)
{
	const struct rpt_sourcestats	*s = p;

	json_strn(j, "name", s->name, sizeof(s->name));
	json_strn(j, "address", s->address, sizeof(s->address));
	json_int(j, "samples", s->n_samples);
	json_int(j, "runs", s->n_runs);
	json_num(j, "span", 9, s->span_s);
	json_num(j, "frequency_ppm", 6, s->freq_ppm);
	json_num(j, "freq_skew_ppm", 6, s->freq_skew_ppm);
	json_num(j, "offset", 9, s->offset_s);
	json_num(j, "std_dev", 9, s->stddev_s);
}

static void
authdata(struct json *j, const void *p)
{
	const struct rpt_authdata	*a = p;

	json_strn(j, "name", a->name, sizeof(a->name));
	json_strn(j, "address", a->address, sizeof(a->address));
	json_str(j, "mode", fmt_auth_mode(a->mode));
	json_int(j, "key_id", a->key_id);
	json_int(j, "key_type", a->key_type);
	json_int(j, "key_length", a->key_bits);
	json_ago(j, "last_ke_ago", 3, a->last_ke_s);
	json_int(j, "ke_attempts", a->ke_attempts);
	json_int(j, "naks", a->naks);
	json_int(j, "cookies", a->cookies);
	json_int(j, "cookie_length", a->cookie_len);
	json_u64(j, "authenticated", a->auth_ok);
	json_u64(j, "auth_failed", a->auth_failed);
}

static void
selectdata(struct json *j, const void *p)
{
	const struct rpt_selectdata	*d = p;
	char				 state[2] = {
		fmt_select_state(d->state), '\0'
	};

	json_strn(j, "name", d->name, sizeof(d->name));
	json_strn(j, "address", d->address, sizeof(d->address));
	json_str(j, "state", state);
	json_bool(j, "authenticated", d->authenticated);
	json_bool(j, "noselect", d->conf_options & RPT_SELOPT_NOSELECT);
	json_bool(j, "prefer", d->conf_options & RPT_SELOPT_PREFER);
	json_bool(j, "trust", d->conf_options & RPT_SELOPT_TRUST);
	json_bool(j, "require", d->conf_options & RPT_SELOPT_REQUIRE);
	json_ago(j, "last_sample_ago", 3, d->last_sample_s);
	json_num(j, "score", 3, d->score);
	json_num(j, "interval_low", 9, d->lo_limit_s);
	json_num(j, "interval_high", 9, d->hi_limit_s);
	json_str(j, "leap_status", FMT_PICK(fmt_leap_json, d->leap));
}

/* The counters of fmt_stats, the malformed ones in their own object. */
static void
serverstats(struct json *j, const void *p)
{
	uint64_t	 v[FMT_NSTATS];
	size_t		 i;
	int		 in_group = 0;

	fmt_stat_values(p, v);
	for (i = 0; i < FMT_NSTATS; i++) {
		if (fmt_stats[i].malformed && !in_group) {
			json_open(j, "malformed", '{');
			in_group = 1;
		} else if (!fmt_stats[i].malformed && in_group) {
			json_close(j);
			in_group = 0;
		}
		json_u64(j, fmt_stats[i].key, v[i]);
	}
	if (in_group)
		json_close(j);
}

static void
client(struct json *j, const void *p)
{
	const struct rpt_client	*c = p;

	json_strn(j, "address", c->address, sizeof(c->address));
	json_u64(j, "ntp_packets", c->ntp_hits);
	json_u64(j, "ntp_dropped", c->ntp_drops);
	json_interval(j, "ntp_interval", c->ntp_interval);
	json_interval(j, "ntp_interval_limited", c->ntp_interval_limited);
	json_ago(j, "last_ntp", 9, c->last_ntp_s);
	json_u64(j, "command_packets", c->cmd_hits);
	json_u64(j, "command_dropped", c->cmd_drops);
	json_interval(j, "command_interval", c->cmd_interval);
	json_ago(j, "last_command", 9, c->last_cmd_s);
	json_u64(j, "kod_sent", c->kod_sent);
}

static void
activity(struct json *j, const void *p)
{
	const struct rpt_activity	*a = p;

	json_int(j, "online", a->online);
	json_int(j, "offline", a->offline);
	json_int(j, "burst_online", a->burst_online);
	json_int(j, "burst_offline", a->burst_offline);
	json_int(j, "unresolved", a->unresolved);
}

static void
smoothing(struct json *j, const void *p)
{
	const struct rpt_smoothing	*s = p;

	json_bool(j, "active", s->active);
	json_bool(j, "leap_only", s->leaponly);
	json_num(j, "offset", 9, s->offset_s);
	json_num(j, "frequency_ppm", 6, s->freq_ppm);
	json_num(j, "wander_ppm_per_s", 6, s->wander_ppm);
	json_num(j, "last_update_ago", 1, s->last_update_ago_s);
	json_num(j, "remaining_time", 1, s->remaining_s);
}

static void
sourcename(struct json *j, const void *p)
{
	json_str(j, "name", p);
}

static void
ntpdata(struct json *j, const void *p)
{
	const struct rpt_ntpdata	*d = p;
	char				 tests[16];

	fmt_tests_string(tests, d->tests, ' ');
	json_strn(j, "name", d->name, sizeof(d->name));
	json_strn(j, "remote_address", d->remote_address,
	    sizeof(d->remote_address));
	json_int(j, "remote_port", d->remote_port);
	json_strn(j, "local_address", d->local_address,
	    sizeof(d->local_address));
	json_bool(j, "have_reply", d->have_reply);
	json_str(j, "leap_status", FMT_PICK(fmt_leap_json, d->leap));
	json_int(j, "version", d->version);
	json_str(j, "mode", FMT_PICK(fmt_mode_text, d->mode));
	json_int(j, "stratum", d->stratum);
	json_int(j, "poll", d->poll);
	json_int(j, "precision", d->precision);
	json_num(j, "root_delay", 9, d->root_delay_s);
	json_num(j, "root_dispersion", 9, d->root_dispersion_s);
	json_refid(j, "reference_id", d->ref_id);
	json_num(j, "ref_time", 9, d->ref_time);
	json_num(j, "offset", 9, d->offset_s);
	json_num(j, "peer_delay", 9, d->peer_delay_s);
	json_num(j, "peer_dispersion", 9, d->peer_dispersion_s);
	json_num(j, "response_time", 9, d->response_time_s);
	json_num(j, "jitter_asymmetry", 2, d->jitter_asymmetry);
	json_str(j, "ntp_tests", tests);
	json_bool(j, "interleaved", d->interleaved);
	json_bool(j, "authenticated", d->authenticated);
	json_str(j, "tx_timestamping", FMT_PICK(tss_json, d->tx_tss));
	json_str(j, "rx_timestamping", FMT_PICK(tss_json, d->rx_tss));
	json_u64(j, "total_tx", d->total_tx);
	json_u64(j, "total_rx", d->total_rx);
	json_u64(j, "total_valid_rx", d->total_valid_rx);
	json_u64(j, "total_good_rx", d->total_good_rx);
	if (d->hw_iface[0] != '\0') {
		char	 name[sizeof(d->hw_iface) + 1];

		memcpy(name, d->hw_iface, sizeof(d->hw_iface));
		name[sizeof(d->hw_iface)] = '\0';
		json_str(j, "hw_interface", name);
		json_num(j, "hw_samples", 0, d->hw_samples);
		json_num(j, "hw_offset", 9, d->hw_offset_s);
		json_num(j, "hw_frequency_ppm", 3, d->hw_freq_ppm);
		json_num(j, "hw_error", 9, d->hw_err_s);
	}
}

void
fmt_tracking_json(FILE *fp, const struct rpt_tracking *t)
{
	json_record(fp, t, tracking);
}

void
fmt_sources_json(FILE *fp, const struct rpt_source *s, size_t n)
{
	json_records(fp, s, sizeof(*s), n, source);
}

void
fmt_sourcestats_json(FILE *fp, const struct rpt_sourcestats *s, size_t n)
{
	json_records(fp, s, sizeof(*s), n, sourcestat);
}

void
fmt_authdata_json(FILE *fp, const struct rpt_authdata *a, size_t n)
{
	json_records(fp, a, sizeof(*a), n, authdata);
}

void
fmt_selectdata_json(FILE *fp, const struct rpt_selectdata *d, size_t n)
{
	json_records(fp, d, sizeof(*d), n, selectdata);
}

void
fmt_serverstats_json(FILE *fp, const struct rpt_serverstats *st)
{
	json_record(fp, st, serverstats);
}

void
fmt_clients_json(FILE *fp, const struct rpt_client *c, size_t n)
{
	json_records(fp, c, sizeof(*c), n, client);
}

void
fmt_activity_json(FILE *fp, const struct rpt_activity *a)
{
	json_record(fp, a, activity);
}

void
fmt_smoothing_json(FILE *fp, const struct rpt_smoothing *s)
{
	json_record(fp, s, smoothing);
}

void
fmt_sourcename_json(FILE *fp, const char *name)
{
	json_record(fp, name, sourcename);
}

void
fmt_ntpdata_json(FILE *fp, const struct rpt_ntpdata *d, size_t n)
{
	json_records(fp, d, sizeof(*d), n, ntpdata);
}
