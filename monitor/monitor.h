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

/* The privileged monitor: owns the clock, the control socket, the engine. */

#ifndef TIMED_MONITOR_H
#define TIMED_MONITOR_H

#include <sys/types.h>
#include <event2/event.h>

#include "conf.h"
#include "imsg.h"
#include "lim.h"
#include "nts.h"
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
#define MAX_NTP_SOCKETS		16

struct control;
struct crash;
struct monitor;
struct ctl_makestep;
struct statlog;

/*
 * The simulation mode (in clknetsim: one process, see timed.8): set by
 * regress/sim/timed-sim alone, never by an option or a line of timed's.
 * The engine runs on the monitor's event base, over an in-memory channel
 * (imsgbuf_new_pair()); no fork, exec, user, chroot, seccomp, signal
 * events or watchdog.
 */
struct monitor_sim {
	/* Start the engine on chan, the other end of mon->engine. */
	void	(*engine_start)(struct monitor *, struct imsgbuf *chan);
	/* Tell it the end is here (what it says is read after). */
	void	(*engine_stop)(struct monitor *);
};

/* NTS material for the engine (ntsfiles.c): sealed memfds of PEM text. */
struct nts_files {
	int	cert_fds[NTS_MAX_CERTS];	/* chain and key, per pair */
	int	ncert;
	int	trust_fds[NTS_MAX_TRUST];	/* CA certificates, per set */
	int	trust_ids[NTS_MAX_TRUST];
	int	trust_system[NTS_MAX_TRUST];	/* with the system's store */
	int	ntrust;
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
	struct leap_table	 leaps;		/* leapsectz, n 0 if none */
	uid_t			 uid;
	gid_t			 gid;

	struct event_base	*base;
	struct clock		*clock;
	struct lim		 lim;
	struct lim_state	 limst;
	uint32_t		 refused;	/* engine requests refused */
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
	struct statlog		*statlog;	/* NULL: no log files */
	const struct monitor_sim *sim;		/* NULL: a real start */
};

int64_t	 monitor_now_ns(void);
/* CLOCK_MONOTONIC, in seconds: for deadlines and rates. */
double	 monitor_mono_s(void);
/* Queue a frame to the engine; 0, or -1 when it is not running. */
int	 monitor_to_engine(struct monitor *, uint32_t type, uint32_t peerid,
	    pid_t pid, const void *, size_t);
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
/* main.c: the configuration for the engine, printed into fd (a memfd). */
int	 monitor_write_conf(const struct conf *, int fd);

/* control.c */
struct control	*control_open(const char *path);
/* The simulation's: datagrams, as clknetsim's UNIX sockets are. */
struct control	*control_open_dgram(const char *path);
void		 control_start(struct control *, struct monitor *);
void		 control_close(struct control *);
/* An answer from the engine for connection peerid. */
void		 control_from_engine(struct control *, const struct imsg *);
/*
 * The engine went away: fail what waits for it; if it died (crashed,
 * hung or was killed, not stopped by us), blame those requests.
 */
void		 control_engine_gone(struct control *, int died);

/*
 * conffiles.c: the files and directories the configuration names,
 * checked as the start uses them (timed -p and the start both run it):
 * each problem printed to errf as "FILE:LINE: [warning: ]message", at
 * the line of the directive that names it.  -1 if one stops the start.
 * _make_dirs makes the directories the start makes when missing (as
 * chronyd does its own): chrootdir, the pid file's; -1 with err.
 */
#define CONFFILES_CLIENT	0x1	/* -q, -Q: no server, no pid file */
#define CONFFILES_NOCHROOT	0x2	/* simulation: no chroot */
int		 conffiles_check(const struct conf *, const char *conffile,
		    int flags, FILE *errf);
int		 conffiles_make_dirs(const struct conf *, int flags,
		    char *err, size_t errlen);

/* netsock.c: open the NTP server sockets; returns how many. */
int		 netsock_open(const struct conf *, int *fds, int max);
/* The NTS-KE listening sockets, if there are server certificates. */
int		 netsock_open_ke(const struct conf *, int *fds, int max);

/*
 * ntsfiles.c: read the server's certificate and key pairs, or the
 * trusted certificates of every certset in use, into sealed memfds.
 * 0, or -1 with the file and the reason in err.
 */
int		 ntsfiles_load_certs(const struct conf *, struct nts_files *,
		    char *err, size_t errlen);
void		 ntsfiles_close_certs(struct nts_files *);
int		 ntsfiles_load_trust(const struct conf *, struct nts_files *,
		    char *err, size_t errlen);
void		 ntsfiles_close_trust(struct nts_files *);
/*
 * The keyfile's text in a sealed memfd, in *fd (-1 without a keyfile),
 * after a check of every line, and how many keys it holds; 0, -1 with
 * "FILE:LINE: reason" in err, or 1 with "FILE: reason" in err if it
 * cannot be opened (chronyd then runs without keys, and so does timed).
 */
int		 ntsfiles_load_keyfile(const struct conf *, int *fd,
		    int *nkeys, char *err, size_t errlen);

/*
 * ntskeys.c: the NTS server's master keys.  _load reads
 * ntsdumpdir/ntskeys at start (a file not in timed's format is logged
 * and replaced); _send hands the keys to the engine; _save checks,
 * keeps and writes the keys of IMSG_NTS_KEYS_SAVE.
 */
void		 ntskeys_load(struct monitor *);
void		 ntskeys_send(struct monitor *);
void		 ntskeys_save(struct monitor *, struct imsg *);
/*
 * timectl rekey: the key file again, when it is not the engine's to
 * rotate (ntsrotate 0, or a seed), sent to the engine; 0 if there was
 * nothing to read, 1 if read, -1 if bad (the keys in use stay).
 */
int		 ntskeys_reload(struct monitor *);

/* notify.c: systemd's $NOTIFY_SOCKET; no socket, no messages. */
/*
 * ntsdump.c: the NTS client's state in ntsdumpdir: write what the engine
 * sends (IMSG_NTS_CLIENT_DUMP), send a new engine what was saved.
 */
void		 ntsdump_save(struct monitor *, struct imsg *);
void		 ntsdump_load(struct monitor *);
void		 notify_init(void);
void		 notify_send(const char *);
void		 notify_close(void);

/*
 * statlog.c: the files of logdir and log.  statlog_new() creates logdir
 * (fatal if it cannot) and returns NULL when no file is configured.
 */
struct statlog	*statlog_new(const struct conf *);
int		 statlog_enabled(const struct statlog *, int kind);
/* Append a formatted line, after the banner when it is due. */
void		 statlog_write(struct statlog *, int kind, const char *,
		    size_t);
/* SIGHUP: close the files; the next line opens them again. */
void		 statlog_reopen(struct statlog *);
void		 statlog_free(struct statlog *);

#endif
