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
 * The engine's side of crash attribution (daemon/blame.c): what it
 * writes in the page the monitor reads, and the peers it ignores.
 * Each test runs in its own process (check's fork mode): the module's
 * state starts empty.
 */

#include <sys/mman.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blame.h"
#include "proto.h"

static struct sockaddr_storage
v4(const char *a)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage
v6(const char *a)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
	return ss;
}

/* IMSG_BLOCK_PEER for addr/prefix_len, seconds; blame_block()'s result. */
static int
block(int family, const char *addr, int prefix_len, int seconds)
{
	struct peer_block	 b;
	struct imsg		 imsg;

	memset(&b, 0, sizeof(b));
	b.family = family;
	ck_assert_int_eq(inet_pton(family, addr, b.addr), 1);
	b.prefix_len = prefix_len;
	b.seconds = seconds;
	memset(&imsg, 0, sizeof(imsg));
	imsg.fd = -1;
	imsg.data = (uint8_t *)&b;
	imsg.datalen = sizeof(b);
	return blame_block(&imsg);
}

static int
blocked(const struct sockaddr_storage ss)
{
	return blame_blocked((const struct sockaddr *)&ss);
}

START_TEST(test_blame_page_names_the_peer_in_progress)
{
	struct sockaddr_storage	 a = v4("192.0.2.7"), b;
	struct blame_page	*seen;
	struct imsg		 imsg;
	int			 fd;

	fd = memfd_create("test", 0);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(ftruncate(fd, sizeof(*seen)), 0);
	seen = mmap(NULL, sizeof(*seen), PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(seen, MAP_FAILED);
	memset(&imsg, 0, sizeof(imsg));
	imsg.fd = dup(fd);
	ck_assert_int_eq(blame_map(&imsg), 0);
	ck_assert_int_eq(imsg.fd, -1);	/* taken */

	blame_set(BLAME_NTP, (struct sockaddr *)&a);
	ck_assert_uint_eq(seen->kind, BLAME_NTP);
	ck_assert_uint_eq(seen->family, AF_INET);
	ck_assert_mem_eq(seen->addr, "\xc0\x00\x02\x07", 4);
	blame_clear();
	ck_assert_uint_eq(seen->kind, BLAME_NONE);

	/* an IPv4-mapped address is the IPv4 peer it stands for */
	b = v6("::ffff:198.51.100.1");
	blame_set(BLAME_NTSKE, (struct sockaddr *)&b);
	ck_assert_uint_eq(seen->kind, BLAME_NTSKE);
	ck_assert_uint_eq(seen->family, AF_INET);
	ck_assert_mem_eq(seen->addr, "\xc6\x33\x64\x01", 4);
	b = v6("2001:db8::1");
	blame_set(BLAME_NTP, (struct sockaddr *)&b);
	ck_assert_uint_eq(seen->family, AF_INET6);
	ck_assert_mem_eq(seen->addr, "\x20\x01\x0d\xb8", 4);

	/* a second page is refused */
	memset(&imsg, 0, sizeof(imsg));
	imsg.fd = dup(fd);
	ck_assert_int_eq(blame_map(&imsg), -1);
	close(fd);
}
END_TEST

START_TEST(test_blame_blocks_by_prefix)
{
	ck_assert_int_eq(blocked(v4("192.0.2.7")), 0);
	ck_assert_int_eq(block(AF_INET, "192.0.2.7", 32, 60), 0);
	ck_assert_int_eq(blocked(v4("192.0.2.7")), 1);
	ck_assert_int_eq(blocked(v4("192.0.2.8")), 0);
	ck_assert_int_eq(blocked(v6("::ffff:192.0.2.7")), 1);

	ck_assert_int_eq(block(AF_INET6, "2001:db8:1:2::", 64, 60), 0);
	ck_assert_int_eq(blocked(v6("2001:db8:1:2::99")), 1);
	ck_assert_int_eq(blocked(v6("2001:db8:1:3::99")), 0);
	ck_assert_int_eq(block(AF_INET, "10.1.0.0", 13, 60), 0);
	ck_assert_int_eq(blocked(v4("10.7.255.255")), 1);
	ck_assert_int_eq(blocked(v4("10.8.0.0")), 0);
}
END_TEST

START_TEST(test_blame_block_rejects_bad_messages)
{
	struct imsg	 imsg;
	uint8_t		 junk[8] = { 0 };

	ck_assert_int_eq(block(AF_INET, "192.0.2.7", 0, 60), -1);
	ck_assert_int_eq(block(AF_INET, "192.0.2.7", 33, 60), -1);
	ck_assert_int_eq(block(AF_INET6, "2001:db8::", 129, 60), -1);
	ck_assert_int_eq(block(AF_INET, "192.0.2.7", 32, 0), -1);
	memset(&imsg, 0, sizeof(imsg));
	imsg.data = junk;
	imsg.datalen = sizeof(junk);
	ck_assert_int_eq(blame_block(&imsg), -1);
	ck_assert_int_eq(blocked(v4("192.0.2.7")), 0);
}
END_TEST

START_TEST(test_blame_block_ends_and_is_bounded)
{
	char	 a[32];
	int	 i;

	ck_assert_int_eq(block(AF_INET, "192.0.2.7", 32, 1), 0);
	ck_assert_int_eq(blocked(v4("192.0.2.7")), 1);
	sleep(2);
	ck_assert_int_eq(blocked(v4("192.0.2.7")), 0);
	/* more peers than slots: the one to end first gives way */
	ck_assert_int_eq(block(AF_INET, "198.51.100.1", 32, 5), 0);
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "203.0.113.%d", i);
		ck_assert_int_eq(block(AF_INET, a, 32, 600), 0);
	}
	ck_assert_int_eq(blocked(v4("198.51.100.1")), 0);
	ck_assert_int_eq(blocked(v4("203.0.113.19")), 1);
	/* blocked again: the later end counts */
	ck_assert_int_eq(block(AF_INET, "203.0.113.19", 32, 900), 0);
	ck_assert_int_eq(blocked(v4("203.0.113.19")), 1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("blame");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_blame_page_names_the_peer_in_progress);
	tcase_add_test(tc, test_blame_blocks_by_prefix);
	tcase_add_test(tc, test_blame_block_rejects_bad_messages);
	tcase_add_test(tc, test_blame_block_ends_and_is_bounded);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
