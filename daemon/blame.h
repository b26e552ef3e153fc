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
 * Which peer's input is in progress, in the page the monitor reads after
 * a crash (struct blame_page), and the peers the monitor has cut off for
 * causing deaths.  One engine a process: the state is this module's.
 */

#ifndef TIMED_BLAME_H
#define TIMED_BLAME_H

#include <sys/socket.h>
#include <stdint.h>

#include "imsg.h"

/* IMSG_BLAME_PAGE: map the monitor's page; 0 or -1. */
int	blame_map(struct imsg *);
/* Input from sa is handled from now on (kind BLAME_*), until cleared. */
void	blame_set(uint32_t kind, const struct sockaddr *sa);
void	blame_clear(void);
/* IMSG_BLOCK_PEER, checked; 0 or -1. */
int	blame_block(struct imsg *);
/* Is sa cut off now?  Cheap when no peer is. */
int	blame_blocked(const struct sockaddr *sa);

#endif
