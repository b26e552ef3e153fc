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
 * The sandboxes' parts, and the engine's sandbox: an empty root-owned
 * chroot, an unprivileged user with no groups and no capabilities, no
 * new privileges, and a seccomp allow-list whose default is to kill the
 * process.  The engine's allow-list is here, beside the parts, rather
 * than in daemon/: a filter outlives execve, so the monitor's
 * (monitor/sandbox_monitor.c), under which it starts engines, holds it
 * too.
 */

#ifndef TIMED_SANDBOX_H
#define TIMED_SANDBOX_H

#include <sys/types.h>
#include <seccomp.h>
#include <stddef.h>

/* 0 if dir is a directory owned by root and writable by root alone. */
int	sandbox_check_chroot(const char *dir, char *err, size_t errlen);
/* chroot, setgroups, setresgid, setresuid, capabilities, no_new_privs. */
int	sandbox_drop(const char *dir, uid_t, gid_t, char *err, size_t errlen);
/* Allow each call of the list, whatever its arguments; 0 or -1. */
int	sandbox_allow(scmp_filter_ctx, const int *calls, size_t n);
/* Allow call when its argument argno is one of values; 0 or -1. */
int	sandbox_allow_arg(scmp_filter_ctx, int call, unsigned int argno,
	    const unsigned long *values, size_t n);
/* Allow mmap or mprotect unless arg 2 (prot) has PROT_EXEC; 0 or -1. */
int	sandbox_allow_no_exec(scmp_filter_ctx, int call);
/* Add the engine's allow-list to ctx (the monitor's list includes it). */
int	sandbox_engine_rules(scmp_filter_ctx);
/* Load the engine's allow-list, default action kill; 0 or -1. */
int	sandbox_engine_filter(void);

#endif
