#!/bin/sh
# tests/vm/resume.sh - where a killed dlpd left the decision log and the ring buffer, the next
# one goes on without writing a record twice or gluing lines together. The ring buffer learns
# that a record was read only after its line is written: a dlpd killed in between leaves the
# record unread, with its line already the log's last. The test makes that state exactly:
# it notes the ring buffer's read position, lets a dlpd log one refusal and kills it with
# SIGKILL, then sets the position back (tests/bpf/test_resume). The next dlpd recognises the
# record and does not write it again. Once another line follows it, the same rewind makes the
# record be written a second time (a record is never lost, at worst logged twice). A line cut
# short by a kill (no newline at its end) stays a line of its own and the next starts whole.
# vm-timeout: 300
# vm-include: $BUILD/dlpd $BUILD/dlpctl $BUILD/tests/bpf/test_resume policy/default.policy
. tests/vm/lib/vmtest.sh
. tests/vm/lib/dlpd.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] && [ -x build/tests/bpf/test_resume ] ||
	vm_skip "build/dlpd, build/dlpctl or build/tests/bpf/test_resume not built (make tests)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

echo "tanaka:x:1000:1000:田中 太郎:/tmp:/bin/sh" >>/etc/passwd
echo "tanaka:x:1000:" >>/etc/group
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/var/log/dlpguard
echo "住民の記録" >/srv/share/機密性2/住民.txt
chmod -R a+rX /srv/share
# The forbidden zone "internet" (198.51.100.0/24): every address of it is local to the VM.
ip addr add 198.51.100.1/24 dev lo && ip link set lo up
log=/var/log/dlpguard/decisions.jsonl
ring() { build/tests/bpf/test_resume "$@"; }

# refuse PORT: tanaka reads a 機密性2 file, then connects to 198.51.100.7:PORT: refused.
refuse() {
	su -s /bin/bash tanaka -c "read -r _ </srv/share/機密性2/住民.txt &&
		: 3<>/dev/tcp/198.51.100.7/$1" 2>/tmp/refuse.err
	cat /tmp/refuse.err
	grep -q "Operation not permitted" /tmp/refuse.err
}

# logged PORT: the decision lines for a connect to 198.51.100.7:PORT.
logged() {
	grep -c "\"type\":\"decision\".*\"address\":\"198\.51\.100\.7\",\"port\":$1," "$log"
}

# read_past POS: wait (at most 30 s) until dlpd has read the ring buffer past POS.
read_past() {
	i=0
	while [ "$(ring consumer)" -le "$1" ]; do
		[ $i -ge 60 ] && return 1
		sleep 0.5
		i=$((i + 1))
	done
}

# kill_dlpd: SIGKILL, as a crash or the OOM killer would.
kill_dlpd() {
	kill -9 "$dlpd_pid"
	wait "$dlpd_pid" 2>/dev/null
}

vm_check "dlpd starts and enforces the default policy" dlpd_start policy/default.policy
kill_dlpd
pos=$(ring consumer) || vm_fail "the ring buffer's read position cannot be read"
vm_check "with no dlpd, tanaka's connect to port 1024 is refused" refuse 1024

vm_check "dlpd 2 takes over" dlpd_start policy/default.policy
vm_check "dlpd 2 reads the record" read_past "$pos"
kill_dlpd
vm_eq "the refusal is in the log once" 1 "$(logged 1024)"
vm_eq "and is its last line" 1 "$(tail -n 1 "$log" | grep -c '"port":1024,')"

# The state a dlpd killed after the line, before the ring buffer learnt of it, leaves.
vm_check "the ring buffer is set back to before the record" ring rewind "$pos"
vm_check "dlpd 3 takes over" dlpd_start policy/default.policy
vm_check "dlpd 3 reads the record" read_past "$pos"
cat /tmp/dlpd.out
vm_eq "dlpd 3 does not write it again" 1 "$(logged 1024)"
vm_check "dlpd 3 says so" grep -q "log's last line already" /tmp/dlpd.out

# dlpd 3 wrote lines after it (its policy line): the record is no longer the last one.
kill_dlpd
vm_eq "after dlpd 3 the log ends with another line" 0 "$(tail -n 1 "$log" | grep -c '"port":1024,')"
vm_check "the ring buffer is set back again" ring rewind "$pos"
vm_check "dlpd 4 takes over" dlpd_start policy/default.policy
vm_check "dlpd 4 reads the record" read_past "$pos"
vm_eq "not the log's last line, the record is written again: twice, never lost" 2 \
	"$(logged 1024)"

# A line cut short: a dlpd killed in the middle of a write leaves no newline after it.
kill_dlpd
vm_check "with no dlpd, tanaka's connect to port 1025 is refused" refuse 1025
fragment='{"format":1,"type":"decision","time":"2026-'
printf '%s' "$fragment" >>"$log"
pos=$(ring consumer)
vm_check "dlpd 5 takes over" dlpd_start policy/default.policy
vm_check "dlpd 5 reads the record" read_past "$pos"
vm_check "dlpd 5 says the last line is cut short" grep -q "the last line is cut short" \
	/tmp/dlpd.out
vm_eq "the line cut short stays a line of its own" 1 "$(grep -c -x -F "$fragment" "$log")"
vm_eq "the refusal made after it is logged whole" 1 "$(logged 1025)"
build/dlpctl log tail --json -n 1000000 --file "$log" >/dev/null 2>/tmp/tail.err
cat /tmp/tail.err
vm_eq "log tail reports that line alone" 1 "$(grep -c "not a decision log line" /tmp/tail.err)"

kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
vm_eq "SIGTERM stops dlpd with status 0" 0 "$?"
vm_check "dlpd --unload removes the pins" build/dlpd --unload
