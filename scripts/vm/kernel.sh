#!/bin/bash
# scripts/vm/kernel.sh - fetch, unpack and cache the Debian kernels the VM tests boot.
#
# Packages come from Debian's archive through a private apt tree under
# $DLPVM_CACHE/apt/ (its own sources.list, lists, state and cache): the host's
# package sources and dpkg database are never touched. The mirror is the one the
# host's /etc/apt/sources.list(.d) already uses (override: DLPVM_MIRROR,
# DLPVM_SECURITY_MIRROR); the suites are bookworm (6.1) and trixie (6.12), with
# their -security suites, signed by Debian's archive keyring.
#
# The first call for a kernel resolves the newest matching package, downloads it
# with `apt-get download`, unpacks it with `dpkg -x` and runs `depmod -b`. After
# that the unpacked tree is the cache and nothing is downloaded again until
# `refresh`.
#
# Usage: scripts/vm/kernel.sh image K      unpack kernel K (6.1|6.12); print its root
#        scripts/vm/kernel.sh headers K    unpack its linux-headers; print the KDIR
#        scripts/vm/kernel.sh release K    print K's `uname -r` (fetching if needed)
#        scripts/vm/kernel.sh refresh      update the package lists; re-fetch kernels
#                                          whose newest package changed
# Everything but the printed path goes to stderr.
set -euo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"

APT_DIR=$DLPVM_CACHE/apt
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Print "URI SUITE" for every enabled deb entry in the host's apt sources, in
# both the one-line (.list) and the deb822 (.sources) formats.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk '$1 == "deb" && NF >= 3 { print $2, $3 }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && enabled != "no")
				for (i = 1; i <= nu; i++)
					for (j = 1; j <= ns; j++)
						print uris[i], suites[j]
			types = ""; enabled = ""; nu = 0; ns = 0
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "enabled") enabled = tolower(val)
			else if (key == "uris") nu = split(val, uris, /[ \t]+/)
			else if (key == "suites") ns = split(val, suites, /[ \t]+/)
		}
		END { flush() }' "$f"
	done
}

# Debian's suite names, to tell Debian's mirror from third-party repositories.
DEBIAN_SUITES='(buster|bullseye|bookworm|trixie|forky|duke|sid|oldstable|stable|testing|unstable)'

# The Debian archive mirror (a Debian suite) and the security mirror (SUITE-security).
find_mirrors() {
	local sources
	sources=$(host_sources)
	MIRROR=${DLPVM_MIRROR:-$(awk -v re="^$DEBIAN_SUITES\$" \
		'$1 ~ /^https?:/ && $2 ~ re { print $1; exit }' <<<"$sources")}
	SECURITY_MIRROR=${DLPVM_SECURITY_MIRROR:-$(awk -v re="^$DEBIAN_SUITES-security\$" \
		'$1 ~ /^https?:/ && $2 ~ re { print $1; exit }' <<<"$sources")}
	[ -n "$MIRROR" ] ||
		dlpvm_die "no Debian mirror in /etc/apt/sources.list(.d); set DLPVM_MIRROR=http://..."
}

# Write the private apt tree's configuration (cheap; done on every fetch).
write_apt_config() {
	local k suite
	find_mirrors
	[ -f "$KEYRING" ] || dlpvm_die "$KEYRING missing: apt-get install debian-archive-keyring"
	mkdir -p "$APT_DIR"/etc/sources.list.d "$APT_DIR"/etc/preferences.d \
		"$APT_DIR"/etc/trusted.gpg.d "$APT_DIR"/state/lists/partial \
		"$APT_DIR"/cache/archives/partial
	touch "$APT_DIR"/state/status
	{
		for k in $DLPVM_KERNELS; do
			suite=$(dlpvm_suite "$k")
			echo "deb [signed-by=$KEYRING] $MIRROR $suite main"
			[ -z "$SECURITY_MIRROR" ] ||
				echo "deb [signed-by=$KEYRING] $SECURITY_MIRROR $suite-security main"
		done
	} >"$APT_DIR"/etc/sources.list.new
	if ! cmp -s "$APT_DIR"/etc/sources.list.new "$APT_DIR"/etc/sources.list; then
		mv "$APT_DIR"/etc/sources.list.new "$APT_DIR"/etc/sources.list
		rm -f "$APT_DIR"/state/updated
	else
		rm -f "$APT_DIR"/etc/sources.list.new
	fi
	cat >"$APT_DIR"/etc/apt.conf <<-EOF
	// Private apt tree of the dlpguard VM test bed (scripts/vm/kernel.sh).
	Dir::Etc::sourcelist "$APT_DIR/etc/sources.list";
	Dir::Etc::sourceparts "$APT_DIR/etc/sources.list.d";
	Dir::Etc::preferences "$APT_DIR/etc/preferences";
	Dir::Etc::preferencesparts "$APT_DIR/etc/preferences.d";
	Dir::Etc::trusted "$APT_DIR/etc/trusted.gpg";
	Dir::Etc::trustedparts "$APT_DIR/etc/trusted.gpg.d";
	Dir::State "$APT_DIR/state";
	Dir::State::status "$APT_DIR/state/status";
	Dir::Cache "$APT_DIR/cache";
	Dir::Cache::pkgcache "pkgcache.bin";
	Dir::Cache::srcpkgcache "";
	#clear APT::Architectures;
	APT::Architectures { "amd64"; };
	APT::Architecture "amd64";
	Acquire::Languages "none";
	Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
	APT::Sandbox::User "root";
	EOF
}

papt() { APT_CONFIG=$APT_DIR/etc/apt.conf dlpvm_with_timeout 600 "$@"; }

# Update the private package lists, once (or again with "force").
# shellcheck disable=SC2120
apt_update() {
	write_apt_config
	if [ -f "$APT_DIR"/state/updated ] && [ "${1:-}" != force ]; then
		return 0
	fi
	dlpvm_log "updating the private package lists ($MIRROR, ${SECURITY_MIRROR:-no security mirror})"
	papt apt-get -q update >&2 ||
		dlpvm_die "apt-get update of the private tree $APT_DIR failed"
	touch "$APT_DIR"/state/updated
}

# has_candidate PKG: true if the private tree can download PKG.
has_candidate() {
	papt apt-cache show --no-all-versions "$1" 2>/dev/null | grep -q '^Version:'
}

# newest_image K: print the package name to fetch for K: the newest ABI, its
# -unsigned variant if there is one.
newest_image() {
	local k=$1 regex names name base
	regex=$(dlpvm_image_regex "$k")
	names=$(papt apt-cache pkgnames linux-image- | grep -E "$regex" | sed 's/-unsigned$//' |
		sort -uV)
	for base in $(tac <<<"$names"); do
		for name in "$base-unsigned" "$base"; do
			if has_candidate "$name"; then
				echo "$name"
				return 0
			fi
		done
	done
	dlpvm_die "no package matching $regex in $(dlpvm_suite "$k")"
}

# download DIR PKG...: apt-get download PKG... into DIR.
download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	dlpvm_log "downloading $*"
	(cd "$dir" && papt apt-get -q download "$@" >&2) || dlpvm_die "apt-get download $* failed"
}

# fetch_image K: make $DLPVM_CACHE/kernel/K/root hold K's image package, unpacked
# and depmod'ed, unless it already holds the package that is wanted.
fetch_image() {
	local k=$1 kdir pkg tmp deb release want
	kdir=$DLPVM_CACHE/kernel/$k
	want=${2:-}
	if [ -f "$kdir/image.ok" ] && [ -z "$want" ]; then
		return 0
	fi
	apt_update
	pkg=$(newest_image "$k")
	if [ -f "$kdir/image.ok" ] && [ "$(cat "$kdir/image.ok")" = "$pkg" ]; then
		dlpvm_log "kernel $k: $pkg is the newest; nothing to fetch"
		return 0
	fi
	tmp=$kdir/download
	rm -rf "$tmp" "$kdir/root.new"
	download "$tmp" "$pkg"
	deb=$(echo "$tmp"/*.deb)
	dlpvm_log "unpacking $(basename "$deb")"
	dpkg -x "$deb" "$kdir/root.new"
	# Debian 13 ships modules under /usr/lib/modules; depmod -b looks in lib/modules.
	[ -e "$kdir/root.new/lib" ] || ln -s usr/lib "$kdir/root.new/lib"
	release=$(cd "$kdir/root.new/lib/modules" && ls)
	[ -f "$kdir/root.new/boot/vmlinuz-$release" ] || dlpvm_die "$pkg: no boot/vmlinuz-$release"
	depmod -b "$kdir/root.new" "$release"
	rm -rf "$kdir/root" "$kdir/headers" "$kdir/headers.ok" "$tmp"
	mv "$kdir/root.new" "$kdir/root"
	echo "$release" >"$kdir/release"
	echo "$pkg" >"$kdir/image.ok"
	dlpvm_log "kernel $k: $pkg ($release) cached in $kdir"
}

# header_packages RELEASE: the linux-headers-RELEASE package and the
# linux-headers-*/linux-kbuild-* packages it depends on.
header_packages() {
	local todo=("linux-headers-$1") seen=" " p d
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		echo "$p"
		for d in $(papt apt-cache depends "$p" |
			awk '$1 ~ /Depends:$/ && $2 ~ /^linux-(headers|kbuild)-/ { print $2 }'); do
			todo+=("$d")
		done
	done
}

# glibc_needed ELF: the newest GLIBC_x.y symbol version ELF needs (empty if none).
glibc_needed() {
	objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV |
		tail -n 1
}

# Debian 13's kbuild tools (modpost, objtool, resolve_btfids) need glibc 2.38;
# a Debian 12 host has 2.36. They, and the pahole that makes modules' BTF, run
# with these libraries of the kernel's own suite, unpacked beside the headers.
KBUILD_RUNTIME="libc6 libelf1t64 zlib1g libzstd1 liblzma5 libbz2-1.0 libdw1t64 libbpf1 pahole"

# wrap BINARY REAL RT NEED: make BINARY a script that runs REAL, which needs
# glibc NEED, with the loader and libraries unpacked in RT.
wrap() {
	cat >"$1" <<-EOF
	#!/bin/sh
	# $(basename "$2") needs glibc $4; the host has $host_glibc.
	# Run it with the libc of the kernel's Debian suite (dlpguard scripts/vm/kernel.sh).
	exec "$3/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
		--library-path "$3/usr/lib/x86_64-linux-gnu" "$2" "\$@"
	EOF
	chmod 755 "$1"
}

# use_suite_libc K TREE VARS: wrap every kbuild tool in TREE that needs a newer
# glibc than the host's; if any, add pahole too (PAHOLE in VARS, the headers'
# .kernelvariables, which kbuild includes and exports to its sub-makes).
use_suite_libc() {
	local k=$1 tree=$2 vars=$3 f need wrapped=() suite rt final deb pkgs=()
	host_glibc=$(ldd --version | awk 'NR == 1 { print $NF }')
	while IFS= read -r f; do
		head -c 4 "$f" | grep -q ELF || continue
		need=$(glibc_needed "$f")
		[ -n "$need" ] || continue
		[ "$(printf '%s\n%s\n' "$need" "$host_glibc" | sort -V | tail -n 1)" = "$host_glibc" ] ||
			wrapped+=("$f")
	done < <(find "$tree"/usr/lib/linux-kbuild-* -type f -perm -u+x)
	[ ${#wrapped[@]} -gt 0 ] || return 0
	suite=$(dlpvm_suite "$k")
	rt=$tree/.runtime
	final=$kdir/headers/.runtime
	for f in $KBUILD_RUNTIME; do
		pkgs+=("$f/$suite")
	done
	download "$rt/debs" "${pkgs[@]}"
	for deb in "$rt"/debs/*.deb; do
		dpkg -x "$deb" "$rt"
	done
	rm -rf "$rt/debs"
	for f in "${wrapped[@]}"; do
		mv "$f" "$f.bin"
		wrap "$f" "${f/#$tree/$kdir/headers}.bin" "$final" "$(glibc_needed "$f.bin")"
	done
	mkdir -p "$rt/bin"
	wrap "$rt/bin/pahole" "$final/usr/bin/pahole" "$final" "$(glibc_needed "$rt/usr/bin/pahole")"
	cat >>"$vars" <<-EOF
	# Added by dlpguard's scripts/vm/kernel.sh: pahole of Debian $suite.
	PAHOLE = $final/bin/pahole
	EOF
	dlpvm_log "kernel $k: ${#wrapped[@]} kbuild tools and pahole run with Debian $suite's libc"
}

# use_host_gcc K VARS: the kernel was built with a gcc the host lacks (Debian
# 13: gcc-14). VARS is the headers' .kernelvariables: make kbuild use the
# host's gcc, without -fmin-function-alignment, which only gcc >= 14 knows.
use_host_gcc() {
	local k=$1 vars=$2 want
	want=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$vars")
	[ -n "$want" ] || return 0
	command -v "$want" >/dev/null && return 0
	sed -i 's/^CC = .*/CC = $(CROSS_COMPILE)gcc/' "$vars"
	cat >>"$vars" <<-EOF
	# Added by dlpguard's scripts/vm/kernel.sh: this host has no $want, the
	# compiler of this kernel. Build modules with the host's gcc (CC above),
	# without the option only $want knows.
	override CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT =
	EOF
	dlpvm_log "kernel $k: no $want here; modules build with gcc $(gcc -dumpfullversion)"
}

# fetch_headers K: unpack K's headers under kernel/K/headers. Absolute paths in
# the packages (symlinks, the flavour Makefile's include of the -common one) are
# rewritten to point inside the unpacked tree; then the tree is made usable on
# this host (use_suite_libc, use_host_gcc).
fetch_headers() {
	local k=$1 kdir release tmp pkgs link target mk
	kdir=$DLPVM_CACHE/kernel/$k
	[ -f "$kdir/headers.ok" ] && return 0
	release=$(cat "$kdir/release")
	apt_update
	mapfile -t pkgs < <(header_packages "$release")
	tmp=$kdir/download
	rm -rf "$tmp" "$kdir/headers.new" "$kdir/headers"
	download "$tmp" "${pkgs[@]}"
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$kdir/headers.new"
	done
	rm -rf "$tmp"
	while IFS= read -r link; do
		target=$(readlink "$link")
		case $target in
		/*)	ln -sfn "$kdir/headers$target" "$link" ;;
		esac
	done < <(find "$kdir/headers.new" -type l)
	mk=$kdir/headers.new/usr/src/linux-headers-$release/Makefile
	sed -i "s|^include /usr/src/|include $kdir/headers/usr/src/|" "$mk"
	use_suite_libc "$k" "$kdir/headers.new" "$(dirname "$mk")/.kernelvariables"
	use_host_gcc "$k" "$(dirname "$mk")/.kernelvariables"
	mv "$kdir/headers.new" "$kdir/headers"
	printf '%s\n' "${pkgs[@]}" >"$kdir/headers.ok"
	dlpvm_log "kernel $k: headers cached in $kdir/headers"
}

# All fetches hold one lock, so parallel runs never download the same thing twice.
locked() {
	mkdir -p "$DLPVM_CACHE"
	exec 9>"$DLPVM_CACHE/lock"
	flock -w 900 9 || dlpvm_die "waited 900 s for $DLPVM_CACHE/lock"
	"$@"
}

usage() {
	sed -n '/^# Usage:/,/^# Everything/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

need_kernel() {
	[ -n "${1:-}" ] || usage
	dlpvm_kernel_known "$1" || dlpvm_die "unknown kernel '$1' (known: $DLPVM_KERNELS)"
}

cmd=${1:-}
case $cmd in
image)
	need_kernel "${2:-}"
	locked fetch_image "$2"
	echo "$DLPVM_CACHE/kernel/$2/root"
	;;
release)
	need_kernel "${2:-}"
	locked fetch_image "$2"
	cat "$DLPVM_CACHE/kernel/$2/release"
	;;
headers)
	need_kernel "${2:-}"
	locked fetch_image "$2"
	locked fetch_headers "$2"
	echo "$DLPVM_CACHE/kernel/$2/headers/usr/src/linux-headers-$(cat "$DLPVM_CACHE/kernel/$2/release")"
	;;
refresh)
	locked apt_update force
	for k in $DLPVM_KERNELS; do
		locked fetch_image "$k" newest
	done
	;;
*)
	usage
	;;
esac
