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
 * The privileged monitor: owns the clock, the control socket, the engine.
 * struct monitor and what works on it (monitor.c, setup.c, reload.c);
 * the other monitor/ files have headers of their own and take only what
 * they need.
 */

#ifndef TIMED_MONITOR_H
#define TIMED_MONITOR_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "lim.h"
#include "nic.h"
#include "nts.h"
#include "ntsfiles.h"
#include "proto.h"

/*
 * Restarts: an engine that came up (said hello) comes back at once, up
 * to ENGINE_QUICK_MAX times in ENGINE_QUICK_WINDOW_S; one that dies
 * before its hello, or more often than that, after a back-off that
 * doubles from ENGINE_BACKOFF_MIN_S to ENGINE_BACKOFF_MAX_S.
 */
#define ENGINE_QUICK_MAX	10
#define ENGINE_QUICK_WINDOW_S	60
#define ENGINE_BACKOFF_MIN_S	1
#define ENGINE_BACKOFF_MAX_S	60
#define ENGINE_STABLE_S		60	/* up this long: back-off resets */
#define ENGINE_MAX_FAILS	5	/* died before its hello, in a row */
/*
 * The watchdog: a heartbeat every WATCHDOG_INTERVAL_S; an engine that
 * answers none for WATCHDOG_TIMEOUT_S, or says no hello within
 * ENGINE_HELLO_S of its start, is hung: killed and started again.
 */
#define WATCHDOG_INTERVAL_S	1
#define WATCHDOG_TIMEOUT_S	3
#define ENGINE_HELLO_S		10
#define DRIFT_INTERVAL_S	3600
#define FOREIGN_INTERVAL_S	1	/* clock_foreign_step() */
#define MAX_NTP_SOCKETS		16

struct clock;
struct conf;
struct chronycsock;
struct control;
struct crash;
struct ctl_makestep;
struct event;
struct event_base;
struct imsgbuf;
struct monitor;
struct statlog;

/*
 * The simulation mode (in clknetsim: one process, see timed.8): set by
 * regress/sim/timed-sim alone, never by an option or a line of timed's.
 * The engine runs on the monitor's event base, over an in-memory channel
 * (imsgbuf_new_pair()); no fork, exec, user, chroot, seccomp, signal
 * events or watchdog.
 */
/* chronyc's socket in the simulation, if the configuration names none. */
#define SIM_CHRONYC_SOCKET	"/clknetsim/unix/chronyc.sock"

struct monitor_sim {
	/* Start the engine on chan, the other end of mon->engine. */
	void	(*engine_start)(struct monitor *, struct imsgbuf *chan);
	/* Tell it the end is here (what it says is read after). */
	void	(*engine_stop)(struct monitor *);
};

struct monitor {
	struct conf		*conf;
	const char		*conffile;
	const char		*engine_exe;	/* timed-engine */
	int			 foreground;
	int			 nodetach;	/* -n: foreground, syslog */
	int			 debug;
	int			 noclock;	/* -x */
	int			 oneshot;	/* 'q' or 'Q', else 0 */
	int			 status;	/* exit status */
	int			 conf_fd;	/* memfd: conf_print() */
	int			 ntp_fds[MAX_NTP_SOCKETS];
	int			 n_ntp_fds;
	struct nts_files	 nts;
	char			 ntskeys[NTS_KEYFILE_MAX];	/* key file */
	size_t			 ntskeys_len;	/* 0: none yet */
	int			 ntskeys_fleet;	/* a seed: never written */
	int			 keys_fd;	/* keyfile memfd, -1: none */
	int			 ke_fds[NTS_MAX_KE_SOCKETS];	/* NTS-KE */
	int			 n_ke_fds;
	struct nic		 nics[HWTS_IFACE_MAX];	/* hwtimestamp */
	int			 n_nics;
	struct leap_table	 leaps;		/* leapsectz, n 0 if none */
	uid_t			 uid;
	gid_t			 gid;

	struct event_base	*base;
	struct clock		*clock;
	struct lim		 lim;
	struct lim_state	 limst;
	uint32_t		 refused;	/* engine requests refused */
	uint32_t		 foreign;	/* clock steps not ours */
	struct event		*ev_foreign;	/* looks for them */
	int			 drift_known;
	double			 drift_skew_ppm;

	pid_t			 engine_pid;
	struct imsgbuf		*engine;
	struct event		*ev_engine;
	int			 engine_ready;	/* hello received, channel up */
	int			 hello_seen;	/* this engine said hello */
	int			 engine_fails;
	int			 backoff_s;
	double			 quick[ENGINE_QUICK_MAX];	/* restarts */
	int			 quick_next;	/* the oldest in quick */
	struct timespec		 engine_started;
	struct event		*ev_restart;
	struct event		*ev_watchdog;
	uint64_t		 hb_sent;	/* the last heartbeat's number */
	double			 hb_answered;	/* monotonic s of the last */
	int			 killed_for_cause;	/* hung or abusive */
	struct crash		*crash;		/* which peer kills engines */
	struct event		*ev_slew;
	struct event		*ev_drift;
	int			 stopping;
	int			 ready_sent;	/* READY=1 to systemd */

	struct control		*control;
	struct chronycsock	*chronyc;		/* NULL: none */
	struct statlog		*statlog;	/* NULL: no log files */
	struct refclocks	*refclocks;	/* NULL: -q/-Q */
	const struct monitor_sim *sim;		/* NULL: a real start */
};

int64_t	 monitor_now_ns(void);
/* CLOCK_MONOTONIC, in seconds: for deadlines and rates. */
double	 monitor_mono_s(void);
/* Queue a frame to the engine; 0, or -1 when it is not running. */
int	 monitor_to_engine(struct monitor *, uint32_t type, uint32_t peerid,
	    pid_t pid, const void *, size_t);
/*
 * Queue a frame with a copy of fd, which the engine then owns; 0, or -1
 * when the engine was killed (it did not read).
 */
int	 monitor_send_fd(struct monitor *, uint32_t type, int fd,
	    const void *, size_t);
/* The engine broke the protocol: log, kill, restart. */
void	 monitor_engine_abuse(struct monitor *, const char *why);
/* Step what is left of the slew (timectl makestep); 0 or -1. */
int	 monitor_makestep(struct monitor *);
void	 monitor_set_makestep(struct monitor *, struct ctl_makestep *);
/*
 * timectl rekey: read the keyfile again, and the NTS server's keys when
 * they are the administrator's (ntsdumpdir without rotation, or a seed),
 * and hand them to the engine; -1 if a file was bad (the keys in use
 * stay).
 */
int	 monitor_rekey(struct monitor *);
/* timectl cyclelogs: reopen the log files; 0 if there are none. */
int	 monitor_cyclelogs(struct monitor *);
/*
 * Runs on mon->base when the caller made one (the simulation), else on
 * its own; returns once stopped.
 */
void	 monitor_run(struct monitor *);
/*
 * setup.c: the start, from the configuration parsed into mon->conf to the
 * end; the exit status.
 */
int	 monitor_main(struct monitor *);

/*
 * reload.c: timectl reload sources.  Read the sourcedir files again, tell
 * the engine which sources went and came, then IMSG_CTL_RELOAD_SOURCES
 * for peerid, which the engine answers.  Returns 0 when the engine will
 * answer, else the CTL_* result to give (200 with nothing to do).
 */
int	 monitor_reload_sources(struct monitor *, uint32_t peerid, uid_t);
/* setup.c: the configuration for the engine, printed into fd (a memfd). */
int	 monitor_write_conf(const struct conf *, int fd);

#endif
