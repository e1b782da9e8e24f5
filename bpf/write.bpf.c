// SPDX-License-Identifier: GPL-2.0
/*
 * Writes to files on removable media (docs/hooks.md §5), and to files under a
 * directory a `write path` rule names: every way a process can create a
 * file there, put data in one, or give one a new name or size, judged (on
 * media by the ledger first) by the `write` rules, with the writer's taint
 * (bpf/taint.h) for their `if class` conditions.  A process
 * that has read a 機密性2 file is refused by `rule ... deny write media if
 * class >= 2` whichever path it takes; untainted writers keep what the rules
 * give them.
 *
 * Which files: those whose superblock lives on a device that dlp_media
 * (bpf/media.h) does not call internal, and, when the policy has `write
 * path` rules, those under one of their directories (found by the d_parent
 * walk of bpf/label.h, on filesystems that hold such a directory only):
 *
 *	rule local-3 deny write path /home if class >= 3
 *
 * A file on an internal disk costs one hash lookup and one array lookup (the
 * policy) when no rule names a path; media and path files pay the taint
 * lookup, the subject and the rule walk.  Media writes need a block device;
 * path writes are judged on any filesystem a 'path' directory is on.
 *
 * The ledger is a ceiling (docs/policy.md §2.5): registered access ro, and
 * unregistered media under `media unregistered deny|readonly`, refuse every
 * write with DLP_REASON_LEDGER whatever the rules say.  No policy loaded:
 * refused, DLP_REASON_NO_POLICY.  Every deny and audit makes one record.
 *
 * Maps shared with other objects, which dlpd (and tests/bpf/test_write.c)
 * hands over with bpf_map__reuse_fd() before load: dlp_taint and the label
 * maps from the object that raises the taint (bpf/taint.bpf.c), dlp_media
 * from bpf/media.bpf.c, and the policy maps of bpf/common.h.
 *
 * inode_setattr moved an argument between 6.1 and 6.12: dlp_write_setattr
 * (6.1) and dlp_write_setattr_idmap (6.12); the loader turns off the one whose
 * argument count does not match bpf_lsm_inode_setattr in the kernel's BTF.
 * Every program is non-sleepable (lsm/, not lsm.s/), so the group_leader read
 * of dlp_task_taint() is allowed on 6.12 (§0 "Pointer trust").
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.h"
#include "label.h"
#include "media.h"
#include "taint.h"

/* Kernel constants vmlinux.h does not carry; the same in 6.1 and 6.12. */
#define EPERM		    1
#define FMODE_WRITE	    0x2
#define MAY_WRITE	    0x2
#define ATTR_SIZE	    (1 << 3)
#define S_IFMT		    00170000
#define S_IFREG		    0100000
#define PROT_WRITE	    0x2
#define MAP_TYPE	    0x0f
#define MAP_SHARED	    0x01
#define MAP_SHARED_VALIDATE 0x03
#define VM_SHARED	    0x08

char LICENSE[] SEC("license") = "GPL";

/*
 * Requests that reached the ledger, by enum dlp_hook: proof for tests and
 * `dlpctl doctor` that a hook runs.  Internal disks and non-block
 * filesystems are not counted.
 */
__u64 dlp_write_judged[DLP_HOOK_COUNT];

/* One judgement in progress. */
struct write_call {
	struct dlp_request q;
	const struct dlp_config *cfg;
	__u32 dev;
	__u16 rule;
	__u8 verdict;
	__u8 reason;
};

static __always_inline bool is_reg(const struct inode *inode)
{
	return (inode->i_mode & S_IFMT) == S_IFREG;
}

/*
 * write_judge() - the verdict on writing to the filesystem of @sb
 * @c:    zeroed; filled
 * @sb:   the superblock written to (the file's, or the target directory's)
 * @d:    the file written, or the directory an entry is made in: where the
 *        walk for 'path' directories starts
 * @hook: enum dlp_hook, for the counter
 *
 * Cost: one hash lookup (dlp_media) and one array lookup (the policy) for a
 * file on an internal disk or a filesystem without a block device; when the
 * policy has `write path` rules, the label configuration lookup and, on a
 * filesystem holding such a directory, the d_parent walk.  Judged files add
 * one or two task-storage lookups (taint), the subject, and the rule walk of
 * dlp_decide().
 *
 * Return: false when @sb is not on removable media and @d under no `write
 * path` directory (nothing decided).
 */
static __always_inline bool write_judge(struct write_call *c, const struct super_block *sb,
					struct dentry *d, __u8 hook)
{
	__u32 h = hook, slot = dlp_active_slot();
	struct dlp_file_label l = {};
	bool media, writable = false;
	__u64 judged;

	c->dev = dlp_sb_dev(sb);
	media = c->dev && dlp_media_of(slot, c->dev, &c->q, &writable);
	c->cfg = dlp_get_config(slot);
	judged = c->cfg ? c->cfg->paths[DLP_ACT_WRITE] : 0;
	if (judged)
		l = dlp_label_of(slot, d, DLP_LABEL_WANT_PATHS);
	if (!media && !(l.paths & judged))
		return false;
	if (!media)
		c->dev = sb->s_dev; /* the record names the filesystem (tmpfs has no bdev) */
	if (h < DLP_HOOK_COUNT)
		__sync_fetch_and_add(&dlp_write_judged[h], 1);

	c->q.action = DLP_ACT_WRITE;
	c->q.paths = l.paths;
	c->q.taint = dlp_task_taint(bpf_get_current_task_btf());
	dlp_task_subject(&c->q);
	if (!c->cfg) {
		c->reason = DLP_REASON_NO_POLICY;
		c->verdict = DLP_VERDICT_DENY;
	} else if (media && !dlp_ledger_permits(c->cfg, c->q.media, writable, true)) {
		c->reason = DLP_REASON_LEDGER;
		c->verdict = DLP_VERDICT_DENY;
	} else {
		c->verdict = dlp_decide(c->cfg, &c->q, &c->rule, &c->reason);
	}
	return true;
}

/* The record of a deny or audit verdict, device and inode filled; NULL for allow or no room. */
static __always_inline struct dlp_event *write_report(const struct write_call *c, __u8 hook,
						      __u64 ino)
{
	struct dlp_event *e;

	if (c->verdict != DLP_VERDICT_DENY && c->verdict != DLP_VERDICT_AUDIT)
		return NULL;
	e = dlp_report(c->cfg, hook, &c->q, c->verdict, c->reason, c->rule);
	if (!e)
		return NULL;
	e->dev = c->dev;
	e->ino = ino;
	return e;
}

/* Record (path from bpf_d_path where @with_path) and turn the verdict into the return value. */
static __always_inline int write_file(struct file *file, __u8 hook, bool with_path)
{
	struct inode *inode = file->f_inode;
	struct write_call c = {};
	struct dlp_event *e;

	if (!is_reg(inode) || !write_judge(&c, inode->i_sb, file->f_path.dentry, hook))
		return 0;
	e = write_report(&c, hook, inode->i_ino);
	if (e) {
		/* (struct path *): newer vmlinux.h make f_path const; the helper's type is not. */
		if (with_path &&
		    bpf_d_path((struct path *)&file->f_path, e->path, sizeof(e->path)) < 0)
			e->path[0] = '\0';
		bpf_ringbuf_submit(e, 0);
	}
	return dlp_denies(c.cfg, c.verdict) ? -EPERM : 0;
}

/*
 * The same for a directory entry @name being made or changed in directory
 * @dir (or, for a size change, the file @name itself): no struct path at
 * these hooks, so the record carries the entry's final name (not a path)
 * and @ino.
 */
static __always_inline int write_entry(struct dentry *dir, struct dentry *name, __u64 ino,
				       __u8 hook)
{
	struct write_call c = {};
	struct dlp_event *e;

	if (!write_judge(&c, dir->d_sb, dir, hook))
		return 0;
	e = write_report(&c, hook, ino);
	if (e) {
		if (bpf_probe_read_kernel_str(e->path, sizeof(e->path), name->d_name.name) < 0)
			e->path[0] = '\0';
		bpf_ringbuf_submit(e, 0);
	}
	return dlp_denies(c.cfg, c.verdict) ? -EPERM : 0;
}

/*
 * Why file_open: every open for writing (open, openat2, creat, io_uring
 * openat, shell redirection, cp's O_CREAT|O_WRONLY|O_TRUNC) reaches
 * do_dentry_open, so the write is refused before any data moves.  O_TRUNC
 * truncates after this hook (handle_truncate), so a refused open truncates
 * nothing.  Sleepable hook: the record carries the path.
 * Misses: O_PATH opens (cannot write); fds opened for writing before the
 * writer was tainted, or before the programs were attached, or received
 * (file_permission); new files (inode_create, which runs before this).
 * Cost: every open; a mode test, and for writes on block filesystems a
 * regular-file test and one hash lookup.
 */
SEC("lsm/file_open")
int BPF_PROG(dlp_write_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return write_file(file, DLP_HOOK_FILE_OPEN, true);
}

/*
 * Why file_permission: the write fd may predate the taint (opened on the
 * stick, then the secret read) or the programs, or come over a socket.
 * rw_verify_area() calls it with MAY_WRITE for write, pwrite, writev,
 * pwritev, aio and io_uring writes, copy_file_range and sendfile
 * destinations, splice into a file, FICLONE/dedupe, and fallocate.
 * Not sleepable: no path in the record.
 * Misses: stores through a shared writable mapping made before the taint
 * (no hook sees memory writes); kernel writers that skip rw_verify_area
 * (coredumps, the loop driver on 6.12).  Every write(2) of an audited
 * registered medium makes a record: a large copy makes many.
 * Cost: every read and write; a mask test for reads; for writes a mode test
 * and, on block filesystems, one hash lookup.
 */
SEC("lsm/file_permission")
int BPF_PROG(dlp_write_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & MAY_WRITE))
		return 0;
	return write_file(file, DLP_HOOK_FILE_PERMISSION, false);
}

/*
 * Why inode_create: may_o_create() calls it before the filesystem makes the
 * file (also for atomic_open filesystems), so no empty file is left behind by
 * a refused cp.  Judged on the parent directory's superblock; the record
 * carries the directory's inode and the new name.
 * Misses: mkdir, symlink and mknod have hooks of their own (below).
 * Cost: every creation; one hash lookup on block filesystems.
 */
SEC("lsm/inode_create")
int BPF_PROG(dlp_write_inode_create, struct inode *dir, struct dentry *dentry, umode_t mode,
	     int ret)
{
	if (ret)
		return ret;
	return write_entry(dentry->d_parent, dentry, dir->i_ino, DLP_HOOK_INODE_CREATE);
}

/*
 * Why inode_mkdir, inode_symlink, inode_mknod: a directory's name, a symlink's
 * target (up to a page) and a node's name are data the writer chose, written
 * to the medium without any file being opened.  Recorded with the directory's
 * inode and the new name.
 * Misses: nothing for these operations; vfat has neither symlinks nor nodes.
 * Cost: every mkdir, symlink and mknod; one hash lookup on block filesystems.
 */
SEC("lsm/inode_mkdir")
int BPF_PROG(dlp_write_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return write_entry(dentry->d_parent, dentry, dir->i_ino, DLP_HOOK_INODE_MKDIR);
}

SEC("lsm/inode_symlink")
int BPF_PROG(dlp_write_inode_symlink, struct inode *dir, struct dentry *dentry,
	     const char *old_name, int ret)
{
	if (ret)
		return ret;
	return write_entry(dentry->d_parent, dentry, dir->i_ino, DLP_HOOK_INODE_SYMLINK);
}

SEC("lsm/inode_mknod")
int BPF_PROG(dlp_write_inode_mknod, struct inode *dir, struct dentry *dentry, umode_t mode,
	     dev_t dev, int ret)
{
	if (ret)
		return ret;
	return write_entry(dentry->d_parent, dentry, dir->i_ino, DLP_HOOK_INODE_MKNOD);
}

/*
 * Why inode_link: a new name for a file on the medium is a write there (the
 * name is data the writer chose).  Links across filesystems fail with EXDEV
 * before any hook, so only links within the medium get here.
 * Not sleepable: record with the file's inode and the new name.
 * Misses: nothing for this operation; vfat has no hard links at all.
 * Cost: every link; one hash lookup on block filesystems.
 */
SEC("lsm/inode_link")
int BPF_PROG(dlp_write_inode_link, struct dentry *old_dentry, struct inode *dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	return write_entry(new_dentry->d_parent, new_dentry, old_dentry->d_inode->i_ino,
			   DLP_HOOK_INODE_LINK);
}

/*
 * Why inode_rename: renaming within the medium writes a name the writer
 * chose (renames across filesystems fail with EXDEV, and mv then copies
 * through file_open/inode_create).  RENAME_EXCHANGE calls it twice, swapped,
 * on the same superblock.  Judged on the target directory.
 * Misses: nothing for this operation.
 * Cost: every rename; one hash lookup on block filesystems.
 */
SEC("lsm/inode_rename")
int BPF_PROG(dlp_write_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	return write_entry(new_dentry->d_parent, new_dentry, old_dentry->d_inode->i_ino,
			   DLP_HOOK_INODE_RENAME);
}

static __always_inline int write_setattr(struct dentry *dentry, struct iattr *attr)
{
	struct inode *inode = dentry->d_inode;

	if (!(attr->ia_valid & ATTR_SIZE) || !inode || !is_reg(inode))
		return 0;
	return write_entry(dentry, dentry, inode->i_ino, DLP_HOOK_INODE_SETATTR);
}

/*
 * Why inode_setattr with ATTR_SIZE: notify_change() runs it for truncate(2)
 * (no fd, no open), ftruncate on an fd that predates the taint, O_TRUNC and
 * io_uring ftruncate (6.12); a size change grows or cuts the file's data.
 * 6.1 signature (dentry, iattr); dlp_write_setattr_idmap is the 6.12 one.
 * Not a struct path: the record carries the inode and the file's name.
 * Misses: other attribute changes (times, mode), which can carry a few bits.
 * Cost: every setattr; a flag test, then one hash lookup on block filesystems.
 */
SEC("lsm/inode_setattr")
int BPF_PROG(dlp_write_setattr, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return write_setattr(dentry, attr);
}

/* inode_setattr on 6.12: (struct mnt_idmap *, struct dentry *, struct iattr *). */
SEC("lsm/inode_setattr")
int BPF_PROG(dlp_write_setattr_idmap, struct mnt_idmap *idmap, struct dentry *dentry,
	     struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return write_setattr(dentry, attr);
}

/*
 * Why inode_setxattr: an extended attribute is data the writer chose, kept
 * on the medium with the file (up to 64 KiB each on ext4), without the file
 * being opened.  The first argument is a struct user_namespace * on 6.1 and
 * a struct mnt_idmap * on 6.12, at the same position and never read: one
 * program serves both.  Not sleepable here: the record carries the name.
 * Misses: removexattr (removes, carries nothing in); POSIX ACLs on 6.12
 * (inode_set_acl: access bits, not data).
 * Cost: every setxattr; one hash lookup on block filesystems.
 */
SEC("lsm/inode_setxattr")
int BPF_PROG(dlp_write_setxattr, void *ns, struct dentry *dentry, const char *name,
	     const void *value, size_t size, int flags, int ret)
{
	struct inode *inode = dentry->d_inode;

	if (ret)
		return ret;
	if (!inode)
		return 0;
	return write_entry(dentry, dentry, inode->i_ino, DLP_HOOK_INODE_SETXATTR);
}

/*
 * Why mmap_file: a shared writable mapping of a medium's file writes it with
 * plain stores, which no later hook sees; the fd may predate the taint.
 * MAP_SHARED and MAP_SHARED_VALIDATE with PROT_WRITE are judged; private
 * mappings never reach the file.  Sleepable hook: the record carries the path.
 * Misses: mappings made before the writer was tainted keep working.
 * Cost: every mmap; a few flag tests, one hash lookup for shared writable
 * mappings of files on block filesystems.
 */
SEC("lsm/mmap_file")
int BPF_PROG(dlp_write_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	unsigned long type = flags & MAP_TYPE;

	if (ret)
		return ret;
	if (!file || !(prot & PROT_WRITE) || (type != MAP_SHARED && type != MAP_SHARED_VALIDATE))
		return 0;
	return write_file(file, DLP_HOOK_MMAP_FILE, true);
}

/*
 * Why file_mprotect: a shared mapping made read-only (allowed) can be made
 * writable later with mprotect(PROT_WRITE), after the taint.
 * Not sleepable: no path in the record.
 * Misses: as mmap_file.
 * Cost: every mprotect; flag tests, one hash lookup for shared file
 * mappings on block filesystems made writable.
 */
SEC("lsm/file_mprotect")
int BPF_PROG(dlp_write_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct file *file;

	if (ret)
		return ret;
	if (!(prot & PROT_WRITE) || !(vma->vm_flags & VM_SHARED))
		return 0;
	file = vma->vm_file;
	if (!file)
		return 0;
	return write_file(file, DLP_HOOK_FILE_MPROTECT, false);
}
