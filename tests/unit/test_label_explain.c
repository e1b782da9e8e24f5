// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/label_explain.c, on directories made in a
 * temporary folder and a policy that labels them: a file below a labelled
 * directory gets the nearest labelled directory's levels (which hold those
 * above it), named with its 'label dir' line; a file outside has none; a
 * name with a prefix gets the prefix's, highest of each kind counting; a
 * labelled directory itself is its own entry; symbolic links are resolved;
 * a missing path is an error.
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
#include <unistd.h>
#include <cmocka.h>

#include "label_explain.h"
#include "lower.h"
#include "scratch.h"

#define HEAD "mode enforce\ntier lgwan\ndefault allow\nmedia unregistered deny\n"

static char root[] = "/tmp/dlp-explain-XXXXXX";
static struct dlp_policy pol;
static struct dlp_lowered low;
static struct dlp_label_tables tables;
static struct dlp_label_explained e;

static char *path(const char *rel)
{
	return fmt("%s/%s", root, rel);
}

static void touch(const char *rel)
{
	FILE *f = fopen(path(rel), "w");

	assert_non_null(f);
	fclose(f);
}

static int setup(void **state)
{
	struct dlp_diag diag;
	char *src;

	(void)state;
	if (!mkdtemp(root))
		return -1;
	if (mkdir(path("share"), 0755) || mkdir(path("share/機密性2"), 0755) ||
	    mkdir(path("share/機密性2/人事"), 0755) || mkdir(path("free"), 0755))
		return -1;
	touch("share/機密性2/人事/給与.txt");
	touch("share/機密性2/a.txt");
	touch("free/note.txt");
	touch("free/機3_memo.txt");
	if (symlink(path("share/機密性2/a.txt"), path("free/link")))
		return -1;
	src = fmt(HEAD "label dir %s/share/機密性2 機密性2\n"
		       "label dir %s/share/機密性2/人事 機密性3A 完全性2\n"
		       "label prefix 機3_ 機密性3\n",
		  root, root);
	dlp_policy_init(&pol);
	dlp_diag_init(&diag, "t.policy", stderr);
	if (dlp_policy_load_buffer(&pol, src, strlen(src), &diag) ||
	    dlp_policy_lower(&pol, NULL, 1, &low, &diag) ||
	    dlp_label_tables_build(&pol, &low, &tables, &diag))
		return -1;
	scratch_free();
	return 0;
}

static int teardown(void **state)
{
	char *cmd;

	(void)state;
	dlp_lowered_free(&low);
	dlp_policy_free(&pol);
	scratch_free();
	cmd = fmt("rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
	scratch_free();
	return 0;
}

static void explain(const char *rel)
{
	assert_int_equal(dlp_label_explain(&pol, &tables, path(rel), &e), 0);
}

static bool said(const char *what)
{
	unsigned int i;

	for (i = 0; i < e.nwhy; i++)
		if (strstr(e.why[i], what))
			return true;
	return false;
}

static void test_below_dirs(void **state)
{
	(void)state;
	explain("share/機密性2/人事/給与.txt");
	assert_int_equal(e.class, DLP_CLASS_3A);
	assert_int_equal(e.integrity, DLP_INTEG_2);
	assert_int_equal(e.nwhy, 1);
	assert_true(said(fmt("below %s/share/機密性2/人事: 'label dir %s/share/機密性2/人事' "
			     "(line 6): 機密性3A 完全性2",
			     root, root)));

	explain("share/機密性2/a.txt");
	assert_int_equal(e.class, DLP_CLASS_2);
	assert_int_equal(e.integrity, DLP_INTEG_NONE);
	assert_true(said("(line 5): 機密性2"));
	scratch_free();
}

static void test_outside_prefix_dir_link(void **state)
{
	(void)state;
	explain("free/note.txt");
	assert_int_equal(e.class, 0);
	assert_int_equal(e.integrity, 0);
	assert_int_equal(e.nwhy, 0);

	explain("free/機3_memo.txt");
	assert_int_equal(e.class, DLP_CLASS_3);
	assert_true(said("its name starts with '機3_' ('label prefix', line 7): 機密性3"));

	/* the labelled directory itself is its own entry */
	explain("share/機密性2");
	assert_int_equal(e.class, DLP_CLASS_2);
	assert_true(said(fmt("%s/share/機密性2: 'label dir", root)));

	/* a link is its target */
	explain("free/link");
	assert_string_equal(e.path, path("share/機密性2/a.txt"));
	assert_int_equal(e.class, DLP_CLASS_2);

	assert_int_equal(dlp_label_explain(&pol, &tables, path("free/none"), &e), -ENOENT);
	scratch_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_below_dirs),
		cmocka_unit_test(test_outside_prefix_dir_link),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
