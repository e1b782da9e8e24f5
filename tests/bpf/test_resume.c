// SPDX-License-Identifier: GPL-2.0
/*
 * VM test tool, for tests/vm/resume.sh: the read position of dlpd's pinned
 * ring buffer (/sys/fs/bpf/dlpguard/maps/dlp_events).  `test_resume
 * consumer` prints it; `test_resume rewind POS` sets it back to POS, one
 * that `consumer` printed before, so that records a dlpd has read are
 * unread again: the state a dlpd killed after writing a record's line, but
 * before the ring buffer learnt it was read, leaves behind.  POS must not
 * be past the position now, nor so far back that the producer has written
 * over it.
 *
 * Run without arguments, as the host's "bpf" suite does, it prints
 * "SKIP: <reason>" and exits 77: it needs dlpd's pins, in the VM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>

#define EXIT_SKIP  77
#define EVENTS_PIN "/sys/fs/bpf/dlpguard/maps/dlp_events"

int main(int argc, char **argv)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	unsigned long pos, *cons;
	const unsigned long *prod;
	long page = sysconf(_SC_PAGESIZE);
	char *end;
	int fd;

	if (argc < 2) {
		printf("SKIP: test_resume is a tool of tests/vm/resume.sh, run in the VM with "
		       "dlpd's pins\n");
		return EXIT_SKIP;
	}
	if (!(argc == 2 && !strcmp(argv[1], "consumer")) &&
	    !(argc == 3 && !strcmp(argv[1], "rewind"))) {
		fprintf(stderr, "usage: %s consumer | rewind POS\n", argv[0]);
		return 2;
	}
	fd = bpf_obj_get(EVENTS_PIN);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "%s: %s\n", EVENTS_PIN, strerror(errno));
		return 1;
	}
	/* The consumer page is writable; the producer's is not. */
	cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	if (cons == MAP_FAILED || prod == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", EVENTS_PIN, strerror(errno));
		return 1;
	}
	if (argc == 2) {
		printf("%lu\n", __atomic_load_n(cons, __ATOMIC_ACQUIRE));
		return 0;
	}
	errno = 0;
	pos = strtoul(argv[2], &end, 10);
	if (errno || end == argv[2] || *end) {
		fprintf(stderr, "%s: not a position\n", argv[2]);
		return 2;
	}
	if (pos > *cons || __atomic_load_n(prod, __ATOMIC_ACQUIRE) - pos > info.max_entries) {
		fprintf(stderr, "%lu: not between %lu and the position now, %lu\n", pos,
			*prod > info.max_entries ? *prod - info.max_entries : 0, *cons);
		return 1;
	}
	__atomic_store_n(cons, pos, __ATOMIC_RELEASE);
	return 0;
}
