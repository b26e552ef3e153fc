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
 * The NTP SHM segment, decoded after the rules of chrony's
 * refclock_shm.c: mode 0 or 1, mode 1's count checked, valid set; the
 * offset is the reference's time less the system clock's, from the
 * nanosecond fields when they agree with the microsecond ones.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refshm.h"

#define NS	1000000000LL

/* 64-bit Linux's struct shmTime, field by field (gpsd's ntpshm.h). */
_Static_assert(offsetof(struct refshm_time, mode) == 0, "mode");
_Static_assert(offsetof(struct refshm_time, count) == 4, "count");
_Static_assert(offsetof(struct refshm_time, clock_sec) == 8, "clock_sec");
_Static_assert(offsetof(struct refshm_time, clock_usec) == 16, "clock_usec");
_Static_assert(offsetof(struct refshm_time, rx_sec) == 24, "rx_sec");
_Static_assert(offsetof(struct refshm_time, rx_usec) == 32, "rx_usec");
_Static_assert(offsetof(struct refshm_time, leap) == 36, "leap");
_Static_assert(offsetof(struct refshm_time, precision) == 40, "precision");
_Static_assert(offsetof(struct refshm_time, nsamples) == 44, "nsamples");
_Static_assert(offsetof(struct refshm_time, valid) == 48, "valid");
_Static_assert(offsetof(struct refshm_time, clock_nsec) == 52, "clock_nsec");
_Static_assert(offsetof(struct refshm_time, rx_nsec) == 56, "rx_nsec");
_Static_assert(offsetof(struct refshm_time, dummy) == 60, "dummy");
_Static_assert(sizeof(struct refshm_time) == REFSHM_SIZE, "size");

static const char *const reason_names[REFSHM_NREASONS] = {
	"ok", "bad size", "bad mode", "torn read", "not valid",
	"leap not synchronised", "time out of range"
};

static const char *const perm_names[REFSHM_NPERMS] = {
	"ok", "perm is not a mode", "owned or created by another user",
	"grants more than perm", "too small"
};

static int
in_range(int64_t v, int64_t lo, int64_t hi)
{
	return v >= lo && v < hi;
}

/*
 * Nanoseconds of the epoch from seconds and a part of a second, both
 * checked; -1 if out of range.
 */
static int64_t
to_ns(int64_t sec, int64_t frac_ns)
{
	if (!in_range(sec, 0, REFSHM_MAX_SEC + 1) || !in_range(frac_ns, 0, NS))
		return -1;
	return sec * NS + frac_ns;
}

/* Both nanosecond fields in range and agreeing with the microseconds. */
static int
use_nsec(const struct refshm_time *t)
{
	return in_range(t->clock_nsec, 0, NS) && in_range(t->rx_nsec, 0, NS) &&
	    t->clock_nsec / 1000 == t->clock_usec &&
	    t->rx_nsec / 1000 == t->rx_usec;
}

enum refshm_reason
refshm_decode(const uint8_t *seg, size_t len, int32_t count_after,
    struct refshm_sample *out)
{
	struct refshm_time	 t;
	int64_t			 diff;

	memset(out, 0, sizeof(*out));
	if (len != sizeof(t))
		return REFSHM_ERR_SIZE;
	memcpy(&t, seg, sizeof(t));
	if (t.mode != 0 && t.mode != 1)
		return REFSHM_ERR_MODE;
	if (t.mode == 1 && t.count != count_after)
		return REFSHM_ERR_TORN;
	if (t.valid == 0)
		return REFSHM_ERR_NOT_VALID;

	if (t.leap != REFSHM_LEAP_NONE && t.leap != REFSHM_LEAP_INSERT &&
	    t.leap != REFSHM_LEAP_DELETE)
		return REFSHM_ERR_LEAP;
	out->nsec = use_nsec(&t);
	if (out->nsec) {
		out->ref_ns = to_ns(t.clock_sec, t.clock_nsec);
		out->local_ns = to_ns(t.rx_sec, t.rx_nsec);
	} else {
		out->ref_ns = to_ns(t.clock_sec, (int64_t)t.clock_usec * 1000);
		out->local_ns = to_ns(t.rx_sec, (int64_t)t.rx_usec * 1000);
	}
	/* both within [0, 9e18]: the difference cannot overflow */
	diff = out->local_ns - out->ref_ns;
	if (out->ref_ns < 0 || out->local_ns < 0 ||
	    (diff < 0 ? -diff : diff) >= (int64_t)REFSHM_MAX_OFFSET_S * NS) {
		memset(out, 0, sizeof(*out));
		return REFSHM_ERR_TIME;
	}
	out->offset_s = (double)diff / 1e9;
	out->leap = t.leap;
	out->precision = t.precision;
	return REFSHM_OK;
}

int
refshm_consumed(enum refshm_reason why)
{
	return why == REFSHM_OK || (why > REFSHM_ERR_NOT_VALID &&
	    why < REFSHM_NREASONS);
}

const char *
refshm_reason_name(enum refshm_reason why)
{
	if ((unsigned int)why >= REFSHM_NREASONS)
		return "unknown";
	return reason_names[why];
}

enum refshm_perm
refshm_check_perm(const struct refshm_seg *seg, uint32_t perm,
    uint32_t self_uid)
{
	if (perm & ~0777U)
		return REFSHM_PERM_CONF;
	if ((seg->uid != 0 && seg->uid != self_uid) ||
	    (seg->cuid != 0 && seg->cuid != self_uid))
		return REFSHM_PERM_OWNER;
	if (seg->mode & 0777U & ~perm)
		return REFSHM_PERM_MODE;
	if (seg->size < REFSHM_SIZE)
		return REFSHM_PERM_SIZE;
	return REFSHM_PERM_OK;
}

int
refshm_perm_world_writable(uint32_t perm)
{
	return (perm & 0002) != 0;
}

const char *
refshm_perm_name(enum refshm_perm why)
{
	if ((unsigned int)why >= REFSHM_NPERMS)
		return "unknown";
	return perm_names[why];
}
