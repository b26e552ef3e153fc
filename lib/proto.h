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
 * Messages between the monitor and the network engine, and between
 * timectl and the monitor.  All payloads are fixed-size structs in host
 * byte order; strings are NUL-terminated inside their arrays and the
 * receiver checks that they are.
 */

#ifndef TIMED_PROTO_H
#define TIMED_PROTO_H

#include <stdint.h>

#include "imsg.h"
#include "tzif.h"
#include "vclock.h"

enum imsg_type {
	/* IMSG_HELLO = 1 (imsg.h) */

	/* monitor -> engine */
	IMSG_CLOCK_STATE = 16,	/* struct clock_state */
	IMSG_NTP_SOCKET,	/* no payload; a bound UDP server socket */
	IMSG_LEAP_TABLE,	/* struct leap_table: leapsectz's leaps */

	/* engine -> monitor */
	IMSG_LOG = 32,		/* struct log_msg */
	IMSG_ADJ_FREQ,		/* struct req_freq */
	IMSG_ADJ_OFFSET,	/* struct req_offset: slew, added to what is left */
	IMSG_STEP,		/* struct req_step */
	IMSG_SET_LEAP,		/* struct req_leap */
	IMSG_SET_SYNC,		/* struct req_sync */
	IMSG_ONESHOT,		/* struct oneshot_result: -q/-Q are done */
	IMSG_EXIT,		/* no payload: stop the daemon (maxchange) */

	/*
	 * Control: timectl -> monitor -> engine and back.  The monitor
	 * relays queries with peerid set to the connection, and the uid of
	 * the requester in pid.
	 */
	IMSG_CTL_TRACKING = 64,	/* no payload; answer struct rpt_tracking */
	IMSG_CTL_SOURCES,	/* no payload; answers struct rpt_source..., then END */
	IMSG_CTL_MAKESTEP,	/* no payload; answer IMSG_CTL_RESULT */
	IMSG_CTL_END,		/* end of a list answer */
	IMSG_CTL_RESULT,	/* struct ctl_result */
	IMSG_CTL_SERVERSTATS,	/* no payload; answer struct rpt_serverstats */
	IMSG_CTL_CLIENTS,	/* no payload; answers struct rpt_client..., END */
	IMSG_CTL_SOURCESTATS	/* no payload; answers struct rpt_sourcestats..., END */
};

#define CTL_OK			200	/* 200 OK */
#define CTL_FAILED		500	/* 500 Failure */
#define CTL_UNAUTH		501	/* 501 Not authorised */
#define CTL_INVALID		502	/* 502 Invalid command */
#define CTL_UNAVAIL		504	/* 504 Engine not running */

struct ctl_result {
	int32_t		code;
};

enum leap_status {
	LEAP_NORMAL,
	LEAP_INSERT,
	LEAP_DELETE,
	LEAP_UNSYNC
};

enum clock_kind {
	CLOCK_KIND_KERNEL,
	CLOCK_KIND_VIRTUAL,
	CLOCK_KIND_NONE		/* -x */
};

/*
 * What the monitor tells the engine after every change of the clock.
 * With the virtual clock, the engine reads time through model.
 */
struct clock_state {
	int32_t		kind;		/* enum clock_kind */
	int32_t		leap;		/* enum leap_status armed */
	double		freq_ppm;	/* compensated error; + uncorrected clock fast */
	double		skew_ppm;
	double		slew_left_s;	/* + the clock is still ahead by this */
	uint32_t	updates;	/* clock updates applied so far */
	uint32_t	refused;	/* requests of the engine refused so far */
	struct vclock	model;		/* the slew; the clock itself if virtual */
};

#define LOG_MSG_MAX		512
struct log_msg {
	int32_t		priority;	/* syslog priority */
	char		text[LOG_MSG_MAX];
};

struct req_freq {
	double		freq_ppm;	/* + the uncorrected clock runs fast */
	double		skew_ppm;
};

struct req_offset {
	double		offset_s;	/* + the clock is ahead: slow it; added */
					/* to the slew left when it arrives */
	double		rate_ppm;	/* > 0, at most maxslewrate */
};

struct req_step {
	double		offset_s;	/* + the clock is ahead: step back */
};

struct req_leap {
	int32_t		leap;		/* enum leap_status */
};

struct oneshot_result {
	int32_t		ok;		/* a source was selected */
	int32_t		stepped;	/* -q: the step was asked for */
	double		offset_s;	/* + the clock is ahead */
};

/* leapsectz: the leap seconds of the time zone, oldest first. */
struct leap_table {
	int32_t			n;	/* 0 to TZIF_MAX_LEAPS */
	int32_t			pad;
	struct tzif_leap	leaps[TZIF_MAX_LEAPS];
};

struct req_sync {
	int32_t		synced;		/* 1: synchronised to a source */
	double		est_error_s;	/* >= 0 */
	double		max_error_s;	/* >= 0 */
};

#define RPT_NAME_MAX		256
#define RPT_ADDR_MAX		64

struct rpt_tracking {
	uint32_t	ref_id;
	char		ref_name[RPT_NAME_MAX];
	int32_t		stratum;
	double		ref_time;		/* Unix seconds, 0: never */
	double		system_time_offset_s;	/* + the clock is fast */
	double		last_offset_s;
	double		rms_offset_s;
	double		freq_ppm;		/* + uncorrected clock runs fast */
	double		residual_freq_ppm;
	double		skew_ppm;
	double		root_delay_s;
	double		root_dispersion_s;
	double		update_interval_s;
	int32_t		leap;			/* enum leap_status */
	int32_t		clock;			/* enum clock_kind */
	double		virtual_true_offset_s;	/* virtual - system clock */
};

enum rpt_mode {
	RPT_MODE_SERVER,
	RPT_MODE_PEER,
	RPT_MODE_LOCAL,
	RPT_MODE_REFCLOCK
};

struct rpt_source {
	int32_t		mode;			/* enum rpt_mode */
	char		state;			/* '*', '+', '-', '?', 'x', '~' */
	char		name[RPT_NAME_MAX];
	char		address[RPT_ADDR_MAX];	/* numeric, "" if unresolved */
	uint16_t	port;
	int32_t		stratum;
	int32_t		poll;			/* log2 seconds */
	uint8_t		reach;
	double		last_rx_s;		/* seconds ago, < 0: never */
	double		offset_s;		/* adjusted offset */
	double		measured_offset_s;
	double		error_s;
	int32_t		nts;
};

/* One row of timectl sourcestats (chronyc's columns). */
struct rpt_sourcestats {
	char		name[RPT_NAME_MAX];
	char		address[RPT_ADDR_MAX];
	int32_t		n_samples;		/* NP */
	int32_t		n_runs;			/* NR */
	double		span_s;			/* Span */
	double		freq_ppm;		/* Frequency: + local runs fast */
	double		freq_skew_ppm;		/* Freq Skew */
	double		offset_s;		/* Offset: + local ahead */
	double		stddev_s;		/* Std Dev */
};

/* Server totals: chrony's serverstats fields, then timed's own. */
struct rpt_serverstats {
	uint64_t	ntp_rx;			/* NTP packets received */
	uint64_t	ntp_dropped;		/* received, not answered */
	uint64_t	cmd_rx;			/* control requests */
	uint64_t	cmd_dropped;
	uint64_t	log_dropped;		/* client records replaced */
	uint64_t	ntske_accepted;
	uint64_t	ntske_dropped;
	uint64_t	auth_ntp;		/* authenticated NTP packets */
	uint64_t	interleaved;
	uint64_t	ts_held;
	uint64_t	ts_span;
	/* timed */
	uint64_t	ntp_tx;			/* answers sent */
	uint64_t	kod_rate;		/* RATE kiss-o'-death sent */
	uint64_t	rate_limited;		/* dropped by the rate limiter */
	uint64_t	denied;			/* dropped by allow/deny */
	uint64_t	malformed[8];		/* by enum pkt_reason (pkt.h) */
	uint64_t	tx_errors;		/* answers the kernel refused */
};

struct rpt_client {
	char		address[RPT_ADDR_MAX];	/* numeric */
	uint64_t	ntp_hits;
	uint64_t	ntp_drops;		/* limited, dropped or KoD */
	int32_t		ntp_interval;		/* log2 s, 127: unknown */
	int32_t		ntp_interval_limited;	/* log2 s, 127: unknown */
	double		last_ntp_s;		/* seconds ago, < 0: never */
	uint64_t	cmd_hits;		/* always 0: no UDP commands */
	uint64_t	cmd_drops;
	int32_t		cmd_interval;
	double		last_cmd_s;
	uint64_t	kod_sent;
};

#endif
