// SPDX-License-Identifier: GPL-2.0
/*
 * The media ledger from a spreadsheet: CSV as Excel saves it (UTF-8 with or
 * without a byte-order mark, or CP932), a header row naming the columns in
 * Japanese or English, one ledger entry per row.  Every value is checked
 * against docs/policy.md §2.5 here, so that an error names the spreadsheet
 * row and column the administrator has to fix rather than a line of the
 * converted text.  The accepted format is in docs/ledger-csv.md.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_csv.h"
#include "ledger_edit.h"
#include "lexer.h"
#include "policy.h"
#include "utf8.h"

#define MAX_REGNO      64	    /* as the parser: registration numbers */
#define MAX_SERIAL     255	    /* as the parser: serial numbers */
#define MAX_SECTION    DLP_MAX_WORD /* the longest word a policy holds */
#define MAX_COLUMNS    16384	    /* Excel's last column, XFD */
#define MAX_FOLDED     64	    /* bytes of a folded header or short value */
#define MAX_SHOWN      48	    /* bytes of a wrong value quoted in a message */
#define MAX_NAME_SHOWN 256	    /* bytes of the file name in the comment line */

#define IDEOGRAPHIC_SPACE "\xe3\x80\x80"

/* The columns the converter reads; any other column is ignored. */
enum col_kind {
	C_REGNO,
	C_BUS,
	C_VENDOR,
	C_PRODUCT,
	C_ID,
	C_SERIAL,
	C_SECTION,
	C_ACCESS,
	C_UNTIL,
	C_COUNT,
};

/*
 * Header names of each column, matched after folding (see fold()) and with
 * every space removed, so "Vendor ID", "vendorid" and "ＶＥＮＤＯＲ　ＩＤ" are
 * the same.  The first name is the one messages suggest first.
 */
static const char *const header_names[C_COUNT][8] = {
	[C_REGNO] = { "登録番号", "管理番号", "regno", "registration number", NULL },
	[C_BUS] = { "種別", "接続", "接続方式", "bus", NULL },
	[C_VENDOR] = { "ベンダID", "ベンダーID", "vendor", "vendor id", "VID", NULL },
	[C_PRODUCT] = { "プロダクトID", "製品ID", "product", "product id", "PID", NULL },
	[C_ID] = { "ID", "VID:PID", NULL },
	[C_SERIAL] = { "シリアル番号", "シリアル", "serial", "serial number", NULL },
	[C_SECTION] = { "所属", "所属課", "部署", "section", NULL },
	[C_ACCESS] = { "書込", "書き込み", "書込み", "書込可否", "access", NULL },
	[C_UNTIL] = { "有効期限", "使用期限", "期限", "until", "expires", NULL },
};

/* What each column holds, for "no column for ..." and "empty; ... needs ...". */
static const char *const col_what[C_COUNT] = {
	[C_REGNO] = "registration number (登録番号)",
	[C_BUS] = "bus (種別: USB or SD)",
	[C_VENDOR] = "vendor id (ベンダID)",
	[C_PRODUCT] = "product id (プロダクトID)",
	[C_ID] = "device id (VID:PID)",
	[C_SERIAL] = "serial number (シリアル番号)",
	[C_SECTION] = "section (所属)",
	[C_ACCESS] = "access mode (書込: rw or ro)",
	[C_UNTIL] = "expiry date (有効期限)",
};

/* Registration numbers the parser refuses, quoted or not. */
static const char *const reserved_regnos[] = {
	"any", "registered", "unregistered", "by", "if", NULL,
};

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

/* One value of a row, unquoted and trimmed: rec->text + off, NUL-terminated. */
struct cell {
	size_t off;
	size_t len;
	bool multiline; /* held a line break inside quotes */
};

/* One row of the spreadsheet. */
struct record {
	unsigned int row;
	bool bad; /* a syntax error was reported */
	struct cell *cells;
	unsigned int ncells;
	unsigned int cap;
	struct buf text;
};

/* One converted row. */
struct entry {
	char *regno;
	char *serial;
	char *section;
	enum dlp_bus bus;
	uint16_t vendor;
	uint16_t product;
	bool writable;
	struct dlp_date until;
	unsigned int row;
};

struct conv {
	struct dlp_diag *diag;
	const char *p; /* next unread byte of the UTF-8 text */
	const char *end;
	char sep;		  /* ',' or '\t' */
	const struct record *hdr; /* NULL while the header row is read */
	int col[C_COUNT];	  /* cell index of each column; -1: none */
	struct entry *entries;
	unsigned int nentries;
	unsigned int cap;
};

/* ---- text ----------------------------------------------------------- */

static int buf_add(struct buf *b, const char *s, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->len + n + 1 > b->cap) {
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

__attribute__((format(printf, 2, 3))) static int buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[256];
	char *big = NULL;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, n);
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	ret = buf_add(b, big, n);
	free(big);
	return ret;
}

static bool starts(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strlen(s) >= n && !memcmp(s, prefix, n);
}

/* Bytes of a space (ASCII space, tab, ideographic space) at @s, or 0. */
static size_t space_at(const char *s, size_t n)
{
	if (n && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 3 && !memcmp(s, IDEOGRAPHIC_SPACE, 3))
		return 3;
	return 0;
}

/*
 * What a Japanese input method or a careless hand leaves in a short value or
 * a header: full-width ASCII (Ｒ９．３．３１, ＩＤ) becomes ASCII and upper
 * case lower.  With @drop_spaces, spaces anywhere are removed.  False if the
 * result does not fit @len bytes.
 */
static bool fold(const char *s, bool drop_spaces, char *out, size_t len)
{
	size_t i = 0, o = 0, n = strlen(s), sp;
	uint32_t cp;
	int clen;

	while (i < n) {
		sp = space_at(s + i, n - i);
		if (drop_spaces && sp) {
			i += sp;
			continue;
		}
		clen = dlp_utf8_decode(s + i, n - i, &cp);
		if (!clen || o + 4 >= len)
			return false;
		if (cp >= 0xff01 && cp <= 0xff5e)
			cp = cp - 0xff01 + 0x21;
		if (cp >= 'A' && cp <= 'Z')
			cp = cp - 'A' + 'a';
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else {
			memcpy(out + o, s + i, clen);
			o += clen;
		}
		i += clen;
	}
	out[o] = '\0';
	return true;
}

/* @s cut to at most MAX_SHOWN bytes on a character boundary, "…" added if cut. */
static const char *shown(const char *s, char out[MAX_SHOWN + 4])
{
	size_t n = strlen(s), i = 0;
	uint32_t cp;
	int clen;

	if (n <= MAX_SHOWN)
		return s;
	while (i < n) {
		clen = dlp_utf8_decode(s + i, n - i, &cp);
		if (!clen || i + clen > MAX_SHOWN)
			break;
		i += clen;
	}
	memcpy(out, s, i);
	memcpy(out + i, "\xe2\x80\xa6", 4);
	return out;
}

/* Characters that look like nothing, or like a space, in a cell (as the lexer's). */
static const char *invisible_name(uint32_t cp)
{
	switch (cp) {
	case 0x00a0:
		return "no-break space";
	case 0x00ad:
		return "soft hyphen";
	case 0x200b:
		return "zero-width space";
	case 0x200c:
		return "zero-width non-joiner";
	case 0x200d:
		return "zero-width joiner";
	case 0x2060:
		return "word joiner";
	case 0xfeff:
		return "byte-order mark";
	default:
		return NULL;
	}
}

/* ---- messages ------------------------------------------------------- */

/* "A", "B", ..., "Z", "AA", ...: how a spreadsheet names column @idx (from 0). */
static void col_letters(unsigned int idx, char out[8])
{
	char tmp[8];
	int n = 0, i;

	idx++;
	while (idx && n < 7) {
		idx--;
		tmp[n++] = (char)('A' + idx % 26);
		idx /= 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static const char *header_text(const struct conv *cv, unsigned int idx)
{
	const struct record *hdr = cv->hdr;

	if (!hdr || idx >= hdr->ncells || !hdr->cells[idx].len)
		return NULL;
	return hdr->text.p + hdr->cells[idx].off;
}

/* An error about one cell: "row 5, column E (シリアル番号): ...". */
__attribute__((format(printf, 4, 5))) static void cell_error(struct conv *cv, unsigned int row,
							     unsigned int idx, const char *fmt, ...)
{
	const char *header = header_text(cv, idx);
	char letters[8];
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	col_letters(idx, letters);
	if (header)
		dlp_error(cv->diag, row, idx + 1, "row %u, column %s (%s): %s", row, letters,
			  header, msg ? msg : "out of memory");
	else
		dlp_error(cv->diag, row, idx + 1, "row %u, column %s: %s", row, letters,
			  msg ? msg : "out of memory");
	free(msg);
}

/* "'a', 'b' or 'c'": the header names of @kind. */
static void list_headers(enum col_kind kind, char *out, size_t len)
{
	const char *const *names = header_names[kind];
	size_t used = 0;
	int i, n = 0;

	while (names[n])
		n++;
	out[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(out + used, len - used, "%s'%s'",
				 i == 0	    ? "" :
				 i == n - 1 ? " or " :
					      ", ",
				 names[i]);
}

/* ---- encoding ------------------------------------------------------- */

/* Offset of the first byte that is not strict UTF-8, or @n. */
static size_t utf8_bad_offset(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int clen;

	while (i < n) {
		clen = dlp_utf8_decode(s + i, n - i, &cp);
		if (!clen)
			return i;
		i += clen;
	}
	return n;
}

static unsigned int line_at(const char *s, size_t off)
{
	unsigned int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

static int from_cp932(const char *s, size_t n, char **ret_text, size_t *ret_len, size_t *ret_bad)
{
	size_t inleft = n, outleft = 3 * n + 1, done;
	char *in = (char *)s, *out, *text;
	iconv_t cd;
	int ret = 0;

	/* CP932 takes at most 3 bytes of UTF-8 per byte (半角カナ: 1 byte, 3 in UTF-8). */
	text = malloc(outleft);
	if (!text)
		return -ENOMEM;
	cd = iconv_open("UTF-8", "CP932");
	if (cd == (iconv_t)-1) {
		ret = -errno;
		goto out_free;
	}
	out = text;
	done = iconv(cd, &in, &inleft, &out, &outleft);
	if (done == (size_t)-1) {
		ret = errno == E2BIG ? -EOVERFLOW : -EILSEQ;
		*ret_bad = in - s;
		goto out_close;
	}
	*out = '\0';
	iconv_close(cd);
	*ret_text = text;
	*ret_len = out - text;
	return 0;
out_close:
	iconv_close(cd);
out_free:
	free(text);
	return ret;
}

/* Whether the first @n bytes, valid UTF-8, hold a character outside ASCII. */
static bool has_non_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] & 0x80)
			return true;
	return false;
}

/*
 * The file as UTF-8 text without a byte-order mark: as it is when it is
 * UTF-8, converted when it is not but is CP932 (what Excel saves as
 * "CSV (コンマ区切り)" on Japanese Windows).  A file that is UTF-8 up to a
 * bad byte, Japanese included, is damaged UTF-8: read as CP932, it would
 * turn into plausible nonsense rather than an error.
 */
static int to_utf8(struct conv *cv, const char *s, size_t n, char **ret_text, size_t *ret_len)
{
	size_t bad, bad932 = 0;
	char *text;
	int ret;

	if (n >= 2 && ((s[0] == '\xff' && s[1] == '\xfe') || (s[0] == '\xfe' && s[1] == '\xff'))) {
		dlp_error(
			cv->diag, 1, 1,
			"the file is UTF-16 (Excel's \"Unicode テキスト\"); expected CSV: save it "
			"as \"CSV UTF-8 (コンマ区切り)\" or \"CSV (コンマ区切り)\"");
		return -EINVAL;
	}
	if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		n -= 3;
		bad = utf8_bad_offset(s, n);
		if (bad < n) {
			dlp_error(cv->diag, line_at(s, bad), 1,
				  "invalid UTF-8 (byte 0x%02x) in a file that starts with a UTF-8 "
				  "byte-order mark; expected UTF-8 throughout",
				  (unsigned char)s[bad]);
			return -EINVAL;
		}
	} else {
		bad = utf8_bad_offset(s, n);
		if (bad < n && has_non_ascii(s, bad)) {
			dlp_error(cv->diag, line_at(s, bad), 1,
				  "invalid UTF-8 (byte 0x%02x) in a file that is UTF-8 before it; "
				  "expected UTF-8 throughout (is the file damaged?)",
				  (unsigned char)s[bad]);
			return -EINVAL;
		}
	}
	if (bad == n) {
		text = malloc(n + 1);
		if (!text)
			return -ENOMEM;
		memcpy(text, s, n);
		text[n] = '\0';
		*ret_text = text;
		*ret_len = n;
		return 0;
	}
	ret = from_cp932(s, n, ret_text, ret_len, &bad932);
	if (ret == -EILSEQ) {
		dlp_error(cv->diag, line_at(s, bad), 1,
			  "the file is neither UTF-8 (byte 0x%02x on line %u is not) nor CP932 "
			  "(Shift_JIS; byte 0x%02x on line %u is not); expected a CSV file saved "
			  "by Excel as \"CSV UTF-8 (コンマ区切り)\" or \"CSV (コンマ区切り)\"",
			  (unsigned char)s[bad], line_at(s, bad), (unsigned char)s[bad932],
			  line_at(s, bad932));
		return -EINVAL;
	}
	if (ret && ret != -ENOMEM)
		dlp_error(cv->diag, 1, 1, "cannot convert the file from CP932: %s", strerror(-ret));
	return ret;
}

/* ---- rows ----------------------------------------------------------- */

static int new_cell(struct conv *cv, struct record *rec)
{
	struct cell *cells;
	unsigned int cap;

	if (rec->ncells == MAX_COLUMNS) {
		dlp_error(cv->diag, rec->row, 1, "row %u has more than %d columns", rec->row,
			  MAX_COLUMNS);
		return -E2BIG;
	}
	if (rec->ncells == rec->cap) {
		cap = rec->cap ? rec->cap * 2 : 16;
		cells = realloc(rec->cells, cap * sizeof(*cells));
		if (!cells)
			return -ENOMEM;
		rec->cells = cells;
		rec->cap = cap;
	}
	rec->cells[rec->ncells++] = (struct cell){ .off = rec->text.len };
	return 0;
}

/* Close the last cell: NUL-terminate it and trim spaces around it. */
static int end_cell(struct record *rec)
{
	struct cell *c = &rec->cells[rec->ncells - 1];
	char *s;
	size_t sp;
	int ret;

	c->len = rec->text.len - c->off;
	ret = buf_add(&rec->text, "", 1);
	if (ret)
		return ret;
	s = rec->text.p + c->off;
	while ((sp = space_at(s, c->len))) {
		s += sp;
		c->off += sp;
		c->len -= sp;
	}
	while (c->len) {
		if (s[c->len - 1] == ' ' || s[c->len - 1] == '\t')
			c->len--;
		else if (c->len >= 3 && !memcmp(s + c->len - 3, IDEOGRAPHIC_SPACE, 3))
			c->len -= 3;
		else
			break;
	}
	s[c->len] = '\0';
	return 0;
}

/* A quoted value (RFC 4180), from its opening quote to just past its closing one. */
static int read_quoted(struct conv *cv, struct record *rec, const char **pp)
{
	struct cell *c = &rec->cells[rec->ncells - 1];
	const char *p = *pp + 1, *end = cv->end, *run;
	int ret;

	for (;;) {
		run = p;
		while (p < end && *p != '"')
			p++;
		if (memchr(run, '\n', p - run) || memchr(run, '\r', p - run))
			c->multiline = true;
		ret = buf_add(&rec->text, run, p - run);
		if (ret)
			return ret;
		if (p == end) {
			cell_error(cv, rec->row, rec->ncells - 1,
				   "a quoted value is not closed; expected '\"' before the end of "
				   "the file");
			return -EINVAL;
		}
		if (p + 1 < end && p[1] == '"') {
			ret = buf_add(&rec->text, "\"", 1);
			if (ret)
				return ret;
			p += 2;
			continue;
		}
		*pp = p + 1;
		return 0;
	}
}

/*
 * The next row, its cells unquoted and trimmed.  A syntax error that leaves
 * the rest of the row readable marks it bad; one that does not ends the file.
 *
 * Return: 1 when @rec holds a row, 0 at the end of the text, -errno on a
 * fatal error (reported).
 */
static int read_record(struct conv *cv, struct record *rec, unsigned int row)
{
	const char *p = cv->p, *end = cv->end, *s;
	size_t sp;
	int ret;

	rec->row = row;
	rec->bad = false;
	rec->ncells = 0;
	rec->text.len = 0;
	if (p == end)
		return 0;
	for (;;) {
		ret = new_cell(cv, rec);
		if (ret)
			return ret;
		if (p < end && *p == '"') {
			ret = read_quoted(cv, rec, &p);
			if (ret)
				return ret;
			while ((sp = space_at(p, end - p)) && p[0] != cv->sep)
				p += sp;
			if (p < end && *p != cv->sep && *p != '\n' && *p != '\r') {
				cell_error(cv, row, rec->ncells - 1,
					   "text after the closing quote; a quote inside a quoted "
					   "value is written twice (\"\")");
				rec->bad = true;
				while (p < end && *p != cv->sep && *p != '\n' && *p != '\r')
					p++;
			}
		} else {
			s = p;
			while (p < end && *p != cv->sep && *p != '\n' && *p != '\r')
				p++;
			ret = buf_add(&rec->text, s, p - s);
			if (ret)
				return ret;
		}
		ret = end_cell(rec);
		if (ret)
			return ret;
		if (p == end)
			break;
		if (*p == cv->sep) {
			p++;
			continue;
		}
		if (*p == '\r') {
			if (p + 1 == end || p[1] != '\n') {
				dlp_error(cv->diag, row, rec->ncells,
					  "row %u ends with a carriage return alone (a \"CSV "
					  "(Macintosh)\" file?); expected CRLF or LF line ends",
					  row);
				return -EINVAL;
			}
			p++;
		}
		p++;
		break;
	}
	cv->p = p;
	return 1;
}

static bool record_blank(const struct record *rec)
{
	unsigned int i;

	for (i = 0; i < rec->ncells; i++)
		if (rec->cells[i].len)
			return false;
	return true;
}

/* ---- the header ----------------------------------------------------- */

static bool header_is(const char *cell, enum col_kind kind)
{
	char a[MAX_FOLDED], b[MAX_FOLDED];
	int i;

	if (!fold(cell, true, a, sizeof(a)))
		return false;
	for (i = 0; header_names[kind][i]; i++)
		if (fold(header_names[kind][i], true, b, sizeof(b)) && !strcmp(a, b))
			return true;
	return false;
}

static void missing_column(struct conv *cv, enum col_kind kind)
{
	char list[256];

	list_headers(kind, list, sizeof(list));
	dlp_error(cv->diag, 1, 1, "row 1: no column for the %s; expected a header named %s",
		  col_what[kind], list);
}

/* Find each column the converter reads; every one must be there, once. */
static int map_header(struct conv *cv, const struct record *hdr)
{
	static const enum col_kind required[] = { C_REGNO,   C_BUS,    C_SERIAL,
						  C_SECTION, C_ACCESS, C_UNTIL };
	unsigned int before = cv->diag->errors, i;
	char letters[8], list_id[64], list_v[256], list_p[256];
	const char *text;
	int kind;

	for (kind = 0; kind < C_COUNT; kind++)
		cv->col[kind] = -1;
	cv->hdr = hdr;
	for (i = 0; i < hdr->ncells; i++) {
		text = header_text(cv, i);
		if (!text || hdr->cells[i].multiline)
			continue;
		for (kind = 0; kind < C_COUNT; kind++)
			if (header_is(text, kind))
				break;
		if (kind == C_COUNT)
			continue;
		if (cv->col[kind] >= 0) {
			col_letters(cv->col[kind], letters);
			cell_error(cv, 1, i,
				   "a second column for the %s; column %s (%s) is one "
				   "already",
				   col_what[kind], letters, header_text(cv, cv->col[kind]));
			continue;
		}
		cv->col[kind] = i;
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (cv->col[required[i]] < 0)
			missing_column(cv, required[i]);
	if (cv->col[C_ID] >= 0) {
		kind = cv->col[C_VENDOR] >= 0 ? C_VENDOR : C_PRODUCT;
		if (cv->col[kind] >= 0) {
			col_letters(cv->col[C_ID], letters);
			cell_error(cv, 1, cv->col[kind],
				   "column %s (%s) holds the device id "
				   "already; keep either one VID:PID column or separate vendor "
				   "and product columns",
				   letters, header_text(cv, cv->col[C_ID]));
		}
	} else if (cv->col[C_VENDOR] < 0 && cv->col[C_PRODUCT] < 0) {
		list_headers(C_ID, list_id, sizeof(list_id));
		list_headers(C_VENDOR, list_v, sizeof(list_v));
		list_headers(C_PRODUCT, list_p, sizeof(list_p));
		dlp_error(cv->diag, 1, 1,
			  "row 1: no column for the device id; expected a header "
			  "named %s (VENDOR:PRODUCT), or two columns: %s and %s",
			  list_id, list_v, list_p);
	} else if (cv->col[C_VENDOR] < 0) {
		missing_column(cv, C_VENDOR);
	} else if (cv->col[C_PRODUCT] < 0) {
		missing_column(cv, C_PRODUCT);
	}
	return cv->diag->errors == before ? 0 : -EINVAL;
}

/* ---- values --------------------------------------------------------- */

/*
 * The value of column @kind in @rec, checked to be one line of visible text
 * of at most @max bytes; errors are reported.
 */
static int text_value(struct conv *cv, const struct record *rec, enum col_kind kind, size_t max,
		      const char **ret)
{
	unsigned int idx = cv->col[kind];
	const struct cell *c = idx < rec->ncells ? &rec->cells[idx] : NULL;
	const char *s = c ? rec->text.p + c->off : "";
	size_t n = c ? c->len : 0, i = 0;
	uint32_t cp;
	int clen;

	if (!n) {
		cell_error(cv, rec->row, idx, "empty; expected the %s", col_what[kind]);
		return -EINVAL;
	}
	if (c->multiline) {
		cell_error(cv, rec->row, idx, "the value holds a line break; expected one line");
		return -EINVAL;
	}
	while (i < n) {
		clen = dlp_utf8_decode(s + i, n - i, &cp);
		if (!clen)
			cp = (unsigned char)s[i];
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			cell_error(cv, rec->row, idx,
				   "control character U+%04X in the value; "
				   "expected visible text",
				   (unsigned int)cp);
			return -EINVAL;
		}
		if (invisible_name(cp)) {
			cell_error(cv, rec->row, idx,
				   "invisible character U+%04X (%s) in the "
				   "value; retype it without",
				   (unsigned int)cp, invisible_name(cp));
			return -EINVAL;
		}
		i += clen ? clen : 1;
	}
	if (n > max) {
		cell_error(cv, rec->row, idx, "too long (%zu bytes); at most %zu", n, max);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

/* A short value (bus, id, access, date), folded; *ret_raw is the value as written. */
static int short_value(struct conv *cv, const struct record *rec, enum col_kind kind,
		       char folded[MAX_FOLDED], const char **ret_raw)
{
	int ret = text_value(cv, rec, kind, SIZE_MAX, ret_raw);

	if (ret)
		return ret;
	if (!fold(*ret_raw, false, folded, MAX_FOLDED))
		folded[0] = '\0';
	return 0;
}

static int lookup(const char *folded, const char *const names[])
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(folded, names[i]))
			return i;
	return -1;
}

static int read_bus(struct conv *cv, const struct record *rec, enum dlp_bus *ret)
{
	static const char *const usb[] = { "usb", "usbメモリ", NULL };
	static const char *const mmc[] = { "mmc", "sd", "sdカード", NULL };
	char f[MAX_FOLDED], cut[MAX_SHOWN + 4];
	const char *raw;

	if (short_value(cv, rec, C_BUS, f, &raw))
		return -EINVAL;
	if (lookup(f, usb) >= 0) {
		*ret = DLP_BUS_USB;
		return 0;
	}
	if (lookup(f, mmc) >= 0) {
		*ret = DLP_BUS_MMC;
		return 0;
	}
	cell_error(cv, rec->row, cv->col[C_BUS],
		   "expected USB, or SD (SDカード, mmc) for an SD "
		   "card, found '%s'",
		   shown(raw, cut));
	return -EINVAL;
}

/* One to four hexadecimal digits, "0x" allowed: "781" is what Excel makes of 0781. */
static bool parse_hex(const char *s, size_t n, uint16_t *ret)
{
	unsigned int v = 0;
	size_t i;

	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		s += 2;
		n -= 2;
	}
	if (n < 1 || n > 4)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			v = v * 16 + (s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			v = v * 16 + (s[i] - 'a' + 10);
		else
			return false;
	}
	*ret = v;
	return true;
}

static int read_hex(struct conv *cv, const struct record *rec, enum col_kind kind, uint16_t *ret)
{
	char f[MAX_FOLDED], cut[MAX_SHOWN + 4];
	const char *raw;

	if (short_value(cv, rec, kind, f, &raw))
		return -EINVAL;
	if (parse_hex(f, strlen(f), ret))
		return 0;
	cell_error(cv, rec->row, cv->col[kind],
		   "expected four hexadecimal digits (e.g. 0781), "
		   "found '%s'",
		   shown(raw, cut));
	return -EINVAL;
}

static int read_id(struct conv *cv, const struct record *rec, uint16_t *ret_vendor,
		   uint16_t *ret_product)
{
	char f[MAX_FOLDED], cut[MAX_SHOWN + 4];
	const char *raw, *colon;

	if (short_value(cv, rec, C_ID, f, &raw))
		return -EINVAL;
	colon = strchr(f, ':');
	if (colon && parse_hex(f, colon - f, ret_vendor) &&
	    parse_hex(colon + 1, strlen(colon + 1), ret_product))
		return 0;
	cell_error(cv, rec->row, cv->col[C_ID],
		   "expected VENDOR:PRODUCT as four hexadecimal "
		   "digits each (e.g. 0781:5583), found '%s'",
		   shown(raw, cut));
	return -EINVAL;
}

static int read_access(struct conv *cv, const struct record *rec, bool *ret)
{
	static const char *const rw[] = { "rw", "可", "○", "〇", "◯", "許可", "書込可", NULL };
	static const char *const ro[] = { "ro",	      "不可",	      "×",	  "✕", "禁止",
					  "読取専用", "読み取り専用", "書込不可", NULL };
	char f[MAX_FOLDED], cut[MAX_SHOWN + 4];
	const char *raw;

	if (short_value(cv, rec, C_ACCESS, f, &raw))
		return -EINVAL;
	if (lookup(f, rw) >= 0) {
		*ret = true;
		return 0;
	}
	if (lookup(f, ro) >= 0) {
		*ret = false;
		return 0;
	}
	cell_error(cv, rec->row, cv->col[C_ACCESS],
		   "expected rw (可, ○, 許可) or ro (不可, ×, "
		   "禁止, 読取専用), found '%s'",
		   shown(raw, cut));
	return -EINVAL;
}

/* One to @max decimal digits at *@pp. */
static bool digits(const char **pp, unsigned int max, unsigned int *ret, unsigned int *ret_n)
{
	const char *p = *pp;
	unsigned int v = 0, n = 0;

	while (*p >= '0' && *p <= '9') {
		if (++n > max)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	if (!n)
		return false;
	*pp = p;
	*ret = v;
	if (ret_n)
		*ret_n = n;
	return true;
}

static bool date_exists(unsigned int y, unsigned int m, unsigned int d)
{
	static const uint8_t mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] &&
	       !(m == 2 && d == 29 && !leap);
}

/*
 * 2027-03-31, 2027/3/31, 2027.3.31, 2027年3月31日, 令和9年3月31日, 令和元年...,
 * R9.3.31, R9/3/31, R9-3-31 (令和 1 is 2019), folded.
 *
 * Return: 0, -EINVAL when not a date, -ERANGE when no such day, -EDOM when a
 * 令和 date falls before 令和 began.
 */
static int parse_date(const char *s, struct dlp_date *ret)
{
	unsigned int y, m, d, n;
	bool era = false;
	const char *p = s;
	char sep;

	if (starts(p, "令和")) {
		era = true;
		p += strlen("令和");
	} else if (*p == 'r') {
		era = true;
		p++;
	}
	if (era && starts(p, "元年")) {
		y = 1;
		p += strlen("元");
	} else if (!digits(&p, era ? 2 : 4, &y, &n) || (!era && n != 4)) {
		return -EINVAL;
	}
	if (starts(p, "年")) {
		p += strlen("年");
		if (!digits(&p, 2, &m, NULL) || !starts(p, "月"))
			return -EINVAL;
		p += strlen("月");
		if (!digits(&p, 2, &d, NULL) || !starts(p, "日"))
			return -EINVAL;
		p += strlen("日");
	} else {
		sep = *p;
		if (sep != '-' && sep != '/' && sep != '.')
			return -EINVAL;
		p++;
		if (!digits(&p, 2, &m, NULL) || *p != sep)
			return -EINVAL;
		p++;
		if (!digits(&p, 2, &d, NULL))
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	if (era) {
		if (y == 0)
			return -ERANGE;
		y += 2018;
	}
	if (!date_exists(y, m, d))
		return -ERANGE;
	if (era && y * 10000 + m * 100 + d < 20190501)
		return -EDOM;
	*ret = (struct dlp_date){ y, m, d };
	return 0;
}

static int read_until(struct conv *cv, const struct record *rec, struct dlp_date *ret)
{
	char f[MAX_FOLDED], cut[MAX_SHOWN + 4];
	unsigned int idx = cv->col[C_UNTIL];
	const char *raw;
	int err;

	if (short_value(cv, rec, C_UNTIL, f, &raw))
		return -EINVAL;
	err = parse_date(f, ret);
	if (err == -ERANGE)
		cell_error(cv, rec->row, idx, "'%s' is not a day of the calendar", shown(raw, cut));
	else if (err == -EDOM)
		cell_error(cv, rec->row, idx,
			   "'%s' is before 令和 began (令和元年5月1日, "
			   "2019-05-01)",
			   shown(raw, cut));
	else if (err)
		cell_error(cv, rec->row, idx,
			   "expected a date such as 2027-03-31, 2027/3/31, "
			   "2027年3月31日, 令和9年3月31日 or R9.3.31, found '%s'",
			   shown(raw, cut));
	return err ? -EINVAL : 0;
}

/* "1.23457E+11": what Excel shows, and saves, for a long serial number typed as a number. */
static bool excel_number(const char *s)
{
	if (*s < '0' || *s > '9')
		return false;
	s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if ((*s != 'E' && *s != 'e') || s[1] != '+')
		return false;
	s += 2;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return !*s;
}

static bool is_reserved_regno(const char *s)
{
	return lookup(s, reserved_regnos) >= 0;
}

static bool same_device(const struct entry *a, const struct entry *b)
{
	return a->bus == b->bus && a->vendor == b->vendor && a->product == b->product &&
	       !strcmp(a->serial, b->serial);
}

/* A registration number or a device already in an earlier row is an error. */
static int check_unique(struct conv *cv, const struct entry *e)
{
	const struct entry *o;
	unsigned int i;

	for (i = 0; i < cv->nentries; i++) {
		o = &cv->entries[i];
		if (!strcmp(e->regno, o->regno)) {
			cell_error(cv, e->row, cv->col[C_REGNO],
				   "registration number '%s' is "
				   "already in row %u",
				   e->regno, o->row);
			return -EINVAL;
		}
		if (same_device(e, o)) {
			cell_error(cv, e->row, cv->col[C_SERIAL],
				   "device %s %04x:%04x serial '%s' "
				   "is already registered as '%s' in row %u",
				   dlp_bus_names[e->bus], e->vendor, e->product, e->serial,
				   o->regno, o->row);
			return -EINVAL;
		}
	}
	return 0;
}

static void entry_free(struct entry *e)
{
	free(e->regno);
	free(e->serial);
	free(e->section);
}

/* One data row: every problem in it is reported, each naming its column. */
static int read_entry(struct conv *cv, const struct record *rec)
{
	const char *regno = NULL, *serial = NULL, *section = NULL;
	struct entry e = { .row = rec->row };
	char cut[MAX_SHOWN + 4];
	struct entry *entries;
	bool bad = false;
	unsigned int i, cap;

	for (i = 0; i < rec->ncells; i++) {
		if (rec->cells[i].len && !header_text(cv, i)) {
			cell_error(cv, rec->row, i,
				   "a value in a column without a header; name the "
				   "column (a name not listed in docs/ledger-csv.md is ignored) or "
				   "clear the value");
			bad = true;
			break;
		}
	}
	if (!text_value(cv, rec, C_REGNO, MAX_REGNO, &regno) && is_reserved_regno(regno)) {
		cell_error(cv, rec->row, cv->col[C_REGNO],
			   "'%s' is reserved and cannot be a "
			   "registration number (neither can any, registered, unregistered, by "
			   "or if)",
			   regno);
		bad = true;
	}
	bad |= !regno;
	bad |= read_bus(cv, rec, &e.bus) < 0;
	if (cv->col[C_ID] >= 0) {
		bad |= read_id(cv, rec, &e.vendor, &e.product) < 0;
	} else {
		bad |= read_hex(cv, rec, C_VENDOR, &e.vendor) < 0;
		bad |= read_hex(cv, rec, C_PRODUCT, &e.product) < 0;
	}
	if (!text_value(cv, rec, C_SERIAL, MAX_SERIAL, &serial) && excel_number(serial)) {
		cell_error(cv, rec->row, cv->col[C_SERIAL],
			   "'%s' is a number as Excel shows a "
			   "long one, not a serial number; format the column as text (文字列) "
			   "and type the serial number again",
			   shown(serial, cut));
		bad = true;
	}
	bad |= !serial;
	bad |= text_value(cv, rec, C_SECTION, MAX_SECTION, &section) < 0;
	bad |= read_access(cv, rec, &e.writable) < 0;
	bad |= read_until(cv, rec, &e.until) < 0;
	if (bad)
		return -EINVAL;

	e.regno = strdup(regno);
	e.serial = strdup(serial);
	e.section = strdup(section);
	if (!e.regno || !e.serial || !e.section)
		goto out_nomem;
	if (check_unique(cv, &e)) {
		entry_free(&e);
		return -EINVAL;
	}
	if (cv->nentries == cv->cap) {
		cap = cv->cap ? cv->cap * 2 : 16;
		entries = realloc(cv->entries, cap * sizeof(*entries));
		if (!entries)
			goto out_nomem;
		cv->entries = entries;
		cv->cap = cap;
	}
	cv->entries[cv->nentries++] = e;
	return 0;
out_nomem:
	entry_free(&e);
	return -ENOMEM;
}

/* ---- output --------------------------------------------------------- */

/* Whether the lexer would cut @s into more than one word, or read it as something else. */
/*
 * The file name for the comment line, which must lex: anything that is not
 * visible UTF-8 becomes '?', and a name too long for one line is cut.
 */
static int put_name(struct buf *b, const char *name)
{
	size_t n = strlen(name), i = 0;
	uint32_t cp;
	int clen, ret = 0;

	while (i < n && !ret) {
		if (i >= MAX_NAME_SHOWN)
			return buf_add(b, "\xe2\x80\xa6", 3);
		clen = dlp_utf8_decode(name + i, n - i, &cp);
		if (!clen || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			ret = buf_add(b, "?", 1);
			i++;
			continue;
		}
		ret = buf_add(b, name + i, clen);
		i += clen;
	}
	return ret;
}

static int write_entries(struct conv *cv, const char *name, struct buf *out)
{
	char line[DLP_MEDIA_LINE_MAX];
	const struct entry *e;
	struct dlp_media m;
	unsigned int i;
	int ret, n;

	ret = buf_add(out, "# media ledger from ", strlen("# media ledger from "));
	ret = ret ?: put_name(out, name);
	ret = ret   ?:
		      buf_printf(out, ", %u %s\n", cv->nentries,
				 cv->nentries == 1 ? "entry" : "entries");
	for (i = 0; i < cv->nentries && !ret; i++) {
		e = &cv->entries[i];
		m = (struct dlp_media){
			.regno = e->regno,
			.bus = e->bus,
			.vendor = e->vendor,
			.product = e->product,
			.serial = e->serial,
			.section = e->section,
			.writable = e->writable,
			.until = e->until,
		};
		n = dlp_media_format(&m, line, sizeof(line));
		ret = n < 0 ? n : buf_add(out, line, n);
	}
	return ret;
}

/**
 * dlp_ledger_csv_convert() - turn a media ledger saved as CSV into `media` lines
 * @buf:         the CSV file's bytes (need not be NUL-terminated)
 * @len:         their number
 * @name:        the file's name, for the comment line of the result
 * @diag:        where problems go, each naming the spreadsheet row (the header is
 *               row 1) and the column (its letter and header)
 * @ret_text:    set on success to a malloc'd, NUL-terminated policy text: a comment
 *               line, then one `media` line per data row, in row order
 * @ret_entries: set on success to the number of `media` lines
 *
 * Every row but a fully empty one becomes an entry, or an error: no row is
 * dropped.  Registration numbers and devices are checked to be unique within
 * the file; against the rest of a policy, the compiler checks them.
 *
 * Return: 0 on success; on failure the output parameters are untouched and:
 * -EFBIG when the file is larger than DLP_LEDGER_CSV_MAX_SIZE or the result
 * larger than a policy may be, -E2BIG when it has more than
 * DLP_LEDGER_CSV_MAX_ROWS data rows or more columns than Excel has, -EINVAL
 * when anything in it is wrong, -ENOMEM.
 */
int dlp_ledger_csv_convert(const char *buf, size_t len, const char *name, struct dlp_diag *diag,
			   char **ret_text, unsigned int *ret_entries)
{
	struct conv cv = { .diag = diag };
	struct record hdr = { 0 }, rec = { 0 };
	unsigned int before = diag->errors, row, ndata = 0, i;
	struct buf out = { 0 };
	const char *eol;
	char *text = NULL;
	size_t tlen = 0;
	int ret;

	if (len > DLP_LEDGER_CSV_MAX_SIZE) {
		dlp_error(diag, 1, 1, "file too large (%zu bytes); a ledger file has at most %d",
			  len, DLP_LEDGER_CSV_MAX_SIZE);
		return -EFBIG;
	}
	ret = to_utf8(&cv, buf, len, &text, &tlen);
	if (ret)
		return ret;
	cv.p = text;
	cv.end = text + tlen;
	eol = memchr(text, '\n', tlen);
	eol = eol ? eol : cv.end;
	cv.sep = memchr(text, '\t', eol - text) && !memchr(text, ',', eol - text) ? '\t' : ',';

	ret = read_record(&cv, &hdr, 1);
	if (ret == 0) {
		dlp_error(diag, 1, 1,
			  "the file is empty; expected a header row naming the columns, "
			  "then one row per ledger entry");
		ret = -EINVAL;
	}
	if (ret < 0)
		goto out;
	ret = map_header(&cv, &hdr);
	if (ret)
		goto out;
	for (row = 2; (ret = read_record(&cv, &rec, row)) > 0; row++) {
		if (record_blank(&rec))
			continue;
		if (++ndata > DLP_LEDGER_CSV_MAX_ROWS) {
			dlp_error(diag, row, 1,
				  "row %u: more than %d data rows; a ledger holds at "
				  "most %d entries",
				  row, DLP_LEDGER_CSV_MAX_ROWS, DLP_LEDGER_CSV_MAX_ROWS);
			ret = -E2BIG;
			goto out;
		}
		if (rec.bad)
			continue;
		ret = read_entry(&cv, &rec);
		if (ret == -ENOMEM)
			goto out;
	}
	if (ret < 0)
		goto out;
	if (diag->errors != before) {
		ret = -EINVAL;
		goto out;
	}
	if (!cv.nentries) {
		dlp_error(diag, 2, 1,
			  "no ledger entries below the header row; expected one row "
			  "per registered medium");
		ret = -EINVAL;
		goto out;
	}
	ret = write_entries(&cv, name, &out);
	if (ret)
		goto out;
	if (out.len > DLP_MAX_POLICY_SIZE) {
		dlp_error(diag, 1, 1, "the converted ledger is %zu bytes; a policy has at most %d",
			  out.len, DLP_MAX_POLICY_SIZE);
		ret = -EFBIG;
		goto out;
	}
	*ret_text = out.p;
	*ret_entries = cv.nentries;
	out.p = NULL;
out:
	free(out.p);
	for (i = 0; i < cv.nentries; i++)
		entry_free(&cv.entries[i]);
	free(cv.entries);
	free(rec.cells);
	free(rec.text.p);
	free(hdr.cells);
	free(hdr.text.p);
	free(text);
	return ret;
}
