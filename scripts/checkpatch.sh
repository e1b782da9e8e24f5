#!/bin/bash
# scripts/checkpatch.sh - the kernel's checkpatch.pl --strict on the module's sources.
#
# Usage: scripts/checkpatch.sh [-k 6.1|6.12] [FILE...]
#   FILE   files to check (default: kmod/*.c, kmod/*.h and include/dlpguard/kmod.h,
#          those that exist)
#   -k K   take checkpatch.pl from Debian's linux-source-K (default 6.12, the newer
#          rules; the module builds for both kernels)
# Exit: 0 clean; 1 any ERROR, WARNING or CHECK (printed); 2 usage;
#       77 "SKIP: <reason>" when checkpatch.pl cannot be had or there is nothing to check.
#
# Where checkpatch.pl comes from, first match wins:
#   $CHECKPATCH                      scripts/checkpatch.pl of a kernel source tree
#   .cache/checkpatch/K/             unpacked by an earlier run
#   /usr/src/linux-source-K.tar.xz   linux-source-K installed on this host
#   Debian's linux-source-K          downloaded through the VM test bed's private
#                                    apt tree ($DLPVM_CACHE/apt, scripts/vm/kernel.sh)
# No Debian binary package ships checkpatch.pl as a file: linux-kbuild-K and
# linux-headers-*-common have scripts/ without it, so the source tarball is the
# smallest carrier (about 150 MB). Kept in .cache/checkpatch/K/ (about 60 MB):
# scripts/checkpatch.pl, spelling.txt and const_structs.checkpatch beside it
# (where checkpatch.pl looks for them), and include/, from which checkpatch
# learns the kernel's own CamelCase names (usb_device_descriptor.idVendor, ...)
# as it does in the kernel's tree. The package is streamed through tar and deleted.
# checkpatch.pl runs in .cache/checkpatch/K/work/, where it keeps its cache of
# those names, so nothing is written in the repository.
# Environment: DLPGUARD_CHECKPATCH_CACHE (default .cache/checkpatch), DLPVM_CACHE
# (default .cache/vm, as for scripts/vm/).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$(realpath -m "${DLPGUARD_CHECKPATCH_CACHE:-$REPO/.cache/checkpatch}")
DLPVM_CACHE=$(realpath -m "${DLPVM_CACHE:-$REPO/.cache/vm}")
APT_CONF=$DLPVM_CACHE/apt/etc/apt.conf
FROM_TARBALL="scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch include"

log() { echo "checkpatch: $*" >&2; }
skip() { echo "SKIP: checkpatch: $*"; exit 77; }

usage() {
	sed -n '/^# Usage:/,/^# Exit:/{/^# Exit:/d;s/^# \{0,1\}//p}' "$0" >&2
	exit 2
}

kernel=6.12
while getopts k:h opt; do
	case $opt in
	k)	kernel=$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
case $kernel in
6.1|6.12) ;;
*)	log "unknown kernel '$kernel' (known: 6.1 6.12)"; usage ;;
esac

# extract_from_tarball CMD...: unpack $FROM_TARBALL from the linux-source
# tarball that CMD writes to stdout into $CACHE/$kernel.new.
extract_from_tarball() {
	local dest=$CACHE/$kernel.new members=() f
	rm -rf "$dest"
	mkdir -p "$dest"
	for f in $FROM_TARBALL; do
		members+=("linux-source-$kernel/$f")
	done
	"$@" | tar -xJf - -C "$dest" --strip-components=1 "${members[@]}"
	for f in $FROM_TARBALL; do
		[ -e "$dest/$f" ] || { log "$f missing from linux-source-$kernel"; return 1; }
	done
}

# tarball_of_deb DEB: write the linux-source tarball inside DEB to stdout.
tarball_of_deb() {
	dpkg --fsys-tarfile "$1" | tar -xOf - "./usr/src/linux-source-$kernel.tar.xz"
}

# fetch_deb: download linux-source-$kernel with the private apt tree of the VM
# test bed (creating the tree through kernel.sh if it does not exist yet) and
# unpack what is kept from it. Holds the tree's lock, as kernel.sh does.
fetch_deb() {
	local tmp deb
	if [ ! -f "$APT_CONF" ]; then
		log "no private apt tree in $DLPVM_CACHE/apt; creating it (scripts/vm/kernel.sh)"
		DLPVM_CACHE=$DLPVM_CACHE bash "$REPO/scripts/vm/kernel.sh" release 6.1 >/dev/null ||
			return 1
	fi
	tmp=$CACHE/download
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log "downloading linux-source-$kernel (about 150 MB, once)"
	(
		exec 9>"$DLPVM_CACHE/lock"
		flock -w 900 9 || { log "waited 900 s for $DLPVM_CACHE/lock"; exit 1; }
		cd "$tmp" && APT_CONFIG=$APT_CONF timeout --kill-after=10 1800 \
			apt-get -q download "linux-source-$kernel" >&2
	) || {
		log "apt-get download linux-source-$kernel failed (stale lists? make vm-refresh)"
		rm -rf "$tmp"
		return 1
	}
	deb=$(echo "$tmp"/linux-source-"$kernel"_*.deb)
	[ -f "$deb" ] || { log "no linux-source-$kernel .deb in $tmp"; rm -rf "$tmp"; return 1; }
	log "unpacking checkpatch.pl and include/ from $(basename "$deb")"
	extract_from_tarball tarball_of_deb "$deb" || { rm -rf "$tmp"; return 1; }
	basename "$deb" .deb >"$CACHE/$kernel.new/SOURCE"
	rm -rf "$tmp"
}

# find_checkpatch: set SCRIPT to the path of checkpatch.pl, fetching it if need be.
find_checkpatch() {
	local tarball=/usr/src/linux-source-$kernel.tar.xz
	if [ -n "${CHECKPATCH:-}" ]; then
		[ -f "$CHECKPATCH" ] || skip "CHECKPATCH=$CHECKPATCH does not exist"
		SCRIPT=$(realpath "$CHECKPATCH")
		ROOT=$(dirname "$(dirname "$SCRIPT")")
		[ -d "$ROOT/include" ] || skip "CHECKPATCH=$CHECKPATCH is not scripts/checkpatch.pl of a kernel tree with include/"
		return 0
	fi
	if [ ! -f "$CACHE/$kernel/scripts/checkpatch.pl" ]; then
		mkdir -p "$CACHE"
		exec 8>"$CACHE/lock"
		flock -w 900 8 || skip "waited 900 s for $CACHE/lock"
	fi
	if [ ! -f "$CACHE/$kernel/scripts/checkpatch.pl" ]; then
		if [ -f "$tarball" ]; then
			log "unpacking checkpatch.pl and include/ from $tarball"
			extract_from_tarball cat "$tarball" ||
				skip "checkpatch.pl could not be unpacked from $tarball"
			echo "$tarball" >"$CACHE/$kernel.new/SOURCE"
		else
			if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
				skip "no apt-get/dpkg to fetch Debian's linux-source-$kernel; set CHECKPATCH=/path/to/checkpatch.pl"
			fi
			fetch_deb || skip "Debian's linux-source-$kernel could not be fetched (see above); set CHECKPATCH=/path/to/checkpatch.pl"
		fi
		rm -rf "${CACHE:?}/$kernel"
		mv "$CACHE/$kernel.new" "$CACHE/$kernel"
		log "checkpatch.pl of $(cat "$CACHE/$kernel/SOURCE") cached in $CACHE/$kernel"
	fi
	SCRIPT=$CACHE/$kernel/scripts/checkpatch.pl
	ROOT=$CACHE/$kernel
}

if [ $# -eq 0 ]; then
	cd "$REPO"
	shopt -s nullglob
	set -- kmod/*.c kmod/*.h
	shopt -u nullglob
	[ ! -f include/dlpguard/kmod.h ] || set -- "$@" include/dlpguard/kmod.h
	[ $# -gt 0 ] || skip "no kmod/*.c, kmod/*.h or include/dlpguard/kmod.h to check"
fi

command -v perl >/dev/null || skip "no perl (apt-get install perl)"
perl -MTerm::ANSIColor -MEncode -e 1 2>/dev/null ||
	skip "perl lacks Term::ANSIColor or Encode (apt-get install perl)"
find_checkpatch

# Paths are made absolute: checkpatch.pl runs in $ROOT/work/ (see above); the
# output names them relative to the repository again.
files=()
for f in "$@"; do
	[ -f "$f" ] || { log "$f: no such file"; exit 2; }
	files+=("$(realpath "$f")")
done
mkdir -p "$ROOT/work"

# --no-tree: this is no kernel tree, so no MAINTAINERS, no spdxcheck.py, no git;
#   --root still names the tree whose include/ holds the kernel's own names.
# -f: the arguments are source files, not patches.
# --strict: CHECK-level tests as well; any ERROR, WARNING or CHECK fails.
# --ignore LINUX_VERSION_CODE: in the kernel's tree code is written for the one
#   version it is merged into; an out-of-tree module that builds for 6.1 and
#   6.12 needs version tests.
status=0
(cd "$ROOT/work" && env -u GIT_DIR "$SCRIPT" --strict --no-tree --root="$ROOT" -f --show-types \
	--color=never --max-line-length=100 --ignore LINUX_VERSION_CODE "${files[@]}") |
	sed "s|$REPO/||g" || status=$?
if [ "$status" -ne 0 ]; then
	echo "checkpatch: FAILED: fix the lines above (checkpatch.pl --strict of linux-source-$kernel)" >&2
	exit 1
fi
echo "checkpatch: clean (checkpatch.pl --strict of linux-source-$kernel): $*"
