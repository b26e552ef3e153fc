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
 * The server's side of interleaved mode (chrony's xleave, RFC draft "NTP
 * interleaved modes"): which kernel transmit time an answer got, found
 * by the receive timestamp that answer carried (the client sends it back
 * as the origin of its next request).  A fixed, direct-mapped table: a
 * newer answer takes the slot of an older one.  Pure.  Timestamps are NTP
 * format, as on the wire; the server keeps its receive timestamps unique.
 */

#ifndef TIMED_TSM_H
#define TIMED_TSM_H

#include <stddef.h>
#include <stdint.h>

struct tsm;

/* A table of at least nslots slots (rounded up to a power of two). */
struct tsm	*tsm_new(size_t nslots);
void		 tsm_free(struct tsm *);
/* An answer carrying receive timestamp rx_ts was sent; tx not known yet. */
void		 tsm_save(struct tsm *, uint64_t rx_ts);
/* The kernel's transmit time of that answer; -1 if it is not held. */
int		 tsm_set_tx(struct tsm *, uint64_t rx_ts, uint64_t tx_ts);
/* The transmit time of the answer with rx_ts; -1 if not held or known. */
int		 tsm_get_tx(const struct tsm *, uint64_t rx_ts, uint64_t *tx_ts);
/*
 * For serverstats: how many answers are held, and the time between the
 * oldest and the newest of their receive timestamps, in whole seconds
 * (0 with fewer than two).  Walks the whole table.
 */
void		 tsm_stats(const struct tsm *, uint64_t *held, uint64_t *span_s);

#endif
