#!/bin/sh
# tests/vm/apply.sh - switching policies while dlpd enforces. Policy A (policy/default.policy)
# registers DLPDEMO0001 and refuses every Internet connect; policy B drops the stick from the
# ledger, labels /srv/share/機密性2 as 機密性1 and lets plain connects out. `dlpctl policy apply`
# switches A -> B -> A: each time the stick's mount, the connect and the taint follow the new
# policy at once, the generation goes up by one, the stick's new verdict is a "change" line.
# An invalid policy, or one naming a directory this terminal lacks, is refused with the
# compiler's message and changes nothing; --dry-run checks only; SIGHUP and `dlpctl policy
# reload` read the file again; a dlpd restarted with another policy file applies it.
# Then under load: a worker connects to two addresses without pause while policies P (refuses
# 198.51.100.7) and Q (refuses 198.51.100.8) are applied 20 times; every refusal has exactly one
# record, and each record names the address, rule and policy of one generation: no decision
# mixes two policies.
# vm-timeout: 420
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd $BUILD/dlpctl policy/default.policy
. tests/vm/lib/vmtest.sh
. tests/vm/lib/dlpd.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
echo "tanaka:x:1000:1000:田中:/tmp:/bin/sh" >>/etc/passwd
echo "tanaka:x:1000:" >>/etc/group
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/mnt/usb /var/log/dlpguard /etc/dlpguard
echo "住民基本台帳の写し" >/srv/share/機密性2/住民一覧.txt
chmod -R a+rX /srv/share
ip addr add 198.51.100.1/24 dev lo && ip link set lo up
log=/var/log/dlpguard/decisions.jsonl

# The policies. dlpd's own file is /etc/dlpguard/policy (apply saves there).
A=/etc/dlpguard/a.policy
B=/etc/dlpguard/b.policy
cp policy/default.policy "$A"
sed -e '/^media DEMO-2026-001/d' \
	-e 's|^label dir    /srv/share/機密性2   機密性2|label dir    /srv/share/機密性2   機密性1|' \
	-e 's|^rule net-direct .*|rule net-direct allow connect zone any|' \
	policy/default.policy >"$B"
cp "$A" /etc/dlpguard/policy
sha_a=$(sha256sum "$A" | cut -d' ' -f1)
sha_b=$(sha256sum "$B" | cut -d' ' -f1)

start() { dlpd_start /etc/dlpguard/policy; }

generation() { dlpd_generation; }

# connect USER ADDR: what busybox nc says when USER connects to ADDR:443 (nothing listens:
# an allowed connect is "refused" by the peer, a denied one fails with EPERM).
connect() {
	su -s /bin/sh "$1" -c "nc -w 2 $2 443 </dev/null" 2>&1 | tail -n 1
}
denied() { connect "$@" | grep -q "not permitted"; }
allowed() { connect "$@" | grep -q "refused"; }

# The stick: mountable, or not; left unmounted.
mountable() {
	mount -t vfat "/dev/${reg}1" /mnt/usb 2>/dev/null && umount /mnt/usb
}
unmountable() { ! mountable; }

# logged PATTERN: a line of the decision log matches PATTERN, within 5 s.
logged() {
	i=0
	while [ $i -lt 10 ]; do
		grep -q -e "$1" "$log" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	tail -n 5 "$log"
	return 1
}

vm_check "dlpd starts with policy A" start
vm_eq "generation 1" 1 "$(generation)"
vm_check "A: the registered stick can be mounted" mountable
vm_check "A: tanaka cannot connect to the Internet" denied tanaka 198.51.100.7
vm_check "A: root cannot either (zone any)" denied root 198.51.100.7

vm_check "dlpctl policy apply B" build/dlpctl policy apply "$B"
vm_eq "generation 2" 2 "$(generation)"
vm_check "B: the stick is no longer in the ledger: its mount is refused" unmountable
vm_check "B: tanaka may connect" allowed tanaka 198.51.100.7
vm_check "B: sending the (now 機密性1) file too" sh -c \
	"su -s /bin/sh tanaka -c 'nc -w 2 198.51.100.7 443 </srv/share/機密性2/住民一覧.txt' 2>&1 |
	 grep -q refused"
vm_check "B is saved as dlpd's policy file" cmp "$B" /etc/dlpguard/policy
vm_check "the log says dlpd started with A" \
	logged "\"type\":\"policy\".*\"event\":\"start\".*\"generation\":1,\"policy_sha256\":\"$sha_a\".*\"previous\":null,\"by\":null"
vm_check "and that root applied B, replacing A" \
	logged "\"type\":\"policy\".*\"event\":\"apply\",\"name\":\"b.policy\",\"generation\":2,\"policy_sha256\":\"$sha_b\",\"previous\":{\"generation\":1,\"policy_sha256\":\"$sha_a\"},\"by\":{\"uid\":0,\"user\":\"root\"}"
vm_check "dlpctl status names B's SHA-256" sh -c "build/dlpctl status | grep -q $sha_b"
vm_check "the stick's new verdict is logged as a change" logged \
	'"type":"device".*"event":"change".*"verdict":"unregistered".*"serial":"DLPDEMO0001"'
vm_check "dlpctl device list says unregistered" sh -c \
	"build/dlpctl device list | grep -E '^/dev/$reg .* unregistered'"
vm_check "dlpctl policy show prints the policy in force" sh -c \
	"build/dlpctl policy show | grep -q 'generation 2'"

vm_check "apply A again" build/dlpctl policy apply "$A"
vm_eq "generation 3" 3 "$(generation)"
vm_check "A: the stick mounts again" mountable
vm_check "A: tanaka is refused again" denied tanaka 198.51.100.7
vm_check "A: sending the 機密性2 file is refused by net-secret-out" sh -c \
	"su -s /bin/sh tanaka -c 'nc -w 2 198.51.100.7 443 </srv/share/機密性2/住民一覧.txt' 2>&1 |
	 grep -q 'not permitted'"
vm_check "the refusal under generation 3 names its rule" \
	logged "\"generation\":3,\"policy_sha256\":\"$sha_a\".*\"rule\":\"net-secret-out\""
vm_check "those under generation 1 too" \
	logged "\"generation\":1,\"policy_sha256\":\"$sha_a\".*\"rule\":\"net-direct\""

# Refused policies change nothing.
printf 'version 1\nmode enforce\nbogus line\n' >/tmp/bad.policy
build/dlpctl policy apply /tmp/bad.policy >/tmp/apply.out 2>&1
vm_eq "an invalid policy: dlpctl exits 8" 8 "$?"
cat /tmp/apply.out
vm_check "with the compiler's message, line and column" grep -q "bad.policy:3:1: error" /tmp/apply.out
sed 's|^label dir    /srv/share/機密性3   機密性3|label dir    /srv/share/無い   機密性3|' "$A" \
	>/tmp/missing.policy
build/dlpctl policy apply /tmp/missing.policy >/tmp/apply.out 2>&1
vm_eq "a label directory this terminal lacks: exit 8" 8 "$?"
cat /tmp/apply.out
vm_check "saying which" grep -q "無い" /tmp/apply.out
vm_check "a dry run of B succeeds" build/dlpctl policy apply --dry-run "$B"
vm_eq "nothing was switched: generation 3" 3 "$(generation)"
vm_check "A is still dlpd's policy file" cmp "$A" /etc/dlpguard/policy
vm_check "and still enforced" denied tanaka 198.51.100.7

# SIGHUP and RELOAD read the file again.
cp "$B" /etc/dlpguard/policy
kill -HUP "$dlpd_pid"
i=0
until [ "$(generation)" = 4 ] || [ $i -gt 20 ]; do sleep 0.5; i=$((i + 1)); done
vm_eq "SIGHUP: generation 4" 4 "$(generation)"
vm_check "logged as a reload nobody asked for over the socket" \
	logged "\"type\":\"policy\".*\"event\":\"reload\".*\"generation\":4,.*\"by\":null"
vm_check "SIGHUP: B in force" allowed tanaka 198.51.100.7
cp "$A" /etc/dlpguard/policy
vm_check "dlpctl policy reload" build/dlpctl policy reload
vm_eq "reload: generation 5" 5 "$(generation)"
vm_check "reload: A in force" denied tanaka 198.51.100.7

# A dlpd restarted with another file switches to it; with the same, keeps the generation.
kill -9 "$dlpd_pid"
wait "$dlpd_pid" 2>/dev/null
cp "$B" /etc/dlpguard/policy
vm_check "a dlpd started with B while A is pinned" start
cat /tmp/dlpd.out
vm_check "says it applies B" grep -q "differs from the policy in force: applying it" /tmp/dlpd.out
vm_eq "generation 6" 6 "$(generation)"
vm_check "B in force" allowed tanaka 198.51.100.7
kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
vm_check "started again with B" start
vm_eq "the same policy: still generation 6" 6 "$(generation)"
vm_check "logged as taken over" logged "\"type\":\"policy\".*\"event\":\"adopt\".*\"generation\":6,"

# ---- under load ------------------------------------------------------------------------------
# P refuses 198.51.100.7 (rule p-deny), Q refuses 198.51.100.8 (rule q-deny); both allow the rest.
mk() { # FILE ADDR RULE
	printf 'version 1\nmode enforce\ntier lgwan\ndefault allow\nmedia unregistered allow\n' >"$1"
	printf 'zone z %s\nrule %s deny connect zone z\n' "$2" "$3" >>"$1"
}
mk /etc/dlpguard/p.policy 198.51.100.7 p-deny
mk /etc/dlpguard/q.policy 198.51.100.8 q-deny
vm_check "apply P" build/dlpctl policy apply /etc/dlpguard/p.policy
gen_p=$(generation)
: >/tmp/worker.out
(
	while [ ! -e /tmp/stop ]; do
		for a in 198.51.100.7 198.51.100.8; do
			echo "$a $(nc -w 2 $a 443 </dev/null 2>&1 | tail -n 1)" >>/tmp/worker.out
		done
	done
) &
worker=$!
sleep 1
n=0
fail=0
while [ $n -lt 20 ]; do
	if [ $((n % 2)) = 0 ]; then f=q; else f=p; fi
	build/dlpctl policy apply /etc/dlpguard/$f.policy >/dev/null || fail=$((fail + 1))
	sleep 0.3
	n=$((n + 1))
done
touch /tmp/stop
wait "$worker"
vm_eq "20 switches under load, none failed" 0 "$fail"
last=$(generation)
vm_eq "20 generations later" $((gen_p + 20)) "$last"
attempts=$(wc -l </tmp/worker.out)
refused=$(grep -c "not permitted" /tmp/worker.out)
other=$(grep -v -c -e "not permitted" -e "refused" /tmp/worker.out)
echo "attempts $attempts, refused $refused, other outcomes $other"
vm_check "the worker made attempts throughout" [ "$attempts" -ge 40 ]
vm_eq "every attempt was refused by the policy or by the peer" 0 "$other"
vm_check "both addresses were refused at some point" sh -c \
	"grep -q '^198.51.100.7 .*not permitted' /tmp/worker.out &&
	 grep -q '^198.51.100.8 .*not permitted' /tmp/worker.out"
sleep 2 # dlpd reads the last records
build/dlpctl policy show >/dev/null # a request dlpd answers after its loop read them
grep "\"generation\":" "$log" | grep '"action":"connect"' |
	awk -v g="$gen_p" -F'"generation":' '{ split($2, a, ","); if (a[1] + 0 >= g) print }' \
		>/tmp/load.jsonl
records=$(wc -l </tmp/load.jsonl)
lost=$(grep '"type":"lost"' "$log" | wc -l)
echo "records $records, lost lines $lost"
vm_eq "one record per refusal, none lost" "$refused" "$records"
# A generation of P is gen_p + even; each record: P's rule and address, or Q's, never mixed.
mixed=$(awk -v g="$gen_p" '{
	split($0, x, "\"generation\":"); split(x[2], y, ","); gen = y[1] + 0
	p = (gen - g) % 2 == 0
	ok = p ? ($0 ~ /"rule":"p-deny"/ && $0 ~ /198\.51\.100\.7/) \
	       : ($0 ~ /"rule":"q-deny"/ && $0 ~ /198\.51\.100\.8/)
	if (!ok) { print; n++ }
} END { print n + 0 > "/dev/stderr" }' /tmp/load.jsonl 2>&1 >/tmp/mixed.jsonl)
cat /tmp/mixed.jsonl
vm_eq "no record mixes two policies" 0 "$mixed"

kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
build/dlpd --unload >/dev/null
vm_ok "done"
