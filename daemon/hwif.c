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
 * The cards' clocks and timestamps in the engine (hwif.h), as chrony's
 * ntp_io_linux.c: poll_phc(), process_hw_timestamp().
 */

#include <linux/net_tstamp.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ectx.h"
#include "hwclk.h"
#include "hwif.h"
#include "log.h"
#include "phc.h"
#include "xmalloc.h"

struct port {
	struct hwif		*hw;
	struct hwts_iface	 conf;
	struct phc		 phc;
	struct hwclk		*clk;
	struct event		*ev;
	int			 failing;	/* the clock cannot be read */
	enum hwclk_reason	 last;
};

struct hwif {
	struct ectx		*ctx;
	struct port		 ports[HWTS_IFACE_MAX];
	int			 n;
};

struct hwif *
hwif_new(struct ectx *ctx)
{
	struct hwif	*hw = xcalloc(1, sizeof(*hw));

	hw->ctx = ctx;
	return hw;
}

void
hwif_free(struct hwif *hw)
{
	int	 i;

	if (hw == NULL)
		return;
	for (i = hw->n - 1; i >= 0; i--) {
		if (hw->ports[i].ev != NULL)
			event_free(hw->ports[i].ev);
		hwclk_free(hw->ports[i].clk);
		close(hw->ports[i].phc.fd);
	}
	free(hw);
}

/* Read the card's clock against the system clock: one sample. */
static void
poll_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct port		*p = arg;
	struct hwclk_reading	 r[PHC_READINGS];
	struct hwclk_sample	 s;
	int			 n;

	if ((n = phc_read(&p->phc, r, PHC_READINGS)) == -1) {
		if (!p->failing)
			log_warnx("hwtimestamp %s: cannot read /dev/ptp%d: %s",
			    p->conf.name, p->conf.phc_index, strerror(errno));
		p->failing = 1;
		return;
	}
	if (p->failing)
		log_info("hwtimestamp %s: /dev/ptp%d read again",
		    p->conf.name, p->conf.phc_index);
	p->failing = 0;
	/* the readings' system times are the kernel's: the engine's time */
	if ((p->last = hwclk_readings(p->clk, r, n, &s)) != HWCLK_OK)
		return;
	s.sys_ns = ectx_sys_to_ns(p->hw->ctx, s.sys_ns);
	p->last = hwclk_add(p->clk, &s);
	if (p->last != HWCLK_OK && p->last != HWCLK_FEW)
		log_debug("hwtimestamp %s: clock sample: %s", p->conf.name,
		    hwclk_reason_name(p->last));
}

int
hwif_add(struct hwif *hw, const struct hwts_iface *m, int fd)
{
	struct port		*p;
	struct hwclk_params	 hp;
	struct timeval		 tv;
	double			 poll_s = ldexp(1.0, m->minpoll);

	if (hw->n == HWTS_IFACE_MAX)
		return -1;
	p = &hw->ports[hw->n];
	memset(p, 0, sizeof(*p));
	p->hw = hw;
	p->conf = *m;
	phc_init(&p->phc, fd, m->nocrossts);
	hp.min_samples = m->minsamples;
	hp.max_samples = m->maxsamples;
	hp.min_separation_s = poll_s;
	hp.precision_s = m->precision_s;
	if ((p->clk = hwclk_new(&hp)) == NULL ||
	    (p->ev = event_new(hw->ctx->base, -1, EV_PERSIST, poll_cb,
	    p)) == NULL)
		fatalx("hwtimestamp: out of memory");
	tv.tv_sec = (time_t)poll_s;
	tv.tv_usec = (suseconds_t)((poll_s - tv.tv_sec) * 1e6);
	if (event_add(p->ev, &tv) == -1)
		fatalx("hwtimestamp: event_add");
	hw->n++;
	poll_cb(-1, 0, p);	/* the first sample now */
	log_debug("hwtimestamp %s: index %d, /dev/ptp%d, %d Mb/s, poll %d",
	    m->name, m->if_index, m->phc_index, m->link_mbps, m->minpoll);
	return 0;
}

int
hwif_count(const struct hwif *hw)
{
	return hw == NULL ? 0 : hw->n;
}

int
hwif_socket_flags(const struct hwif *hw)
{
	if (hwif_count(hw) == 0)
		return 0;
	return SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_TX_HARDWARE |
	    SOF_TIMESTAMPING_RAW_HARDWARE | SOF_TIMESTAMPING_OPT_PKTINFO;
}

static struct port *
find(struct hwif *hw, int if_index)
{
	int	 i;

	if (hw == NULL || hw->n == 0)
		return NULL;
	for (i = 0; i < hw->n; i++)
		if (hw->ports[i].conf.if_index == if_index)
			return &hw->ports[i];
	/* not said: the only card there is */
	return if_index == 0 && hw->n == 1 ? &hw->ports[0] : NULL;
}

enum hwts_source
hwif_stamp(const struct ectx *ctx, const struct hwts_cmsg *c, int tx,
    size_t udp_len, int v6, int64_t daemon_ns, int64_t *out)
{
	struct hwif	*hw = ctx->hw;
	struct port	*p;
	int64_t		 kernel_ns = 0, hw_ns = 0, raw;
	double		 err;
	int		 have_hw = 0;

	if (c->sw_ns != 0)
		kernel_ns = ectx_sys_to_ns(ctx, c->sw_ns);
	if (c->hw_ns != 0 && (p = find(hw, c->if_index)) != NULL &&
	    (tx || p->conf.rx)) {
		raw = c->hw_ns;
		if (!tx)
			raw += hwts_rx_frame_ns(c->l2_len, udp_len, v6,
			    p->conf.link_mbps);
		if (hwclk_cook(p->clk, raw, &hw_ns, &err) == 0) {
			have_hw = 1;
			hw_ns += llround((tx ? p->conf.txcomp_s :
			    -p->conf.rxcomp_s) * 1e9);
		}
	}
	return hwts_pick(daemon_ns, kernel_ns, have_hw, hw_ns, c->hw_ns != 0,
	    tx, out);
}

void
hwif_correct(struct hwif *hw, int64_t now_ns, double dfreq_ppm,
    double doffset_s)
{
	int	 i;

	for (i = 0; i < hwif_count(hw); i++)
		hwclk_correct(hw->ports[i].clk, now_ns, dfreq_ppm, doffset_s);
}

void
hwif_reset(struct hwif *hw)
{
	int	 i;

	for (i = 0; i < hwif_count(hw); i++)
		hwclk_reset(hw->ports[i].clk);
}

int
hwif_state(const struct hwif *hw, int if_index, struct hwif_state *st)
{
	const struct port	*p = find((struct hwif *)hw, if_index);
	struct hwclk_est	 e;

	memset(st, 0, sizeof(*st));
	if (p == NULL)
		return -1;
	memcpy(st->name, p->conf.name, sizeof(st->name));
	st->method = phc_method_name(p->phc.method);
	if (hwclk_estimate(p->clk, &e) == 0) {
		st->samples = e.n;
		st->offset_s = e.offset_ns * 1e-9;
		st->freq_ppm = e.freq_ppm;
		st->err_s = e.err_s;
	}
	return 0;
}
