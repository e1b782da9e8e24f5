#!/bin/sh
# tests/vm/control.sh - dlpd's control socket with dlpctl: `dlpctl status` says dlpd enforces
# policy/default.policy with that file's SHA-256; `dlpctl device list` shows DLPDEMO0001
# registered (DEMO-2026-001) and DLPPRIVATE1 unregistered, and a stick plugged while dlpd runs
# comes and goes; a user outside group dlpadm is refused (by the directory's mode, and by dlpd
# itself when the modes are opened), a member is served; malformed and hostile requests get
# errors and dlpd keeps serving (build/tests/bpf/test_control); a socket left by a killed dlpd
# is replaced by the next one, and SIGTERM removes it.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-stick: unreg serial=DLPPRIVATE1 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd $BUILD/dlpctl $BUILD/tests/bpf/test_control policy/default.policy
. tests/vm/lib/vmtest.sh
. tests/vm/lib/dlpd.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
unreg=$(dlpvm disk DLPPRIVATE1) || vm_fail "stick DLPPRIVATE1 not found"
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/var/log/dlpguard
log=/var/log/dlpguard/decisions.jsonl
sock=/run/dlpguard/dlpd.sock
sha=$(sha256sum policy/default.policy | cut -d' ' -f1)

# kimura (uid 1001) is an employee; sato (uid 1002) an administrator, in dlpadm.
echo "kimura:x:1001:1001:木村:/tmp:/bin/sh" >>/etc/passwd
echo "sato:x:1002:1002:佐藤:/tmp:/bin/sh" >>/etc/passwd
echo "kimura:x:1001:" >>/etc/group
echo "sato:x:1002:" >>/etc/group
echo "dlpadm:x:990:sato" >>/etc/group

# start: run dlpd in the background; wait (at most 60 s) until it says it enforces and its
# control socket answers (it listens once enforcement is in place, after saying so).
start() { dlpd_start policy/default.policy; }

# listed DISK [STATE [REGNO]]: `dlpctl device list` has a line for /dev/DISK (in that state,
# with that regno), within 10 s.
listed() {
	i=0
	while [ $i -lt 20 ]; do
		build/dlpctl device list >/tmp/list.out 2>&1 &&
			grep -E "^/dev/$1 .* $2 +${3:-}" /tmp/list.out >/dev/null && return 0
		sleep 0.5
		i=$((i + 1))
	done
	cat /tmp/list.out
	return 1
}

# unlisted DISK: no line for /dev/DISK in `dlpctl device list`, within 10 s.
unlisted() {
	i=0
	while [ $i -lt 20 ]; do
		build/dlpctl device list >/tmp/list.out 2>&1 &&
			! grep -q "^/dev/$1 " /tmp/list.out && return 0
		sleep 0.5
		i=$((i + 1))
	done
	cat /tmp/list.out
	return 1
}

vm_check "dlpd starts, enforces the default policy and answers on its socket" start
cat /tmp/dlpd.out
vm_check "the control socket is there, 0660" sh -c "[ \"\$(stat -c %a $sock)\" = 660 ]"

build/dlpctl status >/tmp/status.out 2>&1
vm_eq "dlpctl status exits 0" 0 "$?"
cat /tmp/status.out
vm_check "it says dlpd enforces" grep -q "^enforcing: *yes" /tmp/status.out
vm_check "with the SHA-256 of policy/default.policy" grep -q "^sha256: *$sha" /tmp/status.out
vm_check "and its pid" grep -q "pid $dlpd_pid" /tmp/status.out

build/dlpctl status --json >/tmp/status.json 2>&1
vm_eq "dlpctl status --json exits 0" 0 "$?"
cat /tmp/status.json
for key in '"enforcing":true' '"mode":"enforce"' "\"policy_sha256\":\"$sha\"" \
	"\"pid\":$dlpd_pid" '"decisions":' '"dropped":' '"uptime_s":' '"media":{"total":' \
	'"message":'; do
	vm_check "the JSON has $key" grep -qF "$key" /tmp/status.json
done
vm_check "the JSON is one object on one line" sh -c \
	'[ "$(wc -l </tmp/status.json)" = 1 ] && grep -q "^{.*}$" /tmp/status.json'

vm_check "device list: DLPDEMO0001 registered as DEMO-2026-001" listed "$reg" registered \
	DEMO-2026-001
cat /tmp/list.out
vm_check "device list: its partition too" listed "${reg}1" registered DEMO-2026-001
vm_check "device list: DLPPRIVATE1 unregistered" listed "$unreg" unregistered
vm_check "device list: the serials" sh -c "grep -q DLPDEMO0001 /tmp/list.out &&
	grep -q DLPPRIVATE1 /tmp/list.out"
vm_check "device list: dlpd counts what it judged" grep -q \
	"^dlpd says: [0-9]* block devices judged: 4 media listed" /tmp/list.out
build/dlpctl device list --json >/tmp/list.json
vm_eq "device list --json exits 0" 0 "$?"
item="\"devname\":\"$reg\",\"devnode\":\"/dev/$reg\",\"bus\":\"usb\",\"vendor\":\"46f4\","
item="$item\"product\":\"0001\",\"serial\":\"DLPDEMO0001\",\"state\":\"registered\","
item="$item\"regno\":\"DEMO-2026-001\""
vm_check "device list --json names the registered stick" grep -qF "$item" /tmp/list.json

# Permission: the directory keeps kimura out; sato is a member of dlpadm.
su -s /bin/sh kimura -c "build/dlpctl status" >/tmp/kimura.out 2>&1
vm_eq "a user outside dlpadm: exit status 7 (permission denied)" 7 "$?"
cat /tmp/kimura.out
vm_check "the message says why" grep -q "permission denied" /tmp/kimura.out
su -s /bin/sh sato -c "build/dlpctl status" >/tmp/sato.out 2>&1
vm_eq "a member of dlpadm: exit status 0" 0 "$?"
vm_check "and gets the status" grep -q "^sha256: *$sha" /tmp/sato.out
# With the modes opened, dlpd's own check (SO_PEERCRED, SO_PEERGROUPS) refuses kimura.
chmod 0755 /run/dlpguard && chmod 0666 $sock
su -s /bin/sh kimura -c "build/dlpctl status" >/tmp/kimura.out 2>&1
vm_eq "past the modes, dlpd refuses kimura itself: exit status 7" 7 "$?"
cat /tmp/kimura.out
vm_check "dlpd logs the refusal with uid and pid" grep -q \
	"uid 1001 (pid [0-9]*).*permission denied" /tmp/dlpd.out
chmod 0750 /run/dlpguard && chmod 0660 $sock

# Requests dlpctl would never send.
DLP_CONTROL_SOCKET=$sock CMOCKA_MESSAGE_OUTPUT=stdout build/tests/bpf/test_control
vm_eq "test_control: every case passed" 0 "$?"
vm_check "dlpd is still running" kill -0 "$dlpd_pid"
vm_check "and answers" build/dlpctl status

# Hot-plug.
hot=$(dlpvm plug hot serial=DLPHOT0001 fs=vfat size=8) || vm_fail "plugging a stick"
vm_check "a stick plugged while dlpd runs is listed, unregistered" listed "$hot" unregistered
cat /tmp/list.out
dlpvm unplug hot || vm_fail "unplugging the stick"
vm_check "unplugged, it leaves the list" unlisted "$hot"
vm_check "and its partition too" unlisted "${hot}1"

# A socket left by a killed dlpd is replaced; SIGTERM removes it.
kill -9 "$dlpd_pid"
wait "$dlpd_pid" 2>/dev/null
vm_check "killed with SIGKILL, dlpd leaves its socket file" test -S $sock
build/dlpctl status >/dev/null 2>&1
vm_eq "nobody listens: dlpctl status exits 6 (dlpd not reachable)" 6 "$?"
vm_check "a new dlpd takes the pins over, listening where the dead one left a socket" start
vm_check "and listens on the socket the dead one left" build/dlpctl status
build/dlpctl status >/tmp/status.out
vm_check "it says so" grep -q "taken over from the pins" /tmp/status.out
kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
vm_eq "SIGTERM stops dlpd with status 0" 0 "$?"
vm_check "and removes the socket" sh -c "! test -e $sock"
build/dlpctl status >/dev/null 2>&1
vm_eq "dlpctl status: exit status 6 (dlpd not reachable)" 6 "$?"
vm_check "dlpd --unload removes the pins" build/dlpd --unload
