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
 * timectl: ask the timed monitor over its control socket and print the
 * answer in chronyc's layout, as CSV (-c) or as JSON (-j).
 */

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "imsg.h"
#include "lim.h"
#include "proto.h"
#include "sock.h"

#define TIMEOUT_MS	10000
#define MAX_ROWS	(16 * 1024 * 1024)	/* clients of a busy server */

enum output { OUT_TEXT, OUT_CSV, OUT_JSON };

#define MAX_ARGS	8

struct opts {
	const char	*socket;
	enum output	 out;
	int		 numeric;
	int		 verbose;
	uint64_t	 min_packets;	/* clients -p */
	int		 argc;		/* the command's other words */
	char		*argv[MAX_ARGS];
};

struct session {
	int		 fd;
	struct imsgbuf	*ibuf;
	int		 greeted;	/* timed's hello came */
};

static void
usage_text(FILE *f)
{
	fprintf(f,
	    "usage: timectl [-acjnv] [-h socket] [command [options]]\n"
	    "  -h socket  control socket (default %s)\n"
	    "  -c         print CSV, as chronyc -c\n"
	    "  -j         print JSON\n"
	    "  -n         print addresses, not names\n"
	    "  -a         accepted and ignored, as chronyc 4\n"
	    "  -v         print the version and exit\n"
	    "  --help     print this help and exit\n"
	    "Without a command, commands are read from the standard input.\n"
	    "commands:\n"
	    "  tracking            the system clock's state\n"
	    "  sources [-a] [-n] [-v]\n"
	    "                      the time sources\n"
	    "  sourcestats [-a] [-n] [-v]\n"
	    "                      the sources' measurement statistics\n"
	    "  activity            how many sources are online\n"
	    "  ntpdata [ADDRESS]   the last NTP exchange with each source\n"
	    "  authdata [-n]       the sources' authentication (NTS)\n"
	    "  serverstats         the NTP server's counters\n"
	    "  clients [-p N]      the NTP clients (-p: with at least N "
	    "packets)\n"
	    "  metrics             everything above in Prometheus' text "
	    "format\n"
	    "  waitsync [MAX-TRIES [MAX-CORRECTION [MAX-SKEW [INTERVAL]]]]\n"
	    "                      wait until synchronised\n"
	    "  makestep | step     step what is left of the correction "
	    "(root)\n"
	    "  makestep THRESHOLD LIMIT\n"
	    "                      step when the offset exceeds THRESHOLD "
	    "s in the next\n"
	    "                      LIMIT updates (-1: always) (root)\n"
	    "  burst GOOD/MAX [ADDRESS]\n"
	    "                      quick polls until GOOD good samples "
	    "(root)\n"
	    "  online [ADDRESS]    poll the sources again (root)\n"
	    "  offline [ADDRESS]   stop polling the sources (root)\n"
	    "  reload sources      read the sourcedir files again (root)\n"
	    "  help                this list (interactive)\n"
	    "  quit | exit         end the interactive mode\n", TIMED_SOCKET);
}

static void
usage(FILE *f, int status)
{
	usage_text(f);
	exit(status);
}

static uint64_t	count_arg(const char *, const char *);

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "timectl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void
flush_all(struct session *s)
{
	struct pollfd	 pfd = { s->fd, POLLOUT, 0 };
	int		 r;

	while ((r = imsgbuf_write(s->ibuf)) == 1)
		if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
			die("%s", "timeout talking to timed");
	if (r == -1)
		die("cannot talk to timed: %s", strerror(errno));
}

/* Next frame, waiting for it; the caller frees it. */
static void
next_imsg(struct session *s, struct imsg *imsg)
{
	struct pollfd	 pfd = { s->fd, POLLIN, 0 };
	ssize_t		 n;
	int		 r;

	while ((r = imsg_get(s->ibuf, imsg)) == 0) {
		if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
			die("%s", "no answer from timed within 10 s (a hung "
			    "network engine is restarted by timed: try again)");
		n = imsgbuf_read(s->ibuf);
		if (n == 0 && !s->greeted)
			die("%s", "timed closed the connection at once: too "
			    "many connections of this user, or timed speaks "
			    "another protocol version");
		if (n == 0)
			die("%s", "timed closed the connection");
		if (n == -1 && errno != EAGAIN)
			die("read: %s", strerror(errno));
	}
	if (r == -1)
		die("%s", "malformed answer from timed");
}

/*
 * A daemon in clknetsim (timed-sim, timed.8): its UNIX sockets are
 * clknetsim's, named /clknetsim/unix/NODE:PORT, and datagram ones; the
 * frames are the same, one or more a datagram.
 */
static int
sim_path(const char *path)
{
	return strncmp(path, "/clknetsim/", 11) == 0;
}

/* clknetsim answers a datagram socket that has an address of its own. */
static int
bind_sim(int fd)
{
	struct sockaddr_un	 sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/clknetsim/timectl");
	return bind(fd, (struct sockaddr *)&sun, sizeof(sun));
}

/* Connect, or print why not and return -1. */
static int
try_connect(struct session *s, const char *path)
{
	struct sockaddr_un	 sun;
	struct imsg		 imsg;

	s->greeted = 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    (int)sizeof(sun.sun_path))
		die("%s: path too long", path);
	if ((s->fd = sock_open(AF_UNIX, sim_path(path) ? SOCK_DGRAM :
	    SOCK_STREAM)) == -1)
		die("socket: %s", strerror(errno));
	if ((sim_path(path) && bind_sim(s->fd) == -1) ||
	    connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "timectl: cannot connect to %s: %s "
		    "(is timed running?)\n", path, strerror(errno));
		close(s->fd);
		return -1;
	}
	if ((s->ibuf = imsgbuf_new(s->fd)) == NULL)
		die("%s", "out of memory");
	imsg_compose_hello(s->ibuf);
	flush_all(s);
	next_imsg(s, &imsg);
	if (imsg_check_hello(&imsg) == -1)
		die("%s", "timed speaks another protocol version");
	imsg_free(&imsg);
	s->greeted = 1;
	return 0;
}

static void
connect_daemon(struct session *s, const char *path)
{
	if (try_connect(s, path) == -1)
		exit(1);
}

static void
disconnect(struct session *s)
{
	imsgbuf_free(s->ibuf);
	close(s->fd);
}

static void
request_data(struct session *s, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(s->ibuf, type, 0, getpid(), -1, data, len) == -1)
		die("%s", "out of memory");
	flush_all(s);
}

static void
request(struct session *s, uint32_t type)
{
	request_data(s, type, NULL, 0);
}

/*
 * A result frame ends every command that does not answer with data.  Its
 * line goes to stdout whatever the code, as chronyc prints "501 Not
 * authorised": scripts that read chronyc's answer read timectl's.
 */
static int
result(const struct imsg *imsg)
{
	struct ctl_result	 r;

	if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
		die("%s", "malformed result from timed");
	printf("%s\n", fmt_result(r.code));
	return r.code == CTL_OK ? 0 : 1;
}

static void
terminate(char *s, size_t size)
{
	s[size - 1] = '\0';
}

/*
 * Ask for one answer of this type and size.  Returns 0, or the exit
 * status of the result that came instead (printed).
 */
static int
ask_one(struct session *s, uint32_t type, void *buf, size_t size)
{
	struct imsg	 imsg;
	int		 rc;

	request(s, type);
	next_imsg(s, &imsg);
	if (imsg.hdr.type == IMSG_CTL_RESULT) {
		rc = result(&imsg);
		imsg_free(&imsg);
		return rc == 0 ? 1 : rc;	/* no data: even 200 OK fails */
	}
	if (imsg.hdr.type != type || imsg_get_data(&imsg, buf, size) == -1)
		die("%s", "unexpected answer from timed");
	imsg_free(&imsg);
	return 0;
}

/*
 * Ask for a list (the request carrying req): rows of this type and size
 * until IMSG_CTL_END, in a growing array the caller frees.  Returns 0, or
 * the exit status of the result that came instead (printed; *rows is then
 * NULL).
 */
static int
ask_list(struct session *s, uint32_t type, const void *req, size_t reqlen,
    size_t size, void **rows, size_t *np)
{
	struct imsg	 imsg;
	uint8_t		*a = NULL, *na;
	size_t		 n = 0, cap = 0;
	int		 rc;

	request_data(s, type, req, reqlen);
	for (;;) {
		next_imsg(s, &imsg);
		if (imsg.hdr.type == IMSG_CTL_END)
			break;
		if (imsg.hdr.type == IMSG_CTL_RESULT) {
			rc = result(&imsg);
			imsg_free(&imsg);
			free(a);
			*rows = NULL;
			return rc == 0 ? 1 : rc;
		}
		if (n == cap) {
			if (cap > MAX_ROWS / 2)
				die("%s", "too many rows from timed");
			cap = cap == 0 ? 64 : cap * 2;
			if ((na = realloc(a, cap * size)) == NULL)
				die("%s", "out of memory");
			a = na;
		}
		if (imsg.hdr.type != type ||
		    imsg_get_data(&imsg, a + n * size, size) == -1)
			die("%s", "unexpected answer from timed");
		imsg_free(&imsg);
		n++;
	}
	imsg_free(&imsg);
	*rows = a;
	*np = n;
	return 0;
}

static void
get_tracking(struct session *s, struct rpt_tracking *t, int *rc)
{
	if ((*rc = ask_one(s, IMSG_CTL_TRACKING, t, sizeof(*t))) == 0)
		terminate(t->ref_name, sizeof(t->ref_name));
}

static int
cmd_tracking(struct session *s, const struct opts *o)
{
	struct rpt_tracking	 t;
	int			 rc;

	get_tracking(s, &t, &rc);
	if (rc != 0)
		return rc;
	if (o->out == OUT_JSON)
		fmt_tracking_json(stdout, &t);
	else if (o->out == OUT_CSV)
		fmt_tracking_csv(stdout, &t);
	else
		fmt_tracking(stdout, &t);
	return 0;
}

static int
get_sources(struct session *s, struct rpt_source **src, size_t *n)
{
	size_t	 i;
	int	 rc;

	if ((rc = ask_list(s, IMSG_CTL_SOURCES, NULL, 0, sizeof(**src),
	    (void **)src, n)) != 0)
		return rc;
	for (i = 0; i < *n; i++) {
		terminate((*src)[i].name, sizeof((*src)[i].name));
		terminate((*src)[i].address, sizeof((*src)[i].address));
	}
	return 0;
}

static int
cmd_sources(struct session *s, const struct opts *o)
{
	struct rpt_source	*src;
	size_t			 i, n;
	int			 rc;

	if ((rc = get_sources(s, &src, &n)) != 0)
		return rc;
	if (o->out == OUT_JSON)
		fmt_sources_json(stdout, src, n);
	else if (o->out == OUT_CSV)
		for (i = 0; i < n; i++)
			fmt_source_csv(stdout, &src[i], 1);
	else {
		fmt_sources_header(stdout, o->verbose);
		for (i = 0; i < n; i++)
			fmt_source(stdout, &src[i], o->numeric);
	}
	free(src);
	return 0;
}

static int
get_sourcestats(struct session *s, struct rpt_sourcestats **st, size_t *n)
{
	size_t	 i;
	int	 rc;

	if ((rc = ask_list(s, IMSG_CTL_SOURCESTATS, NULL, 0, sizeof(**st),
	    (void **)st, n)) != 0)
		return rc;
	for (i = 0; i < *n; i++) {
		terminate((*st)[i].name, sizeof((*st)[i].name));
		terminate((*st)[i].address, sizeof((*st)[i].address));
	}
	return 0;
}

static int
cmd_sourcestats(struct session *s, const struct opts *o)
{
	struct rpt_sourcestats	*st;
	size_t			 i, n;
	int			 rc;

	if ((rc = get_sourcestats(s, &st, &n)) != 0)
		return rc;
	if (o->out == OUT_JSON)
		fmt_sourcestats_json(stdout, st, n);
	else if (o->out == OUT_CSV)
		for (i = 0; i < n; i++)
			fmt_sourcestat_csv(stdout, &st[i], 1);
	else {
		fmt_sourcestats_header(stdout, o->verbose);
		for (i = 0; i < n; i++)
			fmt_sourcestat(stdout, &st[i], o->numeric);
	}
	free(st);
	return 0;
}

static int
cmd_serverstats(struct session *s, const struct opts *o)
{
	struct rpt_serverstats	 st;
	int			 rc;

	if ((rc = ask_one(s, IMSG_CTL_SERVERSTATS, &st, sizeof(st))) != 0)
		return rc;
	if (o->out == OUT_JSON)
		fmt_serverstats_json(stdout, &st);
	else if (o->out == OUT_CSV)
		fmt_serverstats_csv(stdout, &st);
	else
		fmt_serverstats(stdout, &st);
	return 0;
}

static int
cmd_clients(struct session *s, const struct opts *o)
{
	struct rpt_client	*c;
	size_t			 i, n, k = 0;
	int			 rc;

	if ((rc = ask_list(s, IMSG_CTL_CLIENTS, NULL, 0, sizeof(*c),
	    (void **)&c, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {	/* clients -p: the busy ones */
		terminate(c[i].address, sizeof(c[i].address));
		if (c[i].ntp_hits >= o->min_packets)
			c[k++] = c[i];
	}
	if (o->out == OUT_JSON)
		fmt_clients_json(stdout, c, k);
	else if (o->out == OUT_CSV)
		for (i = 0; i < k; i++)
			fmt_client_csv(stdout, &c[i]);
	else {
		fmt_clients_header(stdout);
		for (i = 0; i < k; i++)
			fmt_client(stdout, &c[i]);
	}
	free(c);
	return 0;
}

static int
cmd_activity(struct session *s, const struct opts *o)
{
	struct rpt_activity	 a;
	int			 rc;

	if ((rc = ask_one(s, IMSG_CTL_ACTIVITY, &a, sizeof(a))) != 0)
		return rc;
	if (o->out == OUT_JSON)
		fmt_activity_json(stdout, &a);
	else if (o->out == OUT_CSV)
		fmt_activity_csv(stdout, &a);
	else
		fmt_activity(stdout, &a);
	return 0;
}

static int
cmd_authdata(struct session *s, const struct opts *o)
{
	struct rpt_authdata	*a;
	size_t			 i, n;
	int			 rc;

	if ((rc = ask_list(s, IMSG_CTL_AUTHDATA, NULL, 0, sizeof(*a),
	    (void **)&a, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		terminate(a[i].name, sizeof(a[i].name));
		terminate(a[i].address, sizeof(a[i].address));
	}
	if (o->out == OUT_JSON)
		fmt_authdata_json(stdout, a, n);
	else if (o->out == OUT_CSV)
		for (i = 0; i < n; i++)
			fmt_authdata_csv(stdout, &a[i], 1);
	else {
		fmt_authdata_header(stdout, 0);
		for (i = 0; i < n; i++)
			fmt_authdata(stdout, &a[i], o->numeric);
	}
	free(a);
	return 0;
}

/* The optional ADDRESS of ntpdata, online, offline and burst. */
static void
selection(const struct opts *o, int at, struct ctl_select *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (o->argc > at + 1)
		die("%s", "too many arguments");
	if (o->argc == at + 1 && snprintf(sel->which, sizeof(sel->which),
	    "%s", o->argv[at]) >= (int)sizeof(sel->which))
		die("%s", "address too long");
}

static int
cmd_ntpdata(struct session *s, const struct opts *o)
{
	struct ctl_select	 sel;
	struct rpt_ntpdata	*d;
	size_t			 i, n;
	int			 rc;

	selection(o, 0, &sel);
	if ((rc = ask_list(s, IMSG_CTL_NTPDATA, &sel, sizeof(sel),
	    sizeof(*d), (void **)&d, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		terminate(d[i].name, sizeof(d[i].name));
		terminate(d[i].remote_address, sizeof(d[i].remote_address));
		terminate(d[i].local_address, sizeof(d[i].local_address));
	}
	if (o->out == OUT_JSON)
		fmt_ntpdata_json(stdout, d, n);
	for (i = 0; i < n && o->out != OUT_JSON; i++) {
		if (o->out == OUT_CSV)
			fmt_ntpdata_csv(stdout, &d[i]);
		else {
			if (i > 0)
				putchar('\n');
			fmt_ntpdata(stdout, &d[i]);
		}
	}
	free(d);
	return 0;
}

/* A command answered by a result alone. */
static int
ask_result(struct session *s, uint32_t type, const void *data, size_t len)
{
	struct imsg	 imsg;
	int		 rc;

	request_data(s, type, data, len);
	next_imsg(s, &imsg);
	if (imsg.hdr.type != IMSG_CTL_RESULT)
		die("%s", "unexpected answer from timed");
	rc = result(&imsg);
	imsg_free(&imsg);
	return rc;
}

static int
cmd_makestep(struct session *s, const struct opts *o)
{
	struct ctl_makestep	 m;
	char			*end;
	long			 limit;

	if (o->argc == 0)
		return ask_result(s, IMSG_CTL_MAKESTEP, NULL, 0);
	if (o->argc != 2)
		die("%s", "usage: makestep [THRESHOLD LIMIT]");
	memset(&m, 0, sizeof(m));
	errno = 0;
	m.threshold_s = strtod(o->argv[0], &end);
	if (errno != 0 || end == o->argv[0] || *end != '\0' ||
	    lim_check_makestep(m.threshold_s, 0) != NULL)
		die("bad threshold: %s", o->argv[0]);
	limit = strtol(o->argv[1], &end, 10);
	if (errno != 0 || end == o->argv[1] || *end != '\0' ||
	    limit > INT32_MAX || limit < INT32_MIN)
		die("bad limit: %s", o->argv[1]);
	m.limit = limit < 0 ? -1 : (int32_t)limit;
	return ask_result(s, IMSG_CTL_SET_MAKESTEP, &m, sizeof(m));
}

static int
cmd_online(struct session *s, const struct opts *o)
{
	struct ctl_select	 sel;

	selection(o, 0, &sel);
	return ask_result(s, IMSG_CTL_ONLINE, &sel, sizeof(sel));
}

static int
cmd_offline(struct session *s, const struct opts *o)
{
	struct ctl_select	 sel;

	selection(o, 0, &sel);
	return ask_result(s, IMSG_CTL_OFFLINE, &sel, sizeof(sel));
}

static int
cmd_burst(struct session *s, const struct opts *o)
{
	struct ctl_burst	 b;
	char			*slash;
	uint64_t		 good, max;

	if (o->argc < 1 || (slash = strchr(o->argv[0], '/')) == NULL)
		die("%s", "usage: burst GOOD/MAX [ADDRESS]");
	*slash = '\0';
	good = count_arg("burst", o->argv[0]);
	max = count_arg("burst", slash + 1);
	*slash = '/';
	if (max < 1 || max > CTL_BURST_MAX || good < 1 || good > max)
		die("%s", "burst: need 1 <= GOOD <= MAX <= 64");
	selection(o, 1, &b.sel);
	b.good = (int32_t)good;
	b.max = (int32_t)max;
	return ask_result(s, IMSG_CTL_BURST, &b, sizeof(b));
}

static int
cmd_reload(struct session *s, const struct opts *o)
{
	if (o->argc != 1 || strcmp(o->argv[0], "sources") != 0)
		die("%s", "usage: reload sources");
	return ask_result(s, IMSG_CTL_RELOAD_SOURCES, NULL, 0);
}

/* serverstats, or -1 (nothing printed) when the caller may not see it. */
static int
get_serverstats(struct session *s, struct rpt_serverstats *st)
{
	struct imsg		 imsg;
	struct ctl_result	 r;

	request(s, IMSG_CTL_SERVERSTATS);
	next_imsg(s, &imsg);
	if (imsg.hdr.type == IMSG_CTL_RESULT &&
	    imsg_get_data(&imsg, &r, sizeof(r)) == 0 && r.code == CTL_UNAUTH) {
		imsg_free(&imsg);
		return -1;
	}
	if (imsg.hdr.type != IMSG_CTL_SERVERSTATS ||
	    imsg_get_data(&imsg, st, sizeof(*st)) == -1)
		die("%s", "unexpected answer from timed");
	imsg_free(&imsg);
	return 0;
}

static int
cmd_metrics(struct session *s, const struct opts *o)
{
	struct rpt_tracking	 t;
	struct rpt_serverstats	 st;
	struct fmt_metrics	 m;
	struct rpt_source	*src;
	struct rpt_sourcestats	*ss;
	int			 rc;

	memset(&m, 0, sizeof(m));
	get_tracking(s, &t, &rc);
	if (rc != 0)
		return rc;
	if ((rc = get_sources(s, &src, &m.nsources)) != 0)
		return rc;
	if ((rc = get_sourcestats(s, &ss, &m.nsourcestats)) != 0) {
		free(src);
		return rc;
	}
	m.tracking = &t;
	m.sources = src;
	m.sourcestats = ss;
	/* The server's counters are for root and the timed group. */
	if (get_serverstats(s, &st) == 0)
		m.serverstats = &st;
	fmt_metrics(stdout, &m);
	free(ss);
	free(src);
	return 0;
}

/* A positive number of seconds, ppm, ... */
static double
real_arg(const char *what, const char *arg)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0.0)
		die("invalid %s", what);
	return v;
}

/*
 * chronyc waitsync: ask for tracking every interval until synchronised
 * (within the limits) or max_tries asked (0: forever).  A daemon not
 * answering counts as not synchronised.
 */
static int
cmd_waitsync(struct session *unused, const struct opts *o)
{
	struct session		 s;
	struct rpt_tracking	 t;
	uint64_t		 tries = 0, i;
	double			 max_corr = 0.0, max_skew = 0.0;
	double			 interval = 10.0;
	int			 rc;

	if (o->argc > 4)
		die("%s", "usage: waitsync [MAX-TRIES [MAX-CORRECTION "
		    "[MAX-SKEW [INTERVAL]]]]");
	if (o->argc > 0)
		tries = count_arg("MAX-TRIES", o->argv[0]);
	if (o->argc > 1)
		max_corr = real_arg("MAX-CORRECTION", o->argv[1]);
	if (o->argc > 2)
		max_skew = real_arg("MAX-SKEW", o->argv[2]);
	if (o->argc > 3)
		interval = real_arg("INTERVAL", o->argv[3]);
	if (interval < 0.1)
		interval = 0.1;
	for (i = 1; ; i++) {
		rc = 1;
		if (try_connect(&s, o->socket) == 0) {
			get_tracking(&s, &t, &rc);
			disconnect(&s);
		}
		if (rc == 0) {
			fmt_waitsync(stdout, (int)i, &t);
			fflush(stdout);
			if (fmt_waitsync_ok(&t, max_corr, max_skew))
				return 0;
		}
		if (tries != 0 && i >= tries)
			return 1;
		usleep((useconds_t)(interval * 1e6));
	}
}

/* A count: decimal digits only, no sign, no overflow. */
static uint64_t
count_arg(const char *opt, const char *arg)
{
	uint64_t	 v = 0;
	const char	*p;

	if (arg == NULL || *arg == '\0')
		die("%s needs a number", opt);
	for (p = arg; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			die("invalid number '%s'", arg);
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			die("number too large '%s'", arg);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

/*
 * The words after the command, as chronyc takes them: -n, -v (-a
 * ignored) for any command, clients -p N and -r; the others are the
 * command's arguments.
 */
static void
command_opts(int argc, char *argv[], struct opts *o)
{
	int	 clients, i;

	clients = strcmp(argv[0], "clients") == 0;
	o->argc = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0)
			o->numeric = 1;
		else if (strcmp(argv[i], "-v") == 0)
			o->verbose = 1;
		else if (strcmp(argv[i], "-a") == 0)
			continue;
		else if (clients && strcmp(argv[i], "-p") == 0) {
			o->min_packets = count_arg("-p", argv[i + 1]);
			i++;
		} else if (clients && strcmp(argv[i], "-r") == 0)
			die("%s", "clients -r is not supported");
		else if (argv[i][0] == '-' && !isdigit((unsigned char)
		    argv[i][1]))
			die("unknown option '%s'", argv[i]);
		else if (o->argc == MAX_ARGS)
			die("%s", "too many arguments");
		else
			o->argv[o->argc++] = argv[i];
	}
}

/* No arguments but options. */
#define NOARGS		0x1
/* Makes its own connections. */
#define OWNCONN		0x2

static const struct {
	const char	*name;
	int		(*fn)(struct session *, const struct opts *);
	int		 flags;
} commands[] = {
	{ "tracking", cmd_tracking, NOARGS },
	{ "sources", cmd_sources, NOARGS },
	{ "sourcestats", cmd_sourcestats, NOARGS },
	{ "serverstats", cmd_serverstats, NOARGS },
	{ "clients", cmd_clients, NOARGS },
	{ "activity", cmd_activity, NOARGS },
	{ "ntpdata", cmd_ntpdata, 0 },
	{ "authdata", cmd_authdata, NOARGS },
	{ "metrics", cmd_metrics, NOARGS },
	{ "makestep", cmd_makestep, 0 },
	{ "step", cmd_makestep, 0 },
	{ "burst", cmd_burst, 0 },
	{ "online", cmd_online, 0 },
	{ "offline", cmd_offline, 0 },
	{ "reload", cmd_reload, 0 },
	{ "waitsync", cmd_waitsync, OWNCONN },
};

/* Run one command line (argv[0] the command); its exit status. */
static int
run(int argc, char *argv[], struct opts o)
{
	struct session	 s;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		command_opts(argc, argv, &o);
		if ((commands[i].flags & NOARGS) && o.argc != 0)
			die("%s: too many arguments", argv[0]);
		if (commands[i].flags & OWNCONN)
			rc = commands[i].fn(NULL, &o);
		else {
			connect_daemon(&s, o.socket);
			rc = commands[i].fn(&s, &o);
			disconnect(&s);
		}
		if (fflush(stdout) == EOF)
			die("stdout: %s", strerror(errno));
		return rc;
	}
	fprintf(stderr, "timectl: unknown command '%s'\n", argv[0]);
	return 1;
}

/*
 * Interactive: a prompt, one command a line, each run in a child so that
 * an error ends that command only.  The exit status: quit's 0, or at the
 * end of the input the last command's.
 */
static int
interactive(const struct opts *o)
{
	char	*line = NULL, *words[MAX_ARGS + 2], *last, *w;
	size_t	 cap = 0;
	int	 n, status, rc = 0;
	pid_t	 pid;

	for (;;) {
		fputs("timectl> ", stdout);
		fflush(stdout);
		if (getline(&line, &cap, stdin) == -1) {
			putchar('\n');
			break;
		}
		n = 0;
		for (w = strtok_r(line, " \t\r\n", &last); w != NULL &&
		    n < MAX_ARGS + 1; w = strtok_r(NULL, " \t\r\n", &last))
			words[n++] = w;
		words[n] = NULL;
		if (n == 0)
			continue;
		if (strcmp(words[0], "quit") == 0 ||
		    strcmp(words[0], "exit") == 0) {
			rc = 0;
			break;
		}
		if (strcmp(words[0], "help") == 0) {
			usage_text(stdout);
			rc = 0;
			continue;
		}
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid == 0)
			exit(run(n, words, *o));
		if (waitpid(pid, &status, 0) == -1)
			die("waitpid: %s", strerror(errno));
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	free(line);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	int		 ch;

	memset(&o, 0, sizeof(o));
	o.socket = TIMED_SOCKET;
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		usage(stdout, 0);
	while ((ch = getopt(argc, argv, "+acjh:nv")) != -1) {
		switch (ch) {
		case 'a':
			break;
		case 'c':
			o.out = OUT_CSV;
			break;
		case 'j':
			o.out = OUT_JSON;
			break;
		case 'h':
			o.socket = optarg;
			break;
		case 'n':
			o.numeric = 1;
			break;
		case 'v':
			printf("timectl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr, 1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return interactive(&o);
	return run(argc, argv, o);
}
