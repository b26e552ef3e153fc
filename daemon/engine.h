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
 * The network engine: unprivileged, chrooted, seccomp-filtered.  Its
 * parts see it through their context (ectx.h); this header is for what
 * starts it (main.c, regress/sim/timed-sim.c).
 */

#ifndef TIMED_ENGINE_H
#define TIMED_ENGINE_H

#include <event2/event.h>

#include "ectx.h"

struct server;
struct client;
struct ntsmat;
struct ntssrv;

struct engine {
	struct ectx		 ctx;		/* what the parts see */
	struct event		*ev;		/* the channel's */
	struct server		*server;
	struct client		*client;
	struct ntsmat		*nts;		/* NTS-KE, TLS contexts */
	struct ntssrv		*ntssrv;	/* NTS server: keys, answers */
};

/* Entry point of "timed -P engine", exec'd by the monitor. */
int	engine_main(int argc, char *argv[]);
/*
 * The engine on eng->ctx.base (ECTX_NPRIO priorities) and its channel
 * eng->ctx.ibuf, set up by its caller with the rest of eng->ctx (conf,
 * dns, noclock, oneshot, sim): its parts, the hello, and what it does on
 * its own.  engine_main() for timed-engine; regress/sim/timed-sim for
 * the engine in the monitor's process (sim, an in-memory channel).
 */
void	engine_start(struct engine *);
/* Before the engine ends: what it still has to tell the monitor. */
void	engine_stop(struct engine *);

#endif
