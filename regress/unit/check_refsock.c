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
 * Unit tests of the SOCK reference clock's decoder (lib/refsock.c).
 * Datagrams are built byte by byte at the offsets of 64-bit Linux's
 * struct sock_sample; the native struct, as chrony and gpsd declare it,
 * is compared with ours at compile time.
 */

#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#include "refsock.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#if defined(__linux__) && defined(__LP64__)
/* chrony's refclock_sock.c and gpsd's (timehint.c), with host types. */
struct chrony_sock_sample {
	struct timeval	 tv;
	double		 offset;
	int		 pulse;
	int		 leap;
	int		 _pad;
	int		 magic;
};
_Static_assert(offsetof(struct chrony_sock_sample, tv) +
    offsetof(struct timeval, tv_sec) ==
    offsetof(struct refsock_wire, tv_sec), "tv_sec");
_Static_assert(offsetof(struct chrony_sock_sample, tv) +
    offsetof(struct timeval, tv_usec) ==
    offsetof(struct refsock_wire, tv_usec), "tv_usec");
_Static_assert(offsetof(struct chrony_sock_sample, offset) ==
    offsetof(struct refsock_wire, offset), "offset");
_Static_assert(offsetof(struct chrony_sock_sample, pulse) ==
    offsetof(struct refsock_wire, pulse), "pulse");
_Static_assert(offsetof(struct chrony_sock_sample, leap) ==
    offsetof(struct refsock_wire, leap), "leap");
_Static_assert(offsetof(struct chrony_sock_sample, magic) ==
    offsetof(struct refsock_wire, magic), "magic");
_Static_assert(sizeof(struct chrony_sock_sample) == REFSOCK_SIZE, "size");
#endif

/* The offsets of 64-bit Linux, written out. */
enum { O_SEC = 0, O_USEC = 8, O_OFFSET = 16, O_PULSE = 24, O_LEAP = 28,
	O_PAD = 32, O_MAGIC = 36 };

#define T0	1700000000LL
#define S	1000000000LL
#define END	(-1)

static void
put32(uint8_t *b, int off, int32_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void
put64(uint8_t *b, int off, int64_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void
putd(uint8_t *b, int off, double v)
{
	memcpy(b + off, &v, sizeof(v));
}

/* gpsd's sample: at system time T0.250000 true time was 1.5 ms later. */
static void
base(uint8_t *b)
{
	memset(b, 0, REFSOCK_SIZE);
	put64(b, O_SEC, T0);
	put64(b, O_USEC, 250000);
	putd(b, O_OFFSET, 0.0015);
	put32(b, O_PULSE, 0);
	put32(b, O_LEAP, 0);
	put32(b, O_PAD, 0x7777);
	put32(b, O_MAGIC, REFSOCK_MAGIC);
}

/* A field set on the base: 4 bytes, 8 bytes, a double. */
struct field {
	int	 off;
	int	 kind;
	int64_t	 i;
	double	 d;
};
#define F(o, v)		{ o, 4, v, 0.0 }
#define W(o, v)		{ o, 8, v, 0.0 }
#define D(o, v)		{ o, 'd', 0, v }
#define E		{ END, 0, 0, 0.0 }
#define LOC		(T0 * S + 250000000)

static const struct {
	const char		*what;
	struct field		 set[4];
	enum refsock_reason	 want;
	int64_t			 local_ns;
	double			 offset_s;
	int			 pulse, leap;
} rows[] = {
	{ "a sample", { E }, REFSOCK_OK, LOC, -0.0015, 0, 0 },
	{ "padding ignored", { F(O_PAD, -1), E }, REFSOCK_OK, LOC, -0.0015,
	    0, 0 },
	{ "local clock ahead", { D(O_OFFSET, -0.25), E }, REFSOCK_OK, LOC,
	    0.25, 0, 0 },
	{ "leap insert", { F(O_LEAP, 1), E }, REFSOCK_OK, LOC, -0.0015, 0, 1 },
	{ "leap delete", { F(O_LEAP, 2), E }, REFSOCK_OK, LOC, -0.0015, 0, 2 },
	{ "leap 3", { F(O_LEAP, 3), E }, REFSOCK_ERR_LEAP, 0, 0.0, 0, 0 },
	{ "leap -1", { F(O_LEAP, -1), E }, REFSOCK_ERR_LEAP, 0, 0.0, 0, 0 },
	{ "a pulse", { F(O_PULSE, 1), D(O_OFFSET, -0.000123), E },
	    REFSOCK_OK, LOC, 0.000123, 1, 0 },
	{ "a pulse is any non-zero", { F(O_PULSE, -7), E }, REFSOCK_OK, LOC,
	    -0.0015, 1, 0 },
	{ "a pulse's leap is not looked at", { F(O_PULSE, 1), F(O_LEAP, 9),
	    E }, REFSOCK_OK, LOC, -0.0015, 1, 0 },
	{ "magic byte-swapped", { F(O_MAGIC, 0x4b434f53), E },
	    REFSOCK_ERR_MAGIC, 0, 0.0, 0, 0 },
	{ "magic 0", { F(O_MAGIC, 0), E }, REFSOCK_ERR_MAGIC, 0, 0.0, 0, 0 },
	{ "magic before time", { F(O_MAGIC, 1), W(O_SEC, -1), E },
	    REFSOCK_ERR_MAGIC, 0, 0.0, 0, 0 },
	{ "tv_usec 1e6", { W(O_USEC, 1000000), E }, REFSOCK_ERR_TIME, 0, 0.0,
	    0, 0 },
	{ "tv_usec negative", { W(O_USEC, -1), E }, REFSOCK_ERR_TIME, 0, 0.0,
	    0, 0 },
	{ "tv_sec negative", { W(O_SEC, -1), E }, REFSOCK_ERR_TIME, 0, 0.0,
	    0, 0 },
	{ "tv_sec beyond int64 ns", { W(O_SEC, REFSOCK_MAX_SEC + 1), E },
	    REFSOCK_ERR_TIME, 0, 0.0, 0, 0 },
	{ "tv_sec at the limit", { W(O_SEC, REFSOCK_MAX_SEC), E }, REFSOCK_OK,
	    REFSOCK_MAX_SEC * S + 250000000, -0.0015, 0, 0 },
	{ "the epoch", { W(O_SEC, 0), W(O_USEC, 0), D(O_OFFSET, 0.5), E },
	    REFSOCK_OK, 0, -0.5, 0, 0 },
	{ "true time before the epoch", { W(O_SEC, 0), W(O_USEC, 0),
	    D(O_OFFSET, -0.5), E }, REFSOCK_ERR_OFFSET, 0, 0.0, 0, 0 },
	{ "a pulse near the epoch", { W(O_SEC, 0), W(O_USEC, 0),
	    D(O_OFFSET, -0.5), F(O_PULSE, 1) }, REFSOCK_OK, 0, 0.5, 1, 0 },
	{ "offset NaN", { D(O_OFFSET, NAN), E }, REFSOCK_ERR_OFFSET, 0, 0.0,
	    0, 0 },
	{ "offset infinite", { D(O_OFFSET, INFINITY), E }, REFSOCK_ERR_OFFSET,
	    0, 0.0, 0, 0 },
	{ "offset 2^32 s", { D(O_OFFSET, 4294967296.0), E },
	    REFSOCK_ERR_OFFSET, 0, 0.0, 0, 0 },
	{ "offset -2^32 s", { D(O_OFFSET, -4294967296.0), E },
	    REFSOCK_ERR_OFFSET, 0, 0.0, 0, 0 },
	{ "offset a year", { D(O_OFFSET, 31536000.0), E }, REFSOCK_OK, LOC,
	    -31536000.0, 0, 0 },
};

START_TEST(test_refsock_decode)
{
	uint8_t			 b[REFSOCK_SIZE];
	struct refsock_sample	 s;
	enum refsock_reason	 why;
	const struct field	*f;
	size_t			 i;

	base(b);
	for (i = 0; i < NELEM(rows[_i].set); i++) {
		f = &rows[_i].set[i];
		if (f->off == END)
			break;
		if (f->kind == 4)
			put32(b, f->off, (int32_t)f->i);
		else if (f->kind == 8)
			put64(b, f->off, f->i);
		else
			putd(b, f->off, f->d);
	}
	why = refsock_decode(b, sizeof(b), &s);
	ck_assert_msg(why == rows[_i].want, "%s: %s", rows[_i].what,
	    refsock_reason_name(why));
	if (why != REFSOCK_OK) {
		ck_assert(s.local_ns == 0 && s.offset_s == 0.0);
		return;
	}
	ck_assert_msg(s.local_ns == rows[_i].local_ns, "%s: time %lld",
	    rows[_i].what, (long long)s.local_ns);
	ck_assert_msg(s.offset_s == rows[_i].offset_s, "%s: offset %.9f",
	    rows[_i].what, s.offset_s);
	ck_assert_msg(s.pulse == rows[_i].pulse && s.leap == rows[_i].leap,
	    "%s: pulse %d leap %d", rows[_i].what, s.pulse, s.leap);
}
END_TEST

/* Exactly 40 bytes: chrony refuses any other length. */
START_TEST(test_refsock_size)
{
	uint8_t			 b[REFSOCK_SIZE * 2];
	struct refsock_sample	 s;
	static const size_t	 bad[] = { 0, 1, 32, 36, REFSOCK_SIZE - 1,
				     REFSOCK_SIZE + 1, REFSOCK_SIZE * 2 };
	size_t			 i;

	memset(b, 0, sizeof(b));
	base(b);
	for (i = 0; i < NELEM(bad); i++)
		ck_assert_int_eq(refsock_decode(b, bad[i], &s),
		    REFSOCK_ERR_SIZE);
	ck_assert_int_eq(refsock_decode(b, REFSOCK_SIZE, &s), REFSOCK_OK);
}
END_TEST

/* Through the struct a writer (a test's gpsd) would use. */
START_TEST(test_refsock_struct_round_trip)
{
	struct refsock_wire	 w;
	struct refsock_sample	 s;

	memset(&w, 0, sizeof(w));
	w.tv_sec = T0 + 1;
	w.tv_usec = 999999;
	w.offset = 1e-9;
	w.leap = REFSOCK_LEAP_INSERT;
	w.magic = REFSOCK_MAGIC;
	ck_assert_int_eq(refsock_decode((const uint8_t *)&w, sizeof(w), &s),
	    REFSOCK_OK);
	ck_assert(s.local_ns == (T0 + 1) * S + 999999000);
	ck_assert(s.offset_s == -1e-9);
	ck_assert_int_eq(s.leap, REFSOCK_LEAP_INSERT);
	ck_assert_str_eq(refsock_reason_name(REFSOCK_ERR_MAGIC), "bad magic");
	ck_assert_str_eq(refsock_reason_name(REFSOCK_NREASONS), "unknown");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("refsock");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_refsock_decode, 0, NELEM(rows));
	tcase_add_test(tc, test_refsock_size);
	tcase_add_test(tc, test_refsock_struct_round_trip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
