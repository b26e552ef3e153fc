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


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nts_dump.h"

#define MAGIC		"timed-nts-client 1"
#define COOKIE_MIN	12
#define LINE_MAX_LEN	(16 + 2 * NTS_DUMP_COOKIE_MAX)

static int
str_ok(const char *s, size_t size)
{
	const char	*end = memchr(s, '\0', size);
	const char	*p;

	if (end == NULL)
		return 0;
	for (p = s; p < end; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

int
nts_dump_name_ok(const char *name)
{
	return str_ok(name, NTS_DUMP_NAME_MAX) && name[0] != '\0' &&
	    name[0] != '.' && strchr(name, '/') == NULL;
}

const char *
nts_dump_check(const struct nts_dump *d)
{
	int	 i;

	if (!nts_dump_name_ok(d->name))
		return "bad name";
	if (!str_ok(d->server, sizeof(d->server)))
		return "bad server name";
	if (!(d->ke_time >= 1.0 && d->ke_time < 1e11))
		return "bad time";
	if (d->aead != 15)
		return "unknown AEAD";
	if (d->port < -1 || d->port > 65535)
		return "bad port";
	if (d->n_cookies < 1 || d->n_cookies > NTS_DUMP_COOKIES)
		return "bad number of cookies";
	for (i = 0; i < d->n_cookies; i++)
		if (d->cookie_len[i] < COOKIE_MIN ||
		    d->cookie_len[i] > NTS_DUMP_COOKIE_MAX)
			return "bad cookie length";
	return NULL;
}

static int
put_hex(char *buf, size_t size, size_t *off, const char *key,
    const uint8_t *p, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, k = strlen(key);

	if (*off + k + 2 + 2 * len + 1 > size)
		return -1;
	memcpy(buf + *off, key, k);
	*off += k;
	buf[(*off)++] = ' ';
	for (i = 0; i < len; i++) {
		buf[(*off)++] = hex[p[i] >> 4];
		buf[(*off)++] = hex[p[i] & 15];
	}
	buf[(*off)++] = '\n';
	buf[*off] = '\0';
	return 0;
}

static int
put_line(char *buf, size_t size, size_t *off, const char *fmt, const char *s,
    double v)
{
	int	 n;

	if (s != NULL)
		n = snprintf(buf + *off, size - *off, fmt, s);
	else
		n = snprintf(buf + *off, size - *off, fmt, v);
	if (n < 0 || (size_t)n >= size - *off)
		return -1;
	*off += (size_t)n;
	return 0;
}

size_t
nts_dump_write(const struct nts_dump *d, char *buf, size_t size)
{
	size_t	 off = 0;
	int	 i, bad;

	if (size == 0 || nts_dump_check(d) != NULL)
		return 0;
	/*
	 * The second the exchange was in, not the nearest: rounded up, a
	 * state saved and read back within half a second read as one from
	 * the future, and was refused.
	 */
	bad = put_line(buf, size, &off, MAGIC "\nname %s\n", d->name, 0) ||
	    put_line(buf, size, &off, "time %.0f\n", NULL,
	    (double)(int64_t)d->ke_time) ||
	    put_line(buf, size, &off, "sessions %.0f\naead 15\n", NULL,
	    (double)d->sessions) ||
	    put_hex(buf, size, &off, "c2s", d->c2s, sizeof(d->c2s)) ||
	    put_hex(buf, size, &off, "s2c", d->s2c, sizeof(d->s2c));
	if (!bad && d->server[0] != '\0')
		bad = put_line(buf, size, &off, "server %s\n", d->server, 0);
	if (!bad && d->port >= 0)
		bad = put_line(buf, size, &off, "port %.0f\n", NULL,
		    (double)d->port);
	for (i = 0; i < d->n_cookies && !bad; i++)
		bad = put_hex(buf, size, &off, "cookie", d->cookie[i],
		    d->cookie_len[i]);
	if (bad) {
		explicit_bzero(buf, size);
		return 0;
	}
	return off;
}

static int
unhex(const char *s, size_t n, uint8_t *out, size_t max, size_t *len)
{
	size_t	 i;
	int	 hi, lo;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		hi = s[2 * i] >= '0' && s[2 * i] <= '9' ? s[2 * i] - '0' :
		    s[2 * i] >= 'a' && s[2 * i] <= 'f' ? s[2 * i] - 'a' + 10 :
		    -1;
		lo = s[2 * i + 1] >= '0' && s[2 * i + 1] <= '9' ?
		    s[2 * i + 1] - '0' : s[2 * i + 1] >= 'a' &&
		    s[2 * i + 1] <= 'f' ? s[2 * i + 1] - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

/* A decimal number in [min, max], the whole of s. */
static int
number(const char *s, double min, double max, double *v)
{
	char	*end;

	if (*s == '\0' || strlen(s) > 15 ||
	    strspn(s, "0123456789") != strlen(s))
		return -1;
	*v = strtod(s, &end);
	return *end == '\0' && *v >= min && *v <= max ? 0 : -1;
}

/* One line (key, value) into d; state: what may come next. */
static int
field(struct nts_dump *d, int *state, const char *key, const char *val)
{
	size_t	 len;
	double	 v;

	switch (*state) {
	case 0:
		if (strcmp(key, "name") != 0 ||
		    strlen(val) >= sizeof(d->name))
			return -1;
		memcpy(d->name, val, strlen(val) + 1);
		break;
	case 1:
		if (strcmp(key, "time") != 0 || number(val, 1, 1e11, &v) == -1)
			return -1;
		d->ke_time = v;
		break;
	case 2:
		if (strcmp(key, "sessions") != 0 ||
		    number(val, 0, 4294967295.0, &v) == -1)
			return -1;
		d->sessions = (uint32_t)v;
		break;
	case 3:
		if (strcmp(key, "aead") != 0 || strcmp(val, "15") != 0)
			return -1;
		d->aead = 15;
		break;
	case 4:
	case 5:
		if (strcmp(key, *state == 4 ? "c2s" : "s2c") != 0 ||
		    unhex(val, strlen(val), *state == 4 ? d->c2s : d->s2c,
		    NTS_DUMP_KEY_LEN, &len) == -1 || len != NTS_DUMP_KEY_LEN)
			return -1;
		break;
	default:
		if (strcmp(key, "server") == 0 && *state == 6 &&
		    strlen(val) < sizeof(d->server)) {
			memcpy(d->server, val, strlen(val) + 1);
			*state = 7;
			return 0;
		}
		if (strcmp(key, "port") == 0 && *state <= 7) {
			if (number(val, 0, 65535, &v) == -1)
				return -1;
			d->port = (int32_t)v;
			*state = 8;
			return 0;
		}
		if (strcmp(key, "cookie") != 0 ||
		    d->n_cookies == NTS_DUMP_COOKIES ||
		    unhex(val, strlen(val), d->cookie[d->n_cookies],
		    NTS_DUMP_COOKIE_MAX, &len) == -1)
			return -1;
		d->cookie_len[d->n_cookies++] = (uint16_t)len;
		*state = 9;
		return 0;
	}
	(*state)++;
	return 0;
}

int
nts_dump_parse(const char *text, size_t len, struct nts_dump *d, int *line)
{
	char		 buf[LINE_MAX_LEN + 1], *sp;
	const char	*p = text, *end = text + len, *nl;
	int		 state = 0, rc = 0;

	memset(d, 0, sizeof(*d));
	d->port = -1;
	*line = 0;
	if (len > NTS_DUMP_FILE_MAX)
		return -1;
	while (p < end && rc == 0) {
		(*line)++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    (size_t)(nl - p) > LINE_MAX_LEN) {
			rc = -1;
			break;
		}
		memcpy(buf, p, (size_t)(nl - p));
		buf[nl - p] = '\0';
		p = nl + 1;
		if (*line == 1) {
			rc = strcmp(buf, MAGIC) == 0 ? 0 : -1;
			continue;
		}
		if ((sp = strchr(buf, ' ')) == NULL || sp[1] == '\0') {
			rc = -1;
			break;
		}
		*sp = '\0';
		rc = field(d, &state, buf, sp + 1);
	}
	explicit_bzero(buf, sizeof(buf));
	if (rc == 0 && (state != 9 || nts_dump_check(d) != NULL)) {
		*line = 0;
		rc = -1;
	}
	if (rc == -1)
		explicit_bzero(d, sizeof(*d));
	return rc;
}
