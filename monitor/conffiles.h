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
 * The files and directories the configuration names, checked as the
 * start uses them (timed -p and the start both run the check).
 */

#ifndef TIMED_CONFFILES_H
#define TIMED_CONFFILES_H

#include <stddef.h>
#include <stdio.h>

struct conf;

#define CONFFILES_CLIENT	0x1	/* -q, -Q: no server, no pid file */
#define CONFFILES_NOCHROOT	0x2	/* simulation: no chroot */

/*
 * Each problem printed to errf as "FILE:LINE: [warning: ]message", at
 * the line of the directive that names it.  -1 if one stops the start.
 */
int		 conffiles_check(const struct conf *, const char *conffile,
		    int flags, FILE *errf);
/*
 * Make the directories the start makes when missing (as chronyd does
 * its own): chrootdir, the pid file's; -1 with err.
 */
int		 conffiles_make_dirs(const struct conf *, int flags,
		    char *err, size_t errlen);

#endif
