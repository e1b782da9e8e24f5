#!/bin/sh
# tests/vm/restart.sh - dlpd killed with SIGKILL and started again, five times, while an
# employee (uid 1000) who read a 機密性2 file keeps trying to create files on the registered
# stick and to connect to the Internet zone (198.51.100.0/24, local to the VM): not one attempt
# succeeds, each is refused with EPERM, and afterwards every refusal is in the decision log
# exactly once or counted in a "lost" line; the log is strict JSON line by line, but for a line
# a kill cut short, which may only stand right before the next dlpd's first line. One of the
# five times dlpd stays down until more records were made than the ring buffer holds, so that
# some can only be counted as lost.
# Each attempt is one system call making one decision, numbered so that its record can be
# found: the file is named wN, the connect goes to port 1023+N. With enforcement removed at
# the end, the same process creates a file on the stick and connects: the attempts were
# refused by the policy, not by the set-up.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd $BUILD/dlpctl policy/default.policy
. tests/vm/lib/vmtest.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
echo "tanaka:x:1000:1000:田中 太郎:/tmp:/bin/sh" >>/etc/passwd
echo "tanaka:x:1000:" >>/etc/group
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/mnt/reg /var/log/dlpguard
echo "住民の記録" >/srv/share/機密性2/住民.txt
chmod -R a+rX /srv/share
# The forbidden zone "internet" (198.51.100.0/24): every address of it is local to the VM.
ip addr add 198.51.100.1/24 dev lo && ip link set lo up
log=/var/log/dlpguard/decisions.jsonl
# The workers' folder: their script, pace FIFOs, error output and counts.
w=/tmp/restart
mkdir -p $w
chown 1000:1000 $w

# The worker (bash, as uid 1000): taint itself, then until $w/stop exists make attempt N =
# 1, 2, ... of its kind, one system call each, at most 100 a second. Each failure leaves bash's
# message (with strerror) in $w/KIND.err; at the end "ATTEMPTS SUCCEEDED" goes to KIND.count.
cat >$w/worker <<'EOF'
kind=$1 dir=$2
mkfifo "$dir/$kind.pace" && exec 9<>"$dir/$kind.pace" || exit 1
read -r _ </srv/share/機密性2/住民.txt || exit 1
exec 2>"$dir/$kind.err"
n=0 ok=0
: >"$dir/$kind.started"
while [ ! -e "$dir/stop" ] && [ $n -lt 60000 ]; do
	n=$((n + 1))
	case $kind in
	write) : >"/mnt/reg/w$n" && ok=$((ok + 1)) ;;
	connect) : 3<>"/dev/tcp/198.51.100.7/$((1023 + n))" && ok=$((ok + 1)) ;;
	esac
	read -r -t 0.01 -u 9
done
echo "$n $ok" >"$dir/$kind.count"
EOF

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# start: run dlpd number $ndlpd in the background; wait (at most 60 s) until it enforces.
ndlpd=0
start() {
	out=/tmp/dlpd.$ndlpd.out
	: >"$out"
	build/dlpd --policy policy/default.policy --log "$log" >>"$out" 2>&1 &
	dlpd_pid=$!
	i=0
	while [ $i -lt 120 ]; do
		grep -q -e "enforcing" -e "found pinned" "$out" && return 0
		kill -0 "$dlpd_pid" 2>/dev/null || break
		sleep 0.5
		i=$((i + 1))
	done
	cat "$out"
	return 1
}

# attempts KIND: attempts the worker has made so far (one message per write, two per connect).
attempts() {
	case $1 in
	write) wc -l <$w/write.err ;;
	connect) echo $(($(wc -l <$w/connect.err) / 2)) ;;
	esac
}

# wait_for FILE: wait (at most 30 s) until FILE exists.
wait_for() {
	i=0
	while [ ! -e "$1" ]; do
		[ $i -ge 60 ] && return 1
		sleep 0.5
		i=$((i + 1))
	done
}

vm_check "dlpd starts and enforces the default policy" start
vm_check "root mounts the registered stick for uid 1000" \
	mount -t vfat -o uid=1000,gid=1000 "/dev/${reg}1" /mnt/reg

for kind in write connect; do
	su -s /bin/bash tanaka -c "exec bash $w/worker $kind $w" &
done
vm_check "the write worker runs" wait_for $w/write.started
vm_check "the connect worker runs" wait_for $w/connect.started
sleep 2

# Five kills. Down 1 or 2 s, except the third: down until the workers made 1500 attempts,
# more than the 256 KiB ring buffer holds records, so that the kernel has to count some lost.
: >/tmp/windows
for cycle in 1 2 3 4 5; do
	kill -0 "$dlpd_pid" 2>/dev/null || vm_fail "dlpd $ndlpd died before cycle $cycle"
	before=$(($(attempts write) + $(attempts connect)))
	kill -9 "$dlpd_pid"
	wait "$dlpd_pid" 2>/dev/null
	down_at=$(uptime_s)
	case $cycle in
	3)
		i=0
		while [ $(($(attempts write) + $(attempts connect) - before)) -lt 1500 ]; do
			[ $i -ge 120 ] && vm_fail "fewer than 1500 attempts in 60 s"
			sleep 0.5
			i=$((i + 1))
		done
		;;
	2 | 4) sleep 2 ;;
	*) sleep 1 ;;
	esac
	ndlpd=$((ndlpd + 1))
	up_at=$(uptime_s)
	made=$(($(attempts write) + $(attempts connect) - before))
	echo "$cycle $down_at $up_at $made" >>/tmp/windows
	start || vm_fail "dlpd $ndlpd (cycle $cycle) did not start"
	grep -q "found pinned" /tmp/dlpd.$ndlpd.out ||
		vm_fail "dlpd $ndlpd did not take the pins over: $(cat /tmp/dlpd.$ndlpd.out)"
	vm_ok "cycle $cycle: killed at $down_at s, $made attempts while down, dlpd $ndlpd took over"
	sleep 3
done

touch $w/stop
vm_check "the write worker stops" wait_for $w/write.count
vm_check "the connect worker stops" wait_for $w/connect.count

# Drain: wait until the log has not grown for 2 s (at most 60 s), then stop dlpd.
last=-1
i=0
while [ $i -lt 30 ]; do
	now=$(wc -l <$log)
	[ "$now" = "$last" ] && break
	last=$now
	sleep 2
	i=$((i + 1))
done
kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
vm_eq "SIGTERM stops the last dlpd with status 0" 0 "$?"
for i in $(seq 0 $ndlpd); do
	sed "s/^/dlpd $i: /" /tmp/dlpd.$i.out
done

# What the workers saw.
read -r w_n w_ok <$w/write.count
read -r c_n c_ok <$w/connect.count
w_eperm=$(grep -c ': /mnt/reg/w[0-9]*: Operation not permitted$' $w/write.err)
c_eperm=$(grep -c ': /dev/tcp/198\.51\.100\.7/[0-9]*: Operation not permitted$' $w/connect.err)
grep -v -e ': /mnt/reg/w[0-9]*: Operation not permitted$' $w/write.err >/tmp/write.other
grep -v -e ': /dev/tcp/198\.51\.100\.7/[0-9]*: Operation not permitted$' \
	-e ': connect: Operation not permitted$' $w/connect.err >/tmp/connect.other

# Lines a kill cut short: the write of a line that crosses a page of the file can stop part-way
# when SIGKILL comes. `log tail` reports each as LOG:N; each must be the last line a killed dlpd
# wrote, so the next line is the next dlpd's first, its policy "adopt" line (the line's record
# was not yet read from the ring buffer: the next dlpd wrote it whole). What follows reads the
# log without them, from /tmp/log.whole.
build/dlpctl log tail --json -n 1000000 --file $log >/dev/null 2>/tmp/tail.err
sed -n "s|^dlpctl: $log:\([0-9]*\): .*|\1|p" /tmp/tail.err >/tmp/cut
while read -r n; do
	sed -n "$((n + 1))p" $log | grep -q '"type":"policy",.*"event":"adopt"' ||
		echo "line $n is not followed by a dlpd's first line"
done </tmp/cut >/tmp/cut.bad
awk -v cut="$(cat /tmp/cut)" 'BEGIN { n = split(cut, c); for (i = 1; i <= n; i++) skip[c[i]] }
	!(FNR in skip)' $log >/tmp/log.whole

# What the log says. Each decision of uid 1000 as "KIND N BOOT_NS VERDICT RULE TAINT", N the
# attempt it records (KIND ? for anything the workers do not make).
awk '
function val(k) {
	if (!match($0, "\"" k "\":(\"[^\"]*\"|[^,}]*)"))
		return "?"
	v = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
	gsub(/"/, "", v)
	return v
}
/"type":"decision"/ && /"uid":1000,/ {
	kind = "?"; n = "?"
	if (val("hook") == "inode_create" && val("path") ~ /^w[0-9]+$/) {
		kind = "write"; n = substr(val("path"), 2)
	} else if (val("hook") == "socket_connect" && val("address") == "198.51.100.7") {
		kind = "connect"; n = val("port") - 1023
	}
	print kind, n, val("boot_ns"), val("verdict"), val("rule"), val("taint")
}' /tmp/log.whole >/tmp/records
awk '/"type":"lost"/ { match($0, /"lost":[0-9]+/); print substr($0, RSTART + 7, RLENGTH - 7),
	$0 }' /tmp/log.whole >/tmp/lost
lost=$(awk '{ s += $1 } END { print s + 0 }' /tmp/lost)
w_logged=$(grep -c '^write ' /tmp/records)
c_logged=$(grep -c '^connect ' /tmp/records)
awk '!(($1 == "write" && $5 == "media-secret") || ($1 == "connect" && $5 == "net-secret-out")) ||
	$4 != "deny" || $6 != "機密性2"' /tmp/records >/tmp/records.bad
for kind in write connect; do
	awk -v k=$kind '$1 == k { print $2 }' /tmp/records | sort -n | uniq -d
done >/tmp/records.dup

# missing KIND ATTEMPTS: the runs of attempts with no record, with the boot time (s) of the
# records on either side.
missing() {
	awk -v k="$1" '$1 == k { print $2, $3 }' /tmp/records | sort -n -u -k1,1 |
		awk -v k="$1" -v total="$2" '
		function gap(from, to, t1, t2) {
			if (to >= from)
				printf "  %s %d-%d (%d) not in the log, from %.3f s to %.3f s\n",
					k, from, to, to - from + 1, t1 / 1e9, t2 / 1e9
		}
		{ gap(next_n, $1 - 1, last_t, $2); next_n = $1 + 1; last_t = $2 }
		BEGIN { next_n = 1; last_t = 0 }
		END { gap(next_n, total, last_t, 0) }'
}

echo "write:   $w_n attempts, $w_ok succeeded, $w_eperm refused with EPERM, $w_logged in the log"
echo "connect: $c_n attempts, $c_ok succeeded, $c_eperm refused with EPERM, $c_logged in the log"
echo "lost lines: $(wc -l </tmp/lost), $lost records counted lost; log: $(wc -l <$log) lines"
while read -r cycle down_at up_at made; do
	n=$(awk -v a="$down_at" -v b="$up_at" '$3 / 1e9 >= a && $3 / 1e9 <= b' /tmp/records | wc -l)
	echo "cycle $cycle: no dlpd from $down_at s to $up_at s, $made attempts, $n in the log"
done </tmp/windows
cut -d' ' -f2- /tmp/lost
missing write "$w_n"
missing connect "$c_n"

vm_eq "no write to the stick succeeded" 0 "$w_ok"
vm_eq "no connect to 198.51.100.7 succeeded" 0 "$c_ok"
vm_eq "every write attempt was refused with EPERM" "$w_n" "$w_eperm"
vm_eq "every connect attempt was refused with EPERM" "$c_n" "$c_eperm"
cat /tmp/write.other /tmp/connect.other
vm_eq "the workers saw no other error" 0 "$(cat /tmp/write.other /tmp/connect.other | wc -l)"
vm_eq "nothing was created on the stick" "" "$(ls -A /mnt/reg)"

# Without enforcement the same attempts succeed: the set-up let them through.
vm_check "dlpd --unload removes the pins" build/dlpd --unload
nc -l -p 443 >/dev/null </dev/null &
nc_pid=$!
# The kernel frees the last link after an RCU grace period: give it up to 10 s.
unenforced() {
	su -s /bin/bash tanaka -c 'read -r _ </srv/share/機密性2/住民.txt &&
		for i in $(seq 20); do
			{ : >/mnt/reg/control && : 3<>/dev/tcp/198.51.100.7/443; } 2>/dev/null &&
				exit 0
			sleep 0.5
		done
		exit 1'
}
vm_check "unloaded, the tainted user creates a file on the stick and connects to 198.51.100.7" \
	unenforced
kill "$nc_pid" 2>/dev/null
umount /mnt/reg

cat /tmp/tail.err /tmp/cut.bad
vm_eq "the log is strict JSON, line by line, but for lines a kill cut short ($(wc -l </tmp/cut))" \
	"$(wc -l </tmp/tail.err)" "$(wc -l </tmp/cut)"
vm_eq "each line cut short is the last a killed dlpd wrote" 0 "$(wc -l </tmp/cut.bad)"
head -n 20 /tmp/records.bad
vm_eq "every decision of uid 1000 is a refusal of a worker's attempt by its rule, tainted" \
	0 "$(wc -l </tmp/records.bad)"
head -n 20 /tmp/records.dup
vm_eq "no attempt is in the log twice" 0 "$(wc -l </tmp/records.dup)"
while read -r cycle down_at up_at made; do
	n=$(awk -v a="$down_at" -v b="$up_at" '$3 / 1e9 >= a && $3 / 1e9 <= b' /tmp/records | wc -l)
	[ "$n" -gt 0 ] || vm_fail "cycle $cycle: no record made while no dlpd ran is in the log"
done </tmp/windows
vm_ok "records made while no dlpd ran are in the log, for each of the 5 kills"
refused=$((w_eperm + c_eperm))
logged=$((w_logged + c_logged))
[ "$logged" -lt "$refused" ] ||
	vm_fail "the ring buffer never overflowed: every attempt is in the log; make cycle 3 longer"
vm_ok "$((refused - logged)) records are not in the log: the ring buffer overflowed"
what="every refused attempt is in the log or counted lost"
[ "$refused" = $((logged + lost)) ] ||
	vm_fail "$what: $refused refused, $logged logged + $lost lost = $((logged + lost))"
vm_ok "$what: $refused refused = $logged logged + $lost lost"
