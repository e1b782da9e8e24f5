// SPDX-License-Identifier: GPL-2.0
/*
 * Block devices and the media ledger: identity from udev, the verdict the
 * ledger gives, the kernel's device map, and a tracker of udev's block
 * events.  See devices.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <bpf/bpf.h>
#include <libudev.h>

#include <dlpguard/abi.h>

#include "devices.h"
#include "label_map.h"

#define NSEC_PER_SEC 1000000000LL

/* Japan Standard Time, UTC+9 all year: ledger dates are local dates. */
#define JST_OFFSET_S (9 * 3600)

struct dlp_devices {
	struct udev *udev;
	struct udev_monitor *monitor;
};

/* Copy @src into @dst of @len bytes; -ENAMETOOLONG when it does not fit. */
static int copy_string(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

/* A sysfs id such as "46f4" (USB) or "0x5344" (mmc) that must fit 16 bits. */
static int read_id(struct udev_device *dev, const char *attr, __u16 *ret)
{
	const char *text = udev_device_get_sysattr_value(dev, attr);
	unsigned long v;
	char *end;

	if (!text || !*text)
		return -ENODATA;
	errno = 0;
	v = strtoul(text, &end, 16);
	if (errno || *end || v > 0xffff)
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * What every report carries, read from the event alone: enough to key the
 * map even when sysfs is already gone (remove) or the identity cannot be
 * read.  Such a device is unidentified media, so the map fails closed.
 */
static void device_basics(struct udev_device *dev, struct dlp_device *ret)
{
	const char *name = udev_device_get_sysname(dev);
	const char *node = udev_device_get_devnode(dev);
	const char *type = udev_device_get_devtype(dev);
	dev_t devnum = udev_device_get_devnum(dev);

	memset(ret, 0, sizeof(*ret));
	if (major(devnum) || minor(devnum))
		ret->dev = dlp_label_kernel_dev(devnum);
	/* Names that do not fit are left empty: the device number is the key. */
	if (name)
		copy_string(ret->name, sizeof(ret->name), name);
	if (node)
		copy_string(ret->devnode, sizeof(ret->devnode), node);
	ret->partition = type && !strcmp(type, "partition");
	ret->media = true;
}

/* The bus, ids and USB path of a disk known to be on USB or MMC. */
static int read_bus_identity(struct udev_device *disk, struct dlp_device *d)
{
	struct udev_device *usb, *mmc;
	const char *type;
	int err;

	usb = udev_device_get_parent_with_subsystem_devtype(disk, "usb", "usb_device");
	if (usb) {
		d->bus = DLP_DEVBUS_USB;
		err = read_id(usb, "idVendor", &d->vendor);
		if (!err)
			err = read_id(usb, "idProduct", &d->product);
		if (!err)
			err = copy_string(d->usb_path, sizeof(d->usb_path),
					  udev_device_get_sysname(usb) ?: "");
		d->has_id = !err;
		return err;
	}
	mmc = udev_device_get_parent_with_subsystem_devtype(disk, "mmc", NULL);
	type = mmc ? udev_device_get_sysattr_value(mmc, "type") : NULL;
	if (type && !strcmp(type, "MMC"))
		return 0; /* eMMC soldered to the board: an internal disk */
	if (mmc) {
		d->bus = DLP_DEVBUS_MMC;
		err = read_id(mmc, "manfid", &d->vendor);
		if (!err)
			err = read_id(mmc, "oemid", &d->product);
		d->has_id = !err;
		return err;
	}
	return 0;
}

/*
 * The serial the ledger names, as the kernel has it: the serial attribute of
 * the USB device (its iSerialNumber string) or of the SD card ("0x%08x"),
 * the string dlpguard.ko compares too.  udev's ID_SERIAL_SHORT is that
 * string with white space and other characters made '_' ("AA 0042" becomes
 * "AA_0042"): it is used only for media on neither bus, which the module
 * cannot allow anyway.
 */
static int read_serial(struct udev_device *disk, struct dlp_device *d)
{
	struct udev_device *parent = NULL;
	const char *serial;

	if (d->bus == DLP_DEVBUS_USB)
		parent = udev_device_get_parent_with_subsystem_devtype(disk, "usb", "usb_device");
	else if (d->bus == DLP_DEVBUS_MMC)
		parent = udev_device_get_parent_with_subsystem_devtype(disk, "mmc", NULL);
	if (parent)
		serial = udev_device_get_sysattr_value(parent, "serial");
	else
		serial = udev_device_get_property_value(disk, "ID_SERIAL_SHORT");
	if (!serial)
		return 0;
	return copy_string(d->serial, sizeof(d->serial), serial);
}

/* How deep devices may be stacked (dm on md on dm ...) before one is unidentified. */
#define STACK_DEPTH_MAX 8

static int identify(struct udev_device *dev, struct dlp_device *ret, unsigned int depth);

/* Whether @a and @b are the same medium to the ledger. */
static bool same_medium(const struct dlp_device *a, const struct dlp_device *b)
{
	return a->bus == b->bus && a->has_id == b->has_id && a->vendor == b->vendor &&
	       a->product == b->product && !strcmp(a->serial, b->serial);
}

/*
 * A disk stacked on others (device-mapper, md: the entries of its slaves/
 * folder) is the medium below it: dm-crypt over a stick is that stick to the
 * ledger.  Stacked on two different media it is unidentified (-EMLINK), as
 * it is on media whose identity cannot be read (their error).  A slave that
 * cannot be found is passed over, so that a system disk stacked on internal
 * disks (LVM) is never made media by a passing error.
 */
static int stacked_identity(struct udev_device *disk, struct dlp_device *d, unsigned int depth)
{
	const char *syspath = udev_device_get_syspath(disk);
	struct udev_device *slave;
	struct dlp_device s;
	char path[PATH_MAX];
	bool found = false;
	struct dirent *de;
	int err = 0;
	DIR *dir;

	if (!syspath || snprintf(path, sizeof(path), "%s/slaves", syspath) >= (int)sizeof(path))
		return 0;
	dir = opendir(path);
	if (!dir)
		return 0; /* nothing below it */
	while (!err && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || snprintf(path, sizeof(path), "%s/slaves/%s", syspath,
						     de->d_name) >= (int)sizeof(path))
			continue;
		slave = udev_device_new_from_syspath(udev_device_get_udev(disk), path);
		if (!slave)
			continue;
		if (depth >= STACK_DEPTH_MAX)
			err = -ELOOP;
		else if ((err = identify(slave, &s, depth + 1)) == -ENODEV)
			err = 0; /* gone meanwhile: passed over */
		else if (err || !s.media)
			;
		else if (found && !same_medium(d, &s))
			err = -EMLINK;
		else if (!found) {
			found = true;
			d->bus = s.bus;
			d->has_id = s.has_id;
			d->vendor = s.vendor;
			d->product = s.product;
			d->removable = s.removable;
			memcpy(d->serial, s.serial, sizeof(d->serial));
			memcpy(d->usb_path, s.usb_path, sizeof(d->usb_path));
		}
		udev_device_unref(slave);
	}
	closedir(dir);
	if (found)
		d->media = true;
	return err;
}

/**
 * dlp_device_identify() - what a block device is to the ledger
 * @dev: a udev device of subsystem block (a disk or a partition)
 * @ret: its identity, set on success
 *
 * A partition is described by its disk: bus, ids, serial and removable flag
 * come from the disk, so every partition of a stick matches the stick's
 * ledger entry.  Media are recognised by where the disk hangs (a USB device,
 * an SD card), by being an optical drive (sr*), or by removable=1; the
 * removable flag alone would miss USB SSDs, which report 0.  A card of type
 * MMC is taken for eMMC soldered to the board, often the system disk, and
 * is internal (dlpguard.ko, which sees the slot, still guards an MMC card
 * in a removable slot: docs/kmod.md).  A disk stacked on others (dm, md) is
 * the medium it is stacked on, if any: dm-crypt over a stick is the stick.
 *
 * A medium without a serial is identified (it simply matches no ledger entry).
 *
 * Return: 0; -ENODEV if @dev has no device number or a partition's disk is
 * gone; -ENODATA or -EINVAL if a USB or MMC id is missing or not a 16-bit
 * hexadecimal number; -ENAMETOOLONG if the serial exceeds
 * DLP_DEVICE_SERIAL_MAX bytes; -EMLINK if it is stacked on two different
 * media, -ELOOP if stacked deeper than STACK_DEPTH_MAX.  On error the
 * caller should treat the device as unidentified media (the tracker does).
 */
int dlp_device_identify(struct udev_device *dev, struct dlp_device *ret)
{
	return identify(dev, ret, 0);
}

static int identify(struct udev_device *dev, struct dlp_device *ret, unsigned int depth)
{
	struct udev_device *disk = dev;
	struct dlp_device d;
	const char *attr, *disk_name;
	int err;

	device_basics(dev, &d);
	if (!d.dev)
		return -ENODEV;
	if (d.partition) {
		disk = udev_device_get_parent_with_subsystem_devtype(dev, "block", "disk");
		if (!disk)
			return -ENODEV;
	}
	attr = udev_device_get_sysattr_value(disk, "removable");
	d.removable = attr && !strcmp(attr, "1");

	err = read_bus_identity(disk, &d);
	if (err)
		return err;
	disk_name = udev_device_get_sysname(disk) ?: "";
	d.media = d.bus != DLP_DEVBUS_NONE || d.removable || !strncmp(disk_name, "sr", 2);
	if (d.media) {
		err = read_serial(disk, &d);
		if (err)
			return err;
	} else {
		err = stacked_identity(disk, &d, depth);
		if (err)
			return err;
	}
	d.identified = true;
	*ret = d;
	return 0;
}

/**
 * dlp_ledger_end_tai_ns() - when a ledger entry stops being valid
 * @until:        the entry's last valid day, a date in Japan (JST, UTC+9)
 * @tai_offset_s: CLOCK_TAI - CLOCK_REALTIME in seconds (dlp_tai_offset())
 *
 * The entry is valid up to 23:59:59.999999999 JST of @until; the kernel
 * keeps it while CLOCK_TAI is earlier than the value returned, so this is
 * the first instant after: 00:00 JST of the next day.  2027-03-31 gives
 * 2027-03-31T15:00:00Z, plus @tai_offset_s.
 *
 * Return: that instant in CLOCK_TAI nanoseconds.
 */
__u64 dlp_ledger_end_tai_ns(const struct dlp_date *until, __s64 tai_offset_s)
{
	struct tm next_day = {
		.tm_year = until->year - 1900,
		.tm_mon = until->month - 1,
		.tm_mday = until->day + 1, /* timegm() carries into the next month */
	};
	__s64 utc_s = (__s64)timegm(&next_day) - JST_OFFSET_S;

	return (__u64)((utc_s + tai_offset_s) * NSEC_PER_SEC);
}

/**
 * dlp_tai_offset() - the kernel's TAI-UTC offset
 * @ret_seconds: CLOCK_TAI - CLOCK_REALTIME, rounded to whole seconds; set on success
 *
 * Taken from the kernel, not written in (37 s since 2017), because the BPF
 * programs compare against the kernel's own CLOCK_TAI (bpf_ktime_get_tai_ns):
 * the kernel's offset is 0 until a time daemon (chrony, ntpd) sets it, and
 * an end of validity computed with 37 would then last 37 s too long.
 *
 * Return: 0, or -errno from clock_gettime().
 */
int dlp_tai_offset(__s64 *ret_seconds)
{
	struct timespec utc, tai;
	__s64 ns;

	if (clock_gettime(CLOCK_REALTIME, &utc) || clock_gettime(CLOCK_TAI, &tai))
		return -errno;
	ns = (tai.tv_sec - utc.tv_sec) * NSEC_PER_SEC + (tai.tv_nsec - utc.tv_nsec);
	*ret_seconds = (ns + (ns < 0 ? -NSEC_PER_SEC : NSEC_PER_SEC) / 2) / NSEC_PER_SEC;
	return 0;
}

/* The ledger entry that names @d (bus, id and serial all equal), or -1. */
static int ledger_find(const struct dlp_policy *pol, const struct dlp_device *d)
{
	enum dlp_bus bus;
	unsigned int i;

	if (!d->has_id || !d->serial[0])
		return -1;
	if (d->bus == DLP_DEVBUS_USB)
		bus = DLP_BUS_USB;
	else if (d->bus == DLP_DEVBUS_MMC)
		bus = DLP_BUS_MMC;
	else
		return -1;
	for (i = 0; i < pol->nmedia; i++) {
		const struct dlp_media *m = &pol->media[i];

		if (m->bus == bus && m->vendor == d->vendor && m->product == d->product &&
		    !strcmp(m->serial, d->serial))
			return i;
	}
	return -1;
}

/**
 * dlp_device_verdict() - the device map entry the ledger gives a device
 * @pol:              a compiled policy (its media ledger)
 * @d:                the device, as dlp_device_identify() or the tracker gave it
 * @now:              the time to judge expiry at, UTC seconds (time(NULL))
 * @ret:              the dlp_media value, set on success
 * @ret_ledger_index: the index of the ledger entry naming @d, or -1 when none
 *                    does; set on success
 *
 * Internal disks are DLP_DEVICE_INTERNAL; unidentified media
 * DLP_DEVICE_UNKNOWN (the kernel judges both it and a missing entry as
 * unregistered); media with no ledger entry, without a serial or on no
 * bus the ledger names, DLP_DEVICE_UNREGISTERED.  An entry whose until day
 * has ended at @now is DLP_DEVICE_UNREGISTERED with @ret_ledger_index still
 * naming it, so the caller can log that the registration expired.  A valid
 * entry is DLP_DEVICE_REGISTERED until dlp_ledger_end_tai_ns() of its day,
 * which the kernel enforces by itself once that time passes.
 *
 * Return: 0; -errno from dlp_tai_offset().
 */
int dlp_device_verdict(const struct dlp_policy *pol, const struct dlp_device *d, time_t now,
		       struct dlp_media_dev *ret, int *ret_ledger_index)
{
	struct dlp_media_dev v = { .kind = DLP_DEVICE_UNREGISTERED };
	const struct dlp_media *m;
	__s64 tai_offset_s;
	int i, err;

	if (!d->media) {
		v.kind = DLP_DEVICE_INTERNAL;
		i = -1;
		goto out;
	}
	if (!d->identified) {
		v.kind = DLP_DEVICE_UNKNOWN;
		i = -1;
		goto out;
	}
	i = ledger_find(pol, d);
	if (i < 0)
		goto out;
	m = &pol->media[i];
	if ((__s64)now * NSEC_PER_SEC >= (__s64)dlp_ledger_end_tai_ns(&m->until, 0))
		goto out;
	err = dlp_tai_offset(&tai_offset_s);
	if (err)
		return err;
	v.kind = DLP_DEVICE_REGISTERED;
	v.writable = m->writable;
	v.ledger_index = i;
	v.until_tai_ns = dlp_ledger_end_tai_ns(&m->until, tai_offset_s);
out:
	*ret = v;
	*ret_ledger_index = i;
	return 0;
}

/* Report one device to @cb: identified, or unidentified media with the reason. */
static int report(enum dlp_device_action action, struct udev_device *dev, dlp_device_cb cb,
		  void *ctx)
{
	struct dlp_device d;
	int err = 0;

	if (action == DLP_DEVICE_REMOVE) {
		device_basics(dev, &d);
	} else {
		err = dlp_device_identify(dev, &d);
		if (err)
			device_basics(dev, &d);
	}
	return cb(action, &d, err, ctx);
}

/**
 * dlp_devices_open() - start watching block devices
 *
 * Listens to udev's events (after its rules ran, so ID_SERIAL_SHORT is set)
 * for subsystem block from now on; call dlp_devices_enumerate() afterwards,
 * so that no device plugged in between is missed (one may be reported twice).
 *
 * Return: the tracker, or NULL with errno set.
 */
struct dlp_devices *dlp_devices_open(void)
{
	struct dlp_devices *devs;
	int err;

	devs = calloc(1, sizeof(*devs));
	if (!devs)
		return NULL;
	devs->udev = udev_new();
	if (!devs->udev) {
		err = errno ? -errno : -ENOMEM;
		goto out_free;
	}
	devs->monitor = udev_monitor_new_from_netlink(devs->udev, "udev");
	if (!devs->monitor) {
		err = errno ? -errno : -ENOMEM;
		goto out_udev;
	}
	err = udev_monitor_filter_add_match_subsystem_devtype(devs->monitor, "block", NULL);
	if (!err)
		err = udev_monitor_enable_receiving(devs->monitor);
	if (err)
		goto out_monitor;
	return devs;

out_monitor:
	udev_monitor_unref(devs->monitor);
out_udev:
	udev_unref(devs->udev);
out_free:
	free(devs);
	errno = -err;
	return NULL;
}

/**
 * dlp_devices_fd() - the descriptor to poll for device events
 * @devs: the tracker
 *
 * Readable (POLLIN) when dlp_devices_receive() has events to drain.
 *
 * Return: the descriptor, or -errno from libudev.
 */
int dlp_devices_fd(struct dlp_devices *devs)
{
	return udev_monitor_get_fd(devs->monitor);
}

/**
 * dlp_devices_enumerate() - report every block device there is now
 * @devs: the tracker
 * @cb:   called with DLP_DEVICE_ADD for each device
 * @ctx:  passed to @cb
 *
 * A device that disappears between the scan and the read is passed over,
 * and the error remembered: its remove event is already queued on the
 * monitor.  The walk goes on after other per-device errors too.
 *
 * Return: 0; the first non-zero return of @cb (the walk stops there);
 * -errno when the scan fails, or the first error of a device that could not
 * be read.
 */
int dlp_devices_enumerate(struct dlp_devices *devs, dlp_device_cb cb, void *ctx)
{
	struct udev_enumerate *e;
	struct udev_list_entry *entry;
	int err, first_err = 0;

	e = udev_enumerate_new(devs->udev);
	if (!e)
		return errno ? -errno : -ENOMEM;
	err = udev_enumerate_add_match_subsystem(e, "block");
	if (!err)
		err = udev_enumerate_scan_devices(e);
	if (err)
		goto out_unref;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e))
	{
		struct udev_device *dev;

		dev = udev_device_new_from_syspath(devs->udev, udev_list_entry_get_name(entry));
		if (!dev) {
			if (!first_err)
				first_err = errno ? -errno : -ENODEV;
			continue;
		}
		err = report(DLP_DEVICE_ADD, dev, cb, ctx);
		udev_device_unref(dev);
		if (err)
			goto out_unref;
	}
	err = first_err;
out_unref:
	udev_enumerate_unref(e);
	return err;
}

/* udev's action word; anything but add and remove means: judge it again. */
static enum dlp_device_action action_of(struct udev_device *dev)
{
	const char *action = udev_device_get_action(dev);

	if (action && !strcmp(action, "add"))
		return DLP_DEVICE_ADD;
	if (action && !strcmp(action, "remove"))
		return DLP_DEVICE_REMOVE;
	return DLP_DEVICE_CHANGE;
}

/**
 * dlp_devices_receive() - report the device events waiting on the monitor
 * @devs: the tracker
 * @cb:   called for each event in order: add, remove, or change (media
 *        inserted or ejected in a reader, a new partition table, any other
 *        action), so that the caller judges the device again
 * @ctx:  passed to @cb
 *
 * Does not block.  On remove, only the device number, names and partition
 * flag are known: sysfs has already forgotten the rest.
 *
 * Return: 0 when no event is left; the first non-zero return of @cb (later
 * events stay queued); -ENOBUFS when the kernel dropped events because they
 * were not read in time: the caller must enumerate again; other -errno.
 */
int dlp_devices_receive(struct dlp_devices *devs, dlp_device_cb cb, void *ctx)
{
	for (;;) {
		struct udev_device *dev;
		int err;

		errno = 0;
		dev = udev_monitor_receive_device(devs->monitor);
		if (!dev)
			return errno == EAGAIN || errno == 0 ? 0 : -errno;
		err = report(action_of(dev), dev, cb, ctx);
		udev_device_unref(dev);
		if (err)
			return err;
	}
}

/**
 * dlp_devices_close() - stop watching
 * @devs: the tracker, or NULL
 */
void dlp_devices_close(struct dlp_devices *devs)
{
	if (!devs)
		return;
	udev_monitor_unref(devs->monitor);
	udev_unref(devs->udev);
	free(devs);
}

/**
 * dlp_media_map_set() - write one device's verdict into the kernel's dlp_media
 * @map_fd: the dlp_media map (bpf/media.h)
 * @slot:   the policy slot whose ledger gave @v (DLP_SLOTS, abi.h)
 * @d:      the device; its kernel device number is the key
 * @v:      its verdict (dlp_device_verdict())
 *
 * Return: 0; -EINVAL if @d has no device number, @slot is out of range or
 * @v is not a valid entry (unknown kind, non-zero padding); -errno from the
 * kernel (-E2BIG: the map is full).
 */
int dlp_media_map_set(int map_fd, __u32 slot, const struct dlp_device *d,
		      const struct dlp_media_dev *v)
{
	struct dlp_media_key key = { .dev = d->dev, .slot = slot };

	if (!key.dev || slot >= DLP_SLOTS || v->pad || v->kind > DLP_DEVICE_UNREGISTERED)
		return -EINVAL;
	if (bpf_map_update_elem(map_fd, &key, v, BPF_ANY))
		return -errno;
	return 0;
}

/**
 * dlp_media_map_remove() - forget a device that is gone
 * @map_fd: the dlp_media map
 * @slot:   the policy slot to remove it from
 * @dev:    its kernel device number (struct dlp_device.dev)
 *
 * A device number not in the map is judged as unregistered media, so a
 * number the kernel reuses for the next device fails closed until that
 * device has its own entry.
 *
 * Return: 0; -ENOENT if @dev had no entry; -EINVAL for a slot out of
 * range; other -errno from the kernel.
 */
int dlp_media_map_remove(int map_fd, __u32 slot, __u32 dev)
{
	struct dlp_media_key key = { .dev = dev, .slot = slot };

	if (slot >= DLP_SLOTS)
		return -EINVAL;
	if (bpf_map_delete_elem(map_fd, &key))
		return -errno;
	return 0;
}
