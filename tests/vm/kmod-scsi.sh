#!/bin/sh
# tests/vm/kmod-scsi.sh - dlpguard.ko guards a disk that reports removable media on neither
# USB nor SD (a SCSI disk with removable=1 on a virtio-scsi controller), by that flag alone.
# Attached before the module loads it is read-only at load; removed and found again by a
# SCSI host scan, read-only from attach: dd to disk and partition fails, a read-write mount
# is read-only. It has no identity the ledger names: allowing its serial on USB or on mmc
# releases nothing, and its attach event says it is on no bus. No oops or warning.
# vm-timeout: 200
# vm-usb: no
# vm-disk: rdisk serial=KMODSCSI01 removable=on fs=vfat size=16
# vm-include: $BUILD/kmod/$KERNEL/dlpguard.ko $BUILD/tests/bpf/test_kmod
. tests/vm/lib/vmtest.sh
. tests/vm/lib/kmod.sh

disk=
for d in /sys/block/sd*; do
	[ "$(cat $d/removable)" = 1 ] && disk=${d##*/}
done
[ -n "$disk" ] || vm_fail "no disk reporting removable media: $(ls /sys/block)"
readlink -f /sys/block/$disk
vm_check "it is below no USB device and no SD card" sh -c \
	"! readlink -f /sys/block/$disk | grep -q -e /usb -e /mmc"
dmesg -c >/dev/null

vm_check "before the module, it can be written" rw $disk
vm_check "insmod dlpguard.ko" insmod "$ko"
vm_check "it is read-only at load" ro $disk
vm_check "dd to it fails" refused $disk
vm_check "a read-write mount of it is read-only" mounted_ro $disk

scsi_readd $disk KMODSCSI01
disk=$disk_again
vm_ok "found again by a scan of $scsi_host: $disk"
vm_check "it is read-only from attach" ro $disk
vm_check "dd to it fails" refused $disk
vm_check "a read-write mount is read-only" mounted_ro $disk
build/tests/bpf/test_kmod events >/tmp/events.out
cat /tmp/events.out
vm_check "its attach event says it is on no bus" grep -q "^attach $disk 0000:0000 - ro lost" \
	/tmp/events.out

vm_eq "udev's serial" KMODSCSI01 \
	"$(udevadm info -q property /dev/$disk | sed -n 's/^ID_SERIAL_SHORT=//p')"
vm_check "allowing its serial on USB" build/tests/bpf/test_kmod allow KMODSCSI01
vm_check "and on mmc" build/tests/bpf/test_kmod allow mmc 0000:0000 KMODSCSI01
vm_check "releases nothing" ro $disk
rmmod dlpguard || vm_fail "rmmod"
vm_check "unloaded, the module leaves it read-only" ro $disk
kmod_log_clean
vm_ok "done"
