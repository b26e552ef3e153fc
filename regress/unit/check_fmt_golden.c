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
 * Every output of lib/fmt.c, whole, byte for byte: each report in text,
 * CSV and JSON, and the Prometheus exposition, for three records of each
 * kind (a typical one; one with NaN, infinities, "never" and values out
 * of their enums; one with extremes, escapes, UTF-8 and names filling
 * their arrays without a NUL), against the files in
 * regress/unit/testdata/fmt/.  check_fmt.c tests what the outputs mean;
 * this pins them, so that a change of the formatters' code that should
 * not change their output is shown not to.
 *
 * TIMED_FMT_GOLDEN=write writes the files instead of comparing: only for
 * a change of output that was meant, and reviewed in the diff.
 */

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "pkt.h"

#ifndef SRCDIR
#define SRCDIR	"."
#endif
#define GOLDEN_DIR	SRCDIR "/regress/unit/testdata/fmt/"

#define NREC	3

static void
fill(char *dst, size_t len, char c)
{
	memset(dst, c, len);			/* no NUL */
}

static void
trackings(struct rpt_tracking *t)
{
	memset(t, 0, NREC * sizeof(*t));
	t[0].ref_id = 0x7F000002;
	strcpy(t[0].ref_name, "127.0.0.2");
	strcpy(t[0].ref_address, "127.0.0.2");
	t[0].stratum = 2;
	t[0].ref_time = 1795552597.717545422;
	t[0].system_time_offset_s = 863e-9;
	t[0].last_offset_s = -18e-9;
	t[0].rms_offset_s = 82e-9;
	t[0].freq_ppm = -0.006;
	t[0].residual_freq_ppm = -0.0002;
	t[0].skew_ppm = 0.016;
	t[0].root_delay_s = 5.207e-6;
	t[0].root_dispersion_s = 1.126e-6;
	t[0].update_interval_s = 0.3;
	t[0].leap = LEAP_NORMAL;
	t[0].clock = CLOCK_KIND_KERNEL;

	t[1].ref_id = 0x7F7F0101;
	strcpy(t[1].ref_name, "a\"b\\c\n\001\x7f\xc3\xa9\xff");
	t[1].stratum = -1;
	t[1].ref_time = NAN;
	t[1].system_time_offset_s = -INFINITY;
	t[1].last_offset_s = INFINITY;
	t[1].rms_offset_s = NAN;
	t[1].freq_ppm = NAN;
	t[1].residual_freq_ppm = -INFINITY;
	t[1].skew_ppm = NAN;
	t[1].root_delay_s = INFINITY;
	t[1].root_dispersion_s = NAN;
	t[1].update_interval_s = -INFINITY;
	t[1].leap = -1;
	t[1].clock = 7;
	t[1].virtual_true_offset_s = 1.0;

	t[2].ref_id = 0xFFFFFFFF;
	fill(t[2].ref_name, sizeof(t[2].ref_name), 'r');
	fill(t[2].ref_address, sizeof(t[2].ref_address), 'a');
	t[2].stratum = INT32_MAX;
	t[2].ref_time = -1e20;
	t[2].system_time_offset_s = -123456.789012345678;
	t[2].last_offset_s = 1e300;
	t[2].rms_offset_s = 5e-324;
	t[2].freq_ppm = 499.9999995;
	t[2].residual_freq_ppm = -1e-12;
	t[2].skew_ppm = 1e6;
	t[2].root_delay_s = 0.0;
	t[2].root_dispersion_s = -0.0;
	t[2].update_interval_s = 1e9;
	t[2].leap = LEAP_UNSYNC;
	t[2].clock = CLOCK_KIND_VIRTUAL;
	t[2].virtual_true_offset_s = NAN;
}

static void
sources(struct rpt_source *s)
{
	memset(s, 0, NREC * sizeof(*s));
	s[0].mode = RPT_MODE_SERVER;
	s[0].state = '*';
	strcpy(s[0].name, "ntp.example.org");
	strcpy(s[0].address, "192.0.2.1");
	s[0].port = 123;
	s[0].stratum = 1;
	s[0].poll = 6;
	s[0].reach = 0377;
	s[0].last_rx_s = 37.5;
	s[0].offset_s = 27e-9;
	s[0].measured_offset_s = -9e-6;
	s[0].error_s = 2855e-9;
	s[0].nts = 1;

	s[1].mode = 42;
	s[1].state = '"';
	strcpy(s[1].name, "PPS \"0\"\\\t\x1f\xe2\x82\xac");
	s[1].port = 0;
	s[1].stratum = -3;
	s[1].poll = -64;
	s[1].reach = 0;
	s[1].last_rx_s = -1.0;
	s[1].offset_s = NAN;
	s[1].measured_offset_s = INFINITY;
	s[1].error_s = -INFINITY;

	s[2].mode = RPT_MODE_LOCAL;
	s[2].state = '\0';
	fill(s[2].name, sizeof(s[2].name), 'n');
	fill(s[2].address, sizeof(s[2].address), '1');
	s[2].port = UINT16_MAX;
	s[2].stratum = INT32_MIN;
	s[2].poll = INT32_MAX;
	s[2].reach = 0x55;
	s[2].last_rx_s = 1e12;
	s[2].offset_s = -1e15;
	s[2].measured_offset_s = 86400.0 * 365 * 1000;
	s[2].error_s = 5e-10;
	s[2].nts = -7;
}

static void
sourcestats(struct rpt_sourcestats *s)
{
	memset(s, 0, NREC * sizeof(*s));
	strcpy(s[0].name, "ntp.example.org");
	strcpy(s[0].address, "192.0.2.1");
	s[0].n_samples = 12;
	s[0].n_runs = 7;
	s[0].span_s = 712.4;
	s[0].freq_ppm = -0.011;
	s[0].freq_skew_ppm = 0.087;
	s[0].offset_s = -13e-9;
	s[0].stddev_s = 1.2e-6;

	strcpy(s[1].name, "odd\"name\\with\nnewline\xf0\x9f\x98\x80");
	s[1].n_samples = -1;
	s[1].n_runs = 0;
	s[1].span_s = -1.0;
	s[1].freq_ppm = NAN;
	s[1].freq_skew_ppm = INFINITY;
	s[1].offset_s = -INFINITY;
	s[1].stddev_s = NAN;

	fill(s[2].name, sizeof(s[2].name), 's');
	fill(s[2].address, sizeof(s[2].address), 'f');
	s[2].n_samples = INT32_MAX;
	s[2].n_runs = INT32_MIN;
	s[2].span_s = 1e10;
	s[2].freq_ppm = -123456.789;
	s[2].freq_skew_ppm = RPT_SKEW_UNKNOWN_PPM;
	s[2].offset_s = 1e9;
	s[2].stddev_s = RPT_STDDEV_UNKNOWN_S;
}

static void
authdatas(struct rpt_authdata *a)
{
	memset(a, 0, NREC * sizeof(*a));
	strcpy(a[0].name, "nts.example.org");
	strcpy(a[0].address, "192.0.2.7");
	a[0].mode = RPT_AUTH_NTS;
	a[0].key_id = 3;
	a[0].key_type = 15;
	a[0].key_bits = 256;
	a[0].last_ke_s = 1234.5678;
	a[0].ke_attempts = 1;
	a[0].naks = 0;
	a[0].cookies = 8;
	a[0].cookie_len = 100;
	a[0].auth_ok = 4567;
	a[0].auth_failed = 2;

	strcpy(a[1].name, "\x80\xc0\xaf\"q\"");
	a[1].mode = -1;
	a[1].last_ke_s = -1.0;
	a[1].ke_attempts = -5;

	fill(a[2].name, sizeof(a[2].name), 'k');
	fill(a[2].address, sizeof(a[2].address), 'd');
	a[2].mode = 99;
	a[2].key_id = UINT32_MAX;
	a[2].key_type = INT32_MIN;
	a[2].key_bits = INT32_MAX;
	a[2].last_ke_s = NAN;
	a[2].cookies = INT32_MAX;
	a[2].cookie_len = INT32_MIN;
	a[2].auth_ok = UINT64_MAX;
	a[2].auth_failed = UINT64_MAX - 1;
}

static void
selectdatas(struct rpt_selectdata *d)
{
	memset(d, 0, NREC * sizeof(*d));
	strcpy(d[0].name, "ntp.example.org");
	strcpy(d[0].address, "192.0.2.1");
	d[0].state = '*';
	d[0].authenticated = 1;
	d[0].conf_options = RPT_SELOPT_PREFER;
	d[0].eff_options = RPT_SELOPT_PREFER;
	d[0].last_sample_s = 12.25;
	d[0].score = 1.0;
	d[0].lo_limit_s = -2.5e-4;
	d[0].hi_limit_s = 3.1e-4;
	d[0].leap = LEAP_INSERT;

	strcpy(d[1].name, "\\\"\t");
	d[1].state = 'Q';
	d[1].authenticated = 0;
	d[1].conf_options = RPT_SELOPT_NOSELECT;
	d[1].eff_options = RPT_SELOPT_NOSELECT | RPT_SELOPT_PREFER;
	d[1].last_sample_s = -1.0;
	d[1].score = NAN;
	d[1].lo_limit_s = -INFINITY;
	d[1].hi_limit_s = INFINITY;
	d[1].leap = 17;

	fill(d[2].name, sizeof(d[2].name), 'e');
	fill(d[2].address, sizeof(d[2].address), 'l');
	d[2].state = '\0';
	d[2].authenticated = -2;
	d[2].conf_options = UINT32_MAX;
	d[2].eff_options = 0;
	d[2].last_sample_s = 1e11;
	d[2].score = 1e6;
	d[2].lo_limit_s = -1e12;
	d[2].hi_limit_s = 1e-12;
	d[2].leap = LEAP_DELETE;
}

static void
serverstats(struct rpt_serverstats *st)
{
	uint64_t	*v = (uint64_t *)st;
	size_t		 i;

	memset(st, 0, NREC * sizeof(*st));
	/* every counter its own value, so that none can swap places */
	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		v[i] = 1000 + i;
	v = (uint64_t *)&st[2];
	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		v[i] = UINT64_MAX - i;
}

static void
clients(struct rpt_client *c)
{
	memset(c, 0, NREC * sizeof(*c));
	strcpy(c[0].address, "192.0.2.44");
	c[0].ntp_hits = 12345;
	c[0].ntp_drops = 12;
	c[0].ntp_interval = 6;
	c[0].ntp_interval_limited = -2;
	c[0].last_ntp_s = 3.0;
	c[0].cmd_hits = 0;
	c[0].cmd_drops = 0;
	c[0].cmd_interval = 127;
	c[0].last_cmd_s = -1.0;
	c[0].kod_sent = 3;

	strcpy(c[1].address, "\"\\\n");
	c[1].ntp_interval = 127;
	c[1].ntp_interval_limited = 128;
	c[1].last_ntp_s = NAN;
	c[1].cmd_interval = -128;
	c[1].last_cmd_s = 1e10;

	fill(c[2].address, sizeof(c[2].address), 'c');
	c[2].ntp_hits = UINT64_MAX;
	c[2].ntp_drops = UINT64_MAX;
	c[2].ntp_interval = INT32_MIN;
	c[2].ntp_interval_limited = 126;
	c[2].last_ntp_s = 0.0;
	c[2].cmd_hits = UINT64_MAX;
	c[2].cmd_drops = 1;
	c[2].cmd_interval = 0;
	c[2].last_cmd_s = INFINITY;
	c[2].kod_sent = UINT64_MAX;
}

static void
activities(struct rpt_activity *a)
{
	memset(a, 0, NREC * sizeof(*a));
	a[0].online = 3;
	a[0].offline = 1;
	a[0].burst_online = 2;
	a[0].burst_offline = 0;
	a[0].unresolved = 4;
	a[1].online = -1;
	a[2].online = INT32_MAX;
	a[2].offline = INT32_MIN;
	a[2].burst_online = INT32_MAX;
	a[2].burst_offline = INT32_MIN;
	a[2].unresolved = INT32_MAX;
}

static void
ntpdatas(struct rpt_ntpdata *d)
{
	memset(d, 0, NREC * sizeof(*d));
	strcpy(d[0].name, "ntp.example.org");
	strcpy(d[0].remote_address, "192.0.2.1");
	d[0].remote_refid = 0xC0000201;
	d[0].remote_port = 123;
	strcpy(d[0].local_address, "192.0.2.100");
	d[0].local_refid = 0xC0000264;
	d[0].have_reply = 1;
	d[0].leap = LEAP_NORMAL;
	d[0].version = 4;
	d[0].mode = PKT_MODE_SERVER;
	d[0].stratum = 1;
	d[0].poll = 6;
	d[0].precision = -25;
	d[0].root_delay_s = 1e-6;
	d[0].root_dispersion_s = 2.5e-5;
	d[0].ref_id = 0x47505300;		/* "GPS" */
	d[0].ref_time = 1795552597.5;
	d[0].offset_s = -1.5e-5;
	d[0].peer_delay_s = 2.1e-4;
	d[0].peer_dispersion_s = 1.9e-6;
	d[0].response_time_s = 3.2e-5;
	d[0].jitter_asymmetry = -0.12;
	d[0].tests = RPT_TESTS_ALL;
	d[0].interleaved = 1;
	d[0].authenticated = 1;
	d[0].tx_tss = RPT_TSS_DAEMON;
	d[0].rx_tss = RPT_TSS_KERNEL;
	d[0].total_tx = 100;
	d[0].total_rx = 99;
	d[0].total_valid_rx = 98;
	d[0].total_good_rx = 97;

	strcpy(d[1].name, "\"\x01");
	d[1].have_reply = 0;
	d[1].leap = -2;
	d[1].mode = 17;
	d[1].stratum = 2;
	d[1].ref_id = 0x2C2C2C2C;		/* ",,,," */
	d[1].poll = 65;
	d[1].precision = -65;
	d[1].root_delay_s = NAN;
	d[1].root_dispersion_s = INFINITY;
	d[1].ref_time = NAN;
	d[1].offset_s = -INFINITY;
	d[1].peer_delay_s = NAN;
	d[1].peer_dispersion_s = NAN;
	d[1].response_time_s = NAN;
	d[1].jitter_asymmetry = NAN;
	d[1].tests = 0x2aa;
	d[1].tx_tss = RPT_TSS_NONE;
	d[1].rx_tss = 9;

	fill(d[2].name, sizeof(d[2].name), 'x');
	fill(d[2].remote_address, sizeof(d[2].remote_address), 'r');
	fill(d[2].local_address, sizeof(d[2].local_address), 'l');
	d[2].remote_refid = UINT32_MAX;
	d[2].remote_port = UINT16_MAX;
	d[2].local_refid = 0;
	d[2].have_reply = 5;
	d[2].leap = LEAP_UNSYNC;
	d[2].version = INT32_MIN;
	d[2].mode = 0;
	d[2].stratum = 0;
	d[2].poll = -64;
	d[2].precision = 64;
	d[2].root_delay_s = 1e9;
	d[2].root_dispersion_s = -1e-9;
	d[2].ref_id = 0x7f2c0041;
	d[2].ref_time = 0.0;
	d[2].offset_s = 1e300;
	d[2].peer_delay_s = -0.0;
	d[2].peer_dispersion_s = 1.0;
	d[2].response_time_s = 1e-10;
	d[2].jitter_asymmetry = 0.5;
	d[2].tests = UINT32_MAX;
	d[2].interleaved = -1;
	d[2].authenticated = 2;
	d[2].tx_tss = RPT_TSS_HARDWARE;
	d[2].rx_tss = RPT_TSS_HARDWARE;
	d[2].total_tx = UINT64_MAX;
	d[2].total_rx = UINT64_MAX;
	d[2].total_valid_rx = UINT64_MAX;
	d[2].total_good_rx = UINT64_MAX;
}

static void
out_tracking(FILE *fp)
{
	struct rpt_tracking	 t[NREC];
	int			 i;

	trackings(t);
	for (i = 0; i < NREC; i++) {
		fmt_tracking(fp, &t[i]);
		fmt_tracking_csv(fp, &t[i]);
		fmt_waitsync(fp, i, &t[i]);
		fprintf(fp, "%d\n", fmt_waitsync_ok(&t[i], 0.0, 0.0));
	}
}

static void
out_tracking_json(FILE *fp)
{
	struct rpt_tracking	 t[NREC];
	int			 i;

	trackings(t);
	for (i = 0; i < NREC; i++)
		fmt_tracking_json(fp, &t[i]);
}

static void
out_sources(FILE *fp)
{
	struct rpt_source	 s[NREC];
	int			 i, numeric;

	sources(s);
	fmt_sources_header(fp, 0);
	fmt_sources_header(fp, 1);
	for (numeric = 0; numeric < 2; numeric++)
		for (i = 0; i < NREC; i++) {
			fmt_source(fp, &s[i], numeric);
			fmt_source_csv(fp, &s[i], numeric);
		}
}

static void
out_sources_json(FILE *fp)
{
	struct rpt_source	 s[NREC];

	sources(s);
	fmt_sources_json(fp, s, 0);
	fmt_sources_json(fp, s, 1);
	fmt_sources_json(fp, s, NREC);
}

static void
out_sourcestats(FILE *fp)
{
	struct rpt_sourcestats	 s[NREC];
	int			 i, numeric;

	sourcestats(s);
	fmt_sourcestats_header(fp, 0);
	fmt_sourcestats_header(fp, 1);
	for (numeric = 0; numeric < 2; numeric++)
		for (i = 0; i < NREC; i++) {
			fmt_sourcestat(fp, &s[i], numeric);
			fmt_sourcestat_csv(fp, &s[i], numeric);
		}
}

static void
out_sourcestats_json(FILE *fp)
{
	struct rpt_sourcestats	 s[NREC];

	sourcestats(s);
	fmt_sourcestats_json(fp, s, 0);
	fmt_sourcestats_json(fp, s, 1);
	fmt_sourcestats_json(fp, s, NREC);
}

static void
out_authdata(FILE *fp)
{
	struct rpt_authdata	 a[NREC];
	int			 i, numeric;

	authdatas(a);
	fmt_authdata_header(fp, 0);
	fmt_authdata_header(fp, 1);
	for (numeric = 0; numeric < 2; numeric++)
		for (i = 0; i < NREC; i++) {
			fmt_authdata(fp, &a[i], numeric);
			fmt_authdata_csv(fp, &a[i], numeric);
		}
}

static void
out_authdata_json(FILE *fp)
{
	struct rpt_authdata	 a[NREC];

	authdatas(a);
	fmt_authdata_json(fp, a, 0);
	fmt_authdata_json(fp, a, 1);
	fmt_authdata_json(fp, a, NREC);
}

static void
out_selectdata(FILE *fp)
{
	struct rpt_selectdata	 d[NREC];
	int			 i, numeric;

	selectdatas(d);
	fmt_selectdata_header(fp, 0);
	fmt_selectdata_header(fp, 1);
	for (numeric = 0; numeric < 2; numeric++)
		for (i = 0; i < NREC; i++) {
			fmt_selectdata(fp, &d[i], numeric);
			fmt_selectdata_csv(fp, &d[i], numeric);
		}
}

static void
out_selectdata_json(FILE *fp)
{
	struct rpt_selectdata	 d[NREC];

	selectdatas(d);
	fmt_selectdata_json(fp, d, 0);
	fmt_selectdata_json(fp, d, 1);
	fmt_selectdata_json(fp, d, NREC);
}

static void
out_serverstats(FILE *fp)
{
	struct rpt_serverstats	 st[NREC];
	int			 i;

	serverstats(st);
	for (i = 0; i < NREC; i++) {
		fmt_serverstats(fp, &st[i]);
		fmt_serverstats_csv(fp, &st[i]);
	}
}

static void
out_serverstats_json(FILE *fp)
{
	struct rpt_serverstats	 st[NREC];
	int			 i;

	serverstats(st);
	for (i = 0; i < NREC; i++)
		fmt_serverstats_json(fp, &st[i]);
}

static void
out_clients(FILE *fp)
{
	struct rpt_client	 c[NREC];
	int			 i;

	clients(c);
	fmt_clients_header(fp);
	for (i = 0; i < NREC; i++) {
		fmt_client(fp, &c[i]);
		fmt_client_csv(fp, &c[i]);
	}
}

static void
out_clients_json(FILE *fp)
{
	struct rpt_client	 c[NREC];

	clients(c);
	fmt_clients_json(fp, c, 0);
	fmt_clients_json(fp, c, 1);
	fmt_clients_json(fp, c, NREC);
}

static void
out_activity(FILE *fp)
{
	struct rpt_activity	 a[NREC];
	int			 i;

	activities(a);
	for (i = 0; i < NREC; i++) {
		fmt_activity(fp, &a[i]);
		fmt_activity_csv(fp, &a[i]);
	}
}

static void
out_activity_json(FILE *fp)
{
	struct rpt_activity	 a[NREC];
	int			 i;

	activities(a);
	for (i = 0; i < NREC; i++)
		fmt_activity_json(fp, &a[i]);
}

static void
out_ntpdata(FILE *fp)
{
	struct rpt_ntpdata	 d[NREC];
	int			 i;

	ntpdatas(d);
	for (i = 0; i < NREC; i++) {
		fmt_ntpdata(fp, &d[i]);
		fmt_ntpdata_csv(fp, &d[i]);
	}
}

static void
out_ntpdata_json(FILE *fp)
{
	struct rpt_ntpdata	 d[NREC];

	ntpdatas(d);
	fmt_ntpdata_json(fp, d, 0);
	fmt_ntpdata_json(fp, d, 1);
	fmt_ntpdata_json(fp, d, NREC);
}

static void
out_misc(FILE *fp)
{
	char	 name[RPT_NAME_MAX];
	int	 code;

	for (code = -1; code < 10; code++)
		fprintf(fp, "%d %s\n", code, fmt_result(code));
	fmt_sourcename(fp, "ntp.example.org");
	fmt_sourcename(fp, "\"\\\n\x80");
	fill(name, sizeof(name), 'z');
	fmt_sourcename(fp, name);
}

static void
out_json_string(FILE *fp)
{
	fmt_json_string(fp, "plain");
	fmt_json_string(fp, "q\"b\\s/\n\r\t\001\037\177");
	fmt_json_string(fp, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	fmt_json_string(fp, "\x80\xc0\xaf\xed\xa0\x80\xe2\x82");
	fmt_json_string(fp, "");
	fmt_json_string(fp, NULL);
	fputc('\n', fp);
}

static void
out_sourcename_json(FILE *fp)
{
	static const char *const names[] = {
		"ntp.example.org", "\"\\\n\x80\xc3\xa9", ""
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fmt_sourcename_json(fp, names[i]);
}

static void
out_metrics(FILE *fp)
{
	struct rpt_tracking	 t[NREC];
	struct rpt_source	 src[NREC];
	struct rpt_sourcestats	 st[NREC];
	struct rpt_serverstats	 ss[NREC];
	struct fmt_metrics	 m;
	int			 i;

	trackings(t);
	sources(src);
	sourcestats(st);
	serverstats(ss);
	memset(&m, 0, sizeof(m));
	m.tracking = &t[0];
	m.sources = src;
	m.nsources = NREC;
	m.sourcestats = st;
	m.nsourcestats = NREC;
	m.serverstats = &ss[0];
	fmt_metrics(fp, &m);
	for (i = 1; i < NREC; i++) {
		memset(&m, 0, sizeof(m));
		m.tracking = &t[i];
		m.serverstats = &ss[i];
		fmt_metrics(fp, &m);
	}
	/* the families of sources and sourcestats without samples */
	memset(&m, 0, sizeof(m));
	m.sources = src;
	m.sourcestats = st;
	fmt_metrics(fp, &m);
	/* nothing at all */
	memset(&m, 0, sizeof(m));
	fmt_metrics(fp, &m);
}

static const struct golden {
	const char	*file;
	void		(*out)(FILE *);
} goldens[] = {
	{ "tracking.txt", out_tracking },
	{ "tracking.json", out_tracking_json },
	{ "sources.txt", out_sources },
	{ "sources.json", out_sources_json },
	{ "sourcestats.txt", out_sourcestats },
	{ "sourcestats.json", out_sourcestats_json },
	{ "authdata.txt", out_authdata },
	{ "authdata.json", out_authdata_json },
	{ "selectdata.txt", out_selectdata },
	{ "selectdata.json", out_selectdata_json },
	{ "serverstats.txt", out_serverstats },
	{ "serverstats.json", out_serverstats_json },
	{ "clients.txt", out_clients },
	{ "clients.json", out_clients_json },
	{ "activity.txt", out_activity },
	{ "activity.json", out_activity_json },
	{ "ntpdata.txt", out_ntpdata },
	{ "ntpdata.json", out_ntpdata_json },
	{ "misc.txt", out_misc },
	{ "json_string.json", out_json_string },
	{ "sourcename.json", out_sourcename_json },
	{ "metrics.prom", out_metrics },
};
#define NGOLDEN	(sizeof(goldens) / sizeof(goldens[0]))

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 size = 0, n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	*len = 0;
	do {
		if (*len + 1 >= size) {
			size = size ? size * 2 : 4096;
			ck_assert_ptr_nonnull(buf = realloc(buf, size));
		}
		n = fread(buf + *len, 1, size - *len - 1, fp);
		*len += n;
	} while (n > 0);
	ck_assert_int_eq(ferror(fp), 0);
	fclose(fp);
	buf[*len] = '\0';
	return buf;
}

/* The line and column of the first byte where a and b differ. */
static void
first_difference(const char *a, size_t alen, const char *b, size_t blen,
    size_t *line, size_t *col, size_t *off)
{
	size_t	 i;

	*line = 1;
	*col = 1;
	for (i = 0; i < alen && i < blen && a[i] == b[i]; i++) {
		if (a[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
	*off = i;
}

START_TEST(test_fmt_golden_outputs)
{
	const struct golden	*g = &goldens[_i];
	char			 path[1024];
	char			*got = NULL, *want;
	size_t			 gotlen = 0, wantlen, line, col, off;
	FILE			*fp;
	const char		*mode = getenv("TIMED_FMT_GOLDEN");

	snprintf(path, sizeof(path), "%s%s", GOLDEN_DIR, g->file);
	ck_assert_ptr_nonnull(fp = open_memstream(&got, &gotlen));
	g->out(fp);
	ck_assert_int_eq(fclose(fp), 0);
	if (mode != NULL && strcmp(mode, "write") == 0) {
		ck_assert_ptr_nonnull(fp = fopen(path, "w"));
		ck_assert_uint_eq(fwrite(got, 1, gotlen, fp), gotlen);
		ck_assert_int_eq(fclose(fp), 0);
		free(got);
		return;
	}
	want = slurp(path, &wantlen);
	ck_assert_msg(want != NULL, "%s: cannot read", path);
	first_difference(got, gotlen, want, wantlen, &line, &col, &off);
	ck_assert_msg(gotlen == wantlen && off == gotlen,
	    "%s: differs at line %zu column %zu: got \"%.40s\", want "
	    "\"%.40s\"", path, line, col, got + off, want + off);
	free(want);
	free(got);
}
END_TEST

static Suite *
fmt_golden_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("fmt_golden");
	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_fmt_golden_outputs, 0, NGOLDEN);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(fmt_golden_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
