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
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crash.h"
#include "log.h"
#include "xmalloc.h"

struct peer {
	uint32_t	family;		/* 0: free */
	uint8_t		addr[16];	/* IPv6: the /64 alone */
	int		deaths;
	time_t		first;		/* of the deaths counted */
	time_t		until;		/* blocked until */
};

struct crash {
	int			 fd;
	struct blame_page	*page;
	struct peer		 peers[CRASH_PEERS];
};

struct crash *
crash_new(void)
{
	struct crash	*c = xcalloc(1, sizeof(*c));
	void		*p;

	if ((c->fd = memfd_create("timed-blame", MFD_CLOEXEC)) == -1 ||
	    ftruncate(c->fd, sizeof(struct blame_page)) == -1)
		fatal("memfd for the engine's blame page");
	p = mmap(NULL, sizeof(struct blame_page), PROT_READ | PROT_WRITE,
	    MAP_SHARED, c->fd, 0);
	if (p == MAP_FAILED)
		fatal("mmap the engine's blame page");
	c->page = p;
	return c;
}

void
crash_free(struct crash *c)
{
	if (c == NULL)
		return;
	munmap(c->page, sizeof(*c->page));
	close(c->fd);
	free(c);
}

int
crash_fd(const struct crash *c)
{
	return c->fd;
}

void
crash_reset(struct crash *c)
{
	memset(c->page, 0, sizeof(*c->page));
}

static struct peer *
find_peer(struct crash *c, uint32_t family, const uint8_t *addr)
{
	struct peer	*p, *old = &c->peers[0];
	int		 i;

	for (i = 0; i < CRASH_PEERS; i++) {
		p = &c->peers[i];
		if (p->family == family &&
		    memcmp(p->addr, addr, sizeof(p->addr)) == 0)
			return p;
	}
	for (i = 0; i < CRASH_PEERS; i++) {
		p = &c->peers[i];
		if (p->family == 0)
			break;
		if (p->first < old->first)
			old = p;
	}
	if (i == CRASH_PEERS)
		p = old;	/* the oldest goes */
	memset(p, 0, sizeof(*p));
	p->family = family;
	memcpy(p->addr, addr, sizeof(p->addr));
	return p;
}

static void
to_block(const struct peer *p, time_t now, struct peer_block *b)
{
	memset(b, 0, sizeof(*b));
	b->family = p->family;
	memcpy(b->addr, p->addr, sizeof(b->addr));
	b->prefix_len = p->family == AF_INET ? 32 : 64;
	b->seconds = (int32_t)(p->until - now);
}

int
crash_blame(struct crash *c, time_t now, struct peer_block *b)
{
	struct blame_page	 pg;
	struct peer		*p;
	uint8_t			 addr[16];
	char			 name[INET6_ADDRSTRLEN];

	memcpy(&pg, c->page, sizeof(pg));
	if (pg.kind == BLAME_NONE ||
	    (pg.family != AF_INET && pg.family != AF_INET6))
		return 0;
	memset(addr, 0, sizeof(addr));
	memcpy(addr, pg.addr, pg.family == AF_INET ? 4 : 8);
	inet_ntop(pg.family, pg.addr, name, sizeof(name));
	p = find_peer(c, pg.family, addr);
	if (p->deaths == 0 || now - p->first > CRASH_WINDOW_S) {
		p->deaths = 0;
		p->first = now;
	}
	p->deaths++;
	log_warnx("the engine was handling %s from %s%s",
	    pg.kind == BLAME_NTSKE ? "NTS-KE" : "NTP", name,
	    pg.family == AF_INET6 ? " (its /64 is blamed)" : "");
	if (p->deaths < CRASH_DEATHS)
		return 0;
	p->until = now + CRASH_BLOCK_S;
	log_warnx("peer %s: input in progress at %d deaths of the engine: "
	    "ignored for %d s", name, p->deaths, CRASH_BLOCK_S);
	to_block(p, now, b);
	return 1;
}

int
crash_blocks(const struct crash *c, time_t now, struct peer_block *out,
    int max)
{
	int	 i, n = 0;

	for (i = 0; i < CRASH_PEERS && n < max; i++)
		if (c->peers[i].family != 0 && c->peers[i].until > now)
			to_block(&c->peers[i], now, &out[n++]);
	return n;
}
