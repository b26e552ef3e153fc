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
 * The NTP client of the engine: the shell around lib/src (one per
 * configured server), lib/sst, lib/sel and lib/disc.  Each request
 * goes out on a new socket, so a new random source port (RFC 9109).
 */

#ifndef TIMED_CLIENT_H
#define TIMED_CLIENT_H

#include <stdint.h>

#include "conf.h"
#include "pkt.h"
#include "proto.h"

struct ectx;
struct client;

struct client	*client_new(struct ectx *);
void		 client_free(struct client *);
/* The engine knows the time now: resolve and start polling. */
void		 client_start(struct client *);
/*
 * Forget every source's samples: they no longer fit the clock.  With
 * poll_now (the clock was stepped by someone else) the sources are polled
 * again at once, not a long poll on; not after a refused correction, which
 * the next sample would ask again.
 */
void		 client_discard(struct client *, const char *why,
		    int poll_now);
void		 client_tracking(const struct client *, struct rpt_tracking *);
/* One IMSG_CTL_SOURCES answer per source, then IMSG_CTL_END. */
void		 client_send_sources(const struct client *, uint32_t peerid);
/*
 * ntsdumpdir: one IMSG_NTS_CLIENT_DUMP per NTS source with keys; and a
 * saved state for the source it names, before client_start().
 */
void		 client_nts_dump(struct client *);
void		 client_nts_restore(struct client *, const struct nts_dump *);
/*
 * Certificate set certset has new trusted certificates (SIGHUP): its
 * sources that wait to retry a failed NTS-KE try again now.
 */
void		 client_nts_trust_changed(struct client *, int certset);
/* One IMSG_CTL_AUTHDATA answer per source, then IMSG_CTL_END. */
void		 client_send_authdata(const struct client *, uint32_t peerid);
/* One IMSG_CTL_SOURCESTATS answer per source, then IMSG_CTL_END. */
void		 client_send_sourcestats(const struct client *, uint32_t peerid);
/* timectl activity: how many sources are in which state. */
void		 client_activity(const struct client *, struct rpt_activity *);
/*
 * timectl ntpdata: one IMSG_CTL_NTPDATA per source with an address that
 * which names ("": all of them), then IMSG_CTL_END; returns how many.
 * Sends nothing when which names no source.
 */
int		 client_send_ntpdata(const struct client *, const char *which,
		    uint32_t peerid);
void		 client_set_makestep(struct client *, double threshold_s,
		    int limit);
/* timectl burst, online, offline: returns how many sources which names. */
int		 client_burst(struct client *, const char *which, int good,
		    int max);
int		 client_set_online(struct client *, const char *which,
		    int online);
/*
 * timectl onoffline: each source with an address online if a route to
 * it exists, else offline, as chronyd's onoffline.
 */
void		 client_onoffline(struct client *);
/* timectl reset sources: drop every source's samples, select again. */
void		 client_reset_sources(struct client *);
/* One IMSG_CTL_SELECTDATA answer per source, then IMSG_CTL_END. */
void		 client_send_selectdata(const struct client *, uint32_t peerid);
/*
 * timectl sourcename: the configured name of the source which names
 * (its address or a name); -1 if there is none.
 */
int		 client_source_name(const struct client *, const char *which,
		    struct rpt_sourcename *);
/*
 * timectl reload sources: add a source (the client keeps cs, which must
 * be allocated as conf_load() does) or remove the one configured as cs.
 */
void		 client_add_source(struct client *, struct conf_source *);
void		 client_del_source(struct client *, const struct conf_source *);
/*
 * What the server says about the reference; 1 if synchronised.  The root
 * dispersion is the one at *disp_ns (engine time), growing from then on
 * by *disp_rate seconds a second.
 */
/* The monitor handed over a refclock's device (fd); -1 if unexpected. */
int		 client_rc_device(struct client *, const struct refclock_dev *,
		    int fd);
/* A sample the monitor took from a refclock's SHM segment. */
void		 client_rc_shm(struct client *, const struct refclock_shm *);
/*
 * A symmetric mode packet that came to the NTP port at rx_ns (local
 * time): 1 if it is a configured peer's (its address and port), which
 * takes it; 0 for the server to judge.
 */
int		 client_peer_rx(struct client *, const struct sockaddr *from,
		    const uint8_t *pkt, size_t len, int64_t rx_ns);
int		 client_server_state(const struct client *, struct srv_state *,
		    int64_t *disp_ns, double *disp_rate);

#endif
