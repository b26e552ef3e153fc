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
 * timed-engine-plain: the engine without cryptography, in place of the
 * modules that use OpenSSL (ntske*.c, ntsclient.c, ntsmat.c, ntsserver.c,
 * lib/libtimedcrypto.a), so that it maps neither libcrypto nor libssl
 * (their relocated data alone is about 460 kB of dirty memory).  The
 * monitor starts it only when conf_needs_crypto() is 0: no NTS source, no
 * NTS server, no keyfile, no sourcedir.  The engine then has no NTS
 * material, no NTS server and no keys (the engine's nts and ntssrv, its
 * context's keys and every source's NTS client are NULL), and its own
 * NULL checks keep it away from the rest: those entry points are here
 * only for the linker, and are fatal, as is anything the monitor never
 * sends this program.
 */

#include <string.h>

#include "conf.h"
#include "ectx.h"
#include "log.h"
#include "ntpkey.h"
#include "ntsclient.h"
#include "ntske.h"
#include "ntsmat.h"
#include "ntsserver.h"

static __attribute__((noreturn)) void
never(const char *what)
{
	fatalx("%s: built without cryptography", what);
}

/* The NULL objects: no NTS material, no NTS server, no NTS clients. */

struct ntsmat *
ntsmat_new(struct ectx *ctx)
{
	return NULL;
}

struct ntssrv *
ntssrv_new(struct ectx *ctx)
{
	return NULL;
}

void
ntsmat_stats(const struct ntsmat *m, struct ntske_stats *st)
{
	memset(st, 0, sizeof(*st));
}

void
ntscl_free(struct ntscl *c)
{
}

/* Set up OpenSSL: only for a configuration that needs it. */
int
ntske_init(void)
{
	never("OpenSSL");
}

/* IMSG_NTS_*: the monitor sends them only for NTS (send_nts_trust()). */
void
ntsmat_dispatch(struct ntsmat *m, struct imsg *imsg)
{
	never("NTS material");
}

/* IMSG_NTP_KEYFILE: only with a keyfile. */
uint8_t *
ntske_map_fd(int fd, size_t *len, char *err, size_t errlen)
{
	never("keyfile");
}

struct ntpkeys *
ntpkeys_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	never("keyfile");
}

/* Called only with keys (ctx->keys != NULL). */
size_t
ntpkeys_sign(const struct ntpkeys *t, uint32_t id, uint8_t *pkt, size_t len,
    int version)
{
	never("symmetric keys");
}

uint32_t
ntpkeys_verify(const struct ntpkeys *t, const uint8_t *pkt, size_t len,
    size_t mac_len, int version)
{
	never("symmetric keys");
}

/* Called only with an NTS server (the engine's ntssrv != NULL). */
void
ntssrv_keys(struct ntssrv *s, struct imsg *imsg)
{
	never("NTS server");
}

size_t
ntssrv_early_size(void)
{
	never("NTS server");
}

void
ntssrv_ke_early(struct ntssrv *s, SSL *ssl, void *early)
{
	never("NTS server");
}

int
ntssrv_ke_answer(struct ntssrv *s, SSL *ssl, void *early, const uint8_t *req,
    size_t reqlen, uint8_t *resp, size_t *resplen)
{
	never("NTS server");
}

size_t
ntssrv_respond(struct ntssrv *s, const uint8_t *req, size_t reqlen,
    uint8_t *out, size_t outsize, size_t hdrlen, struct rpt_serverstats *st)
{
	never("NTS server");
}

/* Called only with NTS material (the engine's nts != NULL). */
struct ntske_conn *
ntsmat_client_start(struct ntsmat *m, const struct conf_source *src,
    ntske_request_fn request, ntske_done_fn done, void *arg)
{
	never("NTS material");
}

/* An NTS source (cs->nts); the rest only with its client (s->nts). */
struct ntscl *
ntscl_new(struct ectx *ctx, const struct conf_source *cs,
    ntscl_ready_fn ready, void *arg)
{
	never("NTS source");
}

void
ntscl_trust_changed(struct ntscl *c)
{
	never("NTS source");
}

int
ntscl_prepare(struct ntscl *c, struct sockaddr_storage *addr,
    socklen_t *alen)
{
	never("NTS source");
}

size_t
ntscl_request(struct ntscl *c, uint8_t *pkt, size_t pktsize)
{
	never("NTS source");
}

int
ntscl_response(struct ntscl *c, const uint8_t *pkt, size_t len, uint64_t xmt)
{
	never("NTS source");
}

int
ntscl_dump(const struct ntscl *c, struct nts_dump *d)
{
	never("NTS source");
}

int
ntscl_restore(struct ntscl *c, const struct nts_dump *d)
{
	never("NTS source");
}

int
ntscl_authenticated(const struct ntscl *c)
{
	never("NTS source");
}

void
ntscl_report(const struct ntscl *c, struct rpt_authdata *r)
{
	never("NTS source");
}
