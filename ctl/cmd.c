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
 * timectl's commands: each asks the monitor and prints the answer in
 * chronyc's layout, as CSV (-c) or as JSON (-j); see timectl(1).
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "fmt.h"
#include "lim.h"

/* The daemon's strings: NUL-terminated inside their arrays from here. */
#define TERMINATE(a)	((a)[sizeof(a) - 1] = '\0')

/* A name for text and CSV (names.c) in place of the reported one. */
static void
rename_source(struct session *s, const struct opts *o, char *name,
    size_t len, const char *address)
{
	char	 buf[RPT_NAME_MAX];

	names_source(s, o, buf, sizeof(buf), name, address, 0);
	snprintf(name, len, "%s", buf);
}

static void
get_tracking(struct session *s, struct rpt_tracking *t, int *code)
{
	if ((*code = sess_ask_one(s, IMSG_CTL_TRACKING, NULL, 0, t,
	    sizeof(*t))) == 0) {
		TERMINATE(t->ref_name);
		TERMINATE(t->ref_address);
	}
}

static int
cmd_tracking(struct session *s, const struct opts *o)
{
	struct rpt_tracking	 t;
	char			 name[RPT_NAME_MAX];
	int			 code;

	get_tracking(s, &t, &code);
	if (code != 0)
		return sess_status(code, 1);
	if (o->out == OUT_JSON) {
		fmt_tracking_json(stdout, &t);
		return 0;
	}
	/* the reference is named as a source is, whole */
	names_source(s, o, name, sizeof(name), t.ref_name, t.ref_address, 1);
	snprintf(t.ref_name, sizeof(t.ref_name), "%s", name);
	if (o->out == OUT_CSV)
		fmt_tracking_csv(stdout, &t);
	else
		fmt_tracking(stdout, &t);
	return 0;
}

static int
get_sources(struct session *s, struct rpt_source **src, size_t *n)
{
	size_t	 i;
	int	 code;

	if ((code = sess_ask_list(s, IMSG_CTL_SOURCES, NULL, 0,
	    sizeof(**src), (void **)src, n)) != 0)
		return code;
	for (i = 0; i < *n; i++) {
		TERMINATE((*src)[i].name);
		TERMINATE((*src)[i].address);
	}
	return 0;
}

static int
cmd_sources(struct session *s, const struct opts *o)
{
	struct rpt_source	*src;
	size_t			 i, n;
	int			 code;

	if ((code = get_sources(s, &src, &n)) != 0)
		return sess_status(code, 1);
	if (o->out == OUT_JSON)
		fmt_sources_json(stdout, src, n);
	else if (o->out == OUT_TEXT)
		fmt_sources_header(stdout, o->verbose);
	for (i = 0; i < n && o->out != OUT_JSON; i++) {
		rename_source(s, o, src[i].name, sizeof(src[i].name),
		    src[i].address);
		if (o->out == OUT_CSV)
			fmt_source_csv(stdout, &src[i], 0);
		else
			fmt_source(stdout, &src[i], 0);
	}
	free(src);
	return 0;
}

static int
get_sourcestats(struct session *s, struct rpt_sourcestats **st, size_t *n)
{
	size_t	 i;
	int	 code;

	if ((code = sess_ask_list(s, IMSG_CTL_SOURCESTATS, NULL, 0,
	    sizeof(**st), (void **)st, n)) != 0)
		return code;
	for (i = 0; i < *n; i++) {
		TERMINATE((*st)[i].name);
		TERMINATE((*st)[i].address);
	}
	return 0;
}

static int
cmd_sourcestats(struct session *s, const struct opts *o)
{
	struct rpt_sourcestats	*st;
	size_t			 i, n;
	int			 code;

	if ((code = get_sourcestats(s, &st, &n)) != 0)
		return sess_status(code, 1);
	if (o->out == OUT_JSON)
		fmt_sourcestats_json(stdout, st, n);
	else if (o->out == OUT_TEXT)
		fmt_sourcestats_header(stdout, o->verbose);
	for (i = 0; i < n && o->out != OUT_JSON; i++) {
		rename_source(s, o, st[i].name, sizeof(st[i].name),
		    st[i].address);
		if (o->out == OUT_CSV)
			fmt_sourcestat_csv(stdout, &st[i], 0);
		else
			fmt_sourcestat(stdout, &st[i], 0);
	}
	free(st);
	return 0;
}

static int
cmd_selectdata(struct session *s, const struct opts *o)
{
	struct rpt_selectdata	*d;
	size_t			 i, n;
	int			 code;

	if ((code = sess_ask_list(s, IMSG_CTL_SELECTDATA, NULL, 0,
	    sizeof(*d), (void **)&d, &n)) != 0)
		return sess_status(code, 1);
	for (i = 0; i < n; i++) {
		TERMINATE(d[i].name);
		TERMINATE(d[i].address);
	}
	if (o->out == OUT_JSON)
		fmt_selectdata_json(stdout, d, n);
	else if (o->out == OUT_TEXT)
		fmt_selectdata_header(stdout, o->verbose);
	for (i = 0; i < n && o->out != OUT_JSON; i++) {
		rename_source(s, o, d[i].name, sizeof(d[i].name),
		    d[i].address);
		if (o->out == OUT_CSV)
			fmt_selectdata_csv(stdout, &d[i], 0);
		else
			fmt_selectdata(stdout, &d[i], 0);
	}
	free(d);
	return 0;
}

static int
cmd_serverstats(struct session *s, const struct opts *o)
{
	struct rpt_serverstats	 st;
	int			 code;

	if ((code = sess_ask_one(s, IMSG_CTL_SERVERSTATS, NULL, 0, &st,
	    sizeof(st))) != 0)
		return sess_status(code, 1);
	if (o->out == OUT_JSON)
		fmt_serverstats_json(stdout, &st);
	else if (o->out == OUT_CSV)
		fmt_serverstats_csv(stdout, &st);
	else
		fmt_serverstats(stdout, &st);
	return 0;
}

static int
cmd_clients(struct session *s, const struct opts *o)
{
	struct rpt_client	*c;
	char			 name[RPT_ADDR_MAX];
	size_t			 i, n, k = 0;
	int			 code;

	if ((code = sess_ask_list(s, IMSG_CTL_CLIENTS, NULL, 0, sizeof(*c),
	    (void **)&c, &n)) != 0)
		return sess_status(code, 1);
	for (i = 0; i < n; i++) {	/* clients -p: the busy ones */
		TERMINATE(c[i].address);
		if (c[i].ntp_hits >= o->min_packets)
			c[k++] = c[i];
	}
	if (o->out == OUT_JSON)
		fmt_clients_json(stdout, c, k);
	else if (o->out == OUT_TEXT)
		fmt_clients_header(stdout);
	for (i = 0; i < k && o->out != OUT_JSON; i++) {
		names_client(o, name, sizeof(name), c[i].address);
		snprintf(c[i].address, sizeof(c[i].address), "%s", name);
		if (o->out == OUT_CSV)
			fmt_client_csv(stdout, &c[i]);
		else
			fmt_client(stdout, &c[i]);
	}
	free(c);
	return 0;
}

static int
cmd_activity(struct session *s, const struct opts *o)
{
	struct rpt_activity	 a;
	int			 code;

	if ((code = sess_ask_one(s, IMSG_CTL_ACTIVITY, NULL, 0, &a,
	    sizeof(a))) != 0)
		return sess_status(code, 1);
	if (o->out == OUT_JSON)
		fmt_activity_json(stdout, &a);
	else if (o->out == OUT_CSV)
		fmt_activity_csv(stdout, &a);
	else
		fmt_activity(stdout, &a);
	return 0;
}

static int
cmd_smoothing(struct session *s, const struct opts *o)
{
	struct rpt_smoothing	 r;
	int			 code;

	if ((code = sess_ask_one(s, IMSG_CTL_SMOOTHING, NULL, 0, &r,
	    sizeof(r))) != 0)
		return sess_status(code, 1);
	if (o->out == OUT_JSON)
		fmt_smoothing_json(stdout, &r);
	else if (o->out == OUT_CSV)
		fmt_smoothing_csv(stdout, &r);
	else
		fmt_smoothing(stdout, &r);
	return 0;
}

static int
cmd_authdata(struct session *s, const struct opts *o)
{
	struct rpt_authdata	*a;
	size_t			 i, n;
	int			 code;

	if ((code = sess_ask_list(s, IMSG_CTL_AUTHDATA, NULL, 0, sizeof(*a),
	    (void **)&a, &n)) != 0)
		return sess_status(code, 1);
	for (i = 0; i < n; i++) {
		TERMINATE(a[i].name);
		TERMINATE(a[i].address);
	}
	if (o->out == OUT_JSON)
		fmt_authdata_json(stdout, a, n);
	else if (o->out == OUT_TEXT)
		fmt_authdata_header(stdout, o->verbose);
	for (i = 0; i < n && o->out != OUT_JSON; i++) {
		rename_source(s, o, a[i].name, sizeof(a[i].name),
		    a[i].address);
		if (o->out == OUT_CSV)
			fmt_authdata_csv(stdout, &a[i], 0);
		else
			fmt_authdata(stdout, &a[i], 0);
	}
	free(a);
	return 0;
}

static int
numeric_address(const char *s)
{
	uint8_t	 a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/*
 * The ADDRESS of ntpdata, sourcename, online, offline and burst (the
 * word at, if any) for the daemon: at the first attempt as typed, an
 * address or a name as configured; at the second, for a host name that
 * named no source, its address looked up, as chronyc looks names up
 * (-4, -6: of that family).  -1 when there is nothing (more) to try.
 */
static int
selection(const struct opts *o, int at, int attempt, struct ctl_select *sel)
{
	const char	*arg = o->argc > at ? o->argv[at] : NULL;
	char		 addr[RPT_ADDR_MAX];

	memset(sel, 0, sizeof(*sel));
	if (o->argc > at + 1)
		sess_die("%s", "too many arguments");
	if (attempt == 0) {
		if (arg != NULL && snprintf(sel->which, sizeof(sel->which),
		    "%s", arg) >= (int)sizeof(sel->which))
			sess_die("%s", "address too long");
		return 0;
	}
	if (attempt > 1 || arg == NULL || numeric_address(arg) ||
	    names_address(o, arg, addr, sizeof(addr)) == -1)
		return -1;
	snprintf(sel->which, sizeof(sel->which), "%s", addr);
	return 0;
}

/* A command on the sources ADDRESS selects, answered by a result. */
static int
ask_selected(struct session *s, const struct opts *o, uint32_t type)
{
	struct ctl_select	 sel;
	int			 attempt, code = CTL_NOSOURCE;

	for (attempt = 0; selection(o, 0, attempt, &sel) == 0; attempt++)
		if ((code = sess_ask_code(s, type, &sel, sizeof(sel))) !=
		    CTL_NOSOURCE)
			break;
	return sess_status(code, 0);
}

static void
print_ntpdata(const struct opts *o, const struct rpt_ntpdata *d, size_t n,
    int all)
{
	size_t	 i;

	if (o->out == OUT_JSON) {
		fmt_ntpdata_json(stdout, d, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (o->out == OUT_CSV)
			fmt_ntpdata_csv(stdout, &d[i]);
		else {
			if (all)	/* chronyc: a blank line before each */
				putchar('\n');
			fmt_ntpdata(stdout, &d[i]);
		}
	}
}

static int
cmd_ntpdata(struct session *s, const struct opts *o)
{
	struct ctl_select	 sel;
	struct rpt_ntpdata	*d = NULL;
	size_t			 i, n = 0;
	int			 attempt, code = CTL_NOSOURCE;

	for (attempt = 0; selection(o, 0, attempt, &sel) == 0; attempt++)
		if ((code = sess_ask_list(s, IMSG_CTL_NTPDATA, &sel,
		    sizeof(sel), sizeof(*d), (void **)&d, &n)) !=
		    CTL_NOSOURCE)
			break;
	if (code != 0)
		return sess_status(code, 1);
	for (i = 0; i < n; i++) {
		TERMINATE(d[i].name);
		TERMINATE(d[i].remote_address);
		TERMINATE(d[i].local_address);
	}
	print_ntpdata(o, d, n, o->argc == 0);
	free(d);
	return 0;
}

static int
cmd_sourcename(struct session *s, const struct opts *o)
{
	struct ctl_select	 sel;
	struct rpt_sourcename	 r;
	int			 attempt, code = CTL_NOSOURCE;

	if (o->argc != 1)
		sess_die("%s", "usage: sourcename ADDRESS");
	for (attempt = 0; selection(o, 0, attempt, &sel) == 0; attempt++)
		if ((code = sess_ask_one(s, IMSG_CTL_SOURCENAME, &sel,
		    sizeof(sel), &r, sizeof(r))) != CTL_NOSOURCE)
			break;
	if (code != 0)
		return sess_status(code, 1);
	TERMINATE(r.name);
	if (o->out == OUT_JSON)
		fmt_sourcename_json(stdout, r.name);
	else
		fmt_sourcename(stdout, r.name);
	return 0;
}

static int
cmd_makestep(struct session *s, const struct opts *o)
{
	struct ctl_makestep	 m;
	char			*end;
	long			 limit;

	if (o->argc == 0)
		return sess_status(sess_ask_code(s, IMSG_CTL_MAKESTEP, NULL,
		    0), 0);
	if (o->argc != 2)
		sess_die("%s", "usage: makestep [THRESHOLD LIMIT]");
	memset(&m, 0, sizeof(m));
	errno = 0;
	m.threshold_s = strtod(o->argv[0], &end);
	if (errno != 0 || end == o->argv[0] || *end != '\0' ||
	    lim_check_makestep(m.threshold_s, 0) != NULL)
		sess_die("bad threshold: %s", o->argv[0]);
	limit = strtol(o->argv[1], &end, 10);
	if (errno != 0 || end == o->argv[1] || *end != '\0' ||
	    limit > INT32_MAX || limit < INT32_MIN)
		sess_die("bad limit: %s", o->argv[1]);
	m.limit = limit < 0 ? -1 : (int32_t)limit;
	return sess_status(sess_ask_code(s, IMSG_CTL_SET_MAKESTEP, &m,
	    sizeof(m)), 0);
}

/* doffset SECONDS: the monitor checks it against its slew limits. */
static int
cmd_doffset(struct session *s, const struct opts *o)
{
	struct ctl_doffset	 d;
	char			*end;

	if (o->argc != 1)
		sess_die("%s", "usage: doffset SECONDS");
	memset(&d, 0, sizeof(d));
	errno = 0;
	d.offset_s = strtod(o->argv[0], &end);
	if (errno != 0 || end == o->argv[0] || *end != '\0' ||
	    !isfinite(d.offset_s))
		sess_die("bad offset: %s", o->argv[0]);
	return sess_status(sess_ask_code(s, IMSG_CTL_DOFFSET, &d, sizeof(d)),
	    0);
}

static int
cmd_online(struct session *s, const struct opts *o)
{
	return ask_selected(s, o, IMSG_CTL_ONLINE);
}

static int
cmd_offline(struct session *s, const struct opts *o)
{
	return ask_selected(s, o, IMSG_CTL_OFFLINE);
}

static int
cmd_onoffline(struct session *s, const struct opts *o)
{
	return sess_status(sess_ask_code(s, IMSG_CTL_ONOFFLINE, NULL, 0), 0);
}

static int
cmd_burst(struct session *s, const struct opts *o)
{
	struct ctl_burst	 b;
	char			*slash;
	uint64_t		 good, max;
	int			 attempt, code = CTL_NOSOURCE;

	if (o->argc < 1 || (slash = strchr(o->argv[0], '/')) == NULL)
		sess_die("%s", "usage: burst GOOD/MAX [ADDRESS]");
	*slash = '\0';
	good = cmd_count("burst", o->argv[0]);
	max = cmd_count("burst", slash + 1);
	*slash = '/';
	if (max < 1 || max > CTL_BURST_MAX || good < 1 || good > max)
		sess_die("%s", "burst: need 1 <= GOOD <= MAX <= 64");
	b.good = (int32_t)good;
	b.max = (int32_t)max;
	for (attempt = 0; selection(o, 1, attempt, &b.sel) == 0; attempt++)
		if ((code = sess_ask_code(s, IMSG_CTL_BURST, &b,
		    sizeof(b))) != CTL_NOSOURCE)
			break;
	return sess_status(code, 0);
}

/* reload sources, reset sources: the word chronyc wants after them. */
static void
need_sources(const struct opts *o, const char *cmd)
{
	if (o->argc != 1 || strcmp(o->argv[0], "sources") != 0)
		sess_die("usage: %s sources", cmd);
}

static int
cmd_reload(struct session *s, const struct opts *o)
{
	need_sources(o, "reload");
	return sess_status(sess_ask_code(s, IMSG_CTL_RELOAD_SOURCES, NULL,
	    0), 0);
}

static int
cmd_reset(struct session *s, const struct opts *o)
{
	need_sources(o, "reset");
	return sess_status(sess_ask_code(s, IMSG_CTL_RESET_SOURCES, NULL, 0),
	    0);
}

/* smoothtime reset | activate, as chronyc's */
static int
cmd_smoothtime(struct session *s, const struct opts *o)
{
	const char	*w = o->argc == 1 ? o->argv[0] : "";

	if (strcmp(w, "reset") != 0 && strcmp(w, "activate") != 0)
		sess_die("usage: %s reset | activate", "smoothtime");
	return sess_status(sess_ask_code(s, strcmp(w, "reset") == 0 ?
	    IMSG_CTL_SMOOTH_RESET : IMSG_CTL_SMOOTH_ACTIVATE, NULL, 0), 0);
}

static int
cmd_rekey(struct session *s, const struct opts *o)
{
	return sess_status(sess_ask_code(s, IMSG_CTL_REKEY, NULL, 0), 0);
}

static int
cmd_cyclelogs(struct session *s, const struct opts *o)
{
	return sess_status(sess_ask_code(s, IMSG_CTL_CYCLELOGS, NULL, 0), 0);
}

static int
cmd_metrics(struct session *s, const struct opts *o)
{
	struct rpt_tracking	 t;
	struct rpt_serverstats	 st;
	struct fmt_metrics	 m;
	struct rpt_source	*src;
	struct rpt_sourcestats	*ss;
	int			 code;

	memset(&m, 0, sizeof(m));
	get_tracking(s, &t, &code);
	if (code != 0)
		return sess_status(code, 1);
	if ((code = get_sources(s, &src, &m.nsources)) != 0)
		return sess_status(code, 1);
	if ((code = get_sourcestats(s, &ss, &m.nsourcestats)) != 0) {
		free(src);
		return sess_status(code, 1);
	}
	m.tracking = &t;
	m.sources = src;
	m.sourcestats = ss;
	/* The server's counters are for root and the timed group. */
	if ((code = sess_ask_one(s, IMSG_CTL_SERVERSTATS, NULL, 0, &st,
	    sizeof(st))) == 0)
		m.serverstats = &st;
	else if (code != CTL_UNAUTH)
		sess_die("%s", "unexpected answer from timed");
	fmt_metrics(stdout, &m);
	free(ss);
	free(src);
	return 0;
}

/* A positive number of seconds, ppm, ... */
static double
real_arg(const char *what, const char *arg)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0.0)
		sess_die("invalid %s", what);
	return v;
}

/*
 * chronyc waitsync: ask for tracking every interval until synchronised
 * (within the limits) or max_tries asked (0: forever).  A daemon not
 * answering counts as not synchronised.
 */
static int
cmd_waitsync(struct session *unused, const struct opts *o)
{
	struct session		 s;
	struct rpt_tracking	 t;
	uint64_t		 tries = 0, i;
	double			 max_corr = 0.0, max_skew = 0.0;
	double			 interval = 10.0;
	int			 code;

	if (o->argc > 4)
		sess_die("%s", "usage: waitsync [MAX-TRIES [MAX-CORRECTION "
		    "[MAX-SKEW [INTERVAL]]]]");
	if (o->argc > 0)
		tries = cmd_count("MAX-TRIES", o->argv[0]);
	if (o->argc > 1)
		max_corr = real_arg("MAX-CORRECTION", o->argv[1]);
	if (o->argc > 2)
		max_skew = real_arg("MAX-SKEW", o->argv[2]);
	if (o->argc > 3)
		interval = real_arg("INTERVAL", o->argv[3]);
	if (interval < 0.1)
		interval = 0.1;
	for (i = 1; ; i++) {
		code = 1;
		if (sess_open(&s, o->socket) == 0) {
			get_tracking(&s, &t, &code);
			sess_close(&s);
		}
		if (code == 0) {
			fmt_waitsync(stdout, (int)i, &t);
			fflush(stdout);
			if (fmt_waitsync_ok(&t, max_corr, max_skew))
				return 0;
		}
		if (tries != 0 && i >= tries)
			return 1;
		usleep((useconds_t)(interval * 1e6));
	}
}

uint64_t
cmd_count(const char *what, const char *arg)
{
	uint64_t	 v = 0;
	const char	*p;

	if (arg == NULL || *arg == '\0')
		sess_die("%s needs a number", what);
	for (p = arg; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			sess_die("invalid number '%s'", arg);
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			sess_die("number too large '%s'", arg);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

void
cmd_opts(int argc, char *argv[], struct opts *o)
{
	int	 clients, i;

	clients = strcmp(argv[0], "clients") == 0;
	o->argc = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0)
			o->names = NAMES_NUMERIC;
		else if (strcmp(argv[i], "-v") == 0)
			o->verbose = o->out == OUT_TEXT;
		else if (strcmp(argv[i], "-a") == 0)
			continue;
		else if (clients && strcmp(argv[i], "-p") == 0) {
			o->min_packets = cmd_count("-p", argv[i + 1]);
			i++;
		} else if (clients && strcmp(argv[i], "-r") == 0)
			sess_die("%s", "clients -r is not supported");
		else if (argv[i][0] == '-' && !isdigit((unsigned char)
		    argv[i][1]))
			sess_die("unknown option '%s'", argv[i]);
		else if (o->argc == MAX_ARGS)
			sess_die("%s", "too many arguments");
		else
			o->argv[o->argc++] = argv[i];
	}
}

static const struct cmd commands[] = {
	{ "tracking", cmd_tracking, CMD_NOARGS },
	{ "sources", cmd_sources, CMD_NOARGS },
	{ "sourcestats", cmd_sourcestats, CMD_NOARGS },
	{ "selectdata", cmd_selectdata, CMD_NOARGS },
	{ "serverstats", cmd_serverstats, CMD_NOARGS },
	{ "clients", cmd_clients, CMD_NOARGS },
	{ "activity", cmd_activity, CMD_NOARGS },
	{ "smoothing", cmd_smoothing, CMD_NOARGS },
	{ "smoothtime", cmd_smoothtime, 0 },
	{ "ntpdata", cmd_ntpdata, 0 },
	{ "authdata", cmd_authdata, CMD_NOARGS },
	{ "sourcename", cmd_sourcename, 0 },
	{ "metrics", cmd_metrics, CMD_NOARGS },
	{ "makestep", cmd_makestep, 0 },
	{ "step", cmd_makestep, 0 },
	{ "doffset", cmd_doffset, 0 },
	{ "burst", cmd_burst, 0 },
	{ "online", cmd_online, 0 },
	{ "offline", cmd_offline, 0 },
	{ "onoffline", cmd_onoffline, CMD_NOARGS },
	{ "reload", cmd_reload, 0 },
	{ "reset", cmd_reset, 0 },
	{ "rekey", cmd_rekey, CMD_NOARGS },
	{ "cyclelogs", cmd_cyclelogs, CMD_NOARGS },
	{ "waitsync", cmd_waitsync, CMD_OWNCONN },
	{ "keygen", keygen_run, CMD_OWNCONN },
};

const struct cmd *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * chronyc's commands that timed does not offer, and what chronyc prints
 * for them when chronyd has the facility off: timed has no manual time
 * input, no RTC driver, no run-time changes of access, sources or
 * options, no dump and no shutdown over the socket.
 */
static const struct {
	const char	*name;
	const char	*status;
} not_offered[] = {
	{ "accheck", NULL }, { "add", NULL }, { "allow", NULL },
	{ "cmdaccheck", NULL }, { "cmdallow", NULL }, { "cmddeny", NULL },
	{ "delete", NULL }, { "deny", NULL }, { "dfreq", NULL },
	{ "doffset", NULL }, { "dump", NULL }, { "local", NULL },
	{ "manual", NULL }, { "maxdelay", NULL }, { "maxdelaydevratio", NULL },
	{ "maxdelayratio", NULL }, { "maxpoll", NULL },
	{ "maxupdateskew", NULL }, { "minpoll", NULL }, { "minstratum", NULL },
	{ "offset", NULL }, { "polltarget", NULL }, { "refresh", NULL },
	{ "reselect", NULL }, { "reselectdist", NULL },
	{ "rtcdata", "513 RTC driver not running" },
	{ "selectopts", NULL }, { "settime", NULL }, { "shutdown", NULL },
	{ "trimrtc", "513 RTC driver not running" },
	{ "writertc", "513 RTC driver not running" },
};

const char *
cmd_not_offered(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(not_offered) / sizeof(not_offered[0]); i++)
		if (strcmp(name, not_offered[i].name) == 0)
			return not_offered[i].status != NULL ?
			    not_offered[i].status :
			    "505 Facility not enabled in daemon";
	return NULL;
}
