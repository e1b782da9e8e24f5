// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/utf8.c: strict UTF-8 decoding (RFC 3629) and the
 * character columns diagnostics print (docs/policy.md: "a column counts
 * characters, so 機 is one column").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

#define UNTOUCHED 0xdeadbeefu

/* Decode @n bytes of @s; the length is returned, the code point in *ret_cp. */
static int decode(const char *s, size_t n, uint32_t *ret_cp)
{
	*ret_cp = UNTOUCHED;
	return dlp_utf8_decode(s, n, ret_cp);
}

static void assert_decodes(const char *s, int len, uint32_t cp)
{
	uint32_t got;

	assert_int_equal(decode(s, strlen(s) ? strlen(s) : 1, &got), len);
	assert_int_equal(got, cp);
}

/* Rejected, and the output left alone. */
static void assert_rejects(const char *s, size_t n)
{
	uint32_t got;

	assert_int_equal(decode(s, n, &got), 0);
	assert_int_equal(got, UNTOUCHED);
}

static void test_one_byte(void **state)
{
	(void)state;
	assert_decodes("A", 1, 'A');
	assert_decodes("\x7f", 1, 0x7f);
	assert_decodes("\t", 1, '\t');
	assert_decodes("", 1, 0);	/* a NUL byte is a character; the lexer refuses it */
	/* only the first character is decoded */
	assert_decodes("ab", 1, 'a');
}

static void test_two_bytes(void **state)
{
	(void)state;
	assert_decodes("\xc2\x80", 2, 0x80);		/* smallest */
	assert_decodes("\xc3\xa9", 2, 0xe9);		/* é */
	assert_decodes("\xdf\xbf", 2, 0x7ff);		/* largest */
}

static void test_three_bytes(void **state)
{
	(void)state;
	assert_decodes("\xe0\xa0\x80", 3, 0x800);	/* smallest */
	assert_decodes("機", 3, 0x6a5f);
	assert_decodes("　", 3, 0x3000);		/* ideographic space */
	assert_decodes("\xef\xbb\xbf", 3, 0xfeff);	/* byte-order mark */
	assert_decodes("\xed\x9f\xbf", 3, 0xd7ff);	/* just below the surrogates */
	assert_decodes("\xee\x80\x80", 3, 0xe000);	/* just above them */
	assert_decodes("\xef\xbf\xbf", 3, 0xffff);	/* largest */
}

static void test_four_bytes(void **state)
{
	(void)state;
	assert_decodes("\xf0\x90\x80\x80", 4, 0x10000);	/* smallest */
	assert_decodes("😀", 4, 0x1f600);
	assert_decodes("\xf4\x8f\xbf\xbf", 4, 0x10ffff);	/* largest */
}

static void test_overlong(void **state)
{
	(void)state;
	assert_rejects("\xc0\x80", 2);			/* NUL in two bytes */
	assert_rejects("\xc0\xaf", 2);			/* '/' in two bytes */
	assert_rejects("\xc1\xbf", 2);			/* 0x7f in two bytes */
	assert_rejects("\xe0\x80\x80", 3);
	assert_rejects("\xe0\x80\xaf", 3);		/* '/' in three bytes */
	assert_rejects("\xe0\x9f\xbf", 3);		/* 0x7ff in three bytes */
	assert_rejects("\xf0\x80\x80\x80", 4);
	assert_rejects("\xf0\x80\x80\xaf", 4);		/* '/' in four bytes */
	assert_rejects("\xf0\x8f\xbf\xbf", 4);		/* 0xffff in four bytes */
}

static void test_surrogates(void **state)
{
	(void)state;
	assert_rejects("\xed\xa0\x80", 3);		/* U+D800 */
	assert_rejects("\xed\xad\xbf", 3);		/* U+DB7F */
	assert_rejects("\xed\xb0\x80", 3);		/* U+DC00 */
	assert_rejects("\xed\xbf\xbf", 3);		/* U+DFFF */
	/* a CESU-8 pair for U+1F600 */
	assert_rejects("\xed\xa0\xbd\xed\xb8\x80", 6);
}

static void test_above_max(void **state)
{
	(void)state;
	assert_rejects("\xf4\x90\x80\x80", 4);		/* U+110000 */
	assert_rejects("\xf5\x80\x80\x80", 4);
	assert_rejects("\xf7\xbf\xbf\xbf", 4);		/* U+1FFFFF */
	assert_rejects("\xf8\x88\x80\x80\x80", 5);	/* old five-byte form */
	assert_rejects("\xfc\x84\x80\x80\x80\x80", 6);	/* old six-byte form */
	assert_rejects("\xfe", 1);
	assert_rejects("\xff", 1);
}

static void test_truncated(void **state)
{
	(void)state;
	/* the text ends inside the character */
	assert_rejects("\xc3", 1);
	assert_rejects("\xe6\xa9", 2);
	assert_rejects("\xe6", 1);
	assert_rejects("\xf0\x9f\x98", 3);
	assert_rejects("\xf0", 1);
	/* the bytes are there, but beyond @n */
	assert_rejects("機", 2);
	assert_rejects("😀", 3);
	assert_rejects("\xc3\xa9", 1);
	/* the character is cut by a byte that is not a continuation */
	assert_rejects("\xc3" "A", 2);
	assert_rejects("\xe6\xa9" "A", 3);
	assert_rejects("\xe6" "A" "\x9f", 3);
	assert_rejects("\xf0\x9f\x98" "A", 4);
	assert_rejects("\xe6\xa9\xc3\xa9", 4);		/* a new lead byte inside */
}

static void test_stray_continuation(void **state)
{
	(void)state;
	assert_rejects("\x80", 1);
	assert_rejects("\xbf", 1);
	assert_rejects("\x80" "A", 2);
	assert_rejects("\xa9\x9f", 2);			/* the tail of 機 */
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(dlp_utf8_valid("", 0));
	assert_true(dlp_utf8_valid("mode enforce", 12));
	assert_true(dlp_utf8_valid("機密性2", strlen("機密性2")));
	assert_true(dlp_utf8_valid("a\xc3\xa9機😀\x7f", strlen("a\xc3\xa9機😀\x7f")));
	/* @n counts, not the NUL */
	assert_true(dlp_utf8_valid("a\0b", 3));
	assert_true(dlp_utf8_valid("機\xff", 3));
	/* one bad byte anywhere spoils the whole */
	assert_false(dlp_utf8_valid("\xff" "abc", 4));
	assert_false(dlp_utf8_valid("ab\x80" "c", 4));
	assert_false(dlp_utf8_valid("abc\xe6\xa9", 5));
	assert_false(dlp_utf8_valid("機\xed\xa0\x80", 6));
	assert_false(dlp_utf8_valid("a\xc0\x80", 3));
	/* cut by @n in the middle of a character */
	assert_false(dlp_utf8_valid("機密", 4));
	assert_false(dlp_utf8_valid("😀", 1));
}

static void test_columns(void **state)
{
	(void)state;
	assert_int_equal(dlp_utf8_columns("", 0), 0);
	assert_int_equal(dlp_utf8_columns("abc", 3), 3);
	assert_int_equal(dlp_utf8_columns("機密性", strlen("機密性")), 3);
	assert_int_equal(dlp_utf8_columns("機密性2", strlen("機密性2")), 4);
	assert_int_equal(dlp_utf8_columns("　", strlen("　")), 1);
	assert_int_equal(dlp_utf8_columns("😀", 4), 1);
	assert_int_equal(dlp_utf8_columns("a\xc3\xa9機😀", strlen("a\xc3\xa9機😀")), 4);
	assert_int_equal(dlp_utf8_columns("\t\t", 2), 2);
	/* a prefix of the bytes: the characters that start in it */
	assert_int_equal(dlp_utf8_columns("zone 無害化 10.20.30.40", 5), 5);
	assert_int_equal(dlp_utf8_columns("zone 無害化 10.20.30.40", 5 + 9 + 1), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_byte),
		cmocka_unit_test(test_two_bytes),
		cmocka_unit_test(test_three_bytes),
		cmocka_unit_test(test_four_bytes),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_above_max),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_stray_continuation),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
