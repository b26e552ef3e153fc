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
 * Unit tests of the NTS server's shell (daemon/ntsserver.c), #included
 * with the test's clock and context (shell_ctx.h): its master keys, made
 * at a first start and handed to the monitor to save, or taken from it;
 * and the NTS part of an NTP answer, sealed for a client whose cookie
 * the ring opens, a NAK for one it does not, the plain answer left as it
 * is.  The codecs themselves are check_nts's.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "nts.h"
#include "pkt.h"
#include "siv.h"

#include "shell_ctx.h"

#include "ntsserver.c"

static const char *const conf_lines[] = {
	"ntsservercert /nonexistent/cert.pem",
	"ntsserverkey /nonexistent/key.pem",
	"ntsrotate 3600",
	NULL
};

static struct fake_ctx	 F;
static struct ntssrv	*ns;

static void
setup(void)
{
	fake_ctx_open(&F, conf_lines);
	ck_assert_ptr_nonnull(ns = ntssrv_new(&F.ctx));
}

static void
teardown(void)
{
	ntssrv_free(ns);
	fake_ctx_close(&F);
}

/* IMSG_NTS_KEYS from the monitor: the key file's text, or nothing. */
static void
keys_from_monitor(const void *text, size_t len)
{
	struct imsg	 imsg;

	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.type = IMSG_NTS_KEYS;
	imsg.fd = -1;
	imsg.data = (uint8_t *)text;
	imsg.datalen = len;
	ntssrv_keys(ns, &imsg);
}

/* The key file the server asked the monitor to save; its length. */
static size_t
saved_keys(char *buf, size_t size)
{
	struct fake_frame	 fr;

	ck_assert(fake_next(&F, &fr));
	ck_assert_uint_eq(fr.type, IMSG_NTS_KEYS_SAVE);
	ck_assert_uint_le(fr.len, size);
	memcpy(buf, fr.data, fr.len);
	return fr.len;
}

/* A first start: a key is made, saved by the monitor, rotated hourly. */
START_TEST(test_shell_nts_first_start_saves_key)
{
	struct nts_keyfile	 kf;
	char			 buf[NTS_KEYFILE_MAX];
	size_t			 n;
	uint32_t		 id;
	int			 line;

	keys_from_monitor(NULL, 0);
	n = saved_keys(buf, sizeof(buf));
	ck_assert_int_eq(nts_keyfile_parse(buf, n, &kf, &line), 0);
	ck_assert_int_eq(kf.has_seed, 0);
	ck_assert_int_eq(kf.n_keys, 1);
	ck_assert_int_eq(nts_keyring_current(ns->ring, &id), 0);
	ck_assert(event_pending(ns->ev_rotate, EV_TIMEOUT, NULL));
	fake_expect_none(&F);
}
END_TEST

/* Keys from the monitor: loaded as they are, not saved again. */
START_TEST(test_shell_nts_keys_loaded)
{
	struct ntssrv	*first;
	char		 buf[NTS_KEYFILE_MAX];
	size_t		 n;
	uint32_t	 id1, id2;

	first = ns;
	keys_from_monitor(NULL, 0);
	n = saved_keys(buf, sizeof(buf));
	ck_assert_int_eq(nts_keyring_current(first->ring, &id1), 0);
	ck_assert_ptr_nonnull(ns = ntssrv_new(&F.ctx));
	keys_from_monitor(buf, n);
	fake_expect_none(&F);
	ck_assert_int_eq(nts_keyring_current(ns->ring, &id2), 0);
	ck_assert_uint_eq(id1, id2);
	ntssrv_free(first);
}
END_TEST

/* A client of this server: keys from NTS-KE, a cookie of the ring's. */
struct client {
	struct nts_keys	 keys;
	struct siv	*c2s, *s2c;
	uint8_t		 cookie[NTS_COOKIE_LEN];
	uint8_t		 uid[NTS_UID_LEN];
};

static void
client_init(struct client *c, struct nts_keyring *ring)
{
	uint8_t	 nonce[NTS_NONCE_LEN];

	memset(c, 0, sizeof(*c));
	c->keys.aead = NTS_AEAD_AES_SIV_CMAC_256;
	memset(c->keys.c2s, 0x11, sizeof(c->keys.c2s));
	memset(c->keys.s2c, 0x22, sizeof(c->keys.s2c));
	memset(nonce, 0x33, sizeof(nonce));
	memset(c->uid, 0x44, sizeof(c->uid));
	ck_assert_int_eq(nts_cookie_seal(ring, &c->keys, nonce, c->cookie),
	    0);
	ck_assert_ptr_nonnull(c->c2s = siv_new(c->keys.c2s, NTS_KEY_LEN));
	ck_assert_ptr_nonnull(c->s2c = siv_new(c->keys.s2c, NTS_KEY_LEN));
}

static void
client_free(struct client *c)
{
	siv_free(c->c2s);
	siv_free(c->s2c);
}

/* The client's request and the plain answer server.c made for it. */
static size_t
exchange(struct client *c, uint8_t *req, size_t reqsize, uint8_t *out,
    size_t outsize)
{
	static const struct srv_state	 st = {
		PKT_LEAP_NONE, 2, -24, 0xc0000201, 0xed1c2b3a80000000ULL,
		0.015, 0.5, PKT_MIN_POLL_ANY
	};
	uint8_t				 nonce[NTS_NONCE_LEN];
	struct pkt			 q;
	size_t				 n;

	memset(req, 0, PKT_HDR_LEN);
	req[0] = 0x23;		/* NTPv4, client */
	memset(req + 40, 0x55, 8);
	memset(nonce, 0x66, sizeof(nonce));
	n = nts_client_request(c->c2s, req, reqsize, c->uid, c->cookie,
	    sizeof(c->cookie), 0, nonce);
	ck_assert_uint_gt(n, PKT_HDR_LEN);
	ck_assert_int_eq(pkt_check_request(&q, req, n), PKT_OK);
	ck_assert_uint_eq(pkt_respond(&st, &q, 1, 0, out, outsize),
	    PKT_HDR_LEN);
	return n;
}

/* A cookie the ring opens: the answer is sealed, with the time now. */
START_TEST(test_shell_nts_respond_sealed)
{
	struct rpt_serverstats	 st;
	struct nts_cookies	 cookies;
	struct client		 c;
	struct pkt		 a;
	uint8_t			 req[PKT_MAX_LEN], out[PKT_MAX_LEN];
	size_t			 reqlen, n;

	keys_from_monitor(NULL, 0);
	client_init(&c, ns->ring);
	reqlen = exchange(&c, req, sizeof(req), out, sizeof(out));
	memset(&st, 0, sizeof(st));
	n = ntssrv_respond(ns, req, reqlen, out, sizeof(out), PKT_HDR_LEN,
	    &st);
	ck_assert_uint_gt(n, PKT_HDR_LEN);
	ck_assert_uint_eq(st.auth_ntp, 1);
	ck_assert_uint_eq(st.nts_naks + st.nts_dropped, 0);
	ck_assert_int_eq(nts_client_check(c.s2c, out, n, c.uid, &cookies),
	    NTS_OK);
	ck_assert_int_eq(cookies.n, 1);
	ck_assert_int_eq(pkt_decode(&a, out, n), PKT_OK);
	ck_assert_uint_eq(a.tx_ts, pkt_ts_from_ns(fake_sys_ns));
	client_free(&c);
}
END_TEST

/* A cookie of another server's: an NTS NAK, a kiss NTSN, counted. */
START_TEST(test_shell_nts_respond_nak)
{
	struct rpt_serverstats	 st;
	struct nts_cookies	 cookies;
	struct nts_keyring	*other;
	struct client		 c;
	struct pkt		 a;
	uint8_t			 req[PKT_MAX_LEN], out[PKT_MAX_LEN];
	uint8_t			 rnd[NTS_ROTATE_RND_LEN];
	size_t			 reqlen, n;

	keys_from_monitor(NULL, 0);
	ck_assert_ptr_nonnull(other = nts_keyring_new());
	memset(rnd, 0x77, sizeof(rnd));
	ck_assert_int_eq(nts_keyring_rotate(other, rnd, sizeof(rnd)), 0);
	client_init(&c, other);
	reqlen = exchange(&c, req, sizeof(req), out, sizeof(out));
	memset(&st, 0, sizeof(st));
	n = ntssrv_respond(ns, req, reqlen, out, sizeof(out), PKT_HDR_LEN,
	    &st);
	ck_assert_uint_gt(n, PKT_HDR_LEN);
	ck_assert_uint_eq(st.nts_naks, 1);
	ck_assert_uint_eq(st.auth_ntp + st.nts_dropped, 0);
	ck_assert_int_eq(pkt_decode(&a, out, n), PKT_OK);
	ck_assert_uint_eq(a.leap, PKT_LEAP_UNSYNC);
	ck_assert_uint_eq(a.stratum, 0);
	ck_assert_uint_eq(a.refid, NTS_KOD_NTSN);
	ck_assert_int_eq(nts_client_check(c.s2c, out, n, c.uid, &cookies),
	    NTS_NAK);
	client_free(&c);
	nts_keyring_free(other);
}
END_TEST

/* A request without NTS fields keeps its plain answer, uncounted. */
START_TEST(test_shell_nts_respond_plain)
{
	struct rpt_serverstats	 st;
	uint8_t			 req[PKT_HDR_LEN], out[PKT_HDR_LEN];

	keys_from_monitor(NULL, 0);
	memset(req, 0, sizeof(req));
	req[0] = 0x23;
	memset(out, 0xaa, sizeof(out));
	memset(&st, 0, sizeof(st));
	ck_assert_uint_eq(ntssrv_respond(ns, req, sizeof(req), out,
	    sizeof(out), PKT_HDR_LEN, &st), PKT_HDR_LEN);
	ck_assert_uint_eq(st.auth_ntp + st.nts_naks + st.nts_dropped, 0);
	ck_assert_uint_eq(out[0], 0xaa);	/* untouched */
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("shell_nts");
	TCase	*tc = tcase_create("ntsserver");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_shell_nts_first_start_saves_key);
	tcase_add_test(tc, test_shell_nts_keys_loaded);
	tcase_add_test(tc, test_shell_nts_respond_sealed);
	tcase_add_test(tc, test_shell_nts_respond_nak);
	tcase_add_test(tc, test_shell_nts_respond_plain);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
