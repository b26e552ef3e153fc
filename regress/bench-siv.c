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
 * Then the whole NTS path of one exchange (lib/nts.h): the server's
 * check of a request and its answer with one new cookie (cookie open,
 * request check, cookie seal, answer seal, two re-keyings), and the
 * client's request and its check of the answer.
 * Built by `make bench` only; prints numbers, never fails on a slow host.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nts.h"
#include "pkt.h"
#include "siv.h"

#define ROUNDS	200000

static double
now_ns(void)
{
	struct timespec	 ts;

	/* CPU time, not wall time: the machine is shared */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

static void
bench_nts(void)
{
	uint8_t			 rnd[NTS_RESPOND_RND_LEN], uid[NTS_UID_LEN];
	uint8_t			 nonce[NTS_NONCE_LEN], cookie[NTS_COOKIE_LEN];
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	struct nts_keyring	*ring;
	struct nts_keys		 k, sk;
	struct nts_req		 rq;
	struct nts_cookies	 ck;
	struct siv		*c2s, *s2c, *scratch;
	size_t			 reqlen = 0, anslen = 0;
	double			 t0, srv, cli;
	int			 i;

	memset(rnd, 0x44, sizeof(rnd));
	memset(uid, 0x55, sizeof(uid));
	memset(nonce, 0x66, sizeof(nonce));
	k.aead = NTS_AEAD_AES_SIV_CMAC_256;
	memset(k.c2s, 0x11, sizeof(k.c2s));
	memset(k.s2c, 0x22, sizeof(k.s2c));
	if ((ring = nts_keyring_new()) == NULL ||
	    nts_keyring_rotate(ring, rnd, NTS_ROTATE_RND_LEN) == -1 ||
	    nts_cookie_seal(ring, &k, nonce, cookie) == -1 ||
	    (c2s = siv_new(k.c2s, NTS_KEY_LEN)) == NULL ||
	    (s2c = siv_new(k.s2c, NTS_KEY_LEN)) == NULL ||
	    (scratch = siv_new(k.c2s, NTS_KEY_LEN)) == NULL)
		exit(1);
	memset(req, 0, PKT_HDR_LEN);
	req[0] = 0x23;
	memset(ans, 0, PKT_HDR_LEN);
	ans[0] = 0x24;

	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++) {
		nonce[0] = (uint8_t)i;
		reqlen = nts_client_request(c2s, req, sizeof(req), uid,
		    cookie, sizeof(cookie), 0, nonce);
		if (reqlen == 0)
			exit(1);
	}
	cli = (now_ns() - t0) / ROUNDS;
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++) {
		if (nts_server_check(ring, scratch, req, reqlen, &rq, &sk) !=
		    NTS_OK)
			exit(1);
		anslen = nts_server_respond(ring, scratch, &rq, &sk, rnd,
		    sizeof(rnd), ans, sizeof(ans), reqlen);
		if (anslen == 0)
			exit(1);
	}
	srv = (now_ns() - t0) / ROUNDS;
	nts_keys_clear(&sk);
	printf("\nNTS, ns per exchange (%zu-byte request and answer)\n",
	    reqlen);
	printf("%-34s %6.0f\n", "server: check + answer", srv);
	t0 = now_ns();
	for (i = 0; i < ROUNDS; i++)
		if (nts_client_check(s2c, ans, anslen, uid, &ck) != NTS_OK)
			exit(1);
	printf("%-34s %6.0f\n", "client: request", cli);
	printf("%-34s %6.0f\n", "client: check answer",
	    (now_ns() - t0) / ROUNDS);
	siv_free(scratch);
	siv_free(s2c);
	siv_free(c2s);
	nts_keyring_free(ring);
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
	bench_nts();
	return 0;
}
