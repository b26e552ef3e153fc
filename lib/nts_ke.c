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
 * NTS-KE records (RFC 8915 4): the client's request, the server's
 * answer, a strict parser for each, stream framing and the TLS exporter
 * context.  Pure: no I/O, no allocation.
 */

#include <string.h>

#include "nts.h"

#define REC_HDR		4
#define TYPE_MASK	0x7fff

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Which records have been seen, to refuse repeats. */
#define SEEN(t)		(1U << (t))

struct parse {
	struct nts_ke_msg	*msg;
	int			 response;	/* direction */
	unsigned int		 seen;
};

static void
msg_init(struct nts_ke_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->error = -1;
	m->warning = -1;
	m->port = -1;
}

static enum nts_ke_reason
rec_next_proto(struct parse *ps, const uint8_t *b, size_t len)
{
	size_t	 i;

	/* a request offers at least one; an answer may agree to none */
	if (len % 2 != 0 || (len == 0 && !ps->response))
		return NTS_KE_BAD;
	ps->msg->n_proto = (int)(len / 2);
	for (i = 0; i < len; i += 2) {
		if (get16(b + i) == NTS_PROTO_NTPV4)
			ps->msg->ntpv4 = 1;
		else if (ps->response)
			return NTS_KE_BAD;	/* we offered NTPv4 alone */
	}
	return NTS_KE_OK;
}

static enum nts_ke_reason
rec_aead(struct parse *ps, const uint8_t *b, size_t len)
{
	size_t	 i;

	if (len % 2 != 0 || (len == 0 && !ps->response))
		return NTS_KE_BAD;
	ps->msg->n_aead = (int)(len / 2);
	if (ps->response) {
		/* the server picks one of ours, or none */
		if (len > 2)
			return NTS_KE_BAD;
		if (len == 2 && get16(b) != NTS_AEAD_AES_SIV_CMAC_256)
			return NTS_KE_BAD;
		ps->msg->aead = len == 2 ? NTS_AEAD_AES_SIV_CMAC_256 : 0;
		return NTS_KE_OK;
	}
	for (i = 0; i < len && ps->msg->aead == 0; i += 2)
		if (nts_aead_key_len(get16(b + i)) != 0)
			ps->msg->aead = get16(b + i);
	return NTS_KE_OK;
}

static enum nts_ke_reason
rec_cookie(struct parse *ps, const uint8_t *b, size_t len)
{
	struct nts_ke_msg	*m = ps->msg;

	if (!ps->response || len == 0 || len > NTS_COOKIE_MAX)
		return NTS_KE_BAD;
	if (m->n_cookies == NTS_MAX_COOKIES)
		return NTS_KE_OK;	/* more than we keep: skipped */
	memcpy(m->cookie[m->n_cookies], b, len);
	m->cookie_len[m->n_cookies++] = (uint16_t)len;
	return NTS_KE_OK;
}

/* An IPv4 or IPv6 address or a host name: printable ASCII, no space. */
static enum nts_ke_reason
rec_server(struct parse *ps, const uint8_t *b, size_t len)
{
	size_t	 i;

	if (len == 0 || len > NTS_KE_MAX_SERVER)
		return NTS_KE_BAD;
	for (i = 0; i < len; i++)
		if (b[i] <= 0x20 || b[i] >= 0x7f)
			return NTS_KE_BAD;
	memcpy(ps->msg->server, b, len);
	ps->msg->server[len] = '\0';
	return NTS_KE_OK;
}

/* One record of a known type; the length is inside NTS_KE_MAX_BODY. */
static enum nts_ke_reason
record(struct parse *ps, uint16_t type, const uint8_t *b, size_t len)
{
	switch (type) {
	case NTS_KE_NEXT_PROTO:
		return rec_next_proto(ps, b, len);
	case NTS_KE_ERROR:
	case NTS_KE_WARNING:
		/* only servers send them */
		if (!ps->response || len != 2)
			return NTS_KE_BAD;
		if (type == NTS_KE_ERROR)
			ps->msg->error = get16(b);
		else
			ps->msg->warning = get16(b);
		return NTS_KE_OK;
	case NTS_KE_AEAD:
		return rec_aead(ps, b, len);
	case NTS_KE_COOKIE:
		return rec_cookie(ps, b, len);
	case NTS_KE_SERVER:
		return rec_server(ps, b, len);
	case NTS_KE_PORT:
		if (len != 2)
			return NTS_KE_BAD;
		ps->msg->port = get16(b);
		return NTS_KE_OK;
	}
	return NTS_KE_BAD;
}

/*
 * Walk the records up to End of Message, which must end the buffer.
 * The critical bit is not required of the records that RFC 8915 says
 * are sent critical: a receiver that knows the type has nothing to gain
 * from refusing it.  Repeated records: only New Cookie may repeat (and
 * Warning, of which an answer is refused anyway).
 */
static enum nts_ke_reason
walk(struct parse *ps, const uint8_t *buf, size_t len)
{
	enum nts_ke_reason	 r;
	size_t			 off = 0, blen;
	uint16_t		 type;
	int			 critical;

	if (len > NTS_KE_MAX_MSG)
		return NTS_KE_TOO_LONG;
	while (off < len) {
		if (len - off < REC_HDR)
			return NTS_KE_TRUNCATED;
		critical = (get16(buf + off) & NTS_KE_CRITICAL) != 0;
		type = get16(buf + off) & TYPE_MASK;
		blen = get16(buf + off + 2);
		off += REC_HDR;
		if (blen > len - off)
			return NTS_KE_TRUNCATED;
		if (type == NTS_KE_END) {
			if (blen != 0 || off != len)
				return NTS_KE_BAD;
			return NTS_KE_OK;
		}
		if (type > NTS_KE_PORT) {
			if (critical)
				return NTS_KE_CRITICAL_UNKNOWN;
			off += blen;
			continue;
		}
		if (blen > NTS_KE_MAX_BODY)
			return NTS_KE_TOO_LONG;
		if ((ps->seen & SEEN(type)) && type != NTS_KE_COOKIE &&
		    type != NTS_KE_WARNING)
			return NTS_KE_DUPLICATE;
		ps->seen |= SEEN(type);
		if ((r = record(ps, type, buf + off, blen)) != NTS_KE_OK)
			return r;
		off += blen;
	}
	return NTS_KE_NO_END;
}

enum nts_ke_reason
nts_ke_parse_request(const uint8_t *buf, size_t len, struct nts_ke_msg *m)
{
	struct parse		 ps = { m, 0, 0 };
	enum nts_ke_reason	 r;

	msg_init(m);
	if ((r = walk(&ps, buf, len)) != NTS_KE_OK)
		return r;
	if (!(ps.seen & SEEN(NTS_KE_NEXT_PROTO)))
		return NTS_KE_BAD;
	/* RFC 8915 4.1.5: AEAD negotiation is required with NTPv4 */
	if (m->ntpv4 && !(ps.seen & SEEN(NTS_KE_AEAD)))
		return NTS_KE_BAD;
	return NTS_KE_OK;
}

enum nts_ke_reason
nts_ke_parse_response(const uint8_t *buf, size_t len, struct nts_ke_msg *m)
{
	struct parse		 ps = { m, 1, 0 };
	enum nts_ke_reason	 r;

	msg_init(m);
	if ((r = walk(&ps, buf, len)) != NTS_KE_OK)
		return r;
	if (m->error != -1)
		return NTS_KE_SERVER_ERROR;
	if (m->warning != -1)
		return NTS_KE_SERVER_WARNING;	/* none is defined */
	if (!(ps.seen & SEEN(NTS_KE_NEXT_PROTO)))
		return NTS_KE_BAD;
	if (!m->ntpv4)
		return NTS_KE_NO_NTPV4;
	if (m->aead == 0)
		return NTS_KE_NO_AEAD;
	if (m->n_cookies == 0)
		return NTS_KE_NO_COOKIES;
	return NTS_KE_OK;
}

int
nts_ke_error_code(enum nts_ke_reason r)
{
	return r == NTS_KE_CRITICAL_UNKNOWN ? NTS_KE_ERR_UNRECOGNIZED :
	    NTS_KE_ERR_BAD_REQUEST;
}

const char *
nts_ke_reason_str(enum nts_ke_reason r)
{
	static const char	*str[NTS_KE_NREASONS] = {
		"ok", "truncated record", "no end of message",
		"message or record too long",
		"unrecognised critical record", "malformed record",
		"repeated record", "server sent an error",
		"server sent a warning", "NTPv4 not agreed",
		"no AEAD algorithm agreed", "no cookie"
	};

	return (unsigned int)r < NTS_KE_NREASONS ? str[r] : "?";
}

int
nts_ke_scan(const uint8_t *buf, size_t len, size_t *msglen)
{
	size_t	 off = 0, blen;

	while (len - off >= REC_HDR) {
		blen = get16(buf + off + 2);
		if ((get16(buf + off) & TYPE_MASK) == NTS_KE_END) {
			/* a body on End is the parser's to refuse */
			if (off + REC_HDR + blen > NTS_KE_MAX_MSG)
				return -1;
			if (blen > len - off - REC_HDR)
				return 0;
			*msglen = off + REC_HDR + blen;
			return 1;
		}
		off += REC_HDR + blen;
		if (off > NTS_KE_MAX_MSG)
			return -1;
		if (off > len)
			return 0;
	}
	return len >= NTS_KE_MAX_MSG ? -1 : 0;
}

/* Append one record; 0 if it does not fit. */
static int
put_rec(uint8_t *out, size_t outsize, size_t *off, uint16_t type,
    const void *body, size_t len)
{
	if (len > 0xffff || outsize < *off || outsize - *off < REC_HDR + len)
		return 0;
	put16(out + *off, type);
	put16(out + *off + 2, (uint16_t)len);
	if (len > 0)
		memcpy(out + *off + REC_HDR, body, len);
	*off += REC_HDR + len;
	return 1;
}

static int
put_u16_rec(uint8_t *out, size_t outsize, size_t *off, uint16_t type,
    int v)
{
	uint8_t	 b[2];

	put16(b, (uint16_t)v);
	return put_rec(out, outsize, off, type, b, v < 0 ? 0 : 2);
}

static int
put_negotiation(uint8_t *out, size_t outsize, size_t *off,
    const char *server, int port)
{
	size_t	 n;

	if (server != NULL) {
		n = strlen(server);
		if (n == 0 || n > NTS_KE_MAX_SERVER ||
		    !put_rec(out, outsize, off, NTS_KE_SERVER, server, n))
			return 0;
	}
	if (port > 0xffff)
		return 0;
	if (port >= 0 &&
	    !put_u16_rec(out, outsize, off, NTS_KE_PORT, port))
		return 0;
	return 1;
}

size_t
nts_ke_request(uint8_t *out, size_t outsize, const char *server, int port)
{
	size_t	 off = 0;

	if (!put_u16_rec(out, outsize, &off,
	    NTS_KE_CRITICAL | NTS_KE_NEXT_PROTO, NTS_PROTO_NTPV4) ||
	    !put_u16_rec(out, outsize, &off, NTS_KE_CRITICAL | NTS_KE_AEAD,
	    NTS_AEAD_AES_SIV_CMAC_256) ||
	    !put_negotiation(out, outsize, &off, server, port) ||
	    !put_rec(out, outsize, &off, NTS_KE_CRITICAL | NTS_KE_END, NULL,
	    0))
		return 0;
	return off;
}

size_t
nts_ke_response(const struct nts_ke_reply *rp, uint8_t *out, size_t outsize)
{
	size_t	 off = 0;
	int	 i;

	if (rp->error >= 0) {
		if (rp->error > 0xffff || !put_u16_rec(out, outsize, &off,
		    NTS_KE_CRITICAL | NTS_KE_ERROR, rp->error))
			return 0;
		goto end;
	}
	if (!put_u16_rec(out, outsize, &off,
	    NTS_KE_CRITICAL | NTS_KE_NEXT_PROTO,
	    rp->ntpv4 ? NTS_PROTO_NTPV4 : -1))
		return 0;
	if (!rp->ntpv4)
		goto end;
	if (!put_u16_rec(out, outsize, &off, NTS_KE_CRITICAL | NTS_KE_AEAD,
	    rp->aead != 0 ? rp->aead : -1))
		return 0;
	if (rp->aead != 0) {
		if (rp->n_cookies < 0 || rp->n_cookies > NTS_MAX_COOKIES)
			return 0;
		for (i = 0; i < rp->n_cookies; i++)
			if (rp->cookie_len[i] == 0 ||
			    rp->cookie_len[i] > NTS_COOKIE_MAX ||
			    !put_rec(out, outsize, &off, NTS_KE_COOKIE,
			    rp->cookie[i], rp->cookie_len[i]))
				return 0;
		if (!put_negotiation(out, outsize, &off, rp->server,
		    rp->port))
			return 0;
	}
 end:
	if (!put_rec(out, outsize, &off, NTS_KE_CRITICAL | NTS_KE_END, NULL,
	    0))
		return 0;
	return off;
}

void
nts_ke_exporter_context(uint16_t aead, int s2c,
    uint8_t ctx[NTS_KE_CONTEXT_LEN])
{
	put16(ctx, NTS_PROTO_NTPV4);
	put16(ctx + 2, aead);
	ctx[4] = s2c ? 0x01 : 0x00;
}

size_t
nts_aead_key_len(uint16_t aead)
{
	return aead == NTS_AEAD_AES_SIV_CMAC_256 ? NTS_KEY_LEN : 0;
}
