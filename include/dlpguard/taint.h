/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The value of the dlp_taint task-storage map (bpf/taint.h): a process's
 * taint, which dlpd reads and may seed through a pidfd key.
 */
#ifndef DLPGUARD_TAINT_H
#define DLPGUARD_TAINT_H

#include <dlpguard/abi.h>

struct dlp_taint {
	__u8 class;		/* enum dlp_class */
	__u8 pad[7];
	__u64 since_ns;		/* bpf_ktime_get_boot_ns() when it last rose */
};

_Static_assert(sizeof(struct dlp_taint) == 16, "struct dlp_taint changed size");

#endif /* DLPGUARD_TAINT_H */
