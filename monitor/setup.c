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

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "conffiles.h"
#include "chronycsock.h"
#include "control.h"
#include "drift.h"
#include "leaptz.h"
#include "log.h"
#include "monitor.h"
#include "refclock.h"
#include "netsock.h"
#include "nic.h"
#include "notify.h"
#include "ntsfiles.h"
#include "ntskeys.h"
#include "proctitle.h"
#include "sandbox.h"
#include "statlog.h"

/*
 * The monitor's start: the configuration's files, the clock, the sockets,
 * then monitor_run().  main.c (timed) and regress/sim/timed-sim call it.
 */

static void
resolve_user(struct monitor *mon)
{
	struct passwd	*pw;

	if ((pw = getpwnam(mon->conf->user)) == NULL)
		fatalx("user '%s' does not exist: create it (useradd --system "
		    "%s) or name another with 'user' in %s", mon->conf->user,
		    mon->conf->user, mon->conffile);
	if (pw->pw_uid == 0)
		fatalx("user '%s' is root: the engine must run unprivileged",
		    mon->conf->user);
	mon->uid = pw->pw_uid;
	mon->gid = pw->pw_gid;
}

static struct clock *
make_clock(struct monitor *mon)
{
	struct conf	*conf = mon->conf;
	struct clock	*c;

	if (mon->noclock)
		c = clock_new_none(monitor_now_ns());
	else if (conf->clock == CONF_CLOCK_VIRTUAL)
		c = clock_new_virtual(monitor_now_ns(), conf->clock_offset_s,
		    conf->clock_freq_ppm);
	else
		c = clock_new_kernel(&kclock_sys_real, conf->rtcsync);
	if (c == NULL)
		fatal("clock");
	return c;
}

static void
load_drift(struct monitor *mon)
{
	double	 freq, skew;

	if (mon->conf->driftfile == NULL ||
	    drift_read(mon->conf->driftfile, &mon->lim, &freq, &skew) == -1)
		return;
	mon->drift_known = 1;
	mon->drift_skew_ppm = skew;
	if (clock_set_freq(mon->clock, monitor_now_ns(), freq) == 0)
		log_info("frequency %.3f ppm from %s", freq,
		    mon->conf->driftfile);
}

static void
write_pidfile(const char *path)
{
	FILE	*f;

	if (path == NULL)
		return;
	if ((f = fopen(path, "we")) == NULL)
		fatal("pidfile %s", path);
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) == EOF)
		fatal("pidfile %s", path);
}

static void
setup_limits(struct monitor *mon)
{
	struct conf	*conf = mon->conf;

	mon->lim.maxslewrate_ppm = conf->maxslewrate_ppm;
	mon->lim.maxdrift_ppm = conf->maxdrift_ppm;
	mon->lim.makestep_set = conf->makestep_set;
	mon->lim.makestep_threshold_s = conf->makestep_threshold_s;
	mon->lim.makestep_limit = conf->makestep_limit;
	mon->lim.initstep_set = conf->initstepslew != NULL && !mon->oneshot;
	mon->lim.initstep_threshold_s = conf->initstepslew_s;
	if (mon->oneshot == 'q') {
		/* -q is there to step the clock once, whatever makestep says */
		mon->lim.makestep_set = 1;
		mon->lim.makestep_threshold_s = 0.0;
		mon->lim.makestep_limit = -1;
	} else if (mon->oneshot == 'Q')
		mon->lim.makestep_set = 0;
}

/*
 * The engine gets the configuration as the monitor parsed it, in a memory
 * file: both see the same values, and the engine reads no file at all.
 */
int
monitor_write_conf(const struct conf *conf, int fd)
{
	FILE	*f;
	int	 copy;

	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (copy = dup(fd)) == -1)
		return -1;
	if ((f = fdopen(copy, "w")) == NULL) {
		close(copy);
		return -1;
	}
	conf_print(conf, f);
	return fclose(f) == EOF ? -1 : 0;
}

static int
conf_memfd(const struct conf *conf)
{
	int	 fd;

	if ((fd = memfd_create("timed.conf", MFD_CLOEXEC)) == -1)
		fatal("memfd_create");
	if (monitor_write_conf(conf, fd) == -1)
		fatal("configuration for the engine");
	return fd;
}

/*
 * conffiles_check() has told why a file would stop the start: what fails
 * here changed since.  A keyfile that cannot be opened is no keys (it
 * was warned about).
 */
static void
load_nts(struct monitor *mon)
{
	char	 err[512];
	int	 nkeys;

	switch (ntsfiles_load_keyfile(mon->conf, &mon->keys_fd, &nkeys, err,
	    sizeof(err))) {
	case -1:
		fatalx("keyfile %s", err);
	case 0:
		if (mon->conf->keyfile != NULL)
			log_info("keyfile %s: %d key(s)", mon->conf->keyfile,
			    nkeys);
		break;
	}
	if (ntsfiles_load_trust(mon->conf, &mon->nts, err, sizeof(err)) == -1)
		fatalx("ntstrustedcerts: %s", err);
	if (mon->oneshot)
		return;		/* a client only */
	if (ntsfiles_load_certs(mon->conf, &mon->nts, err, sizeof(err)) == -1)
		fatalx("ntsservercert/ntsserverkey: %s", err);
}

/* The files the configuration names, as timed -p checks them. */
static void
check_files(struct monitor *mon)
{
	char	 err[PATH_MAX + 64];
	int	 flags = 0;

	if (mon->oneshot)
		flags |= CONFFILES_CLIENT;
	if (mon->sim != NULL)
		flags |= CONFFILES_NOCHROOT;
	if (conffiles_check(mon->conf, mon->conffile, flags, stderr) == -1)
		exit(1);	/* FILE:LINE said why, as for a bad line */
	if (conffiles_make_dirs(mon->conf, flags, err, sizeof(err)) == -1)
		fatalx("%s", err);
}

int
monitor_main(struct monitor *mon)
{
	char	 err[256];

	check_files(mon);
	if (mon->sim == NULL) {		/* no user, chroot or exec there */
		if (geteuid() != 0)
			fatalx("must be started as root (the monitor owns "
			    "the clock)");
		resolve_user(mon);
		if (sandbox_check_chroot(mon->conf->chrootdir, err,
		    sizeof(err)) == -1)
			fatalx("chrootdir %s: %s", mon->conf->chrootdir, err);
		mon->conf_fd = conf_memfd(mon->conf);
	}
	setup_limits(mon);
	mon->clock = make_clock(mon);
	if (mon->oneshot != 'Q')	/* -Q changes nothing */
		load_drift(mon);
	load_nts(mon);
	/* The engine has no file system: the monitor reads the zone. */
	if (mon->conf->leapsectz != NULL)
		leaptz_read(mon->conf->leapsectz, &mon->leaps);
	if (!mon->oneshot)
		ntskeys_load(mon);
	/* One-shot runs beside a running daemon: no socket of their own. */
	if (!mon->oneshot) {
		/*
		 * chronyc's first: clknetsim numbers a node's UNIX sockets
		 * as they are bound, and chronyc looks for the first.
		 */
		if (mon->sim != NULL)
			mon->chronyc = chronyc_open_sim(
			    mon->conf->chronycsocket != NULL ?
			    mon->conf->chronycsocket : SIM_CHRONYC_SOCKET);
		else if (mon->conf->chronycsocket != NULL)
			mon->chronyc = chronyc_open(mon->conf->chronycsocket);
		mon->control = mon->sim != NULL ?
		    control_open_dgram(mon->conf->bindcmdaddress) :
		    control_open(mon->conf->bindcmdaddress);
		mon->n_ntp_fds = netsock_open(mon->conf, mon->ntp_fds,
		    MAX_NTP_SOCKETS);
		mon->statlog = statlog_new(mon->conf);
		notify_init();
		mon->n_ke_fds = netsock_open_ke(mon->conf, mon->ke_fds,
		    NTS_MAX_KE_SOCKETS);
		mon->refclocks = refclocks_open(mon);
		mon->n_nics = nic_open(mon->conf, mon->nics, HWTS_IFACE_MAX);
	}
	if (!mon->foreground) {
		if (!mon->nodetach && daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, mon->debug, "monitor");
	}
	if (!mon->oneshot)
		write_pidfile(mon->conf->pidfile);
	proctitle_set("timed: monitor");
	log_info("timed %s starting (%s clock)", PACKAGE_VERSION,
	    mon->noclock ? "no" : mon->conf->clock == CONF_CLOCK_VIRTUAL ?
	    "virtual" : "kernel");
	monitor_run(mon);
	if (mon->conf->pidfile != NULL && !mon->oneshot)
		unlink(mon->conf->pidfile);
	clock_free(mon->clock);
	statlog_free(mon->statlog);
	notify_close();
	log_info("stopped");
	return mon->engine_fails >= ENGINE_MAX_FAILS ? 1 : mon->status;
}
