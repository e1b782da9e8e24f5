/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which of the two policies side by side is in force (DLP_SLOTS,
 * include/dlpguard/abi.h).  A hook calls dlp_active_slot() once, first, and
 * passes the slot to every lookup of that decision: the config and rules
 * (common.h), zones (zone.h), media (media.h) and labels (label.h).  dlpd
 * switches slots with one write of dlp_slot after filling the other slot,
 * and waits for an RCU grace period before it touches the slot it left
 * (user/lib/slots.c): every program here is non-sleepable, so one that read
 * the old slot has finished by then.
 * Include after vmlinux.h and <bpf/bpf_helpers.h>.
 */
#ifndef DLP_BPF_SLOT_H
#define DLP_BPF_SLOT_H

#include <dlpguard/abi.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} dlp_slot SEC(".maps");

/* The slot in force: 0 or 1; 0 before dlpd ever switched. */
static __always_inline __u32 dlp_active_slot(void)
{
	__u32 zero = 0, *slot = bpf_map_lookup_elem(&dlp_slot, &zero);

	return slot && *slot ? 1 : 0;
}

#endif /* DLP_BPF_SLOT_H */
