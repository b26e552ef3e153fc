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
 * The pure core of the configuration parser: one line in, the struct
 * updated or one diagnostic out.  No file I/O, no clock, no globals
 * other than constant tables.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "fbdrift.h"
#include "lim.h"


#define CONF_MAX_ARGS		64
#define CONF_MAX_FREQ_PPM	LIM_MAX_FREQ_PPM	/* the clocks' range */
#define CONF_MAX_OFFSET_S	(86400.0 * 366 * 100)

/* One line being parsed. */
struct pctx {
	struct conf		*c;
	const char		*dir;		/* directive name */
	char			**av;		/* its arguments */
	int			 ac;
	const struct directive	*d;
	enum conf_action	*act;
	char			*arg;
	size_t			 arglen;
	struct conf_diag	*diag;
	int			 warned;
	int			 diag_full;	/* no room for more warnings */
	int			 sources_only;	/* a sourcedir file */
};

struct directive {
	const char	*name;
	int		(*fn)(struct pctx *);
	size_t		 off;		/* field for the generic handlers */
	double		 lo, hi;	/* range for the generic handlers */
};

enum srcopt_kind {
	SO_FLAG,	/* int = 1 */
	SO_SET,		/* int = lo */
	SO_INT,		/* int, clamped to lo..hi */
	SO_POLL,	/* int, chronyd's rules for minpoll and maxpoll */
	SO_U16,		/* uint16_t, clamped to lo..hi */
	SO_U32,		/* uint32_t in lo..hi */
	SO_DBL,		/* double, clamped to lo..hi */
	SO_POOL,	/* int, clamped to lo..hi, pool only */
	SO_EF		/* extfield: F323, the one chronyd 4.3 knows */
};

struct srcopt {
	const char		*name;
	enum srcopt_kind	 kind;
	int			 nargs;
	size_t			 off;
	double			 lo, hi;
};

#define SRC(f)	offsetof(struct conf_source, f)
#define CNF(f)	offsetof(struct conf, f)

/* Polls: chronyd's range, and what it makes of a value outside it. */
#define POLL_MIN		(-7)
#define POLL_MAX		24
#define POLL_MIN_DEFAULT	6
#define POLL_MAX_DEFAULT	10

static const struct srcopt srcopts[] = {
	{ "iburst",		SO_FLAG,	0, SRC(iburst), 0, 0 },
	{ "burst",		SO_FLAG,	0, SRC(burst), 0, 0 },
	{ "prefer",		SO_FLAG,	0, SRC(prefer), 0, 0 },
	{ "noselect",		SO_FLAG,	0, SRC(noselect), 0, 0 },
	{ "trust",		SO_FLAG,	0, SRC(trust), 0, 0 },
	{ "require",		SO_FLAG,	0, SRC(require), 0, 0 },
	{ "nts",		SO_FLAG,	0, SRC(nts), 0, 0 },
	{ "xleave",		SO_FLAG,	0, SRC(xleave), 0, 0 },
	{ "minpoll",		SO_POLL,	1, SRC(minpoll), INT_MIN,
	    INT_MAX },
	{ "maxpoll",		SO_POLL,	1, SRC(maxpoll), INT_MIN,
	    INT_MAX },
	{ "certset",		SO_INT,		1, SRC(certset), 0, INT_MAX },
	{ "port",		SO_U16,		1, SRC(port), 1, 65535 },
	{ "ntsport",		SO_U16,		1, SRC(ntsport), 1, 65535 },
	{ "key",		SO_U32,		1, SRC(key), 1, 4294967295.0 },
	{ "maxdelay",		SO_DBL,		1, SRC(maxdelay_s), 0, 1000 },
	{ "polltarget",		SO_INT,		1, SRC(polltarget), 1, 60 },
	{ "maxsources",		SO_POOL,	1, SRC(maxsources), 1, 16 },
	{ "offline",		SO_FLAG,	0, SRC(offline), 0, 0 },
	{ "auto_offline",	SO_FLAG,	0, SRC(auto_offline), 0, 0 },
	{ "copy",		SO_FLAG,	0, SRC(copy), 0, 0 },
	{ "ipv4",		SO_SET,		0, SRC(family), 4, 0 },
	{ "ipv6",		SO_SET,		0, SRC(family), 6, 0 },
	{ "presend",		SO_INT,		1, SRC(presend), -7, 25 },
	{ "minstratum",		SO_INT,		1, SRC(minstratum), 0, 15 },
	{ "version",		SO_INT,		1, SRC(version), 1, 4 },
	{ "filter",		SO_INT,		1, SRC(filter), 0, 256 },
	{ "maxdelayratio",	SO_DBL,		1, SRC(maxdelayratio), 0, 1e6 },
	{ "maxdelaydevratio",	SO_DBL,		1, SRC(maxdelaydevratio), 0,
	    1e6 },
	{ "maxdelayquant",	SO_DBL,		1, SRC(maxdelayquant), 0, 1 },
	{ "mindelay",		SO_DBL,		1, SRC(mindelay_s), 0, 1000 },
	{ "asymmetry",		SO_DBL,		1, SRC(asymmetry), -1e6, 1e6 },
	{ "offset",		SO_DBL,		1, SRC(offset_s), -1e6, 1e6 },
	{ "extfield",		SO_EF,		1, SRC(exp1), 0, 0 },
	{ "minsamples",		SO_INT,		1, SRC(minsamples), 0, 128 },
	{ "maxsamples",		SO_INT,		1, SRC(maxsamples), 0, 128 },
	{ NULL,			SO_FLAG,	0, 0, 0, 0 }
};

static const char *const log_names[] = {
	"measurements", "statistics", "tracking", "rtc", "refclocks",
	"tempcomp", "rawmeasurements", "selection", NULL
};

/* Diagnostics */

static int __attribute__((format(printf, 2, 3)))
err(struct pctx *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(p->diag->msg, sizeof(p->diag->msg), fmt, ap);
	va_end(ap);
	p->diag->is_error = 1;
	return -1;
}

/*
 * Warnings of one line, one a line: the shell prints each as a line of
 * its own.  CONF_MAX_DIAG holds them all; should a line ever need more,
 * the last ones are dropped whole and the last line says so.
 */
static void __attribute__((format(printf, 2, 3)))
warn(struct pctx *p, const char *fmt, ...)
{
	static const char	 more[] = "\n(more warnings not shown)";
	char			*msg = p->diag->msg;
	size_t			 len = p->warned ? strlen(msg) : 0;
	size_t			 room = sizeof(p->diag->msg) - sizeof(more);
	va_list			 ap;
	int			 n;

	if (p->diag_full)
		return;
	if (p->warned && len < room)
		msg[len++] = '\n';
	va_start(ap, fmt);
	n = len < room ? vsnprintf(msg + len, room - len, fmt, ap) : -1;
	va_end(ap);
	if (n < 0 || (size_t)n >= room - len) {
		len = len > 0 ? len - 1 : 0;
		memcpy(msg + len, more, sizeof(more));
		p->diag_full = 1;
	}
	p->diag->is_error = 0;
	p->warned = 1;
}

/* Values */

/*
 * How a number is read.  chronyd reads numbers with sscanf(): what
 * follows the last number of most directives is ignored (NUM_TAIL), and
 * most values out of range are taken and clamped later (NUM_CLAMP).
 * timed does the same, with a warning; without the flag each is an
 * error, as in chronyd where it refuses them.
 */
#define NUM_CLAMP	0x1	/* out of lo..hi: the nearest end, warned */
#define NUM_TAIL	0x2	/* junk after the number: ignored, warned */
#define NUM_LAX		(NUM_CLAMP | NUM_TAIL)

static int
get_ll(struct pctx *p, const char *name, const char *s, double lo, double hi,
    int flags, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || (*end != '\0' && !(flags & NUM_TAIL)))
		return err(p, "%s: bad number '%s'", name, s);
	if (*end != '\0')
		warn(p, "%s: '%s' read as %lld, as chronyd reads it", name, s,
		    v);
	if (errno != ERANGE && (double)v >= lo && (double)v <= hi) {
		*out = v;
		return 0;
	}
	if (!(flags & NUM_CLAMP))
		return err(p, "%s: '%s' out of range %.0f..%.0f", name, s,
		    lo, hi);
	*out = (long long)((double)v < lo ? lo : hi);
	warn(p, "%s: '%s' out of range %.0f..%.0f; %lld used", name, s, lo,
	    hi, *out);
	return 0;
}

static int
get_int(struct pctx *p, const char *name, const char *s, double lo,
    double hi, int flags, int *out)
{
	long long	 v;

	if (get_ll(p, name, s, lo, hi, flags, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* NaN is refused whatever the flags: no range holds it. */
static int
get_double(struct pctx *p, const char *name, const char *s, double lo,
    double hi, int flags, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || (*end != '\0' && !(flags & NUM_TAIL)) || isnan(v))
		return err(p, "%s: bad number '%s'", name, s);
	if (*end != '\0')
		warn(p, "%s: '%s' read as %.15g, as chronyd reads it", name, s,
		    v);
	if (errno == ERANGE && fabs(v) < 1.0)
		v = 0.0;		/* underflow */
	if (v >= lo && v <= hi) {
		*out = v;
		return 0;
	}
	if (!(flags & NUM_CLAMP))
		return err(p, "%s: '%s' out of range %.15g..%.15g", name, s,
		    lo, hi);
	*out = v < lo ? lo : hi;
	warn(p, "%s: '%s' out of range %.15g..%.15g; %.15g used", name, s, lo,
	    hi, *out);
	return 0;
}

/* The directive takes min..max arguments. */
static int
nargs(struct pctx *p, int min, int max)
{
	if (p->ac < min)
		return err(p, "%s: missing argument", p->dir);
	if (p->ac > max)
		return err(p, "%s: unexpected '%s'", p->dir, p->av[max]);
	return 0;
}

/*
 * A name or path kept: at most CONF_MAX_ARG characters, so that the
 * configuration printed for the engine (conf_print) reads back.
 */
static int
too_long(struct pctx *p, const char *s)
{
	if (strlen(s) <= CONF_MAX_ARG)
		return 0;
	return err(p, "%s: argument longer than %d characters", p->dir,
	    CONF_MAX_ARG);
}

static int
set_str(struct pctx *p, char **dst, const char *s)
{
	char	*n;

	if (too_long(p, s) == -1)
		return -1;
	if ((n = strdup(s)) == NULL)
		return err(p, "%s: out of memory", p->dir);
	free(*dst);
	*dst = n;
	return 0;
}

static int
add_str(struct pctx *p, struct conf_str **list, int id, const char *s)
{
	struct conf_str	*n;

	if (too_long(p, s) == -1)
		return -1;
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->s = strdup(s)) == NULL) {
		free(n);
		return err(p, "%s: out of memory", p->dir);
	}
	n->id = id;
	while (*list != NULL)
		list = &(*list)->next;
	*list = n;
	return 0;
}

static void *
field(struct pctx *p)
{
	return (char *)p->c + p->d->off;
}

/* Generic handlers: the field and range come from the table. */

static int
d_flag(struct pctx *p)
{
	if (nargs(p, 0, 0) == -1)
		return -1;
	*(int *)field(p) = 1;
	return 0;
}

static int
d_int(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	return get_int(p, p->dir, p->av[0], p->d->lo, p->d->hi, NUM_LAX,
	    field(p));
}

static int
d_long(struct pctx *p)
{
	long long	 v;

	if (nargs(p, 1, 1) == -1 ||
	    get_ll(p, p->dir, p->av[0], p->d->lo, p->d->hi, NUM_LAX,
	    &v) == -1)
		return -1;
	*(long *)field(p) = (long)v;
	return 0;
}

static int
d_double(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	return get_double(p, p->dir, p->av[0], p->d->lo, p->d->hi, NUM_LAX,
	    field(p));
}

static int
d_string(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	return set_str(p, field(p), p->av[0]);
}

static int
d_strlist(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	return add_str(p, field(p), 0, p->av[0]);
}

static int
d_unimpl(struct pctx *p)
{
	if (nargs(p, (int)p->d->lo, (int)p->d->hi) == -1)
		return -1;
	/* tempcomp: a file, an interval and 4 numbers, or a points file */
	if (strcasecmp(p->dir, "tempcomp") == 0 && p->ac != 3 && p->ac != 6)
		return err(p, "tempcomp: %d arguments (3 or 6 expected)",
		    p->ac);
	warn(p, "chrony directive '%s' is not implemented by timed; ignored",
	    p->dir);
	return 0;
}

/* Sources */

static int
srcopt_set(struct pctx *p, const struct srcopt *o, struct conf_source *s,
    const char *v)
{
	void		*f = (char *)s + o->off;
	long long	 ll;

	switch (o->kind) {
	case SO_FLAG:
		*(int *)f = 1;
		return 0;
	case SO_EF:
		if (strcasecmp(v, "F323") != 0)
			return err(p, "extfield: unknown field '%s'", v);
		*(int *)f = 1;
		return 0;
	case SO_SET:
		*(int *)f = (int)o->lo;
		return 0;
	case SO_INT:
	case SO_POLL:
	case SO_POOL:
		return get_int(p, o->name, v, o->lo, o->hi, NUM_CLAMP, f);
	case SO_DBL:
		return get_double(p, o->name, v, o->lo, o->hi, NUM_CLAMP, f);
	case SO_U16:
		if (get_ll(p, o->name, v, o->lo, o->hi, NUM_CLAMP, &ll) == -1)
			return -1;
		*(uint16_t *)f = (uint16_t)ll;
		return 0;
	case SO_U32:
		if (get_ll(p, o->name, v, o->lo, o->hi, 0, &ll) == -1)
			return -1;
		*(uint32_t *)f = (uint32_t)ll;
		return 0;
	default:
		return 0;
	}
}

static const struct srcopt *
srcopt_find(const char *name)
{
	const struct srcopt	*o;

	/* chronyd takes option names in any case, as directives */
	for (o = srcopts; o->name != NULL; o++)
		if (strcasecmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* One poll out of chronyd's range: what chronyd makes of it. */
static void
fix_poll(struct pctx *p, const char *name, int *poll, int dflt)
{
	if (*poll >= POLL_MIN && *poll <= POLL_MAX)
		return;
	warn(p, "%s: %d out of range %d..%d; %d used, as chronyd does", name,
	    *poll, POLL_MIN, POLL_MAX, *poll < POLL_MIN ? dflt : POLL_MAX);
	*poll = *poll < POLL_MIN ? dflt : POLL_MAX;
}

/* What chronyd 4.3 makes of options that do not go together. */
static void
fix_source(struct pctx *p, struct conf_source *s)
{
	fix_poll(p, "minpoll", &s->minpoll, POLL_MIN_DEFAULT);
	fix_poll(p, "maxpoll", &s->maxpoll, POLL_MAX_DEFAULT);
	if (s->maxpoll < s->minpoll) {
		warn(p, "%s %s: maxpoll %d is less than minpoll %d; maxpoll "
		    "%d used, as chronyd does", p->dir, s->name, s->maxpoll,
		    s->minpoll, s->minpoll);
		s->maxpoll = s->minpoll;
	}
	if (s->exp1 && (s->nts || s->key != 0)) {
		warn(p, "%s %s: extfield F323 is carried by timed in plain "
		    "packets only, not with nts or key; ignored", p->dir,
		    s->name);
		s->exp1 = 0;
	}
	/* one way to authenticate a source: chronyd's NTS wins */
	if (s->nts && s->key != 0) {
		warn(p, "%s: options 'key' and 'nts' together: key %u ignored, "
		    "NTS authenticates, as chronyd does", p->dir,
		    (unsigned)s->key);
		s->key = 0;
	}
}

/* Options from av[1] on; returns -1 on error. */
static int
source_options(struct pctx *p, struct conf_source *s)
{
	const struct srcopt	*o;
	const char		*v;
	int			 i;

	for (i = 1; i < p->ac; i += 1 + o->nargs) {
		if ((o = srcopt_find(p->av[i])) == NULL)
			return err(p, "%s: unknown option '%s'", p->dir,
			    p->av[i]);
		if (i + o->nargs >= p->ac && o->nargs > 0)
			return err(p, "%s: missing argument", o->name);
		v = o->nargs > 0 ? p->av[i + 1] : NULL;
		if (o->kind == SO_POOL && s->type != CONF_SRC_POOL)
			warn(p, "%s: option '%s' is only meaningful for "
			    "pool; ignored", p->dir, o->name);
		else if (srcopt_set(p, o, s, v) == -1)
			return -1;
	}
	fix_source(p, s);
	return 0;
}

static struct conf_source *
source_new(enum conf_src_type type)
{
	struct conf_source	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->type = type;
	s->port = 123;
	s->minpoll = 6;
	s->maxpoll = 10;
	s->ntsport = 4460;
	s->maxdelay_s = 3.0;
	s->maxdelaydevratio = CONF_MAXDELAYDEVRATIO;
	s->presend = CONF_PRESEND_NONE;
	s->asymmetry = CONF_ASYMMETRY_ESTIMATED;
	s->polltarget = CONF_POLLTARGET;
	s->maxsources = 4;
	return s;
}

static void
source_free(struct conf_source *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s);
}

static void
sources_free(struct conf_source *s)
{
	struct conf_source	*next;

	for (; s != NULL; s = next) {
		next = s->next;
		source_free(s);
	}
}

static int
source_parse(struct pctx *p, enum conf_src_type type)
{
	struct conf_source	*s, **tail;

	if (nargs(p, 1, CONF_MAX_ARGS) == -1 || too_long(p, p->av[0]) == -1)
		return -1;
	if ((s = source_new(type)) == NULL ||
	    (s->name = strdup(p->av[0])) == NULL) {
		source_free(s);
		return err(p, "%s: out of memory", p->dir);
	}
	if (source_options(p, s) == -1) {
		source_free(s);
		return -1;
	}
	if (type == CONF_SRC_PEER && p->sources_only) {
		/* the NTP port is opened at start, for the peers then */
		source_free(s);
		warn(p, "peer: timed takes peers from its configuration "
		    "file only, not from a sources file; ignored");
		return 0;
	}
	if (type == CONF_SRC_PEER && s->nts) {
		source_free(s);
		return err(p, "%s: NTS is not possible with peers (chronyd "
		    "does not do it either); use a key", p->dir);
	}
	if (type == CONF_SRC_PEER && s->xleave) {
		warn(p, "%s %s: interleaved symmetric mode is not "
		    "implemented by timed; basic symmetric mode used",
		    p->dir, s->name);
		s->xleave = 0;
	}
	s->sourcedir = p->sources_only;
	for (tail = &p->c->sources; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = s;
	return 0;
}

static int
d_server(struct pctx *p)
{
	return source_parse(p, CONF_SRC_SERVER);
}

/*
 * initstepslew THRESHOLD [HOST]...: at start, the hosts alone, as iburst
 * servers, until they agree; then the clock is stepped by their offset
 * if it is THRESHOLD or more, else slewed, and the configured sources
 * start (timed.8).  As chronyd: a later line replaces an earlier one, no
 * host turns it off.
 */
static int
d_initstepslew(struct pctx *p)
{
	struct conf_source	*s, *list = NULL, **tail = &list;
	double			 thr;
	int			 i;

	if (nargs(p, 1, CONF_MAX_ARGS) == -1 ||
	    get_double(p, p->dir, p->av[0], 0, CONF_MAX_OFFSET_S, NUM_CLAMP,
	    &thr) == -1)
		return -1;
	for (i = 1; i < p->ac; i++) {
		if (too_long(p, p->av[i]) == -1)
			goto fail;
		if ((s = source_new(CONF_SRC_SERVER)) == NULL ||
		    (s->name = strdup(p->av[i])) == NULL) {
			source_free(s);
			err(p, "%s: out of memory", p->dir);
			goto fail;
		}
		s->iburst = 1;
		*tail = s;
		tail = &s->next;
	}
	sources_free(p->c->initstepslew);
	p->c->initstepslew = list;
	p->c->initstepslew_s = thr;
	return 0;
fail:
	sources_free(list);
	return -1;
}

static int
d_pool(struct pctx *p)
{
	return source_parse(p, CONF_SRC_POOL);
}

/* A symmetric active association: the server's options, less NTS. */
static int
d_peer(struct pctx *p)
{
	return source_parse(p, CONF_SRC_PEER);
}

/*
 * refclock DRIVER PARAMETER [option]...: chrony 4.3's drivers PHC, SHM,
 * SOCK and PPS, with its options.  The parameter's own options follow
 * it after colons ("/dev/ptp0:nocrossts", "0:perm=0666").
 */
static const char *const rc_drivers[] = { "PHC", "SHM", "SOCK", "PPS", NULL };

/* A refid: up to 4 characters, as chronyd reads it ("%4s"). */
static int
get_refid(struct pctx *p, const char *name, const char *s, uint32_t *out)
{
	uint8_t	 r[4] = { 0, 0, 0, 0 };
	size_t	 i, n = strlen(s);

	if (n == 0 || n > 4)
		return err(p, "%s: '%s' is not a reference ID of 1 to 4 "
		    "characters", name, s);
	for (i = 0; i < n; i++)
		r[i] = (uint8_t)s[i];
	*out = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
	    (uint32_t)r[2] << 8 | r[3];
	return 0;
}

/* The driver's parameter and its colon options. */
static int
rc_param(struct pctx *p, struct conf_refclock *rc)
{
	char	*opt, *next, *end;
	long	 l;

	if ((rc->param = strdup(p->av[1])) == NULL ||
	    (rc->path = strdup(p->av[1])) == NULL)
		return err(p, "refclock: out of memory");
	if ((next = strchr(rc->path, ':')) != NULL)
		*next++ = '\0';
	if (rc->driver == CONF_RC_SHM) {
		errno = 0;
		l = strtol(rc->path, &end, 10);
		if (end == rc->path || *end != '\0' || l < 0 || l > 255)
			return err(p, "refclock SHM: bad unit '%s' (0..255)",
			    rc->path);
		rc->unit = (int)l;
	} else if (rc->path[0] != '/')
		return err(p, "refclock %s: '%s' is not an absolute path",
		    rc_drivers[rc->driver], rc->path);
	for (; (opt = next) != NULL; ) {
		if ((next = strchr(opt, ':')) != NULL)
			*next++ = '\0';
		if (rc->driver == CONF_RC_SHM && strncmp(opt, "perm=", 5) == 0) {
			errno = 0;
			l = strtol(opt + 5, &end, 8);
			if (end == opt + 5 || *end != '\0' || l < 0 ||
			    l > 0777)
				return err(p, "refclock SHM: bad perm '%s' "
				    "(octal, 0..0777)", opt + 5);
			rc->perm = (uint32_t)l;
		} else if (rc->driver == CONF_RC_PHC &&
		    strcmp(opt, "nocrossts") == 0)
			rc->nocrossts = 1;
		else if ((rc->driver == CONF_RC_PHC ||
		    rc->driver == CONF_RC_PPS) && strcmp(opt, "clear") == 0)
			rc->clear = 1;
		else if (rc->driver == CONF_RC_PHC &&
		    (strcmp(opt, "extpps") == 0 ||
		    strncmp(opt, "pin=", 4) == 0 ||
		    strncmp(opt, "channel=", 8) == 0))
			warn(p, "refclock PHC: option '%s' (an external "
			    "pulse) is not implemented by timed; ignored", opt);
		else
			return err(p, "refclock %s: unknown option '%s'",
			    rc_drivers[rc->driver], opt);
	}
	if (rc->driver == CONF_RC_SHM) {	/* no path: a key */
		free(rc->path);
		rc->path = NULL;
	}
	return 0;
}

/* The options after the parameter: one table, as the sources'. */
enum rc_kind { RC_FLAG, RC_INT, RC_DBL, RC_REFID };

#define RC(f)	offsetof(struct conf_refclock, f)
static const struct rcopt {
	const char	*name;
	enum rc_kind	 kind;
	size_t		 off;
	double		 lo, hi;
} rcopts[] = {
	{ "noselect",		RC_FLAG,	RC(src.noselect), 0, 0 },
	{ "prefer",		RC_FLAG,	RC(src.prefer), 0, 0 },
	{ "trust",		RC_FLAG,	RC(src.trust), 0, 0 },
	{ "require",		RC_FLAG,	RC(src.require), 0, 0 },
	{ "pps",		RC_FLAG,	RC(pps), 0, 0 },
	{ "tai",		RC_FLAG,	RC(tai), 0, 0 },
	{ "poll",		RC_INT,		RC(src.minpoll), -10, 30 },
	{ "dpoll",		RC_INT,		RC(dpoll), -10, 30 },
	{ "filter",		RC_INT,		RC(filter), 1, 256 },
	{ "rate",		RC_INT,		RC(rate), 1, 1000 },
	{ "stratum",		RC_INT,		RC(stratum), 0, 15 },
	{ "maxlockage",		RC_INT,		RC(maxlockage), 1, INT_MAX },
	{ "delay",		RC_DBL,		RC(delay_s), 0, 1e3 },
	{ "offset",		RC_DBL,		RC(offset_s), -1e6, 1e6 },
	{ "precision",		RC_DBL,		RC(precision_s), 0, 1 },
	{ "maxdispersion",	RC_DBL,		RC(maxdispersion_s), 0, 1e3 },
	{ "width",		RC_DBL,		RC(width_s), 0, 1 },
	{ "refid",		RC_REFID,	RC(refid), 0, 0 },
	{ "lock",		RC_REFID,	RC(lock), 0, 0 },
	{ "minsamples",		RC_INT,		RC(src.minsamples), 0, 128 },
	{ "maxsamples",		RC_INT,		RC(src.maxsamples), 0, 128 },
	{ NULL,			RC_FLAG,	0, 0, 0 }
};
#undef RC

static int
rc_options(struct pctx *p, struct conf_refclock *rc)
{
	const struct rcopt	*o;
	const char		*v;
	void			*f;
	int			 i;

	for (i = 2; i < p->ac; i++) {
		for (o = rcopts; o->name != NULL &&
		    strcasecmp(o->name, p->av[i]) != 0; o++)
			;
		if (o->name == NULL)
			return err(p, "refclock: unknown option '%s'",
			    p->av[i]);
		f = (char *)rc + o->off;
		if (o->kind == RC_FLAG) {
			*(int *)f = 1;
			continue;
		}
		if (++i >= p->ac)
			return err(p, "%s: missing argument", o->name);
		v = p->av[i];
		switch (o->kind) {
		case RC_INT:
			if (get_int(p, o->name, v, o->lo, o->hi, 0, f) == -1)
				return -1;
			break;
		case RC_DBL:
			if (get_double(p, o->name, v, o->lo, o->hi, 0, f) ==
			    -1)
				return -1;
			break;
		case RC_REFID:
			if (get_refid(p, o->name, v, f) == -1)
				return -1;
			break;
		case RC_FLAG:
			break;
		}
	}
	return 0;
}

static void
refclock_free(struct conf_refclock *rc)
{
	if (rc == NULL)
		return;
	free(rc->src.name);
	free(rc->param);
	free(rc->path);
	free(rc);
}

static int
d_refclock(struct pctx *p)
{
	struct conf_refclock	*rc, **tail;
	char			 name[5];
	int			 i, n;

	if (nargs(p, 2, CONF_MAX_ARGS) == -1 || too_long(p, p->av[1]) == -1)
		return -1;
	for (i = 0; rc_drivers[i] != NULL &&
	    strcmp(p->av[0], rc_drivers[i]) != 0; i++)
		;
	if (rc_drivers[i] == NULL)
		return err(p, "refclock: unknown driver '%s' (PHC, SHM, SOCK "
		    "or PPS)", p->av[0]);
	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return err(p, "refclock: out of memory");
	for (n = 0, tail = &p->c->refclocks; *tail != NULL;
	    tail = &(*tail)->next)
		n++;
	rc->driver = i;
	rc->index = n;
	rc->src.type = CONF_SRC_REFCLOCK;
	rc->src.minpoll = 4;
	rc->src.polltarget = CONF_POLLTARGET;
	rc->perm = 0600;
	rc->filter = 64;
	rc->rate = 1;
	rc->delay_s = 1e-9;
	rc->maxlockage = 2;
	rc->pps = rc->driver == CONF_RC_PPS;
	if (rc_param(p, rc) == -1 || rc_options(p, rc) == -1) {
		refclock_free(rc);
		return -1;
	}
	rc->src.maxpoll = rc->src.minpoll;
	/* chronyd's: the driver is read no less often than polled */
	if (rc->dpoll > rc->src.minpoll)
		rc->dpoll = rc->src.minpoll;
	if (rc->refid == 0) {
		/* chronyd's: the driver's first 3 letters, the index */
		memcpy(name, rc_drivers[i], 3);	/* each has 3 at least */
		name[3] = (char)('0' + n % 10);
		if (n >= 10)
			name[2] = (char)('0' + n / 10 % 10);
		rc->refid = (uint32_t)(uint8_t)name[0] << 24 |
		    (uint32_t)(uint8_t)name[1] << 16 |
		    (uint32_t)(uint8_t)name[2] << 8 | (uint8_t)name[3];
	}
	for (i = 0; i < 4; i++)
		name[i] = (char)(rc->refid >> (24 - 8 * i));
	name[4] = '\0';
	if ((rc->src.name = strdup(name)) == NULL) {
		refclock_free(rc);
		return err(p, "refclock: out of memory");
	}
	*tail = rc;
	return 0;
}

/* Subnets: chrony's "192.168/16", "10.1.2", "::/0", "2001:db8::/32". */

static int
parse_v4(const char *s, uint8_t *addr, int *noctets)
{
	const char	*q = s;
	char		*end;
	long		 v;
	int		 n = 0;

	for (;;) {
		if (!isdigit((unsigned char)*q) || n == 4)
			return -1;
		v = strtol(q, &end, 10);
		if (end - q > 3 || v > 255)
			return -1;
		addr[n++] = (uint8_t)v;
		if (*end == '\0')
			break;
		if (*end != '.')
			return -1;
		q = end + 1;
	}
	*noctets = n;
	return 0;
}

static void
mask_host_bits(struct conf_subnet *n)
{
	int	 i, len = n->family == AF_INET ? 4 : 16;

	for (i = 0; i < len; i++) {
		if (i * 8 >= n->prefixlen)
			n->addr[i] = 0;
		else if (i * 8 + 8 > n->prefixlen)
			n->addr[i] &= (uint8_t)(0xff << (8 - n->prefixlen % 8));
	}
}

static int
parse_prefix(const char *s, int max, int *out)
{
	char	*end;
	long	 v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_subnet(const char *s, struct conf_subnet *n)
{
	char	 buf[INET6_ADDRSTRLEN + 8], *slash;
	int	 noctets = 4;

	if (strlen(s) >= sizeof(buf))
		return -1;
	memset(n, 0, sizeof(*n));
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (strchr(buf, ':') != NULL) {
		if (inet_pton(AF_INET6, buf, n->addr) != 1)
			return -1;
		n->family = AF_INET6;
		n->prefixlen = 128;
	} else {
		if (parse_v4(buf, n->addr, &noctets) == -1)
			return -1;
		n->family = AF_INET;
		n->prefixlen = noctets * 8;
	}
	if (slash != NULL && parse_prefix(slash,
	    n->family == AF_INET ? 32 : 128, &n->prefixlen) == -1)
		return -1;
	mask_host_bits(n);
	return 0;
}

static int
acl_parse(struct pctx *p, struct conf_acl **list, int allow)
{
	struct conf_acl	 a, *n, **tail;
	int		 i = 0;

	memset(&a, 0, sizeof(a));
	a.allow = allow;
	a.net.family = AF_UNSPEC;
	if (p->ac > 0 && strcmp(p->av[0], "all") == 0)
		a.all = i = 1;
	if (i < p->ac && parse_subnet(p->av[i++], &a.net) == -1)
		return err(p, "%s: bad subnet '%s'", p->dir, p->av[i - 1]);
	if (i < p->ac)
		return err(p, "%s: unexpected '%s'", p->dir, p->av[i]);
	if ((n = malloc(sizeof(*n))) == NULL)
		return err(p, "%s: out of memory", p->dir);
	*n = a;
	for (tail = list; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = n;
	return 0;
}

static int
d_allow(struct pctx *p)
{
	return acl_parse(p, &p->c->acl, 1);
}

static int
d_deny(struct pctx *p)
{
	return acl_parse(p, &p->c->acl, 0);
}

/* ntsonly [all] [SUBNET]: allow's form; those clients get NTS alone. */
static int
d_ntsonly(struct pctx *p)
{
	return acl_parse(p, &p->c->ntsonly, 1);
}

/* Directives with their own syntax */

static int
d_local(struct pctx *p)
{
	int	 i, stratum = 10, orphan = 0;
	double	 dist = 1.0;

	/* chronyd refuses a stratum out of range, takes any distance */
	for (i = 0; i < p->ac; i++) {
		if (strcasecmp(p->av[i], "orphan") == 0)
			orphan = 1;
		else if (strcasecmp(p->av[i], "stratum") != 0 &&
		    strcasecmp(p->av[i], "distance") != 0)
			return err(p, "local: unknown option '%s'", p->av[i]);
		else if (i + 1 >= p->ac)
			return err(p, "%s: missing argument", p->av[i]);
		else if (tolower((unsigned char)p->av[i][0]) == 's' ?
		    get_int(p, "stratum", p->av[++i], 1, 15, 0,
		    &stratum) == -1 :
		    get_double(p, "distance", p->av[++i], 0, 1000, NUM_CLAMP,
		    &dist) == -1)
			return -1;
	}
	p->c->local_set = 1;
	p->c->local_orphan = orphan;
	p->c->local_stratum = stratum;
	p->c->local_distance_s = dist;
	return 0;
}

static int
d_log(struct pctx *p)
{
	int	 i, j, flags = 0;

	/* a bare log logs nothing, in chronyd too */
	if (nargs(p, 0, CONF_MAX_ARGS) == -1)
		return -1;
	for (i = 0; i < p->ac; i++) {
		for (j = 0; log_names[j] != NULL; j++)
			if (strcmp(p->av[i], log_names[j]) == 0)
				break;
		if (log_names[j] == NULL)
			return err(p, "log: unknown option '%s'", p->av[i]);
		flags |= 1 << j;
	}
	/*
	 * rawmeasurements: measurements.log, which already has the samples
	 * the filters refuse (timed.conf(5))
	 */
	if (flags & CONF_LOG_RAWMEASUREMENTS)
		flags |= CONF_LOG_MEASUREMENTS;
	/* timed writes measurements, statistics, tracking and refclocks */
	for (j = 0; log_names[j] != NULL; j++)
		if ((flags & (1 << j)) && !(CONF_LOG_IMPLEMENTED & (1 << j)))
			warn(p, "log: chrony's '%s' log is not implemented by "
			    "timed; ignored", log_names[j]);
	p->c->log_flags |= flags & CONF_LOG_IMPLEMENTED;
	return 0;
}

static int
d_makestep(struct pctx *p)
{
	double	 thr;
	int	 limit;

	/* chronyd's sscanf("%lf %d"): junk may follow the limit only */
	if (nargs(p, 2, 2) == -1 ||
	    get_double(p, p->dir, p->av[0], 0, CONF_MAX_OFFSET_S, NUM_CLAMP,
	    &thr) == -1 ||
	    get_int(p, p->dir, p->av[1], INT_MIN, INT_MAX, NUM_LAX,
	    &limit) == -1)
		return -1;
	p->c->makestep_set = 1;
	p->c->makestep_threshold_s = thr;
	p->c->makestep_limit = limit < 0 ? -1 : limit;
	return 0;
}

/*
 * maxdrift PPM: chrony's, the largest frequency the daemon compensates
 * (the clock's range limits it further: lim.h).  chronyd clamps a value
 * past 500000 ppm quietly; a limit that cannot be what it says is more
 * likely a typing error, so here it is one.
 */
static int
d_maxdrift(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	return get_double(p, p->dir, p->av[0], 0.0, LIM_MAXDRIFT_PPM, 0,
	    &p->c->maxdrift_ppm);
}

/*
 * smoothtime MAXFREQ MAXWANDER [leaponly]: chrony's; the time served is
 * smoothed (lib/smooth.h), MAXWANDER in ppm per second; 0 turns it off,
 * as in chronyd.  leaponly smooths leap seconds alone, and timed's are
 * the kernel's (chronyd's leapsecmode system), which chronyd does not
 * smooth either: then nothing is.
 */
/*
 * leapsecmode system | step | slew | ignore.  step is the kernel's
 * insertion (a step at 23:59:60), which system leaves to the kernel too.
 */
static int
d_leapsecmode(struct pctx *p)
{
	static const struct {
		const char	*name;
		int		 mode;
	} modes[] = {
		{ "system", CONF_LEAP_SYSTEM }, { "step", CONF_LEAP_SYSTEM },
		{ "slew", CONF_LEAP_SLEW }, { "ignore", CONF_LEAP_IGNORE },
	};
	size_t	 i;

	if (nargs(p, 1, 1) == -1)
		return -1;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcasecmp(p->av[0], modes[i].name) == 0)
			break;
	if (i == sizeof(modes) / sizeof(modes[0]))
		return err(p, "leapsecmode: '%s' is not system, step, slew or "
		    "ignore", p->av[0]);
	p->c->leapsecmode = modes[i].mode;
	if (strcasecmp(p->av[0], "step") == 0)
		warn(p, "leapsecmode step: the kernel inserts the leap second "
		    "(a step at 23:59:60), as with system");
	return 0;
}

static int
d_smoothtime(struct pctx *p)
{
	double	 f, w;

	if (nargs(p, 2, 3) == -1 ||
	    get_double(p, p->dir, p->av[0], 0.0, LIM_MAX_FREQ_PPM, NUM_CLAMP,
	    &f) == -1 ||
	    get_double(p, p->dir, p->av[1], 0.0, LIM_MAX_FREQ_PPM, NUM_CLAMP,
	    &w) == -1)
		return -1;
	if (p->ac == 3 && strcasecmp(p->av[2], "leaponly") != 0)
		return err(p, "smoothtime: unexpected '%s'", p->av[2]);
	p->c->smoothtime_set = 1;
	p->c->smooth_max_freq_ppm = f;
	p->c->smooth_max_wander_ppm = w;
	p->c->smooth_leaponly = p->ac == 3;
	return 0;
}

/*
 * fallbackdrift MIN MAX: log2 s; chronyd reads two integers and leaves
 * the averages off unless 0 < MIN <= MAX, which timed says.
 */
static int
d_fallbackdrift(struct pctx *p)
{
	int	 min, max;

	if (nargs(p, 2, 2) == -1 ||
	    get_int(p, p->dir, p->av[0], INT_MIN, INT_MAX, NUM_CLAMP,
	    &min) == -1 ||
	    get_int(p, p->dir, p->av[1], INT_MIN, INT_MAX, NUM_CLAMP,
	    &max) == -1)
		return -1;
	p->c->fallbackdrift_min = p->c->fallbackdrift_max = 0;
	if (min < FBDRIFT_MIN || max < min) {
		warn(p, "fallbackdrift %d %d: off, as in chronyd (0 < min <= "
		    "max)", min, max);
		return 0;
	}
	if (max > FBDRIFT_MAX) {
		warn(p, "fallbackdrift: max %d is more than %d; %d used", max,
		    FBDRIFT_MAX, FBDRIFT_MAX);
		max = FBDRIFT_MAX;
		if (min > max)
			min = max;
	}
	p->c->fallbackdrift_min = min;
	p->c->fallbackdrift_max = max;
	return 0;
}

static int
d_maxchange(struct pctx *p)
{
	double	 off;
	int	 start, ignore;

	/* chronyd's sscanf("%lf %d %d"): junk may follow the last only */
	if (nargs(p, 3, 3) == -1 ||
	    get_double(p, p->dir, p->av[0], 0, CONF_MAX_OFFSET_S, NUM_CLAMP,
	    &off) == -1 ||
	    get_int(p, p->dir, p->av[1], INT_MIN, INT_MAX, NUM_CLAMP,
	    &start) == -1 ||
	    get_int(p, p->dir, p->av[2], -1, INT_MAX, NUM_LAX, &ignore) == -1)
		return -1;
	if (start < 0) {
		/* chronyd's default: the check is off */
		warn(p, "maxchange: a negative start (%d) turns the check off, "
		    "as in chronyd; ignored", start);
		p->c->maxchange_set = 0;
		return 0;
	}
	p->c->maxchange_set = 1;
	p->c->maxchange_offset_s = off;
	p->c->maxchange_start = start;
	p->c->maxchange_ignore = ignore;
	return 0;
}

static int
d_logchange(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1 || get_double(p, p->dir, p->av[0], 0,
	    CONF_MAX_OFFSET_S, NUM_LAX, &p->c->logchange_s) == -1)
		return -1;
	p->c->logchange_set = 1;
	return 0;
}

/*
 * ratelimit and ntsratelimit: [interval N] [burst N] [leak N], clamped
 * to chronyd's limits as chronyd clamps them.
 */
static int
ratelimit(struct pctx *p, int *set, int *interval, int *burst, int *leak)
{
	static const struct {
		const char	*name;
		int		 lo, hi;
	} opts[] = { { "interval", -19, 12 }, { "burst", 1, 255 },
	    { "leak", 0, 4 } };
	int	 i, j, v[3] = { *interval, *burst, *leak };

	for (i = 0; i < p->ac; i += 2) {
		for (j = 0; j < 3; j++)
			if (strcasecmp(p->av[i], opts[j].name) == 0)
				break;
		if (j == 3)
			return err(p, "%s: unknown option '%s'", p->dir,
			    p->av[i]);
		if (i + 1 >= p->ac)
			return err(p, "%s: missing argument", opts[j].name);
		if (get_int(p, opts[j].name, p->av[i + 1], opts[j].lo,
		    opts[j].hi, NUM_CLAMP, &v[j]) == -1)
			return -1;
	}
	*set = 1;
	*interval = v[0];
	*burst = v[1];
	*leak = v[2];
	return 0;
}

static int
d_ratelimit(struct pctx *p)
{
	struct conf	*c = p->c;

	return ratelimit(p, &c->ratelimit_set, &c->ratelimit_interval,
	    &c->ratelimit_burst, &c->ratelimit_leak);
}

static int
d_ntsratelimit(struct pctx *p)
{
	struct conf	*c = p->c;

	return ratelimit(p, &c->ntsratelimit_set, &c->ntsratelimit_interval,
	    &c->ntsratelimit_burst, &c->ntsratelimit_leak);
}

/*
 * hwtimestamp INTERFACE [option]...: checked as chronyd 4.3 checks it
 * (numbers of any value, clamped where they are used), kept in file
 * order.  The monitor sets the interfaces up (monitor/nic.c).
 */
static const char *const hwts_filters[] = {
	"all", "ntp", "ptp", "none", NULL	/* CONF_RXF_ALL... */
};

static int
hwts_option(struct pctx *p, int i, struct conf_hwts *h)
{
	static const char *const ints[] = {
		"minpoll", "minsamples", "maxsamples", NULL
	};
	static const char *const dbls[] = {
		"precision", "rxcomp", "txcomp", NULL
	};
	int		*iv[] = { &h->minpoll, &h->minsamples, &h->maxsamples };
	double		*dv[] = { &h->precision_s, &h->rxcomp_s, &h->txcomp_s };
	const char	*o = p->av[i];
	int		 j;

	if (strcasecmp(o, "nocrossts") == 0) {
		h->nocrossts = 1;
		return 0;
	}
	for (j = 0; ints[j] != NULL && strcasecmp(o, ints[j]) != 0; j++)
		;
	if (ints[j] != NULL)
		return i + 1 >= p->ac ? err(p, "%s: missing argument", o) :
		    get_int(p, o, p->av[i + 1], INT_MIN, INT_MAX, 0,
		    iv[j]) == -1 ? -1 : 1;
	for (j = 0; dbls[j] != NULL && strcasecmp(o, dbls[j]) != 0; j++)
		;
	if (dbls[j] != NULL)
		return i + 1 >= p->ac ? err(p, "%s: missing argument", o) :
		    get_double(p, o, p->av[i + 1], -HUGE_VAL, HUGE_VAL, 0,
		    dv[j]) == -1 ? -1 : 1;
	if (strcasecmp(o, "rxfilter") != 0)
		return err(p, "hwtimestamp: unknown option '%s'", o);
	if (i + 1 >= p->ac)
		return err(p, "%s: missing argument", o);
	for (j = 0; hwts_filters[j] != NULL; j++)
		if (strcasecmp(p->av[i + 1], hwts_filters[j]) == 0) {
			h->rxfilter = CONF_RXF_ALL + j;
			return 1;
		}
	return err(p, "rxfilter: unknown filter '%s'", p->av[i + 1]);
}

static void
hwts_free(struct conf_hwts *h)
{
	struct conf_hwts	*next;

	for (; h != NULL; h = next) {
		next = h->next;
		free(h->name);
		free(h);
	}
}

static int
d_hwtimestamp(struct pctx *p)
{
	struct conf_hwts	*h, **tail;
	int			 i, n;

	if (nargs(p, 1, CONF_MAX_ARGS) == -1 || too_long(p, p->av[0]) == -1)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->name = strdup(p->av[0])) == NULL) {
		free(h);
		return err(p, "%s: out of memory", p->dir);
	}
	h->minpoll = 0;
	h->minsamples = 2;
	h->maxsamples = 16;
	h->precision_s = 100e-9;
	h->rxfilter = CONF_RXF_ANY;
	for (i = 1; i < p->ac; i += 1 + n)
		if ((n = hwts_option(p, i, h)) == -1) {
			hwts_free(h);
			return -1;
		}
	for (tail = &p->c->hwts; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = h;
	return 0;
}

const char *
conf_rxfilter_name(int f)
{
	return f >= CONF_RXF_ALL && f <= CONF_RXF_NONE ?
	    hwts_filters[f - CONF_RXF_ALL] : "any";
}

static int
is_ip(const char *s)
{
	uint8_t	 buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

static int
d_bindaddress(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	if (!is_ip(p->av[0]))
		return err(p, "bindaddress: bad address '%s'", p->av[0]);
	return add_str(p, &p->c->bindaddress, 0, p->av[0]);
}

static int
d_bindcmdaddress(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	if (p->av[0][0] == '/')
		return set_str(p, &p->c->bindcmdaddress, p->av[0]);
	if (!is_ip(p->av[0]))
		return err(p, "bindcmdaddress: bad address '%s'", p->av[0]);
	warn(p, "bindcmdaddress: timed only supports a Unix socket path; "
	    "'%s' ignored", p->av[0]);
	return 0;
}

/* chronyc's protocol on a UNIX datagram socket (monitor/chronycsock.c). */
static int
d_chronycsocket(struct pctx *p)
{
	if (nargs(p, 1, 1) == -1)
		return -1;
	if (p->av[0][0] != '/')
		return err(p, "chronycsocket: '%s' is not an absolute path",
		    p->av[0]);
	if (strlen(p->av[0]) >= CONF_SOCKPATH_MAX)
		return err(p, "chronycsocket: path too long");
	return set_str(p, &p->c->chronycsocket, p->av[0]);
}

/* timectl talks over the Unix socket alone: there is no UDP port. */
static int
d_cmdport(struct pctx *p)
{
	int	 port;

	if (nargs(p, 1, 1) == -1 ||
	    get_int(p, p->dir, p->av[0], 0, 65535, NUM_LAX, &port) == -1)
		return -1;
	if (port != 0)
		warn(p, "cmdport: timed has no UDP command port (timectl uses "
		    "bindcmdaddress's socket); ignored");
	return 0;
}

static int
d_ntstrustedcerts(struct pctx *p)
{
	int	 id = 0;

	if (nargs(p, 1, 2) == -1 || (p->ac == 2 &&
	    get_int(p, p->dir, p->av[0], 0, INT_MAX, NUM_CLAMP, &id) == -1))
		return -1;
	return add_str(p, &p->c->ntstrustedcerts, id, p->av[p->ac - 1]);
}

/* clock kernel | clock virtual [offset SECONDS] [frequency PPM] */
static int
d_clock(struct pctx *p)
{
	double	 v[2] = { 0.0, 0.0 };
	int	 i, kernel;

	if (nargs(p, 1, 5) == -1)
		return -1;
	kernel = strcmp(p->av[0], "kernel") == 0;
	if (!kernel && strcmp(p->av[0], "virtual") != 0)
		return err(p, "clock: unknown clock '%s'", p->av[0]);
	for (i = 1; i < p->ac; i += 2) {
		if (kernel)
			return err(p, "clock: unexpected '%s'", p->av[i]);
		if (strcmp(p->av[i], "offset") != 0 &&
		    strcmp(p->av[i], "frequency") != 0)
			return err(p, "clock: unknown option '%s'", p->av[i]);
		if (i + 1 >= p->ac)
			return err(p, "%s: missing argument", p->av[i]);
		if (p->av[i][0] == 'o' ? get_double(p, "offset", p->av[i + 1],
		    -CONF_MAX_OFFSET_S, CONF_MAX_OFFSET_S, 0, &v[0]) == -1 :
		    get_double(p, "frequency", p->av[i + 1],
		    -CONF_MAX_FREQ_PPM, CONF_MAX_FREQ_PPM, 0, &v[1]) == -1)
			return -1;
	}
	p->c->clock = kernel ? CONF_CLOCK_KERNEL : CONF_CLOCK_VIRTUAL;
	p->c->clock_offset_s = v[0];
	p->c->clock_freq_ppm = v[1];
	return 0;
}

/* include, confdir, sourcedir: handed to the shell. */
static int
action(struct pctx *p, enum conf_action act, int max)
{
	size_t	 len = 0;
	int	 i, n;

	if (nargs(p, 1, max) == -1)
		return -1;
	for (i = 0; i < p->ac; i++) {
		n = snprintf(p->arg + len, p->arglen - len, "%s%s",
		    i > 0 ? " " : "", p->av[i]);
		if (n < 0 || (size_t)n >= p->arglen - len)
			return err(p, "%s: arguments too long", p->dir);
		len += (size_t)n;
	}
	*p->act = act;
	return 0;
}

static int
d_include(struct pctx *p)
{
	return action(p, CONF_ACT_INCLUDE, 1);
}

static int
d_confdir(struct pctx *p)
{
	return action(p, CONF_ACT_CONFDIR, CONF_MAX_ARGS);
}

/* Remembered too, for timectl reload sources. */
static int
d_sourcedir(struct pctx *p)
{
	int	 i;

	if (action(p, CONF_ACT_SOURCEDIR, CONF_MAX_ARGS) == -1)
		return -1;
	for (i = 0; i < p->ac; i++)
		if (add_str(p, &p->c->sourcedirs, 0, p->av[i]) == -1)
			return -1;
	return 0;
}

#define N_INT		(double)INT_MAX

static const struct directive directives[] = {
	{ "allow",		d_allow,	0, 0, 0 },
	{ "bindaddress",	d_bindaddress,	0, 0, 0 },
	{ "bindcmdaddress",	d_bindcmdaddress, 0, 0, 0 },
	{ "chronycsocket",	d_chronycsocket, 0, 0, 0 },
	{ "chrootdir",		d_string,	CNF(chrootdir), 0, 0 },
	{ "clientloglimit",	d_long,		CNF(clientloglimit), 0, N_INT },
	{ "clock",		d_clock,	0, 0, 0 },
	{ "cmdport",		d_cmdport,	0, 0, 0 },
	{ "confdir",		d_confdir,	0, 0, 0 },
	{ "deny",		d_deny,		0, 0, 0 },
	{ "driftfile",		d_string,	CNF(driftfile), 0, 0 },
	{ "fallbackdrift",	d_fallbackdrift, 0, 0, 0 },
	{ "hwtimestamp",	d_hwtimestamp,	0, 0, 0 },
	{ "include",		d_include,	0, 0, 0 },
	{ "initstepslew",	d_initstepslew,	0, 0, 0 },
	{ "keyfile",		d_string,	CNF(keyfile), 0, 0 },
	{ "leapsecmode",	d_leapsecmode,	0, 0, 0 },
	{ "leapsectz",		d_string,	CNF(leapsectz), 0, 0 },
	{ "local",		d_local,	0, 0, 0 },
	{ "log",		d_log,		0, 0, 0 },
	{ "logbanner",		d_int,		CNF(logbanner), 0, N_INT },
	{ "logchange",		d_logchange,	0, 0, 0 },
	{ "logdir",		d_string,	CNF(logdir), 0, 0 },
	{ "makestep",		d_makestep,	0, 0, 0 },
	{ "maxchange",		d_maxchange,	0, 0, 0 },
	{ "maxdistance",	d_double,	CNF(maxdistance_s), 0, 1000 },
	{ "combinelimit",	d_double,	CNF(combinelimit), 0, 1e6 },
	{ "reselectdist",	d_double,	CNF(reselectdist_s), 0, 1000 },
	{ "stratumweight",	d_double,	CNF(stratumweight_s), 0, 1000 },
	{ "maxjitter",		d_double,	CNF(maxjitter_s), 0, 1000 },
	{ "maxdrift",		d_maxdrift,	0, 0, 0 },
	{ "maxslewrate",	d_double,	CNF(maxslewrate_ppm), 0,
	    83333.333 },
	{ "corrtimeratio",	d_double,	CNF(corrtimeratio), 0, 100 },
	{ "maxupdateskew",	d_double,	CNF(maxupdateskew_ppm), 0,
	    1e6 },
	{ "maxntsconnections",	d_int,		CNF(maxntsconnections), 1,
	    CONF_MAX_NTS_CONNECTIONS },
	{ "minsources",		d_int,		CNF(minsources), 1, 64 },
	{ "nocerttimecheck",	d_int,		CNF(nocerttimecheck), 0,
	    N_INT },
	{ "noclientlog",	d_flag,		CNF(noclientlog), 0, 0 },
	{ "nosystemcert",	d_flag,		CNF(nosystemcert), 0, 0 },
	{ "ntsdumpdir",		d_string,	CNF(ntsdumpdir), 0, 0 },
	{ "ntsntpserver",	d_string,	CNF(ntsntpserver), 0, 0 },
	{ "ntsonly",		d_ntsonly,	0, 0, 0 },
	{ "ntsport",		d_int,		CNF(ntsport), 1, 65535 },
	{ "ntsratelimit",	d_ntsratelimit,	0, 0, 0 },
	{ "ntsrefresh",		d_long,		CNF(ntsrefresh_s), 0, N_INT },
	{ "ntsrotate",		d_long,		CNF(ntsrotate_s), 0, N_INT },
	{ "ntsservercert",	d_strlist,	CNF(ntsservercert), 0, 0 },
	{ "ntsserverkey",	d_strlist,	CNF(ntsserverkey), 0, 0 },
	{ "ntstrustedcerts",	d_ntstrustedcerts, 0, 0, 0 },
	{ "peer",		d_peer,		0, 0, 0 },
	{ "pidfile",		d_string,	CNF(pidfile), 0, 0 },
	{ "pool",		d_pool,		0, 0, 0 },
	{ "port",		d_int,		CNF(port), 0, 65535 },
	{ "acquisitionport",	d_int,		CNF(acquisitionport), 0, 65535 },
	{ "minsamples",		d_int,		CNF(minsamples), 0, 128 },
	{ "maxsamples",		d_int,		CNF(maxsamples), 0, 128 },
	{ "ratelimit",		d_ratelimit,	0, 0, 0 },
	{ "refclock",		d_refclock,	0, 0, 0 },
	{ "rtcsync",		d_flag,		CNF(rtcsync), 0, 0 },
	{ "server",		d_server,	0, 0, 0 },
	{ "smoothtime",		d_smoothtime,	0, 0, 0 },
	{ "sourcedir",		d_sourcedir,	0, 0, 0 },
	{ "user",		d_string,	CNF(user), 0, 0 },
	{ NULL,			NULL,		0, 0, 0 }
};

/*
 * Chrony directives timed knows of but does not implement, with the
 * number of arguments chronyd 4.3 takes (lo..hi; UNIMPL_ANY: any), so
 * that a line it refuses is refused here too.  Their values are not
 * checked.  hwtsinterface, leapseclist, ntsaeads, opencommands and
 * ptpdomain are not 4.3's (older or newer chronyds).
 */
#define UNIMPL_ANY	(double)CONF_MAX_ARGS
#define U(name, lo, hi)	{ name, d_unimpl, 0, lo, hi }

static const struct directive unimplemented[] = {
	U("authselectmode", 1, 1),
	U("bindacqaddress", 1, 1), U("bindacqdevice", 1, 1),
	U("bindcmddevice", 1, 1), U("binddevice", 1, 1),
	U("broadcast", 2, 3), U("clockprecision", 1, 1),
	U("cmdallow", 0, 2), U("cmddeny", 0, 2), U("cmdratelimit", 0, 6),
	U("commandkey", 0, UNIMPL_ANY),
	U("dscp", 1, 1), U("dumpdir", 1, 1),
	U("dumponexit", 0, UNIMPL_ANY),
	U("generatecommandkey", 0, UNIMPL_ANY), U("hwclockfile", 1, 1),
	U("hwtsinterface", 0, UNIMPL_ANY),
	U("leapseclist", 1, 1),
	U("linux_freq_scale", 0, UNIMPL_ANY), U("linux_hz", 0, UNIMPL_ANY),
	U("lock_all", 0, 0), U("mailonchange", 2, 2), U("manual", 0, 0),
	U("maxclockerror", 1, 1),

	U("ntpsigndsocket", 1, 1), U("ntsaeads", 1, UNIMPL_ANY),
	U("ntscachedir", 1, 1), U("ntsprocesses", 1, 1),
	U("opencommands", 0, UNIMPL_ANY), U("ptpdomain", 1, 1),
	U("ptpport", 1, 1),
	U("rtcautotrim", 1, 1),
	U("rtcdevice", 1, 1), U("rtcfile", 1, 1), U("rtconutc", 0, 0),
	U("sched_priority", 1, 1),
	U("tempcomp", 3, 6),
	{ NULL, NULL, 0, 0, 0 }
};

#undef U

static const struct directive *
directive_find(const char *name)
{
	const struct directive	*d;

	/* chrony takes directive names in any case */
	for (d = directives; d->name != NULL; d++)
		if (strcasecmp(d->name, name) == 0)
			return d;
	for (d = unimplemented; d->name != NULL; d++)
		if (strcasecmp(d->name, name) == 0)
			return d;
	return NULL;
}

static int
is_source_directive(const struct directive *d)
{
	return d->fn == d_server || d->fn == d_pool || d->fn == d_peer;
}

static int
dispatch(struct pctx *p, int sources_only)
{
	if ((p->d = directive_find(p->dir)) == NULL)
		return err(p, "unknown directive '%s'", p->dir);
	if (sources_only && !is_source_directive(p->d))
		return err(p, "'%s' is not allowed in a sources file "
		    "(only server, pool and peer)", p->dir);
	p->sources_only = sources_only;
	if (p->d->fn(p) == -1)
		return -1;
	p->diag->dir = p->d->name;
	if (!p->warned)
		return 0;
	p->c->nwarnings++;
	return 1;
}

/* Split on white space; -1 if there are more than max words. */
static int
tokenize(char *q, char **av, int max)
{
	int	 n = 0;

	for (;;) {
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '\0')
			return n;
		if (n == max)
			return -1;
		av[n++] = q;
		while (*q != '\0' && !isspace((unsigned char)*q))
			q++;
		if (*q != '\0')
			*q++ = '\0';
	}
}

int
conf_parse_line(struct conf *c, const char *line, int sources_only,
    enum conf_action *act, char *arg, size_t arglen, struct conf_diag *diag)
{
	char		 buf[CONF_MAX_LINE], *av[CONF_MAX_ARGS + 1];
	struct pctx	 p;
	size_t		 len = strlen(line);
	int		 n;

	*act = CONF_ACT_NONE;
	memset(diag, 0, sizeof(*diag));
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.act = act;
	p.arg = arg;
	p.arglen = arglen;
	p.diag = diag;
	if (len >= sizeof(buf))
		return err(&p, "line too long (more than %d characters)",
		    CONF_MAX_LINE - 1);
	memcpy(buf, line, len + 1);
	if ((n = tokenize(buf, av, CONF_MAX_ARGS + 1)) == -1)
		return err(&p, "too many words (more than %d)",
		    CONF_MAX_ARGS + 1);
	if (n == 0 || strchr("#%!;", av[0][0]) != NULL)
		return 0;
	p.dir = av[0];
	p.av = av + 1;
	p.ac = n - 1;
	return dispatch(&p, sources_only);
}

/* Allocation */

struct conf *
conf_new(void)
{
	struct conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->minsources = 1;
	c->maxdistance_s = 3.0;
	c->combinelimit = 3.0;
	c->reselectdist_s = 100e-6;
	c->stratumweight_s = 0.001;
	c->maxjitter_s = 1.0;
	c->maxupdateskew_ppm = 1000.0;
	c->clock = CONF_CLOCK_KERNEL;
	c->maxslewrate_ppm = 83333.333;
	c->maxdrift_ppm = LIM_MAXDRIFT_PPM;
	c->corrtimeratio = CONF_CORRTIMERATIO;
	c->port = 123;
	c->local_stratum = 10;
	c->local_distance_s = 1.0;
	c->ratelimit_interval = 3;
	c->ntsratelimit_interval = 6;
	c->ratelimit_burst = c->ntsratelimit_burst = 8;
	c->ratelimit_leak = c->ntsratelimit_leak = 2;
	c->clientloglimit = 524288;
	c->logbanner = 32;
	c->ntsport = 4460;
	c->ntsrotate_s = 604800;
	c->ntsrefresh_s = 2419200;
	c->maxntsconnections = 100;
	if ((c->user = strdup(TIMED_USER)) == NULL ||
	    (c->chrootdir = strdup(TIMED_CHROOT_DIR)) == NULL ||
	    (c->bindcmdaddress = strdup(TIMED_SOCKET)) == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

static void
str_free(struct conf_str *s)
{
	struct conf_str	*next;

	for (; s != NULL; s = next) {
		next = s->next;
		free(s->s);
		free(s);
	}
}

static void
at_free(struct conf_at *a)
{
	struct conf_at	*next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a->at);
		free(a);
	}
}

static void
lists_free(struct conf *c)
{
	struct conf_acl		*a, *anext;
	struct conf_refclock	*r, *rnext;

	sources_free(c->sources);
	sources_free(c->initstepslew);
	for (r = c->refclocks; r != NULL; r = rnext) {
		rnext = r->next;
		refclock_free(r);
	}
	for (a = c->acl; a != NULL; a = anext) {
		anext = a->next;
		free(a);
	}
	for (a = c->ntsonly; a != NULL; a = anext) {
		anext = a->next;
		free(a);
	}
	hwts_free(c->hwts);
	str_free(c->bindaddress);
	str_free(c->ntsserverkey);
	str_free(c->ntsservercert);
	str_free(c->ntstrustedcerts);
	str_free(c->sourcedirs);
	at_free(c->at);
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	lists_free(c);
	free(c->driftfile);
	free(c->leapsectz);
	free(c->bindcmdaddress);
	free(c->chronycsocket);
	free(c->user);
	free(c->chrootdir);
	free(c->pidfile);
	free(c->keyfile);
	free(c->logdir);
	free(c->ntsdumpdir);
	free(c->ntsntpserver);
	free(c);
}

/* Where directives were read */

/* The directives whose lines later diagnostics name. */
static const char *const tracked[] = {
	"chrootdir", "keyfile", "logdir", "ntsonly", "ntsservercert",
	"ntsserverkey", "ntstrustedcerts", "pidfile", "smoothtime", NULL
};

int
conf_note_at(struct conf *c, const char *dir, const char *at)
{
	struct conf_at	*n, **tail;
	int		 i;

	for (i = 0; tracked[i] != NULL && (dir == NULL ||
	    strcmp(tracked[i], dir) != 0); i++)
		;
	if (tracked[i] == NULL)
		return 0;
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->at = strdup(at)) == NULL) {
		free(n);
		return -1;
	}
	n->dir = tracked[i];
	for (tail = &c->at; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = n;
	return 0;
}

const char *
conf_at(const struct conf *c, const char *dir, int n)
{
	const struct conf_at	*a;
	const char		*last = NULL;
	int			 i = 0;

	for (a = c->at; a != NULL; a = a->next) {
		if (strcmp(a->dir, dir) != 0)
			continue;
		if (i++ == n)
			return a->at;
		last = a->at;
	}
	return n == -1 ? last : NULL;
}

/* Checks across lines */

static int
str_count(const struct conf_str *s)
{
	int	 n = 0;

	for (; s != NULL; s = s->next)
		n++;
	return n;
}

int
conf_check(const struct conf *c, struct conf_diag *diag)
{
	int	 nkey, ncert;

	memset(diag, 0, sizeof(*diag));
	diag->is_error = 1;
	nkey = str_count(c->ntsserverkey);
	ncert = str_count(c->ntsservercert);
	if (nkey != ncert) {
		/* the first of either without its pair */
		diag->at = nkey > ncert ? conf_at(c, "ntsserverkey", ncert) :
		    conf_at(c, "ntsservercert", nkey);
		snprintf(diag->msg, sizeof(diag->msg), "ntsserverkey and "
		    "ntsservercert must come in pairs (%d keys, %d "
		    "certificates)", nkey, ncert);
		return -1;
	}
	if (c->ntsonly != NULL && ncert == 0) {
		diag->at = conf_at(c, "ntsonly", 0);
		snprintf(diag->msg, sizeof(diag->msg), "ntsonly needs an NTS "
		    "server: ntsservercert and ntsserverkey");
		return -1;
	}
	diag->is_error = 0;
	/* one warning, of what the lines mean together */
	if (c->acquisitionport != 0 && c->acquisitionport != c->port) {
		diag->at = conf_at(c, "acquisitionport", 0);
		snprintf(diag->msg, sizeof(diag->msg), "acquisitionport %d: "
		    "timed sends its requests from the NTP port (port %d) or "
		    "from a new port each; %d is not the NTP port, so new "
		    "ports", c->acquisitionport, c->port, c->acquisitionport);
	} else if (c->smooth_leaponly && c->leapsecmode != CONF_LEAP_SLEW) {
		diag->at = conf_at(c, "smoothtime", 0);
		snprintf(diag->msg, sizeof(diag->msg), "smoothtime leaponly "
		    "smooths the leap seconds timed slews (leapsecmode slew); "
		    "the kernel's (leapsecmode system) are not smoothed, in "
		    "chronyd either: nothing is smoothed");
	}
	return 0;
}

/* Access control */

static const uint8_t *
sa_bytes(const struct sockaddr *sa, int family)
{
	static const uint8_t		 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return family == AF_INET ?
		    (const uint8_t *)&sin->sin_addr : NULL;
	if (sa->sa_family != AF_INET6)
		return NULL;
	if (family == AF_INET6)
		return sin6->sin6_addr.s6_addr;
	if (memcmp(sin6->sin6_addr.s6_addr, mapped, sizeof(mapped)) == 0)
		return sin6->sin6_addr.s6_addr + 12;	/* ::ffff:a.b.c.d */
	return NULL;
}

int
conf_subnet_match(const struct conf_subnet *n, const struct sockaddr *sa)
{
	const uint8_t	*a;
	int		 full = n->prefixlen / 8, rest = n->prefixlen % 8;

	if (n->family == AF_UNSPEC)
		return sa->sa_family == AF_INET || sa->sa_family == AF_INET6;
	if ((a = sa_bytes(sa, n->family)) == NULL)
		return 0;
	if (memcmp(a, n->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ n->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
conf_needs_crypto(const struct conf *c)
{
	const struct conf_source	*cs;

	if (c->keyfile != NULL || c->ntsservercert != NULL ||
	    c->ntsserverkey != NULL || c->sourcedirs != NULL)
		return 1;
	for (cs = c->sources; cs != NULL; cs = cs->next)
		if (cs->nts)
			return 1;
	return 0;
}

int
conf_source_equal(const struct conf_source *a, const struct conf_source *b)
{
	return a->type == b->type && strcmp(a->name, b->name) == 0 &&
	    a->port == b->port && a->iburst == b->iburst &&
	    a->burst == b->burst &&
	    a->minpoll == b->minpoll && a->maxpoll == b->maxpoll &&
	    a->prefer == b->prefer && a->noselect == b->noselect &&
	    a->trust == b->trust && a->require == b->require &&
	    a->xleave == b->xleave && a->nts == b->nts && a->ntsport == b->ntsport &&
	    a->certset == b->certset && a->key == b->key &&
	    a->maxdelay_s == b->maxdelay_s && a->polltarget == b->polltarget &&
	    a->offset_s == b->offset_s && a->mindelay_s == b->mindelay_s &&
	    a->asymmetry == b->asymmetry &&
	    a->maxdelayratio == b->maxdelayratio && a->filter == b->filter &&
	    a->maxdelaydevratio == b->maxdelaydevratio &&
	    a->presend == b->presend && a->offline == b->offline &&
	    a->auto_offline == b->auto_offline && a->copy == b->copy &&
	    a->exp1 == b->exp1 && a->minsamples == b->minsamples &&
	    a->maxsamples == b->maxsamples &&
	    a->maxdelayquant == b->maxdelayquant &&
	    a->family == b->family &&
	    a->minstratum == b->minstratum && a->version == b->version &&
	    (a->type != CONF_SRC_POOL || a->maxsources == b->maxsources);
}
