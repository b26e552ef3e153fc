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
 * The monitor's sandbox, loaded once start-up is over (configuration,
 * sockets, files, certificates read): its capabilities cut to those it
 * still uses, and a seccomp allow-list.  Filters are inherited across
 * fork and execve, so the list holds the engine's own and what an engine
 * calls before it loads it (the dynamic loader, libc's start, the
 * privilege drop), and what the monitor calls itself: the clock, its
 * files, the control socket, starting and stopping engines.  The syscall
 * audit (regress/e2e/155) measures both.  Left out, and so killing the
 * process: bind, listen, ptrace, mount, module and kexec calls, bpf,
 * perf_event_open, namespaces, reboot, swap, keyrings, settimeofday,
 * adjtimex and everything not listed.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_monitor.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The capabilities the monitor keeps after start-up (etc/timed.service.in
 * names the same, with the two it needs only to start).  A root engine
 * gets its permitted set from the bounding set at execve, and needs these
 * for its privilege drop; the monitor then signals it (another user).
 */
static const int mon_caps[] = {
	CAP_SETUID, CAP_SETGID,		/* the engine's setresuid, setgroups */
	CAP_SYS_CHROOT,			/* the engine's chroot */
	CAP_SETPCAP,			/* the engine empties its bounding set */
	CAP_KILL,			/* SIGTERM, SIGKILL to the engine */
};

/* Files after start-up: drift, logs, NTS dumps, certificates, sourcedir. */
static const int mon_files[] = {
	SCMP_SYS(openat), SCMP_SYS(lseek), SCMP_SYS(ftruncate),
	SCMP_SYS(fsync), SCMP_SYS(rename), SCMP_SYS(unlink),
	SCMP_SYS(getdents64), SCMP_SYS(access),
	SCMP_SYS(memfd_create),		/* NTS certificates on SIGHUP */
};
/* Starting, stopping and reaping engines. */
static const int mon_process[] = {
	SCMP_SYS(clone),		/* fork */
	SCMP_SYS(set_robust_list),	/* fork's child */
	SCMP_SYS(socketpair),		/* the engine's channel */
	SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(close_range),
	SCMP_SYS(wait4),
	SCMP_SYS(clock_nanosleep),	/* waiting for the engine to stop */
};
/*
 * An engine from its execve to its own filter, which lacks these: the
 * dynamic loader (executable mappings of the libraries, read-only
 * relocations), libc's start, libevent's event base and signal pipe, the
 * configuration from its memory file.
 */
static const int mon_engine_start[] = {
	SCMP_SYS(mmap), SCMP_SYS(pread64), SCMP_SYS(arch_prctl),
	SCMP_SYS(set_tid_address), SCMP_SYS(rseq), SCMP_SYS(prlimit64),
	SCMP_SYS(uname), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(epoll_create1), SCMP_SYS(pipe2), SCMP_SYS(rt_sigaction),
};
/* The engine's privilege drop happens under this filter. */
static const int mon_drop[] = {
	SCMP_SYS(chroot), SCMP_SYS(chdir), SCMP_SYS(setgroups),
	SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setuid),		/* setuid(0) must fail: checked */
	SCMP_SYS(capset), SCMP_SYS(seccomp),
};
#ifdef TIMED_SANITIZERS
/* The ASan runtime's start in an engine. */
static const int mon_sanitizer[] = {
	SCMP_SYS(open), SCMP_SYS(readlink),
};
#endif
static const unsigned long mon_families[] = { AF_UNIX };	/* syslog */
/* stdio asks whether a character device it reads is a terminal */
static const unsigned long mon_ioctl[] = { TCGETS };
static const unsigned long mon_fcntl[] = { F_DUPFD_CLOEXEC, F_ADD_SEALS };
static const unsigned long mon_clocks[] = { CLOCK_REALTIME };
static const unsigned long mon_kills[] = { SIGTERM, SIGKILL };
static const unsigned long mon_prctl[] = { PR_CAPBSET_DROP,
	PR_SET_NO_NEW_PRIVS };
/*
 * abort(3) in an engine: the engine inherits this filter, built with the
 * monitor's PID, so its own list's tgkill-to-self is not enough here.  A
 * crash must end in the signal it raised, not in SIGSYS.
 */
static const unsigned long mon_selfsig[] = { SIGABRT };

static int
allow_with_args(scmp_filter_ctx ctx, const char *exe)
{
	/*
	 * execve of the monitor's own executable only: the path is compared
	 * by address (seccomp cannot read memory), the string the monitor
	 * resolved at start.  It keeps a hijacked fork from running another
	 * program through the usual gadgets; the engine's filter has no
	 * execve at all.
	 */
	const unsigned long	 path = (unsigned long)(uintptr_t)exe;

	if (sandbox_allow_arg(ctx, SCMP_SYS(execve), 0, &path, 1) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(clock_adjtime), 0, mon_clocks,
	    NELEM(mon_clocks)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(kill), 1, mon_kills,
	    NELEM(mon_kills)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(prctl), 0, mon_prctl,
	    NELEM(mon_prctl)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(tgkill), 2, mon_selfsig,
	    NELEM(mon_selfsig)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(socket), 0, mon_families,
	    NELEM(mon_families)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(fcntl), 1, mon_fcntl,
	    NELEM(mon_fcntl)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(ioctl), 1, mon_ioctl,
	    NELEM(mon_ioctl)) == -1 ||
	    sandbox_allow_no_exec(ctx, SCMP_SYS(mprotect)) == -1)
		return -1;
	return 0;
}

int
sandbox_monitor_rules(scmp_filter_ctx ctx, const char *exe)
{
	if (sandbox_engine_rules(ctx) == 0 &&
	    sandbox_allow(ctx, mon_files, NELEM(mon_files)) == 0 &&
	    sandbox_allow(ctx, mon_process, NELEM(mon_process)) == 0 &&
	    sandbox_allow(ctx, mon_engine_start, NELEM(mon_engine_start)) == 0 &&
	    sandbox_allow(ctx, mon_drop, NELEM(mon_drop)) == 0 &&
#ifdef TIMED_SANITIZERS
	    sandbox_allow(ctx, mon_sanitizer, NELEM(mon_sanitizer)) == 0 &&
#endif
	    allow_with_args(ctx, exe) == 0)
		return 0;
	return -1;
}

int
sandbox_monitor_filter(const char *exe)
{
	scmp_filter_ctx	 ctx;
	int		 rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	if (sandbox_monitor_rules(ctx, exe) == 0 && seccomp_load(ctx) == 0)
		rc = 0;
	seccomp_release(ctx);
	return rc;
}

static int
kept(int cap, int clock)
{
	size_t	 i;

	if (cap == CAP_SYS_TIME)
		return clock;
	for (i = 0; i < NELEM(mon_caps); i++)
		if (mon_caps[i] == cap)
			return 1;
	return 0;
}

int
sandbox_monitor_caps(int clock)
{
	struct __user_cap_header_struct	 hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	 data[2];
	int				 cap, r;

	/* The bounding set first: dropping needs CAP_SETPCAP, kept below. */
	for (cap = 0; cap <= 63; cap++) {
		if (kept(cap, clock))
			continue;
		if ((r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) == -1 &&
		    errno == EINVAL)
			break;		/* past the kernel's last capability */
		if (r == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		return -1;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) == -1)
		return -1;
	for (cap = 0; cap <= 63; cap++)
		if (!kept(cap, clock)) {
			data[cap / 32].permitted &= ~(1U << (cap % 32));
			data[cap / 32].effective &= ~(1U << (cap % 32));
		}
	data[0].inheritable = data[1].inheritable = 0;
	return syscall(SYS_capset, &hdr, data) == -1 ? -1 : 0;
}
