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

/* What daemon/ntske*.c share, and nothing else should use. */

#ifndef TIMED_NTSKE_INT_H
#define TIMED_NTSKE_INT_H

#include <stdint.h>

#include <openssl/ssl.h>

struct event;

/* "ntske/1" as ALPN puts it on the wire: length, then the name. */
extern const uint8_t	ntske_alpn_wire[sizeof(NTSKE_ALPN) + 1];

/* Add timer ev to fire in ms milliseconds; 0 or -1. */
int	ntske_arm_timer(struct event *, int ms);
/* 1 if the handshake selected ALPN ntske/1. */
int	ntske_alpn_ok(SSL *);

/*
 * X25519 key pairs made ahead for servers (ntske_kx.c).  init: once,
 * from ntske_init(); -1 if OpenSSL cannot have it, and servers make
 * their own.  propq: the property query for a server's SSL_CTX, NULL
 * without the pool.  fill: make one more if the pool is not full; 0, or
 * -1 if OpenSSL failed.
 */
int		 ntske_kx_init(void);
const char	*ntske_kx_propq(void);
int		 ntske_kx_fill(void);

#endif
