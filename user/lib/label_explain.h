/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What label the kernel finds on a file, and where each level comes from:
 * dlp_label_of() (bpf/label.h) done again in user space over the tables a
 * policy placed (label_map.h), for `dlpctl label show`.  The file's own
 * entry, then the first labelled directory above it on its filesystem,
 * then the policy's file-name prefixes; and, for information, its label
 * attribute as it is now.
 */
#ifndef DLP_LABEL_EXPLAIN_H
#define DLP_LABEL_EXPLAIN_H

#include <limits.h>

#include "label_map.h"
#include "policy.h"

#define DLP_LABEL_WHY_MAX 8

struct dlp_label_explained {
	char path[PATH_MAX]; /* with symbolic links resolved */
	__u8 class;	     /* enum dlp_class: what the kernel's label maps give */
	__u8 integrity;	     /* enum dlp_integrity */
	unsigned int nwhy;
	char why[DLP_LABEL_WHY_MAX][512]; /* one source each, in the order the kernel looks */
};

int dlp_label_explain(const struct dlp_policy *pol, const struct dlp_label_tables *t,
		      const char *path, struct dlp_label_explained *ret);

#endif /* DLP_LABEL_EXPLAIN_H */
