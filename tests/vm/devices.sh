#!/bin/sh
# tests/vm/devices.sh - block devices seen through libudev (user/lib/devices.c):
# cold-plugged sticks with removable=on and removable=off are both media with
# QEMU's ids and the harness's serials, a loop device is internal, the ledger
# registers one stick and not the other, verdicts go into a dlp_media-shaped
# map, and a hot-plugged stick arrives as add and leaves as remove on the
# monitor. build/tests/bpf/test_devices does the work; this script gives it
# the devices.
# vm-timeout: 180
# vm-stick: on serial=DLPDEV-ON removable=on fs=vfat size=8
# vm-stick: off serial=DLPDEV-OFF removable=off fs=ext4 size=8
# vm-include: $BUILD/tests/bpf/test_devices
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_devices ] || vm_skip "build/tests/bpf/test_devices not built"

on=$(dlpvm disk DLPDEV-ON) || vm_fail "stick DLPDEV-ON not found"
off=$(dlpvm disk DLPDEV-OFF) || vm_fail "stick DLPDEV-OFF not found"
vm_eq "the removable=on stick reports removable=1" 1 "$(cat "/sys/block/$on/removable")"
vm_eq "the removable=off stick reports removable=0" 0 "$(cat "/sys/block/$off/removable")"
vm_eq "udev's vendor id of QEMU's usb-storage" 46f4 "$(vm_udev_prop "$on" ID_VENDOR_ID)"
vm_eq "udev's product id of QEMU's usb-storage" 0001 "$(vm_udev_prop "$on" ID_MODEL_ID)"
vm_eq "udev's serial is the harness's" DLPDEV-OFF "$(vm_udev_prop "$off" ID_SERIAL_SHORT)"

# The VM has no internal disk of its own: a loop device stands for one.
dd if=/dev/zero of=/tmp/internal.img bs=1M count=8 2>/dev/null &&
	losetup /dev/loop0 /tmp/internal.img || vm_fail "set up /dev/loop0"
udevadm settle --timeout=30 || vm_fail "udevadm settle after losetup"
vm_ok "loop0 holds an image"

export DLP_STICK_ON=$on DLP_STICK_OFF=$off DLP_LOOP_INTERNAL=loop0
CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_devices
rc=$?
case $rc in
0) vm_ok "test_devices: every case passed" ;;
77) exit 77 ;;
*) vm_fail "test_devices: exit status $rc" ;;
esac
