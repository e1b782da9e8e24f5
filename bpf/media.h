/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Removable media as the file hooks see them: the device map dlp_media
 * (include/dlpguard/media.h), the device a superblock lives on, what that
 * device is to the ledger.
 * Include after vmlinux.h, <bpf/bpf_helpers.h>, <bpf/bpf_core_read.h> and
 * "common.h".
 *
 * bpf/media.bpf.c (mounts, raw devices) and bpf/write.bpf.c (files on media)
 * use it.  Loaded as two objects, they must share one dlp_media
 * (bpf_map__reuse_fd() before load), as they share the policy maps.
 */
#ifndef DLP_BPF_MEDIA_H
#define DLP_BPF_MEDIA_H

#include <dlpguard/media.h>

#include "slot.h"

#ifndef FS_REQUIRES_DEV
#define FS_REQUIRES_DEV 1
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dlp_media_key);
	__type(value, struct dlp_media_dev);
	__uint(max_entries, DLP_SLOTS * DLP_MAX_DEVICES);
} dlp_media SEC(".maps");

/*
 * dlp_sb_dev() - the device a superblock lives on
 * @sb: the superblock
 *
 * btrfs requires a device but leaves s_bdev NULL and uses an anonymous s_dev:
 * that s_dev is in no map entry, so it is judged as unregistered media.
 * Plain CO-RE loads, not BPF_CORE_READ: this runs on every write (§0 "Cost").
 *
 * Return: the kernel dev_t, or 0 when @sb is not a block filesystem (tmpfs,
 * proc, overlay, nfs, fuse): not media, never judged.
 */
static __always_inline __u32 dlp_sb_dev(const struct super_block *sb)
{
	struct block_device *bdev = sb->s_bdev;

	if (bdev)
		return bdev->bd_dev;
	if (sb->s_type->fs_flags & FS_REQUIRES_DEV)
		return sb->s_dev;
	return 0;
}

/*
 * dlp_media_of() - what device @dev is to the rules
 * @slot:         the policy slot of the decision (slot.h)
 * @dev:          a kernel dev_t, not 0
 * @q:            its media and ledger_index are set
 * @ret_writable: whether the ledger lets it be written (registered access rw)
 *
 * A map miss, a zeroed entry, an unregistered device and an expired
 * registration are all unregistered media: fail closed.  The registration is
 * checked against CLOCK_TAI here, so it ends on its until day even when dlpd
 * is not running.
 *
 * Cost: one hash lookup.
 *
 * Return: false when @dev is an internal disk (nothing to decide).
 */
static __always_inline bool dlp_media_of(__u32 slot, __u32 dev, struct dlp_request *q,
					bool *ret_writable)
{
	struct dlp_media_key key = { .dev = dev, .slot = slot };
	struct dlp_media_dev *m = bpf_map_lookup_elem(&dlp_media, &key);

	*ret_writable = false;
	q->media = DLP_MEDIA_UNREGISTERED;
	if (!m)
		return true;
	if (m->kind == DLP_DEVICE_INTERNAL) {
		q->media = DLP_MEDIA_NONE;
		return false;
	}
	if (m->kind == DLP_DEVICE_REGISTERED && bpf_ktime_get_tai_ns() < m->until_tai_ns) {
		q->media = DLP_MEDIA_REGISTERED;
		q->ledger_index = m->ledger_index;
		*ret_writable = m->writable;
	}
	return true;
}

/*
 * dlp_ledger_permits() - whether the ledger ceiling (docs/policy.md §2.5)
 * lets the rules decide at all
 * @cfg:        the policy in force
 * @media:      enum dlp_media_kind, not DLP_MEDIA_NONE
 * @writable:   a registered entry's access rw
 * @want_write: the medium would be written
 */
static __always_inline bool dlp_ledger_permits(const struct dlp_config *cfg, __u8 media,
					       bool writable, bool want_write)
{
	if (media == DLP_MEDIA_REGISTERED)
		return writable || !want_write;
	if (cfg->unregistered == DLP_UNREG_ALLOW)
		return true;
	return cfg->unregistered == DLP_UNREG_READONLY && !want_write;
}

#endif /* DLP_BPF_MEDIA_H */
