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

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * A request made for another front end (chronyc's protocol, cmdmon.c),
 * with the sender's credentials: type and data as timectl sends them.
 * It is checked, logged and relayed as timectl's are, and counted among
 * the uid's connections while it waits.  Each frame of the answer goes
 * to fn (IMSG_CTL_RESULT, a report, or records and IMSG_CTL_END), then
 * fn(arg, 0, NULL, 0) once it is over, answered or not; arg is not used
 * after that.  -1: refused (too many at once), fn never called.
 */
typedef void	(*ctl_sink_fn)(void *arg, uint32_t type, const void *data,
		    size_t len);
int		 control_ask(struct control *, uid_t, gid_t, uint32_t type,
		    const void *data, size_t len, ctl_sink_fn fn, void *arg);
/* Are uid and gid allowed changes (root)? */
int		 control_may_change(const struct control *, uid_t, gid_t);

#endif
