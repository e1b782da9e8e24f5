// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/ledger_csv.c against docs/ledger-csv.md: every
 * accepted spelling of each column and value, the encodings and line ends
 * Excel writes, and the exact diagnostic of each error, which must name the
 * spreadsheet row and column.  What the converter writes is read back by the
 * policy parser and compiler, and must give exactly the entries of the file.
 * Every input is converted from a heap copy of exactly its length, so that
 * the sanitizer build catches a read past the end.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scratch.h"

#include "ledger_csv.h"
#include "policy.h"

#define UNTOUCHED_ENTRIES 0xdeadu

/* The mandatory statements around converted entries, for the policy compiler. */
#define POLICY_HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

#define HDR "登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,書込,有効期限\r\n"
#define ROW "総務-2026-001,USB,0781,5583,4C530001234,総務課,可,2027-03-31\r\n"
#define MEDIA_ROW                                                                          \
	"media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 section 総務課 " \
	"access rw until 2027-03-31\n"
#define COMMENT1 "# media ledger from t.csv, 1 entry\n"

static const char *const hdr_names[] = {
	"登録番号", "種別", "ベンダID", "プロダクトID", "シリアル番号", "所属", "書込", "有効期限",
};

static char *text; /* what the last convert() returned */
static unsigned int nentries;
static char *diags; /* what it reported */
static int conv_ret;
static struct dlp_policy pol; /* what the last load() compiled */
static char rowbuf[8192];

static int teardown(void **state)
{
	(void)state;
	scratch_free();
	dlp_policy_free(&pol);
	dlp_policy_init(&pol);
	free(text);
	text = NULL;
	free(diags);
	diags = NULL;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	dlp_policy_init(&pol);
	return 0;
}

/* Convert @len bytes of @csv as file "t.csv"; return the diagnostics. */
static const char *convert_n(const char *csv, size_t len)
{
	char *copy = malloc(len ? len : 1), *out = NULL;
	unsigned int n = UNTOUCHED_ENTRIES;
	struct dlp_diag diag;
	size_t dlen;
	FILE *f;

	assert_non_null(copy);
	memcpy(copy, csv, len);
	free(text);
	text = NULL;
	free(diags);
	diags = NULL;
	f = open_memstream(&diags, &dlen);
	assert_non_null(f);
	dlp_diag_init(&diag, "t.csv", f);
	conv_ret = dlp_ledger_csv_convert(copy, len, "t.csv", &diag, &out, &n);
	fclose(f);
	free(copy);
	if (conv_ret) {
		/* on error nothing is returned, and something was said */
		assert_null(out);
		assert_int_equal(n, UNTOUCHED_ENTRIES);
		assert_true(diag.errors > 0);
	} else {
		assert_non_null(out);
		assert_int_equal(diag.errors, 0);
		text = out;
		nentries = n;
	}
	return diags;
}

static const char *convert(const char *csv)
{
	return convert_n(csv, strlen(csv));
}

/* @csv must convert without a word said; return the text. */
static const char *convert_ok(const char *csv)
{
	const char *d = convert(csv);

	if (conv_ret)
		fail_msg("refused (%d):\n%s", conv_ret, d);
	assert_string_equal(d, "");
	return text;
}

/* @csv must be refused with -EINVAL and exactly @want reported. */
static void assert_refused(const char *csv, const char *want)
{
	assert_string_equal(convert(csv), want);
	assert_int_equal(conv_ret, -EINVAL);
}

/* The text converted last, compiled within a minimal policy; it must be valid. */
static const struct dlp_policy *load(void)
{
	char *src = fmt(POLICY_HEAD "%s", text);
	struct dlp_diag diag;

	dlp_policy_free(&pol);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "t.policy", stderr);
	assert_int_equal(dlp_policy_load_buffer(&pol, src, strlen(src), &diag), 0);
	assert_int_equal(pol.nmedia, nentries);
	return &pol;
}

/* A file of HDR and one row whose column @col is @value (written as is). */
static const char *one_row(unsigned int col, const char *value)
{
	const char *v[8] = {
		"総務-2026-001", "USB", "0781", "5583", "4C530001234", "総務課", "可", "2027-03-31",
	};

	v[col] = value;
	snprintf(rowbuf, sizeof(rowbuf), HDR "%s,%s,%s,%s,%s,%s,%s,%s\r\n", v[0], v[1], v[2], v[3],
		 v[4], v[5], v[6], v[7]);
	return rowbuf;
}

/* The one entry of the file of HDR and a row with @value in column @col. */
static const struct dlp_media *entry_with(unsigned int col, const char *value)
{
	const char *d = convert(one_row(col, value));

	if (conv_ret)
		fail_msg("'%s' in column %u refused:\n%s", value, col, d);
	assert_int_equal(nentries, 1);
	load();
	return &pol.media[0];
}

/* The value in column @col of the one row must be refused with @msg. */
static void assert_cell_refused(unsigned int col, const char *value, const char *msg)
{
	char *want = fmt("t.csv:2:%u: error: row 2, column %c (%s): %s\n", col + 1, 'A' + col,
			 hdr_names[col], msg);

	assert_string_equal(convert(one_row(col, value)), want);
	assert_int_equal(conv_ret, -EINVAL);
	free(want);
	nscratch--;
}

#define assert_date(d, y, m, dd)                  \
	do {                                      \
		assert_int_equal((d).year, (y));  \
		assert_int_equal((d).month, (m)); \
		assert_int_equal((d).day, (dd));  \
	} while (0)

/* ---- accepted forms ------------------------------------------------- */

static void test_basic(void **state)
{
	const struct dlp_media *m;

	(void)state;
	assert_string_equal(convert_ok(HDR ROW), COMMENT1 MEDIA_ROW);
	assert_int_equal(nentries, 1);
	load();
	m = &pol.media[0];
	assert_string_equal(m->regno, "総務-2026-001");
	assert_int_equal(m->bus, DLP_BUS_USB);
	assert_int_equal(m->vendor, 0x0781);
	assert_int_equal(m->product, 0x5583);
	assert_string_equal(m->serial, "4C530001234");
	assert_string_equal(m->section, "総務課");
	assert_true(m->writable);
	assert_date(m->until, 2027, 3, 31);
	assert_int_equal(m->pos.line, 6); /* after POLICY_HEAD and the comment */
}

static void test_line_ends_and_bom(void **state)
{
	const char *lf = "登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,書込,有効期限\n"
			 "総務-2026-001,USB,0781,5583,4C530001234,総務課,可,2027-03-31\n";

	(void)state;
	assert_string_equal(convert_ok(lf), COMMENT1 MEDIA_ROW);
	assert_string_equal(convert_ok("\xef\xbb\xbf" HDR ROW), COMMENT1 MEDIA_ROW);
	/* no line end after the last row */
	assert_string_equal(convert_ok(HDR "総務-2026-001,USB,0781,5583,4C530001234,総務課,可,"
					   "2027-03-31"),
			    COMMENT1 MEDIA_ROW);
}

static void test_cp932(void **state)
{
	/* 登録番号,種別,...,有効期限 CRLF 総務-1,USB,0781,5583,S1,総務課,可,令和9年3月31日 */
	static const char literal[] =
		"\x93\x6f\x98\x5e\x94\xd4\x8d\x86,\x8e\xed\x95\xca,\x83\x78\x83\x93\x83\x5f"
		"ID,\x83\x76\x83\x8d\x83\x5f\x83\x4e\x83\x67ID,\x83\x56\x83\x8a\x83\x41\x83\x8b"
		"\x94\xd4\x8d\x86,\x8f\x8a\x91\xae,\x8f\x91\x8d\x9e,\x97\x4c\x8c\xf8\x8a\xfa"
		"\x8c\xc0\r\n\x91\x8d\x96\xb1-1,USB,0781,5583,S1,\x91\x8d\x96\xb1\x89\xdb,\x89\xc2,"
		"\x97\xdf\x98\x61\x39\x94\x4e\x33\x8c\x8e\x33\x31\x93\xfa\r\n";
	const char *utf8 = HDR ROW "税務-2026-007,ＳＤカード,046d,c52b,ＡＡ　００４２,税務課,"
				   "読取専用,令和9年3月31日\r\n";
	size_t inleft = strlen(utf8), outleft = 4 * inleft;
	char *sjis = keep(malloc(outleft)), *in = (char *)utf8, *out = sjis;
	iconv_t cd = iconv_open("CP932", "UTF-8");

	(void)state;
	assert_string_equal(convert_n(literal, sizeof(literal) - 1), "");
	assert_string_equal(text, "# media ledger from t.csv, 1 entry\n"
				  "media 総務-1 bus usb id 0781:5583 serial S1 section 総務課 "
				  "access rw until 2027-03-31\n");

	assert_true(cd != (iconv_t)-1);
	assert_int_not_equal(iconv(cd, &in, &inleft, &out, &outleft), (size_t)-1);
	iconv_close(cd);
	assert_string_equal(convert_n(sjis, out - sjis), "");
	assert_string_equal(text,
			    "# media ledger from t.csv, 2 entries\n" MEDIA_ROW
			    "media 税務-2026-007 bus mmc id 046d:c52b serial \"ＡＡ　００４２\" "
			    "section 税務課 access ro until 2027-03-31\n");
	load();
	assert_string_equal(pol.media[1].serial, "ＡＡ　００４２");
}

static void test_headers(void **state)
{
	const char *want = COMMENT1 MEDIA_ROW;

	(void)state;
	/* English, any order, any case, spaces around and inside */
	assert_string_equal(convert_ok(" Until ,ACCESS,section,Serial Number,Vendor ID,"
				       "product id,bus,RegNo\n"
				       "2027-03-31,rw,総務課,4C530001234,0781,5583,usb,"
				       "総務-2026-001\n"),
			    want);
	/* one VID:PID column; full-width letters and spaces */
	assert_string_equal(
		convert_ok("管理番号,接続,ＶＩＤ：ＰＩＤ,シリアル,所属課,書き込み,"
			   "　使用期限　\n"
			   "総務-2026-001,USB,0781:5583,4C530001234,総務課,○,2027/3/31\n"),
		want);
	assert_string_equal(
		convert_ok("ID,regno,bus,serial,section,access,until\n"
			   "0781:5583,総務-2026-001,usb,4C530001234,総務課,rw,2027-03-31\n"),
		want);
	assert_string_equal(
		convert_ok("登録番号,接続方式,VID,PID,シリアル番号,部署,書込可否,"
			   "期限\n"
			   "総務-2026-001,USB,781,5583,4C530001234,総務課,可,2027-03-31\n"),
		want);
	assert_string_equal(convert_ok("登録番号,種別,ベンダーID,製品ID,serial number,section,"
				       "書込み,expires\n" ROW),
			    want);
}

static void test_ignored_columns(void **state)
{
	(void)state;
	/* unknown columns, even with a line break or a quote, are not read */
	assert_string_equal(
		convert_ok("No.,登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,"
			   "利用者,書込,有効期限,備考,\n"
			   "1,総務-2026-001,USB,0781,5583,4C530001234,総務課,山田　太郎,可,"
			   "2027-03-31,\"年度末に返却\n\"\"要確認\"\"\",\n"),
		COMMENT1 MEDIA_ROW);
}

static void test_tab_separated(void **state)
{
	(void)state;
	assert_string_equal(convert_ok("登録番号\t種別\tベンダID\tプロダクトID\tシリアル番号\t所属"
				       "\t書込\t有効期限\r\n"
				       "総務-2026-001\tUSB\t0781\t5583\t4C530001234\t総務課\t可\t"
				       "2027-03-31\r\n"),
			    COMMENT1 MEDIA_ROW);
	/* a comma in a value does not make a tab-separated file a CSV one */
	assert_string_equal(
		convert_ok("登録番号\t種別\tベンダID\tプロダクトID\tシリアル番号\t所属"
			   "\t書込\t有効期限\n"
			   "総務-2026-001\tUSB\t0781\t5583\t4C530001234\t総務課,庶務係\t可"
			   "\t2027-03-31\n"),
		"# media ledger from t.csv, 1 entry\n"
		"media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 section "
		"総務課,庶務係 access rw until 2027-03-31\n");
}

static void test_empty_rows(void **state)
{
	(void)state;
	/* fully empty rows, at the end as Excel leaves them, or in between */
	assert_string_equal(convert_ok(HDR ROW ",,,,,,,\r\n\r\n \t,　,\r\n,,,,,,,\r\n"),
			    COMMENT1 MEDIA_ROW);
	convert_ok(HDR ",,,,,,,\r\n" ROW "\r\n"
		       "税務-2026-007,USB,046d,c52b,AA0042,税務課,ro,2027-03-31\r\n,,,,,,,\r\n");
	assert_int_equal(nentries, 2);
	/* rows keep their spreadsheet numbers across empty ones */
	assert_refused(HDR ",,,,,,,\r\n\r\n" ROW "x,USB,0781,5583,S,総務課,可,2027-02-30\r\n",
		       "t.csv:5:8: error: row 5, column H (有効期限): '2027-02-30' is not a day of "
		       "the calendar\n");
}

static void test_quoting(void **state)
{
	(void)state;
	/* RFC 4180 quoting in; the policy language's quoting out */
	convert_ok(HDR
		   "\"総務,001\",\"USB\",0781,5583,\"AA \"\"42\"\"\",\"総務課 庶務係\",可,"
		   "2027-03-31\r\n"
		   "a#1,USB,0781,5584,C:\\x,総務課　庶務係,可,2027-03-31\r\n"
		   "\"b=2\",USB,0781,5585,\"x<y>z\",\"back\\slash \"\"q\"\"\",可,2027-03-31\r\n");
	assert_string_equal(
		text, "# media ledger from t.csv, 3 entries\n"
		      "media 総務,001 bus usb id 0781:5583 serial \"AA \\\"42\\\"\" section "
		      "\"総務課 庶務係\" access rw until 2027-03-31\n"
		      "media \"a#1\" bus usb id 0781:5584 serial C:\\x section \"総務課　庶務係\" "
		      "access rw until 2027-03-31\n"
		      "media \"b=2\" bus usb id 0781:5585 serial \"x<y>z\" section "
		      "\"back\\\\slash \\\"q\\\"\" access rw until 2027-03-31\n");
	load();
	assert_string_equal(pol.media[0].regno, "総務,001");
	assert_string_equal(pol.media[0].serial, "AA \"42\"");
	assert_string_equal(pol.media[0].section, "総務課 庶務係");
	assert_string_equal(pol.media[1].regno, "a#1");
	assert_string_equal(pol.media[1].serial, "C:\\x");
	assert_string_equal(pol.media[1].section, "総務課　庶務係");
	assert_string_equal(pol.media[2].regno, "b=2");
	assert_string_equal(pol.media[2].serial, "x<y>z");
	assert_string_equal(pol.media[2].section, "back\\slash \"q\"");
	/* spaces around a value are trimmed, inside quotes too; after the closing quote also */
	assert_string_equal(convert_ok(HDR " 総務-2026-001 ,\" USB\",　0781　,5583 ,"
					   "\"4C530001234\"  ,総務課\t,可,2027-03-31\r\n"),
			    COMMENT1 MEDIA_ROW);
	/* a quote inside an unquoted value is a character */
	convert_ok(one_row(4, "AA\"42"));
	assert_string_equal(load()->media[0].serial, "AA\"42");
}

static void test_bus(void **state)
{
	static const struct {
		const char *text;
		enum dlp_bus bus;
	} goods[] = {
		{ "usb", DLP_BUS_USB },	       { "USB", DLP_BUS_USB },
		{ "ＵＳＢ", DLP_BUS_USB },     { "Usb", DLP_BUS_USB },
		{ "USBメモリ", DLP_BUS_USB },  { "mmc", DLP_BUS_MMC },
		{ "MMC", DLP_BUS_MMC },	       { "SD", DLP_BUS_MMC },
		{ "sd", DLP_BUS_MMC },	       { "SDカード", DLP_BUS_MMC },
		{ "ＳＤカード", DLP_BUS_MMC },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		assert_int_equal(entry_with(1, goods[i].text)->bus, goods[i].bus);
}

static void test_ids(void **state)
{
	static const struct {
		const char *text;
		uint16_t value;
	} goods[] = {
		{ "0781", 0x0781 },	{ "781", 0x0781 },  { "0x0781", 0x0781 },
		{ "0X781", 0x0781 },	{ "1", 0x0001 },    { "0", 0 },
		{ "ffff", 0xffff },	{ "FFFF", 0xffff }, { "c52B", 0xc52b },
		{ "０７８１", 0x0781 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		assert_int_equal(entry_with(2, goods[i].text)->vendor, goods[i].value);
		assert_int_equal(entry_with(3, goods[i].text)->product, goods[i].value);
	}
	convert_ok("regno,bus,id,serial,section,access,until\n"
		   "a,usb,781:5583,s1,x,rw,2027-03-31\n"
		   "b,usb,0x046D:0xC52B,s2,x,rw,2027-03-31\n"
		   "c,usb,１:２,s3,x,rw,2027-03-31\n");
	load();
	assert_int_equal(pol.media[0].vendor, 0x0781);
	assert_int_equal(pol.media[0].product, 0x5583);
	assert_int_equal(pol.media[1].vendor, 0x046d);
	assert_int_equal(pol.media[1].product, 0xc52b);
	assert_int_equal(pol.media[2].vendor, 1);
	assert_int_equal(pol.media[2].product, 2);
	assert_non_null(strstr(text, "media c bus usb id 0001:0002 "));
}

static void test_access(void **state)
{
	static const struct {
		const char *text;
		bool writable;
	} goods[] = {
		{ "rw", true },	       { "RW", true },
		{ "可", true },	       { "○", true },
		{ "〇", true },	       { "◯", true },
		{ "許可", true },      { "書込可", true },
		{ "ro", false },       { "RO", false },
		{ "不可", false },     { "×", false },
		{ "✕", false },	       { "禁止", false },
		{ "読取専用", false }, { "読み取り専用", false },
		{ "書込不可", false }, { "ｒｏ", false },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		assert_int_equal(entry_with(6, goods[i].text)->writable, goods[i].writable);
}

static void test_dates(void **state)
{
	static const struct {
		const char *text;
		unsigned int y, m, d;
	} goods[] = {
		{ "2027-03-31", 2027, 3, 31 },	    { "2027/3/31", 2027, 3, 31 },
		{ "2027/03/31", 2027, 3, 31 },	    { "2027-3-1", 2027, 3, 1 },
		{ "2027.3.31", 2027, 3, 31 },	    { "2027年3月31日", 2027, 3, 31 },
		{ "2027年03月31日", 2027, 3, 31 },  { "令和9年3月31日", 2027, 3, 31 },
		{ "令和元年5月1日", 2019, 5, 1 },   { "令和1年5月1日", 2019, 5, 1 },
		{ "R9.3.31", 2027, 3, 31 },	    { "R9/3/31", 2027, 3, 31 },
		{ "r9-3-31", 2027, 3, 31 },	    { "R09.03.31", 2027, 3, 31 },
		{ "Ｒ９．３．３１", 2027, 3, 31 },  { "２０２７／３／３１", 2027, 3, 31 },
		{ "2028/2/29", 2028, 2, 29 },	    { "2000-02-29", 2000, 2, 29 },
		{ "令和10年2月29日", 2028, 2, 29 }, { "R81.12.31", 2099, 12, 31 },
		{ "9999-12-31", 9999, 12, 31 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		assert_date(entry_with(7, goods[i].text)->until, goods[i].y, goods[i].m,
			    goods[i].d);
	convert_ok(one_row(7, "R9.3.1"));
	assert_non_null(strstr(text, " until 2027-03-01\n"));
}

static void test_limits_accepted(void **state)
{
	char *regno = repeat("r", 64), *serial = repeat("s", 255), *section = repeat("課", 341);

	(void)state;
	assert_string_equal(entry_with(0, regno)->regno, regno);
	assert_string_equal(entry_with(4, serial)->serial, serial);
	assert_string_equal(entry_with(5, section)->section, section);
	/* reserved words are case-sensitive, as in the parser */
	assert_string_equal(entry_with(0, "ANY")->regno, "ANY");
	assert_string_equal(entry_with(0, "unregistered1")->regno, "unregistered1");
}

static void test_many_rows(void **state)
{
	size_t cap = 4200 * 64, used;
	char *csv = keep(malloc(cap));
	unsigned int i;

	(void)state;
	used = snprintf(csv, cap, HDR);
	for (i = 0; i < DLP_LEDGER_CSV_MAX_ROWS; i++)
		used += snprintf(csv + used, cap - used, "r%u,USB,0781,5583,S%u,課,ro,R9.3.31\n", i,
				 i);
	convert_ok(csv);
	assert_int_equal(nentries, DLP_LEDGER_CSV_MAX_ROWS);
	load();
	assert_string_equal(pol.media[4095].regno, "r4095");
	assert_string_equal(pol.media[4095].serial, "S4095");

	/* trailing empty rows do not count */
	used += snprintf(csv + used, cap - used, ",,,,,,,\n,,,,,,,\n");
	convert_ok(csv);
	used += snprintf(csv + used, cap - used, "x,USB,0781,5583,S,課,ro,R9.3.31\n");
	assert_string_equal(convert(csv), "t.csv:4100:1: error: row 4100: more than 4096 data "
					  "rows; a ledger holds at most 4096 entries\n");
	assert_int_equal(conv_ret, -E2BIG);
}

/* The example of docs/ledger-csv.md, both tables. */
static void test_documented_example(void **state)
{
	const char *want =
		"# media ledger from t.csv, 2 entries\n"
		"media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 section 総務課 "
		"access rw until 2027-03-31\n"
		"media 税務-2026-007 bus mmc id 046d:c52b serial \"AA 0042\" section 税務課 "
		"access ro until 2027-03-31\n";

	(void)state;
	assert_string_equal(convert_ok("登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,書込,"
				       "有効期限,備考\r\n"
				       "総務-2026-001,USB,0781,5583,4C530001234,総務課,可,"
				       "令和9年3月31日,\r\n"
				       "税務-2026-007,SDカード,046d,c52b,AA 0042,税務課,読取専用,"
				       "2027/3/31,年度末に返却\r\n"),
			    want);
	assert_string_equal(
		convert_ok("regno,bus,VID:PID,serial,section,access,until\n"
			   "総務-2026-001,usb,0781:5583,4C530001234,総務課,rw,2027-03-31\n"
			   "税務-2026-007,sd,046d:c52b,AA 0042,税務課,ro,2027-03-31\n"),
		want);
	load();
	assert_int_equal(pol.media[1].bus, DLP_BUS_MMC);
	assert_string_equal(pol.media[1].serial, "AA 0042");
	assert_false(pol.media[1].writable);
}

/* ---- errors --------------------------------------------------------- */

static void test_missing_columns(void **state)
{
	(void)state;
	assert_refused(
		"登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,書込\n" ROW,
		"t.csv:1:1: error: row 1: no column for the expiry date (有効期限); "
		"expected a header named '有効期限', '使用期限', '期限', 'until' or 'expires'\n");
	assert_refused(
		"備考\n" ROW,
		"t.csv:1:1: error: row 1: no column for the registration number (登録番号); "
		"expected a header named '登録番号', '管理番号', 'regno' or 'registration "
		"number'\n"
		"t.csv:1:1: error: row 1: no column for the bus (種別: USB or SD); expected a "
		"header named '種別', '接続', '接続方式' or 'bus'\n"
		"t.csv:1:1: error: row 1: no column for the serial number (シリアル番号); "
		"expected a header named 'シリアル番号', 'シリアル', 'serial' or 'serial "
		"number'\n"
		"t.csv:1:1: error: row 1: no column for the section (所属); expected a header "
		"named '所属', '所属課', '部署' or 'section'\n"
		"t.csv:1:1: error: row 1: no column for the access mode (書込: rw or ro); expected a "
		"header named '書込', '書き込み', '書込み', '書込可否' or 'access'\n"
		"t.csv:1:1: error: row 1: no column for the expiry date (有効期限); expected a "
		"header named '有効期限', '使用期限', '期限', 'until' or 'expires'\n"
		"t.csv:1:1: error: row 1: no column for the device id; expected a header "
		"named 'ID' or 'VID:PID' (VENDOR:PRODUCT), or two columns: 'ベンダID', "
		"'ベンダーID', 'vendor', 'vendor id' or 'VID' and 'プロダクトID', '製品ID', "
		"'product', 'product id' or 'PID'\n");
	assert_refused("登録番号,種別,ベンダID,シリアル番号,所属,書込,有効期限\n",
		       "t.csv:1:1: error: row 1: no column for the product id (プロダクトID); "
		       "expected a header named 'プロダクトID', '製品ID', 'product', 'product id' "
		       "or 'PID'\n");
	/* a header cell with a line break names no column */
	assert_refused(
		"登録番号,種別,ID,シリアル番号,所属,書込,\"有効\n期限\"\n",
		"t.csv:1:1: error: row 1: no column for the expiry date (有効期限); "
		"expected a header named '有効期限', '使用期限', '期限', 'until' or 'expires'\n");
}

static void test_header_conflicts(void **state)
{
	(void)state;
	assert_refused(
		"登録番号,種別,ベンダID,プロダクトID,シリアル番号,所属,書込,有効期限,"
		"serial\n",
		"t.csv:1:9: error: row 1, column I (serial): a second column for the serial number "
		"(シリアル番号); column E (シリアル番号) is one already\n");
	assert_refused(
		"登録番号,種別,ID,ベンダID,シリアル番号,所属,書込,有効期限\n",
		"t.csv:1:4: error: row 1, column D (ベンダID): column C (ID) holds the device id "
		"already; keep either one VID:PID column or separate vendor and product "
		"columns\n");
}

static void test_bad_cells(void **state)
{
	static const struct {
		unsigned int col;
		const char *value;
		const char *msg;
	} bads[] = {
		{ 0, "", "empty; expected the registration number (登録番号)" },
		{ 0, "　", "empty; expected the registration number (登録番号)" },
		{ 0, "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr",
		  "too long (65 bytes); at most 64" },
		{ 0, "any",
		  "'any' is reserved and cannot be a registration number (neither can "
		  "any, registered, unregistered, by or if)" },
		{ 0, "unregistered",
		  "'unregistered' is reserved and cannot be a registration "
		  "number (neither can any, registered, unregistered, by or if)" },
		{ 0, "\"by\"",
		  "'by' is reserved and cannot be a registration number (neither can "
		  "any, registered, unregistered, by or if)" },
		{ 0,
		  "a\xc2\xa0"
		  "1",
		  "invisible character U+00A0 (no-break space) in the value; "
		  "retype it without" },
		{ 0,
		  "a\xe2\x80\x8b"
		  "1",
		  "invisible character U+200B (zero-width space) in the "
		  "value; retype it without" },
		{ 0, "a\tb", "control character U+0009 in the value; expected visible text" },
		{ 0,
		  "a\x01"
		  "b",
		  "control character U+0001 in the value; expected visible text" },
		{ 0, "\"a\nb\"", "the value holds a line break; expected one line" },
		{ 0, "\"a\r\nb\"", "the value holds a line break; expected one line" },
		{ 1, "", "empty; expected the bus (種別: USB or SD)" },
		{ 1, "CD", "expected USB, or SD (SDカード, mmc) for an SD card, found 'CD'" },
		{ 1, "USB HDD",
		  "expected USB, or SD (SDカード, mmc) for an SD card, found "
		  "'USB HDD'" },
		{ 2, "", "empty; expected the vendor id (ベンダID)" },
		{ 2, "07811", "expected four hexadecimal digits (e.g. 0781), found '07811'" },
		{ 2, "0x", "expected four hexadecimal digits (e.g. 0781), found '0x'" },
		{ 2, "g781", "expected four hexadecimal digits (e.g. 0781), found 'g781'" },
		{ 2, "-781", "expected four hexadecimal digits (e.g. 0781), found '-781'" },
		{ 3, "55 83", "expected four hexadecimal digits (e.g. 0781), found '55 83'" },
		{ 3, "0xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  "expected four hexadecimal digits (e.g. 0781), found "
		  "'0xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'" },
		{ 4, "", "empty; expected the serial number (シリアル番号)" },
		{ 4, "1.23457E+11",
		  "'1.23457E+11' is a number as Excel shows a long one, not a "
		  "serial number; format the column as text (文字列) and type the "
		  "serial number again" },
		{ 4, "4E+15",
		  "'4E+15' is a number as Excel shows a long one, not a serial number; "
		  "format the column as text (文字列) and type the serial number "
		  "again" },
		{ 5, "", "empty; expected the section (所属)" },
		{ 5, "\"\"", "empty; expected the section (所属)" },
		{ 6, "", "empty; expected the access mode (書込: rw or ro)" },
		{ 6, "w", "expected rw (可, ○, 許可) or ro (不可, ×, 禁止, 読取専用), found 'w'" },
		{ 6, "readonly",
		  "expected rw (可, ○, 許可) or ro (不可, ×, 禁止, 読取専用), found "
		  "'readonly'" },
		{ 7, "", "empty; expected the expiry date (有効期限)" },
		{ 7, "2027-02-29", "'2027-02-29' is not a day of the calendar" },
		{ 7, "2100/2/29", "'2100/2/29' is not a day of the calendar" },
		{ 7, "2027/4/31", "'2027/4/31' is not a day of the calendar" },
		{ 7, "2027/13/1", "'2027/13/1' is not a day of the calendar" },
		{ 7, "0000-01-01", "'0000-01-01' is not a day of the calendar" },
		{ 7, "令和9年2月29日", "'令和9年2月29日' is not a day of the calendar" },
		{ 7, "R0.5.1", "'R0.5.1' is not a day of the calendar" },
		{ 7, "R1.4.30", "'R1.4.30' is before 令和 began (令和元年5月1日, 2019-05-01)" },
		{ 7, "46477",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '46477'" },
		{ 7, "27/3/31",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '27/3/31'" },
		{ 7, "2027/3-31",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '2027/3-31'" },
		{ 7, "2027/3/31 0:00",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '2027/3/31 0:00'" },
		{ 7, "2027/003/31",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '2027/003/31'" },
		{ 7, "H31.4.30",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found 'H31.4.30'" },
		{ 7, "元年5月1日",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '元年5月1日'" },
		{ 7, "令和9年3月31",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found '令和9年3月31'" },
		{ 7, "R100.3.31",
		  "expected a date such as 2027-03-31, 2027/3/31, 2027年3月31日, "
		  "令和9年3月31日 or R9.3.31, found 'R100.3.31'" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		assert_cell_refused(bads[i].col, bads[i].value, bads[i].msg);
	assert_cell_refused(4, repeat("s", 256), "too long (256 bytes); at most 255");
	assert_cell_refused(5, repeat("課", 342), "too long (1026 bytes); at most 1024");
}

static void test_row_errors(void **state)
{
	(void)state;
	/* every problem of every row, in row order */
	assert_refused(HDR "a,CD,0781,5583,S1,課,可,2027-02-30\r\n" ROW
			   ",USB,0781,5583,,課,可,2027-03-31\r\n",
		       "t.csv:2:2: error: row 2, column B (種別): expected USB, or SD (SDカード, "
		       "mmc) for an SD card, found 'CD'\n"
		       "t.csv:2:8: error: row 2, column H (有効期限): '2027-02-30' is not a day of "
		       "the calendar\n"
		       "t.csv:4:1: error: row 4, column A (登録番号): "
		       "empty; expected the registration number (登録番号)\n"
		       "t.csv:4:5: error: row 4, column E (シリアル番号): "
		       "empty; expected the serial number (シリアル番号)\n");
	/* a row with too few cells lacks the rest */
	assert_refused(HDR "a,USB,0781,5583,S1,課\r\n",
		       "t.csv:2:7: error: row 2, column G (書込): "
		       "empty; expected the access mode (書込: rw or ro)\n"
		       "t.csv:2:8: error: row 2, column H (有効期限): "
		       "empty; expected the expiry date (有効期限)\n");
	/* a value beyond the header, or under an empty header cell */
	assert_refused(HDR "a,USB,0781,5583,S1,課,可,2027-03-31,x\r\n",
		       "t.csv:2:9: error: row 2, column I: a value in a column without a header; "
		       "name the column (a name not listed in docs/ledger-csv.md is ignored) or "
		       "clear the value\n");
	assert_refused("登録番号,,種別,ID,シリアル番号,所属,書込,有効期限\n"
		       "a,x,USB,0781:5583,S1,課,可,2027-03-31\n",
		       "t.csv:2:2: error: row 2, column B: a value in a column without a header; "
		       "name the column (a name not listed in docs/ledger-csv.md is ignored) or "
		       "clear the value\n");
	/* a row that only has something in an ignored column is not empty */
	assert_refused(
		"登録番号,種別,ID,シリアル番号,所属,書込,有効期限,備考\n"
		",,,,,,,返却済み\n",
		"t.csv:2:1: error: row 2, column A (登録番号): "
		"empty; expected the registration number (登録番号)\n"
		"t.csv:2:2: error: row 2, column B (種別): empty; expected the bus (種別: USB or SD)\n"
		"t.csv:2:3: error: row 2, column C (ID): empty; expected the device id (VID:PID)\n"
		"t.csv:2:4: error: row 2, column D (シリアル番号): "
		"empty; expected the serial number (シリアル番号)\n"
		"t.csv:2:5: error: row 2, column E (所属): empty; expected the section (所属)\n"
		"t.csv:2:6: error: row 2, column F (書込): "
		"empty; expected the access mode (書込: rw or ro)\n"
		"t.csv:2:7: error: row 2, column G (有効期限): "
		"empty; expected the expiry date (有効期限)\n");
}

static void test_duplicates(void **state)
{
	(void)state;
	assert_refused(HDR ROW "税務-2026-007,USB,0781,5583,X,税務課,可,2027-03-31\r\n" ROW,
		       "t.csv:4:1: error: row 4, column A (登録番号): registration number "
		       "'総務-2026-001' is already in row 2\n");
	assert_refused(HDR ROW "税務-2026-007,usb,781,0x5583,4C530001234,税務課,不可,R9.3.31\r\n",
		       "t.csv:3:5: error: row 3, column E (シリアル番号): device usb 0781:5583 "
		       "serial '4C530001234' is already registered as '総務-2026-001' in row 2\n");
	/* the same serial on another bus or id is another device */
	convert_ok(HDR ROW "税務-2026-007,SD,0781,5583,4C530001234,税務課,可,2027-03-31\r\n"
			   "税務-2026-008,USB,0781,5584,4C530001234,税務課,可,2027-03-31\r\n");
	assert_int_equal(load()->nmedia, 3);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_refused(HDR "\"総務-2026-001\"x,USB,0781,5583,S,課,可,2027-03-31\r\n",
		       "t.csv:2:1: error: row 2, column A (登録番号): text after the closing "
		       "quote; a quote inside a quoted value is written twice (\"\")\n");
	assert_refused(HDR ROW "a,USB,0781,5583,\"S,課,可,2027-03-31\r\n" ROW,
		       "t.csv:3:5: error: row 3, column E (シリアル番号): a quoted value is not "
		       "closed; expected '\"' before the end of the file\n");
	assert_refused("登録番号,種別,ID,シリアル番号,所属,書込,有効期限\r"
		       "a,USB,0781:5583,S,課,可,2027-03-31\r",
		       "t.csv:1:7: error: row 1 ends with a carriage return alone (a \"CSV "
		       "(Macintosh)\" file?); expected CRLF or LF line ends\n");
}

static void test_file_errors(void **state)
{
	size_t big = DLP_LEDGER_CSV_MAX_SIZE + 1;
	char *csv = keep(malloc(big));

	(void)state;
	assert_refused("", "t.csv:1:1: error: the file is empty; expected a header row naming the "
			   "columns, then one row per ledger entry\n");
	assert_refused("\xef\xbb\xbf", "t.csv:1:1: error: the file is empty; expected a header "
				       "row naming the columns, then one row per ledger entry\n");
	assert_refused(HDR, "t.csv:2:1: error: no ledger entries below the header row; expected "
			    "one row per registered medium\n");
	assert_refused(HDR ",,,,,,,\r\n", "t.csv:2:1: error: no ledger entries below the header "
					  "row; expected one row per registered medium\n");
	assert_refused("\xff\xfe\x7b\x76",
		       "t.csv:1:1: error: the file is UTF-16 (Excel's "
		       "\"Unicode テキスト\"); expected CSV: save it as "
		       "\"CSV UTF-8 (コンマ区切り)\" or \"CSV (コンマ区切り)\"\n");
	/* 0x80 is neither UTF-8 nor CP932 */
	assert_refused(
		"regno,bus,id,serial,section,access,until\n"
		"a,usb,0781:5583,S,x,rw,2027-03-31\n"
		"b,usb,0781:5584,\x80,x,rw,2027-03-31\n",
		"t.csv:3:1: error: the file is neither UTF-8 (byte 0x80 on line 3 is not) "
		"nor CP932 (Shift_JIS; byte 0x80 on line 3 is not); expected a CSV file "
		"saved by Excel as \"CSV UTF-8 (コンマ区切り)\" or \"CSV (コンマ区切り)\"\n");
	/* UTF-8 text with one CP932 character is damaged UTF-8, not CP932 */
	assert_refused(HDR "a,USB,0781,5583,S,\x89\xdb,可,2027-03-31\r\n",
		       "t.csv:2:1: error: invalid UTF-8 (byte 0x89) in a file that is UTF-8 before "
		       "it; expected UTF-8 throughout (is the file damaged?)\n");
	/* ASCII, then CP932: CP932 */
	convert_ok("regno,bus,id,serial,section,access,until\n"
		   "a,usb,0781:5583,S,\x91\x8d\x96\xb1\x89\xdb,rw,2027-03-31\n");
	assert_string_equal(load()->media[0].section, "総務課");
	/* a byte-order mark says UTF-8: no second guess */
	assert_refused("\xef\xbb\xbf" HDR "a,USB,0781,5583,S,\x89\xdb,可,2027-03-31\r\n",
		       "t.csv:2:1: error: invalid UTF-8 (byte 0x89) in a file that starts with a "
		       "UTF-8 byte-order mark; expected UTF-8 throughout\n");

	memset(csv, ',', big);
	assert_string_equal(convert_n(csv, big), "t.csv:1:1: error: file too large (4194305 "
						 "bytes); a ledger file has at most 4194304\n");
	assert_int_equal(conv_ret, -EFBIG);
	assert_string_equal(convert_n(csv, 20000), "t.csv:1:1: error: row 1 has more than 16384 "
						   "columns\n");
	assert_int_equal(conv_ret, -E2BIG);
}

static void test_comment_name(void **state)
{
	struct dlp_diag diag;
	unsigned int n;
	char *out;

	(void)state;
	dlp_diag_init(&diag, "x", NULL);
	assert_int_equal(dlp_ledger_csv_convert(HDR ROW, strlen(HDR ROW), "台帳\n\x01\xff.csv",
						&diag, &out, &n),
			 0);
	assert_string_equal(out, "# media ledger from 台帳???.csv, 1 entry\n" MEDIA_ROW);
	free(out);
	text = NULL;
	assert_int_equal(dlp_ledger_csv_convert(HDR ROW, strlen(HDR ROW), repeat("あ", 200), &diag,
						&text, &nentries),
			 0);
	assert_non_null(strstr(text, "あ…, 1 entry\n"));
	load();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_basic),
		T(test_line_ends_and_bom),
		T(test_cp932),
		T(test_headers),
		T(test_ignored_columns),
		T(test_tab_separated),
		T(test_empty_rows),
		T(test_quoting),
		T(test_bus),
		T(test_ids),
		T(test_access),
		T(test_dates),
		T(test_limits_accepted),
		T(test_many_rows),
		T(test_documented_example),
		T(test_missing_columns),
		T(test_header_conflicts),
		T(test_bad_cells),
		T(test_row_errors),
		T(test_duplicates),
		T(test_syntax_errors),
		T(test_file_errors),
		T(test_comment_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
