/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dlpguard ABI constants shared by the BPF programs, the kernel module and
 * userspace.  The numeric values are part of the ABI: they are stored in BPF
 * maps and in the decision log, so never renumber; only append.
 */
#ifndef DLPGUARD_ABI_H
#define DLPGUARD_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Confidentiality (機密性) ranks.  The 2024 national guideline splits
 * 機密性3 into 3A (most sensitive: 秘密文書相当), 3B and 3C; the older
 * single level 3 ranks with 3C, so "class >= 3" covers 3, 3C, 3B and 3A.
 * A process's taint is one of these ranks; 0 means untainted/unlabelled.
 */
enum dlp_class {
	DLP_CLASS_NONE = 0,
	DLP_CLASS_1 = 1,
	DLP_CLASS_2 = 2,
	DLP_CLASS_3 = 3,	/* 機密性3 and 機密性3C */
	DLP_CLASS_3B = 4,
	DLP_CLASS_3A = 5,
	DLP_CLASS_MAX = DLP_CLASS_3A,
};

/* Integrity (完全性) levels; 完全性2 files may not be rewritten or deleted. */
enum dlp_integrity {
	DLP_INTEG_NONE = 0,
	DLP_INTEG_1 = 1,
	DLP_INTEG_2 = 2,
	DLP_INTEG_MAX = DLP_INTEG_2,
};

/* What a rule judges. */
enum dlp_action {
	DLP_ACT_MOUNT = 0,	/* mounting removable media */
	DLP_ACT_WRITE = 1,	/* writing to media or to a named path */
	DLP_ACT_MODIFY = 2,	/* rewriting, truncating or renaming a labelled file */
	DLP_ACT_DELETE = 3,	/* unlinking a labelled file */
	DLP_ACT_CONNECT = 4,	/* connect(2), TCP or UDP */
	DLP_ACT_SEND = 5,	/* sendmsg/sendto on an unconnected UDP socket */
	DLP_ACT_COUNT = 6,
};

enum dlp_verdict {
	DLP_VERDICT_ALLOW = 0,
	DLP_VERDICT_DENY = 1,
	DLP_VERDICT_AUDIT = 2,	/* allow, and record the decision */
	DLP_VERDICT_COUNT = 3,
};

enum dlp_mode {
	DLP_MODE_ENFORCE = 0,
	DLP_MODE_MONITOR = 1,	/* decide and record as enforce would; block nothing */
};

enum dlp_tier {
	DLP_TIER_MYNUMBER = 0,	/* マイナンバー利用事務系 */
	DLP_TIER_LGWAN = 1,	/* LGWAN接続系 */
	DLP_TIER_INTERNET = 2,	/* インターネット接続系 */
};

/* What happens to media that are not in the ledger (or whose entry expired). */
enum dlp_unregistered {
	DLP_UNREG_DENY = 0,
	DLP_UNREG_READONLY = 1,
	DLP_UNREG_ALLOW = 2,
};

/* What a rule's object is. */
enum dlp_object_kind {
	DLP_OBJ_MEDIA_ANY = 0,
	DLP_OBJ_MEDIA_REGISTERED,
	DLP_OBJ_MEDIA_UNREGISTERED,
	DLP_OBJ_MEDIA_ENTRY,		/* one ledger entry */
	DLP_OBJ_PATH,
	DLP_OBJ_LABEL,
	DLP_OBJ_ZONE,
	DLP_OBJ_ANY_ADDRESS,
};

/* Who a rule is for. */
enum dlp_subject_kind {
	DLP_SUBJ_ANY = 0,
	DLP_SUBJ_USER,
	DLP_SUBJ_GROUP,
};

/* How a rule compares the acting process's taint. */
enum dlp_cmp {
	DLP_CMP_NONE = 0,			/* no condition */
	DLP_CMP_GE,
	DLP_CMP_GT,
	DLP_CMP_EQ,
	DLP_CMP_LE,
	DLP_CMP_LT,
};

enum dlp_proto {
	DLP_PROTO_ANY = 0,
	DLP_PROTO_TCP,
	DLP_PROTO_UDP,
};

/*
 * Two policies side by side.  Every map that holds what a policy says
 * (dlp_config, dlp_rules, dlp_zones, dlp_media and the label maps) has room
 * for two, slot 0 and slot 1: hash and trie keys carry the slot, arrays hold
 * slot * N + i.  The one-entry map dlp_slot says which slot is in force.  A
 * program reads dlp_slot once and takes everything one decision needs from
 * that slot (bpf/slot.h); dlpd fills the other slot, then switches with one
 * write of dlp_slot (user/lib/slots.c), so no decision ever sees half of one
 * policy and half of another.  A zeroed dlp_slot is slot 0.
 */
#define DLP_SLOTS 2

/* At most this many zones, so that a zone set fits in a __u64 mask. */
#define DLP_MAX_ZONES 64

/*
 * At most this many networks in all zones of a policy; the zone map holds one
 * entry per distinct network (and one more, see bpf/zone.h).
 */
#define DLP_MAX_NETWORKS 4096

/*
 * Key of the zone map, a BPF_MAP_TYPE_LPM_TRIE whose value is a __u64 zone
 * mask (bit i: zone i).  The slot comes first and is always matched whole
 * (prefixlen counts its 8 bits), so each slot is a trie of its own.  IPv4
 * addresses are stored IPv4-mapped (::ffff:a.b.c.d, prefixlen 8 + 96 +
 * length), so one trie serves both families and a lookup is a single
 * longest-prefix match.  The compiler puts in each entry the zones of every
 * wider network containing it, so the one entry found carries every zone of
 * the address.
 */
struct dlp_zone_key {
	__u32 prefixlen;	/* in bits: 8 (the slot) + 0-128 */
	__u8 slot;		/* 0 .. DLP_SLOTS - 1 */
	__u8 addr[16];		/* network byte order */
	__u8 pad[3];		/* zero; beyond any prefix */
};

/* The bits of a zone key before the address: its slot. */
#define DLP_ZONE_SLOT_BITS 8

#endif /* DLPGUARD_ABI_H */
