#!/bin/sh
# tests/vm/kmod.sh - dlpguard.ko guards removable block devices from the moment they attach
# (kmod/dlpguard.c). Sticks plugged before the module loads (removable=on and =off) are made
# read-only at load; sticks hot-plugged after it (on and off) are read-only before they can
# be opened: dd to the raw disk and to the partition fails, a read-write mount ends up
# read-only, a partition rescan, a SCSI rescan and a media change (the medium taken out and
# put back) leave them read-only. An internal SATA
# disk is never touched, at load or added again by a SCSI host scan. Neither a loop device
# nor a device-mapper device over a guarded stick can write to it. A stick allowed
# after it attached becomes writable, forgotten read-only again; one allowed before it
# attaches is writable from the start. Loaded and unloaded five times with sticks attached,
# and 20000 ioctls with random numbers, sizes and pointers: no oops, no warning in the
# kernel log. build/tests/bpf/test_kmod checks the ioctl interface.
# vm-timeout: 300
# vm-stick: con serial=KMODON0001 removable=on fs=vfat size=16
# vm-stick: coff serial=KMODOFF001 removable=off fs=vfat size=16
# vm-disk: internal serial=KMODINT001 fs=vfat size=16
# vm-modules: dm_mod
# vm-include: $BUILD/kmod/$KERNEL/dlpguard.ko $BUILD/tests/bpf/test_kmod
. tests/vm/lib/vmtest.sh
. tests/vm/lib/kmod.sh

con=$(dlpvm disk KMODON0001) || vm_fail "stick KMODON0001 not found"
coff=$(dlpvm disk KMODOFF001) || vm_fail "stick KMODOFF001 not found"
int=$(dlpvm disk KMODINT001) || vm_fail "internal disk KMODINT001 not found"
dmesg -c >/dev/null

both() { $1 "$con" && $1 "$coff"; }
vm_check "before the module, the sticks can be written" both rw
vm_check "insmod dlpguard.ko" insmod "$ko"
vm_check "/dev/dlpguard is there, root only" sh -c "[ \"\$(stat -c %a /dev/dlpguard)\" = 600 ]"
vm_check "the cold-plugged removable=on stick is read-only at load" ro "$con"
vm_check "so is the removable=off one (a USB ancestor)" ro "$coff"
vm_check "dd to it fails" refused "$coff"
vm_check "a read-write mount of it is read-only" mounted_ro "$coff"
# A loop device over it: the loop device's writes reach the stick through the block device
# file, which refuses them.
before=$(dd if=/dev/$coff bs=512 skip=100 count=1 2>/dev/null | md5sum)
loop=$(losetup -f) && losetup "$loop" /dev/$coff || vm_fail "losetup over /dev/$coff"
vm_check "dd through a loop device over it fails" sh -c \
	"! dd if=/dev/urandom of=$loop bs=512 count=1 seek=100 conv=fsync 2>/dev/null"
losetup -d "$loop"
vm_eq "and the stick's sector is unchanged" "$before" \
	"$(dd if=/dev/$coff bs=512 skip=100 count=1 2>/dev/null | md5sum)"
# A device-mapper device over it (as dm-crypt over a LUKS stick): its bios go to the stick
# directly, which the read-only flag alone only warns about; the module fails them.
dm=$(build/tests/bpf/test_kmod dm-linear /dev/$coff) || vm_fail "dm-linear over /dev/$coff"
vm_check "dd through a device-mapper device over it fails" sh -c \
	"! dd if=/dev/urandom of=$dm bs=512 count=1 seek=100 oflag=direct conv=fsync 2>/dev/null"
build/tests/bpf/test_kmod dm-remove || vm_fail "dm-remove"
vm_eq "and the stick's sector is unchanged" "$before" \
	"$(dd if=/dev/$coff bs=512 skip=100 count=1 iflag=direct 2>/dev/null | md5sum)"
vm_check "the internal SATA disk is not touched" rw "$int"
vm_check "dd to it works" writes "$int"
dm=$(build/tests/bpf/test_kmod dm-linear /dev/$int) || vm_fail "dm-linear over /dev/$int"
vm_check "so does dd through a device-mapper device over it" \
	dd if=/dev/zero of=$dm bs=512 count=1 seek=100 oflag=direct conv=fsync
build/tests/bpf/test_kmod dm-remove || vm_fail "dm-remove"
# The SATA disk removed and found again: added while the module is loaded.
scsi_readd "$int" KMODINT001
int=$disk_again
vm_check "added again, it is still not touched" rw "$int"
vm_check "dd to it works" writes "$int"

hon=$(dlpvm plug hon serial=KMODHOT0N1 removable=on fs=vfat size=8) || vm_fail "plug hon"
hoff=$(dlpvm plug hoff serial=KMODHOT0F1 removable=off fs=vfat size=8) || vm_fail "plug hoff"
vm_check "a hot-plugged removable=on stick is read-only" ro "$hon"
vm_check "so is a removable=off one" ro "$hoff"
vm_check "dd to the removable=on one fails" refused "$hon"
vm_check "dd to the removable=off one fails" refused "$hoff"
vm_check "a read-write mount is read-only" mounted_ro "$hon"
blockdev --rereadpt "/dev/$hoff"
sleep 1
vm_check "after a partition rescan, still read-only" ro "$hoff"
echo 1 >/sys/block/$hoff/device/rescan
sleep 1
vm_check "after a SCSI rescan, still read-only" ro "$hoff"
vm_check "and dd still fails" refused "$hoff"
# A media change: the removable=on stick's medium taken out and put back (its tray).
vm_check "the medium taken out of the removable=on stick" build/tests/bpf/test_kmod eject /dev/$hon
# sd notices at its next media check: wait for it (at most 5 s)
i=0
until [ "$(cat /sys/block/$hon/size)" = 0 ] || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
vm_check "the disk has no medium" sh -c "[ \$(cat /sys/block/$hon/size) = 0 ]"
vm_check "and put back" build/tests/bpf/test_kmod load /dev/$hon
i=0
until [ "$(cat /sys/block/$hon/size)" != 0 ] && [ -b /dev/${hon}1 ] || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
vm_check "the medium is read again (size, partition)" sh -c \
	"[ \$(cat /sys/block/$hon/size) != 0 ] && [ -b /dev/${hon}1 ]"
vm_check "after the media change, still read-only" ro "$hon"
vm_check "and dd fails" refused "$hon"

vm_check "allow the hot removable=off stick" build/tests/bpf/test_kmod allow KMODHOT0F1
vm_check "it is writable now" rw "$hoff"
vm_check "dd to it works" writes "$hoff"
vm_check "its neighbour stays read-only" ro "$hon"
vm_check "forget it" build/tests/bpf/test_kmod forget KMODHOT0F1
vm_check "read-only again" ro "$hoff"
vm_check "allow a stick before it attaches" build/tests/bpf/test_kmod allow KMODLATE01
late=$(dlpvm plug late serial=KMODLATE01 removable=on fs=vfat size=8) || vm_fail "plug late"
vm_check "it is writable from the start" rw "$late"
vm_check "dd to it works" writes "$late"
# The module holds each event until a reader acknowledges it: `peek` reads them and does not.
build/tests/bpf/test_kmod peek >/tmp/peek1.out
build/tests/bpf/test_kmod peek >/tmp/peek2.out
vm_check "events not acknowledged are read again by the next reader" sh -c \
	"[ -s /tmp/peek1.out ] && cmp /tmp/peek1.out /tmp/peek2.out"
build/tests/bpf/test_kmod events >/tmp/events.out
cat /tmp/events.out
vm_check "the same events, acknowledged by their reader" cmp /tmp/peek1.out /tmp/events.out
vm_eq "no reader gets them again" 0 "$(build/tests/bpf/test_kmod peek | wc -l)"
vm_check "the events name the sticks" sh -c "grep -q '^attach $late 46f4:0001 KMODLATE01 rw usb' /tmp/events.out &&
	grep -q '^released $hoff 46f4:0001 KMODHOT0F1 rw usb' /tmp/events.out &&
	grep -q '^guarded $hoff 46f4:0001 KMODHOT0F1 ro usb' /tmp/events.out"
dlpvm unplug hon >/dev/null || vm_fail "unplug hon"
build/tests/bpf/test_kmod events >/tmp/events.out
vm_check "an unplugged stick is a detach event" grep -q "^detach $hon 46f4:0001 KMODHOT0N1" /tmp/events.out

CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_kmod
vm_eq "test_kmod: the ioctl interface" 0 "$?"
vm_check "20000 random ioctls return" build/tests/bpf/test_kmod fuzz 20000
vm_check "a user other than root cannot open it" sh -c \
	"! su -s /bin/sh nobody -c 'cat /dev/dlpguard' 2>/dev/null"

kmod_reload 5
vm_ok "five unloads and loads with sticks attached"
vm_check "after them, the sticks are read-only" both ro
rmmod dlpguard || vm_fail "rmmod"
kmod_log_clean
vm_ok "done"
