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

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg.h"
#include "testrand.h"

/* A connected non-blocking pair: a writes, b reads (or both ways). */
struct pair {
	int		 sv[2];
	struct imsgbuf	*a;
	struct imsgbuf	*b;
};

static void
set_nonblock(int fd)
{
	int	 fl;

	ck_assert_int_ne(fl = fcntl(fd, F_GETFL), -1);
	ck_assert_int_ne(fcntl(fd, F_SETFL, fl | O_NONBLOCK), -1);
}

static void
pair_open(struct pair *p)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->sv), 0);
	set_nonblock(p->sv[0]);
	set_nonblock(p->sv[1]);
	ck_assert_ptr_nonnull(p->a = imsgbuf_new(p->sv[0]));
	ck_assert_ptr_nonnull(p->b = imsgbuf_new(p->sv[1]));
	ck_assert_int_eq(imsgbuf_fd(p->a), p->sv[0]);
	ck_assert_int_eq(imsgbuf_fd(p->b), p->sv[1]);
}

static void
pair_close(struct pair *p)
{
	imsgbuf_free(p->a);
	imsgbuf_free(p->b);
	if (p->sv[0] != -1)
		close(p->sv[0]);
	if (p->sv[1] != -1)
		close(p->sv[1]);
}

/* Close the writing end, keeping its imsgbuf (for EOF tests). */
static void
pair_close_a(struct pair *p)
{
	close(p->sv[0]);
	p->sv[0] = -1;
}

static void
raw_write(int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
}

static void
raw_hdr(uint8_t *buf, uint32_t type, uint16_t len, uint16_t flags)
{
	struct imsg_hdr	 hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = len;
	hdr.flags = flags;
	hdr.peerid = 7;
	hdr.pid = 42;
	memcpy(buf, &hdr, sizeof(hdr));
}

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

START_TEST(test_imsg_round_trip)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 big[1000], got[1000];
	uint32_t	 u = 0xdeadbeef;
	size_t		 i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = i * 7 + 3;
	pair_open(&p);
	ck_assert_int_eq(imsg_compose(p.a, 100, 1, 1001, -1, &u, sizeof(u)),
	    0);
	ck_assert_int_eq(imsg_compose(p.a, 101, 2, 1002, -1, NULL, 0), 0);
	ck_assert_int_eq(imsg_compose(p.a, 0xfffffffe, 0xffffffff, 1003, -1,
	    big, sizeof(big)), 0);
	ck_assert_uint_eq(imsgbuf_queued(p.a), 3 * IMSG_HDR_SIZE + 4 + 1000);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_uint_eq(imsgbuf_queued(p.a), 0);
	ck_assert_int_eq(imsgbuf_read(p.b), 3 * IMSG_HDR_SIZE + 4 + 1000);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 100);
	ck_assert_uint_eq(m.hdr.len, IMSG_HDR_SIZE + 4);
	ck_assert_uint_eq(m.hdr.flags, 0);
	ck_assert_uint_eq(m.hdr.peerid, 1);
	ck_assert_uint_eq(m.hdr.pid, 1001);
	ck_assert_int_eq(m.fd, -1);
	ck_assert_uint_eq(m.datalen, 4);
	u = 0;
	ck_assert_int_eq(imsg_get_data(&m, &u, sizeof(u)), 0);
	ck_assert_uint_eq(u, 0xdeadbeef);
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 101);
	ck_assert_uint_eq(m.hdr.len, IMSG_HDR_SIZE);
	ck_assert_uint_eq(m.hdr.peerid, 2);
	ck_assert_uint_eq(m.hdr.pid, 1002);
	ck_assert_uint_eq(m.datalen, 0);
	ck_assert_int_eq(imsg_get_data(&m, NULL, 0), 0);
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 0xfffffffe);
	ck_assert_uint_eq(m.hdr.peerid, 0xffffffff);
	ck_assert_uint_eq(m.hdr.pid, 1003);
	ck_assert_int_eq(imsg_get_data(&m, got, sizeof(got)), 0);
	ck_assert_mem_eq(got, big, sizeof(big));
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	ck_assert_int_eq(imsgbuf_read(p.b), -1);
	ck_assert_int_eq(errno, EAGAIN);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_max_payload_round_trip)
{
	struct pair	 p;
	struct imsg	 m;
	static uint8_t	 buf[IMSG_MAX_PAYLOAD], got[IMSG_MAX_PAYLOAD];

	memset(buf, 0xa5, sizeof(buf));
	pair_open(&p);
	ck_assert_int_eq(imsg_compose(p.a, 9, 0, 0, -1, buf, sizeof(buf)), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_eq(imsgbuf_read(p.b), IMSG_MAX_FRAME);
	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.len, IMSG_MAX_FRAME);
	ck_assert_int_eq(imsg_get_data(&m, got, sizeof(got)), 0);
	ck_assert_mem_eq(got, buf, sizeof(buf));
	imsg_free(&m);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_many_frames_one_read)
{
	struct pair	 p;
	struct imsg	 m;
	uint32_t	 i, v;
	const uint32_t	 n = 500;

	pair_open(&p);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(imsg_compose(p.a, 200, i, 0, -1, &i,
		    sizeof(i)), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_eq(imsgbuf_read(p.b), n * (IMSG_HDR_SIZE + 4));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(imsg_get(p.b, &m), 1);
		ck_assert_uint_eq(m.hdr.peerid, i);
		ck_assert_int_eq(imsg_get_data(&m, &v, sizeof(v)), 0);
		ck_assert_uint_eq(v, i);
		imsg_free(&m);
	}
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_split_frame)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[IMSG_HDR_SIZE + 5];
	char		 got[5];
	size_t		 i;

	raw_hdr(frame, 300, sizeof(frame), 0);
	memcpy(frame + IMSG_HDR_SIZE, "hello", 5);
	pair_open(&p);
	for (i = 0; i < sizeof(frame) - 1; i++) {
		raw_write(p.sv[0], frame + i, 1);
		ck_assert_int_eq(imsgbuf_read(p.b), 1);
		ck_assert_int_eq(imsg_get(p.b, &m), 0);
	}
	raw_write(p.sv[0], frame + i, 1);
	ck_assert_int_eq(imsgbuf_read(p.b), 1);
	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 300);
	ck_assert_uint_eq(m.hdr.peerid, 7);
	ck_assert_uint_eq(m.hdr.pid, 42);
	ck_assert_int_eq(imsg_get_data(&m, got, sizeof(got)), 0);
	ck_assert_mem_eq(got, "hello", 5);
	imsg_free(&m);
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_truncated_header)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[IMSG_HDR_SIZE];

	raw_hdr(frame, 1, sizeof(frame), 0);
	pair_open(&p);
	raw_write(p.sv[0], frame, IMSG_HDR_SIZE - 1);
	ck_assert_int_eq(imsgbuf_read(p.b), IMSG_HDR_SIZE - 1);
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	pair_close_a(&p);
	ck_assert_int_eq(imsgbuf_read(p.b), 0);
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_truncated_payload)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[IMSG_HDR_SIZE + 100];

	memset(frame, 'x', sizeof(frame));
	raw_hdr(frame, 1, sizeof(frame), 0);
	pair_open(&p);
	raw_write(p.sv[0], frame, IMSG_HDR_SIZE + 50);
	ck_assert_int_eq(imsgbuf_read(p.b), IMSG_HDR_SIZE + 50);
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	raw_write(p.sv[0], frame + IMSG_HDR_SIZE + 50, 49);
	ck_assert_int_eq(imsgbuf_read(p.b), 49);
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	pair_close_a(&p);
	ck_assert_int_eq(imsgbuf_read(p.b), 0);
	ck_assert_int_eq(imsg_get(p.b, &m), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_oversized_frame)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[IMSG_HDR_SIZE];

	/* Rejected on the header alone, before the payload arrives. */
	raw_hdr(frame, 1, IMSG_MAX_FRAME + 1, 0);
	pair_open(&p);
	raw_write(p.sv[0], frame, sizeof(frame));
	ck_assert_int_eq(imsgbuf_read(p.b), sizeof(frame));
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	/* The connection stays unusable. */
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	pair_close(&p);

	raw_hdr(frame, 1, UINT16_MAX, 0);
	pair_open(&p);
	raw_write(p.sv[0], frame, sizeof(frame));
	ck_assert_int_eq(imsgbuf_read(p.b), sizeof(frame));
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_undersized_frame)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[2 * IMSG_HDR_SIZE];
	uint16_t	 lens[] = { 0, 1, IMSG_HDR_SIZE - 1 };
	size_t		 i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(frame, 0, sizeof(frame));
		raw_hdr(frame, 1, lens[i], 0);
		pair_open(&p);
		raw_write(p.sv[0], frame, sizeof(frame));
		ck_assert_int_eq(imsgbuf_read(p.b), sizeof(frame));
		ck_assert_int_eq(imsg_get(p.b, &m), -1);
		pair_close(&p);
	}
}
END_TEST

START_TEST(test_imsg_unknown_flags)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[IMSG_HDR_SIZE];

	raw_hdr(frame, 1, IMSG_HDR_SIZE, 0x8000);
	pair_open(&p);
	raw_write(p.sv[0], frame, sizeof(frame));
	ck_assert_int_eq(imsgbuf_read(p.b), sizeof(frame));
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_compose_too_big)
{
	struct pair	 p;
	static uint8_t	 buf[IMSG_MAX_PAYLOAD + 1];
	int		 fds[2];

	pair_open(&p);
	ck_assert_int_eq(pipe(fds), 0);
	errno = 0;
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, -1, buf, sizeof(buf)),
	    -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, fds[0], buf,
	    sizeof(buf)), -1);
	/* On failure the caller keeps the descriptor. */
	ck_assert(fd_is_open(fds[0]));
	ck_assert_uint_eq(imsgbuf_queued(p.a), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	close(fds[0]);
	close(fds[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_get_data_length_mismatch)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, got[16];

	pair_open(&p);
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, -1, buf, sizeof(buf)), 0);
	ck_assert_int_eq(imsg_compose(p.a, 2, 0, 0, -1, NULL, 0), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_gt(imsgbuf_read(p.b), 0);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_int_eq(imsg_get_data(&m, got, 0), -1);
	ck_assert_int_eq(imsg_get_data(&m, got, 4), -1);
	ck_assert_int_eq(imsg_get_data(&m, got, 7), -1);
	ck_assert_int_eq(imsg_get_data(&m, got, 9), -1);
	ck_assert_int_eq(imsg_get_data(&m, got, 16), -1);
	ck_assert_int_eq(imsg_get_data(&m, got, 8), 0);
	ck_assert_mem_eq(got, buf, 8);
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_int_eq(imsg_get_data(&m, got, 1), -1);
	ck_assert_int_eq(imsg_get_data(&m, got, 0), 0);
	imsg_free(&m);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_free_is_idempotent)
{
	struct pair	 p;
	struct imsg	 m;

	memset(&m, 0, sizeof(m));
	imsg_free(&m);
	imsg_free(&m);

	pair_open(&p);
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, -1, "abc", 3), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_gt(imsgbuf_read(p.b), 0);
	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_ptr_nonnull(m.data);
	imsg_free(&m);
	ck_assert_ptr_null(m.data);
	imsg_free(&m);
	pair_close(&p);

	imsgbuf_free(NULL);
}
END_TEST

/* Send a hello-typed frame with this payload; return imsg_check_hello(). */
static int
hello_with(uint32_t type, const void *payload, size_t len)
{
	struct pair	 p;
	struct imsg	 m;
	int		 rv;

	pair_open(&p);
	ck_assert_int_eq(imsg_compose(p.a, type, 0, getpid(), -1, payload,
	    len), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_gt(imsgbuf_read(p.b), 0);
	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	rv = imsg_check_hello(&m);
	imsg_free(&m);
	pair_close(&p);
	return rv;
}

START_TEST(test_imsg_hello_good)
{
	struct pair		 p;
	struct imsg		 m;
	struct imsg_hello	 h = { IMSG_VERSION, IMSG_MAGIC };

	pair_open(&p);
	ck_assert_int_eq(imsg_compose_hello(p.a), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_eq(imsgbuf_read(p.b),
	    IMSG_HDR_SIZE + sizeof(struct imsg_hello));
	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, IMSG_HELLO);
	ck_assert_uint_eq(m.hdr.pid, (uint32_t)getpid());
	ck_assert_int_eq(imsg_check_hello(&m), 0);
	imsg_free(&m);
	pair_close(&p);

	ck_assert_int_eq(hello_with(IMSG_HELLO, &h, sizeof(h)), 0);
}
END_TEST

START_TEST(test_imsg_hello_bad_version)
{
	struct imsg_hello	 h = { IMSG_VERSION + 1, IMSG_MAGIC };

	ck_assert_int_eq(hello_with(IMSG_HELLO, &h, sizeof(h)), -1);
	h.version = 0;
	ck_assert_int_eq(hello_with(IMSG_HELLO, &h, sizeof(h)), -1);
}
END_TEST

START_TEST(test_imsg_hello_bad_magic)
{
	struct imsg_hello	 h = { IMSG_VERSION, IMSG_MAGIC ^ 1 };

	ck_assert_int_eq(hello_with(IMSG_HELLO, &h, sizeof(h)), -1);
}
END_TEST

START_TEST(test_imsg_hello_wrong_size)
{
	uint8_t			 buf[sizeof(struct imsg_hello) + 4];
	struct imsg_hello	 h = { IMSG_VERSION, IMSG_MAGIC };

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	ck_assert_int_eq(hello_with(IMSG_HELLO, buf, sizeof(buf)), -1);
	ck_assert_int_eq(hello_with(IMSG_HELLO, buf, sizeof(h) - 1), -1);
	ck_assert_int_eq(hello_with(IMSG_HELLO, NULL, 0), -1);
}
END_TEST

START_TEST(test_imsg_hello_wrong_type)
{
	struct imsg_hello	 h = { IMSG_VERSION, IMSG_MAGIC };

	ck_assert_int_eq(hello_with(IMSG_HELLO + 1, &h, sizeof(h)), -1);
}
END_TEST

START_TEST(test_imsg_fd_passing)
{
	struct pair	 p;
	struct imsg	 m;
	struct stat	 st1, st2;
	int		 pfd[2], dfd, nfd;
	char		 buf[8];

	nfd = count_fds();
	pair_open(&p);
	ck_assert_int_eq(pipe(pfd), 0);
	/* Keep pfd[0] open so that the received number must differ. */
	ck_assert_int_ne(dfd = dup(pfd[0]), -1);
	ck_assert_int_eq(imsg_compose(p.a, 400, 0, 0, -1, "a", 1), 0);
	ck_assert_int_eq(imsg_compose(p.a, 401, 0, 0, dfd, "b", 1), 0);
	ck_assert_int_eq(imsg_compose(p.a, 402, 0, 0, -1, "c", 1), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	/* Closed once sent. */
	ck_assert(!fd_is_open(dfd));

	while (imsgbuf_read(p.b) > 0)
		;
	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 400);
	ck_assert_int_eq(m.fd, -1);
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 401);
	ck_assert_uint_eq(m.hdr.flags, IMSGF_HASFD);
	ck_assert_int_ge(m.fd, 0);
	ck_assert_int_ne(m.fd, pfd[0]);
	ck_assert_int_eq(fcntl(m.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fstat(m.fd, &st1), 0);
	ck_assert_int_eq(fstat(pfd[0], &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);
	raw_write(pfd[1], "pipe!", 5);
	ck_assert_int_eq(read(m.fd, buf, sizeof(buf)), 5);
	ck_assert_mem_eq(buf, "pipe!", 5);
	close(m.fd);
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(p.b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, 402);
	ck_assert_int_eq(m.fd, -1);
	imsg_free(&m);

	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
	ck_assert_int_eq(count_fds(), nfd);
}
END_TEST

START_TEST(test_imsg_fd_partial_write)
{
	struct pair	 p;
	struct imsg	 m;
	static uint8_t	 buf[IMSG_MAX_PAYLOAD];
	int		 pfd[2], sndbuf = 4096, r, got = 0;

	/* A descriptor on a frame that needs several writes. */
	pair_open(&p);
	ck_assert_int_eq(setsockopt(p.sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, -1, buf, sizeof(buf)), 0);
	ck_assert_int_eq(imsg_compose(p.a, 2, 0, 0, pfd[0], buf, sizeof(buf)),
	    0);
	ck_assert_int_eq(imsg_compose(p.a, 3, 0, 0, -1, buf, sizeof(buf)), 0);
	do {
		ck_assert_int_ne(r = imsgbuf_write(p.a), -1);
		while (imsgbuf_read(p.b) > 0)
			;
		while (imsg_get(p.b, &m) == 1) {
			got++;
			ck_assert_uint_eq(m.hdr.type, (uint32_t)got);
			if (got == 2) {
				ck_assert_int_ge(m.fd, 0);
				close(m.fd);
			} else
				ck_assert_int_eq(m.fd, -1);
			imsg_free(&m);
		}
	} while (r == 1 || got < 3);
	ck_assert_int_eq(got, 3);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_hasfd_without_fd)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[IMSG_HDR_SIZE];

	raw_hdr(frame, 1, IMSG_HDR_SIZE, IMSGF_HASFD);
	pair_open(&p);
	raw_write(p.sv[0], frame, sizeof(frame));
	ck_assert_int_eq(imsgbuf_read(p.b), sizeof(frame));
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	pair_close(&p);
}
END_TEST

/* Send one byte with n copies of fd as SCM_RIGHTS. */
static void
send_fds(int sock, int fd, int n)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int) * 64)];
	} cmsgbuf;
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	uint8_t		 byte = 0;
	int		 i;

	ck_assert_int_le(n, 64);
	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	for (i = 0; i < n; i++)
		memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	ck_assert_int_eq(sendmsg(sock, &msg, 0), 1);
}

START_TEST(test_imsg_too_many_fds_in_one_message)
{
	struct pair	 p;
	struct imsg	 m;
	int		 pfd[2], nfd;

	nfd = count_fds();
	pair_open(&p);
	ck_assert_int_eq(pipe(pfd), 0);
	send_fds(p.sv[0], pfd[0], IMSG_MAX_FDS + 1);
	ck_assert_int_eq(imsgbuf_read(p.b), 1);
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
	ck_assert_int_eq(count_fds(), nfd);
}
END_TEST

START_TEST(test_imsg_too_many_fds_queued)
{
	struct pair	 p;
	struct imsg	 m;
	int		 pfd[2], i, nfd;

	nfd = count_fds();
	pair_open(&p);
	ck_assert_int_eq(pipe(pfd), 0);
	for (i = 0; i < IMSG_MAX_FDS + 1; i++) {
		ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, dup(pfd[0]), NULL,
		    0), 0);
		ck_assert_int_eq(imsgbuf_write(p.a), 0);
		/* Read without collecting: descriptors pile up. */
		ck_assert_int_eq(imsgbuf_read(p.b), IMSG_HDR_SIZE);
	}
	ck_assert_int_eq(imsg_get(p.b, &m), -1);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
	/* Queued and extra descriptors were all closed. */
	ck_assert_int_eq(count_fds(), nfd);
}
END_TEST

START_TEST(test_imsg_free_closes_queued_fds)
{
	struct pair	 p;
	int		 pfd[2], nfd;

	nfd = count_fds();
	pair_open(&p);
	ck_assert_int_eq(pipe(pfd), 0);
	/* One sent and not collected, one never sent. */
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, dup(pfd[0]), NULL, 0), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	ck_assert_int_eq(imsgbuf_read(p.b), IMSG_HDR_SIZE);
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, dup(pfd[0]), NULL, 0), 0);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
	ck_assert_int_eq(count_fds(), nfd);
}
END_TEST

START_TEST(test_imsg_write_full_socket)
{
	struct pair	 p;
	struct imsg	 m;
	static uint8_t	 buf[4096], got[4096];
	uint32_t	 sent = 0, recvd = 0;
	int		 r, sndbuf = 4096, rounds = 0;

	pair_open(&p);
	ck_assert_int_eq(setsockopt(p.sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	for (;;) {
		memset(buf, sent & 0xff, sizeof(buf));
		ck_assert_int_eq(imsg_compose(p.a, 500, sent, 0, -1, buf,
		    sizeof(buf)), 0);
		sent++;
		if ((r = imsgbuf_write(p.a)) == 1)
			break;
		ck_assert_int_eq(r, 0);
		ck_assert_uint_lt(sent, 10000);
	}
	ck_assert_uint_gt(imsgbuf_queued(p.a), 0);
	/* A few more frames wait behind the blocked one. */
	for (; sent < 100; sent++) {
		memset(buf, sent & 0xff, sizeof(buf));
		ck_assert_int_eq(imsg_compose(p.a, 500, sent, 0, -1, buf,
		    sizeof(buf)), 0);
	}
	ck_assert_int_eq(imsgbuf_write(p.a), 1);

	do {
		ck_assert_int_lt(rounds++, 100000);
		while (imsgbuf_read(p.b) > 0) {
			while (imsg_get(p.b, &m) == 1) {
				ck_assert_uint_eq(m.hdr.peerid, recvd);
				ck_assert_int_eq(imsg_get_data(&m, got,
				    sizeof(got)), 0);
				memset(buf, recvd & 0xff, sizeof(buf));
				ck_assert_mem_eq(got, buf, sizeof(buf));
				imsg_free(&m);
				recvd++;
			}
		}
		ck_assert_int_ne(r = imsgbuf_write(p.a), -1);
	} while (r == 1 || recvd < sent);
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(imsgbuf_queued(p.a), 0);
	ck_assert_uint_eq(recvd, sent);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_queue_limit)
{
	struct pair	 p;
	static uint8_t	 buf[IMSG_MAX_PAYLOAD];
	size_t		 n = 0;
	int		 pfd[2];

	pair_open(&p);
	while (imsg_compose(p.a, 1, 0, 0, -1, buf, sizeof(buf)) == 0) {
		n++;
		ck_assert_uint_le(imsgbuf_queued(p.a), IMSG_MAX_QUEUED);
		ck_assert_uint_lt(n, 2 * IMSG_MAX_QUEUED / IMSG_MAX_FRAME);
	}
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(n, IMSG_MAX_QUEUED / IMSG_MAX_FRAME);
	ck_assert_uint_eq(imsgbuf_queued(p.a), n * IMSG_MAX_FRAME);

	/* Refused with a descriptor: the caller still owns it. */
	ck_assert_int_eq(pipe(pfd), 0);
	errno = 0;
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, pfd[0], NULL, 0), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert(fd_is_open(pfd[0]));
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_read_buffer_full)
{
	struct pair	 p;
	struct imsg	 m;
	static uint8_t	 buf[IMSG_MAX_PAYLOAD];
	ssize_t		 n, total = 0;
	int		 i, got = 0;

	pair_open(&p);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, -1, buf,
		    sizeof(buf)), 0);
	ck_assert_int_eq(imsgbuf_write(p.a), 0);
	while ((n = imsgbuf_read(p.b)) > 0)
		total += n;
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(total, 2 * IMSG_MAX_FRAME);
	/* Draining makes room again. */
	for (;;) {
		while (imsg_get(p.b, &m) == 1) {
			imsg_free(&m);
			got++;
		}
		if (got == 4)
			break;
		ck_assert_int_gt(imsgbuf_read(p.b), 0);
	}
	pair_close(&p);
}
END_TEST

START_TEST(test_imsg_peer_closed)
{
	struct pair	 p;

	/* Check runs each test in a child: SIGPIPE would kill it. */
	pair_open(&p);
	close(p.sv[1]);
	p.sv[1] = -1;
	ck_assert_int_eq(imsg_compose(p.a, 1, 0, 0, -1, "x", 1), 0);
	errno = 0;
	ck_assert_int_eq(imsgbuf_write(p.a), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(imsgbuf_read(p.a), 0);
	pair_close(&p);
}
END_TEST

static uint32_t
rnd_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((rnd_next(s) >> 32) % n);
}

struct expect {
	uint32_t	 type, peerid, pid;
	int		 hasfd;
	size_t		 len;
	uint8_t		*data;
};

/* Write what we can, read once, collect every complete frame. */
static void
pump(struct pair *p, struct expect *ex, size_t *recvd, ino_t ino)
{
	struct imsg	 m;
	struct expect	*e;
	struct stat	 st;
	int		 r;

	ck_assert_int_ne(imsgbuf_write(p->a), -1);
	if (imsgbuf_read(p->b) == -1)
		ck_assert_int_eq(errno, EAGAIN);
	while ((r = imsg_get(p->b, &m)) == 1) {
		e = &ex[(*recvd)++];
		ck_assert_uint_eq(m.hdr.type, e->type);
		ck_assert_uint_eq(m.hdr.peerid, e->peerid);
		ck_assert_uint_eq(m.hdr.pid, e->pid);
		ck_assert_uint_eq(m.datalen, e->len);
		if (e->len > 0)
			ck_assert_mem_eq(m.data, e->data, e->len);
		if (e->hasfd) {
			ck_assert_int_ge(m.fd, 0);
			ck_assert_int_eq(fstat(m.fd, &st), 0);
			ck_assert_uint_eq(st.st_ino, ino);
			close(m.fd);
		} else
			ck_assert_int_eq(m.fd, -1);
		imsg_free(&m);
	}
	ck_assert_int_eq(r, 0);
}

START_TEST(test_imsg_random_round_trip)
{
	struct pair	 p;
	struct expect	*ex, *e;
	struct stat	 st;
	uint64_t	 s;
	size_t		 i, j, n, recvd = 0;
	int		 pfd[2], fd, rounds = 0, nfd;

	s = test_seed("test_imsg_random_round_trip");
	if (s == 0)
		s = 1;
	nfd = count_fds();
	n = 200 + rnd_below(&s, 300);
	ck_assert_ptr_nonnull(ex = calloc(n, sizeof(*ex)));
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(fstat(pfd[0], &st), 0);
	pair_open(&p);
	for (i = 0; i < n; i++) {
		e = &ex[i];
		e->type = (uint32_t)rnd_next(&s);
		e->peerid = (uint32_t)rnd_next(&s);
		e->pid = (uint32_t)rnd_next(&s) & 0x7fffffff;
		switch (rnd_below(&s, 4)) {
		case 0:
			e->len = 0;
			break;
		case 1:
			e->len = rnd_below(&s, IMSG_MAX_PAYLOAD + 1);
			break;
		default:
			e->len = rnd_below(&s, 64);
			break;
		}
		e->hasfd = rnd_below(&s, 8) == 0;
		if (e->len > 0) {
			ck_assert_ptr_nonnull(e->data = malloc(e->len));
			for (j = 0; j < e->len; j++)
				e->data[j] = (uint8_t)rnd_next(&s);
		}
		fd = -1;
		if (e->hasfd)
			ck_assert_int_ne(fd = dup(pfd[0]), -1);
		while (imsg_compose(p.a, e->type, e->peerid, e->pid, fd,
		    e->data, e->len) == -1) {
			ck_assert_int_eq(errno, ENOBUFS);
			pump(&p, ex, &recvd, st.st_ino);
		}
		if (rnd_below(&s, 4) == 0)
			pump(&p, ex, &recvd, st.st_ino);
	}
	while (recvd < n) {
		ck_assert_int_lt(rounds++, 1000000);
		pump(&p, ex, &recvd, st.st_ino);
	}
	ck_assert_uint_eq(imsgbuf_queued(p.a), 0);
	for (i = 0; i < n; i++)
		free(ex[i].data);
	free(ex);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
	ck_assert_int_eq(count_fds(), nfd);
}
END_TEST

static Suite *
imsg_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("imsg");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_imsg_round_trip);
	tcase_add_test(tc, test_imsg_max_payload_round_trip);
	tcase_add_test(tc, test_imsg_many_frames_one_read);
	tcase_add_test(tc, test_imsg_split_frame);
	tcase_add_test(tc, test_imsg_truncated_header);
	tcase_add_test(tc, test_imsg_truncated_payload);
	tcase_add_test(tc, test_imsg_oversized_frame);
	tcase_add_test(tc, test_imsg_undersized_frame);
	tcase_add_test(tc, test_imsg_unknown_flags);
	tcase_add_test(tc, test_imsg_compose_too_big);
	tcase_add_test(tc, test_imsg_get_data_length_mismatch);
	tcase_add_test(tc, test_imsg_free_is_idempotent);
	tcase_add_test(tc, test_imsg_hello_good);
	tcase_add_test(tc, test_imsg_hello_bad_version);
	tcase_add_test(tc, test_imsg_hello_bad_magic);
	tcase_add_test(tc, test_imsg_hello_wrong_size);
	tcase_add_test(tc, test_imsg_hello_wrong_type);
	tcase_add_test(tc, test_imsg_fd_passing);
	tcase_add_test(tc, test_imsg_fd_partial_write);
	tcase_add_test(tc, test_imsg_hasfd_without_fd);
	tcase_add_test(tc, test_imsg_too_many_fds_in_one_message);
	tcase_add_test(tc, test_imsg_too_many_fds_queued);
	tcase_add_test(tc, test_imsg_free_closes_queued_fds);
	tcase_add_test(tc, test_imsg_write_full_socket);
	tcase_add_test(tc, test_imsg_queue_limit);
	tcase_add_test(tc, test_imsg_read_buffer_full);
	tcase_add_test(tc, test_imsg_peer_closed);
	tcase_add_test(tc, test_imsg_random_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(imsg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
