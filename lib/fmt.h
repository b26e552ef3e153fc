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
 * as "-"; JSON prints them as null.
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
 * addresses, so pass 1 to match it).  A source never heard from
 * (last_rx_s < 0) shows zero offsets and error.
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
 * (chronyc -n), truncated to 25 characters with '>'; a negative span
 * shows as "-".  CSV as chronyc -c sourcestats: always the address, the
 * values raw (offsets in seconds, sign as in the text).
 */
void		 fmt_sourcestat(FILE *, const struct rpt_sourcestats *,
		    int numeric);
void		 fmt_sourcestat_csv(FILE *, const struct rpt_sourcestats *);
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
 * last time below 0 means never ("-"; CSV 4294967295).  Text truncates
 * addresses longer than 25 characters with '>'; CSV prints them whole.
 */
void		 fmt_client(FILE *, const struct rpt_client *);
void		 fmt_client_csv(FILE *, const struct rpt_client *);
/* A JSON array of n clients and a newline; unknown values are null. */
void		 fmt_clients_json(FILE *, const struct rpt_client *,
		    size_t n);

/* The chronyc status line of a CTL_* result code, without newline. */
const char	*fmt_result(int code);
/* A JSON string: quoted and escaped; NULL prints null. */
void		 fmt_json_string(FILE *, const char *);

#endif
