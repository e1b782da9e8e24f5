// SPDX-License-Identifier: GPL-2.0
#include "utf8.h"

/**
 * dlp_utf8_decode() - decode one character of strict UTF-8
 * @s:      the bytes
 * @n:      how many bytes are available (at least 1)
 * @ret_cp: the code point, set on success
 *
 * Strict means RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequences.
 *
 * Return: the sequence length (1-4), or 0 if the bytes at @s are not UTF-8.
 */
int dlp_utf8_decode(const char *s, size_t n, uint32_t *ret_cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp, min;
	int len, i;

	if (u[0] < 0x80) {
		*ret_cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = u[0] & 0x1f;
		min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = u[0] & 0x0f;
		min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = u[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < (size_t)len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return len;
}

/**
 * dlp_utf8_valid() - whether a byte string is entirely strict UTF-8
 * @s: the bytes
 * @n: their number
 */
bool dlp_utf8_valid(const char *s, size_t n)
{
	uint32_t cp;
	size_t i = 0;
	int len;

	while (i < n) {
		len = dlp_utf8_decode(s + i, n - i, &cp);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

/**
 * dlp_utf8_columns() - how many characters a valid UTF-8 string holds
 * @s: the bytes, valid UTF-8
 * @n: their number
 *
 * Used to turn byte offsets into the columns diagnostics print.
 */
size_t dlp_utf8_columns(const char *s, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}
