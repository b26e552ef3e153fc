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
 * timed-sim: timed in the simulation mode, for clknetsim (timed.8,
 * SIMULATION MODE).  It takes chronyd's command line as chrony's
 * simulation tests start chronyd (-d, -f CONF, -x), so that a clknetsim
 * scenario written for chronyd runs timed in its place unchanged; the
 * configuration is timed's reading of that chrony.conf.
 *
 * The monitor and the engine are the production code, in one process on
 * one event base (poll: clknetsim has no epoll), talking over the
 * in-memory channel; the clock is the kernel's, which clknetsim
 * simulates.  A test tool: built in the build tree, never installed, and
 * the only way into the mode.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "engine.h"
#include "log.h"
#include "monitor.h"
#include "ntske.h"

static struct event_base	*sim_base;
static struct engine		 sim_engine;

/* The engine on the monitor's base, over the in-memory channel. */
static void
sim_engine_start(struct monitor *mon, struct imsgbuf *chan)
{
	struct engine	*eng = &sim_engine;

	memset(eng, 0, sizeof(*eng));
	eng->ctx.conf = mon->conf;
	eng->ctx.base = mon->base;
	eng->ctx.ibuf = chan;
	eng->ctx.noclock = mon->noclock;
	eng->ctx.oneshot = mon->oneshot;
	eng->ctx.sim = 1;
	if (conf_needs_crypto(eng->ctx.conf) && ntske_init() == -1)
		fatalx("cannot initialise OpenSSL");
	engine_start(eng);
}

static void
sim_engine_stop(struct monitor *mon)
{
	engine_stop(&sim_engine);
}

static const struct monitor_sim sim_hooks = {
	sim_engine_start,
	sim_engine_stop
};

/*
 * clknetsim ends a run with SIGTERM raised inside select(): the loop
 * stops where it is (libevent's own signal handling would add a pipe to
 * the poll set, which clknetsim takes as always ready).
 */
static void
sim_stop(int sig)
{
	event_base_loopbreak(sim_base);
}

static struct event_base *
sim_base_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL ||
	    event_config_avoid_method(cfg, "epoll") == -1 ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK) == -1 ||
	    (base = event_base_new_with_config(cfg)) == NULL ||
	    event_base_priority_init(base, ECTX_NPRIO) == -1)
		fatalx("event_base_new");
	event_config_free(cfg);
	return base;
}

static void
usage(void)
{
	fprintf(stderr, "usage: timed-sim [-dqQx] [-f file] [chronyd's other "
	    "options, ignored]\n"
	    "  timed in one process, for clknetsim; see timed(8)\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct monitor		 mon;
	struct sigaction	 sa;
	int			 ch, debug = 0, status;

	memset(&mon, 0, sizeof(mon));
	mon.keys_fd = -1;
	mon.conffile = "/etc/chrony.conf";	/* chronyd's default */
	mon.foreground = 1;
	/* chronyd 4.3's options; those with an argument take it */
	while ((ch = getopt(argc, argv, "46dD:f:F:hl:L:mnP:qQrRst:u:Uvx")) !=
	    -1) {
		switch (ch) {
		case 'd':
			debug += debug < 2;
			break;
		case 'f':
			mon.conffile = optarg;
			break;
		case 'x':
			mon.noclock = 1;
			break;
		case 'q':
		case 'Q':
			mon.oneshot = ch;
			break;
		case 'h':
		case '?':
			usage();
			break;
		default:
			fprintf(stderr, "timed-sim: chronyd option -%c "
			    "ignored\n", ch);
			break;
		}
	}
	if (optind != argc)
		fprintf(stderr, "timed-sim: configuration lines on the "
		    "command line ignored\n");
	/*
	 * -dd: debug messages, as chronyd's; the lines untagged, as its
	 * ("2010-01-01T00:00:02Z message"), for the tests that read them
	 */
	log_init(1, debug > 1, "");
	mon.debug = debug > 1;
	mon.conf = conf_new();
	if (conf_load(mon.conf, mon.conffile, stderr) == -1)
		return 1;
	mon.sim = &sim_hooks;
	mon.engine_exe = "(in this process)";
	mon.base = sim_base = sim_base_new();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sim_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction");
	status = monitor_main(&mon);
	conf_free(mon.conf);
	return status;
}
