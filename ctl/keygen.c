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
 * timectl keygen [ID [TYPE [BITS]]]: a random key, as a line of a keyfile
 * in chrony's format, "ID TYPE HEX:...", as chronyc keygen prints it.  No
 * daemon is asked.  The types are those timed's keyfile takes
 * (lib/ntpkey.h); a digest's key has BITS bits (default 160), at least 80
 * and at most 512 (timed's longest key), a CMAC key the cipher's length.
 */

#include <sys/random.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "ntpkey.h"

#define KEYGEN_MIN	10	/* bytes, as chronyc */

static const struct {
	const char	*name;
	size_t		 cmac_len;	/* 0: a digest's key */
} types[] = {
	{ "MD5", 0 }, { "SHA1", 0 }, { "SHA256", 0 }, { "SHA384", 0 },
	{ "SHA512", 0 }, { "AES128", 16 }, { "AES256", 32 }
};

/* The key's length in bytes for type and bits; 0 for an unknown type. */
static size_t
key_length(const char *type, uint64_t bits)
{
	size_t	 i, len;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(type, types[i].name) != 0)
			continue;
		if (types[i].cmac_len != 0)
			return types[i].cmac_len;
		len = bits > NTPKEY_MAX_KEY * 8 ? NTPKEY_MAX_KEY :
		    (size_t)(bits + 7) / 8;
		return len < KEYGEN_MIN ? KEYGEN_MIN : len;
	}
	return 0;
}

int
keygen_run(struct session *unused, const struct opts *o)
{
	uint8_t		 key[NTPKEY_MAX_KEY];
	const char	*type = "SHA1";
	uint64_t	 id = 1, bits = 160;
	size_t		 i, len;

	if (o->argc > 3)
		sess_die("%s", "usage: keygen [ID [TYPE [BITS]]]");
	if (o->argc > 0 && ((id = cmd_count("keygen ID", o->argv[0])) == 0 ||
	    id > UINT32_MAX))
		sess_die("invalid key ID '%s'", o->argv[0]);
	if (o->argc > 1)
		type = o->argv[1];
	if (o->argc > 2)
		bits = cmd_count("keygen BITS", o->argv[2]);
	if ((len = key_length(type, bits)) == 0)
		sess_die("unknown hash function or cipher '%s'", type);
	if (getrandom(key, len, 0) != (ssize_t)len)
		sess_die("getrandom: %s", strerror(errno));
	printf("%u %s HEX:", (unsigned)id, type);
	for (i = 0; i < len; i++)
		printf("%02X", key[i]);
	printf("\n");
	explicit_bzero(key, sizeof(key));
	return 0;
}
