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
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "monitor.h"
#include "proto.h"
#include "xmalloc.h"

#define CTL_MAX_CONNS	64
#define CTL_IDLE_S	10

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct control		*ctl;
	uint32_t		 id;
	uid_t			 uid;
	struct imsgbuf		*ibuf;
	struct event		*ev;
	struct event		*ev_idle;
	int			 hello;
	uint32_t		 waiting;	/* request type relayed, or 0 */
};

struct control {
	int			 fd;
	char			*path;
	struct monitor		*mon;
	struct event		*ev_accept;
	TAILQ_HEAD(, ctl_conn)	 conns;
	int			 nconns;
	uint32_t		 next_id;
	uint64_t		 requests;	/* for serverstats */
	uint64_t		 refused;
};

static void	conn_event(evutil_socket_t, short, void *);

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

struct control *
control_open(const char *path)
{
	struct control		*ctl;
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
	/* Reads are for everyone; changes are checked per request. */
	if (chmod(path, 0666) == -1 || listen(fd, 16) == -1)
		fatal("control socket %s", path);
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->fd = fd;
	ctl->path = xstrdup(path);
	TAILQ_INIT(&ctl->conns);
	return ctl;
}

static void
conn_close(struct ctl_conn *c)
{
	struct control	*ctl = c->ctl;

	TAILQ_REMOVE(&ctl->conns, c, entry);
	ctl->nconns--;
	event_free(c->ev);
	event_free(c->ev_idle);
	close(imsgbuf_fd(c->ibuf));
	imsgbuf_free(c->ibuf);
	free(c);
}

static void
conn_update(struct ctl_conn *c)
{
	struct timeval	 idle = { CTL_IDLE_S, 0 };
	short		 what = EV_READ | EV_PERSIST;

	if (imsgbuf_queued(c->ibuf) > 0)
		what |= EV_WRITE;
	event_del(c->ev);
	event_assign(c->ev, c->ctl->mon->base, imsgbuf_fd(c->ibuf), what,
	    conn_event, c);
	event_add(c->ev, NULL);
	evtimer_add(c->ev_idle, &idle);
}

static void
conn_send(struct ctl_conn *c, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(c->ibuf, type, c->id, 0, -1, data, len) == -1) {
		conn_close(c);	/* not reading its answers */
		return;
	}
	conn_update(c);
}

static void
conn_result(struct ctl_conn *c, int code)
{
	struct ctl_result	 r = { code };

	c->waiting = 0;
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
}

/* Changes are root's: 1 if c may, else answered 501. */
static int
authorised(struct ctl_conn *c, const char *what)
{
	if (c->uid == 0)
		return 1;
	c->ctl->refused++;
	log_info("%s refused: uid %u is not root", what, (unsigned)c->uid);
	conn_result(c, CTL_UNAUTH);
	return 0;
}

static void
do_makestep(struct ctl_conn *c)
{
	struct monitor	*mon = c->ctl->mon;

	if (!authorised(c, "makestep"))
		return;
	if (monitor_makestep(mon) == -1) {
		conn_result(c, CTL_FAILED);
		return;
	}
	log_info("makestep authorised (uid %u)", (unsigned)c->uid);
	/* The engine may now step what it measures; it answers. */
	if (monitor_to_engine(mon, IMSG_CTL_MAKESTEP, c->id, c->uid, NULL,
	    0) == -1)
		conn_result(c, CTL_OK);
	else
		c->waiting = IMSG_CTL_MAKESTEP;
}

/* A selection of sources: exactly sized, a NUL-terminated string. */
static int
get_select(const struct imsg *imsg, struct ctl_select *sel)
{
	if (imsg_get_data(imsg, sel, sizeof(*sel)) == -1 ||
	    memchr(sel->which, '\0', sizeof(sel->which)) == NULL)
		return -1;
	return 0;
}

static void
do_select(struct ctl_conn *c, const struct imsg *imsg, const char *what)
{
	struct ctl_select	 sel;

	if (get_select(imsg, &sel) == -1) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	if (imsg->hdr.type != IMSG_CTL_NTPDATA && !authorised(c, what))
		return;
	if (imsg->hdr.type != IMSG_CTL_NTPDATA)
		log_info("%s %s (uid %u)", what, sel.which[0] != '\0' ?
		    sel.which : "all sources", (unsigned)c->uid);
	relay(c, imsg->hdr.type, &sel, sizeof(sel));
}

static void
do_burst(struct ctl_conn *c, const struct imsg *imsg)
{
	struct ctl_burst	 b;

	if (imsg_get_data(imsg, &b, sizeof(b)) == -1 ||
	    memchr(b.sel.which, '\0', sizeof(b.sel.which)) == NULL ||
	    b.max < 1 || b.max > CTL_BURST_MAX || b.good < 1 ||
	    b.good > b.max) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	if (!authorised(c, "burst"))
		return;
	log_info("burst %d/%d %s (uid %u)", (int)b.good, (int)b.max,
	    b.sel.which[0] != '\0' ? b.sel.which : "all sources",
	    (unsigned)c->uid);
	relay(c, IMSG_CTL_BURST, &b, sizeof(b));
}

static void
do_set_makestep(struct ctl_conn *c, const struct imsg *imsg)
{
	struct ctl_makestep	 m;

	if (imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    lim_check_makestep(m.threshold_s, m.limit) != NULL) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return;
	}
	if (!authorised(c, "makestep"))
		return;
	log_info("makestep %g %d (uid %u)", m.threshold_s, (int)m.limit,
	    (unsigned)c->uid);
	monitor_set_makestep(c->ctl->mon, &m);
	relay(c, IMSG_CTL_SET_MAKESTEP, &m, sizeof(m));
}

static void
do_reload(struct ctl_conn *c)
{
	int	 rc;

	if (!authorised(c, "reload sources"))
		return;
	log_info("reload sources (uid %u)", (unsigned)c->uid);
	rc = monitor_reload_sources(c->ctl->mon, c->id, c->uid);
	if (rc == 0)
		c->waiting = IMSG_CTL_RELOAD_SOURCES;	/* the engine answers */
	else
		conn_result(c, rc);
}

/* The payload each request carries. */
static size_t
request_size(uint32_t type)
{
	switch (type) {
	case IMSG_CTL_NTPDATA:
	case IMSG_CTL_ONLINE:
	case IMSG_CTL_OFFLINE:
		return sizeof(struct ctl_select);
	case IMSG_CTL_BURST:
		return sizeof(struct ctl_burst);
	case IMSG_CTL_SET_MAKESTEP:
		return sizeof(struct ctl_makestep);
	default:
		return 0;
	}
}

/* Returns -1 when the connection was closed. */
static int
conn_dispatch(struct ctl_conn *c, struct imsg *imsg)
{
	if (!c->hello) {
		if (imsg_check_hello(imsg) == -1)
			return -1;
		c->hello = 1;
		imsg_compose_hello(c->ibuf);
		conn_update(c);
		return 0;
	}
	c->ctl->requests++;
	if (c->waiting != 0 || imsg->datalen != request_size(imsg->hdr.type)) {
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		return 0;
	}
	switch (imsg->hdr.type) {
	case IMSG_CTL_TRACKING:
	case IMSG_CTL_SOURCES:
	case IMSG_CTL_SERVERSTATS:
	case IMSG_CTL_CLIENTS:
	case IMSG_CTL_SOURCESTATS:
	case IMSG_CTL_ACTIVITY:
	case IMSG_CTL_AUTHDATA:
		relay(c, imsg->hdr.type, NULL, 0);
		break;
	case IMSG_CTL_MAKESTEP:
		do_makestep(c);
		break;
	case IMSG_CTL_NTPDATA:
		do_select(c, imsg, "ntpdata");
		break;
	case IMSG_CTL_ONLINE:
		do_select(c, imsg, "online");
		break;
	case IMSG_CTL_OFFLINE:
		do_select(c, imsg, "offline");
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
	default:
		c->ctl->refused++;
		conn_result(c, CTL_INVALID);
		break;
	}
	return 0;
}

static void
conn_read(struct ctl_conn *c)
{
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r;

	if ((n = imsgbuf_read(c->ibuf)) == 0 || (n == -1 && errno != EAGAIN)) {
		conn_close(c);
		return;
	}
	while ((r = imsg_get(c->ibuf, &imsg)) == 1) {
		r = conn_dispatch(c, &imsg);
		imsg_free(&imsg);
		if (r == -1)
			break;
	}
	if (r == -1)
		conn_close(c);
}

static void
conn_event(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (ev & EV_WRITE) {
		if (imsgbuf_write(c->ibuf) == -1) {
			conn_close(c);
			return;
		}
		conn_update(c);
	}
	if (ev & EV_READ)
		conn_read(c);
}

static void
conn_idle(evutil_socket_t fd, short ev, void *arg)
{
	conn_close(arg);
}

static void
accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct control	*ctl = arg;
	struct ctl_conn	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	int		 s;

	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (ctl->nconns >= CTL_MAX_CONNS ||
	    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		close(s);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	c->id = ++ctl->next_id;
	c->uid = cred.uid;
	if ((c->ibuf = imsgbuf_new(s)) == NULL ||
	    (c->ev = event_new(ctl->mon->base, -1, 0, NULL, NULL)) == NULL ||
	    (c->ev_idle = evtimer_new(ctl->mon->base, conn_idle, c)) == NULL)
		fatalx("control: out of memory");
	TAILQ_INSERT_TAIL(&ctl->conns, c, entry);
	ctl->nconns++;
	conn_update(c);
}

void
control_start(struct control *ctl, struct monitor *mon)
{
	ctl->mon = mon;
	if ((ctl->ev_accept = event_new(mon->base, ctl->fd, EV_READ |
	    EV_PERSIST, accept_cb, ctl)) == NULL ||
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

/* Size and order of answers, as the request expects them. */
static int
answer_ok(uint32_t waiting, const struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_CTL_TRACKING:
		return waiting == IMSG_CTL_TRACKING &&
		    imsg->datalen == sizeof(struct rpt_tracking);
	case IMSG_CTL_SOURCES:
		return waiting == IMSG_CTL_SOURCES &&
		    imsg->datalen == sizeof(struct rpt_source);
	case IMSG_CTL_SERVERSTATS:
		return waiting == IMSG_CTL_SERVERSTATS &&
		    imsg->datalen == sizeof(struct rpt_serverstats);
	case IMSG_CTL_CLIENTS:
		return waiting == IMSG_CTL_CLIENTS &&
		    imsg->datalen == sizeof(struct rpt_client);
	case IMSG_CTL_SOURCESTATS:
		return waiting == IMSG_CTL_SOURCESTATS &&
		    imsg->datalen == sizeof(struct rpt_sourcestats);
	case IMSG_CTL_ACTIVITY:
		return waiting == IMSG_CTL_ACTIVITY &&
		    imsg->datalen == sizeof(struct rpt_activity);
	case IMSG_CTL_NTPDATA:
		return waiting == IMSG_CTL_NTPDATA &&
		    imsg->datalen == sizeof(struct rpt_ntpdata);
	case IMSG_CTL_AUTHDATA:
		return waiting == IMSG_CTL_AUTHDATA &&
		    imsg->datalen == sizeof(struct rpt_authdata);
	case IMSG_CTL_END:
		return (waiting == IMSG_CTL_SOURCES ||
		    waiting == IMSG_CTL_CLIENTS ||
		    waiting == IMSG_CTL_SOURCESTATS ||
		    waiting == IMSG_CTL_NTPDATA ||
		    waiting == IMSG_CTL_AUTHDATA) && imsg->datalen == 0;
	case IMSG_CTL_RESULT:
		return waiting != 0 &&
		    imsg->datalen == sizeof(struct ctl_result);
	}
	return 0;
}

void
control_from_engine(struct control *ctl, const struct imsg *imsg)
{
	struct ctl_conn	*c = find_conn(ctl, imsg->hdr.peerid);

	if (c == NULL)
		return;		/* timectl went away meanwhile */
	if (!answer_ok(c->waiting, imsg)) {
		monitor_engine_abuse(ctl->mon, "control answer out of order");
		return;
	}
	if (imsg->hdr.type == IMSG_CTL_SERVERSTATS) {
		/* The control counters are the monitor's to tell. */
		struct rpt_serverstats	 st;

		memcpy(&st, imsg->data, sizeof(st));
		st.cmd_rx = ctl->requests;
		st.cmd_dropped = ctl->refused;
		c->waiting = 0;
		conn_send(c, imsg->hdr.type, &st, sizeof(st));
		return;
	}
	if (imsg->hdr.type != IMSG_CTL_SOURCES &&
	    imsg->hdr.type != IMSG_CTL_CLIENTS &&
	    imsg->hdr.type != IMSG_CTL_SOURCESTATS &&
	    imsg->hdr.type != IMSG_CTL_NTPDATA &&
	    imsg->hdr.type != IMSG_CTL_AUTHDATA)
		c->waiting = 0;
	conn_send(c, imsg->hdr.type, imsg->data, imsg->datalen);
}

void
control_engine_gone(struct control *ctl)
{
	struct ctl_conn	*c, *next;

	for (c = TAILQ_FIRST(&ctl->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->waiting != 0)
			conn_result(c, CTL_UNAVAIL);
	}
}
