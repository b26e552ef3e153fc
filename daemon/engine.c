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
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "blame.h"
#include "client.h"
#include "ectx.h"
#include "engine.h"
#include "engine_int.h"
#include "hwif.h"
#include "hwts.h"
#include "log.h"
#include "ntpkey.h"
#include "ntske.h"
#include "ntsmat.h"
#include "ntsserver.h"
#include "proctitle.h"
#include "sandbox.h"
#include "server.h"

static struct engine	*the_engine;	/* for the log sink alone */

static void	engine_event(evutil_socket_t, short, void *);

static void
update_events(struct engine *eng)
{
	short	 what = EV_READ | EV_PERSIST;

	if (imsgbuf_is_mem(eng->ctx.ibuf))
		return;		/* chan_notify() wakes us */
	if (imsgbuf_queued(eng->ctx.ibuf) > 0)
		what |= EV_WRITE;
	event_del(eng->ev);
	event_assign(eng->ev, eng->ctx.base, imsgbuf_fd(eng->ctx.ibuf), what,
	    engine_event, eng);
	/*
	 * As urgent as NTP: a flood of requests must not starve the
	 * monitor's heartbeat, or its watchdog would kill a busy engine.
	 */
	event_priority_set(eng->ev, ECTX_PRIO_NTP);
	event_add(eng->ev, NULL);
}

/* The in-memory channel: the monitor handed something over. */
static void
chan_notify(void *arg)
{
	struct engine	*eng = arg;

	event_active(eng->ev, EV_READ, 0);
}

static void
log_sink(int priority, const char *msg)
{
	struct log_msg	 m;

	memset(&m, 0, sizeof(m));
	m.priority = priority;
	snprintf(m.text, sizeof(m.text), "%s", msg);
	ectx_send(&the_engine->ctx, IMSG_LOG, 0, &m, sizeof(m));
}

/* The parts' hooks (ectx.h): engine.c alone knows them all. */
static void
hook_queued(void *arg)
{
	update_events(arg);
}

static void
hook_ref_changed(void *arg)
{
	struct engine	*eng = arg;

	server_update(eng->server);
}

static int
hook_reference(void *arg, struct srv_state *st, int64_t *disp_ns,
    double *disp_rate)
{
	struct engine	*eng = arg;

	return eng->client != NULL && client_server_state(eng->client, st,
	    disp_ns, disp_rate);
}

static void
hook_trust_changed(void *arg, int certset)
{
	struct engine	*eng = arg;

	if (eng->client != NULL)
		client_nts_trust_changed(eng->client, certset);
}

static struct ntske_conn *
hook_ntske_start(void *arg, const struct conf_source *src,
    ntske_request_fn request, ntske_done_fn done, void *fnarg)
{
	struct engine	*eng = arg;

	return ntsmat_client_start(eng->nts, src, request, done, fnarg);
}

static int
hook_nts_serving(void *arg)
{
	struct engine	*eng = arg;

	return eng->ntssrv != NULL;
}

static size_t
hook_nts_early_size(void *arg)
{
	return ntssrv_early_size();
}

static void
hook_nts_ke_early(void *arg, SSL *ssl, void *early)
{
	struct engine	*eng = arg;

	ntssrv_ke_early(eng->ntssrv, ssl, early);
}

static int
hook_nts_ke_answer(void *arg, SSL *ssl, void *early, const uint8_t *req,
    size_t reqlen, uint8_t *resp, size_t *resplen)
{
	struct engine	*eng = arg;

	return ntssrv_ke_answer(eng->ntssrv, ssl, early, req, reqlen, resp,
	    resplen);
}

static size_t
hook_nts_respond(void *arg, const uint8_t *req, size_t reqlen, uint8_t *out,
    size_t outsize, size_t hdrlen, struct rpt_serverstats *st)
{
	struct engine	*eng = arg;

	return ntssrv_respond(eng->ntssrv, req, reqlen, out, outsize, hdrlen,
	    st);
}

static void
hook_served_state(void *arg, struct srv_state *st)
{
	struct engine	*eng = arg;

	server_state(eng->server, st);
}

static int
hook_peer_local(void *arg, int family, struct sockaddr_storage *ss)
{
	struct engine	*eng = arg;

	return server_peer_local(eng->server, family, ss);
}

static int
hook_peer_send(void *arg, const struct sockaddr *to, socklen_t tolen,
    const void *pkt, size_t len)
{
	struct engine	*eng = arg;

	return server_peer_send(eng->server, to, tolen, pkt, len);
}

static int
hook_peer_rx(void *arg, const struct sockaddr *from, const uint8_t *pkt,
    size_t len, int64_t rx_ns)
{
	struct engine	*eng = arg;

	return eng->client != NULL && client_peer_rx(eng->client, from, pkt,
	    len, rx_ns);
}

static const struct ectx_hooks engine_hooks = {
	.queued = hook_queued,
	.ref_changed = hook_ref_changed,
	.reference = hook_reference,
	.trust_changed = hook_trust_changed,
	.ntske_start = hook_ntske_start,
	.nts_serving = hook_nts_serving,
	.nts_early_size = hook_nts_early_size,
	.nts_ke_early = hook_nts_ke_early,
	.nts_ke_answer = hook_nts_ke_answer,
	.nts_respond = hook_nts_respond,
	.served_state = hook_served_state,
	.peer_local = hook_peer_local,
	.peer_send = hook_peer_send,
	.peer_rx = hook_peer_rx
};

/* The monitor's watchdog: answered at once, so it knows we run. */
static void
heartbeat(struct engine *eng, struct imsg *imsg)
{
	struct heartbeat	 hb;

	if (imsg_get_data(imsg, &hb, sizeof(hb)) == -1)
		fatalx("IMSG_PING: malformed");
	ectx_send(&eng->ctx, IMSG_PONG, 0, &hb, sizeof(hb));
}

static int
leap_table_ok(const struct leap_table *t)
{
	int	 i;

	if (t->n < 0 || t->n > TZIF_MAX_LEAPS)
		return 0;
	for (i = 0; i < t->n; i++)
		if (t->leaps[i].step != 1 && t->leaps[i].step != -1)
			return 0;
	return 1;
}

/* The keyfile's symmetric keys, which the monitor checked. */
static void
keyfile(struct engine *eng, struct imsg *imsg)
{
	struct ntpkeys	*keys;
	uint8_t		*p;
	size_t		 len;
	char		 err[256];

	if (imsg->fd == -1 || imsg->datalen != 0)
		fatalx("IMSG_NTP_KEYFILE: no keyfile");
	p = ntske_map_fd(imsg->fd, &len, err, sizeof(err));
	close(imsg->fd);
	imsg->fd = -1;
	if (p == NULL) {
		/* an empty keyfile cannot be mapped: it has no keys */
		log_debug("keyfile: %s", err);
		len = 0;
	}
	keys = ntpkeys_parse(p == NULL ? "" : (const char *)p, len,
	    eng->ctx.conf->keyfile, err, sizeof(err));
	if (p != NULL)
		munmap(p, len);
	if (keys == NULL) {
		log_warnx("keyfile %s", err);
		return;
	}
	ntpkeys_free(eng->ctx.keys);
	eng->ctx.keys = keys;
}

/* A saved NTS client state, from the monitor before the clock state. */
static void
nts_state(struct engine *eng, struct imsg *imsg)
{
	struct nts_dump	 d;

	if (imsg_get_data(imsg, &d, sizeof(d)) == -1)
		fatalx("IMSG_NTS_CLIENT_STATE: bad length");
	if (!eng->ctx.have_cs)
		client_nts_restore(eng->client, &d);
	explicit_bzero(&d, sizeof(d));
}

/* hwtimestamp: an interface the monitor set up, and its clock. */
static void
hwts_iface(struct engine *eng, struct imsg *imsg)
{
	struct hwts_iface	 m;

	if (imsg->fd == -1 || imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    hwts_iface_check(&m) == -1)
		fatalx("IMSG_HWTS_IFACE: malformed");
	if (eng->ctx.hw == NULL)
		eng->ctx.hw = hwif_new(&eng->ctx);
	if (hwif_add(eng->ctx.hw, &m, imsg->fd) == -1)
		fatalx("IMSG_HWTS_IFACE: too many interfaces");
	imsg->fd = -1;
}

static void
dispatch(struct engine *eng, struct imsg *imsg)
{
	struct clock_state	*cs = &eng->ctx.clock;
	struct leap_table	*leaps = &eng->ctx.leap_table;
	struct refclock_dev	 rdev;
	struct refclock_shm	 rshm;
	uint32_t		 refused, foreign;

	switch (imsg->hdr.type) {
	case IMSG_CLOCK_STATE:
		refused = cs->refused;
		foreign = cs->foreign;
		if (imsg_get_data(imsg, cs, sizeof(*cs)) == -1)
			fatalx("IMSG_CLOCK_STATE: bad length");
		if (!eng->ctx.have_cs) {
			/* time is only known from now on: start polling */
			eng->ctx.have_cs = 1;
			client_start(eng->client);
		} else if (cs->foreign != foreign) {
			ectx_smooth_reset(&eng->ctx, ectx_now_ns(&eng->ctx));
			ectx_mono_reset(&eng->ctx);
			client_discard(eng->client,
			    "the clock was stepped, not by timed", 1);
		}
		else if (cs->refused != refused)
			client_discard(eng->client,
			    "the monitor refused a correction", 0);
		server_update(eng->server);
		break;
	case IMSG_LEAP_TABLE:
		if (imsg_get_data(imsg, leaps, sizeof(*leaps)) == -1 ||
		    !leap_table_ok(leaps))
			fatalx("IMSG_LEAP_TABLE: malformed");
		break;
	case IMSG_NTP_SOCKET:
		if (imsg->fd == -1 || imsg->datalen != 0)
			fatalx("IMSG_NTP_SOCKET: no socket");
		if (server_add_socket(eng->server, imsg->fd) == -1)
			fatalx("cannot serve on one more socket");
		imsg->fd = -1;
		break;
	case IMSG_REFCLOCK_DEV:
		if (imsg->fd == -1 || imsg_get_data(imsg, &rdev,
		    sizeof(rdev)) == -1)
			fatalx("IMSG_REFCLOCK_DEV: malformed");
		if (client_rc_device(eng->client, &rdev, imsg->fd) == -1)
			fatalx("IMSG_REFCLOCK_DEV: no such refclock");
		imsg->fd = -1;
		break;
	case IMSG_REFCLOCK_SHM:
		if (imsg_get_data(imsg, &rshm, sizeof(rshm)) == -1)
			fatalx("IMSG_REFCLOCK_SHM: malformed");
		client_rc_shm(eng->client, &rshm);
		break;
	case IMSG_HWTS_IFACE:
		hwts_iface(eng, imsg);
		break;
	case IMSG_NTS_SERVER_CERT:
	case IMSG_NTS_SERVER_CERTS_END:
	case IMSG_NTS_TRUST:
	case IMSG_NTS_KE_SOCKET:
		ntsmat_dispatch(eng->nts, imsg);
		break;
	case IMSG_NTS_CLIENT_STATE:
		nts_state(eng, imsg);
		break;
	case IMSG_NTP_KEYFILE:
		keyfile(eng, imsg);
		break;
	case IMSG_NTS_KEYS:
		if (eng->ntssrv == NULL)
			fatalx("IMSG_NTS_KEYS: no NTS server here");
		ntssrv_keys(eng->ntssrv, imsg);
		break;
	case IMSG_PING:
		heartbeat(eng, imsg);
		break;
	case IMSG_BLAME_PAGE:
		if (blame_map(imsg) == -1)
			fatalx("IMSG_BLAME_PAGE: cannot map it");
		break;
	case IMSG_BLOCK_PEER:
		if (blame_block(imsg) == -1)
			fatalx("IMSG_BLOCK_PEER: malformed");
		break;
	default:
		if (engine_ctl(eng, imsg) == 0)
			break;
		fatalx("unexpected message %u from the monitor",
		    imsg->hdr.type);
	}
}

static void
engine_read(struct engine *eng)
{
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r;

	if ((n = imsgbuf_read(eng->ctx.ibuf)) == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		/*
		 * The monitor is gone: so are we.  At once: the channel's
		 * event outranks libevent's loopexit timer.
		 */
		event_base_loopbreak(eng->ctx.base);
		return;
	}
	while ((r = imsg_get(eng->ctx.ibuf, &imsg)) == 1) {
		dispatch(eng, &imsg);
		imsg_free(&imsg);
	}
	if (r == -1)
		fatalx("malformed frame from the monitor");
}

static void
engine_event(evutil_socket_t fd, short ev, void *arg)
{
	struct engine	*eng = arg;

	if (ev & EV_READ)
		engine_read(eng);
	if ((ev & EV_WRITE) && imsgbuf_write(eng->ctx.ibuf) == -1) {
		event_base_loopbreak(eng->ctx.base);
		return;
	}
	update_events(eng);
}

/* ntsdumpdir: the NTS client's keys and cookies to the monitor. */
static void
nts_dump_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine	*eng = arg;

	client_nts_dump(eng->client);
}

/* Before the end: the NTS client's state to the monitor. */
void
engine_stop(struct engine *eng)
{
	if (eng->ctx.conf->ntsdumpdir != NULL)
		client_nts_dump(eng->client);
}

static void
sigterm_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct engine	*eng = arg;

	engine_stop(eng);
	event_base_loopbreak(eng->ctx.base);	/* flush() sends the dump */
}

/* What is still queued for the monitor (the NTS state at exit). */
static void
flush(struct engine *eng)
{
	if (imsgbuf_queued(eng->ctx.ibuf) == 0 ||
	    fcntl(imsgbuf_fd(eng->ctx.ibuf), F_SETFL, 0) == -1) /* blocking */
		return;
	while (imsgbuf_queued(eng->ctx.ibuf) > 0)
		if (imsgbuf_write(eng->ctx.ibuf) == -1)
			return;
}

static int
parse_args(int argc, char *argv[], struct engine *eng, uid_t *uid,
    gid_t *gid, int *debug)
{
	int	 ch;

	optind = 0;	/* glibc: start over */
	while ((ch = getopt(argc, argv, "dDg:P:qQu:x")) != -1) {
		switch (ch) {
		case 'd':	/* the monitor logs for us either way */
			break;
		case 'D':
			*debug = 1;
			break;
		case 'g':
			*gid = (gid_t)strtoul(optarg, NULL, 10);
			break;
		case 'u':
			*uid = (uid_t)strtoul(optarg, NULL, 10);
			break;
		case 'x':
			eng->ctx.noclock = 1;
			break;
		case 'q':
		case 'Q':
			eng->ctx.oneshot = ch;
			break;
		case 'P':
			break;
		default:
			return -1;
		}
	}
	return *uid == 0 ? -1 : 0;
}

/*
 * The resolver, from /etc/resolv.conf and /etc/hosts, or from the file
 * TIMED_RESOLV_CONF names (the tests' own name server on loopback).
 */
static struct evdns_base *
make_resolver(struct event_base *base)
{
	const char		*conf = getenv("TIMED_RESOLV_CONF");
	struct evdns_base	*dns;

	if (conf == NULL) {
		dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
		if (dns != NULL)
			evdns_base_load_hosts(dns, NULL);
	} else if ((dns = evdns_base_new(base, 0)) != NULL &&
	    evdns_base_resolv_conf_parse(dns, DNS_OPTIONS_ALL, conf) != 0) {
		log_warnx("resolver configuration %s unusable", conf);
		evdns_base_free(dns, 0);
		dns = NULL;
	}
	if (dns == NULL)
		log_warnx("no DNS resolver: only numeric addresses work");
	return dns;
}

static void
setup(struct engine *eng, uid_t uid, gid_t gid)
{
	struct event_config	*cfg;
	struct event		*ev;
	char			 err[256];

	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_max_dispatch_interval(cfg, NULL, 1,
	    ECTX_PRIO_NTSKE) == -1 ||
	    (eng->ctx.base = event_base_new_with_config(cfg)) == NULL ||
	    event_base_priority_init(eng->ctx.base, ECTX_NPRIO) == -1)
		fatalx("event_base_new");
	event_config_free(cfg);
	if (fcntl(ENGINE_FD, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(ENGINE_FD, F_SETFD, FD_CLOEXEC) == -1)
		fatal("channel to the monitor");
	if ((eng->ctx.ibuf = imsgbuf_new(ENGINE_FD)) == NULL)
		fatalx("out of memory");
	/* as urgent as NTP, or a flood of requests would starve it */
	if ((ev = evsignal_new(eng->ctx.base, SIGTERM, sigterm_cb,
	    eng)) == NULL ||
	    event_priority_set(ev, ECTX_PRIO_NTP) == -1 ||
	    evsignal_add(ev, NULL) == -1)
		fatalx("cannot handle SIGTERM");
	/* A ^C in the foreground is for the monitor, which stops us. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Before the chroot: the resolver reads its files, the RNG seeds, and
	 * libc reads the time zone once (strftime, gmtime_r would later).
	 */
	tzset();
	if (evutil_secure_rng_init() == -1)
		fatalx("cannot seed libevent's random numbers");
	eng->ctx.dns = make_resolver(eng->ctx.base);
	/*
	 * OpenSSL (its providers, TLS methods, the key-exchange pool) only
	 * if something uses it: it costs about 1.5 MB of heap and library
	 * code touched.  timed-engine-plain has no OpenSSL: its ntske_init()
	 * is fatal, and the monitor never starts it for such a configuration.
	 */
	if (conf_needs_crypto(eng->ctx.conf) && ntske_init() == -1)
		fatalx("cannot initialise OpenSSL");
	if (sandbox_drop(eng->ctx.conf->chrootdir, uid, gid, err,
	    sizeof(err)) == -1)
		fatalx("privilege drop: %s", err);
	if (sandbox_engine_filter() == -1)
		fatalx("cannot load the seccomp filter");
}

void
engine_start(struct engine *eng)
{
	struct timeval	 hour = { 3600, 0 };
	struct event	*ev;

	ectx_init(&eng->ctx, &engine_hooks, eng);
	if ((eng->ev = event_new(eng->ctx.base, -1, 0, NULL, NULL)) == NULL)
		fatalx("out of memory");
	if (imsgbuf_is_mem(eng->ctx.ibuf)) {
		event_assign(eng->ev, eng->ctx.base, -1, EV_READ | EV_PERSIST,
		    engine_event, eng);
		event_priority_set(eng->ev, ECTX_PRIO_NTP);
		imsgbuf_set_notify(eng->ctx.ibuf, chan_notify, eng);
	}
	eng->server = server_new(&eng->ctx);
	eng->client = client_new(&eng->ctx);
	eng->nts = ntsmat_new(&eng->ctx);
	eng->ntssrv = ntssrv_new(&eng->ctx);
	imsg_compose_hello(eng->ctx.ibuf);
	update_events(eng);
	if (eng->ctx.conf->ntsdumpdir != NULL && ((ev = event_new(
	    eng->ctx.base, -1, EV_PERSIST, nts_dump_cb, eng)) == NULL ||
	    evtimer_add(ev, &hour) == -1))
		fatalx("event_new");
}

int
engine_main(int argc, char *argv[])
{
	static struct engine	 eng;
	uid_t			 uid = 0;
	gid_t			 gid = 0;
	int			 debug = 0;

	if (parse_args(argc, argv, &eng, &uid, &gid, &debug) == -1) {
		fprintf(stderr, "timed-engine is started by the monitor, timed\n");
		return 1;
	}
	log_init(1, debug, "engine");
	proctitle_set("timed: network engine");
	eng.ctx.conf = conf_new();
	if (conf_load(eng.ctx.conf, ENGINE_CONF_PATH, stderr) == -1)
		fatalx("cannot read the configuration from the monitor");
	close(ENGINE_CONF_FD);
	setup(&eng, uid, gid);
	the_engine = &eng;
	log_set_sink(log_sink);
	engine_start(&eng);
	log_debug("running as uid %u in %s", (unsigned)uid,
	    eng.ctx.conf->chrootdir);
	/*
	 * Setup leaves free but dirty heap behind it (the configuration's
	 * parse, OpenSSL's loading of providers and certificates): give it
	 * back before serving.
	 */
	malloc_trim(0);
	event_base_dispatch(eng.ctx.base);
	flush(&eng);
	return 0;
}
