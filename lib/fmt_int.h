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
 * What lib/fmt.c (chronyc's text and CSV layouts), lib/fmt_json.c (JSON)
 * and lib/fmt_prom.c (the Prometheus exposition) share; not for use
 * outside lib/fmt*.c.
 */

#ifndef TIMED_FMT_INT_H
#define TIMED_FMT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "proto.h"

/* tab[i] of a table of n strings, NULL if i is out of range. */
const char	*fmt_pick(const char *const *tab, size_t n, int i);
#define FMT_PICK(tab, i)	\
	fmt_pick((tab), sizeof(tab) / sizeof((tab)[0]), (i))

/* enum leap_status in JSON and Prometheus: "normal", ..., "unsynchronised" */
#define FMT_NLEAP	4
extern const char *const fmt_leap_json[FMT_NLEAP];
/* An NTP mode (PKT_MODE_*) as chronyc ntpdata names it: "Client", ... */
#define FMT_NMODE	6
extern const char *const fmt_mode_text[FMT_NMODE];

#define FMT_INTERVAL_UNKNOWN	127	/* chronyd's unknown log2 interval */

/*
 * Copy at most max bytes of src into dst (len bytes, NUL-terminated),
 * bytes outside printable ASCII as '?'.
 */
void		 fmt_printable(char *dst, size_t len, const char *src,
		    size_t max);

/* 2^l seconds; NaN outside -64..64. */
double		 fmt_log2_seconds(int32_t l);

/* A selectdata state: chronyc's letter (proto.h), '?' for any other. */
char		 fmt_select_state(char state);
/* An enum rpt_auth_mode as chronyc authdata: "-", "SK", "NTS"; or "?". */
const char	*fmt_auth_mode(int32_t mode);
/*
 * The RFC 5905 tests (RPT_TEST_*) as chronyc's "%.3o %.3o %.4o", one
 * digit per test, the groups apart by sep: 13 bytes of buf.
 */
void		 fmt_tests_string(char *buf, uint32_t tests, char sep);

/*
 * The serverstats counters in the order of the text, CSV, JSON and
 * Prometheus outputs: chronyc's eleven, timed's four, the malformed[]
 * ones (each with its key in JSON's "malformed" object and its reason
 * in Prometheus), tx_errors and NTS's three.  fmt_stat_values() fills
 * v[FMT_NSTATS] in the same order.
 */
struct fmt_stat {
	const char	*label;		/* text, and Prometheus' HELP */
	const char	*key;		/* JSON key, Prometheus name part */
	int		 malformed;
};
#define FMT_NSTATS	(11 + 4 + (PKT_NREASONS - PKT_ERR_SHORT) + 1 + 3)
extern const struct fmt_stat fmt_stats[FMT_NSTATS];
void		 fmt_stat_values(const struct rpt_serverstats *, uint64_t *v);

#endif
