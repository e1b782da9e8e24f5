#!/bin/bash
# scripts/vm/check.sh - run the VM test suite: every tests/vm/*.sh on every kernel.
#
# Fetches the kernels first (once; cached), then runs each test on each kernel
# with run.sh, up to JOBS VMs at a time, and judges each run by the test's
# "# vm-expect:" header:
#   pass (default)  run.sh exits 0; 77 counts as skipped
#   exit N          run.sh exits N (a test that must fail, e.g. selftest-fail.sh)
#   timeout         run.sh exits 124 and says "TIMEOUT: ... the test ran ..."
#   panic           run.sh exits 125 and says "PANIC: ..."
# Each run's output is shown when it ends and kept in $BUILD/vm/check/. The last
# line is the summary, alone on its line: N passed, N failed[, N skipped]; the exit
# status is non-zero if anything failed.
#
# Usage: scripts/vm/check.sh [-k "6.1 6.12"] [-j JOBS] [TEST...]
#   -k KERNELS  the kernels to run on (default: all, $DLPVM_KERNELS)
#   -j JOBS     VMs at a time (default: the number of CPUs, at most 2)
#   TEST...     the tests to run (default: tests/vm/*.sh)
set -uo pipefail
# shellcheck source=scripts/vm/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$DLPVM_REPO" || exit 1

kernels=$DLPVM_KERNELS
jobs=$(nproc)
[ "$jobs" -gt 2 ] && jobs=2
while getopts k:j: opt; do
	case $opt in
	k)	kernels=$OPTARG ;;
	j)	jobs=$OPTARG ;;
	*)	sed -n '/^# Usage:/,/^set /s/^# \{0,1\}//p' "$0" | sed '$d' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <(compgen -G 'tests/vm/*.sh' | sort)
fi

n_passed=0
n_failed=0
n_skipped=0
failures=()

summary() {
	echo
	if [ ${#failures[@]} -gt 0 ]; then
		echo "Failures:"
		printf '  %s\n' "${failures[@]}"
	fi
	if [ "$n_skipped" -gt 0 ]; then
		echo "$n_passed passed, $n_failed failed, $n_skipped skipped"
	else
		echo "$n_passed passed, $n_failed failed"
	fi
	[ "$n_failed" -eq 0 ]
	exit
}

if [ ${#tests[@]} -eq 0 ]; then
	echo "SKIP: vm: no tests/vm/*.sh"
	n_skipped=1
	summary
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: vm: qemu-system-x86_64 is not installed (scripts/install-deps.sh installs it)"
	n_skipped=1
	summary
fi

header() {
	sed -n "s/^#[[:space:]]*vm-$2:[[:space:]]*//p" "$1" | sed 's/[[:space:]]*$//' | tail -n 1
}

logdir=$DLPVM_BUILD/check
rm -rf "$logdir"
mkdir -p "$logdir"
SECONDS=0

# Kernels and base images first, one at a time: downloads happen here, once.
ready_kernels=
for k in $kernels; do
	start=$SECONDS
	if "$DLPVM_SCRIPTS"/kernel.sh image "$k" >/dev/null &&
		"$DLPVM_SCRIPTS"/mkinitramfs.sh "$k" >/dev/null; then
		echo "vm: kernel $k ready ($(cat "$DLPVM_CACHE/kernel/$k/release"), $((SECONDS - start)) s)"
		ready_kernels+=" $k"
	else
		echo "FAIL: vm: kernel $k could not be fetched or its initramfs built; its tests do not run"
		for t in "${tests[@]}"; do
			n_failed=$((n_failed + 1))
			failures+=("$(basename "$t") on $k (no kernel)")
		done
	fi
done

# judge TEST KERNEL STATUS LOG: count one run as passed, failed or skipped.
judge() {
	local t=$1 k=$2 rc=$3 log=$4 expect what verdict reason
	expect=$(header "$t" expect)
	expect=${expect:-pass}
	what="$(basename "$t") on $k"
	verdict=fail
	case $expect in
	pass)
		case $rc in
		0)	verdict=pass ;;
		77)	verdict=skip ;;
		*)	reason="exit status $rc" ;;
		esac
		;;
	"exit "[0-9]*)
		if [ "$rc" -eq "${expect#exit }" ]; then
			verdict=pass
		elif [ "$rc" -eq 77 ]; then
			verdict=skip
		else
			reason="expected exit status ${expect#exit }, got $rc"
		fi
		;;
	timeout)
		if [ "$rc" -eq 124 ] && grep -q '^TIMEOUT: .*the test ran' "$log"; then
			verdict=pass
		elif [ "$rc" -eq 77 ]; then
			verdict=skip
		else
			reason="expected a TIMEOUT message and status 124, got $rc"
		fi
		;;
	panic)
		if [ "$rc" -eq 125 ] && grep -q '^PANIC: ' "$log"; then
			verdict=pass
		elif [ "$rc" -eq 77 ]; then
			verdict=skip
		else
			reason="expected a PANIC message and status 125, got $rc"
		fi
		;;
	*)
		reason="unknown vm-expect '$expect'"
		;;
	esac
	case $verdict in
	pass)
		n_passed=$((n_passed + 1))
		echo "PASS: $what (expected: $expect)"
		;;
	skip)
		n_skipped=$((n_skipped + 1))
		echo "SKIP: $what: $(grep -m 1 '^SKIP: ' "$log" | sed 's/^SKIP: //')"
		;;
	*)
		n_failed=$((n_failed + 1))
		failures+=("$what ($reason)")
		echo "FAIL: $what: $reason (log: $log)"
		;;
	esac
}

declare -A job_test job_kernel job_log job_start
running=0

# finish_one: wait for any running VM, show its output and judge it.
finish_one() {
	local pid rc
	wait -n -p pid
	rc=$?
	running=$((running - 1))
	printf '\n==== vm: %s on %s (%d s) ====\n' "${job_test[$pid]}" "${job_kernel[$pid]}" \
		$((SECONDS - job_start[$pid]))
	cat "${job_log[$pid]}"
	judge "${job_test[$pid]}" "${job_kernel[$pid]}" "$rc" "${job_log[$pid]}"
}

for k in $ready_kernels; do
	for t in "${tests[@]}"; do
		while [ "$running" -ge "$jobs" ]; do
			finish_one
		done
		limit=$(header "$t" timeout)
		log=$logdir/$k-$(basename "$t" .sh).log
		# run.sh bounds the VM itself; this bounds run.sh, should it ever hang.
		timeout --kill-after=10 $((${limit:-120} + 300)) \
			bash "$DLPVM_SCRIPTS"/run.sh -k "$k" "$t" </dev/null >"$log" 2>&1 &
		job_test[$!]=$t
		job_kernel[$!]=$k
		job_log[$!]=$log
		job_start[$!]=$SECONDS
		running=$((running + 1))
	done
done
while [ "$running" -gt 0 ]; do
	finish_one
done

echo
echo "vm: $((n_passed + n_failed + n_skipped)) runs on kernel(s)$ready_kernels in $SECONDS s, $jobs at a time"
summary
