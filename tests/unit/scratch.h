/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory a unit test builds its input in, freed by the test's teardown even
 * when an assertion failed half-way: keep() it, then scratch_free().
 * Include after <cmocka.h>.
 */
#ifndef DLP_TEST_SCRATCH_H
#define DLP_TEST_SCRATCH_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *scratch[64];
static size_t nscratch;

static inline char *keep(char *s)
{
	assert_non_null(s);
	assert_true(nscratch < sizeof(scratch) / sizeof(scratch[0]));
	scratch[nscratch++] = s;
	return s;
}

static inline void scratch_free(void)
{
	while (nscratch)
		free(scratch[--nscratch]);
}

__attribute__((format(printf, 1, 2)))
static inline char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return keep(s);
}

/* A string of @n copies of @unit. */
static inline char *repeat(const char *unit, size_t n)
{
	size_t ulen = strlen(unit), i;
	char *s = keep(malloc(ulen * n + 1));

	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	s[ulen * n] = '\0';
	return s;
}

#endif /* DLP_TEST_SCRATCH_H */
