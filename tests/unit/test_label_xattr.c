// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/label_xattr.c: files labelled by extended
 * attribute, found under a directory tree made for the test in /tmp (which
 * must hold user.* attributes: ext4, or tmpfs on 6.6 and later) and merged
 * into the label tables.  Each kind of value, nested directories, hard
 * links, symlinks, unlabelled files and other attributes, malformed values
 * (highest levels and a warning), merging with label directories and with
 * entries already there, full tables and too many filesystems (tables left
 * as they were), roots that cannot be scanned or are symlinks, a directory
 * the scanner cannot read, and the single-file resolver.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlpguard/label_value.h>

#include "scratch.h"

#include "label_map.h"
#include "label_xattr.h"
#include "lower.h"
#include "policy.h"

#define NAME "user.dlpguard.label"
#define HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

static char root[] = "/tmp/dlp-label-xattr-XXXXXX";
static char diags[4096];

/* @rel below root, in one of a ring of buffers: valid for the next 15 calls. */
static char *path(const char *rel)
{
	static char ring[16][512];
	static unsigned int next;
	char *p = ring[next++ % 16];

	snprintf(p, sizeof(ring[0]), "%s/%s", root, rel);
	return p;
}

/* mkdir -p of @rel below root. */
static void make_dirs(const char *rel)
{
	char *p = path(rel), *slash;

	for (slash = strchr(p + strlen(root) + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		if (!slash)
			break;
		*slash = '/';
	}
}

static void make_file(const char *rel)
{
	FILE *f = fopen(path(rel), "w");

	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
}

/* A file @rel whose attribute @name is the @len bytes of @value. */
static void make_labelled_n(const char *rel, const char *name, const void *value, size_t len)
{
	make_file(rel);
	if (setxattr(path(rel), name, value, len, 0))
		fail_msg("setxattr %s on %s: %s (this test needs user.* attributes in /tmp)", name,
			 path(rel), strerror(errno));
}

static void make_labelled(const char *rel, const char *value)
{
	make_labelled_n(rel, NAME, value, strlen(value));
}

static struct stat stat_of(const char *rel)
{
	struct stat st;

	assert_int_equal(lstat(path(rel), &st), 0);
	return st;
}

static __u32 dev_of(const char *rel)
{
	return dlp_label_kernel_dev(stat_of(rel).st_dev);
}

/* The entry of file @rel in @t; NULL if it has none. */
static const struct dlp_label_value *entry(const struct dlp_label_tables *t, const char *rel)
{
	struct stat st = stat_of(rel);
	unsigned int i;

	for (i = 0; i < t->ninodes; i++)
		if (t->keys[i].dev == dlp_label_kernel_dev(st.st_dev) &&
		    t->keys[i].ino == st.st_ino)
			return &t->values[i];
	return NULL;
}

static void expect_entry(const struct dlp_label_tables *t, const char *rel, __u8 class,
			 __u8 integrity)
{
	const struct dlp_label_value *v = entry(t, rel);

	if (!v)
		fail_msg("no entry for %s", rel);
	if (v->class != class || v->integrity != integrity || v->flags || v->paths || v->pad)
		fail_msg("%s: class %u integrity %u flags %#x paths %#llx; expected class %u "
			 "integrity %u, flags and paths 0",
			 rel, v->class, v->integrity, v->flags, (unsigned long long)v->paths, class,
			 integrity);
}

/* The filesystem entry of @dev in @t; NULL if it has none. */
static const struct dlp_label_dev *dev_entry(const struct dlp_label_tables *t, __u32 dev)
{
	unsigned int i;

	for (i = 0; i < t->conf.ndevs; i++)
		if (t->conf.devs[i].dev == dev)
			return &t->conf.devs[i];
	return NULL;
}

/* Scan @rel below root into @t; what was reported goes to diags. */
static int scan(const char *rel, struct dlp_label_tables *t)
{
	struct dlp_diag diag;
	FILE *out;
	int ret;

	diags[0] = '\0';
	out = fmemopen(diags, sizeof(diags), "w");
	assert_non_null(out);
	dlp_diag_init(&diag, "scan", out);
	ret = dlp_label_xattr_scan(path(rel), NAME, t, &diag);
	fclose(out);
	if (diags[0])
		fputs(diags, stderr);
	return ret;
}

static struct dlp_label_tables *new_tables(void)
{
	struct dlp_label_tables *t = (void *)keep(calloc(1, sizeof(*t)));

	t->conf.version = DLP_LABEL_VERSION;
	return t;
}

static int free_scratch(void **state)
{
	(void)state;
	scratch_free();
	return 0;
}

static int teardown(void **state)
{
	char *cmd;

	(void)state;
	scratch_free();
	if (asprintf(&cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", root, root) < 0)
		return -1;
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
	free(cmd);
	return 0;
}

/* Each kind of value, in nested directories; one entry per file, flags 0. */
static void test_kinds(void **state)
{
	struct dlp_label_tables *t = new_tables();
	const struct dlp_label_dev *d;

	(void)state;
	make_dirs("kinds/a/b/c/d");
	make_labelled("kinds/c2.txt", "機密性2");
	make_labelled("kinds/a/i2.txt", "完全性2");
	make_labelled("kinds/a/b/both.txt", "機密性3A 完全性2\n");
	make_labelled_n("kinds/a/b/c/d/c1.txt", NAME, "機密性1", sizeof("機密性1")); /* with NUL */
	make_labelled("kinds/a/b/c/3c.txt", "完全性1 機密性3C");
	make_file("kinds/a/b/c/plain.txt");
	make_labelled_n("kinds/a/other.txt", "user.other", "機密性3A", strlen("機密性3A"));

	assert_int_equal(scan("kinds", t), 5);
	assert_string_equal(diags, "");
	assert_int_equal(t->ninodes, 5);
	expect_entry(t, "kinds/c2.txt", DLP_CLASS_2, 0);
	expect_entry(t, "kinds/a/i2.txt", 0, DLP_INTEG_2);
	expect_entry(t, "kinds/a/b/both.txt", DLP_CLASS_3A, DLP_INTEG_2);
	expect_entry(t, "kinds/a/b/c/d/c1.txt", DLP_CLASS_1, 0);
	expect_entry(t, "kinds/a/b/c/3c.txt", DLP_CLASS_3, DLP_INTEG_1);
	assert_null(entry(t, "kinds/a/b/c/plain.txt"));
	assert_null(entry(t, "kinds/a/other.txt")); /* another attribute is no label */
	assert_null(entry(t, "kinds/a/b"));	    /* directories are never labelled this way */

	assert_int_equal(t->conf.version, DLP_LABEL_VERSION);
	assert_int_equal(t->conf.ndevs, 1);
	d = dev_entry(t, dev_of("kinds"));
	assert_non_null(d);
	assert_int_equal(d->class, DLP_CLASS_3A);
	assert_int_equal(d->integrity, DLP_INTEG_2);
	assert_int_equal(d->paths, 0);
	assert_int_equal(t->conf.nprefixes, 0);
}

/* Two hard links are one inode, one entry; a symlink is not followed, to a file or a dir. */
static void test_links(void **state)
{
	struct dlp_label_tables *t = new_tables();

	(void)state;
	make_dirs("links/x");
	make_dirs("outside/d");
	make_labelled("links/f", "機密性2");
	assert_int_equal(link(path("links/f"), path("links/x/f2")), 0);
	make_labelled("outside/g", "機密性3");
	make_labelled("outside/d/h", "機密性3");
	assert_int_equal(symlink(path("outside/g"), path("links/to-file")), 0);
	assert_int_equal(symlink(path("outside/d"), path("links/to-dir")), 0);

	assert_int_equal(scan("links", t), 1);
	assert_string_equal(diags, "");
	assert_int_equal(t->ninodes, 1);
	expect_entry(t, "links/x/f2", DLP_CLASS_2, 0);
	assert_null(entry(t, "outside/g"));
	assert_null(entry(t, "outside/d/h"));
	assert_int_equal(t->conf.devs[0].class, DLP_CLASS_2);

	/* A symlink given as the root is followed: it names the tree to scan. */
	assert_int_equal(symlink(path("outside"), path("to-outside")), 0);
	assert_int_equal(scan("to-outside", t), 2);
	expect_entry(t, "outside/g", DLP_CLASS_3, 0);
	expect_entry(t, "outside/d/h", DLP_CLASS_3, 0);
}

/* A value that is not a level fails closed, with a warning naming the file. */
static void test_malformed(void **state)
{
	static const char too_long[] = "機密性2 完全性2 機密性2 完全性2 ";
	struct dlp_label_tables *t = new_tables();
	static const char *const bad[] = { "secret", "機密性２", "機密性2  完全性2",
					   "機密性2 機密性3", "" };
	unsigned int i;
	char *rel;

	(void)state;
	make_dirs("bad");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		make_labelled(fmt("bad/%u", i), bad[i]);
	assert_true(strlen(too_long) > DLP_LABEL_VALUE_MAX);
	make_labelled("bad/long", too_long);
	make_labelled("bad/good", "機密性1");

	assert_int_equal(scan("bad", t), 7);
	for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		rel = i < sizeof(bad) / sizeof(bad[0]) ? fmt("bad/%u", i) : "bad/long";
		expect_entry(t, rel, DLP_CLASS_MAX, DLP_INTEG_MAX);
		assert_non_null(strstr(diags, fmt("scan:0:0: warning: '%s': attribute " NAME
						  " is not a level (as in '機密性2', "
						  "'完全性2', '機密性3A 完全性2'); the file "
						  "gets the highest levels\n",
						  path(rel))));
	}
	expect_entry(t, "bad/good", DLP_CLASS_1, 0);
	assert_null(strstr(diags, "bad/good"));
	assert_int_equal(t->conf.devs[0].class, DLP_CLASS_MAX);
	assert_int_equal(t->conf.devs[0].integrity, DLP_INTEG_MAX);
}

/* Build the tables of @body (after HEAD). */
static void build(const char *body, struct dlp_label_tables *t)
{
	char *text = fmt("%s%s", HEAD, body);
	static const struct dlp_lowered no_paths;
	struct dlp_policy pol;
	struct dlp_diag diag;

	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "t.policy", stderr);
	assert_int_equal(dlp_policy_load_buffer(&pol, text, strlen(text), &diag), 0);
	assert_int_equal(dlp_label_tables_build(&pol, &no_paths, t, &diag), 0);
	dlp_policy_free(&pol);
}

/*
 * Added to the tables of label directories: their entries are kept as they
 * were; the filesystem's levels are the highest of both.  A rescan merges:
 * an inode's entry is raised, never lowered or duplicated, and keeps its
 * flags and path ids.
 */
static void test_merge(void **state)
{
	struct dlp_label_tables *t = (void *)keep(calloc(1, sizeof(*t)));
	struct dlp_label_value *v, dir_before;
	const struct dlp_label_dev *d;
	unsigned int n;

	(void)state;
	make_dirs("merge/人事/sub");
	make_labelled("merge/人事/sub/f", "完全性2");
	make_labelled("merge/g", "機密性2");
	build(fmt("label dir %s 機密性3A\nlabel prefix 機3_ 機密性3\n", path("merge/人事")), t);
	assert_int_equal(t->ninodes, 1);
	dir_before = t->values[0];
	assert_int_equal(dir_before.flags, DLP_LABEL_F_SUBTREE);

	assert_int_equal(scan("merge", t), 2);
	assert_string_equal(diags, "");
	assert_int_equal(t->ninodes, 3);
	assert_memory_equal(&t->values[0], &dir_before, sizeof(dir_before));
	expect_entry(t, "merge/人事/sub/f", 0, DLP_INTEG_2); /* the walk adds the dir's 3A */
	expect_entry(t, "merge/g", DLP_CLASS_2, 0);
	assert_int_equal(t->conf.nprefixes, 1);
	assert_int_equal(t->conf.ndevs, 1);
	d = dev_entry(t, dev_of("merge"));
	assert_int_equal(d->class, DLP_CLASS_3A);
	assert_int_equal(d->integrity, DLP_INTEG_2);

	/* Relabelled 機密性1 完全性1, rescanned: raised where higher, nothing added. */
	assert_int_equal(
		setxattr(path("merge/g"), NAME, "機密性1 完全性1", strlen("機密性1 完全性1"), 0),
		0);
	assert_int_equal(scan("merge", t), 0);
	assert_int_equal(t->ninodes, 3);
	expect_entry(t, "merge/g", DLP_CLASS_2, DLP_INTEG_1);

	/* An entry the inode already had, with flags and path ids: raised, both kept. */
	n = t->ninodes;
	v = (struct dlp_label_value *)entry(t, "merge/g");
	v->flags = DLP_LABEL_F_SUBTREE;
	v->paths = 1 << 3;
	assert_int_equal(setxattr(path("merge/g"), NAME, "機密性3B", strlen("機密性3B"), 0), 0);
	assert_int_equal(scan("merge", t), 0);
	assert_int_equal(t->ninodes, n);
	assert_int_equal(v->class, DLP_CLASS_3B);
	assert_int_equal(v->integrity, DLP_INTEG_1);
	assert_int_equal(v->flags, DLP_LABEL_F_SUBTREE);
	assert_int_equal(v->paths, 1 << 3);
}

/* Too many filesystems, or a full inode table: an error, the tables unchanged. */
static void test_full(void **state)
{
	struct dlp_label_tables *t = new_tables(), *before = new_tables();
	__u32 dev;
	unsigned int i;

	(void)state;
	make_dirs("full/a");
	make_labelled("full/a/f", "機密性2");
	make_labelled("full/g", "完全性2");
	make_dirs("empty");
	make_file("empty/unlabelled");
	dev = dev_of("full");

	/* Sixteen other filesystems already. */
	for (i = 0; i < DLP_LABEL_MAX_DEVS; i++)
		t->conf.devs[i] = (struct dlp_label_dev){ .dev = dev + 1 + i, .class = 1 };
	t->conf.ndevs = DLP_LABEL_MAX_DEVS;
	memcpy(before, t, sizeof(*t));
	assert_int_equal(scan("full", t), -E2BIG);
	assert_memory_equal(t, before, sizeof(*t));
	assert_non_null(strstr(diags, "scan:0:0: error: '"));
	assert_non_null(strstr(diags, fmt("(under '%s'): labels and paths on more than 16 "
					  "filesystems\n",
					  path("full"))));
	/* ... but a tree with no labelled file needs no filesystem entry. */
	assert_int_equal(scan("empty", t), 0);
	assert_memory_equal(t, before, sizeof(*t));

	/* Room for one more entry, and two labelled files. */
	memset(t, 0, sizeof(*t));
	t->conf.version = DLP_LABEL_VERSION;
	for (i = 0; i < DLP_LABEL_INODE_ENTRIES - 1; i++) {
		t->keys[i] = (struct dlp_label_key){ .dev = dev + 1, .ino = i + 1 };
		t->values[i] = (struct dlp_label_value){ .class = 1, .flags = DLP_LABEL_F_SUBTREE };
	}
	t->ninodes = DLP_LABEL_INODE_ENTRIES - 1;
	t->conf.devs[0] = (struct dlp_label_dev){ .dev = dev + 1, .class = 1 };
	t->conf.ndevs = 1;
	memcpy(before, t, sizeof(*t));
	assert_int_equal(scan("full", t), -E2BIG);
	assert_memory_equal(t, before, sizeof(*t));
	assert_non_null(strstr(diags, fmt("(under '%s'): more than %d labelled inodes "
					  "(label and 'path' directories, and files "
					  "labelled by attribute)\n",
					  path("full"), DLP_LABEL_INODE_ENTRIES)));
	/* Exactly full is not an error. */
	assert_int_equal(unlink(path("full/g")), 0);
	assert_int_equal(scan("full", t), 1);
	assert_int_equal(t->ninodes, DLP_LABEL_INODE_ENTRIES);
	expect_entry(t, "full/a/f", DLP_CLASS_2, 0);
}

/* A root that cannot be scanned, and a name outside the three namespaces. */
static void test_bad_input(void **state)
{
	struct dlp_label_tables *t = new_tables(), *before = new_tables();
	struct dlp_diag diag;
	FILE *out;

	(void)state;
	make_dirs("input");
	make_labelled("input/f", "機密性2");
	memcpy(before, t, sizeof(*t));

	assert_int_equal(scan("nowhere", t), -ENOENT);
	assert_string_equal(diags, fmt("scan:0:0: error: '%s': No such file or directory; "
				       "the files labelled by attribute " NAME " under it "
				       "cannot be found\n",
				       path("nowhere")));
	assert_int_equal(scan("input/f", t), -ENOTDIR);
	assert_string_equal(diags, fmt("scan:0:0: error: '%s' is not a directory; expected "
				       "one to search for files labelled by attribute " NAME "\n",
				       path("input/f")));
	assert_memory_equal(t, before, sizeof(*t));

	diags[0] = '\0';
	out = fmemopen(diags, sizeof(diags), "w");
	assert_non_null(out);
	dlp_diag_init(&diag, "scan", out);
	assert_int_equal(dlp_label_xattr_scan(path("input"), "dlpguard.label", t, &diag), -EINVAL);
	assert_int_equal(dlp_label_xattr_scan(path("input"), "user.", t, &diag), -EINVAL);
	fclose(out);
	assert_non_null(strstr(diags, "scan:0:0: error: label attribute 'dlpguard.label': "
				      "expected a name in user., security. or trusted.\n"));
	assert_memory_equal(t, before, sizeof(*t));
}

/* A directory the scanner cannot read: a warning naming it; the rest is labelled. */
static void test_unreadable_dir(void **state)
{
	struct dlp_label_tables *t;
	pid_t pid;
	int status;

	(void)state;
	make_dirs("locked/shut");
	make_labelled("locked/shut/f", "機密性2");
	make_labelled("locked/g", "機密性1");
	assert_int_equal(chmod(path("locked/shut"), 0), 0);
	/* root reads any directory: the scan runs as nobody, in a child. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		t = new_tables();
		if (scan("locked", t) != 1 || t->ninodes != 1 || t->values[0].class != DLP_CLASS_1)
			_exit(3);
		if (!strstr(diags, fmt("scan:0:0: warning: directory '%s' cannot be read: "
				       "Permission denied; files below it are not labelled "
				       "by attribute " NAME "\n",
				       path("locked/shut"))))
			_exit(4);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(chmod(path("locked/shut"), 0755), 0);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The single-file resolver dlpd uses on change events. */
static void test_resolve(void **state)
{
	struct dlp_label_value v = { .class = 99 };
	struct dlp_label_key k = { .dev = 7 };
	struct stat st;

	(void)state;
	make_dirs("one/dir");
	make_labelled("one/f", "機密性3B 完全性1");
	make_labelled("one/bad", "機密性9");
	make_file("one/plain");
	assert_int_equal(setxattr(path("one/dir"), NAME, "機密性2", strlen("機密性2"), 0), 0);
	assert_int_equal(symlink(path("one/f"), path("one/link")), 0);

	assert_int_equal(dlp_label_xattr_resolve(path("one/f"), NAME, &k, &v),
			 DLP_LABEL_XATTR_LABELLED);
	st = stat_of("one/f");
	assert_int_equal(k.dev, dlp_label_kernel_dev(st.st_dev));
	assert_int_equal(k.slot, 0);
	assert_int_equal(k.ino, st.st_ino);
	assert_int_equal(v.class, DLP_CLASS_3B);
	assert_int_equal(v.integrity, DLP_INTEG_1);
	assert_int_equal(v.flags, 0);
	assert_int_equal(v.paths, 0);

	assert_int_equal(dlp_label_xattr_resolve(path("one/bad"), NAME, &k, &v),
			 DLP_LABEL_XATTR_MALFORMED);
	assert_int_equal(k.ino, stat_of("one/bad").st_ino);
	assert_int_equal(v.class, DLP_CLASS_MAX);
	assert_int_equal(v.integrity, DLP_INTEG_MAX);

	/* Nothing labelled: the outputs are left alone. */
	k.ino = 12345;
	assert_int_equal(dlp_label_xattr_resolve(path("one/plain"), NAME, &k, &v),
			 DLP_LABEL_XATTR_NONE);
	assert_int_equal(dlp_label_xattr_resolve(path("one/dir"), NAME, &k, &v),
			 DLP_LABEL_XATTR_NONE);
	assert_int_equal(dlp_label_xattr_resolve(path("one/link"), NAME, &k, &v),
			 DLP_LABEL_XATTR_NONE);
	assert_int_equal(dlp_label_xattr_resolve(path("one/f"), "user.other", &k, &v),
			 DLP_LABEL_XATTR_NONE);
	assert_int_equal(dlp_label_xattr_resolve(path("one/missing"), NAME, &k, &v), -ENOENT);
	assert_int_equal(dlp_label_xattr_resolve(path("one/f"), "other.x", &k, &v), -EINVAL);
	assert_int_equal(k.ino, 12345);
}

/*
 * Make root, open to all (test_unreadable_dir scans as nobody); NULL, or why
 * this test cannot run here.
 */
static const char *make_root(void)
{
	if (!mkdtemp(root) || chmod(root, 0755))
		return "cannot make a directory in /tmp";
	if (setxattr(root, NAME, "機密性2", strlen("機密性2"), 0)) {
		rmdir(root);
		return "/tmp holds no user.* attributes (tmpfs before Linux 6.6?)";
	}
	removexattr(root, NAME);
	return NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kinds, free_scratch),
		cmocka_unit_test_teardown(test_links, free_scratch),
		cmocka_unit_test_teardown(test_malformed, free_scratch),
		cmocka_unit_test_teardown(test_merge, free_scratch),
		cmocka_unit_test_teardown(test_full, free_scratch),
		cmocka_unit_test_teardown(test_bad_input, free_scratch),
		cmocka_unit_test_teardown(test_unreadable_dir, free_scratch),
		cmocka_unit_test_teardown(test_resolve, free_scratch),
	};

	const char *why = make_root();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
