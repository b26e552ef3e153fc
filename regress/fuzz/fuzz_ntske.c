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
 * libFuzzer target: the NTS-KE record parsers (RFC 8915 4).  The input
 * is parsed as a client's request and as a server's answer; what they
 * report must stay inside the limits, agree with the stream framing,
 * and survive being encoded again and parsed back.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/nts_ke.c regress/fuzz/fuzz_ntske.c -o fuzz_ntske
 *	./fuzz_ntske /tmp/scratch_corpus regress/fuzz/corpus/ntske
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_msg(const struct nts_ke_msg *m)
{
	int	 i;

	if (m->n_cookies < 0 || m->n_cookies > NTS_MAX_COOKIES)
		abort();
	for (i = 0; i < m->n_cookies; i++)
		if (m->cookie_len[i] == 0 || m->cookie_len[i] > NTS_COOKIE_MAX)
			abort();
	if (memchr(m->server, '\0', sizeof(m->server)) == NULL)
		abort();
	if (m->port < -1 || m->port > 0xffff)
		abort();
	if (m->aead != 0 && nts_aead_key_len(m->aead) == 0)
		abort();
}

/* A whole message must be what the framing finds. */
static void
check_scan(const uint8_t *data, size_t size)
{
	size_t	 len = 0;

	if (nts_ke_scan(data, size, &len) != 1 || len != size)
		abort();
}

/* The answer to a good request, built and parsed back. */
static void
answer(const struct nts_ke_msg *q)
{
	static const uint8_t	 cookie[NTS_COOKIE_LEN];
	struct nts_ke_reply	 rp;
	struct nts_ke_msg	 m;
	uint8_t			 buf[2048];
	size_t			 n;
	int			 i;

	memset(&rp, 0, sizeof(rp));
	rp.error = -1;
	rp.ntpv4 = q->ntpv4;
	rp.aead = q->aead;
	rp.n_cookies = NTS_MAX_COOKIES;
	for (i = 0; i < NTS_MAX_COOKIES; i++) {
		rp.cookie[i] = cookie;
		rp.cookie_len[i] = sizeof(cookie);
	}
	rp.server = q->server[0] != '\0' ? q->server : NULL;
	rp.port = q->port;
	if ((n = nts_ke_response(&rp, buf, sizeof(buf))) == 0)
		abort();
	switch (nts_ke_parse_response(buf, n, &m)) {
	case NTS_KE_OK:
		if (!q->ntpv4 || q->aead == 0 ||
		    m.n_cookies != NTS_MAX_COOKIES ||
		    strcmp(m.server, q->server) != 0 || m.port != q->port)
			abort();
		break;
	case NTS_KE_NO_NTPV4:
		if (q->ntpv4)
			abort();
		break;
	case NTS_KE_NO_AEAD:
		if (!q->ntpv4 || q->aead != 0)
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nts_ke_msg	 m;
	enum nts_ke_reason	 r;

	r = nts_ke_parse_request(data, size, &m);
	if (r >= NTS_KE_NREASONS || r == NTS_KE_SERVER_ERROR ||
	    r == NTS_KE_SERVER_WARNING || r == NTS_KE_NO_COOKIES)
		abort();
	check_msg(&m);
	if (r == NTS_KE_OK) {
		check_scan(data, size);
		if (m.n_cookies != 0 || m.error != -1 || m.warning != -1)
			abort();
		answer(&m);
	} else if (nts_ke_error_code(r) != NTS_KE_ERR_UNRECOGNIZED &&
	    nts_ke_error_code(r) != NTS_KE_ERR_BAD_REQUEST)
		abort();

	r = nts_ke_parse_response(data, size, &m);
	if (r >= NTS_KE_NREASONS)
		abort();
	check_msg(&m);
	if (r == NTS_KE_OK) {
		check_scan(data, size);
		if (!m.ntpv4 || m.aead != NTS_AEAD_AES_SIV_CMAC_256 ||
		    m.n_cookies < 1 || m.error != -1 || m.warning != -1)
			abort();
	}
	if (r == NTS_KE_SERVER_ERROR && m.error == -1)
		abort();
	return 0;
}
