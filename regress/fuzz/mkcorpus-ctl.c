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
 * Writes the seed corpus of fuzz_ctl: for each of its command lines, a
 * selector byte (hello first) and the frames a monitor answers with.
 * Run from the top of the tree:
 *
 *	cc -iquote lib regress/fuzz/mkcorpus-ctl.c lib/imsg.c \
 *	    -o /tmp/mkcorpus-ctl
 *	/tmp/mkcorpus-ctl regress/fuzz/corpus/ctl
 */

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "proto.h"

static struct imsgbuf	*ib;
static int		 sv[2];

static void
frame(uint32_t type, const void *p, size_t n)
{
	if (imsg_compose(ib, type, 0, 1, -1, p, n) == -1 ||
	    imsgbuf_write(ib) != 0)
		exit(1);
}

static void
result(int32_t code)
{
	struct ctl_result	 r = { code };

	frame(IMSG_CTL_RESULT, &r, sizeof(r));
}

/* Write the selector and what was framed since the last call. */
static void
put(const char *dir, const char *name, int sel)
{
	char	 path[512], buf[65536];
	ssize_t	 n;
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		exit(1);
	fputc(sel | 0x80, f);
	if ((n = read(sv[1], buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, f);
	if (fclose(f) != 0)
		exit(1);
}

static void
tracking(void)
{
	struct rpt_tracking	 t;

	memset(&t, 0, sizeof(t));
	t.ref_id = 0x7f000001;
	strcpy(t.ref_name, "127.0.0.1");
	t.stratum = 2;
	t.ref_time = 1.7e9;
	t.system_time_offset_s = 1e-6;
	t.freq_ppm = -12.5;
	t.skew_ppm = 0.1;
	t.root_delay_s = 0.002;
	t.update_interval_s = 64;
	frame(IMSG_CTL_TRACKING, &t, sizeof(t));
}

static void
sources(void)
{
	struct rpt_source	 s;

	memset(&s, 0, sizeof(s));
	s.state = '*';
	strcpy(s.name, "ntp.example");
	strcpy(s.address, "192.0.2.1");
	s.port = 123;
	s.stratum = 1;
	s.poll = 6;
	s.reach = 0377;
	s.last_rx_s = 12;
	s.offset_s = 1e-5;
	frame(IMSG_CTL_SOURCES, &s, sizeof(s));
	s.state = '?';
	s.last_rx_s = -1;
	s.nts = 1;
	frame(IMSG_CTL_SOURCES, &s, sizeof(s));
	frame(IMSG_CTL_END, NULL, 0);
}

static void
sourcestats(void)
{
	struct rpt_sourcestats	 s;

	memset(&s, 0, sizeof(s));
	strcpy(s.name, "ntp.example");
	strcpy(s.address, "192.0.2.1");
	s.n_samples = 8;
	s.n_runs = 4;
	s.span_s = 512;
	s.stddev_s = 1e-5;
	frame(IMSG_CTL_SOURCESTATS, &s, sizeof(s));
	frame(IMSG_CTL_END, NULL, 0);
}

static void
serverstats(void)
{
	struct rpt_serverstats	 s;

	memset(&s, 0, sizeof(s));
	s.ntp_rx = 1000;
	s.ntp_tx = 990;
	s.malformed[2] = 3;
	frame(IMSG_CTL_SERVERSTATS, &s, sizeof(s));
}

int
main(int argc, char *argv[])
{
	struct rpt_client	 c;
	struct rpt_activity	 a;
	struct rpt_ntpdata	 d;
	struct rpt_authdata	 au;
	const char		*dir;

	if (argc != 2)
		return 2;
	dir = argv[1];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    (ib = imsgbuf_new(sv[0])) == NULL)
		return 1;
#define HELLO()	imsg_compose_hello(ib)
	HELLO(); tracking(); put(dir, "tracking", 0);
	HELLO(); sources(); put(dir, "sources", 1);
	HELLO(); sourcestats(); put(dir, "sourcestats", 4);
	HELLO(); serverstats(); put(dir, "serverstats", 6);
	memset(&c, 0, sizeof(c));
	strcpy(c.address, "198.51.100.7");
	c.ntp_hits = 5;
	HELLO(); frame(IMSG_CTL_CLIENTS, &c, sizeof(c));
	frame(IMSG_CTL_CLIENTS, &c, sizeof(c));
	frame(IMSG_CTL_END, NULL, 0); put(dir, "clients", 8);
	memset(&a, 0, sizeof(a));
	a.online = 3;
	HELLO(); frame(IMSG_CTL_ACTIVITY, &a, sizeof(a));
	put(dir, "activity", 9);
	memset(&d, 0, sizeof(d));
	strcpy(d.name, "ntp.example");
	strcpy(d.remote_address, "192.0.2.1");
	strcpy(d.local_address, "192.0.2.9");
	d.have_reply = 1;
	d.version = 4;
	d.mode = 4;
	d.tests = RPT_TESTS_ALL;
	HELLO(); frame(IMSG_CTL_NTPDATA, &d, sizeof(d));
	frame(IMSG_CTL_END, NULL, 0); put(dir, "ntpdata", 10);
	memset(&au, 0, sizeof(au));
	strcpy(au.name, "nts.example");
	strcpy(au.address, "192.0.2.3");
	HELLO(); frame(IMSG_CTL_AUTHDATA, &au, sizeof(au));
	frame(IMSG_CTL_END, NULL, 0); put(dir, "authdata", 12);
	HELLO(); tracking(); sources(); sourcestats(); serverstats();
	put(dir, "metrics", 14);
	HELLO(); result(CTL_OK); put(dir, "makestep", 15);
	HELLO(); result(CTL_NOSOURCE); put(dir, "burst", 18);
	HELLO(); result(CTL_UNAUTH); put(dir, "reload", 21);
	HELLO(); result(CTL_INVALID); put(dir, "tracking-invalid", 0);
	return 0;
}
