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
 * chronyc's socket (chronycsocket): a UNIX datagram socket speaking
 * chronyc's protocol (lib/cmdmon.c), so that chronyc and the tools built
 * on its protocol read and steer timed.  Each request becomes the
 * request timectl would send, made through the control socket's own
 * checks (control_ask()): the same rights from the sender's kernel
 * credentials (SCM_CREDENTIALS), the same logging, the same cap on
 * requests in flight per user.  Its answer becomes chronyc's reply.
 *
 * Commands timed has no counterpart for are answered "505 Facility not
 * enabled" to root, "501 Not authorised" to others.  Nothing here is
 * ever longer than the request it answers.
 *
 * In the simulation the socket is clknetsim's, bound before timectl's
 * so that chronyc finds it where chrony's tests look (port 1), and
 * everyone is root, as on the control socket there.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "cmdmon.h"
#include "chronycsock.h"
#include "control.h"
#include "log.h"
#include "monitor.h"
#include "proto.h"
#include "sock.h"
#include "xmalloc.h"

struct chronycsock {
	struct monitor	*mon;
	int		 fd;
	int		 sim;
	char		*path;
	struct event	*ev;
};

/* One request on its way through the control socket's path. */
struct pending {
	struct chronycsock		*cm;
	struct cmdmon_request	 req;
	struct sockaddr_un	 to;
	socklen_t		 tolen;
	uint32_t		 asked;		/* the IMSG_CTL_* type */
	int32_t			 index;		/* the record wanted; -1 all */
	char			 match[RPT_ADDR_MAX];	/* AUTH_DATA */
	uint32_t		 records;
	enum cmdmon_status	 status;
	enum cmdmon_rpy		 type;
	uint8_t			 body[CM_RPY_MAX];
	size_t			 len;		/* of body; 0: none yet */
	int			 answered;	/* a frame came */
	int			 result;	/* IMSG_CTL_RESULT came */
};

static void
send_reply(struct chronycsock *cm, const struct cmdmon_request *req,
    const struct sockaddr_un *to, socklen_t tolen, enum cmdmon_status status,
    enum cmdmon_rpy type, const uint8_t *body, size_t len)
{
	uint8_t		 out[CM_RPY_MAX];
	struct iovec	 iov;
	struct msghdr	 m;
	size_t		 n;

	if (status != CM_STT_SUCCESS) {
		type = CM_RPY_NULL;
		len = 0;
	}
	if ((n = cmdmon_reply(out, req, status, type, body, len)) == 0)
		return;
	iov.iov_base = out;
	iov.iov_len = n;
	memset(&m, 0, sizeof(m));
	m.msg_name = (void *)(uintptr_t)to;
	m.msg_namelen = tolen;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	/* A client that went away or does not read loses its reply. */
	(void)sendmsg(cm->fd, &m, MSG_DONTWAIT);
}

static enum cmdmon_status
status_of(int code)
{
	switch (code) {
	case CTL_OK:
		return CM_STT_SUCCESS;
	case CTL_UNAUTH:
		return CM_STT_UNAUTH;
	case CTL_INVALID:
		return CM_STT_INVALID;
	case CTL_NOSOURCE:
		return CM_STT_NOSUCHSOURCE;
	case CTL_NOTENABLED:
		return CM_STT_NOTENABLED;
	default:
		return CM_STT_FAILED;	/* 500, 504: the engine is gone */
	}
}

/* The reference ID chronyd gives a source: IPv4 address, or its name. */
static uint32_t
source_refid(const char *address, const char *name)
{
	struct cmdmon_addr	 a;
	uint8_t		 raw[20];

	cmdmon_put_addr(raw, address);
	memset(&a, 0, sizeof(a));
	if (raw[16] == 0 && raw[17] == 1) {
		memcpy(a.a, raw, 4);
		return (uint32_t)a.a[0] << 24 | (uint32_t)a.a[1] << 16 |
		    (uint32_t)a.a[2] << 8 | a.a[3];
	}
	if (address[0] != '\0')
		return 0;	/* IPv6: chronyd's is a hash; 0 shows none */
	return cmdmon_refid_of(name);
}

/* A record of a list: the one asked for becomes the reply's body. */
static void
take_record(struct pending *p, uint32_t type, const void *data)
{
	struct rpt_source	 src;
	struct rpt_sourcestats	 st;
	struct rpt_selectdata	 sd;
	struct rpt_ntpdata	 nd;
	struct rpt_authdata	 ad;

	p->records++;
	if (p->len > 0)
		return;
	switch (type) {
	case IMSG_CTL_SOURCES:
		if (p->index != (int32_t)p->records - 1)
			return;
		memcpy(&src, data, sizeof(src));
		p->len = cmdmon_body_source(p->body, &src);
		p->type = CM_RPY_SOURCE_DATA;
		break;
	case IMSG_CTL_SOURCESTATS:
		if (p->index != (int32_t)p->records - 1)
			return;
		memcpy(&st, data, sizeof(st));
		p->len = cmdmon_body_sourcestats(p->body, &st,
		    source_refid(st.address, st.name));
		p->type = CM_RPY_SOURCESTATS;
		break;
	case IMSG_CTL_SELECTDATA:
		if (p->index != (int32_t)p->records - 1)
			return;
		memcpy(&sd, data, sizeof(sd));
		p->len = cmdmon_body_selectdata(p->body, &sd,
		    source_refid(sd.address, sd.name));
		p->type = CM_RPY_SELECT_DATA;
		break;
	case IMSG_CTL_NTPDATA:
		memcpy(&nd, data, sizeof(nd));
		p->len = cmdmon_body_ntpdata(p->body, &nd);
		p->type = CM_RPY_NTP_DATA;
		break;
	case IMSG_CTL_AUTHDATA:
		memcpy(&ad, data, sizeof(ad));
		if (strncmp(ad.address, p->match, sizeof(ad.address)) != 0)
			return;
		p->len = cmdmon_body_authdata(p->body, &ad);
		p->type = CM_RPY_AUTH_DATA;
		break;
	}
}

/* A one-frame report. */
static void
take_report(struct pending *p, uint32_t type, const void *data)
{
	struct rpt_tracking	 t;
	struct rpt_activity	 a;
	struct rpt_smoothing	 sm;
	struct rpt_serverstats	 ss;
	struct rpt_sourcename	 sn;

	switch (type) {
	case IMSG_CTL_TRACKING:
		memcpy(&t, data, sizeof(t));
		p->len = cmdmon_body_tracking(p->body, &t);
		p->type = CM_RPY_TRACKING;
		break;
	case IMSG_CTL_ACTIVITY:
		memcpy(&a, data, sizeof(a));
		p->len = cmdmon_body_activity(p->body, &a);
		p->type = CM_RPY_ACTIVITY;
		break;
	case IMSG_CTL_SMOOTHING:
		memcpy(&sm, data, sizeof(sm));
		p->len = cmdmon_body_smoothing(p->body, &sm);
		p->type = CM_RPY_SMOOTHING;
		break;
	case IMSG_CTL_SERVERSTATS:
		memcpy(&ss, data, sizeof(ss));
		p->len = cmdmon_body_serverstats(p->body, &ss);
		p->type = CM_RPY_SERVER_STATS3;
		break;
	case IMSG_CTL_SOURCENAME:
		memcpy(&sn, data, sizeof(sn));
		p->len = cmdmon_body_sourcename(p->body, &sn);
		p->type = CM_RPY_NTP_SOURCE_NAME;
		break;
	}
}

/*
 * The answer, frame by frame (control.c checked each frame's type and
 * size against the request); type 0 once it is over.
 */
static void
sink(void *arg, uint32_t type, const void *data, size_t len)
{
	struct pending		*p = arg;
	struct ctl_result	 r;

	if (type != 0)
		p->answered = 1;
	switch (type) {
	case 0:
		/* Over without a word (the engine hung): chronyc retries. */
		if (!p->answered) {
			free(p);
			return;
		}
		if (!p->result && p->len == 0) {
			if (p->asked == IMSG_CTL_SOURCES && p->index < 0) {
				p->len = cmdmon_body_n_sources(p->body,
				    p->records);
				p->type = CM_RPY_N_SOURCES;
			} else
				p->status = CM_STT_NOSUCHSOURCE;
		}
		send_reply(p->cm, &p->req, &p->to, p->tolen, p->status,
		    p->type, p->body, p->len);
		free(p);
		return;
	case IMSG_CTL_RESULT:
		memcpy(&r, data, sizeof(r));
		p->status = status_of(r.code);
		p->type = CM_RPY_NULL;
		p->result = 1;
		return;
	case IMSG_CTL_END:
		return;
	}
	if (len == 0)
		return;
	if (type == IMSG_CTL_SOURCES || type == IMSG_CTL_SOURCESTATS ||
	    type == IMSG_CTL_SELECTDATA || type == IMSG_CTL_NTPDATA ||
	    type == IMSG_CTL_AUTHDATA)
		take_record(p, type, data);
	else
		take_report(p, type, data);
}

/* ONLINE, OFFLINE, BURST: one source by address, or all. */
static int
selection(const struct cmdmon_request *req, struct ctl_select *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (req->mask.family == 0 && req->addr.family == 0)
		return 0;			/* all */
	if (!cmdmon_mask_one(&req->mask) ||
	    req->addr.family != req->mask.family)
		return -1;	/* subnets: timed selects one or all */
	return cmdmon_addr_text(&req->addr, sel->which, sizeof(sel->which));
}

/*
 * What timectl would send for req: its type and payload.  0 if there
 * is one; else the status to answer at once.
 */
static int
translate(const struct cmdmon_request *req, struct pending *p, void *payload,
    size_t *len, enum cmdmon_status *status)
{
	struct ctl_select	*sel = payload;
	struct ctl_burst	*b = payload;
	struct ctl_makestep	*ms = payload;
	struct ctl_doffset	*d = payload;

	*len = 0;
	p->index = -1;
	switch (req->command) {
	case CM_REQ_N_SOURCES:
		p->asked = IMSG_CTL_SOURCES;
		return 0;
	case CM_REQ_SOURCE_DATA:
	case CM_REQ_SOURCESTATS:
	case CM_REQ_SELECT_DATA:
		if (req->index < 0) {
			*status = CM_STT_NOSUCHSOURCE;
			return -1;
		}
		p->index = req->index;
		p->asked = req->command == CM_REQ_SOURCE_DATA ?
		    IMSG_CTL_SOURCES : req->command == CM_REQ_SOURCESTATS ?
		    IMSG_CTL_SOURCESTATS : IMSG_CTL_SELECTDATA;
		return 0;
	case CM_REQ_TRACKING:
		p->asked = IMSG_CTL_TRACKING;
		return 0;
	case CM_REQ_ACTIVITY:
		p->asked = IMSG_CTL_ACTIVITY;
		return 0;
	case CM_REQ_SMOOTHING:
		p->asked = IMSG_CTL_SMOOTHING;
		return 0;
	case CM_REQ_SERVER_STATS:
		p->asked = IMSG_CTL_SERVERSTATS;
		return 0;
	case CM_REQ_AUTH_DATA:
		if (cmdmon_addr_text(&req->addr, p->match, sizeof(p->match)) ==
		    -1 || p->match[0] == '\0') {
			*status = CM_STT_NOSUCHSOURCE;
			return -1;
		}
		p->asked = IMSG_CTL_AUTHDATA;
		return 0;
	case CM_REQ_NTP_DATA:
	case CM_REQ_NTP_SOURCE_NAME:
		memset(sel, 0, sizeof(*sel));
		if (cmdmon_addr_text(&req->addr, sel->which,
		    sizeof(sel->which)) == -1 || sel->which[0] == '\0') {
			*status = CM_STT_NOSUCHSOURCE;
			return -1;
		}
		p->asked = req->command == CM_REQ_NTP_DATA ?
		    IMSG_CTL_NTPDATA : IMSG_CTL_SOURCENAME;
		*len = sizeof(*sel);
		return 0;
	case CM_REQ_ONLINE:
	case CM_REQ_OFFLINE:
		if (selection(req, sel) == -1) {
			*status = CM_STT_INVALID;
			return -1;
		}
		p->asked = req->command == CM_REQ_ONLINE ? IMSG_CTL_ONLINE :
		    IMSG_CTL_OFFLINE;
		*len = sizeof(*sel);
		return 0;
	case CM_REQ_BURST:
		memset(b, 0, sizeof(*b));
		if (selection(req, &b->sel) == -1) {
			*status = CM_STT_INVALID;
			return -1;
		}
		b->good = req->n_good;
		b->max = req->n_total;
		p->asked = IMSG_CTL_BURST;
		*len = sizeof(*b);
		return 0;
	case CM_REQ_MAKESTEP:
		p->asked = IMSG_CTL_MAKESTEP;
		return 0;
	case CM_REQ_MODIFY_MAKESTEP:
		memset(ms, 0, sizeof(*ms));
		ms->threshold_s = req->value;
		ms->limit = req->option;
		p->asked = IMSG_CTL_SET_MAKESTEP;
		*len = sizeof(*ms);
		return 0;
	case CM_REQ_SMOOTHTIME:
		if (req->option != 0 && req->option != 1) {
			*status = CM_STT_INVALID;
			return -1;
		}
		p->asked = req->option == 0 ? IMSG_CTL_SMOOTH_RESET :
		    IMSG_CTL_SMOOTH_ACTIVATE;
		return 0;
	case CM_REQ_ONOFFLINE:
		p->asked = IMSG_CTL_ONOFFLINE;
		return 0;
	case CM_REQ_RESET_SOURCES:
		p->asked = IMSG_CTL_RESET_SOURCES;
		return 0;
	case CM_REQ_RELOAD_SOURCES:
		p->asked = IMSG_CTL_RELOAD_SOURCES;
		return 0;
	case CM_REQ_REKEY:
		p->asked = IMSG_CTL_REKEY;
		return 0;
	case CM_REQ_CYCLELOGS:
		p->asked = IMSG_CTL_CYCLELOGS;
		return 0;
	case CM_REQ_DOFFSET2:
		memset(d, 0, sizeof(*d));
		d->offset_s = req->value;
		p->asked = IMSG_CTL_DOFFSET;
		*len = sizeof(*d);
		return 0;
	}
	return 1;		/* answered here */
}

/*
 * The commands answered here: NULL, chronyc's empty manual list and
 * "no RTC" (rtcsync leaves the RTC to the kernel, as chronyd's), and
 * the rest, which timed has not.
 */
static void
answer_here(struct chronycsock *cm, const struct cmdmon_request *req,
    const struct sockaddr_un *to, socklen_t tolen, int root)
{
	uint8_t		 body[CM_RPY_MAX];

	switch (req->command) {
	case CM_REQ_NULL:
		send_reply(cm, req, to, tolen, CM_STT_SUCCESS, CM_RPY_NULL,
		    NULL, 0);
		return;
	case CM_REQ_MANUAL_LIST:
		send_reply(cm, req, to, tolen, CM_STT_SUCCESS,
		    CM_RPY_MANUAL_LIST2, body, cmdmon_body_manual_list(body));
		return;
	case CM_REQ_RTCREPORT:
		send_reply(cm, req, to, tolen, CM_STT_NORTC, CM_RPY_NULL,
		    NULL, 0);
		return;
	case CM_REQ_LOGON:
		send_reply(cm, req, to, tolen, CM_STT_FAILED, CM_RPY_NULL,
		    NULL, 0);
		return;
	}
	send_reply(cm, req, to, tolen, root ? CM_STT_NOTENABLED :
	    CM_STT_UNAUTH, CM_RPY_NULL, NULL, 0);
}

/* The sender's credentials, as the kernel vouches for them. */
static void
credentials(struct chronycsock *cm, struct msghdr *m, uid_t *uid, gid_t *gid)
{
	struct cmsghdr	*cmsg;
	struct ucred	 cred;

	if (cm->sim) {		/* clknetsim: no credentials, all root */
		*uid = 0;
		*gid = 0;
		return;
	}
	*uid = (uid_t)-1;	/* none: nobody's rights */
	*gid = (gid_t)-1;
	for (cmsg = CMSG_FIRSTHDR(m); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(m, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_CREDENTIALS &&
		    cmsg->cmsg_len >= CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
			*uid = cred.uid;
			*gid = cred.gid;
		}
	}
}

static void
recv_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct chronycsock		*cm = arg;
	struct control		*ctl = cm->mon->control;
	struct sockaddr_un	 from;
	struct cmdmon_request	 req;
	struct pending		*p;
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct ucred))];
	} cbuf;
	uint8_t			 buf[CM_REQ_MAX + 1];
	uint8_t			 payload[sizeof(struct ctl_burst) +
				    sizeof(struct ctl_select)];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 m;
	enum cmdmon_status	 status = CM_STT_SUCCESS;
	size_t			 len;
	ssize_t			 n;
	uid_t			 uid;
	gid_t			 gid;
	int			 i;

	/* A few datagrams a wake-up: the rest wait for the next. */
	for (i = 0; i < 16; i++) {
		memset(&from, 0, sizeof(from));
		memset(&m, 0, sizeof(m));
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if (!cm->sim) {
			m.msg_control = cbuf.buf;
			m.msg_controllen = sizeof(cbuf.buf);
		}
		if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) == -1)
			return;
		/* No address to answer (an unbound sender): dropped. */
		if (m.msg_namelen <= offsetof(struct sockaddr_un, sun_path) ||
		    from.sun_path[0] == '\0')
			continue;
		credentials(cm, &m, &uid, &gid);
		switch (cmdmon_parse(buf, (size_t)n, &req, &status)) {
		case CM_DROP:
			continue;
		case CM_ERROR:
			send_reply(cm, &req, &from, m.msg_namelen, status,
			    CM_RPY_NULL, NULL, 0);
			continue;
		case CM_OK:
			break;
		}
		p = xcalloc(1, sizeof(*p));
		p->cm = cm;
		p->req = req;
		p->to = from;
		p->tolen = m.msg_namelen;
		if (translate(&req, p, payload, &len, &status) != 0 ||
		    ctl == NULL) {
			if (status != CM_STT_SUCCESS)
				send_reply(cm, &req, &from, m.msg_namelen,
				    status, CM_RPY_NULL, NULL, 0);
			else
				answer_here(cm, &req, &from, m.msg_namelen,
				    ctl != NULL ?
				    control_may_change(ctl, uid, gid) :
				    uid == 0);
			free(p);
			continue;
		}
		/* Refused (too many in flight): no answer, chronyc retries. */
		if (control_ask(ctl, uid, gid, p->asked, len > 0 ? payload :
		    NULL, len, sink, p) == -1)
			free(p);
	}
}

static struct chronycsock *
chronyc_new(int fd, const char *path, int sim)
{
	struct chronycsock	*cm = xcalloc(1, sizeof(*cm));

	cm->fd = fd;
	cm->sim = sim;
	cm->path = xstrdup(path);
	return cm;
}

struct chronycsock *
chronyc_open(const char *path)
{
	struct sockaddr_un	 sun;
	char			*copy, *dir;
	int			 fd, on = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    (int)sizeof(sun.sun_path))
		fatalx("chronycsocket %s: path too long", path);
	copy = xstrdup(path);
	dir = dirname(copy);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		fatal("chronycsocket: mkdir %s", dir);
	free(copy);
	if ((fd = sock_open(AF_UNIX, SOCK_DGRAM)) == -1)
		fatal("chronycsocket: socket");
	/* A socket someone still answers on is another daemon's. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		fatalx("chronycsocket %s: another daemon is using it", path);
	close(fd);
	if (unlink(path) == -1 && errno != ENOENT)
		fatal("chronycsocket: unlink %s", path);
	if ((fd = sock_open(AF_UNIX, SOCK_DGRAM)) == -1)
		fatal("chronycsocket: socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("chronycsocket: bind %s", path);
	/*
	 * Writable by all: what each sender may do is decided from its
	 * credentials.  chronyc makes its own socket in the same directory,
	 * so a user who cannot write there cannot use it anyway.
	 */
	if (chmod(path, 0666) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1)
		fatal("chronycsocket %s", path);
	return chronyc_new(fd, path, 0);
}

struct chronycsock *
chronyc_open_sim(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = sock_open(AF_UNIX, SOCK_DGRAM)) == -1)
		return NULL;	/* no UNIX sockets in this simulation */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	return chronyc_new(fd, path, 1);
}

void
chronyc_start(struct chronycsock *cm, struct monitor *mon)
{
	cm->mon = mon;
	if ((cm->ev = event_new(mon->base, cm->fd, EV_READ | EV_PERSIST,
	    recv_cb, cm)) == NULL || event_add(cm->ev, NULL) == -1)
		fatalx("chronycsocket: event_new");
}

void
chronyc_close(struct chronycsock *cm)
{
	if (cm == NULL)
		return;
	if (cm->ev != NULL)
		event_free(cm->ev);
	close(cm->fd);
	if (!cm->sim)
		unlink(cm->path);
	free(cm->path);
	free(cm);
}
