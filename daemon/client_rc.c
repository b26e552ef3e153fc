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
 * The reference clocks (refclock): sources whose samples come from a
 * driver instead of NTP, as chronyd's refclock.c.  Every dpoll the
 * driver gives a raw sample (a PHC read against the system clock, a
 * pulse, gpsd's datagram, or what the monitor took from a SHM segment);
 * raw samples go to a median filter (lib/reffilt); every poll the
 * filter's result is one sample of the source's regression, which is
 * then selected and combined like any other.  The devices are the
 * monitor's, opened by it and handed over (monitor/refclock.c); the
 * engine only reads them.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <event2/event.h>
#include <linux/pps.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "client_int.h"
#include "ectx.h"
#include "hwclk.h"
#include "log.h"
#include "logfmt.h"
#include "phc.h"
#include "ppslock.h"
#include "reffilt.h"
#include "refshm.h"
#include "refsock.h"
#include "sst.h"
#include "xmalloc.h"

/* A driver's precision unless configured: what its samples resolve. */
#define PRECISION_US_S	1e-6	/* SHM and SOCK: microsecond fields */
#define PRECISION_NS_S	1e-8	/* PHC and PPS: nanoseconds, read by a */
				/* system call */

struct rclk {
	struct csrc			*s;
	const struct conf_refclock	*rc;
	struct reffilt			*filt;
	struct hwclk			*hw;	/* PHC: combines the readings; */
						/* NULL for the others */
	struct phc			 phc;
	int				 fd;	/* the monitor's; -1: none yet */
	struct event			*ev_drv; /* dpoll: PHC, PPS */
	struct event			*ev_rx;	/* SOCK */
	int				 dpolls; /* samples since the poll */
	int				 ticks;	/* PHC, PPS: driver polls */
						/* since the source's poll */
	int				 leap;	/* of the newest raw sample */
	double				 precision_s;
	uint32_t			 pps_seq; /* the last pulse's */
	int				 have_pps;
	int				 said;	/* a refusal was logged */
};

static double
poll_s(int log2)
{
	return ldexp(1.0, log2);
}

static void
log_sample(struct rclk *r, int64_t t_ns, int dpoll, int pps, double raw_s,
    double cooked_s, double disp_s)
{
	struct log_refclock	 m;

	if (!(r->s->cl->ctx->conf->log_flags & CONF_LOG_REFCLOCKS))
		return;
	memset(&m, 0, sizeof(m));
	m.time = t_ns * 1e-9;
	memcpy(m.refid, r->s->name, sizeof(m.refid) - 1);	/* 4 and NUL */
	m.dpoll = dpoll;
	m.leap = r->leap;
	m.pps = pps;
	m.raw_offset_s = raw_s;
	m.cooked_offset_s = cooked_s;
	m.disp_s = disp_s;
	/* the monitor refuses what its check does: an absurd sample */
	if (logfmt_check_refclock(&m) != NULL)
		return;
	ectx_send(r->s->cl->ctx, IMSG_LOG_REFCLOCK, 0, &m, sizeof(m));
}

static void
refuse(struct rclk *r, const char *why)
{
	if (!r->said)
		log_info("refclock %s: sample refused: %s (said once)",
		    r->s->name, why);
	else
		log_debug("refclock %s: sample refused: %s", r->s->name, why);
	r->said = 1;
}

/* The refclock whose refid is refid; NULL if none. */
static struct rclk *
find_refid(struct client *cl, uint32_t refid)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->rc != NULL &&
		    cl->srcs[i]->rc->rc->refid == refid)
			return cl->srcs[i]->rc;
	return NULL;
}

/* TAI - UTC at POSIX time t_s from leapsectz's table; -1 if unknown. */
static int
tai_offset(const struct ectx *ctx, int64_t t_s)
{
	int	 i, off = 10;

	/* 1972's ten seconds, then each leap: the table must be whole */
	if (ctx->leaps->n < 27)
		return -1;
	for (i = 0; i < ctx->leaps->n; i++)
		if (ctx->leaps->leaps[i].utc_s <= t_s)
			off += ctx->leaps->leaps[i].step;
	return off;
}

/*
 * A raw sample: at engine time t_ns the local clock was off_s ahead of
 * the reference (pulse: only modulo the period), disp_s its error.
 * The configured offset and TAI are applied, a pulse completed, and the
 * result offered to the filter.
 */
static void
raw_sample(struct rclk *r, int64_t t_ns, double off_s, double disp_s,
    int pulse)
{
	const struct conf_refclock	*rc = r->rc;
	struct ppslock_params		 pp;
	struct ppslock_ref		 ref;
	struct reffilt_sample		 fs;
	struct reffilt_sample		 last;
	struct rclk			*lk;
	struct rpt_tracking		 tr;
	enum ppslock_reason		 why;
	enum reffilt_reason		 fwhy;
	double				 raw = off_s, done;
	int64_t				 ref_s;
	int				 tai;

	disp_s += r->precision_s;
	if (rc->tai && !pulse) {
		/*
		 * TAI - UTC at the reference's time, not the local clock's,
		 * which may be days off before its first step (chrony's
		 * 124-tai): at its TAI time, then at the UTC time that gives,
		 * as chronyd's convert_tai_offset()
		 */
		ref_s = (t_ns - llround(off_s * 1e9)) / 1000000000LL;
		if ((tai = tai_offset(r->s->cl->ctx, ref_s)) == -1 ||
		    (tai = tai_offset(r->s->cl->ctx, ref_s - tai)) == -1) {
			refuse(r, "tai: no whole leapsectz table");
			return;
		}
		off_s += tai;
	}
	/* chronyd's offset is added to the true time */
	off_s -= rc->offset_s;
	if (pulse || rc->pps) {
		memset(&pp, 0, sizeof(pp));
		pp.rate_hz = rc->rate;
		pp.max_lock_age = rc->maxlockage;
		pp.width_s = rc->width_s;
		if (rc->lock != 0) {
			lk = find_refid(r->s->cl, rc->lock);
			if (lk == NULL || reffilt_last(lk->filt, &last) == -1)
				why = ppslock_lock(&pp, t_ns, off_s, disp_s,
				    NULL, &done);
			else {
				ref.time_ns = last.time_ns;
				ref.offset_s = last.offset_s;
				ref.disp_s = last.disp_s +
				    reffilt_avg_disp(lk->filt);
				why = ppslock_lock(&pp, t_ns, off_s, disp_s,
				    &ref, &done);
			}
		} else {
			client_tracking(r->s->cl, &tr);
			why = ppslock_unlocked(&pp, off_s,
			    r->s->cl->best >= 0 && r->s->cl->srcs[r->s->cl->
			    best] != r->s && tr.leap != 3,
			    tr.root_delay_s / 2 + tr.root_dispersion_s, &done);
		}
		if (why != PPSLOCK_OK) {
			refuse(r, ppslock_reason_name(why));
			return;
		}
		off_s = done;
	}
	memset(&fs, 0, sizeof(fs));	/* no delays: a refclock's */
	fs.time_ns = t_ns;
	fs.offset_s = off_s;
	fs.disp_s = disp_s;
	if ((fwhy = reffilt_add(r->filt, &fs, ectx_now_ns(r->s->cl->ctx))) !=
	    REFFILT_OK) {
		refuse(r, reffilt_reason_name(fwhy));
		return;
	}
	r->dpolls++;
	r->s->src.stats.rx++;
	log_sample(r, t_ns, r->dpolls, pulse || rc->pps, -raw, -off_s,
	    disp_s);
}

/* PHC: readings against the system clock, combined into one. */
static void
read_phc(struct rclk *r)
{
	struct hwclk_reading	 rd[PHC_READINGS];
	struct hwclk_sample	 hs;
	enum hwclk_reason	 why;
	int			 n;
	int64_t			 t;

	if ((n = phc_read(&r->phc, rd, PHC_READINGS)) == -1) {
		refuse(r, strerror(errno));
		return;
	}
	if ((why = hwclk_readings(r->hw, rd, n, &hs)) != HWCLK_OK) {
		refuse(r, hwclk_reason_name(why));
		return;
	}
	t = ectx_sys_to_ns(r->s->cl->ctx, hs.sys_ns);
	raw_sample(r, t, (t - hs.hw_ns) * 1e-9, hs.err_s, 0);
}

/* PPS: the newest edge, if it is a new one. */
static void
read_pps(struct rclk *r)
{
	struct pps_fdata	 d;
	struct pps_ktime	*k;
	uint32_t		 seq;
	int64_t			 t;

	memset(&d, 0, sizeof(d));
	/* a zero timeout: do not wait (PPS_TIME_INVALID would, forever) */
	if (ioctl(r->fd, PPS_FETCH, &d) == -1) {
		refuse(r, strerror(errno));
		return;
	}
	k = r->rc->clear ? &d.info.clear_tu : &d.info.assert_tu;
	seq = r->rc->clear ? d.info.clear_sequence : d.info.assert_sequence;
	if ((r->have_pps && seq == r->pps_seq) || (k->sec == 0 &&
	    k->nsec == 0))
		return;		/* no new pulse */
	r->have_pps = 1;
	r->pps_seq = seq;
	t = ectx_sys_to_ns(r->s->cl->ctx, k->sec * 1000000000LL + k->nsec);
	raw_sample(r, t, ppslock_edge_offset(t, r->rc->rate), 0.0, 1);
}

static void	rc_poll(struct csrc *);

/*
 * PHC, PPS: read the device; every 2^(poll - dpoll) reads, the source's
 * poll, right after the read (chronyd's order), so that a poll never
 * waits a dpoll for the sample it takes.
 */
static void
drv_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rclk	*r = arg;

	if (r->rc->driver == CONF_RC_PHC)
		read_phc(r);
	else
		read_pps(r);
	if (++r->ticks >= 1 << (r->rc->src.minpoll - r->rc->dpoll)) {
		r->ticks = 0;
		rc_poll(r->s);
	}
}

/* SOCK: gpsd's datagrams. */
static void
sock_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rclk		*r = arg;
	struct refsock_sample	 s;
	enum refsock_reason	 why;
	uint8_t			 buf[REFSOCK_SIZE + 1];
	ssize_t			 n;
	int64_t			 t;
	int			 i;

	for (i = 0; i < 16; i++) {	/* a burst; the loop goes on */
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1)
			return;
		if ((why = refsock_decode(buf, (size_t)n, &s)) != REFSOCK_OK) {
			refuse(r, refsock_reason_name(why));
			continue;
		}
		r->leap = s.leap;
		t = ectx_sys_to_ns(r->s->cl->ctx, s.local_ns);
		raw_sample(r, t, s.offset_s + (t - s.local_ns) * 1e-9, 0.0,
		    s.pulse);
	}
}

void
client_rc_shm(struct client *cl, const struct refclock_shm *m)
{
	struct rclk	*r = NULL;
	int64_t		 t;
	int		 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->rc != NULL &&
		    cl->srcs[i]->rc->rc->index == m->index &&
		    cl->srcs[i]->rc->rc->driver == CONF_RC_SHM)
			r = cl->srcs[i]->rc;
	if (r == NULL)
		return;
	if (m->reason != REFSHM_OK) {
		refuse(r, refshm_reason_name((enum refshm_reason)m->reason));
		return;
	}
	r->leap = m->leap;
	t = ectx_sys_to_ns(cl->ctx, m->local_ns);
	raw_sample(r, t, (t - m->ref_ns) * 1e-9, 0.0, 0);
}

int
client_rc_device(struct client *cl, const struct refclock_dev *m, int fd)
{
	struct rclk	*r = NULL;
	struct timeval	 tv;
	double		 d;
	int		 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->rc != NULL &&
		    cl->srcs[i]->rc->rc->index == m->index)
			r = cl->srcs[i]->rc;
	if (r == NULL || (int)r->rc->driver != m->driver ||
	    r->rc->driver == CONF_RC_SHM)
		return -1;
	/* a new engine gets each once; the monitor never sends it twice */
	if (r->fd != -1)
		return -1;
	r->fd = fd;
	if (r->rc->driver == CONF_RC_SOCK) {
		if ((r->ev_rx = event_new(cl->ctx->base, fd,
		    EV_READ | EV_PERSIST, sock_cb, r)) == NULL ||
		    event_add(r->ev_rx, NULL) == -1)
			fatalx("refclock: event_new");
		return 0;
	}
	if (r->rc->driver == CONF_RC_PHC)
		phc_init(&r->phc, fd, r->rc->nocrossts);
	d = poll_s(r->rc->dpoll);
	tv.tv_sec = (time_t)d;
	tv.tv_usec = (suseconds_t)((d - (double)tv.tv_sec) * 1e6);
	if ((r->ev_drv = event_new(cl->ctx->base, -1, EV_PERSIST, drv_cb,
	    r)) == NULL || event_add(r->ev_drv, &tv) == -1)
		fatalx("refclock: event_new");
	/*
	 * The first read now, as chronyd's: a poll sooner.  Called, not
	 * made active: libevent would then take the timer's next run as
	 * the one just done and skip it.
	 */
	drv_cb(-1, EV_TIMEOUT, r);
	return 0;
}

/*
 * The source's poll: the filter's result, if it has one, is a sample
 * of the regression; the reach register shifts either way.
 */
static void
rc_poll(struct csrc *s)
{
	struct rclk		*r = s->rc;
	struct reffilt_sample	 out;
	struct sst_sample	 sm;
	enum reffilt_reason	 why;

	r->dpolls = 0;
	s->src.reach <<= 1;
	s->src.stats.tx++;
	if (s->offline || (why = reffilt_get(r->filt, &out)) != REFFILT_OK) {
		if (s->src.reach == 0 && s->state != SEL_UNUSABLE)
			client_reference(s->cl, NULL);
		return;
	}
	memset(&sm, 0, sizeof(sm));
	sm.time_ns = out.time_ns;
	sm.offset_s = out.offset_s;
	sm.delay_s = r->rc->delay_s;
	sm.disp_s = out.disp_s;
	sm.stratum = r->rc->stratum;
	s->src.reach |= 1;
	s->src.stats.valid++;
	s->src.last_rx_ns = out.time_ns;
	s->src.leap = r->leap;
	s->error_s = sm.delay_s / 2 + sm.disp_s;
	log_sample(r, out.time_ns, -1, -1, 0.0, -out.offset_s, out.disp_s);
	if (sst_add(s->sst, &sm) != SST_OK)
		return;
	client_log_statistics(s, sm.time_ns);
	client_reference(s->cl, s);
}

/* SHM, SOCK: the samples come when they come; the poll is a timer. */
static void
rc_poll_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct csrc	*s = arg;

	if (s->rc->rc->driver != CONF_RC_SHM &&
	    s->rc->rc->driver != CONF_RC_SOCK)
		return;		/* timectl online: the driver polls on */
	client_schedule(s, (int64_t)(poll_s(s->rc->rc->src.minpoll) * 1e9));
	rc_poll(s);
}

struct csrc *
client_rc_new(struct client *cl, const struct conf_refclock *rc)
{
	struct csrc		*s = xcalloc(1, sizeof(*s));
	struct rclk		*r = xcalloc(1, sizeof(*r));
	struct src_params	 p;
	struct reffilt_params	 fp;
	struct hwclk_params	 hp;

	s->cl = cl;
	s->conf = &rc->src;
	s->fd = -1;
	s->old_fd = -1;
	s->state = SEL_UNUSABLE;
	s->resolved = 1;
	s->rc = r;
	snprintf(s->name, sizeof(s->name), "%s", rc->src.name);
	memset(&p, 0, sizeof(p));
	p.minpoll = p.maxpoll = rc->src.minpoll;
	p.maxdelay_s = 3.0;
	p.polltarget = rc->src.polltarget;
	src_init(&s->src, &p, ectx_now_ns(cl->ctx));
	s->src.poll = rc->src.minpoll;
	s->src.stratum = rc->stratum;
	s->src.refid = rc->refid;
	r->s = s;
	r->rc = rc;
	r->fd = -1;
	r->precision_s = rc->precision_s > 0 ? rc->precision_s :
	    rc->driver == CONF_RC_PHC || rc->driver == CONF_RC_PPS ?
	    PRECISION_NS_S : PRECISION_US_S;
	memset(&fp, 0, sizeof(fp));
	fp.length = reffilt_length(rc->filter, rc->src.minpoll, rc->dpoll);
	fp.max_disp_s = rc->maxdispersion_s;
	fp.precision_s = r->precision_s;
	fp.poll_log2 = rc->src.minpoll;
	memset(&hp, 0, sizeof(hp));
	hp.min_samples = HWCLK_MIN_SAMPLES;
	hp.max_samples = HWCLK_MAX_SAMPLES;
	hp.min_separation_s = 0.0;
	hp.precision_s = r->precision_s;
	if ((r->filt = reffilt_new(&fp)) == NULL ||
	    (rc->driver == CONF_RC_PHC && (r->hw = hwclk_new(&hp)) == NULL) ||
	    (s->sst = sst_new()) == NULL ||
	    (s->ev_poll = evtimer_new(cl->ctx->base, rc_poll_cb, s)) == NULL)
		fatalx("refclock %s: out of memory", rc->src.name);
	sst_set_samples(s->sst, rc->src.minsamples != 0 ? rc->src.minsamples :
	    cl->ctx->conf->minsamples, rc->src.maxsamples != 0 ?
	    rc->src.maxsamples : cl->ctx->conf->maxsamples);
	cl->srcs[cl->n++] = s;
	return s;
}

void
client_rc_check_locks(struct client *cl)
{
	int	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->srcs[i]->rc != NULL && cl->srcs[i]->rc->rc->lock != 0 &&
		    find_refid(cl, cl->srcs[i]->rc->rc->lock) == NULL)
			log_warnx("refclock %s: lock: no refclock has that "
			    "refid; its pulses are not used", cl->srcs[i]->name);
}

void
client_rc_start(struct csrc *s)
{
	const struct conf_refclock	*rc = s->rc->rc;

	/*
	 * PHC, PPS: their driver's timer polls (drv_cb()).  SHM, SOCK: the
	 * first poll one dpoll early, where chronyd's comes (after its
	 * 2^(poll - dpoll)th driver poll, the first at the start).
	 */
	if (rc->driver == CONF_RC_SHM || rc->driver == CONF_RC_SOCK)
		client_schedule(s, (int64_t)((poll_s(rc->src.minpoll) -
		    poll_s(rc->dpoll)) * 1e9));
}

void
client_rc_correct(struct csrc *s, int64_t now_ns, double dfreq_ppm,
    double doffset_s)
{
	reffilt_correct(s->rc->filt, now_ns, dfreq_ppm, doffset_s);
}

void
client_rc_free(struct csrc *s)
{
	struct rclk	*r = s->rc;

	if (r->ev_drv != NULL)
		event_free(r->ev_drv);
	if (r->ev_rx != NULL)
		event_free(r->ev_rx);
	if (r->fd != -1)
		close(r->fd);
	reffilt_free(r->filt);
	hwclk_free(r->hw);
	free(r);
	s->rc = NULL;
}
