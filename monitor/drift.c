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

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drift.h"
#include "file.h"
#include "lim.h"
#include "log.h"

int
drift_read(const char *path, const struct lim *lim, double *freq_ppm,
    double *skew_ppm)
{
	FILE		*f;
	double		 freq, skew;
	const char	*why;
	int		 n;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno != ENOENT)
			log_warn("driftfile %s", path);
		return -1;
	}
	n = fscanf(f, "%lf %lf", &freq, &skew);
	fclose(f);
	if (n != 2) {
		log_warnx("driftfile %s: malformed, ignored", path);
		return -1;
	}
	if ((why = lim_check_drift(lim, freq, skew)) != NULL) {
		log_warnx("driftfile %s: %s, ignored", path, why);
		return -1;
	}
	*freq_ppm = freq;
	*skew_ppm = skew;
	return 0;
}

int
drift_write(const char *path, const struct lim *lim, double freq_ppm,
    double skew_ppm)
{
	char	 buf[64];
	int	 len;

	if (lim_check_drift(lim, freq_ppm, skew_ppm) != NULL)
		return -1;
	len = snprintf(buf, sizeof(buf), "%20.6f %20.6f\n", freq_ppm,
	    skew_ppm);
	if (file_replace(path, buf, len, 0644) == -1) {
		log_warn("driftfile %s", path);
		return -1;
	}
	return 0;
}
