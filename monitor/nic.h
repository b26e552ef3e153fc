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
 * hwtimestamp's privileged part, done by the monitor at start: find the
 * interface and its PTP hardware clock (SIOCGIFINDEX,
 * ETHTOOL_GET_TS_INFO), turn the card's timestamping on
 * (SIOCSHWTSTAMP, CAP_NET_ADMIN), read the link speed (ETHTOOL_GSET)
 * and open /dev/ptpN read-only for the engine, which reads the clock
 * with the PTP_SYS_OFFSET ioctls alone.  An interface that cannot is
 * logged once and left to the kernel's timestamps.
 */

#ifndef TIMED_NIC_H
#define TIMED_NIC_H

#include "proto.h"

struct conf;

struct nic {
	struct hwts_iface	 msg;	/* what the engine is told */
	int			 phc_fd;
};

/*
 * The interfaces of the configuration's hwtimestamp lines, as chronyd
 * takes them (named ones first, the first of each name; then "*": every
 * interface that can); returns how many were set up, at most max.
 */
int	nic_open(const struct conf *, struct nic *, int max);

#endif
