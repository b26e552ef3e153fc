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
 * libFuzzer target: the NTS-KE transport's framing, ntske_msg_end(),
 * which reads record headers of bytes from the network to find End of
 * Message.  The input goes in as bytes arrive, one prefix after another,
 * as the server and the client see it.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -Ilib -Idaemon \
 *	    daemon/ntske.c regress/fuzz/fuzz_ntske_frame.c \
 *	    -lssl -lcrypto -levent -o fuzz_ntske_frame
 *	./fuzz_ntske_frame regress/fuzz/corpus/ntske_frame
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntske.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint8_t	*buf;
	size_t	 n, end, first = 0;

	for (n = 0; n <= len; n++) {
		/* exact-size copies, so that ASan sees a read past n */
		if ((buf = malloc(n > 0 ? n : 1)) == NULL)
			return 0;
		memcpy(buf, data, n);
		end = ntske_msg_end(buf, n);
		free(buf);
		if (end > n)
			abort();
		/* once complete, more bytes never move the end */
		if (first != 0 && end != first)
			abort();
		if (end != 0) {
			if (end < 4)
				abort();
			first = end;
		}
	}
	return 0;
}
