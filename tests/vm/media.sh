#!/bin/sh
# tests/vm/media.sh - removable media as devices (bpf/media.bpf.c): with the
# media programs attached, the ledger and the mount/write rules decide mounts
# (mount(2) and fsconfig), remounts, raw write opens, writes on old fds and
# BLKROSET/SG_IO of USB sticks; devices in no map entry fail closed; internal
# disks, tmpfs and proc are untouched; detached, the same mount succeeds.
# build/tests/bpf/test_media does the work; this script gives it the devices.
# vm-timeout: 300
# vm-stick: reg serial=DLPMEDIA-RW removable=on fs=vfat size=16
# vm-stick: ro serial=DLPMEDIA-RO removable=off fs=ext4 size=16
# vm-stick: unreg serial=DLPMEDIA-UN removable=off fs=vfat size=16
# vm-include: $BUILD/tests/bpf/test_media
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_media ] || vm_skip "build/tests/bpf/test_media not built"

reg=$(dlpvm disk DLPMEDIA-RW) || vm_fail "stick DLPMEDIA-RW not found"
ro=$(dlpvm disk DLPMEDIA-RO) || vm_fail "stick DLPMEDIA-RO not found"
unreg=$(dlpvm disk DLPMEDIA-UN) || vm_fail "stick DLPMEDIA-UN not found"
vm_eq "the rw stick reports removable=1" 1 "$(cat "/sys/block/$reg/removable")"
vm_eq "the ro stick reports removable=0" 0 "$(cat "/sys/block/$ro/removable")"
vm_eq "the unregistered stick reports removable=0" 0 "$(cat "/sys/block/$unreg/removable")"

# Two loop devices holding a vfat image: one the test marks internal, one it
# leaves out of the device map. Set up before the programs are attached, since
# losetup opens the loop device for writing.
for n in 0 1; do
	dd if=/dev/zero of=/tmp/loop$n.img bs=1M count=8 2>/dev/null &&
		mkdosfs /tmp/loop$n.img >/dev/null &&
		losetup /dev/loop$n /tmp/loop$n.img || vm_fail "set up /dev/loop$n"
done
vm_ok "loop0 and loop1 hold vfat images"

export DLP_STICK_REG=$reg DLP_STICK_RO=$ro DLP_STICK_UNREG=$unreg
export DLP_LOOP_INTERNAL=loop0 DLP_LOOP_UNKNOWN=loop1
CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_media
rc=$?
case $rc in
0) vm_ok "test_media: every case passed" ;;
77) exit 77 ;;
*) vm_fail "test_media: exit status $rc" ;;
esac
