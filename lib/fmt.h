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
 * Output formats of timectl: the layouts of chronyc 4.3 (text and -c CSV)
 * and JSON.  Every function writes to the stream it is given and does
 * nothing else.  Strings in the report structs are bounded by their
 * arrays even when not NUL-terminated.  Text and CSV print names with
 * bytes outside printable ASCII replaced by '?', and non-finite numbers
 * as "-"; JSON prints them as null.  lib/fmt.c holds the text and CSV
 * layouts, lib/fmt_json.c the JSON, lib/fmt_prom.c the Prometheus
 * exposition.
 */

#ifndef TIMED_FMT_H
#define TIMED_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "proto.h"

/* chronyc tracking, and chronyc -c tracking. */
void		 fmt_tracking(FILE *, const struct rpt_tracking *);
void		 fmt_tracking_csv(FILE *, const struct rpt_tracking *);
/* One JSON object and a newline. */
void		 fmt_tracking_json(FILE *, const struct rpt_tracking *);

/* chronyc sources header, with the legend of -v when verbose. */
void		 fmt_sources_header(FILE *, int verbose);
/*
 * One row of chronyc sources, or of chronyc -c sources.  With numeric,
 * the address instead of the name (chronyc -n; chronyc -c always prints
 * addresses, so pass 1 to match it), the name whole, as chronyc prints
 * it (a name looked up is cut by the caller, as chronyc cuts it).  A
 * source never heard from (last_rx_s < 0) shows zero offsets and error.
 */
void		 fmt_source(FILE *, const struct rpt_source *, int numeric);
void		 fmt_source_csv(FILE *, const struct rpt_source *,
		    int numeric);
/* A JSON array of n sources and a newline. */
void		 fmt_sources_json(FILE *, const struct rpt_source *,
		    size_t n);

/* chronyc sourcestats header, with the legend of -v when verbose. */
void		 fmt_sourcestats_header(FILE *, int verbose);
/*
 * One row of chronyc sourcestats: the name, or with numeric the address
 * (chronyc -n), whole; a negative span shows as "-".  CSV as chronyc -c
 * sourcestats (pass numeric 1 for its addresses), the values raw
 * (offsets in seconds, sign as in the text, a negative span 4294967295).
 */
void		 fmt_sourcestat(FILE *, const struct rpt_sourcestats *,
		    int numeric);
void		 fmt_sourcestat_csv(FILE *, const struct rpt_sourcestats *,
		    int numeric);
/*
 * chronyc authdata: the header (with the legend of -v when verbose), one
 * row (the name, or the address with numeric), chronyc -c authdata's
 * line (numeric 1 as chronyc; a last NTS-KE never: 4294967295), a JSON
 * array of n sources
 * (with timed's counters of authenticated and refused answers).
 */
void		 fmt_authdata_header(FILE *, int verbose);
void		 fmt_authdata(FILE *, const struct rpt_authdata *, int numeric);
void		 fmt_authdata_csv(FILE *, const struct rpt_authdata *,
		    int numeric);
void		 fmt_authdata_json(FILE *, const struct rpt_authdata *, size_t);
/*
 * chronyc sourcename: the name, printable, and a newline; JSON: an
 * object with the name and a newline.
 */
void		 fmt_sourcename(FILE *, const char *);
void		 fmt_sourcename_json(FILE *, const char *);
/*
 * chronyc selectdata: the header (with the legend of -v when verbose),
 * one row (the name, the address with numeric or if it has no name),
 * chronyc -c selectdata's line, and a JSON array of n sources.  A source
 * never sampled shows Last 0, as chronyc.
 */
void		 fmt_selectdata_header(FILE *, int verbose);
void		 fmt_selectdata(FILE *, const struct rpt_selectdata *,
		    int numeric);
void		 fmt_selectdata_csv(FILE *, const struct rpt_selectdata *,
		    int numeric);
void		 fmt_selectdata_json(FILE *, const struct rpt_selectdata *,
		    size_t n);
/* A JSON array of n sourcestats and a newline. */
void		 fmt_sourcestats_json(FILE *,
		    const struct rpt_sourcestats *, size_t n);

/*
 * chronyc serverstats (eleven lines), then timed's own counters in the
 * same layout.  CSV: the same values comma-separated in the same order,
 * as chronyc -c.  JSON: one object and a newline.
 */
void		 fmt_serverstats(FILE *, const struct rpt_serverstats *);
void		 fmt_serverstats_csv(FILE *, const struct rpt_serverstats *);
void		 fmt_serverstats_json(FILE *, const struct rpt_serverstats *);

/* chronyc clients header. */
void		 fmt_clients_header(FILE *);
/*
 * One row of chronyc clients, or of chronyc -c clients: intervals of 127
 * or more are unknown ("-"; CSV prints them raw as chronyc -c does), a
 * last time below 0 means never ("-"; CSV 4294967295).  The address (or
 * the name the caller put there) whole, as chronyc prints it.
 */
void		 fmt_client(FILE *, const struct rpt_client *);
void		 fmt_client_csv(FILE *, const struct rpt_client *);
/* A JSON array of n clients and a newline; unknown values are null. */
void		 fmt_clients_json(FILE *, const struct rpt_client *,
		    size_t n);

/*
 * chronyc activity: "200 OK" and five lines; CSV: the five counts; JSON:
 * one object and a newline.
 */
void		 fmt_activity(FILE *, const struct rpt_activity *);
void		 fmt_activity_csv(FILE *, const struct rpt_activity *);
void		 fmt_activity_json(FILE *, const struct rpt_activity *);
/* chronyc smoothing: six lines; CSV: the seven fields; JSON: an object. */
void		 fmt_smoothing(FILE *, const struct rpt_smoothing *);
void		 fmt_smoothing_csv(FILE *, const struct rpt_smoothing *);
void		 fmt_smoothing_json(FILE *, const struct rpt_smoothing *);

/*
 * chronyc ntpdata for one source (chronyc puts a blank line before each
 * when it lists them all); CSV: one line of chronyc -c ntpdata's 34
 * fields, no '+' signs; JSON: an array of n objects and a newline.  The
 * reference ID's text only for a server of stratum 0 or 1, as chronyc.
 */
void		 fmt_ntpdata(FILE *, const struct rpt_ntpdata *);
void		 fmt_ntpdata_csv(FILE *, const struct rpt_ntpdata *);
void		 fmt_ntpdata_json(FILE *, const struct rpt_ntpdata *,
		    size_t n);

/*
 * chronyc waitsync: 1 if the tracking report says synchronised to a
 * source (not the local reference), with the correction still to apply
 * and the skew within the limits (0: no limit); and its line
 * "try: N, refid: ..., correction: ..., skew: ...".
 */
int		 fmt_waitsync_ok(const struct rpt_tracking *,
		    double max_correction_s, double max_skew_ppm);
void		 fmt_waitsync(FILE *, int try, const struct rpt_tracking *);

/*
 * timectl metrics (lib/fmt_prom.c): the Prometheus text exposition of
 * the reports given (NULL: left out), every family with HELP and TYPE.
 */
struct fmt_metrics {
	const struct rpt_tracking	*tracking;
	const struct rpt_source		*sources;
	size_t				 nsources;
	const struct rpt_sourcestats	*sourcestats;
	size_t				 nsourcestats;
	const struct rpt_serverstats	*serverstats;
};
void		 fmt_metrics(FILE *, const struct fmt_metrics *);

/* The chronyc status line of a CTL_* result code, without newline. */
const char	*fmt_result(int code);
/* A JSON string: quoted and escaped; NULL prints null. */
void		 fmt_json_string(FILE *, const char *);

#endif
