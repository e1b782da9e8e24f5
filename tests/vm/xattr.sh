#!/bin/sh
# tests/vm/xattr.sh - labels read from an extended attribute in the kernel (docs/hooks.md §3,
# bpf/xattr.bpf.c): opening a file whose user.* label attribute holds 機密性 taints the opener
# with it, a malformed or too long value fails closed to the highest class, 完全性 alone,
# other attribute names, directories and write-only opens taint nothing, the highest is kept;
# detached, nothing taints. Needs bpf_get_file_xattr: skips on 6.1. The cases are
# build/tests/bpf/test_xattr's.
# vm-timeout: 300
# vm-usb: no
# vm-udev: no
# vm-include: $BUILD/tests/bpf/test_xattr
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_xattr ] || vm_skip "build/tests/bpf/test_xattr not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

build/tests/bpf/test_xattr
rc=$?
[ "$rc" -eq 77 ] && vm_skip "test_xattr skipped itself"
vm_eq "test_xattr on $DLPVM_KERNEL: xattr labels, fail closed, highest kept, detached" 0 "$rc"
