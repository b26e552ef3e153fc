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
 * The engine's channel, both transports: imsg over a socketpair (the
 * production engine) and the in-memory hand-over (regress/sim/timed-sim).
 * The same frames arrive, descriptors included, under the same limits;
 * and monitor.c, fed the same requests through either, applies and
 * refuses the same.  As regress/fuzz/fuzz_monitor.c, this file #includes
 * monitor.c, with fuzz_monitor.h's fakes of what it calls outside (the
 * virtual clock only: clock_adjtime becomes an abort).
 */

#define FAKE_CONTROL
#include "fuzz_monitor.h"
#include "monitor.c"

#include <sys/stat.h>
#include <check.h>
#include <fcntl.h>

int	fuzz_no_clock_adjtime(clockid_t, struct timex *);

int
fuzz_no_clock_adjtime(clockid_t id, struct timex *tx)
{
	(void)id;
	(void)tx;
	abort();
}

/* One channel: w writes (the engine's end), r reads (the monitor's). */
struct chan {
	int		 mem;
	int		 sv[2];
	struct imsgbuf	*w;
	struct imsgbuf	*r;
};

static void
chan_open(struct chan *c, int mem)
{
	struct imsgbuf	*end[2];

	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->sv[0] = c->sv[1] = -1;
	if (mem) {
		ck_assert_int_eq(imsgbuf_new_pair(end), 0);
		c->w = end[0];
		c->r = end[1];
		ck_assert(imsgbuf_is_mem(c->w) && imsgbuf_is_mem(c->r));
		return;
	}
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, c->sv), 0);
	ck_assert_ptr_nonnull(c->w = imsgbuf_new(c->sv[0]));
	ck_assert_ptr_nonnull(c->r = imsgbuf_new(c->sv[1]));
	ck_assert(!imsgbuf_is_mem(c->w));
}

/* What w composed, on its way: written out (a socket) or handed over. */
static void
chan_flush(struct chan *c)
{
	int	 i;

	for (i = 0; i < 1000 && imsgbuf_queued(c->w) > 0; i++)
		ck_assert_int_ne(imsgbuf_write(c->w), -1);
	ck_assert_uint_eq(imsgbuf_queued(c->w), 0);
}

static void
chan_close(struct chan *c)
{
	imsgbuf_free(c->w);
	imsgbuf_free(c->r);
	if (c->sv[0] != -1)
		close(c->sv[0]);
	if (c->sv[1] != -1)
		close(c->sv[1]);
}

/* A frame as read: what the two transports must agree on. */
struct got {
	uint32_t	type, peerid;
	size_t		len;
	uint8_t		data[IMSG_MAX_PAYLOAD];
	ino_t		ino;	/* of its descriptor, 0 if none */
};

/* Up to max frames from r, reading as a loop would. */
static int
chan_read_all(struct chan *c, struct got *g, int max)
{
	struct imsg	 imsg;
	struct stat	 st;
	ssize_t		 n;
	int		 k = 0, i, r;

	for (i = 0; i < 1000; i++) {
		n = imsgbuf_read(c->r);
		if (n == -1)
			ck_assert_int_eq(errno, EAGAIN);
		while ((r = imsg_get(c->r, &imsg)) == 1) {
			ck_assert_int_lt(k, max);
			g[k].type = imsg.hdr.type;
			g[k].peerid = imsg.hdr.peerid;
			g[k].len = imsg.datalen;
			if (imsg.datalen > 0)
				memcpy(g[k].data, imsg.data, imsg.datalen);
			g[k].ino = 0;
			if (imsg.fd != -1) {
				ck_assert_int_eq(fstat(imsg.fd, &st), 0);
				g[k].ino = st.st_ino;
				close(imsg.fd);
			}
			imsg_free(&imsg);
			k++;
		}
		ck_assert_int_eq(r, 0);
		if (n <= 0)
			break;
	}
	return k;
}

#define NFRAMES	40

/* More than the reading buffer holds, descriptors among them. */
static void
compose_some(struct imsgbuf *w, int fdsrc)
{
	uint8_t	 buf[IMSG_MAX_PAYLOAD];
	int	 i, fd;

	for (i = 0; i < NFRAMES; i++) {
		memset(buf, i, sizeof(buf));
		fd = i % 7 == 3 ? dup(fdsrc) : -1;
		ck_assert_int_eq(imsg_compose(w, 100 + i, i * 3, 1, fd, buf,
		    (size_t)(i * 997) % IMSG_MAX_PAYLOAD), 0);
	}
}

static int	 notified;

static void
count_notify(void *arg)
{
	(void)arg;
	notified++;
}

START_TEST(test_same_frames)
{
	static struct got	 g[2][NFRAMES];
	struct chan		 c;
	int			 fdsrc, t, n[2], i;

	ck_assert_int_ne(fdsrc = open("/dev/null", O_RDONLY | O_CLOEXEC), -1);
	for (t = 0; t < 2; t++) {
		chan_open(&c, t);
		notified = 0;
		imsgbuf_set_notify(c.r, count_notify, NULL);
		compose_some(c.w, fdsrc);
		/* in memory, the reader is told of each hand-over */
		ck_assert_int_eq(notified, t ? NFRAMES : 0);
		/* socket: interleave writes and reads, as two loops do */
		n[t] = 0;
		for (i = 0; i < 100 && n[t] < NFRAMES; i++) {
			if (!t && imsgbuf_queued(c.w) > 0)
				ck_assert_int_ne(imsgbuf_write(c.w), -1);
			n[t] += chan_read_all(&c, g[t] + n[t], NFRAMES - n[t]);
		}
		chan_close(&c);
	}
	ck_assert_int_eq(n[0], NFRAMES);
	ck_assert_int_eq(n[1], NFRAMES);
	for (i = 0; i < NFRAMES; i++) {
		ck_assert_uint_eq(g[0][i].type, g[1][i].type);
		ck_assert_uint_eq(g[0][i].peerid, g[1][i].peerid);
		ck_assert_uint_eq(g[0][i].len, g[1][i].len);
		ck_assert_mem_eq(g[0][i].data, g[1][i].data, g[0][i].len);
		ck_assert_uint_eq(g[0][i].ino, g[1][i].ino);
		ck_assert((g[0][i].ino != 0) == (i % 7 == 3));
	}
	close(fdsrc);
}
END_TEST

/* The writer gone: end of file, once what it sent is read. */
START_TEST(test_mem_eof)
{
	struct got	 g[1];
	struct chan	 c;
	struct imsgbuf	*end[2];

	chan_open(&c, 1);
	ck_assert_int_eq(imsg_compose(c.w, 7, 1, 1, -1, "x", 1), 0);
	notified = 0;
	imsgbuf_set_notify(c.r, count_notify, NULL);
	imsgbuf_free(c.w);
	ck_assert_int_eq(notified, 1);
	ck_assert_int_eq(chan_read_all(&c, g, 1), 1);
	ck_assert_uint_eq(g[0].type, 7);
	ck_assert_int_eq(imsgbuf_read(c.r), 0);
	imsgbuf_free(c.r);
	/* and the other way: composing to a freed end fails, EPIPE */
	ck_assert_int_eq(imsgbuf_new_pair(end), 0);
	imsgbuf_free(end[1]);
	ck_assert_int_eq(imsg_compose(end[0], 7, 1, 1, -1, NULL, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	imsgbuf_free(end[0]);
}
END_TEST

/*
 * More than one read takes: the reader, which reads once a wake-up (as
 * the monitor and the engine do), is woken again for the rest.
 */
START_TEST(test_mem_renotify)
{
	uint8_t		 buf[IMSG_MAX_PAYLOAD] = { 0 };
	struct imsg	 imsg;
	struct chan	 c;
	int		 i, got = 0, rounds = 0;

	chan_open(&c, 1);
	for (i = 0; i < 8; i++)		/* 128 kB, 4 read buffers */
		ck_assert_int_eq(imsg_compose(c.w, 7, i, 1, -1, buf,
		    sizeof(buf)), 0);
	imsgbuf_set_notify(c.r, count_notify, NULL);
	notified = 1;			/* the compose's wake-ups, as one */
	while (notified > 0 && rounds < 100) {
		notified = 0;
		rounds++;
		ck_assert_int_gt(imsgbuf_read(c.r), 0);
		while (imsg_get(c.r, &imsg) == 1) {
			ck_assert_uint_eq(imsg.hdr.peerid, got);
			got++;
			imsg_free(&imsg);
		}
	}
	ck_assert_int_eq(got, 8);
	ck_assert_int_gt(rounds, 1);
	chan_close(&c);
}
END_TEST

/* A reader that does not read: the same bound, IMSG_MAX_QUEUED. */
START_TEST(test_same_limit)
{
	uint8_t		 buf[IMSG_MAX_PAYLOAD] = { 0 };
	struct chan	 c;
	size_t		 total[2];
	int		 t, i;

	for (t = 0; t < 2; t++) {
		chan_open(&c, t);
		total[t] = 0;
		for (i = 0; i < 1000; i++) {
			if (imsg_compose(c.w, 7, 0, 1, -1, buf,
			    sizeof(buf)) == -1)
				break;
			total[t] += IMSG_MAX_FRAME;
		}
		ck_assert_int_eq(errno, ENOBUFS);
		/* a socket's buffer takes some; the queue the rest */
		ck_assert_uint_le(total[t], IMSG_MAX_QUEUED + (t ? 0 :
		    8 * 1024 * 1024));
		ck_assert_uint_ge(total[t], IMSG_MAX_QUEUED -
		    IMSG_MAX_FRAME);
		chan_close(&c);
	}
}
END_TEST

/*
 * monitor.c through either transport: the engine's hello, then clock
 * requests in and out of lib/lim.c's limits.
 */
struct outcome {
	uint32_t	refused;
	double		freq_ppm;
	double		slew_left_s;
	int		abusive;	/* the channel was closed */
	uint32_t	updates;	/* counted toward makestep's limit */
	int		provisional;
	int64_t		stepped_ns;
};

static void
req(struct imsgbuf *w, uint32_t type, const void *data, size_t len)
{
	ck_assert_int_eq(imsg_compose(w, type, 0, 1, -1, data, len), 0);
}

static void
run_monitor(int mem, int bad_frame, struct outcome *o)
{
	static struct monitor	 mon;
	struct imsg_hello	 hello = { IMSG_VERSION, IMSG_MAGIC };
	struct req_freq		 f;
	struct req_offset	 sl;
	struct req_step		 st;
	struct req_leap		 lp;
	struct chan		 c;
	struct clock_state	 cs;
	int			 i;

	memset(&mon, 0, sizeof(mon));
	ck_assert_ptr_nonnull(mon.conf = conf_new());
	ck_assert_ptr_nonnull(mon.base = event_base_new());
	ck_assert_ptr_nonnull(mon.ev_engine = event_new(mon.base, -1, 0,
	    NULL, NULL));
	ck_assert_ptr_nonnull(mon.ev_slew = evtimer_new(mon.base, slew_cb,
	    &mon));
	mon.crash = crash_new();
	mon.keys_fd = -1;
	mon.engine_pid = 4194304;	/* above pid_max: fake_kill only */
	mon.lim.maxslewrate_ppm = 83333.333;
	mon.lim.maxdrift_ppm = LIM_MAXDRIFT_PPM;
	ck_assert_ptr_nonnull(mon.clock = clock_new_virtual(fake_now_ns, 0.0,
	    0.0));
	chan_open(&c, mem);
	mon.engine = c.r;
	c.r = NULL;		/* the monitor's now: it closes it */
	if (!mem)
		c.sv[1] = -1;	/* engine_close() closes it too */
	memset(&f, 0, sizeof(f));
	memset(&sl, 0, sizeof(sl));
	memset(&st, 0, sizeof(st));
	memset(&lp, 0, sizeof(lp));
	mon.lim.makestep_set = 1;		/* makestep 1 1 */
	mon.lim.makestep_threshold_s = 1.0;
	mon.lim.makestep_limit = 1;
	req(c.w, IMSG_HELLO, &hello, sizeof(hello));
	st.offset_s = -5.0;
	st.provisional = 1;
	req(c.w, IMSG_STEP, &st, sizeof(st));		/* taken, not counted */
	f.freq_ppm = 12.5;
	f.skew_ppm = 0.1;
	req(c.w, IMSG_ADJ_FREQ, &f, sizeof(f));		/* taken */
	f.freq_ppm = 150000.0;
	req(c.w, IMSG_ADJ_FREQ, &f, sizeof(f));		/* beyond the range */
	sl.offset_s = 0.001;
	sl.rate_ppm = 500.0;
	req(c.w, IMSG_ADJ_OFFSET, &sl, sizeof(sl));	/* taken */
	sl.offset_s = 0.001;
	sl.rate_ppm = 1e6;
	req(c.w, IMSG_ADJ_OFFSET, &sl, sizeof(sl));	/* beyond maxslewrate */
	st.offset_s = 5.0;
	req(c.w, IMSG_STEP, &st, sizeof(st));		/* after an update */
	lp.leap = 7;
	req(c.w, IMSG_SET_LEAP, &lp, sizeof(lp));	/* no such status */
	if (bad_frame)					/* a short request */
		req(c.w, IMSG_ADJ_FREQ, &f, sizeof(f) - 1);
	chan_flush(&c);
	for (i = 0; i < 8 && mon.engine != NULL; i++)
		engine_event(imsgbuf_fd(mon.engine), EV_READ, &mon);
	o->refused = mon.refused;
	o->updates = mon.limst.updates;
	o->provisional = mon.limst.provisional;
	o->stepped_ns = mon.limst.last_step_ns;
	clock_state(mon.clock, fake_now_ns, &cs);
	o->freq_ppm = cs.freq_ppm;
	o->slew_left_s = cs.slew_left_s;
	o->abusive = mon.engine == NULL;
	if (mon.engine != NULL)
		engine_close(&mon);
	chan_close(&c);
	clock_free(mon.clock);
	crash_free(mon.crash);
	event_free(mon.ev_slew);
	event_free(mon.ev_engine);
	event_base_free(mon.base);
	conf_free(mon.conf);
}

START_TEST(test_monitor_same_checks)
{
	struct outcome	 o[2];
	int		 t, bad;

	for (bad = 0; bad < 2; bad++) {
		for (t = 0; t < 2; t++)
			run_monitor(t, bad, &o[t]);
		ck_assert_uint_eq(o[0].refused, 4);
		ck_assert_uint_eq(o[1].refused, o[0].refused);
		ck_assert_double_eq_tol(o[0].freq_ppm, 12.5, 1e-9);
		ck_assert_double_eq_tol(o[1].freq_ppm, o[0].freq_ppm, 1e-12);
		ck_assert_double_eq_tol(o[1].slew_left_s, o[0].slew_left_s,
		    1e-12);
		ck_assert(o[0].slew_left_s > 0.0);
		/* the provisional step, then the slew: one update counted */
		for (t = 0; t < 2; t++) {
			ck_assert_uint_eq(o[t].updates, 1);
			ck_assert_int_eq(o[t].provisional, 1);
			ck_assert_int_ne(o[t].stepped_ns, 0);
		}
		/* a malformed request: the engine is cut off, either way */
		ck_assert_int_eq(o[0].abusive, bad);
		ck_assert_int_eq(o[1].abusive, bad);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("chan");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	signal(SIGPIPE, SIG_IGN);
	tcase_add_test(tc, test_same_frames);
	tcase_add_test(tc, test_mem_eof);
	tcase_add_test(tc, test_mem_renotify);
	tcase_add_test(tc, test_same_limit);
	tcase_add_test(tc, test_monitor_same_checks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
