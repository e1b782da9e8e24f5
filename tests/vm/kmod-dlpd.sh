#!/bin/sh
# tests/vm/kmod-dlpd.sh - dlpd drives dlpguard.ko: with policy/default.policy the registered
# stick (access rw) is writable at the block layer and the personal one read-only; `dlpctl
# device block` makes the registered one read-only and `device allow ... --access rw` the
# personal one writable, at once; `access ro` keeps a stick read-only; a device-mapper device
# over the personal stick is that unregistered stick to dlpd; an SD card is
# allowed by its mmc identity the same way; dlpd restarted takes up the module's list again; `dlpctl doctor` says the module's guard is enforced. Without
# the module dlpd says so and enforces with the BPF programs alone.
# vm-timeout: 300
# vm-stick: reg serial=DLPDEMO0001 removable=on fs=vfat size=16
# vm-stick: unreg serial=DLP+PRIVATE1 removable=off fs=vfat size=16
# vm-sd: card fs=vfat size=16
# vm-modules: dm_mod
# vm-include: $BUILD/kmod/$KERNEL/dlpguard.ko $BUILD/dlpd $BUILD/dlpctl policy/default.policy
# vm-include: $BUILD/tests/bpf/test_kmod
. tests/vm/lib/vmtest.sh
. tests/vm/lib/dlpd.sh

ko=build/kmod/$DLPVM_KERNEL/dlpguard.ko
[ -f "$ko" ] || vm_skip "$ko not built (make kmod-vm: no headers for $DLPVM_KERNEL?)"
[ -x build/dlpd ] && [ -x build/dlpctl ] || vm_skip "build/dlpd or build/dlpctl not built (make)"

reg=$(dlpvm disk DLPDEMO0001) || vm_fail "stick DLPDEMO0001 not found"
# The personal stick's USB serial holds a space, "DLP PRIVATE1": udev's ID_SERIAL_SHORT is
# DLP_PRIVATE1, while the kernel (and so dlpguard.ko) has it as it is; the ledger names it so.
unreg=$(dlpvm disk DLP_PRIVATE1) || vm_fail "stick DLP PRIVATE1 not found"
mkdir -p /srv/share/機密性1 /srv/share/機密性2 /srv/share/機密性3 /srv/share/例規集 \
	/var/log/dlpguard /etc/dlpguard
log=/var/log/dlpguard/decisions.jsonl
policy=/etc/dlpguard/policy
cp policy/default.policy "$policy"

start() { dlpd_start "$policy"; }
stop() {
	kill -TERM "$dlpd_pid"
	wait "$dlpd_pid"
}
ro() { [ "$(cat /sys/block/$1/ro)" = 1 ]; }
rw() { [ "$(cat /sys/block/$1/ro)" = 0 ]; }
# roughly at once: within 2 s
soon() {
	i=0
	while [ $i -lt 20 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

vm_check "without the module, dlpd starts" start
vm_check "and says the BPF programs guard alone" grep -q "dlpguard.ko is not loaded" /tmp/dlpd.out
# A device-mapper device over the personal stick (as dm-crypt over a LUKS stick) is that
# stick to dlpd: unregistered media, which may not be mounted.
dm=$(build/tests/bpf/test_kmod dm-linear /dev/${unreg}1) || vm_fail "dm-linear over ${unreg}1"
udevadm settle
sleep 1
grep "$dm" /tmp/dlpd.out
vm_check "dlpd judges a device-mapper device over the personal stick unregistered media" \
	grep -q "$dm: unregistered media" /tmp/dlpd.out
vm_check "the decision log names the stick for it" grep -q \
	"\"type\":\"device\".*\"devnode\":\"$dm\".*\"verdict\":\"unregistered\",\"bus\":\"usb\".*\"serial\":\"DLP PRIVATE1\"" "$log"
mkdir -p /mnt/dm
vm_check "mounting it is refused" sh -c "! mount -t vfat $dm /mnt/dm 2>/dev/null"
umount /mnt/dm 2>/dev/null
build/tests/bpf/test_kmod dm-remove || vm_fail "dm-remove"
stop

vm_check "insmod dlpguard.ko" insmod "$ko"
vm_check "both sticks are read-only at load" sh -c "[ \$(cat /sys/block/$reg/ro) = 1 ] &&
	[ \$(cat /sys/block/$unreg/ro) = 1 ]"
vm_check "dlpd starts with the module" start
cat /tmp/dlpd.out
vm_check "it says it uses it" grep -q "dlpguard.ko .*: removable disks are read-only from attach" \
	/tmp/dlpd.out
vm_check "the registered stick (access rw) is writable" soon rw "$reg"
vm_check "the personal stick stays read-only" ro "$unreg"
vm_check "dd to the registered stick's partition works" \
	dd if=/dev/zero of=/dev/${reg}1 bs=512 count=1 seek=2000 conv=fsync
build/dlpctl doctor >/tmp/doctor.out
grep -i module /tmp/doctor.out
vm_check "dlpctl doctor: the module's guard is enforced" grep -q \
	"^enforced *the module's write guard at attach" /tmp/doctor.out

vm_check "device block the registered stick" build/dlpctl device block DEMO-2026-001
vm_check "it is read-only at once" soon ro "$reg"
vm_check "device allow the personal stick, rw" build/dlpctl device allow 情政-2026-077 \
	--device "$unreg" --section 情報政策課 --access rw --until 2027-03-31
vm_check "the ledger names its serial as the kernel has it, space and all" \
	grep -q 'media 情政-2026-077 .*serial "DLP PRIVATE1"' "$policy"
vm_check "it is writable at once" soon rw "$unreg"
vm_check "device block it, allow it ro" sh -c "build/dlpctl device block 情政-2026-077 &&
	build/dlpctl device allow 情政-2026-078 --device $unreg --section 情報政策課 --access ro \
	--until 2027-03-31"
vm_check "access ro keeps it read-only" soon ro "$unreg"
vm_check "the SD card, not in the ledger, is read-only" ro mmcblk0
vm_check "device allow it, rw" build/dlpctl device allow 情政-2026-079 --device mmcblk0 \
	--section 情報政策課 --access rw --until 2027-03-31
vm_check "it is writable at once" soon rw mmcblk0
vm_check "dd to its partition works" \
	dd if=/dev/zero of=/dev/mmcblk0p1 bs=512 count=1 seek=2000 conv=fsync
grep "mmcblk0" /tmp/dlpd.out
vm_check "dlpd said what the module did, by the card's mmc identity" grep -q \
	"dlpguard.ko: mmcblk0 released (mmc 00aa:5859 0xdeadbeef): writable" /tmp/dlpd.out
grep '"type":"guard"' "$log" | head -n 12
vm_check "the decision log has the module's guard of the personal stick at attach" grep -q \
	"\"type\":\"guard\".*\"event\":\"attach\",\"name\":\"$unreg\",.*\"state\":\"read-only\",\"bus\":\"usb\",\"vendor\":\"46f4\",\"product\":\"0001\",\"serial\":\"DLP PRIVATE1\"" \
	"$log"
vm_check "and the SD card's release" grep -q \
	"\"type\":\"guard\".*\"event\":\"released\",\"name\":\"mmcblk0\",.*\"state\":\"writable\",\"bus\":\"mmc\",\"vendor\":\"00aa\",\"product\":\"5859\",\"serial\":\"0xdeadbeef\"" \
	"$log"
vm_check "dlpctl log tail shows them" sh -c \
	"build/dlpctl log tail -n 200 --file $log | grep '(module)' | grep -q 'released.*/dev/mmcblk0 0xdeadbeef.*writable'"
no_events() { [ -z "$(build/tests/bpf/test_kmod peek)" ]; }
vm_check "dlpd acknowledged every event it logged: the module holds none" soon no_events

# An entry whose last day is today: writable until midnight JST, read-only after it, with
# no policy switch in between (the clock is set to just before midnight).
now=$(date +%s)
today=$(date -u -d "@$((now + 9 * 3600))" +%Y-%m-%d)
midnight=$(( (now + 9 * 3600) / 86400 * 86400 + 86400 - 9 * 3600 ))
vm_check "device allow the personal stick rw until today, $today" sh -c \
	"build/dlpctl device block 情政-2026-078 && build/dlpctl device allow 情政-2026-080 \
	--device $unreg --section 情報政策課 --access rw --until $today"
vm_check "it is writable" soon rw "$unreg"
vm_check "the clock set to 3 s before midnight JST" date -u -s "@$((midnight - 3))"
sleep 2
vm_check "still writable a second before" rw "$unreg"
sleep 2
vm_check "read-only once the day is over" soon ro "$unreg"
grep "media may be written" /tmp/dlpd.out | tail -2

kill -9 "$dlpd_pid"
wait "$dlpd_pid" 2>/dev/null
vm_check "killed, the sticks keep their state" sh -c "[ \$(cat /sys/block/$reg/ro) = 1 ] &&
	[ \$(cat /sys/block/$unreg/ro) = 1 ] && [ \$(cat /sys/block/mmcblk0/ro) = 0 ]"
# What the module does while no dlpd runs is held for the next one.
released() { grep -c "\"type\":\"guard\".*\"event\":\"released\",\"name\":\"$unreg\"" "$log"; }
before=$(released)
vm_check "with no dlpd, the personal stick released directly" \
	build/tests/bpf/test_kmod allow "DLP PRIVATE1"
vm_check "the module holds the event" sh -c \
	"build/tests/bpf/test_kmod peek | grep -q '^released $unreg 46f4:0001 DLP PRIVATE1 rw usb'"
cp policy/default.policy "$policy"
vm_check "a dlpd started with the default policy again" start
one_more() { [ "$(released)" = $((before + 1)) ]; }
vm_check "logs the release made while none ran" soon one_more
vm_check "makes the registered stick writable again" soon rw "$reg"
vm_check "and the personal one read-only" ro "$unreg"
vm_check "and the SD card too" soon ro mmcblk0

# A dlpd killed after writing an event's line, before acknowledging it: the module still
# holds the event, and its line ends the log (written here as that dlpd would have).
vm_check "the module holds no event dlpd logged" soon no_events
kill -9 "$dlpd_pid"
wait "$dlpd_pid" 2>/dev/null
build/tests/bpf/test_kmod allow "DLP PRIVATE1"
build/tests/bpf/test_kmod peek >/tmp/held.out
cat /tmp/held.out
seq=$(sed -n "s/^released $unreg .* seq=\([0-9]*\) boot_ns=[0-9]*$/\1/p" /tmp/held.out)
ns=$(sed -n "s/^released $unreg .* boot_ns=\([0-9]*\)$/\1/p" /tmp/held.out)
vm_check "one release held" test -n "$seq" -a -n "$ns" -a "$(wc -l </tmp/held.out)" = 1
printf '{"format":1,"type":"guard","time":null,"boot_ns":%s,"seq":%s,"event":"released","name":"%s"}\n' \
	"$ns" "$seq" "$unreg" >>"$log"
vm_check "the next dlpd starts" start
vm_check "says the event's line is the log's last already" soon grep -q \
	"the first dlpguard.ko event is the log's last line already" /tmp/dlpd.out
vm_check "the release is in the log once" [ "$(released)" = $((before + 2)) ]
vm_check "and acknowledged: the module holds none" soon no_events
stop
build/dlpd --unload >/dev/null
rmmod dlpguard
dmesg >/tmp/dmesg.out
vm_check "no oops, BUG or warning in the kernel log" sh -c \
	"! grep -E 'Oops|BUG:|WARNING:|general protection|Call Trace' /tmp/dmesg.out"
vm_ok "done"
