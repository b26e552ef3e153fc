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


#include <string.h>

#include "nts_jar.h"

#define EF_HDR		4
#define PAD4(n)		(((n) + 3) & ~(size_t)3)
#define COOKIE_MIN	12	/* a cookie field is at least 16 bytes */

void
nts_jar_clear(struct nts_jar *j)
{
	explicit_bzero(j, sizeof(*j));
}

int
nts_jar_add(struct nts_jar *j, const uint8_t *cookie, size_t len)
{
	if (len < COOKIE_MIN || len > NTS_COOKIE_MAX || j->n < 0 ||
	    j->n >= NTS_MAX_COOKIES)
		return -1;
	memcpy(j->cookie[j->n], cookie, len);
	j->len[j->n] = (uint16_t)len;
	j->n++;
	return 0;
}

int
nts_jar_placeholders(int left, size_t cookie_len)
{
	size_t	 field = EF_HDR + PAD4(cookie_len);
	int	 n, fit;

	if (left < 0 || left >= NTS_MAX_COOKIES)
		return 0;
	n = NTS_MAX_COOKIES - left - 1;	/* the cookie itself brings one */
	fit = (int)(NTS_JAR_MAX_COOKIE_BYTES / field) - 1;
	if (fit < 0)
		fit = 0;
	return n < fit ? n : fit;
}

int
nts_jar_take(struct nts_jar *j, uint8_t *out, size_t *len,
    int *placeholders)
{
	if (j->n <= 0 || j->n > NTS_MAX_COOKIES)
		return -1;
	*len = j->len[0];
	memcpy(out, j->cookie[0], *len);
	j->n--;
	memmove(j->cookie[0], j->cookie[1], (size_t)j->n * NTS_COOKIE_MAX);
	memmove(&j->len[0], &j->len[1], (size_t)j->n * sizeof(j->len[0]));
	explicit_bzero(j->cookie[j->n], NTS_COOKIE_MAX);
	j->len[j->n] = 0;
	*placeholders = nts_jar_placeholders(j->n, *len);
	return 0;
}

double
nts_jar_retry_s(enum nts_jar_fail why, int attempts)
{
	int	 l2 = (why == NTS_JAR_FAIL_NET ? 4 : 10) +
	    (attempts < 1 ? 1 : attempts) - 1;

	if (l2 > NTS_JAR_MAX_RETRY_LOG2)
		l2 = NTS_JAR_MAX_RETRY_LOG2;
	return (double)(1L << l2);
}
