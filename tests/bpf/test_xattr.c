// SPDX-License-Identifier: GPL-2.0
/*
 * VM test: labels read from an extended attribute in the kernel
 * (bpf/xattr.bpf.c, docs/hooks.md §3) on kernels with bpf_get_file_xattr.
 * bpf/taint.bpf.c is loaded as the owner of dlp_taint, which is handed to
 * the xattr object with bpf_map__reuse_fd() before that one loads, as dlpd
 * will; only the xattr program is attached, so every taint seen here is its
 * work.  Files on the guest's /tmp (tmpfs, which keeps user.* attributes
 * since 6.6) get attribute values with setxattr(2); forked children open
 * them and their taint is read through dlp_taint with a pidfd key.  The
 * counters in the object's .bss prove the program ran; with it detached,
 * nothing is raised.  Also printed: what the verifier processed, and
 * open+close times with the program attached and detached.
 *
 * It attaches an LSM program, so it runs only in the VM test bed
 * (tests/vm/xattr.sh, which sets DLPVM_KERNEL), and only on kernels whose
 * BTF has bpf_get_file_xattr (6.12, not 6.1); anywhere else it prints
 * "SKIP: <reason>" and exits 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <dlpguard/taint.h>

#include "bpftest.h"
#include "kernel_btf.h"
#include "taint.skel.h"
#include "xattr.skel.h"

#define EXIT_SKIP  77
#define ROOT	   "/tmp/dlpxattr"
#define NAME	   "user.dlpguard.label"
#define OTHER_NAME "user.other"
#define COST_OPENS 2000

#define PLAIN	     ROOT "/plain.txt"
#define SECRET1	     ROOT "/secret1.txt"
#define SECRET2	     ROOT "/secret2.txt"
#define SECRET3A     ROOT "/secret3a.txt"
#define SECRET3B_NUL ROOT "/secret3b-nul.txt"
#define RULEBOOK     ROOT "/rulebook.txt"
#define MALFORMED    ROOT "/malformed.txt"
#define TOO_LONG     ROOT "/too-long.txt"
#define OTHER	     ROOT "/other-name.txt"
#define LABELLED_DIR ROOT "/labelled-dir"

/* A file and the attribute it is given (value NULL: none). */
static const struct {
	const char *path;
	const char *name;
	const char *value;
	size_t len;
} files[] = {
	{ PLAIN, NULL, NULL, 0 },
	{ SECRET1, NAME, "機密性1", sizeof("機密性1") - 1 },
	{ SECRET2, NAME, "機密性2", sizeof("機密性2") - 1 },
	{ SECRET3A, NAME, "機密性3A 完全性2\n", sizeof("機密性3A 完全性2\n") - 1 },
	{ SECRET3B_NUL, NAME, "完全性1 機密性3B", sizeof("完全性1 機密性3B") },
	{ RULEBOOK, NAME, "完全性2", sizeof("完全性2") - 1 },
	{ MALFORMED, NAME, "機密性4", sizeof("機密性4") - 1 },
	/* 41 bytes: more than the program reads, so the kfunc says ERANGE */
	{ TOO_LONG, NAME, "機密性1                               ",
	  sizeof("機密性1                               ") - 1 },
	{ OTHER, OTHER_NAME, "機密性3A", sizeof("機密性3A") - 1 },
};

static struct taint_bpf *taint;
static struct xattr_bpf *xattr;

struct xattr_case {
	const char *what;
	const char *opens[4];
	int flags; /* open(2) flags of every open */
	int want;  /* enum dlp_class */
};

/* The taint of @pid, read through dlp_taint with a pidfd key; 0 if none. */
static int taint_of(pid_t pid)
{
	struct dlp_taint v;
	int pidfd, err;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		fail_msg("pidfd_open(%d): %s", pid, strerror(errno));
	err = bpf_map_lookup_elem(bpf_map__fd(taint->maps.dlp_taint), &pidfd, &v);
	err = err ? -errno : 0;
	close(pidfd);
	if (err == -ENOENT)
		return 0;
	if (err)
		fail_msg("dlp_taint lookup of pid %d: %s", pid, strerror(-err));
	return v.class;
}

/* The forked child of run_case(): open, report its pid (or -errno), wait to be read. */
static void child(const struct xattr_case *xc, int c2p, int p2c)
{
	pid_t who = getpid();
	unsigned int i;
	char c;
	int fd;

	for (i = 0; i < 4 && xc->opens[i]; i++) {
		fd = open(xc->opens[i], xc->flags);
		if (fd < 0) {
			who = -errno;
			break;
		}
	}
	if (write(c2p, &who, sizeof(who)) != sizeof(who) || read(p2c, &c, 1) < 0)
		_exit(3);
	_exit(0);
}

/*
 * Run @xc in a forked child; its taint, read while it waits.  -1 (and a
 * message) if the child could not make its opens.
 */
static int run_case(const struct xattr_case *xc)
{
	int c2p[2], p2c[2], got = -1;
	pid_t pid, who = 0;

	if (pipe(c2p) || pipe(p2c))
		fail_msg("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		child(xc, c2p[1], p2c[0]);
	}
	close(c2p[1]);
	close(p2c[0]);
	if (read(c2p[0], &who, sizeof(who)) != sizeof(who))
		print_error("%s: the child reported nothing\n", xc->what);
	else if (who < 0)
		print_error("%s: the child failed: %s\n", xc->what, strerror(-who));
	else
		got = taint_of(who);
	close(p2c[1]);
	close(c2p[0]);
	waitpid(pid, NULL, 0);
	return got;
}

static const struct xattr_case cases[] = {
	{ "機密性2", { SECRET2 }, O_RDONLY, DLP_CLASS_2 },
	{ "機密性3A 完全性2 and a newline", { SECRET3A }, O_RDONLY, DLP_CLASS_3A },
	{ "完全性1 機密性3B with its NUL", { SECRET3B_NUL }, O_RDONLY, DLP_CLASS_3B },
	{ "完全性2 only: no 機密性, no taint", { RULEBOOK }, O_RDONLY, DLP_CLASS_NONE },
	{ "malformed value 機密性4: fails closed", { MALFORMED }, O_RDONLY, DLP_CLASS_MAX },
	{ "value longer than 32 bytes: fails closed", { TOO_LONG }, O_RDONLY, DLP_CLASS_MAX },
	{ "no attribute", { PLAIN }, O_RDONLY, DLP_CLASS_NONE },
	{ "機密性3A under another attribute name", { OTHER }, O_RDONLY, DLP_CLASS_NONE },
	{ "3A file opened write-only", { SECRET3A }, O_WRONLY, DLP_CLASS_NONE },
	{ "3A file opened read-write", { SECRET3A }, O_RDWR, DLP_CLASS_3A },
	{ "directory with a 機密性3A attribute",
	  { LABELLED_DIR },
	  O_RDONLY | O_DIRECTORY,
	  DLP_CLASS_NONE },
	{ "機密性2, then 3A: raised", { SECRET2, SECRET3A }, O_RDONLY, DLP_CLASS_3A },
	{ "3A, then 機密性1, then 機密性2: highest kept",
	  { SECRET3A, SECRET1, SECRET2 },
	  O_RDONLY,
	  DLP_CLASS_3A },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_cases(void **state)
{
	__u64 opens = xattr->bss->dlp_xattr_opens, found = xattr->bss->dlp_xattr_found;
	__u64 malformed = xattr->bss->dlp_xattr_malformed, raises = xattr->bss->dlp_xattr_raises;
	unsigned int i, failures = 0;
	int got;

	(void)state;
	for (i = 0; i < NCASES; i++) {
		got = run_case(&cases[i]);
		if (got == cases[i].want) {
			print_message("ok: %s: taint %d\n", cases[i].what, got);
			continue;
		}
		failures++;
		print_error("%s: taint %d, expected %d\n", cases[i].what, got, cases[i].want);
	}
	print_message(
		"counters: %llu opens, %llu found, %llu malformed, %llu raises, %llu errors\n",
		(unsigned long long)(xattr->bss->dlp_xattr_opens - opens),
		(unsigned long long)(xattr->bss->dlp_xattr_found - found),
		(unsigned long long)(xattr->bss->dlp_xattr_malformed - malformed),
		(unsigned long long)(xattr->bss->dlp_xattr_raises - raises),
		(unsigned long long)xattr->bss->dlp_xattr_errors);
	if (failures)
		fail_msg("%u of %zu cases wrong (listed above)", failures, NCASES);
	assert_true(xattr->bss->dlp_xattr_opens > opens);
	assert_true(xattr->bss->dlp_xattr_found > found);
	assert_true(xattr->bss->dlp_xattr_malformed >= malformed + 2);
	assert_true(xattr->bss->dlp_xattr_raises > raises);
	assert_int_equal(xattr->bss->dlp_xattr_errors, 0);
	/* The test itself only wrote the files and set their attributes: still untainted. */
	assert_int_equal(taint_of(getpid()), DLP_CLASS_NONE);
}

static void attach_again(void)
{
	int err;

	xattr->links.dlp_xattr_open = bpf_program__attach(xattr->progs.dlp_xattr_open);
	err = libbpf_get_error(xattr->links.dlp_xattr_open);
	if (err) {
		xattr->links.dlp_xattr_open = NULL;
		fail_msg("attach dlp_xattr_open again: %s", strerror(-err));
	}
}

static void detach(void)
{
	bpf_link__destroy(xattr->links.dlp_xattr_open);
	xattr->links.dlp_xattr_open = NULL;
}

/*
 * Control: with dlp_xattr_open detached, the same open taints nothing and
 * the program does not run; attached again, it taints.
 */
static void test_detached(void **state)
{
	static const struct xattr_case xc = {
		"detached: 機密性3A file", { SECRET3A }, O_RDONLY, DLP_CLASS_NONE
	};
	__u64 opens;

	(void)state;
	detach();
	opens = xattr->bss->dlp_xattr_opens;
	assert_int_equal(run_case(&xc), DLP_CLASS_NONE);
	assert_int_equal(xattr->bss->dlp_xattr_opens, opens);
	attach_again();
	assert_int_equal(run_case(&xc), DLP_CLASS_3A);
}

/*
 * Open and close @path COST_OPENS times in a child (the opens may taint it).
 * Return: the child's CLOCK_MONOTONIC nanoseconds per open+close.
 */
static double open_close_ns(const char *path)
{
	struct timespec a, b;
	double ns = -1;
	int i, fd, p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < COST_OPENS; i++) {
			fd = open(path, O_RDONLY);
			if (fd < 0)
				_exit(1);
			close(fd);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / COST_OPENS;
		_exit(write(p[1], &ns, sizeof(ns)) == sizeof(ns) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return ns;
}

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

/*
 * Not a pass/fail check: what dlp_xattr_open costs, printed into the VM log
 * for docs/hooks.md (TCG nanoseconds: only roughly comparable between runs).
 * Per kind of file: open+close in a child with the program attached and
 * detached, and the program's own run time per open (bpf_enable_stats,
 * which adds its own clock reads).
 */
static void test_cost(void **state)
{
	static const struct {
		const char *what;
		const char *path;
	} rows[] = {
		{ "file without the attribute", PLAIN },
		{ "機密性2 file", SECRET2 },
		{ "機密性3A 完全性2 file", SECRET3A },
	};
	double on[3], off[3], run[3];
	struct prog_run a, b;
	unsigned int i;
	int stats_fd;

	(void)state;
	for (i = 0; i < 3; i++)
		on[i] = open_close_ns(rows[i].path);
	detach();
	for (i = 0; i < 3; i++)
		off[i] = open_close_ns(rows[i].path);
	attach_again();
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	for (i = 0; i < 3; i++) {
		a = prog_runs(xattr->progs.dlp_xattr_open);
		open_close_ns(rows[i].path);
		b = prog_runs(xattr->progs.dlp_xattr_open);
		run[i] = stats_fd >= 0 && b.cnt > a.cnt ? (double)(b.ns - a.ns) / (b.cnt - a.cnt) :
							  -1.0;
	}
	if (stats_fd >= 0)
		close(stats_fd);
	else
		print_message("cost: bpf_enable_stats: %s; no run times\n", strerror(errno));
	print_message("cost: %-30s %10s %10s %10s\n", "(ns per open+close, TCG)", "attached",
		      "detached", "prog run");
	for (i = 0; i < 3; i++)
		print_message("cost: %-30s %10.0f %10.0f %10.0f\n", rows[i].what, on[i], off[i],
			      run[i]);
}

static void make_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, "x\n", 2) != 2)
		fail_msg("create %s: %s", path, strerror(errno));
	close(fd);
}

/* The files and their attributes; 0 or -errno, with a message. */
static int make_files(void)
{
	unsigned int i;

	if (system("rm -rf " ROOT) || mkdir(ROOT, 0755) || mkdir(LABELLED_DIR, 0755)) {
		print_error("mkdir %s: %s\n", ROOT, strerror(errno));
		return -1;
	}
	if (setxattr(LABELLED_DIR, NAME, "機密性3A", strlen("機密性3A"), 0)) {
		print_error("setxattr %s: %s\n", LABELLED_DIR, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		make_file(files[i].path);
		if (files[i].name &&
		    setxattr(files[i].path, files[i].name, files[i].value, files[i].len, 0)) {
			print_error("setxattr %s %s: %s\n", files[i].path, files[i].name,
				    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int setup(void **state)
{
	int err;

	(void)state;
	if (make_files())
		return -1;
	/* The owner of dlp_taint; its programs are loaded but never attached here. */
	taint = taint_bpf__open_and_load();
	if (!taint) {
		print_error("taint_bpf__open_and_load: %s\n", strerror(errno));
		return -1;
	}
	xattr = xattr_bpf__open();
	if (!xattr) {
		print_error("xattr_bpf__open: %s\n", strerror(errno));
		return -1;
	}
	snprintf((char *)xattr->rodata->dlp_xattr_name, sizeof(xattr->rodata->dlp_xattr_name), "%s",
		 NAME);
	err = bpf_map__reuse_fd(xattr->maps.dlp_taint, bpf_map__fd(taint->maps.dlp_taint));
	if (err) {
		print_error("bpf_map__reuse_fd(dlp_taint): %s\n", strerror(-err));
		return -1;
	}
	err = xattr_bpf__load(xattr);
	if (err) {
		print_error("xattr_bpf__load: %s\n", strerror(-err));
		return -1;
	}
	print_verifier_stats(xattr->obj);
	print_message("dlp_taint: map id %u in the taint object, %u in the xattr object\n",
		      map_id(bpf_map__fd(taint->maps.dlp_taint)),
		      map_id(bpf_map__fd(xattr->maps.dlp_taint)));
	if (!map_id(bpf_map__fd(taint->maps.dlp_taint)) ||
	    map_id(bpf_map__fd(taint->maps.dlp_taint)) !=
		    map_id(bpf_map__fd(xattr->maps.dlp_taint))) {
		print_error("the two objects do not share dlp_taint\n");
		return -1;
	}
	err = xattr_bpf__attach(xattr);
	if (err) {
		print_error("xattr_bpf__attach: %s\n", strerror(-err));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xattr_bpf__destroy(xattr);
	taint_bpf__destroy(taint);
	return 0;
}

static bool bpf_lsm_active(void)
{
	char buf[512] = "", *tok, *save;
	FILE *f = fopen("/sys/kernel/security/lsm", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
		if (!strcmp(tok, "bpf"))
			return true;
	return false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_detached),
	};
	int nargs;

	if (!getenv("DLPVM_KERNEL")) {
		printf("SKIP: attaches LSM programs: runs only in the VM test bed "
		       "(make vm-test TEST=tests/vm/xattr.sh)\n");
		return EXIT_SKIP;
	}
	if (!bpf_lsm_active()) {
		printf("SKIP: BPF LSM is not active (/sys/kernel/security/lsm)\n");
		return EXIT_SKIP;
	}
	nargs = dlp_kernel_func_nargs("bpf_get_file_xattr");
	if (nargs == -ENOENT) {
		printf("SKIP: the kernel has no bpf_get_file_xattr kfunc (added in 6.8); "
		       "dlpd resolves label attributes in user space there\n");
		return EXIT_SKIP;
	}
	if (nargs < 0) {
		printf("the kernel's BTF cannot be read: %s\n", strerror(-nargs));
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
