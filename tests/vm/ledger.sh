#!/bin/sh
# tests/vm/ledger.sh - the media ledger changed while dlpd enforces: `dlpctl device allow`
# registers the personal stick read-only (a read-only mount is allowed, a read-write one is not),
# with the reason in the decision log and the policy file's comments kept; a registration
# number or a medium already in the ledger is refused; `device block` takes the demo stick out
# (its mount is refused from then on); `device import` replaces the ledger with a Shift_JIS
# spreadsheet (令和 dates, 可/読取専用); a spreadsheet with a bad row is refused with its row and
# column and changes nothing; --dry-run checks only.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-stick: unreg serial=DLPPRIVATE1 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd $BUILD/dlpctl policy/default.policy tests/vm/data/ledger-cp932.csv
. tests/vm/lib/vmtest.sh
. tests/vm/lib/dlpd.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
unreg=$(dlpvm disk DLPPRIVATE1) || vm_fail "stick DLPPRIVATE1 not found"
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/mnt/a /var/log/dlpguard /etc/dlpguard
log=/var/log/dlpguard/decisions.jsonl
policy=/etc/dlpguard/policy
cp policy/default.policy "$policy"

start() { dlpd_start "$policy"; }

generation() { dlpd_generation; }

# mounts DISK [OPTIONS]: the disk's first partition mounts (then unmounted).
mounts() {
	mount -t vfat ${2:+-o $2} "/dev/${1}1" /mnt/a 2>/dev/null && umount /mnt/a
}
refused() { ! mounts "$@"; }

# listed DISK STATE [REGNO]: `dlpctl device list` says so.
listed() {
	build/dlpctl device list >/tmp/list.out 2>&1 &&
		grep -E "^/dev/$1 .* $2 +${3:-}" /tmp/list.out >/dev/null && return 0
	cat /tmp/list.out
	return 1
}

vm_check "dlpd starts with the default policy" start
vm_check "the personal stick is unregistered" listed "$unreg" unregistered
vm_check "it cannot be mounted" refused "$unreg" ro

vm_check "device allow: register it read-only from its listing" build/dlpctl device allow \
	情政-2026-050 --device "$unreg" --section 情報政策課 --access ro --until 2027-03-31 \
	--reason "例外措置 第3号: 監査資料の受領"
vm_eq "generation 2" 2 "$(generation)"
vm_check "it is listed registered, with its number" listed "$unreg" registered 情政-2026-050
vm_check "a read-only mount is allowed" mounts "$unreg" ro
vm_check "a read-write one is not (access ro)" refused "$unreg"
vm_check "the policy file has the entry" grep -q \
	'^media 情政-2026-050 bus usb id 46f4:0001 serial DLPPRIVATE1 section 情報政策課 access ro until 2027-03-31$' \
	"$policy"
vm_check "and kept its comments" grep -q "# 外部電磁的記録媒体の台帳" "$policy"
vm_check "the log says who and why" grep -q \
	'"type":"policy".*"event":"apply".*"generation":2,.*"by":{"uid":0,"user":"root"},"reason":"例外措置 第3号: 監査資料の受領"' \
	"$log"

build/dlpctl device allow 情政-2026-050 --bus usb --id 46f4:0002 --serial X1 \
	--section 情報政策課 --access rw --until 2027-03-31 >/tmp/out 2>&1
vm_eq "the same number again: exit 1" 1 "$?"
cat /tmp/out
vm_check "saying where it is" grep -q "in the ledger already" /tmp/out
build/dlpctl device allow 情政-2026-051 --device "$reg" --section 情報政策課 --access rw \
	--until 2027-03-31 >/tmp/out 2>&1
vm_eq "a medium in the ledger under another number: exit 1" 1 "$?"
cat /tmp/out
vm_check "naming that number" grep -q "as DEMO-2026-001" /tmp/out
build/dlpctl device allow 情政-2026-052 --bus usb --id 46f4:0002 --serial X2 \
	--section 情報政策課 --access rw --until 2027-02-30 >/tmp/out 2>&1
vm_eq "a day that does not exist: dlpd refuses, exit 8" 8 "$?"
cat /tmp/out
vm_eq "nothing was switched" 2 "$(generation)"

vm_check "device block --device: the demo stick leaves the ledger" \
	build/dlpctl device block --device "$reg" --reason "紛失届 2026-11-26"
vm_eq "generation 3" 3 "$(generation)"
vm_check "its mount is refused" refused "$reg"
vm_check "it is listed unregistered" listed "$reg" unregistered
vm_check "its line is gone from the policy file" sh -c "! grep -q '^media DEMO-2026-001' $policy"
build/dlpctl device block DEMO-2026-001 >/tmp/out 2>&1
vm_eq "blocking it again: exit 1" 1 "$?"
cat /tmp/out

cp "$policy" /tmp/before.policy
vm_check "device import --dry-run of the spreadsheet" build/dlpctl device import --dry-run \
	tests/vm/data/ledger-cp932.csv
vm_eq "a dry run switches nothing" 3 "$(generation)"
vm_check "nor changes the file" cmp /tmp/before.policy "$policy"
vm_check "device import of the Shift_JIS spreadsheet" build/dlpctl device import \
	tests/vm/data/ledger-cp932.csv
vm_eq "generation 4" 4 "$(generation)"
vm_check "the personal stick is now 情政-2026-101" listed "$unreg" registered 情政-2026-101
vm_check "read-write (可)" mounts "$unreg"
vm_check "the demo stick is 情政-2026-102" listed "$reg" registered 情政-2026-102
vm_check "read-only (読取専用): a read-only mount only" sh -c "mount -t vfat -o ro /dev/${reg}1 /mnt/a &&
	umount /mnt/a && ! mount -t vfat /dev/${reg}1 /mnt/a"
vm_check "the file's ledger is the spreadsheet's alone" sh -c \
	"[ \$(grep -c '^media 情政-' $policy) = 2 ] && ! grep -q '^media 情政-2026-050' $policy"
vm_check "until 令和9年3月31日 is 2027-03-31" grep -q "^media 情政-2026-101 .* until 2027-03-31" \
	"$policy"

printf '登録番号,種別,ID,シリアル番号,所属,書込,有効期限\n情政-1,USB,46f4:0001,S1,情報政策課,可,2027-02-29\n' \
	>/tmp/bad.csv
build/dlpctl device import /tmp/bad.csv >/tmp/out 2>&1
vm_eq "a spreadsheet with a day that does not exist: exit 1" 1 "$?"
cat /tmp/out
vm_check "naming row 2, column G" grep -q "/tmp/bad.csv:2:7: error" /tmp/out
vm_eq "nothing was switched" 4 "$(generation)"

kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
build/dlpd --unload >/dev/null
vm_ok "done"
