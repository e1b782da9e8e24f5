/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The policy as the kernel reads it, and the one function that judges a
 * request against it.  The same code runs in the BPF programs and in user
 * space (unit tests, and dlpctl explaining a decision), so the two can never
 * disagree.  Include after vmlinux.h (BPF) or <linux/types.h> (user space).
 *
 * user/lib/lower.c turns a compiled struct dlp_policy into:
 *
 *	struct dlp_config            one per policy: mode, tier, defaults, and
 *	                             where each action's rules start
 *	struct dlp_kern_rule[]       the rules, grouped by action, file order
 *	                             kept within each action
 *
 * Worked example.  The policy
 *
 *	zone internet 198.51.100.0/24
 *	rule usb-secret deny  write   media if class >= 2
 *	rule no-net     deny  connect zone internet port 443 by group 100
 *	default allow
 *
 * becomes rules[0] = { .action = DLP_ACT_WRITE, .object = DLP_OBJ_MEDIA_ANY,
 * .taint_cmp = DLP_CMP_GE, .taint_class = 2, .verdict = DLP_VERDICT_DENY,
 * .id = 0 } and rules[1] = { .action = DLP_ACT_CONNECT, .object =
 * DLP_OBJ_ZONE, .object_index = 0, .nports = 1, .ports = { { 443, 443 } },
 * .subject = DLP_SUBJ_GROUP, .subject_id = 100, .id = 1 }, with
 * config.first[DLP_ACT_WRITE] = 0, config.count[DLP_ACT_WRITE] = 1,
 * config.first[DLP_ACT_CONNECT] = 1, config.count[DLP_ACT_CONNECT] = 1.
 * A connect by a member of group 100 to 198.51.100.7:443 is the request
 * { .action = DLP_ACT_CONNECT, .zones = 1 << 0, .port = 443, .gids = {100} },
 * which rules[1] matches: deny, rule id 1 ("no-net" in the log).
 */
#ifndef DLPGUARD_RULE_H
#define DLPGUARD_RULE_H

#include <dlpguard/abi.h>

#ifndef __VMLINUX_H__
#include <stdbool.h>
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define DLP_ABI_VERSION		3

#define DLP_MAX_RULES		1024
#define DLP_MAX_PORT_RANGES	8
#define DLP_MAX_GROUPS		16	/* effective gid + first 15 supplementary */
#define DLP_MAX_PATHS		64	/* distinct 'path PATH' objects: a __u64 mask */

struct dlp_port_range {
	__u16 lo;		/* host byte order */
	__u16 hi;
};

/* One rule. */
struct dlp_kern_rule {
	__u8 verdict;		/* enum dlp_verdict */
	__u8 action;		/* enum dlp_action */
	__u8 object;		/* enum dlp_object_kind */
	__u8 proto;		/* enum dlp_proto */
	__u8 subject;		/* enum dlp_subject_kind */
	__u8 taint_cmp;		/* enum dlp_cmp */
	__u8 taint_class;	/* enum dlp_class */
	__u8 label_class;	/* DLP_OBJ_LABEL: 機密性 at least this, or */
	__u8 label_integrity;	/* DLP_OBJ_LABEL: 完全性 at least this */
	__u8 nports;		/* 0: any port */
	__u16 id;		/* the rule's index in the policy file, for the log */
	__u32 subject_id;	/* uid or gid */
	__u32 object_index;	/* ledger entry, zone, or path id */
	struct dlp_port_range ports[DLP_MAX_PORT_RANGES];
};

/*
 * One per policy, dlp_config[slot].  The rules of action a are
 * dlp_rules[first[a] .. first[a] + count[a]), inside the slot's half
 * (slot * DLP_MAX_RULES ..); dlp_policy_lower() gives them from 0 and
 * dlp_policy_maps_fill() moves them to the slot.
 */
struct dlp_config {
	__u32 abi_version;	/* DLP_ABI_VERSION */
	__u32 generation;	/* bumped by each policy applied */
	__u8 mode;		/* enum dlp_mode */
	__u8 tier;		/* enum dlp_tier */
	__u8 unregistered;	/* enum dlp_unregistered */
	__u8 defaults[DLP_ACT_COUNT];	/* enum dlp_verdict */
	__u8 pad[3];
	__u16 first[DLP_ACT_COUNT];
	__u16 count[DLP_ACT_COUNT];
	__u32 pad2;
	/*
	 * paths[a]: the path ids some rule of action a names (bit i: path id i).
	 * A file under none of them is no decision for a: the write, modify and
	 * delete hooks judge only files on media, labelled files (modify,
	 * delete), and files under one of these.
	 */
	__u64 paths[DLP_ACT_COUNT];
	/* SHA-256 of the policy's source: which policy this is, for dlpd and the log */
	__u8 policy_sha256[32];
};

_Static_assert(sizeof(struct dlp_kern_rule) == 52, "struct dlp_kern_rule changed size");
_Static_assert(sizeof(struct dlp_config) == 128, "struct dlp_config changed size");


/* What a medium is to the rules. */
enum dlp_media_kind {
	DLP_MEDIA_NONE = 0,		/* not removable media */
	DLP_MEDIA_REGISTERED = 1,	/* in the ledger, still valid */
	DLP_MEDIA_UNREGISTERED = 2,	/* not in the ledger, expired, or not yet known */
};

/* Everything a rule may look at, gathered by the hook before deciding. */
struct dlp_request {
	__u8 action;		/* enum dlp_action */
	__u8 taint;		/* enum dlp_class of the acting process */
	__u8 media;		/* enum dlp_media_kind */
	__u8 proto;		/* DLP_PROTO_TCP or DLP_PROTO_UDP, for connect and send */
	__u8 label_class;	/* the file's 機密性 rank */
	__u8 label_integrity;	/* the file's 完全性 */
	__u8 ngids;
	__u8 pad;
	__u16 port;		/* destination port, host byte order */
	__u16 pad2;
	__u32 uid;		/* effective uid (LSM hooks); real uid in cgroup hooks */
	__u32 ledger_index;	/* DLP_MEDIA_REGISTERED: the ledger entry */
	__u32 pad3;
	__u64 zones;		/* the destination's zones (bit i: zone i) */
	__u64 paths;		/* the 'path' objects the file lies under (bit i: path id i) */
	__u32 gids[DLP_MAX_GROUPS];	/* effective gid first (cgroup hooks: real gid only) */
};

_Static_assert(sizeof(struct dlp_request) == 104, "struct dlp_request changed size");

static __always_inline bool dlp_taint_matches(__u8 cmp, __u8 want, __u8 taint)
{
	switch (cmp) {
	case DLP_CMP_GE:
		return taint >= want;
	case DLP_CMP_GT:
		return taint > want;
	case DLP_CMP_EQ:
		return taint == want;
	case DLP_CMP_LE:
		return taint <= want;
	case DLP_CMP_LT:
		return taint < want;
	default:
		return true;
	}
}

static __always_inline bool dlp_subject_matches(const struct dlp_kern_rule *r,
						const struct dlp_request *q)
{
	unsigned int i;

	if (r->subject == DLP_SUBJ_USER)
		return q->uid == r->subject_id;
	if (r->subject != DLP_SUBJ_GROUP)
		return true;
	for (i = 0; i < DLP_MAX_GROUPS; i++)
		if (i < q->ngids && q->gids[i] == r->subject_id)
			return true;
	return false;
}

static __always_inline bool dlp_object_matches(const struct dlp_kern_rule *r,
					       const struct dlp_request *q)
{
	unsigned int i;
	bool port_ok;

	switch (r->object) {
	case DLP_OBJ_MEDIA_ANY:
		return q->media != DLP_MEDIA_NONE;
	case DLP_OBJ_MEDIA_REGISTERED:
		return q->media == DLP_MEDIA_REGISTERED;
	case DLP_OBJ_MEDIA_UNREGISTERED:
		return q->media == DLP_MEDIA_UNREGISTERED;
	case DLP_OBJ_MEDIA_ENTRY:
		return q->media == DLP_MEDIA_REGISTERED && q->ledger_index == r->object_index;
	case DLP_OBJ_PATH:
		return r->object_index < DLP_MAX_PATHS && (q->paths >> r->object_index) & 1;
	case DLP_OBJ_LABEL:
		if (r->label_class)
			return q->label_class >= r->label_class;
		return r->label_integrity && q->label_integrity >= r->label_integrity;
	case DLP_OBJ_ZONE:
	case DLP_OBJ_ANY_ADDRESS:
		if (r->object == DLP_OBJ_ZONE &&
		    (r->object_index >= DLP_MAX_ZONES || !((q->zones >> r->object_index) & 1)))
			return false;
		if (r->proto != DLP_PROTO_ANY && r->proto != q->proto)
			return false;
		if (!r->nports)
			return true;
		port_ok = false;
		for (i = 0; i < DLP_MAX_PORT_RANGES; i++)
			if (i < r->nports && q->port >= r->ports[i].lo && q->port <= r->ports[i].hi)
				port_ok = true;
		return port_ok;
	default:
		return false;
	}
}

/*
 * dlp_rule_matches() - whether one rule applies to a request
 * @r: the rule
 * @q: the request
 *
 * Cost: a few compares; the group and port loops are bounded by
 * DLP_MAX_GROUPS and DLP_MAX_PORT_RANGES.
 */
static __always_inline bool dlp_rule_matches(const struct dlp_kern_rule *r,
					     const struct dlp_request *q)
{
	return r->action == q->action && dlp_object_matches(r, q) &&
	       dlp_subject_matches(r, q) && dlp_taint_matches(r->taint_cmp, r->taint_class, q->taint);
}

/* Where a decision came from, in events and in the log. */
enum dlp_reason {
	DLP_REASON_RULE = 0,		/* a rule matched: the event names it */
	DLP_REASON_DEFAULT = 1,		/* no rule matched: the action's default */
	DLP_REASON_LEDGER = 2,		/* the ledger refused it, before any rule */
	DLP_REASON_NO_POLICY = 3,	/* no policy loaded: fail closed */
};

#endif /* DLPGUARD_RULE_H */
