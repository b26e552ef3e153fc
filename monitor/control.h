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
 * The control socket: timectl's requests, answered by the monitor or
 * relayed to the engine and its answers relayed back.
 */

#ifndef TIMED_CONTROL_H
#define TIMED_CONTROL_H

struct control;
struct imsg;
struct monitor;

struct control	*control_open(const char *path);
/*
 * The simulation's: datagrams, as clknetsim's UNIX sockets are; NULL
 * where it has none.
 */
struct control	*control_open_dgram(const char *path);
void		 control_start(struct control *, struct monitor *);
void		 control_close(struct control *);
/* An answer from the engine for connection peerid. */
void		 control_from_engine(struct control *, const struct imsg *);
/*
 * The engine went away: fail what waits for it; if it died (crashed,
 * hung or was killed, not stopped by us), blame those requests.
 */
void		 control_engine_gone(struct control *, int died);

#endif
