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

/* Unit tests of the configuration parser (lib/conf.c, lib/conf_file.c). */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* nftw, open_memstream, mkdtemp */
#endif

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#ifndef SRCDIR
#define SRCDIR	"."
#endif

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define FIELD(c, off, type)	(*(type *)((char *)(c) + (off)))
#define CNF(f)		offsetof(struct conf, f)
/* 120 characters: longer than a UNIX socket's path may be */
#define LONG_PATH	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

#define UNIMPL(n)	"chrony directive '" n "' is not implemented by " \
			"timed; ignored"

/* Helpers */

static int
parse(struct conf *c, const char *line, struct conf_diag *d)
{
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];

	return conf_parse_line(c, line, 0, &act, arg, sizeof(arg), d);
}

/* A new configuration with line parsed into it; rc is expected. */
static struct conf *
parse_rc(const char *what, const char *line, int want_rc)
{
	struct conf		*c;
	struct conf_diag	 d;
	int			 rc;

	c = conf_new();
	ck_assert_ptr_nonnull(c);
	rc = parse(c, line, &d);
	ck_assert_msg(rc == want_rc, "%s: '%s' gave %d (%s), want %d", what,
	    line, rc, d.msg, want_rc);
	return c;
}

static struct conf *
parse_ok(const char *what, const char *line)
{
	return parse_rc(what, line, 0);
}

static struct conf_acl *
last_acl(struct conf *c)
{
	struct conf_acl	*a;

	ck_assert_ptr_nonnull(c->acl);
	for (a = c->acl; a->next != NULL; a = a->next)
		;
	return a;
}

static int
nsources(const struct conf *c)
{
	const struct conf_source	*s;
	int				 n = 0;

	for (s = c->sources; s != NULL; s = s->next)
		n++;
	return n;
}

/* Temporary files */

static void
mktmp(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/check_conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
mkd(const char *dir, const char *name)
{
	char	 path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(path, 0700), 0);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* put() for bytes that may hold NULs. */
static void
put_bytes(const char *dir, const char *name, const void *data, size_t len)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* conf_load with what it prints captured in *out (to free). */
static int
load(struct conf *c, const char *path, char **out)
{
	FILE	*f;
	size_t	 len;
	int	 rc;

	ck_assert_ptr_nonnull(f = open_memstream(out, &len));
	rc = conf_load(c, path, f);
	fclose(f);
	return rc;
}

/* Loads path, expecting no diagnostic at all. */
static struct conf *
load_clean(const char *path)
{
	struct conf	*c;
	char		*out;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_msg(load(c, path, &out) == 0, "%s: %s", path, out);
	ck_assert_msg(out[0] == '\0', "%s: %s", path, out);
	ck_assert_int_eq(c->nwarnings, 0);
	free(out);
	return c;
}

/* Loads path into a new configuration, expecting it to fail with want. */
static void
load_fails(const char *path, const char *want)
{
	struct conf	*c;
	char		*out;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(load(c, path, &out), -1);
	ck_assert_str_eq(out, want);
	free(out);
	conf_free(c);
}

static char *
print_conf(const struct conf *c)
{
	FILE	*f;
	char	*out;
	size_t	 len;

	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	conf_print(c, f);
	fclose(f);
	return out;
}

/* Defaults and lines without a directive */

START_TEST(test_conf_directive_names_ignore_case)
{
	struct conf	*c = parse_ok("upper case", "SERVER a.example iburst");

	/* chrony ignores the case of directive names */
	ck_assert_ptr_nonnull(c->sources);
	ck_assert_str_eq(c->sources->name, "a.example");
	ck_assert_int_eq(c->sources->iburst, 1);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_defaults)
{
	struct conf	*c = conf_new();

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(c->sources);
	ck_assert_int_eq(c->port, 123);
	ck_assert_int_eq(c->minsources, 1);
	ck_assert_double_eq(c->maxdistance_s, 3.0);
	ck_assert_double_eq(c->combinelimit, 3.0);		/* chrony's */
	ck_assert_double_eq(c->reselectdist_s, 100e-6);
	ck_assert_double_eq(c->stratumweight_s, 0.001);
	ck_assert_double_eq(c->maxjitter_s, 1.0);
	ck_assert_double_eq(c->maxupdateskew_ppm, 1000.0);
	ck_assert_double_eq(c->maxslewrate_ppm, 83333.333);
	ck_assert_double_eq(c->maxdrift_ppm, 500000.0);	/* chrony's */
	ck_assert_double_eq(c->corrtimeratio, CONF_CORRTIMERATIO);
	ck_assert_int_eq(c->local_set, 0);
	ck_assert_int_eq(c->local_stratum, 10);
	ck_assert_double_eq(c->local_distance_s, 1.0);
	ck_assert_int_eq(c->ratelimit_set, 0);
	ck_assert_int_eq(c->ratelimit_interval, 3);
	ck_assert_int_eq(c->ratelimit_burst, 8);
	ck_assert_int_eq(c->ratelimit_leak, 2);
	ck_assert_int_eq(c->ntsratelimit_interval, 6);
	ck_assert_int_eq(c->ntsratelimit_burst, 8);
	ck_assert_int_eq(c->ntsratelimit_leak, 2);
	ck_assert_int_eq(c->clientloglimit, 524288);
	ck_assert_int_eq(c->logbanner, 32);
	ck_assert_int_eq(c->ntsport, 4460);
	ck_assert_int_eq(c->ntsrotate_s, 604800);
	ck_assert_int_eq(c->ntsrefresh_s, 2419200);
	ck_assert_int_eq(c->maxntsconnections, 100);
	ck_assert_int_eq(c->nosystemcert, 0);
	ck_assert_int_eq(c->clock, CONF_CLOCK_KERNEL);
	ck_assert_str_eq(c->user, TIMED_USER);
	ck_assert_str_eq(c->chrootdir, TIMED_CHROOT_DIR);
	ck_assert_str_eq(c->bindcmdaddress, TIMED_SOCKET);
	ck_assert_ptr_null(c->pidfile);
	ck_assert_ptr_null(c->driftfile);
	ck_assert_int_eq(c->makestep_set, 0);
	ck_assert_int_eq(c->log_flags, 0);
	ck_assert_int_eq(c->nwarnings, 0);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_free_null)
{
	conf_free(NULL);
}
END_TEST

START_TEST(test_conf_blank_and_comment_lines)
{
	static const struct {
		const char	*what, *line;
	} rows[] = {
		{ "empty", "" },
		{ "spaces", "    " },
		{ "tabs and newline", "\t \n" },
		{ "crlf", "\r\n" },
		{ "hash", "# server a" },
		{ "indented hash", "   # server a" },
		{ "percent", "% server a" },
		{ "bang", "! server a" },
		{ "semicolon", "; server a" },
		{ "hash glued", "#server a" },
		{ "utf-8 in comment", "# it can\xe2\x80\x99t be" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[64];
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_msg(conf_parse_line(c, rows[i].line, 0, &act, arg,
		    sizeof(arg), &d) == 0, "%s", rows[i].what);
		ck_assert_msg(act == CONF_ACT_NONE, "%s", rows[i].what);
		ck_assert_msg(c->sources == NULL, "%s", rows[i].what);
		conf_free(c);
	}
}
END_TEST

/* Every directive lands in the struct */

START_TEST(test_conf_int_directives)
{
	static const struct {
		const char	*what, *line;
		size_t		 off;
		int		 want;
	} rows[] = {
		{ "port", "port 1123", CNF(port), 1123 },
		{ "port 0 turns serving off", "port 0", CNF(port), 0 },
		{ "port max", "port 65535", CNF(port), 65535 },
		{ "ntsport", "ntsport 4461", CNF(ntsport), 4461 },
		{ "minsources", "minsources 3", CNF(minsources), 3 },
		{ "indented", "   minsources 2", CNF(minsources), 2 },
		{ "tab separated", "minsources\t4", CNF(minsources), 4 },
		{ "crlf", "minsources 5\r\n", CNF(minsources), 5 },
		{ "logbanner", "logbanner 0", CNF(logbanner), 0 },
		{ "nocerttimecheck", "nocerttimecheck 2",
		    CNF(nocerttimecheck), 2 },
		{ "rtcsync", "rtcsync", CNF(rtcsync), 1 },
		{ "noclientlog", "noclientlog", CNF(noclientlog), 1 },
		{ "nosystemcert", "nosystemcert", CNF(nosystemcert), 1 },
		{ "maxntsconnections", "maxntsconnections 20",
		    CNF(maxntsconnections), 20 },
	};
	struct conf	*c;
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		ck_assert_msg(FIELD(c, rows[i].off, int) == rows[i].want,
		    "%s: got %d", rows[i].what, FIELD(c, rows[i].off, int));
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_number_directives)
{
	static const struct {
		const char	*what, *line;
		size_t		 off;
		int		 is_long;
		double		 want;
	} rows[] = {
		{ "maxdistance", "maxdistance 16", CNF(maxdistance_s), 0, 16 },
		{ "combinelimit", "combinelimit 0", CNF(combinelimit), 0, 0 },
		{ "reselectdist", "reselectdist 1e-3", CNF(reselectdist_s), 0,
		    1e-3 },
		{ "stratumweight", "stratumweight 0", CNF(stratumweight_s), 0,
		    0 },
		{ "maxjitter", "maxjitter 0.002", CNF(maxjitter_s), 0, 0.002 },
		{ "maxupdateskew", "maxupdateskew 100.0",
		    CNF(maxupdateskew_ppm), 0, 100 },
		{ "maxslewrate", "maxslewrate 500", CNF(maxslewrate_ppm), 0,
		    500 },
		{ "maxslewrate max", "maxslewrate 83333.333",
		    CNF(maxslewrate_ppm), 0, 83333.333 },
		{ "corrtimeratio", "corrtimeratio 3", CNF(corrtimeratio), 0,
		    3 },
		{ "maxdrift", "maxdrift 50000", CNF(maxdrift_ppm), 0, 50000 },
		{ "maxdrift 0", "maxdrift 0", CNF(maxdrift_ppm), 0, 0 },
		{ "maxdrift max", "maxdrift 5e5", CNF(maxdrift_ppm), 0,
		    500000 },
		{ "logchange", "logchange 0.5", CNF(logchange_s), 0, 0.5 },
		{ "exponent", "maxdistance 1e1", CNF(maxdistance_s), 0, 10 },
		{ "clientloglimit", "clientloglimit 1048576",
		    CNF(clientloglimit), 1, 1048576 },
		{ "ntsrotate", "ntsrotate 0", CNF(ntsrotate_s), 1, 0 },
		{ "ntsrefresh", "ntsrefresh 86400", CNF(ntsrefresh_s), 1,
		    86400 },
	};
	struct conf	*c;
	double		 got;
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		got = rows[i].is_long ? FIELD(c, rows[i].off, long) :
		    FIELD(c, rows[i].off, double);
		ck_assert_msg(got == rows[i].want, "%s: got %g", rows[i].what,
		    got);
		conf_free(c);
	}
	c = parse_ok("logchange", "logchange 2");
	ck_assert_int_eq(c->logchange_set, 1);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_string_directives)
{
	static const struct {
		const char	*what, *line;
		size_t		 off;
		const char	*want;
	} rows[] = {
		{ "driftfile", "driftfile /var/lib/timed/timed.drift",
		    CNF(driftfile), "/var/lib/timed/timed.drift" },
		{ "keyfile", "keyfile /etc/timed.keys", CNF(keyfile),
		    "/etc/timed.keys" },
		{ "logdir", "logdir /var/log/timed", CNF(logdir),
		    "/var/log/timed" },
		{ "user", "user ntp", CNF(user), "ntp" },
		{ "leapsectz", "leapsectz right/UTC", CNF(leapsectz),
		    "right/UTC" },
		{ "pidfile", "pidfile /run/timed.pid", CNF(pidfile),
		    "/run/timed.pid" },
		{ "ntsdumpdir", "ntsdumpdir /var/lib/timed", CNF(ntsdumpdir),
		    "/var/lib/timed" },
		{ "ntsntpserver", "ntsntpserver ntp.example.net",
		    CNF(ntsntpserver), "ntp.example.net" },
		{ "chrootdir", "chrootdir /var/empty", CNF(chrootdir),
		    "/var/empty" },
		{ "bindcmdaddress path", "bindcmdaddress /run/t.sock",
		    CNF(bindcmdaddress), "/run/t.sock" },
		{ "chronycsocket", "chronycsocket /run/chrony/chronyd.sock",
		    CNF(chronycsocket), "/run/chrony/chronyd.sock" },
		{ "trailing space", "driftfile /d  ", CNF(driftfile), "/d" },
	};
	struct conf	*c;
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		ck_assert_msg(strcmp(FIELD(c, rows[i].off, char *),
		    rows[i].want) == 0, "%s: got '%s'", rows[i].what,
		    FIELD(c, rows[i].off, char *));
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_string_last_wins)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;

	ck_assert_int_eq(parse(c, "driftfile /a", &d), 0);
	ck_assert_int_eq(parse(c, "driftfile /b", &d), 0);
	ck_assert_str_eq(c->driftfile, "/b");
	conf_free(c);
}
END_TEST

START_TEST(test_conf_list_directives)
{
	static const struct {
		const char	*what, *line1, *line2;
		size_t		 off;
		const char	*want1, *want2;
		int		 id1, id2;
	} rows[] = {
		{ "ntsserverkey", "ntsserverkey /k1", "ntsserverkey /k2",
		    CNF(ntsserverkey), "/k1", "/k2", 0, 0 },
		{ "ntsservercert", "ntsservercert /c1", "ntsservercert /c2",
		    CNF(ntsservercert), "/c1", "/c2", 0, 0 },
		{ "bindaddress", "bindaddress 192.0.2.1", "bindaddress ::1",
		    CNF(bindaddress), "192.0.2.1", "::1", 0, 0 },
		{ "ntstrustedcerts", "ntstrustedcerts /ca.pem",
		    "ntstrustedcerts 2 /etc/ca", CNF(ntstrustedcerts),
		    "/ca.pem", "/etc/ca", 0, 2 },
	};
	struct conf		*c;
	struct conf_diag	 d;
	struct conf_str		*s;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line1);
		ck_assert_msg(parse(c, rows[i].line2, &d) == 0, "%s: %s",
		    rows[i].what, d.msg);
		s = FIELD(c, rows[i].off, struct conf_str *);
		ck_assert_msg(s != NULL && s->next != NULL &&
		    s->next->next == NULL, "%s: two entries", rows[i].what);
		ck_assert_str_eq(s->s, rows[i].want1);
		ck_assert_str_eq(s->next->s, rows[i].want2);
		ck_assert_int_eq(s->id, rows[i].id1);
		ck_assert_int_eq(s->next->id, rows[i].id2);
		conf_free(c);
	}
}
END_TEST

/* Sources */

START_TEST(test_conf_source_defaults)
{
	static const struct {
		const char		*what, *line, *name;
		enum conf_src_type	 type;
	} rows[] = {
		{ "server", "server ntp.example.net", "ntp.example.net",
		    CONF_SRC_SERVER },
		{ "pool", "pool pool.ntp.org", "pool.ntp.org", CONF_SRC_POOL },
		{ "address", "server 192.0.2.1", "192.0.2.1",
		    CONF_SRC_SERVER },
	};
	struct conf		*c;
	struct conf_source	*s;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		ck_assert_ptr_nonnull(s = c->sources);
		ck_assert_ptr_null(s->next);
		ck_assert_str_eq(s->name, rows[i].name);
		ck_assert_int_eq(s->type, rows[i].type);
		ck_assert_int_eq(s->port, 123);
		ck_assert_int_eq(s->minpoll, 6);
		ck_assert_int_eq(s->maxpoll, 10);
		ck_assert_int_eq(s->ntsport, 4460);
		ck_assert_double_eq(s->maxdelay_s, 3.0);
		ck_assert_int_eq(s->maxsources, 4);
		ck_assert_int_eq(s->iburst + s->prefer + s->noselect + s->nts,
		    0);
		ck_assert_int_eq(s->key, 0);
		ck_assert_int_eq(s->certset, 0);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_source_options)
{
	struct conf		*c;
	struct conf_source	*s;
	struct conf_diag	 d;

	c = parse_ok("all options", "server a.example iburst burst "
	    "minpoll -7 maxpoll 24 prefer noselect nts xleave ntsport 4461 "
	    "certset 3 port 1123 maxdelay 0.5 trust require");
	s = c->sources;
	ck_assert_int_eq(s->burst, 1);
	ck_assert_int_eq(s->trust, 1);
	ck_assert_int_eq(s->require, 1);
	ck_assert_int_eq(s->iburst, 1);
	ck_assert_int_eq(s->xleave, 1);
	ck_assert_int_eq(s->minpoll, -7);
	ck_assert_int_eq(s->maxpoll, 24);
	ck_assert_int_eq(s->prefer, 1);
	ck_assert_int_eq(s->noselect, 1);
	ck_assert_int_eq(s->nts, 1);
	ck_assert_int_eq(s->ntsport, 4461);
	ck_assert_int_eq(s->certset, 3);
	ck_assert_int_eq(s->port, 1123);
	ck_assert_double_eq(s->maxdelay_s, 0.5);
	conf_free(c);

	/* key is kept (and printed), with no warning */
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server a key 4294967295", &d), 0);
	ck_assert_uint_eq(c->sources->key, 4294967295U);
	conf_free(c);

	c = parse_ok("pool maxsources", "pool p maxsources 16");
	ck_assert_int_eq(c->sources->maxsources, 16);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_source_order)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;

	ck_assert_int_eq(parse(c, "server a", &d), 0);
	ck_assert_int_eq(parse(c, "pool b", &d), 0);
	ck_assert_int_eq(parse(c, "server c", &d), 0);
	ck_assert_int_eq(nsources(c), 3);
	ck_assert_str_eq(c->sources->name, "a");
	ck_assert_str_eq(c->sources->next->name, "b");
	ck_assert_str_eq(c->sources->next->next->name, "c");
	conf_free(c);
}
END_TEST

START_TEST(test_conf_source_option_warnings)
{
	static const struct {
		const char	*what, *line, *option;
	} rows[] = {
		{ "maxsources on server", "server a maxsources 2",
		    "maxsources" },
		{ "maxsources on a peer", "peer a maxsources 2 minpoll 4",
		    "maxsources" },
		{ "key with nts", "server a nts key 3", "key" },
		{ "extfield with nts", "pool p nts extfield F323 iburst",
		    "extfield F323" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_msg(parse(c, rows[i].line, &d) == 1, "%s: %s",
		    rows[i].what, d.msg);
		ck_assert_int_eq(d.is_error, 0);
		ck_assert_msg(strstr(d.msg, rows[i].option) != NULL, "%s: %s",
		    rows[i].what, d.msg);
		ck_assert_msg(nsources(c) == 1, "%s: source kept",
		    rows[i].what);
		ck_assert_int_eq(c->nwarnings, 1);
		conf_free(c);
	}
}
END_TEST

/*
 * extfield F323, chrony's experimental field: kept for plain packets
 * (a server's, a pool's, a peer's); with NTS or a key, a warning that
 * names it, and not kept.  Any other field is an error (msg: the
 * error, or what the warning holds).
 */
START_TEST(test_conf_extfield)
{
	static const struct {
		const char	*what, *line;
		int		 rc, exp1;
		const char	*msg;
	} rows[] = {
		{ "server", "server a extfield F323", 0, 1, NULL },
		{ "pool", "pool p iburst extfield F323", 0, 1, NULL },
		{ "field in any case", "server a extfield f323", 0, 1, NULL },
		{ "option in any case", "server a EXTFIELD F323", 0, 1, NULL },
		{ "twice", "server a extfield F323 extfield F323", 0, 1,
		    NULL },
		{ "another field", "server a extfield F324", -1, 0,
		    "extfield: unknown field 'F324'" },
		{ "no field", "server a extfield", -1, 0,
		    "extfield: missing argument" },
		{ "with nts", "server a nts extfield F323", 1, 0,
		    "extfield F323" },
		{ "nts after it", "pool p extfield F323 nts", 1, 0,
		    "extfield F323" },
		{ "with a key", "server a extfield F323 key 5", 1, 0,
		    "extfield F323" },
		{ "on a peer", "peer 192.0.2.1 extfield F323", 0, 1, NULL },
		{ "on a peer with a key", "peer 192.0.2.1 key 3 extfield F323",
		    1, 0, "extfield F323" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;
	int			 rc;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		rc = parse(c, rows[i].line, &d);
		ck_assert_msg(rc == rows[i].rc, "%s: '%s' gave %d (%s)",
		    rows[i].what, rows[i].line, rc, d.msg);
		if (rc == -1)
			ck_assert_msg(strcmp(d.msg, rows[i].msg) == 0,
			    "%s: got \"%s\", want \"%s\"", rows[i].what,
			    d.msg, rows[i].msg);
		if (rc == 1)
			ck_assert_msg(strstr(d.msg, rows[i].msg) != NULL &&
			    d.is_error == 0, "%s: got \"%s\"", rows[i].what,
			    d.msg);
		ck_assert_int_eq(c->nwarnings, rc == 1);
		if (rc == -1) {
			ck_assert_ptr_null(c->sources);
			conf_free(c);
			continue;
		}
		ck_assert_msg(nsources(c) == 1, "%s: no source", rows[i].what);
		ck_assert_msg(c->sources->exp1 == rows[i].exp1, "%s: exp1 %d",
		    rows[i].what, c->sources->exp1);
		conf_free(c);
	}
}
END_TEST

/* Printed, and read back; a source with it is another without it. */
START_TEST(test_conf_extfield_print)
{
	struct conf		*c, *again;
	struct conf_diag	 d;
	char			*out, *line, *nl;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server a iburst extfield F323", &d), 0);
	ck_assert_int_eq(parse(c, "server b iburst", &d), 0);
	ck_assert_int_eq(parse(c, "server c nts extfield F323", &d), 1);
	out = print_conf(c);
	ck_assert_ptr_nonnull(line = strstr(out, "server a iburst extfield "
	    "F323\n"));
	ck_assert_ptr_nonnull(strstr(out, "server b iburst\n"));
	ck_assert_ptr_nonnull(strstr(out, "server c nts\n"));
	nl = strchr(line, '\n');
	*nl = '\0';
	ck_assert_ptr_nonnull(again = conf_new());
	ck_assert_int_eq(parse(again, line, &d), 0);
	ck_assert_int_eq(again->sources->exp1, 1);
	ck_assert(conf_source_equal(again->sources, c->sources));
	free(out);
	conf_free(again);
	conf_free(c);

	/* the same source but for it: not equal */
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server x extfield F323", &d), 0);
	ck_assert_int_eq(parse(c, "server x", &d), 0);
	ck_assert(!conf_source_equal(c->sources, c->sources->next));
	conf_free(c);
}
END_TEST

/* minsamples and maxsamples: of a source, a refclock, all (chronyd's). */
START_TEST(test_conf_samples)
{
	struct conf		*c;
	struct conf_diag	 d;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server a minsamples 4 maxsamples 8", &d),
	    0);
	ck_assert_int_eq(c->sources->minsamples, 4);
	ck_assert_int_eq(c->sources->maxsamples, 8);
	ck_assert_int_eq(parse(c, "server b maxsamples 500", &d), 1);
	ck_assert_int_eq(c->sources->next->maxsamples, 128);	/* clamped */
	ck_assert_int_eq(parse(c, "server b minsamples x", &d), -1);
	ck_assert_int_eq(parse(c, "refclock SHM 0 minsamples 2 maxsamples 3",
	    &d), 0);
	ck_assert_int_eq(c->refclocks->src.minsamples, 2);
	ck_assert_int_eq(c->refclocks->src.maxsamples, 3);
	ck_assert_int_eq(parse(c, "minsamples 5", &d), 0);
	ck_assert_int_eq(parse(c, "maxsamples 16", &d), 0);
	ck_assert_int_eq(c->minsamples, 5);
	ck_assert_int_eq(c->maxsamples, 16);
	ck_assert_int_eq(parse(c, "maxsamples 129", &d), 1);	/* clamped */
	ck_assert_int_eq(c->maxsamples, 128);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_source_warnings_one_a_line)
{
	struct conf	*c;
	struct conf_diag d;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server a maxsources 3 iburst key 5 nts",
	    &d), 1);
	ck_assert_str_eq(d.msg, "server: option 'maxsources' is only "
	    "meaningful for pool; ignored\nserver: options 'key' and 'nts' "
	    "together: key 5 ignored, NTS authenticates, as chronyd does");
	ck_assert_int_eq(c->nwarnings, 1);
	ck_assert_int_eq(c->sources->iburst, 1);
	conf_free(c);
}
END_TEST

/*
 * Issue 16: the warnings of one line were cut at 256 bytes and the rest
 * lost.  Each reaches the user whole, on a FILE:LINE line of its own,
 * even for a line of 64 options.  extfield F323 is implemented now: no
 * warning of its own among them.
 */
START_TEST(test_conf_warnings_whole)
{
	static const char *const opts[] = {
		"maxsources 4", "maxsources 8"
	};
	char		 dir[64], path[128], text[CONF_MAX_LINE];
	char		 want[512], *out, *q;
	struct conf	*c;
	size_t		 i, len;
	int		 n;

	mktmp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/timed.conf", dir);
	put(dir, "timed.conf", "server c polltarget 6 presend 3 "
	    "extfield F323 minsamples 4 maxsamples 8 maxsources 4 "
	    "maxsources 8\n");
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(load(c, path, &out), 0);
	for (i = 0; i < NELEM(opts); i++) {
		snprintf(want, sizeof(want), "%s:1: warning: server: "
		    "option '%.*s' is only meaningful for pool; ignored\n",
		    path, (int)strcspn(opts[i], " "), opts[i]);
		ck_assert_msg(strstr(out, want) != NULL, "no \"%s\" in \"%s\"",
		    want, out);
	}
	for (n = 0, q = out; (q = strchr(q, '\n')) != NULL; q++)
		n++;
	ck_assert_int_eq(n, (int)NELEM(opts));
	ck_assert_ptr_null(strstr(out, "extfield"));
	ck_assert_ptr_null(strstr(out, "samples"));
	ck_assert_int_eq(c->sources->exp1, 1);
	ck_assert_int_eq(c->sources->minsamples, 4);
	ck_assert_int_eq(c->sources->maxsamples, 8);
	free(out);
	conf_free(c);

	/* 31 options (62 words and the name), each warned about whole */
	len = (size_t)snprintf(text, sizeof(text), "server c");
	for (i = 0; i < 31; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    " maxsources 3");
	snprintf(text + len, sizeof(text) - len, "\n");
	put(dir, "timed.conf", text);
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(load(c, path, &out), 0);
	for (n = 0, q = out; (q = strstr(q, "is only meaningful for pool; "
	    "ignored\n")) != NULL; q++)
		n++;
	ck_assert_int_eq(n, 31);
	ck_assert_ptr_null(strstr(out, "not shown"));
	free(out);
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_peer)
{
	struct conf		*c;
	struct conf_diag	 d;
	char			*out;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "peer 192.0.2.1 minpoll 4 key 3", &d), 0);
	ck_assert_ptr_nonnull(c->sources);
	ck_assert_int_eq(c->sources->type, CONF_SRC_PEER);
	ck_assert_int_eq(c->sources->minpoll, 4);
	ck_assert_uint_eq(c->sources->key, 3);
	ck_assert_int_eq(c->sources->port, 123);
	ck_assert_int_eq(parse(c, "peer 192.0.2.1 minpoll x", &d), -1);
	ck_assert_str_eq(d.msg, "minpoll: bad number 'x'");
	/* no NTS between peers; interleaving not (yet) */
	ck_assert_int_eq(parse(c, "peer 192.0.2.2 nts", &d), -1);
	ck_assert_str_eq(d.msg, "peer: NTS is not possible with peers "
	    "(chronyd does not do it either); use a key");
	ck_assert_int_eq(parse(c, "peer 192.0.2.3 xleave", &d), 1);
	ck_assert_str_eq(d.msg, "peer 192.0.2.3: interleaved symmetric mode "
	    "is not implemented by timed; basic symmetric mode used");
	ck_assert_int_eq(c->sources->next->xleave, 0);
	/* the engine reads what conf_print() writes: a peer stays one */
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "peer 192.0.2.1 minpoll 4 key 3\n"));
	free(out);
	conf_free(c);
}
END_TEST

/* offset and minstratum, as chronyd reads them, and printed back */
START_TEST(test_conf_offset_minstratum)
{
	struct conf		*c;
	struct conf_diag	 d;
	char			*out;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server a offset -0.00005 minstratum 4",
	    &d), 0);
	ck_assert_double_eq(c->sources->offset_s, -0.00005);
	ck_assert_int_eq(c->sources->minstratum, 4);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "server a offset -5e-05 "
	    "minstratum 4\n"));
	free(out);
	ck_assert_int_eq(parse(c, "server b minstratum 20", &d), 1);
	ck_assert_int_eq(c->sources->next->minstratum, 15);
	ck_assert_int_eq(parse(c, "server c offset x", &d), -1);
	ck_assert_int_eq(parse(c, "server v version 3", &d), 0);
	ck_assert_int_eq(c->sources->next->next->version, 3);
	ck_assert_int_eq(parse(c, "server w version 5", &d), 1);
	ck_assert_int_eq(c->sources->next->next->next->version, 4);
	/* mindelay and asymmetry: an asymmetry given, even 0, is fixed */
	ck_assert_int_eq(parse(c, "server d mindelay 2e-4 asymmetry 0", &d),
	    0);
	ck_assert_double_eq(c->sources->next->next->next->next->mindelay_s,
	    2e-4);
	ck_assert_double_eq(c->sources->next->next->next->next->asymmetry,
	    0.0);
	ck_assert_double_eq(c->sources->next->asymmetry,
	    CONF_ASYMMETRY_ESTIMATED);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "server d mindelay 0.0002 "
	    "asymmetry 0\n"));
	ck_assert_ptr_nonnull(strstr(out, "server v version 3\n"));
	free(out);
	ck_assert_int_eq(parse(c, "server r maxdelayratio 2.5", &d), 0);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "server r maxdelayratio 2.5\n"));
	free(out);
	conf_free(c);
	/* filter: 0 (none) to 256, clamped as chronyd clamps it */
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "server f filter 15 maxdelaydevratio 2 "
	    "presend 6 offline ipv4 ipv6 auto_offline copy maxdelayquant 0.1",
	    &d), 0);
	ck_assert_double_eq(c->sources->maxdelayquant, 0.1);
	ck_assert_int_eq(c->sources->copy, 1);
	ck_assert_int_eq(c->sources->offline, 1);
	ck_assert_int_eq(c->sources->auto_offline, 1);
	ck_assert_int_eq(c->sources->family, 6);	/* the last, as chronyd */
	ck_assert_int_eq(c->sources->filter, 15);
	ck_assert_double_eq(c->sources->maxdelaydevratio, 2.0);
	ck_assert_int_eq(c->sources->presend, 6);
	ck_assert_int_eq(parse(c, "server g filter 1000", &d), 1);
	ck_assert_int_eq(c->sources->next->filter, 256);
	ck_assert_double_eq(c->sources->next->maxdelaydevratio,
	    CONF_MAXDELAYDEVRATIO);
	ck_assert_int_eq(c->sources->next->presend, CONF_PRESEND_NONE);
	ck_assert_int_eq(c->sources->next->offline, 0);
	ck_assert_int_eq(c->sources->next->family, 0);
	ck_assert_int_eq(parse(c, "server h filter x", &d), -1);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "server f filter 15 offline "
	    "auto_offline copy ipv6 presend 6 maxdelayquant 0.1 "
	    "maxdelaydevratio 2\n"));
	ck_assert_ptr_nonnull(strstr(out, "server g filter 256\n"));
	free(out);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_fallbackdrift)
{
	struct conf		*c;
	struct conf_diag	 d;
	char			*out;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "fallbackdrift 16 19", &d), 0);
	ck_assert_int_eq(c->fallbackdrift_min, 16);
	ck_assert_int_eq(c->fallbackdrift_max, 19);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "fallbackdrift 16 19\n"));
	free(out);
	ck_assert_int_eq(parse(c, "fallbackdrift 16", &d), -1);
	ck_assert_int_eq(parse(c, "fallbackdrift 6 40", &d), 1);
	ck_assert_str_eq(d.msg, "fallbackdrift: max 40 is more than 30; 30 "
	    "used");
	ck_assert_int_eq(c->fallbackdrift_max, 30);
	/* chronyd leaves it off unless 0 < min <= max */
	ck_assert_int_eq(parse(c, "fallbackdrift 10 6", &d), 1);
	ck_assert_str_eq(d.msg, "fallbackdrift 10 6: off, as in chronyd "
	    "(0 < min <= max)");
	ck_assert_int_eq(c->fallbackdrift_min, 0);
	conf_free(c);
}
END_TEST

/*
 * initstepslew THRESHOLD [HOST]...: the hosts as iburst servers of their
 * own list; a later line replaces an earlier one, as chronyd's.
 */
START_TEST(test_conf_initstepslew)
{
	struct conf		*c;
	struct conf_diag	 d;
	char			*out;

	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_ptr_null(c->initstepslew);
	ck_assert_int_eq(parse(c, "initstepslew 30 a.example 192.0.2.1",
	    &d), 0);
	ck_assert_double_eq(c->initstepslew_s, 30.0);
	ck_assert_ptr_nonnull(c->initstepslew);
	ck_assert_str_eq(c->initstepslew->name, "a.example");
	ck_assert_int_eq(c->initstepslew->iburst, 1);
	ck_assert_int_eq(c->initstepslew->type, CONF_SRC_SERVER);
	ck_assert_int_eq(c->initstepslew->port, 123);
	ck_assert_str_eq(c->initstepslew->next->name, "192.0.2.1");
	ck_assert_ptr_null(c->initstepslew->next->next);
	ck_assert_ptr_null(c->sources);		/* not configured sources */
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out,
	    "initstepslew 30 a.example 192.0.2.1\n"));
	free(out);
	ck_assert_int_eq(parse(c, "initstepslew 0.5 b.example", &d), 0);
	ck_assert_str_eq(c->initstepslew->name, "b.example");
	ck_assert_ptr_null(c->initstepslew->next);
	ck_assert_double_eq(c->initstepslew_s, 0.5);
	ck_assert_int_eq(parse(c, "initstepslew 10", &d), 0);
	ck_assert_ptr_null(c->initstepslew);
	ck_assert_int_eq(parse(c, "initstepslew", &d), -1);
	ck_assert_int_eq(parse(c, "initstepslew fast a.example", &d), -1);
	ck_assert_str_eq(d.msg, "initstepslew: bad number 'fast'");
	conf_free(c);
}
END_TEST

/* Chrony directives timed does not implement */

/*
 * Each with a line chronyd 4.3 accepts (and timed warns about), and the
 * number of arguments that chronyd refuses.
 */
START_TEST(test_conf_unimplemented_directives)
{
	static const struct {
		const char	*ok, *bad;
	} rows[] = {
		{ "authselectmode require", "authselectmode" },
		{ "broadcast 30 192.0.2.255", "broadcast 30" },
		{ "broadcast 30 192.0.2.255 123", "broadcast 30 a 1 2" },
		{ "clockprecision 1e-9", "clockprecision" },
		{ "cmdallow", "cmdallow 1 2 3" },
		{ "cmddeny all 10/8", "cmddeny all 10/8 x" },
		{ "cmdratelimit interval -4 burst 16", NULL },
		{ "commandkey 1", NULL },
		{ "dscp 46", "dscp" },
		{ "dumpdir /var/lib/chrony", "dumpdir" },
		{ "dumponexit", NULL },
		{ "generatecommandkey", NULL },
		{ "hwclockfile /etc/adjtime", "hwclockfile" },
		{ "hwtsinterface eth0", NULL },
		{ "leapseclist /usr/share/zoneinfo/leap-seconds.list", NULL },
		{ "linux_freq_scale 1", NULL },
		{ "linux_hz 100", NULL },
		{ "lock_all", "lock_all 1" },
		{ "mailonchange root@localhost 0.5", "mailonchange root" },
		{ "manual", "manual 1" },
		{ "maxclockerror 10", "maxclockerror" },
		{ "ntpsigndsocket /var/lib/samba/ntp_signd", "ntpsigndsocket" },
		{ "ntsaeads 30 15", NULL },
		{ "ntscachedir /var/lib/chrony", "ntscachedir" },
		{ "ntsprocesses 2", "ntsprocesses" },
		{ "opencommands", NULL },
		{ "ptpdomain 0", NULL },
		{ "ptpport 319", "ptpport" },
		{ "rtcautotrim 30", "rtcautotrim" },
		{ "rtcdevice /dev/rtc", "rtcdevice" },
		{ "rtcfile /var/lib/chrony/rtc", "rtcfile" },
		{ "rtconutc", "rtconutc 1" },
		{ "sched_priority 1", "sched_priority" },
		{ "tempcomp /t 30 26000 0.0 0.000183 0.0", "tempcomp /t 30" },
		{ "tempcomp /t 30 /points", "tempcomp /t 30 1 2" },
		{ "bindacqaddress 0.0.0.0", "bindacqaddress" },
		{ "bindacqdevice eth0", "bindacqdevice" },
		{ "binddevice eth0", "binddevice a b" },
		{ "bindcmddevice eth0", "bindcmddevice" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	char			 want[256];
	size_t			 i;

	ck_assert_ptr_nonnull(c = conf_new());
	for (i = 0; i < NELEM(rows); i++) {
		snprintf(want, sizeof(want), "chrony directive '%.*s' is not "
		    "implemented by timed; ignored",
		    (int)strcspn(rows[i].ok, " "), rows[i].ok);
		ck_assert_msg(parse(c, rows[i].ok, &d) == 1, "%s: %s",
		    rows[i].ok, d.msg);
		ck_assert_int_eq(d.is_error, 0);
		ck_assert_str_eq(d.msg, want);
		if (rows[i].bad != NULL)
			ck_assert_msg(parse(c, rows[i].bad, &d) == -1,
			    "%s: accepted", rows[i].bad);
	}
	ck_assert_int_eq(c->nwarnings, (int)NELEM(rows));
	conf_free(c);
}
END_TEST

/* Which configurations need the engine with OpenSSL (timed-engine). */
START_TEST(test_conf_needs_crypto)
{
	static const struct {
		const char	*what;
		const char	*lines[3];
		int		 want;
	} t[] = {
		{ "empty", { NULL }, 0 },
		{ "plain client and server",
		    { "server a iburst", "pool b", "allow" }, 0 },
		{ "an NTS source", { "server a", "server b nts" }, 1 },
		{ "an NTS pool", { "pool b nts" }, 1 },
		{ "an NTS server's certificate", { "ntsservercert /c" }, 1 },
		{ "an NTS server's key", { "ntsserverkey /k" }, 1 },
		{ "a keyfile", { "keyfile /k" }, 1 },
		{ "a sourcedir: NTS sources later", { "sourcedir /d" }, 1 },
	};
	struct conf_diag	 d;
	struct conf		*c;
	size_t			 i, j;

	for (i = 0; i < NELEM(t); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		for (j = 0; j < NELEM(t[i].lines) && t[i].lines[j] != NULL;
		    j++)
			ck_assert_msg(parse(c, t[i].lines[j], &d) == 0,
			    "%s: %s: %s", t[i].what, t[i].lines[j], d.msg);
		ck_assert_msg(conf_needs_crypto(c) == t[i].want, "%s: want %d",
		    t[i].what, t[i].want);
		conf_free(c);
	}
}
END_TEST

/* Directives with their own syntax */

START_TEST(test_conf_makestep)
{
	static const struct {
		const char	*what, *line;
		double		 thr;
		int		 limit;
	} rows[] = {
		{ "chrony's example", "makestep 1 3", 1, 3 },
		{ "fraction", "makestep 0.1 10", 0.1, 10 },
		{ "always", "makestep 1000 -1", 1000, -1 },
		{ "any negative is always", "makestep 1 -5", 1, -1 },
	};
	struct conf	*c;
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		ck_assert_int_eq(c->makestep_set, 1);
		ck_assert_double_eq(c->makestep_threshold_s, rows[i].thr);
		ck_assert_int_eq(c->makestep_limit, rows[i].limit);
		conf_free(c);
	}
}
END_TEST

/*
 * leapsecmode: slew and ignore kept, step taken as system (the kernel's
 * insertion is a step), anything else an error.  smoothtime leaponly
 * without slew smooths nothing: the file gets a warning naming its line.
 */
START_TEST(test_conf_leapsecmode)
{
	struct conf		*c;
	struct conf_diag	 d;
	char			 dir[64], path[128], want[256], *out;

	c = parse_ok("slew", "leapsecmode slew");
	ck_assert_int_eq(c->leapsecmode, CONF_LEAP_SLEW);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "leapsecmode slew\n"));
	free(out);
	conf_free(c);
	c = parse_ok("ignore", "leapsecmode ignore");
	ck_assert_int_eq(c->leapsecmode, CONF_LEAP_IGNORE);
	conf_free(c);
	c = parse_rc("step", "leapsecmode step", 1);
	ck_assert_int_eq(c->leapsecmode, CONF_LEAP_SYSTEM);
	conf_free(c);
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(parse(c, "leapsecmode smear", &d), -1);
	ck_assert_str_eq(d.msg, "leapsecmode: 'smear' is not system, step, "
	    "slew or ignore");
	conf_free(c);

	mktmp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/timed.conf", dir);
	put(dir, "timed.conf", "smoothtime 400 0.001 leaponly\n");
	ck_assert_ptr_nonnull(c = conf_new());
	ck_assert_int_eq(load(c, path, &out), 0);
	snprintf(want, sizeof(want), "%s:1: warning: smoothtime leaponly "
	    "smooths the leap seconds timed slews", path);
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	free(out);
	conf_free(c);
	put(dir, "timed.conf", "smoothtime 400 0.001 leaponly\n"
	    "leapsecmode slew\n");
	c = load_clean(path);
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_smoothtime)
{
	struct conf	*c = parse_ok("smoothtime", "smoothtime 400 0.001");

	ck_assert_int_eq(c->smoothtime_set, 1);
	ck_assert_double_eq(c->smooth_max_freq_ppm, 400.0);
	ck_assert_double_eq(c->smooth_max_wander_ppm, 0.001);
	ck_assert_int_eq(c->smooth_leaponly, 0);
	conf_free(c);
	/* leaponly: kept (the warning is conf_check()'s) */
	c = parse_ok("smoothtime leaponly", "smoothtime 400 0.001 leaponly");
	ck_assert_int_eq(c->smooth_leaponly, 1);
	conf_free(c);
	/* chronyd turns it off with a value not above 0 */
	c = parse_rc("smoothtime negative", "smoothtime -1 0.001", 1);
	ck_assert_double_eq(c->smooth_max_freq_ppm, 0.0);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_maxchange)
{
	struct conf	*c = parse_ok("maxchange", "maxchange 1000 1 2");

	ck_assert_int_eq(c->maxchange_set, 1);
	ck_assert_double_eq(c->maxchange_offset_s, 1000);
	ck_assert_int_eq(c->maxchange_start, 1);
	ck_assert_int_eq(c->maxchange_ignore, 2);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_local)
{
	static const struct {
		const char	*what, *line;
		int		 stratum, orphan;
		double		 distance;
	} rows[] = {
		{ "bare", "local", 10, 0, 1.0 },
		{ "stratum", "local stratum 3", 3, 0, 1.0 },
		{ "stratum 1", "local stratum 1", 1, 0, 1.0 },
		{ "stratum 15", "local stratum 15", 15, 0, 1.0 },
		{ "orphan", "local orphan", 10, 1, 1.0 },
		{ "all", "local stratum 5 orphan distance 0.5", 5, 1, 0.5 },
		{ "other order", "local distance 2 stratum 8", 8, 0, 2.0 },
	};
	struct conf	*c;
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_rc(rows[i].what, rows[i].line, 0);
		ck_assert_int_eq(c->local_set, 1);
		ck_assert_int_eq(c->local_orphan, rows[i].orphan);
		ck_assert_int_eq(c->local_stratum, rows[i].stratum);
		ck_assert_double_eq(c->local_distance_s, rows[i].distance);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_log)
{
	static const struct {
		const char	*what, *line;
		int		 flags;
		int		 rc;	/* 1: warns, not implemented, not kept */
	} rows[] = {
		{ "measurements", "log measurements", CONF_LOG_MEASUREMENTS, 0 },
		{ "statistics", "log statistics", CONF_LOG_STATISTICS, 0 },
		{ "tracking", "log tracking", CONF_LOG_TRACKING, 0 },
		{ "rtc", "log rtc", 0, 1 },
		{ "refclocks", "log refclocks", CONF_LOG_REFCLOCKS, 0 },
		{ "tempcomp", "log tempcomp", 0, 1 },
		{ "rawmeasurements", "log rawmeasurements",
		    CONF_LOG_MEASUREMENTS | CONF_LOG_RAWMEASUREMENTS, 0 },
		{ "selection", "log selection", 0, 1 },
		{ "several", "log measurements statistics tracking",
		    CONF_LOG_MEASUREMENTS | CONF_LOG_STATISTICS |
		    CONF_LOG_TRACKING, 0 },
		{ "implemented and not", "log tracking selection",
		    CONF_LOG_TRACKING, 1 },
		{ "refclocks and not", "log refclocks rtc", CONF_LOG_REFCLOCKS,
		    1 },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_rc(rows[i].what, rows[i].line, rows[i].rc);
		ck_assert_msg(c->log_flags == rows[i].flags, "%s: %#x",
		    rows[i].what, c->log_flags);
		conf_free(c);
	}
	c = parse_rc("two lines add up", "log rtc", 1);
	ck_assert_int_eq(parse(c, "log tracking", &d), 0);
	ck_assert_int_eq(c->log_flags, CONF_LOG_TRACKING);
	ck_assert_int_eq(parse(c, "log selection", &d), 1);
	ck_assert_str_eq(d.msg, "log: chrony's 'selection' log is not "
	    "implemented by timed; ignored");
	conf_free(c);
}
END_TEST

START_TEST(test_conf_ratelimit)
{
	static const struct {
		const char	*what, *line;
		int		 nts, interval, burst, leak;
	} rows[] = {
		{ "bare enables", "ratelimit", 0, 3, 8, 2 },
		{ "interval", "ratelimit interval 1", 0, 1, 8, 2 },
		{ "all", "ratelimit interval -19 burst 255 leak 0", 0, -19,
		    255, 0 },
		{ "limits", "ratelimit interval 12 burst 1 leak 4", 0, 12, 1,
		    4 },
		{ "nts bare", "ntsratelimit", 1, 6, 8, 2 },
		{ "nts all", "ntsratelimit leak 3 burst 4 interval 6", 1, 6,
		    4, 3 },
	};
	struct conf	*c;
	size_t		 i;
	int		 set, iv, burst, leak;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		set = rows[i].nts ? c->ntsratelimit_set : c->ratelimit_set;
		iv = rows[i].nts ? c->ntsratelimit_interval :
		    c->ratelimit_interval;
		burst = rows[i].nts ? c->ntsratelimit_burst :
		    c->ratelimit_burst;
		leak = rows[i].nts ? c->ntsratelimit_leak : c->ratelimit_leak;
		ck_assert_msg(set == 1 && iv == rows[i].interval &&
		    burst == rows[i].burst && leak == rows[i].leak,
		    "%s: %d %d %d %d", rows[i].what, set, iv, burst, leak);
		ck_assert_int_eq(rows[i].nts ? c->ratelimit_set :
		    c->ntsratelimit_set, 0);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_clock)
{
	static const struct {
		const char	*what, *line;
		enum conf_clock	 clock;
		double		 offset, freq;
	} rows[] = {
		{ "kernel", "clock kernel", CONF_CLOCK_KERNEL, 0, 0 },
		{ "virtual", "clock virtual", CONF_CLOCK_VIRTUAL, 0, 0 },
		{ "offset and frequency",
		    "clock virtual offset 2.5 frequency -30",
		    CONF_CLOCK_VIRTUAL, 2.5, -30 },
		{ "frequency first", "clock virtual frequency 500 offset -3600",
		    CONF_CLOCK_VIRTUAL, -3600, 500 },
		{ "5% fast", "clock virtual frequency 50000",
		    CONF_CLOCK_VIRTUAL, 0, 50000 },
		{ "10% slow", "clock virtual frequency -100000",
		    CONF_CLOCK_VIRTUAL, 0, -100000 },
	};
	struct conf	*c;
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		ck_assert_int_eq(c->clock, rows[i].clock);
		ck_assert_double_eq(c->clock_offset_s, rows[i].offset);
		ck_assert_double_eq(c->clock_freq_ppm, rows[i].freq);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_bindcmdaddress_ip_warns)
{
	static const char *const lines[] = {
		"bindcmdaddress 127.0.0.1", "bindcmdaddress ::1"
	};
	struct conf		*c;
	struct conf_diag	 d;
	char			 want[256];
	size_t			 i;

	for (i = 0; i < NELEM(lines); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_int_eq(parse(c, lines[i], &d), 1);
		snprintf(want, sizeof(want), "bindcmdaddress: timed only "
		    "supports a Unix socket path; '%s' ignored",
		    lines[i] + strlen("bindcmdaddress "));
		ck_assert_str_eq(d.msg, want);
		ck_assert_str_eq(c->bindcmdaddress, TIMED_SOCKET);
		ck_assert_int_eq(c->nwarnings, 1);
		conf_free(c);
	}
}
END_TEST

/*
 * Issue 16: what timed accepts and ignores is warned about, in timed -p
 * and at start: log selection, a UDP cmdport.
 */
START_TEST(test_conf_ignored_warn)
{
	static const struct {
		const char	*what, *line, *msg;
	} rows[] = {
		{ "log selection", "log selection",
		    "log: chrony's 'selection' log is not implemented by "
		    "timed; ignored" },
		{ "cmdport", "cmdport 323", "cmdport: timed has no UDP "
		    "command port (timectl uses bindcmdaddress's socket); "
		    "ignored" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_msg(parse(c, rows[i].line, &d) == 1, "%s: %s",
		    rows[i].what, d.msg);
		ck_assert_int_eq(d.is_error, 0);
		if (rows[i].msg != NULL)
			ck_assert_str_eq(d.msg, rows[i].msg);
		conf_free(c);
	}
	c = parse_ok("cmdport 0 is what timed does", "cmdport 0");
	conf_free(c);
}
END_TEST

/* hwtimestamp: chrony's defaults, its options kept, lines in order */
START_TEST(test_conf_hwtimestamp)
{
	struct conf		*c;
	struct conf_hwts	*h;
	struct conf_diag	 d;

	c = parse_ok("defaults", "hwtimestamp eth0");
	ck_assert_int_eq(c->nwarnings, 0);
	ck_assert_ptr_nonnull(h = c->hwts);
	ck_assert_str_eq(h->name, "eth0");
	ck_assert_int_eq(h->minpoll, 0);
	ck_assert_int_eq(h->minsamples, 2);
	ck_assert_int_eq(h->maxsamples, 16);
	ck_assert_double_eq(h->precision_s, 100e-9);
	ck_assert_double_eq(h->rxcomp_s, 0.0);
	ck_assert_double_eq(h->txcomp_s, 0.0);
	ck_assert_int_eq(h->nocrossts, 0);
	ck_assert_int_eq(h->rxfilter, CONF_RXF_ANY);
	ck_assert_ptr_null(h->next);
	ck_assert_int_eq(parse(c, "hwtimestamp * MINPOLL 3 rxfilter ALL",
	    &d), 0);
	ck_assert_int_eq(parse(c, "hwtimestamp eth1 minpoll -6 "
	    "minsamples 4 maxsamples 32 precision 1e-8 txcomp 3e-7 "
	    "rxcomp 6.45e-7 nocrossts rxfilter ntp", &d), 0);
	ck_assert_int_eq(c->nwarnings, 0);
	ck_assert_ptr_nonnull(h = h->next);
	ck_assert_str_eq(h->name, "*");
	ck_assert_int_eq(h->minpoll, 3);
	ck_assert_int_eq(h->rxfilter, CONF_RXF_ALL);
	ck_assert_ptr_nonnull(h = h->next);
	ck_assert_str_eq(h->name, "eth1");
	ck_assert_int_eq(h->minpoll, -6);
	ck_assert_int_eq(h->minsamples, 4);
	ck_assert_int_eq(h->maxsamples, 32);
	ck_assert_double_eq(h->precision_s, 1e-8);
	ck_assert_double_eq(h->txcomp_s, 3e-7);
	ck_assert_double_eq(h->rxcomp_s, 6.45e-7);
	ck_assert_int_eq(h->nocrossts, 1);
	ck_assert_int_eq(h->rxfilter, CONF_RXF_NTP);
	ck_assert_str_eq(conf_rxfilter_name(h->rxfilter), "ntp");
	ck_assert_str_eq(conf_rxfilter_name(CONF_RXF_ANY), "any");
	conf_free(c);
}
END_TEST

/* hwtimestamp's options, checked as chronyd 4.3 checks them */
START_TEST(test_conf_hwtimestamp_errors)
{
	static const struct {
		const char	*what, *line, *msg;
	} rows[] = {
		{ "unknown option", "hwtimestamp eth0 foo",
		    "hwtimestamp: unknown option 'foo'" },
		{ "bad number", "hwtimestamp eth0 minpoll x",
		    "minpoll: bad number 'x'" },
		{ "number with junk", "hwtimestamp eth0 minpoll 3x",
		    "minpoll: bad number '3x'" },
		{ "missing value", "hwtimestamp eth0 precision",
		    "precision: missing argument" },
		{ "bad filter", "hwtimestamp eth0 rxfilter foo",
		    "rxfilter: unknown filter 'foo'" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_msg(parse(c, rows[i].line, &d) == -1, "%s: accepted",
		    rows[i].what);
		ck_assert_str_eq(d.msg, rows[i].msg);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_actions)
{
	static const struct {
		const char		*what, *line, *arg;
		enum conf_action	 act;
	} rows[] = {
		{ "include", "include /etc/timed.d/*.conf",
		    "/etc/timed.d/*.conf", CONF_ACT_INCLUDE },
		{ "confdir one", "confdir /etc/chrony/conf.d",
		    "/etc/chrony/conf.d", CONF_ACT_CONFDIR },
		{ "confdir two", "confdir  /a\t/b", "/a /b",
		    CONF_ACT_CONFDIR },
		{ "sourcedir", "sourcedir /run/chrony-dhcp /etc/s.d",
		    "/run/chrony-dhcp /etc/s.d", CONF_ACT_SOURCEDIR },
	};
	struct conf		*c;
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_msg(conf_parse_line(c, rows[i].line, 0, &act, arg,
		    sizeof(arg), &d) == 0, "%s: %s", rows[i].what, d.msg);
		ck_assert_int_eq(act, rows[i].act);
		ck_assert_str_eq(arg, rows[i].arg);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_action_arg_too_long)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[8];

	ck_assert_int_eq(conf_parse_line(c, "confdir /abc /def", 0, &act,
	    arg, sizeof(arg), &d), -1);
	ck_assert_str_eq(d.msg, "confdir: arguments too long");
	ck_assert_int_eq(act, CONF_ACT_NONE);
	conf_free(c);
}
END_TEST

/* allow and deny */

START_TEST(test_conf_acl)
{
	static const struct {
		const char	*what, *line;
		int		 allow, all, family;
		const char	*addr;
		int		 prefixlen;
	} rows[] = {
		{ "bare allow", "allow", 1, 0, AF_UNSPEC, NULL, 0 },
		{ "allow all", "allow all", 1, 1, AF_UNSPEC, NULL, 0 },
		{ "deny all", "deny all", 0, 1, AF_UNSPEC, NULL, 0 },
		{ "bare deny", "deny", 0, 0, AF_UNSPEC, NULL, 0 },
		{ "two octets /16", "allow 192.168/16", 1, 0, AF_INET,
		    "192.168.0.0", 16 },
		{ "three octets", "allow 192.168.1", 1, 0, AF_INET,
		    "192.168.1.0", 24 },
		{ "one octet /8", "allow 10/8", 1, 0, AF_INET, "10.0.0.0", 8 },
		{ "one octet", "allow 10", 1, 0, AF_INET, "10.0.0.0", 8 },
		{ "host", "allow 1.2.3.4", 1, 0, AF_INET, "1.2.3.4", 32 },
		{ "host bits cleared", "allow 192.168.1.77/24", 1, 0, AF_INET,
		    "192.168.1.0", 24 },
		{ "odd prefix", "allow 10.31.2.3/12", 1, 0, AF_INET,
		    "10.16.0.0", 12 },
		{ "all IPv4", "allow 0.0.0.0/0", 1, 0, AF_INET, "0.0.0.0", 0 },
		{ "all IPv6", "allow ::/0", 1, 0, AF_INET6, "::", 0 },
		{ "IPv6 /32", "allow 2001:db8::/32", 1, 0, AF_INET6,
		    "2001:db8::", 32 },
		{ "IPv6 host", "deny 2001:db8::1", 0, 0, AF_INET6,
		    "2001:db8::1", 128 },
		{ "IPv6 odd prefix", "allow 2001:db8:abcd:12ff::/57", 1, 0,
		    AF_INET6, "2001:db8:abcd:1280::", 57 },
		{ "all with subnet", "allow all 10/8", 1, 1, AF_INET,
		    "10.0.0.0", 8 },
		{ "deny /25", "deny 192.168.1.128/25", 0, 0, AF_INET,
		    "192.168.1.128", 25 },
	};
	struct conf	*c;
	struct conf_acl	*a;
	char		 buf[INET6_ADDRSTRLEN];
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		a = last_acl(c);
		ck_assert_msg(a->allow == rows[i].allow &&
		    a->all == rows[i].all && a->net.family == rows[i].family,
		    "%s: allow %d all %d family %d", rows[i].what, a->allow,
		    a->all, a->net.family);
		if (rows[i].addr != NULL) {
			inet_ntop(a->net.family, a->net.addr, buf, sizeof(buf));
			ck_assert_msg(strcmp(buf, rows[i].addr) == 0, "%s: %s",
			    rows[i].what, buf);
			ck_assert_int_eq(a->net.prefixlen, rows[i].prefixlen);
		}
		conf_free(c);
	}
}
END_TEST

/* ntsonly: allow's form, a list of its own; allow/deny untouched. */
START_TEST(test_conf_ntsonly)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;
	char			 buf[INET6_ADDRSTRLEN];

	ck_assert_int_eq(parse(c, "allow all", &d), 0);
	ck_assert_int_eq(parse(c, "ntsonly 10.1/16", &d), 0);
	ck_assert_int_eq(parse(c, "ntsonly all 2001:db8::/32", &d), 0);
	ck_assert_ptr_null(c->acl->next);
	ck_assert_int_eq(c->ntsonly->allow, 1);
	ck_assert_int_eq(c->ntsonly->net.family, AF_INET);
	inet_ntop(AF_INET, c->ntsonly->net.addr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0");
	ck_assert_int_eq(c->ntsonly->net.prefixlen, 16);
	ck_assert_int_eq(c->ntsonly->next->all, 1);
	ck_assert_int_eq(c->ntsonly->next->net.family, AF_INET6);
	ck_assert_int_eq(parse(c, "ntsonly 10.1.2.3.4", &d), -1);
	ck_assert_str_eq(d.msg, "ntsonly: bad subnet '10.1.2.3.4'");
	conf_free(c);
}
END_TEST

START_TEST(test_conf_acl_file_order)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;

	ck_assert_int_eq(parse(c, "deny 10.1/16", &d), 0);
	ck_assert_int_eq(parse(c, "allow 10/8", &d), 0);
	ck_assert_int_eq(c->acl->allow, 0);
	ck_assert_int_eq(c->acl->next->allow, 1);
	ck_assert_ptr_null(c->acl->next->next);
	conf_free(c);
}
END_TEST

static void
make_sa(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return;
	}
	ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
	sin6->sin6_family = AF_INET6;
}

START_TEST(test_conf_subnet_match)
{
	static const struct {
		const char	*what, *line, *addr;
		int		 want;
	} rows[] = {
		{ "bare allow, IPv4", "allow", "192.0.2.1", 1 },
		{ "bare allow, IPv6", "allow", "2001:db8::1", 1 },
		{ "allow all", "allow all", "198.51.100.7", 1 },
		{ "/16 inside", "allow 192.168/16", "192.168.5.5", 1 },
		{ "/16 outside", "allow 192.168/16", "192.169.0.1", 0 },
		{ "/12 last", "allow 10.0.0.0/12", "10.15.255.255", 1 },
		{ "/12 next", "allow 10.0.0.0/12", "10.16.0.0", 0 },
		{ "host same", "allow 1.2.3.4", "1.2.3.4", 1 },
		{ "host other", "allow 1.2.3.4", "1.2.3.5", 0 },
		{ "v4 any, v4", "allow 0.0.0.0/0", "8.8.8.8", 1 },
		{ "v4 any, v6", "allow 0.0.0.0/0", "::1", 0 },
		{ "v6 any, v6", "allow ::/0", "::1", 1 },
		{ "v6 any, v4", "allow ::/0", "192.0.2.1", 0 },
		{ "v6 /32 inside", "allow 2001:db8::/32", "2001:db8:1::1", 1 },
		{ "v6 /32 outside", "allow 2001:db8::/32", "2001:db9::1", 0 },
		{ "v6 /33 inside", "allow 2001:db8::/33", "2001:db8:7fff::1",
		    1 },
		{ "v6 /33 outside", "allow 2001:db8::/33", "2001:db8:8000::1",
		    0 },
		{ "v4-mapped inside", "allow 10/8", "::ffff:10.1.2.3", 1 },
		{ "v4-mapped outside", "allow 10/8", "::ffff:11.1.2.3", 0 },
		{ "v4-compatible is not mapped", "allow 10/8", "::10.1.2.3",
		    0 },
	};
	struct sockaddr_storage	 ss;
	struct conf		*c;
	size_t			 i;
	int			 got;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line);
		make_sa(rows[i].addr, &ss);
		got = conf_subnet_match(&last_acl(c)->net,
		    (struct sockaddr *)&ss);
		ck_assert_msg(got == rows[i].want, "%s: got %d", rows[i].what,
		    got);
		conf_free(c);
	}
}
END_TEST

/* Errors */

START_TEST(test_conf_errors)
{
	static const struct {
		const char	*what, *line, *msg;
	} rows[] = {
		{ "unknown directive", "frobnicate 1",
		    "unknown directive 'frobnicate'" },
		{ "missing file", "driftfile", "driftfile: missing argument" },
		{ "missing name", "server", "server: missing argument" },
		{ "missing number", "minsources",
		    "minsources: missing argument" },
		{ "missing option value", "server a minpoll",
		    "minpoll: missing argument" },
		{ "missing chrony option value", "server a minsamples",
		    "minsamples: missing argument" },
		{ "bad number", "minsources x", "minsources: bad number 'x'" },
		{ "bad double", "maxdistance abc",
		    "maxdistance: bad number 'abc'" },
		{ "nan", "maxdistance nan", "maxdistance: bad number 'nan'" },
		{ "key 0", "server a key 0",
		    "key: '0' out of range 1..4294967295" },
		{ "key too big", "server a key 4294967296",
		    "key: '4294967296' out of range 1..4294967295" },
		{ "unknown option", "server a bogus",
		    "server: unknown option 'bogus'" },
		{ "local stratum 16", "local stratum 16",
		    "stratum: '16' out of range 1..15" },
		{ "local stratum 0", "local stratum 0",
		    "stratum: '0' out of range 1..15" },
		{ "local stratum missing", "local stratum",
		    "stratum: missing argument" },
		{ "local option", "local bogus",
		    "local: unknown option 'bogus'" },
		{ "local distance", "local distance x",
		    "distance: bad number 'x'" },
		{ "log option", "log bogus", "log: unknown option 'bogus'" },
		{ "makestep one", "makestep 1", "makestep: missing argument" },
		{ "smoothtime one", "smoothtime 400",
		    "smoothtime: missing argument" },
		{ "smoothtime word", "smoothtime 400 0.001 always",
		    "smoothtime: unexpected 'always'" },
		{ "smoothtime four", "smoothtime 400 0.001 leaponly x",
		    "smoothtime: unexpected 'x'" },
		{ "makestep three", "makestep 1 2 3",
		    "makestep: unexpected '3'" },
		{ "makestep limit", "makestep 1 x",
		    "makestep: bad number 'x'" },
		{ "maxchange two", "maxchange 1 2",
		    "maxchange: missing argument" },
		{ "ratelimit missing", "ratelimit interval",
		    "interval: missing argument" },
		{ "ratelimit option", "ratelimit foo 1",
		    "ratelimit: unknown option 'foo'" },
		{ "octet 256", "allow 192.168.1.256",
		    "allow: bad subnet '192.168.1.256'" },
		{ "prefix 33", "allow 10/33", "allow: bad subnet '10/33'" },
		{ "prefix 129", "allow 2001:db8::/129",
		    "allow: bad subnet '2001:db8::/129'" },
		{ "five octets", "allow 1.2.3.4.5",
		    "allow: bad subnet '1.2.3.4.5'" },
		{ "host name", "deny foo.example.net",
		    "deny: bad subnet 'foo.example.net'" },
		{ "double slash", "allow 10//8", "allow: bad subnet '10//8'" },
		{ "no address", "allow /8", "allow: bad subnet '/8'" },
		{ "no prefix", "allow 10/", "allow: bad subnet '10/'" },
		{ "empty octet", "allow 1..2", "allow: bad subnet '1..2'" },
		{ "trailing dot", "allow 1.2.", "allow: bad subnet '1.2.'" },
		{ "negative prefix", "allow 10/-1",
		    "allow: bad subnet '10/-1'" },
		{ "bad IPv6", "allow 2001:db8:::1",
		    "allow: bad subnet '2001:db8:::1'" },
		{ "all all", "allow all all", "allow: bad subnet 'all'" },
		{ "acl junk", "deny 10/8 extra", "deny: unexpected 'extra'" },
		{ "bindaddress partial", "bindaddress 1.2.3",
		    "bindaddress: bad address '1.2.3'" },
		{ "bindaddress name", "bindaddress localhost",
		    "bindaddress: bad address 'localhost'" },
		{ "bindcmdaddress relative", "bindcmdaddress t.sock",
		    "bindcmdaddress: bad address 't.sock'" },
		{ "chronycsocket relative", "chronycsocket chronyd.sock",
		    "chronycsocket: 'chronyd.sock' is not an absolute path" },
		{ "chronycsocket too long", "chronycsocket /" LONG_PATH,
		    "chronycsocket: path too long" },
		{ "chronycsocket missing", "chronycsocket",
		    "chronycsocket: missing argument" },
		{ "flag with junk", "rtcsync yes",
		    "rtcsync: unexpected 'yes'" },
		{ "string with junk", "driftfile /a /b",
		    "driftfile: unexpected '/b'" },
		{ "trailing comment is junk", "driftfile /a # drift",
		    "driftfile: unexpected '#'" },
		{ "noclientlog junk", "noclientlog x",
		    "noclientlog: unexpected 'x'" },
		{ "clock missing", "clock", "clock: missing argument" },
		{ "clock unknown", "clock atomic",
		    "clock: unknown clock 'atomic'" },
		{ "clock kernel offset", "clock kernel offset 1",
		    "clock: unexpected 'offset'" },
		{ "clock frequency", "clock virtual frequency 100001",
		    "frequency: '100001' out of range -100000..100000" },
		{ "maxdrift missing", "maxdrift", "maxdrift: missing argument" },
		{ "maxdrift two", "maxdrift 1 2", "maxdrift: unexpected '2'" },
		{ "maxdrift word", "maxdrift x", "maxdrift: bad number 'x'" },
		{ "maxdrift junk", "maxdrift 500ppm",
		    "maxdrift: bad number '500ppm'" },
		{ "maxdrift NaN", "maxdrift nan", "maxdrift: bad number 'nan'" },
		{ "maxdrift negative", "maxdrift -1",
		    "maxdrift: '-1' out of range 0..500000" },
		{ "maxdrift past chrony's", "maxdrift 500001",
		    "maxdrift: '500001' out of range 0..500000" },
		{ "maxdrift infinite", "maxdrift inf",
		    "maxdrift: 'inf' out of range 0..500000" },
		{ "clock offset missing", "clock virtual offset",
		    "offset: missing argument" },
		{ "clock option", "clock virtual speed 2",
		    "clock: unknown option 'speed'" },
		{ "ntstrustedcerts id", "ntstrustedcerts x /a",
		    "ntstrustedcerts: bad number 'x'" },
		{ "ntstrustedcerts three", "ntstrustedcerts 1 /a /b",
		    "ntstrustedcerts: unexpected '/b'" },
		{ "include missing", "include", "include: missing argument" },
		{ "include two", "include a b", "include: unexpected 'b'" },
		{ "confdir missing", "confdir", "confdir: missing argument" },
		{ "int with junk in a source", "server a minpoll 6x",
		    "minpoll: bad number '6x'" },
		{ "makestep threshold with junk", "makestep 1s 3",
		    "makestep: bad number '1s'" },
		{ "ratelimit value with junk", "ratelimit burst 3x",
		    "burst: bad number '3x'" },
		{ "local stratum with junk", "local stratum 3x",
		    "stratum: bad number '3x'" },
		{ "ignored option's value", "server a version x",
		    "version: bad number 'x'" },
		{ "ignored option's number", "server a offset abc",
		    "offset: bad number 'abc'" },
		{ "extfield chronyd does not know", "server a extfield F324",
		    "extfield: unknown field 'F324'" },
		{ "unimplemented, too few", "smoothtime 400",
		    "smoothtime: missing argument" },
		{ "unimplemented, too many", "cmdallow 1.2.3.4 5.6.7.8 9",
		    "cmdallow: unexpected '9'" },
		{ "tempcomp, 4", "tempcomp a b c d",
		    "tempcomp: 4 arguments (3 or 6 expected)" },
		{ "flag with an argument", "lock_all 1",
		    "lock_all: unexpected '1'" },
		{ "hwtimestamp missing", "hwtimestamp",
		    "hwtimestamp: missing argument" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_msg(parse(c, rows[i].line, &d) == -1,
		    "%s: '%s' accepted", rows[i].what, rows[i].line);
		ck_assert_int_eq(d.is_error, 1);
		ck_assert_msg(strcmp(d.msg, rows[i].msg) == 0,
		    "%s: got \"%s\", want \"%s\"", rows[i].what, d.msg,
		    rows[i].msg);
		ck_assert_int_eq(c->nwarnings, 0);
		conf_free(c);
	}
}
END_TEST

/*
 * Issue 16: lines chronyd 4.3 accepts (chronyd -x -p), which timed
 * refused.  timed takes them as chronyd does, clamping what chronyd
 * clamps, and says so in a warning (msg, lines joined by '\n'; NULL: no
 * warning).
 */
START_TEST(test_conf_as_chronyd)
{
	static const struct {
		const char	*what, *line, *msg;
	} rows[] = {
		{ "maxpoll below minpoll", "server c minpoll 6 maxpoll 4",
		    "server c: maxpoll 4 is less than minpoll 6; maxpoll 6 "
		    "used, as chronyd does" },
		{ "pool minpoll over the default maxpoll", "pool p minpoll 11",
		    "pool p: maxpoll 10 is less than minpoll 11; maxpoll 11 "
		    "used, as chronyd does" },
		{ "bare log", "log", NULL },
		{ "ratelimit burst 300", "ratelimit burst 300",
		    "burst: '300' out of range 1..255; 255 used" },
		{ "pool maxsources 20", "pool p maxsources 20",
		    "maxsources: '20' out of range 1..16; 16 used" },
		{ "maxdelay -1", "server c maxdelay -1",
		    "maxdelay: '-1' out of range 0..1000; 0 used" },
		{ "key and nts", "server c key 1 nts",
		    "server: options 'key' and 'nts' together: key 1 ignored, "
		    "NTS authenticates, as chronyd does" },
		{ "minpoll far below", "server c minpoll -100",
		    "minpoll: -100 out of range -7..24; 6 used, as chronyd "
		    "does" },
		{ "maxpoll far above", "server c maxpoll 100",
		    "maxpoll: 100 out of range -7..24; 24 used, as chronyd "
		    "does" },
		{ "maxpoll below", "server c maxpoll -8",
		    "maxpoll: -8 out of range -7..24; 10 used, as chronyd "
		    "does" },
		{ "polltarget 0", "server c polltarget 0",
		    "polltarget: '0' out of range 1..60; 1 used" },
		{ "polltarget 1", "server c polltarget 1", NULL },
		{ "source port 0", "server c port 0",
		    "port: '0' out of range 1..65535; 1 used" },
		{ "certset -1", "server c certset -1",
		    "certset: '-1' out of range 0..2147483647; 0 used" },
		{ "options in any case", "server c IBURST MinPoll 4", NULL },
		{ "version 5", "server c version 5",
		    "version: '5' out of range 1..4; 4 used" },
		{ "minsources 2x", "minsources 2x",
		    "minsources: '2x' read as 2, as chronyd reads it" },
		{ "minsources 1.5", "minsources 1.5",
		    "minsources: '1.5' read as 1, as chronyd reads it" },
		{ "minsources 0", "minsources 0",
		    "minsources: '0' out of range 1..64; 1 used" },
		{ "clientloglimit 1e9", "clientloglimit 1e9",
		    "clientloglimit: '1e9' read as 1, as chronyd reads it" },
		{ "clientloglimit -1", "clientloglimit -1",
		    "clientloglimit: '-1' out of range 0..2147483647; 0 used" },
		{ "maxdistance 1s", "maxdistance 1s",
		    "maxdistance: '1s' read as 1, as chronyd reads it" },
		{ "maxdistance inf", "maxdistance inf",
		    "maxdistance: 'inf' out of range 0..1000; 1000 used" },
		{ "maxslewrate 1e6", "maxslewrate 1e6",
		    "maxslewrate: '1e6' out of range 0..83333.333; 83333.333 "
		    "used" },
		{ "corrtimeratio -1", "corrtimeratio -1",
		    "corrtimeratio: '-1' out of range 0..100; 0 used" },
		{ "maxupdateskew -1", "maxupdateskew -1",
		    "maxupdateskew: '-1' out of range 0..1000000; 0 used" },
		{ "port 70000", "port 70000",
		    "port: '70000' out of range 0..65535; 65535 used" },
		{ "port overflow", "port 99999999999999999999",
		    "port: '99999999999999999999' out of range 0..65535; "
		    "65535 used" },
		{ "ntsport 0", "ntsport 0",
		    "ntsport: '0' out of range 1..65535; 1 used" },
		{ "maxntsconnections", "maxntsconnections 100000",
		    "maxntsconnections: '100000' out of range 1..1000; 1000 "
		    "used" },
		{ "logbanner -1", "logbanner -1",
		    "logbanner: '-1' out of range 0..2147483647; 0 used" },
		{ "ntsrotate -1", "ntsrotate -1",
		    "ntsrotate: '-1' out of range 0..2147483647; 0 used" },
		{ "makestep -1 3", "makestep -1 3",
		    "makestep: '-1' out of range 0..3162240000; 0 used" },
		{ "makestep 1 3x", "makestep 1 3x",
		    "makestep: '3x' read as 3, as chronyd reads it" },
		{ "maxchange negative start", "maxchange 1000 -1 -2",
		    "maxchange: '-2' out of range -1..2147483647; -1 used\n"
		    "maxchange: a negative start (-1) turns the check off, as "
		    "in chronyd; ignored" },
		{ "local distance -1", "local distance -1",
		    "distance: '-1' out of range 0..1000; 0 used" },
		{ "local in any case", "local STRATUM 3", NULL },
		{ "ratelimit interval 20", "ratelimit interval 20",
		    "interval: '20' out of range -19..12; 12 used" },
		{ "ratelimit in any case", "ratelimit BURST 3", NULL },
		{ "ntsratelimit leak 5", "ntsratelimit leak 5",
		    "leak: '5' out of range 0..4; 4 used" },
		{ "ntstrustedcerts -1", "ntstrustedcerts -1 /ca",
		    "ntstrustedcerts: '-1' out of range 0..2147483647; 0 "
		    "used" },
		{ "cmdport 70000", "cmdport 70000",
		    "cmdport: '70000' out of range 0..65535; 65535 used\n"
		    "cmdport: timed has no UDP command port (timectl uses "
		    "bindcmdaddress's socket); ignored" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;
	int			 rc;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		rc = parse(c, rows[i].line, &d);
		ck_assert_msg(rc == (rows[i].msg != NULL), "%s: '%s' gave %d "
		    "(%s)", rows[i].what, rows[i].line, rc, d.msg);
		if (rows[i].msg != NULL)
			ck_assert_msg(strcmp(d.msg, rows[i].msg) == 0, "%s: got "
			    "\"%s\", want \"%s\"", rows[i].what, d.msg,
			    rows[i].msg);
		conf_free(c);
	}
}
END_TEST

/* What the lines of test_conf_as_chronyd leave in the configuration. */
START_TEST(test_conf_as_chronyd_values)
{
	struct conf	*c;

	c = parse_rc("maxpoll", "server c minpoll 6 maxpoll 4", 1);
	ck_assert_int_eq(c->sources->minpoll, 6);
	ck_assert_int_eq(c->sources->maxpoll, 6);
	conf_free(c);
	c = parse_rc("minpoll -100", "server c minpoll -100 maxpoll 100", 1);
	ck_assert_int_eq(c->sources->minpoll, 6);
	ck_assert_int_eq(c->sources->maxpoll, 24);
	conf_free(c);
	c = parse_rc("key and nts", "server c key 1 nts", 1);
	ck_assert_int_eq(c->sources->nts, 1);
	ck_assert_uint_eq(c->sources->key, 0);
	conf_free(c);
	c = parse_rc("maxdelay", "server c maxdelay -1", 1);
	ck_assert_double_eq(c->sources->maxdelay_s, 0.0);
	conf_free(c);
	c = parse_rc("maxsources", "pool p maxsources 20", 1);
	ck_assert_int_eq(c->sources->maxsources, 16);
	conf_free(c);
	c = parse_rc("ratelimit", "ratelimit burst 300", 1);
	ck_assert_int_eq(c->ratelimit_set, 1);
	ck_assert_int_eq(c->ratelimit_burst, 255);
	conf_free(c);
	c = parse_ok("log", "log");
	ck_assert_int_eq(c->log_flags, 0);
	conf_free(c);
	c = parse_rc("minsources", "minsources 2x", 1);
	ck_assert_int_eq(c->minsources, 2);
	conf_free(c);
	c = parse_rc("maxchange", "maxchange 1000 -1 5", 1);
	ck_assert_int_eq(c->maxchange_set, 0);
	conf_free(c);
	c = parse_ok("case", "server c IBURST MinPoll 4");
	ck_assert_int_eq(c->sources->iburst, 1);
	ck_assert_int_eq(c->sources->minpoll, 4);
	conf_free(c);
}
END_TEST

/* Issue 16: the maxpoll warning names FILE:LINE (the error did not). */
START_TEST(test_conf_load_poll_warning_line)
{
	struct conf	*c = conf_new();
	char		 dir[64], path[128], want[256], *out;

	mktmp(dir, sizeof(dir));
	put(dir, "t.conf", "rtcsync\nserver a minpoll 12\n");
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	snprintf(want, sizeof(want), "%s:2: warning: server a: maxpoll 10 is "
	    "less than minpoll 12; maxpoll 12 used, as chronyd does\n", path);
	ck_assert_int_eq(load(c, path, &out), 0);
	ck_assert_str_eq(out, want);
	free(out);
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_error_leaves_conf)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;

	ck_assert_int_eq(parse(c, "server a minpoll x", &d), -1);
	ck_assert_int_eq(parse(c, "local stratum 99", &d), -1);
	ck_assert_int_eq(parse(c, "allow 10/99", &d), -1);
	ck_assert_int_eq(parse(c, "makestep 1 x", &d), -1);
	ck_assert_int_eq(parse(c, "ratelimit burst 1 leak x", &d), -1);
	ck_assert_int_eq(parse(c, "clock virtual offset 1 frequency 999999",
	    &d), -1);
	ck_assert_int_eq(parse(c, "maxdrift -1", &d), -1);
	ck_assert_double_eq(c->maxdrift_ppm, 500000.0);
	ck_assert_ptr_null(c->sources);
	ck_assert_int_eq(c->local_set, 0);
	ck_assert_ptr_null(c->acl);
	ck_assert_int_eq(c->makestep_set, 0);
	ck_assert_int_eq(c->ratelimit_set, 0);
	ck_assert_int_eq(c->ratelimit_burst, 8);
	ck_assert_int_eq(c->clock, CONF_CLOCK_KERNEL);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_line_limits)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;
	char			 line[CONF_MAX_LINE + 16];
	size_t			 i;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "driftfile ", 10);
	ck_assert_int_eq(parse(c, line, &d), -1);
	ck_assert_str_eq(d.msg, "line too long (more than 2047 characters)");

	line[0] = '\0';
	strcat(line, "log");
	for (i = 0; i < 70; i++)
		strcat(line, " rtc");
	ck_assert_int_eq(parse(c, line, &d), -1);
	ck_assert_str_eq(d.msg, "too many words (more than 65)");
	conf_free(c);
}
END_TEST

START_TEST(test_conf_sources_only)
{
	static const struct {
		const char	*what, *line;
		int		 rc;
		const char	*msg;
	} rows[] = {
		{ "server", "server 192.0.2.1 iburst", 0, "" },
		{ "pool", "pool pool.example.net", 0, "" },
		{ "peer", "peer 192.0.2.2", 1, "peer: timed takes peers from "
		    "its configuration file only, not from a sources file; "
		    "ignored" },
		{ "comment", "# from DHCP", 0, "" },
		{ "driftfile", "driftfile /x", -1, "'driftfile' is not "
		    "allowed in a sources file (only server, pool and peer)" },
		{ "include", "include /x", -1, "'include' is not allowed in "
		    "a sources file (only server, pool and peer)" },
		{ "unimplemented", "refclock PHC /dev/ptp0", -1, "'refclock' "
		    "is not allowed in a sources file (only server, pool and "
		    "peer)" },
		{ "unknown", "bogus", -1, "unknown directive 'bogus'" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];
	size_t			 i;
	int			 rc;

	for (i = 0; i < NELEM(rows); i++) {
		ck_assert_ptr_nonnull(c = conf_new());
		rc = conf_parse_line(c, rows[i].line, 1, &act, arg,
		    sizeof(arg), &d);
		ck_assert_msg(rc == rows[i].rc, "%s: %d", rows[i].what, rc);
		ck_assert_str_eq(d.msg, rows[i].msg);
		ck_assert_int_eq(act, CONF_ACT_NONE);
		conf_free(c);
	}
}
END_TEST

START_TEST(test_conf_nwarnings_counted)
{
	struct conf		*c = conf_new();
	struct conf_diag	 d;

	ck_assert_int_eq(parse(c, "dumpdir /x", &d), 1);
	ck_assert_int_eq(parse(c, "server a maxsources 8", &d), 1);
	ck_assert_int_eq(parse(c, "rtcsync", &d), 0);
	ck_assert_int_eq(parse(c, "bindcmdaddress 127.0.0.1", &d), 1);
	ck_assert_int_eq(c->nwarnings, 3);
	conf_free(c);
}
END_TEST

/* conf_check */

START_TEST(test_conf_check)
{
	static const struct {
		const char	*what, *line1, *line2, *msg;
	} rows[] = {
		{ "defaults", "rtcsync", "rtcsync", NULL },
		{ "poll equal", "server a minpoll 8 maxpoll 8", "rtcsync",
		    NULL },
		{ "key without cert", "ntsserverkey /k", "rtcsync",
		    "ntsserverkey and ntsservercert must come in pairs "
		    "(1 keys, 0 certificates)" },
		{ "key and cert", "ntsserverkey /k", "ntsservercert /c",
		    NULL },
		{ "ntsonly without an NTS server", "ntsonly 10/8", "allow",
		    "ntsonly needs an NTS server: ntsservercert and "
		    "ntsserverkey" },
	};
	struct conf		*c;
	struct conf_diag	 d;
	size_t			 i;

	for (i = 0; i < NELEM(rows); i++) {
		c = parse_ok(rows[i].what, rows[i].line1);
		ck_assert_int_eq(parse(c, rows[i].line2, &d), 0);
		if (rows[i].msg == NULL) {
			ck_assert_msg(conf_check(c, &d) == 0, "%s: %s",
			    rows[i].what, d.msg);
		} else {
			ck_assert_msg(conf_check(c, &d) == -1, "%s",
			    rows[i].what);
			ck_assert_str_eq(d.msg, rows[i].msg);
		}
		conf_free(c);
	}
}
END_TEST

/* Files */

START_TEST(test_conf_load_missing_file)
{
	load_fails("/nonexistent/timed.conf",
	    "/nonexistent/timed.conf: No such file or directory\n");
}
END_TEST

START_TEST(test_conf_load_diagnostic_format)
{
	struct conf	*c = conf_new();
	char		 dir[64], path[128], want[512], *out;

	mktmp(dir, sizeof(dir));
	put(dir, "t.conf", "# test\ndumpdir /x\nbogus 1\nrtcsync\n");
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	snprintf(want, sizeof(want), "%s:2: warning: %s\n"
	    "%s:3: unknown directive 'bogus'\n", path, UNIMPL("dumpdir"),
	    path);
	ck_assert_int_eq(load(c, path, &out), -1);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(c->rtcsync, 0);	/* stops at the first error */
	free(out);
	conf_free(c);
	rmtree(dir);
}
END_TEST

/* A bad maxdrift stops the load with the file and line. */
START_TEST(test_conf_load_maxdrift_error)
{
	char	 dir[64], path[128], want[256];

	mktmp(dir, sizeof(dir));
	put(dir, "t.conf", "maxdrift 100000\n\nmaxdrift -5\n");
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	snprintf(want, sizeof(want), "%s:3: maxdrift: '-5' out of range "
	    "0..500000\n", path);
	load_fails(path, want);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_check_error)
{
	struct conf	*c = conf_new();
	char		 dir[64], path[128], want[256], *out;

	/* the line of the first key without its certificate */
	mktmp(dir, sizeof(dir));
	put(dir, "t.conf", "ntsserverkey /k1\nntsservercert /c1\n"
	    "ntsserverkey /k2\nntsserverkey /k3\n");
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	snprintf(want, sizeof(want), "%s:3: ntsserverkey and ntsservercert "
	    "must come in pairs (3 keys, 1 certificates)\n", path);
	ck_assert_int_eq(load(c, path, &out), -1);
	ck_assert_str_eq(out, want);
	free(out);
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_include)
{
	struct conf		*c;
	struct conf_source	*s;
	char			 dir[64], path[128], text[256];

	mktmp(dir, sizeof(dir));
	mkd(dir, "inc");
	put(dir, "inc/b.conf", "server b\n");
	put(dir, "inc/a.conf", "server a\n");
	put(dir, "inc/c.txt", "server c\n");
	snprintf(text, sizeof(text), "include %s/inc/*.conf\n"
	    "include %s/inc/*.none\nserver z\n", dir, dir);
	put(dir, "main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_clean(path);
	ck_assert_int_eq(nsources(c), 3);
	s = c->sources;
	ck_assert_str_eq(s->name, "a");
	ck_assert_str_eq(s->next->name, "b");
	ck_assert_str_eq(s->next->next->name, "z");
	conf_free(c);

	/* An error inside an included file names that file. */
	put(dir, "inc/b.conf", "rtcsync\nminpoll 3\n");
	snprintf(text, sizeof(text), "%s/inc/b.conf:2: unknown directive "
	    "'minpoll'\n", dir);
	load_fails(path, text);

	/* As chronyd: a name without wildcards must name a file. */
	snprintf(text, sizeof(text), "include %s/missing.conf\n", dir);
	put(dir, "main.conf", text);
	snprintf(text, sizeof(text), "%s/missing.conf: No such file or "
	    "directory\n", dir);
	load_fails(path, text);

	/* As chronyd 4.3: the directory a pattern searches must exist. */
	snprintf(text, sizeof(text), "include %s/none/*.conf\n", dir);
	put(dir, "main.conf", text);
	snprintf(text, sizeof(text), "%s/main.conf:1: include %s/none/*.conf: "
	    "cannot search for files matching it\n", dir, dir);
	load_fails(path, text);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_include_depth)
{
	struct conf	*c;
	char		 dir[64], path[128], name[32], text[256];
	int		 i;

	mktmp(dir, sizeof(dir));
	/* f0 includes f1 ... f7 includes f8: 8 levels are fine. */
	for (i = 0; i < CONF_MAX_DEPTH; i++) {
		snprintf(name, sizeof(name), "f%d.conf", i);
		snprintf(text, sizeof(text), "include %s/f%d.conf\n", dir,
		    i + 1);
		put(dir, name, text);
	}
	snprintf(name, sizeof(name), "f%d.conf", CONF_MAX_DEPTH);
	put(dir, name, "server deep\n");
	snprintf(path, sizeof(path), "%s/f0.conf", dir);
	c = load_clean(path);
	ck_assert_str_eq(c->sources->name, "deep");
	conf_free(c);

	/* A file that includes itself stops at the limit. */
	snprintf(text, sizeof(text), "include %s/self.conf\n", dir);
	put(dir, "self.conf", text);
	snprintf(path, sizeof(path), "%s/self.conf", dir);
	snprintf(text, sizeof(text), "%s:1: include nesting deeper than %d\n",
	    path, CONF_MAX_DEPTH);
	load_fails(path, text);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_confdir)
{
	struct conf		*c;
	struct conf_source	*s;
	char			 dir[64], path[128], text[512];

	mktmp(dir, sizeof(dir));
	mkd(dir, "d1");
	mkd(dir, "d2");
	put(dir, "d1/c.conf", "server c1\n");
	put(dir, "d1/a.conf", "server a1\n");
	put(dir, "d1/x.txt", "server x\n");
	put(dir, "d1/.hidden.conf", "server hidden\n");
	put(dir, "d2/a.conf", "server a2\n");
	put(dir, "d2/b.conf", "server b2\n");
	snprintf(text, sizeof(text), "confdir %s/d1 %s/d2 %s/missing\n"
	    "server last\n", dir, dir, dir);
	put(dir, "main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_clean(path);
	ck_assert_int_eq(nsources(c), 4);
	s = c->sources;
	ck_assert_str_eq(s->name, "a1");	/* d1/a.conf hides d2's */
	ck_assert_str_eq(s->next->name, "b2");
	ck_assert_str_eq(s->next->next->name, "c1");
	ck_assert_str_eq(s->next->next->next->name, "last");
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_sourcedir)
{
	struct conf	*c;
	char		 dir[64], path[128], text[256];

	mktmp(dir, sizeof(dir));
	mkd(dir, "s");
	put(dir, "s/b.sources", "server b iburst\n");
	put(dir, "s/a.sources", "# dhcp\npool a\n");
	put(dir, "s/z.conf", "server z\n");
	snprintf(text, sizeof(text), "sourcedir /nonexistent %s/s\n", dir);
	put(dir, "main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_clean(path);
	ck_assert_int_eq(nsources(c), 2);
	ck_assert_str_eq(c->sources->name, "a");
	ck_assert_int_eq(c->sources->type, CONF_SRC_POOL);
	ck_assert_str_eq(c->sources->next->name, "b");
	conf_free(c);

	/* Only server, pool and peer inside a sources file. */
	put(dir, "s/c.sources", "server c\ndriftfile /x\n");
	snprintf(text, sizeof(text), "%s/s/c.sources:2: 'driftfile' is not "
	    "allowed in a sources file (only server, pool and peer)\n", dir);
	load_fails(path, text);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_sourcedir_remembered_and_reread)
{
	struct conf		*c, *again;
	struct conf_str		*d;
	FILE			*null;
	char			 dir[64], path[128], text[256];

	mktmp(dir, sizeof(dir));
	mkd(dir, "s");
	put(dir, "s/a.sources", "server a iburst\n");
	snprintf(text, sizeof(text), "server main\nsourcedir %s/s "
	    "/nonexistent\n", dir);
	put(dir, "main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_clean(path);
	ck_assert_int_eq(nsources(c), 2);
	ck_assert_int_eq(c->sources->sourcedir, 0);
	ck_assert_int_eq(c->sources->next->sourcedir, 1);
	d = c->sourcedirs;
	ck_assert_ptr_nonnull(d);
	snprintf(text, sizeof(text), "%s/s", dir);
	ck_assert_str_eq(d->s, text);
	ck_assert_str_eq(d->next->s, "/nonexistent");
	ck_assert_ptr_null(d->next->next);

	/* timectl reload sources reads only the directories again */
	put(dir, "s/b.sources", "pool b maxsources 2\n");
	ck_assert_ptr_nonnull(again = conf_new());
	ck_assert_int_eq(conf_load_sourcedirs(again, c->sourcedirs, stderr),
	    0);
	ck_assert_int_eq(nsources(again), 2);
	ck_assert(conf_source_equal(again->sources, c->sources->next));
	ck_assert(!conf_source_equal(again->sources, c->sources));
	ck_assert(!conf_source_equal(again->sources->next,
	    c->sources->next));
	ck_assert_int_eq(again->sources->next->sourcedir, 1);
	conf_free(again);

	put(dir, "s/c.sources", "makestep 1 3\n");
	ck_assert_ptr_nonnull(again = conf_new());
	ck_assert_ptr_nonnull(null = fopen("/dev/null", "w"));
	ck_assert_int_eq(conf_load_sourcedirs(again, c->sourcedirs, null),
	    -1);
	fclose(null);
	conf_free(again);
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_source_equal_options)
{
	struct conf		*a = conf_new(), *b = conf_new();
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[64];

	ck_assert_int_eq(conf_parse_line(a, "server x iburst minpoll 2", 0,
	    &act, arg, sizeof(arg), &d), 0);
	ck_assert_int_eq(conf_parse_line(b, "server x minpoll 2 iburst", 1,
	    &act, arg, sizeof(arg), &d), 0);
	ck_assert(conf_source_equal(a->sources, b->sources));
	ck_assert_int_eq(conf_parse_line(b, "server x minpoll 3 iburst", 1,
	    &act, arg, sizeof(arg), &d), 0);
	ck_assert(!conf_source_equal(a->sources, b->sources->next));
	ck_assert_int_eq(conf_parse_line(b, "pool x minpoll 2 iburst", 1,
	    &act, arg, sizeof(arg), &d), 0);
	ck_assert(!conf_source_equal(a->sources, b->sources->next->next));
	ck_assert_int_eq(conf_parse_line(b, "server x minpoll 2 iburst "
	    "offset 1e-4", 1, &act, arg, sizeof(arg), &d), 0);
	ck_assert(!conf_source_equal(a->sources,
	    b->sources->next->next->next));
	conf_free(a);
	conf_free(b);
}
END_TEST

START_TEST(test_conf_load_long_line)
{
	struct conf	*c = conf_new();
	char		 dir[64], path[128], want[256], *out;
	char		 text[CONF_MAX_LINE + 64];

	mktmp(dir, sizeof(dir));
	memset(text, 'x', sizeof(text));
	memcpy(text, "rtcsync\ndriftfile /", 19);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	put(dir, "t.conf", text);
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	snprintf(want, sizeof(want), "%s:2: line too long (more than 2047 "
	    "characters)\n", path);
	ck_assert_int_eq(load(c, path, &out), -1);
	ck_assert_str_eq(out, want);
	free(out);
	conf_free(c);
	rmtree(dir);
}
END_TEST

/* The limits of the reader: bounded lines, text only, bounded totals */

/* Peak resident set of this process in kB. */
static long
maxrss_kb(void)
{
	struct rusage	 ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

START_TEST(test_conf_load_huge_line_constant_memory)
{
	char		 dir[64], path[128], want[256], chunk[65536];
	long		 before;
	FILE		*f;
	int		 i;

	/* 10 MB on one line, written in chunks so only the reader grows */
	mktmp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	memset(chunk, 'x', sizeof(chunk));
	memcpy(chunk, "driftfile /", 11);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (i = 0; i < 160; i++) {
		ck_assert_uint_eq(fwrite(chunk, 1, sizeof(chunk), f),
		    sizeof(chunk));
		chunk[0] = 'x';
	}
	ck_assert_int_eq(fclose(f), 0);
	snprintf(want, sizeof(want), "%s:1: line too long (more than 2047 "
	    "characters)\n", path);
	before = maxrss_kb();
	load_fails(path, want);
	ck_assert_msg(maxrss_kb() - before < 1024, "peak RSS grew by %ld kB",
	    maxrss_kb() - before);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_dev_zero)
{
	long	 before = maxrss_kb();

	load_fails("/dev/zero", "/dev/zero:1: binary byte \\x00 in column 1 "
	    "(not a text file?)\n");
	ck_assert_int_lt(maxrss_kb() - before, 1024);
}
END_TEST

START_TEST(test_conf_load_binary_bytes)
{
	static const struct {
		const char	*what, *text;
		size_t		 len;
		const char	*want;	/* after "FILE:" */
	} t[] = {
#define T(what, text, want)	{ what, text, sizeof(text) - 1, want }
		T("NUL inside a name", "rtcsync\nserver a\0b\n",
		    "2: binary byte \\x00 in column 9 (not a text file?)\n"),
		T("NUL in a comment", "# \0\n", "1: binary byte \\x00 in "
		    "column 3 (not a text file?)\n"),
		T("escape sequence", "server \033[31mred\n", "1: binary "
		    "byte \\x1b in column 8 (not a text file?)\n"),
		T("DEL", "port 1\177\n", "1: binary byte \\x7f in column 7 "
		    "(not a text file?)\n"),
		T("ELF header", "\177ELF\2\1\1", "1: binary byte \\x7f in "
		    "column 1 (not a text file?)\n"),
		T("no newline at the end, then a NUL", "rtcsync\n\0",
		    "2: binary byte \\x00 in column 1 (not a text file?)\n"),
		/* bytes above 0x7f are text (UTF-8) but echoed escaped */
		T("high bytes escaped", "bogus\xc3\xa9\x9b 1\n", "1: unknown "
		    "directive 'bogus\\xc3\\xa9\\x9b'\n"),
#undef T
	};
	char		 dir[64], path[128], want[512];
	size_t		 i;

	mktmp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	for (i = 0; i < NELEM(t); i++) {
		put_bytes(dir, "t.conf", t[i].text, t[i].len);
		snprintf(want, sizeof(want), "%s:%s", path, t[i].want);
		load_fails(path, want);
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_white_space_is_text)
{
	struct conf	*c;
	char		 dir[64], path[128];

	mktmp(dir, sizeof(dir));
	put(dir, "t.conf", "rtcsync\r\n\tport\t124\v\f\r\n# caf\xc3\xa9\n"
	    "server x");
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	c = load_clean(path);
	ck_assert_int_eq(c->rtcsync, 1);
	ck_assert_int_eq(c->port, 124);
	ck_assert_int_eq(nsources(c), 1);
	conf_free(c);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_check_error_escaped)
{
	char	 dir[64], path[128], want[256];

	/* the line named is the file's, escaped */
	mktmp(dir, sizeof(dir));
	put(dir, "t\xe9.conf", "ntsservercert /c\n");
	snprintf(path, sizeof(path), "%s/t\xe9.conf", dir);
	snprintf(want, sizeof(want), "%s/t\\xe9.conf:1: ntsserverkey and "
	    "ntsservercert must come in pairs (0 keys, 1 certificates)\n",
	    dir);
	load_fails(path, want);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_total_size)
{
	struct conf	*c;
	char		 dir[64], path[128], text[1100], want[256], line[1024];
	FILE		*f;
	size_t		 len;
	int		 i;

	/*
	 * main.conf (1024 bytes) names d/, whose big.conf has 1023 lines of
	 * 1024 bytes: 1 MiB together, the limit.  One more byte is not.
	 */
	mktmp(dir, sizeof(dir));
	mkd(dir, "d");
	memset(line, 'x', sizeof(line));
	line[0] = '#';
	line[sizeof(line) - 1] = '\n';
	snprintf(path, sizeof(path), "%s/d/big.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (i = 0; i < 1023; i++)
		ck_assert_uint_eq(fwrite(line, 1, sizeof(line), f),
		    sizeof(line));
	ck_assert_int_eq(fclose(f), 0);
	snprintf(text, sizeof(text), "confdir %s/d\n#", dir);
	len = strlen(text);
	memset(text + len, 'x', 1023 - len);
	text[1023] = '\n';
	text[1024] = '\0';
	put(dir, "main.conf", text);
	put(dir, "d/more.conf", "");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_clean(path);
	conf_free(c);

	put(dir, "d/more.conf", "\n");
	snprintf(want, sizeof(want), "%s:2: configuration larger than "
	    "1048576 bytes (all files together)\n", path);
	load_fails(path, want);
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_load_file_count)
{
	struct conf	*c;
	char		 dir[64], path[128], text[256], name[32];
	int		 i;

	/* main.conf and 255 files in its confdir: the limit */
	mktmp(dir, sizeof(dir));
	mkd(dir, "d");
	for (i = 0; i < CONF_MAX_FILES - 1; i++) {
		snprintf(name, sizeof(name), "d/%03d.conf", i);
		put(dir, name, "");
	}
	snprintf(text, sizeof(text), "rtcsync\nconfdir %s/d\n", dir);
	put(dir, "main.conf", text);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	c = load_clean(path);
	conf_free(c);

	put(dir, "d/zzz.conf", "");
	snprintf(text, sizeof(text), "%s:2: more than 256 configuration "
	    "files\n", path);
	load_fails(path, text);
	rmtree(dir);
}
END_TEST

/* The shipped examples and a stock chrony.conf */

START_TEST(test_conf_load_example_server)
{
	struct conf	*c = load_clean(SRCDIR "/etc/examples/server.conf");
	struct conf_acl	*a;

	ck_assert_int_eq(nsources(c), 2);
	ck_assert_int_eq(c->sources->iburst, 1);
	ck_assert_int_eq(c->sources->next->iburst, 1);
	ck_assert_str_eq(c->driftfile, "/var/lib/timed/timed.drift");
	ck_assert_int_eq(c->makestep_set, 1);
	ck_assert_double_eq(c->makestep_threshold_s, 1000);
	ck_assert_int_eq(c->makestep_limit, 10);
	ck_assert_int_eq(c->rtcsync, 1);
	ck_assert_ptr_nonnull(a = c->acl);
	ck_assert_int_eq(a->net.family, AF_INET);
	ck_assert_int_eq(a->net.prefixlen, 0);
	ck_assert_ptr_nonnull(a = a->next);
	ck_assert_int_eq(a->net.family, AF_INET6);
	ck_assert_int_eq(a->net.prefixlen, 0);
	ck_assert_int_eq(c->local_set, 1);
	ck_assert_int_eq(c->local_stratum, 10);
	ck_assert_str_eq(c->logdir, "/var/log/timed");
	ck_assert_int_eq(c->log_flags, CONF_LOG_MEASUREMENTS |
	    CONF_LOG_STATISTICS | CONF_LOG_TRACKING);
	conf_free(c);
}
END_TEST

START_TEST(test_conf_load_example_client)
{
	struct conf	*c = load_clean(SRCDIR "/etc/examples/client.conf");

	ck_assert_int_eq(nsources(c), 1);
	ck_assert_str_eq(c->sources->name, "SERVER.example.net");
	ck_assert_int_eq(c->sources->iburst, 1);
	ck_assert_str_eq(c->driftfile, "/var/lib/timed/timed.drift");
	ck_assert_double_eq(c->makestep_threshold_s, 1);
	ck_assert_int_eq(c->makestep_limit, 3);
	ck_assert_int_eq(c->rtcsync, 1);
	ck_assert_ptr_null(c->acl);
	ck_assert_int_eq(c->local_set, 0);
	conf_free(c);
}
END_TEST

/*
 * Debian 12's chrony.conf as shipped.  Its confdir and sourcedirs are the
 * host's own: missing ones are skipped, present ones are read too.
 */
START_TEST(test_conf_load_debian_chrony)
{
	struct conf	*c = conf_new();
	char		*out;

	ck_assert_msg(load(c, SRCDIR "/regress/unit/testdata/"
	    "debian-chrony.conf", &out) == 0, "%s", out);
	free(out);
	ck_assert_ptr_nonnull(c->sources);
	ck_assert_str_eq(c->sources->name, "2.debian.pool.ntp.org");
	ck_assert_int_eq(c->sources->type, CONF_SRC_POOL);
	ck_assert_int_eq(c->sources->iburst, 1);
	ck_assert_str_eq(c->keyfile, "/etc/chrony/chrony.keys");
	ck_assert_str_eq(c->driftfile, "/var/lib/chrony/chrony.drift");
	ck_assert_str_eq(c->ntsdumpdir, "/var/lib/chrony");
	ck_assert_str_eq(c->logdir, "/var/log/chrony");
	ck_assert_double_eq(c->maxupdateskew_ppm, 100.0);
	ck_assert_int_eq(c->rtcsync, 1);
	ck_assert_double_eq(c->makestep_threshold_s, 1);
	ck_assert_int_eq(c->makestep_limit, 3);
	ck_assert_str_eq(c->leapsectz, "right/UTC");
	ck_assert_int_eq(c->log_flags, 0);
	conf_free(c);
}
END_TEST

/* conf_print: what it prints reads back to the same configuration. */

static const char rich_conf[] =
    "server a.example iburst minpoll 4 maxpoll 8 prefer nts ntsport 4461"
    " certset 2 maxdelay 0.25 port 1123 filter 5\n"
    "pool p.example noselect maxsources 8 trust require burst"
    " extfield F323 minsamples 3 maxsamples 10\n"
    "refclock SHM 0:perm=0640 refid GPS poll 3 filter 16 offset 0.1"
    " minsamples 4 maxsamples 4\n"
    "refclock PPS /dev/pps0:clear lock GPS rate 2 width 0.1 prefer\n"
    "refclock PHC /dev/ptp0:nocrossts dpoll -2 tai stratum 2 noselect\n"
    "minsources 2\nmaxdistance 16\nmaxupdateskew 100\n"
    "combinelimit 2\nreselectdist 1e-3\nstratumweight 0\nmaxjitter 0.5\n"
    "maxchange 1000 1 2\ninitstepslew 0.5 a.example 192.0.2.7\n"
    "clock virtual offset 2.5 frequency -30\n"
    "driftfile /d\nmakestep 0.1 -1\nmaxslewrate 500\nrtcsync\n"
    "leapsectz right/UTC\nport 1123\nacquisitionport 1123\n"
    "minsamples 6\nmaxsamples 32\n"
    "bindaddress 192.0.2.1\nbindaddress ::1\nallow\ndeny all\n"
    "allow 192.168/16\ndeny all 2001:db8::/32\n"
    "local stratum 5 distance 0.5 orphan\n"
    "ratelimit interval 1 burst 4 leak 3\nclientloglimit 1000\n"
    "noclientlog\nbindcmdaddress /run/t.sock\ncmdport 0\nuser ntp\n"
    "chronycsocket /run/chrony/chronyd.sock\n"
    "chrootdir /var/empty\npidfile /run/t.pid\nkeyfile /k\nlogdir /l\n"
    "log measurements statistics refclocks\nlogbanner 0\nlogchange 0.5\n"
    "ntsserverkey /k1\nntsservercert /c1\nntstrustedcerts /ca\n"
    "ntstrustedcerts 3 /ca3\nntsport 4461\nntsdumpdir /n\n"
    "ntsrotate 0\nntsntpserver ntp.example\n"
    "ntsratelimit interval 6\nntsrefresh 86400\nnocerttimecheck 1\n"
    "nosystemcert\nmaxntsconnections 10\nntsonly 10.0.0.0/8\n"
    "hwtimestamp eth0 minpoll -2 rxcomp 1e-7 nocrossts rxfilter ntp\n"
    "hwtimestamp *\n";

static void
roundtrip(const char *what, const char *path, const char *dir)
{
	struct conf	*c1, *c2;
	char		*p1, *p2, printed[128];

	c1 = load_clean(path);
	p1 = print_conf(c1);
	snprintf(printed, sizeof(printed), "%s/printed.conf", dir);
	put(dir, "printed.conf", p1);
	c2 = load_clean(printed);
	p2 = print_conf(c2);
	ck_assert_msg(strcmp(p1, p2) == 0, "%s:\n%s\n---\n%s", what, p1, p2);
	free(p1);
	free(p2);
	conf_free(c1);
	conf_free(c2);
}

/* refclock: chrony 4.3's drivers, options, defaults and refids. */
START_TEST(test_conf_refclock)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "refclock GPSD /dev/gps0", "unknown driver" },
		{ "refclock PHC", "missing argument" },
		{ "refclock PHC dev/ptp0", "not an absolute path" },
		{ "refclock SHM x", "bad unit" },
		{ "refclock SHM 256", "bad unit" },
		{ "refclock SHM 0:perm=0999", "bad perm" },
		{ "refclock SHM 0:nocrossts", "unknown option" },
		{ "refclock PPS /dev/pps0:nocrossts", "unknown option" },
		{ "refclock PHC /dev/ptp0 poll", "missing argument" },
		{ "refclock PHC /dev/ptp0 filter 0", "out of range" },
		{ "refclock PHC /dev/ptp0 stratum 16", "out of range" },
		{ "refclock PHC /dev/ptp0 refid TOOLONG", "reference ID" },
		{ "refclock PHC /dev/ptp0 delay nan", "bad number" },
		{ "refclock PHC /dev/ptp0 frobnicate", "unknown option" },
	};
	const struct conf_refclock	*r;
	struct conf			*c;
	struct conf_diag		 d;
	size_t				 i;

	c = conf_new();
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(parse(c, "refclock PHC /dev/ptp0", &d), 0);
	ck_assert_int_eq(parse(c, "refclock SHM 2:perm=0666 poll 2 dpoll -1 "
	    "filter 8 refid NMEA delay 0.2 offset -0.5 precision 1e-3 "
	    "maxdispersion 0.01 trust require", &d), 0);
	ck_assert_int_eq(parse(c, "refclock PPS /dev/pps1 lock NMEA "
	    "maxlockage 3 width 0.2 rate 5 prefer noselect", &d), 0);
	ck_assert_int_eq(parse(c, "refclock SOCK /run/gps.sock tai pps", &d),
	    0);
	r = c->refclocks;
	/* defaults, and chronyd's refid: the driver's letters, the index */
	ck_assert_int_eq(r->driver, CONF_RC_PHC);
	ck_assert_str_eq(r->path, "/dev/ptp0");
	ck_assert_str_eq(r->src.name, "PHC0");
	ck_assert_uint_eq(r->refid, 0x50484330);
	ck_assert_int_eq(r->src.minpoll, 4);
	ck_assert_int_eq(r->src.maxpoll, 4);
	ck_assert_int_eq(r->dpoll, 0);
	ck_assert_int_eq(r->filter, 64);
	ck_assert_int_eq(r->rate, 1);
	ck_assert_int_eq(r->stratum, 0);
	ck_assert_int_eq(r->maxlockage, 2);
	ck_assert(r->delay_s == 1e-9);
	ck_assert_int_eq(r->pps, 0);
	ck_assert_int_eq(r->nocrossts, 0);
	ck_assert_int_eq(r->src.type, CONF_SRC_REFCLOCK);
	r = r->next;
	ck_assert_int_eq(r->driver, CONF_RC_SHM);
	ck_assert_ptr_null(r->path);
	ck_assert_int_eq(r->unit, 2);
	ck_assert_uint_eq(r->perm, 0666);
	ck_assert_str_eq(r->src.name, "NMEA");
	ck_assert_int_eq(r->src.minpoll, 2);
	ck_assert_int_eq(r->dpoll, -1);
	ck_assert_int_eq(r->filter, 8);
	ck_assert(r->src.trust && r->src.require);
	ck_assert(r->delay_s == 0.2 && r->offset_s == -0.5 &&
	    r->precision_s == 1e-3 && r->maxdispersion_s == 0.01);
	r = r->next;
	ck_assert_int_eq(r->driver, CONF_RC_PPS);
	ck_assert_str_eq(r->src.name, "PPS2");
	ck_assert_int_eq(r->pps, 1);
	ck_assert_uint_eq(r->lock, 0x4e4d4541);
	ck_assert_int_eq(r->maxlockage, 3);
	ck_assert_int_eq(r->rate, 5);
	ck_assert(r->width_s == 0.2);
	ck_assert(r->src.prefer && r->src.noselect);
	ck_assert(!r->src.trust && !r->src.require);
	r = r->next;
	ck_assert_int_eq(r->driver, CONF_RC_SOCK);
	ck_assert_str_eq(r->src.name, "SOC3");
	ck_assert(r->tai && r->pps);
	ck_assert_ptr_null(r->next);
	conf_free(c);

	for (i = 0; i < NELEM(bad); i++) {
		c = conf_new();
		ck_assert_ptr_nonnull(c);
		ck_assert_msg(parse(c, bad[i].line, &d) == -1, "%s: accepted",
		    bad[i].line);
		ck_assert_msg(strstr(d.msg, bad[i].why) != NULL, "%s: '%s'",
		    bad[i].line, d.msg);
		ck_assert_ptr_null(c->refclocks);
		conf_free(c);
	}
	/* the driver is read at least as often as polled, as chronyd */
	c = parse_rc("dpoll above poll", "refclock PHC /dev/ptp0 poll 2 "
	    "dpoll 5", 0);
	ck_assert_int_eq(c->refclocks->dpoll, 2);
	conf_free(c);
	/* a sourcedir's file has sources only */
	c = conf_new();
	ck_assert_ptr_nonnull(c);
	{
		enum conf_action	 act;
		char			 arg[CONF_MAX_LINE];

		ck_assert_int_eq(conf_parse_line(c, "refclock PHC /dev/ptp0",
		    1, &act, arg, sizeof(arg), &d), -1);
	}
	conf_free(c);
}
END_TEST

START_TEST(test_conf_print_roundtrip)
{
	char	 dir[64], path[128];

	mktmp(dir, sizeof(dir));
	put(dir, "rich.conf", rich_conf);
	snprintf(path, sizeof(path), "%s/rich.conf", dir);
	roundtrip("rich", path, dir);
	roundtrip("server", SRCDIR "/etc/examples/server.conf", dir);
	roundtrip("client", SRCDIR "/etc/examples/client.conf", dir);
	rmtree(dir);
}
END_TEST

/* The longest names and paths print to lines that read back (the engine's). */
START_TEST(test_conf_print_roundtrip_longest)
{
	static const char *const lines[] = {
		"server %s iburst minpoll -7 maxpoll 24 prefer noselect xleave"
		    " nts ntsport 65535 certset 2147483647 port 65535"
		    " maxdelay 0.123456789012345\n",
		"pool %s maxsources 16 key 4294967295 maxdelay 1e-300\n",
		"ntstrustedcerts %s\n",
		"ntstrustedcerts 2147483647 %s\n",
		"driftfile %s\n", "leapsectz %s\n",
		"bindcmdaddress %s\n", "keyfile %s\n", "ntsdumpdir %s\n",
		"ntsntpserver %s\n", "pidfile %s\n", "logdir %s\n",
		"user %s\n", "chrootdir %s\n",
		"ntsserverkey %s\nntsservercert /c\n",
		"ntsserverkey /k\nntsservercert %s\n",
		"hwtimestamp %s minpoll -2147483648 minsamples 2147483647"
		    " maxsamples -1 precision -1.2345678901234567e-300"
		    " rxcomp 1e300 txcomp -0.1 nocrossts rxfilter none\n",
	};
	char		 dir[64], path[128], value[CONF_MAX_ARG + 2];
	char		 text[CONF_MAX_LINE], want[CONF_MAX_LINE + 256];
	char		*out;
	struct conf	*c;
	size_t		 i;

	mktmp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	memset(value, 'a', sizeof(value));
	value[0] = '/';
	for (i = 0; i < NELEM(lines); i++) {
		value[CONF_MAX_ARG] = '\0';
		snprintf(text, sizeof(text), lines[i], value);
		put(dir, "t.conf", text);
		roundtrip(lines[i], path, dir);

		/* one character more is refused, not printed too long */
		value[CONF_MAX_ARG] = 'a';
		value[CONF_MAX_ARG + 1] = '\0';
		snprintf(text, sizeof(text), lines[i], value);
		put(dir, "t.conf", text);
		ck_assert_ptr_nonnull(c = conf_new());
		ck_assert_int_eq(load(c, path, &out), -1);
		snprintf(want, sizeof(want), ": argument longer than 1024 "
		    "characters\n");
		ck_assert_msg(strstr(out, want) != NULL, "%s: %s", lines[i],
		    out);
		free(out);
		conf_free(c);
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_conf_print_content)
{
	struct conf	*c = conf_new();
	struct conf_diag d;
	char		*out;

	ck_assert_int_eq(parse(c, "server a iburst maxpoll 8", &d), 0);
	ck_assert_int_eq(parse(c, "allow all 10.1.2.3/16", &d), 0);
	ck_assert_int_eq(parse(c, "makestep 1 3", &d), 0);
	out = print_conf(c);
	ck_assert_ptr_nonnull(strstr(out, "server a iburst maxpoll 8\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nallow all 10.1.0.0/16\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nmakestep 1 3\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nclock kernel\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nmaxslewrate 83333.333\n"));
	ck_assert_ptr_nonnull(strstr(out, "\ncorrtimeratio 1\n"));
	ck_assert_ptr_null(strstr(out, "\nlocal"));
	ck_assert_ptr_null(strstr(out, "\nratelimit"));
	free(out);
	conf_free(c);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*pure = tcase_create("pure"), *file = tcase_create("file");

	tcase_add_test(pure, test_conf_defaults);
	tcase_add_test(pure, test_conf_refclock);
	tcase_add_test(pure, test_conf_directive_names_ignore_case);
	tcase_add_test(pure, test_conf_free_null);
	tcase_add_test(pure, test_conf_blank_and_comment_lines);
	tcase_add_test(pure, test_conf_int_directives);
	tcase_add_test(pure, test_conf_number_directives);
	tcase_add_test(pure, test_conf_string_directives);
	tcase_add_test(pure, test_conf_string_last_wins);
	tcase_add_test(pure, test_conf_list_directives);
	tcase_add_test(pure, test_conf_source_defaults);
	tcase_add_test(pure, test_conf_source_options);
	tcase_add_test(pure, test_conf_source_order);
	tcase_add_test(pure, test_conf_needs_crypto);
	tcase_add_test(pure, test_conf_source_option_warnings);
	tcase_add_test(pure, test_conf_samples);
	tcase_add_test(pure, test_conf_source_warnings_one_a_line);
	tcase_add_test(pure, test_conf_extfield);
	tcase_add_test(pure, test_conf_extfield_print);
	tcase_add_test(pure, test_conf_peer);
	tcase_add_test(pure, test_conf_fallbackdrift);
	tcase_add_test(pure, test_conf_initstepslew);
	tcase_add_test(file, test_conf_leapsecmode);
	tcase_add_test(pure, test_conf_offset_minstratum);
	tcase_add_test(pure, test_conf_unimplemented_directives);
	tcase_add_test(pure, test_conf_makestep);
	tcase_add_test(pure, test_conf_smoothtime);
	tcase_add_test(pure, test_conf_maxchange);
	tcase_add_test(pure, test_conf_local);
	tcase_add_test(pure, test_conf_log);
	tcase_add_test(pure, test_conf_ratelimit);
	tcase_add_test(pure, test_conf_clock);
	tcase_add_test(pure, test_conf_bindcmdaddress_ip_warns);
	tcase_add_test(pure, test_conf_ignored_warn);
	tcase_add_test(pure, test_conf_hwtimestamp);
	tcase_add_test(pure, test_conf_hwtimestamp_errors);
	tcase_add_test(pure, test_conf_actions);
	tcase_add_test(pure, test_conf_action_arg_too_long);
	tcase_add_test(pure, test_conf_acl);
	tcase_add_test(pure, test_conf_acl_file_order);
	tcase_add_test(pure, test_conf_ntsonly);
	tcase_add_test(pure, test_conf_subnet_match);
	tcase_add_test(pure, test_conf_errors);
	tcase_add_test(pure, test_conf_as_chronyd);
	tcase_add_test(pure, test_conf_as_chronyd_values);
	tcase_add_test(pure, test_conf_error_leaves_conf);
	tcase_add_test(pure, test_conf_line_limits);
	tcase_add_test(pure, test_conf_sources_only);
	tcase_add_test(pure, test_conf_nwarnings_counted);
	tcase_add_test(pure, test_conf_check);
	tcase_add_test(pure, test_conf_print_content);
	tcase_add_test(file, test_conf_load_missing_file);
	tcase_add_test(file, test_conf_load_diagnostic_format);
	tcase_add_test(file, test_conf_warnings_whole);
	tcase_add_test(file, test_conf_load_maxdrift_error);
	tcase_add_test(file, test_conf_load_check_error);
	tcase_add_test(file, test_conf_load_poll_warning_line);
	tcase_add_test(file, test_conf_load_include);
	tcase_add_test(file, test_conf_load_include_depth);
	tcase_add_test(file, test_conf_load_confdir);
	tcase_add_test(file, test_conf_load_sourcedir);
	tcase_add_test(file, test_conf_sourcedir_remembered_and_reread);
	tcase_add_test(file, test_conf_source_equal_options);
	tcase_add_test(file, test_conf_load_long_line);
	tcase_add_test(file, test_conf_load_huge_line_constant_memory);
	tcase_add_test(file, test_conf_load_dev_zero);
	tcase_add_test(file, test_conf_load_binary_bytes);
	tcase_add_test(file, test_conf_load_white_space_is_text);
	tcase_add_test(file, test_conf_load_check_error_escaped);
	tcase_add_test(file, test_conf_load_total_size);
	tcase_add_test(file, test_conf_load_file_count);
	tcase_add_test(file, test_conf_load_example_server);
	tcase_add_test(file, test_conf_load_example_client);
	tcase_add_test(file, test_conf_load_debian_chrony);
	tcase_add_test(file, test_conf_print_roundtrip);
	tcase_add_test(file, test_conf_print_roundtrip_longest);
	suite_add_tcase(s, pure);
	suite_add_tcase(s, file);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(conf_suite());
	int	 nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
