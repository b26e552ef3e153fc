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
 * libFuzzer target: the NTP SHM segment (lib/refshm.c).  The first 4
 * bytes are the count read after the copy, the rest the segment's copy,
 * of any length.  A sample decoded must be in range and must come back
 * the same when written into a fresh segment and decoded again; a reason
 * must be one of the enum's, and refshm_consumed() must not clear valid
 * for a segment that had nothing consistent to take.  The same bytes,
 * read as a segment's IPC_STAT, a perm and a uid, go through
 * refshm_check_perm(), whose acceptance must imply its rules.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/refshm.c regress/fuzz/fuzz_refshm.c -o fuzz_refshm
 *	./fuzz_refshm regress/fuzz/corpus/refshm
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refshm.h"

#define NS	1000000000LL

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_sample(const struct refshm_sample *s)
{
	struct refshm_time	 t;
	struct refshm_sample	 again;
	int64_t			 d;

	if (s->leap < REFSHM_LEAP_NONE || s->leap > REFSHM_LEAP_DELETE)
		abort();
	if (s->ref_ns < 0 || s->local_ns < 0 ||
	    s->ref_ns / NS > REFSHM_MAX_SEC ||
	    s->local_ns / NS > REFSHM_MAX_SEC)
		abort();
	d = s->local_ns - s->ref_ns;
	if ((d < 0 ? -d : d) >= (int64_t)REFSHM_MAX_OFFSET_S * NS)
		abort();
	if (s->offset_s != (double)d / 1e9)
		abort();
	if (!s->nsec && (s->ref_ns % 1000 != 0 || s->local_ns % 1000 != 0))
		abort();

	/* written back the way gpsd writes, it decodes the same */
	memset(&t, 0, sizeof(t));
	t.mode = 1;
	t.count = 3;
	t.clock_sec = s->ref_ns / NS;
	t.clock_nsec = (int32_t)(s->ref_ns % NS);
	t.clock_usec = t.clock_nsec / 1000;
	t.rx_sec = s->local_ns / NS;
	t.rx_nsec = (int32_t)(s->local_ns % NS);
	t.rx_usec = t.rx_nsec / 1000;
	t.leap = s->leap;
	t.precision = s->precision;
	t.valid = 1;
	if (refshm_decode((const uint8_t *)&t, sizeof(t), 3, &again) !=
	    REFSHM_OK || again.ref_ns != s->ref_ns ||
	    again.local_ns != s->local_ns || again.leap != s->leap ||
	    again.offset_s != s->offset_s || !again.nsec)
		abort();
}

static void
check_perm(const uint8_t *data, size_t size)
{
	struct refshm_seg	 seg;
	uint32_t		 perm, self;
	enum refshm_perm	 why;

	if (size < sizeof(seg) + 8)
		return;
	memcpy(&seg, data, sizeof(seg));
	memcpy(&perm, data + sizeof(seg), 4);
	memcpy(&self, data + sizeof(seg) + 4, 4);
	/* small perms and uids most of the time, to reach every rule */
	if (perm & 0x80000000U)
		perm &= 0777;
	why = refshm_check_perm(&seg, perm, self);
	if ((unsigned int)why >= REFSHM_NPERMS ||
	    refshm_perm_name(why) == NULL)
		abort();
	if (why != REFSHM_PERM_OK)
		return;
	if ((perm & ~0777U) != 0 || (seg.mode & 0777U & ~perm) != 0 ||
	    seg.size < REFSHM_SIZE ||
	    (seg.uid != 0 && seg.uid != self) ||
	    (seg.cuid != 0 && seg.cuid != self))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct refshm_sample	 s;
	enum refshm_reason	 why;
	int32_t			 count_after;
	static const uint8_t	 zero[sizeof(s)];

	if (size < 4)
		return 0;
	memcpy(&count_after, data, 4);
	why = refshm_decode(data + 4, size - 4, count_after, &s);
	if ((unsigned int)why >= REFSHM_NREASONS ||
	    refshm_reason_name(why) == NULL)
		abort();
	if (why != REFSHM_OK && memcmp(&s, zero, sizeof(s)) != 0)
		abort();
	if (why <= REFSHM_ERR_NOT_VALID && why != REFSHM_OK &&
	    refshm_consumed(why))
		abort();
	if (why == REFSHM_OK) {
		if (!refshm_consumed(why) || size - 4 != REFSHM_SIZE)
			abort();
		check_sample(&s);
	}
	check_perm(data, size);
	return 0;
}
