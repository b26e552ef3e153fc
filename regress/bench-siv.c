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
 * ns per AES-SIV operation on the sizes of a typical NTS exchange (RFC
 * 8915, chrony-sized 104-byte cookies): the request's authenticator
 * (188 bytes of associated data: header, Unique Identifier, cookie; an
 * empty plaintext), the answer's (84 bytes of associated data, one new
 * cookie field encrypted), a cookie (68 bytes of keys), and keying a
 * context (what a server does twice per request for the cookie's keys).
 * Built by `make bench` only; prints numbers, never fails on a slow host.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "siv.h"

#define ROUNDS	200000

static double
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct op {
	const char	*what;
	size_t		 adlen;
	size_t		 ptlen;
};

static void
bench_op(struct siv *s, const struct op *op)
{
	uint8_t		 nonce[16], ad[256], pt[256], ct[256 + SIV_TAG_LEN];
	double		 t0, seal, open;
	int		 i;

	memset(nonce, 0x11, sizeof(nonce));
	memset(ad, 0x22, sizeof(ad));
	memset(pt, 0x33, sizeof(pt));
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++) {
		nonce[0] = (uint8_t)i;
		if (siv_seal(s, nonce, sizeof(nonce), ad, op->adlen, pt,
		    op->ptlen, ct) == -1)
			exit(1);
	}
	seal = (now_ns() - t0) / ROUNDS;
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++)
		if (siv_open(s, nonce, sizeof(nonce), ad, op->adlen, ct,
		    op->ptlen + SIV_TAG_LEN, pt) == -1)
			exit(1);
	open = (now_ns() - t0) / ROUNDS;
	printf("%-34s %6.0f %6.0f\n", op->what, seal, open);
}

int
main(void)
{
	static const struct op	 ops[] = {
		{ "request (ad 188, pt 0)", 188, 0 },
		{ "answer (ad 84, pt 108)", 84, 108 },
		{ "cookie (ad 4, pt 68)", 4, 68 },
	};
	uint8_t			 key[SIV_KEY_LEN];
	struct siv		*s;
	double			 t0;
	size_t			 i;

	memset(key, 0x5a, sizeof(key));
	if ((s = siv_new(key, sizeof(key))) == NULL)
		return 1;
	printf("AES-SIV-CMAC-256, ns per operation (%d rounds)\n", ROUNDS);
	printf("%-34s %6s %6s\n", "operation", "seal", "open");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		bench_op(s, &ops[i]);
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++) {
		key[0] = (uint8_t)i;
		if (siv_setkey(s, key, sizeof(key)) == -1)
			return 1;
	}
	printf("%-34s %6.0f\n", "siv_setkey", (now_ns() - t0) / ROUNDS);
	siv_free(s);
	return 0;
}
