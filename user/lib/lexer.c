// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lexer.h"
#include "utf8.h"

#define IDEOGRAPHIC_SPACE 0x3000

/**
 * dlp_lexer_init() - start lexing a policy
 * @lx:   the lexer
 * @src:  the whole policy text; it need not be NUL-terminated
 * @len:  its length in bytes
 * @diag: where lexical errors go
 */
void dlp_lexer_init(struct dlp_lexer *lx, const char *src, size_t len, struct dlp_diag *diag)
{
	static const char bom[] = "\xef\xbb\xbf";

	if (len >= 3 && !memcmp(src, bom, 3)) {
		src += 3;
		len -= 3;
	}
	lx->p = src;
	lx->end = src + len;
	lx->lineno = 0;
	lx->diag = diag;
}

static bool is_separator(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == IDEOGRAPHIC_SPACE;
}

static bool is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0);
}

/* Characters that look like nothing, or like a space, in an editor. */
static const char *invisible_name(uint32_t cp)
{
	switch (cp) {
	case 0x00a0: return "no-break space";
	case 0x00ad: return "soft hyphen";
	case 0x200b: return "zero-width space";
	case 0x200c: return "zero-width non-joiner";
	case 0x200d: return "zero-width joiner";
	case 0x2060: return "word joiner";
	case 0xfeff: return "byte-order mark";
	default: return NULL;
	}
}

static bool is_op(uint32_t cp)
{
	return cp == '<' || cp == '>' || cp == '=';
}

/* Where one line is being cut into words. */
struct scan {
	const char *s;		/* the line, line end excluded */
	size_t n;
	size_t i;		/* next byte */
	unsigned int col;	/* column of the character at i */
	struct dlp_line *out;
	size_t used;		/* bytes of out->buf in use */
	struct dlp_diag *diag;
};

/*
 * Decode the character at the scan position without consuming it.  Invalid
 * UTF-8 and control characters are reported here, once for the line.
 */
static int peek(struct scan *sc, uint32_t *ret_cp)
{
	int len = dlp_utf8_decode(sc->s + sc->i, sc->n - sc->i, ret_cp);

	if (!len) {
		dlp_error(sc->diag, sc->out->lineno, sc->col,
			  "invalid UTF-8 (byte 0x%02x); a policy must be UTF-8 text",
			  (unsigned char)sc->s[sc->i]);
		return -EINVAL;
	}
	if (is_control(*ret_cp)) {
		dlp_error(sc->diag, sc->out->lineno, sc->col,
			  "control character U+%04X is not allowed", (unsigned int)*ret_cp);
		return -EINVAL;
	}
	return len;
}

static int add_token(struct scan *sc, enum dlp_tok_kind kind, unsigned int col,
		     const char *text, size_t len)
{
	struct dlp_line *out = sc->out;
	struct dlp_token *t;

	if (out->ntok == DLP_MAX_TOKENS) {
		dlp_error(sc->diag, out->lineno, col, "too many words on one line; at most %d",
			  DLP_MAX_TOKENS);
		return -E2BIG;
	}
	if (len > DLP_MAX_WORD) {
		dlp_error(sc->diag, out->lineno, col, "word too long (%zu bytes); at most %d",
			  len, DLP_MAX_WORD);
		return -E2BIG;
	}
	t = &out->tok[out->ntok++];
	t->kind = kind;
	t->col = col;
	t->len = len;
	t->text = out->buf + sc->used;
	if (text)
		memcpy(out->buf + sc->used, text, len);
	out->buf[sc->used + len] = '\0';
	sc->used += len + 1;
	return 0;
}

/*
 * A quoted string.  The unescaped text is written straight into the line
 * buffer; it is never longer than the quoted source.
 */
static int scan_string(struct scan *sc)
{
	unsigned int start_col = sc->col;
	char *dst = sc->out->buf + sc->used;
	size_t len = 0;
	uint32_t cp;
	int clen;

	sc->i++;
	sc->col++;
	while (sc->i < sc->n) {
		clen = peek(sc, &cp);
		if (clen < 0)
			return clen;
		if (cp == '"') {
			sc->i++;
			sc->col++;
			/* dst already holds the text: add_token must not copy it */
			return add_token(sc, DLP_TOK_STRING, start_col, NULL, len);
		}
		if (cp == '\\') {
			char next = sc->i + 1 < sc->n ? sc->s[sc->i + 1] : '\0';

			if (next != '"' && next != '\\') {
				dlp_error(sc->diag, sc->out->lineno, sc->col,
					  "unknown escape in string; expected '\\\"' or '\\\\'");
				return -EINVAL;
			}
			dst[len++] = next;
			sc->i += 2;
			sc->col += 2;
			continue;
		}
		memcpy(dst + len, sc->s + sc->i, clen);
		len += clen;
		sc->i += clen;
		sc->col++;
	}
	dlp_error(sc->diag, sc->out->lineno, start_col,
		  "unterminated string; expected '\"' before the end of the line");
	return -EINVAL;
}

static int scan_word(struct scan *sc)
{
	unsigned int start_col = sc->col;
	size_t start = sc->i;
	uint32_t cp;
	int clen;

	while (sc->i < sc->n) {
		clen = peek(sc, &cp);
		if (clen < 0)
			return clen;
		if (is_separator(cp) || cp == '#' || cp == '"' || is_op(cp))
			break;
		if (invisible_name(cp)) {
			dlp_error(sc->diag, sc->out->lineno, sc->col,
				  "invisible character U+%04X (%s) outside quotes; expected a plain "
				  "space, or quote the word that holds it", (unsigned int)cp,
				  invisible_name(cp));
			return -EINVAL;
		}
		sc->i += clen;
		sc->col++;
	}
	return add_token(sc, DLP_TOK_WORD, start_col, sc->s + start, sc->i - start);
}

static int scan_op(struct scan *sc)
{
	size_t len = 1;

	if ((sc->s[sc->i] == '<' || sc->s[sc->i] == '>') && sc->i + 1 < sc->n &&
	    sc->s[sc->i + 1] == '=')
		len = 2;
	sc->i += len;
	sc->col += len;
	return add_token(sc, DLP_TOK_OP, sc->col - len, sc->s + sc->i - len, len);
}

/* The rest of a line after '#': not words, but still UTF-8. */
static int scan_comment(struct scan *sc)
{
	uint32_t cp;
	int clen;

	while (sc->i < sc->n) {
		clen = peek(sc, &cp);
		if (clen < 0)
			return clen;
		sc->i += clen;
		sc->col++;
	}
	return 0;
}

static int scan_line(struct scan *sc)
{
	uint32_t cp;
	int ret;

	while (sc->i < sc->n) {
		ret = peek(sc, &cp);
		if (ret < 0)
			return ret;
		if (is_separator(cp)) {
			sc->i += ret;
			sc->col++;
			continue;
		}
		if (cp == '#')
			ret = scan_comment(sc);
		else if (cp == '"')
			ret = scan_string(sc);
		else if (is_op(cp))
			ret = scan_op(sc);
		else
			ret = scan_word(sc);
		if (ret < 0)
			return ret;
	}
	sc->out->end_col = sc->col;
	return 0;
}

/**
 * dlp_lex_line() - cut the next non-blank line into words
 * @lx:  the lexer
 * @out: the line; valid until the next call
 *
 * Blank lines and lines holding only a comment are skipped.  A line with a
 * lexical error is reported (one error per line) and its words are not
 * returned, so the parser never sees half a line.
 *
 * Return: 1 when @out holds a line, 0 at the end of the text, -EINVAL when the
 * line just read had an error (call again for the next line).
 */
int dlp_lex_line(struct dlp_lexer *lx, struct dlp_line *out)
{
	struct scan sc;
	const char *eol;
	size_t n;
	int ret;

	while (lx->p < lx->end) {
		eol = memchr(lx->p, '\n', lx->end - lx->p);
		if (!eol)
			eol = lx->end;
		n = eol - lx->p;
		if (n && lx->p[n - 1] == '\r')
			n--;
		lx->lineno++;

		sc = (struct scan){ .s = lx->p, .n = n, .col = 1, .out = out, .diag = lx->diag };
		lx->p = eol < lx->end ? eol + 1 : eol;
		out->lineno = lx->lineno;
		out->ntok = 0;

		if (n > DLP_MAX_LINE) {
			dlp_error(lx->diag, lx->lineno, 1, "line too long (%zu bytes); at most %d",
				  n, DLP_MAX_LINE);
			return -EINVAL;
		}
		ret = scan_line(&sc);
		if (ret < 0)
			return -EINVAL;
		if (out->ntok)
			return 1;
	}
	return 0;
}
