#!/bin/bash
# scripts/dkms-install.sh - install dlpguard.ko through DKMS on an office PC, so
# that every kernel update rebuilds it (dkms.conf: AUTOINSTALL).
#
# Usage: scripts/dkms-install.sh [--print] [--no-load] [-k KERNEL] [DKMS OPTIONS]
#        scripts/dkms-install.sh [--print] --uninstall [DKMS OPTIONS]
#   (none)       copy dkms.conf, Kbuild, kmod/ and include/dlpguard/ to
#                /usr/src/dlpguard-VERSION, then dkms add, build and install for
#                KERNEL. Any version already in DKMS is removed first, so running
#                it again reinstalls and a newer checkout upgrades; kernels the
#                old version was installed for get the new one too. Then the
#                module is loaded at every boot (/etc/modules-load.d/dlpguard.conf)
#                and now, if KERNEL is the running one and no version is loaded.
#   --no-load    neither load it now nor at boot (also with DKMS OPTIONS)
#   --uninstall  remove every version of dlpguard from DKMS and /usr/src, and the
#                boot-time load
#   --print      print the files it would copy and the commands it would run;
#                change nothing (needs neither root nor dkms)
#   -k KERNEL    kernel release to build for (default: the running one, uname -r)
#   DKMS OPTIONS passed to every dkms command, to try it in a scratch tree:
#                --sourcetree DIR (default /usr/src), --dkmstree DIR
#                (/var/lib/dkms), --installtree DIR (/lib/modules),
#                --kernelsourcedir DIR (/lib/modules/KERNEL/build), --no-depmod
# Exit: 0 done; 1 failed (the reason is printed); 2 usage.
# Run as root from a dlpguard checkout. VERSION is dkms.conf's PACKAGE_VERSION,
# which must equal the module's MODULE_VERSION (DLPGUARD_VERSION in kmod/*.c).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
NAME=dlpguard

die() { echo "dkms-install: error: $*" >&2; exit 1; }
say() { echo "dkms-install: $*"; }

usage() {
	sed -n '/^# Usage:/,/^# Exit:/{/^# Exit:/d;s/^# \{0,1\}//p}' "$0" >&2
	exit 2
}

args=("$@")
print=0
uninstall=0
load=1
MODULES_LOAD=/etc/modules-load.d/$NAME.conf
kernel=$(uname -r)
source_tree=/usr/src
dkms_tree=/var/lib/dkms
kernel_source_dir=
dkms_opts=()
while [ $# -gt 0 ]; do
	case $1 in
	--print)	print=1 ;;
	--uninstall)	uninstall=1 ;;
	--no-load)	load=0 ;;
	-k)		[ $# -ge 2 ] || usage; kernel=$2; shift ;;
	--sourcetree|--dkmstree|--installtree|--kernelsourcedir)
		[ $# -ge 2 ] || usage
		case $1 in
		--sourcetree)		source_tree=$2 ;;
		--dkmstree)		dkms_tree=$2 ;;
		--kernelsourcedir)	kernel_source_dir=$2 ;;
		esac
		dkms_opts+=("$1" "$2")
		load=0 # a scratch tree: the system is not changed
		shift
		;;
	--no-depmod)	dkms_opts+=("$1"); load=0 ;;
	*)		usage ;;
	esac
	shift
done
# Where dkms looks for a kernel's headers, whatever --installtree says.
headers=${kernel_source_dir:-/lib/modules/$kernel/build}

# run CMD...: run CMD, or with --print only show it.
run() {
	if [ "$print" -eq 1 ]; then
		printf '+'
		printf ' %q' "$@"
		printf '\n'
	else
		"$@"
	fi
}

# dkms_run ACTION ARGS...: dkms with the tree options.
dkms_run() {
	local action=$1
	shift
	run dkms "$action" "${dkms_opts[@]}" "$@"
}

# versions: the versions of dlpguard that DKMS knows, one a line.
# dkms 3 prints "dlpguard/0.1, 6.1.0-28-amd64, x86_64: installed" or
# "dlpguard/0.1: added"; dkms 2 "dlpguard, 0.1, ...".
versions() {
	dkms status "${dkms_opts[@]}" -m "$NAME" 2>/dev/null |
		sed -n "s|^${NAME}[/,] *\([^,:]*\)[,:].*|\1|p" | sort -u
}

# installed_kernels: the kernels some version of dlpguard is installed for.
installed_kernels() {
	dkms status "${dkms_opts[@]}" -m "$NAME" 2>/dev/null |
		sed -n "s|^${NAME}[/,] *[^,:]*, *\([^,]*\),.*: installed.*|\1|p" | sort -u
}

# The version: dkms.conf's, checked against the module's.
version=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p' "$REPO/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION=\"...\" in $REPO/dkms.conf"

# What DKMS needs of the checkout, relative to it.
cd "$REPO"
shopt -s nullglob
sources=(dkms.conf Kbuild kmod/*.c kmod/*.h include/dlpguard/*.h)
kmod_c=(kmod/*.c)
shopt -u nullglob
if [ "$uninstall" -eq 0 ]; then
	[ ${#kmod_c[@]} -gt 0 ] || die "no kmod/*.c in $REPO: run it from a dlpguard checkout"
	[ -f Kbuild ] || die "no Kbuild in $REPO"
	kmod_version=$(sed -n 's/^#define[[:space:]]\{1,\}DLPGUARD_VERSION[[:space:]]\{1,\}"\([^"]*\)".*/\1/p' \
		"${kmod_c[@]}" | head -n 1)
	[ -n "$kmod_version" ] || die "no #define DLPGUARD_VERSION \"...\" in kmod/*.c"
	[ "$kmod_version" = "$version" ] ||
		die "dkms.conf says PACKAGE_VERSION=\"$version\", kmod/ says DLPGUARD_VERSION \"$kmod_version\": make them equal"
fi

have_dkms=1
command -v dkms >/dev/null || have_dkms=0
if [ "$print" -eq 0 ]; then
	[ "$(id -u)" -eq 0 ] || die "must be root: sudo $0${args[*]:+ ${args[*]}}"
	[ "$have_dkms" -eq 1 ] || die "dkms is not installed: apt install dkms linux-headers-$(uname -r)"
	[ "$uninstall" -eq 1 ] || [ -e "$headers/Makefile" ] ||
		die "no kernel headers for $kernel in $headers: apt install linux-headers-$kernel"
elif [ "$have_dkms" -eq 0 ]; then
	say "(dkms is not installed here; a real run would stop: apt install dkms linux-headers-$(uname -r))"
elif [ "$uninstall" -eq 0 ] && [ ! -e "$headers/Makefile" ]; then
	say "(no headers in $headers here; a real run would stop: apt install linux-headers-$kernel)"
fi

# Remove what an earlier run installed: every version DKMS knows, and this
# version's sources even if DKMS does not know them.
# The kernels it was installed for get the new version too (below).
old=()
old_kernels=()
if [ "$have_dkms" -eq 1 ]; then
	mapfile -t old < <(versions)
	mapfile -t old_kernels < <(installed_kernels)
fi
for v in "${old[@]}"; do
	say "removing $NAME $v from DKMS"
	dkms_run remove -m "$NAME" -v "$v" --all
	[ "$v" = "$version" ] || run rm -rf "$source_tree/$NAME-$v"
done
if [ "$uninstall" -eq 1 ]; then
	[ ${#old[@]} -gt 0 ] || say "$NAME is not in DKMS$([ "$have_dkms" -eq 1 ] || echo " (not checked: no dkms)")"
	[ ! -d "$source_tree/$NAME-$version" ] || run rm -rf "$source_tree/$NAME-$version"
	if [ ${#dkms_opts[@]} -eq 0 ] && [ -e "$MODULES_LOAD" ]; then
		say "no longer loaded at boot: removing $MODULES_LOAD"
		run rm -f "$MODULES_LOAD"
	fi
	if [ -e /sys/module/$NAME ]; then
		say "$NAME is still loaded; unload it with: modprobe -r $NAME (or reboot)"
	fi
	if [ "$print" -eq 1 ]; then
		say "--print: nothing was changed"
	else
		say "uninstalled"
	fi
	exit 0
fi
run rm -rf "$source_tree/$NAME-$version"

dest=$source_tree/$NAME-$version
say "copying the module's sources to $dest"
for f in "${sources[@]}"; do
	if [ "$print" -eq 1 ]; then
		echo "copy $f -> $dest/$f"
	else
		install -D -m 0644 "$f" "$dest/$f"
	fi
done

# install_for K: build and install for kernel K.
installed=()
install_for() {
	say "building $NAME $version for $1"
	dkms_run build -m "$NAME" -v "$version" -k "$1" || die "dkms build for $1 failed (see above)"
	dkms_run install -m "$NAME" -v "$version" -k "$1"
	installed+=("$1")
}

dkms_run add -m "$NAME" -v "$version"
install_for "$kernel"
# Other kernels the earlier version served, if their headers are still there
# (--kernelsourcedir names the headers of KERNEL only).
for k in "${old_kernels[@]}"; do
	[ "$k" != "$kernel" ] || continue
	if [ -n "$kernel_source_dir" ]; then
		say "not rebuilt for $k, which had $NAME before: --kernelsourcedir is for $kernel"
	elif [ -e "/lib/modules/$k/build/Makefile" ]; then
		install_for "$k"
	else
		say "not rebuilt for $k, which had $NAME before: no headers in /lib/modules/$k/build"
	fi
done
[ "$print" -eq 1 ] || dkms status "${dkms_opts[@]}" -m "$NAME"

if [ "$print" -eq 0 ] && command -v mokutil >/dev/null &&
	mokutil --sb-state 2>/dev/null | grep -q 'SecureBoot enabled'; then
	say "Secure Boot is on: the kernel loads $NAME only once DKMS's signing key is enrolled;"
	say "  if not done yet: mokutil --import $dkms_tree/mok.pub, then reboot and confirm it"
fi
say "$NAME $version installed for ${installed[*]}; kernels installed later get it rebuilt by DKMS"
if [ "$load" -eq 0 ]; then
	say "not loaded now nor at boot; load it with: modprobe $NAME"
else
	# At boot systemd-modules-load loads it early (sysinit.target), before
	# dlpd; devices already there by then are guarded when it loads.
	say "loaded at every boot: $MODULES_LOAD"
	if [ "$print" -eq 1 ]; then
		echo "write $MODULES_LOAD: $NAME"
	else
		printf '# dlpguard.ko: removable disks read-only from attach (scripts/dkms-install.sh)\n%s\n' \
			"$NAME" >"$MODULES_LOAD"
	fi
	if [ -e /sys/module/$NAME ]; then
		say "a $NAME is loaded already; the new one is used after: modprobe -r $NAME && modprobe $NAME (or a reboot)"
	elif [ "$kernel" = "$(uname -r)" ]; then
		run modprobe "$NAME" || die "modprobe $NAME failed (see dmesg)"
		say "loaded"
	fi
fi
[ "$print" -eq 0 ] || say "--print: nothing was changed"
