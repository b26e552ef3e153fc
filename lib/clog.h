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
 * The server's client table and rate limiter (chrony's clientlog and
 * ratelimit): records that grow with the clients up to a fixed limit
 * (clientloglimit), found through a keyed hash so that nobody can aim at one bucket, the
 * least recently seen record of a bucket replaced when it is full.
 * Per client, a token bucket: one token per 2^interval seconds, at most
 * burst tokens; a request without a token is limited, and one limited
 * request in 2^leak is answered with a RATE kiss-o'-death instead of
 * being dropped.
 */

#ifndef TIMED_CLOG_H
#define TIMED_CLOG_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct clog_params {
	size_t	max_bytes;	/* clientloglimit */
	int	disabled;	/* noclientlog: no records, no limiting */
	int	ratelimit;	/* ratelimit given */
	int	interval;	/* log2 s, -19..12 */
	int	burst;		/* 1..255 */
	int	leak;		/* 1..4; 0 is taken as 1, as chrony */
};

enum clog_verdict {
	CLOG_ANSWER,
	CLOG_DROP,		/* rate limited, no answer */
	CLOG_KOD		/* rate limited, answer with RATE */
};

struct clog_entry {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];
	uint64_t	hits;		/* requests */
	uint64_t	drops;		/* limited: dropped (up to 2^32 - 1) */
	uint64_t	kods;		/* limited: answered with RATE (same) */
	int64_t		last_ns;	/* last request */
	int		interval_log2;	/* average interval, 127 if unknown */
};

struct clog;

/* key: 16 random bytes for the hash. */
struct clog	*clog_new(const struct clog_params *, const uint8_t key[16]);
void		 clog_free(struct clog *);
/* Record a request from addr at now_ns; rnd: a random number for leak. */
enum clog_verdict clog_request(struct clog *, const struct sockaddr *,
		    int64_t now_ns, uint32_t rnd);
/*
 * Records in use, records the table has now, records it may grow to,
 * records replaced so far.
 */
size_t		 clog_used(const struct clog *);
size_t		 clog_capacity(const struct clog *);
size_t		 clog_limit(const struct clog *);
uint64_t	 clog_evicted(const struct clog *);
/*
 * The record at position *pos or after it, for listing; advances *pos.
 * Returns 0 and fills *e, or -1 at the end.  Growing the table moves
 * records: a listing in pages with requests between them may miss or
 * repeat a record, as one with records replaced between them may.
 */
int		 clog_next(const struct clog *, size_t *pos, struct clog_entry *);

#endif
