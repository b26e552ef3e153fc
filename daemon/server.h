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

/* The NTP server of the engine: the shell around lib/serve.c. */

#ifndef TIMED_SERVER_H
#define TIMED_SERVER_H

#include <sys/socket.h>
#include <stdint.h>

#include "pkt.h"
#include "proto.h"

struct ectx;
struct server;

struct server	*server_new(struct ectx *);
void		 server_free(struct server *);
/* Serve on a bound UDP socket from the monitor; 0 or -1. */
int		 server_add_socket(struct server *, int fd);
/* The clock or the reference changed: what answers say about us. */
void		 server_update(struct server *);
/* What answers say about us now (a peer's packets say it too). */
void		 server_state(struct server *, struct srv_state *);
/*
 * The address of the first NTP socket of a family, as bound: 0, or -1
 * if there is none or it is a wildcard (the route then says).
 */
int		 server_peer_local(struct server *, int family,
		    struct sockaddr_storage *);
/*
 * A packet to a peer from the NTP port, where its answers come: 0, or
 * -1 and errno (EAFNOSUPPORT: no socket of its family).
 */
int		 server_peer_send(struct server *, const struct sockaddr *,
		    socklen_t, const void *pkt, size_t len);
void		 server_stats(const struct server *, struct rpt_serverstats *);
/*
 * One page of the client table from position first: an IMSG_CTL_CLIENTS
 * answer per client, at most CTL_PAGE_MAX, then IMSG_CTL_MORE with the
 * next page's position or IMSG_CTL_END after the last client.
 */
void		 server_send_clients(const struct server *, uint32_t peerid,
		    uint32_t first);

#endif
