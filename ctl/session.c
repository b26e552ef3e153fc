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
 * timectl's connection to the monitor: the hello, then one request at a
 * time and its answer, a frame, a list of rows or a result.
 */

#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "fmt.h"
#include "sock.h"

#define TIMEOUT_MS	10000
#define MAX_ROWS	(16 * 1024 * 1024)	/* clients of a busy server */

void
sess_die(const char *fmt, const char *arg)
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
			sess_die("%s", "timeout talking to timed");
	if (r == -1)
		sess_die("cannot talk to timed: %s", strerror(errno));
}

void
sess_next(struct session *s, struct imsg *imsg)
{
	struct pollfd	 pfd = { s->fd, POLLIN, 0 };
	ssize_t		 n;
	int		 r;

	while ((r = imsg_get(s->ibuf, imsg)) == 0) {
		if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
			sess_die("%s", "no answer from timed within 10 s (a "
			    "hung network engine is restarted by timed: try "
			    "again)");
		n = imsgbuf_read(s->ibuf);
		if (n == 0 && !s->greeted)
			sess_die("%s", "timed closed the connection at once: "
			    "too many connections of this user, or timed "
			    "speaks another protocol version");
		if (n == 0)
			sess_die("%s", "timed closed the connection");
		if (n == -1 && errno != EAGAIN)
			sess_die("read: %s", strerror(errno));
	}
	if (r == -1)
		sess_die("%s", "malformed answer from timed");
}

/*
 * A daemon in clknetsim (timed-sim, timed.8): its UNIX sockets are
 * clknetsim's, named /clknetsim/unix/NODE:PORT, and datagram ones; the
 * frames are the same, one or more a datagram.
 */
int
sess_simulated(const char *path)
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

int
sess_open(struct session *s, const char *path)
{
	struct sockaddr_un	 sun;
	struct imsg		 imsg;
	int			 sim = sess_simulated(path);

	s->greeted = 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    (int)sizeof(sun.sun_path))
		sess_die("%s: path too long", path);
	if ((s->fd = sock_open(AF_UNIX, sim ? SOCK_DGRAM : SOCK_STREAM)) ==
	    -1)
		sess_die("socket: %s", strerror(errno));
	if ((sim && bind_sim(s->fd) == -1) ||
	    connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "timectl: cannot connect to %s: %s "
		    "(is timed running?)\n", path, strerror(errno));
		close(s->fd);
		return -1;
	}
	if ((s->ibuf = imsgbuf_new(s->fd)) == NULL)
		sess_die("%s", "out of memory");
	imsg_compose_hello(s->ibuf);
	flush_all(s);
	sess_next(s, &imsg);
	if (imsg_check_hello(&imsg) == -1)
		sess_die("%s", "timed speaks another protocol version");
	imsg_free(&imsg);
	s->greeted = 1;
	return 0;
}

void
sess_close(struct session *s)
{
	imsgbuf_free(s->ibuf);
	close(s->fd);
}

static void
request(struct session *s, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(s->ibuf, type, 0, getpid(), -1, data, len) == -1)
		sess_die("%s", "out of memory");
	flush_all(s);
}

/* The code of a result frame; a malformed one is the end. */
static int
result_code(const struct imsg *imsg)
{
	struct ctl_result	 r;

	if (imsg_get_data(imsg, &r, sizeof(r)) == -1)
		sess_die("%s", "malformed result from timed");
	return r.code;
}

int
sess_status(int code, int data)
{
	printf("%s\n", fmt_result(code));
	return code == CTL_OK && !data ? 0 : 1;
}

int
sess_ask_one(struct session *s, uint32_t type, const void *req,
    size_t reqlen, void *buf, size_t size)
{
	struct imsg	 imsg;
	int		 code;

	request(s, type, req, reqlen);
	sess_next(s, &imsg);
	if (imsg.hdr.type == IMSG_CTL_RESULT) {
		code = result_code(&imsg);
		imsg_free(&imsg);
		return code == 0 ? CTL_UNEXPECTED : code;
	}
	if (imsg.hdr.type != type || imsg_get_data(&imsg, buf, size) == -1)
		sess_die("%s", "unexpected answer from timed");
	imsg_free(&imsg);
	return 0;
}

int
sess_ask_list(struct session *s, uint32_t type, const void *req,
    size_t reqlen, size_t size, void **rows, size_t *np)
{
	struct imsg	 imsg;
	uint8_t		*a = NULL, *na;
	size_t		 n = 0, cap = 0;
	int		 code;

	request(s, type, req, reqlen);
	for (;;) {
		sess_next(s, &imsg);
		if (imsg.hdr.type == IMSG_CTL_END)
			break;
		if (imsg.hdr.type == IMSG_CTL_RESULT) {
			code = result_code(&imsg);
			imsg_free(&imsg);
			free(a);
			*rows = NULL;
			return code == 0 ? CTL_UNEXPECTED : code;
		}
		if (n == cap) {
			if (cap > MAX_ROWS / 2)
				sess_die("%s", "too many rows from timed");
			cap = cap == 0 ? 64 : cap * 2;
			if ((na = realloc(a, cap * size)) == NULL)
				sess_die("%s", "out of memory");
			a = na;
		}
		if (imsg.hdr.type != type ||
		    imsg_get_data(&imsg, a + n * size, size) == -1)
			sess_die("%s", "unexpected answer from timed");
		imsg_free(&imsg);
		n++;
	}
	imsg_free(&imsg);
	*rows = a;
	*np = n;
	return 0;
}

int
sess_ask_code(struct session *s, uint32_t type, const void *req,
    size_t reqlen)
{
	struct imsg	 imsg;
	int		 code;

	request(s, type, req, reqlen);
	sess_next(s, &imsg);
	if (imsg.hdr.type != IMSG_CTL_RESULT)
		sess_die("%s", "unexpected answer from timed");
	code = result_code(&imsg);
	imsg_free(&imsg);
	return code;
}
