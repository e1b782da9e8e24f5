/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A compiled policy's labels (pol->labels) as the kernel reads them: the
 * maps of include/dlpguard/label.h, read by bpf/taint.bpf.c; and the
 * directories its rules' 'path PATH' objects name, which share those maps.
 *
 * 'label dir PATH' and 'path PATH' need the directory to exist when the
 * policy is applied: the kernel knows it by (device, inode), which only
 * stat(2) of the path can give.  A directory that is missing is an error
 * naming it, never skipped: a label or path that cannot be placed would
 * silently protect nothing.
 */
#ifndef DLP_LABEL_MAP_H
#define DLP_LABEL_MAP_H

#include <sys/types.h>

#include <dlpguard/label.h>

#include "lower.h"
#include "policy.h"

/*
 * What dlp_label_tables_build() makes, dlp_label_xattr_scan() adds to and
 * dlp_label_map_fill() writes: room for every entry dlp_label_inodes holds
 * (label and 'path' directories, and files whose label xattr was resolved).
 */
struct dlp_label_tables {
	struct dlp_label_key keys[DLP_LABEL_INODE_ENTRIES];
	struct dlp_label_value values[DLP_LABEL_INODE_ENTRIES];
	unsigned int ninodes;
	struct dlp_label_prefix prefixes[DLP_LABEL_MAX_PREFIXES];
	struct dlp_label_conf conf;
};

/* The label maps of a loaded bpf/taint.bpf.c object. */
struct dlp_label_map_fds {
	int inodes;   /* dlp_label_inodes */
	int prefixes; /* dlp_label_prefixes */
	int conf;     /* dlp_label_conf */
};

__u32 dlp_label_kernel_dev(dev_t st_dev);
int dlp_label_prefix_pack(const char *prefix, __u8 class, __u8 integrity,
			  struct dlp_label_prefix *ret);
int dlp_label_tables_build(const struct dlp_policy *pol, const struct dlp_lowered *low,
			   struct dlp_label_tables *ret, struct dlp_diag *diag);
int dlp_label_map_fill(const struct dlp_label_tables *tables, __u32 slot,
		       const struct dlp_label_map_fds *fds);

#endif /* DLP_LABEL_MAP_H */
