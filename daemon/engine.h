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

/* The network engine: unprivileged, chrooted, seccomp-filtered. */

#ifndef TIMED_ENGINE_H
#define TIMED_ENGINE_H

#include <stdint.h>

#include <event2/event.h>

#include "conf.h"
#include "imsg.h"
#include "proto.h"

/*
 * Event priorities: answering NTP first, NTS-KE (TLS, the costly part)
 * last, one callback at a time, so that a flood of handshakes delays an
 * answer by one TLS step at most.
 */
#define ENGINE_PRIO_NTP		0
#define ENGINE_PRIO_DEFAULT	1	/* libevent's for 3 priorities */
#define ENGINE_PRIO_NTSKE	2
#define ENGINE_NPRIO		3

struct server;
struct client;
struct ntsmat;
struct ntssrv;
struct evdns_base;
struct ntpkeys;

struct engine {
	struct conf		*conf;
	struct event_base	*base;
	struct imsgbuf		*ibuf;
	struct event		*ev;
	struct clock_state	 cs;	/* as the monitor last told */
	int			 have_cs;
	int			 noclock;
	int			 oneshot;	/* 'q', 'Q' or 0 */
	struct server		*server;
	struct client		*client;
	struct ntsmat		*nts;		/* NTS-KE, TLS contexts */
	struct ntssrv		*ntssrv;	/* NTS server: keys, answers */
	struct evdns_base	*dns;		/* set up before the chroot */
	struct leap_table	 leaps;		/* leapsectz; n 0 if none */
	struct ntpkeys		*keys;		/* keyfile; NULL if none */
	/*
	 * In clknetsim (regress/sim/timed-sim): sendmsg for sendmmsg, one
	 * iovec a request, no reads of the error queue (clknetsim would
	 * hand over a datagram for want of a timestamp), getaddrinfo for
	 * evdns.
	 */
	int			 sim;
};

/* Entry point of "timed -P engine", exec'd by the monitor. */
int	engine_main(int argc, char *argv[]);
/*
 * The engine on eng->base (ENGINE_NPRIO priorities) and its channel
 * eng->ibuf, set up by its caller: its parts, the hello, and what it does
 * on its own.  engine_main() for timed-engine; regress/sim/timed-sim for
 * the engine in the monitor's process (eng->sim, an in-memory channel).
 */
void	engine_start(struct engine *);
/* Before the engine ends: what it still has to tell the monitor. */
void	engine_stop(struct engine *);
/* The time now as the engine sees it (the virtual clock's if any), ns. */
int64_t	engine_now_ns(const struct engine *);
/* A system (CLOCK_REALTIME) time, e.g. a kernel timestamp, as the engine's. */
int64_t	engine_sys_to_ns(const struct engine *, int64_t sys_ns);
/* Queue a frame to the monitor. */
void	engine_send(struct engine *, uint32_t type, uint32_t peerid,
	    const void *, size_t);

#endif
