// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_btf.h"

/**
 * dlp_kernel_func_nargs() - how many arguments a kernel function takes
 * @name: the function, e.g. "bpf_lsm_inode_setattr" for the LSM hook
 *        inode_setattr as BPF LSM programs attach to it
 *
 * Return: the number of arguments in the running kernel's BTF, -ENOENT if
 * the kernel has no such function, or -errno if its BTF cannot be read.
 */
int dlp_kernel_func_nargs(const char *name)
{
	const struct btf_type *fn;
	struct btf *btf;
	int id, ret;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id > 0) {
		fn = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		ret = btf_vlen(fn);
	} else {
		ret = -ENOENT;
	}
	btf__free(btf);
	return ret;
}
