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
 * The server's cookies and the master keys that seal them (formats in
 * nts.h): a ring of keys, rotation, keys derived from a fleet's shared
 * seed, and the key file's text.  Pure: no I/O, no clock, no random
 * numbers; allocation only in nts_keyring_new().
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "nts.h"
#include "siv.h"

#define COOKIE_ID	4
#define COOKIE_PT	(4 + 2 * NTS_KEY_LEN)
#define FLEET_ID	0x80000000U
#define HKDF_INFO	"timed nts cookie key"

_Static_assert(COOKIE_ID + NTS_NONCE_LEN + SIV_TAG_LEN + COOKIE_PT ==
    NTS_COOKIE_LEN, "cookie length");
_Static_assert(NTS_COOKIE_LEN % 4 == 0, "cookie a multiple of 4 bytes");
_Static_assert(NTS_MASTER_KEY_LEN == SIV_KEY_LEN, "master key is a SIV key");

/* Keys oldest first; the current one seals, all of them open. */
struct nts_keyring {
	int		 n;		/* keys held */
	int		 cur;		/* index of the current key */
	uint32_t	 id[NTS_KEYRING_SIZE];
	uint8_t		 key[NTS_KEYRING_SIZE][NTS_MASTER_KEY_LEN];
	struct siv	*siv[NTS_KEYRING_SIZE];	/* keyed with key[] */
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
nts_keys_clear(struct nts_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

struct nts_keyring *
nts_keyring_new(void)
{
	static const uint8_t	 zero[SIV_KEY_LEN];
	struct nts_keyring	*r;
	int			 i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	/* every context now, so that adding a key never allocates */
	for (i = 0; i < NTS_KEYRING_SIZE; i++)
		if ((r->siv[i] = siv_new(zero, sizeof(zero))) == NULL) {
			nts_keyring_free(r);
			return NULL;
		}
	return r;
}

void
nts_keyring_free(struct nts_keyring *r)
{
	int	 i;

	if (r == NULL)
		return;
	for (i = 0; i < NTS_KEYRING_SIZE; i++)
		siv_free(r->siv[i]);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

static int
find(const struct nts_keyring *r, uint32_t id)
{
	int	 i;

	for (i = 0; i < r->n; i++)
		if (r->id[i] == id)
			return i;
	return -1;
}

int
nts_keyring_add(struct nts_keyring *r, uint32_t id,
    const uint8_t key[NTS_MASTER_KEY_LEN])
{
	struct siv	*oldest;
	int		 i;

	if (find(r, id) != -1)
		return -1;
	if (r->n == NTS_KEYRING_SIZE) {
		/* the oldest goes; its context is keyed again below */
		oldest = r->siv[0];
		for (i = 0; i < NTS_KEYRING_SIZE - 1; i++) {
			r->id[i] = r->id[i + 1];
			memcpy(r->key[i], r->key[i + 1], NTS_MASTER_KEY_LEN);
			r->siv[i] = r->siv[i + 1];
		}
		r->siv[NTS_KEYRING_SIZE - 1] = oldest;
		r->n--;
	}
	if (siv_setkey(r->siv[r->n], key, NTS_MASTER_KEY_LEN) == -1) {
		OPENSSL_cleanse(r->key[r->n], NTS_MASTER_KEY_LEN);
		return -1;
	}
	r->id[r->n] = id;
	memcpy(r->key[r->n], key, NTS_MASTER_KEY_LEN);
	r->cur = r->n++;
	return 0;
}

/* Forget every key. */
static void
clear(struct nts_keyring *r)
{
	OPENSSL_cleanse(r->key, sizeof(r->key));
	memset(r->id, 0, sizeof(r->id));
	r->n = 0;
	r->cur = 0;
}

int
nts_keyring_rotate(struct nts_keyring *r, const uint8_t *rnd, size_t rndlen)
{
	uint32_t	 id;

	if (rndlen != NTS_ROTATE_RND_LEN)
		return -1;
	id = get32(rnd) & ~FLEET_ID;
	while (find(r, id) != -1)
		id = (id + 1) & ~FLEET_ID;
	return nts_keyring_add(r, id, rnd + 4);
}

int
nts_keyring_current(const struct nts_keyring *r, uint32_t *id)
{
	if (r->n == 0)
		return -1;
	*id = r->id[r->cur];
	return 0;
}

int
nts_key_derive(const uint8_t *seed, size_t seedlen, uint64_t period,
    uint8_t key[NTS_MASTER_KEY_LEN], uint32_t *id)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*ctx = NULL;
	OSSL_PARAM	 params[4];
	uint8_t		 info[sizeof(HKDF_INFO) - 1 + 8];
	char		 md[] = "SHA256";
	int		 i, ok = 0;

	if (seedlen < NTS_SEED_MIN || seedlen > NTS_SEED_MAX)
		return -1;
	memcpy(info, HKDF_INFO, sizeof(HKDF_INFO) - 1);
	for (i = 0; i < 8; i++)
		info[sizeof(HKDF_INFO) - 1 + i] = (uint8_t)(period >>
		    (56 - 8 * i));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    md, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)seed, seedlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, sizeof(info));
	params[3] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) != NULL &&
	    (ctx = EVP_KDF_CTX_new(kdf)) != NULL &&
	    EVP_KDF_derive(ctx, key, NTS_MASTER_KEY_LEN, params) == 1)
		ok = 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	if (!ok) {
		OPENSSL_cleanse(key, NTS_MASTER_KEY_LEN);
		return -1;
	}
	*id = FLEET_ID | (uint32_t)(period & ~(uint64_t)FLEET_ID);
	return 0;
}

/*
 * The ring becomes exactly the seed's keys for p - 2 .. p + 1, current p:
 * a ring of other keys (a new seed, random keys before) is dropped, and
 * the cookies they sealed with it.
 */
int
nts_keyring_sync_seed(struct nts_keyring *r, const uint8_t *seed,
    size_t seedlen, int64_t unix_s, uint32_t interval_s)
{
	uint8_t		 key[NTS_MASTER_KEY_LEN];
	uint32_t	 id;
	uint64_t	 p;
	int		 k, rc = 0;

	if (interval_s == 0 || unix_s < 0 || (uint64_t)unix_s / interval_s <
	    NTS_KEYRING_SIZE)
		return -1;
	p = (uint64_t)unix_s / interval_s;
	clear(r);
	/* p >= NTS_KEYRING_SIZE: no wrap below period 0 */
	for (k = 0; k < NTS_KEYRING_SIZE && rc == 0; k++)
		if ((rc = nts_key_derive(seed, seedlen,
		    p + (uint64_t)k - (NTS_KEYRING_SIZE - 2), key, &id)) == 0)
			rc = nts_keyring_add(r, id, key);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == -1) {
		clear(r);
		return -1;
	}
	/* seal with this period's key, not the next one's */
	r->cur = NTS_KEYRING_SIZE - 2;
	return 0;
}

int
nts_cookie_seal(struct nts_keyring *r, const struct nts_keys *k,
    const uint8_t nonce[NTS_NONCE_LEN], uint8_t out[NTS_COOKIE_LEN])
{
	uint8_t	 pt[COOKIE_PT];
	int	 rc;

	if (r->n == 0 || nts_aead_key_len(k->aead) != NTS_KEY_LEN)
		return -1;
	put32(out, r->id[r->cur]);
	memcpy(out + COOKIE_ID, nonce, NTS_NONCE_LEN);
	pt[0] = (uint8_t)(k->aead >> 8);
	pt[1] = (uint8_t)k->aead;
	pt[2] = 0;
	pt[3] = NTS_KEY_LEN;
	memcpy(pt + 4, k->c2s, NTS_KEY_LEN);
	memcpy(pt + 4 + NTS_KEY_LEN, k->s2c, NTS_KEY_LEN);
	rc = siv_seal(r->siv[r->cur], nonce, NTS_NONCE_LEN, out, COOKIE_ID,
	    pt, sizeof(pt), out + COOKIE_ID + NTS_NONCE_LEN);
	OPENSSL_cleanse(pt, sizeof(pt));
	return rc;
}

int
nts_cookie_open(struct nts_keyring *r, const uint8_t *cookie, size_t len,
    struct nts_keys *k)
{
	uint8_t	 pt[COOKIE_PT];
	int	 slot, rc = -1;

	memset(k, 0, sizeof(*k));
	if (len != NTS_COOKIE_LEN || (slot = find(r, get32(cookie))) == -1)
		return -1;
	if (siv_open(r->siv[slot], cookie + COOKIE_ID, NTS_NONCE_LEN, cookie,
	    COOKIE_ID, cookie + COOKIE_ID + NTS_NONCE_LEN,
	    len - COOKIE_ID - NTS_NONCE_LEN, pt) == -1)
		return -1;
	/* authentic, so ours; checked all the same */
	k->aead = (uint16_t)(pt[0] << 8 | pt[1]);
	if (nts_aead_key_len(k->aead) == NTS_KEY_LEN && pt[2] == 0 &&
	    pt[3] == NTS_KEY_LEN) {
		memcpy(k->c2s, pt + 4, NTS_KEY_LEN);
		memcpy(k->s2c, pt + 4 + NTS_KEY_LEN, NTS_KEY_LEN);
		rc = 0;
	} else
		nts_keys_clear(k);
	OPENSSL_cleanse(pt, sizeof(pt));
	return rc;
}

void
nts_keyring_export(const struct nts_keyring *r, struct nts_keyfile *kf)
{
	int	 i;

	memset(kf, 0, sizeof(*kf));
	/* oldest first, the current key last: keys newer than it (a
	   fleet's next period) are not written */
	for (i = 0; i <= r->cur && i < r->n; i++) {
		kf->id[i] = r->id[i];
		memcpy(kf->key[i], r->key[i], NTS_MASTER_KEY_LEN);
	}
	kf->n_keys = i;
}

int
nts_keyring_load(struct nts_keyring *r, const struct nts_keyfile *kf,
    int64_t unix_s)
{
	int	 i;

	if (kf->has_seed)
		return nts_keyring_sync_seed(r, kf->seed, kf->seedlen, unix_s,
		    kf->interval_s);
	clear(r);
	for (i = 0; i < kf->n_keys; i++)
		if (nts_keyring_add(r, kf->id[i], kf->key[i]) == -1) {
			clear(r);
			return -1;
		}
	return kf->n_keys > 0 ? 0 : -1;
}
