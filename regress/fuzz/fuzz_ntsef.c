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
 * libFuzzer target: the NTS extension fields of NTP packets (RFC 8915
 * 5).  The first byte chooses what the rest is:
 *	0: a request, to the server's parser and checks; a request that
 *	   parses gets an answer and a NAK, never longer than it;
 *	1: an answer, to the client's check;
 *	2: an answer whose authenticator the harness seals itself over the
 *	   input's own fields and plaintext, so that the decrypted fields
 *	   (the new cookies) are fuzzed too.
 * Keys are fixed (fuzz_nts.h); the seed corpus is valid traffic.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/nts_*.c lib/siv.c regress/fuzz/fuzz_ntsef.c -lcrypto \
 *	    -o fuzz_ntsef
 *	./fuzz_ntsef /tmp/scratch_corpus regress/fuzz/corpus/ntsef
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_nts.h"
#include "nts.h"
#include "pkt.h"
#include "siv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct nts_keyring	*ring;
static struct siv		*scratch, *s2c;
static struct nts_keys		 keys;
static uint8_t			 uid[NTS_UID_LEN];

static void
setup(void)
{
	uint8_t	 master[NTS_MASTER_KEY_LEN];

	fuzz_nts_keys(&keys, master, uid);
	if ((ring = nts_keyring_new()) == NULL ||
	    nts_keyring_add(ring, FUZZ_MASTER_ID, master) == -1 ||
	    (scratch = siv_new(keys.c2s, NTS_KEY_LEN)) == NULL ||
	    (s2c = siv_new(keys.s2c, NTS_KEY_LEN)) == NULL)
		abort();
}

static int
inside(const uint8_t *p, size_t n, const uint8_t *pkt, size_t len)
{
	return p >= pkt + PKT_HDR_LEN && n <= len && p + n <= pkt + len;
}

static void
server(const uint8_t *pkt, size_t len)
{
	uint8_t		 rnd[NTS_RESPOND_RND_LEN] = { 0 };
	uint8_t		 out[PKT_MAX_LEN + 64];
	struct nts_req	 rq;
	struct nts_keys	 k;
	enum nts_result	 r;
	size_t		 n;

	r = nts_server_check(ring, scratch, pkt, len, &rq, &k);
	if (r != NTS_OK && r != NTS_ERR_MALFORMED && r != NTS_ERR_COOKIE &&
	    r != NTS_ERR_AUTH)
		abort();
	if (r == NTS_ERR_MALFORMED)
		return;
	if (!inside(rq.uid, rq.uid_len, pkt, len) ||
	    !inside(rq.cookie, rq.cookie_len, pkt, len) ||
	    !inside(rq.nonce, rq.nonce_len, pkt, len) ||
	    !inside(rq.ct, rq.ct_len, pkt, len) || rq.auth_off >= len ||
	    rq.uid_len < NTS_UID_LEN || rq.ct_len < SIV_TAG_LEN)
		abort();
	memset(out, 0, PKT_HDR_LEN);
	if ((n = nts_server_nak(&rq, out, sizeof(out), len)) == 0 || n > len)
		abort();
	/* the answer to this shape of request, with the fixed keys */
	n = nts_server_respond(ring, scratch, &rq, &keys, rnd, sizeof(rnd),
	    out, sizeof(out), len);
	/* a request that parses pays for an answer, cookies or none */
	if (n == 0 || n > len)
		abort();
	if (r == NTS_OK && k.aead != NTS_AEAD_AES_SIV_CMAC_256)
		abort();
	nts_keys_clear(&k);
}

static void
client(const uint8_t *pkt, size_t len)
{
	struct nts_cookies	 ck;
	enum nts_result		 r;
	int			 i;

	r = nts_client_check(s2c, pkt, len, uid, &ck);
	if (r >= NTS_NRESULTS || r == NTS_ERR_COOKIE)
		abort();
	if (ck.n < 0 || ck.n > NTS_MAX_COOKIES || (r != NTS_OK && ck.n != 0))
		abort();
	for (i = 0; i < ck.n; i++)
		if (ck.len[i] == 0 || ck.len[i] > NTS_COOKIE_MAX)
			abort();
}

/*
 * data: the header and fields before the authenticator (ad_words words
 * of them, from the first byte), then the plaintext.
 */
static void
sealed(const uint8_t *data, size_t size)
{
	uint8_t		 pkt[PKT_MAX_LEN + 64];
	uint8_t		 nonce[NTS_NONCE_LEN] = { 0 };
	size_t		 adlen, ptlen, off;

	if (size < 1)
		return;
	adlen = PKT_HDR_LEN + 4 * (size_t)(data[0] % 64);
	if (size - 1 < adlen)
		return;
	ptlen = (size - 1 - adlen) & ~(size_t)3;
	off = adlen;
	if (off + 8 + NTS_NONCE_LEN + SIV_TAG_LEN + ptlen > PKT_MAX_LEN)
		return;
	memcpy(pkt, data + 1, adlen);
	pkt[off] = NTS_EF_AUTH >> 8;
	pkt[off + 1] = NTS_EF_AUTH & 0xff;
	pkt[off + 2] = (uint8_t)((8 + NTS_NONCE_LEN + SIV_TAG_LEN + ptlen) >>
	    8);
	pkt[off + 3] = (uint8_t)(8 + NTS_NONCE_LEN + SIV_TAG_LEN + ptlen);
	pkt[off + 4] = 0;
	pkt[off + 5] = NTS_NONCE_LEN;
	pkt[off + 6] = (uint8_t)((SIV_TAG_LEN + ptlen) >> 8);
	pkt[off + 7] = (uint8_t)(SIV_TAG_LEN + ptlen);
	memcpy(pkt + off + 8, nonce, NTS_NONCE_LEN);
	if (siv_seal(s2c, nonce, NTS_NONCE_LEN, pkt, off, data + 1 + adlen,
	    ptlen, pkt + off + 8 + NTS_NONCE_LEN) == -1)
		abort();
	client(pkt, off + 8 + NTS_NONCE_LEN + SIV_TAG_LEN + ptlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ring == NULL)
		setup();
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		server(data + 1, size - 1);
		break;
	case 1:
		client(data + 1, size - 1);
		break;
	default:
		sealed(data + 1, size - 1);
		break;
	}
	return 0;
}
