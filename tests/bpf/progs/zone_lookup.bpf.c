// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the zone lookup (bpf/zone.h), run with BPF_PROG_TEST_RUN by
 * tests/bpf/test_zone_lookup.c: the destination of an Ethernet + IPv4 or
 * IPv6 packet is looked up exactly as the connect and sendmsg hooks will,
 * and the mask is left in .bss for the test to read.  A tc program because
 * the host loads it and BPF_PROG_TEST_RUN feeds it any packet; it is never
 * attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "zone.h"

/* UAPI macros, which vmlinux.h does not carry. */
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2

__u64 dlp_test_zones;	/* zone mask of the last packet's destination */
__u32 dlp_test_runs;	/* how many packets the program has seen */

/* TC_ACT_OK with dlp_test_zones set, or TC_ACT_SHOT if not IPv4 or IPv6. */
SEC("tc")
int dlp_test_zone(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip4;

	__sync_fetch_and_add(&dlp_test_runs, 1);
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;

	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
		ip4 = (void *)(eth + 1);
		if ((void *)(ip4 + 1) > data_end)
			return TC_ACT_SHOT;
		dlp_test_zones = dlp_zone_lookup_ip4(dlp_active_slot(), ip4->daddr);
		return TC_ACT_OK;
	case ETH_P_IPV6:
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_SHOT;
		dlp_test_zones = dlp_zone_lookup(dlp_active_slot(), ip6->daddr.in6_u.u6_addr8);
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

char LICENSE[] SEC("license") = "GPL";
