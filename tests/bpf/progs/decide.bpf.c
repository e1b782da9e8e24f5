// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the decision (bpf/common.h), run with BPF_PROG_TEST_RUN by
 * tests/bpf/test_decide.c: a struct dlp_request carried in a test packet,
 * after an Ethernet header, is decided by dlp_decide() over the maps the test
 * filled, reported with dlp_report() on deny or audit, and turned into a
 * return value by dlp_denies(), as a hook will.  What it decided is left in
 * .bss.  The request carries its zones already looked up; bpf/zone.h is
 * included for its map, which dlp_policy_maps_fill() fills with the rest.
 * A tc program because the host loads it and BPF_PROG_TEST_RUN feeds
 * it any bytes; it is never attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "common.h"
#include "zone.h"

#define ETH_HLEN	14
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2

__u32 dlp_test_runs;		/* how many packets the program has seen */
__u32 dlp_test_reported;	/* records reserved and submitted */
__u8 dlp_test_verdict;		/* of the last request */
__u8 dlp_test_reason;
__u8 dlp_test_denies;		/* dlp_denies() */
__u16 dlp_test_rule;

/*
 * TC_ACT_SHOT when the hook would refuse, TC_ACT_OK when it would not;
 * TC_ACT_SHOT with dlp_test_verdict untouched if the packet holds no request.
 */
SEC("tc")
int dlp_test_decide(struct __sk_buff *skb)
{
	const struct dlp_config *cfg;
	struct dlp_request q;
	struct dlp_event *e;
	__u8 verdict, reason = 0xff;
	__u16 rule = 0xffff;
	bool denies;

	__sync_fetch_and_add(&dlp_test_runs, 1);
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &q, sizeof(q)))
		return TC_ACT_SHOT;
	cfg = dlp_get_config(dlp_active_slot());
	if (!cfg)
		return TC_ACT_SHOT;

	verdict = dlp_decide(cfg, &q, &rule, &reason);
	if (verdict == DLP_VERDICT_DENY || verdict == DLP_VERDICT_AUDIT) {
		e = dlp_report(cfg, DLP_HOOK_SOCKET_CONNECT, &q, verdict, reason, rule);
		if (e) {
			bpf_ringbuf_submit(e, 0);
			__sync_fetch_and_add(&dlp_test_reported, 1);
		}
	}
	denies = dlp_denies(cfg, verdict);

	dlp_test_verdict = verdict;
	dlp_test_reason = reason;
	dlp_test_rule = rule;
	dlp_test_denies = denies;
	return denies ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
