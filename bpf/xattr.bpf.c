// SPDX-License-Identifier: GPL-2.0
/*
 * Labels from an extended attribute, read in the kernel ('label xattr NAME',
 * docs/policy.md §2.4; docs/hooks.md §3): a file whose attribute NAME holds
 * levels (include/dlpguard/label_value.h) taints the thread that opens it
 * for reading with its 機密性, like a file under a label directory.  Its
 * 完全性 is not used here: bpf/integrity.bpf.c judges by the label maps.
 *
 * Only kernels whose BTF has the kfunc bpf_get_file_xattr (6.8 and later;
 * Debian 13's 6.12) can load this object, which is why it is an object of
 * its own (§0): the loader loads it only after finding the kfunc, and on
 * older kernels dlpd resolves the attribute in user space into the label
 * maps instead (user/lib/label_xattr.h).  On 6.12 the kfunc reads user.*
 * names only: a policy naming security.* or trusted.* needs the user-space
 * resolver on every kernel, and the loader must not set such a name here.
 *
 * Maps shared with other objects, handed over with bpf_map__reuse_fd()
 * before load: dlp_taint from bpf/taint.bpf.c, which owns it.  The
 * attribute's name is dlp_xattr_name, set in .rodata before load.
 *
 * The program is sleepable and so, on 6.12, may pass only trusted pointers
 * to helpers (§0 "Pointer trust"): it raises the opening thread's own taint,
 * never its group leader's, and walks no d_parent chain.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include <dlpguard/label_value.h>

#include "taint.h"

/* Kernel constants vmlinux.h does not carry; the same in 6.1 and 6.12. */
#define ENODATA	   61
#define EOPNOTSUPP 95
#define ERANGE	   34
#define FMODE_READ 0x1
#define S_IFMT	   00170000
#define S_IFREG	   0100000

/* XATTR_NAME_MAX (255) and the NUL. */
#define DLP_XATTR_NAME_SIZE 256

char LICENSE[] SEC("license") = "GPL";

/*
 * The attribute's name, NUL-terminated; empty: the program judges nothing.
 * A kfunc argument named __str must point into a frozen read-only map,
 * which .rodata is once loaded.
 */
const volatile char dlp_xattr_name[DLP_XATTR_NAME_SIZE] = "";

/*
 * Where bpf_get_file_xattr writes the value: bpf_dynptr_from_mem takes map
 * memory only, not the stack, and the program may sleep in the filesystem,
 * so a per-CPU or global buffer could be overwritten by another opener on
 * the same CPU between the read and the parse.  One buffer per task cannot:
 * made at the task's first judged open, freed with the task.
 */
struct dlp_xattr_buf {
	__u8 value[DLP_LABEL_VALUE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dlp_xattr_buf);
} dlp_xattr_bufs SEC(".maps");

/* Counters, read by the loader and the tests through the skeleton's bss. */
__u64 dlp_xattr_opens;	   /* regular files opened for reading, attribute looked up */
__u64 dlp_xattr_found;	   /* of which carried the attribute */
__u64 dlp_xattr_malformed; /* of which held no valid value, or one too long */
__u64 dlp_xattr_errors;	   /* no buffer, or a lookup that failed otherwise: not judged */
__u64 dlp_xattr_raises;	   /* taints raised */

extern int bpf_get_file_xattr(struct file *file, const char *name__str,
			      struct bpf_dynptr *value_p) __ksym;

/* The program may sleep, and so be preempted on its CPU: counters are added atomically. */
static __always_inline void count(__u64 *counter)
{
	__sync_fetch_and_add(counter, 1);
}

/*
 * The 機密性 the attribute of @file gives: DLP_CLASS_NONE when it has none
 * (or gives only 完全性), DLP_CLASS_MAX when its value cannot be read as
 * levels (longer than DLP_LABEL_VALUE_MAX, or malformed), failing closed.
 * When the task has no buffer (no memory) or the read fails otherwise the
 * file is not judged: DLP_CLASS_NONE, counted in dlp_xattr_errors.
 */
static __always_inline __u8 xattr_class(struct file *file, struct task_struct *task)
{
	struct dlp_xattr_buf *buf;
	struct bpf_dynptr value;
	__u8 class, integrity;
	int len;

	buf = bpf_task_storage_get(&dlp_xattr_bufs, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!buf) {
		count(&dlp_xattr_errors);
		return DLP_CLASS_NONE;
	}
	bpf_dynptr_from_mem(buf->value, sizeof(buf->value), 0, &value);
	len = bpf_get_file_xattr(file, (const char *)dlp_xattr_name, &value);
	if (len == -ENODATA || len == -EOPNOTSUPP)
		return DLP_CLASS_NONE;
	if (len < 0 && len != -ERANGE) {
		count(&dlp_xattr_errors);
		return DLP_CLASS_NONE;
	}
	count(&dlp_xattr_found);
	if (len < 0 || !dlp_label_value_parse(buf->value, len, &class, &integrity)) {
		count(&dlp_xattr_malformed);
		return DLP_CLASS_MAX;
	}
	return class;
}

/*
 * Why file_open: as for the label directories (bpf/taint.bpf.c), every open
 * that can read reaches it, whatever the syscall, and the read is judged at
 * open (§4).  It is a sleepable hook on 6.12, which bpf_get_file_xattr
 * (KF_SLEEPABLE: filesystems may sleep reading an attribute) requires.  The
 * attribute is read as the opener (the kfunc checks MAY_READ), so only
 * readable opens look: a write-only opener gets no taint, as it would from a
 * label directory.
 * Misses: a thread's taint is not given to its group leader or to the other
 * threads of its process (the leader pointer is not trusted in a sleepable
 * program, §0), so a process whose worker thread reads the file is tainted
 * only on that thread, until the thread forks or execs; fds received over a
 * socket or taken with pidfd_getfd (file_receive: no program here); an
 * attribute set or changed after the open; names outside user.*.
 * Cost: every open of a regular file for reading, while a name is set: one
 * task-storage lookup (the task's buffer; made at its first such open) and
 * one getxattr (a filesystem lookup; on tmpfs an in-memory list walk), and
 * for labelled files the parse and one more task-storage lookup.
 */
SEC("lsm.s/file_open")
int BPF_PROG(dlp_xattr_open, struct file *file, int ret)
{
	struct task_struct *task;
	struct dlp_taint *t;
	__u8 class;

	if (ret)
		return ret;
	if (!dlp_xattr_name[0] || !(file->f_mode & FMODE_READ))
		return 0;
	if ((file->f_inode->i_mode & S_IFMT) != S_IFREG)
		return 0;
	count(&dlp_xattr_opens);
	task = bpf_get_current_task_btf();
	class = xattr_class(file, task);
	if (!class)
		return 0;
	t = bpf_task_storage_get(&dlp_taint, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t || t->class >= class)
		return 0;
	t->class = class;
	t->since_ns = bpf_ktime_get_boot_ns();
	count(&dlp_xattr_raises);
	return 0;
}
