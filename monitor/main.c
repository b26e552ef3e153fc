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

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conffiles.h"
#include "log.h"
#include "monitor.h"
#include "proctitle.h"
#include "xmalloc.h"

#define VERSION_LINE	"timed version " PACKAGE_VERSION "\n"

static void
usage(void)
{
	printf("usage: timed [-dDhnpqQvx] [-f file]\n"
	    "  -f file  configuration file (default %s)\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -n       stay in the foreground and log to syslog\n"
	    "  -D       log debug messages too\n"
	    "  -x       never change the clock: measure and serve only\n"
	    "  -p       check the configuration, print it as parsed, exit\n"
	    "  -q       set the clock once from the sources and exit\n"
	    "  -Q       print the clock's offset from the sources and exit\n"
	    "  -v, --version\n"
	    "           print the version and exit\n"
	    "  -h, --help\n"
	    "           print this help and exit\n", TIMED_CONF_FILE);
	exit(0);
}

/* A bad command line: one line, and where the rest is. */
static void __attribute__((noreturn))
bad_usage(const char *what, int c)
{
	if (what != NULL)
		fprintf(stderr, "timed: %s", what);
	else if (c == 'f' || c == 'P')
		fprintf(stderr, "timed: -%c needs an argument", c);
	else
		fprintf(stderr, "timed: unknown option -%c", c);
	fprintf(stderr, "; timed --help lists the options\n");
	exit(1);
}

/* chronyd's long options, before the others: --help and --version. */
static void
long_options(int argc, char *argv[])
{
	int	 i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0)
			usage();
		if (strcmp(argv[i], "--version") == 0) {
			printf(VERSION_LINE);
			exit(0);
		}
		if (strncmp(argv[i], "--", 2) == 0)
			bad_usage("unknown long option", 0);
	}
}

/*
 * The engine's executable, chosen once (the seccomp filter allows exec of
 * this path alone): timed-engine, or timed-engine-plain, which maps no
 * OpenSSL, when the configuration needs no cryptography.  The one beside
 * this timed when there is one (a build tree, or sbindir and libexecdir
 * made one), else the one installed in libexecdir.
 */
static const char *
engine_exe(const struct conf *conf)
{
	static char	 path[PATH_MAX];
	const char	*name = "timed-engine-plain";
	const char	*installed = TIMED_ENGINE_PLAIN;
	char		*slash;
	ssize_t		 n;

	if (conf_needs_crypto(conf)) {
		name = "timed-engine";
		installed = TIMED_ENGINE;
	}
	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) != NULL &&
	    (size_t)(slash + 1 - path) + strlen(name) < sizeof(path)) {
		strcpy(slash + 1, name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return installed;
}

int
main(int argc, char *argv[])
{
	struct monitor	 mon;
	const char	*proc = NULL;
	int		 ch, check = 0, status;

	memset(&mon, 0, sizeof(mon));
	mon.keys_fd = -1;
	mon.conffile = TIMED_CONF_FILE;
	proctitle_init(argc, argv);
	long_options(argc, argv);
	opterr = 0;
	while ((ch = getopt(argc, argv, "dDf:g:hnpP:qQu:vx")) != -1) {
		switch (ch) {
		case 'd':
			mon.foreground = 1;
			break;
		case 'D':
			mon.debug = 1;
			break;
		case 'f':
			mon.conffile = optarg;
			break;
		case 'h':
			usage();
			break;
		case 'n':
			mon.nodetach = 1;
			break;
		case 'p':
			check = 1;
			break;
		case 'P':
			proc = optarg;
			break;
		case 'q':
		case 'Q':
			mon.oneshot = ch;
			mon.foreground = 1;
			break;
		case 'g':	/* engine only: set by the monitor */
		case 'u':
			break;
		case 'v':
			printf(VERSION_LINE);
			return 0;
		case 'x':
			mon.noclock = 1;
			break;
		default:
			bad_usage(NULL, optopt);
		}
	}
	if (optind != argc)
		bad_usage("no arguments but options", 0);
	if (proc != NULL) {
		if (strcmp(proc, "engine") != 0)
			bad_usage("-P engine is for the monitor alone", 0);
		fprintf(stderr, "timed: the engine is %s, which the monitor "
		    "starts\n", TIMED_ENGINE);
		return 1;
	}
	log_init(1, mon.debug, "monitor");
	mon.conf = conf_new();
	if (conf_load(mon.conf, mon.conffile, stderr) == -1) {
		conf_free(mon.conf);	/* LeakSanitizer would add to FILE:LINE */
		return 1;
	}
	if (check) {
		/* the files, as the start checks them: -p and it agree */
		status = conffiles_check(mon.conf, mon.conffile, 0, stderr);
		if (status == 0)
			conf_print(mon.conf, stdout);
		conf_free(mon.conf);	/* and make -p fail */
		return status == 0 ? 0 : 1;
	}
	mon.engine_exe = xstrdup(engine_exe(mon.conf));
	status = monitor_main(&mon);
	conf_free(mon.conf);
	return status;
}
