// SPDX-License-Identifier: GPL-2.0
/*
 * Labels and taint (docs/hooks.md §3, §4): which level a file carries, and
 * the process taint that reading it raises, passed to children and kept
 * across exec.  Nothing here denies: the write, modify and connect hooks
 * judge by the taint these programs keep (dlp_task_taint() in bpf/taint.h).
 *
 * A file's label is the highest level of each kind given by
 *   - dlp_label_inodes entries for the file itself or, with
 *     DLP_LABEL_F_SUBTREE, for a directory above it on the same filesystem,
 *     found by walking d_parent (bounded, non-sleepable: §0 "Pointer trust");
 *   - dlp_label_prefixes entries whose bytes start the file's name.
 * The maps are described in include/dlpguard/label.h and filled by
 * dlp_label_map_fill() (user/lib/label_map.c).
 *
 * Cost, per open of a regular file for reading (measured under -icount:
 * docs/hooks.md "Labels and taint"; open+close is ~11,000 instructions):
 *   - the file's filesystem has no labelled inode, no prefix rules: an
 *     inlined array lookup and a scan of at most DLP_LABEL_MAX_DEVS device
 *     numbers in that one value, no hashing (+2.8 % on 6.1);
 *   - its filesystem has labelled inodes: one dlp_label_inodes lookup
 *     (~200 instructions) per d_parent step, up to the first labelled
 *     directory, or to the root for unlabelled files (at most
 *     DLP_LABEL_WALK_MAX + 1 lookups);
 *   - prefix rules, on every filesystem when there are any: one read of the
 *     name (at most 40 bytes) and a bpf_loop() of an array lookup and at most
 *     four masked 8-byte compares per rule (one rule: ~300 instructions).
 * Raising the taint is one or two task-storage lookups, for labelled files
 * only.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include <dlpguard/label.h>

#include "taint.h"

#define ENOMEM	   12
#define FMODE_READ 0x1
#define S_IFMT	   00170000
#define S_IFREG	   0100000

/* Bytes of a file name read for the prefix rules: four 8-byte words and the NUL. */
#define NAME_WORDS 5

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dlp_label_key);
	__type(value, struct dlp_label_value);
	__uint(max_entries, DLP_LABEL_INODE_ENTRIES);
} dlp_label_inodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dlp_label_prefix);
	__uint(max_entries, DLP_LABEL_MAX_PREFIXES);
} dlp_label_prefixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dlp_label_conf);
	__uint(max_entries, 1);
} dlp_label_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, DLP_LABEL_STAT_COUNT);
} dlp_label_stats SEC(".maps");

/* A file's resolved label. */
struct label {
	__u8 class;
	__u8 integrity;
};

static __always_inline void label_stat(enum dlp_label_stat stat, __u64 n)
{
	__u32 key = stat;
	__u64 *v = bpf_map_lookup_elem(&dlp_label_stats, &key);

	if (v)
		*v += n;
}

static __always_inline void label_raise(struct label *l, __u8 class, __u8 integrity)
{
	if (class > l->class)
		l->class = class;
	if (integrity > l->integrity)
		l->integrity = integrity;
}

/*
 * The labels of the file at @d on the labelled filesystem @ldev: an entry
 * for the file itself applies whatever its flags; above it only SUBTREE
 * entries do, and the first of those ends the walk (its levels already
 * include the labelled directories above it).  The walk follows d_parent on
 * @d's own filesystem: a label directory's subtree on that filesystem is
 * exactly what its dentries reach, whatever the mount or chroot it was
 * opened through.  It fails closed (the device's highest levels) when it
 * reaches the bound, or ends at a root that is not the filesystem's (a
 * disconnected dentry, as after open_by_handle_at).
 *
 * The loop body is kept to one lookup and three tests, and levels are
 * raised after it, so that the verifier's states differ only in the step
 * count.
 */
static __always_inline void label_walk(struct dentry *d, const struct dlp_label_dev *ldev,
				       struct label *l)
{
	struct dlp_label_key key = { .dev = ldev->dev };
	const struct dlp_label_value *v, *found = NULL;
	struct super_block *sb = d->d_sb;
	struct dentry *parent;
	struct inode *inode;
	__u32 i;

	key.ino = d->d_inode->i_ino;
	v = bpf_map_lookup_elem(&dlp_label_inodes, &key);
	if (v)
		label_raise(l, v->class, v->integrity);
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
	label_stat(DLP_LABEL_STAT_WALKS, 1);
	label_stat(DLP_LABEL_STAT_STEPS, 1 + i + !!found);
	if (found) {
		label_raise(l, found->class, found->integrity);
		return;
	}
	if (i < DLP_LABEL_WALK_MAX && d == sb->s_root)
		return;
	label_stat(DLP_LABEL_STAT_UNRESOLVED, 1);
	label_raise(l, ldev->class, ldev->integrity);
}

/* Whether @name (zero-padded after its NUL) starts with @p's bytes. */
static __always_inline bool prefix_matches(const struct dlp_label_prefix *p, const __u64 *name)
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

struct prefix_scan {
	__u64 name[NAME_WORDS]; /* the file name, zero-padded after its NUL */
	__u32 nprefixes;
	struct label l;
};

static long prefix_one(__u32 i, void *ctx)
{
	struct prefix_scan *s = ctx;
	const struct dlp_label_prefix *p;

	if (i >= s->nprefixes)
		return 1;
	p = bpf_map_lookup_elem(&dlp_label_prefixes, &i);
	if (!p)
		return 1;
	if (prefix_matches(p, s->name))
		label_raise(&s->l, p->class, p->integrity);
	return 0;
}

/*
 * The prefix rules on the name of @d.  bpf_loop(): its callback is verified
 * once, where an unrolled loop would be verified again for every way the
 * d_parent walk before it can end.
 */
static __always_inline void label_prefixes(struct dentry *d, __u32 nprefixes, struct label *l)
{
	struct prefix_scan s = { .nprefixes = nprefixes };

	if (bpf_probe_read_kernel_str(s.name, sizeof(s.name), d->d_name.name) <= 0)
		return;
	bpf_loop(DLP_LABEL_MAX_PREFIXES, prefix_one, &s, 0);
	label_raise(l, s.l.class, s.l.integrity);
}

/* The label of the file at @d; {0, 0} when nothing labels it. */
static __always_inline struct label label_of(struct dentry *d)
{
	const struct dlp_label_conf *conf;
	struct dlp_label_dev ldev = {};
	bool labelled_fs = false;
	struct label l = {};
	__u32 zero = 0, dev, i;

	conf = bpf_map_lookup_elem(&dlp_label_conf, &zero);
	if (!conf || conf->version != DLP_LABEL_VERSION)
		return l;
	if (conf->ndevs) {
		dev = d->d_sb->s_dev;
		for (i = 0; i < DLP_LABEL_MAX_DEVS; i++) {
			if (i >= conf->ndevs)
				break;
			if (conf->devs[i].dev == dev) {
				ldev = conf->devs[i];
				labelled_fs = true;
				break;
			}
		}
	}
	/* Walked once, after the scan: inside it, it would be verified once per device. */
	if (labelled_fs)
		label_walk(d, &ldev, &l);
	if (conf->nprefixes)
		label_prefixes(d, conf->nprefixes, &l);
	return l;
}

/*
 * Set @task's own taint to at least @class.  If no entry can be made the
 * read still goes ahead (these programs never deny) and is counted in
 * DLP_LABEL_STAT_NOMEM.
 */
static __always_inline void raise_task(struct task_struct *task, __u8 class)
{
	struct dlp_taint *t;

	t = bpf_task_storage_get(&dlp_taint, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t) {
		label_stat(DLP_LABEL_STAT_NOMEM, 1);
		return;
	}
	if (t->class >= class)
		return;
	t->class = class;
	t->since_ns = bpf_ktime_get_boot_ns();
	label_stat(DLP_LABEL_STAT_RAISES, 1);
}

/*
 * Raise the current thread group's taint to the class of @file, if it is a
 * regular file opened for reading.  Directories are left out: listing a
 * labelled directory reads names, not contents, and would taint every shell
 * that enters it.  Taint belongs to the thread group (§4): the thread and
 * its leader are both raised.  Two threads raising the leader at once may
 * leave the lower of their classes there (a u8 store, not a compare and
 * exchange); each thread's own entry is still right.
 */
static __always_inline void taint_from_file(struct file *file, enum dlp_label_stat stat)
{
	struct task_struct *task, *leader;
	struct dentry *d;
	struct label l;

	if (!(file->f_mode & FMODE_READ))
		return;
	if ((file->f_inode->i_mode & S_IFMT) != S_IFREG)
		return;
	label_stat(stat, 1);
	d = file->f_path.dentry;
	l = label_of(d);
	if (!l.class)
		return;
	task = bpf_get_current_task_btf();
	raise_task(task, l.class);
	leader = task->group_leader;
	if (leader != task)
		raise_task(leader, l.class);
}

/*
 * Why file_open: every open that can read, whatever the syscall (open,
 * openat2, io_uring, open_by_handle_at) reaches do_dentry_open, and the read
 * is judged at open like every other access (§4).  O_PATH opens skip it and
 * cannot read.  The program is not sleepable, so the d_parent walk keeps
 * pointers the map helpers accept on 6.12 (§0).
 */
SEC("lsm/file_open")
int BPF_PROG(dlp_taint_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	taint_from_file(file, DLP_LABEL_STAT_OPENS);
	return 0;
}

/*
 * Why file_receive: a readable fd of a labelled file passed over a unix
 * socket (SCM_RIGHTS), taken with pidfd_getfd, or added by a seccomp
 * supervisor gives its reader the contents without an open; the receiver
 * is tainted as if it had opened it.
 */
SEC("lsm/file_receive")
int BPF_PROG(dlp_taint_receive, struct file *file, int ret)
{
	if (ret)
		return ret;
	taint_from_file(file, DLP_LABEL_STAT_RECEIVES);
	return 0;
}

/* The taint of the current thread's group: the higher of its own and its leader's. */
static __always_inline struct dlp_taint *group_taint(struct task_struct *task)
{
	struct dlp_taint *own, *lead;

	own = bpf_task_storage_get(&dlp_taint, task, NULL, 0);
	if (task->group_leader == task)
		return own;
	lead = bpf_task_storage_get(&dlp_taint, task->group_leader, NULL, 0);
	if (!own || (lead && lead->class > own->class))
		return lead;
	return own;
}

/*
 * Why task_alloc: it runs in copy_process for every fork, vfork and clone
 * (threads and io_uring workers too), after the child's storage was cleared
 * and before the child can run, so the child never runs untainted.  The
 * child's group_leader is set only after the hook: write the child's own
 * entry.  Attached non-sleepable (it reads group_leader, §4).  A tainted
 * parent whose child cannot get an entry cannot fork: fail closed.
 */
SEC("lsm/task_alloc")
int BPF_PROG(dlp_taint_fork, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct dlp_taint *parent, *child;

	if (ret)
		return ret;
	parent = group_taint(bpf_get_current_task_btf());
	if (!parent || !parent->class)
		return 0;
	child = bpf_task_storage_get(&dlp_taint, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!child) {
		label_stat(DLP_LABEL_STAT_NOMEM, 1);
		return -ENOMEM;
	}
	child->class = parent->class;
	child->since_ns = parent->since_ns;
	label_stat(DLP_LABEL_STAT_INHERITS, 1);
	return 0;
}

/*
 * Why bprm_creds_for_exec: task storage survives exec, except when a
 * non-leader thread execs: de_thread() makes it the leader and frees the old
 * leader with its entry.  This hook runs before that (bprm_execve, before
 * exec_binprm), so the group's taint is folded into the thread's own entry.
 */
SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(dlp_taint_exec, struct linux_binprm *bprm, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct dlp_taint *group;

	if (ret)
		return ret;
	if (task->group_leader == task)
		return 0;
	group = group_taint(task);
	if (group && group->class)
		raise_task(task, group->class);
	return 0;
}
