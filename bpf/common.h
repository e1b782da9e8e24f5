/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every dlpguard hook shares: the policy maps dlpd fills, the rule walk,
 * and the decision record.  Include after vmlinux.h, <bpf/bpf_helpers.h> and
 * <bpf/bpf_core_read.h>.
 *
 * A hook gathers a struct dlp_request (include/dlpguard/rule.h), calls
 * dlp_decide(), reports with dlp_report() when the verdict is deny or audit,
 * and turns the verdict into its return value with dlp_denies(), which is
 * where monitor mode lets a deny through.
 */
#ifndef DLP_BPF_COMMON_H
#define DLP_BPF_COMMON_H

#include <dlpguard/event.h>
#include <dlpguard/rule.h>

#include "slot.h"

/* Each slot's policy (slot.h).  abi_version 0: none loaded there. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dlp_config);
	__uint(max_entries, DLP_SLOTS);
} dlp_config SEC(".maps");

/* Slot s's rules at s * DLP_MAX_RULES ..; its config's first[] says where. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dlp_kern_rule);
	__uint(max_entries, DLP_SLOTS * DLP_MAX_RULES);
} dlp_rules SEC(".maps");

/* 256 KiB: 728 records (352 bytes + an 8-byte header) between two reads by dlpd. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} dlp_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, DLP_STAT_COUNT);
} dlp_stats SEC(".maps");

/*
 * dlpd's own count that must outlive dlpd, as the pins do: the summed
 * DLP_STAT_LOST already written to the decision log as "lost" lines.  A
 * dlpd that takes the pins over logs every loss past it, those made while
 * no dlpd ran included.  No program touches it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} dlp_lost_logged SEC(".maps");

static __always_inline void dlp_count(enum dlp_stat stat)
{
	__u32 key = stat;
	__u64 *n = bpf_map_lookup_elem(&dlp_stats, &key);

	/* atomic: a sleepable hook may be preempted on this CPU */
	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * dlp_get_config() - the policy in force
 * @slot: from dlp_active_slot(), read once for the whole decision
 *
 * Return: the policy, or NULL while none is loaded (or one of another ABI):
 * hooks then refuse what they guard, with DLP_REASON_NO_POLICY.
 */
static __always_inline const struct dlp_config *dlp_get_config(__u32 slot)
{
	const struct dlp_config *cfg;

	cfg = bpf_map_lookup_elem(&dlp_config, &slot);
	if (!cfg || cfg->abi_version != DLP_ABI_VERSION)
		return NULL;
	return cfg;
}

struct dlp_walk {
	const struct dlp_request *q;
	__u32 first;
	__u32 count;
	__s32 found;		/* index into dlp_rules, -1: none yet */
};

static long dlp_walk_one(__u32 i, void *ctx)
{
	struct dlp_walk *w = ctx;
	const struct dlp_kern_rule *r;
	__u32 idx = w->first + i;

	if (i >= w->count)
		return 1;
	r = bpf_map_lookup_elem(&dlp_rules, &idx);
	if (!r)
		return 1;
	if (dlp_rule_matches(r, w->q)) {
		w->found = idx;
		return 1;
	}
	return 0;
}

/*
 * dlp_decide() - the verdict of the policy in force on a request
 * @cfg:        the policy, from dlp_get_config()
 * @q:          the request
 * @ret_rule:   the matching rule's id when @ret_reason is DLP_REASON_RULE, else 0
 * @ret_reason: where the verdict came from
 *
 * Only the rules of q->action are tried, in file order, the first match
 * deciding; none matching, the action's default.
 *
 * Cost: one bpf_loop() over the action's rules, one array lookup and a few
 * compares per rule tried; nothing when the action has no rules.
 */
static __always_inline __u8 dlp_decide(const struct dlp_config *cfg, const struct dlp_request *q,
				       __u16 *ret_rule, __u8 *ret_reason)
{
	struct dlp_walk w = { .q = q, .found = -1 };
	const struct dlp_kern_rule *r;
	__u32 action = q->action, idx;

	*ret_rule = 0;
	if (action >= DLP_ACT_COUNT) {
		*ret_reason = DLP_REASON_NO_POLICY;
		return DLP_VERDICT_DENY;
	}
	w.first = cfg->first[action];
	w.count = cfg->count[action];
	dlp_count(DLP_STAT_DECISIONS);
	if (w.count)
		bpf_loop(DLP_MAX_RULES, dlp_walk_one, &w, 0);
	if (w.found >= 0) {
		idx = w.found;
		r = bpf_map_lookup_elem(&dlp_rules, &idx);
		if (r) {
			*ret_rule = r->id;
			*ret_reason = DLP_REASON_RULE;
			return r->verdict;
		}
	}
	*ret_reason = DLP_REASON_DEFAULT;
	return cfg->defaults[action];
}

/*
 * dlp_report() - reserve and fill the common part of a decision record
 * @cfg:     the policy in force (NULL: none loaded)
 * @hook:    enum dlp_hook
 * @q:       the request decided
 * @verdict: as decided
 * @reason:  enum dlp_reason
 * @rule:    the rule's id, for DLP_REASON_RULE
 *
 * The caller fills what only it knows (path, device, address) and submits
 * with bpf_ringbuf_submit().  When the ring buffer is full the loss is
 * counted in dlp_stats[DLP_STAT_LOST].
 *
 * Return: the record, or NULL if none could be reserved.
 */
static __always_inline struct dlp_event *dlp_report(const struct dlp_config *cfg, __u8 hook,
						    const struct dlp_request *q, __u8 verdict,
						    __u8 reason, __u16 rule)
{
	struct dlp_event *e = bpf_ringbuf_reserve(&dlp_events, sizeof(*e), 0);

	if (!e) {
		dlp_count(DLP_STAT_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->version = DLP_EVENT_VERSION;
	e->size = sizeof(*e);
	e->hook = hook;
	e->action = q->action;
	e->verdict = verdict;
	e->reason = reason;
	e->rule = rule;
	e->time_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = (__u32)bpf_get_current_pid_tgid();
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	e->uid = q->uid;
	e->taint = q->taint;
	e->label_class = q->label_class;
	e->label_integrity = q->label_integrity;
	e->proto = q->proto;
	e->port = q->port;
	if (cfg) {
		e->generation = cfg->generation;
		e->mode = cfg->mode;
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/*
 * dlp_denies() - whether the hook must refuse
 * @cfg:     the policy in force (NULL: none loaded, which refuses)
 * @verdict: as decided
 *
 * In monitor mode a deny is recorded and counted, and let through.
 */
static __always_inline bool dlp_denies(const struct dlp_config *cfg, __u8 verdict)
{
	if (verdict != DLP_VERDICT_DENY)
		return false;
	if (cfg && cfg->mode == DLP_MODE_MONITOR) {
		dlp_count(DLP_STAT_WOULD_DENY);
		return false;
	}
	dlp_count(DLP_STAT_DENIED);
	return true;
}

/*
 * dlp_task_subject() - the acting process as rules see it: effective uid,
 * effective gid first, then up to 15 supplementary groups
 * @q: its uid, gids and ngids are set
 */
static __always_inline void dlp_task_subject(struct dlp_request *q)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct group_info *gi = BPF_CORE_READ(cred, group_info);
	const kgid_t *gid = (const void *)gi + bpf_core_field_offset(struct group_info, gid);
	int ngroups = BPF_CORE_READ(gi, ngroups);
	unsigned int i;

	q->uid = BPF_CORE_READ(cred, euid.val);
	q->gids[0] = BPF_CORE_READ(cred, egid.val);
	q->ngids = 1;
	for (i = 0; i < DLP_MAX_GROUPS - 1; i++) {
		if ((int)i >= ngroups)
			break;
		bpf_probe_read_kernel(&q->gids[i + 1], sizeof(q->gids[0]), &gid[i]);
		q->ngids = i + 2;
	}
}

#endif /* DLP_BPF_COMMON_H */
