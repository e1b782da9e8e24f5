/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy as dlpd holds it: the bytes it was given, compiled, lowered for
 * the kernel and its labels placed.  Everything that can fail for the
 * policy's sake happens in dlpd_policy_prepare(), before the kernel is
 * touched; dlpd_policy_fill() then writes it into one slot of the maps
 * (user/lib/slots.h), which daemon.c puts in force.
 */
#ifndef DLPD_POLICY_H
#define DLPD_POLICY_H

#include <stddef.h>
#include <stdio.h>

#include "label_map.h"
#include "loader.h"
#include "lower.h"
#include "policy.h"

struct dlpd_policy {
	char name[256]; /* where it came from: a file, or what dlpctl called it */
	char *text;	/* the bytes compiled: the ones installed and kept */
	size_t len;
	struct dlp_policy pol;
	struct dlp_lowered low;
	struct dlp_label_tables tables;
};

int dlpd_policy_read(const char *path, char **ret_text, size_t *ret_len, char *err, size_t errlen);
int dlpd_policy_prepare(const char *name, const char *text, size_t len, __u32 generation,
			const char *const *scan, unsigned int nscan, FILE *diag_out,
			struct dlpd_policy **ret);
void dlpd_policy_free(struct dlpd_policy *p);
int dlpd_policy_fill(const struct dlpd_policy *p, const struct dlp_loader_fds *fds, __u32 slot);
int dlpd_policy_install(const struct dlpd_policy *p, const char *path);

#endif /* DLPD_POLICY_H */
