/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Changing a policy's media ledger in its text: the `media REGNO ...`
 * lines, one statement per line (docs/policy.md §2.5).  `dlpctl device
 * import`, `allow` and `block` edit the text of the policy in force with
 * these and have dlpd apply the result, so the policy file stays the one
 * place the ledger is kept, with its comments and the rest untouched.
 */
#ifndef DLP_LEDGER_EDIT_H
#define DLP_LEDGER_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* One `media` line at its longest (every field at its limit, every byte escaped), NUL included. */
#define DLP_MEDIA_LINE_MAX 4096

int dlp_media_format(const struct dlp_media *m, char *buf, size_t len);
int dlp_ledger_edit(const char *text, size_t len, const struct dlp_policy *pol, const bool *drop,
		    const char *append, char **ret_text, size_t *ret_len);

#endif /* DLP_LEDGER_EDIT_H */
