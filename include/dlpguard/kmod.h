/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR BSD-2-Clause */
/*
 * The interface of dlpguard.ko: /dev/dlpguard, root only.
 *
 * The module makes every removable block device read-only the moment it
 * attaches (a disk below a USB device, with removable=1 or not, a disk below
 * an SD card or a card in a removable MMC slot, and any disk reporting
 * removable=1), unless a medium with its identity was allowed.  dlpd tells
 * it which media may be written, by the identity the ledger names them by
 * (bus, vendor, product, serial), and reads what attaches and detaches.
 * Disks without such an identity (removable=1 on another bus) stay
 * read-only.
 *
 * ioctl(2), each argument a struct whose first member is its size in bytes
 * (the caller sets it to sizeof the struct of this header; another size is
 * -EINVAL, so a caller built against another version is refused, never
 * misread):
 *
 *	DLPGUARD_IOC_VERSION  the module's ABI and version
 *	DLPGUARD_IOC_ALLOW    media with this identity may be written: the
 *	                      read-only state of attached ones is lifted
 *	DLPGUARD_IOC_FORGET   no longer: attached ones become read-only again
 *	DLPGUARD_IOC_CLEAR    forget every allowed medium (no argument)
 *	DLPGUARD_IOC_ACK      records up to this one were kept: the module
 *	                      drops them
 *
 * read(2) gives whole struct dlpguard_event records (a buffer smaller than
 * one is -EINVAL); poll(2) says when one is waiting.  The module holds each
 * record until a reader acknowledges it (DLPGUARD_IOC_ACK with its @seq,
 * once the reader has kept it: dlpd, once its line is in the decision log),
 * so that a reader killed in between leaves it to the next.  Each open file
 * reads on from where it is; a new one starts at the oldest record held.
 * Only a record the same open file was given can be acknowledged.  Records
 * the queue had no room for are counted, and the next record carries the
 * count in @lost.
 */
#ifndef DLPGUARD_KMOD_H
#define DLPGUARD_KMOD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DLPGUARD_KMOD_ABI	3
#define DLPGUARD_DEVICE		"/dev/dlpguard"
#define DLPGUARD_SERIAL_MAX	255	/* bytes, as USB string descriptors hold at most */

struct dlpguard_version {
	__u32 size;		/* sizeof(struct dlpguard_version) */
	__u32 abi;		/* set by the module: DLPGUARD_KMOD_ABI */
	char version[16];	/* set by the module: its MODULE_VERSION, NUL-terminated */
};

/*
 * What identifies a medium: the bus it is on, as the ledger's bus usb|mmc.
 * On USB vendor, product and serial are the USB device's; on MMC they are
 * the card's manfid, oemid and serial, the serial as sysfs shows it
 * ("0x%08x").
 */
enum dlpguard_bus {
	DLPGUARD_BUS_NONE = 0,	/* events only: removable, but neither USB nor SD/MMC */
	DLPGUARD_BUS_USB = 1,
	DLPGUARD_BUS_MMC = 2,
};

/* A medium, as the ledger's entries name it. */
struct dlpguard_medium {
	__u32 size;		/* sizeof(struct dlpguard_medium) */
	__u32 bus;		/* DLPGUARD_BUS_USB or DLPGUARD_BUS_MMC */
	__u16 vendor;		/* idVendor; manfid */
	__u16 product;		/* idProduct; oemid */
	__u32 pad;		/* zero */
	char serial[DLPGUARD_SERIAL_MAX + 1];	/* NUL-terminated, not empty */
};

enum dlpguard_event_type {
	DLPGUARD_EV_ATTACH = 1,		/* a guarded disk appeared (or was there at load) */
	DLPGUARD_EV_DETACH = 2,		/* it went */
	DLPGUARD_EV_RELEASED = 3,	/* allowed: no longer read-only */
	DLPGUARD_EV_GUARDED = 4,	/* forgotten: read-only again */
};

/* struct dlpguard_event.flags */
#define DLPGUARD_EVF_READ_ONLY	0x1	/* the disk is read-only now */
#define DLPGUARD_EVF_REMOVABLE	0x2	/* the disk reports removable media */

struct dlpguard_event {
	__u32 size;		/* sizeof(struct dlpguard_event) */
	__u32 type;		/* enum dlpguard_event_type */
	__u64 boot_ns;		/* when: CLOCK_BOOTTIME, as BPF records are stamped */
	__u64 seq;		/* its number: one more than the record before, from 1 */
	__u32 dev;		/* the disk: major << 20 | minor */
	__u32 flags;		/* DLPGUARD_EVF_* */
	__u32 lost;		/* records dropped before this one (queue full) */
	__u32 bus;		/* enum dlpguard_bus: what vendor, product, serial are */
	__u16 vendor;
	__u16 product;
	char name[32];		/* the disk's kernel name: sdb */
	char serial[DLPGUARD_SERIAL_MAX + 1];
	__u32 reserved;		/* zero */
};

/* Records up to @seq were kept. */
struct dlpguard_ack {
	__u32 size;		/* sizeof(struct dlpguard_ack) */
	__u32 pad;		/* zero */
	__u64 seq;		/* a record this open file read */
};

#define DLPGUARD_IOC_MAGIC	'D'	/* 0xC0-0xCF: free in ioctl-number.rst's 'D' ranges */
#define DLPGUARD_IOC_VERSION	_IOWR(DLPGUARD_IOC_MAGIC, 0xC0, struct dlpguard_version)
#define DLPGUARD_IOC_ALLOW	_IOW(DLPGUARD_IOC_MAGIC, 0xC1, struct dlpguard_medium)
#define DLPGUARD_IOC_FORGET	_IOW(DLPGUARD_IOC_MAGIC, 0xC2, struct dlpguard_medium)
#define DLPGUARD_IOC_CLEAR	_IO(DLPGUARD_IOC_MAGIC, 0xC3)
#define DLPGUARD_IOC_ACK	_IOW(DLPGUARD_IOC_MAGIC, 0xC4, struct dlpguard_ack)

#endif /* DLPGUARD_KMOD_H */
