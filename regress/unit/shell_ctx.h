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
 * The engine around a part under test (regress/unit/check_shell_*.c), as
 * chrony's test/unit does it: the test #includes the part's .c files
 * after this header, which turns the part's clock readings into a clock
 * of the test's (fake_sys_ns), and gives it a context (daemon/ectx.c
 * itself) whose channel to the monitor is in memory, read back frame by
 * frame, and whose hooks count what the part asks of the others.
 * Include the system headers the part uses before this one.
 */

#ifndef TIMED_SHELL_CTX_H
#define TIMED_SHELL_CTX_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <event2/event.h>

#include "conf.h"
#include "imsg.h"
#include "proto.h"
#include "vclock.h"

/* System time, as the part reads it (CLOCK_REALTIME). */
static int64_t	fake_sys_ns = 1800000000LL * 1000000000LL;

static int
fake_clock_gettime(clockid_t id, struct timespec *ts)
{
	ts->tv_sec = fake_sys_ns / 1000000000LL;
	ts->tv_nsec = fake_sys_ns % 1000000000LL;
	return 0;
}
#define clock_gettime	fake_clock_gettime

#include "ectx.c"

/* What the part asked of the others through the hooks. */
struct fake_ctx {
	struct ectx		 ctx;
	struct imsgbuf		*end[2];	/* engine's, monitor's */
	struct event_base	*base;
	int			 ref_changed;	/* calls */
	int			 trust_changed;
	int			 trust_certset;	/* the last one's */
	int			 ref_ok;	/* what reference() says */
	struct srv_state	 ref;
};

static void
fake_queued(void *arg)
{
}

static void
fake_ref_changed(void *arg)
{
	struct fake_ctx	*f = arg;

	f->ref_changed++;
}

static int
fake_reference(void *arg, struct srv_state *st, int64_t *disp_ns,
    double *disp_rate)
{
	struct fake_ctx	*f = arg;

	if (!f->ref_ok)
		return 0;
	*st = f->ref;
	*disp_ns = fake_sys_ns;
	*disp_rate = 0.0;
	return 1;
}

static void
fake_trust_changed(void *arg, int certset)
{
	struct fake_ctx	*f = arg;

	f->trust_changed++;
	f->trust_certset = certset;
}

static struct ntske_conn *
fake_ntske_start(void *arg, const struct conf_source *src,
    ntske_request_fn request, ntske_done_fn done, void *fnarg)
{
	return NULL;
}

/* No NTS server here: the plain engine's. */
static int
fake_nts_serving(void *arg)
{
	return 0;
}

static size_t
fake_nts_early_size(void *arg)
{
	return 0;
}

static void
fake_nts_ke_early(void *arg, SSL *ssl, void *early)
{
	ck_abort_msg("NTS-KE early without an NTS server");
}

static int
fake_nts_ke_answer(void *arg, SSL *ssl, void *early, const uint8_t *req,
    size_t reqlen, uint8_t *resp, size_t *resplen)
{
	ck_abort_msg("NTS-KE answer without an NTS server");
	return -1;
}

static size_t
fake_nts_respond(void *arg, const uint8_t *req, size_t reqlen, uint8_t *out,
    size_t outsize, size_t hdrlen, struct rpt_serverstats *st)
{
	ck_abort_msg("NTS answer without an NTS server");
	return 0;
}

static const struct ectx_hooks fake_hooks = {
	.queued = fake_queued,
	.ref_changed = fake_ref_changed,
	.reference = fake_reference,
	.trust_changed = fake_trust_changed,
	.ntske_start = fake_ntske_start,
	.nts_serving = fake_nts_serving,
	.nts_early_size = fake_nts_early_size,
	.nts_ke_early = fake_nts_ke_early,
	.nts_ke_answer = fake_nts_ke_answer,
	.nts_respond = fake_nts_respond
};

/*
 * A context for conf, its lines parsed as timed.conf's: the clock state
 * told (the kernel clock, no slew, no frequency), no resolver, no keys.
 */
static void
fake_ctx_open(struct fake_ctx *f, const char *const *lines)
{
	struct conf_diag	 diag;
	enum conf_action	 act;
	char			 arg[256];
	int			 i;

	memset(f, 0, sizeof(*f));
	ck_assert_ptr_nonnull(f->ctx.conf = conf_new());
	for (i = 0; lines[i] != NULL; i++)
		ck_assert_msg(conf_parse_line(f->ctx.conf, lines[i], 0, &act,
		    arg, sizeof(arg), &diag) == 0, "conf: %s", lines[i]);
	ck_assert_ptr_nonnull(f->base = event_base_new());
	ck_assert_int_eq(imsgbuf_new_pair(f->end), 0);
	f->ctx.base = f->base;
	f->ctx.ibuf = f->end[0];
	ectx_init(&f->ctx, &fake_hooks, f);
	f->ctx.clock.kind = CLOCK_KIND_KERNEL;
	vclock_init(&f->ctx.clock.model, fake_sys_ns, 0.0, 0.0);
	f->ctx.have_cs = 1;
}

static void
fake_ctx_close(struct fake_ctx *f)
{
	imsgbuf_free(f->end[0]);
	imsgbuf_free(f->end[1]);
	event_base_free(f->base);
	conf_free(f->ctx.conf);
}

/* A frame the part sent the monitor. */
struct fake_frame {
	uint32_t	 type;
	uint32_t	 peerid;
	size_t		 len;
	uint8_t		 data[4096];
};

/* The next frame the part sent, other than IMSG_LOG; 0 if none. */
static inline int
fake_next(struct fake_ctx *f, struct fake_frame *fr)
{
	struct imsg	 imsg;
	int		 r;

	(void)imsgbuf_read(f->end[1]);
	while ((r = imsg_get(f->end[1], &imsg)) == 1) {
		if (imsg.hdr.type == IMSG_LOG) {
			imsg_free(&imsg);
			continue;
		}
		fr->type = imsg.hdr.type;
		fr->peerid = imsg.hdr.peerid;
		ck_assert_uint_le(imsg.datalen, sizeof(fr->data));
		fr->len = imsg.datalen;
		if (fr->len > 0)
			memcpy(fr->data, imsg.data, fr->len);
		imsg_free(&imsg);
		return 1;
	}
	ck_assert_int_eq(r, 0);
	return 0;
}

/* The next frame is of type, with len bytes, copied to data. */
static inline void
fake_expect(struct fake_ctx *f, uint32_t type, void *data, size_t len)
{
	struct fake_frame	 fr;

	ck_assert_msg(fake_next(f, &fr), "no frame %u", type);
	ck_assert_msg(fr.type == type, "frame %u, not %u", fr.type, type);
	ck_assert_uint_eq(fr.len, len);
	if (len > 0)
		memcpy(data, fr.data, len);
}

/* No more frames. */
static inline void
fake_expect_none(struct fake_ctx *f)
{
	struct fake_frame	 fr;

	ck_assert_msg(!fake_next(f, &fr), "frame %u more", fr.type);
}

#endif
