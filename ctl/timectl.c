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
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "imsg.h"
#include "proto.h"

#define TIMEOUT_MS	10000
#define MAX_ROWS	(16 * 1024 * 1024)	/* clients of a busy server */

enum output { OUT_TEXT, OUT_CSV, OUT_JSON };

struct opts {
	const char	*socket;
	enum output	 out;
	int		 numeric;
	int		 verbose;
	uint64_t	 min_packets;	/* clients -p */
};

struct session {
	int		 fd;
	struct imsgbuf	*ibuf;
};

static void
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: timectl [-acjnv] [-h socket] command [options]\n"
	    "  -h socket  control socket (default %s)\n"
	    "  -c         print CSV, as chronyc -c\n"
	    "  -j         print JSON\n"
	    "  -n         print addresses, not names\n"
	    "  -a         accepted and ignored, as chronyc 4\n"
	    "  -v         print the version and exit\n"
	    "  --help     print this help and exit\n"
	    "commands:\n"
	    "  tracking            the system clock's state\n"
	    "  sources [-n] [-v]   the time sources\n"
	    "  sourcestats [-n] [-v]\n"
	    "                      the sources' measurement statistics\n"
	    "  serverstats         the NTP server's counters\n"
	    "  clients [-p N]      the NTP clients (-p: with at least N "
	    "packets)\n"
	    "  makestep | step     step what is left of the correction "
	    "(root)\n", TIMED_SOCKET);
	exit(status);
}

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
			die("%s", "timeout waiting for timed");
		n = imsgbuf_read(s->ibuf);
		if (n == 0)
			die("%s", "timed closed the connection (version "
			    "mismatch?)");
		if (n == -1 && errno != EAGAIN)
			die("read: %s", strerror(errno));
	}
	if (r == -1)
		die("%s", "malformed answer from timed");
}

static void
connect_daemon(struct session *s, const char *path)
{
	struct sockaddr_un	 sun;
	struct imsg		 imsg;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    (int)sizeof(sun.sun_path))
		die("%s: path too long", path);
	if ((s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "timectl: cannot connect to %s: %s "
		    "(is timed running?)\n", path, strerror(errno));
		exit(1);
	}
	if ((s->ibuf = imsgbuf_new(s->fd)) == NULL)
		die("%s", "out of memory");
	imsg_compose_hello(s->ibuf);
	flush_all(s);
	next_imsg(s, &imsg);
	if (imsg_check_hello(&imsg) == -1)
		die("%s", "timed speaks another protocol version");
	imsg_free(&imsg);
}

static void
request(struct session *s, uint32_t type)
{
	if (imsg_compose(s->ibuf, type, 0, getpid(), -1, NULL, 0) == -1)
		die("%s", "out of memory");
	flush_all(s);
}

/* A result frame ends every command that does not answer with data. */
static int
result(const struct imsg *imsg)
{
	struct ctl_result	 r;

	if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
		die("%s", "malformed result from timed");
	if (r.code == CTL_OK) {
		printf("%s\n", fmt_result(r.code));
		return 0;
	}
	fprintf(stderr, "%s\n", fmt_result(r.code));
	return 1;
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
 * Ask for a list: rows of this type and size until IMSG_CTL_END, in a
 * growing array the caller frees.  Returns 0, or the exit status of the
 * result that came instead (printed; *rows is then NULL).
 */
static int
ask_list(struct session *s, uint32_t type, size_t size, void **rows,
    size_t *np)
{
	struct imsg	 imsg;
	uint8_t		*a = NULL, *na;
	size_t		 n = 0, cap = 0;
	int		 rc;

	request(s, type);
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

static int
cmd_tracking(struct session *s, const struct opts *o)
{
	struct rpt_tracking	 t;
	int			 rc;

	if ((rc = ask_one(s, IMSG_CTL_TRACKING, &t, sizeof(t))) != 0)
		return rc;
	terminate(t.ref_name, sizeof(t.ref_name));
	if (o->out == OUT_JSON)
		fmt_tracking_json(stdout, &t);
	else if (o->out == OUT_CSV)
		fmt_tracking_csv(stdout, &t);
	else
		fmt_tracking(stdout, &t);
	return 0;
}

static int
cmd_sources(struct session *s, const struct opts *o)
{
	struct rpt_source	*src;
	size_t			 i, n;
	int			 rc;

	if ((rc = ask_list(s, IMSG_CTL_SOURCES, sizeof(*src), (void **)&src,
	    &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		terminate(src[i].name, sizeof(src[i].name));
		terminate(src[i].address, sizeof(src[i].address));
	}
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
cmd_sourcestats(struct session *s, const struct opts *o)
{
	struct rpt_sourcestats	*st;
	size_t			 i, n;
	int			 rc;

	if ((rc = ask_list(s, IMSG_CTL_SOURCESTATS, sizeof(*st),
	    (void **)&st, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		terminate(st[i].name, sizeof(st[i].name));
		terminate(st[i].address, sizeof(st[i].address));
	}
	if (o->out == OUT_JSON)
		fmt_sourcestats_json(stdout, st, n);
	else if (o->out == OUT_CSV)
		for (i = 0; i < n; i++)
			fmt_sourcestat_csv(stdout, &st[i]);
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

	if ((rc = ask_list(s, IMSG_CTL_CLIENTS, sizeof(*c), (void **)&c,
	    &n)) != 0)
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
cmd_makestep(struct session *s, const struct opts *o)
{
	struct imsg	 imsg;
	int		 rc;

	request(s, IMSG_CTL_MAKESTEP);
	next_imsg(s, &imsg);
	if (imsg.hdr.type != IMSG_CTL_RESULT)
		die("%s", "unexpected answer from timed");
	rc = result(&imsg);
	imsg_free(&imsg);
	return rc;
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
 * Options after the command, as chronyc takes them: sources -n -v (-a
 * ignored) for any command, clients -p N and -r.
 */
static void
command_opts(int argc, char *argv[], struct opts *o)
{
	int	 clients, i;

	clients = strcmp(argv[0], "clients") == 0;
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
		else
			die("unknown option '%s'", argv[i]);
	}
}

static const struct {
	const char	*name;
	int		(*fn)(struct session *, const struct opts *);
} commands[] = {
	{ "tracking", cmd_tracking },
	{ "sources", cmd_sources },
	{ "sourcestats", cmd_sourcestats },
	{ "serverstats", cmd_serverstats },
	{ "clients", cmd_clients },
	{ "makestep", cmd_makestep },
	{ "step", cmd_makestep },
};

int
main(int argc, char *argv[])
{
	struct opts	 o = { TIMED_SOCKET, OUT_TEXT, 0, 0, 0 };
	struct session	 s;
	size_t		 i;
	int		 ch, rc;

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
		usage(stderr, 1);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		command_opts(argc, argv, &o);
		connect_daemon(&s, o.socket);
		rc = commands[i].fn(&s, &o);
		if (fflush(stdout) == EOF)
			die("stdout: %s", strerror(errno));
		imsgbuf_free(s.ibuf);
		close(s.fd);
		return rc;
	}
	fprintf(stderr, "timectl: unknown command '%s'\n", argv[0]);
	return 1;
}
