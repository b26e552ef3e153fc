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
 * libFuzzer target: the imsg frames the monitor reads from the engine,
 * monitor/monitor.c's engine_read and engine_dispatch with every
 * handler (hello, log, the clock requests checked by lib/lim.c, the
 * log-file records, oneshot, exit, the control answers, and the real
 * ntskeys_save and ntsdump_save).  As chrony's unit tests do, this file
 * #includes monitor.c; fuzz_monitor.h fakes libevent, the log, control.c
 * and the file modules.  The clock is monitor/clock.c's virtual clock
 * (the build turns clock_adjtime into an abort, so nothing can reach
 * the real clock).  The engine's end of a socketpair holds the input:
 *
 *	byte 0		bit 0: the engine said hello already; bit 1: -Q;
 *			bits 2-4: the measurements, statistics and
 *			tracking logs enabled (refclocks with
 *			tracking); bit 5: an NTS server
 *			(certificates, keys may be saved); bit 6: the
 *			keys are a fleet's seed; bit 7: -D
 *	the rest	what the engine writes, imsg frames
 *
 * Checks: no crash, leak, fatal or signal; log lines from the engine
 * arrive without control characters; the clock's frequency stays
 * within lib/lim.c's limits; an engine found abusive is closed.
 *
 *	see Makefile.am (regress/fuzz/fuzz_monitor) for the build
 *	./fuzz_monitor /tmp/scratch_corpus regress/fuzz/corpus/monitor
 */

#define FAKE_CONTROL
#include "fuzz_monitor.h"
#include "monitor.c"

#include <fcntl.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	fuzz_no_clock_adjtime(clockid_t, struct timex *);

static struct monitor	 mon;
static char		 dummy;	/* control and statlog: faked */

/* clock.c's kernel clock, never created here: no way to the real clock. */
int
fuzz_no_clock_adjtime(clockid_t id, struct timex *tx)
{
	(void)id;
	(void)tx;
	abort();
}

static void
conf_line(const char *line)
{
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];

	if (conf_parse_line(mon.conf, line, 0, &act, arg, sizeof(arg), &d) !=
	    0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (freopen("/dev/null", "w", stdout) == NULL ||
	    (mon.conf = conf_new()) == NULL)
		abort();
	conf_line("server nts.example nts");
	conf_line("server 192.0.2.1 iburst");
	conf_line("ntsdumpdir /nonexistent/timed-fuzz");
	conf_line("logchange 0.5");
	if ((mon.base = event_base_new()) == NULL ||
	    (mon.ev_engine = event_new(mon.base, -1, 0, NULL, NULL)) == NULL ||
	    (mon.ev_restart = evtimer_new(mon.base, engine_restart_cb,
	    &mon)) == NULL ||
	    (mon.ev_slew = evtimer_new(mon.base, slew_cb, &mon)) == NULL ||
	    (mon.ev_drift = event_new(mon.base, -1, EV_PERSIST, drift_cb,
	    &mon)) == NULL)
		abort();
	mon.control = (struct control *)(void *)&dummy;
	mon.statlog = (struct statlog *)(void *)&dummy;
	mon.crash = crash_new();	/* the engine's blame page, real */
	mon.keys_fd = -1;
	/* a certificate to hand a new engine: any descriptor will do */
	if ((mon.nts.cert_fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		abort();
	return 0;
}

static void
reset(uint8_t sel)
{
	mon.engine_ready = mon.hello_seen = sel & 1;
	mon.oneshot = sel & 2 ? 'Q' : 0;
	fake_statlog_kinds = (sel >> 2) & 7;
	/* no bit is left for refclocks.log: it follows tracking.log */
	if (fake_statlog_kinds & 1 << LOGFMT_TRACKING)
		fake_statlog_kinds |= 1 << LOGFMT_REFCLOCKS;
	mon.nts.ncert = (sel & 0x20) != 0;
	mon.ntskeys_fleet = (sel & 0x40) != 0;
	mon.ntskeys_len = 0;
	mon.debug = sel >> 7;
	mon.engine_pid = 4194304;	/* above pid_max: fake_kill only */
	mon.status = 0;
	mon.refused = 0;
	mon.drift_known = 0;
	mon.drift_skew_ppm = 0;
	mon.stopping = 0;
	mon.base->loopexit = 0;
	memset(&mon.lim, 0, sizeof(mon.lim));
	mon.lim.maxslewrate_ppm = 83333.333;
	mon.lim.maxdrift_ppm = LIM_MAXDRIFT_PPM;
	memset(&mon.limst, 0, sizeof(mon.limst));
	if ((mon.clock = clock_new_virtual(fake_now_ns, 0.0, 0.0)) == NULL)
		abort();
}

/* What the monitor sent the engine: read and dropped. */
static void
drain(int fd)
{
	char	 buf[65536];
	int	 i;

	for (i = 0; i < 16 && read(fd, buf, sizeof(buf)) > 0; i++)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	 sv[2], i;

	if (size < 1)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	if (size > 1 && write(sv[1], data + 1, size - 1) != (ssize_t)size - 1)
		abort();
	shutdown(sv[1], SHUT_WR);	/* then the engine is gone */
	reset(data[0]);
	if ((mon.engine = imsgbuf_new(sv[0])) == NULL)
		abort();
	for (i = 0; i < 8 && mon.engine != NULL; i++) {
		engine_event(sv[0], EV_READ | EV_WRITE, &mon);
		drain(sv[1]);
	}
	if (mon.engine != NULL)		/* EOF closes it */
		abort();
	if (lim_check_freq(&mon.lim, clock_freq(mon.clock)) != NULL)
		abort();
	if (mon.status != 0 && mon.status != 1)
		abort();
	clock_free(mon.clock);
	mon.clock = NULL;
	close(sv[1]);		/* engine_close() closed sv[0] */
	return 0;
}
