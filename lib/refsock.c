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
 * gpsd's samples for chrony's SOCK reference clock, decoded after the
 * rules of chrony's refclock_sock.c: the exact size, the magic, then a
 * sample or a pulse.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refsock.h"

#define NS	1000000000LL

/* 64-bit Linux's struct sock_sample, field by field. */
_Static_assert(offsetof(struct refsock_wire, tv_sec) == 0, "tv_sec");
_Static_assert(offsetof(struct refsock_wire, tv_usec) == 8, "tv_usec");
_Static_assert(offsetof(struct refsock_wire, offset) == 16, "offset");
_Static_assert(offsetof(struct refsock_wire, pulse) == 24, "pulse");
_Static_assert(offsetof(struct refsock_wire, leap) == 28, "leap");
_Static_assert(offsetof(struct refsock_wire, pad) == 32, "pad");
_Static_assert(offsetof(struct refsock_wire, magic) == 36, "magic");
_Static_assert(sizeof(struct refsock_wire) == REFSOCK_SIZE, "size");
_Static_assert(sizeof(double) == 8, "an IEEE 754 double");

static const char *const reason_names[REFSOCK_NREASONS] = {
	"ok", "bad size", "bad magic", "time out of range",
	"offset out of range", "unknown leap"
};

enum refsock_reason
refsock_decode(const uint8_t *buf, size_t len, struct refsock_sample *out)
{
	struct refsock_wire	 w;
	double			 t;

	memset(out, 0, sizeof(*out));
	if (len != sizeof(w))
		return REFSOCK_ERR_SIZE;
	memcpy(&w, buf, sizeof(w));
	if (w.magic != REFSOCK_MAGIC)
		return REFSOCK_ERR_MAGIC;
	if (w.tv_sec < 0 || w.tv_sec > REFSOCK_MAX_SEC ||
	    w.tv_usec < 0 || w.tv_usec >= 1000000)
		return REFSOCK_ERR_TIME;
	/* written so that NaN fails it */
	if (!(w.offset > -REFSOCK_MAX_OFFSET_S &&
	    w.offset < REFSOCK_MAX_OFFSET_S))
		return REFSOCK_ERR_OFFSET;
	/* true time before the epoch (as chrony); a pulse's seconds are
	   unknown, so only a sample's */
	t = (double)w.tv_sec + (double)w.tv_usec / 1e6 + w.offset;
	if (w.pulse == 0 && t < 0.0)
		return REFSOCK_ERR_OFFSET;
	if (w.pulse == 0 && (w.leap < REFSOCK_LEAP_NONE ||
	    w.leap > REFSOCK_LEAP_DELETE))
		return REFSOCK_ERR_LEAP;

	out->local_ns = w.tv_sec * NS + w.tv_usec * 1000;
	out->offset_s = -w.offset;
	out->pulse = w.pulse != 0;
	out->leap = out->pulse ? REFSOCK_LEAP_NONE : w.leap;
	return REFSOCK_OK;
}

const char *
refsock_reason_name(enum refsock_reason why)
{
	if ((unsigned int)why >= REFSOCK_NREASONS)
		return "unknown";
	return reason_names[why];
}
