# scripts/vm/lib.sh - shared settings and helpers of the VM test bed, sourced by
# kernel.sh, mkinitramfs.sh, run.sh and check.sh (bash).
#
# Where things live (see docs/testing.md):
#   $DLPVM_CACHE (default .cache/vm/ at the repo root, survives `make clean`)
#       apt/                private apt tree: sources, lists, downloaded .debs
#       kernel/<K>/root/    the unpacked linux-image package, depmod'ed
#       kernel/<K>/headers/ the unpacked linux-headers packages (on demand)
#   $BUILD/vm/ (default build/vm/)
#       <K>/base.cpio       the guest's base initramfs for kernel K
#       runs/<K>/<test>/    one run: console.log, qemu.log, ctl.log, sticks/, ...
# K is the short kernel name used everywhere: 6.1 or 6.12.
# shellcheck shell=bash disable=SC2034

DLPVM_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DLPVM_SCRIPTS=$DLPVM_REPO/scripts/vm
BUILD=${BUILD:-build}
case $BUILD in
/*)	DLPVM_BUILD=$BUILD/vm ;;
*)	DLPVM_BUILD=$DLPVM_REPO/$BUILD/vm ;;
esac
DLPVM_CACHE=$(realpath -m "${DLPVM_CACHE:-$DLPVM_REPO/.cache/vm}")

# The kernels the test bed knows: short name -> Debian suite and package pattern.
DLPVM_KERNELS="6.1 6.12"

dlpvm_log() { echo "vm: $*" >&2; }
dlpvm_die() { echo "vm: error: $*" >&2; exit "${DLPVM_DIE_STATUS:-126}"; }

# dlpvm_kernel_known K: true if K is one of $DLPVM_KERNELS.
dlpvm_kernel_known() {
	case " $DLPVM_KERNELS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# dlpvm_suite K: the Debian suite whose kernel K is.
dlpvm_suite() {
	case $1 in
	6.1)	echo bookworm ;;
	6.12)	echo trixie ;;
	*)	return 1 ;;
	esac
}

# dlpvm_image_regex K: extended regex of the linux-image package names for K
# (signed and -unsigned variants; the rt, cloud and dbg flavours never match).
dlpvm_image_regex() {
	case $1 in
	6.1)	echo '^linux-image-6\.1\.0-[0-9]+-amd64(-unsigned)?$' ;;
	6.12)	echo '^linux-image-6\.12\.[0-9]+\+deb13(u[0-9]+)?-amd64(-unsigned)?$' ;;
	*)	return 1 ;;
	esac
}

# dlpvm_with_timeout SECONDS CMD...: run CMD, killed after SECONDS (status 124).
dlpvm_with_timeout() {
	local s=$1
	shift
	timeout --kill-after=10 "$s" "$@"
}

# dlpvm_skeleton ROOT: the merged-/usr layout of Debian (bin -> usr/bin, ...).
# Every archive of the initramfs needs it: the kernel replaces a symlink by a
# directory of the same name from a later archive.
dlpvm_skeleton() {
	local d
	mkdir -p "$1"/usr/bin "$1"/usr/sbin "$1"/usr/lib "$1"/usr/lib64
	for d in bin sbin lib lib64; do
		ln -sfn "usr/$d" "$1/$d"
	done
}

# dlpvm_stage ROOT FILE...: copy each host FILE (symlinks followed) to the same
# path under ROOT, with the shared libraries ldd says it needs.
dlpvm_stage() {
	local root=$1 f lib
	shift
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L --preserve=mode "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null |
			awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L --preserve=mode "$lib" "$root$lib"
		done
	done
}

# dlpvm_stage_modules KROOT RELEASE ROOT LIST NAME...: copy modules NAME... of the
# unpacked kernel KROOT and everything modules.dep/softdep says they need into
# ROOT/lib/modules/RELEASE (decompressed: busybox insmod reads plain .ko), and
# append their guest paths, in load order, to ROOT/LIST. Built-in modules need
# nothing; an unknown name is an error.
dlpvm_stage_modules() {
	local kroot=$1 release=$2 root=$3 list=$4 deps path rel dest
	shift 4
	[ $# -gt 0 ] || return 0
	deps=$(modprobe --dirname="$kroot" --set-version="$release" --show-depends -a "$@") ||
		dlpvm_die "modules '$*' not found in kernel $release"
	mkdir -p "$root$(dirname "$list")"
	touch "$root$list"
	for path in $(awk '$1 == "insmod" && !seen[$2]++ { print $2 }' <<<"$deps"); do
		rel=${path#"$kroot"/lib/modules/"$release"/}
		rel=${rel%.xz}
		rel=${rel%.zst}
		dest=/lib/modules/$release/$rel
		grep -qxF "$dest" "$root$list" && continue
		mkdir -p "$root$(dirname "$dest")"
		case $path in
		*.xz)	xz -dc "$path" >"$root$dest" ;;
		*.zst)	zstd -qdc "$path" >"$root$dest" ;;
		*)	cp "$path" "$root$dest" ;;
		esac
		echo "$dest" >>"$root$list"
	done
}

# dlpvm_cpio ROOT OUT: pack ROOT as a newc initramfs, every file owned by root.
dlpvm_cpio() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}
