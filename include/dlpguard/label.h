/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Labels as the kernel reads them (docs/policy.md §2.4, docs/hooks.md §3):
 * the maps dlp_label_map_fill() (user/lib/label_map.c) writes from a compiled
 * policy and bpf/taint.bpf.c reads when a file is opened.
 *
 *	dlp_label_inodes    hash   struct dlp_label_key -> struct dlp_label_value
 *	                           one entry per labelled directory, per directory
 *	                           a rule's 'path PATH' names (its path id in
 *	                           .paths), and per file whose label xattr dlpd
 *	                           resolved
 *	dlp_label_prefixes  array  struct dlp_label_prefix[DLP_LABEL_MAX_PREFIXES]
 *	                           per slot: slot s at s * DLP_LABEL_MAX_PREFIXES
 *	dlp_label_conf      array  struct dlp_label_conf, index slot: how many
 *	                           prefixes, and which devices have labelled inodes
 *
 * Each map holds two policies' labels, slot 0 and slot 1 (DLP_SLOTS,
 * abi.h); the key's slot or the array index says which.  The example below
 * is slot 0.
 *
 * Worked example.  On a machine where /share is ext4 on /dev/sda3 (8:3),
 *
 *	label dir /share/機密性2 機密性2
 *	label dir /share/機密性2/人事 機密性3A 完全性2
 *	label prefix 機3_ 機密性3
 *
 * becomes dlp_label_inodes { (8 << 20 | 3, 0, ino of /share/機密性2) -> { class 2,
 * SUBTREE }, (8 << 20 | 3, 0, ino of .../人事) -> { class 5 (3A), integrity 2,
 * SUBTREE } }, dlp_label_prefixes[0] = { "機3_" (7 bytes), class 3 }, and
 * dlp_label_conf[0] = { .nprefixes = 1, .ndevs = 1, .devs[0] = { 8 << 20 | 3,
 * class 5, integrity 2 } }.  A file /share/機密性2/人事/a/b.txt then has class
 * 3A: the walk up its d_parent chain stops at 人事, whose value already holds
 * the highest level of every labelled directory above it.
 */
#ifndef DLPGUARD_LABEL_H
#define DLPGUARD_LABEL_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DLP_LABEL_VERSION	3

/* Entries of dlp_label_inodes per slot: label dirs, path-rule dirs, xattr-resolved files. */
#define DLP_LABEL_INODE_ENTRIES	4096

/*
 * d_parent steps from an opened file towards its filesystem's root.  A label
 * directory is at most 32 levels deep (DLP_MAX_LABEL_DEPTH in policy.h); the
 * margin is for files below it.  A walk that reaches the bound is
 * "unresolved" and fails closed (struct dlp_label_dev).
 */
#define DLP_LABEL_WALK_MAX	64

/* Filesystems holding labelled inodes; more is a policy error. */
#define DLP_LABEL_MAX_DEVS	16

/* File-name prefix rules ('label prefix'), and the bytes of each (UTF-8). */
#define DLP_LABEL_MAX_PREFIXES	32
#define DLP_LABEL_PREFIX_MAX	32

/* struct dlp_label_value.flags */
#define DLP_LABEL_F_SUBTREE	0x1	/* a directory label: covers everything below it */

/* Which inode: as the kernel sees it, not as stat(2) encodes it. */
struct dlp_label_key {
	__u32 dev;		/* inode->i_sb->s_dev: major << 20 | minor */
	__u32 slot;		/* the policy slot, 0 .. DLP_SLOTS - 1 */
	__u64 ino;		/* inode->i_ino */
};

/*
 * The levels an inode gives, and the 'path' objects it lies under.  For a
 * SUBTREE entry, class and integrity are already the highest of this
 * directory and every labelled directory above it, and paths the union of
 * its own and theirs (user space works that out from the paths), so the
 * kernel's walk can stop at the first SUBTREE entry it meets.
 */
struct dlp_label_value {
	__u8 class;		/* enum dlp_class; 0: no 機密性 */
	__u8 integrity;		/* enum dlp_integrity; 0: no 完全性 */
	__u16 flags;		/* DLP_LABEL_F_* */
	__u32 pad;		/* zero */
	__u64 paths;		/* path ids ('path PATH' objects) at or above it */
};

/* One 'label prefix' rule: matches a file name that starts with these bytes. */
struct dlp_label_prefix {
	__u8 prefix[DLP_LABEL_PREFIX_MAX];	/* UTF-8, zero-padded */
	__u8 len;		/* 1 .. DLP_LABEL_PREFIX_MAX; 0: unused entry */
	__u8 class;
	__u8 integrity;
	__u8 pad[5];
};

/*
 * A filesystem with labelled inodes or 'path' directories, the highest
 * levels any label on it gives and every path id placed on it: what a file
 * whose walk cannot be resolved (too deep, or a disconnected dentry as after
 * open_by_handle_at) gets, failing closed.
 */
struct dlp_label_dev {
	__u32 dev;		/* s_dev, major << 20 | minor */
	__u8 class;
	__u8 integrity;
	__u16 pad;
	__u64 paths;		/* every path id placed on it */
};

/*
 * dlp_label_conf[slot].  All zero (the state before dlpd writes it) means no
 * labels: every open costs one array lookup and two compares.
 */
struct dlp_label_conf {
	__u32 version;		/* DLP_LABEL_VERSION */
	__u32 nprefixes;	/* dlp_label_prefixes[0 .. nprefixes) are used */
	__u32 ndevs;		/* devs[0 .. ndevs) are used */
	__u32 pad;
	struct dlp_label_dev devs[DLP_LABEL_MAX_DEVS];
};

/* Counters in the per-CPU array dlp_label_stats, summed over CPUs by the reader. */
enum dlp_label_stat {
	DLP_LABEL_STAT_OPENS = 0,	/* file_open runs on regular files opened for reading */
	DLP_LABEL_STAT_WALKS = 1,	/* d_parent walks (file on a labelled filesystem) */
	DLP_LABEL_STAT_STEPS = 2,	/* dlp_label_inodes lookups made by those walks */
	DLP_LABEL_STAT_UNRESOLVED = 3,	/* walks that failed closed */
	DLP_LABEL_STAT_RAISES = 4,	/* taints raised */
	DLP_LABEL_STAT_INHERITS = 5,	/* children given their parent's taint */
	DLP_LABEL_STAT_NOMEM = 6,	/* no taint entry could be made (a fork so refused) */
	DLP_LABEL_STAT_RECEIVES = 7,	/* file_receive runs on readable regular files */
	DLP_LABEL_STAT_COUNT,
};

_Static_assert(sizeof(struct dlp_label_key) == 16, "struct dlp_label_key changed size");
_Static_assert(sizeof(struct dlp_label_value) == 16, "struct dlp_label_value changed size");
_Static_assert(sizeof(struct dlp_label_prefix) == 40, "struct dlp_label_prefix changed size");
_Static_assert(sizeof(struct dlp_label_dev) == 16, "struct dlp_label_dev changed size");
_Static_assert(sizeof(struct dlp_label_conf) == 16 + 16 * DLP_LABEL_MAX_DEVS,
	       "struct dlp_label_conf changed size");

#endif /* DLPGUARD_LABEL_H */
