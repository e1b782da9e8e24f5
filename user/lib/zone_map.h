/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiled zone table (pol->prefixes) as the kernel sees it: one
 * BPF_MAP_TYPE_LPM_TRIE keyed by struct dlp_zone_key (include/dlpguard/abi.h),
 * value the __u64 zone mask, looked up by dlp_zone_lookup() in bpf/zone.h.
 *
 * Both families share the trie: IPv4 a.b.c.d/n is stored as ::ffff:a.b.c.d
 * with prefix length 96 + n.  An IPv4-mapped IPv6 address (what a dual-stack
 * socket connecting to an IPv4 host carries) is therefore looked up as the
 * IPv4 address it is, and never in an IPv6 zone such as ::/0.
 */
#ifndef DLP_ZONE_MAP_H
#define DLP_ZONE_MAP_H

#include <dlpguard/abi.h>

#include "policy.h"

int dlp_zone_key_from_network(const struct dlp_network *net, __u32 slot,
			      struct dlp_zone_key *ret_key);
int dlp_zone_map_fill(int map_fd, __u32 slot, const struct dlp_policy *pol);

#endif /* DLP_ZONE_MAP_H */
