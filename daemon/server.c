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
 * The serving fast path (doc/DESIGN.md, "The serving path"): read with
 * recvmmsg until the socket is empty or a bounded number of batches is
 * done, answer each batch with one sendmmsg, take the receive time from
 * the kernel (SO_TIMESTAMPNS), write the transmit time last.  No
 * allocation and no logging per request: every outcome is a counter.
 * What a request gets is lib/serve.c's decision (ACL, ntsonly, packet
 * checks, MAC, rate limit, interleaving, the answer's fields); this
 * shell reads, seals (NTS, MAC) and sends.
 */

#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "acl.h"
#include "blame.h"
#include "clog.h"
#include "ectx.h"
#include "hwif.h"
#include "hwts.h"
#include "log.h"
#include "ntpkey.h"
#include "pkt.h"
#include "serve.h"
#include "server.h"
#include "tsm.h"
#include "xmalloc.h"

#define BATCH		32
#define MAX_BATCHES	16	/* per wake-up, so the client side runs too */
#define MAX_SOCKETS	16
#define RX_BUF		(PKT_MAX_LEN + 4)	/* longer is truncated */
#define RX_HEAD		128	/* a request with a MAC and no extension field */
#define CMSG_BUF	256
#define REF_REFRESH_S	16
#define TSMAP_SLOTS	16384	/* answers whose transmit time is kept */
/*
 * Kernel transmit timestamps, for interleaved answers: the socket only
 * reports (software, with the packet, and no receive timestamps twice:
 * SOF_TIMESTAMPING_OPT_RX_FILTER, Linux 6.12, tried first); each answer
 * that needs one asks with a control message.
 */
#define TS_OPT_RX_FILTER	(1 << 17)
#define TS_REPORT		SOF_TIMESTAMPING_SOFTWARE
#define TS_ASK			SOF_TIMESTAMPING_TX_SOFTWARE
#define ERRQ_BUF		256
/*
 * With hwtimestamp, the cards' receive timestamps on every request
 * (hwif_socket_flags()), their transmit timestamps asked as the
 * kernel's are, and the answer's interface with them (IP_PKTINFO of the
 * error queue's datagram).
 */
#define TS_ASK_HW		SOF_TIMESTAMPING_TX_HARDWARE

struct srv_sock {
	int		 fd;
	int		 family;	/* its address's; 0: not known */
	struct event	*ev;
	struct server	*srv;
	int		 tx_stamps;	/* transmit timestamps can be asked */
};

/*
 * Batch buffers, reused for every batch: a mapping of their own, whose
 * pages exist only once written (calloc() would write all 90 kB).  A
 * request lands in two pieces: its first RX_HEAD bytes in rx_head, all
 * of them next to each other, the rest (NTS) in rx_buf behind the room
 * for the head, which is copied there when a request is longer.  So a
 * batch of plain requests writes a page of heads, not one page per 4
 * requests; answers likewise, in tx_head unless NTS or a long request's
 * MAC needs tx_buf.
 */
struct batch {
	struct mmsghdr		 rx[BATCH];
	struct iovec		 rx_iov[BATCH][2];
	struct sockaddr_storage	 rx_addr[BATCH];
	uint8_t			 rx_cmsg[BATCH][CMSG_BUF];
	uint8_t			 rx_head[BATCH][RX_HEAD];
	struct mmsghdr		 tx[BATCH];
	struct iovec		 tx_iov[BATCH];
	uint8_t			 tx_cmsg[BATCH][CMSG_BUF];
	uint8_t			*tx_pkt[BATCH];		/* the answer */
	uint8_t			 tx_head[BATCH][RX_HEAD];
	uint8_t			 tx_keep[BATCH];	/* transmit time set */
	uint8_t			 tx_stamp[BATCH];	/* one asked for */
	uint8_t			 rx_buf[BATCH][RX_BUF];
	uint8_t			 tx_buf[BATCH][PKT_MAX_LEN];	/* NTS */
};

struct server {
	struct ectx		*ctx;
	struct srv_sock		 socks[MAX_SOCKETS];
	int			 nsocks;
	struct acl		*acl;
	struct acl		*ntsonly;	/* NULL: nobody */
	struct clog		*clog;
	size_t			 clog_cap;	/* its records when last seen */
	struct serve		 core;		/* its state, for lib/serve.c */
	double			 disp_s;	/* root dispersion at disp_ns */
	int64_t			 disp_ns;
	double			 disp_rate;	/* its growth, s/s */
	struct event		*ev_ref;
	struct rpt_serverstats	 stats;
	uint64_t		 rnd;		/* xorshift state for leak */
	struct tsm		*tsm;		/* interleaved mode */
	int			 stamped;	/* answers of the batch asking */
	int			 ask;		/* TS_ASK, and the cards' */
	struct batch		*b;
};

static uint32_t
next_rnd(struct server *srv)
{
	uint64_t	 x = srv->rnd;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	srv->rnd = x;
	return (uint32_t)(x >> 32);
}

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* Precision: log2 of the time one reading of the clock takes, rounded up. */
static int8_t
measure_precision(void)
{
	struct timespec	 a, b;
	int64_t		 best = 1000000000LL, d;
	int		 i, p;

	for (i = 0; i < 100; i++) {
		clock_gettime(CLOCK_REALTIME, &a);
		clock_gettime(CLOCK_REALTIME, &b);
		d = ts_ns(&b) - ts_ns(&a);
		if (d > 0 && d < best)
			best = d;
	}
	for (p = -30; p < 0 && (double)best * 1e-9 > 1.0 / (1u << -p); p++)
		;
	return (int8_t)p;
}

void
server_update(struct server *srv)
{
	const struct ectx	*ctx = srv->ctx;
	const struct conf	*conf = ctx->conf;
	struct srv_state	*st = &srv->core.st;

	srv->disp_rate = 0.0;
	if (ectx_reference(ctx, st, &srv->disp_ns, &srv->disp_rate)) {
		srv->disp_s = st->root_disp_s;
		/* smoothtime: the reference time as served, too */
		if (ctx->smooth.active && st->ref_ts != 0)
			st->ref_ts = pkt_ts_from_ns(ectx_served_ns(ctx,
			    pkt_ts_to_ns(st->ref_ts, ectx_now_ns(ctx))));
		return;
	}
	if (conf->local_set) {
		st->leap = ctx->cs->leap == LEAP_INSERT ? PKT_LEAP_INSERT :
		    ctx->cs->leap == LEAP_DELETE ? PKT_LEAP_DELETE :
		    PKT_LEAP_NONE;
		st->stratum = conf->local_stratum;
		st->refid = PKT_REFID_LOCAL;
		st->ref_ts = pkt_ts_from_ns(ectx_served_ns(ctx,
		    ectx_now_ns(ctx)));
		st->root_delay_s = 0.0;
		st->root_disp_s = 0.0;
	} else {
		/*
		 * Unsynchronised and not local: leap 3, stratum 16 (0 on the
		 * wire), no reference time, root delay and dispersion 1 s,
		 * as chrony.
		 */
		st->leap = PKT_LEAP_UNSYNC;
		st->stratum = 16;
		st->refid = 0;
		st->ref_ts = 0;
		st->root_delay_s = 1.0;
		st->root_disp_s = 1.0;
	}
}

/* The root dispersion answers carry at now_ns: grown since the update. */
static void
grow_disp(struct server *srv, int64_t now_ns)
{
	if (srv->disp_rate > 0.0 && now_ns > srv->disp_ns)
		srv->core.st.root_disp_s = srv->disp_s +
		    (now_ns - srv->disp_ns) * 1e-9 * srv->disp_rate;
}

void
server_state(struct server *srv, struct srv_state *st)
{
	grow_disp(srv, ectx_now_ns(srv->ctx));
	*st = srv->core.st;
}

int
server_peer_local(struct server *srv, int family, struct sockaddr_storage *ss)
{
	static const uint8_t	 any6[16];
	socklen_t		 len = sizeof(*ss);
	int			 i;

	for (i = 0; i < srv->nsocks; i++) {
		if (srv->socks[i].family != family ||
		    getsockname(srv->socks[i].fd, (struct sockaddr *)ss,
		    &len) == -1)
			continue;
		if (family == AF_INET ?
		    ((struct sockaddr_in *)ss)->sin_addr.s_addr == INADDR_ANY :
		    memcmp(&((struct sockaddr_in6 *)ss)->sin6_addr, any6,
		    16) == 0)
			return -1;
		return 0;
	}
	return -1;
}

int
server_peer_send(struct server *srv, const struct sockaddr *to,
    socklen_t tolen, const void *pkt, size_t len)
{
	int	 i, tried = 0;

	/* with bindaddress, the first socket that can reach it */
	for (i = 0; i < srv->nsocks; i++) {
		if (srv->socks[i].family != 0 &&
		    srv->socks[i].family != to->sa_family)
			continue;
		tried = 1;
		if (sendto(srv->socks[i].fd, pkt, len, 0, to, tolen) != -1) {
			srv->stats.ntp_tx++;
			return 0;
		}
	}
	if (!tried)
		errno = EAFNOSUPPORT;
	return -1;
}

static void
ref_cb(evutil_socket_t fd, short ev, void *arg)
{
	server_update(arg);
}

/*
 * The timestamps of one datagram (hwts_parse_cmsg()) and its
 * destination address, which goes into the reply's control buffer
 * (reply->msg_control), in one walk of the kernel's control messages.
 */
static void
parse_cmsgs(struct msghdr *m, struct hwts_cmsg *ts, struct msghdr *reply)
{
	struct cmsghdr	*c, *out;
	size_t		 space = 0;

	memset(ts, 0, sizeof(*ts));
	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		hwts_parse_cmsg(c->cmsg_level, c->cmsg_type, CMSG_DATA(c),
		    c->cmsg_len - CMSG_LEN(0), ts);
		if (!(c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) &&
		    !(c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO))
			continue;
		/* Answer from the address the request went to. */
		reply->msg_controllen = CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));
		out = CMSG_FIRSTHDR(reply);
		memcpy(out, c, c->cmsg_len);
		if (c->cmsg_level == IPPROTO_IP) {
			struct in_pktinfo	*pi = (void *)CMSG_DATA(out);

			pi->ipi_spec_dst = pi->ipi_addr;
			pi->ipi_ifindex = 0;
		}
		space = reply->msg_controllen;
	}
	reply->msg_controllen = space;
	if (space == 0)
		reply->msg_control = NULL;
}

/*
 * Ask the kernel for the transmit time of answer i (serve.h's
 * SERVE_ANS_STAMP), with a control message beside its source address.
 */
static void
ask_tx_time(struct server *srv, int i)
{
	struct msghdr	*r = &srv->b->tx[i].msg_hdr;
	struct cmsghdr	*c;
	size_t		 off = r->msg_control != NULL ? r->msg_controllen : 0;
	int		 ask = srv->ask;

	r->msg_control = srv->b->tx_cmsg[i];
	c = (struct cmsghdr *)(srv->b->tx_cmsg[i] + off);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SO_TIMESTAMPING;
	c->cmsg_len = CMSG_LEN(sizeof(ask));
	memcpy(CMSG_DATA(c), &ask, sizeof(ask));
	r->msg_controllen = off + CMSG_SPACE(sizeof(ask));
	srv->b->tx_stamp[i] = 1;
	srv->stamped++;
}

/*
 * The transmit times of answers, from the error queue, up to max of
 * them: the card's or the kernel's (hwif_stamp()).  Each comes with the
 * answer (behind the link, IP and UDP headers), whose receive timestamp
 * finds it in tsm.
 */
static void
read_tx_times(struct server *srv, int fd, int max)
{
	struct hwts_cmsg	 ts;
	uint8_t			 buf[ERRQ_BUF], cbuf[CMSG_BUF];
	struct iovec		 iov;
	struct msghdr		 m;
	struct timespec		 now;
	const uint8_t		*a;
	ssize_t			 n;
	int64_t			 t;
	int			 i;

	for (i = 0; i < max; i++) {
		memset(&m, 0, sizeof(m));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT)) == -1)
			return;
		if (n < PKT_HDR_LEN || (m.msg_flags & MSG_TRUNC))
			continue;
		a = buf + n - PKT_HDR_LEN;
		if ((a[0] & 7) != PKT_MODE_SERVER)
			continue;
		hwts_parse_cmsgs(m.msg_control, m.msg_controllen, &ts);
		clock_gettime(CLOCK_REALTIME, &now);
		if (hwif_stamp(srv->ctx, &ts, 1, 0, 0,
		    ectx_sys_to_ns(srv->ctx, ts_ns(&now)), &t) == HWTS_DAEMON)
			continue;
		tsm_set_tx(srv->tsm, pkt_get_ts(a, PKT_RX_OFFSET),
		    pkt_ts_from_ns(ectx_served_ns(srv->ctx, t)));
	}
}

/*
 * The answer in tx[i] (n bytes, the header) authenticated with key id,
 * with its transmit time now; its length, 0 if it cannot be made.  The
 * MAC has the request's length: the answer is no longer.
 */
static size_t
mac_answer(struct server *srv, int i, size_t n, uint32_t id, int version)
{
	struct timespec	 now;

	clock_gettime(CLOCK_REALTIME, &now);
	pkt_set_tx(srv->b->tx_pkt[i], pkt_ts_from_ns(ectx_served_ns(srv->ctx,
	    ectx_sys_to_ns(srv->ctx, ts_ns(&now)))));
	if ((n = ntpkeys_sign(srv->ctx->keys, id, srv->b->tx_pkt[i], n,
	    version)) != 0)
		srv->b->tx_keep[i] = 1;
	return n;
}

/* serve.h's MAC check: the engine's keyfile, which a reload replaces. */
static uint32_t
mac_check(void *arg, const uint8_t *req, size_t len, size_t mac_len,
    int version)
{
	const struct ectx	*ctx = arg;

	if (ctx->keys == NULL)
		return 0;
	return ntpkeys_verify(ctx->keys, req, len, mac_len, version);
}

/* Count a request that gets no answer, by why. */
static void
count_drop(struct server *srv, enum serve_verdict v, enum pkt_reason why)
{
	switch (v) {
	case SERVE_DENIED:
		srv->stats.denied++;
		break;
	case SERVE_NTSONLY:
		srv->stats.ntsonly_refused++;
		break;
	case SERVE_MALFORMED:
		srv->stats.malformed[why]++;
		break;
	case SERVE_RATE:
		srv->stats.rate_limited++;
		break;
	default:
		break;
	}
}

/*
 * The request in rx[i], for lib/serve.c to decide about: its bytes in
 * one piece, its sender, its arrival time and a random number.
 */
static void
make_req(struct server *srv, int i, int64_t now_ns, struct serve_req *rq,
    int64_t *local_ns)
{
	struct msghdr		*m = &srv->b->rx[i].msg_hdr;
	struct hwts_cmsg	 ts;

	rq->len = srv->b->rx[i].msg_len;
	rq->from = (struct sockaddr *)&srv->b->rx_addr[i];
	rq->flags = 0;
	srv->b->tx[i].msg_hdr.msg_control = srv->b->tx_cmsg[i];
	srv->b->tx_stamp[i] = 0;
	parse_cmsgs(m, &ts, &srv->b->tx[i].msg_hdr);
	if (m->msg_flags & MSG_TRUNC)
		rq->flags |= SERVE_RQ_TRUNC;
	/* the first piece's buffer: the head's, or the whole (clknetsim) */
	rq->pkt = srv->b->rx_iov[i][0].iov_base;
	if (rq->len > srv->b->rx_iov[i][0].iov_len) {
		/* the head in front of the rest: the request in one piece */
		memcpy(srv->b->rx_buf[i], srv->b->rx_head[i], RX_HEAD);
		rq->pkt = srv->b->rx_buf[i];
	}
	if (blame_blocked(rq->from))
		rq->flags |= SERVE_RQ_BLOCKED;
	/* the card's timestamp, else the kernel's, else the batch's time */
	hwif_stamp(srv->ctx, &ts, 0, rq->len, rq->from->sa_family == AF_INET6,
	    now_ns, local_ns);
	rq->rx_ns = ectx_served_ns(srv->ctx, *local_ns);
	rq->rnd = next_rnd(srv);
}

/*
 * A symmetric mode packet, for the client if it is a peer's; with
 * acquisitionport the NTP port, an answer (mode 4), if it is to a
 * request the client sent from here.
 */
static int
peer_packet(const struct server *srv, const struct serve_req *rq)
{
	const struct conf	*conf = srv->ctx->conf;
	int			 mode;

	if (rq->len < PKT_HDR_LEN || (rq->flags & (SERVE_RQ_TRUNC |
	    SERVE_RQ_BLOCKED)))
		return 0;
	mode = rq->pkt[0] & 7;
	return mode == PKT_MODE_SYMACT || mode == PKT_MODE_SYMPAS ||
	    (mode == PKT_MODE_SERVER && conf->acquisitionport != 0 &&
	    conf->acquisitionport == conf->port);
}

/*
 * chrony's experimental field after the header (n bytes): the root
 * delay and dispersion served, and the receive time on the engine's mono
 * clock (ectx.h).  The request had one as long.
 */
static size_t
add_exp1(struct server *srv, const struct serve_answer *a, uint8_t *out,
    size_t n)
{
	struct pkt_exp1	 e;

	memset(&e, 0, sizeof(e));
	e.root_delay_s = srv->core.st.root_delay_s;
	e.root_disp_s = srv->core.st.root_disp_s;
	e.mono_rx = ectx_mono_ts(srv->ctx, a->pkt.rx_ts);
	e.mono_epoch = srv->ctx->mono_epoch;
	pkt_exp1_put(out + n, &e);
	return n + PKT_EXP1_LEN;
}

/*
 * One request: lib/serve.c decides, this carries it out.  1 and the
 * answer in tx[i] if it gets one; -1 if a configured peer's packet,
 * which the client took; 0 if dropped.
 */
static int
handle_one(struct server *srv, int i, int64_t now_ns)
{
	struct msghdr		*r = &srv->b->tx[i].msg_hdr;
	struct serve_req	 rq;
	struct serve_answer	 a;
	enum serve_verdict	 v;
	size_t			 n;
	int64_t			 local_ns;
	int			 sealed = 0;

	srv->stats.ntp_rx++;
	make_req(srv, i, now_ns, &rq, &local_ns);
	/* the peer's own time, not smoothtime's */
	if (peer_packet(srv, &rq) && ectx_peer_rx(srv->ctx, rq.from, rq.pkt,
	    rq.len, local_ns))
		return -1;
	v = serve_request(&srv->core, &rq, &a);
	if (v != SERVE_ANSWER && v != SERVE_KOD) {
		count_drop(srv, v, a.why);
		return 0;
	}
	/* A MAC'd answer is no longer than its request; NTS's may be. */
	srv->b->tx_pkt[i] = (a.flags & SERVE_ANS_NTS) || rq.len > RX_HEAD ?
	    srv->b->tx_buf[i] : srv->b->tx_head[i];
	n = pkt_encode(&a.pkt, srv->b->tx_pkt[i], PKT_HDR_LEN);
	if (a.flags & SERVE_ANS_EXP1)
		n = add_exp1(srv, &a, srv->b->tx_pkt[i], n);
	srv->b->tx_keep[i] = (a.flags & SERVE_ANS_XLEAVE) != 0;
	if (a.flags & SERVE_ANS_XLEAVE)
		srv->stats.interleaved++;
	/* without transmit timestamps send_batch() keeps its own time */
	if ((a.flags & SERVE_ANS_STAMP) && srv->ask != 0)
		ask_tx_time(srv, i);
	/* NTS: sealed with its own transmit time, which stays */
	if (a.flags & SERVE_ANS_NTS) {
		n = ectx_nts_respond(srv->ctx, rq.pkt, rq.len,
		    srv->b->tx_buf[i], sizeof(srv->b->tx_buf[i]), n,
		    &srv->stats);
		if (n == 0)
			return 0;
		sealed = n > PKT_HDR_LEN;
		srv->b->tx_keep[i] = sealed;
	}
	if (a.key != 0) {
		if ((n = mac_answer(srv, i, n, a.key, a.pkt.version)) == 0)
			return 0;
		srv->stats.auth_ntp++;
	}
	if ((a.flags & SERVE_ANS_NTSONLY) && !sealed) {
		/* extension fields, but not NTS ones; or a MAC */
		srv->stats.ntsonly_refused++;
		return 0;
	}
	if (v == SERVE_KOD)
		srv->stats.kod_rate++;
	srv->b->tx_iov[i].iov_base = srv->b->tx_pkt[i];
	srv->b->tx_iov[i].iov_len = n;
	r->msg_iov = &srv->b->tx_iov[i];
	r->msg_iovlen = 1;
	r->msg_name = &srv->b->rx_addr[i];
	r->msg_namelen = srv->b->rx[i].msg_hdr.msg_namelen;
	r->msg_flags = 0;
	return 1;
}

static void
prepare_rx(struct server *srv)
{
	int	 i;

	for (i = 0; i < BATCH; i++) {
		struct msghdr	*m = &srv->b->rx[i].msg_hdr;

		srv->b->rx_iov[i][0].iov_base = srv->b->rx_head[i];
		srv->b->rx_iov[i][0].iov_len = RX_HEAD;
		srv->b->rx_iov[i][1].iov_base = srv->b->rx_buf[i] + RX_HEAD;
		srv->b->rx_iov[i][1].iov_len = RX_BUF - RX_HEAD;
		m->msg_name = &srv->b->rx_addr[i];
		m->msg_namelen = sizeof(srv->b->rx_addr[i]);
		m->msg_iov = srv->b->rx_iov[i];
		m->msg_iovlen = 2;
		if (srv->ctx->sim) {	/* clknetsim takes one iovec */
			srv->b->rx_iov[i][0].iov_base = srv->b->rx_buf[i];
			srv->b->rx_iov[i][0].iov_len = RX_BUF;
			m->msg_iovlen = 1;
		}
		m->msg_control = srv->b->rx_cmsg[i];
		m->msg_controllen = CMSG_BUF;
		m->msg_flags = 0;
	}
}

/* Send the answers gathered in tx[0..n); compacted, so in order. */
/*
 * clknetsim has no sendmmsg(2): one sendmsg each.  The transmit time
 * kept for interleaved answers is the batch's user-space one (its CPU
 * is infinitely fast: the kernel's), or the one the error queue holds
 * right after the send, as chronyd reads it there.
 */
static void
send_one_by_one(struct server *srv, int fd, int n, uint64_t tx_ts)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (sendmsg(fd, &srv->b->tx[i].msg_hdr, MSG_DONTWAIT) == -1) {
			srv->stats.tx_errors++;
			continue;
		}
		srv->stats.ntp_tx++;
		tsm_set_tx(srv->tsm, pkt_get_ts(srv->b->tx_iov[i].iov_base,
		    PKT_RX_OFFSET), tx_ts);
		if (srv->b->tx_stamp[i])
			read_tx_times(srv, fd, 1);
	}
}

static void
send_batch(struct server *srv, int fd, int n)
{
	struct timespec	 now;
	uint64_t	 tx_ts;
	int		 i, sent = 0, r;

	if (n == 0)
		return;
	/* The transmit time, as late as can be: just before the send. */
	clock_gettime(CLOCK_REALTIME, &now);
	tx_ts = pkt_ts_from_ns(ectx_served_ns(srv->ctx,
	    ectx_sys_to_ns(srv->ctx, ts_ns(&now))));
	for (i = 0; i < n; i++)
		if (!srv->b->tx_keep[i])
			pkt_set_tx(srv->b->tx_iov[i].iov_base, tx_ts);
	if (srv->ctx->sim) {
		send_one_by_one(srv, fd, n, tx_ts);
		return;
	}
	while (sent < n) {
		r = sendmmsg(fd, &srv->b->tx[sent], n - sent, MSG_DONTWAIT);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			/* This one is refused (EAGAIN, unreachable): skip it. */
			srv->stats.tx_errors++;
			sent++;
			continue;
		}
		srv->stats.ntp_tx += r;
		sent += r;
	}
}

static void
sock_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct srv_sock	*ss = arg;
	struct server	*srv = ss->srv;
	struct timespec	 now;
	int64_t		 now_ns;
	int		 b, i, n, out, peers, r;

	for (b = 0; b < MAX_BATCHES; b++) {
		prepare_rx(srv);
		if ((n = recvmmsg(fd, srv->b->rx, BATCH, MSG_DONTWAIT,
		    NULL)) <= 0) {
			/* woken with nothing to read: transmit times */
			if (b == 0 && !srv->ctx->sim)
				read_tx_times(srv, fd, BATCH * MAX_BATCHES);
			break;
		}
		srv->stamped = 0;
		/* the NTS server comes after this one */
		srv->core.nts = ectx_nts_serving(srv->ctx);
		clock_gettime(CLOCK_REALTIME, &now);
		now_ns = ectx_sys_to_ns(srv->ctx, ts_ns(&now));
		grow_disp(srv, now_ns);
		for (i = 0, out = 0, peers = 0; i < n; i++) {
			blame_set(BLAME_NTP,
			    (struct sockaddr *)&srv->b->rx_addr[i]);
			if ((r = handle_one(srv, i, now_ns)) <= 0) {
				peers += r < 0;
				continue;
			}
			if (out != i) {
				/* keep the answers contiguous for sendmmsg */
				srv->b->tx[out] = srv->b->tx[i];
				srv->b->tx_iov[out] = srv->b->tx_iov[i];
				srv->b->tx[out].msg_hdr.msg_iov = &srv->b->tx_iov[out];
				srv->b->tx_keep[out] = srv->b->tx_keep[i];
				srv->b->tx_stamp[out] = srv->b->tx_stamp[i];
			}
			out++;
		}
		srv->stats.ntp_dropped += n - out - peers;
		send_batch(srv, fd, out);
		/* on loopback they are there already; elsewhere soon */
		if (srv->stamped > 0 && !srv->ctx->sim)
			read_tx_times(srv, fd, BATCH * MAX_BATCHES);
		blame_clear();
		if (n < BATCH)
			break;
	}
	/*
	 * The client table grew (a few times in a life): the smaller one it
	 * left is free but dirty in the heap; give it back.
	 */
	if (clog_capacity(srv->clog) != srv->clog_cap) {
		srv->clog_cap = clog_capacity(srv->clog);
		malloc_trim(0);
	}
}

int
server_add_socket(struct server *srv, int fd)
{
	struct srv_sock		*ss;
	struct sockaddr_storage	 local;
	socklen_t		 len;
	int			 hw = hwif_socket_flags(srv->ctx->hw), report[4], i;

	if (srv->nsocks == MAX_SOCKETS)
		return -1;
	ss = &srv->socks[srv->nsocks];
	/*
	 * Reports only, the first the kernel takes: with the cards' (and
	 * IP_PKTINFO on the error queue's datagrams, for their interface),
	 * with or without OPT_RX_FILTER; the kernel's alone.  clknetsim
	 * gives receive timestamps with SO_TIMESTAMPING alone.
	 */
	report[0] = TS_REPORT | TS_OPT_RX_FILTER | hw |
	    (hw != 0 ? SOF_TIMESTAMPING_OPT_CMSG : 0);
	report[1] = report[0] & ~TS_OPT_RX_FILTER;
	report[2] = TS_REPORT | TS_OPT_RX_FILTER;
	report[3] = TS_REPORT;
	if (srv->ctx->sim) {
		report[0] = TS_REPORT | SOF_TIMESTAMPING_RX_SOFTWARE | hw;
		report[1] = report[2] = report[3] = TS_REPORT |
		    SOF_TIMESTAMPING_RX_SOFTWARE;
	}
	/* Without transmit timestamps answers are never interleaved. */
	for (i = 0; i < 4; i++)
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &report[i],
		    sizeof(report[i])) == 0)
			break;
	ss->tx_stamps = i < 4;
	/* the cards' if the socket reports them */
	if (i < 4 && (report[i] & SOF_TIMESTAMPING_RAW_HARDWARE))
		srv->ask = TS_ASK | TS_ASK_HW;
	else if (i < 4 && srv->ask == 0)
		srv->ask = TS_ASK;
	ss->fd = fd;
	ss->srv = srv;
	len = sizeof(local);
	ss->family = getsockname(fd, (struct sockaddr *)&local, &len) == 0 ?
	    local.ss_family : 0;
	if ((ss->ev = event_new(srv->ctx->base, fd, EV_READ | EV_PERSIST,
	    sock_cb, ss)) == NULL ||
	    event_priority_set(ss->ev, ECTX_PRIO_NTP) == -1 ||
	    event_add(ss->ev, NULL) == -1)
		return -1;
	srv->nsocks++;
	return 0;
}

static struct clog *
make_clog(const struct conf *conf)
{
	struct clog_params	 p;
	uint8_t			 key[16];
	struct clog		*c;

	memset(&p, 0, sizeof(p));
	p.max_bytes = conf->clientloglimit;
	p.disabled = conf->noclientlog;
	p.ratelimit = conf->ratelimit_set;
	p.interval = conf->ratelimit_interval;
	p.burst = conf->ratelimit_burst;
	p.leak = conf->ratelimit_leak;
	if (getrandom(key, sizeof(key), 0) != sizeof(key))
		fatal("getrandom");
	c = clog_new(&p, key);
	explicit_bzero(key, sizeof(key));
	return c;
}

struct server *
server_new(struct ectx *ctx)
{
	struct server	*srv = xcalloc(1, sizeof(*srv));
	struct timeval	 tv = { REF_REFRESH_S, 0 };

	srv->ctx = ctx;
	srv->b = mmap(NULL, sizeof(*srv->b), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (srv->b == MAP_FAILED)
		fatal("server: mmap");
	if ((srv->acl = acl_new(ctx->conf->acl)) == NULL ||
	    (ctx->conf->ntsonly != NULL &&
	    (srv->ntsonly = acl_new(ctx->conf->ntsonly)) == NULL) ||
	    (srv->clog = make_clog(ctx->conf)) == NULL ||
	    (srv->tsm = tsm_new(TSMAP_SLOTS)) == NULL)
		fatalx("server: out of memory");
	srv->clog_cap = clog_capacity(srv->clog);
	if (getrandom(&srv->rnd, sizeof(srv->rnd), 0) != sizeof(srv->rnd))
		fatal("getrandom");
	srv->rnd |= 1;
	srv->core.acl = srv->acl;
	srv->core.ntsonly = srv->ntsonly;
	srv->core.clog = srv->clog;
	srv->core.tsm = srv->tsm;
	srv->core.basic_only = ctx->conf->noclientlog;
	srv->core.mac_check = mac_check;
	srv->core.mac_arg = ctx;
	srv->core.st.precision = measure_precision();
	srv->core.st.min_poll = ctx->conf->ratelimit_set &&
	    !ctx->conf->noclientlog ? (int8_t)ctx->conf->ratelimit_interval :
	    PKT_MIN_POLL_ANY;
	server_update(srv);
	if ((srv->ev_ref = event_new(ctx->base, -1, EV_PERSIST, ref_cb,
	    srv)) == NULL || event_add(srv->ev_ref, &tv) == -1)
		fatalx("server: event_new");
	return srv;
}

void
server_free(struct server *srv)
{
	int	 i;

	if (srv == NULL)
		return;
	for (i = 0; i < srv->nsocks; i++) {
		event_free(srv->socks[i].ev);
		close(srv->socks[i].fd);
	}
	event_free(srv->ev_ref);
	tsm_free(srv->tsm);
	clog_free(srv->clog);
	acl_free(srv->acl);
	acl_free(srv->ntsonly);
	munmap(srv->b, sizeof(*srv->b));
	free(srv);
}

void
server_stats(const struct server *srv, struct rpt_serverstats *st)
{
	*st = srv->stats;
	st->log_dropped = clog_evicted(srv->clog);
	if (srv->tsm != NULL)
		tsm_stats(srv->tsm, &st->ts_held, &st->ts_span);
}

static void
client_report(const struct clog_entry *e, int64_t now_ns,
    struct rpt_client *r)
{
	memset(r, 0, sizeof(*r));
	inet_ntop(e->family, e->addr, r->address, sizeof(r->address));
	r->ntp_hits = e->hits;
	r->ntp_drops = e->drops + e->kods;
	r->kod_sent = e->kods;
	r->ntp_interval = e->interval_log2;
	r->ntp_interval_limited = 127;
	r->last_ntp_s = (now_ns - e->last_ns) * 1e-9;
	r->cmd_interval = 127;
	r->last_cmd_s = -1.0;
}

void
server_send_clients(const struct server *srv, uint32_t peerid,
    uint32_t first)
{
	struct clog_entry	 e;
	struct rpt_client	 r;
	struct ctl_page		 next;
	size_t			 pos = first;
	int64_t			 now = ectx_now_ns(srv->ctx);
	int			 n;

	for (n = 0; n < CTL_PAGE_MAX; n++) {
		if (clog_next(srv->clog, &pos, &e) == -1) {
			ectx_send(srv->ctx, IMSG_CTL_END, peerid, NULL, 0);
			return;
		}
		client_report(&e, now, &r);
		ectx_send(srv->ctx, IMSG_CTL_CLIENTS, peerid, &r, sizeof(r));
	}
	next.first = pos > UINT32_MAX ? UINT32_MAX : (uint32_t)pos;
	ectx_send(srv->ctx, IMSG_CTL_MORE, peerid, &next, sizeof(next));
}
