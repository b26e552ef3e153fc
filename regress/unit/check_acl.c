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

/* Unit tests of the access control list (lib/acl.c). */

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "conf.h"
#include "testrand.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXRULES	6
#define MAXPROBES	5

/* Helpers */

static struct acl *
acl_from_lines(const char *const *lines)
{
	struct conf		*c;
	struct conf_diag	 d;
	enum conf_action	 act;
	char			 arg[CONF_MAX_LINE];
	struct acl		*acl;

	ck_assert_ptr_nonnull(c = conf_new());
	for (; *lines != NULL; lines++)
		ck_assert_msg(conf_parse_line(c, *lines, 0, &act, arg,
		    sizeof(arg), &d) == 0, "%s: %s", *lines, d.msg);
	acl = acl_new(c->acl);
	conf_free(c);
	ck_assert_ptr_nonnull(acl);
	return acl;
}

static void
sa_from_str(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return;
	}
	ck_assert_msg(inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1,
	    "bad address %s", s);
	sin6->sin6_family = AF_INET6;
}

static int
allowed(const struct acl *acl, const char *addr)
{
	struct sockaddr_storage	 ss;

	sa_from_str(addr, &ss);
	return acl_allowed(acl, (struct sockaddr *)&ss);
}

/* Table: rules in file order, then addresses with the verdict. */

struct probe {
	const char	*addr;
	int		 allowed;
};

static const struct {
	const char	*what;
	const char	*rules[MAXRULES + 1];
	struct probe	 probes[MAXPROBES];
} rows[] = {
	{ "no rules: deny everything", { NULL },
	    { { "127.0.0.1", 0 }, { "::1", 0 }, { "::ffff:1.2.3.4", 0 },
	    { "0.0.0.0", 0 } } },
	{ "bare allow: everything", { "allow", NULL },
	    { { "1.2.3.4", 1 }, { "2001:db8::1", 1 }, { "::ffff:1.2.3.4", 1 },
	    { "::", 1 } } },
	{ "allow all: everything", { "allow all", NULL },
	    { { "1.2.3.4", 1 }, { "2001:db8::1", 1 } } },
	{ "one host", { "allow 127.0.0.1", NULL },
	    { { "127.0.0.1", 1 }, { "127.0.0.2", 0 }, { "::1", 0 },
	    { "::ffff:127.0.0.1", 1 } } },
	{ "deny inside allow", { "allow 192.168/16", "deny 192.168.1/24",
	    NULL },
	    { { "192.168.2.3", 1 }, { "192.168.1.7", 0 },
	    { "192.169.0.1", 0 }, { "10.0.0.1", 0 } } },
	{ "deny inside allow, given first", { "deny 192.168.1/24",
	    "allow 192.168/16", NULL },
	    { { "192.168.2.3", 1 }, { "192.168.1.7", 0 },
	    { "192.169.0.1", 0 } } },
	{ "same subnet twice: allow then deny", { "allow 10/8", "deny 10/8",
	    NULL },
	    { { "10.1.1.1", 0 }, { "11.1.1.1", 0 } } },
	{ "same subnet twice: deny then allow", { "deny 10/8", "allow 10/8",
	    NULL },
	    { { "10.1.1.1", 1 }, { "11.1.1.1", 0 } } },
	{ "allow all overrides more specific before it", { "deny 10.1/16",
	    "allow all 10/8", NULL },
	    { { "10.1.2.3", 1 }, { "10.2.0.1", 1 }, { "11.0.0.1", 0 } } },
	{ "plain allow does not override more specific", { "deny 10.1/16",
	    "allow 10/8", NULL },
	    { { "10.1.2.3", 0 }, { "10.2.0.1", 1 } } },
	{ "more specific after allow all still counts", { "allow all 10/8",
	    "deny 10.1/16", NULL },
	    { { "10.1.2.3", 0 }, { "10.2.0.1", 1 } } },
	{ "deny all after several allows", { "allow 10/8",
	    "allow 192.168.1.1", "allow 2001:db8::/32", "allow", "deny all",
	    NULL },
	    { { "10.1.1.1", 0 }, { "192.168.1.1", 0 }, { "2001:db8::1", 0 },
	    { "8.8.8.8", 0 }, { "::ffff:10.1.1.1", 0 } } },
	{ "bare deny keeps more specific allows", { "allow 10/8", "deny",
	    NULL },
	    { { "10.1.1.1", 1 }, { "11.1.1.1", 0 } } },
	{ "allow after deny all", { "allow", "deny all", "allow 10/8", NULL },
	    { { "10.1.1.1", 1 }, { "11.1.1.1", 0 }, { "::1", 0 } } },
	{ "deny all with a subnet", { "allow 10.1.2.3", "allow 10.2/16",
	    "allow 11/8", "deny all 10/8", NULL },
	    { { "10.1.2.3", 0 }, { "10.2.0.1", 0 }, { "11.1.1.1", 1 } } },
	{ "IPv6 all", { "allow ::/0", NULL },
	    { { "2001:db8::1", 1 }, { "::1", 1 }, { "fe80::1", 1 },
	    { "1.2.3.4", 0 }, { "::ffff:1.2.3.4", 0 } } },
	{ "IPv6 deny inside allow", { "allow 2001:db8::/32",
	    "deny 2001:db8:1::/48", NULL },
	    { { "2001:db8:2::1", 1 }, { "2001:db8:1::5", 0 },
	    { "2001:db8:1:ffff::1", 0 }, { "2001:db9::1", 0 },
	    { "2001:db8::", 1 } } },
	{ "IPv6 host", { "allow 2001:db8::7", NULL },
	    { { "2001:db8::7", 1 }, { "2001:db8::6", 0 } } },
	{ "IPv4-mapped checked as IPv4", { "allow 192.168/16",
	    "deny 192.168.1/24", NULL },
	    { { "::ffff:192.168.3.4", 1 }, { "::ffff:192.168.1.4", 0 },
	    { "::ffff:10.0.0.1", 0 }, { "::192.168.3.4", 0 } } },
	{ "IPv6 rules do not affect IPv4", { "allow 10/8", "deny ::/0",
	    "deny all ::/0", NULL },
	    { { "10.1.1.1", 1 }, { "2001:db8::1", 0 } } },
	{ "IPv4 rules do not affect IPv6", { "allow ::/0", "deny 1.2.3.4",
	    "deny all 0.0.0.0/0", NULL },
	    { { "1.2.3.4", 0 }, { "5.6.7.8", 0 }, { "::102:304", 1 },
	    { "102:304::", 1 }, { "2001:db8::1", 1 } } },
	{ "0.0.0.0/0 is IPv4 only", { "allow 0.0.0.0/0", NULL },
	    { { "8.8.8.8", 1 }, { "255.255.255.255", 1 }, { "2001:db8::1", 0 },
	    { "::ffff:8.8.8.8", 1 }, { "::", 0 } } },
	{ "prefix not a multiple of 8", { "allow 10.0.0.0/9",
	    "deny 10.64/10", NULL },
	    { { "10.127.255.255", 0 }, { "10.63.0.1", 1 },
	    { "10.128.0.0", 0 }, { "10.0.0.0", 1 } } },
	{ "one level of chrony's tables: the later rule wins",
	    { "deny 10.64/12", "allow 10.64/10", NULL },
	    { { "10.64.1.1", 1 }, { "10.80.1.1", 1 }, { "10.127.1.1", 1 },
	    { "10.128.0.1", 0 } } },
	{ "chrony.conf(5): /25 and /28 share a table", { "allow 1.2.3.0/28",
	    "deny 1.2.3.0/25", NULL },
	    { { "1.2.3.5", 0 }, { "1.2.3.20", 0 }, { "1.2.3.200", 0 } } },
	{ "/25 and /28 share a table, the other order", { "deny 1.2.3.0/25",
	    "allow 1.2.3.0/28", NULL },
	    { { "1.2.3.5", 1 }, { "1.2.3.20", 0 }, { "1.2.3.200", 0 } } },
	{ "chrony.conf(5): /28 and /29 do not", { "allow 1.2.3.0/29",
	    "deny 1.2.3.0/28", NULL },
	    { { "1.2.3.5", 1 }, { "1.2.3.9", 0 } } },
	{ "/9 and /10 share a table", { "allow 10.0.0.0/10",
	    "deny 10.0.0.0/9", NULL },
	    { { "10.1.2.3", 0 }, { "10.100.0.1", 0 } } },
	{ "IPv6 /47 and /48 share a table", { "deny 2001:db8::/48",
	    "allow 2001:db8::/47", NULL },
	    { { "2001:db8::1", 1 }, { "2001:db8:1::1", 1 },
	    { "2001:db8:2::1", 0 } } },
	{ "prefix 0 of a family", { "allow 0/0", "deny 10/8", NULL },
	    { { "10.1.1.1", 0 }, { "9.1.1.1", 1 } } },
};

START_TEST(test_acl_rules)
{
	struct acl		*acl;
	const struct probe	*p;
	size_t			 i;

	acl = acl_from_lines(rows[_i].rules);
	for (i = 0; i < MAXPROBES; i++) {
		p = &rows[_i].probes[i];
		if (p->addr == NULL)
			break;
		ck_assert_msg(allowed(acl, p->addr) == p->allowed,
		    "%s: %s should be %s", rows[_i].what, p->addr,
		    p->allowed ? "allowed" : "denied");
	}
	acl_free(acl);
}
END_TEST

START_TEST(test_acl_null_and_other_families)
{
	struct acl		*acl;
	struct sockaddr_un	 sun;

	acl_free(NULL);
	ck_assert_ptr_nonnull(acl = acl_new(NULL));
	ck_assert_int_eq(allowed(acl, "1.2.3.4"), 0);
	acl_free(acl);

	acl = acl_from_lines((const char *const []){ "allow", NULL });
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(acl_allowed(acl, (struct sockaddr *)&sun), 0);
	ck_assert_int_eq(acl_allowed(acl, NULL), 0);
	acl_free(acl);
}
END_TEST

START_TEST(test_acl_many_host_rules)
{
	struct conf_acl		*rules, *r;
	struct acl		*acl;
	struct sockaddr_in	 sin;
	uint32_t		 i, n = 4096;

	/* Deny every other host in 10.0/16 under "allow 10/8". */
	ck_assert_ptr_nonnull(rules = calloc(n + 1, sizeof(*rules)));
	rules[0].allow = 1;
	rules[0].net.family = AF_INET;
	rules[0].net.addr[0] = 10;
	rules[0].net.prefixlen = 8;
	for (i = 1; i <= n; i++) {
		r = &rules[i];
		rules[i - 1].next = r;
		r->net.family = AF_INET;
		r->net.addr[0] = 10;
		r->net.addr[2] = (uint8_t)((2 * i) >> 8);
		r->net.addr[3] = (uint8_t)(2 * i);
		r->net.prefixlen = 32;
	}
	ck_assert_ptr_nonnull(acl = acl_new(rules));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	for (i = 1; i <= 2 * n; i++) {
		sin.sin_addr.s_addr = htonl(0x0a000000 | i);
		ck_assert_int_eq(acl_allowed(acl, (struct sockaddr *)&sin),
		    i % 2);
	}
	acl_free(acl);
	free(rules);
}
END_TEST

/*
 * Randomised: random rules over a small part of the IPv4 space against a
 * model that reads the rules literally: a rule counts unless a later
 * "all" rule covers its subnet at a deeper level of chrony's tables (its
 * prefix rounded up to a multiple of 4); of those that match, the most
 * specific by that level decides, the later one on a tie.
 */

static uint32_t
v4(const struct conf_subnet *n)
{
	return (uint32_t)n->addr[0] << 24 | (uint32_t)n->addr[1] << 16 |
	    (uint32_t)n->addr[2] << 8 | n->addr[3];
}

static uint32_t
mask(int prefixlen)
{
	return prefixlen == 0 ? 0 : 0xffffffffU << (32 - prefixlen);
}

/* Does a cover b (a's prefix no longer, same bits)? */
static int
covers(const struct conf_subnet *a, const struct conf_subnet *b)
{
	if (a->family == AF_UNSPEC)
		return 1;
	if (b->family == AF_UNSPEC || a->prefixlen > b->prefixlen)
		return 0;
	return ((v4(a) ^ v4(b)) & mask(a->prefixlen)) == 0;
}

static int
level(const struct conf_acl *r)
{
	if (r->net.family == AF_UNSPEC)
		return 0;
	return (r->net.prefixlen + 3) / 4 * 4;
}

static int
model(const struct conf_acl *rules, size_t n, uint32_t addr)
{
	size_t	 i, j;
	int	 best = -1, bestlen = -1, len;

	for (i = 0; i < n; i++) {
		len = rules[i].net.family == AF_UNSPEC ? 0 :
		    rules[i].net.prefixlen;
		if (((v4(&rules[i].net) ^ addr) & mask(len)) != 0 &&
		    rules[i].net.family != AF_UNSPEC)
			continue;
		for (j = i + 1; j < n; j++)
			if (rules[j].all && covers(&rules[j].net,
			    &rules[i].net) && level(&rules[j]) <
			    level(&rules[i]))
				break;
		len = level(&rules[i]);
		if (j < n || len < bestlen)
			continue;
		best = rules[i].allow;
		bestlen = len;
	}
	return best == 1;
}

START_TEST(test_acl_random_vs_model)
{
	struct conf_acl		 rules[12];
	struct acl		*acl;
	struct sockaddr_in	 sin;
	uint64_t		 s = test_seed("test_acl_random_vs_model");
	uint32_t		 a, m;
	size_t			 n, i, round, k;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	for (round = 0; round < 2000; round++) {
		n = rnd_next(&s) % NELEM(rules);
		memset(rules, 0, sizeof(rules));
		for (i = 0; i < n; i++) {
			if (i > 0)
				rules[i - 1].next = &rules[i];
			rules[i].allow = rnd_next(&s) % 2;
			rules[i].all = rnd_next(&s) % 3 == 0;
			if (rnd_next(&s) % 8 == 0) {
				rules[i].net.family = AF_UNSPEC;
				continue;
			}
			/* 10.0.0.0/26 with prefixes 24..32: many overlaps */
			rules[i].net.family = AF_INET;
			rules[i].net.prefixlen = 24 + rnd_next(&s) % 9;
			m = mask(rules[i].net.prefixlen);
			a = (0x0a000000 | (uint32_t)(rnd_next(&s) % 64)) & m;
			rules[i].net.addr[0] = (uint8_t)(a >> 24);
			rules[i].net.addr[3] = (uint8_t)a;
		}
		ck_assert_ptr_nonnull(acl = acl_new(n > 0 ? rules : NULL));
		for (k = 0; k < 64; k++) {
			a = 0x0a000000 | (uint32_t)k;
			sin.sin_addr.s_addr = htonl(a);
			ck_assert_msg(acl_allowed(acl,
			    (struct sockaddr *)&sin) == model(rules, n, a),
			    "round %zu, 10.0.0.%zu", round, k);
		}
		acl_free(acl);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("acl");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_acl_rules, 0, NELEM(rows));
	tcase_add_test(tc, test_acl_null_and_other_families);
	tcase_add_test(tc, test_acl_many_host_rules);
	tcase_add_test(tc, test_acl_random_vs_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
