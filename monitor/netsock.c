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
 * The NTP server's sockets.  The monitor opens them (port 123 needs
 * privilege) and hands them to every engine it starts.  As chrony, the
 * port is opened only when some address is allowed to be served.  The
 * NTS-KE port (TCP) is opened when there is a certificate to serve.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "netsock.h"
#include "sock.h"

#define RCVBUF_BYTES	(4 * 1024 * 1024)	/* bursts: doc/DESIGN.md */
#define KE_BACKLOG	128	/* NTS-KE: the engine caps what it takes */

static int
any_allow(const struct conf *conf)
{
	const struct conf_acl	*a;

	for (a = conf->acl; a != NULL; a = a->next)
		if (a->allow)
			return 1;
	return 0;
}

/*
 * Peers exchange packets with the NTP port, served or not, and so do
 * servers with acquisitionport the NTP port.
 */
static int
any_peer(const struct conf *conf)
{
	const struct conf_source	*s;

	if (conf->acquisitionport != 0 && conf->acquisitionport == conf->port)
		return 1;
	for (s = conf->sources; s != NULL; s = s->next)
		if (s->type == CONF_SRC_PEER)
			return 1;
	return 0;
}

/* The NTP server's options: big receive buffer, timestamps, pktinfo. */
static int
set_udp_opts(int fd, int family)
{
	int	 on = 1, size = RCVBUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == -1)
		return -1;
	/* As root the monitor may go past rmem_max; fall back if not. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
}

/*
 * NTS-KE: no Nagle.  The engine writes whole TLS flights, and the
 * ServerHello ahead of the rest of its flight must not hold the rest back
 * until the client acknowledges it; the connections inherit the option
 * from the listener.  No TCP_DEFER_ACCEPT: the engine takes a connection
 * at the end of the TCP handshake and sets it up while the client makes
 * its ClientHello, which a lone client's exchanges are 20% faster for
 * (a silent connection costs a slot until the engine's timeout, as one
 * that sends a byte did anyway).
 */
static int
set_tcp_opts(int fd)
{
	int	 one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/*
 * Open one socket of type (SOCK_DGRAM: NTP, SOCK_STREAM: NTS-KE, then
 * listening) bound to text address addr (NULL: the wildcard).
 */
static int
open_one(const char *addr, int family, int port, int type)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	int			 fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = family;
	if (family == AF_INET) {
		sin->sin_port = htons(port);
		if (addr != NULL && inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			return -2;
	} else {
		sin6->sin6_port = htons(port);
		if (addr != NULL &&
		    inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			return -2;
	}
	if ((fd = sock_open(family, type)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &on, sizeof(on)) == -1) ||
	    (type == SOCK_DGRAM && set_udp_opts(fd, family) == -1) ||
	    (type == SOCK_STREAM && set_tcp_opts(fd) == -1) ||
	    bind(fd, (struct sockaddr *)&ss, sizeof(ss)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, KE_BACKLOG) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One socket of type per bindaddress, or the IPv4 and IPv6 wildcards (a
 * host without IPv6 still serves IPv4).  A socket that cannot be opened
 * is fatal: the daemon does not start.
 */
static int
open_all(const struct conf *conf, const char *what, int port, int type,
    int *fds, int max)
{
	const struct conf_str	*b;
	int			 n = 0, fd;

	if (conf->bindaddress == NULL) {
		if ((fds[n++] = open_one(NULL, AF_INET, port, type)) < 0)
			fatal("%s port %d (IPv4)", what, port);
		if ((fd = open_one(NULL, AF_INET6, port, type)) >= 0)
			fds[n++] = fd;
		else
			log_warn("%s port %d (IPv6)", what, port);
		return n;
	}
	for (b = conf->bindaddress; b != NULL && n < max; b = b->next) {
		fd = open_one(b->s, strchr(b->s, ':') != NULL ? AF_INET6 :
		    AF_INET, port, type);
		if (fd < 0)
			fatal("%s port %d at %s", what, port, b->s);
		fds[n++] = fd;
	}
	return n;
}

int
netsock_open(const struct conf *conf, int *fds, int max)
{
	if (conf->port == 0 || (!any_allow(conf) && !any_peer(conf)))
		return 0;
	return open_all(conf, "NTP", conf->port, SOCK_DGRAM, fds, max);
}

int
netsock_open_ke(const struct conf *conf, int *fds, int max)
{
	if (conf->ntsservercert == NULL)
		return 0;
	return open_all(conf, "NTS-KE", conf->ntsport, SOCK_STREAM, fds, max);
}
