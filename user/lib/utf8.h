/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DLP_UTF8_H
#define DLP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int dlp_utf8_decode(const char *s, size_t n, uint32_t *ret_cp);
bool dlp_utf8_valid(const char *s, size_t n);
size_t dlp_utf8_columns(const char *s, size_t n);

#endif /* DLP_UTF8_H */
