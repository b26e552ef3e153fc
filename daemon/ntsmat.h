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
 * The engine's NTS material: TLS contexts made from the memfds the
 * monitor sends (trust stores per certset, the server's certificates)
 * and the NTS-KE server on the monitor's listening sockets.
 */

#ifndef TIMED_NTSMAT_H
#define TIMED_NTSMAT_H

#include <openssl/ssl.h>

#include "conf.h"
#include "imsg.h"
#include "ntske.h"

struct ectx;
struct ntsmat;

struct ntsmat	*ntsmat_new(struct ectx *);
void		 ntsmat_free(struct ntsmat *);
/*
 * IMSG_NTS_SERVER_CERT, _SERVER_CERTS_END, _TRUST, _KE_SOCKET.  A frame
 * of the wrong shape is fatal (the monitor sent it); PEM text OpenSSL
 * cannot use is logged, and the server or the certset goes without.
 */
void		 ntsmat_dispatch(struct ntsmat *, struct imsg *);
/* The client context trusting certset's certificates; NULL: none. */
SSL_CTX		*ntsmat_trust(const struct ntsmat *, int certset);
/*
 * Start an NTS-KE exchange with source src: its name, ntsport and
 * certset, the engine's resolver, certificate times unchecked while the
 * clock has been updated fewer than nocerttimecheck times.  NULL (and
 * logged) if the certset has no trusted certificates; else done is
 * called once, later (ntske.h).
 */
struct ntske_conn *ntsmat_client_start(struct ntsmat *,
		    const struct conf_source *src, ntske_request_fn,
		    ntske_done_fn, void *arg);
/* The NTS-KE server's counters (zero if there is no server). */
void		 ntsmat_stats(const struct ntsmat *, struct ntske_stats *);

#endif
