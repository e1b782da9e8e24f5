// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: user/lib/devices.c against the real udev and real USB sticks.
 * Enumeration finds each cold-plugged stick with the identity the harness
 * gave it (QEMU's usb-storage is 46f4:0001, the serial is ours), removable=on
 * and removable=off alike as media, their partitions with the disk's
 * identity, and a loop device as internal; the ledger registers one stick
 * and not the other; the verdicts go into a BPF hash map shaped like
 * dlp_media and read back; a stick hot-plugged with dlpvm arrives through
 * the monitor descriptor as add, and its unplugging as remove, each within
 * a bounded wait.
 *
 * Runs only inside the VM test bed, from tests/vm/devices.sh, which names the
 * devices in the environment:
 *	DLP_STICK_ON      disk of the stick plugged with removable=on (serial DLPDEV-ON)
 *	DLP_STICK_OFF     disk of the stick plugged with removable=off (serial DLPDEV-OFF)
 *	DLP_LOOP_INTERNAL a loop device holding an image
 * Elsewhere it prints "SKIP: <reason>" and exits 77.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <libudev.h>

#include <dlpguard/abi.h>
#include <dlpguard/media.h>

#include "devices.h"
#include "policy.h"

#define EXIT_SKIP    77
#define MAX_SEEN     64
#define EVENT_WAIT_S 30

/*
 * The Makefile links every binary called test_devices with the libudev wraps
 * of the unit test of the same name (WRAP_test_devices).  Here udev is real:
 * each wrap hands the call straight to libudev.
 */
#define FORWARD(type, name, params, args)  \
	type __real_##name params;         \
	type __wrap_##name params          \
	{                                  \
		return __real_##name args; \
	}

FORWARD(dev_t, udev_device_get_devnum, (struct udev_device * d), (d))
FORWARD(const char *, udev_device_get_sysname, (struct udev_device * d), (d))
FORWARD(const char *, udev_device_get_devnode, (struct udev_device * d), (d))
FORWARD(const char *, udev_device_get_devtype, (struct udev_device * d), (d))
FORWARD(const char *, udev_device_get_action, (struct udev_device * d), (d))
FORWARD(const char *, udev_device_get_sysattr_value, (struct udev_device * d, const char *a),
	(d, a))
FORWARD(const char *, udev_device_get_property_value, (struct udev_device * d, const char *k),
	(d, k))
FORWARD(struct udev_device *, udev_device_get_parent_with_subsystem_devtype,
	(struct udev_device * d, const char *s, const char *t), (d, s, t))
FORWARD(struct udev_device *, udev_device_unref, (struct udev_device * d), (d))
FORWARD(struct udev_device *, udev_device_new_from_syspath, (struct udev * u, const char *p),
	(u, p))
FORWARD(const char *, udev_device_get_syspath, (struct udev_device * d), (d))
FORWARD(struct udev *, udev_device_get_udev, (struct udev_device * d), (d))
FORWARD(struct udev *, udev_new, (void), ())
FORWARD(struct udev *, udev_unref, (struct udev * u), (u))
FORWARD(struct udev_monitor *, udev_monitor_new_from_netlink, (struct udev * u, const char *n),
	(u, n))
FORWARD(int, udev_monitor_filter_add_match_subsystem_devtype,
	(struct udev_monitor * m, const char *s, const char *t), (m, s, t))
FORWARD(int, udev_monitor_enable_receiving, (struct udev_monitor * m), (m))
FORWARD(int, udev_monitor_get_fd, (struct udev_monitor * m), (m))
FORWARD(struct udev_device *, udev_monitor_receive_device, (struct udev_monitor * m), (m))
FORWARD(struct udev_monitor *, udev_monitor_unref, (struct udev_monitor * m), (m))
FORWARD(struct udev_enumerate *, udev_enumerate_new, (struct udev * u), (u))
FORWARD(int, udev_enumerate_add_match_subsystem, (struct udev_enumerate * e, const char *s), (e, s))
FORWARD(int, udev_enumerate_scan_devices, (struct udev_enumerate * e), (e))
FORWARD(struct udev_list_entry *, udev_enumerate_get_list_entry, (struct udev_enumerate * e), (e))
FORWARD(struct udev_enumerate *, udev_enumerate_unref, (struct udev_enumerate * e), (e))
FORWARD(struct udev_list_entry *, udev_list_entry_get_next, (struct udev_list_entry * e), (e))
FORWARD(const char *, udev_list_entry_get_name, (struct udev_list_entry * e), (e))

/* The ledger registers the removable=on stick, read-write, and not the other. */
static const char ledger[] =
	"mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"
	"media vm-001 bus usb id 46f4:0001 serial DLPDEV-ON section 総務課 access rw "
	"until 2099-03-31\n"
	"media vm-002 bus usb id 46f4:0001 serial DLPDEV-HOT section 総務課 access ro "
	"until 2099-03-31\n";

struct seen {
	enum dlp_device_action action;
	struct dlp_device d;
	int err;
};

static struct {
	struct dlp_policy pol;
	struct seen seen[MAX_SEEN];
	int nseen;
} t;

static int record(enum dlp_device_action action, const struct dlp_device *d, int err, void *ctx)
{
	(void)ctx;
	print_message("# %s %s (%u:%u) media=%d identified=%d bus=%d id=%04x:%04x serial='%s' "
		      "usb=%s err=%d\n",
		      action == DLP_DEVICE_ADD	  ? "add" :
		      action == DLP_DEVICE_REMOVE ? "remove" :
						    "change",
		      d->name, d->dev >> 20, d->dev & 0xfffff, d->media, d->identified, d->bus,
		      d->vendor, d->product, d->serial, d->usb_path, err);
	if (t.nseen < MAX_SEEN)
		t.seen[t.nseen++] = (struct seen){ action, *d, err };
	return 0;
}

/* The kernel device number of /sys/class/block/@name, as sysfs says "MAJOR:MINOR". */
static __u32 sysfs_dev(const char *name)
{
	char path[128];
	unsigned int major, minor;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	n = fscanf(f, "%u:%u", &major, &minor);
	fclose(f);
	assert_int_equal(n, 2);
	return DLP_DEV(major, minor);
}

/* The last report of @action for @name, or NULL. */
static const struct seen *find(enum dlp_device_action action, const char *name)
{
	int i;

	for (i = t.nseen - 1; i >= 0; i--)
		if (t.seen[i].action == action && !strcmp(t.seen[i].d.name, name))
			return &t.seen[i];
	return NULL;
}

static const struct dlp_device *found(const char *name)
{
	const struct seen *s = find(DLP_DEVICE_ADD, name);

	if (!s)
		fail_msg("enumeration did not report %s", name);
	assert_int_equal(s->err, 0);
	assert_true(s->d.identified);
	assert_int_equal(s->d.dev, sysfs_dev(name));
	return &s->d;
}

/* A USB stick of QEMU's usb-storage with @serial, below the USB device its usb_path names. */
static void assert_stick(const struct dlp_device *d, const char *serial, bool removable,
			 bool partition)
{
	char link[128], real[PATH_MAX], want[80];

	assert_true(d->media);
	assert_int_equal(d->partition, partition);
	assert_int_equal(d->removable, removable);
	assert_int_equal(d->bus, DLP_DEVBUS_USB);
	assert_true(d->has_id);
	assert_int_equal(d->vendor, 0x46f4);
	assert_int_equal(d->product, 0x0001);
	assert_string_equal(d->serial, serial);
	snprintf(link, sizeof(link), "/sys/class/block/%s", d->name);
	assert_non_null(realpath(link, real));
	snprintf(want, sizeof(want), "/%s/%s:", d->usb_path, d->usb_path);
	if (!d->usb_path[0] || !strstr(real, want))
		fail_msg("%s: USB path '%s' is not in %s", d->name, d->usb_path, real);
}

static void judge(const struct dlp_device *d, __u8 kind, int index)
{
	struct dlp_media_dev v;
	int i;

	assert_int_equal(dlp_device_verdict(&t.pol, d, time(NULL), &v, &i), 0);
	if (v.kind != kind || i != index)
		fail_msg("%s: verdict %u (ledger %d), expected %u (ledger %d)", d->name, v.kind, i,
			 kind, index);
}

static void test_enumerate(void **state)
{
	const char *on = getenv("DLP_STICK_ON"), *off = getenv("DLP_STICK_OFF");
	const char *loop = getenv("DLP_LOOP_INTERNAL");
	struct dlp_devices *devs;
	char part[40];
	int i;

	(void)state;
	devs = dlp_devices_open();
	assert_non_null(devs);
	t.nseen = 0;
	assert_int_equal(dlp_devices_enumerate(devs, record, NULL), 0);
	dlp_devices_close(devs);

	assert_stick(found(on), "DLPDEV-ON", true, false);
	snprintf(part, sizeof(part), "%s1", on);
	assert_stick(found(part), "DLPDEV-ON", true, true);
	assert_stick(found(off), "DLPDEV-OFF", false, false);
	snprintf(part, sizeof(part), "%s1", off);
	assert_stick(found(part), "DLPDEV-OFF", false, true);
	assert_false(found(loop)->media);

	judge(found(on), DLP_DEVICE_REGISTERED, 0);
	snprintf(part, sizeof(part), "%s1", on);
	judge(found(part), DLP_DEVICE_REGISTERED, 0);
	judge(found(off), DLP_DEVICE_UNREGISTERED, -1);
	judge(found(loop), DLP_DEVICE_INTERNAL, -1);

	/* Nothing else in this VM is media, and nothing was left unidentified. */
	for (i = 0; i < t.nseen; i++) {
		const struct dlp_device *d = &t.seen[i].d;

		assert_int_equal(t.seen[i].err, 0);
		if (d->media && strncmp(d->name, on, strlen(on)) &&
		    strncmp(d->name, off, strlen(off)))
			fail_msg("%s is media, expected only %s and %s", d->name, on, off);
	}
}

/*
 * Each device's verdict in both slots of a dlp_media-shaped map, read back;
 * removed from one slot, it stays in the other.
 */
static void test_map(void **state)
{
	struct dlp_devices *devs;
	struct dlp_media_dev v, back;
	struct dlp_media_key key;
	int fd, i, index;
	__u32 slot;

	(void)state;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "dlp_media", sizeof(struct dlp_media_key),
			    sizeof(struct dlp_media_dev), DLP_SLOTS * DLP_MAX_DEVICES, NULL);
	assert_true(fd >= 0);
	devs = dlp_devices_open();
	assert_non_null(devs);
	t.nseen = 0;
	assert_int_equal(dlp_devices_enumerate(devs, record, NULL), 0);
	dlp_devices_close(devs);

	for (i = 0; i < t.nseen; i++) {
		const struct dlp_device *d = &t.seen[i].d;

		assert_int_equal(dlp_device_verdict(&t.pol, d, time(NULL), &v, &index), 0);
		for (slot = 0; slot < DLP_SLOTS; slot++) {
			key = (struct dlp_media_key){ .dev = d->dev, .slot = slot };
			assert_int_equal(dlp_media_map_set(fd, slot, d, &v), 0);
			assert_int_equal(bpf_map_lookup_elem(fd, &key, &back), 0);
			assert_memory_equal(&back, &v, sizeof(v));
		}
		assert_int_equal(dlp_media_map_set(fd, DLP_SLOTS, d, &v), -EINVAL);
	}
	for (i = 0; i < t.nseen; i++) {
		key = (struct dlp_media_key){ .dev = t.seen[i].d.dev, .slot = 1 };
		assert_int_equal(dlp_media_map_remove(fd, 0, t.seen[i].d.dev), 0);
		assert_int_equal(dlp_media_map_remove(fd, 0, t.seen[i].d.dev), -ENOENT);
		assert_int_equal(bpf_map_lookup_elem(fd, &key, &back), 0);
		assert_int_equal(dlp_media_map_remove(fd, 1, t.seen[i].d.dev), 0);
		assert_int_equal(dlp_media_map_remove(fd, 1, t.seen[i].d.dev), -ENOENT);
	}
	close(fd);
}

/* Drain the monitor until @name has been reported with @action, for EVENT_WAIT_S at most. */
static const struct seen *wait_event(struct dlp_devices *devs, enum dlp_device_action action,
				     const char *name)
{
	struct pollfd pfd = { .fd = dlp_devices_fd(devs), .events = POLLIN };
	time_t deadline = time(NULL) + EVENT_WAIT_S;
	const struct seen *s;

	assert_true(pfd.fd >= 0);
	while (!(s = find(action, name))) {
		int n, left = deadline - time(NULL);

		if (left <= 0)
			fail_msg("no %s event for %s within %d s",
				 action == DLP_DEVICE_ADD ? "add" : "remove", name, EVENT_WAIT_S);
		n = poll(&pfd, 1, left * 1000);
		assert_true(n >= 0);
		if (n)
			assert_int_equal(dlp_devices_receive(devs, record, NULL), 0);
	}
	return s;
}

static void run_line(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	if (!fgets(buf, len, p))
		buf[0] = '\0';
	assert_int_equal(pclose(p), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

static void test_hotplug(void **state)
{
	struct dlp_devices *devs;
	const struct seen *s;
	char name[32], part[40];
	__u32 disk_dev, part_dev;

	(void)state;
	devs = dlp_devices_open();
	assert_non_null(devs);
	t.nseen = 0;
	run_line("dlpvm plug hot serial=DLPDEV-HOT removable=on fs=vfat size=8", name,
		 sizeof(name));
	assert_true(name[0] != '\0');
	snprintf(part, sizeof(part), "%s1", name);
	disk_dev = sysfs_dev(name);
	part_dev = sysfs_dev(part);

	s = wait_event(devs, DLP_DEVICE_ADD, name);
	assert_int_equal(s->err, 0);
	assert_int_equal(s->d.dev, disk_dev);
	assert_stick(&s->d, "DLPDEV-HOT", true, false);
	judge(&s->d, DLP_DEVICE_REGISTERED, 1);
	s = wait_event(devs, DLP_DEVICE_ADD, part);
	assert_int_equal(s->d.dev, part_dev);
	assert_stick(&s->d, "DLPDEV-HOT", true, true);

	assert_int_equal(system("dlpvm unplug hot"), 0);
	s = wait_event(devs, DLP_DEVICE_REMOVE, part);
	assert_int_equal(s->d.dev, part_dev);
	assert_true(s->d.partition);
	s = wait_event(devs, DLP_DEVICE_REMOVE, name);
	assert_int_equal(s->d.dev, disk_dev);
	assert_false(s->d.partition);
	dlp_devices_close(devs);
}

/* Why this cannot run here, or NULL. */
static const char *why_not_here(void)
{
	if (!getenv("DLPVM_KERNEL") || !getenv("DLP_STICK_ON") || !getenv("DLP_STICK_OFF") ||
	    !getenv("DLP_LOOP_INTERNAL"))
		return "runs only in the VM test bed (tests/vm/devices.sh): it plugs and pulls "
		       "USB sticks and needs udev";
	if (geteuid())
		return "needs root";
	return NULL;
}

static int group_setup(void **state)
{
	struct dlp_diag diag;

	(void)state;
	dlp_policy_init(&t.pol);
	dlp_diag_init(&diag, "ledger.policy", stderr);
	return dlp_policy_load_buffer(&t.pol, ledger, strlen(ledger), &diag);
}

static int group_teardown(void **state)
{
	(void)state;
	dlp_policy_free(&t.pol);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_hotplug),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
