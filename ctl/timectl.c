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
 * timectl: ask the timed monitor over its control socket and print the
 * answer in chronyc's layout, as CSV (-c) or as JSON (-j).  This file:
 * the options and the command line as chronyc takes them (-m: one
 * command an argument), and the interactive mode.
 */

#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define VERSION_LINE	"timectl (timed) version " PACKAGE_VERSION "\n"

static void
usage_text(FILE *f)
{
	fprintf(f,
	    "usage: timectl [-46acjmnNv] [-h socket] [command [options]]\n"
	    "  -h socket  control socket (default %s)\n"
	    "  -c         print CSV, as chronyc -c\n"
	    "  -j         print JSON\n"
	    "  -n         print addresses, not names\n"
	    "  -N         print the names the sources were configured with\n"
	    "  -4, -6     look host names up as IPv4, IPv6 addresses only\n"
	    "  -m         each argument a command: timectl -m tracking "
	    "sources\n"
	    "  -a         accepted and ignored, as chronyc 4\n"
	    "  -v, --version\n"
	    "             print the version and exit\n"
	    "  --help     print this help and exit\n"
	    "Without a command, commands are read from the standard input.\n"
	    "commands:\n"
	    "  tracking            the system clock's state\n"
	    "  sources [-a] [-n] [-v]\n"
	    "                      the time sources\n"
	    "  sourcestats [-a] [-n] [-v]\n"
	    "                      the sources' measurement statistics\n"
	    "  selectdata [-a] [-n] [-v]\n"
	    "                      how the last selection saw each source\n"
	    "  sourcename ADDRESS  the name a source was configured with\n"
	    "  activity            how many sources are online\n"
	    "  smoothing           smoothtime's offset of the served time\n"
	    "  smoothtime reset | activate\n"
	    "                      serve the clock as it is; smooth from now\n"
	    "  ntpdata [ADDRESS]   the last NTP exchange with each source\n"
	    "  authdata [-a] [-n] [-v]\n"
	    "                      the sources' authentication (NTS, keys)\n"
	    "  serverstats         the NTP server's counters\n"
	    "  clients [-p N]      the NTP clients (-p: with at least N "
	    "packets)\n"
	    "  metrics             everything above in Prometheus' text "
	    "format\n"
	    "  waitsync [MAX-TRIES [MAX-CORRECTION [MAX-SKEW [INTERVAL]]]]\n"
	    "                      wait until synchronised\n"
	    "  keygen [ID [TYPE [BITS]]]\n"
	    "                      print a random key for a keyfile\n"
	    "  makestep | step     step what is left of the correction "
	    "(root)\n"
	    "  makestep THRESHOLD LIMIT\n"
	    "                      step when the offset exceeds THRESHOLD "
	    "s in the next\n"
	    "                      LIMIT updates (-1: always) (root)\n"
	    "  doffset SECONDS     slew the clock back by SECONDS (root)\n"
	    "  burst GOOD/MAX [ADDRESS]\n"
	    "                      quick polls until GOOD good samples "
	    "(root)\n"
	    "  online [ADDRESS]    poll the sources again (root)\n"
	    "  offline [ADDRESS]   stop polling the sources (root)\n"
	    "  onoffline           online the sources with a route, offline "
	    "the rest (root)\n"
	    "  reload sources      read the sourcedir files again (root)\n"
	    "  reset sources       drop every source's samples (root)\n"
	    "  rekey               read the keyfile again (root)\n"
	    "  cyclelogs           reopen the log files (root)\n"
	    "  dns -n|+n|-4|-6|-46 as the options -n and -4/-6, for the "
	    "commands after it\n"
	    "  help                this list (interactive)\n"
	    "  quit | exit         end the interactive mode\n", TIMED_SOCKET);
}

/* A bad option c: one line, and where the rest is. */
static void __attribute__((noreturn))
bad_usage(int c)
{
	if (c == 'h')
		fprintf(stderr, "timectl: -h needs the control socket's path");
	else if (c == '-')
		fprintf(stderr, "timectl: unknown long option");
	else
		fprintf(stderr, "timectl: unknown option -%c", c);
	fprintf(stderr, "; timectl --help lists the options\n");
	exit(1);
}

/*
 * chronyc's commands that set something of chronyc itself: dns, timeout
 * and retries (no UDP here: accepted), password and authhash (gone from
 * chronyc 4).  The exit status, or -1 for any other command.
 */
static int
client_setting(int argc, char *argv[], struct opts *o)
{
	const char	*arg = argc > 1 ? argv[1] : "";

	if (strcmp(argv[0], "password") == 0 ||
	    strcmp(argv[0], "authhash") == 0) {
		fprintf(stderr, "timectl: authentication is no longer "
		    "supported\n");
		return 0;
	}
	if (strcmp(argv[0], "timeout") == 0 ||
	    strcmp(argv[0], "retries") == 0)
		return 0;
	if (strcmp(argv[0], "dns") != 0)
		return -1;
	if (strcmp(arg, "-n") == 0)
		o->names = NAMES_NUMERIC;
	else if (strcmp(arg, "+n") == 0)
		o->names = NAMES_DNS;
	else if (strcmp(arg, "-4") == 0)
		o->family = AF_INET;
	else if (strcmp(arg, "-6") == 0)
		o->family = AF_INET6;
	else if (strcmp(arg, "-46") == 0)
		o->family = AF_UNSPEC;
	else {
		fprintf(stderr, "timectl: unrecognized dns command\n");
		return 1;
	}
	return 0;
}

/* Run one command line (argv[0] the command); its exit status. */
static int
run(int argc, char *argv[], struct opts o)
{
	const struct cmd	*c;
	const char		*status;
	struct session		 s;
	int			 rc;

	if ((c = cmd_find(argv[0])) == NULL) {
		if ((status = cmd_not_offered(argv[0])) == NULL) {
			fprintf(stderr, "timectl: unknown command '%s'\n",
			    argv[0]);
			return 1;
		}
		printf("%s\n", status);
		return 1;
	}
	cmd_opts(argc, argv, &o);
	if ((c->flags & CMD_NOARGS) && o.argc != 0)
		sess_die("%s: too many arguments", argv[0]);
	if (c->flags & CMD_OWNCONN)
		rc = c->fn(NULL, &o);
	else {
		if (sess_open(&s, o.socket) == -1)
			exit(1);
		rc = c->fn(&s, &o);
		sess_close(&s);
	}
	if (fflush(stdout) == EOF)
		sess_die("stdout: %s", strerror(errno));
	return rc;
}

/* A line's words into words[], at most max; how many. */
static int
split(char *line, char *words[], int max)
{
	char	*last, *w;
	int	 n = 0;

	for (w = strtok_r(line, " \t\r\n", &last); w != NULL && n < max;
	    w = strtok_r(NULL, " \t\r\n", &last))
		words[n++] = w;
	words[n] = NULL;
	return n;
}

/*
 * Interactive: a prompt, one command a line, each run in a child so that
 * an error ends that command only.  The exit status: quit's 0, or at the
 * end of the input the last command's.
 */
static int
interactive(struct opts *o)
{
	char	*line = NULL, *words[MAX_ARGS + 2];
	size_t	 cap = 0;
	int	 n, status, rc = 0;
	pid_t	 pid;

	for (;;) {
		fputs("timectl> ", stdout);
		fflush(stdout);
		if (getline(&line, &cap, stdin) == -1) {
			putchar('\n');
			break;
		}
		if ((n = split(line, words, MAX_ARGS + 1)) == 0)
			continue;
		if (strcmp(words[0], "quit") == 0 ||
		    strcmp(words[0], "exit") == 0) {
			rc = 0;
			break;
		}
		if (strcmp(words[0], "help") == 0) {
			usage_text(stdout);
			rc = 0;
			continue;
		}
		if ((rc = client_setting(n, words, o)) != -1)
			continue;
		fflush(stdout);
		if ((pid = fork()) == -1)
			sess_die("fork: %s", strerror(errno));
		if (pid == 0)
			exit(run(n, words, *o));
		if (waitpid(pid, &status, 0) == -1)
			sess_die("waitpid: %s", strerror(errno));
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	free(line);
	return rc;
}

/* -m: each argument a command line, until one fails. */
static int
several(int argc, char *argv[], struct opts *o)
{
	char	*line, *words[MAX_ARGS + 2];
	int	 i, n, rc = 0;

	for (i = 0; i < argc && rc == 0; i++) {
		if ((line = strdup(argv[i])) == NULL)
			sess_die("%s", "out of memory");
		if ((n = split(line, words, MAX_ARGS + 1)) > 0 &&
		    (rc = client_setting(n, words, o)) == -1)
			rc = run(n, words, *o);
		free(line);
	}
	return rc;
}

/* -h: a socket's path; timed has no network command port. */
static const char *
socket_arg(const char *arg)
{
	if (arg[0] != '/') {
		fprintf(stderr, "timectl: -h %s: -h takes the path of timed's "
		    "control socket (such as %s); timed has no network "
		    "command port\n", arg, TIMED_SOCKET);
		exit(1);
	}
	return arg;
}

/* The options before the command; the index of its first word. */
static int
options(int argc, char *argv[], struct opts *o, int *multi)
{
	int	 ch;

	opterr = 0;
	while ((ch = getopt(argc, argv, "+46acjh:mnNv")) != -1) {
		switch (ch) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'a':
			break;
		case 'c':
			o->out = OUT_CSV;
			break;
		case 'j':
			o->out = OUT_JSON;
			break;
		case 'h':
			o->socket = socket_arg(optarg);
			break;
		case 'm':
			*multi = 1;
			break;
		case 'n':
			o->names = NAMES_NUMERIC;
			break;
		case 'N':
			o->names = NAMES_ORIGINAL;
			break;
		case 'v':
			printf(VERSION_LINE);
			exit(0);
		default:
			bad_usage(optopt);
		}
	}
	return optind;
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	int		 i, rc, multi = 0;

	memset(&o, 0, sizeof(o));
	o.socket = TIMED_SOCKET;
	o.family = AF_UNSPEC;
	/* as chronyc, wherever they are */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage_text(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf(VERSION_LINE);
			return 0;
		}
	}
	i = options(argc, argv, &o, &multi);
	argc -= i;
	argv += i;
	if (argc < 1)
		return interactive(&o);
	if (multi)
		return several(argc, argv, &o);
	if ((rc = client_setting(argc, argv, &o)) != -1)
		return rc;
	return run(argc, argv, o);
}
