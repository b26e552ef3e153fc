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
 * Network Time Security (RFC 8915), the pure parts: the NTS-KE record
 * codec (section 4), the NTS extension fields of NTP packets (section 5),
 * and the server's cookies with their master keys.  No sockets, no TLS,
 * no clock, no random numbers: the caller passes the time and the random
 * bytes (nonces, UIDs, new keys), which keeps every function testable and
 * fuzzable.  The AEAD is AEAD_AES_SIV_CMAC_256 (id 15) from siv.h.
 *
 * Server, per NTS request (after pkt_decode() and the usual checks):
 *	r = nts_server_check(ring, scratch, pkt, len, &req, &keys);
 *	NTS_OK:		build the answer header with pkt_respond(), then
 *			n = nts_server_respond(ring, scratch, &req, &keys,
 *			    rnd, NTS_RESPOND_RND_LEN, out, outsize, len);
 *	NTS_ERR_COOKIE, NTS_ERR_AUTH: pkt_respond() with kod NTS_KOD_NTSN,
 *			then n = nts_server_nak(&req, out, outsize, len);
 *	otherwise:	drop, count.
 *	nts_keys_clear(&keys) in every case.
 * Client: nts_ke_request() -> TLS -> nts_ke_parse_response(); keys from
 * SSL_export_keying_material() with NTS_KE_EXPORTER_LABEL and
 * nts_ke_exporter_context(); then per poll nts_client_request() and
 * nts_client_check() on the answer.
 *
 * Cookie format (this server's; opaque to clients), 104 bytes:
 *	key id		4	big-endian id of the master key that sealed it
 *	nonce		16	random, from the caller
 *	tag		16	AES-SIV-CMAC-256 synthetic IV
 *	ciphertext	68	AES-SIV of: AEAD id (2, big-endian, 15),
 *				key length (2, big-endian, 32), C2S key (32),
 *				S2C key (32)
 * The associated data is the key id; the SIV key is the master key.
 *
 * Master keys: 32 random bytes with a 32-bit id.  The ring holds the
 * current key (which seals) and the NTS_KEYRING_SIZE - 1 before it
 * (which still open), so a cookie stays good for NTS_KEYRING_SIZE - 1
 * rotations after the one that issued it.  Random keys have ids with the
 * top bit clear.
 *
 * Fleet sharing: servers given the same secret seed derive the same key
 * for each period of interval_s seconds (period = floor(unix_s /
 * interval_s)):
 *	key = HKDF-SHA256(salt = none, IKM = seed,
 *	    info = "timed nts cookie key" || period as 8 bytes big-endian)
 *	id  = 0x80000000 | (period mod 2^31)
 * The ring then holds the periods p + 1 (a server whose clock runs ahead
 * may already seal with it), p (current), p - 1 and p - 2, so servers of
 * a fleet accept each other's cookies, and rotate at the same moments,
 * without exchanging files.  They must share interval_s, and their clocks
 * must agree within an interval.
 *
 * Key file (written by the monitor in ntsdumpdir; text, versioned; every
 * line ends with a newline, hex is lowercase, nothing else is allowed):
 *	timed-nts-keys 1
 *	seed <hex, 32 to 64 bytes>	(fleet mode: this line and interval)
 *	interval <seconds>
 * or, for keys of this server alone, oldest first, the last is current:
 *	timed-nts-keys 1
 *	key <id, 8 hex digits> <key, 64 hex digits>
 *	...
 */

#ifndef TIMED_NTS_H
#define TIMED_NTS_H

#include <stddef.h>
#include <stdint.h>

struct siv;

#define NTS_AEAD_AES_SIV_CMAC_256	15
#define NTS_PROTO_NTPV4			0
#define NTS_KEY_LEN			32	/* C2S or S2C for AEAD 15 */
#define NTS_NONCE_LEN			16	/* what timed sends */
#define NTS_UID_LEN			32	/* what timed sends */
#define NTS_MAX_COOKIES			8	/* kept by a client */
#define NTS_COOKIE_MAX			256	/* longest cookie accepted */
#define NTS_COOKIE_LEN			104	/* timed's cookies */
#define NTS_KOD_NTSN			0x4e54534e	/* "NTSN" */

/* --- NTS-KE (RFC 8915 4) ------------------------------------------- */

#define NTS_KE_CRITICAL		0x8000
#define NTS_KE_END		0
#define NTS_KE_NEXT_PROTO	1
#define NTS_KE_ERROR		2
#define NTS_KE_WARNING		3
#define NTS_KE_AEAD		4
#define NTS_KE_COOKIE		5
#define NTS_KE_SERVER		6
#define NTS_KE_PORT		7

#define NTS_KE_ERR_UNRECOGNIZED	0	/* Error codes */
#define NTS_KE_ERR_BAD_REQUEST	1
#define NTS_KE_ERR_INTERNAL	2

#define NTS_KE_MAX_MSG		16384	/* a whole message */
#define NTS_KE_MAX_BODY		256	/* a known record's body */
#define NTS_KE_MAX_SERVER	255	/* Server Negotiation, characters */
#define NTS_KE_EXPORTER_LABEL	"EXPORTER-network-time-security"
#define NTS_KE_CONTEXT_LEN	5

/* A parsed NTS-KE message, either direction. */
struct nts_ke_msg {
	int		 ntpv4;		/* Next Protocol lists NTPv4 */
	int		 n_proto;	/* ids in Next Protocol */
	uint16_t	 aead;		/* request: first id we support, in
					   the client's order; response: the
					   id; 0 if none */
	int		 n_aead;	/* ids in AEAD Algorithm Negotiation */
	int		 error;		/* Error code, -1 if none */
	int		 warning;	/* Warning code, -1 if none */
	int		 n_cookies;	/* New Cookie records kept */
	uint16_t	 cookie_len[NTS_MAX_COOKIES];
	uint8_t		 cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
	char		 server[NTS_KE_MAX_SERVER + 1];	/* "" if none */
	int		 port;		/* Port Negotiation, -1 if none */
};

enum nts_ke_reason {
	NTS_KE_OK = 0,
	NTS_KE_TRUNCATED,	/* a record runs past the end */
	NTS_KE_NO_END,		/* no End of Message */
	NTS_KE_TOO_LONG,	/* message or known record body too long */
	NTS_KE_CRITICAL_UNKNOWN,/* unrecognised critical record */
	NTS_KE_BAD,		/* wrong length, content, direction, order */
	NTS_KE_DUPLICATE,	/* a record that may appear once, twice */
	NTS_KE_SERVER_ERROR,	/* response: an Error record (msg.error) */
	NTS_KE_SERVER_WARNING,	/* response: a Warning record (msg.warning) */
	NTS_KE_NO_NTPV4,	/* response: NTPv4 not agreed */
	NTS_KE_NO_AEAD,		/* response: no AEAD agreed */
	NTS_KE_NO_COOKIES,	/* response: no cookie */
	NTS_KE_NREASONS
};

/*
 * Parse a whole client request (buf holds exactly one message, End of
 * Message last).  NTS_KE_OK also when it offers no NTPv4 or no AEAD we
 * support (msg->ntpv4 0, msg->aead 0): the answer then says so.
 */
enum nts_ke_reason nts_ke_parse_request(const uint8_t *, size_t,
		    struct nts_ke_msg *);
/*
 * Parse a whole server response to nts_ke_request()'s request.  NTS_KE_OK
 * only if it agrees NTPv4 and AEAD 15 and gives at least one cookie
 * (extra cookies beyond NTS_MAX_COOKIES are skipped).
 */
enum nts_ke_reason nts_ke_parse_response(const uint8_t *, size_t,
		    struct nts_ke_msg *);
/* The Error code a server sends for a request that failed to parse. */
int		 nts_ke_error_code(enum nts_ke_reason);
const char	*nts_ke_reason_str(enum nts_ke_reason);

/*
 * Stream framing: does buf start with a whole message?  1 with *msglen
 * set (through End of Message), 0 if more bytes are needed, -1 if it
 * cannot be one (longer than NTS_KE_MAX_MSG).
 */
int		 nts_ke_scan(const uint8_t *, size_t, size_t *msglen);

/*
 * The client's request: Next Protocol (NTPv4), AEAD (15), optionally
 * Server (server != NULL) and Port (port >= 0) Negotiation, End of
 * Message.  Returns its length, or 0 if out is too small or an argument
 * is bad.
 */
size_t		 nts_ke_request(uint8_t *out, size_t outsize,
		    const char *server, int port);

/* What a server answers. */
struct nts_ke_reply {
	int		 error;		/* >= 0: Error record and End only */
	int		 ntpv4;		/* NTPv4 agreed (else empty list) */
	uint16_t	 aead;		/* 0: empty list */
	int		 n_cookies;
	const uint8_t	*cookie[NTS_MAX_COOKIES];
	size_t		 cookie_len[NTS_MAX_COOKIES];
	const char	*server;	/* NULL: no Server record */
	int		 port;		/* -1: no Port record */
};
/* Encode a server's answer; its length, or 0 (too small, bad args). */
size_t		 nts_ke_response(const struct nts_ke_reply *, uint8_t *out,
		    size_t outsize);

/* TLS exporter context: protocol id 0, aead, 0 (C2S) or 1 (S2C). */
void		 nts_ke_exporter_context(uint16_t aead, int s2c,
		    uint8_t ctx[NTS_KE_CONTEXT_LEN]);
/* Key length of an AEAD id (32 for 15), 0 if unsupported. */
size_t		 nts_aead_key_len(uint16_t aead);

/* --- Cookies and master keys --------------------------------------- */

#define NTS_KEYRING_SIZE	4
#define NTS_MASTER_KEY_LEN	32
#define NTS_SEED_MIN		32
#define NTS_SEED_MAX		64
#define NTS_ROTATE_RND_LEN	(4 + NTS_MASTER_KEY_LEN)

/* The keys a cookie carries; wipe with nts_keys_clear(). */
struct nts_keys {
	uint16_t	 aead;
	uint8_t		 c2s[NTS_KEY_LEN];
	uint8_t		 s2c[NTS_KEY_LEN];
};
void		 nts_keys_clear(struct nts_keys *);

struct nts_keyring;

struct nts_keyring *nts_keyring_new(void);
void		 nts_keyring_free(struct nts_keyring *);
/*
 * Add a master key, which becomes the current one; the oldest goes when
 * the ring is full.  -1 if the id is already in the ring.
 */
int		 nts_keyring_add(struct nts_keyring *, uint32_t id,
		    const uint8_t key[NTS_MASTER_KEY_LEN]);
/* Rotate to a random key: rnd is NTS_ROTATE_RND_LEN random bytes. */
int		 nts_keyring_rotate(struct nts_keyring *, const uint8_t *rnd,
		    size_t rndlen);
/* The current key's id; -1 if the ring is empty. */
int		 nts_keyring_current(const struct nts_keyring *,
		    uint32_t *id);
/*
 * Fleet mode: make the ring hold the keys derived from seed for the
 * periods around unix_s (see above), the current one the period of
 * unix_s.  Call at start and whenever the period changes.
 */
int		 nts_keyring_sync_seed(struct nts_keyring *,
		    const uint8_t *seed, size_t seedlen, int64_t unix_s,
		    uint32_t interval_s);
/* One period's key and id from a seed. */
int		 nts_key_derive(const uint8_t *seed, size_t seedlen,
		    uint64_t period, uint8_t key[NTS_MASTER_KEY_LEN],
		    uint32_t *id);

/* Seal keys into a cookie with the current key; 0, or -1. */
int		 nts_cookie_seal(struct nts_keyring *,
		    const struct nts_keys *, const uint8_t nonce[NTS_NONCE_LEN],
		    uint8_t out[NTS_COOKIE_LEN]);
/* Open a cookie: -1 if its length, key id or tag is wrong. */
int		 nts_cookie_open(struct nts_keyring *, const uint8_t *cookie,
		    size_t len, struct nts_keys *out);

/* The key file's contents (see above). */
struct nts_keyfile {
	int		 has_seed;
	uint8_t		 seed[NTS_SEED_MAX];
	size_t		 seedlen;
	uint32_t	 interval_s;
	int		 n_keys;	/* oldest first; last is current */
	uint32_t	 id[NTS_KEYRING_SIZE];
	uint8_t		 key[NTS_KEYRING_SIZE][NTS_MASTER_KEY_LEN];
};
#define NTS_KEYFILE_MAX		512	/* longest file, bytes */
/* Text of a key file into buf, NUL-terminated; its length, or 0. */
size_t		 nts_keyfile_write(const struct nts_keyfile *, char *buf,
		    size_t bufsize);
/* Parse a key file; -1 with *line the bad line (0: the file as a whole). */
int		 nts_keyfile_parse(const char *, size_t, struct nts_keyfile *,
		    int *line);
/* The ring's keys into a key file, oldest first. */
void		 nts_keyring_export(const struct nts_keyring *,
		    struct nts_keyfile *);
/* A ring from a key file: its keys, or the seed's keys around unix_s. */
int		 nts_keyring_load(struct nts_keyring *,
		    const struct nts_keyfile *, int64_t unix_s);

/* --- NTS extension fields in NTP packets (RFC 8915 5) --------------- */

#define NTS_EF_UID		0x0104
#define NTS_EF_COOKIE		0x0204
#define NTS_EF_PLACEHOLDER	0x0304
#define NTS_EF_AUTH		0x0404
#define NTS_RESPOND_RND_LEN	(NTS_NONCE_LEN * (1 + NTS_MAX_COOKIES))

enum nts_result {
	NTS_OK = 0,
	NTS_ERR_MALFORMED,	/* fields missing, repeated, bad lengths */
	NTS_ERR_COOKIE,		/* server: cookie does not open (NAK) */
	NTS_ERR_AUTH,		/* authenticator fails (server: NAK) */
	NTS_ERR_UID,		/* client: not the UID we sent */
	NTS_NAK,		/* client: NTS NAK for our UID */
	NTS_ERR_INTERNAL,	/* buffer too small, OpenSSL failure */
	NTS_NRESULTS
};
const char	*nts_result_str(enum nts_result);

/* A request's NTS fields; pointers into the packet. */
struct nts_req {
	const uint8_t	*uid;
	size_t		 uid_len;
	const uint8_t	*cookie;
	size_t		 cookie_len;
	int		 n_placeholders;
	size_t		 auth_off;	/* authenticator: all before is AD */
	const uint8_t	*nonce;
	size_t		 nonce_len;
	const uint8_t	*ct;
	size_t		 ct_len;
};

/*
 * Client: append UID, cookie, n_placeholders Cookie Placeholders (as
 * long as the cookie) and the authenticator (nonce, empty plaintext,
 * sealed with the C2S key over everything before it) to the 48-byte
 * header the caller wrote at pkt[0].  Returns the packet's length, or 0
 * if it does not fit in pktsize (or PKT_MAX_LEN) or an argument is bad.
 */
size_t		 nts_client_request(struct siv *c2s, uint8_t *pkt,
		    size_t pktsize, const uint8_t uid[NTS_UID_LEN],
		    const uint8_t *cookie, size_t cookie_len,
		    int n_placeholders, const uint8_t nonce[NTS_NONCE_LEN]);

/* New cookies a verified answer carried. */
struct nts_cookies {
	int		 n;
	uint16_t	 len[NTS_MAX_COOKIES];
	uint8_t		 cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
};
/*
 * Client: check an answer to a request with uid: NTS_OK (authenticated
 * with the S2C key, UID ours; the cookies in *out), NTS_NAK (a kiss
 * NTSN carrying our UID and no authenticator: unauthenticated, act on
 * it only if the origin timestamp matches too), or why not.
 */
enum nts_result	 nts_client_check(struct siv *s2c, const uint8_t *pkt,
		    size_t len, const uint8_t uid[NTS_UID_LEN],
		    struct nts_cookies *out);

/* Server: the NTS fields of a request, without crypto. */
enum nts_result	 nts_request_parse(const uint8_t *pkt, size_t len,
		    struct nts_req *);
/*
 * Server: parse, open the cookie into *keys, key scratch with the C2S
 * key and verify the authenticator.  NTS_ERR_MALFORMED: drop;
 * NTS_ERR_COOKIE, NTS_ERR_AUTH: NAK.  *keys is wiped unless NTS_OK.
 */
enum nts_result	 nts_server_check(struct nts_keyring *, struct siv *scratch,
		    const uint8_t *pkt, size_t len, struct nts_req *,
		    struct nts_keys *keys);
/*
 * Server: to the 48-byte answer header at out[0], append the request's
 * UID and an authenticator (S2C key, nonce from rnd) whose encrypted
 * part holds one new cookie for the cookie and each placeholder (up to
 * NTS_MAX_COOKIES, fewer if the answer would be longer than the request:
 * it never is).  rnd: NTS_RESPOND_RND_LEN random bytes.  Returns the
 * answer's length (<= reqlen), or 0.  out must not overlap the request:
 * the UID is copied from it.  scratch is left keyed with the S2C key.
 */
size_t		 nts_server_respond(struct nts_keyring *, struct siv *scratch,
		    const struct nts_req *, const struct nts_keys *,
		    const uint8_t *rnd, size_t rndlen, uint8_t *out,
		    size_t outsize, size_t reqlen);
/*
 * Server: an NTS NAK: to the kiss-o'-death header (NTS_KOD_NTSN) at
 * out[0], append the request's UID.  Returns the length (<= reqlen), or 0.
 * out must not overlap the request.
 */
size_t		 nts_server_nak(const struct nts_req *, uint8_t *out,
		    size_t outsize, size_t reqlen);

#endif
