// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/devices.c: which block devices are media, the
 * identity a partition takes from its disk, the verdict of the media ledger
 * (match, mismatch, expiry, the JST end of the until day in CLOCK_TAI), and
 * the tracker's reports of enumerated devices and of add, change and remove
 * events.
 *
 * libudev is replaced (WRAP_test_devices in the Makefile) by a small device
 * tree: each fake device has a subsystem, attributes, properties and a parent,
 * and udev_device_get_parent_with_subsystem_devtype() walks up it as libudev
 * walks sysfs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <cmocka.h>

#include <libudev.h>

#include <dlpguard/abi.h>

#include "devices.h"
#include "policy.h"

#define MAX_KV 6

struct fake {
	const char *subsystem;
	const char *devtype;
	const char *sysname;
	const char *syspath;
	const char *devnode;
	const char *action;
	dev_t devnum;
	const char *attrs[MAX_KV][2];
	const char *props[MAX_KV][2];
	struct fake *parent;
};

#define UDEV(f) ((struct udev_device *)(f))
#define FAKE(d) ((struct fake *)(d))

/* ---- The machine: a PCI host with USB, SD, SATA, virtio and NVMe disks ---- */

static struct fake pci = { .subsystem = "pci", .sysname = "0000:00:00.0" };

/* A USB stick, removable=1, with one partition that has no properties of its own. */
static struct fake stick_usb = {
	.subsystem = "usb",
	.devtype = "usb_device",
	.sysname = "1-2.3",
	.parent = &pci,
	.attrs = { { "idVendor", "0781" }, { "idProduct", "5583" }, { "serial", "4C530001234" } },
};
static struct fake stick_intf = {
	.subsystem = "usb",
	.devtype = "usb_interface",
	.sysname = "1-2.3:1.0",
	.parent = &stick_usb,
};
static struct fake stick_scsi = {
	.subsystem = "scsi",
	.sysname = "0:0:0:0",
	.parent = &stick_intf,
};
static struct fake stick = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "sdb",
	.devnode = "/dev/sdb",
	.devnum = 8 << 8 | 16,
	.parent = &stick_scsi,
	.attrs = { { "removable", "1" } },
	.props = { { "ID_BUS", "usb" }, { "ID_SERIAL_SHORT", "4C530001234" } },
};
static struct fake stick_part = {
	.subsystem = "block",
	.devtype = "partition",
	.sysname = "sdb1",
	.devnode = "/dev/sdb1",
	.devnum = 8 << 8 | 17,
	.parent = &stick,
};

/* A USB SSD: removable=0, media all the same (it hangs below a USB device). */
static struct fake ssd_usb = {
	.subsystem = "usb",
	.devtype = "usb_device",
	.sysname = "2-1",
	.parent = &pci,
	.attrs = { { "idVendor", "46f4" }, { "idProduct", "0001" }, { "serial", "SSD0001" } },
};
static struct fake ssd_scsi = { .subsystem = "scsi", .sysname = "1:0:0:0", .parent = &ssd_usb };
static struct fake ssd = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "sdc",
	.devnode = "/dev/sdc",
	.devnum = 8 << 8 | 32,
	.parent = &ssd_scsi,
	.attrs = { { "removable", "0" } },
	.props = { { "ID_SERIAL_SHORT", "SSD0001" } },
};

/* An SD card in the laptop's own reader: no ID_SERIAL_SHORT, ID_SERIAL is the card's serial. */
static struct fake mmc_host = { .subsystem = "mmc_host", .sysname = "mmc0", .parent = &pci };
static struct fake mmc_card = {
	.subsystem = "mmc",
	.sysname = "mmc0:aaaa",
	.parent = &mmc_host,
	.attrs = { { "manfid", "0x000003" },
		   { "oemid", "0x5344" },
		   { "type", "SD" },
		   { "serial", "0x1234abcd" } },
};
static struct fake sd = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "mmcblk0",
	.devnode = "/dev/mmcblk0",
	.devnum = 179 << 8 | 0,
	.parent = &mmc_card,
	.attrs = { { "removable", "0" } },
	.props = { { "ID_NAME", "SU08G" }, { "ID_SERIAL", "0x1234abcd" } },
};

/* A small laptop's system disk: eMMC, on the mmc bus too, but of type MMC. */
static struct fake emmc_host = { .subsystem = "mmc_host", .sysname = "mmc1", .parent = &pci };
static struct fake emmc_card = {
	.subsystem = "mmc",
	.sysname = "mmc1:0001",
	.parent = &emmc_host,
	.attrs = { { "manfid", "0x000015" },
		   { "oemid", "0x0100" },
		   { "type", "MMC" },
		   { "serial", "0x0a1b2c3d" } },
};
static struct fake emmc = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "mmcblk1",
	.devnode = "/dev/mmcblk1",
	.devnum = 179 << 8 | 256,
	.parent = &emmc_card,
	.attrs = { { "removable", "0" } },
	.props = { { "ID_NAME", "BJTD4R" }, { "ID_SERIAL", "0x0a1b2c3d" } },
};

/* The SATA optical drive and the SATA system disk behind it. */
static struct fake ata = { .subsystem = "scsi", .sysname = "2:0:0:0", .parent = &pci };
static struct fake sr0 = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "sr0",
	.devnode = "/dev/sr0",
	.devnum = 11 << 8 | 0,
	.parent = &ata,
	.attrs = { { "removable", "1" } },
	.props = { { "ID_SERIAL_SHORT", "DVD0001" } },
};
static struct fake sda = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "sda",
	.devnode = "/dev/sda",
	.devnum = 8 << 8 | 0,
	.parent = &ata,
	.attrs = { { "removable", "0" } },
	.props = { { "ID_SERIAL_SHORT", "WD-WCC4E0000000" } },
};
static struct fake virtio = { .subsystem = "virtio", .sysname = "virtio1", .parent = &pci };
static struct fake vda = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "vda",
	.devnode = "/dev/vda",
	.devnum = 254 << 8 | 0,
	.parent = &virtio,
	.attrs = { { "removable", "0" } },
};
static struct fake nvme_ctrl = { .subsystem = "nvme", .sysname = "nvme0", .parent = &pci };
static struct fake nvme = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "nvme0n1",
	.devnode = "/dev/nvme0n1",
	.devnum = 259 << 8 | 0,
	.parent = &nvme_ctrl,
	.attrs = { { "removable", "0" } },
	.props = { { "ID_SERIAL_SHORT", "S4EWNX0R000000" } },
};
static struct fake nvme_part = {
	.subsystem = "block",
	.devtype = "partition",
	.sysname = "nvme0n1p2",
	.devnode = "/dev/nvme0n1p2",
	.devnum = 259 << 8 | 2,
	.parent = &nvme,
};
static struct fake loop = {
	.subsystem = "block",
	.devtype = "disk",
	.sysname = "loop0",
	.devnode = "/dev/loop0",
	.devnum = 7 << 8 | 0,
	.attrs = { { "removable", "0" } },
};

/* A USB stick of the same make, for variations of its serial: the last usb_disk() made. */
static struct fake var_usb = {
	.subsystem = "usb",
	.devtype = "usb_device",
	.sysname = "1-4",
	.parent = &pci,
	.attrs = { { "idVendor", "0781" }, { "idProduct", "5583" } },
};
static struct fake var_intf = {
	.subsystem = "usb",
	.devtype = "usb_interface",
	.sysname = "1-4:1.0",
	.parent = &var_usb,
};
static struct fake var_scsi = { .subsystem = "scsi", .sysname = "3:0:0:0", .parent = &var_intf };

/* Its disk, with @serial (NULL: none) as the USB device's, and udev's ID_SERIAL_SHORT of it. */
static struct fake usb_disk(const char *serial)
{
	static char mangled[DLP_DEVICE_SERIAL_MAX + 2];
	char *c;

	var_usb.attrs[2][0] = serial ? "serial" : NULL;
	var_usb.attrs[2][1] = serial;
	/* udev makes white space '_' */
	snprintf(mangled, sizeof(mangled), "%s", serial ?: "");
	for (c = mangled; *c; c++)
		if (*c == ' ')
			*c = '_';
	return (struct fake){
		.subsystem = "block",
		.devtype = "disk",
		.sysname = "sdd",
		.devnode = "/dev/sdd",
		.devnum = 8 << 8 | 48,
		.parent = &var_scsi,
		.attrs = { { "removable", "1" } },
		.props = { { serial ? "ID_SERIAL_SHORT" : "ID_MODEL", serial ? mangled : "x" } },
	};
}

static const char *lookup(const char *const kv[MAX_KV][2], const char *key)
{
	int i;

	for (i = 0; i < MAX_KV && kv[i][0]; i++)
		if (!strcmp(kv[i][0], key))
			return kv[i][1];
	errno = ENOENT;
	return NULL;
}

/* ---- libudev, replaced ---- */

static int unrefs; /* udev_device_unref() calls */

dev_t __wrap_udev_device_get_devnum(struct udev_device *d)
{
	return FAKE(d)->devnum;
}

const char *__wrap_udev_device_get_sysname(struct udev_device *d)
{
	return FAKE(d)->sysname;
}

const char *__wrap_udev_device_get_devnode(struct udev_device *d)
{
	return FAKE(d)->devnode;
}

const char *__wrap_udev_device_get_devtype(struct udev_device *d)
{
	return FAKE(d)->devtype;
}

const char *__wrap_udev_device_get_action(struct udev_device *d)
{
	return FAKE(d)->action;
}

const char *__wrap_udev_device_get_sysattr_value(struct udev_device *d, const char *attr)
{
	return lookup(FAKE(d)->attrs, attr);
}

const char *__wrap_udev_device_get_property_value(struct udev_device *d, const char *key)
{
	return lookup(FAKE(d)->props, key);
}

struct udev_device *__wrap_udev_device_get_parent_with_subsystem_devtype(struct udev_device *d,
									 const char *subsystem,
									 const char *devtype)
{
	struct fake *p;

	for (p = FAKE(d)->parent; p; p = p->parent)
		if (!strcmp(p->subsystem, subsystem) &&
		    (!devtype || (p->devtype && !strcmp(p->devtype, devtype))))
			return UDEV(p);
	errno = ENOENT;
	return NULL;
}

const char *__wrap_udev_device_get_syspath(struct udev_device *d)
{
	return FAKE(d)->syspath;
}

/* The devices a stacked device's slaves/ entries name, by kernel name. */
static struct fake *slave_fakes[8];

static struct fake *slave_named(const char *syspath)
{
	const char *name = strrchr(syspath, '/') + 1;
	unsigned int i;

	if (!strstr(syspath, "/slaves/"))
		return NULL;
	for (i = 0; i < sizeof(slave_fakes) / sizeof(slave_fakes[0]) && slave_fakes[i]; i++)
		if (!strcmp(slave_fakes[i]->sysname, name))
			return slave_fakes[i];
	return NULL;
}

struct udev_device *__wrap_udev_device_unref(struct udev_device *d)
{
	(void)d;
	unrefs++;
	return NULL;
}

static char the_udev, the_monitor, the_enumerate;

struct udev *__wrap_udev_new(void)
{
	return (struct udev *)&the_udev;
}

struct udev *__wrap_udev_unref(struct udev *u)
{
	assert_ptr_equal(u, &the_udev);
	return NULL;
}

struct udev_monitor *__wrap_udev_monitor_new_from_netlink(struct udev *u, const char *name)
{
	assert_ptr_equal(u, &the_udev);
	assert_string_equal(name, "udev");
	return (struct udev_monitor *)&the_monitor;
}

int __wrap_udev_monitor_filter_add_match_subsystem_devtype(struct udev_monitor *m,
							   const char *subsystem,
							   const char *devtype)
{
	assert_ptr_equal(m, &the_monitor);
	assert_string_equal(subsystem, "block");
	assert_null(devtype);
	return 0;
}

int __wrap_udev_monitor_enable_receiving(struct udev_monitor *m)
{
	assert_ptr_equal(m, &the_monitor);
	return mock_type(int);
}

int __wrap_udev_monitor_get_fd(struct udev_monitor *m)
{
	assert_ptr_equal(m, &the_monitor);
	return 42;
}

/* Events queued for the monitor, then NULL with errno @event_end. */
static struct fake *events[8];
static int nevents, event_pos, event_end;

struct udev_device *__wrap_udev_monitor_receive_device(struct udev_monitor *m)
{
	assert_ptr_equal(m, &the_monitor);
	if (event_pos < nevents)
		return UDEV(events[event_pos++]);
	errno = event_end;
	return NULL;
}

struct udev_monitor *__wrap_udev_monitor_unref(struct udev_monitor *m)
{
	assert_ptr_equal(m, &the_monitor);
	return NULL;
}

/* What a scan finds: syspaths, each resolved in @sysfs (NULL: gone since the scan). */
static const char *scanned[8];
static struct fake *sysfs[8];
static int nscanned;

struct udev_enumerate *__wrap_udev_enumerate_new(struct udev *u)
{
	assert_ptr_equal(u, &the_udev);
	return (struct udev_enumerate *)&the_enumerate;
}

int __wrap_udev_enumerate_add_match_subsystem(struct udev_enumerate *e, const char *subsystem)
{
	assert_ptr_equal(e, &the_enumerate);
	assert_string_equal(subsystem, "block");
	return 0;
}

int __wrap_udev_enumerate_scan_devices(struct udev_enumerate *e)
{
	assert_ptr_equal(e, &the_enumerate);
	return 0;
}

/* A list entry is a pointer into scanned[]. */
struct udev_list_entry *__wrap_udev_enumerate_get_list_entry(struct udev_enumerate *e)
{
	assert_ptr_equal(e, &the_enumerate);
	return nscanned ? (struct udev_list_entry *)&scanned[0] : NULL;
}

struct udev_list_entry *__wrap_udev_list_entry_get_next(struct udev_list_entry *entry)
{
	const char **p = (const char **)entry + 1;

	return p < &scanned[nscanned] ? (struct udev_list_entry *)p : NULL;
}

const char *__wrap_udev_list_entry_get_name(struct udev_list_entry *entry)
{
	return *(const char **)entry;
}

struct udev *__wrap_udev_device_get_udev(struct udev_device *d)
{
	(void)d;
	return (struct udev *)&the_udev;
}

struct udev_device *__wrap_udev_device_new_from_syspath(struct udev *u, const char *syspath)
{
	int i;

	assert_ptr_equal(u, &the_udev);
	if (slave_named(syspath))
		return UDEV(slave_named(syspath));
	for (i = 0; i < nscanned; i++)
		if (!strcmp(scanned[i], syspath) && sysfs[i])
			return UDEV(sysfs[i]);
	errno = ENODEV;
	return NULL;
}

struct udev_enumerate *__wrap_udev_enumerate_unref(struct udev_enumerate *e)
{
	assert_ptr_equal(e, &the_enumerate);
	return NULL;
}

/* ---- The ledger ---- */

static const char ledger[] =
	"mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"
	"media reg-rw bus usb id 0781:5583 serial 4C530001234 section 総務課 access rw "
	"until 2027-03-31\n"
	"media reg-ssd bus usb id 46f4:0001 serial SSD0001 section 税務課 access ro "
	"until 2027-03-31\n"
	"media space bus usb id 0781:5583 serial \"AA 0042\" section 税務課 access rw "
	"until 2027-03-31\n"
	"media sd bus mmc id 0003:5344 serial 0x1234abcd section 総務課 access rw "
	"until 2027-03-31\n"
	"media old bus usb id 0781:5583 serial OLD0001 section 総務課 access rw "
	"until 2025-03-31\n";

enum { REG_RW, REG_SSD, SPACE, SD, OLD };

static struct dlp_policy pol;

/* 2026-11-26T12:00:00Z: every entry but 'old' is valid. */
#define NOW ((time_t)1795694400)
/* 2027-04-01T00:00:00+09:00 = 2027-03-31T15:00:00Z (2027-03-31 is day 20908 of 1970). */
#define END_2027_03_31 ((time_t)20908 * 86400 + 15 * 3600)

static int group_setup(void **state)
{
	struct dlp_diag diag;

	(void)state;
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "ledger.policy", stderr);
	return dlp_policy_load_buffer(&pol, ledger, strlen(ledger), &diag);
}

static int group_teardown(void **state)
{
	(void)state;
	dlp_policy_free(&pol);
	return 0;
}

static struct dlp_device identify(struct fake *f)
{
	struct dlp_device d;

	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(dlp_device_identify(UDEV(f), &d), 0);
	assert_true(d.identified);
	return d;
}

/* The verdict on @d at @now; its ledger index in *@index. */
static struct dlp_media_dev judge(const struct dlp_device *d, time_t now, int *index)
{
	struct dlp_media_dev v;

	memset(&v, 0xaa, sizeof(v));
	assert_int_equal(dlp_device_verdict(&pol, d, now, &v, index), 0);
	assert_int_equal(v.pad, 0);
	return v;
}

static void assert_internal(struct fake *f)
{
	struct dlp_device d = identify(f);
	struct dlp_media_dev v;
	int index;

	if (d.media)
		fail_msg("%s: judged media, expected internal", f->sysname);
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_INTERNAL);
	assert_int_equal(index, -1);
	assert_int_equal(d.dev, DLP_DEV(major(f->devnum), minor(f->devnum)));
}

static void assert_unregistered(const struct dlp_device *d, time_t now, int want_index)
{
	struct dlp_media_dev v;
	int index;

	v = judge(d, now, &index);
	assert_int_equal(v.kind, DLP_DEVICE_UNREGISTERED);
	assert_int_equal(v.writable, 0);
	assert_int_equal(v.until_tai_ns, 0);
	assert_int_equal(index, want_index);
}

static __s64 kernel_tai_offset(void)
{
	__s64 off;

	assert_int_equal(dlp_tai_offset(&off), 0);
	return off;
}

/* ---- Identity ---- */

static void test_usb_stick(void **state)
{
	struct dlp_device d = identify(&stick);

	(void)state;
	assert_int_equal(d.dev, DLP_DEV(8, 16));
	assert_string_equal(d.name, "sdb");
	assert_string_equal(d.devnode, "/dev/sdb");
	assert_false(d.partition);
	assert_true(d.media);
	assert_true(d.removable);
	assert_int_equal(d.bus, DLP_DEVBUS_USB);
	assert_true(d.has_id);
	assert_int_equal(d.vendor, 0x0781);
	assert_int_equal(d.product, 0x5583);
	assert_string_equal(d.serial, "4C530001234");
	assert_string_equal(d.usb_path, "1-2.3");
}

static void test_usb_ssd_not_removable(void **state)
{
	struct dlp_device d = identify(&ssd);

	(void)state;
	assert_false(d.removable);
	assert_true(d.media);
	assert_int_equal(d.bus, DLP_DEVBUS_USB);
	assert_int_equal(d.vendor, 0x46f4);
	assert_int_equal(d.product, 0x0001);
	assert_string_equal(d.serial, "SSD0001");
	assert_string_equal(d.usb_path, "2-1");
}

static void test_sd_card(void **state)
{
	struct dlp_device d = identify(&sd);

	(void)state;
	assert_int_equal(d.dev, DLP_DEV(179, 0));
	assert_true(d.media);
	assert_false(d.removable);
	assert_int_equal(d.bus, DLP_DEVBUS_MMC);
	assert_int_equal(d.vendor, 0x0003);
	assert_int_equal(d.product, 0x5344);
	assert_string_equal(d.serial, "0x1234abcd");
	assert_string_equal(d.usb_path, "");
}

static void test_emmc_internal(void **state)
{
	struct dlp_device d = identify(&emmc);

	(void)state;
	assert_true(d.identified);
	assert_false(d.media);
	assert_int_equal(d.bus, DLP_DEVBUS_NONE);
	assert_string_equal(d.serial, "");
}

static void test_optical(void **state)
{
	struct fake f = sr0;
	struct dlp_device d = identify(&f);

	(void)state;
	assert_true(d.media);
	assert_int_equal(d.bus, DLP_DEVBUS_NONE);
	assert_false(d.has_id);
	assert_string_equal(d.serial, "DVD0001");
	/* No bus the ledger names: never registered. */
	assert_unregistered(&d, NOW, -1);

	/* The kernel marks every sr disk removable; the name alone is enough. */
	f.attrs[0][0] = NULL;
	d = identify(&f);
	assert_true(d.media);
	assert_false(d.removable);
}

static void test_internal_disks(void **state)
{
	(void)state;
	assert_internal(&vda);
	assert_internal(&nvme);
	assert_internal(&nvme_part);
	assert_internal(&sda);
	assert_internal(&loop);
}

/* mkdir -p @path */
static int mkdir_p(const char *path)
{
	char buf[256];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0700) && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	return mkdir(buf, 0700) && errno != EEXIST ? -errno : 0;
}

/*
 * Devices stacked on others: dm-0 (dm-crypt) on the stick's partition, dm-1
 * (LVM) on the NVMe partition, dm-2 on both, md0 on the stick and the SSD,
 * dm-3 on md0; their slaves/ folders made in a temporary directory.
 */
static void test_stacked(void **state)
{
	char root[] = "/tmp/test_devices.XXXXXX", path[256];
	static const char *const slaves[][2] = {
		{ "dm-0", "sdb1" }, { "dm-1", "nvme0n1p2" }, { "dm-2", "nvme0n1p2" },
		{ "dm-2", "sdb1" }, { "md0", "sdb1" },	     { "md0", "sdc" },
		{ "dm-3", "md0" },  { "dm-4", "dm-1" },
	};
	char dirs[6][64];
	struct fake dm[6];
	static const char *const names[] = { "dm-0", "dm-1", "dm-2", "md0", "dm-3", "dm-4" };
	struct dlp_device d, part = identify(&stick_part);
	struct dlp_media_dev v;
	unsigned int i;
	int index;

	(void)state;
	assert_non_null(mkdtemp(root));
	for (i = 0; i < 6; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s/%s", root, names[i]);
		dm[i] = (struct fake){ .subsystem = "block",
				       .devtype = "disk",
				       .sysname = names[i],
				       .syspath = dirs[i],
				       .devnum = 254 << 8 | i,
				       .attrs = { { "removable", "0" } } };
	}
	for (i = 0; i < sizeof(slaves) / sizeof(slaves[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/slaves/%s", root, slaves[i][0], slaves[i][1]);
		assert_int_equal(mkdir_p(path), 0);
	}
	slave_fakes[0] = &stick_part;
	slave_fakes[1] = &nvme_part;
	slave_fakes[2] = &ssd;
	slave_fakes[3] = &dm[3]; /* md0 */
	slave_fakes[4] = &dm[1]; /* dm-1 */

	/* dm-crypt on the stick: the stick, registered as it is */
	d = identify(&dm[0]);
	assert_true(d.media);
	assert_int_equal(d.dev, DLP_DEV(254, 0));
	assert_string_equal(d.name, "dm-0");
	assert_false(d.partition);
	assert_int_equal(d.bus, part.bus);
	assert_int_equal(d.vendor, part.vendor);
	assert_int_equal(d.product, part.product);
	assert_string_equal(d.serial, part.serial);
	assert_true(d.removable);
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(index, REG_RW);

	/* LVM on the system disk stays internal, also stacked twice */
	assert_internal(&dm[1]);
	assert_internal(&dm[5]);
	/* on the system disk and the stick: the stick */
	d = identify(&dm[2]);
	assert_true(d.media);
	assert_string_equal(d.serial, part.serial);
	/* md on two different media, and dm on that: unidentified */
	d.identified = true;
	assert_int_equal(dlp_device_identify(UDEV(&dm[3]), &d), -EMLINK);
	assert_int_equal(dlp_device_identify(UDEV(&dm[4]), &d), -EMLINK);

	memset(slave_fakes, 0, sizeof(slave_fakes));
	/* a slave that cannot be read is passed over */
	assert_internal(&dm[0]);
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

static void test_partition_inherits_disk(void **state)
{
	struct dlp_device disk = identify(&stick), part = identify(&stick_part);
	struct dlp_media_dev v;
	int index;

	(void)state;
	assert_int_equal(part.dev, DLP_DEV(8, 17));
	assert_string_equal(part.name, "sdb1");
	assert_string_equal(part.devnode, "/dev/sdb1");
	assert_true(part.partition);
	assert_true(part.media);
	assert_true(part.removable);
	assert_int_equal(part.bus, disk.bus);
	assert_int_equal(part.vendor, disk.vendor);
	assert_int_equal(part.product, disk.product);
	assert_string_equal(part.serial, disk.serial);
	assert_string_equal(part.usb_path, disk.usb_path);
	v = judge(&part, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(index, REG_RW);
}

static void test_serial_with_spaces(void **state)
{
	struct fake f = usb_disk("AA 0042");
	struct dlp_device d = identify(&f);
	struct dlp_media_dev v;
	int index;

	(void)state;
	assert_string_equal(d.serial, "AA 0042");
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(index, SPACE);

	/* The USB device's own string, not udev's ID_SERIAL_SHORT ("AA_0042"): the module's too. */
	assert_string_equal(lookup(f.props, "ID_SERIAL_SHORT"), "AA_0042");

	/* Byte for byte: neither udev's underscore nor a doubled space is the same serial. */
	f = usb_disk("AA_0042");
	d = identify(&f);
	assert_unregistered(&d, NOW, -1);
	f = usb_disk("AA  0042");
	d = identify(&f);
	assert_unregistered(&d, NOW, -1);
}

static void test_missing_serial(void **state)
{
	struct fake f = usb_disk(NULL);
	struct dlp_device d = identify(&f);

	(void)state;
	assert_true(d.media);
	assert_string_equal(d.serial, "");
	assert_unregistered(&d, NOW, -1);
}

static void test_serial_too_long(void **state)
{
	char serial[DLP_DEVICE_SERIAL_MAX + 2];
	struct fake f;
	struct dlp_device d;

	(void)state;
	memset(serial, 'S', sizeof(serial) - 1);
	serial[sizeof(serial) - 1] = '\0';
	f = usb_disk(serial);
	assert_int_equal(dlp_device_identify(UDEV(&f), &d), -ENAMETOOLONG);
	serial[DLP_DEVICE_SERIAL_MAX] = '\0';
	d = identify(&f);
	assert_int_equal(strlen(d.serial), DLP_DEVICE_SERIAL_MAX);
}

static void test_unidentifiable(void **state)
{
	struct fake bad_usb = stick_usb, bad_scsi = stick_scsi, f;
	struct fake orphan = stick_part;
	struct dlp_device d;

	(void)state;
	/* A USB device whose ids cannot be read: sysfs gone, or garbage. */
	bad_usb.attrs[0][0] = "idVendorX";
	bad_scsi.parent = &bad_usb;
	f = usb_disk("4C530001234");
	f.parent = &bad_scsi;
	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(dlp_device_identify(UDEV(&f), &d), -ENODATA);
	assert_int_equal(d.dev, 0xaaaaaaaa); /* untouched on error */
	bad_usb.attrs[0][0] = "idVendor";
	bad_usb.attrs[0][1] = "10000";
	assert_int_equal(dlp_device_identify(UDEV(&f), &d), -EINVAL);
	bad_usb.attrs[0][1] = "07g1";
	assert_int_equal(dlp_device_identify(UDEV(&f), &d), -EINVAL);

	/* A partition whose disk is gone, a device without a number. */
	orphan.parent = NULL;
	assert_int_equal(dlp_device_identify(UDEV(&orphan), &d), -ENODEV);
	f = usb_disk("4C530001234");
	f.devnum = 0;
	assert_int_equal(dlp_device_identify(UDEV(&f), &d), -ENODEV);
}

/* ---- The ledger's verdict ---- */

static void test_ledger_match_rw_ro(void **state)
{
	struct dlp_device d = identify(&stick);
	struct dlp_media_dev v;
	__s64 off = kernel_tai_offset();
	int index;

	(void)state;
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(v.writable, 1);
	assert_int_equal(v.ledger_index, REG_RW);
	assert_int_equal(index, REG_RW);
	assert_int_equal(v.until_tai_ns, ((__u64)END_2027_03_31 + off) * 1000000000ULL);

	d = identify(&ssd);
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(v.writable, 0);
	assert_int_equal(v.ledger_index, REG_SSD);
	assert_int_equal(index, REG_SSD);

	d = identify(&sd);
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(v.writable, 1);
	assert_int_equal(index, SD);
}

static void test_ledger_mismatch(void **state)
{
	struct dlp_device good = identify(&stick), d;

	(void)state;
	d = good;
	strcpy(d.serial, "4C530001235");
	assert_unregistered(&d, NOW, -1);
	d = good;
	strcpy(d.serial, "4c530001234"); /* serials are compared exactly */
	assert_unregistered(&d, NOW, -1);
	d = good;
	d.vendor = 0x0782;
	assert_unregistered(&d, NOW, -1);
	d = good;
	d.product = 0x5584;
	assert_unregistered(&d, NOW, -1);
	d = good;
	d.bus = DLP_DEVBUS_MMC; /* the same ids and serial on another bus */
	assert_unregistered(&d, NOW, -1);
	d = good;
	d.has_id = false;
	assert_unregistered(&d, NOW, -1);
}

static void test_ledger_expired(void **state)
{
	struct fake f = usb_disk("OLD0001");
	struct dlp_device d = identify(&f);
	struct dlp_media_dev v;
	int index;

	(void)state;
	/* Expired before NOW: unregistered, but the entry is named for the log. */
	assert_unregistered(&d, NOW, OLD);

	/* The last second of 2027-03-31 in Japan is valid, the next is not. */
	d = identify(&stick);
	v = judge(&d, END_2027_03_31 - 1, &index);
	assert_int_equal(v.kind, DLP_DEVICE_REGISTERED);
	assert_int_equal(index, REG_RW);
	assert_unregistered(&d, END_2027_03_31, REG_RW);
}

static void test_unidentified_is_unknown(void **state)
{
	struct dlp_device d = identify(&stick);
	struct dlp_media_dev v;
	int index;

	(void)state;
	d.identified = false;
	v = judge(&d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_UNKNOWN);
	assert_int_equal(index, -1);
}

static void test_end_of_day_jst(void **state)
{
	static const struct {
		struct dlp_date until;
		time_t end_utc; /* 00:00 JST of the next day, as UTC seconds */
	} cases[] = {
		/* 2027-03-31T14:59:59.999999999Z is the last valid instant. */
		{ { 2027, 3, 31 }, 1806505200 },
		/* 2027-01-01T00:00:00+09:00: across the end of the year. */
		{ { 2026, 12, 31 }, 1798729200 },
		/* 2028 is a leap year: the 28th ends at 00:00 JST of the 29th. */
		{ { 2028, 2, 28 }, 1835362800 },
	};
	size_t i;

	(void)state;
	assert_int_equal(cases[0].end_utc, END_2027_03_31);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dlp_date *u = &cases[i].until;
		__u64 want = (__u64)cases[i].end_utc * 1000000000ULL;

		if (dlp_ledger_end_tai_ns(u, 0) != want ||
		    dlp_ledger_end_tai_ns(u, 37) != want + 37000000000ULL)
			fail_msg("%04u-%02u-%02u: end %llu, expected %llu (+37 s TAI)", u->year,
				 u->month, u->day, (unsigned long long)dlp_ledger_end_tai_ns(u, 0),
				 (unsigned long long)want);
	}
}

static void test_tai_offset(void **state)
{
	struct timespec utc, tai;
	__s64 off = kernel_tai_offset();

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &utc), 0);
	assert_int_equal(clock_gettime(CLOCK_TAI, &tai), 0);
	/* 0 until a time daemon sets it, 37 since 2017 once one has. */
	assert_true(off >= 0 && off < 100);
	assert_true(llabs((long long)(tai.tv_sec - utc.tv_sec) - off) <= 1);
}

/* ---- The tracker ---- */

struct seen {
	enum dlp_device_action action;
	struct dlp_device d;
	int err;
};

static struct seen seen[8];
static int nseen, stop_at = -1;

static int record(enum dlp_device_action action, const struct dlp_device *d, int err, void *ctx)
{
	assert_ptr_equal(ctx, &seen);
	assert_true(nseen < 8);
	seen[nseen++] = (struct seen){ action, *d, err };
	return nseen == stop_at ? -ECANCELED : 0;
}

static int tracker_setup(void **state)
{
	nseen = 0;
	stop_at = -1;
	unrefs = 0;
	nevents = 0;
	event_pos = 0;
	nscanned = 0;
	will_return(__wrap_udev_monitor_enable_receiving, 0);
	*state = dlp_devices_open();
	return *state ? 0 : -1;
}

static int tracker_teardown(void **state)
{
	dlp_devices_close(*state);
	return 0;
}

static void test_open_fails(void **state)
{
	(void)state;
	will_return(__wrap_udev_monitor_enable_receiving, -EPERM);
	errno = 0;
	assert_null(dlp_devices_open());
	assert_int_equal(errno, EPERM);
	dlp_devices_close(NULL);
}

static void test_fd(void **state)
{
	assert_int_equal(dlp_devices_fd(*state), 42);
}

static void test_events(void **state)
{
	/* Media inserted in a reader, a stick plugged, one pulled: udev's removal has
	 * only MAJOR/MINOR, DEVNAME, DEVTYPE left, no parent and no attributes. */
	struct fake inserted = sd, plugged = stick,
		    gone = {
			    .subsystem = "block",
			    .devtype = "partition",
			    .sysname = "sdb1",
			    .devnode = "/dev/sdb1",
			    .devnum = 8 << 8 | 17,
			    .action = "remove",
		    };

	inserted.action = "change";
	plugged.action = "add";
	events[0] = &inserted;
	events[1] = &plugged;
	events[2] = &gone;
	nevents = 3;
	event_end = EAGAIN;
	assert_int_equal(dlp_devices_receive(*state, record, &seen), 0);
	assert_int_equal(nseen, 3);
	assert_int_equal(unrefs, 3);

	assert_int_equal(seen[0].action, DLP_DEVICE_CHANGE);
	assert_int_equal(seen[0].err, 0);
	assert_int_equal(seen[0].d.bus, DLP_DEVBUS_MMC);
	assert_int_equal(seen[1].action, DLP_DEVICE_ADD);
	assert_string_equal(seen[1].d.serial, "4C530001234");
	assert_int_equal(seen[2].action, DLP_DEVICE_REMOVE);
	assert_int_equal(seen[2].err, 0);
	assert_int_equal(seen[2].d.dev, DLP_DEV(8, 17));
	assert_string_equal(seen[2].d.name, "sdb1");
	assert_string_equal(seen[2].d.devnode, "/dev/sdb1");
	assert_true(seen[2].d.partition);
	assert_false(seen[2].d.identified);

	/* Drained: nothing more, no error. */
	assert_int_equal(dlp_devices_receive(*state, record, &seen), 0);
	assert_int_equal(nseen, 3);
}

static void test_event_unidentifiable(void **state)
{
	struct fake bad_usb = stick_usb, bad_scsi = stick_scsi, f = stick;
	struct dlp_media_dev v;
	int index;

	bad_usb.attrs[1][0] = NULL; /* idProduct unreadable */
	bad_scsi.parent = &bad_usb;
	f.parent = &bad_scsi;
	f.action = "add";
	events[0] = &f;
	nevents = 1;
	event_end = EAGAIN;
	assert_int_equal(dlp_devices_receive(*state, record, &seen), 0);
	assert_int_equal(nseen, 1);
	assert_int_equal(seen[0].action, DLP_DEVICE_ADD);
	assert_int_equal(seen[0].err, -ENODATA);
	assert_int_equal(seen[0].d.dev, DLP_DEV(8, 16));
	assert_true(seen[0].d.media);
	assert_false(seen[0].d.identified);
	v = judge(&seen[0].d, NOW, &index);
	assert_int_equal(v.kind, DLP_DEVICE_UNKNOWN);
}

static void test_event_errors(void **state)
{
	struct fake a = stick, b = ssd;

	a.action = "add";
	b.action = "move";
	events[0] = &a;
	events[1] = &b;
	nevents = 2;
	event_end = ENOBUFS;
	stop_at = 1;
	/* The callback's error stops the drain; the next event stays queued. */
	assert_int_equal(dlp_devices_receive(*state, record, &seen), -ECANCELED);
	assert_int_equal(nseen, 1);
	assert_int_equal(unrefs, 1);
	stop_at = -1;
	/* Any action but add and remove is reported as a change; lost events as -ENOBUFS. */
	assert_int_equal(dlp_devices_receive(*state, record, &seen), -ENOBUFS);
	assert_int_equal(nseen, 2);
	assert_int_equal(seen[1].action, DLP_DEVICE_CHANGE);
	assert_int_equal(unrefs, 2);
}

static void test_enumerate(void **state)
{
	scanned[0] = "/sys/devices/pci/usb/sdb";
	sysfs[0] = &stick;
	scanned[1] = "/sys/devices/pci/usb/sdb/sdb1";
	sysfs[1] = NULL; /* pulled out since the scan */
	scanned[2] = "/sys/devices/virtual/block/loop0";
	sysfs[2] = &loop;
	nscanned = 3;
	assert_int_equal(dlp_devices_enumerate(*state, record, &seen), -ENODEV);
	assert_int_equal(nseen, 2);
	assert_int_equal(unrefs, 2);
	assert_int_equal(seen[0].action, DLP_DEVICE_ADD);
	assert_true(seen[0].d.media);
	assert_int_equal(seen[1].action, DLP_DEVICE_ADD);
	assert_string_equal(seen[1].d.name, "loop0");
	assert_false(seen[1].d.media);

	nseen = 0;
	sysfs[1] = &stick_part;
	assert_int_equal(dlp_devices_enumerate(*state, record, &seen), 0);
	assert_int_equal(nseen, 3);
	nseen = 0;
	stop_at = 2;
	assert_int_equal(dlp_devices_enumerate(*state, record, &seen), -ECANCELED);
	assert_int_equal(nseen, 2);
}

static void test_map_arguments(void **state)
{
	struct dlp_device d = identify(&stick);
	struct dlp_media_dev v = { .kind = DLP_DEVICE_INTERNAL };
	__u32 slot;

	(void)state;
	v.pad = 1;
	assert_int_equal(dlp_media_map_set(-1, 0, &d, &v), -EINVAL);
	v.pad = 0;
	v.kind = DLP_DEVICE_UNREGISTERED + 1;
	assert_int_equal(dlp_media_map_set(-1, 0, &d, &v), -EINVAL);
	v.kind = DLP_DEVICE_INTERNAL;
	d.dev = 0;
	assert_int_equal(dlp_media_map_set(-1, 0, &d, &v), -EINVAL);
	d.dev = DLP_DEV(8, 16);
	for (slot = DLP_SLOTS; slot < DLP_SLOTS + 2; slot++)
		assert_int_equal(dlp_media_map_set(-1, slot, &d, &v), -EINVAL);
	assert_int_equal(dlp_media_map_set(-1, UINT32_MAX, &d, &v), -EINVAL);
	for (slot = 0; slot < DLP_SLOTS; slot++) {
		assert_int_equal(dlp_media_map_set(-1, slot, &d, &v), -EBADF);
		assert_int_equal(dlp_media_map_remove(-1, slot, d.dev), -EBADF);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usb_stick),
		cmocka_unit_test(test_usb_ssd_not_removable),
		cmocka_unit_test(test_sd_card),
		cmocka_unit_test(test_emmc_internal),
		cmocka_unit_test(test_optical),
		cmocka_unit_test(test_internal_disks),
		cmocka_unit_test(test_stacked),
		cmocka_unit_test(test_partition_inherits_disk),
		cmocka_unit_test(test_serial_with_spaces),
		cmocka_unit_test(test_missing_serial),
		cmocka_unit_test(test_serial_too_long),
		cmocka_unit_test(test_unidentifiable),
		cmocka_unit_test(test_ledger_match_rw_ro),
		cmocka_unit_test(test_ledger_mismatch),
		cmocka_unit_test(test_ledger_expired),
		cmocka_unit_test(test_unidentified_is_unknown),
		cmocka_unit_test(test_end_of_day_jst),
		cmocka_unit_test(test_tai_offset),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test_setup_teardown(test_fd, tracker_setup, tracker_teardown),
		cmocka_unit_test_setup_teardown(test_events, tracker_setup, tracker_teardown),
		cmocka_unit_test_setup_teardown(test_event_unidentifiable, tracker_setup,
						tracker_teardown),
		cmocka_unit_test_setup_teardown(test_event_errors, tracker_setup, tracker_teardown),
		cmocka_unit_test_setup_teardown(test_enumerate, tracker_setup, tracker_teardown),
		cmocka_unit_test(test_map_arguments),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
