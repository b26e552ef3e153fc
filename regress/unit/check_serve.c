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
 * Unit tests of the serving core (lib/serve.c): one table, each row a
 * request and the server it reaches, and the verdict and answer wanted.
 * Every row gets a server of its own, set up from a config as
 * daemon/server.c sets it up (acl, ntsonly, client log, timestamp map).
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "acl.h"
#include "clog.h"
#include "conf.h"
#include "pkt.h"
#include "serve.h"
#include "tsm.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The servers' config; every row's server reads it. */
static const char *const conf_lines[] = {
	"allow 10.0.0.0/8",
	"deny 10.9.0.0/16",
	"allow 2001:db8::/32",
	"ntsonly 10.1.0.0/16",
	"ntsonly 192.0.2.0/24",		/* named, but not allowed */
	"ratelimit interval 4 burst 2 leak 2",
	NULL
};
#define RATE_INTERVAL	4

/* The server's state: what the answers say. */
enum { ST_SYNCED, ST_LOCAL, ST_UNSYNC, ST_LEAP };
#define REF_SYNCED	0xed1c2b3a80000000ULL
#define REF_LOCAL	0xed1c2c0000000000ULL
static const struct srv_state	states[] = {
	[ST_SYNCED] = { PKT_LEAP_NONE, 2, -24, 0xc0000201, REF_SYNCED,
	    0.015, 0.5, 0 },
	/* as server_update() makes them */
	[ST_LOCAL] = { PKT_LEAP_NONE, 10, -24, PKT_REFID_LOCAL, REF_LOCAL,
	    0.0, 0.0, 0 },
	[ST_UNSYNC] = { PKT_LEAP_UNSYNC, 16, -24, 0, 0, 1.0, 1.0, 0 },
	[ST_LEAP] = { PKT_LEAP_INSERT, 1, -24, 0x47505300, REF_SYNCED,
	    0.0, 0.001, 0 },
};

/* The server's setup. */
#define SRV_NTS		0x01	/* serves NTS */
#define SRV_NOKEYS	0x02	/* no keyfile: no MAC check */
#define SRV_NORATE	0x04	/* no ratelimit directive */
#define SRV_BASIC	0x08	/* noclientlog: basic answers only */

/* What follows the header. */
enum {
	TAIL_NONE,		/* 48 bytes */
	TAIL_SHORT,		/* 47 bytes in all */
	TAIL_ODD,		/* 50 bytes in all */
	TAIL_EF,		/* an NTS Unique Identifier field, 36 bytes */
	TAIL_BADEF,		/* a field whose length word says 12 */
	TAIL_EXP1,		/* chrony's F323 field, a request's */
	TAIL_EXP1_BAD,		/* the same, a wrong magic */
	TAIL_EXP1_EF,		/* TAIL_EF's field, then TAIL_EXP1's */
	TAIL_MAC,		/* key KEY_ID, the digest fake_mac() takes */
	TAIL_MAC_BAD,		/* key KEY_ID, a wrong digest */
	TAIL_MAC_UNKNOWN,	/* a key the server does not have */
	TAIL_NAK,		/* 4 bytes of key id 0 */
	TAIL_EXP1_MAC		/* TAIL_EXP1's field, then TAIL_MAC's */
};
#define KEY_ID		7
#define GOOD_DIGEST	0xaa

/* The request's origin. */
enum { ORG_ZERO, ORG_FIXED, ORG_PRIOR };

/* A request from the same client before the row's (interleaving). */
enum {
	PRIOR_NONE,
	PRIOR_STAMP,		/* 1 s before, its transmit time known */
	PRIOR_STAMP_NOTX,	/* 1 s before, its transmit time not known */
	PRIOR_STAMP_LATER	/* 1 ms after (a step back), tx known */
};

/* Timestamps. */
#define RQ_RX		0xe000000011111111ULL	/* the request's fields */
#define RQ_TX		0xe000000022222222ULL
#define RQ_ORG		0xe000000033333333ULL
#define ARRIVAL_NS	(1700000000LL * 1000000000LL + 123456789LL)
#define PRIOR_TX	0xed1c2b40deadbeefULL	/* the kernel's, reported */

/* The answer's origin, receive and transmit timestamps. */
enum { A_ORG_RQ_TX, A_ORG_RQ_RX };
enum { A_RX_ARRIVAL, A_RX_AFTER_PRIOR };
enum { A_TX_ZERO, A_TX_PRIOR };

struct want {
	uint8_t		 leap;
	uint8_t		 stratum;
	uint32_t	 refid;
	int8_t		 poll;
	uint32_t	 root_delay;	/* raw, NTP short format */
	uint32_t	 root_disp;
	uint64_t	 ref_ts;
	int		 org;		/* A_ORG_* */
	int		 rx;		/* A_RX_* */
	int		 tx;		/* A_TX_* */
};

/* The answers of the states, with the poll and timestamps given. */
#define W_SYNCED(poll)	{ PKT_LEAP_NONE, 2, 0xc0000201, (poll), 983, \
	0x8000, REF_SYNCED, A_ORG_RQ_TX, A_RX_ARRIVAL, A_TX_ZERO }
#define W_KOD(poll)	{ PKT_LEAP_UNSYNC, 0, PKT_KOD_RATE, (poll), 983, \
	0x8000, REF_SYNCED, A_ORG_RQ_TX, A_RX_ARRIVAL, A_TX_ZERO }

struct row {
	const char		*what;
	/* the server */
	int			 state;		/* ST_* */
	int			 srv;		/* SRV_* */
	/* the request */
	const char		*from;		/* NULL: 10.0.0.1 */
	unsigned int		 port;		/* 0: 50123 */
	uint8_t			 lvm;		/* leap, version, mode */
	int8_t			 poll;
	int			 tail;		/* TAIL_* */
	int			 org;		/* ORG_* */
	int			 rx_is_tx;	/* receive field = transmit */
	int			 rqflags;	/* SERVE_RQ_* */
	uint32_t		 rnd;
	/* what the client sent before */
	int			 same_before;	/* the same request, n times */
	int			 bad_before;	/* n mode 7 requests */
	int			 prior;		/* PRIOR_* */
	/* the verdict */
	enum serve_verdict	 verdict;
	enum pkt_reason		 why;		/* SERVE_MALFORMED */
	int			 flags;		/* SERVE_ANS_* */
	uint32_t		 key;
	/* the answer: SERVE_ANSWER and SERVE_KOD */
	struct want		 ans;
};

static const struct row	rows[] = {
	/* the answer's fields */
	{ .what = "synchronised: answered, fields from the state",
	    .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "local reference: stratum 10, 7F7F0101, no delay",
	    .state = ST_LOCAL, .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = { PKT_LEAP_NONE, 10,
	    PKT_REFID_LOCAL, 6, 0, 0, REF_LOCAL, A_ORG_RQ_TX, A_RX_ARRIVAL,
	    A_TX_ZERO } },
	{ .what = "unsynchronised: leap 3, stratum 0, delay and disp 1 s",
	    .state = ST_UNSYNC, .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = { PKT_LEAP_UNSYNC, 0, 0, 6,
	    0x10000, 0x10000, 0, A_ORG_RQ_TX, A_RX_ARRIVAL, A_TX_ZERO } },
	{ .what = "leap second announced: leap 1, stratum 1",
	    .state = ST_LEAP, .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = { PKT_LEAP_INSERT, 1, 0x47505300,
	    6, 0, 66, REF_SYNCED, A_ORG_RQ_TX, A_RX_ARRIVAL, A_TX_ZERO } },
	{ .what = "NTPv3 client: answered in version 3",
	    .lvm = 0x1b, .poll = 10,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(10) },
	{ .what = "leap bits of the request do not matter",
	    .lvm = 0xe3, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "poll below the ratelimit interval: the interval",
	    .lvm = 0x23, .poll = 2,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(RATE_INTERVAL) },
	{ .what = "no ratelimit: the poll echoed",
	    .srv = SRV_NORATE, .lvm = 0x23, .poll = 2,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(2) },
	{ .what = "no ratelimit: a poll below -19 is -19",
	    .srv = SRV_NORATE, .lvm = 0x23, .poll = -30,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(PKT_MIN_POLL_ANY) },

	/* allow, deny, and the monitor's blocks */
	{ .what = "denied subnet inside an allowed one",
	    .from = "10.9.1.1", .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_DENIED },
	{ .what = "not allowed at all",
	    .from = "198.51.100.1", .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_DENIED },
	{ .what = "IPv6, allowed",
	    .from = "2001:db8::1", .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "IPv6, not allowed",
	    .from = "2001:db9::1", .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_DENIED },
	{ .what = "cut off by the monitor",
	    .lvm = 0x23, .poll = 6, .rqflags = SERVE_RQ_BLOCKED,
	    .verdict = SERVE_DENIED },
	{ .what = "denied before judged: a denied mode 7 is denied",
	    .from = "10.9.1.1", .lvm = 0x27,
	    .verdict = SERVE_DENIED },

	/* malformed, and modes not answered */
	{ .what = "cut short by the buffer: bad length, even if denied",
	    .from = "10.9.1.1", .lvm = 0x23, .rqflags = SERVE_RQ_TRUNC,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_LENGTH },
	{ .what = "47 bytes: too short",
	    .lvm = 0x23, .tail = TAIL_SHORT,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_SHORT },
	{ .what = "50 bytes: bad length",
	    .lvm = 0x23, .tail = TAIL_ODD,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_LENGTH },
	{ .what = "version 0",
	    .lvm = 0x03,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_VERSION },
	{ .what = "version 5",
	    .lvm = 0x2b,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_VERSION },
	{ .what = "mode 1, a peer we do not know: answered in mode 2",
	    .lvm = 0x21, .poll = 6, .org = ORG_FIXED,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "mode 1 with extension fields: no NTS for peers",
	    .srv = SRV_NTS, .lvm = 0x21, .poll = 6, .tail = TAIL_EF,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "mode 1 with F323 alone, a peer we do not know: mode 2, "
	    "F323",
	    .srv = SRV_NTS, .lvm = 0x21, .poll = 6, .org = ORG_FIXED,
	    .tail = TAIL_EXP1,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_EXP1,
	    .ans = W_SYNCED(6) },
	{ .what = "mode 1, not allowed",
	    .from = "198.51.100.1", .lvm = 0x21, .poll = 6,
	    .verdict = SERVE_DENIED },
	{ .what = "mode 2, symmetric passive",
	    .lvm = 0x22,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "mode 4, a server's answer",
	    .lvm = 0x24,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "mode 5, broadcast",
	    .lvm = 0x25,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "mode 6, ntpq",
	    .lvm = 0x26,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_CONTROL },
	{ .what = "mode 7, ntpdc",
	    .lvm = 0x27,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_CONTROL },
	{ .what = "NTPv2 mode 0",
	    .lvm = 0x10,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "malformed extension field",
	    .lvm = 0x23, .tail = TAIL_BADEF,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_EF },

	/* NTPv1 and port 123 */
	{ .what = "NTPv1 mode 0 from another port: answered in version 1",
	    .lvm = 0x08, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "NTPv1 mode 0 from port 123: a peer's, not answered",
	    .port = 123, .lvm = 0x08, .poll = 6,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "NTPv1 mode 0 from port 123 over IPv6: not answered",
	    .from = "2001:db8::1", .port = 123, .lvm = 0x08, .poll = 6,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "NTPv4 mode 3 from port 123: answered",
	    .port = 123, .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },

	/* MACs */
	{ .what = "good MAC of a known key: answered, to be signed",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_MAC, .org = ORG_FIXED,
	    .verdict = SERVE_ANSWER, .key = KEY_ID, .ans = W_SYNCED(6) },
	{ .what = "good MAC, NTPv3: signed in version 3",
	    .lvm = 0x1b, .poll = 6, .tail = TAIL_MAC,
	    .verdict = SERVE_ANSWER, .key = KEY_ID, .ans = W_SYNCED(6) },
	{ .what = "wrong MAC",
	    .lvm = 0x23, .tail = TAIL_MAC_BAD,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MAC },
	{ .what = "MAC of an unknown key",
	    .lvm = 0x23, .tail = TAIL_MAC_UNKNOWN,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MAC },
	{ .what = "MAC, no keyfile",
	    .srv = SRV_NOKEYS, .lvm = 0x23, .tail = TAIL_MAC,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MAC },
	{ .what = "crypto-NAK from a client",
	    .lvm = 0x23, .tail = TAIL_NAK,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MAC },
	{ .what = "good MAC on a mode 4 packet: bad mode",
	    .lvm = 0x24, .tail = TAIL_MAC,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_MODE },
	{ .what = "good MAC on a mode 6 packet: control",
	    .lvm = 0x26, .tail = TAIL_MAC,
	    .verdict = SERVE_MALFORMED, .why = PKT_ERR_CONTROL },
	{ .what = "good MAC to an NTS server: a MAC, not NTS",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_MAC,
	    .verdict = SERVE_ANSWER, .key = KEY_ID, .ans = W_SYNCED(6) },

	/* NTS and ntsonly */
	{ .what = "extension fields to an NTS server: the NTS step",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_EF,
	    .org = ORG_FIXED,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_NTS,
	    .ans = W_SYNCED(6) },
	{ .what = "extension fields, no NTS served: a plain answer",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_EF,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "ntsonly client, plain request: refused",
	    .srv = SRV_NTS, .from = "10.1.2.3", .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_NTSONLY },
	{ .what = "ntsonly client, short request: refused before judged",
	    .srv = SRV_NTS, .from = "10.1.2.3", .lvm = 0x23,
	    .tail = TAIL_SHORT,
	    .verdict = SERVE_NTSONLY },
	{ .what = "ntsonly client, extension fields: NTS must seal it",
	    .srv = SRV_NTS, .from = "10.1.2.3", .lvm = 0x23, .poll = 6,
	    .tail = TAIL_EF,
	    .verdict = SERVE_ANSWER,
	    .flags = SERVE_ANS_NTS | SERVE_ANS_NTSONLY, .ans = W_SYNCED(6) },
	{ .what = "ntsonly client, no NTS served: refused",
	    .from = "10.1.2.3", .lvm = 0x23, .poll = 6, .tail = TAIL_EF,
	    .verdict = SERVE_NTSONLY },
	{ .what = "ntsonly client, good MAC: signed, NTS never seals it",
	    .srv = SRV_NTS, .from = "10.1.2.3", .lvm = 0x23, .poll = 6,
	    .tail = TAIL_MAC,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_NTSONLY,
	    .key = KEY_ID, .ans = W_SYNCED(6) },
	/* chrony's experimental field F323 (pkt.h) */
	{ .what = "F323 alone: answered with one",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_EXP1,
	    .ans = W_SYNCED(6) },
	{ .what = "F323 alone to an NTS server: F323, not NTS",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_EXP1,
	    .ans = W_SYNCED(6) },
	{ .what = "F323 of a wrong magic to an NTS server: the NTS step",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1_BAD,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_NTS,
	    .ans = W_SYNCED(6) },
	{ .what = "F323 of a wrong magic, no NTS served: a plain answer",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1_BAD,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "F323 and another field to an NTS server: the NTS step",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1_EF,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_NTS,
	    .ans = W_SYNCED(6) },
	{ .what = "F323 and another field, no NTS served: a plain answer",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1_EF,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "F323 with a good MAC: signed, no F323",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1_MAC,
	    .verdict = SERVE_ANSWER, .key = KEY_ID, .ans = W_SYNCED(6) },
	{ .what = "F323 with a good MAC to an NTS server: signed only",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1_MAC,
	    .verdict = SERVE_ANSWER, .key = KEY_ID, .ans = W_SYNCED(6) },
	{ .what = "F323 from an interleaving client: interleaved too",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_EXP1, .org = ORG_PRIOR,
	    .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER,
	    .flags = SERVE_ANS_EXP1 | SERVE_ANS_STAMP | SERVE_ANS_XLEAVE,
	    .ans = { PKT_LEAP_NONE, 2, 0xc0000201, 6, 983, 0x8000,
	    REF_SYNCED, A_ORG_RQ_RX, A_RX_ARRIVAL, A_TX_PRIOR } },
	{ .what = "ntsonly client, F323 alone: not NTS, the shell refuses",
	    .srv = SRV_NTS, .from = "10.1.2.3", .lvm = 0x23, .poll = 6,
	    .tail = TAIL_EXP1,
	    .verdict = SERVE_ANSWER,
	    .flags = SERVE_ANS_EXP1 | SERVE_ANS_NTSONLY, .ans = W_SYNCED(6) },
	{ .what = "48 bytes to an NTS server: neither NTS nor F323",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "ntsonly does not admit: not allowed, denied",
	    .srv = SRV_NTS, .from = "192.0.2.1", .lvm = 0x23, .poll = 6,
	    .tail = TAIL_EF,
	    .verdict = SERVE_DENIED },

	/* rate limiting: 2 requests in a burst, then 1 in 4 a kiss */
	{ .what = "second request of a burst: answered",
	    .lvm = 0x23, .poll = 6, .same_before = 1,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "over the burst, leak says kiss: RATE",
	    .lvm = 0x23, .poll = 6, .same_before = 2, .rnd = 4,
	    .verdict = SERVE_KOD, .ans = W_KOD(6) },
	{ .what = "over the burst, leak says drop",
	    .lvm = 0x23, .poll = 6, .same_before = 2, .rnd = 1,
	    .verdict = SERVE_RATE },
	{ .what = "over the burst, leak says drop (rnd 2)",
	    .lvm = 0x23, .poll = 6, .same_before = 2, .rnd = 2,
	    .verdict = SERVE_RATE },
	{ .what = "a kiss is basic, not stamped for interleaving",
	    .lvm = 0x23, .poll = 0, .same_before = 2, .org = ORG_FIXED,
	    .verdict = SERVE_KOD, .ans = W_KOD(RATE_INTERVAL) },
	{ .what = "a kiss to a MAC'd request: signed too",
	    .lvm = 0x23, .poll = 6, .same_before = 2, .tail = TAIL_MAC,
	    .verdict = SERVE_KOD, .key = KEY_ID, .ans = W_KOD(6) },
	{ .what = "no ratelimit: never limited",
	    .srv = SRV_NORATE, .lvm = 0x23, .poll = 6, .same_before = 10,
	    .rnd = 1,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "malformed requests take no token",
	    .lvm = 0x23, .poll = 6, .bad_before = 5, .rnd = 1,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },

	/* interleaved mode */
	{ .what = "basic client (origin 0): not stamped",
	    .lvm = 0x23, .poll = 6, .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "origin of no answer held: basic, stamped",
	    .lvm = 0x23, .poll = 6, .org = ORG_FIXED, .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_STAMP,
	    .ans = W_SYNCED(6) },
	{ .what = "origin: the answer before, its tx known: interleaved",
	    .lvm = 0x23, .poll = 6, .org = ORG_PRIOR, .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER,
	    .flags = SERVE_ANS_STAMP | SERVE_ANS_XLEAVE,
	    .ans = { PKT_LEAP_NONE, 2, 0xc0000201, 6, 983, 0x8000,
	    REF_SYNCED, A_ORG_RQ_RX, A_RX_ARRIVAL, A_TX_PRIOR } },
	{ .what = "noclientlog: an origin, but basic and not stamped",
	    .srv = SRV_BASIC, .lvm = 0x23, .poll = 6, .org = ORG_FIXED,
	    .verdict = SERVE_ANSWER, .ans = W_SYNCED(6) },
	{ .what = "origin: the answer before, its tx not known: basic",
	    .lvm = 0x23, .poll = 6, .org = ORG_PRIOR,
	    .prior = PRIOR_STAMP_NOTX,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_STAMP,
	    .ans = W_SYNCED(6) },
	{ .what = "origin: the answer before, receive = transmit: basic",
	    .lvm = 0x23, .poll = 6, .org = ORG_PRIOR, .rx_is_tx = 1,
	    .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_STAMP,
	    .ans = W_SYNCED(6) },
	{ .what = "receive timestamps unique: after a later one, + 1",
	    .lvm = 0x23, .poll = 6, .org = ORG_FIXED,
	    .prior = PRIOR_STAMP_LATER,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_STAMP,
	    .ans = { PKT_LEAP_NONE, 2, 0xc0000201, 6, 983, 0x8000,
	    REF_SYNCED, A_ORG_RQ_TX, A_RX_AFTER_PRIOR, A_TX_ZERO } },
	{ .what = "interleaving client over NTS: basic, sealed",
	    .srv = SRV_NTS, .lvm = 0x23, .poll = 6, .tail = TAIL_EF,
	    .org = ORG_PRIOR, .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER, .flags = SERVE_ANS_NTS,
	    .ans = W_SYNCED(6) },
	{ .what = "interleaving client with a MAC: basic, signed",
	    .lvm = 0x23, .poll = 6, .tail = TAIL_MAC,
	    .org = ORG_PRIOR, .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER, .key = KEY_ID, .ans = W_SYNCED(6) },
	{ .what = "the answer before found by its receive timestamp alone",
	    .from = "10.0.0.2", .lvm = 0x23, .poll = 6, .org = ORG_PRIOR,
	    .prior = PRIOR_STAMP,
	    .verdict = SERVE_ANSWER,
	    .flags = SERVE_ANS_STAMP | SERVE_ANS_XLEAVE,
	    .ans = { PKT_LEAP_NONE, 2, 0xc0000201, 6, 983, 0x8000,
	    REF_SYNCED, A_ORG_RQ_RX, A_RX_ARRIVAL, A_TX_PRIOR } },
};

/*
 * The MAC check the shell would make with a keyfile holding KEY_ID: a
 * MAC of key KEY_ID whose digest is all GOOD_DIGEST is right.
 */
static uint32_t
fake_mac(void *arg, const uint8_t *req, size_t len, size_t mac_len,
    int version)
{
	uint32_t	 id;
	size_t		 i;

	(void)version;
	++*(int *)arg;
	if (mac_len < 20 || mac_len > len)
		return 0;
	req += len - mac_len;
	id = (uint32_t)req[0] << 24 | (uint32_t)req[1] << 16 |
	    (uint32_t)req[2] << 8 | req[3];
	if (id != KEY_ID)
		return 0;
	for (i = 4; i < mac_len; i++)
		if (req[i] != GOOD_DIGEST)
			return 0;
	return id;
}

/* A server as server_new() makes one, from conf_lines. */
struct server {
	struct serve	 s;
	struct acl	*acl, *ntsonly;
	int		 mac_calls;
};

static void
server_setup(struct server *srv, const struct row *r)
{
	struct conf		*c;
	struct conf_diag	 d;
	struct clog_params	 p;
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];
	const char *const	*l;
	uint8_t			 key[16] = { 1, 2, 3 };

	memset(srv, 0, sizeof(*srv));
	ck_assert_ptr_nonnull(c = conf_new());
	for (l = conf_lines; *l != NULL; l++) {
		if ((r->srv & SRV_NORATE) && strncmp(*l, "ratelimit", 9) == 0)
			continue;
		ck_assert_msg(conf_parse_line(c, *l, 0, &act, arg,
		    sizeof(arg), &d) == 0, "%s: %s", *l, d.msg);
	}
	ck_assert_ptr_nonnull(srv->acl = acl_new(c->acl));
	ck_assert_ptr_nonnull(srv->ntsonly = acl_new(c->ntsonly));
	memset(&p, 0, sizeof(p));
	p.max_bytes = c->clientloglimit;
	p.ratelimit = c->ratelimit_set;
	p.interval = c->ratelimit_interval;
	p.burst = c->ratelimit_burst;
	p.leak = c->ratelimit_leak;
	ck_assert_ptr_nonnull(srv->s.clog = clog_new(&p, key));
	ck_assert_ptr_nonnull(srv->s.tsm = tsm_new(64));
	srv->s.acl = srv->acl;
	srv->s.ntsonly = srv->ntsonly;
	srv->s.nts = (r->srv & SRV_NTS) != 0;
	srv->s.basic_only = (r->srv & SRV_BASIC) != 0;
	if (!(r->srv & SRV_NOKEYS)) {
		srv->s.mac_check = fake_mac;
		srv->s.mac_arg = &srv->mac_calls;
	}
	srv->s.st = states[r->state];
	srv->s.st.min_poll = c->ratelimit_set ?
	    (int8_t)c->ratelimit_interval : PKT_MIN_POLL_ANY;
	conf_free(c);
}

static void
server_teardown(struct server *srv)
{
	tsm_free(srv->s.tsm);
	clog_free(srv->s.clog);
	acl_free(srv->acl);
	acl_free(srv->ntsonly);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* The row's request into buf; its length. */
static size_t
build(uint8_t *buf, size_t size, const struct row *r, uint64_t org)
{
	size_t	 len = PKT_HDR_LEN;

	ck_assert_uint_ge(size, PKT_HDR_LEN + 64);
	memset(buf, 0, size);
	buf[0] = r->lvm;
	buf[2] = (uint8_t)r->poll;
	buf[3] = (uint8_t)-20;
	put64(buf + PKT_ORG_OFFSET, org);
	put64(buf + PKT_RX_OFFSET, r->rx_is_tx ? RQ_TX : RQ_RX);
	put64(buf + PKT_TX_OFFSET, RQ_TX);
	switch (r->tail) {
	case TAIL_SHORT:
		return PKT_HDR_LEN - 1;
	case TAIL_ODD:
		return PKT_HDR_LEN + 2;
	case TAIL_EF:
		buf[len] = 0x01;		/* Unique Identifier */
		buf[len + 1] = 0x04;
		buf[len + 3] = 36;
		return len + 36;
	case TAIL_BADEF:
		buf[len + 3] = 12;
		return len + 32;
	case TAIL_EXP1:
	case TAIL_EXP1_BAD:
	case TAIL_EXP1_MAC:
		pkt_exp1_put(buf + len, NULL);
		if (r->tail == TAIL_EXP1_BAD)
			buf[len + 7] ^= 1;
		if (r->tail != TAIL_EXP1_MAC)
			return len + PKT_EXP1_LEN;
		len += PKT_EXP1_LEN;
		put32(buf + len, KEY_ID);
		memset(buf + len + 4, GOOD_DIGEST, 16);
		return len + 20;
	case TAIL_EXP1_EF:
		buf[len] = 0x01;		/* Unique Identifier */
		buf[len + 1] = 0x04;
		buf[len + 3] = 36;
		pkt_exp1_put(buf + len + 36, NULL);
		return len + 36 + PKT_EXP1_LEN;
	case TAIL_MAC:
	case TAIL_MAC_BAD:
	case TAIL_MAC_UNKNOWN:
		put32(buf + len, r->tail == TAIL_MAC_UNKNOWN ? 9 : KEY_ID);
		memset(buf + len + 4, r->tail == TAIL_MAC_BAD ? 0xbb :
		    GOOD_DIGEST, 16);
		return len + 20;
	case TAIL_NAK:
		return len + 4;
	default:
		return len;
	}
}

static void
sa_from(const char *s, unsigned int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return;
	}
	ck_assert_msg(inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1,
	    "bad address %s", s);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
}

/*
 * A basic request with an origin from the row's sender, answered and
 * stamped; the kernel's transmit time reported unless notx.  Returns
 * the answer's receive timestamp.
 */
static uint64_t
prior_stamp(struct server *srv, const struct row *r,
    const struct sockaddr *from, int64_t rx_ns, int notx)
{
	struct row		 pr;
	struct serve_req	 rq;
	struct serve_answer	 a;
	uint8_t			 buf[PKT_MAX_LEN];

	memset(&pr, 0, sizeof(pr));
	pr.lvm = 0x23;
	pr.poll = 6;
	rq.pkt = buf;
	rq.len = build(buf, sizeof(buf), &pr, RQ_ORG);
	rq.from = from;
	rq.rx_ns = rx_ns;
	rq.rnd = 1;
	rq.flags = 0;
	ck_assert_msg(serve_request(&srv->s, &rq, &a) == SERVE_ANSWER &&
	    a.flags == SERVE_ANS_STAMP, "%s: the request before", r->what);
	if (!notx)
		ck_assert_int_eq(tsm_set_tx(srv->s.tsm, a.pkt.rx_ts,
		    PRIOR_TX), 0);
	return a.pkt.rx_ts;
}

/* What the row's client sent before; the answer before's receive ts. */
static uint64_t
before(struct server *srv, const struct row *r, const struct sockaddr *from)
{
	struct sockaddr_storage	 other;
	struct serve_req	 rq;
	struct serve_answer	 a;
	struct row		 bad;
	uint8_t			 buf[PKT_MAX_LEN];
	uint64_t		 prior_rx = 0;
	int			 i;

	memset(&bad, 0, sizeof(bad));
	bad.lvm = 0x27;
	for (i = 0; i < r->bad_before; i++) {
		rq.pkt = buf;
		rq.len = build(buf, sizeof(buf), &bad, 0);
		rq.from = from;
		rq.rx_ns = ARRIVAL_NS;
		rq.rnd = 1;
		rq.flags = 0;
		ck_assert_int_eq(serve_request(&srv->s, &rq, &a),
		    SERVE_MALFORMED);
	}
	for (i = 0; i < r->same_before; i++) {
		rq.pkt = buf;
		rq.len = build(buf, sizeof(buf), r, r->org == ORG_ZERO ? 0 :
		    RQ_ORG);
		rq.from = from;
		rq.rx_ns = ARRIVAL_NS;
		rq.rnd = 1;
		rq.flags = r->rqflags;
		ck_assert_msg(serve_request(&srv->s, &rq, &a) == SERVE_ANSWER,
		    "%s: request %d before", r->what, i + 1);
	}
	/* the answer before goes to 10.0.0.1 whoever asks now */
	sa_from("10.0.0.1", 50123, &other);
	switch (r->prior) {
	case PRIOR_STAMP:
	case PRIOR_STAMP_NOTX:
		prior_rx = prior_stamp(srv, r, (struct sockaddr *)&other,
		    ARRIVAL_NS - 1000000000LL, r->prior == PRIOR_STAMP_NOTX);
		break;
	case PRIOR_STAMP_LATER:
		prior_rx = prior_stamp(srv, r, (struct sockaddr *)&other,
		    ARRIVAL_NS + 1000000LL, 0);
		break;
	}
	return prior_rx;
}

static void
check_answer(const struct row *r, const struct server *srv,
    const struct serve_answer *a, uint64_t prior_rx)
{
	const struct want	*w = &r->ans;
	const char		*what = r->what;
	uint8_t			 out[PKT_HDR_LEN];
	struct pkt		 p;

	/* on the wire, as the shell sends it */
	ck_assert_uint_eq(pkt_encode(&a->pkt, out, sizeof(out)), PKT_HDR_LEN);
	ck_assert_int_eq(pkt_decode(&p, out, sizeof(out)), PKT_OK);
	ck_assert_msg(p.mode == ((r->lvm & 7) == PKT_MODE_SYMACT ?
	    PKT_MODE_SYMPAS : PKT_MODE_SERVER), "%s: mode %u", what, p.mode);
	ck_assert_msg(p.version == (r->lvm >> 3 & 7), "%s: version %u", what,
	    p.version);
	ck_assert_msg(p.leap == w->leap, "%s: leap %u", what, p.leap);
	ck_assert_msg(p.stratum == w->stratum, "%s: stratum %u", what,
	    p.stratum);
	ck_assert_msg(p.refid == w->refid, "%s: refid %08x", what, p.refid);
	ck_assert_msg(p.poll == w->poll, "%s: poll %d", what, p.poll);
	ck_assert_msg(p.precision == srv->s.st.precision, "%s: precision %d",
	    what, p.precision);
	ck_assert_msg(p.root_delay == w->root_delay, "%s: root delay %u",
	    what, p.root_delay);
	ck_assert_msg(p.root_disp == w->root_disp, "%s: root dispersion %u",
	    what, p.root_disp);
	ck_assert_msg(p.ref_ts == w->ref_ts, "%s: reference %016llx", what,
	    (unsigned long long)p.ref_ts);
	ck_assert_msg(p.org_ts == (w->org == A_ORG_RQ_RX ? RQ_RX : RQ_TX),
	    "%s: origin %016llx", what, (unsigned long long)p.org_ts);
	ck_assert_msg(p.rx_ts == (w->rx == A_RX_AFTER_PRIOR ? prior_rx + 1 :
	    pkt_ts_from_ns(ARRIVAL_NS)), "%s: receive %016llx", what,
	    (unsigned long long)p.rx_ts);
	ck_assert_msg(p.tx_ts == (w->tx == A_TX_PRIOR ? PRIOR_TX : 0),
	    "%s: transmit %016llx", what, (unsigned long long)p.tx_ts);
}

START_TEST(test_serve_table)
{
	const struct row	*r = &rows[_i];
	struct server		 srv;
	struct sockaddr_storage	 from;
	struct serve_req	 rq;
	struct serve_answer	 a;
	enum serve_verdict	 v;
	uint8_t			 buf[PKT_MAX_LEN];
	uint64_t		 prior_rx, org;

	server_setup(&srv, r);
	sa_from(r->from != NULL ? r->from : "10.0.0.1",
	    r->port != 0 ? r->port : 50123, &from);
	prior_rx = before(&srv, r, (struct sockaddr *)&from);
	org = r->org == ORG_ZERO ? 0 : r->org == ORG_FIXED ? RQ_ORG :
	    prior_rx;
	rq.pkt = buf;
	rq.len = build(buf, sizeof(buf), r, org);
	rq.from = (struct sockaddr *)&from;
	rq.rx_ns = ARRIVAL_NS;
	rq.rnd = r->rnd;
	rq.flags = r->rqflags;
	memset(&a, 0x5a, sizeof(a));
	v = serve_request(&srv.s, &rq, &a);
	ck_assert_msg(v == r->verdict, "%s: verdict %d, want %d", r->what, v,
	    r->verdict);
	if (v == SERVE_MALFORMED)
		ck_assert_msg(a.why == r->why, "%s: why %d, want %d", r->what,
		    a.why, r->why);
	if (v == SERVE_ANSWER || v == SERVE_KOD) {
		ck_assert_msg(a.flags == r->flags, "%s: flags %#x, want %#x",
		    r->what, a.flags, r->flags);
		ck_assert_msg(a.key == r->key, "%s: key %u, want %u", r->what,
		    a.key, r->key);
		check_answer(r, &srv, &a, prior_rx);
	}
	server_teardown(&srv);
}
END_TEST

/* The MAC check runs for requests with a MAC only, once each. */
START_TEST(test_serve_mac_check_only_for_macs)
{
	const struct row	*r;
	struct server		 srv;
	struct sockaddr_storage	 from;
	struct serve_req	 rq;
	struct serve_answer	 a;
	uint8_t			 buf[PKT_MAX_LEN];
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		r = &rows[i];
		if (r->same_before > 0 || r->bad_before > 0 ||
		    r->prior != PRIOR_NONE)
			continue;
		server_setup(&srv, r);
		sa_from(r->from != NULL ? r->from : "10.0.0.1",
		    r->port != 0 ? r->port : 50123, &from);
		rq.pkt = buf;
		rq.len = build(buf, sizeof(buf), r, 0);
		rq.from = (struct sockaddr *)&from;
		rq.rx_ns = ARRIVAL_NS;
		rq.rnd = r->rnd;
		rq.flags = r->rqflags;
		serve_request(&srv.s, &rq, &a);
		ck_assert_msg(srv.mac_calls <= 1, "%s: %d MAC checks",
		    r->what, srv.mac_calls);
		if (srv.mac_calls == 1)
			ck_assert_msg(r->tail >= TAIL_MAC, "%s: MAC checked",
			    r->what);
		server_teardown(&srv);
	}
}
END_TEST

/*
 * Only requests judged a client's enter the client log; denied,
 * ntsonly-refused and malformed ones do not.
 */
START_TEST(test_serve_client_log_counts_clients)
{
	const struct row	*r;
	struct server		 srv;
	struct sockaddr_storage	 from;
	struct serve_req	 rq;
	struct serve_answer	 a;
	enum serve_verdict	 v;
	uint8_t			 buf[PKT_MAX_LEN];
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		r = &rows[i];
		if (r->same_before > 0 || r->bad_before > 0 ||
		    r->prior != PRIOR_NONE)
			continue;
		server_setup(&srv, r);
		sa_from(r->from != NULL ? r->from : "10.0.0.1",
		    r->port != 0 ? r->port : 50123, &from);
		rq.pkt = buf;
		rq.len = build(buf, sizeof(buf), r, 0);
		rq.from = (struct sockaddr *)&from;
		rq.rx_ns = ARRIVAL_NS;
		rq.rnd = r->rnd;
		rq.flags = r->rqflags;
		v = serve_request(&srv.s, &rq, &a);
		ck_assert_msg(clog_used(srv.s.clog) ==
		    (v == SERVE_ANSWER || v == SERVE_KOD || v == SERVE_RATE),
		    "%s: %zu records", r->what, clog_used(srv.s.clog));
		server_teardown(&srv);
	}
}
END_TEST

int
main(void)
{
	Suite	*su = suite_create("serve");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_serve_table, 0, NELEM(rows));
	tcase_add_test(tc, test_serve_mac_check_only_for_macs);
	tcase_add_test(tc, test_serve_client_log_counts_clients);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
