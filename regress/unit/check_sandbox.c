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
 * The sandboxes, in child processes: the engine's and the monitor's
 * seccomp lists kill on a call outside them, and the privilege drop
 * leaves an unprivileged process in an empty root.  Needs root (make
 * check runs as root in CI); without it the drop test is skipped.
 */

#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_monitor.h"

/* Run fn in a child; return its wait status. */
static int
in_child(void (*fn)(void))
{
	pid_t	 pid;
	int	 status;

	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void
engine_allowed(void)
{
	struct timespec	 ts;
	char		 c = 'x';
	int		 p[2];
	void		*m;

	if (pipe2(p, 0) == -1 || sandbox_engine_filter() == -1)
		_exit(3);
	if (write(p[1], &c, 1) != 1 ||
	    read(p[0], &c, 1) != 1 || clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    syscall(SYS_tgkill, getpid(), gettid(), 0) == -1 ||
	    (m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0)) == MAP_FAILED || munmap(m, 4096) == -1)
		_exit(4);
}

/* The calls the engine never makes: each must kill it. */
static void
engine_maps_exec(void)
{
	if (sandbox_engine_filter() == -1)
		_exit(3);
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
}

static void
engine_mprotects(void)
{
	static char	 page[4096] __attribute__((aligned(4096)));

	if (sandbox_engine_filter() == -1)
		_exit(3);
	mprotect(page, sizeof(page), PROT_READ);
}

static void
engine_binds(void)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    sandbox_engine_filter() == -1)
		_exit(3);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

static void
engine_listens(void)
{
	int	 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    sandbox_engine_filter() == -1)
		_exit(3);
	listen(fd, 1);
}

static void
engine_makes_socketpair(void)
{
	int	 sp[2];

	if (sandbox_engine_filter() == -1)
		_exit(3);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
}

static void
engine_sets_reuseport(void)
{
	int	 fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    sandbox_engine_filter() == -1)
		_exit(3);
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
}

static void
engine_opens_file(void)
{
	if (sandbox_engine_filter() == -1)
		_exit(3);
	open("/etc/hostname", O_RDONLY);	/* not on the list */
}

static void
engine_makes_unix_socket(void)
{
	if (sandbox_engine_filter() == -1)
		_exit(3);
	socket(AF_UNIX, SOCK_DGRAM, 0);		/* only AF_INET/AF_INET6 */
}

static void
engine_signals_parent(void)
{
	pid_t	 parent = getppid();

	if (sandbox_engine_filter() == -1)
		_exit(3);
	syscall(SYS_tgkill, parent, parent, 0);	/* only its own process */
}

static void
engine_forks(void)
{
	if (sandbox_engine_filter() == -1)
		_exit(3);
	fork();
}

START_TEST(test_sandbox_engine_filter_allows_its_list)
{
	int	 status = in_child(engine_allowed);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}
END_TEST

START_TEST(test_sandbox_engine_filter_kills_forbidden_calls)
{
	void	(*fns[])(void) = { engine_opens_file,
	    engine_makes_unix_socket, engine_signals_parent, engine_forks,
	    engine_maps_exec, engine_mprotects, engine_binds, engine_listens,
	    engine_makes_socketpair, engine_sets_reuseport };
	int	 status;
	size_t	 i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		status = in_child(fns[i]);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		    "call %zu: status %#x", i, status);
	}
}
END_TEST

static void
monitor_allowed(void)
{
	int	 fd;

	if (sandbox_monitor_filter(NULL) == -1)
		_exit(3);
	if ((fd = open("/etc/hostname", O_RDONLY)) == -1)
		_exit(4);
	close(fd);
}

static void
monitor_queries_personality(void)
{
	if (sandbox_monitor_filter(NULL) == -1)
		_exit(3);
	personality(0xffffffff);	/* harmless query, not on the list */
}

START_TEST(test_sandbox_monitor_filter)
{
	int	 status = in_child(monitor_allowed);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	status = in_child(monitor_queries_personality);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	    "status %#x", status);
}
END_TEST

/* The monitor's execve: its own executable's string, by address, only. */
static char	 exe[] = "/bin/true";

static void
monitor_execs_itself(void)
{
	char	*argv[] = { exe, NULL };

	if (sandbox_monitor_filter(exe) == -1)
		_exit(3);
	execv(exe, argv);
	_exit(4);
}

static void
monitor_execs_other(void)
{
	char	 other[] = "/bin/true";
	char	*argv[] = { other, NULL };

	if (sandbox_monitor_filter(exe) == -1)
		_exit(3);
	execv(other, argv);	/* the same name at another address */
	_exit(4);
}

/* The calls only start-up makes: the monitor no longer may. */
static void
monitor_binds(void)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    sandbox_monitor_filter(exe) == -1)
		_exit(3);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

static void
monitor_sends_sighup(void)
{
	if (sandbox_monitor_filter(exe) == -1)
		_exit(3);
	kill(getppid(), SIGHUP);	/* SIGTERM and SIGKILL only */
}

static void
monitor_uses_adjtimex(void)
{
	struct timex	 tx;

	memset(&tx, 0, sizeof(tx));
	if (sandbox_monitor_filter(exe) == -1)
		_exit(3);
	/* modes 0: a read, were it allowed; clock_adjtime(CLOCK_REALTIME) only */
	syscall(SYS_adjtimex, &tx);
}

START_TEST(test_sandbox_monitor_narrow)
{
	void	(*fns[])(void) = { monitor_execs_other, monitor_binds,
	    monitor_sends_sighup, monitor_uses_adjtimex };
	int	 status;
	size_t	 i;

	status = in_child(monitor_execs_itself);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		status = in_child(fns[i]);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
		    "call %zu: status %#x", i, status);
	}
}
END_TEST

/* A capability set of /proc/self/status, e.g. "CapEff". */
static unsigned long long
cap_field(const char *name)
{
	char			 line[128];
	unsigned long long	 v = ~0ULL;
	FILE			*f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return v;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0 &&
		    line[strlen(name)] == ':')
			v = strtoull(line + strlen(name) + 1, NULL, 16);
	fclose(f);
	return v;
}

#define KEPT_CAPS	((1ULL << CAP_SETUID) | (1ULL << CAP_SETGID) | \
	(1ULL << CAP_SYS_CHROOT) | (1ULL << CAP_SETPCAP) | (1ULL << CAP_KILL))

static void
monitor_caps(int clock)
{
	unsigned long long	 want = KEPT_CAPS |
	    (clock ? 1ULL << CAP_SYS_TIME : 0);

	if (sandbox_monitor_caps(clock) == -1)
		_exit(3);
	if (cap_field("CapEff") != want || cap_field("CapPrm") != want ||
	    cap_field("CapBnd") != want || cap_field("CapInh") != 0 ||
	    cap_field("CapAmb") != 0)
		_exit(4);
}

static void
monitor_caps_kernel_clock(void)
{
	monitor_caps(1);
}

static void
monitor_caps_virtual_clock(void)
{
	monitor_caps(0);
}

START_TEST(test_sandbox_monitor_caps)
{
	int	 status;

	if (geteuid() != 0 || cap_field("CapEff") != cap_field("CapBnd")) {
		printf("test_sandbox_monitor_caps: not full root, skipped\n");
		return;
	}
	status = in_child(monitor_caps_kernel_clock);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "kernel clock: status %#x", status);
	status = in_child(monitor_caps_virtual_clock);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "virtual clock: status %#x", status);
}
END_TEST

/*
 * An engine runs under both filters, the monitor's inherited one built
 * with the monitor's PID: its abort() must still end in SIGABRT.
 */
static void
engine_aborts(void)
{
	pid_t	 pid;
	int	 status;

	if (sandbox_monitor_filter(NULL) == -1)
		_exit(3);
	if ((pid = fork()) == -1)
		_exit(4);
	if (pid == 0) {
		if (sandbox_engine_filter() == -1)
			_exit(3);
		abort();
	}
	if (waitpid(pid, &status, 0) != pid)
		_exit(5);
	_exit(WIFSIGNALED(status) ? 100 + WTERMSIG(status) : 6);
}

START_TEST(test_sandbox_engine_abort_is_sigabrt)
{
	int	 status = in_child(engine_aborts);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) ==
	    100 + SIGABRT, "status %#x (100 + signal)", status);
}
END_TEST

START_TEST(test_sandbox_chroot_checks)
{
	char	 dir[] = "/tmp/timed-chroot.XXXXXX", file[64], err[128];
	int	 fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	if (geteuid() == 0)
		ck_assert_int_eq(sandbox_check_chroot(dir, err, sizeof(err)),
		    0);
	chmod(dir, 0777);
	ck_assert_int_eq(sandbox_check_chroot(dir, err, sizeof(err)), -1);
	chmod(dir, 0755);
	snprintf(file, sizeof(file), "%s/f", dir);
	ck_assert_int_ne(fd = open(file, O_CREAT | O_WRONLY, 0600), -1);
	close(fd);
	ck_assert_int_eq(sandbox_check_chroot(file, err, sizeof(err)), -1);
	ck_assert_int_eq(sandbox_check_chroot("/nonexistent/x", err,
	    sizeof(err)), -1);
	unlink(file);
	rmdir(dir);
}
END_TEST

static char	 drop_dir[] = "/tmp/timed-drop.XXXXXX";

static void
drop_and_look(void)
{
	char	 err[256];

	if (sandbox_drop(drop_dir, 65534, 65534, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		_exit(3);
	}
	if (getuid() != 65534 || geteuid() != 65534 || getgid() != 65534)
		_exit(4);
	if (getgroups(0, NULL) != 0)
		_exit(5);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		_exit(6);
	/* the root is the empty directory */
	if (access("/etc/passwd", F_OK) != -1 || errno != ENOENT)
		_exit(7);
	if (setuid(0) != -1)
		_exit(8);
}

START_TEST(test_sandbox_drop)
{
	int	 status;

	if (geteuid() != 0) {
		printf("test_sandbox_drop: not root, skipped\n");
		return;
	}
	ck_assert_ptr_nonnull(mkdtemp(drop_dir));
	chmod(drop_dir, 0755);
	status = in_child(drop_and_look);
	rmdir(drop_dir);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sandbox");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_sandbox_engine_filter_allows_its_list);
	tcase_add_test(tc, test_sandbox_engine_filter_kills_forbidden_calls);
	tcase_add_test(tc, test_sandbox_monitor_filter);
	tcase_add_test(tc, test_sandbox_monitor_narrow);
	tcase_add_test(tc, test_sandbox_monitor_caps);
	tcase_add_test(tc, test_sandbox_engine_abort_is_sigabrt);
	tcase_add_test(tc, test_sandbox_chroot_checks);
	tcase_add_test(tc, test_sandbox_drop);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
