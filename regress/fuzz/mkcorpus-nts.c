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
 * Writes the seed corpus of the NTS fuzz targets (fuzz_ntske, fuzz_ntsef,
 * fuzz_cookie) with the fixed keys of fuzz_nts.h: valid messages,
 * packets, cookies and key files, prefixed with the selector byte each
 * target reads first.  Run from the top of the tree after a build:
 *
 *	cc -iquote lib -iquote regress/fuzz regress/fuzz/mkcorpus-nts.c \
 *	    build/lib/libtimedcrypto.a -lcrypto -o /tmp/mkcorpus-nts
 *	/tmp/mkcorpus-nts regress/fuzz/corpus
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_nts.h"
#include "nts.h"
#include "siv.h"

#define HDR	48

static const char	*dir;

static void
put(const char *name, int sel, const void *p, size_t n)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		exit(1);
	if (sel >= 0)
		fputc(sel, f);
	if (fwrite(p, 1, n, f) != n || fclose(f) != 0)
		exit(1);
}

int
main(int argc, char **argv)
{
	struct nts_keyring	*ring;
	struct nts_ke_reply	 rp;
	struct nts_req		 rq;
	struct nts_keys		 k, k2;
	struct nts_keyfile	 kf;
	struct siv		*c2s, *scratch;
	uint8_t			 master[NTS_MASTER_KEY_LEN], uid[NTS_UID_LEN];
	uint8_t			 nonce[NTS_NONCE_LEN], rnd[NTS_RESPOND_RND_LEN];
	uint8_t			 cookie[NTS_COOKIE_LEN], buf[2048], ans[1024];
	uint8_t			 mixed[1024];
	char			 text[NTS_KEYFILE_MAX];
	size_t			 n, m;
	int			 i;

	if (argc != 2)
		return 2;
	dir = argv[1];
	fuzz_nts_keys(&k, master, uid);
	memset(nonce, 0x66, sizeof(nonce));
	memset(rnd, 0x77, sizeof(rnd));
	if ((ring = nts_keyring_new()) == NULL ||
	    nts_keyring_add(ring, FUZZ_MASTER_ID, master) == -1 ||
	    nts_cookie_seal(ring, &k, nonce, cookie) == -1 ||
	    (c2s = siv_new(k.c2s, NTS_KEY_LEN)) == NULL ||
	    (scratch = siv_new(k.c2s, NTS_KEY_LEN)) == NULL)
		return 1;

	/* NTS-KE */
	n = nts_ke_request(buf, sizeof(buf), NULL, -1);
	put("ntske/request", -1, buf, n);
	n = nts_ke_request(buf, sizeof(buf), "ntp.example.net", 123);
	put("ntske/request-negotiation", -1, buf, n);
	memset(&rp, 0, sizeof(rp));
	rp.error = -1;
	rp.ntpv4 = 1;
	rp.aead = NTS_AEAD_AES_SIV_CMAC_256;
	rp.n_cookies = NTS_MAX_COOKIES;
	for (i = 0; i < NTS_MAX_COOKIES; i++) {
		rp.cookie[i] = cookie;
		rp.cookie_len[i] = sizeof(cookie);
	}
	rp.server = "192.0.2.1";
	rp.port = 123;
	n = nts_ke_response(&rp, buf, sizeof(buf));
	put("ntske/response", -1, buf, n);
	rp.error = NTS_KE_ERR_BAD_REQUEST;
	n = nts_ke_response(&rp, buf, sizeof(buf));
	put("ntske/response-error", -1, buf, n);

	/* NTS NTP: requests, the answer, a NAK, an answer to seal */
	memset(buf, 0, HDR);
	buf[0] = 0x23;
	memset(buf + 40, 0x5a, 8);
	n = nts_client_request(c2s, buf, sizeof(buf), uid, cookie,
	    sizeof(cookie), 0, nonce);
	put("ntsef/request", 0, buf, n);
	n = nts_client_request(c2s, buf, sizeof(buf), uid, cookie,
	    sizeof(cookie), 3, nonce);
	put("ntsef/request-placeholders", 0, buf, n);
	if (nts_server_check(ring, scratch, buf, n, &rq, &k2) != NTS_OK)
		return 1;
	memset(ans, 0, HDR);
	ans[0] = 0x24;
	ans[1] = 2;
	memcpy(ans + 24, buf + 40, 8);
	m = nts_server_respond(ring, scratch, &rq, &k2, rnd, sizeof(rnd), ans,
	    sizeof(ans), n);
	if (m == 0)
		return 1;
	put("ntsef/answer", 1, ans, m);
	/* selector 2: 9 words of fields after the header, then plaintext */
	mixed[0] = 9;
	memcpy(mixed + 1, ans, HDR + 36);
	for (i = 0; i < 4; i++) {
		memcpy(mixed + 1 + HDR + 36 + i * 108, "\x02\x04\x00\x6c", 4);
		memcpy(mixed + 1 + HDR + 36 + i * 108 + 4, cookie,
		    sizeof(cookie));
	}
	put("ntsef/answer-to-seal", 2, mixed, 1 + HDR + 36 + 4 * 108);
	memset(ans, 0, HDR);
	ans[0] = 0xe4;
	memcpy(ans + 12, "NTSN", 4);
	m = nts_server_nak(&rq, ans, sizeof(ans), n);
	put("ntsef/nak", 1, ans, m);

	/* cookies and key files */
	put("cookie/cookie", 0, cookie, sizeof(cookie));
	memset(buf, 0x12, 2 * NTS_KEY_LEN + NTS_NONCE_LEN + 2);
	put("cookie/seal", 1, buf, 2 * NTS_KEY_LEN + NTS_NONCE_LEN + 2);
	nts_keyring_export(ring, &kf);
	n = nts_keyfile_write(&kf, text, sizeof(text));
	put("cookie/keyfile", 2, text, n);
	memset(&kf, 0, sizeof(kf));
	kf.has_seed = 1;
	kf.seedlen = 32;
	memset(kf.seed, 0xa5, 32);
	kf.interval_s = 604800;
	n = nts_keyfile_write(&kf, text, sizeof(text));
	put("cookie/keyfile-seed", 2, text, n);
	return 0;
}
