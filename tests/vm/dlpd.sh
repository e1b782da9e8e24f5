#!/bin/sh
# tests/vm/dlpd.sh - dlpd end to end with policy/default.policy: it loads, fills and pins the
# programs, judges each stick from the ledger (DLPDEMO0001 registered, DLPPRIVATE1 not), and logs
# every decision; the unregistered stick cannot be mounted, the registered one can, a 機密性2
# file cannot be copied to it (the refusal names the stick's ledger entry) and a plain one can.
# Then dlpd is killed with SIGKILL: enforcement goes on (pinned), a refusal made meanwhile is
# logged by the dlpd started next, which takes the pinned programs over; SIGTERM stops it, still
# enforcing; `dlpd --unload` ends enforcement.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-stick: unreg serial=DLPPRIVATE1 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd policy/default.policy
. tests/vm/lib/vmtest.sh

[ -x build/dlpd ] || vm_skip "build/dlpd not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
unreg=$(dlpvm disk DLPPRIVATE1) || vm_fail "stick DLPPRIVATE1 not found"
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/mnt/reg /mnt/unreg /var/log/dlpguard
echo "住民の記録" >/srv/share/機密性2/住民.txt
echo "お知らせ" >/tmp/お知らせ.txt
log=/var/log/dlpguard/decisions.jsonl

# start: run dlpd in the background; wait (at most 60 s) until it says it enforces.
start() {
	: >/tmp/dlpd.out # emptied here, not by the background job, which may start late
	build/dlpd --policy policy/default.policy --log "$log" >>/tmp/dlpd.out 2>&1 &
	dlpd_pid=$!
	i=0
	while [ $i -lt 60 ]; do
		grep -q -e "enforcing" -e "found pinned" /tmp/dlpd.out && return 0
		kill -0 "$dlpd_pid" 2>/dev/null || break
		sleep 1
		i=$((i + 1))
	done
	cat /tmp/dlpd.out
	return 1
}

# logged N WHAT PATTERN: the log has N lines matching PATTERN, within 5 s.
logged() {
	i=0
	while [ $i -lt 10 ]; do
		[ "$(grep -c -e "$3" "$log" 2>/dev/null)" = "$1" ] && { vm_ok "$2"; return; }
		sleep 0.5
		i=$((i + 1))
	done
	cat "$log"
	vm_fail "$2: expected $1 lines matching '$3', found $(grep -c -e "$3" "$log" 2>/dev/null)"
}

vm_check "dlpd starts and enforces the default policy" start
cat /tmp/dlpd.out
vm_check "the unregistered stick cannot be mounted" sh -c "! mount -t vfat /dev/${unreg}1 /mnt/unreg"
vm_check "the registered stick can" mount -t vfat "/dev/${reg}1" /mnt/reg
vm_check "a 機密性2 file cannot be copied to it" sh -c "! cp /srv/share/機密性2/住民.txt /mnt/reg/"
vm_check "nothing of it is left there" sh -c "! test -e /mnt/reg/住民.txt"
vm_check "a plain file can be copied to it" cp /tmp/お知らせ.txt /mnt/reg/
logged 1 "the refused mount is in the log" '"action":"mount".*"verdict":"deny"'
logged 1 "the refused copy names the stick's ledger entry and section" \
	'"action":"write".*"verdict":"deny".*"serial":"DLPDEMO0001","regno":"DEMO-2026-001","section":"情報政策課"'
logged 1 "the refused mount of the personal stick names its serial, no ledger entry" \
	'"action":"mount".*"verdict":"deny".*"serial":"DLPPRIVATE1","regno":null,"section":null'
logged 1 "the refused copy is in the log" '"action":"write".*"verdict":"deny"'
vm_check "the registered stick's attach is in the log, with its ledger entry" grep -q \
	'"type":"device".*"event":"attach".*"verdict":"registered".*"regno":"DEMO-2026-001"' "$log"
vm_check "so is the personal stick's, unregistered" grep -q \
	'"type":"device".*"event":"attach".*"verdict":"unregistered".*"serial":"DLPPRIVATE1"' "$log"

kill -9 "$dlpd_pid"
wait "$dlpd_pid" 2>/dev/null
vm_check "killed with SIGKILL, the unregistered stick still cannot be mounted" \
	sh -c "! mount -t vfat /dev/${unreg}1 /mnt/unreg"
vm_check "nor the 機密性2 file copied" sh -c "! cp /srv/share/機密性2/住民.txt /mnt/reg/"

vm_check "a new dlpd takes the pinned programs over" start
cat /tmp/dlpd.out
vm_check "it says so" grep -q "found pinned" /tmp/dlpd.out
logged 2 "the refusal made while no dlpd ran is logged by the new one" \
	'"action":"mount".*"verdict":"deny"'

kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
vm_eq "SIGTERM stops dlpd with status 0" 0 "$?"
vm_check "stopped, enforcement goes on" sh -c "! mount -t vfat /dev/${unreg}1 /mnt/unreg"
vm_check "dlpd --unload removes the pins" build/dlpd --unload
# The kernel frees the last link after an RCU grace period: give it a few seconds.
mounted() {
	i=0
	while [ $i -lt 10 ]; do
		mount -t vfat "/dev/${unreg}1" /mnt/unreg 2>/dev/null && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
vm_check "unloaded, the unregistered stick mounts (within 5 s)" mounted
umount /mnt/unreg
umount /mnt/reg
