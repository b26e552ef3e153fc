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
 * The SOCK reference clock's samples (chrony's `refclock SOCK /path`):
 * the datagrams gpsd sends to chrony's socket, struct sock_sample of
 * chrony's refclock_sock.c, decoded.  Pure: the reader receives the
 * datagram and hands in its bytes.
 *
 * Signs: offset_s + the local (system) clock is ahead of the reference;
 * the datagram's own offset is the other way round (true time less
 * system time) and is negated here.
 */

#ifndef TIMED_REFSOCK_H
#define TIMED_REFSOCK_H

#include <stddef.h>
#include <stdint.h>

#define REFSOCK_MAGIC		0x534f434b	/* "SOCK" */

/*
 * The datagram as 64-bit Linux lays out struct sock_sample: a struct
 * timeval of two 8-byte longs, a double, four ints.  Host byte order and
 * host double: writer and reader share the machine.  refsock.c pins every
 * offset.
 */
#define REFSOCK_SIZE		40

struct refsock_wire {
	int64_t	tv_sec;		/* system time of the measurement */
	int64_t	tv_usec;
	double	offset;		/* true time - system time, seconds */
	int32_t	pulse;		/* non-zero: a PPS edge, seconds unknown */
	int32_t	leap;		/* 0, 1 insert, 2 delete */
	int32_t	pad;
	int32_t	magic;		/* REFSOCK_MAGIC */
};

#define REFSOCK_LEAP_NONE	0
#define REFSOCK_LEAP_INSERT	1
#define REFSOCK_LEAP_DELETE	2

/* Seconds of tv_sec at most: nanoseconds of the epoch fit an int64_t. */
#define REFSOCK_MAX_SEC		9000000000LL
/* |offset| below this, as chrony's UTI_IsTimeOffsetSane(). */
#define REFSOCK_MAX_OFFSET_S	4294967296.0

enum refsock_reason {
	REFSOCK_OK = 0,
	REFSOCK_ERR_SIZE,	/* not REFSOCK_SIZE bytes */
	REFSOCK_ERR_MAGIC,	/* not REFSOCK_MAGIC */
	REFSOCK_ERR_TIME,	/* tv out of range */
	REFSOCK_ERR_OFFSET,	/* NaN, infinite, 2^32 s or more, or the
				   true time before the epoch */
	REFSOCK_ERR_LEAP,	/* a sample (not a pulse) with leap > 2 */
	REFSOCK_NREASONS
};

struct refsock_sample {
	int64_t	local_ns;	/* system time of the measurement */
	double	offset_s;	/* + the local clock is ahead of true time */
	int	pulse;		/* 1: only offset_s modulo 1 s is known */
	int	leap;		/* REFSOCK_LEAP_*; NONE for a pulse */
};

/*
 * Decode one datagram of len bytes.  Exact size and magic, as chrony;
 * then the fields are checked where chrony normalises or checks later
 * (tv_usec in [0, 1e6), a sane offset, a known leap for a sample).  A
 * pulse's leap is not looked at (chrony takes the leap of the clock the
 * pulse is locked to).
 */
enum refsock_reason	 refsock_decode(const uint8_t *, size_t,
			    struct refsock_sample *);
/* A short name of a reason, for the log. */
const char		*refsock_reason_name(enum refsock_reason);

#endif
