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

/* The NTP server's decisions (serve.h); the shell is daemon/server.c. */

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "clog.h"
#include "pkt.h"
#include "serve.h"
#include "tsm.h"

/* The sender's port; by hand, as ntohs() may be a call. */
static unsigned int
src_port(const struct sockaddr *from)
{
	const struct sockaddr_in	*sin = (const void *)from;
	const struct sockaddr_in6	*sin6 = (const void *)from;
	const uint8_t			*p;

	p = from->sa_family == AF_INET6 ? (const uint8_t *)&sin6->sin6_port :
	    (const uint8_t *)&sin->sin_port;
	return (unsigned int)p[0] << 8 | p[1];
}

/* Decode and judge; PKT_OK if a client's request that gets an answer. */
static enum pkt_reason
judge(const struct serve *s, const struct serve_req *rq, struct pkt *q,
    uint32_t *key)
{
	enum pkt_reason	 why;

	why = pkt_check_request(q, rq->pkt, rq->len);
	/* a MAC: answered if its key is ours and it is right (RFC 5905) */
	if (why == PKT_ERR_MAC && s->mac_check != NULL &&
	    (*key = s->mac_check(s->mac_arg, rq->pkt, rq->len, q->mac_len,
	    q->version)) != 0)
		why = pkt_check_mode(q);
	/*
	 * NTPv1 without a mode from port 123 is a symmetric peer's, not a
	 * client's: chrony answers mode 0 only from other ports.
	 */
	if (why == PKT_OK && q->mode == PKT_MODE_RESERVED &&
	    src_port(rq->from) == 123)
		why = PKT_ERR_MODE;
	return why;
}

/*
 * An answer to a request with an origin: its receive timestamp made
 * unique, kept for the transmit time the shell will ask the kernel for;
 * interleaved if the origin is the receive timestamp of an answer before
 * whose transmit time is known and the request's receive and transmit
 * fields differ (chrony's check that the client is interleaving).
 */
static void
interleave(struct serve *s, const struct pkt *q, struct serve_answer *ans)
{
	uint64_t	 tx_ts;

	if (ans->pkt.rx_ts <= s->last_rx_ts)
		ans->pkt.rx_ts = s->last_rx_ts + 1;
	if (tsm_get_tx(s->tsm, q->org_ts, &tx_ts) == 0 &&
	    q->rx_ts != q->tx_ts) {
		ans->pkt.org_ts = q->rx_ts;
		ans->pkt.tx_ts = tx_ts;
		ans->flags |= SERVE_ANS_XLEAVE;
	}
	tsm_save(s->tsm, ans->pkt.rx_ts);
	s->last_rx_ts = ans->pkt.rx_ts;
	ans->flags |= SERVE_ANS_STAMP;
}

enum serve_verdict
serve_request(struct serve *s, const struct serve_req *rq,
    struct serve_answer *ans)
{
	struct pkt		 q;
	enum clog_verdict	 v;
	uint32_t		 kod = 0;
	int			 nts_only, exp1;

	ans->key = 0;
	ans->flags = 0;
	ans->why = PKT_OK;
	if (rq->flags & SERVE_RQ_TRUNC) {
		ans->why = PKT_ERR_LENGTH;
		return SERVE_MALFORMED;
	}
	if (!acl_allowed(s->acl, rq->from) || (rq->flags & SERVE_RQ_BLOCKED))
		return SERVE_DENIED;
	/* ntsonly: an answer only if NTS makes it (authenticated, or NAK) */
	nts_only = s->ntsonly != NULL && acl_allowed(s->ntsonly, rq->from);
	if (nts_only && (rq->len <= PKT_HDR_LEN || !s->nts))
		return SERVE_NTSONLY;
	/* Only client requests enter the client log, as in chrony. */
	if ((ans->why = judge(s, rq, &q, &ans->key)) != PKT_OK)
		return SERVE_MALFORMED;
	exp1 = rq->len > PKT_HDR_LEN && ans->key == 0 && q.n_ef == 1 &&
	    q.mac_len == 0 && pkt_exp1_get(&q, rq->pkt, rq->len, NULL) == 0;
	/* a peer unknown to us: a plain answer, or none (no NTS for peers) */
	if (q.mode == PKT_MODE_SYMACT && rq->len > PKT_HDR_LEN &&
	    ans->key == 0 && !exp1) {
		ans->why = PKT_ERR_MODE;
		return SERVE_MALFORMED;
	}
	/* each request at its own arrival, not at its batch's */
	v = clog_request(s->clog, rq->from, rq->rx_ns, rq->rnd);
	if (v == CLOG_DROP)
		return SERVE_RATE;
	if (v == CLOG_KOD)
		kod = PKT_KOD_RATE;
	pkt_answer(&ans->pkt, &s->st, &q, pkt_ts_from_ns(rq->rx_ns), kod);
	/*
	 * Extension fields go to NTS, if this server serves it: a MAC'd
	 * request's are not NTS's, nor chrony's experimental field alone.
	 * An ntsonly client's answer must be NTS.
	 */
	if (exp1)
		ans->flags |= SERVE_ANS_EXP1;
	else if (rq->len > PKT_HDR_LEN && ans->key == 0 && s->nts)
		ans->flags |= SERVE_ANS_NTS;
	if (nts_only)
		ans->flags |= SERVE_ANS_NTSONLY;
	/*
	 * A request with an origin may come from an interleaving client (a
	 * basic one sends zeros).  Authenticated answers are basic: they
	 * are sealed, transmit time included, before they are sent.
	 */
	if (kod == 0 && !(ans->flags & SERVE_ANS_NTS) && ans->key == 0 &&
	    q.org_ts != 0 && q.mode != PKT_MODE_SYMACT && !s->basic_only)
		interleave(s, &q, ans);
	return kod != 0 ? SERVE_KOD : SERVE_ANSWER;
}
