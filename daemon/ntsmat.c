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

#include <sys/mman.h>
#include <sys/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clog.h"
#include "ectx.h"
#include "log.h"
#include "ntsmat.h"
#include "proto.h"
#include "xmalloc.h"

struct trust {
	int	 certset;
	SSL_CTX	*ctx;
};

struct ntsmat {
	struct ectx		*ctx;
	struct trust		 trust[NTS_MAX_TRUST];
	int			 ntrust;
	SSL_CTX			*pending[NTS_MAX_CERTS];	/* next set */
	int			 npending;
	struct ntske_server	*srv;
	struct clog		*limiter;
};

/* A lone client checks our certificate: its cookies, meanwhile. */
static void
ke_early(void *arg, SSL *ssl, void *early)
{
	struct ntsmat	*m = arg;

	if (ectx_nts_serving(m->ctx))
		ectx_nts_ke_early(m->ctx, ssl, early);
}

/*
 * A whole NTS-KE request: the NTS server answers it.  Without one (no
 * ntsservercert in this engine) Error 2, Internal Server Error (RFC 8915
 * section 4.1.3), then End of Message.
 */
static int
ke_handle(void *arg, SSL *ssl, void *early, const uint8_t *req,
    size_t reqlen, uint8_t *resp, size_t *resplen)
{
	static const uint8_t	 refusal[] = {
		0x80, 0x02, 0x00, 0x02, 0x00, 0x02,	/* Error: 2 */
		0x80, 0x00, 0x00, 0x00			/* End of Message */
	};
	struct ntsmat		*m = arg;

	if (ectx_nts_serving(m->ctx))
		return ectx_nts_ke_answer(m->ctx, ssl, early, req, reqlen,
		    resp, resplen);
	if (*resplen < sizeof(refusal))
		return -1;
	memcpy(resp, refusal, sizeof(refusal));
	*resplen = sizeof(refusal);
	return 0;
}

static struct clog *
make_limiter(const struct conf *conf)
{
	struct clog_params	 p;
	uint8_t			 key[16];
	struct clog		*c;

	if (!conf->ntsratelimit_set)
		return NULL;
	memset(&p, 0, sizeof(p));
	p.max_bytes = conf->clientloglimit;
	p.ratelimit = 1;
	p.interval = conf->ntsratelimit_interval;
	p.burst = conf->ntsratelimit_burst;
	p.leak = conf->ntsratelimit_leak;
	if (getrandom(key, sizeof(key), 0) != sizeof(key))
		fatal("getrandom");
	if ((c = clog_new(&p, key)) == NULL)
		fatalx("ntsratelimit: out of memory");
	explicit_bzero(key, sizeof(key));
	return c;
}

static struct ntske_server *
server(struct ntsmat *m)
{
	struct ntske_server_params	 p;

	if (m->srv != NULL)
		return m->srv;
	memset(&p, 0, sizeof(p));
	p.max_conns = m->ctx->conf->maxntsconnections;
	m->limiter = make_limiter(m->ctx->conf);
	p.limiter = m->limiter;
	p.early = ke_early;
	p.early_size = ectx_nts_early_size(m->ctx);
	p.sim = m->ctx->sim;
	if ((m->srv = ntske_server_new(m->ctx->base, &p, ke_handle, m)) ==
	    NULL)
		fatalx("NTS-KE server: out of memory");
	return m->srv;
}

/* The name of the i-th list entry, for messages. */
static const char *
nth_name(const struct conf_str *s, int i)
{
	while (s != NULL && i-- > 0)
		s = s->next;
	return s != NULL ? s->s : "?";
}

/* Map the frame's memfd; NULL (logged) if it cannot be read. */
static uint8_t *
map_pem(struct imsg *imsg, const char *what, size_t *len)
{
	uint8_t	*p;
	char	 err[256];

	p = ntske_map_fd(imsg->fd, len, err, sizeof(err));
	close(imsg->fd);
	imsg->fd = -1;
	if (p == NULL)
		log_warnx("%s: %s", what, err);
	return p;
}

static void
add_cert(struct ntsmat *m, struct imsg *imsg)
{
	struct nts_cert_msg	 msg;
	const char		*name;
	uint8_t			*pem;
	size_t			 len;
	SSL_CTX			*ctx;
	char			 err[256];

	if (imsg->fd == -1 || imsg_get_data(imsg, &msg, sizeof(msg)) == -1 ||
	    msg.index < 0 || msg.index >= NTS_MAX_CERTS ||
	    m->npending == NTS_MAX_CERTS)
		fatalx("IMSG_NTS_SERVER_CERT: malformed");
	name = nth_name(m->ctx->conf->ntsservercert, msg.index);
	if ((pem = map_pem(imsg, name, &len)) == NULL)
		return;
	ctx = ntske_server_ctx(pem, len, err, sizeof(err));
	munmap(pem, len);
	if (ctx == NULL) {
		log_warnx("ntsservercert %s: %s; not served", name, err);
		return;
	}
	m->pending[m->npending++] = ctx;
}

static void
certs_end(struct ntsmat *m, struct imsg *imsg)
{
	int	 i;

	if (imsg->fd != -1 || imsg->datalen != 0)
		fatalx("IMSG_NTS_SERVER_CERTS_END: malformed");
	if (m->npending == 0)
		log_warnx("no usable NTS server certificate: NTS-KE "
		    "connections are closed at once");
	else
		log_info("NTS-KE: %d server certificate(s) in use",
		    m->npending);
	ntske_server_set_ctx(server(m), m->pending, m->npending);
	for (i = 0; i < m->npending; i++)
		SSL_CTX_free(m->pending[i]);	/* the server has its own */
	m->npending = 0;
}

static void
add_trust(struct ntsmat *m, struct imsg *imsg)
{
	struct nts_trust_msg	 msg;
	struct trust		*t = NULL;
	uint8_t			*pem;
	size_t			 len;
	SSL_CTX			*ctx;
	char			 what[64], err[256];
	int			 i;

	if (imsg->fd == -1 || imsg_get_data(imsg, &msg, sizeof(msg)) == -1 ||
	    msg.certset < 0)
		fatalx("IMSG_NTS_TRUST: malformed");
	snprintf(what, sizeof(what), "certset %d%s", msg.certset,
	    msg.system ? " (with the system's trust store)" : "");
	if ((pem = map_pem(imsg, what, &len)) == NULL)
		return;
	ctx = ntske_client_ctx(pem, len, err, sizeof(err));
	munmap(pem, len);
	if (ctx == NULL) {
		log_warnx("%s: %s", what, err);
		return;
	}
	for (i = 0; i < m->ntrust; i++)
		if (m->trust[i].certset == msg.certset)
			t = &m->trust[i];
	if (t == NULL) {
		if (m->ntrust == NTS_MAX_TRUST)
			fatalx("IMSG_NTS_TRUST: too many sets");
		t = &m->trust[m->ntrust++];
		t->certset = msg.certset;
		t->ctx = ctx;
		log_debug("%s: loaded", what);
		return;
	}
	/* SIGHUP: connections under way keep the old set */
	SSL_CTX_free(t->ctx);
	t->ctx = ctx;
	log_info("%s: reloaded", what);
	ectx_trust_changed(m->ctx, msg.certset);
}

static void
add_socket(struct ntsmat *m, struct imsg *imsg)
{
	if (imsg->fd == -1 || imsg->datalen != 0)
		fatalx("IMSG_NTS_KE_SOCKET: no socket");
	if (ntske_server_add_socket(server(m), imsg->fd) == -1)
		fatalx("cannot serve NTS-KE on one more socket");
	imsg->fd = -1;
}

void
ntsmat_dispatch(struct ntsmat *m, struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_NTS_SERVER_CERT:
		add_cert(m, imsg);
		break;
	case IMSG_NTS_SERVER_CERTS_END:
		certs_end(m, imsg);
		break;
	case IMSG_NTS_TRUST:
		add_trust(m, imsg);
		break;
	case IMSG_NTS_KE_SOCKET:
		add_socket(m, imsg);
		break;
	default:
		fatalx("ntsmat: message %u", imsg->hdr.type);
	}
}

struct ntsmat *
ntsmat_new(struct ectx *ctx)
{
	struct ntsmat	*m = xcalloc(1, sizeof(*m));

	m->ctx = ctx;
	return m;
}

void
ntsmat_free(struct ntsmat *m)
{
	int	 i;

	if (m == NULL)
		return;
	ntske_server_free(m->srv);
	clog_free(m->limiter);
	for (i = 0; i < m->npending; i++)
		SSL_CTX_free(m->pending[i]);
	for (i = 0; i < m->ntrust; i++)
		SSL_CTX_free(m->trust[i].ctx);
	free(m);
}

SSL_CTX *
ntsmat_trust(const struct ntsmat *m, int certset)
{
	int	 i;

	for (i = 0; i < m->ntrust; i++)
		if (m->trust[i].certset == certset)
			return m->trust[i].ctx;
	return NULL;
}

void
ntsmat_stats(const struct ntsmat *m, struct ntske_stats *st)
{
	if (m->srv == NULL)
		memset(st, 0, sizeof(*st));
	else
		ntske_server_stats(m->srv, st);
}

struct ntske_conn *
ntsmat_client_start(struct ntsmat *m, const struct conf_source *src,
    ntske_request_fn request, ntske_done_fn done, void *arg)
{
	struct ntske_client_params	 p;
	struct ectx			*ctx = m->ctx;
	struct ntske_conn		*c;

	memset(&p, 0, sizeof(p));
	p.host = src->name;
	p.port = src->ntsport;
	if ((p.ctx = ntsmat_trust(m, src->certset)) == NULL) {
		log_warnx("source %s: certset %d has no trusted certificates",
		    src->name, src->certset);
		return NULL;
	}
	p.sim = ctx->sim;
	p.nocerttimecheck = ctx->conf->nocerttimecheck > 0 &&
	    (!ctx->have_cs ||
	    ectx_updates(ctx) < (uint32_t)ctx->conf->nocerttimecheck);
	if ((c = ntske_client_start(ctx->base, ctx->dns, &p, request, done,
	    arg)) == NULL)
		log_warnx("source %s: cannot start NTS-KE", src->name);
	return c;
}
