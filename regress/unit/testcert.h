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
 * Throwaway certificates for the unit tests of NTS-KE (check_ntske.c,
 * check_shell_ntsmat.c): a self-signed P-256 CA certificate with its
 * key, as PEM text, as the monitor hands the engine its files.  Include
 * after <check.h> and OpenSSL's headers.
 */

#ifndef TIMED_TESTCERT_H
#define TIMED_TESTCERT_H

struct pem {
	char	*all;		/* certificate, then key */
	size_t	 all_len;
	char	*cert;		/* certificate alone: a trust store */
	size_t	 cert_len;
};

static char *
bio_text(BIO *bio, size_t *len)
{
	char	*p, *s;
	long	 n = BIO_get_mem_data(bio, &p);

	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(s = malloc(n + 1));
	memcpy(s, p, n);
	s[n] = '\0';
	*len = n;
	return s;
}

/* A self-signed P-256 CA certificate, valid from..to days from now. */
static void
make_cert(struct pem *pem, const char *cn, const char *san, long from_days,
    long to_days)
{
	static long	 serial = 1;
	EVP_PKEY	*k;
	X509		*x;
	X509_NAME	*n;
	X509V3_CTX	 v3;
	X509_EXTENSION	*e;
	BIO		*b;

	ck_assert_ptr_nonnull(k = EVP_EC_gen("P-256"));
	ck_assert_ptr_nonnull(x = X509_new());
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ck_assert_ptr_nonnull(e = X509V3_EXT_conf_nid(NULL, &v3,
	    NID_subject_alt_name, san));
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	ck_assert_ptr_nonnull(e = X509V3_EXT_conf_nid(NULL, &v3,
	    NID_basic_constraints, "critical,CA:TRUE"));
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);

	ck_assert_ptr_nonnull(b = BIO_new(BIO_s_mem()));
	PEM_write_bio_X509(b, x);
	pem->cert = bio_text(b, &pem->cert_len);
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	pem->all = bio_text(b, &pem->all_len);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
pem_free(struct pem *pem)
{
	free(pem->all);
	free(pem->cert);
}

#endif
