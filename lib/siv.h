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
 * AEAD_AES_SIV_CMAC_256 (RFC 5297), the AEAD NTS uses (RFC 8915, AEAD id
 * 15), on OpenSSL contexts keyed once: AES-128-CBC for the CMACs of S2V
 * (RFC 4493, subkeys kept per key) and AES-128-CTR for the payload.  OpenSSL 3.0's own "AES-128-SIV"
 * cannot seal or open an empty plaintext (every NTS request has one) and
 * sets its keys up again on every use; this one does neither.
 *
 * Output layout as in RFC 5297: the 16-byte synthetic IV (the tag), then
 * the ciphertext, as long as the plaintext.  A context is not
 * thread-safe; use one per thread.
 */

#ifndef TIMED_SIV_H
#define TIMED_SIV_H

#include <stddef.h>
#include <stdint.h>

#define SIV_KEY_LEN	32	/* K1 (S2V) || K2 (CTR), 16 bytes each */
#define SIV_TAG_LEN	16
#define SIV_MAX_AD	8	/* associated-data components, nonce included */
#define SIV_MAX_LEN	65536	/* longest plaintext or component, bytes */

struct siv;

/* One associated-data component of S2V. */
struct siv_buf {
	const uint8_t	*p;
	size_t		 len;
};

/* A context keyed with key (SIV_KEY_LEN bytes); NULL on a bad length. */
struct siv	*siv_new(const uint8_t *key, size_t keylen);
/* Key an existing context again (no allocation); 0 or -1. */
int		 siv_setkey(struct siv *, const uint8_t *key, size_t keylen);
/* Wipe the keys and free; NULL is a no-op. */
void		 siv_free(struct siv *);

/*
 * AEAD seal (RFC 5297 3, RFC 5116): S2V over ad, then nonce (if nonce is
 * not NULL), then the plaintext.  ad and pt may be empty (NULL with
 * length 0).  out receives SIV_TAG_LEN + ptlen bytes and must not overlap
 * the inputs.  0, or -1 on a bad length or an OpenSSL failure.
 */
int		 siv_seal(struct siv *, const uint8_t *nonce, size_t nlen,
		    const uint8_t *ad, size_t adlen, const uint8_t *pt,
		    size_t ptlen, uint8_t *out);
/*
 * AEAD open: ct is the tag and the ciphertext (ctlen >= SIV_TAG_LEN);
 * out receives ctlen - SIV_TAG_LEN bytes and must not overlap ct.
 * 0, or -1 if the tag does not verify (out is then zeroed) or on a bad
 * length.  The tag is compared in constant time.
 */
int		 siv_open(struct siv *, const uint8_t *nonce, size_t nlen,
		    const uint8_t *ad, size_t adlen, const uint8_t *ct,
		    size_t ctlen, uint8_t *out);

/*
 * The general form: nad (0..SIV_MAX_AD) associated-data components, in
 * order, then the plaintext (RFC 5297 2.6 and 2.7; a nonce is the last
 * component).  Same outputs and results as siv_seal() and siv_open().
 */
int		 siv_seal_v(struct siv *, const struct siv_buf *ad,
		    size_t nad, const uint8_t *pt, size_t ptlen, uint8_t *out);
int		 siv_open_v(struct siv *, const struct siv_buf *ad,
		    size_t nad, const uint8_t *ct, size_t ctlen, uint8_t *out);

#endif
