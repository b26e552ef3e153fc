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
 * timectl's modules: timectl.c (options, the command line, the
 * interactive mode), session.c (the connection to the monitor and its
 * requests), cmd.c (the commands), names.c (how sources are named) and
 * keygen.c (keys for a keyfile).
 */

#ifndef TIMED_CTL_H
#define TIMED_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "imsg.h"
#include "proto.h"

enum output { OUT_TEXT, OUT_CSV, OUT_JSON };

/* How text and CSV name a source, as chronyc's -n and -N. */
enum names {
	NAMES_DNS,		/* its address looked up (text); CSV: address */
	NAMES_NUMERIC,		/* -n: its address */
	NAMES_ORIGINAL		/* -N: the name it was configured with */
};

#define MAX_ARGS	8

struct opts {
	const char	*socket;
	enum output	 out;
	enum names	 names;
	int		 family;	/* -4, -6: AF_INET, AF_INET6; AF_UNSPEC */
	int		 verbose;
	uint64_t	 min_packets;	/* clients -p */
	int		 argc;		/* the command's other words */
	char		*argv[MAX_ARGS];
};

struct session {
	int		 fd;
	struct imsgbuf	*ibuf;
	int		 greeted;	/* timed's hello came */
};

/* session.c: print "timectl: " fmt (with arg) on stderr, exit 1. */
void	 sess_die(const char *fmt, const char *arg);
/* A daemon in clknetsim (timed.8, SIMULATION MODE): its socket's path. */
int	 sess_simulated(const char *path);
/* Connect and say hello; -1 (and why, printed) if the daemon is not there. */
int	 sess_open(struct session *, const char *path);
void	 sess_close(struct session *);
/* The next frame, waiting for it; the caller imsg_free()s it. */
void	 sess_next(struct session *, struct imsg *);
/*
 * One answer of this type and size to the request type with req.
 * Returns 0, or the CTL_* code of the result that came instead.
 */
int	 sess_ask_one(struct session *, uint32_t type, const void *req,
	    size_t reqlen, void *buf, size_t size);
/*
 * Rows of this type and size until IMSG_CTL_END, in an array the caller
 * frees.  Returns 0, or as sess_ask_one() (*rows NULL).
 */
int	 sess_ask_list(struct session *, uint32_t type, const void *req,
	    size_t reqlen, size_t size, void **rows, size_t *np);
/* A request answered by a result alone: its CTL_* code. */
int	 sess_ask_code(struct session *, uint32_t type, const void *req,
	    size_t reqlen);
/*
 * Print a result's line on stdout, as chronyc prints "501 Not
 * authorised", and return the exit status: 0 for 200 OK, unless data
 * was asked for; 1 otherwise.
 */
int	 sess_status(int code, int data);

/*
 * names.c: the name to print for a source with this name (as the
 * daemon reports it) and address (numeric, "" if it has none), into buf:
 * the address (-n, CSV), the name it was configured with (-N, asked of
 * the daemon), or the address looked up (chronyc's default), the
 * address itself when the lookup finds no name.  A source without an
 * address keeps the name reported.  Names looked up or reported are cut
 * at 25 characters, the last '>', unless whole (tracking), as chronyc's.
 */
void	 names_source(struct session *, const struct opts *, char *buf,
	    size_t len, const char *name, const char *address, int whole);
/* A client's address: the same, but never a configured name. */
void	 names_client(const struct opts *, char *buf, size_t len,
	    const char *address);
/*
 * The first numeric address of the host name arg, of the family of -4
 * or -6, into buf, as chronyc looks up the address of a command; -1 if
 * it has none.
 */
int	 names_address(const struct opts *, const char *arg, char *buf,
	    size_t len);

/* cmd.c: the commands, as in timectl(1). */
#define CMD_NOARGS	0x1	/* no arguments but options */
#define CMD_OWNCONN	0x2	/* makes its own connections, or none */

struct cmd {
	const char	*name;
	int		(*fn)(struct session *, const struct opts *);
	int		 flags;
};

/* The command called name, or NULL. */
const struct cmd	*cmd_find(const char *name);
/*
 * A command of chronyc's that timed does not offer: the status line
 * chronyc prints for it (as "505 Facility not enabled in daemon"), or
 * NULL.
 */
const char		*cmd_not_offered(const char *name);
/*
 * The words after the command, as chronyc takes them: -n, -v (-a
 * ignored), clients -p N; the others become o->argv.
 */
void			 cmd_opts(int argc, char *argv[], struct opts *o);
/* A count: decimal digits only, no sign, no overflow; dies if not. */
uint64_t		 cmd_count(const char *what, const char *arg);

/* keygen.c: timectl keygen [ID [TYPE [BITS]]]. */
int	 keygen_run(struct session *, const struct opts *);

#endif
