// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: removable media as devices (bpf/media.bpf.c, docs/hooks.md §1,
 * §2).  The media programs are loaded and attached for real, a policy is
 * compiled, lowered and written into the maps as dlpd will, the device map is
 * filled by hand (dlpd's udev matching does not exist yet), and USB sticks
 * and loop devices are mounted, remounted and written raw.  Each refusal is
 * checked by its errno, by the one record it makes (hook, action, verdict,
 * reason, device, rule) and by the hook's counter; the last case detaches the
 * programs and does the same forbidden mount, which then succeeds.
 *
 * Runs only inside the VM test bed, from tests/vm/media.sh, which names the
 * devices in the environment:
 *	DLP_STICK_REG    disk of a stick the test registers access rw (vfat)
 *	DLP_STICK_RO     disk of a stick it registers access ro (ext4, removable=off)
 *	DLP_STICK_UNREG  disk of a stick left unregistered (vfat, removable=off)
 *	DLP_LOOP_INTERNAL, DLP_LOOP_UNKNOWN   loop devices holding a vfat image,
 *	                 the first marked internal, the second in no map entry
 * and one more stick is hot-plugged with dlpvm while the programs are attached.
 * Elsewhere it prints "SKIP: <reason>" and exits 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <scsi/sg.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>
#include <dlpguard/media.h>

#include "kernel_btf.h"
#include "lower.h"
#include "media.skel.h"
#include "policy.h"

#define EXIT_SKIP	77
#define MNT		"/mnt"
#define MAX_RECORDS	64
#define YEAR_NS		(365ULL * 24 * 3600 * 1000000000ULL)

struct device {
	char name[32];		/* sdb, sdb1, loop0 */
	__u32 dev;		/* major << 20 | minor */
};

struct stick {
	struct device disk;
	struct device part;	/* the vfat or ext4 partition */
};

static struct {
	struct media_bpf *skel;
	struct ring_buffer *rb;
	struct dlp_event records[MAX_RECORDS];
	unsigned int nrecords;	/* read from the ring buffer, not yet checked */
	unsigned int nothers;	/* records of other processes, ever */
	__u32 generation;
	struct stick reg, ro, unreg;
	struct device loop_internal, loop_unknown;
} t;

/*
 * The ledger of every test policy: the two sticks the test registers.  Rule
 * ids are indices among the rules, so each policy below lists its rules first.
 */
#define LEDGER \
	"media REG-RW bus usb id 46f4:0001 serial DLPMEDIA-RW section 総務課 access rw " \
	"until 2099-03-31\n" \
	"media REG-RO bus usb id 46f4:0001 serial DLPMEDIA-RO section 税務課 access ro " \
	"until 2099-03-31\n"
#define LEDGER_RW	0
#define LEDGER_RO	1

static int fake_user(const char *name, __u32 *ret_id)
{
	(void)name;
	(void)ret_id;
	return -ENOENT;
}

static const struct dlp_resolver fake_resolver = { .user = fake_user, .group = fake_user };

/*
 * Records of this process are kept for checking; other processes' (udev
 * probing a stick after a write fd closed, say) are only shown.
 */
static int on_record(void *ctx, void *data, size_t size)
{
	const struct dlp_event *e = data;

	(void)ctx;
	if (size != sizeof(struct dlp_event) || t.nrecords >= MAX_RECORDS)
		return -E2BIG;
	if (e->tgid != (__u32)getpid()) {
		print_message("    other process's record: comm %s hook %u verdict %u reason %u "
			      "dev %u:%u path '%s'\n", e->comm, e->hook, e->verdict, e->reason,
			      e->dev >> 20, e->dev & 0xfffff, e->path);
		t.nothers++;
		return 0;
	}
	memcpy(&t.records[t.nrecords++], data, size);
	return 0;
}

static void drain(void)
{
	int n = ring_buffer__consume(t.rb);

	if (n < 0)
		fail_msg("ring_buffer__consume: %s", strerror(-n));
}

static void forget_records(void)
{
	drain();
	t.nrecords = 0;
}

static void expect_no_record(const char *what)
{
	drain();
	if (t.nrecords)
		fail_msg("%s: %u record(s), expected none (first: hook %u verdict %u reason %u "
			 "dev 0x%x)", what, t.nrecords, t.records[0].hook, t.records[0].verdict,
			 t.records[0].reason, t.records[0].dev);
}

/* Exactly one new record, with these fields. */
static const struct dlp_event *expect_record(const char *what, __u8 hook, __u8 action,
					     __u8 verdict, __u8 reason, __u32 dev, __u16 rule)
{
	static struct dlp_event e;

	drain();
	if (t.nrecords != 1)
		fail_msg("%s: %u records, expected 1", what, t.nrecords);
	e = t.records[0];
	t.nrecords = 0;
	print_message("    record: hook %u action %u verdict %u reason %u dev %u:%u rule %u "
		      "mode %u comm %s path '%s'\n", e.hook, e.action, e.verdict, e.reason,
		      e.dev >> 20, e.dev & 0xfffff, e.rule, e.mode, e.comm, e.path);
	assert_int_equal(e.version, DLP_EVENT_VERSION);
	assert_int_equal(e.size, sizeof(struct dlp_event));
	assert_int_equal(e.hook, hook);
	assert_int_equal(e.action, action);
	assert_int_equal(e.verdict, verdict);
	assert_int_equal(e.reason, reason);
	assert_int_equal(e.dev, dev);
	if (reason == DLP_REASON_RULE)
		assert_int_equal(e.rule, rule);
	assert_int_equal(e.generation, reason == DLP_REASON_NO_POLICY ? 0 : t.generation);
	assert_int_equal(e.tgid, getpid());
	assert_int_equal(e.uid, geteuid());
	assert_string_equal(e.comm, "test_media");
	return &e;
}

static __u64 judged(enum dlp_hook hook)
{
	return t.skel->bss->dlp_media_judged[hook];
}

static __u64 stat_sum(enum dlp_stat stat)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 values[256] = { 0 }, sum = 0;
	__u32 key = stat;
	int i;

	assert_true(ncpus > 0 && ncpus <= 256);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(t.skel->maps.dlp_stats), &key, values),
			 0);
	for (i = 0; i < ncpus; i++)
		sum += values[i];
	return sum;
}

/* Compile, lower and write a policy into the maps, as dlpd will. */
static void apply_policy(const char *text)
{
	static struct dlp_lowered low;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct dlp_policy pol;
	struct dlp_diag diag;
	int zones_fd, err;

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "test policy", stderr);
	if (dlp_policy_load_buffer(&pol, text, strlen(text), &diag))
		fail_msg("the test policy does not compile:\n%s", text);
	err = dlp_policy_lower(&pol, &fake_resolver, ++t.generation, &low, &diag);
	if (err)
		fail_msg("dlp_policy_lower: %s", strerror(-err));
	/* The media object has no zone map: a fresh one, dropped once filled. */
	zones_fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "dlp_zones", sizeof(struct dlp_zone_key),
				  sizeof(__u64), DLP_MAX_NETWORKS + 1, &opts);
	if (zones_fd < 0)
		fail_msg("bpf_map_create(LPM_TRIE): %s", strerror(errno));
	err = dlp_policy_maps_fill(&low, &pol, 0, bpf_map__fd(t.skel->maps.dlp_config),
				   bpf_map__fd(t.skel->maps.dlp_rules), zones_fd);
	close(zones_fd);
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	if (err)
		fail_msg("dlp_policy_maps_fill: %s", strerror(-err));
}

static void policy(const char *mode, const char *unregistered, const char *rules)
{
	char text[2048];

	snprintf(text, sizeof(text), "version 1\nmode %s\ntier lgwan\ndefault allow\n" LEDGER
		 "media unregistered %s\n%s", mode, unregistered, rules);
	apply_policy(text);
}

static __u64 tai_ns(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_TAI, &ts), 0);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void set_device(const struct device *d, __u8 kind, bool writable, __u32 ledger_index,
		       __u64 until_tai_ns)
{
	struct dlp_media_dev v = {
		.kind = kind,
		.writable = writable,
		.ledger_index = ledger_index,
		.until_tai_ns = until_tai_ns,
	};
	struct dlp_media_key key = { .dev = d->dev, .slot = 0 };

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(t.skel->maps.dlp_media), &key, &v, BPF_ANY), 0);
}

static void set_stick(const struct stick *s, __u8 kind, bool writable, __u32 ledger_index,
		      __u64 until_tai_ns)
{
	set_device(&s->disk, kind, writable, ledger_index, until_tai_ns);
	set_device(&s->part, kind, writable, ledger_index, until_tai_ns);
}

static void unset_stick(const struct stick *s)
{
	struct dlp_media_key disk = { .dev = s->disk.dev, .slot = 0 };
	struct dlp_media_key part = { .dev = s->part.dev, .slot = 0 };
	int fd = bpf_map__fd(t.skel->maps.dlp_media);

	bpf_map_delete_elem(fd, &disk);
	bpf_map_delete_elem(fd, &part);
}

/* The device map as dlpd would fill it for the VM's sticks and disks. */
static void default_devices(void)
{
	__u64 until = tai_ns() + YEAR_NS;

	set_stick(&t.reg, DLP_DEVICE_REGISTERED, true, LEDGER_RW, until);
	set_stick(&t.ro, DLP_DEVICE_REGISTERED, false, LEDGER_RO, until);
	set_stick(&t.unreg, DLP_DEVICE_UNREGISTERED, false, 0, 0);
	set_device(&t.loop_internal, DLP_DEVICE_INTERNAL, false, 0, 0);
}

static void read_device(struct device *d, const char *name, const char *sysfs)
{
	unsigned int major, minor;
	FILE *f = fopen(sysfs, "r");

	if (!f || fscanf(f, "%u:%u", &major, &minor) != 2) {
		fprintf(stderr, "%s: cannot read a device number\n", sysfs);
		exit(1);
	}
	fclose(f);
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->dev = DLP_DEV(major, minor);
}

static void dev_path(char *buf, size_t len, const struct device *d)
{
	snprintf(buf, len, "/dev/%s", d->name);
}

/* mount(2) of @d on MNT; 0 or the errno. */
static int do_mount(const struct device *d, const char *fstype, unsigned long flags)
{
	char src[64];

	dev_path(src, sizeof(src), d);
	return mount(src, MNT, fstype, flags, NULL) ? errno : 0;
}

static void unmount(void)
{
	assert_int_equal(umount2(MNT, 0), 0);
}

/* fsopen + fsconfig(FSCONFIG_CMD_CREATE) of @d; 0 or the errno of CMD_CREATE. */
static int do_fs_create(const struct device *d, const char *fstype, bool rdonly)
{
	char src[64];
	int fd, err = 0, mfd;

	dev_path(src, sizeof(src), d);
	fd = fsopen(fstype, FSOPEN_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fsconfig(fd, FSCONFIG_SET_STRING, "source", src, 0), 0);
	if (rdonly)
		assert_int_equal(fsconfig(fd, FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
	if (fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = errno;
	} else {
		mfd = fsmount(fd, FSMOUNT_CLOEXEC, rdonly ? MOUNT_ATTR_RDONLY : 0);
		assert_true(mfd >= 0);
		close(mfd);
	}
	close(fd);
	return err;
}

/*
 * Closing a write fd of a disk makes udev rescan its partitions: /dev/sdX1
 * goes away for a moment.  Wait for that before the next case uses it.
 */
static void settle(void)
{
	assert_int_equal(system("udevadm settle --timeout=30"), 0);
}

/* open(2) of @d with @flags, closed at once; 0 or the errno. */
static int open_dev(const struct device *d, int flags)
{
	char path[64];
	int fd;

	dev_path(path, sizeof(path), d);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	if ((flags & O_ACCMODE) != O_RDONLY)
		settle();
	return 0;
}

static int ioctl_dev(const struct device *d, unsigned long cmd, void *arg)
{
	char path[64];
	int fd, err;

	dev_path(path, sizeof(path), d);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	err = ioctl(fd, cmd, arg) ? errno : 0;
	close(fd);
	return err;
}

static int case_setup(void **state)
{
	(void)state;
	umount2(MNT, MNT_DETACH);
	settle();
	default_devices();
	forget_records();
	return 0;
}

/* media unregistered deny: no mount at all, by either API. */
static void test_unregistered_deny(void **state)
{
	__u64 before = judged(DLP_HOOK_SB_MOUNT);

	(void)state;
	policy("enforce", "deny", "");
	assert_int_equal(do_mount(&t.unreg.part, "vfat", 0), EPERM);
	expect_record("rw mount", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(do_mount(&t.unreg.part, "vfat", MS_RDONLY), EPERM);
	expect_record("ro mount", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(do_fs_create(&t.unreg.part, "vfat", false), EPERM);
	expect_record("fsconfig(CMD_CREATE)", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(do_fs_create(&t.unreg.part, "vfat", true), EPERM);
	expect_record("fsconfig(ro, CMD_CREATE)", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_true(judged(DLP_HOOK_SB_MOUNT) == before + 4);
}

/* media unregistered readonly: ro mounts only, and no remount to rw. */
static void test_unregistered_readonly(void **state)
{
	int fd;

	(void)state;
	policy("enforce", "readonly", "");
	assert_int_equal(do_mount(&t.unreg.part, "vfat", 0), EPERM);
	expect_record("rw mount", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(do_fs_create(&t.unreg.part, "vfat", false), EPERM);
	expect_record("fsconfig rw", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(do_fs_create(&t.unreg.part, "vfat", true), 0);
	expect_no_record("fsconfig ro");

	assert_int_equal(do_mount(&t.unreg.part, "vfat", MS_RDONLY), 0);
	expect_no_record("ro mount");
	assert_int_equal(mount(NULL, MNT, NULL, MS_REMOUNT, NULL) ? errno : 0, EPERM);
	expect_record("remount rw", DLP_HOOK_SB_REMOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	/* fspick + FSCONFIG_CMD_RECONFIGURE: the new API's remount. */
	fd = fspick(AT_FDCWD, MNT, FSPICK_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fsconfig(fd, FSCONFIG_SET_FLAG, "rw", NULL, 0), 0);
	assert_int_equal(fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) ? errno : 0,
			 EPERM);
	close(fd);
	expect_record("fspick reconfigure rw", DLP_HOOK_SB_REMOUNT, DLP_ACT_MOUNT,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(access(MNT "/.", W_OK) == 0 ? 0 : errno, EROFS);
	unmount();
}

/*
 * A registered access rw stick mounts read-write; nothing is recorded.  The
 * kernel's own open of the device for the mount never reaches file_open.
 */
static void test_registered_rw(void **state)
{
	__u64 opens = judged(DLP_HOOK_FILE_OPEN);
	FILE *f;

	(void)state;
	policy("enforce", "deny", "");
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), 0);
	assert_true(judged(DLP_HOOK_FILE_OPEN) == opens);
	f = fopen(MNT "/registered.txt", "w");
	assert_non_null(f);
	assert_true(fputs("written\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mount(NULL, MNT, NULL, MS_REMOUNT, NULL), 0);
	unmount();
	expect_no_record("registered rw: mount, write, remount");
}

/* A registered access ro stick mounts read-only only. */
static void test_registered_ro(void **state)
{
	(void)state;
	policy("enforce", "allow", "");
	assert_int_equal(do_mount(&t.ro.part, "ext4", 0), EPERM);
	expect_record("rw mount", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.ro.part.dev, 0);
	assert_int_equal(do_mount(&t.ro.part, "ext4", MS_RDONLY), 0);
	expect_no_record("ro mount");
	assert_int_equal(mount(NULL, MNT, NULL, MS_REMOUNT, NULL) ? errno : 0, EPERM);
	expect_record("remount rw", DLP_HOOK_SB_REMOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.ro.part.dev, 0);
	unmount();
}

/* Within the ledger the rules decide: a rule refuses one entry, another audits one. */
static void test_rules(void **state)
{
	(void)state;
	policy("enforce", "allow",
	       "rule no-rw   deny  mount media REG-RW\n"
	       "rule watch   audit mount media REG-RO\n"
	       "rule no-unreg deny mount media unregistered\n");
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), EPERM);
	expect_record("rule no-rw, rw", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_RULE, t.reg.part.dev, 0);
	assert_int_equal(do_mount(&t.reg.part, "vfat", MS_RDONLY), EPERM);
	expect_record("rule no-rw, ro", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_RULE, t.reg.part.dev, 0);
	assert_int_equal(do_mount(&t.ro.part, "ext4", MS_RDONLY), 0);
	expect_record("rule watch", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_AUDIT,
		      DLP_REASON_RULE, t.ro.part.dev, 1);
	unmount();
	/* The ledger still comes first: the ro entry cannot be mounted rw by any rule. */
	assert_int_equal(do_mount(&t.ro.part, "ext4", 0), EPERM);
	expect_record("ledger before rule watch", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.ro.part.dev, 0);
	/* media unregistered allow, but a rule refuses unregistered media. */
	assert_int_equal(do_mount(&t.unreg.part, "vfat", MS_RDONLY), EPERM);
	expect_record("rule no-unreg", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_RULE, t.unreg.part.dev, 2);
}

/* Rules see the caller: effective uid, and effective gid among the groups. */
static void test_subject(void **state)
{
	(void)state;
	assert_int_equal(geteuid(), 0);
	assert_int_equal(getegid(), 0);
	policy("enforce", "deny",
	       "rule not-us  deny  mount media by user 1000\n"
	       "rule root-gr audit mount media by group 0\n");
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), 0);
	expect_record("by group 0", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_AUDIT,
		      DLP_REASON_RULE, t.reg.part.dev, 1);
	unmount();
	policy("enforce", "deny", "rule root deny mount media by user 0\n");
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), EPERM);
	expect_record("by user 0", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_RULE, t.reg.part.dev, 0);
}

/* No policy loaded yet (abi_version 0): media fail closed, internal disks do not. */
static void test_no_policy(void **state)
{
	struct dlp_config none = { 0 };
	__u32 key = 0;

	(void)state;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(t.skel->maps.dlp_config), &key, &none,
					     BPF_ANY), 0);
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), EPERM);
	expect_record("no policy", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_NO_POLICY, t.reg.part.dev, 0);
	assert_int_equal(do_mount(&t.loop_internal, "vfat", 0), 0);
	unmount();
	expect_no_record("no policy, internal disk");
}

/* Monitor mode: the same decisions, recorded and counted, nothing refused. */
static void test_monitor(void **state)
{
	__u64 would, denied;
	const struct dlp_event *e;
	unsigned int others;

	(void)state;
	drain();
	would = stat_sum(DLP_STAT_WOULD_DENY);
	denied = stat_sum(DLP_STAT_DENIED);
	others = t.nothers;
	policy("monitor", "deny", "");
	assert_int_equal(do_mount(&t.unreg.part, "vfat", 0), 0);
	e = expect_record("monitor: rw mount", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT,
			  DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(e->mode, DLP_MODE_MONITOR);
	unmount();
	assert_int_equal(open_dev(&t.unreg.disk, O_WRONLY), 0);
	e = expect_record("monitor: raw write open", DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE,
			  DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.disk.dev, 0);
	assert_int_equal(e->mode, DLP_MODE_MONITOR);
	/* udev probes the stick after the write fd closes (ata_id: SG_IO), also let through. */
	drain();
	assert_true(stat_sum(DLP_STAT_WOULD_DENY) == would + 2 + (t.nothers - others));
	assert_true(stat_sum(DLP_STAT_DENIED) == denied);
}

/* Raw writes: refused on media the ledger does not let be written. */
static void test_raw_write(void **state)
{
	__u64 before = judged(DLP_HOOK_FILE_OPEN);
	const struct dlp_event *e;
	char path[64];

	(void)state;
	policy("enforce", "deny", "");
	assert_int_equal(open_dev(&t.unreg.disk, O_WRONLY), EPERM);
	e = expect_record("unregistered O_WRONLY", DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE,
			  DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.disk.dev, 0);
	dev_path(path, sizeof(path), &t.unreg.disk);
	assert_string_equal(e->path, path);
	assert_true(e->ino != 0);
	assert_int_equal(open_dev(&t.unreg.part, O_RDWR), EPERM);
	expect_record("unregistered partition O_RDWR", DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	assert_int_equal(open_dev(&t.unreg.disk, O_RDONLY), 0);
	assert_int_equal(open_dev(&t.ro.disk, O_WRONLY), EPERM);
	expect_record("registered ro O_WRONLY", DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.ro.disk.dev, 0);
	assert_int_equal(open_dev(&t.reg.disk, O_WRONLY), 0);
	expect_no_record("registered rw O_WRONLY");
	assert_true(judged(DLP_HOOK_FILE_OPEN) == before + 4);

	/* Within the ledger, the write rules decide raw writes too. */
	policy("enforce", "deny", "rule no-raw deny write media REG-RW\n");
	assert_int_equal(open_dev(&t.reg.disk, O_WRONLY), EPERM);
	expect_record("rule no-raw", DLP_HOOK_FILE_OPEN, DLP_ACT_WRITE, DLP_VERDICT_DENY,
		      DLP_REASON_RULE, t.reg.disk.dev, 0);
}

/* BLKROSET and SG_IO need no write open: refused on guarded media. */
static void test_ioctl(void **state)
{
	unsigned char inquiry[6] = { 0x12, 0, 0, 0, 36, 0 }, reply[36], sense[32];
	struct sg_io_hdr io = {
		.interface_id = 'S',
		.dxfer_direction = SG_DXFER_FROM_DEV,
		.cmd_len = sizeof(inquiry),
		.mx_sb_len = sizeof(sense),
		.dxfer_len = sizeof(reply),
		.dxferp = reply,
		.cmdp = inquiry,
		.sbp = sense,
		.timeout = 5000,
	};
	__u64 before = judged(DLP_HOOK_FILE_IOCTL);
	int off = 0;

	(void)state;
	policy("enforce", "deny", "");
	assert_int_equal(ioctl_dev(&t.unreg.disk, BLKROSET, &off), EPERM);
	expect_record("BLKROSET 0, unregistered", DLP_HOOK_FILE_IOCTL, DLP_ACT_WRITE,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.disk.dev, 0);
	assert_int_equal(ioctl_dev(&t.ro.part, BLKROSET, &off), EPERM);
	expect_record("BLKROSET 0, registered ro", DLP_HOOK_FILE_IOCTL, DLP_ACT_WRITE,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.ro.part.dev, 0);
	assert_int_equal(ioctl_dev(&t.unreg.disk, SG_IO, &io), EPERM);
	expect_record("SG_IO on O_RDONLY, unregistered", DLP_HOOK_FILE_IOCTL, DLP_ACT_WRITE,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.unreg.disk.dev, 0);
	assert_int_equal(ioctl_dev(&t.reg.disk, BLKROSET, &off), 0);
	assert_int_equal(ioctl_dev(&t.reg.disk, SG_IO, &io), 0);
	expect_no_record("BLKROSET, SG_IO on registered rw");
	assert_true(judged(DLP_HOOK_FILE_IOCTL) == before + 5);
}

/* A write fd opened while the medium was writable is refused once it is not. */
static void test_old_write_fd(void **state)
{
	char path[64], block[512] = { 0 };
	__u64 before;
	int fd;

	(void)state;
	policy("enforce", "deny", "");
	dev_path(path, sizeof(path), &t.reg.disk);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, block, sizeof(block), 0), sizeof(block));
	assert_int_equal(pwrite(fd, block, sizeof(block), 0), sizeof(block));
	unset_stick(&t.reg);	/* removed from the ledger: now unknown */
	before = judged(DLP_HOOK_FILE_PERMISSION);
	assert_int_equal(pread(fd, block, sizeof(block), 0), sizeof(block));
	assert_int_equal(pwrite(fd, block, sizeof(block), 0) < 0 ? errno : 0, EPERM);
	close(fd);
	settle();
	expect_record("write on an old fd", DLP_HOOK_FILE_PERMISSION, DLP_ACT_WRITE,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.reg.disk.dev, 0);
	assert_true(judged(DLP_HOOK_FILE_PERMISSION) == before + 1);
}

/* Devices the map does not hold, and expired entries, are unregistered media. */
static void test_unknown_fail_closed(void **state)
{
	(void)state;
	policy("enforce", "deny", "");
	assert_int_equal(do_mount(&t.loop_unknown, "vfat", MS_RDONLY), EPERM);
	expect_record("unknown loop device", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.loop_unknown.dev, 0);
	unset_stick(&t.reg);
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), EPERM);
	expect_record("stick not in the map", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.reg.part.dev, 0);
	set_stick(&t.reg, DLP_DEVICE_UNKNOWN, true, LEDGER_RW, tai_ns() + YEAR_NS);
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), EPERM);
	expect_record("zeroed kind", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.reg.part.dev, 0);
	set_stick(&t.reg, DLP_DEVICE_REGISTERED, true, LEDGER_RW, tai_ns() - 1000000000ULL);
	assert_int_equal(do_mount(&t.reg.part, "vfat", 0), EPERM);
	expect_record("expired registration", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, t.reg.part.dev, 0);

	/* Unregistered, not refused outright: media unregistered allow lets it mount. */
	policy("enforce", "allow", "");
	assert_int_equal(do_mount(&t.loop_unknown, "vfat", 0), 0);
	expect_no_record("unknown loop device, unregistered allow");
	unmount();
}

/* Internal disks and filesystems without a device are not judged. */
static void test_not_media(void **state)
{
	__u64 mounts = judged(DLP_HOOK_SB_MOUNT), opens = judged(DLP_HOOK_FILE_OPEN);
	int off = 0;

	(void)state;
	policy("enforce", "deny", "rule all deny mount media\nrule raw deny write media\n");
	assert_int_equal(do_mount(&t.loop_internal, "vfat", 0), 0);
	unmount();
	assert_int_equal(open_dev(&t.loop_internal, O_RDWR), 0);
	assert_int_equal(ioctl_dev(&t.loop_internal, BLKROSET, &off), 0);
	assert_int_equal(mount("dlp", MNT, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(mount(NULL, MNT, NULL, MS_REMOUNT, "size=2m"), 0);
	unmount();
	assert_int_equal(mount("proc", MNT, "proc", 0, NULL), 0);
	unmount();
	expect_no_record("internal loop device, tmpfs, proc");
	assert_true(judged(DLP_HOOK_SB_MOUNT) == mounts);
	assert_true(judged(DLP_HOOK_FILE_OPEN) == opens);
}

/* Run @cmd with the shell; its first line of output, without the newline. */
static void run_line(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	if (!fgets(buf, len, p))
		buf[0] = '\0';
	assert_int_equal(pclose(p), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * A stick plugged while the programs are attached is in no map entry until
 * dlpd has classified it: mounts fail closed, while udev still probes it
 * (raw reads stay allowed), so dlpd can match it against the ledger.
 */
static void test_hotplug(void **state)
{
	struct stick hot;
	char name[24], part[32], cmd[160], fstype[32];

	(void)state;
	policy("enforce", "deny", "");
	run_line("dlpvm plug hot serial=DLPMEDIA-HOT removable=on fs=vfat size=8", name,
		 sizeof(name));
	assert_true(name[0] != '\0');
	snprintf(cmd, sizeof(cmd), "/sys/block/%s/dev", name);
	read_device(&hot.disk, name, cmd);
	snprintf(part, sizeof(part), "%s1", name);
	snprintf(cmd, sizeof(cmd), "/sys/block/%s/%s/dev", name, part);
	read_device(&hot.part, part, cmd);
	snprintf(cmd, sizeof(cmd), "udevadm info --query=property --name=/dev/%s1 | "
		 "sed -n 's/^ID_FS_TYPE=//p'", name);
	run_line(cmd, fstype, sizeof(fstype));
	assert_string_equal(fstype, "vfat");

	assert_int_equal(do_mount(&hot.part, "vfat", MS_RDONLY), EPERM);
	expect_record("hot-plugged, not classified yet", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT,
		      DLP_VERDICT_DENY, DLP_REASON_LEDGER, hot.part.dev, 0);
	set_stick(&hot, DLP_DEVICE_REGISTERED, true, LEDGER_RW, tai_ns() + YEAR_NS);
	assert_int_equal(do_mount(&hot.part, "vfat", 0), 0);
	expect_no_record("hot-plugged, registered");
	unmount();
	unset_stick(&hot);
	assert_int_equal(system("dlpvm unplug hot"), 0);
}

/* With the programs detached, the same forbidden mount succeeds: the hook refused it. */
static void test_control_detached(void **state)
{
	(void)state;
	policy("enforce", "deny", "");
	assert_int_equal(do_mount(&t.unreg.part, "vfat", 0), EPERM);
	expect_record("attached", DLP_HOOK_SB_MOUNT, DLP_ACT_MOUNT, DLP_VERDICT_DENY,
		      DLP_REASON_LEDGER, t.unreg.part.dev, 0);
	media_bpf__detach(t.skel);
	assert_int_equal(do_mount(&t.unreg.part, "vfat", 0), 0);
	unmount();
	assert_int_equal(open_dev(&t.unreg.disk, O_WRONLY), 0);
	expect_no_record("detached");
	assert_int_equal(media_bpf__attach(t.skel), 0);
}

static void find_stick(struct stick *s, const char *env)
{
	const char *disk = getenv(env);
	char path[128], part[40];

	snprintf(path, sizeof(path), "/sys/block/%s/dev", disk);
	read_device(&s->disk, disk, path);
	snprintf(part, sizeof(part), "%s1", disk);
	snprintf(path, sizeof(path), "/sys/block/%s/%s/dev", disk, part);
	read_device(&s->part, part, path);
	printf("# %s: /dev/%s (%u:%u), /dev/%s\n", env, disk, s->disk.dev >> 20,
	       s->disk.dev & 0xfffff, part);
}

static void find_loop(struct device *d, const char *env)
{
	const char *name = getenv(env);
	char path[128];

	snprintf(path, sizeof(path), "/sys/block/%s/dev", name);
	read_device(d, name, path);
}

/* Why this cannot run here, or NULL. */
static const char *why_not_here(void)
{
	static const char *const env[] = {
		"DLP_STICK_REG", "DLP_STICK_RO", "DLP_STICK_UNREG", "DLP_LOOP_INTERNAL",
		"DLP_LOOP_UNKNOWN",
	};
	char lsm[256] = "";
	FILE *f;
	size_t i;

	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (!getenv(env[i]))
			return "runs only in the VM test bed (tests/vm/media.sh names the sticks "
			       "in DLP_STICK_*); it attaches LSM programs and mounts USB sticks";
	if (geteuid())
		return "needs root";
	f = fopen("/sys/kernel/security/lsm", "r");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = '\0';
		fclose(f);
	}
	if (!strstr(lsm, "bpf"))
		return "BPF LSM is not active (/sys/kernel/security/lsm)";
	return NULL;
}

/* file_ioctl_compat is a Debian backport on 6.1: load its program only where it exists. */
static int group_setup(void **state)
{
	int err;

	(void)state;
	t.skel = media_bpf__open();
	if (!t.skel) {
		print_error("media_bpf__open: %s\n", strerror(errno));
		return -1;
	}
	if (dlp_kernel_func_nargs("bpf_lsm_file_ioctl_compat") < 0)
		bpf_program__set_autoload(t.skel->progs.dlp_media_file_ioctl_compat, false);
	err = media_bpf__load(t.skel);
	if (err) {
		print_error("media_bpf__load: %s\n", strerror(-err));
		return -1;
	}
	t.rb = ring_buffer__new(bpf_map__fd(t.skel->maps.dlp_events), on_record, NULL, NULL);
	if (!t.rb) {
		print_error("ring_buffer__new: %s\n", strerror(errno));
		return -1;
	}
	default_devices();
	err = media_bpf__attach(t.skel);
	if (err) {
		print_error("media_bpf__attach: %s\n", strerror(-err));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	umount2(MNT, MNT_DETACH);
	ring_buffer__free(t.rb);
	media_bpf__destroy(t.skel);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unregistered_deny, case_setup),
		cmocka_unit_test_setup(test_unregistered_readonly, case_setup),
		cmocka_unit_test_setup(test_registered_rw, case_setup),
		cmocka_unit_test_setup(test_registered_ro, case_setup),
		cmocka_unit_test_setup(test_rules, case_setup),
		cmocka_unit_test_setup(test_subject, case_setup),
		cmocka_unit_test_setup(test_no_policy, case_setup),
		cmocka_unit_test_setup(test_monitor, case_setup),
		cmocka_unit_test_setup(test_raw_write, case_setup),
		cmocka_unit_test_setup(test_ioctl, case_setup),
		cmocka_unit_test_setup(test_old_write_fd, case_setup),
		cmocka_unit_test_setup(test_unknown_fail_closed, case_setup),
		cmocka_unit_test_setup(test_not_media, case_setup),
		cmocka_unit_test_setup(test_hotplug, case_setup),
		cmocka_unit_test_setup(test_control_detached, case_setup),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	find_stick(&t.reg, "DLP_STICK_REG");
	find_stick(&t.ro, "DLP_STICK_RO");
	find_stick(&t.unreg, "DLP_STICK_UNREG");
	find_loop(&t.loop_internal, "DLP_LOOP_INTERNAL");
	find_loop(&t.loop_unknown, "DLP_LOOP_UNKNOWN");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
