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
 * The NTS-KE transport (RFC 8915 section 4): TLS 1.3 with ALPN "ntske/1"
 * over TCP, on libevent's bufferevent_openssl.  It frames messages by
 * their record headers up to the End of Message record, bounds sizes,
 * connections and time, and hands whole messages to callbacks; what the
 * records say is the record layer's business (lib/nts.h), not this one's.
 */

#ifndef TIMED_NTSKE_H
#define TIMED_NTSKE_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define NTSKE_ALPN		"ntske/1"
#define NTSKE_PORT		4460
#define NTSKE_MAX_CONNS		100	/* server: handshakes and requests */
#define NTSKE_TIMEOUT_MS	2000	/* server: accept to answer */
#define NTSKE_CLIENT_TIMEOUT_MS	5000	/* client: connect to answer */
#define NTSKE_MAX_REQUEST	4096	/* bytes, End of Message included */
#define NTSKE_MAX_RESPONSE	16384	/* chrony's NKE_MAX_MESSAGE_LENGTH */
#define NTSKE_MAX_PEM		(4 * 1024 * 1024)	/* one memfd */

/* The exporter's label and the AEAD of RFC 8915 (id 15). */
#define NTSKE_EXPORTER_LABEL	"EXPORTER-network-time-security"
#define NTSKE_AEAD_AES_SIV_CMAC_256	15

enum ntske_error {
	NTSKE_OK = 0,
	NTSKE_ERR_DNS,		/* the name did not resolve */
	NTSKE_ERR_CONNECT,	/* TCP connection refused, reset, ... */
	NTSKE_ERR_TLS,		/* handshake failed (version, ALPN, ...) */
	NTSKE_ERR_VERIFY,	/* certificate or host name not trusted */
	NTSKE_ERR_ALPN,		/* server did not select ntske/1 */
	NTSKE_ERR_TIMEOUT,
	NTSKE_ERR_TOOBIG,	/* answer over NTSKE_MAX_RESPONSE */
	NTSKE_ERR_CLOSED,	/* closed before End of Message */
	NTSKE_ERR_REQUEST	/* the request callback failed */
};

/* Counters of a server, since it started. */
struct ntske_stats {
	uint64_t	accepted;	/* connections taken on */
	uint64_t	dropped;	/* closed at once: over the cap */
	uint64_t	limited;	/* closed at once: ntsratelimit */
	uint64_t	handshake_failed; /* TLS failed, or no ntske/1 */
	uint64_t	timeouts;	/* not done within the timeout */
	uint64_t	oversized;	/* request over max_request */
	uint64_t	closed_early;	/* closed before End of Message */
	uint64_t	refused;	/* the handler gave no answer */
	uint64_t	answered;
};

/*
 * The X25519 key pairs that NTS-KE servers make ahead (ntske_kx.c), in
 * this process, since ntske_init().
 */
struct ntske_kx_stats {
	uint64_t	filled;		/* made ahead */
	uint64_t	pooled;		/* handshakes that took one made ahead */
	uint64_t	made;		/* handshakes that made their own */
};

/*
 * Server: a whole request (records up to and including End of Message)
 * came in over ssl.  Write at most *resplen bytes of answer to resp and
 * set *resplen; return 0 to send it (then close_notify and close), -1 to
 * close without an answer.  ssl serves ntske_export_keys().  early: the
 * connection's early_size bytes as the early function left them, or
 * NULL if it did not run.
 */
typedef int	(*ntske_handle_fn)(void *arg, SSL *ssl, void *early,
		    const uint8_t *req, size_t reqlen, uint8_t *resp,
		    size_t *resplen);
/*
 * Server, optional: the server's flight is out (ssl serves
 * ntske_export_keys() already) and the client's Finished not in yet,
 * with no other connection to serve: work ahead into early (early_size
 * bytes, zero at first; cleansed and freed with the connection).  Called
 * at most once a connection.
 */
typedef void	(*ntske_early_fn)(void *arg, SSL *ssl, void *early);

/*
 * Client: build the request into req (at most *reqlen bytes), set
 * *reqlen; 0, or -1 to give up (done gets NTSKE_ERR_REQUEST).
 */
typedef int	(*ntske_request_fn)(void *arg, SSL *ssl, uint8_t *req,
		    size_t *reqlen);
/*
 * Client: the exchange is over.  error is an enum ntske_error; with
 * NTSKE_OK, resp holds the answer up to and including End of Message.
 * ssl is valid during the call alone (NULL if no TLS session was made),
 * for ntske_export_keys().  The connection is freed after the call.
 */
typedef void	(*ntske_done_fn)(void *arg, int error, SSL *ssl,
		    const uint8_t *resp, size_t len);

struct ntske_server_params {
	int		 max_conns;	/* 0: NTSKE_MAX_CONNS */
	int		 timeout_ms;	/* 0: NTSKE_TIMEOUT_MS */
	size_t		 max_request;	/* 0: NTSKE_MAX_REQUEST */
	struct clog	*limiter;	/* ntsratelimit, or NULL; not owned */
	ntske_early_fn	 early;		/* or NULL */
	size_t		 early_size;	/* bytes for early, > 0 with it */
	int		 sim;		/* in clknetsim: one accept(2) a
					   wakeup, sends of a segment */
};

struct ntske_client_params {
	const char	*host;		/* name or numeric address */
	uint16_t	 port;		/* 0: NTSKE_PORT */
	SSL_CTX		*ctx;		/* ntske_client_ctx(); referenced */
	int		 nocerttimecheck; /* do not check validity dates */
	int		 timeout_ms;	/* 0: NTSKE_CLIENT_TIMEOUT_MS */
	int		 sim;		/* in clknetsim: see ntske_client.c */
};

/*
 * clknetsim (regress/sim/timed-sim) interposes send(2) and recv(2) on its
 * TCP sockets but not read(2), write(2) or readv(2), which OpenSSL's
 * socket BIO and libevent's buffers use; it hands over a whole message
 * of at most 4000 bytes a send, and aborts on accept(2) with no
 * connection waiting or on send(2) before the connection is up.
 */
#define NTSKE_SIM_SEGMENT	1448	/* bytes a send(2) in clknetsim */

struct event_base;
struct evdns_base;
struct ntske_server;
struct ntske_conn;
struct clog;

/*
 * Initialise OpenSSL for a sandbox; call before the chroot and the
 * seccomp filter: no configuration file is read, the algorithms are
 * fetched, the random generators seeded (later reseeds use
 * getrandom(2)) and the first X25519 key pairs for servers made.
 * Everything else comes from memory.  0 or -1.
 */
int	 ntske_init(void);
/*
 * A server context from PEM text: the certificate chain (leaf first)
 * and its private key, in one buffer.  TLS 1.3 only, ntske/1 required.
 * NULL with a reason in err on any fault.
 */
SSL_CTX	*ntske_server_ctx(const uint8_t *pem, size_t len, char *err,
	    size_t errlen);
/*
 * A client context trusting the CA certificates in PEM text (none: it
 * trusts nothing).  TLS 1.3 only.  NULL with a reason in err.
 */
SSL_CTX	*ntske_client_ctx(const uint8_t *pem, size_t len, char *err,
	    size_t errlen);
void	 ntske_kx_stats(struct ntske_kx_stats *);
/* Map a memfd (or any regular file) read-only; munmap when done. */
uint8_t	*ntske_map_fd(int fd, size_t *len, char *err, size_t errlen);

struct ntske_server *ntske_server_new(struct event_base *,
	    const struct ntske_server_params *, ntske_handle_fn, void *arg);
/* Closes the listening sockets and every connection. */
void	 ntske_server_free(struct ntske_server *);
/* Accept on listening socket fd (the server closes it); 0 or -1. */
int	 ntske_server_add_socket(struct ntske_server *, int fd);
/*
 * The certificates for new handshakes, replacing the previous ones;
 * the first is the default, the others are chosen by the client's SNI
 * name.  The server takes a reference to each; n == 0: no handshake is
 * possible, connections are closed at once.  Connections under way
 * keep the context they started with.
 */
void	 ntske_server_set_ctx(struct ntske_server *, SSL_CTX **, int n);
void	 ntske_server_stats(const struct ntske_server *, struct ntske_stats *);
/* Connections open now. */
int	 ntske_server_conns(const struct ntske_server *);

/*
 * Start an exchange with the server params names: resolve (dns; NULL:
 * numeric addresses only), connect, handshake with certificate and host
 * name verification, request, answer.  done is called exactly once,
 * never from within this call.  NULL if out of resources.
 */
struct ntske_conn *ntske_client_start(struct event_base *,
	    struct evdns_base *, const struct ntske_client_params *,
	    ntske_request_fn, ntske_done_fn, void *arg);
/* Abandon an exchange; done is not called.  Not from within done. */
void	 ntske_client_cancel(struct ntske_conn *);

/*
 * The keys of RFC 8915 section 5.1 for AEAD aead (15: AES-SIV-CMAC-256,
 * keylen 32): the TLS exporter with label NTSKE_EXPORTER_LABEL and
 * context protocol 0 (NTPv4), aead, then 0 for c2s, 1 for s2c.  0 or -1.
 */
int	 ntske_export_keys(SSL *, uint16_t aead, uint8_t *c2s, uint8_t *s2c,
	    size_t keylen);

/* "certificate verification failed", ... for an enum ntske_error. */
const char *ntske_strerror(int);

#endif
