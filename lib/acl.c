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
 * Access control: one binary trie per family.  chrony's addrfilt.c keeps
 * a tree of 16-way tables, one level per four bits, and chrony.conf(5)
 * documents what follows from it: a prefix that is not a multiple of
 * four sets every record of the next level that it covers (a /25 sets
 * eight /28s), so that two rules whose prefixes round up to the same
 * level are decided by their order, not by their lengths.  Here too a
 * rule sets the state of the nodes of its subnet rounded up that way;
 * "all" also forgets the state of every node below them.  A lookup walks
 * the address bits from the root and keeps the last state it passed:
 * O(prefix bits), no allocation.
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
#define LEVEL_BITS	4	/* chrony's table: 16 entries */
#define FANOUT_NODES	14	/* a subtree of 3 levels below a node */

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
set_bit(uint8_t *addr, int i, int b)
{
	if (b)
		addr[i / 8] |= (uint8_t)(0x80 >> i % 8);
	else
		addr[i / 8] &= (uint8_t)~(0x80 >> i % 8);
}

/*
 * Set the subnet's nodes at its prefix rounded up to a whole level: 1, 2,
 * 4 or 8 of them, as chrony's set_subnet() sets records of one table.
 */
static void
rule_apply(struct acl *acl, uint32_t root, const uint8_t *addr,
    int prefixlen, const struct conf_acl *r)
{
	uint8_t		 a[16];
	uint32_t	 n;
	int		 level, k, i;

	level = (prefixlen + LEVEL_BITS - 1) / LEVEL_BITS * LEVEL_BITS;
	memcpy(a, addr, sizeof(a));
	for (k = 0; k < 1 << (level - prefixlen); k++) {
		for (i = prefixlen; i < level; i++)
			set_bit(a, i, (k >> (level - 1 - i)) & 1);
		n = node_get(acl, root, a, level);
		if (r->all)
			clear_below(acl, n);
		acl->nodes[n].state = r->allow ? ALLOW : DENY;
	}
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

	/*
	 * Each rule adds at most one node per prefix bit, and below them
	 * the nodes of its level.
	 */
	for (r = rules; r != NULL; r = r->next) {
		if (r->net.family == AF_INET)
			max += (size_t)clamp_prefix(r->net.prefixlen, 32) +
			    FANOUT_NODES;
		else if (r->net.family == AF_INET6)
			max += (size_t)clamp_prefix(r->net.prefixlen, 128) +
			    FANOUT_NODES;
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
