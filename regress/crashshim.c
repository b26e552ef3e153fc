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
 * An LD_PRELOAD shim for the end-to-end tests: it makes a real, sandboxed
 * network engine crash, with no test-only path in timed.  It does nothing
 * unless TIMED_CRASH=KIND:MARKER is set and the process is an engine
 * (`-P engine` on its command line).  The first such engine creates
 * MARKER before its sandbox (later engines see it and run normally) and
 * crashes in its event loop, one second after it entered it: KIND abort
 * calls abort(3), KIND segv writes through a null pointer.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/epoll.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int	 epoll_wait_fn(int, struct epoll_event *, int, int);

static epoll_wait_fn	*real_epoll_wait;
static char		 kind;		/* 'a' abort, 's' segv, 0 none */
static struct timespec	 armed;

static int
is_engine(void)
{
	char	 buf[512];
	ssize_t	 n;
	int	 fd;
	size_t	 i;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (i = 0; i + 1 < (size_t)n; i += strlen(buf + i) + 1)
		if (strcmp(buf + i, "-P") == 0 &&
		    strcmp(buf + i + strlen(buf + i) + 1, "engine") == 0)
			return 1;
	return 0;
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char	*spec = getenv("TIMED_CRASH");
	int		 fd;

	real_epoll_wait = (epoll_wait_fn *)dlsym(RTLD_NEXT, "epoll_wait");
	if (spec == NULL || strlen(spec) < 3 || spec[1] != ':' ||
	    !is_engine())
		return;
	/* Only the first engine: O_EXCL fails for the later ones. */
	if ((fd = open(spec + 2, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		return;
	close(fd);
	kind = spec[0];
}

int
epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
	struct timespec	 now;

	if (kind != 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (armed.tv_sec == 0)
			armed = now;
		else if (now.tv_sec - armed.tv_sec >= 1) {
			if (kind == 'a')
				abort();
			*(volatile int *)(uintptr_t)0 = 1;
		}
		if (timeout_ms < 0 || timeout_ms > 200)
			timeout_ms = 200;	/* wake up to crash in time */
	}
	return real_epoll_wait(epfd, evs, max, timeout_ms);
}
