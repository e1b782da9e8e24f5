// SPDX-License-Identifier: GPL-2.0
/*
 * 書換禁止・削除禁止 (docs/hooks.md "Integrity", docs/policy.md §2.6): a
 * labelled file may be rewritten, truncated or renamed (`modify`) or
 * deleted (`delete`) only as the `modify` and `delete` rules allow, e.g.
 *
 *	rule keep  allow modify label 完全性2 by group bunsho
 *	rule guard deny  modify label 完全性2
 *	rule nodel deny  delete label 完全性2
 *
 * Which files: labelled ones (label dir, label prefix, resolved xattr;
 * bpf/label.h), and files under a directory that a `modify path` or
 * `delete path` rule names (for that action only).  Any other file is not a
 * decision: no rule walk, no default, no record.  On a filesystem with no
 * labelled inode, no such path and no prefix rules that costs two array
 * lookups and a scan of the labelled devices, no d_parent walk.
 *
 *	rule keep  deny modify path /srv/例規集      (a directory, not a label)
 *
 * Request: DLP_ACT_MODIFY or DLP_ACT_DELETE, the file's label_class,
 * label_integrity and path ids, the actor's taint, euid and groups.  No policy loaded: a
 * labelled file is refused (DLP_REASON_NO_POLICY), as write.bpf.c does.
 * Every deny and audit makes one record; monitor mode lets denies through.
 *
 * Maps shared with other objects, handed over with bpf_map__reuse_fd()
 * before load (dlpd, tests/bpf/test_integrity.c): the label maps and
 * dlp_taint from bpf/taint.bpf.c, the policy maps of bpf/common.h.
 *
 * inode_setattr moved an argument between 6.1 and 6.12: dlp_integrity_setattr
 * (6.1) and dlp_integrity_setattr_idmap (6.12); the loader turns off the one
 * whose argument count does not match bpf_lsm_inode_setattr in the BTF.
 * Every program is non-sleepable (lsm/): the d_parent walk and the
 * group_leader read need it on 6.12 (§0 "Pointer trust").
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.h"
#include "label.h"
#include "taint.h"

/* Kernel constants vmlinux.h does not carry; the same in 6.1 and 6.12. */
#define EPERM	    1
#define FMODE_WRITE 0x2
#define MAY_WRITE   0x2
#define ATTR_SIZE   (1 << 3)
#define S_IFMT	    00170000
#define S_IFREG	    0100000

char LICENSE[] SEC("license") = "GPL";

/* Decisions made (labelled files reached the rules), by enum dlp_hook: proof a hook runs. */
__u64 dlp_integrity_judged[DLP_HOOK_COUNT];

/* One judgement in progress. */
struct integrity_call {
	struct dlp_request q;
	const struct dlp_config *cfg;
	__u16 rule;
	__u8 verdict;
	__u8 reason;
};

static __always_inline bool is_reg(const struct inode *inode)
{
	return (inode->i_mode & S_IFMT) == S_IFREG;
}

/*
 * integrity_judge() - the verdict on @action against the file at @d
 * @c: zeroed; filled when something was decided
 *
 * The file is judged when it is labelled, or lies under a directory some
 * rule of @action names with `path`; the d_parent walk looks for path ids
 * only when such a rule exists.
 *
 * Return: false when the file is neither (nothing decided).
 */
static __always_inline bool integrity_judge(struct integrity_call *c, struct dentry *d, __u8 action,
					    __u8 hook)
{
	__u32 h = hook, want = DLP_LABEL_WANT_LEVELS, slot = dlp_active_slot();
	struct dlp_file_label l;
	__u64 judged = 0;

	c->cfg = dlp_get_config(slot);
	if (c->cfg && action < DLP_ACT_COUNT)
		judged = c->cfg->paths[action];
	if (judged)
		want |= DLP_LABEL_WANT_PATHS;
	l = dlp_label_of(slot, d, want);
	if (!l.class && !l.integrity && !(l.paths & judged))
		return false;
	if (h < DLP_HOOK_COUNT)
		__sync_fetch_and_add(&dlp_integrity_judged[h], 1);
	c->q.action = action;
	c->q.label_class = l.class;
	c->q.label_integrity = l.integrity;
	c->q.paths = l.paths;
	c->q.taint = dlp_task_taint(bpf_get_current_task_btf());
	dlp_task_subject(&c->q);
	if (!c->cfg) {
		c->reason = DLP_REASON_NO_POLICY;
		c->verdict = DLP_VERDICT_DENY;
	} else {
		c->verdict = dlp_decide(c->cfg, &c->q, &c->rule, &c->reason);
	}
	return true;
}

/* The record of a deny or audit verdict, device and inode filled; NULL for allow or no room. */
static __always_inline struct dlp_event *integrity_report(const struct integrity_call *c, __u8 hook,
							  struct dentry *d)
{
	struct dlp_event *e;

	if (c->verdict != DLP_VERDICT_DENY && c->verdict != DLP_VERDICT_AUDIT)
		return NULL;
	e = dlp_report(c->cfg, hook, &c->q, c->verdict, c->reason, c->rule);
	if (!e)
		return NULL;
	e->dev = d->d_sb->s_dev;
	e->ino = d->d_inode->i_ino;
	return e;
}

/*
 * Judge a modify of @file; record (the path from bpf_d_path where @with_path,
 * else the file's name); the return value.
 */
static __always_inline int integrity_file(struct file *file, __u8 hook, bool with_path)
{
	struct dentry *d = file->f_path.dentry;
	struct integrity_call c = {};
	struct dlp_event *e;

	if (!is_reg(file->f_inode) || !integrity_judge(&c, d, DLP_ACT_MODIFY, hook))
		return 0;
	e = integrity_report(&c, hook, d);
	if (e) {
		/* (struct path *): newer vmlinux.h make f_path const; the helper's type is not. */
		if (with_path) {
			if (bpf_d_path((struct path *)&file->f_path, e->path, sizeof(e->path)) < 0)
				e->path[0] = '\0';
		} else if (bpf_probe_read_kernel_str(e->path, sizeof(e->path), d->d_name.name) <
			   0) {
			e->path[0] = '\0';
		}
		bpf_ringbuf_submit(e, 0);
	}
	return dlp_denies(c.cfg, c.verdict) ? -EPERM : 0;
}

/*
 * Judge @action on the file or directory @d (no struct path at these
 * hooks); the record carries @d's inode and @name's name: @d's own, or the
 * new entry's when a name is being made in directory @d.
 */
static __always_inline int integrity_entry_named(struct dentry *d, struct dentry *name, __u8 action,
						 __u8 hook)
{
	struct integrity_call c = {};
	struct dlp_event *e;

	if (!d->d_inode || !integrity_judge(&c, d, action, hook))
		return 0;
	e = integrity_report(&c, hook, d);
	if (e) {
		if (bpf_probe_read_kernel_str(e->path, sizeof(e->path), name->d_name.name) < 0)
			e->path[0] = '\0';
		bpf_ringbuf_submit(e, 0);
	}
	return dlp_denies(c.cfg, c.verdict) ? -EPERM : 0;
}

static __always_inline int integrity_entry(struct dentry *d, __u8 action, __u8 hook)
{
	return integrity_entry_named(d, d, action, hook);
}

/* A new entry @dentry being made in its directory: a `modify` of that directory. */
static __always_inline int integrity_new_entry(struct dentry *dentry, __u8 hook)
{
	return integrity_entry_named(dentry->d_parent, dentry, DLP_ACT_MODIFY, hook);
}

/*
 * Why file_open: every open for writing (open, openat2, creat, io_uring
 * openat, O_TRUNC, shell redirection) reaches do_dentry_open before any data
 * moves; O_TRUNC truncates after this hook, so a refused open truncates
 * nothing.  The record carries the path.
 * Misses: fds opened for writing before the programs were attached, or
 * before the file was labelled (file_permission catches their writes).
 * A new file in a labelled directory was judged at inode_create (below),
 * and is judged here again as the labelled file it now is.
 * Cost: every open; a mode test, then for writes of regular files the label
 * lookup (no walk off labelled filesystems).
 */
SEC("lsm/file_open")
int BPF_PROG(dlp_integrity_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return integrity_file(file, DLP_HOOK_FILE_OPEN, true);
}

/*
 * Why file_permission: an fd opened for writing earlier (before attach, or
 * passed over a socket) writes without an open.  rw_verify_area() calls it
 * with MAY_WRITE for write, pwrite, writev, aio/io_uring writes,
 * copy_file_range and sendfile destinations, splice and fallocate.
 * Misses: stores through a shared writable mapping (mmap_file is not hooked
 * here yet).
 * Cost: every read and write; a mask test for reads; for writes a mode test
 * and the label lookup.
 */
SEC("lsm/file_permission")
int BPF_PROG(dlp_integrity_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & MAY_WRITE))
		return 0;
	return integrity_file(file, DLP_HOOK_FILE_PERMISSION, false);
}

static __always_inline int integrity_setattr(struct dentry *dentry, struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;

	if (!(attr->ia_valid & ATTR_SIZE) || !inode || !is_reg(inode))
		return 0;
	return integrity_entry(dentry, DLP_ACT_MODIFY, DLP_HOOK_INODE_SETATTR);
}

/*
 * Why inode_setattr with ATTR_SIZE: truncate(2) (no open) and ftruncate on
 * an fd opened earlier reach notify_change() only.  6.1 signature
 * (dentry, iattr); dlp_integrity_setattr_idmap is 6.12's.
 * Misses: other attribute changes (mode, owner, times) are not `modify`.
 * Cost: every setattr; a flag test, then the label lookup.
 */
SEC("lsm/inode_setattr")
int BPF_PROG(dlp_integrity_setattr, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return integrity_setattr(dentry, attr);
}

/* inode_setattr on 6.12: (struct mnt_idmap *, struct dentry *, struct iattr *). */
SEC("lsm/inode_setattr")
int BPF_PROG(dlp_integrity_setattr_idmap, struct mnt_idmap *idmap, struct dentry *dentry,
	     struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return integrity_setattr(dentry, attr);
}

/*
 * Why inode_create, inode_mkdir, inode_symlink and inode_mknod: a new name
 * in a labelled directory (or one a `modify path` rule names) changes what
 * that directory holds, and the new file would carry its label: a `modify`
 * of the directory, judged before the filesystem makes anything (no empty
 * file left behind by a refused cp).  Judged on the directory; the record
 * carries the directory's inode and the new name.
 * Misses: names moved or linked in from elsewhere (inode_rename and
 * inode_link judge the file moved, not the directory it goes to).
 * Cost: every creation; the label lookup of the directory.
 */
SEC("lsm/inode_create")
int BPF_PROG(dlp_integrity_inode_create, struct inode *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	if (ret)
		return ret;
	return integrity_new_entry(dentry, DLP_HOOK_INODE_CREATE);
}

SEC("lsm/inode_mkdir")
int BPF_PROG(dlp_integrity_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	if (ret)
		return ret;
	return integrity_new_entry(dentry, DLP_HOOK_INODE_MKDIR);
}

SEC("lsm/inode_symlink")
int BPF_PROG(dlp_integrity_inode_symlink, struct inode *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	if (ret)
		return ret;
	return integrity_new_entry(dentry, DLP_HOOK_INODE_SYMLINK);
}

SEC("lsm/inode_mknod")
int BPF_PROG(dlp_integrity_inode_mknod, struct inode *dir, struct dentry *dentry, umode_t mode,
	     dev_t dev, int ret)
{
	if (ret)
		return ret;
	return integrity_new_entry(dentry, DLP_HOOK_INODE_MKNOD);
}

/*
 * Why inode_setxattr and inode_removexattr: a file's extended attributes
 * are part of it, and one may be its label (`label xattr`): setting or
 * removing any attribute of a labelled file is a `modify` of it, so whoever
 * may not rewrite a 完全性2 file cannot strip its label either.  The first
 * argument is a struct user_namespace * on 6.1 and a struct mnt_idmap * on
 * 6.12, at the same position and never read: one program serves both.
 * Misses: POSIX ACLs on 6.12 (inode_set_acl; they change access, not
 * content); attributes the kernel sets itself (security labels at create).
 * Cost: every setxattr and removexattr; the label lookup.
 */
SEC("lsm/inode_setxattr")
int BPF_PROG(dlp_integrity_setxattr, void *ns, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	if (ret)
		return ret;
	return integrity_entry(dentry, DLP_ACT_MODIFY, DLP_HOOK_INODE_SETXATTR);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(dlp_integrity_removexattr, void *ns, struct dentry *dentry, const char *name, int ret)
{
	if (ret)
		return ret;
	return integrity_entry(dentry, DLP_ACT_MODIFY, DLP_HOOK_INODE_REMOVEXATTR);
}

/*
 * Why inode_rename: renaming a labelled file (or a labelled directory) is a
 * `modify` of it; a labelled file the rename replaces (a positive target) is
 * deleted by it, a `delete` (docs/hooks.md §6).  Both are judged, the source
 * first.  RENAME_EXCHANGE calls the hook twice, swapped, so both files are
 * judged as sources (and as targets: `delete`).
 * Misses: an unlabelled file moved into a labelled directory (it becomes
 * labelled; nothing labelled is changed).
 * Cost: every rename; two label lookups (one when the target is new).
 */
SEC("lsm/inode_rename")
int BPF_PROG(dlp_integrity_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = integrity_entry(old_dentry, DLP_ACT_MODIFY, DLP_HOOK_INODE_RENAME);
	if (ret)
		return ret;
	return integrity_entry(new_dentry, DLP_ACT_DELETE, DLP_HOOK_INODE_RENAME);
}

/*
 * Why inode_link: a second name for a labelled file, made elsewhere (outside
 * the labelled directory), would not be labelled by the d_parent walk when
 * opened through it (§3 "second-name bypass"): linking a labelled file is a
 * `modify` of it.
 * Misses: links made before the programs were attached or the label given.
 * Cost: every link; the label lookup.
 */
SEC("lsm/inode_link")
int BPF_PROG(dlp_integrity_inode_link, struct dentry *old_dentry, struct inode *dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	return integrity_entry(old_dentry, DLP_ACT_MODIFY, DLP_HOOK_INODE_LINK);
}

/*
 * Why inode_unlink: unlink(2), unlinkat(2) and io_uring unlinkat of a
 * labelled file are `delete`.  Judged before the filesystem removes it.
 * Misses: nothing for this operation (a rename onto a labelled file is
 * judged by inode_rename as `delete`).
 * Cost: every unlink; the label lookup.
 */
SEC("lsm/inode_unlink")
int BPF_PROG(dlp_integrity_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return integrity_entry(dentry, DLP_ACT_DELETE, DLP_HOOK_INODE_UNLINK);
}

/*
 * Why inode_rmdir: removing a labelled (empty) directory is `delete`.
 * Cost: every rmdir; the label lookup.
 */
SEC("lsm/inode_rmdir")
int BPF_PROG(dlp_integrity_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return integrity_entry(dentry, DLP_ACT_DELETE, DLP_HOOK_INODE_RMDIR);
}
