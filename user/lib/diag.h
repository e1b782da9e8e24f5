/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics: errors and warnings a user can cause, each naming the file,
 * line and column, in the form compilers use:
 *
 *	policy/lgwan.policy:12:7: error: unknown mode 'enforced'; expected 'enforce' or 'monitor'
 */
#ifndef DLP_DIAG_H
#define DLP_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* How many errors are reported per file before the rest are only counted. */
#define DLP_MAX_ERRORS 50

struct dlp_diag {
	const char *file;	/* name printed before each message */
	FILE *out;		/* where messages go; NULL: count only */
	unsigned int errors;	/* all errors, reported or not */
	unsigned int warnings;
	bool capped;		/* the cap was hit and said so */
};

void dlp_diag_init(struct dlp_diag *d, const char *file, FILE *out);

__attribute__((format(printf, 4, 5)))
void dlp_error(struct dlp_diag *d, unsigned int line, unsigned int col, const char *fmt, ...);

__attribute__((format(printf, 4, 0)))
void dlp_verror(struct dlp_diag *d, unsigned int line, unsigned int col, const char *fmt,
		va_list ap);

__attribute__((format(printf, 4, 5)))
void dlp_warning(struct dlp_diag *d, unsigned int line, unsigned int col, const char *fmt, ...);

#endif /* DLP_DIAG_H */
