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
 * chronyc's command protocol (version 6, chrony 4.x), so that chronyc and
 * the monitoring tools that speak it (exporters, telegraf) read timed.
 * A request is one datagram: a 20-byte header, the command's fields and
 * padding up to the length of its reply, so that no reply is longer than
 * its request.  A reply: a 28-byte header and the reply's fields.  Every
 * field is in network order.  Pure: bytes in, bytes out.
 */

#ifndef TIMED_CMDMON_H
#define TIMED_CMDMON_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define CM_VERSION		6
#define CM_REQ_HDR		20
#define CM_RPY_HDR		28
#define CM_REQ_MAX		864	/* chronyd's largest request */
#define CM_RPY_MAX		(CM_RPY_HDR + 492)

/* The commands timed knows, by chrony's numbers (candm.h). */
enum cmdmon_req {
	CM_REQ_NULL = 0,
	CM_REQ_ONLINE = 1,
	CM_REQ_OFFLINE = 2,
	CM_REQ_BURST = 3,
	CM_REQ_MODIFY_MINPOLL = 4,
	CM_REQ_MODIFY_MAXPOLL = 5,
	CM_REQ_DUMP = 6,
	CM_REQ_MODIFY_MAXDELAY = 7,
	CM_REQ_MODIFY_MAXDELAYRATIO = 8,
	CM_REQ_MODIFY_MAXUPDATESKEW = 9,
	CM_REQ_LOGON = 10,
	CM_REQ_SETTIME = 11,
	CM_REQ_MANUAL = 13,
	CM_REQ_N_SOURCES = 14,
	CM_REQ_SOURCE_DATA = 15,
	CM_REQ_REKEY = 16,
	CM_REQ_ALLOW = 17,
	CM_REQ_ALLOWALL = 18,
	CM_REQ_DENY = 19,
	CM_REQ_DENYALL = 20,
	CM_REQ_CMDALLOW = 21,
	CM_REQ_CMDALLOWALL = 22,
	CM_REQ_CMDDENY = 23,
	CM_REQ_CMDDENYALL = 24,
	CM_REQ_ACCHECK = 25,
	CM_REQ_CMDACCHECK = 26,
	CM_REQ_DEL_SOURCE = 29,
	CM_REQ_WRITERTC = 30,
	CM_REQ_DFREQ = 31,
	CM_REQ_TRACKING = 33,
	CM_REQ_SOURCESTATS = 34,
	CM_REQ_RTCREPORT = 35,
	CM_REQ_TRIMRTC = 36,
	CM_REQ_CYCLELOGS = 37,
	CM_REQ_MANUAL_LIST = 41,
	CM_REQ_MANUAL_DELETE = 42,
	CM_REQ_MAKESTEP = 43,
	CM_REQ_ACTIVITY = 44,
	CM_REQ_MODIFY_MINSTRATUM = 45,
	CM_REQ_MODIFY_POLLTARGET = 46,
	CM_REQ_MODIFY_MAXDELAYDEVRATIO = 47,
	CM_REQ_RESELECT = 48,
	CM_REQ_RESELECTDISTANCE = 49,
	CM_REQ_MODIFY_MAKESTEP = 50,
	CM_REQ_SMOOTHING = 51,
	CM_REQ_SMOOTHTIME = 52,
	CM_REQ_REFRESH = 53,
	CM_REQ_SERVER_STATS = 54,
	CM_REQ_LOCAL2 = 56,
	CM_REQ_NTP_DATA = 57,
	CM_REQ_SHUTDOWN = 62,
	CM_REQ_ONOFFLINE = 63,
	CM_REQ_ADD_SOURCE = 64,
	CM_REQ_NTP_SOURCE_NAME = 65,
	CM_REQ_RESET_SOURCES = 66,
	CM_REQ_AUTH_DATA = 67,
	CM_REQ_CLIENT_ACCESSES_BY_INDEX3 = 68,
	CM_REQ_SELECT_DATA = 69,
	CM_REQ_RELOAD_SOURCES = 70,
	CM_REQ_DOFFSET2 = 71
};

enum cmdmon_rpy {
	CM_RPY_NULL = 1,
	CM_RPY_N_SOURCES = 2,
	CM_RPY_SOURCE_DATA = 3,
	CM_RPY_TRACKING = 5,
	CM_RPY_SOURCESTATS = 6,
	CM_RPY_ACTIVITY = 12,
	CM_RPY_SMOOTHING = 13,
	CM_RPY_NTP_DATA = 16,
	CM_RPY_MANUAL_LIST2 = 18,
	CM_RPY_NTP_SOURCE_NAME = 19,
	CM_RPY_AUTH_DATA = 20,
	CM_RPY_SELECT_DATA = 23,
	CM_RPY_SERVER_STATS3 = 24
};

/* Status codes: chronyc prints 200 + code for the rest, "200 OK" for 0. */
enum cmdmon_status {
	CM_STT_SUCCESS = 0,
	CM_STT_FAILED = 1,
	CM_STT_UNAUTH = 2,
	CM_STT_INVALID = 3,
	CM_STT_NOSUCHSOURCE = 4,
	CM_STT_NOTENABLED = 6,
	CM_STT_NORTC = 13,
	CM_STT_BADPKTVERSION = 18,
	CM_STT_BADPKTLENGTH = 19
};

/* An address as chrony carries it: 4 or 6, or 0 for none ("all"). */
struct cmdmon_addr {
	int		family;		/* 0, 4, 6 */
	uint8_t		a[16];		/* 4: the first 4 bytes */
};

/* A request, decoded.  Only the fields of its command are set. */
struct cmdmon_request {
	uint16_t	command;	/* enum cmdmon_req */
	uint32_t	sequence;	/* echoed, in network order */
	size_t		length;		/* bytes received */
	int32_t		index;		/* SOURCE_DATA, SOURCESTATS, ... */
	int32_t		option;		/* SMOOTHTIME, MANUAL, LIMIT ... */
	int32_t		n_good, n_total;	/* BURST */
	struct cmdmon_addr addr;	/* the source; a mask's address */
	struct cmdmon_addr mask;	/* ONLINE, OFFLINE, BURST */
	double		value;		/* MODIFY_MAKESTEP's threshold */
};

/* What to do with a datagram. */
enum cmdmon_verdict {
	CM_DROP,	/* not chrony's, or an error reply would be longer */
	CM_ERROR,	/* answer with the status alone */
	CM_OK		/* a request of a command timed knows */
};

/*
 * Decodes a request.  CM_ERROR sets *status (and req->command and
 * ->sequence, for the reply); CM_OK fills req.
 */
enum cmdmon_verdict
		 cmdmon_parse(const uint8_t *buf, size_t len,
		    struct cmdmon_request *req, enum cmdmon_status *status);

/*
 * A reply: header for req with status and reply type, then len bytes
 * of body.  Returns its length, or 0 if it would be longer than the
 * request (never sent: no amplification).
 */
size_t		 cmdmon_reply(uint8_t *out, const struct cmdmon_request *req,
		    enum cmdmon_status status, enum cmdmon_rpy type,
		    const uint8_t *body, size_t len);

/* chrony's 32-bit float: a 7-bit exponent, a 25-bit coefficient. */
uint32_t	 cmdmon_float_enc(double);
double		 cmdmon_float_dec(uint32_t);

/*
 * An address into chrony's 20 bytes: a numeric IPv4 or IPv6 address,
 * or else (a refclock, an unresolved name) family 0, so that chronyc
 * shows the reference ID.  The address as text from cmdmon_addr_text().
 */
void		 cmdmon_put_addr(uint8_t *, const char *numeric);
int		 cmdmon_addr_text(const struct cmdmon_addr *, char *, size_t);
/* Does mask select one address (all ones), all (family 0)? */
int		 cmdmon_mask_one(const struct cmdmon_addr *mask);

/* The reply bodies, from timed's reports; each returns its length. */
size_t		 cmdmon_body_n_sources(uint8_t *, uint32_t n);
size_t		 cmdmon_body_source(uint8_t *, const struct rpt_source *);
size_t		 cmdmon_body_tracking(uint8_t *,
		    const struct rpt_tracking *);
size_t		 cmdmon_body_sourcestats(uint8_t *,
		    const struct rpt_sourcestats *, uint32_t refid);
size_t		 cmdmon_body_activity(uint8_t *, const struct rpt_activity *);
size_t		 cmdmon_body_smoothing(uint8_t *,
		    const struct rpt_smoothing *);
size_t		 cmdmon_body_serverstats(uint8_t *,
		    const struct rpt_serverstats *);
size_t		 cmdmon_body_ntpdata(uint8_t *, const struct rpt_ntpdata *);
size_t		 cmdmon_body_sourcename(uint8_t *,
		    const struct rpt_sourcename *);
size_t		 cmdmon_body_selectdata(uint8_t *,
		    const struct rpt_selectdata *, uint32_t refid);
size_t		 cmdmon_body_authdata(uint8_t *, const struct rpt_authdata *);
size_t		 cmdmon_body_manual_list(uint8_t *);	/* no samples */

/* A refclock's or local reference's ID from its name: "GPS" 0x47505300. */
uint32_t	 cmdmon_refid_of(const char *name);

#endif
