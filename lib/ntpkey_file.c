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
 * NTP symmetric keys: a chrony keyfile parser and the table of its keys,
 * without OpenSSL (lib/ntpkey.c adds the MACs).  Pure: no I/O, no clock,
 * no globals; allocation only in ntpkeys_read().
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ntpkey_int.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define LINE_LEN	1024		/* longest line, newline excluded */
#define MAX_KEYS	(1 << 20)	/* keeps counts well inside an int */

/* Where the parser is, for its messages. */
struct pos {
	const char	*name;
	unsigned long	 line;
	char		*err;
	size_t		 errlen;
};

static const struct {
	const char	*name;
	int		 type;
	const char	*alg;		/* OpenSSL's digest, or CMAC's cipher */
	size_t		 keylen;	/* 0: any */
} types[] = {
	{ "MD5",	NTPKEY_MD5,	"MD5",		0 },
	{ "SHA1",	NTPKEY_SHA1,	"SHA1",		0 },
	{ "SHA256",	NTPKEY_SHA256,	"SHA256",	0 },
	{ "SHA384",	NTPKEY_SHA384,	"SHA384",	0 },
	{ "SHA512",	NTPKEY_SHA512,	"SHA512",	0 },
	{ "AES128",	NTPKEY_AES128,	"AES-128-CBC",	16 },
	{ "AES256",	NTPKEY_AES256,	"AES-256-CBC",	32 },
};

/* chrony knows these; we do not. */
static const char *const unsupported[] = {
	"SHA3-224", "SHA3-256", "SHA3-384", "SHA3-512",
	"RMD128", "RMD160", "RMD256", "RMD320", "TIGER", "WHIRLPOOL",
};

static int __attribute__((format(printf, 2, 3)))
fail(const struct pos *p, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (p->err == NULL || p->errlen == 0)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%lu: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t
mix(uint32_t id)
{
	id ^= id >> 16;
	id *= 0x45d9f3bU;
	id ^= id >> 16;
	return id;
}

struct key *
ntpkeys_find(const struct ntpkeys *t, uint32_t id)
{
	uint32_t	 i, mask;

	if (t == NULL || t->cap == 0)
		return NULL;
	mask = 2 * (uint32_t)t->cap - 1;
	for (i = mix(id) & mask; t->slot[i] != 0; i = (i + 1) & mask)
		if (t->keys[t->slot[i] - 1].id == id)
			return &t->keys[t->slot[i] - 1];
	return NULL;
}

static void
place(struct ntpkeys *t, int idx)
{
	uint32_t	 i, mask = 2 * (uint32_t)t->cap - 1;

	for (i = mix(t->keys[idx].id) & mask; t->slot[i] != 0;
	    i = (i + 1) & mask)
		;
	t->slot[i] = (uint32_t)idx + 1;
}

/*
 * Room for one more key.  The keys are copied and the old array wiped:
 * realloc() would leave them behind in freed memory.
 */
static int
grow(struct ntpkeys *t)
{
	struct key	*k;
	uint32_t	*s;
	int		 cap, i;

	if (t->nkeys < t->cap)
		return 0;
	cap = t->cap == 0 ? 16 : 2 * t->cap;
	if ((k = calloc(cap, sizeof(*k))) == NULL)
		return -1;
	if ((s = calloc(2 * (size_t)cap, sizeof(*s))) == NULL) {
		free(k);
		return -1;
	}
	if (t->nkeys > 0)
		memcpy(k, t->keys, t->nkeys * sizeof(*k));
	if (t->keys != NULL) {
		explicit_bzero(t->keys, t->cap * sizeof(*t->keys));
		free(t->keys);
	}
	free(t->slot);
	t->keys = k;
	t->slot = s;
	t->cap = cap;
	for (i = 0; i < t->nkeys; i++)
		place(t, i);
	return 0;
}

/* Decimal, 1 to 4294967295, digits only. */
static int
parse_id(const char *s, uint32_t *id)
{
	uint64_t	 v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* An index into types[], or -1. */
static int
parse_type(const struct pos *p, const char *s)
{
	size_t	 i;

	for (i = 0; i < NELEM(types); i++)
		if (strcasecmp(s, types[i].name) == 0)
			return (int)i;
	for (i = 0; i < NELEM(unsupported); i++)
		if (strcasecmp(s, unsupported[i]) == 0)
			return fail(p, "unsupported key type %.32s", s);
	return fail(p, "unknown key type %.32s", s);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "HEX:" and hex digits, "ASCII:" and text, or text alone (as chrony). */
static int
parse_key(const struct pos *p, const char *s, struct key *k)
{
	size_t	 n, i;
	int	 hi, lo;

	if (strncmp(s, "HEX:", 4) == 0) {
		s += 4;
		n = strlen(s);
		if (n % 2 != 0)
			return fail(p, "odd number of hex digits");
		if (n / 2 > NTPKEY_MAX_KEY)
			return fail(p, "key longer than %d bytes",
			    NTPKEY_MAX_KEY);
		for (i = 0; i < n / 2; i++) {
			if ((hi = hexval(s[2 * i])) == -1 ||
			    (lo = hexval(s[2 * i + 1])) == -1)
				return fail(p, "bad hex key");
			k->val[i] = (uint8_t)(hi << 4 | lo);
		}
		k->len = n / 2;
	} else {
		if (strncmp(s, "ASCII:", 6) == 0)
			s += 6;
		n = strlen(s);
		if (n > NTPKEY_MAX_KEY)
			return fail(p, "key longer than %d bytes",
			    NTPKEY_MAX_KEY);
		memcpy(k->val, s, n);
		k->len = n;
	}
	if (k->len == 0)
		return fail(p, "empty key");
	return 0;
}

static int
add(struct ntpkeys *t, const struct pos *p, struct key *k, int ti)
{
	if (ntpkeys_find(t, k->id) != NULL)
		return fail(p, "key %lu given twice", (unsigned long)k->id);
	if (types[ti].keylen != 0 && k->len != types[ti].keylen)
		return fail(p, "%s key must be %zu bytes", types[ti].name,
		    types[ti].keylen);
	if (t->nkeys == MAX_KEYS)
		return fail(p, "more than %d keys", MAX_KEYS);
	if (grow(t) == -1)
		return fail(p, "out of memory");
	k->line = p->line;
	t->keys[t->nkeys] = *k;
	place(t, t->nkeys);
	t->nkeys++;
	return 0;
}

/* Split line into fields; how many, or max + 1 if there are more. */
static int
split(char *line, char **f, int max)
{
	char	*s = line;
	int	 n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return n;
		if (n == max)
			return n + 1;
		f[n++] = s;
		s += strcspn(s, " \t");
		if (*s != '\0')
			*s++ = '\0';
	}
}

/* One line, NUL-terminated: "ID [TYPE] KEY", a comment or blank. */
static int
parse_line(struct ntpkeys *t, const struct pos *p, char *line)
{
	struct key	 k;
	char		*f[3];
	int		 n, ti = 0, rc;

	n = split(line, f, 3);
	if (n == 0 || f[0][0] == '#')
		return 0;
	if (n > 3)
		return fail(p, "too many fields");
	memset(&k, 0, sizeof(k));
	if (parse_id(f[0], &k.id) == -1)
		return fail(p, "bad key id");
	if (n == 1)
		return fail(p, "missing key");
	if (n == 3 && (ti = parse_type(p, f[1])) == -1)
		return -1;
	k.type = types[ti].type;
	if ((rc = parse_key(p, f[n - 1], &k)) == 0)
		rc = add(t, p, &k, ti);
	explicit_bzero(&k, sizeof(k));
	return rc;
}

/* s[0..n) is a line without its newline; copied into line to be cut up. */
static int
parse_raw(struct ntpkeys *t, const struct pos *p, const char *s, size_t n)
{
	char	 line[LINE_LEN + 1];
	int	 rc;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > LINE_LEN)
		return fail(p, "line longer than %d characters", LINE_LEN);
	if (memchr(s, '\0', n) != NULL)
		return fail(p, "NUL character");
	memcpy(line, s, n);
	line[n] = '\0';
	rc = parse_line(t, p, line);
	explicit_bzero(line, n);
	return rc;
}

struct ntpkeys *
ntpkeys_read(const char *text, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct ntpkeys	*t;
	struct pos	 p;
	const char	*s, *nl;
	size_t		 off, n;

	p.name = name != NULL ? name : "keyfile";
	p.line = 0;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		fail(&p, "out of memory");
		return NULL;
	}
	for (off = 0; off < len; off += n + 1) {
		p.line++;
		s = text + off;
		if ((nl = memchr(s, '\n', len - off)) != NULL)
			n = nl - s;
		else
			n = len - off;
		if (parse_raw(t, &p, s, n) == -1) {
			ntpkeys_free(t);
			return NULL;
		}
	}
	return t;
}

void
ntpkeys_free(struct ntpkeys *t)
{

	if (t == NULL)
		return;
	if (t->release != NULL)
		t->release(t);
	if (t->keys != NULL) {
		explicit_bzero(t->keys, t->cap * sizeof(*t->keys));
		free(t->keys);
	}
	free(t->slot);
	free(t);
}

int
ntpkeys_count(const struct ntpkeys *t)
{
	return t != NULL ? t->nkeys : 0;
}

int
ntpkeys_known(const struct ntpkeys *t, uint32_t id)
{
	return ntpkeys_find(t, id) != NULL;
}

int
ntpkeys_info(const struct ntpkeys *t, uint32_t id, int *type, int *bits)
{
	const struct key	*k;

	if ((k = ntpkeys_find(t, id)) == NULL)
		return -1;
	if (type != NULL)
		*type = k->type;
	if (bits != NULL)
		*bits = (int)k->len * 8;
	return 0;
}

const char *
ntpkey_type_name(int type)
{
	size_t	 i;

	for (i = 0; i < NELEM(types); i++)
		if (types[i].type == type)
			return types[i].name;
	return "?";
}

const char *
ntpkey_alg(int type)
{
	size_t	 i;

	for (i = 0; i < NELEM(types); i++)
		if (types[i].type == type)
			return types[i].alg;
	return NULL;
}
