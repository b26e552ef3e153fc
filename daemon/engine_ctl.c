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
 * The engine's answers to timectl (engine_int.h): the IMSG_CTL_* requests
 * the monitor relays, each checked for its size and content, the engine
 * stopping on one that is malformed, as on any other message.
 */

#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "client.h"
#include "ectx.h"
#include "engine.h"
#include "engine_int.h"
#include "lim.h"
#include "log.h"
#include "ntsmat.h"
#include "server.h"
#include "vclock.h"
#include "xmalloc.h"

static void
ctl_tracking(struct engine *eng, uint32_t peerid)
{
	const struct clock_state *cs = eng->ctx.cs;
	struct rpt_tracking	 r;
	int64_t			 now = ectx_sys_ns();

	memset(&r, 0, sizeof(r));
	r.leap = LEAP_UNSYNC;
	r.clock = eng->ctx.noclock ? CLOCK_KIND_NONE : cs->kind;
	r.freq_ppm = cs->freq_ppm;
	r.skew_ppm = cs->skew_ppm;
	r.system_time_offset_s = vclock_slew_left(&cs->model, now);
	if (cs->kind == CLOCK_KIND_VIRTUAL)
		r.virtual_true_offset_s = vclock_offset(&cs->model, now);
	client_tracking(eng->client, &r);
	if (r.ref_id == 0) {
		/* chronyd's root distance while not synchronised */
		r.root_delay_s = 1.0;
		r.root_dispersion_s = 1.0;
	}
	ectx_send(&eng->ctx, IMSG_CTL_TRACKING, peerid, &r, sizeof(r));
}

static void
ctl_result(struct engine *eng, uint32_t peerid, int code)
{
	struct ctl_result	 r = { code };

	ectx_send(&eng->ctx, IMSG_CTL_RESULT, peerid, &r, sizeof(r));
}

static void
ctl_serverstats(struct engine *eng, uint32_t peerid)
{
	struct rpt_serverstats	 r;
	struct ntske_stats	 ke;

	server_stats(eng->server, &r);
	ntsmat_stats(eng->nts, &ke);
	r.ntske_accepted = ke.accepted;
	r.ntske_dropped = ke.dropped + ke.limited;
	ectx_send(&eng->ctx, IMSG_CTL_SERVERSTATS, peerid, &r, sizeof(r));
}

/* A selection from the monitor, NUL-terminated, or the engine stops. */
static void
get_select(struct imsg *imsg, struct ctl_select *sel)
{
	if (imsg_get_data(imsg, sel, sizeof(*sel)) == -1 ||
	    memchr(sel->which, '\0', sizeof(sel->which)) == NULL)
		fatalx("control message %u: malformed", imsg->hdr.type);
}

/* smoothtime's state; 505 without it, as chronyd. */
static void
ctl_smoothing(struct engine *eng, uint32_t peerid)
{
	struct rpt_smoothing	 r;

	memset(&r, 0, sizeof(r));
	if (!ectx_smoothing(&eng->ctx, &r)) {
		ctl_result(eng, peerid, CTL_NOTENABLED);
		return;
	}
	ectx_send(&eng->ctx, IMSG_CTL_SMOOTHING, peerid, &r, sizeof(r));
}

static void
ctl_activity(struct engine *eng, uint32_t peerid)
{
	struct rpt_activity	 r;

	client_activity(eng->client, &r);
	ectx_send(&eng->ctx, IMSG_CTL_ACTIVITY, peerid, &r, sizeof(r));
}

static void
ctl_ntpdata(struct engine *eng, struct imsg *imsg)
{
	struct ctl_select	 sel;

	get_select(imsg, &sel);
	if (client_send_ntpdata(eng->client, sel.which,
	    imsg->hdr.peerid) == 0 && sel.which[0] != '\0')
		ctl_result(eng, imsg->hdr.peerid, CTL_NOSOURCE);
}

static void
ctl_clients(struct engine *eng, struct imsg *imsg)
{
	struct ctl_page	 page;

	if (imsg_get_data(imsg, &page, sizeof(page)) == -1)
		fatalx("IMSG_CTL_CLIENTS: malformed");
	server_send_clients(eng->server, imsg->hdr.peerid, page.first);
}

static void
ctl_burst(struct engine *eng, struct imsg *imsg)
{
	struct ctl_burst	 b;
	int			 n;

	if (imsg_get_data(imsg, &b, sizeof(b)) == -1 ||
	    memchr(b.sel.which, '\0', sizeof(b.sel.which)) == NULL ||
	    b.max < 1 || b.max > CTL_BURST_MAX || b.good < 1 ||
	    b.good > b.max)
		fatalx("IMSG_CTL_BURST: malformed");
	n = client_burst(eng->client, b.sel.which, b.good, b.max);
	ctl_result(eng, imsg->hdr.peerid, n > 0 || b.sel.which[0] == '\0' ?
	    CTL_OK : CTL_NOSOURCE);
}

static void
ctl_set_makestep(struct engine *eng, struct imsg *imsg)
{
	struct ctl_makestep	 m;

	if (imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    lim_check_makestep(m.threshold_s, m.limit) != NULL)
		fatalx("IMSG_CTL_SET_MAKESTEP: malformed");
	client_set_makestep(eng->client, m.threshold_s, m.limit);
	ctl_result(eng, imsg->hdr.peerid, CTL_OK);
}

/* chronyc's doffset: a correction of ours, checked as the monitor will. */
static void
ctl_doffset(struct engine *eng, struct imsg *imsg)
{
	struct ctl_doffset	 d;
	const char		*why;
	double			 rate = eng->ctx.conf->maxslewrate_ppm;
	struct lim		 lim;

	if (imsg_get_data(imsg, &d, sizeof(d)) == -1 || !isfinite(d.offset_s))
		fatalx("IMSG_CTL_DOFFSET: malformed");
	memset(&lim, 0, sizeof(lim));
	lim.maxslewrate_ppm = rate;
	if ((why = lim_check_slew(&lim, d.offset_s, rate)) != NULL) {
		log_warnx("doffset %.9g s refused: %s", d.offset_s, why);
		ctl_result(eng, imsg->hdr.peerid, CTL_FAILED);
		return;
	}
	ectx_priv_slew(&eng->ctx, ectx_sys_ns(), d.offset_s, rate, 0);
	log_info("Accumulated delta offset of %.6f seconds", d.offset_s);
	ctl_result(eng, imsg->hdr.peerid, CTL_OK);
}

static void
ctl_online(struct engine *eng, struct imsg *imsg, int online)
{
	struct ctl_select	 sel;
	int			 n;

	get_select(imsg, &sel);
	n = client_set_online(eng->client, sel.which, online);
	ctl_result(eng, imsg->hdr.peerid, n > 0 || sel.which[0] == '\0' ?
	    CTL_OK : CTL_NOSOURCE);
}

static void
ctl_sourcename(struct engine *eng, struct imsg *imsg)
{
	struct ctl_select	 sel;
	struct rpt_sourcename	 r;

	get_select(imsg, &sel);
	memset(&r, 0, sizeof(r));
	if (client_source_name(eng->client, sel.which, &r) == -1)
		ctl_result(eng, imsg->hdr.peerid, CTL_NOSOURCE);
	else
		ectx_send(&eng->ctx, IMSG_CTL_SOURCENAME, imsg->hdr.peerid, &r,
		    sizeof(r));
}

/* A source as the monitor read it from a sourcedir file. */
static struct conf_source *
get_source(struct imsg *imsg)
{
	struct ctl_source_conf	 c;
	struct conf_source	*cs;

	if (imsg_get_data(imsg, &c, sizeof(c)) == -1 ||
	    memchr(c.name, '\0', sizeof(c.name)) == NULL || c.name[0] == '\0' ||
	    (c.type != CONF_SRC_SERVER && c.type != CONF_SRC_POOL) ||
	    c.minpoll < -7 || c.minpoll > 24 || c.maxpoll < -7 ||
	    c.maxpoll > 24 || c.maxsources < 1 || !(c.maxdelay_s > 0.0) ||
	    c.polltarget < 1 || c.polltarget > 60 ||
	    !(fabs(c.offset_s) <= 1e6) || !(c.mindelay_s >= 0.0 &&
	    c.mindelay_s <= 1000.0) || !(fabs(c.asymmetry) <= 1e6) ||
	    !(c.maxdelayratio >= 0.0 && c.maxdelayratio <= 1e6) ||
	    c.filter < 0 || c.filter > 256 ||
	    !(c.maxdelaydevratio >= 0.0 && c.maxdelaydevratio <= 1e6) ||
	    !(c.maxdelayquant >= 0.0 && c.maxdelayquant <= 1.0) ||
	    c.presend < -7 || c.presend > CONF_PRESEND_NONE ||
	    (c.family != 0 && c.family != 4 && c.family != 6) ||
	    c.minstratum < 0 || c.minstratum > 15 || c.version < 0 ||
	    c.version > 4)
		fatalx("control message %u: malformed source",
		    imsg->hdr.type);
	cs = xcalloc(1, sizeof(*cs));
	cs->type = c.type;
	cs->name = xstrdup(c.name);
	cs->port = c.port;
	cs->ntsport = c.ntsport;
	cs->iburst = c.iburst;
	cs->burst = c.burst;
	cs->minpoll = c.minpoll;
	cs->maxpoll = c.maxpoll;
	cs->prefer = c.prefer;
	cs->noselect = c.noselect;
	cs->trust = c.trust != 0;
	cs->require = c.require != 0;
	cs->xleave = c.xleave != 0;
	cs->nts = c.nts;
	cs->certset = c.certset;
	cs->key = c.key;
	cs->maxdelay_s = c.maxdelay_s;
	cs->polltarget = c.polltarget;
	cs->maxsources = c.maxsources;
	cs->offset_s = c.offset_s;
	cs->mindelay_s = c.mindelay_s;
	cs->asymmetry = c.asymmetry;
	cs->maxdelayratio = c.maxdelayratio;
	cs->filter = c.filter;
	cs->maxdelaydevratio = c.maxdelaydevratio;
	cs->maxdelayquant = c.maxdelayquant;
	cs->presend = c.presend;
	cs->offline = c.offline != 0;
	cs->auto_offline = c.auto_offline != 0;
	cs->copy = c.copy != 0;
	cs->exp1 = c.exp1 != 0;
	cs->minsamples = c.minsamples >= 0 && c.minsamples <= 128 ?
	    c.minsamples : 0;
	cs->maxsamples = c.maxsamples >= 0 && c.maxsamples <= 128 ?
	    c.maxsamples : 0;
	cs->family = c.family;
	cs->minstratum = c.minstratum;
	cs->version = c.version;
	return cs;
}

static void
ctl_source(struct engine *eng, struct imsg *imsg)
{
	struct conf_source	*cs = get_source(imsg);

	if (imsg->hdr.type == IMSG_CTL_ADD_SOURCE) {
		client_add_source(eng->client, cs);	/* keeps cs */
		return;
	}
	client_del_source(eng->client, cs);
	free(cs->name);
	free(cs);
}

int
engine_ctl(struct engine *eng, struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_CTL_SERVERSTATS:
		ctl_serverstats(eng, imsg->hdr.peerid);
		break;
	case IMSG_CTL_CLIENTS:
		ctl_clients(eng, imsg);
		break;
	case IMSG_CTL_TRACKING:
		ctl_tracking(eng, imsg->hdr.peerid);
		break;
	case IMSG_CTL_SOURCES:
		client_send_sources(eng->client, imsg->hdr.peerid);
		break;
	case IMSG_CTL_SOURCESTATS:
		client_send_sourcestats(eng->client, imsg->hdr.peerid);
		break;
	case IMSG_CTL_AUTHDATA:
		client_send_authdata(eng->client, imsg->hdr.peerid);
		break;
	case IMSG_CTL_ACTIVITY:
		ctl_activity(eng, imsg->hdr.peerid);
		break;
	case IMSG_CTL_SMOOTHING:
		ctl_smoothing(eng, imsg->hdr.peerid);
		break;
	case IMSG_CTL_NTPDATA:
		ctl_ntpdata(eng, imsg);
		break;
	case IMSG_CTL_BURST:
		ctl_burst(eng, imsg);
		break;
	case IMSG_CTL_SET_MAKESTEP:
		ctl_set_makestep(eng, imsg);
		break;
	case IMSG_CTL_ONLINE:
	case IMSG_CTL_OFFLINE:
		ctl_online(eng, imsg, imsg->hdr.type == IMSG_CTL_ONLINE);
		break;
	case IMSG_CTL_ADD_SOURCE:
	case IMSG_CTL_DEL_SOURCE:
		ctl_source(eng, imsg);
		break;
	case IMSG_CTL_RELOAD_SOURCES:	/* the changes came before it */
		ctl_result(eng, imsg->hdr.peerid, CTL_OK);
		break;
	case IMSG_CTL_DOFFSET:
		ctl_doffset(eng, imsg);
		break;
	case IMSG_CTL_ONOFFLINE:
		client_onoffline(eng->client);
		ctl_result(eng, imsg->hdr.peerid, CTL_OK);
		break;
	case IMSG_CTL_RESET_SOURCES:
		client_reset_sources(eng->client);
		ctl_result(eng, imsg->hdr.peerid, CTL_OK);
		break;
	case IMSG_CTL_SMOOTH_RESET:
	case IMSG_CTL_SMOOTH_ACTIVATE:
		ctl_result(eng, imsg->hdr.peerid, ectx_smooth_ctl(&eng->ctx,
		    imsg->hdr.type == IMSG_CTL_SMOOTH_ACTIVATE) ? CTL_OK :
		    CTL_NOTENABLED);
		break;
	case IMSG_CTL_SELECTDATA:
		client_send_selectdata(eng->client, imsg->hdr.peerid);
		break;
	case IMSG_CTL_SOURCENAME:
		ctl_sourcename(eng, imsg);
		break;
	default:
		return -1;
	}
	return 0;
}
