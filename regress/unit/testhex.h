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

/* Test vectors written in hex, spaces allowed: for the check tests. */

#ifndef TIMED_TESTHEX_H
#define TIMED_TESTHEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <check.h>

/* The bytes of h into out (at most max); how many. */
static inline size_t
unhex(const char *h, uint8_t *out, size_t max)
{
	size_t		 n = 0;
	unsigned int	 v;

	while (*h != '\0') {
		if (*h == ' ') {
			h++;
			continue;
		}
		ck_assert(n < max);
		ck_assert_int_eq(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

#endif
