#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dlpguard test harness, run by `make check` after everything is built.
#
# Usage: tests/run.sh [SUITE...]        (default: every suite in ALL_SUITES, in order)
#
# Each suite is a function suite_<name> that runs its tests with their output shown
# and counts results with pass N / fail N "what" / skip "what" "why". A suite that
# cannot run at all says "SKIP: <what>: <reason>" and counts as skipped, never passed.
# The last line is the summary, alone on its line:
#	N passed, N failed[, N skipped]
# and the exit status is non-zero if anything failed or if no test ran.
#
# To add a suite: write suite_<name>() below and add <name> to ALL_SUITES.
#
# A test binary that cannot run on this machine (no root, the kernel refuses BPF)
# prints "SKIP: <reason>" and exits 77; it counts as one skipped, not as a failure.
#
# Environment:
#	BUILD         build directory (default build)
#	FUZZ_SECONDS  time per fuzz target (default 20; `make fuzz` passes FUZZ_TIME)
#	FUZZ_MAX_LEN  -max_len for fuzz targets (default 8192)
#	FUZZ_RUN_DIR  where each target X runs, in X/ (default $BUILD/fuzz/run)
#	FUZZ_KEEP_CORPUS=1  keep X/corpus from earlier runs (`make fuzz`); by default
#	              it is a fresh copy of tests/fuzz/corpus/X/, which is never written
#	TEST_TIMEOUT  seconds before a unit-test binary is killed (default 300)
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

ALL_SUITES=(unit asan bpf policy man style pkg fuzz vm)

export BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-8192}
FUZZ_RUN_DIR=${FUZZ_RUN_DIR:-$BUILD/fuzz/run}
FUZZ_KEEP_CORPUS=${FUZZ_KEEP_CORPUS:-0}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
LOGDIR=$BUILD/test-logs

n_passed=0
n_failed=0
n_skipped=0
failures=()

pass() { n_passed=$((n_passed + $1)); }
fail() { n_failed=$((n_failed + $1)); failures+=("$2"); }
skip() { n_skipped=$((n_skipped + 1)); echo "SKIP: $1: $2"; }

banner() { printf '\n==== %s ====\n' "$*"; }

# Run one cmocka binary, its output shown and kept in $LOGDIR, and count its cases
# from cmocka's summary lines (one set per cmocka_run_group_tests call):
#	[  PASSED  ] N test(s).
#	[  FAILED  ] N test(s), listed below:
#	[  SKIPPED ] N test(s), listed below:
# A binary that exits non-zero without a FAILED line (crash, sanitizer abort,
# timeout) counts the cases reported OK before it died, plus one failure; one that
# prints "SKIP: <reason>" and exits 77 counts as one skipped.
cmocka_count() {
	sed -n "s/^\[  $2 *\] \([0-9][0-9]*\) test(s)$3.*/\1/p" "$1" |
		awk '{ n += $1 } END { print n + 0 }'
}

run_cmocka() {
	local bin=$1 label=$2 log rc passed failed skipped ok reason
	log=$LOGDIR/$label.log
	mkdir -p "$(dirname "$log")"
	CMOCKA_MESSAGE_OUTPUT=stdout timeout "$TEST_TIMEOUT" "$bin" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}

	if [ "$rc" -eq 77 ] && reason=$(grep -m 1 '^SKIP: ' "$log"); then
		skip "$label" "${reason#SKIP: }"
		return
	fi

	passed=$(cmocka_count "$log" PASSED '\.')
	failed=$(cmocka_count "$log" FAILED ', listed below:')
	skipped=$(cmocka_count "$log" SKIPPED ', listed below:')

	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		ok=$(grep -c '^\[       OK \]' "$log")
		[ "$rc" -eq 124 ] && echo "$label: killed after ${TEST_TIMEOUT}s"
		echo "$label: exited with status $rc without a cmocka FAILED line"
		pass "$ok"
		fail 1 "$label (exit $rc)"
		n_skipped=$((n_skipped + skipped))
		return
	fi
	if [ "$rc" -eq 0 ] && ! grep -q '^\[  PASSED  \]' "$log"; then
		fail 1 "$label (no cmocka summary)"
		return
	fi
	pass "$passed"
	[ "$failed" -gt 0 ] && fail "$failed" "$label ($failed case(s))"
	n_skipped=$((n_skipped + skipped))
}

# Run $2/test_X for each $1/test_X.c, each as "$3/test_X".
run_cmocka_suite() {
	local srcdir=$1 dir=$2 kind=$3 src name bin srcs
	srcs=$(compgen -G "$srcdir/test_*.c" | sort)
	if [ -z "$srcs" ]; then
		skip "$kind" "no $srcdir/test_*.c"
		return
	fi
	for src in $srcs; do
		name=$(basename "$src" .c)
		bin=$dir/$name
		banner "$kind: $name"
		if [ ! -x "$bin" ]; then
			echo "$bin: not built"
			fail 1 "$kind/$name (not built)"
			continue
		fi
		run_cmocka "$bin" "$kind/$name"
	done
}

# (1) unit tests
suite_unit() {
	run_cmocka_suite tests/unit "$BUILD/tests" unit
}

# (2) the same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
suite_asan() {
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_cmocka_suite tests/unit "$BUILD/asan/tests" asan
}

# (3) host BPF tests: programs from tests/bpf/progs/ loaded, never attached, and run
# with BPF_PROG_TEST_RUN (docs/testing.md); each test skips itself (exit 77) when the
# kernel refuses to load BPF, e.g. when not run as root
suite_bpf() {
	run_cmocka_suite tests/bpf "$BUILD/tests/bpf" bpf
}

# A suite that is a script of its own, ending with its own summary line
# "N passed, N failed[, N skipped]": run it, output shown and kept, and count
# that line.  Usage: run_summarised NAME COMMAND...
run_summarised() {
	local name=$1 log rc last f
	shift
	log=$LOGDIR/$name.log
	mkdir -p "$LOGDIR"
	"$@" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		f=${BASH_REMATCH[2]}
		pass "${BASH_REMATCH[1]}"
		n_skipped=$((n_skipped + ${BASH_REMATCH[4]:-0}))
		[ "$f" -gt 0 ] && fail "$f" "$name ($f failed)"
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "$name: exited with status $rc but reported no failure"
			fail 1 "$name (exit $rc)"
		fi
	else
		echo "$name: last line is not 'N passed, N failed' (exit $rc)"
		fail 1 "$name (no summary)"
	fi
}

# (4) policy corpus: tests/policy/run.sh, every good and bad file
suite_policy() {
	banner "policy corpus: tests/policy/run.sh"
	run_summarised policy env DLPCTL="$BUILD/dlpctl" bash tests/policy/run.sh
}

# A manual page rendered as plain text, whitespace collapsed to single spaces, so
# that a phrase can be looked for whatever the line breaks and the fonts.
man_text() {
	LC_ALL=C.UTF-8 mandoc -T utf8 "$1" | sed 's/.\x08//g' | tr -s ' \t\n' '   '
}

# (4b) manual pages: docs/man/*.[1-9] lint clean, each NAME the file's name, and
# every dlpctl command and dlpd long option in --help documented
suite_man() {
	local page base name sec title out missing cmd opt pages
	banner "man: docs/man/*.[1-9]"
	if ! command -v mandoc >/dev/null; then
		skip "man" "mandoc is not installed (make deps)"
		return
	fi
	pages=$(compgen -G 'docs/man/*.[1-9]' | sort)
	if [ -z "$pages" ]; then
		skip "man" "no docs/man/*.[1-9]"
		return
	fi
	for page in $pages; do
		base=$(basename "$page")
		sec=${base##*.}
		name=${base%.*}
		if out=$(mandoc -T lint -W warning "$page" 2>&1) && [ -z "$out" ]; then
			echo "PASS: $page: mandoc -T lint -W warning"
			pass 1
		else
			printf '%s\n' "$out"
			echo "FAIL: $page: mandoc -T lint -W warning"
			fail 1 "man/$base (lint)"
		fi
		# .Dt TITLE SECTION (mdoc) or .TH TITLE SECTION (man), and the first
		# word of the rendered NAME section, must both be the file's name.
		title=$(sed -n 's/^\.\(Dt\|TH\)[[:space:]]\{1,\}\([^[:space:]]*\)[[:space:]]\{1,\}\([^[:space:]]*\).*/\2 \3/p' \
			"$page" | head -n 1 | tr '[:upper:]' '[:lower:]')
		out=$(LC_ALL=C.UTF-8 mandoc -T utf8 "$page" | sed 's/.\x08//g' |
			sed -n '/^NAME$/{n;p;q}' | awk '{ sub(/,$/, "", $1); print $1 }')
		if [ "$title" = "$name $sec" ] && [ "$out" = "$name" ]; then
			echo "PASS: $page: NAME and title are $name($sec)"
			pass 1
		else
			echo "FAIL: $page: title '$title' and NAME '$out', expected '$name $sec' and '$name'"
			fail 1 "man/$base (name)"
		fi
	done

	# dlpctl(8) documents every "NOUN VERB" that `dlpctl --help` lists.
	if [ ! -x "$BUILD/dlpctl" ]; then
		skip "man/dlpctl.8 commands" "$BUILD/dlpctl is not built (make)"
	elif [ ! -f docs/man/dlpctl.8 ]; then
		echo "FAIL: docs/man/dlpctl.8: missing"
		fail 1 "man/dlpctl.8 (missing)"
	else
		out=$(man_text docs/man/dlpctl.8)
		missing=()
		while read -r cmd; do
			[[ " $out " == *" dlpctl $cmd "* ]] || missing+=("$cmd")
		done < <("$BUILD/dlpctl" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\) \([a-z][a-z-]*\) .*/\1 \2/p')
		if [ ${#missing[@]} -eq 0 ]; then
			echo "PASS: docs/man/dlpctl.8: every command in '$BUILD/dlpctl --help'"
			pass 1
		else
			echo "FAIL: docs/man/dlpctl.8: no 'dlpctl NOUN VERB' line for: ${missing[*]}"
			fail 1 "man/dlpctl.8 (commands)"
		fi
	fi

	# dlpd(8) documents every long option that `dlpd --help` lists.
	if [ ! -x "$BUILD/dlpd" ]; then
		skip "man/dlpd.8 options" "$BUILD/dlpd is not built (make)"
	elif [ ! -f docs/man/dlpd.8 ]; then
		echo "FAIL: docs/man/dlpd.8: missing"
		fail 1 "man/dlpd.8 (missing)"
	else
		out=$(man_text docs/man/dlpd.8)
		missing=()
		while read -r opt; do
			[[ " $out" == *[[:space:],\[]"$opt"[[:space:],\]]* ]] || missing+=("$opt")
		done < <("$BUILD/dlpd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
		if [ ${#missing[@]} -eq 0 ]; then
			echo "PASS: docs/man/dlpd.8: every long option in '$BUILD/dlpd --help'"
			pass 1
		else
			echo "FAIL: docs/man/dlpd.8: not documented: ${missing[*]}"
			fail 1 "man/dlpd.8 (options)"
		fi
	fi
}

# (4c) the module's sources: the kernel's checkpatch.pl --strict, clean (scripts/checkpatch.sh;
# it fetches the script once from Debian's linux-source package, and says SKIP if it cannot)
suite_style() {
	local rc

	banner "style: checkpatch.pl --strict on the module"
	if ! compgen -G 'kmod/*.c' >/dev/null; then
		skip "style" "no kmod/*.c sources"
		return
	fi
	mkdir -p "$LOGDIR"
	bash scripts/checkpatch.sh >"$LOGDIR/checkpatch.log" 2>&1
	rc=$?
	tail -n 3 "$LOGDIR/checkpatch.log"
	case $rc in
	0) pass 1 ;;
	77) skip "style" "$(grep -m1 '^SKIP' "$LOGDIR/checkpatch.log" || echo 'checkpatch.pl not available')" ;;
	*)
		cat "$LOGDIR/checkpatch.log"
		fail 1 "style (checkpatch.pl --strict)"
		;;
	esac
}

# dkms.conf and scripts/dkms-install.sh with Debian's dkms, in a scratch tree
suite_pkg() {
	local rc bad

	banner "pkg: DKMS install, upgrade and uninstall in a scratch tree"
	mkdir -p "$LOGDIR"
	bash tests/pkg/dkms.sh >"$LOGDIR/dkms.log" 2>&1
	rc=$?
	grep -E '^(not )?ok ' "$LOGDIR/dkms.log"
	case $rc in
	0) pass "$(grep -c '^ok ' "$LOGDIR/dkms.log")" ;;
	77) skip "pkg" "$(grep -m1 '^SKIP' "$LOGDIR/dkms.log" || echo 'dkms.sh skipped')" ;;
	*)
		cat "$LOGDIR/dkms.log"
		pass "$(grep -c '^ok ' "$LOGDIR/dkms.log")"
		bad=$(grep -c '^not ok ' "$LOGDIR/dkms.log")
		fail "$((bad > 0 ? bad : 1))" "pkg (tests/pkg/dkms.sh, exit $rc)"
		;;
	esac
}

# (5) fuzz targets, each for FUZZ_SECONDS over a copy of its seeds in build/
suite_fuzz() {
	local src name target bin run seeds log rc srcs
	srcs=$(compgen -G 'tests/fuzz/fuzz_*.c' | sort)
	if [ -z "$srcs" ]; then
		skip "fuzz" "no tests/fuzz/fuzz_*.c"
		return
	fi
	for src in $srcs; do
		name=$(basename "$src" .c)
		target=${name#fuzz_}
		bin=$BUILD/fuzz/$name
		run=$FUZZ_RUN_DIR/$target
		seeds=tests/fuzz/corpus/$target
		log=$run/fuzz.log
		banner "fuzz: $name, ${FUZZ_SECONDS}s"
		if [ ! -x "$bin" ]; then
			echo "$bin: not built"
			fail 1 "fuzz/$name (not built)"
			continue
		fi
		if [ "$FUZZ_KEEP_CORPUS" = 1 ]; then
			rm -f "$run"/* 2>/dev/null
		else
			rm -rf "$run"
		fi
		mkdir -p "$run/corpus"
		if [ -d "$seeds" ]; then
			cp -R "$seeds/." "$run/corpus/"
		else
			echo "$seeds: no seed corpus, starting empty"
		fi
		echo "corpus: $run/corpus ($(find "$run/corpus" -type f | wc -l) seeds)"
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$FUZZ_MAX_LEN" \
			-artifact_prefix="$run/" -print_final_stats=1 \
			"$run/corpus" </dev/null >"$log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			# libFuzzer's progress lines are long; show its closing lines only.
			grep -E '^(INFO: seed corpus|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$log"
			pass 1
		else
			echo "--- last 200 lines of $log ---"
			tail -n 200 "$log"
			find "$run" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
				-o -name 'timeout-*' -o -name 'oom-*' \) -printf 'artifact: %p\n'
			fail 1 "fuzz/$name (exit $rc)"
		fi
	done
}

# (6) VM tests: every tests/vm/*.sh on Debian's 6.1 and 6.12 kernels in qemu
suite_vm() {
	banner "vm: tests/vm/*.sh on Debian's 6.1 and 6.12 kernels"
	run_summarised vm env BUILD="$BUILD" bash scripts/vm/check.sh
}

SUITES=("${ALL_SUITES[@]}")
if [ $# -gt 0 ]; then
	SUITES=("$@")
fi
for suite in "${SUITES[@]}"; do
	if ! declare -F "suite_$suite" >/dev/null; then
		echo "tests/run.sh: no suite '$suite' (have: ${ALL_SUITES[*]})" >&2
		exit 2
	fi
done
rm -rf "$LOGDIR"
for suite in "${SUITES[@]}"; do
	"suite_$suite"
done

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
if [ $((n_passed + n_failed)) -eq 0 ]; then
	echo "No test ran."
fi
if [ "$n_skipped" -gt 0 ]; then
	echo "$n_passed passed, $n_failed failed, $n_skipped skipped"
else
	echo "$n_passed passed, $n_failed failed"
fi
[ "$n_failed" -eq 0 ] && [ $((n_passed + n_failed)) -gt 0 ]
