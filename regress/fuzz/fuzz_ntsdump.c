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
 * libFuzzer target: the NTS client's state files the monitor reads from
 * ntsdumpdir (lib/nts_dump.c).  A file that parses must pass the checks
 * and write back to a text that parses to the same; and whatever the engine sends
 * (IMSG_NTS_CLIENT_DUMP, the bytes as the struct) either fails the
 * checks or writes a file that parses to the same struct.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -Ilib lib/nts_dump.c \
 *	    regress/fuzz/fuzz_ntsdump.c -o fuzz_ntsdump
 *	./fuzz_ntsdump -max_total_time=60
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nts_dump.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 out[NTS_DUMP_FILE_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nts_dump	 d, e;
	size_t		 len;
	int		 line;

	if (nts_dump_parse((const char *)data, size, &d, &line) == 0) {
		if (nts_dump_check(&d) != NULL ||
		    (len = nts_dump_write(&d, out, sizeof(out))) == 0 ||
		    nts_dump_parse(out, len, &e, &line) != 0 ||
		    memcmp(&d, &e, sizeof(d)) != 0)
			abort();
	}
	memset(&d, 0, sizeof(d));
	memcpy(&d, data, size < sizeof(d) ? size : sizeof(d));
	if (nts_dump_check(&d) == NULL) {
		if ((len = nts_dump_write(&d, out, sizeof(out))) == 0 ||
		    nts_dump_parse(out, len, &e, &line) != 0)
			abort();
		/* what the text carries: counted cookies, the strings */
		if (strcmp(d.name, e.name) != 0 ||
		    d.n_cookies != e.n_cookies ||
		    memcmp(d.c2s, e.c2s, sizeof(d.c2s)) != 0)
			abort();
	}
	return 0;
}
