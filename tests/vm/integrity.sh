#!/bin/sh
# tests/vm/integrity.sh - 書換禁止・削除禁止 (bpf/integrity.bpf.c): a 完全性2 file may be rewritten,
# truncated or renamed only by the group the policy allows and deleted by nobody; a non-member is
# refused (EPERM, one record each) for open for write, O_TRUNC, write and ftruncate on an earlier
# fd, truncate, rename, unlink and rmdir; an unlabelled file is not judged; monitor mode; a
# control with the programs detached. The label and taint maps are the taint object's, shared by
# bpf_map__reuse_fd(). build/tests/bpf/test_integrity does the work.
# vm-timeout: 300
# vm-usb: no
# vm-udev: no
# vm-include: $BUILD/tests/bpf/test_integrity
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_integrity ] || vm_skip "build/tests/bpf/test_integrity not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_integrity
rc=$?
case $rc in
0) vm_ok "test_integrity on $DLPVM_KERNEL: every case passed" ;;
77) vm_skip "test_integrity skipped itself" ;;
*) vm_fail "test_integrity on $DLPVM_KERNEL: exit status $rc" ;;
esac
