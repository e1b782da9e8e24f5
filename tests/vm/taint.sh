#!/bin/sh
# tests/vm/taint.sh - labels and taint in the kernel (docs/hooks.md §3, §4): reading a file
# under a label directory or with a prefix label taints the process with its 機密性, the
# highest is kept, write-only opens do not taint, children, exec, threads and received fds
# carry it; detached, nothing taints. The cases are build/tests/bpf/test_taint's.
# vm-timeout: 300
# vm-usb: no
# vm-udev: no
# vm-include: $BUILD/tests/bpf/test_taint
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_taint ] || vm_skip "build/tests/bpf/test_taint not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

build/tests/bpf/test_taint
rc=$?
[ "$rc" -eq 77 ] && vm_skip "test_taint skipped itself"
vm_eq "test_taint on $DLPVM_KERNEL: labels, taint raise, inherit, exec, receive" 0 "$rc"
