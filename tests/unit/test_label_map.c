// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/label_map.c: the kernel's device encoding, prefix
 * packing, and the label tables built from a compiled policy over real
 * directories made for the test (nested labels folded, one entry per inode,
 * each filesystem's highest levels, errors that name the label).
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
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"

#include "label_map.h"
#include "lower.h"
#include "policy.h"

#define HEAD "mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n"

static char root[] = "/tmp/dlp-label-map-XXXXXX";

static void test_kernel_dev(void **state)
{
	(void)state;
	assert_int_equal(dlp_label_kernel_dev(makedev(8, 3)), 8 << 20 | 3);
	assert_int_equal(dlp_label_kernel_dev(makedev(0, 42)), 42);
	assert_int_equal(dlp_label_kernel_dev(makedev(259, 0xfffff)), 259u << 20 | 0xfffff);
	assert_int_equal(dlp_label_kernel_dev(makedev(4095, 1)), 4095u << 20 | 1);
}

static void test_prefix_pack(void **state)
{
	/* 10 × 機 (3 bytes) + "_a": 32 bytes, the most an entry holds. */
	static const char longest[] = "機機機機機機機機機機_a";
	struct dlp_label_prefix p;

	(void)state;
	assert_int_equal(dlp_label_prefix_pack("機3_", 3, 0, &p), 0);
	assert_int_equal(p.len, strlen("機3_"));
	assert_memory_equal(p.prefix, "機3_", p.len);
	assert_int_equal(p.prefix[p.len], 0);
	assert_int_equal(p.class, 3);

	assert_int_equal(strlen(longest), DLP_LABEL_PREFIX_MAX);
	assert_int_equal(dlp_label_prefix_pack(longest, 5, 2, &p), 0);
	assert_int_equal(p.len, DLP_LABEL_PREFIX_MAX);
	assert_int_equal(p.integrity, 2);

	memset(&p, 0xaa, sizeof(p));
	assert_int_equal(dlp_label_prefix_pack("機機機機機機機機機機_ab", 5, 0, &p), -ENAMETOOLONG);
	assert_int_equal(p.len, 0xaa);
	assert_int_equal(dlp_label_prefix_pack("", 5, 0, &p), -EINVAL);
}

static char *path(const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	return keep(p);
}

static void make_dir(const char *rel)
{
	assert_int_equal(mkdir(path(rel), 0755), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char *cmd;

	(void)state;
	scratch_free();
	if (asprintf(&cmd, "rm -rf '%s'", root) < 0)
		return -1;
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
	free(cmd);
	return 0;
}

/* Build the tables of @body (after HEAD); what was reported goes to @diags. */
static int build(const char *body, struct dlp_label_tables *t, char *diags, size_t len)
{
	char *text = keep(malloc(strlen(HEAD) + strlen(body) + 1));
	FILE *out = fmemopen(diags, len, "w");
	static struct dlp_lowered low;
	struct dlp_policy pol;
	struct dlp_diag diag;
	int ret;

	assert_non_null(out);
	strcpy(text, HEAD);
	strcat(text, body);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "t.policy", out);
	ret = dlp_policy_load_buffer(&pol, text, strlen(text), &diag);
	if (!ret)
		ret = dlp_policy_lower(&pol, &dlp_resolver_system, 1, &low, &diag);
	if (!ret) {
		ret = dlp_label_tables_build(&pol, &low, t, &diag);
		dlp_lowered_free(&low);
	}
	fclose(out);
	dlp_policy_free(&pol);
	return ret;
}

static const struct dlp_label_value *entry_of(const struct dlp_label_tables *t, const char *p)
{
	struct stat st;
	unsigned int i;

	assert_int_equal(stat(p, &st), 0);
	for (i = 0; i < t->ninodes; i++)
		if (t->keys[i].dev == dlp_label_kernel_dev(st.st_dev) &&
		    t->keys[i].ino == st.st_ino)
			return &t->values[i];
	fail_msg("no entry for %s", p);
	return NULL;
}

static void test_tables(void **state)
{
	struct dlp_label_tables *t = (void *)keep(calloc(1, sizeof(*t)));
	const struct dlp_label_value *v;
	char diags[1024] = "", *body;
	struct stat st;

	(void)state;
	make_dir("2");
	make_dir("2/3a");
	make_dir("2/3a/1");
	make_dir("integ");
	make_dir("integ/sub");
	assert_int_equal(symlink(path("integ"), path("alias")), 0);
	assert_true(asprintf(&body,
			     "label dir %s 機密性2\n"
			     "label dir %s 機密性3A\n"
			     "label dir %s 機密性1 完全性2\n"
			     "label dir %s 完全性1\n"
			     "label dir %s 機密性3\n"
			     "label dir %s 機密性1\n"
			     "label prefix 機3_ 機密性3\n"
			     "label prefix 例規_ 完全性2\n",
			     path("2"), path("2/3a"), path("2/3a/1"), path("integ"),
			     path("alias"), path("alias/sub")) > 0);
	keep(body);
	assert_int_equal(build(body, t, diags, sizeof(diags)), 0);
	assert_string_equal(diags, "");

	assert_int_equal(t->conf.version, DLP_LABEL_VERSION);
	assert_int_equal(t->ninodes, 5); /* integ and alias are one inode */
	v = entry_of(t, path("2"));
	assert_int_equal(v->class, DLP_CLASS_2);
	assert_int_equal(v->integrity, 0);
	assert_int_equal(v->flags, DLP_LABEL_F_SUBTREE);
	v = entry_of(t, path("2/3a"));
	assert_int_equal(v->class, DLP_CLASS_3A);
	v = entry_of(t, path("2/3a/1")); /* 機密性1 inside 3A inside 2: 3A */
	assert_int_equal(v->class, DLP_CLASS_3A);
	assert_int_equal(v->integrity, DLP_INTEG_2);
	v = entry_of(t, path("integ")); /* 完全性1 and, by its alias, 機密性3 */
	assert_int_equal(v->class, DLP_CLASS_3);
	assert_int_equal(v->integrity, DLP_INTEG_1);
	v = entry_of(t, path("integ/sub"));	/* named through the symlink: integ's levels too */
	assert_int_equal(v->class, DLP_CLASS_3);
	assert_int_equal(v->integrity, DLP_INTEG_1);

	assert_int_equal(stat(root, &st), 0);
	assert_int_equal(t->conf.ndevs, 1);
	assert_int_equal(t->conf.devs[0].dev, dlp_label_kernel_dev(st.st_dev));
	assert_int_equal(t->conf.devs[0].class, DLP_CLASS_3A);
	assert_int_equal(t->conf.devs[0].integrity, DLP_INTEG_2);

	assert_int_equal(t->conf.nprefixes, 2);
	assert_int_equal(t->prefixes[0].len, strlen("機3_"));
	assert_int_equal(t->prefixes[0].class, DLP_CLASS_3);
	assert_int_equal(t->prefixes[1].class, 0);
	assert_int_equal(t->prefixes[1].integrity, DLP_INTEG_2);
}

/* Every label that cannot be placed is reported, with its line and column. */
static void test_errors(void **state)
{
	struct dlp_label_tables *t = (void *)keep(calloc(1, sizeof(*t)));
	char diags[2048] = "", *body, *want;

	(void)state;
	assert_int_equal(mkdir(path("file-parent"), 0755), 0);
	assert_true(fclose(fopen(path("file-parent/f"), "w")) == 0);
	assert_true(asprintf(&body,
			     "label dir %s 機密性2\n"
			     "label dir %s 機密性2\n",
			     path("missing"), path("file-parent/f")) > 0);
	keep(body);
	assert_int_equal(build(body, t, diags, sizeof(diags)), -ENOENT);
	print_message("%s", diags);

	assert_true(asprintf(&want,
			     "t.policy:5:11: error: label directory '%s': No such file "
			     "or directory; a directory that cannot be placed protects "
			     "nothing\n",
			     path("missing")) > 0);
	assert_non_null(strstr(diags, keep(want)));
	assert_true(asprintf(&want,
			     "t.policy:6:11: error: label directory '%s' is not a "
			     "directory\n",
			     path("file-parent/f")) > 0);
	assert_non_null(strstr(diags, keep(want)));
}

/*
 * 'path' directories share the label entries: each entry carries the path
 * ids at or above it, and the levels of the labels at or above it.
 */
static void test_paths(void **state)
{
	struct dlp_label_tables *t = (void *)keep(calloc(1, sizeof(*t)));
	const struct dlp_label_value *v;
	char diags[1024] = "", *body;

	(void)state;
	make_dir("home");
	make_dir("home/user");
	make_dir("home/user/秘");
	make_dir("share");
	assert_true(asprintf(&body,
			     "label dir %s 機密性3\n"
			     "rule w1 deny write path %s if class >= 3\n"
			     "rule w2 audit write path %s\n"
			     "rule m1 deny modify path %s\n"
			     "rule d1 deny delete path %s\n",
			     path("home/user/秘"), path("home"), path("home/user"),
			     path("share"), path("home")) > 0);
	keep(body);
	assert_int_equal(build(body, t, diags, sizeof(diags)), 0);
	assert_string_equal(diags, "");

	/* path ids by first appearance: home 0, home/user 1, share 2 */
	assert_int_equal(t->ninodes, 4);
	v = entry_of(t, path("home"));
	assert_int_equal(v->paths, 1 << 0);
	assert_int_equal(v->class, 0);
	assert_int_equal(v->flags, DLP_LABEL_F_SUBTREE);
	v = entry_of(t, path("home/user"));
	assert_int_equal(v->paths, 1 << 0 | 1 << 1);
	v = entry_of(t, path("home/user/秘")); /* a label below two paths */
	assert_int_equal(v->class, DLP_CLASS_3);
	assert_int_equal(v->paths, 1 << 0 | 1 << 1);
	v = entry_of(t, path("share"));
	assert_int_equal(v->paths, 1 << 2);
	assert_int_equal(v->class, 0);

	assert_int_equal(t->conf.ndevs, 1);
	assert_int_equal(t->conf.devs[0].paths, 1 << 0 | 1 << 1 | 1 << 2);
	assert_int_equal(t->conf.devs[0].class, DLP_CLASS_3);
}

/* A path that cannot be placed is an error at the first rule naming it. */
static void test_path_errors(void **state)
{
	struct dlp_label_tables *t = (void *)keep(calloc(1, sizeof(*t)));
	char diags[2048] = "", *body, *want;

	(void)state;
	assert_int_equal(mkdir(path("pfile-parent"), 0755), 0);
	assert_true(fclose(fopen(path("pfile-parent/f"), "w")) == 0);
	assert_true(asprintf(&body,
			     "rule a allow mount media\n"
			     "rule w deny write path %s\n"
			     "rule x deny delete path %s\n"
			     "rule y deny modify path %s\n",
			     path("nowhere"), path("nowhere"), path("pfile-parent/f")) > 0);
	keep(body);
	assert_int_equal(build(body, t, diags, sizeof(diags)), -ENOENT);
	print_message("%s", diags);
	assert_true(asprintf(&want,
			     "t.policy:6:6: error: path '%s' of rule 'w': No such file or "
			     "directory; a directory that cannot be placed protects nothing\n",
			     path("nowhere")) > 0);
	assert_non_null(strstr(diags, keep(want)));
	assert_true(asprintf(&want, "t.policy:8:6: error: path '%s' of rule 'y' is not a directory\n",
			     path("pfile-parent/f")) > 0);
	assert_non_null(strstr(diags, keep(want)));
	assert_null(strstr(diags, "rule 'x'")); /* one error per path */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_dev),
		cmocka_unit_test(test_prefix_pack),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_path_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
