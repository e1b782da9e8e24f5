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

#include "label.h"
#include "taint.h"

#define ENOMEM	   12
#define FMODE_READ 0x1
#define S_IFMT	   00170000
#define S_IFREG	   0100000

char LICENSE[] SEC("license") = "GPL";

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
		dlp_label_stat(DLP_LABEL_STAT_NOMEM, 1);
		return;
	}
	if (t->class >= class)
		return;
	t->class = class;
	t->since_ns = bpf_ktime_get_boot_ns();
	dlp_label_stat(DLP_LABEL_STAT_RAISES, 1);
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
	struct dlp_file_label l;

	if (!(file->f_mode & FMODE_READ))
		return;
	if ((file->f_inode->i_mode & S_IFMT) != S_IFREG)
		return;
	dlp_label_stat(stat, 1);
	d = file->f_path.dentry;
	l = dlp_label_of(dlp_active_slot(), d, DLP_LABEL_WANT_LEVELS);
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
		dlp_label_stat(DLP_LABEL_STAT_NOMEM, 1);
		return -ENOMEM;
	}
	child->class = parent->class;
	child->since_ns = parent->since_ns;
	dlp_label_stat(DLP_LABEL_STAT_INHERITS, 1);
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
