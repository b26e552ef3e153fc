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
 * libFuzzer target: the control protocol from timectl's side, how
 * ctl/ takes the monitor's answers (results, rpt_* rows, list ends) and
 * prints them (lib/fmt*.c) as text, CSV, JSON or metrics.  As chrony's
 * unit tests do, this file #includes timectl's modules, with exit()
 * turned into a longjmp back here and no name service (every lookup
 * fails), and runs its real command functions on one end of a
 * socketpair whose other end holds the input:
 *
 *	byte 0		bits 0-4: the command line (cmds[] below,
 *			modulo); bits 5-6: text, CSV, JSON, text with the
 *			configured names (-N: more requests); bit 7: the
 *			hello exchange first
 *	the rest	what the monitor sends, imsg frames (lib/imsg.c)
 *
 * Output and timectl's messages go to /dev/null.  What timectl leaves
 * to exit() to free when it dies (a list's rows, a frame's payload) is
 * tracked through macros for realloc, free, imsg_get and imsg_free and
 * freed after each input, so a leak that remains is a leak of timectl.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined \
 *	    -iquote lib -iquote ctl \
 *	    -DTIMED_SOCKET='"/nonexistent"' -DPACKAGE_VERSION='"fuzz"' \
 *	    regress/fuzz/fuzz_ctl.c lib/imsg.c lib/fmt*.c lib/lim.c -lm \
 *	    -o fuzz_ctl
 *	./fuzz_ctl /tmp/scratch_corpus regress/fuzz/corpus/ctl
 */

#include <sys/socket.h>

#include <netdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

int		LLVMFuzzerInitialize(int *, char ***);
int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int		timectl_main(int, char *[]);

static jmp_buf	jb;

static void __attribute__((noreturn))
fake_exit(int status)
{
	(void)status;
	longjmp(jb, 1);
}

/* die() is not marked noreturn; clang sees through exit(), not here */
#pragma clang diagnostic ignored "-Wsometimes-uninitialized"
/* What timectl allocated and not yet freed; die() leaves it. */
#define MAX_LIVE	64
static void	*live[MAX_LIVE];

static void
live_swap(void *old, void *new)
{
	int	 i;

	for (i = 0; i < MAX_LIVE; i++)
		if (live[i] == old) {
			live[i] = new;
			return;
		}
	if (old == NULL)	/* no room: timectl holds more than it should */
		abort();
}

static void *
track_realloc(void *p, size_t n)
{
	void	*q;

	if ((q = realloc(p, n)) != NULL)
		live_swap(p, q);
	return q;
}

static void
track_free(void *p)
{
	if (p != NULL)
		live_swap(p, NULL);
	free(p);
}

static int
track_imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	int	 r;

	if ((r = imsg_get(ib, imsg)) == 1 && imsg->data != NULL)
		live_swap(NULL, imsg->data);
	return r;
}

static void
track_imsg_free(struct imsg *imsg)
{
	if (imsg->data != NULL)
		live_swap(imsg->data, NULL);
	imsg_free(imsg);
}

static void
live_free(void)
{
	int	 i;

	for (i = 0; i < MAX_LIVE; i++) {
		free(live[i]);
		live[i] = NULL;
	}
}

#define realloc(p, n)	track_realloc(p, n)
#define free(p)		track_free(p)
#define imsg_get(b, i)	track_imsg_get(b, i)
#define imsg_free(i)	track_imsg_free(i)
/* timectl's complaints about the input go nowhere */
static FILE	*quiet;
#undef stderr
#define stderr		quiet
/* no name service: the addresses are printed */
static int
no_getnameinfo(const struct sockaddr *sa, socklen_t len, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	(void)sa, (void)len, (void)host, (void)hostlen, (void)serv;
	(void)servlen, (void)flags;
	return EAI_NONAME;
}

static int
no_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	(void)node, (void)service, (void)hints, (void)res;
	return EAI_NONAME;
}
#define getnameinfo	no_getnameinfo
#define getaddrinfo	no_getaddrinfo
#define exit(status)	fake_exit(status)
#define main		timectl_main
#include "session.c"
#include "names.c"
#include "keygen.c"
#include "cmd.c"
#include "timectl.c"
#undef exit
#undef main
#undef getnameinfo
#undef getaddrinfo
#undef stderr
#define stderr		stderr
#undef realloc
#undef free

#define MAX_WORDS	4

/* Command lines, as a user types them after "timectl". */
static const char *const cmds[][MAX_WORDS] = {
	{ "tracking" },
	{ "sources" },
	{ "sources", "-v" },
	{ "sources", "-n" },
	{ "sourcestats" },
	{ "sourcestats", "-v" },
	{ "serverstats" },
	{ "clients" },
	{ "clients", "-p", "3" },
	{ "activity" },
	{ "ntpdata" },
	{ "ntpdata", "192.0.2.1" },
	{ "authdata" },
	{ "authdata", "-n" },
	{ "metrics" },
	{ "makestep" },
	{ "makestep", "0.1", "3" },
	{ "burst", "2/4" },
	{ "burst", "1/1", "ntp.example" },
	{ "online" },
	{ "offline", "192.0.2.1" },
	{ "reload", "sources" },
	{ "selectdata" },
	{ "selectdata", "-v" },
	{ "sourcename", "192.0.2.1" },
	{ "onoffline" },
	{ "reset", "sources" },
	{ "rekey" },
	{ "cyclelogs" },
	{ "authdata", "-v" },
};

static struct session	sess;
static int		peer = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (freopen("/dev/null", "w", stdout) == NULL ||
	    (quiet = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

/* The hello exchange of sess_open(). */
static void
hello(void)
{
	struct imsg	 imsg;

	imsg_compose_hello(sess.ibuf);
	flush_all(&sess);
	sess_next(&sess, &imsg);
	if (imsg_check_hello(&imsg) == -1)
		sess_die("%s", "timed speaks another protocol version");
	imsg_free(&imsg);
}

/* Run the command line c as run() does, on the fake connection. */
static void
command(const char *const *c, struct opts *o)
{
	char			 words[MAX_WORDS][64], *argv[MAX_WORDS + 1];
	const struct cmd	*cmd;
	int			 argc = 0;

	for (; argc < MAX_WORDS && c[argc] != NULL; argc++) {
		snprintf(words[argc], sizeof(words[argc]), "%s", c[argc]);
		argv[argc] = words[argc];
	}
	argv[argc] = NULL;
	if ((cmd = cmd_find(argv[0])) == NULL || (cmd->flags & CMD_OWNCONN))
		abort();
	cmd_opts(argc, argv, o);
	cmd->fn(&sess, o);
	fflush(stdout);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum output	 outs[] = {
		OUT_TEXT, OUT_CSV, OUT_JSON, OUT_TEXT
	};
	static const enum names		 names[] = {
		NAMES_DNS, NAMES_DNS, NAMES_DNS, NAMES_ORIGINAL
	};
	struct opts	 o;
	int		 sv[2];
	uint8_t		 sel;

	if (size < 1)
		return 0;
	sel = data[0];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	/* the whole answer is there; then end of file, as timed closing */
	if (size > 1 && write(sv[1], data + 1, size - 1) != (ssize_t)size - 1)
		abort();
	shutdown(sv[1], SHUT_WR);
	sess.fd = sv[0];
	peer = sv[1];
	if ((sess.ibuf = imsgbuf_new(sess.fd)) == NULL)
		abort();
	memset(&o, 0, sizeof(o));
	o.socket = "/nonexistent";
	o.out = outs[(sel >> 5) & 3];
	o.names = names[(sel >> 5) & 3];
	o.family = AF_UNSPEC;
	if (setjmp(jb) == 0) {
		if (sel & 0x80)
			hello();
		command(cmds[(sel & 0x1f) % (sizeof(cmds) / sizeof(cmds[0]))],
		    &o);
	}
	fflush(stdout);
	live_free();
	imsgbuf_free(sess.ibuf);
	close(sess.fd);
	close(peer);
	return 0;
}
