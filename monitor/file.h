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

#ifndef TIMED_FILE_H
#define TIMED_FILE_H

#include <sys/types.h>
#include <stddef.h>

/*
 * Replace path with len bytes of buf, created with mode: a temporary
 * file beside it (path.tmp), fsync, rename, fsync of the folder.  0, or
 * -1 with errno and the old file as it was.
 */
int	file_replace(const char *path, const void *buf, size_t len,
	    mode_t mode);

/*
 * mkdir -p, as chronyd makes its directories: the parents 0755, dir
 * itself mode; 0 if it is there, or -1 with errno.
 */
int	file_mkdirs(const char *dir, mode_t mode);

#endif
