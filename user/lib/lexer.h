/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy lexer: turns a policy's text into lines of words.  See
 * docs/policy.md §1 for the rules it implements.
 */
#ifndef DLP_LEXER_H
#define DLP_LEXER_H

#include <stddef.h>

#include "diag.h"

#define DLP_MAX_LINE	4096	/* bytes on one line, line end excluded */
#define DLP_MAX_TOKENS	64	/* words on one line */
#define DLP_MAX_WORD	1024	/* bytes in one word */

enum dlp_tok_kind {
	DLP_TOK_WORD,		/* a bare word */
	DLP_TOK_STRING,		/* a quoted string, unescaped */
	DLP_TOK_OP,		/* >= <= > < = */
};

struct dlp_token {
	enum dlp_tok_kind kind;
	unsigned int col;	/* column of its first character (the quote, for strings) */
	unsigned int len;	/* bytes in text */
	const char *text;	/* NUL-terminated, points into the line's buffer */
};

struct dlp_line {
	unsigned int lineno;
	unsigned int ntok;
	unsigned int end_col;	/* column just past the last character */
	struct dlp_token tok[DLP_MAX_TOKENS];
	char buf[DLP_MAX_LINE + DLP_MAX_TOKENS];
};

struct dlp_lexer {
	const char *p;		/* next unread byte */
	const char *end;
	unsigned int lineno;	/* of the last line returned */
	struct dlp_diag *diag;
};

void dlp_lexer_init(struct dlp_lexer *lx, const char *src, size_t len, struct dlp_diag *diag);
int dlp_lex_line(struct dlp_lexer *lx, struct dlp_line *out);

#endif /* DLP_LEXER_H */
