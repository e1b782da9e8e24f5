# tests/vm/lib/kmod.sh - checks of a disk's write guard in a guest test (busybox sh), sourced
# after vmtest.sh:  . tests/vm/lib/kmod.sh
# Each DISK is a kernel name (sdb, mmcblk0) whose first partition the harness made (sdb1,
# mmcblk0p1). Sets $ko, the module for this kernel, and skips the test when it or test_kmod
# was not built.

ko=build/kmod/$DLPVM_KERNEL/dlpguard.ko
[ -f "$ko" ] || vm_skip "$ko not built (make kmod-vm: no headers for $DLPVM_KERNEL?)"
[ -x build/tests/bpf/test_kmod ] || vm_skip "build/tests/bpf/test_kmod not built (make tests)"
mkdir -p /mnt/k

# part DISK: its first partition (sdb1, mmcblk0p1).
part() {
	case $1 in
	*[0-9])	echo "${1}p1" ;;
	*)	echo "${1}1" ;;
	esac
}
ro() { [ "$(cat /sys/block/$1/ro)" = 1 ] && [ "$(blockdev --getro /dev/$(part $1))" = 1 ]; }
rw() { [ "$(cat /sys/block/$1/ro)" = 0 ] && [ "$(blockdev --getro /dev/$(part $1))" = 0 ]; }
# writes DISK: one sector written to the partition and to the disk itself (both or nothing).
writes() {
	dd if=/dev/zero of=/dev/$(part $1) bs=512 count=1 seek=2000 conv=fsync 2>/dev/null &&
		dd if=/dev/zero of=/dev/$1 bs=512 count=1 seek=100 conv=fsync 2>/dev/null
}
refused() {
	! dd if=/dev/zero of=/dev/$(part $1) bs=512 count=1 seek=2000 conv=fsync 2>/dev/null &&
		! dd if=/dev/zero of=/dev/$1 bs=512 count=1 seek=100 conv=fsync 2>/dev/null
}
# mounted_ro DISK: a read-write mount is refused or made read-only; nothing can be created.
mounted_ro() {
	mount -t vfat /dev/$(part $1) /mnt/k 2>/dev/null || return 0
	grep -q " /mnt/k vfat ro," /proc/mounts && ! touch /mnt/k/x 2>/dev/null
	r=$?
	umount /mnt/k
	return $r
}

# kmod_log_clean: the kernel log since the test began has no oops, BUG or warning.
kmod_log_clean() {
	dmesg >/tmp/dmesg.out
	grep dlpguard /tmp/dmesg.out | tail -5
	vm_check "no oops, BUG or warning in the kernel log" sh -c \
		"! grep -E 'Oops|BUG:|WARNING:|general protection|Call Trace' /tmp/dmesg.out"
}

# kmod_reload N: unload and load the module N times; a round that fails fails the test.
kmod_reload() {
	n=0
	while [ $n -lt $1 ]; do
		rmmod dlpguard && insmod "$ko" || vm_fail "rmmod/insmod round $n"
		n=$((n + 1))
	done
}

# scsi_readd DISK SERIAL: delete the SCSI disk DISK (checked: it is gone), then find it
# again, by SERIAL, after a scan of its host: it is added anew while the module is loaded,
# maybe under another name (sda's number may not be free yet). Sets $disk_again, $scsi_host.
scsi_readd() {
	scsi_host=$(readlink -f /sys/block/$1 | sed -n 's|.*/\(host[0-9]*\)/.*|\1|p')
	echo 1 >/sys/block/$1/device/delete
	vm_check "$1 removed by a SCSI delete" test ! -e /sys/block/$1
	echo "- - -" >/sys/class/scsi_host/$scsi_host/scan
	disk_again=$(dlpvm disk "$2") || vm_fail "disk $2 not found after a scan of $scsi_host"
}
