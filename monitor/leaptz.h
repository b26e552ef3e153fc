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


#ifndef TIMED_LEAPTZ_H
#define TIMED_LEAPTZ_H

#include "proto.h"

/*
 * leapsectz: read the leap seconds of the time zone (e.g. "right/UTC")
 * from the zoneinfo directory (TIMED_ZONEINFO_DIR in the environment, for
 * tests, else /usr/share/zoneinfo).  0, or -1 (logged) if the zone cannot
 * be read or has no leap seconds.
 */
int	leaptz_read(const char *zone, struct leap_table *);

#endif
