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
 * Which peer kills engines.  The engine notes in a shared page (struct
 * blame_page) whose input it is handling; when an engine crashes, hangs
 * or breaks the protocol, the monitor reads the page, and a peer found
 * there at CRASH_DEATHS deaths within CRASH_WINDOW_S is ignored by the
 * engines for CRASH_BLOCK_S (IMSG_BLOCK_PEER): the peer is cut off
 * rather than the service.  What the page says is the engine's word,
 * trusted only to decide what the engine itself ignores.
 */

#ifndef TIMED_CRASH_H
#define TIMED_CRASH_H

#include <time.h>

#include "proto.h"

#define CRASH_DEATHS	2
#define CRASH_WINDOW_S	600
#define CRASH_BLOCK_S	600
#define CRASH_PEERS	16	/* remembered; the oldest goes */

struct crash;

/* The page, in a memfd; fatal if it cannot be made. */
struct crash	*crash_new(void);
void		 crash_free(struct crash *);
int		 crash_fd(const struct crash *);
/* A new engine starts: nothing in progress. */
void		 crash_reset(struct crash *);
/*
 * The engine died of its own fault: blame the peer in the page, if any.
 * Returns 1 and fills *b when that peer is now to be blocked.  now is
 * monotonic seconds (monitor_mono_s()).
 */
int		 crash_blame(struct crash *, time_t now, struct peer_block *b);
/* The blocks in force at now, for a new engine; how many in out. */
int		 crash_blocks(const struct crash *, time_t now,
		    struct peer_block *out, int max);

#endif
