#!/bin/bash
# tests/pkg/dkms.sh - scripts/dkms-install.sh and dkms.conf with Debian's dkms, in a scratch
# tree (nothing of the system changes), against the VM test bed's Debian 6.1 headers:
# install builds and installs a dlpguard.ko whose modinfo has the checkout's version,
# license and description; a second run (an upgrade) replaces it; --uninstall removes it
# and its sources; with a scratch tree the module is neither loaded nor set to load at boot;
# a version mismatch between dkms.conf and kmod/ is refused before anything changes.
# Prints "ok N - what" / "not ok N - what"; exit 0 all passed, 1 a check failed, 77 skipped.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

command -v dkms >/dev/null || { echo "SKIP: dkms is not installed (scripts/install-deps.sh)"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: dkms needs root"; exit 77; }
kdir=$(make -s vm-headers KERNEL=6.1 2>/dev/null)
if [ -z "$kdir" ] || [ ! -e "$kdir/Makefile" ]; then
	echo "SKIP: no Debian 6.1 headers (make vm-headers KERNEL=6.1)"
	exit 77
fi
release=$(bash scripts/vm/kernel.sh release 6.1) || exit 1

n=0 failed=0
check() {
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >>"$tmp/log" 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=1
	fi
}

tmp=$(mktemp -d /tmp/dlpguard-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/dkms" "$tmp/modules/$release"
tree=(--sourcetree "$tmp/src" --dkmstree "$tmp/dkms" --installtree "$tmp/modules" --no-depmod)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
ko=$tmp/modules/$release/updates/dkms/dlpguard.ko
# shellcheck disable=SC2317 # called through check
modinfo_has() { modinfo -F "$1" "$ko" | grep -qxF "$2"; }

check "install: dkms add, build, install for $release" \
	scripts/dkms-install.sh -k "$release" --kernelsourcedir "$kdir" "${tree[@]}"
check "the module is in the install tree" test -f "$ko"
check "modinfo: version $version" modinfo_has version "$version"
check "modinfo: license GPL" modinfo_has license GPL
check "modinfo: a description" sh -c "modinfo -F description '$ko' | grep -q 'read-only'"
check "modinfo: built for $release" sh -c "modinfo -F vermagic '$ko' | grep -q '^$release '"
check "dkms status: installed" sh -c \
	"dkms status --dkmstree '$tmp/dkms' -m dlpguard | grep -q 'dlpguard/$version, $release, .*: installed'"
check "its sources in the source tree" test -f "$tmp/src/dlpguard-$version/kmod/dlpguard.c"
check "a scratch tree: not set to load at boot" grep -q "not loaded now nor at boot" "$tmp/log"
check "a second run upgrades in place" \
	scripts/dkms-install.sh -k "$release" --kernelsourcedir "$kdir" "${tree[@]}"
check "the old one was removed first" grep -q "removing dlpguard $version from DKMS" "$tmp/log"
check "and the module installed again" test -f "$ko"

# A checkout whose dkms.conf and kmod/ disagree: refused, the scratch tree unchanged.
mkdir -p "$tmp/bad"
cp -a dkms.conf Kbuild kmod include scripts "$tmp/bad/"
sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="9.9"/' "$tmp/bad/dkms.conf"
"$tmp/bad/scripts/dkms-install.sh" -k "$release" --kernelsourcedir "$kdir" "${tree[@]}" \
	>"$tmp/bad.out" 2>&1
bad_rc=$?
check "a version mismatch is refused (exit 1)" test "$bad_rc" -eq 1
check "saying which versions disagree" grep -q 'PACKAGE_VERSION="9.9".*DLPGUARD_VERSION' "$tmp/bad.out"
check "and changed nothing" test -f "$ko"

check "uninstall" scripts/dkms-install.sh --uninstall "${tree[@]}"
check "the module is gone" test ! -e "$ko"
check "so are its sources" test ! -e "$tmp/src/dlpguard-$version"
check "dkms knows no dlpguard" sh -c "! dkms status --dkmstree '$tmp/dkms' -m dlpguard | grep -q ."
[ "$failed" -eq 0 ] || { echo "--- log:"; cat "$tmp/log"; }
exit "$failed"
