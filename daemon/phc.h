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
 * Reading a PTP hardware clock (/dev/ptpN) against the system clock, as
 * chrony's sys_linux.c does: a cross timestamp (PTP_SYS_OFFSET_PRECISE)
 * where the driver has one and it is not refused, else readings
 * bracketed by system times (PTP_SYS_OFFSET_EXTENDED, then the basic
 * PTP_SYS_OFFSET).  The descriptor is the monitor's, opened read-only and
 * handed over; these ioctls are the engine's only ones on it.
 */

#ifndef TIMED_PHC_H
#define TIMED_PHC_H

#include "hwclk.h"

#define PHC_READINGS	10	/* a poll's readings (chrony: 10) */

enum phc_method {
	PHC_PRECISE = 0,	/* tried first unless nocrossts */
	PHC_EXTENDED,
	PHC_BASIC,
	PHC_NONE		/* none works: the clock cannot be read */
};

struct phc {
	int		 fd;
	enum phc_method	 method;	/* the one that worked last */
};

/* A clock on fd; nocrossts: never the cross timestamp. */
void		 phc_init(struct phc *, int fd, int nocrossts);
/*
 * Read the clock: up to max readings (at most HWCLK_MAX_READINGS) into
 * r, system times as CLOCK_REALTIME's.  The number read, or -1 (errno)
 * when no method works; a method the driver refuses is not tried again.
 */
int		 phc_read(struct phc *, struct hwclk_reading *r, int max);
const char	*phc_method_name(enum phc_method);

#endif
