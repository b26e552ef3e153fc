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
 * An NTS client's cookie jar and its NTS-KE schedule (RFC 8915 5.7,
 * chrony's nts_ntp_client.c): which cookie a request carries, how many
 * placeholders go with it so that the client holds NTS_MAX_COOKIES again
 * after the answer, and how long to wait after failed NTS-KE exchanges.
 * Pure: no clock, no random numbers, no logging.
 */

#ifndef TIMED_NTS_JAR_H
#define TIMED_NTS_JAR_H

#include <stddef.h>
#include <stdint.h>

#include "nts.h"

struct nts_jar {
	int		 n;			/* cookies held, oldest first */
	uint16_t	 len[NTS_MAX_COOKIES];
	uint8_t		 cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
};

/* Bytes of a request that cookie and placeholder fields may take. */
#define NTS_JAR_MAX_COOKIE_BYTES	900

/* Wipe every cookie. */
void	 nts_jar_clear(struct nts_jar *);
/*
 * Keep a new cookie (12..NTS_COOKIE_MAX bytes): 0, or -1 if its length
 * is wrong or the jar is full (the cookie is then dropped).
 */
int	 nts_jar_add(struct nts_jar *, const uint8_t *, size_t);
/*
 * Take the oldest cookie out, for one request only, into out
 * (NTS_COOKIE_MAX bytes) with its length, and the number of placeholders
 * to send with it: enough to hold NTS_MAX_COOKIES after the answer, no
 * more than NTS_JAR_MAX_COOKIE_BYTES allow.  -1 if the jar is empty.
 */
int	 nts_jar_take(struct nts_jar *, uint8_t *out, size_t *len,
	    int *placeholders);
/*
 * Placeholders for a request with a cookie of cookie_len bytes when left
 * cookies stay in the jar.
 */
int	 nts_jar_placeholders(int left, size_t cookie_len);

/* Why an NTS-KE exchange failed, for the back-off. */
enum nts_jar_fail {
	NTS_JAR_FAIL_NET,	/* DNS, TCP, time-out: retry soon */
	NTS_JAR_FAIL_TLS	/* TLS, certificate, records: retry later */
};
/*
 * Seconds to wait before NTS-KE attempt number attempts + 1 after
 * attempts (>= 1) failed ones in a row, as chronyd: 2^(factor +
 * attempts - 1), factor 4 (16 s) after network failures, 10 (1024 s)
 * after TLS or protocol failures, at most 2^NTS_JAR_MAX_RETRY_LOG2.
 */
#define NTS_JAR_MAX_RETRY_LOG2	17
double	 nts_jar_retry_s(enum nts_jar_fail, int attempts);

#endif
