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
 * Symmetric keys for NTP MACs: the legacy key id and digest of RFC 5905
 * (MAC = H(key || packet)) and AES-CMAC (RFC 8573, RFC 4493), read from a
 * keyfile in chrony's format.
 *
 * The keyfile has one key a line, "ID [TYPE] KEY", the fields separated by
 * spaces or tabs.  Blank lines and lines whose first non-blank character
 * is '#' are skipped.  ID is decimal, 1 to 4294967295.  TYPE is one of
 * MD5 (the default), SHA1, SHA256, SHA384, SHA512, AES128 or AES256, in
 * any case.  KEY is "HEX:" and an even number of hex digits, or "ASCII:"
 * and text, or text alone; 1 to NTPKEY_MAX_KEY bytes, and exactly 16
 * (AES128) or 32 (AES256) bytes for CMAC.  A line is at most 1024
 * characters; an ID may be given once.
 *
 * A table keeps its OpenSSL contexts and reuses them on every MAC, so it
 * is not thread-safe; use one per thread.
 */

#ifndef TIMED_NTPKEY_H
#define TIMED_NTPKEY_H

#include <stddef.h>
#include <stdint.h>

enum ntpkey_type {
	NTPKEY_MD5 = 1, NTPKEY_SHA1, NTPKEY_SHA256, NTPKEY_SHA384,
	NTPKEY_SHA512, NTPKEY_AES128, NTPKEY_AES256
};
#define NTPKEY_MAX_KEY	64	/* bytes of a key's value */
#define NTPKEY_MAX_MAC	64	/* bytes of a MAC (SHA-512) */

struct ntpkeys;	/* opaque table of keys */

/*
 * Parse a keyfile's text (chrony's format, above).  name is the file's
 * name for messages.  NULL on any fault, with "NAME:LINE: reason" in err.
 * An empty file (or only comments) gives an empty table, not NULL.
 */
struct ntpkeys	*ntpkeys_parse(const char *text, size_t len, const char *name,
		    char *err, size_t errlen);
/*
 * The same keyfile's keys parsed and checked as ntpkeys_parse() does,
 * with no MAC set up (lib/ntpkey_file.c, no OpenSSL: the monitor's check
 * of a keyfile); ntpkeys_mac() and those after it make no MAC with it.
 */
struct ntpkeys	*ntpkeys_read(const char *text, size_t len, const char *name,
		    char *err, size_t errlen);
/* Wipe the keys and free; NULL is a no-op. */
void		 ntpkeys_free(struct ntpkeys *);
/* How many keys the table has. */
int		 ntpkeys_count(const struct ntpkeys *);
/* 1 if the table has key id. */
int		 ntpkeys_known(const struct ntpkeys *, uint32_t id);
/*
 * Type (enum ntpkey_type) and length in bits of key id into type and bits
 * (either may be NULL); 0, or -1 if unknown.
 */
int		 ntpkeys_info(const struct ntpkeys *, uint32_t id, int *type,
		    int *bits);
/*
 * "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "AES128", "AES256"; "?"
 * otherwise.
 */
const char	*ntpkey_type_name(int type);
/*
 * The MAC of data[0..len) with key id, truncated to at most maxlen bytes,
 * into mac; returns its length, 0 if the key is unknown or OpenSSL fails.
 */
size_t		 ntpkeys_mac(const struct ntpkeys *, uint32_t id,
		    const uint8_t *data, size_t len, uint8_t *mac,
		    size_t maxlen);
/*
 * 1 if mac[0..maclen) authenticates data[0..len) with key id: the MAC
 * computed and truncated to trunc bytes must be exactly maclen bytes long
 * and equal (constant-time compare, CRYPTO_memcmp).  0 otherwise
 * (unknown key included).
 */
int		 ntpkeys_check(const struct ntpkeys *, uint32_t id,
		    const uint8_t *data, size_t len, const uint8_t *mac,
		    size_t maclen, size_t trunc);
/*
 * Packets (as chrony makes and checks them): in NTPv4 a digest is cut
 * to 20 bytes (RFC 7822: the MAC after extension fields is at most 24
 * bytes); in NTPv1-3 it is whole, up to SHA-512's.
 *
 * sign: append key id and the MAC of pkt[0..len) with it; the new
 * length, 0 if the key is unknown or OpenSSL failed.  pkt has room for
 * 4 + NTPKEY_MAX_MAC more bytes.
 */
size_t		 ntpkeys_sign(const struct ntpkeys *, uint32_t id,
		    uint8_t *pkt, size_t len, int version);
/*
 * The key id of the MAC (key id and digest, mac_len bytes) that ends
 * pkt[0..len), if that MAC authenticates the rest; 0 if it does not, or
 * its key is unknown, or it is shorter than a key id and 16 bytes.
 */
uint32_t	 ntpkeys_verify(const struct ntpkeys *, const uint8_t *pkt,
		    size_t len, size_t mac_len, int version);

#endif
