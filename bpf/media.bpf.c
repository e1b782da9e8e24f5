// SPDX-License-Identifier: GPL-2.0
/*
 * Removable media as devices (docs/hooks.md §1, §2): mounts, remounts and raw
 * writes of block devices, judged by the ledger and then the mount and write
 * rules.  The device map dlp_media (include/dlpguard/media.h) says what each
 * device is; a device it does not hold is unregistered media (fail closed),
 * and internal disks are never judged.  Filesystems without a block device
 * (tmpfs, proc, overlay, nfs, fuse) are not media and are not judged here.
 *
 * The ledger is a ceiling (docs/policy.md §2.5): a mount or write it does not
 * permit is refused with DLP_REASON_LEDGER, whatever the rules say; within
 * it, the rules decide.  Every deny and audit makes one record.
 *
 * The hook signatures used here are the same on Debian's 6.1 and 6.12 (only
 * a const differs, on sb_kern_mount), so one program per hook serves both.
 * file_ioctl_compat is a Debian backport on 6.1: the loader turns its program
 * off where the kernel's BTF lacks bpf_lsm_file_ioctl_compat.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include <dlpguard/media.h>

#include "common.h"
#include "media.h"

/* Kernel constants vmlinux.h does not carry; the same in 6.1 and 6.12. */
#define EPERM		1
#define SB_RDONLY	1
#define FMODE_WRITE	0x2
#define MAY_WRITE	0x2
#define S_IFMT		00170000
#define S_IFBLK		0060000
#define PF_KTHREAD	0x00200000
#define BLKROSET	0x125d	/* _IO(0x12, 93) */
#define SG_IO		0x2285

/*
 * Requests that reached the ledger, by enum dlp_hook: proof for tests and
 * `dlpctl doctor` that a hook runs.  Internal disks and reads are not counted.
 */
__u64 dlp_media_judged[DLP_HOOK_COUNT];

/* One judgement in progress. */
struct dlp_media_call {
	struct dlp_request q;
	const struct dlp_config *cfg;
	__u32 dev;
	__u16 rule;
	__u8 verdict;
	__u8 reason;
};

static __always_inline bool dlp_is_blkdev(const struct inode *inode)
{
	return (inode->i_mode & S_IFMT) == S_IFBLK;
}

/*
 * dlp_media_judge() - the verdict on an action on the medium c->dev
 * @c:          c->dev set; the rest is filled
 * @hook:       enum dlp_hook, for the counter
 * @action:     DLP_ACT_MOUNT or DLP_ACT_WRITE
 * @want_write: whether the medium would be written (a read-write mount, a raw write)
 *
 * The ledger first, then the rules of @action.  No policy loaded: deny.
 *
 * Return: false when c->dev is an internal disk (nothing decided).
 */
static __always_inline bool dlp_media_judge(struct dlp_media_call *c, __u8 hook, __u8 action,
					    bool want_write)
{
	__u32 h = hook, slot = dlp_active_slot();
	bool writable;

	if (!dlp_media_of(slot, c->dev, &c->q, &writable))
		return false;
	if (h < DLP_HOOK_COUNT)
		__sync_fetch_and_add(&dlp_media_judged[h], 1);

	c->q.action = action;
	dlp_task_subject(&c->q);
	c->cfg = dlp_get_config(slot);
	if (!c->cfg || c->cfg->abi_version != DLP_ABI_VERSION) {
		c->reason = DLP_REASON_NO_POLICY;
		c->verdict = DLP_VERDICT_DENY;
	} else if (!dlp_ledger_permits(c->cfg, c->q.media, writable, want_write)) {
		c->reason = DLP_REASON_LEDGER;
		c->verdict = DLP_VERDICT_DENY;
	} else {
		c->verdict = dlp_decide(c->cfg, &c->q, &c->rule, &c->reason);
	}
	return true;
}

/* The record of a deny or audit verdict, device filled; NULL for allow or no room. */
static __always_inline struct dlp_event *dlp_media_report(struct dlp_media_call *c, __u8 hook,
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

static __always_inline int dlp_media_mount(const struct super_block *sb, __u8 hook,
					   bool want_write)
{
	struct dlp_media_call c = {};
	struct dlp_event *e;

	c.dev = dlp_sb_dev(sb);
	if (!c.dev || !dlp_media_judge(&c, hook, DLP_ACT_MOUNT, want_write))
		return 0;
	e = dlp_media_report(&c, hook, 0);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return dlp_denies(c.cfg, c.verdict) ? -EPERM : 0;
}

/* A raw write to block device @file: the write rules within the ledger. */
static __always_inline int dlp_media_raw_write(struct file *file, __u8 hook, bool with_path)
{
	struct inode *inode = file->f_inode;
	struct dlp_media_call c = {};
	struct dlp_event *e;

	if (!dlp_is_blkdev(inode))
		return 0;
	c.dev = inode->i_rdev;
	if (!dlp_media_judge(&c, hook, DLP_ACT_WRITE, true))
		return 0;
	e = dlp_media_report(&c, hook, inode->i_ino);
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
 * Why sb_kern_mount: it runs once the superblock exists and before any mount
 * is made from it, for mount(2) (do_new_mount_fc) and for the new mount API's
 * fsconfig(FSCONFIG_CMD_CREATE) alike, with the device and SB_RDONLY known;
 * fsopen/fsmount/move_mount call no hook, and need none.  It also runs when an
 * existing superblock is mounted again.
 * Misses: fill_super has already run (ext4 may have written its superblock:
 * the module's write guard covers that); bind mounts of a mounted medium;
 * FUSE drivers without a block device (exfat-fuse); per-mount MNT_READONLY.
 * Cost: mounts only; one hash lookup, and the rules for media.
 */
SEC("lsm/sb_kern_mount")
int BPF_PROG(dlp_media_sb_kern_mount, struct super_block *sb, int ret)
{
	if (ret)
		return ret;
	return dlp_media_mount(sb, DLP_HOOK_SB_MOUNT, !(BPF_CORE_READ(sb, s_flags) & SB_RDONLY));
}

/*
 * Why sb_remount: reconfigure_super() calls it for mount -o remount and for
 * fsconfig(FSCONFIG_CMD_RECONFIGURE) after fspick, which sb_kern_mount never
 * sees.  The new flags are not visible here (mnt_opts is an LSM blob), so a
 * remount is judged as a read-write mount: a medium that may only be mounted
 * read-only cannot be remounted at all, which loses nothing.  Kernel threads
 * pass (emergency remount read-only comes through here).
 * Misses: mount_setattr and MS_REMOUNT|MS_BIND, which change only the
 * per-mount flag and leave the superblock read-only.
 * Cost: remounts only; one hash lookup, and the rules for media.
 */
SEC("lsm/sb_remount")
int BPF_PROG(dlp_media_sb_remount, struct super_block *sb, void *mnt_opts, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ret)
		return ret;
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return 0;
	return dlp_media_mount(sb, DLP_HOOK_SB_REMOUNT, true);
}

/*
 * Why file_open: a write open of a medium's block device (dd of=/dev/sdb,
 * mkfs, losetup, ntfs-3g) gets a file here, whichever node names the device;
 * the kernel's own opens for mount do not come through it, so mounting
 * still works.  Sleepable hook: the record carries the path.
 * Misses: O_PATH opens (cannot write); fds opened before the programs were
 * attached (file_permission); SCSI generic char devices (/dev/sgN, not
 * judged yet); writes below the VFS (the module's).
 * Cost: every open; a mode test, and one hash lookup for block devices only.
 */
SEC("lsm/file_open")
int BPF_PROG(dlp_media_file_open, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return dlp_media_raw_write(file, DLP_HOOK_FILE_OPEN, true);
}

/*
 * Why file_permission: a write fd on a medium opened before the programs were
 * attached, or passed in, writes through rw_verify_area without a new open.
 * Not sleepable: no path in the record.
 * Misses: writes that skip rw_verify_area (kernel writers).
 * Cost: every read and write; one mask test for reads, a mode test for
 * writes, one hash lookup for block devices only.
 */
SEC("lsm/file_permission")
int BPF_PROG(dlp_media_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & MAY_WRITE))
		return 0;
	return dlp_media_raw_write(file, DLP_HOOK_FILE_PERMISSION, false);
}

/*
 * Why file_ioctl: BLKROSET clears a read-only state set at attach, and SG_IO
 * sends any SCSI command (writes included) to CAP_SYS_RAWIO holders, even on
 * an O_RDONLY fd, so neither needs a write open.  Both are refused on media
 * the ledger does not let be written, whatever the value behind the pointer.
 * Sleepable hook: the record carries the path.
 * Misses: SG_IO through the SCSI generic and bsg char devices (/dev/sgN, /dev/bsg).
 * Cost: every ioctl; one compare, and one hash lookup for these two commands.
 */
SEC("lsm/file_ioctl")
int BPF_PROG(dlp_media_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg,
	     int ret)
{
	if (ret)
		return ret;
	if (cmd != BLKROSET && cmd != SG_IO)
		return 0;
	return dlp_media_raw_write(file, DLP_HOOK_FILE_IOCTL, true);
}

/*
 * Why file_ioctl_compat: fs/ioctl.c calls it instead of file_ioctl for 32-bit
 * callers.  Not sleepable: no path in the record.  Same misses and cost.
 */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(dlp_media_file_ioctl_compat, struct file *file, unsigned int cmd,
	     unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd != BLKROSET && cmd != SG_IO)
		return 0;
	return dlp_media_raw_write(file, DLP_HOOK_FILE_IOCTL_COMPAT, false);
}

char LICENSE[] SEC("license") = "GPL";
