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
 * The NTS client of one source (RFC 8915): NTS-KE through ntsmat for its
 * keys and cookies, then the NTS fields of each request and the check of
 * each answer.  The NTP client (client.c) asks before a poll whether the
 * source is ready, has the fields appended after the header it wrote,
 * and passes every answer through ntscl_response() before using it.
 * An NTS source never falls back to unauthenticated NTP.
 */

#ifndef TIMED_NTSCLIENT_H
#define TIMED_NTSCLIENT_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "proto.h"

struct ectx;
struct ntscl;

/* Called when a source that was not ready becomes ready to poll. */
typedef void	(*ntscl_ready_fn)(void *arg);

struct ntscl	*ntscl_new(struct ectx *, const struct conf_source *,
		    ntscl_ready_fn, void *arg);
/* Wipes the keys and cookies; cancels an exchange under way. */
void		 ntscl_free(struct ntscl *);
/*
 * The source's certificate set has new trusted certificates: without
 * keys and waiting to retry NTS-KE, retry now.
 */
void		 ntscl_trust_changed(struct ntscl *);
/*
 * Before a poll: 0 if a request can go now, with *addr (the address of
 * the source's name, with the source's port) replaced by what NTS-KE
 * negotiated; -1 if not (NTS-KE is started, or under way, or waits to be
 * retried: ready is called when it succeeds).
 */
int		 ntscl_prepare(struct ntscl *, struct sockaddr_storage *addr,
		    socklen_t *alen);
/*
 * Append the NTS fields to the request header at pkt[0] (PKT_HDR_LEN
 * bytes written): a new Unique Identifier, one cookie, placeholders and
 * the authenticator.  The request's length, or 0 (nothing to send).
 */
size_t		 ntscl_request(struct ntscl *, uint8_t *pkt, size_t pktsize);
/*
 * An answer: 1 if it is authenticated and answers our last request (its
 * cookies are kept), 0 if it must be dropped.  xmt: the transmit
 * timestamp of the request in flight (0: none), against which an NTS
 * NAK is checked before it starts a new NTS-KE.
 */
int		 ntscl_response(struct ntscl *, const uint8_t *pkt, size_t len,
		    uint64_t xmt);
/*
 * ntsdumpdir: the keys and cookies for the monitor to keep (-1: none to
 * keep); and a saved state taken back at start, if it is well-formed,
 * for this source and younger than ntsrefresh (0), else ignored (-1).
 */
int		 ntscl_dump(const struct ntscl *, struct nts_dump *);
int		 ntscl_restore(struct ntscl *, const struct nts_dump *);
/* The last answer used was authenticated (timectl ntpdata). */
int		 ntscl_authenticated(const struct ntscl *);
/* timectl authdata: the NTS columns of one source. */
void		 ntscl_report(const struct ntscl *, struct rpt_authdata *);

#endif
