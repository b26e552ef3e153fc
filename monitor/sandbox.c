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
 * The monitor's seccomp allow-list.  Filters are inherited across fork
 * and execve, so it holds what the engine needs before it loads its own,
 * narrower list (program start, reading the configuration, the privilege
 * drop) and what the monitor needs itself: the clock, its files, the
 * control socket, starting engines.  Left out, and so killing the process:
 * ptrace, mount, module and kexec calls, bpf, perf_event_open, namespaces,
 * reboot, swap, keyrings, settimeofday and everything not listed.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <termios.h>

#include "monitor.h"
#include "sandbox.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const int mon_clock[] = {
	SCMP_SYS(clock_adjtime), SCMP_SYS(adjtimex), SCMP_SYS(clock_settime),
};
static const int mon_files[] = {
	SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(unlink),
	SCMP_SYS(unlinkat), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(ftruncate), SCMP_SYS(getdents64), SCMP_SYS(statx),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(pread64),
	SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(close_range), SCMP_SYS(getcwd), SCMP_SYS(chdir),
	SCMP_SYS(memfd_create),		/* NTS certificates on SIGHUP */
};
static const int mon_process[] = {
	SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(execve), SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill),
	SCMP_SYS(getppid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getresuid),
	SCMP_SYS(getresgid), SCMP_SYS(set_tid_address),
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(arch_prctl),
	SCMP_SYS(prlimit64), SCMP_SYS(getrlimit), SCMP_SYS(sigaltstack),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(sched_yield), SCMP_SYS(uname),
	SCMP_SYS(sysinfo), SCMP_SYS(mincore), SCMP_SYS(getpriority),
	SCMP_SYS(rt_sigsuspend),
	SCMP_SYS(socketpair),		/* the engine's channel */
	SCMP_SYS(clock_nanosleep),	/* waiting for the engine to stop */
};
/*
 * An engine from its execve to its own filter, which lacks these: the
 * dynamic loader (executable mappings of the libraries, read-only
 * relocations), libc's start, libevent's event base and signal pipe, the
 * configuration from its memory file.
 */
static const int mon_engine_start[] = {
	SCMP_SYS(mmap), SCMP_SYS(pread64), SCMP_SYS(lseek),
	SCMP_SYS(epoll_create1), SCMP_SYS(pipe2), SCMP_SYS(rt_sigaction),
};
/* The engine's privilege drop happens under this filter. */
static const int mon_drop[] = {
	SCMP_SYS(chroot), SCMP_SYS(setgroups), SCMP_SYS(setresuid),
	SCMP_SYS(setresgid), SCMP_SYS(setuid), SCMP_SYS(setgid),
	SCMP_SYS(capget), SCMP_SYS(capset), SCMP_SYS(prctl),
	SCMP_SYS(seccomp),
};
static const unsigned long mon_families[] = { AF_UNIX };
/*
 * abort(3) in an engine: the engine inherits this filter, built with the
 * monitor's PID, so its own list's tgkill-to-self is not enough here.  A
 * crash must end in the signal it raised, not in SIGSYS.
 */
static const unsigned long mon_selfsig[] = { SIGABRT };
static const unsigned long mon_fcntl[] = { F_DUPFD, F_DUPFD_CLOEXEC,
	F_GETLK, F_SETLK, F_SETLKW, F_ADD_SEALS };
static const unsigned long mon_ioctl[] = { TCGETS, TIOCGWINSZ };

static int
allow_with_args(scmp_filter_ctx ctx)
{
	if (sandbox_allow_arg(ctx, SCMP_SYS(tgkill), 2, mon_selfsig,
	    NELEM(mon_selfsig)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(socket), 0, mon_families,
	    NELEM(mon_families)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(fcntl), 1, mon_fcntl,
	    NELEM(mon_fcntl)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(ioctl), 1, mon_ioctl,
	    NELEM(mon_ioctl)) == -1)
		return -1;
	return 0;
}

int
sandbox_monitor_rules(scmp_filter_ctx ctx)
{
	if (sandbox_engine_rules(ctx) == 0 &&
	    sandbox_allow(ctx, mon_clock, NELEM(mon_clock)) == 0 &&
	    sandbox_allow(ctx, mon_files, NELEM(mon_files)) == 0 &&
	    sandbox_allow(ctx, mon_process, NELEM(mon_process)) == 0 &&
	    sandbox_allow(ctx, mon_engine_start, NELEM(mon_engine_start)) == 0 &&
	    sandbox_allow_no_exec(ctx, SCMP_SYS(mprotect)) == 0 &&
	    sandbox_allow(ctx, mon_drop, NELEM(mon_drop)) == 0 &&
	    allow_with_args(ctx) == 0)
		return 0;
	return -1;
}

int
sandbox_monitor_filter(void)
{
	scmp_filter_ctx	 ctx;
	int		 rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	if (sandbox_monitor_rules(ctx) == 0 && seccomp_load(ctx) == 0)
		rc = 0;
	seccomp_release(ctx);
	return rc;
}
