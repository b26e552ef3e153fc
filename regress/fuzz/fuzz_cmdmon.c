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
 * libFuzzer target: decode the input as a request of chronyc's protocol
 * (lib/cmdmon.c), as monitor/chronycsock.c does, and answer it with the
 * largest reply its command could have and with an error.  Checks that
 * a verdict is one of three, that what is taken fits the input's
 * length rules, and that no reply is longer than the request.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -iquote lib \
 *	    lib/cmdmon.c regress/fuzz/fuzz_cmdmon.c -o fuzz_cmdmon -lm
 *	mkdir -p /tmp/scratch_corpus
 *	./fuzz_cmdmon /tmp/scratch_corpus regress/fuzz/corpus/cmdmon
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdmon.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmdmon_request	 req;
	struct rpt_sourcename	 sn;
	enum cmdmon_status	 st = CM_STT_SUCCESS;
	uint8_t			 out[CM_RPY_MAX], body[CM_RPY_MAX];
	char			 text[64];
	size_t			 n;

	switch (cmdmon_parse(data, size, &req, &st)) {
	case CM_DROP:
		return 0;
	case CM_ERROR:
		if (size < CM_RPY_HDR || size > CM_REQ_MAX ||
		    st == CM_STT_SUCCESS)
			abort();
		n = cmdmon_reply(out, &req, st, CM_RPY_NULL, NULL, 0);
		if (n != CM_RPY_HDR)
			abort();
		return 0;
	case CM_OK:
		break;
	default:
		abort();
	}
	if (req.length != size || size < CM_RPY_HDR || data[0] != CM_VERSION)
		abort();
	if (cmdmon_addr_text(&req.addr, text, sizeof(text)) == -1 ||
	    cmdmon_addr_text(&req.mask, text, sizeof(text)) == -1)
		abort();
	memset(&sn, 'n', sizeof(sn));
	n = cmdmon_reply(out, &req, CM_STT_SUCCESS, CM_RPY_NTP_SOURCE_NAME,
	    body, cmdmon_body_sourcename(body, &sn));
	if (n > size || (n != 0 && n != CM_RPY_HDR + 256))
		abort();
	n = cmdmon_reply(out, &req, CM_STT_UNAUTH, CM_RPY_NULL, NULL, 0);
	if (n != CM_RPY_HDR || memcmp(out + 16, data + 8, 4) != 0)
		abort();
	return 0;
}
