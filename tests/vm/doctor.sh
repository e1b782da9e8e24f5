#!/bin/sh
# tests/vm/doctor.sh - what `dlpctl doctor` reports (user/lib/doctor.c), gathered and judged in
# the guest by build/tests/bpf/test_doctor_vm at three stages: before dlpd runs, nothing is
# pinned and every control says "start dlpd"; with dlpd running policy/default.policy, every
# LSM control and the cgroup hooks are enforced, mode enforce, status 0, and label attributes in
# the kernel are available (unused by that policy) on 6.12, unavailable on 6.1; with the same
# policy in monitor mode, monitor-only, status 3; with it naming a user.* label attribute, the
# kernel reads it on 6.12 (enforced, status 0) and nothing does on 6.1 (unavailable, a gap,
# status 4).
# vm-timeout: 400
# vm-include: $BUILD/dlpd $BUILD/tests/bpf/test_doctor_vm policy/default.policy
. tests/vm/lib/vmtest.sh

[ -x build/dlpd ] || vm_skip "build/dlpd not built (make)"
[ -x build/tests/bpf/test_doctor_vm ] ||
	vm_skip "build/tests/bpf/test_doctor_vm not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

# The directories policy/default.policy labels must exist for dlpd to place them.
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集
sed 's/^mode enforce/mode monitor/' policy/default.policy >/tmp/monitor.policy
grep -q '^mode monitor' /tmp/monitor.policy || vm_fail "no monitor copy of the default policy"
{ cat policy/default.policy; echo "label xattr user.dlpguard.label"; } >/tmp/xattr.policy

# doctor STAGE: run the driver for STAGE; ok if every case passed.
doctor() {
	CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_doctor_vm "$1" >/tmp/doctor.out 2>&1
	rc=$?
	cat /tmp/doctor.out
	case $rc in
	0) vm_ok "doctor on $DLPVM_KERNEL, $1: as expected" ;;
	77) vm_skip "test_doctor_vm skipped itself" ;;
	*) vm_fail "doctor on $DLPVM_KERNEL, $1: exit status $rc" ;;
	esac
}

# start POLICY: run dlpd in the background; wait (at most 60 s) until it says it enforces.
start() {
	: >/tmp/dlpd.out # emptied here, not by the background job, which may start late
	build/dlpd --policy "$1" --log /tmp/d.jsonl >>/tmp/dlpd.out 2>&1 &
	dlpd_pid=$!
	i=0
	while [ $i -lt 60 ]; do
		grep -q "enforcing" /tmp/dlpd.out && return 0
		kill -0 "$dlpd_pid" 2>/dev/null || break
		sleep 1
		i=$((i + 1))
	done
	cat /tmp/dlpd.out
	return 1
}

# stop: SIGTERM dlpd, then remove its pins so that the next start loads afresh.
stop() {
	kill -TERM "$dlpd_pid" && wait "$dlpd_pid" && build/dlpd --unload
}

doctor before
vm_check "dlpd starts with the default policy" start policy/default.policy
doctor enforce
echo "pinned links:"
ls /sys/fs/bpf/dlpguard/links
vm_check "dlpd stops and unloads" stop
vm_check "dlpd starts with the default policy in monitor mode" start /tmp/monitor.policy
doctor monitor
vm_check "dlpd stops and unloads" stop
vm_check "dlpd starts with the default policy and a label attribute" start /tmp/xattr.policy
doctor xattr
vm_check "dlpd stops and unloads" stop
