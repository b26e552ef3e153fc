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
 * ntpload: an NTP client load generator for benchmarking NTP servers on
 * loopback.  Standalone (libc only):
 *
 *	cc -O2 -Wall -Wextra -Werror -o ntpload ntpload.c -lm
 *
 * One thread, one epoll loop.  Each of C connected UDP sockets (each on
 * its own ephemeral source port) keeps W 48-byte client requests in
 * flight, each with a random 64-bit transmit timestamp as chrony sends.
 * An answer is valid when it is at least 48 bytes long, comes from the
 * server's address and port, is in mode 4 with the request's version, its
 * origin timestamp equals an outstanding request's transmit timestamp, it
 * is no kiss-o'-death (stratum 0) and not unsynchronised (leap 3).  A
 * request with no matching answer within 1 s is lost and replaced.
 *
 * With -P, the server's CPU time (utime + stime from /proc/PID/stat, which
 * covers all of a process's threads) is read before and after the run,
 * summed over the PIDs given, and with -A over their descendants too.
 *
 * Exit status: 0 when the run completed (even with losses), 1 on a setup
 * error, 2 when no valid answer came at all.
 */

#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NTP_LEN		48
#define RX_BUFLEN	1024		/* room for extension fields */
#define BATCH		64		/* messages per recvmmsg/sendmmsg */
#define RX_ROUNDS	16		/* recvmmsg calls per wakeup, at most */
#define TICK_NS		10000000LL	/* timeout scan and send retry */
#define TIMEOUT_NS	1000000000LL	/* a request is lost after 1 s */
#define MAX_SECONDS	120.0
#define MAX_SOCKETS	1024
#define MAX_INFLIGHT	4096
#define MAX_PIDS	64
#define SOCK_BUF	(4 * 1024 * 1024)

/* Latency histogram: 1 ns steps to 127 ns, then 64 steps per octave. */
#define HIST_SUB_BITS	6
#define HIST_SUB	(1 << HIST_SUB_BITS)
#define HIST_MAX_BITS	36		/* about 68 s, far above the timeout */
#define HIST_N		((HIST_MAX_BITS - HIST_SUB_BITS + 1) * HIST_SUB)

enum bad {
	BAD_SHORT,		/* shorter than 48 bytes */
	BAD_SOURCE,		/* not from the server's address and port */
	BAD_MODE,		/* not mode 4 (server) */
	BAD_ORIGIN,		/* origin matches no outstanding request */
	BAD_VERSION,		/* not the request's version */
	BAD_UNSYNC,		/* leap indicator 3: server unsynchronised */
	BAD_N
};

static const char *bad_names[BAD_N] = {
	"short", "source", "mode", "origin", "version", "unsync"
};

enum kod {
	KOD_RATE,
	KOD_DENY,
	KOD_RSTR,
	KOD_OTHER,
	KOD_N
};

static const char *kod_names[KOD_N] = { "RATE", "DENY", "RSTR", "other" };

struct slot {
	uint64_t	 xmt;		/* transmit timestamp; 0 when free */
	int64_t		 sent_ns;
};

struct csock {
	int		 fd;
	struct slot	*slots;		/* w of them */
	uint32_t	*map;		/* xmt & mask -> slot index + 1 */
	uint32_t	*freel;		/* free slot indices */
	uint32_t	 nfree;
	int64_t		 retry_ns;	/* no send before this after an error */
};

struct stats {
	uint64_t	 sent;
	uint64_t	 valid;
	uint64_t	 lost;
	uint64_t	 send_err;
	uint64_t	 recv_err;
	uint64_t	 bad[BAD_N];
	uint64_t	 kod[KOD_N];
	uint64_t	 hist[HIST_N];
	uint64_t	 max_ns;
};

struct opts {
	const char	*server;
	const char	*port;
	const char	*bind;
	const char	*pids;
	int		 nsock;
	int		 w;
	double		 seconds;
	int		 version;
	int		 all;
	int		 quiet;
	int		 json;
};

struct load {
	struct opts		 o;
	struct sockaddr_storage	 srv;
	socklen_t		 srvlen;
	struct csock		*socks;
	uint32_t		 mask;
	int			 ep;
	uint64_t		 rng;
	struct stats		 st;
	pid_t			 pids[MAX_PIDS];
	int			 npids;
	double			 cpu0;
	double			 cpu_s;		/* -1: not measured */
	double			 elapsed_s;
	double			 client_cpu_s;
	uint64_t		 inflight_end;
};

/* Scratch for the batched calls, shared by all sockets. */
static uint8_t			 txbuf[BATCH][NTP_LEN];
static struct iovec		 txiov[BATCH];
static struct mmsghdr		 txmsg[BATCH];
static uint32_t			 txslot[BATCH];
static uint8_t			 rxbuf[BATCH][RX_BUFLEN];
static struct iovec		 rxiov[BATCH];
static struct mmsghdr		 rxmsg[BATCH];
static struct sockaddr_storage	 rxfrom[BATCH];

static volatile sig_atomic_t	 stop;

static void
usage(void)
{
	fprintf(stderr, "usage: ntpload [-Ajq] [-b bindaddr] [-c sockets] "
	    "[-P pid[,pid...]] [-p port]\n"
	    "               [-s server] [-t seconds] [-v version] "
	    "[-w in_flight]\n");
	exit(1);
}

static void
onsig(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* splitmix64: fast, and good enough for unpredictable-looking stamps. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t	 z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static long
num_arg(const char *s, long lo, long hi, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "ntpload: %s must be %ld to %ld: %s\n",
		    what, lo, hi, s);
		exit(1);
	}
	return v;
}

static void
parse_opts(struct opts *o, int argc, char *argv[])
{
	char	*end;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->server = "127.0.0.1";
	o->port = "123";
	o->nsock = 1;
	o->w = 32;
	o->seconds = 5;
	o->version = 4;
	while ((ch = getopt(argc, argv, "Ab:c:jP:p:qs:t:v:w:")) != -1) {
		switch (ch) {
		case 'A':
			o->all = 1;
			break;
		case 'b':
			o->bind = optarg;
			break;
		case 'c':
			o->nsock = num_arg(optarg, 1, MAX_SOCKETS, "-c");
			break;
		case 'j':
			o->json = 1;
			break;
		case 'P':
			o->pids = optarg;
			break;
		case 'p':
			num_arg(optarg, 1, 65535, "-p");
			o->port = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			o->server = optarg;
			break;
		case 't':
			o->seconds = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(o->seconds > 0 && o->seconds <= MAX_SECONDS)) {
				fprintf(stderr, "ntpload: -t must be above 0 "
				    "and at most %.0f\n", MAX_SECONDS);
				exit(1);
			}
			break;
		case 'v':
			o->version = num_arg(optarg, 1, 7, "-v");
			break;
		case 'w':
			o->w = num_arg(optarg, 1, MAX_INFLIGHT, "-w");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* CPU seconds (utime + stime) of one process, all its threads; -1 if gone. */
static double
proc_cpu(pid_t pid, pid_t *ppid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	long		 pp;
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%lu %lu", &pp, &ut, &st) != 3)
		return -1;
	if (ppid != NULL)
		*ppid = pp;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static int
have_pid(const struct load *l, pid_t pid)
{
	int	 i;

	for (i = 0; i < l->npids; i++)
		if (l->pids[i] == pid)
			return 1;
	return 0;
}

/* Add the descendants of the PIDs in the list, a /proc scan per level. */
static void
add_children(struct load *l)
{
	struct dirent	*de;
	DIR		*d;
	pid_t		 pid, pp;
	int		 level, added;

	for (level = 0; level < 8; level++) {
		if ((d = opendir("/proc")) == NULL)
			return;
		added = 0;
		while ((de = readdir(d)) != NULL && l->npids < MAX_PIDS) {
			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			pid = atol(de->d_name);
			if (have_pid(l, pid) || proc_cpu(pid, &pp) < 0 ||
			    !have_pid(l, pp))
				continue;
			l->pids[l->npids++] = pid;
			added = 1;
		}
		closedir(d);
		if (!added)
			return;
	}
}

static int
parse_pids(struct load *l)
{
	char	*s, *tok, *save;

	if (l->o.pids == NULL)
		return 0;
	if ((s = strdup(l->o.pids)) == NULL)
		return -1;
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (l->npids == MAX_PIDS)
			break;
		l->pids[l->npids++] = num_arg(tok, 1, 0x7fffffff, "-P");
		if (proc_cpu(l->pids[l->npids - 1], NULL) < 0) {
			fprintf(stderr, "ntpload: no process %s\n", tok);
			free(s);
			return -1;
		}
	}
	free(s);
	if (l->o.all)
		add_children(l);
	return 0;
}

/* Summed CPU seconds of the measured processes; -1 if one is gone. */
static double
server_cpu(const struct load *l)
{
	double	 sum, c;
	int	 i;

	for (sum = 0, i = 0; i < l->npids; i++) {
		if ((c = proc_cpu(l->pids[i], NULL)) < 0)
			return -1;
		sum += c;
	}
	return sum;
}

static int
resolve(const char *host, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	 hints, *res;
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "ntpload: %s: %s\n", host, gai_strerror(e));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void
grow_buf(int fd, int force, int plain)
{
	int	 v = SOCK_BUF;

	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

static int
open_sock(struct load *l, struct csock *c)
{
	struct sockaddr_storage	 ba;
	socklen_t		 blen;

	c->fd = socket(l->srv.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		perror("ntpload: socket");
		return -1;
	}
	grow_buf(c->fd, SO_RCVBUFFORCE, SO_RCVBUF);
	grow_buf(c->fd, SO_SNDBUFFORCE, SO_SNDBUF);
	if (l->o.bind != NULL) {
		if (resolve(l->o.bind, "0", &ba, &blen) == -1)
			return -1;
		if (bind(c->fd, (struct sockaddr *)&ba, blen) == -1) {
			fprintf(stderr, "ntpload: bind %s: %s\n", l->o.bind,
			    strerror(errno));
			return -1;
		}
	}
	if (connect(c->fd, (struct sockaddr *)&l->srv, l->srvlen) == -1) {
		fprintf(stderr, "ntpload: connect %s: %s\n", l->o.server,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
setup_sock(struct load *l, int i)
{
	struct csock		*c = &l->socks[i];
	struct epoll_event	 ev;
	uint32_t		 j;

	c->slots = calloc(l->o.w, sizeof(*c->slots));
	c->map = calloc(l->mask + 1, sizeof(*c->map));
	c->freel = calloc(l->o.w, sizeof(*c->freel));
	if (c->slots == NULL || c->map == NULL || c->freel == NULL) {
		perror("ntpload: calloc");
		return -1;
	}
	for (j = 0; j < (uint32_t)l->o.w; j++)
		c->freel[j] = l->o.w - 1 - j;
	c->nfree = l->o.w;
	if (open_sock(l, c) == -1)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = i;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		perror("ntpload: epoll_ctl");
		return -1;
	}
	return 0;
}

static int
setup(struct load *l)
{
	uint32_t	 size;
	int		 i;

	if (resolve(l->o.server, l->o.port, &l->srv, &l->srvlen) == -1)
		return -1;
	if (getrandom(&l->rng, sizeof(l->rng), 0) != sizeof(l->rng))
		l->rng = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
	/* A map at most a quarter full: a free bucket is quick to draw. */
	for (size = 4; size < 4 * (uint32_t)l->o.w; size <<= 1)
		;
	l->mask = size - 1;
	if ((l->socks = calloc(l->o.nsock, sizeof(*l->socks))) == NULL) {
		perror("ntpload: calloc");
		return -1;
	}
	if ((l->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("ntpload: epoll_create1");
		return -1;
	}
	for (i = 0; i < l->o.nsock; i++)
		if (setup_sock(l, i) == -1)
			return -1;
	for (i = 0; i < BATCH; i++) {
		txiov[i].iov_base = txbuf[i];
		txiov[i].iov_len = NTP_LEN;
		rxiov[i].iov_base = rxbuf[i];
		rxiov[i].iov_len = RX_BUFLEN;
	}
	return 0;
}

static void
hist_add(struct stats *st, uint64_t ns)
{
	unsigned int	 msb, shift, idx;

	if (ns > st->max_ns)
		st->max_ns = ns;
	if (ns >= (1ULL << HIST_MAX_BITS))
		ns = (1ULL << HIST_MAX_BITS) - 1;
	if (ns < 2 * HIST_SUB)
		idx = ns;
	else {
		msb = 63 - __builtin_clzll(ns);
		shift = msb - HIST_SUB_BITS;
		idx = (shift + 1) * HIST_SUB + ((ns >> shift) - HIST_SUB);
	}
	st->hist[idx]++;
}

/* The lowest latency of bucket idx, in ns. */
static uint64_t
hist_value(unsigned int idx)
{
	unsigned int	 shift;

	if (idx < 2 * HIST_SUB)
		return idx;
	shift = idx / HIST_SUB - 1;
	return (uint64_t)(HIST_SUB + idx % HIST_SUB) << shift;
}

static double
hist_pct_us(const struct stats *st, double pct)
{
	uint64_t	 n, want, seen;
	unsigned int	 i;

	for (n = 0, i = 0; i < HIST_N; i++)
		n += st->hist[i];
	if (n == 0)
		return 0;
	want = (uint64_t)ceil(n * pct / 100.0);
	if (want == 0)
		want = 1;
	for (seen = 0, i = 0; i < HIST_N; i++) {
		seen += st->hist[i];
		if (seen >= want)
			return hist_value(i) / 1000.0;
	}
	return st->max_ns / 1000.0;
}

static void
free_slot(struct load *l, struct csock *c, uint32_t si)
{
	c->map[c->slots[si].xmt & l->mask] = 0;
	c->slots[si].xmt = 0;
	c->freel[c->nfree++] = si;
}

/* Draw a transmit timestamp whose map bucket is free; 0 if none found. */
static uint64_t
draw_xmt(struct load *l, struct csock *c)
{
	uint64_t	 x;
	int		 i;

	for (i = 0; i < 64; i++) {
		x = rng_next(&l->rng);
		if (x != 0 && c->map[x & l->mask] == 0)
			return x;
	}
	return 0;
}

/* Fill up to BATCH requests from the free slots; returns how many. */
static int
fill_batch(struct load *l, struct csock *c)
{
	uint8_t		*p;
	uint64_t	 x;
	uint32_t	 si;
	int		 n;

	for (n = 0; n < BATCH && c->nfree > 0; n++) {
		if ((x = draw_xmt(l, c)) == 0)
			break;
		si = c->freel[--c->nfree];
		c->slots[si].xmt = x;
		c->map[x & l->mask] = si + 1;
		txslot[n] = si;
		p = txbuf[n];
		memset(p, 0, NTP_LEN);
		p[0] = (l->o.version << 3) | 3;		/* LI 0, mode 3 */
		p[2] = 6;				/* poll 64 s */
		p[3] = 0xe9;				/* precision */
		memcpy(p + 40, &x, sizeof(x));
		memset(&txmsg[n], 0, sizeof(txmsg[n]));
		txmsg[n].msg_hdr.msg_iov = &txiov[n];
		txmsg[n].msg_hdr.msg_iovlen = 1;
	}
	return n;
}

static void
send_some(struct load *l, struct csock *c, int64_t now)
{
	int64_t		 t;
	int		 n, sent, i, rounds;

	if (now < c->retry_ns)
		return;
	for (rounds = 0; c->nfree > 0 && rounds < MAX_INFLIGHT / BATCH;
	    rounds++) {
		if ((n = fill_batch(l, c)) == 0)
			return;
		t = now_ns();
		for (i = 0; i < n; i++)
			c->slots[txslot[i]].sent_ns = t;
		sent = sendmmsg(c->fd, txmsg, n, 0);
		if (sent == -1) {
			l->st.send_err++;
			sent = 0;
		}
		l->st.sent += sent;
		for (i = sent; i < n; i++)
			free_slot(l, c, txslot[i]);
		if (sent < n) {
			/* Full buffer or an ICMP error: wait a tick. */
			c->retry_ns = t + TICK_NS;
			return;
		}
	}
}

static int
from_server(const struct load *l, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*a, *b;
	const struct sockaddr_in6	*a6, *b6;

	if (ss->ss_family != l->srv.ss_family)
		return 0;
	if (ss->ss_family == AF_INET) {
		a = (const struct sockaddr_in *)ss;
		b = (const struct sockaddr_in *)&l->srv;
		return a->sin_port == b->sin_port &&
		    a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	a6 = (const struct sockaddr_in6 *)ss;
	b6 = (const struct sockaddr_in6 *)&l->srv;
	return a6->sin6_port == b6->sin6_port &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(b6->sin6_addr)) == 0;
}

static void
count_kod(struct stats *st, const uint8_t *p)
{
	if (memcmp(p + 12, "RATE", 4) == 0)
		st->kod[KOD_RATE]++;
	else if (memcmp(p + 12, "DENY", 4) == 0)
		st->kod[KOD_DENY]++;
	else if (memcmp(p + 12, "RSTR", 4) == 0)
		st->kod[KOD_RSTR]++;
	else
		st->kod[KOD_OTHER]++;
}

static void
handle_answer(struct load *l, struct csock *c, int k, int64_t now)
{
	const uint8_t	*p = rxbuf[k];
	struct stats	*st = &l->st;
	uint64_t	 org;
	uint32_t	 si;
	int64_t		 sent_ns;

	if (rxmsg[k].msg_len < NTP_LEN) {
		st->bad[BAD_SHORT]++;
		return;
	}
	if (!from_server(l, &rxfrom[k])) {
		st->bad[BAD_SOURCE]++;
		return;
	}
	if ((p[0] & 7) != 4) {
		st->bad[BAD_MODE]++;
		return;
	}
	memcpy(&org, p + 24, sizeof(org));
	si = c->map[org & l->mask];
	if (org == 0 || si == 0 || c->slots[si - 1].xmt != org) {
		st->bad[BAD_ORIGIN]++;
		return;
	}
	sent_ns = c->slots[si - 1].sent_ns;
	free_slot(l, c, si - 1);
	if (((p[0] >> 3) & 7) != l->o.version)
		st->bad[BAD_VERSION]++;
	else if (p[1] == 0)
		count_kod(st, p);
	else if ((p[0] >> 6) == 3)
		st->bad[BAD_UNSYNC]++;
	else {
		st->valid++;
		hist_add(st, now > sent_ns ? now - sent_ns : 0);
	}
}

static void
recv_some(struct load *l, struct csock *c)
{
	int64_t		 now;
	int		 n, i, rounds;

	for (rounds = 0; rounds < RX_ROUNDS; rounds++) {
		for (i = 0; i < BATCH; i++) {
			memset(&rxmsg[i].msg_hdr, 0, sizeof(rxmsg[i].msg_hdr));
			rxmsg[i].msg_hdr.msg_name = &rxfrom[i];
			rxmsg[i].msg_hdr.msg_namelen = sizeof(rxfrom[i]);
			rxmsg[i].msg_hdr.msg_iov = &rxiov[i];
			rxmsg[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(c->fd, rxmsg, BATCH, MSG_DONTWAIT, NULL);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				l->st.recv_err++;
			return;
		}
		now = now_ns();
		for (i = 0; i < n; i++)
			handle_answer(l, c, i, now);
		if (n < BATCH)
			return;
	}
}

static void
expire(struct load *l, int64_t now)
{
	struct csock	*c;
	uint32_t	 j;
	int		 i;

	for (i = 0; i < l->o.nsock; i++) {
		c = &l->socks[i];
		for (j = 0; j < (uint32_t)l->o.w; j++) {
			if (c->slots[j].xmt != 0 &&
			    now - c->slots[j].sent_ns >= TIMEOUT_NS) {
				l->st.lost++;
				free_slot(l, c, j);
			}
		}
	}
}

static double
self_cpu(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
run(struct load *l)
{
	struct epoll_event	 evs[64];
	int64_t			 start, end, now, next_tick;
	double			 cpu1, ccpu0;
	int			 i, n, ms;

	ccpu0 = self_cpu();
	l->cpu0 = server_cpu(l);
	start = now = now_ns();
	end = start + (int64_t)(l->o.seconds * 1e9);
	next_tick = start + TICK_NS;
	for (i = 0; i < l->o.nsock; i++)
		send_some(l, &l->socks[i], now);
	while (!stop && now < end) {
		ms = (next_tick - now + 999999) / 1000000;
		n = epoll_wait(l->ep, evs, 64, ms > 0 ? ms : 0);
		for (i = 0; i < n; i++)
			recv_some(l, &l->socks[evs[i].data.u32]);
		now = now_ns();
		if (now >= next_tick) {
			expire(l, now);
			next_tick = now + TICK_NS;
			for (i = 0; i < l->o.nsock; i++)
				send_some(l, &l->socks[i], now);
		} else
			for (i = 0; i < n; i++)
				send_some(l, &l->socks[evs[i].data.u32], now);
	}
	cpu1 = server_cpu(l);
	l->elapsed_s = (now - start) / 1e9;
	l->client_cpu_s = self_cpu() - ccpu0;
	l->cpu_s = (l->npids > 0 && l->cpu0 >= 0 && cpu1 >= 0) ?
	    cpu1 - l->cpu0 : -1;
	for (i = 0; i < l->o.nsock; i++)
		l->inflight_end += l->o.w - l->socks[i].nfree;
}

static uint64_t
sum(const uint64_t *v, int n)
{
	uint64_t	 s;
	int		 i;

	for (s = 0, i = 0; i < n; i++)
		s += v[i];
	return s;
}

static double
per_cpu(const struct load *l)
{
	return l->cpu_s > 0 ? l->st.valid / l->cpu_s : 0;
}

static void
print_json(const struct load *l)
{
	const struct stats	*st = &l->st;
	int			 i;

	printf("{\"server\": \"%s\", \"port\": %s, \"sockets\": %d, "
	    "\"in_flight\": %d, \"version\": %d, \"seconds\": %.3f, "
	    "\"sent\": %llu, \"valid\": %llu, \"invalid\": %llu, ",
	    l->o.server, l->o.port, l->o.nsock, l->o.w, l->o.version,
	    l->elapsed_s, (unsigned long long)st->sent,
	    (unsigned long long)st->valid,
	    (unsigned long long)sum(st->bad, BAD_N));
	for (i = 0; i < BAD_N; i++)
		printf("\"invalid_%s\": %llu, ", bad_names[i],
		    (unsigned long long)st->bad[i]);
	printf("\"kod\": %llu, ", (unsigned long long)sum(st->kod, KOD_N));
	for (i = 0; i < KOD_N; i++)
		printf("\"kod_%s\": %llu, ", kod_names[i],
		    (unsigned long long)st->kod[i]);
	printf("\"lost\": %llu, \"in_flight_at_end\": %llu, "
	    "\"send_errors\": %llu, \"recv_errors\": %llu, "
	    "\"answers_per_s\": %.0f, ",
	    (unsigned long long)st->lost,
	    (unsigned long long)l->inflight_end,
	    (unsigned long long)st->send_err,
	    (unsigned long long)st->recv_err, st->valid / l->elapsed_s);
	if (l->cpu_s >= 0)
		printf("\"server_cpu_s\": %.2f, \"answers_per_cpu_s\": %.0f, ",
		    l->cpu_s, per_cpu(l));
	else
		printf("\"server_cpu_s\": null, \"answers_per_cpu_s\": null, ");
	printf("\"client_cpu_s\": %.2f, \"p50_us\": %.1f, \"p99_us\": %.1f, "
	    "\"max_us\": %.1f}\n", l->client_cpu_s, hist_pct_us(st, 50),
	    hist_pct_us(st, 99), st->max_ns / 1000.0);
}

static void
print_quiet(const struct load *l)
{
	const struct stats	*st = &l->st;

	printf("sent %llu valid %llu invalid %llu kod %llu lost %llu "
	    "answers/s %.0f",
	    (unsigned long long)st->sent, (unsigned long long)st->valid,
	    (unsigned long long)sum(st->bad, BAD_N),
	    (unsigned long long)sum(st->kod, KOD_N),
	    (unsigned long long)st->lost, st->valid / l->elapsed_s);
	if (l->cpu_s >= 0)
		printf(" server_cpu_s %.2f answers/cpu_s %.0f", l->cpu_s,
		    per_cpu(l));
	printf(" p50_us %.1f p99_us %.1f max_us %.1f\n", hist_pct_us(st, 50),
	    hist_pct_us(st, 99), st->max_ns / 1000.0);
}

static void
print_pids(const struct load *l)
{
	int	 i;

	for (i = 0; i < l->npids; i++)
		printf("%s%ld", i == 0 ? " (pids " : ",", (long)l->pids[i]);
	printf(")\n");
}

static void
print_long(const struct load *l)
{
	const struct stats	*st = &l->st;
	int			 i;

	printf("ntpload: %s port %s, %d socket%s x %d in flight, %.2f s, "
	    "NTPv%d\n", l->o.server, l->o.port, l->o.nsock,
	    l->o.nsock == 1 ? "" : "s", l->o.w, l->elapsed_s, l->o.version);
	printf("requests sent     %llu\n", (unsigned long long)st->sent);
	printf("valid answers     %llu\n", (unsigned long long)st->valid);
	printf("invalid answers   %llu", (unsigned long long)sum(st->bad,
	    BAD_N));
	for (i = 0; i < BAD_N; i++)
		printf("%s%s %llu", i == 0 ? " (" : ", ", bad_names[i],
		    (unsigned long long)st->bad[i]);
	printf(")\nKoD answers       %llu", (unsigned long long)sum(st->kod,
	    KOD_N));
	for (i = 0; i < KOD_N; i++)
		printf("%s%s %llu", i == 0 ? " (" : ", ", kod_names[i],
		    (unsigned long long)st->kod[i]);
	printf(")\nlost              %llu\n", (unsigned long long)st->lost);
	printf("in flight at end  %llu\n",
	    (unsigned long long)l->inflight_end);
	printf("send/recv errors  %llu/%llu\n",
	    (unsigned long long)st->send_err, (unsigned long long)st->recv_err);
	printf("answers/s         %.0f\n", st->valid / l->elapsed_s);
	if (l->cpu_s >= 0) {
		printf("server CPU s      %.2f", l->cpu_s);
		print_pids(l);
		printf("answers/CPU-s     %.0f\n", per_cpu(l));
	} else
		printf("server CPU s      %s\n", l->npids > 0 ?
		    "unknown (a process went away)" : "not measured (no -P)");
	printf("client CPU s      %.2f\n", l->client_cpu_s);
	printf("latency us        p50 %.1f, p99 %.1f, max %.1f\n",
	    hist_pct_us(st, 50), hist_pct_us(st, 99), st->max_ns / 1000.0);
}

int
main(int argc, char *argv[])
{
	static struct load	 l;
	struct sigaction	 sa;

	parse_opts(&l.o, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (parse_pids(&l) == -1 || setup(&l) == -1)
		return 1;
	run(&l);
	if (l.o.json)
		print_json(&l);
	else if (l.o.quiet)
		print_quiet(&l);
	else
		print_long(&l);
	return l.st.valid > 0 ? 0 : 2;
}
