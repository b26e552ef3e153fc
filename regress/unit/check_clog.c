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

/* Unit tests of the client table and rate limiter (lib/clog.c). */

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clog.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define S		INT64_C(1000000000)
#define DEFAULT_BYTES	524288
#define DEFAULT_RECS	8192		/* documented in lib/clog.c */
#define REC_BYTES	56		/* likewise */
#define FLOOD		1000000

static const uint8_t	key1[16] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};
static const uint8_t	key2[16] = {
	0xa5, 0x5a, 0x17, 0x71, 0x42, 0x24, 0x99, 0xee,
	0x01, 0x10, 0x3c, 0xc3, 0x7e, 0xe7, 0x55, 0xaa
};

/* Helpers */

static struct clog *
new_limited(size_t max_bytes, int interval, int burst, int leak)
{
	struct clog_params	 p;
	struct clog		*cl;

	memset(&p, 0, sizeof(p));
	p.max_bytes = max_bytes;
	p.ratelimit = 1;
	p.interval = interval;
	p.burst = burst;
	p.leak = leak;
	ck_assert_ptr_nonnull(cl = clog_new(&p, key1));
	return cl;
}

static struct clog *
new_plain(size_t max_bytes, const uint8_t *key)
{
	struct clog_params	 p;
	struct clog		*cl;

	memset(&p, 0, sizeof(p));
	p.max_bytes = max_bytes;
	p.interval = 3;
	p.burst = 8;
	p.leak = 2;
	ck_assert_ptr_nonnull(cl = clog_new(&p, key));
	return cl;
}

static void
sa_from_str(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return;
	}
	ck_assert_msg(inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1,
	    "bad address %s", s);
	sin6->sin6_family = AF_INET6;
}

/* Client number n: 10.0.0.0 + n, or 2001:db8::n if v6. */
static void
sa_from_num(uint32_t n, int v6, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	uint8_t			*a = sin6->sin6_addr.s6_addr;

	memset(ss, 0, sizeof(*ss));
	if (!v6) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(0x0a000000 + n);
		return;
	}
	sin6->sin6_family = AF_INET6;
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[12] = (uint8_t)(n >> 24);
	a[13] = (uint8_t)(n >> 16);
	a[14] = (uint8_t)(n >> 8);
	a[15] = (uint8_t)n;
}

static enum clog_verdict
req(struct clog *cl, const char *addr, int64_t now_ns, uint32_t rnd)
{
	struct sockaddr_storage	 ss;

	sa_from_str(addr, &ss);
	return clog_request(cl, (struct sockaddr *)&ss, now_ns, rnd);
}

static enum clog_verdict
req_num(struct clog *cl, uint32_t n, int v6, int64_t now_ns, uint32_t rnd)
{
	struct sockaddr_storage	 ss;

	sa_from_num(n, v6, &ss);
	return clog_request(cl, (struct sockaddr *)&ss, now_ns, rnd);
}

/* The entry of addr; 0, or -1 if it has no record. */
static int
find(const struct clog *cl, const char *addr, struct clog_entry *e)
{
	struct sockaddr_storage	 ss;
	const uint8_t		*a;
	size_t			 pos = 0, len;
	int			 family;

	sa_from_str(addr, &ss);
	family = ss.ss_family;
	if (family == AF_INET) {
		a = (const uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr;
		len = 4;
	} else {
		a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
		len = 16;
	}
	while (clog_next(cl, &pos, e) == 0)
		if (e->family == family && memcmp(e->addr, a, len) == 0)
			return 0;
	return -1;
}

static int
find_num(const struct clog *cl, uint32_t n, int v6, struct clog_entry *e)
{
	char			 buf[INET6_ADDRSTRLEN];
	struct sockaddr_storage	 ss;

	sa_from_num(n, v6, &ss);
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    buf, sizeof(buf));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    buf, sizeof(buf));
	return find(cl, buf, e);
}

/* Capacity */

static const struct {
	const char	*what;
	size_t		 max_bytes;
	size_t		 capacity;
} cap_rows[] = {
	{ "default 524288 bytes", DEFAULT_BYTES, DEFAULT_RECS },
	{ "zero: the minimum", 0, 16 },
	{ "less than the minimum", 1000, 16 },
	{ "exactly 32 records", 32 * REC_BYTES, 32 },
	{ "one byte short of 32 records", 32 * REC_BYTES - 1, 16 },
	{ "rounded down to a power of two", 1000 * REC_BYTES, 512 },
	{ "1 MiB", 1048576, 16384 },
};

START_TEST(test_clog_capacity)
{
	struct clog	*cl = new_plain(cap_rows[_i].max_bytes, key1);

	ck_assert_msg(clog_limit(cl) == cap_rows[_i].capacity,
	    "%s: %zu records", cap_rows[_i].what, clog_limit(cl));
	/* whatever the limit, the table starts with 16 records */
	ck_assert_uint_eq(clog_capacity(cl), 16);
	ck_assert_uint_eq(clog_used(cl), 0);
	ck_assert_uint_eq(clog_evicted(cl), 0);
	clog_free(cl);
}
END_TEST

/* Rate limiting */

START_TEST(test_clog_burst_then_limit)
{
	struct clog	*cl = new_limited(DEFAULT_BYTES, 0, 4, 0);
	int		 i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(req(cl, "192.0.2.1", 100 * S, 1),
		    CLOG_ANSWER);
	ck_assert_int_ne(req(cl, "192.0.2.1", 100 * S, 1), CLOG_ANSWER);
	ck_assert_int_ne(req(cl, "192.0.2.1", 101 * S - 1, 1), CLOG_ANSWER);
	/* one token a second */
	ck_assert_int_eq(req(cl, "192.0.2.1", 101 * S, 1), CLOG_ANSWER);
	ck_assert_int_ne(req(cl, "192.0.2.1", 101 * S, 1), CLOG_ANSWER);
	/* never more than burst */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(req(cl, "192.0.2.1", 200 * S, 1),
		    CLOG_ANSWER);
	ck_assert_int_ne(req(cl, "192.0.2.1", 200 * S, 1), CLOG_ANSWER);
	/* another client has its own bucket */
	ck_assert_int_eq(req(cl, "192.0.2.2", 200 * S, 1), CLOG_ANSWER);
	clog_free(cl);
}
END_TEST

/* chrony takes a leak below 1 as 1: limiting must still drop some. */
START_TEST(test_clog_leak_zero_is_one)
{
	struct clog		*cl = new_limited(DEFAULT_BYTES, 3, 1, 0);
	struct clog_entry	 e;
	uint32_t		 i;

	ck_assert_int_eq(req(cl, "192.0.2.1", 0, 0), CLOG_ANSWER);
	for (i = 1; i <= 100; i++)
		ck_assert_int_eq(req(cl, "192.0.2.1", 0, i),
		    i % 2 == 0 ? CLOG_KOD : CLOG_DROP);
	ck_assert_int_eq(find(cl, "192.0.2.1", &e), 0);
	ck_assert_uint_eq(e.hits, 101);
	ck_assert_uint_eq(e.kods, 50);
	ck_assert_uint_eq(e.drops, 50);
	clog_free(cl);
}
END_TEST

static const struct {
	const char	*what;
	int		 leak;
	unsigned int	 kods;		/* of 4000 limited, rnd = 1..4000 */
} leak_rows[] = {
	{ "leak 1: one in 2", 1, 2000 },
	{ "leak 2: one in 4", 2, 1000 },
	{ "leak 3: one in 8", 3, 500 },
	{ "leak 4: one in 16", 4, 250 },
};

START_TEST(test_clog_leak_fraction)
{
	struct clog		*cl;
	struct clog_entry	 e;
	unsigned int		 kods = 0, drops = 0;
	uint32_t		 i;

	cl = new_limited(DEFAULT_BYTES, 3, 1, leak_rows[_i].leak);
	ck_assert_int_eq(req(cl, "2001:db8::1", S, 0), CLOG_ANSWER);
	for (i = 1; i <= 4000; i++) {
		switch (req(cl, "2001:db8::1", S, i)) {
		case CLOG_KOD:
			kods++;
			break;
		case CLOG_DROP:
			drops++;
			break;
		default:
			ck_abort_msg("%s: answered request %u",
			    leak_rows[_i].what, i);
		}
	}
	ck_assert_msg(kods == leak_rows[_i].kods, "%s: %u KoD",
	    leak_rows[_i].what, kods);
	ck_assert_uint_eq(kods + drops, 4000);
	ck_assert_int_eq(find(cl, "2001:db8::1", &e), 0);
	ck_assert_uint_eq(e.kods, kods);
	ck_assert_uint_eq(e.drops, drops);
	ck_assert_uint_eq(e.hits, 4001);
	clog_free(cl);
}
END_TEST

/*
 * Requests every step_ns from t = 0 for n requests; how many answered.
 * The leak (every 4th request here) empties the bucket, as chronyd's:
 * a client asking faster than the leak comes gets its burst alone.
 */
static const struct {
	const char	*what;
	int		 interval, burst;
	int64_t		 step_ns;
	int		 n, answered;
} pace_rows[] = {
	{ "interval -2: 4 a second, asked 4 a second", -2, 1, S / 4, 40, 40 },
	{ "interval -2: 4 a second, asked 8 a second", -2, 1, S / 8, 80, 40 },
	{ "interval -2 burst 4: asked 64 a second", -2, 4, S / 64, 64, 4 },
	{ "interval 3: one in 8 s, asked every s", 3, 1, S, 81, 1 },
	{ "interval 3 burst 8: asked every s", 3, 8, S, 81, 8 + 1 },
	{ "interval 3: asked every 2 s", 3, 1, 2 * S, 81, 21 },
	{ "interval 3: asked every 8 s", 3, 1, 8 * S, 81, 81 },
	{ "interval -19: 2^-19 s, just slower", -19, 1, 1908, 1000, 1000 },
	{ "interval -19: 2^-19 s, just faster", -19, 1, 1907, 1000, 500 },
	{ "interval 12: one in 4096 s", 12, 1, 1024 * S, 9, 3 },
};

START_TEST(test_clog_pace)
{
	struct clog	*cl;
	int		 i, answered = 0;

	cl = new_limited(DEFAULT_BYTES, pace_rows[_i].interval,
	    pace_rows[_i].burst, 2);
	for (i = 0; i < pace_rows[_i].n; i++)
		if (req(cl, "198.51.100.7", i * pace_rows[_i].step_ns,
		    (uint32_t)i) == CLOG_ANSWER)
			answered++;
	ck_assert_msg(answered == pace_rows[_i].answered, "%s: %d answered",
	    pace_rows[_i].what, answered);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_no_ratelimit_records_hits)
{
	struct clog		*cl = new_plain(DEFAULT_BYTES, key1);
	struct clog_entry	 e;
	int			 i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(req(cl, "192.0.2.9", 5 * S, 0), CLOG_ANSWER);
	ck_assert_uint_eq(clog_used(cl), 1);
	ck_assert_int_eq(find(cl, "192.0.2.9", &e), 0);
	ck_assert_uint_eq(e.hits, 1000);
	ck_assert_uint_eq(e.drops + e.kods, 0);
	ck_assert_int_eq(e.last_ns, 5 * S);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_disabled)
{
	struct clog_params	 p;
	struct clog		*cl;
	struct clog_entry	 e;
	size_t			 pos = 0;
	uint32_t		 i;

	memset(&p, 0, sizeof(p));
	p.max_bytes = DEFAULT_BYTES;
	p.disabled = 1;
	p.ratelimit = 1;
	p.interval = 12;
	p.burst = 1;
	ck_assert_ptr_nonnull(cl = clog_new(&p, key1));
	ck_assert_uint_eq(clog_capacity(cl), 0);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(req(cl, "192.0.2.1", 0, i), CLOG_ANSWER);
		ck_assert_int_eq(req_num(cl, i, i % 2, 0, i), CLOG_ANSWER);
	}
	ck_assert_uint_eq(clog_used(cl), 0);
	ck_assert_uint_eq(clog_evicted(cl), 0);
	ck_assert_int_eq(clog_next(cl, &pos, &e), -1);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_other_families)
{
	struct clog		*cl = new_limited(DEFAULT_BYTES, 3, 8, 2);
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(clog_request(cl, (struct sockaddr *)&sun, 0, 0),
	    CLOG_DROP);
	ck_assert_int_eq(clog_request(cl, NULL, 0, 0), CLOG_DROP);
	ck_assert_uint_eq(clog_used(cl), 0);
	clog_free(cl);
	clog_free(NULL);
}
END_TEST

/* Memory bound and eviction */

START_TEST(test_clog_memory_bound)
{
	struct clog	*cl = new_limited(DEFAULT_BYTES, 3, 8, 2);
	uint32_t	 i, unanswered = 0, over = 0;

	/* ck_assert in the loop would cost a write(2) each: count instead */
	ck_assert_uint_eq(clog_limit(cl), DEFAULT_RECS);
	for (i = 0; i < FLOOD; i++) {
		/* half IPv4, half IPv6, all distinct; 1M a second */
		if (req_num(cl, i / 2, i % 2, i * INT64_C(1000), i) !=
		    CLOG_ANSWER)
			unanswered++;
		if (clog_used(cl) > DEFAULT_RECS)
			over++;
	}
	ck_assert_uint_eq(unanswered, 0);
	ck_assert_uint_eq(over, 0);
	ck_assert_uint_eq(clog_used(cl), DEFAULT_RECS);
	ck_assert_uint_eq(clog_capacity(cl), DEFAULT_RECS);
	ck_assert_uint_eq(clog_evicted(cl), FLOOD - DEFAULT_RECS);
	clog_free(cl);
}
END_TEST

/* Growth */

START_TEST(test_clog_grows_on_demand)
{
	struct clog		*cl = new_limited(DEFAULT_BYTES, 3, 1, 4);
	struct clog_entry	 e;
	size_t			 cap, grew = 0, bad = 0;
	uint32_t		 i, n = 1000;

	/* One client: the table stays at its start. */
	ck_assert_int_eq(req(cl, "192.0.2.1", S, 0), CLOG_ANSWER);
	ck_assert_uint_eq(clog_capacity(cl), 16);

	/* Growth keeps every record, its counters and its tokens. */
	cap = clog_capacity(cl);
	for (i = 0; i < n; i++) {
		if (req_num(cl, i, i % 2, S, 1) != CLOG_ANSWER)
			bad++;
		if (clog_capacity(cl) != cap) {
			/* doubled, never more at once than needed */
			if (clog_capacity(cl) % cap != 0 ||
			    clog_capacity(cl) > DEFAULT_RECS)
				bad++;
			cap = clog_capacity(cl);
			grew++;
		}
		if (clog_used(cl) > clog_capacity(cl))
			bad++;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_ge(grew, 7);
	/* below the limit, replacing a record is rare */
	ck_assert_uint_le(clog_evicted(cl), 3);
	ck_assert_uint_eq(clog_used(cl), n + 1 - clog_evicted(cl));
	/* at most 8 records for each client, half the limit here */
	ck_assert_uint_le(clog_capacity(cl), 8 * (n + 1));
	ck_assert_uint_lt(clog_capacity(cl), DEFAULT_RECS);
	/* the second request at once: out of tokens (burst 1), no answer */
	for (i = 0; i < n; i++)
		if (find_num(cl, i, i % 2, &e) == 0 &&
		    req_num(cl, i, i % 2, S, 1) != CLOG_DROP)
			bad++;
	ck_assert_uint_eq(bad, 0);
	for (i = 0; i < n; i += 97) {
		ck_assert_msg(find_num(cl, i, i % 2, &e) == 0, "client %u", i);
		ck_assert_uint_eq(e.hits, 2);
		ck_assert_uint_eq(e.drops, 1);
	}
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_growth_stops_at_limit)
{
	/* 256 records at most */
	struct clog	*cl = new_plain(256 * REC_BYTES, key1);
	uint32_t	 i, n = 10000, over = 0;

	for (i = 0; i < n; i++) {
		req_num(cl, i, 0, (int64_t)i * S, 0);
		if (clog_capacity(cl) > 256 || clog_used(cl) > 256)
			over++;
	}
	ck_assert_uint_eq(over, 0);
	ck_assert_uint_eq(clog_capacity(cl), 256);
	ck_assert_uint_eq(clog_limit(cl), 256);
	ck_assert_uint_eq(clog_used(cl), 256);
	ck_assert_uint_eq(clog_evicted(cl), n - 256);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_growth_keeps_least_recent_order)
{
	struct clog		*cl = new_plain(256 * REC_BYTES, key1);
	struct clog_entry	 e;
	uint32_t		 i, n = 5000;

	/*
	 * An active client asks between every two new ones, while the
	 * table grows to its limit and then replaces records: it stays.
	 */
	for (i = 0; i < n; i++) {
		req(cl, "192.0.2.1", (int64_t)(2 * i) * S, 0);
		req_num(cl, i, 1, (int64_t)(2 * i + 1) * S, 0);
	}
	ck_assert_uint_eq(clog_capacity(cl), 256);
	ck_assert_int_eq(find(cl, "192.0.2.1", &e), 0);
	ck_assert_uint_eq(e.hits, n);
	/* the newest survive too; the first ones were replaced */
	for (i = n - 3; i < n; i++)
		ck_assert_msg(find_num(cl, i, 1, &e) == 0, "client %u", i);
	ck_assert_int_eq(find_num(cl, 0, 1, &e), -1);
	ck_assert_uint_eq(clog_evicted(cl), n + 1 - clog_used(cl));
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_eviction_keeps_recent)
{
	struct clog		*cl = new_plain(0, key1);
	struct clog_entry	 e;
	uint32_t		 i, n = 1000;

	ck_assert_uint_eq(clog_capacity(cl), 16);
	for (i = 0; i < n; i++)
		req_num(cl, i, 0, (int64_t)i * S, 0);
	ck_assert_uint_eq(clog_used(cl), 16);
	ck_assert_uint_eq(clog_evicted(cl), n - 16);
	/* fewer than 4 came after each of the last 4: none evicted */
	for (i = n - 4; i < n; i++) {
		ck_assert_msg(find_num(cl, i, 0, &e) == 0, "client %u", i);
		ck_assert_int_eq(e.last_ns, (int64_t)i * S);
		ck_assert_uint_eq(e.hits, 1);
	}
	/* an evicted client comes back as new */
	ck_assert_int_eq(find_num(cl, 0, 0, &e), -1);
	req_num(cl, 0, 0, (int64_t)n * S, 0);
	ck_assert_int_eq(find_num(cl, 0, 0, &e), 0);
	ck_assert_uint_eq(e.hits, 1);
	ck_assert_int_eq(e.interval_log2, 127);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_eviction_least_recent)
{
	struct clog		*cl = new_plain(0, key1);
	struct clog_entry	 e;
	uint32_t		 i, n = 2000;

	/* An active client asks between every two new ones: LRU keeps it. */
	for (i = 0; i < n; i++) {
		req(cl, "192.0.2.1", (int64_t)(2 * i) * S, 0);
		req_num(cl, i, 1, (int64_t)(2 * i + 1) * S, 0);
	}
	ck_assert_int_eq(find(cl, "192.0.2.1", &e), 0);
	ck_assert_uint_eq(e.hits, n);
	ck_assert_int_eq(e.interval_log2, 1);
	ck_assert_uint_eq(clog_evicted(cl), n + 1 - clog_used(cl));
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_eviction_ignores_clock_steps)
{
	struct clog		*cl = new_plain(0, key1);
	struct clog_entry	 e;
	uint32_t		 i, n = 2000;

	/* a full table seen at 1000 s, then the clock steps back to 0 */
	for (i = 0; i < 100; i++)
		req_num(cl, i, 0, 1000 * S, 0);
	/* the active client is still the most recent in its bucket */
	for (i = 0; i < n; i++) {
		req(cl, "192.0.2.1", (int64_t)(2 * i) * S, 0);
		req_num(cl, i, 1, (int64_t)(2 * i + 1) * S, 0);
	}
	ck_assert_int_eq(find(cl, "192.0.2.1", &e), 0);
	ck_assert_uint_eq(e.hits, n);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_real_client_answered_under_flood)
{
	struct clog		*cl = new_limited(DEFAULT_BYTES, 3, 8, 2);
	struct clog_entry	 e;
	int64_t			 now;
	uint32_t		 i, unanswered = 0;
	int			 k;

	/*
	 * 1M new addresses over 125 s, and a real client once every 8 s,
	 * its allowed rate.  Whether its record survives or not (a new
	 * record starts with a full bucket), it is answered every time.
	 */
	for (i = 0; i < FLOOD; i++) {
		now = i * INT64_C(125000);
		if (i % 64000 == 0)
			ck_assert_msg(req(cl, "192.0.2.123", now, 0) ==
			    CLOG_ANSWER, "real client at %" PRId64, now);
		if (req_num(cl, i, i % 3 == 0, now, i) != CLOG_ANSWER)
			unanswered++;
	}
	ck_assert_uint_eq(unanswered, 0);
	ck_assert_uint_le(clog_used(cl), DEFAULT_RECS);

	/* A full table still limits: back to back, one burst only. */
	now = 200 * S;
	for (k = 0; k < 8; k++)
		ck_assert_int_eq(req(cl, "192.0.2.200", now, 1), CLOG_ANSWER);
	for (k = 0; k < 100; k++)
		ck_assert_int_eq(req(cl, "192.0.2.200", now, 1), CLOG_DROP);
	ck_assert_int_eq(find(cl, "192.0.2.200", &e), 0);
	ck_assert_uint_eq(e.drops, 100);
	clog_free(cl);
}
END_TEST

/* Counters and interval estimate */

static const struct {
	const char	*what;
	int64_t		 step_ns;
	int		 n;
	int		 interval_log2;
} intv_rows[] = {
	{ "one request", 8 * S, 1, 127 },
	{ "every 8 s", 8 * S, 10, 3 },
	{ "every 8 s, twice", 8 * S, 2, 3 },
	{ "every s", S, 20, 0 },
	{ "every 0.25 s", S / 4, 20, -2 },
	{ "every 1024 s", 1024 * S, 5, 10 },
	{ "every 1 ms", S / 1000, 50, -10 },
	{ "every 64 s", 64 * S, 100, 6 },
	{ "all at once", 0, 3, -30 },
};

START_TEST(test_clog_counters_and_interval)
{
	struct clog		*cl = new_plain(DEFAULT_BYTES, key1);
	struct clog_entry	 e;
	int			 i;

	for (i = 0; i < intv_rows[_i].n; i++)
		req(cl, "203.0.113.5", 1000 * S + i * intv_rows[_i].step_ns,
		    0);
	ck_assert_int_eq(find(cl, "203.0.113.5", &e), 0);
	ck_assert_int_eq(e.family, AF_INET);
	ck_assert_uint_eq(e.hits, (uint64_t)intv_rows[_i].n);
	ck_assert_int_eq(e.last_ns,
	    1000 * S + (intv_rows[_i].n - 1) * intv_rows[_i].step_ns);
	ck_assert_msg(e.interval_log2 == intv_rows[_i].interval_log2,
	    "%s: %d", intv_rows[_i].what, e.interval_log2);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_interval_follows_change)
{
	struct clog		*cl = new_plain(DEFAULT_BYTES, key1);
	struct clog_entry	 e;
	int64_t			 now = 0;
	int			 i;

	for (i = 0; i < 10; i++)
		req(cl, "203.0.113.5", now += 64 * S, 0);
	for (i = 0; i < 30; i++)
		req(cl, "203.0.113.5", now += 2 * S, 0);
	ck_assert_int_eq(find(cl, "203.0.113.5", &e), 0);
	ck_assert_int_eq(e.interval_log2, 1);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_time_backwards)
{
	struct clog		*cl = new_limited(DEFAULT_BYTES, 0, 1, 0);
	struct clog_entry	 e;

	ck_assert_int_eq(req(cl, "192.0.2.1", 100 * S, 0), CLOG_ANSWER);
	/* stepped back 50 s: no time has passed, no tokens (no leak: 1) */
	ck_assert_int_eq(req(cl, "192.0.2.1", 50 * S, 1), CLOG_DROP);
	ck_assert_int_eq(req(cl, "192.0.2.1", 50 * S + S / 2, 1), CLOG_DROP);
	ck_assert_int_eq(req(cl, "192.0.2.1", 51 * S, 1), CLOG_ANSWER);
	ck_assert_int_eq(find(cl, "192.0.2.1", &e), 0);
	ck_assert_int_eq(e.last_ns, 51 * S);
	ck_assert_uint_eq(e.hits, 4);

	/* the extremes of the clock */
	ck_assert_int_eq(req(cl, "192.0.2.2", INT64_MAX, 0), CLOG_ANSWER);
	ck_assert_int_eq(req(cl, "192.0.2.2", INT64_MIN, 0), CLOG_KOD);
	ck_assert_int_eq(req(cl, "192.0.2.2", INT64_MAX, 0), CLOG_ANSWER);
	ck_assert_int_eq(find(cl, "192.0.2.2", &e), 0);
	ck_assert_int_ne(e.interval_log2, 127);
	clog_free(cl);
}
END_TEST

/* Iteration and identity */

START_TEST(test_clog_iteration)
{
	struct clog		*cl = new_plain(DEFAULT_BYTES, key1);
	struct clog_entry	 e;
	uint8_t			 seen[2][100];
	size_t			 pos = 0, last = 0, n = 0;
	uint32_t		 i;

	ck_assert_int_eq(clog_next(cl, &pos, &e), -1);
	pos = 0;
	for (i = 0; i < 100; i++) {
		req_num(cl, i, 0, S, 0);
		req_num(cl, i, 1, S, 0);
	}
	ck_assert_uint_eq(clog_evicted(cl), 0);
	ck_assert_uint_eq(clog_used(cl), 200);
	memset(seen, 0, sizeof(seen));
	while (clog_next(cl, &pos, &e) == 0) {
		ck_assert_uint_gt(pos, last);
		last = pos;
		n++;
		ck_assert_uint_eq(e.hits, 1);
		if (e.family == AF_INET) {
			ck_assert_uint_lt(e.addr[3], 100);
			seen[0][e.addr[3]]++;
		} else {
			ck_assert_int_eq(e.family, AF_INET6);
			ck_assert_uint_lt(e.addr[15], 100);
			seen[1][e.addr[15]]++;
		}
	}
	ck_assert_uint_eq(n, 200);
	for (i = 0; i < 100; i++) {
		ck_assert_uint_eq(seen[0][i], 1);
		ck_assert_uint_eq(seen[1][i], 1);
	}
	/* at the end it stays at the end */
	ck_assert_int_eq(clog_next(cl, &pos, &e), -1);
	ck_assert_int_eq(clog_next(cl, &pos, &e), -1);
	clog_free(cl);
}
END_TEST

START_TEST(test_clog_families_are_distinct)
{
	struct clog		*cl = new_limited(DEFAULT_BYTES, 3, 1, 0);
	struct clog_entry	 e;

	ck_assert_int_eq(req(cl, "1.2.3.4", S, 0), CLOG_ANSWER);
	ck_assert_int_eq(req(cl, "::102:304", S, 0), CLOG_ANSWER);
	ck_assert_int_eq(req(cl, "102:304::", S, 0), CLOG_ANSWER);
	/* the same client as 1.2.3.4, out of tokens */
	ck_assert_int_eq(req(cl, "::ffff:1.2.3.4", S, 0), CLOG_KOD);
	ck_assert_uint_eq(clog_used(cl), 3);
	ck_assert_int_eq(find(cl, "1.2.3.4", &e), 0);
	ck_assert_uint_eq(e.hits, 2);
	ck_assert_int_eq(find(cl, "::102:304", &e), 0);
	ck_assert_uint_eq(e.hits, 1);
	clog_free(cl);
}
END_TEST

static void
survivors(const uint8_t *key, uint8_t *alive, uint32_t n)
{
	struct clog		*cl = new_plain(0, key);
	struct clog_entry	 e;
	size_t			 pos = 0;
	uint32_t		 i;

	/* all at the same time: only the order of requests counts */
	for (i = 0; i < n; i++)
		req_num(cl, i, 0, S, 0);
	memset(alive, 0, n);
	while (clog_next(cl, &pos, &e) == 0)
		alive[(uint32_t)e.addr[2] << 8 | e.addr[3]] = 1;
	clog_free(cl);
}

START_TEST(test_clog_key_changes_placement)
{
	uint8_t		 a[1000], b[1000], c[1000];

	survivors(key1, a, NELEM(a));
	survivors(key1, b, NELEM(b));
	survivors(key2, c, NELEM(c));
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_int_ne(memcmp(a, c, sizeof(a)), 0);
}
END_TEST

/*
 * Randomised: a few clients at random times against a model of the
 * token bucket written as GCRA (a theoretical arrival time per client),
 * with the same exact tick arithmetic.
 */

#define NCLIENTS	20

struct model {
	int		 seen;
	__int128	 tat;		/* theoretical arrival, 2^-10 ns */
	uint64_t	 hits, drops, kods;
};

static enum clog_verdict
model_request(struct model *m, __int128 now, __int128 token, int burst,
    int leak, uint32_t rnd)
{
	if (!m->seen) {
		m->seen = 1;
		m->tat = now;
	}
	m->hits++;
	if ((m->tat > now ? m->tat - now : 0) <= (burst - 1) * token) {
		m->tat = (m->tat > now ? m->tat : now) + token;
		return CLOG_ANSWER;
	}
	if (leak < 1)
		leak = 1;	/* chrony's least */
	if ((rnd & ((1U << leak) - 1)) == 0) {
		m->tat = now + burst * token;	/* the bucket emptied */
		m->kods++;
		return CLOG_KOD;
	}
	m->drops++;
	return CLOG_DROP;
}

/*
 * A bucket of 8 can fill before the table may grow (clog.c: rare,
 * but 20 clients in a few buckets meet it now and then): a new client
 * then replaces another's record.  Exactly one other client the model
 * has seen lost its record; it starts afresh, as clog.c says.
 */
static void
model_evict(const struct clog *cl, struct model *m, uint32_t newcomer,
    uint64_t evicted)
{
	struct clog_entry	 e;
	uint32_t		 c, gone = 0;

	ck_assert_uint_eq(clog_evicted(cl), evicted);
	for (c = 0; c < NCLIENTS; c++) {
		if (!m[c].seen || find_num(cl, c, c % 2, &e) == 0)
			continue;
		ck_assert_uint_ne(c, newcomer);
		memset(&m[c], 0, sizeof(m[c]));
		gone++;
	}
	ck_assert_uint_eq(gone, 1);
}

START_TEST(test_clog_random_vs_model)
{
	struct model		 m[NCLIENTS];
	struct clog_params	 p;
	struct clog		*cl;
	struct clog_entry	 e;
	uint64_t		 s = test_seed("test_clog_random_vs_model");
	uint8_t			 key[16];
	int64_t			 now;
	__int128		 token;
	enum clog_verdict	 got, want;
	uint64_t		 evicted;
	uint32_t		 c, rnd;
	int			 round, i;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 16; i++)
			key[i] = (uint8_t)rnd_next(&s);
		memset(&p, 0, sizeof(p));
		p.max_bytes = DEFAULT_BYTES;
		p.ratelimit = 1;
		p.interval = (int)(rnd_next(&s) % 32) - 19;
		p.burst = 1 + (int)(rnd_next(&s) % 16);
		p.leak = (int)(rnd_next(&s) % 5);
		token = (__int128)1953125 << (p.interval + 19);
		ck_assert_ptr_nonnull(cl = clog_new(&p, key));
		memset(m, 0, sizeof(m));
		evicted = 0;
		now = (int64_t)(rnd_next(&s) % (uint64_t)(1000 * S));
		for (i = 0; i < 2000; i++) {
			/* each client asks about once a token, often less */
			if (rnd_next(&s) % 4 != 0)
				now += (int64_t)(rnd_next(&s) %
				    (uint64_t)(token / 1024 / 8 + 2));
			c = (uint32_t)(rnd_next(&s) % NCLIENTS);
			rnd = (uint32_t)rnd_next(&s);
			got = req_num(cl, c, c % 2, now, rnd);
			want = model_request(&m[c], (__int128)now * 1024,
			    token, p.burst, p.leak, rnd);
			ck_assert_msg(got == want, "round %d, request %d, "
			    "client %u: %d, model %d", round, i, c, got, want);
			if (clog_evicted(cl) != evicted)
				model_evict(cl, m, c, ++evicted);
		}
		for (c = 0; c < NCLIENTS; c++) {
			if (!m[c].seen)
				continue;
			ck_assert_int_eq(find_num(cl, c, c % 2, &e), 0);
			ck_assert_uint_eq(e.hits, m[c].hits);
			ck_assert_uint_eq(e.drops, m[c].drops);
			ck_assert_uint_eq(e.kods, m[c].kods);
		}
		clog_free(cl);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("clog");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_clog_capacity, 0, NELEM(cap_rows));
	tcase_add_test(tc, test_clog_burst_then_limit);
	tcase_add_test(tc, test_clog_leak_zero_is_one);
	tcase_add_loop_test(tc, test_clog_leak_fraction, 0,
	    NELEM(leak_rows));
	tcase_add_loop_test(tc, test_clog_pace, 0, NELEM(pace_rows));
	tcase_add_test(tc, test_clog_no_ratelimit_records_hits);
	tcase_add_test(tc, test_clog_disabled);
	tcase_add_test(tc, test_clog_other_families);
	tcase_add_test(tc, test_clog_memory_bound);
	tcase_add_test(tc, test_clog_grows_on_demand);
	tcase_add_test(tc, test_clog_growth_stops_at_limit);
	tcase_add_test(tc, test_clog_growth_keeps_least_recent_order);
	tcase_add_test(tc, test_clog_eviction_keeps_recent);
	tcase_add_test(tc, test_clog_eviction_least_recent);
	tcase_add_test(tc, test_clog_eviction_ignores_clock_steps);
	tcase_add_test(tc, test_clog_real_client_answered_under_flood);
	tcase_add_loop_test(tc, test_clog_counters_and_interval, 0,
	    NELEM(intv_rows));
	tcase_add_test(tc, test_clog_interval_follows_change);
	tcase_add_test(tc, test_clog_time_backwards);
	tcase_add_test(tc, test_clog_iteration);
	tcase_add_test(tc, test_clog_families_are_distinct);
	tcase_add_test(tc, test_clog_key_changes_placement);
	tcase_add_test(tc, test_clog_random_vs_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
