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

/*
 * The descriptors the monitor hands the engine it starts, at these
 * numbers (every other one is closed): its end of the channel, and the
 * configuration as the monitor parsed it.
 */
#define ENGINE_FD		3
#define ENGINE_CONF_FD		4
/* The path the engine reads the configuration from: "/dev/fd/4". */
#define ENGINE_CONF_PATH	"/dev/fd/" PROTO_STR(ENGINE_CONF_FD)
#define PROTO_STR(x)		PROTO_STR1(x)
#define PROTO_STR1(x)		#x

enum imsg_type {
	/* IMSG_HELLO = 1 (imsg.h) */

	/* monitor -> engine */
	IMSG_CLOCK_STATE = 16,	/* struct clock_state */
	IMSG_NTP_SOCKET,	/* no payload; a bound UDP server socket */
	IMSG_LEAP_TABLE,	/* struct leap_table: leapsectz's leaps */
	IMSG_PING,		/* struct heartbeat: the watchdog; answer PONG */
	IMSG_BLAME_PAGE,	/* no payload; memfd: struct blame_page */
	IMSG_BLOCK_PEER,	/* struct peer_block: ignore this peer */

	/* engine -> monitor */
	IMSG_LOG = 32,		/* struct log_msg */
	IMSG_ADJ_FREQ,		/* struct req_freq */
	IMSG_ADJ_OFFSET,	/* struct req_offset: slew, added to what is left */
	IMSG_STEP,		/* struct req_step */
	IMSG_SET_LEAP,		/* struct req_leap */
	IMSG_SET_SYNC,		/* struct req_sync */
	IMSG_ONESHOT,		/* struct oneshot_result: -q/-Q are done */
	IMSG_EXIT,		/* no payload: stop the daemon (maxchange) */
	IMSG_PONG,		/* struct heartbeat: the PING's, echoed */

	/*
	 * engine -> monitor: lines of chrony's log files (logdir, log),
	 * sent only for the logs the configuration enables.
	 */
	IMSG_LOG_MEASUREMENT = 48,	/* struct log_measurement */
	IMSG_LOG_STATISTICS,		/* struct log_statistics */
	IMSG_LOG_TRACKING,		/* struct log_tracking */
	IMSG_LOG_REFCLOCK,		/* struct log_refclock */

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
	IMSG_CTL_CLIENTS,	/* timectl: no payload; monitor -> engine:
				   struct ctl_page; answers struct rpt_client
				   (at most CTL_PAGE_MAX), then MORE or END */
	IMSG_CTL_SOURCESTATS,	/* no payload; answers struct rpt_sourcestats..., END */
	IMSG_CTL_ACTIVITY,	/* no payload; answer struct rpt_activity */
	IMSG_CTL_NTPDATA,	/* struct ctl_select; answers struct rpt_ntpdata..., END */
	IMSG_CTL_BURST,		/* struct ctl_burst; answer IMSG_CTL_RESULT */
	IMSG_CTL_ONLINE,	/* struct ctl_select; answer IMSG_CTL_RESULT */
	IMSG_CTL_OFFLINE,	/* struct ctl_select; answer IMSG_CTL_RESULT */
	IMSG_CTL_RELOAD_SOURCES, /* no payload; answer IMSG_CTL_RESULT */
	IMSG_CTL_ADD_SOURCE,	/* monitor -> engine: struct ctl_source_conf */
	IMSG_CTL_DEL_SOURCE,	/* monitor -> engine: struct ctl_source_conf */
	IMSG_CTL_SET_MAKESTEP,	/* struct ctl_makestep; answer IMSG_CTL_RESULT */
	IMSG_CTL_AUTHDATA,	/* no payload; answers struct rpt_authdata..., END */
	IMSG_CTL_MORE,		/* engine -> monitor: struct ctl_page, the
				   next page of a paged answer; never relayed */
	IMSG_CTL_ONOFFLINE,	/* no payload; answer IMSG_CTL_RESULT */
	IMSG_CTL_SOURCENAME,	/* struct ctl_select; answer struct
				   rpt_sourcename, or IMSG_CTL_RESULT 503 */
	IMSG_CTL_SELECTDATA,	/* no payload; answers struct rpt_selectdata..., END */
	IMSG_CTL_RESET_SOURCES,	/* no payload; answer IMSG_CTL_RESULT */
	IMSG_CTL_REKEY,		/* no payload; the monitor answers */
	IMSG_CTL_CYCLELOGS,	/* no payload; the monitor answers */
	IMSG_CTL_SMOOTHING,	/* no payload; answer struct rpt_smoothing,
				   or IMSG_CTL_RESULT 505 */
	IMSG_CTL_SMOOTH_RESET,	/* no payload; answer IMSG_CTL_RESULT */
	IMSG_CTL_SMOOTH_ACTIVATE, /* no payload; answer IMSG_CTL_RESULT */
	IMSG_CTL_DOFFSET,	/* struct ctl_doffset; the monitor answers */

	/*
	 * NTS material, monitor -> engine, each with a descriptor: memfds
	 * (sealed) of PEM text the monitor read, and listening sockets.
	 * Sent after the hello; the server certificates again on SIGHUP.
	 */
	IMSG_NTS_SERVER_CERT = 96, /* struct nts_cert_msg; memfd: chain, key */
	IMSG_NTS_SERVER_CERTS_END, /* no payload: the set is complete */
	IMSG_NTS_TRUST,		/* struct nts_trust_msg; memfd: CA certs */
	IMSG_NTS_KE_SOCKET,	/* no payload; a listening TCP socket */
	/*
	 * The NTS server's cookie master keys, as the text of the key file
	 * (lib/nts.h), at most NTS_KEYFILE_MAX bytes, no NUL.
	 */
	IMSG_NTS_KEYS,		/* monitor -> engine, after the hello, before
				   the NTS-KE sockets; empty: no keys yet */
	IMSG_NTS_KEYS_SAVE,	/* engine -> monitor: new keys (never a seed)
				   to keep and write to ntsdumpdir */

	/*
	 * The NTS client's keys and cookies (ntsdumpdir), as chronyd's
	 * NAME.nts files: the engine sends each NTS source's at exit and
	 * hourly, the monitor writes them; at start the monitor sends what
	 * it read back, before the clock state.
	 */
	IMSG_NTS_CLIENT_DUMP = 112,	/* engine -> monitor: struct nts_dump */
	IMSG_NTS_CLIENT_STATE,		/* monitor -> engine: struct nts_dump */
	/* The keyfile (symmetric keys), checked; after the hello. */
	IMSG_NTP_KEYFILE,		/* monitor -> engine; memfd: its text */

	/*
	 * Reference clocks (refclock): the monitor opens each device and
	 * hands the engine a descriptor (PHC, PPS: read-only ioctls; SOCK:
	 * the bound socket), or reads the SHM segment itself and passes
	 * each sample on, decoded and checked.
	 */
	IMSG_REFCLOCK_DEV = 128,	/* struct refclock_dev; the fd */
	IMSG_REFCLOCK_SHM		/* struct refclock_shm */
};

struct refclock_dev {
	int32_t		index;		/* conf_refclock's */
	int32_t		driver;		/* enum conf_rc_driver */
};

/* A sample the monitor took from a SHM segment (lib/refshm.h). */
struct refclock_shm {
	int32_t		index;		/* conf_refclock's */
	int32_t		reason;		/* enum refshm_reason: OK, or why */
					/* the sample taken was refused */
	int64_t		ref_ns;		/* the reference's time */
	int64_t		local_ns;	/* the system clock's (CLOCK_REALTIME) */
	int32_t		leap;		/* REFSHM_LEAP_NONE.._DELETE */
	int32_t		precision;	/* log2 s, as the writer said */
};

#define NTS_DUMP_COOKIES	8	/* NTS_MAX_COOKIES */
#define NTS_DUMP_COOKIE_MAX	256	/* NTS_COOKIE_MAX */
#define NTS_DUMP_KEY_LEN	32	/* AEAD 15 */
#define NTS_DUMP_NAME_MAX	256	/* the source's name, NUL included */

/* One NTS source's state; lib/nts_dump.c checks and encodes it. */
struct nts_dump {
	char		name[NTS_DUMP_NAME_MAX];	/* as configured */
	double		ke_time;	/* Unix s of the NTS-KE exchange */
	uint32_t	sessions;	/* NTS-KE exchanges so far */
	int32_t		aead;		/* 15 */
	uint8_t		c2s[NTS_DUMP_KEY_LEN];
	uint8_t		s2c[NTS_DUMP_KEY_LEN];
	char		server[NTS_DUMP_NAME_MAX];	/* "": none */
	int32_t		port;		/* -1: none */
	int32_t		n_cookies;	/* 1..NTS_DUMP_COOKIES */
	uint16_t	cookie_len[NTS_DUMP_COOKIES];
	uint8_t		cookie[NTS_DUMP_COOKIES][NTS_DUMP_COOKIE_MAX];
};

#define NTS_PEM_MAX		(4 * 1024 * 1024)	/* bytes in one memfd */
#define NTS_MAX_CERTS		8	/* ntsservercert/ntsserverkey pairs */
#define NTS_MAX_TRUST		16	/* certsets */
#define NTS_MAX_KE_SOCKETS	16

struct nts_cert_msg {
	int32_t		index;		/* 0: the default certificate */
};

struct nts_trust_msg {
	int32_t		certset;	/* ntstrustedcerts set id, certset */
	int32_t		system;		/* 1: with the system's trust store */
};

/*
 * What the engine is handling, in a page it shares with the monitor, so
 * that after a crash the monitor knows which peer's input was in
 * progress.  The engine writes it, the monitor only reads it.
 */
#define BLAME_NONE		0
#define BLAME_NTP		1	/* an NTP packet from addr */
#define BLAME_NTSKE		2	/* NTS-KE (TLS) from addr */

struct blame_page {
	uint32_t	kind;		/* BLAME_*, 0: nothing from outside */
	uint32_t	family;		/* AF_INET, AF_INET6 */
	uint8_t		addr[16];
};

/* A peer that was being handled at engine deaths: ignored for a while. */
struct peer_block {
	uint32_t	family;		/* AF_INET, AF_INET6 */
	uint8_t		addr[16];
	int32_t		prefix_len;	/* 32 for IPv4, 64 for IPv6 */
	int32_t		seconds;	/* from now */
};

/* The watchdog's heartbeat: the monitor's sequence number, echoed. */
struct heartbeat {
	uint64_t	seq;
};

#define CTL_OK			200	/* 200 OK */
#define CTL_FAILED		500	/* 500 Failure */
#define CTL_UNAUTH		501	/* 501 Not authorised */
#define CTL_INVALID		502	/* 502 Invalid command */
#define CTL_NOSOURCE		503	/* 503 No such source */
#define CTL_UNAVAIL		504	/* 504 Engine not running */
#define CTL_NOTENABLED		505	/* 505 Facility not enabled in daemon */
#define CTL_UNEXPECTED		520	/* timectl's for a code of 0 */

struct ctl_result {
	int32_t		code;
};

/*
 * A long list (timectl clients) comes a page at a time: the monitor asks
 * for the next page only when timectl has read the last, so neither
 * process queues more than a page per connection.
 */
#define CTL_PAGE_MAX		64	/* records in one page */

struct ctl_page {
	uint32_t	first;		/* where the page starts; 0 at first */
};

/*
 * Which sources a command is for: a numeric address or a name as
 * configured; "" for all of them.
 */
#define CTL_SELECT_MAX		256
struct ctl_select {
	char		which[CTL_SELECT_MAX];
};

/* timectl burst GOOD/MAX [ADDRESS] */
#define CTL_BURST_MAX		64	/* most exchanges of one burst */
struct ctl_burst {
	struct ctl_select sel;
	int32_t		good;		/* 1..max */
	int32_t		max;		/* 1..CTL_BURST_MAX */
};

/*
 * timectl makestep THRESHOLD LIMIT: step when the offset exceeds
 * threshold_s during the next limit updates (-1: always).  From timectl,
 * limit counts from now; the monitor forwards it to the engine counted
 * from the first update (as clock_state.updates counts).
 */
/*
 * timectl doffset SECONDS (chronyc's doffset): the clock is taken to be
 * that much ahead (+) and slewed back at maxslewrate, added to the slew
 * in progress.
 */
struct ctl_doffset {
	double		offset_s;
};

struct ctl_makestep {
	double		threshold_s;
	int32_t		limit;
	uint32_t	pad;
};

/*
 * A source of a sourcedir file, as the monitor read it (timectl reload
 * sources): the engine adds or removes the source it describes.
 */
struct ctl_source_conf {
	int32_t		type;		/* enum conf_src_type */
	char		name[CTL_SELECT_MAX];
	uint16_t	port;
	uint16_t	ntsport;
	int32_t		iburst;
	int32_t		burst;
	int32_t		minpoll;
	int32_t		maxpoll;
	int32_t		prefer;
	int32_t		noselect;
	int32_t		trust;
	int32_t		require;
	int32_t		xleave;
	int32_t		nts;
	int32_t		certset;
	uint32_t	key;
	double		maxdelay_s;
	int32_t		polltarget;
	int32_t		maxsources;
	double		offset_s;
	double		mindelay_s;
	double		asymmetry;
	double		maxdelayratio;
	int32_t		filter;
	double		maxdelaydevratio;
	double		maxdelayquant;
	int32_t		presend;
	int32_t		offline;
	int32_t		auto_offline;
	int32_t		copy;
	int32_t		exp1;		/* extfield F323 */
	int32_t		minsamples;	/* 0..128, 0: not given */
	int32_t		maxsamples;
	int32_t		family;		/* 0, 4, 6 */
	int32_t		minstratum;
	int32_t		version;	/* 0: 4 */
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
	uint32_t	updates;	/* clock updates counted so far */
	int32_t		provisional;	/* the uncounted one was made (lim.h) */
	uint32_t	refused;	/* requests of the engine refused so far */
	uint32_t	foreign;	/* steps of the clock not ours so far */
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
	int32_t		provisional;	/* from one sample, no frequency yet */
	uint32_t	pad;
};

struct req_step {
	double		offset_s;	/* + the clock is ahead: step back */
	int32_t		provisional;	/* as req_offset's */
	uint32_t	pad;
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

/*
 * Log records (lib/logfmt.h formats them).  Offsets and frequencies are
 * in timed's signs (+ the local clock is ahead, runs fast); the
 * formatter turns them into chrony's columns.  Times are Unix seconds on
 * the daemon's clock.
 */

/* measurements.log: a valid reply of a source. */
struct log_measurement {
	double		time;			/* of the sample (T1 + T4) / 2 */
	char		address[RPT_ADDR_MAX];	/* numeric */
	int32_t		leap;			/* NTP LI of the reply, 0..3 */
	int32_t		stratum;		/* 0..255 */
	uint32_t	tests;			/* LOG_TESTS bits, 1 = passed */
	int32_t		local_poll;		/* log2 s */
	int32_t		remote_poll;
	double		score;
	double		offset_s;		/* + the local clock is ahead */
	double		delay_s;		/* peer delay, >= 0 */
	double		disp_s;			/* peer dispersion, >= 0 */
	double		root_delay_s;		/* the source's, >= 0 */
	double		root_disp_s;
	uint32_t	refid;
	int32_t		mode;			/* NTP mode of the reply, 0..7 */
	int32_t		interleaved;		/* 0 or 1 */
	char		tx_ts;			/* 'D' daemon, 'K' kernel, 'H' */
	char		rx_ts;
};

/*
 * refclocks.log: a reference clock's sample, raw (as its driver read it)
 * or filtered (what a poll of the source took from the median filter).
 * chrony's signs: the offsets are true time - local time.
 */
struct log_refclock {
	double		time;			/* local time of the sample */
	char		refid[5];		/* the refclock's, as text */
	int32_t		dpoll;			/* raw: driver polls since the */
						/* source's poll; -1: filtered */
	int32_t		leap;			/* 0..3 (NTP LI) */
	int32_t		pps;			/* raw: 1 a pulse, 0 a time; */
						/* -1: filtered */
	double		raw_offset_s;		/* raw: as measured, before */
						/* the offset option */
	double		cooked_offset_s;	/* corrected: + local slow */
	double		disp_s;			/* >= 0 */
};

/* RFC 5905 tests 1-3, 5-7 and chrony's A-D, first bit leftmost. */
#define LOG_TESTS_ALL		0x3ff
#define LOG_TEST_A		0x008	/* chronyd's tests A to D, */
#define LOG_TEST_B		0x004	/* the last four bits */
#define LOG_TEST_C		0x002
#define LOG_TEST_D		0x001

/* statistics.log: a source's regression after a new sample. */
struct log_statistics {
	double		time;			/* of the newest sample */
	char		address[RPT_ADDR_MAX];
	double		stddev_s;		/* >= 0 */
	double		offset_s;		/* + the local clock is ahead */
	double		offset_sd_s;		/* >= 0 */
	double		freq_ppm;		/* + the local clock runs fast */
	double		skew_ppm;		/* >= 0 */
	double		stress;			/* |old - new freq| / old skew */
	int32_t		n_samples;		/* used by the regression */
	int32_t		best_start;		/* samples dropped, oldest first */
	int32_t		n_runs;
	double		asymmetry;		/* -0.5 .. 0.5 */
};

/* tracking.log: an update of the clock. */
struct log_tracking {
	double		time;
	char		ref[RPT_ADDR_MAX];	/* address, or reference ID */
	int32_t		stratum;		/* 0..16 */
	double		freq_ppm;		/* + uncorrected clock runs fast */
	double		skew_ppm;		/* >= 0 */
	double		offset_s;		/* + the clock is ahead */
	int32_t		leap;			/* enum leap_status */
	int32_t		combined;		/* sources combined, >= 0 */
	double		offset_sd_s;		/* >= 0 */
	double		remaining_s;		/* slew still to do: + ahead */
	double		root_delay_s;		/* >= 0 */
	double		root_disp_s;		/* >= 0 */
	double		max_error_s;		/* >= 0 */
};

struct rpt_tracking {
	uint32_t	ref_id;
	char		ref_name[RPT_NAME_MAX];
	char		ref_address[RPT_ADDR_MAX];	/* numeric, "" if none */
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

/*
 * What chronyd reports of a source without a regression (fewer than
 * three samples): its worst-case frequency bound and deviation.
 */
#define RPT_SKEW_UNKNOWN_PPM	2000.0
#define RPT_STDDEV_UNKNOWN_S	4.0

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
	uint64_t	nts_naks;		/* NTS NAKs (kiss NTSN) sent */
	uint64_t	nts_dropped;		/* NTS requests malformed, or
						   no answer could be made */
	uint64_t	ntsonly_refused;	/* plain requests of ntsonly
						   clients, not answered */
};

/* timectl activity */
/* chronyc smoothing: smoothtime's state (lib/smooth.h). */
struct rpt_smoothing {
	int32_t		active;		/* corrections are smoothed */
	int32_t		leaponly;	/* smoothtime ... leaponly */
	double		offset_s;	/* + the served time is ahead */
	double		freq_ppm;	/* + the served time runs faster */
	double		wander_ppm;	/* per second, + speeding up */
	double		last_update_ago_s;
	double		remaining_s;	/* until the offset is back to 0 */
};

struct rpt_activity {
	int32_t		online;
	int32_t		offline;
	int32_t		burst_online;	/* doing a burst, then online */
	int32_t		burst_offline;	/* doing a burst, then offline */
	int32_t		unresolved;	/* no address yet */
};

/* Which RFC 5905 tests the last reply passed (chronyc ntpdata). */
#define RPT_TEST_DUPLICATE	0x200	/* 1: not a duplicate */
#define RPT_TEST_BOGUS		0x100	/* 2: origin is our request */
#define RPT_TEST_ZERO_TS	0x080	/* 3: timestamps not zero */
#define RPT_TEST_AUTH		0x040	/* 5: authentication */
#define RPT_TEST_SYNC		0x020	/* 6: the server is synchronised */
#define RPT_TEST_DISTANCE	0x010	/* 7: root distance */
#define RPT_TEST_MAXDELAY	0x008	/* delay within maxdelay */
#define RPT_TEST_DELAYRATIO	0x004
#define RPT_TEST_DELAYDEV	0x002
#define RPT_TEST_SOURCE_SYNC	0x001	/* the server's stratum, leap */
#define RPT_TESTS_ALL		0x3ff

enum rpt_tss {
	RPT_TSS_NONE = -1,	/* no reply yet: chronyc's "Invalid" */
	RPT_TSS_DAEMON,
	RPT_TSS_KERNEL,
	RPT_TSS_HARDWARE
};

/* timectl ntpdata: one source's last exchange, as chronyc ntpdata. */
struct rpt_ntpdata {
	char		name[RPT_NAME_MAX];
	char		remote_address[RPT_ADDR_MAX];	/* numeric */
	uint32_t	remote_refid;		/* as in its reference ID */
	uint16_t	remote_port;
	char		local_address[RPT_ADDR_MAX];	/* "" if unknown */
	uint32_t	local_refid;
	int32_t		have_reply;		/* 0: nothing below is known */
	int32_t		leap;			/* enum leap_status */
	int32_t		version;
	int32_t		mode;			/* PKT_MODE_* of the reply */
	int32_t		stratum;
	int32_t		poll;			/* log2 s */
	int32_t		precision;		/* log2 s */
	double		root_delay_s;
	double		root_dispersion_s;
	uint32_t	ref_id;
	double		ref_time;		/* Unix seconds */
	double		offset_s;		/* + local ahead */
	double		peer_delay_s;
	double		peer_dispersion_s;
	double		response_time_s;	/* server's rx to tx */
	double		jitter_asymmetry;
	uint32_t	tests;			/* RPT_TEST_* passed */
	int32_t		interleaved;
	int32_t		authenticated;
	int32_t		tx_tss;			/* enum rpt_tss */
	int32_t		rx_tss;
	uint64_t	total_tx;
	uint64_t	total_rx;
	uint64_t	total_valid_rx;
	uint64_t	total_good_rx;
	/*
	 * timed: the card whose timestamps the last exchange took
	 * (hwtimestamp), "" if none, and its clock against the engine's.
	 */
	char		hw_iface[16];
	int32_t		hw_samples;		/* in its regression */
	double		hw_offset_s;		/* card - engine clock */
	double		hw_freq_ppm;		/* + the card runs fast */
	double		hw_err_s;
};

/* timectl sourcename: the name a source was configured with. */
struct rpt_sourcename {
	char		name[RPT_NAME_MAX];
};

/* The selection options of chronyc selectdata's COpts and EOpts. */
#define RPT_SELOPT_NOSELECT	0x1
#define RPT_SELOPT_PREFER	0x2
#define RPT_SELOPT_TRUST	0x4
#define RPT_SELOPT_REQUIRE	0x8

/*
 * timectl selectdata: one source as the last selection saw it, as
 * chronyc selectdata.  state is one of chronyc's letters: 'N'
 * noselect, 's' unsynchronised, 'M' missing samples, 'd' root distance
 * above maxdistance, 'O' an orphan (local ... orphan), '~' jittery, 'x'
 * falseticker, 'D' not combined, '+' combined, '*' the best; '?'
 * otherwise.
 */
struct rpt_selectdata {
	char		name[RPT_NAME_MAX];
	char		address[RPT_ADDR_MAX];	/* numeric, "" if unresolved */
	char		state;
	int32_t		authenticated;		/* NTS or a key */
	uint32_t	conf_options;		/* RPT_SELOPT_* */
	uint32_t	eff_options;
	double		last_sample_s;		/* seconds ago, < 0: never */
	double		score;
	double		lo_limit_s;		/* the correctness interval: */
	double		hi_limit_s;		/* offset -/+ root distance */
	int32_t		leap;			/* enum leap_status */
};

enum rpt_auth_mode {
	RPT_AUTH_NONE,
	RPT_AUTH_SYMMETRIC,	/* key (not implemented) */
	RPT_AUTH_NTS
};

/* timectl authdata: one source, as chronyc authdata, and timed's counters. */
struct rpt_authdata {
	char		name[RPT_NAME_MAX];
	char		address[RPT_ADDR_MAX];	/* numeric, "" if unresolved */
	int32_t		mode;			/* enum rpt_auth_mode */
	uint32_t	key_id;			/* NTS: NTS-KE sessions so far */
	int32_t		key_type;		/* NTS: AEAD id */
	int32_t		key_bits;		/* KLen */
	double		last_ke_s;		/* seconds ago, < 0: never */
	int32_t		ke_attempts;		/* since the last success */
	int32_t		naks;			/* since the last success */
	int32_t		cookies;		/* held now */
	int32_t		cookie_len;		/* of the next, bytes */
	uint64_t	auth_ok;		/* answers authenticated */
	uint64_t	auth_failed;		/* answers dropped: not */
};

/*
 * hwtimestamp, monitor -> engine: an interface whose network card the
 * monitor set to timestamp packets (SIOCSHWTSTAMP), with a read-only
 * descriptor of the card's PTP hardware clock.  Sent after the hello,
 * before the clock state and the sockets, one frame an interface.
 */
enum {
	IMSG_HWTS_IFACE = 144	/* struct hwts_iface; fd: /dev/ptpN */
};

#define HWTS_IFACE_MAX		16	/* interfaces */
#define HWTS_IFNAME_MAX		16	/* IFNAMSIZ */

struct hwts_iface {
	char		name[HWTS_IFNAME_MAX];	/* NUL-terminated */
	int32_t		if_index;		/* > 0 */
	int32_t		phc_index;		/* /dev/ptpN, >= 0 */
	int32_t		link_mbps;		/* 0: unknown */
	int32_t		rx;			/* 1: receive timestamps too */
	int32_t		minpoll;		/* log2 s, -6..20 */
	int32_t		minsamples;		/* 2..maxsamples */
	int32_t		maxsamples;		/* ..64 (HWCLK_MAX_SAMPLES) */
	int32_t		nocrossts;		/* 0 or 1 */
	double		precision_s;		/* 1e-9..1e-3 */
	double		rxcomp_s;		/* -1..1 */
	double		txcomp_s;		/* -1..1 */
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
