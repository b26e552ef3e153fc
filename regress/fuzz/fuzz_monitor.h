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
 * The fakes of the monitor's fuzz harnesses, all in one place, as
 * chrony's unit tests fake what a module calls outside itself.
 * fuzz_control.c #includes monitor/control.c and fuzz_monitor.c
 * #includes monitor/monitor.c; each defines FAKE_MONITOR or
 * FAKE_CONTROL for the other module before including this file, which
 * must come before the module:
 *
 *	libevent	events are records; nothing is dispatched, the
 *			harness calls the callbacks itself
 *	log.c		formats each message (so ASan sees its
 *			arguments), then drops it; fatal() aborts: no
 *			input may end the monitor
 *	the system	clock_gettime is a fixed clock that advances 1 ms a
 *			call; kill, fork and waitpid abort unless harmless:
 *			nothing is signalled, nothing started
 *	FAKE_MONITOR	monitor.c and reload.c, for control.c: an engine
 *			that takes requests into a queue (fake_engine)
 *	FAKE_CONTROL	control.c, statlog.c, drift.c, file.c, notify.c,
 *			ntsfiles.c and sandbox_monitor.c, for monitor.c;
 *			ntskeys.c and ntsdump.c are real (they parse engine
 *			input)
 *
 * When monitor.c or control.c call something new outside, add its fake
 * here.
 */

#ifndef FUZZ_MONITOR_H
#define FUZZ_MONITOR_H

#include <sys/types.h>
#include <sys/time.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "chronycsock.h"
#include "control.h"
#include "drift.h"
#include "file.h"
#include "log.h"
#include "monitor.h"
#include "notify.h"
#include "ntsfiles.h"
#include "sandbox_monitor.h"
#include "statlog.h"

/* libevent */

struct event_base {
	int		 loopexit;	/* event_base_loopexit() called */
};

struct event {
	struct event_base	*base;
	evutil_socket_t		 fd;
	short			 what;
	event_callback_fn	 cb;
	void			*arg;
	int			 added;
	struct timeval		 tv;	/* timers: as added */
};

struct event_base *
event_base_new(void)
{
	return calloc(1, sizeof(struct event_base));
}

void
event_base_free(struct event_base *b)
{
	free(b);
}

int
event_base_dispatch(struct event_base *b)
{
	(void)b;
	abort();	/* the harness runs the callbacks */
}

int
event_base_loopexit(struct event_base *b, const struct timeval *tv)
{
	(void)tv;
	b->loopexit = 1;
	return 0;
}

int
event_assign(struct event *ev, struct event_base *b, evutil_socket_t fd,
    short what, event_callback_fn cb, void *arg)
{
	memset(ev, 0, sizeof(*ev));
	ev->base = b;
	ev->fd = fd;
	ev->what = what;
	ev->cb = cb;
	ev->arg = arg;
	return 0;
}

struct event *
event_new(struct event_base *b, evutil_socket_t fd, short what,
    event_callback_fn cb, void *arg)
{
	struct event	*ev;

	if ((ev = calloc(1, sizeof(*ev))) != NULL)
		event_assign(ev, b, fd, what, cb, arg);
	return ev;
}

int
event_add(struct event *ev, const struct timeval *tv)
{
	ev->added = 1;
	if (tv != NULL) {
		/* as libevent wants it; no slew lasts past LIM_MAX_SLEW_S */
		if (tv->tv_sec < 0 || tv->tv_sec > LIM_MAX_SLEW_S + 1 ||
		    tv->tv_usec < 0 || tv->tv_usec >= 1000000)
			abort();
		ev->tv = *tv;
	}
	return 0;
}

int
event_del(struct event *ev)
{
	ev->added = 0;
	return 0;
}

void
event_active(struct event *ev, int res, short ncalls)
{
	(void)ev;
	(void)res;
	(void)ncalls;
	abort();	/* no in-memory channel outside the simulation */
}

void
event_free(struct event *ev)
{
	free(ev);
}

/* log.c */

static int	fake_log_lines;

static void
fake_vlog(const char *fmt, va_list ap)
{
	char	 buf[8192];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fake_log_lines++;
}

#define FAKE_LOG(name)					\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	 ap;					\
							\
	va_start(ap, fmt);				\
	fake_vlog(fmt, ap);				\
	va_end(ap);					\
}
FAKE_LOG(log_warn)
FAKE_LOG(log_warnx)
FAKE_LOG(log_info)
FAKE_LOG(log_debug)
#undef FAKE_LOG

void
fatal(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

void
fatalx(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

void
log_line(int priority, const char *tag, const char *msg)
{
	const char	*p;

	(void)priority;
	(void)tag;
	for (p = msg; *p != '\0'; p++)	/* the monitor cleaned it */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	fake_log_lines++;
}

/* The system: a fixed clock; nothing signalled, nothing started. */

/* 2026-01-01 */
static int64_t	fake_now_ns = 1767225600000000000LL;

static int __attribute__((unused))
fake_clock_gettime(clockid_t id, struct timespec *ts)
{
	(void)id;
	fake_now_ns += 1000000;
	ts->tv_sec = fake_now_ns / 1000000000LL;
	ts->tv_nsec = fake_now_ns % 1000000000LL;
	return 0;
}

static int __attribute__((unused))
fake_kill(pid_t pid, int sig)
{
	if (pid <= 0)
		abort();	/* would signal a process group */
	(void)sig;
	return 0;
}

static pid_t __attribute__((unused))
fake_fork(void)
{
	abort();
}

static pid_t __attribute__((unused))
fake_waitpid(pid_t pid, int *status, int options)
{
	(void)pid;
	(void)status;
	(void)options;
	abort();
}

#define clock_gettime(id, ts)	fake_clock_gettime(id, ts)
#define kill(pid, sig)		fake_kill(pid, sig)
#define fork()			fake_fork()
#define waitpid(p, s, o)	fake_waitpid(p, s, o)

#ifdef FAKE_MONITOR
/*
 * monitor.c for control.c: the engine takes requests into a queue; the
 * harness answers them (or not) through control_from_engine().
 */
#define FAKE_QUEUE	64

struct fake_request {
	uint32_t	 type;
	uint32_t	 peerid;
};

static struct {
	int			 up;	/* 0: monitor_to_engine fails */
	int			 abused; /* monitor_engine_abuse calls */
	struct fake_request	 q[FAKE_QUEUE];
	int			 n;
	int			 makestep_fails;
	int			 reload_rc; /* monitor_reload_sources */
} fake_engine;

static struct control	*fake_control;	/* for engine_gone */

double
monitor_mono_s(void)
{
	struct timespec	 ts;

	fake_clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
monitor_to_engine(struct monitor *mon, uint32_t type, uint32_t peerid,
    pid_t pid, const void *data, size_t len)
{
	(void)mon;
	(void)pid;
	(void)data;
	if (len > IMSG_MAX_PAYLOAD)
		abort();
	if (!fake_engine.up || fake_engine.n == FAKE_QUEUE)
		return -1;
	fake_engine.q[fake_engine.n].type = type;
	fake_engine.q[fake_engine.n].peerid = peerid;
	fake_engine.n++;
	return 0;
}

void
monitor_engine_abuse(struct monitor *mon, const char *why)
{
	(void)mon;
	(void)why;
	fake_engine.abused++;
	/* as engine_close(): the engine is gone, its requests with it */
	fake_engine.up = 0;
	fake_engine.n = 0;
	if (fake_control != NULL)
		control_engine_gone(fake_control, 1);
}

int
monitor_makestep(struct monitor *mon)
{
	(void)mon;
	return fake_engine.makestep_fails ? -1 : 0;
}

void
monitor_set_makestep(struct monitor *mon, struct ctl_makestep *m)
{
	m->limit = lim_set_makestep(&mon->lim, &mon->limst, m->threshold_s,
	    m->limit);
}

int
monitor_reload_sources(struct monitor *mon, uint32_t peerid, uid_t uid)
{
	(void)uid;
	if (fake_engine.reload_rc != 0)
		return fake_engine.reload_rc;
	return monitor_to_engine(mon, IMSG_CTL_RELOAD_SOURCES, peerid, 0,
	    NULL, 0) == -1 ? CTL_UNAVAIL : 0;
}

int
monitor_rekey(struct monitor *mon)
{
	(void)mon;
	return fake_engine.reload_rc != 0 ? -1 : 0;
}

int
monitor_cyclelogs(struct monitor *mon)
{
	(void)mon;
	return 0;
}
#endif /* FAKE_MONITOR */

#ifdef FAKE_CONTROL
/* control.c and the file modules, for monitor.c. */

static int	fake_control_answers;
static int	fake_statlog_kinds;	/* bit (1 << kind): enabled */
static int	fake_files_written;

void
control_from_engine(struct control *ctl, const struct imsg *imsg)
{
	(void)ctl;
	if (imsg->datalen > IMSG_MAX_PAYLOAD ||
	    (imsg->datalen > 0 && imsg->data == NULL))
		abort();
	fake_control_answers++;
}

void
control_engine_gone(struct control *ctl, int died)
{
	(void)ctl;
	(void)died;
}

void
control_start(struct control *ctl, struct monitor *mon)
{
	(void)ctl;
	(void)mon;
}

void
control_close(struct control *ctl)
{
	(void)ctl;
}

void
chronyc_start(struct chronycsock *cs, struct monitor *mon)
{
	(void)cs;
	(void)mon;
}

void
chronyc_close(struct chronycsock *cs)
{
	(void)cs;
}

int
statlog_enabled(const struct statlog *s, int kind)
{
	(void)s;
	return (fake_statlog_kinds >> kind) & 1;
}

void
statlog_write(struct statlog *s, int kind, const char *line, size_t len)
{
	(void)s;
	(void)kind;
	/* a line of text, formatted by the monitor */
	if (len == 0 || line[len - 1] != '\n' || memchr(line, '\0', len))
		abort();
}

void
statlog_reopen(struct statlog *s)
{
	(void)s;
}

int
file_replace(const char *path, const void *buf, size_t len, mode_t mode)
{
	(void)path;
	(void)buf;
	(void)len;
	(void)mode;
	fake_files_written++;
	return 0;
}

int
drift_write(const char *path, const struct lim *lim, double freq_ppm,
    double skew_ppm)
{
	(void)path;
	(void)lim;
	(void)freq_ppm;
	(void)skew_ppm;
	return 0;
}

void
notify_send(const char *msg)
{
	(void)msg;
}

int
sandbox_monitor_filter(const char *exe)
{
	(void)exe;
	abort();
}

int
sandbox_monitor_caps(int clock)
{
	(void)clock;
	abort();
}

int
ntsfiles_load_certs(const struct conf *c, struct nts_files *f, char *err,
    size_t errlen)
{
	(void)c;
	(void)f;
	snprintf(err, errlen, "fuzz");
	return -1;
}

void
ntsfiles_close_certs(struct nts_files *f)
{
	(void)f;
}

int
ntsfiles_load_trust(const struct conf *c, struct nts_files *f, char *err,
    size_t errlen)
{
	(void)c;
	(void)f;
	snprintf(err, errlen, "fuzz");
	return -1;
}

void
ntsfiles_close_trust(struct nts_files *f)
{
	(void)f;
}

int
ntsfiles_load_keyfile(const struct conf *c, int *fd, int *nkeys, char *err,
    size_t errlen)
{
	(void)c;
	*fd = -1;
	*nkeys = 0;
	snprintf(err, errlen, "fuzz");
	return -1;
}
#endif /* FAKE_CONTROL */

#endif /* FUZZ_MONITOR_H */
