// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: files labelled by extended attribute, resolved by user space
 * (user/lib/label_xattr.c) into the label maps, and what the kernel then
 * does with them.  tests/vm/label-xattr.sh mounts an ext4 image at ROOT
 * (tmpfs on 6.1 holds no user.* attributes) and a second one at ROOT/inner.
 * As dlpd will, the test loads bpf/taint.bpf.c, fills its label maps with
 * dlp_label_tables_build() + dlp_label_xattr_scan() + dlp_label_map_fill(),
 * hands them and dlp_taint to bpf/integrity.bpf.c with bpf_map__reuse_fd()
 * before it loads, and attaches both.  The policy:
 *
 *	label xattr user.dlpguard.label
 *	rule nodel deny delete label 完全性2     (id 0)
 *	rule guard deny modify label 完全性2     (id 1)
 *
 * and the files, labelled by root before the scan:
 *
 *	ROOT/docs/secret2.txt   機密性2        reading it taints the reader 2
 *	ROOT/docs/plain.txt     -              reading it taints nothing
 *	ROOT/rules/rule.txt     完全性2        uid 1001 may not unlink it or open
 *	                                       it for writing: EPERM, one record
 *	ROOT/rules/plain.txt    -              not judged
 *	ROOT/rules/typo.txt     機密性２       not a level (full-width 2): fails
 *	                                       closed, 機密性3A 完全性2
 *	ROOT/inner/secret.txt   機密性3A       another filesystem: not scanned
 *	ROOT/rules/late.txt     完全性2        labelled after the scan: unlabelled
 *	                                       until dlp_label_xattr_resolve()
 *	                                       puts it in the map
 *
 * Also a control with the programs detached: nothing is refused, nothing
 * taints.
 *
 * Runs only inside the VM test bed; elsewhere it prints "SKIP: <reason>" and
 * exits 77.
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
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <dlpguard/event.h>
#include <dlpguard/taint.h>

#include "bpftest.h"
#include "integrity.skel.h"
#include "kernel_btf.h"
#include "label_map.h"
#include "label_xattr.h"
#include "lower.h"
#include "policy.h"
#include "taint.skel.h"

/* Label tables of a policy whose rules name no 'path'. */
static const struct dlp_lowered no_paths;

#define EXIT_SKIP   77
#define NAME	    "user.dlpguard.label"
#define ROOT	    "/tmp/dlpxattr"
#define SECRET2	    ROOT "/docs/secret2.txt"
#define PLAIN_DOC   ROOT "/docs/plain.txt"
#define RULEBOOK    ROOT "/rules/rule.txt"
#define PLAIN_RULE  ROOT "/rules/plain.txt"
#define LATE	    ROOT "/rules/late.txt"
#define TYPO	    ROOT "/rules/typo.txt"
#define INNER	    ROOT "/inner/secret.txt"
#define UID_OTHER   1001
#define RULE_NODEL  0
#define RULE_GUARD  1
#define MAX_RECORDS 16

static struct {
	struct taint_bpf *taint;
	struct integrity_bpf *integ;
	struct ring_buffer *rb;
	struct dlp_event records[MAX_RECORDS];
	unsigned int nrecords;
	unsigned int nscanned; /* entries dlp_label_xattr_scan() added */
	__u32 generation;
} t;

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
	print_message("    record: hook %u action %u verdict %u reason %u rule %u class %u "
		      "integrity %u uid %u ino %llu path '%s'\n",
		      e->hook, e->action, e->verdict, e->reason, e->rule, e->label_class,
		      e->label_integrity, e->uid, (unsigned long long)e->ino, e->path);
}

/*
 * Exactly one new record: a deny of @action on @ino (機密性 @class, 完全性2) by
 * rule @rule, from @hook, by @tgid.
 */
static void expect_record_class(const char *what, __u8 hook, __u8 action, __u16 rule, __u8 class,
				__u64 ino, pid_t tgid, const char *path)
{
	const struct dlp_event *e = &t.records[0];

	drain();
	if (t.nrecords != 1) {
		if (t.nrecords)
			show(e);
		fail_msg("%s: %u records, expected 1", what, t.nrecords);
	}
	show(e);
	if (e->version != DLP_EVENT_VERSION || e->size != sizeof(*e) || e->hook != hook ||
	    e->action != action || e->verdict != DLP_VERDICT_DENY || e->reason != DLP_REASON_RULE ||
	    e->rule != rule || e->label_integrity != 2 || e->label_class != class ||
	    e->uid != UID_OTHER || e->mode != DLP_MODE_ENFORCE || e->generation != t.generation ||
	    e->tgid != (__u32)tgid || e->ino != ino || strcmp(e->path, path))
		fail_msg("%s: record differs from: hook %u action %u deny rule %u class %u "
			 "integrity 2 uid %u ino %llu tgid %d path '%s'",
			 what, hook, action, rule, class, UID_OTHER, (unsigned long long)ino, tgid,
			 path);
	t.nrecords = 0;
}

static void expect_record(const char *what, __u8 hook, __u8 action, __u16 rule, __u64 ino,
			  pid_t tgid, const char *path)
{
	expect_record_class(what, hook, action, rule, 0, ino, tgid, path);
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
		n += t.integ->bss->dlp_integrity_judged[i];
	return n;
}

/* ---- files ---------------------------------------------------------------------------- */

static void make_file(const char *path, const char *label)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0 || write(fd, "x\n", 2) != 2)
		fail_msg("create %s: %s", path, strerror(errno));
	close(fd);
	if (chmod(path, 0666))
		fail_msg("chmod %s: %s", path, strerror(errno));
	if (label && setxattr(path, NAME, label, strlen(label), 0))
		fail_msg("setxattr %s on %s: %s", NAME, path, strerror(errno));
}

static __u64 ino_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		fail_msg("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

/* Whether dlp_label_inodes has an entry for @path. */
static bool in_map(const char *path)
{
	struct dlp_label_value v;
	struct dlp_label_key k = { 0 };
	struct stat st;

	if (stat(path, &st))
		fail_msg("stat %s: %s", path, strerror(errno));
	k.dev = dlp_label_kernel_dev(st.st_dev);
	k.ino = st.st_ino;
	return !bpf_map_lookup_elem(bpf_map__fd(t.taint->maps.dlp_label_inodes), &k, &v);
}

/* What dlpd does on a change event: resolve @path and write its entry. */
static void resolve_into_map(const char *path)
{
	struct dlp_label_value v;
	struct dlp_label_key k;
	int r;

	r = dlp_label_xattr_resolve(path, NAME, &k, &v);
	if (r != DLP_LABEL_XATTR_LABELLED)
		fail_msg("dlp_label_xattr_resolve(%s): %d (%s)", path, r,
			 r < 0 ? strerror(-r) : "");
	if (bpf_map_update_elem(bpf_map__fd(t.taint->maps.dlp_label_inodes), &k, &v, BPF_ANY))
		fail_msg("dlp_label_inodes update for %s: %s", path, strerror(errno));
}

/* ---- children ------------------------------------------------------------------------- */

/* The taint of @pid, read through dlp_taint with a pidfd key; 0 if none. */
static int taint_of(pid_t pid)
{
	struct dlp_taint v;
	int pidfd, err;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		fail_msg("pidfd_open(%d): %s", pid, strerror(errno));
	err = bpf_map_lookup_elem(bpf_map__fd(t.taint->maps.dlp_taint), &pidfd, &v);
	err = err ? -errno : 0;
	close(pidfd);
	if (err == -ENOENT)
		return 0;
	if (err)
		fail_msg("dlp_taint lookup of pid %d: %s", pid, strerror(-err));
	return v.class;
}

/* Fork a child that reads @path and waits; its taint, read while it waits. */
static int taint_after_reading(const char *path)
{
	int c2p[2], p2c[2], res = -1, taint;
	char c;
	pid_t pid;

	assert_int_equal(pipe(c2p), 0);
	assert_int_equal(pipe(p2c), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		close(c2p[0]);
		close(p2c[1]); /* the parent's close is then the end of p2c: the signal to exit */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		res = fd < 0 ? errno : 0;
		if (write(c2p[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(read(p2c[0], &c, 1) < 0);
	}
	close(c2p[1]);
	close(p2c[0]);
	if (read(c2p[0], &res, sizeof(res)) != sizeof(res))
		res = -1;
	taint = res ? -1 : taint_of(pid);
	close(p2c[1]);
	close(c2p[0]);
	waitpid(pid, NULL, 0);
	if (res)
		fail_msg("reading %s: %s", path, res > 0 ? strerror(res) : "the child failed");
	return taint;
}

static int op_unlink(const char *path)
{
	return unlink(path) ? errno : 0;
}

static int op_open_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Run @op on @path in a child that is uid 1001 (no groups); its result, 0 or an errno. */
static int as_other(int (*op)(const char *), const char *path, pid_t *ret_pid)
{
	int p[2], res = -1;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (setgroups(0, NULL) || setgid(UID_OTHER) || setuid(UID_OTHER))
			res = 1000 + errno;
		else
			res = op(path);
		_exit(write(p[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res))
		res = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	if (res < 0 || res >= 1000)
		fail_msg("child for %s: %s", path,
			 res < 0 ? "reported nothing" : strerror(res - 1000));
	*ret_pid = pid;
	return res;
}

/* ---- cases ---------------------------------------------------------------------------- */

/* The scan found the labelled files of ROOT's filesystem, and nothing else. */
static void test_scanned(void **state)
{
	(void)state;
	assert_int_equal(t.nscanned, 3);
	assert_true(in_map(SECRET2));
	assert_true(in_map(RULEBOOK));
	assert_true(in_map(TYPO));
	assert_false(in_map(PLAIN_DOC));
	assert_false(in_map(PLAIN_RULE));
	assert_false(in_map(INNER)); /* another filesystem */
	assert_false(in_map(LATE));  /* labelled after the scan */
}

/* Reading a file labelled 機密性2 by attribute taints the reader 2; the others nothing. */
static void test_taint(void **state)
{
	(void)state;
	assert_int_equal(taint_after_reading(SECRET2), DLP_CLASS_2);
	assert_int_equal(taint_after_reading(PLAIN_DOC), 0);
	assert_int_equal(taint_after_reading(INNER), 0);
	assert_int_equal(taint_after_reading(RULEBOOK), 0); /* 完全性 is no taint */
	assert_int_equal(taint_after_reading(TYPO), DLP_CLASS_MAX);
}

/* A 完全性2 file by attribute: unlink and open for write refused, one record each. */
static void test_refused(void **state)
{
	__u64 ino = ino_of(RULEBOOK);
	pid_t pid;

	(void)state;
	forget_records();
	assert_int_equal(as_other(op_unlink, RULEBOOK, &pid), EPERM);
	expect_record("unlink", DLP_HOOK_INODE_UNLINK, DLP_ACT_DELETE, RULE_NODEL, ino, pid,
		      "rule.txt");
	assert_int_equal(as_other(op_open_write, RULEBOOK, &pid), EPERM);
	expect_record("open for write", DLP_HOOK_FILE_OPEN, DLP_ACT_MODIFY, RULE_GUARD, ino, pid,
		      RULEBOOK);
	assert_int_equal(access(RULEBOOK, F_OK), 0);
	/* A value that is not a level is 完全性2 too: failing closed. */
	assert_int_equal(as_other(op_unlink, TYPO, &pid), EPERM);
	expect_record_class("unlink of a file whose value is not a level", DLP_HOOK_INODE_UNLINK,
			    DLP_ACT_DELETE, RULE_NODEL, DLP_CLASS_MAX, ino_of(TYPO), pid,
			    "typo.txt");
}

/* Its unlabelled neighbour is not judged. */
static void test_neighbour(void **state)
{
	__u64 before = judged_total();
	pid_t pid;

	(void)state;
	forget_records();
	assert_int_equal(as_other(op_open_write, PLAIN_RULE, &pid), 0);
	assert_int_equal(as_other(op_unlink, PLAIN_RULE, &pid), 0);
	expect_no_record("unlabelled neighbour");
	assert_int_equal(judged_total(), before);
}

/*
 * A file labelled after the scan is not protected until resolved, as dlpd
 * does on a change event; then it is.
 */
static void test_late(void **state)
{
	pid_t pid;

	(void)state;
	forget_records();
	assert_false(in_map(LATE));
	assert_int_equal(as_other(op_open_write, LATE, &pid), 0);
	expect_no_record("labelled after the scan, not resolved");
	resolve_into_map(LATE);
	assert_int_equal(as_other(op_open_write, LATE, &pid), EPERM);
	expect_record("labelled after the scan, resolved", DLP_HOOK_FILE_OPEN, DLP_ACT_MODIFY,
		      RULE_GUARD, ino_of(LATE), pid, LATE);
}

/* Control: detached, nothing is refused and nothing taints; attached again, refused. */
static void test_control_detached(void **state)
{
	pid_t pid;
	int err;

	(void)state;
	forget_records();
	integrity_bpf__detach(t.integ);
	taint_bpf__detach(t.taint);
	assert_int_equal(taint_after_reading(SECRET2), 0);
	assert_int_equal(as_other(op_open_write, RULEBOOK, &pid), 0);
	assert_int_equal(as_other(op_unlink, RULEBOOK, &pid), 0);
	expect_no_record("detached");
	/* Made again (its inode may be new), and resolved as dlpd would. */
	make_file(RULEBOOK, "完全性2");
	resolve_into_map(RULEBOOK);
	err = taint_bpf__attach(t.taint);
	err = err ?: integrity_bpf__attach(t.integ);
	if (err)
		fail_msg("attach again: %s", strerror(-err));
	assert_int_equal(as_other(op_unlink, RULEBOOK, &pid), EPERM);
	expect_record("attached again", DLP_HOOK_INODE_UNLINK, DLP_ACT_DELETE, RULE_NODEL,
		      ino_of(RULEBOOK), pid, "rule.txt");
	assert_int_equal(taint_after_reading(SECRET2), DLP_CLASS_2);
}

/* ---- set-up --------------------------------------------------------------------------- */

static const char policy_text[] = "version 1\ntier lgwan\ndefault allow\nmode enforce\n"
				  "media unregistered deny\n"
				  "label xattr " NAME "\n"
				  "rule nodel deny delete label 完全性2\n"
				  "rule guard deny modify label 完全性2\n";

static int no_name(const char *name, __u32 *ret_id)
{
	(void)name;
	(void)ret_id;
	return -ENOENT;
}

static const struct dlp_resolver resolver = { .user = no_name, .group = no_name };

/* Labels from the policy and the scan of ROOT into the taint object's maps; rules into integrity's. */
static int fill_maps(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	struct dlp_label_tables *lt = calloc(1, sizeof(*lt));
	static struct dlp_lowered low;
	struct dlp_label_map_fds fds;
	struct dlp_policy pol;
	struct dlp_diag diag;
	int err = -EINVAL, n, zones_fd;

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "label-xattr.policy", stderr);
	if (!lt || dlp_policy_load_buffer(&pol, policy_text, strlen(policy_text), &diag) ||
	    !pol.label_xattr || dlp_label_tables_build(&pol, &no_paths, lt, &diag)) {
		print_error("the test policy does not compile or place\n");
		goto out;
	}
	n = dlp_label_xattr_scan(ROOT, pol.label_xattr, lt, &diag);
	if (n < 0) {
		err = n;
		print_error("dlp_label_xattr_scan(%s): %s\n", ROOT, strerror(-n));
		goto out;
	}
	t.nscanned = n;
	print_message("labels: scan of %s added %d entries: %u inode entries, %u filesystems\n",
		      ROOT, n, lt->ninodes, lt->conf.ndevs);
	fds.inodes = bpf_map__fd(t.taint->maps.dlp_label_inodes);
	fds.prefixes = bpf_map__fd(t.taint->maps.dlp_label_prefixes);
	fds.conf = bpf_map__fd(t.taint->maps.dlp_label_conf);
	err = dlp_label_map_fill(lt, 0, &fds);
	if (err) {
		print_error("dlp_label_map_fill: %s\n", strerror(-err));
		goto out;
	}
	err = dlp_policy_lower(&pol, &resolver, ++t.generation, &low, &diag);
	if (err) {
		print_error("dlp_policy_lower: %s\n", strerror(-err));
		goto out;
	}
	/* The integrity object has no zone map: a fresh one, dropped once filled. */
	zones_fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "dlp_zones", sizeof(struct dlp_zone_key),
				  sizeof(__u64), DLP_MAX_NETWORKS + 1, &opts);
	if (zones_fd < 0) {
		err = -errno;
		print_error("bpf_map_create(LPM_TRIE): %s\n", strerror(-err));
	} else {
		err = dlp_policy_maps_fill(&low, &pol, 0, bpf_map__fd(t.integ->maps.dlp_config),
					   bpf_map__fd(t.integ->maps.dlp_rules), zones_fd);
		close(zones_fd);
		if (err)
			print_error("dlp_policy_maps_fill: %s\n", strerror(-err));
	}
	dlp_lowered_free(&low);
out:
	dlp_policy_free(&pol);
	free(lt);
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

/* The files, labelled by root before anything is attached. */
static int make_files(void)
{
	struct statfs sfs;

	if (statfs(ROOT, &sfs) || sfs.f_type != EXT4_SUPER_MAGIC) {
		print_error("%s is not the ext4 image tests/vm/label-xattr.sh mounts\n", ROOT);
		return -1;
	}
	if (system("rm -rf " ROOT "/docs " ROOT "/rules && mkdir -p " ROOT "/docs " ROOT
		   "/rules && chmod 0777 " ROOT "/rules"))
		return -1;
	make_file(SECRET2, "機密性2");
	make_file(PLAIN_DOC, NULL);
	make_file(TYPO, "機密性２");
	make_file(RULEBOOK, "完全性2");
	make_file(PLAIN_RULE, NULL);
	make_file(INNER, "機密性3A");
	return 0;
}

static int group_setup(void **state)
{
	int err, nargs;

	(void)state;
	if (make_files())
		return -1;
	t.taint = taint_bpf__open_and_load();
	if (!t.taint) {
		print_error("taint_bpf__open_and_load: %s\n", strerror(errno));
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
	if (!SAME(dlp_taint) || !SAME(dlp_label_inodes) || !SAME(dlp_label_prefixes) ||
	    !SAME(dlp_label_conf) || !SAME(dlp_label_stats) || !SAME(dlp_slot)) {
		print_error("the two objects do not share the label and taint maps and dlp_slot\n");
		return -1;
	}
	if (fill_maps())
		return -1;
	/* Labelled after the scan (no inode has been freed yet, so none is reused). */
	make_file(LATE, "完全性2");
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
		return "runs only in the VM test bed (tests/vm/label-xattr.sh): it attaches LSM "
		       "programs";
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
		cmocka_unit_test(test_scanned), cmocka_unit_test(test_taint),
		cmocka_unit_test(test_refused), cmocka_unit_test(test_neighbour),
		cmocka_unit_test(test_late),	cmocka_unit_test(test_control_detached),
	};
	const char *why = why_not_here();

	if (why) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
