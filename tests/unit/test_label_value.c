// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for include/dlpguard/label_value.h: the value of the label
 * extended attribute, as bpf/xattr.bpf.c and dlpd's resolver read it.  Every
 * value is parsed from a heap copy of exactly its length, so that the
 * sanitizer build catches a read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dlpguard/label_value.h>

#define UNTOUCHED 0xee

/* Length of a value written as a C string: its bytes up to the NUL. */
#define STR(s) s, sizeof(s) - 1

/* Parse @len bytes of @value from a copy of exactly that size. */
static bool parse(const char *value, size_t len, __u8 *ret_class, __u8 *ret_integrity)
{
	__u8 *copy = malloc(len ? len : 1);
	bool ok;

	assert_non_null(copy);
	memcpy(copy, value, len);
	*ret_class = UNTOUCHED;
	*ret_integrity = UNTOUCHED;
	ok = dlp_label_value_parse(copy, len, ret_class, ret_integrity);
	free(copy);
	return ok;
}

struct good {
	const char *value;
	size_t len;
	__u8 class;
	__u8 integrity;
};

static const struct good goods[] = {
	{ STR("機密性1"), DLP_CLASS_1, 0 },
	{ STR("機密性2"), DLP_CLASS_2, 0 },
	{ STR("機密性3"), DLP_CLASS_3, 0 },
	{ STR("機密性3C"), DLP_CLASS_3, 0 },
	{ STR("機密性3B"), DLP_CLASS_3B, 0 },
	{ STR("機密性3A"), DLP_CLASS_3A, 0 },
	{ STR("完全性1"), 0, DLP_INTEG_1 },
	{ STR("完全性2"), 0, DLP_INTEG_2 },
	{ STR("機密性2 完全性2"), DLP_CLASS_2, DLP_INTEG_2 },
	{ STR("機密性3A 完全性2"), DLP_CLASS_3A, DLP_INTEG_2 },
	{ STR("機密性3B 完全性1"), DLP_CLASS_3B, DLP_INTEG_1 },
	{ STR("完全性1 機密性1"), DLP_CLASS_1, DLP_INTEG_1 },
	{ STR("完全性2 機密性3A"), DLP_CLASS_3A, DLP_INTEG_2 },
	{ STR("完全性2 機密性3"), DLP_CLASS_3, DLP_INTEG_2 },
	{ STR("機密性2\n"), DLP_CLASS_2, 0 },		      /* echo */
	{ "機密性2", sizeof("機密性2"), DLP_CLASS_2, 0 },     /* with its NUL */
	{ "機密性2\n", sizeof("機密性2\n"), DLP_CLASS_2, 0 }, /* newline and NUL */
	{ STR("機密性3A 完全性2\n"), DLP_CLASS_3A, DLP_INTEG_2 },
	{ "完全性2 機密性3A\n", sizeof("完全性2 機密性3A\n"), DLP_CLASS_3A, DLP_INTEG_2 },
};

static void test_accepted(void **state)
{
	unsigned int i;
	__u8 class, integrity;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		if (!parse(goods[i].value, goods[i].len, &class, &integrity))
			fail_msg("'%s' (%zu bytes) refused", goods[i].value, goods[i].len);
		if (class != goods[i].class || integrity != goods[i].integrity)
			fail_msg("'%s': class %u integrity %u, expected %u %u", goods[i].value,
				 class, integrity, goods[i].class, goods[i].integrity);
	}
}

struct bad {
	const char *value;
	size_t len;
	const char *why;
};

static const struct bad bads[] = {
	{ STR(""), "empty" },
	{ "", 1, "a NUL alone" },
	{ STR("\n"), "a newline alone" },
	{ STR("機密性"), "no rank" },
	{ STR("機密性0"), "rank 0" },
	{ STR("機密性4"), "rank 4" },
	{ STR("機密性3D"), "rank 3D" },
	{ STR("機密性2A"), "a letter after 2" },
	{ STR("機密性3a"), "lower-case letter" },
	{ STR("機密性3AA"), "two letters" },
	{ STR("機密性12"), "two digits" },
	{ STR("機密性２"), "full-width digit" },
	{ STR("機密性３Ａ"), "full-width digit and letter" },
	{ STR("機密性3Ａ"), "full-width letter" },
	{ STR("機密性 2"), "a space before the rank" },
	{ STR("機密性　2"), "an ideographic space before the rank" },
	{ STR("完全性3"), "integrity 3" },
	{ STR("完全性0"), "integrity 0" },
	{ STR("完全性2A"), "a letter after an integrity level" },
	{ STR("完全性"), "integrity without a level" },
	{ STR("class 2"), "the English spelling" },
	{ STR("secret"), "not a level at all" },
	{ STR("機密2"), "a word missing 性" },
	{ STR("密性2"), "a word missing 機" },
	{ STR("機密姓2"), "姓 for 性" },
	{ STR("完全姓2"), "姓 for 性 in 完全性" },
	{ STR("機全性2"), "機 and 全 mixed" },
	{ STR("完密性2"), "完 and 密 mixed" },
	{ STR("\xe6\xa9\x9f\xe5\xaf"), "truncated in the middle of 密" },
	{ STR("機密性2 機密性3"), "two 機密性" },
	{ STR("完全性1 完全性2"), "two 完全性" },
	{ STR("機密性2 機密性2"), "the same level twice" },
	{ STR("機密性2  完全性2"), "two spaces" },
	{ STR("機密性2\t完全性2"), "a tab between the levels" },
	{ STR("機密性2　完全性2"), "an ideographic space between the levels" },
	{ STR("機密性2完全性2"), "no space between the levels" },
	{ STR("機密性2,完全性2"), "a comma between the levels" },
	{ STR(" 機密性2"), "a leading space" },
	{ STR("機密性2 "), "a trailing space" },
	{ STR("機密性2 \n"), "a trailing space before the newline" },
	{ STR("機密性2 完全性2 機密性3"), "three levels" },
	{ STR("機密性2 完全性2 "), "a space after two levels" },
	{ STR("機密性2\n\n"), "two newlines" },
	{ "機密性2\0\0", sizeof("機密性2\0"), "two NULs" },
	{ "機密性2\0\n", sizeof("機密性2\0\n") - 1, "a newline after the NUL" },
	{ "機密性2\0完全性2", sizeof("機密性2\0完全性2") - 1, "a level after a NUL" },
	{ STR("機密性2\n完全性2"), "a level after the newline" },
	{ STR("機密性2\r\n"), "a CRLF line end" },
	{ STR("\xef\xbb\xbf機密性2"), "a byte-order mark" },
	{ STR("機密性2 完全性"), "the second word without a level" },
	{ STR("機密性2 完全性3"), "the second word with a bad level" },
	{ STR("機密性3A 完全性2 \n"), "a space before the newline, two levels" },
	{ STR("機密性3A 完全性2                 "), "padded past 32 bytes" },
	{ "機密性3A 完全性2\0\0\0\0\0\0\0\0\0\0\0\0", 33, "NUL-padded to 33 bytes" },
};

static void test_refused(void **state)
{
	unsigned int i;
	__u8 class, integrity;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		if (parse(bads[i].value, bads[i].len, &class, &integrity))
			fail_msg("%s: accepted (class %u integrity %u)", bads[i].why, class,
				 integrity);
		if (class != UNTOUCHED || integrity != UNTOUCHED)
			fail_msg("%s: refused, but an output was written", bads[i].why);
	}
}

/* The longest value, and one byte more. */
static void test_length_limit(void **state)
{
	char buf[DLP_LABEL_VALUE_MAX + 1];
	__u8 class, integrity;

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "機密性3A 完全性2\n", strlen("機密性3A 完全性2\n"));
	/* a valid value needs at most 24 bytes, so a 32-byte one with NULs is refused for them */
	assert_false(parse(buf, DLP_LABEL_VALUE_MAX, &class, &integrity));
	assert_false(parse(buf, DLP_LABEL_VALUE_MAX + 1, &class, &integrity));
	assert_true(parse(buf, strlen(buf) + 1, &class, &integrity));
	assert_int_equal(class, DLP_CLASS_3A);
	assert_int_equal(integrity, DLP_INTEG_2);
	/* a valid prefix does not make a too-long value valid */
	assert_false(dlp_label_value_parse((const __u8 *)buf, 1000, &class, &integrity));
}

/*
 * Every value the grammar accepts, built independently of the parser: each
 * kind's levels, alone or with one of the other kind in either order, with
 * each of the four endings.
 */
#define NVALID (4 * (6 + 2 + 2 * 6 * 2))

struct valid {
	char bytes[DLP_LABEL_VALUE_MAX];
	size_t len;
	__u8 class;
	__u8 integrity;
};

static const struct {
	const char *word;
	__u8 rank;
} class_words[] = {
	{ "機密性1", DLP_CLASS_1 }, { "機密性2", DLP_CLASS_2 }, { "機密性3", DLP_CLASS_3 },
	{ "機密性3A", DLP_CLASS_3A }, { "機密性3B", DLP_CLASS_3B }, { "機密性3C", DLP_CLASS_3 },
}, integrity_words[] = {
	{ "完全性1", DLP_INTEG_1 }, { "完全性2", DLP_INTEG_2 },
};

static void add_valid(struct valid *v, unsigned int *n, const char *text, __u8 class,
		      __u8 integrity)
{
	static const char *const endings[] = { "", "\n", "\0", "\n\0" };
	static const size_t ending_len[] = { 0, 1, 1, 2 };
	unsigned int e;

	for (e = 0; e < 4; e++) {
		struct valid *x = &v[(*n)++];

		assert_true(*n <= NVALID);
		x->len = strlen(text);
		assert_true(x->len + ending_len[e] <= DLP_LABEL_VALUE_MAX);
		memcpy(x->bytes, text, x->len);
		memcpy(x->bytes + x->len, endings[e], ending_len[e]);
		x->len += ending_len[e];
		x->class = class;
		x->integrity = integrity;
	}
}

static unsigned int all_valid(struct valid *v)
{
	unsigned int n = 0, c, i;
	char text[64];

	for (c = 0; c < 6; c++)
		add_valid(v, &n, class_words[c].word, class_words[c].rank, 0);
	for (i = 0; i < 2; i++)
		add_valid(v, &n, integrity_words[i].word, 0, integrity_words[i].rank);
	for (c = 0; c < 6; c++) {
		for (i = 0; i < 2; i++) {
			snprintf(text, sizeof(text), "%s %s", class_words[c].word,
				 integrity_words[i].word);
			add_valid(v, &n, text, class_words[c].rank, integrity_words[i].rank);
			snprintf(text, sizeof(text), "%s %s", integrity_words[i].word,
				 class_words[c].word);
			add_valid(v, &n, text, class_words[c].rank, integrity_words[i].rank);
		}
	}
	assert_int_equal(n, NVALID);
	return n;
}

/* Whether @len bytes at @s are one of the @n values of @v; which one in *ret_i. */
static bool is_valid(const struct valid *v, unsigned int n, const char *s, size_t len,
		     unsigned int *ret_i)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (v[i].len == len && !memcmp(v[i].bytes, s, len)) {
			*ret_i = i;
			return true;
		}
	}
	return false;
}

/* The parser agrees with the list on @len bytes at @s. */
static void check_against_list(const struct valid *v, unsigned int n, const char *s, size_t len,
			       const char *what)
{
	unsigned int i;
	__u8 class, integrity;
	bool want = is_valid(v, n, s, len, &i);

	if (parse(s, len, &class, &integrity) != want)
		fail_msg("%s: '%.*s' (%zu bytes) %s", what, (int)len, s, len,
			 want ? "refused, but the grammar accepts it" :
				"accepted, but the grammar refuses it");
	if (want && (class != v[i].class || integrity != v[i].integrity))
		fail_msg("%s: '%.*s': class %u integrity %u, expected %u %u", what, (int)len, s,
			 class, integrity, v[i].class, v[i].integrity);
}

/* Every accepted value is accepted, with the levels it spells. */
static void test_every_valid_value(void **state)
{
	struct valid v[NVALID];
	unsigned int n = all_valid(v), i;

	(void)state;
	for (i = 0; i < n; i++)
		check_against_list(v, n, v[i].bytes, v[i].len, "valid value");
}

/*
 * Every one-byte change, deletion and truncation of every accepted value:
 * the parser accepts exactly what the list holds.
 */
static void test_every_one_byte_change(void **state)
{
	struct valid v[NVALID];
	unsigned int n = all_valid(v), i, pos, b;
	char s[DLP_LABEL_VALUE_MAX + 1];

	(void)state;
	for (i = 0; i < n; i++) {
		for (pos = 0; pos < v[i].len; pos++) {
			memcpy(s, v[i].bytes, v[i].len);
			for (b = 0; b < 256; b++) {
				s[pos] = (char)b;
				check_against_list(v, n, s, v[i].len, "one byte changed");
			}
			memcpy(s, v[i].bytes, pos);
			memcpy(s + pos, v[i].bytes + pos + 1, v[i].len - pos - 1);
			check_against_list(v, n, s, v[i].len - 1, "one byte deleted");
			check_against_list(v, n, v[i].bytes, pos, "truncated");
		}
		for (pos = 0; pos <= v[i].len && v[i].len < DLP_LABEL_VALUE_MAX; pos++) {
			for (b = 0; b < 256; b++) {
				memcpy(s, v[i].bytes, pos);
				s[pos] = (char)b;
				memcpy(s + pos + 1, v[i].bytes + pos, v[i].len - pos);
				check_against_list(v, n, s, v[i].len + 1, "one byte inserted");
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_every_valid_value),
		cmocka_unit_test(test_every_one_byte_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
