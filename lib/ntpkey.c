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
 * NTP symmetric keys: the MACs of RFC 5905 and RFC 8573 for the keys of
 * a chrony keyfile (parsed by lib/ntpkey_file.c).  Pure: no I/O, no
 * clock, no globals; allocation only in ntpkeys_parse().
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ntpkey_int.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char	avail[] = "not available";

static void
release(struct ntpkeys *t)
{
	size_t	 i;
	int	 j;

	for (j = 0; j < t->nkeys; j++)
		EVP_MAC_CTX_free(t->keys[j].cmac);
	EVP_MAC_free(t->cmac);
	EVP_MD_CTX_free(t->mdctx);
	for (i = 0; i < NELEM(t->md); i++)
		EVP_MD_free(t->md[i]);
}

/* The OpenSSL objects key k needs: its digest, or its own keyed CMAC. */
static const char *
prepare(struct ntpkeys *t, struct key *k)
{
	OSSL_PARAM	 params[2];
	char		 cipher[16];
	const char	*alg = ntpkey_alg(k->type);

	if (alg == NULL)
		return avail;
	if (k->type < NTPKEY_AES128) {
		if (t->md[k->type] == NULL && (t->md[k->type] =
		    EVP_MD_fetch(NULL, alg, NULL)) == NULL)
			return avail;
		if (t->mdctx == NULL && (t->mdctx = EVP_MD_CTX_new()) == NULL)
			return "out of memory";
		return NULL;
	}
	if (t->cmac == NULL &&
	    (t->cmac = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL)
		return "CMAC not available";
	if ((k->cmac = EVP_MAC_CTX_new(t->cmac)) == NULL)
		return "out of memory";
	/* OSSL_PARAM wants a char *, not a literal */
	snprintf(cipher, sizeof(cipher), "%s", alg);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(k->cmac, k->val, k->len, params) != 1) {
		EVP_MAC_CTX_free(k->cmac);
		k->cmac = NULL;
		return avail;
	}
	return NULL;
}

struct ntpkeys *
ntpkeys_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct ntpkeys	*t;
	const char	*why;
	int		 i;

	if ((t = ntpkeys_read(text, len, name, err, errlen)) == NULL)
		return NULL;
	t->release = release;
	for (i = 0; i < t->nkeys; i++) {
		if ((why = prepare(t, &t->keys[i])) == NULL)
			continue;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s:%lu: %s%s%s",
			    name != NULL ? name : "keyfile", t->keys[i].line,
			    why == avail ? ntpkey_type_name(t->keys[i].type) :
			    "", why == avail ? " " : "", why);
		ntpkeys_free(t);
		return NULL;
	}
	return t;
}

/*
 * The server's path: no allocation of ours.  OpenSSL 3.0's
 * EVP_DigestInit_ex() still makes the digest's context anew each time
 * (one small allocation inside OpenSSL); CMAC restarts with no allocation.
 */
size_t
ntpkeys_mac(const struct ntpkeys *t, uint32_t id, const uint8_t *data,
    size_t len, uint8_t *mac, size_t maxlen)
{
	const struct key	*k;
	uint8_t			 full[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;
	size_t			 n;

	if ((k = ntpkeys_find(t, id)) == NULL || maxlen == 0)
		return 0;
	if (k->cmac != NULL) {
		/* No key: start again with the one given at parse. */
		if (EVP_MAC_init(k->cmac, NULL, 0, NULL) != 1 ||
		    EVP_MAC_update(k->cmac, data, len) != 1 ||
		    EVP_MAC_final(k->cmac, full, &n, sizeof(full)) != 1)
			return 0;
	} else {
		if (EVP_DigestInit_ex(t->mdctx, t->md[k->type], NULL) != 1 ||
		    EVP_DigestUpdate(t->mdctx, k->val, k->len) != 1 ||
		    EVP_DigestUpdate(t->mdctx, data, len) != 1 ||
		    EVP_DigestFinal_ex(t->mdctx, full, &mdlen) != 1)
			return 0;
		n = mdlen;
	}
	if (n > maxlen)
		n = maxlen;
	memcpy(mac, full, n);
	return n;
}

int
ntpkeys_check(const struct ntpkeys *t, uint32_t id, const uint8_t *data,
    size_t len, const uint8_t *mac, size_t maclen, size_t trunc)
{
	uint8_t	 want[NTPKEY_MAX_MAC];
	size_t	 n;

	if (trunc > sizeof(want))
		trunc = sizeof(want);
	n = ntpkeys_mac(t, id, data, len, want, trunc);
	return n != 0 && n == maclen && CRYPTO_memcmp(want, mac, n) == 0;
}

/*
 * The digest bytes a MAC of an NTP packet of this version carries, for
 * a MAC of mac_len bytes (0 for one to make).
 */
static size_t
pkt_trunc(int version, size_t mac_len)
{
	return version == 4 && mac_len <= 24 ? 20 : NTPKEY_MAX_MAC;
}

size_t
ntpkeys_sign(const struct ntpkeys *t, uint32_t id, uint8_t *pkt, size_t len,
    int version)
{
	size_t	 n;

	if ((n = ntpkeys_mac(t, id, pkt, len, pkt + len + 4,
	    pkt_trunc(version, 0))) == 0)
		return 0;
	pkt[len] = id >> 24;
	pkt[len + 1] = id >> 16;
	pkt[len + 2] = id >> 8;
	pkt[len + 3] = id;
	return len + 4 + n;
}

uint32_t
ntpkeys_verify(const struct ntpkeys *t, const uint8_t *pkt, size_t len,
    size_t mac_len, int version)
{
	const uint8_t	*mac;
	uint32_t	 id;

	if (mac_len < 20 || mac_len > len)
		return 0;
	mac = pkt + len - mac_len;
	id = (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 |
	    (uint32_t)mac[2] << 8 | mac[3];
	if (id == 0 || !ntpkeys_check(t, id, pkt, len - mac_len, mac + 4,
	    mac_len - 4, pkt_trunc(version, mac_len)))
		return 0;
	return id;
}
