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
 * libFuzzer target: opening cookies, and the key file parser.  The first
 * byte chooses what the rest is:
 *	0: a cookie, opened with a ring of fixed keys (fuzz_nts.h): it
 *	   opens only if it is one of the seed corpus's, unchanged;
 *	1: keys and a nonce to seal into a cookie, which must open to the
 *	   same keys, and must not once any byte of it is changed;
 *	2: a key file, which must write back to the same text.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/nts_*.c lib/siv.c regress/fuzz/fuzz_cookie.c -lcrypto \
 *	    -o fuzz_cookie
 *	./fuzz_cookie /tmp/scratch_corpus regress/fuzz/corpus/cookie
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_nts.h"
#include "nts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct nts_keyring	*ring;

static void
setup(void)
{
	struct nts_keys	 k;
	uint8_t		 master[NTS_MASTER_KEY_LEN], uid[NTS_UID_LEN];
	uint8_t		 older[NTS_MASTER_KEY_LEN];

	fuzz_nts_keys(&k, master, uid);
	memset(older, 0x55, sizeof(older));
	if ((ring = nts_keyring_new()) == NULL ||
	    nts_keyring_add(ring, 0x7fffffffU, older) == -1 ||
	    nts_keyring_add(ring, FUZZ_MASTER_ID, master) == -1)
		abort();
}

static void
open_cookie(const uint8_t *data, size_t size)
{
	struct nts_keys	 k;

	if (nts_cookie_open(ring, data, size, &k) == 0) {
		if (size != NTS_COOKIE_LEN ||
		    k.aead != NTS_AEAD_AES_SIV_CMAC_256)
			abort();
	} else if (k.aead != 0 || k.c2s[0] != 0 || k.s2c[0] != 0)
		abort();
}

static void
round_trip(const uint8_t *data, size_t size)
{
	struct nts_keys	 k, got;
	uint8_t		 c[NTS_COOKIE_LEN];
	size_t		 at;

	if (size < 2 * NTS_KEY_LEN + NTS_NONCE_LEN + 2)
		return;
	k.aead = NTS_AEAD_AES_SIV_CMAC_256;
	memcpy(k.c2s, data, NTS_KEY_LEN);
	memcpy(k.s2c, data + NTS_KEY_LEN, NTS_KEY_LEN);
	if (nts_cookie_seal(ring, &k, data + 2 * NTS_KEY_LEN, c) == -1)
		abort();
	if (nts_cookie_open(ring, c, sizeof(c), &got) == -1 ||
	    memcmp(&k.c2s, got.c2s, NTS_KEY_LEN) != 0 ||
	    memcmp(&k.s2c, got.s2c, NTS_KEY_LEN) != 0)
		abort();
	at = data[2 * NTS_KEY_LEN + NTS_NONCE_LEN] % NTS_COOKIE_LEN;
	c[at] ^= data[2 * NTS_KEY_LEN + NTS_NONCE_LEN + 1] | 1;
	if (nts_cookie_open(ring, c, sizeof(c), &got) != -1)
		abort();
}

static void
keyfile(const uint8_t *data, size_t size)
{
	struct nts_keyfile	 kf;
	char			 buf[NTS_KEYFILE_MAX + 1];
	size_t			 n;
	int			 line;

	if (nts_keyfile_parse((const char *)data, size, &kf, &line) == -1) {
		if (line < 0)
			abort();
		return;
	}
	n = nts_keyfile_write(&kf, buf, sizeof(buf));
	if (n != size || memcmp(buf, data, size) != 0)
		abort();
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
		open_cookie(data + 1, size - 1);
		break;
	case 1:
		round_trip(data + 1, size - 1);
		break;
	default:
		keyfile(data + 1, size - 1);
		break;
	}
	return 0;
}
