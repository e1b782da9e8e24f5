// SPDX-License-Identifier: GPL-2.0
/*
 * Labels into the kernel's label maps (include/dlpguard/label.h).  Building
 * the tables (stat of every label directory, prefixes packed, levels of
 * nested directories folded together) is kept apart from writing them, so a
 * policy refused for one of its labels leaves the maps as they were.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <linux/magic.h>

#include <bpf/bpf.h>

#include "label_map.h"

/**
 * dlp_label_kernel_dev() - a device number as the kernel stores it
 * @st_dev: as stat(2) gives it (glibc's encoding)
 *
 * The kernel's dev_t is MKDEV(major, minor) = major << 20 | minor
 * (include/linux/kdev_t.h); inode->i_sb->s_dev, which the BPF programs read,
 * is in that form.
 *
 * Return: major(@st_dev) << 20 | minor(@st_dev).
 */
__u32 dlp_label_kernel_dev(dev_t st_dev)
{
	return (__u32)major(st_dev) << 20 | (minor(st_dev) & 0xfffff);
}

/**
 * dlp_label_prefix_pack() - one 'label prefix' rule as the kernel reads it
 * @prefix:    the file-name prefix, UTF-8, as written in the policy
 * @class:     enum dlp_class it gives
 * @integrity: enum dlp_integrity it gives
 * @ret:       the entry, zero-padded, set on success
 *
 * Return: 0; -EINVAL if @prefix is empty; -ENAMETOOLONG if it is longer
 * than DLP_LABEL_PREFIX_MAX bytes.
 */
int dlp_label_prefix_pack(const char *prefix, __u8 class, __u8 integrity,
			  struct dlp_label_prefix *ret)
{
	struct dlp_label_prefix p = { .class = class, .integrity = integrity };
	size_t len = strlen(prefix);

	if (!len)
		return -EINVAL;
	if (len > DLP_LABEL_PREFIX_MAX)
		return -ENAMETOOLONG;
	memcpy(p.prefix, prefix, len);
	p.len = len;
	*ret = p;
	return 0;
}

/* Whether directory @path lies below directory @dir (both normalised). */
static bool path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return strcmp(path, "/") != 0;
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* A directory placed on this terminal: a 'label dir', or a 'path' a rule names. */
struct dlp_placed {
	struct dlp_label_key key;
	__u8 class;
	__u8 integrity;
	__u64 paths;		  /* 1 << its path id, for a 'path' directory */
	struct dlp_pos pos;	  /* of the label, or of the first rule naming the path */
	char what[64 + PATH_MAX]; /* for errors: "label directory '/x'" */
	char real[PATH_MAX];	  /* symlinks resolved */
};

static void raise_levels(__u8 *class, __u8 *integrity, __u8 c, __u8 i)
{
	if (c > *class)
		*class = c;
	if (i > *integrity)
		*integrity = i;
}

/*
 * stat(2) a directory into *ret_key, and its path with symlinks resolved into
 * @ret_real (PATH_MAX bytes); an error names it as @what ("label directory
 * '/x'", "path '/x' of rule 'r'"), at @pos.
 */
static int place_dir(const char *path, const char *what, struct dlp_pos pos,
		     struct dlp_label_key *ret_key, char *ret_real, struct dlp_diag *diag)
{
	struct statfs sfs;
	struct stat st;
	int err;

	if (stat(path, &st)) {
		err = -errno;
		dlp_error(diag, pos.line, pos.col,
			  "%s: %s; a directory that cannot be placed protects nothing", what,
			  strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		dlp_error(diag, pos.line, pos.col, "%s is not a directory", what);
		return -ENOTDIR;
	}
	if (!statfs(path, &sfs) && sfs.f_type == BTRFS_SUPER_MAGIC) {
		dlp_error(diag, pos.line, pos.col,
			  "%s is on btrfs, whose stat(2) device is not the kernel's; directories "
			  "on btrfs are not supported",
			  what);
		return -EOPNOTSUPP;
	}
	if (!realpath(path, ret_real)) {
		err = -errno;
		dlp_error(diag, pos.line, pos.col, "%s: %s", what, strerror(-err));
		return err;
	}
	*ret_key =
		(struct dlp_label_key){ .dev = dlp_label_kernel_dev(st.st_dev), .ino = st.st_ino };
	return 0;
}

static int add_prefix(const struct dlp_label *lb, struct dlp_label_tables *t, struct dlp_diag *diag)
{
	int err;

	if (t->conf.nprefixes >= DLP_LABEL_MAX_PREFIXES) {
		dlp_error(diag, lb->pos.line, lb->pos.col,
			  "prefix '%s': more than %d prefix labels", lb->match,
			  DLP_LABEL_MAX_PREFIXES);
		return -E2BIG;
	}
	err = dlp_label_prefix_pack(lb->match, dlp_level_class(lb->level), lb->integrity,
				    &t->prefixes[t->conf.nprefixes]);
	if (err == -ENAMETOOLONG)
		dlp_error(diag, lb->pos.line, lb->pos.col,
			  "prefix '%s' is %zu bytes long; at most %d (UTF-8)", lb->match,
			  strlen(lb->match), DLP_LABEL_PREFIX_MAX);
	else if (err)
		dlp_error(diag, lb->pos.line, lb->pos.col, "empty prefix");
	if (!err)
		t->conf.nprefixes++;
	return err;
}

/* The entry for @key, made if new; NULL if a table is full (reported). */
static struct dlp_label_value *inode_entry(struct dlp_label_tables *t,
					   const struct dlp_label_key *key)
{
	unsigned int i;

	for (i = 0; i < t->ninodes; i++)
		if (t->keys[i].dev == key->dev && t->keys[i].ino == key->ino)
			return &t->values[i];
	if (t->ninodes >= DLP_LABEL_INODE_ENTRIES)
		return NULL;
	t->keys[t->ninodes] = *key;
	t->values[t->ninodes] = (struct dlp_label_value){ .flags = DLP_LABEL_F_SUBTREE };
	return &t->values[t->ninodes++];
}

static int add_dev(struct dlp_label_tables *t, const struct dlp_label_key *key,
		   const struct dlp_label_value *v, const struct dlp_placed *p,
		   struct dlp_diag *diag)
{
	struct dlp_label_conf *c = &t->conf;
	unsigned int i;

	for (i = 0; i < c->ndevs; i++)
		if (c->devs[i].dev == key->dev)
			break;
	if (i == c->ndevs) {
		if (c->ndevs >= DLP_LABEL_MAX_DEVS) {
			dlp_error(diag, p->pos.line, p->pos.col,
				  "%s: labels and paths on more than %d filesystems", p->what,
				  DLP_LABEL_MAX_DEVS);
			return -E2BIG;
		}
		c->devs[c->ndevs++].dev = key->dev;
	}
	raise_levels(&c->devs[i].class, &c->devs[i].integrity, v->class, v->integrity);
	c->devs[i].paths |= v->paths;
	return 0;
}

/* The first rule that names path @path, for the position of an error. */
static const struct dlp_rule *rule_naming(const struct dlp_policy *pol, const char *path)
{
	unsigned int i;

	for (i = 0; i < pol->nrules; i++)
		if (pol->rules[i].object == DLP_OBJ_PATH &&
		    !strcmp(pol->rules[i].object_name, path))
			return &pol->rules[i];
	return NULL;
}

/* Place every 'label dir' and 'path' directory in @placed; the count, or -errno. */
static int place_all(const struct dlp_policy *pol, const struct dlp_lowered *low,
		     struct dlp_label_tables *ret, struct dlp_placed *placed, struct dlp_diag *diag)
{
	unsigned int i, n = 0;
	const struct dlp_label *lb;
	const struct dlp_rule *r;
	struct dlp_placed *p;
	int err, first = 0;

	for (i = 0; i < pol->nlabels && i < DLP_MAX_LABELS; i++) {
		lb = &pol->labels[i];
		if (lb->kind == DLP_LABEL_PREFIX) {
			err = add_prefix(lb, ret, diag);
		} else {
			p = &placed[n++];
			p->class = dlp_level_class(lb->level);
			p->integrity = lb->integrity;
			p->pos = lb->pos;
			snprintf(p->what, sizeof(p->what), "label directory '%s'", lb->match);
			err = place_dir(lb->match, p->what, p->pos, &p->key, p->real, diag);
		}
		if (err && !first)
			first = err;
	}
	for (i = 0; i < low->npaths && i < DLP_MAX_PATHS; i++) {
		r = rule_naming(pol, low->paths[i]);
		p = &placed[n++];
		p->paths = 1ULL << i;
		p->pos = r ? r->pos : (struct dlp_pos){ 0 };
		snprintf(p->what, sizeof(p->what), "path '%s' of rule '%s'", low->paths[i],
			 r ? r->id : "?");
		err = place_dir(low->paths[i], p->what, p->pos, &p->key, p->real, diag);
		if (err && !first)
			first = err;
	}
	return first ? first : (int)n;
}

/**
 * dlp_label_tables_build() - the label maps' contents for a compiled policy
 * @pol:  a compiled policy
 * @low:  @pol lowered: its path ids (low->paths) are the bits of .paths
 * @ret:  the tables, filled (caller-allocated: it is about 130 KiB)
 * @diag: where errors a user can cause are reported, with the label's or
 *        the rule's line
 *
 * Every 'label dir' and every directory a rule's 'path PATH' names is
 * stat(2)ed now: it must exist, be a directory, and not be on btrfs.  Each
 * directory entry gets the highest level of each kind of every labelled
 * directory at or above it, and the path ids of every 'path' directory at or
 * above it (by path, symlinks resolved), so the kernel's walk may stop at the
 * first one; two paths naming one inode (a bind mount, a symlink) share one
 * entry.  Each filesystem gets the highest levels of all its labels and all
 * its path ids, which a walk that cannot be resolved falls back to.
 *
 * Return: 0; otherwise -errno of the first error, after reporting every
 * error in @diag (a missing directory, a prefix longer than
 * DLP_LABEL_PREFIX_MAX bytes, too many prefixes or filesystems).
 */
int dlp_label_tables_build(const struct dlp_policy *pol, const struct dlp_lowered *low,
			   struct dlp_label_tables *ret, struct dlp_diag *diag)
{
	struct dlp_placed *placed, *p, *q;
	struct dlp_label_value acc, *v;
	int i, k, n, err = 0;

	memset(ret, 0, sizeof(*ret));
	ret->conf.version = DLP_LABEL_VERSION;
	placed = calloc(DLP_MAX_LABELS + DLP_MAX_PATHS, sizeof(*placed));
	if (!placed)
		return -ENOMEM;
	n = place_all(pol, low, ret, placed, diag);
	if (n < 0) {
		err = n;
		goto out_free;
	}
	for (i = 0; i < n; i++) {
		p = &placed[i];
		acc = (struct dlp_label_value){ .class = p->class,
						.integrity = p->integrity,
						.paths = p->paths };
		for (k = 0; k < n; k++) {
			q = &placed[k];
			if (k == i || (strcmp(p->real, q->real) && !path_below(p->real, q->real)))
				continue;
			raise_levels(&acc.class, &acc.integrity, q->class, q->integrity);
			acc.paths |= q->paths;
		}
		v = inode_entry(ret, &p->key);
		if (!v) {
			err = -E2BIG;
			goto out_free;
		}
		raise_levels(&v->class, &v->integrity, acc.class, acc.integrity);
		v->paths |= acc.paths;
		err = add_dev(ret, &p->key, v, p, diag);
		if (err)
			goto out_free;
	}
out_free:
	free(placed);
	return err;
}

/**
 * dlp_label_map_fill() - write label tables into one slot of the kernel's label maps
 * @tables: from dlp_label_tables_build()
 * @slot:   the policy slot (DLP_SLOTS, include/dlpguard/abi.h)
 * @fds:    the maps of a loaded bpf/taint.bpf.c, nothing of @slot in
 *          dlp_label_inodes
 *
 * Keys get @slot whatever the tables say; prefixes go to the slot's part of
 * dlp_label_prefixes.  The slot's config entry is written last.
 *
 * Return: 0, or the -errno of the first write that failed (-EEXIST if
 * dlp_label_inodes held an entry of @slot); -EINVAL for a slot out of range.
 */
int dlp_label_map_fill(const struct dlp_label_tables *tables, __u32 slot,
		       const struct dlp_label_map_fds *fds)
{
	struct dlp_label_key key;
	__u32 i, idx;

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	for (i = 0; i < tables->ninodes; i++) {
		key = tables->keys[i];
		key.slot = slot;
		if (bpf_map_update_elem(fds->inodes, &key, &tables->values[i], BPF_NOEXIST))
			return -errno;
	}
	for (i = 0; i < tables->conf.nprefixes; i++) {
		idx = slot * DLP_LABEL_MAX_PREFIXES + i;
		if (bpf_map_update_elem(fds->prefixes, &idx, &tables->prefixes[i], BPF_ANY))
			return -errno;
	}
	if (bpf_map_update_elem(fds->conf, &slot, &tables->conf, BPF_ANY))
		return -errno;
	return 0;
}
