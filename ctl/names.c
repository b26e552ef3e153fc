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
 * How timectl names sources and clients, as chronyc 4.3 does: text looks
 * addresses up in the name service (a name longer than 25 characters
 * cut short with '>'), CSV and -n print them, -N prints the name each
 * source was configured with (the daemon's sourcename).  A daemon in
 * clknetsim has no name service: its addresses are printed.
 */

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

#define DNS_TRUNC	25	/* chronyc's: longer names end in '>' */

/* Longer than max: cut to max characters, the last one '>'. */
static void
trunc_name(char *buf, size_t max)
{
	if (strlen(buf) > max) {
		buf[max - 1] = '>';
		buf[max] = '\0';
	}
}

/* The host name of a numeric address; -1 if it has none. */
static int
lookup(const char *address, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sl;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sl = sizeof(*sin);
	} else if (inet_pton(AF_INET6, address, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sl = sizeof(*sin6);
	} else
		return -1;
	return getnameinfo((struct sockaddr *)&ss, sl, buf, len, NULL, 0,
	    NI_NAMEREQD) == 0 ? 0 : -1;
}

/* Is the address looked up, or printed as it is? */
static int
numeric(const struct opts *o)
{
	return o->names == NAMES_NUMERIC || o->out == OUT_CSV ||
	    sess_simulated(o->socket);
}

/* chronyc's "?" when the daemon does not know the name. */
static void
original(struct session *s, char *buf, size_t len, const char *address)
{
	struct ctl_select	 sel;
	struct rpt_sourcename	 r;

	memset(&sel, 0, sizeof(sel));
	snprintf(sel.which, sizeof(sel.which), "%s", address);
	if (sess_ask_one(s, IMSG_CTL_SOURCENAME, &sel, sizeof(sel), &r,
	    sizeof(r)) != 0 || memchr(r.name, '\0', sizeof(r.name)) == NULL)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%s", r.name);
}

/* The address, or the name it has (cut at trunc characters if not 0). */
static void
looked_up(const struct opts *o, char *buf, size_t len, const char *address,
    size_t trunc)
{
	if (numeric(o) || lookup(address, buf, len) == -1)
		snprintf(buf, len, "%s", address);
	else if (trunc > 0)
		trunc_name(buf, trunc);
}

void
names_source(struct session *s, const struct opts *o, char *buf,
    size_t len, const char *name, const char *address, int whole)
{
	if (address[0] == '\0') {
		snprintf(buf, len, "%s", name);
		if (!whole)
			trunc_name(buf, DNS_TRUNC);
	} else if (o->names == NAMES_ORIGINAL)
		original(s, buf, len, address);
	else
		looked_up(o, buf, len, address, whole ? 0 : DNS_TRUNC);
}

void
names_client(const struct opts *o, char *buf, size_t len,
    const char *address)
{
	looked_up(o, buf, len, address, DNS_TRUNC);
}

int
names_address(const struct opts *o, const char *arg, char *buf, size_t len)
{
	struct addrinfo	 hints, *ai;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(arg, NULL, &hints, &ai) != 0)
		return -1;
	rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, len, NULL, 0,
	    NI_NUMERICHOST) == 0 ? 0 : -1;
	freeaddrinfo(ai);
	return rc;
}
