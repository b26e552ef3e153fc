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
 * Unit tests of chronyc's protocol (lib/cmdmon.c): the requests it
 * takes, refuses or drops, the replies' layout and chrony's numbers.
 * The expected bytes are chrony 4.3's (candm.h, util.c), worked out by
 * hand; the random requests draw from TIMED_TEST_SEED (printed).
 */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmdmon.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t	seed;

static double
rnd_unit(uint64_t *rng)
{
	return (double)(rnd_next(rng) >> 11) * 0x1p-53;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* A request of chronyc's: header, then zeros (fields and padding). */
static size_t
request(uint8_t *buf, uint8_t version, uint16_t command, size_t len)
{
	memset(buf, 0, CM_REQ_MAX);
	buf[0] = version;
	buf[1] = 1;
	buf[4] = command >> 8;
	buf[5] = command & 0xff;
	buf[8] = 0xde;		/* the sequence, echoed */
	buf[9] = 0xad;
	buf[10] = 0xbe;
	buf[11] = 0xef;
	return len;
}

/* chronyc's request lengths: fields and padding to the reply's. */
static const struct {
	uint16_t	command;
	size_t		len;
} lengths[] = {
	{ CM_REQ_NULL, 28 },
	{ CM_REQ_N_SOURCES, 32 },
	{ CM_REQ_SOURCE_DATA, 76 },
	{ CM_REQ_TRACKING, 104 },
	{ CM_REQ_SOURCESTATS, 84 },
	{ CM_REQ_ACTIVITY, 48 },
	{ CM_REQ_SMOOTHING, 52 },
	{ CM_REQ_SERVER_STATS, 72 },
	{ CM_REQ_NTP_DATA, 152 },
	{ CM_REQ_NTP_SOURCE_NAME, 284 },
	{ CM_REQ_SELECT_DATA, 76 },
	{ CM_REQ_AUTH_DATA, 52 },
	{ CM_REQ_MANUAL_LIST, 416 },
	{ CM_REQ_BURST, 68 },
	{ CM_REQ_ONLINE, 60 },
	{ CM_REQ_MAKESTEP, 28 },
	{ CM_REQ_MODIFY_MAKESTEP, 28 },
	{ CM_REQ_DOFFSET2, 28 },
	{ CM_REQ_ADD_SOURCE, 372 },
	{ CM_REQ_CLIENT_ACCESSES_BY_INDEX3, 520 },
};

START_TEST(test_cmdmon_lengths)
{
	uint8_t			 buf[CM_REQ_MAX];
	struct cmdmon_request	 req;
	enum cmdmon_status	 st = CM_STT_SUCCESS;
	size_t			 n = lengths[_i].len;

	/* The exact length is taken, padding and all; one byte less not. */
	request(buf, 6, lengths[_i].command, n);
	ck_assert_int_eq(cmdmon_parse(buf, n, &req, &st), CM_OK);
	ck_assert_int_eq(req.command, lengths[_i].command);
	ck_assert_uint_eq(req.length, n);
	if (n > CM_RPY_HDR) {
		ck_assert_int_eq(cmdmon_parse(buf, n - 1, &req, &st), CM_ERROR);
		ck_assert_int_eq(st, CM_STT_BADPKTLENGTH);
	}
	/* Longer is fine (chronyd's rule): up to its largest request. */
	ck_assert_int_eq(cmdmon_parse(buf, CM_REQ_MAX, &req, &st), CM_OK);
}
END_TEST

/* What is dropped without a word, and what is answered with a status. */
static const struct {
	const char	*what;
	uint8_t		 version, type, res;
	uint16_t	 command;
	size_t		 len;
	enum cmdmon_verdict	 verdict;
	enum cmdmon_status	 status;
} verdicts[] = {
	{ "empty", 6, 1, 0, 33, 0, CM_DROP, 0 },
	{ "shorter than an error reply", 6, 1, 0, 0, 27, CM_DROP, 0 },
	{ "longer than any request", 6, 1, 0, 33, CM_REQ_MAX + 1, CM_DROP,
	    0 },
	{ "a reply, not a request", 6, 2, 0, 33, 104, CM_DROP, 0 },
	{ "reserved bytes set", 6, 1, 1, 33, 104, CM_DROP, 0 },
	{ "version 4: cannot read our answer", 4, 1, 0, 33, 104, CM_DROP, 0 },
	{ "version 5", 5, 1, 0, 33, 104, CM_ERROR, CM_STT_BADPKTVERSION },
	{ "version 7", 7, 1, 0, 33, 104, CM_ERROR, CM_STT_BADPKTVERSION },
	{ "unknown command", 6, 1, 0, 200, 104, CM_ERROR, CM_STT_INVALID },
	{ "LOCAL, chronyc's before LOCAL2", 6, 1, 0, 12, 104, CM_ERROR,
	    CM_STT_INVALID },
	{ "tracking without its padding", 6, 1, 0, 33, 28, CM_ERROR,
	    CM_STT_BADPKTLENGTH },
	{ "tracking", 6, 1, 0, 33, 104, CM_OK, 0 },
};

START_TEST(test_cmdmon_verdicts)
{
	uint8_t			 buf[CM_REQ_MAX + 8];
	struct cmdmon_request	 req;
	enum cmdmon_status	 st = CM_STT_SUCCESS;

	request(buf, verdicts[_i].version, verdicts[_i].command, 0);
	buf[1] = verdicts[_i].type;
	buf[2] = verdicts[_i].res;
	ck_assert_msg(cmdmon_parse(buf, verdicts[_i].len, &req, &st) ==
	    verdicts[_i].verdict, "%s", verdicts[_i].what);
	if (verdicts[_i].verdict == CM_ERROR)
		ck_assert_msg(st == verdicts[_i].status, "%s: status %d",
		    verdicts[_i].what, st);
}
END_TEST

/* A reply echoes the command and sequence, and is never the longer. */
START_TEST(test_cmdmon_reply_header)
{
	uint8_t			 buf[CM_REQ_MAX], out[CM_RPY_MAX];
	uint8_t			 body[CM_RPY_MAX];
	struct cmdmon_request	 req;
	struct rpt_tracking	 t;
	enum cmdmon_status	 st;
	size_t			 n;

	memset(&t, 0, sizeof(t));
	request(buf, 6, CM_REQ_TRACKING, 104);
	ck_assert_int_eq(cmdmon_parse(buf, 104, &req, &st), CM_OK);
	n = cmdmon_reply(out, &req, CM_STT_SUCCESS, CM_RPY_TRACKING, body,
	    cmdmon_body_tracking(body, &t));
	ck_assert_uint_eq(n, 104);
	ck_assert_int_eq(out[0], 6);
	ck_assert_int_eq(out[1], 2);
	ck_assert_int_eq(get16(out + 4), CM_REQ_TRACKING);
	ck_assert_int_eq(get16(out + 6), CM_RPY_TRACKING);
	ck_assert_int_eq(get16(out + 8), CM_STT_SUCCESS);
	ck_assert_uint_eq(get32(out + 16), 0xdeadbeef);

	/* An error is the header alone, with its status. */
	n = cmdmon_reply(out, &req, CM_STT_UNAUTH, CM_RPY_NULL, NULL, 0);
	ck_assert_uint_eq(n, CM_RPY_HDR);
	ck_assert_int_eq(get16(out + 8), CM_STT_UNAUTH);

	/* A body longer than the request is never sent. */
	req.length = 103;
	ck_assert_uint_eq(cmdmon_reply(out, &req, CM_STT_SUCCESS,
	    CM_RPY_TRACKING, body, 76), 0);
}
END_TEST

/* chrony's floats: values worked out from 2^(exp - 25) * coef. */
static const struct {
	double		 x;
	uint32_t	 f;
} floats[] = {
	{ 0.0, 0 },
	{ 1.0, 2U << 25 | 1U << 23 },		/* 2^23 * 2^(2 - 25) */
	{ -1.0, 2U << 25 | ((1U << 25) - (1U << 23)) },
	{ 0.5, 1U << 25 | 1U << 23 },
	{ 3.0, 3U << 25 | 3U << 22 },
	{ 1e-200, 0 },				/* below 1e-100: 0 */
	{ 1e200, 63U << 25 | ((1U << 24) - 1) },	/* the largest */
};

START_TEST(test_cmdmon_float_values)
{
	ck_assert_msg(cmdmon_float_enc(floats[_i].x) == floats[_i].f,
	    "%g: %08x, not %08x", floats[_i].x, cmdmon_float_enc(floats[_i].x),
	    floats[_i].f);
	if (fabs(floats[_i].x) < 1e100)
		ck_assert(cmdmon_float_dec(floats[_i].f) == floats[_i].x ||
		    floats[_i].x == 1e-200);
}
END_TEST

/* Any value comes back within the coefficient's 24 bits. */
START_TEST(test_cmdmon_float_round_trip)
{
	uint64_t	 rng = seed;
	double		 x, y;
	int		 i;

	for (i = 0; i < 100000; i++) {
		x = (rnd_unit(&rng) - 0.5) *
		    pow(10.0, rnd_unit(&rng) * 30.0 - 15.0);
		y = cmdmon_float_dec(cmdmon_float_enc(x));
		ck_assert_msg(fabs(y - x) <= fabs(x) * 0x1p-23,
		    "%.17g came back %.17g", x, y);
	}
	ck_assert(cmdmon_float_enc(NAN) == 0);
	/* below 2^-64 the coefficient shrinks: small, not wrong */
	ck_assert(fabs(cmdmon_float_dec(cmdmon_float_enc(1e-21)) - 1e-21) <
	    1e-25);
}
END_TEST

/* A report as chronyc reads it: offsets, signs, time, address. */
START_TEST(test_cmdmon_tracking_body)
{
	struct rpt_tracking	 t;
	uint8_t			 b[CM_RPY_MAX];

	memset(&t, 0, sizeof(t));
	t.ref_id = 0xc0a87b01;
	strcpy(t.ref_address, "192.168.123.1");
	t.stratum = 2;
	t.leap = LEAP_INSERT;
	t.ref_time = 1262304005.25;
	t.system_time_offset_s = 1e-6;		/* timed: + fast */
	t.freq_ppm = -12.5;
	t.skew_ppm = 0.25;
	ck_assert_uint_eq(cmdmon_body_tracking(b, &t), 76);
	ck_assert_uint_eq(get32(b), 0xc0a87b01);
	ck_assert_uint_eq(get32(b + 4), 0xc0a87b01);	/* IPv4 */
	ck_assert_int_eq(get16(b + 20), 1);		/* INET4 */
	ck_assert_int_eq(get16(b + 24), 2);
	ck_assert_int_eq(get16(b + 26), LEAP_INSERT);
	ck_assert_uint_eq(get32(b + 28), 0);		/* seconds, high */
	ck_assert_uint_eq(get32(b + 32), 1262304005);
	ck_assert_uint_eq(get32(b + 36), 250000000);
	/* chrony's correction is + when the clock is slow */
	ck_assert(fabs(cmdmon_float_dec(get32(b + 40)) + 1e-6) < 1e-12);
	ck_assert(cmdmon_float_dec(get32(b + 52)) == -12.5);
	ck_assert(cmdmon_float_dec(get32(b + 60)) == 0.25);

	/* before 1970 (chrony's 115 starts in 1850): negative seconds */
	t.ref_time = -3786825595.0;
	cmdmon_body_tracking(b, &t);
	ck_assert_uint_eq(get32(b + 28), 0xffffffff);
	ck_assert_uint_eq(get32(b + 32), (uint32_t)(int64_t)-3786825595LL);

	/* never: all zero; no address: family 0, chronyc shows the ID */
	t.ref_time = 0.0;
	t.ref_address[0] = '\0';
	cmdmon_body_tracking(b, &t);
	ck_assert_uint_eq(get32(b + 28) | get32(b + 32) | get32(b + 36), 0);
	ck_assert_int_eq(get16(b + 20), 0);
}
END_TEST

START_TEST(test_cmdmon_source_body)
{
	struct rpt_source	 s;
	uint8_t			 b[CM_RPY_MAX];

	memset(&s, 0, sizeof(s));
	s.mode = RPT_MODE_SERVER;
	s.state = '*';
	strcpy(s.address, "2001:db8::1");
	s.poll = -2;
	s.stratum = 1;
	s.reach = 0377;
	s.last_rx_s = 3.7;
	s.offset_s = 1e-3;
	s.measured_offset_s = 2e-3;
	s.error_s = 5e-4;
	ck_assert_uint_eq(cmdmon_body_source(b, &s), 48);
	ck_assert_int_eq(b[0], 0x20);
	ck_assert_int_eq(b[15], 1);
	ck_assert_int_eq(get16(b + 16), 2);		/* INET6 */
	ck_assert_int_eq((int16_t)get16(b + 20), -2);
	ck_assert_int_eq(get16(b + 22), 1);
	ck_assert_int_eq(get16(b + 24), 0);		/* selected */
	ck_assert_int_eq(get16(b + 26), 0);		/* client */
	ck_assert_int_eq(get16(b + 30), 0377);
	ck_assert_uint_eq(get32(b + 32), 3);
	ck_assert(fabs(cmdmon_float_dec(get32(b + 36)) - 2e-3) < 1e-9);
	ck_assert(fabs(cmdmon_float_dec(get32(b + 40)) - 1e-3) < 1e-9);
	ck_assert(fabs(cmdmon_float_dec(get32(b + 44)) - 5e-4) < 1e-9);

	/* never heard: "-" in LastRx, no sample */
	s.last_rx_s = -1.0;
	s.state = '?';
	s.address[0] = '\0';			/* unresolved: an ID */
	cmdmon_body_source(b, &s);
	ck_assert_uint_eq(get32(b + 32), UINT32_MAX);
	ck_assert_uint_eq(get32(b + 36) | get32(b + 40) | get32(b + 44), 0);
	ck_assert_int_eq(get16(b + 16), 3);
	ck_assert_int_eq(get16(b + 24), 1);		/* not selectable */

	/* a refclock: its ID as an IPv4 address, mode "reference" */
	s.mode = RPT_MODE_REFCLOCK;
	strcpy(s.name, "GPS");
	s.state = '+';
	cmdmon_body_source(b, &s);
	ck_assert_uint_eq(get32(b), 0x47505300);
	ck_assert_int_eq(get16(b + 16), 1);
	ck_assert_int_eq(get16(b + 26), 2);
	ck_assert_int_eq(get16(b + 24), 4);		/* combined */
}
END_TEST

/* The fields of each request, where chronyc puts them. */
START_TEST(test_cmdmon_request_fields)
{
	uint8_t			 buf[CM_REQ_MAX];
	struct cmdmon_request	 req;
	enum cmdmon_status	 st;
	char			 text[64];
	uint32_t		 f;

	/* burst 2/5 1.2.3.4: mask 255.255.255.255, address, counts */
	request(buf, 6, CM_REQ_BURST, 68);
	memset(buf + 20, 0xff, 4);
	buf[20 + 17] = 1;
	buf[40] = 1;
	buf[41] = 2;
	buf[42] = 3;
	buf[43] = 4;
	buf[40 + 17] = 1;
	buf[63] = 2;
	buf[67] = 5;
	ck_assert_int_eq(cmdmon_parse(buf, 68, &req, &st), CM_OK);
	ck_assert(cmdmon_mask_one(&req.mask));
	ck_assert_int_eq(cmdmon_addr_text(&req.addr, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "1.2.3.4");
	ck_assert_int_eq(req.n_good, 2);
	ck_assert_int_eq(req.n_total, 5);

	/* a /24 is not one address */
	buf[23] = 0;
	ck_assert_int_eq(cmdmon_parse(buf, 68, &req, &st), CM_OK);
	ck_assert(!cmdmon_mask_one(&req.mask));

	/* makestep 0.1 3: limit, then threshold */
	request(buf, 6, CM_REQ_MODIFY_MAKESTEP, 28);
	buf[23] = 3;
	f = cmdmon_float_enc(0.1);
	buf[24] = f >> 24;
	buf[25] = (f >> 16) & 0xff;
	buf[26] = (f >> 8) & 0xff;
	buf[27] = f & 0xff;
	ck_assert_int_eq(cmdmon_parse(buf, 28, &req, &st), CM_OK);
	ck_assert_int_eq(req.option, 3);
	ck_assert(fabs(req.value - 0.1) < 1e-8);

	/* sourcestats 7 */
	request(buf, 6, CM_REQ_SOURCESTATS, 84);
	buf[23] = 7;
	ck_assert_int_eq(cmdmon_parse(buf, 84, &req, &st), CM_OK);
	ck_assert_int_eq(req.index, 7);
}
END_TEST

/* Whatever arrives: no crash, and nothing answered is the longer. */
START_TEST(test_cmdmon_random)
{
	uint64_t		 rng = seed ^ 0x5a5a;
	uint8_t			 buf[CM_REQ_MAX + 2], out[CM_RPY_MAX];
	uint8_t			 body[CM_RPY_MAX];
	struct cmdmon_request	 req;
	struct rpt_sourcename	 sn;
	enum cmdmon_status	 st;
	size_t			 len, i, n;
	int			 k;

	memset(&sn, 'x', sizeof(sn));
	for (k = 0; k < 200000; k++) {
		len = rnd_next(&rng) % (CM_REQ_MAX + 2);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd_next(&rng);
		if (k % 2) {		/* mostly well-formed headers */
			buf[0] = 6;
			buf[1] = 1;
			buf[2] = buf[3] = 0;
			buf[4] = 0;
			buf[5] %= 75;
		}
		switch (cmdmon_parse(buf, len, &req, &st)) {
		case CM_DROP:
			continue;
		case CM_ERROR:
			n = cmdmon_reply(out, &req, st, CM_RPY_NULL, NULL, 0);
			ck_assert_uint_eq(n, CM_RPY_HDR);
			break;
		case CM_OK:
			n = cmdmon_reply(out, &req, CM_STT_SUCCESS,
			    CM_RPY_NTP_SOURCE_NAME, body,
			    cmdmon_body_sourcename(body, &sn));
			ck_assert(n == 0 || n <= len);
			break;
		}
	}
	/* the name is NUL-terminated within its 256 bytes */
	ck_assert_int_eq(body[255], 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cmdmon");
	TCase	*tc = tcase_create("cmdmon");
	SRunner	*sr;
	int	 failed;

	seed = test_seed("check_cmdmon");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cmdmon_lengths, 0, NELEM(lengths));
	tcase_add_loop_test(tc, test_cmdmon_verdicts, 0, NELEM(verdicts));
	tcase_add_test(tc, test_cmdmon_reply_header);
	tcase_add_loop_test(tc, test_cmdmon_float_values, 0, NELEM(floats));
	tcase_add_test(tc, test_cmdmon_float_round_trip);
	tcase_add_test(tc, test_cmdmon_tracking_body);
	tcase_add_test(tc, test_cmdmon_source_body);
	tcase_add_test(tc, test_cmdmon_request_fields);
	tcase_add_test(tc, test_cmdmon_random);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
