#!/bin/sh
# tests/vm/kmod-sd.sh - dlpguard.ko guards SD cards (kmod/dlpguard.c), which udev and the
# module know by the card's manfid, oemid and serial, not a USB device. A card in the slot
# before the module loads is read-only at load; the card added again (the controller
# unbound and bound) is read-only from attach: dd to disk and partition fails, a
# read-write mount is read-only, a partition rescan changes nothing. Allowed by its mmc
# identity it is writable, also when it attaches again; the same serial allowed on USB
# does not release it. Unloaded and loaded with the card attached; no oops or warning.
# vm-timeout: 200
# vm-usb: no
# vm-sd: card fs=vfat size=32
# vm-include: $BUILD/kmod/$KERNEL/dlpguard.ko $BUILD/tests/bpf/test_kmod
. tests/vm/lib/vmtest.sh
. tests/vm/lib/kmod.sh

# QEMU's card (docs/testing.md): manfid 0xaa, oemid 0x5859, serial 0xdeadbeef.
id=00aa:5859
serial=0xdeadbeef
card=mmcblk0
[ -b /dev/$card ] || vm_fail "no SD card: $(ls /sys/block)"
vm_eq "the card's serial, as sysfs has it" "$serial" "$(cat /sys/block/$card/device/serial)"
pci=$(readlink -f /sys/block/$card | sed -n 's|^/sys/devices/pci[^/]*/\([^/]*\)/.*|\1|p')
[ -e "/sys/bus/pci/drivers/sdhci-pci/$pci" ] || vm_fail "no sdhci-pci function for $card ($pci)"
dmesg -c >/dev/null

# reinsert: the controller unbound and bound again; the card attaches anew, as $card (its
# name may change: mmcblk0's number may not be free yet).
reinsert() {
	echo "$pci" >/sys/bus/pci/drivers/sdhci-pci/unbind || return 1
	i=0
	while [ -e /sys/block/$card ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ ! -e /sys/block/$card ] || return 1
	echo "$pci" >/sys/bus/pci/drivers/sdhci-pci/bind || return 1
	i=0
	card=
	while [ -z "$card" ] && [ $i -lt 100 ]; do
		for d in /sys/block/mmcblk*; do
			[ -b "/dev/$(part ${d##*/})" ] && card=${d##*/}
		done
		[ -n "$card" ] || sleep 0.1
		i=$((i + 1))
	done
	udevadm settle
	[ -n "$card" ]
}

vm_check "before the module, the card can be written" rw $card
vm_check "insmod dlpguard.ko" insmod "$ko"
vm_check "the card in the slot is read-only at load" ro $card
vm_check "dd to it fails" refused $card
vm_check "a read-write mount of it is read-only" mounted_ro $card

vm_check "the card attaches again" reinsert
vm_check "it is read-only from attach" ro $card
vm_check "dd to it fails" refused $card
vm_check "a read-write mount is read-only" mounted_ro $card
blockdev --rereadpt /dev/$card
sleep 1
vm_check "after a partition rescan, still read-only" ro $card
build/tests/bpf/test_kmod events >/tmp/events.out
cat /tmp/events.out
vm_check "the events name the card by its mmc identity" grep -q \
	"^attach $card $id $serial ro mmc" /tmp/events.out

vm_check "allowing its serial on USB" build/tests/bpf/test_kmod allow $serial
vm_check "does not release it" ro $card
vm_check "allow it by its mmc identity" build/tests/bpf/test_kmod allow mmc $id $serial
vm_check "it is writable now" rw $card
vm_check "dd to it works" writes $card
vm_check "the card attaches again" reinsert
vm_check "allowed, it is writable from attach" rw $card
vm_check "dd to it works" writes $card
vm_check "forget it" build/tests/bpf/test_kmod forget mmc $id $serial
vm_check "read-only again" ro $card
vm_check "and dd fails" refused $card

kmod_reload 3
vm_ok "three unloads and loads with the card attached"
vm_check "after them, the card is read-only" ro $card
rmmod dlpguard || vm_fail "rmmod"
vm_check "unloaded, the module leaves it read-only" ro $card
kmod_log_clean
vm_ok "done"
