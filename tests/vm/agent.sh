#!/bin/sh
# tests/vm/agent.sh - every BPF object loaded together through the library's loader
# (user/lib/loader.c), as dlpd loads them: each map name one kernel map in all objects, and a
# process that read a 機密性2 file refused every way out - the mount of an unregistered stick
# (media unregistered deny), a copy, write, pwrite, writev, copy_file_range, sendfile, splice,
# truncate, ftruncate, rename, link and shared writable mmap on the mounted stick, TCP and UDP
# connects and UDP sendto, IPv4 and IPv6, to a forbidden zone (addresses of a fresh network
# namespace: nothing leaves the VM) - one record each; untainted, the same succeed; detached,
# a forbidden copy and connect succeed. On 6.12 the same for a file labelled only by its user.*
# attribute, read by the kernel (skipped on 6.1, which cannot: test_label_xattr covers dlpd's
# resolver there). build/tests/bpf/test_agent does the work.
# vm-timeout: 400
# vm-stick: unreg serial=DLPAGENT-UN removable=on fs=ext4 size=16
# vm-include: $BUILD/tests/bpf/test_agent
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_agent ] || vm_skip "build/tests/bpf/test_agent not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

unreg=$(dlpvm disk DLPAGENT-UN) || vm_fail "stick DLPAGENT-UN not found"

export DLP_STICK_UNREG=$unreg
CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_agent >/tmp/agent.out
rc=$?
cat /tmp/agent.out
skipped=$(sed -n 's/^\[  SKIPPED \] \(test_.*\)/\1/p' /tmp/agent.out | tr '\n' ' ')
case $rc in
0) vm_ok "test_agent on $DLPVM_KERNEL: every case passed${skipped:+ but those skipped: $skipped}" ;;
77) vm_skip "test_agent skipped itself" ;;
*) vm_fail "test_agent on $DLPVM_KERNEL: exit status $rc" ;;
esac
