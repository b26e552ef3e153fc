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
 * sandbox_list engine|monitor: print the allow-list as compiled, in
 * libseccomp's PFC form (one "# filter for syscall "NAME"" line per call,
 * then its argument checks), for the syscall audit of e2e 155.  Built
 * from the same modules as timed, so the test holds no copy of the lists.
 */

#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_monitor.h"

int
main(int argc, char *argv[])
{
	scmp_filter_ctx	 ctx;
	int		 rc;

	if (argc != 2 || (strcmp(argv[1], "engine") != 0 &&
	    strcmp(argv[1], "monitor") != 0)) {
		fprintf(stderr, "usage: sandbox_list engine|monitor\n");
		return 1;
	}
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return 1;
	if (strcmp(argv[1], "engine") == 0)
		rc = sandbox_engine_rules(ctx);
	else
		rc = sandbox_monitor_rules(ctx, argv[0]);
	fflush(stdout);
	if (rc == 0)
		rc = seccomp_export_pfc(ctx, STDOUT_FILENO);
	seccomp_release(ctx);
	return rc == 0 ? 0 : 1;
}
