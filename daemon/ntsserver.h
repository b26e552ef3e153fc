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
 * The engine's NTS server: the cookie master keys (from the monitor's
 * key file, rotated here, written back by the monitor), the NTS-KE
 * answers (RFC 8915 section 4) and the NTS-protected NTP answers
 * (section 5) of the serving fast path.
 */

#ifndef TIMED_NTSSERVER_H
#define TIMED_NTSSERVER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "imsg.h"
#include "proto.h"

struct ectx;
struct ntssrv;

/* NULL when this engine serves no NTS (no ntsservercert, -q, -Q). */
struct ntssrv	*ntssrv_new(struct ectx *);
void		 ntssrv_free(struct ntssrv *);
/*
 * IMSG_NTS_KEYS: the key file's text from the monitor (lib/nts.h), or
 * nothing: a first start, so make a key and ask the monitor to save it
 * (IMSG_NTS_KEYS_SAVE).  A file that does not parse is fatal: the
 * monitor checked it.
 */
void		 ntssrv_keys(struct ntssrv *, struct imsg *);
/*
 * NTS-KE, ahead of the request (ntske_early_fn): the keys of ssl for
 * AEAD_AES_SIV_CMAC_256, which every client asks for, and the cookies
 * for them, into early (ntssrv_early_size() bytes, zero at first).
 */
size_t		 ntssrv_early_size(void);
void		 ntssrv_ke_early(struct ntssrv *, SSL *, void *early);
/*
 * An NTS-KE request came in over ssl: write the answer (at most *resplen
 * bytes) to resp and set *resplen; 0, or -1 to close without one.  early:
 * NULL, or what ntssrv_ke_early() made for this connection.
 */
int		 ntssrv_ke_answer(struct ntssrv *, SSL *, void *early,
		    const uint8_t *req, size_t reqlen, uint8_t *resp,
		    size_t *resplen);
/*
 * The NTS part of an NTP answer.  req was answered with the hdrlen-byte
 * header at out[0] (serve_request()'s answer, encoded).  A request without NTS fields
 * keeps that plain answer: returns hdrlen.  Else the authenticated
 * answer (or an NTS NAK) is built in out with its transmit time set,
 * and its length returned (> PKT_HDR_LEN, <= reqlen); 0: drop it.
 * Counts in st (auth_ntp, nts_naks, nts_dropped).
 */
size_t		 ntssrv_respond(struct ntssrv *, const uint8_t *req,
		    size_t reqlen, uint8_t *out, size_t outsize, size_t hdrlen,
		    struct rpt_serverstats *st);

#endif
