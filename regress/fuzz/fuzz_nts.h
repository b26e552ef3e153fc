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
 * Fixed keys for the NTS fuzz targets and the program that writes their
 * seed corpus (regress/fuzz/mkcorpus-nts.c): the client's C2S and S2C
 * keys, the server's master key and id, the client's UID.
 */

#ifndef TIMED_FUZZ_NTS_H
#define TIMED_FUZZ_NTS_H

#include <string.h>

#include "nts.h"
#include "siv.h"

#define FUZZ_MASTER_ID	0x00000001U

static inline void
fuzz_nts_keys(struct nts_keys *k, uint8_t master[NTS_MASTER_KEY_LEN],
    uint8_t uid[NTS_UID_LEN])
{
	k->aead = NTS_AEAD_AES_SIV_CMAC_256;
	memset(k->c2s, 0x11, sizeof(k->c2s));
	memset(k->s2c, 0x22, sizeof(k->s2c));
	memset(master, 0x33, NTS_MASTER_KEY_LEN);
	memset(uid, 0x44, NTS_UID_LEN);
}

#endif
