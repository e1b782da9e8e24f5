// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/network.c: reading, writing and comparing the
 * networks zones list (docs/policy.md §2.3).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "policy.h"

/* Parse @text, which must be a network; return it. */
static struct dlp_network net(const char *text)
{
	struct dlp_network n;
	char why[256] = "";

	if (dlp_network_parse(text, &n, why, sizeof(why)))
		fail_msg("'%s' refused: %s", text, why);
	return n;
}

/* @text must parse and format as @want. */
static void assert_round_trip(const char *text, const char *want)
{
	struct dlp_network n = net(text);
	char buf[DLP_NETWORK_STRLEN];

	assert_int_equal(dlp_network_format(&n, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	/* and what is written reads back as the same network */
	n = net(buf);
	assert_int_equal(dlp_network_format(&n, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* @text must be refused with @want as the reason; the output left alone. */
static void assert_refused(const char *text, const char *want)
{
	struct dlp_network n, untouched;
	char why[256] = "";

	memset(&n, 0xa5, sizeof(n));
	untouched = n;
	assert_int_equal(dlp_network_parse(text, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, want);
	assert_memory_equal(&n, &untouched, sizeof(n));
}

static bool contains(const char *outer, const char *inner)
{
	struct dlp_network o = net(outer), i = net(inner);

	return dlp_network_contains(&o, &i);
}

#define NOT_A_NETWORK "is not a network; expected an IPv4 or IPv6 address, optionally with "	\
	"'/LENGTH'"

static void test_parse_ipv4(void **state)
{
	struct dlp_network n;

	(void)state;
	n = net("10.20.30.40");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 32);
	assert_memory_equal(n.addr, "\x0a\x14\x1e\x28\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	n = net("172.16.0.0/12");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 12);
	assert_memory_equal(n.addr, "\xac\x10\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	n = net("0.0.0.0/0");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 0);
	assert_memory_equal(n.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	n = net("255.255.255.255/32");
	assert_int_equal(n.prefixlen, 32);
	assert_memory_equal(n.addr, "\xff\xff\xff\xff\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

static void test_parse_ipv6(void **state)
{
	struct dlp_network n;

	(void)state;
	n = net("fd00:10::/32");
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(n.prefixlen, 32);
	assert_memory_equal(n.addr, "\xfd\x00\x00\x10\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	n = net("::1");
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(n.prefixlen, 128);
	assert_memory_equal(n.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);

	n = net("::/0");
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(n.prefixlen, 0);

	n = net("2001:DB8:0:0:0:0:0:0/32");
	assert_int_equal(n.prefixlen, 32);
	assert_memory_equal(n.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	/* an IPv4 address written in IPv6 form that is not a mapped one stays IPv6 */
	n = net("::10.0.0.1");
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(n.prefixlen, 128);
}

/* docs/policy.md §2.3: an IPv4-mapped IPv6 network is stored as IPv4. */
static void test_parse_v4_mapped(void **state)
{
	struct dlp_network n;

	(void)state;
	n = net("::ffff:192.0.2.1");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 32);
	assert_memory_equal(n.addr, "\xc0\x00\x02\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	n = net("::ffff:10.0.0.0/104");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 8);
	assert_memory_equal(n.addr, "\x0a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);

	/* the whole mapped range is every IPv4 address */
	n = net("::ffff:0:0/96");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 0);

	n = net("::FFFF:c000:0201/128");
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.prefixlen, 32);
	assert_memory_equal(n.addr, "\xc0\x00\x02\x01", 4);

	/* shorter than /96 it is not within the mapped range: IPv6 */
	n = net("::/80");
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(n.prefixlen, 80);
	assert_refused("::ffff:0:0/95",
		       "host bits are set in '::ffff:0:0/95'; did you mean '::fffe:0:0/95'?");

	/* host bits are judged, and the fix suggested, in IPv4 terms */
	assert_refused("::ffff:10.0.0.1/104",
		       "host bits are set in '::ffff:10.0.0.1/104'; did you mean '10.0.0.0/8'?");
}

static void test_round_trips(void **state)
{
	(void)state;
	assert_round_trip("10.0.0.0/8", "10.0.0.0/8");
	assert_round_trip("10.20.30.40", "10.20.30.40/32");
	assert_round_trip("0.0.0.0/0", "0.0.0.0/0");
	assert_round_trip("192.168.0.0/16", "192.168.0.0/16");
	assert_round_trip("10.8.0.0/13", "10.8.0.0/13");
	assert_round_trip("203.0.113.128/25", "203.0.113.128/25");
	assert_round_trip("255.255.255.255/32", "255.255.255.255/32");
	assert_round_trip("fd00:10::/32", "fd00:10::/32");
	assert_round_trip("FD00:0010:0000::/32", "fd00:10::/32");
	assert_round_trip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128");
	assert_round_trip("::", "::/128");
	assert_round_trip("::/0", "::/0");
	assert_round_trip("::1", "::1/128");
	assert_round_trip("fe80::/10", "fe80::/10");
	assert_round_trip("2000::/3", "2000::/3");
	assert_round_trip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	/* a mapped address comes back as the IPv4 address it maps */
	assert_round_trip("::ffff:192.0.2.1", "192.0.2.1/32");
	assert_round_trip("::ffff:10.0.0.0/104", "10.0.0.0/8");
	/* a leading zero in the length is still the length */
	assert_round_trip("10.0.0.0/08", "10.0.0.0/8");
}

static void test_host_bits(void **state)
{
	(void)state;
	assert_refused("10.1.0.0/8", "host bits are set in '10.1.0.0/8'; did you mean "
		       "'10.0.0.0/8'?");
	assert_refused("192.168.1.1/24",
		       "host bits are set in '192.168.1.1/24'; did you mean '192.168.1.0/24'?");
	/* not on a byte boundary */
	assert_refused("172.17.0.0/12",
		       "host bits are set in '172.17.0.0/12'; did you mean '172.16.0.0/12'?");
	assert_refused("10.15.255.255/13",
		       "host bits are set in '10.15.255.255/13'; did you mean '10.8.0.0/13'?");
	assert_refused("203.0.113.129/25",
		       "host bits are set in '203.0.113.129/25'; did you mean '203.0.113.128/25'?");
	assert_refused("10.0.0.1/31", "host bits are set in '10.0.0.1/31'; did you mean "
		       "'10.0.0.0/31'?");
	assert_refused("1.2.3.4/0", "host bits are set in '1.2.3.4/0'; did you mean '0.0.0.0/0'?");
	assert_refused("2001:db8::1/32",
		       "host bits are set in '2001:db8::1/32'; did you mean '2001:db8::/32'?");
	assert_refused("fd00:10::1/64", "host bits are set in 'fd00:10::1/64'; did you mean "
		       "'fd00:10::/64'?");
	assert_refused("fe80::/8", "host bits are set in 'fe80::/8'; did you mean 'fe00::/8'?");
	assert_refused("fec0::/9", "host bits are set in 'fec0::/9'; did you mean 'fe80::/9'?");
	assert_refused("::1/127", "host bits are set in '::1/127'; did you mean '::/127'?");
	assert_refused("::1/0", "host bits are set in '::1/0'; did you mean '::/0'?");
}

static void test_prefix_length_errors(void **state)
{
	(void)state;
	assert_refused("10.0.0.0/33", "bad prefix length in '10.0.0.0/33'; expected 0 to 32 after "
		       "'/'");
	assert_refused("::/129", "bad prefix length in '::/129'; expected 0 to 128 after '/'");
	assert_refused("::ffff:10.0.0.0/129",
		       "bad prefix length in '::ffff:10.0.0.0/129'; expected 0 to 128 after '/'");
	assert_refused("10.0.0.0/", "bad prefix length in '10.0.0.0/'; expected 0 to 32 after '/'");
	assert_refused("10.0.0.0/-1", "bad prefix length in '10.0.0.0/-1'; expected 0 to 32 after "
		       "'/'");
	assert_refused("10.0.0.0/+8", "bad prefix length in '10.0.0.0/+8'; expected 0 to 32 after "
		       "'/'");
	assert_refused("10.0.0.0/ 8", "bad prefix length in '10.0.0.0/ 8'; expected 0 to 32 after "
		       "'/'");
	assert_refused("10.0.0.0/8a", "bad prefix length in '10.0.0.0/8a'; expected 0 to 32 after "
		       "'/'");
	assert_refused("10.0.0.0/8/8", "bad prefix length in '10.0.0.0/8/8'; expected 0 to 32 "
		       "after '/'");
	assert_refused("10.0.0.0/255.0.0.0",
		       "bad prefix length in '10.0.0.0/255.0.0.0'; expected 0 to 32 after '/'");
	assert_refused("10.0.0.0/0x8", "bad prefix length in '10.0.0.0/0x8'; expected 0 to 32 "
		       "after '/'");
	/* beyond unsigned long: strtoul's ERANGE */
	assert_refused("10.0.0.0/99999999999999999999999",
		       "bad prefix length in '10.0.0.0/99999999999999999999999'; expected 0 to 32 "
		       "after '/'");
	/* 2^32 + 8 must not wrap round to 8 */
	assert_refused("10.0.0.0/4294967304",
		       "bad prefix length in '10.0.0.0/4294967304'; expected 0 to 32 after '/'");
}

static void test_bad_addresses(void **state)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0", "10.0.0.0.0", "10.0.0.256", "010.0.0.1", "10.0.0.-1",
		" 10.0.0.0", "10.0.0.0 ", "example.jp", "10.0.0.0-10.0.0.255", "fe80::1%eth0",
		"2001:db8:::1", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "::ffff:10.0.0.256",
		"0x0a.0.0.0", "localhost", "*",
		/* longer than any address */
		"0000:0000:0000:0000:0000:0000:0000:0000:0000/32",
	};
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "'%s' " NOT_A_NETWORK, bad[i]);
		assert_refused(bad[i], want);
	}
}

static void test_why_is_bounded(void **state)
{
	struct dlp_network n;
	char why[16];

	(void)state;
	memset(why, 'x', sizeof(why));
	assert_int_equal(dlp_network_parse("10.1.0.0/8", &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "host bits are s");
}

static void test_contains_zero_length(void **state)
{
	(void)state;
	assert_true(contains("0.0.0.0/0", "0.0.0.0/0"));
	assert_true(contains("0.0.0.0/0", "10.0.0.0/8"));
	assert_true(contains("0.0.0.0/0", "255.255.255.255"));
	assert_true(contains("::/0", "::/0"));
	assert_true(contains("::/0", "2001:db8::/32"));
	assert_true(contains("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	/* families never mix, not even at /0 */
	assert_false(contains("0.0.0.0/0", "::/0"));
	assert_false(contains("0.0.0.0/0", "::1"));
	assert_false(contains("::/0", "0.0.0.0/0"));
	assert_false(contains("::/0", "10.0.0.1"));
	/* nor through a mapped address, which is IPv4 */
	assert_false(contains("::/0", "::ffff:10.0.0.1"));
	assert_true(contains("0.0.0.0/0", "::ffff:10.0.0.1"));
	assert_true(contains("10.0.0.0/8", "::ffff:10.0.0.1"));
	/* IPv4 in IPv6 form, not mapped: not an IPv4 address */
	assert_false(contains("10.0.0.0/8", "::10.0.0.1"));
}

static void test_contains_hosts(void **state)
{
	(void)state;
	assert_true(contains("10.0.0.1", "10.0.0.1/32"));
	assert_false(contains("10.0.0.1", "10.0.0.2"));
	assert_false(contains("10.0.0.1", "10.0.0.0/31"));
	assert_false(contains("10.0.0.0", "0.0.0.0/0"));
	assert_true(contains("2001:db8::1", "2001:db8::1"));
	assert_false(contains("2001:db8::1", "2001:db8::"));
	assert_false(contains("2001:db8::", "2001:db8::1"));
	assert_false(contains("::1", "::/127"));
	assert_false(contains("8000::", "::"));	/* the first bit */
	assert_false(contains("::", "8000::"));
}

static void test_contains_boundaries(void **state)
{
	(void)state;
	/* /13: the boundary inside the second byte */
	assert_true(contains("10.8.0.0/13", "10.8.0.0/13"));
	assert_true(contains("10.8.0.0/13", "10.8.0.0"));
	assert_true(contains("10.8.0.0/13", "10.15.255.255"));
	assert_true(contains("10.8.0.0/13", "10.12.0.0/14"));
	assert_false(contains("10.8.0.0/13", "10.16.0.0"));
	assert_false(contains("10.8.0.0/13", "10.7.255.255"));
	assert_false(contains("10.8.0.0/13", "10.0.0.0/12"));
	assert_false(contains("10.8.0.0/13", "10.0.0.0/8"));	/* wider */
	assert_false(contains("10.8.0.0/13", "11.8.0.0"));	/* the first byte differs */
	/* /12 */
	assert_true(contains("172.16.0.0/12", "172.31.255.0/24"));
	assert_false(contains("172.16.0.0/12", "172.32.0.0/16"));
	assert_false(contains("172.16.0.0/12", "172.15.255.255"));
	/* /25, /31 and /1 */
	assert_true(contains("203.0.113.0/25", "203.0.113.127"));
	assert_false(contains("203.0.113.0/25", "203.0.113.128"));
	assert_true(contains("10.0.0.0/31", "10.0.0.1"));
	assert_false(contains("10.0.0.0/31", "10.0.0.2"));
	assert_true(contains("128.0.0.0/1", "255.0.0.0/8"));
	assert_false(contains("128.0.0.0/1", "127.255.255.255"));
	/* /8: byte-aligned */
	assert_true(contains("10.0.0.0/8", "10.255.255.255"));
	assert_false(contains("10.0.0.0/8", "11.0.0.0"));
	/* IPv6: /13, /7, /127, /64 */
	assert_true(contains("2000::/13", "2007:ffff::"));
	assert_false(contains("2000::/13", "2008::"));
	assert_true(contains("fc00::/7", "fd00::/8"));
	assert_false(contains("fc00::/7", "fe00::/8"));
	assert_true(contains("fd00:10::/32", "fd00:10:ffff::/48"));
	assert_false(contains("fd00:10::/32", "fd00:11::/48"));
	assert_true(contains("::/127", "::1"));
	assert_false(contains("::/127", "::2"));
	assert_true(contains("2001:db8:0:1::/64", "2001:db8:0:1:ffff:ffff:ffff:ffff"));
	assert_false(contains("2001:db8:0:1::/64", "2001:db8:0:2::"));
	/* the last byte */
	assert_true(contains("2001:db8::ff00/120", "2001:db8::ffff"));
	assert_false(contains("2001:db8::ff00/121", "2001:db8::ff80"));
}

static void test_format(void **state)
{
	struct dlp_network n = net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	char buf[DLP_NETWORK_STRLEN], small[44];
	const char *longest = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128";

	(void)state;
	/* DLP_NETWORK_STRLEN holds the longest network */
	assert_int_equal(dlp_network_format(&n, buf, sizeof(buf)), 0);
	assert_string_equal(buf, longest);
	/* exactly enough room, and one byte short */
	assert_int_equal(strlen(longest) + 1, sizeof(small));
	assert_int_equal(dlp_network_format(&n, small, sizeof(small)), 0);
	assert_string_equal(small, longest);
	assert_int_equal(dlp_network_format(&n, small, sizeof(small) - 1), -ENOSPC);
	n = net("255.255.255.255");
	assert_int_equal(dlp_network_format(&n, small, 19), 0);
	assert_string_equal(small, "255.255.255.255/32");
	assert_int_equal(dlp_network_format(&n, small, 18), -ENOSPC);
	/* a family that is not one */
	n.family = AF_UNIX;
	assert_int_equal(dlp_network_format(&n, buf, sizeof(buf)), -EAFNOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_ipv6),
		cmocka_unit_test(test_parse_v4_mapped),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_host_bits),
		cmocka_unit_test(test_prefix_length_errors),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_why_is_bounded),
		cmocka_unit_test(test_contains_zero_length),
		cmocka_unit_test(test_contains_hosts),
		cmocka_unit_test(test_contains_boundaries),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
