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

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "siv.h"

#define BLK	16	/* AES block */
#define HALF	(SIV_KEY_LEN / 2)
#define CHUNK	256	/* CBC-MAC'd per call; the ciphertext is dropped */

/*
 * Both contexts are keyed once per key and never given an IV again: in
 * OpenSSL 3 setting an IV goes through the provider's parameter lookup,
 * which cost more than the AES of a whole NTS packet.  The CBC context
 * goes on from its last ciphertext block (chain), so a new CMAC starts by
 * xoring its first block with it (the same as a zero IV); CTR is done
 * here over an ECB context.
 */
struct siv {
	EVP_CIPHER	*aes_cbc;
	EVP_CIPHER	*aes_ecb;
	EVP_CIPHER_CTX	*cbc;		/* keyed with K1: CMAC */
	EVP_CIPHER_CTX	*ecb;		/* keyed with K2: CTR */
	uint8_t		 chain[BLK];	/* cbc's chaining value now */
	int		 broken;	/* chain unknown: refuse to work */
	uint8_t		 k1[BLK];	/* CMAC subkeys (RFC 4493 2.3) */
	uint8_t		 k2[BLK];
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

/*
 * CMAC (RFC 4493) with K1: AES-128-CBC from a zero IV over the message
 * with its last block xored with K1 (a whole block) or padded and xored
 * with K2; the tag is the last ciphertext block.  EVP_MAC's CMAC costs
 * more per call than the AES itself; this is two updates, and no IV
 * reset (struct siv).  The message is head (whole blocks) then tail (at most 32
 * bytes), so that S2V changes its last bytes without copying it.
 */
static int
cmac(struct siv *s, const uint8_t *head, size_t hlen, const uint8_t *tail,
    size_t tlen, uint8_t out[BLK])
{
	uint8_t			 buf[2 * BLK], junk[CHUNK];
	size_t			 n, last;
	int			 outl, rc = -1, first = 1;

	if (tlen == 0 && hlen > 0) {
		tail = head + hlen - BLK;
		tlen = BLK;
		hlen -= BLK;
	}
	for (; hlen > 0; head += n, hlen -= n) {
		n = hlen < CHUNK ? hlen : CHUNK;
		memcpy(junk, head, n);
		if (first)
			xor_blk(junk, s->chain);	/* a zero IV */
		first = 0;
		if (!EVP_EncryptUpdate(s->cbc, junk, &outl, junk, (int)n) ||
		    (size_t)outl != n)
			goto fail;
		memcpy(s->chain, junk + n - BLK, BLK);
	}
	/* a whole block of the tail, if it is longer than one, then the
	   last 0..16 bytes (0 only for the empty message) */
	last = tlen > BLK ? tlen - BLK : tlen;
	n = tlen - last;
	memset(buf, 0, sizeof(buf));
	if (tlen > 0)
		memcpy(buf, tail, tlen);	/* tail is NULL for "" */
	if (last == BLK)
		xor_blk(buf + n, s->k1);
	else {
		buf[n + last] = 0x80;
		xor_blk(buf + n, s->k2);
	}
	if (first)
		xor_blk(buf, s->chain);
	if (EVP_EncryptUpdate(s->cbc, buf, &outl, buf, (int)(n + BLK)) &&
	    (size_t)outl == n + BLK) {
		memcpy(out, buf + n, BLK);
		memcpy(s->chain, out, BLK);
		rc = 0;
	}
 fail:
	/* never seen; but then the chaining value is not known: reset it */
	if (rc == -1) {
		memset(s->chain, 0, BLK);
		if (!EVP_EncryptInit_ex(s->cbc, NULL, NULL, NULL, s->chain))
			s->broken = 1;	/* until keyed again */
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(junk, sizeof(junk));
	return rc;
}

/* CMAC of a whole message. */
static int
cmac_msg(struct siv *s, const uint8_t *m, size_t len, uint8_t out[BLK])
{
	size_t	 head = len > 0 ? (len - 1) / BLK * BLK : 0;

	return cmac(s, m, head, m + head, len - head, out);
}

/* RFC 5297 2.4: S2V over the components and the plaintext. */
static int
s2v(struct siv *s, const struct siv_buf *ad, size_t nad, const uint8_t *pt,
    size_t ptlen, uint8_t v[BLK])
{
	uint8_t	 d[BLK], t[2 * BLK];
	size_t	 i, head;
	int	 r;

	memcpy(d, s->d0, BLK);
	for (i = 0; i < nad; i++) {
		dbl(d);
		if (cmac_msg(s, ad[i].p, ad[i].len, t) == -1)
			return -1;
		xor_blk(d, t);
	}
	if (ptlen >= BLK) {
		/* T = Sn xorend D: the whole blocks before the last 16
		   bytes as they are, the rest (16..31 bytes) changed */
		head = (ptlen - BLK) / BLK * BLK;
		memcpy(t, pt + head, ptlen - head);
		xor_blk(t + (ptlen - head) - BLK, d);
		r = cmac(s, pt, head, t, ptlen - head, v);
	} else {
		/* T = dbl(D) xor pad(Sn) */
		dbl(d);
		memset(t, 0, BLK);
		if (ptlen > 0)
			memcpy(t, pt, ptlen);
		t[ptlen] = 0x80;
		xor_blk(d, t);
		r = cmac_msg(s, d, BLK, v);
	}
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(t, sizeof(t));
	return r;
}

/* The 128-bit big-endian counter block q, plus one. */
static void
ctr_inc(uint8_t q[BLK])
{
	int	 i;

	for (i = BLK - 1; i >= 0; i--)
		if (++q[i] != 0)
			break;
}

/*
 * AES-CTR from Q = V with bits 63 and 31 cleared (RFC 5297 2.6): the
 * counter blocks of up to CHUNK bytes at a time encrypted in ECB, then
 * xored into the data.  in and out may be the same.
 */
static int
ctr(struct siv *s, const uint8_t v[BLK], const uint8_t *in, size_t len,
    uint8_t *out)
{
	uint8_t	 q[BLK], ks[CHUNK];
	size_t	 n, i, blocks;
	int	 outl, rc = 0;

	memcpy(q, v, BLK);
	q[8] &= 0x7f;
	q[12] &= 0x7f;
	for (; len > 0; in += n, out += n, len -= n) {
		n = len < CHUNK ? len : CHUNK;
		blocks = (n + BLK - 1) / BLK;
		for (i = 0; i < blocks; i++) {
			memcpy(ks + i * BLK, q, BLK);
			ctr_inc(q);
		}
		if (!EVP_EncryptUpdate(s->ecb, ks, &outl, ks,
		    (int)(blocks * BLK)) || (size_t)outl != blocks * BLK) {
			rc = -1;
			break;
		}
		for (i = 0; i < n; i++)
			out[i] = in[i] ^ ks[i];
	}
	OPENSSL_cleanse(ks, sizeof(ks));
	OPENSSL_cleanse(q, sizeof(q));
	return rc;
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
 * Key the CBC cipher with K1 and derive the CMAC subkeys (RFC 4493 2.3),
 * key the CTR cipher with K2, compute D0.  The ciphers are named only the
 * first time: naming them again would fetch them again.
 */
static int
setkey(struct siv *s, const uint8_t *key, size_t keylen, int first)
{
	static const uint8_t	 zero[BLK];
	uint8_t			 l[BLK];
	int			 outl, ok;

	if (keylen != SIV_KEY_LEN)
		return -1;
	s->broken = 1;		/* until keyed */
	if (!EVP_EncryptInit_ex(s->cbc, first ? s->aes_cbc : NULL, NULL, key,
	    zero) ||
	    !EVP_EncryptInit_ex(s->ecb, first ? s->aes_ecb : NULL, NULL,
	    key + HALF, NULL))
		return -1;
	/* L = AES(K1, 0): one CBC block from a zero IV */
	ok = EVP_EncryptUpdate(s->cbc, l, &outl, zero, BLK) && outl == BLK;
	memcpy(s->chain, l, BLK);
	dbl(l);
	memcpy(s->k1, l, BLK);
	dbl(l);
	memcpy(s->k2, l, BLK);
	OPENSSL_cleanse(l, sizeof(l));
	if (!ok || cmac_msg(s, zero, BLK, s->d0) == -1)
		return -1;
	s->broken = 0;
	return 0;
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
	if ((s->aes_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL)) ==
	    NULL || (s->aes_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB",
	    NULL)) == NULL || (s->cbc = EVP_CIPHER_CTX_new()) == NULL ||
	    (s->ecb = EVP_CIPHER_CTX_new()) == NULL ||
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
	EVP_CIPHER_CTX_free(s->ecb);
	EVP_CIPHER_CTX_free(s->cbc);
	EVP_CIPHER_free(s->aes_ecb);
	EVP_CIPHER_free(s->aes_cbc);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

int
siv_seal_v(struct siv *s, const struct siv_buf *ad, size_t nad,
    const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	uint8_t	 v[BLK];

	if (s->broken || !lengths_ok(ad, nad, ptlen) ||
	    (pt == NULL && ptlen > 0))
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
	if (s->broken || !lengths_ok(ad, nad, ptlen))
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
