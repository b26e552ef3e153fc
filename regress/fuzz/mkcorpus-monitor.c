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
 * Writes the seed corpora of fuzz_control (timectl's requests in the
 * harness's ops) and fuzz_monitor (an engine's frames).  Run from the
 * top of the tree:
 *
 *	cc -iquote lib regress/fuzz/mkcorpus-monitor.c lib/imsg.c \
 *	    -o /tmp/mkcorpus-monitor
 *	/tmp/mkcorpus-monitor regress/fuzz/corpus
 */

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "imsg.h"
#include "logfmt.h"
#include "nts_dump.h"
#include "proto.h"

static struct imsgbuf	*ib;
static int		 sv[2];
static uint8_t		 out[65536];
static size_t		 nout;
static const char	*top;

static void
frame(uint32_t type, uint32_t peerid, const void *p, size_t n)
{
	if (imsg_compose(ib, type, peerid, 1, -1, p, n) == -1 ||
	    imsgbuf_write(ib) != 0)
		exit(1);
}

static void
byte(int b)
{
	out[nout++] = (uint8_t)b;
}

/* What was framed: raw for fuzz_monitor, or SEND ops for connection i. */
static void
flush_frames(int send_to)
{
	uint8_t	 buf[65536];
	ssize_t	 n, i, k;

	if ((n = read(sv[1], buf, sizeof(buf))) <= 0)
		return;
	if (send_to < 0) {
		memcpy(out + nout, buf, n);
		nout += n;
		return;
	}
	for (i = 0; i < n; i += k) {
		k = n - i < 255 ? n - i : 255;
		byte(0 | send_to << 3);
		byte((int)k);
		memcpy(out + nout, buf + i, k);
		nout += k;
	}
}

static void
put(const char *dir, const char *name)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s/%s", top, dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(out, 1, nout, f) != nout || fclose(f) != 0)
		exit(1);
	nout = 0;
}

/* fuzz_control: hello, one request, its answer, the monitor writes. */
static void
control_one(const char *name, int setup, uint32_t type, const void *p,
    size_t n, int rows)
{
	byte(setup);
	imsg_compose_hello(ib);
	frame(type, 0, p, n);
	flush_frames(0);
	byte(1);		/* ANSWER */
	byte(rows);
	memset(out + nout, 0, 1024);
	nout += 1024;
	byte(5);		/* WRITE */
	put("control", name);
}

static void
control_seeds(void)
{
	struct ctl_select	 sel;
	struct ctl_burst	 b;
	struct ctl_makestep	 m;

	memset(&sel, 0, sizeof(sel));
	memset(&b, 0, sizeof(b));
	b.good = 2;
	b.max = 4;
	memset(&m, 0, sizeof(m));
	m.threshold_s = 0.1;
	m.limit = 3;
	control_one("tracking", 0, IMSG_CTL_TRACKING, NULL, 0, 0);
	control_one("sources", 0, IMSG_CTL_SOURCES, NULL, 0, 2);
	control_one("clients", 1, IMSG_CTL_CLIENTS, NULL, 0, 3);
	control_one("ntpdata", 0, IMSG_CTL_NTPDATA, &sel, sizeof(sel), 1);
	control_one("online", 0, IMSG_CTL_ONLINE, &sel, sizeof(sel), 0);
	control_one("offline-nobody", 1, IMSG_CTL_OFFLINE, &sel, sizeof(sel),
	    0);
	control_one("burst", 0, IMSG_CTL_BURST, &b, sizeof(b), 0);
	control_one("makestep", 0, IMSG_CTL_MAKESTEP, NULL, 0, 0);
	control_one("setmakestep", 0, IMSG_CTL_SET_MAKESTEP, &m, sizeof(m),
	    0);
	control_one("reload", 0, IMSG_CTL_RELOAD_SOURCES, NULL, 0, 0);
	control_one("serverstats-down", 4, IMSG_CTL_SERVERSTATS, NULL, 0, 0);

	/* issue 18, defect 1: a second request before the first answer */
	byte(0);
	imsg_compose_hello(ib);
	frame(IMSG_CTL_TRACKING, 0, NULL, 0);
	frame(IMSG_CTL_TRACKING, 0, NULL, 0);
	flush_frames(0);
	byte(1);
	memset(out + nout, 0, 400);
	nout += 400;
	byte(5);
	put("control", "pipelined");

	/* two connections, answers interleaved */
	byte(0);
	byte(7 | 1 << 3);	/* CONNECT 1 */
	imsg_compose_hello(ib);
	frame(IMSG_CTL_SOURCES, 0, NULL, 0);
	flush_frames(0);
	imsg_compose_hello(ib);
	frame(IMSG_CTL_ACTIVITY, 0, NULL, 0);
	flush_frames(1);
	byte(1);
	byte(1);
	memset(out + nout, 0, 700);
	nout += 700;
	byte(1);
	memset(out + nout, 0, 100);
	nout += 100;
	byte(5);
	byte(5 | 1 << 3);
	put("control", "two-connections");
}

static void
monitor_seeds(void)
{
	struct log_msg		 lm;
	struct req_freq		 f = { 0 };
	struct req_offset	 o = { 0 };
	struct req_step		 s = { 0 };
	struct req_leap		 l = { 0 };
	struct req_sync		 y = { 0 };
	struct log_tracking	 t;
	struct log_refclock	 rc;
	struct nts_dump		 d;
	struct rpt_tracking	 rt;
	static const char	 keys[] = "timed-nts-keys 1\nkey 00000001 "
	    "33333333333333333333333333333333"
	    "33333333333333333333333333333333\n";

	/* selector: bit 0 the engine said hello already */
	byte(0);
	imsg_compose_hello(ib);
	memset(&lm, 0, sizeof(lm));
	lm.priority = LOG_INFO;
	strcpy(lm.text, "source 192.0.2.1: online");
	frame(IMSG_LOG, 0, &lm, sizeof(lm));
	f.freq_ppm = 12.5;
	f.skew_ppm = 0.5;
	frame(IMSG_ADJ_FREQ, 0, &f, sizeof(f));
	o.offset_s = 0.001;
	o.rate_ppm = 500;
	frame(IMSG_ADJ_OFFSET, 0, &o, sizeof(o));
	y.synced = 1;
	y.est_error_s = 0.001;
	y.max_error_s = 0.01;
	frame(IMSG_SET_SYNC, 0, &y, sizeof(y));
	flush_frames(-1);
	put("monitor", "hello-log-freq-slew-sync");

	byte(1);
	s.offset_s = 2.5;
	frame(IMSG_STEP, 0, &s, sizeof(s));
	l.leap = 1;
	frame(IMSG_SET_LEAP, 0, &l, sizeof(l));
	frame(IMSG_EXIT, 0, NULL, 0);
	flush_frames(-1);
	put("monitor", "step-leap-exit");

	byte(1 | 0x1c);		/* every log file enabled */
	/* a raw and a filtered refclock sample, before the refused record */
	memset(&rc, 0, sizeof(rc));
	strcpy(rc.refid, "PHC0");
	frame(IMSG_LOG_REFCLOCK, 0, &rc, sizeof(rc));
	rc.dpoll = rc.pps = -1;
	frame(IMSG_LOG_REFCLOCK, 0, &rc, sizeof(rc));
	memset(&t, 0, sizeof(t));
	frame(IMSG_LOG_TRACKING, 0, &t, sizeof(t));
	flush_frames(-1);
	put("monitor", "logrec");

	byte(1 | 0x20);		/* server with certificates */
	frame(IMSG_NTS_KEYS_SAVE, 0, keys, sizeof(keys) - 1);
	flush_frames(-1);
	put("monitor", "ntskeys");

	byte(1);
	memset(&d, 0, sizeof(d));
	strcpy(d.name, "nts.example");
	frame(IMSG_NTS_CLIENT_DUMP, 0, &d, sizeof(d));
	flush_frames(-1);
	put("monitor", "ntsdump");

	byte(1);
	memset(&rt, 0, sizeof(rt));
	frame(IMSG_CTL_TRACKING, 1, &rt, sizeof(rt));
	frame(IMSG_CTL_END, 1, NULL, 0);
	flush_frames(-1);
	put("monitor", "control-answers");

	byte(1 | 0x02);		/* oneshot */
	{
		struct oneshot_result	 r = { 0 };

		r.ok = 1;
		r.offset_s = 0.25;
		frame(IMSG_ONESHOT, 0, &r, sizeof(r));
	}
	flush_frames(-1);
	put("monitor", "oneshot");
}

int
main(int argc, char *argv[])
{
	if (argc != 2)
		return 2;
	top = argv[1];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    (ib = imsgbuf_new(sv[0])) == NULL)
		return 1;
	control_seeds();
	monitor_seeds();
	return 0;
}
