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
 * The reference clocks' devices and segments (refclock.h).
 */

#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <linux/pps.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "monitor.h"
#include "proto.h"
#include "refclock.h"
#include "refshm.h"
#include "xmalloc.h"

struct rcdev {
	struct refclocks		*rcs;
	const struct conf_refclock	*conf;
	int				 fd;	/* PHC, PPS, SOCK; -1: none */
	volatile uint8_t		*shm;	/* SHM; NULL: none */
	struct event			*ev;	/* SHM: its reads */
};

struct refclocks {
	struct monitor	*mon;
	struct rcdev	*dev;
	int		 n;
};

static const char *const drivers[] = { "PHC", "SHM", "SOCK", "PPS" };

/*
 * A character device, opened so; -1 (logged) if not.  clknetsim's PPS
 * device does not say what it is: it is taken as it comes.
 */
static int
open_device(const struct refclocks *rcs, const struct conf_refclock *rc,
    int flags)
{
	struct stat	 st;
	int		 fd;

	if ((fd = open(rc->path, flags | O_CLOEXEC | O_NOCTTY)) == -1) {
		log_warn("refclock %s: cannot open %s; not used",
		    rc->src.name, rc->path);
		return -1;
	}
	if (rcs->mon->sim == NULL &&
	    (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode))) {
		log_warnx("refclock %s: %s is not a device; not used",
		    rc->src.name, rc->path);
		close(fd);
		return -1;
	}
	return fd;
}

/* The edge captured set, as chronyd's PPS driver does; -1 if refused. */
static int
setup_pps(const struct conf_refclock *rc, int fd)
{
	struct pps_kparams	 p;
	int			 caps, edge;

	edge = rc->clear ? PPS_CAPTURECLEAR : PPS_CAPTUREASSERT;
	if (ioctl(fd, PPS_GETCAP, &caps) == -1 || !(caps & edge) ||
	    ioctl(fd, PPS_GETPARAMS, &p) == -1) {
		log_warnx("refclock %s: %s cannot capture the %s edge; not "
		    "used", rc->src.name, rc->path, rc->clear ? "clear" :
		    "assert");
		return -1;
	}
	p.mode = (p.mode & ~(PPS_CAPTUREASSERT | PPS_CAPTURECLEAR)) | edge |
	    PPS_TSFMT_TSPEC;
	if (ioctl(fd, PPS_SETPARAMS, &p) == -1) {
		log_warn("refclock %s: %s: PPS_SETPARAMS; not used",
		    rc->src.name, rc->path);
		return -1;
	}
	return 0;
}

/*
 * gpsd's socket: a datagram socket at the path, writable by root alone.
 * Whatever was there is replaced only if it is a socket.
 */
static int
open_sock(const struct conf_refclock *rc)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(rc->path) >= sizeof(sun.sun_path)) {
		log_warnx("refclock %s: %s: path too long; not used",
		    rc->src.name, rc->path);
		return -1;
	}
	memcpy(sun.sun_path, rc->path, strlen(rc->path));
	if (lstat(rc->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("refclock %s: %s exists and is not a "
			    "socket; not used", rc->src.name, rc->path);
			return -1;
		}
		unlink(rc->path);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(rc->path, 0600) == -1) {
		log_warn("refclock %s: cannot bind %s; not used",
		    rc->src.name, rc->path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * The segment of unit N, created with the configured mode if it does
 * not exist.  Another user's segment, or one that grants more than the
 * mode, is refused: whoever can write to it sets this host's time.
 */
static volatile uint8_t *
open_shm(struct refclocks *rcs, const struct conf_refclock *rc)
{
	struct shmid_ds		 ds;
	struct refshm_seg	 seg;
	enum refshm_perm	 why;
	void			*p;
	int			 id;

	if ((id = shmget(REFSHM_KEY_BASE + rc->unit, REFSHM_SIZE,
	    IPC_CREAT | (int)rc->perm)) == -1) {
		log_warn("refclock %s: shmget unit %d; not used",
		    rc->src.name, rc->unit);
		return NULL;
	}
	/* clknetsim's segments are its own: shmctl() is not simulated */
	if (rcs->mon->sim == NULL) {
		if (shmctl(id, IPC_STAT, &ds) == -1) {
			log_warn("refclock %s: shmctl; not used",
			    rc->src.name);
			return NULL;
		}
		seg.uid = ds.shm_perm.uid;
		seg.cuid = ds.shm_perm.cuid;
		seg.mode = ds.shm_perm.mode & 0777;
		seg.size = ds.shm_segsz;
		if ((why = refshm_check_perm(&seg, rc->perm,
		    rcs->mon->uid)) != REFSHM_PERM_OK) {
			log_warnx("refclock %s: SHM unit %d refused: %s; not "
			    "used", rc->src.name, rc->unit,
			    refshm_perm_name(why));
			return NULL;
		}
		if (refshm_perm_world_writable(rc->perm))
			log_warnx("refclock %s: SHM unit %d has perm=%04o: "
			    "every local user can set this host's time",
			    rc->src.name, rc->unit, (unsigned)rc->perm);
	}
	if ((p = shmat(id, NULL, 0)) == (void *)-1) {
		log_warn("refclock %s: shmat unit %d; not used",
		    rc->src.name, rc->unit);
		return NULL;
	}
	return p;
}

struct refclocks *
refclocks_open(struct monitor *mon)
{
	struct refclocks		*rcs = xcalloc(1, sizeof(*rcs));
	const struct conf_refclock	*rc;
	struct rcdev			*d;
	int				 n = 0;

	rcs->mon = mon;
	for (rc = mon->conf->refclocks; rc != NULL; rc = rc->next)
		n++;
	rcs->dev = xcalloc(n > 0 ? n : 1, sizeof(*rcs->dev));
	for (rc = mon->conf->refclocks; rc != NULL; rc = rc->next) {
		d = &rcs->dev[rcs->n++];
		d->rcs = rcs;
		d->conf = rc;
		d->fd = -1;
		switch (rc->driver) {
		case CONF_RC_PHC:
			d->fd = open_device(rcs, rc, O_RDONLY);
			break;
		case CONF_RC_PPS:
			if ((d->fd = open_device(rcs, rc, O_RDWR)) != -1 &&
			    setup_pps(rc, d->fd) == -1) {
				close(d->fd);
				d->fd = -1;
			}
			break;
		case CONF_RC_SOCK:
			d->fd = open_sock(rc);
			break;
		case CONF_RC_SHM:
			d->shm = open_shm(rcs, rc);
			break;
		}
		if (d->fd != -1 || d->shm != NULL)
			log_debug("refclock %s: %s %s ready", rc->src.name,
			    drivers[rc->driver], rc->param);
	}
	return rcs;
}

/*
 * A dpoll: copy the segment, read its count again, decode.  A sample
 * the writer left is taken (its valid flag cleared, as chronyd does)
 * and passed on, refused or not; the engine counts the refused.
 */
static void
shm_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rcdev		*d = arg;
	struct refshm_sample	 s;
	struct refclock_shm	 m;
	uint8_t			 copy[REFSHM_SIZE];
	int32_t			 count;
	enum refshm_reason	 why;
	size_t			 i;

	for (i = 0; i < sizeof(copy); i++)
		copy[i] = d->shm[i];
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&count, (const uint8_t *)d->shm +
	    offsetof(struct refshm_time, count), sizeof(count));
	why = refshm_decode(copy, sizeof(copy), count, &s);
	if (!refshm_consumed(why))
		return;
	memset((uint8_t *)d->shm + offsetof(struct refshm_time, valid), 0,
	    sizeof(int32_t));
	memset(&m, 0, sizeof(m));
	m.index = d->conf->index;
	m.reason = why;
	if (why == REFSHM_OK) {
		m.ref_ns = s.ref_ns;
		m.local_ns = s.local_ns;
		m.leap = s.leap;
		m.precision = s.precision;
	}
	(void)monitor_to_engine(d->rcs->mon, IMSG_REFCLOCK_SHM, 0, 0, &m,
	    sizeof(m));
}

void
refclocks_start(struct refclocks *rcs)
{
	struct timeval	 tv;
	struct rcdev	*d;
	double		 s;
	int		 i;

	for (i = 0; i < rcs->n; i++) {
		d = &rcs->dev[i];
		if (d->shm == NULL)
			continue;
		s = d->conf->dpoll >= 0 ? (double)(1 << d->conf->dpoll) :
		    1.0 / (1 << -d->conf->dpoll);
		tv.tv_sec = (time_t)s;
		tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
		if ((d->ev = event_new(rcs->mon->base, -1, EV_PERSIST,
		    shm_read_cb, d)) == NULL || event_add(d->ev, &tv) == -1)
			fatalx("refclock: event_new");
	}
}

void
refclocks_send(struct refclocks *rcs)
{
	struct refclock_dev	 m;
	int			 i;

	for (i = 0; i < rcs->n; i++) {
		if (rcs->dev[i].fd == -1)
			continue;
		memset(&m, 0, sizeof(m));
		m.index = rcs->dev[i].conf->index;
		m.driver = rcs->dev[i].conf->driver;
		if (monitor_send_fd(rcs->mon, IMSG_REFCLOCK_DEV,
		    rcs->dev[i].fd, &m, sizeof(m)) == -1)
			return;
	}
}

void
refclocks_close(struct refclocks *rcs)
{
	int	 i;

	if (rcs == NULL)
		return;
	for (i = 0; i < rcs->n; i++) {
		if (rcs->dev[i].ev != NULL)
			event_free(rcs->dev[i].ev);
		if (rcs->dev[i].conf->driver == CONF_RC_SOCK &&
		    rcs->dev[i].fd != -1)
			unlink(rcs->dev[i].conf->path);
		if (rcs->dev[i].fd != -1)
			close(rcs->dev[i].fd);
		/* a segment stays attached until the exit */
	}
	free(rcs->dev);
	free(rcs);
}
