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
 * The control socket: timectl connects, says hello, asks.  Queries go to
 * the engine and its answers come back; changes are decided here, from
 * the peer's credentials (SO_PEERCRED), never by the engine.
 *
 * Whatever a client sends costs at most its own connection.  A
 * connection has one request at a time: what it sends meanwhile waits
 * in its buffer (and the socket's), unread, until the answer is out.
 * Long answers come a page at a time, the next page asked for only once
 * timectl has read the last.  Connections are capped per user, with
 * slots kept for root and the timed group, and closed when idle.
 *
 * In the simulation (regress/sim/timed-sim) the socket is a datagram
 * one, as clknetsim's UNIX sockets are: a client is known by its
 * address, its datagrams carry whole frames, and each answer frame goes
 * back in a datagram of its own.  Everyone there is root.
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "control.h"
#include "log.h"
#include "monitor.h"
#include "proto.h"
#include "sock.h"
#include "xmalloc.h"

#define CTL_MAX_CONNS	64	/* connections at once */
#define CTL_USERS_MAX	56	/* of them, held by users other than root
				   and the timed group */
#define CTL_GROUP_MAX	62	/* by users other than root */
#define CTL_PER_UID	4	/* by one user other than root */
#define CTL_HELLO_S	2	/* from connect to hello */
#define CTL_IDLE_S	10	/* no request, nothing read */
#define CTL_PAGE_LOW	(8 * 1024)	/* queued: ask the next page below */
#define CTL_QUEUE_MAX	(256 * 1024)	/* queued for a reader: closed */
#define CTL_GROUPS_MAX	1024	/* supplementary groups looked at */

/* Refusals logged: a burst, then one a period. */
#define CTL_LOG_BURST		5
#define CTL_LOG_PERIOD_S	60

/* A request that was in flight when the engine died, twice: cut off. */
#define CTL_BLAME_MAX		16
#define CTL_BLAME_WINDOW_S	600
#define CTL_BLAME_DEATHS	2
#define CTL_BLAME_BAN_S		600

enum rights {
	RIGHTS_USER,		/* the reports anyone may read */
	RIGHTS_GROUP,		/* and the client and server reports */
	RIGHTS_ROOT		/* and changes */
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct control		*ctl;
	uint32_t		 id;
	uid_t			 uid;
	enum rights		 rights;
	struct imsgbuf		*ibuf;
	struct event		*ev;
	struct event		*ev_idle;
	int			 hello;
	int			 dead;		/* close when back at the top */
	uint32_t		 waiting;	/* request relayed, or 0 */
	int			 page_recs;	/* records of this page so far */
	int			 more;		/* a next page to ask for */
	uint32_t		 next_page;
	struct sockaddr_un	 from;		/* datagrams: the client */
	ctl_sink_fn		 sink;		/* control_ask()'s: no ibuf */
	void			*sink_arg;
};

struct blame {
	uid_t		 uid;
	uint32_t	 type;
	int		 deaths;
	time_t		 first;		/* of the deaths counted */
	time_t		 banned_until;
};

struct control {
	int			 fd;
	int			 dgram;		/* the simulation's socket */
	char			*path;
	struct monitor		*mon;
	struct event		*ev_accept;
	TAILQ_HEAD(, ctl_conn)	 conns;
	int			 nconns;
	uint32_t		 next_id;
	uint64_t		 requests;	/* for serverstats */
	uint64_t		 refused;
	int			 log_tokens;	/* refusals that may be logged */
	time_t			 log_refill;
	uint32_t		 log_dropped;	/* refusals not logged */
	struct blame		 blame[CTL_BLAME_MAX];
};

/* What each request needs: its payload size, its rights, its name. */
struct ctl_cmd {
	uint32_t	 type;
	size_t		 size;
	enum rights	 rights;
	const char	*name;
};

static const struct ctl_cmd ctl_cmds[] = {
	{ IMSG_CTL_TRACKING, 0, RIGHTS_USER, "tracking" },
	{ IMSG_CTL_SOURCES, 0, RIGHTS_USER, "sources" },
	{ IMSG_CTL_SOURCESTATS, 0, RIGHTS_USER, "sourcestats" },
	{ IMSG_CTL_ACTIVITY, 0, RIGHTS_USER, "activity" },
	{ IMSG_CTL_SMOOTHING, 0, RIGHTS_USER, "smoothing" },
	{ IMSG_CTL_SERVERSTATS, 0, RIGHTS_GROUP, "serverstats" },
	{ IMSG_CTL_CLIENTS, 0, RIGHTS_GROUP, "clients" },
	{ IMSG_CTL_AUTHDATA, 0, RIGHTS_GROUP, "authdata" },
	{ IMSG_CTL_NTPDATA, sizeof(struct ctl_select), RIGHTS_GROUP,
	    "ntpdata" },
	{ IMSG_CTL_MAKESTEP, 0, RIGHTS_ROOT, "makestep" },
	{ IMSG_CTL_SET_MAKESTEP, sizeof(struct ctl_makestep), RIGHTS_ROOT,
	    "makestep" },
	{ IMSG_CTL_BURST, sizeof(struct ctl_burst), RIGHTS_ROOT, "burst" },
	{ IMSG_CTL_ONLINE, sizeof(struct ctl_select), RIGHTS_ROOT, "online" },
	{ IMSG_CTL_OFFLINE, sizeof(struct ctl_select), RIGHTS_ROOT,
	    "offline" },
	{ IMSG_CTL_RELOAD_SOURCES, 0, RIGHTS_ROOT, "reload sources" },
	{ IMSG_CTL_SELECTDATA, 0, RIGHTS_USER, "selectdata" },
	{ IMSG_CTL_SOURCENAME, sizeof(struct ctl_select), RIGHTS_USER,
	    "sourcename" },
	{ IMSG_CTL_ONOFFLINE, 0, RIGHTS_ROOT, "onoffline" },
	{ IMSG_CTL_RESET_SOURCES, 0, RIGHTS_ROOT, "reset sources" },
	{ IMSG_CTL_SMOOTH_RESET, 0, RIGHTS_ROOT, "smoothtime reset" },
	{ IMSG_CTL_SMOOTH_ACTIVATE, 0, RIGHTS_ROOT, "smoothtime activate" },
	{ IMSG_CTL_REKEY, 0, RIGHTS_ROOT, "rekey" },
	{ IMSG_CTL_CYCLELOGS, 0, RIGHTS_ROOT, "cyclelogs" },
	{ IMSG_CTL_DOFFSET, sizeof(struct ctl_doffset), RIGHTS_ROOT,
	    "doffset" },
};

static void	conn_event(evutil_socket_t, short, void *);
static void	conn_process(struct ctl_conn *);

static const struct ctl_cmd *
find_cmd(uint32_t type)
{
	size_t	 i;

	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (ctl_cmds[i].type == type)
			return &ctl_cmds[i];
	return NULL;
}

/*
 * A refusal at info level, at most CTL_LOG_BURST at once and then one a
 * CTL_LOG_PERIOD_S: any user can cause them, and must not fill the log.
 */
static void __attribute__((format(printf, 2, 3)))
log_refusal(struct control *ctl, const char *fmt, ...)
{
	char		 msg[256];
	va_list		 ap;
	time_t		 now = (time_t)monitor_mono_s();

	if (now - ctl->log_refill >= CTL_LOG_PERIOD_S) {
		ctl->log_refill = now;
		if (ctl->log_tokens < CTL_LOG_BURST)
			ctl->log_tokens++;
	}
	if (ctl->log_tokens == 0) {
		ctl->log_dropped++;
		return;
	}
	ctl->log_tokens--;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctl->log_dropped > 0) {
		log_info("%s (and %u refusals not logged)", msg,
		    (unsigned)ctl->log_dropped);
		ctl->log_dropped = 0;
	} else
		log_info("%s", msg);
}

static void
make_parent_dir(const char *path)
{
	char	*copy = xstrdup(path), *dir = dirname(copy);

	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", dir);
	free(copy);
}

static int
unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path) >=
	    (int)sizeof(sun->sun_path))
		return -1;
	return 0;
}

static void
remove_stale(const char *path, const struct sockaddr_un *sun)
{
	int	 fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		fatalx("%s: another timed is running", path);
	close(fd);
	if (unlink(path) == -1 && errno != ENOENT)
		fatal("unlink %s", path);
}

static struct control *
control_new(int fd, const char *path, int dgram)
{
	struct control	*ctl;

	ctl = xcalloc(1, sizeof(*ctl));
	ctl->fd = fd;
	ctl->dgram = dgram;
	ctl->path = xstrdup(path);
	ctl->log_tokens = CTL_LOG_BURST;
	TAILQ_INIT(&ctl->conns);
	return ctl;
}

struct control *
control_open(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (unix_addr(path, &sun) == -1)
		fatalx("bindcmdaddress %s: path too long", path);
	make_parent_dir(path);
	remove_stale(path, &sun);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	/* Reads are for everyone; the rest is checked per request. */
	if (chmod(path, 0666) == -1 || listen(fd, 16) == -1)
		fatal("control socket %s", path);
	return control_new(fd, path, 0);
}

static void
conn_close(struct ctl_conn *c)
{
	struct control	*ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	event_free(c->ev);
	event_free(c->ev_idle);
	if (c->sink != NULL)
		c->sink(c->sink_arg, 0, NULL, 0);	/* over */
	else {
		if (!c->ctl->dgram)
			close(imsgbuf_fd(c->ibuf));
		imsgbuf_free(c->ibuf);
	}
	free(c);
}

/* Bytes waiting to go out to c's client. */
static size_t
conn_queued(const struct ctl_conn *c)
{
	return c->sink != NULL ? 0 : imsgbuf_queued(c->ibuf);
}

static void
idle_reset(struct ctl_conn *c)
{
	struct timeval	 tv = { c->hello ? CTL_IDLE_S : CTL_HELLO_S, 0 };

	evtimer_add(c->ev_idle, &tv);
}

/*
 * Back at the top of an event for c: close it if it broke, else wait
 * for what it needs now.  Reading stops while a request is answered.
 */
static void
conn_settle(struct ctl_conn *c)
{
	short	 what = EV_PERSIST;

	/* A request of control_ask() is over once nothing waits. */
	if (c->dead || (c->sink != NULL && c->waiting == 0 && !c->more)) {
		conn_close(c);
		return;
	}
	if (c->sink != NULL)
		return;
	if (c->waiting == 0 && !c->ctl->dgram)	/* datagrams: dgram_cb */
		what |= EV_READ;
	if (imsgbuf_queued(c->ibuf) > 0)
		what |= EV_WRITE;
	event_del(c->ev);
	if (what == EV_PERSIST)
		return;
	event_assign(c->ev, c->ctl->mon->base, imsgbuf_fd(c->ibuf), what,
	    conn_event, c);
	event_add(c->ev, NULL);
}

static void
conn_send(struct ctl_conn *c, uint32_t type, const void *data, size_t len)
{
	if (c->dead)
		return;
	if (c->sink != NULL) {
		c->sink(c->sink_arg, type, data, len);
		return;
	}
	/* A reader that does not read loses its connection, nothing else. */
	if (imsgbuf_queued(c->ibuf) > CTL_QUEUE_MAX ||
	    imsg_compose(c->ibuf, type, c->id, 0, -1, data, len) == -1)
		c->dead = 1;
}

static void
conn_result(struct ctl_conn *c, int code)
{
	struct ctl_result	 r = { code };

	c->waiting = 0;
	c->more = 0;
	conn_send(c, IMSG_CTL_RESULT, &r, sizeof(r));
}

static void
relay(struct ctl_conn *c, uint32_t type, const void *data, size_t len)
{
	if (monitor_to_engine(c->ctl->mon, type, c->id, c->uid, data, len) ==
	    -1) {
		conn_result(c, CTL_UNAVAIL);
		return;
	}
	c->waiting = type;
	c->page_recs = 0;
}

static const char *
rights_name(enum rights r)
{
	return r == RIGHTS_ROOT ? "root" : "root or the timed group";
}

/* May c make this request?  If not, it is answered 501. */
static int
authorised(struct ctl_conn *c, const struct ctl_cmd *cmd)
{
	if (c->rights >= cmd->rights)
		return 1;
	c->ctl->refused++;
	log_refusal(c->ctl, "%s refused: uid %u is not %s", cmd->name,
	    (unsigned)c->uid, rights_name(cmd->rights));
	conn_result(c, CTL_UNAUTH);
	return 0;
}

static struct blame *
find_blame(struct control *ctl, uid_t uid, uint32_t type)
{
	int	 i;

	for (i = 0; i < CTL_BLAME_MAX; i++)
		if (ctl->blame[i].deaths > 0 && ctl->blame[i].uid == uid &&
		    ctl->blame[i].type == type)
			return &ctl->blame[i];
	return NULL;
}

/* Was this request in flight at two deaths of the engine lately? */
static int
cut_off(struct ctl_conn *c, const struct ctl_cmd *cmd)
{
	struct blame	*b = find_blame(c->ctl, c->uid, cmd->type);

	if (b == NULL || b->banned_until <= (time_t)monitor_mono_s())
		return 0;
	c->ctl->refused++;
	log_refusal(c->ctl, "%s refused for uid %u: the engine died while "
	    "answering it", cmd->name, (unsigned)c->uid);
	conn_result(c, CTL_FAILED);
	return 1;
}

static void
blame(struct control *ctl, uid_t uid, uint32_t type)
{
	const struct ctl_cmd	*cmd = find_cmd(type);
	struct blame		*b = find_blame(ctl, uid, type);
	time_t			 now = (time_t)monitor_mono_s();
	int			 i;

	if (b == NULL) {
		b = &ctl->blame[0];	/* the oldest, if all are taken */
		for (i = 0; i < CTL_BLAME_MAX; i++) {
			if (ctl->blame[i].deaths == 0) {
				b = &ctl->blame[i];
				break;
			}
			if (ctl->blame[i].first < b->first)
				b = &ctl->blame[i];
		}
		memset(b, 0, sizeof(*b));
		b->uid = uid;
		b->type = type;
	}
	if (b->deaths == 0 || now - b->first > CTL_BLAME_WINDOW_S) {
		b->deaths = 0;
		b->first = now;
	}
	if (++b->deaths < CTL_BLAME_DEATHS)
		return;
	b->banned_until = now + CTL_BLAME_BAN_S;
	log_warnx("control: %s from uid %u was in progress at %d deaths of "
	    "the engine: refused for %d s", cmd != NULL ? cmd->name : "?",
	    (unsigned)uid, b->deaths, CTL_BLAME_BAN_S);
}

static void
do_makestep(struct ctl_conn *c)
{
	struct monitor	*mon = c->ctl->mon;

	log_info("makestep requested (uid %u)", (unsigned)c->uid);
	conn_result(c, monitor_makestep(mon) == -1 ? CTL_FAILED : CTL_OK);
}

/*
 * The engine slews it as a correction of its own, which the monitor
 * then checks as it checks them all.
 */
static void
do_doffset(struct ctl_conn *c, const struct imsg *imsg)
{
	struct ctl_doffset	 d;

	memcpy(&d, imsg->data, sizeof(d));
	if (!isfinite(d.offset_s)) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	log_info("doffset %+.9g (uid %u)", d.offset_s, (unsigned)c->uid);
	relay(c, IMSG_CTL_DOFFSET, &d, sizeof(d));
}

/* A selection of sources: a NUL-terminated string. */
static void
do_select(struct ctl_conn *c, const struct imsg *imsg,
    const struct ctl_cmd *cmd)
{
	struct ctl_select	 sel;

	memcpy(&sel, imsg->data, sizeof(sel));
	if (memchr(sel.which, '\0', sizeof(sel.which)) == NULL) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	if (cmd->rights == RIGHTS_ROOT)
		log_info("%s %s (uid %u)", cmd->name, sel.which[0] != '\0' ?
		    sel.which : "all sources", (unsigned)c->uid);
	relay(c, cmd->type, &sel, sizeof(sel));
}

static void
do_burst(struct ctl_conn *c, const struct imsg *imsg)
{
	struct ctl_burst	 b;

	memcpy(&b, imsg->data, sizeof(b));
	if (memchr(b.sel.which, '\0', sizeof(b.sel.which)) == NULL ||
	    b.max < 1 || b.max > CTL_BURST_MAX || b.good < 1 ||
	    b.good > b.max) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	log_info("burst %d/%d %s (uid %u)", (int)b.good, (int)b.max,
	    b.sel.which[0] != '\0' ? b.sel.which : "all sources",
	    (unsigned)c->uid);
	relay(c, IMSG_CTL_BURST, &b, sizeof(b));
}

static void
do_set_makestep(struct ctl_conn *c, const struct imsg *imsg)
{
	struct ctl_makestep	 m;

	memcpy(&m, imsg->data, sizeof(m));
	if (lim_check_makestep(m.threshold_s, m.limit) != NULL) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	log_info("makestep %g %d (uid %u)", m.threshold_s, (int)m.limit,
	    (unsigned)c->uid);
	monitor_set_makestep(c->ctl->mon, &m);
	relay(c, IMSG_CTL_SET_MAKESTEP, &m, sizeof(m));
}

static void
do_reload(struct ctl_conn *c)
{
	int	 rc;

	log_info("reload sources (uid %u)", (unsigned)c->uid);
	rc = monitor_reload_sources(c->ctl->mon, c->id, c->uid);
	if (rc == 0) {
		c->waiting = IMSG_CTL_RELOAD_SOURCES;	/* the engine answers */
		c->page_recs = 0;
	} else
		conn_result(c, rc);
}

/* Changes the monitor makes itself, logged as the engine's are. */
static void
do_rekey(struct ctl_conn *c)
{
	log_info("rekey (uid %u)", (unsigned)c->uid);
	conn_result(c, monitor_rekey(c->ctl->mon) == -1 ? CTL_FAILED :
	    CTL_OK);
}

static void
do_cyclelogs(struct ctl_conn *c)
{
	log_info("cyclelogs (uid %u)", (unsigned)c->uid);
	monitor_cyclelogs(c->ctl->mon);
	conn_result(c, CTL_OK);
}

/* The clients' table, a page at a time: this asks for the next. */
static void
ask_page(struct ctl_conn *c)
{
	struct ctl_page	 page = { c->next_page };

	c->more = 0;
	relay(c, IMSG_CTL_CLIENTS, &page, sizeof(page));
}

static void
conn_dispatch(struct ctl_conn *c, struct imsg *imsg)
{
	const struct ctl_cmd	*cmd;

	if (!c->hello) {
		if (imsg_check_hello(imsg) == -1) {
			c->dead = 1;
			return;
		}
		c->hello = 1;
		imsg_compose_hello(c->ibuf);
		return;
	}
	c->ctl->requests++;
	if ((cmd = find_cmd(imsg->hdr.type)) == NULL ||
	    imsg->datalen != cmd->size) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	if (!authorised(c, cmd) || cut_off(c, cmd))
		return;
	switch (cmd->type) {
	case IMSG_CTL_MAKESTEP:
		do_makestep(c);
		break;
	case IMSG_CTL_NTPDATA:
	case IMSG_CTL_ONLINE:
	case IMSG_CTL_OFFLINE:
	case IMSG_CTL_SOURCENAME:
		do_select(c, imsg, cmd);
		break;
	case IMSG_CTL_ONOFFLINE:
	case IMSG_CTL_RESET_SOURCES:
	case IMSG_CTL_SMOOTH_RESET:
	case IMSG_CTL_SMOOTH_ACTIVATE:
		log_info("%s (uid %u)", cmd->name, (unsigned)c->uid);
		relay(c, cmd->type, NULL, 0);
		break;
	case IMSG_CTL_REKEY:
		do_rekey(c);
		break;
	case IMSG_CTL_CYCLELOGS:
		do_cyclelogs(c);
		break;
	case IMSG_CTL_DOFFSET:
		do_doffset(c, imsg);
		break;
	case IMSG_CTL_BURST:
		do_burst(c, imsg);
		break;
	case IMSG_CTL_RELOAD_SOURCES:
		do_reload(c);
		break;
	case IMSG_CTL_SET_MAKESTEP:
		do_set_makestep(c, imsg);
		break;
	case IMSG_CTL_CLIENTS:
		c->next_page = 0;
		ask_page(c);
		break;
	default:
		relay(c, cmd->type, NULL, 0);
		break;
	}
}

/* The requests buffered, one at a time, each once the last is answered. */
static void
conn_process(struct ctl_conn *c)
{
	struct imsg	 imsg;
	int		 r;

	while (c->ibuf != NULL && !c->dead && c->waiting == 0 && !c->more) {
		if ((r = imsg_get(c->ibuf, &imsg)) == 0)
			return;
		if (r == -1) {
			c->dead = 1;	/* garbage: this connection only */
			return;
		}
		idle_reset(c);
		conn_dispatch(c, &imsg);
		imsg_free(&imsg);
	}
}

static void
conn_read(struct ctl_conn *c)
{
	ssize_t	 n;

	if ((n = imsgbuf_read(c->ibuf)) == 0 ||
	    (n == -1 && errno != EAGAIN)) {
		c->dead = 1;
		return;
	}
	conn_process(c);
}

static void
conn_event(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (ev & EV_WRITE) {
		if (imsgbuf_write(c->ibuf) == -1)
			c->dead = 1;
		else
			idle_reset(c);
		if (!c->dead && c->more &&
		    imsgbuf_queued(c->ibuf) < CTL_PAGE_LOW)
			ask_page(c);
	}
	if ((ev & EV_READ) && !c->dead && c->waiting == 0)
		conn_read(c);
	conn_settle(c);
}

static void
conn_idle(evutil_socket_t fd, short ev, void *arg)
{
	conn_close(arg);
}

/* Is gid among the peer's groups (primary or supplementary)? */
static int
peer_in_group(int s, gid_t primary, gid_t gid)
{
	gid_t		*groups;
	socklen_t	 len = 64 * sizeof(gid_t);
	size_t		 i, n;
	int		 in = primary == gid;

	while (!in) {
		groups = xcalloc(1, len);
		if (getsockopt(s, SOL_SOCKET, SO_PEERGROUPS, groups,
		    &len) == 0) {
			n = len / sizeof(gid_t);
			for (i = 0; i < n; i++)
				if (groups[i] == gid)
					in = 1;
			free(groups);
			break;
		}
		free(groups);
		if (errno != ERANGE || len > CTL_GROUPS_MAX * sizeof(gid_t))
			break;
	}
	return in;
}

static int
count_uid(const struct control *ctl, uid_t uid)
{
	const struct ctl_conn	*c;
	int			 n = 0;

	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (c->uid == uid)
			n++;
	return n;
}

static int
count_below_root(const struct control *ctl)
{
	const struct ctl_conn	*c;
	int			 n = 0;

	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (c->rights < RIGHTS_ROOT)
			n++;
	return n;
}

/*
 * May one more connection of this user come in?  Root always may: when
 * every slot is taken, the oldest connection of another user goes.
 */
static int
admit(struct control *ctl, uid_t uid, enum rights rights)
{
	struct ctl_conn	*c;

	if (rights == RIGHTS_ROOT) {
		if (ctl->nconns < CTL_MAX_CONNS)
			return 1;
		TAILQ_FOREACH(c, &ctl->conns, entry)
			if (c->rights < RIGHTS_ROOT) {
				conn_close(c);	/* the oldest */
				return 1;
			}
		return 0;
	}
	if (count_uid(ctl, uid) >= CTL_PER_UID)
		return 0;
	return count_below_root(ctl) < (rights == RIGHTS_GROUP ?
	    CTL_GROUP_MAX : CTL_USERS_MAX);
}

static struct ctl_conn *
new_conn(struct control *ctl, uid_t uid, enum rights rights,
    struct imsgbuf *ibuf)
{
	struct ctl_conn	*c;

	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	c->id = ++ctl->next_id;
	c->uid = uid;
	c->rights = rights;
	c->ibuf = ibuf;
	if ((c->ev = event_new(ctl->mon->base, -1, 0, NULL, NULL)) == NULL ||
	    (c->ev_idle = evtimer_new(ctl->mon->base, conn_idle, c)) == NULL)
		fatalx("control: out of memory");
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	idle_reset(c);
	return c;
}

static void
accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct control	*ctl = arg;
	struct ctl_conn	*c;
	struct imsgbuf	*ibuf;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	enum rights	 rights;
	int		 s;

	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		close(s);
		return;
	}
	if (cred.uid == 0)
		rights = RIGHTS_ROOT;
	else if (peer_in_group(s, cred.gid, ctl->mon->gid))
		rights = RIGHTS_GROUP;
	else
		rights = RIGHTS_USER;
	if (!admit(ctl, cred.uid, rights)) {
		ctl->refused++;
		log_refusal(ctl, "control: connection of uid %u refused: too "
		    "many connections", (unsigned)cred.uid);
		close(s);
		return;
	}
	if ((ibuf = imsgbuf_new(s)) == NULL)
		fatalx("control: out of memory");
	c = new_conn(ctl, cred.uid, rights, ibuf);
	conn_settle(c);
}

/*
 * A datagram: its sender's connection (a new one for a new sender, root
 * as everything is in clknetsim) takes its frames.
 */
static void
dgram_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct control		*ctl = arg;
	struct ctl_conn		*c;
	struct imsgbuf		*ibuf;
	struct sockaddr_un	 from;
	uint8_t			 buf[IMSG_MAX_FRAME * 2];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 m;
	ssize_t			 n;

	/* recvmsg, not recvfrom: a fortified recvfrom is __recvfrom_chk,
	 * which clknetsim does not interpose. */
	memset(&from, 0, sizeof(from));
	memset(&m, 0, sizeof(m));
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) <= 0 ||
	    from.sun_path[0] == '\0')
		return;
	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (strcmp(c->from.sun_path, from.sun_path) == 0)
			break;
	if (c == NULL) {
		if (!admit(ctl, 0, RIGHTS_ROOT))
			return;
		if ((ibuf = imsgbuf_new_dgram(fd, (struct sockaddr *)&from,
		    m.msg_namelen)) == NULL)
			fatalx("control: out of memory");
		c = new_conn(ctl, 0, RIGHTS_ROOT, ibuf);
		c->from = from;
	}
	if (imsgbuf_feed(c->ibuf, buf, n) == -1)
		c->dead = 1;
	else
		conn_process(c);
	conn_settle(c);
}

static enum rights
rights_of(const struct control *ctl, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return RIGHTS_ROOT;
	return gid == ctl->mon->gid ? RIGHTS_GROUP : RIGHTS_USER;
}

int
control_may_change(const struct control *ctl, uid_t uid, gid_t gid)
{
	return rights_of(ctl, uid, gid) == RIGHTS_ROOT;
}

/*
 * A request of another front end (chronyc's protocol): checked, counted,
 * logged and relayed as timectl's, its answer frames handed to fn.
 */
int
control_ask(struct control *ctl, uid_t uid, gid_t gid, uint32_t type,
    const void *data, size_t len, ctl_sink_fn fn, void *arg)
{
	struct ctl_conn	*c;
	struct imsg	 imsg;
	enum rights	 rights = rights_of(ctl, uid, gid);

	if (!admit(ctl, uid, rights)) {
		ctl->refused++;
		log_refusal(ctl, "control: request of uid %u refused: too "
		    "many at once", (unsigned)uid);
		return -1;
	}
	c = new_conn(ctl, uid, rights, NULL);
	c->hello = 1;
	c->sink = fn;
	c->sink_arg = arg;
	idle_reset(c);
	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.type = type;
	imsg.data = (void *)(uintptr_t)data;
	imsg.datalen = len;
	conn_dispatch(c, &imsg);
	conn_settle(c);
	return 0;
}

/*
 * Datagrams, in the simulation (see above).  A simulation without UNIX
 * sockets (CLKNETSIM_UNIX_SUBNET=0, as chrony's tests run chronyc over
 * UDP) runs without a control socket: NULL.
 */
struct control *
control_open_dgram(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (unix_addr(path, &sun) == -1)
		fatalx("bindcmdaddress %s: path too long", path);
	if ((fd = sock_open(AF_UNIX, SOCK_DGRAM)) == -1) {
		log_warn("control socket");
		log_warnx("no UNIX sockets in this simulation: no timectl");
		return NULL;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	return control_new(fd, path, 1);
}

void
control_start(struct control *ctl, struct monitor *mon)
{
	ctl->mon = mon;
	if ((ctl->ev_accept = event_new(mon->base, ctl->fd, EV_READ |
	    EV_PERSIST, ctl->dgram ? dgram_cb : accept_cb, ctl)) == NULL ||
	    event_add(ctl->ev_accept, NULL) == -1)
		fatalx("control: event_new");
}

void
control_close(struct control *ctl)
{
	while (!TAILQ_EMPTY(&ctl->conns))
		conn_close(TAILQ_FIRST(&ctl->conns));
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	close(ctl->fd);
	if (!ctl->dgram)	/* clknetsim's, in no file system */
		unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

static struct ctl_conn *
find_conn(struct control *ctl, uint32_t id)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (c->id == id)
			return c;
	return NULL;
}

/* The record size of each list answer, 0 for the rest. */
static size_t
record_size(uint32_t type)
{
	switch (type) {
	case IMSG_CTL_SOURCES:
		return sizeof(struct rpt_source);
	case IMSG_CTL_CLIENTS:
		return sizeof(struct rpt_client);
	case IMSG_CTL_SOURCESTATS:
		return sizeof(struct rpt_sourcestats);
	case IMSG_CTL_NTPDATA:
		return sizeof(struct rpt_ntpdata);
	case IMSG_CTL_AUTHDATA:
		return sizeof(struct rpt_authdata);
	case IMSG_CTL_SELECTDATA:
		return sizeof(struct rpt_selectdata);
	}
	return 0;
}

/* The size of a one-frame answer, 0 for the rest. */
static size_t
answer_size(uint32_t type)
{
	switch (type) {
	case IMSG_CTL_TRACKING:
		return sizeof(struct rpt_tracking);
	case IMSG_CTL_SERVERSTATS:
		return sizeof(struct rpt_serverstats);
	case IMSG_CTL_ACTIVITY:
		return sizeof(struct rpt_activity);
	case IMSG_CTL_SMOOTHING:
		return sizeof(struct rpt_smoothing);
	case IMSG_CTL_SOURCENAME:
		return sizeof(struct rpt_sourcename);
	}
	return 0;
}

/*
 * Is this what c waits for, and of the right size?  Anything else from
 * the engine breaks the protocol: c cannot have caused it.
 */
static int
answer_ok(struct ctl_conn *c, const struct imsg *imsg)
{
	uint32_t	 type = imsg->hdr.type;
	size_t		 len = imsg->datalen;

	if (c->waiting == 0 || c->more)
		return 0;
	switch (type) {
	case IMSG_CTL_RESULT:
		return len == sizeof(struct ctl_result);
	case IMSG_CTL_END:
		return record_size(c->waiting) != 0 && len == 0;
	case IMSG_CTL_MORE:
		return c->waiting == IMSG_CTL_CLIENTS &&
		    len == sizeof(struct ctl_page);
	}
	if (type != c->waiting)
		return 0;
	if (record_size(type) != 0)
		return len == record_size(type) &&
		    (type != IMSG_CTL_CLIENTS || c->page_recs < CTL_PAGE_MAX);
	return answer_size(type) != 0 && len == answer_size(type);
}

static void
answer(struct ctl_conn *c, const struct imsg *imsg)
{
	struct rpt_serverstats	 st;
	struct ctl_page		 page;

	switch (imsg->hdr.type) {
	case IMSG_CTL_MORE:
		memcpy(&page, imsg->data, sizeof(page));
		c->next_page = page.first;
		c->more = 1;
		if (conn_queued(c) < CTL_PAGE_LOW)
			ask_page(c);
		return;
	case IMSG_CTL_SERVERSTATS:
		/* The control counters are the monitor's to tell. */
		memcpy(&st, imsg->data, sizeof(st));
		st.cmd_rx = c->ctl->requests;
		st.cmd_dropped = c->ctl->refused;
		c->waiting = 0;
		conn_send(c, imsg->hdr.type, &st, sizeof(st));
		return;
	}
	if (record_size(imsg->hdr.type) != 0)
		c->page_recs++;	/* a list goes on */
	else
		c->waiting = 0;
	conn_send(c, imsg->hdr.type, imsg->data, imsg->datalen);
}

void
control_from_engine(struct control *ctl, const struct imsg *imsg)
{
	struct ctl_conn	*c = find_conn(ctl, imsg->hdr.peerid);

	if (c == NULL)
		return;		/* timectl went away meanwhile */
	if (!answer_ok(c, imsg)) {
		monitor_engine_abuse(ctl->mon, "control answer out of order");
		return;
	}
	answer(c, imsg);
	if (c->waiting == 0)
		conn_process(c);	/* what it sent meanwhile */
	conn_settle(c);
}

/*
 * The engine went away: what waits for it is answered 504 and blamed,
 * so that a request that keeps killing engines is cut off.
 */
void
control_engine_gone(struct control *ctl, int crashed)
{
	struct ctl_conn		*c, *next;
	const struct ctl_cmd	*cmd;

	for (c = TAILQ_FIRST(&ctl->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->waiting == 0)
			continue;
		cmd = find_cmd(c->waiting);
		log_warnx("control: %s (uid %u) not answered: the engine is "
		    "gone", cmd != NULL ? cmd->name : "request",
		    (unsigned)c->uid);
		if (crashed)
			blame(ctl, c->uid, c->waiting);
		conn_result(c, CTL_UNAVAIL);
		conn_process(c);	/* what it sent meanwhile: 504 too */
		conn_settle(c);
	}
}
