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
 * libFuzzer target: the SOCK reference clock's datagrams
 * (lib/refsock.c), of any length.  A sample decoded must be in range
 * (a finite offset under 2^32 s, a known leap) and must come back the
 * same when written into a fresh datagram as gpsd writes it; a reason
 * must be one of the enum's.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/refsock.c regress/fuzz/fuzz_refsock.c -o fuzz_refsock
 *	./fuzz_refsock regress/fuzz/corpus/refsock
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refsock.h"

#define NS	1000000000LL

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_sample(const struct refsock_sample *s)
{
	struct refsock_wire	 w;
	struct refsock_sample	 again;

	if (s->local_ns < 0 || s->local_ns / NS > REFSOCK_MAX_SEC ||
	    s->local_ns % 1000 != 0)
		abort();
	if (!(s->offset_s > -REFSOCK_MAX_OFFSET_S &&
	    s->offset_s < REFSOCK_MAX_OFFSET_S))
		abort();
	if (s->pulse != 0 && s->pulse != 1)
		abort();
	if (s->leap < REFSOCK_LEAP_NONE || s->leap > REFSOCK_LEAP_DELETE ||
	    (s->pulse && s->leap != REFSOCK_LEAP_NONE))
		abort();

	memset(&w, 0, sizeof(w));
	w.tv_sec = s->local_ns / NS;
	w.tv_usec = s->local_ns % NS / 1000;
	w.offset = -s->offset_s;
	w.pulse = s->pulse;
	w.leap = s->leap;
	w.magic = REFSOCK_MAGIC;
	if (refsock_decode((const uint8_t *)&w, sizeof(w), &again) !=
	    REFSOCK_OK || memcmp(&again, s, sizeof(again)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct refsock_sample	 s;
	enum refsock_reason	 why;
	static const uint8_t	 zero[sizeof(s)];

	why = refsock_decode(data, size, &s);
	if ((unsigned int)why >= REFSOCK_NREASONS ||
	    refsock_reason_name(why) == NULL)
		abort();
	if (why != REFSOCK_OK) {
		if (memcmp(&s, zero, sizeof(s)) != 0)
			abort();
		return 0;
	}
	if (size != REFSOCK_SIZE)
		abort();
	check_sample(&s);
	return 0;
}
