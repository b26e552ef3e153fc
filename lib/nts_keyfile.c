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
 * The NTS master key file (lib/nts.h): its text, written and parsed.
 * Apart from the cookies' OpenSSL code, so that the monitor, which keeps
 * the file, links no OpenSSL.  Pure: no I/O, no clock, no globals.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nts.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define KF_MAGIC	"timed-nts-keys 1\n"

static size_t
hex(char *out, const uint8_t *b, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	return 2 * n;
}

/* Append to buf at *off; 0 if it does not fit (with its NUL). */
static int
append(char *buf, size_t size, size_t *off, const char *s, size_t n)
{
	if (*off >= size || size - *off <= n)
		return 0;
	memcpy(buf + *off, s, n);
	*off += n;
	buf[*off] = '\0';
	return 1;
}

static int
put_seed(const struct nts_keyfile *kf, char *buf, size_t size, size_t *off)
{
	char	 line[16 + 2 * NTS_SEED_MAX];
	size_t	 n;
	int	 ok;

	if (kf->seedlen < NTS_SEED_MIN || kf->seedlen > NTS_SEED_MAX ||
	    kf->interval_s == 0 || kf->n_keys != 0)
		return 0;
	memcpy(line, "seed ", 5);
	n = 5 + hex(line + 5, kf->seed, kf->seedlen);
	line[n++] = '\n';
	ok = append(buf, size, off, line, n);
	explicit_bzero(line, sizeof(line));
	if (!ok)
		return 0;
	n = (size_t)snprintf(line, sizeof(line), "interval %u\n",
	    (unsigned int)kf->interval_s);
	return append(buf, size, off, line, n);
}

static int
put_key(uint32_t id, const uint8_t *key, char *buf, size_t size,
    size_t *off)
{
	char	 line[16 + 2 * NTS_MASTER_KEY_LEN];
	uint8_t	 idb[4];
	size_t	 n = 4;
	int	 ok;

	memcpy(line, "key ", 4);
	put32(idb, id);
	n += hex(line + n, idb, sizeof(idb));
	line[n++] = ' ';
	n += hex(line + n, key, NTS_MASTER_KEY_LEN);
	line[n++] = '\n';
	ok = append(buf, size, off, line, n);
	explicit_bzero(line, sizeof(line));
	return ok;
}

size_t
nts_keyfile_write(const struct nts_keyfile *kf, char *buf, size_t size)
{
	size_t	 off = 0;
	int	 i;

	if (!append(buf, size, &off, KF_MAGIC, sizeof(KF_MAGIC) - 1))
		return 0;
	if (kf->has_seed)
		return put_seed(kf, buf, size, &off) ? off : 0;
	if (kf->n_keys < 1 || kf->n_keys > NTS_KEYRING_SIZE)
		return 0;
	for (i = 0; i < kf->n_keys; i++)
		if (!put_key(kf->id[i], kf->key[i], buf, size, &off)) {
			explicit_bzero(buf, size);
			return 0;
		}
	return off;
}

/* Exactly 2 * n lowercase hex digits at s. */
static int
unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	size_t	 i;
	int	 v, d;

	if (slen != 2 * n)
		return -1;
	for (i = 0; i < 2 * n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else
			return -1;
		v = i % 2 == 0 ? d << 4 : (out[i / 2] | d);
		out[i / 2] = (uint8_t)v;
	}
	return 0;
}

/* 1 to 4294967295, decimal, no sign, no leading zero. */
static int
parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (n == 0 || n > 10 || s[0] == '0')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 0xffffffffULL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
kf_line(struct nts_keyfile *kf, const char *s, size_t n)
{
	uint8_t	 idb[4];
	int	 i;

	if (n > 5 && memcmp(s, "seed ", 5) == 0) {
		if (kf->has_seed || kf->n_keys > 0 || (n - 5) % 2 != 0 ||
		    (n - 5) / 2 < NTS_SEED_MIN || (n - 5) / 2 > NTS_SEED_MAX)
			return -1;
		kf->seedlen = (n - 5) / 2;
		kf->has_seed = 1;
		return unhex(s + 5, n - 5, kf->seed, kf->seedlen);
	}
	if (n > 9 && memcmp(s, "interval ", 9) == 0) {
		/* after the seed: one way to write a file, one to read it */
		if (!kf->has_seed || kf->interval_s != 0)
			return -1;
		return parse_u32(s + 9, n - 9, &kf->interval_s);
	}
	if (n == 4 + 8 + 1 + 2 * NTS_MASTER_KEY_LEN &&
	    memcmp(s, "key ", 4) == 0 && s[12] == ' ') {
		if (kf->has_seed || kf->n_keys == NTS_KEYRING_SIZE ||
		    unhex(s + 4, 8, idb, 4) == -1 ||
		    unhex(s + 13, 2 * NTS_MASTER_KEY_LEN,
		    kf->key[kf->n_keys], NTS_MASTER_KEY_LEN) == -1)
			return -1;
		kf->id[kf->n_keys] = get32(idb);
		for (i = 0; i < kf->n_keys; i++)
			if (kf->id[i] == kf->id[kf->n_keys])
				return -1;
		kf->n_keys++;
		return 0;
	}
	return -1;
}

int
nts_keyfile_parse(const char *buf, size_t len, struct nts_keyfile *kf,
    int *line)
{
	const char	*nl;
	size_t		 off, n;

	memset(kf, 0, sizeof(*kf));
	*line = 1;
	if (len > NTS_KEYFILE_MAX || len < sizeof(KF_MAGIC) - 1 ||
	    memcmp(buf, KF_MAGIC, sizeof(KF_MAGIC) - 1) != 0)
		goto bad;
	for (off = sizeof(KF_MAGIC) - 1; off < len; off += n + 1) {
		(*line)++;
		if ((nl = memchr(buf + off, '\n', len - off)) == NULL)
			goto bad;
		n = (size_t)(nl - (buf + off));
		if (kf_line(kf, buf + off, n) == -1)
			goto bad;
	}
	*line = 0;
	if (kf->has_seed ? kf->interval_s == 0 :
	    (kf->n_keys == 0 || kf->interval_s != 0))
		goto bad;
	return 0;
 bad:
	explicit_bzero(kf, sizeof(*kf));
	return -1;
}
