/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file's label as the BPF hooks find it (docs/hooks.md §3): the label maps
 * of include/dlpguard/label.h and dlp_label_of(), the bounded d_parent walk
 * and prefix scan that bpf/taint.bpf.c (taint), bpf/integrity.bpf.c
 * (完全性, and modify/delete 'path' objects) and bpf/write.bpf.c (write
 * 'path' objects) share.  Include after vmlinux.h and <bpf/bpf_helpers.h>.
 *
 * The maps are filled once, by dlp_label_map_fill(), in the object that
 * raises the taint; every other object that includes this header is given
 * them with bpf_map__reuse_fd() before load (dlp_label_inodes,
 * dlp_label_prefixes, dlp_label_conf, dlp_label_stats), so all objects read
 * one set of labels.
 *
 * Cost of dlp_label_of() (measured for taint.bpf.c, docs/hooks.md "Labels
 * and taint"): on a filesystem with no labelled inode and no prefix rules,
 * one array lookup and a scan of at most DLP_LABEL_MAX_DEVS device numbers,
 * no walk; on a labelled filesystem one hash lookup per d_parent step, up to
 * the first labelled directory or the root; prefix rules, when there are
 * any, one name read and a bpf_loop() over them.
 */
#ifndef DLP_BPF_LABEL_H
#define DLP_BPF_LABEL_H

#include <dlpguard/label.h>

#include "slot.h"

/* Bytes of a file name read for the prefix rules: four 8-byte words and the NUL. */
#define DLP_LABEL_NAME_WORDS 5

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dlp_label_key);
	__type(value, struct dlp_label_value);
	__uint(max_entries, DLP_SLOTS * DLP_LABEL_INODE_ENTRIES);
} dlp_label_inodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dlp_label_prefix);
	__uint(max_entries, DLP_SLOTS * DLP_LABEL_MAX_PREFIXES);
} dlp_label_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dlp_label_conf);
	__uint(max_entries, DLP_SLOTS);
} dlp_label_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, DLP_LABEL_STAT_COUNT);
} dlp_label_stats SEC(".maps");

/* A file's resolved label: all zero when nothing labels it and no 'path' covers it. */
struct dlp_file_label {
	__u8 class;
	__u8 integrity;
	__u64 paths; /* path ids of the 'path' directories it lies under */
};

/* What the caller of dlp_label_of() needs: the walk is skipped where it could add nothing. */
#define DLP_LABEL_WANT_LEVELS 0x1 /* 機密性 and 完全性: label dirs, prefixes, xattr entries */
#define DLP_LABEL_WANT_PATHS  0x2 /* the path ids of 'path' objects */

static __always_inline void dlp_label_stat(enum dlp_label_stat stat, __u64 n)
{
	__u32 key = stat;
	__u64 *v = bpf_map_lookup_elem(&dlp_label_stats, &key);

	if (v)
		*v += n;
}

static __always_inline void dlp_label_raise(struct dlp_file_label *l, __u8 class, __u8 integrity,
					    __u64 paths)
{
	if (class > l->class)
		l->class = class;
	if (integrity > l->integrity)
		l->integrity = integrity;
	l->paths |= paths;
}

/*
 * The labels and path ids of the file at @d on the labelled filesystem
 * @ldev, in policy slot @slot: the file's own entry whatever its flags; above it only SUBTREE
 * entries, the first of which ends the walk.  Fails closed (@ldev's highest
 * levels and all its path ids) at the bound or at a root that is not the
 * filesystem's.  The loop body is one lookup
 * and three tests.
 */
static __always_inline void dlp_label_walk(__u32 slot, struct dentry *d,
					   const struct dlp_label_dev *ldev, struct dlp_file_label *l)
{
	struct dlp_label_key key = { .dev = ldev->dev, .slot = slot };
	const struct dlp_label_value *v, *found = NULL;
	struct super_block *sb = d->d_sb;
	struct dentry *parent;
	struct inode *inode;
	__u32 i;

	key.ino = d->d_inode->i_ino;
	v = bpf_map_lookup_elem(&dlp_label_inodes, &key);
	if (v)
		dlp_label_raise(l, v->class, v->integrity, v->paths);
	for (i = 0; i < DLP_LABEL_WALK_MAX; i++) {
		parent = d->d_parent;
		if (parent == d)
			break;
		d = parent;
		inode = d->d_inode;
		if (!inode) {
			i = DLP_LABEL_WALK_MAX;
			break;
		}
		key.ino = inode->i_ino;
		found = bpf_map_lookup_elem(&dlp_label_inodes, &key);
		if (found && (found->flags & DLP_LABEL_F_SUBTREE))
			break;
		found = NULL;
	}
	dlp_label_stat(DLP_LABEL_STAT_WALKS, 1);
	dlp_label_stat(DLP_LABEL_STAT_STEPS, 1 + i + !!found);
	if (found) {
		dlp_label_raise(l, found->class, found->integrity, found->paths);
		return;
	}
	if (i < DLP_LABEL_WALK_MAX && d == sb->s_root)
		return;
	dlp_label_stat(DLP_LABEL_STAT_UNRESOLVED, 1);
	dlp_label_raise(l, ldev->class, ldev->integrity, ldev->paths);
}

/* Whether @name (zero-padded after its NUL) starts with @p's bytes. */
static __always_inline bool dlp_label_prefix_matches(const struct dlp_label_prefix *p,
						     const __u64 *name)
{
	const __u64 *want = (const __u64 *)p->prefix;
	__u32 len = p->len, left;
	__u64 mask;
	int k;

	if (!len || len > DLP_LABEL_PREFIX_MAX)
		return false;
#pragma unroll
	for (k = 0; k < DLP_LABEL_PREFIX_MAX / 8; k++) {
		if (len <= k * 8)
			break;
		left = len - k * 8;
		mask = left >= 8 ? ~0ULL : (1ULL << (left * 8)) - 1;
		if ((name[k] ^ want[k]) & mask)
			return false;
	}
	return true;
}

struct dlp_label_prefix_scan {
	__u64 name[DLP_LABEL_NAME_WORDS]; /* the file name, zero-padded after its NUL */
	__u32 first;			  /* the slot's first entry of dlp_label_prefixes */
	__u32 nprefixes;
	struct dlp_file_label l;
};

static long dlp_label_prefix_one(__u32 i, void *ctx)
{
	struct dlp_label_prefix_scan *s = ctx;
	const struct dlp_label_prefix *p;
	__u32 idx = s->first + i;

	if (i >= s->nprefixes)
		return 1;
	p = bpf_map_lookup_elem(&dlp_label_prefixes, &idx);
	if (!p)
		return 1;
	if (dlp_label_prefix_matches(p, s->name))
		dlp_label_raise(&s->l, p->class, p->integrity, 0);
	return 0;
}

/* Slot @slot's prefix rules on the name of @d, in a bpf_loop() (verified once). */
static __always_inline void dlp_label_prefixes_of(__u32 slot, struct dentry *d, __u32 nprefixes,
						  struct dlp_file_label *l)
{
	struct dlp_label_prefix_scan s = {
		.first = slot * DLP_LABEL_MAX_PREFIXES,
		.nprefixes = nprefixes,
	};

	if (bpf_probe_read_kernel_str(s.name, sizeof(s.name), d->d_name.name) <= 0)
		return;
	bpf_loop(DLP_LABEL_MAX_PREFIXES, dlp_label_prefix_one, &s, 0);
	dlp_label_raise(l, s.l.class, s.l.integrity, 0);
}

/*
 * dlp_label_of() - the label of the file (or directory) at @d, and the
 * 'path' directories it lies under
 * @slot: the policy slot of the decision (slot.h)
 * @d:    a positive dentry
 * @want: DLP_LABEL_WANT_LEVELS, DLP_LABEL_WANT_PATHS or both
 *
 * The d_parent walk runs only on a filesystem that holds what is wanted
 * (labelled directories or files for levels, 'path' directories for
 * paths), so a reader's open costs no walk on a filesystem that only a
 * `write path` rule names.  Prefix rules are scanned for levels only.
 *
 * Non-sleepable programs only: the walk follows d_parent (§0 "Pointer
 * trust").
 *
 * Return: its levels and path ids; all zero when nothing labels or covers
 * it, or no labels are loaded.  Where the walk ran, both are filled.
 */
static __always_inline struct dlp_file_label dlp_label_of(__u32 slot, struct dentry *d,
							  __u32 want)
{
	const struct dlp_label_conf *conf;
	struct dlp_label_dev ldev = {};
	struct dlp_file_label l = {};
	bool walk = false;
	__u32 dev, i;

	conf = bpf_map_lookup_elem(&dlp_label_conf, &slot);
	if (!conf || conf->version != DLP_LABEL_VERSION)
		return l;
	if (conf->ndevs) {
		dev = d->d_sb->s_dev;
		for (i = 0; i < DLP_LABEL_MAX_DEVS; i++) {
			if (i >= conf->ndevs)
				break;
			if (conf->devs[i].dev == dev) {
				ldev = conf->devs[i];
				walk = ((want & DLP_LABEL_WANT_LEVELS) &&
					(ldev.class || ldev.integrity)) ||
				       ((want & DLP_LABEL_WANT_PATHS) && ldev.paths);
				break;
			}
		}
	}
	/* Walked once, after the scan: inside it, it would be verified once per device. */
	if (walk)
		dlp_label_walk(slot, d, &ldev, &l);
	if ((want & DLP_LABEL_WANT_LEVELS) && conf->nprefixes)
		dlp_label_prefixes_of(slot, d, conf->nprefixes, &l);
	return l;
}

#endif /* DLP_BPF_LABEL_H */
