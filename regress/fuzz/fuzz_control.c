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
 * libFuzzer target: the control protocol from the monitor's side, what
 * monitor/control.c does with timectl's frames and with the engine's
 * answers it relays.  As chrony's unit tests do, this file #includes
 * control.c; fuzz_monitor.h fakes the rest of the monitor (an engine
 * that queues requests), libevent (the harness calls the callbacks) and
 * the log.  Connections are real: accepted from an abstract UNIX
 * socket, so SO_PEERCRED and the frames go through the kernel and
 * lib/imsg.c.  The input:
 *
 *	byte 0		bit 0-1: the peers' uid (root, nobody, 1000,
 *			root); bit 2: the engine is down; bit 3:
 *			monitor_makestep fails; bit 4-5: what
 *			monitor_reload_sources returns (0, 200, 500, 504)
 *	then ops	one byte each, bits 0-2 the op, bits 3-4 the
 *			connection (of at most 4)
 *	  0 SEND n bytes	timectl writes n (a byte) bytes of
 *				frames, the monitor reads
 *	  1 ANSWER		the engine answers its oldest request as
 *				it should (rows from the input, then END)
 *	  2 FRAME		the engine sends any frame: type, peerid,
 *				length and bytes from the input
 *	  3 DOWN / 4 UP		the engine dies / a new one is ready
 *	  5 WRITE		the monitor writes, timectl reads it all
 *	  6 IDLE		the connection's idle timer fires
 *	  7 CONNECT		a new connection (the first op makes one)
 *
 * Checks: no crash, leak or fatal; what the monitor sends timectl is
 * imsg frames (hello, results, the relayed answers) and nothing else;
 * a well-behaved engine (no FRAME op) is never called abusive, whatever
 * timectl sends (issue 18, defect 1: the `pipelined` seed failed before
 * that fix).
 *
 *	see Makefile.am (regress/fuzz/fuzz_control) for the build
 *	./fuzz_control /tmp/scratch_corpus regress/fuzz/corpus/control
 */

#define FAKE_MONITOR
#include "fuzz_monitor.h"
#include "control.c"

#include <sys/socket.h>
#include <sys/un.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_CONNS	4

static struct monitor		 mon;
static struct control		*ctl;
static struct sockaddr_un	 sun;
static socklen_t		 sunlen;

/* The harness's side of each connection. */
static struct {
	int		 fd;		/* timectl's end, -1: none */
	struct ctl_conn	*c;	/* the monitor's, NULL: closed */
	struct imsgbuf	*ib;	/* timectl reading its answers */
} peers[MAX_CONNS];

struct input {
	const uint8_t	*p;
	size_t		 n;
};

static int
take(struct input *in)
{
	if (in->n == 0)
		return -1;
	in->n--;
	return *in->p++;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int		 fd;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* abstract: nothing in the file system */
	sunlen = offsetof(struct sockaddr_un, sun_path) + 1 +
	    snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "timed-fuzz-control-%d", (int)getpid());
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sunlen) == -1 ||
	    listen(fd, 16) == -1)
		abort();
	if ((mon.base = event_base_new()) == NULL ||
	    (ctl = calloc(1, sizeof(*ctl))) == NULL)
		abort();
	ctl->fd = fd;
	TAILQ_INIT(&ctl->conns);
	control_start(ctl, &mon);
	fake_control = ctl;
	return 0;
}

/* The connection of peer i, if the monitor still has it. */
static struct ctl_conn *
conn_of(int i)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (c == peers[i].c)
			return c;
	peers[i].c = NULL;
	return NULL;
}

static void
op_connect(int i, uid_t uid)
{
	struct ctl_conn	*c;
	uint32_t	 id = ctl->next_id;
	int		 fd;

	if (peers[i].fd != -1)
		return;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		abort();
	if (connect(fd, (struct sockaddr *)&sun, sunlen) == -1) {
		close(fd);
		return;
	}
	accept_cb(ctl->fd, EV_READ, ctl);
	peers[i].fd = fd;
	if ((peers[i].ib = imsgbuf_new(fd)) == NULL)
		abort();
	TAILQ_FOREACH(c, &ctl->conns, entry)
		if (c->id != id && c->id == ctl->next_id) {
			c->uid = uid;	/* as if that user connected */
			peers[i].c = c;
		}
}

static void
op_send(int i, struct input *in)
{
	struct ctl_conn	*c;
	size_t		 n;
	int		 len;

	if ((len = take(in)) == -1)
		return;
	n = (size_t)len < in->n ? (size_t)len : in->n;
	if (peers[i].fd != -1 && n > 0 && write(peers[i].fd, in->p, n) == -1)
		n = 0;
	in->p += n;
	in->n -= n;
	if ((c = conn_of(i)) != NULL)
		conn_event(imsgbuf_fd(c->ibuf), EV_READ, c);
}

/* timectl reads what the monitor sent: frames it knows, nothing else. */
static void
op_write(int i)
{
	struct ctl_conn	*c;
	struct imsg	 imsg;
	int		 r;

	if ((c = conn_of(i)) != NULL)
		conn_event(imsgbuf_fd(c->ibuf), EV_WRITE, c);
	if (peers[i].fd == -1)
		return;
	imsgbuf_read(peers[i].ib);
	while ((r = imsg_get(peers[i].ib, &imsg)) == 1) {
		if (imsg.hdr.type != IMSG_HELLO &&
		    (imsg.hdr.type < IMSG_CTL_TRACKING ||
		    imsg.hdr.type > IMSG_CTL_SMOOTH_ACTIVATE))
			abort();
		imsg_free(&imsg);
	}
	if (r == -1)
		abort();
}

/*
 * The size of an answer row of the request type t; 0: a result.  As the
 * monitor checks it (control.c's record_size and answer_size).
 */
static size_t
row_size(uint32_t t, int *list)
{
	*list = record_size(t) != 0;
	return *list ? record_size(t) : answer_size(t);
}

/* One frame from the engine, its payload on the heap at its exact size. */
static void
from_engine(uint32_t type, uint32_t peerid, struct input *in, size_t len)
{
	struct imsg	 imsg;

	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.type = type;
	imsg.hdr.peerid = peerid;
	imsg.hdr.len = IMSG_HDR_SIZE + len;
	imsg.fd = -1;
	imsg.datalen = len;
	if (len > 0) {
		if ((imsg.data = calloc(1, len)) == NULL)
			abort();
		memcpy(imsg.data, in->p, len < in->n ? len : in->n);
		if (len < in->n) {
			in->p += len;
			in->n -= len;
		} else {
			in->p += in->n;
			in->n = 0;
		}
	}
	control_from_engine(ctl, &imsg);
	free(imsg.data);
}

static void
op_answer(struct input *in)
{
	struct fake_request	 r;
	struct ctl_result	 res = { CTL_OK };
	size_t			 size;
	int			 list, rows, k;

	if (fake_engine.n == 0)
		return;
	r = fake_engine.q[0];
	memmove(&fake_engine.q[0], &fake_engine.q[1],
	    --fake_engine.n * sizeof(fake_engine.q[0]));
	size = row_size(r.type, &list);
	if (size == 0) {
		if ((k = take(in)) != -1 && k >= 0x80)
			res.code = CTL_FAILED + (k & 7);
		from_engine(IMSG_CTL_RESULT, r.peerid,
		    &(struct input){ (const uint8_t *)&res, sizeof(res) },
		    sizeof(res));
		return;
	}
	if (!list) {
		from_engine(r.type, r.peerid, in, size);
		return;
	}
	rows = (k = take(in)) == -1 ? 0 : k % 4;
	for (k = 0; k < rows && fake_engine.up; k++)
		from_engine(r.type, r.peerid, in, size);
	if (fake_engine.up)
		from_engine(IMSG_CTL_END, r.peerid, in, 0);
}

static void
op_frame(struct input *in)
{
	int	 type, peer, lo, hi;

	if ((type = take(in)) == -1 || (peer = take(in)) == -1 ||
	    (lo = take(in)) == -1 || (hi = take(in)) == -1)
		return;
	from_engine(IMSG_CTL_TRACKING + (type & 0x1f), peer % 8,
	    in, ((size_t)hi << 8 | (size_t)lo) % 4096);
}

static void
reset(uint8_t setup)
{
	static const int	 reload[] = { 0, CTL_OK, CTL_FAILED,
	    CTL_UNAVAIL };
	int			 i;

	memset(&fake_engine, 0, sizeof(fake_engine));
	fake_engine.up = !(setup & 4);
	fake_engine.makestep_fails = (setup & 8) != 0;
	fake_engine.reload_rc = reload[(setup >> 4) & 3];
	memset(&mon.lim, 0, sizeof(mon.lim));
	memset(&mon.limst, 0, sizeof(mon.limst));
	mon.lim.maxslewrate_ppm = 83333.333;
	mon.lim.maxdrift_ppm = LIM_MAXDRIFT_PPM;
	ctl->requests = ctl->refused = 0;
	for (i = 0; i < MAX_CONNS; i++) {
		peers[i].fd = -1;
		peers[i].c = NULL;
		peers[i].ib = NULL;
	}
}

static void
cleanup(void)
{
	int	 i;

	while (!TAILQ_EMPTY(&ctl->conns))
		conn_close(TAILQ_FIRST(&ctl->conns));
	for (i = 0; i < MAX_CONNS; i++) {
		if (peers[i].ib != NULL)
			imsgbuf_free(peers[i].ib);
		if (peers[i].fd != -1)
			close(peers[i].fd);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uid_t	 uids[] = { 0, 65534, 1000, 0 };
	struct input		 in = { data, size };
	struct ctl_conn		*c;
	int			 setup, op, i, frames = 0;

	if ((setup = take(&in)) == -1)
		return 0;
	reset((uint8_t)setup);
	op_connect(0, uids[setup & 3]);
	while ((op = take(&in)) != -1) {
		i = (op >> 3) & (MAX_CONNS - 1);
		switch (op & 7) {
		case 0:
			op_send(i, &in);
			break;
		case 1:
			op_answer(&in);
			break;
		case 2:
			frames++;
			op_frame(&in);
			break;
		case 3:
			fake_engine.up = 0;
			fake_engine.n = 0;
			control_engine_gone(ctl, 1);
			break;
		case 4:
			fake_engine.up = 1;
			break;
		case 5:
			op_write(i);
			break;
		case 6:
			if ((c = conn_of(i)) != NULL)
				conn_idle(-1, EV_TIMEOUT, c);
			break;
		case 7:
			op_connect(i, uids[setup & 3]);
			break;
		}
		if (frames == 0 && fake_engine.abused > 0)
			abort();	/* a client cost the engine its life */
	}
	for (i = 0; i < MAX_CONNS; i++)
		op_write(i);
	cleanup();
	return 0;
}
