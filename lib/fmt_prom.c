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
 * timectl metrics: the Prometheus text exposition (version 0.0.4) of the
 * reports, for node_exporter's textfile collector: each family with HELP
 * and TYPE, label values printable ASCII with '\', '"' and newlines
 * escaped.
 */

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "fmt_int.h"
#include "proto.h"

static void
prom_family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The shortest %g that reads back as v. */
static const char *
shortest(char *buf, size_t len, double v)
{
	int	 prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, len, "%.17g", v);
	return buf;
}

static void
prom_value(FILE *fp, double v)
{
	char	 buf[32];

	if (isnan(v))
		fputs("NaN", fp);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", fp);
	else
		fputs(shortest(buf, sizeof(buf), v), fp);
}

static void
prom_label_value(FILE *fp, const char *s, size_t max)
{
	char		 buf[RPT_NAME_MAX];
	const char	*p;

	fmt_printable(buf, sizeof(buf), s, max);
	fputc('"', fp);
	for (p = buf; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

/* name{name="...",address="..."[,state="..."]} */
static void
prom_source_labels(FILE *fp, const char *metric, const char *name,
    const char *address, const char *state)
{
	fprintf(fp, "%s{name=", metric);
	prom_label_value(fp, name, RPT_NAME_MAX);
	fputs(",address=", fp);
	prom_label_value(fp, address, RPT_ADDR_MAX);
	if (state != NULL) {
		fputs(",state=", fp);
		prom_label_value(fp, state, 16);
	}
	fputs("} ", fp);
}

/*
 * The states of a source, as values of the label "state" of
 * timed_source_state: one series each, 1 for the state the source is in,
 * so that a source changing state keeps its series (Prometheus' advice
 * for an enumeration), the others 0.
 */
static const struct {
	char		 c;
	const char	*word;
} source_states[] = {
	{ '*', "best" }, { '+', "combined" }, { '-', "not_combined" },
	{ 'x', "falseticker" }, { '~', "jittery" }, { '?', "unusable" }
};

/* The state's index in source_states; unknown states are unusable. */
static size_t
state_index(char state)
{
	size_t	 i;

	for (i = 0; i < sizeof(source_states) / sizeof(source_states[0]); i++)
		if (source_states[i].c == state)
			return i;
	return sizeof(source_states) / sizeof(source_states[0]) - 1;
}

static void
metrics_tracking(FILE *fp, const struct rpt_tracking *t)
{
	const struct {
		const char	*name;
		const char	*help;
		double		 v;
	} g[] = {
		{ "timed_tracking_stratum", "Stratum of this host.",
		    t->stratum },
		{ "timed_tracking_reference_time_seconds", "When the clock was "
		    "last updated, Unix time.", t->ref_time },
		{ "timed_tracking_offset_seconds", "System time offset "
		    "still to correct (positive: the clock is fast).",
		    t->system_time_offset_s },
		{ "timed_tracking_last_offset_seconds", "Offset of the last "
		    "clock update.", t->last_offset_s },
		{ "timed_tracking_rms_offset_seconds", "Long-term average "
		    "of the offset.", t->rms_offset_s },
		{ "timed_tracking_frequency_ppm", "Frequency error of the "
		    "uncorrected clock (positive: fast).", t->freq_ppm },
		{ "timed_tracking_residual_frequency_ppm", "Residual "
		    "frequency of the reference.", t->residual_freq_ppm },
		{ "timed_tracking_skew_ppm", "Error bound of the frequency.",
		    t->skew_ppm },
		{ "timed_tracking_root_delay_seconds", "Root delay.",
		    t->root_delay_s },
		{ "timed_tracking_root_dispersion_seconds", "Root dispersion.",
		    t->root_dispersion_s },
		{ "timed_tracking_update_interval_seconds", "Interval of the "
		    "last clock updates.", t->update_interval_s },
	};
	char	 name[RPT_NAME_MAX];
	size_t	 i;
	int	 synced;

	fmt_printable(name, sizeof(name), t->ref_name, sizeof(t->ref_name));
	prom_family(fp, "timed_tracking_info", "gauge",
	    "The reference, as labels; always 1.");
	fprintf(fp, "timed_tracking_info{reference_id=\"%08X\","
	    "reference_name=", t->ref_id);
	prom_label_value(fp, name, sizeof(name));
	fputs(",leap_status=", fp);
	prom_label_value(fp, FMT_PICK(fmt_leap_json, t->leap) != NULL ?
	    FMT_PICK(fmt_leap_json, t->leap) : "invalid", 16);
	fputs("} 1\n", fp);
	synced = fmt_waitsync_ok(t, 0.0, 0.0);
	prom_family(fp, "timed_tracking_synchronised", "gauge",
	    "1 if synchronised to a time source, else 0.");
	fprintf(fp, "timed_tracking_synchronised %d\n", synced);
	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		prom_family(fp, g[i].name, "gauge", g[i].help);
		fprintf(fp, "%s ", g[i].name);
		prom_value(fp, g[i].v);
		fputc('\n', fp);
	}
	if (t->clock == CLOCK_KIND_VIRTUAL) {
		prom_family(fp, "timed_tracking_virtual_true_offset_seconds",
		    "gauge", "Virtual clock minus system clock.");
		fputs("timed_tracking_virtual_true_offset_seconds ", fp);
		prom_value(fp, t->virtual_true_offset_s);
		fputc('\n', fp);
	}
}

enum src_metric {
	SM_OFFSET, SM_MEASURED, SM_ERROR, SM_STRATUM, SM_POLL, SM_REACH,
	SM_LAST_RX, SM_SELECTED, SM_COUNT
};

static double
source_metric(const struct rpt_source *s, enum src_metric m)
{
	int	 never = !(s->last_rx_s >= 0.0);

	switch (m) {
	case SM_OFFSET:
		return never ? NAN : s->offset_s;
	case SM_MEASURED:
		return never ? NAN : s->measured_offset_s;
	case SM_ERROR:
		return never ? NAN : s->error_s;
	case SM_STRATUM:
		return s->stratum;
	case SM_POLL:
		return fmt_log2_seconds(s->poll);
	case SM_REACH:
		return s->reach;
	case SM_LAST_RX:
		return never ? NAN : s->last_rx_s;
	default:
		return s->state == '*';
	}
}

static void
metrics_source_states(FILE *fp, const struct rpt_source *src, size_t n)
{
	char	 name[RPT_NAME_MAX];
	size_t	 i, k, in;

	prom_family(fp, "timed_source_state", "gauge", "1 for the state the "
	    "last selection left the source in, 0 for the others.");
	for (i = 0; i < n; i++) {
		fmt_printable(name, sizeof(name), src[i].name,
		    sizeof(src[i].name));
		in = state_index(src[i].state);
		for (k = 0; k < sizeof(source_states) /
		    sizeof(source_states[0]); k++) {
			prom_source_labels(fp, "timed_source_state", name,
			    src[i].address, source_states[k].word);
			fprintf(fp, "%d\n", k == in);
		}
	}
}

static void
metrics_sources(FILE *fp, const struct rpt_source *src, size_t n)
{
	static const struct {
		const char	*name;
		const char	*help;
	} f[SM_COUNT] = {
		{ "timed_source_offset_seconds", "Adjusted offset of the last "
		    "sample (positive: local clock ahead)." },
		{ "timed_source_measured_offset_seconds", "Measured offset of "
		    "the last sample." },
		{ "timed_source_error_seconds", "Estimated error of the last "
		    "sample." },
		{ "timed_source_stratum", "Stratum of the source." },
		{ "timed_source_poll_interval_seconds", "Polling interval." },
		{ "timed_source_reachability", "Reachability register "
		    "(8 bits, last poll lowest)." },
		{ "timed_source_last_rx_seconds", "Seconds since the last "
		    "good reply." },
		{ "timed_source_selected", "1 for the selected source." },
	};
	char	 name[RPT_NAME_MAX];
	size_t	 i;
	int	 m;

	for (m = 0; m < SM_COUNT; m++) {
		prom_family(fp, f[m].name, "gauge", f[m].help);
		for (i = 0; i < n; i++) {
			fmt_printable(name, sizeof(name), src[i].name,
			    sizeof(src[i].name));
			prom_source_labels(fp, f[m].name, name,
			    src[i].address, NULL);
			prom_value(fp, source_metric(&src[i], m));
			fputc('\n', fp);
		}
	}
	metrics_source_states(fp, src, n);
}

static void
metrics_sourcestats(FILE *fp, const struct rpt_sourcestats *st, size_t n)
{
	static const struct {
		const char	*name;
		const char	*help;
	} f[] = {
		{ "timed_sourcestats_samples", "Sample points in the "
		    "measurement set." },
		{ "timed_sourcestats_runs", "Runs of residuals with the same "
		    "sign." },
		{ "timed_sourcestats_span_seconds", "Length of the "
		    "measurement set." },
		{ "timed_sourcestats_frequency_ppm", "Estimated frequency "
		    "error of the local clock against the source." },
		{ "timed_sourcestats_frequency_skew_ppm", "Error bound of the "
		    "frequency." },
		{ "timed_sourcestats_offset_seconds", "Estimated offset." },
		{ "timed_sourcestats_stddev_seconds", "Standard deviation of "
		    "the samples." },
	};
	size_t	 i, m;
	double	 v;

	for (m = 0; m < sizeof(f) / sizeof(f[0]); m++) {
		prom_family(fp, f[m].name, "gauge", f[m].help);
		for (i = 0; i < n; i++) {
			switch (m) {
			case 0: v = st[i].n_samples; break;
			case 1: v = st[i].n_runs; break;
			case 2: v = st[i].span_s; break;
			case 3: v = st[i].freq_ppm; break;
			case 4: v = st[i].freq_skew_ppm; break;
			case 5: v = st[i].offset_s; break;
			default: v = st[i].stddev_s; break;
			}
			prom_source_labels(fp, f[m].name, st[i].name,
			    st[i].address, NULL);
			prom_value(fp, v);
			fputc('\n', fp);
		}
	}
}

static void
metrics_serverstats(FILE *fp, const struct rpt_serverstats *st)
{
	char		 name[128];
	uint64_t	 v[FMT_NSTATS];
	size_t		 i;
	int		 group = 0;

	fmt_stat_values(st, v);
	for (i = 0; i < FMT_NSTATS; i++) {
		if (fmt_stats[i].malformed) {
			if (!group)
				prom_family(fp,
				    "timed_serverstats_malformed_total",
				    "counter", "NTP packets dropped as "
				    "malformed, by reason.");
			group = 1;
			fprintf(fp, "timed_serverstats_malformed_total"
			    "{reason=\"%s\"} %" PRIu64 "\n",
			    fmt_stats[i].key, v[i]);
			continue;
		}
		snprintf(name, sizeof(name), "timed_serverstats_%s_total",
		    fmt_stats[i].key);
		prom_family(fp, name, "counter", fmt_stats[i].label);
		fprintf(fp, "%s %" PRIu64 "\n", name, v[i]);
	}
}

void
fmt_metrics(FILE *fp, const struct fmt_metrics *m)
{
	if (m->tracking != NULL)
		metrics_tracking(fp, m->tracking);
	if (m->sources != NULL)
		metrics_sources(fp, m->sources, m->nsources);
	if (m->sourcestats != NULL)
		metrics_sourcestats(fp, m->sourcestats, m->nsourcestats);
	if (m->serverstats != NULL)
		metrics_serverstats(fp, m->serverstats);
}
