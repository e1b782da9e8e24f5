/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers, read from its BTF: which LSM hooks exist
 * and with which arguments, so a loader can choose among a program's
 * variants (e.g. inode_setattr gained an argument between 6.1 and 6.12).
 */
#ifndef DLP_KERNEL_BTF_H
#define DLP_KERNEL_BTF_H

int dlp_kernel_func_nargs(const char *name);

#endif /* DLP_KERNEL_BTF_H */
