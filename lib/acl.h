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
 * Access control for the NTP server, with chrony's allow/deny semantics:
 * the most specific subnet that a rule names decides, its prefix rounded
 * up to a multiple of 4 bits as chrony's tables do (so /25 and /28 are
 * as specific, and the later rule wins, as for one subnet); "allow all
 * SUBNET" / "deny all SUBNET" also override every more specific rule
 * given before it; no rule at all: deny.
 * IPv4-mapped IPv6 addresses are matched as IPv4.
 */

#ifndef TIMED_ACL_H
#define TIMED_ACL_H

#include <sys/socket.h>

#include "conf.h"

struct acl;

/* Build from the config's list (file order); NULL only on no memory. */
struct acl	*acl_new(const struct conf_acl *);
void		 acl_free(struct acl *);
/* 1 if the address (AF_INET or AF_INET6 sockaddr) may be served. */
int		 acl_allowed(const struct acl *, const struct sockaddr *);

#endif
