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
 * NTP packet codec and the server's answer (RFC 5905, RFC 7822).  Pure:
 * no I/O, no clock, no globals, no allocation.
 */

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"

#define NS_PER_S	1000000000LL
#define NTP_UNIX_OFF	2208988800LL	/* 1900-01-01 to 1970-01-01, s */
#define EF_MIN_LEN	16		/* RFC 7822 3 */
#define STRATUM_UNSYNC	16

/* Offsets in the 48-byte header. */
#define OFF_LVM		0
#define OFF_STRATUM	1
#define OFF_POLL	2
#define OFF_PRECISION	3
#define OFF_ROOT_DELAY	4
#define OFF_ROOT_DISP	8
#define OFF_REFID	12
#define OFF_REF_TS	16
#define OFF_ORG_TS	24
#define OFF_RX_TS	32
#define OFF_TX_TS	40

_Static_assert(OFF_TX_TS == PKT_TX_OFFSET, "transmit timestamp offset");
_Static_assert(OFF_TX_TS + 8 == PKT_HDR_LEN, "header length");
_Static_assert(PKT_MAX_LEN % 4 == 0, "PKT_MAX_LEN a multiple of 4");

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/*
 * RFC 7822 7.5: after the header, extension fields until what is left is
 * nothing or a MAC (see pkt.h).  Field types are not judged here: unknown
 * types are skipped.
 */
static enum pkt_reason
walk_ef(struct pkt *p, const uint8_t *buf, size_t len)
{
	size_t		 off = PKT_HDR_LEN, rem = len - PKT_HDR_LEN;
	size_t		 eflen;

	if (rem == PKT_NAK_LEN) {
		p->mac_len = rem;
		return PKT_OK;
	}
	while (rem > PKT_MAX_MAC_LEN) {
		/* rem > 24, so the 4-byte field header is inside */
		eflen = get16(buf + off + 2);
		if (eflen < EF_MIN_LEN || eflen % 4 != 0 || eflen > rem)
			return PKT_ERR_EF;
		off += eflen;
		rem -= eflen;
		p->n_ef++;
	}
	if (rem > 0 && rem < PKT_MIN_MAC_LEN)
		return PKT_ERR_EF;
	p->mac_len = rem;
	return PKT_OK;
}

static uint32_t
f28_from_s(double s)
{
	double	 r = s * 268435456.0;		/* 2^28 */

	if (!(r > 0.0))
		return 0;
	if (r >= 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)(r + 0.5);
}

int
pkt_exp1_get(const struct pkt *p, const uint8_t *buf, size_t len,
    struct pkt_exp1 *e)
{
	size_t		 off = PKT_HDR_LEN, end, eflen;
	int		 i;

	if (len < PKT_HDR_LEN + p->mac_len)
		return -1;
	end = len - p->mac_len;
	/* pkt_decode() walked them: each field is inside the packet */
	for (i = 0; i < p->n_ef && off + 4 <= end; i++, off += eflen) {
		eflen = get16(buf + off + 2);
		if (eflen < EF_MIN_LEN || off + eflen > end)
			return -1;
		if (get16(buf + off) != PKT_EF_EXP1 || eflen != PKT_EXP1_LEN ||
		    get32(buf + off + 4) != PKT_EXP1_MAGIC)
			continue;
		if (e != NULL) {
			e->root_delay_s = get32(buf + off + 8) / 268435456.0;
			e->root_disp_s = get32(buf + off + 12) / 268435456.0;
			e->mono_rx = get64(buf + off + 16);
			e->mono_epoch = get32(buf + off + 24);
		}
		return 0;
	}
	return -1;
}

void
pkt_exp1_put(uint8_t *out, const struct pkt_exp1 *e)
{
	memset(out, 0, PKT_EXP1_LEN);
	out[0] = PKT_EF_EXP1 >> 8;
	out[1] = PKT_EF_EXP1 & 0xff;
	out[3] = PKT_EXP1_LEN;
	put32(out + 4, PKT_EXP1_MAGIC);
	if (e == NULL)
		return;
	put32(out + 8, f28_from_s(e->root_delay_s));
	put32(out + 12, f28_from_s(e->root_disp_s));
	put64(out + 16, e->mono_rx);
	put32(out + 24, e->mono_epoch);
}

/*
 * Decode a packet of len bytes into *p.  On PKT_OK every field is set;
 * on an error the fields are zero, or hold the header if it was read.
 * The mode is not judged here: the responder does.
 */
enum pkt_reason
pkt_decode(struct pkt *p, const uint8_t *buf, size_t len)
{
	memset(p, 0, sizeof(*p));
	if (len < PKT_HDR_LEN)
		return PKT_ERR_SHORT;
	if (len % 4 != 0 || len > PKT_MAX_LEN)
		return PKT_ERR_LENGTH;

	p->leap = buf[OFF_LVM] >> 6;
	p->version = (buf[OFF_LVM] >> 3) & 7;
	p->mode = buf[OFF_LVM] & 7;
	p->stratum = buf[OFF_STRATUM];
	p->poll = (int8_t)buf[OFF_POLL];
	p->precision = (int8_t)buf[OFF_PRECISION];
	p->root_delay = get32(buf + OFF_ROOT_DELAY);
	p->root_disp = get32(buf + OFF_ROOT_DISP);
	p->refid = get32(buf + OFF_REFID);
	p->ref_ts = get64(buf + OFF_REF_TS);
	p->org_ts = get64(buf + OFF_ORG_TS);
	p->rx_ts = get64(buf + OFF_RX_TS);
	p->tx_ts = get64(buf + OFF_TX_TS);
	p->ef_len = len - PKT_HDR_LEN;

	if (p->version == 0 || p->version > 4)
		return PKT_ERR_VERSION;
	if (p->version == 4)
		return walk_ef(p, buf, len);
	/* NTPv1-3 have no extension fields: only a MAC may follow */
	if (p->ef_len > PKT_MAX_V3_MAC_LEN)
		return PKT_ERR_EF;
	p->mac_len = p->ef_len;
	return PKT_OK;
}

/*
 * Write the 48-byte header of *p into buf (leap, version and mode are
 * masked to their bit widths).  Returns PKT_HDR_LEN, or 0 if len is short.
 */
size_t
pkt_encode(const struct pkt *p, uint8_t *buf, size_t len)
{
	if (len < PKT_HDR_LEN)
		return 0;
	buf[OFF_LVM] = (uint8_t)((p->leap & 3) << 6 | (p->version & 7) << 3 |
	    (p->mode & 7));
	buf[OFF_STRATUM] = p->stratum;
	buf[OFF_POLL] = (uint8_t)p->poll;
	buf[OFF_PRECISION] = (uint8_t)p->precision;
	put32(buf + OFF_ROOT_DELAY, p->root_delay);
	put32(buf + OFF_ROOT_DISP, p->root_disp);
	put32(buf + OFF_REFID, p->refid);
	put64(buf + OFF_REF_TS, p->ref_ts);
	put64(buf + OFF_ORG_TS, p->org_ts);
	put64(buf + OFF_RX_TS, p->rx_ts);
	put64(buf + OFF_TX_TS, p->tx_ts);
	return PKT_HDR_LEN;
}

/*
 * Unix time in ns to a 64-bit NTP timestamp.  The seconds wrap every
 * 2^32 s (era 1 starts 2036-02-07 06:28:16 UTC); the fraction is the
 * nearest 2^-32 s, so pkt_ts_to_ns() gives the same ns back.
 */
uint64_t
pkt_ts_from_ns(int64_t unix_ns)
{
	int64_t		 sec = unix_ns / NS_PER_S;
	int64_t		 ns = unix_ns % NS_PER_S;
	uint64_t	 frac;
	uint32_t	 ntp_sec;

	if (ns < 0) {
		ns += NS_PER_S;
		sec--;
	}
	/* |sec| < 2^34: no overflow; the cast keeps the era's seconds */
	ntp_sec = (uint32_t)((uint64_t)sec + (uint64_t)NTP_UNIX_OFF);
	/* ns < 10^9, so ns << 32 < 2^62; at most 2^32 - 5 after rounding */
	frac = (((uint64_t)ns << 32) + NS_PER_S / 2) / NS_PER_S;
	return (uint64_t)ntp_sec << 32 | frac;
}

/*
 * A 64-bit NTP timestamp to Unix time in ns, in the era that puts it
 * closest (within 2^31 s, about 68 years) to near_unix_ns.  Saturates at
 * INT64_MIN and INT64_MAX near the ends of the int64 ns range (1678-2262).
 */
int64_t
pkt_ts_to_ns(uint64_t ntp_ts, int64_t near_unix_ns)
{
	int64_t		 near_s, ntp_s, unix_s, d;
	uint32_t	 diff;
	uint64_t	 frac_ns;

	near_s = near_unix_ns / NS_PER_S;
	if (near_unix_ns % NS_PER_S < 0)
		near_s--;
	near_s += NTP_UNIX_OFF;

	/* signed distance, modulo 2^32, from near to the timestamp */
	diff = (uint32_t)(ntp_ts >> 32) - (uint32_t)near_s;
	d = diff >= 0x80000000U ? (int64_t)diff - 0x100000000LL :
	    (int64_t)diff;
	ntp_s = near_s + d;
	unix_s = ntp_s - NTP_UNIX_OFF;

	/* at most 10^9: may carry into the next second, which is fine */
	frac_ns = ((ntp_ts & 0xffffffffU) * (uint64_t)NS_PER_S +
	    0x80000000U) >> 32;

	if (unix_s > INT64_MAX / NS_PER_S - 1)
		return INT64_MAX;
	if (unix_s < INT64_MIN / NS_PER_S)
		return INT64_MIN;
	return unix_s * NS_PER_S + (int64_t)frac_ns;
}

/*
 * Seconds to NTP short format (16.16), rounded to nearest.  Zero and
 * negative give 0; 65536 s and more, infinity and NaN give 0xffffffff:
 * a root delay or dispersion we cannot state is claimed as the worst,
 * never as perfect.
 */
uint32_t
pkt_short_from_s(double s)
{
	double	 v;

	if (isnan(s))
		return 0xffffffffU;
	if (s <= 0.0)
		return 0;
	v = s * 65536.0 + 0.5;
	if (v >= 4294967295.0)
		return 0xffffffffU;
	return (uint32_t)v;
}

/* NTP short format (16.16) to seconds, 0 to 65535.99998. */
double
pkt_short_to_s(uint32_t v)
{
	return v / 65536.0;
}

/* The answer's header from the server's state; KoD per RFC 5905 7.4. */
void
pkt_answer(struct pkt *a, const struct srv_state *st, const struct pkt *q,
    uint64_t rx_ts, uint32_t kod)
{
	memset(a, 0, sizeof(*a));
	a->version = q->version;
	a->mode = q->mode == PKT_MODE_SYMACT ? PKT_MODE_SYMPAS :
	    PKT_MODE_SERVER;
	/* a client polling faster than the rate limit is told to slow */
	a->poll = q->poll > st->min_poll ? q->poll : st->min_poll;
	a->precision = st->precision;
	a->root_delay = pkt_short_from_s(st->root_delay_s);
	a->root_disp = pkt_short_from_s(st->root_disp_s);
	a->ref_ts = st->ref_ts;
	/* origin: the request's transmit timestamp, as it came */
	a->org_ts = q->tx_ts;
	a->rx_ts = rx_ts;
	if (kod != 0) {
		/* chrony sends its kisses with leap 3 */
		a->leap = PKT_LEAP_UNSYNC;
		a->stratum = 0;
		a->refid = kod;
	} else {
		a->leap = st->leap > PKT_LEAP_UNSYNC ? PKT_LEAP_UNSYNC :
		    st->leap;
		/* unsynchronised: 0 on the wire, as chrony and ntpd send */
		a->stratum = st->stratum >= STRATUM_UNSYNC ? 0 : st->stratum;
		a->refid = st->refid;
	}
}

/* Decode a request and judge its mode; PKT_OK if it gets an answer. */
enum pkt_reason
pkt_check_request(struct pkt *q, const uint8_t *req, size_t reqlen)
{
	enum pkt_reason	 why;

	if ((why = pkt_decode(q, req, reqlen)) != PKT_OK)
		return why;
	if (q->mac_len > 0)
		return PKT_ERR_MAC;
	return pkt_check_mode(q);
}

enum pkt_reason
pkt_check_mode(const struct pkt *q)
{
	switch (q->mode) {
	case PKT_MODE_CLIENT:
		return PKT_OK;
	case PKT_MODE_RESERVED:
		/*
		 * NTPv1 (RFC 1059) had no mode field: its client requests
		 * come with zeros there; chrony answers them in mode 4.
		 */
		return q->version == 1 ? PKT_OK : PKT_ERR_MODE;
	case PKT_MODE_SYMACT:
		/*
		 * A peer that has us configured and we not it: answered
		 * in symmetric passive mode, as chronyd does, no longer
		 * than a client's answer.
		 */
		return PKT_OK;
	case PKT_MODE_CONTROL:
	case PKT_MODE_PRIVATE:
		/* ntpq/ntpdc: amplification and reflection, never */
		return PKT_ERR_CONTROL;
	default:
		return PKT_ERR_MODE;
	}
}

/*
 * Build the answer to a request that pkt_check_request() passed (see
 * pkt.h).  An out buffer shorter than PKT_HDR_LEN is the caller's bug:
 * no answer.
 */
size_t
pkt_respond(const struct srv_state *st, const struct pkt *q, uint64_t rx_ts,
    uint32_t kod, uint8_t *out, size_t outlen)
{
	struct pkt	 a;

	/*
	 * The answer is never longer than the request (no amplification):
	 * decode took at least PKT_HDR_LEN bytes.  This stays a check, not
	 * an assert(), because a core may not call __assert_fail and
	 * network input never kills the process.
	 */
	if (outlen < PKT_HDR_LEN)
		return 0;

	pkt_answer(&a, st, q, rx_ts, kod);
	return pkt_encode(&a, out, outlen);
}

/* Write the transmit timestamp into an answer built by pkt_respond(). */
void
pkt_set_tx(uint8_t *answer, uint64_t tx_ts)
{
	put64(answer + PKT_TX_OFFSET, tx_ts);
}

uint64_t
pkt_get_ts(const uint8_t *p, size_t off)
{
	return get64(p + off);
}
