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
 * chronyc's socket (chronycsocket): chronyc's protocol, answered through
 * the control socket's checks.
 */

#ifndef TIMED_CHRONYCSOCK_H
#define TIMED_CHRONYCSOCK_H

struct chronycsock;
struct monitor;

struct chronycsock	*chronyc_open(const char *path);
/* The simulation's, in clknetsim: NULL where it has no UNIX sockets. */
struct chronycsock	*chronyc_open_sim(const char *path);
void			 chronyc_start(struct chronycsock *, struct monitor *);
void			 chronyc_close(struct chronycsock *);

#endif
