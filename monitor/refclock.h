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
 * The monitor's side of the reference clocks (refclock): it opens what
 * the engine, chrooted and without /dev or shared memory, cannot.
 *  - PHC and PPS: the device, opened by root and handed to the engine,
 *    which may only read it (its seccomp filter allows the PTP offset
 *    ioctls and PPS_FETCH, nothing that sets the device).
 *  - SOCK: the datagram socket bound at its path (mode 0600: root's
 *    gpsd alone writes to it), handed to the engine, which decodes.
 *  - SHM: the segment stays here.  It is attached read-write (the
 *    reader clears its valid flag), checked for who may write to it
 *    (lib/refshm.c: refshm_check_perm()), read every dpoll, and each
 *    sample taken is passed on decoded and checked.
 * A device missing or refused is one log line; the rest runs.
 */

#ifndef TIMED_MONITOR_REFCLOCK_H
#define TIMED_MONITOR_REFCLOCK_H

struct monitor;
struct refclocks;

/* Open every refclock of mon->conf (root, before the sandbox). */
struct refclocks	*refclocks_open(struct monitor *);
/* Read the SHM segments on mon->base from now on. */
void			 refclocks_start(struct refclocks *);
/* Hand a new engine its descriptors (after its hello). */
void			 refclocks_send(struct refclocks *);
void			 refclocks_close(struct refclocks *);

#endif
