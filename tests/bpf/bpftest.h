/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF tests share.  Include after <cmocka.h> and <bpf/libbpf.h>.
 */
#ifndef DLP_TEST_BPFTEST_H
#define DLP_TEST_BPFTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>

/*
 * Whether a failed load (@err, a positive errno) is the kernel refusing BPF to
 * this process (EPERM) or having none (ENOSYS): then the test cannot run
 * here, and this says SKIP and why.  Other errors are the test's to report.
 */
static inline bool bpftest_refused(int err)
{
	if (err == ENOSYS) {
		printf("SKIP: this kernel has no bpf() system call (ENOSYS)\n");
		return true;
	}
	if (err != EPERM)
		return false;
	if (geteuid())
		printf("SKIP: loading BPF programs needs root (euid %u; EPERM)\n", geteuid());
	else
		printf("SKIP: the kernel refuses BPF to this root process (EPERM: capabilities "
		       "dropped, lockdown?)\n");
	return true;
}

/* The kernel's id of the map behind @fd (0 if it cannot be read): one id, one map. */
static inline __u32 map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* For each loaded program of @obj: the verifier's work and the program's size. */
static inline void print_verifier_stats(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		print_message("verifier: %-28s %6u processed, %4u insns, %5u bytes jited\n",
			      bpf_program__name(prog), info.verified_insns,
			      info.xlated_prog_len / 8, info.jited_prog_len);
	}
}

#endif /* DLP_TEST_BPFTEST_H */
