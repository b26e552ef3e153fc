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
 * hwtimestamp in the engine: the interfaces the monitor set up
 * (IMSG_HWTS_IFACE), each with its PTP hardware clock read every
 * 2^minpoll s (daemon/phc.c) into a regression against the engine's
 * clock (lib/hwclk.c), through which the cards' timestamps become the
 * engine's time.  The client and the server ask it for the timestamp of
 * each datagram.  Every function takes a NULL hwif (no interface) and
 * then leaves the kernel's and the daemon's timestamps to lib/hwts.c.
 */

#ifndef TIMED_HWIF_H
#define TIMED_HWIF_H

#include <stddef.h>
#include <stdint.h>

#include "hwts.h"
#include "proto.h"

struct ectx;
struct hwif;

/* What the client's ntpdata shows of an interface. */
struct hwif_state {
	char		 name[HWTS_IFNAME_MAX];
	int		 samples;	/* in the regression, 0: not yet */
	double		 offset_s;	/* hardware - engine clock */
	double		 freq_ppm;	/* + the card's clock runs fast */
	double		 err_s;
	const char	*method;	/* how the clock is read */
};

struct hwif	*hwif_new(struct ectx *);
void		 hwif_free(struct hwif *);
/*
 * An interface from the monitor (checked: hwts_iface_check()) and its
 * clock's descriptor, which the hwif owns from now on; -1 if no room.
 */
int		 hwif_add(struct hwif *, const struct hwts_iface *, int fd);
int		 hwif_count(const struct hwif *);
/*
 * The SO_TIMESTAMPING flags a socket adds for the cards' timestamps (0
 * without interfaces): receive and transmit, raw, the interface of a
 * received one (SOF_TIMESTAMPING_OPT_PKTINFO).
 */
int		 hwif_socket_flags(const struct hwif *);
/*
 * The timestamp of a datagram whose control messages said c (the
 * context's hwif, ctx->hw, may be NULL): received
 * (tx 0; udp_len bytes of UDP data, v6: over IPv6) or sent (tx 1, from
 * the error queue), daemon_ns the engine's own time of it.  A card's is
 * converted with its interface's clock (the interface c names, or the
 * only one), corrected to the end of a received frame, rxcomp and
 * txcomp applied; then hwts_pick().  Engine time in *out.
 */
enum hwts_source hwif_stamp(const struct ectx *, const struct hwts_cmsg *c,
		    int tx, size_t udp_len, int v6, int64_t daemon_ns,
		    int64_t *out);
/* The engine's clock was corrected (sst_correct()'s arguments). */
void		 hwif_correct(struct hwif *, int64_t now_ns, double dfreq_ppm,
		    double doffset_s);
/* The monitor refused a correction: forget every clock's samples. */
void		 hwif_reset(struct hwif *);
/* The interface of index if_index (0: the only one); -1 if none. */
int		 hwif_state(const struct hwif *, int if_index,
		    struct hwif_state *);

#endif
