#!/bin/bash
# tests/policy/run.sh - run the policy checker over the policy corpora.
#
# Usage (from the repository root):  tests/policy/run.sh [DLPCTL]
#   DLPCTL  the dlpctl binary to test; default build/dlpctl
#
# - tests/policy/good/*.policy and the shipped policy/*.policy must be valid:
#   `dlpctl policy check` exits 0 with nothing on stderr, and
#   `dlpctl policy show FILE --json` exits 0, prints valid JSON naming the
#   file's SHA-256, and prints the same bytes on a second run.
# - tests/policy/bad/NAME.policy must be invalid: `dlpctl policy check` exits
#   1 and its stderr equals tests/policy/bad/NAME.err exactly.  The file is
#   passed as the relative path tests/policy/bad/NAME.policy, which is the
#   name the expected messages carry.
# - A few cases too big to keep in the tree (a ledger at and past its limit,
#   a file past 1 MiB) are generated in a temporary directory.
# - `policy check` with no file is wrong usage (exit 2).
#
# Prints PASS: or FAIL: per case, then "N passed, N failed"; exits 1 if any
# case failed.

set -u

dlpctl=${1:-build/dlpctl}
good_dir=tests/policy/good
bad_dir=tests/policy/bad
shipped_dir=policy

if [ ! -f "$bad_dir/../run.sh" ] || [ ! -d "$good_dir" ]; then
	echo "run.sh: run me from the repository root" >&2
	exit 2
fi
if [ ! -x "$dlpctl" ]; then
	echo "run.sh: $dlpctl: not an executable (build it with make)" >&2
	exit 2
fi
case "$dlpctl" in
/*)	;;
*)	dlpctl=$PWD/$dlpctl ;;
esac

have_json=1
if ! command -v python3 >/dev/null 2>&1; then
	have_json=0
	echo "NOTE: python3 not found: JSON validity of 'policy show --json' is not checked"
fi
have_sha=1
if ! command -v sha256sum >/dev/null 2>&1; then
	have_sha=0
	echo "NOTE: sha256sum not found: the source hash in 'policy show --json' is not checked"
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

pass() {
	echo "PASS: $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $1: $2"
	failed=$((failed + 1))
}

# show_diff EXPECTED ACTUAL: the difference, indented under the FAIL line.
show_diff() {
	diff -u --label expected --label actual "$1" "$2" | sed 's/^/    /'
}

# check_valid FILE: the checks every valid policy must pass.
check_valid() {
	local f=$1 rc out1 out2

	"$dlpctl" policy check "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$f" "policy check exited $rc, expected 0"
		sed 's/^/    /' "$tmp/err"
		return
	fi
	if [ -s "$tmp/err" ]; then
		fail "$f" "policy check printed on stderr"
		sed 's/^/    /' "$tmp/err"
		return
	fi

	out1=$tmp/show1
	out2=$tmp/show2
	"$dlpctl" policy show "$f" --json >"$out1" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$f" "policy show --json exited $rc, expected 0"
		sed 's/^/    /' "$tmp/err"
		return
	fi
	if [ $have_json -eq 1 ] && ! python3 -m json.tool "$out1" >/dev/null 2>"$tmp/jerr"; then
		fail "$f" "policy show --json printed invalid JSON: $(head -n 1 "$tmp/jerr")"
		return
	fi
	if [ $have_sha -eq 1 ]; then
		local sum
		sum=$(sha256sum <"$f" | cut -d' ' -f1)
		if ! grep -q "$sum" "$out1"; then
			fail "$f" "policy show --json does not carry the file's SHA-256 $sum"
			return
		fi
	fi
	"$dlpctl" policy show "$f" --json >"$out2" 2>/dev/null
	if ! cmp -s "$out1" "$out2"; then
		fail "$f" "policy show --json differs between two runs"
		show_diff "$out1" "$out2"
		return
	fi
	pass "$f"
}

# check_invalid FILE ERRFILE: check must exit 1 and print ERRFILE exactly.
check_invalid() {
	local f=$1 want=$2 rc

	"$dlpctl" policy check "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "$f" "policy check exited $rc, expected 1"
		sed 's/^/    /' "$tmp/err"
		return
	fi
	if ! cmp -s "$want" "$tmp/err"; then
		fail "$f" "stderr differs from $want"
		show_diff "$want" "$tmp/err"
		return
	fi
	pass "$f"
}

for f in "$good_dir"/*.policy "$shipped_dir"/*.policy; do
	[ -e "$f" ] || continue
	check_valid "$f"
done

for f in "$bad_dir"/*.policy; do
	[ -e "$f" ] || continue
	want=${f%.policy}.err
	if [ ! -f "$want" ]; then
		fail "$f" "no $want"
		continue
	fi
	check_invalid "$f" "$want"
done
for want in "$bad_dir"/*.err; do
	[ -e "$want" ] || continue
	[ -f "${want%.err}.policy" ] || fail "$want" "no ${want%.err}.policy beside it"
done

# --- generated cases, run from inside $tmp so that names are short and stable.

# gen_ledger N FILE: a valid policy whose ledger holds N entries.
gen_ledger() {
	local n=$1 i
	{
		echo "# a ledger of $n entries"
		printf 'mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n'
		for ((i = 1; i <= n; i++)); do
			echo "media r$i bus usb id 0781:5583 serial S$i section 総務課 access rw until 2099-03-31"
		done
	} >"$2"
}

# run_generated NAME WANT_RC EXPECTED_STDERR: check $tmp/NAME as "NAME".
run_generated() {
	local name=$1 want_rc=$2 want_err=$3 rc

	(cd "$tmp" && "$dlpctl" policy check "$name" >out 2>err)
	rc=$?
	printf '%s' "$want_err" >"$tmp/want"
	if [ $rc -ne "$want_rc" ]; then
		fail "generated/$name" "policy check exited $rc, expected $want_rc"
		sed 's/^/    /' "$tmp/err"
	elif ! cmp -s "$tmp/want" "$tmp/err"; then
		fail "generated/$name" "stderr differs from what was expected"
		show_diff "$tmp/want" "$tmp/err"
	else
		pass "generated/$name"
	fi
}

gen_ledger 4096 "$tmp/ledger-4096.policy"
run_generated ledger-4096.policy 0 ""

gen_ledger 4097 "$tmp/ledger-4097.policy"
run_generated ledger-4097.policy 1 \
"ledger-4097.policy:4102:7: error: too many ledger entries; at most 4096
"

# A file one byte past 1 MiB: a valid policy padded with comment lines.
{
	printf 'mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\n'
	line=$(printf '#%.0s' {1..1023})
	for ((i = 0; i < 1024; i++)); do
		echo "$line"
	done
} | head -c $((1024 * 1024 + 1)) >"$tmp/too-big.policy"
run_generated too-big.policy 1 \
"too-big.policy:1:1: error: policy too large (1048577 bytes); at most 1048576
"

# Warnings: legal policies (exit 0) that still earn a word on stderr.
printf 'mode enforce\ntier mynumber\ndefault deny\nmedia unregistered readonly\n' \
	>"$tmp/warn-mynumber-readonly.policy"
run_generated warn-mynumber-readonly.policy 0 \
"warn-mynumber-readonly.policy:4:20: warning: a mynumber terminal lets no data leave it (端末からの情報持ち出し不可); expected 'media unregistered deny'
"
printf 'mode enforce\ntier lgwan\ndefault deny\nmedia unregistered deny\nzone a 192.0.2.0/24\nzone a 192.0.2.0/24\n' \
	>"$tmp/warn-zone-repeat.policy"
run_generated warn-zone-repeat.policy 0 \
"warn-zone-repeat.policy:6:8: warning: '192.0.2.0/24' is already in zone 'a'
"

# --- usage and unreadable files

"$dlpctl" policy check >/dev/null 2>&1
rc=$?
if [ $rc -eq 2 ]; then
	pass "usage: policy check with no file"
else
	fail "usage: policy check with no file" "exited $rc, expected 2"
fi

# Several files: one invalid file makes the whole check fail, and only its
# errors are printed.
"$dlpctl" policy check "$good_dir/minimal.policy" "$bad_dir/mode-unknown.policy" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 1 ]; then
	fail "usage: policy check good bad" "exited $rc, expected 1"
elif ! cmp -s "$bad_dir/mode-unknown.err" "$tmp/err"; then
	fail "usage: policy check good bad" "stderr differs from $bad_dir/mode-unknown.err"
	show_diff "$bad_dir/mode-unknown.err" "$tmp/err"
else
	pass "usage: policy check good bad"
fi

"$dlpctl" policy check "$tmp/does-not-exist.policy" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && [ -s "$tmp/err" ]; then
	pass "usage: policy check of a missing file"
else
	fail "usage: policy check of a missing file" "exited $rc with $(wc -c <"$tmp/err") bytes on stderr, expected 1 and a message"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
