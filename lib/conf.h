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
 * Configuration: chrony-compatible directives (timed.conf(5)).
 *
 * conf_parse_line() is the pure core: one line in, the struct updated or
 * a diagnostic out.  conf_load() (conf_file.c) is the shell that reads
 * files, follows include/confdir/sourcedir and prints diagnostics as
 * "FILE:LINE: message".
 */

#ifndef TIMED_CONF_H
#define TIMED_CONF_H

/* The longest path of a UNIX socket, NUL included (sun_path). */
#define CONF_SOCKPATH_MAX	108

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_MAX_LINE		2048
#define CONF_MAX_DEPTH		8	/* include nesting */
#define CONF_MAX_ARG		1024	/* a name or path: conf_print's
					   lines stay within CONF_MAX_LINE */
#define CONF_MAX_BYTES		(1024 * 1024)	/* all files of one load */
#define CONF_MAX_FILES		256	/* files of one load, includes too */
#define CONF_MAX_NTS_CONNECTIONS 1000	/* under the engine's descriptors */

enum conf_src_type {
	CONF_SRC_SERVER,
	CONF_SRC_POOL,
	CONF_SRC_PEER,		/* symmetric active */
	CONF_SRC_REFCLOCK	/* a conf_refclock's */
};

/* leapsecmode: the kernel inserts it, the engine slews it, or neither. */
enum { CONF_LEAP_SYSTEM = 0, CONF_LEAP_SLEW, CONF_LEAP_IGNORE };

struct conf_source {
	struct conf_source	*next;
	enum conf_src_type	 type;
	char			*name;
	uint16_t		 port;		/* default 123 */
	int			 iburst;
	int			 burst;		/* a burst each poll */
	int			 minpoll;	/* default 6, -7..24 */
	int			 maxpoll;	/* default 10, -7..24 */
	int			 prefer;
	int			 noselect;
	int			 trust;		/* chrony's selection options */
	int			 require;
	int			 xleave;
	int			 nts;
	uint16_t		 ntsport;	/* default 4460 */
	int			 certset;	/* default 0 */
	uint32_t		 key;		/* 0: none */
	double			 maxdelay_s;	/* default 3 */
	double			 offset_s;	/* chrony's: + source later */
	double			 mindelay_s;	/* the path's floor; 0: none */
	double			 maxdelayratio;	/* > 1: chronyd's test B */
	int			 filter;	/* median of N polls; 0: none */
	double			 maxdelaydevratio; /* default 10 */
	double			 maxdelayquant;	/* 0: none, else 0.05..0.95 */
	int			 presend;	/* -7..24; CONF_PRESEND_NONE */
	int			 offline;	/* starts offline (timectl online) */
	int			 auto_offline;	/* offline when a request fails */
	int			 copy;		/* its stratum and refid, ours */
	int			 exp1;		/* extfield F323 */
	int			 minsamples;	/* 0: not given */
	int			 maxsamples;	/* 0: not given */
	int			 family;	/* names: 4 (ipv4), 6 (ipv6), 0 */
	double			 asymmetry;	/* -0.5..0.5, else */
#define CONF_ASYMMETRY_ESTIMATED 1.0		/* chronyd's default */
#define CONF_MAXDELAYDEVRATIO	10.0		/* chronyd's default */
#define CONF_PRESEND_NONE	25		/* above any poll: none */
	int			 minstratum;	/* 0..15 */
	int			 version;	/* of requests, 1..4; 0: 4 */
	int			 polltarget;	/* CONF_POLLTARGET, 1..60 */
	int			 maxsources;	/* pool, default 4 */
	int			 sourcedir;	/* from a sourcedir file */
};

/* refclock DRIVER PARAMETER [option]... (chrony's drivers). */
enum conf_rc_driver {
	CONF_RC_PHC,		/* /dev/ptpN[:nocrossts]...: a PTP clock */
	CONF_RC_SHM,		/* N[:perm=NNNN]: the NTP SHM protocol */
	CONF_RC_SOCK,		/* /path: gpsd's samples on a socket */
	CONF_RC_PPS		/* /dev/ppsN[:clear]: a pulse a second */
};

struct conf_refclock {
	struct conf_refclock	*next;
	/*
	 * As a source: name is the refid as text, minpoll = maxpoll =
	 * poll (default 4), prefer and noselect.
	 */
	struct conf_source	 src;
	enum conf_rc_driver	 driver;
	char			*param;		/* as written */
	char			*path;		/* PHC, SOCK, PPS */
	int			 unit;		/* SHM: key 0x4e545030 + unit */
	uint32_t		 perm;		/* SHM: default 0600 */
	int			 nocrossts;	/* PHC */
	int			 clear;		/* PPS: the clear edge */
	int			 dpoll;		/* log2 s, default 0, at most poll */
	int			 filter;	/* samples, default 64 */
	int			 rate;		/* pulses a second, default 1 */
	uint32_t		 refid;
	uint32_t		 lock;		/* refid locked to; 0: none */
	int			 stratum;	/* 0..15, default 0 */
	double			 delay_s;	/* default 1e-9 */
	double			 offset_s;	/* added to the true time */
	double			 precision_s;	/* 0: the driver's */
	double			 maxdispersion_s; /* 0: no limit */
	double			 width_s;	/* a pulse's, 0: not checked */
	int			 maxlockage;	/* pulses, default 2 */
	int			 pps;		/* the samples are pulses */
	int			 tai;		/* the clock keeps TAI */
	int			 index;		/* among the refclocks, from 0 */
};

/*
 * The samples a source's regression should hold (timed.conf.5): 7, where
 * chrony's default is 8 (README, Accuracy).
 */
#define CONF_POLLTARGET		7

/*
 * How long a slew takes against the update interval (timed.conf.5): 1,
 * where chrony's default is 3 (README, Accuracy).
 */
#define CONF_CORRTIMERATIO	1.0

/* allow/deny and ntsonly share one subnet form. */
struct conf_subnet {
	int		family;		/* AF_UNSPEC: all, AF_INET, AF_INET6 */
	uint8_t		addr[16];	/* network byte order, host bits zero */
	int		prefixlen;	/* 0..32 or 0..128 */
};

struct conf_acl {
	struct conf_acl		*next;
	int			 allow;		/* 1 allow, 0 deny */
	int			 all;		/* "allow all"/"deny all" */
	struct conf_subnet	 net;
};

struct conf_str {			/* list of strings, in file order */
	struct conf_str		*next;
	int			 id;		/* ntstrustedcerts set id */
	char			*s;
};

/*
 * Where a directive was read, "FILE:LINE", for the diagnostics that come
 * after the parse: the checks across lines, and the files the start
 * reads.  Kept for the directives conf_load() tracks (those that name
 * files, ntsonly), one per line read.
 */
struct conf_at {
	struct conf_at		*next;
	const char		*dir;		/* the directive's name */
	char			*at;		/* "FILE:LINE" */
};

/*
 * hwtimestamp: an interface whose network card timestamps NTP packets
 * (chrony's options and defaults), in file order; "*" is every
 * interface that can.
 */
enum conf_rxfilter {
	CONF_RXF_ANY,		/* the most specific for NTP (no option) */
	CONF_RXF_ALL,
	CONF_RXF_NTP,
	CONF_RXF_PTP,
	CONF_RXF_NONE
};

struct conf_hwts {
	struct conf_hwts	*next;
	char			*name;
	int			 minpoll;	/* log2 s, default 0 */
	int			 minsamples;	/* default 2 */
	int			 maxsamples;	/* default 16 */
	double			 precision_s;	/* default 100e-9 */
	double			 rxcomp_s;	/* + subtracted from rx times */
	double			 txcomp_s;	/* + added to tx times */
	int			 nocrossts;
	int			 rxfilter;	/* enum conf_rxfilter */
};

enum conf_clock {
	CONF_CLOCK_KERNEL,
	CONF_CLOCK_VIRTUAL
};

#define CONF_LOG_MEASUREMENTS	0x01
#define CONF_LOG_STATISTICS	0x02
#define CONF_LOG_TRACKING	0x04
#define CONF_LOG_RTC		0x08
#define CONF_LOG_REFCLOCKS	0x10
#define CONF_LOG_TEMPCOMP	0x20
#define CONF_LOG_RAWMEASUREMENTS 0x40
#define CONF_LOG_SELECTION	0x80
#define CONF_LOG_IMPLEMENTED	(CONF_LOG_MEASUREMENTS | CONF_LOG_STATISTICS | \
	CONF_LOG_TRACKING | CONF_LOG_REFCLOCKS | CONF_LOG_RAWMEASUREMENTS)

struct conf {
	/* sources */
	struct conf_source	*sources;
	struct conf_refclock	*refclocks;		/* in file order */
	struct conf_str		*sourcedirs;		/* sourcedir directories */
	int			 minsources;		/* default 1 */
	double			 maxdistance_s;		/* default 3 */
	double			 combinelimit;		/* default 3 */
	double			 reselectdist_s;	/* default 100e-6 */
	double			 stratumweight_s;	/* default 0.001 */
	double			 maxjitter_s;		/* default 1 */
	double			 maxupdateskew_ppm;	/* default 1000 */
	int			 maxchange_set;
	double			 maxchange_offset_s;
	int			 maxchange_start;
	int			 maxchange_ignore;
	struct conf_source	*initstepslew;		/* its hosts: iburst */
	double			 initstepslew_s;	/* servers, at start */

	/* clock */
	enum conf_clock		 clock;
	double			 clock_offset_s;	/* virtual: + ahead */
	double			 clock_freq_ppm;	/* virtual: + fast */
	char			*driftfile;
	int			 makestep_set;
	double			 makestep_threshold_s;
	int			 makestep_limit;	/* -1: always */
	double			 maxslewrate_ppm;	/* default 83333.333 */
	double			 maxdrift_ppm;		/* default 500000 */
	double			 corrtimeratio;	/* CONF_CORRTIMERATIO */
	int			 rtcsync;
	char			*leapsectz;

	/* serving */
	int			 port;			/* default 123, 0: off */
	int			 acquisitionport;	/* 0: a new port a
							   request */
	int			 minsamples;	/* the sources' default; 0 */
	int			 maxsamples;	/* the sources' default; 0 */
	struct conf_str		*bindaddress;		/* textual addresses */
	struct conf_acl		*acl;			/* file order */
	struct conf_acl		*ntsonly;		/* allow: NTS only */
	struct conf_hwts	*hwts;			/* hwtimestamp lines */
	int			 local_set;
	int			 local_stratum;		/* default 10 */
	int			 local_orphan;		/* local ... orphan */
	double			 local_distance_s;	/* default 1 */
	int			 ratelimit_set;
	int			 ratelimit_interval;	/* log2 s, default 3 */
	int			 ratelimit_burst;	/* default 8 */
	int			 ratelimit_leak;	/* default 2 */
	long			 clientloglimit;	/* bytes, default 524288 */
	int			 noclientlog;
	int			 fallbackdrift_min;	/* log2 s; 0: */
	int			 fallbackdrift_max;	/* off */
	int			 leapsecmode;	/* CONF_LEAP_* */
	int			 smoothtime_set;	/* lib/smooth.h */
	double			 smooth_max_freq_ppm;
	double			 smooth_max_wander_ppm;	/* per second */
	int			 smooth_leaponly;

	/* control and files */
	char			*bindcmdaddress;	/* socket path */
	char			*chronycsocket;		/* chronyc's; NULL:
							   none */
	char			*user;
	char			*chrootdir;		/* timed extension */
	char			*pidfile;
	char			*keyfile;
	char			*logdir;
	int			 log_flags;		/* CONF_LOG_* */
	int			 logbanner;		/* default 32 */
	int			 logchange_set;
	double			 logchange_s;

	/* NTS */
	struct conf_str		*ntsserverkey;
	struct conf_str		*ntsservercert;
	struct conf_str		*ntstrustedcerts;	/* with ids */
	int			 ntsport;		/* default 4460 */
	char			*ntsdumpdir;
	long			 ntsrotate_s;		/* default 604800 */
	char			*ntsntpserver;
	int			 ntsratelimit_set;
	int			 ntsratelimit_interval;
	int			 ntsratelimit_burst;
	int			 ntsratelimit_leak;
	long			 ntsrefresh_s;		/* default 2419200 */
	int			 nocerttimecheck;	/* count, default 0 */
	int			 nosystemcert;		/* flag */
	int			 maxntsconnections;	/* default 100 */

	int			 nwarnings;		/* counted by the parser */
	struct conf_at		*at;			/* in file order */
};

/*
 * Room for every warning of one line, whole: at most about 70 warnings
 * (one per word, and a few per line) of under 200 characters each, plus
 * the words of the line they quote (CONF_MAX_LINE).
 */
#define CONF_MAX_DIAG		16384

/*
 * Diagnostic from the pure parser, without a FILE:LINE prefix: one
 * error, or the line's warnings, one a line ('\n' between them).
 */
struct conf_diag {
	int		 is_error;	/* 0: warnings */
	const char	*dir;		/* the line's directive, or NULL */
	const char	*at;		/* conf_check: the line, or NULL */
	char		 msg[CONF_MAX_DIAG];
};

/*
 * What a line asks the shell to read next (include, confdir, sourcedir);
 * the pure core only reports it.
 */
enum conf_action {
	CONF_ACT_NONE,
	CONF_ACT_INCLUDE,	/* glob pattern in arg */
	CONF_ACT_CONFDIR,	/* directories, space separated, in arg */
	CONF_ACT_SOURCEDIR	/* directories, space separated, in arg */
};

/* Defaults as chrony's (and timed's own for clock/user/paths). */
struct conf	*conf_new(void);
void		 conf_free(struct conf *);

/*
 * Parse one line (comment and blank lines are fine).  Returns 0 with
 * *act set, 1 if a warning was put in *diag, -1 on error (in *diag).
 * sources_only: a sourcedir file, where only server/pool/peer are valid.
 */
int		 conf_parse_line(struct conf *, const char *line, int sources_only,
		    enum conf_action *act, char *arg, size_t arglen,
		    struct conf_diag *diag);

/*
 * Checks across lines (NTS keys and certificates in pairs, ...); -1
 * with *diag, and diag->at the line to blame when it is known.
 */
int		 conf_check(const struct conf *, struct conf_diag *);

/*
 * Note that directive dir (a name from conf_parse_line's diag->dir) was
 * read at at ("FILE:LINE"), if it is one tracked; 0, or -1 out of
 * memory.
 */
int		 conf_note_at(struct conf *, const char *dir, const char *at);

/*
 * Where the n-th (from 0) line of directive dir was read, n -1 for the
 * last; NULL if not known (a configuration not read by conf_load()).
 */
const char	*conf_at(const struct conf *, const char *dir, int n);

/*
 * Read path and what it includes; prints "FILE:LINE: message" to errf
 * for each warning and error.  Returns 0, or -1 after the first error.
 */
int		 conf_load(struct conf *, const char *path, FILE *errf);

/* Print the configuration as parsed, one directive a line. */
void		 conf_print(const struct conf *, FILE *);

/*
 * 1 if a and b configure the same source: type, name and every option
 * (where they came from aside).
 */
int		 conf_source_equal(const struct conf_source *,
		    const struct conf_source *);

/*
 * 1 if the configuration needs cryptography (OpenSSL) in the engine: an
 * NTS source, an NTS server's certificate or key, a keyfile, or a
 * sourcedir (whose files may add NTS sources at any reload).  The
 * monitor picks the engine's program by it (timed-engine, or
 * timed-engine-plain built without OpenSSL), and the engine sets OpenSSL
 * up by it, so the two cannot disagree.
 */
int		 conf_needs_crypto(const struct conf *);
/* hwtimestamp's rxfilter as written ("any": none given). */
const char	*conf_rxfilter_name(int);

/*
 * Read the *.sources files of the directories in dirs (as sourcedir
 * does) into c, printing diagnostics to errf; 0, or -1 after an error.
 */
int		 conf_load_sourcedirs(struct conf *, const struct conf_str *dirs,
		    FILE *errf);

/* 1 if addr (AF_INET/AF_INET6 sockaddr) matches the subnet. */
int		 conf_subnet_match(const struct conf_subnet *,
		    const struct sockaddr *);

#endif
