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
 * Timestamps of a datagram (hwts.h).
 */

#include <sys/socket.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "hwclk.h"
#include "hwts.h"
#include "proto.h"

#ifndef SCM_TIMESTAMPING_PKTINFO
#define SCM_TIMESTAMPING_PKTINFO	58
#endif

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

void
hwts_parse_cmsg(int level, int type, const void *payload, size_t plen,
    struct hwts_cmsg *o)
{
	const uint8_t			*data = payload;
	struct timespec			 ts[3];
	struct scm_ts_pktinfo		 tpi;
	struct in_pktinfo		 pi;
	struct in6_pktinfo		 pi6;
	struct sock_extended_err	 ee;

	if (level == SOL_SOCKET && type == SCM_TIMESTAMPNS &&
	    plen >= sizeof(ts[0])) {
		memcpy(&ts[0], data, sizeof(ts[0]));
		if (ts_ns(&ts[0]) != 0)
			o->sw_ns = ts_ns(&ts[0]);
	} else if (level == SOL_SOCKET && type == SCM_TIMESTAMPING &&
	    plen >= sizeof(ts)) {
		memcpy(ts, data, sizeof(ts));
		/* a zero one says nothing: SO_TIMESTAMPNS's may be there */
		if (ts_ns(&ts[0]) != 0)
			o->sw_ns = ts_ns(&ts[0]);
		if (ts_ns(&ts[2]) != 0)
			o->hw_ns = ts_ns(&ts[2]);
	} else if (level == SOL_SOCKET && type == SCM_TIMESTAMPING_PKTINFO &&
	    plen >= sizeof(tpi)) {
		memcpy(&tpi, data, sizeof(tpi));
		/* the interface that stamped it: before IP_PKTINFO's */
		o->if_index = (int)tpi.if_index;
		o->l2_len = (int)tpi.pkt_length;
	} else if (level == IPPROTO_IP && type == IP_PKTINFO &&
	    plen >= sizeof(pi)) {
		memcpy(&pi, data, sizeof(pi));
		if (o->if_index == 0)
			o->if_index = pi.ipi_ifindex;
	} else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO &&
	    plen >= sizeof(pi6)) {
		memcpy(&pi6, data, sizeof(pi6));
		if (o->if_index == 0)
			o->if_index = (int)pi6.ipi6_ifindex;
	} else if (((level == IPPROTO_IP && type == IP_RECVERR) ||
	    (level == IPPROTO_IPV6 && type == IPV6_RECVERR)) &&
	    plen >= sizeof(ee)) {
		memcpy(&ee, data, sizeof(ee));
		if (ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING)
			o->tx_report = 1;
	}
}

void
hwts_parse_cmsgs(const void *control, size_t len, struct hwts_cmsg *o)
{
	const uint8_t	*p = control;
	struct cmsghdr	 c;
	size_t		 off = 0, step;

	memset(o, 0, sizeof(*o));
	/* as CMSG_NXTHDR, without trusting a length to stay inside */
	while (p != NULL && len - off >= sizeof(c)) {
		memcpy(&c, p + off, sizeof(c));
		if (c.cmsg_len < CMSG_LEN(0) || c.cmsg_len > len - off)
			break;
		hwts_parse_cmsg(c.cmsg_level, c.cmsg_type,
		    p + off + CMSG_LEN(0), c.cmsg_len - CMSG_LEN(0), o);
		step = CMSG_ALIGN(c.cmsg_len);
		if (step > len - off)
			break;
		off += step;
	}
}

int64_t
hwts_rx_frame_ns(int l2_len, size_t udp_len, int v6, int link_mbps)
{
	int64_t	 bytes;

	if (link_mbps <= 0 || udp_len > 65535 || l2_len < 0 ||
	    l2_len > 65535)
		return 0;
	bytes = l2_len > 0 ? l2_len :
	    (v6 ? HWTS_L2_UDP6 : HWTS_L2_UDP4) + (int64_t)udp_len;
	bytes += HWTS_FCS;
	/* 8 bits a byte at link_mbps bits a microsecond */
	return (bytes * 8 * 1000 + link_mbps / 2) / link_mbps;
}

static int
near(int64_t a, int64_t b)
{
	return a - b <= HWTS_MAX_DELAY_NS && b - a <= HWTS_MAX_DELAY_NS;
}

enum hwts_source
hwts_pick(int64_t daemon_ns, int64_t kernel_ns, int have_hw, int64_t hw_ns,
    int raw_hw, int tx, int64_t *out)
{
	if (have_hw && near(hw_ns, daemon_ns)) {
		*out = hw_ns;
		return HWTS_HARDWARE;
	}
	if (kernel_ns != 0 && (!tx || !raw_hw) && near(kernel_ns, daemon_ns)) {
		*out = kernel_ns;
		return HWTS_KERNEL;
	}
	*out = daemon_ns;
	return HWTS_DAEMON;
}

char
hwts_letter(enum hwts_source s)
{
	return s == HWTS_HARDWARE ? 'H' : s == HWTS_KERNEL ? 'K' : 'D';
}

static int
clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double
clamp_dbl(double v, double lo, double hi, double dflt)
{
	if (!(v == v))		/* NaN */
		return dflt;
	return v < lo ? lo : v > hi ? hi : v;
}

void
hwts_iface_options(struct hwts_iface *m, const struct conf_hwts *h)
{
	m->minpoll = clamp_int(h->minpoll, HWTS_MIN_POLL, HWTS_MAX_POLL);
	m->maxsamples = clamp_int(h->maxsamples, HWCLK_MIN_SAMPLES,
	    HWCLK_MAX_SAMPLES);
	m->minsamples = clamp_int(h->minsamples, HWCLK_MIN_SAMPLES,
	    m->maxsamples);
	m->nocrossts = h->nocrossts != 0;
	m->precision_s = clamp_dbl(h->precision_s, 1e-9, 1e-3, 100e-9);
	m->rxcomp_s = clamp_dbl(h->rxcomp_s, -1.0, 1.0, 0.0);
	m->txcomp_s = clamp_dbl(h->txcomp_s, -1.0, 1.0, 0.0);
}

int
hwts_iface_check(const struct hwts_iface *m)
{
	if (memchr(m->name, '\0', sizeof(m->name)) == NULL ||
	    m->name[0] == '\0' || m->if_index <= 0 || m->phc_index < 0 ||
	    m->link_mbps < 0 || (m->rx != 0 && m->rx != 1) ||
	    m->minpoll < HWTS_MIN_POLL || m->minpoll > HWTS_MAX_POLL ||
	    m->maxsamples < HWCLK_MIN_SAMPLES ||
	    m->maxsamples > HWCLK_MAX_SAMPLES ||
	    m->minsamples < HWCLK_MIN_SAMPLES ||
	    m->minsamples > m->maxsamples ||
	    (m->nocrossts != 0 && m->nocrossts != 1))
		return -1;
	/* written so that NaN fails */
	if (!(m->precision_s >= 1e-9 && m->precision_s <= 1e-3) ||
	    !(m->rxcomp_s >= -1.0 && m->rxcomp_s <= 1.0) ||
	    !(m->txcomp_s >= -1.0 && m->txcomp_s <= 1.0))
		return -1;
	return 0;
}
