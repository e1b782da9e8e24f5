/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The device map (BPF hash dlp_media, bpf/media.bpf.c): what each block
 * device is to the ledger.  dlpd fills it from udev, one entry for the whole
 * disk and one for every partition (and for the dm/loop/md devices stacked on
 * a medium), and puts every internal disk in it too, so that a device the map
 * does not hold is unregistered media: fail closed.
 *
 * Key: the policy slot (DLP_SLOTS, abi.h) and the device number as the
 * kernel encodes it (sb->s_dev, bdev->bd_dev, inode->i_rdev): major << 20 |
 * minor (MINORBITS 20), not glibc's st_rdev.  The verdict depends on the
 * ledger, which is part of the policy: each slot has its own entries.
 * Part of ABI DLP_ABI_VERSION (rule.h): a change bumps it.
 *
 * Worked example.  The ledger line
 *
 *	media 総務-2026-001 bus usb id 0781:5583 serial 4C530001234 ... access rw until 2027-03-31
 *
 * is entry 0 of the policy in slot 0; udev reports that stick as sdb (8:16)
 * with one partition sdb1 (8:17), so dlpd writes
 *
 *	{ 8 << 20 | 16, 0 }  ->  { .kind = DLP_DEVICE_REGISTERED, .writable = 1, .ledger_index = 0,
 *	{ 8 << 20 | 17, 0 }        .until_tai_ns = 2027-04-01T00:00:00+09:00 as CLOCK_TAI ns }
 *
 * and the NVMe system disk nvme0n1 (259:0) and its partitions as
 * { .kind = DLP_DEVICE_INTERNAL }.
 */
#ifndef DLPGUARD_MEDIA_H
#define DLPGUARD_MEDIA_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Entries dlpd keeps per slot: whole disks, partitions, stacked devices. */
#define DLP_MAX_DEVICES		4096

/* A device number as the kernel encodes it (include/linux/kdev_t.h). */
#define DLP_DEV(major, minor)	((__u32)(major) << 20 | (__u32)(minor))

/* A zeroed entry is DLP_DEVICE_UNKNOWN, judged as unregistered media: it fails closed. */
enum dlp_device_kind {
	DLP_DEVICE_UNKNOWN = 0,
	DLP_DEVICE_INTERNAL = 1,	/* the terminal's own disks: never judged */
	DLP_DEVICE_REGISTERED = 2,	/* a ledger entry; unregistered once until_tai_ns passed */
	DLP_DEVICE_UNREGISTERED = 3,	/* removable media the ledger does not hold */
};

/* The key of dlp_media: a device in one policy slot (DLP_SLOTS, abi.h). */
struct dlp_media_key {
	__u32 dev;		/* DLP_DEV(major, minor) */
	__u32 slot;
};

/* The value of dlp_media. */
struct dlp_media_dev {
	__u8 kind;		/* enum dlp_device_kind */
	__u8 writable;		/* DLP_DEVICE_REGISTERED: the entry says access rw */
	__u16 pad;		/* zero */
	__u32 ledger_index;	/* DLP_DEVICE_REGISTERED: the entry's index in the ledger */
	__u64 until_tai_ns;	/* DLP_DEVICE_REGISTERED: valid while CLOCK_TAI is earlier */
};

_Static_assert(sizeof(struct dlp_media_key) == 8, "struct dlp_media_key changed size");
_Static_assert(sizeof(struct dlp_media_dev) == 16, "struct dlp_media_dev changed size");

#endif /* DLPGUARD_MEDIA_H */
