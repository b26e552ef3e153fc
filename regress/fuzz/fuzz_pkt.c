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
 * libFuzzer target: decode the input as an NTP packet, answer it, and
 * check that the answer is never larger than the request, that what
 * decode reports stays inside the input, and that the header encodes
 * back to the same bytes.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib lib/pkt.c \
 *	    regress/fuzz/fuzz_pkt.c -o fuzz_pkt
 *	mkdir -p /tmp/scratch_corpus
 *	./fuzz_pkt /tmp/scratch_corpus regress/fuzz/corpus/pkt
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct srv_state	st = {
	PKT_LEAP_NONE, 2, -24, 0xc0000201, 0xed1c2b3a80000000ULL, 0.015, 0.5,
	PKT_MIN_POLL_ANY
};

static void
check_decoded(const struct pkt *p, const uint8_t *data, size_t size)
{
	uint8_t	 hdr[PKT_HDR_LEN];

	if (p->ef_len + PKT_HDR_LEN != size)
		abort();
	if (p->mac_len > (p->version < 4 ? PKT_MAX_V3_MAC_LEN :
	    PKT_MAX_MAC_LEN) || p->mac_len > p->ef_len ||
	    p->mac_len % 4 != 0)
		abort();
	if (p->n_ef < 0 || (size_t)p->n_ef * 16 + p->mac_len > p->ef_len)
		abort();
	if (p->version < 1 || p->version > 4)
		abort();
	if (p->version < 4 && p->n_ef != 0)
		abort();
	if (pkt_encode(p, hdr, sizeof(hdr)) != PKT_HDR_LEN ||
	    memcmp(hdr, data, PKT_HDR_LEN) != 0)
		abort();
}

/*
 * chrony's F323 field, if found: its bytes are inside the fields, and
 * what is read writes back to the same bytes but for the rounding of
 * the delay and dispersion.
 */
static void
check_exp1(const struct pkt *p, const uint8_t *data, size_t size)
{
	struct pkt_exp1	 e;
	uint8_t		 f[PKT_EXP1_LEN];
	size_t		 off;

	if (pkt_exp1_get(p, data, size, &e) == -1)
		return;
	if (p->n_ef < 1 || size < PKT_HDR_LEN + PKT_EXP1_LEN + p->mac_len)
		abort();
	pkt_exp1_put(f, &e);
	for (off = PKT_HDR_LEN; off + PKT_EXP1_LEN <= size - p->mac_len;
	    off += 4)
		if (memcmp(data + off, f, 8) == 0 &&
		    memcmp(data + off + 16, f + 16, 12) == 0)
			return;
	abort();
}

/* A client's request (mode 3, or NTPv1's mode 0), or a peer's (mode 1). */
static int
is_request(const struct pkt *q)
{
	return q->mode == PKT_MODE_CLIENT || q->mode == PKT_MODE_SYMACT ||
	    (q->mode == PKT_MODE_RESERVED && q->version == 1);
}

static void
check_answer(const struct pkt *q, const uint8_t *data, const uint8_t *out,
    size_t n, uint32_t kod)
{
	struct pkt	 a;

	if (pkt_decode(&a, out, n) != PKT_OK)
		abort();
	/* a peer we do not know is answered in symmetric passive mode */
	if (a.mode != (q->mode == PKT_MODE_SYMACT ? PKT_MODE_SYMPAS :
	    PKT_MODE_SERVER) || a.version != q->version ||
	    a.poll != (q->poll > st.min_poll ? q->poll : st.min_poll) ||
	    a.rx_ts != 1 || a.tx_ts != 0 ||
	    a.n_ef != 0 || a.mac_len != 0)
		abort();
	if (memcmp(out + 24, data + PKT_TX_OFFSET, 8) != 0)
		abort();
	if (kod != 0 && (a.stratum != 0 || a.refid != kod ||
	    a.leap != PKT_LEAP_UNSYNC))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		 out[PKT_MAX_LEN + 64];
	struct pkt	 q, cq;
	enum pkt_reason	 r, why;
	uint32_t	 kod;
	size_t		 n, i;

	r = pkt_decode(&q, data, size);
	if (r >= PKT_NREASONS || r == PKT_ERR_MODE || r == PKT_ERR_CONTROL ||
	    r == PKT_ERR_MAC)
		abort();
	if (r == PKT_OK) {
		check_decoded(&q, data, size);
		check_exp1(&q, data, size);
	}

	/* a KoD now and then, chosen by the input */
	kod = size > 0 && (data[size - 1] & 1) ? PKT_KOD_RATE : 0;
	memset(out, 0x5a, sizeof(out));
	why = pkt_check_request(&cq, data, size);
	n = why == PKT_OK ? pkt_respond(&st, &cq, 1, kod, out, sizeof(out)) :
	    0;
	if (why == PKT_OK && memcmp(&cq, &q, sizeof(q)) != 0)
		abort();	/* the same decode */
	if (n > size || n > PKT_HDR_LEN)
		abort();
	for (i = PKT_HDR_LEN; i < sizeof(out); i++)
		if (out[i] != 0x5a)
			abort();
	if (n == 0) {
		if (why == PKT_OK || (r != PKT_OK && why != r))
			abort();
		/* no symmetric key is known: a MAC is never answered */
		if (r == PKT_OK && is_request(&q) && q.mac_len == 0)
			abort();
		if (r == PKT_OK && q.mac_len > 0 && why != PKT_ERR_MAC)
			abort();
		return 0;
	}
	if (why != PKT_OK || r != PKT_OK || !is_request(&q) ||
	    q.mac_len != 0 || n != PKT_HDR_LEN)
		abort();
	check_answer(&q, data, out, n, kod);
	pkt_set_tx(out, 0x0123456789abcdefULL);
	if (pkt_decode(&q, out, n) != PKT_OK ||
	    q.tx_ts != 0x0123456789abcdefULL)
		abort();
	return 0;
}
