// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: /dev/dlpguard of a loaded dlpguard.ko (include/dlpguard/kmod.h).
 * The version; arguments of the wrong size, bad pointers and unknown
 * commands refused with -EINVAL, -EFAULT and -ENOTTY; a medium without a
 * serial, on no bus or an unknown one, or with a serial that is not
 * terminated refused;
 * forgetting a medium never allowed is -ENOENT; a non-root caller cannot
 * open it.  `test_kmod fuzz N` makes N ioctl calls with random command
 * numbers, sizes and pointers and checks only that each returns (the
 * script checks the kernel log); `test_kmod allow|forget SERIAL` allows or
 * forgets one of the VM's sticks (usb 46f4:0001), `test_kmod allow|forget
 * mmc VVVV:PPPP SERIAL` an SD card; `test_kmod events` prints the waiting
 * events, one per line, and acknowledges them, `test_kmod peek` prints them
 * and leaves them to the next reader; `test_kmod eject|load DISK` opens or closes the
 * tray of a removable SCSI disk (a media change); `test_kmod dm-linear
 * DISK` maps a device-mapper device over all of DISK and prints its node,
 * `test_kmod dm-remove` removes it.
 *
 * Runs only inside the VM test bed, from tests/vm/kmod.sh, with the module
 * loaded; elsewhere it prints "SKIP: <reason>" and exits 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/cdrom.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>
#include <scsi/scsi_ioctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlpguard/kmod.h>

#define EXIT_SKIP 77

static int fd = -1;

/* ioctl's result as 0 or -errno. */
static int call(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static struct dlpguard_medium stick(const char *serial)
{
	struct dlpguard_medium m = {
		.size = sizeof(m), .bus = DLPGUARD_BUS_USB, .vendor = 0x46f4, .product = 0x0001
	};

	snprintf(m.serial, sizeof(m.serial), "%s", serial);
	return m;
}

static void test_version(void **state)
{
	struct dlpguard_version v = { .size = sizeof(v) };

	(void)state;
	assert_int_equal(call(DLPGUARD_IOC_VERSION, &v), 0);
	assert_int_equal(v.abi, DLPGUARD_KMOD_ABI);
	assert_int_equal(v.size, sizeof(v));
	assert_non_null(memchr(v.version, '\0', sizeof(v.version)));
	assert_true(v.version[0]);
	v.size = sizeof(v) - 1;
	assert_int_equal(call(DLPGUARD_IOC_VERSION, &v), -EINVAL);
	v.size = 0;
	assert_int_equal(call(DLPGUARD_IOC_VERSION, &v), -EINVAL);
}

static void test_bad_arguments(void **state)
{
	struct dlpguard_medium m = stick("S1");
	void *unmapped;

	(void)state;
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(unmapped != MAP_FAILED);
	assert_int_equal(call(DLPGUARD_IOC_VERSION, NULL), -EFAULT);
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, NULL), -EFAULT);
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, unmapped), -EFAULT);
	assert_int_equal(call(DLPGUARD_IOC_FORGET, (void *)0xffffffff81000000UL), -EFAULT);
	assert_int_equal(call(_IO('D', 0xCF), &m), -ENOTTY);
	assert_int_equal(call(0, &m), -ENOTTY);
	assert_int_equal(call(_IOW('D', 0xC1, int), &m), -ENOTTY); /* ALLOW's number, another size */

	m.size = sizeof(m) + 8;
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), -EINVAL);
	m = stick("");
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), -EINVAL);
	m = stick("S1");
	m.bus = DLPGUARD_BUS_NONE;
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), -EINVAL);
	m.bus = 3;
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), -EINVAL);
	m = stick("S1");
	m.pad = 1;
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), -EINVAL);
	m = stick("S1");
	memset(m.serial, 'A', sizeof(m.serial)); /* no NUL */
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), -EINVAL);
	m = stick("NEVER-ALLOWED");
	assert_int_equal(call(DLPGUARD_IOC_FORGET, &m), -ENOENT);
	munmap(unmapped, 4096);
}

/* Only a record this open file read can be acknowledged. */
static void test_ack_refused(void **state)
{
	struct dlpguard_ack a = { .size = sizeof(a), .seq = 1 };

	(void)state;
	assert_int_equal(call(DLPGUARD_IOC_ACK, NULL), -EFAULT);
	assert_int_equal(call(DLPGUARD_IOC_ACK, (void *)0xffffffff81000000UL), -EFAULT);
	a.size = sizeof(a) - 4;
	assert_int_equal(call(DLPGUARD_IOC_ACK, &a), -EINVAL);
	a.size = sizeof(a);
	a.pad = 1;
	assert_int_equal(call(DLPGUARD_IOC_ACK, &a), -EINVAL);
	a.pad = 0;
	a.seq = 0;
	assert_int_equal(call(DLPGUARD_IOC_ACK, &a), -EINVAL);
	a.seq = UINT64_MAX; /* never read: fd has read no record */
	assert_int_equal(call(DLPGUARD_IOC_ACK, &a), -EINVAL);
	a.seq = 1;
	assert_int_equal(call(DLPGUARD_IOC_ACK, &a), -EINVAL);
}

/* An allowed medium can be forgotten once; CLEAR forgets every one. */
static void test_allow_forget(void **state)
{
	struct dlpguard_medium m = stick("UNIT-TEST-0001");

	(void)state;
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), 0);
	assert_int_equal(call(DLPGUARD_IOC_FORGET, &m), 0);
	assert_int_equal(call(DLPGUARD_IOC_FORGET, &m), -ENOENT);
	assert_int_equal(call(DLPGUARD_IOC_ALLOW, &m), 0);
	assert_int_equal(call(DLPGUARD_IOC_CLEAR, NULL), 0);
	assert_int_equal(call(DLPGUARD_IOC_FORGET, &m), -ENOENT);
}

/* A short read buffer is refused; a non-blocking read of an empty queue says so. */
static void test_read(void **state)
{
	char small[8];
	int nb;

	(void)state;
	assert_int_equal(read(fd, small, sizeof(small)), -1);
	assert_int_equal(errno, EINVAL);
	nb = open(DLPGUARD_DEVICE, O_RDONLY | O_NONBLOCK);
	assert_true(nb >= 0);
	while (read(nb, &(struct dlpguard_event){ 0 }, sizeof(struct dlpguard_event)) > 0)
		;
	assert_int_equal(errno, EAGAIN);
	close(nb);
}

/* Random command numbers, sizes and pointers: each call returns, whatever it says. */
static int fuzz(unsigned long n)
{
	static unsigned char buf[8192];
	void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ptrs[] = { buf, NULL, unmapped, (void *)0xffffffff81000000UL, buf + 8190,
			 (void *)1 };
	unsigned long i, ok = 0, cmd;
	unsigned int r;

	srandom(getpid());
	for (i = 0; i < n; i++) {
		r = random();
		switch (r % 4) {
		case 0: /* a real command, random contents and sizes */
			cmd = (unsigned long[]){ DLPGUARD_IOC_VERSION, DLPGUARD_IOC_ALLOW,
						 DLPGUARD_IOC_FORGET, DLPGUARD_IOC_CLEAR,
						 DLPGUARD_IOC_ACK }[r / 4 % 5];
			break;
		case 1: /* the magic, any number, direction and size */
			cmd = _IOC((r >> 2) & 3, 'D', (r >> 4) & 0xff, (r >> 12) & 0x3fff);
			break;
		default:
			cmd = (unsigned long)random() << 1 ^ random();
		}
		for (unsigned int k = 0; k < sizeof(buf) / 4; k++)
			((uint32_t *)buf)[k] = random();
		if (r & 0x100) /* a plausible size first, so the checks past it are reached */
			((uint32_t *)buf)[0] = (r & 0x200) ? sizeof(struct dlpguard_medium) :
							     sizeof(struct dlpguard_version);
		if (r & 0x400)
			buf[offsetof(struct dlpguard_medium, serial) + (r >> 16) % 256] = 0;
		if (!ioctl(fd, cmd, ptrs[(r >> 20) % (sizeof(ptrs) / sizeof(ptrs[0]))]))
			ok++;
	}
	ioctl(fd, DLPGUARD_IOC_CLEAR, NULL); /* what random ALLOWs added goes */
	printf("%lu ioctl calls, %lu succeeded\n", n, ok);
	return 0;
}

/* Print the waiting events; acknowledge them if @ack. */
static int events(bool ack)
{
	struct dlpguard_ack a = { .size = sizeof(a) };
	struct dlpguard_event e;
	int nb = open(DLPGUARD_DEVICE, O_RDONLY | O_NONBLOCK);

	if (nb < 0)
		return 1;
	while (read(nb, &e, sizeof(e)) == sizeof(e)) {
		a.seq = e.seq;
		printf("%s %s %04x:%04x %s %s%s lost=%u seq=%llu boot_ns=%llu\n",
		       e.type == DLPGUARD_EV_ATTACH   ? "attach" :
		       e.type == DLPGUARD_EV_DETACH   ? "detach" :
		       e.type == DLPGUARD_EV_RELEASED ? "released" :
		       e.type == DLPGUARD_EV_GUARDED  ? "guarded" :
							"?",
		       e.name, e.vendor, e.product, e.serial[0] ? e.serial : "-",
		       e.flags & DLPGUARD_EVF_READ_ONLY ? "ro" : "rw",
		       e.bus == DLPGUARD_BUS_USB ? " usb" :
		       e.bus == DLPGUARD_BUS_MMC ? " mmc" :
						   "",
		       e.lost, (unsigned long long)e.seq, (unsigned long long)e.boot_ns);
	}
	if (errno != EAGAIN || (ack && a.seq && ioctl(nb, DLPGUARD_IOC_ACK, &a))) {
		perror(DLPGUARD_DEVICE);
		return 1;
	}
	close(nb);
	return 0;
}

/* Take the medium out of @disk (/dev/sdb) or put it back: the door unlocked first (sd locks it). */
static int tray(const char *disk, bool eject)
{
	int dev = open(disk, O_RDONLY | O_NONBLOCK);
	int ret = 0;

	if (dev < 0 || ioctl(dev, SCSI_IOCTL_DOORUNLOCK, 0) ||
	    ioctl(dev, eject ? CDROMEJECT : CDROMCLOSETRAY, 0)) {
		perror(disk);
		ret = 1;
	}
	if (dev >= 0)
		close(dev);
	return ret;
}

/* The device-mapper device the dm-linear and dm-remove commands make and remove. */
#define DM_NAME "dlpguard-test"

/* One device-mapper ioctl on @name; @spec and @params, if given, follow the header. */
static int dm_call(unsigned long cmd, const char *name, const struct dm_target_spec *spec,
		   const char *params, struct dm_ioctl *ret)
{
	union {
		struct dm_ioctl io;
		char bytes[16384];
	} u = { 0 };
	size_t off = sizeof(u.io);
	int ctl, err = 0;

	u.io.version[0] = DM_VERSION_MAJOR;
	snprintf(u.io.name, sizeof(u.io.name), "%s", name);
	u.io.data_start = sizeof(u.io);
	if (spec) {
		memcpy(u.bytes + off, spec, sizeof(*spec));
		off += sizeof(*spec);
		snprintf(u.bytes + off, sizeof(u.bytes) - off, "%s", params);
		off += (strlen(params) + 1 + 7) & ~7UL;
		u.io.target_count = 1;
	}
	u.io.data_size = sizeof(u.bytes);
	ctl = open("/dev/mapper/control", O_RDWR);
	if (ctl < 0 || ioctl(ctl, cmd, &u)) {
		fprintf(stderr, "device-mapper ioctl %#lx on %s: %s\n", cmd, name, strerror(errno));
		err = 1;
	}
	if (ctl >= 0)
		close(ctl);
	if (ret)
		*ret = u.io;
	return err;
}

/* A linear device-mapper device over all of @disk (/dev/sdb), read-write; print its node. */
static int dm_linear(const char *disk)
{
	struct dm_target_spec spec = { .status = 0, .next = 0 };
	struct dm_ioctl io;
	unsigned long long bytes;
	char params[64];
	struct stat st;
	int dev;

	dev = open(disk, O_RDONLY);
	if (dev < 0 || fstat(dev, &st) || ioctl(dev, BLKGETSIZE64, &bytes)) {
		perror(disk);
		return 1;
	}
	close(dev);
	spec.sector_start = 0;
	spec.length = bytes / 512;
	snprintf(spec.target_type, sizeof(spec.target_type), "linear");
	snprintf(params, sizeof(params), "%u:%u 0", major(st.st_rdev), minor(st.st_rdev));
	if (dm_call(DM_DEV_CREATE, DM_NAME, NULL, NULL, &io))
		return 1;
	if (dm_call(DM_TABLE_LOAD, DM_NAME, &spec, params, NULL) ||
	    dm_call(DM_DEV_SUSPEND, DM_NAME, NULL, NULL, &io)) { /* no flags: resume */
		dm_call(DM_DEV_REMOVE, DM_NAME, NULL, NULL, NULL);
		return 1;
	}
	printf("/dev/dm-%u\n", minor(io.dev));
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),	     cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_allow_forget), cmocka_unit_test(test_read),
		cmocka_unit_test(test_ack_refused),
	};
	struct dlpguard_medium m;

	if (argc == 3 && (!strcmp(argv[1], "eject") || !strcmp(argv[1], "load")))
		return tray(argv[2], argv[1][0] == 'e');
	if (argc == 3 && !strcmp(argv[1], "dm-linear"))
		return dm_linear(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "dm-remove"))
		return dm_call(DM_DEV_REMOVE, DM_NAME, NULL, NULL, NULL);
	fd = open(DLPGUARD_DEVICE, O_RDWR);
	if (fd < 0) {
		printf("SKIP: %s: %s: this test runs in the VM, from tests/vm/kmod.sh, with "
		       "dlpguard.ko loaded\n",
		       DLPGUARD_DEVICE, strerror(errno));
		return EXIT_SKIP;
	}
	if (argc == 3 && !strcmp(argv[1], "fuzz"))
		return fuzz(strtoul(argv[2], NULL, 10));
	if ((argc == 3 || argc == 5) && (!strcmp(argv[1], "allow") || !strcmp(argv[1], "forget"))) {
		m = stick(argv[argc - 1]);
		if (argc == 5) {
			unsigned int vendor, product;

			if (strcmp(argv[2], "mmc") ||
			    sscanf(argv[3], "%x:%x", &vendor, &product) != 2) {
				fprintf(stderr, "usage: %s allow|forget [mmc VVVV:PPPP] SERIAL\n",
					argv[0]);
				return 2;
			}
			m.bus = DLPGUARD_BUS_MMC;
			m.vendor = vendor;
			m.product = product;
		}
		if (call(argv[1][0] == 'a' ? DLPGUARD_IOC_ALLOW : DLPGUARD_IOC_FORGET, &m)) {
			perror(argv[1]);
			return 1;
		}
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "events") || !strcmp(argv[1], "peek")))
		return events(argv[1][0] == 'e');
	return cmocka_run_group_tests(tests, NULL, NULL);
}
