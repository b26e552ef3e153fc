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
 * The client table: buckets of BUCKET_RECS records, the bucket chosen by
 * SipHash-2-4 keyed with 16 random bytes, so that nobody who does not
 * know the key can aim a flood at one bucket.  The table grows with its
 * clients, as chrony's does, up to a limit fixed in clog_new():
 *
 *	limit    = largest power of two <= max_bytes / (56 * BUCKET_RECS),
 *		   at least 2 and at most 2^21 buckets
 *	capacity = buckets * BUCKET_RECS	(16 .. 2^24 records)
 *
 * A record is 56 bytes, so the default clientloglimit of 524288 bytes
 * allows 1024 buckets, 8192 records, in 448 kB.  The table starts with
 * 2 buckets (896 bytes) and doubles when a new client finds its bucket full and at
 * least a quarter of the records are in use: each bucket's records
 * either stay or move to the bucket n above, as the next bit of their
 * hash says, so that a lookup stays one bucket and the records keep
 * their order of age.  The table then holds at most 8 records per
 * client, 448 bytes (4 to 6 as a rule: one bucket overflows long before
 * all are full), and growing costs O(records) now and then, O(1) per
 * request over time.  A bucket of 8 full below a quarter of the table is
 * rare (about 1 new client in 10,000 replaces a record on the way to
 * 100,000).  If the memory cannot be had, the table stays as it is.
 *
 * Otherwise, a miss takes the bucket's first free record or replaces the
 * one seen least recently, by a request counter rather than by the
 * clock, so that a clock step cannot pin records.  A replaced client
 * comes back with a full token bucket:
 * an evicted real client is answered again, and a flood of new addresses
 * gets one burst per address, as it would with an unbounded table.
 *
 * Token buckets count time in ticks of 2^-10 ns, in which one token,
 * 2^interval s, is an exact integer for every interval down to -19:
 * 1953125 << (interval + 19) ticks.
 */

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clog.h"

#define BUCKET_RECS	8
#define MIN_BUCKETS	2		/* 16 records, and the start */
#define MAX_BUCKETS	(1UL << 21)	/* 2^24 records */

#define TICKS_PER_NS	1024
#define TOKEN_TICKS(i)	(UINT64_C(1953125) << ((i) + 19))

#define MIN_INTERVAL	-19
#define MAX_INTERVAL	12
#define MAX_BURST	255
#define MIN_LEAK	1	/* chrony's: some limited requests dropped */
#define MAX_LEAK	4

/* Average interval: log2 s in 1/256, a moving average weighted 1/4. */
#define RATE_FRAC	8
#define RATE_UNKNOWN	INT16_MIN
#define RATE_LOG2_1E9	7653		/* floor(log2(1e9) * 256) */
#define RATE_SHIFT	2

struct rec {
	int64_t		last_ns;
	uint64_t	credit;		/* ticks, at most burst tokens */
	uint64_t	hits;
	uint32_t	drops;		/* both stop at UINT32_MAX */
	uint32_t	kods;
	uint8_t		addr[16];	/* IPv4: the first 4 bytes */
	uint32_t	seen;		/* clog.seq at the last request */
	int16_t		rate;		/* RATE_UNKNOWN or log2 s * 256 */
	uint8_t		family;		/* 0: free */
};

_Static_assert(sizeof(struct rec) == 56, "clog.c documents 56 bytes");

struct clog {
	struct rec	*recs;		/* NULL: disabled */
	size_t		 nbuckets;	/* a power of two */
	size_t		 maxbuckets;	/* the limit, a power of two */
	size_t		 used;
	uint64_t	 evicted;
	uint32_t	 seq;		/* requests, wrapping */
	uint64_t	 k0, k1;
	int		 ratelimit;
	int		 leak;
	uint64_t	 token;		/* ticks */
	uint64_t	 cap;		/* ticks, burst tokens */
};

static const uint8_t	mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* SipHash-2-4 (Aumasson and Bernstein), as in the reference code. */

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t
le64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND(v0, v1, v2, v3) do {				\
	(v0) += (v1); (v1) = ROTL((v1), 13); (v1) ^= (v0);		\
	(v0) = ROTL((v0), 32);						\
	(v2) += (v3); (v3) = ROTL((v3), 16); (v3) ^= (v2);		\
	(v0) += (v3); (v3) = ROTL((v3), 21); (v3) ^= (v0);		\
	(v2) += (v1); (v1) = ROTL((v1), 17); (v1) ^= (v2);		\
	(v2) = ROTL((v2), 32);						\
} while (0)

static uint64_t
siphash24(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len)
{
	uint64_t	 v0, v1, v2, v3, m;
	size_t		 i, end = len - len % 8;

	v0 = UINT64_C(0x736f6d6570736575) ^ k0;
	v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
	v2 = UINT64_C(0x6c7967656e657261) ^ k0;
	v3 = UINT64_C(0x7465646279746573) ^ k1;
	for (i = 0; i < end; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	m = (uint64_t)len << 56;
	for (i = 0; i < len % 8; i++)
		m |= (uint64_t)in[end + i] << (8 * i);
	v3 ^= m;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Helpers */

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static size_t
buckets_for(size_t max_bytes)
{
	size_t	 want = max_bytes / (sizeof(struct rec) * BUCKET_RECS);
	size_t	 n = MIN_BUCKETS;

	while (n < MAX_BUCKETS && n * 2 <= want)
		n *= 2;
	return n;
}

/* Family and address as stored: ::ffff:a.b.c.d is a.b.c.d. */
static int
client_key(const struct sockaddr *sa, uint8_t *family, uint8_t addr[16])
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;
	const uint8_t			*a;

	memset(addr, 0, 16);
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		*family = AF_INET;
		memcpy(addr, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	a = sin6->sin6_addr.s6_addr;
	if (memcmp(a, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		*family = AF_INET;
		memcpy(addr, a + sizeof(mapped_prefix), 4);
	} else {
		*family = AF_INET6;
		memcpy(addr, a, 16);
	}
	return 0;
}

/* floor(log2(x) * 256) for x >= 1: integer part, then squarings. */
static int
log2_fp(uint64_t x)
{
	uint64_t	 m;
	int		 e = 0, i, frac = 0;

	while (e < 63 && x >> (e + 1) != 0)
		e++;
	m = e >= 31 ? x >> (e - 31) : x << (31 - e);	/* [2^31, 2^32) */
	for (i = 1; i <= RATE_FRAC; i++) {
		m = (m * m) >> 31;
		if (m >= UINT64_C(1) << 32) {
			m >>= 1;
			frac |= 1 << (RATE_FRAC - i);
		}
	}
	return e * (1 << RATE_FRAC) + frac;
}

static void
rate_update(struct rec *r, uint64_t elapsed_ns)
{
	int	 sample;

	sample = log2_fp(elapsed_ns > 0 ? elapsed_ns : 1) - RATE_LOG2_1E9;
	if (r->rate == RATE_UNKNOWN)
		r->rate = (int16_t)sample;
	else
		r->rate = (int16_t)(r->rate + (sample - r->rate) /
		    (1 << RATE_SHIFT));
}

/* Round to the nearest whole log2, halves up. */
static int
rate_log2(int16_t rate)
{
	int	 r = rate + (1 << (RATE_FRAC - 1));

	if (rate == RATE_UNKNOWN)
		return 127;
	if (r >= 0)
		return r >> RATE_FRAC;
	return -((-r + (1 << RATE_FRAC) - 1) >> RATE_FRAC);
}

static void
refill(const struct clog *cl, struct rec *r, uint64_t elapsed_ns)
{
	if (elapsed_ns > cl->cap / TICKS_PER_NS) {
		r->credit = cl->cap;
		return;
	}
	r->credit += elapsed_ns * TICKS_PER_NS;
	if (r->credit > cl->cap)
		r->credit = cl->cap;
}

static void
rec_init(const struct clog *cl, struct rec *r, uint8_t family,
    const uint8_t addr[16])
{
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(r->addr, addr, sizeof(r->addr));
	r->credit = cl->cap;
	r->rate = RATE_UNKNOWN;
}

static uint64_t
rec_hash(const struct clog *cl, uint8_t family, const uint8_t addr[16])
{
	uint8_t		 in[17];

	in[0] = family;
	memcpy(in + 1, addr, 16);
	return siphash24(cl->k0, cl->k1, in, sizeof(in));
}

/*
 * Double the table: the records of bucket i stay in i or move to i + n,
 * in their order, so that the free records of a bucket still come last.
 * Returns -1, the table unchanged, at the limit, below a quarter full or
 * without memory.
 */
static int
grow(struct clog *cl)
{
	struct rec	*recs, *b, *hi;
	size_t		 n = cl->nbuckets, i, j, lo, up;

	if (n >= cl->maxbuckets || cl->used < n * BUCKET_RECS / 4)
		return -1;
	recs = realloc(cl->recs, 2 * n * BUCKET_RECS * sizeof(*recs));
	if (recs == NULL)
		return -1;
	memset(recs + n * BUCKET_RECS, 0, n * BUCKET_RECS * sizeof(*recs));
	for (i = 0; i < n; i++) {
		b = &recs[i * BUCKET_RECS];
		hi = &recs[(i + n) * BUCKET_RECS];
		for (j = lo = up = 0; j < BUCKET_RECS && b[j].family != 0;
		    j++) {
			if (rec_hash(cl, b[j].family, b[j].addr) & n)
				hi[up++] = b[j];
			else if (lo++ != j)
				b[lo - 1] = b[j];
		}
		if (lo < BUCKET_RECS)
			memset(&b[lo], 0, (BUCKET_RECS - lo) * sizeof(*b));
	}
	cl->recs = recs;
	cl->nbuckets = 2 * n;
	return 0;
}

/*
 * The client's record, or a new one in place of a free record, of one
 * made free by growing the table or of the least recently seen record of
 * its bucket (*fresh set).  Records are never freed one by one, so the
 * free ones of a bucket come last.
 */
static struct rec *
rec_find(struct clog *cl, uint8_t family, const uint8_t addr[16],
    int *fresh)
{
	struct rec	*b, *victim;
	uint64_t	 h = rec_hash(cl, family, addr);
	size_t		 i;

	*fresh = 1;
	/* Each round doubles the table: at most log2(2^21 / 2) of them. */
	for (;;) {
		b = &cl->recs[(h & (cl->nbuckets - 1)) * BUCKET_RECS];
		victim = NULL;
		for (i = 0; i < BUCKET_RECS; i++) {
			if (b[i].family == 0) {
				cl->used++;
				rec_init(cl, &b[i], family, addr);
				return &b[i];
			}
			if (b[i].family == family &&
			    memcmp(b[i].addr, addr, sizeof(b[i].addr)) == 0) {
				*fresh = 0;
				return &b[i];
			}
			/* oldest: the largest age, modulo 2^32 */
			if (victim == NULL ||
			    cl->seq - b[i].seen > cl->seq - victim->seen)
				victim = &b[i];
		}
		if (grow(cl) == -1)
			break;
	}
	cl->evicted++;
	rec_init(cl, victim, family, addr);
	return victim;
}

/* API */

struct clog *
clog_new(const struct clog_params *p, const uint8_t key[16])
{
	struct clog	*cl;
	int		 interval;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	cl->k0 = le64(key);
	cl->k1 = le64(key + 8);
	cl->ratelimit = p->ratelimit;
	cl->leak = clamp(p->leak, MIN_LEAK, MAX_LEAK);
	interval = clamp(p->interval, MIN_INTERVAL, MAX_INTERVAL);
	cl->token = TOKEN_TICKS(interval);
	cl->cap = cl->token * (uint64_t)clamp(p->burst, 1, MAX_BURST);
	if (p->disabled)
		return cl;
	cl->maxbuckets = buckets_for(p->max_bytes);
	cl->nbuckets = MIN_BUCKETS;
	cl->recs = calloc(cl->nbuckets * BUCKET_RECS, sizeof(*cl->recs));
	if (cl->recs == NULL) {
		clog_free(cl);
		return NULL;
	}
	return cl;
}

void
clog_free(struct clog *cl)
{
	if (cl == NULL)
		return;
	free(cl->recs);
	explicit_bzero(cl, sizeof(*cl));	/* the hash key */
	free(cl);
}

enum clog_verdict
clog_request(struct clog *cl, const struct sockaddr *sa, int64_t now_ns,
    uint32_t rnd)
{
	struct rec	*r;
	uint8_t		 family, addr[16];
	uint64_t	 elapsed_ns = 0;
	int		 fresh;

	if (cl == NULL || cl->recs == NULL)
		return CLOG_ANSWER;
	/* Not an address a reply could go to. */
	if (client_key(sa, &family, addr) == -1)
		return CLOG_DROP;

	r = rec_find(cl, family, addr, &fresh);
	if (!fresh) {
		/* A clock stepped back counts as no time at all. */
		if (now_ns > r->last_ns)
			elapsed_ns = (uint64_t)now_ns - (uint64_t)r->last_ns;
		refill(cl, r, elapsed_ns);
		rate_update(r, elapsed_ns);
	}
	r->last_ns = now_ns;
	r->seen = cl->seq++;
	r->hits++;

	if (!cl->ratelimit)
		return CLOG_ANSWER;
	if (r->credit >= cl->token) {
		r->credit -= cl->token;
		return CLOG_ANSWER;
	}
	/*
	 * The leak: answered all the same (a RATE kiss), which spends what
	 * was earned towards the next token, as chronyd's leaked answers do:
	 * a client ignoring the kisses gets no more than its interval.
	 */
	if ((rnd & ((1U << cl->leak) - 1)) == 0) {
		r->credit = 0;
		if (r->kods != UINT32_MAX)
			r->kods++;
		return CLOG_KOD;
	}
	if (r->drops != UINT32_MAX)
		r->drops++;
	return CLOG_DROP;
}

size_t
clog_used(const struct clog *cl)
{
	return cl == NULL ? 0 : cl->used;
}

size_t
clog_capacity(const struct clog *cl)
{
	return cl == NULL ? 0 : cl->nbuckets * BUCKET_RECS;
}

size_t
clog_limit(const struct clog *cl)
{
	return cl == NULL || cl->recs == NULL ? 0 :
	    cl->maxbuckets * BUCKET_RECS;
}

uint64_t
clog_evicted(const struct clog *cl)
{
	return cl == NULL ? 0 : cl->evicted;
}

int
clog_next(const struct clog *cl, size_t *pos, struct clog_entry *e)
{
	const struct rec	*r;
	size_t			 i, n = clog_capacity(cl);

	for (i = *pos; i < n; i++) {
		r = &cl->recs[i];
		if (r->family == 0)
			continue;
		memset(e, 0, sizeof(*e));
		e->family = r->family;
		memcpy(e->addr, r->addr, sizeof(e->addr));
		e->hits = r->hits;
		e->drops = r->drops;
		e->kods = r->kods;
		e->last_ns = r->last_ns;
		e->interval_log2 = rate_log2(r->rate);
		*pos = i + 1;
		return 0;
	}
	*pos = n;
	return -1;
}
