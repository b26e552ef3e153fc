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
 * libFuzzer target: the symmetric keyfile (lib/ntpkey.c).  The input is
 * the file's text.  A file that fails must say why, starting with its
 * name; a file that parses must hold one key for each key line, and
 * each key of the input's lines must MAC a fixed packet at its type's
 * length, truncated to 20 bytes or not, and accept that MAC and no
 * other.  The fixed ids 1 to 4 and 4294967295 are tried too: unknown,
 * they must have no info, no MAC and no match.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/ntpkey.c regress/fuzz/fuzz_keyfile.c -lcrypto -o fuzz_keyfile
 *	./fuzz_keyfile /tmp/scratch_corpus regress/fuzz/corpus/keyfile
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntpkey.h"

#define NAME	"fuzz.keys"
#define MAX_IDS	32	/* keys of the input MACed; the rest only looked up */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint32_t	fixed[] = { 1, 2, 3, 4, 0xffffffff };
/* a client request's header: what a key authenticates on the wire */
static const uint8_t	pkt[48] = { 0x23, 0x00, 0x06, 0xe9 };

/* The untruncated MAC's length for a type. */
static size_t
mac_len(int type)
{
	switch (type) {
	case NTPKEY_MD5:
	case NTPKEY_AES128:
	case NTPKEY_AES256:
		return 16;
	case NTPKEY_SHA1:
		return 20;
	case NTPKEY_SHA256:
		return 32;
	case NTPKEY_SHA384:
		return 48;
	case NTPKEY_SHA512:
		return 64;
	}
	abort();
}

/* mac[0..n) is accepted, with one bit flipped it is not. */
static void
check(const struct ntpkeys *t, uint32_t id, const uint8_t *mac, size_t n,
    size_t trunc)
{
	uint8_t	 bad[NTPKEY_MAX_MAC];

	if (ntpkeys_check(t, id, pkt, sizeof(pkt), mac, n, trunc) != 1)
		abort();
	memcpy(bad, mac, n);
	bad[id % n] ^= 1 << (id % 8);
	if (ntpkeys_check(t, id, pkt, sizeof(pkt), bad, n, trunc) != 0)
		abort();
}

static void
key(const struct ntpkeys *t, uint32_t id)
{
	uint8_t	 m20[NTPKEY_MAX_MAC], m64[NTPKEY_MAX_MAC];
	size_t	 n20, n64, want;
	int	 type, bits;

	if (!ntpkeys_known(t, id)) {
		if (ntpkeys_info(t, id, &type, &bits) != -1 ||
		    ntpkeys_mac(t, id, pkt, sizeof(pkt), m64, 64) != 0 ||
		    ntpkeys_check(t, id, pkt, sizeof(pkt), m64, 16, 16) != 0)
			abort();
		return;
	}
	if (ntpkeys_info(t, id, &type, &bits) != 0 ||
	    strcmp(ntpkey_type_name(type), "?") == 0 ||
	    bits < 8 || bits > 8 * NTPKEY_MAX_KEY || bits % 8 != 0 ||
	    (type == NTPKEY_AES128 && bits != 128) ||
	    (type == NTPKEY_AES256 && bits != 256))
		abort();
	want = mac_len(type);
	n20 = ntpkeys_mac(t, id, pkt, sizeof(pkt), m20, 20);
	n64 = ntpkeys_mac(t, id, pkt, sizeof(pkt), m64, 64);
	/* the same key and data give the same MAC, however often */
	if (n64 != want || n20 != (want < 20 ? want : 20) ||
	    memcmp(m20, m64, n20) != 0)
		abort();
	check(t, id, m20, n20, 20);
	check(t, id, m64, n64, 64);
}

/*
 * The key lines of a file that parsed (not blank, not a comment): their
 * count, and the ids of the first max into ids.  Each must start with a
 * valid id, or the parser let a bad line through.
 */
static int
key_lines(const uint8_t *data, size_t size, uint32_t *ids, int max)
{
	const uint8_t	*s, *end, *nl;
	uint64_t	 v;
	int		 n = 0;

	for (s = data; s < data + size; s = end + 1) {
		if ((nl = memchr(s, '\n', data + size - s)) != NULL)
			end = nl;
		else
			end = data + size;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end || *s == '#' || (s + 1 == end && *s == '\r'))
			continue;
		for (v = 0; s < end && *s >= '0' && *s <= '9'; s++)
			if ((v = v * 10 + (*s - '0')) > UINT32_MAX)
				abort();
		if (v == 0 || s == end || (*s != ' ' && *s != '\t'))
			abort();
		if (n < max)
			ids[n] = (uint32_t)v;
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntpkeys	*t;
	uint32_t	 ids[MAX_IDS];
	char		 err[256];
	size_t		 i;
	int		 n;

	memset(err, 0xa5, sizeof(err));
	if ((t = ntpkeys_parse((const char *)data, size, NAME, err,
	    sizeof(err))) == NULL) {
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strncmp(err, NAME ":", sizeof(NAME)) != 0)
			abort();
		return 0;
	}
	n = key_lines(data, size, ids, MAX_IDS);
	if (ntpkeys_count(t) != n)
		abort();
	for (i = 0; i < (size_t)n && i < MAX_IDS; i++) {
		if (!ntpkeys_known(t, ids[i]))
			abort();
		key(t, ids[i]);
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		key(t, fixed[i]);
	ntpkeys_free(t);
	return 0;
}
