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
 * libFuzzer target: feed bytes through a socketpair and take frames with
 * imsg_get() until it reports 0 or -1.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -Ilib lib/imsg.c \
 *	    regress/fuzz/fuzz_imsg.c -o fuzz_imsg
 *	./fuzz_imsg regress/fuzz/corpus/imsg
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check one frame; copies go to exact-size heap buffers for ASan. */
static void
check_imsg(const struct imsg *m)
{
	uint8_t	*buf;

	if (m->hdr.len < IMSG_HDR_SIZE || m->hdr.len > IMSG_MAX_FRAME)
		abort();
	if (m->datalen != (size_t)m->hdr.len - IMSG_HDR_SIZE)
		abort();
	if (m->datalen > 0 && m->data == NULL)
		abort();
	/* No descriptor travels with fuzz input, so none may come out. */
	if (m->fd != -1 || (m->hdr.flags & IMSGF_HASFD))
		abort();

	if ((buf = malloc(m->datalen + 1)) == NULL)
		abort();
	if (imsg_get_data(m, buf, m->datalen) != 0)
		abort();
	if (m->datalen > 0 && memcmp(buf, m->data, m->datalen) != 0)
		abort();
	if (imsg_get_data(m, buf, m->datalen + 1) != -1)
		abort();
	if (m->datalen > 0 && imsg_get_data(m, buf, m->datalen - 1) != -1)
		abort();
	free(buf);

	(void)imsg_check_hello(m);
}

/* Returns 1 while frames may still come, 0 once imsg_get gave -1. */
static int
drain(struct imsgbuf *ib)
{
	struct imsg	 m;
	int		 r;

	while ((r = imsg_get(ib, &m)) == 1) {
		check_imsg(&m);
		imsg_free(&m);
		imsg_free(&m);
	}
	return r == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgbuf	*ib;
	size_t		 off = 0;
	ssize_t		 n;
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	if ((ib = imsgbuf_new(sv[1])) == NULL)
		abort();

	for (;;) {
		while (off < size) {
			n = write(sv[0], data + off, size - off);
			if (n == -1) {
				if (errno == EAGAIN)
					break;
				abort();
			}
			off += n;
		}
		if (off == size && sv[0] != -1) {
			close(sv[0]);
			sv[0] = -1;
		}
		n = imsgbuf_read(ib);
		if (n == -1 && errno != EAGAIN)
			abort();
		if (!drain(ib) || n == 0)
			break;
	}

	imsgbuf_free(ib);
	if (sv[0] != -1)
		close(sv[0]);
	close(sv[1]);
	return 0;
}
