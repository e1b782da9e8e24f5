/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block devices as the media ledger sees them (docs/policy.md §2.5): what
 * udev says a device is, what the ledger makes of it, and the kernel's
 * device map (include/dlpguard/media.h) that carries the verdict.
 *
 * A device is media when it hangs below a USB device (whatever its removable
 * flag says: USB SSDs report removable=0), is an SD/MMC card, is an optical
 * drive (sr*), or reports removable=1.  Everything else (virtio, NVMe, ATA
 * on the PCI bus, loop, dm, md, zram) is the terminal's own.  A partition
 * carries its disk's identity: the ledger registers sticks, not partitions.
 *
 * The tracker reports every block device once at start (enumerate) and then
 * every add, remove and change the kernel announces, so that the caller keeps
 * the device map in step.  A device whose identity cannot be read is still
 * reported, as media nobody registered: the caller must never leave a device
 * out of the map because identification failed.
 */
#ifndef DLP_DEVICES_H
#define DLP_DEVICES_H

#include <stdbool.h>
#include <time.h>

#include <linux/types.h>

#include <dlpguard/media.h>

#include "policy.h"

struct udev_device;

/* The bus a medium hangs on, as far as the ledger can name it. */
enum dlp_device_bus {
	DLP_DEVBUS_NONE, /* neither: optical drives, removable=1 on other buses */
	DLP_DEVBUS_USB,
	DLP_DEVBUS_MMC,
};

/* ID_SERIAL_SHORT is at most this long, as the ledger's serial (docs/policy.md §4). */
#define DLP_DEVICE_SERIAL_MAX 255

/* Identity of one block device. */
struct dlp_device {
	__u32 dev;	  /* major << 20 | minor, the dlp_media key */
	char name[32];	  /* kernel name: sdb, sdb1, mmcblk0p1 */
	char devnode[64]; /* /dev/sdb1; empty when udev gives none */
	bool partition;	  /* identity below is its disk's */
	bool media;	  /* removable media, judged by the ledger */
	bool identified;  /* false: identity unreadable, unregistered media */
	bool removable;	  /* the disk's removable flag */
	enum dlp_device_bus bus;
	bool has_id;				/* vendor and product were read */
	__u16 vendor;				/* USB idVendor; mmc manfid */
	__u16 product;				/* USB idProduct; mmc oemid */
	char serial[DLP_DEVICE_SERIAL_MAX +
		    1]; /* the USB device's or SD card's serial attribute; empty: none */
	char usb_path[32];			/* the USB device's kernel name, e.g. 1-2.3 */
};

enum dlp_device_action {
	DLP_DEVICE_ADD,
	DLP_DEVICE_REMOVE, /* only dev, name, devnode and partition are set */
	DLP_DEVICE_CHANGE, /* judge it again: media may have been inserted or ejected */
};

/*
 * What the tracker reports.  @err is 0, or the -errno that kept the device
 * from being identified: @d is then unidentified media, and still must go in
 * the map.  A non-zero return stops the walk and is passed back.
 */
typedef int (*dlp_device_cb)(enum dlp_device_action action, const struct dlp_device *d, int err,
			     void *ctx);

struct dlp_devices;

int dlp_device_identify(struct udev_device *dev, struct dlp_device *ret);
__u64 dlp_ledger_end_tai_ns(const struct dlp_date *until, __s64 tai_offset_s);
int dlp_tai_offset(__s64 *ret_seconds);
int dlp_device_verdict(const struct dlp_policy *pol, const struct dlp_device *d, time_t now,
		       struct dlp_media_dev *ret, int *ret_ledger_index);

struct dlp_devices *dlp_devices_open(void);
int dlp_devices_fd(struct dlp_devices *devs);
int dlp_devices_enumerate(struct dlp_devices *devs, dlp_device_cb cb, void *ctx);
int dlp_devices_receive(struct dlp_devices *devs, dlp_device_cb cb, void *ctx);
void dlp_devices_close(struct dlp_devices *devs);

int dlp_media_map_set(int map_fd, __u32 slot, const struct dlp_device *d,
		      const struct dlp_media_dev *v);
int dlp_media_map_remove(int map_fd, __u32 slot, __u32 dev);

#endif /* DLP_DEVICES_H */
