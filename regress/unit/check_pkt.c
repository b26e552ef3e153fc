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

#include <sys/types.h>

#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkt.h"
#include "testrand.h"

#define S		1000000000LL
#define NTP_UNIX_OFF	2208988800LL
#define ERA1_UNIX_S	2085978496LL	/* 2036-02-07 06:28:16 UTC */
#define SENTINEL	0x5a
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A chrony client request: zeros but LI/VN/mode and a random transmit. */
static const uint8_t	chrony_req[PKT_HDR_LEN] = {
	0x23, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0x9e, 0x3c, 0x51, 0x07, 0xd2, 0x6a, 0xf0, 0x1b
};

static const struct srv_state	synced = {
	PKT_LEAP_NONE, 2, -24, 0xc0000201, 0xed1c2b3a80000000ULL,
	0.015, 0.5, PKT_MIN_POLL_ANY
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Decode table: a header with lvm, then the extension fields whose length
 * words are ef[0..nef-1] (the list written repeat times), each laid at the
 * offset its predecessor's length word points to; every other byte after
 * the header is 0xa5 (a MAC, or garbage).
 */
struct dec_row {
	const char	*what;
	uint8_t		 lvm;
	size_t		 len;
	uint16_t	 ef[4];
	int		 nef;
	int		 repeat;
	enum pkt_reason	 want;
	int		 want_n_ef;
	size_t		 want_mac;
};

static const struct dec_row	dec_rows[] = {
	{ "chrony client request", 0x23, 48, { 0 }, 0, 1, PKT_OK, 0, 0 },
	{ "empty", 0x23, 0, { 0 }, 0, 1, PKT_ERR_SHORT, 0, 0 },
	{ "47 bytes", 0x23, 47, { 0 }, 0, 1, PKT_ERR_SHORT, 0, 0 },
	{ "50 bytes", 0x23, 50, { 0 }, 0, 1, PKT_ERR_LENGTH, 0, 0 },
	{ "49 bytes", 0x23, 49, { 0 }, 0, 1, PKT_ERR_LENGTH, 0, 0 },
	{ "1028 bytes", 0x23, 1028, { 0 }, 0, 1, PKT_ERR_LENGTH, 0, 0 },
	{ "version 0", 0x03, 48, { 0 }, 0, 1, PKT_ERR_VERSION, 0, 0 },
	{ "version 5", 0x2b, 48, { 0 }, 0, 1, PKT_ERR_VERSION, 0, 0 },
	{ "version 7", 0x3b, 48, { 0 }, 0, 1, PKT_ERR_VERSION, 0, 0 },
	{ "version 0 with bad length", 0x03, 50, { 0 }, 0, 1,
	    PKT_ERR_LENGTH, 0, 0 },
	{ "NTPv1", 0x0b, 48, { 0 }, 0, 1, PKT_OK, 0, 0 },
	{ "NTPv2", 0x13, 48, { 0 }, 0, 1, PKT_OK, 0, 0 },
	{ "NTPv3", 0x1b, 48, { 0 }, 0, 1, PKT_OK, 0, 0 },
	{ "EF shorter than 16", 0x23, 48 + 28, { 12 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "EF length 0", 0x23, 48 + 28, { 0 }, 1, 1, PKT_ERR_EF, 0, 0 },
	{ "EF length 4 (header only)", 0x23, 48 + 28, { 4 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "EF length not a multiple of 4", 0x23, 48 + 32, { 30 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "EF running past the end", 0x23, 48 + 28, { 32 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "EF claiming 65532 bytes", 0x23, PKT_MAX_LEN, { 65532 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "second EF running past the end", 0x23, 48 + 64, { 32, 36 }, 2, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "EF total over PKT_MAX_LEN", 0x23, PKT_MAX_LEN + 4, { 164 }, 1, 6,
	    PKT_ERR_LENGTH, 0, 0 },
	{ "EF total at PKT_MAX_LEN", 0x23, PKT_MAX_LEN, { 976 }, 1, 1,
	    PKT_OK, 1, 0 },
	{ "one 28-byte EF", 0x23, 48 + 28, { 28 }, 1, 1, PKT_OK, 1, 0 },
	{ "NTS-sized EFs", 0x23, 48 + 36 + 104 + 104 + 40,
	    { 36, 104, 104, 40 }, 4, 1, PKT_OK, 4, 0 },
	{ "EF then 20-byte MAC", 0x23, 48 + 16 + 20, { 16 }, 1, 1,
	    PKT_OK, 1, 20 },
	{ "EF then 24-byte MAC", 0x23, 48 + 32 + 24, { 32 }, 1, 1,
	    PKT_OK, 1, 24 },
	{ "sixty 16-byte EFs and 16 bytes more", 0x23, PKT_MAX_LEN, { 16 },
	    1, 61, PKT_ERR_EF, 0, 0 },
	{ "a lone 16-byte EF: not the last (RFC 7822)", 0x23, 48 + 16,
	    { 16 }, 1, 1, PKT_ERR_EF, 0, 0 },
	{ "EF then 16-byte EF", 0x23, 48 + 28 + 16, { 28, 16 }, 2, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "16-byte EF then 28-byte EF", 0x23, 48 + 16 + 28, { 16, 28 }, 2, 1,
	    PKT_OK, 2, 0 },
	{ "EF then 4-byte trailer", 0x23, 48 + 28 + 4, { 28 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "EF then 12-byte trailer", 0x23, 48 + 28 + 12, { 28 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "8-byte trailer", 0x23, 56, { 0 }, 0, 1, PKT_ERR_EF, 0, 0 },
	{ "16-byte trailer, not an EF", 0x23, 64, { 0 }, 0, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "trailing 4-byte MAC (crypto-NAK)", 0x23, 52, { 0 }, 0, 1,
	    PKT_OK, 0, 4 },
	{ "trailing 20-byte MAC", 0x23, 68, { 0 }, 0, 1, PKT_OK, 0, 20 },
	{ "trailing 24-byte MAC", 0x23, 72, { 0 }, 0, 1, PKT_OK, 0, 24 },
	{ "28-byte trailer", 0x23, 76, { 0 }, 0, 1, PKT_ERR_EF, 0, 0 },
	{ "EF then 28-byte trailer", 0x23, 48 + 16 + 28, { 16 }, 1, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "NTPv3 with 20-byte MAC", 0x1b, 68, { 0 }, 0, 1, PKT_OK, 0, 20 },
	{ "NTPv3 with 24-byte MAC", 0x1b, 72, { 0 }, 0, 1, PKT_OK, 0, 24 },
	{ "NTPv3 with a SHA-256 MAC", 0x1b, 84, { 0 }, 0, 1, PKT_OK, 0, 36 },
	{ "NTPv3 with a SHA-512 MAC", 0x1b, 116, { 0 }, 0, 1, PKT_OK, 0, 68 },
	{ "NTPv3 with a 72-byte trailer", 0x1b, 120, { 0 }, 0, 1,
	    PKT_ERR_EF, 0, 0 },
	{ "NTPv3: an EF is a MAC", 0x1b, 48 + 28, { 28 }, 1, 1,
	    PKT_OK, 0, 28 },
	{ "NTPv2 with 20-byte MAC", 0x13, 68, { 0 }, 0, 1, PKT_OK, 0, 20 },
};

static size_t
build(uint8_t *buf, size_t size, const struct dec_row *r)
{
	size_t	 off = PKT_HDR_LEN;
	int	 i, k;

	ck_assert_uint_le(r->len, size);
	memset(buf, 0, size);
	if (r->len >= PKT_HDR_LEN)
		memcpy(buf, chrony_req, PKT_HDR_LEN);
	if (r->len > 0)
		buf[0] = r->lvm;
	if (r->len > PKT_HDR_LEN)
		memset(buf + PKT_HDR_LEN, 0xa5, r->len - PKT_HDR_LEN);
	for (k = 0; k < r->repeat; k++) {
		for (i = 0; i < r->nef; i++) {
			if (off + 4 > r->len)
				return r->len;
			put16(buf + off, 0x0104);
			put16(buf + off + 2, r->ef[i]);
			off += r->ef[i];
		}
	}
	return r->len;
}

/* A request through pkt_check_request() and pkt_respond(), as the server. */
static size_t
respond(const struct srv_state *st, const uint8_t *req, size_t len,
    uint64_t rx_ts, uint32_t kod, uint8_t *out, size_t outlen,
    enum pkt_reason *why)
{
	struct pkt	 q;

	if ((*why = pkt_check_request(&q, req, len)) != PKT_OK)
		return 0;
	return pkt_respond(st, &q, rx_ts, kod, out, outlen);
}

START_TEST(test_pkt_decode_table)
{
	const struct dec_row	*r = &dec_rows[_i];
	uint8_t			 buf[PKT_MAX_LEN + 8];
	uint8_t			 out[PKT_MAX_LEN + 8];
	struct pkt		 p;
	enum pkt_reason		 why, want;
	size_t			 len, n, j;

	len = build(buf, sizeof(buf), r);
	ck_assert_msg(pkt_decode(&p, buf, len) == r->want,
	    "%s: reason %d, want %d", r->what, pkt_decode(&p, buf, len),
	    r->want);
	if (r->want == PKT_OK) {
		ck_assert_msg(p.n_ef == r->want_n_ef, "%s: n_ef %d", r->what,
		    p.n_ef);
		ck_assert_msg(p.mac_len == r->want_mac, "%s: mac_len %zu",
		    r->what, p.mac_len);
		ck_assert_msg(p.ef_len == len - PKT_HDR_LEN, "%s: ef_len",
		    r->what);
		ck_assert_msg(p.version == ((r->lvm >> 3) & 7), "%s: version",
		    r->what);
	}

	/*
	 * The responder refuses for the same reason, and a MAC (no key is
	 * known), or answers in 48.
	 */
	memset(out, SENTINEL, sizeof(out));
	why = PKT_NREASONS;
	n = respond(&synced, buf, len, 1, 0, out, sizeof(out), &why);
	want = r->want == PKT_OK && r->want_mac > 0 ? PKT_ERR_MAC : r->want;
	ck_assert_msg(why == want, "%s: respond reason %d", r->what, why);
	if (want == PKT_OK) {
		ck_assert_msg(n == PKT_HDR_LEN, "%s: answer %zu", r->what, n);
		ck_assert_msg(n <= len, "%s: answer larger than request",
		    r->what);
	} else
		ck_assert_msg(n == 0, "%s: answered", r->what);
	for (j = PKT_HDR_LEN; j < sizeof(out); j++)
		ck_assert_msg(out[j] == SENTINEL, "%s: wrote byte %zu",
		    r->what, j);
}
END_TEST

START_TEST(test_pkt_decode_chrony_request)
{
	struct pkt	 p;

	ck_assert_int_eq(pkt_decode(&p, chrony_req, sizeof(chrony_req)),
	    PKT_OK);
	ck_assert_uint_eq(p.leap, PKT_LEAP_NONE);
	ck_assert_uint_eq(p.version, 4);
	ck_assert_uint_eq(p.mode, PKT_MODE_CLIENT);
	ck_assert_uint_eq(p.stratum, 0);
	ck_assert_int_eq(p.poll, 0);
	ck_assert_int_eq(p.precision, 0);
	ck_assert_uint_eq(p.root_delay, 0);
	ck_assert_uint_eq(p.root_disp, 0);
	ck_assert_uint_eq(p.refid, 0);
	ck_assert_uint_eq(p.ref_ts, 0);
	ck_assert_uint_eq(p.org_ts, 0);
	ck_assert_uint_eq(p.rx_ts, 0);
	ck_assert_uint_eq(p.tx_ts, 0x9e3c5107d26af01bULL);
	ck_assert_uint_eq(p.ef_len, 0);
	ck_assert_uint_eq(p.mac_len, 0);
	ck_assert_int_eq(p.n_ef, 0);
}
END_TEST

/* Every field lands where RFC 5905 figure 8 puts it, and encodes back. */
START_TEST(test_pkt_decode_every_field)
{
	uint8_t		 buf[PKT_HDR_LEN], again[PKT_HDR_LEN + 4];
	struct pkt	 p;
	size_t		 i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0x80 + i);
	buf[0] = 0xe4;		/* leap 3, version 4, mode 4 */
	ck_assert_int_eq(pkt_decode(&p, buf, sizeof(buf)), PKT_OK);
	ck_assert_uint_eq(p.leap, 3);
	ck_assert_uint_eq(p.version, 4);
	ck_assert_uint_eq(p.mode, 4);
	ck_assert_uint_eq(p.stratum, 0x81);
	ck_assert_int_eq(p.poll, (int8_t)0x82);
	ck_assert_int_eq(p.precision, (int8_t)0x83);
	ck_assert_uint_eq(p.root_delay, 0x84858687);
	ck_assert_uint_eq(p.root_disp, 0x88898a8b);
	ck_assert_uint_eq(p.refid, 0x8c8d8e8f);
	ck_assert_uint_eq(p.ref_ts, 0x9091929394959697ULL);
	ck_assert_uint_eq(p.org_ts, 0x98999a9b9c9d9e9fULL);
	ck_assert_uint_eq(p.rx_ts, 0xa0a1a2a3a4a5a6a7ULL);
	ck_assert_uint_eq(p.tx_ts, 0xa8a9aaabacadaeafULL);

	memset(again, SENTINEL, sizeof(again));
	ck_assert_uint_eq(pkt_encode(&p, again, sizeof(again)), PKT_HDR_LEN);
	ck_assert_mem_eq(again, buf, PKT_HDR_LEN);
	ck_assert_uint_eq(again[PKT_HDR_LEN], SENTINEL);
	ck_assert_uint_eq(pkt_encode(&p, again, PKT_HDR_LEN - 1), 0);
}
END_TEST

START_TEST(test_pkt_respond_modes)
{
	static const enum pkt_reason	 want[8] = {
		PKT_ERR_MODE, PKT_OK, PKT_ERR_MODE, PKT_OK,
		PKT_ERR_MODE, PKT_ERR_MODE, PKT_ERR_CONTROL, PKT_ERR_CONTROL
	};
	/* a client gets mode 4, a peer we do not know mode 2 */
	static const int		 answer[8] = { 0, 2, 0, 4, 0, 0, 0, 0 };
	struct pkt			 a;
	uint8_t				 req[PKT_HDR_LEN], out[PKT_HDR_LEN];
	enum pkt_reason			 why;
	size_t				 n;
	int				 mode = _i;

	memcpy(req, chrony_req, sizeof(req));
	req[0] = (uint8_t)(0x20 | mode);
	why = PKT_NREASONS;
	n = respond(&synced, req, sizeof(req), 7, 0, out, sizeof(out),
	    &why);
	ck_assert_msg(why == want[mode], "mode %d: reason %d", mode, why);
	ck_assert_msg(n == (want[mode] == PKT_OK ? PKT_HDR_LEN : 0),
	    "mode %d: answer of %zu", mode, n);
	if (n > 0) {
		ck_assert_int_eq(pkt_decode(&a, out, n), PKT_OK);
		ck_assert_msg(a.mode == answer[mode], "mode %d: answered in "
		    "mode %d", mode, a.mode);
	}
}
END_TEST

/* NTPv1 requests have no mode field: mode 0 is answered for v1 alone. */
START_TEST(test_pkt_respond_v1_mode_0)
{
	uint8_t		 req[PKT_HDR_LEN], out[PKT_HDR_LEN];
	enum pkt_reason	 why;
	struct pkt	 a;
	int		 v;

	memcpy(req, chrony_req, sizeof(req));
	for (v = 1; v <= 4; v++) {
		req[0] = (uint8_t)(v << 3);
		why = PKT_NREASONS;
		ck_assert_uint_eq(respond(&synced, req, sizeof(req), 7, 0,
		    out, sizeof(out), &why), v == 1 ? PKT_HDR_LEN : 0);
		ck_assert_int_eq(why, v == 1 ? PKT_OK : PKT_ERR_MODE);
		}
	req[0] = 1 << 3;
	ck_assert_uint_eq(respond(&synced, req, sizeof(req), 7, 0, out,
	    sizeof(out), &why), PKT_HDR_LEN);
	ck_assert_int_eq(pkt_decode(&a, out, sizeof(out)), PKT_OK);
	ck_assert_int_eq(a.version, 1);
	ck_assert_int_eq(a.mode, PKT_MODE_SERVER);
	ck_assert(memcmp(out + 24, req + 40, 8) == 0);
}
END_TEST

/* Answer fields, per version; the request carries junk the answer ignores. */
static const struct {
	const char	*what;
	uint8_t		 version;
	int8_t		 poll;
} ans_rows[] = {
	{ "NTPv1, poll 4", 1, 4 },
	{ "NTPv2, poll 17", 2, 17 },
	{ "NTPv3, poll 10", 3, 10 },
	{ "NTPv4, poll 6", 4, 6 },
	{ "NTPv4, poll -7", 4, -7 },
	{ "NTPv4, poll 0", 4, 0 },
};

START_TEST(test_pkt_respond_answer_fields)
{
	uint8_t		 req[PKT_HDR_LEN], out[PKT_HDR_LEN];
	const char	*what = ans_rows[_i].what;
	uint64_t	 rx = 0xed1c2b4012345678ULL;
	struct pkt	 a;
	enum pkt_reason	 why;
	size_t		 i;

	for (i = 0; i < sizeof(req); i++)
		req[i] = (uint8_t)(0x11 * i + 3);
	req[0] = (uint8_t)(PKT_LEAP_DELETE << 6 | ans_rows[_i].version << 3 |
	    PKT_MODE_CLIENT);
	req[2] = (uint8_t)ans_rows[_i].poll;
	ck_assert_uint_eq(respond(&synced, req, sizeof(req), rx, 0, out,
	    sizeof(out), &why), PKT_HDR_LEN);
	ck_assert_int_eq(why, PKT_OK);
	ck_assert_int_eq(pkt_decode(&a, out, sizeof(out)), PKT_OK);
	ck_assert_msg(a.leap == synced.leap, "%s: leap", what);
	ck_assert_msg(a.version == ans_rows[_i].version, "%s: version", what);
	ck_assert_msg(a.mode == PKT_MODE_SERVER, "%s: mode", what);
	ck_assert_msg(a.stratum == synced.stratum, "%s: stratum", what);
	ck_assert_msg(a.poll == ans_rows[_i].poll, "%s: poll", what);
	ck_assert_msg(a.precision == synced.precision, "%s: precision", what);
	ck_assert_msg(a.root_delay == pkt_short_from_s(synced.root_delay_s),
	    "%s: root delay", what);
	ck_assert_msg(a.root_delay == 983, "%s: root delay 0.015 s", what);
	ck_assert_msg(a.root_disp == 0x8000, "%s: root dispersion", what);
	ck_assert_msg(a.refid == synced.refid, "%s: refid", what);
	ck_assert_msg(a.ref_ts == synced.ref_ts, "%s: reference", what);
	ck_assert_msg(memcmp(out + 24, req + 40, 8) == 0, "%s: origin", what);
	ck_assert_msg(a.rx_ts == rx, "%s: receive", what);
	ck_assert_msg(a.tx_ts == 0, "%s: transmit", what);
}
END_TEST

/* With rate limiting, chrony answers at least its interval as the poll. */
static const struct {
	const char	*what;
	int8_t		 min_poll, poll, want;
} min_poll_rows[] = {
	{ "poll below the limit is raised", 3, 0, 3 },
	{ "poll above the limit is kept", 3, 6, 6 },
	{ "negative poll below a negative limit", -4, -7, -4 },
	{ "no limit: the least interval chrony takes", PKT_MIN_POLL_ANY,
	    -30, PKT_MIN_POLL_ANY },
	{ "no limit: poll kept", PKT_MIN_POLL_ANY, -7, -7 },
};

START_TEST(test_pkt_respond_min_poll)
{
	struct srv_state	 st = synced;
	uint8_t			 req[PKT_HDR_LEN], out[PKT_HDR_LEN];
	struct pkt		 a;
	enum pkt_reason		 why;

	memcpy(req, chrony_req, sizeof(req));
	req[2] = (uint8_t)min_poll_rows[_i].poll;
	st.min_poll = min_poll_rows[_i].min_poll;
	ck_assert_uint_eq(respond(&st, req, sizeof(req), 1, 0, out,
	    sizeof(out), &why), PKT_HDR_LEN);
	ck_assert_int_eq(pkt_decode(&a, out, sizeof(out)), PKT_OK);
	ck_assert_msg(a.poll == min_poll_rows[_i].want, "%s: poll %d",
	    min_poll_rows[_i].what, a.poll);
}
END_TEST

/* The server's own state, as the answer shows it. */
static const struct {
	const char	*what;
	uint8_t		 leap, stratum;
	uint8_t		 want_leap, want_stratum;
} state_rows[] = {
	{ "synchronised", PKT_LEAP_NONE, 3, PKT_LEAP_NONE, 3 },
	{ "leap second announced", PKT_LEAP_INSERT, 1, PKT_LEAP_INSERT, 1 },
	{ "leap second deletion", PKT_LEAP_DELETE, 2, PKT_LEAP_DELETE, 2 },
	{ "unsynchronised: stratum 0 on the wire", PKT_LEAP_UNSYNC, 16,
	    PKT_LEAP_UNSYNC, 0 },
	{ "leap out of range", 9, 4, PKT_LEAP_UNSYNC, 4 },
	{ "stratum out of range", PKT_LEAP_NONE, 200, PKT_LEAP_NONE, 0 },
};

START_TEST(test_pkt_respond_state)
{
	struct srv_state	 st = synced;
	uint8_t			 out[PKT_HDR_LEN];
	struct pkt		 a;
	enum pkt_reason		 why;

	st.leap = state_rows[_i].leap;
	st.stratum = state_rows[_i].stratum;
	ck_assert_uint_eq(respond(&st, chrony_req, sizeof(chrony_req), 1,
	    0, out, sizeof(out), &why), PKT_HDR_LEN);
	ck_assert_int_eq(pkt_decode(&a, out, sizeof(out)), PKT_OK);
	ck_assert_msg(a.leap == state_rows[_i].want_leap, "%s: leap %u",
	    state_rows[_i].what, a.leap);
	ck_assert_msg(a.stratum == state_rows[_i].want_stratum,
	    "%s: stratum %u", state_rows[_i].what, a.stratum);
}
END_TEST

static const struct {
	const char	*what;
	uint32_t	 kod;
	char		 code[5];
} kod_rows[] = {
	{ "RATE", PKT_KOD_RATE, "RATE" },
	{ "DENY", PKT_KOD_DENY, "DENY" },
	{ "RSTR", PKT_KOD_RSTR, "RSTR" },
};

START_TEST(test_pkt_respond_kod)
{
	uint8_t		 out[PKT_HDR_LEN];
	const char	*what = kod_rows[_i].what;
	struct pkt	 a;
	enum pkt_reason	 why;

	ck_assert_uint_eq(respond(&synced, chrony_req, sizeof(chrony_req),
	    0x1234, kod_rows[_i].kod, out, sizeof(out), &why), PKT_HDR_LEN);
	ck_assert_int_eq(why, PKT_OK);
	ck_assert_int_eq(pkt_decode(&a, out, sizeof(out)), PKT_OK);
	ck_assert_msg(a.stratum == 0, "%s: stratum", what);
	ck_assert_msg(memcmp(out + 12, kod_rows[_i].code, 4) == 0,
	    "%s: refid on the wire", what);
	ck_assert_msg(a.refid == kod_rows[_i].kod, "%s: refid", what);
	ck_assert_msg(a.leap == PKT_LEAP_UNSYNC, "%s: leap", what);
	ck_assert_msg(a.mode == PKT_MODE_SERVER, "%s: mode", what);
	ck_assert_msg(memcmp(out + 24, chrony_req + 40, 8) == 0,
	    "%s: origin", what);
	ck_assert_msg(a.rx_ts == 0x1234, "%s: receive", what);
}
END_TEST

/* No amplification: 48-byte answers, whatever the request carried. */
START_TEST(test_pkt_respond_never_larger)
{
	uint8_t		 req[PKT_MAX_LEN], out[PKT_MAX_LEN];
	enum pkt_reason	 why;
	size_t		 len, n, off;

	for (len = PKT_HDR_LEN; len <= PKT_MAX_LEN; len += 4) {
		memset(req, 0, sizeof(req));
		memcpy(req, chrony_req, PKT_HDR_LEN);
		/*
		 * 28-byte EFs, the last one longer (RFC 7822: at least 28
		 * bytes, or a MAC it would be); none fits in 4 to 24 bytes.
		 */
		if (len > PKT_HDR_LEN && len - PKT_HDR_LEN < 28)
			continue;
		for (off = PKT_HDR_LEN; len - off >= 2 * 28; off += 28)
			put16(req + off + 2, 28);
		if (off < len)
			put16(req + off + 2, (uint16_t)(len - off));
		ck_assert_int_eq(pkt_decode(&(struct pkt){ 0 }, req, len),
		    PKT_OK);
		memset(out, SENTINEL, sizeof(out));
		n = respond(&synced, req, len, 1, 0, out, sizeof(out),
		    &why);
		ck_assert_msg(why == PKT_OK, "%zu bytes: reason %d", len, why);
		ck_assert_msg(n == PKT_HDR_LEN && n <= len, "%zu bytes: %zu",
		    len, n);
		ck_assert_uint_eq(out[PKT_HDR_LEN], SENTINEL);
	}
	/* and a buffer too small for the answer gets nothing written */
	memset(out, SENTINEL, sizeof(out));
	ck_assert_uint_eq(respond(&synced, chrony_req, sizeof(chrony_req),
	    1, 0, out, PKT_HDR_LEN - 1, &why), 0);
	ck_assert_uint_eq(out[0], SENTINEL);
}
END_TEST

START_TEST(test_pkt_set_tx)
{
	uint8_t		 out[PKT_HDR_LEN], before[PKT_HDR_LEN];
	static const uint8_t want[8] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
	};
	struct pkt	 a;
	enum pkt_reason	 why;

	ck_assert_uint_eq(respond(&synced, chrony_req, sizeof(chrony_req),
	    5, 0, out, sizeof(out), &why), PKT_HDR_LEN);
	memcpy(before, out, sizeof(out));
	pkt_set_tx(out, 0x0123456789abcdefULL);
	ck_assert_mem_eq(out + PKT_TX_OFFSET, want, 8);
	ck_assert_mem_eq(out, before, PKT_TX_OFFSET);
	ck_assert_int_eq(pkt_decode(&a, out, sizeof(out)), PKT_OK);
	ck_assert_uint_eq(a.tx_ts, 0x0123456789abcdefULL);
	ck_assert_uint_eq(a.rx_ts, 5);
}
END_TEST

/* Unix ns -> NTP -> Unix ns; ntp_s is the expected seconds field. */
static const struct {
	const char	*what;
	int64_t		 unix_ns;
	uint32_t	 ntp_s;
} ts_rows[] = {
	{ "1970", 0, 2208988800U },
	{ "1970 + 1 ns", 1, 2208988800U },
	{ "1970 - 1 ns", -1, 2208988799U },
	{ "1900", -NTP_UNIX_OFF * S, 0 },
	{ "1900 + 999999999 ns", -NTP_UNIX_OFF * S + 999999999, 0 },
	{ "2026-03-01", 1772323200LL * S + 123456789, 3981312000U },
	{ "2026, last ns of a second", 1772323200LL * S + 999999999,
	    3981312000U },
	{ "2036-02-07 06:28:15.999999999", ERA1_UNIX_S * S - 1, 0xffffffffU },
	{ "2036-02-07 06:28:16 (era 1)", ERA1_UNIX_S * S, 0 },
	{ "2036-02-07 06:28:16 + 1 ns", ERA1_UNIX_S * S + 1, 0 },
	{ "2100-01-01", 4102444800LL * S + 500000000, 4102444800U -
	    (uint32_t)ERA1_UNIX_S },
	{ "2200-01-01", 7258118400LL * S, (uint32_t)(7258118400LL -
	    ERA1_UNIX_S) },
	{ "1800-01-01", -5364662400LL * S + 1, (uint32_t)(-5364662400LL +
	    NTP_UNIX_OFF + 4294967296LL) },
};

START_TEST(test_pkt_ts_round_trip)
{
	int64_t		 ns = ts_rows[_i].unix_ns, back, d;
	uint64_t	 ts = pkt_ts_from_ns(ns);
	const char	*what = ts_rows[_i].what;

	ck_assert_msg((uint32_t)(ts >> 32) == ts_rows[_i].ntp_s,
	    "%s: seconds %" PRIu32, what, (uint32_t)(ts >> 32));
	back = pkt_ts_to_ns(ts, ns);
	d = back - ns;
	ck_assert_msg(d >= -1 && d <= 1, "%s: %" PRId64 " ns off", what, d);
	/* the era is found from a clock years off */
	back = pkt_ts_to_ns(ts, ns + 40 * 366 * 86400 * S);
	ck_assert_msg(back - ns >= -1 && back - ns <= 1, "%s: +40 y", what);
	back = pkt_ts_to_ns(ts, ns - 40 * 366 * 86400 * S);
	ck_assert_msg(back - ns >= -1 && back - ns <= 1, "%s: -40 y", what);
}
END_TEST

/* Many values across 1900..2200 and every corner of the fraction. */
START_TEST(test_pkt_ts_round_trip_sweep)
{
	const int64_t	 lo = -NTP_UNIX_OFF * S, hi = 7258118400LL * S;
	const int64_t	 step = hi / 200003 - lo / 200003;
	int64_t		 ns, back;
	int32_t		 f;
	uint64_t	 ts;

	for (ns = lo; ns < hi; ns += step) {
		ts = pkt_ts_from_ns(ns);
		back = pkt_ts_to_ns(ts, ns);
		/* no ck_assert in hot loops: each one is a mark point */
		if (back - ns < -1 || back - ns > 1)
			ck_abort_msg("%" PRId64 ": %" PRId64, ns, back);
	}
	for (f = 0; f < 1000000000; f += 997) {
		ns = 1772323200LL * S + f;
		back = pkt_ts_to_ns(pkt_ts_from_ns(ns), ns);
		if (back - ns < -1 || back - ns > 1)
			ck_abort_msg("fraction %" PRId32 ": %" PRId64, f,
			    back - ns);
	}
	/* the fraction is the nearest 2^-32 s */
	ck_assert_uint_eq(pkt_ts_from_ns(500000000) & 0xffffffff,
	    0x80000000U);
	ck_assert_uint_eq(pkt_ts_from_ns(250000000) & 0xffffffff,
	    0x40000000U);
	ck_assert_uint_eq(pkt_ts_from_ns(1) & 0xffffffff, 4);
	ck_assert_uint_eq(pkt_ts_from_ns(999999999) & 0xffffffff,
	    0xfffffffcU);
	ck_assert_int_eq(pkt_ts_to_ns(2208988800ULL << 32 | 0xffffffff, 0),
	    S);
}
END_TEST

/* pkt_ts_to_ns picks the era closest to the clock it is given. */
static const struct {
	const char	*what;
	uint64_t	 ts;
	int64_t		 near_ns, want_ns;
} era_rows[] = {
	{ "last second of era 0, clock just after rollover",
	    0xffffffffULL << 32, (ERA1_UNIX_S + 4) * S,
	    (ERA1_UNIX_S - 1) * S },
	{ "first second of era 1, clock just before rollover",
	    5ULL << 32, (ERA1_UNIX_S - 4) * S, (ERA1_UNIX_S + 5) * S },
	{ "era 1 seen from 2026", 16ULL << 32 | 0x80000000U,
	    1772323200LL * S, (ERA1_UNIX_S + 16) * S + 500000000 },
	{ "2026 seen from 2026", (uint64_t)3981312000U << 32,
	    1772323200LL * S, 1772323200LL * S },
	{ "2026 seen from 2090", (uint64_t)3981312000U << 32,
	    3786825600LL * S, 1772323200LL * S },
	{ "1990 seen from 1970", (uint64_t)(631152000U + 2208988800U) << 32,
	    0, 631152000LL * S },
	{ "2100 seen from 2100", (uint64_t)(4102444800U - 2085978496U) << 32,
	    4102444800LL * S - 3600 * S, 4102444800LL * S },
	{ "zero seen from 1970 is 2036, not 1900", 0, 0, ERA1_UNIX_S * S },
	{ "saturates at INT64_MAX", 0xffffffffULL << 32, INT64_MAX,
	    INT64_MAX },
	{ "saturates at INT64_MIN", 0, INT64_MIN, INT64_MIN },
};

START_TEST(test_pkt_ts_era)
{
	int64_t	 got = pkt_ts_to_ns(era_rows[_i].ts, era_rows[_i].near_ns);

	ck_assert_msg(got == era_rows[_i].want_ns, "%s: %" PRId64
	    ", want %" PRId64, era_rows[_i].what, got, era_rows[_i].want_ns);
}
END_TEST

static const struct {
	const char	*what;
	double		 s;
	uint32_t	 want;
} short_rows[] = {
	{ "zero", 0.0, 0 },
	{ "negative zero", -0.0, 0 },
	{ "1.5 s", 1.5, 0x00018000 },
	{ "one unit", 1.0 / 65536, 1 },
	{ "half a unit rounds up", 0.5 / 65536, 1 },
	{ "under half a unit", 0.49 / 65536, 0 },
	{ "1 ns", 1e-9, 0 },
	{ "largest", 65535.0 + 65534.0 / 65536, 0xfffffffe },
	{ "just under 65536 s saturates", 65535.99999, 0xffffffff },
	{ "65536 s saturates", 65536.0, 0xffffffff },
	{ "1e300 s saturates", 1e300, 0xffffffff },
	{ "infinity saturates", INFINITY, 0xffffffff },
	{ "NaN is the worst, never 0", NAN, 0xffffffff },
	{ "negative is 0", -1.5, 0 },
	{ "-infinity is 0", -INFINITY, 0 },
};

START_TEST(test_pkt_short_format)
{
	uint32_t	 got = pkt_short_from_s(short_rows[_i].s);

	ck_assert_msg(got == short_rows[_i].want, "%s: 0x%08" PRIx32,
	    short_rows[_i].what, got);
}
END_TEST

START_TEST(test_pkt_short_to_s)
{
	uint32_t	 v;

	ck_assert_double_eq(pkt_short_to_s(0), 0.0);
	ck_assert_double_eq(pkt_short_to_s(0x00018000), 1.5);
	ck_assert_double_eq(pkt_short_to_s(1), 1.0 / 65536);
	ck_assert_double_eq(pkt_short_to_s(0xffffffff),
	    65535.0 + 65535.0 / 65536);
	for (v = 0; v < 0xffff0000U; v += 0x10001)
		if (pkt_short_from_s(pkt_short_to_s(v)) != v)
			ck_abort_msg("0x%08" PRIx32 " does not round-trip", v);
}
END_TEST

/* chrony's experimental field F323 (pkt_exp1_put(), pkt_exp1_get()) */

START_TEST(test_pkt_exp1_put_bytes)
{
	static const uint8_t	 want[PKT_EXP1_LEN] = {
		0xf3, 0x23, 0x00, 0x1c, 0xf5, 0xbe, 0xdd, 0x9a,
		0x08, 0x00, 0x00, 0x00,		/* 0.5 s in 4.28 */
		0x00, 0x00, 0x00, 0x03,		/* 3 * 2^-28 s */
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0xde, 0xad, 0xbe, 0xef
	};
	static const uint8_t	 want_req[PKT_EXP1_LEN] = {
		0xf3, 0x23, 0x00, 0x1c, 0xf5, 0xbe, 0xdd, 0x9a
	};
	struct pkt_exp1		 e;
	uint8_t			 out[PKT_EXP1_LEN + 4];

	ck_assert_int_eq(PKT_EF_EXP1, 0xf323);
	ck_assert_int_eq(PKT_EXP1_LEN, 28);
	ck_assert_uint_eq(PKT_EXP1_MAGIC, 0xf5bedd9aU);
	e.root_delay_s = 0.5;
	e.root_disp_s = 3.0 / 268435456.0;
	e.mono_rx = 0x0123456789abcdefULL;
	e.mono_epoch = 0xdeadbeef;
	memset(out, SENTINEL, sizeof(out));
	pkt_exp1_put(out, &e);
	ck_assert_mem_eq(out, want, PKT_EXP1_LEN);
	ck_assert_uint_eq(out[PKT_EXP1_LEN], SENTINEL);

	/* a request's: the magic, the rest zero */
	memset(out, SENTINEL, sizeof(out));
	pkt_exp1_put(out, NULL);
	ck_assert_mem_eq(out, want_req, PKT_EXP1_LEN);
	ck_assert_uint_eq(out[PKT_EXP1_LEN], SENTINEL);
}
END_TEST

/* Root delay and dispersion in 4.28 fixed point: 2^-28 s units. */
static const struct {
	const char	*what;
	double		 s;
	uint32_t	 want;
} f28_rows[] = {
	{ "zero", 0.0, 0 },
	{ "negative zero", -0.0, 0 },
	{ "negative is 0", -1.5, 0 },
	{ "-infinity is 0", -INFINITY, 0 },
	{ "1.5 s", 1.5, 0x18000000 },
	{ "one unit", 1.0 / 268435456.0, 1 },
	{ "half a unit rounds up", 0.5 / 268435456.0, 1 },
	{ "under half a unit", 0.49 / 268435456.0, 0 },
	{ "1 ns", 1e-9, 0 },
	{ "4 ns", 4e-9, 1 },
	{ "largest", 15.0 + 268435454.0 / 268435456.0, 0xfffffffe },
	{ "just under 16 s saturates", 15.999999999, 0xffffffff },
	{ "16 s saturates", 16.0, 0xffffffff },
	{ "1e300 s saturates", 1e300, 0xffffffff },
	{ "infinity saturates", INFINITY, 0xffffffff },
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

START_TEST(test_pkt_exp1_f28)
{
	struct pkt_exp1	 e;
	uint8_t		 out[PKT_EXP1_LEN];
	const char	*what = f28_rows[_i].what;

	memset(&e, 0, sizeof(e));
	e.root_delay_s = f28_rows[_i].s;
	e.root_disp_s = f28_rows[_i].s;
	pkt_exp1_put(out, &e);
	ck_assert_msg(get32(out + 8) == f28_rows[_i].want,
	    "%s: delay 0x%08" PRIx32, what, get32(out + 8));
	ck_assert_msg(get32(out + 12) == f28_rows[_i].want,
	    "%s: dispersion 0x%08" PRIx32, what, get32(out + 12));
}
END_TEST

/* A server's answer with the field: through pkt_decode() and back. */
START_TEST(test_pkt_exp1_round_trip)
{
	static const double	 v[][2] = {
		{ 0.0123456789, 3.3 },
		{ 0.0, 1e-6 },
		{ 15.5, 0.000123 },
		{ 1.0 / 268435456.0, 7.25 },
	};
	struct pkt_exp1		 e, got;
	struct pkt		 p;
	uint8_t			 buf[PKT_HDR_LEN + PKT_EXP1_LEN];
	size_t			 i;

	for (i = 0; i < NELEM(v); i++) {
		memcpy(buf, chrony_req, PKT_HDR_LEN);
		buf[0] = 0x24;			/* NTPv4, server */
		e.root_delay_s = v[i][0];
		e.root_disp_s = v[i][1];
		e.mono_rx = 0xed1c2b4012345678ULL + i;
		e.mono_epoch = 0x9abcdef0U + (uint32_t)i;
		pkt_exp1_put(buf + PKT_HDR_LEN, &e);
		ck_assert_int_eq(pkt_decode(&p, buf, sizeof(buf)), PKT_OK);
		ck_assert_int_eq(p.n_ef, 1);
		ck_assert_uint_eq(p.mac_len, 0);
		memset(&got, 0x5a, sizeof(got));
		ck_assert_int_eq(pkt_exp1_get(&p, buf, sizeof(buf), &got), 0);
		ck_assert_msg(fabs(got.root_delay_s - v[i][0]) <=
		    1.0 / 268435456.0, "%zu: delay %.12g", i,
		    got.root_delay_s);
		ck_assert_msg(fabs(got.root_disp_s - v[i][1]) <=
		    1.0 / 268435456.0, "%zu: dispersion %.12g", i,
		    got.root_disp_s);
		ck_assert_uint_eq(got.mono_rx, e.mono_rx);
		ck_assert_uint_eq(got.mono_epoch, e.mono_epoch);
		ck_assert_int_eq(pkt_exp1_get(&p, buf, sizeof(buf), NULL), 0);
	}
}
END_TEST

/*
 * Finding the field: a header with lvm, then fields of the types and
 * lengths given, the F323 magic in those with magic set (else another),
 * then mac bytes of MAC.  Every F323 field's body but the magic is
 * the same (EXP1_DELAY etc.), so that the one found can be checked.
 */
#define EXP1_DELAY	0x01000000U	/* 1/16 s */
#define EXP1_DISP	0x00100000U	/* 1/256 s */
#define EXP1_MONO	0xed1c2b40deadbeefULL
#define EXP1_EPOCH	0x12345678U

struct exp1_ef {
	uint16_t	 type;
	uint16_t	 len;
	int		 magic;
};

static const struct {
	const char	*what;
	uint8_t		 lvm;
	struct exp1_ef	 ef[3];
	int		 nef;
	size_t		 mac;
	int		 want;
} exp1_rows[] = {
	{ "the field alone", 0x24, { { 0xf323, 28, 1 } }, 1, 0, 0 },
	{ "no extension field", 0x24, { { 0 } }, 0, 0, -1 },
	{ "wrong magic", 0x24, { { 0xf323, 28, 0 } }, 1, 0, -1 },
	{ "F323 of 32 bytes", 0x24, { { 0xf323, 32, 1 } }, 1, 0, -1 },
	{ "another type, its length, the magic", 0x24,
	    { { 0x0104, 28, 1 } }, 1, 0, -1 },
	{ "after another field", 0x24,
	    { { 0x0104, 16, 0 }, { 0xf323, 28, 1 } }, 2, 0, 0 },
	{ "before another field", 0x24,
	    { { 0xf323, 28, 1 }, { 0x0104, 36, 0 } }, 2, 0, 0 },
	{ "after a 32-byte F323", 0x24,
	    { { 0xf323, 32, 1 }, { 0xf323, 28, 1 } }, 2, 0, 0 },
	{ "after one with a wrong magic", 0x24,
	    { { 0xf323, 28, 0 }, { 0x0104, 16, 0 }, { 0xf323, 28, 1 } },
	    3, 0, 0 },
	{ "two other fields", 0x24,
	    { { 0x0104, 16, 1 }, { 0x0204, 28, 1 } }, 2, 0, -1 },
	{ "then a 20-byte MAC", 0x24, { { 0xf323, 28, 1 } }, 1, 20, 0 },
	{ "NTPv3: the 28 bytes are a MAC", 0x1c, { { 0xf323, 28, 1 } }, 1,
	    0, -1 },
};

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static size_t
build_exp1(uint8_t *buf, size_t size, size_t row)
{
	const struct exp1_ef	*f;
	size_t			 off = PKT_HDR_LEN;
	int			 i;

	memset(buf, 0xa5, size);
	memcpy(buf, chrony_req, PKT_HDR_LEN);
	buf[0] = exp1_rows[row].lvm;
	for (i = 0; i < exp1_rows[row].nef; i++) {
		f = &exp1_rows[row].ef[i];
		ck_assert_uint_le(off + f->len, size);
		put16(buf + off, f->type);
		put16(buf + off + 2, f->len);
		put32(buf + off + 4, f->magic ? PKT_EXP1_MAGIC : 0xf5bedd9bU);
		put32(buf + off + 8, EXP1_DELAY);
		put32(buf + off + 12, EXP1_DISP);
		if (f->len >= 28) {
			put32(buf + off + 16, (uint32_t)(EXP1_MONO >> 32));
			put32(buf + off + 20, (uint32_t)EXP1_MONO);
			put32(buf + off + 24, EXP1_EPOCH);
		}
		off += f->len;
	}
	return off + exp1_rows[row].mac;
}

START_TEST(test_pkt_exp1_get)
{
	const char	*what = exp1_rows[_i].what;
	struct pkt_exp1	 e;
	struct pkt	 p;
	uint8_t		 buf[256];
	size_t		 len;
	int		 got;

	len = build_exp1(buf, sizeof(buf), _i);
	ck_assert_msg(pkt_decode(&p, buf, len) == PKT_OK, "%s: decode",
	    what);
	ck_assert_msg(p.mac_len == (exp1_rows[_i].lvm == 0x1c ? 28 :
	    exp1_rows[_i].mac), "%s: mac_len %zu", what, p.mac_len);
	memset(&e, 0, sizeof(e));
	got = pkt_exp1_get(&p, buf, len, &e);
	ck_assert_msg(got == exp1_rows[_i].want, "%s: %d, want %d", what,
	    got, exp1_rows[_i].want);
	ck_assert_msg(pkt_exp1_get(&p, buf, len, NULL) == got,
	    "%s: e NULL", what);
	if (got != 0)
		return;
	ck_assert_msg(e.root_delay_s == 0.0625, "%s: delay %g", what,
	    e.root_delay_s);
	ck_assert_msg(e.root_disp_s == 1.0 / 256, "%s: dispersion %g", what,
	    e.root_disp_s);
	ck_assert_msg(e.mono_rx == EXP1_MONO, "%s: mono_rx", what);
	ck_assert_msg(e.mono_epoch == EXP1_EPOCH, "%s: epoch", what);
}
END_TEST

static uint32_t
rnd(uint64_t *s, uint32_t n)
{
	return (uint32_t)((rnd_next(s) >> 32) % n);
}

/* Random bytes, shaped often enough to reach the extension field walk. */
static size_t
random_packet(uint64_t *s, uint8_t *buf, size_t size)
{
	size_t	 len, off, i, l;

	len = rnd(s, 4) == 0 ? rnd(s, (uint32_t)size + 1) :
	    4 * rnd(s, (uint32_t)size / 4 + 1);
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd_next(s);
	if (len > 0 && rnd(s, 4) != 0)
		buf[0] = (uint8_t)((buf[0] & 0xc7) | (rnd(s, 5) << 3));
	for (off = PKT_HDR_LEN; off + 4 <= len && rnd(s, 8) != 0; off += l) {
		/* mostly well-formed lengths, sometimes just wrong */
		l = rnd(s, 4) == 0 ? rnd(s, 200) : 16 + 4 * rnd(s, 40);
		put16(buf + off + 2, (uint16_t)l);
		if (l == 0)
			break;
	}
	return len;
}

/* What decode must find, walked the slow way: every offset in bounds. */
static enum pkt_reason
oracle(const uint8_t *buf, size_t len, int *n_ef, size_t *mac)
{
	size_t	 off = PKT_HDR_LEN, l;
	int	 v;

	*n_ef = 0;
	*mac = 0;
	if (len < 48)
		return PKT_ERR_SHORT;
	if (len & 3 || len > 1024)
		return PKT_ERR_LENGTH;
	v = (buf[0] >> 3) & 7;
	if (v < 1 || v > 4)
		return PKT_ERR_VERSION;
	if (v < 4) {
		/* a MAC up to a key id and a SHA-512 digest */
		*mac = len - off;
		return *mac <= 68 ? PKT_OK : PKT_ERR_EF;
	}
	if (len - off == 4) {
		*mac = 4;
		return PKT_OK;
	}
	while (len - off > 24) {
		l = (size_t)buf[off + 2] << 8 | buf[off + 3];
		if (l < 16 || l % 4 != 0 || off + l > len)
			return PKT_ERR_EF;
		off += l;
		(*n_ef)++;
	}
	*mac = len - off;
	return *mac == 0 || *mac >= 20 ? PKT_OK : PKT_ERR_EF;
}

START_TEST(test_pkt_decode_random)
{
	uint64_t	 seed = test_seed("test_pkt_decode_random"), s = seed;
	uint8_t		*buf, out[PKT_MAX_LEN + 8];
	struct pkt	 p;
	enum pkt_reason	 r, want, why;
	size_t		 len, mac, n;
	int		 i, n_ef, ok = 0;

	for (i = 0; i < 200000; i++) {
		/* exact-size heap copy: ASan catches any read past the end */
		len = random_packet(&s, out, sizeof(out));
		if ((buf = malloc(len > 0 ? len : 1)) == NULL)
			ck_abort_msg("malloc");
		memcpy(buf, out, len);
		r = pkt_decode(&p, buf, len);
		want = oracle(buf, len, &n_ef, &mac);
		if (r != want)
			ck_abort_msg("seed %" PRIu64 " #%d: %d, want %d",
			    seed, i, r, want);
		if (r == PKT_OK) {
			ok++;
			if (p.ef_len + PKT_HDR_LEN != len ||
			    p.mac_len > (p.version < 4 ? PKT_MAX_V3_MAC_LEN :
			    PKT_MAX_MAC_LEN) ||
			    p.mac_len % 4 != 0 ||
			    (size_t)p.n_ef * 16 + p.mac_len > p.ef_len ||
			    p.n_ef != n_ef || p.mac_len != mac)
				ck_abort_msg("seed %" PRIu64 " #%d: EFs outside"
				    " the buffer", seed, i);
		}
		n = respond(&synced, buf, len, 1, 0, out, sizeof(out),
		    &why);
		if (n > len || n > PKT_HDR_LEN)
			ck_abort_msg("seed %" PRIu64 " #%d: answer of %zu",
			    seed, i, n);
		free(buf);
	}
	/* the generator reaches the interesting paths */
	ck_assert_int_gt(ok, 1000);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("pkt");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_pkt_decode_table, 0, NELEM(dec_rows));
	tcase_add_test(tc, test_pkt_decode_chrony_request);
	tcase_add_test(tc, test_pkt_decode_every_field);
	tcase_add_loop_test(tc, test_pkt_respond_modes, 0, 8);
	tcase_add_test(tc, test_pkt_respond_v1_mode_0);
	tcase_add_loop_test(tc, test_pkt_respond_answer_fields, 0,
	    NELEM(ans_rows));
	tcase_add_loop_test(tc, test_pkt_respond_min_poll, 0,
	    NELEM(min_poll_rows));
	tcase_add_loop_test(tc, test_pkt_respond_state, 0, NELEM(state_rows));
	tcase_add_loop_test(tc, test_pkt_respond_kod, 0, NELEM(kod_rows));
	tcase_add_test(tc, test_pkt_respond_never_larger);
	tcase_add_test(tc, test_pkt_set_tx);
	tcase_add_loop_test(tc, test_pkt_ts_round_trip, 0, NELEM(ts_rows));
	tcase_add_test(tc, test_pkt_ts_round_trip_sweep);
	tcase_add_loop_test(tc, test_pkt_ts_era, 0, NELEM(era_rows));
	tcase_add_loop_test(tc, test_pkt_short_format, 0, NELEM(short_rows));
	tcase_add_test(tc, test_pkt_short_to_s);
	tcase_add_test(tc, test_pkt_decode_random);
	tcase_add_test(tc, test_pkt_exp1_put_bytes);
	tcase_add_loop_test(tc, test_pkt_exp1_f28, 0, NELEM(f28_rows));
	tcase_add_test(tc, test_pkt_exp1_round_trip);
	tcase_add_loop_test(tc, test_pkt_exp1_get, 0, NELEM(exp1_rows));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
