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
 * The NTP server's decisions: whether a request gets an answer, and
 * which.  Pure: a request's bytes, its sender, its arrival time and a
 * random number in, with the server's state; a verdict and the answer's
 * header fields out.  The shell (daemon/server.c) reads and sends, writes
 * the transmit timestamp as late as it can, and seals what the verdict
 * says to seal (NTS, a MAC): it carries out what was decided here.
 *
 * The rules, in the order they are applied (chrony's, unless noted):
 *	a request cut short by its buffer is malformed (bad length);
 *	a sender that allow/deny does not admit, or that the monitor cut
 *	off, is denied;
 *	a sender in ntsonly (timed's own) is refused a request without
 *	extension fields, and any request if this server serves no NTS;
 *	the request is decoded and judged (pkt_check_request()): malformed,
 *	or of a mode not answered, it is dropped; with a MAC it is answered
 *	only if the shell's MAC check knows the key and finds it right;
 *	NTPv1's mode 0 from port 123 is a symmetric peer's: not answered;
 *	then, and only then, the client log and its rate limiter count it:
 *	dropped, or answered with a RATE kiss-o'-death (leak), or answered;
 *	a request with an origin, without a MAC or NTS and not a kiss, may
 *	be an interleaving client's: its answer gets a receive timestamp
 *	unique to it, the shell asks the kernel for the answer's transmit
 *	time, and if the origin is the receive timestamp of an answer
 *	before whose transmit time is known (and the request's receive and
 *	transmit fields differ), the answer is interleaved.
 */

#ifndef TIMED_SERVE_H
#define TIMED_SERVE_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

struct acl;
struct clog;
struct tsm;

/*
 * The MAC check: the key id of the MAC (mac_len bytes, key id and
 * digest) that ends req[0..len), if it authenticates the rest with a key
 * the server has; 0 if not (ntpkeys_verify(), in libtimedcrypto).
 */
typedef uint32_t	 serve_mac_fn(void *arg, const uint8_t *req,
			    size_t len, size_t mac_len, int version);

/*
 * The server's state, which the shell owns and keeps current; the core
 * reads it, and writes clog, tsm and last_rx_ts.
 */
struct serve {
	struct srv_state	 st;		/* what answers say about us */
	const struct acl	*acl;		/* who is served */
	const struct acl	*ntsonly;	/* NTS only; NULL: nobody */
	struct clog		*clog;		/* client log, rate limiter */
	struct tsm		*tsm;		/* answers' transmit times */
	int			 nts;		/* this server serves NTS */
	serve_mac_fn		*mac_check;	/* NULL: no keys */
	void			*mac_arg;
	uint64_t		 last_rx_ts;	/* the newest saved in tsm */
	int			 basic_only;	/* noclientlog: basic answers, */
						/* as chronyd's */
};

/*
 * A datagram read; rx_ns is its arrival on the clock that is served (the
 * kernel's receive timestamp, or the batch's time without one).
 */
struct serve_req {
	const uint8_t		*pkt;
	size_t			 len;
	const struct sockaddr	*from;		/* AF_INET or AF_INET6 */
	int64_t			 rx_ns;		/* arrival, Unix ns */
	uint32_t		 rnd;		/* random: the limiter's leak */
	int			 flags;		/* SERVE_RQ_* */
};
#define SERVE_RQ_TRUNC		0x01	/* longer than its buffer: cut */
#define SERVE_RQ_BLOCKED	0x02	/* sender cut off by the monitor */

enum serve_verdict {
	SERVE_ANSWER = 0,	/* answer with ans->pkt */
	SERVE_KOD,		/* answer with ans->pkt, a RATE kiss */
	SERVE_DENIED,		/* allow/deny, or cut off */
	SERVE_NTSONLY,		/* an ntsonly client without NTS */
	SERVE_MALFORMED,	/* or not answered: ans->why says why */
	SERVE_RATE		/* rate limited, dropped */
};

/*
 * What the shell does with an answer (ans->flags):
 * SERVE_ANS_NTS: the request has extension fields and this server serves
 *	NTS: the NTS step (ntssrv_respond()) builds the answer from the
 *	encoded header, authenticated or a NAK, or leaves it plain.
 * SERVE_ANS_NTSONLY: sent only if that step authenticated it (or NAKed).
 * SERVE_ANS_STAMP: ask the kernel for the answer's transmit time and keep
 *	it under the answer's receive timestamp (tsm_set_tx()).
 * SERVE_ANS_XLEAVE: interleaved: ans->pkt.tx_ts is set; keep it.
 * SERVE_ANS_EXP1: the request's only extension field is chrony's
 *	experimental one (pkt.h): the answer carries one too, filled in by
 *	the shell (no longer than the request).
 * Otherwise the transmit timestamp is 0, for the shell to write last.
 * ans->key != 0: the request's MAC was good; sign the answer with that key
 * in the request's version (ntpkeys_sign()), its transmit time set first.
 */
#define SERVE_ANS_NTS		0x01
#define SERVE_ANS_NTSONLY	0x02
#define SERVE_ANS_STAMP		0x04
#define SERVE_ANS_XLEAVE	0x08
#define SERVE_ANS_EXP1		0x10

struct serve_answer {
	struct pkt	 pkt;		/* the header, for pkt_encode() */
	enum pkt_reason	 why;		/* SERVE_MALFORMED: why */
	uint32_t	 key;		/* MAC key id, 0: none */
	int		 flags;		/* SERVE_ANS_* */
};

/*
 * Decide about request rq: a verdict, and with SERVE_ANSWER or SERVE_KOD
 * the answer in ans (PKT_HDR_LEN bytes once encoded, never more than the
 * request).  Records the request in s->clog if it is judged a client's,
 * and an answer that may be interleaved later in s->tsm.
 */
enum serve_verdict serve_request(struct serve *s, const struct serve_req *rq,
		    struct serve_answer *ans);

#endif
