// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: 書換禁止・削除禁止 (bpf/integrity.bpf.c, docs/hooks.md
 * "Integrity").  The taint object (bpf/taint.bpf.c) is loaded first and its
 * label maps filled with dlp_label_map_fill(); they and dlp_taint are handed
 * to the integrity object with bpf_map__reuse_fd() before it loads, as dlpd
 * will, and the test checks both objects hold the same maps.  The policy:
 *
 *	label dir /tmp/dlpint/例規集 完全性2
 *	rule keep  allow modify label 完全性2 by group bunsho   (id 0; bunsho = gid 2000)
 *	rule guard deny  modify label 完全性2                   (id 1)
 *	rule nodel deny  delete label 完全性2                   (id 2)
 *	rule p-keep  allow modify path /tmp/dlpint/台帳 by group bunsho  (id 3)
 *	rule p-guard deny  modify path /tmp/dlpint/台帳      (id 4)
 *	rule p-nodel deny  delete path /tmp/dlpint/台帳      (id 5)
 *
 * Forked children change to uid 1000 (a member: supplementary group 2000)
 * or uid 1001 (no groups) and open for write, open with O_TRUNC, write and
 * ftruncate on an fd opened earlier (opened as a member, then the child
 * drops to the non-member), truncate, rename, link, setxattr, removexattr,
 * unlink and rmdir, and make a new file, directory, symlink or FIFO in the
 * directory (a modify of the directory).  Files live on an ext2 image
 * (tests/vm/integrity.sh) for their user.* attributes.  Members
 * may modify and not delete; non-members may do neither; each refusal is
 * EPERM with one record checked field by field; the same under the
 * unlabelled 'path' directory.  An unlabelled file elsewhere is not judged.
 * Also: monitor mode, and a control with the programs detached.
 *
 * Runs only inside the VM test bed (tests/vm/integrity.sh); elsewhere it
 * prints "SKIP: <reason>" and exits 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>

#include "bpftest.h"
#include "integrity.skel.h"
#include "kernel_btf.h"
#include "label_map.h"
#include "lower.h"
#include "policy.h"
#include "taint.skel.h"

#define EXIT_SKIP    77
#define ROOT	     "/tmp/dlpint"
#define LABELLED     ROOT "/例規集"
#define PLAIN	     ROOT "/plain"
#define PATHDIR	     ROOT "/台帳" /* unlabelled; named by modify/delete 'path' rules */
#define GID_BUNSHO   2000
#define UID_MEMBER   1000
#define UID_OTHER    1001
#define RULE_KEEP    0
#define RULE_GUARD   1
#define RULE_NODEL   2
#define RULE_P_GUARD 4
#define RULE_P_NODEL 5
#define MAX_RECORDS  16

static struct {
	struct taint_bpf *taint;
	struct integrity_bpf *integ;
	struct ring_buffer *rb;
	struct dlp_event records[MAX_RECORDS];
	unsigned int nrecords;
	__u32 generation;
	__u8 mode;
	bool attached;
} t;

static void detach(void)
{
	integrity_bpf__detach(t.integ);
	t.attached = false;
}

static void attach(void)
{
	int err = integrity_bpf__attach(t.integ);

	if (err)
		fail_msg("integrity_bpf__attach: %s", strerror(-err));
	t.attached = true;
}

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

static void show(const struct dlp_event *e)
{
	print_message("    record: hook %u action %u verdict %u reason %u rule %u class %u "
		      "integrity %u uid %u mode %u ino %llu comm %s path '%s'\n",
		      e->hook, e->action, e->verdict, e->reason, e->rule, e->label_class,
		      e->label_integrity, e->uid, e->mode, (unsigned long long)e->ino, e->comm,
		      e->path);
}

struct want {
	__u8 hook;
	__u8 action;
	__u8 integrity; /* the file's 完全性: 2 under the label, 0 under the 'path' */
	__u16 rule;
	__u32 uid;
	__u64 ino;
	pid_t tgid;
	const char *path; /* the record's path (file_open) or entry name */
};

static void check_record(const char *what, const struct dlp_event *e, const struct want *w)
{
	show(e);
	if (e->version != DLP_EVENT_VERSION || e->size != sizeof(*e) || e->hook != w->hook ||
	    e->action != w->action || e->verdict != DLP_VERDICT_DENY ||
	    e->reason != DLP_REASON_RULE || e->rule != w->rule ||
	    e->label_integrity != w->integrity || e->label_class != 0 || e->taint != 0 ||
	    e->uid != w->uid || e->mode != t.mode || e->generation != t.generation ||
	    e->tgid != (__u32)w->tgid || e->ino != w->ino || strcmp(e->path, w->path))
		fail_msg("%s: record differs from: hook %u action %u deny rule %u integrity %u "
			 "uid %u mode %u ino %llu tgid %d path '%s'",
			 what, w->hook, w->action, w->rule, w->integrity, w->uid, t.mode,
			 (unsigned long long)w->ino, w->tgid, w->path);
}

/*
 * Exactly one new record, a deny by rule @w->rule; with @then_truncate (an
 * O_TRUNC open let through in monitor mode) a second one, from the truncation
 * that followed (inode_setattr, the file's name).
 */
static void expect_records(const char *what, const struct want *w, bool then_truncate)
{
	struct want tw = *w;

	drain();
	if (t.nrecords != 1u + then_truncate) {
		if (t.nrecords)
			show(&t.records[0]);
		fail_msg("%s: %u records, expected %u", what, t.nrecords, 1u + then_truncate);
	}
	check_record(what, &t.records[0], w);
	if (then_truncate) {
		tw.hook = DLP_HOOK_INODE_SETATTR;
		tw.path = "f";
		check_record(what, &t.records[1], &tw);
	}
	t.nrecords = 0;
}

static void expect_record(const char *what, const struct want *w)
{
	expect_records(what, w, false);
}

/* Forget what earlier cases (or a failed one) left in the ring buffer. */
static void forget_records(void)
{
	drain();
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

/* ---- policy --------------------------------------------------------------------------- */

static int no_user(const char *name, __u32 *ret_id)
{
	(void)name;
	(void)ret_id;
	return -ENOENT;
}

static int test_group(const char *name, __u32 *ret_id)
{
	if (strcmp(name, "bunsho"))
		return -ENOENT;
	*ret_id = GID_BUNSHO;
	return 0;
}

static const struct dlp_resolver resolver = { .user = no_user, .group = test_group };

static void policy_text(char *buf, size_t len, const char *mode)
{
	snprintf(buf, len,
		 "version 1\ntier lgwan\ndefault allow\nmode %s\nmedia unregistered deny\n"
		 "label dir " LABELLED " 完全性2\n"
		 "rule keep  allow modify label 完全性2 by group bunsho\n"
		 "rule guard deny  modify label 完全性2\n"
		 "rule nodel deny  delete label 完全性2\n"
		 "rule p-keep  allow modify path " PATHDIR " by group bunsho\n"
		 "rule p-guard deny  modify path " PATHDIR "\n"
		 "rule p-nodel deny  delete path " PATHDIR "\n",
		 mode);
}

/* Compile, lower and write the rules into the integrity object's maps, as dlpd will. */
static void policy(const char *mode)
{
	static struct dlp_lowered low;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct dlp_policy pol;
	struct dlp_diag diag;
	char text[2048];
	int zones_fd, err;

	policy_text(text, sizeof(text), mode);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "integrity.policy", stderr);
	if (dlp_policy_load_buffer(&pol, text, strlen(text), &diag))
		fail_msg("the test policy does not compile:\n%s", text);
	err = dlp_policy_lower(&pol, &resolver, ++t.generation, &low, &diag);
	if (err)
		fail_msg("dlp_policy_lower: %s", strerror(-err));
	/* The integrity object has no zone map: a fresh one, dropped once filled. */
	zones_fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "dlp_zones", sizeof(struct dlp_zone_key),
				  sizeof(__u64), DLP_MAX_NETWORKS + 1, &opts);
	if (zones_fd < 0)
		fail_msg("bpf_map_create(LPM_TRIE): %s", strerror(errno));
	err = dlp_policy_maps_fill(&low, &pol, 0, bpf_map__fd(t.integ->maps.dlp_config),
				   bpf_map__fd(t.integ->maps.dlp_rules), zones_fd);
	close(zones_fd);
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	if (err)
		fail_msg("dlp_policy_maps_fill: %s", strerror(-err));
	t.mode = strcmp(mode, "monitor") ? DLP_MODE_ENFORCE : DLP_MODE_MONITOR;
}

/* ---- operations ----------------------------------------------------------------------- */

enum who { MEMBER, OTHER };

struct op {
	const char *what;
	int (*run)(const char *dir, int fd);
	bool pre_open; /* an fd opened for writing as a member, before becoming @who */
	__u8 hook;
	__u8 action;
	enum { OBJ_FILE, OBJ_SUBDIR, OBJ_DIR } obj; /* judged: dir/f, dir/d, or dir itself */
	bool with_path;	  /* the record carries the full path (file_open), not the name */
	const char *name; /* the record's name when not the object's (a new entry's) */
};

static char path_buf[4][256];

static const char *at(unsigned int slot, const char *dir, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir, name);
	return path_buf[slot];
}

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

static int op_open_write(const char *dir, int fd)
{
	fd = open(at(0, dir, "f"), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_open_trunc(const char *dir, int fd)
{
	fd = open(at(0, dir, "f"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_write(const char *dir, int fd)
{
	(void)dir;
	return err_of(write(fd, "y", 1));
}

static int op_ftruncate(const char *dir, int fd)
{
	(void)dir;
	return err_of(ftruncate(fd, 0));
}

static int op_truncate(const char *dir, int fd)
{
	(void)fd;
	return err_of(truncate(at(0, dir, "f"), 0));
}

static int op_rename(const char *dir, int fd)
{
	(void)fd;
	return err_of(rename(at(0, dir, "f"), at(1, dir, "g")));
}

static int op_link(const char *dir, int fd)
{
	(void)fd;
	return err_of(link(at(0, dir, "f"), at(1, dir, "h")));
}

static int op_unlink(const char *dir, int fd)
{
	(void)fd;
	return err_of(unlink(at(0, dir, "f")));
}

static int op_rmdir(const char *dir, int fd)
{
	(void)fd;
	return err_of(rmdir(at(0, dir, "d")));
}

static int op_setxattr(const char *dir, int fd)
{
	(void)fd;
	return err_of(setxattr(at(0, dir, "f"), "user.note", "v", 1, 0));
}

static int op_removexattr(const char *dir, int fd)
{
	(void)fd;
	return err_of(removexattr(at(0, dir, "f"), "user.keep"));
}

static int op_create(const char *dir, int fd)
{
	fd = open(at(0, dir, "new"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_mkdir(const char *dir, int fd)
{
	(void)fd;
	return err_of(mkdir(at(0, dir, "nd"), 0755));
}

static int op_symlink(const char *dir, int fd)
{
	(void)fd;
	return err_of(symlink("f", at(0, dir, "sl")));
}

static int op_mkfifo(const char *dir, int fd)
{
	(void)fd;
	return err_of(mkfifo(at(0, dir, "fifo"), 0644));
}

static const struct op ops[] = {
	{ "open for write", op_open_write, false, DLP_HOOK_FILE_OPEN, DLP_ACT_MODIFY, OBJ_FILE,
	  true, NULL },
	{ "open O_TRUNC", op_open_trunc, false, DLP_HOOK_FILE_OPEN, DLP_ACT_MODIFY, OBJ_FILE, true,
	  NULL },
	{ "write on an earlier fd", op_write, true, DLP_HOOK_FILE_PERMISSION, DLP_ACT_MODIFY,
	  OBJ_FILE, false, NULL },
	{ "ftruncate on an earlier fd", op_ftruncate, true, DLP_HOOK_INODE_SETATTR, DLP_ACT_MODIFY,
	  OBJ_FILE, false, NULL },
	{ "truncate", op_truncate, false, DLP_HOOK_INODE_SETATTR, DLP_ACT_MODIFY, OBJ_FILE, false,
	  NULL },
	{ "rename", op_rename, false, DLP_HOOK_INODE_RENAME, DLP_ACT_MODIFY, OBJ_FILE, false,
	  NULL },
	{ "link", op_link, false, DLP_HOOK_INODE_LINK, DLP_ACT_MODIFY, OBJ_FILE, false, NULL },
	{ "unlink", op_unlink, false, DLP_HOOK_INODE_UNLINK, DLP_ACT_DELETE, OBJ_FILE, false,
	  NULL },
	{ "rmdir", op_rmdir, false, DLP_HOOK_INODE_RMDIR, DLP_ACT_DELETE, OBJ_SUBDIR, false, NULL },
	{ "setxattr user.note", op_setxattr, false, DLP_HOOK_INODE_SETXATTR, DLP_ACT_MODIFY,
	  OBJ_FILE, false, NULL },
	{ "removexattr user.keep", op_removexattr, false, DLP_HOOK_INODE_REMOVEXATTR,
	  DLP_ACT_MODIFY, OBJ_FILE, false, NULL },
	{ "create a new file in it", op_create, false, DLP_HOOK_INODE_CREATE, DLP_ACT_MODIFY,
	  OBJ_DIR, false, "new" },
	{ "mkdir in it", op_mkdir, false, DLP_HOOK_INODE_MKDIR, DLP_ACT_MODIFY, OBJ_DIR, false,
	  "nd" },
	{ "symlink in it", op_symlink, false, DLP_HOOK_INODE_SYMLINK, DLP_ACT_MODIFY, OBJ_DIR,
	  false, "sl" },
	{ "mkfifo in it", op_mkfifo, false, DLP_HOOK_INODE_MKNOD, DLP_ACT_MODIFY, OBJ_DIR, false,
	  "fifo" },
};

#define NOPS	  (sizeof(ops) / sizeof(ops[0]))
#define OP_UNLINK 7

static void make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (fd < 0 || write(fd, "x\n", 2) != 2)
		fail_msg("create %s: %s", path, strerror(errno));
	close(fd);
	chmod(path, 0666);
}

/*
 * dir/f (mode 0666, attribute user.keep) and dir/d (empty), nothing else,
 * made by root with the programs detached (root is no member: attached, it
 * could neither delete nor rewrite labelled files).
 */
static void prepare(const char *dir)
{
	bool attached = t.attached;
	char cmd[512];

	if (attached)
		detach();
	snprintf(cmd, sizeof(cmd),
		 "rm -rf '%s'/* 2>/dev/null; mkdir -p '%s/d' && chmod 0777 '%s/d'", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	make_file(at(3, dir, "f"));
	if (setxattr(at(3, dir, "f"), "user.keep", "1", 1, 0))
		fail_msg("setxattr %s/f user.keep: %s", dir, strerror(errno));
	if (attached)
		attach();
}

static __u64 ino_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		fail_msg("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

static int become(enum who who)
{
	gid_t g = GID_BUNSHO;

	if (who == MEMBER)
		return setgroups(1, &g) || setgid(UID_MEMBER) || setuid(UID_MEMBER);
	return setgroups(0, NULL) || setgid(UID_OTHER) || setuid(UID_OTHER);
}

/* Run @op on @dir in a child that is @who; return its result (0 or an errno). */
static int run_child(const struct op *op, const char *dir, enum who who, pid_t *ret_pid)
{
	int p[2], res = -1, fd = -1;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (op->pre_open) {
			/* Opened as the member (effective ids only), then @who keeps the fd. */
			gid_t g = GID_BUNSHO;

			if (setgroups(1, &g) || setegid(UID_MEMBER) || seteuid(UID_MEMBER))
				res = 1000 + errno;
			else if ((fd = open(at(2, dir, "f"), O_RDWR | O_CLOEXEC)) < 0)
				res = 2000 + errno;
			else if (seteuid(0) || setegid(0))
				res = 3000 + errno;
		}
		if (res < 0 && become(who))
			res = 1000 + errno;
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

static struct want want_for(const struct op *op, const char *dir, __u32 uid, __u16 rule)
{
	struct want w = { .hook = op->hook,
			  .action = op->action,
			  .uid = uid,
			  .rule = rule,
			  .integrity = strcmp(dir, PATHDIR) ? DLP_INTEG_2 : DLP_INTEG_NONE };

	w.ino = ino_of(op->obj == OBJ_DIR ? dir : at(3, dir, op->obj == OBJ_SUBDIR ? "d" : "f"));
	if (op->with_path)
		w.path = at(3, dir, "f");
	else
		w.path = op->name ? op->name : op->obj == OBJ_SUBDIR ? "d" : "f";
	return w;
}

static __u64 judged_total(void)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < DLP_HOOK_COUNT; i++)
		n += t.integ->bss->dlp_integrity_judged[i];
	return n;
}

/* ---- cases ---------------------------------------------------------------------------- */

/* Members modify (no record: allow), but may not delete (rule nodel). */
static void test_member(void **state)
{
	unsigned int i;
	struct want w;
	pid_t pid;
	int r;

	(void)state;
	forget_records();
	policy("enforce");
	for (i = 0; i < NOPS; i++) {
		prepare(LABELLED);
		drain();
		t.nrecords = 0;
		w = want_for(&ops[i], LABELLED, UID_MEMBER, RULE_NODEL);
		r = run_child(&ops[i], LABELLED, MEMBER, &pid);
		print_message("member, %-28s -> %s\n", ops[i].what, r ? strerror(r) : "ok");
		if (ops[i].action == DLP_ACT_DELETE) {
			assert_int_equal(r, EPERM);
			w.tgid = pid;
			expect_record(ops[i].what, &w);
		} else {
			assert_int_equal(r, 0);
			expect_no_record(ops[i].what);
		}
	}
}

/* A non-member is refused every modify (rule guard) and delete (rule nodel). */
static void test_other_refused(void **state)
{
	unsigned int i;
	struct want w;
	pid_t pid;
	int r;

	(void)state;
	forget_records();
	policy("enforce");
	for (i = 0; i < NOPS; i++) {
		prepare(LABELLED);
		drain();
		t.nrecords = 0;
		w = want_for(&ops[i], LABELLED, UID_OTHER,
			     ops[i].action == DLP_ACT_DELETE ? RULE_NODEL : RULE_GUARD);
		r = run_child(&ops[i], LABELLED, OTHER, &pid);
		print_message("other,  %-28s -> %s\n", ops[i].what, r ? strerror(r) : "ok");
		assert_int_equal(r, EPERM);
		w.tgid = pid;
		expect_record(ops[i].what, &w);
	}
	/* A refused O_TRUNC open truncated nothing; a refused rename left the name. */
	prepare(LABELLED);
	assert_int_equal(run_child(&ops[1], LABELLED, OTHER, &pid), EPERM);
	{
		struct stat st;

		assert_int_equal(stat(LABELLED "/f", &st), 0);
		assert_int_equal(st.st_size, 2);
	}
	drain();
	t.nrecords = 0;
}

/* An unlabelled file is not a decision: every op passes, no record, nothing judged. */
static void test_unlabelled(void **state)
{
	unsigned int i;
	__u64 before;
	pid_t pid;

	(void)state;
	forget_records();
	policy("enforce");
	for (i = 0; i < NOPS; i++) {
		prepare(PLAIN);
		drain();
		t.nrecords = 0;
		before = judged_total();
		assert_int_equal(run_child(&ops[i], PLAIN, OTHER, &pid), 0);
		expect_no_record(ops[i].what);
		assert_int_equal(judged_total(), before);
	}
}

/*
 * Under a directory `modify path` and `delete path` rules name (no label):
 * members modify (rule p-keep allows), non-members are refused every modify
 * (p-guard), nobody deletes (p-nodel); each refusal one record, with no
 * 完全性 in it.
 */
static void test_path(void **state)
{
	unsigned int i;
	struct want w;
	pid_t pid;
	int r;

	(void)state;
	forget_records();
	policy("enforce");
	for (i = 0; i < NOPS; i++) {
		prepare(PATHDIR);
		forget_records();
		w = want_for(&ops[i], PATHDIR, UID_MEMBER, RULE_P_NODEL);
		r = run_child(&ops[i], PATHDIR, MEMBER, &pid);
		print_message("member, path, %-28s -> %s\n", ops[i].what, r ? strerror(r) : "ok");
		if (ops[i].action == DLP_ACT_DELETE) {
			assert_int_equal(r, EPERM);
			w.tgid = pid;
			expect_record(ops[i].what, &w);
		} else {
			assert_int_equal(r, 0);
			expect_no_record(ops[i].what);
		}

		prepare(PATHDIR);
		forget_records();
		w = want_for(&ops[i], PATHDIR, UID_OTHER,
			     ops[i].action == DLP_ACT_DELETE ? RULE_P_NODEL : RULE_P_GUARD);
		r = run_child(&ops[i], PATHDIR, OTHER, &pid);
		print_message("other,  path, %-28s -> %s\n", ops[i].what, r ? strerror(r) : "ok");
		assert_int_equal(r, EPERM);
		w.tgid = pid;
		expect_record(ops[i].what, &w);
	}
}

static int op_rename_over(const char *dir, int fd)
{
	(void)fd;
	return err_of(rename(at(0, PLAIN, "f"), at(1, dir, "f")));
}

/*
 * An unlabelled file renamed onto a labelled one deletes it: refused even to
 * a member (rule nodel), recorded as delete on the replaced file; onto an
 * unlabelled one it passes.
 */
static void test_rename_over(void **state)
{
	static const struct op over = { "rename over",	op_rename_over,
					false,		DLP_HOOK_INODE_RENAME,
					DLP_ACT_DELETE, OBJ_FILE,
					false,		NULL };
	struct want w;
	pid_t pid;

	(void)state;
	forget_records();
	policy("enforce");
	prepare(LABELLED);
	prepare(PLAIN);
	w = want_for(&over, LABELLED, UID_MEMBER, RULE_NODEL);
	assert_int_equal(run_child(&over, LABELLED, MEMBER, &pid), EPERM);
	w.tgid = pid;
	expect_record(over.what, &w);
	assert_int_equal(run_child(&ops[5], PLAIN, MEMBER, &pid), 0); /* f -> g */
	prepare(PLAIN);
	make_file(PLAIN "/g");
	assert_int_equal(run_child(&ops[5], PLAIN, MEMBER, &pid), 0); /* f onto g */
	expect_no_record("rename over an unlabelled file");
}

/*
 * Monitor mode: every refusal, under the label and under the path, becomes a
 * record (verdict deny, mode monitor) and passes.
 */
static void test_monitor(void **state)
{
	static const struct {
		const char *dir;
		__u16 modify, delete;
	} dirs[] = { { LABELLED, RULE_GUARD, RULE_NODEL },
		     { PATHDIR, RULE_P_GUARD, RULE_P_NODEL } };
	unsigned int i, d;
	struct want w;
	pid_t pid;

	(void)state;
	forget_records();
	policy("monitor");
	for (d = 0; d < 2; d++) {
		for (i = 0; i < NOPS; i++) {
			prepare(dirs[d].dir);
			forget_records();
			w = want_for(&ops[i], dirs[d].dir, UID_OTHER,
				     ops[i].action == DLP_ACT_DELETE ? dirs[d].delete :
								       dirs[d].modify);
			assert_int_equal(run_child(&ops[i], dirs[d].dir, OTHER, &pid), 0);
			w.tgid = pid;
			if (ops[i].run == op_create) {
				/* let through, the new file is opened: a second record, at file_open */
				drain();
				assert_int_equal(t.nrecords, 2);
				check_record(ops[i].what, &t.records[0], &w);
				assert_int_equal(t.records[1].hook, DLP_HOOK_FILE_OPEN);
				t.nrecords = 0;
				continue;
			}
			expect_records(ops[i].what, &w, ops[i].run == op_open_trunc);
		}
	}
	policy("enforce");
}

/* Control: detached, a non-member's unlink and rewrite pass with no record; attached again, refused. */
static void test_control_detached(void **state)
{
	pid_t pid;

	(void)state;
	forget_records();
	policy("enforce");
	detach();
	prepare(LABELLED);
	assert_int_equal(run_child(&ops[0], LABELLED, OTHER, &pid), 0);
	assert_int_equal(run_child(&ops[OP_UNLINK], LABELLED, OTHER, &pid), 0);
	expect_no_record("detached");
	attach();
	prepare(LABELLED);
	assert_int_equal(run_child(&ops[OP_UNLINK], LABELLED, OTHER, &pid), EPERM);
	drain();
	assert_int_equal(t.nrecords, 1);
	t.nrecords = 0;
}

/* ---- set-up --------------------------------------------------------------------------- */

/* The label directory and the 'path' directory, placed as dlpd will. */
static int fill_labels(void)
{
	static struct dlp_lowered low;
	struct dlp_label_map_fds fds;
	struct dlp_label_tables *lt;
	struct dlp_policy pol;
	struct dlp_diag diag;
	char text[2048];
	int err = -EINVAL;

	policy_text(text, sizeof(text), "enforce");
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "integrity.policy", stderr);
	lt = calloc(1, sizeof(*lt));
	if (lt && !dlp_policy_load_buffer(&pol, text, strlen(text), &diag) &&
	    !dlp_policy_lower(&pol, &resolver, t.generation, &low, &diag) &&
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

/* The taint object's map @name handed to the integrity object before it loads. */
#define SHARE(name)                                                                           \
	do {                                                                                  \
		err = bpf_map__reuse_fd(t.integ->maps.name, bpf_map__fd(t.taint->maps.name)); \
		if (err) {                                                                    \
			print_error("bpf_map__reuse_fd(" #name "): %s\n", strerror(-err));    \
			return -1;                                                            \
		}                                                                             \
	} while (0)

#define SAME(name)                                  \
	(map_id(bpf_map__fd(t.taint->maps.name)) && \
	 map_id(bpf_map__fd(t.taint->maps.name)) == map_id(bpf_map__fd(t.integ->maps.name)))

static int group_setup(void **state)
{
	int err, nargs;

	(void)state;
	/* ROOT may be a mount point (tests/vm/integrity.sh): empty it, keep it. */
	if (system("mkdir -p " ROOT " && rm -rf " ROOT "/* && mkdir -p " LABELLED " " PLAIN
		   " " PATHDIR " && chmod 0777 " LABELLED " " PLAIN " " PATHDIR))
		return -1;
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
	t.integ = integrity_bpf__open();
	if (!t.integ) {
		print_error("integrity_bpf__open: %s\n", strerror(errno));
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
		      nargs == 3 ? "dlp_integrity_setattr_idmap" : "dlp_integrity_setattr");
	if (nargs != 2 && nargs != 3) {
		print_error("bpf_lsm_inode_setattr: not found in the kernel's BTF\n");
		return -1;
	}
	bpf_program__set_autoload(t.integ->progs.dlp_integrity_setattr, nargs == 2);
	bpf_program__set_autoload(t.integ->progs.dlp_integrity_setattr_idmap, nargs == 3);
	err = integrity_bpf__load(t.integ);
	if (err) {
		print_error("integrity_bpf__load: %s\n", strerror(-err));
		return -1;
	}
	print_verifier_stats(t.integ->obj);
	if (!SAME(dlp_taint) || !SAME(dlp_label_inodes) || !SAME(dlp_label_prefixes) ||
	    !SAME(dlp_label_conf) || !SAME(dlp_label_stats) || !SAME(dlp_slot)) {
		print_error("the two objects do not share the label and taint maps and dlp_slot\n");
		return -1;
	}
	print_message("label and taint maps shared with the taint object (same map ids)\n");
	t.rb = ring_buffer__new(bpf_map__fd(t.integ->maps.dlp_events), on_record, NULL, NULL);
	if (!t.rb) {
		print_error("ring_buffer__new: %s\n", strerror(errno));
		return -1;
	}
	err = taint_bpf__attach(t.taint);
	err = err ?: integrity_bpf__attach(t.integ);
	if (err) {
		print_error("attach: %s\n", strerror(-err));
		return -1;
	}
	t.attached = true;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ring_buffer__free(t.rb);
	integrity_bpf__destroy(t.integ);
	taint_bpf__destroy(t.taint);
	return 0;
}

static const char *why_not_here(void)
{
	char lsm[256] = "";
	FILE *f;

	if (!getenv("DLPVM_KERNEL"))
		return "runs only in the VM test bed (make vm-test TEST=tests/vm/integrity.sh): "
		       "it attaches LSM programs";
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
		cmocka_unit_test(test_member),		 cmocka_unit_test(test_other_refused),
		cmocka_unit_test(test_unlabelled),	 cmocka_unit_test(test_path),
		cmocka_unit_test(test_rename_over),	 cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_control_detached),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
