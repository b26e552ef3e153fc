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
 * chrony's log files (logdir, log measurements statistics tracking
 * refclocks): the monitor owns them, the engine only sends records.  Each
 * file is opened when its first line after start or SIGHUP comes, in
 * append mode, so that logrotate can move it away and send SIGHUP, as for
 * chronyd.
 */

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "file.h"
#include "log.h"
#include "logfmt.h"
#include "statlog.h"
#include "xmalloc.h"

struct statlog_file {
	int		 fd;		/* -1: not open */
	int		 failed;	/* open failed: quiet until SIGHUP */
	unsigned long	 writes;	/* entries since it was opened */
};

struct statlog {
	char			*dir;
	int			 flags;		/* CONF_LOG_* enabled */
	int			 banner;	/* logbanner */
	struct statlog_file	 f[LOGFMT_NKINDS];
};

static const int kind_flag[LOGFMT_NKINDS] = {
	CONF_LOG_MEASUREMENTS, CONF_LOG_STATISTICS, CONF_LOG_TRACKING,
	CONF_LOG_REFCLOCKS
};

struct statlog *
statlog_new(const struct conf *conf)
{
	struct statlog	*sl;
	struct stat	 st;
	int		 i;

	if ((conf->log_flags & CONF_LOG_IMPLEMENTED) == 0)
		return NULL;
	if (conf->logdir == NULL) {
		log_warnx("log: logdir not specified; no log files written");
		return NULL;
	}
	if (file_mkdirs(conf->logdir, 0755) == -1)
		fatal("logdir %s: cannot create it", conf->logdir);
	if (stat(conf->logdir, &st) == -1)
		fatal("logdir %s", conf->logdir);
	if (!S_ISDIR(st.st_mode))
		fatalx("logdir %s: not a directory", conf->logdir);
	sl = xcalloc(1, sizeof(*sl));
	sl->dir = xstrdup(conf->logdir);
	sl->flags = conf->log_flags;
	sl->banner = conf->logbanner;
	for (i = 0; i < LOGFMT_NKINDS; i++)
		sl->f[i].fd = -1;
	return sl;
}

int
statlog_enabled(const struct statlog *sl, int k)
{
	return sl != NULL && (sl->flags & kind_flag[k]) != 0;
}

static int
open_file(struct statlog *sl, enum logfmt_kind k)
{
	struct statlog_file	*f = &sl->f[k];
	char			 path[PATH_MAX];

	if (f->fd != -1)
		return 0;
	if (f->failed)
		return -1;
	if (snprintf(path, sizeof(path), "%s/%s.log", sl->dir,
	    logfmt_name(k)) >= (int)sizeof(path) ||
	    (f->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1) {
		log_warn("cannot open log file %s", path);
		f->failed = 1;
		return -1;
	}
	f->writes = 0;
	return 0;
}

static void
put(struct statlog *sl, enum logfmt_kind k, const char *s, size_t len)
{
	if (write(sl->f[k].fd, s, len) != (ssize_t)len)
		log_debug("log file %s.log: short write", logfmt_name(k));
}

void
statlog_write(struct statlog *sl, int k, const char *line, size_t len)
{
	char	 banner[LOGFMT_LINE_MAX];
	int	 n;

	if (!statlog_enabled(sl, k) || open_file(sl, k) == -1)
		return;
	if (logfmt_banner_due(&sl->f[k].writes, sl->banner) &&
	    (n = logfmt_banner(banner, sizeof(banner), k)) > 0)
		put(sl, k, banner, (size_t)n);
	put(sl, k, line, len);
}

void
statlog_reopen(struct statlog *sl)
{
	int	 i;

	if (sl == NULL)
		return;
	for (i = 0; i < LOGFMT_NKINDS; i++) {
		if (sl->f[i].fd != -1)
			close(sl->f[i].fd);
		sl->f[i].fd = -1;
		sl->f[i].failed = 0;
	}
}

void
statlog_free(struct statlog *sl)
{
	if (sl == NULL)
		return;
	statlog_reopen(sl);
	free(sl->dir);
	free(sl);
}
