#!/bin/bash
# install-deps.sh - install every Debian package dlpguard's build and tests need.
#
# Idempotent and non-interactive: it asks dpkg what is already installed and
# only runs apt-get (update + install) when something is missing. Safe to run
# again and again. Needs root only when there is something to install.
#
# Usage: scripts/install-deps.sh [--check]
#   --check   only report what is missing; exit 1 if anything is.
set -euo pipefail

# One package per line, with why it is needed.
PACKAGES=(
	gcc			# user-space code, kernel module
	make
	pkg-config		# link flags for the libraries below
	clang			# BPF programs, libFuzzer targets
	llvm			# llvm-strip for BPF objects
	libclang-rt-14-dev	# libFuzzer + sanitizer runtimes for clang 14
	bpftool			# vmlinux.h, BPF skeletons
	libbpf-dev
	libelf-dev		# libbpf dependency
	zlib1g-dev		# libbpf dependency
	libudev-dev		# dlpd: device add/remove events
	libsystemd-dev		# dlpd: sd_notify readiness for its systemd unit
	mandoc			# man pages: mandoc -T lint in make check
	libcmocka-dev		# unit tests
	libssl-dev		# libcrypto: SHA-256 of policies and of the log hash chain

	# The VM test bed (tests/vm, docs/testing.md).  The guest kernels are
	# not host packages: scripts/vm/kernel.sh fetches them through a
	# private apt tree that leaves the host's sources alone.
	qemu-system-x86		# qemu-system-x86_64, run with -accel tcg
	busybox-static		# the guest's shell and tools (init, mount, insmod, ...)
	udev			# systemd-udevd, udevadm and Debian's rules, copied into the guest
	kmod			# depmod -b / modprobe --show-depends on the guest kernels' modules
	cpio			# the guest's initramfs
	dosfstools		# mkfs.vfat for USB stick images
	e2fsprogs		# mkfs.ext4 for USB stick images
	fdisk			# sfdisk: MBR partition table on stick images
	xz-utils		# Debian 13's modules are .ko.xz
	perl			# scripts/checkpatch.sh: the kernel's checkpatch.pl (Term::ANSIColor, Encode)
	zstd			# ... or .ko.zst
	binutils		# objdump: which glibc the kernel headers' tools need
	dkms			# tests/pkg/dkms.sh: scripts/dkms-install.sh in a scratch tree
)

check_only=0
case "${1:-}" in
--check)	check_only=1 ;;
"")		;;
*)		echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

is_installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$status" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages the build and tests need are installed"
	exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if [ "$check_only" -eq 1 ]; then
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must be root to install them; run: sudo $0" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
apt-get update -q
echo "install-deps: installing: ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null

still=()
for pkg in "${missing[@]}"; do
	is_installed "$pkg" || still+=("$pkg")
done
if [ ${#still[@]} -ne 0 ]; then
	echo "install-deps: still missing after install: ${still[*]}" >&2
	exit 1
fi
echo "install-deps: done"
