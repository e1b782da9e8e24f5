// SPDX-License-Identifier: GPL-2.0
/*
 * Host BPF test: the compiled zone table means in the kernel what the policy
 * says (docs/policy.md §2.3, §5).  Policies are compiled, written into the
 * zone map with dlp_zone_map_fill() as dlpd will, and the shared lookup in
 * bpf/zone.h is run on packets through tests/bpf/progs/zone_lookup.bpf.c
 * with BPF_PROG_TEST_RUN (nothing is attached).  Each probe's mask must equal
 * the zones found by brute force from the zones as written (not from the
 * compiler's table), and the zones written by hand where a probe has them;
 * each policy is checked in both slots, and two policies side by side each
 * answer only while dlp_slot names their slot.
 *
 * Exits 77 after printing "SKIP: <reason>" when the kernel refuses to load
 * BPF (EPERM, ENOSYS); tests/run.sh counts that as skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpftest.h"
#include "policy.h"
#include "zone_lookup.skel.h"
#include "zone_map.h"

#define EXIT_SKIP	77
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
/* Never a zone mask of these policies (fewer than 64 zones): "not written". */
#define UNTOUCHED	(~0ULL)

#define POLICY_HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

/*
 * Nested IPv4 (lgwan ⊃ 庁内 ⊃ cloud's /24 ⊃ 無害化), one network in two zones
 * (192.168.10.0/24 in cloud and proxy), neighbours of a /32 (dns), a zone
 * continued on a second line (lgwan), nested IPv6, and ::/0 for IPv6 only.
 */
static const char nested_policy[] = POLICY_HEAD
	"zone lgwan  10.0.0.0/8 fd00:10::/32\n"
	"zone 庁内   10.20.0.0/16 fd00:10:20::/48\n"
	"zone 無害化 10.20.30.40 fd00:10:20::40\n"
	"zone cloud  192.168.10.0/24 10.20.30.0/24\n"
	"zone proxy  192.168.10.0/24 192.168.10.128/25\n"
	"zone dns    10.20.30.41 10.20.30.42/31\n"
	"zone v6any  ::/0\n"
	"zone lgwan  172.16.0.0/12\n";

/* 0.0.0.0/0 for IPv4 only, IPv6 zones beside it. */
static const char v4any_policy[] = POLICY_HEAD
	"zone internet 0.0.0.0/0\n"
	"zone lgwan    10.0.0.0/8 2001:db8::/32\n"
	"zone host     10.1.2.3 2001:db8::1\n";

static const char no_zone_policy[] = POLICY_HEAD;

/* IPv4 written IPv4-mapped is IPv4 (docs/policy.md §2.3), beside ::/0. */
static const char mapped_policy[] = POLICY_HEAD
	"zone lgwan  10.0.0.0/8\n"
	"zone mapped ::ffff:10.20.0.0/112 ::ffff:192.0.2.1\n"
	"zone v6any  ::/0\n";

struct probe {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network byte order; IPv4 in the first four bytes */
};

/* A probe written by hand, with the zones it is in (space-separated names). */
struct expect {
	const char *addr;
	const char *zones;
};

static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

static unsigned int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static const char *probe_str(const struct probe *p)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(p->family, p->addr, buf, sizeof(buf)) ? buf : "?";
}

static struct probe parse_probe(const char *text)
{
	struct probe p = { .family = AF_INET };

	if (inet_pton(AF_INET, text, p.addr) != 1) {
		p.family = AF_INET6;
		if (inet_pton(AF_INET6, text, p.addr) != 1)
			fail_msg("bad probe address '%s' in the test", text);
	}
	return p;
}

/* An IPv4-mapped IPv6 address is the IPv4 address it maps (zone_map.h). */
static struct probe normalise(const struct probe *p)
{
	struct probe v4 = { .family = AF_INET };

	if (p->family != AF_INET6 || memcmp(p->addr, v4_mapped, sizeof(v4_mapped)))
		return *p;
	memcpy(v4.addr, p->addr + sizeof(v4_mapped), 4);
	return v4;
}

static bool bit_at(const uint8_t *addr, unsigned int i)
{
	return addr[i / 8] & (0x80 >> (i % 8));
}

/* The reference: every zone with a network holding @p, bit by bit. */
static uint64_t brute_force_zones(const struct dlp_policy *pol, const struct probe *p)
{
	struct probe a = normalise(p);
	const struct dlp_network *n;
	uint64_t zones = 0;
	unsigned int z, k, i;

	for (z = 0; z < pol->nzones; z++) {
		for (k = 0; k < pol->zones[z].nnets; k++) {
			n = &pol->zones[z].nets[k];
			if (n->family != a.family)
				continue;
			for (i = 0; i < n->prefixlen; i++)
				if (bit_at(n->addr, i) != bit_at(a.addr, i))
					break;
			if (i == n->prefixlen)
				zones |= 1ULL << z;
		}
	}
	return zones;
}

static uint64_t zones_named(const struct dlp_policy *pol, const char *names)
{
	char buf[256], *name, *save;
	uint64_t zones = 0;
	unsigned int z;

	snprintf(buf, sizeof(buf), "%s", names);
	for (name = strtok_r(buf, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		for (z = 0; z < pol->nzones; z++)
			if (!strcmp(pol->zones[z].name, name))
				break;
		if (z == pol->nzones)
			fail_msg("no zone '%s' in the test policy", name);
		zones |= 1ULL << z;
	}
	return zones;
}

static const char *zone_names(const struct dlp_policy *pol, uint64_t zones)
{
	static char buf[512];
	size_t n = 0;
	unsigned int z;

	if (zones == UNTOUCHED)
		return "(not written)";
	buf[0] = '\0';
	for (z = 0; z < DLP_MAX_ZONES && n < sizeof(buf); z++)
		if (zones & (1ULL << z))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
				      z < pol->nzones ? pol->zones[z].name : "?");
	return n ? buf : "none";
}

/*
 * An Ethernet frame to @p: IPv4, or IPv6 (IPv4 addresses IPv4-mapped when
 * @as_v6).  Returns its length.
 */
static size_t build_packet(const struct probe *p, bool as_v6, uint8_t *buf, size_t len)
{
	struct ether_header eth = {
		.ether_dhost = { 0x02, 0, 0, 0, 0, 0x01 },
		.ether_shost = { 0x02, 0, 0, 0, 0, 0x02 },
	};
	struct ip6_hdr ip6 = { 0 };
	struct iphdr ip4 = { 0 };

	assert_true(len >= sizeof(eth) + sizeof(ip6));
	if (p->family == AF_INET && !as_v6) {
		eth.ether_type = htons(ETHERTYPE_IP);
		ip4.version = 4;
		ip4.ihl = 5;
		ip4.ttl = 64;
		ip4.protocol = IPPROTO_UDP;
		ip4.tot_len = htons(sizeof(ip4));
		ip4.saddr = htonl(0xc0000201);	/* 192.0.2.1 */
		memcpy(&ip4.daddr, p->addr, 4);
		memcpy(buf, &eth, sizeof(eth));
		memcpy(buf + sizeof(eth), &ip4, sizeof(ip4));
		return sizeof(eth) + sizeof(ip4);
	}
	eth.ether_type = htons(ETHERTYPE_IPV6);
	ip6.ip6_vfc = 0x60;
	ip6.ip6_nxt = IPPROTO_NONE;
	ip6.ip6_hlim = 64;
	inet_pton(AF_INET6, "2001:db8::2", &ip6.ip6_src);
	if (p->family == AF_INET) {
		memcpy(&ip6.ip6_dst, v4_mapped, sizeof(v4_mapped));
		memcpy((uint8_t *)&ip6.ip6_dst + sizeof(v4_mapped), p->addr, 4);
	} else {
		memcpy(&ip6.ip6_dst, p->addr, 16);
	}
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + sizeof(eth), &ip6, sizeof(ip6));
	return sizeof(eth) + sizeof(ip6);
}

/*
 * Run the program once on @pkt; its return value in *ret_retval and the mask
 * it left in *ret_zones.  Asserts that it ran exactly once.
 */
static void run_packet(struct zone_lookup_bpf *skel, const void *pkt, size_t len,
		       uint64_t *ret_zones, uint32_t *ret_retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .repeat = 1);
	uint32_t runs = skel->bss->dlp_test_runs;
	int err;

	skel->bss->dlp_test_zones = UNTOUCHED;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.dlp_test_zone), &opts);
	if (err)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(-err));
	if (skel->bss->dlp_test_runs != runs + 1)
		fail_msg("run counter went from %u to %u; the program did not run once",
			 runs, skel->bss->dlp_test_runs);
	*ret_zones = skel->bss->dlp_test_zones;
	*ret_retval = opts.retval;
}

struct probe_run {
	struct zone_lookup_bpf *skel;
	const struct dlp_policy *pol;
	const char *policy_name;
	unsigned int probes;
	unsigned int failures;
};

/*
 * Look @p up in the kernel, as an IPv4 packet and as an IPv4-mapped IPv6
 * packet for an IPv4 address, and compare with @want; a mismatch is printed
 * with the probe and counted.
 */
static void check_probe(struct probe_run *r, const struct probe *p, uint64_t want, const char *why)
{
	uint8_t pkt[128];
	uint64_t zones;
	uint32_t retval;
	unsigned int i;
	size_t len;

	for (i = 0; i < (p->family == AF_INET ? 2u : 1u); i++) {
		len = build_packet(p, i, pkt, sizeof(pkt));
		run_packet(r->skel, pkt, len, &zones, &retval);
		r->probes++;
		if (retval == TC_ACT_OK && zones == want)
			continue;
		r->failures++;
		print_error("%s: probe %s (%s, %s): kernel 0x%llx {%s}, ", r->policy_name,
			    probe_str(p), p->family == AF_INET6 ? "IPv6 packet" :
			    i ? "IPv4-mapped in an IPv6 packet" : "IPv4 packet", why,
			    (unsigned long long)zones,
			    zone_names(r->pol, zones));
		print_error("expected 0x%llx {%s}, program returned %u\n",
			    (unsigned long long)want, zone_names(r->pol, want), retval);
	}
}

static void check_expect(struct probe_run *r, const struct expect *e)
{
	struct probe p = parse_probe(e->addr);
	uint64_t want = zones_named(r->pol, e->zones);
	uint64_t ref = brute_force_zones(r->pol, &p);

	if (ref != want) {
		r->failures++;
		print_error("%s: probe %s: the reference gives {%s}, the hand-written "
			    "expectation {%s}\n", r->policy_name, e->addr,
			    zone_names(r->pol, ref), zone_names(r->pol, want));
	}
	check_probe(r, &p, want, "by hand");
}

/* @p += 1 or -= 1 over its family's bytes; false if it wrapped. */
static bool step(struct probe *p, int delta)
{
	int i;

	for (i = addr_len(p->family) - 1; i >= 0; i--) {
		p->addr[i] += delta;
		if (p->addr[i] != (delta > 0 ? 0x00 : 0xff))
			return true;
	}
	return false;
}

/* First and last address of @n, and the addresses just outside it. */
static void check_boundaries(struct probe_run *r, const struct dlp_network *n)
{
	struct probe first = { .family = n->family }, last, p;
	unsigned int i;

	memcpy(first.addr, n->addr, addr_len(n->family));
	last = first;
	for (i = n->prefixlen; i < 8 * addr_len(n->family); i++)
		last.addr[i / 8] |= 0x80 >> (i % 8);

	check_probe(r, &first, brute_force_zones(r->pol, &first), "first of a network");
	check_probe(r, &last, brute_force_zones(r->pol, &last), "last of a network");
	p = first;
	if (step(&p, -1))
		check_probe(r, &p, brute_force_zones(r->pol, &p), "just below a network");
	p = last;
	if (step(&p, 1))
		check_probe(r, &p, brute_force_zones(r->pol, &p), "just above a network");
}

static void load_policy(struct dlp_policy *pol, const char *name, const char *text)
{
	struct dlp_diag diag;

	dlp_policy_init(pol);
	dlp_diag_init(&diag, name, stderr);
	if (dlp_policy_load_buffer(pol, text, strlen(text), &diag))
		fail_msg("test policy %s does not compile", name);
}

/* Put @slot in force, as dlp_slot_switch() does (without its check of dlp_config). */
static void set_slot(struct zone_lookup_bpf *skel, __u32 slot)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.dlp_slot), &zero, &slot, BPF_ANY))
		fail_msg("dlp_slot = %u: %s", slot, strerror(errno));
}

/* Delete every entry of the zone map, of both slots. */
static void empty_map(int map_fd)
{
	struct dlp_zone_key key;

	while (!bpf_map_get_next_key(map_fd, NULL, &key))
		if (bpf_map_delete_elem(map_fd, &key))
			fail_msg("emptying dlp_zones: %s", strerror(errno));
}

static void fill_slot(struct zone_lookup_bpf *skel, const char *name, __u32 slot,
		      const struct dlp_policy *pol)
{
	int err = dlp_zone_map_fill(bpf_map__fd(skel->maps.dlp_zones), slot, pol);

	if (err)
		fail_msg("%s: dlp_zone_map_fill into slot %u: %s", name, slot, strerror(-err));
}

/*
 * Check, against r->pol (the policy in force), the hand-written probes, the
 * edges of every network of @probes and the edges of both address spaces.
 */
static void check_probes(struct probe_run *r, const struct dlp_policy *probes,
			 const struct expect *hand, size_t nhand)
{
	static const char *const edges[] = {
		"0.0.0.0",
		"255.255.255.255",
		"::",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"::1",
		"::ffff:0:0",
		"::fffe:ffff:ffff",
		"::1:0:0:0",
	};
	struct probe p;
	unsigned int z, k;
	size_t i;

	for (i = 0; i < nhand; i++)
		check_expect(r, &hand[i]);
	for (z = 0; z < probes->nzones; z++)
		for (k = 0; k < probes->zones[z].nnets; k++)
			check_boundaries(r, &probes->zones[z].nets[k]);
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		p = parse_probe(edges[i]);
		check_probe(r, &p, brute_force_zones(r->pol, &p), "edge of the address space");
	}
}

static void end_run(const struct probe_run *r)
{
	if (r->failures)
		fail_msg("%s: %u of %u lookups wrong (listed above)", r->policy_name, r->failures,
			 r->probes);
	print_message("%s: %u lookups right\n", r->policy_name, r->probes);
}

/*
 * Compile @text and, in each slot in turn, alone in the zone map with
 * dlp_slot naming it: fill the slot and check the probes against the
 * reference.
 */
static void check_policy(struct zone_lookup_bpf *skel, const char *name, const char *text,
			 const struct expect *hand, size_t nhand)
{
	struct dlp_policy pol;
	char run_name[64];
	__u32 slot;

	load_policy(&pol, name, text);
	for (slot = 0; slot < DLP_SLOTS; slot++) {
		struct probe_run r = { .skel = skel, .pol = &pol, .policy_name = run_name };

		snprintf(run_name, sizeof(run_name), "%s in slot %u", name, slot);
		empty_map(bpf_map__fd(skel->maps.dlp_zones));
		fill_slot(skel, name, slot, &pol);
		set_slot(skel, slot);
		check_probes(&r, &pol, hand, nhand);
		end_run(&r);
	}
	dlp_policy_free(&pol);
}

static void test_nested(void **state)
{
	static const struct expect hand[] = {
		{ "10.0.0.0", "lgwan" },
		{ "10.255.255.255", "lgwan" },
		{ "9.255.255.255", "" },		/* not in v6any: ::/0 is IPv6 only */
		{ "11.0.0.0", "" },
		{ "10.19.255.255", "lgwan" },
		{ "10.20.0.0", "lgwan 庁内" },
		{ "10.20.255.255", "lgwan 庁内" },
		{ "10.21.0.0", "lgwan" },
		{ "10.20.29.255", "lgwan 庁内" },
		{ "10.20.30.0", "lgwan 庁内 cloud" },
		{ "10.20.30.39", "lgwan 庁内 cloud" },
		{ "10.20.30.40", "lgwan 庁内 cloud 無害化" },
		{ "10.20.30.41", "lgwan 庁内 cloud dns" },
		{ "10.20.30.42", "lgwan 庁内 cloud dns" },
		{ "10.20.30.43", "lgwan 庁内 cloud dns" },
		{ "10.20.30.44", "lgwan 庁内 cloud" },
		{ "10.20.31.0", "lgwan 庁内" },
		{ "192.168.10.1", "cloud proxy" },
		{ "192.168.10.127", "cloud proxy" },
		{ "192.168.10.128", "cloud proxy" },
		{ "192.168.11.0", "" },
		{ "172.16.0.1", "lgwan" },
		{ "172.31.255.255", "lgwan" },
		{ "172.32.0.0", "" },
		{ "::ffff:10.20.30.40", "lgwan 庁内 cloud 無害化" },
		{ "::ffff:8.8.8.8", "" },
		{ "fd00:10::1", "lgwan v6any" },
		{ "fd00:10:20::1", "lgwan 庁内 v6any" },
		{ "fd00:10:20::40", "lgwan 庁内 無害化 v6any" },
		{ "fd00:10:20::41", "lgwan 庁内 v6any" },
		{ "fd00:10:21::", "lgwan v6any" },
		{ "fd00:11::", "v6any" },
		{ "2001:db8::1", "v6any" },
		{ "::", "v6any" },
		{ "::1", "v6any" },
	};

	check_policy(*state, "nested", nested_policy, hand, sizeof(hand) / sizeof(hand[0]));
}

static void test_v4_any(void **state)
{
	static const struct expect hand[] = {
		{ "0.0.0.0", "internet" },
		{ "8.8.8.8", "internet" },
		{ "255.255.255.255", "internet" },
		{ "10.1.2.2", "internet lgwan" },
		{ "10.1.2.3", "internet lgwan host" },
		{ "::ffff:8.8.8.8", "internet" },
		{ "2001:db8::1", "lgwan host" },
		{ "2001:db8::2", "lgwan" },
		{ "fd00::1", "" },			/* 0.0.0.0/0 is IPv4 only */
		{ "::", "" },
	};

	check_policy(*state, "v4any", v4any_policy, hand, sizeof(hand) / sizeof(hand[0]));
}

static void test_no_zone(void **state)
{
	static const struct expect hand[] = {
		{ "10.0.0.1", "" },
		{ "2001:db8::1", "" },
	};

	check_policy(*state, "no-zone", no_zone_policy, hand, sizeof(hand) / sizeof(hand[0]));
}

static void test_mapped(void **state)
{
	static const struct expect hand[] = {
		{ "10.20.1.1", "lgwan mapped" },
		{ "::ffff:10.20.1.1", "lgwan mapped" },
		{ "10.21.0.0", "lgwan" },
		{ "192.0.2.1", "mapped" },
		{ "192.0.2.2", "" },
		{ "::ffff:192.0.2.2", "" },
		{ "2001:db8::1", "v6any" },
	};

	check_policy(*state, "mapped", mapped_policy, hand, sizeof(hand) / sizeof(hand[0]));
}

/*
 * Two different zone tables, one per slot: every address (the networks and
 * edges of both policies) has the zones of the slot dlp_slot names, and none
 * while it names a slot left empty.
 */
static void test_slots_apart(void **state)
{
	struct zone_lookup_bpf *skel = *state;
	struct dlp_policy pol[DLP_SLOTS], none;
	const char *const names[DLP_SLOTS] = { "nested", "v4any" };
	int fd = bpf_map__fd(skel->maps.dlp_zones);
	char run_name[64];
	__u32 slot, round, other;

	load_policy(&pol[0], names[0], nested_policy);
	load_policy(&pol[1], names[1], v4any_policy);
	load_policy(&none, "no-zone", no_zone_policy);
	fill_slot(skel, names[0], 0, &pol[0]);
	fill_slot(skel, names[1], 1, &pol[1]);
	for (round = 0; round < 2; round++) {
		for (slot = 0; slot < DLP_SLOTS; slot++) {
			struct probe_run r = { .skel = skel,
					       .pol = &pol[slot],
					       .policy_name = run_name };

			snprintf(run_name, sizeof(run_name), "%s in slot %u beside %s", names[slot],
				 slot, names[!slot]);
			set_slot(skel, slot);
			for (other = 0; other < DLP_SLOTS; other++)
				check_probes(&r, &pol[other], NULL, 0);
			end_run(&r);
		}
	}

	/* slot 1 emptied: with dlp_slot 1 no address is in a zone, slot 0 still holds */
	empty_map(fd);
	fill_slot(skel, names[0], 0, &pol[0]);
	for (slot = 0; slot < DLP_SLOTS; slot++) {
		struct probe_run r = { .skel = skel,
				       .pol = slot ? &none : &pol[0],
				       .policy_name = run_name };

		snprintf(run_name, sizeof(run_name), "dlp_slot %u, only slot 0 filled", slot);
		set_slot(skel, slot);
		for (other = 0; other < DLP_SLOTS; other++)
			check_probes(&r, &pol[other], NULL, 0);
		end_run(&r);
	}

	for (slot = 0; slot < DLP_SLOTS; slot++)
		dlp_policy_free(&pol[slot]);
	dlp_policy_free(&none);
}

static bool map_is_empty(int map_fd)
{
	struct dlp_zone_key key;

	return bpf_map_get_next_key(map_fd, NULL, &key) == -ENOENT;
}

/*
 * A table the map cannot hold is refused before anything is written.  The
 * parser never makes one (it reads ::ffff:10.20.0.0/112 as 10.20.0.0/16), so
 * the last entry is turned into such a network by hand.
 */
static void test_fill_refuses_mapped(void **state)
{
	struct zone_lookup_bpf *skel = *state;
	int fd = bpf_map__fd(skel->maps.dlp_zones);
	struct dlp_network *net;
	struct dlp_policy pol;

	load_policy(&pol, "v4any", v4any_policy);
	assert_true(pol.nprefixes > 1);
	net = &pol.prefixes[pol.nprefixes - 1].net;
	*net = (struct dlp_network){ .family = AF_INET6, .prefixlen = 112 };
	assert_int_equal(inet_pton(AF_INET6, "::ffff:10.20.0.0", net->addr), 1);

	assert_int_equal(dlp_zone_map_fill(fd, 0, &pol), -EINVAL);
	assert_true(map_is_empty(fd));
	assert_int_equal(dlp_zone_map_fill(fd, 1, &pol), -EINVAL);
	assert_true(map_is_empty(fd));
	dlp_policy_free(&pol);
}

/*
 * The slot must start empty: an entry already there is not overwritten.  The
 * other slot's entries are no obstacle.  A slot out of range writes nothing.
 */
static void test_fill_twice(void **state)
{
	struct zone_lookup_bpf *skel = *state;
	int fd = bpf_map__fd(skel->maps.dlp_zones);
	struct dlp_policy pol;

	load_policy(&pol, "v4any", v4any_policy);
	assert_int_equal(dlp_zone_map_fill(fd, DLP_SLOTS, &pol), -EINVAL);
	assert_int_equal(dlp_zone_map_fill(fd, UINT32_MAX, &pol), -EINVAL);
	assert_true(map_is_empty(fd));
	assert_int_equal(dlp_zone_map_fill(fd, 0, &pol), 0);
	assert_int_equal(dlp_zone_map_fill(fd, 0, &pol), -EEXIST);
	assert_int_equal(dlp_zone_map_fill(fd, 1, &pol), 0);
	assert_int_equal(dlp_zone_map_fill(fd, 1, &pol), -EEXIST);
	assert_int_equal(dlp_zone_map_fill(-1, 0, &pol), -EBADF);
	dlp_policy_free(&pol);
}

/*
 * A frame that is neither IPv4 nor IPv6 is refused, and the program still ran.
 * (IP frames shorter than their header cannot be tried: BPF_PROG_TEST_RUN
 * refuses them itself, EINVAL on 6.18.)
 */
static void test_not_ip(void **state)
{
	uint8_t pkt[64] = { 0 };
	struct ether_header *eth = (void *)pkt;
	uint64_t zones;
	uint32_t retval;

	eth->ether_type = htons(ETHERTYPE_ARP);
	run_packet(*state, pkt, sizeof(pkt), &zones, &retval);
	assert_int_equal(retval, TC_ACT_SHOT);
	assert_true(zones == UNTOUCHED);
}

/* @net_text's key in each slot: the slot, then @key_text/@prefixlen after its 8 bits. */
static void assert_key(const char *net_text, const char *key_text, unsigned int prefixlen)
{
	static const __u8 zero_pad[3];
	struct dlp_network net;
	struct dlp_zone_key key;
	__u8 want[16];
	char why[128];
	__u32 slot;

	assert_int_equal(dlp_network_parse(net_text, &net, why, sizeof(why)), 0);
	assert_int_equal(inet_pton(AF_INET6, key_text, want), 1);
	for (slot = 0; slot < DLP_SLOTS; slot++) {
		memset(&key, 0xa5, sizeof(key));
		assert_int_equal(dlp_zone_key_from_network(&net, slot, &key), 0);
		assert_int_equal(key.prefixlen, DLP_ZONE_SLOT_BITS + prefixlen);
		assert_int_equal(key.slot, slot);
		assert_memory_equal(key.addr, want, sizeof(key.addr));
		assert_memory_equal(key.pad, zero_pad, sizeof(key.pad));
	}
	memset(&key, 0xa5, sizeof(key));
	assert_int_equal(dlp_zone_key_from_network(&net, DLP_SLOTS, &key), -EINVAL);
	assert_int_equal(key.prefixlen, 0xa5a5a5a5);
}

static void assert_no_key(const struct dlp_network *net, int err)
{
	struct dlp_zone_key key = { .prefixlen = 999 };
	__u32 slot;

	for (slot = 0; slot < DLP_SLOTS; slot++) {
		assert_int_equal(dlp_zone_key_from_network(net, slot, &key), err);
		assert_int_equal(key.prefixlen, 999);
	}
}

static void test_key_from_network(void **state)
{
	struct dlp_network net = { .family = AF_INET, .prefixlen = 33 };

	(void)state;
	assert_key("10.20.30.40", "::ffff:10.20.30.40", 128);
	assert_key("10.20.0.0/16", "::ffff:10.20.0.0", 112);
	assert_key("0.0.0.0/0", "::ffff:0.0.0.0", 96);
	assert_key("fd00:10::/32", "fd00:10::", 32);
	assert_key("::/0", "::", 0);
	assert_key("::ffff:10.20.0.0/112", "::ffff:10.20.0.0", 112);	/* parsed as IPv4 */
	assert_key("::fffe:0:0/95", "::fffe:0:0", 95);	/* holds all of IPv4: allowed */
	assert_key("64:ff9b::/96", "64:ff9b::", 96);

	assert_no_key(&net, -EINVAL);
	net = (struct dlp_network){ .family = AF_INET6, .prefixlen = 129 };
	assert_no_key(&net, -EINVAL);
	net = (struct dlp_network){ .family = AF_UNIX };
	assert_no_key(&net, -EAFNOSUPPORT);
	/* IPv6 networks inside ::ffff:0:0/96, which the parser never makes */
	net = (struct dlp_network){ .family = AF_INET6, .prefixlen = 96 };
	assert_int_equal(inet_pton(AF_INET6, "::ffff:0:0", net.addr), 1);
	assert_no_key(&net, -EINVAL);
	net.prefixlen = 128;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:10.20.30.40", net.addr), 1);
	assert_no_key(&net, -EINVAL);
}

static int skel_setup(void **state)
{
	struct zone_lookup_bpf *skel = zone_lookup_bpf__open_and_load();

	if (!skel) {
		print_error("zone_lookup_bpf__open_and_load: %s\n", strerror(errno));
		return -1;
	}
	*state = skel;
	return 0;
}

static int skel_teardown(void **state)
{
	zone_lookup_bpf__destroy(*state);
	return 0;
}

/*
 * Whether the kernel loads the program at all: not when it refuses BPF to
 * this process (EPERM) or has none (ENOSYS).  Other errors are the test's to
 * report, case by case.
 */
static bool kernel_refuses(void)
{
	struct zone_lookup_bpf *skel = zone_lookup_bpf__open_and_load();
	int err = errno;

	if (skel)
		zone_lookup_bpf__destroy(skel);
	return !skel && bpftest_refused(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_from_network),
		cmocka_unit_test_setup_teardown(test_nested, skel_setup, skel_teardown),
		cmocka_unit_test_setup_teardown(test_v4_any, skel_setup, skel_teardown),
		cmocka_unit_test_setup_teardown(test_no_zone, skel_setup, skel_teardown),
		cmocka_unit_test_setup_teardown(test_mapped, skel_setup, skel_teardown),
		cmocka_unit_test_setup_teardown(test_slots_apart, skel_setup, skel_teardown),
		cmocka_unit_test_setup_teardown(test_fill_refuses_mapped, skel_setup,
						skel_teardown),
		cmocka_unit_test_setup_teardown(test_fill_twice, skel_setup, skel_teardown),
		cmocka_unit_test_setup_teardown(test_not_ip, skel_setup, skel_teardown),
	};

	if (kernel_refuses())
		return EXIT_SKIP;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
