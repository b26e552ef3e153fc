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
 * X25519 key shares made ahead of the ClientHello.
 *
 * A TLS 1.3 server makes a fresh X25519 key pair for each handshake
 * before it can send its ServerHello: a scalar multiplication, as costly
 * as the key agreement itself, on the path of every client that waits.
 * The NTS-KE server makes them ahead instead, while it waits for a
 * client anyway, and takes one from a small pool when a ClientHello
 * comes.  Each key pair is used once and freed (and wiped) by OpenSSL
 * after its handshake, as one made on the spot would be.
 *
 * OpenSSL 3 has no call to hand a key share to a handshake, so this is
 * a provider, "timed-kx", that the server's SSL_CTX prefers for X25519.
 * It does no cryptography of its own.  Its key management is the default
 * provider's, function for function and with the default provider's own
 * context, except that key generation may take a key pair from the pool;
 * its key exchange is the default provider's as it is.  The pool is made
 * with the default provider's functions too, so its keys are that
 * provider's objects and everything OpenSSL does with them is unchanged.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "ntske.h"
#include "ntske_int.h"

#define KX_NAME		"timed-kx"
#define KX_POOL		4	/* a lone client needs one */
#define KX_GENS		4	/* key pair generations under way */
#define KX_MAXFN	48

static struct {
	OSSL_PROVIDER			*deflt;
	OSSL_PROVIDER			*self;
	void				*provctx;	/* the default's */
	OSSL_FUNC_keymgmt_gen_init_fn	*gen_init;
	OSSL_FUNC_keymgmt_gen_fn	*gen;
	OSSL_FUNC_keymgmt_gen_cleanup_fn *gen_cleanup;
	OSSL_FUNC_keymgmt_free_fn	*free;
	OSSL_DISPATCH			 kmgmt[KX_MAXFN];
	OSSL_ALGORITHM			 kmgmt_alg[2];
	OSSL_ALGORITHM			 kexch_alg[2];
	void				*pairs[KX_GENS];
	void				*pool[KX_POOL];
	int				 npool;
	pid_t				 pid;	/* the pool's maker */
	struct ntske_kx_stats		 st;
} kx;

/*
 * Key generation: the default's, but a key pair may come from the pool.
 * The generation contexts are the default's own, so that every other
 * call on them goes straight to it; those that want a key pair, rather
 * than parameters alone, are remembered here.
 */

static void *
kx_gen_init(void *provctx, int selection, const OSSL_PARAM params[])
{
	void	*g;
	int	 i;

	if ((g = kx.gen_init(provctx, selection, params)) == NULL ||
	    (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) !=
	    OSSL_KEYMGMT_SELECT_KEYPAIR)
		return g;
	for (i = 0; i < KX_GENS; i++)
		if (kx.pairs[i] == NULL) {
			kx.pairs[i] = g;
			break;
		}
	return g;
}

static int
kx_pair_slot(void *genctx)
{
	int	 i;

	for (i = 0; i < KX_GENS; i++)
		if (kx.pairs[i] == genctx)
			return i;
	return -1;
}

/* A forked child has its parent's key pairs: never use them twice. */
static void
kx_check_fork(void)
{
	void	*key;

	if (kx.pid == getpid())
		return;
	while (kx.npool > 0) {
		key = kx.pool[--kx.npool];
		kx.free(key);
	}
	kx.pid = getpid();
}

static void *
kx_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
	if (kx_pair_slot(genctx) == -1)
		return kx.gen(genctx, cb, cbarg);
	kx_check_fork();
	if (kx.npool > 0) {
		kx.st.pooled++;
		return kx.pool[--kx.npool];
	}
	kx.st.made++;
	return kx.gen(genctx, cb, cbarg);
}

static void
kx_gen_cleanup(void *genctx)
{
	int	 i;

	if (genctx != NULL && (i = kx_pair_slot(genctx)) != -1)
		kx.pairs[i] = NULL;
	kx.gen_cleanup(genctx);
}

/* The provider */

static const OSSL_ALGORITHM *
kx_query(void *provctx, int op, int *no_cache)
{
	*no_cache = 0;
	switch (op) {
	case OSSL_OP_KEYMGMT:
		return kx.kmgmt_alg;
	case OSSL_OP_KEYEXCH:
		return kx.kexch_alg;
	}
	return NULL;
}

struct kx_cap {
	OSSL_CALLBACK	*cb;
	void		*arg;
};

static int
kx_cap_x25519(const OSSL_PARAM params[], void *arg)
{
	struct kx_cap	*c = arg;
	const OSSL_PARAM *p;
	const char	*name;

	p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
	if (p == NULL || OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1 ||
	    strcmp(name, "x25519") != 0)
		return 1;
	return c->cb(params, c->arg);
}

/*
 * TLS takes a group only from a provider that names it and has its key
 * management for the context's query: ours, for x25519.  The default's
 * description of the group is ours too.
 */
static int
kx_caps(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg)
{
	struct kx_cap	 c = { cb, arg };

	if (strcmp(capability, "TLS-GROUP") != 0)
		return 1;
	return OSSL_PROVIDER_get_capabilities(kx.deflt, capability,
	    kx_cap_x25519, &c);
}

static const OSSL_DISPATCH kx_prov_fns[] = {
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))kx_query },
	{ OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))kx_caps },
	{ 0, NULL }
};

static int
kx_prov_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
    const OSSL_DISPATCH **out, void **provctx)
{
	*out = kx_prov_fns;
	*provctx = kx.provctx;
	return 1;
}

/* The default provider's X25519 in operation op, or NULL. */
static const OSSL_ALGORITHM *
default_x25519(int op)
{
	const OSSL_ALGORITHM	*a;
	int			 nc;

	if ((a = OSSL_PROVIDER_query_operation(kx.deflt, op, &nc)) == NULL)
		return NULL;
	for (; a->algorithm_names != NULL; a++)
		if (strncmp(a->algorithm_names, "X25519", 6) == 0 &&
		    (a->algorithm_names[6] == '\0' ||
		    a->algorithm_names[6] == ':'))
			return a;
	return NULL;
}

/* Our key management: the default's functions, key generation wrapped. */
static int
kx_wrap(const OSSL_DISPATCH *fn)
{
	OSSL_DISPATCH	*d = kx.kmgmt;
	int		 n = 0;

	for (; fn->function_id != 0; fn++) {
		if (n == KX_MAXFN - 1)
			return -1;
		d[n] = *fn;
		switch (fn->function_id) {
		case OSSL_FUNC_KEYMGMT_GEN_INIT:
			kx.gen_init = OSSL_FUNC_keymgmt_gen_init(fn);
			d[n].function = (void (*)(void))kx_gen_init;
			break;
		case OSSL_FUNC_KEYMGMT_GEN:
			kx.gen = OSSL_FUNC_keymgmt_gen(fn);
			d[n].function = (void (*)(void))kx_gen;
			break;
		case OSSL_FUNC_KEYMGMT_GEN_CLEANUP:
			kx.gen_cleanup = OSSL_FUNC_keymgmt_gen_cleanup(fn);
			d[n].function = (void (*)(void))kx_gen_cleanup;
			break;
		case OSSL_FUNC_KEYMGMT_FREE:
			kx.free = OSSL_FUNC_keymgmt_free(fn);
			break;
		}
		n++;
	}
	d[n].function_id = 0;
	d[n].function = NULL;
	if (kx.gen_init == NULL || kx.gen == NULL || kx.gen_cleanup == NULL ||
	    kx.free == NULL)
		return -1;
	return 0;
}

int
ntske_kx_init(void)
{
	const OSSL_ALGORITHM	*km, *ke;

	if (kx.self != NULL)
		return 0;
	/* Named once, the default is no longer loaded by itself: load it. */
	if ((kx.deflt = OSSL_PROVIDER_load(NULL, "default")) == NULL)
		return -1;
	if ((km = default_x25519(OSSL_OP_KEYMGMT)) == NULL ||
	    (ke = default_x25519(OSSL_OP_KEYEXCH)) == NULL ||
	    kx_wrap(km->implementation) == -1)
		return -1;
	kx.provctx = OSSL_PROVIDER_get0_provider_ctx(kx.deflt);
	kx.kmgmt_alg[0] = *km;
	kx.kmgmt_alg[0].property_definition = "provider=" KX_NAME;
	kx.kmgmt_alg[0].implementation = kx.kmgmt;
	kx.kexch_alg[0] = *ke;
	kx.kexch_alg[0].property_definition = "provider=" KX_NAME;
	/* Every other fetch, the client's too, stays with the default. */
	if (EVP_set_default_properties(NULL, "?provider=default") != 1 ||
	    OSSL_PROVIDER_add_builtin(NULL, KX_NAME, kx_prov_init) != 1 ||
	    (kx.self = OSSL_PROVIDER_load(NULL, KX_NAME)) == NULL)
		return -1;
	while (kx.npool < KX_POOL)
		if (ntske_kx_fill() == -1)
			return -1;
	return 0;
}

const char *
ntske_kx_propq(void)
{
	return kx.self == NULL ? NULL : "?provider=" KX_NAME;
}

int
ntske_kx_fill(void)
{
	void	*g, *key;

	if (kx.self == NULL)
		return 0;
	kx_check_fork();
	if (kx.npool == KX_POOL)
		return 0;
	if ((g = kx.gen_init(kx.provctx, OSSL_KEYMGMT_SELECT_KEYPAIR,
	    NULL)) == NULL)
		return -1;
	key = kx.gen(g, NULL, NULL);
	kx.gen_cleanup(g);
	if (key == NULL)
		return -1;
	kx.pool[kx.npool++] = key;
	kx.st.filled++;
	return 0;
}

void
ntske_kx_stats(struct ntske_kx_stats *st)
{
	*st = kx.st;
}
