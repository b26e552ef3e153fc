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
 * What the files of the NTP client share (client.c, client_io.c,
 * client_ref.c, client_report.c), and nothing else should use.
 */

#ifndef TIMED_CLIENT_INT_H
#define TIMED_CLIENT_INT_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "disc.h"
#include "fbdrift.h"
#include "proto.h"
#include "sel.h"
#include "src.h"

struct ectx;
struct event;
struct evdns_base;
struct evdns_getaddrinfo_request;
struct ntscl;
struct sst;
struct sst_sample;

struct csrc {
	struct client		*cl;
	const struct conf_source *conf;
	char			 name[RPT_NAME_MAX];
	struct sockaddr_storage	 addr;
	socklen_t		 alen;
	int			 resolved;
	struct src		 src;
	struct sst		*sst;
	int			 fd;		/* its own; acq: none */
	int			 acq;		/* acquisitionport: requests */
						/* from the NTP port */
	struct event		*ev_rx;
	int			 old_fd;	/* the request before's: a */
	struct event		*ev_old;	/* late answer still counts */
	struct event		*ev_poll;
	int64_t			 poll_at_ns;	/* when ev_poll fires, */
						/* the event loop's time */
	char			 state;
	double			 error_s;
	uint64_t		 tx_at_resolve;	/* polls before this address */
	int			 false_polls;	/* polls in a row marked 'x' */
	int			 gave_up;	/* addr: not to be taken again */
	int			 offline;	/* timectl offline: no polls */
	int			 rx_src;	/* last reply's timestamp: */
	int			 tx_src;	/* last request's: enum hwts_source */
	int			 rx_if_index;	/* the card of the last answer */
	int			 tx_stamping;	/* transmit timestamps asked */
	char			 local[RPT_ADDR_MAX];	/* our address */
	uint32_t		 local_refid;	/* and as a refid, or 0 */
	int			 self;		/* the server's address is it */
	struct evdns_getaddrinfo_request *dns_req;	/* a lookup pending */
	int			 have_est;	/* prev_*: the last regression */
	double			 prev_freq_ppm;
	double			 prev_skew_ppm;
	struct ntscl		*nts;		/* NTS: keys, cookies */
	uint64_t		 mac_ok;	/* key: answers authenticated */
	uint64_t		 mac_failed;	/* key: answers dropped */
	int			 key_missing;	/* key: said once */
	struct rclk		*rc;		/* a refclock; NULL: NTP */
	int			 init;		/* one of initstepslew's hosts */
	int			 held;		/* to start when its phase ends */
};

enum refmode { REF_NONE, REF_SOURCES, REF_LOCAL };

/* initstepslew (client_init_check()) */
enum initphase {
	INIT_NONE,		/* not configured, or over */
	INIT_RUNNING,		/* its hosts alone, until they agree */
	INIT_SWITCHING		/* corrected (or given up): the configured */
};				/* sources start in INIT_SWITCH_S */
#define INIT_SWITCH_S	2	/* chronyd's: a host that is also a */
					/* source is not polled sooner than */
					/* its burst's interval */

struct client {
	struct ectx		*ctx;
	struct csrc		*srcs[SEL_MAX_SOURCES];
	int			 n;
	struct disc		*disc;
	struct evdns_base	*dns;
	enum refmode		 mode;
	int			 best;
	struct sel_out		 sel;
	int64_t			 sel_ns;	/* when sel was made */
	int64_t			 ref_time_ns;
	struct disc_actions	 last;
	double			 last_offset_s;	/* of the update before */
	struct event		*ev_oneshot;
	int			 oneshot_done;
	int			 leap;		/* PKT_LEAP_* announced */
	int			 started;	/* client_start() was called */
	int			 early_all;	/* every early source votes */
	int			 first_pending;	/* a first request to send */
	int64_t			 last_poll_ns;	/* the last request sent, */
						/* the event loop's time */
	struct fbdrift		 fb;		/* fallbackdrift */
	struct event		*ev_fb;		/* the next average due */
	struct event		*ev_leap;	/* leapsecmode slew, ignore */
	int64_t			 leap_at_ns;	/* when, the engine's time */
	int64_t			 fb_update_ns;	/* the last clock update */
	enum initphase		 init;		/* initstepslew */
	struct event		*ev_init;	/* its check, its switch */
};

/* client.c: the client and its sources; how a source is named. */
/* Whether s is the source which names ("": all of them). */
int		 client_matches(const struct csrc *s, const char *which);
/* timectl online/offline of one source; logged when it changes. */
void		 client_src_online(struct csrc *s, int online);

/* client_io.c: the sources on the network. */
/* A source for cs, polled once resolved (client_resolve()). */
struct csrc	*client_csrc_new(struct client *, const struct conf_source *cs);
/*
 * Poll s in delay_ns, or later to keep its requests apart from the
 * other sources' (chrony's sampling separation).
 */
void		 client_schedule(struct csrc *s, int64_t delay_ns);
/*
 * A source's first poll comes this long after it has an address, as
 * chronyd's (INITIAL_DELAY); and the next poll after its samples were
 * discarded.  In clknetsim a request sent in the first microseconds of
 * a run read its transmit time 56 us after it left, so the first
 * sample's delay was 56 us under the path's and stayed its minimum
 * (chrony's 101-poll: 20 us off where 10 is the limit).
 */
#define CLIENT_FIRST_POLL_NS	200000000LL
/* Whether a source's first request is about to leave. */
int		 client_first_pending(const struct client *);
/* Close s's sockets, the one before too. */
void		 client_close_socket(struct csrc *s);
/* Look s's name up (an address at once; a pool: its members). */
void		 client_resolve(struct csrc *s);
/* s's address as text; "" before it is resolved. */
void		 client_address_of(const struct csrc *s, char *buf, size_t len);
/* s's reference ID: its IPv4 address, or a hash of its IPv6 one. */
uint32_t	 client_refid_of(const struct csrc *s);

/* client_rc.c: the reference clocks (refclock). */
/* A source for the refclock rc, polled once started. */
struct csrc	*client_rc_new(struct client *, const struct conf_refclock *);
/* Warn of a lock naming no refclock (once all are made). */
void		 client_rc_check_locks(struct client *);
void		 client_rc_start(struct csrc *);
/* The clock was corrected: the filter's samples follow (sst_correct()). */
void		 client_rc_correct(struct csrc *, int64_t now_ns,
		    double dfreq_ppm, double doffset_s);
void		 client_rc_free(struct csrc *);

/* client_ref.c: the reference. */
/* A source as a candidate for selection; 0 if it is not usable. */
int		 client_candidate(const struct csrc *s, int64_t now,
		    struct sel_cand *c);
int		 client_orphan(const struct csrc *s, const struct sel_cand *c);
/*
 * Select again and, when the new sample (from) is of a selected source,
 * update the clock; from NULL: a source just became unreachable.
 */
void		 client_reference(struct client *, const struct csrc *from);
/* -q / -Q: decide once, step for -q, tell the monitor. */
void		 client_oneshot_finish(struct client *);
void		 client_init_check(struct client *);
void		 client_init_end(struct client *);
/* How fast the root dispersion grows from the selection on (s/s). */
double		 client_disp_rate(const struct client *);

/* client_report.c: the log records (logdir, log). */
/*
 * failed: chronyd's tests A to D that the sample failed, as the log's
 * bits (LOG_TEST_A...); RFC 5905's passed before it came here.
 */
void		 client_log_measurement(const struct csrc *s,
		    const struct sst_sample *sm, const uint8_t *buf, size_t n,
		    uint32_t failed);
void		 client_log_statistics(struct csrc *s, int64_t at);
/* left: what the previous slew had still to do, + the clock ahead. */
void		 client_log_tracking(struct client *, int64_t now, double left);
/* As chronyd when it loses its sources: 0.0.0.0, stratum 0, leap '?'. */
void		 client_log_unsync(struct client *, int64_t now);

#endif
