/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zones in the kernel: the zone map and its lookup, shared by every program
 * that judges a destination address (cgroup/connect4|6, cgroup/sendmsg4|6,
 * the LSM socket hooks).  Include after vmlinux.h and <bpf/bpf_helpers.h>.
 *
 * The map is what dlp_zone_map_fill() (user/lib/zone_map.c) writes from the
 * compiled policy: one entry per distinct network, each carrying the zones of
 * every wider network containing it, so the longest-prefix match alone gives
 * every zone of an address.  Both families share it, IPv4 stored IPv4-mapped
 * (include/dlpguard/abi.h, struct dlp_zone_key).  Example, for
 *
 *	zone lgwan  10.0.0.0/8
 *	zone 無害化 10.20.30.40
 *	zone v6     ::/0
 *
 * the map holds ::ffff:10.0.0.0/104 -> lgwan, ::ffff:10.20.30.40/128 ->
 * lgwan|無害化, ::/0 -> v6, and ::ffff:0.0.0.0/96 -> none, the IPv4 boundary
 * that keeps 192.0.2.1 out of ::/0; each key preceded by the policy's slot
 * (8 more bits of prefix).
 */
#ifndef DLP_BPF_ZONE_H
#define DLP_BPF_ZONE_H

#include <dlpguard/abi.h>

#include "slot.h"

/*
 * Per slot, one more entry than the policy has networks: the IPv4 boundary,
 * which dlp_zone_map_fill() adds unless the policy has 0.0.0.0/0.
 */
#define DLP_ZONE_MAP_ENTRIES (DLP_SLOTS * (DLP_MAX_NETWORKS + 1))

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct dlp_zone_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DLP_ZONE_MAP_ENTRIES);
} dlp_zones SEC(".maps");

/*
 * dlp_zone_lookup() - every zone of an address
 * @slot: the policy slot of the decision (slot.h)
 * @addr: IPv6 address, or IPv4-mapped (::ffff:a.b.c.d), network byte order
 *
 * An IPv4-mapped address is the IPv4 address it maps: a dual-stack socket
 * connecting to 192.0.2.1 gets the zones of 192.0.2.1.
 *
 * Cost: one bpf_map_lookup_elem() on the LPM trie, no loop in the program.
 * The kernel walks the trie from its root, one node per branching prefix on
 * the path (at most 129 for 128-bit keys, a handful for real policies), each
 * step a compare of at most 16 bytes, lock-free under RCU; it does not grow
 * with the number of zones.
 *
 * Return: the zone mask (bit i: zone i), 0 if the address is in no zone.
 */
static __always_inline __u64 dlp_zone_lookup(__u32 slot, const __u8 addr[16])
{
	struct dlp_zone_key key = { .prefixlen = DLP_ZONE_SLOT_BITS + 128, .slot = slot };
	__u64 *zones;

	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	zones = bpf_map_lookup_elem(&dlp_zones, &key);
	return zones ? *zones : 0;
}

/*
 * dlp_zone_lookup_ip4() - every zone of an IPv4 address
 * @slot: the policy slot of the decision (slot.h)
 * @addr: the address in network byte order, as in bpf_sock_addr.user_ip4
 *
 * The same single lookup as dlp_zone_lookup(), on ::ffff:@addr.
 */
static __always_inline __u64 dlp_zone_lookup_ip4(__u32 slot, __u32 addr)
{
	struct dlp_zone_key key = { .prefixlen = DLP_ZONE_SLOT_BITS + 128, .slot = slot };
	__u64 *zones;

	key.addr[10] = 0xff;
	key.addr[11] = 0xff;
	__builtin_memcpy(&key.addr[12], &addr, sizeof(addr));
	zones = bpf_map_lookup_elem(&dlp_zones, &key);
	return zones ? *zones : 0;
}

#endif /* DLP_BPF_ZONE_H */
