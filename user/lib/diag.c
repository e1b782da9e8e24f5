// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>

#include "diag.h"

/**
 * dlp_diag_init() - start collecting diagnostics for one file
 * @d:    the sink
 * @file: the file name printed before each message
 * @out:  the stream messages go to, or NULL to count them only
 */
void dlp_diag_init(struct dlp_diag *d, const char *file, FILE *out)
{
	d->file = file;
	d->out = out;
	d->errors = 0;
	d->warnings = 0;
	d->capped = false;
}

__attribute__((format(printf, 5, 0)))
static void diag_print(struct dlp_diag *d, unsigned int line, unsigned int col,
		       const char *kind, const char *fmt, va_list ap)
{
	if (!d->out)
		return;
	fprintf(d->out, "%s:%u:%u: %s: ", d->file, line, col, kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

/**
 * dlp_error() - report an error at a place in the file
 * @d:    the sink
 * @line: line, from 1
 * @col:  column in characters, from 1
 * @fmt:  printf-style message, no trailing newline
 *
 * After DLP_MAX_ERRORS errors, further ones are counted but not printed, and
 * one line says so.
 */
void dlp_error(struct dlp_diag *d, unsigned int line, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dlp_verror(d, line, col, fmt, ap);
	va_end(ap);
}

/**
 * dlp_verror() - dlp_error() with a va_list
 * @d:    the sink
 * @line: line, from 1
 * @col:  column in characters, from 1
 * @fmt:  printf-style message, no trailing newline
 * @ap:   its arguments
 *
 * Messages are printed whole, however long the words they quote, so that
 * they stay valid UTF-8 and always end with what was expected.
 */
void dlp_verror(struct dlp_diag *d, unsigned int line, unsigned int col, const char *fmt,
		va_list ap)
{
	d->errors++;
	if (d->errors > DLP_MAX_ERRORS) {
		if (!d->capped && d->out)
			fprintf(d->out, "%s: error: too many errors; stopped reporting after %d\n",
				d->file, DLP_MAX_ERRORS);
		d->capped = true;
		return;
	}
	diag_print(d, line, col, "error", fmt, ap);
}

/**
 * dlp_warning() - report something legal but probably not meant
 * @d:    the sink
 * @line: line, from 1
 * @col:  column in characters, from 1
 * @fmt:  printf-style message, no trailing newline
 */
void dlp_warning(struct dlp_diag *d, unsigned int line, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	if (d->capped)
		return;
	va_start(ap, fmt);
	diag_print(d, line, col, "warning", fmt, ap);
	va_end(ap);
}
