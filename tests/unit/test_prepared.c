// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/lib/prepared.c: a policy file read whole (or refused
 * when missing, a directory, or larger than a policy may be); a policy
 * built with its generation, SHA-256 and labels, or refused with the
 * compiler's message and nothing returned (invalid text, a missing label
 * directory, a missing --label-scan directory); installed by rename, the
 * old file intact when the directory cannot take it.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "prepared.h"
#include "scratch.h"

#define POLICY "mode enforce\ntier lgwan\ndefault allow\nmedia unregistered deny\n"

static char root[] = "/tmp/dlp-prepared-XXXXXX";

static char *path(const char *rel)
{
	return fmt("%s/%s", root, rel);
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(path(rel), "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd;

	(void)state;
	cmd = fmt("rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
	scratch_free();
	return 0;
}

static void test_read(void **state)
{
	char why[256] = "", *text = NULL;
	size_t len = 0;
	int fd;

	(void)state;
	put("a.policy", POLICY);
	assert_int_equal(dlp_prepared_read(path("a.policy"), &text, &len, why, sizeof(why)), 0);
	assert_int_equal(len, strlen(POLICY));
	assert_string_equal(text, POLICY);
	free(text);

	text = NULL;
	assert_int_equal(dlp_prepared_read(path("none"), &text, &len, why, sizeof(why)), -ENOENT);
	assert_null(text);
	assert_non_null(strstr(why, "none: No such file or directory"));
	assert_int_equal(dlp_prepared_read(root, &text, &len, why, sizeof(why)), -EISDIR);

	/* one byte more than a policy may be: refused, not cut */
	fd = open(path("big.policy"), O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DLP_MAX_POLICY_SIZE + 1), 0);
	close(fd);
	assert_int_equal(dlp_prepared_read(path("big.policy"), &text, &len, why, sizeof(why)),
			 -EFBIG);
	assert_null(text);
	assert_non_null(strstr(why, "larger than a policy may be"));
	/* exactly the limit is read */
	assert_int_equal(truncate(path("big.policy"), DLP_MAX_POLICY_SIZE), 0);
	assert_int_equal(dlp_prepared_read(path("big.policy"), &text, &len, why, sizeof(why)), 0);
	assert_int_equal(len, DLP_MAX_POLICY_SIZE);
	free(text);
	scratch_free();
}

/* Build @text; the compiler's messages land in @diags. */
static int build(const char *text, const char *const *scan, unsigned int nscan, char *diags,
		 size_t len, struct dlp_prepared **ret)
{
	FILE *out = fmemopen(diags, len, "w");
	int err;

	assert_non_null(out);
	err = dlp_prepared_build("t.policy", text, strlen(text), 42, scan, nscan, out, ret);
	fclose(out);
	return err;
}

static void test_build(void **state)
{
	struct dlp_prepared *p = NULL;
	const char *scan[1];
	char diags[1024];
	char *text;

	(void)state;
	assert_int_equal(mkdir(path("share"), 0755), 0);
	text = fmt(POLICY "label dir %s/share 機密性2\nrule r deny write media\n", root);
	assert_int_equal(build(text, NULL, 0, diags, sizeof(diags), &p), 0);
	assert_string_equal(p->name, "t.policy");
	assert_string_equal(p->text, text);
	assert_int_equal(p->len, strlen(text));
	assert_int_equal(p->low.config.generation, 42);
	assert_memory_equal(p->low.config.policy_sha256, p->pol.sha256, 32);
	assert_int_equal(p->pol.nrules, 1);
	assert_int_equal(p->tables.ninodes, 1);
	dlp_prepared_free(p);
	dlp_prepared_free(NULL);

	/* invalid: the compiler's message, nothing returned */
	p = NULL;
	assert_int_equal(build(POLICY "bogus\n", NULL, 0, diags, sizeof(diags), &p), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(diags, "t.policy:5:1: error"));

	/* a label directory this terminal lacks */
	text = fmt(POLICY "label dir %s/missing 機密性2\n", root);
	assert_true(build(text, NULL, 0, diags, sizeof(diags), &p) < 0);
	assert_null(p);
	assert_non_null(strstr(diags, "missing"));

	/* a scan directory that is missing fails the policy, when it has 'label xattr' */
	scan[0] = path("nowhere");
	text = POLICY "label xattr user.dlpguard.label\n";
	assert_true(build(text, scan, 1, diags, sizeof(diags), &p) < 0);
	assert_null(p);
	assert_non_null(strstr(diags, "nowhere"));
	/* without 'label xattr' nothing is scanned */
	assert_int_equal(build(POLICY, scan, 1, diags, sizeof(diags), &p), 0);
	dlp_prepared_free(p);
	scratch_free();
}

static void test_install(void **state)
{
	struct dlp_prepared *p = NULL;
	char diags[256], *got = NULL, why[256];
	struct stat st;
	size_t len;

	(void)state;
	assert_int_equal(build(POLICY, NULL, 0, diags, sizeof(diags), &p), 0);
	put("old.policy", "old\n");
	assert_int_equal(dlp_prepared_install(p, path("old.policy")), 0);
	assert_int_equal(dlp_prepared_read(path("old.policy"), &got, &len, why, sizeof(why)), 0);
	assert_string_equal(got, POLICY);
	free(got);
	assert_int_equal(stat(path("old.policy"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	/* a directory that cannot take it: an error, the file there as it was */
	assert_int_equal(chmod(root, 0555), 0);
	if (!access(root, W_OK)) {
		print_message("root ignores the mode: only the missing directory is tried\n");
	} else {
		assert_int_equal(dlp_prepared_install(p, path("old.policy")), -EACCES);
		assert_int_equal(
			dlp_prepared_read(path("old.policy"), &got, &len, why, sizeof(why)), 0);
		assert_string_equal(got, POLICY);
		free(got);
	}
	assert_int_equal(chmod(root, 0700), 0);
	assert_int_equal(dlp_prepared_install(p, path("no/such/dir/x.policy")), -ENOENT);
	/* no temporary file left beside the one installed */
	assert_int_equal(system(fmt("! ls -A '%s' | grep -q 'policy\\.'", root)), 0);
	dlp_prepared_free(p);
	scratch_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_install),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
