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
 * The engine's context: what each part of the network engine (the NTP
 * client and server, the NTS material, client and server) sees of the
 * engine and of the others.  engine.c fills it in and wires the parts
 * together through its hooks; a part includes this header and lib/'s,
 * never the header of another part (regress/check-daemon-deps.sh; the
 * client's NTS client of a source is the client's own).  A unit test
 * drives a part against a context of its own (regress/unit/shell_ctx.h).
 */

#ifndef TIMED_ECTX_H
#define TIMED_ECTX_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "imsg.h"
#include "ntske.h"
#include "pkt.h"
#include "proto.h"
#include "smooth.h"

/*
 * Event priorities: answering NTP first, NTS-KE (TLS, the costly part)
 * last, one callback at a time, so that a flood of handshakes delays an
 * answer by one TLS step at most.
 */
#define ECTX_PRIO_NTP		0
#define ECTX_PRIO_DEFAULT	1	/* libevent's for 3 priorities */
#define ECTX_PRIO_NTSKE		2
#define ECTX_NPRIO		3

struct event_base;
struct evdns_base;
struct ntpkeys;
struct hwif;

/*
 * The parts' ways to each other, which engine.c wires (arg: its own).
 * Each is called through the ectx_ function of the same name.
 */
struct ectx_hooks {
	/* A frame is queued for the monitor: send it when the channel can. */
	void	(*queued)(void *arg);
	/* The client's reference changed: the server's answers follow. */
	void	(*ref_changed)(void *arg);
	/* The client's reference, for the server: client_server_state(). */
	int	(*reference)(void *arg, struct srv_state *, int64_t *disp_ns,
		    double *disp_rate);
	/* A certset has new trusted certificates: the NTS clients retry. */
	void	(*trust_changed)(void *arg, int certset);
	/* An NTS client starts NTS-KE: ntsmat_client_start(). */
	struct ntske_conn *(*ntske_start)(void *arg,
		    const struct conf_source *, ntske_request_fn,
		    ntske_done_fn, void *fnarg);
	/* The NTS server (ntsserver.h), for the NTS-KE and NTP servers. */
	int	(*nts_serving)(void *arg);
	size_t	(*nts_early_size)(void *arg);
	void	(*nts_ke_early)(void *arg, SSL *, void *early);
	int	(*nts_ke_answer)(void *arg, SSL *, void *early,
		    const uint8_t *req, size_t reqlen, uint8_t *resp,
		    size_t *resplen);
	size_t	(*nts_respond)(void *arg, const uint8_t *req, size_t reqlen,
		    uint8_t *out, size_t outsize, size_t hdrlen,
		    struct rpt_serverstats *);
	/*
	 * Symmetric mode (the client's peers): what the server says of
	 * itself now; the address of the NTP port's socket of a family
	 * (-1: none, or a wildcard); a packet to a peer from the NTP port
	 * (-1: no socket of its family); a peer's packet that came to the
	 * NTP port, 1 if it is a configured peer's.
	 */
	void	(*served_state)(void *arg, struct srv_state *);
	int	(*peer_local)(void *arg, int family, struct sockaddr_storage *);
	int	(*peer_send)(void *arg, const struct sockaddr *, socklen_t,
		    const void *pkt, size_t len);
	int	(*peer_rx)(void *arg, const struct sockaddr *from,
		    const uint8_t *pkt, size_t len, int64_t rx_ns);
};

struct ectx {
	struct conf		*conf;
	struct event_base	*base;		/* ECTX_NPRIO priorities */
	struct evdns_base	*dns;		/* set up before the chroot */
	struct imsgbuf		*ibuf;		/* to the monitor */
	/*
	 * The clock as the monitor last told it (have_cs: it did), and as
	 * the requests since moved it: read-only, it is &clock, which only
	 * ectx.c and engine.c write.
	 */
	const struct clock_state *cs;
	int			 have_cs;
	const struct leap_table	*leaps;		/* leapsectz; n 0 if none */
	struct ntpkeys		*keys;		/* keyfile; NULL if none */
	struct hwif		*hw;		/* hwtimestamp; NULL if none */
	int			 noclock;	/* -x */
	int			 oneshot;	/* 'q', 'Q' or 0 */
	/*
	 * In clknetsim (regress/sim/timed-sim): sendmsg for sendmmsg, one
	 * iovec a request, getaddrinfo for evdns, and the error queue read
	 * once right after a send that asked for a transmit timestamp, as
	 * chronyd is woken for it there: clknetsim keeps the last such
	 * datagram of a socket for MSG_ERRQUEUE, and without one hands
	 * over a received datagram instead.
	 */
	int			 sim;
	const struct ectx_hooks	*hooks;
	void			*hooks_arg;
	/* cs's and leaps': written by ectx.c and engine.c alone */
	struct clock_state	 clock;
	struct leap_table	 leap_table;
	/* smoothtime: what the server adds to the engine's time (ectx.c) */
	struct smooth		 smooth;
	/*
	 * chrony's experimental field (lib/pkt.h): every offset slewed
	 * since mono_epoch began (a random number, new at each step), so
	 * that the engine's time plus this moves with the frequency alone.
	 */
	double			 mono_offset_s;
	uint32_t		 mono_epoch;
};

/*
 * Point cs and leaps at the context's own, set the hooks, smoothtime,
 * the first mono_epoch.
 */
void	ectx_init(struct ectx *, const struct ectx_hooks *, void *arg);
/* The clock was stepped (ours or not): a new mono_epoch. */
void	ectx_mono_reset(struct ectx *);
/* An NTP timestamp of the served time on the mono clock; 0 smoothed. */
uint64_t ectx_mono_ts(const struct ectx *, uint64_t ntp_ts);

/*
 * smoothtime (lib/smooth.h): the clock was corrected, now_ns its time
 * after: doffset_s taken off it, its compensation grown by dfreq_ppm,
 * skew_ppm its frequency's uncertainty.  A step, ours or another
 * program's, is served as it is: ectx_smooth_reset().
 */
void	ectx_smooth_correct(struct ectx *, int64_t now_ns, double doffset_s,
	    double dfreq_ppm, double skew_ppm);
void	ectx_smooth_reset(struct ectx *, int64_t now_ns);
void	ectx_smooth_leap(struct ectx *, int64_t now_ns, int leap);
/*
 * timectl smoothtime reset (the clock served as it is) or activate (now,
 * whatever the skew): 0 without smoothtime.
 */
int	ectx_smooth_ctl(struct ectx *, int activate);
/* timectl smoothing: 0 without smoothtime, else 1 and r filled. */
int	ectx_smoothing(const struct ectx *, struct rpt_smoothing *r);
/* The time to serve for the engine's time t_ns: t_ns with smoothtime's. */
int64_t	ectx_served_ns(const struct ectx *, int64_t t_ns);

/*
 * Every clock update so far: makestep's count (cs->updates) and the one
 * provisional update it leaves out (lim_count_update()).
 */
uint32_t ectx_updates(const struct ectx *);

/* The system clock (CLOCK_REALTIME) now, ns. */
int64_t	ectx_sys_ns(void);
/* The time now as the engine sees it (the virtual clock's if any), ns. */
int64_t	ectx_now_ns(const struct ectx *);
/* A system (CLOCK_REALTIME) time, e.g. a kernel timestamp, as the engine's. */
int64_t	ectx_sys_to_ns(const struct ectx *, int64_t sys_ns);

/* Queue a frame to the monitor: an answer to timectl, a log record. */
void	ectx_send(struct ectx *, uint32_t type, uint32_t peerid,
	    const void *, size_t);

/*
 * The requests to the monitor (the monitor checks each against its
 * limits).  Offsets: positive, the clock is ahead.  Those that change
 * the clock change the engine's copy at once, at system time sys_ns, so
 * that the engine's time counts them in full from now on.
 *
 * IMSG_STEP: step by offset_s and what is left of the slew.
 * provisional: made from one sample, not counted toward makestep's limit
 * (once; lim_count_update()).
 */
void	ectx_priv_step(struct ectx *, int64_t sys_ns, double offset_s,
	    int provisional);
/* IMSG_ADJ_OFFSET: slew offset_s more, all of it at rate_ppm. */
void	ectx_priv_slew(struct ectx *, int64_t sys_ns, double offset_s,
	    double rate_ppm, int provisional);
/* IMSG_ADJ_FREQ: the clock's frequency error (+: the clock is fast). */
void	ectx_priv_freq(struct ectx *, int64_t sys_ns, double freq_ppm,
	    double skew_ppm);
/* IMSG_SET_SYNC, IMSG_SET_LEAP: kernel status, RTC sync, leap second. */
void	ectx_priv_sync(struct ectx *, const struct req_sync *);
void	ectx_priv_leap(struct ectx *, const struct req_leap *);
/* IMSG_ONESHOT: -q/-Q are done; IMSG_EXIT: the daemon stops. */
void	ectx_priv_oneshot(struct ectx *, const struct oneshot_result *);
void	ectx_priv_exit(struct ectx *);

/* The hooks (struct ectx_hooks). */
void	ectx_ref_changed(struct ectx *);
int	ectx_reference(const struct ectx *, struct srv_state *,
	    int64_t *disp_ns, double *disp_rate);
void	ectx_trust_changed(struct ectx *, int certset);
struct ntske_conn *ectx_ntske_start(struct ectx *, const struct conf_source *,
	    ntske_request_fn, ntske_done_fn, void *arg);
int	ectx_nts_serving(const struct ectx *);
size_t	ectx_nts_early_size(const struct ectx *);
void	ectx_nts_ke_early(struct ectx *, SSL *, void *early);
int	ectx_nts_ke_answer(struct ectx *, SSL *, void *early,
	    const uint8_t *req, size_t reqlen, uint8_t *resp, size_t *resplen);
size_t	ectx_nts_respond(struct ectx *, const uint8_t *req, size_t reqlen,
	    uint8_t *out, size_t outsize, size_t hdrlen,
	    struct rpt_serverstats *);
void	ectx_served_state(const struct ectx *, struct srv_state *);
int	ectx_peer_local(const struct ectx *, int family,
	    struct sockaddr_storage *);
int	ectx_peer_send(struct ectx *, const struct sockaddr *, socklen_t,
	    const void *pkt, size_t len);
int	ectx_peer_rx(struct ectx *, const struct sockaddr *from,
	    const uint8_t *pkt, size_t len, int64_t rx_ns);

#endif
