#!/bin/sh
# tests/vm/write.sh - writes to files on removable media (bpf/write.bpf.c): a process that read
# a 機密性2 file is refused on a stick by every write path (new file, open for write, write,
# pwrite, writev, copy_file_range, sendfile, splice, ftruncate, truncate, link, rename, shared
# writable mmap, mprotect), untainted and 機密性1 writers pass, the registered stick audits,
# the internal disk and tmpfs are not judged; monitor mode, the ledger ceiling, and a control
# with the programs detached. The taint object's dlp_taint is shared by bpf_map__reuse_fd().
# build/tests/bpf/test_write does the work; this script gives it the devices.
# vm-timeout: 400
# vm-stick: reg serial=DLPWRITE-RW removable=on fs=vfat size=16
# vm-stick: unreg serial=DLPWRITE-UN removable=on fs=ext4 size=16
# vm-include: $BUILD/tests/bpf/test_write
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_write ] || vm_skip "build/tests/bpf/test_write not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPWRITE-RW) || vm_fail "stick DLPWRITE-RW not found"
unreg=$(dlpvm disk DLPWRITE-UN) || vm_fail "stick DLPWRITE-UN not found"

# The internal disk: a loop device holding a vfat image, set up before anything is attached.
dd if=/dev/zero of=/tmp/internal.img bs=1M count=8 2>/dev/null &&
	mkdosfs /tmp/internal.img >/dev/null &&
	losetup /dev/loop0 /tmp/internal.img || vm_fail "set up /dev/loop0"
vm_ok "loop0 holds a vfat image (the internal disk)"

export DLP_STICK_REG=$reg DLP_STICK_UNREG=$unreg DLP_LOOP_INTERNAL=loop0
CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_write
rc=$?
case $rc in
0) vm_ok "test_write on $DLPVM_KERNEL: every case passed" ;;
77) vm_skip "test_write skipped itself" ;;
*) vm_fail "test_write on $DLPVM_KERNEL: exit status $rc" ;;
esac
