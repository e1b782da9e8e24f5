#!/bin/sh
# tests/vm/label-xattr.sh - files labelled by extended attribute ('label xattr', docs/hooks.md §3),
# resolved by user space (user/lib/label_xattr.c) into the label maps: reading a file whose
# attribute says 機密性2 taints the reader 2, an unlabelled file and a file on another
# filesystem below the scanned tree do not; a 完全性2 file by attribute may not be unlinked or
# opened for writing by uid 1001 (EPERM, one record each), its unlabelled neighbour is not
# judged; a file labelled after the scan is protected once resolved; a control with the
# programs detached. The taint object owns the label maps; the integrity object is given them
# with bpf_map__reuse_fd(). build/tests/bpf/test_label_xattr does the work; this script gives it
# ext4 (6.1's tmpfs holds no user.* attributes): an image at /tmp/dlpxattr, a second one at
# /tmp/dlpxattr/inner.
# vm-timeout: 300
# vm-usb: no
# vm-udev: no
# vm-include: $BUILD/tests/bpf/test_label_xattr
. tests/vm/lib/vmtest.sh

[ -x build/tests/bpf/test_label_xattr ] ||
	vm_skip "build/tests/bpf/test_label_xattr not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

# busybox mke2fs writes ext2, which the ext4 driver mounts and gives user.* attributes.
for img in outer inner; do
	dd if=/dev/zero of=/tmp/$img.img bs=1M count=16 2>/dev/null &&
		mke2fs -F -I 256 /tmp/$img.img >/dev/null 2>&1 ||
		vm_fail "make the $img ext4 image"
done
mkdir -p /tmp/dlpxattr && mount -t ext4 -o loop /tmp/outer.img /tmp/dlpxattr &&
	mkdir -p /tmp/dlpxattr/inner && mount -t ext4 -o loop /tmp/inner.img /tmp/dlpxattr/inner ||
	vm_fail "mount the ext4 images at /tmp/dlpxattr and /tmp/dlpxattr/inner"
vm_ok "/tmp/dlpxattr and /tmp/dlpxattr/inner are ext4 on loop devices"

CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_label_xattr
rc=$?
case $rc in
0) vm_ok "test_label_xattr on $DLPVM_KERNEL: every case passed" ;;
77) vm_skip "test_label_xattr skipped itself" ;;
*) vm_fail "test_label_xattr on $DLPVM_KERNEL: exit status $rc" ;;
esac
