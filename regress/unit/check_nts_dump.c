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

#include "nts_dump.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
sample(struct nts_dump *d, int n_cookies)
{
	int	 i;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "ntp.example.net");
	d->ke_time = 1764115200;
	d->sessions = 3;
	d->aead = 15;
	memset(d->c2s, 0xc2, sizeof(d->c2s));
	memset(d->s2c, 0x52, sizeof(d->s2c));
	d->port = -1;
	d->n_cookies = n_cookies;
	for (i = 0; i < n_cookies; i++) {
		d->cookie_len[i] = 100 + i;
		memset(d->cookie[i], i, d->cookie_len[i]);
	}
}

START_TEST(test_nts_dump_round_trip)
{
	struct nts_dump	 d, e;
	char		 buf[NTS_DUMP_FILE_MAX];
	size_t		 len;
	int		 line;

	sample(&d, 8);
	snprintf(d.server, sizeof(d.server), "192.0.2.1");
	d.port = 1123;
	len = nts_dump_write(&d, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_eq(strlen(buf), len);
	ck_assert_int_eq(nts_dump_parse(buf, len, &e, &line), 0);
	ck_assert_int_eq(memcmp(&d, &e, sizeof(d)), 0);

	d.ke_time += 0.7;		/* the second it was in */
	len = nts_dump_write(&d, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\ntime 1764115200\n"));
	ck_assert_int_eq(nts_dump_parse(buf, len, &e, &line), 0);
	ck_assert_double_eq(e.ke_time, 1764115200);

	sample(&d, 1);			/* no server, no port */
	len = nts_dump_write(&d, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "server"));
	ck_assert_ptr_null(strstr(buf, "port"));
	ck_assert_int_eq(nts_dump_parse(buf, len, &e, &line), 0);
	ck_assert_int_eq(memcmp(&d, &e, sizeof(d)), 0);
	ck_assert_uint_eq(nts_dump_write(&d, buf, 100), 0);	/* short */
}
END_TEST

/* Files that must be refused, each with a what. */
static const struct {
	const char	*what;
	const char	*from;		/* replaced in a good file */
	const char	*to;
} bad_rows[] = {
	{ "another magic", "timed-nts-client 1", "timed-nts-client 2" },
	{ "no name", "name ntp.example.net\n", "" },
	{ "a name with a slash", "name ntp.example.net", "name a/b" },
	{ "a dotted name", "name ntp.example.net", "name .hidden" },
	{ "time not a number", "time 1764115200", "time 17x" },
	{ "time with a fraction", "time 1764115200", "time 1764.115200" },
	{ "time before 1970", "time 1764115200", "time 0" },
	{ "another AEAD", "aead 15", "aead 16" },
	{ "short key", "c2s c2c2", "c2s c2" },
	{ "upper-case hex", "s2c 5252", "s2c 5A52" },
	{ "no cookie", "cookie", "cookiex" },
	{ "short cookie", "cookie 0000", "cookie 00\ncookie 0000" },
	{ "port out of range", "cookie 0000", "port 65536\ncookie 0000" },
	{ "fields out of order", "aead 15\n", "" },
	{ "no newline at the end", "\n", "\n" },	/* cut below */
};

START_TEST(test_nts_dump_bad_rows)
{
	struct nts_dump	 d, e;
	char		 buf[NTS_DUMP_FILE_MAX], out[NTS_DUMP_FILE_MAX + 64];
	char		*p;
	size_t		 len, k;
	int		 line;

	sample(&d, 2);
	len = nts_dump_write(&d, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	if (_i == NELEM(bad_rows) - 1) {
		ck_assert_int_eq(nts_dump_parse(buf, len - 1, &e, &line), -1);
		return;
	}
	p = strstr(buf, bad_rows[_i].from);
	ck_assert_ptr_nonnull(p);
	k = (size_t)(p - buf);
	memcpy(out, buf, k);
	snprintf(out + k, sizeof(out) - k, "%s%s", bad_rows[_i].to,
	    p + strlen(bad_rows[_i].from));
	ck_assert_msg(nts_dump_parse(out, strlen(out), &e, &line) == -1,
	    "%s: accepted", bad_rows[_i].what);
	for (k = 0; k < sizeof(e); k++)		/* nothing half-parsed */
		ck_assert_int_eq(((uint8_t *)&e)[k], 0);
}
END_TEST

START_TEST(test_nts_dump_check_limits)
{
	struct nts_dump	 d;

	sample(&d, 8);
	ck_assert_ptr_null(nts_dump_check(&d));
	d.n_cookies = 0;
	ck_assert_ptr_nonnull(nts_dump_check(&d));
	sample(&d, 8);
	d.cookie_len[7] = 11;
	ck_assert_ptr_nonnull(nts_dump_check(&d));
	sample(&d, 8);
	memset(d.name, 'a', sizeof(d.name));	/* not NUL-terminated */
	ck_assert_ptr_nonnull(nts_dump_check(&d));
	sample(&d, 8);
	d.aead = 16;
	ck_assert_ptr_nonnull(nts_dump_check(&d));
	ck_assert_int_eq(nts_dump_name_ok("../etc"), 0);
	ck_assert_int_eq(nts_dump_name_ok(""), 0);
	ck_assert_int_eq(nts_dump_name_ok("127.0.0.1"), 1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("nts_dump");
	TCase	*tc = tcase_create("dump");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_nts_dump_round_trip);
	tcase_add_loop_test(tc, test_nts_dump_bad_rows, 0, NELEM(bad_rows));
	tcase_add_test(tc, test_nts_dump_check_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
