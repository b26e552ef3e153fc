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
 * Access control: one binary trie per family (chrony's addrfilt.c keeps
 * a 16-way tree; a binary one needs no fan-out of prefixes that are not
 * a multiple of four bits, and so lets the most specific rule win even
 * then).  A rule sets the state of the node of its subnet; "all" also
 * forgets the state of every node below.  A lookup walks the address
 * bits from the root and keeps the last state it passed: O(prefix bits),
 * no allocation.
 */

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#define ROOT4		0
#define ROOT6		1
#define NOCHILD		0	/* the roots are nobody's child */

enum state {
	UNSET = -1,
	DENY = 0,
	ALLOW = 1
};

struct node {
	uint32_t	child[2];
	int		state;
};

struct acl {
	struct node	*nodes;
	size_t		 nnodes;	/* in use; acl_new allocates the most */
};

static const uint8_t	mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
addr_bit(const uint8_t *addr, int i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

/* The node of the subnet, created with its path if need be. */
static uint32_t
node_get(struct acl *acl, uint32_t n, const uint8_t *addr, int prefixlen)
{
	struct node	*new;
	int		 i, b;

	for (i = 0; i < prefixlen; i++) {
		b = addr_bit(addr, i);
		if (acl->nodes[n].child[b] == NOCHILD) {
			/* acl_new sized the array for the worst case */
			new = &acl->nodes[acl->nnodes];
			new->child[0] = new->child[1] = NOCHILD;
			new->state = UNSET;
			acl->nodes[n].child[b] = (uint32_t)acl->nnodes++;
		}
		n = acl->nodes[n].child[b];
	}
	return n;
}

/* Forget the state of every node below n; depth is at most 128. */
static void
clear_below(struct acl *acl, uint32_t n)
{
	uint32_t	 c;
	int		 b;

	for (b = 0; b < 2; b++) {
		if ((c = acl->nodes[n].child[b]) == NOCHILD)
			continue;
		acl->nodes[c].state = UNSET;
		clear_below(acl, c);
	}
}

static void
rule_apply(struct acl *acl, uint32_t root, const uint8_t *addr,
    int prefixlen, const struct conf_acl *r)
{
	uint32_t	 n;

	n = node_get(acl, root, addr, prefixlen);
	if (r->all)
		clear_below(acl, n);
	acl->nodes[n].state = r->allow ? ALLOW : DENY;
}

static int
clamp_prefix(int prefixlen, int max)
{
	if (prefixlen < 0)
		return 0;
	return prefixlen > max ? max : prefixlen;
}

struct acl *
acl_new(const struct conf_acl *rules)
{
	const struct conf_acl	*r;
	struct acl		*acl;
	size_t			 max = 2;

	/* Each rule adds at most one node per prefix bit. */
	for (r = rules; r != NULL; r = r->next) {
		if (r->net.family == AF_INET)
			max += (size_t)clamp_prefix(r->net.prefixlen, 32);
		else if (r->net.family == AF_INET6)
			max += (size_t)clamp_prefix(r->net.prefixlen, 128);
		if (max > UINT32_MAX)
			return NULL;
	}
	if ((acl = calloc(1, sizeof(*acl))) == NULL)
		return NULL;
	if ((acl->nodes = calloc(max, sizeof(*acl->nodes))) == NULL) {
		free(acl);
		return NULL;
	}
	acl->nnodes = 2;
	acl->nodes[ROOT4].state = acl->nodes[ROOT6].state = UNSET;

	for (r = rules; r != NULL; r = r->next) {
		switch (r->net.family) {
		case AF_UNSPEC:		/* "allow", "allow all": everything */
			rule_apply(acl, ROOT4, r->net.addr, 0, r);
			rule_apply(acl, ROOT6, r->net.addr, 0, r);
			break;
		case AF_INET:
			rule_apply(acl, ROOT4, r->net.addr,
			    clamp_prefix(r->net.prefixlen, 32), r);
			break;
		case AF_INET6:
			rule_apply(acl, ROOT6, r->net.addr,
			    clamp_prefix(r->net.prefixlen, 128), r);
			break;
		}
	}
	return acl;
}

void
acl_free(struct acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->nodes);
	free(acl);
}

int
acl_allowed(const struct acl *acl, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;
	const uint8_t			*addr;
	uint32_t			 n, c;
	int				 i, bits, state;

	if (acl == NULL || sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		n = ROOT4;
		addr = (const uint8_t *)&sin->sin_addr;
		bits = 32;
	} else if (sa->sa_family == AF_INET6) {
		addr = sin6->sin6_addr.s6_addr;
		if (memcmp(addr, mapped_prefix, sizeof(mapped_prefix)) == 0) {
			n = ROOT4;	/* ::ffff:a.b.c.d is a.b.c.d */
			addr += sizeof(mapped_prefix);
			bits = 32;
		} else {
			n = ROOT6;
			bits = 128;
		}
	} else
		return 0;

	state = acl->nodes[n].state;
	for (i = 0; i < bits; i++) {
		if ((c = acl->nodes[n].child[addr_bit(addr, i)]) == NOCHILD)
			break;
		n = c;
		if (acl->nodes[n].state != UNSET)
			state = acl->nodes[n].state;
	}
	return state == ALLOW;
}
