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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int		 to_stderr = 1;
static int		 debug;
static const char	*procname = "timed";
static log_sink_fn	 sink;

void
log_init(int stderr_, int debug_, const char *name)
{
	to_stderr = stderr_;
	debug = debug_;
	procname = name;
	if (!to_stderr)
		openlog("timed", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_sink(log_sink_fn fn)
{
	sink = fn;
}

int
log_to_stderr(void)
{
	return to_stderr;
}

void
log_line(int priority, const char *tag, const char *msg)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[32];

	if (!to_stderr) {
		syslog(priority, "%s: %s", tag, msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (tag[0] == '\0')
		fprintf(stderr, "%s %s\n", stamp, msg);
	else
		fprintf(stderr, "%s %s: %s\n", stamp, tag, msg);
	fflush(stderr);
}

static void
vlog(int priority, const char *fmt, va_list ap, const char *err)
{
	char	 msg[512];
	size_t	 n;

	if (priority == LOG_DEBUG && !debug)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != NULL) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", err);
	}
	if (sink != NULL)
		sink(priority, msg);
	else
		log_line(priority, procname, msg);
}

void
log_warn(const char *fmt, ...)
{
	const char	*err = strerror(errno);
	va_list		 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char	*err = strerror(errno);
	va_list		 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
