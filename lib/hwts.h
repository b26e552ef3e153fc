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
 * Timestamps of a datagram (hwtimestamp): what the kernel's control
 * messages say of it (a software timestamp, a network card's hardware
 * one, the interface), the correction of a hardware receive timestamp
 * from the start of the frame to its end, and which timestamp to
 * believe, as chrony's ntp_io_linux.c decides.  Pure: the control
 * messages come in as bytes, the times as numbers.
 */

#ifndef TIMED_HWTS_H
#define TIMED_HWTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A timestamp further than this from the daemon's own reading of the
 * clock is not believed (chrony's MAX_TS_DELAY).
 */
#define HWTS_MAX_DELAY_NS	1000000000LL
/* Where UDP data start in a frame whose length is not reported: Ethernet
 * and IPv4 or IPv6 headers without options, as chrony assumes. */
#define HWTS_L2_UDP4		42
#define HWTS_L2_UDP6		62
#define HWTS_FCS		4	/* the frame check sequence */
/* The hardware clock's poll, log2 s (chrony's MIN_PHC_POLL, MAX_PHC_POLL) */
#define HWTS_MIN_POLL		-6
#define HWTS_MAX_POLL		20

/* What one datagram's control messages said; 0 for what they did not. */
struct hwts_cmsg {
	int64_t	sw_ns;		/* kernel (software) timestamp, system time */
	int64_t	hw_ns;		/* raw hardware timestamp, the card's clock */
	int	if_index;	/* the interface (SCM_TIMESTAMPING_PKTINFO,
				   else IP_PKTINFO) */
	int	l2_len;		/* length at layer 2 (SCM_TIMESTAMPING_PKTINFO) */
	int	tx_report;	/* a transmit timestamp from the error queue */
};

/* Which timestamp was taken (chrony's letters D, K, H). */
enum hwts_source {
	HWTS_DAEMON = 0,	/* the daemon's reading of the clock */
	HWTS_KERNEL,
	HWTS_HARDWARE
};

/*
 * Walk len bytes of control messages (a msghdr's msg_control as
 * recvmsg(2) left it): SCM_TIMESTAMPNS, SCM_TIMESTAMPING (software in
 * ts[0], hardware in ts[2]), SCM_TIMESTAMPING_PKTINFO, IP_PKTINFO,
 * IPV6_PKTINFO, and the error queue's IP_RECVERR/IPV6_RECVERR of origin
 * SO_EE_ORIGIN_TIMESTAMPING.  A message cut short ends the walk.
 */
void		 hwts_parse_cmsgs(const void *control, size_t len,
		    struct hwts_cmsg *);
/*
 * One control message of a walk the caller makes (payload, plen bytes),
 * into o, which the caller zeroed first: the server's walk, which also
 * copies the destination address into its answer.
 */
void		 hwts_parse_cmsg(int level, int type, const void *payload,
		    size_t plen, struct hwts_cmsg *o);
/*
 * How long after its start a received frame ended, ns: a card stamps the
 * end of a frame's preamble, NTP wants the end of the frame (chrony's
 * correction).  l2_len: the frame's length as the kernel reported it, or
 * 0 for the headers assumed (v6: IPv6) in front of udp_len bytes of NTP;
 * the FCS is added.  0 if the link speed (Mb/s) is not known.
 */
int64_t		 hwts_rx_frame_ns(int l2_len, size_t udp_len, int v6,
		    int link_mbps);
/*
 * The timestamp to believe, given the daemon's own reading daemon_ns, a
 * kernel one (0: none) and a hardware one converted to system time
 * (have_hw: converted; raw_hw: the card gave one, even if it could not
 * be converted).  A hardware timestamp first, then a kernel one (for a
 * transmit timestamp only when the card gave none, as chrony), each only
 * within HWTS_MAX_DELAY_NS of daemon_ns; else the daemon's.  The time
 * chosen in *out.
 */
enum hwts_source hwts_pick(int64_t daemon_ns, int64_t kernel_ns,
		    int have_hw, int64_t hw_ns, int raw_hw, int tx,
		    int64_t *out);
/* 'D', 'K' or 'H' */
char		 hwts_letter(enum hwts_source);

struct conf_hwts;
struct hwts_iface;
/*
 * The monitor's message for an interface from its hwtimestamp line's
 * options, clamped as chrony clamps them (minpoll -6..20, samples
 * 2..HWCLK_MAX_SAMPLES, precision 1 ns..1 ms, compensations within 1 s);
 * the interface's own fields are left alone.
 */
void		 hwts_iface_options(struct hwts_iface *,
		    const struct conf_hwts *);
/* 0 if a message from the monitor holds what it can hold, else -1. */
int		 hwts_iface_check(const struct hwts_iface *);

#endif
