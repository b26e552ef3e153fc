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
 * AES-SIV-CMAC-256 (RFC 5297) on OpenSSL contexts keyed once.  Pure: no
 * I/O, no clock, no globals; allocation only in siv_new().
 */

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "siv.h"

#define BLK	16	/* AES block */
#define HALF	(SIV_KEY_LEN / 2)

struct siv {
	EVP_MAC		*mac;
	EVP_MAC_CTX	*cmac;		/* keyed with K1 */
	EVP_CIPHER	*aes_ctr;
	EVP_CIPHER_CTX	*ctr;		/* keyed with K2 */
	uint8_t		 d0[BLK];	/* CMAC(K1, <zero>): S2V's start */
};

/* RFC 5297 2.3: multiplication by x in GF(2^128). */
static void
dbl(uint8_t b[BLK])
{
	uint8_t	 carry = b[0] >> 7;
	int	 i;

	for (i = 0; i < BLK - 1; i++)
		b[i] = (uint8_t)(b[i] << 1 | b[i + 1] >> 7);
	b[BLK - 1] = (uint8_t)(b[BLK - 1] << 1 ^ (carry ? 0x87 : 0));
}

static void
xor_blk(uint8_t *dst, const uint8_t *src)
{
	int	 i;

	for (i = 0; i < BLK; i++)
		dst[i] ^= src[i];
}

/* CMAC(K1, a || b): start over with the key the context already has. */
static int
cmac2(struct siv *s, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, uint8_t out[BLK])
{
	size_t	 n;

	if (!EVP_MAC_init(s->cmac, NULL, 0, NULL))
		return -1;
	if (alen > 0 && !EVP_MAC_update(s->cmac, a, alen))
		return -1;
	if (blen > 0 && !EVP_MAC_update(s->cmac, b, blen))
		return -1;
	if (!EVP_MAC_final(s->cmac, out, &n, BLK) || n != BLK)
		return -1;
	return 0;
}

/* RFC 5297 2.4: S2V over the components and the plaintext. */
static int
s2v(struct siv *s, const struct siv_buf *ad, size_t nad, const uint8_t *pt,
    size_t ptlen, uint8_t v[BLK])
{
	uint8_t	 d[BLK], t[BLK];
	size_t	 i;
	int	 r;

	memcpy(d, s->d0, BLK);
	for (i = 0; i < nad; i++) {
		dbl(d);
		if (cmac2(s, ad[i].p, ad[i].len, NULL, 0, t) == -1)
			return -1;
		xor_blk(d, t);
	}
	if (ptlen >= BLK) {
		/* T = Sn xorend D: CMAC of all but the last block, then it */
		memcpy(t, pt + ptlen - BLK, BLK);
		xor_blk(t, d);
		r = cmac2(s, pt, ptlen - BLK, t, BLK, v);
	} else {
		/* T = dbl(D) xor pad(Sn) */
		dbl(d);
		memset(t, 0, BLK);
		if (ptlen > 0)
			memcpy(t, pt, ptlen);
		t[ptlen] = 0x80;
		xor_blk(d, t);
		r = cmac2(s, d, BLK, NULL, 0, v);
	}
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(t, sizeof(t));
	return r;
}

/* AES-CTR from Q = V with bits 63 and 31 cleared (RFC 5297 2.6). */
static int
ctr(struct siv *s, const uint8_t v[BLK], const uint8_t *in, size_t len,
    uint8_t *out)
{
	uint8_t	 q[BLK];
	int	 n;

	if (len == 0)
		return 0;
	memcpy(q, v, BLK);
	q[8] &= 0x7f;
	q[12] &= 0x7f;
	if (!EVP_EncryptInit_ex(s->ctr, NULL, NULL, NULL, q))
		return -1;
	if (!EVP_EncryptUpdate(s->ctr, out, &n, in, (int)len) ||
	    (size_t)n != len)
		return -1;
	return 0;
}

static int
lengths_ok(const struct siv_buf *ad, size_t nad, size_t len)
{
	size_t	 i;

	if (nad > SIV_MAX_AD || len > SIV_MAX_LEN)
		return 0;
	for (i = 0; i < nad; i++)
		if (ad[i].len > SIV_MAX_LEN || (ad[i].p == NULL &&
		    ad[i].len > 0))
			return 0;
	return 1;
}

/*
 * Key the CMAC with K1 and the CTR cipher with K2; compute D0.  The
 * CMAC's cipher is named once, in siv_new(): naming it again would fetch
 * it again, which costs as much as the rest of the keying.
 */
static int
setkey(struct siv *s, const uint8_t *key, size_t keylen, int first)
{
	static const uint8_t	 zero[BLK];
	OSSL_PARAM		 params[2];
	char			 cbc[] = "AES-128-CBC";

	if (keylen != SIV_KEY_LEN)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cbc, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(s->cmac, key, HALF, first ? params : NULL))
		return -1;
	if (!EVP_EncryptInit_ex(s->ctr, first ? s->aes_ctr : NULL, NULL,
	    key + HALF, NULL))
		return -1;
	return cmac2(s, zero, BLK, NULL, 0, s->d0);
}

int
siv_setkey(struct siv *s, const uint8_t *key, size_t keylen)
{
	return setkey(s, key, keylen, 0);
}

struct siv *
siv_new(const uint8_t *key, size_t keylen)
{
	struct siv	*s;

	if (keylen != SIV_KEY_LEN)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->mac = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL ||
	    (s->cmac = EVP_MAC_CTX_new(s->mac)) == NULL ||
	    (s->aes_ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL)) ==
	    NULL || (s->ctr = EVP_CIPHER_CTX_new()) == NULL ||
	    setkey(s, key, keylen, 1) == -1) {
		siv_free(s);
		return NULL;
	}
	return s;
}

void
siv_free(struct siv *s)
{
	if (s == NULL)
		return;
	/* the contexts' free functions cleanse their key schedules */
	EVP_CIPHER_CTX_free(s->ctr);
	EVP_CIPHER_free(s->aes_ctr);
	EVP_MAC_CTX_free(s->cmac);
	EVP_MAC_free(s->mac);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

int
siv_seal_v(struct siv *s, const struct siv_buf *ad, size_t nad,
    const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	uint8_t	 v[BLK];

	if (!lengths_ok(ad, nad, ptlen) || (pt == NULL && ptlen > 0))
		return -1;
	if (s2v(s, ad, nad, pt, ptlen, v) == -1 ||
	    ctr(s, v, pt, ptlen, out + SIV_TAG_LEN) == -1) {
		OPENSSL_cleanse(out, SIV_TAG_LEN + ptlen);
		return -1;
	}
	memcpy(out, v, SIV_TAG_LEN);
	return 0;
}

int
siv_open_v(struct siv *s, const struct siv_buf *ad, size_t nad,
    const uint8_t *ct, size_t ctlen, uint8_t *out)
{
	uint8_t	 v[BLK];
	size_t	 ptlen;

	if (ctlen < SIV_TAG_LEN)
		return -1;
	ptlen = ctlen - SIV_TAG_LEN;
	if (!lengths_ok(ad, nad, ptlen))
		return -1;
	if (ctr(s, ct, ct + SIV_TAG_LEN, ptlen, out) == -1 ||
	    s2v(s, ad, nad, out, ptlen, v) == -1 ||
	    CRYPTO_memcmp(v, ct, SIV_TAG_LEN) != 0) {
		if (ptlen > 0)
			OPENSSL_cleanse(out, ptlen);
		return -1;
	}
	return 0;
}

/* AEAD interface: the components are ad, then the nonce if any. */
static size_t
aead_ad(struct siv_buf ad[2], const uint8_t *nonce, size_t nlen,
    const uint8_t *a, size_t alen)
{
	ad[0].p = a;
	ad[0].len = alen;
	if (nonce == NULL)
		return 1;
	ad[1].p = nonce;
	ad[1].len = nlen;
	return 2;
}

int
siv_seal(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *a,
    size_t alen, const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	struct siv_buf	 ad[2];
	size_t		 nad = aead_ad(ad, nonce, nlen, a, alen);

	return siv_seal_v(s, ad, nad, pt, ptlen, out);
}

int
siv_open(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *a,
    size_t alen, const uint8_t *ct, size_t ctlen, uint8_t *out)
{
	struct siv_buf	 ad[2];
	size_t		 nad = aead_ad(ad, nonce, nlen, a, alen);

	return siv_open_v(s, ad, nad, ct, ctlen, out);
}
