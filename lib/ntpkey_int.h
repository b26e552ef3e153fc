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
 * What lib/ntpkey_file.c (the keyfile parser and the table of keys, no
 * OpenSSL: the monitor checks a keyfile with it) and lib/ntpkey.c (the
 * MACs, with OpenSSL) share.  Not for other modules.
 */

#ifndef TIMED_NTPKEY_INT_H
#define TIMED_NTPKEY_INT_H

#include "ntpkey.h"

struct key {
	uint32_t	 id;
	int		 type;
	unsigned long	 line;		/* in the keyfile */
	size_t		 len;
	uint8_t		 val[NTPKEY_MAX_KEY];
	void		*cmac;		/* EVP_MAC_CTX: AES types, keyed once */
};

/*
 * The keys in file order, found by id through an open-addressed hash:
 * slot[] holds an index + 1 (0 is empty) and is never more than half
 * full.  lib/ntpkey.c fetches the digests (EVP_MD), the digest context
 * and CMAC once, at the first key that needs them, and release() frees
 * them and the keys' CMAC contexts.
 */
struct ntpkeys {
	struct key	*keys;
	int		 nkeys;
	int		 cap;
	uint32_t	*slot;		/* 2 * cap entries */
	void		*md[NTPKEY_SHA512 + 1];	/* by type */
	void		*mdctx;
	void		*cmac;
	void		(*release)(struct ntpkeys *);
};

/* The key of id in the table, NULL if there is none. */
struct key	*ntpkeys_find(const struct ntpkeys *, uint32_t id);
/* OpenSSL's name of a type's digest or of its CMAC's cipher. */
const char	*ntpkey_alg(int type);

#endif
