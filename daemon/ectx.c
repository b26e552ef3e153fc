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

#include <sys/random.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ectx.h"
#include "lim.h"
#include "log.h"
#include "vclock.h"

int64_t
ectx_sys_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
ectx_init(struct ectx *ctx, const struct ectx_hooks *hooks, void *arg)
{
	ctx->cs = &ctx->clock;
	ctx->leaps = &ctx->leap_table;
	ctx->hooks = hooks;
	ctx->hooks_arg = arg;
	smooth_init(&ctx->smooth, ctx->conf->smooth_max_freq_ppm,
	    ctx->conf->smooth_max_wander_ppm, ctx->conf->smooth_leaponly);
	ectx_mono_reset(ctx);
}

void
ectx_mono_reset(struct ectx *ctx)
{
	uint32_t	 e;

	if (getrandom(&e, sizeof(e), 0) != sizeof(e))
		fatal("getrandom");
	ctx->mono_epoch = e;
	ctx->mono_offset_s = 0.0;
}

/*
 * As chronyd: none while smoothtime hides a correction (the served time
 * is then no longer the engine's).
 */
uint64_t
ectx_mono_ts(const struct ectx *ctx, uint64_t ntp_ts)
{
	if (ctx->smooth.active)
		return 0;
	return ntp_ts + (uint64_t)llround(ctx->mono_offset_s * 4294967296.0);
}

uint32_t
ectx_updates(const struct ectx *ctx)
{
	return ctx->cs->updates + (ctx->cs->provisional != 0 &&
	    ctx->cs->updates < UINT32_MAX);
}

void
ectx_smooth_correct(struct ectx *ctx, int64_t now_ns, double doffset_s,
    double dfreq_ppm, double skew_ppm)
{
	int	 was = ctx->smooth.active;

	smooth_correct(&ctx->smooth, now_ns, doffset_s, dfreq_ppm, skew_ppm);
	if (!was && ctx->smooth.active)
		log_info("smoothtime: time smoothing activated (skew %.3f "
		    "ppm)", skew_ppm);
}

void
ectx_smooth_leap(struct ectx *ctx, int64_t now_ns, int leap)
{
	smooth_leap(&ctx->smooth, now_ns, leap);
}

void
ectx_smooth_reset(struct ectx *ctx, int64_t now_ns)
{
	smooth_reset(&ctx->smooth, now_ns);
}

int
ectx_smooth_ctl(struct ectx *ctx, int activate)
{
	if (!smooth_enabled(&ctx->smooth))
		return 0;
	if (activate && !ctx->smooth.active) {
		ctx->smooth.active = 1;
		log_info("smoothtime: time smoothing activated");
	}
	smooth_reset(&ctx->smooth, ectx_now_ns(ctx));
	return 1;
}

int
ectx_smoothing(const struct ectx *ctx, struct rpt_smoothing *r)
{
	const struct smooth	*s = &ctx->smooth;
	int64_t			 now = ectx_now_ns(ctx);
	double			 rate, accel;

	if (!smooth_enabled(s))
		return 0;
	r->leaponly = s->leaponly;
	r->active = s->active;
	if (!s->active)
		return 1;
	r->offset_s = smooth_offset(s, now, &rate, &accel);
	r->freq_ppm = rate * 1e6;
	r->wander_ppm = accel * 1e6;
	r->last_update_ago_s = (double)(now - s->at_ns) * 1e-9;
	r->remaining_s = smooth_remaining(s, now);
	return 1;
}

int64_t
ectx_served_ns(const struct ectx *ctx, int64_t t_ns)
{
	if (!ctx->smooth.active)
		return t_ns;
	return t_ns + (int64_t)llround(smooth_offset(&ctx->smooth, t_ns, NULL,
	    NULL) * 1e9);
}

/*
 * The engine's time is chrony's "cooked" time: the clock as it reads, the
 * model's with the virtual clock or -x, less what is still being slewed
 * away; so a correction counts in full as soon as it is asked for.
 */
int64_t
ectx_sys_to_ns(const struct ectx *ctx, int64_t sys_ns)
{
	double	 off = 0.0;

	if (!ctx->have_cs)
		return sys_ns;
	if (ctx->cs->kind != CLOCK_KIND_KERNEL)
		off = vclock_offset(&ctx->cs->model, sys_ns);
	off -= vclock_slew_left(&ctx->cs->model, sys_ns);
	return sys_ns + (int64_t)(off * 1e9);
}

int64_t
ectx_now_ns(const struct ectx *ctx)
{
	return ectx_sys_to_ns(ctx, ectx_sys_ns());
}

void
ectx_send(struct ectx *ctx, uint32_t type, uint32_t peerid,
    const void *data, size_t len)
{
	if (imsg_compose(ctx->ibuf, type, peerid, getpid(), -1, data,
	    len) == -1) {
		/* The monitor does not read: nothing else to do. */
		exit(1);
	}
	ctx->hooks->queued(ctx->hooks_arg);
}

/*
 * The monitor adds the offset to what is left of its slew when the
 * request arrives; the engine's copy does the same now.
 */
void
ectx_priv_step(struct ectx *ctx, int64_t sys_ns, double offset_s,
    int provisional)
{
	struct clock_state	*cs = &ctx->clock;
	struct req_step		 st;

	memset(&st, 0, sizeof(st));
	st.offset_s = offset_s + vclock_slew_left(&cs->model, sys_ns);
	st.provisional = provisional;
	ectx_send(ctx, IMSG_STEP, 0, &st, sizeof(st));
	vclock_step(&cs->model, sys_ns, st.offset_s);
	ectx_mono_reset(ctx);
	lim_count_update(&cs->updates, &cs->provisional, provisional);
	log_info("stepping the clock by %+.9f s", -st.offset_s);
}

void
ectx_priv_slew(struct ectx *ctx, int64_t sys_ns, double offset_s,
    double rate_ppm, int provisional)
{
	struct clock_state	*cs = &ctx->clock;
	struct req_offset	 o;
	double			 left = vclock_slew_left(&cs->model, sys_ns);

	memset(&o, 0, sizeof(o));
	o.offset_s = offset_s;
	o.rate_ppm = rate_ppm;	/* for offset_s + left */
	o.provisional = provisional;
	ectx_send(ctx, IMSG_ADJ_OFFSET, 0, &o, sizeof(o));
	vclock_slew(&cs->model, sys_ns, offset_s + left, o.rate_ppm);
	ctx->mono_offset_s += offset_s;
	lim_count_update(&cs->updates, &cs->provisional, provisional);
}

void
ectx_priv_freq(struct ectx *ctx, int64_t sys_ns, double freq_ppm,
    double skew_ppm)
{
	struct clock_state	*cs = &ctx->clock;
	struct req_freq		 f;

	f.freq_ppm = freq_ppm;
	f.skew_ppm = skew_ppm;
	ectx_send(ctx, IMSG_ADJ_FREQ, 0, &f, sizeof(f));
	vclock_set_freq(&cs->model, sys_ns, f.freq_ppm);
	cs->freq_ppm = f.freq_ppm;
	cs->skew_ppm = f.skew_ppm;
}

void
ectx_priv_sync(struct ectx *ctx, const struct req_sync *r)
{
	ectx_send(ctx, IMSG_SET_SYNC, 0, r, sizeof(*r));
}

void
ectx_priv_leap(struct ectx *ctx, const struct req_leap *r)
{
	ectx_send(ctx, IMSG_SET_LEAP, 0, r, sizeof(*r));
}

void
ectx_priv_oneshot(struct ectx *ctx, const struct oneshot_result *r)
{
	ectx_send(ctx, IMSG_ONESHOT, 0, r, sizeof(*r));
}

void
ectx_priv_exit(struct ectx *ctx)
{
	ectx_send(ctx, IMSG_EXIT, 0, NULL, 0);
}

void
ectx_ref_changed(struct ectx *ctx)
{
	ctx->hooks->ref_changed(ctx->hooks_arg);
}

int
ectx_reference(const struct ectx *ctx, struct srv_state *st,
    int64_t *disp_ns, double *disp_rate)
{
	return ctx->hooks->reference(ctx->hooks_arg, st, disp_ns, disp_rate);
}

void
ectx_trust_changed(struct ectx *ctx, int certset)
{
	ctx->hooks->trust_changed(ctx->hooks_arg, certset);
}

struct ntske_conn *
ectx_ntske_start(struct ectx *ctx, const struct conf_source *src,
    ntske_request_fn request, ntske_done_fn done, void *arg)
{
	return ctx->hooks->ntske_start(ctx->hooks_arg, src, request, done,
	    arg);
}

int
ectx_nts_serving(const struct ectx *ctx)
{
	return ctx->hooks->nts_serving(ctx->hooks_arg);
}

size_t
ectx_nts_early_size(const struct ectx *ctx)
{
	return ctx->hooks->nts_early_size(ctx->hooks_arg);
}

void
ectx_nts_ke_early(struct ectx *ctx, SSL *ssl, void *early)
{
	ctx->hooks->nts_ke_early(ctx->hooks_arg, ssl, early);
}

int
ectx_nts_ke_answer(struct ectx *ctx, SSL *ssl, void *early,
    const uint8_t *req, size_t reqlen, uint8_t *resp, size_t *resplen)
{
	return ctx->hooks->nts_ke_answer(ctx->hooks_arg, ssl, early, req,
	    reqlen, resp, resplen);
}

size_t
ectx_nts_respond(struct ectx *ctx, const uint8_t *req, size_t reqlen,
    uint8_t *out, size_t outsize, size_t hdrlen, struct rpt_serverstats *st)
{
	return ctx->hooks->nts_respond(ctx->hooks_arg, req, reqlen, out,
	    outsize, hdrlen, st);
}

void
ectx_served_state(const struct ectx *ctx, struct srv_state *st)
{
	ctx->hooks->served_state(ctx->hooks_arg, st);
}

int
ectx_peer_local(const struct ectx *ctx, int family,
    struct sockaddr_storage *ss)
{
	return ctx->hooks->peer_local(ctx->hooks_arg, family, ss);
}

int
ectx_peer_send(struct ectx *ctx, const struct sockaddr *to, socklen_t tolen,
    const void *pkt, size_t len)
{
	return ctx->hooks->peer_send(ctx->hooks_arg, to, tolen, pkt, len);
}

int
ectx_peer_rx(struct ectx *ctx, const struct sockaddr *from,
    const uint8_t *pkt, size_t len, int64_t rx_ns)
{
	return ctx->hooks->peer_rx(ctx->hooks_arg, from, pkt, len, rx_ns);
}
