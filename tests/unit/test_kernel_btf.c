// SPDX-License-Identifier: GPL-2.0
/* Unit tests for user/lib/kernel_btf.c, on the running kernel's own BTF. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "kernel_btf.h"

static void test_nargs(void **state)
{
	(void)state;
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip();
	/* int bpf_lsm_file_open(struct file *file): every kernel with BPF LSM */
	assert_int_equal(dlp_kernel_func_nargs("bpf_lsm_file_open"), 1);
	/* (struct file *, int mask) */
	assert_int_equal(dlp_kernel_func_nargs("bpf_lsm_file_permission"), 2);
	assert_int_equal(dlp_kernel_func_nargs("dlp_no_such_function"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nargs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
