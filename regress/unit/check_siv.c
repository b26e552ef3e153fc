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

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "siv.h"
#include "testhex.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* RFC 5297 appendix A, and the empty example of the SIV test suites. */
struct vec {
	const char	*what;
	const char	*key;
	const char	*ad[3];
	int		 nad;
	const char	*pt;
	const char	*out;
};

static const struct vec	vecs[] = {
	{ "A.1 deterministic",
	    "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 "
	    "f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff",
	    { "10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627" }, 1,
	    "11223344 55667788 99aabbcc ddee",
	    "85632d07 c6e8f37f 950acd32 0a2ecc93 "
	    "40c02b96 90c4dc04 daef7f6a fe5c" },
	{ "A.2 nonce-based",
	    "7f7e7d7c 7b7a7978 77767574 73727170 "
	    "40414243 44454647 48494a4b 4c4d4e4f",
	    { "00112233 44556677 8899aabb ccddeeff "
	      "deaddada deaddada ffeeddcc bbaa9988 77665544 33221100",
	      "10203040 50607080 90a0",
	      "09f91102 9d74e35b d84156c5 635688c0" }, 3,
	    "74686973 20697320 736f6d65 20706c61 696e7465 78742074 "
	    "6f20656e 63727970 74207573 696e6720 5349562d 414553",
	    "7bdb6e3b 432667eb 06f4d14b ff2fbd0f cb900f2f ddbe4043 "
	    "26601965 c889bf17 dba77ceb 094fa663 b7a3f748 ba8af829 "
	    "ea64ad54 4a272e9c 485b62a3 fd5c0d" },
	{ "no components, empty plaintext",
	    "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 "
	    "f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff",
	    { NULL }, 0, "",
	    "f2007a5b eb2b8900 c588a7ad f599f172" },
};

START_TEST(test_siv_rfc5297_vectors)
{
	const struct vec	*v = &vecs[_i];
	uint8_t			 key[SIV_KEY_LEN], ad[3][64], pt[64];
	uint8_t			 want[96], out[96], back[64];
	struct siv_buf		 b[3];
	struct siv		*s;
	size_t			 ptlen, wantlen;
	int			 i;

	ck_assert_uint_eq(unhex(v->key, key, sizeof(key)), SIV_KEY_LEN);
	for (i = 0; i < v->nad; i++) {
		b[i].p = ad[i];
		b[i].len = unhex(v->ad[i], ad[i], sizeof(ad[i]));
	}
	ptlen = unhex(v->pt, pt, sizeof(pt));
	wantlen = unhex(v->out, want, sizeof(want));
	ck_assert_uint_eq(wantlen, SIV_TAG_LEN + ptlen);

	ck_assert_ptr_nonnull(s = siv_new(key, sizeof(key)));
	memset(out, 0xee, sizeof(out));
	ck_assert_msg(siv_seal_v(s, b, v->nad, pt, ptlen, out) == 0,
	    "%s: seal", v->what);
	ck_assert_msg(memcmp(out, want, wantlen) == 0, "%s: output", v->what);
	ck_assert_msg(siv_open_v(s, b, v->nad, out, wantlen, back) == 0,
	    "%s: open", v->what);
	ck_assert_msg(memcmp(back, pt, ptlen) == 0, "%s: plaintext", v->what);
	/* again on the same context: keyed once, used many times */
	ck_assert(siv_seal_v(s, b, v->nad, pt, ptlen, out) == 0);
	ck_assert(memcmp(out, want, wantlen) == 0);
	siv_free(s);
}
END_TEST

/* OpenSSL's own AES-128-SIV (non-empty plaintext only: see siv.h). */
static void
evp_seal(const uint8_t *key, const struct siv_buf *ad, size_t nad,
    const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	EVP_CIPHER	*c;
	EVP_CIPHER_CTX	*ctx;
	size_t		 i;
	int		 n, m;

	ck_assert_ptr_nonnull(c = EVP_CIPHER_fetch(NULL, "AES-128-SIV", NULL));
	ck_assert_ptr_nonnull(ctx = EVP_CIPHER_CTX_new());
	ck_assert_int_eq(EVP_EncryptInit_ex2(ctx, c, key, NULL, NULL), 1);
	for (i = 0; i < nad; i++)
		ck_assert_int_eq(EVP_EncryptUpdate(ctx, NULL, &n, ad[i].p,
		    (int)ad[i].len), 1);
	ck_assert_int_eq(EVP_EncryptUpdate(ctx, out + SIV_TAG_LEN, &n, pt,
	    (int)ptlen), 1);
	ck_assert_int_eq(EVP_EncryptFinal_ex(ctx, out + SIV_TAG_LEN + n, &m),
	    1);
	ck_assert_uint_eq((size_t)(n + m), ptlen);
	ck_assert_int_eq(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    SIV_TAG_LEN, out), 1);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}

static void
fill(uint64_t *seed, uint8_t *p, size_t n)
{
	while (n-- > 0)
		*p++ = (uint8_t)rnd_next(seed);
}

START_TEST(test_siv_matches_openssl_evp)
{
	uint64_t	 seed = test_seed("test_siv_matches_openssl_evp");
	uint8_t		 key[SIV_KEY_LEN], ad[3][400], pt[600];
	uint8_t		 a[SIV_TAG_LEN + 600], b[SIV_TAG_LEN + 600];
	uint8_t		 back[600];
	struct siv_buf	 bufs[3];
	struct siv	*s = NULL;
	size_t		 nad, ptlen, i;
	int		 round;

	for (round = 0; round < 300; round++) {
		fill(&seed, key, sizeof(key));
		if (s == NULL || round % 3 == 0) {
			siv_free(s);
			ck_assert_ptr_nonnull(s = siv_new(key, sizeof(key)));
		} else
			ck_assert_int_eq(siv_setkey(s, key, sizeof(key)), 0);
		nad = rnd_next(&seed) % 4;
		for (i = 0; i < nad; i++) {
			bufs[i].len = 1 + rnd_next(&seed) % sizeof(ad[i]);
			fill(&seed, ad[i], bufs[i].len);
			bufs[i].p = ad[i];
		}
		/* short, one block, around block edges, long */
		ptlen = 1 + rnd_next(&seed) % (round % 2 ? 40 : sizeof(pt));
		fill(&seed, pt, ptlen);
		evp_seal(key, bufs, nad, pt, ptlen, a);
		ck_assert_int_eq(siv_seal_v(s, bufs, nad, pt, ptlen, b), 0);
		ck_assert_msg(memcmp(a, b, SIV_TAG_LEN + ptlen) == 0,
		    "round %d: nad %zu ptlen %zu differ", round, nad, ptlen);
		ck_assert_int_eq(siv_open_v(s, bufs, nad, a,
		    SIV_TAG_LEN + ptlen, back), 0);
		ck_assert(memcmp(back, pt, ptlen) == 0);
		/* the context goes on from where it was: the same again */
		ck_assert_int_eq(siv_seal_v(s, bufs, nad, pt, ptlen, b), 0);
		ck_assert(memcmp(a, b, SIV_TAG_LEN + ptlen) == 0);
	}
	siv_free(s);
}
END_TEST

/* What NTS does: an empty plaintext, empty associated data, a nonce. */
START_TEST(test_siv_empty_inputs)
{
	uint8_t		 key[SIV_KEY_LEN], nonce[16], ad[100];
	uint8_t		 t1[SIV_TAG_LEN], t2[SIV_TAG_LEN], t3[SIV_TAG_LEN];
	struct siv	*s;

	memset(key, 0x42, sizeof(key));
	memset(nonce, 0x17, sizeof(nonce));
	memset(ad, 0x99, sizeof(ad));
	ck_assert_ptr_nonnull(s = siv_new(key, sizeof(key)));
	ck_assert_int_eq(siv_seal(s, nonce, sizeof(nonce), ad, sizeof(ad),
	    NULL, 0, t1), 0);
	ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), ad, sizeof(ad),
	    t1, sizeof(t1), NULL), 0);
	ck_assert_int_eq(siv_seal(s, nonce, sizeof(nonce), NULL, 0, NULL, 0,
	    t2), 0);
	ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), NULL, 0, t2,
	    sizeof(t2), NULL), 0);
	ck_assert_int_eq(siv_seal(s, NULL, 0, NULL, 0, NULL, 0, t3), 0);
	/* empty associated data is a component: it changes the tag */
	ck_assert(memcmp(t1, t2, SIV_TAG_LEN) != 0);
	ck_assert(memcmp(t2, t3, SIV_TAG_LEN) != 0);
	/* the wrong nonce or associated data fails */
	ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce) - 1, ad,
	    sizeof(ad), t1, sizeof(t1), NULL), -1);
	ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), NULL, 0, t1,
	    sizeof(t1), NULL), -1);
	siv_free(s);
}
END_TEST

/* Any flipped bit in tag, ciphertext, associated data or nonce fails. */
START_TEST(test_siv_tamper)
{
	uint8_t		 key[SIV_KEY_LEN], nonce[16], ad[20], pt[24];
	uint8_t		 ct[SIV_TAG_LEN + 24], back[24];
	struct siv	*s;
	size_t		 bit;

	memset(key, 0x5c, sizeof(key));
	memset(nonce, 0x01, sizeof(nonce));
	memset(ad, 0x02, sizeof(ad));
	memset(pt, 0x03, sizeof(pt));
	ck_assert_ptr_nonnull(s = siv_new(key, sizeof(key)));
	ck_assert_int_eq(siv_seal(s, nonce, sizeof(nonce), ad, sizeof(ad), pt,
	    sizeof(pt), ct), 0);
	for (bit = 0; bit < sizeof(ct) * 8; bit++) {
		ct[bit / 8] ^= (uint8_t)(1 << bit % 8);
		memset(back, 0xee, sizeof(back));
		ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), ad,
		    sizeof(ad), ct, sizeof(ct), back), -1);
		/* nothing of a forged plaintext is left behind */
		ck_assert_int_eq(back[0] | back[23], 0);
		ct[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	for (bit = 0; bit < sizeof(ad) * 8; bit++) {
		ad[bit / 8] ^= (uint8_t)(1 << bit % 8);
		ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), ad,
		    sizeof(ad), ct, sizeof(ct), back), -1);
		ad[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	for (bit = 0; bit < sizeof(nonce) * 8; bit++) {
		nonce[bit / 8] ^= (uint8_t)(1 << bit % 8);
		ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), ad,
		    sizeof(ad), ct, sizeof(ct), back), -1);
		nonce[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	ck_assert_int_eq(siv_open(s, nonce, sizeof(nonce), ad, sizeof(ad), ct,
	    sizeof(ct), back), 0);
	ck_assert(memcmp(back, pt, sizeof(pt)) == 0);
	siv_free(s);
}
END_TEST

START_TEST(test_siv_rejects_bad_lengths)
{
	uint8_t		 key[SIV_KEY_LEN + 1] = { 0 }, buf[64] = { 0 };
	struct siv_buf	 ad[SIV_MAX_AD + 1];
	struct siv	*s;

	ck_assert_ptr_null(siv_new(key, SIV_KEY_LEN - 1));
	ck_assert_ptr_null(siv_new(key, SIV_KEY_LEN + 1));
	ck_assert_ptr_nonnull(s = siv_new(key, SIV_KEY_LEN));
	ck_assert_int_eq(siv_setkey(s, key, 16), -1);
	ck_assert_int_eq(siv_open(s, NULL, 0, NULL, 0, buf, SIV_TAG_LEN - 1,
	    buf), -1);
	memset(ad, 0, sizeof(ad));
	ck_assert_int_eq(siv_seal_v(s, ad, SIV_MAX_AD + 1, NULL, 0, buf), -1);
	ck_assert_int_eq(siv_seal_v(s, ad, SIV_MAX_AD, NULL, 0, buf), 0);
	ck_assert_int_eq(siv_seal(s, NULL, 0, NULL, SIV_MAX_LEN + 1, NULL, 0,
	    buf), -1);
	ad[0].len = 1;	/* a NULL component with a length */
	ck_assert_int_eq(siv_seal_v(s, ad, 1, NULL, 0, buf), -1);
	siv_free(s);
	siv_free(NULL);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("siv");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_siv_rfc5297_vectors, 0, NELEM(vecs));
	tcase_add_test(tc, test_siv_matches_openssl_evp);
	tcase_add_test(tc, test_siv_empty_inputs);
	tcase_add_test(tc, test_siv_tamper);
	tcase_add_test(tc, test_siv_rejects_bad_lengths);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
