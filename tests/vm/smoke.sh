#!/bin/sh
# tests/vm/smoke.sh - the VM test bed works on this kernel: BPF LSM is active,
# BTF is there, a cold-plugged stick is seen, a hot-plugged stick appears as a
# block device whose USB serial udev reports, unplugging removes it, and the
# project's binaries run.
# vm-timeout: 120
# vm-stick: fixed serial=SMOKE-FIXED-0001 removable=off fs=ext4
. tests/vm/lib/vmtest.sh

vm_eq "the guest runs Debian's $DLPVM_KERNEL kernel" "$DLPVM_RELEASE" "$(uname -r)"
vm_check "BPF LSM is active (/sys/kernel/security/lsm: $(cat /sys/kernel/security/lsm))" \
	sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'
vm_check "BTF is present (/sys/kernel/btf/vmlinux)" test -s /sys/kernel/btf/vmlinux

# Cold-plugged at boot (# vm-stick above): a USB SSD-like disk, removable=0.
fixed=$(dlpvm disk SMOKE-FIXED-0001) || vm_fail "cold-plugged stick SMOKE-FIXED-0001 not found"
vm_ok "cold-plugged stick is /dev/$fixed"
vm_eq "udev: ID_BUS of /dev/$fixed" usb "$(vm_udev_prop "$fixed" ID_BUS)"
vm_eq "the fixed stick reports removable=0" 0 "$(cat "/sys/block/$fixed/removable")"
vm_eq "udev: ID_FS_TYPE of /dev/${fixed}1" ext4 "$(vm_udev_prop "${fixed}1" ID_FS_TYPE)"

# Hot-plugged during the test.
dev=$(dlpvm plug smoke serial=SMOKE0001 removable=on fs=vfat label=SMOKE) ||
	vm_fail "dlpvm plug smoke"
vm_check "hot-plugged stick is block device /dev/$dev" test -b "/dev/$dev"
vm_eq "udev: ID_SERIAL_SHORT of /dev/$dev" SMOKE0001 "$(vm_udev_prop "$dev" ID_SERIAL_SHORT)"
vm_eq "udev: ID_BUS of /dev/$dev" usb "$(vm_udev_prop "$dev" ID_BUS)"
vm_eq "udev: ID_VENDOR_ID of /dev/$dev" 46f4 "$(vm_udev_prop "$dev" ID_VENDOR_ID)"
vm_eq "udev: ID_MODEL_ID of /dev/$dev" 0001 "$(vm_udev_prop "$dev" ID_MODEL_ID)"
vm_eq "the stick reports removable=1" 1 "$(cat "/sys/block/$dev/removable")"
vm_check "by-id link names the serial" \
	test -b "/dev/disk/by-id/usb-QEMU_QEMU_HARDDISK_SMOKE0001-0:0-part1"
vm_check "mount its vfat partition" mount -t vfat "/dev/${dev}1" /mnt
echo "written in the VM" >/mnt/hello.txt
vm_eq "read back a file written to the stick" "written in the VM" "$(cat /mnt/hello.txt)"
vm_check "unmount it" umount /mnt

vm_check "dlpvm unplug smoke" dlpvm unplug smoke
vm_check "/sys/block/$dev is gone" test ! -e "/sys/block/$dev"
vm_check "/dev/$dev is gone" test ! -e "/dev/$dev"
vm_check "the other stick is still there" test -b "/dev/$fixed"

# The project's binaries, copied in with their shared libraries when built.
if [ -x build/dlpctl ]; then
	vm_check "build/dlpctl runs in the guest" sh -c 'dlpctl --version >/dev/null'
else
	echo "# build/dlpctl not built; not checked"
fi
