# tests/vm/lib/vmtest.sh - assertions for guest tests (busybox sh), sourced as
#   . tests/vm/lib/vmtest.sh
# from a test under tests/vm/ (the guest runs tests from /dlp, a copy of the repo's
# test files and binaries). Each check prints "ok - WHAT" or "not ok - WHAT";
# the first failure ends the test with status 1. vm_skip ends it with 77 (SKIP).

vm_n=0

# vm_ok WHAT: record a check that passed.
vm_ok() {
	vm_n=$((vm_n + 1))
	echo "ok $vm_n - $*"
}

# vm_fail WHAT: record a failed check and end the test.
vm_fail() {
	vm_n=$((vm_n + 1))
	echo "not ok $vm_n - $*"
	exit 1
}

# vm_check WHAT CMD...: run CMD; ok if it exits 0.
vm_check() {
	what=$1
	shift
	if "$@"; then
		vm_ok "$what"
	else
		vm_fail "$what (failed: $*)"
	fi
}

# vm_eq WHAT EXPECTED ACTUAL: ok if the two strings are equal.
vm_eq() {
	if [ "$2" = "$3" ]; then
		vm_ok "$1"
	else
		vm_fail "$1: expected '$2', got '$3'"
	fi
}

# vm_skip REASON: the test cannot run here; end it with status 77.
vm_skip() {
	echo "SKIP: $*"
	exit 77
}

# vm_udev_prop DEV KEY: print udev's value of property KEY for /dev/DEV.
vm_udev_prop() {
	udevadm info --query=property --name="/dev/$1" | sed -n "s/^$2=//p"
}
