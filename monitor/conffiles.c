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
 * The files and directories the configuration names, checked as the
 * start uses them, by timed -p and by the start alike: what stops the
 * start is an error of timed -p, what the start warns about a warning
 * of both.  As chronyd: a keyfile that cannot be opened is a warning (no
 * keys; SIGHUP reads it again), and the directories it makes (logdir,
 * and timed's chrootdir and the pid file's) are made when missing.
 */

#include <sys/stat.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conffiles.h"
#include "file.h"
#include "ntsfiles.h"
#include "sandbox.h"

struct check {
	const struct conf	*conf;
	const char		*conffile;
	FILE			*errf;
	int			 errors;
};

/*
 * "FILE:LINE: [warning: ]message", FILE:LINE the n-th line of directive
 * dir (-1: its last), or the configuration file for a default.
 */
static void __attribute__((format(printf, 5, 6)))
report(struct check *ck, const char *dir, int n, int is_error,
    const char *fmt, ...)
{
	const char	*at = conf_at(ck->conf, dir, n);
	va_list		 ap;

	fprintf(ck->errf, "%s: %s", at != NULL ? at : ck->conffile,
	    is_error ? "" : "warning: ");
	va_start(ap, fmt);
	vfprintf(ck->errf, fmt, ap);
	va_end(ap);
	fputc('\n', ck->errf);
	ck->errors += is_error;
}

/*
 * A file the start reads as root: an error if it cannot be read, but a
 * warning for a timed -p that is not root and may not read it.
 */
static int
readable(struct check *ck, const char *dir, int n, const char *path)
{
	if (access(path, R_OK) == 0)
		return 1;
	if (errno == EACCES && geteuid() != 0)
		report(ck, dir, n, 0, "%s %s: not readable by this user, so "
		    "not checked (the start reads it as root)", dir, path);
	else
		report(ck, dir, n, 1, "%s %s: %s", dir, path,
		    strerror(errno));
	return 0;
}

/* The keyfile: a bad line stops the start; a missing file does not. */
static void
check_keyfile(struct check *ck)
{
	char	 err[512];
	int	 fd, nkeys;

	if (ck->conf->keyfile == NULL)
		return;
	switch (ntsfiles_load_keyfile(ck->conf, &fd, &nkeys, err,
	    sizeof(err))) {
	case 0:
		close(fd);
		return;
	case 1:
		if (access(ck->conf->keyfile, R_OK) == -1 &&
		    errno == EACCES && geteuid() != 0)
			(void)readable(ck, "keyfile", -1, ck->conf->keyfile);
		else
			report(ck, "keyfile", -1, 0, "keyfile %s; no "
			    "symmetric keys until it can be read (SIGHUP "
			    "reads it again)", err);
		return;
	default:
		report(ck, "keyfile", -1, 1, "keyfile %s", err);
	}
}

/* The NTS server's certificates and keys, the trusted certificates. */
static void
check_nts(struct check *ck, int client_only)
{
	static const char *const dirs[] = {
		"ntstrustedcerts", "ntsservercert", "ntsserverkey"
	};
	const struct conf_str	*lists[3], *s;
	struct nts_files	 f;
	char			 err[512];
	int			 i, n, ok = 1;

	lists[0] = ck->conf->ntstrustedcerts;
	lists[1] = client_only ? NULL : ck->conf->ntsservercert;
	lists[2] = client_only ? NULL : ck->conf->ntsserverkey;
	for (i = 0; i < 3; i++)
		for (s = lists[i], n = 0; s != NULL; s = s->next, n++)
			ok &= readable(ck, dirs[i], n, s->s);
	if (!ok)
		return;
	/* then as the start reads them: sizes, directories */
	memset(&f, 0, sizeof(f));
	if (ntsfiles_load_trust(ck->conf, &f, err, sizeof(err)) == -1)
		report(ck, "ntstrustedcerts", -1, 1, "ntstrustedcerts: %s",
		    err);
	ntsfiles_close_trust(&f);
	if (client_only)
		return;
	if (ntsfiles_load_certs(ck->conf, &f, err, sizeof(err)) == -1)
		report(ck, "ntsservercert", -1, 1, "ntsservercert/"
		    "ntsserverkey: %s", err);
	ntsfiles_close_certs(&f);
}

/* A directory the start makes when missing: not something else. */
static void
check_dir(struct check *ck, const char *dir, const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			report(ck, dir, -1, 1, "%s %s: %s", dir, path,
			    strerror(errno));
		return;		/* the start makes it */
	}
	if (!S_ISDIR(st.st_mode))
		report(ck, dir, -1, 1, "%s %s: not a directory", dir, path);
}

/* The engine's chroot: made when missing, else root's and closed. */
static void
check_chroot(struct check *ck)
{
	char	 err[256];

	if (access(ck->conf->chrootdir, F_OK) == -1 && errno == ENOENT)
		return;
	if (sandbox_check_chroot(ck->conf->chrootdir, err, sizeof(err)) == -1)
		report(ck, "chrootdir", -1, 1, "chrootdir %s: %s",
		    ck->conf->chrootdir, err);
}

int
conffiles_check(const struct conf *conf, const char *conffile, int flags,
    FILE *errf)
{
	struct check	 ck = { conf, conffile, errf, 0 };
	char		 buf[PATH_MAX];

	check_keyfile(&ck);
	check_nts(&ck, flags & CONFFILES_CLIENT);
	if (!(flags & CONFFILES_NOCHROOT))
		check_chroot(&ck);
	if (conf->logdir != NULL && (conf->log_flags & CONF_LOG_IMPLEMENTED))
		check_dir(&ck, "logdir", conf->logdir);
	if (conf->pidfile != NULL && !(flags & CONFFILES_CLIENT) &&
	    snprintf(buf, sizeof(buf), "%s", conf->pidfile) <
	    (int)sizeof(buf))
		check_dir(&ck, "pidfile", dirname(buf));
	fflush(errf);
	return ck.errors > 0 ? -1 : 0;
}

int
conffiles_make_dirs(const struct conf *conf, int flags, char *err,
    size_t errlen)
{
	char	 buf[PATH_MAX];

	if (!(flags & CONFFILES_NOCHROOT) &&
	    access(conf->chrootdir, F_OK) == -1 && errno == ENOENT &&
	    file_mkdirs(conf->chrootdir, 0755) == -1) {
		snprintf(err, errlen, "chrootdir %s: %s", conf->chrootdir,
		    strerror(errno));
		return -1;
	}
	if (conf->pidfile != NULL && !(flags & CONFFILES_CLIENT) &&
	    snprintf(buf, sizeof(buf), "%s", conf->pidfile) <
	    (int)sizeof(buf) && file_mkdirs(dirname(buf), 0755) == -1) {
		snprintf(err, errlen, "pidfile %s: %s", conf->pidfile,
		    strerror(errno));
		return -1;
	}
	return 0;
}
