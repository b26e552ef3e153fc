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

#include "imsg.h"
#include "ntske.h"

struct engine;
struct ntsmat;

struct ntsmat	*ntsmat_new(struct engine *);
void		 ntsmat_free(struct ntsmat *);
/*
 * IMSG_NTS_SERVER_CERT, _SERVER_CERTS_END, _TRUST, _KE_SOCKET.  A frame
 * of the wrong shape is fatal (the monitor sent it); PEM text OpenSSL
 * cannot use is logged, and the server or the certset goes without.
 */
void		 ntsmat_dispatch(struct ntsmat *, struct imsg *);
/* The client context trusting certset's certificates; NULL: none. */
SSL_CTX		*ntsmat_trust(const struct ntsmat *, int certset);
/* The NTS-KE server's counters (zero if there is no server). */
void		 ntsmat_stats(const struct ntsmat *, struct ntske_stats *);

#endif
