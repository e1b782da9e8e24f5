// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the policy slots (bpf/slot.h, user/lib/slots.c), run with
 * BPF_PROG_TEST_RUN by tests/bpf/test_slots.c.  It declares every map a
 * slot has entries in, as the hook objects do, for the test to fill and
 * clear; and for a device number and an address carried in a test packet,
 * after an Ethernet header, it leaves in .bss what one decision would take
 * from the slot in force: the slot, its config's generation, the device's
 * media kind, the address's zones and the slot's labelled filesystems.  A
 * tc program because the host loads it; it is never attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "common.h"
#include "label.h"
#include "media.h"
#include "zone.h"

#define ETH_HLEN    14
#define TC_ACT_OK   0
#define TC_ACT_SHOT 2

/* What the test packet carries after its Ethernet header. */
struct dlp_test_probe {
	__u32 dev;
	__u8 addr[16];
};

__u32 dlp_test_runs;	    /* how many packets the program has seen */
__u32 dlp_test_slot;	    /* dlp_active_slot() */
__u32 dlp_test_generation;  /* of the slot's config; 0 if it holds no policy */
__u8 dlp_test_media;	    /* enum dlp_media_kind of the probe's device */
__u32 dlp_test_ledger;	    /* its ledger_index, when registered */
__u64 dlp_test_zones;	    /* of the probe's address */
__u32 dlp_test_label_ndevs; /* the slot's labelled filesystems; 0 if no labels */

/* TC_ACT_OK with the globals set; TC_ACT_SHOT if the packet holds no probe. */
SEC("tc")
int dlp_test_slots(struct __sk_buff *skb)
{
	const struct dlp_label_conf *conf;
	const struct dlp_config *cfg;
	struct dlp_request q = {};
	struct dlp_test_probe p;
	bool writable;
	__u32 slot;

	__sync_fetch_and_add(&dlp_test_runs, 1);
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &p, sizeof(p)))
		return TC_ACT_SHOT;
	slot = dlp_active_slot();
	cfg = dlp_get_config(slot);
	conf = bpf_map_lookup_elem(&dlp_label_conf, &slot);

	dlp_test_slot = slot;
	dlp_test_generation = cfg ? cfg->generation : 0;
	dlp_media_of(slot, p.dev, &q, &writable);
	dlp_test_media = q.media;
	dlp_test_ledger = q.ledger_index;
	dlp_test_zones = dlp_zone_lookup(slot, p.addr);
	dlp_test_label_ndevs = conf && conf->version == DLP_LABEL_VERSION ? conf->ndevs : 0;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
