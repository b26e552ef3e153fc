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
 * The drift file, in chrony's format: "FREQ SKEW\n", frequency in ppm
 * (+ the uncorrected clock runs fast) and skew in ppm.  Only the monitor
 * writes it, and only whole: a temporary file, fsync, rename.
 */

#ifndef TIMED_DRIFT_H
#define TIMED_DRIFT_H

struct lim;

/* 0 and the values, or -1 (missing, malformed or out of range: logged). */
int	drift_read(const char *path, const struct lim *, double *freq_ppm,
	    double *skew_ppm);
/* 0, or -1 with the old file left as it was (logged). */
int	drift_write(const char *path, const struct lim *, double freq_ppm,
	    double skew_ppm);

#endif
