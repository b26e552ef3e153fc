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
 * The NTP client (client.h): its sources, made from the configuration
 * and changed by timectl (burst, online, offline, reset, reload), and how
 * a source is named.  Its parts: client_io.c (the sources on the
 * network), client_ref.c (the reference) and client_report.c (reports
 * and log records).
 */

#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "client.h"
#include "client_int.h"
#include "disc.h"
#include "ectx.h"
#include "hwif.h"
#include "log.h"
#include "ntsclient.h"
#include "sel.h"
#include "src.h"
#include "sst.h"
#include "xmalloc.h"

#define ONESHOT_LIMIT_S	30	/* -q/-Q: at most this long */

static struct disc *
make_disc(const struct conf *conf)
{
	struct disc_params	 p;

	memset(&p, 0, sizeof(p));
	p.makestep_set = conf->makestep_set;
	p.makestep_threshold_s = conf->makestep_threshold_s;
	p.makestep_limit = conf->makestep_limit;
	p.maxslewrate_ppm = conf->maxslewrate_ppm;
	p.maxdrift_ppm = conf->maxdrift_ppm;
	p.corrtimeratio = conf->corrtimeratio;
	p.maxupdateskew_ppm = conf->maxupdateskew_ppm;
	p.maxchange_set = conf->maxchange_set;
	p.maxchange_offset_s = conf->maxchange_offset_s;
	p.maxchange_start = conf->maxchange_start;
	p.maxchange_ignore = conf->maxchange_ignore;
	return disc_new(&p);
}

struct client *
client_new(struct ectx *ctx)
{
	struct client		*cl = xcalloc(1, sizeof(*cl));
	const struct conf_source *cs;
	const struct conf_refclock *rc;
	int			 i, first;

	cl->ctx = ctx;
	cl->best = -1;
	cl->dns = ctx->dns;
	cl->mode = ctx->conf->local_set ? REF_LOCAL : REF_NONE;
	if ((cl->disc = make_disc(ctx->conf)) == NULL)
		fatalx("client: out of memory");
	fbdrift_init(&cl->fb, ctx->conf->fallbackdrift_min,
	    ctx->conf->fallbackdrift_max);
	/* initstepslew: its hosts first, the others held until it is done */
	if (ctx->conf->initstepslew != NULL && !ctx->oneshot) {
		cl->init = INIT_RUNNING;
		for (cs = ctx->conf->initstepslew; cs != NULL &&
		    cl->n < SEL_MAX_SOURCES; cs = cs->next)
			client_csrc_new(cl, cs)->init = 1;
	}
	first = cl->n;
	/* A pool gives up to maxsources sources, filled as it resolves. */
	for (cs = ctx->conf->sources; cs != NULL; cs = cs->next)
		for (i = 0; i < (cs->type == CONF_SRC_POOL ? cs->maxsources :
		    1) && cl->n < SEL_MAX_SOURCES; i++)
			client_csrc_new(cl, cs);
	for (rc = ctx->conf->refclocks; rc != NULL && cl->n < SEL_MAX_SOURCES;
	    rc = rc->next)
		client_rc_new(cl, rc);
	for (i = first; i < cl->n; i++)
		cl->srcs[i]->held = cl->init == INIT_RUNNING;
	client_rc_check_locks(cl);
	return cl;
}

/* Start source i: a refclock's driver, or the lookup of a pool's first. */
static void
start_source(struct client *cl, int i)
{
	if (cl->srcs[i]->rc != NULL)
		client_rc_start(cl->srcs[i]);
	else if (i == 0 || cl->srcs[i]->conf != cl->srcs[i - 1]->conf)
		client_resolve(cl->srcs[i]);
}

static void
remove_at(struct client *cl, int i)
{
	struct csrc	*s = cl->srcs[i];

	log_info("source %s removed", s->name);
	if (s->dns_req != NULL)
		evdns_getaddrinfo_cancel(s->dns_req);
	client_close_socket(s);
	ntscl_free(s->nts);
	event_free(s->ev_poll);
	sst_free(s->sst);
	free(s);
	memmove(&cl->srcs[i], &cl->srcs[i + 1], (cl->n - i - 1) *
	    sizeof(cl->srcs[0]));
	cl->n--;
}

/*
 * initstepslew is over: its hosts go, and the sources held are no longer
 * (they start now if the client has, else with it).
 */
static void
end_init(struct client *cl)
{
	int	 i;

	cl->init = INIT_NONE;
	for (i = 0; i < cl->n; )
		if (cl->srcs[i]->init)
			remove_at(cl, i);
		else
			i++;
	cl->best = -1;
	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->held) {
			cl->srcs[i]->held = 0;
			if (cl->started)
				start_source(cl, i);
		}
}

/*
 * initstepslew: a check a second while its hosts run (those that no
 * longer answer send no sample to check on); once it is over, the
 * switch: its hosts go, the sources held start.
 */
static void
init_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct client	*cl = arg;
	struct timeval	 tv = { 1, 0 };

	if (cl->init == INIT_RUNNING) {
		client_init_check(cl);
		if (cl->init == INIT_RUNNING)
			evtimer_add(cl->ev_init, &tv);
		return;
	}
	end_init(cl);
	client_reference(cl, NULL);
}

void
client_init_end(struct client *cl)
{
	struct timeval	 tv = { INIT_SWITCH_S, 0 };

	cl->init = INIT_SWITCHING;
	evtimer_del(cl->ev_init);
	evtimer_add(cl->ev_init, &tv);
}

static void
oneshot_timeout(evutil_socket_t fd, short ev, void *arg)
{
	client_oneshot_finish(arg);
}

void
client_start(struct client *cl)
{
	struct timeval	 tv = { ONESHOT_LIMIT_S, 0 };
	int		 i;

	disc_set_skew(cl->disc, cl->ctx->cs->skew_ppm);	/* the drift file's */
	/* an engine started again: its clock was corrected already */
	if (cl->init == INIT_RUNNING && (cl->ctx->cs->updates > 0 ||
	    cl->ctx->cs->provisional)) {
		log_info("initstepslew: the clock was corrected already; "
		    "skipped");
		end_init(cl);
	}
	cl->started = 1;
	for (i = 0; i < cl->n; i++)
		if (!cl->srcs[i]->held)
			start_source(cl, i);
	if (cl->init == INIT_RUNNING) {
		if ((cl->ev_init = evtimer_new(cl->ctx->base, init_cb,
		    cl)) == NULL)
			fatalx("client: event_new");
		init_cb(-1, 0, cl);
	}
	if (!cl->ctx->oneshot)
		return;
	if ((cl->ev_oneshot = evtimer_new(cl->ctx->base, oneshot_timeout,
	    cl)) == NULL || evtimer_add(cl->ev_oneshot, &tv) == -1)
		fatalx("client: event_new");
	if (cl->n == 0)
		client_oneshot_finish(cl);
}

void
client_discard(struct client *cl, const char *why, int poll_now)
{
	struct csrc	*s;
	int		 i;

	log_warnx("%s: samples discarded", why);
	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		sst_reset(s->sst);
		s->have_est = 0;
		if (poll_now && s->rc == NULL && cl->started &&
		    s->resolved && !s->offline)
			client_schedule(s, CLIENT_FIRST_POLL_NS);
	}
	hwif_reset(cl->ctx->hw);
}

void
client_free(struct client *cl)
{
	int	 i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->n; i++) {
		if (cl->srcs[i]->dns_req != NULL)
			evdns_getaddrinfo_cancel(cl->srcs[i]->dns_req);
		client_close_socket(cl->srcs[i]);
		if (cl->srcs[i]->rc != NULL)
			client_rc_free(cl->srcs[i]);
		ntscl_free(cl->srcs[i]->nts);
		event_free(cl->srcs[i]->ev_poll);
		sst_free(cl->srcs[i]->sst);
		free(cl->srcs[i]);
	}
	if (cl->ev_oneshot != NULL)
		event_free(cl->ev_oneshot);
	if (cl->ev_fb != NULL)
		event_free(cl->ev_fb);
	if (cl->ev_leap != NULL)
		event_free(cl->ev_leap);
	if (cl->ev_init != NULL)
		event_free(cl->ev_init);
	disc_free(cl->disc);
	free(cl);
}

/* The source is the one named: by name, configured name or address. */
int
client_matches(const struct csrc *s, const char *which)
{
	char	 addr[RPT_ADDR_MAX];

	if (which[0] == '\0')
		return 1;
	client_address_of(s, addr, sizeof(addr));
	return strcmp(s->name, which) == 0 ||
	    strcmp(s->conf->name, which) == 0 ||
	    (addr[0] != '\0' && strcmp(addr, which) == 0);
}

int
client_burst(struct client *cl, const char *which, int good, int max)
{
	struct csrc	*s;
	int		 i, n = 0;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!client_matches(s, which))
			continue;
		n++;
		if (s->rc != NULL)
			continue;	/* its driver decides */
		src_burst(&s->src, good, max);	/* offline: then offline again */
		if (cl->started && s->resolved)
			client_schedule(s, 0);
	}
	return n;
}

void
client_src_online(struct csrc *s, int online)
{
	if (s->offline == !online)
		return;
	s->offline = !online;
	log_info("source %s %s", s->name, online ? "online" : "offline");
	if (online && s->cl->started && !s->held)
		client_schedule(s, 0);
	else if (!online && s->src.burst_left == 0)
		evtimer_del(s->ev_poll);	/* a burst ends first */
}

int
client_set_online(struct client *cl, const char *which, int online)
{
	int	 i, n = 0;

	for (i = 0; i < cl->n; i++)
		if (client_matches(cl->srcs[i], which)) {
			client_src_online(cl->srcs[i], online);
			n++;
		}
	return n;
}

/* chronyd's test: a route to the source is one a UDP socket connects. */
static int
routable(const struct csrc *s)
{
	int	 fd, ok;

	if ((fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC,
	    0)) == -1)
		return 1;	/* cannot tell: leave it polled */
	ok = connect(fd, (const struct sockaddr *)&s->addr, s->alen) == 0 ||
	    (errno != ENETUNREACH && errno != EHOSTUNREACH &&
	    errno != EADDRNOTAVAIL);
	close(fd);
	return ok;
}

void
client_onoffline(struct client *cl)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->resolved && cl->srcs[i]->rc == NULL)
			client_src_online(cl->srcs[i],
			    routable(cl->srcs[i]));
}

void
client_reset_sources(struct client *cl)
{
	struct csrc	*s;
	int		 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		sst_reset(s->sst);
		s->have_est = 0;
		s->state = SEL_UNUSABLE;
		s->false_polls = 0;
		s->src.reach = 0;
		s->src.last_rx_ns = 0;
		s->tx_at_resolve = s->src.stats.tx;	/* not unreachable */
	}
	cl->best = -1;
	client_reference(cl, NULL);
}

void
client_del_source(struct client *cl, const struct conf_source *cs)
{
	struct conf_source	**pp, *c;
	int			  i, removed = 0;

	for (pp = &cl->ctx->conf->sources; (c = *pp) != NULL; ) {
		if (!conf_source_equal(c, cs)) {
			pp = &c->next;
			continue;
		}
		for (i = 0; i < cl->n; )
			if (cl->srcs[i]->conf == c) {
				remove_at(cl, i);
				removed = 1;
			} else
				i++;
		*pp = c->next;
		free(c->name);
		free(c);
		break;
	}
	if (!removed)
		return;
	/* Indices moved: select again from scratch. */
	cl->best = -1;
	client_reference(cl, NULL);
}

void
client_add_source(struct client *cl, struct conf_source *cs)
{
	struct conf_source	**pp;
	int			  i, first = cl->n;

	for (pp = &cl->ctx->conf->sources; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = cs;
	cs->next = NULL;
	for (i = 0; i < (cs->type == CONF_SRC_POOL ? cs->maxsources : 1); i++) {
		if (cl->n >= SEL_MAX_SOURCES) {
			log_warnx("source %s: more than %d sources", cs->name,
			    SEL_MAX_SOURCES);
			break;
		}
		client_csrc_new(cl, cs);
	}
	if (cl->n > first) {
		log_info("source %s added", cs->name);
		for (i = first; i < cl->n; i++)
			cl->srcs[i]->held = cl->init == INIT_RUNNING;
		if (cl->started && !cl->srcs[first]->held)
			client_resolve(cl->srcs[first]);
	}
}
