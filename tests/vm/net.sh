#!/bin/sh
# tests/vm/net.sh - the connect and send hooks (bpf/net.bpf.c) on Debian's
# kernels: build/tests/bpf/test_net runs in the guest, where BPF LSM is
# active, so its LSM cases (taint set through a pidfd, `if class >= 2` rules,
# TCP Fast Open, a send after tainting) run beside the cgroup ones. It passes
# only if every case passed and none was skipped.
# vm-timeout: 300
# vm-udev: no
# vm-usb: no
# vm-include: $BUILD/tests/bpf/test_net
. tests/vm/lib/vmtest.sh

vm_check "BPF LSM is active (/sys/kernel/security/lsm: $(cat /sys/kernel/security/lsm))" \
	sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'
[ -x build/tests/bpf/test_net ] || vm_fail "build/tests/bpf/test_net not built (make tests)"

log=/tmp/test_net.log
CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_net >"$log" 2>&1
rc=$?
cat "$log"
vm_eq "test_net exits 0" 0 "$rc"
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log")
vm_eq "every test_net case passed (PASSED line)" 8 "${passed:-0}"
vm_check "no test_net case was skipped" sh -c "! grep -q -e '^SKIP' -e 'SKIPPED' $log"
vm_check "the LSM cases ran" grep -q "^\[       OK \] test_lsm_taint" "$log"
vm_check "the LSM costs were measured" grep -q "^\[       OK \] test_lsm_cost" "$log"
echo "# test_net on $DLPVM_RELEASE: $passed passed, 0 skipped"
