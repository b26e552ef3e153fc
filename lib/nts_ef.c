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
 * NTS extension fields in NTP packets (RFC 8915 5, RFC 7822): the
 * client's request and the check of its answer, the server's check of a
 * request, its answer and its NAK.  Pure: no I/O, no allocation; random
 * bytes come from the caller.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "nts.h"
#include "pkt.h"
#include "siv.h"

#define EF_HDR		4
#define EF_MIN		16	/* RFC 7822 3 */
#define AUTH_HDR	4	/* nonce length, ciphertext length */
#define MIN_NONCE_PAD	16	/* RFC 8915 5.6: nonce + padding */
#define PAD4(n)		(((n) + 3) & ~(size_t)3)
#define COOKIE_EF	(EF_HDR + NTS_COOKIE_LEN)
#define OFF_STRATUM	1
#define OFF_REFID	12

_Static_assert(NTS_COOKIE_LEN % 4 == 0, "cookie fields need no padding");

struct ef {
	uint16_t	 type;
	size_t		 off;		/* of the field's header */
	const uint8_t	*body;
	size_t		 len;		/* body, padding included */
};

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

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * The next field of buf[*off..len): 1 with *ef set, 0 at the end, -1 if
 * malformed (shorter than min, not a multiple of 4, past the end).
 */
static int
ef_next(const uint8_t *buf, size_t len, size_t *off, struct ef *ef,
    size_t min)
{
	size_t	 eflen;

	if (*off == len)
		return 0;
	if (len - *off < EF_HDR)
		return -1;
	eflen = get16(buf + *off + 2);
	if (eflen < min || eflen % 4 != 0 || eflen > len - *off)
		return -1;
	ef->type = get16(buf + *off);
	ef->off = *off;
	ef->body = buf + *off + EF_HDR;
	ef->len = eflen - EF_HDR;
	*off += eflen;
	return 1;
}

/* A packet that may carry NTS fields: NTPv4, whole words, not too long. */
static int
pkt_ok(const uint8_t *pkt, size_t len)
{
	return len >= PKT_HDR_LEN && len <= PKT_MAX_LEN && len % 4 == 0 &&
	    (pkt[0] >> 3 & 7) == 4;
}

/*
 * The authenticator's body (RFC 8915 5.6): nonce and ciphertext lengths,
 * each part padded to a word, then at least enough padding to make the
 * nonce and it 16 bytes.
 */
static int
parse_auth(const struct ef *ef, const uint8_t **nonce, size_t *nlen,
    const uint8_t **ct, size_t *ctlen)
{
	size_t	 n, c;

	if (ef->len < AUTH_HDR)
		return -1;
	n = get16(ef->body);
	c = get16(ef->body + 2);
	if (n == 0 || c < SIV_TAG_LEN)
		return -1;
	if (PAD4(n) + PAD4(c) > ef->len - AUTH_HDR)
		return -1;
	if (ef->len - AUTH_HDR - PAD4(c) < MIN_NONCE_PAD)
		return -1;
	*nonce = ef->body + AUTH_HDR;
	*nlen = n;
	*ct = ef->body + AUTH_HDR + PAD4(n);
	*ctlen = c;
	return 0;
}

const char *
nts_result_str(enum nts_result r)
{
	static const char	*str[NTS_NRESULTS] = {
		"ok", "malformed NTS fields", "cookie does not open",
		"authenticator does not verify", "unique identifier not ours",
		"NTS NAK", "internal error"
	};

	return (unsigned int)r < NTS_NRESULTS ? str[r] : "?";
}

/* --- server ----------------------------------------------------------- */

static int
req_field(struct nts_req *rq, const struct ef *ef, size_t *ph_len)
{
	switch (ef->type) {
	case NTS_EF_UID:
		if (rq->uid != NULL || ef->len < NTS_UID_LEN)
			return -1;
		rq->uid = ef->body;
		rq->uid_len = ef->len;
		return 0;
	case NTS_EF_COOKIE:
		if (rq->cookie != NULL)
			return -1;
		rq->cookie = ef->body;
		rq->cookie_len = ef->len;
		return 0;
	case NTS_EF_PLACEHOLDER:
		/* all as long as the cookie: checked once it is known */
		if (rq->n_placeholders > 0 && ef->len != *ph_len)
			return -1;
		*ph_len = ef->len;
		rq->n_placeholders++;
		return 0;
	}
	return 0;	/* unknown fields are skipped (and authenticated) */
}

enum nts_result
nts_request_parse(const uint8_t *pkt, size_t len, struct nts_req *rq)
{
	struct ef	 ef;
	size_t		 off = PKT_HDR_LEN, ph_len = 0;
	int		 r;

	memset(rq, 0, sizeof(*rq));
	if (!pkt_ok(pkt, len))
		return NTS_ERR_MALFORMED;
	while ((r = ef_next(pkt, len, &off, &ef, EF_MIN)) == 1) {
		if (ef.type == NTS_EF_AUTH) {
			/* last: what follows would not be authenticated */
			if (off != len || parse_auth(&ef, &rq->nonce,
			    &rq->nonce_len, &rq->ct, &rq->ct_len) == -1)
				return NTS_ERR_MALFORMED;
			rq->auth_off = ef.off;
			break;
		}
		if (req_field(rq, &ef, &ph_len) == -1)
			return NTS_ERR_MALFORMED;
	}
	if (r == -1 || rq->uid == NULL || rq->cookie == NULL ||
	    rq->auth_off == 0 ||
	    (rq->n_placeholders > 0 && ph_len != rq->cookie_len))
		return NTS_ERR_MALFORMED;
	return NTS_OK;
}

enum nts_result
nts_server_check(struct nts_keyring *ring, struct siv *scratch,
    const uint8_t *pkt, size_t len, struct nts_req *rq, struct nts_keys *k)
{
	uint8_t		 pt[PKT_MAX_LEN];
	enum nts_result	 r;

	memset(k, 0, sizeof(*k));
	if ((r = nts_request_parse(pkt, len, rq)) != NTS_OK)
		return r;
	if (nts_cookie_open(ring, rq->cookie, rq->cookie_len, k) == -1)
		return NTS_ERR_COOKIE;
	if (siv_setkey(scratch, k->c2s, sizeof(k->c2s)) == -1) {
		nts_keys_clear(k);
		return NTS_ERR_INTERNAL;
	}
	/* encrypted fields a client may add are authenticated, not used */
	if (siv_open(scratch, rq->nonce, rq->nonce_len, pkt, rq->auth_off,
	    rq->ct, rq->ct_len, pt) == -1) {
		nts_keys_clear(k);
		return NTS_ERR_AUTH;
	}
	OPENSSL_cleanse(pt, rq->ct_len - SIV_TAG_LEN);
	return NTS_OK;
}

static size_t
put_ef(uint8_t *p, uint16_t type, const uint8_t *body, size_t len)
{
	put16(p, type);
	put16(p + 2, (uint16_t)(EF_HDR + len));
	if (body != NULL)
		memcpy(p + EF_HDR, body, len);
	else
		memset(p + EF_HDR, 0, len);
	return EF_HDR + len;
}

/* The authenticator field for n cookies. */
static size_t
auth_len(int n)
{
	return EF_HDR + AUTH_HDR + NTS_NONCE_LEN + SIV_TAG_LEN +
	    (size_t)n * COOKIE_EF;
}

/* New cookies as fields, one nonce each from rnd. */
static int
new_cookies(struct nts_keyring *ring, const struct nts_keys *k, int n,
    const uint8_t *rnd, uint8_t *pt)
{
	int	 i;

	for (i = 0; i < n; i++) {
		put16(pt, NTS_EF_COOKIE);
		put16(pt + 2, COOKIE_EF);
		if (nts_cookie_seal(ring, k, rnd + i * NTS_NONCE_LEN,
		    pt + EF_HDR) == -1)
			return -1;
		pt += COOKIE_EF;
	}
	return 0;
}

size_t
nts_server_respond(struct nts_keyring *ring, struct siv *scratch,
    const struct nts_req *rq, const struct nts_keys *k, const uint8_t *rnd,
    size_t rndlen, uint8_t *out, size_t outsize, size_t reqlen)
{
	uint8_t	 pt[NTS_MAX_COOKIES * COOKIE_EF];
	size_t	 off, ptlen, total;
	int	 n, rc;

	if (rndlen != NTS_RESPOND_RND_LEN || rq->uid == NULL ||
	    rq->n_placeholders < 0)
		return 0;
	n = rq->n_placeholders < NTS_MAX_COOKIES ? 1 + rq->n_placeholders :
	    NTS_MAX_COOKIES;
	/* never longer than the request (RFC 8915 5.7): fewer cookies */
	while (n > 0 && PKT_HDR_LEN + EF_HDR + rq->uid_len + auth_len(n) >
	    reqlen)
		n--;
	total = PKT_HDR_LEN + EF_HDR + rq->uid_len + auth_len(n);
	if (total > reqlen || total > outsize || total > PKT_MAX_LEN)
		return 0;

	off = PKT_HDR_LEN + put_ef(out + PKT_HDR_LEN, NTS_EF_UID, rq->uid,
	    rq->uid_len);
	ptlen = (size_t)n * COOKIE_EF;
	put16(out + off, NTS_EF_AUTH);
	put16(out + off + 2, (uint16_t)auth_len(n));
	put16(out + off + 4, NTS_NONCE_LEN);
	put16(out + off + 6, (uint16_t)(SIV_TAG_LEN + ptlen));
	memcpy(out + off + 8, rnd, NTS_NONCE_LEN);
	rc = new_cookies(ring, k, n, rnd + NTS_NONCE_LEN, pt);
	if (rc == 0)
		rc = siv_setkey(scratch, k->s2c, sizeof(k->s2c));
	if (rc == 0)
		rc = siv_seal(scratch, rnd, NTS_NONCE_LEN, out, off, pt,
		    ptlen, out + off + 8 + NTS_NONCE_LEN);
	OPENSSL_cleanse(pt, sizeof(pt));
	return rc == 0 ? total : 0;
}

size_t
nts_server_nak(const struct nts_req *rq, uint8_t *out, size_t outsize,
    size_t reqlen)
{
	size_t	 total;

	if (rq->uid == NULL)
		return 0;
	total = PKT_HDR_LEN + EF_HDR + rq->uid_len;
	if (total > reqlen || total > outsize)
		return 0;
	return PKT_HDR_LEN + put_ef(out + PKT_HDR_LEN, NTS_EF_UID, rq->uid,
	    rq->uid_len);
}

/* --- client ----------------------------------------------------------- */

size_t
nts_client_request(struct siv *c2s, uint8_t *pkt, size_t pktsize,
    const uint8_t uid[NTS_UID_LEN], const uint8_t *cookie, size_t cookie_len,
    int n_placeholders, const uint8_t nonce[NTS_NONCE_LEN])
{
	size_t	 cef, total, off;
	int	 i;

	/* a cookie field is at least EF_MIN long: 12-byte cookies or more */
	if (cookie_len < EF_MIN - EF_HDR || cookie_len > NTS_COOKIE_MAX ||
	    n_placeholders < 0 || n_placeholders >= NTS_MAX_COOKIES)
		return 0;
	cef = EF_HDR + PAD4(cookie_len);
	total = PKT_HDR_LEN + EF_HDR + NTS_UID_LEN +
	    cef * (size_t)(1 + n_placeholders) + auth_len(0);
	if (total > pktsize || total > PKT_MAX_LEN)
		return 0;

	off = PKT_HDR_LEN + put_ef(pkt + PKT_HDR_LEN, NTS_EF_UID, uid,
	    NTS_UID_LEN);
	off += put_ef(pkt + off, NTS_EF_COOKIE, NULL, PAD4(cookie_len));
	memcpy(pkt + off - PAD4(cookie_len), cookie, cookie_len);
	for (i = 0; i < n_placeholders; i++)
		off += put_ef(pkt + off, NTS_EF_PLACEHOLDER, NULL,
		    PAD4(cookie_len));
	put16(pkt + off, NTS_EF_AUTH);
	put16(pkt + off + 2, (uint16_t)auth_len(0));
	put16(pkt + off + 4, NTS_NONCE_LEN);
	put16(pkt + off + 6, SIV_TAG_LEN);
	memcpy(pkt + off + 8, nonce, NTS_NONCE_LEN);
	if (siv_seal(c2s, nonce, NTS_NONCE_LEN, pkt, off, NULL, 0,
	    pkt + off + 8 + NTS_NONCE_LEN) == -1)
		return 0;
	return total;
}

static int
uid_is(const struct ef *ef, const uint8_t uid[NTS_UID_LEN])
{
	return ef->len == NTS_UID_LEN &&
	    CRYPTO_memcmp(ef->body, uid, NTS_UID_LEN) == 0;
}

/* A kiss NTSN: our UID and no authenticator, or it is not a NAK. */
static enum nts_result
check_nak(const uint8_t *pkt, size_t len, const uint8_t uid[NTS_UID_LEN])
{
	struct ef	 ef;
	size_t		 off = PKT_HDR_LEN;
	int		 r, ours = 0, uids = 0;

	while ((r = ef_next(pkt, len, &off, &ef, EF_MIN)) == 1) {
		if (ef.type == NTS_EF_AUTH)
			return NTS_ERR_MALFORMED;
		if (ef.type == NTS_EF_UID) {
			uids++;
			ours = uid_is(&ef, uid);
		}
	}
	if (r == -1 || uids > 1)
		return NTS_ERR_MALFORMED;
	return ours ? NTS_NAK : NTS_ERR_UID;
}

/* The cookies among the decrypted fields. */
static enum nts_result
take_cookies(const uint8_t *pt, size_t len, struct nts_cookies *out)
{
	struct ef	 ef;
	size_t		 off = 0;
	int		 r;

	while ((r = ef_next(pt, len, &off, &ef, EF_HDR)) == 1) {
		if (ef.type != NTS_EF_COOKIE)
			continue;
		if (ef.len == 0 || ef.len > NTS_COOKIE_MAX)
			return NTS_ERR_MALFORMED;
		if (out->n == NTS_MAX_COOKIES)
			continue;
		memcpy(out->cookie[out->n], ef.body, ef.len);
		out->len[out->n++] = (uint16_t)ef.len;
	}
	return r == -1 ? NTS_ERR_MALFORMED : NTS_OK;
}

enum nts_result
nts_client_check(struct siv *s2c, const uint8_t *pkt, size_t len,
    const uint8_t uid[NTS_UID_LEN], struct nts_cookies *out)
{
	uint8_t		 pt[PKT_MAX_LEN];
	const uint8_t	*nonce = NULL, *ct = NULL;
	struct ef	 ef;
	size_t		 off = PKT_HDR_LEN, nlen = 0, ctlen = 0, auth_off = 0;
	enum nts_result	 res;
	int		 r, uids = 0, ours = 0;

	memset(out, 0, sizeof(*out));
	if (!pkt_ok(pkt, len))
		return NTS_ERR_MALFORMED;
	if (pkt[OFF_STRATUM] == 0 && get32(pkt + OFF_REFID) == NTS_KOD_NTSN)
		return check_nak(pkt, len, uid);
	while ((r = ef_next(pkt, len, &off, &ef, EF_MIN)) == 1) {
		if (ef.type == NTS_EF_AUTH) {
			if (off != len || parse_auth(&ef, &nonce, &nlen, &ct,
			    &ctlen) == -1)
				return NTS_ERR_MALFORMED;
			auth_off = ef.off;
			break;
		}
		if (ef.type == NTS_EF_UID) {
			uids++;
			ours = uid_is(&ef, uid);
		}
	}
	if (r == -1 || uids > 1)
		return NTS_ERR_MALFORMED;
	if (!ours)
		return NTS_ERR_UID;
	if (auth_off == 0)
		return NTS_ERR_AUTH;
	if (siv_open(s2c, nonce, nlen, pkt, auth_off, ct, ctlen, pt) == -1)
		return NTS_ERR_AUTH;
	res = take_cookies(pt, ctlen - SIV_TAG_LEN, out);
	OPENSSL_cleanse(pt, ctlen - SIV_TAG_LEN);
	if (res != NTS_OK)
		OPENSSL_cleanse(out, sizeof(*out));
	return res;
}
