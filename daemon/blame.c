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

#include <sys/mman.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blame.h"
#include "proto.h"

#define BLOCK_MAX	16	/* as many as the monitor blames */

struct block {
	uint32_t	family;
	uint8_t		addr[16];
	int		prefix_len;
	int64_t		until_s;
};

static volatile struct blame_page	*page;
static struct block			 blocks[BLOCK_MAX];
static int				 nblocks;

int
blame_map(struct imsg *imsg)
{
	void	*p;

	if (imsg->fd == -1 || imsg->datalen != 0 || page != NULL)
		return -1;
	p = mmap(NULL, sizeof(struct blame_page), PROT_READ | PROT_WRITE,
	    MAP_SHARED, imsg->fd, 0);
	close(imsg->fd);
	imsg->fd = -1;
	if (p == MAP_FAILED)
		return -1;
	page = p;
	return 0;
}

static int64_t
mono_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The address of sa, an IPv4-mapped IPv6 address as IPv4; or NULL. */
static const uint8_t *
addr_of(const struct sockaddr *sa, uint32_t *family)
{
	const struct sockaddr_in6	*s6;

	*family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		return (const uint8_t *)
		    &((const struct sockaddr_in *)sa)->sin_addr;
	if (sa->sa_family != AF_INET6)
		return NULL;
	s6 = (const struct sockaddr_in6 *)sa;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*family = AF_INET;
		return s6->sin6_addr.s6_addr + 12;
	}
	return s6->sin6_addr.s6_addr;
}

void
blame_set(uint32_t kind, const struct sockaddr *sa)
{
	const uint8_t	*a;
	uint32_t	 family;

	if (page == NULL || (a = addr_of(sa, &family)) == NULL)
		return;
	page->kind = BLAME_NONE;	/* never a half-written address */
	page->family = family;
	memcpy((void *)page->addr, a, family == AF_INET ? 4 : 16);
	page->kind = kind;
}

void
blame_clear(void)
{
	if (page != NULL)
		page->kind = BLAME_NONE;
}

int
blame_block(struct imsg *imsg)
{
	struct peer_block	 b;
	int			 i, j, max;

	if (imsg_get_data(imsg, &b, sizeof(b)) == -1 ||
	    (b.family != AF_INET && b.family != AF_INET6))
		return -1;
	max = b.family == AF_INET ? 32 : 128;
	if (b.prefix_len < 1 || b.prefix_len > max || b.seconds < 1)
		return -1;
	/* the same peer again, or a free slot, or the one to end first */
	for (i = 0; i < nblocks; i++)
		if (blocks[i].family == b.family &&
		    memcmp(blocks[i].addr, b.addr, sizeof(b.addr)) == 0)
			break;
	if (i == nblocks && nblocks < BLOCK_MAX)
		nblocks++;
	else if (i == nblocks)
		for (i = 0, j = 1; j < BLOCK_MAX; j++)
			if (blocks[j].until_s < blocks[i].until_s)
				i = j;
	blocks[i].family = b.family;
	memcpy(blocks[i].addr, b.addr, sizeof(b.addr));
	blocks[i].prefix_len = b.prefix_len;
	blocks[i].until_s = mono_s() + b.seconds;
	return 0;
}

static int
prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int	 bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	return rest == 0 ||
	    ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
blame_blocked(const struct sockaddr *sa)
{
	const uint8_t	*a;
	uint32_t	 family;
	int64_t		 now;
	int		 i;

	if (nblocks == 0 || (a = addr_of(sa, &family)) == NULL)
		return 0;
	now = mono_s();
	for (i = 0; i < nblocks; i++) {
		if (blocks[i].until_s <= now) {	/* over: forgotten */
			blocks[i--] = blocks[--nblocks];
			continue;
		}
		if (blocks[i].family == family &&
		    prefix_match(blocks[i].addr, a, blocks[i].prefix_len))
			return 1;
	}
	return 0;
}
