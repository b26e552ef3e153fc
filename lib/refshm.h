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
 * The NTP shared-memory reference clock (chrony's `refclock SHM N`): the
 * segment gpsd, ntpd's drivers and others write, as a pure decoder, and
 * the rule that decides whether a segment may be trusted.  Pure: whoever
 * maps the segment copies its bytes and hands them in.
 *
 * Signs: offset_s + the local (system) clock is ahead of the reference.
 * Times are nanoseconds since the epoch, the reference's (UTC) and the
 * system clock's.
 */

#ifndef TIMED_REFSHM_H
#define TIMED_REFSHM_H

#include <stddef.h>
#include <stdint.h>

/* Unit N is the System V IPC key REFSHM_KEY_BASE + N ("NTP0", "NTP1"...). */
#define REFSHM_KEY_BASE		0x4e545030
/*
 * The segment's permissions unless configured (chrony's perm=, default
 * 0600): read and write for its owner only, and its owner must be root
 * or timed (refshm_check_perm()).
 */
#define REFSHM_DEFAULT_PERM	0600

/*
 * The segment as 64-bit Linux lays out gpsd's struct shmTime (ntpshm.h;
 * ntpd's and chrony's refclock_shm.c have the same): time_t is 8 bytes,
 * hence the padding after clock_usec and at the end.  Host byte order:
 * writer and reader share the machine.  refshm.c pins every offset.
 */
#define REFSHM_SIZE		96

struct refshm_time {
	int32_t	mode;		/* 0: use if valid; 1: and count unchanged */
	int32_t	count;		/* mode 1: bumped before and after a write */
	int64_t	clock_sec;	/* the reference's time of the sample */
	int32_t	clock_usec;
	int32_t	pad1;		/* the C struct's padding */
	int64_t	rx_sec;		/* the system clock's, when it was taken */
	int32_t	rx_usec;
	int32_t	leap;		/* REFSHM_LEAP_* */
	int32_t	precision;	/* log2 s of the source's jitter; not used */
	int32_t	nsamples;	/* not used */
	int32_t	valid;		/* set by the writer, cleared by the reader */
	int32_t	clock_nsec;	/* used when clock_nsec / 1000 == clock_usec */
	int32_t	rx_nsec;	/* and rx_nsec / 1000 == rx_usec */
	int32_t	dummy[8];	/* gpsd: the top bits of 32-bit time_t's */
	int32_t	pad2;
};

/* The leap field: NTP's leap indicator. */
#define REFSHM_LEAP_NONE	0
#define REFSHM_LEAP_INSERT	1
#define REFSHM_LEAP_DELETE	2
#define REFSHM_LEAP_UNSYNC	3	/* refused, as chrony does */

/*
 * Seconds of a time field, at most: nanoseconds of the epoch fit an
 * int64_t.  And, as chrony's UTI_IsTimeOffsetSane(), the two times of a
 * sample at most 2^32 s apart.
 */
#define REFSHM_MAX_SEC		9000000000LL
#define REFSHM_MAX_OFFSET_S	4294967296.0

/* Why a segment gave no sample; the order matters (refshm_consumed()). */
enum refshm_reason {
	REFSHM_OK = 0,
	REFSHM_ERR_SIZE,	/* not REFSHM_SIZE bytes */
	REFSHM_ERR_MODE,	/* mode neither 0 nor 1 */
	REFSHM_ERR_TORN,	/* mode 1, and the writer wrote meanwhile */
	REFSHM_ERR_NOT_VALID,	/* valid is 0: no new sample */
	/* the reasons below are about a sample that was there to take */
	REFSHM_ERR_LEAP,	/* leap 3 (not synchronised) or unknown */
	REFSHM_ERR_TIME,	/* a time field out of range */
	REFSHM_NREASONS
};

struct refshm_sample {
	int64_t	ref_ns;		/* the reference's time (clockTimeStamp) */
	int64_t	local_ns;	/* the system clock's (receiveTimeStamp) */
	double	offset_s;	/* local - ref: + the local clock is ahead */
	int	leap;		/* REFSHM_LEAP_NONE, _INSERT or _DELETE */
	int	precision;	/* as the writer said, log2 s */
	int	nsec;		/* 1: the nanosecond fields were used */
};

/*
 * Decode a copy of a segment: seg, len bytes, copied at once by the
 * reader, who then reads count again from the segment itself and passes
 * it as count_after (a mode 1 writer bumps count before and after it
 * writes, so a changed count means the copy may be torn).  The
 * nanosecond fields are used when both agree with the microsecond ones,
 * as chrony does; else the microseconds.  Fields out of range are
 * refused (chrony would normalise them).
 */
enum refshm_reason	 refshm_decode(const uint8_t *seg, size_t len,
			    int32_t count_after, struct refshm_sample *);
/*
 * 1 if the reader must clear the segment's valid field after a decode
 * that returned this: the writer's sample was taken (used or refused),
 * as chrony clears it.  0 when there was nothing consistent to take.
 */
int			 refshm_consumed(enum refshm_reason);
/* A short name of a reason, for the log. */
const char		*refshm_reason_name(enum refshm_reason);

/* A segment as shmctl(IPC_STAT) describes it. */
struct refshm_seg {
	uint32_t	uid;		/* shm_perm.uid: its owner */
	uint32_t	cuid;		/* shm_perm.cuid: its creator */
	uint32_t	mode;		/* shm_perm.mode: its low 9 bits */
	uint64_t	size;		/* shm_segsz */
};

enum refshm_perm {
	REFSHM_PERM_OK = 0,
	REFSHM_PERM_CONF,	/* perm itself is not a mode (beyond 0777) */
	REFSHM_PERM_OWNER,	/* owned or created by another user */
	REFSHM_PERM_MODE,	/* grants more than perm allows */
	REFSHM_PERM_SIZE,	/* smaller than REFSHM_SIZE */
	REFSHM_NPERMS
};

/*
 * May timed read samples from this segment?  perm is the configured mode
 * (REFSHM_DEFAULT_PERM unless perm= says), self_uid the reader's uid.
 *
 * The segment's key is public and anyone may create it first: a segment
 * another user created or owns is refused whatever its mode, since its
 * owner can write samples (and change the mode) at any time.  A segment
 * that grants any permission bit perm does not is refused: with the
 * default 0600 only root (and timed) can write samples.  A world-writable
 * perm (chrony's perm=0666, for an unprivileged gpsd writing units 2 and
 * up) is accepted only as configured; then every local user can set the
 * time of this host and of its clients, and the shell says so in the log
 * (refshm_perm_world_writable()).
 */
enum refshm_perm	 refshm_check_perm(const struct refshm_seg *,
			    uint32_t perm, uint32_t self_uid);
/* 1 if a configured perm lets every local user write samples. */
int			 refshm_perm_world_writable(uint32_t perm);
const char		*refshm_perm_name(enum refshm_perm);

#endif
