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

#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "conf.h"
#include "chronycsock.h"
#include "control.h"
#include "crash.h"
#include "drift.h"
#include "log.h"
#include "logfmt.h"
#include "monitor.h"
#include "refclock.h"
#include "notify.h"
#include "ntsdump.h"
#include "ntsfiles.h"
#include "ntskeys.h"
#include "proto.h"
#include "sandbox_monitor.h"
#include "statlog.h"
#include "xmalloc.h"

static void	engine_spawn(struct monitor *);
static void	engine_event(evutil_socket_t, short, void *);
static void	engine_dispatch(struct monitor *, struct imsg *);
static void	send_clock_state(struct monitor *);
static void	arm_slew_timer(struct monitor *);
static void	send_nts_certs(struct monitor *);
static void	send_nts_trust(struct monitor *);

int64_t
monitor_now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

double
monitor_mono_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
update_engine_events(struct monitor *mon)
{
	short	 what = EV_READ | EV_PERSIST;

	if (imsgbuf_is_mem(mon->engine))
		return;		/* chan_notify() wakes us */
	if (imsgbuf_queued(mon->engine) > 0)
		what |= EV_WRITE;
	event_del(mon->ev_engine);
	event_assign(mon->ev_engine, mon->base, imsgbuf_fd(mon->engine), what,
	    engine_event, mon);
	event_add(mon->ev_engine, NULL);
}

int
monitor_to_engine(struct monitor *mon, uint32_t type, uint32_t peerid,
    pid_t pid, const void *data, size_t len)
{
	if (mon->engine == NULL || !mon->engine_ready)
		return -1;
	if (imsg_compose(mon->engine, type, peerid, pid, -1, data, len) == -1) {
		monitor_engine_abuse(mon, "engine does not read its messages");
		return -1;
	}
	update_engine_events(mon);
	return 0;
}

static void
engine_close(struct monitor *mon)
{
	if (mon->engine == NULL)
		return;
	event_del(mon->ev_engine);
	if (!imsgbuf_is_mem(mon->engine))
		close(imsgbuf_fd(mon->engine));
	imsgbuf_free(mon->engine);
	mon->engine = NULL;
	mon->engine_ready = 0;
	if (mon->control != NULL)
		control_engine_gone(mon->control, !mon->stopping);
}

void
monitor_engine_abuse(struct monitor *mon, const char *why)
{
	log_warnx("engine: %s; killing it", why);
	mon->killed_for_cause = 1;
	engine_close(mon);
	if (mon->engine_pid > 0)
		kill(mon->engine_pid, SIGKILL);
}

static void
send_clock_state(struct monitor *mon)
{
	struct clock_state	 st;

	clock_state(mon->clock, monitor_now_ns(), &st);
	st.skew_ppm = mon->drift_skew_ppm;
	st.updates = mon->limst.updates;
	st.provisional = mon->limst.provisional;
	st.refused = mon->refused;
	st.foreign = mon->foreign;
	monitor_to_engine(mon, IMSG_CLOCK_STATE, 0, 0, &st, sizeof(st));
}

static void
engine_restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	engine_spawn(arg);
}

/*
 * An engine that came up is started again at once, the first
 * ENGINE_QUICK_MAX times a window; one that never did, or dies that
 * often, after the back-off.
 */
static void
schedule_restart(struct monitor *mon)
{
	struct timeval	 tv = { 0, 0 };
	double		 now = monitor_mono_s();
	double		 up = now - (mon->engine_started.tv_sec +
	    mon->engine_started.tv_nsec * 1e-9);

	if (up >= ENGINE_STABLE_S)
		mon->backoff_s = ENGINE_BACKOFF_MIN_S;
	if (mon->hello_seen &&
	    now - mon->quick[mon->quick_next] >= ENGINE_QUICK_WINDOW_S) {
		mon->quick[mon->quick_next] = now;
		mon->quick_next = (mon->quick_next + 1) % ENGINE_QUICK_MAX;
		log_info("restarting the engine now");
	} else {
		tv.tv_sec = mon->backoff_s;
		log_info("restarting the engine in %d s", mon->backoff_s);
		mon->backoff_s *= 2;
		if (mon->backoff_s > ENGINE_BACKOFF_MAX_S)
			mon->backoff_s = ENGINE_BACKOFF_MAX_S;
	}
	evtimer_add(mon->ev_restart, &tv);
}

/* Hung: killed, and the reaper starts it again. */
static void
engine_hung(struct monitor *mon, const char *why)
{
	log_warnx("engine (pid %d) %s: killing it", (int)mon->engine_pid,
	    why);
	mon->killed_for_cause = 1;
	engine_close(mon);
	kill(mon->engine_pid, SIGKILL);
}

static void
watchdog_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct monitor		*mon = arg;
	struct heartbeat	 hb;
	char			 why[64];
	double			 now = monitor_mono_s(), since;

	if (mon->engine_pid <= 0)
		return;		/* the reaper has it */
	if (!mon->engine_ready) {
		/* Not up yet, or its channel closed and it does not exit. */
		if (now - mon->hb_answered >= ENGINE_HELLO_S)
			engine_hung(mon, mon->hello_seen ? "left its channel "
			    "but did not exit" : "did not start in time");
		return;
	}
	if ((since = now - mon->hb_answered) >= WATCHDOG_TIMEOUT_S) {
		snprintf(why, sizeof(why), "has not answered for %.1f s",
		    since);
		engine_hung(mon, why);
		return;
	}
	hb.seq = ++mon->hb_sent;
	monitor_to_engine(mon, IMSG_PING, 0, 0, &hb, sizeof(hb));
}

static void
handle_pong(struct monitor *mon, struct imsg *imsg)
{
	struct heartbeat	 hb;

	if (imsg_get_data(imsg, &hb, sizeof(hb)) == -1 ||
	    hb.seq > mon->hb_sent) {
		monitor_engine_abuse(mon, "IMSG_PONG: malformed");
		return;
	}
	if (hb.seq == mon->hb_sent)
		mon->hb_answered = monitor_mono_s();
}

/* A death of the engine's own making: a crash, an error, a kill for cause. */
static int
own_fault(struct monitor *mon, int status)
{
	if (mon->killed_for_cause)
		return 1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) != 0;
	switch (WTERMSIG(status)) {
	case SIGSEGV:
	case SIGBUS:
	case SIGABRT:
	case SIGFPE:
	case SIGILL:
	case SIGSYS:
	case SIGTRAP:
		return 1;
	}
	return 0;	/* killed from outside: not the peer's doing */
}

static void
engine_reaped(struct monitor *mon, int status)
{
	struct peer_block	 b;

	if (WIFSIGNALED(status))
		log_warnx("engine (pid %d) killed by signal %d (%s)",
		    (int)mon->engine_pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		log_warnx("engine (pid %d) exited with status %d",
		    (int)mon->engine_pid, WEXITSTATUS(status));
	/* the peer it was handling: cut off if it keeps doing this */
	if (!mon->stopping && own_fault(mon, status))
		(void)crash_blame(mon->crash, (time_t)monitor_mono_s(), &b);
	if (!mon->hello_seen)
		mon->engine_fails++;
	engine_close(mon);
	mon->engine_pid = -1;
	if (mon->stopping)
		return;
	if (mon->engine_fails >= ENGINE_MAX_FAILS) {
		log_warnx("the engine failed to start %d times in a row; "
		    "giving up", mon->engine_fails);
		event_base_loopexit(mon->base, NULL);
		return;
	}
	schedule_restart(mon);
}

static void
sigchld_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct monitor	*mon = arg;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == mon->engine_pid)
			engine_reaped(mon, status);
}

/* SIGHUP: the NTS server's certificates and keys; 0 if it has none. */
static int
reload_certs(struct monitor *mon)
{
	struct nts_files	 f;
	char			 err[512];

	if (mon->nts.ncert == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	if (ntsfiles_load_certs(mon->conf, &f, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; keeping the certificates in use", err);
		return 1;
	}
	ntsfiles_close_certs(&mon->nts);
	memcpy(mon->nts.cert_fds, f.cert_fds, sizeof(f.cert_fds));
	mon->nts.ncert = f.ncert;
	log_info("SIGHUP: %d NTS server certificate(s) reloaded", f.ncert);
	send_nts_certs(mon);
	return 1;
}

/* SIGHUP: the NTS sources' trusted certificates; 0 if there are none. */
static int
reload_trust(struct monitor *mon)
{
	struct nts_files	 f;
	char			 err[512];

	if (mon->nts.ntrust == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	if (ntsfiles_load_trust(mon->conf, &f, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; keeping the trusted certificates in "
		    "use", err);
		return 1;
	}
	ntsfiles_close_trust(&mon->nts);
	memcpy(mon->nts.trust_fds, f.trust_fds, sizeof(f.trust_fds));
	memcpy(mon->nts.trust_ids, f.trust_ids, sizeof(f.trust_ids));
	memcpy(mon->nts.trust_system, f.trust_system,
	    sizeof(f.trust_system));
	mon->nts.ntrust = f.ntrust;
	log_info("SIGHUP: %d NTS trusted certificate set(s) reloaded",
	    f.ntrust);
	if (mon->engine != NULL && mon->engine_ready)
		send_nts_trust(mon);
	return 1;
}

/* SIGHUP, timectl rekey: the keyfile; 0 if there is none, -1 if bad. */
static int
reload_keys(struct monitor *mon)
{
	char	 err[512];
	int	 fd, nkeys;

	if (mon->conf->keyfile == NULL)
		return 0;
	if (ntsfiles_load_keyfile(mon->conf, &fd, &nkeys, err,
	    sizeof(err)) != 0) {
		log_warnx("keyfile %s; keeping the keys in use", err);
		return -1;
	}
	log_info("keyfile %s: %d key(s)", mon->conf->keyfile, nkeys);
	if (mon->keys_fd != -1)
		close(mon->keys_fd);
	mon->keys_fd = fd;
	if (mon->engine != NULL && mon->engine_ready &&
	    monitor_send_fd(mon, IMSG_NTP_KEYFILE, fd, NULL, 0) == 0)
		update_engine_events(mon);
	return 1;
}

/*
 * SIGHUP: reopen the log files (logrotate: move them away, then SIGHUP)
 * and read the NTS server's certificates and keys again (a renewed
 * certificate) for the engine's new handshakes, and the trusted
 * certificates of the NTS sources (a renewed CA bundle) for their next
 * NTS-KE, and the keyfile.  If a file is missing, unreadable or (the
 * keyfile) has a bad line, what is in use stays.
 */
static void
sighup_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct monitor	*mon = arg;
	int		 done = 0;

	if (mon->statlog != NULL) {
		statlog_reopen(mon->statlog);
		log_info("SIGHUP received: log files reopened");
		done = 1;
	}
	done |= reload_certs(mon);
	done |= reload_trust(mon);
	done |= reload_keys(mon) != 0;
	if (!done)
		log_info("SIGHUP received: nothing to reopen or reload");
}

int
monitor_rekey(struct monitor *mon)
{
	int	 rc;

	rc = reload_keys(mon);
	if (ntskeys_reload(mon) == -1)
		rc = -1;
	if (mon->engine != NULL)
		update_engine_events(mon);
	return rc == -1 ? -1 : 0;
}

int
monitor_cyclelogs(struct monitor *mon)
{
	if (mon->statlog == NULL)
		return 0;
	statlog_reopen(mon->statlog);
	log_info("log files reopened");
	return 1;
}

static void
sigterm_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct monitor	*mon = arg;

	log_info("signal %d received, stopping", (int)sig);
	event_base_loopexit(mon->base, NULL);
}

static void
child_exec(struct monitor *mon, int fd)
{
	char		 uid[16], gid[16];
	const char	*argv[16];
	sigset_t	 set;
	int		 i = 0, conf;

	/* Out of the way first: either may already sit on 3 or 4. */
	if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 16)) == -1 ||
	    (conf = fcntl(mon->conf_fd, F_DUPFD_CLOEXEC, 16)) == -1 ||
	    dup2(fd, ENGINE_FD) == -1 || dup2(conf, ENGINE_CONF_FD) == -1 ||
	    close_range(ENGINE_CONF_FD + 1, ~0U, 0) == -1)
		_exit(127);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	snprintf(uid, sizeof(uid), "%u", (unsigned)mon->uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)mon->gid);
	argv[i++] = "timed-engine";
	argv[i++] = "-P";
	argv[i++] = "engine";
	argv[i++] = "-u";
	argv[i++] = uid;
	argv[i++] = "-g";
	argv[i++] = gid;
	if (mon->foreground)
		argv[i++] = "-d";
	if (mon->debug)
		argv[i++] = "-D";
	if (mon->noclock)
		argv[i++] = "-x";
	if (mon->oneshot == 'q')
		argv[i++] = "-q";
	if (mon->oneshot == 'Q')
		argv[i++] = "-Q";
	argv[i] = NULL;
	execv(mon->engine_exe, (char *const *)argv);
	_exit(127);
}

/* The in-memory channel: the engine handed something over. */
static void
chan_notify(void *arg)
{
	struct monitor	*mon = arg;

	event_active(mon->ev_engine, EV_READ, 0);
}

/* The simulation: the engine in this process, on this base. */
static void
engine_spawn_sim(struct monitor *mon)
{
	struct imsgbuf	*end[2];

	if (imsgbuf_new_pair(end) == -1)
		fatal("imsgbuf_new_pair");
	mon->engine = end[0];
	mon->engine_pid = 0;
	mon->engine_ready = 0;
	mon->hello_seen = 0;
	event_assign(mon->ev_engine, mon->base, -1, EV_READ | EV_PERSIST,
	    engine_event, mon);
	imsgbuf_set_notify(mon->engine, chan_notify, mon);
	mon->sim->engine_start(mon, end[1]);
}

static void
engine_spawn(struct monitor *mon)
{
	int	 sp[2];
	pid_t	 pid;

	if (mon->sim != NULL) {
		engine_spawn_sim(mon);
		return;
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0)
		child_exec(mon, sp[1]);
	close(sp[1]);
	if (fcntl(sp[0], F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	mon->engine_pid = pid;
	if ((mon->engine = imsgbuf_new(sp[0])) == NULL)
		fatal("imsgbuf_new");
	mon->engine_ready = 0;
	mon->hello_seen = 0;
	mon->killed_for_cause = 0;
	crash_reset(mon->crash);
	clock_gettime(CLOCK_MONOTONIC, &mon->engine_started);
	mon->hb_answered = monitor_mono_s();	/* the hello's deadline */
	event_assign(mon->ev_engine, mon->base, sp[0], EV_READ | EV_PERSIST,
	    engine_event, mon);
	event_add(mon->ev_engine, NULL);
	log_debug("engine started, pid %d: %s", (int)pid, mon->engine_exe);
}

static void
engine_read(struct monitor *mon)
{
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r;

	if ((n = imsgbuf_read(mon->engine)) == -1 && errno != EAGAIN) {
		log_warn("engine channel");
		engine_close(mon);
		return;
	}
	if (n == 0) {
		engine_close(mon);	/* SIGCHLD tells how it ended */
		return;
	}
	while (mon->engine != NULL &&
	    (r = imsg_get(mon->engine, &imsg)) != 0) {
		if (r == -1) {
			monitor_engine_abuse(mon, "malformed frame");
			return;
		}
		engine_dispatch(mon, &imsg);
		imsg_free(&imsg);
	}
}

static void
engine_event(evutil_socket_t fd, short ev, void *arg)
{
	struct monitor	*mon = arg;

	if (ev & EV_READ)
		engine_read(mon);
	if (mon->engine != NULL && (ev & EV_WRITE) &&
	    imsgbuf_write(mon->engine) == -1) {
		log_warn("engine channel");
		engine_close(mon);
	}
	if (mon->engine != NULL)
		update_engine_events(mon);
}

/*
 * A descriptor for the engine, which owns it.  In the simulation the
 * sockets are clknetsim's, which dup(2) does not know: the engine in this
 * process gets the one the monitor holds (never restarted, it never
 * needs another).
 */
static int
fd_copy(struct monitor *mon, int fd)
{
	int	 copy;

	if ((copy = dup(fd)) == -1 && errno == EBADF && mon->sim != NULL)
		return fd;
	return copy;
}

static void
send_sockets(struct monitor *mon)
{
	int	 i, fd;

	for (i = 0; i < mon->n_ntp_fds && mon->engine != NULL; i++) {
		/* The frame takes its own descriptor and closes it once sent. */
		if ((fd = fd_copy(mon, mon->ntp_fds[i])) == -1) {
			log_warn("dup");
			continue;
		}
		if (imsg_compose(mon->engine, IMSG_NTP_SOCKET, 0, 0, fd, NULL,
		    0) == -1) {
			close(fd);
			monitor_engine_abuse(mon, "engine does not read");
			return;
		}
	}
	if (mon->engine != NULL)
		update_engine_events(mon);
}

int
monitor_send_fd(struct monitor *mon, uint32_t type, int fd, const void *data,
    size_t len)
{
	int	 copy;

	if ((copy = fd_copy(mon, fd)) == -1) {
		log_warn("dup");
		return 0;
	}
	/* The frame takes its own descriptor and closes it once sent. */
	if (imsg_compose(mon->engine, type, 0, 0, copy, data, len) == -1) {
		close(copy);
		monitor_engine_abuse(mon, "engine does not read");
		return -1;
	}
	return 0;
}

/* The server's certificates, then the end of the set. */
static void
send_nts_certs(struct monitor *mon)
{
	struct nts_cert_msg	 m;
	int			 i;

	if (mon->nts.ncert == 0 || mon->engine == NULL || !mon->engine_ready)
		return;
	for (i = 0; i < mon->nts.ncert; i++) {
		m.index = i;
		if (monitor_send_fd(mon, IMSG_NTS_SERVER_CERT, mon->nts.cert_fds[i],
		    &m, sizeof(m)) == -1)
			return;
	}
	if (imsg_compose(mon->engine, IMSG_NTS_SERVER_CERTS_END, 0, 0, -1,
	    NULL, 0) == -1) {
		monitor_engine_abuse(mon, "engine does not read");
		return;
	}
	update_engine_events(mon);
}

/* The trusted certificates of each certificate set. */
static void
send_nts_trust(struct monitor *mon)
{
	struct nts_trust_msg	 t;
	int			 i;

	/* No NTS source can use them, and timed-engine-plain has no TLS. */
	if (!conf_needs_crypto(mon->conf))
		return;
	for (i = 0; i < mon->nts.ntrust && mon->engine != NULL; i++) {
		t.certset = mon->nts.trust_ids[i];
		t.system = mon->nts.trust_system[i];
		if (monitor_send_fd(mon, IMSG_NTS_TRUST, mon->nts.trust_fds[i], &t,
		    sizeof(t)) == -1)
			return;
	}
	if (mon->engine != NULL)
		update_engine_events(mon);
}

/* The blame page, and the peers cut off, before any input is read. */
static void
send_blame(struct monitor *mon)
{
	struct peer_block	 b[CRASH_PEERS];
	int			 i, n;

	if (monitor_send_fd(mon, IMSG_BLAME_PAGE, crash_fd(mon->crash), NULL, 0) ==
	    -1)
		return;
	n = crash_blocks(mon->crash, (time_t)monitor_mono_s(), b,
	    CRASH_PEERS);
	for (i = 0; i < n && mon->engine != NULL; i++)
		if (imsg_compose(mon->engine, IMSG_BLOCK_PEER, 0, 0, -1, &b[i],
		    sizeof(b[i])) == -1)
			monitor_engine_abuse(mon, "engine does not read");
}

static void
send_nts(struct monitor *mon)
{
	int	 i;

	if (mon->keys_fd != -1 &&
	    monitor_send_fd(mon, IMSG_NTP_KEYFILE, mon->keys_fd, NULL, 0) == -1)
		return;
	send_nts_trust(mon);
	send_nts_certs(mon);
	ntskeys_send(mon);
	for (i = 0; i < mon->n_ke_fds && mon->engine != NULL; i++)
		if (monitor_send_fd(mon, IMSG_NTS_KE_SOCKET, mon->ke_fds[i], NULL,
		    0) == -1)
			return;
	if (mon->engine != NULL)
		update_engine_events(mon);
}

/* hwtimestamp's interfaces, each with its clock: before the sockets. */
static void
send_nics(struct monitor *mon)
{
	int	 i;

	for (i = 0; i < mon->n_nics && mon->engine != NULL; i++)
		if (monitor_send_fd(mon, IMSG_HWTS_IFACE, mon->nics[i].phc_fd,
		    &mon->nics[i].msg, sizeof(mon->nics[i].msg)) == -1)
			return;
}

static void
handle_hello(struct monitor *mon, struct imsg *imsg)
{
	if (imsg_check_hello(imsg) == -1) {
		monitor_engine_abuse(mon, "bad hello (version mismatch?)");
		return;
	}
	mon->engine_ready = 1;
	mon->hello_seen = 1;
	mon->engine_fails = 0;
	mon->hb_answered = monitor_mono_s();
	log_info("engine ready (pid %d)", (int)mon->engine_pid);
	if (!mon->ready_sent) {		/* systemd: started, once */
		notify_send("READY=1\nSTATUS=engine running");
		mon->ready_sent = 1;
	}
	/* NTS material and leap seconds first: the clock state starts the
	 * client. */
	send_blame(mon);
	if (mon->engine != NULL)
		send_nts(mon);
	ntsdump_load(mon);
	if (mon->leaps.n > 0 && mon->engine != NULL &&
	    imsg_compose(mon->engine, IMSG_LEAP_TABLE, 0, 0, -1, &mon->leaps,
	    sizeof(mon->leaps)) == -1)
		monitor_engine_abuse(mon, "engine does not read");
	send_nics(mon);
	send_clock_state(mon);
	send_sockets(mon);
	if (mon->refclocks != NULL && mon->engine != NULL)
		refclocks_send(mon->refclocks);
	if (mon->engine != NULL)
		update_engine_events(mon);
	/*
	 * Start-up (the configuration's parse, the files read for the
	 * engine) leaves about 90 kB of free but dirty heap: give it back.
	 */
	malloc_trim(0);
}

static void
handle_log(struct monitor *mon, struct imsg *imsg)
{
	struct log_msg	 m;
	char		*p;

	if (imsg_get_data(imsg, &m, sizeof(m)) == -1 ||
	    memchr(m.text, '\0', sizeof(m.text)) == NULL ||
	    m.priority < LOG_EMERG || m.priority > LOG_DEBUG) {
		monitor_engine_abuse(mon, "IMSG_LOG: malformed");
		return;
	}
	for (p = m.text; *p != '\0'; p++)	/* no control characters */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (m.priority == LOG_DEBUG && !mon->debug)
		return;
	log_line(m.priority, "engine", m.text);
}

static void
handle_freq(struct monitor *mon, struct imsg *imsg)
{
	struct req_freq	 req;
	const char	*why;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1) {
		monitor_engine_abuse(mon, "IMSG_ADJ_FREQ: bad length");
		return;
	}
	if ((why = lim_check_drift(&mon->lim, req.freq_ppm,
	    req.skew_ppm)) != NULL) {
		log_warnx("refused frequency %.3f ppm: %s", req.freq_ppm, why);
		mon->refused++;
		return;
	}
	if (clock_set_freq(mon->clock, monitor_now_ns(), req.freq_ppm) == -1)
		log_warnx("frequency %.3f ppm not applied", req.freq_ppm);
	/* the room the slew in progress has changed, so has its end */
	arm_slew_timer(mon);
	mon->drift_known = 1;
	mon->drift_skew_ppm = req.skew_ppm;
}

/* As chronyd: a warning when a correction beyond logchange starts. */
static void
log_change(struct monitor *mon, double offset_s)
{
	double	 threshold = mon->conf->logchange_set ?
	    mon->conf->logchange_s : 1.0;

	if (fabs(offset_s) > threshold)
		log_warnx("System clock wrong by %.6f seconds, adjustment "
		    "started", -offset_s);
}

static void
handle_slew(struct monitor *mon, struct imsg *imsg)
{
	struct req_offset	 req;
	const char		*why;
	int64_t			 now = monitor_now_ns();
	double			 total;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1) {
		monitor_engine_abuse(mon, "IMSG_ADJ_OFFSET: bad length");
		return;
	}
	/*
	 * The correction is added to what is left of the slew now: the
	 * engine cannot know how much of it is done when this arrives.
	 */
	total = clock_slew_left(mon->clock, now) + req.offset_s;
	if ((why = lim_check_slew(&mon->lim, req.offset_s, req.rate_ppm)) !=
	    NULL || (why = lim_check_slew(&mon->lim, total,
	    req.rate_ppm)) != NULL) {
		log_warnx("refused slew of %.9f s at %.1f ppm: %s",
		    req.offset_s, req.rate_ppm, why);
		mon->refused++;
		return;
	}
	if (clock_slew(mon->clock, now, total, req.rate_ppm) == -1)
		return;
	log_change(mon, req.offset_s);
	lim_note_update(&mon->limst, req.provisional != 0);
	arm_slew_timer(mon);
}

static void
handle_step(struct monitor *mon, struct imsg *imsg)
{
	struct req_step	 req;
	const char	*why;
	int64_t		 now = monitor_now_ns();

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1) {
		monitor_engine_abuse(mon, "IMSG_STEP: bad length");
		return;
	}
	if ((why = lim_check_step(&mon->lim, &mon->limst, req.offset_s,
	    now)) != NULL) {
		log_warnx("refused step of %+.9f s: %s", req.offset_s, why);
		mon->refused++;
		return;
	}
	if (clock_step(mon->clock, now, req.offset_s) == -1) {
		log_warnx("step of %+.9f s failed", req.offset_s);
		return;
	}
	lim_note_step(&mon->limst, now, req.provisional != 0);
	log_change(mon, req.offset_s);
	log_info("clock stepped by %+.9f s", -req.offset_s);
}

static void
handle_leap(struct monitor *mon, struct imsg *imsg)
{
	struct req_leap	 req;
	const char	*why;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1) {
		monitor_engine_abuse(mon, "IMSG_SET_LEAP: bad length");
		return;
	}
	if ((why = lim_check_leap(req.leap)) != NULL) {
		log_warnx("refused leap status %d: %s", (int)req.leap, why);
		mon->refused++;
		return;
	}
	clock_set_leap(mon->clock, req.leap);
}

static void
handle_sync(struct monitor *mon, struct imsg *imsg)
{
	struct req_sync	 req;
	const char	*why;

	if (imsg_get_data(imsg, &req, sizeof(req)) == -1) {
		monitor_engine_abuse(mon, "IMSG_SET_SYNC: bad length");
		return;
	}
	if ((why = lim_check_sync(req.synced, req.est_error_s,
	    req.max_error_s)) != NULL) {
		log_warnx("refused sync status: %s", why);
		mon->refused++;
		return;
	}
	clock_set_sync(mon->clock, req.synced, req.est_error_s,
	    req.max_error_s);
}

/*
 * A line for a log file: exact size, the log enabled, every value
 * checked (lib/logfmt.c), then formatted here, never by the engine.
 */
static void
handle_logrec(struct monitor *mon, struct imsg *imsg)
{
	union {
		struct log_measurement	 m;
		struct log_statistics	 s;
		struct log_tracking	 t;
		struct log_refclock	 c;
	}		 r;
	char		 line[LOGFMT_LINE_MAX];
	const char	*why;
	int		 kind, n = -1;

	switch (imsg->hdr.type) {
	case IMSG_LOG_MEASUREMENT:
		kind = LOGFMT_MEASUREMENTS;
		if ((why = imsg_get_data(imsg, &r.m, sizeof(r.m)) == -1 ?
		    "bad length" : logfmt_check_measurement(&r.m)) == NULL)
			n = logfmt_measurement(line, sizeof(line), &r.m);
		break;
	case IMSG_LOG_STATISTICS:
		kind = LOGFMT_STATISTICS;
		if ((why = imsg_get_data(imsg, &r.s, sizeof(r.s)) == -1 ?
		    "bad length" : logfmt_check_statistics(&r.s)) == NULL)
			n = logfmt_statistics(line, sizeof(line), &r.s);
		break;
	case IMSG_LOG_TRACKING:
		kind = LOGFMT_TRACKING;
		if ((why = imsg_get_data(imsg, &r.t, sizeof(r.t)) == -1 ?
		    "bad length" : logfmt_check_tracking(&r.t)) == NULL)
			n = logfmt_tracking(line, sizeof(line), &r.t);
		break;
	default:
		kind = LOGFMT_REFCLOCKS;
		if ((why = imsg_get_data(imsg, &r.c, sizeof(r.c)) == -1 ?
		    "bad length" : logfmt_check_refclock(&r.c)) == NULL)
			n = logfmt_refclock(line, sizeof(line), &r.c);
		break;
	}
	if (why == NULL && !statlog_enabled(mon->statlog, kind))
		why = "that log is not enabled";
	if (why != NULL) {
		log_warnx("engine: %s.log record refused: %s",
		    logfmt_name(kind), why);
		monitor_engine_abuse(mon, "IMSG_LOG_*: malformed");
		return;
	}
	if (n > 0)
		statlog_write(mon->statlog, kind, line, (size_t)n);
}

/* -q / -Q: print what chronyd prints, and stop. */
static void
handle_oneshot(struct monitor *mon, struct imsg *imsg)
{
	struct oneshot_result	 r;

	if (!mon->oneshot || imsg_get_data(imsg, &r, sizeof(r)) == -1 ||
	    !isfinite(r.offset_s)) {
		monitor_engine_abuse(mon, "IMSG_ONESHOT: unexpected");
		return;
	}
	if (r.ok) {
		printf("System clock wrong by %.6f seconds (%s)\n", -r.offset_s,
		    mon->oneshot == 'q' && r.stepped ? "step" : "ignored");
		fflush(stdout);
	} else
		log_warnx("no selectable source");
	mon->status = r.ok && (mon->oneshot == 'Q' || r.stepped) ? 0 : 1;
	event_base_loopexit(mon->base, NULL);
}

static void
engine_dispatch(struct monitor *mon, struct imsg *imsg)
{
	if (!mon->engine_ready && imsg->hdr.type != IMSG_HELLO) {
		monitor_engine_abuse(mon, "no hello");
		return;
	}
	switch (imsg->hdr.type) {
	case IMSG_HELLO:
		handle_hello(mon, imsg);
		return;		/* already sent the state */
	case IMSG_LOG:
		handle_log(mon, imsg);
		return;
	case IMSG_PONG:
		handle_pong(mon, imsg);
		return;
	case IMSG_LOG_MEASUREMENT:
	case IMSG_LOG_STATISTICS:
	case IMSG_LOG_TRACKING:
	case IMSG_LOG_REFCLOCK:
		handle_logrec(mon, imsg);
		return;
	case IMSG_ADJ_FREQ:
		handle_freq(mon, imsg);
		break;
	case IMSG_ADJ_OFFSET:
		handle_slew(mon, imsg);
		break;
	case IMSG_STEP:
		handle_step(mon, imsg);
		break;
	case IMSG_SET_LEAP:
		handle_leap(mon, imsg);
		break;
	case IMSG_SET_SYNC:
		handle_sync(mon, imsg);
		return;		/* nothing the engine needs to hear back */
	case IMSG_ONESHOT:
		handle_oneshot(mon, imsg);
		return;
	case IMSG_NTS_CLIENT_DUMP:
		ntsdump_save(mon, imsg);
		return;
	case IMSG_EXIT:
		if (imsg->datalen != 0) {
			monitor_engine_abuse(mon, "IMSG_EXIT: bad length");
			return;
		}
		log_warnx("the engine gives up (maxchange): stopping");
		mon->status = 1;
		event_base_loopexit(mon->base, NULL);
		return;
	case IMSG_CTL_TRACKING:
	case IMSG_CTL_SOURCES:
	case IMSG_CTL_SERVERSTATS:
	case IMSG_CTL_CLIENTS:
	case IMSG_CTL_SOURCESTATS:
	case IMSG_CTL_ACTIVITY:
	case IMSG_CTL_SMOOTHING:
	case IMSG_CTL_NTPDATA:
	case IMSG_CTL_AUTHDATA:
	case IMSG_CTL_SELECTDATA:
	case IMSG_CTL_SOURCENAME:
	case IMSG_CTL_END:
	case IMSG_CTL_MORE:
	case IMSG_CTL_RESULT:
		if (mon->control == NULL) {
			monitor_engine_abuse(mon, "control answer, no control");
			return;
		}
		control_from_engine(mon->control, imsg);
		return;
	case IMSG_NTS_KEYS_SAVE:
		ntskeys_save(mon, imsg);
		return;
	default:
		monitor_engine_abuse(mon, "unknown message type");
		return;
	}
	/* Tell the engine what the clock does now, refused or not. */
	if (mon->engine != NULL)
		send_clock_state(mon);
}

int
monitor_makestep(struct monitor *mon)
{
	int64_t	 now = monitor_now_ns();
	double	 left;

	if (clock_kind(mon->clock) == CLOCK_KIND_NONE)
		return -1;
	left = clock_slew_left(mon->clock, now);
	if (left == 0.0) {
		log_info("makestep: no correction in progress, "
		    "nothing to step");
		return 0;
	}
	if (clock_step(mon->clock, now, left) == -1)
		return -1;
	log_info("makestep: the correction in progress taken at "
	    "once, clock stepped by %+.9f s", -left);
	arm_slew_timer(mon);
	send_clock_state(mon);
	return 0;
}

/* timectl makestep THRESHOLD LIMIT, checked: the limit becomes absolute. */
void
monitor_set_makestep(struct monitor *mon, struct ctl_makestep *m)
{
	m->limit = lim_set_makestep(&mon->lim, &mon->limst, m->threshold_s,
	    m->limit);
}

static void
slew_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct monitor	*mon = arg;

	clock_tick(mon->clock, monitor_now_ns());
	arm_slew_timer(mon);
	send_clock_state(mon);
}

static void
arm_slew_timer(struct monitor *mon)
{
	struct timeval	 tv;
	int64_t		 end = clock_slew_end(mon->clock), dt;

	evtimer_del(mon->ev_slew);
	if (end == 0)
		return;
	dt = end - monitor_now_ns();
	if (dt < 0)
		dt = 0;
	tv.tv_sec = dt / 1000000000LL;
	tv.tv_usec = (dt % 1000000000LL) / 1000;
	evtimer_add(mon->ev_slew, &tv);
}

static void
save_drift(struct monitor *mon)
{
	if (mon->conf->driftfile == NULL || !mon->drift_known)
		return;
	drift_write(mon->conf->driftfile, &mon->lim, clock_freq(mon->clock),
	    mon->drift_skew_ppm);
}

static void
drift_cb(evutil_socket_t fd, short ev, void *arg)
{
	save_drift(arg);
}

/*
 * Every FOREIGN_INTERVAL_S: a step of the system clock that was not ours
 * (an administrator's date, another daemon, a resume from suspend) makes
 * the engine's samples of before useless; it is told to forget them, as
 * chronyd does when it sees the time jump.
 */
static void
foreign_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct monitor	*mon = arg;
	struct timespec	 mono;
	int64_t		 real;
	double		 step_s;

	real = monitor_now_ns();
	clock_gettime(CLOCK_MONOTONIC, &mono);
	step_s = clock_foreign_step(mon->clock, real,
	    (int64_t)mono.tv_sec * 1000000000LL + mono.tv_nsec);
	if (step_s == 0.0)
		return;
	log_warnx("the system clock was stepped by %+.6f s, not by timed",
	    step_s);
	mon->foreign++;
	if (mon->engine_ready)
		send_clock_state(mon);
}

static struct event *
add_signal(struct monitor *mon, int sig, event_callback_fn cb)
{
	struct event	*ev;

	if ((ev = evsignal_new(mon->base, sig, cb, mon)) == NULL ||
	    evsignal_add(ev, NULL) == -1)
		fatalx("cannot handle signal %d", sig);
	return ev;
}

/*
 * What a stopping engine still says: its NTS client's state (and logs),
 * until it closes the channel.  Anything else is ignored.
 */
static void
drain_engine(struct monitor *mon)
{
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r;

	if (mon->engine == NULL || !mon->engine_ready)
		return;
	if ((n = imsgbuf_read(mon->engine)) == 0 ||
	    (n == -1 && errno != EAGAIN)) {
		engine_close(mon);
		return;
	}
	while (mon->engine != NULL &&
	    (r = imsg_get(mon->engine, &imsg)) != 0) {
		if (r == -1) {
			engine_close(mon);
			return;
		}
		if (imsg.hdr.type == IMSG_NTS_CLIENT_DUMP)
			ntsdump_save(mon, &imsg);
		else if (imsg.hdr.type == IMSG_LOG)
			handle_log(mon, &imsg);
		imsg_free(&imsg);
	}
}

static void
stop_engine(struct monitor *mon)
{
	int	 status, i;

	mon->stopping = 1;
	if (mon->sim != NULL && mon->engine != NULL) {
		mon->sim->engine_stop(mon);
		drain_engine(mon);
	}
	if (mon->engine_pid <= 0) {
		engine_close(mon);
		return;
	}
	kill(mon->engine_pid, SIGTERM);
	for (i = 0; i < 50; i++) {	/* 5 s, then it is killed */
		drain_engine(mon);
		if (waitpid(mon->engine_pid, &status, WNOHANG) ==
		    mon->engine_pid) {
			drain_engine(mon);
			engine_close(mon);
			return;
		}
		usleep(100000);
	}
	engine_close(mon);
	kill(mon->engine_pid, SIGKILL);
	waitpid(mon->engine_pid, &status, 0);
}

void
monitor_run(struct monitor *mon)
{
	struct event	*sigs[4] = { NULL, NULL, NULL, NULL };
	struct timeval	 hour = { DRIFT_INTERVAL_S, 0 };
	struct timeval	 beat = { WATCHDOG_INTERVAL_S, 0 };
	struct timeval	 foreign = { FOREIGN_INTERVAL_S, 0 };
	int		 i;

	if (mon->base == NULL && (mon->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	/* clknetsim: libevent's signal pipe would spin; timed-sim's own */
	if (mon->sim == NULL) {
		sigs[0] = add_signal(mon, SIGTERM, sigterm_cb);
		sigs[1] = add_signal(mon, SIGINT, sigterm_cb);
		sigs[2] = add_signal(mon, SIGCHLD, sigchld_cb);
		sigs[3] = add_signal(mon, SIGHUP, sighup_cb);
	}
	signal(SIGPIPE, SIG_IGN);
	mon->ev_engine = event_new(mon->base, -1, 0, NULL, NULL);
	mon->ev_restart = evtimer_new(mon->base, engine_restart_cb, mon);
	mon->ev_slew = evtimer_new(mon->base, slew_cb, mon);
	mon->ev_drift = event_new(mon->base, -1, EV_PERSIST, drift_cb, mon);
	mon->ev_watchdog = event_new(mon->base, -1, EV_PERSIST, watchdog_cb,
	    mon);
	mon->ev_foreign = event_new(mon->base, -1, EV_PERSIST, foreign_cb,
	    mon);
	if (mon->ev_engine == NULL || mon->ev_restart == NULL ||
	    mon->ev_slew == NULL || mon->ev_drift == NULL ||
	    mon->ev_watchdog == NULL || mon->ev_foreign == NULL)
		fatalx("event_new");
	evtimer_add(mon->ev_drift, &hour);
	foreign_cb(-1, 0, mon);		/* where the clocks stand */
	evtimer_add(mon->ev_foreign, &foreign);
	if (mon->sim == NULL)	/* one process: a hung engine is a hung run */
		evtimer_add(mon->ev_watchdog, &beat);
	mon->backoff_s = ENGINE_BACKOFF_MIN_S;
	for (i = 0; i < ENGINE_QUICK_MAX; i++)
		mon->quick[i] = -ENGINE_QUICK_WINDOW_S;
	if (mon->control != NULL)
		control_start(mon->control, mon);
	if (mon->chronyc != NULL)
		chronyc_start(mon->chronyc, mon);
	if (mon->refclocks != NULL)
		refclocks_start(mon->refclocks);

	mon->crash = crash_new();
	if (mon->sim == NULL && sandbox_monitor_caps(!mon->noclock &&
	    mon->conf->clock != CONF_CLOCK_VIRTUAL) == -1)
		fatal("cannot drop the monitor's capabilities");
	if (mon->sim == NULL &&
	    sandbox_monitor_filter(mon->engine_exe) == -1)
		fatalx("cannot load the monitor's seccomp filter");
	engine_spawn(mon);
	event_base_dispatch(mon->base);

	notify_send("STOPPING=1");
	stop_engine(mon);
	save_drift(mon);
	/* chronyc's requests still in control.c answer through its socket */
	if (mon->control != NULL)
		control_close(mon->control);
	chronyc_close(mon->chronyc);
	refclocks_close(mon->refclocks);
	crash_free(mon->crash);
	event_free(mon->ev_watchdog);
	event_free(mon->ev_foreign);
	event_free(mon->ev_drift);
	event_free(mon->ev_slew);
	event_free(mon->ev_restart);
	event_free(mon->ev_engine);
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	event_base_free(mon->base);
}
