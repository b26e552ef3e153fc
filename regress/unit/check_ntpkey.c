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

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntpkey.h"
#include "testhex.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define HEX64	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f" \
		"202122232425262728292a2b2c2d2e2f" \
		"303132333435363738393a3b3c3d3e3f"
#define A16	"aaaaaaaaaaaaaaaa"
#define A64	A16 A16 A16 A16
#define AESK128	"2b7e151628aed2a6abf7158809cf4f3c"
#define AESK256	"603deb1015ca71be2b73aef0857d7781" \
		"1f352c073b6108d72d9810a30914dff4"

static struct ntpkeys *
parse(const char *text, char *err, size_t errlen)
{
	return ntpkeys_parse(text, strlen(text), "keys.txt", err, errlen);
}

/* One key a line, alone in its file. */
struct good {
	const char	*what;
	const char	*text;
	uint32_t	 id;
	int		 type;
	int		 bits;
};

static const struct good	goods[] = {
	{ "plain text, default MD5", "1 abc", 1, NTPKEY_MD5, 24 },
	{ "ASCII: prefix", "2 SHA1 ASCII:hello", 2, NTPKEY_SHA1, 40 },
	{ "HEX of 20 bytes, mixed case digits",
	    "3 SHA1 HEX:0102030405060708090A0b0c0d0e0f1011121314",
	    3, NTPKEY_SHA1, 160 },
	{ "lowercase type", "4 sha256 HEX:00ff", 4, NTPKEY_SHA256, 16 },
	{ "mixed case type", "5 Sha384 k", 5, NTPKEY_SHA384, 8 },
	{ "SHA512, 64-byte HEX key", "6 SHA512 HEX:" HEX64,
	    6, NTPKEY_SHA512, 512 },
	{ "64-byte ASCII key", "7 MD5 ASCII:" A64, 7, NTPKEY_MD5, 512 },
	{ "AES128 HEX", "8 AES128 HEX:" AESK128, 8, NTPKEY_AES128, 128 },
	{ "AES128 text", "9 aes128 0123456789abcdef", 9, NTPKEY_AES128, 128 },
	{ "AES256 HEX", "10 AES256 HEX:" AESK256, 10, NTPKEY_AES256, 256 },
	{ "largest id", "4294967295 MD5 x", 4294967295U, NTPKEY_MD5, 8 },
	{ "leading zeros in the id", "0012 x", 12, NTPKEY_MD5, 8 },
	{ "tabs and blanks around fields", " \t13\tMD5\t  key  ",
	    13, NTPKEY_MD5, 24 },
	{ "CRLF line end", "14 MD5 key\r\n", 14, NTPKEY_MD5, 24 },
	{ "prefixes are case-sensitive, as chrony's", "15 hex:ab",
	    15, NTPKEY_MD5, 48 },
	{ "'#' inside a key", "16 a#b", 16, NTPKEY_MD5, 24 },
	{ "two fields: the second is the key", "17 SHA1",
	    17, NTPKEY_MD5, 32 },
};

START_TEST(test_ntpkey_parse_good)
{
	const struct good	*g = &goods[_i];
	struct ntpkeys		*t;
	char			 err[128];
	int			 type, bits;

	t = parse(g->text, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s: %s", g->what, err);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(ntpkeys_count(t), 1);
	ck_assert_msg(ntpkeys_known(t, g->id), "%s: known", g->what);
	ck_assert(!ntpkeys_known(t, g->id - 1));
	ck_assert_int_eq(ntpkeys_info(t, g->id, &type, &bits), 0);
	ck_assert_msg(type == g->type, "%s: type %d", g->what, type);
	ck_assert_msg(bits == g->bits, "%s: bits %d", g->what, bits);
	ntpkeys_free(t);
}
END_TEST

START_TEST(test_ntpkey_parse_file)
{
	static const char	 text[] =
	    "# chrony keyfile\n"
	    "\n"
	    "   # an indented comment\n"
	    " \t \n"
	    "1 MD5 HEX:00112233445566778899aabbccddeeff\n"
	    "2 SHA1 secret\n"
	    "#3 SHA1 commented out\n"
	    "\n"
	    "65535 AES256 ASCII:0123456789abcdef0123456789abcdef\n"
	    "4294967295 sha512 last";	/* no final newline */
	struct ntpkeys		*t;
	char			 err[128];
	int			 type, bits;

	ck_assert_ptr_nonnull(t = parse(text, err, sizeof(err)));
	ck_assert_int_eq(ntpkeys_count(t), 4);
	ck_assert_int_eq(ntpkeys_info(t, 1, &type, &bits), 0);
	ck_assert_int_eq(type, NTPKEY_MD5);
	ck_assert_int_eq(bits, 128);
	ck_assert_int_eq(ntpkeys_info(t, 2, &type, &bits), 0);
	ck_assert_int_eq(type, NTPKEY_SHA1);
	ck_assert_int_eq(bits, 48);
	ck_assert(!ntpkeys_known(t, 3));
	ck_assert_int_eq(ntpkeys_info(t, 3, &type, &bits), -1);
	ck_assert_int_eq(ntpkeys_info(t, 65535, &type, &bits), 0);
	ck_assert_int_eq(type, NTPKEY_AES256);
	ck_assert_int_eq(bits, 256);
	ck_assert_int_eq(ntpkeys_info(t, 4294967295U, &type, NULL), 0);
	ck_assert_int_eq(type, NTPKEY_SHA512);
	ck_assert(!ntpkeys_known(t, 0));
	ntpkeys_free(t);
}
END_TEST

/* Many keys: the table grows and every one is still found. */
START_TEST(test_ntpkey_parse_many)
{
	char		*text, *p, err[128];
	struct ntpkeys	*t;
	uint32_t	 id;
	int		 bits;
	size_t		 size = 5000 * 32;

	ck_assert_ptr_nonnull(text = malloc(size));
	p = text;
	for (id = 1; id <= 5000; id++)
		p += snprintf(p, size - (p - text), "%u SHA1 key%u\n",
		    (unsigned)(id * 7919), (unsigned)id);
	ck_assert_ptr_nonnull(t = ntpkeys_parse(text, p - text, "k", err,
	    sizeof(err)));
	ck_assert_int_eq(ntpkeys_count(t), 5000);
	for (id = 1; id <= 5000; id++) {
		ck_assert_int_eq(ntpkeys_info(t, id * 7919, NULL, &bits), 0);
		ck_assert_int_eq(bits, 8 * (3 + snprintf(NULL, 0, "%u",
		    (unsigned)id)));
		ck_assert(!ntpkeys_known(t, id * 7919 + 1));
	}
	ntpkeys_free(t);
	free(text);
}
END_TEST

START_TEST(test_ntpkey_parse_empty)
{
	static const char *const	 texts[] = {
		"", "\n", "\n\n \t\n", "# nothing\n", "#a\n  # b\n\n#c",
	};
	struct ntpkeys			*t;
	uint8_t				 mac[NTPKEY_MAX_MAC];
	size_t				 i;
	char				 err[128];

	for (i = 0; i < NELEM(texts); i++) {
		ck_assert_ptr_nonnull(t = parse(texts[i], err, sizeof(err)));
		ck_assert_int_eq(ntpkeys_count(t), 0);
		ck_assert(!ntpkeys_known(t, 1));
		ck_assert_int_eq(ntpkeys_info(t, 1, NULL, NULL), -1);
		ck_assert_uint_eq(ntpkeys_mac(t, 1, mac, 4, mac, sizeof(mac)),
		    0);
		ntpkeys_free(t);
	}
	ck_assert_ptr_nonnull(t = ntpkeys_parse(NULL, 0, "keys.txt", err,
	    sizeof(err)));
	ck_assert_int_eq(ntpkeys_count(t), 0);
	ntpkeys_free(t);
	ntpkeys_free(NULL);
	ck_assert_int_eq(ntpkeys_count(NULL), 0);
	ck_assert(!ntpkeys_known(NULL, 1));
}
END_TEST

struct bad {
	const char	*what;
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	const char	*err;
};

static const struct bad	bads[] = {
	{ "id 0", "0 MD5 abc", 0, "keys.txt:1: bad key id" },
	{ "id 2^32", "# c\n4294967296 MD5 abc", 0, "keys.txt:2: bad key id" },
	{ "id far too large", "99999999999999999999999 abc", 0,
	    "keys.txt:1: bad key id" },
	{ "hex id", "\n\n0x10 abc", 0, "keys.txt:3: bad key id" },
	{ "signed id", "+1 abc", 0, "keys.txt:1: bad key id" },
	{ "negative id", "-1 abc", 0, "keys.txt:1: bad key id" },
	{ "id only", "1 a\n2", 0, "keys.txt:2: missing key" },
	{ "four fields", "1 MD5 abc def", 0, "keys.txt:1: too many fields" },
	{ "a comment after a key is a field", "1 MD5 abc # note", 0,
	    "keys.txt:1: too many fields" },
	{ "unknown type", "1 FOO abc", 0, "keys.txt:1: unknown key type FOO" },
	{ "chrony's SHA3-256", "1 SHA3-256 abc", 0,
	    "keys.txt:1: unsupported key type SHA3-256" },
	{ "chrony's RMD160", "1 RMD160 abc", 0,
	    "keys.txt:1: unsupported key type RMD160" },
	{ "chrony's TIGER", "1 TIGER abc", 0,
	    "keys.txt:1: unsupported key type TIGER" },
	{ "chrony's WHIRLPOOL, lowercase", "1 whirlpool abc", 0,
	    "keys.txt:1: unsupported key type whirlpool" },
	{ "odd hex digits", "1 HEX:abc", 0,
	    "keys.txt:1: odd number of hex digits" },
	{ "bad hex digit", "1 SHA1 HEX:0g", 0, "keys.txt:1: bad hex key" },
	{ "empty HEX", "1 SHA1 HEX:", 0, "keys.txt:1: empty key" },
	{ "empty ASCII", "1 ASCII:", 0, "keys.txt:1: empty key" },
	{ "65-byte HEX key", "1 SHA1 HEX:" HEX64 "40", 0,
	    "keys.txt:1: key longer than 64 bytes" },
	{ "65-byte text key", "1 MD5 " A64 "a", 0,
	    "keys.txt:1: key longer than 64 bytes" },
	{ "AES128, 15 bytes", "1 AES128 HEX:2b7e151628aed2a6abf7158809cf4f",
	    0, "keys.txt:1: AES128 key must be 16 bytes" },
	{ "AES128, 32 bytes", "1 AES128 HEX:" AESK256, 0,
	    "keys.txt:1: AES128 key must be 16 bytes" },
	{ "AES256, 16 bytes", "1 AES256 ASCII:0123456789abcdef", 0,
	    "keys.txt:1: AES256 key must be 32 bytes" },
	{ "duplicate", "1 abc\n2 def\n1 ghi\n", 0,
	    "keys.txt:3: key 1 given twice" },
	{ "duplicate of another type", "7 MD5 a\n#\n7 AES128 " A16, 0,
	    "keys.txt:3: key 7 given twice" },
	{ "duplicate largest id", "4294967295 a\n4294967295 b", 0,
	    "keys.txt:2: key 4294967295 given twice" },
	{ "NUL in a line", "1 abc\n2 a\0b\n", 12,
	    "keys.txt:2: NUL character" },
	{ "the first error is the one told", "1 abc\n2 FOO x\n0 y", 0,
	    "keys.txt:2: unknown key type FOO" },
};

START_TEST(test_ntpkey_parse_errors)
{
	const struct bad	*b = &bads[_i];
	char			 err[128];
	size_t			 len;

	len = b->len != 0 ? b->len : strlen(b->text);
	memset(err, 'x', sizeof(err));
	ck_assert_msg(ntpkeys_parse(b->text, len, "keys.txt", err,
	    sizeof(err)) == NULL, "%s: accepted", b->what);
	ck_assert_msg(strcmp(err, b->err) == 0, "%s: \"%s\"", b->what, err);
}
END_TEST

/* Up to 1024 characters a line, not counting its end. */
START_TEST(test_ntpkey_parse_long_line)
{
	char		 text[1100], err[128];
	struct ntpkeys	*t;

	memset(text, ' ', sizeof(text));
	memcpy(text, "1 abc\n2 MD5 def", 15);
	/* line 2 is text[6..1030) */
	memcpy(text + 1030, "\r\n", 2);
	ck_assert_ptr_nonnull(t = ntpkeys_parse(text, 1032, "keys.txt", err,
	    sizeof(err)));
	ck_assert_int_eq(ntpkeys_count(t), 2);
	ntpkeys_free(t);
	ck_assert_ptr_nonnull(t = ntpkeys_parse(text, 1030, "keys.txt", err,
	    sizeof(err)));
	ntpkeys_free(t);
	/* 1025 characters */
	memcpy(text + 1030, " \n", 2);
	ck_assert_ptr_null(ntpkeys_parse(text, 1032, "keys.txt", err,
	    sizeof(err)));
	ck_assert_str_eq(err, "keys.txt:2: line longer than 1024 characters");
}
END_TEST

START_TEST(test_ntpkey_parse_err_buffer)
{
	char	 err[8];

	ck_assert_ptr_null(ntpkeys_parse("0 a", 3, "keys.txt", NULL, 0));
	ck_assert_ptr_null(ntpkeys_parse("0 a", 3, "keys.txt", err, 0));
	ck_assert_ptr_null(ntpkeys_parse("0 a", 3, "keys.txt", err,
	    sizeof(err)));
	ck_assert_str_eq(err, "keys.tx");
}
END_TEST

/*
 * Known answers.  The digests are H(key || data) with python3's hashlib
 * (checked against `openssl dgst`); data is the bytes 0 to 47, a packet
 * header's size.  The CMACs are the examples of RFC 4493 section 4
 * (AES-128) and NIST SP 800-38B appendix D.3 (AES-256), the same as
 * `openssl mac -cipher AES-256-CBC -macopt hexkey:KEY CMAC`.
 */
static const char	 keyfile[] =
    "1 timed-test-key\n"
    "2 SHA1 HEX:0102030405060708090a0b0c0d0e0f1011121314\n"
    "3 SHA256 ASCII:abcdefghijklmnopqrstuvwxyz012345\n"
    "4 sha384 k\n"
    "5 SHA512 HEX:" HEX64 "\n"
    "6 AES128 HEX:" AESK128 "\n"
    "7 AES256 HEX:" AESK256 "\n";

#define DATA48	"00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 " \
		"18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f"
/* The messages of RFC 4493 and SP 800-38B: 16, 40 and 64 bytes. */
#define M16	"6bc1bee2 2e409f96 e93d7e11 7393172a"
#define M40	M16 " ae2d8a57 1e03ac9c 9eb76fac 45af8e51 30c81c46 a35ce411"
#define M64	M40 " e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710"

struct kat {
	const char	*what;
	uint32_t	 id;
	const char	*data;
	const char	*mac;
};

static const struct kat	kats[] = {
	{ "MD5", 1, DATA48, "5ecb398d a80e50bc 34f043eb ee100903" },
	{ "MD5, no data", 1, "", "d51a08b3 231c47b2 eaeef61e f496ec50" },
	{ "SHA1", 2, DATA48,
	    "bfbecea5 722912a3 2cb6dfdf 44ae730d 3b5f23da" },
	{ "SHA256", 3, DATA48,
	    "22305c75 e8a1819d a5fb99c6 0a32429e 87bd220e 3c9199af "
	    "864b2d9c fc622601" },
	{ "SHA384", 4, DATA48,
	    "e8bf8f8b 0cee3c6b 69472ad7 28da481b b7a7154a feb80244 "
	    "97733ebf db8c7a27 f8bcc64d 95736be5 9cbae866 793926c4" },
	{ "SHA512", 5, DATA48,
	    "98b24f27 277a27d2 8ae1e405 c47edf88 23da0524 7b26793f "
	    "7cb8e052 cd876a3c 2a51a125 1a3cd295 fe5908f5 7270504a "
	    "8434d9d4 8aab130b 669cfed5 3d353c00" },
	{ "RFC 4493 example 1", 6, "", "bb1d6929 e9593728 7fa37d12 9b756746" },
	{ "RFC 4493 example 2", 6, M16, "070a16b4 6b4d4144 f79bdd9d d04a287c" },
	{ "RFC 4493 example 3", 6, M40, "dfa66747 de9ae630 30ca3261 1497c827" },
	{ "RFC 4493 example 4", 6, M64, "51f0bebf 7e3b9d92 fc497417 79363cfe" },
	{ "SP 800-38B example 9", 7, "",
	    "028962f6 1b7bf89e fc6b551f 4667d983" },
	{ "SP 800-38B example 10", 7, M16,
	    "28a7023f 452e8f82 bd4bf28d 8c37c35c" },
	{ "SP 800-38B example 11", 7, M40,
	    "aaf3d8f1 de5640c2 32f5b169 b9c911e6" },
	{ "SP 800-38B example 12", 7, M64,
	    "e1992190 549f6ed5 696a2c05 6c315410" },
};

static void
check_kat(struct ntpkeys *t, const struct kat *k)
{
	uint8_t		 data[64], want[NTPKEY_MAX_MAC], mac[NTPKEY_MAX_MAC];
	size_t		 dlen, wlen;

	dlen = unhex(k->data, data, sizeof(data));
	wlen = unhex(k->mac, want, sizeof(want));
	memset(mac, 0xee, sizeof(mac));
	ck_assert_msg(ntpkeys_mac(t, k->id, data, dlen, mac, sizeof(mac)) ==
	    wlen, "%s: length", k->what);
	ck_assert_msg(memcmp(mac, want, wlen) == 0, "%s: MAC", k->what);
	ck_assert_msg(ntpkeys_check(t, k->id, data, dlen, want, wlen, wlen),
	    "%s: check", k->what);
}

START_TEST(test_ntpkey_mac_vectors)
{
	struct ntpkeys	*t;
	char		 err[128];

	t = parse(keyfile, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	check_kat(t, &kats[_i]);
	/* the contexts are kept: the same again */
	check_kat(t, &kats[_i]);
	ntpkeys_free(t);
}
END_TEST

/* One table, every key in turn, three times: nothing carries over. */
START_TEST(test_ntpkey_mac_reuse)
{
	struct ntpkeys	*t;
	char		 err[128];
	size_t		 i;
	int		 round;

	ck_assert_ptr_nonnull(t = parse(keyfile, err, sizeof(err)));
	for (round = 0; round < 3; round++)
		for (i = 0; i < NELEM(kats); i++)
			check_kat(t, &kats[(i * 5 + round) % NELEM(kats)]);
	ntpkeys_free(t);
}
END_TEST

START_TEST(test_ntpkey_mac_truncation)
{
	struct ntpkeys	*t;
	uint8_t		 data[64], full[NTPKEY_MAX_MAC], mac[NTPKEY_MAX_MAC];
	char		 err[128];
	size_t		 dlen;

	ck_assert_ptr_nonnull(t = parse(keyfile, err, sizeof(err)));
	dlen = unhex(DATA48, data, sizeof(data));
	ck_assert_uint_eq(ntpkeys_mac(t, 3, data, dlen, full, sizeof(full)),
	    32);
	memset(mac, 0xee, sizeof(mac));
	ck_assert_uint_eq(ntpkeys_mac(t, 3, data, dlen, mac, 20), 20);
	ck_assert(memcmp(mac, full, 20) == 0);
	ck_assert_int_eq(mac[20], 0xee);	/* nothing past maxlen */
	ck_assert_uint_eq(ntpkeys_mac(t, 3, data, dlen, mac, 32), 32);
	ck_assert_uint_eq(ntpkeys_mac(t, 3, data, dlen, mac, 0), 0);
	/* MD5 and CMAC are never longer than 16 bytes */
	ck_assert_uint_eq(ntpkeys_mac(t, 1, data, dlen, mac, sizeof(mac)),
	    16);
	ck_assert_uint_eq(ntpkeys_mac(t, 6, data, dlen, full, sizeof(full)),
	    16);
	ck_assert_uint_eq(ntpkeys_mac(t, 6, data, dlen, mac, 8), 8);
	ck_assert(memcmp(mac, full, 8) == 0);
	/* an unknown key */
	ck_assert_uint_eq(ntpkeys_mac(t, 8, data, dlen, mac, sizeof(mac)), 0);
	ntpkeys_free(t);
}
END_TEST

START_TEST(test_ntpkey_check)
{
	struct ntpkeys	*t;
	uint8_t		 data[64], mac[NTPKEY_MAX_MAC], cmac[16];
	char		 err[128];
	size_t		 dlen, bit;

	ck_assert_ptr_nonnull(t = parse(keyfile, err, sizeof(err)));
	dlen = unhex(DATA48, data, sizeof(data));
	ck_assert_uint_eq(ntpkeys_mac(t, 2, data, dlen, mac, 20), 20);
	ck_assert(ntpkeys_check(t, 2, data, dlen, mac, 20, 20));
	for (bit = 0; bit < 20 * 8; bit++) {
		mac[bit / 8] ^= (uint8_t)(1 << bit % 8);
		ck_assert_msg(!ntpkeys_check(t, 2, data, dlen, mac, 20, 20),
		    "bit %zu", bit);
		mac[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	/* the length must be what trunc gives */
	ck_assert(!ntpkeys_check(t, 2, data, dlen, mac, 16, 20));
	ck_assert(!ntpkeys_check(t, 2, data, dlen, mac, 20, 16));
	ck_assert(ntpkeys_check(t, 2, data, dlen, mac, 16, 16));
	ck_assert(!ntpkeys_check(t, 2, data, dlen, mac, 0, 0));
	/* MD5 gives 16 bytes however much is asked for */
	ck_assert_uint_eq(ntpkeys_mac(t, 1, data, dlen, mac, 16), 16);
	ck_assert(ntpkeys_check(t, 1, data, dlen, mac, 16, 20));
	ck_assert(!ntpkeys_check(t, 1, data, dlen, mac, 20, 20));
	/* other data, another key, an unknown key, no table */
	ck_assert_uint_eq(ntpkeys_mac(t, 2, data, dlen, mac, 20), 20);
	ck_assert(!ntpkeys_check(t, 2, data, dlen - 1, mac, 20, 20));
	ck_assert(!ntpkeys_check(t, 3, data, dlen, mac, 20, 20));
	ck_assert(!ntpkeys_check(t, 9, data, dlen, mac, 20, 20));
	ck_assert(!ntpkeys_check(NULL, 2, data, dlen, mac, 20, 20));
	/* CMAC */
	ck_assert_uint_eq(ntpkeys_mac(t, 7, data, dlen, cmac, 16), 16);
	ck_assert(ntpkeys_check(t, 7, data, dlen, cmac, 16, 16));
	cmac[15] ^= 0x80;
	ck_assert(!ntpkeys_check(t, 7, data, dlen, cmac, 16, 16));
	ntpkeys_free(t);
}
END_TEST

START_TEST(test_ntpkey_type_names)
{
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_MD5), "MD5");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_SHA1), "SHA1");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_SHA256), "SHA256");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_SHA384), "SHA384");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_SHA512), "SHA512");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_AES128), "AES128");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_AES256), "AES256");
	ck_assert_str_eq(ntpkey_type_name(0), "?");
	ck_assert_str_eq(ntpkey_type_name(NTPKEY_AES256 + 1), "?");
	ck_assert_str_eq(ntpkey_type_name(-1), "?");
}
END_TEST

/*
 * Packets: an NTPv4 MAC is the key id and at most 20 bytes of digest,
 * an NTPv3 one the whole digest; verify finds the key of a good MAC and
 * nothing else.
 */
START_TEST(test_ntpkey_sign_verify)
{
	struct ntpkeys	*t;
	uint8_t		 pkt[48 + 4 + NTPKEY_MAX_MAC], full[NTPKEY_MAX_MAC];
	char		 err[128];
	size_t		 n;

	ck_assert_ptr_nonnull(t = parse("7 SHA256 HEX:00112233445566778899"
	    "aabbccddeeff\n8 MD5 ASCII:md5key\n", err, sizeof(err)));
	memset(pkt, 0x5a, 48);
	/* NTPv4: 20 digest bytes, the first of the whole digest */
	ck_assert_uint_eq(n = ntpkeys_sign(t, 7, pkt, 48, 4), 72);
	ck_assert(pkt[48] == 0 && pkt[49] == 0 && pkt[50] == 0 &&
	    pkt[51] == 7);
	ck_assert_uint_eq(ntpkeys_mac(t, 7, pkt, 48, full, sizeof(full)), 32);
	ck_assert_mem_eq(pkt + 52, full, 20);
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 24, 4), 7);
	/* as NTPv3 the same bytes are a short MAC: refused */
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 24, 3), 0);
	/* one bit of the packet, of the MAC, of the key id */
	pkt[10] ^= 1;
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 24, 4), 0);
	pkt[10] ^= 1;
	pkt[60] ^= 0x80;
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 24, 4), 0);
	pkt[60] ^= 0x80;
	pkt[51] = 8;
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 24, 4), 0);
	/* NTPv3: the whole 32-byte digest */
	ck_assert_uint_eq(n = ntpkeys_sign(t, 7, pkt, 48, 3), 84);
	ck_assert_mem_eq(pkt + 52, full, 32);
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 36, 3), 7);
	/* MD5: 16 bytes either way */
	ck_assert_uint_eq(n = ntpkeys_sign(t, 8, pkt, 48, 4), 68);
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, n, 20, 4), 8);
	/* unknown key, key id 0, a MAC too short or longer than the packet */
	ck_assert_uint_eq(ntpkeys_sign(t, 9, pkt, 48, 4), 0);
	pkt[48] = pkt[49] = pkt[50] = pkt[51] = 0;
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, 68, 20, 4), 0);
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, 68, 16, 4), 0);
	ck_assert_uint_eq(ntpkeys_verify(t, pkt, 16, 20, 4), 0);
	ntpkeys_free(t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ntpkey");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_ntpkey_parse_good, 0, NELEM(goods));
	tcase_add_test(tc, test_ntpkey_parse_file);
	tcase_add_test(tc, test_ntpkey_parse_many);
	tcase_add_test(tc, test_ntpkey_parse_empty);
	tcase_add_loop_test(tc, test_ntpkey_parse_errors, 0, NELEM(bads));
	tcase_add_test(tc, test_ntpkey_parse_long_line);
	tcase_add_test(tc, test_ntpkey_parse_err_buffer);
	tcase_add_loop_test(tc, test_ntpkey_mac_vectors, 0, NELEM(kats));
	tcase_add_test(tc, test_ntpkey_mac_reuse);
	tcase_add_test(tc, test_ntpkey_mac_truncation);
	tcase_add_test(tc, test_ntpkey_check);
	tcase_add_test(tc, test_ntpkey_type_names);
	tcase_add_test(tc, test_ntpkey_sign_verify);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
