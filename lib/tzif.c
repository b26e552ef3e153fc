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


#include <string.h>

#include "tzif.h"

#define HDR_LEN		44
#define DAY_S		86400

struct hdr {
	int	 version;	/* 0 for version 1, else '2', '3', ... */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
get64(const uint8_t *p)
{
	return (int64_t)((uint64_t)get32(p) << 32 | get32(p + 4));
}

static int
read_hdr(const uint8_t *p, size_t len, struct hdr *h)
{
	if (len < HDR_LEN || memcmp(p, "TZif", 4) != 0)
		return -1;
	h->version = p[4];
	if (h->version != 0 && (h->version < '2' || h->version > '9'))
		return -1;
	h->isutcnt = get32(p + 20);
	h->isstdcnt = get32(p + 24);
	h->leapcnt = get32(p + 28);
	h->timecnt = get32(p + 32);
	h->typecnt = get32(p + 36);
	h->charcnt = get32(p + 40);
	/* bounds that keep the arithmetic below far from overflow */
	if (h->isutcnt > 1000000 || h->isstdcnt > 1000000 ||
	    h->leapcnt > 1000000 || h->timecnt > 1000000 ||
	    h->typecnt > 256 || h->charcnt > 1000000 || h->typecnt == 0)
		return -1;
	return 0;
}

/* The length of a data block whose times take tsize bytes. */
static size_t
data_len(const struct hdr *h, size_t tsize)
{
	return h->timecnt * (tsize + 1) + h->typecnt * 6 + h->charcnt +
	    h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

int
tzif_leaps(const uint8_t *buf, size_t len, struct tzif_leap *out, int max,
    int *n)
{
	struct hdr	 h;
	const uint8_t	*p;
	size_t		 tsize = 4, skip, i;
	int64_t		 occ;
	int32_t		 corr, prev = 0;

	*n = 0;
	if (max < 0 || read_hdr(buf, len, &h) == -1 ||
	    len - HDR_LEN < data_len(&h, 4))
		return -1;
	p = buf + HDR_LEN;
	if (h.version != 0) {
		/* version 2+: a second header and 64-bit data follow */
		p += data_len(&h, 4);
		if (read_hdr(p, len - (size_t)(p - buf), &h) == -1)
			return -1;
		tsize = 8;
		p += HDR_LEN;
		if ((size_t)(buf + len - p) < data_len(&h, 8))
			return -1;
	}
	skip = h.timecnt * (tsize + 1) + h.typecnt * 6 + h.charcnt;
	p += skip;
	for (i = 0; i < h.leapcnt; i++, p += tsize + 4) {
		occ = tsize == 8 ? get64(p) : (int32_t)get32(p);
		corr = (int32_t)get32(p + tsize);
		/*
		 * occ counts the leap seconds before it: less them, it is
		 * the POSIX midnight after the leap.
		 */
		if ((corr - prev == 1 || corr - prev == -1) && max > 0) {
			if (*n == max) {
				memmove(out, out + 1, (max - 1) *
				    sizeof(*out));
				(*n)--;
			}
			memset(&out[*n], 0, sizeof(out[*n]));
			out[*n].utc_s = occ - prev;
			out[*n].step = corr - prev;
			(*n)++;
		}
		prev = corr;
	}
	return 0;
}

int
tzif_leap_today(const struct tzif_leap *t, int n, int64_t now_s)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (now_s < t[i].utc_s && now_s >= t[i].utc_s - DAY_S)
			return t[i].step;
	return 0;
}
