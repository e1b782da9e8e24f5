// SPDX-License-Identifier: GPL-2.0
/*
 * Host BPF test: two policies side by side (DLP_SLOTS, bpf/slot.h) and the
 * switch between them (user/lib/slots.c).  tests/bpf/progs/slots.bpf.c
 * declares every map that holds a slot; each slot is filled as dlpd will
 * (dlp_policy_maps_fill(), dlp_label_map_fill(), dlp_media_map_set()) with
 * a different policy, different labels and different device verdicts, and
 * more hash entries than dlp_slot_clear() gathers at first.  Then:
 *
 * - dlp_slot_clear() deletes exactly the slot's keys in dlp_label_inodes,
 *   dlp_media and dlp_zones, zeroes its config and label config, and leaves
 *   every entry of the other slot as it was; it refuses the slot in force
 *   (-EBUSY) and a slot out of range (-EINVAL), changing nothing;
 * - dlp_slot_switch() refuses a slot holding no policy of this ABI (-EINVAL,
 *   dlp_slot unchanged) and puts a filled one in force;
 * - the program, run with BPF_PROG_TEST_RUN (nothing is attached), takes
 *   its config, device verdict, zones and labels from the slot dlp_slot
 *   names, and finds nothing in a cleared slot;
 * - dlp_rcu_fence() returns 0.
 *
 * Exits 77 after printing "SKIP: <reason>" when the kernel refuses to load
 * BPF or create its maps (EPERM, ENOSYS); tests/run.sh counts that as skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <dlpguard/abi.h>
#include <dlpguard/label.h>
#include <dlpguard/media.h>
#include <dlpguard/rule.h>

#include "bpftest.h"
#include "devices.h"
#include "label_map.h"
#include "loader.h"
#include "lower.h"
#include "policy.h"
#include "slots.h"
#include "slots.skel.h"

#define EXIT_SKIP  77
#define ETH_HLEN   14
#define TC_ACT_OK  0
#define GENERATION 100 /* slot s's policy is generation GENERATION + s */
#define LABEL_DEV  DLP_DEV(8, 3)
#define PROBE_DEV  DLP_DEV(8, 16)
#define UNTOUCHED  0xeeeeeeee

#define POLICY_HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

/* Slot 0: two IPv4 zones (and the IPv4 boundary); slot 1: 0.0.0.0/0 and more. */
static const char *const policies[DLP_SLOTS] = {
	POLICY_HEAD "zone lgwan 10.0.0.0/8\nzone gw 10.20.30.40\n",
	POLICY_HEAD "zone internet 0.0.0.0/0\nzone lab 192.168.0.0/16 2001:db8::/32 "
		    "fd00::/8\n",
};

/* Entries per slot: more than the 256 keys dlp_slot_clear() first makes room for. */
static const unsigned int nlabels[DLP_SLOTS] = { 1000, 700 };
static const unsigned int ndevices[DLP_SLOTS] = { 300, 520 };

/* What the program sees for PROBE_DEV and 10.20.30.40 with each slot in force. */
static const struct {
	__u64 zones;
	__u32 ledger;
	__u32 label_ndevs;
} seen[DLP_SLOTS] = {
	{ .zones = 0x3, .ledger = 16, .label_ndevs = 1 },   /* lgwan gw */
	{ .zones = 0x1, .ledger = 1016, .label_ndevs = 2 }, /* internet */
};

static int no_account(const char *name, __u32 *ret_id)
{
	(void)name;
	(void)ret_id;
	return -ENOENT;
}

static const struct dlp_resolver no_accounts = { .user = no_account, .group = no_account };

struct bed {
	struct slots_bpf *skel;
	struct dlp_loader_fds fds;
	unsigned int nzones[DLP_SLOTS]; /* zone keys each slot's policy gives */
};

static int bed_setup(void **state)
{
	struct bed *b = calloc(1, sizeof(*b));

	if (!b)
		return -1;
	b->skel = slots_bpf__open_and_load();
	if (!b->skel) {
		print_error("slots_bpf__open_and_load: %s\n", strerror(errno));
		free(b);
		return -1;
	}
	memset(&b->fds, 0xff, sizeof(b->fds));
	b->fds.slot = bpf_map__fd(b->skel->maps.dlp_slot);
	b->fds.config = bpf_map__fd(b->skel->maps.dlp_config);
	b->fds.rules = bpf_map__fd(b->skel->maps.dlp_rules);
	b->fds.zones = bpf_map__fd(b->skel->maps.dlp_zones);
	b->fds.media = bpf_map__fd(b->skel->maps.dlp_media);
	b->fds.labels.inodes = bpf_map__fd(b->skel->maps.dlp_label_inodes);
	b->fds.labels.prefixes = bpf_map__fd(b->skel->maps.dlp_label_prefixes);
	b->fds.labels.conf = bpf_map__fd(b->skel->maps.dlp_label_conf);
	*state = b;
	return 0;
}

static int bed_teardown(void **state)
{
	struct bed *b = *state;

	slots_bpf__destroy(b->skel);
	free(b);
	return 0;
}

/* ---- filling a slot as dlpd will -------------------------------------------------------- */

static struct dlp_label_value label_value(__u32 slot, unsigned int i)
{
	return (struct dlp_label_value){
		.class = 1 + slot,
		.integrity = 1,
		.flags = i % 2 ? DLP_LABEL_F_SUBTREE : 0,
		.paths = (__u64)i << slot,
	};
}

static struct dlp_media_dev media_value(__u32 slot, unsigned int minor)
{
	return (struct dlp_media_dev){
		.kind = DLP_DEVICE_REGISTERED,
		.writable = slot,
		.ledger_index = 1000 * slot + minor,
		.until_tai_ns = UINT64_MAX,
	};
}

static void fill_policy(struct bed *b, __u32 slot)
{
	struct dlp_lowered *low = calloc(1, sizeof(*low));
	struct dlp_policy pol;
	struct dlp_diag diag;
	unsigned int i;
	bool v4_any = false;
	int err;

	assert_non_null(low);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "slots.policy", stderr);
	if (dlp_policy_load_buffer(&pol, policies[slot], strlen(policies[slot]), &diag))
		fail_msg("the policy of slot %u does not compile", slot);
	err = dlp_policy_lower(&pol, &no_accounts, GENERATION + slot, low, &diag);
	if (err)
		fail_msg("dlp_policy_lower: %s", strerror(-err));
	err = dlp_policy_maps_fill(low, &pol, slot, b->fds.config, b->fds.rules, b->fds.zones);
	if (err)
		fail_msg("dlp_policy_maps_fill into slot %u: %s", slot, strerror(-err));
	/* one key per network, and the IPv4 boundary unless 0.0.0.0/0 is one */
	for (i = 0; i < pol.nprefixes; i++)
		v4_any |= pol.prefixes[i].net.family == AF_INET && !pol.prefixes[i].net.prefixlen;
	b->nzones[slot] = pol.nprefixes + !v4_any;
	dlp_lowered_free(low);
	free(low);
	dlp_policy_free(&pol);
}

/* nlabels[@slot] inodes of LABEL_DEV, the same inode numbers in both slots. */
static void fill_labels(struct bed *b, __u32 slot)
{
	struct dlp_label_tables *t = calloc(1, sizeof(*t));
	unsigned int i;
	int err;

	assert_non_null(t);
	for (i = 0; i < nlabels[slot]; i++) {
		/* the slot field is dlp_label_map_fill()'s to set */
		t->keys[i] =
			(struct dlp_label_key){ .dev = LABEL_DEV, .slot = !slot, .ino = i + 1 };
		t->values[i] = label_value(slot, i);
	}
	t->ninodes = nlabels[slot];
	t->conf.version = DLP_LABEL_VERSION;
	t->conf.ndevs = seen[slot].label_ndevs;
	for (i = 0; i < t->conf.ndevs; i++)
		t->conf.devs[i] = (struct dlp_label_dev){ .dev = LABEL_DEV + i, .class = 1 + slot };
	err = dlp_label_map_fill(t, slot, &b->fds.labels);
	free(t);
	if (err)
		fail_msg("dlp_label_map_fill into slot %u: %s", slot, strerror(-err));
}

/* ndevices[@slot] registered devices 8:1 .., the same numbers in both slots. */
static void fill_media(struct bed *b, __u32 slot)
{
	struct dlp_device d = { 0 };
	struct dlp_media_dev v;
	unsigned int minor;
	int err;

	for (minor = 1; minor <= ndevices[slot]; minor++) {
		d.dev = DLP_DEV(8, minor);
		v = media_value(slot, minor);
		err = dlp_media_map_set(b->fds.media, slot, &d, &v);
		if (err)
			fail_msg("dlp_media_map_set(slot %u, 8:%u): %s", slot, minor,
				 strerror(-err));
	}
}

static void fill_slot(struct bed *b, __u32 slot)
{
	fill_policy(b, slot);
	fill_labels(b, slot);
	fill_media(b, slot);
}

/* ---- what the maps hold ----------------------------------------------------------------- */

/* Keys of @fd per slot: counts[s] for slot s, counts[DLP_SLOTS] for any other value. */
static void count_keys(int fd, size_t key_size, size_t off, size_t width,
		       unsigned int counts[DLP_SLOTS + 1])
{
	unsigned char cur[64], next[64];
	void *prev = NULL;
	__u32 slot;
	int err;

	assert_true(key_size <= sizeof(cur));
	memset(counts, 0, (DLP_SLOTS + 1) * sizeof(counts[0]));
	while (!(err = bpf_map_get_next_key(fd, prev, next))) {
		slot = 0;
		memcpy(&slot, next + off, width);
		counts[slot < DLP_SLOTS ? slot : DLP_SLOTS]++;
		memcpy(cur, next, key_size);
		prev = cur;
	}
	assert_int_equal(err, -ENOENT);
}

/*
 * Each map holds @want[s] entries of slot s whose filling @filled[s] says
 * was done, none of the others and none of another slot value; and the
 * config and label config of each slot are filled or zero accordingly.
 */
static void assert_slots(const struct bed *b, const bool filled[DLP_SLOTS], const char *when)
{
	static const struct dlp_label_conf no_labels;
	static const struct dlp_config no_policy;
	unsigned int counts[DLP_SLOTS + 1];
	struct dlp_label_conf lconf;
	struct dlp_config cfg;
	__u32 slot;

	count_keys(b->fds.labels.inodes, sizeof(struct dlp_label_key),
		   offsetof(struct dlp_label_key, slot), sizeof(__u32), counts);
	for (slot = 0; slot < DLP_SLOTS; slot++)
		if (counts[slot] != (filled[slot] ? nlabels[slot] : 0))
			fail_msg("%s: dlp_label_inodes holds %u keys of slot %u, expected %u", when,
				 counts[slot], slot, filled[slot] ? nlabels[slot] : 0);
	assert_int_equal(counts[DLP_SLOTS], 0);

	count_keys(b->fds.media, sizeof(struct dlp_media_key), offsetof(struct dlp_media_key, slot),
		   sizeof(__u32), counts);
	for (slot = 0; slot < DLP_SLOTS; slot++)
		if (counts[slot] != (filled[slot] ? ndevices[slot] : 0))
			fail_msg("%s: dlp_media holds %u keys of slot %u, expected %u", when,
				 counts[slot], slot, filled[slot] ? ndevices[slot] : 0);
	assert_int_equal(counts[DLP_SLOTS], 0);

	count_keys(b->fds.zones, sizeof(struct dlp_zone_key), offsetof(struct dlp_zone_key, slot),
		   sizeof(__u8), counts);
	for (slot = 0; slot < DLP_SLOTS; slot++)
		if (counts[slot] != (filled[slot] ? b->nzones[slot] : 0))
			fail_msg("%s: dlp_zones holds %u keys of slot %u, expected %u", when,
				 counts[slot], slot, filled[slot] ? b->nzones[slot] : 0);
	assert_int_equal(counts[DLP_SLOTS], 0);

	for (slot = 0; slot < DLP_SLOTS; slot++) {
		assert_int_equal(bpf_map_lookup_elem(b->fds.config, &slot, &cfg), 0);
		assert_int_equal(bpf_map_lookup_elem(b->fds.labels.conf, &slot, &lconf), 0);
		if (filled[slot]) {
			if (cfg.abi_version != DLP_ABI_VERSION ||
			    cfg.generation != GENERATION + slot)
				fail_msg("%s: dlp_config[%u] is abi %u generation %u, not its "
					 "policy's",
					 when, slot, cfg.abi_version, cfg.generation);
			if (lconf.version != DLP_LABEL_VERSION ||
			    lconf.ndevs != seen[slot].label_ndevs)
				fail_msg("%s: dlp_label_conf[%u] is version %u with %u devices, "
					 "not its labels'",
					 when, slot, lconf.version, lconf.ndevs);
		} else {
			if (memcmp(&cfg, &no_policy, sizeof(cfg)))
				fail_msg("%s: dlp_config[%u] not zeroed", when, slot);
			if (memcmp(&lconf, &no_labels, sizeof(lconf)))
				fail_msg("%s: dlp_label_conf[%u] not zeroed", when, slot);
		}
	}
}

/* Every label and device entry of @slot reads back as it was written. */
static void assert_values(const struct bed *b, __u32 slot)
{
	struct dlp_label_value lv, lwant;
	struct dlp_media_dev mv, mwant;
	struct dlp_label_key lkey;
	struct dlp_media_key mkey;
	unsigned int i;

	for (i = 0; i < nlabels[slot]; i++) {
		lkey = (struct dlp_label_key){ .dev = LABEL_DEV, .slot = slot, .ino = i + 1 };
		lwant = label_value(slot, i);
		if (bpf_map_lookup_elem(b->fds.labels.inodes, &lkey, &lv) ||
		    memcmp(&lv, &lwant, sizeof(lv)))
			fail_msg("dlp_label_inodes (slot %u, ino %u): missing or changed", slot,
				 i + 1);
	}
	for (i = 1; i <= ndevices[slot]; i++) {
		mkey = (struct dlp_media_key){ .dev = DLP_DEV(8, i), .slot = slot };
		mwant = media_value(slot, i);
		if (bpf_map_lookup_elem(b->fds.media, &mkey, &mv) ||
		    memcmp(&mv, &mwant, sizeof(mv)))
			fail_msg("dlp_media (slot %u, 8:%u): missing or changed", slot, i);
	}
}

static __u32 active_slot(const struct bed *b)
{
	__u32 slot = UNTOUCHED;

	assert_int_equal(dlp_slot_active(&b->fds, &slot), 0);
	return slot;
}

/* dlp_slot written directly, past dlp_slot_switch()'s checks. */
static void force_slot(const struct bed *b, __u32 slot)
{
	__u32 zero = 0;

	assert_int_equal(bpf_map_update_elem(b->fds.slot, &zero, &slot, BPF_ANY), 0);
}

/* ---- the program ------------------------------------------------------------------------ */

struct outcome {
	__u32 slot;
	__u32 generation;
	__u8 media;
	__u32 ledger;
	__u64 zones;
	__u32 label_ndevs;
};

/* Run the program once on PROBE_DEV and 10.20.30.40; asserts it ran exactly once. */
static struct outcome run_probe(const struct bed *b)
{
	struct {
		__u8 eth[ETH_HLEN];
		__u32 dev;
		__u8 addr[16];
	} __attribute__((packed)) pkt = {
		.eth = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x88, 0xb5 },
		.dev = PROBE_DEV,
		.addr = { [10] = 0xff, 0xff, 10, 20, 30, 40 },
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);
	struct slots_bpf__bss *bss = b->skel->bss;
	__u32 runs = bss->dlp_test_runs;
	struct outcome o;
	int err;

	bss->dlp_test_slot = UNTOUCHED;
	bss->dlp_test_generation = UNTOUCHED;
	bss->dlp_test_media = 0xee;
	bss->dlp_test_ledger = UNTOUCHED;
	bss->dlp_test_zones = UNTOUCHED;
	bss->dlp_test_label_ndevs = UNTOUCHED;
	err = bpf_prog_test_run_opts(bpf_program__fd(b->skel->progs.dlp_test_slots), &opts);
	if (err)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(-err));
	if (bss->dlp_test_runs != runs + 1)
		fail_msg("run counter went from %u to %u; the program did not run once", runs,
			 bss->dlp_test_runs);
	assert_int_equal(opts.retval, TC_ACT_OK);
	o.slot = bss->dlp_test_slot;
	o.generation = bss->dlp_test_generation;
	o.media = bss->dlp_test_media;
	o.ledger = bss->dlp_test_ledger;
	o.zones = bss->dlp_test_zones;
	o.label_ndevs = bss->dlp_test_label_ndevs;
	return o;
}

/* The program, with dlp_slot naming @slot, takes everything from that slot's policy. */
static void assert_program_sees(const struct bed *b, __u32 slot, const char *when)
{
	struct outcome o = run_probe(b);

	if (o.slot != slot || o.generation != GENERATION + slot ||
	    o.media != DLP_MEDIA_REGISTERED || o.ledger != seen[slot].ledger ||
	    o.zones != seen[slot].zones || o.label_ndevs != seen[slot].label_ndevs)
		fail_msg("%s: the program saw slot %u generation %u media %u ledger %u zones "
			 "0x%llx label devices %u; slot %u holds generation %u, ledger %u, zones "
			 "0x%llx, %u label devices",
			 when, o.slot, o.generation, o.media, o.ledger, (unsigned long long)o.zones,
			 o.label_ndevs, slot, GENERATION + slot, seen[slot].ledger,
			 (unsigned long long)seen[slot].zones, seen[slot].label_ndevs);
}

/* The program, with dlp_slot naming @slot, finds no policy, device, zone or label there. */
static void assert_program_sees_nothing(const struct bed *b, __u32 slot, const char *when)
{
	struct outcome o = run_probe(b);

	if (o.slot != slot || o.generation || o.media != DLP_MEDIA_UNREGISTERED || o.zones ||
	    o.label_ndevs)
		fail_msg("%s: the program saw slot %u generation %u media %u zones 0x%llx label "
			 "devices %u in slot %u, which holds nothing",
			 when, o.slot, o.generation, o.media, (unsigned long long)o.zones,
			 o.label_ndevs, slot);
}

/* ---- tests ------------------------------------------------------------------------------ */

/*
 * Both slots filled; slot 1 put in force and slot 0 cleared, then slot 0
 * filled again, put in force and slot 1 cleared: each clear takes exactly
 * its slot's entries.
 */
static void test_clear_keeps_other_slot(void **state)
{
	struct bed *b = *state;
	const bool both[DLP_SLOTS] = { true, true }, only0[DLP_SLOTS] = { true, false },
		   only1[DLP_SLOTS] = { false, true };

	assert_int_equal(active_slot(b), 0);
	fill_slot(b, 0);
	fill_slot(b, 1);
	assert_slots(b, both, "both slots filled");
	assert_values(b, 0);
	assert_values(b, 1);
	assert_program_sees(b, 0, "both filled, slot 0 in force");

	assert_int_equal(dlp_slot_switch(&b->fds, 1), 0);
	assert_int_equal(active_slot(b), 1);
	assert_program_sees(b, 1, "switched to slot 1");
	assert_int_equal(dlp_slot_clear(&b->fds, 0), 0);
	assert_slots(b, only1, "slot 0 cleared");
	assert_values(b, 1);
	assert_program_sees(b, 1, "slot 0 cleared, slot 1 in force");
	force_slot(b, 0);
	assert_program_sees_nothing(b, 0, "slot 0 cleared");
	force_slot(b, 1);
	/* nothing left to delete: the same again */
	assert_int_equal(dlp_slot_clear(&b->fds, 0), 0);
	assert_slots(b, only1, "slot 0 cleared twice");

	/* the cleared slot takes a policy again: no key of it was left behind */
	fill_slot(b, 0);
	assert_slots(b, both, "slot 0 filled again");
	assert_int_equal(dlp_slot_switch(&b->fds, 0), 0);
	assert_int_equal(active_slot(b), 0);
	assert_int_equal(dlp_slot_clear(&b->fds, 1), 0);
	assert_slots(b, only0, "slot 1 cleared");
	assert_values(b, 0);
	assert_program_sees(b, 0, "slot 1 cleared, slot 0 in force");
	force_slot(b, 1);
	assert_program_sees_nothing(b, 1, "slot 1 cleared");
	force_slot(b, 0);
}

/* The slot in force, and slots that do not exist, are refused and nothing is touched. */
static void test_clear_refuses(void **state)
{
	static const __u32 bad[] = { DLP_SLOTS, DLP_SLOTS + 1, 255, 256, UINT32_MAX };
	struct bed *b = *state;
	const bool both[DLP_SLOTS] = { true, true };
	__u32 slot;
	size_t i;

	fill_slot(b, 0);
	fill_slot(b, 1);
	for (slot = 0; slot < DLP_SLOTS; slot++) {
		assert_int_equal(dlp_slot_switch(&b->fds, slot), 0);
		assert_int_equal(dlp_slot_clear(&b->fds, slot), -EBUSY);
		assert_slots(b, both, "clear of the slot in force refused");
		assert_program_sees(b, slot, "clear of the slot in force refused");
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (dlp_slot_clear(&b->fds, bad[i]) != -EINVAL)
				fail_msg("dlp_slot_clear(%u) is not -EINVAL", bad[i]);
			if (dlp_slot_switch(&b->fds, bad[i]) != -EINVAL)
				fail_msg("dlp_slot_switch(%u) is not -EINVAL", bad[i]);
		}
		assert_slots(b, both, "slots out of range refused");
		assert_int_equal(active_slot(b), slot);
	}
	assert_values(b, 0);
	assert_values(b, 1);

	/* dlp_slot holding neither slot: which one is in force is unknown, nothing cleared */
	force_slot(b, DLP_SLOTS);
	assert_int_equal(dlp_slot_active(&b->fds, &slot), -EINVAL);
	assert_int_equal(dlp_slot_clear(&b->fds, 0), -EINVAL);
	assert_slots(b, both, "dlp_slot out of range");
}

/* A slot whose config is not a policy of this ABI is never put in force. */
static void test_switch_refuses_empty(void **state)
{
	struct bed *b = *state;
	struct dlp_config cfg = { 0 };
	__u32 one = 1;

	/* nothing anywhere: dlp_slot stays 0 */
	assert_int_equal(dlp_slot_switch(&b->fds, 1), -EINVAL);
	assert_int_equal(active_slot(b), 0);

	fill_slot(b, 0);
	assert_int_equal(dlp_slot_switch(&b->fds, 1), -EINVAL);
	assert_int_equal(active_slot(b), 0);
	assert_program_sees(b, 0, "switch to an empty slot 1 refused");

	/* rules, zones, labels and media there, but a config of another ABI */
	fill_slot(b, 1);
	assert_int_equal(bpf_map_lookup_elem(b->fds.config, &one, &cfg), 0);
	cfg.abi_version = DLP_ABI_VERSION - 1;
	assert_int_equal(bpf_map_update_elem(b->fds.config, &one, &cfg, BPF_ANY), 0);
	assert_int_equal(dlp_slot_switch(&b->fds, 1), -EINVAL);
	assert_int_equal(active_slot(b), 0);

	cfg.abi_version = DLP_ABI_VERSION;
	assert_int_equal(bpf_map_update_elem(b->fds.config, &one, &cfg, BPF_ANY), 0);
	assert_int_equal(dlp_slot_switch(&b->fds, 1), 0);
	assert_int_equal(active_slot(b), 1);
	assert_program_sees(b, 1, "switched to slot 1");

	/* switching to the slot in force is allowed and changes nothing */
	assert_int_equal(dlp_slot_switch(&b->fds, 1), 0);
	assert_int_equal(active_slot(b), 1);

	/* cleared, slot 0 cannot be switched back to */
	assert_int_equal(dlp_slot_clear(&b->fds, 0), 0);
	assert_int_equal(dlp_slot_switch(&b->fds, 0), -EINVAL);
	assert_int_equal(active_slot(b), 1);
	assert_program_sees(b, 1, "switch to a cleared slot 0 refused");
}

static void test_rcu_fence(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(dlp_rcu_fence(), 0);
}

/*
 * Whether the kernel loads the program and creates its maps at all: not when
 * it refuses BPF to this process (EPERM) or has none (ENOSYS).  Other errors
 * are the test's to report, case by case.
 */
static bool kernel_refuses(void)
{
	struct slots_bpf *skel = slots_bpf__open_and_load();
	int err = errno;

	if (skel)
		slots_bpf__destroy(skel);
	return !skel && bpftest_refused(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clear_keeps_other_slot, bed_setup,
						bed_teardown),
		cmocka_unit_test_setup_teardown(test_clear_refuses, bed_setup, bed_teardown),
		cmocka_unit_test_setup_teardown(test_switch_refuses_empty, bed_setup, bed_teardown),
		cmocka_unit_test(test_rcu_fence),
	};

	if (kernel_refuses())
		return EXIT_SKIP;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
