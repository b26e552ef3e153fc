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
 * The client's sources on the network: a socket per request, the
 * request out (NTS or a MAC on it), the answer in with its kernel
 * timestamps, through lib/src into lib/sst, then to the reference
 * (client_ref.c); resolving names and filling pools; the hand-off to
 * each source's NTS client (ntsclient.c).
 */

#include <sys/random.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "blame.h"
#include "client.h"
#include "client_int.h"
#include "ectx.h"
#include "hwif.h"
#include "hwts.h"
#include "log.h"
#include "ntpkey.h"
#include "ntsclient.h"
#include "sel.h"
#include "sock.h"
#include "src.h"
#include "sst.h"
#include "xmalloc.h"

#define REPLACE_AFTER	8	/* polls unanswered: look for another */
#define FALSE_REPLACE_AFTER 16	/* polls in a row a falseticker: too */
#define FIRST_DUE_NS	2000000000LL	/* client_first_pending() */

static void	poll_cb(evutil_socket_t, short, void *);
static void	use_sample(struct csrc *, struct sst_sample *, const uint8_t *,
		    size_t);
static int	same_address(const struct sockaddr *,
		    const struct sockaddr_storage *);
static void	note_address(struct csrc *, const struct sockaddr_storage *);

/*
 * Requests to different sources leave apart, as chrony's: 0.2 s, or an
 * eighth of the poll when shorter (down to 2 ms; eight sources at the
 * same short poll are not held back), so that one source's answer is
 * not queued behind another's and a burst of requests does not meet
 * a rate limit.
 */
static int64_t
separation_ns(int poll)
{
	return (int64_t)(fmin(fmax(ldexp(1.0, poll - 3), 0.002), 0.2) * 1e9);
}

static int64_t
separate(const struct csrc *s, int64_t at)
{
	const struct client	*cl = s->cl;
	const struct csrc	*o;
	int64_t			 sep = separation_ns(s->src.poll);
	int			 i, moved, pass;

	if (s->rc != NULL)
		return at;	/* a reference clock: polled on its own */
	if (cl->last_poll_ns != 0 && at - cl->last_poll_ns < sep)
		at = cl->last_poll_ns + sep;
	/* every pass that moves it moves it past one more source */
	for (pass = 0, moved = 1; moved && pass <= cl->n; pass++) {
		moved = 0;
		for (i = 0; i < cl->n; i++) {
			o = cl->srcs[i];
			if (o == s || o->rc != NULL || o->ev_poll == NULL ||
			    !evtimer_pending(o->ev_poll, NULL) ||
			    o->poll_at_ns <= at - sep ||
			    o->poll_at_ns >= at + sep)
				continue;
			at = o->poll_at_ns + sep;
			moved = 1;
		}
	}
	return at;
}

/*
 * The event loop's time, which its timers keep: the engine's time moves
 * with the clock's corrections, 0.1 s in a slew at the start, and the
 * sources' polls would come that much closer than they were put.
 */
static int64_t
loop_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Whether a source's first request is still to leave, within the next
 * FIRST_DUE_NS: the sources' first requests leave 0.2 s apart, and an
 * early answer waits for the others' (client_candidate()).  One waiting
 * for NTS-KE, a key or an address has no such request yet.
 */
int
client_first_pending(const struct client *cl)
{
	const struct csrc	*s;
	int64_t			 now = loop_ns();
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (s->rc == NULL && s->resolved && !s->offline &&
		    s->src.stats.tx == s->tx_at_resolve && s->ev_poll != NULL &&
		    evtimer_pending(s->ev_poll, NULL) &&
		    s->poll_at_ns - now <= FIRST_DUE_NS)
			return 1;
	}
	return 0;
}

void
client_schedule(struct csrc *s, int64_t delay_ns)
{
	struct timeval	 tv;
	int64_t		 now = loop_ns();

	if (delay_ns < 0)
		delay_ns = 0;
	s->poll_at_ns = separate(s, now + delay_ns);
	delay_ns = s->poll_at_ns - now;
	tv.tv_sec = delay_ns / 1000000000LL;
	tv.tv_usec = (delay_ns % 1000000000LL) / 1000;
	evtimer_add(s->ev_poll, &tv);
}

void
client_close_socket(struct csrc *s)
{
	if (s->ev_old != NULL) {
		event_free(s->ev_old);
		s->ev_old = NULL;
	}
	if (s->old_fd != -1) {
		close(s->old_fd);
		s->old_fd = -1;
	}
	if (s->ev_rx != NULL) {
		event_free(s->ev_rx);
		s->ev_rx = NULL;
	}
	if (s->fd != -1) {
		close(s->fd);
		s->fd = -1;
	}
}

void
client_address_of(const struct csrc *s, char *buf, size_t len)
{
	const void	*a = s->addr.ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr;

	buf[0] = '\0';
	if (s->rc != NULL)		/* a refclock: its refid, as chronyc */
		snprintf(buf, len, "%s", s->name);
	else if (s->resolved)
		inet_ntop(s->addr.ss_family, a, buf, len);
}

/* An address as a refid: IPv4 itself, IPv6 a hash, as RFC 5905. */
static uint32_t
refid_of(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const void *)ss;
	const struct sockaddr_in6	*sin6 = (const void *)ss;
	uint32_t			 h = 2166136261u;
	int				 i;

	if (ss->ss_family == AF_INET)
		return ntohl(sin->sin_addr.s_addr);
	for (i = 0; i < 16; i++)
		h = (h ^ sin6->sin6_addr.s6_addr[i]) * 16777619u;
	return h;
}

uint32_t
client_refid_of(const struct csrc *s)
{
	/* a refclock: its configured refid; copy: the server's */
	if (s->rc != NULL || s->src.p.copy)
		return s->src.refid;
	return refid_of(&s->addr);
}

/*
 * chrony's test D: a server past stratum 1 whose reference is the
 * address we send from is synchronised to us, and its time ours again:
 * two servers of a cluster polling each other.  And a server at our own
 * address and port is us (the same lines on every server of a cluster):
 * its local reference would be taken for a stratum-1 source.  Only when
 * we serve.
 */
static int
sync_loop(const struct csrc *s)
{
	const struct conf	*conf = s->cl->ctx->conf;
	const struct conf_acl	*a;

	if (conf->port == 0 || s->local_refid == 0 || (!s->self &&
	    (s->src.last.pkt.stratum <= 1 ||
	    s->src.last.pkt.refid != s->local_refid)))
		return 0;
	if (s->src.p.peer)	/* it hears from us on our polls */
		return 1;
	for (a = conf->acl; a != NULL; a = a->next)
		if (a->allow)
			return 1;
	return 0;
}

/*
 * The transmit timestamp of our request from the error queue: the
 * card's or the kernel's (hwif_stamp()).  One read; clknetsim hands over
 * a datagram when it holds no timestamp, so there it is read only right
 * after a send that asked for one.  A timestamp after the answer still
 * serves the next interleaved exchange (src_tx_time()).
 */
static void
read_tx_time(struct csrc *s, int fd)
{
	struct hwts_cmsg	 c;
	union {
		struct cmsghdr	 align;
		uint8_t		 b[512];
	} cbuf;
	uint8_t			 buf[PKT_MAX_LEN + 128];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 m;
	enum hwts_source	 src;
	int64_t			 t1;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf.b;
	m.msg_controllen = sizeof(cbuf.b);
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
		return;
	hwts_parse_cmsgs(m.msg_control, m.msg_controllen, &c);
	/* the card that sent it: the one the answers come in by */
	if (c.if_index == 0)
		c.if_index = s->rx_if_index;
	src = hwif_stamp(s->cl->ctx, &c, 1, 0, s->addr.ss_family == AF_INET6,
	    s->src.req.t1_ns, &t1);
	/* a kernel timestamp does not replace the card's (OPT_TX_SWHW) */
	if (src == HWTS_DAEMON || (int)src < s->tx_src)
		return;
	s->tx_src = src;
	src_tx_time(&s->src, t1);
}

/*
 * 1 if the source has no key, or its key is in the keyfile; a source
 * with a key is never polled without it.
 */
static int
key_ready(struct csrc *s)
{
	if (s->conf->key == 0 || (s->cl->ctx->keys != NULL &&
	    ntpkeys_known(s->cl->ctx->keys, s->conf->key))) {
		s->key_missing = 0;
		return 1;
	}
	if (!s->key_missing)
		log_warnx("source %s: key %u is not in the keyfile; not "
		    "polled", s->name, (unsigned)s->conf->key);
	s->key_missing = 1;
	return 0;
}

/*
 * A source with a key: the answer's length without its MAC if the MAC
 * is ours and good, else 0 (dropped and counted).
 */
static size_t
mac_reply(struct csrc *s, const uint8_t *buf, size_t len)
{
	struct pkt	 p;

	if (s->cl->ctx->keys == NULL || pkt_decode(&p, buf, len) != PKT_OK ||
	    p.n_ef > 0 || ntpkeys_verify(s->cl->ctx->keys, buf, len,
	    p.mac_len, p.version) != s->conf->key)
		goto bad;
	s->mac_ok++;
	return len - p.mac_len;
bad:
	s->mac_failed++;
	log_debug("source %s: answer without a good MAC dropped", s->name);
	return 0;
}

/*
 * A packet from s's server or peer, received at t4: authenticated (NTS
 * or a key), checked by the source, and its sample to the filters.
 */
static void
take(struct csrc *s, const uint8_t *buf, size_t n, int64_t t4)
{
	struct sst_sample	 sm;
	int64_t			 next = s->src.next_ns;
	enum src_reason		 why;

	/* NTS: authenticated and ours, or dropped (counted there) */
	if (s->nts != NULL && !ntscl_response(s->nts, buf, n,
	    s->src.req.awaiting ? s->src.req.xmt : 0))
		return;
	/* a key: its MAC good, then the header alone */
	if (s->conf->key != 0 && (n = mac_reply(s, buf, n)) == 0)
		return;
	why = src_reply(&s->src, buf, n, t4, &sm);
	/* a peer's packet moves our next one (src_reply()) */
	if (s->src.next_ns != next)
		client_schedule(s, s->src.next_ns - ectx_now_ns(s->cl->ctx));
	if (why == SRC_OK)	/* else counted in the source */
		use_sample(s, &sm, buf, n);
	else if (why != SRC_MALFORMED && why != SRC_DUPLICATE &&
	    why != SRC_BOGUS && why != SRC_PRESEND)
		sst_filter_miss(s->sst);	/* an answer, but no sample */
}

/* An answer from s's server, on its connected socket. */
static void
handle_reply(struct csrc *s, uint8_t *buf, size_t n, struct msghdr *m)
{
	struct hwts_cmsg	 c;
	int64_t			 t4;

	/* the card's timestamp, else the kernel's, else ours */
	hwts_parse_cmsgs(m->msg_control, m->msg_controllen, &c);
	if (c.hw_ns != 0 && c.if_index != 0)
		s->rx_if_index = c.if_index;
	s->rx_src = hwif_stamp(s->cl->ctx, &c, 0, n,
	    s->addr.ss_family == AF_INET6, ectx_now_ns(s->cl->ctx), &t4);
	take(s, buf, n, t4);
}

static int
same_port(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_port ==
		    ((const struct sockaddr_in *)b)->sin_port;
	return ((const struct sockaddr_in6 *)a)->sin6_port ==
	    ((const struct sockaddr_in6 *)b)->sin6_port;
}

int
client_peer_rx(struct client *cl, const struct sockaddr *from,
    const uint8_t *pkt, size_t len, int64_t rx_ns)
{
	struct csrc	*s;
	int		 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!(s->src.p.peer || s->acq) || !s->resolved ||
		    !same_address(from, &s->addr) || !same_port(from, &s->addr))
			continue;
		s->rx_src = HWTS_KERNEL;
		take(s, pkt, len, rx_ns);
		return 1;
	}
	return 0;
}

/*
 * The measurements log's chronyd tests a refused sample failed: A a bad
 * value, B maxdelayratio, C the delay filter (maxdelaydevratio) or
 * maxdelayquant.  Held by the median filter: none.
 */
static uint32_t
failed_tests(enum sst_reason why)
{
	switch (why) {
	case SST_BAD_VALUE:
		return LOG_TEST_A;
	case SST_DELAY_RATIO:
		return LOG_TEST_B;
	case SST_DELAY_OUTLIER:
	case SST_DELAY_QUANT:
		return LOG_TEST_C;
	default:
		return 0;
	}
}

/* A sample that src_reply() gave: to the filters, the poll, selection. */
static void
use_sample(struct csrc *s, struct sst_sample *smp, const uint8_t *buf,
    size_t n)
{
	struct sst_sample	 sm = *smp;
	int64_t			 next;
	enum sst_reason		 why;
	struct sst_est		 est;
	double			 predicted;
	int			 have_est;

	if (sync_loop(s)) {
		s->src.stats.refused[SRC_SYNC_LOOP]++;
		src_loop_answer(&s->src);
		client_log_measurement(s, smp, buf, n, LOG_TEST_D);
		log_debug("source %s: synchronised to us: no sample", s->name);
		return;
	}
	/* extfield F323: the server's corrections since, into the history */
	sst_shift(s->sst, src_take_mono(&s->src));
	/* `filter N`: held until the Nth poll, then their median goes on */
	if ((why = sst_filter(s->sst, &sm)) != SST_OK) {
		client_log_measurement(s, smp, buf, n, failed_tests(why));
		if (why == SST_FILTERED)
			src_good(&s->src);	/* a burst counts packets */
		return;
	}
	s->error_s = sm.delay_s / 2 + sm.disp_s + sm.root_delay_s / 2 +
	    sm.root_disp_s;
	/* how well the samples before predicted this one: for the poll */
	have_est = sst_estimate(s->sst, sm.time_ns, &est) == 0;
	predicted = have_est ? est.offset_s : 0.0;
	why = sst_add(s->sst, &sm);
	client_log_measurement(s, smp, buf, n, failed_tests(why));
	log_debug("source %s: offset %+.9f delay %.9f%s", s->name,
	    sm.offset_s, sm.delay_s, why == SST_DELAY_OUTLIER ?
	    " delay outlier" : why == SST_DELAY_RATIO ? " over maxdelayratio" :
	    why == SST_DELAY_QUANT ? " over maxdelayquant" : "");
	if (why != SST_OK)
		return;
	next = s->src.next_ns;
	src_good(&s->src);
	src_adjust_poll(&s->src, sst_count(s->sst), sm.offset_s - predicted,
	    sm.delay_s / 2 + sm.disp_s, have_est ? fmin(sm.delay_s,
	    est.min_delay_s) : sm.delay_s);
	if (s->src.next_ns != next)
		client_schedule(s, s->src.next_ns - ectx_now_ns(s->cl->ctx));
	client_log_statistics(s, sm.time_ns);
	client_reference(s->cl, s);
}

static void
rx_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct csrc		*s = arg;
	uint8_t			 buf[PKT_MAX_LEN];
	union {
		struct cmsghdr	 align;
		uint8_t		 b[512];
	} cbuf;
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 m;
	ssize_t			 n;

	/* woken for the error queue too (POLLERR); not in clknetsim */
	if (fd == s->fd && !s->cl->ctx->sim && s->tx_stamping)
		read_tx_time(s, fd);
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf.b;
	m.msg_controllen = sizeof(cbuf.b);
	if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) <= 0 ||
	    blame_blocked((struct sockaddr *)&s->addr))
		return;
	blame_set(BLAME_NTP, (struct sockaddr *)&s->addr);
	handle_reply(s, buf, (size_t)n, &m);
	blame_clear();
}

/*
 * Transmit timestamps: when the request left, per the kernel (and the
 * card: hwif_socket_flags()); receive ones come with SO_TIMESTAMPNS.
 * In clknetsim, receive timestamps come with SO_TIMESTAMPING alone.
 */
#define TX_TS_FLAGS	(SOF_TIMESTAMPING_TX_SOFTWARE | \
	SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY)
#define RX_TS_FLAGS	(SOF_TIMESTAMPING_RX_SOFTWARE | \
	SOF_TIMESTAMPING_SOFTWARE)
#define TX_ASKED	(SOF_TIMESTAMPING_TX_SOFTWARE | \
	SOF_TIMESTAMPING_TX_HARDWARE)

/*
 * SO_TIMESTAMPING on the source's socket, the cards' flags with it if
 * there are any, without the ones an older kernel refuses (OPT_PKTINFO,
 * Linux 4.13), else without the cards'.  The flags set, 0 if none.
 */
static int
set_timestamping(struct csrc *s)
{
	int	 base, hw, ts[3], i;

	base = s->cl->ctx->sim ? RX_TS_FLAGS | SOF_TIMESTAMPING_TX_SOFTWARE :
	    TX_TS_FLAGS;
	hw = hwif_socket_flags(s->cl->ctx->hw);
	ts[0] = base | hw;
	ts[1] = base | (hw & ~SOF_TIMESTAMPING_OPT_PKTINFO);
	ts[2] = base;
	for (i = 0; i < 3; i++)
		if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &ts[i],
		    sizeof(ts[i])) == 0)
			return ts[i];
	return 0;
}

/* Our end of a socket connected to the source, for ntpdata. */
static void
note_local(struct csrc *s, int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		note_address(s, &ss);
}

/*
 * A peer's packets leave from the NTP port: its socket's address, or
 * where the route to the peer leaves from (a wildcard's).
 */
static void
note_peer_local(struct csrc *s)
{
	struct sockaddr_storage	 ss;
	int			 fd;

	if (ectx_peer_local(s->cl->ctx, s->addr.ss_family, &ss) == 0)
		note_address(s, &ss);
	else if ((fd = sock_open(s->addr.ss_family, SOCK_DGRAM)) != -1) {
		if (connect(fd, (struct sockaddr *)&s->addr, s->alen) == 0)
			note_local(s, fd);
		close(fd);
	}
}

/* Our address to the source, as ntpdata and the loop test see it. */
static void
note_address(struct csrc *s, const struct sockaddr_storage *sp)
{
	const void	*a;

	a = sp->ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)sp)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)sp)->sin6_addr;
	if (inet_ntop(sp->ss_family, a, s->local, sizeof(s->local)) == NULL)
		s->local[0] = '\0';
	s->local_refid = refid_of(sp);
	s->self = sp->ss_family == s->addr.ss_family &&
	    s->conf->port == s->cl->ctx->conf->port &&
	    memcmp(a, sp->ss_family == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr,
	    sp->ss_family == AF_INET ? 4 : 16) == 0;
}

static int
open_socket(struct csrc *s)
{
	int	 on = 1;

	/* The socket before stays open one poll more, for a late answer. */
	if (s->ev_old != NULL)
		event_free(s->ev_old);
	if (s->old_fd != -1)
		close(s->old_fd);
	s->old_fd = s->fd;
	s->ev_old = s->ev_rx;
	s->fd = -1;
	s->ev_rx = NULL;
	if ((s->fd = sock_open(s->addr.ss_family, SOCK_DGRAM)) == -1)
		return -1;
	/* connect: the kernel picks a random port, and filters replies */
	/* Without transmit timestamps the user-space time is used. */
	s->tx_stamping = (set_timestamping(s) & TX_ASKED) != 0;
	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
	    sizeof(on)) == -1 ||
	    connect(s->fd, (struct sockaddr *)&s->addr, s->alen) == -1 ||
	    (s->ev_rx = event_new(s->cl->ctx->base, s->fd, EV_READ |
	    EV_PERSIST, rx_cb, s)) == NULL || event_add(s->ev_rx, NULL) == -1) {
		client_close_socket(s);
		return -1;
	}
	note_local(s, s->fd);
	return 0;
}

/*
 * A source that stayed unreachable: a pool member gives its address up
 * for another of the pool's; a server name is looked up again.  A pool
 * member that stayed a falseticker goes the same way (why says which).
 */
static void
replace(struct csrc *s, const char *why)
{
	struct src_params	 p;
	struct in_addr		 a;
	struct in6_addr		 a6;

	if (s->conf->type == CONF_SRC_POOL) {
		log_info("pool %s: source %s %s, replacing it",
		    s->conf->name, s->name, why);
		s->false_polls = 0;
		client_close_socket(s);
		sst_reset(s->sst);
		s->have_est = 0;
		p = s->src.p;	/* src_init() clears what it is given */
		src_init(&s->src, &p, ectx_now_ns(s->cl->ctx));
		s->resolved = 0;
		s->gave_up = 1;		/* keeps addr, to skip it */
		s->state = SEL_UNUSABLE;
		snprintf(s->name, sizeof(s->name), "%s", s->conf->name);
		client_reference(s->cl, NULL);
		client_resolve(s);
		client_schedule(s, (int64_t)(src_interval_s(&s->src) * 8e9));
		return;
	}
	s->tx_at_resolve = s->src.stats.tx;
	if (inet_pton(AF_INET, s->conf->name, &a) != 1 &&
	    inet_pton(AF_INET6, s->conf->name, &a6) != 1)
		client_resolve(s);
	client_schedule(s, 0);
}

/* The NTP version of our packets to s (its version option, else 4). */
static int
version_of(const struct csrc *s)
{
	return s->conf->version != 0 ? s->conf->version : 4;
}

/* A peer's packet of ours, signed with its key if it has one. */
static size_t
peer_packet(struct csrc *s, int64_t t1, uint64_t rnd, uint8_t *pkt, int sel)
{
	struct srv_state	 st;

	struct pkt_exp1		 e;

	ectx_served_state(s->cl->ctx, &st);
	src_poll_peer(&s->src, t1, rnd, &st, pkt, sel);
	if (s->conf->key != 0)
		return ntpkeys_sign(s->cl->ctx->keys, s->conf->key, pkt,
		    PKT_HDR_LEN, version_of(s));
	if (!s->src.p.exp1)
		return PKT_HDR_LEN;
	/* extfield F323: as a server's answer, of the peer's last packet */
	memset(&e, 0, sizeof(e));
	e.root_delay_s = st.root_delay_s;
	e.root_disp_s = st.root_disp_s;
	if (pkt_get_ts(pkt, PKT_RX_OFFSET) != 0)
		e.mono_rx = ectx_mono_ts(s->cl->ctx,
		    pkt_get_ts(pkt, PKT_RX_OFFSET));
	e.mono_epoch = s->cl->ctx->mono_epoch;
	pkt_exp1_put(pkt + PKT_HDR_LEN, &e);
	return PKT_HDR_LEN + PKT_EXP1_LEN;
}

/*
 * A peer's poll: from the NTP port, where its packets come to us (and
 * to the client by client_peer_rx()).  Returns when it left.
 */
static int64_t
send_peer(struct csrc *s, uint64_t rnd, int sel)
{
	uint8_t		 pkt[PKT_MAX_LEN];
	size_t		 len;
	int64_t		 t1;

	client_close_socket(s);
	note_peer_local(s);	/* the NTP port's sockets come at start */
	t1 = ectx_now_ns(s->cl->ctx);
	s->cl->last_poll_ns = loop_ns();
	len = peer_packet(s, t1, rnd, pkt, sel);
	if (len > 0 && ectx_peer_send(s->cl->ctx, (struct sockaddr *)&s->addr,
	    s->alen, pkt, len) == -1)
		log_debug("source %s: send: %s", s->name, strerror(errno));
	return t1;
}

static void
poll_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct csrc	*s = arg;
	uint8_t		 pkt[PKT_MAX_LEN];
	size_t		 len = PKT_HDR_LEN;
	uint64_t	 xmt;
	int64_t		 t1;
	int		 sel = s->state == SEL_BEST;	/* backs off slowly */
	int		 failed = 0;

	if (s->offline && s->src.burst_left == 0)
		return;		/* timectl online or burst schedules again */
	if (!s->resolved) {
		/* a pool member waiting for an address: ask again later */
		client_resolve(s);
		client_schedule(s, (int64_t)(src_interval_s(&s->src) * 8e9));
		return;
	}
	if (s->src.denied)
		return;
	if (s->src.reach == 0 &&
	    s->src.stats.tx - s->tx_at_resolve >= REPLACE_AFTER) {
		replace(s, "unreachable");
		return;
	}
	s->false_polls = s->state == SEL_FALSE ? s->false_polls + 1 : 0;
	if (s->conf->type == CONF_SRC_POOL &&
	    s->false_polls >= FALSE_REPLACE_AFTER) {
		replace(s, "a falseticker");
		return;
	}
	if (s->nts != NULL && ntscl_prepare(s->nts, &s->addr, &s->alen) == -1)
		return;		/* NTS-KE first; then nts_ready() */
	if (!key_ready(s)) {
		/* SIGHUP may bring the key */
		client_schedule(s, (int64_t)(src_interval_s(&s->src) * 1e9));
		return;
	}
	if (getrandom(&xmt, sizeof(xmt), 0) != sizeof(xmt))
		fatal("getrandom");
	s->tx_src = HWTS_DAEMON;
	if (s->src.req.awaiting)
		sst_filter_miss(s->sst);	/* the last went unanswered */
	if (s->src.p.peer)
		t1 = send_peer(s, xmt, sel);
	else if (!s->acq && open_socket(s) == -1) {
		log_debug("source %s: %s", s->name, strerror(errno));
		t1 = ectx_now_ns(s->cl->ctx);
		src_poll(&s->src, t1, xmt, pkt, sel);	/* counts as lost */
		failed = 1;
	} else {
		/* acquisitionport: from the NTP port, the answer comes there */
		if (s->acq)
			note_peer_local(s);
		t1 = ectx_now_ns(s->cl->ctx);
		s->cl->last_poll_ns = loop_ns();
		src_poll(&s->src, t1, xmt, pkt, sel);
		if (s->nts != NULL)
			len = ntscl_request(s->nts, pkt, sizeof(pkt));
		else if (s->src.p.exp1) {
			pkt_exp1_put(pkt + PKT_HDR_LEN, NULL);
			len = PKT_HDR_LEN + PKT_EXP1_LEN;
		}
		else if (s->conf->key != 0)
			len = ntpkeys_sign(s->cl->ctx->keys, s->conf->key,
			    pkt, len, version_of(s));
		if (len > 0 && (s->acq ? ectx_peer_send(s->cl->ctx,
		    (struct sockaddr *)&s->addr, s->alen, pkt, len) :
		    send(s->fd, pkt, len, 0)) == -1) {
			log_debug("source %s: send: %s", s->name,
			    strerror(errno));
			failed = 1;
		} else if (len > 0 && !s->acq && s->cl->ctx->sim &&
		    s->tx_stamping)
			read_tx_time(s, s->fd);	/* there already */
	}
	client_schedule(s, s->src.next_ns - t1);
	/* auto_offline: a request that cannot leave takes it offline */
	if (failed && s->conf->auto_offline)
		client_src_online(s, 0);
	/* Eight polls missed in a row: select again (client_candidate()). */
	if (s->src.reach == 0 && s->state != SEL_UNUSABLE)
		client_reference(s->cl, NULL);
}

static void
resolved(struct csrc *s, const struct sockaddr *sa, socklen_t len,
    uint16_t port)
{
	int	 was = s->resolved;

	memcpy(&s->addr, sa, len);
	s->alen = len;
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)&s->addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&s->addr)->sin6_port = htons(port);
	s->resolved = 1;
	s->gave_up = 0;
	s->tx_at_resolve = s->src.stats.tx;
	if (s->conf->type == CONF_SRC_POOL)	/* members show their address */
		client_address_of(s, s->name, sizeof(s->name));
	if (!was && !s->offline)	/* offline: timectl online polls */
		client_schedule(s, CLIENT_FIRST_POLL_NS);
}

static int
same_address(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return 0;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* A pool's answer: give its members without an address new ones. */
static void
fill_pool(struct client *cl, const struct conf_source *pool,
    const struct evutil_addrinfo *res)
{
	const struct evutil_addrinfo	*ai;
	struct csrc			*m;
	int				 i, used;

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		used = 0;
		for (i = 0; i < cl->n; i++)
			if (cl->srcs[i]->conf == pool &&
			    (cl->srcs[i]->resolved || cl->srcs[i]->gave_up) &&
			    same_address(ai->ai_addr, &cl->srcs[i]->addr))
				used = 1;
		if (used)
			continue;
		for (i = 0, m = NULL; i < cl->n && m == NULL; i++)
			if (cl->srcs[i]->conf == pool && !cl->srcs[i]->resolved)
				m = cl->srcs[i];
		if (m == NULL)
			return;
		resolved(m, ai->ai_addr, ai->ai_addrlen, pool->port);
		log_info("pool %s: source %s", pool->name, m->name);
	}
}

static void
dns_cb(int err, struct evutil_addrinfo *res, void *arg)
{
	struct csrc		*s = arg;

	if (err == EVUTIL_EAI_CANCEL)
		return;		/* the source is gone */
	s->dns_req = NULL;
	if (err != 0 || res == NULL) {
		log_warnx("source %s: cannot resolve: %s", s->conf->name,
		    evutil_gai_strerror(err));
		return;
	}
	if (s->conf->type == CONF_SRC_POOL)
		fill_pool(s->cl, s->conf, res);
	else
		resolved(s, res->ai_addr, res->ai_addrlen, s->conf->port);
	evutil_freeaddrinfo(res);
}

/*
 * clknetsim answers getaddrinfo(3) for its nodes' names, at once; a pool's
 * name gives its members, as the resolver's answer does (dns_cb()).
 */
static void
resolve_sim(struct csrc *s, const struct evutil_addrinfo *hints)
{
	struct addrinfo	*ai;

	if (getaddrinfo(s->conf->name, NULL, hints, &ai) != 0) {
		log_warnx("source %s: cannot resolve it", s->conf->name);
		return;
	}
	if (s->conf->type == CONF_SRC_POOL)
		fill_pool(s->cl, s->conf, ai);
	else
		resolved(s, ai->ai_addr, ai->ai_addrlen, s->conf->port);
	freeaddrinfo(ai);
}

void
client_resolve(struct csrc *s)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct evutil_addrinfo	 hints;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, s->conf->name, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		resolved(s, (struct sockaddr *)&sin, sizeof(sin), s->conf->port);
		return;
	}
	if (inet_pton(AF_INET6, s->conf->name, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		resolved(s, (struct sockaddr *)&sin6, sizeof(sin6),
		    s->conf->port);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	/* ipv4, ipv6: the name's addresses of that family alone */
	hints.ai_family = s->conf->family == 4 ? AF_INET :
	    s->conf->family == 6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (s->cl->ctx->sim) {
		resolve_sim(s, &hints);
		return;
	}
	if (s->cl->dns == NULL) {
		log_warnx("source %s: no resolver", s->conf->name);
		return;
	}
	if (s->dns_req != NULL)
		return;		/* one lookup at a time */
	/* dns_cb may run before this returns: it clears dns_req, too. */
	s->dns_req = evdns_getaddrinfo(s->cl->dns, s->conf->name, NULL,
	    &hints, dns_cb, s);
}

/* NTS-KE is done: poll now. */
static void
nts_ready(void *arg)
{
	struct csrc	*s = arg;

	if (s->cl->started && s->resolved && !s->offline)
		client_schedule(s, 0);
}

struct csrc *
client_csrc_new(struct client *cl, const struct conf_source *cs)
{
	struct csrc		*s = xcalloc(1, sizeof(*s));
	struct src_params	 p;
	int			 oneshot = cl->ctx->oneshot != 0;

	s->cl = cl;
	s->conf = cs;
	s->fd = -1;
	/* -q and -Q run without the NTP port's sockets */
	s->acq = cl->ctx->conf->acquisitionport != 0 &&
	    cl->ctx->conf->acquisitionport == cl->ctx->conf->port &&
	    cs->type != CONF_SRC_PEER && !oneshot;
	s->old_fd = -1;
	s->state = SEL_UNUSABLE;
	s->offline = cs->offline;	/* until timectl online */
	snprintf(s->name, sizeof(s->name), "%s", cs->name);
	memset(&p, 0, sizeof(p));
	p.minpoll = cs->minpoll;
	p.maxpoll = cs->maxpoll;
	p.iburst = cs->iburst || oneshot;	/* -q/-Q: quick, as chronyd */
	p.burst = cs->burst;
	p.maxdelay_s = cs->maxdelay_s;
	p.polltarget = cs->polltarget;
	p.xleave = cs->xleave;
	p.peer = cs->type == CONF_SRC_PEER;
	p.offset_s = cs->offset_s;
	p.minstratum = cs->minstratum;
	p.version = cs->version;
	p.copy = cs->copy && cs->type != CONF_SRC_PEER;
	p.exp1 = cs->exp1;
	p.presend = cs->presend != CONF_PRESEND_NONE;
	p.presend_poll = cs->presend;
	src_init(&s->src, &p, ectx_now_ns(cl->ctx));
	if ((s->sst = sst_new()) == NULL ||
	    (s->ev_poll = evtimer_new(cl->ctx->base, poll_cb, s)) == NULL)
		fatalx("client: out of memory");
	sst_set_path(s->sst, cs->mindelay_s, cs->asymmetry);
	sst_set_delay_ratio(s->sst, cs->maxdelayratio);
	sst_set_delay_dev_ratio(s->sst, cs->maxdelaydevratio);
	sst_set_delay_quant(s->sst, cs->maxdelayquant);
	sst_set_samples(s->sst, cs->minsamples != 0 ? cs->minsamples :
	    cl->ctx->conf->minsamples, cs->maxsamples != 0 ? cs->maxsamples :
	    cl->ctx->conf->maxsamples);
	if (sst_set_filter(s->sst, cs->filter) == -1)
		fatalx("client: out of memory");
	if (cs->nts)
		s->nts = ntscl_new(cl->ctx, cs, nts_ready, s);
	cl->srcs[cl->n++] = s;
	return s;
}

void
client_nts_dump(struct client *cl)
{
	struct nts_dump	 d;
	int		 i;

	for (i = 0; i < cl->n; i++) {
		if (cl->srcs[i]->nts == NULL ||
		    ntscl_dump(cl->srcs[i]->nts, &d) == -1)
			continue;
		ectx_send(cl->ctx, IMSG_NTS_CLIENT_DUMP, 0, &d, sizeof(d));
		explicit_bzero(&d, sizeof(d));
	}
}

void
client_nts_trust_changed(struct client *cl, int certset)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->nts != NULL &&
		    cl->srcs[i]->conf->certset == certset)
			ntscl_trust_changed(cl->srcs[i]->nts);
}

void
client_nts_restore(struct client *cl, const struct nts_dump *d)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->nts != NULL &&
		    strcmp(cl->srcs[i]->conf->name, d->name) == 0) {
			(void)ntscl_restore(cl->srcs[i]->nts, d);
			return;
		}
}
