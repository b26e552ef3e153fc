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
 * chrony's log files (logdir, log measurements statistics tracking
 * refclocks): the header lines and the line formats of chrony 4.3, and
 * the checks the monitor makes on the engine's records before it writes
 * them.
 * Pure: everything is written into buffers the caller owns.
 */

#ifndef TIMED_LOGFMT_H
#define TIMED_LOGFMT_H

#include <stddef.h>

#include "proto.h"

enum logfmt_kind {
	LOGFMT_MEASUREMENTS,
	LOGFMT_STATISTICS,
	LOGFMT_TRACKING,
	LOGFMT_REFCLOCKS,
	LOGFMT_NKINDS
};

#define LOGFMT_LINE_MAX		512	/* a line or a banner fits in this */

/* "measurements", ...: the file is logdir/NAME.log. */
const char	*logfmt_name(enum logfmt_kind);
/* chrony's column header, without newline. */
const char	*logfmt_header(enum logfmt_kind);

/*
 * 1 if the banner (a line of '=', the header, the '=' line again) goes
 * before the next entry, given the entries written since the file was
 * opened and logbanner (0: never).  Counts the entry in *writes.
 */
int		 logfmt_banner_due(unsigned long *writes, int logbanner);
/* The banner's three lines, each with '\n'; the length, or -1. */
int		 logfmt_banner(char *, size_t, enum logfmt_kind);

/*
 * Check a record from the engine: every number finite and in range,
 * strings NUL-terminated in their arrays and not empty.  Bytes outside
 * printable ASCII and blanks in the strings are replaced by '?'.
 * Returns NULL, or why the record is refused.
 */
const char	*logfmt_check_measurement(struct log_measurement *);
const char	*logfmt_check_statistics(struct log_statistics *);
const char	*logfmt_check_tracking(struct log_tracking *);
/*
 * A refclock record is raw (dpoll >= 0, pps 0 or 1) or filtered (both
 * -1), never half of each.
 */
const char	*logfmt_check_refclock(struct log_refclock *);

/*
 * One line of the file, with '\n', in chrony's format and signs
 * (timed.conf(5) documents each column).  Returns its length, or -1
 * if it does not fit in len.  The record must have passed its check.
 */
int		 logfmt_measurement(char *, size_t,
		    const struct log_measurement *);
int		 logfmt_statistics(char *, size_t, const struct log_statistics *);
int		 logfmt_tracking(char *, size_t, const struct log_tracking *);
int		 logfmt_refclock(char *, size_t, const struct log_refclock *);

#endif
