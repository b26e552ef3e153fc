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

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "nts.h"
#include "pkt.h"
#include "siv.h"
#include "testhex.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
fill(uint64_t *seed, uint8_t *p, size_t n)
{
	while (n-- > 0)
		*p++ = (uint8_t)rnd_next(seed);
}

/* --- NTS-KE records ---------------------------------------------------- */

START_TEST(test_nts_ke_request_round_trip)
{
	struct nts_ke_msg	 m;
	uint8_t			 buf[128];
	size_t			 n, i;

	n = nts_ke_request(buf, sizeof(buf), NULL, -1);
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(nts_ke_parse_request(buf, n, &m), NTS_KE_OK);
	ck_assert_int_eq(m.ntpv4, 1);
	ck_assert_int_eq(m.aead, NTS_AEAD_AES_SIV_CMAC_256);
	ck_assert_int_eq(m.port, -1);
	ck_assert_str_eq(m.server, "");

	n = nts_ke_request(buf, sizeof(buf), "ntp.example.net", 123);
	ck_assert_int_eq(nts_ke_parse_request(buf, n, &m), NTS_KE_OK);
	ck_assert_str_eq(m.server, "ntp.example.net");
	ck_assert_int_eq(m.port, 123);
	/* every short buffer is refused, never overrun */
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(nts_ke_request(buf, i, "ntp.example.net",
		    123), 0);
	ck_assert_uint_eq(nts_ke_request(buf, sizeof(buf), "", -1), 0);
	ck_assert_uint_eq(nts_ke_request(buf, sizeof(buf), NULL, 65536), 0);
}
END_TEST

START_TEST(test_nts_ke_response_round_trip)
{
	struct nts_ke_reply	 rp;
	struct nts_ke_msg	 m;
	uint8_t			 cookies[NTS_MAX_COOKIES][NTS_COOKIE_LEN];
	uint8_t			 buf[2048];
	size_t			 n, i;

	memset(&rp, 0, sizeof(rp));
	rp.error = -1;
	rp.ntpv4 = 1;
	rp.aead = NTS_AEAD_AES_SIV_CMAC_256;
	rp.n_cookies = NTS_MAX_COOKIES;
	for (i = 0; i < NTS_MAX_COOKIES; i++) {
		memset(cookies[i], (int)i + 1, sizeof(cookies[i]));
		rp.cookie[i] = cookies[i];
		rp.cookie_len[i] = sizeof(cookies[i]);
	}
	rp.server = "192.0.2.1";
	rp.port = 4123;
	n = nts_ke_response(&rp, buf, sizeof(buf));
	ck_assert_uint_gt(n, 8 * NTS_COOKIE_LEN);
	ck_assert_int_eq(nts_ke_parse_response(buf, n, &m), NTS_KE_OK);
	ck_assert_int_eq(m.n_cookies, NTS_MAX_COOKIES);
	for (i = 0; i < NTS_MAX_COOKIES; i++) {
		ck_assert_uint_eq(m.cookie_len[i], NTS_COOKIE_LEN);
		ck_assert(memcmp(m.cookie[i], cookies[i], NTS_COOKIE_LEN) == 0);
	}
	ck_assert_str_eq(m.server, "192.0.2.1");
	ck_assert_int_eq(m.port, 4123);
	ck_assert_int_eq(m.error, -1);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(nts_ke_response(&rp, buf, i), 0);

	/* an Error answer, and the answers that agree to nothing */
	rp.error = NTS_KE_ERR_BAD_REQUEST;
	n = nts_ke_response(&rp, buf, sizeof(buf));
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(nts_ke_parse_response(buf, n, &m),
	    NTS_KE_SERVER_ERROR);
	ck_assert_int_eq(m.error, NTS_KE_ERR_BAD_REQUEST);
	rp.error = -1;
	rp.aead = 0;
	n = nts_ke_response(&rp, buf, sizeof(buf));
	ck_assert_int_eq(nts_ke_parse_response(buf, n, &m), NTS_KE_NO_AEAD);
	ck_assert_int_eq(m.n_cookies, 0);
	rp.ntpv4 = 0;
	n = nts_ke_response(&rp, buf, sizeof(buf));
	ck_assert_int_eq(nts_ke_parse_response(buf, n, &m), NTS_KE_NO_NTPV4);
}
END_TEST

/*
 * Messages as hex.  Records: 8001 Next Protocol, 8004 AEAD, 8000 End,
 * 0005 New Cookie, 8002 Error, 8003 Warning, 0006 Server, 0007 Port.
 */
#define NP0	"8001 0002 0000 "
#define AEAD15	"8004 0002 000f "
#define END	"8000 0000"
#define COOKIE	"0005 0004 c0c0c0c0 "

struct ke_row {
	const char		*what;
	const char		*hex;
	enum nts_ke_reason	 want;
};

static const struct ke_row	req_rows[] = {
	{ "minimal", NP0 AEAD15 END, NTS_KE_OK },
	{ "critical bit clear on known records", "0001 0002 0000 "
	    "0004 0002 000f 0000 0000", NTS_KE_OK },
	{ "unknown non-critical skipped", NP0 "4321 0003 010203 " AEAD15 END,
	    NTS_KE_OK },
	{ "unknown critical", NP0 "c321 0000 " AEAD15 END,
	    NTS_KE_CRITICAL_UNKNOWN },
	{ "server and port", NP0 AEAD15 "0006 0003 613a62 0007 0002 1234 "
	    END, NTS_KE_OK },
	{ "no NTPv4 offered", "8001 0002 0001 " END, NTS_KE_OK },
	{ "no AEAD we support", NP0 "8004 0002 0011 " END, NTS_KE_OK },
	{ "empty", "", NTS_KE_NO_END },
	{ "no end of message", NP0 AEAD15, NTS_KE_NO_END },
	{ "truncated header", NP0 AEAD15 "8000 00", NTS_KE_TRUNCATED },
	{ "truncated body", NP0 "8004 0004 000f", NTS_KE_TRUNCATED },
	{ "end of message with a body", NP0 AEAD15 "8000 0002 0000",
	    NTS_KE_BAD },
	{ "bytes after end of message", NP0 AEAD15 END " 0000",
	    NTS_KE_BAD },
	{ "records after end of message", NP0 END " " AEAD15 END,
	    NTS_KE_BAD },
	{ "repeated next protocol", NP0 NP0 AEAD15 END, NTS_KE_DUPLICATE },
	{ "repeated AEAD", NP0 AEAD15 AEAD15 END, NTS_KE_DUPLICATE },
	{ "repeated server", NP0 AEAD15 "0006 0001 61 0006 0001 61 " END,
	    NTS_KE_DUPLICATE },
	{ "repeated port", NP0 AEAD15 "0007 0002 0001 0007 0002 0001 " END,
	    NTS_KE_DUPLICATE },
	{ "no next protocol", AEAD15 END, NTS_KE_BAD },
	{ "empty next protocol", "8001 0000 " AEAD15 END, NTS_KE_BAD },
	{ "odd next protocol", "8001 0003 000000 " AEAD15 END, NTS_KE_BAD },
	{ "NTPv4 without AEAD", NP0 END, NTS_KE_BAD },
	{ "empty AEAD", NP0 "8004 0000 " END, NTS_KE_BAD },
	{ "odd AEAD", NP0 "8004 0001 0f " END, NTS_KE_BAD },
	{ "error from a client", NP0 AEAD15 "8002 0002 0000 " END,
	    NTS_KE_BAD },
	{ "warning from a client", NP0 AEAD15 "8003 0002 0000 " END,
	    NTS_KE_BAD },
	{ "cookie from a client", NP0 AEAD15 COOKIE END, NTS_KE_BAD },
	{ "port of 3 bytes", NP0 AEAD15 "0007 0003 000100 " END,
	    NTS_KE_BAD },
	{ "empty server", NP0 AEAD15 "0006 0000 " END, NTS_KE_BAD },
	{ "server with a space", NP0 AEAD15 "0006 0003 612062 " END,
	    NTS_KE_BAD },
	{ "server with a NUL", NP0 AEAD15 "0006 0002 6100 " END,
	    NTS_KE_BAD },
};

START_TEST(test_nts_ke_parse_request_rows)
{
	const struct ke_row	*row = &req_rows[_i];
	struct nts_ke_msg	 m;
	uint8_t			 buf[256];
	size_t			 n;

	n = unhex(row->hex, buf, sizeof(buf));
	ck_assert_msg(nts_ke_parse_request(buf, n, &m) == row->want,
	    "%s: got %s", row->what,
	    nts_ke_reason_str(nts_ke_parse_request(buf, n, &m)));
}
END_TEST

static const struct ke_row	resp_rows[] = {
	{ "minimal", NP0 AEAD15 COOKIE END, NTS_KE_OK },
	{ "server, port, unknown", NP0 AEAD15 COOKIE COOKIE "0006 0001 61 "
	    "0007 0002 0100 7777 0000 " END, NTS_KE_OK },
	{ "error", "8002 0002 0001 " END, NTS_KE_SERVER_ERROR },
	{ "error, truncated", "8002 0002 0001", NTS_KE_NO_END },
	{ "warning", NP0 AEAD15 COOKIE "8003 0002 0007 " END,
	    NTS_KE_SERVER_WARNING },
	{ "error of 1 byte", "8002 0001 01 " END, NTS_KE_BAD },
	{ "NTPv4 refused", "8001 0000 " END, NTS_KE_NO_NTPV4 },
	{ "no next protocol", AEAD15 COOKIE END, NTS_KE_BAD },
	{ "a protocol not offered", "8001 0002 0001 " AEAD15 COOKIE END,
	    NTS_KE_BAD },
	{ "AEAD refused", NP0 "8004 0000 " END, NTS_KE_NO_AEAD },
	{ "no AEAD record", NP0 COOKIE END, NTS_KE_NO_AEAD },
	{ "an AEAD not offered", NP0 "8004 0002 0011 " COOKIE END,
	    NTS_KE_BAD },
	{ "two AEADs", NP0 "8004 0004 000f 000f " COOKIE END, NTS_KE_BAD },
	{ "no cookie", NP0 AEAD15 END, NTS_KE_NO_COOKIES },
	{ "empty cookie", NP0 AEAD15 "0005 0000 " END, NTS_KE_BAD },
	{ "repeated next protocol", NP0 NP0 AEAD15 COOKIE END,
	    NTS_KE_DUPLICATE },
	{ "repeated AEAD", NP0 AEAD15 AEAD15 COOKIE END, NTS_KE_DUPLICATE },
	{ "unknown critical", NP0 AEAD15 COOKIE "ffff 0000 " END,
	    NTS_KE_CRITICAL_UNKNOWN },
	{ "no end of message", NP0 AEAD15 COOKIE, NTS_KE_NO_END },
};

START_TEST(test_nts_ke_parse_response_rows)
{
	const struct ke_row	*row = &resp_rows[_i];
	struct nts_ke_msg	 m;
	uint8_t			 buf[256];
	size_t			 n;

	n = unhex(row->hex, buf, sizeof(buf));
	ck_assert_msg(nts_ke_parse_response(buf, n, &m) == row->want,
	    "%s: got %s", row->what,
	    nts_ke_reason_str(nts_ke_parse_response(buf, n, &m)));
}
END_TEST

/* Append a record with a body of len bytes of value v. */
static size_t
rec(uint8_t *buf, size_t off, uint16_t type, size_t len, int v)
{
	buf[off] = (uint8_t)(type >> 8);
	buf[off + 1] = (uint8_t)type;
	buf[off + 2] = (uint8_t)(len >> 8);
	buf[off + 3] = (uint8_t)len;
	memset(buf + off + 4, v, len);
	return off + 4 + len;
}

START_TEST(test_nts_ke_lengths)
{
	static uint8_t		 buf[NTS_KE_MAX_MSG + 64];
	struct nts_ke_msg	 m;
	size_t			 off, i;

	/* the record body limit, and unknown records outside it */
	off = rec(buf, 0, 0x8001, 2, 0);
	off = rec(buf, off, 0x8004, 2, 0);
	buf[off - 1] = 15;
	i = off;
	off = rec(buf, off, 0x0006, NTS_KE_MAX_SERVER, 'a');
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_request(buf, off, &m), NTS_KE_OK);
	ck_assert_uint_eq(strlen(m.server), NTS_KE_MAX_SERVER);
	off = rec(buf, i, 0x0006, NTS_KE_MAX_SERVER + 1, 'a');
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_request(buf, off, &m), NTS_KE_BAD);
	off = rec(buf, 0, 0x8001, NTS_KE_MAX_BODY + 2, 0);
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_request(buf, off, &m), NTS_KE_TOO_LONG);
	off = rec(buf, 0, 0x8001, 2, 0);
	off = rec(buf, off, 0x8004, 2, 0);
	buf[off - 1] = 15;
	off = rec(buf, i, 0x1234, 4000, 0);
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_request(buf, off, &m), NTS_KE_OK);

	/* a message of exactly the limit, and one byte more */
	off = rec(buf, i, 0x1234, NTS_KE_MAX_MSG - i - 8, 0);
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_uint_eq(off, NTS_KE_MAX_MSG);
	ck_assert_int_eq(nts_ke_parse_request(buf, off, &m), NTS_KE_OK);
	off = rec(buf, i, 0x1234, NTS_KE_MAX_MSG - i - 7, 0);
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_request(buf, off, &m), NTS_KE_TOO_LONG);

	/* cookies: up to 256 bytes; more than 8 are skipped */
	off = rec(buf, 0, 0x8001, 2, 0);
	off = rec(buf, off, 0x8004, 2, 0);
	buf[off - 1] = 15;
	for (i = 0; i < 10; i++)
		off = rec(buf, off, 0x0005, NTS_COOKIE_MAX, (int)i);
	i = off;
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_response(buf, off, &m), NTS_KE_OK);
	ck_assert_int_eq(m.n_cookies, NTS_MAX_COOKIES);
	ck_assert_uint_eq(m.cookie_len[7], NTS_COOKIE_MAX);
	ck_assert_int_eq(m.cookie[7][0], 7);
	off = rec(buf, i, 0x0005, NTS_COOKIE_MAX + 1, 0);
	off = rec(buf, off, 0x8000, 0, 0);
	ck_assert_int_eq(nts_ke_parse_response(buf, off, &m),
	    NTS_KE_TOO_LONG);
}
END_TEST

START_TEST(test_nts_ke_error_codes)
{
	ck_assert_int_eq(nts_ke_error_code(NTS_KE_CRITICAL_UNKNOWN),
	    NTS_KE_ERR_UNRECOGNIZED);
	ck_assert_int_eq(nts_ke_error_code(NTS_KE_BAD),
	    NTS_KE_ERR_BAD_REQUEST);
	ck_assert_int_eq(nts_ke_error_code(NTS_KE_NO_END),
	    NTS_KE_ERR_BAD_REQUEST);
	ck_assert_int_eq(nts_ke_error_code(NTS_KE_DUPLICATE),
	    NTS_KE_ERR_BAD_REQUEST);
	ck_assert_str_eq(nts_ke_reason_str(NTS_KE_NREASONS), "?");
}
END_TEST

START_TEST(test_nts_ke_scan)
{
	static uint8_t	 big[NTS_KE_MAX_MSG + 8];
	uint8_t		 buf[64];
	size_t		 n, i, len;

	n = nts_ke_request(buf, sizeof(buf), "a", 1);
	/* every prefix needs more; the whole message is one */
	for (i = 0; i < n; i++)
		ck_assert_int_eq(nts_ke_scan(buf, i, &len), 0);
	ck_assert_int_eq(nts_ke_scan(buf, n, &len), 1);
	ck_assert_uint_eq(len, n);
	/* bytes of the next message after it */
	memset(buf + n, 0, 8);
	ck_assert_int_eq(nts_ke_scan(buf, n + 8, &len), 1);
	ck_assert_uint_eq(len, n);
	/* a message that cannot end within the limit */
	memcpy(big, "\x12\x34\xff\xf0", 4);	/* body 65520 bytes */
	ck_assert_int_eq(nts_ke_scan(big, 4, &len), -1);
	memset(big, 0, sizeof(big));
	for (i = 0; i + 4 <= sizeof(big); i += 4)
		rec(big, i, 0x1234, 0, 0);
	ck_assert_int_eq(nts_ke_scan(big, sizeof(big), &len), -1);
}
END_TEST

START_TEST(test_nts_ke_exporter_context)
{
	uint8_t	 ctx[NTS_KE_CONTEXT_LEN];
	uint8_t	 c2s[] = { 0, 0, 0, 15, 0 }, s2c[] = { 0, 0, 0, 15, 1 };

	nts_ke_exporter_context(NTS_AEAD_AES_SIV_CMAC_256, 0, ctx);
	ck_assert(memcmp(ctx, c2s, sizeof(ctx)) == 0);
	nts_ke_exporter_context(NTS_AEAD_AES_SIV_CMAC_256, 1, ctx);
	ck_assert(memcmp(ctx, s2c, sizeof(ctx)) == 0);
	ck_assert_str_eq(NTS_KE_EXPORTER_LABEL,
	    "EXPORTER-network-time-security");
	ck_assert_uint_eq(nts_aead_key_len(15), 32);
	ck_assert_uint_eq(nts_aead_key_len(17), 0);
}
END_TEST

/* --- cookies and master keys ------------------------------------------- */

static void
some_keys(struct nts_keys *k, int v)
{
	k->aead = NTS_AEAD_AES_SIV_CMAC_256;
	memset(k->c2s, v, sizeof(k->c2s));
	memset(k->s2c, v + 1, sizeof(k->s2c));
}

static int
keys_eq(const struct nts_keys *a, const struct nts_keys *b)
{
	return a->aead == b->aead && memcmp(a->c2s, b->c2s, NTS_KEY_LEN) == 0 &&
	    memcmp(a->s2c, b->s2c, NTS_KEY_LEN) == 0;
}

static void
rotate(struct nts_keyring *r, uint64_t *seed)
{
	uint8_t	 rnd[NTS_ROTATE_RND_LEN];

	fill(seed, rnd, sizeof(rnd));
	ck_assert_int_eq(nts_keyring_rotate(r, rnd, sizeof(rnd)), 0);
}

START_TEST(test_nts_cookie_seal_open)
{
	uint64_t		 seed = test_seed("test_nts_cookie_seal_open");
	struct nts_keyring	*r;
	struct nts_keys		 k, got;
	uint8_t			 nonce[NTS_NONCE_LEN], c[NTS_COOKIE_LEN];
	uint8_t			 c2[NTS_COOKIE_LEN];
	size_t			 i;

	ck_assert_ptr_nonnull(r = nts_keyring_new());
	some_keys(&k, 7);
	fill(&seed, nonce, sizeof(nonce));
	/* no key yet: nothing seals, nothing opens */
	ck_assert_int_eq(nts_cookie_seal(r, &k, nonce, c), -1);
	rotate(r, &seed);
	ck_assert_int_eq(nts_cookie_seal(r, &k, nonce, c), 0);
	ck_assert_int_eq(nts_cookie_open(r, c, sizeof(c), &got), 0);
	ck_assert(keys_eq(&k, &got));
	/* a new nonce, a new cookie; the same keys inside */
	nonce[0] ^= 1;
	ck_assert_int_eq(nts_cookie_seal(r, &k, nonce, c2), 0);
	ck_assert(memcmp(c, c2, sizeof(c)) != 0);
	ck_assert_int_eq(nts_cookie_open(r, c2, sizeof(c2), &got), 0);
	ck_assert(keys_eq(&k, &got));
	/* lengths, and one changed byte anywhere */
	ck_assert_int_eq(nts_cookie_open(r, c, sizeof(c) - 4, &got), -1);
	ck_assert_int_eq(nts_cookie_open(r, c, 0, &got), -1);
	for (i = 0; i < sizeof(c); i++) {
		c[i] ^= (uint8_t)(1 + rnd_next(&seed) % 255);
		memset(&got, 0xee, sizeof(got));
		ck_assert_int_eq(nts_cookie_open(r, c, sizeof(c), &got), -1);
		ck_assert_int_eq(got.aead | got.c2s[0] | got.s2c[31], 0);
		memcpy(c, c2, sizeof(c));
	}
	/* an AEAD we cannot do is not sealed */
	k.aead = 17;
	ck_assert_int_eq(nts_cookie_seal(r, &k, nonce, c), -1);
	nts_keyring_free(r);
	nts_keyring_free(NULL);
}
END_TEST

START_TEST(test_nts_cookie_across_rotation)
{
	uint64_t		 seed = test_seed("test_nts_cookie_rotation");
	struct nts_keyring	*r;
	struct nts_keys		 k, got;
	uint8_t			 nonce[NTS_NONCE_LEN];
	uint8_t			 c[NTS_KEYRING_SIZE + 1][NTS_COOKIE_LEN];
	uint32_t		 id, id2;
	int			 i, j;

	ck_assert_ptr_nonnull(r = nts_keyring_new());
	ck_assert_int_eq(nts_keyring_current(r, &id), -1);
	some_keys(&k, 1);
	fill(&seed, nonce, sizeof(nonce));
	/* a cookie from each key, then rotate */
	for (i = 0; i <= NTS_KEYRING_SIZE; i++) {
		rotate(r, &seed);
		ck_assert_int_eq(nts_keyring_current(r, &id), 0);
		ck_assert_uint_eq(id & 0x80000000U, 0);
		ck_assert_int_eq(nts_cookie_seal(r, &k, nonce, c[i]), 0);
	}
	/* the oldest key has gone; the last NTS_KEYRING_SIZE still open */
	ck_assert_int_eq(nts_cookie_open(r, c[0], NTS_COOKIE_LEN, &got), -1);
	for (i = 1; i <= NTS_KEYRING_SIZE; i++) {
		ck_assert_int_eq(nts_cookie_open(r, c[i], NTS_COOKIE_LEN,
		    &got), 0);
		ck_assert(keys_eq(&k, &got));
	}
	/* one more rotation drops the next */
	rotate(r, &seed);
	ck_assert_int_eq(nts_cookie_open(r, c[1], NTS_COOKIE_LEN, &got), -1);
	ck_assert_int_eq(nts_cookie_open(r, c[2], NTS_COOKIE_LEN, &got), 0);

	/* an id already in the ring is refused; an unknown id fails */
	ck_assert_int_eq(nts_keyring_current(r, &id), 0);
	ck_assert_int_eq(nts_keyring_add(r, id, c[3]), -1);
	c[2][0] ^= 0x40;
	ck_assert_int_eq(nts_cookie_open(r, c[2], NTS_COOKIE_LEN, &got), -1);
	/* rotation never reuses an id that is held */
	for (j = 0; j < 20; j++) {
		uint8_t	 rnd[NTS_ROTATE_RND_LEN] = { 0 };

		ck_assert_int_eq(nts_keyring_rotate(r, rnd, sizeof(rnd)), 0);
		ck_assert_int_eq(nts_keyring_current(r, &id2), 0);
		ck_assert_uint_lt(id2, NTS_KEYRING_SIZE + 1);
	}
	nts_keyring_free(r);
}
END_TEST

/* RFC 5869 by hand: extract with a zero salt, one block of expand. */
static void
hkdf_by_hand(const uint8_t *seed, size_t seedlen, uint64_t period,
    uint8_t okm[32])
{
	static const uint8_t	 salt[32];
	uint8_t			 prk[32], info[64];
	unsigned int		 len;
	size_t			 n;
	int			 i;

	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), salt, sizeof(salt), seed,
	    seedlen, prk, &len));
	n = strlen("timed nts cookie key");
	memcpy(info, "timed nts cookie key", n);
	for (i = 0; i < 8; i++)
		info[n++] = (uint8_t)(period >> (56 - 8 * i));
	info[n++] = 0x01;
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), prk, sizeof(prk), info, n,
	    okm, &len));
	ck_assert_uint_eq(len, 32);
}

START_TEST(test_nts_cookie_fleet_seed)
{
	static const int64_t	 week = 7 * 86400;
	struct nts_keyring	*a, *b;
	struct nts_keys		 k, got;
	uint8_t			 seed[32], other[32], nonce[NTS_NONCE_LEN];
	uint8_t			 key1[32], key2[32], c[NTS_COOKIE_LEN];
	uint32_t		 id1, id2;
	int64_t			 t0 = 1764000000;

	memset(seed, 0x33, sizeof(seed));
	memset(other, 0x34, sizeof(other));
	memset(nonce, 0x01, sizeof(nonce));
	some_keys(&k, 9);

	/* derivation: deterministic, one key per period, ids marked */
	ck_assert_int_eq(nts_key_derive(seed, 32, 1000, key1, &id1), 0);
	ck_assert_int_eq(nts_key_derive(seed, 32, 1000, key2, &id2), 0);
	ck_assert(memcmp(key1, key2, 32) == 0);
	ck_assert_uint_eq(id1, 0x80000000U | 1000);
	hkdf_by_hand(seed, sizeof(seed), 1000, key2);
	ck_assert(memcmp(key1, key2, 32) == 0);
	ck_assert_int_eq(nts_key_derive(seed, 32, 0x123456789aULL, key1,
	    &id1), 0);
	hkdf_by_hand(seed, sizeof(seed), 0x123456789aULL, key2);
	ck_assert(memcmp(key1, key2, 32) == 0);
	ck_assert_uint_eq(id1, 0x80000000U | 0x3456789aU);
	ck_assert_int_eq(nts_key_derive(seed, 32, 1001, key2, &id2), 0);
	ck_assert(memcmp(key1, key2, 32) != 0);
	ck_assert_int_eq(nts_key_derive(other, 32, 1000, key2, &id2), 0);
	ck_assert(memcmp(key1, key2, 32) != 0);
	ck_assert_int_eq(nts_key_derive(seed, 31, 1000, key2, &id2), -1);

	ck_assert_ptr_nonnull(a = nts_keyring_new());
	ck_assert_ptr_nonnull(b = nts_keyring_new());
	/* two servers, a day apart in the same week: each other's cookies */
	ck_assert_int_eq(nts_keyring_sync_seed(a, seed, 32, t0, week), 0);
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 32, t0 + 86400, week),
	    0);
	ck_assert_int_eq(nts_cookie_seal(a, &k, nonce, c), 0);
	ck_assert_int_eq(nts_cookie_open(b, c, sizeof(c), &got), 0);
	ck_assert(keys_eq(&k, &got));
	ck_assert_int_eq(nts_keyring_current(a, &id1), 0);
	ck_assert_uint_eq(id1, 0x80000000U | (uint32_t)(t0 / week));

	/* b rotates into the next week: still opens a's cookie; and a
	   opens b's new cookies, sealed with the key a holds as next */
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 32, t0 + week, week),
	    0);
	ck_assert_int_eq(nts_cookie_open(b, c, sizeof(c), &got), 0);
	ck_assert_int_eq(nts_cookie_seal(b, &k, nonce, c), 0);
	ck_assert_int_eq(nts_cookie_open(a, c, sizeof(c), &got), 0);
	/* two weeks on, b still opens it; three weeks on, no more */
	ck_assert_int_eq(nts_cookie_seal(a, &k, nonce, c), 0);
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 32, t0 + 2 * week,
	    week), 0);
	ck_assert_int_eq(nts_cookie_open(b, c, sizeof(c), &got), 0);
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 32, t0 + 3 * week,
	    week), 0);
	ck_assert_int_eq(nts_cookie_open(b, c, sizeof(c), &got), -1);
	/* a fleet with another seed does not accept them */
	ck_assert_int_eq(nts_keyring_sync_seed(b, other, 32, t0, week), 0);
	ck_assert_int_eq(nts_cookie_open(b, c, sizeof(c), &got), -1);
	/* nonsense times and intervals */
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 32, t0, 0), -1);
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 32, -1, week), -1);
	ck_assert_int_eq(nts_keyring_sync_seed(b, seed, 16, t0, week), -1);
	nts_keyring_free(a);
	nts_keyring_free(b);
}
END_TEST

START_TEST(test_nts_keyfile_round_trip)
{
	uint64_t		 seed = test_seed("test_nts_keyfile");
	struct nts_keyring	*r, *r2;
	struct nts_keyfile	 kf, kf2;
	struct nts_keys		 k, got;
	uint8_t			 nonce[NTS_NONCE_LEN] = { 0 };
	uint8_t			 c[NTS_COOKIE_LEN];
	char			 buf[NTS_KEYFILE_MAX];
	size_t			 n, i;
	int			 line;

	ck_assert_ptr_nonnull(r = nts_keyring_new());
	ck_assert_ptr_nonnull(r2 = nts_keyring_new());
	some_keys(&k, 3);
	for (i = 0; i < NTS_KEYRING_SIZE + 2; i++)
		rotate(r, &seed);
	ck_assert_int_eq(nts_cookie_seal(r, &k, nonce, c), 0);
	nts_keyring_export(r, &kf);
	ck_assert_int_eq(kf.n_keys, NTS_KEYRING_SIZE);
	n = nts_keyfile_write(&kf, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_int_eq(nts_keyfile_parse(buf, n, &kf2, &line), 0);
	ck_assert_int_eq(kf2.n_keys, NTS_KEYRING_SIZE);
	ck_assert(memcmp(kf.key, kf2.key, sizeof(kf.key)) == 0);
	ck_assert(memcmp(kf.id, kf2.id, sizeof(kf.id)) == 0);
	ck_assert_int_eq(nts_keyring_load(r2, &kf2, 0), 0);
	ck_assert_int_eq(nts_cookie_open(r2, c, sizeof(c), &got), 0);
	ck_assert(keys_eq(&k, &got));
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(nts_keyfile_write(&kf, buf, i), 0);

	/* a seed file */
	memset(&kf, 0, sizeof(kf));
	kf.has_seed = 1;
	kf.seedlen = 48;
	fill(&seed, kf.seed, kf.seedlen);
	kf.interval_s = 604800;
	n = nts_keyfile_write(&kf, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(nts_keyfile_parse(buf, n, &kf2, &line), 0);
	ck_assert_int_eq(kf2.has_seed, 1);
	ck_assert_uint_eq(kf2.seedlen, 48);
	ck_assert(memcmp(kf.seed, kf2.seed, 48) == 0);
	ck_assert_uint_eq(kf2.interval_s, 604800);
	ck_assert_int_eq(nts_keyring_load(r2, &kf2, 1764000000), 0);
	ck_assert_int_eq(nts_cookie_open(r2, c, sizeof(c), &got), -1);
	nts_keyring_free(r);
	nts_keyring_free(r2);
}
END_TEST

#define KEYHEX	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define SEEDHEX	KEYHEX

struct kf_row {
	const char	*what;
	const char	*text;
	int		 line;	/* -1: parses */
};

static const struct kf_row	kf_rows[] = {
	{ "one key", "timed-nts-keys 1\nkey 00000001 " KEYHEX "\n", -1 },
	{ "seed", "timed-nts-keys 1\nseed " SEEDHEX "\ninterval 3600\n", -1 },
	{ "interval first", "timed-nts-keys 1\ninterval 3600\nseed " SEEDHEX
	    "\n", 2 },
	{ "empty", "", 1 },
	{ "magic only", "timed-nts-keys 1\n", 0 },
	{ "version 2", "timed-nts-keys 2\nkey 00000001 " KEYHEX "\n", 1 },
	{ "no newline at the end", "timed-nts-keys 1\nkey 00000001 " KEYHEX,
	    2 },
	{ "upper-case hex", "timed-nts-keys 1\nkey 0000000A " KEYHEX "\n", 2 },
	{ "short key", "timed-nts-keys 1\nkey 00000001 0001\n", 2 },
	{ "short id", "timed-nts-keys 1\nkey 0001 " KEYHEX "\n", 2 },
	{ "two spaces", "timed-nts-keys 1\nkey  00000001 " KEYHEX "\n", 2 },
	{ "repeated id", "timed-nts-keys 1\nkey 00000001 " KEYHEX
	    "\nkey 00000001 " KEYHEX "\n", 3 },
	{ "five keys", "timed-nts-keys 1\nkey 00000001 " KEYHEX
	    "\nkey 00000002 " KEYHEX "\nkey 00000003 " KEYHEX
	    "\nkey 00000004 " KEYHEX "\nkey 00000005 " KEYHEX "\n", 6 },
	{ "seed and key", "timed-nts-keys 1\nseed " SEEDHEX "\ninterval 60\n"
	    "key 00000001 " KEYHEX "\n", 4 },
	{ "seed without interval", "timed-nts-keys 1\nseed " SEEDHEX "\n",
	    0 },
	{ "interval without seed", "timed-nts-keys 1\ninterval 60\n", 2 },
	{ "interval 0", "timed-nts-keys 1\nseed " SEEDHEX "\ninterval 0\n",
	    3 },
	{ "interval 2^32", "timed-nts-keys 1\nseed " SEEDHEX
	    "\ninterval 4294967296\n", 3 },
	{ "interval -1", "timed-nts-keys 1\nseed " SEEDHEX
	    "\ninterval -1\n", 3 },
	{ "short seed", "timed-nts-keys 1\nseed 0011\ninterval 60\n", 2 },
	{ "two seeds", "timed-nts-keys 1\nseed " SEEDHEX "\nseed " SEEDHEX
	    "\ninterval 60\n", 3 },
	{ "an unknown line", "timed-nts-keys 1\nkey 00000001 " KEYHEX
	    "\n# comment\n", 3 },
	{ "an empty line", "timed-nts-keys 1\n\nkey 00000001 " KEYHEX "\n",
	    2 },
};

START_TEST(test_nts_keyfile_rows)
{
	const struct kf_row	*row = &kf_rows[_i];
	struct nts_keyfile	 kf;
	int			 line = 99, rc;

	rc = nts_keyfile_parse(row->text, strlen(row->text), &kf, &line);
	if (row->line == -1)
		ck_assert_msg(rc == 0, "%s: refused at line %d", row->what,
		    line);
	else {
		ck_assert_msg(rc == -1, "%s: parsed", row->what);
		ck_assert_msg(line == row->line, "%s: line %d, not %d",
		    row->what, line, row->line);
	}
}
END_TEST

/* --- NTS extension fields ---------------------------------------------- */

/* A server with a key, a client with keys from NTS-KE and a cookie. */
struct fix {
	uint64_t		 seed;
	struct nts_keyring	*ring;
	struct siv		*c2s, *s2c, *scratch;
	struct nts_keys		 keys;
	uint8_t			 cookie[NTS_COOKIE_LEN];
	uint8_t			 uid[NTS_UID_LEN];
};

static const struct srv_state	synced = {
	PKT_LEAP_NONE, 2, -24, 0xc0000201, 0xed1c2b3a80000000ULL, 0.015, 0.5,
	PKT_MIN_POLL_ANY
};

static void
fix_init(struct fix *f, const char *test)
{
	uint8_t	 nonce[NTS_NONCE_LEN];

	f->seed = test_seed(test);
	ck_assert_ptr_nonnull(f->ring = nts_keyring_new());
	rotate(f->ring, &f->seed);
	f->keys.aead = NTS_AEAD_AES_SIV_CMAC_256;
	fill(&f->seed, f->keys.c2s, NTS_KEY_LEN);
	fill(&f->seed, f->keys.s2c, NTS_KEY_LEN);
	fill(&f->seed, nonce, sizeof(nonce));
	fill(&f->seed, f->uid, sizeof(f->uid));
	ck_assert_int_eq(nts_cookie_seal(f->ring, &f->keys, nonce, f->cookie),
	    0);
	ck_assert_ptr_nonnull(f->c2s = siv_new(f->keys.c2s, NTS_KEY_LEN));
	ck_assert_ptr_nonnull(f->s2c = siv_new(f->keys.s2c, NTS_KEY_LEN));
	ck_assert_ptr_nonnull(f->scratch = siv_new(f->keys.c2s,
	    NTS_KEY_LEN));
}

static void
fix_free(struct fix *f)
{
	siv_free(f->c2s);
	siv_free(f->s2c);
	siv_free(f->scratch);
	nts_keyring_free(f->ring);
}

/* A client request with np placeholders; its length. */
static size_t
client_request(struct fix *f, int np, uint8_t *pkt, size_t size)
{
	uint8_t	 nonce[NTS_NONCE_LEN];
	size_t	 n, i;

	memset(pkt, 0, PKT_HDR_LEN);
	pkt[0] = 0x23;
	for (i = 40; i < PKT_HDR_LEN; i++)
		pkt[i] = (uint8_t)rnd_next(&f->seed);
	fill(&f->seed, nonce, sizeof(nonce));
	n = nts_client_request(f->c2s, pkt, size, f->uid, f->cookie,
	    sizeof(f->cookie), np, nonce);
	ck_assert_uint_gt(n, 0);
	return n;
}

/* The server's answer to a request; its length, 0 if none. */
static size_t
server_answer(struct fix *f, const uint8_t *req, size_t reqlen,
    uint8_t *out, size_t size, enum nts_result *res)
{
	uint8_t		 rnd[NTS_RESPOND_RND_LEN];
	struct nts_req	 rq;
	struct nts_keys	 k;
	struct pkt	 q;
	size_t		 n;

	*res = nts_server_check(f->ring, f->scratch, req, reqlen, &rq, &k);
	if (*res != NTS_OK) {
		nts_keys_clear(&k);
		return 0;
	}
	ck_assert_int_eq(pkt_check_request(&q, req, reqlen), PKT_OK);
	ck_assert_uint_eq(pkt_respond(&synced, &q, 1, 0, out, size),
	    PKT_HDR_LEN);
	fill(&f->seed, rnd, sizeof(rnd));
	n = nts_server_respond(f->ring, f->scratch, &rq, &k, rnd, sizeof(rnd),
	    out, size, reqlen);
	nts_keys_clear(&k);
	return n;
}

START_TEST(test_nts_ef_round_trip)
{
	struct fix		 f;
	struct nts_cookies	 ck;
	struct nts_req		 rq;
	struct nts_keys		 k, got;
	struct pkt		 p;
	enum nts_result		 res;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	size_t			 reqlen, anslen;
	int			 np, i;

	fix_init(&f, "test_nts_ef_round_trip");
	for (np = 0; np < NTS_MAX_COOKIES; np++) {
		reqlen = client_request(&f, np, req, sizeof(req));
		/* the NTP codec walks it as fields, no MAC */
		ck_assert_int_eq(pkt_decode(&p, req, reqlen), PKT_OK);
		ck_assert_int_eq(p.n_ef, 3 + np);
		ck_assert_uint_eq(p.mac_len, 0);
		ck_assert_int_eq(nts_server_check(f.ring, f.scratch, req,
		    reqlen, &rq, &k), NTS_OK);
		ck_assert_int_eq(rq.n_placeholders, np);
		ck_assert_uint_eq(rq.cookie_len, NTS_COOKIE_LEN);
		ck_assert_uint_eq(rq.uid_len, NTS_UID_LEN);
		ck_assert(keys_eq(&k, &f.keys));

		anslen = server_answer(&f, req, reqlen, ans, sizeof(ans), &res);
		ck_assert_int_eq(res, NTS_OK);
		/* RFC 8915 5.7; equal with a 16-byte nonce and our cookies */
		ck_assert_uint_eq(anslen, reqlen);
		ck_assert_int_eq(pkt_decode(&p, ans, anslen), PKT_OK);
		ck_assert_int_eq(p.mode, PKT_MODE_SERVER);
		ck_assert_int_eq(p.n_ef, 2);

		ck_assert_int_eq(nts_client_check(f.s2c, ans, anslen, f.uid,
		    &ck), NTS_OK);
		ck_assert_int_eq(ck.n, np + 1);
		for (i = 0; i < ck.n; i++) {
			ck_assert_uint_eq(ck.len[i], NTS_COOKIE_LEN);
			ck_assert_int_eq(nts_cookie_open(f.ring, ck.cookie[i],
			    ck.len[i], &got), 0);
			ck_assert(keys_eq(&got, &f.keys));
		}
		/* not for another request's UID, nor with the C2S key */
		f.uid[5] ^= 1;
		ck_assert_int_eq(nts_client_check(f.s2c, ans, anslen, f.uid,
		    &ck), NTS_ERR_UID);
		f.uid[5] ^= 1;
		ck_assert_int_eq(nts_client_check(f.c2s, ans, anslen, f.uid,
		    &ck), NTS_ERR_AUTH);
		ck_assert_int_eq(ck.n, 0);
	}
	nts_keys_clear(&k);
	fix_free(&f);
}
END_TEST

/* One byte changed anywhere in a request or an answer: refused. */
START_TEST(test_nts_ef_tamper)
{
	struct fix		 f;
	struct nts_cookies	 ck;
	enum nts_result		 res;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	uint8_t			 out[PKT_MAX_LEN];
	size_t			 reqlen, anslen, i;
	uint8_t			 x;

	fix_init(&f, "test_nts_ef_tamper");
	reqlen = client_request(&f, 2, req, sizeof(req));
	anslen = server_answer(&f, req, reqlen, ans, sizeof(ans), &res);
	ck_assert_int_eq(res, NTS_OK);
	for (i = 0; i < reqlen; i++) {
		x = (uint8_t)(1 + rnd_next(&f.seed) % 255);
		req[i] ^= x;
		(void)server_answer(&f, req, reqlen, out, sizeof(out), &res);
		ck_assert_msg(res != NTS_OK, "request byte %zu ^ %02x passed",
		    i, x);
		req[i] ^= x;
	}
	for (i = 0; i < anslen; i++) {
		x = (uint8_t)(1 + rnd_next(&f.seed) % 255);
		ans[i] ^= x;
		ck_assert_msg(nts_client_check(f.s2c, ans, anslen, f.uid, &ck)
		    != NTS_OK, "answer byte %zu ^ %02x passed", i, x);
		ck_assert_int_eq(ck.n, 0);
		ans[i] ^= x;
	}
	/* and whole: both still good */
	(void)server_answer(&f, req, reqlen, out, sizeof(out), &res);
	ck_assert_int_eq(res, NTS_OK);
	ck_assert_int_eq(nts_client_check(f.s2c, ans, anslen, f.uid, &ck),
	    NTS_OK);
	/* cut short by a word, or grown by one */
	ck_assert_int_ne(nts_client_check(f.s2c, ans, anslen - 4, f.uid, &ck),
	    NTS_OK);
	memset(ans + anslen, 0, 16);
	ck_assert_int_ne(nts_client_check(f.s2c, ans, anslen + 16, f.uid,
	    &ck), NTS_OK);
	fix_free(&f);
}
END_TEST

START_TEST(test_nts_ef_nak)
{
	struct fix		 f;
	struct nts_cookies	 ck;
	struct nts_keyring	*other;
	struct nts_req		 rq;
	struct nts_keys		 k;
	struct pkt		 p, q;
	uint8_t			 req[PKT_MAX_LEN], ans[PKT_MAX_LEN];
	size_t			 reqlen, n;

	fix_init(&f, "test_nts_ef_nak");
	reqlen = client_request(&f, 1, req, sizeof(req));
	/* a server that restarted with a new key: the cookie is unknown */
	ck_assert_ptr_nonnull(other = nts_keyring_new());
	rotate(other, &f.seed);
	ck_assert_int_eq(nts_server_check(other, f.scratch, req, reqlen, &rq,
	    &k), NTS_ERR_COOKIE);
	ck_assert_int_eq(k.aead, 0);
	ck_assert_ptr_nonnull(rq.uid);
	ck_assert_int_eq(pkt_check_request(&q, req, reqlen), PKT_OK);
	ck_assert_uint_eq(pkt_respond(&synced, &q, 1, NTS_KOD_NTSN, ans,
	    sizeof(ans)), PKT_HDR_LEN);
	n = nts_server_nak(&rq, ans, sizeof(ans), reqlen);
	ck_assert_uint_eq(n, PKT_HDR_LEN + 4 + NTS_UID_LEN);
	ck_assert_uint_le(n, reqlen);
	ck_assert_int_eq(pkt_decode(&p, ans, n), PKT_OK);
	ck_assert_int_eq(p.stratum, 0);
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n, f.uid, &ck), NTS_NAK);
	f.uid[0] ^= 0x80;
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n, f.uid, &ck),
	    NTS_ERR_UID);
	f.uid[0] ^= 0x80;
	/* a NAK with an authenticator is no NAK */
	memcpy(ans + n, "\x04\x04\x00\x28\x00\x10\x00\x10", 8);
	memset(ans + n + 8, 0, 32);
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n + 40, f.uid, &ck),
	    NTS_ERR_MALFORMED);
	ck_assert_uint_eq(nts_server_nak(&rq, ans, sizeof(ans), n - 4), 0);

	/* the right cookie, a request sealed with another key */
	ck_assert_int_eq(siv_setkey(f.c2s, f.keys.s2c, NTS_KEY_LEN), 0);
	reqlen = client_request(&f, 0, req, sizeof(req));
	ck_assert_int_eq(nts_server_check(f.ring, f.scratch, req, reqlen, &rq,
	    &k), NTS_ERR_AUTH);
	ck_assert_int_eq(k.aead | k.c2s[0] | k.s2c[0], 0);
	nts_keyring_free(other);
	fix_free(&f);
}
END_TEST

/* Never larger than the request: fewer cookies when the request is short. */
START_TEST(test_nts_ef_answer_never_larger)
{
	struct fix		 f;
	struct nts_cookies	 ck;
	struct nts_req		 rq;
	uint8_t			 rnd[NTS_RESPOND_RND_LEN] = { 0 };
	uint8_t			 ans[PKT_MAX_LEN];
	size_t			 reqlen, n, base, want;

	fix_init(&f, "test_nts_ef_answer_never_larger");
	memset(&rq, 0, sizeof(rq));
	rq.uid = f.uid;
	rq.uid_len = NTS_UID_LEN;
	rq.n_placeholders = 20;
	base = PKT_HDR_LEN + 4 + NTS_UID_LEN + 40;
	ck_assert_uint_eq(nts_server_respond(f.ring, f.scratch, &rq, &f.keys,
	    rnd, sizeof(rnd), ans, sizeof(ans), base - 4), 0);
	for (reqlen = base; reqlen <= PKT_MAX_LEN; reqlen += 4) {
		memset(ans, 0, PKT_HDR_LEN);
		ans[0] = 0x24;
		ans[1] = 2;
		n = nts_server_respond(f.ring, f.scratch, &rq, &f.keys, rnd,
		    sizeof(rnd), ans, sizeof(ans), reqlen);
		want = (reqlen - base) / (4 + NTS_COOKIE_LEN);
		if (want > NTS_MAX_COOKIES)
			want = NTS_MAX_COOKIES;
		ck_assert_uint_eq(n, base + want * (4 + NTS_COOKIE_LEN));
		ck_assert_uint_le(n, reqlen);
		ck_assert_int_eq(nts_client_check(f.s2c, ans, n, f.uid, &ck),
		    NTS_OK);
		ck_assert_int_eq(ck.n, (int)want);
	}
	/* and never past the caller's buffer */
	ck_assert_uint_eq(nts_server_respond(f.ring, f.scratch, &rq, &f.keys,
	    rnd, sizeof(rnd), ans, base + 100, PKT_MAX_LEN), 0);
	ck_assert_uint_eq(nts_server_respond(f.ring, f.scratch, &rq, &f.keys,
	    rnd, sizeof(rnd) - 1, ans, sizeof(ans), PKT_MAX_LEN), 0);
	fix_free(&f);
}
END_TEST

START_TEST(test_nts_ef_client_request_limits)
{
	struct fix	 f;
	uint8_t		 pkt[2 * PKT_MAX_LEN], cookie[NTS_COOKIE_MAX + 1];
	uint8_t		 nonce[NTS_NONCE_LEN] = { 0 };
	struct nts_req	 rq;
	size_t		 n, i;

	fix_init(&f, "test_nts_ef_client_request_limits");
	memset(cookie, 0xc5, sizeof(cookie));
	memset(pkt, 0, PKT_HDR_LEN);
	pkt[0] = 0x23;
	ck_assert_uint_eq(nts_client_request(f.c2s, pkt, sizeof(pkt), f.uid,
	    cookie, 11, 0, nonce), 0);
	ck_assert_uint_eq(nts_client_request(f.c2s, pkt, sizeof(pkt), f.uid,
	    cookie, NTS_COOKIE_MAX + 1, 0, nonce), 0);
	ck_assert_uint_eq(nts_client_request(f.c2s, pkt, sizeof(pkt), f.uid,
	    cookie, 100, NTS_MAX_COOKIES, nonce), 0);
	ck_assert_uint_eq(nts_client_request(f.c2s, pkt, sizeof(pkt), f.uid,
	    cookie, 100, -1, nonce), 0);
	/* longer than an NTP packet may be */
	ck_assert_uint_eq(nts_client_request(f.c2s, pkt, sizeof(pkt), f.uid,
	    cookie, NTS_COOKIE_MAX, 3, nonce), 0);
	/* a cookie that is not whole words is padded with zeros */
	n = nts_client_request(f.c2s, pkt, sizeof(pkt), f.uid, cookie, 13, 2,
	    nonce);
	ck_assert_uint_eq(n, PKT_HDR_LEN + 36 + 3 * 20 + 40);
	ck_assert_int_eq(nts_request_parse(pkt, n, &rq), NTS_OK);
	ck_assert_uint_eq(rq.cookie_len, 16);
	ck_assert_int_eq(rq.cookie[12], 0xc5);
	ck_assert_int_eq(rq.cookie[13] | rq.cookie[15], 0);
	ck_assert_int_eq(rq.n_placeholders, 2);
	for (i = PKT_HDR_LEN; i < n; i++)
		ck_assert_uint_eq(nts_client_request(f.c2s, pkt, i, f.uid,
		    cookie, 13, 2, nonce), 0);
	fix_free(&f);
}
END_TEST

/* Requests as lists of fields; authenticators by their two lengths. */
struct efs {
	uint16_t	 type;
	uint16_t	 len;		/* in the field's header */
	uint16_t	 bytes;		/* written; 0: len */
	uint16_t	 nlen, ctlen;	/* authenticator */
};

struct ef_row {
	const char	*what;
	uint8_t		 lvm;
	struct efs	 ef[6];
	enum nts_result	 want;
	int		 n_placeholders;
};

#define UID	{ 0x0104, 36, 0, 0, 0 }
#define CK	{ 0x0204, 108, 0, 0, 0 }
#define PH	{ 0x0304, 108, 0, 0, 0 }
#define AUTH	{ 0x0404, 40, 0, 16, 16 }
#define AUTHX(l, n, c)	{ 0x0404, l, 0, n, c }
#define F(t, l)		{ t, l, 0, 0, 0 }
#define FB(t, l, b)	{ t, l, b, 0, 0 }

static const struct ef_row	ef_rows[] = {
	{ "valid", 0x23, { UID, CK, AUTH }, NTS_OK, 0 },
	{ "placeholders", 0x23, { UID, CK, PH, PH, AUTH }, NTS_OK, 2 },
	{ "placeholder first", 0x23, { PH, UID, CK, AUTH }, NTS_OK, 1 },
	{ "unknown field skipped", 0x23, { UID, F(0x2005, 16), CK, AUTH },
	    NTS_OK, 0 },
	{ "longer UID", 0x23, { F(0x0104, 68), CK, AUTH }, NTS_OK, 0 },
	{ "nonce of 12, padded to 16", 0x23, { UID, CK, AUTHX(40, 12, 16) },
	    NTS_OK, 0 },
	{ "nonce of 17", 0x23, { UID, CK, AUTHX(44, 17, 16) }, NTS_OK, 0 },
	{ "extra padding", 0x23, { UID, CK, AUTHX(56, 16, 16) }, NTS_OK, 0 },
	{ "ciphertext of 18", 0x23, { UID, CK, AUTHX(44, 16, 18) }, NTS_OK,
	    0 },
	{ "NTPv3", 0x1b, { UID, CK, AUTH }, NTS_ERR_MALFORMED, 0 },
	{ "no UID", 0x23, { CK, AUTH }, NTS_ERR_MALFORMED, 0 },
	{ "no cookie", 0x23, { UID, AUTH }, NTS_ERR_MALFORMED, 0 },
	{ "no authenticator", 0x23, { UID, CK }, NTS_ERR_MALFORMED, 0 },
	{ "UID of 28 bytes", 0x23, { F(0x0104, 32), CK, AUTH },
	    NTS_ERR_MALFORMED, 0 },
	{ "two UIDs", 0x23, { UID, UID, CK, AUTH }, NTS_ERR_MALFORMED, 0 },
	{ "two cookies", 0x23, { UID, CK, CK, AUTH }, NTS_ERR_MALFORMED, 0 },
	{ "two authenticators", 0x23, { UID, CK, AUTH, AUTH },
	    NTS_ERR_MALFORMED, 0 },
	{ "placeholder shorter", 0x23, { UID, CK, F(0x0304, 104), AUTH },
	    NTS_ERR_MALFORMED, 0 },
	{ "placeholders differ", 0x23, { UID, F(0x0304, 104), PH, CK, AUTH },
	    NTS_ERR_MALFORMED, 0 },
	{ "field after the authenticator", 0x23, { UID, CK, AUTH,
	    F(0x2005, 16) }, NTS_ERR_MALFORMED, 0 },
	{ "field of 12 bytes", 0x23, { UID, F(0x2005, 12), CK, AUTH },
	    NTS_ERR_MALFORMED, 0 },
	{ "field of 18 bytes", 0x23, { UID, FB(0x2005, 18, 20), CK, AUTH },
	    NTS_ERR_MALFORMED, 0 },
	{ "field past the end", 0x23, { UID, CK, { 0x0404, 44, 40, 16, 16 } },
	    NTS_ERR_MALFORMED, 0 },
	{ "empty nonce", 0x23, { UID, CK, AUTHX(40, 0, 16) },
	    NTS_ERR_MALFORMED, 0 },
	{ "ciphertext shorter than a tag", 0x23, { UID, CK,
	    AUTHX(40, 16, 12) }, NTS_ERR_MALFORMED, 0 },
	{ "lengths past the field", 0x23, { UID, CK, AUTHX(40, 16, 20) },
	    NTS_ERR_MALFORMED, 0 },
	{ "nonce of 12 unpadded", 0x23, { UID, CK, AUTHX(36, 12, 16) },
	    NTS_ERR_MALFORMED, 0 },
	{ "authenticator of 4 bytes", 0x23, { UID, CK, F(0x0404, 16) },
	    NTS_ERR_MALFORMED, 0 },
	{ "longer than 1024", 0x23, { UID, F(0x2005, 900), CK, AUTH },
	    NTS_ERR_MALFORMED, 0 },
};

static size_t
build(const struct ef_row *row, uint8_t *pkt)
{
	const struct efs	*e;
	size_t			 off = PKT_HDR_LEN, n;
	int			 i;

	memset(pkt, 0, PKT_MAX_LEN + 1024);
	pkt[0] = row->lvm;
	for (i = 0; i < 6 && row->ef[i].type != 0; i++) {
		e = &row->ef[i];
		n = e->bytes != 0 ? e->bytes : e->len;
		pkt[off] = (uint8_t)(e->type >> 8);
		pkt[off + 1] = (uint8_t)e->type;
		pkt[off + 2] = (uint8_t)(e->len >> 8);
		pkt[off + 3] = (uint8_t)e->len;
		memset(pkt + off + 4, 0xab, n - 4);
		if (e->type == NTS_EF_AUTH && n >= 8) {
			pkt[off + 4] = (uint8_t)(e->nlen >> 8);
			pkt[off + 5] = (uint8_t)e->nlen;
			pkt[off + 6] = (uint8_t)(e->ctlen >> 8);
			pkt[off + 7] = (uint8_t)e->ctlen;
		}
		off += n;
	}
	return off;
}

START_TEST(test_nts_ef_request_rows)
{
	const struct ef_row	*row = &ef_rows[_i];
	static uint8_t		 pkt[PKT_MAX_LEN + 1024];
	struct nts_req		 rq;
	enum nts_result		 r;
	size_t			 n;

	n = build(row, pkt);
	r = nts_request_parse(pkt, n, &rq);
	ck_assert_msg(r == row->want, "%s: %s", row->what, nts_result_str(r));
	if (r == NTS_OK) {
		ck_assert_int_eq(rq.n_placeholders, row->n_placeholders);
		/* everything it points at is inside the packet */
		ck_assert(rq.uid >= pkt + PKT_HDR_LEN &&
		    rq.uid + rq.uid_len <= pkt + n);
		ck_assert(rq.cookie + rq.cookie_len <= pkt + n);
		ck_assert(rq.nonce + rq.nonce_len <= pkt + n);
		ck_assert(rq.ct + rq.ct_len <= pkt + n);
		ck_assert_uint_lt(rq.auth_off, n);
	}
}
END_TEST

START_TEST(test_nts_ef_client_check_shapes)
{
	struct fix		 f;
	struct nts_cookies	 ck;
	uint8_t			 ans[PKT_MAX_LEN] = { 0x24, 2 };
	size_t			 n = PKT_HDR_LEN;

	fix_init(&f, "test_nts_ef_client_check_shapes");
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n, f.uid, &ck),
	    NTS_ERR_UID);
	/* our UID but no authenticator: not authenticated */
	memcpy(ans + n, "\x01\x04\x00\x24", 4);
	memcpy(ans + n + 4, f.uid, NTS_UID_LEN);
	n += 36;
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n, f.uid, &ck),
	    NTS_ERR_AUTH);
	/* two UIDs */
	memcpy(ans + n, ans + PKT_HDR_LEN, 36);
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n + 36, f.uid, &ck),
	    NTS_ERR_MALFORMED);
	/* short, odd, long, NTPv3 */
	ck_assert_int_eq(nts_client_check(f.s2c, ans, 44, f.uid, &ck),
	    NTS_ERR_MALFORMED);
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n - 2, f.uid, &ck),
	    NTS_ERR_MALFORMED);
	ck_assert_int_eq(nts_client_check(f.s2c, ans, PKT_MAX_LEN + 4, f.uid,
	    &ck), NTS_ERR_MALFORMED);
	ans[0] = 0x1c;
	ck_assert_int_eq(nts_client_check(f.s2c, ans, n, f.uid, &ck),
	    NTS_ERR_MALFORMED);
	ck_assert_str_eq(nts_result_str(NTS_NAK), "NTS NAK");
	fix_free(&f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("nts");
	TCase	*ke = tcase_create("ke");
	TCase	*cookie = tcase_create("cookie");
	TCase	*ef = tcase_create("ef");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(ke, test_nts_ke_request_round_trip);
	tcase_add_test(ke, test_nts_ke_response_round_trip);
	tcase_add_loop_test(ke, test_nts_ke_parse_request_rows, 0,
	    NELEM(req_rows));
	tcase_add_loop_test(ke, test_nts_ke_parse_response_rows, 0,
	    NELEM(resp_rows));
	tcase_add_test(ke, test_nts_ke_lengths);
	tcase_add_test(ke, test_nts_ke_error_codes);
	tcase_add_test(ke, test_nts_ke_scan);
	tcase_add_test(ke, test_nts_ke_exporter_context);
	suite_add_tcase(s, ke);

	tcase_add_test(cookie, test_nts_cookie_seal_open);
	tcase_add_test(cookie, test_nts_cookie_across_rotation);
	tcase_add_test(cookie, test_nts_cookie_fleet_seed);
	tcase_add_test(cookie, test_nts_keyfile_round_trip);
	tcase_add_loop_test(cookie, test_nts_keyfile_rows, 0, NELEM(kf_rows));
	suite_add_tcase(s, cookie);

	tcase_add_test(ef, test_nts_ef_round_trip);
	tcase_add_test(ef, test_nts_ef_tamper);
	tcase_add_test(ef, test_nts_ef_nak);
	tcase_add_test(ef, test_nts_ef_answer_never_larger);
	tcase_add_test(ef, test_nts_ef_client_request_limits);
	tcase_add_loop_test(ef, test_nts_ef_request_rows, 0, NELEM(ef_rows));
	tcase_add_test(ef, test_nts_ef_client_check_shapes);
	suite_add_tcase(s, ef);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
