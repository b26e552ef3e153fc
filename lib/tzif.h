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
 * The leap seconds of a TZif file (tzfile(5)), as chrony's leapsectz
 * learns them from a "right/" time zone such as right/UTC.  Pure: the
 * monitor reads the file, the engine asks whether today ends in a leap.
 */

#ifndef TIMED_TZIF_H
#define TIMED_TZIF_H

#include <stddef.h>
#include <stdint.h>

#define TZIF_MAX_LEAPS	64	/* the newest are kept (27 by 2017) */

struct tzif_leap {
	int64_t		 utc_s;	/* the POSIX time of the midnight (UTC) */
				/* that ends the day with the leap second */
	int32_t		 step;	/* +1 inserted, -1 deleted */
	int32_t		 pad;
};

/*
 * The leap seconds of a TZif file of len bytes (versions 1 to 4; the
 * 64-bit data when there is some), oldest first, at most max (the
 * newest max if more) into out; *n their number.  Records that change
 * the correction by other than one second (a truncated table's first,
 * an expiry) are skipped.  0, or -1 if buf is not a well-formed TZif.
 */
int	tzif_leaps(const uint8_t *buf, size_t len, struct tzif_leap *out,
	    int max, int *n);
/*
 * The leap second at the end of the UTC day of now_s (POSIX seconds):
 * +1 inserted, -1 deleted, 0 none.
 */
int	tzif_leap_today(const struct tzif_leap *, int n, int64_t now_s);

#endif
