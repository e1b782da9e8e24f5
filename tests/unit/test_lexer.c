// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/lexer.c against docs/policy.md §1 and the limits
 * of §4.
 *
 * lex() runs the lexer over a whole text and renders what it returned, one
 * line per dlp_lex_line() call:
 *
 *	LINENO: KIND COL 'TEXT' ... |END_COL
 *
 * with KIND w (word), s (quoted string) or o (operator), or "LINENO: error"
 * when the call returned -EINVAL.  The diagnostics go to a second buffer.
 * Both are compared whole.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scratch.h"

#include "lexer.h"

#define INVISIBLE								\
	"outside quotes; expected a plain space, or quote the word that holds it\n"

static char *tokens;		/* what lex() saw */
static char *diags;		/* what the lexer reported */
static unsigned int nerrors;	/* the diag's error count */

static void lex_n(const char *src, size_t len)
{
	static const char kinds[] = { [DLP_TOK_WORD] = 'w', [DLP_TOK_STRING] = 's',
				      [DLP_TOK_OP] = 'o' };
	struct dlp_line *line = malloc(sizeof(*line));
	char *t = NULL, *d = NULL;
	size_t tlen, dlen;
	struct dlp_lexer lx;
	struct dlp_diag diag;
	FILE *tf, *df;
	unsigned int i;
	int ret;

	assert_non_null(line);
	free(tokens);
	free(diags);
	tokens = diags = NULL;
	tf = open_memstream(&t, &tlen);
	df = open_memstream(&d, &dlen);
	assert_non_null(tf);
	assert_non_null(df);

	dlp_diag_init(&diag, "t.policy", df);
	dlp_lexer_init(&lx, src, len, &diag);
	while ((ret = dlp_lex_line(&lx, line)) != 0) {
		if (ret < 0) {
			fprintf(tf, "%u: error%s\n", lx.lineno, ret == -EINVAL ? "" : " (not "
				    "-EINVAL)");
			continue;
		}
		fprintf(tf, "%u:", line->lineno);
		for (i = 0; i < line->ntok; i++) {
			const struct dlp_token *tk = &line->tok[i];

			fprintf(tf, " %c%u'%s'", kinds[tk->kind], tk->col, tk->text);
			if (tk->len != strlen(tk->text))
				fprintf(tf, "(len %u)", tk->len);
		}
		fprintf(tf, " |%u\n", line->end_col);
		if (ret != 1)
			fprintf(tf, "(returned %d)\n", ret);
	}
	/* the end stays the end */
	if (dlp_lex_line(&lx, line) != 0)
		fprintf(tf, "(not 0 after the end)\n");
	fclose(tf);
	fclose(df);
	free(line);
	tokens = t;
	diags = d;
	nerrors = diag.errors;
}

static void lex(const char *src)
{
	lex_n(src, strlen(src));
}

/* Lex @src; expect @want tokens and no diagnostics. */
static void assert_lexes(const char *src, const char *want)
{
	lex(src);
	assert_string_equal(diags, "");
	assert_string_equal(tokens, want);
}

/* Lex @src; expect @want tokens and @want_diag diagnostics. */
static void assert_lex_error(const char *src, const char *want, const char *want_diag)
{
	lex(src);
	assert_string_equal(diags, want_diag);
	assert_string_equal(tokens, want);
}

static int teardown(void **state)
{
	(void)state;
	scratch_free();
	free(tokens);
	free(diags);
	tokens = diags = NULL;
	return 0;
}

/* ---- words and lines -------------------------------------------------- */

static void test_words(void **state)
{
	(void)state;
	assert_lexes("mode enforce", "1: w1'mode' w6'enforce' |13\n");
	assert_lexes("mode enforce\n", "1: w1'mode' w6'enforce' |13\n");
	assert_lexes("  mode   enforce  \n", "1: w3'mode' w10'enforce' |19\n");
	assert_lexes("zone lgwan 10.0.0.0/8 172.16.0.0/12 fd00:10::/32\n",
		     "1: w1'zone' w6'lgwan' w12'10.0.0.0/8' w23'172.16.0.0/12' w37'fd00:10::/32' "
		     "|49\n");
	/* anything that is not a separator, '#', '"' or an operator belongs to the word */
	assert_lexes("a,b-c.d/e:f\\g!h", "1: w1'a,b-c.d/e:f\\g!h' |16\n");
	assert_lexes("x\xc2\xa1y機", "1: w1'x\xc2\xa1y機' |5\n");
	assert_int_equal(nerrors, 0);
}

static void test_line_numbers_and_blank_lines(void **state)
{
	(void)state;
	assert_lexes("\n\nmode enforce\n\n   \n\t\n　\ntier lgwan\n\n",
		     "3: w1'mode' w6'enforce' |13\n"
		     "8: w1'tier' w6'lgwan' |11\n");
	assert_lexes("", "");
	assert_lexes("\n\n\n", "");
	/* no newline at the end */
	assert_lexes("a\nb", "1: w1'a' |2\n2: w1'b' |2\n");
}

static void test_not_nul_terminated(void **state)
{
	(void)state;
	/* the length counts, not a NUL: the rest of the buffer is never read */
	lex_n("mode enforce XXX", 12);
	assert_string_equal(tokens, "1: w1'mode' w6'enforce' |13\n");
	lex_n("mode enforce\nXXX", 13);
	assert_string_equal(tokens, "1: w1'mode' w6'enforce' |13\n");
	lex_n("機密性", 3);
	assert_string_equal(tokens, "1: w1'機' |2\n");
	assert_string_equal(diags, "");
}

static void test_comments(void **state)
{
	(void)state;
	assert_lexes("# 庁内LAN の端末用ポリシー\n"
		     "mode enforce # trailing comment\n"
		     "   # indented comment\n"
		     "zone a#b c\n"
		     "x#\n"
		     "#\n",
		     "2: w1'mode' w6'enforce' |32\n"
		     "4: w1'zone' w6'a' |11\n"
		     "5: w1'x' |3\n");
	/* a quote, backslash or operator in a comment means nothing */
	assert_lexes("a # \" \\q >= 機\n", "1: w1'a' |14\n");
}

static void test_hash_inside_string(void **state)
{
	(void)state;
	assert_lexes("label dir \"/share/a #b\" 機密性2 # c\n",
		     "1: w1'label' w7'dir' s11'/share/a #b' w25'機密性2' |33\n");
	assert_lexes("\"#\"", "1: s1'#' |4\n");
}

static void test_strings(void **state)
{
	(void)state;
	/* separators, operators and Japanese kept as they are */
	assert_lexes("label dir \"/share/共有 フォルダ\" 機密性2\n",
		     "1: w1'label' w7'dir' s11'/share/共有 フォルダ' w28'機密性2' |32\n");
	assert_lexes("\"a\tb　c >= d\"", "1: s1'a\tb　c >= d' |13\n");
	/* escapes: \" is a quote, \\ a backslash; the column counts the source */
	assert_lexes("x \"a\\\"b\\\\c\" y", "1: w1'x' s3'a\"b\\c' w13'y' |14\n");
	assert_lexes("\"\\\\\"", "1: s1'\\' |5\n");
	assert_lexes("\"\\\"\"", "1: s1'\"' |5\n");
	assert_lexes("\"C:\\\\Users\\\\x\"", "1: s1'C:\\Users\\x' |15\n");
	/* the empty string is a word of its own */
	assert_lexes("a \"\" b", "1: w1'a' s3'' w6'b' |7\n");
	/* strings end words and start new ones */
	assert_lexes("ab\"cd\"ef", "1: w1'ab' s3'cd' w7'ef' |9\n");
	assert_lexes("\"a\"\"b\"", "1: s1'a' s4'b' |7\n");
	assert_lexes("\"x\"　\"機密性2\"#c", "1: s1'x' s5'機密性2' |13\n");
}

static void test_operators(void **state)
{
	(void)state;
	assert_lexes("if class>=2", "1: w1'if' w4'class' o9'>=' w11'2' |12\n");
	assert_lexes("if class >= 2", "1: w1'if' w4'class' o10'>=' w13'2' |14\n");
	assert_lexes("a<=b", "1: w1'a' o2'<=' w4'b' |5\n");
	assert_lexes("a>b", "1: w1'a' o2'>' w3'b' |4\n");
	assert_lexes("a<b", "1: w1'a' o2'<' w3'b' |4\n");
	assert_lexes("a=b", "1: w1'a' o2'=' w3'b' |4\n");
	/* only >= and <= are two characters */
	assert_lexes("a=>b", "1: w1'a' o2'=' o3'>' w4'b' |5\n");
	assert_lexes("<>", "1: o1'<' o2'>' |3\n");
	assert_lexes(">==", "1: o1'>=' o3'=' |4\n");
	assert_lexes("==", "1: o1'=' o2'=' |3\n");
	assert_lexes("!=", "1: w1'!' o2'=' |3\n");
	assert_lexes("機密性<2", "1: w1'機密性' o4'<' w5'2' |6\n");
	assert_lexes("\"a>=b\">=", "1: s1'a>=b' o7'>=' |9\n");
}

static void test_separators(void **state)
{
	(void)state;
	assert_lexes("mode\tenforce", "1: w1'mode' w6'enforce' |13\n");
	assert_lexes("\t\tmode\t \tenforce\t", "1: w3'mode' w10'enforce' |18\n");
	/* U+3000 is one separator and one column */
	assert_lexes("mode　enforce", "1: w1'mode' w6'enforce' |13\n");
	assert_lexes("　　mode　　enforce　", "1: w3'mode' w9'enforce' |17\n");
	/* other spaces are not separators: U+2002 (en space) is part of a word */
	assert_lexes("a\xe2\x80\x82" "b", "1: w1'a\xe2\x80\x82" "b' |4\n");
}

static void test_bom(void **state)
{
	(void)state;
	/* ignored at the very start, and not counted as a column */
	assert_lexes("\xef\xbb\xbfmode enforce\n", "1: w1'mode' w6'enforce' |13\n");
	assert_lexes("\xef\xbb\xbf", "");
	assert_lexes("\xef\xbb\xbf\nmode enforce", "2: w1'mode' w6'enforce' |13\n");
	/* anywhere else it is an invisible character: see test_invisible() */
	assert_lex_error("\xef\xbb\xbf\xef\xbb\xbfmode", "1: error\n",
			 "t.policy:1:1: error: invisible character U+FEFF (byte-order "
			 "mark) " INVISIBLE);
	assert_lex_error("a\n\xef\xbb\xbfmode", "1: w1'a' |2\n2: error\n",
			 "t.policy:2:1: error: invisible character U+FEFF (byte-order "
			 "mark) " INVISIBLE);
	assert_lex_error(" \xef\xbb\xbfmode", "1: error\n",
			 "t.policy:1:2: error: invisible character U+FEFF (byte-order "
			 "mark) " INVISIBLE);
	/* a cut-off mark is not one */
	lex("\xef\xbb");
	assert_string_equal(diags, "t.policy:1:1: error: invalid UTF-8 (byte 0xef); a policy must "
			    "be UTF-8 text\n");
}

static void test_crlf(void **state)
{
	(void)state;
	assert_lexes("mode enforce\r\ntier lgwan\r\n\r\n",
		     "1: w1'mode' w6'enforce' |13\n2: w1'tier' w6'lgwan' |11\n");
	assert_lexes("\xef\xbb\xbfmode enforce\r\n# c\r\ntier lgwan",
		     "1: w1'mode' w6'enforce' |13\n3: w1'tier' w6'lgwan' |11\n");
	assert_lexes("x \"a\"\r\n", "1: w1'x' s3'a' |6\n");
	/* the last line needs no newline for its CR to go */
	assert_lexes("mode enforce\r", "1: w1'mode' w6'enforce' |13\n");
}

static void test_cr_not_before_line_end(void **state)
{
	(void)state;
	assert_lex_error("zone z 192.0.2.0/24\rzone y 198.51.100.0/24\nmode enforce\n",
			 "1: error\n2: w1'mode' w6'enforce' |13\n",
			 "t.policy:1:20: error: control character U+000D is not allowed\n");
	/* only one CR goes */
	assert_lex_error("mode\r\r\n", "1: error\n",
			 "t.policy:1:5: error: control character U+000D is not allowed\n");
}

static void test_japanese_columns(void **state)
{
	(void)state;
	assert_lexes("zone 無害化 \"10.20.30.40\"    # コメント\n",
		     "1: w1'zone' w6'無害化' s10'10.20.30.40' |33\n");
	assert_lexes("media 総務-2025-001 bus usb",
		     "1: w1'media' w7'総務-2025-001' w19'bus' w23'usb' |26\n");
	assert_lexes("😀 x", "1: w1'😀' w3'x' |4\n");
}

/* ---- lexical errors ----------------------------------------------------- */

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_lex_error("zone 機\xff", "1: error\n",
			 "t.policy:1:7: error: invalid UTF-8 (byte 0xff); a policy must be UTF-8 "
			 "text\n");
	/* Shift_JIS: 機 is 0x8b 0x40 */
	assert_lex_error("label prefix \x8b\x40 x\n", "1: error\n",
			 "t.policy:1:14: error: invalid UTF-8 (byte 0x8b); a policy must be UTF-8 "
			 "text\n");
	/* overlong '/' in a string */
	assert_lex_error("label dir \"/a\xc0\xaf\"\n", "1: error\n",
			 "t.policy:1:14: error: invalid UTF-8 (byte 0xc0); a policy must be UTF-8 "
			 "text\n");
	/* a surrogate in a comment */
	assert_lex_error("mode enforce # \xed\xa0\x80\n", "1: error\n",
			 "t.policy:1:16: error: invalid UTF-8 (byte 0xed); a policy must be UTF-8 "
			 "text\n");
	/* cut off by the end of the text */
	assert_lex_error("mode 機密\xe6\xa9", "1: error\n",
			 "t.policy:1:8: error: invalid UTF-8 (byte 0xe6); a policy must be UTF-8 "
			 "text\n");
	/* cut off by the end of the line */
	assert_lex_error("a \xe6\xa9\nb", "1: error\n2: w1'b' |2\n",
			 "t.policy:1:3: error: invalid UTF-8 (byte 0xe6); a policy must be UTF-8 "
			 "text\n");
	/* a stray continuation byte after an operator */
	assert_lex_error(">=\x80", "1: error\n",
			 "t.policy:1:3: error: invalid UTF-8 (byte 0x80); a policy must be UTF-8 "
			 "text\n");
}

static void test_control_characters(void **state)
{
	static const struct {
		const char *src;
		size_t len;
		const char *diag;
	} cases[] = {
		{ "a\x01", 2, "t.policy:1:2: error: control character U+0001 is not allowed\n" },
		{ "mode\x0c", 5, "t.policy:1:5: error: control character U+000C is not allowed\n" },
		{ "x\x1b[1m", 5, "t.policy:1:2: error: control character U+001B is not allowed\n" },
		{ "機\x7f", 4, "t.policy:1:2: error: control character U+007F is not allowed\n" },
		{ "a \xc2\x85", 4, "t.policy:1:3: error: control character U+0085 is not "
		  "allowed\n" },
		{ "\xc2\x9f", 2, "t.policy:1:1: error: control character U+009F is not allowed\n" },
		{ "a\0b", 3, "t.policy:1:2: error: control character U+0000 is not allowed\n" },
		{ "\"a\x01\"", 4, "t.policy:1:3: error: control character U+0001 is not "
		  "allowed\n" },
		{ "a # \x1f", 5, "t.policy:1:5: error: control character U+001F is not allowed\n" },
		{ "a\x0b", 2, "t.policy:1:2: error: control character U+000B is not allowed\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lex_n(cases[i].src, cases[i].len);
		assert_string_equal(diags, cases[i].diag);
		assert_string_equal(tokens, "1: error\n");
	}
	/* U+00A1, just past the C1 range and U+00A0, is an ordinary character */
	assert_lexes("\xc2\xa1", "1: w1'\xc2\xa1' |2\n");
}

static void test_invisible(void **state)
{
	static const struct {
		const char *ch;
		const char *name;
	} cases[] = {
		{ "\xc2\xa0", "U+00A0 (no-break space)" },
		{ "\xc2\xad", "U+00AD (soft hyphen)" },
		{ "\xe2\x80\x8b", "U+200B (zero-width space)" },
		{ "\xe2\x80\x8c", "U+200C (zero-width non-joiner)" },
		{ "\xe2\x80\x8d", "U+200D (zero-width joiner)" },
		{ "\xe2\x81\xa0", "U+2060 (word joiner)" },
		{ "\xef\xbb\xbf", "U+FEFF (byte-order mark)" },
	};
	char src[64], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* inside a word, after Japanese: reported at its column */
		snprintf(src, sizeof(src), "zone 庁内%s 10.0.0.0/8\nmode enforce\n", cases[i].ch);
		snprintf(want, sizeof(want), "t.policy:1:8: error: invisible character %s "
			 INVISIBLE, cases[i].name);
		assert_lex_error(src, "1: error\n2: w1'mode' w6'enforce' |13\n", want);
		/* standing alone between words */
		snprintf(src, sizeof(src), "mode %s enforce", cases[i].ch);
		snprintf(want, sizeof(want), "t.policy:1:6: error: invisible character %s "
			 INVISIBLE, cases[i].name);
		assert_lex_error(src, "1: error\n", want);
		/* right after an operator */
		snprintf(src, sizeof(src), "a >=%s", cases[i].ch);
		snprintf(want, sizeof(want), "t.policy:1:5: error: invisible character %s "
			 INVISIBLE, cases[i].name);
		assert_lex_error(src, "1: error\n", want);
		/* inside quotes and in comments they are allowed */
		snprintf(src, sizeof(src), "\"a%sb\" # c%s", cases[i].ch, cases[i].ch);
		snprintf(want, sizeof(want), "1: s1'a%sb' |11\n", cases[i].ch);
		assert_lexes(src, want);
	}
}

static void test_bad_escape(void **state)
{
	(void)state;
	assert_lex_error("label dir \"C:\\Users\" x\n", "1: error\n",
			 "t.policy:1:14: error: unknown escape in string; expected '\\\"' or "
			 "'\\\\'\n");
	assert_lex_error("\"\\n\"", "1: error\n",
			 "t.policy:1:2: error: unknown escape in string; expected '\\\"' or "
			 "'\\\\'\n");
	assert_lex_error("\"機\\u3000\"", "1: error\n",
			 "t.policy:1:3: error: unknown escape in string; expected '\\\"' or "
			 "'\\\\'\n");
	assert_lex_error("\"\\機\"", "1: error\n",
			 "t.policy:1:2: error: unknown escape in string; expected '\\\"' or "
			 "'\\\\'\n");
	/* a backslash that ends the line */
	assert_lex_error("x \"abc\\\ny", "1: error\n2: w1'y' |2\n",
			 "t.policy:1:7: error: unknown escape in string; expected '\\\"' or "
			 "'\\\\'\n");
	assert_lex_error("\"abc\\", "1: error\n",
			 "t.policy:1:5: error: unknown escape in string; expected '\\\"' or "
			 "'\\\\'\n");
	/* outside quotes a backslash is an ordinary character */
	assert_lexes("C:\\Users", "1: w1'C:\\Users' |9\n");
}

static void test_unterminated_string(void **state)
{
	(void)state;
	/* the error points at the opening quote */
	assert_lex_error("label dir \"/share/共有 機密性2\n", "1: error\n",
			 "t.policy:1:11: error: unterminated string; expected '\"' before the end "
			 "of the line\n");
	assert_lex_error("\"", "1: error\n",
			 "t.policy:1:1: error: unterminated string; expected '\"' before the end "
			 "of the line\n");
	assert_lex_error("\"a\\\"", "1: error\n",
			 "t.policy:1:1: error: unterminated string; expected '\"' before the end "
			 "of the line\n");
	/* a string ends on its line: the next line is lexed afresh */
	assert_lex_error("a \"b\nc\" d\n", "1: error\n2: error\n",
			 "t.policy:1:3: error: unterminated string; expected '\"' before the end "
			 "of the line\n"
			 "t.policy:2:2: error: unterminated string; expected '\"' before the end "
			 "of the line\n");
	/* CRLF: the CR is not part of the string */
	assert_lex_error("\"a\r\n", "1: error\n",
			 "t.policy:1:1: error: unterminated string; expected '\"' before the end "
			 "of the line\n");
}

static void test_one_error_per_line_and_continue(void **state)
{
	(void)state;
	assert_lex_error("mode enforce\n"
			 "bad\x01 line \x02 \"unterminated\n"
			 "\n"
			 "zone \xff\n"
			 "tier lgwan\n",
			 "1: w1'mode' w6'enforce' |13\n"
			 "2: error\n"
			 "4: error\n"
			 "5: w1'tier' w6'lgwan' |11\n",
			 "t.policy:2:4: error: control character U+0001 is not allowed\n"
			 "t.policy:4:6: error: invalid UTF-8 (byte 0xff); a policy must be UTF-8 "
			 "text\n");
	assert_int_equal(nerrors, 2);
}

/* ---- limits ----------------------------------------------------------- */

static void test_line_length(void **state)
{
	char *s, *crlf, *two;

	(void)state;
	/* 4096 bytes: the limit */
	s = repeat("x", 4090);
	s = fmt("%s%s", "mode #", s);
	assert_int_equal(strlen(s), 4096);
	assert_lexes(s, "1: w1'mode' |4097\n");
	/* 4096 bytes and CRLF: the line end does not count */
	crlf = fmt("%s%s", s, "\r\n");
	assert_lexes(crlf, "1: w1'mode' |4097\n");

	s = fmt("%s%s", repeat("x", 4097), "\nmode enforce\n");
	assert_lex_error(s, "1: error\n2: w1'mode' w6'enforce' |13\n",
			 "t.policy:1:1: error: line too long (4097 bytes); at most 4096\n");

	/* bytes, not characters: 1366 × 機 is 4098 bytes */
	s = repeat("機", 1366);
	assert_lex_error(s, "1: error\n",
			 "t.policy:1:1: error: line too long (4098 bytes); at most 4096\n");

	/* a comment counts, and so does an invalid byte beyond the limit (not reported) */
	s = fmt("%s%s", repeat(" ", 4095), "#\xff");
	assert_lex_error(s, "1: error\n",
			 "t.policy:1:1: error: line too long (4097 bytes); at most 4096\n");

	/* two long lines: two errors, the right line numbers */
	s = fmt("%s%s", repeat("y", 5000), "\n");
	two = fmt("%s%s", s, s);
	assert_lex_error(two, "1: error\n2: error\n",
			 "t.policy:1:1: error: line too long (5000 bytes); at most 4096\n"
			 "t.policy:2:1: error: line too long (5000 bytes); at most 4096\n");
}

static void test_words_per_line(void **state)
{
	char *s;

	(void)state;
	/* 64 words: the limit */
	s = fmt("%s%s", repeat("ab ", 64), "# the end");
	lex(s);
	assert_string_equal(diags, "");
	assert_non_null(strstr(tokens, " w190'ab' |202\n"));
	assert_int_equal(strncmp(tokens, "1: w1'ab' w4'ab' ", 17), 0);

	/* the 65th word is reported where it starts */
	s = fmt("%s%s", repeat("ab ", 64), "65th\nx");
	assert_lex_error(s, "1: error\n2: w1'x' |2\n",
			 "t.policy:1:193: error: too many words on one line; at most 64\n");

	/* operators and strings count as words too */
	s = fmt("%s%s", repeat(">=", 64), "\"s\"");
	assert_lex_error(s, "1: error\n",
			 "t.policy:1:129: error: too many words on one line; at most 64\n");
	s = fmt("%s%s", repeat("\"\"", 64), "=");
	assert_lex_error(s, "1: error\n",
			 "t.policy:1:129: error: too many words on one line; at most 64\n");
}

static void test_word_length(void **state)
{
	char *s, *want;

	(void)state;
	/* 1024 bytes: the limit */
	s = fmt("%s%s", repeat("x", 1024), " y");
	lex(s);
	assert_string_equal(diags, "");
	assert_non_null(strstr(tokens, "' w1026'y' |1027\n"));

	s = fmt("%s%s", repeat("x", 1025), " y");
	assert_lex_error(s, "1: error\n",
			 "t.policy:1:1: error: word too long (1025 bytes); at most 1024\n");

	/* bytes, not characters: 342 × 機 is 1026 bytes, reported at its column */
	s = repeat("機", 342);
	want = fmt("%s%s", "label prefix ", s);
	assert_lex_error(want, "1: error\n",
			 "t.policy:1:14: error: word too long (1026 bytes); at most 1024\n");

	/* a quoted word: its text, without quotes, is what counts */
	s = fmt("%s%s", repeat("a", 1024), "\"");
	want = fmt("%s%s", "x \"", s);
	lex(want);
	assert_string_equal(diags, "");
	s = fmt("%s%s", repeat("a", 1025), "\"");
	want = fmt("%s%s", "x \"", s);
	assert_lex_error(want, "1: error\n",
			 "t.policy:1:3: error: word too long (1025 bytes); at most 1024\n");
	/* escapes shrink a word: 1024 escaped backslashes are 1024 bytes */
	s = fmt("%s%s", repeat("\\\\", 1024), "\"");
	want = fmt("%s%s", "\"", s);
	lex(want);
	assert_string_equal(diags, "");
}

static void test_full_line(void **state)
{
	char *s, *a, *word;

	(void)state;
	/* 64 quoted words of 62 bytes, 4096 bytes in all: the line buffer holds them */
	a = fmt("%s%s", repeat("a", 62), "\"");
	word = fmt("%s%s", "\"", a);
	s = repeat(word, 64);
	assert_int_equal(strlen(s), 4096);
	lex(s);
	assert_string_equal(diags, "");
	assert_non_null(strstr(tokens, " s4033'"));
	/* 4096 one-byte operators: the 65th is too many */
	s = repeat("=", 4096);
	assert_lex_error(s, "1: error\n",
			 "t.policy:1:65: error: too many words on one line; at most 64\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_words, teardown),
		cmocka_unit_test_teardown(test_line_numbers_and_blank_lines, teardown),
		cmocka_unit_test_teardown(test_not_nul_terminated, teardown),
		cmocka_unit_test_teardown(test_comments, teardown),
		cmocka_unit_test_teardown(test_hash_inside_string, teardown),
		cmocka_unit_test_teardown(test_strings, teardown),
		cmocka_unit_test_teardown(test_operators, teardown),
		cmocka_unit_test_teardown(test_separators, teardown),
		cmocka_unit_test_teardown(test_bom, teardown),
		cmocka_unit_test_teardown(test_crlf, teardown),
		cmocka_unit_test_teardown(test_cr_not_before_line_end, teardown),
		cmocka_unit_test_teardown(test_japanese_columns, teardown),
		cmocka_unit_test_teardown(test_invalid_utf8, teardown),
		cmocka_unit_test_teardown(test_control_characters, teardown),
		cmocka_unit_test_teardown(test_invisible, teardown),
		cmocka_unit_test_teardown(test_bad_escape, teardown),
		cmocka_unit_test_teardown(test_unterminated_string, teardown),
		cmocka_unit_test_teardown(test_one_error_per_line_and_continue, teardown),
		cmocka_unit_test_teardown(test_line_length, teardown),
		cmocka_unit_test_teardown(test_words_per_line, teardown),
		cmocka_unit_test_teardown(test_word_length, teardown),
		cmocka_unit_test_teardown(test_full_line, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
