// SPDX-License-Identifier: GPL-2.0
/*
 * The compiled zone table, written into the kernel's zone map (bpf/zone.h).
 * The kernel must find in one longest-prefix match what the compiler says:
 * every zone of an address.  The compiler already puts in each entry the
 * zones of every wider network of the same family; what is left here is the
 * one place where the families meet in the key space (see zone_map.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "zone_map.h"

/* The first 96 bits of ::ffff:0.0.0.0/96, where IPv4 lives in the key space. */
static const __u8 v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

/**
 * dlp_zone_key_from_network() - the zone map key of a network
 * @net:     an IPv4 or IPv6 network
 * @slot:    the policy slot (DLP_SLOTS, include/dlpguard/abi.h)
 * @ret_key: the key, set on success
 *
 * IPv4 a.b.c.d/n becomes ::ffff:a.b.c.d/(96 + n); IPv6 is taken as it is;
 * both after the slot's 8 bits.
 * An IPv6 network inside ::ffff:0.0.0.0/96 (such as ::ffff:10.0.0.0/104) has
 * no key: it would stand in the trie where the IPv4 networks are, and give
 * IPv4 addresses zones the compiler says they are not in.
 *
 * Return: 0; -EAFNOSUPPORT if @net is neither IPv4 nor IPv6; -EINVAL if its
 * prefix length is too long for its family, or if it is an IPv6 network
 * inside the IPv4-mapped range.
 */
int dlp_zone_key_from_network(const struct dlp_network *net, __u32 slot,
			      struct dlp_zone_key *ret_key)
{
	struct dlp_zone_key key = { .slot = slot };

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	switch (net->family) {
	case AF_INET:
		if (net->prefixlen > 32)
			return -EINVAL;
		memcpy(key.addr, v4_mapped, sizeof(v4_mapped));
		memcpy(key.addr + sizeof(v4_mapped), net->addr, 4);
		key.prefixlen = DLP_ZONE_SLOT_BITS + 96 + net->prefixlen;
		break;
	case AF_INET6:
		if (net->prefixlen > 128)
			return -EINVAL;
		if (net->prefixlen >= 96 && !memcmp(net->addr, v4_mapped, sizeof(v4_mapped)))
			return -EINVAL;
		memcpy(key.addr, net->addr, sizeof(key.addr));
		key.prefixlen = DLP_ZONE_SLOT_BITS + net->prefixlen;
		break;
	default:
		return -EAFNOSUPPORT;
	}
	*ret_key = key;
	return 0;
}

static int add_entry(int map_fd, const struct dlp_zone_key *key, __u64 zones)
{
	if (bpf_map_update_elem(map_fd, key, &zones, BPF_NOEXIST))
		return -errno;
	return 0;
}

/**
 * dlp_zone_map_fill() - write a compiled policy's zone table into a zone map
 * @map_fd: a zone map (dlp_zones in bpf/zone.h) with nothing in @slot
 * @slot:   the policy slot to fill
 * @pol:    a compiled policy
 *
 * Adds one entry per pol->prefixes entry.  Unless the policy has the IPv4
 * network 0.0.0.0/0, it also adds ::ffff:0.0.0.0/96 with no zone: the lookup
 * of an IPv4 address then stops there at the latest, and never reaches a
 * shorter IPv6 network such as ::/0, which holds no IPv4 address.
 *
 * Every key is made before the first is written, so a policy refused for
 * its networks leaves the map as it was.
 *
 * Return: 0; -EINVAL or -EAFNOSUPPORT, the map untouched, if a network has
 * no key (see dlp_zone_key_from_network()); otherwise the -errno of the first
 * write that failed (-EEXIST if @slot was not empty, -ENOSPC if it is too
 * small), with the entries before it written.
 */
int dlp_zone_map_fill(int map_fd, __u32 slot, const struct dlp_policy *pol)
{
	struct dlp_zone_key key;
	bool has_v4_any = false;
	unsigned int i;
	int ret = 0;

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	for (i = 0; i < pol->nprefixes; i++) {
		ret = dlp_zone_key_from_network(&pol->prefixes[i].net, slot, &key);
		if (ret)
			return ret;
		if (pol->prefixes[i].net.family == AF_INET && pol->prefixes[i].net.prefixlen == 0)
			has_v4_any = true;
	}

	for (i = 0; i < pol->nprefixes; i++) {
		dlp_zone_key_from_network(&pol->prefixes[i].net, slot, &key);
		ret = add_entry(map_fd, &key, pol->prefixes[i].zones);
		if (ret)
			return ret;
	}
	if (!has_v4_any) {
		memset(&key, 0, sizeof(key));
		key.slot = slot;
		memcpy(key.addr, v4_mapped, sizeof(v4_mapped));
		key.prefixlen = DLP_ZONE_SLOT_BITS + 96;
		ret = add_entry(map_fd, &key, 0);
	}
	return ret;
}
