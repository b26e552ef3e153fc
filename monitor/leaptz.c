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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leaptz.h"
#include "log.h"
#include "tzif.h"

#define ZONEINFO	"/usr/share/zoneinfo"
#define MAX_TZIF	(256 * 1024)

/* A zone name: relative, and no component "..". */
static int
good_name(const char *zone)
{
	const char	*p;

	if (zone[0] == '\0' || zone[0] == '/')
		return 0;
	for (p = zone; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == zone || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 0;
	return 1;
}

int
leaptz_read(const char *zone, struct leap_table *t)
{
	const char	*dir = getenv("TIMED_ZONEINFO_DIR");
	char		 path[PATH_MAX];
	uint8_t		*buf;
	ssize_t		 r;
	size_t		 len = 0;
	int		 fd, n;

	memset(t, 0, sizeof(*t));
	if (dir == NULL || *dir == '\0')
		dir = ZONEINFO;
	if (!good_name(zone) || snprintf(path, sizeof(path), "%s/%s", dir,
	    zone) >= (int)sizeof(path)) {
		log_warnx("leapsectz %s: not a time zone name", zone);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("leapsectz %s", path);
		return -1;
	}
	buf = malloc(MAX_TZIF);
	while (buf != NULL && len < MAX_TZIF && (r = read(fd, buf + len,
	    MAX_TZIF - len)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("leapsectz %s", path);
			len = 0;
			break;
		}
		len += r;
	}
	close(fd);
	if (buf == NULL || len == 0 || tzif_leaps(buf, len, t->leaps,
	    TZIF_MAX_LEAPS, &n) == -1) {
		if (buf != NULL && len > 0)
			log_warnx("leapsectz %s: not a TZif file", path);
		free(buf);
		return -1;
	}
	free(buf);
	t->n = n;
	if (n == 0) {
		log_warnx("leapsectz %s: no leap seconds", path);
		return -1;
	}
	log_info("leapsectz %s: %d leap seconds, the last before %lld",
	    zone, n, (long long)t->leaps[n - 1].utc_s);
	return 0;
}
