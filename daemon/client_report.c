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
 * What the client tells: timectl's reports on the sources and the
 * reference (tracking, sources, sourcestats, selectdata, ntpdata,
 * authdata, activity), and the records of the measurements, statistics
 * and tracking logs, which the monitor writes (lib/logfmt.c).
 */

#include <netinet/in.h>
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "client_int.h"
#include "ectx.h"
#include "hwif.h"
#include "hwts.h"
#include "ntpkey.h"
#include "ntsclient.h"
#include "sel.h"
#include "src.h"
#include "sst.h"

/* logdir and log: the monitor writes the files (lib/logfmt.c). */
static int
logging(const struct client *cl, int flag)
{
	return (cl->ctx->conf->log_flags & flag) && cl->ctx->conf->logdir &&
	    !cl->ctx->oneshot;
}

/* What ntpdata says of a timestamp's source. */
static int
tss_of(int src)
{
	return src == HWTS_HARDWARE ? RPT_TSS_HARDWARE :
	    src == HWTS_KERNEL ? RPT_TSS_KERNEL : RPT_TSS_DAEMON;
}

void
client_log_measurement(const struct csrc *s, const struct sst_sample *sm,
    const uint8_t *buf, size_t n, uint32_t failed)
{
	struct log_measurement	 m;
	struct pkt		 p;

	if (!logging(s->cl, CONF_LOG_MEASUREMENTS) ||
	    pkt_decode(&p, buf, n) != PKT_OK)
		return;
	memset(&m, 0, sizeof(m));
	m.time = sm->time_ns * 1e-9;
	client_address_of(s, m.address, sizeof(m.address));
	m.leap = p.leap;
	m.stratum = p.stratum;
	m.tests = LOG_TESTS_ALL & ~failed;
	m.local_poll = s->src.poll;
	m.remote_poll = p.poll;
	m.offset_s = sm->offset_s;
	m.delay_s = sm->delay_s;
	m.disp_s = sm->disp_s;
	m.root_delay_s = sm->root_delay_s;
	m.root_disp_s = sm->root_disp_s;
	m.refid = p.refid;
	m.mode = p.mode;
	m.interleaved = s->src.last.interleaved;
	/* chrony's letters: D daemon, K kernel, H hardware */
	m.tx_ts = hwts_letter(s->tx_src);
	m.rx_ts = hwts_letter(s->rx_src);
	ectx_send(s->cl->ctx, IMSG_LOG_MEASUREMENT, 0, &m, sizeof(m));
}

void
client_log_statistics(struct csrc *s, int64_t at)
{
	struct log_statistics	 r;
	struct sst_est		 e;

	if (!logging(s->cl, CONF_LOG_STATISTICS) ||
	    sst_estimate(s->sst, at, &e) == -1)
		return;
	memset(&r, 0, sizeof(r));
	r.stress = s->have_est && s->prev_skew_ppm > 0 ?
	    fabs(s->prev_freq_ppm - e.freq_ppm) / s->prev_skew_ppm : 0.0;
	s->have_est = 1;
	s->prev_freq_ppm = e.freq_ppm;
	s->prev_skew_ppm = e.skew_ppm;
	r.time = at * 1e-9;
	client_address_of(s, r.address, sizeof(r.address));
	r.stddev_s = e.stddev_s;
	r.offset_s = e.offset_s;
	r.offset_sd_s = e.offset_sd_s;
	r.freq_ppm = e.freq_ppm;
	r.skew_ppm = e.skew_ppm;
	r.n_samples = e.n;
	r.best_start = sst_count(s->sst) - e.n;
	r.n_runs = e.runs;
	r.asymmetry = e.asymmetry;
	ectx_send(s->cl->ctx, IMSG_LOG_STATISTICS, 0, &r, sizeof(r));
}

/* left: what the previous slew had still to do, + the clock ahead. */
void
client_log_tracking(struct client *cl, int64_t now, double left)
{
	const struct csrc	*b = cl->srcs[cl->best];
	struct log_tracking	 t;
	int			 i;

	if (!logging(cl, CONF_LOG_TRACKING))
		return;
	memset(&t, 0, sizeof(t));
	t.time = now * 1e-9;
	client_address_of(b, t.ref, sizeof(t.ref));
	t.stratum = b->src.stratum + 1 > 15 ? 16 : b->src.stratum + 1;
	t.freq_ppm = cl->ctx->cs->freq_ppm;
	t.skew_ppm = cl->sel.skew_ppm;
	t.offset_s = cl->sel.offset_s;
	t.leap = cl->leap == PKT_LEAP_INSERT ? LEAP_INSERT :
	    cl->leap == PKT_LEAP_DELETE ? LEAP_DELETE : LEAP_NORMAL;
	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->state == SEL_BEST ||
		    cl->srcs[i]->state == SEL_COMBINED)
			t.combined++;
	t.offset_sd_s = cl->sel.offset_sd_s;
	t.remaining_s = left;
	t.root_delay_s = cl->sel.root_delay_s;
	t.root_disp_s = cl->sel.root_disp_s;
	/* as chrony: the root distance and the previous correction */
	t.max_error_s = t.root_delay_s / 2 + t.root_disp_s +
	    fabs(cl->last_offset_s);
	cl->last_offset_s = t.offset_s;
	ectx_send(cl->ctx, IMSG_LOG_TRACKING, 0, &t, sizeof(t));
}

/* As chronyd when it loses its sources: 0.0.0.0, stratum 0, leap '?'. */
void
client_log_unsync(struct client *cl, int64_t now)
{
	struct log_tracking	 t;

	if (!logging(cl, CONF_LOG_TRACKING))
		return;
	memset(&t, 0, sizeof(t));
	t.time = now * 1e-9;
	snprintf(t.ref, sizeof(t.ref), "0.0.0.0");
	t.freq_ppm = cl->ctx->cs->freq_ppm;
	t.skew_ppm = cl->ctx->cs->skew_ppm;
	t.leap = LEAP_UNSYNC;
	ectx_send(cl->ctx, IMSG_LOG_TRACKING, 0, &t, sizeof(t));
}

void
client_tracking(const struct client *cl, struct rpt_tracking *r)
{
	const struct conf	*conf = cl->ctx->conf;
	const struct csrc	*b;
	int64_t			 now;

	r->last_offset_s = cl->last.last_offset_s;
	r->rms_offset_s = cl->last.rms_offset_s;
	r->residual_freq_ppm = cl->last.residual_freq_ppm;
	r->update_interval_s = cl->last.update_interval_s;
	if (cl->mode == REF_SOURCES && cl->best >= 0) {
		b = cl->srcs[cl->best];
		r->ref_id = client_refid_of(b);
		snprintf(r->ref_name, sizeof(r->ref_name), "%s", b->name);
		client_address_of(b, r->ref_address, sizeof(r->ref_address));
		r->stratum = b->src.stratum + 1;
		r->ref_time = cl->ref_time_ns * 1e-9;
		r->root_delay_s = cl->sel.root_delay_s;
		/* grown since the selection, as in the answers */
		now = ectx_now_ns(cl->ctx);
		r->root_dispersion_s = cl->sel.root_disp_s +
		    (now > cl->sel_ns ? (now - cl->sel_ns) * 1e-9 : 0.0) *
		    client_disp_rate(cl);
		r->skew_ppm = cl->sel.skew_ppm;
		r->leap = cl->leap == PKT_LEAP_INSERT ? LEAP_INSERT :
		    cl->leap == PKT_LEAP_DELETE ? LEAP_DELETE : LEAP_NORMAL;
	} else if (cl->mode == REF_LOCAL) {
		r->ref_id = PKT_REFID_LOCAL;
		r->stratum = conf->local_stratum;
		r->ref_time = ectx_now_ns(cl->ctx) * 1e-9;
		r->leap = LEAP_NORMAL;
	}
}

void
client_send_sourcestats(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_sourcestats	 r;
	struct sst_est		 e;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		client_address_of(s, r.address, sizeof(r.address));
		r.freq_skew_ppm = RPT_SKEW_UNKNOWN_PPM;
		r.stddev_s = RPT_STDDEV_UNKNOWN_S;
		if (sst_estimate(s->sst, now, &e) == 0) {
			r.n_samples = sst_count(s->sst);
			r.n_runs = e.runs;
			r.span_s = e.span_s;
			r.offset_s = e.offset_s;
		}
		/* no regression before three samples, as chronyd */
		if (r.n_samples >= SST_MIN_SAMPLES) {
			r.freq_ppm = e.freq_ppm;
			r.freq_skew_ppm = e.skew_ppm;
			r.stddev_s = e.stddev_s;
		}
		ectx_send(cl->ctx, IMSG_CTL_SOURCESTATS, peerid, &r,
		    sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

void
client_send_sources(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_source	 r;
	struct sst_est		 e;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		r.mode = s->rc != NULL ? RPT_MODE_REFCLOCK :
		    s->src.p.peer ? RPT_MODE_PEER : RPT_MODE_SERVER;
		r.state = s->state;
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		client_address_of(s, r.address, sizeof(r.address));
		r.port = s->conf->port;
		r.stratum = s->src.stratum;
		r.poll = s->src.poll;
		r.reach = s->src.reach;
		r.last_rx_s = s->src.last_rx_ns == 0 ? -1.0 :
		    (now - s->src.last_rx_ns) * 1e-9;
		if (sst_estimate(s->sst, now, &e) == 0) {
			r.offset_s = e.last_adjusted_s;
			r.measured_offset_s = e.last_offset_s;
		}
		r.error_s = s->error_s;
		r.nts = s->nts != NULL;
		ectx_send(cl->ctx, IMSG_CTL_SOURCES, peerid, &r, sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

void
client_activity(const struct client *cl, struct rpt_activity *r)
{
	const struct csrc	*s;
	int			 i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		if (!s->resolved)
			r->unresolved++;
		else if (s->src.burst_left > 0 && s->offline)
			r->burst_offline++;
		else if (s->src.burst_left > 0)
			r->burst_online++;
		else if (s->offline)
			r->offline++;
		else
			r->online++;
	}
}

static int
leap_of(int pkt_leap)
{
	switch (pkt_leap) {
	case PKT_LEAP_INSERT:
		return LEAP_INSERT;
	case PKT_LEAP_DELETE:
		return LEAP_DELETE;
	case PKT_LEAP_UNSYNC:
		return LEAP_UNSYNC;
	default:
		return LEAP_NORMAL;
	}
}

/* An address as a reference ID: IPv4 itself, IPv6 a hash (RFC 5905). */
static uint32_t
addr_refid(const char *text)
{
	struct in_addr	 a;
	struct in6_addr	 a6;
	uint32_t	 h = 2166136261u;
	int		 i;

	if (inet_pton(AF_INET, text, &a) == 1)
		return ntohl(a.s_addr);
	if (inet_pton(AF_INET6, text, &a6) != 1)
		return 0;
	for (i = 0; i < 16; i++)
		h = (h ^ a6.s6_addr[i]) * 16777619u;
	return h;
}

static void
ntpdata(const struct csrc *s, struct rpt_ntpdata *r)
{
	const struct src_last	*l = &s->src.last;
	const struct src_stats	*st = &s->src.stats;
	struct sst_est		 e;
	struct hwif_state	 hs;
	int64_t			 ref_ns;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", s->name);
	if (sst_estimate(s->sst, ectx_now_ns(s->cl->ctx), &e) == 0)
		r->jitter_asymmetry = e.asymmetry;
	client_address_of(s, r->remote_address, sizeof(r->remote_address));
	r->remote_refid = client_refid_of(s);
	r->remote_port = s->conf->port;
	r->total_tx = st->tx;
	r->total_rx = st->rx;
	r->total_valid_rx = st->rx - st->refused[SRC_MALFORMED] -
	    st->refused[SRC_DUPLICATE] - st->refused[SRC_BOGUS];
	r->total_good_rx = st->valid;
	r->authenticated = s->nts != NULL ? ntscl_authenticated(s->nts) :
	    s->conf->key != 0 && s->mac_ok > 0;
	/* what chronyd says before a reply: no address, no timestamps */
	r->tx_tss = r->rx_tss = RPT_TSS_NONE;
	if (!l->have)
		return;
	r->have_reply = 1;
	snprintf(r->local_address, sizeof(r->local_address), "%s", s->local);
	r->local_refid = addr_refid(s->local);
	r->tx_tss = tss_of(s->tx_src);
	r->rx_tss = tss_of(s->rx_src);
	if ((s->rx_src == HWTS_HARDWARE || s->tx_src == HWTS_HARDWARE) &&
	    hwif_state(s->cl->ctx->hw, s->rx_if_index, &hs) == 0) {
		memcpy(r->hw_iface, hs.name, sizeof(r->hw_iface));
		r->hw_samples = hs.samples;
		r->hw_offset_s = hs.offset_s;
		r->hw_freq_ppm = hs.freq_ppm;
		r->hw_err_s = hs.err_s;
	}
	r->leap = leap_of(l->pkt.leap);
	r->version = l->pkt.version;
	r->mode = l->pkt.mode;
	r->stratum = l->pkt.stratum;
	r->poll = l->pkt.poll;
	r->precision = l->pkt.precision;
	r->root_delay_s = pkt_short_to_s(l->pkt.root_delay);
	r->root_dispersion_s = pkt_short_to_s(l->pkt.root_disp);
	r->ref_id = l->pkt.refid;
	ref_ns = pkt_ts_to_ns(l->pkt.ref_ts, s->src.req.t1_ns);
	r->ref_time = l->pkt.ref_ts == 0 ? 0.0 : ref_ns * 1e-9;
	r->offset_s = l->offset_s;
	r->peer_delay_s = l->delay_s;
	r->peer_dispersion_s = l->disp_s;
	r->response_time_s = l->response_s;
	r->interleaved = l->interleaved;
	r->tests = l->tests;
}

int
client_send_ntpdata(const struct client *cl, const char *which,
    uint32_t peerid)
{
	struct rpt_ntpdata	 r;
	int			 i, n = 0;

	for (i = 0; i < cl->n; i++) {
		if (!cl->srcs[i]->resolved ||
		    !client_matches(cl->srcs[i], which))
			continue;
		ntpdata(cl->srcs[i], &r);
		ectx_send(cl->ctx, IMSG_CTL_NTPDATA, peerid, &r, sizeof(r));
		n++;
	}
	if (n > 0 || which[0] == '\0')
		ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
	return n;
}

/* chronyc selectdata's letter for a source; c: its candidate now. */
static char
select_state(const struct csrc *s, const struct sel_cand *c, int usable)
{
	if (s->conf->noselect)
		return 'N';
	/* never answered: unsynchronised, as chronyd, once it selected */
	if (s->src.denied || (s->src.stats.valid > 0 ?
	    s->src.leap == PKT_LEAP_UNSYNC : s->cl->sel_ns != 0))
		return 's';
	if (!usable)
		return 'M';
	if (s->state != SEL_BEST && client_orphan(s, c))
		return 'O';
	if (sel_distance(c) > s->cl->ctx->conf->maxdistance_s)
		return 'd';
	switch (s->state) {
	case SEL_BEST:
	case SEL_COMBINED:
	case SEL_FALSE:
	case SEL_JITTERY:
		return s->state;
	case SEL_NOTCOMB:
		return 'D';
	}
	return '?';
}

void
client_send_selectdata(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_selectdata	 r;
	struct sel_cand		 c;
	int64_t			 now = ectx_now_ns(cl->ctx);
	int			 i, usable;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		client_address_of(s, r.address, sizeof(r.address));
		usable = client_candidate(s, now, &c);
		r.state = select_state(s, &c, usable);
		r.authenticated = s->nts != NULL || s->conf->key != 0;
		r.conf_options = (s->conf->noselect ? RPT_SELOPT_NOSELECT : 0) |
		    (s->conf->prefer ? RPT_SELOPT_PREFER : 0) |
		    (s->conf->trust ? RPT_SELOPT_TRUST : 0) |
		    (s->conf->require ? RPT_SELOPT_REQUIRE : 0);
		r.eff_options = r.conf_options;
		r.last_sample_s = s->src.last_rx_ns == 0 ? -1.0 :
		    (now - s->src.last_rx_ns) * 1e-9;
		r.score = 1.0;
		if (usable) {
			r.lo_limit_s = c.offset_s - sel_distance(&c);
			r.hi_limit_s = c.offset_s + sel_distance(&c);
		}
		r.leap = s->src.stats.valid == 0 ? LEAP_UNSYNC :
		    leap_of(s->src.leap);
		ectx_send(cl->ctx, IMSG_CTL_SELECTDATA, peerid, &r,
		    sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}

int
client_source_name(const struct client *cl, const char *which,
    struct rpt_sourcename *r)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (which[0] != '\0' && client_matches(cl->srcs[i], which)) {
			snprintf(r->name, sizeof(r->name), "%s",
			    cl->srcs[i]->conf->name);
			return 0;
		}
	return -1;
}

/* authdata of a source with a key: chronyc's type numbers. */
static void
key_report(const struct csrc *s, struct rpt_authdata *r)
{
	static const int	 chrony_type[] = {
		[NTPKEY_MD5] = 1, [NTPKEY_SHA1] = 2, [NTPKEY_SHA256] = 3,
		[NTPKEY_SHA384] = 4, [NTPKEY_SHA512] = 5,
		[NTPKEY_AES128] = 13, [NTPKEY_AES256] = 14
	};
	int			 type, bits;

	r->mode = RPT_AUTH_SYMMETRIC;
	r->key_id = s->conf->key;
	if (s->cl->ctx->keys != NULL &&
	    ntpkeys_info(s->cl->ctx->keys, s->conf->key, &type, &bits) == 0 &&
	    type > 0 && type <= NTPKEY_AES256) {
		r->key_type = chrony_type[type];
		r->key_bits = bits;
	}
	r->auth_ok = s->mac_ok;
	r->auth_failed = s->mac_failed;
}

void
client_send_authdata(const struct client *cl, uint32_t peerid)
{
	const struct csrc	*s;
	struct rpt_authdata	 r;
	int			 i;

	for (i = 0; i < cl->n; i++) {
		s = cl->srcs[i];
		memset(&r, 0, sizeof(r));
		snprintf(r.name, sizeof(r.name), "%s", s->name);
		client_address_of(s, r.address, sizeof(r.address));
		r.last_ke_s = -1.0;
		if (s->nts != NULL)
			ntscl_report(s->nts, &r);
		else if (s->conf->key != 0)
			key_report(s, &r);
		ectx_send(cl->ctx, IMSG_CTL_AUTHDATA, peerid, &r, sizeof(r));
	}
	ectx_send(cl->ctx, IMSG_CTL_END, peerid, NULL, 0);
}
