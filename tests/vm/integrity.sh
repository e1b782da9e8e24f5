#!/bin/sh
# tests/vm/integrity.sh - 書換禁止・削除禁止 (bpf/integrity.bpf.c): a 完全性2 file may be rewritten,
# truncated or renamed only by the group the policy allows and deleted by nobody; a non-member is
# refused (EPERM, one record each) for open for write, O_TRUNC, write and ftruncate on an earlier
# fd, truncate, rename, link, setxattr, removexattr, unlink, rmdir, and making a new name in the
# directory; the same under a `modify`/`delete path` directory; an unlabelled file is not judged;
# monitor mode; a control with the programs detached. The label and taint maps are the taint object's, shared by
# bpf_map__reuse_fd(). build/tests/bpf/test_integrity does the work.
# vm-timeout: 300
# vm-usb: no
# vm-udev: no
# vm-include: $BUILD/tests/bpf/test_integrity
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_integrity ] || vm_skip "build/tests/bpf/test_integrity not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

# The files live on an ext2 image (the ext4 driver): unlike 6.1's tmpfs it keeps user.*
# attributes, which the setxattr and removexattr cases change.
mkdir -p /tmp/dlpint &&
	dd if=/dev/zero of=/tmp/dlpint.img bs=1M count=8 2>/dev/null &&
	losetup /dev/loop0 /tmp/dlpint.img &&
	mke2fs -q /dev/loop0 &&
	mount -t ext4 /dev/loop0 /tmp/dlpint || vm_fail "set up an ext2 filesystem on /tmp/dlpint"
vm_ok "/tmp/dlpint is an ext2 image on loop0"

CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_integrity
rc=$?
case $rc in
0) vm_ok "test_integrity on $DLPVM_KERNEL: every case passed" ;;
77) vm_skip "test_integrity skipped itself" ;;
*) vm_fail "test_integrity on $DLPVM_KERNEL: exit status $rc" ;;
esac
