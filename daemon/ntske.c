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
 * NTS-KE over TLS 1.3, what the server (ntske_server.c) and the client
 * (ntske_client.c) share: OpenSSL's set-up, the contexts, the message
 * framing, the key export.
 */

#include <sys/mman.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ntske.h"
#include "ntske_int.h"

const uint8_t ntske_alpn_wire[] = "\x07" NTSKE_ALPN;

const char *
ntske_strerror(int e)
{
	switch (e) {
	case NTSKE_OK:
		return "ok";
	case NTSKE_ERR_DNS:
		return "cannot resolve";
	case NTSKE_ERR_CONNECT:
		return "cannot connect";
	case NTSKE_ERR_TLS:
		return "TLS handshake failed";
	case NTSKE_ERR_VERIFY:
		return "certificate verification failed";
	case NTSKE_ERR_ALPN:
		return "server does not speak ntske/1";
	case NTSKE_ERR_TIMEOUT:
		return "timed out";
	case NTSKE_ERR_TOOBIG:
		return "answer too long";
	case NTSKE_ERR_CLOSED:
		return "closed before the end of the answer";
	case NTSKE_ERR_REQUEST:
		return "no request to send";
	}
	return "unknown error";
}

int
ntske_init(void)
{
	SSL_CTX		*ctx;
	unsigned char	 b[16];
	int		 rc = -1;

	if (OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		return -1;
	if (ntske_kx_init() == -1)
		ERR_clear_error();	/* servers make their own key pairs */
	/* Fetch the providers' algorithms and the TLS methods now. */
	if ((ctx = SSL_CTX_new_ex(NULL, ntske_kx_propq(), TLS_method())) !=
	    NULL &&
	    RAND_bytes(b, sizeof(b)) == 1 &&
	    RAND_priv_bytes(b, sizeof(b)) == 1)
		rc = 0;
	SSL_CTX_free(ctx);
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

int
ntske_export_keys(SSL *ssl, uint16_t aead, uint8_t *c2s, uint8_t *s2c,
    size_t keylen)
{
	/* protocol id (NTPv4: 0), AEAD id, then 0 (c2s) or 1 (s2c) */
	unsigned char	 context[5] = { 0, 0, aead >> 8, aead & 0xff, 0 };

	if (ssl == NULL || keylen == 0 || SSL_version(ssl) != TLS1_3_VERSION)
		return -1;
	if (SSL_export_keying_material(ssl, c2s, keylen, NTSKE_EXPORTER_LABEL,
	    strlen(NTSKE_EXPORTER_LABEL), context, sizeof(context), 1) != 1)
		return -1;
	context[4] = 1;
	if (SSL_export_keying_material(ssl, s2c, keylen, NTSKE_EXPORTER_LABEL,
	    strlen(NTSKE_EXPORTER_LABEL), context, sizeof(context), 1) != 1) {
		OPENSSL_cleanse(c2s, keylen);
		return -1;
	}
	return 0;
}

/* Contexts from PEM text */

/* Never ask for a pass phrase: OpenSSL's default would open the tty. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static void
ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long	 e = ERR_peek_last_error();
	char		 buf[256];

	if (e == 0)
		snprintf(err, errlen, "%s", what);
	else {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errlen, "%s: %s", what, buf);
	}
	ERR_clear_error();
}

/* 1 if the last PEM read failed only because no PEM block was left. */
static int
pem_at_end(void)
{
	unsigned long	 e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		return 1;
	}
	return 0;
}

/* The one protocol NTS-KE has; without it the handshake fails. */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned int	 off = 0, n;

	while (off < inlen) {
		n = in[off];
		if (n > inlen - off - 1)
			break;
		if (n == sizeof(ntske_alpn_wire) - 2 &&
		    memcmp(in + off, ntske_alpn_wire, sizeof(ntske_alpn_wire) - 1) == 0) {
			*out = in + off + 1;
			*outlen = n;
			return SSL_TLSEXT_ERR_OK;
		}
		off += 1 + n;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static SSL_CTX *
ctx_new(const SSL_METHOD *method, const char *propq, char *err,
    size_t errlen)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new_ex(NULL, propq, method)) == NULL) {
		ssl_err(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1) {
		ssl_err(err, errlen, "TLS 1.3");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* One exchange per connection: nothing to resume. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	return ctx;
}

static int
load_chain(SSL_CTX *ctx, BIO *bio, char *err, size_t errlen)
{
	X509	*x;
	int	 n = 0;

	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) !=
	    NULL) {
		if ((n == 0 ? SSL_CTX_use_certificate(ctx, x) :
		    SSL_CTX_add0_chain_cert(ctx, x)) != 1) {
			X509_free(x);
			ssl_err(err, errlen, "certificate");
			return -1;
		}
		if (n++ == 0)
			X509_free(x);	/* use_certificate took a reference */
	}
	if (!pem_at_end()) {
		ssl_err(err, errlen, "certificate");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "no certificate");
		return -1;
	}
	return 0;
}

static int
load_key(SSL_CTX *ctx, BIO *bio, char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	int		 rc;

	if ((pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) == NULL) {
		ssl_err(err, errlen, "private key");
		return -1;
	}
	rc = SSL_CTX_use_PrivateKey(ctx, pkey);
	EVP_PKEY_free(pkey);
	if (rc != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errlen, "private key does not match the "
		    "certificate");
		return -1;
	}
	return 0;
}

SSL_CTX *
ntske_server_ctx(const uint8_t *pem, size_t len, char *err, size_t errlen)
{
	SSL_CTX	*ctx;
	BIO	*bio = NULL;

	if (len > NTSKE_MAX_PEM || len > INT32_MAX) {
		snprintf(err, errlen, "too long");
		return NULL;
	}
	if ((ctx = ctx_new(TLS_server_method(), ntske_kx_propq(), err,
	    errlen)) == NULL)
		return NULL;
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	/*
	 * Every TLS 1.3 suite is strong; the SHA-256 one costs the least
	 * per handshake (transcript hash, key schedule), so it comes first.
	 */
	if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384") != 1) {
		ssl_err(err, errlen, "cipher suites");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    load_chain(ctx, bio, err, errlen) == -1)
		goto fail;
	BIO_free(bio);
	/* The key may come before or after the certificates. */
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    load_key(ctx, bio, err, errlen) == -1)
		goto fail;
	BIO_free(bio);
	return ctx;
fail:
	if (bio == NULL)
		snprintf(err, errlen, "out of memory");
	BIO_free(bio);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
ntske_client_ctx(const uint8_t *pem, size_t len, char *err, size_t errlen)
{
	SSL_CTX		*ctx;
	X509_STORE	*store;
	X509		*x;
	BIO		*bio;
	int		 ok;

	if (len > NTSKE_MAX_PEM || len > INT32_MAX) {
		snprintf(err, errlen, "too long");
		return NULL;
	}
	if ((ctx = ctx_new(TLS_client_method(), NULL, err, errlen)) == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	store = SSL_CTX_get_cert_store(ctx);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		SSL_CTX_free(ctx);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) !=
	    NULL) {
		ok = X509_STORE_add_cert(store, x);
		X509_free(x);
		if (ok != 1) {
			ssl_err(err, errlen, "trusted certificate");
			goto fail;
		}
	}
	if (!pem_at_end()) {
		ssl_err(err, errlen, "trusted certificate");
		goto fail;
	}
	BIO_free(bio);
	return ctx;
fail:
	BIO_free(bio);
	SSL_CTX_free(ctx);
	return NULL;
}

uint8_t *
ntske_map_fd(int fd, size_t *len, char *err, size_t errlen)
{
	struct stat	 st;
	void		*p;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > NTSKE_MAX_PEM) {
		snprintf(err, errlen, "size %lld outside 1..%d",
		    (long long)st.st_size, NTSKE_MAX_PEM);
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return NULL;
	}
	*len = st.st_size;
	return p;
}

int
ntske_arm_timer(struct event *ev, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	return evtimer_add(ev, &tv);
}

int
ntske_alpn_ok(SSL *ssl)
{
	const unsigned char	*p;
	unsigned int		 n;

	SSL_get0_alpn_selected(ssl, &p, &n);
	return n == sizeof(ntske_alpn_wire) - 2 &&
	    memcmp(p, NTSKE_ALPN, n) == 0;
}
