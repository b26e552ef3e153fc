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

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/pps.h>
#include <linux/ptp_clock.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int
sandbox_check_chroot(const char *dir, char *err, size_t errlen)
{
	struct stat	 st;

	if (stat(dir, &st) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "not a directory");
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "must be owned by root and writable "
		    "by root alone");
		return -1;
	}
	return 0;
}

static int
drop_bounding_set(void)
{
	int	 cap;

	for (cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			return -1;
	return 0;
}

static int
no_capabilities(void)
{
	struct __user_cap_header_struct	 hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	 data[2];

	memset(data, 0, sizeof(data));
	/* setresuid to a non-root user cleared them: make sure. */
	if (syscall(SYS_capset, &hdr, data) == -1)
		return -1;
	return 0;
}

int
sandbox_drop(const char *dir, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	const char	*step;

	if (sandbox_check_chroot(dir, err, errlen) == -1)
		return -1;
	if ((step = "chroot", chroot(dir) == -1) ||
	    (step = "chdir", chdir("/") == -1) ||
	    (step = "capability bounding set", drop_bounding_set() == -1) ||
	    (step = "setgroups", setgroups(0, NULL) == -1) ||
	    (step = "setresgid", setresgid(gid, gid, gid) == -1) ||
	    (step = "setresuid", setresuid(uid, uid, uid) == -1) ||
	    (step = "capset", no_capabilities() == -1) ||
	    (step = "no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0,
	    0) == -1)) {
		snprintf(err, errlen, "%s: %s", step, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1 || getuid() != uid || getegid() != gid) {
		snprintf(err, errlen, "privileges still there after the drop");
		return -1;
	}
	return 0;
}

/*
 * The engine's allow-list, by purpose (doc/DESIGN.md, "The sandbox"), as
 * the syscall audit (regress/e2e/155) measured it after the filter is
 * loaded: sockets, event loop and memory were all set up before, so
 * socket creation for sources stays but bind, listen, socketpair, pipes,
 * epoll creation and signal handlers do not.
 */
static const int engine_io[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(close),
	SCMP_SYS(newfstatat),		/* glibc's fstat(), stdio */
};
static const int engine_net[] = {
	SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(sendmmsg),		/* NTP, with timestamps */
	SCMP_SYS(recvfrom), SCMP_SYS(sendto),	/* evdns; NTP requests */
	SCMP_SYS(connect), SCMP_SYS(getsockname),	/* sources, NTS-KE */
	SCMP_SYS(getsockopt),		/* SO_ERROR of a pending connect */
	SCMP_SYS(accept4),		/* NTS-KE server */
};
static const int engine_events[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(rt_sigreturn),		/* libevent's SIGTERM handler */
};
static const int engine_clock[] = {
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),  /* without vDSO */
};
static const int engine_memory[] = {
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(futex),
	SCMP_SYS(getrandom),
	/* glibc's qsort sizes its buffer by the RAM once; OpenSSL sorts */
	SCMP_SYS(sysinfo),
};
static const int engine_process[] = {
	SCMP_SYS(exit_group), SCMP_SYS(restart_syscall),
	/* abort(3), with tgkill to itself below */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(rt_sigprocmask),
};
#ifdef TIMED_SANITIZERS
/* What the ASan/UBSan runtimes call when they report. */
static const int engine_sanitizer[] = {
	SCMP_SYS(sigaltstack), SCMP_SYS(prlimit64), SCMP_SYS(getrlimit),
	SCMP_SYS(sched_yield), SCMP_SYS(rt_sigaction), SCMP_SYS(madvise),
	SCMP_SYS(uname), SCMP_SYS(mincore), SCMP_SYS(getppid),
};
#endif

int
sandbox_allow(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0) != 0)
			return -1;
	return 0;
}

int
sandbox_allow_arg(scmp_filter_ctx ctx, int call, unsigned int argno,
    const unsigned long *values, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, call, 1,
		    SCMP_CMP(argno, SCMP_CMP_EQ, values[i])) != 0)
			return -1;
	return 0;
}

static const unsigned long sock_families[] = { AF_INET, AF_INET6 };
static const unsigned long fcntl_cmds[] = { F_GETFL, F_SETFL, F_GETFD,
	F_SETFD };
/* malloc_trim(3): the heap handed back after setup and after bursts */
static const unsigned long madvise_advice[] = { MADV_DONTNEED };
/* A source's socket asks for kernel timestamps; the monitor sets the rest. */
static const struct { int level, name; } sockopts[] = {
	{ SOL_SOCKET, SO_TIMESTAMPNS }, { SOL_SOCKET, SO_TIMESTAMPING },
};

/*
 * The devices the monitor opens and hands over (monitor/refclock.c,
 * monitor/nic.c): a PTP hardware clock, opened read-only, read against
 * the system clock (hwtimestamp and refclock PHC, daemon/phc.c), and a
 * pulse's time fetched (refclock PPS, set up by the monitor).  These
 * only read: no PTP_CLOCK_* setting, pins, periodic outputs or external
 * timestamps, no PPS_SETPARAMS, and no clock_adjtime on a descriptor.
 * Allowed by request on any descriptor: on another they fail (ENOTTY).
 */
static const unsigned long dev_ioctls[] = {
	PTP_SYS_OFFSET_PRECISE, PTP_SYS_OFFSET_EXTENDED, PTP_SYS_OFFSET,
	PPS_FETCH
};

int
sandbox_allow_no_exec(scmp_filter_ctx ctx, int call)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, call, 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == 0 ? 0 : -1;
}

static int
allow_with_args(scmp_filter_ctx ctx)
{
	/* abort(3) and raise(3); other processes of our user stay out */
	const unsigned long	 self = (unsigned long)getpid();
	size_t			 i;

	if (sandbox_allow_arg(ctx, SCMP_SYS(tgkill), 0, &self, 1) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(socket), 0, sock_families,
	    NELEM(sock_families)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(fcntl), 1, fcntl_cmds,
	    NELEM(fcntl_cmds)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(madvise), 2, madvise_advice,
	    NELEM(madvise_advice)) == -1 ||
	    sandbox_allow_arg(ctx, SCMP_SYS(ioctl), 1, dev_ioctls,
	    NELEM(dev_ioctls)) == -1 ||
	    sandbox_allow_no_exec(ctx, SCMP_SYS(mmap)) == -1)
		return -1;
	for (i = 0; i < NELEM(sockopts); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt),
		    2, SCMP_A1(SCMP_CMP_EQ, sockopts[i].level),
		    SCMP_A2(SCMP_CMP_EQ, sockopts[i].name)) != 0)
			return -1;
	return 0;
}

int
sandbox_engine_rules(scmp_filter_ctx ctx)
{
	if (sandbox_allow(ctx, engine_io, NELEM(engine_io)) == 0 &&
	    sandbox_allow(ctx, engine_net, NELEM(engine_net)) == 0 &&
	    sandbox_allow(ctx, engine_events, NELEM(engine_events)) == 0 &&
	    sandbox_allow(ctx, engine_clock, NELEM(engine_clock)) == 0 &&
	    sandbox_allow(ctx, engine_memory, NELEM(engine_memory)) == 0 &&
	    sandbox_allow(ctx, engine_process, NELEM(engine_process)) == 0 &&
#ifdef TIMED_SANITIZERS
	    sandbox_allow(ctx, engine_sanitizer, NELEM(engine_sanitizer)) == 0 &&
#endif
	    allow_with_args(ctx) == 0)
		return 0;
	return -1;
}

int
sandbox_engine_filter(void)
{
	scmp_filter_ctx	 ctx;
	int		 rc = -1;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -1;
	if (sandbox_engine_rules(ctx) == 0 && seccomp_load(ctx) == 0)
		rc = 0;
	seccomp_release(ctx);
	return rc;
}
