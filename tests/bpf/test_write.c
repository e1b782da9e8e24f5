// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: writes to files on removable media and under `write path`
 * directories (bpf/write.bpf.c, docs/hooks.md §5).  The taint object
 * (bpf/taint.bpf.c) is loaded first; its dlp_taint and label maps are handed
 * to the write object with bpf_map__reuse_fd() before that one is loaded, as
 * dlpd will do, and the test proves both objects hold the same maps (same
 * map ids) and that taint raised by one is judged by the other.  Labels and
 * rules come from one policy, compiled and written into the maps as dlpd
 * will:
 *
 *	media unregistered allow          (so the ledger does not hide the rule)
 *	label dir /tmp/dlptest/機密性2 機密性2, label dir /tmp/dlptest/機密性1 機密性1
 *	rule secret    deny  write media if class >= 2                   (id 0)
 *	rule reg       audit write media registered                      (id 1)
 *	rule local     deny  write path /tmp/dlptest/out/保存 if class >= 2  (id 2, tmpfs)
 *	rule local-int deny  write path /mnt/int/保存 if class >= 2      (id 3, internal disk)
 *
 * Forked children read a labelled file (or none), then write to a stick by
 * every path write.bpf.c guards: a new file, an existing file, write, pwrite,
 * writev, copy_file_range, sendfile and splice on an fd opened before the
 * taint, ftruncate, truncate, mkdir, symlink, mkfifo, link, rename, setxattr,
 * a shared writable mmap, mprotect to PROT_WRITE, and an io_uring
 * IORING_OP_WRITE (raw syscalls: no liburing here).  Each refusal is checked
 * by its errno and by the one record it makes, field by field (hook, action,
 * verdict, reason, rule, taint, dev, ino, path, mode, tgid, comm); allowed writes to the unregistered stick
 * make none, and each on the registered stick makes audit records.  Also:
 * 機密性1 taint, the same operations under both `write path` directories,
 * the internal disk and tmpfs outside them (not judged), monitor mode, the
 * ledger ceiling, no policy, and a control with the programs detached.
 *
 * The sticks are mounted before the programs are attached; the media object
 * (bpf/media.bpf.c: mounts, raw devices) is not loaded.
 *
 * Runs only inside the VM test bed, from tests/vm/write.sh, which names
 *	DLP_STICK_REG      disk of a vfat stick the test registers (access rw)
 *	DLP_STICK_UNREG    disk of an ext4 stick left unregistered (ext4: links, FIFOs)
 *	DLP_LOOP_INTERNAL  a loop device holding a vfat image, marked internal
 * Elsewhere it prints "SKIP: <reason>" and exits 77.
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <linux/io_uring.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>
#include <dlpguard/media.h>

#include "bpftest.h"
#include "kernel_btf.h"
#include "label_map.h"
#include "lower.h"
#include "policy.h"
#include "taint.skel.h"
#include "write.skel.h"

#define EXIT_SKIP	77
#define ROOT		"/tmp/dlptest"
#define SECRET2		ROOT "/機密性2/secret.txt"
#define SECRET1		ROOT "/機密性1/note.txt"
#define PLAIN		ROOT "/plain.txt"
#define MNT_REG		"/mnt/reg"
#define MNT_UNREG	"/mnt/unreg"
#define MNT_INT		"/mnt/int"
#define TMP_DIR		ROOT "/out"
#define MAX_RECORDS	64
#define YEAR_NS		(365ULL * 24 * 3600 * 1000000000ULL)
#define PATH_TMP	TMP_DIR "/保存"	/* a 'write path' directory on tmpfs */
#define PATH_INT	MNT_INT "/保存"	/* and one on the internal disk */
#define RULE_SECRET	0
#define RULE_REG	1
#define RULE_PATH_TMP	2
#define RULE_PATH_INT	3
#define LEDGER_REG	0
#define COST_WRITES	5000

struct device {
	char name[32];
	__u32 dev;		/* major << 20 | minor */
};

static struct {
	struct taint_bpf *taint;
	struct write_bpf *write;
	struct ring_buffer *rb;
	struct dlp_event records[MAX_RECORDS];
	unsigned int nrecords;
	__u32 generation;
	struct device reg, unreg, internal;	/* the partitions (the loop device itself) */
	bool tmp_xattr;		/* tmpfs keeps user.* attributes (6.6 and later) */
} t;

#define POLICY_HEAD \
	"version 1\ntier lgwan\ndefault allow\n" \
	"media REG-RW bus usb id 46f4:0001 serial DLPWRITE-RW section 総務課 access rw " \
	"until 2099-03-31\n" \
	"label dir " ROOT "/機密性2 機密性2\n" \
	"label dir " ROOT "/機密性1 機密性1\n" \
	"rule secret deny write media if class >= 2\n" \
	"rule reg audit write media registered\n" \
	"rule local deny write path " PATH_TMP " if class >= 2\n" \
	"rule local-int deny write path " PATH_INT " if class >= 2\n"

/* ---- records -------------------------------------------------------------------------- */

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != sizeof(struct dlp_event) || t.nrecords >= MAX_RECORDS)
		return -E2BIG;
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

static void show(const struct dlp_event *e)
{
	print_message("    record: hook %u action %u verdict %u reason %u rule %u taint %u "
		      "dev %u:%u ino %llu mode %u comm %s path '%s'\n", e->hook, e->action,
		      e->verdict, e->reason, e->rule, e->taint, e->dev >> 20, e->dev & 0xfffff,
		      (unsigned long long)e->ino, e->mode, e->comm, e->path);
}

/* What a record must say. */
struct want {
	__u8 hook;
	__u8 verdict;
	__u8 reason;
	__u16 rule;
	__u8 taint;
	__u8 mode;
	__u32 dev;
	__u64 ino;
	const char *path;	/* NULL: not checked */
	pid_t tgid;
};

static void check_record(const char *what, const struct dlp_event *e, const struct want *w,
			 bool check_hook)
{
	show(e);
	if (e->version != DLP_EVENT_VERSION || e->size != sizeof(*e) ||
	    (check_hook && e->hook != w->hook) || e->action != DLP_ACT_WRITE ||
	    e->verdict != w->verdict || e->reason != w->reason ||
	    (w->reason == DLP_REASON_RULE && e->rule != w->rule) || e->taint != w->taint ||
	    e->mode != w->mode || e->dev != w->dev || (check_hook && e->ino != w->ino) ||
	    e->tgid != (__u32)w->tgid || e->uid != geteuid() ||
	    (strcmp(e->comm, "test_write") && strncmp(e->comm, "iou-wrk-", 8)) ||
	    e->generation != (w->reason == DLP_REASON_NO_POLICY ? 0 : t.generation) ||
	    (check_hook && w->path && strcmp(e->path, w->path)))
		fail_msg("%s: record differs from: hook %u verdict %u reason %u rule %u taint %u "
			 "mode %u dev %u:%u ino %llu path '%s' tgid %d", what, w->hook,
			 w->verdict, w->reason, w->rule, w->taint, w->mode, w->dev >> 20,
			 w->dev & 0xfffff, (unsigned long long)w->ino, w->path ? w->path : "(any)",
			 w->tgid);
}

/* Exactly one new record, as @w says. */
static void expect_record(const char *what, const struct want *w)
{
	drain();
	if (t.nrecords != 1)
		fail_msg("%s: %u records, expected 1", what, t.nrecords);
	check_record(what, &t.records[0], w, true);
	t.nrecords = 0;
}

/*
 * One or more records (an allowed operation passes several hooks: create,
 * open, write), each as @w says but for hook, ino and path, and one of them
 * from @w->hook with @w's ino and path.
 */
static void expect_records_including(const char *what, const struct want *w)
{
	unsigned int i;
	bool found = false;

	drain();
	if (!t.nrecords)
		fail_msg("%s: no record", what);
	for (i = 0; i < t.nrecords; i++) {
		check_record(what, &t.records[i], w, false);
		if (t.records[i].hook == w->hook) {
			check_record(what, &t.records[i], w, true);
			found = true;
		}
	}
	if (!found)
		fail_msg("%s: no record from hook %u", what, w->hook);
	t.nrecords = 0;
}

static void expect_no_record(const char *what)
{
	drain();
	if (t.nrecords) {
		show(&t.records[0]);
		fail_msg("%s: %u record(s), expected none", what, t.nrecords);
	}
}

static __u64 judged_total(void)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < DLP_HOOK_COUNT; i++)
		n += t.write->bss->dlp_write_judged[i];
	return n;
}

/* ---- policy and devices --------------------------------------------------------------- */

static int no_user(const char *name, __u32 *ret_id)
{
	(void)name;
	(void)ret_id;
	return -ENOENT;
}

static const struct dlp_resolver fake_resolver = { .user = no_user, .group = no_user };

static void policy_text(char *buf, size_t len, const char *mode, const char *unregistered)
{
	snprintf(buf, len, POLICY_HEAD "mode %s\nmedia unregistered %s\n", mode, unregistered);
}

/* Compile, lower and write the rules into the write object's maps, as dlpd will. */
static void policy(const char *mode, const char *unregistered)
{
	static struct dlp_lowered low;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct dlp_policy pol;
	struct dlp_diag diag;
	char text[2048];
	int zones_fd, err;

	policy_text(text, sizeof(text), mode, unregistered);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "write.policy", stderr);
	if (dlp_policy_load_buffer(&pol, text, strlen(text), &diag))
		fail_msg("the test policy does not compile:\n%s", text);
	err = dlp_policy_lower(&pol, &fake_resolver, ++t.generation, &low, &diag);
	if (err)
		fail_msg("dlp_policy_lower: %s", strerror(-err));
	/* The write object has no zone map: a fresh one, dropped once filled. */
	zones_fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "dlp_zones", sizeof(struct dlp_zone_key),
				  sizeof(__u64), DLP_MAX_NETWORKS + 1, &opts);
	if (zones_fd < 0)
		fail_msg("bpf_map_create(LPM_TRIE): %s", strerror(errno));
	err = dlp_policy_maps_fill(&low, &pol, 0, bpf_map__fd(t.write->maps.dlp_config),
				   bpf_map__fd(t.write->maps.dlp_rules), zones_fd);
	close(zones_fd);
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	if (err)
		fail_msg("dlp_policy_maps_fill: %s", strerror(-err));
}

static __u64 tai_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_TAI, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void set_device(const struct device *d, __u8 kind, bool writable)
{
	struct dlp_media_dev v = {
		.kind = kind,
		.writable = writable,
		.ledger_index = kind == DLP_DEVICE_REGISTERED ? LEDGER_REG : 0,
		.until_tai_ns = kind == DLP_DEVICE_REGISTERED ? tai_ns() + YEAR_NS : 0,
	};
	struct dlp_media_key key = { .dev = d->dev, .slot = 0 };

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(t.write->maps.dlp_media), &key, &v, BPF_ANY), 0);
}

/* The device map as dlpd would fill it. */
static void default_devices(void)
{
	set_device(&t.reg, DLP_DEVICE_REGISTERED, true);
	set_device(&t.unreg, DLP_DEVICE_UNREGISTERED, false);
	set_device(&t.internal, DLP_DEVICE_INTERNAL, false);
}

/* ---- the operations a child performs -------------------------------------------------- */

static char path_buf[8][256];

static const char *at(unsigned int slot, const char *dir, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir, name);
	return path_buf[slot];
}

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

static int op_create(const char *dir, int fd)
{
	(void)fd;
	fd = open(at(0, dir, "new"), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	if (write(fd, "copy\n", 5) != 5) {
		close(fd);
		return errno ? errno : EIO;
	}
	return err_of(close(fd));
}

static int op_open_existing(const char *dir, int fd)
{
	int err;

	(void)fd;
	fd = open(at(0, dir, "f"), O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return errno;
	err = write(fd, "more\n", 5) == 5 ? 0 : errno;
	close(fd);
	return err;
}

static int op_write(const char *dir, int fd)
{
	(void)dir;
	return write(fd, "more\n", 5) == 5 ? 0 : errno;
}

static int op_pwrite(const char *dir, int fd)
{
	(void)dir;
	return pwrite(fd, "more\n", 5, 100) == 5 ? 0 : errno;
}

static int op_writev(const char *dir, int fd)
{
	struct iovec iov[2] = { { "mo", 2 }, { "re\n", 3 } };

	(void)dir;
	return writev(fd, iov, 2) == 5 ? 0 : errno;
}

/* From another file on the same stick: across filesystems some kernels say EXDEV first. */
static int op_copy_file_range(const char *dir, int fd)
{
	int src = open(at(0, dir, "src"), O_RDONLY | O_CLOEXEC), err;

	if (src < 0)
		return 1000 + errno;
	err = copy_file_range(src, NULL, fd, NULL, 4, 0) == 4 ? 0 : errno;
	close(src);
	return err;
}

static int op_sendfile(const char *dir, int fd)
{
	int in = open(PLAIN, O_RDONLY | O_CLOEXEC), err;

	(void)dir;
	if (in < 0)
		return 1000 + errno;
	err = sendfile(fd, in, NULL, 5) == 5 ? 0 : errno;
	close(in);
	return err;
}

static int op_splice(const char *dir, int fd)
{
	int p[2], err;

	(void)dir;
	if (pipe(p) || write(p[1], "more\n", 5) != 5)
		return 1000 + errno;
	err = splice(p[0], NULL, fd, NULL, 5, 0) == 5 ? 0 : errno;
	close(p[0]);
	close(p[1]);
	return err;
}

static int op_ftruncate(const char *dir, int fd)
{
	(void)dir;
	return err_of(ftruncate(fd, 4096));
}

static int op_truncate(const char *dir, int fd)
{
	(void)fd;
	return err_of(truncate(at(0, dir, "f"), 4096));
}

static int op_mkdir(const char *dir, int fd)
{
	(void)fd;
	return err_of(mkdir(at(0, dir, "d"), 0755));
}

/* A symlink's target is up to a page of data of the writer's choosing. */
static int op_symlink(const char *dir, int fd)
{
	(void)fd;
	return err_of(symlink("c2VjcmV0IGRhdGE=", at(0, dir, "s")));
}

static int op_mkfifo(const char *dir, int fd)
{
	(void)fd;
	return err_of(mkfifo(at(0, dir, "p"), 0644));
}

static int op_link(const char *dir, int fd)
{
	(void)fd;
	return err_of(link(at(0, dir, "f"), at(1, dir, "f-link")));
}

static int op_rename(const char *dir, int fd)
{
	(void)fd;
	return err_of(rename(at(0, dir, "f"), at(1, dir, "f-renamed")));
}

static int op_mmap(const char *dir, int fd)
{
	char *p;

	(void)dir;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return errno;
	p[0] = 'M';
	msync(p, 4096, MS_SYNC);
	munmap(p, 4096);
	return 0;
}

static int op_setxattr(const char *dir, int fd)
{
	(void)fd;
	return err_of(setxattr(at(0, dir, "f"), "user.note", "data", 4, 0));
}

static int op_mprotect(const char *dir, int fd)
{
	char *p;
	int err;

	(void)dir;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1000 + errno;
	err = err_of(mprotect(p, 4096, PROT_READ | PROT_WRITE));
	if (!err) {
		p[0] = 'P';
		msync(p, 4096, MS_SYNC);
	}
	munmap(p, 4096);
	return err;
}

/*
 * IORING_OP_WRITE of 5 bytes on @fd through a one-entry ring, with the raw
 * syscalls.  The kernel may run it in the submitter or punt it to an io-wq
 * worker (a thread of this process, comm iou-wrk-PID): both are judged.
 */
static int op_io_uring(const char *dir, int fd)
{
	struct io_uring_params p = { 0 };
	size_t sq_len, cq_len, sqes_len;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	void *sq, *cq;
	__u32 *tail, idx;
	int ring, res;

	(void)dir;
	ring = syscall(__NR_io_uring_setup, 1, &p);
	if (ring < 0)
		return 1000 + errno;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(__u32);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_CQ_RING);
	sqe = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqe == MAP_FAILED)
		return 1000 + errno;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_WRITE;
	sqe->fd = fd;
	sqe->addr = (__u64)(uintptr_t)"more\n";
	sqe->len = 5;
	sqe->off = 0;
	tail = (__u32 *)((char *)sq + p.sq_off.tail);
	idx = *tail & *(__u32 *)((char *)sq + p.sq_off.ring_mask);
	((__u32 *)((char *)sq + p.sq_off.array))[idx] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) != 1)
		return 1000 + errno;
	cqe = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes) +
	      (__atomic_load_n((__u32 *)((char *)cq + p.cq_off.head), __ATOMIC_ACQUIRE) &
	       *(__u32 *)((char *)cq + p.cq_off.ring_mask));
	res = cqe->res;
	munmap(sqe, sqes_len);
	munmap(cq, cq_len);
	munmap(sq, sq_len);
	close(ring);
	return res == 5 ? 0 : res < 0 ? -res : EIO;
}

enum ino_of { INO_FILE, INO_DIR };

struct op {
	const char *what;
	int (*run)(const char *dir, int fd);	/* 0 or an errno; >= 1000: set-up failed */
	bool pre_open;		/* dir/f opened O_RDWR before the taint, passed as fd */
	__u8 hook;		/* the hook that refuses it */
	enum ino_of ino;	/* which inode the record names */
	const char *name;	/* the record's path: NULL the file's full path, "" none */
	bool posix;		/* needs hard links, symlinks, FIFOs or attributes (not on vfat) */
};

static const struct op ops[] = {
	{ "open(O_CREAT|O_WRONLY) of a new file (cp)", op_create, false, DLP_HOOK_INODE_CREATE,
	  INO_DIR, "new", false },
	{ "open(O_WRONLY) of an existing file", op_open_existing, false, DLP_HOOK_FILE_OPEN,
	  INO_FILE, NULL, false },
	{ "write() on an fd opened before the taint", op_write, true,
	  DLP_HOOK_FILE_PERMISSION, INO_FILE, "", false },
	{ "pwrite()", op_pwrite, true, DLP_HOOK_FILE_PERMISSION, INO_FILE, "", false },
	{ "writev()", op_writev, true, DLP_HOOK_FILE_PERMISSION, INO_FILE, "", false },
	{ "copy_file_range() into it", op_copy_file_range, true, DLP_HOOK_FILE_PERMISSION,
	  INO_FILE, "", false },
	{ "sendfile() into it", op_sendfile, true, DLP_HOOK_FILE_PERMISSION, INO_FILE, "",
	  false },
	{ "splice() from a pipe into it", op_splice, true, DLP_HOOK_FILE_PERMISSION, INO_FILE,
	  "", false },
	{ "ftruncate() on an fd opened before the taint", op_ftruncate, true,
	  DLP_HOOK_INODE_SETATTR, INO_FILE, "f", false },
	{ "truncate() by path", op_truncate, false, DLP_HOOK_INODE_SETATTR, INO_FILE, "f",
	  false },
	{ "mkdir()", op_mkdir, false, DLP_HOOK_INODE_MKDIR, INO_DIR, "d", false },
	{ "symlink()", op_symlink, false, DLP_HOOK_INODE_SYMLINK, INO_DIR, "s", true },
	{ "mkfifo() (mknod)", op_mkfifo, false, DLP_HOOK_INODE_MKNOD, INO_DIR, "p", true },
	{ "link() within the stick", op_link, false, DLP_HOOK_INODE_LINK, INO_FILE, "f-link",
	  true },
	{ "rename() within the stick", op_rename, false, DLP_HOOK_INODE_RENAME, INO_FILE,
	  "f-renamed", false },
	{ "setxattr() user.note", op_setxattr, false, DLP_HOOK_INODE_SETXATTR, INO_FILE, "f",
	  true },
	{ "mmap(MAP_SHARED, PROT_WRITE)", op_mmap, true, DLP_HOOK_MMAP_FILE, INO_FILE, NULL,
	  false },
	{ "mprotect(PROT_WRITE) of a shared read-only mapping", op_mprotect, true,
	  DLP_HOOK_FILE_MPROTECT, INO_FILE, "", false },
	{ "io_uring IORING_OP_WRITE", op_io_uring, true, DLP_HOOK_FILE_PERMISSION, INO_FILE, "",
	  false },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* Fresh dir/f and dir/src; none of the names the operations make. */
static void prepare(const char *dir)
{
	static const char *const gone[] = { "new", "f-link", "f-renamed", "s", "p" };
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		unlink(at(0, dir, gone[i]));
	rmdir(at(0, dir, "d"));
	fd = open(at(0, dir, "f"), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "data\n", 5) != 5)
		fail_msg("prepare %s/f: %s", dir, strerror(errno));
	close(fd);
	fd = open(at(0, dir, "src"), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "src\n", 4) != 4)
		fail_msg("prepare %s/src: %s", dir, strerror(errno));
	close(fd);
}

static __u64 ino_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		fail_msg("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

/*
 * Run @op on @dir in a forked child that first opens dir/f (if the op wants
 * an fd from before the taint), then reads @taint_file (NULL: nothing).
 * Return: the op's result (0 or an errno); *@ret_pid the child.
 */
static int run_child(const struct op *op, const char *dir, const char *taint_file,
		     pid_t *ret_pid)
{
	int p[2], res = -1, fd = -1, tfd;
	char buf[16];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (op->pre_open) {
			fd = open(at(2, dir, "f"), O_RDWR | O_CLOEXEC);
			if (fd < 0)
				res = 2000 + errno;
		}
		if (res < 0 && taint_file) {
			tfd = open(taint_file, O_RDONLY | O_CLOEXEC);
			if (tfd < 0 || read(tfd, buf, sizeof(buf)) < 0)
				res = 3000 + errno;
			close(tfd);
		}
		if (res < 0)
			res = op->run(dir, fd);
		_exit(write(p[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res))
		res = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	*ret_pid = pid;
	if (res >= 1000)
		fail_msg("%s on %s: the child's set-up failed: %s (%d)", op->what, dir,
			 strerror(res % 1000), res);
	return res;
}

/* The record @op makes on @dev under @dir, as far as it is known before it runs. */
static struct want want_for(const struct op *op, const char *dir, __u32 dev)
{
	struct want w = { .hook = op->hook, .dev = dev };

	w.ino = ino_of(op->ino == INO_DIR ? dir : at(3, dir, "f"));
	w.path = op->name ? op->name : at(4, dir, "f");
	return w;
}

/* ---- cases ---------------------------------------------------------------------------- */

static bool skip_op(const struct op *op, const char *dir)
{
	/* vfat, at the mount point or below */
	if (op->posix &&
	    (!strncmp(dir, MNT_REG, strlen(MNT_REG)) || !strncmp(dir, MNT_INT, strlen(MNT_INT))))
		return true;
	return op->run == op_setxattr && !strncmp(dir, ROOT, strlen(ROOT)) && !t.tmp_xattr;
}

/*
 * A child that read the 機密性2 file is refused on the unregistered stick by
 * every path, one record each (rule secret, taint 2); the same operations by
 * an untainted child pass with no record.  The taint was raised by the taint
 * object and read through the shared dlp_taint map by the write object.
 */
static void test_tainted_refused(void **state)
{
	unsigned int i;
	struct want w;
	__u64 before;
	pid_t pid;
	int err;

	(void)state;
	policy("enforce", "allow");
	for (i = 0; i < NOPS; i++) {
		prepare(MNT_UNREG);
		w = want_for(&ops[i], MNT_UNREG, t.unreg.dev);
		forget_records();
		before = t.write->bss->dlp_write_judged[ops[i].hook];
		err = run_child(&ops[i], MNT_UNREG, SECRET2, &pid);
		print_message("tainted 2, unregistered: %s: %s\n", ops[i].what, strerror(err));
		if (err != EPERM)
			fail_msg("%s: %s, expected EPERM", ops[i].what, strerror(err));
		w.verdict = DLP_VERDICT_DENY;
		w.reason = DLP_REASON_RULE;
		w.rule = RULE_SECRET;
		w.taint = DLP_CLASS_2;
		w.tgid = pid;
		expect_record(ops[i].what, &w);
		assert_true(t.write->bss->dlp_write_judged[ops[i].hook] > before);
	}
	for (i = 0; i < NOPS; i++) {
		prepare(MNT_UNREG);
		forget_records();
		err = run_child(&ops[i], MNT_UNREG, NULL, &pid);
		print_message("untainted, unregistered: %s: %s\n", ops[i].what, strerror(err));
		if (err)
			fail_msg("untainted %s: %s", ops[i].what, strerror(err));
		expect_no_record(ops[i].what);
	}
}

/* A 機密性1 read: taint 1, below the rule's level; writes go through unrecorded. */
static void test_class1_allowed(void **state)
{
	unsigned int i;
	pid_t pid;
	int err;

	(void)state;
	policy("enforce", "allow");
	for (i = 0; i < NOPS; i++) {
		prepare(MNT_UNREG);
		forget_records();
		err = run_child(&ops[i], MNT_UNREG, SECRET1, &pid);
		if (err)
			fail_msg("taint 1: %s: %s", ops[i].what, strerror(err));
		expect_no_record(ops[i].what);
	}
}

/*
 * The registered stick: an untainted child's writes pass, each audited
 * (rule reg, taint 0); a tainted child's are refused by rule secret, which
 * comes first.
 */
static void test_registered(void **state)
{
	unsigned int i;
	struct want w;
	pid_t pid;
	int err;

	(void)state;
	policy("enforce", "allow");
	for (i = 0; i < NOPS; i++) {
		if (skip_op(&ops[i], MNT_REG))
			continue;
		prepare(MNT_REG);
		w = want_for(&ops[i], MNT_REG, t.reg.dev);
		forget_records();
		err = run_child(&ops[i], MNT_REG, NULL, &pid);
		print_message("untainted, registered: %s: %s\n", ops[i].what, strerror(err));
		if (err)
			fail_msg("untainted, registered: %s: %s", ops[i].what, strerror(err));
		w.verdict = DLP_VERDICT_AUDIT;
		w.reason = DLP_REASON_RULE;
		w.rule = RULE_REG;
		w.tgid = pid;
		expect_records_including(ops[i].what, &w);
	}
	for (i = 0; i < NOPS; i++) {
		if (skip_op(&ops[i], MNT_REG))
			continue;
		prepare(MNT_REG);
		w = want_for(&ops[i], MNT_REG, t.reg.dev);
		forget_records();
		err = run_child(&ops[i], MNT_REG, SECRET2, &pid);
		if (err != EPERM)
			fail_msg("tainted, registered: %s: %s, expected EPERM", ops[i].what,
				 strerror(err));
		/* An fd opened before the taint was audited at open: skip that record. */
		drain();
		if (ops[i].pre_open && t.nrecords == 2 && t.records[0].hook == DLP_HOOK_FILE_OPEN) {
			t.records[0] = t.records[1];
			t.nrecords = 1;
		}
		w.verdict = DLP_VERDICT_DENY;
		w.reason = DLP_REASON_RULE;
		w.rule = RULE_SECRET;
		w.taint = DLP_CLASS_2;
		w.tgid = pid;
		expect_record(ops[i].what, &w);
	}
}

/* The internal disk (a loop device dlp_media calls internal) and tmpfs: never judged. */
static void test_not_media(void **state)
{
	static const char *const dirs[] = { MNT_INT, TMP_DIR };
	unsigned int i, d;
	__u64 before;
	pid_t pid;
	int err;

	(void)state;
	policy("enforce", "deny");
	before = judged_total();
	for (d = 0; d < 2; d++) {
		for (i = 0; i < NOPS; i++) {
			if (skip_op(&ops[i], dirs[d]))
				continue;
			prepare(dirs[d]);
			forget_records();
			err = run_child(&ops[i], dirs[d], SECRET2, &pid);
			if (err)
				fail_msg("tainted on %s: %s: %s", dirs[d], ops[i].what,
					 strerror(err));
			expect_no_record(ops[i].what);
		}
	}
	assert_true(judged_total() == before);
}

/*
 * `write path`: under a directory a rule names, on tmpfs and on the internal
 * disk, a child that read the 機密性2 file is refused by every path, one
 * record each naming the rule and the filesystem; untainted, it passes with
 * no record.  Outside those directories nothing is judged (test_not_media).
 */
static void test_write_path(void **state)
{
	static const struct {
		const char *dir;
		__u16 rule;
	} dirs[] = { { PATH_TMP, RULE_PATH_TMP }, { PATH_INT, RULE_PATH_INT } };
	unsigned int i, d;
	struct stat st;
	struct want w;
	__u64 before;
	pid_t pid;
	int err;

	(void)state;
	policy("enforce", "allow");
	for (d = 0; d < 2; d++) {
		assert_int_equal(stat(dirs[d].dir, &st), 0);
		for (i = 0; i < NOPS; i++) {
			if (skip_op(&ops[i], dirs[d].dir))
				continue;
			prepare(dirs[d].dir);
			w = want_for(&ops[i], dirs[d].dir, dlp_label_kernel_dev(st.st_dev));
			forget_records();
			before = t.write->bss->dlp_write_judged[ops[i].hook];
			err = run_child(&ops[i], dirs[d].dir, SECRET2, &pid);
			print_message("tainted 2, %s: %s: %s\n", dirs[d].dir, ops[i].what,
				      strerror(err));
			if (err != EPERM)
				fail_msg("%s in %s: %s, expected EPERM", ops[i].what, dirs[d].dir,
					 strerror(err));
			w.verdict = DLP_VERDICT_DENY;
			w.reason = DLP_REASON_RULE;
			w.rule = dirs[d].rule;
			w.taint = DLP_CLASS_2;
			w.tgid = pid;
			expect_record(ops[i].what, &w);
			assert_true(t.write->bss->dlp_write_judged[ops[i].hook] > before);

			prepare(dirs[d].dir);
			forget_records();
			err = run_child(&ops[i], dirs[d].dir, NULL, &pid);
			if (err)
				fail_msg("untainted %s in %s: %s", ops[i].what, dirs[d].dir,
					 strerror(err));
			expect_no_record(ops[i].what);
		}
	}
}

/* rename() from /tmp into the stick: EXDEV from the kernel before any hook, no record. */
static void test_rename_across(void **state)
{
	char dst[128];
	int fd;

	(void)state;
	policy("enforce", "allow");
	fd = open(ROOT "/moved.txt", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	forget_records();
	snprintf(dst, sizeof(dst), "%s/moved.txt", MNT_UNREG);
	assert_int_equal(rename(ROOT "/moved.txt", dst) ? errno : 0, EXDEV);
	assert_int_equal(link(ROOT "/moved.txt", dst) ? errno : 0, EXDEV);
	expect_no_record("rename and link across filesystems");
}

/*
 * Monitor mode: the tainted child's writes all pass, on the stick and under
 * the `write path` directory, each recorded as a would-be deny.
 */
static void test_monitor(void **state)
{
	struct stat st;
	unsigned int i;
	struct want w;
	pid_t pid;
	int err;

	(void)state;
	policy("monitor", "allow");
	for (i = 0; i < NOPS; i++) {
		prepare(MNT_UNREG);
		w = want_for(&ops[i], MNT_UNREG, t.unreg.dev);
		forget_records();
		err = run_child(&ops[i], MNT_UNREG, SECRET2, &pid);
		if (err)
			fail_msg("monitor: %s: %s", ops[i].what, strerror(err));
		w.verdict = DLP_VERDICT_DENY;
		w.reason = DLP_REASON_RULE;
		w.rule = RULE_SECRET;
		w.taint = DLP_CLASS_2;
		w.mode = DLP_MODE_MONITOR;
		w.tgid = pid;
		expect_records_including(ops[i].what, &w);
	}
	/* and under the `write path` directory on tmpfs */
	assert_int_equal(stat(PATH_TMP, &st), 0);
	for (i = 0; i < NOPS; i++) {
		if (skip_op(&ops[i], PATH_TMP))
			continue;
		prepare(PATH_TMP);
		w = want_for(&ops[i], PATH_TMP, dlp_label_kernel_dev(st.st_dev));
		forget_records();
		err = run_child(&ops[i], PATH_TMP, SECRET2, &pid);
		if (err)
			fail_msg("monitor, %s: %s: %s", PATH_TMP, ops[i].what, strerror(err));
		w.verdict = DLP_VERDICT_DENY;
		w.reason = DLP_REASON_RULE;
		w.rule = RULE_PATH_TMP;
		w.taint = DLP_CLASS_2;
		w.mode = DLP_MODE_MONITOR;
		w.tgid = pid;
		expect_records_including(ops[i].what, &w);
	}
}

/*
 * The ledger is a ceiling: unregistered media under `readonly`, and a
 * registered access ro entry, refuse an untainted writer (DLP_REASON_LEDGER)
 * though no rule denies it; no policy loaded refuses too.
 */
static void test_ledger(void **state)
{
	const struct op *create = &ops[0];
	struct dlp_config none = { 0 };
	struct want w;
	__u32 key = 0;
	pid_t pid;

	(void)state;
	/* Files are prepared by this (untainted) process before the ceiling comes down. */
	policy("enforce", "allow");
	prepare(MNT_UNREG);
	w = want_for(create, MNT_UNREG, t.unreg.dev);
	policy("enforce", "readonly");
	forget_records();
	assert_int_equal(run_child(create, MNT_UNREG, NULL, &pid), EPERM);
	w.verdict = DLP_VERDICT_DENY;
	w.reason = DLP_REASON_LEDGER;
	w.tgid = pid;
	expect_record("unregistered readonly", &w);

	policy("enforce", "allow");
	prepare(MNT_REG);
	w = want_for(create, MNT_REG, t.reg.dev);
	set_device(&t.reg, DLP_DEVICE_REGISTERED, false);
	forget_records();
	assert_int_equal(run_child(create, MNT_REG, NULL, &pid), EPERM);
	w.verdict = DLP_VERDICT_DENY;
	w.reason = DLP_REASON_LEDGER;
	w.tgid = pid;
	expect_record("registered access ro", &w);
	set_device(&t.reg, DLP_DEVICE_REGISTERED, true);

	prepare(MNT_UNREG);
	w = want_for(create, MNT_UNREG, t.unreg.dev);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(t.write->maps.dlp_config), &key, &none,
					     BPF_ANY), 0);
	forget_records();
	assert_int_equal(run_child(create, MNT_UNREG, NULL, &pid), EPERM);
	w.verdict = DLP_VERDICT_DENY;
	w.reason = DLP_REASON_NO_POLICY;
	w.tgid = pid;
	expect_record("no policy", &w);
	policy("enforce", "allow");
}

/*
 * Control: with the write programs detached, the tainted child does every
 * operation on the unregistered stick with no record and no hook counted;
 * attached again, it is refused again.
 */
static void test_control_detached(void **state)
{
	unsigned int i;
	__u64 before;
	pid_t pid;
	int err;

	(void)state;
	policy("enforce", "allow");
	write_bpf__detach(t.write);
	before = judged_total();
	for (i = 0; i < NOPS; i++) {
		prepare(MNT_UNREG);
		forget_records();
		err = run_child(&ops[i], MNT_UNREG, SECRET2, &pid);
		if (err)
			fail_msg("detached: %s: %s", ops[i].what, strerror(err));
		expect_no_record(ops[i].what);
	}
	assert_true(judged_total() == before);
	assert_int_equal(write_bpf__attach(t.write), 0);
	prepare(MNT_UNREG);
	forget_records();
	assert_int_equal(run_child(&ops[0], MNT_UNREG, SECRET2, &pid), EPERM);
	drain();
	assert_int_equal(t.nrecords, 1);
	t.nrecords = 0;
}

/* ---- cost ----------------------------------------------------------------------------- */

struct prog_run {
	__u64 cnt;
	__u64 ns;
};

static struct prog_run prog_runs(struct bpf_program *prog)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		fail_msg("bpf_obj_get_info_by_fd: %s", strerror(errno));
	return (struct prog_run){ info.run_cnt, info.run_time_ns };
}

/* Nanoseconds per 1-byte pwrite to @dir/f, COST_WRITES of them (untainted, this process). */
static double pwrite_ns(const char *dir)
{
	struct timespec a, b;
	int fd, i;

	fd = open(at(0, dir, "f"), O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < COST_WRITES; i++)
		assert_int_equal(pwrite(fd, "x", 1, 0), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	close(fd);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / COST_WRITES;
}

/*
 * Not a pass/fail check: what dlp_write_file_permission costs on a write to
 * tmpfs (no lookup), the internal disk (one hash lookup) and the unregistered
 * stick (judged: taint, subject, rules; allowed, no record), printed for
 * docs/hooks.md.  TCG nanoseconds are rough; under -icount shift=0 they are
 * guest instructions.
 */
static void test_cost(void **state)
{
	static const char *const dirs[] = { TMP_DIR, MNT_INT, MNT_UNREG };
	double on[3], off[3];
	struct prog_run a, b;
	unsigned int d;
	int stats_fd;

	(void)state;
	policy("enforce", "allow");
	for (d = 0; d < 3; d++)
		prepare(dirs[d]);
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	print_message("cost: %-28s %10s %10s %10s\n", "pwrite 1 byte (ns)", "attached",
		      "detached", "prog run");
	for (d = 0; d < 3; d++) {
		a = prog_runs(t.write->progs.dlp_write_file_permission);
		on[d] = pwrite_ns(dirs[d]);
		b = prog_runs(t.write->progs.dlp_write_file_permission);
		bpf_link__destroy(t.write->links.dlp_write_file_permission);
		t.write->links.dlp_write_file_permission = NULL;
		off[d] = pwrite_ns(dirs[d]);
		t.write->links.dlp_write_file_permission =
			bpf_program__attach(t.write->progs.dlp_write_file_permission);
		assert_int_equal(libbpf_get_error(t.write->links.dlp_write_file_permission), 0);
		print_message("cost: %-28s %10.0f %10.0f %10.0f\n", dirs[d], on[d], off[d],
			      stats_fd >= 0 && b.cnt > a.cnt ?
			      (double)(b.ns - a.ns) / (b.cnt - a.cnt) : -1.0);
	}
	if (stats_fd >= 0)
		close(stats_fd);
	forget_records();
}

/* ---- set-up --------------------------------------------------------------------------- */

static void make_file(const char *path)
{
	char dir[512], *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", dir, strerror(errno));
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "secret\n", 7) != 7)
		fail_msg("create %s: %s", path, strerror(errno));
	close(fd);
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

static void find_partition(struct device *d, const char *env)
{
	const char *disk = getenv(env);
	char path[128], part[40];

	snprintf(part, sizeof(part), "%s1", disk);
	snprintf(path, sizeof(path), "/sys/block/%s/%s/dev", disk, part);
	read_device(d, part, path);
}

static int mount_dev(const struct device *d, const char *dir, const char *fstype)
{
	char src[64];

	snprintf(src, sizeof(src), "/dev/%s", d->name);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return mount(src, dir, fstype, 0, NULL) ? -errno : 0;
}

/* Labels and 'write path' directories, placed as dlpd will (they must exist by now). */
static int fill_labels(void)
{
	static struct dlp_lowered low;
	struct dlp_label_map_fds fds;
	struct dlp_label_tables *lt;
	struct dlp_policy pol;
	struct dlp_diag diag;
	char text[2048];
	int err = -EINVAL;

	policy_text(text, sizeof(text), "enforce", "allow");
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "write.policy", stderr);
	lt = calloc(1, sizeof(*lt));
	if (lt && !dlp_policy_load_buffer(&pol, text, strlen(text), &diag) &&
	    !dlp_policy_lower(&pol, &fake_resolver, t.generation, &low, &diag) &&
	    !dlp_label_tables_build(&pol, &low, lt, &diag)) {
		fds.inodes = bpf_map__fd(t.taint->maps.dlp_label_inodes);
		fds.prefixes = bpf_map__fd(t.taint->maps.dlp_label_prefixes);
		fds.conf = bpf_map__fd(t.taint->maps.dlp_label_conf);
		err = dlp_label_map_fill(lt, 0, &fds);
	}
	free(lt);
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	return err;
}

/* The taint object's map @name handed to the write object before it loads. */
#define SHARE(name)                                                                           \
	do {                                                                                  \
		err = bpf_map__reuse_fd(t.write->maps.name, bpf_map__fd(t.taint->maps.name)); \
		if (err) {                                                                    \
			print_error("bpf_map__reuse_fd(" #name "): %s\n", strerror(-err));    \
			return -1;                                                            \
		}                                                                             \
	} while (0)

#define SAME(name)                                  \
	(map_id(bpf_map__fd(t.taint->maps.name)) && \
	 map_id(bpf_map__fd(t.taint->maps.name)) == map_id(bpf_map__fd(t.write->maps.name)))

/* What the verifier processed, and the size of each loaded program, for docs/hooks.md. */
static int group_setup(void **state)
{
	int err, nargs;

	(void)state;
	if (system("rm -rf " ROOT))
		return -1;
	make_file(SECRET2);
	make_file(SECRET1);
	make_file(PLAIN);
	if (mkdir(TMP_DIR, 0755) || mkdir(PATH_TMP, 0755))
		return -1;
	t.tmp_xattr = !setxattr(PLAIN, "user.probe", "1", 1, 0);
	print_message("tmpfs %s user.* attributes\n", t.tmp_xattr ? "keeps" : "does not keep");
	/* Mounted before anything is attached; the media object is not loaded at all. */
	err = mount_dev(&t.reg, MNT_REG, "vfat");
	err = err ?: mount_dev(&t.unreg, MNT_UNREG, "ext4");
	err = err ?: mount_dev(&t.internal, MNT_INT, "vfat");
	if (err) {
		print_error("mount: %s\n", strerror(-err));
		return -1;
	}
	if (mkdir(PATH_INT, 0755) && errno != EEXIST) {
		print_error("mkdir %s: %s\n", PATH_INT, strerror(errno));
		return -1;
	}

	/* The object that raises the taint is loaded first ... */
	t.taint = taint_bpf__open_and_load();
	if (!t.taint) {
		print_error("taint_bpf__open_and_load: %s\n", strerror(errno));
		return -1;
	}
	err = fill_labels();
	if (err) {
		print_error("labels: %s\n", strerror(-err));
		return -1;
	}
	/* ... and its dlp_taint given to the write object before that one loads. */
	t.write = write_bpf__open();
	if (!t.write) {
		print_error("write_bpf__open: %s\n", strerror(errno));
		return -1;
	}
	SHARE(dlp_taint);
	SHARE(dlp_label_inodes);
	SHARE(dlp_label_prefixes);
	SHARE(dlp_label_conf);
	SHARE(dlp_label_stats);
	SHARE(dlp_slot);
	nargs = dlp_kernel_func_nargs("bpf_lsm_inode_setattr");
	print_message("bpf_lsm_inode_setattr has %d arguments: loading %s\n", nargs,
		      nargs == 3 ? "dlp_write_setattr_idmap" : "dlp_write_setattr");
	if (nargs != 2 && nargs != 3) {
		print_error("bpf_lsm_inode_setattr: not found in the kernel's BTF\n");
		return -1;
	}
	bpf_program__set_autoload(t.write->progs.dlp_write_setattr, nargs == 2);
	bpf_program__set_autoload(t.write->progs.dlp_write_setattr_idmap, nargs == 3);
	err = write_bpf__load(t.write);
	if (err) {
		print_error("write_bpf__load: %s\n", strerror(-err));
		return -1;
	}
	print_verifier_stats(t.write->obj);
	print_message("dlp_taint: map id %u in the taint object, %u in the write object\n",
		      map_id(bpf_map__fd(t.taint->maps.dlp_taint)),
		      map_id(bpf_map__fd(t.write->maps.dlp_taint)));
	if (!SAME(dlp_taint) || !SAME(dlp_label_inodes) || !SAME(dlp_label_prefixes) ||
	    !SAME(dlp_label_conf) || !SAME(dlp_label_stats) || !SAME(dlp_slot)) {
		print_error("the objects do not share dlp_taint, dlp_slot and the label maps\n");
		return -1;
	}
	t.rb = ring_buffer__new(bpf_map__fd(t.write->maps.dlp_events), on_record, NULL, NULL);
	if (!t.rb) {
		print_error("ring_buffer__new: %s\n", strerror(errno));
		return -1;
	}
	default_devices();
	err = taint_bpf__attach(t.taint);
	err = err ?: write_bpf__attach(t.write);
	if (err) {
		print_error("attach: %s\n", strerror(-err));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ring_buffer__free(t.rb);
	write_bpf__destroy(t.write);
	taint_bpf__destroy(t.taint);
	umount2(MNT_REG, MNT_DETACH);
	umount2(MNT_UNREG, MNT_DETACH);
	umount2(MNT_INT, MNT_DETACH);
	return 0;
}

/* Why this cannot run here, or NULL. */
static const char *why_not_here(void)
{
	char lsm[256] = "";
	FILE *f;

	if (!getenv("DLPVM_KERNEL") || !getenv("DLP_STICK_REG") || !getenv("DLP_STICK_UNREG") ||
	    !getenv("DLP_LOOP_INTERNAL"))
		return "runs only in the VM test bed (make vm-test TEST=tests/vm/write.sh): it "
		       "attaches LSM programs and mounts USB sticks";
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tainted_refused),
		cmocka_unit_test(test_class1_allowed),
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_not_media),
		cmocka_unit_test(test_write_path),
		cmocka_unit_test(test_rename_across),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_control_detached),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	find_partition(&t.reg, "DLP_STICK_REG");
	find_partition(&t.unreg, "DLP_STICK_UNREG");
	read_device(&t.internal, getenv("DLP_LOOP_INTERNAL"), "/sys/block/loop0/dev");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
