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
 * The NTS server of the engine.  The keyring is shared by the NTS-KE
 * answers (which seal cookies with the current key) and the NTP fast
 * path (which opens them with any key still in the ring).  Nothing here
 * allocates per request; the scratch AES-SIV context is keyed again for
 * every packet.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ectx.h"
#include "log.h"
#include "nts.h"
#include "ntske.h"
#include "ntsserver.h"
#include "pkt.h"
#include "siv.h"
#include "xmalloc.h"

#define FLEET_SLACK_S	1	/* re-derive this long after a period ends */
#define RND_POOL	(NTS_RESPOND_RND_LEN * 64)	/* answers' nonces */

struct ntssrv {
	struct ectx		*ctx;
	struct nts_keyring	*ring;
	struct siv		*scratch;
	struct event		*ev_rotate;
	int			 have_keys;
	int			 fleet;
	uint8_t			 seed[NTS_SEED_MAX];
	size_t			 seedlen;
	uint32_t		 interval_s;
	/*
	 * Random bytes for the answers' nonces, drawn 64 answers at a time:
	 * OpenSSL's RAND_bytes() costs more per call (a getpid(2) for its
	 * fork check, locks) than per byte.
	 */
	uint8_t			 pool[RND_POOL];
	size_t			 pool_off;
};

static int64_t
now_s(const struct ntssrv *ns)
{
	int64_t	 ns_now = ectx_now_ns(ns->ctx);

	return ns_now >= 0 ? ns_now / 1000000000LL :
	    -((-ns_now + 999999999LL) / 1000000000LL);
}

static void
arm(struct ntssrv *ns, int64_t s)
{
	struct timeval	 tv = { s, 0 };

	if (evtimer_add(ns->ev_rotate, &tv) == -1)
		fatalx("NTS: cannot arm the key rotation");
}

/* Fleet mode: wake just after the current period ends. */
static void
arm_fleet(struct ntssrv *ns)
{
	int64_t	 t = now_s(ns), iv = ns->interval_s, left;

	left = iv - ((t % iv) + iv) % iv;
	arm(ns, left + FLEET_SLACK_S);
}

/* The ring's keys to the monitor, which writes the key file. */
static void
save(struct ntssrv *ns)
{
	struct nts_keyfile	 kf;
	char			 buf[NTS_KEYFILE_MAX];
	size_t			 n;

	nts_keyring_export(ns->ring, &kf);
	n = nts_keyfile_write(&kf, buf, sizeof(buf));
	OPENSSL_cleanse(&kf, sizeof(kf));
	if (n == 0)
		fatalx("NTS: cannot write the key file");
	ectx_send(ns->ctx, IMSG_NTS_KEYS_SAVE, 0, buf, n);
	OPENSSL_cleanse(buf, sizeof(buf));
}

static void
rotate(struct ntssrv *ns)
{
	uint8_t		 rnd[NTS_ROTATE_RND_LEN];
	uint32_t	 id;

	if (RAND_priv_bytes(rnd, sizeof(rnd)) != 1 ||
	    nts_keyring_rotate(ns->ring, rnd, sizeof(rnd)) == -1)
		fatalx("NTS: cannot make a new master key");
	OPENSSL_cleanse(rnd, sizeof(rnd));
	ns->have_keys = 1;
	nts_keyring_current(ns->ring, &id);
	log_info("NTS: new master key %08x", id);
	save(ns);
}

static void
rotate_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ntssrv	*ns = arg;

	if (ns->fleet) {
		if (nts_keyring_sync_seed(ns->ring, ns->seed, ns->seedlen,
		    now_s(ns), ns->interval_s) == -1)
			log_warnx("NTS: cannot derive the fleet's keys");
		arm_fleet(ns);
		return;
	}
	rotate(ns);
	arm(ns, ns->ctx->conf->ntsrotate_s);
}

static void
load(struct ntssrv *ns, const struct nts_keyfile *kf)
{
	uint32_t	 id = 0;

	evtimer_del(ns->ev_rotate);
	if (nts_keyring_load(ns->ring, kf, now_s(ns)) == -1)
		fatalx("NTS: cannot load the master keys");
	ns->have_keys = 1;
	nts_keyring_current(ns->ring, &id);
	if (kf->has_seed) {
		ns->fleet = 1;
		memcpy(ns->seed, kf->seed, kf->seedlen);
		ns->seedlen = kf->seedlen;
		ns->interval_s = kf->interval_s;
		log_info("NTS: master keys derived from a shared seed, a new "
		    "one every %u s, current %08x", kf->interval_s, id);
		arm_fleet(ns);
		return;
	}
	log_info("NTS: %d master key(s) loaded, current %08x", kf->n_keys,
	    id);
	if (ns->ctx->conf->ntsrotate_s > 0)
		arm(ns, ns->ctx->conf->ntsrotate_s);
}

void
ntssrv_keys(struct ntssrv *ns, struct imsg *imsg)
{
	struct nts_keyfile	 kf;
	size_t			 len = imsg->datalen;
	int			 line;

	if (imsg->fd != -1 || len > NTS_KEYFILE_MAX)
		fatalx("IMSG_NTS_KEYS: malformed");
	if (len == 0) {
		rotate(ns);
		if (ns->ctx->conf->ntsrotate_s > 0)
			arm(ns, ns->ctx->conf->ntsrotate_s);
		return;
	}
	if (nts_keyfile_parse((const char *)imsg->data, len, &kf, &line) ==
	    -1)
		fatalx("IMSG_NTS_KEYS: bad key file, line %d", line);
	load(ns, &kf);
	OPENSSL_cleanse(&kf, sizeof(kf));
}

struct ntssrv *
ntssrv_new(struct ectx *ctx)
{
	static const uint8_t	 zero[SIV_KEY_LEN];
	struct ntssrv		*ns;

	if (ctx->conf->ntsservercert == NULL || ctx->oneshot)
		return NULL;
	ns = xcalloc(1, sizeof(*ns));
	ns->ctx = ctx;
	ns->pool_off = sizeof(ns->pool);	/* empty */
	if ((ns->ring = nts_keyring_new()) == NULL ||
	    (ns->scratch = siv_new(zero, sizeof(zero))) == NULL ||
	    (ns->ev_rotate = evtimer_new(ctx->base, rotate_cb, ns)) == NULL)
		fatalx("NTS server: out of memory");
	return ns;
}

void
ntssrv_free(struct ntssrv *ns)
{
	if (ns == NULL)
		return;
	event_free(ns->ev_rotate);
	siv_free(ns->scratch);
	nts_keyring_free(ns->ring);
	OPENSSL_cleanse(ns->seed, sizeof(ns->seed));
	OPENSSL_cleanse(ns->pool, sizeof(ns->pool));
	free(ns);
}

/* NTS-KE */

/* New cookies for the keys of this TLS session; 0, or -1. */
static int
ke_cookies(struct ntssrv *ns, SSL *ssl, uint16_t aead,
    uint8_t cookies[NTS_MAX_COOKIES][NTS_COOKIE_LEN])
{
	struct nts_keys	 k;
	uint8_t		 nonce[NTS_MAX_COOKIES][NTS_NONCE_LEN];
	int		 i, rc = -1;

	memset(&k, 0, sizeof(k));
	k.aead = aead;
	if (!ns->have_keys ||
	    ntske_export_keys(ssl, aead, k.c2s, k.s2c, NTS_KEY_LEN) == -1 ||
	    RAND_bytes(&nonce[0][0], sizeof(nonce)) != 1)
		goto done;
	for (i = 0; i < NTS_MAX_COOKIES; i++)
		if (nts_cookie_seal(ns->ring, &k, nonce[i], cookies[i]) == -1)
			goto done;
	rc = 0;
done:
	nts_keys_clear(&k);
	return rc;
}

/* ntssrv_ke_early()'s work, for ntssrv_ke_answer() */
struct ke_early {
	int	 ready;
	uint8_t	 cookies[NTS_MAX_COOKIES][NTS_COOKIE_LEN];
};

size_t
ntssrv_early_size(void)
{
	return sizeof(struct ke_early);
}

void
ntssrv_ke_early(struct ntssrv *ns, SSL *ssl, void *early)
{
	struct ke_early	*e = early;

	e->ready = ke_cookies(ns, ssl, NTS_AEAD_AES_SIV_CMAC_256,
	    e->cookies) == 0;
}

/* What the server names in its answer: ntsntpserver, a port not 123. */
static void
negotiation(const struct conf *conf, struct nts_ke_reply *rp)
{
	if (conf->ntsntpserver != NULL)
		rp->server = conf->ntsntpserver;
	if (conf->port > 0 && conf->port != 123)
		rp->port = conf->port;
}

int
ntssrv_ke_answer(struct ntssrv *ns, SSL *ssl, void *early,
    const uint8_t *req, size_t reqlen, uint8_t *resp, size_t *resplen)
{
	struct ke_early			*e = early;
	static struct nts_ke_msg	 msg;	/* 2 KB of cookies */
	struct nts_ke_reply		 rp;
	uint8_t				 cookies[NTS_MAX_COOKIES]
					    [NTS_COOKIE_LEN];
	enum nts_ke_reason		 why;
	size_t				 n;
	int				 i, ahead;

	memset(&rp, 0, sizeof(rp));
	rp.error = -1;
	rp.port = -1;
	if ((why = nts_ke_parse_request(req, reqlen, &msg)) != NTS_KE_OK) {
		log_debug("NTS-KE: bad request: %s", nts_ke_reason_str(why));
		rp.error = nts_ke_error_code(why);
	} else if (msg.ntpv4 && msg.aead != 0) {
		rp.ntpv4 = 1;
		rp.aead = msg.aead;
		/* made while the client checked our certificate? */
		ahead = e != NULL && e->ready &&
		    msg.aead == NTS_AEAD_AES_SIV_CMAC_256;
		if (ahead)
			memcpy(cookies, e->cookies, sizeof(cookies));
		if (!ahead && ke_cookies(ns, ssl, msg.aead, cookies) == -1) {
			log_debug("NTS-KE: no cookies: keys or TLS export");
			memset(&rp, 0, sizeof(rp));
			rp.error = NTS_KE_ERR_INTERNAL;
			rp.port = -1;
		} else {
			rp.n_cookies = NTS_MAX_COOKIES;
			for (i = 0; i < NTS_MAX_COOKIES; i++) {
				rp.cookie[i] = cookies[i];
				rp.cookie_len[i] = NTS_COOKIE_LEN;
			}
			negotiation(ns->ctx->conf, &rp);
		}
	} else
		rp.ntpv4 = msg.ntpv4;	/* no NTPv4 or no AEAD: empty list */
	n = nts_ke_response(&rp, resp, *resplen);
	OPENSSL_cleanse(cookies, sizeof(cookies));
	OPENSSL_cleanse(&msg, sizeof(msg));
	if (n == 0)
		return -1;
	*resplen = n;
	return 0;
}

/* NTS-protected NTP */

/* 1 if a field of the request is one of NTS's (RFC 8915 5.7). */
static int
has_nts_field(const uint8_t *p, size_t len)
{
	size_t		 off = PKT_HDR_LEN, flen;
	unsigned int	 type;

	while (off <= len && len - off >= 16) {
		type = (unsigned int)p[off] << 8 | p[off + 1];
		flen = (size_t)p[off + 2] << 8 | p[off + 3];
		if (type == NTS_EF_UID || type == NTS_EF_COOKIE ||
		    type == NTS_EF_PLACEHOLDER || type == NTS_EF_AUTH)
			return 1;
		if (flen < 16 || flen > len - off)
			return 0;
		off += flen;
	}
	return 0;
}

/* n random bytes (n <= RND_POOL), NULL if OpenSSL has none. */
static const uint8_t *
rnd(struct ntssrv *ns, size_t n)
{
	const uint8_t	*p;

	if (n > sizeof(ns->pool) - ns->pool_off) {
		if (RAND_bytes(ns->pool, sizeof(ns->pool)) != 1)
			return NULL;
		ns->pool_off = 0;
	}
	p = ns->pool + ns->pool_off;
	ns->pool_off += n;
	return p;
}

/* The transmit time of an answer that is sealed before it is sent. */
static void
set_tx(struct ntssrv *ns, uint8_t *out)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	pkt_set_tx(out, pkt_ts_from_ns(ectx_served_ns(ns->ctx,
	    ectx_sys_to_ns(ns->ctx, (int64_t)ts.tv_sec * 1000000000LL +
	    ts.tv_nsec))));
}

/* Turn pkt_respond()'s header into a kiss-o'-death NTSN, as it would. */
static void
set_ntsn(uint8_t *out)
{
	out[0] = (out[0] & 0x3f) | (PKT_LEAP_UNSYNC << 6);
	out[1] = 0;				/* stratum: a kiss */
	out[12] = NTS_KOD_NTSN >> 24;		/* reference id */
	out[13] = (NTS_KOD_NTSN >> 16) & 0xff;
	out[14] = (NTS_KOD_NTSN >> 8) & 0xff;
	out[15] = NTS_KOD_NTSN & 0xff;
}

size_t
ntssrv_respond(struct ntssrv *ns, const uint8_t *req, size_t reqlen,
    uint8_t *out, size_t outsize, size_t hdrlen, struct rpt_serverstats *st)
{
	struct nts_req	 rq;
	struct nts_keys	 k;
	const uint8_t	*r;
	size_t		 n = 0;

	if (reqlen <= PKT_HDR_LEN || hdrlen != PKT_HDR_LEN ||
	    !has_nts_field(req, reqlen))
		return hdrlen;
	switch (nts_server_check(ns->ring, ns->scratch, req, reqlen, &rq,
	    &k)) {
	case NTS_OK:
		st->auth_ntp++;
		if ((r = rnd(ns, NTS_RESPOND_RND_LEN)) == NULL)
			break;
		set_tx(ns, out);
		n = nts_server_respond(ns->ring, ns->scratch, &rq, &k, r,
		    NTS_RESPOND_RND_LEN, out, outsize, reqlen);
		break;
	case NTS_ERR_COOKIE:
	case NTS_ERR_AUTH:
		set_ntsn(out);
		set_tx(ns, out);
		if ((n = nts_server_nak(&rq, out, outsize, reqlen)) != 0)
			st->nts_naks++;
		break;
	default:
		break;
	}
	nts_keys_clear(&k);
	if (n == 0)
		st->nts_dropped++;
	return n;
}
