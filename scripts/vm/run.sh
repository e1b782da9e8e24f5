#!/bin/bash
# scripts/vm/run.sh - run one guest test in a qemu VM (-accel tcg) booting a Debian kernel.
#
# Builds (or reuses) the kernel's base initramfs, appends the test, the tests/vm/
# folder and the project's binaries to it, boots the kernel with BPF LSM on,
# cold-plugs the USB sticks the test asks for, serves the guest's plug/unplug
# requests over QMP, and waits - never longer than the timeout - for the test's
# exit status on the control port. Everything about a run stays in
# $BUILD/vm/runs/K/TESTNAME/: console.log, ctl.log (control port traffic),
# qmp.log, qemu.cmd (the command line), qemu.log (its stderr), sticks/.
#
# Usage: scripts/vm/run.sh [-k K] [-t SECONDS] [-q] [-v] TEST
#   -k K        kernel: 6.1 (Debian 12) or 6.12 (Debian 13); default 6.1
#   -t SECONDS  stop the VM after this long (default: the test's "# vm-timeout:",
#               else 120)
#   -q          do not stream the console; print its last lines on failure only
#   -v          boot without "quiet": every kernel message on the console
#
# Exit status: the guest test's own (0 pass, 1 fail, 77 skip, ... up to 123),
#   124  the VM was stopped at the timeout
#   125  the guest crashed (kernel panic), or stopped without reporting a status,
#        or its set-up failed before the test ran
#   126  the harness could not run (bad arguments, download or image failure)
#   77   also: the test does not run on this kernel ("# vm-kernels:"), or qemu
#        is not installed
#
# Test headers: comment lines "# vm-KEY: VALUE" anywhere in TEST (docs/testing.md):
#   vm-timeout: SECONDS        vm-kernels: 6.1 6.12
#   vm-udev: yes|no            start systemd-udevd (default yes)
#   vm-usb: yes|no             USB controller and modules (default yes)
#   vm-stick: NAME [serial=SN] [removable=on|off] [fs=vfat|ext4|none] [size=MB]
#             [table=mbr|none] [label=TEXT]     (cold-plugged; repeat per stick;
#                              a '+' in SN is a space)
#   vm-sd: NAME [fs=...] [size=MB] [table=...] [label=...]
#                              an SD card (size a power of 2) in an sdhci-pci
#                              slot, cold-plugged; sdhci_pci and mmc_block are
#                              loaded at boot (one card per test)
#   vm-disk: NAME [serial=SN] [removable=on|off] [fs=...] [size=MB] [table=...]
#             [label=...]      an internal SATA disk on the machine's AHCI
#                              controller, or with removable=on a SCSI disk
#                              reporting removable media (virtio-scsi); ahci,
#                              virtio_scsi loaded at boot (one per test)
#   vm-modules: NAME...        more kernel modules, loaded at boot
#   vm-include: PATH...        more repo files or folders, at /dlp/PATH; $KERNEL,
#                              $RELEASE and $BUILD are replaced by 6.1|6.12, the
#                              kernel's uname -r and the build folder (/dlp/build)
#   vm-expect: ...             read by check.sh only
set -uo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=6.1
timeout_arg=
quiet=0
loglevel=quiet
while getopts k:t:qv opt; do
	case $opt in
	k)	kernel=$OPTARG ;;
	t)	timeout_arg=$OPTARG ;;
	q)	quiet=1 ;;
	v)	loglevel=ignore_loglevel ;;
	*)	sed -n '/^# Usage:/,/^# Exit status/s/^# \{0,1\}//p' "$0" >&2; exit 126 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || dlpvm_die "usage: $0 [-k K] [-t SECONDS] [-q] [-v] TEST"
test_path=$1
[ -f "$test_path" ] || dlpvm_die "no test file $test_path"
dlpvm_kernel_known "$kernel" || dlpvm_die "unknown kernel '$kernel' (known: $DLPVM_KERNELS)"

# The test's path inside the repo, which is also its path under /dlp in the guest.
test_abs=$(realpath "$test_path")
case $test_abs in
"$DLPVM_REPO"/*)	test_rel=${test_abs#"$DLPVM_REPO"/} ;;
*)			test_rel=tests/vm/external/$(basename "$test_abs") ;;
esac
test_name=$(basename "$test_rel" .sh)
# From here on paths (and globs in vm-include) are the repo's.
cd "$DLPVM_REPO" || exit 126

skip() {
	echo "SKIP: $test_rel on $kernel: $*"
	exit 77
}

command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (scripts/install-deps.sh)"

# header KEY: the values of every "# vm-KEY:" line of the test, one per line.
header() {
	sed -n "s/^#[[:space:]]*vm-$1:[[:space:]]*//p" "$test_abs" | sed 's/[[:space:]]*$//'
}

timeout_s=${timeout_arg:-$(header timeout | tail -n 1)}
timeout_s=${timeout_s:-120}
[[ $timeout_s =~ ^[0-9]+$ ]] && [ "$timeout_s" -gt 0 ] ||
	dlpvm_die "bad timeout '$timeout_s' (whole seconds)"
kernels=$(header kernels | tr '\n' ' ')
if [ -n "${kernels// /}" ] && [[ " $kernels " != *" $kernel "* ]]; then
	skip "the test runs on kernel(s) $kernels only (# vm-kernels:)"
fi
udev=$(header udev | tail -n 1)
udev=${udev:-yes}
case $udev in yes|no) ;; *) dlpvm_die "vm-udev: yes or no, not '$udev'" ;; esac
usb=$(header usb | tail -n 1)
usb=${usb:-yes}
case $usb in yes|no) ;; *) dlpvm_die "vm-usb: yes or no, not '$usb'" ;; esac

# ---------------------------------------------------------------------------
# Kernel, images, run folder
# ---------------------------------------------------------------------------

kroot=$("$DLPVM_SCRIPTS"/kernel.sh image "$kernel") || dlpvm_die "kernel $kernel unavailable"
release=$(cat "$DLPVM_CACHE/kernel/$kernel/release")
base=$("$DLPVM_SCRIPTS"/mkinitramfs.sh "$kernel") || dlpvm_die "no base initramfs for $kernel"

run=$DLPVM_BUILD/runs/$kernel/$test_name
rm -rf "$run"
mkdir -p "$run/sticks" "$run/overlay/etc/dlpvm" "$run/overlay/dlp"
dlpvm_skeleton "$run/overlay"
console=$run/console.log
ctl_log=$run/ctl.log
qmp_log=$run/qmp.log

ov=$run/overlay
mkdir -p "$ov/dlp/tests"
cp -R "$DLPVM_REPO/tests/vm" "$ov/dlp/tests/"
mkdir -p "$ov/dlp/$(dirname "$test_rel")"
cp "$test_abs" "$ov/dlp/$test_rel"
cat >"$ov/etc/dlpvm/config" <<EOF
DLPVM_KERNEL=$kernel
DLPVM_RELEASE=$release
DLPVM_TEST=$test_rel
DLPVM_UDEV=$udev
DLPVM_USB=$usb
EOF

# include PATH: copy a file or folder of the repo to the same place under /dlp
# (the build folder, whatever its name, to /dlp/build), executables with their
# shared libraries.
host_build=$(dirname "$DLPVM_BUILD")
include() {
	local src=$1 rel f
	case $src in
	/*)	;;
	*)	src=$DLPVM_REPO/$src ;;
	esac
	src=$(realpath -m "$src")
	case $src in
	"$host_build"/*)	rel=build/${src#"$host_build"/} ;;
	"$DLPVM_REPO"/*)	rel=${src#"$DLPVM_REPO"/} ;;
	*)			dlpvm_die "vm-include: $1 is outside the repo" ;;
	esac
	if [ -d "$src" ]; then
		mkdir -p "$ov/dlp/$rel"
		cp -R "$src/." "$ov/dlp/$rel/"
	elif [ -f "$src" ]; then
		mkdir -p "$ov/dlp/$(dirname "$rel")"
		cp --preserve=mode "$src" "$ov/dlp/$rel"
		if [ -x "$src" ]; then
			for f in $(ldd "$src" 2>/dev/null |
				awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
				[ -e "$ov$f" ] || dlpvm_stage "$ov" "$f"
			done
		fi
	else
		dlpvm_log "warning: vm-include: $1 does not exist; not in the guest"
	fi
}

for prog in dlpctl dlpd; do
	[ -f "$host_build/$prog" ] && include "$host_build/$prog"
done
for path in $(header include); do
	path=${path//\$KERNEL/$kernel}
	path=${path//\$RELEASE/$release}
	path=${path//\$BUILD/$host_build}
	include "$path"
done
modules=$(header modules | tr '\n' ' ')
[ -n "$(header sd)" ] && modules+=" sdhci_pci mmc_block"
[ -n "$(header disk)" ] && modules+=" ahci virtio_pci virtio_scsi sd_mod"
if [ -n "${modules// /}" ]; then
	# shellcheck disable=SC2086
	dlpvm_stage_modules "$kroot" "$release" "$ov" /etc/dlpvm/modules.extra $modules
fi
dlpvm_cpio "$ov" "$run/overlay.cpio" || dlpvm_die "could not pack $ov"
cat "$base" "$run/overlay.cpio" >"$run/initrd.cpio"
rm -rf "$ov"

# ---------------------------------------------------------------------------
# USB sticks: images and QMP
# ---------------------------------------------------------------------------

# stick_opts NAME KEY=VALUE...: check a stick's description, set s_* variables.
stick_opts() {
	local kv
	s_name=$1
	s_serial=DLPVM-$1 s_removable=on s_fs=vfat s_size=32 s_table=mbr s_label=DLPSTICK
	shift
	[[ $s_name =~ ^[A-Za-z][A-Za-z0-9_-]{0,30}$ ]] || { s_err="bad stick name '$s_name'"; return 1; }
	for kv in "$@"; do
		case $kv in
		serial=*)	s_serial=${kv#*=} ;;
		removable=*)	s_removable=${kv#*=} ;;
		fs=*)		s_fs=${kv#*=} ;;
		size=*)		s_size=${kv#*=} ;;
		table=*)	s_table=${kv#*=} ;;
		label=*)	s_label=${kv#*=} ;;
		*)		s_err="unknown option '$kv'"; return 1 ;;
		esac
	done
	s_err=
	[[ $s_serial =~ ^[A-Za-z0-9_.-]([A-Za-z0-9_.+-]{0,61}[A-Za-z0-9_.-])?$ ]] ||
		s_err="bad serial '$s_serial'"
	s_serial=${s_serial//+/ } # a USB serial may hold spaces (udev's ID_SERIAL_SHORT: '_')
	[[ $s_removable =~ ^(on|off)$ ]] || s_err="removable=on|off, not '$s_removable'"
	[[ $s_fs =~ ^(vfat|ext4|none)$ ]] || s_err="fs=vfat|ext4|none, not '$s_fs'"
	[[ $s_size =~ ^[0-9]+$ ]] && [ "$s_size" -ge 8 ] && [ "$s_size" -le 4096 ] ||
		s_err="size=8..4096 (MB), not '$s_size'"
	[[ $s_table =~ ^(mbr|none)$ ]] || s_err="table=mbr|none, not '$s_table'"
	[[ $s_label =~ ^[A-Za-z0-9_-]{1,11}$ ]] || s_err="bad label '$s_label'"
	[ -z "$s_err" ]
}

# make_stick: the disk image for the stick in s_*, at $run/sticks/NAME.img.
make_stick() {
	local img=$run/sticks/$s_name.img part=$run/sticks/$s_name.part type=c
	rm -f "$img" "$part"
	truncate -s "${s_size}M" "$img" || return 1
	if [ "$s_table" = mbr ]; then
		[ "$s_fs" = ext4 ] && type=83
		printf 'label: dos\nstart=2048, type=%s\n' "$type" | sfdisk -q "$img" >/dev/null ||
			return 1
		truncate -s "$((s_size - 1))M" "$part"
	else
		part=$img
	fi
	case $s_fs in
	vfat)	mkfs.vfat -n "$s_label" "$part" >/dev/null || return 1 ;;
	ext4)	mkfs.ext4 -q -F -L "$s_label" "$part" || return 1 ;;
	esac
	if [ "$part" != "$img" ]; then
		dd if="$part" of="$img" bs=1M seek=1 conv=notrunc,sparse status=none || return 1
		rm -f "$part"
	fi
}

# The stick's -device / device_add properties (bool "removable" is JSON true/false).
stick_json() {
	local removable=false
	[ "$s_removable" = on ] && removable=true
	printf '{"driver":"usb-storage","bus":"xhci.0","id":"%s","drive":"stick-%s","serial":"%s","removable":%s}' \
		"$s_name" "$s_name" "$s_serial" "$removable"
}

blockdev_json() {
	printf '{"driver":"raw","node-name":"stick-%s","file":{"driver":"file","filename":"%s"}}' \
		"$s_name" "$run/sticks/$s_name.img"
}

declare -A stick_serial=()
qemu_usb=()
# shellcheck disable=SC2054
[ "$usb" = yes ] && qemu_usb=(-device qemu-xhci,id=xhci)
while read -r line; do
	[ -n "$line" ] || continue
	[ "$usb" = yes ] || dlpvm_die "$test_rel: vm-stick needs USB, but it says vm-usb: no"
	# shellcheck disable=SC2086
	stick_opts $line || dlpvm_die "$test_rel: vm-stick: $line: $s_err"
	make_stick || dlpvm_die "could not make the image of stick $s_name"
	stick_serial[$s_name]=$s_serial
	qemu_usb+=(-blockdev "$(blockdev_json)" -device "$(stick_json)")
done < <(header stick)

# one_disk KIND: the options of the test's only "vm-KIND:" line in s_*, its image made;
# false when there is none.
one_disk() {
	local lines
	lines=$(header "$1")
	[ -n "$lines" ] || return 1
	[ "$(wc -l <<<"$lines")" -eq 1 ] || dlpvm_die "$test_rel: one vm-$1 line at most"
	# shellcheck disable=SC2086
	set -- "$1" $lines
	# a disk is fixed unless it says removable=on
	if [ "$1" = disk ]; then
		stick_opts "$2" removable=off "${@:3}"
	else
		stick_opts "${@:2}"
	fi || dlpvm_die "$test_rel: vm-$1: $lines: $s_err"
	[ "$1" != sd ] || [ $((s_size & (s_size - 1))) -eq 0 ] ||
		dlpvm_die "$test_rel: vm-sd: size=$s_size: an SD card's size is a power of 2 (MB)"
	make_stick || dlpvm_die "could not make the image of $1 $s_name"
}

# The SD card: QEMU's sd-card on its own sdhci-pci controller; the internal disk: a
# SATA disk on the q35 machine's own AHCI controller (ide.0, its first port), or with
# removable=on a SCSI disk reporting removable media on a virtio-scsi controller.
qemu_disks=()
# shellcheck disable=SC2054
if one_disk sd; then
	qemu_disks+=(-device sdhci-pci,id=sdhci -blockdev "$(blockdev_json)"
		-device "sd-card,drive=stick-$s_name")
fi
# shellcheck disable=SC2054
if one_disk disk; then
	if [ "$s_removable" = on ]; then
		qemu_disks+=(-device virtio-scsi-pci,id=vscsi -blockdev "$(blockdev_json)"
			-device "scsi-hd,drive=stick-$s_name,bus=vscsi.0,removable=on,serial=$s_serial")
	else
		qemu_disks+=(-blockdev "$(blockdev_json)"
			-device "ide-hd,drive=stick-$s_name,bus=ide.0,serial=$s_serial")
	fi
fi

# qmp JSON: send one command, read up to its reply (events seen meanwhile are
# kept in qmp_events); fail on an error reply or after 20 s.
qmp_events=
qmp() {
	local line deadline=$((SECONDS + 20))
	echo "$1" >&"$qmp_in"
	echo ">>> $1" >>"$qmp_log"
	while [ "$SECONDS" -lt "$deadline" ] && read -r -t 20 -u "$qmp_out" line; do
		echo "<<< $line" >>"$qmp_log"
		case $line in
		*'"event"'*)	qmp_events+=$line$'\n' ;;
		*'"return"'*)	qmp_reply=$line; return 0 ;;
		*'"error"'*)	qmp_reply=$line; return 1 ;;
		esac
	done
	qmp_reply="no reply within 20 s"
	return 1
}

# qmp_wait_event PATTERN: wait up to 10 s for an event line matching PATTERN.
qmp_wait_event() {
	local line deadline=$((SECONDS + 10))
	while :; do
		case $qmp_events in *$1*) return 0 ;; esac
		[ "$SECONDS" -lt "$deadline" ] || return 1
		read -r -t 2 -u "$qmp_out" line || continue
		echo "<<< $line" >>"$qmp_log"
		qmp_events+=$line$'\n'
	done
}

# plug NAME KEY=VALUE... / unplug NAME: do it; say what happened in $answer.
# (Not in a subshell: they keep stick_serial and the QMP state.)
plug() {
	[ "$usb" = yes ] || { answer="the test says vm-usb: no"; return 1; }
	[ -z "${stick_serial[$1]:-}" ] || { answer="stick $1 is already plugged"; return 1; }
	stick_opts "$@" || { answer=$s_err; return 1; }
	make_stick || { answer="could not make the stick image"; return 1; }
	qmp '{"execute":"blockdev-add","arguments":'"$(blockdev_json)"'}' ||
		{ answer="blockdev-add: $qmp_reply"; return 1; }
	if ! qmp '{"execute":"device_add","arguments":'"$(stick_json)"'}'; then
		answer="device_add: $qmp_reply"
		qmp '{"execute":"blockdev-del","arguments":{"node-name":"stick-'"$1"'"}}'
		return 1
	fi
	stick_serial[$1]=$s_serial
	answer="serial=${s_serial// /_}" # as udev's ID_SERIAL_SHORT has it, which dlpvm waits for
}

unplug() {
	local serial=${stick_serial[$1]:-}
	[ -n "$serial" ] || { answer="no stick $1 is plugged"; return 1; }
	qmp_events=
	qmp '{"execute":"device_del","arguments":{"id":"'"$1"'"}}' ||
		{ answer="device_del: $qmp_reply"; return 1; }
	qmp_wait_event '"DEVICE_DELETED", "data": {"device": "'"$1"'"' ||
		{ answer="no DEVICE_DELETED event for $1 within 10 s"; return 1; }
	qmp '{"execute":"blockdev-del","arguments":{"node-name":"stick-'"$1"'"}}' ||
		{ answer="blockdev-del: $qmp_reply"; return 1; }
	unset "stick_serial[$1]"
	answer="serial=${serial// /_}"
}

# serve LINE: answer one request of the guest on the control port.
serve() {
	local words verb name rc
	read -r -a words <<<"$1"
	verb=${words[0]}
	name=${words[1]:-}
	answer=
	case $verb in
	plug)	plug "${words[@]:1}" ;;
	unplug)	unplug "$name" ;;
	*)	answer="unknown request"; false ;;
	esac
	rc=$?
	if [ "$rc" -eq 0 ]; then
		reply="ok $verb $name $answer"
	else
		reply="err $verb $name ${answer//$'\n'/ }"
	fi
	echo "$reply" >&"$ctl_in"
	printf '%4ds > %s\n' "$SECONDS" "$reply" >>"$ctl_log"
}

# ---------------------------------------------------------------------------
# Boot
# ---------------------------------------------------------------------------

# Debian's own LSM order, with bpf added if the package left it out.
lsm=$(sed -n 's/^CONFIG_LSM="\(.*\)"$/\1/p' "$kroot/boot/config-$release")
case ",$lsm," in *,bpf,*) ;; *) lsm=${lsm:+$lsm,}bpf ;; esac
cmdline="console=ttyS0 $loglevel panic=-1 lsm=$lsm"

mkfifo "$run/ctl.in" "$run/ctl.out" "$run/qmp.in" "$run/qmp.out"
# Read-write opens of a FIFO never block, whether or not qemu got as far as
# opening its ends.
exec {ctl_in}<>"$run/ctl.in" {ctl_out}<>"$run/ctl.out" \
	{qmp_in}<>"$run/qmp.in" {qmp_out}<>"$run/qmp.out"
: >"$console"
: >"$ctl_log"

qemu_pid=
tail_pid=
cleanup() {
	[ -n "$qemu_pid" ] && stop_qemu
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
	rm -f "$run/initrd.cpio"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

qemu_running() {
	local state
	state=$(awk '{ print $3 }' "/proc/$qemu_pid/stat" 2>/dev/null) && [ "$state" != Z ]
}

# stop_qemu: SIGTERM, then SIGKILL after 5 s; reap it.
stop_qemu() {
	kill "$qemu_pid" 2>/dev/null
	for _ in $(seq 50); do
		qemu_running || break
		sleep 0.1
	done
	qemu_running && kill -9 "$qemu_pid" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	qemu_pid=
}

# TCG only, never KVM. -cpu max: Debian's crc32c-intel, crct10dif-pclmul need
# SSE4.2 and PCLMUL. ttyS0 is the console, ttyS1 the control port.
# shellcheck disable=SC2054
qemu_args=(qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp 1 -m 512
	-nodefaults -no-user-config -display none -no-reboot
	-kernel "$kroot/boot/vmlinuz-$release" -initrd "$run/initrd.cpio" -append "$cmdline"
	-serial "file:$console"
	-chardev "pipe,id=ctl,path=$run/ctl" -serial chardev:ctl
	-chardev "pipe,id=qmp,path=$run/qmp" -mon chardev=qmp,mode=control
	"${qemu_usb[@]}" "${qemu_disks[@]}")
printf '%q ' "${qemu_args[@]}" >"$run/qemu.cmd"
echo >>"$run/qemu.cmd"

SECONDS=0
# qemu dies with this script, even if it is killed with SIGKILL.
setpriv --pdeathsig KILL "${qemu_args[@]}" </dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!

if [ "$quiet" -eq 0 ]; then
	tail -n +1 -s 0.2 -f --pid="$qemu_pid" "$console" &
	tail_pid=$!
fi

# QMP greeting (within 30 s, unless qemu gives up first), then capabilities.
qmp_ok=0
for _ in $(seq 30); do
	if read -r -t 1 -u "$qmp_out" greeting; then
		echo "<<< $greeting" >>"$qmp_log"
		qmp '{"execute":"qmp_capabilities"}' && qmp_ok=1
		break
	fi
	qemu_running || break
done
if [ "$qmp_ok" -eq 0 ]; then
	qemu_running && stop_qemu
	echo "vm: qemu did not start; $run/qemu.log says:" >&2
	cat "$run/qemu.log" >&2
	exit 126
fi

# ---------------------------------------------------------------------------
# Serve the control port until the test reports, the guest dies or time runs out
# ---------------------------------------------------------------------------

status=
guest_error=
ready_at=
timed_out=0
partial=
while :; do
	if read -r -t 1 -u "$ctl_out" line; then
		line=${partial}${line%$'\r'}
		partial=
		printf '%4ds < %s\n' "$SECONDS" "$line" >>"$ctl_log"
		case $line in
		DLPVM-READY)		ready_at=$SECONDS ;;
		DLPVM-EXIT=*)
			status=${line#DLPVM-EXIT=}
			echo bye >&"$ctl_in" # the guest powers off once it reads this
			break
			;;
		DLPVM-ERROR=*)		guest_error=${line#DLPVM-ERROR=} ;;
		plug\ *|unplug\ *)	serve "$line" ;;
		*)			printf '      (not a request)\n' >>"$ctl_log" ;;
		esac
	else
		[ -n "$line" ] && partial+=$line
	fi
	qemu_running || break
	if [ "$SECONDS" -ge "$timeout_s" ]; then
		timed_out=1
		break
	fi
done
test_end=$SECONDS

# After the exit status the guest powers itself off; give it 30 s.
if [ -n "$status" ]; then
	for _ in $(seq 300); do
		qemu_running || break
		sleep 0.1
	done
	if qemu_running; then
		dlpvm_log "warning: the guest did not power off within 30 s of reporting; stopped"
	fi
fi
if qemu_running; then
	stop_qemu
else
	wait "$qemu_pid"
	qemu_rc=$?
	qemu_pid=
fi
[ -n "$tail_pid" ] && { wait "$tail_pid" 2>/dev/null; tail_pid=; }

where="console log: $console"
boot_s=${ready_at:-?}
if [ "$timed_out" -eq 1 ]; then
	[ "$quiet" -eq 1 ] && tail -n 40 "$console"
	if [ -n "$ready_at" ]; then
		phase="the test ran for $((test_end - ready_at)) s after a ${ready_at} s boot"
	elif [ -n "$guest_error" ]; then
		phase="its set-up had failed: $guest_error"
	else
		phase="the guest was still booting"
	fi
	echo "TIMEOUT: $test_rel on $kernel did not finish within ${timeout_s}s ($phase); VM stopped. $where"
	exit 124
fi
if [ -z "$status" ]; then
	[ "$quiet" -eq 1 ] && tail -n 40 "$console"
	panic=$(grep -m 1 'Kernel panic' "$console")
	if [ -n "$panic" ]; then
		echo "PANIC: $test_rel on $kernel: the guest kernel panicked: ${panic#*] }. $where"
	elif [ -n "$guest_error" ]; then
		echo "ERROR: $test_rel on $kernel: the guest's set-up failed: $guest_error. $where"
	else
		echo "ERROR: $test_rel on $kernel: the guest stopped without reporting an exit status (qemu exit status ${qemu_rc:-?}). $where"
	fi
	exit 125
fi
[[ $status =~ ^[0-9]+$ ]] || { echo "ERROR: bad exit status '$status' from the guest"; exit 125; }
if [ "$status" -ne 0 ] && [ "$quiet" -eq 1 ]; then
	tail -n 60 "$console"
fi
echo "vm: $test_rel on $kernel ($release): exit status $status (boot ${boot_s}s, test $((test_end - ${ready_at:-0}))s, total ${SECONDS}s). $where"
exit "$status"
