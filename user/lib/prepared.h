/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy prepared for the kernel, as dlpd holds it: the bytes it was
 * given, compiled, lowered and its labels placed.  Everything that can fail
 * for the policy's sake happens in dlp_prepared_build(), before the kernel
 * is touched; dlp_prepared_fill() then writes it into one slot of the maps
 * (slots.h), which dlpd puts in force (user/dlpd/daemon.c).
 */
#ifndef DLP_PREPARED_H
#define DLP_PREPARED_H

#include <stddef.h>
#include <stdio.h>

#include "label_map.h"
#include "loader.h"
#include "lower.h"
#include "policy.h"

struct dlp_prepared {
	char name[256]; /* where it came from: a file, or what dlpctl called it */
	char *text;	/* the bytes compiled: the ones installed and kept */
	size_t len;
	struct dlp_policy pol;
	struct dlp_lowered low;
	struct dlp_label_tables tables;
};

int dlp_prepared_read(const char *path, char **ret_text, size_t *ret_len, char *err, size_t errlen);
int dlp_prepared_build(const char *name, const char *text, size_t len, __u32 generation,
		       const char *const *scan, unsigned int nscan, FILE *diag_out,
		       struct dlp_prepared **ret);
void dlp_prepared_free(struct dlp_prepared *p);
int dlp_prepared_fill(const struct dlp_prepared *p, const struct dlp_loader_fds *fds, __u32 slot);
int dlp_prepared_install(const struct dlp_prepared *p, const char *path);

#endif /* DLP_PREPARED_H */
