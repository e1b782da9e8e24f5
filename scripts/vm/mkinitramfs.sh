#!/bin/bash
# scripts/vm/mkinitramfs.sh - build the guest's base initramfs for one kernel.
#
# The base holds what every test VM boots with: busybox (static) as the
# shell and tools, bash, Debian's systemd-udevd, udevadm, udev rules and hwdb
# from the host, with their shared libraries, the kernel modules for USB mass
# storage and the usual file systems (resolved from modules.dep), the guest
# init and the dlpvm helper. run.sh appends a small per-test archive (the test,
# the project's binaries) to it; the kernel unpacks both.
#
# The result is cached in $BUILD/vm/K/base.cpio and rebuilt only when one of its
# inputs changes (the kernel package, these scripts, the host's busybox or udev).
#
# Usage: scripts/vm/mkinitramfs.sh K      print the path of K's base initramfs
set -euo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"

# Modules every guest loads at boot: the file systems a stick carries, loop
# devices, the code pages vfat mounts with (Debian's default: cp437, ascii).
BASE_MODULES="vfat ext4 loop nls_cp437 nls_ascii nls_iso8859_1 nls_utf8"
# ... and unless the test says "# vm-usb: no": the USB host controller, mass
# storage, the SCSI disk driver.
USB_MODULES="xhci_pci usb_storage uas sd_mod"

# Host programs copied into the guest, with their libraries.
HOST_PROGRAMS="/bin/bash /bin/udevadm"

k=${1:-}
dlpvm_kernel_known "$k" || dlpvm_die "usage: $0 K (K one of: $DLPVM_KERNELS)"

kroot=$("$DLPVM_SCRIPTS"/kernel.sh image "$k")
release=$(cat "$DLPVM_CACHE/kernel/$k/release")
out=$DLPVM_BUILD/$k/base.cpio
mkdir -p "$DLPVM_BUILD/$k"
# Parallel runs on one kernel build the base once.
exec 8>"$DLPVM_BUILD/$k/lock"
flock -w 300 8 || dlpvm_die "waited 300 s for $DLPVM_BUILD/$k/lock"

# Everything the base depends on, summed up; a change rebuilds it.
stamp() {
	echo "$release $BASE_MODULES $USB_MODULES"
	cat "$DLPVM_SCRIPTS"/guest/* "$DLPVM_SCRIPTS"/mkinitramfs.sh "$DLPVM_SCRIPTS"/lib.sh |
		sha256sum
	dpkg-query -W -f='${Package} ${Version}\n' busybox-static udev bash libc6
}

want=$(stamp)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$want" ]; then
	echo "$out"
	exit 0
fi

dlpvm_log "building the $k base initramfs ($release)"
root=$DLPVM_BUILD/$k/base
rm -rf "$root"
dlpvm_skeleton "$root"
mkdir -p "$root"/dev "$root"/proc "$root"/sys "$root"/run "$root"/tmp "$root"/root \
	"$root"/etc/dlpvm "$root"/etc/udev/rules.d "$root"/dlp
chmod 1777 "$root"/tmp
# The kernel opens /dev/console for init before anything is mounted (only root
# can make the node; without it init still reaches the console through devtmpfs).
mknod -m 600 "$root"/dev/console c 5 1 2>/dev/null || true

cp /bin/busybox "$root"/bin/busybox
for applet in $(busybox --list-full); do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# shellcheck disable=SC2086
dlpvm_stage "$root" $HOST_PROGRAMS
mkdir -p "$root"/lib/systemd
ln -s /bin/udevadm "$root"/lib/systemd/systemd-udevd
# Debian's udev: rules, hwdb and the helper programs the rules call.
mkdir -p "$root"/lib/udev
cp -a /lib/udev/rules.d "$root"/lib/udev/
[ -f /lib/udev/hwdb.bin ] && cp /lib/udev/hwdb.bin "$root"/lib/udev/
for prog in /lib/udev/*; do
	[ -f "$prog" ] && [ -x "$prog" ] && dlpvm_stage "$root" "$prog"
done
[ -f /etc/udev/udev.conf ] && cp /etc/udev/udev.conf "$root"/etc/udev/
# glibc's character set converters, as every Debian system has them (libc6):
# iconv(3) loads them at run time, e.g. CP932 for `dlpctl device import`.
gconv=/usr/lib/x86_64-linux-gnu/gconv
if [ -d "$gconv" ]; then
	mkdir -p "$root$gconv"
	cp -a "$gconv"/gconv-modules "$gconv"/gconv-modules.cache "$gconv"/gconv-modules.d \
		"$gconv"/CP932.so "$gconv"/EUC-JP-MS.so "$root$gconv"/
fi
# System users and groups, which udev rules name (disk, cdrom, ...).
awk -F: '$3 < 1000 || $1 == "nogroup" || $1 == "nobody"' /etc/passwd >"$root"/etc/passwd
awk -F: '$3 < 1000 || $1 == "nogroup"' /etc/group >"$root"/etc/group

# Modules, and an index for them so modprobe (and udev's kmod builtin) work too.
dlpvm_stage_modules "$kroot" "$release" "$root" /etc/dlpvm/modules.usb $USB_MODULES
dlpvm_stage_modules "$kroot" "$release" "$root" /etc/dlpvm/modules.load $BASE_MODULES
for f in modules.builtin modules.builtin.modinfo modules.order; do
	cp "$kroot/lib/modules/$release/$f" "$root/lib/modules/$release/"
done
depmod -b "$root" "$release"

install -m 755 "$DLPVM_SCRIPTS"/guest/init "$root"/init
install -m 755 "$DLPVM_SCRIPTS"/guest/dlpvm "$root"/usr/bin/dlpvm

dlpvm_cpio "$root" "$out"
echo "$want" >"$out.stamp"
rm -rf "$root"
dlpvm_log "$k base initramfs: $out ($(du -m "$out" | cut -f1) MB)"
echo "$out"
