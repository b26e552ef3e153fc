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
 * NTP packets (RFC 5905, extension fields per RFC 7822): the codec and
 * the server's answer.  Pure: bytes and timestamps in, bytes and reasons
 * out.  Timestamps in structs are 64-bit NTP format in host order
 * (seconds since 1900 << 32 | fraction); the era is resolved against a
 * Unix time the caller gives.
 */

#ifndef TIMED_PKT_H
#define TIMED_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_HDR_LEN		48
#define PKT_MAX_LEN		1024	/* header + extension fields + MAC */
#define PKT_MIN_MAC_LEN		20	/* key id and a 128-bit digest */
#define PKT_MAX_MAC_LEN		24	/* RFC 7822 7.5 */
#define PKT_MAX_V3_MAC_LEN	68	/* NTPv1-3: key id and SHA-512 */
#define PKT_NAK_LEN		4	/* crypto-NAK: key id 0 alone */

#define PKT_MODE_RESERVED	0	/* NTPv1's requests: no mode field */
#define PKT_MODE_SYMACT		1
#define PKT_MODE_SYMPAS		2
#define PKT_MODE_CLIENT		3
#define PKT_MODE_SERVER		4
#define PKT_MODE_BROADCAST	5
#define PKT_MODE_CONTROL	6
#define PKT_MODE_PRIVATE	7

#define PKT_LEAP_NONE		0
#define PKT_LEAP_INSERT		1
#define PKT_LEAP_DELETE		2
#define PKT_LEAP_UNSYNC		3

#define PKT_REFID_LOCAL		0x7f7f0101	/* chrony's local reference */

#define PKT_KOD_RATE		0x52415445	/* "RATE" */
#define PKT_KOD_DENY		0x44454e59	/* "DENY" */
#define PKT_KOD_RSTR		0x52535452	/* "RSTR" */

struct pkt {
	uint8_t		 leap;
	uint8_t		 version;
	uint8_t		 mode;
	uint8_t		 stratum;
	int8_t		 poll;
	int8_t		 precision;
	uint32_t	 root_delay;	/* NTP short format, raw */
	uint32_t	 root_disp;
	uint32_t	 refid;
	uint64_t	 ref_ts;
	uint64_t	 org_ts;
	uint64_t	 rx_ts;
	uint64_t	 tx_ts;
	size_t		 ef_len;	/* bytes after the header: EFs + MAC */
	size_t		 mac_len;	/* trailing MAC, 0 if none */
	int		 n_ef;		/* extension fields */
};

/* Why a packet was refused; each has a server counter. */
enum pkt_reason {
	PKT_OK = 0,
	PKT_ERR_SHORT,		/* < 48 bytes */
	PKT_ERR_LENGTH,		/* not a multiple of 4, or too long */
	PKT_ERR_VERSION,	/* 0 or > 4 */
	PKT_ERR_MODE,		/* a mode the server does not answer */
	PKT_ERR_CONTROL,	/* mode 6 or 7: ntpq/ntpdc, never answered */
	PKT_ERR_EF,		/* malformed extension fields */
	PKT_ERR_MAC,		/* a MAC: unknown key, or wrong */
	PKT_NREASONS
};

/*
 * Decode the header and walk the extension fields: each at least 16
 * bytes, a multiple of 4, inside the packet, at most PKT_MAX_LEN in all,
 * while more than PKT_MAX_MAC_LEN bytes are left (RFC 7822 7.5: the last
 * field of a packet without a MAC is at least 28 bytes, so the walk
 * never has to guess).  What is left is a MAC if it is PKT_MIN_MAC_LEN to
 * PKT_MAX_MAC_LEN bytes, or PKT_NAK_LEN bytes right after the header;
 * other leftovers are malformed.  In NTPv1-3, anything after the header,
 * up to PKT_MAX_V3_MAC_LEN bytes, is a MAC.  As chrony parses them.
 */
enum pkt_reason	 pkt_decode(struct pkt *, const uint8_t *, size_t);
/* Write the 48-byte header; returns PKT_HDR_LEN, or 0 if len is short. */
size_t		 pkt_encode(const struct pkt *, uint8_t *, size_t len);

/*
 * chrony's experimental extension field (a source's "extfield F323"):
 * the server's root delay and dispersion to 2^-28 s, and its receive
 * time on a clock that its offset corrections do not move (its time
 * plus every offset it slewed since mono_epoch began), so that a client
 * tells the server's corrections from its own clock's drift.  A
 * request's field has the magic alone.
 */
#define PKT_EF_EXP1		0xf323
#define PKT_EXP1_LEN		28	/* field header, 24 bytes of body */
#define PKT_EXP1_MAGIC		0xf5bedd9aU

struct pkt_exp1 {
	double		 root_delay_s;
	double		 root_disp_s;
	uint64_t	 mono_rx;	/* NTP timestamp; 0: none */
	uint32_t	 mono_epoch;
};

/*
 * The field in a packet pkt_decode() passed (buf, len its bytes): 0 and
 * *e (e may be NULL) if one of its extension fields is it, with the
 * magic; else -1.
 */
int		 pkt_exp1_get(const struct pkt *, const uint8_t *buf,
		    size_t len, struct pkt_exp1 *e);
/* Write the field, PKT_EXP1_LEN bytes, at out; e NULL: a request's. */
void		 pkt_exp1_put(uint8_t *out, const struct pkt_exp1 *e);

/* Unix time in ns <-> NTP timestamp (era from the Unix time). */
uint64_t	 pkt_ts_from_ns(int64_t unix_ns);
int64_t		 pkt_ts_to_ns(uint64_t ntp_ts, int64_t near_unix_ns);
/* Seconds <-> NTP short format (16.16), saturating. */
uint32_t	 pkt_short_from_s(double);
double		 pkt_short_to_s(uint32_t);

/* What the server says about itself in every answer. */
struct srv_state {
	uint8_t		 leap;		/* PKT_LEAP_*; UNSYNC if not synced */
	uint8_t		 stratum;	/* 16 when unsynchronised: 0 sent */
	int8_t		 precision;	/* log2 s */
	uint32_t	 refid;
	uint64_t	 ref_ts;
	double		 root_delay_s;
	double		 root_disp_s;
	/*
	 * The least poll an answer suggests, log2 s: chrony's ratelimit
	 * interval, PKT_MIN_POLL_ANY without rate limiting.
	 */
	int8_t		 min_poll;
};
#define PKT_MIN_POLL_ANY	-19	/* chrony's least ratelimit interval */

/*
 * Decode a request into q and judge it: PKT_OK if it gets an answer (mode
 * 3, NTPv1's mode 0, or a peer's mode 1, without a MAC), else why not, so that the server
 * judges a packet before it counts it against its sender (chrony logs
 * only client requests).  A request with a MAC gives PKT_ERR_MAC: the
 * server checks it with its keys (keyfile), and drops it, as chrony
 * does, if the key is unknown or the MAC wrong.
 */
enum pkt_reason	 pkt_check_request(struct pkt *q, const uint8_t *req,
		    size_t reqlen);
/* The mode part of that judgement, for a request whose MAC is good. */
enum pkt_reason	 pkt_check_mode(const struct pkt *q);
/*
 * The answer to a request q that pkt_check_request() passed, into out (at
 * least PKT_HDR_LEN bytes): mode 4 (2 to a peer's mode 1), the
 * request's version, the request's poll or st->min_poll if that is more
 * (as chrony), the request's transmit timestamp as origin, rx_ts as
 * receive timestamp, transmit timestamp zero (the shell writes it last,
 * at PKT_TX_OFFSET, as late as it can).  kod: 0, or a kiss code
 * (PKT_KOD_RATE): stratum 0, refid the code.  Returns the answer's
 * length, PKT_HDR_LEN: never more than the request's; 0 if out is too
 * short.
 */
size_t		 pkt_respond(const struct srv_state *, const struct pkt *q,
		    uint64_t rx_ts, uint32_t kod, uint8_t *out, size_t outlen);
/*
 * The fields of that answer, into a, for pkt_encode(): pkt_respond()
 * without the bytes (lib/serve.c, which decides about the transmit
 * timestamp and the origin before the shell encodes).
 */
void		 pkt_answer(struct pkt *a, const struct srv_state *,
		    const struct pkt *q, uint64_t rx_ts, uint32_t kod);
/* Write a transmit timestamp into an answer built by pkt_respond. */
#define PKT_TX_OFFSET		40
void		 pkt_set_tx(uint8_t *answer, uint64_t tx_ts);
/* A timestamp of a packet of at least PKT_HDR_LEN bytes, at an offset. */
#define PKT_ORG_OFFSET		24
#define PKT_RX_OFFSET		32
uint64_t	 pkt_get_ts(const uint8_t *pkt, size_t off);

#endif
