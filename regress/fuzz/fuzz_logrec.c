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
 * libFuzzer target: the log records the engine sends the monitor
 * (IMSG_LOG_MEASUREMENT, _STATISTICS, _TRACKING, _REFCLOCK).  The first
 * byte picks the type, the rest fills the struct; a record the checks let
 * through must format as one line of printable ASCII ending in '\n'.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -Ilib lib/logfmt.c \
 *	    regress/fuzz/fuzz_logrec.c -o fuzz_logrec
 *	./fuzz_logrec -max_total_time=60
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logfmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
line_ok(const char *buf, int n)
{
	int	 i;

	if (n <= 0 || buf[n - 1] != '\n' || (size_t)n != strlen(buf))
		abort();
	for (i = 0; i < n - 1; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct log_measurement	 m;
		struct log_statistics	 s;
		struct log_tracking	 t;
		struct log_refclock	 c;
	}	 r;
	char	 buf[LOGFMT_LINE_MAX];

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	memcpy(&r, data + 1, size - 1 < sizeof(r) ? size - 1 : sizeof(r));
	switch (data[0] % 4) {
	case 0:
		if (logfmt_check_measurement(&r.m) == NULL)
			line_ok(buf, logfmt_measurement(buf, sizeof(buf), &r.m));
		break;
	case 1:
		if (logfmt_check_statistics(&r.s) == NULL)
			line_ok(buf, logfmt_statistics(buf, sizeof(buf), &r.s));
		break;
	case 2:
		if (logfmt_check_tracking(&r.t) == NULL)
			line_ok(buf, logfmt_tracking(buf, sizeof(buf), &r.t));
		break;
	default:
		if (logfmt_check_refclock(&r.c) == NULL)
			line_ok(buf, logfmt_refclock(buf, sizeof(buf), &r.c));
		break;
	}
	return 0;
}
