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
 * chronyc's command protocol: see cmdmon.h.  The layouts are chrony
 * 4.3's candm.h, written out here as offsets.
 */

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

#include "cmdmon.h"

#define CM_ADDR_LEN	20	/* 16 address bytes, family, pad */
#define CM_FAMILY_NONE	0
#define CM_FAMILY_INET4	1
#define CM_FAMILY_INET6	2
#define CM_FAMILY_ID	3	/* an unresolved source */
#define CM_AGO_NEVER	UINT32_MAX

/*
 * Each command's fields and its reply's, in bytes: a request is at
 * least as long as both (its fields, padded to its reply's length).
 */
struct cmdmon_len {
	uint16_t	command;
	uint16_t	req;
	uint16_t	rpy;
};

static const struct cmdmon_len cmdmon_lens[] = {
	{ CM_REQ_NULL, 0, 0 },
	{ CM_REQ_ONLINE, 40, 0 },
	{ CM_REQ_OFFLINE, 40, 0 },
	{ CM_REQ_BURST, 48, 0 },
	{ CM_REQ_MODIFY_MINPOLL, 24, 0 },
	{ CM_REQ_MODIFY_MAXPOLL, 24, 0 },
	{ CM_REQ_DUMP, 4, 0 },
	{ CM_REQ_MODIFY_MAXDELAY, 24, 0 },
	{ CM_REQ_MODIFY_MAXDELAYRATIO, 24, 0 },
	{ CM_REQ_MODIFY_MAXUPDATESKEW, 4, 0 },
	{ CM_REQ_LOGON, 12, 0 },
	{ CM_REQ_SETTIME, 12, 12 },
	{ CM_REQ_MANUAL, 4, 0 },
	{ CM_REQ_N_SOURCES, 0, 4 },
	{ CM_REQ_SOURCE_DATA, 4, 48 },
	{ CM_REQ_REKEY, 0, 0 },
	{ CM_REQ_ALLOW, 24, 0 },
	{ CM_REQ_ALLOWALL, 24, 0 },
	{ CM_REQ_DENY, 24, 0 },
	{ CM_REQ_DENYALL, 24, 0 },
	{ CM_REQ_CMDALLOW, 24, 0 },
	{ CM_REQ_CMDALLOWALL, 24, 0 },
	{ CM_REQ_CMDDENY, 24, 0 },
	{ CM_REQ_CMDDENYALL, 24, 0 },
	{ CM_REQ_ACCHECK, 20, 0 },
	{ CM_REQ_CMDACCHECK, 20, 0 },
	{ CM_REQ_DEL_SOURCE, 20, 0 },
	{ CM_REQ_WRITERTC, 0, 0 },
	{ CM_REQ_DFREQ, 4, 0 },
	{ CM_REQ_TRACKING, 0, 76 },
	{ CM_REQ_SOURCESTATS, 4, 56 },
	{ CM_REQ_RTCREPORT, 0, 28 },
	{ CM_REQ_TRIMRTC, 0, 0 },
	{ CM_REQ_CYCLELOGS, 0, 0 },
	{ CM_REQ_MANUAL_LIST, 0, 388 },
	{ CM_REQ_MANUAL_DELETE, 4, 0 },
	{ CM_REQ_MAKESTEP, 0, 0 },
	{ CM_REQ_ACTIVITY, 0, 20 },
	{ CM_REQ_MODIFY_MINSTRATUM, 24, 0 },
	{ CM_REQ_MODIFY_POLLTARGET, 24, 0 },
	{ CM_REQ_MODIFY_MAXDELAYDEVRATIO, 24, 0 },
	{ CM_REQ_RESELECT, 0, 0 },
	{ CM_REQ_RESELECTDISTANCE, 4, 0 },
	{ CM_REQ_MODIFY_MAKESTEP, 8, 0 },
	{ CM_REQ_SMOOTHING, 0, 24 },
	{ CM_REQ_SMOOTHTIME, 4, 0 },
	{ CM_REQ_REFRESH, 0, 0 },
	{ CM_REQ_SERVER_STATS, 0, 44 },
	{ CM_REQ_LOCAL2, 16, 0 },
	{ CM_REQ_NTP_DATA, 20, 124 },
	{ CM_REQ_SHUTDOWN, 0, 0 },
	{ CM_REQ_ONOFFLINE, 0, 0 },
	{ CM_REQ_ADD_SOURCE, 352, 0 },
	{ CM_REQ_NTP_SOURCE_NAME, 20, 256 },
	{ CM_REQ_RESET_SOURCES, 0, 0 },
	{ CM_REQ_AUTH_DATA, 20, 24 },
	{ CM_REQ_CLIENT_ACCESSES_BY_INDEX3, 16, 492 },
	{ CM_REQ_SELECT_DATA, 4, 48 },
	{ CM_REQ_RELOAD_SOURCES, 0, 0 },
	{ CM_REQ_DOFFSET2, 4, 0 }
};

static const struct cmdmon_len *
find_len(uint16_t command)
{
	size_t	 i;

	for (i = 0; i < sizeof(cmdmon_lens) / sizeof(cmdmon_lens[0]); i++)
		if (cmdmon_lens[i].command == command)
			return &cmdmon_lens[i];
	return NULL;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static void
putf(uint8_t *p, double v)
{
	put32(p, cmdmon_float_enc(v));
}

#define CM_COEF_BITS	25
#define CM_EXP_MIN	(-64)
#define CM_EXP_MAX	63
#define CM_COEF_MAX	((1 << (CM_COEF_BITS - 1)) - 1)

/*
 * value = coef * 2^(exp - 25): the coefficient is the value's mantissa
 * in 24 bits and a sign, rounded; NaN is sent as 0, as chronyd does.
 */
uint32_t
cmdmon_float_enc(double x)
{
	int32_t	 e, coef;
	int	 neg = x < 0.0;
	double	 m;

	if (isnan(x))
		return 0;
	if (neg)
		x = -x;
	if (x < 1e-100)
		return 0;
	if (x > 1e100) {
		e = CM_EXP_MAX;
		coef = CM_COEF_MAX;
	} else {
		/* x = m * 2^e, 1 <= m < 2: coef = m * 2^23 rounded */
		e = (int32_t)floor(log2(x));
		m = x / pow(2.0, e);
		if (m >= 2.0) {		/* log2's rounding */
			m /= 2.0;
			e++;
		} else if (m < 1.0) {
			m *= 2.0;
			e--;
		}
		coef = (int32_t)(m * (1 << (CM_COEF_BITS - 2)) + 0.5);
		if (coef > CM_COEF_MAX) {
			coef >>= 1;
			e++;
		}
		e += 2;		/* value = coef * 2^(e - 25) */
		if (e > CM_EXP_MAX) {
			e = CM_EXP_MAX;
			coef = CM_COEF_MAX;
		} else if (e < CM_EXP_MIN) {
			if (CM_EXP_MIN - e >= CM_COEF_BITS)
				return 0;
			coef >>= CM_EXP_MIN - e;
			e = CM_EXP_MIN;
		}
	}
	if (neg)
		coef = -coef;
	return (uint32_t)e << CM_COEF_BITS |
	    ((uint32_t)coef & ((1U << CM_COEF_BITS) - 1));
}

double
cmdmon_float_dec(uint32_t f)
{
	int32_t	 e = (int32_t)(f >> CM_COEF_BITS);
	int32_t	 coef = (int32_t)(f & ((1U << CM_COEF_BITS) - 1));

	if (e > CM_EXP_MAX)
		e -= 1 << (32 - CM_COEF_BITS);
	if (coef > CM_COEF_MAX)
		coef -= 1 << CM_COEF_BITS;
	return coef * pow(2.0, e - CM_COEF_BITS);
}

/*
 * Seconds (before 1970 too) and nanoseconds, the seconds in two halves;
 * 0 for never.
 */
static void
put_time(uint8_t *p, double t)
{
	double		 s;
	int64_t		 sec;
	uint32_t	 ns;

	if (t == 0.0 || !isfinite(t) || fabs(t) > 1e15) {
		memset(p, 0, 12);
		return;
	}
	s = floor(t);
	sec = (int64_t)s;
	if ((ns = (uint32_t)((t - s) * 1e9)) > 999999999)
		ns = 999999999;
	put32(p, (uint32_t)((uint64_t)sec >> 32));
	put32(p + 4, (uint32_t)sec);
	put32(p + 8, ns);
}

static uint32_t
ago(double s)
{
	if (!(s >= 0.0))
		return CM_AGO_NEVER;
	if (s >= (double)(CM_AGO_NEVER - 1))
		return CM_AGO_NEVER - 1;
	return (uint32_t)s;
}

static void
get_addr(const uint8_t *p, struct cmdmon_addr *a)
{
	memset(a, 0, sizeof(*a));
	switch (get16(p + 16)) {
	case CM_FAMILY_INET4:
		a->family = 4;
		memcpy(a->a, p, 4);
		break;
	case CM_FAMILY_INET6:
		a->family = 6;
		memcpy(a->a, p, 16);
		break;
	}
}

void
cmdmon_put_addr(uint8_t *p, const char *numeric)
{
	memset(p, 0, CM_ADDR_LEN);
	if (inet_pton(AF_INET, numeric, p) == 1)
		put16(p + 16, CM_FAMILY_INET4);
	else if (inet_pton(AF_INET6, numeric, p) == 1)
		put16(p + 16, CM_FAMILY_INET6);
	else
		memset(p, 0, CM_ADDR_LEN);
}

int
cmdmon_addr_text(const struct cmdmon_addr *a, char *buf, size_t len)
{
	if (a->family == 0) {
		if (len == 0)
			return -1;
		buf[0] = '\0';
		return 0;
	}
	return inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, buf,
	    (socklen_t)len) == NULL ? -1 : 0;
}

int
cmdmon_mask_one(const struct cmdmon_addr *mask)
{
	size_t	 i, n = mask->family == 4 ? 4 : 16;

	if (mask->family == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (mask->a[i] != 0xff)
			return 0;
	return 1;
}

uint32_t
cmdmon_refid_of(const char *name)
{
	uint32_t	 id = 0;
	int		 i;

	for (i = 0; i < 4 && name[i] != '\0'; i++)
		id |= (uint32_t)(uint8_t)name[i] << (24 - 8 * i);
	return id;
}

enum cmdmon_verdict
cmdmon_parse(const uint8_t *buf, size_t len, struct cmdmon_request *req,
    enum cmdmon_status *status)
{
	const struct cmdmon_len	*l;
	const uint8_t		*d = buf + CM_REQ_HDR;
	size_t			 need;

	memset(req, 0, sizeof(*req));
	/* Too short for an error reply not longer than itself: dropped. */
	if (len < CM_RPY_HDR || len > CM_REQ_MAX)
		return CM_DROP;
	if (buf[1] != 1 || buf[2] != 0 || buf[3] != 0)	/* a request */
		return CM_DROP;
	req->command = get16(buf + 4);
	memcpy(&req->sequence, buf + 8, 4);
	req->length = len;
	if (buf[0] != CM_VERSION) {
		if (buf[0] < 5)		/* too old to read an answer */
			return CM_DROP;
		*status = CM_STT_BADPKTVERSION;
		return CM_ERROR;
	}
	if ((l = find_len(req->command)) == NULL) {
		*status = CM_STT_INVALID;
		return CM_ERROR;
	}
	need = CM_REQ_HDR + l->req;
	if (need < (size_t)CM_RPY_HDR + l->rpy)
		need = CM_RPY_HDR + l->rpy;
	if (len < need) {
		*status = CM_STT_BADPKTLENGTH;
		return CM_ERROR;
	}
	switch (req->command) {
	case CM_REQ_ONLINE:
	case CM_REQ_OFFLINE:
	case CM_REQ_BURST:
		get_addr(d, &req->mask);
		get_addr(d + CM_ADDR_LEN, &req->addr);
		if (req->command == CM_REQ_BURST) {
			req->n_good = (int32_t)get32(d + 40);
			req->n_total = (int32_t)get32(d + 44);
		}
		break;
	case CM_REQ_SOURCE_DATA:
	case CM_REQ_SOURCESTATS:
	case CM_REQ_SELECT_DATA:
		req->index = (int32_t)get32(d);
		break;
	case CM_REQ_NTP_DATA:
	case CM_REQ_NTP_SOURCE_NAME:
	case CM_REQ_AUTH_DATA:
	case CM_REQ_DEL_SOURCE:
		get_addr(d, &req->addr);
		break;
	case CM_REQ_SMOOTHTIME:
	case CM_REQ_MANUAL:
		req->option = (int32_t)get32(d);
		break;
	case CM_REQ_MODIFY_MAKESTEP:
		req->option = (int32_t)get32(d);		/* limit */
		req->value = cmdmon_float_dec(get32(d + 4));	/* threshold */
		break;
	case CM_REQ_DOFFSET2:
	case CM_REQ_DFREQ:
		req->value = cmdmon_float_dec(get32(d));
		break;
	}
	return CM_OK;
}

size_t
cmdmon_reply(uint8_t *out, const struct cmdmon_request *req,
    enum cmdmon_status status, enum cmdmon_rpy type, const uint8_t *body,
    size_t len)
{
	size_t	 n = CM_RPY_HDR + len;

	if (n > req->length || n > CM_RPY_MAX)
		return 0;
	memset(out, 0, CM_RPY_HDR);
	out[0] = CM_VERSION;
	out[1] = 2;			/* a reply */
	put16(out + 4, req->command);
	put16(out + 6, type);
	put16(out + 8, status);
	memcpy(out + 16, &req->sequence, 4);
	if (len > 0)
		memcpy(out + CM_RPY_HDR, body, len);
	return n;
}

size_t
cmdmon_body_n_sources(uint8_t *b, uint32_t n)
{
	put32(b, n);
	return 4;
}

static uint16_t
source_state(char state)
{
	switch (state) {
	case '*':
		return 0;	/* selected */
	case 'x':
		return 2;	/* falseticker */
	case '~':
		return 3;	/* jittery */
	case '+':
		return 4;	/* combined ("unselected" in chrony's words) */
	case '-':
		return 5;	/* selectable, not combined */
	default:
		return 1;	/* not selectable */
	}
}

size_t
cmdmon_body_source(uint8_t *b, const struct rpt_source *s)
{
	memset(b, 0, 48);
	switch (s->mode) {
	case RPT_MODE_REFCLOCK:
	case RPT_MODE_LOCAL:
		/* chronyc shows a reference clock by its ID, as IPv4 */
		put32(b, cmdmon_refid_of(s->name));
		put16(b + 16, CM_FAMILY_INET4);
		put16(b + 26, 2);
		break;
	default:
		cmdmon_put_addr(b, s->address);
		if (get16(b + 16) == CM_FAMILY_NONE)
			put16(b + 16, CM_FAMILY_ID);	/* unresolved */
		put16(b + 26, s->mode == RPT_MODE_PEER ? 1 : 0);
		break;
	}
	put16(b + 20, (uint16_t)(int16_t)s->poll);
	put16(b + 22, (uint16_t)s->stratum);
	put16(b + 24, source_state(s->state));
	put16(b + 30, s->reach);
	put32(b + 32, ago(s->last_rx_s));
	if (s->last_rx_s >= 0.0) {
		putf(b + 36, s->measured_offset_s);
		putf(b + 40, s->offset_s);
		putf(b + 44, s->error_s);
	}
	return 48;
}

size_t
cmdmon_body_tracking(uint8_t *b, const struct rpt_tracking *t)
{
	memset(b, 0, 76);
	put32(b, t->ref_id);
	cmdmon_put_addr(b + 4, t->ref_address);
	put16(b + 24, (uint16_t)t->stratum);
	put16(b + 26, (uint16_t)t->leap);
	put_time(b + 28, t->ref_time);
	putf(b + 40, -t->system_time_offset_s);	/* + the clock is slow */
	putf(b + 44, t->last_offset_s);
	putf(b + 48, t->rms_offset_s);
	putf(b + 52, t->freq_ppm);
	putf(b + 56, t->residual_freq_ppm);
	putf(b + 60, t->skew_ppm);
	putf(b + 64, t->root_delay_s);
	putf(b + 68, t->root_dispersion_s);
	putf(b + 72, t->update_interval_s);
	return 76;
}

size_t
cmdmon_body_sourcestats(uint8_t *b, const struct rpt_sourcestats *s,
    uint32_t refid)
{
	memset(b, 0, 56);
	put32(b, refid);
	cmdmon_put_addr(b + 4, s->address);
	put32(b + 24, (uint32_t)s->n_samples);
	put32(b + 28, (uint32_t)s->n_runs);
	put32(b + 32, ago(s->span_s));
	putf(b + 36, s->stddev_s);
	putf(b + 40, s->freq_ppm);
	putf(b + 44, s->freq_skew_ppm);
	putf(b + 48, s->offset_s);
	putf(b + 52, 0.0);		/* the offset's error: not reported */
	return 56;
}

size_t
cmdmon_body_activity(uint8_t *b, const struct rpt_activity *a)
{
	put32(b, (uint32_t)a->online);
	put32(b + 4, (uint32_t)a->offline);
	put32(b + 8, (uint32_t)a->burst_online);
	put32(b + 12, (uint32_t)a->burst_offline);
	put32(b + 16, (uint32_t)a->unresolved);
	return 20;
}

size_t
cmdmon_body_smoothing(uint8_t *b, const struct rpt_smoothing *s)
{
	put32(b, (s->active ? 1 : 0) | (s->leaponly ? 2 : 0));
	putf(b + 4, s->offset_s);
	putf(b + 8, s->freq_ppm);
	putf(b + 12, s->wander_ppm);
	putf(b + 16, s->last_update_ago_s);
	putf(b + 20, s->remaining_s);
	return 24;
}

static uint32_t
clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

size_t
cmdmon_body_serverstats(uint8_t *b, const struct rpt_serverstats *s)
{
	put32(b, clamp32(s->ntp_rx));
	put32(b + 4, clamp32(s->ntske_accepted));
	put32(b + 8, clamp32(s->cmd_rx));
	put32(b + 12, clamp32(s->ntp_dropped));
	put32(b + 16, clamp32(s->ntske_dropped));
	put32(b + 20, clamp32(s->cmd_dropped));
	put32(b + 24, clamp32(s->log_dropped));
	put32(b + 28, clamp32(s->auth_ntp));
	put32(b + 32, clamp32(s->interleaved));
	put32(b + 36, clamp32(s->ts_held));
	put32(b + 40, clamp32(s->ts_span));
	return 44;
}

static uint8_t
tss_char(int tss)
{
	switch (tss) {
	case RPT_TSS_DAEMON:
		return 'D';
	case RPT_TSS_KERNEL:
		return 'K';
	case RPT_TSS_HARDWARE:
		return 'H';
	default:
		return 'I';		/* chronyc's "Invalid" */
	}
}

size_t
cmdmon_body_ntpdata(uint8_t *b, const struct rpt_ntpdata *d)
{
	memset(b, 0, 124);
	cmdmon_put_addr(b, d->remote_address);
	cmdmon_put_addr(b + 20, d->local_address);
	put16(b + 40, d->remote_port);
	b[42] = (uint8_t)d->leap;
	b[43] = (uint8_t)d->version;
	b[44] = (uint8_t)d->mode;
	b[45] = (uint8_t)d->stratum;
	b[46] = (uint8_t)(int8_t)d->poll;
	b[47] = (uint8_t)(int8_t)d->precision;
	putf(b + 48, d->root_delay_s);
	putf(b + 52, d->root_dispersion_s);
	put32(b + 56, d->ref_id);
	put_time(b + 60, d->ref_time);
	putf(b + 72, d->offset_s);
	putf(b + 76, d->peer_delay_s);
	putf(b + 80, d->peer_dispersion_s);
	putf(b + 84, d->response_time_s);
	putf(b + 88, d->jitter_asymmetry);
	put16(b + 92, (uint16_t)((d->tests & RPT_TESTS_ALL) |
	    (d->interleaved ? 0x4000 : 0) | (d->authenticated ? 0x8000 : 0)));
	b[94] = tss_char(d->tx_tss);
	b[95] = tss_char(d->rx_tss);
	put32(b + 96, clamp32(d->total_tx));
	put32(b + 100, clamp32(d->total_rx));
	put32(b + 104, clamp32(d->total_valid_rx));
	put32(b + 108, clamp32(d->total_good_rx));
	return 124;
}

size_t
cmdmon_body_sourcename(uint8_t *b, const struct rpt_sourcename *n)
{
	memset(b, 0, 256);
	/* NUL-terminated within the 256 bytes */
	memcpy(b, n->name, strnlen(n->name, 255));
	return 256;
}

size_t
cmdmon_body_selectdata(uint8_t *b, const struct rpt_selectdata *s,
    uint32_t refid)
{
	memset(b, 0, 48);
	put32(b, refid);
	cmdmon_put_addr(b + 4, s->address);
	b[24] = (uint8_t)s->state;
	b[25] = s->authenticated ? 1 : 0;
	b[26] = (uint8_t)s->leap;
	put16(b + 28, (uint16_t)s->conf_options);
	put16(b + 30, (uint16_t)s->eff_options);
	put32(b + 32, ago(s->last_sample_s));
	putf(b + 36, s->score);
	putf(b + 40, s->lo_limit_s);
	putf(b + 44, s->hi_limit_s);
	return 48;
}

size_t
cmdmon_body_authdata(uint8_t *b, const struct rpt_authdata *a)
{
	memset(b, 0, 24);
	put16(b, (uint16_t)a->mode);
	put16(b + 2, (uint16_t)a->key_type);
	put32(b + 4, a->key_id);
	put16(b + 8, (uint16_t)a->key_bits);
	put16(b + 10, (uint16_t)a->ke_attempts);
	put32(b + 12, ago(a->last_ke_s));
	put16(b + 16, (uint16_t)a->cookies);
	put16(b + 18, (uint16_t)a->cookie_len);
	put16(b + 20, (uint16_t)a->naks);
	return 24;
}

size_t
cmdmon_body_manual_list(uint8_t *b)
{
	memset(b, 0, 388);
	return 388;
}
