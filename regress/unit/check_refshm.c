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
 * Unit tests of the NTP SHM segment decoder and its permission rule
 * (lib/refshm.c).  Segments are built byte by byte at the offsets of
 * 64-bit Linux's struct shmTime, not through struct refshm_time, so that
 * a wrong offset in either fails here; the native struct, as gpsd
 * declares it, is compared with ours at compile time.
 */

#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "refshm.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#if defined(__linux__) && defined(__LP64__)
/* gpsd's ntpshm.h (and chrony's refclock_shm.c), with the host's types. */
struct gpsd_shmTime {
	int		 mode;
	volatile int	 count;
	time_t		 clockTimeStampSec;
	int		 clockTimeStampUSec;
	time_t		 receiveTimeStampSec;
	int		 receiveTimeStampUSec;
	int		 leap;
	int		 precision;
	int		 nsamples;
	volatile int	 valid;
	unsigned	 clockTimeStampNSec;
	unsigned	 receiveTimeStampNSec;
	int		 dummy[8];
};
#define SAME(f, g)	_Static_assert(offsetof(struct gpsd_shmTime, g) == \
			    offsetof(struct refshm_time, f), #f)
SAME(mode, mode);
SAME(count, count);
SAME(clock_sec, clockTimeStampSec);
SAME(clock_usec, clockTimeStampUSec);
SAME(rx_sec, receiveTimeStampSec);
SAME(rx_usec, receiveTimeStampUSec);
SAME(leap, leap);
SAME(precision, precision);
SAME(nsamples, nsamples);
SAME(valid, valid);
SAME(clock_nsec, clockTimeStampNSec);
SAME(rx_nsec, receiveTimeStampNSec);
SAME(dummy, dummy);
_Static_assert(sizeof(struct gpsd_shmTime) == REFSHM_SIZE, "size");
#endif

/* The offsets of 64-bit Linux, written out. */
enum {
	O_MODE = 0, O_COUNT = 4, O_CSEC = 8, O_CUSEC = 16, O_RSEC = 24,
	O_RUSEC = 32, O_LEAP = 36, O_PREC = 40, O_NSAMP = 44, O_VALID = 48,
	O_CNSEC = 52, O_RNSEC = 56, O_DUMMY = 60
};

#define T0	1700000000LL
#define S	1000000000LL

static void
put32(uint8_t *seg, int off, int32_t v)
{
	memcpy(seg + off, &v, sizeof(v));
}

static void
put64(uint8_t *seg, int off, int64_t v)
{
	memcpy(seg + off, &v, sizeof(v));
}

/*
 * A valid mode 0 sample: the reference's time T0 + 0.123456789, taken
 * when the system clock read T0 + 0.200000123 (77 ms ahead).
 */
static void
base(uint8_t *seg)
{
	int	 i;

	memset(seg, 0xa5, REFSHM_SIZE);	/* padding is never read */
	put32(seg, O_MODE, 0);
	put32(seg, O_COUNT, 7);
	put64(seg, O_CSEC, T0);
	put32(seg, O_CUSEC, 123456);
	put64(seg, O_RSEC, T0);
	put32(seg, O_RUSEC, 200000);
	put32(seg, O_LEAP, REFSHM_LEAP_NONE);
	put32(seg, O_PREC, -20);
	put32(seg, O_NSAMP, 0);
	put32(seg, O_VALID, 1);
	put32(seg, O_CNSEC, 123456789);
	put32(seg, O_RNSEC, 200000123);
	for (i = 0; i < 8; i++)
		put32(seg, O_DUMMY + 4 * i, 0);
}

#define END	(-1)		/* no more fields */
struct field {
	int	 off;		/* END: none */
	int	 wide;		/* an 8-byte field */
	int64_t	 v;
};

/* Fields set on the base segment: 4 bytes, 8 bytes, no more. */
#define F(o, v)		{ o, 0, v }
#define W(o, v)		{ o, 1, v }
#define E		{ END, 0, 0 }
/* The base's times; with the nanoseconds ignored. */
#define REF		(T0 * S + 123456789)
#define LOC		(T0 * S + 200000123)
#define REF_US		(T0 * S + 123456000)
#define LOC_US		(T0 * S + 200000000)

static const struct {
	const char		*what;
	struct field		 set[4];
	int32_t			 count_after;
	enum refshm_reason	 want;
	int64_t			 ref_ns, local_ns;	/* when REFSHM_OK */
	int			 leap, nsec;
} decode_rows[] = {
	{ "mode 0, nanoseconds", { E }, 7, REFSHM_OK, REF, LOC, 0, 1 },
	{ "mode 0 ignores count", { E }, 8, REFSHM_OK, REF, LOC, 0, 1 },
	{ "mode 1, count unchanged", { F(O_MODE, 1), E }, 7, REFSHM_OK,
	    REF, LOC, 0, 1 },
	{ "mode 1, count changed: torn", { F(O_MODE, 1), E }, 9,
	    REFSHM_ERR_TORN, 0, 0, 0, 0 },
	{ "mode 1 torn before not valid", { F(O_MODE, 1), F(O_VALID, 0), E },
	    8, REFSHM_ERR_TORN, 0, 0, 0, 0 },
	{ "mode 2", { F(O_MODE, 2), E }, 7, REFSHM_ERR_MODE, 0, 0, 0, 0 },
	{ "mode -1", { F(O_MODE, -1), E }, 7, REFSHM_ERR_MODE, 0, 0, 0, 0 },
	{ "bad mode before not valid", { F(O_MODE, 5), F(O_VALID, 0), E }, 7,
	    REFSHM_ERR_MODE, 0, 0, 0, 0 },
	{ "not valid", { F(O_VALID, 0), E }, 7, REFSHM_ERR_NOT_VALID,
	    0, 0, 0, 0 },
	{ "valid is any non-zero", { F(O_VALID, -3), E }, 7, REFSHM_OK,
	    REF, LOC, 0, 1 },
	{ "clock nsec disagrees: microseconds", { F(O_CNSEC, 0), E }, 7,
	    REFSHM_OK, REF_US, LOC_US, 0, 0 },
	{ "rx nsec disagrees: microseconds", { F(O_RNSEC, 199999999), E }, 7,
	    REFSHM_OK, REF_US, LOC_US, 0, 0 },
	{ "nsec -1 with usec 0: microseconds, not -1 ns",
	    { F(O_CUSEC, 0), F(O_CNSEC, -1), E }, 7, REFSHM_OK,
	    T0 * S, LOC_US, 0, 0 },
	{ "nsec 1e9 (usec 1e6 agrees)",
	    { F(O_CUSEC, 1000000), F(O_CNSEC, 1000000000), E }, 7,
	    REFSHM_ERR_TIME, 0, 0, 0, 0 },
	{ "usec 1e6, nsec disagreeing", { F(O_CUSEC, 1000000),
	    F(O_CNSEC, 5), E }, 7, REFSHM_ERR_TIME, 0, 0, 0, 0 },
	{ "rx usec negative", { F(O_RUSEC, -1), F(O_RNSEC, 0), E }, 7,
	    REFSHM_ERR_TIME, 0, 0, 0, 0 },
	{ "clock sec negative", { W(O_CSEC, -1), E }, 7, REFSHM_ERR_TIME,
	    0, 0, 0, 0 },
	{ "rx sec beyond int64 ns", { W(O_RSEC, REFSHM_MAX_SEC + 1), E }, 7,
	    REFSHM_ERR_TIME, 0, 0, 0, 0 },
	{ "rx sec at the limit", { W(O_RSEC, REFSHM_MAX_SEC),
	    W(O_CSEC, REFSHM_MAX_SEC - 1), E }, 7, REFSHM_OK,
	    (REFSHM_MAX_SEC - 1) * S + 123456789,
	    REFSHM_MAX_SEC * S + 200000123, 0, 1 },
	{ "times 2^32 s apart", { W(O_RSEC, T0 + 4294967296LL), E }, 7,
	    REFSHM_ERR_TIME, 0, 0, 0, 0 },
	{ "times just under 2^32 s apart", { W(O_RSEC, T0 + 4294967295LL),
	    F(O_RUSEC, 0), F(O_RNSEC, 0), E }, 7, REFSHM_OK,
	    REF, (T0 + 4294967295LL) * S, 0, 1 },
	{ "the epoch itself", { W(O_CSEC, 0), W(O_RSEC, 0), E }, 7,
	    REFSHM_OK, 123456789, 200000123, 0, 1 },
	{ "leap insert", { F(O_LEAP, 1), E }, 7, REFSHM_OK, REF, LOC, 1, 1 },
	{ "leap delete", { F(O_LEAP, 2), E }, 7, REFSHM_OK, REF, LOC, 2, 1 },
	{ "leap 3: not synchronised", { F(O_LEAP, 3), E }, 7,
	    REFSHM_ERR_LEAP, 0, 0, 0, 0 },
	{ "leap 4", { F(O_LEAP, 4), E }, 7, REFSHM_ERR_LEAP, 0, 0, 0, 0 },
	{ "leap -1", { F(O_LEAP, -1), E }, 7, REFSHM_ERR_LEAP, 0, 0, 0, 0 },
	{ "local clock behind", { W(O_RSEC, T0 - 2), E }, 7, REFSHM_OK,
	    REF, (T0 - 2) * S + 200000123, 0, 1 },
	{ "nsamples and dummy ignored", { F(O_NSAMP, 77), F(O_DUMMY, -1),
	    F(O_DUMMY + 28, 12345), E }, 7, REFSHM_OK, REF, LOC, 0, 1 },
};

START_TEST(test_refshm_decode)
{
	uint8_t			 seg[REFSHM_SIZE];
	struct refshm_sample	 s;
	enum refshm_reason	 why;
	const struct field	*f;

	base(seg);
	for (f = decode_rows[_i].set; f->off != END; f++) {
		if (f->wide)
			put64(seg, f->off, f->v);
		else
			put32(seg, f->off, (int32_t)f->v);
	}
	why = refshm_decode(seg, sizeof(seg), decode_rows[_i].count_after, &s);
	ck_assert_msg(why == decode_rows[_i].want, "%s: %s",
	    decode_rows[_i].what, refshm_reason_name(why));
	if (why != REFSHM_OK)
		return;
	ck_assert_msg(s.ref_ns == decode_rows[_i].ref_ns &&
	    s.local_ns == decode_rows[_i].local_ns, "%s: times %lld %lld",
	    decode_rows[_i].what, (long long)s.ref_ns, (long long)s.local_ns);
	ck_assert_msg(fabs(s.offset_s - (double)(s.local_ns - s.ref_ns) /
	    1e9) < 1e-9, "%s: offset", decode_rows[_i].what);
	ck_assert_msg(s.leap == decode_rows[_i].leap, "%s: leap",
	    decode_rows[_i].what);
	ck_assert_msg(s.nsec == decode_rows[_i].nsec, "%s: nsec",
	    decode_rows[_i].what);
	ck_assert_int_eq(s.precision, -20);
}
END_TEST

/* The sign: a local clock 76.543334 ms ahead gives + 0.076543334. */
START_TEST(test_refshm_offset_sign)
{
	uint8_t			 seg[REFSHM_SIZE];
	struct refshm_sample	 s;

	base(seg);
	ck_assert_int_eq(refshm_decode(seg, sizeof(seg), 7, &s), REFSHM_OK);
	ck_assert(fabs(s.offset_s - 0.076543334) < 1e-12);
}
END_TEST

START_TEST(test_refshm_size)
{
	uint8_t			 seg[REFSHM_SIZE + 1];
	struct refshm_sample	 s;
	static const size_t	 bad[] = { 0, 4, 92, REFSHM_SIZE - 1,
				     REFSHM_SIZE + 1 };
	size_t			 i;

	base(seg);
	seg[REFSHM_SIZE] = 0;
	for (i = 0; i < NELEM(bad); i++) {
		ck_assert_int_eq(refshm_decode(seg, bad[i], 7, &s),
		    REFSHM_ERR_SIZE);
		ck_assert(s.ref_ns == 0 && s.local_ns == 0);
	}
}
END_TEST

/* Through the struct a writer (a test's gpsd) would use. */
START_TEST(test_refshm_struct_round_trip)
{
	struct refshm_time	 t;
	struct refshm_sample	 s;

	memset(&t, 0, sizeof(t));
	t.mode = 1;
	t.count = 42;
	t.clock_sec = T0 + 5;
	t.clock_usec = 999999;
	t.clock_nsec = 999999999;
	t.rx_sec = T0 + 6;
	t.rx_usec = 1;
	t.rx_nsec = 1000;
	t.leap = REFSHM_LEAP_INSERT;
	t.valid = 1;
	ck_assert_int_eq(refshm_decode((const uint8_t *)&t, sizeof(t), 42, &s),
	    REFSHM_OK);
	ck_assert(s.ref_ns == (T0 + 5) * S + 999999999);
	ck_assert(s.local_ns == (T0 + 6) * S + 1000);
	ck_assert_int_eq(s.leap, REFSHM_LEAP_INSERT);
}
END_TEST

START_TEST(test_refshm_consumed)
{
	/* chrony clears valid only once mode, count and valid passed */
	ck_assert(refshm_consumed(REFSHM_OK));
	ck_assert(!refshm_consumed(REFSHM_ERR_SIZE));
	ck_assert(!refshm_consumed(REFSHM_ERR_MODE));
	ck_assert(!refshm_consumed(REFSHM_ERR_TORN));
	ck_assert(!refshm_consumed(REFSHM_ERR_NOT_VALID));
	ck_assert(refshm_consumed(REFSHM_ERR_LEAP));
	ck_assert(refshm_consumed(REFSHM_ERR_TIME));
	ck_assert(!refshm_consumed(REFSHM_NREASONS));
	ck_assert_str_eq(refshm_reason_name(REFSHM_ERR_TORN), "torn read");
	ck_assert_str_eq(refshm_reason_name(REFSHM_NREASONS), "unknown");
}
END_TEST

static const struct {
	const char		*what;
	struct refshm_seg	 seg;
	uint32_t		 perm, self;
	enum refshm_perm	 want;
} perm_rows[] = {
	{ "default: root's, 0600", { 0, 0, 0600, 96 }, 0600, 0,
	    REFSHM_PERM_OK },
	{ "read-only for the owner", { 0, 0, 0400, 96 }, 0600, 0,
	    REFSHM_PERM_OK },
	{ "a page", { 0, 0, 0600, 4096 }, 0600, 0, REFSHM_PERM_OK },
	{ "SHM_DEST and SHM_LOCKED bits", { 0, 0, 03600, 96 }, 0600, 0,
	    REFSHM_PERM_OK },
	{ "world-readable, 0600 configured", { 0, 0, 0644, 96 }, 0600, 0,
	    REFSHM_PERM_MODE },
	{ "group-writable, 0600 configured", { 0, 0, 0620, 96 }, 0600, 0,
	    REFSHM_PERM_MODE },
	{ "world-writable, 0600 configured", { 0, 0, 0666, 96 }, 0600, 0,
	    REFSHM_PERM_MODE },
	{ "world-writable, 0666 configured", { 0, 0, 0666, 96 }, 0666, 0,
	    REFSHM_PERM_OK },
	{ "0644 configured and found", { 0, 0, 0644, 96 }, 0644, 0,
	    REFSHM_PERM_OK },
	{ "an attacker's, created first", { 1000, 1000, 0600, 96 }, 0600, 0,
	    REFSHM_PERM_OWNER },
	{ "created by another user, given to root", { 0, 1000, 0600, 96 },
	    0600, 0, REFSHM_PERM_OWNER },
	{ "root's, given to another user", { 1000, 0, 0600, 96 }, 0600, 0,
	    REFSHM_PERM_OWNER },
	{ "timed unprivileged, its own", { 990, 990, 0600, 96 }, 0600, 990,
	    REFSHM_PERM_OK },
	{ "timed unprivileged, root's", { 0, 0, 0600, 96 }, 0600, 990,
	    REFSHM_PERM_OK },
	{ "owner checked before mode", { 1000, 1000, 0666, 96 }, 0666, 0,
	    REFSHM_PERM_OWNER },
	{ "too small", { 0, 0, 0600, 92 }, 0600, 0, REFSHM_PERM_SIZE },
	{ "perm with the sticky bit", { 0, 0, 0600, 96 }, 01600, 0,
	    REFSHM_PERM_CONF },
};

START_TEST(test_refshm_check_perm)
{
	enum refshm_perm	 why;

	why = refshm_check_perm(&perm_rows[_i].seg, perm_rows[_i].perm,
	    perm_rows[_i].self);
	ck_assert_msg(why == perm_rows[_i].want, "%s: %s", perm_rows[_i].what,
	    refshm_perm_name(why));
}
END_TEST

START_TEST(test_refshm_world_writable)
{
	ck_assert(!refshm_perm_world_writable(REFSHM_DEFAULT_PERM));
	ck_assert(!refshm_perm_world_writable(0644));
	ck_assert(!refshm_perm_world_writable(0660));
	ck_assert(refshm_perm_world_writable(0666));
	ck_assert(refshm_perm_world_writable(0602));
	ck_assert_int_eq(REFSHM_DEFAULT_PERM, 0600);
	ck_assert_int_eq(REFSHM_KEY_BASE, 0x4e545030);	/* "NTP0" */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("refshm");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_refshm_decode, 0, NELEM(decode_rows));
	tcase_add_test(tc, test_refshm_offset_sign);
	tcase_add_test(tc, test_refshm_size);
	tcase_add_test(tc, test_refshm_struct_round_trip);
	tcase_add_test(tc, test_refshm_consumed);
	tcase_add_loop_test(tc, test_refshm_check_perm, 0, NELEM(perm_rows));
	tcase_add_test(tc, test_refshm_world_writable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
