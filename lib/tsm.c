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


#include <stdlib.h>

#include "tsm.h"

#define MAX_SLOTS	(1UL << 20)

struct entry {
	uint64_t	 rx_ts;
	uint64_t	 tx_ts;		/* 0: not known yet */
};

struct tsm {
	size_t		 mask;
	int		 shift;
	struct entry	*e;
};

static size_t
slot(const struct tsm *m, uint64_t rx_ts)
{
	uint64_t	 x = rx_ts;

	/* splitmix64's finaliser: every bit of the key moves the slot */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)(x >> m->shift) & m->mask;
}

struct tsm *
tsm_new(size_t nslots)
{
	struct tsm	*m;
	size_t		 n = 1;
	int		 bits = 0;

	if (nslots > MAX_SLOTS)
		nslots = MAX_SLOTS;
	while (n < nslots) {
		n <<= 1;
		bits++;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->e = calloc(n, sizeof(*m->e))) == NULL) {
		free(m);
		return NULL;
	}
	m->mask = n - 1;
	m->shift = 64 - (bits > 0 ? bits : 1);
	return m;
}

void
tsm_free(struct tsm *m)
{
	if (m == NULL)
		return;
	free(m->e);
	free(m);
}

void
tsm_save(struct tsm *m, uint64_t rx_ts)
{
	struct entry	*e = &m->e[slot(m, rx_ts)];

	e->rx_ts = rx_ts;
	e->tx_ts = 0;
}

int
tsm_set_tx(struct tsm *m, uint64_t rx_ts, uint64_t tx_ts)
{
	struct entry	*e = &m->e[slot(m, rx_ts)];

	if (rx_ts == 0 || e->rx_ts != rx_ts)
		return -1;
	e->tx_ts = tx_ts;
	return 0;
}

int
tsm_get_tx(const struct tsm *m, uint64_t rx_ts, uint64_t *tx_ts)
{
	const struct entry	*e = &m->e[slot(m, rx_ts)];

	if (rx_ts == 0 || e->rx_ts != rx_ts || e->tx_ts == 0)
		return -1;
	*tx_ts = e->tx_ts;
	return 0;
}

void
tsm_stats(const struct tsm *m, uint64_t *held, uint64_t *span_s)
{
	uint64_t	 lo = UINT64_MAX, hi = 0;
	size_t		 i;

	*held = 0;
	for (i = 0; i <= m->mask; i++) {
		if (m->e[i].rx_ts == 0)
			continue;
		(*held)++;
		if (m->e[i].rx_ts < lo)
			lo = m->e[i].rx_ts;
		if (m->e[i].rx_ts > hi)
			hi = m->e[i].rx_ts;
	}
	*span_s = *held < 2 ? 0 : (hi - lo) >> 32;
}
