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
 * The files of logdir and log: chrony's measurements, statistics, tracking
 * and refclocks.
 */

#ifndef TIMED_STATLOG_H
#define TIMED_STATLOG_H

#include <stddef.h>

struct conf;
struct statlog;

/* Creates logdir (fatal if it cannot); NULL when no file is configured. */
struct statlog	*statlog_new(const struct conf *);
int		 statlog_enabled(const struct statlog *, int kind);
/* Append a formatted line, after the banner when it is due. */
void		 statlog_write(struct statlog *, int kind, const char *,
		    size_t);
/* SIGHUP: close the files; the next line opens them again. */
void		 statlog_reopen(struct statlog *);
void		 statlog_free(struct statlog *);

#endif
