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
 * The shell around conf.c: reads the files, follows include, confdir and
 * sourcedir, prints diagnostics as "FILE:LINE: message", and prints the
 * configuration back for timed -p.
 *
 * Its memory does not depend on the input: a line is read into a fixed
 * buffer and one longer than CONF_MAX_LINE - 1 characters is an error,
 * as are control bytes (NUL, ESC, ...) in a line, more than
 * CONF_MAX_BYTES in all the files of one load, and more than
 * CONF_MAX_FILES files.  Diagnostics show bytes outside printable ASCII
 * as \xHH, so no raw byte of a file reaches a terminal or syslog.
 */

#include <sys/types.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

struct load {
	struct conf		*c;
	FILE			*errf;
	size_t			 bytes;		/* read so far, all files */
	int			 files;		/* opened so far */
	struct conf_diag	 d;		/* of the line being read */
};

/* Where a directive came from, for diagnostics. */
struct where {
	const char	*file;
	int		 line;
};

/* One file found by confdir or sourcedir. */
struct dent {
	char		*name;
	char		*path;
};

struct dents {
	struct dent	*v;
	size_t		 n, cap;
};

static int	load_file(struct load *, const char *, int, int,
		    const struct where *);

/* Writes s to f with bytes outside printable ASCII as \xHH. */
static void
put_escaped(FILE *f, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p >= 0x20 && *p < 0x7f)
			putc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
}

/*
 * One diagnostic line, "FILE:LINE: message" (w with line 0: "FILE:
 * message"; no w: the message alone), escaped.
 */
static void __attribute__((format(printf, 3, 4)))
diag(struct load *l, const struct where *w, const char *fmt, ...)
{
	char	 buf[PATH_MAX + CONF_MAX_LINE + 256];
	int	 n = 0;
	va_list	 ap;

	if (w != NULL && w->line > 0)
		n = snprintf(buf, sizeof(buf), "%s:%d: ", w->file, w->line);
	else if (w != NULL)
		n = snprintf(buf, sizeof(buf), "%s: ", w->file);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	put_escaped(l->errf, buf);
	putc('\n', l->errf);
}

static int
dents_has(const struct dents *ds, const char *name)
{
	size_t	 i;

	for (i = 0; i < ds->n; i++)
		if (strcmp(ds->v[i].name, name) == 0)
			return 1;
	return 0;
}

static int
dents_add(struct dents *ds, const char *dir, const char *name)
{
	struct dent	*v, *d;

	size_t		 len = strlen(dir) + strlen(name) + 2;

	if (ds->n == ds->cap) {
		if ((v = realloc(ds->v, (ds->cap * 2 + 8) *
		    sizeof(*v))) == NULL)
			return -1;
		ds->v = v;
		ds->cap = ds->cap * 2 + 8;
	}
	d = &ds->v[ds->n];
	if ((d->name = strdup(name)) == NULL)
		return -1;
	if ((d->path = malloc(len)) == NULL) {
		free(d->name);
		return -1;
	}
	snprintf(d->path, len, "%s/%s", dir, name);
	ds->n++;
	return 0;
}

static void
dents_free(struct dents *ds)
{
	size_t	 i;

	for (i = 0; i < ds->n; i++) {
		free(ds->v[i].name);
		free(ds->v[i].path);
	}
	free(ds->v);
}

static int
dent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name,
	    ((const struct dent *)b)->name);
}

/* "NAME.suffix", not hidden, as chrony's glob of DIR/ *.suffix. */
static int
has_suffix(const char *name, const char *suffix)
{
	size_t	 len = strlen(name), slen = strlen(suffix);

	return name[0] != '.' && len > slen &&
	    strcmp(name + len - slen, suffix) == 0;
}

/* Names already found in an earlier directory hide the later ones. */
static int
scan_dir(struct load *l, struct dents *ds, const char *dir,
    const char *suffix, const struct where *w)
{
	DIR		*d;
	struct dirent	*de;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		diag(l, w, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, suffix) ||
		    dents_has(ds, de->d_name))
			continue;
		if ((rc = dents_add(ds, dir, de->d_name)) == -1)
			diag(l, w, "%s: %s", dir, strerror(errno));
	}
	closedir(d);
	return rc;
}

/* confdir and sourcedir: all DIR/ *.suffix, read in name order. */
static int
load_dirs(struct load *l, char *dirs, const char *suffix, int sources_only,
    int depth, const struct where *w)
{
	struct dents	 ds;
	char		*dir, *last;
	size_t		 i;
	int		 rc = 0;

	memset(&ds, 0, sizeof(ds));
	for (dir = strtok_r(dirs, " ", &last); rc == 0 && dir != NULL;
	    dir = strtok_r(NULL, " ", &last))
		rc = scan_dir(l, &ds, dir, suffix, w);
	if (rc == 0 && ds.n > 0)
		qsort(ds.v, ds.n, sizeof(*ds.v), dent_cmp);
	for (i = 0; rc == 0 && i < ds.n; i++)
		rc = load_file(l, ds.v[i].path, sources_only, depth, w);
	dents_free(&ds);
	return rc;
}

/* include: every match of the pattern, in glob(3)'s sorted order. */
static int
load_glob(struct load *l, const char *pattern, int depth,
    const struct where *w)
{
	glob_t	 g;
	size_t	 i;
	int	 rc;

	/*
	 * As chronyd: a name without wildcards must exist, and so must the
	 * directories a pattern searches (GLOB_ERR), but a pattern may
	 * match nothing.
	 */
	rc = glob(pattern, GLOB_ERR | GLOB_NOMAGIC, NULL, &g);
	if (rc == GLOB_NOMATCH)
		return 0;
	if (rc != 0) {
		diag(l, w, "include %s: %s", pattern,
		    rc == GLOB_NOSPACE ? "out of memory" :
		    "cannot search for files matching it");
		return -1;
	}
	for (i = 0; rc == 0 && i < g.gl_pathc; i++)
		rc = load_file(l, g.gl_pathv[i], 0, depth, w);
	globfree(&g);
	return rc;
}

static int
run_action(struct load *l, enum conf_action act, char *arg, int depth,
    const struct where *w)
{
	if (depth > CONF_MAX_DEPTH) {
		diag(l, w, "include nesting deeper than %d", CONF_MAX_DEPTH);
		return -1;
	}
	switch (act) {
	case CONF_ACT_INCLUDE:
		return load_glob(l, arg, depth, w);
	case CONF_ACT_CONFDIR:
		return load_dirs(l, arg, ".conf", 0, depth, w);
	case CONF_ACT_SOURCEDIR:
		return load_dirs(l, arg, ".sources", 1, depth, w);
	default:
		return 0;
	}
}

/* The parser's diagnostic: an error, or warnings one a line. */
static void
print_diag(struct load *l, const struct where *w, char *msg, int is_error)
{
	char	*line, *last;

	if (is_error) {
		diag(l, w, "%s", msg);
		return;
	}
	for (line = strtok_r(msg, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		diag(l, w, "warning: %s", line);
}

/* Where the line's directive was, for the diagnostics after the parse. */
static int
note_at(struct load *l, const struct where *w)
{
	char	 at[PATH_MAX + 16];

	if (l->d.dir == NULL)
		return 0;
	snprintf(at, sizeof(at), "%s:%d", w->file, w->line);
	if (conf_note_at(l->c, l->d.dir, at) == -1) {
		diag(l, w, "out of memory");
		return -1;
	}
	return 0;
}

static int
load_line(struct load *l, char *line, int sources_only, int depth,
    const struct where *w)
{
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];
	int			 rc;

	/* l->d is free again once printed, for the files this one names */
	rc = conf_parse_line(l->c, line, sources_only, &act, arg,
	    sizeof(arg), &l->d);
	if (rc != 0)
		print_diag(l, w, l->d.msg, l->d.is_error);
	if (rc == -1 || note_at(l, w) == -1)
		return -1;
	if (act == CONF_ACT_NONE)
		return 0;
	return run_action(l, act, arg, depth + 1, w);
}

/* Control bytes other than white space mark a file that is not text. */
static int
is_binary(int ch)
{
	return (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\v' &&
	    ch != '\f') || ch == 0x7f;
}

/*
 * Reads the next line of f, without its newline, into buf
 * (CONF_MAX_LINE bytes).  Returns 1 for a line, 0 at the end of the
 * file, -1 after printing why the file cannot be read.
 */
static int
read_line(struct load *l, FILE *f, char *buf, const struct where *w)
{
	size_t	 n = 0;
	int	 ch;

	while ((ch = getc(f)) != EOF) {
		if (++l->bytes > CONF_MAX_BYTES) {
			diag(l, w, "configuration larger than %d bytes "
			    "(all files together)", CONF_MAX_BYTES);
			return -1;
		}
		if (ch == '\n')
			break;
		if (is_binary(ch)) {
			diag(l, w, "binary byte \\x%02x in column %zu "
			    "(not a text file?)", ch, n + 1);
			return -1;
		}
		if (n == CONF_MAX_LINE - 1) {
			diag(l, w, "line too long (more than %d characters)",
			    CONF_MAX_LINE - 1);
			return -1;
		}
		buf[n++] = ch;
	}
	if (ch == EOF && ferror(f)) {
		diag(l, &(struct where){ w->file, 0 }, "%s", strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	return ch != EOF || n > 0;
}

/* from: the directive that names path, NULL for the main file. */
static int
load_file(struct load *l, const char *path, int sources_only, int depth,
    const struct where *from)
{
	FILE		*f;
	struct where	 w = { path, 0 };
	char		 buf[CONF_MAX_LINE];
	int		 rc;

	if (++l->files > CONF_MAX_FILES) {
		diag(l, from, "more than %d configuration files",
		    CONF_MAX_FILES);
		return -1;
	}
	if ((f = fopen(path, "r")) == NULL) {
		diag(l, &w, "%s", strerror(errno));
		return -1;
	}
	errno = 0;
	do {
		w.line++;
		if ((rc = read_line(l, f, buf, &w)) == 1)
			rc = load_line(l, buf, sources_only, depth, &w);
	} while (rc == 0 && w.line < INT_MAX && !feof(f));
	fclose(f);
	return rc == -1 ? -1 : 0;
}

int
conf_load(struct conf *c, const char *path, FILE *errf)
{
	struct load		 l = { .c = c, .errf = errf };
	struct where		 w = { path, 0 };

	if (load_file(&l, path, 0, 0, NULL) == -1)
		return -1;
	if (conf_check(c, &l.d) == -1) {
		if (l.d.at != NULL)
			w.file = l.d.at;	/* "FILE:LINE" */
		diag(&l, &w, "%s", l.d.msg);
		return -1;
	}
	if (l.d.msg[0] != '\0') {
		if (l.d.at != NULL)
			w.file = l.d.at;
		diag(&l, &w, "warning: %s", l.d.msg);
		c->nwarnings++;
	}
	return 0;
}

int
conf_load_sourcedirs(struct conf *c, const struct conf_str *dirs, FILE *errf)
{
	struct load	 l = { .c = c, .errf = errf };
	struct where	 w = { "sourcedir", 0 };
	char		*copy;
	int		 rc = 0;

	for (; rc == 0 && dirs != NULL; dirs = dirs->next) {
		if ((copy = strdup(dirs->s)) == NULL) {
			diag(&l, &w, "out of memory");
			return -1;
		}
		rc = load_dirs(&l, copy, ".sources", 1, 1, &w);
		free(copy);
	}
	return rc;
}

/* Printing: one chrony-style directive a line; reads back the same. */

static void
print_str(FILE *f, const char *name, const char *s)
{
	if (s != NULL)
		fprintf(f, "%s %s\n", name, s);
}

static void
print_strs(FILE *f, const char *name, const struct conf_str *s)
{
	for (; s != NULL; s = s->next)
		print_str(f, name, s->s);
}

/* Source options that differ from the defaults. */
static void
print_source(FILE *f, const struct conf_source *s)
{
	fprintf(f, "%s %s", s->type == CONF_SRC_POOL ? "pool" :
	    s->type == CONF_SRC_PEER ? "peer" : "server", s->name);
	if (s->port != 123)
		fprintf(f, " port %u", s->port);
	if (s->iburst)
		fputs(" iburst", f);
	if (s->burst)
		fputs(" burst", f);
	if (s->minpoll != 6)
		fprintf(f, " minpoll %d", s->minpoll);
	if (s->maxpoll != 10)
		fprintf(f, " maxpoll %d", s->maxpoll);
	if (s->prefer)
		fputs(" prefer", f);
	if (s->xleave)
		fputs(" xleave", f);
	if (s->noselect)
		fputs(" noselect", f);
	if (s->trust)
		fputs(" trust", f);
	if (s->require)
		fputs(" require", f);
	if (s->nts)
		fputs(" nts", f);
	if (s->ntsport != 4460)
		fprintf(f, " ntsport %u", s->ntsport);
	if (s->certset != 0)
		fprintf(f, " certset %d", s->certset);
	if (s->key != 0)
		fprintf(f, " key %u", s->key);
	if (s->maxdelay_s != 3.0)
		fprintf(f, " maxdelay %.15g", s->maxdelay_s);
	if (s->offset_s != 0.0)
		fprintf(f, " offset %.15g", s->offset_s);
	if (s->minstratum != 0)
		fprintf(f, " minstratum %d", s->minstratum);
	if (s->version != 0)
		fprintf(f, " version %d", s->version);
	if (s->mindelay_s != 0.0)
		fprintf(f, " mindelay %.15g", s->mindelay_s);
	if (s->maxdelayratio != 0.0)
		fprintf(f, " maxdelayratio %.15g", s->maxdelayratio);
	if (s->filter != 0)
		fprintf(f, " filter %d", s->filter);
	if (s->offline)
		fputs(" offline", f);
	if (s->auto_offline)
		fputs(" auto_offline", f);
	if (s->copy)
		fputs(" copy", f);
	if (s->exp1)
		fputs(" extfield F323", f);
	if (s->minsamples != 0)
		fprintf(f, " minsamples %d", s->minsamples);
	if (s->maxsamples != 0)
		fprintf(f, " maxsamples %d", s->maxsamples);
	if (s->family != 0)
		fprintf(f, " ipv%d", s->family);
	if (s->presend != CONF_PRESEND_NONE)
		fprintf(f, " presend %d", s->presend);
	if (s->maxdelayquant != 0.0)
		fprintf(f, " maxdelayquant %.15g", s->maxdelayquant);
	if (s->maxdelaydevratio != CONF_MAXDELAYDEVRATIO)
		fprintf(f, " maxdelaydevratio %.15g", s->maxdelaydevratio);
	if (s->asymmetry != CONF_ASYMMETRY_ESTIMATED)
		fprintf(f, " asymmetry %.15g", s->asymmetry);
	if (s->polltarget != CONF_POLLTARGET)
		fprintf(f, " polltarget %d", s->polltarget);
	if (s->type == CONF_SRC_POOL && s->maxsources != 4)
		fprintf(f, " maxsources %d", s->maxsources);
	fputc('\n', f);
}

/* A refclock line that reads back as rc. */
static void
print_refclock(FILE *f, const struct conf_refclock *rc)
{
	static const char *const drivers[] = { "PHC", "SHM", "SOCK", "PPS" };
	char	 refid[5], lock[5];
	int	 i;

	for (i = 0; i < 4; i++) {
		refid[i] = (char)(rc->refid >> (24 - 8 * i));
		lock[i] = (char)(rc->lock >> (24 - 8 * i));
	}
	refid[4] = lock[4] = '\0';
	fprintf(f, "refclock %s %s refid %s poll %d dpoll %d filter %d "
	    "rate %d stratum %d maxlockage %d delay %.17g offset %.17g "
	    "precision %.17g maxdispersion %.17g width %.17g",
	    drivers[rc->driver], rc->param, refid, rc->src.minpoll, rc->dpoll,
	    rc->filter, rc->rate, rc->stratum, rc->maxlockage, rc->delay_s,
	    rc->offset_s, rc->precision_s, rc->maxdispersion_s, rc->width_s);
	if (rc->lock != 0)
		fprintf(f, " lock %s", lock);
	if (rc->pps)
		fputs(" pps", f);
	if (rc->tai)
		fputs(" tai", f);
	if (rc->src.prefer)
		fputs(" prefer", f);
	if (rc->src.noselect)
		fputs(" noselect", f);
	if (rc->src.trust)
		fputs(" trust", f);
	if (rc->src.require)
		fputs(" require", f);
	if (rc->src.minsamples != 0)
		fprintf(f, " minsamples %d", rc->src.minsamples);
	if (rc->src.maxsamples != 0)
		fprintf(f, " maxsamples %d", rc->src.maxsamples);
	fputc('\n', f);
}

static void
print_sources(FILE *f, const struct conf *c)
{
	const struct conf_source	*s;
	const struct conf_refclock	*rc;

	for (s = c->sources; s != NULL; s = s->next)
		print_source(f, s);
	for (rc = c->refclocks; rc != NULL; rc = rc->next)
		print_refclock(f, rc);
	if (c->initstepslew != NULL) {
		fprintf(f, "initstepslew %.15g", c->initstepslew_s);
		for (s = c->initstepslew; s != NULL; s = s->next)
			fprintf(f, " %s", s->name);
		fputc('\n', f);
	}
	fprintf(f, "minsources %d\n", c->minsources);
	fprintf(f, "maxdistance %.15g\n", c->maxdistance_s);
	fprintf(f, "combinelimit %.15g\n", c->combinelimit);
	fprintf(f, "reselectdist %.15g\n", c->reselectdist_s);
	fprintf(f, "stratumweight %.15g\n", c->stratumweight_s);
	fprintf(f, "maxjitter %.15g\n", c->maxjitter_s);
	fprintf(f, "maxupdateskew %.15g\n", c->maxupdateskew_ppm);
	if (c->maxchange_set)
		fprintf(f, "maxchange %.15g %d %d\n", c->maxchange_offset_s,
		    c->maxchange_start, c->maxchange_ignore);
}

static void
print_clock(FILE *f, const struct conf *c)
{
	if (c->clock == CONF_CLOCK_VIRTUAL)
		fprintf(f, "clock virtual offset %.15g frequency %.15g\n",
		    c->clock_offset_s, c->clock_freq_ppm);
	else
		fputs("clock kernel\n", f);
	print_str(f, "driftfile", c->driftfile);
	if (c->makestep_set)
		fprintf(f, "makestep %.15g %d\n", c->makestep_threshold_s,
		    c->makestep_limit);
	fprintf(f, "maxslewrate %.15g\n", c->maxslewrate_ppm);
	fprintf(f, "maxdrift %.15g\n", c->maxdrift_ppm);
	fprintf(f, "corrtimeratio %.15g\n", c->corrtimeratio);
	if (c->rtcsync)
		fputs("rtcsync\n", f);
	print_str(f, "leapsectz", c->leapsectz);
}

static void
print_acl(FILE *f, const char *name, const struct conf_acl *a)
{
	char	 buf[INET6_ADDRSTRLEN];

	fputs(name, f);
	if (a->all)
		fputs(" all", f);
	if (a->net.family != AF_UNSPEC &&
	    inet_ntop(a->net.family, a->net.addr, buf, sizeof(buf)) != NULL)
		fprintf(f, " %s/%d", buf, a->net.prefixlen);
	fputc('\n', f);
}

static void
print_ratelimit(FILE *f, const char *name, int set, int interval,
    int burst, int leak)
{
	if (set)
		fprintf(f, "%s interval %d burst %d leak %d\n", name,
		    interval, burst, leak);
}

/* hwtimestamp, every option written so that the engine reads the same */
static void
print_hwts(FILE *f, const struct conf_hwts *h)
{
	for (; h != NULL; h = h->next) {
		fprintf(f, "hwtimestamp %s minpoll %d minsamples %d "
		    "maxsamples %d precision %.17g rxcomp %.17g txcomp %.17g",
		    h->name, h->minpoll, h->minsamples, h->maxsamples,
		    h->precision_s, h->rxcomp_s, h->txcomp_s);
		if (h->nocrossts)
			fputs(" nocrossts", f);
		if (h->rxfilter != CONF_RXF_ANY)
			fprintf(f, " rxfilter %s", conf_rxfilter_name(h->rxfilter));
		fputc('\n', f);
	}
}

static void
print_serving(FILE *f, const struct conf *c)
{
	const struct conf_acl	*a;

	fprintf(f, "port %d\n", c->port);
	if (c->acquisitionport != 0)
		fprintf(f, "acquisitionport %d\n", c->acquisitionport);
	if (c->minsamples != 0)
		fprintf(f, "minsamples %d\n", c->minsamples);
	if (c->maxsamples != 0)
		fprintf(f, "maxsamples %d\n", c->maxsamples);
	print_strs(f, "bindaddress", c->bindaddress);
	print_hwts(f, c->hwts);
	for (a = c->acl; a != NULL; a = a->next)
		print_acl(f, a->allow ? "allow" : "deny", a);
	for (a = c->ntsonly; a != NULL; a = a->next)
		print_acl(f, "ntsonly", a);
	if (c->local_set)
		fprintf(f, "local stratum %d distance %.15g%s\n",
		    c->local_stratum, c->local_distance_s,
		    c->local_orphan ? " orphan" : "");
	print_ratelimit(f, "ratelimit", c->ratelimit_set,
	    c->ratelimit_interval, c->ratelimit_burst, c->ratelimit_leak);
	fprintf(f, "clientloglimit %ld\n", c->clientloglimit);
	if (c->noclientlog)
		fputs("noclientlog\n", f);
	if (c->leapsecmode != CONF_LEAP_SYSTEM)
		fprintf(f, "leapsecmode %s\n", c->leapsecmode == CONF_LEAP_SLEW ?
		    "slew" : "ignore");
	if (c->fallbackdrift_min > 0)
		fprintf(f, "fallbackdrift %d %d\n", c->fallbackdrift_min,
		    c->fallbackdrift_max);
	if (c->smoothtime_set)
		fprintf(f, "smoothtime %.15g %.15g%s\n", c->smooth_max_freq_ppm,
		    c->smooth_max_wander_ppm, c->smooth_leaponly ?
		    " leaponly" : "");
}

static void
print_log(FILE *f, int flags)
{
	static const char *const names[] = {
		"measurements", "statistics", "tracking", "rtc", "refclocks",
		"tempcomp", "rawmeasurements", "selection"
	};
	size_t	 i;

	if (flags == 0)
		return;
	fputs("log", f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1 << i))
			fprintf(f, " %s", names[i]);
	fputc('\n', f);
}

static void
print_control(FILE *f, const struct conf *c)
{
	print_str(f, "bindcmdaddress", c->bindcmdaddress);
	print_str(f, "chronycsocket", c->chronycsocket);
	print_str(f, "user", c->user);
	print_str(f, "chrootdir", c->chrootdir);
	print_str(f, "pidfile", c->pidfile);
	print_str(f, "keyfile", c->keyfile);
	print_str(f, "logdir", c->logdir);
	print_log(f, c->log_flags);
	fprintf(f, "logbanner %d\n", c->logbanner);
	if (c->logchange_set)
		fprintf(f, "logchange %.15g\n", c->logchange_s);
}

static void
print_nts(FILE *f, const struct conf *c)
{
	const struct conf_str	*s;

	print_strs(f, "ntsserverkey", c->ntsserverkey);
	print_strs(f, "ntsservercert", c->ntsservercert);
	for (s = c->ntstrustedcerts; s != NULL; s = s->next)
		fprintf(f, "ntstrustedcerts %d %s\n", s->id, s->s);
	fprintf(f, "ntsport %d\n", c->ntsport);
	print_str(f, "ntsdumpdir", c->ntsdumpdir);
	fprintf(f, "ntsrotate %ld\n", c->ntsrotate_s);
	print_str(f, "ntsntpserver", c->ntsntpserver);
	print_ratelimit(f, "ntsratelimit", c->ntsratelimit_set,
	    c->ntsratelimit_interval, c->ntsratelimit_burst,
	    c->ntsratelimit_leak);
	fprintf(f, "ntsrefresh %ld\n", c->ntsrefresh_s);
	fprintf(f, "nocerttimecheck %d\n", c->nocerttimecheck);
	if (c->nosystemcert)
		fprintf(f, "nosystemcert\n");
	fprintf(f, "maxntsconnections %d\n", c->maxntsconnections);
}

void
conf_print(const struct conf *c, FILE *f)
{
	print_sources(f, c);
	print_clock(f, c);
	print_serving(f, c);
	print_control(f, c);
	print_nts(f, c);
}
