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

/* The monitor's sandbox (lib/sandbox.h has the engine's, and the parts). */

#ifndef TIMED_SANDBOX_MONITOR_H
#define TIMED_SANDBOX_MONITOR_H

#include <seccomp.h>

/*
 * Add the monitor's allow-list to ctx: the engine's and what the monitor
 * calls after start-up; execve only of the string at exe (by address:
 * the monitor's engine_exe).
 */
int	sandbox_monitor_rules(scmp_filter_ctx, const char *exe);
/*
 * Load the monitor's allow-list, default action kill, execve only of exe
 * (mon->engine_exe itself, compared by address); 0 or -1.
 */
int	sandbox_monitor_filter(const char *exe);
/*
 * Keep only the capabilities the monitor uses after start-up (CAP_SYS_TIME
 * only if clock is set: a kernel clock) in its effective, permitted and
 * bounding sets; empty its inheritable and ambient sets; 0 or -1.
 */
int	sandbox_monitor_caps(int clock);

#endif
