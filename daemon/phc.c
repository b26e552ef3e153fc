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
 * PTP hardware clock readings (phc.h).
 */

#include <sys/ioctl.h>
#include <linux/ptp_clock.h>
#include <errno.h>
#include <string.h>

#include "phc.h"

static int64_t
pct_ns(const struct ptp_clock_time *t)
{
	return t->sec * 1000000000LL + t->nsec;
}

void
phc_init(struct phc *p, int fd, int nocrossts)
{
	p->fd = fd;
	p->method = nocrossts ? PHC_EXTENDED : PHC_PRECISE;
}

static int
read_precise(struct phc *p, struct hwclk_reading *r)
{
	struct ptp_sys_offset_precise	 o;

	memset(&o, 0, sizeof(o));
	if (ioctl(p->fd, PTP_SYS_OFFSET_PRECISE, &o) == -1)
		return -1;
	r->sys_before_ns = r->sys_after_ns = pct_ns(&o.sys_realtime);
	r->hw_ns = pct_ns(&o.device);
	return 1;
}

static int
read_extended(struct phc *p, struct hwclk_reading *r, int max)
{
	struct ptp_sys_offset_extended	 o;
	int				 i;

	memset(&o, 0, sizeof(o));
	o.n_samples = max;
	if (ioctl(p->fd, PTP_SYS_OFFSET_EXTENDED, &o) == -1)
		return -1;
	if (o.n_samples == 0 || (int)o.n_samples > max) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < (int)o.n_samples; i++) {
		r[i].sys_before_ns = pct_ns(&o.ts[i][0]);
		r[i].hw_ns = pct_ns(&o.ts[i][1]);
		r[i].sys_after_ns = pct_ns(&o.ts[i][2]);
	}
	return i;
}

static int
read_basic(struct phc *p, struct hwclk_reading *r, int max)
{
	struct ptp_sys_offset	 o;
	int			 i;

	memset(&o, 0, sizeof(o));
	o.n_samples = max;
	if (ioctl(p->fd, PTP_SYS_OFFSET, &o) == -1)
		return -1;
	if (o.n_samples == 0 || (int)o.n_samples > max) {
		errno = EINVAL;
		return -1;
	}
	/* system, clock, system, clock, ..., system */
	for (i = 0; i < (int)o.n_samples; i++) {
		r[i].sys_before_ns = pct_ns(&o.ts[2 * i]);
		r[i].hw_ns = pct_ns(&o.ts[2 * i + 1]);
		r[i].sys_after_ns = pct_ns(&o.ts[2 * i + 2]);
	}
	return i;
}

int
phc_read(struct phc *p, struct hwclk_reading *r, int max)
{
	int	 n;

	if (max > PTP_MAX_SAMPLES)
		max = PTP_MAX_SAMPLES;
	if (max > HWCLK_MAX_READINGS)
		max = HWCLK_MAX_READINGS;
	if (max < 1) {
		errno = EINVAL;
		return -1;
	}
	for (; p->method != PHC_NONE; p->method++) {
		switch (p->method) {
		case PHC_PRECISE:
			n = read_precise(p, r);
			break;
		case PHC_EXTENDED:
			n = read_extended(p, r, max);
			break;
		default:
			n = read_basic(p, r, max);
			break;
		}
		if (n > 0)
			return n;
		/* another error than "not supported": try again next time */
		if (errno != EOPNOTSUPP && errno != EINVAL && errno != ENOTTY)
			return -1;
	}
	errno = EOPNOTSUPP;
	return -1;
}

const char *
phc_method_name(enum phc_method m)
{
	switch (m) {
	case PHC_PRECISE:
		return "cross timestamp";
	case PHC_EXTENDED:
		return "extended";
	case PHC_BASIC:
		return "basic";
	default:
		return "none";
	}
}
